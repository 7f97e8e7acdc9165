//! Cell text → [`Value`], per field type. One parser per record, shared by every format: CSV hands it
//! cell text, YAML and JSON hand it scalars as text (and lists for set fields).

use chrono::NaiveDate;

use crate::check::model::{EnumId, Ratio, Record, RecordId, Schema, Type, Value};
use crate::suggest::closest;
use crate::syntax::ast::{Duration, DurationUnit};

use super::entities::Entities;
use super::error::{DataErrorKind, HIDDEN, list, quote, shown};

/// What is wrong with one cell; the caller adds file, location and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Problem {
    pub kind: DataErrorKind,
    pub message: String,
    pub help: String,
}

impl Problem {
    fn value(message: String, help: impl Into<String>) -> Problem {
        Problem {
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
    /// A CSV cell whose bytes are not UTF-8, read as Windows-1252 (see [`windows_1252`]).
    Recoded(String),
}

/// Decodes Windows-1252, what Excel on Windows saves as "CSV": Latin-1 with typographic
/// characters in 0x80-0x9F (the WHATWG index; its five unassigned bytes stay C1 controls).
pub(crate) fn windows_1252(bytes: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '\u{20AC}', '\u{81}', '\u{201A}', '\u{192}', '\u{201E}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{2C6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8D}', '\u{17D}',
        '\u{8F}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}',
        '\u{2014}', '\u{2DC}', '\u{2122}', '\u{161}', '\u{203A}', '\u{153}', '\u{9D}', '\u{17E}',
        '\u{178}',
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => HIGH
                .get(usize::from(b - 0x80))
                .copied()
                .unwrap_or('\u{FFFD}'),
            _ => char::from(b),
        })
        .collect()
}

/// Matches the values of one enum type, ignoring case and treating spaces, hyphens and
/// underscores alike (`Back-to-School` is `back_to_school`).
#[derive(Clone, Debug)]
struct EnumMatcher {
    id: EnumId,
    name: String,
    values: Vec<String>,
    normalized: Vec<String>,
    /// The policy's other spellings of values (`"African American"` for `black`), normalized.
    spellings: Vec<(String, u32)>,
    /// Per [`slot`] of a spelling (its length and first byte): the one value there, or
    /// [`NO_VALUE`], or [`MANY_VALUES`] when several share it.
    slots: Box<[u8; 256]>,
}

const NO_VALUE: u8 = u8::MAX;
const MANY_VALUES: u8 = u8::MAX - 1;

/// Where a spelling's value is looked up: its length and first byte, 4 bits each.
#[inline(always)]
fn slot(raw: &[u8]) -> usize {
    let first = raw.first().copied().unwrap_or(0);
    ((raw.len() & 15) << 4) | usize::from(first & 15)
}

impl EnumMatcher {
    fn new(schema: &Schema, id: EnumId) -> Option<EnumMatcher> {
        let t = schema.enum_type(id)?;
        let mut slots = Box::new([NO_VALUE; 256]);
        for (i, v) in t.values.iter().enumerate() {
            let entry = slots.get_mut(slot(v.as_bytes()))?;
            *entry = match (*entry, u8::try_from(i)) {
                (NO_VALUE, Ok(i)) if i < MANY_VALUES => i,
                _ => MANY_VALUES,
            };
        }
        Some(EnumMatcher {
            id,
            name: t.name.clone(),
            values: t.values.clone(),
            normalized: t.values.iter().map(|v| normalize(v)).collect(),
            spellings: t
                .spellings
                .iter()
                .map(|(text, i)| (normalize(text), *i))
                .collect(),
            slots,
        })
    }

    /// The index of a value spelled exactly, from a cell's bytes: looked up by length and first
    /// byte, then compared whole.
    #[inline(always)]
    fn exact(&self, raw: &[u8]) -> Option<(EnumId, u32)> {
        let i = match self.slots.get(slot(raw)).copied() {
            None | Some(NO_VALUE) => return None,
            Some(MANY_VALUES) => self.values.iter().position(|v| same(v.as_bytes(), raw))?,
            Some(i) => {
                let i = usize::from(i);
                if !same(self.values.get(i)?.as_bytes(), raw) {
                    return None;
                }
                i
            }
        };
        Some((self.id, u32::try_from(i).ok()?))
    }

    /// The index of a value. The exact spelling is tried first, without allocating; then the
    /// value's name and the policy's other spellings, in any case and spacing.
    fn find(&self, text: &str, scratch: &mut String) -> Option<u32> {
        if let Some(i) = self.values.iter().position(|v| v == text) {
            return u32::try_from(i).ok();
        }
        normalize_into(text, scratch);
        match self.normalized.iter().position(|v| v == scratch) {
            Some(i) => u32::try_from(i).ok(),
            None => self
                .spellings
                .iter()
                .find(|(s, _)| s == scratch)
                .map(|(_, i)| *i),
        }
    }

    /// Whether `text` names a value, however it is spelt.
    fn knows(&self, text: &str) -> bool {
        self.find(text, &mut String::new()).is_some()
    }

    fn unknown(&self, text: &str, private: bool) -> Problem {
        let mut help = String::new();
        if !private && let Some(c) = closest(&normalize(text), self.values.iter()) {
            help.push_str(&format!("did you mean {}? ", quote(c)));
        }
        const SHOWN: usize = 12;
        let names: Vec<&str> = self.values.iter().take(SHOWN).map(String::as_str).collect();
        help.push_str(&format!("allowed values: {}", list(&names)));
        if self.values.len() > SHOWN {
            help.push_str(&format!(" and {} more", self.values.len() - SHOWN));
        }
        // An export's own name for a value is a policy edit away.
        help.push_str(&format!(
            " (an export's other name for one is listed with it in `type {}`)",
            self.name
        ));
        Problem::value(
            format!("unknown `{}` value {}", self.name, shown(text, private)),
            help,
        )
    }
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

/// Lowercase; runs of spaces, hyphens and underscores become one `_`; trimmed.
pub(crate) fn normalize(text: &str) -> String {
    let mut s = String::new();
    normalize_into(text, &mut s);
    s
}

fn normalize_into(text: &str, out: &mut String) {
    out.clear();
    out.extend(normalized(text));
}

pub(crate) use crate::check::model::normalized;

/// The last id a reference field resolved: data sorted by school resolves each school once.
#[derive(Clone, Debug, Default)]
struct RefCache {
    id: String,
    index: u32,
    valid: bool,
}

/// The last cell a scalar field (a date, a number) parsed, as its raw bytes and value: a large
/// extract repeats the same date in every row, and a value is a function of its cell's bytes.
#[derive(Clone, Debug, Default)]
struct LastCell {
    raw: Vec<u8>,
    value: Option<Value>,
}

/// Byte equality for the short cells of an extract (ids, codes, dates), a word at a time
/// instead of a call to `memcmp`.
#[inline(always)]
fn same(a: &[u8], b: &[u8]) -> bool {
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
fn put(slot: &mut Value, v: Value) {
    match slot {
        Value::Null | Value::Enum(..) | Value::Ref(..) | Value::Int(_) | Value::Date(_) => {
            // Nothing to free: write over it.
            let old = std::mem::replace(slot, v);
            std::mem::forget(old);
        }
        _ => *slot = v,
    }
}

/// Scalar types whose values are cheap to copy and depend on the cell's text alone.
fn cacheable(ty: Type) -> bool {
    matches!(
        ty,
        Type::Int
            | Type::Weight
            | Type::Number
            | Type::Percent
            | Type::Bool
            | Type::Date
            | Type::Ratio
            | Type::SchoolYear
            | Type::Duration
    )
}

#[derive(Clone, Debug)]
struct FieldInfo {
    name: String,
    ty: Type,
    optional: bool,
    private: bool,
    matcher: Option<EnumMatcher>,
    cache: RefCache,
    last: LastCell,
}

/// Parses the cells of one record type.
#[derive(Clone, Debug)]
pub(crate) struct RecordParser {
    fields: Vec<FieldInfo>,
    /// Entity record names, for messages.
    ref_names: Vec<(RecordId, String)>,
    scratch: String,
    /// What was read leniently since [`RecordParser::take_notes`]: the first field of each kind.
    notes: Vec<(Lenient, usize)>,
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

impl RecordParser {
    pub fn new(schema: &Schema, record: &Record) -> RecordParser {
        let fields = record
            .fields
            .iter()
            .map(|f| FieldInfo {
                name: f.name.clone(),
                ty: f.ty,
                optional: f.optional,
                private: f.private,
                matcher: match f.ty {
                    Type::Enum(e) | Type::Set(e) => EnumMatcher::new(schema, e),
                    _ => None,
                },
                cache: RefCache::default(),
                last: LastCell::default(),
            })
            .collect();
        let ref_names = schema
            .records
            .iter()
            .enumerate()
            .map(|(i, r)| (RecordId(i), r.name.clone()))
            .collect();
        RecordParser {
            fields,
            ref_names,
            scratch: String::new(),
            notes: Vec::new(),
        }
    }

    fn note(&mut self, kind: Lenient, field: usize) {
        if !self.notes.iter().any(|(k, _)| *k == kind) {
            self.notes.push((kind, field));
        }
    }

    /// Whether anything was read leniently since [`RecordParser::take_notes`].
    #[inline(always)]
    pub fn has_notes(&self) -> bool {
        !self.notes.is_empty()
    }

    /// What was read leniently since the last call, each kind with the first field it was in.
    pub fn take_notes(&mut self) -> Vec<(Lenient, String)> {
        if self.notes.is_empty() {
            return Vec::new();
        }
        let notes = std::mem::take(&mut self.notes);
        notes
            .into_iter()
            .filter_map(|(k, f)| Some((k, self.fields.get(f)?.name.clone())))
            .collect()
    }

    /// The value of one cell. `entities` resolves references.
    pub fn cell(
        &mut self,
        field: usize,
        cell: Cell<'_>,
        entities: &Entities,
    ) -> Result<Value, Problem> {
        let Some(info) = self.fields.get(field) else {
            return Ok(Value::Null);
        };
        let missing = |marker: Option<&str>| {
            if info.optional {
                Ok(Value::Null)
            } else {
                let said = marker.map_or(String::new(), |m| format!(" (the cell says `{m}`)"));
                Err(Problem {
                    kind: DataErrorKind::Value,
                    message: format!("missing value for required field `{}`{said}", info.name),
                    help: format!(
                        "fill in `{}`, or mark the field `optional` in the policy",
                        info.name
                    ),
                })
            }
        };
        match cell {
            Cell::Missing => missing(None),
            Cell::Text(t) if trim(t).is_empty() => missing(None),
            Cell::Text(t) if self.null_marker(field, trim(t)) => {
                let read = missing(Some(trim(t)));
                if read.is_ok() {
                    self.note(Lenient::NullMarker, field);
                }
                read
            }
            Cell::Text(t) => {
                let private = info.private;
                self.text(field, trim(t), entities).map_err(|mut p| {
                    if private {
                        p.message.push_str(HIDDEN);
                    }
                    p
                })
            }
            Cell::List(items) => {
                let private = info.private;
                self.list(field, &items).map_err(|mut p| {
                    if private {
                        p.message.push_str(HIDDEN);
                    }
                    p
                })
            }
            Cell::Other(what) => Err(Problem::value(
                format!("expected {}, found {what}", describe(info.ty)),
                "write a single value",
            )),
            Cell::Recoded(text) => {
                self.note(Lenient::Recoded, field);
                self.cell(field, Cell::Text(&text), entities)
            }
        }
    }

    /// Whether a cell holds one of the words exports write for "no value" (`NULL`, `N/A`,
    /// `None`), and the field's value set has no value of that name. (`#N/A`, a spreadsheet's
    /// failed lookup, is an error, not an empty cell.)
    fn null_marker(&self, field: usize, t: &str) -> bool {
        is_null_marker(t)
            && !self
                .fields
                .get(field)
                .and_then(|f| f.matcher.as_ref())
                .is_some_and(|m| m.knows(t))
    }

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

    /// Like [`RecordParser::cell`], into a reused slot: a text field reuses the slot's string, so a
    /// streamed row allocates nothing. On error the slot is left as it was.
    pub fn cell_into(
        &mut self,
        field: usize,
        cell: Cell<'_>,
        entities: &Entities,
        slot: &mut Value,
    ) -> Result<(), Problem> {
        // Fast paths for the common cells of a large extract: the general path below gives the
        // same values, and every error.
        if let (Cell::Text(raw), Some(info)) = (&cell, self.fields.get(field)) {
            match info.ty {
                Type::Text => {
                    let t = trim(raw);
                    if !t.is_empty() && !is_null_marker(t) {
                        match slot {
                            Value::Text(s) => {
                                s.clear();
                                s.push_str(t);
                            }
                            _ => *slot = Value::Text(t.to_owned()),
                        }
                        return Ok(());
                    }
                }
                Type::Ref(r) if info.cache.valid && info.cache.id == *raw => {
                    *slot = Value::Ref(r, info.cache.index);
                    return Ok(());
                }
                // An id as the entity file spells it, without spaces around it.
                Type::Ref(r)
                    if trim(raw).len() == raw.len() && !raw.is_empty() && !is_null_marker(raw) =>
                {
                    if let Some(i) = entities.index(r, raw)
                        && let Some(info) = self.fields.get_mut(field)
                    {
                        info.cache.id.clear();
                        info.cache.id.push_str(raw);
                        info.cache.index = i;
                        info.cache.valid = true;
                        *slot = Value::Ref(r, i);
                        return Ok(());
                    }
                }
                Type::Enum(_) => {
                    if let Some(m) = &info.matcher
                        && let Some(i) = m.values.iter().position(|v| v == raw)
                        && let Ok(i) = u32::try_from(i)
                    {
                        *slot = Value::Enum(m.id, i);
                        return Ok(());
                    }
                }
                _ => {}
            }
        }
        let text = match &cell {
            Cell::Text(t) => Some(*t),
            _ => None,
        };
        *slot = self.cell(field, cell, entities)?;
        if let (Some(t), Some(info)) = (text, self.fields.get_mut(field))
            && cacheable(info.ty)
        {
            info.last.raw.clear();
            info.last.raw.extend_from_slice(t.as_bytes());
            info.last.value = Some(slot.clone());
        }
        Ok(())
    }

    fn list(&mut self, field: usize, items: &[&str]) -> Result<Value, Problem> {
        let Some(info) = self.fields.get(field) else {
            return Ok(Value::Null);
        };
        match (&info.matcher, info.ty) {
            (Some(m), Type::Set(_)) => {
                set(m, items.iter().copied(), info.private, &mut self.scratch)
            }
            _ => Err(Problem::value(
                format!("expected {}, found a list", describe(info.ty)),
                "write a single value",
            )),
        }
    }

    /// A non-empty, trimmed text.
    fn text(&mut self, field: usize, t: &str, entities: &Entities) -> Result<Value, Problem> {
        let Some(info) = self.fields.get_mut(field) else {
            return Ok(Value::Null);
        };
        let private = info.private;
        match info.ty {
            Type::Text => Ok(Value::Text(t.to_owned())),
            Type::Int => int(t, private).map(Value::Int),
            Type::Weight => match int(t, private) {
                Ok(n) if n < 0 => Err(Problem::value(
                    format!(
                        "a headcount cannot be negative, found {}",
                        shown(t, private)
                    ),
                    "write a whole number of 0 or more",
                )),
                r => r.map(Value::Int),
            },
            Type::Number => decimal(t).map(Value::Number).ok_or_else(|| {
                Problem::value(
                    format!("expected a number, found {}", shown(t, private)),
                    "write a decimal number, as `12` or `12.5`",
                )
            }),
            Type::Percent => percent(t, private).map(Value::Number),
            Type::Bool => boolean(t).map(Value::Bool).ok_or_else(|| {
                Problem::value(
                    format!("expected true or false, found {}", shown(t, private)),
                    "write one of `true`, `false`, `yes`, `no`, `y`, `n`, `1`, `0`",
                )
            }),
            Type::Date => {
                let (d, zoned) = date_zoned(t, private)?;
                if zoned {
                    self.note(Lenient::TimeZone, field);
                }
                Ok(Value::Date(d))
            }
            Type::Ratio => pair(t).map(|(a, b)| Value::Pair(a, b)).ok_or_else(|| {
                Problem::value(
                    format!("expected a ratio, found {}", shown(t, private)),
                    "write two whole numbers with a colon, as `60:40`",
                )
            }),
            Type::SchoolYear => school_year(t, private).map(Value::SchoolYear),
            Type::Duration => duration(t).map(Value::Duration).ok_or_else(|| {
                Problem::value(
                    format!("expected a duration, found {}", shown(t, private)),
                    "write a number and a unit, as `5 weeks`, `10 days`, `2 years`",
                )
            }),
            Type::Enum(_) => match &info.matcher {
                Some(m) => match m.find(t, &mut self.scratch) {
                    Some(i) => Ok(Value::Enum(m.id, i)),
                    None => Err(m.unknown(t, private)),
                },
                None => Err(Problem::value(
                    "this field's value set is not declared".into(),
                    "check the policy",
                )),
            },
            Type::Set(_) => match &info.matcher {
                Some(m) => set(m, split_set(t), private, &mut self.scratch),
                None => Err(Problem::value(
                    "this field's value set is not declared".into(),
                    "check the policy",
                )),
            },
            Type::Ref(record) => {
                if info.cache.valid && info.cache.id == t {
                    return Ok(Value::Ref(record, info.cache.index));
                }
                match entities.index(record, t) {
                    Some(i) => {
                        info.cache.id.clear();
                        info.cache.id.push_str(t);
                        info.cache.index = i;
                        info.cache.valid = true;
                        Ok(Value::Ref(record, i))
                    }
                    None => {
                        let name = self
                            .ref_names
                            .iter()
                            .find(|(r, _)| *r == record)
                            .map_or("record", |(_, n)| n.as_str());
                        Err(unknown_ref(entities, record, name, t, private))
                    }
                }
            }
            // Not a field type yet: the checker gives no field this type.
            Type::Money | Type::Window => Err(Problem::value(
                "a window cannot be read from a data file".into(),
                "compute the window in the policy from dates in the data",
            )),
        }
    }
}

fn unknown_ref(
    entities: &Entities,
    record: RecordId,
    name: &str,
    t: &str,
    private: bool,
) -> Problem {
    if let Some(place) = entities.rejected(record, t) {
        return Problem {
            kind: DataErrorKind::Reference,
            message: format!("`{name}` {} has errors in its own row", shown(t, private)),
            help: format!("fix the `{name}` row at {place}"),
        };
    }
    let mut help = format!("no `{name}` has this id; fix the id or add the `{name}`");
    if !private && let Some(c) = closest(t, entities.ids(record).iter()) {
        help = format!(
            "did you mean {}? no `{name}` has the id {}",
            quote(c),
            quote(t)
        );
    }
    Problem {
        kind: DataErrorKind::Reference,
        message: format!("unknown `{name}` {}", shown(t, private)),
        help,
    }
}

/// How a type is named in "expected ..." messages.
fn describe(ty: Type) -> &'static str {
    match ty {
        Type::Text => "text",
        Type::Int => "a whole number",
        Type::Number => "a number",
        Type::Bool => "true or false",
        Type::Date => "a date",
        Type::Percent => "a percentage",
        Type::Ratio => "a ratio",
        Type::Duration => "a duration",
        Type::SchoolYear => "a school year",
        Type::Weight => "a headcount",
        Type::Enum(_) => "one value",
        Type::Set(_) => "a list of values",
        Type::Ref(_) => "an id",
        Type::Money => "an amount",
        Type::Window => "a window",
    }
}

fn split_set(t: &str) -> impl Iterator<Item = &str> {
    let t = t.trim();
    let t = t.strip_prefix('{').unwrap_or(t);
    let t = t.strip_suffix('}').unwrap_or(t);
    t.split([',', ';', '|'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn set<'a>(
    m: &EnumMatcher,
    items: impl Iterator<Item = &'a str>,
    private: bool,
    scratch: &mut String,
) -> Result<Value, Problem> {
    let mut out = Vec::new();
    for item in items {
        match m.find(item.trim(), scratch) {
            Some(i) => out.push(i),
            None => return Err(m.unknown(item.trim(), private)),
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(Value::Set(m.id, out))
}

/// A whole number: `12`, and as spreadsheets export it, `1,002` or `12.0`.
fn int(t: &str, private: bool) -> Result<i64, Problem> {
    if let Ok(n) = t.parse::<i64>() {
        return Ok(n);
    }
    if let Some(n) = grouped(t) {
        return Ok(n);
    }
    // `12.0`, `12.00` (a spreadsheet's number format): digits, a point, zeros.
    if let Some((whole, zeros)) = t.split_once('.')
        && !zeros.is_empty()
        && zeros.bytes().all(|b| b == b'0')
        && let Ok(n) = whole.parse::<i64>()
    {
        return Ok(n);
    }
    let help = if !private && decimal(t).is_some() {
        "write a whole number, without a decimal part"
    } else {
        "write a whole number, as `12`"
    };
    Err(Problem::value(
        format!("expected a whole number, found {}", shown(t, private)),
        help,
    ))
}

/// A whole number with thousands separators, `1,002` or `-12,345,678`.
fn grouped(t: &str) -> Option<i64> {
    let (negative, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let mut groups = body.split(',');
    let first = groups.next()?;
    if first.is_empty() || first.len() > 3 || !all_digits(first) {
        return None;
    }
    let mut n: i64 = first.parse().ok()?;
    let mut any = false;
    for g in groups {
        if g.len() != 3 || !all_digits(g) {
            return None;
        }
        n = n.checked_mul(1000)?.checked_add(g.parse::<i64>().ok()?)?;
        any = true;
    }
    any.then_some(if negative { -n } else { n })
}

/// A ratio in lowest terms, so equal values compare equal whatever their spelling.
fn reduced(num: i128, den: i128) -> Option<Ratio> {
    Ratio::new(num, den).map(Ratio::reduced)
}

/// Exact decimal text: `12`, `-3.25`, `.5`, `1e-7`. At most 30 significant digits.
pub(crate) fn decimal(t: &str) -> Option<Ratio> {
    let b = t.as_bytes();
    let mut i = 0;
    let negative = match b.first() {
        Some(b'-') => {
            i = 1;
            true
        }
        Some(b'+') => {
            i = 1;
            false
        }
        _ => false,
    };
    let mut num: i128 = 0;
    let mut digits = 0u32;
    let mut scale: i32 = 0;
    let mut seen_point = false;
    while let Some(&c) = b.get(i) {
        match c {
            b'0'..=b'9' => {
                num = num.checked_mul(10)?.checked_add(i128::from(c - b'0'))?;
                digits += 1;
                if seen_point {
                    scale += 1;
                }
            }
            b'.' if !seen_point => seen_point = true,
            _ => break,
        }
        i += 1;
    }
    if digits == 0 || digits > 30 {
        return None;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        let exp: i32 = t.get(i + 1..)?.parse().ok()?;
        if exp.abs() > 30 {
            return None;
        }
        scale -= exp;
        i = b.len();
    }
    if i != b.len() {
        return None;
    }
    let num = if negative { -num } else { num };
    if scale >= 0 {
        reduced(num, 10i128.checked_pow(scale.unsigned_abs())?)
    } else {
        reduced(
            num.checked_mul(10i128.checked_pow(scale.unsigned_abs())?)?,
            1,
        )
    }
}

/// `70%`, `70.5 %` → 7/10, 141/200.
fn percent(t: &str, private: bool) -> Result<Ratio, Problem> {
    let fail = || {
        Problem::value(
            format!("expected a percentage, found {}", shown(t, private)),
            "write a percentage with `%`, as `70%` or `70.5%`",
        )
    };
    let body = t.strip_suffix('%').ok_or_else(fail)?.trim_end();
    let r = decimal(body).ok_or_else(fail)?;
    reduced(r.num, r.den.checked_mul(100).ok_or_else(fail)?).ok_or_else(fail)
}

fn boolean(t: &str) -> Option<bool> {
    const TRUE: [&str; 4] = ["true", "yes", "y", "1"];
    const FALSE: [&str; 4] = ["false", "no", "n", "0"];
    if TRUE.iter().any(|w| w.eq_ignore_ascii_case(t)) {
        Some(true)
    } else if FALSE.iter().any(|w| w.eq_ignore_ascii_case(t)) {
        Some(false)
    } else {
        None
    }
}

fn pair(t: &str) -> Option<(i64, i64)> {
    let (a, b) = t.split_once(':')?;
    let a: i64 = a.trim().parse().ok()?;
    let b: i64 = b.trim().parse().ok()?;
    (a >= 0 && b >= 0).then_some((a, b))
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())
}

/// A date as exports write it: `1/31/2024` (month first), `2024-01-31`, `2024/01/31`,
/// `20240131`, `January 31, 2024`, `Jan 31 2024`, `31-Jan-2024`, each optionally followed by a time of day
/// (`1/31/2024 12:00:00 AM`, `2024-01-31T08:30:00Z`, `2024-01-31 00:00:00.000`), which is
/// ignored: a date-time stands for the day it falls on, as written. Two-digit years are refused
/// (is `1/31/24` 2024 or 1924?), with the four-digit spelling as help.
pub(crate) fn date(t: &str, private: bool) -> Result<NaiveDate, Problem> {
    date_zoned(t, private).map(|(d, _)| d)
}

/// `expected a date, found ...`, with the spellings to use.
fn not_a_date(t: &str, private: bool) -> Problem {
    Problem::value(
        format!("expected a date, found {}", shown(t, private)),
        "write dates month first, as `1/31/2024`, or as `2024-01-31`",
    )
}

/// [`date`], and whether the time after it named a time zone (`Z`, `+02:00`): the date is the
/// one written, not converted to the district's time.
fn date_zoned(t: &str, private: bool) -> Result<(NaiveDate, bool), Problem> {
    if let Some(d) = plain_date(t.as_bytes()) {
        return Ok((d, false));
    }
    let general = || not_a_date(t, private);
    // A spreadsheet's day number (45322 is 1/31/2024): a date column exported unformatted.
    // Said, not read: the same cell could be a count or a code.
    if t.len() == 5
        && all_digits(t)
        && let Ok(n) = t.parse::<i64>()
        && let Some(d) = NaiveDate::from_ymd_opt(1899, 12, 30)
            .and_then(|epoch| epoch.checked_add_signed(chrono::TimeDelta::days(n)))
    {
        let help = if private {
            "it looks like a spreadsheet's day number: format the column as dates (month first, as `1/31/2024`) before exporting".to_string()
        } else {
            format!(
                "it looks like a spreadsheet's day number for {}: format the column as dates (month first, as `1/31/2024`) before exporting",
                quote(&crate::check::model::us_date(d))
            )
        };
        return Err(Problem {
            help,
            ..not_a_date(t, private)
        });
    }
    let (day, zoned) = without_time(t).ok_or_else(general)?;
    let d = if !day.bytes().any(|b| b.is_ascii_alphabetic()) {
        numeric_date(t, day, private)
    } else {
        match named_month(day) {
            Some(Ok((y, m, d))) => ymd(t, private, y, m, d, false),
            Some(Err(two_digit)) => Err(two_digit_year(t, private, &two_digit)),
            None => numeric_date(t, day, private),
        }
    }?;
    Ok((d, zoned))
}

/// A cell of a scalar type in its plain spelling, read from its bytes: a date as [`plain_date`]
/// reads it, `true`/`false` (any case), a school year `2023-2024`, a whole number of digits.
/// `None` for anything else, which the general path reads (and reads the same way).
#[inline]
fn plain_scalar(ty: Type, raw: &[u8]) -> Option<Value> {
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
/// `2024-1-31`), read a byte at a time; `None` for anything else, which [`date_zoned`] reads (and
/// reads the same way).
#[inline]
fn plain_date(b: &[u8]) -> Option<NaiveDate> {
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

/// `t`'s date part when the rest, if any, is a time of day, and whether that names a time zone;
/// `None` when something else follows.
fn without_time(t: &str) -> Option<(&str, bool)> {
    let Some(colon) = t.find(':') else {
        return Some((t, false));
    };
    // The time starts after the space or `T` before its first colon.
    let head = t.get(..colon)?;
    let start = head.rfind([' ', 'T'])?;
    let (day, time) = (head.get(..start)?, t.get(start + 1..)?);
    let zoned = time_of_day(time.trim())?;
    Some((day.trim_end().trim_end_matches(',').trim_end(), zoned))
}

/// `8:30`, `08:30:00`, `00:00:00.000`, `12:00:00 AM`, `8:30 pm`, each optionally followed by `Z`,
/// `UTC` or an offset (`+02:00`, `-0800`, `+02`): whether it names a zone, or `None` when it is
/// not a time of day.
fn time_of_day(t: &str) -> Option<bool> {
    let b = t.as_bytes();
    let mut i = 0;
    // Up to `max` digits from `i`, their value and count.
    let digits = |i: &mut usize, max: usize| -> (u32, usize) {
        let (mut v, mut n) = (0u32, 0usize);
        while n < max
            && let Some(c) = b.get(*i).filter(|c| c.is_ascii_digit())
        {
            v = v * 10 + u32::from(c - b'0');
            n += 1;
            *i += 1;
        }
        (v, n)
    };
    let (h, hn) = digits(&mut i, 2);
    if hn == 0 || b.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    let (m, mn) = digits(&mut i, 2);
    if mn != 2 || m > 59 {
        return None;
    }
    if b.get(i) == Some(&b':') {
        i += 1;
        let (sec, sn) = digits(&mut i, 2);
        if sn != 2 || sec > 60 {
            return None;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            if digits(&mut i, 9).1 == 0 {
                return None;
            }
        }
    }
    let rest = t.get(i..).unwrap_or("").trim_start();
    let (meridiem, rest) = match rest.get(..2) {
        Some(x) if x.eq_ignore_ascii_case("am") || x.eq_ignore_ascii_case("pm") => {
            (true, rest.get(2..).unwrap_or("").trim_start())
        }
        _ => (false, rest),
    };
    let hour_ok = if meridiem {
        (1..=12).contains(&h)
    } else {
        h <= 23
    };
    if !hour_ok {
        return None;
    }
    if rest.is_empty() {
        return Some(false);
    }
    zone(rest).then_some(true)
}

/// `Z`, `UTC`, `GMT`, `+02:00`, `-0800`, `+02`.
fn zone(t: &str) -> bool {
    if ["z", "utc", "gmt"]
        .iter()
        .any(|z| t.eq_ignore_ascii_case(z))
    {
        return true;
    }
    let Some(offset) = t.strip_prefix(['+', '-']) else {
        return false;
    };
    let b = offset.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    match b.len() {
        2 => digit(0) && digit(1),
        4 => (0..4).all(digit),
        5 => digit(0) && digit(1) && b.get(2) == Some(&b':') && digit(3) && digit(4),
        _ => false,
    }
}

/// A date with the month's name: `January 31, 2024`, `Jan. 31 2024`, `31-Jan-2024`,
/// `31 January 2024`. `None` when `t` names no month; `Err` with the four-digit spelling when
/// the year has two digits.
fn named_month(t: &str) -> Option<Result<(i32, u32, u32), String>> {
    let parts: Vec<&str> = t
        .split([' ', ',', '-', '.', '/'])
        .filter(|p| !p.is_empty())
        .collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let (month, day, year) = match (month_number(a), month_number(b)) {
        (Some(m), None) => (m, *b, *c),
        (None, Some(m)) => (m, *a, *c),
        _ => return None,
    };
    if !all_digits(day) || day.len() > 2 || !all_digits(year) {
        return None;
    }
    let d: u32 = day.parse().ok()?;
    match year.len() {
        4 => Some(Ok((year.parse().ok()?, month, d))),
        2 => Some(Err(format!("{month}/{d}/20{year}"))),
        _ => None,
    }
}

/// The month a name or an abbreviation of at least three letters names (`Sept`, `jan`).
fn month_number(word: &str) -> Option<u32> {
    if word.len() < 3 || !word.bytes().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let word = word.to_ascii_lowercase();
    crate::syntax::ast::MONTH_NAMES
        .iter()
        .position(|name| name.to_ascii_lowercase().starts_with(&word))
        .and_then(|i| u32::try_from(i + 1).ok())
}

/// The error for a date whose year has two digits, with the date spelled out in full.
fn two_digit_year(t: &str, private: bool, example: &str) -> Problem {
    Problem::value(
        format!("{} has a two-digit year", shown(t, private)),
        if private {
            "write the year with four digits, as `1/31/2024`".to_string()
        } else {
            format!("write the year with four digits, as {}", quote(example))
        },
    )
}

/// `1/31/2024` (month first), `2024/01/31` or `2024-01-31`: `day` is `t` without its time.
fn numeric_date(t: &str, day: &str, private: bool) -> Result<NaiveDate, Problem> {
    let general = || not_a_date(t, private);
    // `20240131`, as state reporting files (CALPADS) write dates: year, month, day.
    if day.len() == 8
        && all_digits(day)
        && let (Some(y), Some(m), Some(d)) = (day.get(..4), day.get(4..6), day.get(6..))
        && let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>())
        && (1900..2100).contains(&y)
    {
        return ymd(t, private, y, m, d, false);
    }
    let slashes = day.contains('/');
    let mut parts = day.split(if slashes { '/' } else { '-' });
    let (Some(a), Some(b), Some(c), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(general());
    };
    let (a, b, c) = (a.trim(), b.trim(), c.trim());
    if ![a, b, c].iter().all(|p| all_digits(p)) {
        return Err(general());
    }
    // Month first with slashes, unless the year comes first (`2024/01/31`).
    let us = slashes && a.len() != 4;
    let (y, m, d) = if us { (c, a, b) } else { (a, b, c) };
    if m.len() > 2 || d.len() > 2 {
        return Err(general());
    }
    if us && y.len() == 2 {
        return Err(two_digit_year(t, private, &format!("{m}/{d}/20{y}")));
    }
    if y.len() != 4 {
        return Err(general());
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return Err(general());
    };
    ymd(t, private, y, m, d, us)
}

/// The date `y-m-d`, or why there is none: no such month (with the day-first reading as a hint
/// when `us`), or too few days in the month.
fn ymd(t: &str, private: bool, y: i32, m: u32, d: u32, us: bool) -> Result<NaiveDate, Problem> {
    if let Some(date) = NaiveDate::from_ymd_opt(y, m, d) {
        return Ok(date);
    }
    let Some(month) = m
        .checked_sub(1)
        .and_then(|i| crate::syntax::ast::MONTH_NAMES.get(i as usize))
    else {
        let mut help = "dates are month first, as `1/31/2024`".to_string();
        if us && (1..=12).contains(&d) && (1..=31).contains(&m) && !private {
            help = format!(
                "dates are month first: did you mean {}?",
                quote(&format!("{d}/{m}/{y}"))
            );
        }
        let message = if private {
            format!("{} is not a date", shown(t, private))
        } else {
            format!("{} is not a date: there is no month {m}", shown(t, private))
        };
        return Err(Problem::value(message, help));
    };
    let days = days_in_month(y, m);
    let message = if private {
        format!("{} is not a date", shown(t, private))
    } else {
        format!(
            "{} is not a date: {month} {y} has {days} days",
            shown(t, private)
        )
    };
    Err(Problem::value(
        message,
        if us {
            "check the day and the month; dates are month first, as `1/31/2024`"
        } else {
            "check the day and the month"
        },
    ))
}

fn days_in_month(y: i32, m: u32) -> u32 {
    let next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    };
    next.and_then(|n| n.pred_opt())
        .map_or(31, |last| chrono::Datelike::day(&last))
}

/// `2023-2024` or `2023-24` → 2023.
fn school_year(t: &str, private: bool) -> Result<i32, Problem> {
    let general = || {
        Problem::value(
            format!("expected a school year, found {}", shown(t, private)),
            "write a school year as `2023-2024` or `2023-24`",
        )
    };
    let (a, b) = t.split_once(['-', '/']).ok_or_else(general)?;
    let (a, b) = (a.trim(), b.trim());
    if !all_digits(a) || !all_digits(b) || a.len() != 4 || !(b.len() == 2 || b.len() == 4) {
        return Err(general());
    }
    let first: i32 = a.parse().map_err(|_| general())?;
    let second: i32 = b.parse().map_err(|_| general())?;
    let follows = if b.len() == 2 {
        second == (first + 1) % 100
    } else {
        second == first + 1
    };
    if !follows {
        return Err(Problem::value(
            format!(
                "{} is not a school year: the second year must follow the first",
                shown(t, private)
            ),
            if private {
                "write a school year as `2023-2024`".to_string()
            } else {
                format!("write {}", quote(&format!("{first}-{}", first + 1)))
            },
        ));
    }
    Ok(first)
}

fn duration(t: &str) -> Option<Duration> {
    let split = t.find(|c: char| !c.is_ascii_digit())?;
    let n: i64 = t.get(..split)?.parse().ok()?;
    let unit = match t.get(split..)?.trim().to_ascii_lowercase().as_str() {
        "day" | "days" => DurationUnit::Day,
        "week" | "weeks" => DurationUnit::Week,
        "month" | "months" => DurationUnit::Month,
        "year" | "years" => DurationUnit::Year,
        _ => return None,
    };
    Some(Duration { n, unit })
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
    use crate::check::model::{EnumType, Field};
    use crate::syntax::Span;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
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

    #[test]
    fn dates() {
        assert_eq!(date("1/31/2024", false), Ok(d(2024, 1, 31)));
        assert_eq!(date("01/05/2024", false), Ok(d(2024, 1, 5)));
        assert_eq!(date("2024-01-31", false), Ok(d(2024, 1, 31)));
        assert_eq!(date("2/29/2024", false), Ok(d(2024, 2, 29)));
        let e = date("2/30/2024", false).unwrap_err();
        assert_eq!(
            e.message,
            "`2/30/2024` is not a date: February 2024 has 29 days"
        );
        let e = date("1/31/24", false).unwrap_err();
        assert_eq!(e.message, "`1/31/24` has a two-digit year");
        assert_eq!(e.help, "write the year with four digits, as `1/31/2024`");
        let e = date("13/1/2024", false).unwrap_err();
        assert_eq!(e.help, "dates are month first: did you mean `1/13/2024`?");
        assert!(date("tomorrow", false).is_err());
        assert!(date("1/31/2024/5", false).is_err());
        assert!(date("2024-1-31x", false).is_err());
        let e = date("1/31/24", true).unwrap_err();
        assert!(!e.message.contains("24"), "{e:?}");
    }

    #[test]
    fn dates_as_exports_write_them() {
        let jan31 = Ok(d(2024, 1, 31));
        for t in [
            "2024/01/31",
            "1/31/2024 0:00",
            "1/31/2024 12:00:00 AM",
            "1/31/2024 11:59 pm",
            "2024-01-31T00:00:00",
            "2024-01-31T08:30:00Z",
            "2024-01-31T08:30:00.250-08:00",
            "2024-01-31 00:00:00.000",
            "2024-01-31 09:15 +0200",
            "January 31, 2024",
            "january 31 2024",
            "Jan 31, 2024",
            "Jan. 31, 2024",
            "JAN 31 2024",
            "31-Jan-2024",
            "31 January 2024",
            "Jan 31, 2024, 10:00 AM",
        ] {
            assert_eq!(date(t, false), jan31, "{t}");
        }
        assert_eq!(date("Sept 5, 2023", false), Ok(d(2023, 9, 5)));
        // State reporting files: year, month, day without separators.
        assert_eq!(date("20240131", false), Ok(d(2024, 1, 31)));
        assert_eq!(date("20240131 08:00", false), Ok(d(2024, 1, 31)));
        let e = date("20240230", false).unwrap_err();
        assert_eq!(
            e.message,
            "`20240230` is not a date: February 2024 has 29 days"
        );
        assert!(date("01312024", false).is_err());
        assert!(date("2024013", false).is_err());
        assert_eq!(date("AUGUST 28, 2023 10:00", false), Ok(d(2023, 8, 28)));
        // Not a time of day, not a month, or a day the month lacks.
        for t in [
            "1/31/2024 25:00",
            "1/31/2024 12:60",
            "1/31/2024 0:00 PM",
            "1/31/2024 13:00 PM",
            "1/31/2024 8:30 tomorrow",
            "2024-01-31T",
            "Ja 31, 2024",
            "Janx 31, 2024",
            "Jan 31",
            "Jan 31 2024 2025",
            "31-Jan-202",
        ] {
            assert!(date(t, false).is_err(), "{t}");
        }
        // A time zone is not converted; the caller is told it was there.
        assert_eq!(
            date_zoned("2024-01-31T23:30:00Z", false),
            Ok((d(2024, 1, 31), true))
        );
        assert_eq!(
            date_zoned("2024-01-31 08:00 -08:00", false),
            Ok((d(2024, 1, 31), true))
        );
        assert_eq!(
            date_zoned("2024-01-31T08:00:00", false),
            Ok((d(2024, 1, 31), false))
        );
        for t in [
            "2024-01-31T08:00+0:200",
            "2024-01-31T08:00+0200:",
            "2024-01-31T08:00+2",
        ] {
            assert!(date(t, false).is_err(), "{t}");
        }
        let e = date("Feb 30, 2024", false).unwrap_err();
        assert_eq!(
            e.message,
            "`Feb 30, 2024` is not a date: February 2024 has 29 days"
        );
        let e = date("31-Jan-24", false).unwrap_err();
        assert_eq!(e.message, "`31-Jan-24` has a two-digit year");
        assert_eq!(e.help, "write the year with four digits, as `1/31/2024`");
        let e = date("1/31/24 0:00", false).unwrap_err();
        assert_eq!(e.help, "write the year with four digits, as `1/31/2024`");
    }

    #[test]
    fn whole_numbers_as_exports_write_them() {
        assert_eq!(int("1,002", false), Ok(1002));
        assert_eq!(int("-12,345,678", false), Ok(-12_345_678));
        assert_eq!(int("12.0", false), Ok(12));
        assert_eq!(int("12.00", false), Ok(12));
        assert!(int("1,02", false).is_err());
        assert!(int("1,0023", false).is_err());
        assert!(int(",100", false).is_err());
        assert!(int("12.5", false).is_err());
        assert!(int("1e3", false).is_err());
        // Scientific notation (a spreadsheet rounds large numbers so) and bare points are not
        // whole numbers as written.
        for t in ["1.5E+3", "1.0e3", "1.23457E+11", "12.", "1.e2", ".0"] {
            assert!(int(t, false).is_err(), "{t}");
        }
    }

    #[test]
    fn numbers() {
        assert_eq!(decimal("12"), Ratio::new(12, 1));
        assert_eq!(decimal("0.50"), Ratio::new(1, 2));
        assert_eq!(decimal("-3.25"), Ratio::new(-13, 4));
        assert_eq!(decimal(".5"), Ratio::new(1, 2));
        assert_eq!(decimal("1e-7"), Ratio::new(1, 10_000_000));
        assert_eq!(decimal("2E3"), Ratio::new(2000, 1));
        assert_eq!(decimal("1.2.3"), None);
        assert_eq!(decimal("."), None);
        assert_eq!(decimal("9".repeat(40).as_str()), None);
        assert_eq!(percent("70%", false), Ok(Ratio { num: 7, den: 10 }));
        assert_eq!(percent("70.5 %", false), Ok(Ratio { num: 141, den: 200 }));
        assert!(percent("70", false).is_err());
        assert_eq!(pair("60:40"), Some((60, 40)));
        assert_eq!(pair("60 : 40"), Some((60, 40)));
        assert_eq!(pair("60/40"), None);
        assert_eq!(boolean("YES"), Some(true));
        assert_eq!(boolean("n"), Some(false));
        assert_eq!(boolean("maybe"), None);
        assert!(int("1.5", false).unwrap_err().help.contains("decimal"));
    }

    #[test]
    fn school_years() {
        assert_eq!(school_year("2023-2024", false), Ok(2023));
        assert_eq!(school_year("2023-24", false), Ok(2023));
        assert_eq!(school_year("1999-00", false), Ok(1999));
        let e = school_year("2023-2025", false).unwrap_err();
        assert_eq!(e.help, "write `2023-2024`");
        assert!(school_year("2023", false).is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(
            duration("5 weeks"),
            Some(Duration {
                n: 5,
                unit: DurationUnit::Week
            })
        );
        assert_eq!(duration("weeks"), None);
        assert_eq!(duration("5 fortnights"), None);
    }

    #[test]
    fn enum_names_are_normalised() {
        assert_eq!(normalize(" Back-to-School "), "back_to_school");
        assert_eq!(normalize("Open  House"), "open_house");
        assert_eq!(normalize("open__house"), "open_house");
        assert_eq!(trim(" \u{a0}x y\r"), "x y");
        assert_eq!(trim("\t\u{3000}"), "");
    }

    fn event_schema() -> Schema {
        Schema {
            enums: vec![EnumType {
                name: "event_kind".into(),
                values: vec!["back_to_school".into(), "open_house".into(), "other".into()],
                spellings: vec![("BTSN".into(), 0)],
                span: Span::default(),
            }],
            records: vec![Record {
                name: "event".into(),
                key: None,
                dating: Default::default(),
                fields: vec![
                    Field {
                        name: "kind".into(),
                        ty: Type::Enum(EnumId(0)),
                        optional: false,
                        private: false,
                        columns: Vec::new(),
                        span: Span::default(),
                    },
                    Field {
                        name: "kinds".into(),
                        ty: Type::Set(EnumId(0)),
                        optional: true,
                        private: false,
                        columns: Vec::new(),
                        span: Span::default(),
                    },
                ],
                span: Span::default(),
            }],
        }
    }

    #[test]
    fn enums_and_sets() {
        let schema = event_schema();
        let record = schema.records.first().unwrap();
        let mut p = RecordParser::new(&schema, record);
        let ents = Entities::default();
        let v = p.cell(0, Cell::Text("Back-to-School"), &ents);
        assert_eq!(v, Ok(Value::Enum(EnumId(0), 0)));
        let v = p.cell(0, Cell::Text(" Open House "), &ents);
        assert_eq!(v, Ok(Value::Enum(EnumId(0), 1)));
        let e = p.cell(0, Cell::Text("open hose"), &ents).unwrap_err();
        assert_eq!(e.message, "unknown `event_kind` value `open hose`");
        assert_eq!(
            e.help,
            "did you mean `open_house`? allowed values: `back_to_school`, `open_house` and `other` \
             (an export's other name for one is listed with it in `type event_kind`)"
        );
        let v = p.cell(1, Cell::Text("{other, open house, other}"), &ents);
        assert_eq!(v, Ok(Value::Set(EnumId(0), vec![1, 2])));
        let v = p.cell(1, Cell::List(vec!["other", "Back to School"]), &ents);
        assert_eq!(v, Ok(Value::Set(EnumId(0), vec![0, 2])));
        assert_eq!(p.cell(1, Cell::Missing, &ents), Ok(Value::Null));
        let e = p.cell(0, Cell::Text("  "), &ents).unwrap_err();
        assert_eq!(e.message, "missing value for required field `kind`");
        let e = p.cell(0, Cell::List(vec!["other"]), &ents).unwrap_err();
        assert_eq!(e.message, "expected one value, found a list");
    }

    #[test]
    fn null_markers_are_no_value_unless_a_value_is_so_named() {
        let mut schema = event_schema();
        let record = schema.records.first().unwrap();
        let ents = Entities::default();
        let mut p = RecordParser::new(&schema, record);
        for t in ["NULL", "null", "N/A", "None"] {
            assert_eq!(p.cell(1, Cell::Text(t), &ents), Ok(Value::Null), "{t}");
            let e = p.cell(0, Cell::Text(t), &ents).unwrap_err();
            assert_eq!(
                e.message,
                format!("missing value for required field `kind` (the cell says `{t}`)")
            );
        }
        // `#N/A` is a failed spreadsheet lookup, not an empty cell.
        assert!(p.cell(1, Cell::Text("#N/A"), &ents).is_err());
        // Each kind of lenient reading is noted once, with the first field it was in.
        p.take_notes();
        p.cell(1, Cell::Text("NULL"), &ents).unwrap();
        p.cell(1, Cell::Text("None"), &ents).unwrap();
        assert_eq!(
            p.take_notes(),
            vec![(Lenient::NullMarker, "kinds".to_string())]
        );
        assert_eq!(p.take_notes(), vec![]);
        // The policy's other spellings of a value, in any case and spacing.
        assert_eq!(
            p.cell(0, Cell::Text("btsn"), &ents),
            Ok(Value::Enum(EnumId(0), 0))
        );
        // A value set with a value `none` reads `None` as that value.
        schema.enums[0].values.push("none".into());
        let record = schema.records.first().unwrap();
        let mut p = RecordParser::new(&schema, record);
        assert_eq!(
            p.cell(0, Cell::Text("None"), &ents),
            Ok(Value::Enum(EnumId(0), 3))
        );
    }
}
