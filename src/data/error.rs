//! Data errors: what is wrong in a data file, where, and how to fix it. Also the capped reporter
//! that keeps a garbage file from producing millions of diagnostics.

use std::fmt;

use thiserror::Error;

use super::cell::Lenient;
use super::rows::Location;
use crate::codes::Code;

/// How serious a data problem is. Errors skip a row (or a file); warnings only inform.
use crate::check::model::Severity;

/// What kind of problem a [`DataError`] is; it gives the diagnostic code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DataErrorKind {
    /// A file or folder that cannot be read, is empty, binary, or not valid JSON/YAML.
    File,
    /// A file whose name does not match a record type.
    FileName,
    /// A missing, extra or repeated column (or key).
    Column,
    /// A row that cannot be read as a whole: ragged, not a mapping, duplicate or missing key.
    Row,
    /// A value that does not fit its field's type.
    Value,
    /// An id that does not match any loaded entity.
    Reference,
    /// The summary of errors left out after the per-column limit.
    Limit,
}

impl DataErrorKind {
    pub fn code(self) -> &'static str {
        match self {
            DataErrorKind::File => Code::DataFile,
            DataErrorKind::FileName => Code::DataFileName,
            DataErrorKind::Column => Code::DataColumn,
            DataErrorKind::Row => Code::DataRow,
            DataErrorKind::Value => Code::DataValue,
            DataErrorKind::Reference => Code::DataReference,
            DataErrorKind::Limit => Code::DataLimit,
        }
        .as_str()
    }
}

/// A problem in the data: the file, where in it (CSV: `line 12`, counting the header as line 1;
/// YAML/JSON: a path such as `[3].date`), the column or field, and what was expected.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("{}", headline(.file, .location.as_ref(), .column.as_deref(), .message))]
pub struct DataError {
    pub file: String,
    pub location: Option<Location>,
    pub column: Option<String>,
    pub message: String,
    pub help: Option<String>,
    pub severity: Severity,
    pub kind: DataErrorKind,
}

/// `data/student.csv, line 3, column `date`: message`; a YAML/JSON path already names the field.
fn headline(
    file: &str,
    location: Option<&Location>,
    column: Option<&str>,
    message: &str,
) -> String {
    let mut out = String::from(file);
    let is_path = matches!(location, Some(Location::Item { .. }));
    if let Some(l) = location {
        if is_path {
            out.push_str(&format!(" at `{l}`"));
        } else {
            out.push_str(&format!(", {l}"));
        }
    }
    if let Some(c) = column.filter(|_| !is_path) {
        out.push_str(&format!(", column `{c}`"));
    }
    out.push_str(": ");
    out.push_str(message);
    // File names, columns and YAML keys come from the data: no control character goes out raw.
    crate::escape::one_line(&out).into_owned()
}

impl miette::Diagnostic for DataError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.kind.code()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity.into())
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(crate::escape::lines(h)) as Box<dyn fmt::Display + 'a>)
    }
}

impl DataError {
    pub fn new(kind: DataErrorKind, file: impl Into<String>, message: impl Into<String>) -> Self {
        DataError {
            file: file.into(),
            location: None,
            column: None,
            message: message.into(),
            help: None,
            severity: Severity::Error,
            kind,
        }
    }

    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    pub fn line(self, line: u64) -> Self {
        self.at(Location::line(line))
    }

    pub fn column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The longest piece of user text quoted in a message.
const QUOTE_LIMIT: usize = 40;

/// User text in backticks, cut to a readable length, control characters escaped.
pub(crate) fn quote(text: &str) -> String {
    let mut out = String::from("`");
    for (i, c) in text.chars().enumerate() {
        if i == QUOTE_LIMIT {
            out.push('…');
            break;
        }
        match c {
            '`' => out.push('\''),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out.push('`');
    out
}

/// A value as shown in a message: quoted, or `***` for a private field (whose message then ends
/// with [`HIDDEN`]).
pub(crate) fn shown(text: &str, private: bool) -> String {
    if private { "`***`".into() } else { quote(text) }
}

/// The end of a message about a private field's value.
pub(crate) const HIDDEN: &str = " (value hidden: private field)";

/// `a`, `b` and `c`.
pub(crate) fn list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| quote(s)).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// How many errors one file may report for one column before they are summarised.
pub const ERRORS_PER_COLUMN: usize = 20;

/// The tag of the note that a file repeats its header ([`Capped::once`]).
pub(crate) const REPEATED_HEADER: &str = "repeated header";

/// The note that a file repeats its header (exports pasted together): where first.
pub(crate) fn repeated_header(file: &str, pos: super::rows::Pos) -> DataError {
    DataError::new(
        DataErrorKind::Row,
        file,
        "the header is repeated here (exports pasted together?); lines that repeat it are skipped",
    )
    .at(pos.location(None))
    .help("nothing to fix unless the data below it belongs to another file")
    .warning()
}

/// The note, once per file, that its cells were read leniently ([`Lenient`]): where first.
pub(crate) fn lenient(kind: Lenient, file: &str, at: Location, column: Option<&str>) -> DataError {
    let (message, help) = match kind {
        Lenient::Recoded => (
            "the file is not UTF-8 text: values that are not were read as Windows-1252, as Excel saves \"CSV\"",
            "check the accented letters in the findings, or save the file as \"CSV UTF-8\" to be sure",
        ),
        Lenient::NullMarker => (
            "cells saying `NULL`, `N/A` or `None` are read as no value in this file",
            "fine where nothing was recorded; check the export if such a cell should have held a value",
        ),
        Lenient::TimeZone => (
            "date-times with a time zone (`Z`, `+02:00`) are read as the date written, not converted to local time",
            "export local dates (or dates without times) if a time late in the day could fall on the next day in UTC",
        ),
    };
    let e = DataError::new(DataErrorKind::Value, file, message)
        .at(at)
        .help(help)
        .warning();
    match column {
        Some(c) => e.column(c),
        None => e,
    }
}

/// The tag under which a kind of lenient reading is noted once per file.
pub(crate) fn lenient_tag(kind: Lenient) -> &'static str {
    match kind {
        Lenient::Recoded => "windows-1252",
        Lenient::NullMarker => "null marker",
        Lenient::TimeZone => "time zone",
    }
}

/// Reports one file's errors, at most [`ERRORS_PER_COLUMN`] per column (row-level errors count as
/// one column), then one summary per column on [`Capped::finish`]. Errors are built lazily, so
/// the ones left out cost nothing.
pub(crate) struct Capped<'e> {
    file: String,
    errors: &'e mut Vec<DataError>,
    counts: Vec<(Option<String>, usize)>,
    /// For a part of a file read apart from the rest: per error pushed, the column it counts
    /// against (`None` inside for row errors), or `None` for an error that is never capped.
    keys: Option<Vec<Option<Option<String>>>>,
    /// The tags of the notes made once per file ([`Capped::once`]), with, for a part, the
    /// index of each note among the errors pushed.
    noted: Vec<(&'static str, usize)>,
    /// What was read of the file, for the evaluator to know which outcomes rest on it.
    read: FileOutcome,
}

/// What was read of one data file: whether it was read to its end, and which fields it has no
/// column (or key) for. Outcomes that depend on what was not read are undetermined.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileOutcome {
    /// Why the file (or its rest) was not read, when it was not read whole: the first error
    /// that stopped it.
    pub skipped: Option<String>,
    /// The fields of the record no column (or key) of the file holds, in field order.
    pub absent: Vec<usize>,
    /// Rows read without error.
    pub rows: u64,
}

/// Where a [`Capped`] stood, to go back to ([`Capped::rewind`]) when what was reported since is
/// to be read again another way.
pub(crate) struct Mark {
    errors: usize,
    counts: Vec<(Option<String>, usize)>,
    keys: Option<usize>,
    noted: Vec<(&'static str, usize)>,
    read: FileOutcome,
}

/// How a part of a file counted its errors, to add them to the whole file's [`Capped`].
pub(crate) struct PartTally {
    counts: Vec<(Option<String>, usize)>,
    keys: Vec<Option<Option<String>>>,
    noted: Vec<(&'static str, usize)>,
    read: FileOutcome,
}

impl<'e> Capped<'e> {
    pub fn new(file: String, errors: &'e mut Vec<DataError>) -> Self {
        Capped {
            file,
            errors,
            counts: Vec::new(),
            keys: None,
            noted: Vec::new(),
            read: FileOutcome::default(),
        }
    }

    /// Where the sink stands now.
    pub fn mark(&self) -> Mark {
        Mark {
            errors: self.errors.len(),
            counts: self.counts.clone(),
            keys: self.keys.as_ref().map(Vec::len),
            noted: self.noted.clone(),
            read: self.read.clone(),
        }
    }

    /// Forgets what was reported since `mark`, as if it had never been.
    pub fn rewind(&mut self, mark: Mark) {
        self.errors.truncate(mark.errors);
        self.counts = mark.counts;
        if let (Some(keys), Some(n)) = (&mut self.keys, mark.keys) {
            keys.truncate(n);
        }
        self.noted = mark.noted;
        self.read = mark.read;
    }

    /// A sink for one part of a file (rows read on another thread): it keeps what
    /// [`Capped::absorb`] needs to cap the parts together exactly as one reading would.
    pub fn part(file: String, errors: &'e mut Vec<DataError>) -> Self {
        Capped {
            file,
            errors,
            counts: Vec::new(),
            keys: Some(Vec::new()),
            noted: Vec::new(),
            read: FileOutcome::default(),
        }
    }

    /// Ends a part's sink (made by [`Capped::part`]); its errors are in the vector it was given.
    pub fn into_part(self) -> PartTally {
        PartTally {
            counts: self.counts,
            keys: self.keys.unwrap_or_default(),
            noted: self.noted,
            read: self.read,
        }
    }

    /// Adds a part's errors after the ones reported so far: per column, errors are kept while
    /// the file's count is under the limit, and every one counts, as if the rows had been read
    /// here.
    pub fn absorb(&mut self, errors: Vec<DataError>, part: PartTally) {
        if self.read.skipped.is_none() {
            self.read.skipped = part.read.skipped;
        }
        self.read.rows += part.read.rows;
        let mut seen: Vec<(Option<String>, usize)> = Vec::new();
        for (i, (e, key)) in errors.into_iter().zip(part.keys).enumerate() {
            if let Some(&(tag, _)) = part.noted.iter().find(|(_, at)| *at == i) {
                self.once(tag, |_| e);
                continue;
            }
            let Some(column) = key else {
                self.always(e);
                continue;
            };
            let slot = self.slot(column.as_deref());
            if let Some((_, n)) = self.counts.get_mut(slot) {
                if *n < ERRORS_PER_COLUMN {
                    self.errors.push(e);
                }
                *n += 1;
            }
            match seen.iter_mut().find(|(c, _)| *c == column) {
                Some((_, k)) => *k += 1,
                None => seen.push((column, 1)),
            }
        }
        for (column, n) in part.counts {
            let pushed = seen
                .iter()
                .find(|(c, _)| *c == column)
                .map_or(0, |(_, k)| *k);
            let slot = self.slot(column.as_deref());
            if let Some((_, total)) = self.counts.get_mut(slot) {
                *total += n.saturating_sub(pushed);
            }
        }
    }

    fn slot(&mut self, column: Option<&str>) -> usize {
        match self.counts.iter().position(|(c, _)| c.as_deref() == column) {
            Some(i) => i,
            None => {
                self.counts.push((column.map(str::to_owned), 0));
                self.counts.len() - 1
            }
        }
    }

    pub fn file(&self) -> &str {
        &self.file
    }

    /// Reports an error unless its column has reached the limit.
    pub fn report(&mut self, column: Option<&str>, make: impl FnOnce(&str) -> DataError) {
        let slot = self.slot(column);
        let Some((_, n)) = self.counts.get_mut(slot) else {
            return;
        };
        *n += 1;
        if *n <= ERRORS_PER_COLUMN {
            let e = make(&self.file);
            self.errors.push(e);
            if let Some(keys) = &mut self.keys {
                keys.push(Some(column.map(str::to_owned)));
            }
        }
    }

    /// Reports something at most once per file, however many rows show it: the first time
    /// `tag` is noted (the first of a file's parts, in file order, for a file read in parts).
    pub fn once(&mut self, tag: &'static str, make: impl FnOnce(&str) -> DataError) {
        if self.noted.iter().any(|(t, _)| *t == tag) {
            return;
        }
        let e = make(&self.file);
        self.noted.push((tag, self.errors.len()));
        self.always(e);
    }

    /// Reports a problem that stops the file from being read (further): the rows it holds, or
    /// the rest of them, are not read, and outcomes that depend on them are undetermined.
    pub fn skip_file(&mut self, e: DataError) {
        if self.read.skipped.is_none() {
            self.read.skipped = Some(e.message.clone());
        }
        self.always(e);
    }

    /// Notes the fields no column of the file holds.
    pub fn absent(&mut self, fields: Vec<usize>) {
        self.read.absent = fields;
    }

    /// Counts a row read without error.
    #[inline]
    pub fn row_read(&mut self) {
        self.read.rows += 1;
    }

    /// Reports an error that is never capped (file-level problems, one per file).
    pub fn always(&mut self, e: DataError) {
        self.errors.push(e);
        if let Some(keys) = &mut self.keys {
            keys.push(None);
        }
    }

    /// Adds one summary per column that went over the limit, in column order; returns what was
    /// read of the file.
    pub fn finish(mut self) -> FileOutcome {
        self.counts.sort();
        for (column, n) in self.counts {
            if n <= ERRORS_PER_COLUMN {
                continue;
            }
            let more = n - ERRORS_PER_COLUMN;
            let (message, help) = match &column {
                Some(c) => (
                    format!(
                        "and {more} more {} in column {}",
                        plural(more, "error", "errors"),
                        quote(c)
                    ),
                    "fix the errors above first; the same fix often clears the rest",
                ),
                None => (
                    format!(
                        "and {more} more {}",
                        plural(more, "row error", "row errors")
                    ),
                    "fix the errors above first; the same fix often clears the rest",
                ),
            };
            let mut e = DataError::new(DataErrorKind::Limit, self.file.clone(), message).help(help);
            e.column = column;
            self.errors.push(e);
        }
        self.read
    }
}

/// A help line with a consequence added: `fix it; the row is skipped`.
pub(crate) fn then(help: &str, consequence: &str) -> String {
    if help.is_empty() {
        consequence.to_owned()
    } else if help.ends_with('?') {
        format!("{help} {consequence}")
    } else {
        format!("{help}; {consequence}")
    }
}

pub(crate) fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
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
    fn headline_forms() {
        let e = DataError::new(DataErrorKind::Value, "a.csv", "bad")
            .line(3)
            .column("date");
        assert_eq!(e.to_string(), "a.csv, line 3, column `date`: bad");
        let e = DataError::new(DataErrorKind::Value, "a.json", "bad")
            .at(Location::Item {
                index: 3,
                field: Some("date".into()),
            })
            .column("date");
        assert_eq!(e.to_string(), "a.json at `[3].date`: bad");
        let e = DataError::new(DataErrorKind::File, "a.json", "empty");
        assert_eq!(e.to_string(), "a.json: empty");
    }

    #[test]
    fn quotes_are_bounded_and_escaped() {
        assert_eq!(quote("a`b\n"), "`a'b\\n`");
        let long = "x".repeat(100);
        assert_eq!(quote(&long).chars().count(), QUOTE_LIMIT + 3);
        assert_eq!(list(&["a", "b", "c"]), "`a`, `b` and `c`");
        assert_eq!(shown("Maria", true), "`***`");
    }

    #[test]
    fn caps_per_column() {
        let mut errors = Vec::new();
        let mut sink = Capped::new("f.csv".into(), &mut errors);
        for i in 0..100 {
            sink.report(Some("date"), |f| {
                DataError::new(DataErrorKind::Value, f, format!("bad {i}"))
            });
        }
        sink.report(None, |f| DataError::new(DataErrorKind::Row, f, "ragged"));
        sink.finish();
        assert_eq!(errors.len(), ERRORS_PER_COLUMN + 2);
        let last = errors.last().map(|e| e.message.clone());
        assert_eq!(last.as_deref(), Some("and 80 more errors in column `date`"));
    }

    /// Errors reported in parts and absorbed in order are capped as if reported in one go.
    #[test]
    fn parts_cap_as_one() {
        let report = |sink: &mut Capped<'_>, i: usize| {
            let column = if i.is_multiple_of(3) {
                None
            } else {
                Some("date")
            };
            sink.report(column, |f| {
                DataError::new(DataErrorKind::Value, f, format!("bad {i}"))
            });
            if i == 7 {
                sink.always(DataError::new(DataErrorKind::File, "f.csv", "once"));
            }
            // Noted at rows 4, 40 and 90: only row 4's note is kept, however the file is cut.
            if i % 45 == 4 || i == 40 {
                sink.once("note", |f| {
                    DataError::new(DataErrorKind::Value, f, format!("note {i}")).warning()
                });
            }
        };
        let mut one = Vec::new();
        let mut sink = Capped::new("f.csv".into(), &mut one);
        for i in 0..100 {
            report(&mut sink, i);
        }
        sink.finish();
        assert_eq!(
            one.iter().filter(|e| e.message.starts_with("note")).count(),
            1
        );
        for cuts in [
            vec![0, 5, 100],
            vec![0, 41, 100],
            vec![0, 30, 31, 100],
            vec![0, 1, 2, 60, 100],
        ] {
            let mut all = Vec::new();
            let mut sink = Capped::new("f.csv".into(), &mut all);
            for w in cuts.windows(2) {
                let mut part = Vec::new();
                let mut p = Capped::part("f.csv".into(), &mut part);
                for i in w[0]..w[1] {
                    report(&mut p, i);
                }
                let tally = p.into_part();
                sink.absorb(part, tally);
            }
            sink.finish();
            assert_eq!(one, all, "cut at {cuts:?}");
        }
        // Parts absorbed, then forgotten (the file read in one go instead): as if never told.
        let mut again = Vec::new();
        let mut sink = Capped::new("f.csv".into(), &mut again);
        report(&mut sink, 0);
        let mark = sink.mark();
        let mut part = Vec::new();
        let mut p = Capped::part("f.csv".into(), &mut part);
        for i in 1..60 {
            report(&mut p, i);
        }
        let tally = p.into_part();
        sink.absorb(part, tally);
        sink.rewind(mark);
        for i in 1..100 {
            report(&mut sink, i);
        }
        sink.finish();
        assert_eq!(one, again);
    }
}
