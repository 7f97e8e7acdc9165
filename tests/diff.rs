#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `diff` between synthetic revisions (tests/fixtures/diff): dates only, then three changes in
//! meaning, with their impact on the sample district.

use std::path::{Path, PathBuf};

use mandate::check::{Loaded, check_path, model::Model};
use mandate::diff::{Area, Change, ChangeKind, Revision, diff, human, impact};
use mandate::eval::{Options, evaluate};

fn load(name: &str) -> (Loaded, Model) {
    let (l, c) = check_path(&Path::new("tests/fixtures/diff").join(name)).unwrap();
    assert!(!c.has_errors(), "{name}: {:?}", c.problems);
    (l, c.model.unwrap())
}

fn changes(a: &str, b: &str) -> Vec<Change> {
    let (la, ma) = load(a);
    let (lb, mb) = load(b);
    diff(
        &Revision {
            model: &ma,
            sources: &la.sources,
        },
        &Revision {
            model: &mb,
            sources: &lb.sources,
        },
    )
}

#[test]
fn a_revision_is_no_change_from_itself() {
    assert_eq!(changes("r1.policy", "r1.policy"), vec![]);
}

#[test]
fn dates_only_revision_diffs_to_exactly_the_dates() {
    let c = changes("r1.policy", "r2-dates.policy");
    let areas: Vec<(Area, &str)> = c.iter().map(|c| (c.area, c.what.as_str())).collect();
    assert_eq!(
        areas,
        vec![
            (Area::Guide, "id"),
            (Area::Guide, "issued"),
            (Area::Guide, "replaces"),
            (Area::Guide, "year"),
            (Area::Date, "const norm_day"),
            (
                Area::Window,
                "window first_conference when level == elementary"
            ),
            (
                Area::Window,
                "window second_conference when level == elementary"
            ),
            (Area::Deadline, "deadline certify_semester_1"),
            (Area::Deadline, "deadline certify_semester_2"),
        ],
        "reordered statements, reordered set members and reformatted measures are no change"
    );
    insta::assert_snapshot!("dates_only", human("REF-0000.01", "REF-0000.02", &c));
}

#[test]
fn threshold_exclusion_and_new_rule_show_by_name_with_impact() {
    let c = changes("r2-dates.policy", "r3-changes.policy");
    let find = |area: Area, what: &str| {
        c.iter()
            .find(|x| x.area == area && x.what.starts_with(what))
            .cloned()
    };
    let t = find(Area::Threshold, "category PHBAO").expect("threshold change");
    assert_eq!(
        (t.old.as_deref(), t.new.as_deref()),
        (Some("hbao_share > 70%"), Some("hbao_share > 65%"))
    );
    let s = find(Area::Set, "set nonresident").expect("set change");
    assert!(s.what.contains("removed special_day_class"), "{}", s.what);
    let r = find(Area::Rule, "rule not_on_event_day").expect("new rule");
    assert_eq!(r.change, ChangeKind::Added);

    let (la, ma) = load("r2-dates.policy");
    let (lb, mb) = load("r3-changes.policy");
    let data = [PathBuf::from("samples/district")];
    let opts = Options::at(chrono::NaiveDate::from_ymd_opt(2024, 2, 15).unwrap());
    let before = evaluate(&ma, &la.sources, &data, &opts);
    let after = evaluate(&mb, &lb.sources, &data, &opts);
    let imp = impact(&before, &after);
    let text: Vec<String> = imp
        .iter()
        .map(|i| format!("{}: {}", i.entity, i.changes.join("; ")))
        .collect();
    // E18 is exactly at 70.0%: not PHBAO at > 70%, PHBAO at > 65%.
    assert!(
        text.iter()
            .any(|t| t.starts_with("E18: PHBAO: reclassified")),
        "{text:#?}"
    );
    // Conferences on Open House / Back-to-School days are findings only under the new rule.
    assert!(
        text.iter()
            .any(|t| t.starts_with("E06: new finding not_on_event_day")),
        "{text:#?}"
    );
    insta::assert_snapshot!(
        "impact",
        format!(
            "{}\n{}",
            human("REF-0000.02", "REF-0000.03", &c),
            text.join("\n")
        )
    );
}

/// Constants that are not dates are listed under their own heading, shown as values of their type
/// (`5%`, not `0.05`), and compared exactly (`0.01%` to `0.012%` is a change even where both show
/// as `0.01%`).
#[test]
fn constants_are_compared_exactly_and_shown_by_type() {
    let c = changes("c1-constants.policy", "c2-constants.policy");
    let tiny = c.iter().find(|x| x.what == "const tiny_share");
    assert!(tiny.is_some(), "{c:#?}");
    let same = c.iter().find(|x| x.what == "const same_value");
    assert!(same.is_none(), "0.5 and 0.50 are the same value: {same:?}");
    insta::assert_snapshot!("constants", human("REF-0000.11", "REF-0000.12", &c));
}

/// Every kind of change to a rule: a deadline added or removed shows its due date, a deadline
/// whose verb changes says its due date, a rule renamed with the same body is one change
/// (`renamed`), and applicability is the section's `for` and the rule's, whole.
#[test]
fn rule_changes_of_every_kind_show_due_dates_renames_and_whole_conditions() {
    let c = changes("k1-kinds.policy", "k2-kinds.policy");
    let renamed: Vec<&Change> = c
        .iter()
        .filter(|x| x.change == ChangeKind::Renamed)
        .collect();
    assert_eq!(renamed.len(), 1, "{c:#?}");
    assert_eq!(renamed[0].old.as_deref(), Some("first_in_window"));
    assert_eq!(
        renamed[0].new.as_deref(),
        Some("first_conference_in_window")
    );
    insta::assert_snapshot!("rule_kinds", human("REF-0000.01", "REF-0000.21", &c));
    insta::assert_json_snapshot!("rule_kinds_json", c);
}
