//! `mandate test [PATH...]`

use std::path::PathBuf;

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_UNREADABLE};
use crate::policytest::{Select, discover, run_selected};

/// Run policy test cases (`*.test.yaml` files beside the policies): a few records each, and the
/// categories, findings and pending items they must give as of a date.
///
/// A failing case is named with its file and line, expected and actual side by side. The format
/// is in README.md ("Policy tests").
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Test files or folders to search (default: `policies`).
    pub paths: Vec<PathBuf>,
    /// Run only the cases whose name contains this text (any case).
    #[arg(long, value_name = "NAME")]
    pub filter: Option<String>,
    /// Rewrite the `expect:` of each failing case to what the policy gives now (same entities and
    /// keys; review the change with `git diff`).
    #[arg(long)]
    pub update: bool,
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
    let select = Select {
        filter: args.filter.clone(),
        update: args.update,
    };
    let (mut passed, mut failed, mut broken, mut updated, mut filtered) = (0, 0, 0, 0, 0);
    for f in &files {
        let r = run_selected(f, scratch.path(), &select);
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
        for name in &r.updated {
            outln!(
                "UPDATED {} :: {}",
                r.location(name),
                crate::report::encode::one_line(name)
            );
        }
        for (name, diff) in &r.failed {
            outln!(
                "FAIL  {} :: {}\n{}",
                r.location(name),
                crate::report::encode::one_line(name),
                crate::report::encode::lines(diff)
            );
        }
        passed += r.passed.len();
        failed += r.failed.len();
        updated += r.updated.len();
        filtered += r.filtered;
    }
    drop(scratch);
    let mut summary = format!("\n{passed} passed, {failed} failed");
    if args.update {
        summary.push_str(&format!(", {updated} updated"));
    }
    if args.filter.is_some() {
        summary.push_str(&format!(", {filtered} filtered out"));
    }
    outln!(
        "{summary}, {broken} file{} could not run",
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
