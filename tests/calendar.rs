#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The calendar export, read back with a real iCalendar parser.

use std::path::Path;

use icalendar::{Calendar, CalendarComponent, Component, DatePerhapsTime};

fn model() -> mandate::check::model::Model {
    let (_, checked) =
        mandate::check::check_path(Path::new("policies/lausd/2023-24/ref-1028.19.policy")).unwrap();
    checked.model.unwrap()
}

fn events(ics: &str) -> Vec<(String, String, String, String)> {
    let cal: Calendar = ics.parse().expect("the export parses as iCalendar");
    let mut out = Vec::new();
    for c in cal.components {
        if let CalendarComponent::Event(e) = c {
            let day = |d: Option<DatePerhapsTime>| match d {
                Some(DatePerhapsTime::Date(d)) => d.to_string(),
                other => panic!("all-day events only, got {other:?}"),
            };
            out.push((
                e.get_summary().unwrap().to_string(),
                day(e.get_start()),
                day(e.get_end()),
                e.get_description().unwrap().to_string(),
            ));
        }
    }
    out
}

#[test]
fn elementary_calendar_has_every_window_and_deadline() {
    let ics = mandate::report::calendar::ics(&model(), Some("elementary"));
    assert!(
        ics.lines().all(|l| l.len() <= 76),
        "lines are folded at 75 octets"
    );
    let ev = events(&ics);
    // Events are titled in the guide's words; the description names the policy's item.
    let find = |name: &str| {
        ev.iter()
            .find(|e| e.3.contains(&format!("policy: {name}:")))
            .unwrap_or_else(|| panic!("{name} missing: {ev:?}"))
    };
    // Ranges include both ends: DTEND is the day after the last day.
    let first = find("first_conference (elementary)");
    assert_eq!(
        (first.1.as_str(), first.2.as_str()),
        ("2023-11-13", "2023-11-18")
    );
    assert!(first.3.contains("III. CALENDAR"), "{}", first.3);
    assert_eq!(
        first.0,
        "The first conference should be scheduled during the second reporting period."
    );
    let second = find("second_conference (elementary)");
    assert_eq!(
        (second.1.as_str(), second.2.as_str()),
        ("2024-03-04", "2024-03-09")
    );
    let s1 = find("certify_semester_1 due");
    assert_eq!((s1.1.as_str(), s1.2.as_str()), ("2024-01-31", "2024-02-01"));
    assert!(s1.3.contains("Attachment A"));
    // The title is the guide's sentence, cut at a word, without its `(Due 1/31/2024)`; the
    // description quotes it whole.
    assert!(
        s1.0.starts_with("Due: On the PHBAO conference first semester section, enter"),
        "{}",
        s1.0
    );
    assert!(
        s1.3.contains("click save or submit. (Due 1/31/2024)"),
        "{}",
        s1.3
    );
    // A constant has no guide quote: its name in words.
    assert_eq!(find("norm_day").0, "norm day");
    let s2 = find("certify_semester_2 due");
    assert_eq!(s2.1, "2024-06-21");
}

#[test]
fn secondary_windows_depend_on_data_and_are_not_events() {
    let ics = mandate::report::calendar::ics(&model(), Some("secondary"));
    let ev = events(&ics);
    assert!(
        ev.iter().all(|e| !e.3.contains("policy: first_conference")
            && !e.3.contains("policy: second_conference")),
        "{ev:?}"
    );
    assert!(ics.contains("X-MANDATE-RELATIVE:first_conference (secondary)"));
    let text = mandate::report::calendar::text(&model(), Some("secondary"));
    assert!(
        text.contains("from class_start + 5 weeks before s1_progress_report"),
        "{text}"
    );
}

#[test]
fn export_is_deterministic() {
    let m = model();
    assert_eq!(
        mandate::report::calendar::ics(&m, None),
        mandate::report::calendar::ics(&m, None)
    );
}

/// A per-row deadline (`within 30 days of enrolled`) has no date of its own: the text calendar
/// lists it as set by each row's data, and it is no event.
#[test]
fn per_row_deadlines_are_set_by_each_rows_data() {
    let (_, checked) =
        mandate::check::check_path(Path::new("tests/fixtures/lint/row_deadlines/case.policy"))
            .unwrap();
    let model = checked.model.unwrap();
    let text = mandate::report::calendar::text(&model, None);
    let part = text
        .split_once("set by each row's data:")
        .map(|(_, p)| p)
        .unwrap_or_else(|| panic!("no per-row part:\n{text}"));
    assert!(
        part.contains("assess_within_30_days due for each student: each student where el has assessed within 30 days of enrolled"),
        "{text}"
    );
    assert!(!text.contains("set by each school's data:"), "{text}");
    let ics = mandate::report::calendar::ics(&model, None);
    assert!(events(&ics).is_empty(), "{ics}");
    assert!(ics.contains("X-MANDATE-RELATIVE:assess_within_30_days due for each student"));
}

/// The text calendar: a constant's date with its section (never `[]`), windows and deadlines
/// with theirs.
#[test]
fn text_calendar_gives_every_date_its_section() {
    let text = mandate::report::calendar::text(&model(), Some("elementary"));
    assert!(!text.contains("[]"), "{text}");
    insta::assert_snapshot!("calendar_text_elementary", text);
}
