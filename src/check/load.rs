//! Reading a policy and its includes: paths relative to the including file, cycles and missing
//! files reported at the `include` line.

use std::path::{Path, PathBuf};

use super::diag::Problem;
use crate::syntax::ast::{Item, PolicyFile};
use crate::syntax::{FileId, Sources, Span, parse};

/// A policy file with everything it includes, parsed.
#[derive(Debug, Default)]
pub struct Loaded {
    pub sources: Sources,
    /// Parsed files, the root first, then includes in the order they were met.
    pub files: Vec<(FileId, PolicyFile)>,
    pub root: Option<FileId>,
    pub problems: Vec<Problem>,
}

/// Why the root file could not be read at all.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("cannot read `{path}`: {reason}")]
#[diagnostic(code(mandate::io), help("check the path and the file's permissions"))]
pub struct ReadError {
    pub path: String,
    pub reason: String,
}

/// Reads and parses `path` and its includes.
pub fn load(path: &Path) -> Result<Loaded, ReadError> {
    let text = read(path).map_err(|reason| ReadError {
        path: path.display().to_string(),
        reason,
    })?;
    Ok(load_text(path, text))
}

/// Parses `text` as if read from `path` (includes are resolved beside `path`).
pub fn load_text(path: &Path, text: String) -> Loaded {
    let mut l = Loaded::default();
    let mut stack = Vec::new();
    let root = add(&mut l, path, text, &mut stack);
    l.root = Some(root);
    l
}

fn read(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string().to_lowercase())?;
    String::from_utf8(bytes).map_err(|_| "the file is not UTF-8 text".to_string())
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

fn add(l: &mut Loaded, path: &Path, text: String, stack: &mut Vec<PathBuf>) -> FileId {
    let id = l.sources.add(path.display().to_string(), text);
    let text = l.sources.text(id).to_string();
    stack.push(canonical(path));
    match parse(id, &text) {
        Ok(file) => {
            let includes: Vec<(String, Span)> = file
                .items
                .iter()
                .filter_map(|i| match i {
                    Item::Include(inc) => Some((inc.path.node.clone(), inc.span)),
                    _ => None,
                })
                .collect();
            l.files.push((id, file));
            for (rel, span) in includes {
                let target = path.parent().unwrap_or(Path::new(".")).join(&rel);
                let canon = canonical(&target);
                if stack.contains(&canon) {
                    l.problems.push(
                        Problem::error(
                            "mandate::check::include-cycle",
                            span,
                            format!("`{rel}` includes itself"),
                        )
                        .label("this include leads back to a file that is being read")
                        .help("move the shared definitions into a file that includes nothing"),
                    );
                    continue;
                }
                if l.files.iter().any(|(fid, _)| {
                    canonical(Path::new(l.sources.name(*fid))) == canon && *fid != id
                }) {
                    // Already included through another path: definitions are shared, not doubled.
                    continue;
                }
                match read(&target) {
                    Ok(t) => {
                        add(l, &target, t, stack);
                    }
                    Err(reason) => l.problems.push(
                        Problem::error(
                            "mandate::check::include-missing",
                            span,
                            format!("cannot include `{rel}`: {reason}"),
                        )
                        .label("included here")
                        .help(format!(
                            "include paths are relative to this file; looked for `{}`",
                            target.display()
                        )),
                    ),
                }
            }
        }
        Err(e) => l.problems.push(Problem::from_syntax(&e)),
    }
    stack.pop();
    id
}
