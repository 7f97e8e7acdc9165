//! The revision lifecycle: next year's revision is started with `mandate new-year`, its dates are
//! revised, and its changes to shared definitions are made in its own file (`replace`), so the
//! published 2023-24 revision keeps its meaning. An edit to the shared file itself is caught by
//! the 2023-24 revision's pin.
//!
//! The 2024-25 revision is `tests/fixtures/lifecycle/2024-25/ref-1028.20.policy`: what `new-year`
//! wrote, with its dates revised and a type, a set and a record changed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

use std::path::Path;
use std::process::{Command, Output};

const OLD: &str = "policies/lausd/2023-24/ref-1028.19.policy";
const NEW: &str = "tests/fixtures/lifecycle/2024-25/ref-1028.20.policy";

fn mandate_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mandate"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .unwrap()
}

fn mandate(args: &[&str]) -> Output {
    mandate_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// Exit code, standard output and standard error, as one text for a snapshot.
fn shown(out: &Output) -> String {
    format!(
        "exit {}\n--- stdout\n{}--- stderr\n{}",
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A copy of the LAUSD policies (the yearly folder and the shared one) in a temporary folder.
fn copy_lausd() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["2023-24", "common"] {
        let to = dir.path().join("lausd").join(sub);
        std::fs::create_dir_all(&to).unwrap();
        for e in std::fs::read_dir(Path::new("policies/lausd").join(sub)).unwrap() {
            let e = e.unwrap();
            if e.path().extension().is_some_and(|x| x == "policy") {
                std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
            }
        }
    }
    dir
}

#[test]
fn new_year_on_ref_1028_19_lists_exactly_the_dates_to_revise() {
    let dir = copy_lausd();
    let out = mandate_in(
        dir.path(),
        &[
            "new-year",
            "lausd/2023-24/ref-1028.19.policy",
            "--year",
            "2024-2025",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    let written = dir.path().join("lausd/2024-25/ref-1028.20.policy");
    let new = std::fs::read_to_string(&written).unwrap();
    let old = std::fs::read_to_string(OLD).unwrap();
    // Only the guide's number, `replaces` and `year` change; every date is left for review.
    let changed: Vec<String> = old
        .lines()
        .zip(new.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, b)| format!("- {a}\n+ {b}"))
        .collect();
    assert_eq!(old.lines().count(), new.lines().count());
    insta::assert_snapshot!("new_year_changes", changed.join("\n"));
    insta::assert_snapshot!("new_year_output", shown(&out));
    // A second run never overwrites the first.
    let again = mandate_in(
        dir.path(),
        &[
            "new-year",
            "lausd/2023-24/ref-1028.19.policy",
            "--year",
            "2024-2025",
        ],
    );
    assert_eq!(again.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&written).unwrap(), new);
}

#[test]
fn the_published_revision_keeps_its_meaning_and_diff_shows_the_change() {
    // Both revisions check clean: the 2023-24 pin of the shared file holds, and the 2024-25
    // changes to shared definitions are its own.
    for p in [OLD, NEW] {
        let out = mandate(&["check", p]);
        assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("ok (0 errors, 0 warnings)"),
            "{}",
            shown(&out)
        );
    }
    // The 2023-24 policy tests still pass.
    let out = mandate(&["test", "policies/lausd/2023-24"]);
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
    let out = mandate(&["diff", OLD, NEW]);
    insta::assert_snapshot!("diff_human", shown(&out));
    let out = mandate(&["diff", OLD, NEW, "--format", "json"]);
    insta::assert_snapshot!("diff_json", shown(&out));
}

#[test]
fn editing_the_shared_file_for_next_year_is_caught_by_last_years_pin() {
    // The change the 2024-25 revision makes with `replace`, made the old way, in the shared file.
    let dir = copy_lausd();
    let common = dir.path().join("lausd/common/lausd.policy");
    let text = std::fs::read_to_string(&common).unwrap();
    let edited = text.replace(
        "type conference_number = {first, second}",
        "type conference_number = {first, second, third}",
    );
    assert_ne!(text, edited);
    std::fs::write(&common, edited).unwrap();
    let out = mandate_in(dir.path(), &["check", "lausd/2023-24/ref-1028.19.policy"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("shared_file_edited", shown(&out));
    // A new comment, or a new layout, is no change of meaning: the pin holds.
    std::fs::write(&common, format!("// reviewed for 2024-25\n{text}")).unwrap();
    let out = mandate_in(dir.path(), &["check", "lausd/2023-24/ref-1028.19.policy"]);
    assert_eq!(out.status.code(), Some(0), "{}", shown(&out));
}
