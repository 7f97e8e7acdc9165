//! The `mandate` binary: exit codes (0 clean, 1 error findings or diagnostics, 2 unreadable input),
//! where the summary goes, and the `--help` texts.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

use std::process::{Command, Output};

const POLICY: &str = "policies/lausd/2023-24/ref-1028.19.policy";
const COMMON: &str = "policies/lausd/common/lausd.policy";
const SAMPLE: &str = "samples/district";
const MALFORMED: &str = "tests/fixtures/cli/malformed.policy";
const UNKNOWN_NAME: &str = "tests/fixtures/cli/unknown_name.policy";

/// Runs `mandate ARGS` from the crate root, without colour, at a fixed width.
fn mandate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mandate"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .unwrap()
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited without a code")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// Asserts the exit code, showing what the command printed when it differs.
fn assert_exit(args: &[&str], want: i32) -> Output {
    let out = mandate(args);
    assert_eq!(
        code(&out),
        want,
        "mandate {}\n--- stdout\n{}\n--- stderr\n{}",
        args.join(" "),
        stdout(&out),
        stderr(&out)
    );
    out
}

#[test]
fn check_shipped_policies_is_0() {
    let out = assert_exit(&["check", POLICY, COMMON], 0);
    assert!(stderr(&out).contains(&format!("{POLICY}: ok")));
}

#[test]
fn check_malformed_policy_is_1() {
    let out = assert_exit(&["check", MALFORMED], 1);
    let err = stderr(&out);
    assert!(err.contains("malformed.policy:"), "{err}");
    assert!(err.contains(&format!("{MALFORMED}: failed")), "{err}");
    // A policy that parses but names something undefined is an error too.
    let out = assert_exit(&["check", UNKNOWN_NAME], 1);
    assert!(stderr(&out).contains("did you mean `conferences_held`?"));
}

#[test]
fn check_missing_file_is_2() {
    let out = assert_exit(&["check", "policies/no-such.policy"], 2);
    assert!(stderr(&out).contains("cannot read `policies/no-such.policy`"));
    // The worst outcome wins when several files are given.
    assert_exit(&["check", POLICY, "policies/no-such.policy"], 2);
}

#[test]
fn lint_sample_is_1_with_the_summary_on_stdout() {
    let out = assert_exit(&["lint", POLICY, SAMPLE, "--as-of", "2024-02-15"], 1);
    let text = stdout(&out);
    let last = text.lines().last().unwrap();
    // The counts are the sample's outcomes: a snapshot, so a rule change shows here as a diff.
    let (counts, time) = last.rsplit_once(", ").unwrap();
    insta::assert_snapshot!("lint_sample_summary", counts);
    assert!(time.ends_with("s)"), "{last}");
    // The table of schools, worst first, names each school beside its id.
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("E20 ") && l.contains("Sample Elementary 20")),
        "{text}"
    );
    assert!(!text.contains("Student 0"));
    // The US date form is accepted too, and gives the same findings.
    let us = assert_exit(&["lint", POLICY, SAMPLE, "--as-of", "2/15/2024"], 1);
    let without_time = |t: &str| t.rsplit_once(", ").map(|(a, _)| a.to_string()).unwrap();
    assert_eq!(without_time(&stdout(&us)), without_time(&text));
}

#[test]
fn lint_machine_formats_keep_stdout_clean() {
    let out = assert_exit(
        &[
            "lint",
            POLICY,
            SAMPLE,
            "--as-of",
            "2024-02-15",
            "--format",
            "json",
        ],
        1,
    );
    let j: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    insta::assert_json_snapshot!("lint_sample_json_summary", j["summary"]);
    // The summary goes to standard error, the same as the JSON's.
    let summary = stderr(&out);
    let e = j["summary"]["errors"].as_u64().unwrap();
    assert!(
        summary.starts_with(&format!("43 schools checked: {e} errors")),
        "{summary}"
    );
    // Filters: only warnings and errors of two schools.
    let out = assert_exit(
        &[
            "lint",
            POLICY,
            SAMPLE,
            "--as-of",
            "2024-02-15",
            "--format",
            "csv",
            "--severity",
            "warning",
            "--school",
            "E04",
            "--school",
            "E10",
        ],
        1,
    );
    let csv = stdout(&out);
    let rows: Vec<&str> = csv.lines().filter(|l| l.starts_with("finding,")).collect();
    // Only the two schools, only warnings and errors: the rows themselves are outcomes (snapshot).
    assert!(
        rows.iter()
            .all(|r| r.starts_with("finding,school,E04,") || r.starts_with("finding,school,E10,")),
        "{csv}"
    );
    assert!(rows.iter().all(|r| !r.contains(",info,")), "{csv}");
    insta::assert_snapshot!("lint_sample_csv_two_schools", rows.join("\n"));
    // The provenance names the options.
    assert!(csv.contains("provenance,,,,option,,,school=E04,"), "{csv}");
}

#[test]
fn lint_missing_data_folder_is_2() {
    let out = assert_exit(&["lint", POLICY, "samples/no-such-district"], 2);
    assert!(stderr(&out).contains("cannot read `samples/no-such-district`"));
    assert!(stdout(&out).is_empty());
}

#[test]
fn lint_with_only_data_errors_is_1() {
    // Two student rows with an unknown ethnicity are skipped and reported; their schools' shares
    // are undefined, not computed from the rows that remain. Both schools' PHBAO status this year
    // is decided by their history alone (E1 held and qualified: a failure now would be notice year
    // 1; E2 never held it: qualifying now would count only next year). The Norm Day rule reads
    // every student row, so with a row unread it cannot be decided: a warning each (its
    // severity), and so can't E2's measured magnet balance, whose shares count every student. Their
    // conference days have no attendance form: an error each. Their forms carry no participant
    // count (the file has no such column): participation_recorded is undetermined, a gap.
    let out = assert_exit(
        &[
            "lint",
            POLICY,
            "tests/fixtures/lint/unknown_ethnicity/data",
            "--as-of",
            "2024-02-15",
        ],
        1,
    );
    let text = stdout(&out);
    assert!(text.contains("did you mean `hispanic`?"), "{text}");
    assert!(
        text.contains(
            "2 schools checked: 2 errors, 5 warnings, 2 info; 5 undetermined; 2 data errors; 1 gap in the data"
        ),
        "{text}"
    );
}

#[test]
fn lint_with_no_school_data_is_2() {
    // An empty folder: nothing to check is not a pass.
    let empty = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-empty-data");
    std::fs::create_dir_all(&empty).unwrap();
    let out = assert_exit(&["lint", POLICY, empty.to_str().unwrap()], 2);
    assert!(stdout(&out).contains("no file holds `school` records"));
    // Rows whose schools are missing: the same.
    assert_exit(
        &["lint", POLICY, "tests/fixtures/lint/no_school_file/data"],
        2,
    );
}

#[test]
fn lint_with_a_policy_that_has_errors_is_2() {
    for policy in [MALFORMED, UNKNOWN_NAME] {
        let out = assert_exit(&["lint", policy, SAMPLE, "--as-of", "2024-02-15"], 2);
        assert!(
            stderr(&out).contains("the policy has errors; run `mandate check` on it"),
            "{}",
            stderr(&out)
        );
        assert!(stdout(&out).is_empty());
    }
    assert_exit(&["lint", "policies/no-such.policy", SAMPLE], 2);
}

#[test]
fn lint_with_bad_arguments_is_2() {
    let out = assert_exit(&["lint", POLICY, SAMPLE, "--as-of", "2/30/2024"], 2);
    assert!(stderr(&out).contains("`2/30/2024` is not a date"));
    assert_exit(&["lint", POLICY, SAMPLE, "--format", "xml"], 2);
}

#[test]
fn explain_exit_codes() {
    let out = assert_exit(
        &[
            "explain",
            POLICY,
            SAMPLE,
            "--school",
            "E21",
            "--as-of",
            "2024-02-15",
        ],
        0,
    );
    assert!(stdout(&out).starts_with("school E21 (Sample Elementary 21)\n"));
    let out = assert_exit(
        &[
            "explain",
            POLICY,
            SAMPLE,
            "--school",
            "E99",
            "--as-of",
            "2024-02-15",
        ],
        2,
    );
    assert!(stderr(&out).contains("no entity `E99` in the data"));
}

#[test]
fn fmt_check_shipped_policies_is_0() {
    let out = assert_exit(&["fmt", "--check", POLICY, COMMON], 0);
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
}

#[test]
fn help() {
    insta::assert_snapshot!("help", stdout(&assert_exit(&["--help"], 0)));
    insta::assert_snapshot!("lint_help", stdout(&assert_exit(&["lint", "--help"], 0)));
}

#[test]
fn lint_with_a_record_without_data_is_2() {
    // The fixture's event.csv is named event.csv.bak: the rule that reads events cannot be
    // decided, which the last lines say, and the run could not check what it was asked to.
    let out = assert_exit(
        &[
            "lint",
            "tests/fixtures/lint/record_absent/case.policy",
            "tests/fixtures/lint/record_absent/data",
            "--as-of",
            "2024-02-15",
        ],
        2,
    );
    let text = stdout(&out);
    assert!(
        text.contains("error: no data: no file holds `event` records"),
        "{text}"
    );
    assert!(text.contains("event.csv.bak"), "{text}");
}

#[test]
fn lint_with_a_must_rule_undetermined_is_1() {
    // An optional column absent: the deadline cannot be decided; it is a `must` rule.
    let out = assert_exit(
        &[
            "lint",
            "tests/fixtures/lint/column_absent/case.policy",
            "tests/fixtures/lint/column_absent/data",
            "--as-of",
            "2024-02-15",
        ],
        1,
    );
    assert!(stdout(&out).contains("1 undetermined"));
}

#[test]
fn unknown_school_and_missing_data_paths_are_2() {
    let out = assert_exit(
        &[
            "lint",
            POLICY,
            SAMPLE,
            "--as-of",
            "2024-02-15",
            "--school",
            "E2l",
        ],
        2,
    );
    assert!(
        stderr(&out).contains("did you mean `E20`?"),
        "{}",
        stderr(&out)
    );
    let out = assert_exit(&["explain", POLICY, SAMPLE, "--school", "E2l"], 2);
    assert!(
        stderr(&out).contains("did you mean `E20`?"),
        "{}",
        stderr(&out)
    );
    let out = assert_exit(&["diff", POLICY, POLICY, "--data", "no-such-folder"], 2);
    assert!(stderr(&out).contains("no-such-folder"), "{}", stderr(&out));
}

#[test]
fn the_same_file_twice_is_a_data_error() {
    let out = assert_exit(
        &[
            "lint",
            POLICY,
            SAMPLE,
            "./samples/district/student.csv",
            "--as-of",
            "2024-02-15",
            "--format",
            "json",
        ],
        1,
    );
    let text = stdout(&out);
    assert!(text.contains("is given twice; it is read once"), "{text}");
    // Read once: the same findings as the sample alone.
    let alone = assert_exit(
        &[
            "lint",
            POLICY,
            SAMPLE,
            "--as-of",
            "2024-02-15",
            "--format",
            "json",
        ],
        1,
    );
    let counts = |o: &Output| {
        let j: serde_json::Value = serde_json::from_str(&stdout(o)).unwrap();
        [
            "entities",
            "findings",
            "errors",
            "warnings",
            "info",
            "undetermined",
        ]
        .map(|k| j["summary"][k].clone())
    };
    assert_eq!(counts(&out), counts(&alone));
}

#[test]
fn explain_exits_as_lint_would_for_its_schools() {
    // E20 misses its second conference (an error); E01 is clean; E04 has warnings only. Which
    // school has what is the sample's outcome, so the codes are a snapshot; that explain and lint
    // agree on each is asserted.
    let mut table = Vec::new();
    for school in ["E01", "E04", "E20"] {
        let args = |cmd: &'static str| {
            vec![
                cmd,
                POLICY,
                SAMPLE,
                "--school",
                school,
                "--as-of",
                "2024-02-15",
            ]
        };
        let explain = code(&mandate(&args("explain")));
        let mut lint_args = args("lint");
        lint_args.extend(["--format", "junit"]);
        let lint = code(&mandate(&lint_args));
        assert_eq!(explain, lint, "{school}: explain {explain}, lint {lint}");
        table.push(format!("{school}: {explain}"));
    }
    insta::assert_snapshot!("explain_exit_codes_by_school", table.join("\n"));
}

#[test]
fn diff_exit_code_says_whether_the_revisions_differ() {
    let (a, b) = (
        "tests/fixtures/diff/r1.policy",
        "tests/fixtures/diff/r2-dates.policy",
    );
    // Always 0 without the flag; with it, 1 on a change and 0 on none.
    assert_exit(&["diff", a, b], 0);
    assert_exit(&["diff", a, b, "--exit-code"], 1);
    assert_exit(&["diff", a, a, "--exit-code"], 0);
    assert_exit(&["diff", a, b, "--exit-code", "--format", "json"], 1);
}

/// The sample district's default output, summary first, as the README's first screen shows it
/// (the run's time taken out).
#[test]
fn lint_sample_human_output() {
    let out = assert_exit(&["lint", POLICY, SAMPLE, "--as-of", "2024-02-15"], 1);
    let text = stdout(&out);
    let (body, time) = text.trim_end().rsplit_once(", ").unwrap();
    assert!(time.ends_with("s)"), "{time}");
    insta::assert_snapshot!(format!("{body}, TIME)\n"));
}

#[test]
fn lint_concise_is_one_line_per_finding() {
    let out = assert_exit(
        &[
            "lint",
            POLICY,
            SAMPLE,
            "--as-of",
            "2024-02-15",
            "--format",
            "concise",
        ],
        1,
    );
    let text = stdout(&out);
    // The lines are the sample's findings (outcomes): a snapshot, so a rule change is a diff.
    insta::assert_snapshot!("lint_sample_concise", text);
    // Every line: `place: entity rule status severity: message`, the place a file and a line.
    for l in text.lines() {
        let (place, rest) = l.split_once(": ").unwrap();
        let (file, line) = place.rsplit_once(':').unwrap();
        assert!(file.ends_with(".csv") && line.parse::<u32>().is_ok(), "{l}");
        let words: Vec<&str> = rest.split(' ').take(4).collect();
        assert!(words[3].ends_with(':'), "{l}");
    }
}

/// The roster of the sample district: each category's members and transitions.
#[test]
fn roster_of_the_sample_district() {
    // E21's PHBAO membership cannot be decided: exit 1, with a note on stderr.
    let out = assert_exit(&["roster", POLICY, SAMPLE, "--as-of", "2024-02-15"], 1);
    assert!(
        stderr(&out).contains("1 membership undetermined"),
        "{}",
        stderr(&out)
    );
    insta::assert_snapshot!(stdout(&out));
    // The CSV lists exactly the (category, school) pairs whose state lint's JSON gives as other
    // than plainly not a member, with the same state.
    let csv = stdout(&assert_exit(
        &[
            "roster",
            POLICY,
            SAMPLE,
            "--as-of",
            "2024-02-15",
            "--format",
            "csv",
        ],
        1,
    ));
    let mut from_roster: Vec<String> = csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(|r| {
            let r = r.unwrap();
            format!("{} {} {}", &r[0], &r[2], &r[5])
        })
        .collect();
    let json = stdout(&assert_exit(
        &[
            "lint",
            POLICY,
            SAMPLE,
            "--as-of",
            "2024-02-15",
            "--format",
            "json",
        ],
        1,
    ));
    let j: serde_json::Value = serde_json::from_str(&json).unwrap();
    let mut from_lint = Vec::new();
    for e in j["entities"].as_array().unwrap() {
        for c in e["categories"].as_array().unwrap() {
            let state = match c["state"].as_str().unwrap() {
                "notice" => format!("notice_{}_of_{}", c["year"], c["of"]),
                s => s.to_string(),
            };
            if state != "not_member" {
                from_lint.push(format!(
                    "{} {} {state}",
                    c["name"].as_str().unwrap(),
                    e["entity"].as_str().unwrap()
                ));
            }
        }
    }
    from_roster.sort();
    from_lint.sort();
    assert_eq!(from_roster, from_lint);
    // An unknown category is refused with a did-you-mean.
    let out = assert_exit(
        &[
            "roster",
            POLICY,
            SAMPLE,
            "--as-of",
            "2024-02-15",
            "--category",
            "PHBA0",
        ],
        2,
    );
    assert!(
        stderr(&out).contains("did you mean `PHBAO`?"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn lint_output_file_holds_what_stdout_would() {
    let dir = tempfile::tempdir().unwrap();
    let base = ["lint", POLICY, SAMPLE, "--as-of", "2024-02-15", "--format"];
    for format in ["json", "html"] {
        let file = dir.path().join(format!("report.{format}"));
        let file_arg = file.to_str().unwrap();
        let mut args = base.to_vec();
        args.extend([format, "-o", file_arg]);
        let to_file = assert_exit(&args, 1);
        assert_eq!(stdout(&to_file), "", "{format}: -o leaves stdout empty");
        assert!(stderr(&to_file).starts_with("43 schools checked"));
        let mut args = base.to_vec();
        args.push(format);
        let to_stdout = assert_exit(&args, 1);
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            stdout(&to_stdout),
            "{format}"
        );
    }
    // The page: one row per school, no address to fetch.
    let page = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert_eq!(page.matches("<tr data-school=").count(), 43);
    assert!(!page.contains("http:") && !page.contains("https:"));
    // A file that cannot be written is exit 2, and says why.
    let mut args = base.to_vec();
    args.extend(["html", "-o", "/nonexistent-folder/report.html"]);
    let out = assert_exit(&args, 2);
    assert!(
        stderr(&out).contains(
            "error: cannot write `/nonexistent-folder/report.html`: no such file or directory"
        ),
        "{}",
        stderr(&out)
    );
}

/// A report can be checked years later: it names what it read, with digests, and the same
/// inputs give byte-identical output.
#[test]
fn reports_are_reproducible_and_name_what_they_read() {
    let args = [
        "lint",
        POLICY,
        SAMPLE,
        "--as-of",
        "2024-02-15",
        "--format",
        "json",
    ];
    let a = stdout(&assert_exit(&args, 1));
    let b = stdout(&assert_exit(&args, 1));
    assert_eq!(a, b);
    let j: serde_json::Value = serde_json::from_str(&a).unwrap();
    let p = &j["provenance"];
    assert_eq!(
        p["mandate"],
        format!("mandate {}", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(p["options"], serde_json::json!(["severity=info"]));
    // The policy and its include, each digested.
    let policies: Vec<&str> = p["policy_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(policies.len(), 2, "{policies:?}");
    assert!(policies[1].ends_with("common/lausd.policy"), "{policies:?}");
    // Every data file, with its size and SHA-256 as an independent tool computes them.
    let files = p["data_files"].as_array().unwrap();
    assert_eq!(files.len(), 8);
    for f in files {
        let path = f["path"].as_str().unwrap();
        let bytes = std::fs::read(path).unwrap();
        assert_eq!(f["bytes"], bytes.len());
        let out = std::process::Command::new("sha256sum")
            .arg(path)
            .output()
            .unwrap();
        let sum = String::from_utf8(out.stdout).unwrap();
        assert_eq!(
            f["sha256"].as_str().unwrap(),
            sum.split(' ').next().unwrap()
        );
    }
}
