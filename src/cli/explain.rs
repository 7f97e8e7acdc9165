//! `mandate explain POLICY DATA... --school ID`

use std::path::PathBuf;

use chrono::NaiveDate;

use super::EXIT_UNREADABLE;
use crate::report::diagnostics::Style;

/// Explain how the policy decides for one school: every measure with its inputs, each category
/// with the years behind it, each rule's outcome, and the distance to each threshold.
///
/// Exits as lint would for these schools: 0 clean, 1 with an error finding or data errors, 2 when
/// the policy cannot be read, a data path or a school is missing, or a record the rules need has
/// no data at all.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The year's policy file.
    pub policy: PathBuf,
    /// Data folders or files, as for `lint`.
    #[arg(required = true)]
    pub data: Vec<PathBuf>,
    /// The entity (school id) to explain; repeatable.
    #[arg(long = "school", value_name = "ID", required = true)]
    pub schools: Vec<String>,
    /// The evaluation date (1/31/2024 or 2024-01-31); deadlines after it are pending. Default: today.
    #[arg(long, value_name = "DATE", value_parser = super::lint::parse_date)]
    pub as_of: Option<NaiveDate>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args, style: Style) -> u8 {
    let Some((policy, as_of)) = super::load_dated(&args.policy, args.as_of, style) else {
        return EXIT_UNREADABLE;
    };
    let ev = crate::lint::run(&policy, &args.data, &crate::lint::Options::at(as_of)).evaluation;
    if !super::known_ids(&args.schools, &ev.ids) {
        return EXIT_UNREADABLE;
    }
    let mut found = Vec::new();
    for id in &args.schools {
        match ev.explanations.iter().find(|x| &x.entity == id) {
            Some(x) => found.push(x),
            None => {
                eprintln!("error: no entity `{id}` in the data");
                return EXIT_UNREADABLE;
            }
        }
    }
    if args.json {
        match serde_json::to_string_pretty(&found) {
            Ok(s) => outln!("{s}"),
            Err(e) => eprintln!("error: {e}"),
        }
    } else {
        for (i, x) in found.iter().enumerate() {
            if i > 0 {
                outln!();
            }
            out!(
                "{}",
                crate::report::encode::lines(&crate::report::explain::text(x))
            );
        }
    }
    // As lint would exit for these entities.
    let failing = ev.findings.iter().any(|f| {
        f.severity == crate::check::model::Severity::Error && args.schools.contains(&f.entity)
    });
    super::evaluation_code(&ev, failing)
}
