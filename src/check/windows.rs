//! Windows: absolute or relative to dates from data, per school level; dates inside the year.

use super::diag::Problem;
use super::model::*;
use super::{Checker, Def, exprs};
use crate::codes::Code;
use crate::syntax::Span;
use crate::syntax::ast::{self, Stmt};

impl<'a> Checker<'a> {
    pub(super) fn windows(&mut self) {
        for i in 0..self.defs.len() {
            let Some(Def {
                stmt: Stmt::Window(w),
                section,
                ..
            }) = self.defs.get(i)
            else {
                continue;
            };
            let (w, section): (&ast::WindowDecl, _) = (w, *section);
            let exprs: Vec<&ast::Expr> = w
                .cases
                .iter()
                .flat_map(|c| {
                    let bounds: Vec<&ast::Expr> = match &c.spec {
                        ast::WindowSpec::Range(_) => Vec::new(),
                        ast::WindowSpec::Bounds { lower, upper } => {
                            lower.iter().chain(upper.iter()).map(|b| &b.expr).collect()
                        }
                    };
                    c.when.iter().chain(bounds)
                })
                .collect();
            let entity = if self.reads_nothing(&exprs) {
                // The same dates for every entity.
                self.model.schema.entities().map(|(r, _)| r).find(|r| {
                    self.model
                        .non_school_days_from
                        .as_ref()
                        .is_none_or(|s| s.record != *r)
                })
            } else {
                self.infer_entity(&w.name, None, &[], &exprs)
            };
            let Some(entity) = entity else {
                if self.model.schema.entities().next().is_none() {
                    self.no_entity(&w.name);
                }
                continue;
            };
            let cx = exprs::Cx::entity(entity);
            let mut cases = Vec::new();
            let mut ok = true;
            for case in &w.cases {
                let when = match &case.when {
                    Some(e) => match self.expr(e, &cx, Some(Type::Bool)) {
                        Some(t) => {
                            self.expect_type(&t, Type::Bool, "a window's `when`");
                            Some(t)
                        }
                        None => {
                            ok = false;
                            None
                        }
                    },
                    None => None,
                };
                let (lower, upper) = match &case.spec {
                    ast::WindowSpec::Range(l) => match self.range(&l.node, l.span) {
                        Some((a, b)) => (
                            Some(WindowBound {
                                kind: ast::BoundKind::From,
                                expr: TExpr {
                                    kind: TExprKind::Const(Value::Date(a)),
                                    ty: Type::Date,
                                    span: l.span,
                                },
                            }),
                            Some(WindowBound {
                                kind: ast::BoundKind::By,
                                expr: TExpr {
                                    kind: TExprKind::Const(Value::Date(b)),
                                    ty: Type::Date,
                                    span: l.span,
                                },
                            }),
                        ),
                        None => {
                            ok = false;
                            (None, None)
                        }
                    },
                    ast::WindowSpec::Bounds { lower, upper } => {
                        let bound =
                            |c: &mut Self, b: &Option<ast::Bound>| -> Option<Option<WindowBound>> {
                                let Some(b) = b else { return Some(None) };
                                let t = c.expr(&b.expr, &cx, Some(Type::Date))?;
                                if !c.expect_type(&t, Type::Date, "a window's bound") {
                                    return None;
                                }
                                if let TExprKind::Const(Value::Date(d)) = &t.kind {
                                    c.in_year(&[*d], t.span, "window bound");
                                }
                                Some(Some(WindowBound {
                                    kind: b.kind.node,
                                    expr: t,
                                }))
                            };
                        let lo = bound(self, lower);
                        let hi = bound(self, upper);
                        match (lo, hi) {
                            (Some(lo), Some(hi)) => {
                                if let (Some(l), Some(h)) = (&lo, &hi)
                                    && let (
                                        TExprKind::Const(Value::Date(a)),
                                        TExprKind::Const(Value::Date(b)),
                                    ) = (&l.expr.kind, &h.expr.kind)
                                {
                                    self.empty_window(case.span, (l.kind, *a), (h.kind, *b));
                                }
                                (lo, hi)
                            }
                            _ => {
                                ok = false;
                                (None, None)
                            }
                        }
                    }
                };
                let spec_span = match &case.spec {
                    ast::WindowSpec::Range(l) => l.span,
                    ast::WindowSpec::Bounds { lower, upper } => {
                        let a = lower.as_ref().or(upper.as_ref()).map(|b| b.kind.span);
                        let b = upper.as_ref().or(lower.as_ref()).map(|b| b.expr.span);
                        match (a, b) {
                            (Some(a), Some(b)) => a.to(b),
                            _ => case.span,
                        }
                    }
                };
                cases.push(WindowCase {
                    when,
                    lower,
                    upper,
                    text: self
                        .text(spec_span)
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" "),
                    span: case.span,
                });
            }
            if !ok {
                continue;
            }
            let idx = self.model.windows.len();
            self.model.windows.push(Window {
                name: w.name.name.clone(),
                entity,
                cases,
                section: self.section_title(section),
                span: w.span,
            });
            if let Some(d) = self.defs.get_mut(i) {
                d.index = Some(idx);
            }
        }
    }

    /// An error when a window with two fixed bounds holds no day: its dates reversed, or
    /// `after` and `before` (which leave out their own dates) with no day between them.
    fn empty_window(
        &mut self,
        span: Span,
        (lk, a): (ast::BoundKind, chrono::NaiveDate),
        (hk, b): (ast::BoundKind, chrono::NaiveDate),
    ) {
        let problem = if a > b {
            Problem::error(
                Code::EmptyWindow,
                span,
                format!(
                    "the window ends on {}, before it starts on {}",
                    us_date(b),
                    us_date(a)
                ),
            )
            .help("swap the two dates, or check the month and year")
        } else {
            let (first, last) = (first_day(lk, a), last_day(hk, b));
            if first.is_some() && last.is_some() && first <= last {
                return;
            }
            let day = |d: Option<chrono::NaiveDate>| d.map_or_else(|| "no day".into(), us_date);
            Problem::error(
                Code::EmptyWindow,
                span,
                format!(
                    "the window holds no day: `{} {}` lets in {} onward, `{} {}` up to {}",
                    lk.word(),
                    us_date(a),
                    day(first),
                    hk.word(),
                    us_date(b),
                    day(last)
                ),
            )
            .help({
                // Only `after` and `before` leave out their dates, and one of them is here.
                let mut fixes = Vec::new();
                if lk == ast::BoundKind::After {
                    fixes.push(format!("`from {}`", us_date(a)));
                }
                if hk == ast::BoundKind::Before {
                    fixes.push(format!("`by {}`", us_date(b)));
                }
                format!(
                    "`after` and `before` leave out their own dates: write {} to include them, \
                     or widen the window",
                    fixes.join(" or ")
                )
            })
        };
        self.push(problem.label("an empty window"));
    }

    /// Dates within the policy's school year, or one diagnostic for all of them.
    pub(crate) fn in_year(&mut self, dates: &[chrono::NaiveDate], span: Span, what: &str) {
        let Some((start, end)) = self.model.guide.year_bounds() else {
            return;
        };
        if dates.iter().all(|d| *d >= start && *d <= end) {
            return;
        }
        let y = self.model.guide.year.unwrap_or_default();
        let text = self
            .text(span)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        self.push(
            Problem::error(
                Code::OutsideYear,
                span,
                format!(
                    "the {what} `{text}` is not within the school year {}-{}",
                    y,
                    y + 1
                ),
            )
            .label(format!(
                "the school year runs from {} to {}",
                us_date(start),
                us_date(end)
            ))
            .help("check the year; a new revision changes every date"),
        );
    }
}
