//! A large CSV file read in parts on threads, from one read of the file in order.
//!
//! One thread, the reader, reads the file through once: it digests every byte (the SHA-256 a
//! report records of what it read), counts the line breaks that number each part's lines, and
//! cuts the rows into parts of a few MiB just after a line break, handing each to the next free
//! thread. A part is parsed in place, into accumulators of its own, which are merged into the
//! file's, in file order, as soon as every part before it is. At most `2 * threads + 4` parts
//! are held at once, so memory does not grow with the file.
//!
//! A cut may fall inside a quoted value (a line break in a name): the part before it then ends
//! inside the value ([`csv::PartEnd::Misaligned`]), and is read again from the file joined to the
//! part after it (to the end of the file if that still ends inside quotes); the parts joined
//! are dropped. Results never depend on where the cuts fall.

use std::io::Read as _;
use std::path::Path;
use std::sync::{Condvar, Mutex, MutexGuard};

use super::digest::{Digest, Hasher};
use super::error::{self, Capped, DataError};
use super::lines::PAD;
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
    /// Parts read and not yet taken, by index.
    cuts: Vec<Option<Cut>>,
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

    fn put(&self, k: usize, cut: Cut) {
        let mut shelf = self.lock();
        if shelf.cuts.len() <= k {
            shelf.cuts.resize_with(k + 1, || None);
        }
        if let Some(slot) = shelf.cuts.get_mut(k) {
            *slot = Some(cut);
        }
        shelf.read = k + 1;
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
            let k = shelf.taken;
            if k < shelf.read {
                shelf.taken += 1;
                let cut = shelf.cuts.get_mut(k).and_then(Option::take)?;
                return Some((k, cut));
            }
            if shelf.finished || shelf.failed || shelf.closed {
                return None;
            }
            drop(shelf);
            let busy = idle();
            shelf = self.lock();
            let over = shelf.finished || shelf.failed || shelf.closed;
            if !busy && shelf.taken >= shelf.read && !over {
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
    for k in 0.. {
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
        handoff.put(
            k,
            Cut {
                buf,
                len,
                from,
                base,
                last,
            },
        );
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
    last: bool,
    end: csv::PartEnd,
    /// Its errors, and how it counted them.
    errors: Option<(Vec<DataError>, error::PartTally)>,
    state: Option<S>,
}

/// The parts read, and the file's state: every part before `next` merged into it in order.
struct Fold<S> {
    next: usize,
    state: Option<S>,
    parts: Vec<Option<Read<S>>>,
}

impl<S> Fold<S> {
    /// Keeps part `k`, and merges every part now complete in order into the file's state.
    fn put(&mut self, k: usize, part: Read<S>, merge: &impl Fn(&mut S, S)) {
        if self.parts.len() <= k {
            self.parts.resize_with(k + 1, || None);
        }
        if let Some(slot) = self.parts.get_mut(k) {
            *slot = Some(part);
        }
        while let Some(Some(part)) = self.parts.get_mut(self.next) {
            if part.end != csv::PartEnd::Done {
                break;
            }
            if let Some(st) = part.state.take() {
                match &mut self.state {
                    Some(all) => merge(all, st),
                    None => self.state = Some(st),
                }
            }
            self.next += 1;
        }
    }
}

/// A file read in parts: its state, its errors and counts by part in order, and its digest.
pub(super) struct Parts<S> {
    pub state: S,
    pub errors: Vec<(Vec<DataError>, error::PartTally)>,
    pub digest: Option<Digest>,
}

/// Reads the rows of `opened` in parts of about `size` bytes on `threads` threads, while a
/// reader thread reads the file through. `None` when the file could not be read through or a
/// thread failed: the caller then reads it in one go.
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
    let fold = Mutex::new(Fold {
        next: 0,
        state: None,
        parts: Vec::new(),
    });
    let size = usize::try_from(size)
        .unwrap_or(usize::MAX)
        .clamp(1, 1 << 30);
    // Parses part after part, as the reader hands them over.
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
            let mut decoder = decoder.clone();
            let mut state = init();
            let mut errors = Vec::new();
            let mut sink = Capped::part(file.clone(), &mut errors);
            let end = opened.part_in(
                &mut lent.buf,
                len,
                from,
                base,
                to,
                &mut sink,
                |sink, pos, cells| {
                    if let Some(who) = decoder.row(entities, path, sink, pos, cells, &mut |row| {
                        f(&mut state, row)
                    }) {
                        skip(&mut state, who);
                    }
                },
            );
            let tally = sink.into_part();
            drop(lent);
            let part = Read {
                from,
                base,
                last,
                end,
                errors: Some((errors, tally)),
                state: Some(state),
            };
            fold.lock()
                .unwrap_or_else(|p| p.into_inner())
                .put(k, part, merge);
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
    let Fold {
        next,
        state,
        mut parts,
    } = fold.into_inner().unwrap_or_else(|p| p.into_inner());
    let n = handoff.lock().read;
    if parts.len() != n {
        return None;
    }
    let mut state = state;
    let mut merged = |st: S| match &mut state {
        Some(all) => merge(all, st),
        None => state = Some(st),
    };
    let mut errors = Vec::with_capacity(n);
    for part in parts.iter_mut().take(next).flatten() {
        errors.push(part.errors.take()?);
    }
    // From the first part that ended inside a quoted value, if any.
    let mut k = next;
    while k < n {
        let part = parts.get_mut(k)?.as_mut()?;
        match part.end {
            csv::PartEnd::Done => {
                merged(part.state.take()?);
                errors.push(part.errors.take()?);
                k += 1;
            }
            csv::PartEnd::Misaligned if !part.last => {
                let (from, base) = (part.from, part.base);
                // Joined to the next part; when that still ends inside quotes, to the end.
                let mut last = k + 1;
                loop {
                    // The joined part ends where part `last + 1` starts, or with the file.
                    let to = if parts.get(last)?.as_ref()?.last {
                        None
                    } else {
                        Some(parts.get(last + 1)?.as_ref()?.from)
                    };
                    let mut decoder = decoder.clone();
                    let mut st = init();
                    let mut errs = Vec::new();
                    let mut sink = Capped::part(file.clone(), &mut errs);
                    let end = opened.part(from, base, to, &mut sink, |sink, pos, cells| {
                        if let Some(who) =
                            decoder
                                .row(entities, path, sink, pos, cells, &mut |row| f(&mut st, row))
                        {
                            skip(&mut st, who);
                        }
                    });
                    let tally = sink.into_part();
                    match end {
                        csv::PartEnd::Done => {
                            merged(st);
                            errors.push((errs, tally));
                            k = last + 1;
                            break;
                        }
                        csv::PartEnd::Misaligned if last + 1 < n => last = n - 1,
                        _ => return None,
                    }
                }
            }
            _ => return None,
        }
    }
    Some(Parts {
        state: state.unwrap_or_else(init),
        errors,
        digest: Some(digest),
    })
}
