//! School days end to end, on `tests/fixtures/lint/school_days/`: a per-row deadline `within 10
//! school days of enrolled`, a window of school days after Norm Day, a deadline 10 school days after
//! it and a window from each school's first day, over a calendar with a holiday on a Friday, a
//! Thanksgiving week, a winter break across the new year and a leap day. `check`, `lint` (with
//! `--near`), `explain`, `calendar` (text and iCalendar), `fmt` and `diff` against a revision whose
//! list of non-school days changed. The outcomes themselves are asserted by the lint fixture's
//! `expect` file (`tests/lint_data.rs`); here, what each command prints.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

mod common;

use std::process::Command;

const POLICY: &str = "tests/fixtures/lint/school_days/case.policy";
const REVISED: &str = "tests/fixtures/lint/school_days/revised.policy";
const DATA: &str = "tests/fixtures/lint/school_days/data";

/// `mandate ARGS` from the crate root: exit code and standard output.
fn mandate(args: &[&str]) -> (i32, String) {
    let (code, stdout, stderr) = common::mandate_text(args);
    (code, format!("{stdout}{stderr}"))
}

#[test]
fn check_is_clean() {
    let (code, out) = mandate(&["check", POLICY, REVISED]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 errors, 0 warnings"), "{out}");
}

#[test]
fn lint_gives_each_rows_due_date_in_school_days() {
    let (code, out) = mandate(&[
        "lint",
        POLICY,
        DATA,
        "--as-of",
        "2024-03-15",
        "--near",
        "2%",
    ]);
    assert_eq!(code, 1, "{out}");
    // The time of the run is the only thing that varies.
    let out: Vec<String> = out
        .lines()
        .map(|l| match (l.rfind(", "), l.ends_with("s)")) {
            (Some(at), true) => format!("{}, TIME)", &l[..at]),
            _ => l.to_string(),
        })
        .collect();
    insta::assert_snapshot!(out.join("\n"));
}

#[test]
fn explain_shows_the_resolved_windows() {
    let (code, out) = mandate(&[
        "explain",
        POLICY,
        DATA,
        "--as-of",
        "2024-03-15",
        "--school",
        "E2",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("fall_meeting: from norm_day + 5 school days by norm_day + 15 school days = 9/22/2023 to 10/6/2023"), "{out}");
    assert!(
        out.contains(
            "plan_window: from class_start by class_start + 10 school days = 8/31/2023 to 9/15/2023"
        ),
        "{out}"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn calendar_lists_the_resolved_dates_and_the_days_without_school() {
    let (code, out) = mandate(&["calendar", POLICY, "--format", "text"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("9/29/2023                roster_sent due"),
        "{out}"
    );
    assert!(
        out.contains("12/18/2023 to 1/5/2024   non-school days"),
        "{out}"
    );
    insta::assert_snapshot!("calendar_text", out);
    let (code, ics) = mandate(&["calendar", POLICY, "--format", "ics"]);
    assert_eq!(code, 0, "{ics}");
    // The winter break is one all-day event, its end the day after its last day.
    assert!(
        ics.contains("DTSTART;VALUE=DATE:20231218\r\nDTEND;VALUE=DATE:20240106"),
        "{ics}"
    );
}

#[test]
fn diff_shows_the_changed_holidays_and_what_moves_with_them() {
    let (code, out) = mandate(&["diff", POLICY, REVISED, "--data", DATA]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("added 9/25/2023; removed 11/10/2023"), "{out}");
    assert!(
        out.contains("const roster_due: 9/29/2023 → 10/2/2023"),
        "{out}"
    );
    assert!(out.contains("(from 9/22/2023 by 10/6/2023) → "), "{out}");
    assert!(out.contains("E2: no longer roster_sent"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn fmt_keeps_the_list_one_day_or_break_a_line_with_its_comment() {
    let (code, out) = mandate(&["fmt", "--check", POLICY, REVISED, FROM_DATA]);
    assert_eq!(code, 0, "{out}");
    let text = "non_school_days { November 23-24, 2023, December 18, 2023 - January 5, 2024, 2/19/2024 }\n";
    let out = Command::new(env!("CARGO_BIN_EXE_mandate"))
        .arg("fmt")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            child.stdin.take().unwrap().write_all(text.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "non_school_days {\n  November 23-24, 2023\n  December 18, 2023 - January 5, 2024\n  2/19/2024\n}\n"
    );
}

const FROM_DATA: &str = "tests/fixtures/lint/school_days_from_data/case.policy";

/// `non_school_days from closure.first until closure.last`: the same outcomes as the list (the lint
/// fixtures `school_days_from_data` and `school_days_from_data_missing` hold them); here, what the
/// commands without data say, and the exit code without the calendar export.
#[test]
fn non_school_days_read_from_the_data() {
    let (code, out) = mandate(&["check", FROM_DATA]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = mandate(&["calendar", FROM_DATA, "--format", "text"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(
            "  non_school_days: from closure.first until closure.last (read with the data)\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "  fall_meeting: from norm_day + 5 school days by norm_day + 15 school days  [Norm Day]"
        ),
        "{out}"
    );
    let (code, out) = mandate(&["diff", POLICY, FROM_DATA]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("~ non_school_days: now read from the data: 9/4/2023, 11/10/2023"),
        "{out}"
    );
    assert!(
        out.contains("→ from closure.first until closure.last (read from the data)"),
        "{out}"
    );
    let (code, out) = mandate(&[
        "lint",
        FROM_DATA,
        "tests/fixtures/lint/school_days_from_data_missing/data",
        "--as-of",
        "2024-03-15",
    ]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("error: no data: no file holds `closure` records: meeting_in_window, plan_in_window, roster_sent, survey_within_10_school_days undetermined for 2 schools"),
        "{out}"
    );
}
