//! The policy's words for what evaluation words its messages with: every node of every expression
//! and every measure statement, kept at check time by span (`Model::text`), so that the evaluator
//! reads the checked model only, never the policy's source text.

use crate::syntax::{Sources, Span};

use super::model::{Check, EachTest, MeasureDef, Model, PolicyTexts, TExpr};

/// The texts of `model`'s expressions in `sources`.
pub(super) fn collect(model: &Model, sources: &Sources) -> PolicyTexts {
    let mut out = PolicyTexts::new();
    let mut add = |span: Span| {
        out.entry((span.file, span.start, span.end))
            .or_insert_with(|| sources.slice(span).to_string());
    };
    let mut exprs: Vec<&TExpr> = Vec::new();
    for m in &model.measures {
        add(m.span);
        match &m.def {
            MeasureDef::Agg {
                filter: Some(f), ..
            } => exprs.push(f),
            MeasureDef::Formula(e) => exprs.push(e),
            MeasureDef::Agg { filter: None, .. } | MeasureDef::RuleRows { .. } => {}
        }
    }
    for c in &model.categories {
        exprs.push(&c.when);
    }
    for w in &model.windows {
        for case in &w.cases {
            exprs.extend(&case.when);
            exprs.extend(case.lower.iter().chain(&case.upper).map(|b| &b.expr));
        }
    }
    for r in &model.rules {
        exprs.extend(&r.applies);
        match &r.check {
            Check::Holds(e) => exprs.push(e),
            Check::Each { filter, test, .. } => {
                exprs.extend(filter);
                match test {
                    EachTest::Compare(_, e) => exprs.push(e),
                    EachTest::NotOn { filter, .. } => exprs.extend(filter),
                    EachTest::Within(_) | EachTest::WithinOf { .. } => {}
                }
            }
            Check::Deadline { filter, due, .. } => {
                exprs.extend(filter);
                exprs.push(due);
            }
            Check::Retain { .. } => {}
        }
    }
    for e in exprs {
        e.walk(&mut |x| add(x.span));
    }
    out
}
