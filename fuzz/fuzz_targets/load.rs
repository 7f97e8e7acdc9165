//! Any bytes as one data file (the first byte picks CSV, YAML or JSON) of a small schema, linted.
//! Nothing may panic, hang or overflow the stack; and a CSV file read in parts on threads must
//! give exactly what one pass gives (lint report, explanations, data errors, rows), on any number
//! of threads (a reader thread cutting it into parts, as small as the file allows).
//!
//! Run from the repository root (nightly): `cargo +nightly fuzz run load -- -max_len=4096`.

#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use mandate::check::model::Model;
use mandate::data::Split;
use mandate::eval::{Mode, Options, evaluate_with};
use mandate::report::findings::{LintReport, json};
use mandate::syntax::Sources;

const POLICY: &str = r#"guide F-1 {
  title "fuzz"
  issued 1/1/2024
  year 2023-2024
}
type level = {elementary, secondary}
type kind = {resident, permit}
record school key id {
  id: text
  name: text
  level: level
}
record student {
  school: school
  kind: kind
  student_name: text private
  dob: date optional
  score: number
  grade: int optional
  ok: bool optional
}
measure residents = count student where kind == resident
measure names = count distinct student.student_name
measure total = sum student.score
section "S" {
  must counted: residents >= 1 and names >= 0 and total >= 0
  should graded: each student where grade >= 3 has score > 0
  may young: each student has dob within term
  window term = August 1, 2023 .. June 30, 2024
}
"#;

fn model() -> &'static (Sources, Model) {
    static M: OnceLock<(Sources, Model)> = OnceLock::new();
    M.get_or_init(|| {
        let loaded = mandate::check::load_text(Path::new("fuzz.policy"), POLICY.to_string());
        let checked = mandate::check::check(&loaded);
        let model = checked.model.expect("the fuzz policy checks");
        (loaded.sources, model)
    })
}

fn folder() -> &'static PathBuf {
    static D: OnceLock<PathBuf> = OnceLock::new();
    D.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("mandate-fuzz-load-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("a scratch folder");
        std::fs::write(d.join("school.csv"), "id,name,level\nS1,One,elementary\nS2,Two,secondary\n")
            .expect("school.csv");
        d
    })
}

fn lint(split: Split) -> String {
    let (sources, model) = model();
    let as_of = NaiveDate::from_ymd_opt(2024, 2, 15).expect("a date");
    let ev = evaluate_with(
        model,
        sources,
        &[folder().clone()],
        &Options::at(as_of),
        Mode {
            split,
            explanations: true,
        },
    );
    let report = json(&LintReport::new("fuzz.policy", &model.guide.id, as_of, &ev));
    format!(
        "{report}\n{:#?}\n{:#?}\nrows {} entities {}",
        ev.explanations, ev.data_errors, ev.rows, ev.entities
    )
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let ext = match pick % 3 {
        0 => "csv",
        1 => "yaml",
        _ => "json",
    };
    let dir = folder();
    for old in ["student.csv", "student.yaml", "student.json"] {
        let _ = std::fs::remove_file(dir.join(old));
    }
    std::fs::write(dir.join(format!("student.{ext}")), body).expect("the data file");
    // One pass: no file is large enough to be read in parts.
    let one = lint(Split {
        threads: 1,
        min_bytes: u64::MAX,
        min_part_bytes: 0,
    });
    if ext == "csv" {
        for threads in [1, 2, 3] {
            let many = lint(Split {
                threads,
                min_bytes: 0,
                min_part_bytes: 0,
            });
            assert!(one == many, "{threads} threads differ from one pass:\n{one}\n---\n{many}");
        }
    }
});
