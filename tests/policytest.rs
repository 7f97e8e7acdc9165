#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `mandate test`: the shipped policy tests pass, and a broken expectation fails readably.

use std::path::PathBuf;

use mandate::policytest::{Select, discover, run_file, run_selected};

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

/// A copy of the broken test file in a scratch folder, with its `policy:` path made absolute.
fn broken_copy(name: &str) -> PathBuf {
    let dir = scratch(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string("tests/fixtures/policytest/broken.test.yaml").unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let text = text.replace("../../../policies", &format!("{root}/policies"));
    let path = dir.join("broken.test.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_failing_case_is_named_with_its_file_and_line() {
    let path = PathBuf::from("tests/fixtures/policytest/broken.test.yaml");
    let r = run_file(&path, &scratch("policytest-line"));
    let (name, _) = &r.failed[0];
    assert_eq!(
        r.location(name),
        "tests/fixtures/policytest/broken.test.yaml:5"
    );
}

#[test]
fn filter_runs_the_cases_whose_name_contains_it() {
    let files = discover(&[PathBuf::from("policies/lausd/2023-24/tests")]);
    let select = Select {
        filter: Some("70%".into()),
        update: false,
    };
    let mut ran = Vec::new();
    let mut left = 0;
    for f in files {
        let r = run_selected(&f, &scratch("policytest-filter"), &select);
        assert!(r.failed.is_empty(), "{:#?}", r.failed);
        ran.extend(r.passed);
        left += r.filtered;
    }
    assert!(left > 10, "{left} left out");
    insta::assert_snapshot!("filter_70", ran.join("\n"));
}

#[test]
fn update_rewrites_the_failing_expectation_and_nothing_else() {
    let path = broken_copy("policytest-update");
    let before = std::fs::read_to_string(&path).unwrap();
    let select = Select {
        filter: None,
        update: true,
    };
    let r = run_selected(&path, &scratch("policytest-update-run"), &select);
    assert!(r.error.is_none(), "{:?}", r.error);
    assert_eq!(r.updated, ["wrongly expects 70% to qualify"]);
    let after = std::fs::read_to_string(&path).unwrap();
    let changed: Vec<String> = before
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, b)| format!("- {a}\n+ {b}"))
        .collect();
    assert_eq!(before.lines().count(), after.lines().count());
    insta::assert_snapshot!("update_diff", changed.join("\n"));
    // The rewritten file passes as it is.
    let again = run_file(&path, &scratch("policytest-update-again"));
    assert_eq!(again.passed.len(), 1, "{:#?}", again.failed);
}
