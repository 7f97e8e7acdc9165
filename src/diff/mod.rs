//! `diff`: what changed between two revisions of a policy, in the guide's own terms. Statements are
//! matched by name, values compared by meaning (dates as dates, sets as sets), so reordering or
//! reformatting is no change. With data, the impact: schools whose categories or findings differ.
//!
//! [`diff`] compares one [`Area`] at a time (`policy.rs`, a function each); [`impact`] compares two
//! evaluations of the same data (`impact.rs`); [`human`] words the changes.

mod impact;
mod policy;

use std::fmt::Write as _;

use serde::Serialize;

use crate::check::model::Model;
use crate::syntax::Sources;

pub use impact::{Impact, impact};

/// One change between revisions.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Change {
    pub area: Area,
    /// What changed, e.g. `window first_conference (elementary)`.
    pub what: String,
    pub change: ChangeKind,
    pub old: Option<String>,
    pub new: Option<String>,
    pub section: Option<String>,
}

/// What part of the policy a change is in. The order is that of a "MAJOR CHANGES" paragraph: the
/// guide, then dates, then the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Area {
    /// The guide block: id, title, issued date, the id it replaces, the school year.
    Guide,
    /// A constant whose value is a date.
    Date,
    /// The holidays and breaks that school days skip (`non_school_days`).
    #[serde(rename = "non_school_days")]
    NonSchoolDays,
    /// A window, one case (`when level == elementary`) at a time.
    Window,
    /// A rule's due date.
    Deadline,
    /// A category's condition.
    Threshold,
    /// A constant that is not a date.
    Constant,
    /// A set's members.
    Set,
    /// A category added or removed, or its transitions.
    Category,
    /// A measure's formula.
    Measure,
    /// A rule added or removed, or its verb, assertion or applicability.
    Rule,
    /// A value type: its values and their other spellings.
    Type,
    /// A record: its fields, their types and column names.
    Record,
}

impl Area {
    /// The word in JSON output: `guide`, `date`, ...
    pub fn word(self) -> &'static str {
        match self {
            Area::Guide => "guide",
            Area::Date => "date",
            Area::NonSchoolDays => "non_school_days",
            Area::Window => "window",
            Area::Deadline => "deadline",
            Area::Threshold => "threshold",
            Area::Constant => "constant",
            Area::Set => "set",
            Area::Category => "category",
            Area::Measure => "measure",
            Area::Rule => "rule",
            Area::Type => "type",
            Area::Record => "record",
        }
    }

    /// The heading the human output lists the area's changes under.
    fn heading(self) -> &'static str {
        match self {
            Area::Guide => "guide",
            Area::Date => "dates",
            Area::NonSchoolDays => "non-school days",
            Area::Window => "windows",
            Area::Deadline => "deadlines",
            Area::Threshold => "thresholds",
            Area::Constant => "constants",
            Area::Set => "sets",
            Area::Category => "categories",
            Area::Measure => "measures",
            Area::Rule => "rules",
            Area::Type => "value types",
            Area::Record => "data records",
        }
    }
}

/// Whether a thing was added, removed or changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Changed,
    Removed,
    /// The same thing under a new name: `old` and `new` are the names.
    Renamed,
}

impl ChangeKind {
    /// `added`, `removed` or `changed`.
    pub fn word(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
            ChangeKind::Renamed => "renamed",
        }
    }
}

/// One revision: its model and the text it was read from.
pub struct Revision<'a> {
    pub model: &'a Model,
    pub sources: &'a Sources,
}

/// Every change from `old` to `new`, sorted by area then name.
pub fn diff(old: &Revision<'_>, new: &Revision<'_>) -> Vec<Change> {
    let mut out = Vec::new();
    policy::guide(&mut out, old.model, new.model);
    policy::constants(&mut out, old.model, new.model);
    policy::non_school_days(&mut out, old.model, new.model);
    policy::sets(&mut out, old.model, new.model);
    policy::types(&mut out, old.model, new.model);
    policy::records(&mut out, old.model, new.model);
    policy::measures(&mut out, old, new);
    policy::categories(&mut out, old, new);
    policy::windows(&mut out, old, new);
    policy::rules(&mut out, old, new);
    out.sort_by(|a, b| (a.area, &a.what).cmp(&(b.area, &b.what)));
    out
}

/// The changes as a "MAJOR CHANGES" paragraph would list them.
pub fn human(old_id: &str, new_id: &str, changes: &[Change]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{old_id} → {new_id}");
    if changes.is_empty() {
        let _ = writeln!(out, "no changes in meaning");
        return out;
    }
    let mut area = None;
    for c in changes {
        if area != Some(c.area) {
            area = Some(c.area);
            let _ = writeln!(out, "\n{}", c.area.heading());
        }
        let section = c
            .section
            .as_deref()
            .map(|s| format!(" [{s}]"))
            .unwrap_or_default();
        match (c.change, &c.old, &c.new) {
            (ChangeKind::Renamed, Some(o), Some(n)) => {
                let _ = writeln!(
                    out,
                    "  ~ {}{section}: renamed {o} → {n}, otherwise the same",
                    c.what
                );
            }
            (ChangeKind::Added, _, Some(n)) => {
                let _ = writeln!(out, "  + {}{section}: {n}", c.what);
            }
            (ChangeKind::Removed, Some(o), _) => {
                let _ = writeln!(out, "  - {}{section}: {o}", c.what);
            }
            (_, o, n) if o.is_some() || n.is_some() => {
                // A guide entry or a due date given in one revision only.
                let (o, n) = (
                    o.as_deref().unwrap_or("(none)"),
                    n.as_deref().unwrap_or("(none)"),
                );
                let _ = writeln!(out, "  ~ {}{section}: {o} → {n}", c.what);
            }
            _ => {
                let _ = writeln!(out, "  ~ {}{section}", c.what);
            }
        }
    }
    out
}
