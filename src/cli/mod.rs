//! The command line: a thin layer over the library, one file per subcommand.

/// `print!` that never panics: output cut short by the reader (`mandate lint ... | head`) is not
/// an error of ours and is ignored; any other write error (a full disk) is noted by [`written`],
/// and the command exits 2.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        $crate::cli::written(write!(std::io::stdout(), $($arg)*));
    }};
}

/// `println!` that never panics; see [`out!`].
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        $crate::cli::written(writeln!(std::io::stdout(), $($arg)*));
    }};
}

/// The first write error on standard output other than a closed pipe.
static WRITE_ERROR: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// Notes a failed write to standard output; a closed pipe (`| head`) is not a failure.
pub(crate) fn written<T>(result: std::io::Result<T>) {
    if let Err(e) = result
        && e.kind() != std::io::ErrorKind::BrokenPipe
        && let Ok(mut first) = WRITE_ERROR.lock()
        && first.is_none()
    {
        let s = e.to_string();
        *first = Some(s.split(" (os error").next().unwrap_or(&s).to_lowercase());
    }
}

/// The exit code once standard output is flushed: 2, with a message, when any write failed.
fn finish(code: u8) -> u8 {
    use std::io::Write as _;
    written(std::io::stdout().flush());
    match WRITE_ERROR.lock().ok().and_then(|mut e| e.take()) {
        Some(e) => {
            eprintln!("error: cannot write the output: {e}");
            EXIT_UNREADABLE
        }
        None => code,
    }
}

pub mod calendar;
pub mod check;
pub mod diff;
pub mod explain;
pub mod fmt;
pub mod generate;
pub mod lint;
pub mod lsp;
pub mod newyear;
pub mod progress;
pub mod roster;
pub mod test;
pub mod watch;

use std::io::IsTerminal;

use clap::{Parser, Subcommand};

use crate::report::diagnostics::Style;

/// mandate: check school-district policy files and lint district data against them.
#[derive(Debug, Parser)]
#[command(name = "mandate", version, about, long_about = None)]
pub struct Cli {
    /// Never colour the output (also when NO_COLOR is set or the output is not a terminal).
    #[arg(long, global = true)]
    pub no_color: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Check(check::Args),
    Fmt(fmt::Args),
    Lint(lint::Args),
    Explain(explain::Args),
    Roster(roster::Args),
    Gen(generate::Args),
    Calendar(calendar::Args),
    Diff(diff::Args),
    NewYear(newyear::Args),
    Test(test::Args),
    Watch(watch::Args),
    Lsp(lsp::Args),
}

/// Exit codes: 0 clean, 1 error findings or diagnostics, 2 input that could not be read.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_UNREADABLE: u8 = 2;

/// Runs the parsed command line and returns the exit code.
pub fn run(cli: Cli) -> u8 {
    let style = stderr_style(cli.no_color);
    let code = match cli.command {
        Command::Check(a) => check::run(a, style),
        Command::Fmt(a) => fmt::run(a, style),
        Command::Lint(a) => lint::run(a, style),
        Command::Explain(a) => explain::run(a, style),
        Command::Roster(a) => roster::run(a, style),
        Command::Gen(a) => generate::run(a),
        Command::Calendar(a) => calendar::run(a, style),
        Command::Diff(a) => diff::run(a, style),
        Command::NewYear(a) => newyear::run(a, style),
        Command::Test(a) => test::run(a),
        Command::Watch(a) => watch::run(a, style),
        Command::Lsp(a) => lsp::run(a),
    };
    finish(code)
}

pub(crate) fn stderr_style(no_color: bool) -> Style {
    let color =
        !no_color && std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal();
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100);
    Style { color, width }
}

/// Reads and checks a policy ([`crate::lint::load`]); prints its errors. None when it cannot be
/// used.
pub(crate) fn load_model(path: &std::path::Path, style: Style) -> Option<crate::lint::Policy> {
    match crate::lint::load(path) {
        Ok(policy) => Some(policy),
        Err(crate::lint::Error::Unreadable(e)) => {
            eprintln!("{:?}", miette::Report::new(e));
            None
        }
        Err(crate::lint::Error::Invalid { loaded, problems }) => {
            let shown: Vec<_> = problems.into_iter().filter(|p| p.is_error()).collect();
            eprint!(
                "{}",
                crate::report::diagnostics::render(&loaded.sources, &shown, style)
            );
            eprintln!(
                "{}: the policy has errors; run `mandate check` on it",
                path.display()
            );
            None
        }
    }
}

/// [`load_model`], with the evaluation date: `as_of`, or today, with a note when it lies
/// outside the guide's school year ([`lint::date_note`]).
pub(crate) fn load_dated(
    path: &std::path::Path,
    as_of: Option<chrono::NaiveDate>,
    style: Style,
) -> Option<(crate::lint::Policy, chrono::NaiveDate)> {
    let policy = load_model(path, style)?;
    let date = as_of.unwrap_or_else(|| chrono::Local::now().date_naive());
    lint::date_note(&policy.model.guide, as_of, date);
    Some((policy, date))
}

/// `--school` ids the data does not hold, each with a did-you-mean: an error each, so that a
/// typo never reads as a clean run. True when every id is known.
pub(crate) fn known_ids(asked: &[String], ids: &[String]) -> bool {
    let mut ok = true;
    for id in asked {
        if ids.binary_search(id).is_ok() {
            continue;
        }
        ok = false;
        match crate::suggest::closest(id, ids.iter()) {
            Some(c) => eprintln!("error: no entity `{id}` in the data; did you mean `{c}`?"),
            None => eprintln!("error: no entity `{id}` in the data"),
        }
    }
    ok
}

/// Data paths that do not exist: an error each (exit 2 for the caller). True when all exist.
pub(crate) fn data_paths_exist(paths: &[std::path::PathBuf]) -> bool {
    let mut ok = true;
    for p in paths {
        if std::fs::symlink_metadata(p).is_err() {
            eprintln!(
                "error: cannot read `{}`: no such file or folder",
                p.display()
            );
            ok = false;
        }
    }
    ok
}

/// The exit code of `lint` and `explain` (the README's table): 2 when nothing could be checked
/// (no entity, and data errors) or a record the rules need has no data; 1 with an error-severity
/// finding (`errors`, among the findings shown) or a data error; else 0.
pub(crate) fn evaluation_code(ev: &crate::eval::Evaluation, errors: bool) -> u8 {
    let data_errors = ev.data_errors.iter().any(|e| e.is_error());
    if (ev.entities == 0 && data_errors) || ev.gaps.iter().any(|g| g.blocks()) {
        EXIT_UNREADABLE
    } else if errors || data_errors {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}
