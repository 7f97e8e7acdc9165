//! Two constructs through every command a district runs (`check`, `lint` with `--near`, `explain`,
//! `calendar`, `diff` with `--data`): a threshold by level in one category condition
//! (`tests/fixtures/lint/per_level_threshold/`), and rules about districts beside rules about
//! schools (`policies/examples/el-title1/` on `samples/el-title1/`). School days have their own
//! file, `tests/school_days.rs`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

mod common;

/// `mandate ARGS` from the crate root: exit code, standard output and standard error.
use common::mandate_text as mandate;

const LEVEL: &str = "tests/fixtures/lint/per_level_threshold/case.policy";
const LEVEL_REVISED: &str = "tests/fixtures/lint/per_level_threshold/revised.policy";
const LEVEL_DATA: &str = "tests/fixtures/lint/per_level_threshold/data";
const TITLE1: &str = "policies/examples/el-title1/el-title1.policy";
const TITLE1_DATA: &str = "samples/el-title1";

#[test]
fn a_threshold_by_level_gives_each_school_its_own_distance() {
    let (code, _, err) = mandate(&["check", LEVEL, LEVEL_REVISED]);
    assert_eq!(code, 0, "{err}");

    // --near: each school against its own level's threshold (E2 is 5 points above 70%: not near).
    let (code, out, err) = mandate(&[
        "lint",
        LEVEL,
        LEVEL_DATA,
        "--as-of",
        "2024-02-15",
        "--near",
        "2%",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let near: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("near threshold") && l.contains(" PHBAO: "))
        .collect();
    assert_eq!(near.len(), 3, "{out}");
    // Two thresholds on the path: each distance after its comparison; near by the nearer (E1's
    // white share is 1 point above 30%, its HBAO share 9 above 60%).
    assert!(out.contains("near threshold: E1 MIXED: hbao_share > 60% and white_share > 30% (hbao_share is 69%, white_share is 31%) → true (hbao_share > 60%: 22 hbao_resident above the line (the share stays above the threshold with 22 fewer); white_share > 30%: 1 white_resident above the line (the share stays above the threshold with 1 fewer))"), "{out}");
    assert!(!out.contains("near threshold: E2 MIXED"), "{out}");
    assert!(
        near[0].starts_with("near threshold: E1 PHBAO")
            && near[0].ends_with("(would need 4 more hbao_resident to qualify)"),
        "{out}"
    );
    assert!(near[1].starts_with("near threshold: S1 PHBAO") && near[1].ends_with("(2 hbao_resident above the line (the share stays above the threshold with 2 fewer))"), "{out}");
    assert!(
        near[2].starts_with("near threshold: S2 PHBAO")
            && near[2].ends_with("(would need 3 more hbao_resident to qualify)"),
        "{out}"
    );

    // explain: the distance to the comparison on the school's path (secondary: 60%, not 70%).
    let (code, out, err) = mandate(&[
        "explain",
        LEVEL,
        LEVEL_DATA,
        "--as-of",
        "2024-02-15",
        "--school",
        "S2",
        "--school",
        "E2",
    ]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("per_level_explain", out);

    // calendar: a policy with no dates has an empty calendar, and says which.
    let (code, out, err) = mandate(&["calendar", LEVEL, "--format", "text"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "TEST-PER-LEVEL A threshold by level\n");

    // diff: the secondary threshold lowered to 55% takes S2 (59%) in.
    let (code, out, err) = mandate(&["diff", LEVEL, LEVEL_REVISED, "--data", LEVEL_DATA]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("level == secondary and hbao_share > 60% → level == elementary"),
        "{out}"
    );
    assert!(out.contains("S2: PHBAO: not a member → member"), "{out}");
    assert!(out.contains("(1 school differ)"), "{out}");
}

#[test]
fn rules_per_district_run_beside_rules_per_school() {
    let (code, out, err) = mandate(&["check", TITLE1]);
    assert_eq!(code, 0, "{out}{err}");

    let (code, out, err) = mandate(&[
        "lint",
        TITLE1,
        TITLE1_DATA,
        "--as-of",
        "2023-11-15",
        "--near",
        "2%",
        "--format",
        "concise",
    ]);
    assert_eq!(code, 1, "{err}");
    let district: Vec<&str> = out.lines().filter(|l| l.contains(" D")).collect();
    assert!(
        district
            .iter()
            .any(|l| l.contains("D3 reserve_one_percent violation")),
        "{out}"
    );
    assert!(
        district
            .iter()
            .any(|l| l.contains("D3 within_allocation violation")),
        "{out}"
    );
    assert!(!out.contains("D1 "), "{out}");
    assert!(!out.contains("near threshold"), "{out}");

    let (code, out, err) = mandate(&[
        "explain",
        TITLE1,
        TITLE1_DATA,
        "--as-of",
        "2023-11-15",
        "--school",
        "D2",
        "--school",
        "D3",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains(
            "reserve_one_percent (error): not applicable — applies to allocation > $500,000"
        ),
        "{out}"
    );
    assert!(out.contains("to_title1_schools = $990,000.02"), "{out}");

    let (code, out, err) = mandate(&["calendar", TITLE1, "--format", "text"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("set by each row's data:"), "{out}");

    // diff: the reservation threshold lowered to $450,000 makes D2 ($480,000) owe one.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(TITLE1).unwrap();
    let revised_text = text.replace("for allocation > $500,000:", "for allocation > $450,000:");
    assert_ne!(text, revised_text);
    let revised = dir.path().join("el-title1-revised.policy");
    std::fs::write(&revised, revised_text).unwrap();
    let (code, out, err) = mandate(&[
        "diff",
        TITLE1,
        revised.to_str().unwrap(),
        "--data",
        TITLE1_DATA,
    ]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("per_district_diff", out);
}
