//! The checked model: what the checker hands to the loader and the evaluator. Names are resolved to
//! indices, every expression is typed, every literal is a value. No pest, no raw AST text.

use std::sync::Arc;

use chrono::NaiveDate;

pub use crate::school_days::NonSchoolDays;
use crate::syntax::Span;
pub use crate::syntax::ast::Absent;
use crate::syntax::ast::{BoundKind, Duration, Modal};

pub use super::ratio::{Ratio, gcd};

pub use super::ids::{
    CategoryId, ConstId, EnumId, FieldId, Id, MeasureId, RecordId, RuleId, SetId, Table, WindowId,
};

/// The type of a field, constant, measure or expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    Text,
    /// A whole number (counts).
    Int,
    /// A decimal number.
    Number,
    Bool,
    Date,
    /// A share or percentage, kept exact.
    Percent,
    /// An amount of money in dollars, kept exact (`$5,000.50`).
    Money,
    Ratio,
    Duration,
    SchoolYear,
    /// A headcount: a row stands for this many records (pre-counted data). At most one per record.
    Weight,
    /// A value of a declared `type`.
    Enum(EnumId),
    /// A set of values of a declared `type`.
    Set(EnumId),
    /// A reference to a keyed record (an entity such as a school).
    Ref(RecordId),
    /// A window of dates.
    Window,
}

/// A declared `type level = {elementary, secondary}`.
#[derive(Clone, Debug)]
pub struct EnumType {
    pub name: String,
    pub values: Vec<String>,
    /// Other spellings data files may use, each with the value it stands for.
    pub spellings: Vec<(String, u32)>,
    pub span: Span,
}

impl EnumType {
    /// The index of a value, if it belongs to the type.
    pub fn index(&self, value: &str) -> Option<u32> {
        self.values
            .iter()
            .position(|v| v == value)
            .and_then(|i| u32::try_from(i).ok())
    }
}

#[derive(Clone, Debug)]
pub struct Field {
    pub name: String,
    pub ty: Type,
    pub optional: bool,
    /// Never printed (student and parent names).
    pub private: bool,
    /// Other names data files give this field's column (`"School Code"`).
    pub columns: Vec<String>,
    pub span: Span,
}

/// A declared `record`. A record with a `key` is an entity (schools, principals); other records
/// belong to an entity through a field of type [`Type::Ref`].
#[derive(Clone, Debug)]
pub struct Record {
    pub name: String,
    /// The key field for an entity.
    pub key: Option<FieldId>,
    /// Which date field places the record's rows in a school year.
    pub dating: RecordDating,
    pub fields: Table<FieldId, Field>,
    pub span: Span,
}

/// Which date field places a record's rows in a school year (the guide's `year` bounds them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RecordDating {
    /// Its one date field, if it has exactly one (and no `school_year` field).
    #[default]
    Default,
    /// `dated by F`: that field.
    By(FieldId),
    /// `not dated`: the school year does not bound its rows.
    Not,
}

impl Record {
    pub fn field(&self, name: &str) -> Option<FieldId> {
        self.fields.position(|f| f.name == name)
    }

    /// The first field that refers to an entity: the record's owner.
    pub fn owner(&self) -> Option<(FieldId, RecordId)> {
        self.fields.enumerate().find_map(|(i, f)| match f.ty {
            Type::Ref(r) => Some((i, r)),
            _ => None,
        })
    }

    pub fn weight(&self) -> Option<FieldId> {
        self.fields.position(|f| f.ty == Type::Weight)
    }
}

/// The input schema: the record types a policy reads and their value sets.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    pub enums: Table<EnumId, EnumType>,
    pub records: Table<RecordId, Record>,
}

impl Schema {
    pub fn record(&self, id: RecordId) -> Option<&Record> {
        self.records.get(id)
    }

    pub fn record_by_name(&self, name: &str) -> Option<RecordId> {
        self.records.position(|r| r.name == name)
    }

    pub fn enum_type(&self, id: EnumId) -> Option<&EnumType> {
        self.enums.get(id)
    }

    /// The entity records (those with a key), in declaration order.
    pub fn entities(&self) -> impl Iterator<Item = (RecordId, &Record)> {
        self.records.enumerate().filter(|(_, r)| r.key.is_some())
    }

    /// How a type is named in messages.
    pub fn type_name(&self, ty: Type) -> String {
        match ty {
            Type::Text => "text".into(),
            Type::Int => "a whole number".into(),
            Type::Number => "a number".into(),
            Type::Bool => "true/false".into(),
            Type::Date => "a date".into(),
            Type::Percent => "a percentage".into(),
            Type::Money => "an amount of money".into(),
            Type::Ratio => "a ratio".into(),
            Type::Duration => "a duration".into(),
            Type::SchoolYear => "a school year".into(),
            Type::Weight => "a headcount".into(),
            Type::Window => "a window".into(),
            Type::Enum(e) => match self.enum_type(e) {
                Some(t) => format!("{} `{}`", article(&t.name), t.name),
                None => "a value".into(),
            },
            Type::Set(e) => match self.enum_type(e) {
                Some(t) => format!("a set of `{}`", t.name),
                None => "a set".into(),
            },
            Type::Ref(r) => match self.record(r) {
                Some(t) => format!("{} `{}`", article(&t.name), t.name),
                None => "a reference".into(),
            },
        }
    }
}

/// "a" or "an" before a name, by its first letter.
fn article(name: &str) -> &'static str {
    match name.chars().next().map(|c| c.to_ascii_lowercase()) {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

/// A value, as the evaluator and loader see it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    /// A missing optional field, or an undefined measure.
    Null,
    Text(String),
    Int(i64),
    /// A decimal or percentage, exact. Percentages are fractions: 70% is 7/10.
    Number(Ratio),
    Bool(bool),
    Date(NaiveDate),
    /// A ratio as printed, `60:40`.
    Pair(i64, i64),
    Duration(Duration),
    /// `2023-2024` is `SchoolYear(2023)`: July 1, 2023 through June 30, 2024.
    SchoolYear(i32),
    /// The index of a value in its enum type.
    Enum(EnumId, u32),
    /// The index of an entity in its record's loaded list.
    Ref(RecordId, u32),
    Set(EnumId, Vec<u32>),
}

/// A loaded row: one value per field of its record, in field order.
pub trait Row {
    /// The value of field `f`; `None` when the row has no such field.
    fn value(&self, f: FieldId) -> Option<&Value>;
}

impl Row for [Value] {
    fn value(&self, f: FieldId) -> Option<&Value> {
        self.get(f.0)
    }
}

/// What a policy says about itself (the `guide` block).
#[derive(Clone, Debug, Default)]
pub struct GuideInfo {
    pub id: String,
    pub title: Option<String>,
    pub issued: Option<NaiveDate>,
    pub replaces: Option<String>,
    /// The first calendar year of the school year (`2023` for `2023-2024`).
    pub year: Option<i32>,
    /// Small-cell suppression: counts below this (and shares computed from them) are never shown.
    pub suppress_below: Option<i64>,
    pub span: Span,
}

impl GuideInfo {
    /// July 1 of the school year's first year through June 30 of the next.
    pub fn year_bounds(&self) -> Option<(NaiveDate, NaiveDate)> {
        school_year_bounds(self.year?)
    }
}

/// The school year that starts in `y`: July 1 of `y` through June 30 of the next year.
pub fn school_year_bounds(y: i32) -> Option<(NaiveDate, NaiveDate)> {
    Some((
        NaiveDate::from_ymd_opt(y, 7, 1)?,
        NaiveDate::from_ymd_opt(y.checked_add(1)?, 6, 30)?,
    ))
}

/// The school year that holds `d`, by its first calendar year (`2023` for 11/14/2023 and for
/// 6/30/2024).
pub fn school_year_of(d: NaiveDate) -> i32 {
    use chrono::Datelike as _;
    if d.month() >= 7 {
        d.year()
    } else {
        d.year() - 1
    }
}

/// Severity of a finding, from the guide's modal verb.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn from_modal(m: Modal) -> Severity {
        match m {
            Modal::Must | Modal::Shall | Modal::Required => Severity::Error,
            Modal::Should => Severity::Warning,
            Modal::May => Severity::Info,
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A typed, resolved expression.
#[derive(Clone, Debug)]
pub struct TExpr {
    pub kind: TExprKind,
    pub ty: Type,
    pub span: Span,
}

impl TExpr {
    /// Calls `f` on this expression and every sub-expression, depth first. A `Parent`'s inner
    /// expression is about another entity and is not visited.
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a TExpr)) {
        f(self);
        match &self.kind {
            TExprKind::Not(a) | TExprKind::SchoolDays { date: a, .. } => a.walk(f),
            TExprKind::And(a, b)
            | TExprKind::Or(a, b)
            | TExprKind::Compare(_, a, b)
            | TExprKind::Arith(_, a, b) => {
                a.walk(f);
                b.walk(f);
            }
            TExprKind::In { value, set, .. } => {
                value.walk(f);
                set.walk(f);
            }
            TExprKind::Missing(fields) => {
                for x in fields {
                    x.walk(f);
                }
            }
            TExprKind::Const(_)
            | TExprKind::Measure(_)
            | TExprKind::Category(_)
            | TExprKind::EntityField(_)
            | TExprKind::RowField(_)
            | TExprKind::RowMeasure(_)
            | TExprKind::RowCategory(_)
            | TExprKind::Parent { .. } => {}
        }
    }

    /// Whether this expression or a sub-expression satisfies `pred` (see [`TExpr::walk`]).
    pub fn any(&self, pred: &impl Fn(&TExpr) -> bool) -> bool {
        let mut found = false;
        self.walk(&mut |x| found = found || pred(x));
        found
    }
}

#[derive(Clone, Debug)]
pub enum TExprKind {
    Const(Value),
    /// A measure of the current entity.
    Measure(MeasureId),
    /// A category of the current entity (true when the entity belongs this year).
    Category(CategoryId),
    /// A field of the current entity (`level`, `school.level`).
    EntityField(FieldId),
    /// A field of the current row, in a `where` filter or an `each` check.
    RowField(FieldId),
    /// A measure of the row's entity, when aggregating over entities (`count principal where
    /// letters >= 5` per district).
    RowMeasure(MeasureId),
    /// A category of the row's entity, when aggregating over entities.
    RowCategory(CategoryId),
    /// A value of the entity the current one refers to through `field` (`district.share`).
    Parent {
        field: FieldId,
        expr: Box<TExpr>,
    },
    Not(Box<TExpr>),
    And(Box<TExpr>, Box<TExpr>),
    Or(Box<TExpr>, Box<TExpr>),
    Compare(CmpOp, Box<TExpr>, Box<TExpr>),
    /// Membership in a set (`negated` for `not in`).
    In {
        value: Box<TExpr>,
        set: Box<TExpr>,
        negated: bool,
    },
    /// Arithmetic: date ± duration, number ops, and `a / b` which gives an exact share.
    Arith(ArithOp, Box<TExpr>, Box<TExpr>),
    /// `date + 10 school days` (`days` negative for `-`): counted on `calendar`, the policy's
    /// `non_school_days` (an empty one for `weekdays`).
    SchoolDays {
        date: Box<TExpr>,
        days: i64,
        calendar: Arc<NonSchoolDays>,
        /// Counted on the non-school days read from the data (`non_school_days from R.F`), which
        /// the evaluation gives; `calendar` is then empty.
        from_data: bool,
    },
    /// `missing` in `X or missing`: whether one of the optional fields `X` reads (each a
    /// `RowField` or `EntityField`) is empty.
    Missing(Vec<TExpr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    pub fn holds(self, o: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            CmpOp::Eq => o == Equal,
            CmpOp::Ne => o != Equal,
            CmpOp::Lt => o == Less,
            CmpOp::Le => o != Greater,
            CmpOp::Gt => o == Greater,
            CmpOp::Ge => o != Less,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

/// How a share is rounded before comparing: exact, or half up to a multiple of `step` (a fraction:
/// `rounded to 0.1%` is 1/1000).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RoundingMode {
    Exact,
    HalfUp(Ratio),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggKind {
    /// Rows (weighted by the record's headcount field when it has one).
    Count,
    /// Distinct values of a field.
    CountDistinct(FieldId),
    Sum(FieldId),
    Min(FieldId),
    Max(FieldId),
}

/// How a measure is computed for one entity.
#[derive(Clone, Debug)]
pub enum MeasureDef {
    /// An aggregation over the entity's rows of one record type, in one pass.
    Agg {
        record: RecordId,
        kind: AggKind,
        filter: Option<TExpr>,
    },
    /// A formula over other measures, constants and entity fields.
    Formula(TExpr),
    /// `count assess_within_30_days overdue`: the entity's rows of a per-row deadline (named
    /// `rule`, over `record`) in that state as of the evaluation date.
    RuleRows {
        rule: String,
        record: RecordId,
        state: crate::syntax::ast::RowState,
    },
}

#[derive(Clone, Debug)]
pub struct Measure {
    pub name: String,
    pub entity: RecordId,
    pub def: MeasureDef,
    pub ty: Type,
    pub rounding: RoundingMode,
    pub section: Option<String>,
    pub span: Span,
}

/// Multi-year transitions of a category (PHBAO): where past years come from and when changes land.
#[derive(Clone, Debug)]
pub struct Transitions {
    /// The history record, its school-year field, and the bool fields for "held" and "qualified".
    pub record: RecordId,
    pub year_field: FieldId,
    pub held_field: FieldId,
    pub qualified_field: Option<FieldId>,
    /// `gain next year`: a newly qualifying entity joins the following year.
    pub gain_next_year: bool,
    /// `loss after N years notice`: the number of notice years before reclassification.
    pub notice_years: u32,
    /// `, effective next year`: the failure after the notice years reclassifies the entity for
    /// the following school year (it stays in the category this year); without it, that same year.
    pub loss_next_year: bool,
}

#[derive(Clone, Debug)]
pub struct Category {
    pub name: String,
    pub entity: RecordId,
    pub when: TExpr,
    pub transitions: Option<Transitions>,
    pub section: Option<String>,
    pub span: Span,
}

/// One end of a window. `expr` is a date (absolute or from the entity's measures).
#[derive(Clone, Debug)]
pub struct WindowBound {
    pub kind: BoundKind,
    pub expr: TExpr,
}

/// The first day a window's lower bound lets in: `from D` (and a range's first date) is D itself,
/// `after D` the day after; `None` when there is no such day. With [`last_day`], this is where
/// the date words are defined: the checker's empty-window test and the evaluator's windows both
/// read them so.
pub fn first_day(kind: BoundKind, d: NaiveDate) -> Option<NaiveDate> {
    match kind {
        BoundKind::After => d.succ_opt(),
        BoundKind::From | BoundKind::By | BoundKind::Before => Some(d),
    }
}

/// The last day a window's upper bound lets in: `by D` (and a range's last date) is D itself,
/// `before D` the day before; `None` when there is no such day.
pub fn last_day(kind: BoundKind, d: NaiveDate) -> Option<NaiveDate> {
    match kind {
        BoundKind::Before => d.pred_opt(),
        BoundKind::From | BoundKind::After | BoundKind::By => Some(d),
    }
}

#[derive(Clone, Debug)]
pub struct WindowCase {
    pub when: Option<TExpr>,
    pub lower: Option<WindowBound>,
    pub upper: Option<WindowBound>,
    /// The window as the policy prints it (`November 13-17, 2023`).
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Window {
    pub name: String,
    pub entity: RecordId,
    pub cases: Vec<WindowCase>,
    pub section: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum Check {
    /// The condition must hold for the entity.
    Holds(TExpr),
    /// Every matching row's field passes the test.
    Each {
        record: RecordId,
        filter: Option<TExpr>,
        field: FieldId,
        test: EachTest,
        /// How a row whose field (or a value its test reads) is empty counts; none: undetermined.
        absent: Option<Absent>,
    },
    /// A matching row's field is on or before the due date.
    Deadline {
        record: RecordId,
        filter: Option<TExpr>,
        field: FieldId,
        due: TExpr,
    },
    /// Rows are kept for `period` from `from` (with `year_end`, from the last day of the school
    /// year that holds it); `until` (a discard date) must not come earlier.
    Retain {
        record: RecordId,
        period: Duration,
        from: FieldId,
        year_end: bool,
        until: Option<FieldId>,
    },
}

#[derive(Clone, Debug)]
pub enum EachTest {
    Within(WindowId),
    /// Each row is due `period` after its own date field `from`: ok, late, pending or overdue.
    WithinOf {
        period: Duration,
        from: FieldId,
    },
    /// Not on the same day as any of the entity's rows of `record` matching `filter`.
    /// `not on R.F` (`negated`) or `on R.F`: no row, or some row, of `R` dated the same day. A
    /// row dated after `--as-of` is not judged by `on` (what it must be recorded beside has not
    /// happened yet).
    NotOn {
        record: RecordId,
        field: FieldId,
        filter: Option<TExpr>,
        negated: bool,
    },
    Compare(CmpOp, TExpr),
}

#[derive(Clone, Debug)]
pub struct RuleDef {
    pub name: String,
    pub modal: Modal,
    pub severity: Severity,
    pub entity: RecordId,
    /// Section and rule-level `for` conditions, combined.
    pub applies: Option<TExpr>,
    /// Those conditions as written, whole: `(PHBAO or MAG1 or MAG2) and level == secondary`.
    pub applies_text: Option<String>,
    pub check: Check,
    pub quote: Option<String>,
    pub section: Option<String>,
    /// The source text of the rule's assertion, for messages.
    pub text: String,
    pub span: Span,
}

/// A checked policy, ready for evaluation.
#[derive(Clone, Debug, Default)]
pub struct Model {
    pub guide: GuideInfo,
    pub schema: Schema,
    /// Each constant: name, value, type, span and section.
    pub constants: Table<ConstId, (String, Value, Type, Span, Option<String>)>,
    pub sets: Table<SetId, (String, Value, Span)>,
    pub measures: Table<MeasureId, Measure>,
    pub categories: Table<CategoryId, Category>,
    pub windows: Table<WindowId, Window>,
    pub rules: Table<RuleId, RuleDef>,
    /// The policy's `non_school_days` (empty when it has none), what `N school days` counts on.
    pub non_school_days: Arc<NonSchoolDays>,
    /// Where the list is written, when the policy has one.
    pub non_school_days_span: Option<Span>,
    /// `non_school_days from holiday.date`: the days are read from the data, not the policy.
    pub non_school_days_from: Option<NonSchoolDaysFrom>,
    /// The policy's words for every expression (each node of each) and every measure, by span,
    /// kept at check time: evaluation words its messages with them and never reads source text.
    pub texts: PolicyTexts,
}

/// The policy's own text of its expressions, by span (see [`Model::text`]).
pub type PolicyTexts = std::collections::BTreeMap<(crate::syntax::FileId, usize, usize), String>;

/// The records a list of non-school days is read from: each row of `record` (an entity, read
/// whole before anything else) is the day `from`, or the days `from` to `until`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NonSchoolDaysFrom {
    pub record: RecordId,
    pub from: FieldId,
    pub until: Option<FieldId>,
    /// As the policy says it: `from closure.first until closure.last`.
    pub text: String,
}

impl Model {
    /// The policy's text at `span`, as kept at check time; empty for a span it did not keep.
    pub fn text(&self, span: Span) -> &str {
        self.texts
            .get(&(span.file, span.start, span.end))
            .map_or("", String::as_str)
    }

    /// The entity the policy is mostly about, for the words of a summary: the first declared that
    /// a rule is about, else the first declared (not the record non-school days are read from).
    pub fn main_entity(&self) -> Option<&Record> {
        let calendar = self.non_school_days_from.as_ref().map(|s| s.record);
        let entities: Vec<(RecordId, &Record)> = self
            .schema
            .entities()
            .filter(|(r, _)| Some(*r) != calendar)
            .collect();
        entities
            .iter()
            .find(|(r, _)| self.rules.iter().any(|x| x.entity == *r))
            .or(entities.first())
            .map(|(_, e)| *e)
    }
}

/// `d + n units` (or minus, with `sign = -1`). Months and years keep the day of month where it
/// exists and clamp to the month's last day otherwise (Jan 31 + 1 month = Feb 29 in 2024). School
/// days are counted on `calendar` (see [`crate::school_days`]), weekdays on no calendar.
pub fn add_duration(
    d: NaiveDate,
    dur: Duration,
    sign: i64,
    calendar: &NonSchoolDays,
) -> Option<NaiveDate> {
    use crate::syntax::ast::DurationUnit;
    let n = dur.n.checked_mul(sign)?;
    match dur.unit {
        DurationUnit::SchoolDay => calendar.add(d, n),
        DurationUnit::Weekday => NonSchoolDays::default().add(d, n),
        DurationUnit::Day => d.checked_add_signed(chrono::TimeDelta::try_days(n)?),
        DurationUnit::Week => d.checked_add_signed(chrono::TimeDelta::try_weeks(n)?),
        DurationUnit::Month | DurationUnit::Year => {
            let months = if dur.unit == DurationUnit::Year {
                n.checked_mul(12)?
            } else {
                n
            };
            let m = u32::try_from(months.unsigned_abs()).ok()?;
            if months >= 0 {
                d.checked_add_months(chrono::Months::new(m))
            } else {
                d.checked_sub_months(chrono::Months::new(m))
            }
        }
    }
}

/// A date as the guides print it: `1/31/2024`.
pub fn us_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}/{}/{}", d.month(), d.day(), d.year())
}

/// A value's or a column's name as data files are matched against it, without allocating:
/// lowercase, with each run of spaces, hyphens and underscores one `_`, trimmed
/// (`Back-to-School` and `back to school` are `back_to_school`).
pub fn normalized(text: &str) -> impl Iterator<Item = char> + '_ {
    let mut gap = false;
    let mut started = false;
    text.trim()
        .chars()
        .flat_map(move |c| {
            if c == ' ' || c == '-' || c == '_' || c == '\t' {
                gap = true;
                return None;
            }
            let sep = (gap && started).then_some('_');
            gap = false;
            started = true;
            Some(sep.into_iter().chain(c.to_lowercase()))
        })
        .flatten()
}

#[cfg(test)]
#[expect(clippy::panic, reason = "a test fails by panicking")]
mod tests {
    use super::*;

    #[test]
    fn equal_values_are_equal_keys_whatever_their_terms() {
        use std::collections::HashSet;
        let (Some(half), Some(fifty)) = (Ratio::new(1, 2), Ratio::new(50, 100)) else {
            panic!("ratios")
        };
        assert_eq!(half, fifty);
        assert_eq!(Value::Number(half), Value::Number(fifty));
        let set: HashSet<Value> = [Value::Number(half), Value::Number(fifty)].into();
        assert_eq!(set.len(), 1);
        assert_ne!(half, Ratio::int(1));
        assert_ne!(
            Value::Number(half),
            Value::Number(Ratio { num: 51, den: 100 })
        );
    }
}
