//! A micro-benchmark of `mandate::data::stream` against the practical floor, a plain `csv`
//! `ByteRecord` scan of the same file.
//!
//! ```text
//! cargo run --release --example stream_bench -- [rows] [folder]
//! ```
//!
//! It writes a norm-day students extract of `rows` rows (default 1,000,000) and 500 schools into
//! `folder` (default: a folder under the system's temp directory), then times each way of reading
//! it, best of three.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a benchmark"
)]

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use mandate::check::model::{
    EnumId, EnumType, Field, FieldId, Record, RecordId, Schema, Type, Value,
};
use mandate::data::{discover, load_entities, stream};
use mandate::syntax::Span;

const SCHOOLS: usize = 500;
const ETHNICITY: [&str; 9] = [
    "hispanic",
    "black",
    "asian",
    "filipino",
    "pacific_islander",
    "american_indian",
    "two_or_more",
    "white",
    "not_reported",
];
const ENROLLMENT: [&str; 5] = [
    "resident",
    "traveling",
    "permit",
    "open_enrollment",
    "special_day_class",
];

fn field(name: &str, ty: Type, optional: bool, private: bool) -> Field {
    Field {
        name: name.into(),
        ty,
        optional,
        private,
        columns: Vec::new(),
        span: Span::default(),
    }
}

fn schema() -> Schema {
    let enum_type = |name: &str, values: &[&str]| EnumType {
        name: name.into(),
        values: values.iter().map(|v| (*v).to_string()).collect(),
        spellings: Vec::new(),
        span: Span::default(),
    };
    Schema {
        enums: vec![
            enum_type("level", &["elementary", "secondary"]),
            enum_type("ethnicity", &ETHNICITY),
            enum_type("enrollment", &ENROLLMENT),
        ]
        .into(),
        records: vec![
            Record {
                name: "school".into(),
                key: Some(FieldId(0)),
                dating: Default::default(),
                fields: vec![
                    field("id", Type::Text, false, false),
                    field("name", Type::Text, false, false),
                    field("level", Type::Enum(EnumId(0)), false, false),
                ]
                .into(),
                span: Span::default(),
            },
            Record {
                name: "student".into(),
                key: None,
                dating: Default::default(),
                fields: vec![
                    field("school", Type::Ref(RecordId(0)), false, false),
                    field("ethnicity", Type::Enum(EnumId(1)), false, false),
                    field("enrollment", Type::Enum(EnumId(2)), false, false),
                    field("headcount", Type::Weight, true, false),
                    field("extracted", Type::Date, true, false),
                    field("student_name", Type::Text, true, true),
                ]
                .into(),
                span: Span::default(),
            },
        ]
        .into(),
    }
}

fn generate(dir: &Path, rows: usize) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let mut schools = BufWriter::new(std::fs::File::create(dir.join("schools.csv")).unwrap());
    writeln!(schools, "id,name,level").unwrap();
    for s in 0..SCHOOLS {
        let level = if s % 3 == 0 {
            "secondary"
        } else {
            "elementary"
        };
        writeln!(schools, "{},School {s},{level}", 1000 + s).unwrap();
    }
    schools.flush().unwrap();
    let path = dir.join("students.csv");
    let mut out = BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(
        out,
        "school,ethnicity,enrollment,headcount,extracted,student_name"
    )
    .unwrap();
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    for i in 0..rows {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        // Extracts are sorted by school, as district systems write them.
        let school = 1000 + i * SCHOOLS / rows.max(1);
        let eth = ETHNICITY[(state % 9) as usize];
        let enr = ENROLLMENT[((state >> 8) % 5) as usize];
        writeln!(
            out,
            "{school},{eth},{enr},1,9/15/2023,\"Student {}, {}\"",
            state % 100_000,
            i
        )
        .unwrap();
    }
    out.flush().unwrap();
    path
}

/// The floor: every record read into one reused `ByteRecord`, nothing decoded.
fn plain_scan(path: &Path) -> u64 {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(path)
        .unwrap();
    let mut record = csv::ByteRecord::new();
    let mut rows = 0u64;
    while reader.read_byte_record(&mut record).unwrap() {
        rows += 1;
    }
    rows
}

fn best_of_three(label: &str, rows: u64, mut run: impl FnMut() -> u64) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..3 {
        let start = Instant::now();
        let n = run();
        let secs = start.elapsed().as_secs_f64();
        assert_eq!(n, rows, "{label}: read {n} rows, expected {rows}");
        best = best.min(secs);
    }
    let rate = rows as f64 / best;
    println!("{label:<44} {best:>7.3} s  {:>6.2} M rows/s", rate / 1e6);
    rate
}

fn main() {
    let mut args = std::env::args().skip(1);
    let rows: usize = args
        .next()
        .map_or(1_000_000, |a| a.parse().expect("a row count"));
    let dir = args.next().map_or_else(
        || std::env::temp_dir().join("mandate-stream-bench"),
        PathBuf::from,
    );
    let path = generate(&dir, rows);
    let size = std::fs::metadata(&path).unwrap().len();
    println!(
        "{rows} rows, {:.1} MB in {}",
        size as f64 / 1e6,
        path.display()
    );
    let schema = schema();
    let (data, mut errors) = discover(&schema, std::slice::from_ref(&dir));
    let entities = load_entities(&schema, &data, &mut errors, &mut Vec::new());
    assert!(errors.is_empty(), "{errors:?}");
    let rows = rows as u64;
    let floor = best_of_three("plain csv ByteRecord scan", rows, || plain_scan(&path));
    let student = RecordId(1);
    let run = |label: &str, wanted: &[bool]| {
        let rate = best_of_three(label, rows, || {
            let mut errors = Vec::new();
            let mut n = 0u64;
            let mut resident = 0u64;
            stream(
                &schema,
                student,
                &data,
                &entities,
                wanted,
                &mut errors,
                |row| {
                    n += 1;
                    if row.values[2] == Value::Enum(EnumId(2), 0) {
                        resident += 1;
                    }
                },
            );
            assert!(errors.is_empty(), "{errors:?}");
            std::hint::black_box(resident);
            n
        });
        println!("{:<44} {:>7.2}x the floor's time", "", floor / rate);
    };
    run(
        "stream: school, ethnicity, enrollment",
        &[true, true, true, false, false, false],
    );
    run("stream: every field (6, one text)", &[true; 6]);
}
