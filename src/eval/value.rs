//! Evaluating typed expressions for one entity (and one row), with three-valued logic: `None` is
//! undefined (a share with no denominator, a missing date) and propagates.

use std::cmp::Ordering;

use chrono::NaiveDate;

use crate::check::model::*;

/// What an expression can read: the entity's fields and measures, categories, and the current row.
pub trait Scope {
    fn measure(&mut self, m: MeasureId) -> Option<Value>;
    fn category(&mut self, c: CategoryId) -> Option<bool>;
    fn entity_field(&self, f: FieldId) -> Option<&Value>;
    fn row_field(&self, f: FieldId) -> Option<&Value>;
    /// A measure of the entity whose row is being read (aggregations over entities).
    fn row_measure(&mut self, _m: MeasureId) -> Option<Value> {
        None
    }
    fn row_category(&mut self, _c: CategoryId) -> Option<bool> {
        None
    }
    /// The non-school days read from the data (`non_school_days from R.F`), when they could be
    /// read whole.
    fn school_calendar(&self) -> Option<&NonSchoolDays> {
        None
    }
    /// A value of the entity this one refers to through `field`.
    fn parent(&mut self, _field: FieldId, _e: &TExpr) -> Option<Value> {
        None
    }
}

/// A value, or None when undefined.
pub fn eval(e: &TExpr, s: &mut dyn Scope) -> Option<Value> {
    match &e.kind {
        TExprKind::Const(v) => Some(v.clone()),
        TExprKind::Measure(m) => s.measure(*m),
        TExprKind::Category(c) => s.category(*c).map(Value::Bool),
        TExprKind::EntityField(f) => non_null(s.entity_field(*f)).cloned(),
        TExprKind::RowField(f) => non_null(s.row_field(*f)).cloned(),
        TExprKind::RowMeasure(m) => s.row_measure(*m),
        TExprKind::RowCategory(c) => s.row_category(*c).map(Value::Bool),
        TExprKind::Parent { field, expr } => s.parent(*field, expr),
        TExprKind::Not(_)
        | TExprKind::And(..)
        | TExprKind::Or(..)
        | TExprKind::Compare(..)
        | TExprKind::Missing(_)
        | TExprKind::In { .. } => eval_bool(e, s).map(Value::Bool),
        TExprKind::Arith(op, a, b) => {
            let a = eval(a, s)?;
            let b = eval(b, s)?;
            arith(*op, &a, &b)
        }
        TExprKind::SchoolDays {
            date,
            days,
            calendar,
            from_data,
        } => match eval(date, s)? {
            Value::Date(d) if *from_data => s.school_calendar()?.add(d, *days).map(Value::Date),
            Value::Date(d) => calendar.add(d, *days).map(Value::Date),
            _ => None,
        },
    }
}

fn non_null(v: Option<&Value>) -> Option<&Value> {
    match v {
        Some(Value::Null) | None => None,
        Some(v) => Some(v),
    }
}

/// A condition: Some(true), Some(false), or None when it cannot be decided. `and`/`or` follow
/// Kleene's logic, so `false and undefined` is false and `true or undefined` is true.
pub fn eval_bool(e: &TExpr, s: &mut dyn Scope) -> Option<bool> {
    match &e.kind {
        TExprKind::Not(a) => eval_bool(a, s).map(|b| !b),
        TExprKind::And(a, b) => match eval_bool(a, s) {
            Some(false) => Some(false),
            x => match (x, eval_bool(b, s)) {
                (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            },
        },
        TExprKind::Or(a, b) => match eval_bool(a, s) {
            Some(true) => Some(true),
            x => match (x, eval_bool(b, s)) {
                (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            },
        },
        TExprKind::In {
            value,
            set,
            negated,
        } => {
            let owned = if is_leaf(value) {
                None
            } else {
                Some(eval(value, s)?)
            };
            let set_owned = if is_leaf(set) {
                None
            } else {
                Some(eval(set, s)?)
            };
            let shared: &dyn Scope = s;
            let v = match &owned {
                Some(v) => v,
                None => peek(value, shared)?,
            };
            let members = match &set_owned {
                Some(v) => v,
                None => peek(set, shared)?,
            };
            match (v, members) {
                (Value::Enum(_, ix), Value::Set(_, members)) => {
                    Some(members.binary_search(ix).is_ok() != *negated)
                }
                // An empty optional field is in no set.
                (Value::Null, _) => Some(*negated),
                _ => None,
            }
        }
        TExprKind::Compare(op, a, b) => {
            let a_owned = if is_leaf(a) { None } else { Some(eval(a, s)?) };
            let b_owned = if is_leaf(b) { None } else { Some(eval(b, s)?) };
            let shared: &dyn Scope = s;
            let av = match &a_owned {
                Some(v) => v,
                None => peek(a, shared)?,
            };
            let bv = match &b_owned {
                Some(v) => v,
                None => peek(b, shared)?,
            };
            match (av, bv, op) {
                // An empty optional field equals no value of a declared type (an empty `magnet`
                // is no magnet). Any other comparison with it is undetermined (GRAMMAR.md,
                // "Absent values").
                (Value::Null, Value::Enum(..) | Value::Bool(_), CmpOp::Eq)
                | (Value::Enum(..) | Value::Bool(_), Value::Null, CmpOp::Eq) => Some(false),
                (Value::Null, Value::Enum(..) | Value::Bool(_), CmpOp::Ne)
                | (Value::Enum(..) | Value::Bool(_), Value::Null, CmpOp::Ne) => Some(true),
                (Value::Null, _, _) | (_, Value::Null, _) => None,
                _ => compare(av, bv).map(|o| op.holds(o)),
            }
        }
        TExprKind::Missing(fields) => {
            // Empty: missing. Not read at all (its column absent): cannot be told.
            let mut unread = false;
            for f in fields {
                match peek(f, s) {
                    Some(Value::Null) => return Some(true),
                    Some(_) => {}
                    None => unread = true,
                }
            }
            if unread { None } else { Some(false) }
        }
        TExprKind::Const(Value::Bool(b)) => Some(*b),
        TExprKind::Category(c) => s.category(*c),
        TExprKind::RowCategory(c) => s.row_category(*c),
        _ => match eval(e, s)? {
            Value::Bool(b) => Some(b),
            _ => None,
        },
    }
}

/// Constants and fields are read in place, without a clone: this is the hot path of a lint.
fn is_leaf(e: &TExpr) -> bool {
    matches!(
        e.kind,
        TExprKind::Const(_) | TExprKind::RowField(_) | TExprKind::EntityField(_)
    )
}

fn peek<'a>(e: &'a TExpr, s: &'a dyn Scope) -> Option<&'a Value> {
    match &e.kind {
        TExprKind::Const(v) => Some(v),
        TExprKind::RowField(f) => Some(s.row_field(*f).unwrap_or(&Value::Null)),
        // `None` is a field not read at all (its column absent): undefined, not empty.
        TExprKind::EntityField(f) => s.entity_field(*f),
        _ => None,
    }
}

/// Exact numbers from any numeric value.
pub fn as_ratio(v: &Value) -> Option<Ratio> {
    match v {
        Value::Int(n) => Some(Ratio::int(i128::from(*n))),
        Value::Number(r) => Some(*r),
        _ => None,
    }
}

/// Orders two values of the same kind; None when they cannot be compared.
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::Enum(e1, x), Value::Enum(e2, y)) if e1 == e2 => Some(x.cmp(y)),
        (Value::Ref(r1, x), Value::Ref(r2, y)) if r1 == r2 => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Text(x), Value::Text(y)) => Some(x.cmp(y)),
        (Value::Pair(a1, b1), Value::Pair(a2, b2)) => Some((a1, b1).cmp(&(a2, b2))),
        (Value::SchoolYear(x), Value::SchoolYear(y)) => Some(x.cmp(y)),
        (Value::Duration(x), Value::Duration(y)) if x.unit == y.unit => Some(x.n.cmp(&y.n)),
        _ => {
            let (x, y) = (as_ratio(a)?, as_ratio(b)?);
            Some(x.cmp_exact(&y))
        }
    }
}

fn arith(op: ArithOp, a: &Value, b: &Value) -> Option<Value> {
    match (op, a, b) {
        // School days are counted in `TExprKind::SchoolDays`, on the policy's calendar; a data
        // value is never in school days.
        (ArithOp::Add | ArithOp::Sub, _, Value::Duration(u))
        | (ArithOp::Add | ArithOp::Sub, Value::Duration(u), _)
            if u.unit.counts_school_days() =>
        {
            None
        }
        (ArithOp::Add, Value::Date(d), Value::Duration(u))
        | (ArithOp::Add, Value::Duration(u), Value::Date(d)) => {
            add_duration(*d, *u, 1, &NonSchoolDays::default()).map(Value::Date)
        }
        (ArithOp::Sub, Value::Date(d), Value::Duration(u)) => {
            add_duration(*d, *u, -1, &NonSchoolDays::default()).map(Value::Date)
        }
        (ArithOp::Div, x, y) => {
            let (x, y) = (as_ratio(x)?, as_ratio(y)?);
            // A share whose denominator is zero is undefined, never a division by zero.
            let r = Ratio::new(x.num.checked_mul(y.den)?, x.den.checked_mul(y.num)?)?;
            Some(Value::Number(reduce(r)))
        }
        (op, Value::Int(x), Value::Int(y)) => Some(Value::Int(match op {
            ArithOp::Add => x.checked_add(*y)?,
            ArithOp::Sub => x.checked_sub(*y)?,
            ArithOp::Mul => x.checked_mul(*y)?,
            ArithOp::Div => return None,
        })),
        (op, x, y) => {
            let (x, y) = (as_ratio(x)?, as_ratio(y)?);
            let r = match op {
                ArithOp::Add => Ratio::new(
                    x.num
                        .checked_mul(y.den)?
                        .checked_add(y.num.checked_mul(x.den)?)?,
                    x.den.checked_mul(y.den)?,
                ),
                ArithOp::Sub => Ratio::new(
                    x.num
                        .checked_mul(y.den)?
                        .checked_sub(y.num.checked_mul(x.den)?)?,
                    x.den.checked_mul(y.den)?,
                ),
                ArithOp::Mul => Ratio::new(x.num.checked_mul(y.num)?, x.den.checked_mul(y.den)?),
                ArithOp::Div => None,
            }?;
            Some(Value::Number(reduce(r)))
        }
    }
}

pub fn reduce(r: Ratio) -> Ratio {
    r.reduced()
}

/// Rounds half up to a multiple of `step` (both fractions), as a spreadsheet rounds.
pub fn round_half_up(v: Ratio, step: Ratio) -> Option<Ratio> {
    // k = floor(v / step + 1/2) = floor((2·v.num·step.den + v.den·step.num) / (2·v.den·step.num))
    let num = v
        .num
        .checked_mul(step.den)?
        .checked_mul(2)?
        .checked_add(v.den.checked_mul(step.num)?)?;
    let den = v.den.checked_mul(step.num)?.checked_mul(2)?;
    if den <= 0 {
        return None;
    }
    let k = num.div_euclid(den);
    Ratio::new(k.checked_mul(step.num)?, step.den).map(reduce)
}

/// A share or number as a person reads it: `70.1%`, `2`, `0.5`. Percentages print up to two
/// decimals, rounded half up; exact values are kept elsewhere.
pub fn show_percent(r: Ratio) -> String {
    if r.num < 0 {
        return format!(
            "-{}",
            show_percent(Ratio {
                num: -r.num,
                den: r.den
            })
        );
    }
    // hundredths of a percent
    let scaled = round_half_up(
        r,
        Ratio {
            num: 1,
            den: 10_000,
        },
    )
    .unwrap_or(r);
    let bp = scaled.num * 10_000 / scaled.den.max(1);
    let whole = bp / 100;
    let frac = (bp % 100).abs();
    if frac == 0 {
        format!("{whole}%")
    } else if frac % 10 == 0 {
        format!("{whole}.{}%", frac / 10)
    } else {
        format!("{whole}.{frac:02}%")
    }
}

/// An amount as the guides print it: `$500,000`, `$5,000.50`, `-$12.25`; rounded half up to the
/// cent for printing only.
pub fn show_money(r: Ratio) -> String {
    let cents = round_half_up(r, Ratio { num: 1, den: 100 }).unwrap_or(r);
    let total = cents.num * 100 / cents.den.max(1);
    let sign = if total < 0 { "-" } else { "" };
    let total = total.unsigned_abs();
    let whole = crate::syntax::ast::group_thousands(&(total / 100).to_string());
    match total % 100 {
        0 => format!("{sign}${whole}"),
        c => format!("{sign}${whole}.{c:02}"),
    }
}

pub fn show_number(r: Ratio) -> String {
    if r.den == 1 {
        return r.num.to_string();
    }
    let scaled = round_half_up(r, Ratio { num: 1, den: 1000 }).unwrap_or(r);
    let milli = scaled.num * 1000 / scaled.den.max(1);
    let s = format!("{}.{:03}", milli / 1000, (milli % 1000).abs());
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Prints a value for messages; `schema` names enum values and `ids` names entities.
pub fn show(
    v: &Value,
    ty: Type,
    schema: &Schema,
    ids: &dyn Fn(RecordId, u32) -> Option<String>,
) -> String {
    match v {
        Value::Null => "(none)".into(),
        Value::Text(t) => format!("\"{t}\""),
        Value::Int(n) if ty == Type::Money => show_money(Ratio::int(i128::from(*n))),
        Value::Int(n) => n.to_string(),
        Value::Number(r) if ty == Type::Percent => show_percent(*r),
        Value::Number(r) if ty == Type::Money => show_money(*r),
        Value::Number(r) => show_number(*r),
        Value::Bool(b) => b.to_string(),
        Value::Date(d) => us_date(*d),
        Value::Pair(a, b) => format!("{a}:{b}"),
        Value::Duration(d) => d.to_string(),
        Value::SchoolYear(y) => format!("{y}-{}", y + 1),
        Value::Enum(e, ix) => schema
            .enum_type(*e)
            .and_then(|t| t.values.get(*ix as usize))
            .cloned()
            .unwrap_or_else(|| format!("#{ix}")),
        Value::Ref(r, ix) => ids(*r, *ix).unwrap_or_else(|| format!("#{ix}")),
        Value::Set(e, members) => {
            let names: Vec<String> = members
                .iter()
                .map(|m| show(&Value::Enum(*e, *m), Type::Enum(*e), schema, ids))
                .collect();
            format!("{{{}}}", names.join(", "))
        }
    }
}

pub fn date_of(v: &Value) -> Option<NaiveDate> {
    match v {
        Value::Date(d) => Some(*d),
        _ => None,
    }
}
