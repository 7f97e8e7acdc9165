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

use std::collections::{BTreeMap, HashMap};

use crate::check::model::{CmpOp, MeasureId, Model, Ratio, Severity, TExprKind, Value};
use crate::eval::{CategoryState, EntityResult, Explanation, Finding, Outcome, Status};

use super::findings::LintReport;

/// What the page is made from.
pub struct Input<'a> {
    /// The filtered report, as the other formats print it, with its explanations set (an
    /// evaluation with explanations on) and, for a run, its provenance.
    pub report: &'a LintReport<'a>,
    /// The checked policy: the guide, the thresholds, the calendar's windows and deadlines.
    pub model: &'a Model,
    /// The band around a threshold, in percentage points (`--near`).
    pub near: f64,
    /// The data paths as given on the command line (files are named within them).
    pub data: &'a [String],
}

/// The page, as one string.
pub fn html(input: &Input<'_>) -> String {
    let facts = Facts::new(input);
    page::render(input, &facts).into_string()
}

/// The CSS class of an outcome.
pub(crate) fn outcome_class(o: Outcome) -> &'static str {
    match o {
        Outcome::Violation | Outcome::Late | Outcome::Overdue => "o-fail",
        Outcome::Undetermined => "o-und",
        Outcome::Pending => "o-pend",
        Outcome::Ok => "o-ok",
        Outcome::NotApplicable => "o-na",
    }
}

/// One rule (or category) across the entities: counts per outcome.
pub(crate) struct RuleStat<'a> {
    pub name: &'a str,
    /// A category's decision rather than a rule: ok where decided, else undetermined.
    pub category: bool,
    pub severity: Severity,
    /// `must`, `should`, ...; empty for a category.
    pub modal: &'static str,
    pub section: Option<&'a str>,
    pub quote: Option<&'a str>,
    pub text: &'a str,
    /// Where it is: policy file and line.
    pub file: &'a str,
    pub line: usize,
    pub ok: usize,
    pub failing: usize,
    pub pending: usize,
    pub undetermined: usize,
    pub not_applicable: usize,
    /// Findings the report lists for it.
    pub findings: usize,
}

/// One entity, with its findings and counts.
pub(crate) struct School<'a> {
    pub r: &'a EntityResult,
    /// Its explanation, when the report has one.
    pub x: Option<&'a Explanation>,
    pub findings: &'a [&'a Finding],
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
            &self.r.entity,
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
    /// Findings whose entity has no result (none in practice), so that none is lost.
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
        CategoryState::ReclassifiedNextYear => (5, 0),
        CategoryState::Reclassified => (5, 1),
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
        CategoryState::ReclassifiedNextYear => "reclassified (leaves next year)".into(),
        CategoryState::NotMember => "not a member".into(),
        CategoryState::MemberByHistory => "member by history".into(),
        CategoryState::NotMemberByHistory => "not a member by history".into(),
        other => other.describe(),
    }
}

/// `hbao_share > 70%`: the measure's name, the threshold as a fraction, and whether a value on
/// it falls below the line.
fn threshold(model: &Model, when: &crate::check::model::TExpr) -> Option<(MeasureId, f64, bool)> {
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
        let explained: HashMap<(&str, &str), &'a Explanation> = report
            .explanations
            .iter()
            .map(|x| ((x.entity_kind.as_str(), x.entity.as_str()), x))
            .collect();
        let mut schools = Vec::new();
        for r in &report.results {
            let findings = report.findings_of(&r.entity);
            let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
            let status = |s: Status| findings.iter().filter(|f| f.status == s).count();
            schools.push(School {
                x: explained
                    .get(&(r.entity_kind.as_str(), r.entity.as_str()))
                    .copied(),
                errors: count(Severity::Error),
                warnings: count(Severity::Warning),
                info: count(Severity::Info),
                pending: status(Status::Pending),
                undetermined: status(Status::Undetermined),
                failed: r
                    .rules
                    .iter()
                    .filter(|o| o.outcome.fails())
                    .map(|o| o.name.as_str())
                    .collect(),
                findings,
                r,
            });
        }
        schools.sort_by(|a, b| a.rank().cmp(&b.rank()));
        let orphans = report
            .findings
            .iter()
            .filter(|f| !report.results.iter().any(|r| r.entity == f.entity))
            .copied()
            .collect();

        let mut rules: Vec<RuleStat<'a>> = report
            .tallies()
            .into_iter()
            .zip(report.rules)
            .map(|(t, info)| RuleStat {
                name: &info.name,
                category: false,
                severity: info.severity,
                modal: input
                    .model
                    .rules
                    .iter()
                    .find(|d| d.name == info.name)
                    .map_or("", |d| d.modal.word()),
                section: info.section.as_deref(),
                quote: info.quote.as_deref(),
                text: &info.text,
                file: &info.policy.file,
                line: info.policy.line,
                ok: t.ok,
                failing: t.failing(),
                pending: t.pending,
                undetermined: t.undetermined,
                not_applicable: t.not_applicable,
                findings: report
                    .findings
                    .iter()
                    .filter(|f| f.rule == info.name)
                    .count(),
            })
            .collect();

        let mut categories = Vec::new();
        for (ci, info) in report.categories.enumerate() {
            let def = input.model.categories.iter().find(|d| d.name == info.name);
            let measure =
                def.and_then(|d| threshold(input.model, &d.when))
                    .and_then(|(m, t, right)| {
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
                let Some(c) = s.r.categories.iter().find(|c| c.category == ci) else {
                    continue;
                };
                states
                    .entry(state_rank(&c.state))
                    .or_insert_with(|| (c.state.clone(), Vec::new()))
                    .1
                    .push(s.r.entity.as_str());
                // The share is the threshold plus the distance to it, which `explain` leaves
                // out when the share rests on a suppressed count.
                let gap =
                    s.x.and_then(|x| x.categories.iter().find(|d| d.name == info.name))
                        .and_then(|d| d.gap);
                match (measure, gap) {
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
            // A category undetermined for an entity is a finding of its own (a warning): it
            // gets a row beside the rules.
            let undetermined: usize = states
                .iter()
                .filter(|(s, _)| *s == CategoryState::Undetermined)
                .map(|(_, ids)| ids.len())
                .sum();
            let all: usize = states.iter().map(|(_, ids)| ids.len()).sum();
            rules.push(RuleStat {
                name: &info.name,
                category: true,
                severity: Severity::Warning,
                modal: "",
                section: info.section.as_deref(),
                quote: None,
                text: &info.condition,
                file: &info.policy.file,
                line: info.policy.line,
                ok: all - undetermined,
                failing: 0,
                pending: 0,
                undetermined,
                not_applicable: 0,
                findings: report
                    .findings
                    .iter()
                    .filter(|f| f.rule == info.name)
                    .count(),
            });
            categories.push(CategoryFacts {
                name: &info.name,
                section: info.section.as_deref(),
                measure,
                shares,
                left_out,
                states,
                transitions: def.is_some_and(|d| d.transitions.is_some()),
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
