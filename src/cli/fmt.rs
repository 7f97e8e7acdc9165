//! `mandate fmt [--check] [FILE...]`

use std::io::Read;
use std::path::PathBuf;

use crate::check::Problem;
use crate::fmt::format_source;
use crate::report::diagnostics::{Style, render};
use crate::syntax::Sources;

/// Format policy files in the canonical layout, keeping comments. With no file, read standard
/// input and write standard output.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Policy files to rewrite in place.
    pub files: Vec<PathBuf>,
    /// Change nothing; exit 1 and name the files that are not formatted.
    #[arg(long)]
    pub check: bool,
}

pub fn run(args: Args, style: Style) -> u8 {
    if args.files.is_empty() {
        let mut text = String::new();
        let limit = crate::limits::POLICY_BYTES;
        if let Err(e) = std::io::stdin()
            .take(limit.saturating_add(1))
            .read_to_string(&mut text)
        {
            eprintln!("error: cannot read standard input: {e}");
            return super::EXIT_UNREADABLE;
        }
        if text.len() as u64 > limit {
            eprintln!(
                "error: cannot read standard input: it holds more than {}, the most a policy may",
                crate::limits::bytes(limit)
            );
            return super::EXIT_UNREADABLE;
        }
        if let Some(why) = crate::safe_fs::control_character(&text) {
            eprintln!("error: cannot read standard input: {why}");
            return super::EXIT_UNREADABLE;
        }
        return match format_one("<stdin>", &text, style) {
            Some(out) => {
                if args.check {
                    if out != text {
                        eprintln!("<stdin> is not formatted");
                        return super::EXIT_FINDINGS;
                    }
                } else {
                    out!("{out}");
                }
                super::EXIT_OK
            }
            None => super::EXIT_FINDINGS,
        };
    }
    let mut code = super::EXIT_OK;
    for path in &args.files {
        let text = match crate::safe_fs::read_text(path, crate::limits::POLICY_BYTES) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", path.display());
                code = code.max(super::EXIT_UNREADABLE);
                continue;
            }
        };
        if let Some(why) = crate::safe_fs::control_character(&text) {
            eprintln!("error: cannot read `{}`: {why}", path.display());
            code = code.max(super::EXIT_UNREADABLE);
            continue;
        }
        let Some(out) = format_one(&path.display().to_string(), &text, style) else {
            code = code.max(super::EXIT_FINDINGS);
            continue;
        };
        if out == text {
            continue;
        }
        if args.check {
            outln!("{}", path.display());
            code = code.max(super::EXIT_FINDINGS);
        } else if let Err(e) = crate::safe_fs::write_atomic(path, out.as_bytes()) {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            code = code.max(super::EXIT_UNREADABLE);
        }
    }
    code
}

fn format_one(name: &str, text: &str, style: Style) -> Option<String> {
    match format_source(text) {
        Ok(out) => Some(out),
        Err(e) => {
            let mut sources = Sources::new();
            sources.add(name, text);
            eprint!("{}", render(&sources, &[Problem::from_syntax(&e)], style));
            None
        }
    }
}
