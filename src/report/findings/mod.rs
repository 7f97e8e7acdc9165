//! A lint run's report in every output format. All of them carry the same facts: every
//! (entity, rule) outcome, the findings, the data errors, the gaps in the data, the entities near a
//! threshold, and what was read (the provenance).
//!
//! | file | what it writes |
//! |---|---|
//! | `mod.rs` | [`LintReport`]: what a run reports, after filtering; [`Provenance`] |
//! | `summary.rs` | the default human output, summary first; `--format concise` |
//! | `details.rs` | human output in full (`--details`): a miette block per finding |
//! | `json.rs` | JSON (`schema_version`, [`JSON_SCHEMA`]) |
//! | `csv.rs` | CSV, one row per finding, data error, gap and near entity |
//! | `junit.rs` | JUnit XML, a suite per rule and a case per (rule, entity) |

mod csv;
mod details;
mod json;
mod junit;
mod summary;

use std::fmt::Write as _;

use serde::Serialize;

use crate::check::model::{CategoryId, RuleId, Severity, Table};
use crate::data::{DataError, Location};
use crate::eval::{
    CategoryInfo, EntityResult, Evaluation, Explanation, Finding, Gap, Outcome, RuleInfo, Status,
};
use crate::syntax::Sources;

pub use self::csv::{CSV_COLUMNS, csv, csv_with};
pub use details::{human, write_human};
pub use json::{JSON_SCHEMA, SCHEMA_VERSION, json, write_json};
pub use junit::junit;
pub use summary::{concise, summary, write_summary};

/// What was read, so that a report can be reproduced and checked years later: the mandate
/// version, the policy and its includes, the data files, and the options.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// `mandate 0.1.0`.
    pub mandate: String,
    /// The policy file, then each include, with the SHA-256 of the text read.
    pub policy_files: Vec<FileDigest>,
    /// Each data file found, with the record it holds, its size and SHA-256.
    pub data_files: Vec<FileDigest>,
    /// The options that change what is reported (`severity=info`), sorted.
    pub options: Vec<String>,
}

/// One file read, with its digest.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FileDigest {
    pub path: String,
    /// The record the file holds (data files only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    pub bytes: u64,
    /// Lowercase hex; empty when the file could not be read again to digest it.
    pub sha256: String,
}

impl Provenance {
    /// The provenance of a run over `ev`: the policy texts in `sources` digested, and each data
    /// file's digest as the run read it ([`Evaluation::digests`]) or, for a file the run did
    /// not read through, by reading the file again.
    pub fn of(sources: &Sources, ev: &Evaluation, options: Vec<String>) -> Provenance {
        let policy_files = sources
            .iter()
            .map(|(_, f)| FileDigest {
                path: f.name.clone(),
                record: None,
                bytes: f.text.len() as u64,
                sha256: crate::data::sha256_hex(f.text.as_bytes()),
            })
            .collect();
        let data_files = ev
            .files
            .iter()
            .map(|(record, path)| {
                let d = ev.digests.get(path).cloned().unwrap_or_else(|| {
                    crate::data::digest_file(path).unwrap_or(crate::data::Digest {
                        bytes: 0,
                        sha256: String::new(),
                    })
                });
                FileDigest {
                    path: path.display().to_string(),
                    record: Some(record.clone()),
                    bytes: d.bytes,
                    sha256: d.sha256,
                }
            })
            .collect();
        let mut options = options;
        options.sort();
        Provenance {
            mandate: format!("mandate {}", env!("CARGO_PKG_VERSION")),
            policy_files,
            data_files,
            options,
        }
    }
}

/// Per rule: how many entities came out each way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleTally {
    pub rule: String,
    pub severity: Severity,
    pub ok: usize,
    pub violation: usize,
    pub late: usize,
    pub overdue: usize,
    pub pending: usize,
    pub undetermined: usize,
    pub not_applicable: usize,
}

impl RuleTally {
    fn add(&mut self, o: Outcome) {
        let n = match o {
            Outcome::NotApplicable => &mut self.not_applicable,
            Outcome::Ok => &mut self.ok,
            Outcome::Pending => &mut self.pending,
            Outcome::Undetermined => &mut self.undetermined,
            Outcome::Late => &mut self.late,
            Outcome::Overdue => &mut self.overdue,
            Outcome::Violation => &mut self.violation,
        };
        *n += 1;
    }

    /// Entities that fail the rule: violation, late or overdue.
    pub fn failing(&self) -> usize {
        self.violation + self.late + self.overdue
    }

    /// Entities the rule applies to.
    pub fn applicable(&self) -> usize {
        self.ok + self.failing() + self.pending + self.undetermined
    }
}

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
    /// Every entity's categories and rule outcomes, in kind then id order (after `--school`).
    pub results: Vec<&'a EntityResult>,
    /// The policy's rules and categories.
    pub rules: &'a Table<RuleId, RuleInfo>,
    pub categories: &'a Table<CategoryId, CategoryInfo>,
    /// Per entity, when the report is to show them: measures, category reasons and history
    /// (none unless set: JSON shows them with `lint --measures`).
    pub explanations: &'a [Explanation],
    /// The guide's title, when the policy gives one.
    pub title: Option<String>,
    /// What was read; none where a report is built for a test.
    pub provenance: Option<Provenance>,
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
            results: ev.results.iter().collect(),
            rules: &ev.rules,
            categories: &ev.categories,
            explanations: &[],
            title: None,
            provenance: None,
        }
    }

    /// Keeps only the findings and entities `keep` accepts (`--school`), and the findings at
    /// least as severe as `min` (`--severity`).
    pub fn filter(&mut self, min: Severity, keep: impl Fn(&str) -> bool) {
        self.findings
            .retain(|f| f.severity >= min && keep(&f.entity));
        self.results.retain(|r| keep(&r.entity));
        self.near.retain(|(e, _, _)| keep(e));
    }

    /// The explanations by (entity kind, entity), for lookup.
    pub fn explanation_index(&self) -> std::collections::HashMap<(&str, &str), &'a Explanation> {
        self.explanations
            .iter()
            .map(|x| ((x.entity_kind.as_str(), x.entity.as_str()), x))
            .collect()
    }

    /// Per rule, in declaration order: how many entities came out each way.
    pub fn tallies(&self) -> Vec<RuleTally> {
        let mut out: Table<RuleId, RuleTally> = self
            .rules
            .iter()
            .map(|r| RuleTally {
                rule: r.name.clone(),
                severity: r.severity,
                ok: 0,
                violation: 0,
                late: 0,
                overdue: 0,
                pending: 0,
                undetermined: 0,
                not_applicable: 0,
            })
            .collect();
        for e in &self.results {
            for r in &e.rules {
                if let Some(t) = out.get_mut(r.rule) {
                    t.add(r.outcome);
                }
            }
        }
        out.into_iter().collect()
    }

    /// The findings about one entity (they are sorted by entity).
    pub fn findings_of(&self, entity: &str) -> &[&'a Finding] {
        let from = self
            .findings
            .partition_point(|f| f.entity.as_str() < entity);
        let to = self
            .findings
            .partition_point(|f| f.entity.as_str() <= entity);
        self.findings.get(from..to).unwrap_or(&[])
    }

    /// The data errors that are errors (not warnings).
    pub fn data_error_count(&self) -> usize {
        self.data_errors.iter().filter(|e| e.is_error()).count()
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
    pub fn checked(&self) -> String {
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
        let data = self.data_error_count();
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

/// A data location as `file:line` (CSV), `file [3]` (a YAML or JSON item), or the file alone.
fn data_place(file: &str, location: Option<&Location>) -> String {
    match location {
        Some(Location::Line { line, column: None }) => format!("{file}:{line}"),
        Some(Location::Line {
            line,
            column: Some(c),
        }) => format!("{file}:{line}, column {c}"),
        Some(item @ Location::Item { .. }) => format!("{file} {item}"),
        None => file.to_string(),
    }
}
