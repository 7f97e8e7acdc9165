//! [`RecordParser`]: the fields of one record type, each cell read by the general path, with the
//! caches the fast paths share (the last reference resolved, the last scalar cell parsed).

use crate::check::model::{Record, RecordId, Schema, Type, Value};
use crate::data::entities::Entities;
use crate::data::error::{DataErrorKind, HIDDEN, quote, shown};
use crate::suggest::closest;

use super::date::{date_zoned, duration, school_year};
use super::enums::{EnumMatcher, set, split_set};
use super::number::{boolean, decimal, int, money, pair, percent};
use super::{Cell, CellError, Lenient, is_null_marker, trim};

/// The last id a reference field resolved: data sorted by school resolves each school once.
#[derive(Clone, Debug, Default)]
pub(super) struct RefCache {
    pub(super) id: String,
    pub(super) index: u32,
    pub(super) valid: bool,
}

/// The last cell a scalar field (a date, a number) parsed, as its raw bytes and value: a large
/// extract repeats the same date in every row, and a value is a function of its cell's bytes.
#[derive(Clone, Debug, Default)]
pub(super) struct LastCell {
    pub(super) raw: Vec<u8>,
    pub(super) value: Option<Value>,
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
pub(super) struct FieldInfo {
    pub(super) name: String,
    pub(super) ty: Type,
    pub(super) optional: bool,
    pub(super) private: bool,
    pub(super) matcher: Option<EnumMatcher>,
    pub(super) cache: RefCache,
    pub(super) last: LastCell,
}

/// Parses the cells of one record type.
#[derive(Clone, Debug)]
pub(crate) struct RecordParser {
    pub(super) fields: Vec<FieldInfo>,
    /// Entity record names, for messages.
    ref_names: Vec<(RecordId, String)>,
    scratch: String,
    /// What was read leniently since [`RecordParser::take_notes`]: the first field of each kind.
    notes: Vec<(Lenient, usize)>,
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
    ) -> Result<Value, CellError> {
        let Some(info) = self.fields.get(field) else {
            return Ok(Value::Null);
        };
        let missing = |marker: Option<&str>| {
            if info.optional {
                Ok(Value::Null)
            } else {
                let said = marker.map_or(String::new(), |m| format!(" (the cell says `{m}`)"));
                Err(CellError {
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
            Cell::Other(what) => Err(CellError::value(
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

    /// Like [`RecordParser::cell`], into a reused slot: a text field reuses the slot's string, so a
    /// streamed row allocates nothing. On error the slot is left as it was.
    pub fn cell_into(
        &mut self,
        field: usize,
        cell: Cell<'_>,
        entities: &Entities,
        slot: &mut Value,
    ) -> Result<(), CellError> {
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

    fn list(&mut self, field: usize, items: &[&str]) -> Result<Value, CellError> {
        let Some(info) = self.fields.get(field) else {
            return Ok(Value::Null);
        };
        match (&info.matcher, info.ty) {
            (Some(m), Type::Set(_)) => {
                set(m, items.iter().copied(), info.private, &mut self.scratch)
            }
            _ => Err(CellError::value(
                format!("expected {}, found a list", describe(info.ty)),
                "write a single value",
            )),
        }
    }

    /// A non-empty, trimmed text.
    fn text(&mut self, field: usize, t: &str, entities: &Entities) -> Result<Value, CellError> {
        let Some(info) = self.fields.get_mut(field) else {
            return Ok(Value::Null);
        };
        let private = info.private;
        match info.ty {
            Type::Text => Ok(Value::Text(t.to_owned())),
            Type::Int => int(t, private).map(Value::Int),
            Type::Weight => match int(t, private) {
                Ok(n) if n < 0 => Err(CellError::value(
                    format!(
                        "a headcount cannot be negative, found {}",
                        shown(t, private)
                    ),
                    "write a whole number of 0 or more",
                )),
                r => r.map(Value::Int),
            },
            Type::Number => decimal(t).map(Value::Number).ok_or_else(|| {
                CellError::value(
                    format!("expected a number, found {}", shown(t, private)),
                    "write a decimal number, as `12` or `12.5`",
                )
            }),
            Type::Percent => percent(t, private).map(Value::Number),
            Type::Money => money(t).map(Value::Number).ok_or_else(|| {
                CellError::value(
                    format!("expected an amount, found {}", shown(t, private)),
                    "write an amount as `$1,234.56`, `1234.56` or, for a negative one, `(1,234.56)`",
                )
            }),
            Type::Bool => boolean(t).map(Value::Bool).ok_or_else(|| {
                CellError::value(
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
                CellError::value(
                    format!("expected a ratio, found {}", shown(t, private)),
                    "write two whole numbers with a colon, as `60:40`",
                )
            }),
            Type::SchoolYear => school_year(t, private).map(Value::SchoolYear),
            Type::Duration => duration(t).map(Value::Duration).ok_or_else(|| {
                CellError::value(
                    format!("expected a duration, found {}", shown(t, private)),
                    "write a number and a unit, as `5 weeks`, `10 days`, `2 years`",
                )
            }),
            Type::Enum(_) => match &info.matcher {
                Some(m) => match m.find(t, &mut self.scratch) {
                    Some(i) => Ok(Value::Enum(m.id, i)),
                    None => Err(m.unknown(t, private)),
                },
                None => Err(CellError::value(
                    "this field's value set is not declared".into(),
                    "check the policy",
                )),
            },
            Type::Set(_) => match &info.matcher {
                Some(m) => set(m, split_set(t), private, &mut self.scratch),
                None => Err(CellError::value(
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
            Type::Window => Err(CellError::value(
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
) -> CellError {
    if let Some(place) = entities.rejected(record, t) {
        return CellError {
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
    CellError {
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
        Type::Money => "an amount",
        Type::Ratio => "a ratio",
        Type::Duration => "a duration",
        Type::SchoolYear => "a school year",
        Type::Weight => "a headcount",
        Type::Enum(_) => "one value",
        Type::Set(_) => "a list of values",
        Type::Ref(_) => "an id",
        Type::Window => "a window",
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
    use crate::check::model::{EnumId, EnumType, Field};
    use crate::syntax::Span;

    fn event_schema() -> Schema {
        Schema {
            enums: vec![EnumType {
                name: "event_kind".into(),
                values: vec!["back_to_school".into(), "open_house".into(), "other".into()],
                spellings: vec![("BTSN".into(), 0)],
                span: Span::default(),
            }]
            .into(),
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
                ]
                .into(),
                span: Span::default(),
            }]
            .into(),
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
        schema.enums[EnumId(0)].values.push("none".into());
        let record = schema.records.first().unwrap();
        let mut p = RecordParser::new(&schema, record);
        assert_eq!(
            p.cell(0, Cell::Text("None"), &ents),
            Ok(Value::Enum(EnumId(0), 3))
        );
    }
}
