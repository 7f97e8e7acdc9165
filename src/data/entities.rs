//! Entities: the keyed records (schools), loaded whole. Their ids are interned so that other
//! records refer to them by index.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::check::model::{FieldId, RecordId, Schema, Value};

use super::cell::{Cell, Lenient, RecordParser, is_null_marker, trim};
use super::error::{
    Capped, DataError, DataErrorKind, REPEATED_HEADER, lenient, lenient_tag, repeated_header,
    shown, then,
};
use super::rows::{self, Cells, OwnedCell, Pos};
use super::{DataSet, Format};

/// The rows of every entity record, with their ids. Other records' reference fields hold an
/// index into these lists ([`Value::Ref`]).
#[derive(Clone, Debug, Default)]
pub struct Entities {
    /// Per record, by [`RecordId`]; empty for records that are not entities.
    tables: Vec<Table>,
}

#[derive(Clone, Debug, Default)]
struct Table {
    rows: Vec<Vec<Value>>,
    ids: Vec<String>,
    index: HashMap<String, u32>,
    /// Per row: its file (in `files`) and place.
    places: Vec<(usize, Pos)>,
    files: Vec<PathBuf>,
    /// Ids whose rows had errors, with where the row is, so references to them say so.
    rejected: HashMap<String, String>,
}

impl Table {
    fn place(&self, idx: usize) -> String {
        match self.places.get(idx) {
            Some((f, pos)) => place_text(self.files.get(*f).map(PathBuf::as_path), *pos),
            None => "an earlier row".into(),
        }
    }
}

fn place_text(file: Option<&Path>, pos: Pos) -> String {
    let file = file.map(|f| f.display().to_string()).unwrap_or_default();
    match pos {
        Pos::Line(n) => format!("line {n} of `{file}`"),
        Pos::Item(_) => format!("`{}` of `{file}`", pos.location(None)),
    }
}

impl Entities {
    fn table(&self, record: RecordId) -> Option<&Table> {
        self.tables.get(record.0)
    }

    /// The index of the entity with this id.
    pub fn index(&self, record: RecordId, id: &str) -> Option<u32> {
        self.table(record)?.index.get(id).copied()
    }

    /// The id of the entity at an index.
    pub fn id(&self, record: RecordId, idx: u32) -> Option<&str> {
        self.table(record)?
            .ids
            .get(idx as usize)
            .map(String::as_str)
    }

    /// Every id, in index order.
    pub fn ids(&self, record: RecordId) -> &[String] {
        self.table(record).map_or(&[], |t| t.ids.as_slice())
    }

    /// Every row, in index order; values follow the schema's field order.
    pub fn rows(&self, record: RecordId) -> &[Vec<Value>] {
        self.table(record).map_or(&[], |t| t.rows.as_slice())
    }

    pub fn row(&self, record: RecordId, idx: u32) -> Option<&[Value]> {
        self.table(record)?
            .rows
            .get(idx as usize)
            .map(Vec::as_slice)
    }

    /// The number of entities loaded.
    pub fn len(&self, record: RecordId) -> usize {
        self.table(record).map_or(0, |t| t.rows.len())
    }

    pub fn is_empty(&self, record: RecordId) -> bool {
        self.len(record) == 0
    }

    /// The file an entity came from and its row number there (the CSV line, or the item's
    /// 1-based position in a YAML/JSON list; see [`Entities::row_pos`]).
    pub fn row_location(&self, record: RecordId, idx: u32) -> Option<(&Path, u64)> {
        self.row_pos(record, idx).map(|(f, p)| (f, p.number()))
    }

    /// The file an entity came from and its place there.
    pub fn row_pos(&self, record: RecordId, idx: u32) -> Option<(&Path, Pos)> {
        let t = self.table(record)?;
        let (f, pos) = t.places.get(idx as usize)?;
        Some((t.files.get(*f)?.as_path(), *pos))
    }

    /// Where the row of an id that was not loaded because of errors is (`line 4 of `schools.csv``).
    pub(crate) fn rejected(&self, record: RecordId, id: &str) -> Option<&str> {
        self.table(record)?.rejected.get(id).map(String::as_str)
    }

    /// Entities of `record` with these ids and empty rows, and ids `rejected` whose rows had
    /// errors: what unit tests resolve references against.
    #[cfg(test)]
    pub(crate) fn of_ids(record: RecordId, ids: &[&str], rejected: &[&str]) -> Entities {
        let mut tables = vec![Table::default(); record.0 + 1];
        if let Some(t) = tables.get_mut(record.0) {
            for (i, id) in ids.iter().enumerate() {
                t.rows.push(Vec::new());
                t.ids.push(id.to_string());
                t.index.insert(id.to_string(), i as u32);
            }
            for id in rejected {
                t.rejected
                    .insert(id.to_string(), "line 2 of `schools.csv`".into());
            }
        }
        Entities { tables }
    }
}

/// A row read in the first pass, converted once every id is known.
struct Pending {
    record: RecordId,
    idx: u32,
    file: usize,
    cells: Vec<OwnedCell>,
}

/// Loads every entity record of the data set. Rows without an id or with a repeated id are
/// skipped; rows with an invalid value are skipped too, and references to them (from entities
/// here, from other records in [`super::stream`]) say which row to fix. Entities may refer to
/// each other in any order.
pub fn load_entities(
    schema: &Schema,
    data: &DataSet,
    errors: &mut Vec<DataError>,
    reads: &mut Vec<super::FileRead>,
) -> Entities {
    let mut ents = Entities {
        tables: vec![Table::default(); schema.records.len()],
    };
    let mut pending: Vec<Pending> = Vec::new();

    // Pass 1: read the rows, intern the ids.
    for (rid, record) in schema.entities() {
        let Some(key) = record.key else { continue };
        let Some(table) = ents.tables.get_mut(rid.0) else {
            continue;
        };
        let key_name = record.fields.get(key).map_or("id", |f| f.name.as_str());
        let key_private = record.fields.get(key).is_some_and(|f| f.private);
        for path in data.files_of(rid) {
            let Some(format) = Format::of(path) else {
                continue;
            };
            let file = table.files.len();
            table.files.push(path.to_path_buf());
            let mut sink = Capped::new(path.display().to_string(), errors);
            let digest = rows::read(path, format, record, &mut sink, |sink, pos, cells| {
                let cell = cells.get(key.0);
                // An id of `NULL` or `N/A` is no id (the row is reported as missing one).
                let id = match &cell {
                    Cell::Text(t) if !trim(t).is_empty() && !is_null_marker(trim(t)) => trim(t),
                    Cell::Recoded(t) if !trim(t).is_empty() => {
                        sink.once(lenient_tag(Lenient::Recoded), |f| {
                            lenient(
                                Lenient::Recoded,
                                f,
                                pos.location(Some(key_name)),
                                Some(key_name),
                            )
                        });
                        trim(t)
                    }
                    _ => {
                        sink.report(Some(key_name), |f| {
                            DataError::new(
                                DataErrorKind::Row,
                                f,
                                format!(
                                    "missing `{key_name}`, which identifies the `{}`",
                                    record.name
                                ),
                            )
                            .at(pos.location(Some(key_name)))
                            .column(key_name)
                            .help(format!("fill in `{key_name}`; the row is skipped"))
                        });
                        return;
                    }
                };
                if cells.repeats_header() {
                    sink.once(REPEATED_HEADER, |f| repeated_header(f, pos));
                    return;
                }
                if let Some(&first) = table.index.get(id) {
                    let first = table.place(first as usize);
                    sink.report(Some(key_name), |f| {
                        DataError::new(
                            DataErrorKind::Row,
                            f,
                            format!("repeated `{}` id {}", record.name, shown(id, key_private)),
                        )
                        .at(pos.location(Some(key_name)))
                        .column(key_name)
                        .help(format!("the first is at {first}; this row is skipped"))
                    });
                    return;
                }
                let idx = u32::try_from(table.ids.len()).unwrap_or(u32::MAX);
                table.index.insert(id.to_owned(), idx);
                table.ids.push(id.to_owned());
                table.places.push((file, pos));
                pending.push(Pending {
                    record: rid,
                    idx,
                    file,
                    cells: cells.to_owned_cells(record.fields.len()),
                });
                sink.row_read();
            });
            reads.push(super::FileRead {
                record: rid,
                path: path.to_path_buf(),
                outcome: sink.finish(),
                digest,
            });
        }
    }

    // Pass 2: convert every value, now that references can resolve.
    let mut converted: Vec<Vec<Option<Vec<Value>>>> = ents
        .tables
        .iter()
        .map(|t| vec![None; t.ids.len()])
        .collect();
    let mut parsers: Vec<Option<RecordParser>> = vec![None; schema.records.len()];
    for group in pending.chunk_by(|a, b| a.record == b.record && a.file == b.file) {
        let Some(first) = group.first() else { continue };
        let Some(record) = schema.record(first.record) else {
            continue;
        };
        let Some(table) = ents.tables.get(first.record.0) else {
            continue;
        };
        let Some(slot) = parsers.get_mut(first.record.0) else {
            continue;
        };
        let parser = slot.get_or_insert_with(|| RecordParser::new(schema, record));
        let name = table.files.get(first.file).map(|f| f.display().to_string());
        let mut sink = Capped::new(name.unwrap_or_default(), errors);
        for p in group {
            let pos = table
                .places
                .get(p.idx as usize)
                .map_or(Pos::Line(0), |(_, pos)| *pos);
            let cells = Cells::Owned(&p.cells);
            let mut values = Vec::with_capacity(record.fields.len());
            let mut good = true;
            for (i, field) in record.fields.iter().enumerate() {
                match parser.cell(i, cells.get(i), &ents) {
                    Ok(v) => values.push(v),
                    Err(problem) => {
                        good = false;
                        values.push(Value::Null);
                        sink.report(Some(&field.name), |f| {
                            DataError::new(problem.kind, f, problem.message)
                                .at(pos.location(Some(&field.name)))
                                .column(field.name.clone())
                                .help(then(
                                    &problem.help,
                                    &format!("the `{}` row is skipped", record.name),
                                ))
                        });
                    }
                }
            }
            if parser.has_notes() {
                super::note_lenient(parser, &mut sink, pos);
            }
            if good
                && let Some(slot) = converted
                    .get_mut(p.record.0)
                    .and_then(|rows| rows.get_mut(p.idx as usize))
            {
                *slot = Some(values);
            }
        }
        sink.finish();
    }

    // Pass 3: an entity that refers to a skipped entity is skipped too, until nothing changes.
    loop {
        let mut dropped = Vec::new();
        for (r, rows) in converted.iter().enumerate() {
            for (idx, row) in rows.iter().enumerate() {
                let Some(values) = row else { continue };
                let bad = values.iter().enumerate().find(|(_, v)| match v {
                    Value::Ref(t, j) => !converted
                        .get(t.0)
                        .and_then(|rows| rows.get(*j as usize))
                        .is_some_and(Option::is_some),
                    _ => false,
                });
                if let Some((field, Value::Ref(t, j))) = bad {
                    dropped.push((r, idx, field, *t, *j));
                }
            }
        }
        if dropped.is_empty() {
            break;
        }
        for (r, idx, field, t, j) in dropped {
            if let Some(slot) = converted.get_mut(r).and_then(|rows| rows.get_mut(idx)) {
                *slot = None;
            }
            let (Some(table), Some(target), Some(record), Some(target_record)) = (
                ents.tables.get(r),
                ents.tables.get(t.0),
                schema.records.get(RecordId(r)),
                schema.records.get(t),
            ) else {
                continue;
            };
            let field_name = record
                .fields
                .get(FieldId(field))
                .map_or("", |f| f.name.as_str());
            let Some((file, pos)) = table.places.get(idx) else {
                continue;
            };
            let id = target.ids.get(j as usize).map_or("", String::as_str);
            errors.push(
                DataError::new(
                    DataErrorKind::Reference,
                    table
                        .files
                        .get(*file)
                        .map(|f| f.display().to_string())
                        .unwrap_or_default(),
                    format!("`{}` `{id}` has errors in its own row", target_record.name),
                )
                .at(pos.location(Some(field_name)))
                .column(field_name)
                .help(format!(
                    "fix the `{}` row at {}; this `{}` row is skipped until then",
                    target_record.name,
                    target.place(j as usize),
                    record.name
                )),
            );
        }
    }

    // Keep the good rows, renumbered.
    let renumber: Vec<Vec<Option<u32>>> = converted
        .iter()
        .map(|rows| {
            let mut next = 0u32;
            rows.iter()
                .map(|row| {
                    row.as_ref().map(|_| {
                        next += 1;
                        next - 1
                    })
                })
                .collect()
        })
        .collect();
    // Per table: whether every row loaded, so that its indices are unchanged.
    let whole: Vec<bool> = converted
        .iter()
        .map(|rows| rows.iter().all(Option::is_some))
        .collect();
    let mut tables = Vec::with_capacity(ents.tables.len());
    for ((old, rows), all) in ents.tables.into_iter().zip(converted).zip(&whole) {
        // The common case: every row of this table loaded, and so did every row of the tables
        // its references point to; ids, index and places stay as they are.
        if *all
            && rows.iter().flatten().flatten().all(|v| match v {
                Value::Ref(target, _) => whole.get(target.0).copied().unwrap_or(false),
                _ => true,
            })
        {
            tables.push(Table {
                rows: rows.into_iter().flatten().collect(),
                ..old
            });
            continue;
        }
        let mut t = Table {
            files: old.files.clone(),
            ..Table::default()
        };
        for (idx, row) in rows.into_iter().enumerate() {
            let (Some(id), Some(place)) = (old.ids.get(idx), old.places.get(idx)) else {
                continue;
            };
            let Some(mut values) = row else {
                t.rejected.insert(id.clone(), old.place(idx));
                continue;
            };
            for v in &mut values {
                if let Value::Ref(target, j) = v
                    && let Some(Some(n)) = renumber.get(target.0).and_then(|m| m.get(*j as usize))
                {
                    *j = *n;
                }
            }
            let new = u32::try_from(t.rows.len()).unwrap_or(u32::MAX);
            t.index.insert(id.clone(), new);
            t.ids.push(id.clone());
            t.places.push(*place);
            t.rows.push(values);
        }
        tables.push(t);
    }
    Entities { tables }
}
