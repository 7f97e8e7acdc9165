//! JUnit XML: a test suite per rule, a test case per (rule, entity), passes included, and a
//! `data` suite whose cases are the data files read (with the data errors and gaps as errors).
//!
//! | outcome | test case |
//! |---|---|
//! | ok | passed |
//! | pending | passed, with the finding in `system-out` |
//! | violation, late, overdue | `failure` (whatever the rule's severity; the suite's `severity` property says it) |
//! | undetermined | `error`: the test could not be decided |
//! | not applicable | `skipped` |
//!
//! The provenance (mandate version, files with SHA-256, as-of, options) is in the `data` suite's
//! properties.

use std::fmt::Write as _;

use super::LintReport;
use crate::check::model::{CategoryId, RuleId, Table};
use crate::eval::{Finding, Outcome};

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

/// A test suite: its name, properties and cases.
type Suite = (String, Vec<(String, String)>, Vec<Case>);

/// One test case, as it is written.
struct Case {
    name: String,
    classname: String,
    file: Option<(String, usize)>,
    /// `failure`, `error`, `skipped` or none (passed): (element, type, message, text).
    verdict: Option<(&'static str, String, String, String)>,
    out: Option<String>,
}

fn write_case(out: &mut String, c: &Case) {
    let _ = write!(
        out,
        r#"    <testcase classname="{}" name="{}""#,
        xml(&c.classname),
        xml(&c.name)
    );
    if let Some((f, line)) = &c.file {
        let _ = write!(out, r#" file="{}" line="{line}""#, xml(f));
    }
    if c.verdict.is_none() && c.out.is_none() {
        let _ = writeln!(out, "/>");
        return;
    }
    out.push('>');
    if let Some((el, ty, message, text)) = &c.verdict {
        if *el == "skipped" {
            let _ = write!(out, r#"<skipped message="{}"/>"#, xml(message));
        } else {
            let _ = write!(
                out,
                r#"<{el} type="{}" message="{}">{}</{el}>"#,
                xml(ty),
                xml(message),
                xml(text)
            );
        }
    }
    if let Some(s) = &c.out {
        let _ = write!(out, "<system-out>{}</system-out>", xml(s));
    }
    let _ = writeln!(out, "</testcase>");
}

fn write_suite(out: &mut String, name: &str, props: &[(String, String)], cases: &[Case]) {
    let count = |el: &str| {
        cases
            .iter()
            .filter(|c| c.verdict.as_ref().is_some_and(|v| v.0 == el))
            .count()
    };
    let _ = writeln!(
        out,
        r#"  <testsuite name="{}" tests="{}" failures="{}" errors="{}" skipped="{}">"#,
        xml(name),
        cases.len(),
        count("failure"),
        count("error"),
        count("skipped"),
    );
    if !props.is_empty() {
        let _ = writeln!(out, "    <properties>");
        for (k, v) in props {
            let _ = writeln!(
                out,
                r#"      <property name="{}" value="{}"/>"#,
                xml(k),
                xml(v)
            );
        }
        let _ = writeln!(out, "    </properties>");
    }
    for c in cases {
        write_case(out, c);
    }
    let _ = writeln!(out, "  </testsuite>");
}

/// `school E01 (Sample Elementary 01)`.
fn case_name(e: &crate::eval::EntityResult) -> String {
    match &e.entity_name {
        Some(n) => format!("{} {} ({n})", e.entity_kind, e.entity),
        None => format!("{} {}", e.entity_kind, e.entity),
    }
}

/// What a finding says, with its data row: `message [conference.csv line 12]`.
fn finding_text(f: &Finding) -> String {
    match &f.data {
        Some(d) => format!("{} [{} {}]", f.message, d.file, d.location),
        None => f.message.clone(),
    }
}

/// The report as JUnit XML.
pub fn junit(report: &LintReport<'_>) -> String {
    let mut suites: Vec<Suite> = Vec::new();
    // The data suite: what was read, its errors, and what was not read.
    let mut props = vec![
        ("guide".to_string(), report.guide.to_string()),
        ("policy".to_string(), report.policy.to_string()),
        (
            "as_of".to_string(),
            report.as_of.format("%Y-%m-%d").to_string(),
        ),
    ];
    let mut cases = Vec::new();
    if let Some(p) = &report.provenance {
        props.push(("mandate".into(), p.mandate.clone()));
        for f in &p.policy_files {
            props.push((
                format!("policy_file {}", f.path),
                format!("{} bytes, sha256 {}", f.bytes, f.sha256),
            ));
        }
        for f in &p.data_files {
            props.push((
                format!("data_file {}", f.path),
                format!("{} bytes, sha256 {}", f.bytes, f.sha256),
            ));
        }
        for o in &p.options {
            props.push(("option".into(), o.clone()));
        }
    }
    for e in report.data_errors {
        let text = match &e.help {
            Some(h) => format!("{} (help: {h})", e.message),
            None => e.message.clone(),
        };
        let name = format!(
            "{} {}",
            e.kind.code(),
            e.location
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default()
        );
        cases.push(Case {
            name: name.trim_end().to_string(),
            classname: e.file.clone(),
            file: None,
            verdict: e.is_error().then(|| {
                (
                    "error",
                    "data_error".into(),
                    e.message.clone(),
                    text.clone(),
                )
            }),
            out: (!e.is_error()).then(|| format!("warning: {text}")),
        });
    }
    for g in report.gaps {
        cases.push(Case {
            name: format!("not read: {}", g.cause),
            classname: "data".into(),
            file: None,
            verdict: g
                .blocks()
                .then(|| ("error", "not_read".into(), g.cause.clone(), g.summary())),
            out: (!g.blocks()).then(|| format!("warning: {}", g.summary())),
        });
    }
    suites.push(("data".into(), props, cases));
    // A suite per rule, a case per entity.
    let mut by_rule: Table<RuleId, Vec<Case>> = report.rules.iter().map(|_| Vec::new()).collect();
    for e in &report.results {
        let findings = report.findings_of(&e.entity);
        for r in &e.rules {
            let Some((rule, cases)) = report.rules.get(r.rule).zip(by_rule.get_mut(r.rule)) else {
                continue;
            };
            let mine: Vec<&&Finding> = findings.iter().filter(|f| f.rule == rule.name).collect();
            let text = mine
                .iter()
                .map(|f| finding_text(f))
                .collect::<Vec<_>>()
                .join("\n");
            let first = mine.first().map(|f| f.message.clone()).unwrap_or_default();
            let verdict = match r.outcome {
                Outcome::Ok | Outcome::Pending => None,
                Outcome::NotApplicable => Some((
                    "skipped",
                    String::new(),
                    "not applicable".to_string(),
                    String::new(),
                )),
                Outcome::Undetermined => {
                    Some(("error", "undetermined".into(), first, text.clone()))
                }
                o => Some(("failure", o.key().into(), first, text.clone())),
            };
            let out = match r.outcome {
                Outcome::Pending => Some(format!("pending: {text}")),
                _ => None,
            };
            cases.push(Case {
                name: case_name(e),
                classname: rule.name.clone(),
                file: Some((rule.policy.file.clone(), rule.policy.line)),
                verdict,
                out,
            });
        }
    }
    // A suite per category, a case per entity: its state, or an error when it is undetermined.
    let mut by_category: Table<CategoryId, Vec<Case>> =
        report.categories.iter().map(|_| Vec::new()).collect();
    for e in &report.results {
        for c in &e.categories {
            let Some((cat, cases)) = report
                .categories
                .get(c.category)
                .zip(by_category.get_mut(c.category))
            else {
                continue;
            };
            let undetermined = c.member.is_none();
            let message = report
                .findings_of(&e.entity)
                .iter()
                .find(|f| f.rule == cat.name)
                .map(|f| f.message.clone())
                .unwrap_or_else(|| c.state.describe());
            cases.push(Case {
                name: case_name(e),
                classname: format!("category {}", cat.name),
                file: Some((cat.policy.file.clone(), cat.policy.line)),
                verdict: undetermined.then(|| {
                    (
                        "error",
                        "undetermined".into(),
                        message.clone(),
                        message.clone(),
                    )
                }),
                out: (!undetermined).then(|| c.state.describe()),
            });
        }
    }
    for (cat, cases) in report.categories.iter().zip(by_category) {
        let mut props = vec![("condition".to_string(), cat.condition.clone())];
        if let Some(s) = &cat.section {
            props.push(("section".into(), s.clone()));
        }
        suites.push((format!("category {}", cat.name), props, cases));
    }
    for (rule, cases) in report.rules.iter().zip(by_rule) {
        let mut props = vec![("severity".to_string(), rule.severity.word().to_string())];
        if let Some(s) = &rule.section {
            props.push(("section".into(), s.clone()));
        }
        if let Some(q) = &rule.quote {
            props.push(("quote".into(), q.clone()));
        }
        if let Some(d) = &rule.due {
            props.push(("due".into(), d.clone()));
        }
        suites.push((rule.name.clone(), props, cases));
    }
    let total: usize = suites.iter().map(|s| s.2.len()).sum();
    let count = |el: &str| -> usize {
        suites
            .iter()
            .flat_map(|s| &s.2)
            .filter(|c| c.verdict.as_ref().is_some_and(|v| v.0 == el))
            .count()
    };
    let mut out = String::new();
    let _ = writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        out,
        r#"<testsuites name="mandate {}" tests="{total}" failures="{}" errors="{}" skipped="{}">"#,
        xml(report.guide),
        count("failure"),
        count("error"),
        count("skipped"),
    );
    for (name, props, cases) in &suites {
        write_suite(&mut out, name, props, cases);
    }
    let _ = writeln!(out, "</testsuites>");
    out
}
