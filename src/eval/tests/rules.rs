//! Each rule kind on a small world: a policy over one schema and a few CSV rows per school,
//! evaluated in a scratch folder; each test names the outcome (`explain`'s word) per school.

use std::collections::BTreeMap;

use crate::eval::{Options, evaluate};

/// The schema every case shares; each case adds its rules.
const SCHEMA: &str = r#"guide TEST-RULES {
  title "Rule kinds"
  year 2023-2024
}

type level = {elementary, secondary}
type kind = {open_house, other}

record school key id {
  id: text
  level: level
  target: int optional
}

record student {
  school: school
  resident: bool
}

record visit {
  school: school
  kind: kind
  date: date
  minutes: int optional
}

record event {
  school: school
  kind: kind
  date: date
}

record certification {
  school: school
  completed: date optional
}

record form {
  school: school
  date: date
  discarded: date optional
}
"#;

/// The schools every case has: A and B elementary, C and D secondary; A's target is 45.
const SCHOOLS: &str =
    "id,level,target\nA,elementary,45\nB,elementary,\nC,secondary,\nD,secondary,50\n";

/// Evaluates `rules` (added to [`SCHEMA`]) on the schools and `files` (name, CSV text) as of
/// `as_of`: per school, per rule, the outcome and its detail.
fn outcomes(rules: &str, files: &[(&str, &str)], as_of: &str) -> BTreeMap<String, String> {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("case.policy");
    std::fs::write(&policy, format!("{SCHEMA}\n{rules}\n")).unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("school.csv"), SCHOOLS).unwrap();
    for (name, text) in files {
        std::fs::write(data.join(name), text).unwrap();
    }
    let (loaded, checked) = crate::check::check_path(&policy).unwrap();
    let model = checked
        .model
        .unwrap_or_else(|| panic!("the case has errors: {:?}", checked.problems));
    let as_of = chrono::NaiveDate::parse_from_str(as_of, "%Y-%m-%d").unwrap();
    let ev = evaluate(&model, &loaded.sources, &[data], &Options::at(as_of));
    assert!(ev.data_errors.is_empty(), "{:?}", ev.data_errors);
    let mut out = BTreeMap::new();
    for x in &ev.explanations {
        for r in &x.rules {
            out.insert(format!("{} {}", x.entity, r.rule), r.outcome.clone());
        }
    }
    out
}

/// `A rule outcome` lines, as a map.
fn expect(lines: &[&str]) -> BTreeMap<String, String> {
    lines
        .iter()
        .map(|l| {
            let (key, outcome) = l.rsplit_once(' ').unwrap();
            (key.to_string(), outcome.replace('_', " "))
        })
        .collect()
}

const AS_OF: &str = "2024-02-15";

#[test]
fn a_condition_holds_or_not_and_undefined_is_undetermined() {
    let rules = "measure residents = count student where resident
measure students = count student
measure share = residents / students exact
must enough: students >= 2
should mostly_resident: share > 50%
may elementary_has_students for level == elementary: students >= 1
";
    let students = "school,resident\nA,true\nA,true\nA,false\nB,false\nC,true\n";
    let got = outcomes(rules, &[("student.csv", students)], AS_OF);
    // A: 2 of 3 residents. B: none of 1. C: 1 of 1, and not elementary. D: no students, so no
    // share: undetermined, not a violation.
    assert_eq!(
        got,
        expect(&[
            "A elementary_has_students ok",
            "A enough ok",
            "A mostly_resident ok",
            "B elementary_has_students ok",
            "B enough violation",
            "B mostly_resident violation",
            "C elementary_has_students not_applicable",
            "C enough violation",
            "C mostly_resident ok",
            "D elementary_has_students not_applicable",
            "D enough violation",
            "D mostly_resident undetermined",
        ])
    );
}

#[test]
fn each_row_compares_with_a_constant_or_the_row() {
    // `short` and `on_target` are decided as the rows stream past; `longer_than_shortest` reads a
    // measure, so its rows are kept and decided per school.
    let rules = "must short: each visit has minutes <= 60
should on_target: each visit where kind == other has minutes >= target
measure shortest = min visit.minutes
may longer_than_shortest: each visit where kind == other has minutes > shortest
";
    // A: 30 and 60 minutes, one visit short of A's target 45. B: 61 minutes at an open house
    // (not checked against a target). C: no visits. D: 55 minutes against D's target 50. (An
    // empty `minutes` or `target` is left out: every row path skips the row, where DESIGN's
    // "undetermined is minimal" makes the comparison undetermined; reported, not pinned here.)
    let visits = "school,kind,date,minutes
A,open_house,10/2/2023,30
A,other,10/3/2023,60
A,other,10/4/2023,30
B,open_house,10/2/2023,61
D,open_house,10/2/2023,10
D,other,10/3/2023,55
";
    let got = outcomes(rules, &[("visit.csv", visits)], AS_OF);
    assert_eq!(
        got,
        expect(&[
            "A longer_than_shortest violation",
            "A on_target violation",
            "A short ok",
            "B longer_than_shortest ok",
            "B on_target ok",
            "B short violation",
            "C longer_than_shortest ok",
            "C on_target ok",
            "C short ok",
            "D longer_than_shortest ok",
            "D on_target ok",
            "D short ok",
        ])
    );
}

#[test]
fn each_row_within_a_window_counts_both_ends_as_the_words_say() {
    let rules = "window week {
  when level == elementary: from 10/2/2023 before 10/7/2023
  when level == secondary: after 10/1/2023 by 10/6/2023
}
must in_week: each visit has date within week
";
    // The same days for both levels: 10/2 and 10/6 are in; 10/1 and 10/7 are not.
    let visits = "school,kind,date,minutes
A,other,10/2/2023,
A,other,10/6/2023,
B,other,10/7/2023,
C,other,10/2/2023,
C,other,10/6/2023,
D,other,10/1/2023,
";
    let got = outcomes(rules, &[("visit.csv", visits)], AS_OF);
    assert_eq!(
        got,
        expect(&[
            "A in_week ok",
            "B in_week violation",
            "C in_week ok",
            "D in_week violation",
        ])
    );
}

#[test]
fn each_row_not_on_the_day_of_another_record() {
    let rules =
        "must not_on_open_house: each visit has date not on event.date where kind == open_house\n";
    // A meets on its open house; B on a day with another event; C the day after its open house;
    // D has no events.
    let visits = "school,kind,date,minutes
A,other,10/3/2023,
B,other,10/3/2023,
C,other,10/4/2023,
D,other,10/3/2023,
";
    let events = "school,kind,date
A,open_house,10/3/2023
B,other,10/3/2023
C,open_house,10/3/2023
";
    let got = outcomes(
        rules,
        &[("visit.csv", visits), ("event.csv", events)],
        AS_OF,
    );
    assert_eq!(
        got,
        expect(&[
            "A not_on_open_house violation",
            "B not_on_open_house ok",
            "C not_on_open_house ok",
            "D not_on_open_house ok",
        ])
    );
}

#[test]
fn a_deadline_is_met_late_overdue_or_pending() {
    let rules = "must certified: certification has completed by 1/31/2024\n";
    // A on the due date; B the day after; C has no row; D a row with no date.
    let rows = "school,completed\nA,1/31/2024\nB,2/1/2024\nD,\n";
    let after = outcomes(rules, &[("certification.csv", rows)], AS_OF);
    assert_eq!(
        after,
        expect(&[
            "A certified ok",
            "B certified late",
            "C certified overdue",
            "D certified overdue",
        ])
    );
    // Before the due date, what is missing is pending; a completion dated after the evaluation
    // date has not happened yet.
    let before = outcomes(rules, &[("certification.csv", rows)], "2024-01-15");
    assert_eq!(
        before,
        expect(&[
            "A certified pending",
            "B certified pending",
            "C certified pending",
            "D certified pending",
        ])
    );
}

#[test]
fn retention_runs_the_period_from_the_date() {
    let rules = "required keep_forms: retain form for 5 years from date until discarded\n";
    // A keeps its form; B discards it after 3 years; C on the last day of the 5 years; D the day
    // before.
    let forms = "school,date,discarded
A,9/1/2023,
B,9/1/2023,9/1/2026
C,9/1/2023,9/1/2028
D,9/1/2023,8/31/2028
";
    let got = outcomes(rules, &[("form.csv", forms)], AS_OF);
    assert_eq!(
        got,
        expect(&[
            "A keep_forms ok",
            "B keep_forms violation",
            "C keep_forms ok",
            "D keep_forms violation",
        ])
    );
}
