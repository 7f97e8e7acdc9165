//! What the lint tests share: check a policy and evaluate it on data through the library pipeline
//! (`mandate::lint`), and render the report the way `mandate lint` does (without the timing, so
//! the text is stable).

#![allow(dead_code, reason = "each test file uses a part of this module")]

use std::path::PathBuf;

use chrono::NaiveDate;
use mandate::check::Loaded;
use mandate::check::model::Model;
use mandate::eval::Evaluation;
use mandate::report::diagnostics::Style;
use mandate::report::findings::{self, LintReport};

pub const POLICY: &str = "policies/lausd/2023-24/ref-1028.19.policy";
pub const SAMPLE: &str = "samples/district";

pub fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A checked policy evaluated on some data.
pub struct Run {
    pub policy: String,
    pub loaded: Loaded,
    pub model: Model,
    pub ev: Evaluation,
    pub as_of: NaiveDate,
    /// The data paths, as given.
    pub data: Vec<String>,
}

/// Checks `policy` (it must have no errors) and evaluates it on `data` as of `as_of`. Paths are
/// relative to the crate root, where cargo runs the tests.
pub fn run(policy: &str, data: &[PathBuf], as_of: NaiveDate) -> Run {
    let checked = match mandate::lint::load(policy.as_ref()) {
        Ok(p) => p,
        Err(mandate::lint::Error::Invalid { loaded, problems }) => panic!(
            "{policy} has errors:\n{}",
            mandate::report::diagnostics::render(&loaded.sources, &problems, Style::plain())
        ),
        Err(e) => panic!("{policy}: {e}"),
    };
    let ev = mandate::lint::run(&checked, data, &mandate::lint::Options::at(as_of)).evaluation;
    let mandate::lint::Policy { loaded, model, .. } = checked;
    Run {
        policy: policy.to_string(),
        loaded,
        model,
        ev,
        as_of,
        data: data.iter().map(|d| d.display().to_string()).collect(),
    }
}

pub fn sample(as_of: &str) -> Run {
    run(POLICY, &[PathBuf::from(SAMPLE)], date(as_of))
}

impl Run {
    /// The report `mandate lint` builds (every severity, every school).
    pub fn report(&self) -> LintReport<'_> {
        let mut r = LintReport::new(&self.policy, &self.model.guide.id, self.as_of, &self.ev);
        if let Some((_, e)) = self.model.schema.entities().next() {
            r.entity_word = format!("{}s", e.name);
        }
        r
    }

    /// `mandate lint --format human`, plain, with the summary line but no elapsed time.
    pub fn human(&self) -> String {
        let r = self.report();
        let mut out = findings::human(&r, &self.loaded.sources, Style::plain());
        out.push_str(&r.summary(None));
        out.push('\n');
        out
    }

    pub fn json(&self) -> String {
        findings::json(&self.report())
    }

    pub fn csv(&self) -> String {
        findings::csv(&self.report())
    }

    pub fn junit(&self) -> String {
        findings::junit(&self.report())
    }

    /// `mandate lint --format html` (the near band at its default).
    pub fn html(&self) -> String {
        let mut r = self.report_near(mandate::cli::lint::HTML_NEAR.exact);
        r.explanations = &self.ev.explanations;
        mandate::report::html::html(&mandate::report::html::Input {
            report: &r,
            model: &self.model,
            near: mandate::cli::lint::HTML_NEAR.points,
            data: &self.data,
        })
    }

    /// [`Run::report`] with the entities within `margin` points of a threshold listed.
    pub fn report_near(&self, margin: mandate::check::model::Ratio) -> LintReport<'_> {
        let mut r = self.report();
        r.near = mandate::eval::near(&self.ev, margin, &[]);
        r
    }

    /// `mandate explain --school ID` as text.
    pub fn explain(&self, id: &str) -> String {
        let x = self
            .ev
            .explanations
            .iter()
            .find(|x| x.entity == id)
            .unwrap_or_else(|| panic!("no explanation for {id}"));
        mandate::report::explain::text(x)
    }

    /// A category's state key (`continuing`, `notice_1_of_2`, ...) and membership for a school.
    pub fn category(&self, id: &str, category: &str) -> (String, Option<bool>) {
        let x = self
            .ev
            .explanations
            .iter()
            .find(|x| x.entity == id)
            .unwrap_or_else(|| panic!("no explanation for {id}"));
        let c = x
            .categories
            .iter()
            .find(|c| c.name == category)
            .unwrap_or_else(|| panic!("{id} has no category {category}"));
        (c.state.key(), c.member)
    }

    /// A rule's outcome for a school, as `explain` prints it: `ok`, `not applicable`, `late`, ...
    pub fn outcome(&self, id: &str, rule: &str) -> String {
        let x = self
            .ev
            .explanations
            .iter()
            .find(|x| x.entity == id)
            .unwrap_or_else(|| panic!("no explanation for {id}"));
        x.rules
            .iter()
            .find(|r| r.rule == rule)
            .unwrap_or_else(|| panic!("{id} has no rule {rule}"))
            .outcome
            .clone()
    }
}

/// `mandate ARGS` run from the crate root, without colour and 100 columns wide, as the CLI tests
/// read it.
pub fn mandate_cli(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_mandate"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .unwrap()
}

/// [`mandate_cli`]'s exit code, standard output and standard error.
pub fn mandate_text(args: &[&str]) -> (i32, String, String) {
    let out = mandate_cli(args);
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}
