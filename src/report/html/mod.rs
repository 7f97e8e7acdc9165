//! `lint --format html`: one self-contained page an analyst can e-mail.
//!
//! No network: the CSS and the script are inline, the plots are SVG drawn here ([`svg`]), and a
//! Content-Security-Policy forbids every fetch. The page reads without JavaScript (every table
//! is there, drill-downs are `<details>`); the script only sorts and filters the school table.
//! Everything printed comes from what the other formats already show: findings, data errors, gaps,
//! and the per-entity explanations (`explain`), whose values small-cell suppression has already
//! hidden; a share is plotted only where `explain` may show its distance to the threshold.
//!
//! | file | what it does |
//! |---|---|
//! | `mod.rs` | the facts the page shows, gathered from the report, the explanations and the model |
//! | `page.rs` | the page itself (a maud template, so every text is escaped) |
//! | `svg.rs` | the plots |
//! | `report.css`, `report.js` | the style (screen and print) and the sorting and filtering |

mod page;
pub mod svg;

use std::collections::BTreeMap;

use crate::check::model::{CmpOp, Model, Ratio, Severity, TExprKind, Value};
use crate::eval::{CategoryState, Explanation, Finding, Status};

use super::findings::LintReport;

/// What the page is made from.
pub struct Input<'a> {
    /// The filtered report, as the other formats print it.
    pub report: &'a LintReport<'a>,
    /// One per entity, from an evaluation with explanations on.
    pub explanations: &'a [Explanation],
    /// The checked policy: the guide, rules with their quotes, categories, windows, deadlines.
    pub model: &'a Model,
    /// The data paths as given on the command line.
    pub data: &'a [String],
    /// The band around a threshold, in percentage points (`--near`).
    pub near: f64,
    /// Only these entities (`--school`); empty for all.
    pub only: &'a [String],
    /// The policy's text, for the line of each rule.
    pub sources: &'a crate::syntax::Sources,
}

/// The page, as one string.
pub fn html(input: &Input<'_>) -> String {
    let facts = Facts::new(input);
    page::render(input, &facts).into_string()
}

/// How a rule came out for one entity, as the page groups it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Outcome {
    Failing,
    Undetermined,
    Pending,
    Ok,
    NotApplicable,
}

impl Outcome {
    /// From the outcome `explain` gives: `ok`, `not applicable`, or the findings' statuses
    /// (`late, violation`), the worst of which counts.
    fn of(text: &str) -> Outcome {
        let words: Vec<&str> = text.split(", ").map(str::trim).collect();
        let has = |w: &str| words.contains(&w);
        if has("overdue") || has("late") || has("violation") {
            Outcome::Failing
        } else if has("undetermined") {
            Outcome::Undetermined
        } else if has("pending") {
            Outcome::Pending
        } else if has("not applicable") {
            Outcome::NotApplicable
        } else {
            Outcome::Ok
        }
    }

    pub(crate) fn class(self) -> &'static str {
        match self {
            Outcome::Failing => "o-fail",
            Outcome::Undetermined => "o-und",
            Outcome::Pending => "o-pend",
            Outcome::Ok => "o-ok",
            Outcome::NotApplicable => "o-na",
        }
    }
}

/// One rule across the entities: counts per outcome.
pub(crate) struct RuleStat<'a> {
    pub name: &'a str,
    /// A category's decision rather than a rule: ok where decided, else undetermined.
    pub category: bool,
    pub severity: Severity,
    pub modal: &'static str,
    pub section: Option<&'a str>,
    pub quote: Option<&'a str>,
    pub text: &'a str,
    /// Where the rule is: policy file and line.
    pub file: &'a str,
    pub line: usize,
    pub ok: usize,
    pub failing: usize,
    pub pending: usize,
    pub undetermined: usize,
    pub not_applicable: usize,
    pub findings: usize,
}

/// One entity, with its findings and counts.
pub(crate) struct School<'a> {
    pub x: &'a Explanation,
    pub findings: Vec<&'a Finding>,
    pub errors: usize,
    pub warnings: usize,
    pub info: usize,
    pub pending: usize,
    pub undetermined: usize,
    /// Rules with a violation, late or overdue outcome.
    pub failed: Vec<&'a str>,
}

impl School<'_> {
    /// Worst first: errors, then undetermined, warnings, pending; then by id.
    fn rank(&self) -> (std::cmp::Reverse<(usize, usize, usize, usize)>, &str) {
        (
            std::cmp::Reverse((self.errors, self.undetermined, self.warnings, self.pending)),
            &self.x.entity,
        )
    }
}

/// A category across the entities: its threshold, the shares that may be plotted, the states.
pub(crate) struct CategoryFacts<'a> {
    pub name: &'a str,
    pub section: Option<&'a str>,
    /// The measure compared with the threshold (`hbao_share`), the threshold as a fraction, and
    /// whether a value on the threshold is below the line (`>`, `<=`).
    pub measure: Option<(&'a str, f64, bool)>,
    pub shares: Vec<f64>,
    /// Entities whose share is not plotted (suppressed, undefined, or no threshold).
    pub left_out: usize,
    /// Entity ids per state, states in a fixed order.
    pub states: Vec<(CategoryState, Vec<&'a str>)>,
    pub transitions: bool,
}

/// Everything the page shows, counted once.
pub(crate) struct Facts<'a> {
    pub schools: Vec<School<'a>>,
    pub rules: Vec<RuleStat<'a>>,
    pub categories: Vec<CategoryFacts<'a>>,
    /// Findings whose entity has no explanation (none in practice), so that none is lost.
    pub orphans: Vec<&'a Finding>,
}

/// The order states are listed in.
fn state_rank(s: &CategoryState) -> (u8, u32) {
    match s {
        CategoryState::Continuing => (0, 0),
        CategoryState::Member => (1, 0),
        CategoryState::MemberByHistory => (2, 0),
        CategoryState::NewlyQualifying => (3, 0),
        CategoryState::Notice { year, .. } => (4, *year),
        CategoryState::Reclassified => (5, 0),
        CategoryState::NotMemberByHistory => (6, 0),
        CategoryState::Undetermined => (7, 0),
        CategoryState::NotMember => (8, 0),
    }
}

/// A short label for a state, for tables and plots.
pub(crate) fn state_label(s: &CategoryState) -> String {
    match s {
        CategoryState::NewlyQualifying => "newly qualifying".into(),
        CategoryState::Reclassified => "reclassified".into(),
        CategoryState::NotMember => "not a member".into(),
        CategoryState::MemberByHistory => "member by history".into(),
        CategoryState::NotMemberByHistory => "not a member by history".into(),
        other => other.describe(),
    }
}

/// `hbao_share > 70%`: the measure's name and the threshold, as a fraction.
fn threshold(model: &Model, when: &crate::check::model::TExpr) -> Option<(usize, f64, bool)> {
    let TExprKind::Compare(op, l, r) = &when.kind else {
        return None;
    };
    if matches!(op, CmpOp::Eq | CmpOp::Ne) {
        return None;
    }
    match (&l.kind, &r.kind) {
        (TExprKind::Measure(m), TExprKind::Const(Value::Number(p)))
            if model.measures.get(*m).is_some() =>
        {
            Some((*m, p.to_f64(), matches!(op, CmpOp::Gt | CmpOp::Le)))
        }
        _ => None,
    }
}

impl<'a> Facts<'a> {
    fn new(input: &Input<'a>) -> Facts<'a> {
        let report = input.report;
        let shown = |id: &str| input.only.is_empty() || input.only.iter().any(|o| o == id);
        let mut by_entity: BTreeMap<&str, Vec<&'a Finding>> = BTreeMap::new();
        for f in &report.findings {
            by_entity.entry(f.entity.as_str()).or_default().push(*f);
        }
        let mut schools = Vec::new();
        for x in input.explanations.iter().filter(|x| shown(&x.entity)) {
            let findings = by_entity.remove(x.entity.as_str()).unwrap_or_default();
            let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
            let status = |s: Status| findings.iter().filter(|f| f.status == s).count();
            let failed = x
                .rules
                .iter()
                .filter(|r| Outcome::of(&r.outcome) == Outcome::Failing)
                .map(|r| r.rule.as_str())
                .collect();
            schools.push(School {
                errors: count(Severity::Error),
                warnings: count(Severity::Warning),
                info: count(Severity::Info),
                pending: status(Status::Pending),
                undetermined: status(Status::Undetermined),
                failed,
                findings,
                x,
            });
        }
        schools.sort_by(|a, b| a.rank().cmp(&b.rank()));
        let orphans = by_entity.into_values().flatten().collect();

        let mut rules: Vec<RuleStat<'a>> = input
            .model
            .rules
            .iter()
            .map(|r| RuleStat {
                name: &r.name,
                category: false,
                severity: r.severity,
                modal: r.modal.word(),
                section: r.section.as_deref(),
                quote: r.quote.as_deref(),
                text: &r.text,
                file: input.sources.name(r.span.file),
                line: input.sources.line_col(r.span.file, r.span.start).0,
                ok: 0,
                failing: 0,
                pending: 0,
                undetermined: 0,
                not_applicable: 0,
                findings: 0,
            })
            .collect();
        for r in &mut rules {
            r.findings = report.findings.iter().filter(|f| f.rule == r.name).count();
        }
        for s in &schools {
            for o in &s.x.rules {
                let Some(r) = rules.iter_mut().find(|r| r.name == o.rule) else {
                    continue;
                };
                match Outcome::of(&o.outcome) {
                    Outcome::Failing => r.failing += 1,
                    Outcome::Undetermined => r.undetermined += 1,
                    Outcome::Pending => r.pending += 1,
                    Outcome::Ok => r.ok += 1,
                    Outcome::NotApplicable => r.not_applicable += 1,
                }
            }
        }

        let mut categories = Vec::new();
        for c in &input.model.categories {
            let th = threshold(input.model, &c.when);
            let measure = th.and_then(|(m, t, right)| {
                input
                    .model
                    .measures
                    .get(m)
                    .map(|me| (me.name.as_str(), t, right))
            });
            let mut shares = Vec::new();
            let mut left_out = 0;
            let mut states: BTreeMap<(u8, u32), (CategoryState, Vec<&'a str>)> = BTreeMap::new();
            for s in &schools {
                let Some(d) = s.x.categories.iter().find(|d| d.name == c.name) else {
                    continue;
                };
                states
                    .entry(state_rank(&d.state))
                    .or_insert_with(|| (d.state.clone(), Vec::new()))
                    .1
                    .push(s.x.entity.as_str());
                // The share is the threshold plus the distance to it, which `explain` leaves
                // out when the share rests on a suppressed count.
                match (measure, d.gap) {
                    (Some((_, t, _)), Some(gap)) => {
                        let v = Ratio::to_f64(&gap) + t;
                        if v.is_finite() {
                            shares.push(v.clamp(0.0, 1.0));
                        } else {
                            left_out += 1;
                        }
                    }
                    _ => left_out += 1,
                }
            }
            let mut states: Vec<(CategoryState, Vec<&'a str>)> = states.into_values().collect();
            for (_, ids) in &mut states {
                ids.sort_unstable();
            }
            categories.push(CategoryFacts {
                name: &c.name,
                section: c.section.as_deref(),
                measure,
                shares,
                left_out,
                states,
                transitions: c.transitions.is_some(),
            });
        }
        // A category undetermined for an entity is a finding of its own (a warning): it gets a
        // row beside the rules.
        for c in &categories {
            let Some(def) = input.model.categories.iter().find(|d| d.name == c.name) else {
                continue;
            };
            let undetermined = c
                .states
                .iter()
                .filter(|(s, _)| *s == CategoryState::Undetermined)
                .map(|(_, ids)| ids.len())
                .sum();
            let decided = c.states.iter().map(|(_, ids)| ids.len()).sum::<usize>() - undetermined;
            rules.push(RuleStat {
                name: c.name,
                category: true,
                severity: Severity::Warning,
                modal: "category",
                section: c.section,
                quote: None,
                text: input.sources.slice(def.when.span),
                file: input.sources.name(def.span.file),
                line: input.sources.line_col(def.span.file, def.span.start).0,
                ok: decided,
                failing: 0,
                pending: 0,
                undetermined,
                not_applicable: 0,
                findings: report.findings.iter().filter(|f| f.rule == c.name).count(),
            });
        }
        Facts {
            schools,
            rules,
            categories,
            orphans,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_status_decides_the_outcome() {
        assert_eq!(Outcome::of("ok"), Outcome::Ok);
        assert_eq!(Outcome::of("not applicable"), Outcome::NotApplicable);
        assert_eq!(Outcome::of("pending"), Outcome::Pending);
        assert_eq!(Outcome::of("pending, undetermined"), Outcome::Undetermined);
        assert_eq!(Outcome::of("late, pending"), Outcome::Failing);
        assert_eq!(Outcome::of("overdue"), Outcome::Failing);
        assert_eq!(Outcome::of("violation"), Outcome::Failing);
    }
}
