//! The default human output, summary first: a header (guide, as-of date, data read), a table of
//! the entities worst first, per-rule counts, the findings grouped (identical findings once, with
//! the entities they concern), the data errors and gaps, and the summary line. `--details` adds a
//! miette block per finding; `explain` shows one entity in full.
//!
//! Also `--format concise`: one line per finding, `file:line: entity rule status message`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{LintReport, data_place};
use crate::check::model::Severity;
use crate::data::Location;
use crate::eval::{EntityResult, Finding, Outcome};
use crate::report::encode::one_line;

/// Entities listed by id in one group line before `and N more`.
const IDS_SHOWN: usize = 12;

/// A group's findings shown one by one when their messages differ.
const MESSAGES_SHOWN: usize = 3;

/// The longest entity name shown in the table.
const NAME_WIDTH: usize = 28;

/// [`write_summary`] into a string.
pub fn summary(report: &LintReport<'_>) -> String {
    let mut out = Vec::new();
    let _ = write_summary(report, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Counts of one entity's findings by kind.
#[derive(Default, Clone, Copy)]
struct Counts {
    errors: usize,
    warnings: usize,
    info: usize,
    pending: usize,
    undetermined: usize,
}

fn counts(findings: &[&Finding]) -> Counts {
    let mut c = Counts::default();
    for f in findings {
        match f.severity {
            Severity::Error => c.errors += 1,
            Severity::Warning => c.warnings += 1,
            Severity::Info => c.info += 1,
        }
        match f.status {
            crate::eval::Status::Pending => c.pending += 1,
            crate::eval::Status::Undetermined => c.undetermined += 1,
            _ => {}
        }
    }
    c
}

/// `PHBAO continuing, MAG1 notice_1_of_2`: the categories an entity is in, or whose state says
/// more than "not a member".
fn categories(e: &EntityResult) -> String {
    let shown: Vec<String> = e
        .categories
        .iter()
        .filter(|c| c.member != Some(false) || c.state.key() != "not_member")
        .map(|c| match c.state.key().as_str() {
            "member" => c.name.clone(),
            k => format!("{} {k}", c.name),
        })
        .collect();
    if shown.is_empty() {
        "-".into()
    } else {
        shown.join(", ")
    }
}

fn clip(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// `E01, E02, E03 and 31 more`.
fn id_list(ids: &[&str]) -> String {
    let shown: Vec<&str> = ids.iter().take(IDS_SHOWN).copied().collect();
    let rest = ids.len().saturating_sub(IDS_SHOWN);
    if rest == 0 {
        shown.join(", ")
    } else {
        format!("{} and {rest} more", shown.join(", "))
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The summary-first human output (without the summary line, which the CLI prints last with
/// the run's time).
pub fn write_summary(
    report: &LintReport<'_>,
    out: &mut impl std::io::Write,
) -> std::io::Result<()> {
    let mut s = String::new();
    // The header: the guide, the as-of date, the data read.
    let title = report
        .title
        .as_deref()
        .map(|t| format!(" ({t})"))
        .unwrap_or_default();
    let line = format!(
        "{}{title}, as of {}",
        report.guide,
        crate::check::model::us_date(report.as_of)
    );
    let _ = writeln!(s, "{}", one_line(&line));
    let _ = writeln!(s, "policy: {}", one_line(report.policy));
    if let Some(p) = &report.provenance {
        let files: Vec<String> = p.data_files.iter().map(|f| f.path.clone()).collect();
        let rows = if report.rows > 0 {
            format!("{} rows in ", report.rows)
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "data: {rows}{}: {}",
            plural(files.len(), "file"),
            one_line(&files.join(", "))
        );
    } else {
        let _ = writeln!(s, "data: {} rows", report.rows);
    }
    // The entities, worst first.
    let mut rows: Vec<(&EntityResult, Counts, Vec<&str>)> = report
        .results
        .iter()
        .map(|e| {
            let c = counts(report.findings_of(&e.entity));
            let failed: Vec<&str> = e
                .rules
                .iter()
                .filter(|r| r.outcome.fails() || r.outcome == Outcome::Undetermined)
                .map(|r| r.name.as_str())
                .collect();
            (*e, c, failed)
        })
        .collect();
    rows.sort_by(|a, b| {
        let key = |c: &Counts| (c.errors, c.warnings, c.undetermined, c.pending, c.info);
        key(&b.1).cmp(&key(&a.1)).then(a.0.entity.cmp(&b.0.entity))
    });
    let (listed, clean): (Vec<_>, Vec<_>) = rows
        .iter()
        .partition(|(e, c, _)| c.errors + c.warnings + c.info > 0 || e.worst() > Outcome::Ok);
    // The table's heading: the entity kind, or `entity` when there are several.
    let word = if report.by_kind.len() > 1 {
        "entity"
    } else {
        report.entity_word.trim_end_matches('s')
    };
    let _ = writeln!(
        s,
        "\n{} checked, {} with findings, worst first",
        capitalise(&report.checked()),
        listed.len()
    );
    if !listed.is_empty() {
        let cats: Vec<String> = listed.iter().map(|(e, _, _)| categories(e)).collect();
        let id_w = listed
            .iter()
            .map(|(e, _, _)| e.entity.chars().count())
            .max()
            .unwrap_or(2)
            .max(word.len());
        let name_w = listed
            .iter()
            .map(|(e, _, _)| e.entity_name.as_deref().unwrap_or("").chars().count())
            .max()
            .unwrap_or(0)
            .clamp(4, NAME_WIDTH);
        let cat_w = cats
            .iter()
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(0)
            .max(10);
        let _ = writeln!(
            s,
            "  {:<id_w$}  {:<name_w$}  {:<cat_w$}  err  warn  pend  undet  failed or undetermined",
            one_line(word),
            "name",
            "categories"
        );
        for ((e, c, failed), cat) in listed.iter().zip(&cats) {
            let name = clip(e.entity_name.as_deref().unwrap_or(""), name_w);
            let line = format!(
                "  {:<id_w$}  {name:<name_w$}  {cat:<cat_w$}  {:>3}  {:>4}  {:>4}  {:>5}  {}",
                e.entity,
                c.errors,
                c.warnings,
                c.pending,
                c.undetermined,
                failed.join(", ")
            );
            let _ = writeln!(s, "{}", one_line(line.trim_end()));
        }
    }
    if !clean.is_empty() {
        let ids: Vec<&str> = clean.iter().map(|(e, _, _)| e.entity.as_str()).collect();
        let _ = writeln!(
            s,
            "  {} with no finding: {}",
            plural(clean.len(), word),
            one_line(&id_list(&ids))
        );
    }
    // Per rule: how the entities came out.
    let tallies = report.tallies();
    if !tallies.is_empty() {
        let rule_w = tallies
            .iter()
            .map(|t| t.rule.len())
            .max()
            .unwrap_or(4)
            .max(4);
        let _ = writeln!(s, "\nRules: {} per outcome", one_line(&report.entity_word));
        let _ = writeln!(
            s,
            "  {:<rule_w$}  severity  {:>4}  {:>6}  {:>4}  {:>7}  {:>7}  {:>5}  {:>4}",
            "rule", "ok", "failed", "late", "overdue", "pending", "undet", "n/a"
        );
        for t in &tallies {
            let line = format!(
                "  {:<rule_w$}  {:<8}  {:>4}  {:>6}  {:>4}  {:>7}  {:>7}  {:>5}  {:>4}",
                t.rule,
                t.severity.word(),
                t.ok,
                t.violation,
                t.late,
                t.overdue,
                t.pending,
                t.undetermined,
                t.not_applicable
            );
            let _ = writeln!(s, "{}", one_line(&line));
        }
    }
    // The findings, grouped by rule and status; identical messages once.
    let mut groups: BTreeMap<(std::cmp::Reverse<Severity>, &str, &str), Vec<&Finding>> =
        BTreeMap::new();
    for f in &report.findings {
        groups
            .entry((std::cmp::Reverse(f.severity), &f.rule, f.status.word()))
            .or_default()
            .push(f);
    }
    if !groups.is_empty() {
        let _ = writeln!(
            s,
            "\nFindings, grouped (all of them: --details; one {word}: mandate explain POLICY DATA --school ID)"
        );
    }
    for ((sev, rule, status), fs) in &groups {
        let mut ids: Vec<&str> = fs.iter().map(|f| f.entity.as_str()).collect();
        ids.dedup();
        let info = report.rules.iter().find(|r| r.name == *rule);
        let due = info
            .and_then(|r| r.due.as_deref())
            .filter(|_| matches!(*status, "pending" | "overdue" | "late"))
            .map(|d| format!(", due {d}"))
            .unwrap_or_default();
        let f0 = fs.first().copied();
        let place = f0
            .map(|f| {
                let section = f
                    .section
                    .as_deref()
                    .map(|s| format!(" {s}"))
                    .unwrap_or_default();
                format!("{}:{}, {}{section}", f.policy.file, f.policy.line, f.guide)
            })
            .unwrap_or_default();
        // The findings' own kind (`district`), which need not be the first entity's.
        let kind = f0.map(|f| f.entity_kind.as_str()).unwrap_or(word);
        let line = format!(
            "{}: {rule} {status}{due}: {}: {} ({place})",
            sev.0.word(),
            plural(ids.len(), kind),
            id_list(&ids)
        );
        let _ = writeln!(s, "{}", one_line(&line));
        if let Some(q) = f0.and_then(|f| f.quote.as_deref()) {
            let _ = writeln!(s, "  guide: \"{}\"", one_line(q));
        }
        let same = fs.windows(2).all(|w| match w {
            [a, b] => a.message == b.message,
            _ => true,
        });
        if same {
            if let Some(f) = f0 {
                let _ = writeln!(s, "  {}", one_line(&f.message));
            }
        } else {
            for f in fs.iter().take(MESSAGES_SHOWN) {
                let at = f
                    .data
                    .as_ref()
                    .map(|d| format!(" [{}]", data_place(&d.file, Some(&d.location))))
                    .unwrap_or_default();
                let line = format!("  {}: {}{at}", f.entity, f.message);
                let _ = writeln!(s, "{}", one_line(&line));
            }
            if fs.len() > MESSAGES_SHOWN {
                let _ = writeln!(s, "  … and {} more", fs.len() - MESSAGES_SHOWN);
            }
        }
    }
    out.write_all(s.as_bytes())?;
    s.clear();
    // Data errors, grouped by code and file.
    if !report.data_errors.is_empty() {
        let mut by: BTreeMap<(bool, &str, &str), Vec<&crate::data::DataError>> = BTreeMap::new();
        for e in report.data_errors {
            by.entry((!e.is_error(), e.kind.code(), &e.file))
                .or_default()
                .push(e);
        }
        let _ = writeln!(s, "\nData errors ({})", report.data_errors.len());
        for ((warning, code, file), es) in &by {
            let places: Vec<String> = es
                .iter()
                .filter_map(|e| e.location.as_ref().map(ToString::to_string))
                .collect();
            let places: Vec<&str> = places.iter().map(String::as_str).collect();
            let at = if places.is_empty() {
                String::new()
            } else {
                format!(" ({})", id_list(&places))
            };
            let line = format!(
                "{}[{code}] {file}{at}: {}",
                if *warning { "warning" } else { "error" },
                es.first().map(|e| e.message.as_str()).unwrap_or("")
            );
            let _ = writeln!(s, "{}", one_line(&line));
            if let Some(h) = es.first().and_then(|e| e.help.as_deref()) {
                let _ = writeln!(s, "  help: {}", one_line(h));
            }
            if es.len() > 1 {
                let _ = writeln!(s, "  ({} rows like this)", es.len());
            }
        }
    }
    for (e, c, note) in &report.near {
        let line = format!("near threshold: {e} {c}: {note}");
        let _ = writeln!(s, "{}", one_line(&line));
    }
    // Last, beside the summary, so that it cannot be missed.
    for g in report.gaps {
        let line = g.line();
        let _ = writeln!(s, "{}", one_line(&line));
    }
    out.write_all(s.as_bytes())
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// One line per finding, data error and gap, as compilers and ruff print them:
/// `file:line: entity rule status message`. The place is the data row when there is one, else
/// the rule in the policy.
pub fn concise(report: &LintReport<'_>) -> String {
    let mut s = String::new();
    for e in report.data_errors {
        let place = data_place(&e.file, e.location.as_ref());
        let line = format!(
            "{place}: data {} {}: {}",
            e.kind.code(),
            if e.is_error() { "error" } else { "warning" },
            e.message
        );
        let _ = writeln!(s, "{}", one_line(&line));
    }
    for f in &report.findings {
        let place = match &f.data {
            Some(d) if matches!(d.location, Location::Line { .. }) => {
                data_place(&d.file, Some(&d.location))
            }
            _ => format!("{}:{}:{}", f.policy.file, f.policy.line, f.policy.column),
        };
        let line = format!(
            "{place}: {} {} {} {}: {}",
            f.entity,
            f.rule,
            f.status.word(),
            f.severity.word(),
            f.message
        );
        let _ = writeln!(s, "{}", one_line(&line));
    }
    for g in report.gaps {
        let _ = writeln!(
            s,
            "{}: data {}: {}",
            report.policy,
            if g.blocks() { "no_data" } else { "not_read" },
            one_line(&g.summary())
        );
    }
    s
}
