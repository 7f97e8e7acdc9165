//! What every format hands the loader: rows of cells in schema field order, each with its place.

use std::fmt;
use std::path::Path;

use crate::check::model::Record;

use super::cell::Cell;
use super::error::Capped;
use super::tree::Node;
use super::{Format, csv, tree};

/// Where a row is in its file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Pos {
    /// A CSV line, 1-based, the header being line 1.
    Line(u64),
    /// A YAML or JSON item: its 0-based index in the file's list, as in `[3].date`.
    Item(u64),
}

impl Pos {
    /// The number people count rows by: the CSV line, or the item's 1-based position.
    pub fn number(self) -> u64 {
        match self {
            Pos::Line(n) => n,
            Pos::Item(i) => i.saturating_add(1),
        }
    }

    /// `line 12`, `[3]`, or with a field `[3].date` (a CSV column is named separately).
    pub fn location(self, field: Option<&str>) -> Location {
        match self {
            Pos::Line(line) => Location::Line { line, column: None },
            Pos::Item(index) => Location::Item {
                index,
                field: field.map(str::to_owned),
            },
        }
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.location(None).fmt(f)
    }
}

/// Where in a data file a row, a cell or an error is: a line, or a place in a YAML/JSON tree.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Location {
    /// A line, 1-based (a CSV file's header is line 1); a YAML or JSON syntax error also has its
    /// column. Written `line 12`, `line 4, column 2`.
    Line { line: u64, column: Option<u64> },
    /// An item of a YAML or JSON file's list (0-based), or one of its fields: `[3]`, `[3].date`.
    Item { index: u64, field: Option<String> },
}

impl Location {
    /// A line, without a column.
    pub fn line(line: u64) -> Location {
        Location::Line { line, column: None }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line { line, column: None } => write!(f, "line {line}"),
            Location::Line {
                line,
                column: Some(c),
            } => write!(f, "line {line}, column {c}"),
            Location::Item { index, field: None } => write!(f, "[{index}]"),
            Location::Item {
                index,
                field: Some(name),
            } => write!(f, "[{index}].{name}"),
        }
    }
}

/// Locations order as their text does (`line 10` before `line 9`), as they did when they were
/// text: which of two rows dated alike a finding cites must not change.
impl Ord for Location {
    fn cmp(&self, other: &Location) -> std::cmp::Ordering {
        self.to_string().cmp(&other.to_string())
    }
}

impl PartialOrd for Location {
    fn partial_cmp(&self, other: &Location) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Reports write a location as its text.
impl serde::Serialize for Location {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A CSV record's values: value `i` is `data[bounds[i].0..bounds[i].1]`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fields<'a> {
    pub data: &'a [u8],
    pub bounds: &'a [(usize, usize)],
}

impl<'a> Fields<'a> {
    /// Value `i`'s bytes.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        let &(start, end) = self.bounds.get(i)?;
        self.data.get(start..end)
    }

    /// How many values the record has.
    #[inline]
    pub fn len(&self) -> usize {
        self.bounds.len()
    }
}

/// One row's cells, in whatever form its format keeps them.
pub(crate) enum Cells<'a> {
    /// A CSV record and, per field, its column.
    Csv {
        record: Fields<'a>,
        columns: &'a [Option<usize>],
        /// The file's header cells, trimmed.
        header: &'a [String],
    },
    /// A YAML/JSON mapping's values, per field.
    Tree(&'a [Option<&'a Node>]),
    /// Cells kept from an earlier read (entity rows).
    Owned(&'a [OwnedCell]),
}

impl Cells<'_> {
    #[inline]
    pub fn get(&self, field: usize) -> Cell<'_> {
        match self {
            Cells::Csv {
                record, columns, ..
            } => {
                match columns
                    .get(field)
                    .copied()
                    .flatten()
                    .and_then(|c| record.get(c))
                {
                    None => Cell::Missing,
                    Some(bytes) => match std::str::from_utf8(bytes) {
                        Ok(s) => Cell::Text(s),
                        Err(_) => Cell::Recoded(super::encoding::windows_1252(bytes)),
                    },
                }
            }
            Cells::Tree(nodes) => match nodes.get(field).copied().flatten() {
                None => Cell::Missing,
                Some(node) => node.cell(),
            },
            Cells::Owned(cells) => cells.get(field).map_or(Cell::Missing, OwnedCell::cell),
        }
    }

    /// A CSV cell's bytes, unchecked; `None` for other formats and absent columns.
    #[inline]
    pub fn raw(&self, field: usize) -> Option<&[u8]> {
        match self {
            Cells::Csv {
                record, columns, ..
            } => record.get(columns.get(field).copied().flatten()?),
            _ => None,
        }
    }

    /// Whether a CSV row repeats the file's header (exports pasted one after another): its
    /// cells are the header's, in any case.
    pub fn repeats_header(&self) -> bool {
        match self {
            Cells::Csv { record, header, .. } => {
                record.len() == header.len()
                    && header.iter().enumerate().all(|(i, h)| {
                        record.get(i).is_some_and(|cell| {
                            cell.trim_ascii().eq_ignore_ascii_case(h.as_bytes())
                        })
                    })
            }
            _ => false,
        }
    }

    /// A copy of every cell, to convert later.
    pub fn to_owned_cells(&self, n: usize) -> Vec<OwnedCell> {
        (0..n).map(|i| OwnedCell::from_cell(self.get(i))).collect()
    }
}

/// A [`Cell`] that owns its text.
#[derive(Clone, Debug)]
pub(crate) enum OwnedCell {
    Missing,
    Text(String),
    List(Vec<String>),
    Other(&'static str),
    Recoded(String),
}

impl OwnedCell {
    fn from_cell(c: Cell<'_>) -> OwnedCell {
        match c {
            Cell::Missing => OwnedCell::Missing,
            Cell::Text(t) => OwnedCell::Text(t.to_owned()),
            Cell::List(items) => OwnedCell::List(items.into_iter().map(str::to_owned).collect()),
            Cell::Other(what) => OwnedCell::Other(what),
            Cell::Recoded(t) => OwnedCell::Recoded(t),
        }
    }

    pub fn cell(&self) -> Cell<'_> {
        match self {
            OwnedCell::Missing => Cell::Missing,
            OwnedCell::Text(t) => Cell::Text(t),
            OwnedCell::List(items) => Cell::List(items.iter().map(String::as_str).collect()),
            OwnedCell::Other(what) => Cell::Other(what),
            OwnedCell::Recoded(t) => Cell::Recoded(t.clone()),
        }
    }
}

/// Reads every row of one file of any format; the digest of the bytes read, when the file was
/// read through.
pub(crate) fn read(
    path: &Path,
    format: Format,
    record: &Record,
    sink: &mut Capped<'_>,
    visit: impl FnMut(&mut Capped<'_>, Pos, &Cells<'_>),
) -> Option<super::Digest> {
    match format {
        Format::Csv => csv::read(path, record, sink, visit),
        Format::Json | Format::Yaml => tree::read(path, format, record, sink, visit),
    }
}

/// An I/O error as a lowercase message without the OS error number.
pub(crate) fn io_message(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => "no such file".into(),
        ErrorKind::PermissionDenied => "permission denied".into(),
        ErrorKind::IsADirectory => "it is a folder".into(),
        ErrorKind::InvalidData => "the file is not valid UTF-8 text".into(),
        _ => {
            let s = e.to_string();
            let s = s.split(" (os error").next().unwrap_or(&s).to_owned();
            let mut c = s.chars();
            match c.next() {
                Some(first) => first.to_lowercase().chain(c).collect(),
                None => s,
            }
        }
    }
}
