//! Human output in full: one miette block per finding, pointing at the policy line, with the
//! data row and the guide's words (`lint --details`, and the lint fixtures' snapshots).

use std::fmt::{self, Write as _};

use miette::{Diagnostic, LabeledSpan, SourceCode};

use super::LintReport;
use crate::check::model::Severity;
use crate::eval::Finding;
use crate::report::diagnostics::Style;
use crate::report::source::Indexed;
use crate::syntax::Sources;

/// A finding with the policy text it breaks, for miette.
struct Rendered<'f> {
    f: &'f Finding,
    source: &'f Indexed<'f>,
    help: String,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.f.message)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match &self.f.entity_name {
            Some(n) => format!("{} {} ({n})", self.f.entity_kind, self.f.entity),
            None => format!("{} {}", self.f.entity_kind, self.f.entity),
        };
        // Data reaches this line (ids, names, values): no control character goes out raw.
        write!(
            f,
            "{}",
            crate::report::encode::one_line(&format!("{name}: {}", self.f.message))
        )
    }
}

impl std::error::Error for Rendered<'_> {}

impl Diagnostic for Rendered<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!(
            "{} {}",
            self.f.rule,
            self.f.status.word()
        )))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.f.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(crate::report::encode::lines(&self.help)))
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.f.policy.span;
        // Point at the rule's first line only: the whole rule can be long.
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(format!(
                "{} {}",
                self.f.guide,
                self.f.section.as_deref().unwrap_or("")
            )),
            (span.start, span.len().min(self.first_line_len(span.start))),
        ))))
    }
}

impl Rendered<'_> {
    fn first_line_len(&self, start: usize) -> usize {
        let text = self.source.text();
        text.get(start..)
            .and_then(|t| t.find('\n'))
            .unwrap_or(usize::MAX)
    }
}

/// Human output: one miette block per finding, pointing at the policy line, with the data row.
pub fn human(report: &LintReport<'_>, sources: &Sources, style: Style) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write_human(report, sources, style, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// [`human`], written to `out` block by block.
pub fn write_human(
    report: &LintReport<'_>,
    sources: &Sources,
    style: Style,
    out: &mut impl std::io::Write,
) -> std::io::Result<()> {
    let handler = style.handler();
    let indexed = Indexed::all(sources);
    // One block at a time, in a buffer reused for each.
    let mut block = String::new();
    for e in report.data_errors {
        block.clear();
        let _ = handler.render_report(&mut block, e);
        block.push('\n');
        out.write_all(block.as_bytes())?;
    }
    let mut help = String::new();
    for f in &report.findings {
        help.clear();
        if let Some(d) = &f.data {
            let _ = write!(help, "data: {} {}", d.file, d.location);
        }
        if let Some(q) = &f.quote {
            if !help.is_empty() {
                help.push('\n');
            }
            let _ = write!(help, "guide: \"{q}\"");
        }
        block.clear();
        let rendered = Indexed::of(&indexed, f.policy.span.file).and_then(|source| {
            let r = Rendered {
                f,
                source,
                help: std::mem::take(&mut help),
            };
            let ok = handler.render_report(&mut block, &r).is_ok();
            help = r.help;
            ok.then_some(())
        });
        if rendered.is_none() {
            block.clear();
            let line = format!("{}: {} {}", f.entity, f.rule, f.message);
            let _ = writeln!(block, "{}", crate::report::encode::one_line(&line));
        }
        block.push('\n');
        out.write_all(block.as_bytes())?;
    }
    for (e, c, note) in &report.near {
        let line = format!("near threshold: {e} {c}: {note}");
        writeln!(out, "{}", crate::report::encode::one_line(&line))?;
    }
    // Last, beside the summary, so that it cannot be missed.
    for g in report.gaps {
        writeln!(out, "{}", g.line())?;
    }
    Ok(())
}
