//! How long a chain of measures may be (`m2 = m1 + 1`, `m3 = m2 + 1`, ...). The evaluator computes
//! a measure by computing the ones it is made of first, one stack frame per link, so a chain of
//! 20,000 would overflow the stack: a chain longer than [`MEASURE_CHAIN`] is an error at its last
//! link, found here without recursion (SECURITY.md).

use super::diag::Problem;
use super::model::{MeasureDef, Model, TExpr, TExprKind};
use crate::limits::MEASURE_CHAIN;

/// The measures `e` reads (of this entity, of the row's, or of a parent's).
fn measures_read(e: &TExpr, out: &mut Vec<usize>) {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        match &e.kind {
            TExprKind::Measure(m) | TExprKind::RowMeasure(m) => out.push(m.0),
            TExprKind::Parent { expr, .. } => stack.push(expr),
            TExprKind::Not(a) | TExprKind::SchoolDays { date: a, .. } => stack.push(a),
            TExprKind::And(a, b)
            | TExprKind::Or(a, b)
            | TExprKind::Compare(_, a, b)
            | TExprKind::Arith(_, a, b) => {
                stack.push(a);
                stack.push(b);
            }
            TExprKind::In { value, set, .. } => {
                stack.push(value);
                stack.push(set);
            }
            TExprKind::Missing(fields) => stack.extend(fields),
            TExprKind::Const(_)
            | TExprKind::Category(_)
            | TExprKind::EntityField(_)
            | TExprKind::RowField(_)
            | TExprKind::RowCategory(_) => {}
        }
    }
}

/// One error, at the first measure (in policy order) at the end of a chain that is too long.
pub fn check(model: &Model) -> Vec<Problem> {
    let deps: Vec<Vec<usize>> = model
        .measures
        .iter()
        .map(|m| {
            let mut out = Vec::new();
            match &m.def {
                MeasureDef::Formula(e) => measures_read(e, &mut out),
                MeasureDef::Agg { filter, .. } => {
                    if let Some(f) = filter {
                        measures_read(f, &mut out);
                    }
                }
                MeasureDef::RuleRows { .. } => {}
            }
            out.sort_unstable();
            out.dedup();
            out
        })
        .collect();
    // The links in the longest chain ending at each measure; found depth first, without
    // recursion. A cycle (reported elsewhere) counts as no further link.
    let mut depth: Vec<Option<usize>> = vec![None; deps.len()];
    let mut on_path = vec![false; deps.len()];
    for start in 0..deps.len() {
        if depth.get(start).copied().flatten().is_some() {
            continue;
        }
        let mut stack = vec![(start, 0usize)];
        while let Some(&mut (m, ref mut next)) = stack.last_mut() {
            if let Some(flag) = on_path.get_mut(m) {
                *flag = true;
            }
            let children = deps.get(m).map(Vec::as_slice).unwrap_or(&[]);
            if let Some(&c) = children.get(*next) {
                *next += 1;
                let known = depth.get(c).copied().flatten().is_some();
                let cycle = on_path.get(c).copied().unwrap_or(true);
                if !known && !cycle {
                    stack.push((c, 0));
                }
                continue;
            }
            let d = 1 + children
                .iter()
                .filter_map(|&c| depth.get(c).copied().flatten())
                .max()
                .unwrap_or(0);
            if let Some(slot) = depth.get_mut(m) {
                *slot = Some(d);
            }
            if let Some(flag) = on_path.get_mut(m) {
                *flag = false;
            }
            stack.pop();
        }
    }
    let too_long = depth
        .iter()
        .zip(&model.measures)
        .find(|(d, _)| d.is_some_and(|d| d > MEASURE_CHAIN));
    match too_long {
        Some((d, m)) => vec![
            Problem::error(
                crate::codes::Code::MeasureChain,
                m.span,
                format!(
                    "measure `{}` is the end of a chain of {} measures, each computed from the \
                     one before; a chain holds at most {MEASURE_CHAIN}",
                    m.name,
                    d.unwrap_or(0)
                ),
            )
            .help("compute it from fewer steps: a formula may combine many measures at once"),
        ],
        None => Vec::new(),
    }
}
