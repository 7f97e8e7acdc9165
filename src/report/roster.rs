//! The roster: each category's members this school year and the transitions (newly qualifying,
//! notice years, reclassified), in human, CSV and JSON form. It is the list a district sends to
//! its schools.

use std::fmt::Write as _;

use serde::Serialize;

use crate::check::model::{CategoryId, Table};
use crate::eval::{CategoryInfo, CategoryState, EntityResult};
use crate::report::encode::one_line;

/// One entity in one category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RosterEntry {
    pub category: String,
    pub entity_kind: String,
    pub entity: String,
    pub entity_name: Option<String>,
    /// In the category this school year; `None` when undetermined.
    pub member: Option<bool>,
    /// `continuing`, `notice_1_of_2`, `newly_qualifying`, ...
    pub state: String,
    /// The state in words: `notice year 1 of 2`.
    pub state_text: String,
}

/// The roster of a run: per category, every entity that is, joins, leaves or cannot be placed
/// (those plainly not members are left out).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Roster {
    pub guide: String,
    pub as_of: String,
    pub categories: Vec<RosterCategory>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RosterCategory {
    pub name: String,
    /// The kind of entity it is about (`school`).
    pub entity_kind: String,
    pub section: Option<String>,
    pub condition: String,
    /// Members this school year.
    pub members: usize,
    /// Entities in the category's kind.
    pub of: usize,
    pub entries: Vec<RosterEntry>,
}

/// The order states are listed in: members first, then those joining, leaving, undecided.
fn rank(s: &CategoryState) -> (u8, u32) {
    match s {
        CategoryState::Continuing => (0, 0),
        CategoryState::Member => (1, 0),
        CategoryState::MemberByHistory => (2, 0),
        CategoryState::Notice { year, .. } => (3, *year),
        CategoryState::NewlyQualifying => (4, 0),
        CategoryState::ReclassifiedNextYear => (5, 0),
        CategoryState::Reclassified => (5, 1),
        CategoryState::NotMemberByHistory => (6, 0),
        CategoryState::Undetermined => (7, 0),
        CategoryState::NotMember => (8, 0),
    }
}

impl Roster {
    /// The roster of `results` (an evaluation's, in kind then id order).
    pub fn of(
        guide: &str,
        as_of: chrono::NaiveDate,
        categories: &Table<CategoryId, CategoryInfo>,
        results: &[&EntityResult],
    ) -> Roster {
        let mut out = Vec::new();
        for (ci, cat) in categories.enumerate() {
            let mut entries: Vec<(&CategoryState, RosterEntry)> = Vec::new();
            let mut of = 0;
            let mut members = 0;
            for e in results {
                let Some(c) = e.categories.iter().find(|c| c.category == ci) else {
                    continue;
                };
                of += 1;
                if c.member == Some(true) {
                    members += 1;
                }
                if c.state == CategoryState::NotMember {
                    continue;
                }
                entries.push((
                    &c.state,
                    RosterEntry {
                        category: cat.name.clone(),
                        entity_kind: e.entity_kind.clone(),
                        entity: e.entity.clone(),
                        entity_name: e.entity_name.clone(),
                        member: c.member,
                        state: c.state.key(),
                        state_text: c.state.describe(),
                    },
                ));
            }
            entries.sort_by(|a, b| {
                rank(a.0)
                    .cmp(&rank(b.0))
                    .then_with(|| a.1.entity.cmp(&b.1.entity))
            });
            out.push(RosterCategory {
                name: cat.name.clone(),
                entity_kind: cat.entity_kind.clone(),
                section: cat.section.clone(),
                condition: cat.condition.clone(),
                members,
                of,
                entries: entries.into_iter().map(|(_, e)| e).collect(),
            });
        }
        Roster {
            guide: guide.to_string(),
            as_of: as_of.format("%Y-%m-%d").to_string(),
            categories: out,
        }
    }

    /// Human: per category, its members this year and the transitions, a heading per state.
    pub fn human(&self) -> String {
        let mut s = String::new();
        let date = chrono::NaiveDate::parse_from_str(&self.as_of, "%Y-%m-%d")
            .map(crate::check::model::us_date)
            .unwrap_or_else(|_| self.as_of.clone());
        let _ = writeln!(s, "{} roster, as of {date}", one_line(&self.guide));
        for c in &self.categories {
            let section = c
                .section
                .as_deref()
                .map(|x| format!(", {x}"))
                .unwrap_or_default();
            s.push('\n');
            let line = format!(
                "{}: {} of {} {}s this school year ({}{section})",
                c.name, c.members, c.of, c.entity_kind, c.condition
            );
            let _ = writeln!(s, "{}", one_line(&line));
            let mut last: Option<&str> = None;
            for e in &c.entries {
                if last != Some(e.state.as_str()) {
                    let n = c.entries.iter().filter(|x| x.state == e.state).count();
                    let _ = writeln!(s, "  {}: {n}", one_line(&e.state_text));
                    last = Some(&e.state);
                }
                let line = match &e.entity_name {
                    Some(n) => format!("    {}  {n}", e.entity),
                    None => format!("    {}", e.entity),
                };
                let _ = writeln!(s, "{}", one_line(&line));
            }
            if c.entries.is_empty() {
                let _ = writeln!(s, "  (none)");
            }
        }
        s
    }

    /// CSV: a row per (category, entity) listed.
    pub fn csv(&self, guard: bool) -> String {
        let mut w = ::csv::Writer::from_writer(Vec::new());
        let _ = w.write_record([
            "category",
            "entity_kind",
            "entity",
            "entity_name",
            "member",
            "state",
            "state_text",
            "as_of",
            "guide",
        ]);
        for c in &self.categories {
            for e in &c.entries {
                let member = match e.member {
                    Some(true) => "true",
                    Some(false) => "false",
                    None => "",
                };
                let cells = [
                    e.category.as_str(),
                    &e.entity_kind,
                    &e.entity,
                    e.entity_name.as_deref().unwrap_or(""),
                    member,
                    &e.state,
                    &e.state_text,
                    &self.as_of,
                    &self.guide,
                ];
                let _ = w.write_record(cells.map(|c| match guard {
                    true => crate::report::encode::csv_cell(c).into_owned(),
                    false => c.to_string(),
                }));
            }
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    /// JSON, pretty.
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }
}
