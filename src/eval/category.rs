//! Multi-year categories (`gain next year`, `loss after N years notice`): the status an entity
//! holds this school year from its history rows, and its state given this year's result. Pure
//! functions of the history, unit-tested in `tests/category.rs`.

use std::collections::BTreeMap;

use crate::check::model::{Row, Transitions, Value};

use super::CategoryState;

/// Per school year: (held, qualified), each unknown when the row does not say.
pub(super) type History = BTreeMap<i32, (Option<bool>, Option<bool>)>;

/// The history rows of one entity, by school year; a later row for a year replaces an earlier.
pub(super) fn history<'r>(t: &Transitions, rows: impl Iterator<Item = &'r [Value]>) -> History {
    let mut by_year = History::new();
    for r in rows {
        let Some(Value::SchoolYear(y)) = r.value(t.year_field) else {
            continue;
        };
        let held = match r.value(t.held_field) {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        };
        let qualified = match t.qualified_field.and_then(|f| r.value(f)) {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        };
        by_year.insert(*y, (held, qualified));
    }
    by_year
}

/// The years up to `year`, latest first, as an explanation lists them: `2022-2023: held, did
/// not qualify`.
pub(super) fn history_lines(by_year: &History, year: i32) -> Vec<String> {
    by_year
        .iter()
        .rev()
        .filter(|(y, _)| **y <= year)
        .map(|(y, (h, qq))| {
            let h = match h {
                Some(true) => "held",
                Some(false) => "not held",
                None => "status unknown",
            };
            let qq = match qq {
                Some(true) => ", qualified",
                Some(false) => ", did not qualify",
                None => "",
            };
            format!("{y}-{}: {h}{qq}", y + 1)
        })
        .collect()
}

/// Membership in school year `year` and its state, from the history and this year's result `q`
/// (`None` when it cannot be decided).
pub(super) fn decide(
    t: &Transitions,
    by_year: &History,
    year: i32,
    q: Option<bool>,
) -> (Option<bool>, CategoryState) {
    // The status held this year: the year's own record, else carried from last year.
    let held_now = match by_year.get(&year) {
        Some((Some(h), _)) => Some(*h),
        _ => match by_year.get(&(year - 1)) {
            Some((Some(true), _)) => {
                let streak = failing_streak(by_year, year - 1, None);
                Some(streak <= t.notice_years)
            }
            Some((Some(false), Some(true))) => Some(t.gain_next_year),
            Some((Some(false), _)) => Some(false),
            _ => None,
        },
    };
    let Some(held) = held_now else {
        // No history: decide on this year alone.
        return (
            q,
            q.map(member_state).unwrap_or(CategoryState::Undetermined),
        );
    };
    match (held, q) {
        // This year's result cannot be decided; it matters only when the two possible
        // results give different memberships this year.
        (true, None) => {
            // Effective next year, a failure now ends nothing this year either.
            if t.loss_next_year || failing_streak(by_year, year, Some(false)) <= t.notice_years {
                (Some(true), CategoryState::MemberByHistory)
            } else {
                (None, CategoryState::Undetermined)
            }
        }
        (false, None) if t.gain_next_year => (Some(false), CategoryState::NotMemberByHistory),
        (false, None) => (None, CategoryState::Undetermined),
        (true, Some(true)) => (Some(true), CategoryState::Continuing),
        (true, Some(false)) => {
            let k = failing_streak(by_year, year, Some(false));
            if k <= t.notice_years {
                (
                    Some(true),
                    CategoryState::Notice {
                        year: k,
                        of: t.notice_years,
                    },
                )
            } else if t.loss_next_year {
                (Some(true), CategoryState::ReclassifiedNextYear)
            } else {
                (Some(false), CategoryState::Reclassified)
            }
        }
        (false, Some(true)) if t.gain_next_year => (Some(false), CategoryState::NewlyQualifying),
        (false, Some(true)) => (Some(true), CategoryState::Member),
        (false, Some(false)) => (Some(false), CategoryState::NotMember),
    }
}

/// A category without transitions: in it when it qualifies.
pub(super) fn member_state(q: bool) -> CategoryState {
    if q {
        CategoryState::Member
    } else {
        CategoryState::NotMember
    }
}

/// Consecutive failing years ending at `year`: `now` is this year's result when known, else the
/// history's `qualified` for that year.
pub(super) fn failing_streak(by_year: &History, year: i32, now: Option<bool>) -> u32 {
    let mut k = 0u32;
    let mut y = year;
    let mut first = true;
    loop {
        let q = if first && now.is_some() {
            now
        } else {
            by_year.get(&y).and_then(|(_, q)| *q)
        };
        first = false;
        if q != Some(false) {
            return k;
        }
        k += 1;
        y -= 1;
        if k > 100 {
            return k;
        }
    }
}
