//! A large CSV file read in parts on threads, from one read of the file in order.
//!
//! One thread, the reader, reads the file through once: it digests every byte (the SHA-256 a
//! report records of what it read), counts the line breaks that number each part's lines, and
//! cuts the rows into parts of a few MiB just after a line break, handing each to the next free
//! thread. A part is parsed in place, into accumulators of its own, which are merged into the
//! file's, in file order, as soon as every part before it is; its errors are then reported, in
//! file order too. At most `2 * threads + 4` parts are held at once, and the states of parts
//! parsed ahead of one still being read again are capped, so memory does not grow with the file.
//!
//! A cut may fall inside a quoted value (a line break in a name): the part before it then ends
//! inside the value ([`csv::PartEnd::Misaligned`]), and is read again from the file joined to the
//! part after it (to the end of the file if that still ends inside quotes); the parts joined
//! are dropped. Past the cap, the parts are given up and the file is read in one go. Results
//! never depend on where the cuts fall, nor on the threads.

use std::io::Read as _;
use std::path::Path;
use std::sync::{Condvar, Mutex, MutexGuard};

use super::digest::{Digest, Hasher};
use super::error::{self, Capped, DataError};
use super::lines::PAD;
use super::rows::{Cells, Pos};
use super::{Decoder, Entities, RecordId, Row, csv};

/// The most bytes a part is given, unless the caller asks for smaller ones.
pub const PART_BYTES: u64 = 4 << 20;

/// The most parts held at once on `threads` threads: the parts being parsed, and as many again
/// and four more read ahead, so that the threads seldom wait for the reader (on 2 cores, the
/// state benchmark's lint took 0.51-0.53 s holding 4 parts, 0.48-0.49 s holding 8).
fn held_at_once(threads: usize) -> usize {
    threads.saturating_mul(2).saturating_add(4)
}

/// Bytes read at a time, each digested and counted at once, while still in the cache.
const CHUNK: usize = 1 << 18;

/// Bytes looked through past a part's size for a place to cut.
const WINDOW: usize = 1 << 16;

/// A part as the reader hands it over.
struct Cut {
    /// The part's bytes, `buf[..len]`, then [`PAD`] zero bytes.
    buf: Vec<u8>,
    len: usize,
    /// Where the part starts, from the start of the text (after any BOM).
    from: u64,
    /// The line breaks before it.
    base: u64,
    /// The last part: it ends where the file ends.
    last: bool,
}

/// What the reader and the threads share.
#[derive(Default)]
struct Shelf {
    /// Parts read and not yet taken, in file order.
    cuts: std::collections::VecDeque<Cut>,
    /// Parts read so far.
    read: usize,
    /// Parts taken by a thread so far (in order).
    taken: usize,
    /// Parts read and not yet given back.
    held: usize,
    /// Buffers given back, to read the next parts into.
    free: Vec<Vec<u8>>,
    /// The reader read the whole file: `read` is every part.
    finished: bool,
    /// The reader stopped before the end of the file.
    failed: bool,
    /// No thread takes parts any more.
    closed: bool,
}

struct Handoff {
    shelf: Mutex<Shelf>,
    changed: Condvar,
    /// The most parts held at once.
    limit: usize,
}

impl Handoff {
    fn lock(&self) -> MutexGuard<'_, Shelf> {
        self.shelf.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn wait<'a>(&self, shelf: MutexGuard<'a, Shelf>) -> MutexGuard<'a, Shelf> {
        self.changed.wait(shelf).unwrap_or_else(|p| p.into_inner())
    }

    /// A buffer for the next part, once fewer than `limit` are held; `None` once closed.
    fn room(&self) -> Option<Vec<u8>> {
        let mut shelf = self.lock();
        while shelf.held >= self.limit && !shelf.closed {
            shelf = self.wait(shelf);
        }
        if shelf.closed {
            return None;
        }
        shelf.held += 1;
        Some(shelf.free.pop().unwrap_or_default())
    }

    fn put(&self, cut: Cut) {
        let mut shelf = self.lock();
        shelf.cuts.push_back(cut);
        shelf.read += 1;
        self.changed.notify_all();
    }

    /// The reader is done: it read the whole file (`whole`) or stopped.
    fn end(&self, whole: bool) {
        let mut shelf = self.lock();
        shelf.finished = whole;
        shelf.failed = !whole;
        self.changed.notify_all();
    }

    fn close(&self) {
        self.lock().closed = true;
        self.changed.notify_all();
    }

    /// The next part in file order, once it is read; `None` when there is none left (or the
    /// reader stopped). While the next part is not read yet, the thread does `idle` work (small
    /// files) if there is any, else waits.
    fn take(&self, idle: &(dyn Fn() -> bool + Sync)) -> Option<(usize, Cut)> {
        let mut shelf = self.lock();
        loop {
            if let Some(cut) = shelf.cuts.pop_front() {
                let k = shelf.taken;
                shelf.taken += 1;
                return Some((k, cut));
            }
            if shelf.finished || shelf.failed || shelf.closed {
                return None;
            }
            drop(shelf);
            let busy = idle();
            shelf = self.lock();
            let over = shelf.finished || shelf.failed || shelf.closed;
            if !busy && shelf.cuts.is_empty() && !over {
                shelf = self.wait(shelf);
            }
        }
    }

    fn give_back(&self, buf: Vec<u8>) {
        let mut shelf = self.lock();
        shelf.held = shelf.held.saturating_sub(1);
        shelf.free.push(buf);
        self.changed.notify_all();
    }
}

/// A part's buffer, given back when dropped (also when a thread fails), so that the reader never
/// waits for a buffer no thread will give back.
struct Lent<'h> {
    handoff: &'h Handoff,
    buf: Vec<u8>,
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        self.handoff.give_back(std::mem::take(&mut self.buf));
    }
}

/// Reads `path` through from its start: digests it, cuts its rows (after `opened`'s header)
/// into parts of about `size` bytes and hands them over. The digest when the whole file was read.
fn read_ahead(path: &Path, opened: &csv::Opened, size: usize, handoff: &Handoff) -> Option<Digest> {
    let digest = read_through(path, opened, size.max(1), handoff);
    handoff.end(digest.is_some());
    digest
}

fn read_through(
    path: &Path,
    opened: &csv::Opened,
    size: usize,
    handoff: &Handoff,
) -> Option<Digest> {
    let mut file = crate::safe_fs::open_regular(path).ok()?;
    let mut hasher = Hasher::default();
    let read = |file: &mut std::fs::File, into: &mut [u8]| loop {
        match file.read(into) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            other => break other.ok(),
        }
    };
    // The bytes before the rows are digested only.
    let mut block = vec![0u8; CHUNK];
    let mut left = opened.before_rows();
    while left > 0 {
        let want = usize::try_from(left).unwrap_or(CHUNK).min(CHUNK);
        let n = read(&mut file, block.get_mut(..want)?)?;
        if n == 0 {
            return None;
        }
        hasher.update(block.get(..n)?);
        left -= n as u64;
    }
    // Bytes read past the last cut, which start the next part.
    let mut carry: Vec<u8> = Vec::new();
    let (mut from, mut base) = (opened.rows_at(), opened.rows_base());
    loop {
        let mut buf = handoff.room()?;
        let room = (size + WINDOW).max(carry.len()) + CHUNK + PAD;
        if buf.len() < room {
            buf.resize(room, 0);
        }
        buf.get_mut(..carry.len())?.copy_from_slice(&carry);
        let mut filled = carry.len();
        let mut breaks = csv::count_newlines(&carry);
        // Read to `size` and a window more, then cut at a line break in the window (a wider
        // one while none is found); or to the end of the file.
        let mut cut_at = None;
        let mut want = size.saturating_add(WINDOW);
        let last = loop {
            if filled >= want {
                let seen = buf.get(size - 1..filled)?;
                if let Some(j) = csv::cut(seen) {
                    cut_at = Some(size + j);
                    break false;
                }
                want = want.saturating_add(WINDOW);
            }
            if buf.len() < filled + CHUNK + PAD {
                buf.resize(filled + CHUNK + PAD, 0);
            }
            let n = read(&mut file, buf.get_mut(filled..filled + CHUNK)?)?;
            if n == 0 {
                break true;
            }
            let got = buf.get(filled..filled + n)?;
            hasher.update(got);
            breaks += csv::count_newlines(got);
            filled += n;
        };
        let len = match cut_at {
            Some(p) => {
                carry.clear();
                carry.extend_from_slice(buf.get(p..filled)?);
                breaks -= csv::count_newlines(&carry);
                p
            }
            None => filled,
        };
        buf.get_mut(len..len + PAD)?.fill(0);
        handoff.put(Cut {
            buf,
            len,
            from,
            base,
            last,
        });
        from += len as u64;
        base += breaks;
        if last {
            break;
        }
    }
    Some(hasher.finish())
}

/// A part read: its place, how it ended, its errors; its state until merged.
struct Read<S> {
    from: u64,
    base: u64,
    /// Where it ends; `None` for the last part.
    to: Option<u64>,
    end: csv::PartEnd,
    /// Its errors, and how it counted them, until reported (in order, as it is merged); `None`
    /// once reported, or for a part dropped (read again with one before it).
    errors: Option<(Vec<DataError>, error::PartTally)>,
    state: Option<S>,
}

/// A part that ended inside a quoted value, to read again from the file joined to the part
/// after it: from part `k`'s start to part `k + 1`'s end, or (`to` being `None`) to the end of
/// the file.
struct Rejoin {
    k: usize,
    from: u64,
    base: u64,
    to: Option<u64>,
}

/// The parts read, and the file's state: every part before `next` merged into it in order, and
/// its errors reported to the file's sink, in order too.
struct Fold<'s, 'e, S> {
    sink: &'s mut Capped<'e>,
    next: usize,
    state: Option<S>,
    parts: Vec<Option<Read<S>>>,
    /// Parts whose state is held, waiting for the parts before them.
    held: usize,
    /// The most states held: past it, the parts are given up (the file is read in one go).
    most: usize,
    /// Part `next` is being read again, joined to the next.
    rejoining: bool,
    /// Part `k` was read again to the end of the file: the parts after it are dropped.
    rest_from: Option<usize>,
    /// A part failed, a joined part still ended inside quotes, or too many states were held.
    given_up: bool,
}

impl<'s, 'e, S> Fold<'s, 'e, S> {
    fn new(most: usize, sink: &'s mut Capped<'e>) -> Self {
        Fold {
            sink,
            next: 0,
            state: None,
            parts: Vec::new(),
            held: 0,
            most,
            rejoining: false,
            rest_from: None,
            given_up: false,
        }
    }

    fn add(&mut self, st: S, merge: &impl Fn(&mut S, S)) {
        match &mut self.state {
            Some(all) => merge(all, st),
            None => self.state = Some(st),
        }
    }

    /// Keeps part `k`, and merges every part now complete in order into the file's state; a
    /// part to read again, when the next one to merge ended inside quotes.
    fn put(&mut self, k: usize, part: Read<S>, merge: &impl Fn(&mut S, S)) -> Option<Rejoin> {
        if self.parts.len() <= k {
            self.parts.resize_with(k + 1, || None);
        }
        let mut part = part;
        if self.dropped(k) {
            part.state = None;
            part.errors = None;
        }
        self.held += usize::from(part.state.is_some());
        if let Some(slot) = self.parts.get_mut(k) {
            *slot = Some(part);
        }
        self.advance(merge)
    }

    fn advance(&mut self, merge: &impl Fn(&mut S, S)) -> Option<Rejoin> {
        loop {
            if self.held > self.most {
                self.given_up = true;
            }
            // Past a part read again to the end of the file, nothing is left to merge.
            if self.given_up || self.rejoining || self.rest_from.is_some() {
                return None;
            }
            let next = self.next;
            let part = self.parts.get_mut(next)?.as_mut()?;
            match part.end {
                csv::PartEnd::Done => {
                    let (errors, state) = (part.errors.take(), part.state.take());
                    if let Some((errors, tally)) = errors {
                        self.sink.absorb(errors, tally);
                    }
                    if let Some(st) = state {
                        self.held -= 1;
                        self.add(st, merge);
                    }
                    self.next += 1;
                }
                csv::PartEnd::Misaligned => {
                    let (from, base) = (part.from, part.base);
                    part.errors = None;
                    if part.state.take().is_some() {
                        self.held -= 1;
                    }
                    // Joined to the next part, once it is read (its end is known then).
                    let to = self.parts.get(next + 1)?.as_ref()?.to;
                    self.rejoining = true;
                    if to.is_none() {
                        self.drop_after(next);
                    }
                    return Some(Rejoin {
                        k: next,
                        from,
                        base,
                        to,
                    });
                }
                csv::PartEnd::Failed => self.given_up = true,
            }
        }
    }

    /// Part `k` is read again to the end of the file: the parts after it, read or not, are
    /// dropped (and not parsed).
    fn drop_after(&mut self, k: usize) {
        self.rest_from = Some(k);
        for part in self.parts.iter_mut().skip(k + 1).flatten() {
            if part.state.take().is_some() {
                self.held -= 1;
            }
            part.errors = None;
        }
    }

    /// Whether part `k` is covered by a part before it read again to the end of the file.
    fn dropped(&self, k: usize) -> bool {
        self.rest_from.is_some_and(|r| k > r)
    }

    /// Part `k` and the next, read again as one: merged when they ended where a row ends; when
    /// they still end inside quotes (a quote left open, a value longer than a part), part `k`
    /// is read again to the end of the file, so that nothing is read more than twice over.
    fn rejoined(
        &mut self,
        k: usize,
        joined: Read<S>,
        merge: &impl Fn(&mut S, S),
    ) -> Option<Rejoin> {
        self.rejoining = false;
        match (joined.end, joined.to) {
            (csv::PartEnd::Done, None) => {
                // Read to the end of the file: the parts after `k` were dropped.
                self.take_joined(k, joined, merge);
                self.next = k + 1;
                return None;
            }
            (csv::PartEnd::Misaligned, Some(_)) => {
                self.rejoining = true;
                self.drop_after(k);
                return Some(Rejoin {
                    k,
                    from: joined.from,
                    base: joined.base,
                    to: None,
                });
            }
            (csv::PartEnd::Done, Some(_)) => {}
            _ => {
                self.given_up = true;
                return None;
            }
        }
        if let Some(after) = self.parts.get_mut(k + 1).and_then(Option::as_mut) {
            if after.state.take().is_some() {
                self.held -= 1;
            }
            after.errors = None;
        }
        self.take_joined(k, joined, merge);
        self.next = k + 2;
        self.advance(merge)
    }

    /// Part `k`, read again with the parts after it: its errors reported, its state merged.
    fn take_joined(&mut self, k: usize, joined: Read<S>, merge: &impl Fn(&mut S, S)) {
        let Read { errors, state, .. } = joined;
        if let Some((errors, tally)) = errors {
            self.sink.absorb(errors, tally);
        }
        if let Some(part) = self.parts.get_mut(k).and_then(Option::as_mut) {
            part.end = csv::PartEnd::Done;
        }
        if let Some(st) = state {
            self.add(st, merge);
        }
    }
}

/// Where a part's bytes come from: read already (`buf[..len]`), or from the file, again.
enum Bytes<'b> {
    Read(&'b mut Vec<u8>, usize),
    File,
}

/// A file read in parts: its state and its digest (its errors are reported to the sink).
pub(super) struct Parts<S> {
    pub state: S,
    pub digest: Digest,
}

/// Reads the rows of `opened` in parts of about `size` bytes on `threads` threads, while a
/// reader thread reads the file through; the errors go to `sink`, in file order. `None` when the
/// file could not be read through, a thread failed, or the parts were given up: the caller then
/// forgets what `sink` was told since and reads the file in one go.
#[expect(
    clippy::too_many_arguments,
    reason = "the file, its parts and threads, the decoder, the caller's callbacks and other work"
)]
pub(super) fn read_parts<S: Send>(
    opened: &csv::Opened,
    size: u64,
    threads: usize,
    decoder: &Decoder<'_>,
    entities: &Entities,
    path: &Path,
    sink: &mut Capped<'_>,
    init: &(impl Fn() -> S + Sync),
    f: &(impl Fn(&mut S, &Row<'_>) + Sync),
    skip: &(impl Fn(&mut S, Option<(RecordId, u32)>) + Sync),
    merge: &(impl Fn(&mut S, S) + Sync),
    idle: &(dyn Fn() -> bool + Sync),
) -> Option<Parts<S>> {
    let file = path.display().to_string();
    let handoff = Handoff {
        shelf: Mutex::new(Shelf::default()),
        changed: Condvar::new(),
        limit: held_at_once(threads),
    };
    let fold = Mutex::new(Fold::new(held_at_once(threads).saturating_mul(4), sink));
    let size = usize::try_from(size)
        .unwrap_or(usize::MAX)
        .clamp(1, 1 << 30);
    // Parses part after part, as the reader hands them over.
    // Parses the rows from `from` to `to`, read already or read from the file, into a state of
    // their own.
    let parse = |bytes: Bytes<'_>, from: u64, base: u64, to: Option<u64>| -> Read<S> {
        let mut decoder = decoder.clone();
        let mut state = init();
        let mut errors = Vec::new();
        let mut sink = Capped::part(file.clone(), &mut errors);
        let visit = |sink: &mut Capped<'_>, pos: Pos, cells: &Cells<'_>| {
            if let Some(who) = decoder.row(entities, path, sink, pos, cells, &mut |row| {
                f(&mut state, row)
            }) {
                skip(&mut state, who);
            }
        };
        let end = match bytes {
            Bytes::Read(buf, len) => opened.part_in(buf, len, from, base, to, &mut sink, visit),
            Bytes::File => opened.part(from, base, to, &mut sink, visit),
        };
        let tally = sink.into_part();
        Read {
            from,
            base,
            to,
            end,
            errors: Some((errors, tally)),
            state: Some(state),
        }
    };
    let work = |_| -> Option<()> {
        while let Some((k, cut)) = handoff.take(idle) {
            let Cut {
                buf,
                len,
                from,
                base,
                last,
            } = cut;
            let mut lent = Lent {
                handoff: &handoff,
                buf,
            };
            let to = (!last).then(|| from + len as u64);
            let lock = || fold.lock().unwrap_or_else(|p| p.into_inner());
            if lock().dropped(k) {
                // Read already, with a part before it read again to the end of the file.
                drop(lent);
                let part = Read {
                    from,
                    base,
                    to,
                    end: csv::PartEnd::Done,
                    errors: None,
                    state: None,
                };
                lock().put(k, part, merge);
                continue;
            }
            let part = parse(Bytes::Read(&mut lent.buf, len), from, base, to);
            drop(lent);
            let mut again = lock().put(k, part, merge);
            // A part that ended inside quotes, read again from the file with the next.
            while let Some(Rejoin { k, from, base, to }) = again {
                let joined = parse(Bytes::File, from, base, to);
                let mut fold = lock();
                again = fold.rejoined(k, joined, merge);
                if fold.given_up {
                    // The file is read in one go instead: no more parts are wanted.
                    handoff.close();
                }
            }
            if lock().given_up {
                handoff.close();
            }
        }
        Some(())
    };
    let digest = std::thread::scope(|s| {
        let reader = std::thread::Builder::new()
            .name("read".into())
            .spawn_scoped(s, || read_ahead(path, opened, size, &handoff))
            .ok()?;
        crate::pool::pool_then(threads, threads, work, idle);
        handoff.close();
        reader.join().ok().flatten()
    });
    // The reader read every part, or the parts are not the file's.
    let digest = digest?;
    let fold = fold.into_inner().unwrap_or_else(|p| p.into_inner());
    let n = handoff.lock().read;
    let merged = fold.rest_from.is_some() || fold.next == n;
    if fold.given_up || fold.rejoining || !merged || fold.parts.len() != n {
        return None;
    }
    if fold.parts.iter().any(Option::is_none) {
        return None;
    }
    let state = fold.state;
    Some(Parts {
        state: state.unwrap_or_else(init),
        digest,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, reason = "tests fail loudly")]
    use super::*;

    /// A part of the rows `rows` (its state), ending as `end`, at `from..to`.
    fn part(from: u64, to: Option<u64>, end: csv::PartEnd, rows: &[u32]) -> Read<Vec<u32>> {
        Read {
            from,
            base: from,
            to,
            end,
            errors: None,
            state: Some(rows.to_vec()),
        }
    }

    fn merge(all: &mut Vec<u32>, more: Vec<u32>) {
        all.extend(more);
    }

    use super::csv::PartEnd::{Done, Misaligned};

    #[test]
    fn parts_merge_in_file_order_whatever_order_they_end_in() {
        let mut errors1 = Vec::new();
        let mut sink1 = Capped::new("f.csv".into(), &mut errors1);
        let mut fold = Fold::new(8, &mut sink1);
        assert!(fold.put(2, part(20, None, Done, &[5]), &merge).is_none());
        assert!(
            fold.put(0, part(0, Some(10), Done, &[1, 2]), &merge)
                .is_none()
        );
        assert_eq!(fold.held, 1, "part 2 waits for part 1");
        assert!(
            fold.put(1, part(10, Some(20), Done, &[3, 4]), &merge)
                .is_none()
        );
        assert_eq!(fold.next, 3);
        assert_eq!(fold.held, 0);
        assert_eq!(fold.state, Some(vec![1, 2, 3, 4, 5]));
    }

    #[test]
    fn a_part_ending_inside_quotes_is_read_again_with_the_next() {
        let mut errors2 = Vec::new();
        let mut sink2 = Capped::new("f.csv".into(), &mut errors2);
        let mut fold = Fold::new(8, &mut sink2);
        assert!(fold.put(0, part(0, Some(10), Done, &[1]), &merge).is_none());
        // Part 1 ends inside quotes: nothing until part 2 is read, whose end is the joined end.
        assert!(
            fold.put(1, part(10, Some(20), Misaligned, &[99]), &merge)
                .is_none()
        );
        assert!(fold.put(3, part(30, None, Done, &[6]), &merge).is_none());
        let again = fold
            .put(2, part(20, Some(30), Done, &[98]), &merge)
            .unwrap();
        assert_eq!((again.k, again.from, again.to), (1, 10, Some(30)));
        // Read again, the joined part ends where a row ends: parts 1 and 2 are replaced by it.
        let joined = part(10, Some(30), Done, &[2, 3, 4]);
        assert!(fold.rejoined(1, joined, &merge).is_none());
        assert_eq!(fold.next, 4);
        assert_eq!(fold.held, 0);
        assert_eq!(fold.state, Some(vec![1, 2, 3, 4, 6]));
    }

    #[test]
    fn a_quote_left_open_is_read_to_the_end_of_the_file() {
        let mut errors3 = Vec::new();
        let mut sink3 = Capped::new("f.csv".into(), &mut errors3);
        let mut fold = Fold::new(8, &mut sink3);
        assert!(
            fold.put(0, part(0, Some(10), Misaligned, &[99]), &merge)
                .is_none()
        );
        let again = fold
            .put(1, part(10, Some(20), Misaligned, &[98]), &merge)
            .unwrap();
        assert_eq!(again.to, Some(20));
        // Joined, it still ends inside quotes: read from part 0 to the end of the file.
        let joined = part(0, Some(20), Misaligned, &[]);
        let again = fold.rejoined(0, joined, &merge).unwrap();
        assert_eq!((again.k, again.from, again.to), (0, 0, None));
        // Parts after it, read meanwhile or later, are dropped.
        assert!(fold.dropped(1) && fold.dropped(5));
        assert!(fold.put(2, part(20, None, Done, &[97]), &merge).is_none());
        assert_eq!(fold.held, 0);
        let rest = part(0, None, Done, &[1, 2, 3]);
        assert!(fold.rejoined(0, rest, &merge).is_none());
        assert_eq!(fold.state, Some(vec![1, 2, 3]));
        assert!(!fold.given_up);
    }

    #[test]
    fn too_many_parts_waiting_give_the_parts_up() {
        let mut errors4 = Vec::new();
        let mut sink4 = Capped::new("f.csv".into(), &mut errors4);
        let mut fold = Fold::new(2, &mut sink4);
        for k in 1..=3 {
            fold.put(k, part(k as u64, None, Done, &[1]), &merge);
        }
        assert!(fold.given_up, "three states held, at most two");
        // And a joined part still inside quotes at the end of the file gives up too.
        let mut errors5 = Vec::new();
        let mut sink5 = Capped::new("f.csv".into(), &mut errors5);
        let mut fold = Fold::new(8, &mut sink5);
        fold.put(0, part(0, Some(10), Misaligned, &[]), &merge);
        let again = fold.put(1, part(10, None, Done, &[]), &merge).unwrap();
        assert_eq!(again.to, None);
        fold.rejoined(0, part(0, None, csv::PartEnd::Failed, &[]), &merge);
        assert!(fold.given_up);
    }
}
