//! CSV files, streamed: the header by the `csv` reader, rows line by line (see [`super::lines`]),
//! only the wanted cells decoded.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use ::csv::{ByteRecord, ReaderBuilder};

use crate::check::model::Record;

use super::cell::Lenient;
use super::columns::{looks_like_header, match_header, names_no_field};
use super::digest::{Digest, Hasher, Hashing};
use super::error::{Capped, DataError, DataErrorKind, lenient, lenient_tag};
use super::lines::{RecordEnd, Stop, records, records_in};
use super::rows::Location;
use super::rows::{Cells, Fields, Pos, io_message};

/// How much of a file is looked at to tell text from binary data.
const SNIFF: usize = 8192;
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads every row of a CSV file, calling `visit` with the row's cells in field order. File-level
/// problems (unreadable, empty, binary, bad header) are reported and end the file; ragged rows
/// are reported and skipped. The digest of the bytes read, when the file was read through.
pub(crate) fn read(
    path: &Path,
    record: &Record,
    sink: &mut Capped<'_>,
    visit: impl FnMut(&mut Capped<'_>, Pos, &Cells<'_>),
) -> Option<Digest> {
    open(path, record, sink)?.rows(sink, visit)
}

/// A CSV file whose header has been read and matched: its rows can be read in one go or in parts.
pub(crate) struct Opened {
    path: PathBuf,
    /// The reader, just after the header.
    reader: Option<::csv::Reader<File>>,
    /// The offset of the text after any BOM; other offsets are counted from it.
    start: u64,
    /// Whether `\n` ends records (else `\r` alone does, and line numbers are all 1).
    lf: bool,
    /// The length of the text after any BOM.
    stream_len: u64,
    ends_in_newline: bool,
    /// Per field, its column.
    columns: Vec<Option<usize>>,
    /// The header's cells, trimmed.
    headers: Vec<String>,
    width: usize,
    /// Where the first row after the header starts, and the line breaks before it.
    rows_at: u64,
    rows_base: u64,
}

/// Where to cut a file, in `seen` (the bytes from just before the guessed place): the index of a
/// line break that ends a non-empty line. A break between two whole lines without a `"` is
/// preferred, as one inside a quoted value has a quote on the line before it (the opening one) or
/// after it (the closing one) unless the value spans four lines or more; failing that, the first
/// break. A cut inside quotes is still found out while reading (see [`PartEnd::Misaligned`]).
pub(crate) fn cut(seen: &[u8]) -> Option<usize> {
    let breaks: Vec<usize> = seen
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(j, _)| j)
        .collect();
    let ends_line = |j: usize| j >= 1 && seen.get(j - 1).is_some_and(|p| *p != b'\n');
    let quoteless = |from: usize, to: usize| !seen.get(from..to).unwrap_or(&[]).contains(&b'"');
    let quiet = breaks.windows(3).find_map(|w| match *w {
        [a, j, b] if ends_line(j) && quoteless(a + 1, j) && quoteless(j + 1, b) => Some(j),
        _ => None,
    });
    quiet.or_else(|| breaks.iter().copied().find(|&j| ends_line(j)))
}

/// How reading a part of a file ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PartEnd {
    /// Every row up to the part's end (or the file's) was read.
    Done,
    /// The part's end is not where a row ends (it falls inside a quoted value, or the file
    /// changed): the part's rows are not the file's.
    Misaligned,
    /// The file could not be read further (reported).
    Failed,
}

/// Opens a CSV file and reads its header. File-level problems are reported and give `None`.
pub(crate) fn open(path: &Path, record: &Record, sink: &mut Capped<'_>) -> Option<Opened> {
    let file_error = |sink: &mut Capped<'_>, message: String, help: &str| {
        sink.skip_file(DataError::new(DataErrorKind::File, sink.file(), message).help(help));
    };
    let mut file = match crate::safe_fs::open_data(path) {
        Ok(f) => f,
        Err(e) => {
            file_error(
                sink,
                format!("cannot read the file: {}", io_message(&e)),
                "check the path and the file's permissions",
            );
            return None;
        }
    };
    let mut head = Vec::with_capacity(SNIFF);
    if let Err(e) = (&mut file).take(SNIFF as u64).read_to_end(&mut head) {
        file_error(
            sink,
            format!("cannot read the file: {}", io_message(&e)),
            "check the file's permissions",
        );
        return None;
    }
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        file_error(
            sink,
            "the file is UTF-16 text (as Excel saves \"Unicode Text\")".into(),
            "save it as \"CSV UTF-8 (Comma delimited)\"",
        );
        return None;
    }
    if head.contains(&0) || (std::str::from_utf8(&head).is_err() && mostly_not_text(&head)) {
        file_error(
            sink,
            "the file is not text: it holds binary data".into(),
            "export the data as CSV text (comma-separated, UTF-8)",
        );
        return None;
    }
    let start = if head.starts_with(BOM) { BOM.len() } else { 0 };
    // Only `\n` ends a record, so the reader's line count tells each record's line exactly (with
    // CRLF, `\r` would end a record and its `\n` would be counted with the next one). The `\r`
    // left at the end of a line is trimmed like other spaces. A file with old Mac line ends
    // (`\r` alone) is read with `\r` as the terminator; its line numbers are then all 1.
    let lf = head.contains(&b'\n') || !head.contains(&b'\r');
    let (stream_len, ends_in_newline) = match tail(&mut file) {
        Ok((len, last)) => (len.saturating_sub(start as u64), last == Some(b'\n')),
        Err(e) => {
            file_error(
                sink,
                format!("cannot read the file: {}", io_message(&e)),
                "check the file's permissions",
            );
            return None;
        }
    };
    if let Err(e) = file.seek(SeekFrom::Start(start as u64)) {
        file_error(
            sink,
            format!("cannot read the file: {}", io_message(&e)),
            "check the file's permissions",
        );
        return None;
    }
    let mut opened = Opened {
        path: path.to_path_buf(),
        reader: None,
        start: start as u64,
        lf,
        stream_len,
        ends_in_newline,
        columns: Vec::new(),
        headers: Vec::new(),
        width: 0,
        rows_at: 0,
        rows_base: 0,
    };
    let mut reader = opened.reader_for(file);
    let mut row = ByteRecord::new();
    let mut header = reader.read_byte_record(&mut row);
    while matches!(header, Ok(true)) && is_blank(&row) {
        header = reader.read_byte_record(&mut row);
    }
    match header {
        Ok(true) => {}
        Ok(false) => {
            file_error(
                sink,
                "the file is empty".into(),
                "a CSV file starts with a header line naming its columns",
            );
            return None;
        }
        Err(e) => {
            file_error(
                sink,
                format!("cannot read the file: {}", csv_message(&e)),
                "check that the file is CSV text",
            );
            return None;
        }
    }
    let mut header_line = header_line_of(&reader, &row, &opened);
    let (mut headers, mut recoded) = texts(&row);
    // Title lines above the header (a report's name, its date), as exported reports have: when
    // the first line names no field, the first of the next few lines that looks like a header
    // is the header. Without one, the first line is taken and its columns reported.
    if names_no_field(record, &headers) {
        for _ in 0..TITLE_LINES {
            if !matches!(reader.read_byte_record(&mut row), Ok(true)) {
                break;
            }
            if is_blank(&row) {
                continue;
            }
            let line = header_line_of(&reader, &row, &opened);
            let (found, found_recoded) = texts(&row);
            if !looks_like_header(record, &found) && separated(record, &found).is_none() {
                continue;
            }
            headers = found;
            recoded = found_recoded;
            header_line = line;
            let above = line.saturating_sub(1);
            sink.always(
                DataError::new(
                    DataErrorKind::File,
                    sink.file(),
                    format!(
                        "the header is on line {line}; the {} above it {} ignored",
                        if above == 1 {
                            "line".to_string()
                        } else {
                            format!("{above} lines")
                        },
                        if above == 1 { "is" } else { "are" }
                    ),
                )
                .line(line)
                .help("a CSV file usually starts with its header; nothing above it is read")
                .warning(),
            );
            break;
        }
    }
    // Still no cell names a field: the first line is data (the header was left out), or a
    // header in other words. Its cells are not quoted back: they may be a student's values.
    if names_no_field(record, &headers) && separated(record, &headers).is_none() {
        sink.skip_file(
            DataError::new(
                DataErrorKind::Column,
                sink.file(),
                format!(
                    "the first line looks like data, not a header: none of its {} cells names a field of `{}`",
                    headers.len(),
                    record.name
                ),
            )
            .line(header_line)
            .help(format!(
                "the first line must be a header naming the columns {}; the file is skipped",
                super::columns::field_list(record)
            )),
        );
        return None;
    }
    if recoded {
        sink.once(lenient_tag(Lenient::Recoded), |f| {
            lenient(Lenient::Recoded, f, Location::line(header_line), None)
        });
    }
    if let Some(name) = separated(record, &headers) {
        sink.skip_file(
            DataError::new(
                DataErrorKind::File,
                sink.file(),
                format!("the columns are separated by {name}, not commas"),
            )
            .line(header_line)
            .help("export the data as CSV, with a comma between values; the file is skipped"),
        );
        return None;
    }
    let map = match_header(record, &headers, header_line, sink)?;
    sink.absent(
        map.columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_none())
            .map(|(f, _)| f)
            .collect(),
    );
    opened.width = headers.len();
    opened.headers = headers.iter().map(|h| h.trim().to_owned()).collect();
    opened.columns = map.columns;
    opened.rows_at = reader.position().byte();
    opened.rows_base = reader.position().line().saturating_sub(1);
    opened.reader = Some(reader);
    Some(opened)
}

impl Opened {
    fn reader_for(&self, file: File) -> ::csv::Reader<File> {
        let terminator = if self.lf {
            ::csv::Terminator::Any(b'\n')
        } else {
            ::csv::Terminator::CRLF
        };
        ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .terminator(terminator)
            .buffer_capacity(1 << 16)
            .from_reader(file)
    }

    /// The line a record starts on: the line after it, less the line breaks inside its quoted
    /// values and the one that ended it (when the file goes on, or ends with one). `end` counts
    /// from a reader that started at `from` with `base` line breaks before it.
    fn line_of(&self, end: RecordEnd, from: u64, base: u64) -> u64 {
        let line = end.line.saturating_add(base);
        if !self.lf {
            return line;
        }
        let ended = from.saturating_add(end.offset) < self.stream_len || self.ends_in_newline;
        line.saturating_sub(end.inside)
            .saturating_sub(u64::from(ended))
    }

    /// Whether the file can be read in parts: only `\n` ends its records.
    pub fn splittable(&self) -> bool {
        self.lf
    }

    /// The line breaks before the first row (the header's and blank lines').
    pub fn rows_base(&self) -> u64 {
        self.rows_base
    }

    /// Where the first row starts, from the text's start (after any BOM).
    pub fn rows_at(&self) -> u64 {
        self.rows_at
    }

    /// The bytes before the first row: any BOM, the header, lines above and after it.
    pub fn before_rows(&self) -> u64 {
        self.start.saturating_add(self.rows_at)
    }

    /// Reads every row after the header, calling `visit` with each row's cells. The file is
    /// read again from its start, to digest every byte of it with the rows: the digest of the
    /// bytes read, when the file was read through (not for a file whose records end at `\r`).
    pub fn rows(
        &mut self,
        sink: &mut Capped<'_>,
        mut visit: impl FnMut(&mut Capped<'_>, Pos, &Cells<'_>),
    ) -> Option<Digest> {
        let mut reader = self.reader.take()?;
        if !self.lf {
            self.rows_csv(&mut reader, sink, visit);
            return None;
        }
        let (from, base) = (self.rows_at, self.rows_base);
        let mut file = reader.into_inner();
        let before = self.start + from;
        let read = file.seek(SeekFrom::Start(0)).and_then(|_| {
            let mut through = Hashing {
                inner: file,
                hasher: Hasher::default(),
            };
            // The bytes before the rows, digested only.
            std::io::copy(&mut (&mut through).take(before), &mut std::io::sink())?;
            if through.hasher.bytes() != before {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            records(&mut through, None, |fields, end| {
                self.record(fields, end, (from, base), sink, &mut visit);
            })?;
            Ok(through.hasher.finish())
        });
        match read {
            Ok(digest) => Some(digest),
            Err(e) => {
                cannot_read_further(sink, &e);
                None
            }
        }
    }

    /// Reads the rows in `[from, to)` (to the end of the file without `to`), `from` being where
    /// a row starts and `base` the line breaks before it. `Misaligned` when no row ends at `to`.
    pub fn part(
        &self,
        from: u64,
        base: u64,
        to: Option<u64>,
        sink: &mut Capped<'_>,
        mut visit: impl FnMut(&mut Capped<'_>, Pos, &Cells<'_>),
    ) -> PartEnd {
        let opened = || -> std::io::Result<File> {
            let mut file = crate::safe_fs::open_regular(&self.path)?;
            file.seek(SeekFrom::Start(self.start + from))?;
            Ok(file)
        };
        let Ok(file) = opened() else {
            return PartEnd::Failed;
        };
        let read = records(file, to.map(|to| to.saturating_sub(from)), |fields, end| {
            self.record(fields, end, (from, base), sink, &mut visit);
        });
        match read {
            Ok(Stop::Done) => PartEnd::Done,
            Ok(Stop::Misaligned) => PartEnd::Misaligned,
            Err(e) => {
                cannot_read_further(sink, &e);
                PartEnd::Failed
            }
        }
    }

    /// [`Opened::part`] over the part's bytes, already read: `buf[..len]`, with the
    /// [`super::lines::PAD`] bytes after them zero.
    #[expect(
        clippy::too_many_arguments,
        reason = "the part's bytes and place, and the caller's sink and visitor"
    )]
    pub fn part_in(
        &self,
        buf: &mut Vec<u8>,
        len: usize,
        from: u64,
        base: u64,
        to: Option<u64>,
        sink: &mut Capped<'_>,
        mut visit: impl FnMut(&mut Capped<'_>, Pos, &Cells<'_>),
    ) -> PartEnd {
        let stop = records_in(
            buf,
            len,
            to.map(|to| to.saturating_sub(from)),
            |fields, end| {
                self.record(fields, end, (from, base), sink, &mut visit);
            },
        );
        match stop {
            Stop::Done => PartEnd::Done,
            Stop::Misaligned => PartEnd::Misaligned,
        }
    }

    /// One record, reading having started at `from` after `base` line breaks: a quote
    /// left open is reported where it opened; any other record is a row.
    #[inline]
    fn record(
        &self,
        fields: Fields<'_>,
        end: RecordEnd,
        (from, base): (u64, u64),
        sink: &mut Capped<'_>,
        visit: &mut impl FnMut(&mut Capped<'_>, Pos, &Cells<'_>),
    ) {
        let line = self.line_of(end, from, base);
        if end.unclosed {
            // The file's last line break, if any, is inside the value too.
            let last = u64::from(self.ends_in_newline);
            unclosed_quote(sink, line + last, end.inside.saturating_sub(last));
        } else {
            self.row(fields, line, sink, visit);
        }
    }

    /// One record: blank lines are skipped, ragged rows reported, the others visited.
    #[inline]
    fn row(
        &self,
        fields: Fields<'_>,
        line: u64,
        sink: &mut Capped<'_>,
        visit: &mut impl FnMut(&mut Capped<'_>, Pos, &Cells<'_>),
    ) {
        // A blank line (`\r\n` with CRLF line ends), or a row of empty cells (`,,,,`, as
        // spreadsheets leave below the data): nothing to read. A row with a value in its first
        // cell is told apart at once.
        if (0..fields.len()).all(|i| {
            fields
                .get(i)
                .is_some_and(|f| f.iter().all(u8::is_ascii_whitespace))
        }) {
            return;
        }
        let width = self.width;
        if fields.len() != width {
            let n = fields.len();
            sink.report(None, |file| {
                DataError::new(
                    DataErrorKind::Row,
                    file,
                    format!(
                        "the row has {n} {}, the header has {width}",
                        if n == 1 { "field" } else { "fields" }
                    ),
                )
                .line(line)
                .help("check for a missing or extra comma (a value that holds a comma needs quotes); the row is skipped")
            });
            return;
        }
        visit(
            sink,
            Pos::Line(line),
            &Cells::Csv {
                record: fields,
                columns: &self.columns,
                header: &self.headers,
            },
        );
    }

    /// The rows of a file whose records end at `\r`, read by the `csv` reader that read the
    /// header.
    fn rows_csv(
        &self,
        reader: &mut ::csv::Reader<File>,
        sink: &mut Capped<'_>,
        mut visit: impl FnMut(&mut Capped<'_>, Pos, &Cells<'_>),
    ) {
        let mut row = ByteRecord::new();
        let mut bounds = Vec::new();
        loop {
            match reader.read_byte_record(&mut row) {
                Ok(true) => {}
                Ok(false) => return,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    let file = sink.file().to_owned();
                    sink.skip_file(
                        DataError::new(
                            DataErrorKind::File,
                            file,
                            format!("cannot read further: {}", csv_message(&e)),
                        )
                        .line(line)
                        .help("check that the file is CSV text; the rows after this place are not read"),
                    );
                    return;
                }
            }
            bounds.clear();
            let mut start = 0;
            for field in &row {
                bounds.push((start, start + field.len()));
                start += field.len();
            }
            let fields = Fields {
                data: row.as_slice(),
                bounds: &bounds,
            };
            self.row(fields, reader.position().line(), sink, &mut visit);
        }
    }
}

/// A quote opened on `line` and never closed: everything after it, to the end of the file, would
/// be one value. Those lines are not read, and the file counts as read only in part.
fn unclosed_quote(sink: &mut Capped<'_>, line: u64, lines_after: u64) {
    let file = sink.file().to_owned();
    sink.skip_file(
        DataError::new(
            DataErrorKind::File,
            file,
            format!(
                "a quote opened on this line is never closed; this line and the {lines_after} after it are not read"
            ),
        )
        .line(line)
        .help("a `\"` starts a quoted value that runs to the next `\"`: remove the stray quote, or double it (`\"\"`) inside a quoted value"),
    );
}

/// An I/O error while reading rows, as the `csv` reader reports it (it knows no line then).
fn cannot_read_further(sink: &mut Capped<'_>, e: &std::io::Error) {
    let file = sink.file().to_owned();
    sink.skip_file(
        DataError::new(
            DataErrorKind::File,
            file,
            format!("cannot read further: {}", io_message(e)),
        )
        .line(0)
        .help("check that the file is CSV text; the rows after this place are not read"),
    );
}

/// The header's line: the reader's line after it, less its line breaks inside quotes and the
/// one that ended it.
fn header_line_of(reader: &::csv::Reader<File>, row: &ByteRecord, opened: &Opened) -> u64 {
    let end = reader.position();
    opened.line_of(
        RecordEnd {
            line: end.line(),
            inside: row.as_slice().iter().filter(|&&b| b == b'\n').count() as u64,
            offset: end.byte(),
            unclosed: false,
        },
        0,
        0,
    )
}

/// `\n` bytes in `bytes`, counted 64 bytes at a time into a byte-wide sum, which the compiler
/// turns into vector compares (several times faster than counting byte by byte).
pub(crate) fn count_newlines(bytes: &[u8]) -> u64 {
    let mut total = 0u64;
    let mut blocks = bytes.chunks_exact(64);
    for block in &mut blocks {
        let mut n = 0u8;
        for &b in block {
            n += u8::from(b == b'\n');
        }
        total += u64::from(n);
    }
    total + blocks.remainder().iter().filter(|&&b| b == b'\n').count() as u64
}

/// A line with nothing but spaces (`\r` is left over from CRLF line ends), or a row of empty
/// cells.
fn is_blank(row: &ByteRecord) -> bool {
    row.iter().all(|f| f.iter().all(u8::is_ascii_whitespace))
}

/// The separator a one-cell header line uses instead of commas (`school;number;date`), when
/// its parts name a field of `record`.
fn separated(record: &Record, headers: &[String]) -> Option<&'static str> {
    let [only] = headers else {
        return None;
    };
    [(';', "semicolons"), ('\t', "tabs"), ('|', "vertical bars")]
        .into_iter()
        .find_map(|(c, name)| {
            let parts: Vec<String> = only.split(c).map(str::to_owned).collect();
            (parts.len() > 1 && !names_no_field(record, &parts)).then_some(name)
        })
}

/// Whether bytes that are not UTF-8 are mostly not text either (control bytes, or bytes above
/// 0x7F, in more than a quarter of them): binary data, not a Windows-1252 file with accents.
fn mostly_not_text(head: &[u8]) -> bool {
    let odd = head
        .iter()
        .filter(|&&b| b >= 0x80 || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)))
        .count();
    odd * 4 > head.len()
}

/// How many lines after a first line that names no field are looked at for the header.
const TITLE_LINES: usize = 10;

/// A row's cells as text, and whether one was not UTF-8 (then read as Windows-1252).
fn texts(row: &ByteRecord) -> (Vec<String>, bool) {
    let mut recoded = false;
    let cells = row
        .iter()
        .map(|c| match std::str::from_utf8(c) {
            Ok(t) => t.to_owned(),
            Err(_) => {
                recoded = true;
                super::encoding::windows_1252(c)
            }
        })
        .collect();
    (cells, recoded)
}

/// The file's length and last byte.
fn tail(file: &mut File) -> std::io::Result<(u64, Option<u8>)> {
    let len = file.seek(SeekFrom::End(0))?;
    if len == 0 {
        return Ok((0, None));
    }
    file.seek(SeekFrom::End(-1))?;
    let mut last = [0u8; 1];
    file.read_exact(&mut last)?;
    let [b] = last;
    Ok((len, Some(b)))
}

fn csv_message(e: &::csv::Error) -> String {
    match e.kind() {
        ::csv::ErrorKind::Io(io) => io_message(io),
        _ => "the file is not valid CSV".into(),
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]
mod tests {
    use super::cut;

    #[test]
    fn cuts_between_lines_without_quotes() {
        // The first break ends `"Name, with`, inside quotes; the next ends `breaks"`, whose line
        // has the closing quote; the one after falls between two plain rows.
        let seen = b"1,\"Name, with\nbreaks\"\nS2,white,resident\nS3,black,permit\nS4";
        let j = cut(seen).unwrap();
        assert_eq!(&seen[j + 1..j + 3], b"S3");
        // Without quotes, the second break (the first with a whole line before it).
        let plain = b"ent\nS2,a\nS3,b\nS4,c\n";
        assert_eq!(&plain[cut(plain).unwrap() + 1..][..2], b"S3");
        // Nothing quiet in sight: the first break that ends a line.
        let quoted = b"x\"\n\n\"y\n";
        assert_eq!(cut(quoted), Some(2));
        assert_eq!(cut(b"\n\n"), None);
        assert_eq!(cut(b""), None);
    }
}
