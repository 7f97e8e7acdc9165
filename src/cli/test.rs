//! `mandate test [PATH...]`

use std::path::PathBuf;

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_UNREADABLE};
use crate::policytest::{discover, run_file};

/// Run policy test cases (`*.test.yaml` files beside the policies): a few records each, and the
/// categories, findings and pending items they must give as of a date.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Test files or folders to search (default: `policies`).
    pub paths: Vec<PathBuf>,
}

pub fn run(args: Args) -> u8 {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("policies")]
    } else {
        args.paths
    };
    let files = discover(&paths);
    if files.is_empty() {
        eprintln!(
            "error: no `*.test.yaml` files under {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return EXIT_UNREADABLE;
    }
    // A private folder (mode 0700, an unpredictable name), removed when it is dropped.
    let scratch = match tempfile::Builder::new().prefix("mandate-test-").tempdir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: cannot create a temporary folder: {e}");
            return EXIT_UNREADABLE;
        }
    };
    let (mut passed, mut failed, mut broken) = (0, 0, 0);
    for f in &files {
        let r = run_file(f, scratch.path());
        if let Some(e) = &r.error {
            outln!(
                "ERROR {}: {}",
                f.display(),
                crate::report::encode::one_line(e)
            );
            broken += 1;
            continue;
        }
        for name in &r.passed {
            outln!(
                "ok    {} :: {}",
                f.display(),
                crate::report::encode::one_line(name)
            );
        }
        for (name, diff) in &r.failed {
            outln!(
                "FAIL  {} :: {}\n{}",
                f.display(),
                crate::report::encode::one_line(name),
                crate::report::encode::lines(diff)
            );
        }
        passed += r.passed.len();
        failed += r.failed.len();
    }
    drop(scratch);
    outln!(
        "\n{passed} passed, {failed} failed, {broken} file{} could not run",
        if broken == 1 { "" } else { "s" }
    );
    if broken > 0 {
        EXIT_UNREADABLE
    } else if failed > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}
