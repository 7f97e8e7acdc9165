//! `mandate roster POLICY DATA...`

use std::path::PathBuf;

use chrono::NaiveDate;

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_UNREADABLE};
use crate::lint;
use crate::report::diagnostics::Style;
use crate::report::roster::Roster;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Csv,
    Json,
}

/// List each category's members this school year and the transitions.
///
/// Who continues, who is in a notice year, who qualifies newly (and joins next year), who is
/// reclassified, and who cannot be placed from the data (undetermined; `lint` says why). Schools
/// plainly not in a category are left out.
///
/// Exit 0 when every school is placed; 1 when a membership is undetermined or the data has
/// errors (the list may be incomplete); 2 when the policy cannot be read, a data path is missing
/// or a record the categories need has no data at all.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The year's policy file.
    pub policy: PathBuf,
    /// Data folders or files, as for `lint`.
    #[arg(required = true)]
    pub data: Vec<PathBuf>,
    /// The evaluation date (1/31/2024 or 2024-01-31). Default: today.
    #[arg(long, value_name = "DATE", value_parser = super::lint::parse_date)]
    pub as_of: Option<NaiveDate>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Only these categories (repeatable).
    #[arg(long = "category", value_name = "NAME")]
    pub categories: Vec<String>,
}

pub fn run(args: Args, style: Style) -> u8 {
    let Some((policy, as_of)) = super::load_dated(&args.policy, args.as_of, style) else {
        return EXIT_UNREADABLE;
    };
    let model = &policy.model;
    if !super::data_paths_exist(&args.data) {
        return EXIT_UNREADABLE;
    }
    for c in &args.categories {
        if !model.categories.iter().any(|m| &m.name == c) {
            let names: Vec<&String> = model.categories.iter().map(|m| &m.name).collect();
            match crate::suggest::closest(c, names.iter().copied()) {
                Some(s) => eprintln!("error: no category `{c}` in the policy; did you mean `{s}`?"),
                None => eprintln!("error: no category `{c}` in the policy"),
            }
            return EXIT_UNREADABLE;
        }
    }
    let options = lint::Options {
        explanations: false,
        ..lint::Options::at(as_of)
    };
    let ev = lint::run(&policy, &args.data, &options).evaluation;
    let results: Vec<_> = ev.results.iter().collect();
    let mut roster = Roster::of(&model.guide.id, as_of, &ev.categories, &results);
    if !args.categories.is_empty() {
        roster
            .categories
            .retain(|c| args.categories.contains(&c.name));
    }
    match args.format {
        Format::Human => out!("{}", roster.human()),
        Format::Csv => out!("{}", roster.csv(true)),
        Format::Json => out!("{}", roster.json()),
    }
    for e in ev.data_errors.iter().filter(|e| e.is_error()) {
        eprintln!(
            "data error: {}: {}",
            e.file,
            crate::escape::one_line(&e.message)
        );
    }
    for g in &ev.gaps {
        eprintln!(
            "warning: not read: {}",
            crate::escape::one_line(&g.summary())
        );
    }
    let undetermined = roster
        .categories
        .iter()
        .flat_map(|c| &c.entries)
        .filter(|e| e.member.is_none())
        .count();
    if undetermined > 0 {
        eprintln!(
            "{undetermined} membership{} undetermined: run `mandate lint` for why",
            if undetermined == 1 { "" } else { "s" }
        );
    }
    let data_errors = ev.data_errors.iter().any(|e| e.is_error());
    if ev.gaps.iter().any(|g| g.blocks()) {
        EXIT_UNREADABLE
    } else if undetermined > 0 || data_errors {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}
