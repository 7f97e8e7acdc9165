//! Everything decided about one entity, for its findings and its explanation: categories,
//! rules, measures and windows, and the distance to a threshold.

use super::*;

/// The policy's reading of the timing of gain and loss, in words: what `gain next year` and
/// `loss after N years notice` make of the guide's sentences.
fn reading(t: &Transitions) -> String {
    let gain = if t.gain_next_year {
        "gain next year: a school that qualifies while not held joins the following school year"
            .to_string()
    } else {
        "a school that qualifies is in the category the same year".to_string()
    };
    let loss = match t.notice_years {
        0 => "no notice: a held school that fails leaves the category that year".to_string(),
        n => {
            let s = if n == 1 { "" } else { "s" };
            if t.loss_next_year {
                format!(
                    "loss after {n} year{s} notice, effective next year: a held school keeps the category through {n} failing year{s}, and the failure after them ends it from the following school year (it is still a member that year)"
                )
            } else {
                format!(
                    "loss after {n} year{s} notice: a held school keeps the category through {n} failing year{s}, and the failure after them ends it that same year"
                )
            }
        }
    };
    format!("{gain}; {loss}")
}

impl<'e, 'a> EntityCx<'e, 'a> {
    pub(super) fn run(&mut self, erec: &Record) -> (Vec<Finding>, Explanation, EntityResult) {
        let model = self.model();
        let mut findings = Vec::new();
        let mut outcomes = Vec::new();
        let mut cat_results = Vec::new();
        let mut rule_results = Vec::new();
        let mut retention = Vec::new();
        // Categories: undetermined ones are findings of their own.
        let mut decisions = Vec::new();
        for (ci, cat) in model.categories.enumerate() {
            if cat.entity != self.entity {
                continue;
            }
            let (member, state, history) = self.category_value(ci);
            cat_results.push(CategoryResult {
                category: ci,
                name: cat.name.clone(),
                member,
                state: state.clone(),
            });
            if !self.explain && state != CategoryState::Undetermined {
                continue;
            }
            let reason = {
                let ins = self.inputs(&cat.when);
                let q = eval_bool(&cat.when, self);
                let verdict = match q {
                    Some(true) => "true",
                    Some(false) => "false",
                    None => "undetermined",
                };
                let text = self.model().text(cat.when.span).to_string();
                if ins.is_empty() {
                    format!("{text} → {verdict}")
                } else {
                    format!("{text} ({ins}) → {verdict}")
                }
            };
            // The thresholds that decide for this entity: in `level == elementary and share >
            // 70% or level == secondary and share > 60%`, the one whose `level` it has.
            let (_, path) = self.thresholds_on_path(&cat.when);
            let small = path.iter().any(|t| match threshold_parts(t) {
                Some((_, m, _)) => self
                    .model()
                    .guide
                    .suppress_below
                    .map(|n| self.is_small(m, n, 0))
                    .unwrap_or(false),
                None => false,
            });
            let (distance, gap) = if small {
                (None, None)
            } else {
                self.path_distance(&path)
            };
            if state == CategoryState::Undetermined {
                let rule = RuleDef {
                    name: cat.name.clone(),
                    modal: crate::syntax::ast::Modal::Should,
                    severity: Severity::Warning,
                    entity: cat.entity,
                    applies: None,
                    applies_text: None,
                    check: Check::Holds(cat.when.clone()),
                    quote: None,
                    section: cat.section.clone(),
                    text: String::new(),
                    span: cat.span,
                };
                let causes = self.ev.cov.categories.get(ci).cloned().unwrap_or_default();
                let note = if causes.is_empty() {
                    self.skipped_note(&cat.when).or(distance.clone())
                } else {
                    Some(self.ev.cov.text(&causes))
                };
                let mut f = self.finding(
                    &rule,
                    Status::Undetermined,
                    Severity::Warning,
                    // `...: hbao_share > 70% (hbao_share is undefined) → undetermined; no
                    // resident to divide by` or `...; 2 student rows of this school skipped`
                    match note {
                        Some(d) => {
                            format!("category {} cannot be decided: {reason}; {d}", cat.name)
                        }
                        None => format!("category {} cannot be decided: {reason}", cat.name),
                    },
                    None,
                );
                f.causes = causes.into_iter().collect();
                findings.push(f);
            }
            if !self.explain {
                continue;
            }
            decisions.push(CategoryDecision {
                name: cat.name.clone(),
                member,
                state,
                reason,
                history,
                distance,
                reading: cat.transitions.as_ref().map(reading),
                gap,
            });
        }
        for (ri, rule) in model.rules.enumerate() {
            if rule.entity != self.entity {
                continue;
            }
            let applies = match &rule.applies {
                None => Some(true),
                Some(a) => eval_bool(a, self),
            };
            // Whether the rule applies cannot be decided: it matters only when the rule, were it
            // to apply, would not be met.
            if applies.is_none()
                && let Some(a) = &rule.applies
            {
                let before = findings.len();
                let mut kept = Vec::new();
                self.rule(ri, rule, &mut kept, &mut retention);
                let why = format!(
                    "whether it applies ({}) cannot be decided: {}",
                    applies_text(rule, self.model()),
                    self.inputs(a)
                );
                let causes = self.ev.cov.of_expr(a, self.entity);
                for mut f in kept {
                    if f.status != Status::Undetermined {
                        f.message = format!("{why}; if it applies: {}", f.message);
                        f.status = Status::Undetermined;
                    }
                    f.causes.extend(causes.iter().copied());
                    f.causes.sort_unstable();
                    f.causes.dedup();
                    findings.push(f);
                }
                let n = findings.len().saturating_sub(before);
                rule_results.push(RuleResult {
                    rule: ri,
                    name: rule.name.clone(),
                    outcome: if n == 0 {
                        Outcome::Ok
                    } else {
                        Outcome::Undetermined
                    },
                    findings: n,
                });
                if !self.explain {
                    continue;
                }
                let mine: Vec<&Finding> = findings.get(before..).unwrap_or(&[]).iter().collect();
                outcomes.push(RuleOutcome {
                    rule: rule.name.clone(),
                    severity: rule.severity,
                    outcome: if mine.is_empty() {
                        "ok".into()
                    } else {
                        "undetermined".into()
                    },
                    detail: Some(match mine.first() {
                        Some(f) => f.message.clone(),
                        None => format!("{why}; met either way"),
                    }),
                });
                continue;
            }
            if applies != Some(true) {
                rule_results.push(RuleResult {
                    rule: ri,
                    name: rule.name.clone(),
                    outcome: if applies.is_none() {
                        Outcome::Undetermined
                    } else {
                        Outcome::NotApplicable
                    },
                    findings: 0,
                });
                if !self.explain {
                    continue;
                }
                outcomes.push(RuleOutcome {
                    rule: rule.name.clone(),
                    severity: rule.severity,
                    outcome: if applies.is_none() {
                        "undetermined".into()
                    } else {
                        "not applicable".into()
                    },
                    detail: rule.applies.as_ref().map(|a| {
                        let text = applies_text(rule, self.model());
                        if applies.is_none() {
                            // Say which part cannot be decided: `PHBAO is undetermined, ...`.
                            format!("applies to {text} ({})", self.inputs(a))
                        } else {
                            format!("applies to {text}")
                        }
                    }),
                });
                continue;
            }
            let before = findings.len();
            self.rule(ri, rule, &mut findings, &mut retention);
            let mine = findings.get(before..).unwrap_or(&[]);
            rule_results.push(RuleResult {
                rule: ri,
                name: rule.name.clone(),
                outcome: Outcome::worst(mine.iter().map(|f| f.status)),
                findings: mine.len(),
            });
            if !self.explain {
                continue;
            }
            let mine: Vec<&Finding> = findings.get(before..).unwrap_or(&[]).iter().collect();
            let outcome = if mine.is_empty() {
                "ok".to_string()
            } else {
                let mut statuses: Vec<&str> = mine.iter().map(|f| f.status.word()).collect();
                statuses.sort_unstable();
                statuses.dedup();
                statuses.join(", ")
            };
            outcomes.push(RuleOutcome {
                rule: rule.name.clone(),
                severity: rule.severity,
                outcome,
                detail: mine.first().map(|f| f.message.clone()),
            });
        }
        let mut measures = Vec::new();
        for (mi, m) in model.measures.enumerate() {
            if !self.explain {
                break;
            }
            if m.entity != self.entity || m.section.is_none() && m.name.contains(' ') {
                continue;
            }
            let v = self.measure_value(mi);
            let exact = self
                .measures
                .get(mi)
                .cloned()
                .flatten()
                .and_then(|(_, exact)| exact);
            let shown = match &v {
                Some(v) => self.show_measure(mi, v),
                None => "undefined".into(),
            };
            let hidden = shown.starts_with("suppressed");
            let exact_shown = match (&exact, &v) {
                (Some(Value::Number(r)), Some(rv))
                    if !hidden
                        && (Some(&Value::Number(*r)) != Some(rv) || m.ty == Type::Percent) =>
                {
                    Some(format!("{}/{}", r.num, r.den))
                }
                _ => None,
            };
            let inputs = match &m.def {
                MeasureDef::Formula(e) => Some(self.formula_text(e)),
                MeasureDef::Agg { .. } | MeasureDef::RuleRows { .. } => Some(
                    self.model()
                        .text(m.span)
                        .split_once('=')
                        .map(|(_, r)| r.trim().to_string())
                        .unwrap_or_default(),
                ),
            };
            measures.push(MeasureValue {
                name: m.name.clone(),
                value: shown,
                exact: exact_shown,
                inputs,
            });
        }
        let mut windows = Vec::new();
        for (wi, w) in model.windows.enumerate() {
            if !self.explain {
                break;
            }
            if w.entity != self.entity {
                continue;
            }
            let text = match self.window(wi) {
                Some((lo, hi, text)) => format!("{text} = {}", show_window(lo, hi)),
                None => "undetermined (no case applies, or a date is missing)".into(),
            };
            windows.push((w.name.clone(), text));
        }
        let result = EntityResult {
            entity_kind: erec.name.clone(),
            entity: self.entity_id(),
            entity_name: self.entity_name(),
            categories: cat_results,
            rules: rule_results,
        };
        let x = Explanation {
            entity_kind: erec.name.clone(),
            entity: result.entity.clone(),
            entity_name: result.entity_name.clone(),
            measures,
            categories: decisions,
            windows,
            rules: outcomes,
            retention,
        };
        (findings, x, result)
    }

    /// `hbao_resident 812 / resident 1002`
    pub(super) fn formula_text(&mut self, e: &TExpr) -> String {
        let text = self.model().text(e.span).to_string();
        let ins = self.inputs(e);
        if ins.is_empty() {
            text
        } else {
            format!("{text} where {ins}")
        }
    }

    /// The threshold comparisons (a percentage measure against a percentage) on the entity's path
    /// through a condition, and whether the condition can hold for it at all. A comparison is on
    /// the path unless a condition beside it under `and` is false for this entity: under `or`,
    /// each side that can hold counts; a condition that cannot be decided (an empty `level`) is
    /// taken as holding, so its threshold is still shown. A threshold under `not` is not on it
    /// (its distance would read backwards).
    pub(super) fn thresholds_on_path<'t>(&mut self, e: &'t TExpr) -> (bool, Vec<&'t TExpr>) {
        if threshold_parts(e).is_some() {
            return (true, vec![e]);
        }
        match &e.kind {
            TExprKind::And(a, b) => {
                let (ha, mut ta) = self.thresholds_on_path(a);
                let (hb, tb) = self.thresholds_on_path(b);
                if !(ha && hb) {
                    return (false, Vec::new());
                }
                ta.extend(tb);
                (true, ta)
            }
            TExprKind::Or(a, b) => {
                let (ha, ta) = self.thresholds_on_path(a);
                let (hb, tb) = self.thresholds_on_path(b);
                let mut out = Vec::new();
                if ha {
                    out.extend(ta);
                }
                if hb {
                    out.extend(tb);
                }
                (ha || hb, out)
            }
            TExprKind::Not(x) if x.any(&|y| threshold_parts(y).is_some()) => (true, Vec::new()),
            _ => (eval_bool(e, self) != Some(false), Vec::new()),
        }
    }

    /// The distance and gap of the thresholds on the path: one comparison's as it is; several
    /// (`share > 70% and other_share > 50%`) each after its comparison, and the nearest gap.
    pub(super) fn path_distance(&mut self, path: &[&TExpr]) -> (Option<String>, Option<Ratio>) {
        if let [only] = path {
            return (self.distance(only), self.gap(only));
        }
        let mut texts = Vec::new();
        let mut nearest: Option<Ratio> = None;
        for t in path {
            if let Some(d) = self.distance(t) {
                texts.push(format!("{}: {d}", self.model().text(t.span)));
            }
            if let Some(g) = self.gap(t) {
                let abs = |r: Ratio| Ratio {
                    num: r.num.abs(),
                    den: r.den,
                };
                if nearest.is_none_or(|n| abs(g).cmp_exact(&abs(n)) == std::cmp::Ordering::Less) {
                    nearest = Some(g);
                }
            }
        }
        let text = (!texts.is_empty()).then(|| texts.join("; "));
        (text, nearest)
    }

    /// The share less the threshold when `when` compares a percentage measure with a
    /// percentage (`hbao_share > 70%`): positive above the line.
    pub(super) fn gap(&mut self, when: &TExpr) -> Option<Ratio> {
        let (_, m, p) = threshold_parts(when)?;
        let p = &p;
        if self.model().measures.get(m)?.ty != Type::Percent {
            return None;
        }
        let Value::Number(v) = self.measure_value(m)? else {
            return None;
        };
        Ratio::new(
            v.num
                .checked_mul(p.den)?
                .checked_sub(p.num.checked_mul(v.den)?)?,
            v.den.checked_mul(p.den)?,
        )
    }

    /// How far a share is from a threshold, in students: only for `a / b > p` and similar.
    pub(super) fn distance(&mut self, when: &TExpr) -> Option<String> {
        let (op, m, p) = threshold_parts(when)?;
        let (op, p) = (&op, &p);
        let model = self.model();
        let measure = model.measures.get(m)?;
        let MeasureDef::Formula(f) = &measure.def else {
            return None;
        };
        let TExprKind::Arith(ArithOp::Div, num, den) = &f.kind else {
            return None;
        };
        let (TExprKind::Measure(nm), TExprKind::Measure(dm)) = (&num.kind, &den.kind) else {
            return None;
        };
        let a = match self.measure_value(*nm)? {
            Value::Int(n) => i128::from(n),
            _ => return None,
        };
        let b = match self.measure_value(*dm)? {
            Value::Int(n) => i128::from(n),
            _ => return None,
        };
        let num_name = model.measures.get(*nm)?.name.clone();
        let strict = match op {
            CmpOp::Gt => true,
            CmpOp::Ge => false,
            _ => return None,
        };
        let rounding = measure.rounding;
        let passes = |a: i128, b: i128| -> bool {
            let Some(v) = Ratio::new(a, b) else {
                return false;
            };
            let v = match rounding {
                RoundingMode::HalfUp(step) => round_half_up(v, step).unwrap_or(v),
                RoundingMode::Exact => v,
            };
            let o = v.cmp_exact(p);
            if strict {
                o == std::cmp::Ordering::Greater
            } else {
                o != std::cmp::Ordering::Less
            }
        };
        if b == 0 {
            return Some(format!("no {} to divide by", model.measures.get(*dm)?.name));
        }
        if passes(a, b) {
            // How many of the numerator's students could leave (from both counts) and still pass.
            let mut lo = 0i128;
            let mut hi = a;
            while lo < hi {
                let mid = (lo + hi + 1) / 2;
                if passes(a - mid, b - mid) {
                    lo = mid
                } else {
                    hi = mid - 1
                }
            }
            Some(format!(
                "{lo} {num_name} above the line (the share stays above the threshold with {lo} fewer)"
            ))
        } else {
            // How many more numerator students (joining both counts) it would take.
            let mut lo = 1i128;
            let mut hi = 1i128;
            while !passes(a + hi, b + hi) {
                hi = hi.checked_mul(2)?;
                if hi > 1_000_000_000 {
                    return None;
                }
            }
            while lo < hi {
                let mid = (lo + hi) / 2;
                if passes(a + mid, b + mid) {
                    hi = mid
                } else {
                    lo = mid + 1
                }
            }
            Some(format!("would need {lo} more {num_name} to qualify"))
        }
    }
}

/// A comparison of a measure with a number (`hbao_share > 70%`, or `70% < hbao_share` read the
/// same way): the operator with the measure on the left, the measure and the number.
pub(super) fn threshold_parts(e: &TExpr) -> Option<(CmpOp, MeasureId, Ratio)> {
    let TExprKind::Compare(op, lhs, rhs) = &e.kind else {
        return None;
    };
    match (&lhs.kind, &rhs.kind) {
        (TExprKind::Measure(m), TExprKind::Const(Value::Number(p))) => Some((*op, *m, *p)),
        (TExprKind::Const(Value::Number(p)), TExprKind::Measure(m)) => {
            let flipped = match op {
                CmpOp::Lt => CmpOp::Gt,
                CmpOp::Le => CmpOp::Ge,
                CmpOp::Gt => CmpOp::Lt,
                CmpOp::Ge => CmpOp::Le,
                other => *other,
            };
            Some((flipped, *m, *p))
        }
        _ => None,
    }
}

/// The rule's `for` conditions, its section's and its own, whole.
fn applies_text(rule: &RuleDef, model: &Model) -> String {
    match (&rule.applies_text, &rule.applies) {
        (Some(t), _) => t.clone(),
        (None, Some(a)) => model.text(a.span).to_string(),
        (None, None) => String::new(),
    }
}
