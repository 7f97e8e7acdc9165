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
    use crate::check::model::{EnumId, EnumType, Field, FieldId, Record, RecordId, Schema, Table};
    use crate::data::cell::date::{date_zoned, numeric_date, school_year};
    use crate::data::cell::enums::EnumMatcher;
    use crate::data::cell::number::{boolean, int};
    use crate::data::cell::{Cell, CellError};
    use crate::data::encoding::windows_1252;
    use crate::data::entities::Entities;
    use crate::syntax::Span;

    /// A seeded xorshift.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

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

    /// Word-at-a-time equality is byte equality, at every length and wherever two slices differ.
    #[test]
    fn same_is_byte_equality() {
        let mut rng = Rng(0x0123_4567_89ab_cdef);
        let mut equal = 0;
        for _ in 0..100_000 {
            let n = rng.below(24);
            let a: Vec<u8> = (0..n).map(|_| b"ab\x00\xff"[rng.below(4)]).collect();
            let mut b = a.clone();
            match rng.below(4) {
                0 => {}
                1 if n > 0 => b[rng.below(n)] ^= 1 << rng.below(8),
                2 => b.push(b'a'),
                _ => b = (0..rng.below(24)).map(|_| b"ab"[rng.below(2)]).collect(),
            }
            equal += usize::from(a == b);
            assert_eq!(same(&a, &b), a == b, "{a:?} {b:?}");
        }
        assert!(equal > 20_000, "only {equal} equal pairs");
    }

    fn enum_type(values: Vec<String>, spellings: Vec<(String, u32)>) -> EnumType {
        EnumType {
            name: "kind".into(),
            values,
            spellings,
            span: Span::default(),
        }
    }

    /// A value spelled exactly is found by its bytes, as the general lookup finds it; nothing
    /// else is. Value sets with many values sharing a slot (length and first byte), lengths past
    /// 15 and more values than a slot can index are all looked at.
    #[test]
    fn enum_exact_finds_what_the_general_lookup_finds() {
        let mut rng = Rng(0x0bad_cafe_f00d_0001);
        let sets: Vec<Vec<String>> = vec![
            // `a` and `q` share a slot (0x61, 0x71), and so do lengths 2 and 18.
            [
                "ab",
                "qb",
                "ac",
                "abcdefghijklmnopqr",
                "a",
                "other",
                "Mixed Case",
                "none",
            ]
            .iter()
            .map(|v| v.to_string())
            .collect(),
            (0..300).map(|i| format!("v{i}")).collect(),
            (0..40)
                .map(|i| format!("{}{i}", ["a", "q", "A"][i % 3]))
                .collect(),
        ];
        let mut found = 0;
        for values in sets {
            let schema = Schema {
                enums: vec![enum_type(values.clone(), vec![("AB".into(), 0)])].into(),
                records: Table::new(),
            };
            let m = EnumMatcher::new(&schema, EnumId(0)).unwrap();
            let mut cells: Vec<String> = values.clone();
            for _ in 0..20_000 {
                let mut c = values[rng.below(values.len())].clone().into_bytes();
                match rng.below(5) {
                    0 => {}
                    1 if !c.is_empty() => {
                        let i = rng.below(c.len());
                        c[i] = b"aqAb0 _-"[rng.below(8)];
                    }
                    2 => c.push(b"a0 "[rng.below(3)]),
                    3 => c.truncate(rng.below(c.len() + 1)),
                    _ => c.make_ascii_uppercase(),
                }
                cells.push(String::from_utf8(c).unwrap());
            }
            cells.push("AB".into());
            for c in &cells {
                let spelled = values.iter().position(|v| v == c);
                let got = m.exact(c.as_bytes());
                assert_eq!(got, spelled.map(|i| (EnumId(0), i as u32)), "{c:?}");
                if let Some((_, i)) = got {
                    found += 1;
                    assert_eq!(m.find(c, &mut String::new()), Some(i), "{c:?}");
                }
            }
        }
        assert!(found > 15_000, "only {found} found");
    }

    fn field(name: &str, ty: Type, optional: bool) -> Field {
        Field {
            name: name.into(),
            ty,
            optional,
            private: false,
            columns: Vec::new(),
            span: Span::default(),
        }
    }

    /// Every field type, each optional and required.
    fn every_type_schema() -> Schema {
        let types = [
            Type::Ref(RecordId(0)),
            Type::Enum(EnumId(0)),
            Type::Set(EnumId(0)),
            Type::Date,
            Type::Int,
            Type::Weight,
            Type::Bool,
            Type::SchoolYear,
            Type::Number,
            Type::Percent,
            Type::Text,
            Type::Duration,
            Type::Ratio,
        ];
        let fields = types
            .iter()
            .flat_map(|&ty| [field("o", ty, true), field("r", ty, false)])
            .collect();
        let values = [
            "back_to_school",
            "open_house",
            "other",
            "Mixed Case",
            "none",
        ];
        Schema {
            enums: vec![enum_type(
                values.iter().map(|v| v.to_string()).collect(),
                vec![("BTSN".into(), 0)],
            )]
            .into(),
            records: vec![
                Record {
                    name: "school".into(),
                    key: Some(FieldId(0)),
                    dating: Default::default(),
                    fields: vec![field("id", Type::Text, false)].into(),
                    span: Span::default(),
                },
                Record {
                    name: "visit".into(),
                    key: None,
                    dating: Default::default(),
                    fields,
                    span: Span::default(),
                },
            ]
            .into(),
        }
    }

    /// Cells of every kind, right and wrong for each type: ids, enum values, dates, numbers,
    /// booleans, school years, durations, ratios, empty and text.
    const CELLS: &[&[&str]] = &[
        &[
            "E01", "E02", "E10", " E01", "E01 ", "e01", "E99", "E13", "X",
        ],
        &[
            "back_to_school",
            "open_house",
            "other",
            "Mixed Case",
            "none",
            "Open House",
            "BTSN",
            "btsn",
            "open hose",
            "{other, open house}",
            "other;back_to_school",
        ],
        &[
            "1/31/2024",
            "01/31/2024",
            "2024-01-31",
            "2024-1-5",
            "2/29/2024",
            "2/30/2024",
            "13/1/2024",
            "1/31/24",
            "2024-01-31T08:00:00Z",
            "1/31/2024 0:00",
            "Jan 31, 2024",
            "20240131",
            "45322",
        ],
        &[
            "12",
            "0042",
            "-3",
            "1,002",
            "12.0",
            "12.5",
            "1e3",
            "70%",
            "70.5 %",
            "99999999999999999999",
            "0",
        ],
        &["true", "TRUE", "False", "yes", "n", "1", "maybe"],
        &["2023-2024", "2023-24", "2023-2025", "1999-00"],
        &["5 weeks", "10 days", "2 years", "weeks"],
        &["60:40", "60 : 40", "-1:2"],
        &["", "  ", "NULL", "n/a", "None", "#N/A", "hello", "a b"],
    ];

    /// How the reader reads a CSV cell: the fast path on its bytes, then the general path into
    /// the same slot. On error the slot must be left as it was.
    fn read_fast(
        p: &mut RecordParser,
        field: usize,
        raw: &[u8],
        entities: &Entities,
        slot: &mut Value,
    ) -> (Result<Value, CellError>, bool) {
        if p.exact(field, raw, slot) {
            return (Ok(slot.clone()), true);
        }
        let before = slot.clone();
        let cell = match std::str::from_utf8(raw) {
            Ok(t) => Cell::Text(t),
            Err(_) => Cell::Recoded(windows_1252(raw)),
        };
        let read = match p.cell_into(field, cell, entities, slot) {
            Ok(()) => Ok(slot.clone()),
            Err(e) => {
                assert_eq!(*slot, before, "the slot changed on an error");
                Err(e)
            }
        };
        (read, false)
    }

    /// The fast paths of a record's parser ([`RecordParser::exact`] and those in
    /// [`RecordParser::cell_into`], with the caches they share across rows) read every cell as
    /// the general path ([`RecordParser::cell`]) reads it, errors included, and note no lenient
    /// reading the general path does not note.
    #[test]
    fn record_fast_paths_read_as_the_general_path_reads() {
        let schema = every_type_schema();
        let record = &schema.records[RecordId(1)];
        let entities = Entities::of_ids(RecordId(0), &["E01", "E02", "E10"], &["E13"]);
        let mut rng = Rng(0x00c0_ffee_1234_5678);
        let mut fast = RecordParser::new(&schema, record);
        let mut general = RecordParser::new(&schema, record);
        let mut slots = vec![Value::Null; record.fields.len()];
        let (mut ok, mut errors, mut exact) = (0, 0, 0);
        let (mut noted_fast, mut noted_general) = (0, 0);
        for _ in 0..150_000 {
            let field = rng.below(record.fields.len());
            // Half the cells are of the kind the field's type reads (right or wrong), half any.
            let kind = match record.fields[FieldId(field)].ty {
                Type::Ref(_) => 0,
                Type::Enum(_) | Type::Set(_) => 1,
                Type::Date => 2,
                Type::Int | Type::Weight | Type::Number | Type::Percent => 3,
                Type::Bool => 4,
                Type::SchoolYear => 5,
                Type::Duration => 6,
                Type::Ratio => 7,
                _ => 8,
            };
            let cells = CELLS[if rng.below(2) == 0 {
                kind
            } else {
                rng.below(CELLS.len())
            }];
            let mut raw = cells[rng.below(cells.len())].as_bytes().to_vec();
            match rng.below(12) {
                0 => raw.insert(0, b' '),
                1 => raw.push(b' '),
                2 => raw.make_ascii_uppercase(),
                3 if !raw.is_empty() => {
                    let i = rng.below(raw.len());
                    raw[i] = b"0123456789/-: aE\xe9"[rng.below(17)];
                }
                4 => raw.truncate(rng.below(raw.len() + 1)),
                _ => {}
            }
            let (got, by_bytes) = read_fast(&mut fast, field, &raw, &entities, &mut slots[field]);
            exact += usize::from(by_bytes);
            let want = match std::str::from_utf8(&raw) {
                Ok(t) => general.cell(field, Cell::Text(t), &entities),
                Err(_) => general.cell(field, Cell::Recoded(windows_1252(&raw)), &entities),
            };
            assert_eq!(
                got,
                want,
                "{:?} cell {:?}",
                record.fields[FieldId(field)].ty,
                String::from_utf8_lossy(&raw)
            );
            if got.is_ok() {
                ok += 1;
            } else {
                errors += 1;
            }
            // A lenient reading is noted once per file: a cached cell is not noted again.
            let (f, g) = (fast.take_notes(), general.take_notes());
            noted_fast += f.len();
            noted_general += g.len();
            for n in &f {
                assert!(g.contains(n), "{n:?} noted by the fast path only");
            }
        }
        assert!(ok > 25_000 && errors > 25_000, "{ok} read, {errors} errors");
        assert!(noted_fast > 1000, "{noted_fast} of {noted_general} noted");
        assert!(exact > 10_000, "only {exact} read by their bytes");
    }
}
