//! CSV records read line by line, for files whose records end at `\n`.
//!
//! A line with no `"` in it is a record whose fields lie between its commas: it is split in place,
//! the commas, line breaks and quotes found eight bytes at a time with word arithmetic. A line
//! with a `"` is handed to `csv_core`, the parser under the `csv` crate, configured as
//! [`super::csv`] configures the `csv` reader (comma, double quote, records ending at `\n`), which
//! reads that one record, quoted line breaks and all. Either way the records, their fields and
//! the bytes and line breaks they take are the ones the `csv` reader gives: empty lines are
//! skipped, `\r` is data, the last line may lack its `\n`.

use std::io::{self, Read};

use csv_core::{ReadRecordResult, Reader, ReaderBuilder, Terminator};

use super::rows::Fields;

/// The read buffer; it grows for a longer record.
const BUF: usize = 1 << 18;

/// Where a record ends, for line numbers and for part ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RecordEnd {
    /// The line after the record: one more than the line breaks read up to its end.
    pub line: u64,
    /// Line breaks inside the record's values (inside quotes).
    pub inside: u64,
    /// The bytes read up to the record's end.
    pub offset: u64,
    /// The record ends at the end of the file inside a quoted value: a quote opened in it is
    /// never closed, and everything after it was read as that value.
    pub unclosed: bool,
}

/// How reading stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The end of the file, or a record that ends exactly at `to`.
    Done,
    /// A record runs past `to`, or the file ends before it.
    Misaligned,
}

/// Reads the records of `file` from where it stands, calling `f` with each record's fields and
/// end, until the end of the file or, with `to` (a byte count from the start), until the record
/// that ends there. With `to`, a record that only the end of the file ends (no line break after
/// it) is no record: the part ends inside it (or the file shrank), and reading stops there.
pub(crate) fn records(
    file: impl Read,
    to: Option<u64>,
    f: impl FnMut(Fields<'_>, RecordEnd),
) -> io::Result<Stop> {
    let mut buf = vec![0u8; BUF + PAD];
    read_records(file, &mut buf, 0, to, f)
}

/// [`records`] over bytes already read: `buf[..len]` holds them and the [`PAD`] bytes after them
/// are zero; they are read in place.
pub(crate) fn records_in(
    buf: &mut Vec<u8>,
    len: usize,
    to: Option<u64>,
    f: impl FnMut(Fields<'_>, RecordEnd),
) -> Stop {
    // The end of the bytes is the end of the input: nothing is read, so nothing can fail.
    read_records(
        io::empty(),
        buf,
        len.min(buf.len().saturating_sub(PAD)),
        to,
        f,
    )
    .unwrap_or(Stop::Misaligned)
}

/// Bytes kept after the data in the buffer, always zero, so a word can be read at any place
/// before the end of the data.
///
/// Why not `memchr`: its `memchr3_iter` over the same three bytes in place of the word loop below
/// gave the same output and took 841.0 M instructions against 801.3 M (+5.0%; callgrind, the
/// bench's district lint, one thread, `--format json`, at `a46193b`), with wall times within
/// noise (medians 175 and 184 ms over 20 alternating rounds, host load 8.7). In a CSV the
/// delimiters come every few bytes, so a call per hit costs more than the wider search saves.
pub(crate) const PAD: usize = 8;

const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
const HIGH: u64 = 0x8080_8080_8080_8080;
const COMMAS: u64 = u64::from_ne_bytes([b','; 8]);
const BREAKS: u64 = u64::from_ne_bytes([b'\n'; 8]);
const QUOTES: u64 = u64::from_ne_bytes([b'"'; 8]);

/// The high bit of each byte of `word` equal to the byte broadcast in `bytes` (exactly: no
/// carry crosses bytes).
#[inline(always)]
fn equal(word: u64, bytes: u64) -> u64 {
    let x = word ^ bytes;
    !(((x & LOW7) + LOW7) | x) & HIGH
}

/// The 8 bytes at `at`, the first in the lowest bits.
#[inline(always)]
fn word(buf: &[u8], at: usize) -> u64 {
    buf.get(at..at + 8)
        .and_then(|w| <[u8; 8]>::try_from(w).ok())
        .map_or(0, u64::from_le_bytes)
}

/// [`records`] from any reader into `buf`, whose first `filled` bytes are the input already
/// there: all of it, with nothing to read after, when `filled` is not zero.
fn read_records(
    mut file: impl Read,
    buf: &mut Vec<u8>,
    filled: usize,
    to: Option<u64>,
    mut f: impl FnMut(Fields<'_>, RecordEnd),
) -> io::Result<Stop> {
    if buf.len() < PAD + 1 {
        buf.resize(PAD + 1, 0);
    }
    // buf[lo..hi] is read and not consumed; `lo` is where the current record starts. The PAD
    // bytes after `hi` are zero.
    let (mut lo, mut hi) = (0usize, filled);
    let mut eof = filled > 0;
    // Bytes and line breaks consumed before buf[lo].
    let mut offset = 0u64;
    let mut lines = 0u64;
    let mut bounds: Vec<(usize, usize)> = Vec::with_capacity(16);
    let mut quoted = Quoted::new();
    loop {
        // Records without quotes, split in place: eight bytes at a time, the commas, line
        // breaks and quotes among them found with word arithmetic.
        let mut start = lo;
        let mut field = lo;
        let mut quote = false;
        let mut p = lo;
        'scan: while p < hi {
            let w = word(buf, p);
            let mut hits = equal(w, COMMAS) | equal(w, BREAKS) | equal(w, QUOTES);
            while hits != 0 {
                let at = p + (hits.trailing_zeros() / 8) as usize;
                hits &= hits - 1;
                match buf.get(at) {
                    Some(b',') => {
                        bounds.push((field - start, at - start));
                        field = at + 1;
                    }
                    Some(b'\n') => {
                        lines += 1;
                        offset += (at + 1 - start) as u64;
                        if at == start {
                            // An empty line is no record.
                            start = at + 1;
                            field = at + 1;
                            continue;
                        }
                        bounds.push((field - start, at - start));
                        let end = RecordEnd {
                            line: lines + 1,
                            inside: 0,
                            offset,
                            unclosed: false,
                        };
                        match to {
                            Some(to) if offset > to => return Ok(Stop::Misaligned),
                            _ => {}
                        }
                        let data = buf.get(start..at).unwrap_or(&[]);
                        f(
                            Fields {
                                data,
                                bounds: &bounds,
                            },
                            end,
                        );
                        if to == Some(offset) {
                            return Ok(Stop::Done);
                        }
                        bounds.clear();
                        start = at + 1;
                        field = at + 1;
                    }
                    _ => {
                        quote = true;
                        break 'scan;
                    }
                }
            }
            p += 8;
        }
        bounds.clear();
        lo = start;
        if quote {
            // A record with quotes: csv_core reads it, refilling the buffer as it needs.
            // Quotes seen in the record: an odd count at the end of the file is a quote never
            // closed (a closed value and a doubled quote inside one both count two).
            let mut quotes = 0u64;
            let end = loop {
                let input = buf.get(lo..hi).unwrap_or(&[]);
                // csv_core is told the input has ended by an empty input.
                let at_end = input.is_empty();
                let (result, nin) = quoted.read(input);
                let taken = input.get(..nin).unwrap_or(&[]);
                lines += count(taken, b'\n');
                quotes += count(taken, b'"');
                offset += nin as u64;
                lo += nin;
                match result {
                    ReadRecordResult::InputEmpty if !eof => {
                        fill(&mut file, buf, &mut lo, &mut hi, &mut eof)?;
                    }
                    ReadRecordResult::Record if at_end && to.is_some() => {
                        return Ok(Stop::Misaligned);
                    }
                    ReadRecordResult::Record => {
                        break Some(RecordEnd {
                            line: lines + 1,
                            inside: count(quoted.data(), b'\n'),
                            offset,
                            unclosed: eof && lo >= hi && quotes % 2 == 1,
                        });
                    }
                    ReadRecordResult::End => break None,
                    // More output room (or the end of input, given as an empty read).
                    _ => {}
                }
            };
            let Some(end) = end else {
                return Ok(if to.is_none() {
                    Stop::Done
                } else {
                    Stop::Misaligned
                });
            };
            match to {
                Some(to) if offset > to => return Ok(Stop::Misaligned),
                _ => {}
            }
            quoted.bounds(&mut bounds);
            f(
                Fields {
                    data: quoted.data(),
                    bounds: &bounds,
                },
                end,
            );
            bounds.clear();
            if to == Some(offset) {
                return Ok(Stop::Done);
            }
            continue;
        }
        if eof {
            // The last line, without its line break.
            if lo < hi && to.is_some() {
                return Ok(Stop::Misaligned);
            }
            if lo < hi {
                let data = buf.get(lo..hi).unwrap_or(&[]);
                let mut field = 0;
                for (j, _) in data.iter().enumerate().filter(|(_, b)| **b == b',') {
                    bounds.push((field, j));
                    field = j + 1;
                }
                bounds.push((field, data.len()));
                offset += data.len() as u64;
                let end = RecordEnd {
                    line: lines + 1,
                    inside: 0,
                    offset,
                    unclosed: false,
                };
                match to {
                    Some(to) if offset > to => return Ok(Stop::Misaligned),
                    _ => {}
                }
                f(
                    Fields {
                        data,
                        bounds: &bounds,
                    },
                    end,
                );
                if to == Some(offset) {
                    return Ok(Stop::Done);
                }
            }
            return Ok(if to.is_none() {
                Stop::Done
            } else {
                Stop::Misaligned
            });
        }
        fill(&mut file, buf, &mut lo, &mut hi, &mut eof)?;
    }
}

/// Moves the unconsumed bytes to the front of the buffer (growing it when they fill it), reads
/// more after them, and zeroes the [`PAD`] bytes after the data.
fn fill(
    file: &mut impl Read,
    buf: &mut Vec<u8>,
    lo: &mut usize,
    hi: &mut usize,
    eof: &mut bool,
) -> io::Result<()> {
    if *lo > 0 {
        buf.copy_within(*lo..*hi, 0);
        *hi -= *lo;
        *lo = 0;
    }
    if *hi + PAD >= buf.len() {
        let n = buf.len() * 2;
        buf.resize(n, 0);
    }
    let room = buf.len() - PAD;
    let read = loop {
        match file.read(buf.get_mut(*hi..room).unwrap_or(&mut [])) {
            Ok(n) => break n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    };
    if read == 0 {
        *eof = true;
    }
    *hi += read;
    if let Some(pad) = buf.get_mut(*hi..*hi + PAD) {
        pad.fill(0);
    }
    Ok(())
}

/// `byte`s in `bytes`.
fn count(bytes: &[u8], byte: u8) -> u64 {
    bytes.iter().filter(|&&b| b == byte).count() as u64
}

/// One quoted record at a time, read by csv_core.
struct Quoted {
    core: Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    outlen: usize,
    endlen: usize,
    /// Whether the last call ended a record (the next starts a new one).
    done: bool,
}

impl Quoted {
    fn new() -> Self {
        Quoted {
            // As the `csv` crate's reader is built in `super::csv`: its defaults, `\n` ends a
            // record.
            core: ReaderBuilder::new()
                .terminator(Terminator::Any(b'\n'))
                .build(),
            out: vec![0; 1024],
            ends: vec![0; 32],
            outlen: 0,
            endlen: 0,
            done: true,
        }
    }

    /// Feeds `input` to the record being read; gives csv_core's result and the bytes it took.
    fn read(&mut self, input: &[u8]) -> (ReadRecordResult, usize) {
        if self.done {
            self.core.reset();
            self.outlen = 0;
            self.endlen = 0;
            self.done = false;
        }
        let (result, nin, nout, nend) = self.core.read_record(
            input,
            self.out.get_mut(self.outlen..).unwrap_or(&mut []),
            self.ends.get_mut(self.endlen..).unwrap_or(&mut []),
        );
        self.outlen += nout;
        self.endlen += nend;
        match result {
            ReadRecordResult::OutputFull => {
                let n = self.out.len() * 2;
                self.out.resize(n, 0);
            }
            ReadRecordResult::OutputEndsFull => {
                let n = self.ends.len() * 2;
                self.ends.resize(n, 0);
            }
            ReadRecordResult::Record | ReadRecordResult::End => self.done = true,
            ReadRecordResult::InputEmpty => {}
        }
        (result, nin)
    }

    /// The record's values, end to end.
    fn data(&self) -> &[u8] {
        self.out.get(..self.outlen).unwrap_or(&[])
    }

    /// Each value's place in [`Quoted::data`].
    fn bounds(&self, bounds: &mut Vec<(usize, usize)>) {
        bounds.clear();
        let mut start = 0;
        for &end in self.ends.get(..self.endlen).unwrap_or(&[]) {
            bounds.push((start, end));
            start = end;
        }
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]
mod tests {
    use super::*;

    /// What a reader gave: per record its values and end, then how it stopped.
    type Seen = (Vec<(Vec<Vec<u8>>, RecordEnd)>, Stop);

    /// The `csv` crate's reader, configured as `super::super::csv` configures it, read the way
    /// parts were read with it: a record ending past `to` is not visited.
    fn by_csv(text: &[u8], to: Option<u64>) -> Seen {
        let mut reader = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .terminator(::csv::Terminator::Any(b'\n'))
            .from_reader(text);
        let mut row = ::csv::ByteRecord::new();
        let mut seen = Vec::new();
        while reader.read_byte_record(&mut row).unwrap() {
            let end = RecordEnd {
                line: reader.position().line(),
                inside: row.as_slice().iter().filter(|&&b| b == b'\n').count() as u64,
                offset: reader.position().byte(),
                unclosed: false,
            };
            if to.is_some_and(|to| end.offset > to) {
                return (seen, Stop::Misaligned);
            }
            if to.is_some() && end.offset == text.len() as u64 && !ends_at_a_break(text, &row) {
                return (seen, Stop::Misaligned);
            }
            seen.push((row.iter().map(<[u8]>::to_vec).collect(), end));
            if to == Some(end.offset) {
                return (seen, Stop::Done);
            }
        }
        let stop = if to.is_some() {
            Stop::Misaligned
        } else {
            Stop::Done
        };
        (seen, stop)
    }

    /// Whether the last record of `text`, `last`, ends at a line break rather than at the end of
    /// the text: a byte more after the text leaves it as it is.
    fn ends_at_a_break(text: &[u8], last: &::csv::ByteRecord) -> bool {
        let mut more = text.to_vec();
        more.push(b'Z');
        let mut reader = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .terminator(::csv::Terminator::Any(b'\n'))
            .from_reader(&more[..]);
        let mut row = ::csv::ByteRecord::new();
        while reader.read_byte_record(&mut row).unwrap() {
            if reader.position().byte() >= text.len() as u64 {
                return reader.position().byte() == text.len() as u64 && row == *last;
            }
        }
        false
    }

    fn by_lines(text: &[u8], to: Option<u64>, size: usize) -> Seen {
        let mut seen = Vec::new();
        let mut buf = vec![0; size + PAD];
        let stop = read_records(text, &mut buf, 0, to, |fields, end| {
            let values = (0..fields.len()).map(|i| fields.get(i).unwrap().to_vec());
            // The csv reader does not tell a quote left open; that flag is tested apart.
            let end = RecordEnd {
                unclosed: false,
                ..end
            };
            seen.push((values.collect(), end));
        })
        .unwrap();
        (seen, stop)
    }

    /// [`by_lines`] over the text in memory, read in place by [`records_in`].
    fn in_memory(text: &[u8], to: Option<u64>) -> Seen {
        let mut seen = Vec::new();
        let mut buf = text.to_vec();
        buf.extend_from_slice(&[0; PAD]);
        let stop = records_in(&mut buf, text.len(), to, |fields, end| {
            let values = (0..fields.len()).map(|i| fields.get(i).unwrap().to_vec());
            let end = RecordEnd {
                unclosed: false,
                ..end
            };
            seen.push((values.collect(), end));
        });
        (seen, stop)
    }

    /// Whether the last record ran to the end of the file inside a quote, by `read_records`.
    fn unclosed(text: &[u8], size: usize) -> Vec<bool> {
        let mut out = Vec::new();
        let mut buf = vec![0; size + PAD];
        read_records(text, &mut buf, 0, None, |_, end| out.push(end.unclosed)).unwrap();
        out
    }

    #[test]
    fn a_quote_left_open_is_told() {
        for size in [1, 3, 64] {
            assert_eq!(unclosed(b"a,b\nc,\"d\ne,f\n", size), [false, true]);
            assert_eq!(unclosed(b"a,\"b\"\"\nc\",d\n", size), [false]);
            assert_eq!(unclosed(b"a,\"b\"\nc,d", size), [false, false]);
            assert_eq!(unclosed(b"\"", size), [true]);
            assert_eq!(unclosed(b"a,\"b\"\"", size), [true]);
        }
    }

    /// A small deterministic generator (xorshift).
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn same_records_as_the_csv_reader() {
        const ALPHABET: &[u8] = b"ab,,,\"\"\n\n\r \t";
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for case in 0..6_000 {
            let len = (rng.next() % 60) as usize;
            let text: Vec<u8> = (0..len)
                .map(|_| ALPHABET[(rng.next() % ALPHABET.len() as u64) as usize])
                .collect();
            let size = 1 + (rng.next() % 9) as usize;
            let to = match rng.next() % 3 {
                0 => None,
                _ => Some(rng.next() % (len as u64 + 2)),
            };
            let want = by_csv(&text, to);
            let got = by_lines(&text, to, size);
            assert_eq!(
                want,
                got,
                "case {case}: {:?} to {to:?} buffer {size}",
                String::from_utf8_lossy(&text)
            );
            // A part read from memory stops where one read from the file does.
            let to_in = to.map(|to| to.min(len as u64));
            let whole = to_in.and_then(|to| usize::try_from(to).ok()).unwrap_or(len);
            assert_eq!(
                by_csv(&text[..whole], to_in),
                in_memory(&text[..whole], to_in),
                "case {case} in memory: {:?} to {to_in:?}",
                String::from_utf8_lossy(&text[..whole])
            );
        }
    }

    #[test]
    fn long_lines_and_quoted_records_across_refills() {
        let mut text = Vec::new();
        for i in 0..300 {
            text.extend_from_slice(format!("S{i},hispanic,resident,,9/15/2023,").as_bytes());
            if i % 7 == 0 {
                text.extend_from_slice(b"\"Name, with\nbreaks \"\"quoted\"\"\"\n");
            } else if i % 11 == 0 {
                text.extend_from_slice(&[b'x'; 700]);
                text.push(b'\n');
            } else {
                text.extend_from_slice(b"Student\r\n");
            }
            if i % 13 == 0 {
                text.extend_from_slice(b"\n\n");
            }
        }
        for size in [1, 7, 64, 1000, BUF] {
            assert_eq!(
                by_csv(&text, None),
                by_lines(&text, None, size),
                "buffer {size}"
            );
        }
        assert_eq!(by_csv(&text, None), in_memory(&text, None));
    }
}
