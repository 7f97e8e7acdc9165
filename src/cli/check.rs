//! `mandate check FILE...`

use std::path::PathBuf;

use crate::check::check_path;
use crate::report::diagnostics::{Style, render, summary};

/// Check policy files: syntax, names, types, dates, windows and deadlines, before any data is read.
///
/// Exit 0 when clean (warnings allowed), 1 on errors, 2 when a file cannot be read.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Policy files (`.policy`); each is checked with its includes.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print nothing but diagnostics.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(args: Args, style: Style) -> u8 {
    let mut code = super::EXIT_OK;
    for path in &args.files {
        match check_path(path) {
            Err(e) => {
                eprintln!("{:?}", miette::Report::new(e));
                code = code.max(super::EXIT_UNREADABLE);
            }
            Ok((loaded, checked)) => {
                eprint!("{}", render(&loaded.sources, &checked.problems, style));
                if checked.has_errors() {
                    code = code.max(super::EXIT_FINDINGS);
                }
                if !args.quiet {
                    let verdict = if checked.has_errors() { "failed" } else { "ok" };
                    eprintln!(
                        "{}: {verdict} ({})",
                        path.display(),
                        summary(&checked.problems)
                    );
                }
            }
        }
    }
    code
}
