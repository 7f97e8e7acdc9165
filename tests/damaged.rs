//! Never confidently wrong: the sample district damaged in every way of three kinds (a file
//! removed, a column removed, a row made unreadable) gives, for every school and rule, either the
//! outcome the whole data gives or `undetermined`; never a violation where there was none, and
//! never ok where there was a violation.
//!
//! Every file and every column is damaged; rows are corrupted in a seeded sample of places (each
//! file's first, last and a few rows between, each of their cells in turn).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{POLICY, SAMPLE, date, run};

const AS_OF: &str = "2024-02-15";

/// (school, rule or category) → outcome: a rule's outcome word(s), a category's state.
fn outcomes(data: &Path) -> BTreeMap<(String, String), String> {
    let r = run(POLICY, &[data.to_path_buf()], date(AS_OF));
    let mut out = BTreeMap::new();
    for x in &r.ev.explanations {
        for rule in &x.rules {
            out.insert((x.entity.clone(), rule.rule.clone()), rule.outcome.clone());
        }
        for c in &x.categories {
            // Membership this year: its state may be known by history alone when this year's
            // share is not (`member_by_history` for `continuing`).
            let member = match c.member {
                Some(true) => "member",
                Some(false) => "not member",
                None => "undetermined",
            };
            out.insert(
                (x.entity.clone(), format!("category {}", c.name)),
                member.to_string(),
            );
        }
    }
    out
}

/// A copy of the sample in a fresh folder of its own.
fn copy(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("damaged")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for e in std::fs::read_dir(SAMPLE).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "csv") {
            std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
        }
    }
    dir
}

fn files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(SAMPLE)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_str().unwrap().to_string())
        .filter(|n| n.ends_with(".csv"))
        .collect();
    names.sort();
    names
}

fn read(dir: &Path, file: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(dir.join(file))
        .unwrap();
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn write(dir: &Path, file: &str, rows: &[Vec<String>]) {
    let mut w = csv::Writer::from_path(dir.join(file)).unwrap();
    for row in rows {
        w.write_record(row).unwrap();
    }
    w.flush().unwrap();
}

/// The outcomes on damaged data agree with the whole data's, or are undetermined.
fn agrees(
    whole: &BTreeMap<(String, String), String>,
    damaged: &BTreeMap<(String, String), String>,
    what: &str,
    bad: &mut Vec<String>,
) {
    for (key, got) in damaged {
        let Some(want) = whole.get(key) else {
            continue;
        };
        let undetermined = got.contains("undetermined");
        // A failing outcome (violation, late, overdue) must rest on data that was read: it may
        // neither appear nor vanish, only turn undetermined. Passing outcomes (ok, pending, not
        // applicable) may trade places: `ok` is also what a rule met whether or not it applies
        // says when its applicability cannot be decided.
        let fails = |o: &str| {
            ["violation", "late", "overdue"]
                .iter()
                .any(|w| o.contains(w))
        };
        let passes = |o: &str| !fails(o) && !o.contains("undetermined");
        let category = key.1.starts_with("category ");
        let same = got == want || (passes(got) && passes(want) && !category);
        if !same && !undetermined {
            bad.push(format!("{what}: {} {}: {want} became {got}", key.0, key.1));
        }
    }
}

#[test]
fn damaged_data_is_never_confidently_wrong() {
    let whole = outcomes(Path::new(SAMPLE));
    assert!(whole.len() > 400, "{}", whole.len());
    let mut bad = Vec::new();
    let mut cases = 0;
    for file in files() {
        // The file removed.
        let dir = copy("removed");
        std::fs::remove_file(dir.join(&file)).unwrap();
        agrees(
            &whole,
            &outcomes(&dir),
            &format!("{file} removed"),
            &mut bad,
        );
        cases += 1;

        let rows = read(Path::new(SAMPLE), &file);
        let width = rows[0].len();
        // Each column removed. (Not the headcount: the language defines a file without that
        // column as one row per student, which is what a student-level extract is.)
        for c in 0..width {
            if rows[0][c] == "headcount" {
                continue;
            }
            let dir = copy("column");
            let cut: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    let mut r = r.clone();
                    if c < r.len() {
                        r.remove(c);
                    }
                    r
                })
                .collect();
            write(&dir, &file, &cut);
            agrees(
                &whole,
                &outcomes(&dir),
                &format!("{file} without column {}", rows[0][c]),
                &mut bad,
            );
            cases += 1;
        }
        // Rows made unreadable, one cell at a time: the first row, the last, and a seeded few
        // between (SplitMix64), every cell of each.
        let n = rows.len() - 1;
        let mut seed = 0x9E37_79B9_7F4A_7C15u64 ^ (file.len() as u64);
        let mut next = || {
            seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = seed;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        let mut picks = vec![1, n];
        for _ in 0..3 {
            picks.push(1 + (next() as usize) % n);
        }
        picks.sort_unstable();
        picks.dedup();
        for &row in &picks {
            for c in 0..width {
                let dir = copy("row");
                let mut damaged = rows.clone();
                // A value no field of any type accepts, and no school's id.
                damaged[row][c] = "#N/A".into();
                write(&dir, &file, &damaged);
                agrees(
                    &whole,
                    &outcomes(&dir),
                    &format!("{file} line {} column {} unreadable", row + 1, rows[0][c]),
                    &mut bad,
                );
                cases += 1;
            }
        }
    }
    assert!(cases > 150, "{cases} cases");
    assert!(
        bad.is_empty(),
        "{} outcomes confidently wrong:\n{}",
        bad.len(),
        bad.join("\n")
    );
}
