//! Typing expressions: names resolved in context, operands checked against each other, bare values
//! (`first`, `open_house`) read as values of the type they are compared with.

use super::Checker;
use super::diag::Problem;
use super::model::*;
use crate::codes::Code;
use crate::syntax::Span;
use crate::syntax::ast::{self, BinOp, ExprKind, Literal};

/// Where an expression stands: a constant, a fact about one entity, or a condition on one row.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cx {
    pub entity: Option<RecordId>,
    pub row: Option<RecordId>,
}

impl Cx {
    pub fn constant() -> Cx {
        Cx {
            entity: None,
            row: None,
        }
    }
    pub fn entity(e: RecordId) -> Cx {
        Cx {
            entity: Some(e),
            row: None,
        }
    }
    pub fn row(e: RecordId, r: RecordId) -> Cx {
        Cx {
            entity: Some(e),
            row: Some(r),
        }
    }
}

pub(crate) fn cmp_op(op: BinOp) -> Option<CmpOp> {
    Some(match op {
        BinOp::Eq => CmpOp::Eq,
        BinOp::Ne => CmpOp::Ne,
        BinOp::Lt => CmpOp::Lt,
        BinOp::Le => CmpOp::Le,
        BinOp::Gt => CmpOp::Gt,
        BinOp::Ge => CmpOp::Ge,
        _ => return None,
    })
}

fn numeric(t: Type) -> bool {
    matches!(t, Type::Int | Type::Number | Type::Weight)
}

pub(super) fn texpr(kind: TExprKind, ty: Type, span: Span) -> TExpr {
    TExpr { kind, ty, span }
}

impl Checker<'_> {
    /// Reports a type other than `want`; true when the type is right.
    pub(crate) fn expect_type(&mut self, t: &TExpr, want: Type, what: &str) -> bool {
        if t.ty == want || (numeric(t.ty) && numeric(want)) {
            return true;
        }
        let got = self.model.schema.type_name(t.ty);
        let w = self.model.schema.type_name(want);
        let help = match want {
            Type::Bool => "write a comparison, such as `hbao_share > 70%`".to_string(),
            Type::Date => {
                "write a date such as `1/31/2024`, or a date field or measure".to_string()
            }
            _ => format!("{what} must be {w}"),
        };
        self.push(
            Problem::error(
                Code::TypeMismatch,
                t.span,
                format!("{what} must be {w}, but `{}` is {got}", self.text(t.span)),
            )
            .label(format!("this is {got}"))
            .help(help),
        );
        false
    }

    /// Two operands that can be compared; a diagnostic otherwise.
    pub(crate) fn compatible(&mut self, a: &TExpr, b: &TExpr, op: Span) -> Option<()> {
        // An amount compares with an amount, or with a plain number of dollars.
        let money = |x: Type, y: Type| x == Type::Money && matches!(y, Type::Int | Type::Number);
        let ok = a.ty == b.ty
            || (numeric(a.ty) && numeric(b.ty))
            || money(a.ty, b.ty)
            || money(b.ty, a.ty);
        if ok {
            self.rounding_note(a, b, op);
            self.rounding_note(b, a, op);
            return Some(());
        }
        let (ta, tb) = (
            self.model.schema.type_name(a.ty),
            self.model.schema.type_name(b.ty),
        );
        let help = match (a.ty, b.ty) {
            (Type::Percent, Type::Number | Type::Int) | (Type::Number | Type::Int, Type::Percent) => {
                "write the threshold as a percentage, e.g. `70%`".to_string()
            }
            (Type::Date, _) | (_, Type::Date) => {
                "compare a date with a date (a date field, a date measure or a literal such as `1/31/2024`)".to_string()
            }
            _ => "compare values of the same kind".to_string(),
        };
        self.push(
            Problem::error(
                Code::TypeMismatch,
                a.span.to(b.span),
                format!(
                    "cannot compare {ta} (`{}`) with {tb} (`{}`)",
                    self.text(a.span),
                    self.text(b.span)
                ),
            )
            .label("these do not have the same type")
            .help(help),
        );
        None
    }

    /// A share compared with a threshold where the policy does not say how the share is rounded.
    fn rounding_note(&mut self, share: &TExpr, threshold: &TExpr, op: Span) {
        let TExprKind::Measure(m) = share.kind else {
            return;
        };
        if share.ty != Type::Percent || !matches!(threshold.kind, TExprKind::Const(_)) {
            return;
        }
        let Some(measure) = self.model.measures.get(m) else {
            return;
        };
        if !self.unrounded.contains(&m) {
            return;
        }
        let name = measure.name.clone();
        self.push(
            Problem::warning(
                Code::RoundingUnstated,
                share.span.to(threshold.span).to(op),
                format!(
                    "`{name}` is compared with `{}` but the policy does not say how the share is rounded",
                    self.text(threshold.span)
                ),
            )
            .label("compared exactly")
            .help(format!(
                "add `exact` (or e.g. `rounded to 0.1%`) to `measure {name}`; without it the share is compared exactly"
            )),
        );
        self.unrounded.remove(&m);
    }

    fn is_free_name(&self, e: &ast::Expr, cx: &Cx) -> bool {
        let ExprKind::Name(id) = &e.kind else {
            return false;
        };
        if self.names.contains_key(&id.name) {
            return false;
        }
        let in_record = |r: Option<RecordId>| {
            r.and_then(|r| self.model.schema.record(r))
                .map(|rec| rec.field(&id.name).is_some())
                .unwrap_or(false)
        };
        !in_record(cx.row) && !in_record(cx.entity)
    }

    pub(crate) fn expr(&mut self, e: &ast::Expr, cx: &Cx, expect: Option<Type>) -> Option<TExpr> {
        let span = e.span;
        match &e.kind {
            ExprKind::Lit(l) => {
                let v = self.literal(l, span)?;
                let ty = match (l, &v) {
                    (Literal::Number(d), _) if d.scale == 0 => {
                        let n = d.digits;
                        return Some(texpr(TExprKind::Const(Value::Int(n)), Type::Int, span));
                    }
                    (Literal::Number(_), _) => Type::Number,
                    (Literal::Percent(_), _) => Type::Percent,
                    (Literal::Money(_), _) => Type::Money,
                    (Literal::Ratio(..), _) => Type::Ratio,
                    (Literal::Date(_), _) => Type::Date,
                    (Literal::Duration(_), _) => Type::Duration,
                    (Literal::SchoolYear(..), _) => Type::SchoolYear,
                    (Literal::Str(_), _) => Type::Text,
                    (Literal::Bool(_), _) => Type::Bool,
                    (Literal::Range(..), _) => return None,
                };
                Some(texpr(TExprKind::Const(v), ty, span))
            }
            ExprKind::Name(id) => self.name(id, cx, expect),
            ExprKind::Path(a, b) => self.path(a, b, cx),
            ExprKind::Set(members) => {
                let Some(Type::Set(en)) = expect else {
                    self.push(
                        Problem::error(
                            Code::SetHere,
                            span,
                            "a set of values belongs on the right of `in`",
                        )
                        .help("write `FIELD in {a, b}`"),
                    );
                    return None;
                };
                let mut ix = Vec::new();
                for m in members {
                    ix.push(self.enum_member(en, m)?);
                }
                ix.sort_unstable();
                ix.dedup();
                Some(texpr(
                    TExprKind::Const(Value::Set(en, ix)),
                    Type::Set(en),
                    span,
                ))
            }
            ExprKind::Not(inner) => {
                let t = self.expr(inner, cx, Some(Type::Bool))?;
                if !self.expect_type(&t, Type::Bool, "`not`'s operand") {
                    return None;
                }
                Some(texpr(TExprKind::Not(Box::new(t)), Type::Bool, span))
            }
            ExprKind::Agg(a) => match cx {
                Cx {
                    entity: Some(ent),
                    row: None,
                } => self.hidden_measure(a, span, *ent),
                _ => {
                    let (message, label) = if cx.row.is_some() {
                        (
                            "an aggregation cannot stand in a condition on one row",
                            "aggregates over many rows",
                        )
                    } else {
                        (
                            "an aggregation cannot stand in a constant",
                            "depends on the data",
                        )
                    };
                    self.push(
                        Problem::error(Code::AggregateHere, span, message)
                            .label(label)
                            .help("declare it as a `measure` and use the measure's name"),
                    );
                    None
                }
            },
            ExprKind::Binary(op, l, r) => self.binary(op, l, r, cx, span),
            ExprKind::Missing => {
                self.push(
                    Problem::error(
                        Code::Missing,
                        span,
                        "`missing` stands only after a condition: `X or missing`, `X and not missing`",
                    )
                    .label("says how an absent value counts in the condition before it")
                    .help("write `assessed <= due or missing` (an absent value meets it) or `... and not missing` (it fails)"),
                );
                None
            }
        }
    }

    /// `X or missing`, `X and not missing`: `missing` tests the optional fields `X` reads.
    fn missing_of(&mut self, a: &TExpr, cx: &Cx, span: Span) -> Option<TExpr> {
        let schema = &self.model.schema;
        let optional = |rec: Option<RecordId>, f: FieldId| {
            rec.and_then(|r| schema.record(r))
                .and_then(|r| r.fields.get(f))
                .is_some_and(|f| f.optional)
        };
        let mut fields: Vec<TExpr> = Vec::new();
        a.walk(&mut |x| {
            let keep = match x.kind {
                TExprKind::RowField(f) => optional(cx.row, f),
                TExprKind::EntityField(f) => optional(cx.entity, f),
                _ => false,
            };
            if keep {
                fields.push(x.clone());
            }
        });
        if fields.is_empty() {
            self.push(
                Problem::error(
                    Code::Missing,
                    span,
                    format!(
                        "`{}` reads no optional value, so nothing in it can be missing",
                        self.text(a.span)
                    ),
                )
                .label("never applies")
                .help("remove `or missing`; only a field declared `optional` can be empty"),
            );
            return None;
        }
        Some(texpr(TExprKind::Missing(fields), Type::Bool, span))
    }

    fn binary(
        &mut self,
        op: &ast::Spanned<BinOp>,
        l: &ast::Expr,
        r: &ast::Expr,
        cx: &Cx,
        span: Span,
    ) -> Option<TExpr> {
        match op.node {
            BinOp::And | BinOp::Or => {
                let a = self.expr(l, cx, Some(Type::Bool));
                let negated_missing =
                    matches!(&r.kind, ExprKind::Not(inner) if inner.kind == ExprKind::Missing);
                let b = if r.kind == ExprKind::Missing || negated_missing {
                    let m = self.missing_of(a.as_ref()?, cx, r.span)?;
                    if negated_missing {
                        Some(texpr(TExprKind::Not(Box::new(m)), Type::Bool, r.span))
                    } else {
                        Some(m)
                    }
                } else {
                    self.expr(r, cx, Some(Type::Bool))
                };
                let (a, b) = (a?, b?);
                let ok_a =
                    self.expect_type(&a, Type::Bool, &format!("`{}`'s operand", op.node.symbol()));
                let ok_b =
                    self.expect_type(&b, Type::Bool, &format!("`{}`'s operand", op.node.symbol()));
                if !(ok_a && ok_b) {
                    return None;
                }
                let kind = if op.node == BinOp::And {
                    TExprKind::And(Box::new(a), Box::new(b))
                } else {
                    TExprKind::Or(Box::new(a), Box::new(b))
                };
                Some(texpr(kind, Type::Bool, span))
            }
            BinOp::In | BinOp::NotIn => {
                let negated = op.node == BinOp::NotIn;
                let a = self.expr(l, cx, None)?;
                match (a.ty, &r.kind) {
                    (Type::Enum(en), _) => {
                        let b = self.expr(r, cx, Some(Type::Set(en)))?;
                        if b.ty != Type::Set(en) {
                            let tn = self.model.schema.type_name(b.ty);
                            let want = self.model.schema.type_name(Type::Set(en));
                            self.push(
                                Problem::error(
                                    Code::TypeMismatch,
                                    b.span,
                                    format!(
                                        "`{}` is {tn}, but `{}` needs {want}",
                                        self.text(b.span),
                                        op.node.symbol()
                                    ),
                                )
                                .help(
                                    "name a `set` of the same type, or write the values: `{a, b}`",
                                ),
                            );
                            return None;
                        }
                        Some(texpr(
                            TExprKind::In {
                                value: Box::new(a),
                                set: Box::new(b),
                                negated,
                            },
                            Type::Bool,
                            span,
                        ))
                    }
                    (ty, ExprKind::Set(members)) => {
                        // Values that are not of a declared type: `balance in {60:40, 70:30}` is
                        // `balance == 60:40 or balance == 70:30`.
                        let mut out: Option<TExpr> = None;
                        for m in members {
                            let v = self.expr(m, cx, Some(ty))?;
                            self.compatible(&a, &v, op.span)?;
                            let cmp = texpr(
                                TExprKind::Compare(
                                    if negated { CmpOp::Ne } else { CmpOp::Eq },
                                    Box::new(a.clone()),
                                    Box::new(v),
                                ),
                                Type::Bool,
                                m.span,
                            );
                            out = Some(match out {
                                None => cmp,
                                Some(prev) if negated => texpr(
                                    TExprKind::And(Box::new(prev), Box::new(cmp)),
                                    Type::Bool,
                                    span,
                                ),
                                Some(prev) => texpr(
                                    TExprKind::Or(Box::new(prev), Box::new(cmp)),
                                    Type::Bool,
                                    span,
                                ),
                            });
                        }
                        let Some(mut out) = out else {
                            self.push(
                                Problem::error(Code::EmptySet, r.span, "the set is empty")
                                    .help("list at least one value"),
                            );
                            return None;
                        };
                        out.span = span;
                        Some(out)
                    }
                    (ty, _) => {
                        let tn = self.model.schema.type_name(ty);
                        self.push(
                            Problem::error(
                                Code::TypeMismatch,
                                l.span,
                                format!("`{}` is {tn}; `in` needs a value of a declared type or a list of values", self.text(l.span)),
                            )
                            .help("write `FIELD in {a, b}` with values of the field's type"),
                        );
                        None
                    }
                }
            }
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let (a, b) = if self.is_free_name(l, cx) && !self.is_free_name(r, cx) {
                    let b = self.expr(r, cx, None)?;
                    let a = self.expr(l, cx, Some(b.ty))?;
                    (a, b)
                } else {
                    let a = self.expr(l, cx, None)?;
                    let b = self.expr(r, cx, Some(a.ty))?;
                    (a, b)
                };
                self.compatible(&a, &b, op.span)?;
                if matches!(op.node, BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge)
                    && matches!(
                        a.ty,
                        Type::Enum(_)
                            | Type::Text
                            | Type::Bool
                            | Type::Ref(_)
                            | Type::Set(_)
                            | Type::Ratio
                    )
                {
                    let tn = self.model.schema.type_name(a.ty);
                    self.push(
                        Problem::error(
                            Code::TypeMismatch,
                            op.span,
                            format!("{tn} has no order; `{}` does not apply", op.node.symbol()),
                        )
                        .help("use `==`, `!=` or `in`"),
                    );
                    return None;
                }
                let cmp = cmp_op(op.node)?;
                Some(texpr(
                    TExprKind::Compare(cmp, Box::new(a), Box::new(b)),
                    Type::Bool,
                    span,
                ))
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                let a = self.expr(l, cx, None);
                let b = self.expr(r, cx, None);
                let (a, b) = (a?, b?);
                let arith = match op.node {
                    BinOp::Add => ArithOp::Add,
                    BinOp::Sub => ArithOp::Sub,
                    BinOp::Mul => ArithOp::Mul,
                    _ => ArithOp::Div,
                };
                let scalar = |t: Type| numeric(t) || t == Type::Percent;
                let ty = match (arith, a.ty, b.ty) {
                    // Money: amounts add up; a share or multiple of an amount is an amount
                    // (`allocation * 1%`); an amount over an amount is a share.
                    (ArithOp::Add | ArithOp::Sub, Type::Money, Type::Money) => Type::Money,
                    // A plain number beside an amount is dollars (a `number` field of amounts).
                    (ArithOp::Add | ArithOp::Sub, Type::Money, y) if numeric(y) => Type::Money,
                    (ArithOp::Add | ArithOp::Sub, x, Type::Money) if numeric(x) => Type::Money,
                    (ArithOp::Mul, Type::Money, y) if scalar(y) => Type::Money,
                    (ArithOp::Mul, x, Type::Money) if scalar(x) => Type::Money,
                    (ArithOp::Div, Type::Money, y) if numeric(y) => Type::Money,
                    (ArithOp::Div, Type::Money, Type::Money) => Type::Percent,
                    (ArithOp::Add | ArithOp::Sub, Type::Date, Type::Duration) => Type::Date,
                    (ArithOp::Add, Type::Duration, Type::Date) => Type::Date,
                    (ArithOp::Div, x, y) if numeric(x) && numeric(y) => Type::Percent,
                    (ArithOp::Div, Type::Percent, y) if numeric(y) => Type::Percent,
                    (_, Type::Int | Type::Weight, Type::Int | Type::Weight) => Type::Int,
                    (_, x, y) if numeric(x) && numeric(y) => Type::Number,
                    (ArithOp::Add | ArithOp::Sub, Type::Percent, Type::Percent) => Type::Percent,
                    (ArithOp::Mul, Type::Percent, y) if numeric(y) => Type::Number,
                    (ArithOp::Mul, x, Type::Percent) if numeric(x) => Type::Number,
                    (_, x, y) => {
                        let (tx, ty) = (
                            self.model.schema.type_name(x),
                            self.model.schema.type_name(y),
                        );
                        let help = if x == Type::Date && y == Type::Date {
                            "dates cannot be added or subtracted; add a duration to a date, e.g. `class_start + 5 weeks`".to_string()
                        } else if x == Type::Date || y == Type::Date {
                            "add or subtract a duration such as `5 weeks` to a date".to_string()
                        } else {
                            "arithmetic works on numbers, and on a date plus or minus a duration"
                                .to_string()
                        };
                        self.push(
                            Problem::error(
                                Code::TypeMismatch,
                                op.span,
                                format!("cannot apply `{}` to {tx} and {ty}", op.node.symbol()),
                            )
                            .label("not defined for these types")
                            .help(help),
                        );
                        return None;
                    }
                };
                // School days are counted on the policy's list of non-school days, fixed now.
                let school = match (&a.kind, &b.kind, arith) {
                    (_, TExprKind::Const(Value::Duration(u)), ArithOp::Add | ArithOp::Sub)
                        if u.unit.counts_school_days() =>
                    {
                        let sign = if arith == ArithOp::Sub { -1 } else { 1 };
                        Some((*u, sign, true))
                    }
                    (TExprKind::Const(Value::Duration(u)), _, ArithOp::Add)
                        if u.unit.counts_school_days() =>
                    {
                        Some((*u, 1, false))
                    }
                    _ => None,
                };
                if let Some((u, _, _)) = school
                    && u.unit == ast::DurationUnit::SchoolDay
                {
                    self.school_days_without_list(span);
                }
                // Counted on non-school days read from the data: known once the data is read.
                let from_data = school
                    .is_some_and(|(u, _, _)| u.unit == ast::DurationUnit::SchoolDay)
                    && self.model.non_school_days_from.is_some();
                if from_data && self.in_agg_filter {
                    self.push(
                        Problem::error(
                            Code::SchoolDays,
                            span,
                            "an aggregate's filter cannot count school days read from the data",
                        )
                        .label("decided as the rows are read")
                        .help("count them in a rule (`each R where ... has F within 10 school days of G`, `count RULE late`), or list the non-school days in the policy"),
                    );
                    return None;
                }
                if from_data && cx.entity.is_none() && cx.row.is_none() {
                    let source = self
                        .model
                        .non_school_days_from
                        .as_ref()
                        .map(|f| f.text.clone())
                        .unwrap_or_default();
                    self.push(
                        Problem::error(
                            Code::NotConstant,
                            span,
                            format!(
                                "`{}` counts school days on the non-school days read from the data ({source}), so it is not a constant",
                                self.text(span)
                            ),
                        )
                        .label("known once the data is read")
                        .help("write it where it is used: a window's bound, a due date or a rule"),
                    );
                    return None;
                }
                // Fold constant dates so `9/15/2023 + 5 weeks` is a constant.
                if ty == Type::Date
                    && !from_data
                    && let (TExprKind::Const(x), TExprKind::Const(y)) = (&a.kind, &b.kind)
                {
                    let (d, dur, sign) = match (x, y, arith) {
                        (Value::Date(d), Value::Duration(u), ArithOp::Add) => (*d, *u, 1),
                        (Value::Date(d), Value::Duration(u), ArithOp::Sub) => (*d, *u, -1),
                        (Value::Duration(u), Value::Date(d), _) => (*d, *u, 1),
                        _ => return None,
                    };
                    return match add_duration(d, dur, sign, &self.model.non_school_days) {
                        Some(v) => Some(texpr(TExprKind::Const(Value::Date(v)), Type::Date, span)),
                        None => {
                            self.push(
                                Problem::error(
                                    Code::BadDate,
                                    span,
                                    format!(
                                        "`{}` is beyond the dates mandate can represent",
                                        self.text(span)
                                    ),
                                )
                                .label("out of range")
                                .help("use a smaller duration"),
                            );
                            None
                        }
                    };
                }
                if cx.entity.is_none() && cx.row.is_none() {
                    self.push(
                        Problem::error(
                            Code::NotConstant,
                            span,
                            "a constant is a literal, or a date plus or minus a duration",
                        )
                        .help("move the formula into a `measure`"),
                    );
                    return None;
                }
                if let Some((u, sign, date_first)) = school {
                    let calendar = if u.unit == ast::DurationUnit::SchoolDay {
                        self.model.non_school_days.clone()
                    } else {
                        Default::default()
                    };
                    let date = if date_first { a } else { b };
                    return Some(texpr(
                        TExprKind::SchoolDays {
                            date: Box::new(date),
                            days: u.n.checked_mul(sign)?,
                            calendar,
                            from_data,
                        },
                        ty,
                        span,
                    ));
                }
                Some(texpr(
                    TExprKind::Arith(arith, Box::new(a), Box::new(b)),
                    ty,
                    span,
                ))
            }
        }
    }
}

pub(crate) fn value_type(v: &Value) -> Type {
    match v {
        Value::Null | Value::Text(_) => Type::Text,
        Value::Int(_) => Type::Int,
        Value::Number(_) => Type::Number,
        Value::Bool(_) => Type::Bool,
        Value::Date(_) => Type::Date,
        Value::Pair(..) => Type::Ratio,
        Value::Duration(_) => Type::Duration,
        Value::SchoolYear(_) => Type::SchoolYear,
        Value::Enum(e, _) => Type::Enum(*e),
        Value::Ref(r, _) => Type::Ref(*r),
        Value::Set(e, _) => Type::Set(*e),
    }
}
