//! The district's shipped policies: every `policies/**/*.policy` checks without an error, and the
//! 2023-24 LAUSD policy's parsed AST and checked model are snapshotted, so any change in what the
//! parser or the checker makes of it shows as a diff.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod checkcommon;

use std::path::{Path, PathBuf};

use mandate::check::check_path;
use mandate::report::diagnostics::{Style, render};
use mandate::syntax::{FileId, parse};

const REF_1028_19: &str = "policies/lausd/2023-24/ref-1028.19.policy";

fn policy_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            policy_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "policy") {
            out.push(p);
        }
    }
}

#[test]
fn every_policy_checks_without_errors() {
    let mut files = Vec::new();
    policy_files(Path::new("policies"), &mut files);
    assert!(!files.is_empty(), "no policy files found under policies/");
    for path in files {
        let (loaded, checked) =
            check_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            !checked.has_errors(),
            "{} has errors:\n{}",
            path.display(),
            render(&loaded.sources, &checked.problems, Style::plain())
        );
    }
}

/// The `load` fuzz target lints against a policy of its own, which only a fuzz run would find
/// broken (CI builds the fuzz crate but does not run it): it checks here with the others.
#[test]
fn the_fuzz_targets_policy_checks() {
    let source = std::fs::read_to_string("fuzz/fuzz_targets/load.rs").unwrap();
    let start = source
        .find("const POLICY: &str = r#\"")
        .expect("the policy constant")
        + "const POLICY: &str = r#\"".len();
    let len = source[start..].find("\"#;").expect("the end of the policy");
    let text = source[start..start + len].to_string();
    let loaded = mandate::check::load_text(Path::new("fuzz.policy"), text);
    let checked = mandate::check::check(&loaded);
    assert!(
        !checked.has_errors() && checked.model.is_some(),
        "the load fuzz target's policy has errors:\n{}",
        render(&loaded.sources, &checked.problems, Style::plain())
    );
}

#[test]
fn ref_1028_19_ast() {
    let text = std::fs::read_to_string(REF_1028_19).unwrap();
    let ast = parse(FileId::default(), &text).unwrap();
    insta::assert_snapshot!(format!("{ast:#?}"));
}

#[test]
fn ref_1028_19_model() {
    let (loaded, checked) = check_path(Path::new(REF_1028_19)).unwrap();
    assert!(
        checked.problems.is_empty(),
        "{}",
        render(&loaded.sources, &checked.problems, Style::plain())
    );
    let model = checked.model.as_ref().unwrap();
    insta::assert_snapshot!(checkcommon::summary(model, &loaded.sources));
}
