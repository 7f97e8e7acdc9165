//! YAML and JSON files: small, so loaded whole into a [`Node`] tree, then read as a list of
//! records. Locations are paths such as `[3].date`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::check::model::Record;

use super::Format;
use super::cell::Cell;
use super::columns::{Naming, extra_message, field_list, field_of};
use super::error::{Capped, DataError, DataErrorKind};
use super::rows::{Cells, Location, Pos, io_message};

/// A parsed YAML or JSON value. Numbers keep their text so they convert exactly.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Number(String),
    Str(String),
    List(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl Node {
    pub(crate) fn cell(&self) -> Cell<'_> {
        match self {
            Node::Null => Cell::Missing,
            Node::Bool(true) => Cell::Text("true"),
            Node::Bool(false) => Cell::Text("false"),
            Node::Number(s) | Node::Str(s) => Cell::Text(s),
            Node::List(items) => {
                let mut texts = Vec::with_capacity(items.len());
                for item in items {
                    match item.cell() {
                        Cell::Text(t) => texts.push(t),
                        Cell::Missing => {}
                        _ => return Cell::Other("a nested list"),
                    }
                }
                Cell::List(texts)
            }
            Node::Map(_) => Cell::Other("a mapping"),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Node::Null => "nothing",
            Node::Bool(_) => "true or false",
            Node::Number(_) => "a number",
            Node::Str(_) => "text",
            Node::List(_) => "a list",
            Node::Map(_) => "a mapping",
        }
    }
}

/// A JSON or YAML document that does not parse, with the place when the parser knows it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", match (.line, .column) {
    (Some(l), Some(c)) => format!("{} (line {l}, column {c})", .message),
    _ => .message.clone(),
})]
pub struct ParseError {
    pub message: String,
    pub line: Option<u64>,
    pub column: Option<u64>,
}

/// Drops the " at line 3 column 5" that serde puts into its messages; the place is reported
/// separately.
pub(crate) fn strip_position(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find(" at line ") {
        let (before, after) = rest.split_at(at);
        out.push_str(before);
        let tail = after.trim_start_matches(" at line ");
        let tail = tail.trim_start_matches(|c: char| c.is_ascii_digit());
        let tail = match tail.strip_prefix(" column ") {
            Some(t) => t.trim_start_matches(|c: char| c.is_ascii_digit()),
            None => tail,
        };
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// Reads every record of a YAML or JSON file.
pub(crate) fn read(
    path: &Path,
    format: Format,
    record: &Record,
    sink: &mut Capped<'_>,
    visit: impl FnMut(&mut Capped<'_>, Pos, &Cells<'_>),
) -> Option<super::Digest> {
    let lang = match format {
        Format::Json => "JSON",
        _ => "YAML",
    };
    let bytes = match crate::safe_fs::read_data(path, crate::limits::TREE_BYTES) {
        Ok(b) => b,
        Err(crate::safe_fs::ReadError::Io(e)) => {
            sink.skip_file(
                DataError::new(
                    DataErrorKind::File,
                    sink.file(),
                    format!("cannot read the file: {}", io_message(&e)),
                )
                .help("check the path and the file's permissions"),
            );
            return None;
        }
        Err(crate::safe_fs::ReadError::TooLarge(limit)) => {
            sink.skip_file(
                DataError::new(
                    DataErrorKind::File,
                    sink.file(),
                    format!(
                        "the file is larger than {}, the most a {lang} file may hold",
                        crate::limits::bytes(limit)
                    ),
                )
                .help("export it as CSV: a CSV file is read row by row and has no size limit"),
            );
            return None;
        }
    };
    let mut hasher = super::digest::Hasher::default();
    hasher.update(&bytes);
    rows_of(&bytes, format, record, sink, visit);
    Some(hasher.finish())
}

/// The rows of a YAML or JSON file's bytes.
fn rows_of(
    bytes: &[u8],
    format: Format,
    record: &Record,
    sink: &mut Capped<'_>,
    mut visit: impl FnMut(&mut Capped<'_>, Pos, &Cells<'_>),
) {
    let (lang, example) = match format {
        Format::Json => ("JSON", "`[{\"field\": \"value\"}, ...]`"),
        _ => ("YAML", "a `- field: value` item per record"),
    };
    let file_error = |sink: &mut Capped<'_>, message: String, help: String| {
        sink.skip_file(DataError::new(DataErrorKind::File, sink.file(), message).help(help));
    };
    if bytes.contains(&0) {
        file_error(
            sink,
            "the file is not text: it holds binary data".into(),
            format!("export the data as {lang} text (UTF-8)"),
        );
        return;
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        file_error(
            sink,
            "the file is not valid UTF-8 text".into(),
            "save the file as UTF-8".into(),
        );
        return;
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let empty = || format!("write a list of `{}` records, as {example}", record.name);
    if text.trim().is_empty() {
        file_error(sink, "the file is empty".into(), empty());
        return;
    }
    let parsed = match format {
        Format::Json => super::json::parse(text),
        _ => super::yaml::parse(text),
    };
    let root = match parsed {
        Ok(n) => n,
        Err(p) => {
            let mut e = DataError::new(DataErrorKind::File, sink.file(), p.message)
                .help(format!("fix the {lang} syntax at this place"));
            if let Some(line) = p.line {
                e = e.at(Location::Line {
                    line,
                    column: p.column,
                });
            }
            sink.skip_file(e);
            return;
        }
    };
    let items = match &root {
        Node::List(items) => items,
        Node::Map(entries) => {
            let lists: Vec<&Vec<Node>> = entries
                .iter()
                .filter_map(|(_, v)| match v {
                    Node::List(items) => Some(items),
                    _ => None,
                })
                .collect();
            match lists.as_slice() {
                [items] => *items,
                _ => {
                    let found = if lists.is_empty() {
                        "a mapping without a list".to_string()
                    } else {
                        format!("a mapping with {} lists", lists.len())
                    };
                    file_error(
                        sink,
                        format!(
                            "expected a list of `{}` records, found {found}",
                            record.name
                        ),
                        format!(
                            "write a list of records, as {example}, or a mapping with exactly one list"
                        ),
                    );
                    return;
                }
            }
        }
        Node::Null => {
            file_error(sink, "the file is empty".into(), empty());
            return;
        }
        other => {
            file_error(
                sink,
                format!(
                    "expected a list of `{}` records, found {}",
                    record.name,
                    other.kind()
                ),
                empty(),
            );
            return;
        }
    };
    let mut keys: BTreeMap<&str, Option<(usize, Naming)>> = BTreeMap::new();
    let mut unknown: BTreeSet<&str> = BTreeSet::new();
    let mut cells: Vec<Option<&Node>> = vec![None; record.fields.len()];
    // Per field, whether any item has a key for it: a field none has is not in the file.
    let mut seen = vec![false; record.fields.len()];
    for (i, item) in items.iter().enumerate() {
        let pos = Pos::Item(i as u64);
        let Node::Map(entries) = item else {
            sink.report(None, |file| {
                DataError::new(
                    DataErrorKind::Row,
                    file,
                    format!(
                        "expected a record of `{}` (field names and values), found {}",
                        record.name,
                        item.kind()
                    ),
                )
                .at(pos.location(None))
                .help(format!(
                    "each item is a mapping with fields {}; the item is skipped",
                    field_list(record)
                ))
            });
            continue;
        };
        cells.iter_mut().for_each(|c| *c = None);
        // Keys with a field's own name first, then the other names (see `field_of`).
        for pass in [Naming::Exact, Naming::Alias] {
            for (key, value) in entries {
                let field = *keys
                    .entry(key.as_str())
                    .or_insert_with(|| field_of(record, key));
                match field {
                    Some((f, how)) if how == pass => match cells.get_mut(f) {
                        Some(slot) if slot.is_none() => {
                            *slot = Some(value);
                            if let Some(seen) = seen.get_mut(f) {
                                *seen = true;
                            }
                        }
                        // Another name for a field already given: extra, as in CSV.
                        _ if how == Naming::Alias => {
                            unknown.insert(key.as_str());
                        }
                        _ => {}
                    },
                    Some(_) => {}
                    None if pass == Naming::Exact => {
                        unknown.insert(key.as_str());
                    }
                    None => {}
                }
            }
        }
        visit(sink, pos, &Cells::Tree(&cells));
    }
    if !items.is_empty() {
        let absent: Vec<usize> = seen
            .iter()
            .enumerate()
            .filter(|(_, s)| !**s)
            .map(|(f, _)| f)
            .collect();
        let extra: Vec<&str> = unknown.iter().copied().collect();
        super::columns::absent_optional(record, &absent, &extra, None, sink);
        sink.absent(absent);
    }
    if !unknown.is_empty() {
        let names: Vec<&str> = unknown.into_iter().collect();
        sink.always(
            DataError::new(
                DataErrorKind::Column,
                sink.file(),
                extra_message("field", &names, &record.name),
            )
            .help(format!(
                "`{}` has fields {}",
                record.name,
                field_list(record)
            ))
            .warning(),
        );
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_stripped() {
        assert_eq!(
            strip_position("expected `,` or `]` at line 3 column 5"),
            "expected `,` or `]`"
        );
        assert_eq!(
            strip_position("did not find expected key at line 2 column 1, while parsing"),
            "did not find expected key, while parsing"
        );
    }

    #[test]
    fn json_and_yaml_give_the_same_tree() {
        let j = super::super::json::parse(r#"[{"a": 1, "b": "x", "c": [true, null]}]"#);
        let y = super::super::yaml::parse("- a: 1\n  b: x\n  c: [true, null]\n");
        assert_eq!(j.ok(), y.ok());
    }
}
