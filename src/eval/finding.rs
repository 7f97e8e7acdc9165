//! What evaluation produces: findings, and per-entity explanations. Reporters see only these.

use serde::Serialize;

use crate::check::model::{CategoryId, RuleId, Severity};
use crate::data::Location;
use crate::syntax::Span;

/// Where in the data a finding comes from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct DataLoc {
    pub file: String,
    /// `line 12` for CSV, `[3]` for YAML/JSON items.
    pub location: Location,
    /// The row's number (the CSV line, or the item's 1-based position), for sorting.
    #[serde(skip)]
    pub number: u64,
}

/// The kind of outcome a finding reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// A requirement is not met.
    Violation,
    /// A deadline was met, but after the due date.
    Late,
    /// The due date has passed and the item is missing.
    Overdue,
    /// The due date has not passed yet and the item is missing.
    Pending,
    /// The data does not allow a decision (a share with no denominator, a missing calendar date).
    Undetermined,
}

impl Status {
    pub fn word(self) -> &'static str {
        match self {
            Status::Violation => "violation",
            Status::Late => "late",
            Status::Overdue => "overdue",
            Status::Pending => "pending",
            Status::Undetermined => "undetermined",
        }
    }
}

/// One finding about one entity (a school).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The entity's record type, e.g. `school`.
    pub entity_kind: String,
    /// The entity's key, e.g. the school id.
    pub entity: String,
    /// The entity's `name` field when it has one.
    pub entity_name: Option<String>,
    /// The rule (or category) the finding is about.
    pub rule: String,
    pub severity: Severity,
    pub status: Status,
    /// One line with the actual and expected values.
    pub message: String,
    /// The guide's section.
    pub section: Option<String>,
    /// The guide's words, when the policy quotes them.
    pub quote: Option<String>,
    /// The guide's id (REF-1028.19).
    pub guide: String,
    /// Where in the policy the rule is.
    pub policy: PolicyLoc,
    /// Where in the data, when one row is at fault.
    pub data: Option<DataLoc>,
    /// For an undetermined finding: the gaps in the data it rests on (indices of their causes,
    /// from which [`crate::eval::Evaluation::gaps`] is summed up).
    #[serde(skip)]
    pub causes: Vec<usize>,
}

/// Data that was not read (a record with no file, a file skipped or read in part, a column
/// absent), and the outcomes left undetermined by it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Gap {
    /// `certification.csv was not read (missing required column \`semester\`)`.
    pub cause: String,
    /// The record has no data at all: the run cannot be clean.
    pub no_data: bool,
    /// The rules (and categories) left undetermined, sorted.
    pub rules: Vec<String>,
    /// For how many entities.
    pub entities: usize,
    /// Of which kind (`school`); empty when none.
    #[serde(skip)]
    pub entity_kind: String,
}

impl Gap {
    /// A record with no data at all that some outcome needed: the run could not check what
    /// it was asked to (exit 2).
    pub fn blocks(&self) -> bool {
        self.no_data && !self.rules.is_empty()
    }

    /// The line the human outputs end with: `error: no data: ...` when it blocks the run,
    /// `warning: not read: ...` otherwise.
    pub fn line(&self) -> String {
        let head = if self.blocks() {
            "error: no data"
        } else {
            "warning: not read"
        };
        format!("{head}: {}", self.summary())
    }

    /// `certification.csv was not read (...): certify_semester_1, certify_semester_2
    /// undetermined for 33 schools`.
    pub fn summary(&self) -> String {
        if self.rules.is_empty() {
            return format!("{}: no outcome here depends on it", self.cause);
        }
        format!(
            "{}: {} undetermined for {} {}{}",
            self.cause,
            self.rules.join(", "),
            self.entities,
            self.entity_kind,
            if self.entities == 1 { "" } else { "s" }
        )
    }
}

/// A policy location, as a reporter needs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyLoc {
    pub file: String,
    pub line: usize,
    pub column: usize,
    #[serde(skip)]
    pub span: Span,
}

impl Finding {
    /// Report order: entity, rule, data position, message.
    pub fn sort_key(&self) -> (&str, &str, &str, u64, &str) {
        let (file, number) = match &self.data {
            Some(d) => (d.file.as_str(), d.number),
            None => ("", 0),
        };
        (&self.entity, &self.rule, file, number, &self.message)
    }
}

/// The state of an entity in a category with multi-year transitions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum CategoryState {
    /// Held and still qualifies.
    Continuing,
    /// Qualifies, not held: joins the following school year.
    NewlyQualifying,
    /// Held, fails the criterion for the `year`-th consecutive year, within the notice period.
    Notice { year: u32, of: u32 },
    /// Held, failed beyond the notice period: not in the category this year.
    Reclassified,
    /// Held, failed beyond the notice period, with loss `effective next year`: still in the
    /// category this year, out of it the following school year.
    ReclassifiedNextYear,
    /// Neither held nor qualifying.
    NotMember,
    /// Qualifies with no transitions declared (or no history to go by).
    Member,
    /// Held, and in the category this year whatever this year's result, which cannot be
    /// decided: a failure now would still fall within the notice period.
    MemberByHistory,
    /// Not held, and not in the category this year whatever this year's result, which cannot be
    /// decided: qualifying now would take effect only the following year.
    NotMemberByHistory,
    /// The criterion cannot be decided from the data.
    Undetermined,
}

impl CategoryState {
    pub fn describe(&self) -> String {
        match self {
            CategoryState::Continuing => "continuing".into(),
            CategoryState::NewlyQualifying => "newly qualifying (joins next school year)".into(),
            CategoryState::Notice { year, of } => format!("notice year {year} of {of}"),
            CategoryState::Reclassified => "reclassified after the notice period".into(),
            CategoryState::ReclassifiedNextYear => {
                "reclassified after the notice period, effective next school year (still a member this year)".into()
            }
            CategoryState::NotMember => "not a member".into(),
            CategoryState::Member => "member".into(),
            CategoryState::MemberByHistory => {
                "member whatever this year's result (held; a failure now would not end it this year)".into()
            }
            CategoryState::NotMemberByHistory => {
                "not a member whatever this year's result (not held; qualifying now would take effect next year)".into()
            }
            CategoryState::Undetermined => "undetermined".into(),
        }
    }

    /// A short machine name: `continuing`, `notice_1_of_2`, ...
    pub fn key(&self) -> String {
        match self {
            CategoryState::Continuing => "continuing".into(),
            CategoryState::NewlyQualifying => "newly_qualifying".into(),
            CategoryState::Notice { year, of } => format!("notice_{year}_of_{of}"),
            CategoryState::Reclassified => "reclassified".into(),
            CategoryState::ReclassifiedNextYear => "reclassified_next_year".into(),
            CategoryState::NotMember => "not_member".into(),
            CategoryState::Member => "member".into(),
            CategoryState::MemberByHistory => "member_by_history".into(),
            CategoryState::NotMemberByHistory => "not_member_by_history".into(),
            CategoryState::Undetermined => "undetermined".into(),
        }
    }
}

/// A measure's value for one entity, exact and as compared.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MeasureValue {
    pub name: String,
    /// The value as compared (after the policy's rounding), printed.
    pub value: String,
    /// The exact value when it differs (a share before rounding), printed.
    pub exact: Option<String>,
    /// How it was computed, e.g. `hbao_resident 812 / resident 1002`.
    pub inputs: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CategoryDecision {
    pub name: String,
    /// In the category this school year (None when undetermined).
    pub member: Option<bool>,
    pub state: CategoryState,
    /// The condition and how it came out, e.g. `hbao_share 81.0% > 70% → true`.
    pub reason: String,
    /// Earlier years behind the decision, e.g. `2022-2023: held, qualified`.
    pub history: Vec<String>,
    /// Distance to the threshold in the data's units, when it can be said.
    pub distance: Option<String>,
    /// How the policy reads the guide's timing of gain and loss, in words (only for a category
    /// with transitions).
    pub reading: Option<String>,
    /// The share less the threshold (as a fraction: 0.011 is 1.1 points above), when the
    /// condition compares a percentage measure with a percentage and the share may be shown.
    #[serde(skip)]
    pub gap: Option<crate::check::model::Ratio>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleOutcome {
    pub rule: String,
    pub severity: Severity,
    /// `not applicable`, `ok`, `pending`, or the findings' statuses.
    pub outcome: String,
    pub detail: Option<String>,
}

/// Everything decided about one entity, for `explain`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub entity_kind: String,
    pub entity: String,
    pub entity_name: Option<String>,
    pub measures: Vec<MeasureValue>,
    pub categories: Vec<CategoryDecision>,
    pub windows: Vec<(String, String)>,
    pub rules: Vec<RuleOutcome>,
    /// Retain-until dates of kept records.
    pub retention: Vec<String>,
}

/// How one rule came out for one entity: every (entity, rule) pair has one, passes included.
///
/// Ordered from best to worst, so that the worst of several findings is their maximum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The rule does not apply to the entity (its `for` condition is false).
    NotApplicable,
    /// The rule is met.
    Ok,
    /// A deadline not yet passed, the item not yet there.
    Pending,
    /// The data does not allow a decision.
    Undetermined,
    /// Met, but after the due date.
    Late,
    /// The due date has passed and the item is missing.
    Overdue,
    /// The requirement is not met.
    Violation,
}

impl Outcome {
    /// Every outcome, best first.
    pub const ALL: [Outcome; 7] = [
        Outcome::NotApplicable,
        Outcome::Ok,
        Outcome::Pending,
        Outcome::Undetermined,
        Outcome::Late,
        Outcome::Overdue,
        Outcome::Violation,
    ];

    /// `ok`, `not applicable`, `violation`, ... as explain and the human output say it.
    pub fn word(self) -> &'static str {
        match self {
            Outcome::NotApplicable => "not applicable",
            Outcome::Ok => "ok",
            Outcome::Pending => "pending",
            Outcome::Undetermined => "undetermined",
            Outcome::Late => "late",
            Outcome::Overdue => "overdue",
            Outcome::Violation => "violation",
        }
    }

    /// `ok`, `not_applicable`, ... as JSON and CSV write it.
    pub fn key(self) -> &'static str {
        match self {
            Outcome::NotApplicable => "not_applicable",
            o => o.word(),
        }
    }

    /// A finding's status as an outcome.
    pub fn of(status: Status) -> Outcome {
        match status {
            Status::Violation => Outcome::Violation,
            Status::Late => Outcome::Late,
            Status::Overdue => Outcome::Overdue,
            Status::Pending => Outcome::Pending,
            Status::Undetermined => Outcome::Undetermined,
        }
    }

    /// The outcome of a rule whose findings are `statuses`: the worst of them, or ok.
    pub fn worst(statuses: impl IntoIterator<Item = Status>) -> Outcome {
        statuses
            .into_iter()
            .map(Outcome::of)
            .max()
            .unwrap_or(Outcome::Ok)
    }

    /// A failure: the rule is not met (violation, late or overdue).
    pub fn fails(self) -> bool {
        matches!(self, Outcome::Violation | Outcome::Late | Outcome::Overdue)
    }
}

/// A rule of the policy, as the reports list it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleInfo {
    pub name: String,
    pub severity: Severity,
    /// The entity kind it is about (`school`).
    pub entity_kind: String,
    pub section: Option<String>,
    pub quote: Option<String>,
    /// When it is due, as the policy says it: `1/31/2024`, `within conferences_1`; none for a rule
    /// without a date.
    pub due: Option<String>,
    /// The policy's text of the rule's assertion.
    pub text: String,
    pub policy: PolicyLoc,
}

/// A category of the policy, as the reports list it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CategoryInfo {
    pub name: String,
    pub entity_kind: String,
    pub section: Option<String>,
    /// The condition, as the policy writes it: `hbao_share > 70%`.
    pub condition: String,
    pub policy: PolicyLoc,
}

/// One entity's category this year.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CategoryResult {
    /// The category's id, in [`crate::eval::Evaluation::categories`] as in the model.
    #[serde(skip)]
    pub category: CategoryId,
    pub name: String,
    /// In the category this school year; `None` when undetermined.
    pub member: Option<bool>,
    #[serde(flatten)]
    pub state: CategoryState,
}

/// One rule's outcome for one entity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleResult {
    /// The rule's id, in [`crate::eval::Evaluation::rules`] as in the model.
    #[serde(skip)]
    pub rule: RuleId,
    pub name: String,
    pub outcome: Outcome,
    /// How many findings the rule gave for the entity.
    pub findings: usize,
}

/// Everything decided about one entity, in brief: its categories and every rule's outcome.
/// Always recorded (unlike [`Explanation`], which costs more).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EntityResult {
    pub entity_kind: String,
    pub entity: String,
    pub entity_name: Option<String>,
    /// Categories about this kind of entity, in declaration order.
    pub categories: Vec<CategoryResult>,
    /// Rules about this kind of entity, in declaration order.
    pub rules: Vec<RuleResult>,
}

impl EntityResult {
    /// The worst outcome of any rule (not applicable when there is none).
    pub fn worst(&self) -> Outcome {
        self.rules
            .iter()
            .map(|r| r.outcome)
            .max()
            .unwrap_or(Outcome::NotApplicable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_of_several_findings_decides_the_outcome() {
        assert_eq!(Outcome::worst([]), Outcome::Ok);
        assert_eq!(
            Outcome::worst([Status::Pending, Status::Late]),
            Outcome::Late
        );
        assert_eq!(
            Outcome::worst([Status::Undetermined, Status::Violation, Status::Pending]),
            Outcome::Violation
        );
        assert!(Outcome::ALL.is_sorted());
        assert!(Outcome::Overdue.fails() && !Outcome::Undetermined.fails());
        assert_eq!(Outcome::NotApplicable.key(), "not_applicable");
    }
}
