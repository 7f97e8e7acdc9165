//! Privacy as a checked property (SECURITY.md, DESIGN "Privacy"). A value of a `private` field, and
//! anything computed from one, must never be printed. mandate prints every measure (explain,
//! findings), the value a per-row rule checks, the dates of windows and deadlines, and every
//! entity's key; so the checker refuses each construct that would put a private value there, with
//! a diagnostic at the construct. What stays allowed prints no value: counting rows, and filtering
//! on a private field (`count student where student_name == "x"`, `each R where ...`).

use super::diag::Problem;
use super::model::{
    AggKind, Check, EachTest, FieldId, MeasureDef, Model, RecordId, TExpr, TExprKind, Type,
};
use crate::syntax::Span;

const CODE: crate::codes::Code = crate::codes::Code::Private;
const HELP: &str = "a private field can be counted and filtered on (`count R where F == ...`, \
                    `each R where F == ...`); mandate never prints its value or one computed from it";

/// The problems of `model`: one per construct that would print a private value.
pub fn check(model: &Model) -> Vec<Problem> {
    let mut out = Vec::new();
    let field = |record: RecordId, f: FieldId| {
        let r = model.schema.record(record)?;
        let fd = r.fields.get(f)?;
        fd.private.then(|| format!("`{}.{}`", r.name, fd.name))
    };
    let error = |span: Span, message: String| Problem::error(CODE, span, message).help(HELP);
    for r in &model.schema.records {
        if let Some(fd) = r.key.and_then(|k| r.fields.get(k))
            && fd.private
        {
            out.push(error(
                fd.span,
                format!(
                    "the key of `{}` cannot be private: every finding names its entity by it",
                    r.name
                ),
            ));
        }
    }
    for m in &model.measures {
        let private = match &m.def {
            MeasureDef::Agg { record, kind, .. } => match kind {
                AggKind::Sum(f) | AggKind::Min(f) | AggKind::Max(f) => field(*record, *f),
                AggKind::Count | AggKind::CountDistinct(_) => None,
            },
            MeasureDef::Formula(e) => private_in(model, m.entity, e),
            // A count of rows prints no value.
            MeasureDef::RuleRows { .. } => None,
        };
        if let Some(name) = private {
            out.push(error(
                m.span,
                format!(
                    "measure `{}` is computed from the private field {name}; every measure's \
                     value is printed",
                    m.name
                ),
            ));
        }
    }
    for w in &model.windows {
        for case in &w.cases {
            for bound in case.lower.iter().chain(case.upper.iter()) {
                if let Some(name) = private_in(model, w.entity, &bound.expr) {
                    out.push(error(
                        case.span,
                        format!(
                            "window `{}` is computed from the private field {name}; its dates \
                             are printed",
                            w.name
                        ),
                    ));
                }
            }
        }
    }
    for rule in &model.rules {
        let fields: Vec<Option<String>> = match &rule.check {
            Check::Holds(_) => Vec::new(),
            Check::Each {
                record,
                field: f,
                test,
                ..
            } => {
                let mut v = vec![field(*record, *f)];
                if let EachTest::NotOn {
                    record: o,
                    field: of,
                    ..
                } = test
                {
                    v.push(field(*o, *of));
                }
                v
            }
            Check::Deadline {
                record, field: f, ..
            } => vec![field(*record, *f)],
            Check::Retain {
                record,
                from,
                until,
                ..
            } => vec![field(*record, *from), until.and_then(|u| field(*record, u))],
        };
        if let Some(name) = fields.into_iter().flatten().next() {
            out.push(error(
                rule.span,
                format!(
                    "rule `{}` checks the private field {name} row by row; a failing row's \
                     value would be printed",
                    rule.name
                ),
            ));
        }
    }
    out
}

/// The first private field of `entity` (or of an entity it refers to) that `e` reads directly,
/// as `` `record.field` ``. Row filters are not values and are not looked at.
fn private_in(model: &Model, entity: RecordId, e: &TExpr) -> Option<String> {
    let mut stack = vec![(entity, e)];
    while let Some((entity, e)) = stack.pop() {
        match &e.kind {
            TExprKind::EntityField(f) => {
                let r = model.schema.record(entity)?;
                if let Some(fd) = r.fields.get(*f)
                    && fd.private
                {
                    return Some(format!("`{}.{}`", r.name, fd.name));
                }
            }
            TExprKind::Parent { field, expr } => {
                let parent = model
                    .schema
                    .record(entity)
                    .and_then(|r| r.fields.get(*field))
                    .and_then(|fd| match fd.ty {
                        Type::Ref(p) => Some(p),
                        _ => None,
                    });
                if let Some(p) = parent {
                    stack.push((p, expr));
                }
            }
            TExprKind::Not(a) | TExprKind::SchoolDays { date: a, .. } => stack.push((entity, a)),
            TExprKind::And(a, b)
            | TExprKind::Or(a, b)
            | TExprKind::Compare(_, a, b)
            | TExprKind::Arith(_, a, b) => {
                stack.push((entity, a));
                stack.push((entity, b));
            }
            TExprKind::In { value, set, .. } => {
                stack.push((entity, value));
                stack.push((entity, set));
            }
            // Whether a value is empty prints no value.
            TExprKind::Missing(_)
            | TExprKind::Const(_)
            | TExprKind::Measure(_)
            | TExprKind::Category(_)
            | TExprKind::RowField(_)
            | TExprKind::RowMeasure(_)
            | TExprKind::RowCategory(_) => {}
        }
    }
    None
}
