//! Checker diagnostics, one case per file.
//!
//! - `tests/fixtures/check/ok/*.policy` must give no problem at all; the snapshot is a summary of the
//!   checked model, so a change in what the checker understands shows as a diff.
//! - `tests/fixtures/check/err/*.policy` must give at least one error (a file whose name contains
//!   `warn` at least one warning and no error); the snapshot is the diagnostics exactly as
//!   `mandate check` prints them, without colour, 100 columns wide.
//!
//! Helper files that fixtures include live in `tests/fixtures/check/include/`, which neither glob
//! matches. A new case is a new file; `INSTA_UPDATE=always cargo test --test check` writes its
//! snapshot, which is then read before it is committed. Messages known to be weak are listed in
//! `tests/fixtures/check/KNOWN_BAD.md`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod checkcommon;

use std::path::Path;

use mandate::check::{Checked, Loaded, Severity, check, load};
use mandate::report::diagnostics::{Style, render, summary};

fn run(path: &Path) -> (Loaded, Checked, String) {
    let rel = checkcommon::relative(path);
    let loaded = load(rel).unwrap_or_else(|e| panic!("{}: {e}", rel.display()));
    let checked = check(&loaded);
    let out = render(&loaded.sources, &checked.problems, Style::plain());
    (loaded, checked, out)
}

#[test]
fn ok() {
    insta::glob!("fixtures/check/ok/*.policy", |path| {
        let (loaded, checked, out) = run(path);
        assert!(
            checked.problems.is_empty(),
            "{}: expected no problem, got {}:\n{out}",
            path.display(),
            summary(&checked.problems)
        );
        let model = checked
            .model
            .as_ref()
            .expect("a model when there is no error");
        insta::assert_snapshot!(checkcommon::summary(model, &loaded.sources));
    });
}

#[test]
fn err() {
    insta::glob!("fixtures/check/err/*.policy", |path| {
        let (_, checked, out) = run(path);
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let errors = checked
            .problems
            .iter()
            .filter(|p| p.level == Severity::Error)
            .count();
        let warnings = checked.problems.len() - errors;
        if name.contains("warn") {
            assert!(
                errors == 0 && warnings > 0,
                "{name}: expected warnings and no error, got {}:\n{out}",
                summary(&checked.problems)
            );
        } else {
            assert!(errors > 0, "{name}: expected an error, got none:\n{out}");
        }
        assert!(checked.model.is_none() || errors == 0);
        insta::assert_snapshot!(format!("{out}{}\n", summary(&checked.problems)));
    });
}
