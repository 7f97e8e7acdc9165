//! JSON: stable field names (README, and the JSON Schema in `docs/lint-report.schema.json`),
//! deterministic order, written as it is made (a state's report is megabytes).

use serde::Serialize;

use super::{LintReport, Provenance, RuleTally};
use crate::check::model::Severity;
use crate::data::Location;
use crate::eval::{CategoryInfo, CategoryResult, Finding, Gap, MeasureValue, RuleInfo, RuleResult};

/// The version of the JSON output's shape: raised when a field is removed or changes meaning
/// (adding a field does not raise it).
pub const SCHEMA_VERSION: u32 = 1;

/// The JSON Schema (draft 2020-12) the output follows.
pub const JSON_SCHEMA: &str = include_str!("../../../docs/lint-report.schema.json");

#[derive(Serialize)]
struct JsonReport<'a> {
    schema_version: u32,
    policy: &'a str,
    guide: &'a str,
    title: Option<&'a str>,
    as_of: String,
    provenance: Option<&'a Provenance>,
    summary: JsonSummary,
    rules: Vec<JsonRule<'a>>,
    categories: Vec<JsonCategory<'a>>,
    entities: Vec<JsonEntity<'a>>,
    findings: &'a [&'a Finding],
    data_errors: Vec<JsonDataError<'a>>,
    gaps: &'a [Gap],
    near: Vec<JsonNear<'a>>,
}

#[derive(Serialize)]
struct JsonSummary {
    entities: usize,
    rows: u64,
    findings: usize,
    errors: usize,
    warnings: usize,
    info: usize,
    undetermined: usize,
    data_errors: usize,
    gaps: usize,
}

#[derive(Serialize)]
struct JsonRule<'a> {
    #[serde(flatten)]
    rule: &'a RuleInfo,
    /// How many entities came out each way.
    outcomes: JsonCounts,
}

#[derive(Serialize)]
struct JsonCounts {
    ok: usize,
    violation: usize,
    late: usize,
    overdue: usize,
    pending: usize,
    undetermined: usize,
    not_applicable: usize,
}

impl From<&RuleTally> for JsonCounts {
    fn from(t: &RuleTally) -> Self {
        JsonCounts {
            ok: t.ok,
            violation: t.violation,
            late: t.late,
            overdue: t.overdue,
            pending: t.pending,
            undetermined: t.undetermined,
            not_applicable: t.not_applicable,
        }
    }
}

#[derive(Serialize)]
struct JsonCategory<'a> {
    #[serde(flatten)]
    category: &'a CategoryInfo,
    /// Entities in the category this school year.
    members: usize,
}

#[derive(Serialize)]
struct JsonEntity<'a> {
    entity_kind: &'a str,
    entity: &'a str,
    entity_name: Option<&'a str>,
    /// The worst rule outcome.
    outcome: &'static str,
    categories: Vec<JsonEntityCategory<'a>>,
    /// Each rule's outcome by rule name, in the policy's order.
    outcomes: JsonOutcomes<'a>,
    /// The measures, as compared (only with explanations: `--near`, html).
    #[serde(skip_serializing_if = "Option::is_none")]
    measures: Option<&'a [MeasureValue]>,
}

#[derive(Serialize)]
struct JsonEntityCategory<'a> {
    #[serde(flatten)]
    result: &'a CategoryResult,
    /// The condition and how it came out (only with explanations).
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    /// The earlier years behind the decision (only with explanations).
    #[serde(skip_serializing_if = "Option::is_none")]
    history: Option<&'a [String]>,
}

/// `{"rule": "ok", ...}` in the policy's order.
struct JsonOutcomes<'a>(&'a [RuleResult]);

impl Serialize for JsonOutcomes<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for r in self.0 {
            m.serialize_entry(&r.name, &r.outcome)?;
        }
        m.end()
    }
}

#[derive(Serialize)]
struct JsonDataError<'a> {
    severity: &'static str,
    code: &'static str,
    file: &'a str,
    location: Option<&'a Location>,
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

/// [`write_json`] into a string.
pub fn json(report: &LintReport<'_>) -> String {
    let mut out = Vec::new();
    match write_json(report, &mut out) {
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(e) => format!("{{\"error\": \"{e}\"}}\n"),
    }
}

/// The report as JSON, written as it is made (no copy of it is held).
pub fn write_json(report: &LintReport<'_>, out: &mut impl std::io::Write) -> std::io::Result<()> {
    let tallies = report.tallies();
    let index = report.explanation_index();
    let entities = report
        .results
        .iter()
        .map(|r| {
            let x = index
                .get(&(r.entity_kind.as_str(), r.entity.as_str()))
                .copied();
            JsonEntity {
                entity_kind: &r.entity_kind,
                entity: &r.entity,
                entity_name: r.entity_name.as_deref(),
                outcome: r.worst().key(),
                categories: r
                    .categories
                    .iter()
                    .map(|c| {
                        let d = x.and_then(|x| x.categories.iter().find(|d| d.name == c.name));
                        JsonEntityCategory {
                            result: c,
                            reason: d.map(|d| d.reason.as_str()),
                            history: d.map(|d| d.history.as_slice()),
                        }
                    })
                    .collect(),
                outcomes: JsonOutcomes(&r.rules),
                measures: x.map(|x| x.measures.as_slice()),
            }
        })
        .collect();
    let j = JsonReport {
        schema_version: SCHEMA_VERSION,
        policy: report.policy,
        guide: report.guide,
        title: report.title.as_deref(),
        as_of: report.as_of.format("%Y-%m-%d").to_string(),
        provenance: report.provenance.as_ref(),
        summary: JsonSummary {
            entities: report.results.len(),
            rows: report.rows,
            findings: report.findings.len(),
            errors: report.count(Severity::Error),
            warnings: report.count(Severity::Warning),
            info: report.count(Severity::Info),
            undetermined: report.undetermined(),
            data_errors: report.data_error_count(),
            gaps: report.gaps.len(),
        },
        rules: report
            .rules
            .iter()
            .zip(&tallies)
            .map(|(rule, t)| JsonRule {
                rule,
                outcomes: t.into(),
            })
            .collect(),
        categories: report
            .categories
            .enumerate()
            .map(|(i, category)| JsonCategory {
                category,
                members: report
                    .results
                    .iter()
                    .filter(|r| {
                        r.categories
                            .iter()
                            .any(|c| c.category == i && c.member == Some(true))
                    })
                    .count(),
            })
            .collect(),
        entities,
        findings: &report.findings,
        data_errors: report
            .data_errors
            .iter()
            .map(|e| JsonDataError {
                severity: if e.is_error() { "error" } else { "warning" },
                code: e.kind.code(),
                file: &e.file,
                location: e.location.as_ref(),
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
