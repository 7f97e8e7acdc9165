//! Stage 3: data files → typed rows, checked against the policy's input schema.
//!
//! ```text
//! inputs ──► discover ──► DataSet ──► load_entities ──► Entities (schools: small, loaded whole)
//!                            │                              │
//!                            └──────────► stream ◄──────────┘  (other records: row by row,
//!                                           │                    only the wanted fields parsed)
//!                                           ▼
//!                                     FnMut(&Row) per valid row
//! ```
//!
//! Formats: CSV (streamed with one reused byte record), YAML and JSON (small, loaded whole, a list
//! of records). Every problem is a [`DataError`] naming file, line or path, and column; a bad row
//! is skipped and reported, and the run goes on. At most [`ERRORS_PER_COLUMN`] errors are reported
//! per file and column, then one summary. A private field's value never appears in a message.
//!
//! | module | concern |
//! |---|---|
//! | `discover` | inputs → which file holds which record |
//! | `entities` | keyed records loaded whole, ids interned |
//! | `rows` | rows of cells in field order, from any format |
//! | `csv` | CSV reading: BOM, binary check, header, ragged rows |
//! | `tree`, `json`, `yaml` | YAML/JSON → a small tree → rows |
//! | `columns` | header names and keys → fields |
//! | `value` | cell text → typed value |
//! | `error` | [`DataError`] and the per-column limit |

mod columns;
mod csv;
mod discover;
mod entities;
mod error;
mod json;
mod rows;
mod tree;
mod value;
mod yaml;

use std::path::Path;

use crate::check::model::{RecordId, Schema, Value};

pub use discover::{DataSet, discover};
pub use entities::{Entities, load_entities};
pub use error::{DataError, DataErrorKind, DataSeverity, ERRORS_PER_COLUMN};
pub use rows::Pos;
pub use tree::Node;

/// Parses a YAML document (policy test files) into a tree; YAML is read only inside this module.
pub fn parse_yaml(text: &str) -> Result<Node, String> {
    yaml::parse(text).map_err(|p| match (p.line, p.column) {
        (Some(l), Some(c)) => format!("{} (line {l}, column {c})", p.message),
        _ => p.message,
    })
}

use error::{Capped, then};
use value::RecordParser;

/// The format of a data file, from its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    Csv,
    Yaml,
    Json,
}

impl Format {
    /// `.csv`, `.yaml`/`.yml`, `.json`, in any case.
    pub fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Format::Csv),
            "yaml" | "yml" => Some(Format::Yaml),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// A row handed to the caller. `values` follow the schema's field order; fields not requested
/// and missing optional fields are [`Value::Null`].
#[derive(Clone, Copy, Debug)]
pub struct Row<'a> {
    pub values: &'a [Value],
    pub file: &'a Path,
    /// The CSV line (the header is line 1), or the YAML/JSON item's 1-based position in its list.
    pub line: u64,
    /// The row's place, telling a CSV line from a YAML/JSON item.
    pub pos: Pos,
}

impl Row<'_> {
    /// `line 12` for CSV, `[11]` for YAML and JSON, as in error locations.
    pub fn location(&self) -> String {
        self.pos.location(None)
    }
}

/// Streams every row of one record type (all its files, in order) without holding a CSV file in
/// memory, calling `f` per valid row. Only the fields with `wanted[i] == true` are parsed and
/// checked (the others are [`Value::Null`]): a row is valid when its wanted fields are. An invalid
/// row is reported and skipped.
pub fn stream(
    schema: &Schema,
    record: RecordId,
    data: &DataSet,
    entities: &Entities,
    wanted: &[bool],
    errors: &mut Vec<DataError>,
    f: impl FnMut(&Row<'_>),
) {
    stream_with_skips(schema, record, data, entities, wanted, errors, f, |_| {});
}

/// [`stream`], also telling `skipped` about every row skipped for a data error: the entity the
/// row belongs to (its first reference field) when that field itself was readable, so the caller
/// can mark that entity's results as uncertain.
#[expect(
    clippy::too_many_arguments,
    reason = "stream's arguments plus one callback"
)]
pub fn stream_with_skips(
    schema: &Schema,
    record: RecordId,
    data: &DataSet,
    entities: &Entities,
    wanted: &[bool],
    errors: &mut Vec<DataError>,
    mut f: impl FnMut(&Row<'_>),
    mut skipped: impl FnMut(Option<(RecordId, u32)>),
) {
    let Some(rec) = schema.record(record) else {
        return;
    };
    let owner = rec.owner().map(|(i, _)| i);
    let mut parser = RecordParser::new(schema, rec);
    let fields: Vec<(usize, &str)> = rec
        .fields
        .iter()
        .enumerate()
        .filter(|(i, _)| wanted.get(*i).copied().unwrap_or(false))
        .map(|(i, fd)| (i, fd.name.as_str()))
        .collect();
    let mut values = vec![Value::Null; rec.fields.len()];
    for path in data.files_of(record) {
        let Some(format) = Format::of(path) else {
            continue;
        };
        let mut sink = Capped::new(path.display().to_string(), errors);
        rows::read(path, format, rec, &mut sink, |sink, pos, cells| {
            let mut good = true;
            let mut owner_ok = true;
            for &(i, name) in &fields {
                let Some(slot) = values.get_mut(i) else {
                    continue;
                };
                if let Some(raw) = cells.raw(i)
                    && parser.exact(i, raw, slot)
                {
                    continue;
                }
                if let Err(problem) = parser.cell_into(i, cells.get(i), entities, slot) {
                    good = false;
                    if Some(i) == owner {
                        owner_ok = false;
                    }
                    sink.report(Some(name), |file| {
                        let at = match pos {
                            Pos::Line(_) => pos.location(None),
                            Pos::Item(_) => pos.location(Some(name)),
                        };
                        DataError::new(problem.kind, file, problem.message)
                            .at(at)
                            .column(name)
                            .help(then(&problem.help, "the row is skipped"))
                    });
                }
            }
            if good {
                f(&Row {
                    values: &values,
                    file: path,
                    line: pos.number(),
                    pos,
                });
            } else {
                let who = match owner.and_then(|o| values.get(o)) {
                    Some(Value::Ref(r, ix)) if owner_ok => Some((*r, *ix)),
                    _ => None,
                };
                skipped(who);
            }
        });
        sink.finish();
    }
}
