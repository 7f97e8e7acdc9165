//! Filter tables: the enum and bool fields a record's `where` filters read make one key per row,
//! and each filter that reads nothing else is decided by looking the key up in a table made before
//! any row is read. A date or whole-number field the filters only test against one constant
//! (`extracted == norm_day or missing`) is a field of the key too, with three values: equal to the
//! constant, another value, empty.

use super::*;

/// The most combinations of field values the filter tables of one record may index.
pub(super) const FILTER_TABLE_MAX: usize = 4096;

/// One field the filter tables are indexed by.
pub(super) struct Dim {
    pub(super) field: FieldId,
    pub(super) kind: DimKind,
    /// Values of the field; `n` itself stands for an empty field.
    pub(super) n: u32,
    pub(super) stride: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum DimKind {
    Enum(EnumId),
    Bool,
    /// A date or whole-number field read only as `== K` or `!= K` (and by `missing`): 0 is `K`,
    /// 1 any other value.
    Equals(Value),
}

/// The enum and bool fields of a record that its `where` filters read: a row's values of them
/// make one key, computed once per row, and every filter that reads nothing else is decided by
/// looking the key up in its table, made before any row is read.
#[derive(Default)]
pub(super) struct FilterKey {
    pub(super) dims: Vec<Dim>,
    pub(super) size: usize,
}

impl FilterKey {
    /// The key for the filters among `filters` that can be tabled (within [`FILTER_TABLE_MAX`]
    /// combinations together, first come first served).
    pub(super) fn new(filters: &[&TExpr], schema: &Schema, rec: &Record) -> Self {
        let mut key = FilterKey {
            dims: Vec::new(),
            size: 1,
        };
        for e in filters {
            let Some(fields) = tabled_fields(e, schema, rec) else {
                continue;
            };
            let mut dims = Vec::new();
            let mut size = key.size;
            // A field already in the key is read the same way here, or the filter is not covered.
            for (field, kind, n) in fields {
                if key.dims.iter().any(|d| d.field == field) {
                    continue;
                }
                let stride = size;
                match size.checked_mul(n as usize + 1) {
                    Some(s) if s <= FILTER_TABLE_MAX => size = s,
                    _ => {
                        dims.clear();
                        size = key.size;
                        break;
                    }
                }
                dims.push(Dim {
                    field,
                    kind,
                    n,
                    stride,
                });
            }
            key.dims.append(&mut dims);
            key.size = size;
        }
        key
    }

    pub(super) fn covers(&self, e: &TExpr, schema: &Schema, rec: &Record) -> bool {
        tabled_fields(e, schema, rec).is_some_and(|fs| {
            fs.iter()
                .all(|(f, k, _)| self.dims.iter().any(|d| d.field == *f && d.kind == *k))
        })
    }

    /// The row's key; `None` when a field holds something unexpected (then filters are
    /// evaluated on the row itself).
    #[inline]
    pub(super) fn of(&self, row: &[Value]) -> Option<usize> {
        let mut ix = 0usize;
        for d in &self.dims {
            let digit = match (row.value(d.field)?, &d.kind) {
                (Value::Enum(id, i), DimKind::Enum(want)) if id == want && *i < d.n => *i,
                (Value::Bool(b), DimKind::Bool) => u32::from(*b),
                (Value::Null, _) => d.n,
                (v @ Value::Date(_), DimKind::Equals(k @ Value::Date(_)))
                | (v @ Value::Int(_), DimKind::Equals(k @ Value::Int(_))) => u32::from(v != k),
                _ => return None,
            };
            ix += digit as usize * d.stride;
        }
        Some(ix)
    }

    /// A row holding the values that make key `ix`, or `None` outside the key's range.
    pub(super) fn row(&self, ix: usize, width: usize) -> Option<Vec<Value>> {
        let mut row = vec![Value::Null; width];
        for d in &self.dims {
            let digit = u32::try_from((ix / d.stride) % (d.n as usize + 1)).ok()?;
            *row.get_mut(d.field.0)? = match &d.kind {
                _ if digit == d.n => Value::Null,
                DimKind::Enum(id) => Value::Enum(*id, digit),
                DimKind::Bool => Value::Bool(digit == 1),
                DimKind::Equals(k) if digit == 0 => k.clone(),
                DimKind::Equals(k) => other_than(k)?,
            };
        }
        Some(row)
    }
}

/// The fields a filter reads, when it can be tabled: it reads no entity field, and only enum and
/// bool fields of the row, or date and whole-number fields it tests against one constant.
pub(super) fn tabled_fields(
    e: &TExpr,
    schema: &Schema,
    rec: &Record,
) -> Option<Vec<(FieldId, DimKind, u32)>> {
    if reads_entity(e) {
        return None;
    }
    let mut fields = Vec::new();
    collect_fields(e, &mut fields);
    fields.sort_unstable();
    fields.dedup();
    fields
        .into_iter()
        .map(|field| {
            let (kind, n) = match rec.fields.get(field)?.ty {
                Type::Enum(id) => (DimKind::Enum(id), schema.enum_type(id)?.values.len()),
                Type::Bool => (DimKind::Bool, 2),
                Type::Date | Type::Int => (DimKind::Equals(equality_constant(e, field)?), 2),
                _ => return None,
            };
            Some((field, kind, u32::try_from(n).ok()?))
        })
        .collect()
}

/// The one constant `K` that `e` tests `field` against, when it reads the field only as
/// `field == K` or `field != K` (either way round) and in `missing`: then whether a row's value is
/// `K`, another value or empty decides `e` as the value itself does.
fn equality_constant(e: &TExpr, field: FieldId) -> Option<Value> {
    let mut reads = 0usize;
    let mut sanctioned = 0usize;
    let mut constant: Option<Value> = None;
    let mut agree = true;
    e.walk(&mut |x| match &x.kind {
        TExprKind::RowField(f) if *f == field => reads += 1,
        TExprKind::Compare(CmpOp::Eq | CmpOp::Ne, l, r) => {
            let k = match (&l.kind, &r.kind) {
                (TExprKind::RowField(f), TExprKind::Const(k))
                | (TExprKind::Const(k), TExprKind::RowField(f))
                    if *f == field =>
                {
                    k
                }
                _ => return,
            };
            if !matches!(k, Value::Date(_) | Value::Int(_)) {
                agree = false;
            }
            match &constant {
                Some(c) if c != k => agree = false,
                Some(_) => {}
                None => constant = Some(k.clone()),
            }
            sanctioned += 1;
        }
        TExprKind::Missing(items) => {
            for item in items {
                item.walk(&mut |y| {
                    if matches!(y.kind, TExprKind::RowField(f) if f == field) {
                        sanctioned += 1;
                    }
                });
            }
        }
        _ => {}
    });
    (agree && reads == sanctioned).then_some(constant).flatten()
}

/// A value of the same kind as `k` that is not `k`.
fn other_than(k: &Value) -> Option<Value> {
    match k {
        Value::Date(d) => d.succ_opt().or_else(|| d.pred_opt()).map(Value::Date),
        Value::Int(i) => i
            .checked_add(1)
            .or_else(|| i.checked_sub(1))
            .map(Value::Int),
        _ => None,
    }
}

/// A `where` filter over a streamed row: none, a table indexed by the row's [`FilterKey`], or an
/// expression evaluated per row.
pub(super) enum RowFilter<'m> {
    Always,
    Table {
        /// Per key: whether the filter holds (is neither false nor undefined).
        table: Vec<bool>,
        expr: &'m TExpr,
    },
    Expr(&'m TExpr),
}

impl<'m> RowFilter<'m> {
    pub(super) fn new(
        filter: Option<&'m TExpr>,
        key: &FilterKey,
        schema: &Schema,
        rec: &Record,
    ) -> Self {
        let Some(e) = filter else {
            return RowFilter::Always;
        };
        if !key.covers(e, schema, rec) {
            return RowFilter::Expr(e);
        }
        // The filter reads nothing but the key's fields, so its value on a row made of them is
        // its value on every row that has them.
        let mut table = Vec::with_capacity(key.size);
        for ix in 0..key.size {
            let Some(row) = key.row(ix, rec.fields.len()) else {
                return RowFilter::Expr(e);
            };
            let holds = eval_bool(
                e,
                &mut RowScope {
                    row: &row,
                    entity: None,
                },
            );
            table.push(holds == Some(true));
        }
        RowFilter::Table { table, expr: e }
    }

    /// The index of the entity the row belongs to (through field `by`), with that entity's row
    /// when the filter reads it, if the row passes the filter; None otherwise.
    #[inline]
    pub(super) fn owner_if_passes<'e>(
        &self,
        by: FieldId,
        reads_entity: bool,
        key: Option<usize>,
        row: &[Value],
        entities: &'e Entities,
    ) -> Option<(u32, Option<&'e [Value]>)> {
        let Some(Value::Ref(er, ei)) = row.value(by) else {
            return None;
        };
        let entity = if reads_entity {
            entities.row(*er, *ei)
        } else {
            None
        };
        self.passes(key, row, entity).then_some((*ei, entity))
    }

    /// Whether the row passes: the filter holds (is neither false nor undefined).
    #[inline]
    pub(super) fn passes(
        &self,
        key: Option<usize>,
        row: &[Value],
        entity: Option<&[Value]>,
    ) -> bool {
        match self {
            RowFilter::Always => true,
            RowFilter::Table { table, expr } => match key.and_then(|k| table.get(k)) {
                Some(holds) => *holds,
                None => eval_bool(expr, &mut RowScope { row, entity }) == Some(true),
            },
            RowFilter::Expr(e) => eval_bool(e, &mut RowScope { row, entity }) == Some(true),
        }
    }
}
