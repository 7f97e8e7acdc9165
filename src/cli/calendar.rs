//! `mandate calendar POLICY`

use std::path::PathBuf;

use super::{EXIT_OK, EXIT_UNREADABLE};
use crate::report::diagnostics::Style;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Ics,
    Text,
}

/// Every window and deadline of the year, as iCalendar all-day events (for a principal to import)
/// or text, with the policy's non-school days (school days counted, resolved). Windows set by each
/// school's own calendar are listed apart.
#[derive(Debug, clap::Args)]
pub struct Args {
    pub policy: PathBuf,
    /// Only the windows for this school level (a value of the policy's `level` type).
    #[arg(long)]
    pub level: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

pub fn run(args: Args, style: Style) -> u8 {
    let Some(crate::lint::Policy { model, .. }) = super::load_model(&args.policy, style) else {
        return EXIT_UNREADABLE;
    };
    if let Some(l) = &args.level {
        let known = model
            .schema
            .enums
            .iter()
            .any(|e| e.values.iter().any(|v| v == l));
        if !known {
            let levels: Vec<String> = model
                .schema
                .enums
                .iter()
                .filter(|e| e.name == "level")
                .flat_map(|e| e.values.clone())
                .collect();
            eprintln!(
                "error: `{l}` is not a level of this policy (levels: {})",
                levels.join(", ")
            );
            return EXIT_UNREADABLE;
        }
    }
    let level = args.level.as_deref();
    match args.format {
        Format::Ics => {
            if let Some(why) = crate::report::calendar::unwritable(&model, level) {
                eprintln!("error: cannot write the calendar as iCalendar: {why}");
                return EXIT_UNREADABLE;
            }
            out!("{}", crate::report::calendar::ics(&model, level))
        }
        Format::Text => out!(
            "{}",
            crate::report::encode::lines(&crate::report::calendar::text(&model, level))
        ),
    }
    EXIT_OK
}
