//! Policy diagnostics rendered with miette: colour on a terminal, plain text otherwise.

use miette::{GraphicalReportHandler, GraphicalTheme};

use crate::check::Problem;
use crate::syntax::Sources;

/// How to draw diagnostics.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

impl Style {
    /// Plain text at a fixed width: for snapshots and pipes.
    pub fn plain() -> Style {
        Style {
            color: false,
            width: 100,
        }
    }

    pub fn handler(self) -> GraphicalReportHandler {
        let theme = if self.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        // Lines are wrapped at spaces only: a path, a date or a school year is never cut at its
        // `/` or `-`, and wrapping costs a tenth of what finding Unicode break points does.
        GraphicalReportHandler::new_themed(theme)
            .with_width(self.width)
            .with_links(false)
            .with_word_separator(textwrap::WordSeparator::AsciiSpace)
    }
}

/// Renders every problem, in order, each followed by a blank line.
pub fn render(sources: &Sources, problems: &[Problem], style: Style) -> String {
    let handler = style.handler();
    let mut out = String::new();
    for p in problems {
        let rendered = p.with_source(sources);
        if handler.render_report(&mut out, &rendered).is_err() {
            out.push_str(&format!("{}: {}\n", p.location(sources), p.message));
        }
        out.push('\n');
    }
    out
}

/// `2 errors, 1 warning`
pub fn summary(problems: &[Problem]) -> String {
    let errors = problems.iter().filter(|p| p.is_error()).count();
    let warnings = problems.len() - errors;
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}
