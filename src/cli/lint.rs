//! `mandate lint POLICY DATA...`

use std::path::PathBuf;
use std::time::Instant;

use chrono::NaiveDate;

use super::EXIT_UNREADABLE;
use crate::check::model::{Ratio, Severity};
use crate::lint;
use crate::report::diagnostics::Style;
use crate::report::findings::{
    Provenance, concise, csv_with, junit, write_human, write_json, write_summary,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Summary first: the entities worst first, counts per rule, findings grouped.
    Human,
    /// One line per finding: `file:line: entity rule status severity: message`.
    Concise,
    /// Everything, with `schema_version` (docs/lint-report.schema.json).
    Json,
    /// A row per finding, data error, gap, near entity and provenance item (`kind` column).
    Csv,
    /// A suite per rule and category, a case per (rule, entity), passes included.
    Junit,
    /// One self-contained page (nothing fetched): pass rates, a school table, plots, drill-downs.
    Html,
}

/// `--severity`: the model's [`Severity`], read by its word (`error`, `warning`, `info`).
pub fn severity_parser() -> impl clap::builder::TypedValueParser<Value = Severity> {
    use clap::builder::TypedValueParser as _;
    let words = [Severity::Error, Severity::Warning, Severity::Info].map(Severity::word);
    clap::builder::PossibleValuesParser::new(words).map(|w| match w.as_str() {
        "error" => Severity::Error,
        "warning" => Severity::Warning,
        // The parser lets only the three words through.
        _ => Severity::Info,
    })
}

/// Lint district data (CSV, YAML, JSON files, or folders of them) against a policy.
///
/// An outcome that rests on data not read (a record with no file, a file skipped or read in part,
/// a column absent, a row skipped) is undetermined, with the reason, never a guess.
///
/// Exit 0 when clean; 1 with error findings, data errors (bad rows are reported and skipped) or a
/// `must` rule undetermined; 2 when the policy cannot be read, a data path is missing, a record the
/// rules need has no data at all, or a `--school` id is not in the data.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The year's policy file.
    pub policy: PathBuf,
    /// Data folders or files; each file holds one record type, named after it (school.csv, ...).
    #[arg(required = true)]
    pub data: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// The evaluation date (1/31/2024 or 2024-01-31); deadlines after it are pending. Default: today.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,
    /// Report only these entities (school ids); repeatable.
    #[arg(long = "school", value_name = "ID")]
    pub schools: Vec<String>,
    /// The least severe findings to show.
    #[arg(long, default_value = "info", value_parser = severity_parser())]
    pub severity: Severity,
    /// Also list entities whose share is within this many percentage points of a category
    /// threshold (e.g. `2%`): the ones whose status may flip next year.
    #[arg(long, value_name = "PERCENT", value_parser = parse_percent)]
    pub near: Option<Margin>,
    /// In CSV output, keep a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
    /// as it is. By default it gets a leading `'`, so a spreadsheet shows it rather than running
    /// it as a formula.
    #[arg(long)]
    pub csv_formulas: bool,
    /// In CSV output, start with a UTF-8 byte order mark, so that Excel reads accents right.
    #[arg(long)]
    pub csv_bom: bool,
    /// In human output, add every finding in full after the summary: the policy line it breaks,
    /// the data row and the guide's words.
    #[arg(long)]
    pub details: bool,
    /// In JSON output, add each entity's measures, and each category's reason and history (a
    /// state's lint takes about 15% longer).
    #[arg(long)]
    pub measures: bool,
    /// Write the report to FILE (replaced whole, never half-written) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// The bytes of the data files `inputs` name for `schema`.
fn data_bytes(schema: &crate::check::model::Schema, inputs: &[PathBuf]) -> u64 {
    let (set, _) = crate::data::discover(schema, inputs);
    set.files
        .iter()
        .filter_map(|(_, p)| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

/// The options that change what a report holds, for its provenance: `severity=info`.
fn provenance_options(args: &Args) -> Vec<String> {
    let mut o = vec![format!("severity={}", args.severity.word())];
    for s in &args.schools {
        o.push(format!("school={s}"));
    }
    if let Some(n) = args.near {
        o.push(format!("near={}%", n.points));
    }
    if args.measures {
        o.push("measures".into());
    }
    o
}

/// `--as-of` and other dates: any spelling a data file may use (`1/31/2024`, `2024-01-31`,
/// `Jan 31, 2024`).
pub fn parse_date(s: &str) -> Result<NaiveDate, crate::data::DateError> {
    crate::data::parse_date(s)
}

/// `--near 2%`: a margin in percentage points, exact for deciding who is near, and as a float for
/// what is printed and plotted.
#[derive(Clone, Copy, Debug)]
pub struct Margin {
    pub points: f64,
    pub exact: Ratio,
}

fn parse_percent(s: &str) -> Result<Margin, String> {
    let t = s.trim().trim_end_matches('%');
    t.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .zip(crate::data::parse_decimal(t))
        .map(|(points, exact)| Margin { points, exact })
        .ok_or_else(|| format!("`{s}` is not a percentage; write e.g. 2%"))
}

/// A note when the evaluation date lies outside the guide's school year: every deadline is then
/// long past or far off. Without `--as-of` (`given` is `None`) that is rarely what was meant; with
/// it, it may be (to see a year's end state), and the note only says so.
pub fn date_note(
    guide: &crate::check::model::GuideInfo,
    given: Option<NaiveDate>,
    as_of: NaiveDate,
) {
    let Some((start, end)) = guide.year_bounds() else {
        return;
    };
    if (start..=end).contains(&as_of) {
        return;
    }
    let us = crate::check::model::us_date;
    let year = format!("{}-{}", start.format("%Y"), end.format("%Y"));
    match given {
        None => eprintln!(
            "note: no --as-of given, so deadlines are judged as of today, {}, which is outside {}'s school year {year}; pass --as-of DATE to judge as of a day in that year",
            us(as_of),
            guide.id,
        ),
        Some(_) => eprintln!(
            "note: --as-of {} is outside {}'s school year {year} ({} to {})",
            us(as_of),
            guide.id,
            us(start),
            us(end),
        ),
    }
}

/// The band around a threshold an HTML report lists, in percentage points, when `--near` does not
/// say.
pub const HTML_NEAR: Margin = Margin {
    points: 2.0,
    exact: Ratio { num: 2, den: 1 },
};

pub fn run(args: Args, style: Style) -> u8 {
    let started = Instant::now();
    let Some((policy, as_of)) = super::load_dated(&args.policy, args.as_of, style) else {
        return EXIT_UNREADABLE;
    };
    let (loaded, model) = (&policy.loaded, &policy.model);
    if !super::data_paths_exist(&args.data) {
        return EXIT_UNREADABLE;
    }
    // Explanations are only shown for `--near`, `--measures` and in HTML, which always lists what
    // is near a threshold, within 2 points unless `--near` says otherwise.
    let html = args.format == Format::Html;
    let near = args.near.or(html.then_some(HTML_NEAR));
    let options = lint::Options {
        explanations: args.measures || html,
        near: near.map(|n| n.exact),
        schools: args.schools.clone(),
        ..lint::Options::at(as_of)
    };
    let progress = super::progress::Progress::start(format!(
        "linting {} of data against {}",
        super::progress::size(data_bytes(&model.schema, &args.data)),
        model.guide.id
    ));
    let outcome = lint::run(&policy, &args.data, &options);
    let ev = &outcome.evaluation;
    progress.finish();
    if !super::known_ids(&args.schools, &ev.ids) {
        return EXIT_UNREADABLE;
    }
    let name = args.policy.display().to_string();
    let mut report = policy.report(&name, &outcome);
    let min = args.severity;
    report.filter(min, |e| {
        args.schools.is_empty() || args.schools.iter().any(|s| s == e)
    });
    if args.measures || html {
        report.explanations = &ev.explanations;
    }
    report.provenance = Some(Provenance::of(
        &loaded.sources,
        ev,
        provenance_options(&args),
    ));
    // With `-o`, the report is made in memory and replaces the file whole.
    let mut file = Vec::new();
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let (mut out, style): (&mut dyn std::io::Write, Style) = match args.output {
        Some(_) => (&mut file, Style::plain()),
        None => (&mut stdout, style),
    };
    // Streamed where the format allows; a closed pipe ends the output quietly, as `out!` does.
    let written = match args.format {
        Format::Human => write_summary(&report, &mut out).and_then(|()| {
            if args.details {
                writeln!(out, "\nEvery finding in full")?;
                write_human(&report, &loaded.sources, style, &mut out)?;
            }
            writeln!(out, "\n{}", report.summary(Some(started.elapsed())))
        }),
        Format::Concise => out.write_all(concise(&report).as_bytes()),
        Format::Json => write_json(&report, &mut out),
        Format::Csv => {
            out.write_all(csv_with(&report, !args.csv_formulas, args.csv_bom).as_bytes())
        }
        Format::Junit => out.write_all(junit(&report).as_bytes()),
        Format::Html => {
            let data: Vec<String> = args.data.iter().map(|d| d.display().to_string()).collect();
            let page = crate::report::html::html(&crate::report::html::Input {
                report: &report,
                model,
                near: near.unwrap_or(HTML_NEAR).points,
                data: &data,
            });
            out.write_all(page.as_bytes())
        }
    };
    super::written(written.and_then(|()| out.flush()));
    drop(stdout);
    if let Some(path) = &args.output
        && let Err(e) = crate::safe_fs::write_atomic(path, &file)
    {
        // `No such file or directory (os error 2) at path ".../.mandate-fmt-x"`: the reason only.
        let why = e.to_string();
        let why = why
            .split(" (os error")
            .next()
            .unwrap_or(&why)
            .to_lowercase();
        eprintln!("error: cannot write `{}`: {why}", path.display());
        return EXIT_UNREADABLE;
    }
    if !matches!(args.format, Format::Human) {
        eprintln!("{}", report.summary(Some(started.elapsed())));
    }
    let code = super::evaluation_code(ev, report.has_errors());
    drop(report);
    crate::eval::drop_in_background(outcome);
    code
}
