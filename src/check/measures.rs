//! Measures: aggregations per entity, resolved in dependency order, cycles reported.

use super::diag::Problem;
use super::model::*;
use super::{Checker, Def, DefKind, Progress, exprs};
use crate::codes::Code;
use crate::syntax::Span;
use crate::syntax::ast::{self, Stmt};

impl<'a> Checker<'a> {
    pub(super) fn measures(&mut self) {
        for i in 0..self.defs.len() {
            if matches!(self.defs.get(i).map(|d| d.kind), Some(DefKind::Measure)) {
                self.measure(i);
            }
        }
    }

    /// The entity a statement is about: `per X`, else the entity of `record` (itself when it is
    /// one, else the entity its first reference field names). Without either, none: see
    /// `infer_entity`.
    pub(super) fn entity_for(
        &mut self,
        per: Option<&ast::Ident>,
        record: Option<RecordId>,
    ) -> Option<RecordId> {
        if let Some(p) = per {
            return match self.model.schema.record_by_name(&p.name) {
                Some(r)
                    if self
                        .model
                        .schema
                        .record(r)
                        .map(|x| x.key.is_some())
                        .unwrap_or(false) =>
                {
                    if let Some((i, _)) = self.lookup(&p.name) {
                        self.use_def(i);
                    }
                    Some(r)
                }
                Some(_) => {
                    self.push(
                        Problem::error(
                            Code::NotAnEntity,
                            p.span,
                            format!("`{}` has no key, so nothing can be measured per `{}`", p.name, p.name),
                        )
                        .help(format!(
                            "`per` names an entity, a record with a key: add `key FIELD` to `record {}`",
                            p.name
                        )),
                    );
                    None
                }
                None => {
                    let ents: Vec<String> = self
                        .model
                        .schema
                        .entities()
                        .map(|(_, r)| r.name.clone())
                        .collect();
                    let refs: Vec<&str> = ents.iter().map(String::as_str).collect();
                    self.unknown("entity", p, &refs);
                    None
                }
            };
        }
        if let Some(r) = record
            && let Some(rec) = self.model.schema.record(r)
        {
            if rec.key.is_some() {
                return Some(r);
            }
            if let Some((_, e)) = rec.owner() {
                return Some(e);
            }
        }
        None
    }

    pub(super) fn no_entity(&mut self, name: &ast::Ident) {
        if self.problems.iter().any(|p| p.code == Code::NoEntity) {
            // Once is enough: every statement fails for the same reason.
            return;
        }
        self.push(
            Problem::error(
                Code::NoEntity,
                name.span,
                format!("cannot tell what records `{}` is about", name.name),
            )
            .help("declare a record with a `key` (such as `record school key id { id: text }`), or include the file that does"),
        );
    }

    /// `a → b → a`: the definitions on the path from `i` back to itself.
    fn cycle_chain(&self, i: usize) -> String {
        let from = self.busy.iter().position(|&b| b == i).unwrap_or(0);
        self.busy
            .get(from..)
            .unwrap_or_default()
            .iter()
            .chain(std::iter::once(&i))
            .filter_map(|&d| self.defs.get(d))
            .map(|d| format!("`{}`", d.stmt.name().name))
            .collect::<Vec<_>>()
            .join(" → ")
    }

    /// Checks measure `i` (once), returning its index in the model.
    pub(crate) fn measure(&mut self, i: usize) -> Option<MeasureId> {
        self.once(
            i,
            (
                "",
                "defined in terms of itself",
                "a measure cannot be computed from itself; break the cycle",
            ),
            Self::measure_body,
        )
        .map(MeasureId)
    }

    /// Runs `body` for definition `i` the first time it is asked for; a definition met again while
    /// it is being checked is a cycle, reported once with the chain that leads back to it.
    pub(super) fn once(
        &mut self,
        i: usize,
        (what, label, help): (&str, &str, &str),
        body: fn(&mut Self, usize) -> Option<usize>,
    ) -> Option<usize> {
        match self.progress.get(&i).copied().unwrap_or(Progress::Todo) {
            Progress::Done => return self.defs.get(i).and_then(|d| d.index),
            Progress::Failed => return None,
            Progress::Busy => {
                if let Some(d) = self.defs.get(i) {
                    let name = d.stmt.name().clone();
                    let chain = self.cycle_chain(i);
                    self.push(
                        Problem::error(
                            Code::Cycle,
                            name.span,
                            format!("{what}`{}` depends on itself: {chain}", name.name),
                        )
                        .label(label)
                        .help(help),
                    );
                }
                self.progress.insert(i, Progress::Failed);
                return None;
            }
            Progress::Todo => {}
        }
        self.busy.push(i);
        self.progress.insert(i, Progress::Busy);
        let r = body(self, i);
        self.busy.pop();
        r
    }

    fn measure_body(&mut self, i: usize) -> Option<usize> {
        let Some(Def {
            stmt: Stmt::Measure(m),
            section,
            ..
        }) = self.defs.get(i)
        else {
            return None;
        };
        let (m, section): (&ast::MeasureDecl, _) = (m, *section);
        let Some(entity) = self.infer_entity(&m.name, m.per.as_ref(), &[], &[&m.expr]) else {
            self.progress.insert(i, Progress::Failed);
            return None;
        };
        let cx = exprs::Cx::entity(entity);
        let def = match &m.expr.kind {
            ast::ExprKind::Agg(a) => self.aggregate(a, m.expr.span, entity),
            _ => self.expr(&m.expr, &cx, None).map(|t| {
                let ty = t.ty;
                (MeasureDef::Formula(t), ty)
            }),
        };
        let Some((def, ty)) = def else {
            self.progress.insert(i, Progress::Failed);
            return None;
        };
        let rounding = match &m.rounding {
            None => RoundingMode::Exact,
            Some(r) => {
                if ty != Type::Percent {
                    self.push(
                        Problem::error(
                            Code::Rounding,
                            r.span,
                            format!(
                                "only a share is rounded; `{}` is {}",
                                m.name.name,
                                self.model.schema.type_name(ty)
                            ),
                        )
                        .help("remove the rounding, or divide two counts to make a share"),
                    );
                }
                match &r.node {
                    ast::Rounding::Exact => RoundingMode::Exact,
                    ast::Rounding::To(d) => {
                        match Ratio::new(i128::from(d.digits), i128::from(d.denominator()) * 100) {
                            Some(step) if step.num > 0 => RoundingMode::HalfUp(step),
                            _ => {
                                self.push(
                                    Problem::error(
                                        Code::Rounding,
                                        r.span,
                                        "a share is rounded to a positive step",
                                    )
                                    .help("write, for example, `rounded to 0.1%`"),
                                );
                                RoundingMode::Exact
                            }
                        }
                    }
                }
            }
        };
        let idx = self.model.measures.len();
        if m.rounding.is_none() && ty == Type::Percent {
            self.unrounded.insert(MeasureId(idx));
        }
        self.model.measures.push(Measure {
            name: m.name.name.clone(),
            entity,
            def,
            ty,
            rounding,
            section: self.section_title(section),
            span: m.span,
        });
        if let Some(d) = self.defs.get_mut(i) {
            d.index = Some(idx);
        }
        self.progress.insert(i, Progress::Done);
        Some(idx)
    }

    /// An aggregation that stands inside a larger formula becomes a measure of its own.
    pub(crate) fn hidden_measure(
        &mut self,
        a: &ast::Aggregate,
        span: Span,
        entity: RecordId,
    ) -> Option<TExpr> {
        let (def, ty) = self.aggregate(a, span, entity)?;
        self.hidden_measures += 1;
        let idx = self.model.measures.push(Measure {
            name: self.text(span).to_string(),
            entity,
            def,
            ty,
            rounding: RoundingMode::Exact,
            section: None,
            span,
        });
        Some(TExpr {
            kind: TExprKind::Measure(idx),
            ty,
            span,
        })
    }

    pub(super) fn aggregate(
        &mut self,
        a: &ast::Aggregate,
        span: Span,
        entity: RecordId,
    ) -> Option<(MeasureDef, Type)> {
        if let Some(state) = &a.state {
            return self.rule_rows(a, state.node, span, entity);
        }
        let record = self.record_ref(&a.record)?;
        if record == entity {
            let field = a.field.as_ref().map_or("FIELD", |f| f.name.as_str());
            self.push(
                Problem::error(
                    Code::OwnRecord,
                    span,
                    format!(
                        "`{}` aggregates each `{}`'s own record, which is one row: the {} itself",
                        self.text(span),
                        a.record.name,
                        a.record.name
                    ),
                )
                .label(format!("one row per `{}`", a.record.name))
                .help(format!(
                    "read the field directly: write `{field}` instead of `{}`; to aggregate over every `{}`, measure it `per` an entity that `{}` refers to",
                    self.text(span),
                    a.record.name,
                    a.record.name
                )),
            );
            return None;
        }
        let by = self.owner_field(record, entity, a.record.span)?;
        let field = match &a.field {
            Some(f) => Some(self.record_field(record, f)?),
            None => None,
        };
        let field_ty = field.and_then(|f| {
            self.model
                .schema
                .record(record)
                .and_then(|r| r.fields.get(f))
                .map(|f| f.ty)
        });
        let (kind, ty) = match (a.func.node, a.distinct, field, field_ty) {
            (ast::AggFn::Count, false, None, _) => (AggKind::Count, Type::Int),
            (ast::AggFn::Count, false, Some(f), _) => {
                // `count R.f`: rows where f is present.
                let _ = f;
                self.push(
                    Problem::error(
                        Code::Aggregate,
                        span,
                        "`count` counts records; to count values, write `count distinct R.field`",
                    )
                    .help(format!(
                        "write `count {}` or `count distinct {}`",
                        a.record.name,
                        self.text(span).trim_start_matches("count").trim()
                    )),
                );
                return None;
            }
            (ast::AggFn::Count, true, Some(f), _) => (AggKind::CountDistinct(f), Type::Int),
            (ast::AggFn::Count, true, None, _) => {
                self.push(
                    Problem::error(Code::Aggregate, span, "`count distinct` needs a field")
                        .help(format!("write `count distinct {}.FIELD`", a.record.name)),
                );
                return None;
            }
            (_, true, _, _) => {
                self.push(
                    Problem::error(
                        Code::Aggregate,
                        a.func.span,
                        format!("`distinct` goes with `count`, not `{}`", a.func.node.word()),
                    )
                    .help("remove `distinct`"),
                );
                return None;
            }
            (f, false, None, _) => {
                self.push(
                    Problem::error(
                        Code::Aggregate,
                        span,
                        format!("`{}` needs a field", f.word()),
                    )
                    .help(format!(
                        "write `{} {}.FIELD`",
                        f.word(),
                        a.record.name
                    )),
                );
                return None;
            }
            (ast::AggFn::Sum, false, Some(f), Some(t)) => match t {
                Type::Int | Type::Weight => (AggKind::Sum(f), Type::Int),
                Type::Number => (AggKind::Sum(f), Type::Number),
                Type::Money => (AggKind::Sum(f), Type::Money),
                _ => {
                    self.push(
                        Problem::error(
                            Code::TypeMismatch,
                            span,
                            format!(
                                "`sum` adds numbers; this field is {}",
                                self.model.schema.type_name(t)
                            ),
                        )
                        .help("sum a whole-number or number field, or use `count`"),
                    );
                    return None;
                }
            },
            (func, false, Some(f), Some(t)) => {
                if !matches!(
                    t,
                    Type::Date
                        | Type::Int
                        | Type::Number
                        | Type::Percent
                        | Type::Money
                        | Type::SchoolYear
                ) {
                    self.push(
                        Problem::error(
                            Code::TypeMismatch,
                            span,
                            format!(
                                "`{}` needs dates or numbers; this field is {}",
                                func.word(),
                                self.model.schema.type_name(t)
                            ),
                        )
                        .help("use a date or number field"),
                    );
                    return None;
                }
                let k = if func == ast::AggFn::Min {
                    AggKind::Min(f)
                } else {
                    AggKind::Max(f)
                };
                (k, t)
            }
            _ => return None,
        };
        let _ = by;
        let filter = match &a.filter {
            Some(f) => {
                self.in_agg_filter = true;
                let t = self.expr(f, &exprs::Cx::row(entity, record), Some(Type::Bool));
                self.in_agg_filter = false;
                Some(t?)
            }
            None => None,
        };
        if let Some(f) = &filter {
            self.expect_type(f, Type::Bool, "a `where` condition");
        }
        Some((
            MeasureDef::Agg {
                record,
                kind,
                filter,
            },
            ty,
        ))
    }

    /// `count assess_within_30_days overdue`: the rows of a per-row deadline in that state.
    fn rule_rows(
        &mut self,
        a: &ast::Aggregate,
        state: ast::RowState,
        span: Span,
        entity: RecordId,
    ) -> Option<(MeasureDef, Type)> {
        let help = format!(
            "name a rule written `each R has F within 30 days of G`, as in `count RULE {}`",
            state.word()
        );
        if a.func.node != ast::AggFn::Count || a.distinct || a.field.is_some() {
            self.push(
                Problem::error(
                    Code::Aggregate,
                    span,
                    format!(
                        "rows of a deadline are counted: `count {} {}`",
                        a.record.name,
                        state.word()
                    ),
                )
                .help(help),
            );
            return None;
        }
        let rule = self.lookup(&a.record.name).and_then(|(i, d)| match d.stmt {
            Stmt::Rule(r) => Some((i, r)),
            _ => None,
        });
        let record_name = rule.and_then(|(_, r)| match &r.assertion {
            ast::Assertion::Each {
                record,
                test: ast::EachTest::WithinOf { .. },
                ..
            } => Some(record.clone()),
            _ => None,
        });
        let (Some((i, _)), Some(record_name)) = (rule, record_name) else {
            self.push(
                Problem::error(
                    Code::Aggregate,
                    a.record.span,
                    format!(
                        "`{}` is not a per-row deadline, so it has no {} rows",
                        a.record.name,
                        state.word()
                    ),
                )
                .label("not a rule with `within ... of ...`")
                .help(help),
            );
            return None;
        };
        self.use_def(i);
        let record = self.record_ref(&record_name)?;
        self.owner_field(record, entity, a.record.span)?;
        Some((
            MeasureDef::RuleRows {
                rule: a.record.name.clone(),
                record,
                state,
            },
            Type::Int,
        ))
    }
}
