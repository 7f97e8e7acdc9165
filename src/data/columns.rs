//! Column headers and keys → fields: case-insensitive, spaces and hyphens read as underscores.

use std::collections::BTreeSet;

use crate::check::model::{FieldId, Record, Type};
use crate::suggest::closest;

use super::cell::normalized;
use super::error::{Capped, DataError, DataErrorKind, list, quote};

/// Which column holds each field, after the header is checked.
#[derive(Clone, Debug)]
pub(crate) struct ColumnMap {
    /// For each field, in schema order, its column.
    pub columns: Vec<Option<usize>>,
}

/// How a header or key names a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Naming {
    /// By the field's own name (`school`, `School`, `class start`), or a column name the policy
    /// gives it (`school ("School Code"): school`).
    Exact,
    /// As exports name columns: prefixed with the record's name (`School ID`, `school_name`
    /// for the `school` record's `id` and `name`); for a reference, suffixed with `id`
    /// (`school_id` for a `school` field); for a value of a declared type, suffixed with `type`
    /// (`Enrollment Type`); for a headcount, `count`. Used only when no column has the field's
    /// own name.
    Alias,
}

/// The field a header or key names, and how.
pub(crate) fn field_of(record: &Record, header: &str) -> Option<(usize, Naming)> {
    let n = || normalized(header);
    if let Some(f) = record
        .fields
        .iter()
        .position(|f| n().eq(normalized(&f.name)))
    {
        return Some((f, Naming::Exact));
    }
    // The column names the policy gives a field: as good as its own name.
    if let Some(f) = record
        .fields
        .iter()
        .position(|f| f.columns.iter().any(|c| n().eq(normalized(c))))
    {
        return Some((f, Naming::Exact));
    }
    record
        .fields
        .iter()
        .position(|f| {
            let prefixed = normalized(&record.name)
                .chain(std::iter::once('_'))
                .chain(normalized(&f.name));
            let suffixed = |suffix: &'static str| n().eq(normalized(&f.name).chain(suffix.chars()));
            n().eq(prefixed)
                || match f.ty {
                    // `school_id` for a reference to a school.
                    Type::Ref(_) => suffixed("_id"),
                    // `enrollment_type` for a value such as `resident`.
                    Type::Enum(_) => suffixed("_type"),
                    // `count` for a headcount: pre-counted rows.
                    Type::Weight => n().eq("count".chars()),
                    _ => false,
                }
        })
        .map(|f| (f, Naming::Alias))
}

/// Whether no header names a field of `record` (a title line above the header, say).
pub(crate) fn names_no_field(record: &Record, headers: &[String]) -> bool {
    headers.iter().all(|h| field_of(record, h).is_none())
}

/// Whether a line can be the header below title lines: it names every required field of
/// `record`, or at least half its fields (and two or more), so that a header missing a column
/// is still taken for one, and the missing column reported on its line.
pub(crate) fn looks_like_header(record: &Record, headers: &[String]) -> bool {
    let mut named: Vec<usize> = headers
        .iter()
        .filter_map(|h| field_of(record, h).map(|(f, _)| f))
        .collect();
    named.sort_unstable();
    named.dedup();
    let every_required = record
        .fields
        .iter()
        .enumerate()
        .all(|(i, f)| f.optional || named.contains(&i));
    every_required || (named.len() >= 2 && named.len() * 2 >= record.fields.len())
}

/// Matches a CSV header. Reports extra and repeated columns as one warning each, and every
/// missing required column as an error; returns `None` when a required column is missing (the
/// file is then skipped).
pub(crate) fn match_header(
    record: &Record,
    headers: &[String],
    line: u64,
    sink: &mut Capped<'_>,
) -> Option<ColumnMap> {
    let mut columns = vec![None; record.fields.len()];
    let mut extra = BTreeSet::new();
    let mut repeated = BTreeSet::new();
    let named: Vec<Option<(usize, Naming)>> = headers.iter().map(|h| field_of(record, h)).collect();
    // Columns with a field's own name first; then the other names, for the fields still
    // without a column.
    for pass in [Naming::Exact, Naming::Alias] {
        for (c, (h, naming)) in headers.iter().zip(&named).enumerate() {
            match naming {
                Some((f, how)) if *how == pass => match columns.get_mut(*f) {
                    Some(slot) if slot.is_none() => *slot = Some(c),
                    _ if pass == Naming::Alias => {
                        extra.insert(h.trim().to_owned());
                    }
                    _ => {
                        if let Some(field) = record.fields.get(FieldId(*f)) {
                            repeated.insert(field.name.clone());
                        }
                    }
                },
                Some(_) => {}
                // A column without a name (a trailing comma) is ignored quietly.
                None if h.trim().is_empty() => {}
                None if pass == Naming::Exact => {
                    extra.insert(h.trim().to_owned());
                }
                None => {}
            }
        }
    }
    for name in &repeated {
        sink.always(
            DataError::new(
                DataErrorKind::Column,
                sink.file(),
                format!(
                    "column {} appears more than once; the first is used",
                    quote(name)
                ),
            )
            .line(line)
            .column(name.clone())
            .help("remove or rename the repeated column")
            .warning(),
        );
    }
    let mut complete = true;
    let unused: Vec<&str> = extra.iter().map(String::as_str).collect();
    let mut suggested = BTreeSet::new();
    for (f, field) in record.fields.iter().enumerate() {
        if columns.get(f).is_some_and(Option::is_some) {
            continue;
        }
        if field.optional {
            // An optional column may be left out, but one that is merely misspelt would leave
            // every rule that reads it undetermined: say which column it may be.
            if let Some(c) = closest(&field.name, unused.iter()) {
                suggested.insert(c.to_owned());
                sink.always(absent_hint(field, c, sink.file()).line(line));
            }
            continue;
        }
        complete = false;
        let help = match closest(&field.name, unused.iter()) {
            Some(c) => {
                suggested.insert(c.to_owned());
                format!(
                    "did you mean {}? rename the column to `{}`; the file is skipped until then",
                    quote(c),
                    field.name
                )
            }
            None if columns.iter().all(Option::is_none) => format!(
                "the first line must be a header naming the columns {}; the file is skipped",
                field_list(record)
            ),
            None => format!(
                "add a column `{0}`, or give the export's name for it in the policy (`{0} (\"Its Name\"): ...` in `record {1}`); the file is skipped until then",
                field.name, record.name
            ),
        };
        sink.skip_file(
            DataError::new(
                DataErrorKind::Column,
                sink.file(),
                format!("missing required column `{}`", field.name),
            )
            .line(line)
            .column(field.name.clone())
            .help(help),
        );
    }
    // Columns already named in a "did you mean" are not repeated as extra.
    let mut names: Vec<&str> = extra
        .iter()
        .filter(|c| !suggested.contains(*c))
        .map(String::as_str)
        .collect();
    if !names.is_empty() {
        names.sort_by_key(|n| (n.to_lowercase(), *n));
        sink.always(
            DataError::new(
                DataErrorKind::Column,
                sink.file(),
                extra_message("column", &names, &record.name),
            )
            .line(line)
            .help(format!(
                "`{}` has fields {}",
                record.name,
                field_list(record)
            ))
            .warning(),
        );
    }
    complete.then_some(ColumnMap { columns })
}

/// The warning that an optional field has no column while one of the file's extra columns has a
/// name close to it.
fn absent_hint(field: &crate::check::model::Field, close: &str, file: &str) -> DataError {
    DataError::new(
        DataErrorKind::Column,
        file,
        format!("no column `{}`", field.name),
    )
    .column(field.name.clone())
    .help(format!(
        "did you mean {}? rename it to `{}`; until then the column is not read, and rules that read `{}` are undetermined",
        quote(close),
        field.name,
        field.name
    ))
    .warning()
}

/// For YAML and JSON: a "did you mean" for each optional field (in `absent`) that no item has
/// a key for while an unknown key is close to its name.
pub(crate) fn absent_optional(
    record: &Record,
    absent: &[usize],
    extra: &[&str],
    line: Option<u64>,
    sink: &mut Capped<'_>,
) {
    for &f in absent {
        let Some(field) = record.fields.get(FieldId(f)).filter(|f| f.optional) else {
            continue;
        };
        if let Some(c) = closest(&field.name, extra.iter()) {
            let e = absent_hint(field, c, sink.file());
            sink.always(match line {
                Some(l) => e.line(l),
                None => e,
            });
        }
    }
}

/// `extra columns `a` and `b` are not fields of `student` and are ignored`, names as given.
pub(crate) fn extra_message(what: &str, names: &[&str], record: &str) -> String {
    let mut names = names.to_vec();
    names.sort_by_key(|n| (n.to_lowercase(), *n));
    if let [one] = names.as_slice() {
        format!(
            "extra {what} {} is not a field of `{record}` and is ignored",
            quote(one)
        )
    } else {
        format!(
            "extra {what}s {} are not fields of `{record}` and are ignored",
            list(&names)
        )
    }
}

/// `a`, `b` and `c`: the record's fields, for help lines.
pub(crate) fn field_list(record: &Record) -> String {
    let names: Vec<&str> = record.fields.iter().map(|f| f.name.as_str()).collect();
    list(&names)
}
