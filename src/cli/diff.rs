//! `mandate diff OLD.policy NEW.policy [--data DIR]`

use std::path::PathBuf;

use chrono::NaiveDate;
use serde::Serialize;

use super::{EXIT_OK, EXIT_UNREADABLE};
use crate::diff::{Change, Impact, Revision, diff, human, impact};
use crate::lint;
use crate::report::diagnostics::Style;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// What changed between two revisions of a policy, in the guide's terms: dates and windows moved,
/// non-school days added or removed, thresholds changed, set members added or removed, rules added
/// or removed, metadata. Reordered or
/// reformatted text is no change. With `--data`, also the schools whose outcome differs.
///
/// Exit 0 (with `--exit-code`: 0 when nothing changed, 1 when something did), 2 when a policy
/// cannot be read or a `--data` path is missing.
#[derive(Debug, clap::Args)]
pub struct Args {
    pub old: PathBuf,
    pub new: PathBuf,
    /// Evaluate both revisions on this data and list the schools whose categories or findings differ.
    #[arg(long)]
    pub data: Vec<PathBuf>,
    /// The evaluation date for `--data` (default: today).
    #[arg(long, value_parser = super::lint::parse_date)]
    pub as_of: Option<NaiveDate>,
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Exit 1 when the revisions differ (a change, or with `--data` a school whose outcome
    /// differs), 0 when they do not, as `git diff --exit-code` does.
    #[arg(long)]
    pub exit_code: bool,
}

#[derive(Serialize)]
struct Json<'a> {
    old: &'a str,
    new: &'a str,
    changes: &'a [Change],
    #[serde(skip_serializing_if = "Option::is_none")]
    impact: Option<&'a [Impact]>,
}

pub fn run(args: Args, style: Style) -> u8 {
    let Some(old) = super::load_model(&args.old, style) else {
        return EXIT_UNREADABLE;
    };
    let Some(new) = super::load_model(&args.new, style) else {
        return EXIT_UNREADABLE;
    };
    let (mo, mn) = (&old.model, &new.model);
    let changes = diff(
        &Revision {
            model: mo,
            sources: &old.loaded.sources,
        },
        &Revision {
            model: mn,
            sources: &new.loaded.sources,
        },
    );
    if !super::data_paths_exist(&args.data) {
        return EXIT_UNREADABLE;
    }
    let impacts = if args.data.is_empty() {
        None
    } else {
        let opts = lint::Options::at(
            args.as_of
                .unwrap_or_else(|| chrono::Local::now().date_naive()),
        );
        let a = lint::run(&old, &args.data, &opts).evaluation;
        let b = lint::run(&new, &args.data, &opts).evaluation;
        Some(impact(&a, &b))
    };
    match args.format {
        Format::Human => {
            out!(
                "{}",
                crate::report::encode::lines(&human(&mo.guide.id, &mn.guide.id, &changes))
            );
            if let Some(imp) = &impacts {
                outln!(
                    "\nimpact on the data ({} school{} differ)",
                    imp.len(),
                    if imp.len() == 1 { "" } else { "s" }
                );
                for i in imp {
                    let line = format!("{}: {}", i.entity, i.changes.join("; "));
                    outln!("  {}", crate::report::encode::one_line(&line));
                }
            }
        }
        Format::Json => {
            let j = Json {
                old: &mo.guide.id,
                new: &mn.guide.id,
                changes: &changes,
                impact: impacts.as_deref(),
            };
            match serde_json::to_string_pretty(&j) {
                Ok(s) => outln!("{s}"),
                Err(e) => eprintln!("error: {e}"),
            }
        }
    }
    let differ = !changes.is_empty() || impacts.as_ref().is_some_and(|i| !i.is_empty());
    if args.exit_code && differ {
        return super::EXIT_FINDINGS;
    }
    EXIT_OK
}
