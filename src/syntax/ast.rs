//! The abstract syntax tree of one policy file. Every node carries the span it was read from.

use super::span::Span;

pub use super::literal::*;

/// A name as written, with its span. Equality looks at the name only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A value with the span it came from. Equality ignores the span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    pub node: T,
    pub span: Span,
}

/// One parsed file.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyFile {
    pub items: Vec<Item>,
    /// The statements written `replace ...`, by the statement's span: each takes the place of an
    /// included definition of the same name.
    pub replaces: Vec<Replace>,
    pub span: Span,
}

impl PolicyFile {
    /// The `replace` word before `stmt`, if it has one.
    pub fn replace_of(&self, stmt: &Stmt) -> Option<Span> {
        let span = stmt.span();
        self.replaces
            .iter()
            .find(|r| r.stmt.same(&span))
            .map(|r| r.keyword)
    }
}

/// `replace type enrollment = {...}`: the word, and the statement it marks by its name and span.
#[derive(Clone, Debug, PartialEq)]
pub struct Replace {
    pub name: String,
    pub keyword: Span,
    pub stmt: Span,
}

#[derive(Clone, Debug, PartialEq)]
#[expect(
    clippy::large_enum_variant,
    reason = "AST nodes are built once per file; boxing would only add noise"
)]
pub enum Item {
    Include(Include),
    Guide(Guide),
    Section(Section),
    Stmt(Stmt),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Include {
    pub path: Spanned<String>,
    /// `pinned "sha256:..."`: the included file's content when the revision was published.
    pub pin: Option<Spanned<String>>,
    pub span: Span,
}

/// `guide REF-1028.19 { key value ... }`
#[derive(Clone, Debug, PartialEq)]
pub struct Guide {
    pub id: Spanned<String>,
    pub entries: Vec<GuideEntry>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GuideEntry {
    pub key: Ident,
    pub value: GuideValue,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum GuideValue {
    Lit(Spanned<Literal>),
    /// A bare guide number (`REF-1028.18`) or word.
    Word(Spanned<String>),
}

impl GuideValue {
    pub fn span(&self) -> Span {
        match self {
            GuideValue::Lit(l) => l.span,
            GuideValue::Word(w) => w.span,
        }
    }
}

/// `section "III. CALENDAR" for PHBAO or MAG1 { ... }`
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    pub title: Spanned<String>,
    pub applies: Option<Expr>,
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
#[expect(
    clippy::large_enum_variant,
    reason = "AST nodes are built once per file; boxing would only add noise"
)]
pub enum Stmt {
    Type(TypeDecl),
    Set(SetDecl),
    Const(ConstDecl),
    Record(RecordDecl),
    Measure(MeasureDecl),
    Category(CategoryDecl),
    Window(WindowDecl),
    Rule(RuleDecl),
    NonSchoolDays(NonSchoolDaysDecl),
}

impl Stmt {
    pub fn span(&self) -> Span {
        match self {
            Stmt::Type(d) => d.span,
            Stmt::Set(d) => d.span,
            Stmt::Const(d) => d.span,
            Stmt::Record(d) => d.span,
            Stmt::Measure(d) => d.span,
            Stmt::Category(d) => d.span,
            Stmt::Window(d) => d.span,
            Stmt::Rule(d) => d.span,
            Stmt::NonSchoolDays(d) => d.span,
        }
    }

    /// The name the statement defines.
    pub fn name(&self) -> &Ident {
        match self {
            Stmt::Type(d) => &d.name,
            Stmt::Set(d) => &d.name,
            Stmt::Const(d) => &d.name,
            Stmt::Record(d) => &d.name,
            Stmt::Measure(d) => &d.name,
            Stmt::Category(d) => &d.name,
            Stmt::Window(d) => &d.name,
            Stmt::Rule(d) => &d.name,
            Stmt::NonSchoolDays(d) => &d.name,
        }
    }
}

/// `type level = {elementary, secondary}`
#[derive(Clone, Debug, PartialEq)]
pub struct TypeDecl {
    pub name: Ident,
    pub values: Vec<Ident>,
    /// Per value (same order), the other spellings data files may use for it:
    /// `black ("African American")`.
    pub spellings: Vec<Vec<Spanned<String>>>,
    pub span: Span,
}

/// `set hbao: ethnicity = {hispanic, black}`
#[derive(Clone, Debug, PartialEq)]
pub struct SetDecl {
    pub name: Ident,
    pub of: Ident,
    pub members: Vec<Expr>,
    pub span: Span,
}

/// `const norm_day = September 15, 2023`
#[derive(Clone, Debug, PartialEq)]
pub struct ConstDecl {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

/// `record school key id { ... }`
#[derive(Clone, Debug, PartialEq)]
pub struct RecordDecl {
    pub name: Ident,
    pub key: Option<Ident>,
    /// `dated by F` or `not dated`; none: the record's one date field, if it has exactly one.
    pub dating: Option<Dating>,
    pub fields: Vec<FieldDecl>,
    pub span: Span,
}

/// Which date field places a record's rows in a school year.
#[derive(Clone, Debug, PartialEq)]
pub enum Dating {
    /// `dated by completed`
    By(Ident),
    /// `not dated`: the school year does not bound its rows.
    Not(Span),
}

/// `magnet: magnet optional`
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDecl {
    pub name: Ident,
    /// Other names data files give the field's column: `school ("School Code"): school`.
    pub columns: Vec<Spanned<String>>,
    pub ty: Ident,
    pub optional: bool,
    pub private: bool,
    pub span: Span,
}

/// `non_school_days { November 10, 2023, December 18, 2023 - January 5, 2024 }`: the holidays
/// and breaks; weekends are never school days anyway.
#[derive(Clone, Debug, PartialEq)]
pub struct NonSchoolDaysDecl {
    /// The keyword, as the statement's name: a policy and its includes have one list.
    pub name: Ident,
    /// Each date or range as written (a literal `Date` or `Range`).
    pub days: Vec<Spanned<Literal>>,
    /// `from holiday.date`: the days are read from that record's rows, and with `until
    /// closure.last`, each row is a range.
    pub from: Option<(Ident, Ident)>,
    pub until: Option<(Ident, Ident)>,
    pub span: Span,
}

/// `measure hbao_share = hbao_resident / resident exact`
#[derive(Clone, Debug, PartialEq)]
pub struct MeasureDecl {
    pub name: Ident,
    pub per: Option<Ident>,
    pub expr: Expr,
    pub rounding: Option<Spanned<Rounding>>,
    pub span: Span,
}

/// How a share is rounded before it is compared.
#[derive(Clone, Debug, PartialEq)]
pub enum Rounding {
    Exact,
    /// Half up to a multiple of this percentage (`rounded to 0.1%`).
    To(Decimal),
}

/// `category PHBAO when hbao_share > 70% { held ... gain next year }`
#[derive(Clone, Debug, PartialEq)]
pub struct CategoryDecl {
    pub name: Ident,
    pub per: Option<Ident>,
    pub when: Expr,
    pub entries: Vec<CategoryEntry>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CategoryEntry {
    pub key: Ident,
    pub value: CategoryValue,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum CategoryValue {
    /// `next year`
    NextYear(Span),
    /// `after 2 years notice`, with `, effective next year` (true) or `, effective this year`
    /// (false) when written.
    Notice(Spanned<Duration>, Option<Spanned<bool>>),
    /// `norm_history.phbao`
    Path(Ident, Ident),
    /// a bare word
    Word(Ident),
}

impl CategoryValue {
    pub fn span(&self) -> Span {
        match self {
            CategoryValue::NextYear(s) => *s,
            CategoryValue::Notice(d, _) => d.span,
            CategoryValue::Path(a, b) => a.span.to(b.span),
            CategoryValue::Word(w) => w.span,
        }
    }
}

/// `window first_conference { when level == elementary: November 13-17, 2023 }`
#[derive(Clone, Debug, PartialEq)]
pub struct WindowDecl {
    pub name: Ident,
    /// One case per condition; a window written `window w = ...` has one case with no condition.
    pub cases: Vec<WindowCase>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct WindowCase {
    pub when: Option<Expr>,
    pub spec: WindowSpec,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
#[expect(
    clippy::large_enum_variant,
    reason = "AST nodes are built once per file; boxing would only add noise"
)]
pub enum WindowSpec {
    /// Both ends included.
    Range(Spanned<Literal>),
    Bounds {
        lower: Option<Bound>,
        upper: Option<Bound>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Bound {
    pub kind: Spanned<BoundKind>,
    pub expr: Expr,
}

/// The date words: `from D` on or after, `after D` strictly later, `by D` on or before, `before D`
/// strictly earlier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoundKind {
    From,
    After,
    By,
    Before,
}

impl BoundKind {
    pub fn word(self) -> &'static str {
        match self {
            BoundKind::From => "from",
            BoundKind::After => "after",
            BoundKind::By => "by",
            BoundKind::Before => "before",
        }
    }
    pub fn is_lower(self) -> bool {
        matches!(self, BoundKind::From | BoundKind::After)
    }
}

/// The guide's modal verb; it sets the severity of a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Modal {
    Must,
    Shall,
    Required,
    Should,
    May,
}

impl Modal {
    pub fn word(self) -> &'static str {
        match self {
            Modal::Must => "must",
            Modal::Shall => "shall",
            Modal::Required => "required",
            Modal::Should => "should",
            Modal::May => "may",
        }
    }
}

/// `must two_conferences for PHBAO: conferences_held >= 2 "quote"`
#[derive(Clone, Debug, PartialEq)]
pub struct RuleDecl {
    pub modal: Spanned<Modal>,
    pub name: Ident,
    /// `per district`: the entity the rule is about, when it is not the one its record implies.
    pub per: Option<Ident>,
    pub applies: Option<Expr>,
    pub assertion: Assertion,
    pub quote: Option<Spanned<String>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Assertion {
    /// A condition on the entity's measures and fields.
    Holds(Expr),
    /// `each R where P has F <test> [or missing | and not missing]`
    Each {
        record: Ident,
        filter: Option<Expr>,
        field: Ident,
        test: EachTest,
        /// How a row whose value is absent counts; none: it is undetermined.
        absent: Option<Spanned<Absent>>,
        span: Span,
    },
    /// `some R where P has F by D`
    Deadline {
        /// `some`, when written.
        some: SomeWord,
        record: Ident,
        filter: Option<Expr>,
        field: Ident,
        due: Expr,
        span: Span,
    },
    /// `retain R for 5 years from F until G`; `from end of school year of F` (`year_end`) starts
    /// the period on the last day of the school year (June 30) that holds `F`.
    Retain {
        record: Ident,
        period: Spanned<Duration>,
        from: Ident,
        year_end: bool,
        until: Option<Ident>,
        span: Span,
    },
}

/// The word `some` before a deadline's record, where the policy writes it. Without it the deadline
/// means the same (some row); `fmt` writes it, so equality ignores it, as it ignores spans.
#[derive(Clone, Copy, Debug)]
pub struct SomeWord(pub Option<Span>);

impl PartialEq for SomeWord {
    fn eq(&self, _: &SomeWord) -> bool {
        true
    }
}

/// How an absent optional value counts, where the policy says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Absent {
    /// `or missing`: the test is met.
    Met,
    /// `and not missing`: the test fails.
    Fails,
}

impl Absent {
    pub fn words(self) -> &'static str {
        match self {
            Absent::Met => "or missing",
            Absent::Fails => "and not missing",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum EachTest {
    Within(Ident),
    /// `within 30 days of enrolled`: each row is due `period` after its own `from` date.
    WithinOf {
        period: Spanned<Duration>,
        from: Ident,
    },
    /// `not on R.F [where P]` (`negated`), or `on R.F [where P]`: no row, or some row, of `R`
    /// is dated the same day.
    NotOn {
        record: Ident,
        field: Ident,
        filter: Option<Expr>,
        negated: bool,
    },
    Compare(Spanned<BinOp>, Expr),
}

/// An expression with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

impl Stmt {
    /// Every expression the statement holds, outermost first: set members, a constant's value,
    /// a measure, a category's condition, a window's conditions and bounds, a rule's `for` and
    /// its assertion's. (A window written as a range holds a literal, not an expression.)
    pub fn exprs(&self) -> Vec<&Expr> {
        let mut out: Vec<&Expr> = Vec::new();
        match self {
            Stmt::Type(_) | Stmt::Record(_) | Stmt::NonSchoolDays(_) => {}
            Stmt::Set(d) => out.extend(&d.members),
            Stmt::Const(d) => out.push(&d.value),
            Stmt::Measure(d) => out.push(&d.expr),
            Stmt::Category(d) => out.push(&d.when),
            Stmt::Window(w) => {
                for c in &w.cases {
                    out.extend(&c.when);
                    if let WindowSpec::Bounds { lower, upper } = &c.spec {
                        out.extend(lower.iter().chain(upper).map(|b| &b.expr));
                    }
                }
            }
            Stmt::Rule(r) => {
                out.extend(&r.applies);
                out.extend(r.assertion.exprs());
            }
        }
        out
    }
}

impl Assertion {
    /// The expressions of an assertion: its filters, the value an `each` row is compared with,
    /// a deadline's due date.
    pub fn exprs(&self) -> Vec<&Expr> {
        match self {
            Assertion::Holds(e) => vec![e],
            Assertion::Each { filter, test, .. } => {
                let mut v: Vec<&Expr> = filter.iter().collect();
                match test {
                    EachTest::Within(_) | EachTest::WithinOf { .. } => {}
                    EachTest::NotOn { filter, .. } => v.extend(filter),
                    EachTest::Compare(_, e) => v.push(e),
                }
                v
            }
            Assertion::Deadline { filter, due, .. } => {
                let mut v: Vec<&Expr> = filter.iter().collect();
                v.push(due);
                v
            }
            Assertion::Retain { .. } => Vec::new(),
        }
    }
}

impl Expr {
    /// Calls `visit` on this expression and every expression inside it.
    pub fn walk<'e>(&'e self, mut visit: impl FnMut(&'e Expr)) {
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            visit(e);
            match &e.kind {
                ExprKind::Lit(_) | ExprKind::Name(_) | ExprKind::Path(..) | ExprKind::Missing => {}
                ExprKind::Set(m) => stack.extend(m),
                ExprKind::Not(x) => stack.push(x),
                ExprKind::Binary(_, a, b) => {
                    stack.push(a);
                    stack.push(b);
                }
                ExprKind::Agg(a) => {
                    if let Some(f) = &a.filter {
                        stack.push(f);
                    }
                }
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Lit(Literal),
    Name(Ident),
    Path(Ident, Ident),
    Set(Vec<Expr>),
    Not(Box<Expr>),
    Binary(Spanned<BinOp>, Box<Expr>, Box<Expr>),
    Agg(Aggregate),
    /// `missing` in `X or missing` / `X and not missing`: whether a value `X` reads is absent.
    Missing,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::In => "in",
            BinOp::NotIn => "not in",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }

    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggFn {
    Count,
    Sum,
    Min,
    Max,
}

impl AggFn {
    pub fn word(self) -> &'static str {
        match self {
            AggFn::Count => "count",
            AggFn::Sum => "sum",
            AggFn::Min => "min",
            AggFn::Max => "max",
        }
    }
}

/// `count student where ...`, `count distinct conference.number`, `min calendar.class_start`
#[derive(Clone, Debug, PartialEq)]
pub struct Aggregate {
    pub func: Spanned<AggFn>,
    pub distinct: bool,
    pub record: Ident,
    pub field: Option<Ident>,
    pub filter: Option<Box<Expr>>,
    /// `where (...)`: the filter was written in parentheses, so where it ends is plain.
    pub filter_parens: bool,
    /// `count RULE overdue`: `record` names a per-row deadline, and its rows in this state count.
    pub state: Option<Spanned<RowState>>,
}

/// A row's state under a per-row deadline, for `count RULE late`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowState {
    Late,
    Pending,
    Overdue,
}

impl RowState {
    pub fn word(self) -> &'static str {
        match self {
            RowState::Late => "late",
            RowState::Pending => "pending",
            RowState::Overdue => "overdue",
        }
    }
}
