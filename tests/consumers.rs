//! The report formats read by real consumers: the JSON validated against its JSON Schema
//! (`docs/lint-report.schema.json`) with Python's `jsonschema`, the CSV read with Python's `csv`
//! module, the JUnit XML with `junitparser`; their counts must agree
//! (`tests/consumers/check_reports.py`). Needs `python3 -m pip install -r
//! tests/consumers/requirements.txt` (`.ci/run` does it, and with `CI=true` the tests fail without
//! them; elsewhere they are skipped with a note, so that `cargo test` works on a fresh machine).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::path::Path;
use std::process::Command;

const POLICY: &str = "policies/lausd/2023-24/ref-1028.19.policy";

/// Lints `data` in JSON, CSV and JUnit, and has the consumers read all three.
fn agree(policy: &str, data: &str, extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    for (format, file) in [("json", "r.json"), ("csv", "r.csv"), ("junit", "r.xml")] {
        let out = Command::new(env!("CARGO_BIN_EXE_mandate"))
            .args([
                "lint",
                policy,
                data,
                "--as-of",
                "2024-02-15",
                "--format",
                format,
            ])
            .args(extra)
            .output()
            .unwrap();
        assert!(
            matches!(out.status.code(), Some(0..=2)) && !out.stdout.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::write(dir.path().join(file), &out.stdout).unwrap();
    }
    let p = |f: &str| dir.path().join(f).display().to_string();
    let out = Command::new("python3")
        .arg(Path::new("tests/consumers/check_reports.py"))
        .args([p("r.json"), p("r.csv"), p("r.xml")])
        .arg("docs/lint-report.schema.json")
        .output()
        .expect("python3 runs");
    let err = String::from_utf8_lossy(&out.stderr);
    if err.contains("ModuleNotFoundError") {
        // CI installs the consumers and must run them; elsewhere a machine without them says so
        // and goes on, so that `cargo test` works on a fresh machine.
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the consumers are not installed: python3 -m pip install -r tests/consumers/requirements.txt\n{err}"
        );
        eprintln!(
            "SKIPPED: the report consumers are not installed (python3 -m pip install -r tests/consumers/requirements.txt)"
        );
        return "ok: skipped".into();
    }
    assert!(out.status.success(), "{err}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn sample_district_reports_agree_across_formats() {
    let said = agree(POLICY, "samples/district", &["--near", "2", "--measures"]);
    if said == "ok: skipped" {
        return;
    }
    assert!(
        said.starts_with("ok: 43 entities, 16 rules, 78 findings"),
        "{said}"
    );
}

#[test]
fn damaged_data_reports_agree_across_formats() {
    // Rows that cannot be read, a file skipped: data errors and gaps in every format.
    for case in ["unreadable_rows", "file_skipped"] {
        let dir = format!("tests/fixtures/lint/{case}");
        let said = agree(&format!("{dir}/case.policy"), &format!("{dir}/data"), &[]);
        if said == "ok: skipped" {
            return;
        }
        assert!(said.starts_with("ok: "), "{said}");
        assert!(!said.contains(" 0 data errors"), "{case}: {said}");
    }
}
