//! Cell text → [`Value`](crate::check::model::Value), per field type. One parser per record,
//! shared by every format: CSV hands it cell text, YAML and JSON hand it scalars as text (and
//! lists for set fields).
//!
//! | module | concern |
//! |---|---|
//! | `parser` | [`RecordParser`]: one record's fields, the general path and its caches |
//! | `fast` | the byte-level fast paths ([`RecordParser::exact`], plain dates and scalars) |
//! | `date` | dates as exports write them, school years, durations |
//! | `number` | whole numbers, exact decimals, percentages, booleans, ratios |
//! | `enums` | enum values and sets, in any case and spacing |

mod date;
mod enums;
mod fast;
mod number;
mod parser;

use super::error::DataErrorKind;

pub(crate) use date::date;
pub(crate) use enums::{normalize, normalized};
pub(crate) use number::decimal;
pub(crate) use parser::RecordParser;

/// What is wrong with one cell; the caller adds file, location and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CellError {
    pub kind: DataErrorKind,
    pub message: String,
    pub help: String,
}

impl CellError {
    fn value(message: String, help: impl Into<String>) -> CellError {
        CellError {
            kind: DataErrorKind::Value,
            message,
            help: help.into(),
        }
    }
}

/// One cell as a format hands it over.
#[derive(Clone, Debug)]
pub(crate) enum Cell<'a> {
    /// No column or key for the field, an empty cell, or a null.
    Missing,
    Text(&'a str),
    /// A YAML or JSON list of scalars.
    List(Vec<&'a str>),
    /// Something that has no text form: a nested mapping or list of lists ("a mapping").
    Other(&'static str),
    /// A CSV cell whose bytes are not UTF-8, read as Windows-1252 (see
    /// [`windows_1252`](super::encoding::windows_1252)).
    Recoded(String),
}

/// A cell read leniently, which a file's reader notes once ([`super::error::lenient`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lenient {
    /// Not UTF-8: read as Windows-1252.
    Recoded,
    /// `NULL`, `N/A` or `None`: read as no value.
    NullMarker,
    /// A date-time with a time zone: the date as written, not converted.
    TimeZone,
}

/// What database and spreadsheet exports write in an empty cell; read as no value.
const NULL_MARKERS: [&str; 3] = ["null", "n/a", "none"];

/// Whether a cell holds one of [`NULL_MARKERS`].
pub(crate) fn is_null_marker(t: &str) -> bool {
    NULL_MARKERS.iter().any(|m| m.eq_ignore_ascii_case(t))
}

/// Trims spaces: ASCII quickly, and Unicode spaces (a no-break space from a spreadsheet) too.
pub(crate) fn trim(t: &str) -> &str {
    let t = t.trim_ascii();
    match (t.as_bytes().first(), t.as_bytes().last()) {
        (Some(a), Some(b)) if !a.is_ascii() || !b.is_ascii() => t.trim(),
        _ => t,
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
    fn enum_names_are_normalised() {
        assert_eq!(normalize(" Back-to-School "), "back_to_school");
        assert_eq!(normalize("Open  House"), "open_house");
        assert_eq!(normalize("open__house"), "open_house");
        assert_eq!(trim(" \u{a0}x y\r"), "x y");
        assert_eq!(trim("\t\u{3000}"), "");
    }
}
