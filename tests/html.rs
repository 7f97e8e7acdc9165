//! `lint --format html` on small data sets, one folder per case under `tests/fixtures/html/<case>/`
//! (`case.policy`, `data/`, and optionally `as_of`, as in `tests/fixtures/lint`).
//!
//! The snapshot holds the page with one tag per line (so that a change shows as a small diff), and
//! the inline style and script left out (they are the same for every page). The browser test
//! (`tests/browser/`) loads the sample district's page in Chromium.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

mod common;

use common::{date, run};

/// One tag per line; the style sheet and the script replaced by their length.
fn readable(html: &str) -> String {
    let mut s = html.to_string();
    for (open, close) in [("<style>", "</style>"), ("<script>", "</script>")] {
        if let (Some(a), Some(b)) = (s.find(open), s.find(close)) {
            let len = b - a - open.len();
            s.replace_range(a + open.len()..b, &format!("/* {len} bytes */"));
        }
    }
    s.replace("><", ">\n<")
}

#[test]
fn fixtures() {
    insta::glob!("fixtures/html/*", |abs| {
        let name = abs.file_name().unwrap().to_str().unwrap();
        let dir = std::path::Path::new("tests/fixtures/html").join(name);
        let as_of = std::fs::read_to_string(dir.join("as_of"))
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|_| "2024-02-15".into());
        let r = run(
            dir.join("case.policy").to_str().unwrap(),
            &[dir.join("data")],
            date(&as_of),
        );
        let html = r.html();

        // Self-contained: no address to fetch, a policy that forbids fetching.
        assert!(
            !html.contains("http:") && !html.contains("https:"),
            "{name}"
        );
        assert!(html.contains("Content-Security-Policy"));
        assert!(html.starts_with("<!DOCTYPE html><html lang=\"en\">"));
        // Text from the policy and the data is escaped.
        assert!(!html.contains("<script>alert"), "{name}: unescaped data");
        assert!(!html.contains("<b>now"), "{name}: unescaped policy text");
        // No private value.
        assert!(!html.contains("PRIVATE"), "{name}: a private value");
        // As many finding rows as findings, school rows as schools.
        assert_eq!(html.matches("data-finding=").count(), r.ev.findings.len());
        assert_eq!(html.matches("<tr data-school=").count(), r.ev.entities);
        // The same input gives the same bytes.
        assert_eq!(html, r.html(), "{name}: not deterministic");

        insta::assert_snapshot!(readable(&html));
    });
}

#[test]
fn sample_district_counts_agree_with_json() {
    let r = common::sample("2024-02-15");
    let html = r.html();
    let json: serde_json::Value = serde_json::from_str(&r.json()).unwrap();
    let findings = json["findings"].as_array().unwrap().len();
    assert_eq!(html.matches("data-finding=").count(), findings);
    assert_eq!(
        html.matches("<tr data-school=").count() as u64,
        json["summary"]["entities"].as_u64().unwrap()
    );
    assert!(!html.contains("http:") && !html.contains("https:"));
    // Every rule of the policy has a row in the rules table.
    for rule in &r.model.rules {
        assert!(
            html.contains(&format!("<tr data-rule=\"{}\"", rule.name)),
            "{}",
            rule.name
        );
    }
}
