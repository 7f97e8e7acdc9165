//! The fast paths of cell reading, on a CSV cell's bytes: each gives what the general path gives
//! (tested against it below), and leaves everything else to it.

use chrono::NaiveDate;

use crate::check::model::{Type, Value};

use super::parser::RecordParser;

/// Byte equality for the short cells of an extract (ids, codes, dates), a word at a time
/// instead of a call to `memcmp`.
#[inline(always)]
pub(super) fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    fn word8(s: Option<&[u8]>) -> Option<u64> {
        Some(u64::from_ne_bytes(s?.try_into().ok()?))
    }
    fn word4(s: Option<&[u8]>) -> Option<u32> {
        Some(u32::from_ne_bytes(s?.try_into().ok()?))
    }
    // Two overlapping words cover the whole of each slice.
    if (8..=16).contains(&n) {
        let tail = n - 8;
        return word8(a.get(..8)) == word8(b.get(..8))
            && word8(a.get(tail..)) == word8(b.get(tail..));
    }
    if (4..8).contains(&n) {
        let tail = n - 4;
        return word4(a.get(..4)) == word4(b.get(..4))
            && word4(a.get(tail..)) == word4(b.get(tail..));
    }
    a == b
}

/// Stores a value that owns no memory: when the slot holds none either (a null, an enum value,
/// a reference), it is overwritten without running its destructor.
#[inline(always)]
pub(super) fn put(slot: &mut Value, v: Value) {
    match slot {
        Value::Null | Value::Enum(..) | Value::Ref(..) | Value::Int(_) | Value::Date(_) => {
            // Nothing to free: write over it.
            let old = std::mem::replace(slot, v);
            std::mem::forget(old);
        }
        _ => *slot = v,
    }
}

impl RecordParser {
    /// The fastest path, on a CSV cell's bytes before any UTF-8 check: a reference equal to the
    /// last one resolved, an enum value spelled exactly, an empty optional cell, or a scalar cell
    /// equal to the last one parsed. Returns false when the cell needs the general path
    /// ([`RecordParser::cell_into`]).
    #[inline(always)]
    pub fn exact(&mut self, field: usize, raw: &[u8], slot: &mut Value) -> bool {
        let Some(info) = self.fields.get_mut(field) else {
            return false;
        };
        if raw.is_empty() {
            // The general path: an empty cell is missing, null when the field is optional.
            if info.optional {
                put(slot, Value::Null);
                return true;
            }
            return false;
        }
        match info.ty {
            Type::Ref(r) if info.cache.valid && same(info.cache.id.as_bytes(), raw) => {
                put(slot, Value::Ref(r, info.cache.index));
                true
            }
            Type::Enum(_) => match info.matcher.as_ref().and_then(|m| m.exact(raw)) {
                Some((id, i)) => {
                    put(slot, Value::Enum(id, i));
                    true
                }
                None => false,
            },
            _ => match &info.last.value {
                Some(v) if same(&info.last.raw, raw) => {
                    slot.clone_from(v);
                    true
                }
                _ => match plain_scalar(info.ty, raw) {
                    Some(v) => {
                        // Kept as the last value, as the general path keeps it: the norm day's
                        // date in every row is then read once.
                        info.last.raw.clear();
                        info.last.raw.extend_from_slice(raw);
                        info.last.value = Some(v.clone());
                        put(slot, v);
                        true
                    }
                    None => false,
                },
            },
        }
    }
}

/// A cell of a scalar type in its plain spelling, read from its bytes: a date as [`plain_date`]
/// reads it, `true`/`false` (any case), a school year `2023-2024`, a whole number of digits.
/// `None` for anything else, which the general path reads (and reads the same way).
#[inline]
pub(super) fn plain_scalar(ty: Type, raw: &[u8]) -> Option<Value> {
    let digits = |b: &[u8]| -> Option<i64> {
        if b.is_empty() || b.len() > 18 {
            return None;
        }
        b.iter().try_fold(0i64, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
        })
    };
    match ty {
        Type::Date => plain_date(raw).map(Value::Date),
        Type::Bool if raw.eq_ignore_ascii_case(b"true") => Some(Value::Bool(true)),
        Type::Bool if raw.eq_ignore_ascii_case(b"false") => Some(Value::Bool(false)),
        Type::Int | Type::Weight => digits(raw).map(Value::Int),
        Type::SchoolYear => match raw {
            [a @ .., b'-', c, d, e, f] if a.len() == 4 => {
                let (first, second) = (digits(a)?, digits(&[*c, *d, *e, *f])?);
                (second == first + 1).then(|| i32::try_from(first).ok().map(Value::SchoolYear))?
            }
            _ => None,
        },
        _ => None,
    }
}

/// The two spellings nearly every cell has, `1/31/2024` (or `01/31/2024`) and `2024-01-31` (or
/// `2024-1-31`), read a byte at a time; `None` for anything else, which
/// [`date_zoned`](super::date::date_zoned) reads (and reads the same way).
#[inline]
pub(super) fn plain_date(b: &[u8]) -> Option<NaiveDate> {
    // Up to two digits at `i`, then `sep`: their value and the index after `sep`.
    let small = |i: usize, sep: u8| -> Option<(u32, usize)> {
        let d0 = b.get(i).filter(|c| c.is_ascii_digit())?;
        match b.get(i + 1)? {
            c if *c == sep => Some((u32::from(d0 - b'0'), i + 2)),
            c if c.is_ascii_digit() && b.get(i + 2) == Some(&sep) => {
                Some((u32::from(d0 - b'0') * 10 + u32::from(c - b'0'), i + 3))
            }
            _ => None,
        }
    };
    // Exactly four digits from `i` to the end, or followed by `sep`.
    let year = |i: usize| -> Option<i32> {
        let mut y = 0i32;
        for k in i..i + 4 {
            let c = b.get(k).filter(|c| c.is_ascii_digit())?;
            y = y * 10 + i32::from(c - b'0');
        }
        Some(y)
    };
    let two_to_end = |i: usize| -> Option<u32> {
        match b.get(i..)? {
            [d] if d.is_ascii_digit() => Some(u32::from(d - b'0')),
            [d, e] if d.is_ascii_digit() && e.is_ascii_digit() => {
                Some(u32::from(d - b'0') * 10 + u32::from(e - b'0'))
            }
            _ => None,
        }
    };
    if b.get(4) == Some(&b'-') {
        let y = year(0)?;
        let (m, i) = small(5, b'-')?;
        let d = two_to_end(i)?;
        return NaiveDate::from_ymd_opt(y, m, d);
    }
    let (m, i) = small(0, b'/')?;
    let (d, i) = small(i, b'/')?;
    if b.len() != i + 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(year(i)?, m, d)
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
    use crate::data::cell::date::{date_zoned, numeric_date, school_year};
    use crate::data::cell::number::{boolean, int};

    /// `count` cells of up to `max_len - 1` bytes from `alphabet`, from a seeded xorshift.
    fn random_cells(
        seed: u64,
        count: usize,
        alphabet: &'static [u8],
        max_len: u64,
    ) -> impl Iterator<Item = String> {
        let mut x = seed;
        (0..count).map(move |_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % max_len) as usize;
            (0..len)
                .map(|k| alphabet[((x >> (5 * k + 4)) % alphabet.len() as u64) as usize] as char)
                .collect()
        })
    }

    /// The byte-at-a-time reading of the common spellings gives what the general reading gives,
    /// and leaves everything else to it.
    #[test]
    fn plain_dates_read_as_the_general_path_reads_them() {
        for t in [
            "1/31/2024",
            "01/05/2024",
            "12/1/2023",
            "2024-01-31",
            "2024-1-5",
            "2/29/2024",
        ] {
            assert!(plain_date(t.as_bytes()).is_some(), "{t}");
        }
        let mut read = 0;
        for t in random_cells(0x2545_f491_4f6c_dd1d, 1_000_000, b"0123456789/-/-12 ", 12) {
            if let Some(got) = plain_date(t.as_bytes()) {
                read += 1;
                assert_eq!(numeric_date(&t, &t, false), Ok(got), "{t:?}");
            }
        }
        assert!(read > 200, "only {read} random dates read");
    }

    /// The same for the other scalars [`plain_scalar`] reads from bytes.
    #[test]
    fn plain_scalars_read_as_the_general_path_reads_them() {
        let general = |ty: Type, t: &str| -> Option<Value> {
            match ty {
                Type::Date => date_zoned(t, false).ok().map(|(d, _)| Value::Date(d)),
                Type::Bool => boolean(t).map(Value::Bool),
                Type::Int => int(t, false).ok().map(Value::Int),
                Type::Weight => int(t, false).ok().filter(|n| *n >= 0).map(Value::Int),
                Type::SchoolYear => school_year(t, false).ok().map(Value::SchoolYear),
                _ => None,
            }
        };
        let types = [
            Type::Date,
            Type::Bool,
            Type::Int,
            Type::Weight,
            Type::SchoolYear,
        ];
        for (ty, t) in [
            (Type::Bool, "TRUE"),
            (Type::Bool, "false"),
            (Type::Int, "0042"),
            (Type::Weight, "17"),
            (Type::SchoolYear, "2023-2024"),
        ] {
            assert!(plain_scalar(ty, t.as_bytes()).is_some(), "{t}");
        }
        let mut read = 0;
        for t in random_cells(
            0x9e37_79b9_7f4a_7c15,
            400_000,
            b"0123456789-/ tRuEfAlse+.,2",
            11,
        ) {
            for ty in types {
                if let Some(got) = plain_scalar(ty, t.as_bytes()) {
                    read += 1;
                    assert_eq!(general(ty, &t), Some(got), "{ty:?} {t:?}");
                }
            }
        }
        assert!(read > 1000, "only {read} random cells read");
        for y in 1990..2100 {
            for t in [format!("{y}-{}", y + 1), format!("{y}-{}", y + 2)] {
                if let Some(got) = plain_scalar(Type::SchoolYear, t.as_bytes()) {
                    assert_eq!(general(Type::SchoolYear, &t), Some(got), "{t}");
                } else {
                    assert!(general(Type::SchoolYear, &t).is_none(), "{t}");
                }
            }
        }
    }
}
