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
//! Formats: CSV (streamed line by line; a large file in parts on threads, see [`stream_parts`]),
//! YAML and JSON (small, loaded whole, a list of records). Every problem is a [`DataError`]
//! naming file, line or path, and column; a bad row is skipped and reported, and the run goes on.
//! At most [`ERRORS_PER_COLUMN`] errors are reported per file and column, then one summary. A
//! private field's value never appears in a message.
//!
//! | module | concern |
//! |---|---|
//! | `discover` | inputs → which file holds which record |
//! | `entities` | keyed records loaded whole, ids interned |
//! | `rows` | rows of cells in field order, from any format |
//! | `csv` | CSV reading: BOM, binary check, header, ragged rows, parts |
//! | `parts` | a large CSV file read through once, digested, and parsed in parts on threads |
//! | `lines` | CSV records line by line: split in place, or by `csv_core` when quoted |
//! | `digest` | the size and SHA-256 of the bytes read |
//! | `tree`, `json`, `yaml` | YAML/JSON → a small tree → rows |
//! | `columns` | header names and keys → fields |
//! | `cell` | cell text → typed value: dates, numbers, enums, and the fast paths |
//! | `encoding` | Windows-1252 cells → text |
//! | `error` | [`DataError`] and the per-column limit |

mod cell;
mod columns;
mod csv;
mod digest;
mod discover;
mod encoding;
mod entities;
mod error;
mod json;
mod lines;
mod parts;
mod rows;
mod tree;
mod yaml;

use std::path::Path;

use crate::check::model::{RecordId, Schema, Value};

pub use digest::{Digest, digest_file, sha256_hex};
pub use discover::{DataSet, discover};
pub use entities::{Entities, load_entities};
pub use error::{DataError, DataErrorKind, ERRORS_PER_COLUMN, FileOutcome};
pub use parts::PART_BYTES;
pub use rows::{Location, Pos};
pub use tree::{Node, ParseError};

/// Parses a YAML document (policy test files) into a tree; YAML is read only inside this module.
pub fn parse_yaml(text: &str) -> Result<Node, ParseError> {
    yaml::parse(text)
}

/// Exact decimal text (`2`, `0.1`, `.5`) as a ratio, for command-line options: `None` when it is
/// not one.
pub fn parse_decimal(text: &str) -> Option<crate::check::model::Ratio> {
    cell::decimal(cell::trim(text))
}

/// A date that does not read as one, and what to write instead.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}; {help}")]
pub struct DateError {
    pub message: String,
    pub help: String,
}

/// A date as data files may write it (see the README's table: `1/31/2024`, `2024-01-31`,
/// `Jan 31, 2024`, ...), for command-line options; the error says what to write instead.
pub fn parse_date(text: &str) -> Result<chrono::NaiveDate, DateError> {
    cell::date(cell::trim(text), false).map_err(|p| DateError {
        message: p.message,
        help: p.help,
    })
}

use cell::RecordParser;
use error::{Capped, then};

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

/// What was read of one data file of a record (see [`FileOutcome`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRead {
    pub record: RecordId,
    pub path: std::path::PathBuf,
    pub outcome: FileOutcome,
    /// The size and SHA-256 of the bytes read, taken as they were read; `None` when the file
    /// was not read through (a report then digests it apart).
    pub digest: Option<Digest>,
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
    pub fn location(&self) -> Location {
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
    let mut decoder = Decoder::new(schema, rec, wanted);
    for path in data.files_of(record) {
        let Some(format) = Format::of(path) else {
            continue;
        };
        let mut sink = Capped::new(path.display().to_string(), errors);
        rows::read(path, format, rec, &mut sink, |sink, pos, cells| {
            if let Some(who) = decoder.row(entities, path, sink, pos, cells, &mut f) {
                skipped(who);
            }
        });
        sink.finish();
    }
}

/// The smallest CSV file [`stream_parts`] splits by default: below it, threads cost more than
/// they save.
pub const SPLIT_AT_BYTES: u64 = 4 << 20;

/// How [`stream_parts`] reads large CSV files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Split {
    /// Threads reading a large file's parts (a reader thread hands them over).
    pub threads: usize,
    /// The smallest file read in parts.
    pub min_bytes: u64,
    /// The smallest part a file is cut into.
    pub min_part_bytes: u64,
}

/// Parts per thread a large file is cut into. The threads take the parts one after another, so
/// that a thread slowed by other work on its core reads fewer of them instead of holding up the
/// others at the end.
pub const PARTS_PER_THREAD: usize = 8;

/// The smallest part worth a thread's taking by default: 1 MiB, a few thousand rows.
pub const PART_MIN_BYTES: u64 = 1 << 20;

impl Split {
    /// `threads` threads for files of at least [`SPLIT_AT_BYTES`].
    pub fn threads(threads: usize) -> Split {
        Split {
            threads,
            min_bytes: SPLIT_AT_BYTES,
            min_part_bytes: PART_MIN_BYTES,
        }
    }

    /// The size of the parts a file of `bytes` is cut into: [`PARTS_PER_THREAD`] per thread,
    /// none larger than [`PART_BYTES`] (up to `2 x threads + 4` parts are held in memory at
    /// once) nor smaller than `min_part_bytes`.
    fn part_bytes(self, bytes: u64) -> u64 {
        let parts = self.threads.max(1).saturating_mul(PARTS_PER_THREAD) as u64;
        (bytes / parts)
            .min(PART_BYTES)
            .max(self.min_part_bytes)
            .max(1)
    }
}

/// Like [`stream`], but a large CSV file (see [`Split`]) is read in parts on `split.threads`
/// threads, while one more thread reads the file through, once, in order, digesting it and
/// handing the parts over (see `parts.rs`). Rows go to `f` with a state: every part has its own,
/// made by `init`, and `merge` adds a later part's state to an earlier one's, in data order, so
/// that the state returned holds what one state fed by [`stream`] would. Rows, line numbers and
/// errors (capped per column as [`stream`] caps them) are the same as [`stream`]'s. Each file
/// read is pushed to `reads`, with the digest of the bytes read.
///
/// A large file is cut into parts of at most [`PART_BYTES`] (and about [`PARTS_PER_THREAD`] per
/// thread for a smaller one), which the threads take in turn; a thread that finds no part left
/// calls `idle` until it returns false (other work, such as reading the small files, so that no
/// thread waits for the last part). A part starts just after a line break, which must end a
/// row: when it falls inside a quoted value instead, the part before is read again joined to it
/// (and, if that still ends inside quotes, to the end of the file).
#[allow(
    clippy::too_many_arguments,
    reason = "stream's arguments, the split and state, and the other work"
)]
pub fn stream_parts<S: Send>(
    schema: &Schema,
    record: RecordId,
    data: &DataSet,
    entities: &Entities,
    wanted: &[bool],
    errors: &mut Vec<DataError>,
    reads: &mut Vec<FileRead>,
    split: Split,
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &Row<'_>) + Sync,
    skip: impl Fn(&mut S, Option<(RecordId, u32)>) + Sync,
    merge: impl Fn(&mut S, S) + Sync,
    idle: &(dyn Fn() -> bool + Sync),
) -> S {
    let mut all: Option<S> = None;
    let mut add = |st: S| match &mut all {
        Some(all) => merge(all, st),
        None => all = Some(st),
    };
    let Some(rec) = schema.record(record) else {
        return init();
    };
    let decoder = Decoder::new(schema, rec, wanted);
    let done = |sink: Capped<'_>, path: &Path, digest, reads: &mut Vec<FileRead>| {
        reads.push(FileRead {
            record,
            path: path.to_path_buf(),
            outcome: sink.finish(),
            digest,
        })
    };
    for path in data.files_of(record) {
        let Some(format) = Format::of(path) else {
            continue;
        };
        let mut sink = Capped::new(path.display().to_string(), errors);
        let len = std::fs::metadata(path).ok().map(|m| m.len());
        let large = len.is_some_and(|l| l >= split.min_bytes);
        // One pass over the file on this thread, digesting it as it goes.
        let in_one = |sink: &mut Capped<'_>, pass: OnePass<'_>| {
            let mut decoder = decoder.clone();
            let mut state = init();
            let visit = |sink: &mut Capped<'_>, pos: rows::Pos, cells: &rows::Cells<'_>| {
                if let Some(who) = decoder.row(entities, path, sink, pos, cells, &mut |row| {
                    f(&mut state, row)
                }) {
                    skip(&mut state, who);
                }
            };
            let digest = match pass {
                OnePass::Whole => rows::read(path, format, rec, sink, visit),
                OnePass::Rows(opened) => opened.rows(sink, visit),
            };
            (state, digest)
        };
        if format != Format::Csv || !large {
            let (state, digest) = in_one(&mut sink, OnePass::Whole);
            add(state);
            done(sink, path, digest, reads);
            continue;
        }
        let Some(mut opened) = csv::open(path, rec, &mut sink) else {
            done(sink, path, None, reads);
            continue;
        };
        let mark = sink.mark();
        let parts = if opened.splittable() {
            parts::read_parts(
                &opened,
                split.part_bytes(len.unwrap_or(0)),
                split.threads,
                &decoder,
                entities,
                path,
                &mut sink,
                &init,
                &f,
                &skip,
                &merge,
                idle,
            )
        } else {
            None
        };
        let digest = match parts {
            Some(parts) => {
                add(parts.state);
                Some(parts.digest)
            }
            None => {
                // Read in one go instead: what the parts reported is forgotten.
                sink.rewind(mark);
                let (state, digest) = in_one(&mut sink, OnePass::Rows(&mut opened));
                add(state);
                digest
            }
        };
        done(sink, path, digest, reads);
    }
    all.unwrap_or_else(init)
}

/// How [`stream_parts`] reads a file in one pass: whole, or (a CSV file whose header is read)
/// its rows.
enum OnePass<'o> {
    Whole,
    Rows(&'o mut csv::Opened),
}

/// Notes, once per file, the cells of the row just parsed that were read leniently (see
/// [`cell::Lenient`]), at the first field of each kind.
#[cold]
fn note_lenient(parser: &mut RecordParser, sink: &mut Capped<'_>, pos: Pos) {
    for (kind, column) in parser.take_notes() {
        sink.once(error::lenient_tag(kind), |file| {
            error::lenient(kind, file, pos.location(Some(&column)), Some(&column))
        });
    }
}

/// Turns a row's cells into values, reusing one buffer: only the wanted fields are parsed.
#[derive(Clone)]
struct Decoder<'s> {
    parser: RecordParser,
    fields: Vec<(usize, &'s str)>,
    values: Vec<Value>,
    /// The field linking a row to its entity, to say whose row was skipped.
    owner: Option<usize>,
}

impl<'s> Decoder<'s> {
    fn new(schema: &Schema, rec: &'s crate::check::model::Record, wanted: &[bool]) -> Self {
        Decoder {
            parser: RecordParser::new(schema, rec),
            fields: rec
                .fields
                .iter()
                .enumerate()
                .filter(|(i, _)| wanted.get(*i).copied().unwrap_or(false))
                .map(|(i, fd)| (i, fd.name.as_str()))
                .collect(),
            values: vec![Value::Null; rec.fields.len()],
            owner: rec.owner().map(|(i, _)| i.0),
        }
    }

    /// Decodes one row and hands it to `f` when its wanted fields are valid; reports the others
    /// and returns, for a skipped row, the entity it belongs to when that is known.
    #[inline]
    fn row(
        &mut self,
        entities: &Entities,
        path: &Path,
        sink: &mut Capped<'_>,
        pos: Pos,
        cells: &rows::Cells<'_>,
        f: &mut impl FnMut(&Row<'_>),
    ) -> Option<Option<(RecordId, u32)>> {
        let mut good = true;
        let mut owner_ok = true;
        let mut owner_unknown = false;
        for &(i, name) in &self.fields {
            let Some(slot) = self.values.get_mut(i) else {
                continue;
            };
            if let Some(raw) = cells.raw(i)
                && self.parser.exact(i, raw, slot)
            {
                continue;
            }
            if let Err(problem) = self.parser.cell_into(i, cells.get(i), entities, slot) {
                if good && cells.repeats_header() {
                    sink.once(error::REPEATED_HEADER, |file| {
                        error::repeated_header(file, pos)
                    });
                    self.parser.take_notes();
                    return None;
                }
                good = false;
                if Some(i) == self.owner {
                    owner_ok = false;
                    // An id the data does not hold, not a cell that holds no id at all (empty,
                    // `NULL`, a spreadsheet error such as `#N/A`).
                    owner_unknown = problem.kind == DataErrorKind::Reference
                        && match cells.get(i) {
                            cell::Cell::Text(t) => {
                                let t = cell::trim(t);
                                !t.is_empty() && !t.starts_with('#') && !cell::is_null_marker(t)
                            }
                            _ => false,
                        };
                }
                sink.report(Some(name), |file| {
                    DataError::new(problem.kind, file, problem.message)
                        .at(pos.location(Some(name)))
                        .column(name)
                        .help(then(&problem.help, "the row is skipped"))
                });
            }
        }
        if self.parser.has_notes() {
            note_lenient(&mut self.parser, sink, pos);
        }
        if good {
            sink.row_read();
            f(&Row {
                values: &self.values,
                file: path,
                line: pos.number(),
                pos,
            });
            return None;
        }
        // A row naming an entity the data does not hold belongs to none of those checked; one
        // whose owner cannot be read at all could belong to any (`Some(None)`).
        if !owner_ok && owner_unknown {
            return None;
        }
        Some(match self.owner.and_then(|o| self.values.get(o)) {
            Some(Value::Ref(r, ix)) if owner_ok => Some((*r, *ix)),
            _ => None,
        })
    }
}
