#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The policies for the seed documents beyond REF-1028 (P1471, the PON press release on Disruptive
//! Person Letters, Parents as Equal Partners, the Equitable Enrollment Resolution), each linted on its
//! synthetic sample: the JSON report as a snapshot, plus the figures the documents print.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use mandate::check::check_path;
use mandate::eval::{Evaluation, Explanation, Options, evaluate};
use mandate::report::diagnostics::Style;
use mandate::report::findings::{LintReport, human, json};
use mandate::syntax::Sources;

struct Run {
    sources: Sources,
    ev: Evaluation,
    policy: String,
    guide: String,
    entity_word: String,
    as_of: NaiveDate,
    /// `mandate check` warnings, by code.
    warnings: Vec<String>,
}

fn lint(policy: &str, sample: &str, as_of: NaiveDate) -> Run {
    let (loaded, checked) = check_path(Path::new(policy)).unwrap();
    assert!(!checked.has_errors(), "{policy}: {:#?}", checked.problems);
    let warnings = checked
        .problems
        .iter()
        .map(|p| p.code.to_string())
        .collect();
    let model = checked.model.unwrap();
    let ev = evaluate(
        &model,
        &loaded.sources,
        &[PathBuf::from(sample)],
        &Options::at(as_of),
    );
    assert!(ev.data_errors.is_empty(), "{sample}: {:#?}", ev.data_errors);
    let entity_word = model
        .schema
        .entities()
        .next()
        .map(|(_, e)| format!("{}s", e.name))
        .unwrap();
    Run {
        sources: loaded.sources,
        ev,
        policy: policy.to_string(),
        guide: model.guide.id.clone(),
        entity_word,
        as_of,
        warnings,
    }
}

impl Run {
    fn report(&self) -> LintReport<'_> {
        let mut r = LintReport::new(&self.policy, &self.guide, self.as_of, &self.ev);
        r.entity_word = self.entity_word.clone();
        r
    }
    fn json(&self) -> String {
        json(&self.report())
    }
    fn human(&self) -> String {
        let r = self.report();
        format!(
            "{}{}\n",
            human(&r, &self.sources, Style::plain()),
            r.summary(None)
        )
    }
    fn explain(&self, id: &str) -> &Explanation {
        self.ev
            .explanations
            .iter()
            .find(|x| x.entity == id)
            .unwrap_or_else(|| panic!("no entity {id}"))
    }
    fn measure(&self, id: &str, name: &str) -> String {
        self.explain(id)
            .measures
            .iter()
            .find(|m| m.name == name)
            .unwrap_or_else(|| panic!("no measure {name} for {id}"))
            .value
            .clone()
    }
    /// (errors, warnings, info)
    fn counts(&self) -> (usize, usize, usize) {
        use mandate::check::model::Severity;
        let r = self.report();
        (
            r.count(Severity::Error),
            r.count(Severity::Warning),
            r.count(Severity::Info),
        )
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn dpl_reproduces_the_press_release_figures() {
    let run = lint(
        "policies/lausd/dpl/pon-dpl-2021.policy",
        "samples/dpl",
        date(2021, 8, 18),
    );
    assert!(run.warnings.is_empty(), "{:?}", run.warnings);
    // "The number of DPLs issued declined 67.8% from 2015-2016 to 2017-2018."
    assert_eq!(run.measure("SU", "letters_change"), "-67.8%");
    // "declined from 11% to 4.6%"
    assert_eq!(run.measure("SU", "high_share_earlier"), "11%");
    assert_eq!(run.measure("SU", "high_share_later"), "4.6%");
    // "No principal issued more than 5 letters; previously some principals issued 6 to 11 letters."
    assert_eq!(run.measure("SU", "most_letters_earlier"), "11");
    assert_eq!(run.measure("SU", "most_letters_later"), "5");
    // "Warnings (instead of issuing a DPL) increased by 8%."
    assert_eq!(run.measure("SU", "warnings_change"), "8%");
    let explained = mandate::report::explain::text(run.explain("SU"));
    // The release's district findings are rules per district: they hold for SU, but for the
    // appeal process, which its parents did not use.
    for ok in [
        "letters_declined (warning): ok",
        "high_share_declined (warning): ok",
        "none_above_high_number (warning): ok",
        "warnings_increased (warning): ok",
    ] {
        assert!(explained.contains(ok), "{ok}\n{explained}");
    }
    // One warning per principal and year at 5 or more letters: 12 in 2015-2016, 5 in 2017-2018;
    // and one for the district, whose parents filed no appeal (the rules `per district`).
    assert_eq!(run.counts(), (0, 18, 0));
    insta::assert_snapshot!("dpl_district_explained", explained);
    insta::assert_snapshot!("dpl_lint_json", run.json());
}

#[test]
fn equitable_enrollment_flags_gaps_and_suppresses_small_cells() {
    let run = lint(
        "policies/lausd/equity/res-002-19-20.policy",
        "samples/equitable-enrollment",
        date(2021, 6, 23),
    );
    assert!(run.warnings.is_empty(), "{:?}", run.warnings);
    assert_eq!(run.counts(), (0, 7, 0));
    // G1: 8 students with disabilities is a suppressed cell, flagged on its exact count.
    assert_eq!(
        run.measure("G1", "disability_enrolled"),
        "suppressed (fewer than 10)"
    );
    assert_eq!(
        run.measure("G1", "disability_gap"),
        "suppressed (fewer than 10)"
    );
    assert_eq!(run.measure("G1", "disability_district_share"), "12%");
    // Standard English Learners exactly at the placeholder target: 15% - 10% = 5.0 points.
    assert_eq!(run.measure("G1", "standard_el_gap"), "5%");
    let human = run.human();
    assert!(
        human.contains("disability_gap is suppressed (fewer than 10)"),
        "{human}"
    );
    assert!(!human.contains("standard_el_within_target"), "{human}");
    insta::assert_snapshot!(
        "equity_program_explained",
        mandate::report::explain::text(run.explain("G1"))
    );
    insta::assert_snapshot!("equity_lint_json", run.json());
}

#[test]
fn p1471_lints_its_sample() {
    let run = lint(
        "policies/lausd/board/p1471.policy",
        "samples/p1471",
        date(2024, 2, 16),
    );
    // P1471 has no school year; the header comment of the policy says so.
    assert_eq!(run.warnings, vec!["mandate::check::no-year".to_string()]);
    assert_eq!(run.counts(), (4, 2, 0));
    insta::assert_snapshot!("p1471_lint_human", run.human());
    insta::assert_snapshot!("p1471_lint_json", run.json());
}

#[test]
fn parents_as_equal_partners_lints_its_sample() {
    let run = lint(
        "policies/lausd/pcsb/parents-equal-partners.policy",
        "samples/equal-partners",
        date(2024, 6, 14),
    );
    // The document has no school year; the header comment of the policy says so.
    assert_eq!(run.warnings, vec!["mandate::check::no-year".to_string()]);
    assert_eq!(run.counts(), (0, 14, 0));
    insta::assert_snapshot!("equal_partners_lint_json", run.json());
}
