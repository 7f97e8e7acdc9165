//! Privacy crosses every output (SECURITY.md): a policy that reads private fields in every way the
//! language allows (counts, filters in measures and in per-row rules, `count distinct`, an entity's
//! own private field in a condition), run through every command and format, on data whose private
//! values are markers. No marker may appear in anything printed. The constructs that would print a
//! private value are refused by the checker (tests/fixtures/check/err/private_values.policy).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

use std::path::Path;
use std::process::Command;

const POLICY: &str = r#"guide P-1 {
  title "privacy"
  issued 1/1/2024
  year 2023-2024
}
type level = {elementary, secondary}
record school key id {
  id: text
  name: text
  level: level
  secret_score: number private
  opened: date private optional
}
record student {
  school: school
  student_name: text private
  dob: date private
  grade: number
  enrolled: date optional
}
section "S" {
  measure named_x = count student where student_name == "Zora Filtername"
  measure young = count student where dob >= 1/1/2009
  measure distinct_names = count distinct student.student_name
  measure share_young = young / distinct_names exact
  category YOUNG when share_young > 10%
  window term = November 13-17, 2023
  should in_term: each student where dob < 1/1/2020 has enrolled within term
  must few_x: named_x < 1
  must graded: each student where student_name != "y" and dob < 1/1/2020 has grade >= 1
  must high: secret_score > 10000
  should low: secret_score < 0 or named_x > 5
  must quiet for YOUNG: distinct_names < 1
  must certify: student where student_name != "Zora Filtername" has enrolled by 1/31/2024
}
"#;

/// The private values in the data; none may be printed.
const MARKERS: &[&str] = &[
    "Zelda",
    "Secretname",
    "Quentin",
    "4/7/2009",
    "2009-04-07",
    "April 7, 2009",
    "9/9/2009",
    "2009-09-09",
    "977",
    "1999",
    "not-a-date",
];

fn mandate(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_mandate"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.code().is_some_and(|c| c <= 2),
        "mandate {}: {text}",
        args.join(" ")
    );
    text
}

#[test]
fn no_output_of_any_command_shows_a_private_value() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("p.policy"), POLICY).unwrap();
    std::fs::write(
        d.join("q.policy"),
        POLICY
            .replace("named_x < 1", "named_x < 2")
            .replace("10%", "20%"),
    )
    .unwrap();
    // `data` reads cleanly, so every measure has a value; `bad` has data errors in private cells.
    for (folder, schools, students) in [
        (
            "data",
            "id,name,level,secret_score,opened\nS1,One,elementary,977,1999-01-01\n",
            "school,student_name,dob,grade,enrolled\n\
             S1,Zelda Secretname,4/7/2009,0,2/1/2024\n\
             S1,Quentin Secretname,9/9/2009,1,11/14/2023\n",
        ),
        (
            "bad",
            "id,name,level,secret_score,opened\nS1,One,elementary,977,1999-01-01\n\
             S2,Two,secondary,bad977,not-a-date\n",
            "school,student_name,dob,grade,enrolled\n\
             S1,Zelda Secretname,4/7/2009,0,2/1/2024\n\
             S1,Quentin Secretname,not-a-date,1,\n\
             S1,Quentin Secretname,9/9/2009,x,11/14/2023\n\
             S2,Zelda Secretname,2009-09-09,0,12/1/2023\n",
        ),
    ] {
        std::fs::create_dir(d.join(folder)).unwrap();
        std::fs::write(d.join(folder).join("school.csv"), schools).unwrap();
        std::fs::write(d.join(folder).join("student.csv"), students).unwrap();
    }
    std::fs::write(
        d.join("p.test.yaml"),
        "policy: p.policy\nas_of: 2024-02-15\ncases:\n  - name: fails on purpose\n    data:\n      \
         school: [{id: S1, name: One, level: elementary, secret_score: 977}]\n      \
         student: [{school: S1, student_name: Zelda Secretname, dob: 2009-04-07, grade: 0}]\n    \
         expect:\n      S1: {YOUNG: not_member, findings: []}\n",
    )
    .unwrap();
    let as_of = ["--as-of", "2024-02-15"];
    let mut runs: Vec<(String, String)> = Vec::new();
    let mut run = |args: &[&str]| runs.push((args.join(" "), mandate(d, args)));
    run(&["check", "p.policy"]);
    for data in ["data", "bad"] {
        for format in ["human", "json", "csv", "junit"] {
            run(&[&["lint", "p.policy", data, "--format", format][..], &as_of].concat());
        }
        run(&[&["lint", "p.policy", data, "--near", "50%"][..], &as_of].concat());
        for school in ["S1", "S2"] {
            run(&[
                &["explain", "p.policy", data, "--school", school][..],
                &as_of,
            ]
            .concat());
            run(&[
                &["explain", "p.policy", data, "--json", "--school", school][..],
                &as_of,
            ]
            .concat());
        }
        for format in ["human", "json"] {
            run(&[
                &[
                    "diff", "p.policy", "q.policy", "--data", data, "--format", format,
                ][..],
                &as_of,
            ]
            .concat());
        }
    }
    run(&["test", "p.test.yaml"]);
    for format in ["text", "ics"] {
        run(&["calendar", "p.policy", "--format", format]);
    }
    // The runs did something: findings, an explanation, a failed test, data errors.
    let all: String = runs.iter().map(|(_, t)| t.as_str()).collect();
    assert!(all.contains("few_x"), "{all}");
    assert!(all.contains("fails on purpose"), "{all}");
    assert!(all.contains("expected a date"), "{all}");
    if std::env::var_os("PRIVACY_SHOW").is_some() {
        eprintln!("{all}");
    }
    for (args, text) in &runs {
        for m in MARKERS {
            assert!(
                !text.contains(m),
                "`mandate {args}` printed the private value {m:?}:\n{text}"
            );
        }
    }
}
