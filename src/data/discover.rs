//! Which files hold which record type: folders are listed, file names matched to record names.

use std::path::{Path, PathBuf};

use crate::check::model::{RecordId, Schema};
use crate::suggest::closest;

use super::Format;
use super::cell::normalize;
use super::error::{DataError, DataErrorKind, list, quote};
use super::rows::io_message;

/// The files of a data set, each with the record type it holds, sorted by record then path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DataSet {
    pub files: Vec<(RecordId, PathBuf)>,
    /// Entries of the data folders that look like a record's data but are not read (hidden, in
    /// a subfolder, a folder, or not ending in a read format), with why: said when that record
    /// has no data.
    pub passed: Vec<(RecordId, String)>,
}

impl DataSet {
    /// The files holding one record type, in the order their rows are read.
    pub fn files_of(&self, record: RecordId) -> impl Iterator<Item = &Path> {
        self.files
            .iter()
            .filter(move |(r, _)| *r == record)
            .map(|(_, p)| p.as_path())
    }

    /// [`DataSet::passed`], per record.
    pub fn passed_over(&self) -> std::collections::BTreeMap<RecordId, Vec<String>> {
        let mut out: std::collections::BTreeMap<RecordId, Vec<String>> = Default::default();
        for (r, why) in &self.passed {
            out.entry(*r).or_default().push(why.clone());
        }
        out
    }
}

/// Finds the data files in `inputs` (folders and files) and the record type each holds. In a
/// folder every `*.csv`, `*.yaml`, `*.yml` and `*.json` file is read (not subfolders, not hidden
/// files). A file's name up to its first `.` names the record, singular or plural, in any case,
/// with spaces or hyphens for underscores: `school.csv`, `Schools.csv`, `students.2023.csv`,
/// `attendance-forms.json`. A name that matches no record is a warning.
pub fn discover(schema: &Schema, inputs: &[PathBuf]) -> (DataSet, Vec<DataError>) {
    let mut errors = Vec::new();
    let mut files = Vec::new();
    let mut passed = Vec::new();
    for input in inputs {
        let shown = input.display().to_string();
        let meta = match std::fs::metadata(input) {
            Ok(m) => m,
            Err(e) => {
                errors.push(
                    DataError::new(
                        DataErrorKind::File,
                        shown,
                        format!("cannot read the data: {}", io_message(&e)),
                    )
                    .help("give a data folder or a CSV, YAML or JSON file"),
                );
                continue;
            }
        };
        if meta.is_dir() {
            let entries = match std::fs::read_dir(input) {
                Ok(entries) => entries,
                Err(e) => {
                    errors.push(
                        DataError::new(
                            DataErrorKind::File,
                            shown,
                            format!("cannot list the folder: {}", io_message(&e)),
                        )
                        .help("check the folder's permissions"),
                    );
                    continue;
                }
            };
            let all: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
            passed_over(schema, &all, &mut passed);
            let mut paths: Vec<PathBuf> = all
                .into_iter()
                .filter(|p| p.is_file())
                .filter(|p| {
                    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    !name.starts_with('.')
                })
                .collect();
            paths.sort();
            let (read, unread): (Vec<PathBuf>, Vec<PathBuf>) =
                paths.into_iter().partition(|p| Format::of(p).is_some());
            for p in read {
                classify(schema, p, &mut files, &mut errors);
            }
            for p in unread {
                unread_format(schema, &p, &files, &mut errors);
            }
        } else if Format::of(input).is_none() {
            errors.push(
                DataError::new(
                    DataErrorKind::FileName,
                    shown,
                    "not a CSV, YAML or JSON file",
                )
                .help("data files end in `.csv`, `.yaml`, `.yml` or `.json`"),
            );
        } else {
            classify(schema, input.clone(), &mut files, &mut errors);
        }
    }
    files.sort();
    files.dedup();
    same_file_twice(&mut files, &mut errors);
    several_files(schema, &files, &mut errors);
    passed.sort();
    passed.dedup();
    (DataSet { files, passed }, errors)
}

/// The same file reached twice (given as a file and inside a folder, or through two spellings
/// of its path) would count its rows twice: it is read once, and that is an error to fix in the
/// command line.
fn same_file_twice(files: &mut Vec<(RecordId, PathBuf)>, errors: &mut Vec<DataError>) {
    let mut seen: Vec<(PathBuf, PathBuf)> = Vec::new();
    files.retain(|(_, p)| {
        let Ok(real) = std::fs::canonicalize(p) else {
            return true;
        };
        if let Some((_, first)) = seen.iter().find(|(r, _)| *r == real) {
            errors.push(
                DataError::new(
                    DataErrorKind::File,
                    p.display().to_string(),
                    format!(
                        "the same file as `{}` is given twice; it is read once",
                        first.display()
                    ),
                )
                .help("give each data file once (a folder already includes its files)"),
            );
            return false;
        }
        seen.push((real, p.clone()));
        true
    });
}

/// A record whose rows come from several files (`student.csv` and `students-2.csv`): they are
/// read as one, which is said once, so that a stray copy is not counted silently.
fn several_files(schema: &Schema, files: &[(RecordId, PathBuf)], errors: &mut Vec<DataError>) {
    for (ri, rec) in schema.records.iter().enumerate() {
        let paths: Vec<&PathBuf> = files
            .iter()
            .filter(|(r, _)| r.0 == ri)
            .map(|(_, p)| p)
            .collect();
        // The names, short enough to read; the first file's path heads the message.
        let of: Vec<String> = paths
            .iter()
            .map(|p| {
                p.file_name().map_or_else(
                    || p.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                )
            })
            .collect();
        if of.len() < 2 {
            continue;
        }
        let names: Vec<&str> = of.iter().map(String::as_str).collect();
        errors.push(
            DataError::new(
                DataErrorKind::FileName,
                paths
                    .first()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                format!(
                    "`{}` rows are read from {} files together: {}",
                    rec.name,
                    of.len(),
                    list(&names)
                ),
            )
            .help("if one of them is an old copy, move it out of the data folder")
            .warning(),
        );
    }
}

/// Entries of a data folder that look like a record's data but are not read: a hidden file
/// (`.event.csv`), a folder (`event.csv/`, or `old/` holding `event.csv`), a file whose name
/// does not end in a read format (`event.csv.bak`).
fn passed_over(schema: &Schema, entries: &[PathBuf], out: &mut Vec<(RecordId, String)>) {
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let shown = p.display();
        let bare = name.trim_start_matches('.');
        let stem = bare.split('.').next().unwrap_or("");
        let readable_in = |n: &str| {
            n.split('.').skip(1).any(|ext| {
                matches!(
                    ext.to_ascii_lowercase().as_str(),
                    "csv" | "yaml" | "yml" | "json"
                )
            })
        };
        if p.is_dir() {
            if let Some(r) = record_for(schema, stem).filter(|_| readable_in(bare)) {
                out.push((r, format!("`{shown}` is a folder, not a file")));
                continue;
            }
            // One level down: files of a record in a subfolder are not read.
            let Ok(inner) = std::fs::read_dir(p) else {
                continue;
            };
            let mut names: Vec<PathBuf> = inner.filter_map(Result::ok).map(|e| e.path()).collect();
            names.sort();
            for q in names.iter().take(1000) {
                let n = q.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if let Some(r) = record_for(schema, n.split('.').next().unwrap_or(""))
                    .filter(|_| q.is_file() && Format::of(q).is_some())
                {
                    out.push((
                        r,
                        format!("`{}` is in a subfolder, which is not read", q.display()),
                    ));
                }
            }
            continue;
        }
        let Some(r) = record_for(schema, stem) else {
            continue;
        };
        if name.starts_with('.') && readable_in(bare) {
            out.push((
                r,
                format!("`{shown}` is hidden (its name starts with `.`) and not read"),
            ));
        } else if Format::of(p).is_none() && readable_in(bare) {
            out.push((
                r,
                format!(
                    "`{shown}` does not end in `.csv`, `.yaml`, `.yml` or `.json` and is not read"
                ),
            ));
        }
    }
}

/// Spreadsheet and text formats a district's data is exported in that are not read.
const UNREAD: [&str; 8] = ["tsv", "tab", "txt", "xlsx", "xlsm", "xls", "ods", "numbers"];

/// A file in a data folder named after a record, in a spreadsheet or text format that is not read
/// (`conference.xlsx`, `student.tsv`), while no file that is read holds that record: a warning,
/// since its rows would otherwise be missed silently. Other files (`README.md`,
/// `student.csv.bak`) are passed over.
fn unread_format(
    schema: &Schema,
    path: &Path,
    files: &[(RecordId, PathBuf)],
    errors: &mut Vec<DataError>,
) {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let stem = name.split('.').next().unwrap_or("");
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if !UNREAD.iter().any(|u| u.eq_ignore_ascii_case(ext)) {
        return;
    }
    let Some(id) = record_for(schema, stem) else {
        return;
    };
    if files.iter().any(|(r, _)| *r == id) {
        return;
    }
    let Some(record) = schema.record(id) else {
        return;
    };
    errors.push(
        DataError::new(
            DataErrorKind::FileName,
            path.display().to_string(),
            format!(
                "a `.{ext}` file is not read; its `{}` rows are not checked",
                record.name
            ),
        )
        .help(format!("export it as `{}.csv` (or `.yaml`, `.json`)", stem))
        .warning(),
    );
}

/// The record a file's name stands for.
fn classify(
    schema: &Schema,
    path: PathBuf,
    files: &mut Vec<(RecordId, PathBuf)>,
    errors: &mut Vec<DataError>,
) {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let stem = name.split('.').next().unwrap_or("");
    match record_for(schema, stem) {
        Some(id) => files.push((id, path)),
        None => {
            let names: Vec<&str> = schema.records.iter().map(|r| r.name.as_str()).collect();
            let mut help = String::new();
            if let Some(c) = closest(&normalize(stem), names.iter()) {
                help.push_str(&format!("did you mean {}? ", quote(c)));
            }
            help.push_str(&format!(
                "name the file after a record of the policy: {}",
                list(&names)
            ));
            errors.push(
                DataError::new(
                    DataErrorKind::FileName,
                    path.display().to_string(),
                    format!(
                        "the file name {} is not a record of the policy; the file is ignored",
                        quote(stem)
                    ),
                )
                .help(help)
                .warning(),
            );
        }
    }
}

/// `school`, `schools`, `Norm-History`, `norm_histories` → the record.
pub(crate) fn record_for(schema: &Schema, stem: &str) -> Option<RecordId> {
    let stem = normalize(stem);
    if stem.is_empty() {
        return None;
    }
    schema
        .records
        .iter()
        .position(|r| {
            let name = normalize(&r.name);
            stem == name
                || stem == format!("{name}s")
                || stem == format!("{name}es")
                || name
                    .strip_suffix('y')
                    .is_some_and(|base| stem == format!("{base}ies"))
        })
        .map(RecordId)
}
