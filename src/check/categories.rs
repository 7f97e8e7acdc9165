//! Categories: thresholds or data fields, and their multi-year transitions.

use std::collections::BTreeMap;

use super::diag::Problem;
use super::model::*;
use super::{Checker, Def, DefKind, Progress, exprs};
use crate::codes::Code;
use crate::suggest;
use crate::syntax::Span;
use crate::syntax::ast::{self, CategoryValue, Stmt};

const CATEGORY_KEYS: &[&str] = &["held", "qualified", "gain", "loss"];

impl<'a> Checker<'a> {
    pub(super) fn categories(&mut self) {
        for i in 0..self.defs.len() {
            if matches!(self.defs.get(i).map(|d| d.kind), Some(DefKind::Category)) {
                self.category(i);
            }
        }
    }

    pub(crate) fn category(&mut self, i: usize) -> Option<CategoryId> {
        self.once(
            i,
            (
                "category ",
                "decided in terms of itself",
                "a category cannot be decided from itself; break the cycle",
            ),
            Self::category_body,
        )
        .map(CategoryId)
    }

    fn category_body(&mut self, i: usize) -> Option<usize> {
        let Some(Def {
            stmt: Stmt::Category(c),
            section,
            ..
        }) = self.defs.get(i)
        else {
            return None;
        };
        let (c, section): (&ast::CategoryDecl, _) = (c, *section);
        // Its history record (`held norm_history.phbao`) belongs to the entity too.
        let history: Vec<&ast::Ident> = c
            .entries
            .iter()
            .filter_map(|e| match &e.value {
                ast::CategoryValue::Path(r, _) => Some(r),
                _ => None,
            })
            .collect();
        let Some(entity) = self.infer_entity(&c.name, c.per.as_ref(), &history, &[&c.when]) else {
            self.progress.insert(i, Progress::Failed);
            return None;
        };
        let when = self.expr(&c.when, &exprs::Cx::entity(entity), Some(Type::Bool));
        if let Some(w) = &when {
            self.expect_type(w, Type::Bool, "a category's condition");
        }
        if let Some(w) = &when {
            self.threshold_under_not(w);
        }
        let transitions = self.transitions(c, entity);
        let Some(when) = when else {
            self.progress.insert(i, Progress::Failed);
            return None;
        };
        let idx = self.model.categories.len();
        self.model.categories.push(Category {
            name: c.name.name.clone(),
            entity,
            when,
            transitions,
            section: self.section_title(section),
            span: c.span,
        });
        if let Some(d) = self.defs.get_mut(i) {
            d.index = Some(idx);
        }
        self.progress.insert(i, Progress::Done);
        Some(idx)
    }

    pub(super) fn transitions(
        &mut self,
        c: &ast::CategoryDecl,
        entity: RecordId,
    ) -> Option<Transitions> {
        let mut held: Option<(RecordId, FieldId, Span)> = None;
        let mut qualified: Option<(RecordId, FieldId, Span)> = None;
        let mut gain_next_year = false;
        let mut notice: Option<u32> = None;
        let mut loss_next_year = false;
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        for e in &c.entries {
            let key = e.key.name.as_str();
            if !self.first_of_key(&mut seen, &e.key) {
                continue;
            }
            match (key, &e.value) {
                ("held" | "qualified", CategoryValue::Path(r, f)) => {
                    let Some(rec) = self.record_ref(r) else {
                        continue;
                    };
                    let Some(fi) = self.record_field(rec, f) else {
                        continue;
                    };
                    let fty = self
                        .model
                        .schema
                        .record(rec)
                        .and_then(|x| x.fields.get(fi))
                        .map(|x| x.ty);
                    if fty != Some(Type::Bool) {
                        let tn = fty
                            .map(|t| self.model.schema.type_name(t))
                            .unwrap_or_default();
                        self.push(
                            Problem::error(
                                Code::TypeMismatch,
                                f.span,
                                format!(
                                    "`{key}` needs a true/false field; `{}.{}` is {tn}",
                                    r.name, f.name
                                ),
                            )
                            .help("declare the field as `bool`"),
                        );
                        continue;
                    }
                    let slot = (rec, fi, e.value.span());
                    if key == "held" {
                        held = Some(slot);
                    } else {
                        qualified = Some(slot);
                    }
                }
                ("gain", CategoryValue::NextYear(_)) => gain_next_year = true,
                ("gain", CategoryValue::Word(w)) if w.name == "immediately" => {
                    gain_next_year = false
                }
                ("loss", CategoryValue::Notice(d, effective)) => {
                    if d.node.unit != ast::DurationUnit::Year || d.node.n < 0 {
                        self.push(
                            Problem::error(
                                Code::TypeMismatch,
                                d.span,
                                "a notice period is counted in school years",
                            )
                            .help("write, for example, `loss after 2 years notice`"),
                        );
                        continue;
                    }
                    notice = u32::try_from(d.node.n).ok();
                    loss_next_year = effective.as_ref().is_some_and(|e| e.node);
                }
                ("loss", CategoryValue::NextYear(_)) => notice = Some(0),
                ("held" | "qualified" | "gain" | "loss", v) => {
                    let want = match key {
                        "held" | "qualified" => {
                            "a true/false field of a history record, such as `norm_history.phbao`"
                        }
                        "gain" => "`next year` or `immediately`",
                        _ => "`next year` or `after N years notice`",
                    };
                    self.push(
                        Problem::error(
                            Code::CategoryEntry,
                            v.span(),
                            format!("`{key}` takes {want}"),
                        )
                        .help(format!("write `{key}` followed by {want}")),
                    );
                }
                (other, _) => {
                    let help = match suggest::closest(other, CATEGORY_KEYS.iter()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("a category block takes {}", CATEGORY_KEYS.join(", ")),
                    };
                    self.push(
                        Problem::error(
                            Code::UnknownKey,
                            e.key.span,
                            format!("unknown category entry `{other}`"),
                        )
                        .help(help),
                    );
                }
            }
        }
        if c.entries.is_empty() {
            return None;
        }
        let Some((record, held_field, hspan)) = held else {
            // A `held` that is given but wrong has been reported already.
            if !seen.contains_key("held") && seen.keys().any(|k| CATEGORY_KEYS.contains(k)) {
                self.push(
                    Problem::error(
                        Code::CategoryEntry,
                        c.name.span,
                        format!("category `{}` has transitions but no `held` history", c.name.name),
                    )
                    .help("add `held RECORD.FIELD`: the true/false field saying the category was held that year"),
                );
            }
            return None;
        };
        let qualified_field = match qualified {
            Some((r, f, qspan)) => {
                if r != record {
                    self.push(
                        Problem::error(
                            Code::CategoryEntry,
                            qspan,
                            "`held` and `qualified` come from the same history record",
                        )
                        .help("use two fields of one record"),
                    );
                }
                Some(f)
            }
            None => None,
        };
        let rec = self.model.schema.record(record)?.clone();
        let Some(year_field) = rec.fields.position(|f| f.ty == Type::SchoolYear) else {
            self.push(
                Problem::error(
                    Code::CategoryEntry,
                    hspan,
                    format!("history record `{}` has no school-year field", rec.name),
                )
                .help(format!("add `year: school_year` to `record {}`", rec.name)),
            );
            return None;
        };
        self.owner_field(record, entity, hspan)?;
        if self.model.guide.year.is_none()
            && self.loaded.root.is_some()
            && !self.report_unused.is_empty()
        {
            self.push(
                Problem::error(
                    Code::NoYear,
                    c.name.span,
                    format!(
                        "category `{}` changes from year to year, but the guide has no `year`",
                        c.name.name
                    ),
                )
                .help("add `year 2023-2024` to the guide block"),
            );
        }
        Some(Transitions {
            record,
            year_field,
            held_field,
            qualified_field,
            gain_next_year,
            notice_years: notice.unwrap_or(0),
            loss_next_year,
        })
    }
}

impl Checker<'_> {
    /// `explain` and `--near` measure the distance to each threshold (a percentage measure
    /// compared with a percentage) on an entity's path through the condition; under `not` the
    /// distance would read backwards, so there is none, and the checker says so.
    fn threshold_under_not(&mut self, when: &TExpr) {
        let is_threshold = |e: &TExpr| {
            matches!(&e.kind, TExprKind::Compare(_, a, b)
                if matches!((&a.kind, &b.kind),
                    (TExprKind::Measure(_), TExprKind::Const(Value::Number(_)))
                    | (TExprKind::Const(Value::Number(_)), TExprKind::Measure(_)))
                    && (a.ty == Type::Percent || b.ty == Type::Percent))
        };
        let mut found = None;
        when.walk(&mut |e| {
            if found.is_none()
                && let TExprKind::Not(inner) = &e.kind
                && inner.any(&is_threshold)
            {
                found = Some((e.span, inner));
            }
        });
        if let Some((span, inner)) = found {
            let text = self.text(span).to_string();
            // `not el_share > 20%` is `el_share <= 20%`.
            let other_way = match &inner.kind {
                TExprKind::Compare(op, a, b) => {
                    let neg = match op {
                        CmpOp::Gt => "<=",
                        CmpOp::Ge => "<",
                        CmpOp::Lt => ">=",
                        CmpOp::Le => ">",
                        CmpOp::Eq => "!=",
                        CmpOp::Ne => "==",
                    };
                    format!(
                        "write `{} {neg} {}` for `{text}`",
                        self.text(a.span),
                        self.text(b.span)
                    )
                }
                _ => "write each comparison the other way round (`share <= 70%` for `not share > 70%`)"
                    .to_string(),
            };
            self.push(
                Problem::warning(
                    Code::ThresholdDistance,
                    span,
                    format!(
                        "`{text}`: explain and --near give no distance to a threshold under `not`"
                    ),
                )
                .label("a threshold under `not`")
                .help(other_way),
            );
        }
    }
}
