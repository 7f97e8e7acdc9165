//! Multi-year categories, decided in `category.rs` from the history rows: the status held this
//! year (the year's own row, or carried from last year), notice years, gaining next year, and
//! what an undecidable result this year still allows.

use super::*;
use crate::eval::CategoryState::{self, *};
use crate::eval::category::{History, decide, failing_streak, history, history_lines};

const YEAR: i32 = 2023;

/// `loss after `notice` years notice`, with or without `gain next year`.
fn rules(notice: u32, gain: bool) -> Transitions {
    Transitions {
        record: RecordId(1),
        year_field: FieldId(0),
        held_field: FieldId(1),
        qualified_field: Some(FieldId(2)),
        gain_next_year: gain,
        notice_years: notice,
        loss_next_year: false,
    }
}

/// A history from (year, held, qualified) rows.
fn past(rows: &[(i32, Option<bool>, Option<bool>)]) -> History {
    rows.iter().map(|&(y, h, q)| (y, (h, q))).collect()
}

const T: Option<bool> = Some(true);
const F: Option<bool> = Some(false);
const U: Option<bool> = None;

fn state(t: &Transitions, h: &History, q: Option<bool>) -> (Option<bool>, CategoryState) {
    decide(t, h, YEAR, q)
}

#[test]
fn without_history_this_year_decides() {
    let t = rules(2, true);
    assert_eq!(state(&t, &History::new(), T), (T, Member));
    assert_eq!(state(&t, &History::new(), F), (F, NotMember));
    assert_eq!(state(&t, &History::new(), U), (U, Undetermined));
    // A history of other years only (two years back) does not say what is held now.
    let old = past(&[(2021, T, T)]);
    assert_eq!(state(&t, &old, T), (T, Member));
}

#[test]
fn held_and_still_qualifying_continues() {
    let t = rules(2, true);
    assert_eq!(state(&t, &past(&[(YEAR, T, U)]), T), (T, Continuing));
    // Carried from last year.
    assert_eq!(state(&t, &past(&[(YEAR - 1, T, T)]), T), (T, Continuing));
}

#[test]
fn failing_years_count_as_notice_then_reclassify() {
    let t = rules(2, true);
    // First failing year: notice 1 of 2.
    let h = past(&[(YEAR, T, U), (YEAR - 1, T, T)]);
    assert_eq!(state(&t, &h, F), (T, Notice { year: 1, of: 2 }));
    // Second in a row: notice 2 of 2.
    let h = past(&[(YEAR, T, U), (YEAR - 1, T, F)]);
    assert_eq!(state(&t, &h, F), (T, Notice { year: 2, of: 2 }));
    // Third: reclassified.
    let h = past(&[(YEAR, T, U), (YEAR - 1, T, F), (YEAR - 2, T, F)]);
    assert_eq!(state(&t, &h, F), (F, Reclassified));
    // A qualifying year breaks the streak.
    let h = past(&[
        (YEAR, T, U),
        (YEAR - 1, T, F),
        (YEAR - 2, T, T),
        (YEAR - 3, T, F),
    ]);
    assert_eq!(state(&t, &h, F), (T, Notice { year: 2, of: 2 }));
    // No notice at all: the first failing year reclassifies.
    assert_eq!(
        state(&rules(0, true), &past(&[(YEAR, T, U)]), F),
        (F, Reclassified)
    );
}

#[test]
fn status_carried_from_last_year_counts_its_notice() {
    let t = rules(1, true);
    // Held last year, failing last year within the notice period: still held now.
    let h = past(&[(YEAR - 1, T, F)]);
    assert_eq!(state(&t, &h, T), (T, Continuing));
    // Held last year, but failing beyond the notice period by last year: not held now.
    let h = past(&[(YEAR - 1, T, F), (YEAR - 2, T, F)]);
    assert_eq!(state(&t, &h, T), (F, NewlyQualifying));
    assert_eq!(state(&t, &h, F), (F, NotMember));
    // This year's own row wins over last year's.
    let h = past(&[(YEAR, F, U), (YEAR - 1, T, T)]);
    assert_eq!(state(&t, &h, F), (F, NotMember));
    // This year's row with no status: last year's carries.
    let h = past(&[(YEAR, U, U), (YEAR - 1, T, T)]);
    assert_eq!(state(&t, &h, T), (T, Continuing));
}

#[test]
fn qualifying_joins_next_year_with_gain_next_year() {
    let gain = rules(2, true);
    let at_once = rules(2, false);
    let not_held = past(&[(YEAR - 1, F, F)]);
    assert_eq!(state(&gain, &not_held, T), (F, NewlyQualifying));
    assert_eq!(state(&at_once, &not_held, T), (T, Member));
    // Qualified last year while not held: held now with `gain next year`, not without.
    let qualified = past(&[(YEAR - 1, F, T)]);
    assert_eq!(state(&gain, &qualified, T), (T, Continuing));
    assert_eq!(state(&at_once, &qualified, F), (F, NotMember));
    assert_eq!(state(&at_once, &qualified, T), (T, Member));
}

#[test]
fn an_undecidable_year_is_decided_by_history_when_it_cannot_matter() {
    let t = rules(2, true);
    // Held, and failing now would be notice year 1 or 2: a member either way.
    let h = past(&[(YEAR, T, U), (YEAR - 1, T, T)]);
    assert_eq!(state(&t, &h, U), (T, MemberByHistory));
    let h = past(&[(YEAR, T, U), (YEAR - 1, T, F)]);
    assert_eq!(state(&t, &h, U), (T, MemberByHistory));
    // Failing now would be the third year: membership depends on this year.
    let h = past(&[(YEAR, T, U), (YEAR - 1, T, F), (YEAR - 2, T, F)]);
    assert_eq!(state(&t, &h, U), (U, Undetermined));
    // Not held: qualifying now takes effect next year, so not a member either way...
    let h = past(&[(YEAR, F, U)]);
    assert_eq!(state(&t, &h, U), (F, NotMemberByHistory));
    // ...unless qualifying joins at once.
    assert_eq!(state(&rules(2, false), &h, U), (U, Undetermined));
}

#[test]
fn loss_effective_next_year_keeps_the_year_of_the_last_failure() {
    let t = Transitions {
        loss_next_year: true,
        ..rules(2, true)
    };
    // The third failing year: reclassified, but still a member this year.
    let h = past(&[(YEAR, T, U), (YEAR - 1, T, F), (YEAR - 2, T, F)]);
    assert_eq!(state(&t, &h, F), (T, ReclassifiedNextYear));
    // ... and out the year after: last year's row says held, and its streak passed the notice.
    let after = past(&[(YEAR - 1, T, F), (YEAR - 2, T, F), (YEAR - 3, T, F)]);
    assert_eq!(state(&t, &after, F), (F, NotMember));
    assert_eq!(state(&t, &after, T), (F, NewlyQualifying));
    // Notice years are unchanged.
    let h = past(&[(YEAR, T, U), (YEAR - 1, T, F)]);
    assert_eq!(state(&t, &h, F), (T, Notice { year: 2, of: 2 }));
    // An undecidable third year is a member either way now: the loss would land next year.
    let h = past(&[(YEAR, T, U), (YEAR - 1, T, F), (YEAR - 2, T, F)]);
    assert_eq!(state(&t, &h, U), (T, MemberByHistory));
    // The same history, effective this year: decided by this year's result.
    assert_eq!(state(&rules(2, true), &h, U), (U, Undetermined));
    assert_eq!(state(&rules(2, true), &h, F), (F, Reclassified));
}

#[test]
fn failing_streaks_end_at_the_first_year_not_failed() {
    let h = past(&[(2023, T, F), (2022, T, F), (2021, T, U), (2020, T, F)]);
    assert_eq!(failing_streak(&h, 2023, None), 2);
    assert_eq!(failing_streak(&h, 2023, Some(true)), 0);
    assert_eq!(failing_streak(&h, 2024, Some(false)), 3);
    assert_eq!(failing_streak(&h, 2020, None), 1);
    // A history failing back a long way stops counting.
    let long: History = (1800..=2023).map(|y| (y, (T, F))).collect();
    assert_eq!(failing_streak(&long, 2023, None), 101);
}

#[test]
fn history_rows_and_lines() {
    let t = rules(2, true);
    let row = |y: i32, h: Value, q: Value| vec![Value::SchoolYear(y), h, q];
    let rows = [
        row(2021, Value::Bool(true), Value::Bool(false)),
        row(2022, Value::Bool(true), Value::Null),
        // A later row for the same year replaces the earlier.
        row(2021, Value::Bool(true), Value::Bool(true)),
        // No school year: not history.
        vec![Value::Null, Value::Bool(false), Value::Bool(false)],
        row(2024, Value::Bool(false), Value::Bool(true)),
        row(2020, Value::Null, Value::Bool(false)),
    ];
    let h = history(&t, rows.iter().map(Vec::as_slice));
    assert_eq!(
        h,
        past(&[(2020, U, F), (2021, T, T), (2022, T, U), (2024, F, T)])
    );
    assert_eq!(
        history_lines(&h, YEAR),
        [
            "2022-2023: held",
            "2021-2022: held, qualified",
            "2020-2021: status unknown, did not qualify",
        ]
    );
}
