//! Lint findings in every output format: human (miette), JSON, CSV, JUnit XML.

use std::fmt::{self, Write as _};

use miette::{Diagnostic, LabeledSpan, SourceCode};
use serde::Serialize;

use super::diagnostics::Style;
use super::source::Indexed;
use crate::check::model::Severity;
use crate::data::DataError;
use crate::eval::{Evaluation, Finding, Gap, Status};
use crate::syntax::Sources;

/// What a lint run reports, after filtering.
pub struct LintReport<'a> {
    pub policy: &'a str,
    pub guide: &'a str,
    pub as_of: chrono::NaiveDate,
    pub findings: Vec<&'a Finding>,
    pub data_errors: &'a [DataError],
    /// Data not read, and what it left undetermined.
    pub gaps: &'a [Gap],
    pub entities: usize,
    /// Entities per kind, when there are several: `[("school", 5), ("district", 2)]`.
    pub by_kind: Vec<(String, usize)>,
    /// What the entities are, plural: `schools`.
    pub entity_word: String,
    pub rows: u64,
    /// Entities near a threshold (`--near`): (entity, category, note).
    pub near: Vec<(String, String, String)>,
}

impl<'a> LintReport<'a> {
    pub fn new(
        policy: &'a str,
        guide: &'a str,
        as_of: chrono::NaiveDate,
        ev: &'a Evaluation,
    ) -> Self {
        LintReport {
            policy,
            guide,
            as_of,
            findings: ev.findings.iter().collect(),
            data_errors: &ev.data_errors,
            gaps: &ev.gaps,
            entities: ev.entities,
            by_kind: ev.by_kind.clone(),
            entity_word: "entities".into(),
            rows: ev.rows,
            near: Vec::new(),
        }
    }

    pub fn count(&self, s: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == s).count()
    }

    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }

    /// Findings whose outcome cannot be decided from the data.
    pub fn undetermined(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.status == Status::Undetermined)
            .count()
    }

    /// `43 schools`, or `5 schools and 2 districts`.
    fn checked(&self) -> String {
        if self.by_kind.len() < 2 {
            return format!("{} {}", self.entities, self.entity_word);
        }
        let parts: Vec<String> = self
            .by_kind
            .iter()
            .map(|(k, n)| format!("{n} {k}{}", if *n == 1 { "" } else { "s" }))
            .collect();
        match parts.split_last() {
            Some((last, init)) if !init.is_empty() => format!("{} and {last}", init.join(", ")),
            _ => parts.join(""),
        }
    }

    /// `43 schools checked: 14 errors, 11 warnings, 35 info`
    pub fn summary(&self, elapsed: Option<std::time::Duration>) -> String {
        let data = self.data_errors.iter().filter(|e| e.is_error()).count();
        let mut s = format!(
            "{} checked: {} error{}, {} warning{}, {} info",
            self.checked(),
            self.count(Severity::Error),
            if self.count(Severity::Error) == 1 {
                ""
            } else {
                "s"
            },
            self.count(Severity::Warning),
            if self.count(Severity::Warning) == 1 {
                ""
            } else {
                "s"
            },
            self.count(Severity::Info),
        );
        let undetermined = self.undetermined();
        if undetermined > 0 {
            let _ = write!(s, "; {undetermined} undetermined");
        }
        if data > 0 {
            let _ = write!(s, "; {data} data error{}", if data == 1 { "" } else { "s" });
        }
        if !self.gaps.is_empty() {
            let _ = write!(
                s,
                "; {} gap{} in the data",
                self.gaps.len(),
                if self.gaps.len() == 1 { "" } else { "s" }
            );
        }
        let _ = write!(s, " (as of {}", crate::check::model::us_date(self.as_of));
        if let Some(t) = elapsed {
            let _ = write!(s, ", {:.2}s", t.as_secs_f64());
        }
        s.push(')');
        s
    }
}

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
            super::encode::one_line(&format!("{name}: {}", self.f.message))
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
        Some(Box::new(super::encode::lines(&self.help)))
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
            let _ = writeln!(block, "{}", super::encode::one_line(&line));
        }
        block.push('\n');
        out.write_all(block.as_bytes())?;
    }
    for (e, c, note) in &report.near {
        let line = format!("near threshold: {e} {c}: {note}");
        writeln!(out, "{}", super::encode::one_line(&line))?;
    }
    // Last, beside the summary, so that it cannot be missed.
    for g in report.gaps {
        writeln!(
            out,
            "{}: {}",
            if g.blocks() {
                "error: no data"
            } else {
                "warning: not read"
            },
            g.summary()
        )?;
    }
    Ok(())
}

#[derive(Serialize)]
struct JsonReport<'a> {
    policy: &'a str,
    guide: &'a str,
    as_of: String,
    summary: JsonSummary,
    findings: &'a [&'a Finding],
    data_errors: Vec<JsonDataError<'a>>,
    gaps: &'a [Gap],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    near: Vec<JsonNear<'a>>,
}

#[derive(Serialize)]
struct JsonSummary {
    entities: usize,
    errors: usize,
    warnings: usize,
    info: usize,
    undetermined: usize,
    data_errors: usize,
}

#[derive(Serialize)]
struct JsonDataError<'a> {
    severity: &'static str,
    code: &'static str,
    file: &'a str,
    location: Option<&'a str>,
    column: Option<&'a str>,
    message: &'a str,
    help: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonNear<'a> {
    entity: &'a str,
    category: &'a str,
    note: &'a str,
}

/// JSON: stable field names (documented in the README), deterministic order.
pub fn json(report: &LintReport<'_>) -> String {
    let mut out = Vec::new();
    match write_json(report, &mut out) {
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(e) => format!("{{\"error\": \"{e}\"}}\n"),
    }
}

/// [`json`], written as it is made (a state's report is megabytes: no copy of it is held).
pub fn write_json(report: &LintReport<'_>, out: &mut impl std::io::Write) -> std::io::Result<()> {
    let j = JsonReport {
        policy: report.policy,
        guide: report.guide,
        as_of: report.as_of.format("%Y-%m-%d").to_string(),
        summary: JsonSummary {
            entities: report.entities,
            errors: report.count(Severity::Error),
            warnings: report.count(Severity::Warning),
            info: report.count(Severity::Info),
            undetermined: report.undetermined(),
            data_errors: report.data_errors.iter().filter(|e| e.is_error()).count(),
        },
        findings: &report.findings,
        data_errors: report
            .data_errors
            .iter()
            .map(|e| JsonDataError {
                severity: if e.is_error() { "error" } else { "warning" },
                code: e.kind.code(),
                file: &e.file,
                location: e.location.as_deref(),
                column: e.column.as_deref(),
                message: &e.message,
                help: e.help.as_deref(),
            })
            .collect(),
        gaps: report.gaps,
        near: report
            .near
            .iter()
            .map(|(e, c, n)| JsonNear {
                entity: e,
                category: c,
                note: n,
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &j)?;
    out.write_all(b"\n")
}

/// CSV: one row per finding, then one per data error (entity kind `data`, status
/// `data_error`) and one per gap in the data (status `not_read`), so that a spreadsheet carries
/// what the findings rest on.
pub fn csv(report: &LintReport<'_>) -> String {
    csv_with(report, true)
}

/// CSV; with `guard`, a cell a spreadsheet would run as a formula is neutralised
/// ([`super::encode::csv_cell`]).
pub fn csv_with(report: &LintReport<'_>, guard: bool) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    // Every row, findings, data errors and gaps alike, through the guard.
    let write = |w: &mut ::csv::Writer<Vec<u8>>, cells: [&str; 13]| {
        let cells = cells.map(|c| match guard {
            true => super::encode::csv_cell(c),
            false => c.into(),
        });
        let _ = w.write_record(cells.iter().map(|c| c.as_bytes()));
    };
    let _ = w.write_record([
        "entity_kind",
        "entity",
        "entity_name",
        "rule",
        "severity",
        "status",
        "message",
        "section",
        "guide",
        "policy_file",
        "policy_line",
        "data_file",
        "data_location",
    ]);
    for f in &report.findings {
        let line = f.policy.line.to_string();
        let cells = [
            f.entity_kind.as_str(),
            &f.entity,
            f.entity_name.as_deref().unwrap_or(""),
            &f.rule,
            f.severity.word(),
            f.status.word(),
            &f.message,
            f.section.as_deref().unwrap_or(""),
            &f.guide,
            &f.policy.file,
            &line,
            f.data.as_ref().map(|d| d.file.as_str()).unwrap_or(""),
            f.data.as_ref().map(|d| d.location.as_str()).unwrap_or(""),
        ];
        write(&mut w, cells);
    }
    for e in report.data_errors {
        let message = match &e.help {
            Some(h) => format!("{} (help: {h})", e.message),
            None => e.message.clone(),
        };
        let location = match (&e.location, &e.column) {
            (Some(l), Some(c)) if l.starts_with("line ") => format!("{l}, column {c}"),
            (Some(l), _) => l.clone(),
            (None, Some(c)) => format!("column {c}"),
            (None, None) => String::new(),
        };
        write(
            &mut w,
            [
                "data",
                "",
                "",
                e.kind.code(),
                if e.is_error() { "error" } else { "warning" },
                "data_error",
                &message,
                "",
                report.guide,
                "",
                "",
                &e.file,
                &location,
            ],
        );
    }
    for g in report.gaps {
        write(
            &mut w,
            [
                "data",
                "",
                "",
                &g.rules.join(" "),
                if g.blocks() { "error" } else { "warning" },
                "not_read",
                &g.summary(),
                "",
                report.guide,
                "",
                "",
                "",
                "",
            ],
        );
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: one test suite per entity, one test case per finding; errors are failures.
pub fn junit(report: &LintReport<'_>) -> String {
    let mut by_entity: std::collections::BTreeMap<&str, Vec<&Finding>> =
        std::collections::BTreeMap::new();
    for f in &report.findings {
        by_entity.entry(&f.entity).or_default().push(f);
    }
    let data_failures = report.data_errors.iter().filter(|e| e.is_error()).count()
        + report.gaps.iter().filter(|g| g.blocks()).count();
    let data_cases = report.data_errors.len() + report.gaps.len();
    let failures = report.count(Severity::Error) + data_failures;
    let mut out = String::new();
    let _ = writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        out,
        r#"<testsuites name="mandate {}" tests="{}" failures="{failures}">"#,
        xml(report.guide),
        report.findings.len() + data_cases
    );
    // The data the findings rest on: its errors, and what was not read.
    if data_cases > 0 {
        let _ = writeln!(
            out,
            r#"  <testsuite name="data" tests="{data_cases}" failures="{data_failures}">"#
        );
        for e in report.data_errors {
            let _ = write!(
                out,
                r#"    <testcase classname="data" name="{} {}" file="{}">"#,
                xml(e.kind.code()),
                xml(e.location.as_deref().unwrap_or("")),
                xml(&e.file)
            );
            let text = format!(
                "{}{}",
                e.message,
                e.help
                    .as_ref()
                    .map(|h| format!(" (help: {h})"))
                    .unwrap_or_default()
            );
            if e.is_error() {
                let _ = write!(
                    out,
                    r#"<failure type="data_error" message="{}">{}</failure>"#,
                    xml(&e.message),
                    xml(&text)
                );
            } else {
                let _ = write!(out, "<system-out>warning: {}</system-out>", xml(&text));
            }
            let _ = writeln!(out, "</testcase>");
        }
        for g in report.gaps {
            let _ = write!(
                out,
                r#"    <testcase classname="data" name="not read: {}">"#,
                xml(&g.cause)
            );
            if g.blocks() {
                let _ = write!(
                    out,
                    r#"<failure type="not_read" message="{}">{}</failure>"#,
                    xml(&g.cause),
                    xml(&g.summary())
                );
            } else {
                let _ = write!(
                    out,
                    "<system-out>warning: {}</system-out>",
                    xml(&g.summary())
                );
            }
            let _ = writeln!(out, "</testcase>");
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    for (entity, fs) in by_entity {
        let fails = fs.iter().filter(|f| f.severity == Severity::Error).count();
        let _ = writeln!(
            out,
            r#"  <testsuite name="{}" tests="{}" failures="{fails}">"#,
            xml(entity),
            fs.len()
        );
        for f in fs {
            let _ = write!(
                out,
                r#"    <testcase classname="{}" name="{} {}" file="{}" line="{}">"#,
                xml(entity),
                xml(&f.rule),
                xml(f.status.word()),
                xml(&f.policy.file),
                f.policy.line
            );
            let loc = f
                .data
                .as_ref()
                .map(|d| format!(" [{} {}]", d.file, d.location))
                .unwrap_or_default();
            match f.severity {
                Severity::Error => {
                    let _ = write!(
                        out,
                        r#"<failure type="{}" message="{}">{}{}</failure>"#,
                        xml(f.status.word()),
                        xml(&f.message),
                        xml(f.section.as_deref().unwrap_or("")),
                        xml(&loc)
                    );
                }
                _ => {
                    let _ = write!(
                        out,
                        "<system-out>{}: {}{}</system-out>",
                        f.severity.word(),
                        xml(&f.message),
                        xml(&loc)
                    );
                }
            }
            let _ = writeln!(out, "</testcase>");
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    let _ = writeln!(out, "</testsuites>");
    out
}
