#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `mandate test`: the shipped policy tests pass, and a broken expectation fails readably.

use std::path::PathBuf;

use mandate::policytest::{discover, run_file};

fn scratch(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name)
}

#[test]
fn shipped_policy_tests_pass() {
    let files = discover(&[PathBuf::from("policies")]);
    assert!(files.len() >= 4, "{files:?}");
    let mut cases = 0;
    for f in files {
        let r = run_file(&f, &scratch("policytest-shipped"));
        assert!(r.error.is_none(), "{}: {:?}", f.display(), r.error);
        assert!(r.failed.is_empty(), "{}: {:#?}", f.display(), r.failed);
        cases += r.passed.len();
    }
    assert!(cases >= 20, "{cases} cases");
}

#[test]
fn a_broken_expectation_fails_with_expected_and_actual_side_by_side() {
    let r = run_file(
        &PathBuf::from("tests/fixtures/policytest/broken.test.yaml"),
        &scratch("policytest-broken"),
    );
    assert!(r.error.is_none(), "{:?}", r.error);
    assert!(r.passed.is_empty());
    let (name, diff) = &r.failed[0];
    insta::assert_snapshot!("broken", format!("{name}\n{diff}"));
}
