//! Rules: conditions, per-row checks, exclusions, deadlines, retention.

use super::diag::Problem;
use super::model::*;
use super::{Checker, Def, DefKind, exprs};
use crate::codes::Code;
use crate::syntax::ast::{self, Stmt};

impl<'a> Checker<'a> {
    pub(super) fn rules(&mut self) {
        for i in 0..self.defs.len() {
            let Some(Def {
                stmt: Stmt::Rule(r),
                section,
                ..
            }) = self.defs.get(i)
            else {
                continue;
            };
            let (r, section): (&ast::RuleDecl, _) = (r, *section);
            if let Some(rule) = self.rule(r, section) {
                let idx = self.model.rules.len();
                self.model.rules.push(rule);
                if let Some(d) = self.defs.get_mut(i) {
                    d.index = Some(idx);
                }
            }
        }
    }

    pub(super) fn rule(
        &mut self,
        r: &ast::RuleDecl,
        section: Option<&ast::Section>,
    ) -> Option<RuleDef> {
        let record_name = match &r.assertion {
            ast::Assertion::Each { record, .. }
            | ast::Assertion::Deadline { record, .. }
            | ast::Assertion::Retain { record, .. } => Some(record),
            ast::Assertion::Holds(_) => None,
        };
        let record = match record_name {
            Some(n) => Some(self.record_ref(n)?),
            None => None,
        };
        let mut exprs: Vec<&ast::Expr> = section
            .and_then(|s| s.applies.as_ref())
            .into_iter()
            .chain(r.applies.as_ref())
            .collect();
        match &r.assertion {
            ast::Assertion::Holds(e) => exprs.push(e),
            ast::Assertion::Deadline { due, .. } => exprs.push(due),
            ast::Assertion::Each { .. } | ast::Assertion::Retain { .. } => {}
        }
        let records: Vec<&ast::Ident> = record_name.into_iter().collect();
        let entity = self.infer_entity(&r.name, r.per.as_ref(), &records, &exprs)?;
        let cx = exprs::Cx::entity(entity);
        let parts: Vec<String> = section
            .and_then(|s| s.applies.as_ref())
            .into_iter()
            .chain(r.applies.as_ref())
            .map(|e| {
                self.text(e.span)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let applies_text = match parts.as_slice() {
            [] => None,
            [one] => Some(one.clone()),
            _ => Some(
                parts
                    .iter()
                    .map(|p| {
                        if p.split(' ').any(|w| w == "or") && !p.starts_with('(') {
                            format!("({p})")
                        } else {
                            p.clone()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" and "),
            ),
        };
        let mut applies = None;
        for cond in section
            .and_then(|s| s.applies.as_ref())
            .into_iter()
            .chain(r.applies.as_ref())
        {
            let t = self.expr(cond, &cx, Some(Type::Bool))?;
            if !self.expect_type(&t, Type::Bool, "a `for` condition") {
                return None;
            }
            applies = Some(match applies {
                None => t,
                Some(prev) => {
                    let span = t.span;
                    TExpr {
                        kind: TExprKind::And(Box::new(prev), Box::new(t)),
                        ty: Type::Bool,
                        span,
                    }
                }
            });
        }
        let (check, span) = match &r.assertion {
            ast::Assertion::Holds(e) => {
                let t = self.expr(e, &cx, Some(Type::Bool))?;
                if !self.expect_type(&t, Type::Bool, "a rule") {
                    return None;
                }
                (Check::Holds(t), e.span)
            }
            ast::Assertion::Each {
                filter,
                field,
                test,
                absent,
                span,
                ..
            } => {
                let record = record?;
                let (rcx, filter, fi, fty) =
                    self.row_field(record, entity, r.name.span, filter.as_ref(), field)?;
                let test = match test {
                    ast::EachTest::Within(w) => {
                        let found = self.lookup(&w.name).map(|(wi, d)| (wi, d.kind));
                        match found {
                            Some((wi, DefKind::Window)) => {
                                self.use_def(wi);
                            }
                            Some((_, k)) => {
                                let kind = k.word();
                                let help = if matches!(k, DefKind::Const | DefKind::Measure) {
                                    format!(
                                        "`within` takes a window such as `window w = November \
                                         13-17, 2023`; to compare with one date, write `has {} == {}`",
                                        field.name, w.name
                                    )
                                } else {
                                    "`within` takes a window such as `window w = November 13-17, 2023`"
                                        .to_string()
                                };
                                self.push(
                                    Problem::error(
                                        Code::NotAWindow,
                                        w.span,
                                        format!("`{}` is a {kind}, not a window", w.name),
                                    )
                                    .label("not a window")
                                    .help(help),
                                );
                                return None;
                            }
                            None => {
                                let wins: Vec<String> = self
                                    .defs
                                    .iter()
                                    .filter(|d| d.kind == DefKind::Window)
                                    .map(|d| d.stmt.name().name.clone())
                                    .collect();
                                let refs: Vec<&str> = wins.iter().map(String::as_str).collect();
                                self.unknown("window", w, &refs);
                                return None;
                            }
                        }
                        if fty != Type::Date {
                            self.field_not_date(record, field, fty);
                            return None;
                        }
                        // Windows are checked before rules; find its index by name.
                        let wi = self.model.windows.position(|x| x.name == w.name)?;
                        EachTest::Within(wi)
                    }
                    ast::EachTest::WithinOf { period, from } => {
                        if period.node.unit == ast::DurationUnit::SchoolDay {
                            self.school_days_without_list(period.span);
                        }
                        if period.node.n <= 0 {
                            self.push(
                                Problem::error(
                                    Code::TypeMismatch,
                                    period.span,
                                    "a due date is a positive time after its start",
                                )
                                .help("write, for example, `within 30 days of enrolled`"),
                            );
                            return None;
                        }
                        if fty != Type::Date {
                            self.field_not_date(record, field, fty);
                            return None;
                        }
                        let fi_from = self.record_field(record, from)?;
                        let from_ty = self.field_ty(record, fi_from)?;
                        if from_ty != Type::Date {
                            self.field_not_date(record, from, from_ty);
                            return None;
                        }
                        EachTest::WithinOf {
                            period: period.node,
                            from: fi_from,
                        }
                    }
                    ast::EachTest::NotOn {
                        record: other,
                        field: of,
                        filter: ofilter,
                        negated,
                    } => {
                        if fty != Type::Date {
                            self.field_not_date(record, field, fty);
                            return None;
                        }
                        let orec = self.record_ref(other)?;
                        self.owner_field(orec, entity, other.span)?;
                        let ofi = self.record_field(orec, of)?;
                        let ofty = self.field_ty(orec, ofi)?;
                        if ofty != Type::Date {
                            self.field_not_date(orec, of, ofty);
                            return None;
                        }
                        let ocx = exprs::Cx::row(entity, orec);
                        let ofilter = self.filter(ofilter.as_ref(), &ocx)?;
                        EachTest::NotOn {
                            record: orec,
                            field: ofi,
                            filter: ofilter,
                            negated: *negated,
                        }
                    }
                    ast::EachTest::Compare(op, e) => {
                        let t = self.expr(e, &rcx, Some(fty))?;
                        let lhs = TExpr {
                            kind: TExprKind::RowField(fi),
                            ty: fty,
                            span: field.span,
                        };
                        self.compatible(&lhs, &t, op.span)?;
                        let cmp = exprs::cmp_op(op.node)?;
                        EachTest::Compare(cmp, t)
                    }
                };
                (
                    Check::Each {
                        record,
                        filter,
                        field: fi,
                        test,
                        absent: absent.as_ref().map(|a| a.node),
                    },
                    *span,
                )
            }
            ast::Assertion::Deadline {
                filter,
                field,
                due,
                span,
                ..
            } => {
                let record = record?;
                let (_, filter, fi, fty) =
                    self.row_field(record, entity, r.name.span, filter.as_ref(), field)?;
                if fty != Type::Date {
                    self.field_not_date(record, field, fty);
                    return None;
                }
                let due = self.expr(due, &cx, Some(Type::Date))?;
                if !self.expect_type(&due, Type::Date, "a due date") {
                    return None;
                }
                if let TExprKind::Const(Value::Date(d)) = &due.kind {
                    self.in_year(&[*d], due.span, "due date");
                }
                (
                    Check::Deadline {
                        record,
                        filter,
                        field: fi,
                        due,
                    },
                    *span,
                )
            }
            ast::Assertion::Retain {
                period,
                from,
                year_end,
                until,
                span,
                ..
            } => {
                let record = record?;
                self.owner_field(record, entity, r.name.span)?;
                let fi = self.record_field(record, from)?;
                let fty = self.field_ty(record, fi)?;
                if fty != Type::Date {
                    self.field_not_date(record, from, fty);
                    return None;
                }
                let ui = match until {
                    Some(u) => {
                        let ui = self.record_field(record, u)?;
                        let uty = self.field_ty(record, ui)?;
                        if uty != Type::Date {
                            self.field_not_date(record, u, uty);
                            return None;
                        }
                        Some(ui)
                    }
                    None => None,
                };
                if period.node.unit.counts_school_days() {
                    self.push(
                        Problem::error(
                            Code::Retention,
                            period.span,
                            "a retention period is calendar time, not school days",
                        )
                        .help("write, for example, `for 5 years`"),
                    );
                    return None;
                }
                if period.node.n <= 0 {
                    self.push(
                        Problem::error(
                            Code::Retention,
                            period.span,
                            "a retention period is longer than zero",
                        )
                        .help("write, for example, `for 5 years`"),
                    );
                    return None;
                }
                (
                    Check::Retain {
                        record,
                        period: period.node,
                        from: fi,
                        year_end: *year_end,
                        until: ui,
                    },
                    *span,
                )
            }
        };
        Some(RuleDef {
            name: r.name.name.clone(),
            modal: r.modal.node,
            severity: Severity::from_modal(r.modal.node),
            entity,
            applies,
            applies_text,
            check,
            quote: r.quote.as_ref().map(|q| q.node.clone()),
            section: self.section_title(section),
            text: self
                .text(span)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            span: r.span,
        })
    }

    /// What a rule over rows of `record` reads first: the record belongs to the entity, the
    /// row context, the `where` filter checked in it, and the field tested (its index and type).
    fn row_field(
        &mut self,
        record: RecordId,
        entity: RecordId,
        at: crate::syntax::Span,
        filter: Option<&ast::Expr>,
        field: &ast::Ident,
    ) -> Option<(exprs::Cx, Option<TExpr>, FieldId, Type)> {
        self.owner_field(record, entity, at)?;
        let rcx = exprs::Cx::row(entity, record);
        let filter = self.filter(filter, &rcx)?;
        let fi = self.record_field(record, field)?;
        let fty = self.field_ty(record, fi)?;
        Some((rcx, filter, fi, fty))
    }

    pub(super) fn filter(
        &mut self,
        f: Option<&ast::Expr>,
        cx: &exprs::Cx,
    ) -> Option<Option<TExpr>> {
        match f {
            None => Some(None),
            Some(e) => {
                let t = self.expr(e, cx, Some(Type::Bool))?;
                if !self.expect_type(&t, Type::Bool, "a `where` condition") {
                    return None;
                }
                Some(Some(t))
            }
        }
    }
}
