#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The example beyond LAUSD's guides (policies/examples/el-title1): its synthetic sample linted as of
//! the generator's date gives exactly the findings `samples/el-title1/make_sample.py` derives on its
//! own (`expected.txt`): per-row deadlines with their counts, money, two entity levels.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use mandate::check::check_path;
use mandate::eval::{Options, evaluate};

const POLICY: &str = "policies/examples/el-title1/el-title1.policy";
const SAMPLE: &str = "samples/el-title1";

#[test]
fn example_lints_its_sample_with_the_independent_expectations() {
    let (loaded, checked) = check_path(Path::new(POLICY)).unwrap();
    assert!(checked.problems.is_empty(), "{:#?}", checked.problems);
    let model = checked.model.unwrap();
    let as_of = NaiveDate::from_ymd_opt(2023, 11, 15).unwrap();
    let ev = evaluate(
        &model,
        &loaded.sources,
        &[PathBuf::from(SAMPLE)],
        &Options::at(as_of),
    );
    assert!(ev.data_errors.is_empty(), "{:#?}", ev.data_errors);
    // A per-row finding starts with its count of rows: `2 student rows late: ...`.
    let got: BTreeSet<String> = ev
        .findings
        .iter()
        .map(|f| {
            let count = f
                .message
                .split_once(" student row")
                .and_then(|(n, _)| n.parse::<u64>().ok())
                .map_or("-".to_string(), |n| n.to_string());
            format!("{} {} {} {count}", f.entity, f.rule, f.status.word())
        })
        .collect();
    let want: BTreeSet<String> = std::fs::read_to_string(Path::new(SAMPLE).join("expected.txt"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(got, want);

    // No private value is printed; amounts print as the guide prints them.
    for f in &ev.findings {
        assert!(!f.message.contains("Student 0"), "{}", f.message);
    }
    let d3 = ev
        .findings
        .iter()
        .find(|f| f.entity == "D3" && f.rule == "reserve_one_percent")
        .unwrap();
    assert!(
        d3.message.contains("reserved is $9,999.99") && d3.message.contains("$1,000,000"),
        "{}",
        d3.message
    );
    // Each per-row finding carries the counts of every status.
    let s1 = ev
        .findings
        .iter()
        .find(|f| {
            f.entity == "S1" && f.rule == "assess_within_30_days" && f.status.word() == "overdue"
        })
        .unwrap();
    assert!(
        s1.message
            .contains("(5 student rows: 2 ok, 1 late, 1 pending, 1 overdue)"),
        "{}",
        s1.message
    );
}

#[test]
fn example_calendar_lists_the_per_row_deadlines() {
    let (_, checked) = check_path(Path::new(POLICY)).unwrap();
    let text = mandate::report::calendar::text(&checked.model.unwrap(), None);
    let part = text.split_once("set by each row's data:").unwrap().1;
    for rule in [
        "survey_at_enrolment",
        "assess_within_30_days",
        "notify_within_30_days",
    ] {
        assert!(
            part.contains(&format!("{rule} due for each student")),
            "{text}"
        );
    }
}
