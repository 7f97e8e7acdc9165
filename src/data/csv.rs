//! CSV files, streamed: one reused byte record, only the wanted cells decoded.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use ::csv::{ByteRecord, ReaderBuilder};

use crate::check::model::Record;

use super::columns::match_header;
use super::error::{Capped, DataError, DataErrorKind};
use super::rows::{Cells, Pos, io_message};

/// How much of a file is looked at to tell text from binary data.
const SNIFF: usize = 8192;
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads every row of a CSV file, calling `visit` with the row's cells in field order. File-level
/// problems (unreadable, empty, binary, bad header) are reported and end the file; ragged rows
/// are reported and skipped.
pub(crate) fn read(
    path: &Path,
    record: &Record,
    sink: &mut Capped<'_>,
    mut visit: impl FnMut(&mut Capped<'_>, Pos, &Cells<'_>),
) {
    let file_error = |sink: &mut Capped<'_>, message: String, help: &str| {
        sink.always(DataError::new(DataErrorKind::File, sink.file(), message).help(help));
    };
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            file_error(
                sink,
                format!("cannot read the file: {}", io_message(&e)),
                "check the path and the file's permissions",
            );
            return;
        }
    };
    let mut head = Vec::with_capacity(SNIFF);
    if let Err(e) = (&mut file).take(SNIFF as u64).read_to_end(&mut head) {
        file_error(
            sink,
            format!("cannot read the file: {}", io_message(&e)),
            "check the file's permissions",
        );
        return;
    }
    if head.contains(&0) {
        file_error(
            sink,
            "the file is not text: it holds binary data".into(),
            "export the data as CSV text (comma-separated, UTF-8)",
        );
        return;
    }
    let start = if head.starts_with(BOM) { BOM.len() } else { 0 };
    // Only `\n` ends a record, so the reader's line count tells each record's line exactly (with
    // CRLF, `\r` would end a record and its `\n` would be counted with the next one). The `\r`
    // left at the end of a line is trimmed like other spaces. A file with old Mac line ends
    // (`\r` alone) is read with `\r` as the terminator; its line numbers are then all 1.
    let lf = head.contains(&b'\n') || !head.contains(&b'\r');
    let terminator = if lf {
        ::csv::Terminator::Any(b'\n')
    } else {
        ::csv::Terminator::CRLF
    };
    let (stream_len, ends_in_newline) = match tail(&mut file) {
        Ok((len, last)) => (len.saturating_sub(start as u64), last == Some(b'\n')),
        Err(e) => {
            file_error(
                sink,
                format!("cannot read the file: {}", io_message(&e)),
                "check the file's permissions",
            );
            return;
        }
    };
    if let Err(e) = file.seek(SeekFrom::Start(start as u64)) {
        file_error(
            sink,
            format!("cannot read the file: {}", io_message(&e)),
            "check the file's permissions",
        );
        return;
    }
    let mut reader = ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .terminator(terminator)
        .buffer_capacity(1 << 16)
        .from_reader(file);
    // The line a record starts on: the reader's line after it, less the line breaks inside
    // quoted values and the one that ended it.
    let line_of = |reader: &::csv::Reader<File>, row: &ByteRecord| -> u64 {
        let end = reader.position();
        let inside = row.as_slice().iter().filter(|&&b| b == b'\n').count() as u64;
        let ended = end.byte() < stream_len || ends_in_newline;
        if lf {
            end.line()
                .saturating_sub(inside)
                .saturating_sub(u64::from(ended))
        } else {
            end.line()
        }
    };
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
            return;
        }
        Err(e) => {
            file_error(
                sink,
                format!("cannot read the file: {}", csv_message(&e)),
                "check that the file is CSV text",
            );
            return;
        }
    }
    let header_line = line_of(&reader, &row);
    let mut headers = Vec::with_capacity(row.len());
    for cell in &row {
        match std::str::from_utf8(cell) {
            Ok(s) => headers.push(s.to_owned()),
            Err(_) => {
                sink.always(
                    DataError::new(
                        DataErrorKind::File,
                        sink.file(),
                        "the header line is not valid UTF-8 text",
                    )
                    .line(header_line)
                    .help("save the file as UTF-8 CSV text with a header line naming its columns"),
                );
                return;
            }
        }
    }
    let Some(map) = match_header(record, &headers, header_line, sink) else {
        return;
    };
    let width = headers.len();
    loop {
        match reader.read_byte_record(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                sink.report(None, |file| {
                    DataError::new(
                        DataErrorKind::File,
                        file,
                        format!("cannot read further: {}", csv_message(&e)),
                    )
                    .line(line)
                    .help("check that the file is CSV text")
                });
                break;
            }
        }
        if is_blank(&row) {
            continue; // a blank line (`\r\n` with CRLF line ends)
        }
        let line = line_of(&reader, &row);
        if row.len() != width {
            let n = row.len();
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
            continue;
        }
        visit(
            sink,
            Pos::Line(line),
            &Cells::Csv {
                record: &row,
                columns: &map.columns,
            },
        );
    }
}

/// A line with nothing but spaces (`\r` is left over from CRLF line ends).
fn is_blank(row: &ByteRecord) -> bool {
    row.len() == 1 && row.as_slice().iter().all(u8::is_ascii_whitespace)
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
