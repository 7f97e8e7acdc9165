//! The data loaders against the LAUSD input schema, one fixture folder per case under
//! `tests/fixtures/data/<case>/`. Each case's snapshot holds the rendered errors (as a person sees
//! them) and the rows that loaded.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use mandate::check::model::{
    EnumId, EnumType, Field, FieldId, Record, RecordId, Schema, Severity, Type, Value,
};
use mandate::data::{
    DataError, DataSet, ERRORS_PER_COLUMN, Entities, discover, load_entities, stream,
};
use mandate::syntax::Span;
use miette::{GraphicalReportHandler, GraphicalTheme};

// ── the schema of policies/lausd/common/lausd.policy, built by hand ─────────────────────────────

const LEVEL: EnumId = EnumId(0);
const ETHNICITY: EnumId = EnumId(1);
const ENROLLMENT: EnumId = EnumId(2);
const MAGNET: EnumId = EnumId(3);
const CONFERENCE_NUMBER: EnumId = EnumId(4);
const SEMESTER: EnumId = EnumId(5);
const EVENT_KIND: EnumId = EnumId(6);

const SCHOOL: RecordId = RecordId(0);
const STUDENT: RecordId = RecordId(1);

fn enum_type(name: &str, values: &[&str]) -> EnumType {
    EnumType {
        name: name.into(),
        values: values.iter().map(|v| (*v).to_string()).collect(),
        spellings: Vec::new(),
        span: Span::default(),
    }
}

fn field(name: &str, ty: Type) -> Field {
    Field {
        name: name.into(),
        ty,
        optional: false,
        private: false,
        columns: Vec::new(),
        span: Span::default(),
    }
}

fn optional(name: &str, ty: Type) -> Field {
    Field {
        optional: true,
        ..field(name, ty)
    }
}

fn record(name: &str, key: Option<usize>, fields: Vec<Field>) -> Record {
    Record {
        name: name.into(),
        key: key.map(FieldId),
        dating: Default::default(),
        fields: fields.into(),
        span: Span::default(),
    }
}

fn lausd() -> Schema {
    let school = Type::Ref(SCHOOL);
    Schema {
        enums: vec![
            enum_type("level", &["elementary", "secondary"]),
            enum_type(
                "ethnicity",
                &[
                    "hispanic",
                    "black",
                    "asian",
                    "filipino",
                    "pacific_islander",
                    "american_indian",
                    "two_or_more",
                    "white",
                    "not_reported",
                ],
            ),
            enum_type(
                "enrollment",
                &[
                    "resident",
                    "traveling",
                    "permit",
                    "open_enrollment",
                    "special_day_class",
                ],
            ),
            enum_type("magnet", &["mag1", "mag2"]),
            enum_type("conference_number", &["first", "second"]),
            enum_type("semester", &["first", "second"]),
            enum_type("event_kind", &["back_to_school", "open_house", "other"]),
        ]
        .into(),
        records: vec![
            record(
                "school",
                Some(0),
                vec![
                    field("id", Type::Text),
                    field("name", Type::Text),
                    field("level", Type::Enum(LEVEL)),
                    optional("magnet", Type::Enum(MAGNET)),
                    optional("balance", Type::Ratio),
                ],
            ),
            record(
                "student",
                None,
                vec![
                    field("school", school),
                    field("ethnicity", Type::Enum(ETHNICITY)),
                    field("enrollment", Type::Enum(ENROLLMENT)),
                    optional("headcount", Type::Weight),
                    optional("extracted", Type::Date),
                    Field {
                        private: true,
                        columns: Vec::new(),
                        ..optional("student_name", Type::Text)
                    },
                ],
            ),
            record(
                "calendar",
                None,
                vec![
                    field("school", school),
                    field("class_start", Type::Date),
                    field("s1_progress_report", Type::Date),
                    field("s2_start", Type::Date),
                    field("s2_progress_report", Type::Date),
                ],
            ),
            record(
                "conference",
                None,
                vec![
                    field("school", school),
                    field("number", Type::Enum(CONFERENCE_NUMBER)),
                    field("date", Type::Date),
                ],
            ),
            record(
                "event",
                None,
                vec![
                    field("school", school),
                    field("kind", Type::Enum(EVENT_KIND)),
                    field("date", Type::Date),
                ],
            ),
            record(
                "certification",
                None,
                vec![
                    field("school", school),
                    field("semester", Type::Enum(SEMESTER)),
                    optional("completed", Type::Date),
                ],
            ),
            record(
                "norm_history",
                None,
                vec![
                    field("school", school),
                    field("year", Type::SchoolYear),
                    field("phbao", Type::Bool),
                    field("qualified", Type::Bool),
                ],
            ),
            record(
                "attendance_form",
                None,
                vec![
                    field("school", school),
                    field("date", Type::Date),
                    optional("discarded", Type::Date),
                ],
            ),
        ]
        .into(),
    }
}

// ── running a case ──────────────────────────────────────────────────────────────────────────────

/// What a data set loads to.
struct Loaded {
    errors: Vec<DataError>,
    /// Per row: its place and its values as text.
    rows: Vec<(String, String)>,
}

fn show(schema: &Schema, entities: &Entities, f: &Field, v: &Value) -> String {
    if f.private && *v != Value::Null {
        return "<private>".into();
    }
    match v {
        Value::Null => "-".into(),
        Value::Text(s) => format!("{s:?}"),
        Value::Int(n) => n.to_string(),
        Value::Number(r) => format!("{}/{}", r.num, r.den),
        Value::Bool(b) => b.to_string(),
        Value::Date(d) => d.to_string(),
        Value::Pair(a, b) => format!("{a}:{b}"),
        Value::Duration(d) => d.to_string(),
        Value::SchoolYear(y) => format!("{y}-{}", y + 1),
        Value::Enum(e, i) => schema.enum_type(*e).unwrap().values[*i as usize].clone(),
        Value::Ref(r, i) => format!("@{}", entities.id(*r, *i).unwrap()),
        Value::Set(e, items) => {
            let names: Vec<&str> = items
                .iter()
                .map(|i| schema.enum_type(*e).unwrap().values[*i as usize].as_str())
                .collect();
            format!("{{{}}}", names.join(", "))
        }
    }
}

fn row_text(schema: &Schema, entities: &Entities, rec: &Record, values: &[Value]) -> String {
    let cells: Vec<String> = rec
        .fields
        .iter()
        .zip(values)
        .map(|(f, v)| format!("{}={}", f.name, show(schema, entities, f, v)))
        .collect();
    format!("{} {}", rec.name, cells.join(" "))
}

fn relative(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

fn load(schema: &Schema, inputs: &[PathBuf]) -> Loaded {
    let (data, mut errors) = discover(schema, inputs);
    let entities = load_entities(schema, &data, &mut errors, &mut Vec::new());
    let mut rows = Vec::new();
    for (rid, rec) in schema.records.iter().enumerate() {
        let rid = RecordId(rid);
        if rec.key.is_some() {
            for i in 0..entities.len(rid) {
                let (file, pos) = entities.row_pos(rid, i as u32).unwrap();
                let values = &entities.rows(rid)[i];
                rows.push((
                    format!("{} {pos}", relative(file)),
                    row_text(schema, &entities, rec, values),
                ));
            }
            continue;
        }
        let wanted = vec![true; rec.fields.len()];
        stream(schema, rid, &data, &entities, &wanted, &mut errors, |row| {
            assert_eq!(row.values.len(), rec.fields.len());
            rows.push((
                format!("{} {}", relative(row.file), row.location()),
                row_text(schema, &entities, rec, row.values),
            ));
        });
    }
    Loaded { errors, rows }
}

fn render(errors: &[DataError]) -> String {
    let handler =
        GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100);
    let mut out = String::new();
    for e in errors {
        handler.render_report(&mut out, e).unwrap();
    }
    out
}

fn report(loaded: &Loaded) -> String {
    let mut out = String::new();
    let errors = loaded.errors.iter().filter(|e| e.is_error()).count();
    let warnings = loaded.errors.len() - errors;
    writeln!(out, "{errors} errors, {warnings} warnings").unwrap();
    out.push_str(&render(&loaded.errors));
    writeln!(out, "── rows ──").unwrap();
    for (place, text) in &loaded.rows {
        writeln!(out, "{place}: {text}").unwrap();
    }
    out
}

fn fixture(case: &str) -> PathBuf {
    PathBuf::from("tests/fixtures/data").join(case)
}

/// A fresh folder for generated files, under the target directory.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("data")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn redact(text: &str, dir: &Path) -> String {
    text.replace(&dir.display().to_string(), "<tmp>")
}

/// The errors with the scratch folder's path replaced, so that rendering wraps the same
/// wherever the target directory is.
fn redact_all(errors: &[DataError], dir: &Path) -> Vec<DataError> {
    errors
        .iter()
        .map(|e| DataError {
            file: redact(&e.file, dir),
            message: redact(&e.message, dir),
            help: e.help.as_deref().map(|h| redact(h, dir)),
            ..e.clone()
        })
        .collect()
}

// ── the tests ───────────────────────────────────────────────────────────────────────────────────

/// Every fixture folder: its errors and rows, as a person reads them.
#[test]
fn fixtures() {
    let schema = lausd();
    insta::glob!("fixtures/data/*", |dir| {
        let case = dir.file_name().unwrap().to_str().unwrap();
        let loaded = load(&schema, &[fixture(case)]);
        if case.starts_with("good_") {
            assert!(loaded.errors.is_empty(), "{}", render(&loaded.errors));
        } else {
            assert!(!loaded.errors.is_empty(), "{case} gave no diagnostic");
        }
        insta::assert_snapshot!(report(&loaded));
    });
}

/// The same data as CSV, YAML and JSON loads to the same rows.
#[test]
fn formats_agree() {
    let schema = lausd();
    let texts = |case: &str| -> Vec<String> {
        let loaded = load(&schema, &[fixture(case)]);
        assert!(loaded.errors.is_empty(), "{}", render(&loaded.errors));
        loaded.rows.into_iter().map(|(_, t)| t).collect()
    };
    let csv = texts("good_csv");
    assert_eq!(csv.len(), 3 + 4 + 2 + 3 + 2 + 2);
    assert_eq!(csv, texts("good_yaml"));
    assert_eq!(csv, texts("good_json"));
}

/// Files can be named one by one, and the same file given twice is read once.
#[test]
fn inputs_may_be_files() {
    let schema = lausd();
    let dir = fixture("good_csv");
    let inputs = [
        dir.join("schools.csv"),
        dir.join("conference.csv"),
        dir.clone(),
    ];
    let (data, errors) = discover(&schema, &inputs);
    assert!(errors.is_empty());
    assert_eq!(data.files.len(), 6);
    let (_, errors) = discover(&schema, &[dir.join("nowhere"), dir.join("missing.txt")]);
    insta::assert_snapshot!(render(&errors));
}

/// Only the wanted fields are parsed: a bad value elsewhere does not reject the row.
#[test]
fn only_wanted_fields_are_parsed() {
    let schema = lausd();
    let (data, mut errors) = discover(&schema, &[fixture("bom_crlf")]);
    let entities = load_entities(&schema, &data, &mut errors, &mut Vec::new());
    let mut seen = Vec::new();
    let wanted = [true, false, true];
    stream(
        &schema,
        STUDENT,
        &data,
        &entities,
        &wanted,
        &mut errors,
        |row| {
            assert_eq!(row.values[1], Value::Null);
            seen.push((row.line, row.values[0].clone()));
        },
    );
    assert!(errors.is_empty(), "{}", render(&errors));
    assert_eq!(
        seen,
        vec![
            (2, Value::Ref(SCHOOL, 0)),
            (3, Value::Ref(SCHOOL, 1)),
            (4, Value::Ref(SCHOOL, 1)),
        ]
    );
}

/// A binary file is one clear error, in every format.
#[test]
fn binary_files() {
    let schema = lausd();
    let dir = scratch("binary");
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    for name in ["students.csv", "events.json", "conference.yaml"] {
        std::fs::write(dir.join(name), &bytes).unwrap();
    }
    // Not UTF-8 but without NUL bytes: the CSV header is not text.
    let no_nul: Vec<u8> = bytes.iter().map(|b| b | 0x80).collect();
    std::fs::write(dir.join("certification.csv"), &no_nul).unwrap();
    let loaded = load(&schema, std::slice::from_ref(&dir));
    assert!(loaded.rows.is_empty());
    insta::assert_snapshot!(render(&redact_all(&loaded.errors, &dir)));
}

/// Bytes that are not UTF-8 in a data cell are read as Windows-1252, with one warning per file:
/// the school with an accented name loads, and a misspelt value is still an error.
#[test]
fn latin1_cells() {
    let schema = lausd();
    let dir = scratch("latin1");
    std::fs::write(
        dir.join("schools.csv"),
        b"id,name,level\nS1,Escuela Espa\xf1a,elementary\nS2,Beta,secondary\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("students.csv"),
        b"school,ethnicity,enrollment\nS2,hisp\xe1nic,resident\nS2,black,resident\n",
    )
    .unwrap();
    let loaded = load(&schema, std::slice::from_ref(&dir));
    assert_eq!(loaded.rows.len(), 3);
    assert!(
        loaded
            .rows
            .iter()
            .any(|(_, r)| r.contains("Escuela España"))
    );
    insta::assert_snapshot!(render(&redact_all(&loaded.errors, &dir)));
}

/// A large file of garbage: a bounded number of errors, no panic, the good rows still load.
#[test]
fn garbage_is_bounded() {
    let schema = lausd();
    let dir = scratch("garbage");
    std::fs::write(dir.join("schools.csv"), "id,name,level\nS1,A,elementary\n").unwrap();
    let mut text = String::from("school,ethnicity,enrollment,extracted\n");
    for i in 0..200_000 {
        let line = match i % 5 {
            0 => "no commas at all".to_string(),
            1 => format!("S1,martian{i},resident,"),
            2 => format!("S{i},hispanic,resident,"),
            3 => format!("S1,hispanic,resident,{}/{}/2024", i % 40, i % 13),
            _ => "S1,asian,resident,1/2/2024".to_string(),
        };
        text.push_str(&line);
        text.push('\n');
    }
    std::fs::write(dir.join("students.csv"), text).unwrap();
    let loaded = load(&schema, std::slice::from_ref(&dir));
    // 4 kinds of error (row, ethnicity, school, extracted), each capped, plus a summary each.
    assert!(
        loaded.errors.len() <= 4 * (ERRORS_PER_COLUMN + 1),
        "{}",
        loaded.errors.len()
    );
    let good = loaded
        .rows
        .iter()
        .filter(|(_, t)| t.starts_with("student"))
        .count();
    assert!(good >= 40_000, "{good}");
    let summaries: Vec<String> = loaded
        .errors
        .iter()
        .filter(|e| e.message.starts_with("and "))
        .map(|e| redact(&e.to_string(), &dir))
        .collect();
    insta::assert_snapshot!(summaries.join("\n"));
}

/// Random bytes with line breaks and commas: never a panic, never more than the cap per column.
#[test]
fn random_lines_never_panic() {
    let schema = lausd();
    let dir = scratch("random");
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut bytes = b"school,kind,date\n".to_vec();
    for _ in 0..300_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let b = (state >> 32) as u8;
        bytes.push(match b % 16 {
            0 => b'\n',
            1 | 2 => b',',
            3 => b'"',
            4 => b'\r',
            _ => b.max(1),
        });
    }
    std::fs::write(dir.join("events.csv"), &bytes).unwrap();
    std::fs::write(dir.join("schools.csv"), "id,name,level\n").unwrap();
    let loaded = load(&schema, std::slice::from_ref(&dir));
    assert!(!loaded.errors.is_empty());
    // Per column (and for rows) the cap and a summary, plus the one note that the file is not
    // UTF-8.
    assert!(
        loaded.errors.len() <= 4 * (ERRORS_PER_COLUMN + 1) + 1,
        "{}",
        loaded.errors.len()
    );
}

/// A private field's value never appears in a message.
#[test]
fn private_values_are_hidden() {
    let schema = Schema {
        enums: vec![enum_type("relation", &["mother", "father", "guardian"])].into(),
        records: vec![
            record("school", Some(0), vec![field("id", Type::Text)]),
            record(
                "parent",
                None,
                vec![
                    field("school", Type::Ref(SCHOOL)),
                    Field {
                        private: true,
                        columns: Vec::new(),
                        ..field("born", Type::Date)
                    },
                    Field {
                        private: true,
                        columns: Vec::new(),
                        ..field("relation", Type::Enum(EnumId(0)))
                    },
                    Field {
                        private: true,
                        columns: Vec::new(),
                        ..field("name", Type::Text)
                    },
                ],
            ),
        ]
        .into(),
    };
    let dir = scratch("private");
    std::fs::write(dir.join("school.csv"), "id\nS1\n").unwrap();
    std::fs::write(
        dir.join("parent.csv"),
        "school,born,relation,name\nS1,2/30/1980,mothr,Secret Name\nS1,4/1/80,father,\nS1,1/1/1980,aunt,Other Secret\n",
    )
    .unwrap();
    let loaded = load(&schema, std::slice::from_ref(&dir));
    let text = render(&redact_all(&loaded.errors, &dir));
    for secret in ["1980", "80", "mothr", "aunt", "Secret", "February"] {
        assert!(!text.contains(secret), "{secret} leaked:\n{text}");
    }
    insta::assert_snapshot!(text);
}

/// Entities may refer to entities declared later; a row whose entity was skipped is skipped too,
/// down the chain (district → school → student).
#[test]
fn entity_chains() {
    let schema = Schema {
        enums: vec![].into(),
        records: vec![
            record(
                "school",
                Some(0),
                vec![
                    field("id", Type::Text),
                    field("district", Type::Ref(RecordId(1))),
                ],
            ),
            record(
                "district",
                Some(0),
                vec![field("code", Type::Text), field("founded", Type::Date)],
            ),
            record("student", None, vec![field("school", Type::Ref(SCHOOL))]),
        ]
        .into(),
    };
    let dir = scratch("chains");
    std::fs::write(
        dir.join("district.csv"),
        "code,founded\nLA,1/1/1961\nSF,1/1/18\n",
    )
    .unwrap();
    std::fs::write(dir.join("school.csv"), "id,district\nA,SF\nB,LA\nC,LA\n").unwrap();
    std::fs::write(dir.join("student.csv"), "school\nA\nB\nA\nC\n").unwrap();
    let loaded = load(&schema, std::slice::from_ref(&dir));
    let (data, mut errors) = discover(&schema, std::slice::from_ref(&dir));
    let entities = load_entities(&schema, &data, &mut errors, &mut Vec::new());
    // B and C are renumbered 0 and 1 once A is dropped, and refer to LA at 0.
    assert_eq!(entities.ids(SCHOOL), ["B", "C"]);
    assert_eq!(entities.rows(SCHOOL)[1][1], Value::Ref(RecordId(1), 0));
    assert_eq!(entities.index(SCHOOL, "C"), Some(1));
    assert_eq!(entities.row_location(SCHOOL, 1).map(|(_, l)| l), Some(4));
    let shown = Loaded {
        errors: redact_all(&loaded.errors, &dir),
        rows: loaded
            .rows
            .iter()
            .map(|(place, text)| (place.replace(&relative(&dir), "<tmp>"), text.clone()))
            .collect(),
    };
    insta::assert_snapshot!(report(&shown));
}

/// Warnings do not reject anything; errors are sorted in file order within a file.
#[test]
fn severities() {
    let schema = lausd();
    let loaded = load(&schema, &[fixture("extra_column")]);
    assert!(
        loaded
            .errors
            .iter()
            .all(|e| e.severity == Severity::Warning)
    );
    assert_eq!(loaded.rows.len(), 3);
}

/// Discovery is deterministic and ignores files that are not data.
#[test]
fn discovery_order() {
    let schema = lausd();
    let (data, errors) = discover(&schema, &[fixture("duplicate_id"), fixture("good_csv")]);
    // Two folders with school files: said once, as a warning.
    assert!(errors.iter().all(|e| !e.is_error()), "{errors:?}");
    let files: Vec<(usize, String)> = data.files.iter().map(|(r, p)| (r.0, relative(p))).collect();
    insta::assert_debug_snapshot!(files);
    let again = discover(&schema, &[fixture("good_csv"), fixture("duplicate_id")]).0;
    assert_eq!(data, again);
    let _ = DataSet::default();
}
