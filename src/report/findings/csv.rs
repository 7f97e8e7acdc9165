//! CSV: one row per finding, data error, gap in the data, entity near a threshold and provenance
//! item, told apart by the `kind` column; every row has the same columns ([`CSV_COLUMNS`]).

use super::LintReport;
use crate::data::Location;

/// The CSV header, in order, with what each column holds (README's "CSV columns" lists these).
pub const CSV_COLUMNS: [(&str, &str); 17] = [
    ("kind", "finding, data_error, gap, near or provenance"),
    ("entity_kind", "the entity's record type (school)"),
    ("entity", "the entity's id"),
    ("entity_name", "the entity's name"),
    (
        "rule",
        "the rule or category; a data error's code; a provenance item's name",
    ),
    ("severity", "error, warning or info"),
    (
        "status",
        "violation, late, overdue, pending or undetermined; data_error; not_read",
    ),
    ("message", "what was found, with the values"),
    ("section", "the guide's section"),
    ("quote", "the guide's words"),
    ("due", "when the rule is due, as the policy says it"),
    ("as_of", "the evaluation date (YYYY-MM-DD)"),
    ("data_file", "the data file"),
    (
        "data_location",
        "the row: `line 12`, or `[3]` for a YAML or JSON item",
    ),
    ("policy_file", "the policy file holding the rule"),
    ("policy_line", "the rule's line in it"),
    ("guide", "the guide's id"),
];

/// The report as CSV, with spreadsheet formulas neutralised.
pub fn csv(report: &LintReport<'_>) -> String {
    csv_with(report, true, false)
}

/// The report as CSV; with `guard`, a cell a spreadsheet would run as a formula is neutralised
/// ([`crate::report::encode::csv_cell`]); with `bom`, a UTF-8 byte order mark comes first, so
/// that Excel reads the file as UTF-8.
pub fn csv_with(report: &LintReport<'_>, guard: bool, bom: bool) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let write = |w: &mut ::csv::Writer<Vec<u8>>, cells: [&str; 17]| {
        let cells = cells.map(|c| match guard {
            true => crate::report::encode::csv_cell(c),
            false => c.into(),
        });
        let _ = w.write_record(cells.iter().map(|c| c.as_bytes()));
    };
    let _ = w.write_record(CSV_COLUMNS.map(|(name, _)| name));
    let as_of = report.as_of.format("%Y-%m-%d").to_string();
    let guide = report.guide;
    if let Some(p) = &report.provenance {
        let mut item = |name: &str, value: &str, file: &str| {
            write(
                &mut w,
                [
                    "provenance",
                    "",
                    "",
                    "",
                    name,
                    "",
                    "",
                    value,
                    "",
                    "",
                    "",
                    &as_of,
                    file,
                    "",
                    report.policy,
                    "",
                    guide,
                ],
            );
        };
        item("mandate", &p.mandate, "");
        for f in &p.policy_files {
            item(
                "policy_file",
                &format!("{} bytes, sha256 {}", f.bytes, f.sha256),
                &f.path,
            );
        }
        for f in &p.data_files {
            item(
                "data_file",
                &format!(
                    "{} ({} bytes, sha256 {})",
                    f.record.as_deref().unwrap_or(""),
                    f.bytes,
                    f.sha256
                ),
                &f.path,
            );
        }
        for o in &p.options {
            item("option", o, "");
        }
    }
    for f in &report.findings {
        let line = f.policy.line.to_string();
        let due = report
            .rules
            .iter()
            .find(|r| r.name == f.rule)
            .and_then(|r| r.due.as_deref())
            .unwrap_or("");
        write(
            &mut w,
            [
                "finding",
                f.entity_kind.as_str(),
                &f.entity,
                f.entity_name.as_deref().unwrap_or(""),
                &f.rule,
                f.severity.word(),
                f.status.word(),
                &f.message,
                f.section.as_deref().unwrap_or(""),
                f.quote.as_deref().unwrap_or(""),
                due,
                &as_of,
                f.data.as_ref().map(|d| d.file.as_str()).unwrap_or(""),
                &f.data
                    .as_ref()
                    .map(|d| d.location.to_string())
                    .unwrap_or_default(),
                &f.policy.file,
                &line,
                &f.guide,
            ],
        );
    }
    for e in report.data_errors {
        let message = match &e.help {
            Some(h) => format!("{} (help: {h})", e.message),
            None => e.message.clone(),
        };
        let location = match (&e.location, &e.column) {
            (Some(l @ Location::Line { .. }), Some(c)) => format!("{l}, column {c}"),
            (Some(l), _) => l.to_string(),
            (None, Some(c)) => format!("column {c}"),
            (None, None) => String::new(),
        };
        write(
            &mut w,
            [
                "data_error",
                "",
                "",
                "",
                e.kind.code(),
                if e.is_error() { "error" } else { "warning" },
                "data_error",
                &message,
                "",
                "",
                "",
                &as_of,
                &e.file,
                &location,
                "",
                "",
                guide,
            ],
        );
    }
    for g in report.gaps {
        write(
            &mut w,
            [
                "gap",
                &g.entity_kind,
                "",
                "",
                &g.rules.join(" "),
                if g.blocks() { "error" } else { "warning" },
                "not_read",
                &g.summary(),
                "",
                "",
                "",
                &as_of,
                "",
                "",
                "",
                "",
                guide,
            ],
        );
    }
    let entities: std::collections::HashMap<&str, (&str, &str)> = report
        .results
        .iter()
        .map(|r| {
            let name = r.entity_name.as_deref().unwrap_or("");
            (r.entity.as_str(), (r.entity_kind.as_str(), name))
        })
        .collect();
    for (e, c, note) in &report.near {
        let (kind, name) = entities.get(e.as_str()).copied().unwrap_or(("", ""));
        write(
            &mut w,
            [
                "near", kind, e, name, c, "info", "", note, "", "", "", &as_of, "", "", "", "",
                guide,
            ],
        );
    }
    let bytes = w.into_inner().unwrap_or_default();
    let mut s = String::from_utf8(bytes).unwrap_or_default();
    if bom {
        s.insert(0, '\u{feff}');
    }
    s
}
