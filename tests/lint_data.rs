//! Lint runs on small data sets, one folder per case under `tests/fixtures/lint/<case>/`:
//!
//! | file | what it is |
//! |---|---|
//! | `case.policy` | the policy (may include `policies/lausd/common/lausd.policy`); without it, the real `policies/lausd/2023-24/ref-1028.19.policy` |
//! | `data/` | the data set |
//! | `data_*/` | optional: other data sets that must give the same findings and categories, with no data errors (warnings allowed): YAML, JSON, pre-counted rows, a messy spreadsheet export |
//! | `as_of` | optional: the evaluation date, `2024-01-31`; 2024-02-15 without it |
//! | `generate` | optional: files the test writes into a scratch copy of `data/`: `binary FILE`, or `garbage FILE LINES` (keeps the header, appends garbage lines) |
//! | `expect` | optional: `ENTITY NAME OUTCOME` lines: a category's state (`notice_1_of_2`) or a rule's outcome as `explain` gives it (`ok`, `late`, `not applicable`) |
//!
//! The snapshot holds the rendered data errors and findings (as `mandate lint` prints them) and
//! each school's categories. A new case is a new folder.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use common::{Run, date, run};
use mandate::check::model::Severity;
use mandate::data::ERRORS_PER_COLUMN;
use mandate::eval::CategoryState;

const FIXTURES: &str = "tests/fixtures/lint";
const AS_OF: &str = "2024-02-15";
/// The text every private value in the fixtures starts with (student names).
const PRIVATE: &str = "PRIVATE";

struct Case {
    name: String,
    policy: String,
    as_of: String,
    /// `data/` first, then the other `data_*` folders in name order.
    data: Vec<PathBuf>,
    generate: Vec<String>,
    expect: Vec<String>,
}

/// The non-comment, non-blank lines of an optional file.
fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

fn case(abs: &Path) -> Case {
    let name = abs.file_name().unwrap().to_str().unwrap().to_string();
    // Relative to the crate root, so that outputs hold no absolute path.
    let dir = Path::new(FIXTURES).join(&name);
    let policy = if dir.join("case.policy").exists() {
        dir.join("case.policy").display().to_string()
    } else {
        common::POLICY.to_string()
    };
    let as_of = lines(&dir.join("as_of"))
        .into_iter()
        .next()
        .unwrap_or_else(|| AS_OF.to_string());
    let mut data: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .filter(|p| {
            let n = p.file_name().unwrap().to_str().unwrap();
            n == "data" || n.starts_with("data_")
        })
        .map(|p| dir.join(p.file_name().unwrap()))
        .collect();
    data.sort();
    assert_eq!(
        data.first().and_then(|d| d.file_name()),
        Some("data".as_ref()),
        "{name}: a case needs a data/ folder"
    );
    Case {
        generate: lines(&dir.join("generate")),
        expect: lines(&dir.join("expect")),
        name,
        policy,
        as_of,
        data,
    }
}

/// Random-looking bytes with NULs: not text in any format.
fn binary_bytes() -> Vec<u8> {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 32) as u8
        })
        .collect()
}

/// `lines` lines of printable garbage, no quotes: wrong ids, enum values, dates, field counts.
fn garbage_lines(lines: usize) -> String {
    let words = [
        "E1",
        "E9",
        "zz",
        "first",
        "third",
        "2023-13-45",
        "11/14/23",
        "",
        "NaN",
        "Ω",
        "E2",
        "2024-03-05",
        "second",
        "x y z",
        "-1",
        "null",
    ];
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut out = String::new();
    for _ in 0..lines {
        let fields = 1 + (next() % 5) as usize;
        let cells: Vec<&str> = (0..fields)
            .map(|_| words[(next() % words.len() as u64) as usize])
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// A scratch copy of `data` with the generated files written into it.
fn generated(case: &Case, data: &Path) -> PathBuf {
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("lint")
        .join(&case.name)
        .join(data.file_name().unwrap());
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    for e in std::fs::read_dir(data).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, scratch.join(p.file_name().unwrap())).unwrap();
    }
    for g in &case.generate {
        let words: Vec<&str> = g.split_whitespace().collect();
        match words.as_slice() {
            ["binary", file] => std::fs::write(scratch.join(file), binary_bytes()).unwrap(),
            ["garbage", file, n] => {
                let path = scratch.join(file);
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                let header = text.lines().next().unwrap_or("");
                let body = garbage_lines(n.parse().unwrap());
                std::fs::write(&path, format!("{header}\n{body}")).unwrap();
            }
            _ => panic!("{}: cannot read generate line `{g}`", case.name),
        }
    }
    scratch
}

/// Replaces the scratch folder's path in every message, before rendering, so the text wraps the
/// same wherever the target directory is.
fn redact(run: &mut Run, from: &Path, to: &str) {
    let from = from.display().to_string();
    let fix = |s: &mut String| *s = s.replace(&from, to);
    for e in &mut run.ev.data_errors {
        fix(&mut e.file);
        fix(&mut e.message);
        if let Some(h) = &mut e.help {
            fix(h);
        }
    }
    for f in &mut run.ev.findings {
        fix(&mut f.message);
        if let Some(d) = &mut f.data {
            fix(&mut d.file);
        }
    }
    for x in &mut run.ev.explanations {
        x.retention.iter_mut().for_each(fix);
    }
    for g in &mut run.ev.gaps {
        fix(&mut g.cause);
    }
}

/// Evaluates the case on one of its data folders.
fn lint(case: &Case, data: &Path) -> Run {
    let as_of = date(&case.as_of);
    if case.generate.is_empty() {
        return run(&case.policy, &[data.to_path_buf()], as_of);
    }
    let scratch = generated(case, data);
    let mut r = run(&case.policy, std::slice::from_ref(&scratch), as_of);
    redact(&mut r, &scratch, &format!("<tmp>/{}", case.name));
    r
}

/// Findings and categories without their data locations: what must agree across formats.
fn outcomes(r: &Run) -> Vec<String> {
    let mut out: Vec<String> =
        r.ev.findings
            .iter()
            .map(|f| {
                format!(
                    "{} {} {} {}: {}",
                    f.entity,
                    f.rule,
                    f.severity.word(),
                    f.status.word(),
                    f.message
                )
            })
            .collect();
    for x in &r.ev.explanations {
        for c in &x.categories {
            out.push(format!(
                "{} {}: {} {:?}",
                x.entity,
                c.name,
                c.state.key(),
                c.member
            ));
        }
        for m in &x.measures {
            out.push(format!("{} {} = {}", x.entity, m.name, m.value));
        }
    }
    out
}

fn render(case: &Case, r: &Run) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "policy: {}", case.policy);
    let _ = writeln!(out, "as of: {}", case.as_of);
    for g in &case.generate {
        let _ = writeln!(out, "generated: {g}");
    }
    let _ = writeln!(out, "\n── lint ──\n");
    out.push_str(&r.human());
    let _ = writeln!(out, "\n── categories ──\n");
    for x in &r.ev.explanations {
        for c in &x.categories {
            let member = match c.member {
                Some(true) => "in this year",
                Some(false) => "not in this year",
                None => "undetermined",
            };
            let _ = writeln!(
                out,
                "{} {}: {} ({member}): {}",
                x.entity,
                c.name,
                c.state.key(),
                c.reason
            );
            for line in c.distance.iter().chain(&c.history) {
                let _ = writeln!(out, "    {line}");
            }
        }
    }
    out
}

/// What a state says about membership this year.
fn member_of(state: &CategoryState) -> Option<bool> {
    match state {
        CategoryState::Continuing
        | CategoryState::Notice { .. }
        | CategoryState::Member
        | CategoryState::MemberByHistory
        | CategoryState::ReclassifiedNextYear => Some(true),
        CategoryState::NewlyQualifying
        | CategoryState::Reclassified
        | CategoryState::NotMember
        | CategoryState::NotMemberByHistory => Some(false),
        CategoryState::Undetermined => None,
    }
}

/// With `MANDATE_UPDATE_EXPECT=1`, a case's `expect` file is rewritten to the actual outcomes
/// (same lines, comments kept, each outcome replaced) instead of compared: the one step that
/// accepts a deliberate rule change, read afterwards in `git diff` (see README, "For developers").
fn update_expectations(case: &Case, r: &Run) {
    let path = Path::new(FIXTURES).join(&case.name).join("expect");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return;
    };
    let mut out = String::new();
    for line in text.lines() {
        let t = line.trim();
        let mut words = t.splitn(3, ' ');
        match (words.next(), words.next(), words.next()) {
            (Some(entity), Some(name), Some(_)) if !t.starts_with('#') => {
                let got =
                    r.ev.explanations
                        .iter()
                        .find(|x| x.entity == entity)
                        .and_then(|x| x.categories.iter().find(|c| c.name == name))
                        .map(|c| c.state.key())
                        .unwrap_or_else(|| r.outcome(entity, name));
                let _ = writeln!(out, "{entity} {name} {got}");
            }
            _ => {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    std::fs::write(&path, out).unwrap();
}

fn check_expectations(case: &Case, r: &Run) {
    if std::env::var_os("MANDATE_UPDATE_EXPECT").is_some() {
        update_expectations(case, r);
        return;
    }
    for line in &case.expect {
        let mut words = line.splitn(3, ' ');
        let (Some(entity), Some(name), Some(want)) = (words.next(), words.next(), words.next())
        else {
            panic!("{}: cannot read expect line `{line}`", case.name);
        };
        let x =
            r.ev.explanations
                .iter()
                .find(|x| x.entity == entity)
                .unwrap_or_else(|| panic!("{}: no school {entity}", case.name));
        let got = match x.categories.iter().find(|c| c.name == name) {
            Some(c) => c.state.key(),
            None => r.outcome(entity, name),
        };
        assert_eq!(got, want, "{}: {entity} {name}", case.name);
    }
    for x in &r.ev.explanations {
        for c in &x.categories {
            assert_eq!(
                c.member,
                member_of(&c.state),
                "{}: {} {} is {:?} but member is {:?}",
                case.name,
                x.entity,
                c.name,
                c.state,
                c.member
            );
        }
    }
}

fn outputs(r: &Run) -> Vec<(&'static str, String)> {
    let mut out = vec![
        ("human", r.human()),
        ("json", r.json()),
        ("csv", r.csv()),
        ("junit", r.junit()),
        ("html", r.html()),
    ];
    for x in &r.ev.explanations {
        out.push(("explain", r.explain(&x.entity)));
    }
    out
}

#[test]
fn fixtures() {
    insta::glob!("fixtures/lint/*", |abs| {
        let case = case(abs);
        let runs: Vec<Run> = case.data.iter().map(|d| lint(&case, d)).collect();
        let first = &runs[0];

        check_expectations(&case, first);

        // Every data error names its file; row errors name the line and column.
        for e in &first.ev.data_errors {
            assert!(!e.file.is_empty(), "{}: {e:?}", case.name);
        }
        // A garbage file gives a bounded number of errors, not one per line.
        assert!(
            first.ev.data_errors.len() <= 8 * (ERRORS_PER_COLUMN + 1),
            "{}: {} data errors",
            case.name,
            first.ev.data_errors.len()
        );

        // No output shows a private value.
        for r in &runs {
            for (what, text) in outputs(r) {
                assert!(
                    !text.contains(PRIVATE),
                    "{}: {what} shows a private value",
                    case.name
                );
            }
            // JSON output is JSON.
            let j: serde_json::Value = serde_json::from_str(&r.json()).unwrap();
            assert_eq!(
                j["summary"]["errors"],
                r.ev.findings
                    .iter()
                    .filter(|f| f.severity == Severity::Error)
                    .count()
            );
        }

        // Other data sets of the same case agree with `data/`.
        let want = outcomes(first);
        for (d, r) in case.data.iter().zip(&runs).skip(1) {
            // Warnings (an export's extra columns) are allowed; errors are not.
            assert!(
                r.ev.data_errors.iter().all(|e| !e.is_error()),
                "{}: {} has data errors:\n{}",
                case.name,
                d.display(),
                r.human()
            );
            assert_eq!(
                outcomes(r),
                want,
                "{}: {} disagrees",
                case.name,
                d.display()
            );
        }

        insta::assert_snapshot!(render(&case, first));
    });
}

/// The formats case really is three formats, so its agreement means something.
#[test]
fn formats_case_holds_csv_yaml_and_json() {
    let dir = Path::new(FIXTURES).join("formats_agree");
    for (sub, ext) in [
        ("data", "csv"),
        ("data_yaml", "yaml"),
        ("data_json", "json"),
    ] {
        let files: Vec<String> = std::fs::read_dir(dir.join(sub))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_str().unwrap().to_string())
            .collect();
        assert_eq!(files.len(), 8, "{sub}");
        assert!(files.iter().all(|f| f.ends_with(ext)), "{sub}: {files:?}");
    }
    let r = lint(&case(&dir), &dir.join("data"));
    assert!(r.ev.data_errors.is_empty());
    assert!(r.ev.findings.len() >= 8, "too few findings to compare");
}

/// `explain` gives a rule's applicability whole: its section's `for` and its own, joined.
#[test]
fn explain_gives_the_whole_applicability() {
    let dir = Path::new(FIXTURES).join("applies_whole");
    let r = run(
        dir.join("case.policy").to_str().unwrap(),
        &[dir.join("data")],
        date(AS_OF),
    );
    let rules: Vec<String> = ["E1", "E3"]
        .iter()
        .map(|id| {
            let text = r.explain(id);
            let at = text.find("\nrules").unwrap_or(0);
            format!("{id}:{}", &text[at..])
        })
        .collect();
    insta::assert_snapshot!("applies_whole_explain", rules.join("\n"));
}
