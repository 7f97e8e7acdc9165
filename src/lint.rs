//! The lint pipeline, as a library: a policy file is read and checked ([`load`]), data is
//! evaluated against it ([`run`]), and the report's facts are gathered ([`Policy::report`]).
//! `mandate lint`, `watch`, `explain`, `roster`, `test` and `diff --data` all go through it and
//! differ only in what they print.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use mandate::lint;
//! let policy = lint::load("policies/lausd/2023-24/ref-1028.19.policy".as_ref())?;
//! let as_of = chrono::NaiveDate::from_ymd_opt(2024, 2, 15).ok_or("date")?;
//! let outcome = lint::run(&policy, &["samples/district".into()], &lint::Options::at(as_of));
//! let report = policy.report("ref-1028.19.policy", &outcome);
//! println!("{}", report.summary(None));
//! # Ok(())
//! # }
//! ```

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::check::model::{Model, Ratio};
use crate::check::{Loaded, Problem, ReadError, check_path};
use crate::eval::{self, Evaluation, Mode};
use crate::report::findings::LintReport;

/// A policy read and checked, without errors: its files, every problem found (warnings), and
/// its model.
#[derive(Debug)]
pub struct Policy {
    pub loaded: Loaded,
    pub problems: Vec<Problem>,
    pub model: Model,
}

/// Why a policy cannot be linted against.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The policy file cannot be read.
    #[error(transparent)]
    Unreadable(#[from] ReadError),
    /// The policy has errors: its files and every problem found.
    #[error("the policy has errors")]
    Invalid {
        loaded: Box<Loaded>,
        problems: Vec<Problem>,
    },
}

/// Reads the policy at `path` with its includes and checks it.
pub fn load(path: &Path) -> Result<Policy, Error> {
    let (loaded, checked) = check_path(path)?;
    match checked.model {
        Some(model) => Ok(Policy {
            loaded,
            problems: checked.problems,
            model,
        }),
        None => Err(Error::Invalid {
            loaded: Box::new(loaded),
            problems: checked.problems,
        }),
    }
}

/// How to lint.
#[derive(Clone, Debug)]
pub struct Options {
    /// The evaluation date: deadlines after it are pending, before it overdue.
    pub as_of: NaiveDate,
    /// Build each entity's explanation (`explain`, `--measures`, HTML); [`Options::near`] needs
    /// them too. Without, a lint costs less time and memory.
    pub explanations: bool,
    /// A record no file holds is an empty table and an absent field is empty (policy tests);
    /// otherwise what is not read leaves its outcomes undetermined.
    pub absent_is_empty: bool,
    /// List the entities within this many percentage points of a category's threshold.
    pub near: Option<Ratio>,
    /// Only these entities (`--school`) in the near list; all when empty.
    pub schools: Vec<String>,
}

impl Options {
    /// Lint as of `as_of`, with explanations, nothing near listed.
    pub fn at(as_of: NaiveDate) -> Options {
        Options {
            as_of,
            explanations: true,
            absent_is_empty: false,
            near: None,
            schools: Vec::new(),
        }
    }
}

/// What a lint gives: the evaluation, and the entities near a threshold when asked for.
#[derive(Debug)]
pub struct Outcome {
    pub as_of: NaiveDate,
    pub evaluation: Evaluation,
    /// (entity, category, the condition and its distance), as [`eval::near`] gives them.
    pub near: Vec<(String, String, String)>,
}

/// Evaluates the data `inputs` name (folders or files) against `policy`.
pub fn run(policy: &Policy, inputs: &[PathBuf], options: &Options) -> Outcome {
    let mode = Mode {
        explanations: options.explanations || options.near.is_some(),
        ..Mode::default()
    };
    let evaluation = eval::evaluate_with(
        &policy.model,
        &policy.loaded.sources,
        inputs,
        &eval::Options {
            as_of: options.as_of,
            absent_is_empty: options.absent_is_empty,
        },
        mode,
    );
    let near = match options.near {
        Some(margin) => eval::near(&evaluation, margin, &options.schools),
        None => Vec::new(),
    };
    Outcome {
        as_of: options.as_of,
        evaluation,
        near,
    }
}

impl Policy {
    /// The report of `outcome`, for every format: the guide, its title, what its entities are
    /// called, and the near list. `name` is how the report names the policy file.
    pub fn report<'a>(&'a self, name: &'a str, outcome: &'a Outcome) -> LintReport<'a> {
        let mut report = LintReport::new(
            name,
            &self.model.guide.id,
            outcome.as_of,
            &outcome.evaluation,
        );
        report.title = self.model.guide.title.clone();
        if let Some(e) = self.model.main_entity() {
            report.entity_word = format!("{}s", e.name);
        }
        report.near = outcome.near.clone();
        report
    }
}
