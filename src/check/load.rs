//! Reading a policy and its includes: paths relative to the including file, cycles and missing
//! files reported at the `include` line.

use std::path::{Component, Path, PathBuf};

use super::diag::Problem;
use crate::codes::Code;
use crate::syntax::ast::{Item, PolicyFile, Spanned};
use crate::syntax::{FileId, Sources, Span, parse};

/// A policy file with everything it includes, parsed.
#[derive(Debug, Default)]
pub struct Loaded {
    pub sources: Sources,
    /// Parsed files, the root first, then includes in the order they were met.
    pub files: Vec<(FileId, PolicyFile)>,
    pub root: Option<FileId>,
    pub problems: Vec<Problem>,
    /// Every file read, after the files it includes (the root last), so a name defined both in
    /// an include and in the file that includes it is reported in the including file.
    pub order: Vec<FileId>,
    /// Which file includes which: `(including, included)`.
    pub includes: Vec<(FileId, FileId)>,
    /// The canonical path of each file read, to recognise a file included twice.
    canonical: Vec<(FileId, PathBuf)>,
}

impl Loaded {
    /// Whether `outer` includes `inner`, directly or through other files.
    pub fn includes_file(&self, outer: FileId, inner: FileId) -> bool {
        let mut seen = vec![outer];
        let mut todo = vec![outer];
        while let Some(f) = todo.pop() {
            for (a, b) in &self.includes {
                if *a == f && !seen.contains(b) {
                    if *b == inner {
                        return true;
                    }
                    seen.push(*b);
                    todo.push(*b);
                }
            }
        }
        false
    }
}

/// The pin of a policy file's text: `sha256:` and the SHA-256 of its statements, with comments
/// left out and each run of spaces, tabs and line ends read as one space, so a comment or a new
/// layout (`mandate fmt`) does not change the pin, and any change to what the file says does.
pub fn pin_of(text: &str) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(statements_only(text).as_bytes());
    let mut out = String::from("sha256:");
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// The text without comments, each run of whitespace one space, strings as written.
fn statements_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut space = false;
    while let Some(c) = chars.next() {
        if c == '/' && chars.peek() == Some(&'/') {
            for c in chars.by_ref() {
                if c == '\n' {
                    break;
                }
            }
            space = true;
            continue;
        }
        if c.is_whitespace() || c == '\u{FEFF}' {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(c);
        if c == '"' {
            while let Some(c) = chars.next() {
                out.push(c);
                match c {
                    '\\' => {
                        if let Some(e) = chars.next() {
                            out.push(e);
                        }
                    }
                    '"' => break,
                    _ => {}
                }
            }
        }
    }
    out
}

/// Whether a pin is written as one: `sha256:` and 64 lowercase hexadecimal digits.
fn pin_well_formed(pin: &str) -> bool {
    pin.strip_prefix("sha256:").is_some_and(|h| {
        h.len() == 64
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
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
    load_overlay(path, text, &|_| None)
}

/// Like [`load_text`], with includes taken from `open` when it has their text (an editor's
/// unsaved buffers, by canonical path) and read from disk otherwise.
pub fn load_overlay(path: &Path, text: String, open: &dyn Fn(&Path) -> Option<String>) -> Loaded {
    let mut l = Loaded::default();
    let mut stack = Vec::new();
    let root = add(&mut l, path, text, &mut stack, open);
    l.root = Some(root);
    l
}

fn read(path: &Path) -> Result<String, String> {
    // A folder, a named pipe or a device (`/dev/stdin`, `/dev/zero`) would fail, block or never
    // end: only regular files of a bounded size are read.
    let text =
        crate::safe_fs::read_text(path, crate::limits::POLICY_BYTES).map_err(|e| e.to_string())?;
    match crate::safe_fs::control_character(&text) {
        Some(why) => Err(why),
        None => Ok(text),
    }
}

/// Whether an include may be read: its path, and the file it leads to once symbolic links are
/// followed, must end in `.policy`. So a policy can never make mandate read (and quote in a
/// diagnostic) a file that is not a policy, such as `/etc/passwd` or `/proc/self/environ`.
fn include_allowed(rel: &str, canon: &Path) -> Result<(), String> {
    let is_policy = |p: &Path| {
        p.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("policy"))
    };
    if !is_policy(Path::new(rel)) {
        return Err("only `.policy` files can be included".into());
    }
    if !is_policy(canon) {
        return Err("it is a symbolic link to a file that is not a `.policy` file".into());
    }
    Ok(())
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| normal(path))
}

/// `a/b/../c` → `a/c`, for the names shown in diagnostics. Purely lexical; files are still read
/// through the path as written.
fn normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn add(
    l: &mut Loaded,
    path: &Path,
    text: String,
    stack: &mut Vec<PathBuf>,
    open: &dyn Fn(&Path) -> Option<String>,
) -> FileId {
    let id = l.sources.add(normal(path).display().to_string(), text);
    let text = l.sources.text(id).to_string();
    let canon = canonical(path);
    l.canonical.push((id, canon.clone()));
    stack.push(canon);
    match parse(id, &text) {
        Ok(file) => {
            let includes: Vec<(String, Span, Option<Spanned<String>>)> = file
                .items
                .iter()
                .filter_map(|i| match i {
                    Item::Include(inc) => Some((inc.path.node.clone(), inc.span, inc.pin.clone())),
                    _ => None,
                })
                .collect();
            l.files.push((id, file));
            for (rel, span, pin) in includes {
                let target = path.parent().unwrap_or(Path::new(".")).join(&rel);
                let canon = canonical(&target);
                if let Some(at) = stack.iter().position(|p| *p == canon) {
                    let chain: Vec<String> = stack
                        .get(at..)
                        .unwrap_or_default()
                        .iter()
                        .chain(std::iter::once(&canon))
                        .map(|p| file_name(p))
                        .collect();
                    let message = if chain.len() == 2 {
                        format!("`{rel}` is this file: it includes itself")
                    } else {
                        format!("these includes form a cycle: {}", chain.join(" → "))
                    };
                    l.problems.push(
                        Problem::error(Code::IncludeCycle, span, message)
                            .label("this include leads back to a file that is being read")
                            .help("move the shared definitions into a file that includes nothing"),
                    );
                    continue;
                }
                if let Some((other, _)) = l.canonical.iter().find(|(_, p)| *p == canon) {
                    // Already included through another path: definitions are shared, not doubled.
                    let other = *other;
                    l.includes.push((id, other));
                    if let Some(pin) = &pin {
                        let text = l.sources.text(other).to_string();
                        check_pin(l, &rel, pin, &text);
                    }
                    continue;
                }
                if stack.len() >= crate::limits::INCLUDE_DEPTH {
                    l.problems.push(
                        Problem::error(
                            crate::codes::Code::IncludeDepth,
                            span,
                            format!(
                                "includes nest more than {} files deep",
                                crate::limits::INCLUDE_DEPTH
                            ),
                        )
                        .label("this include is one too many")
                        .help("include the shared files from one file instead of in a chain"),
                    );
                    continue;
                }
                let text = include_allowed(&rel, &canon).and_then(|()| match open(&canon) {
                    Some(t) => Ok(t),
                    None => read(&target),
                });
                match text {
                    Ok(t) => {
                        if let Some(pin) = &pin {
                            check_pin(l, &rel, pin, &t);
                        }
                        let inner = add(l, &target, t, stack, open);
                        l.includes.push((id, inner));
                    }
                    Err(reason) => l.problems.push(
                        Problem::error(
                            Code::IncludeMissing,
                            span,
                            format!("cannot include `{rel}`: {reason}"),
                        )
                        .label("included here")
                        .help(format!(
                            "include paths are relative to this file; looked for `{}`",
                            normal(&target).display()
                        )),
                    ),
                }
            }
        }
        Err(e) => l.problems.push(Problem::from_syntax(&e)),
    }
    stack.pop();
    l.order.push(id);
    id
}

/// An error when a well-formed pin is not the pin of the included text.
fn check_pin(l: &mut Loaded, rel: &str, pin: &Spanned<String>, text: &str) {
    let now = pin_of(text);
    if !pin_well_formed(&pin.node) {
        l.problems.push(
            Problem::error(
                Code::IncludePin,
                pin.span,
                format!("`{}` is not a pin", pin.node),
            )
            .label("a pin is `sha256:` and 64 hexadecimal digits")
            .help(format!(
                "to pin `{rel}` as it is now, write: pinned \"{now}\""
            )),
        );
        return;
    }
    if pin.node == now {
        return;
    }
    l.problems.push(
        Problem::error(
            Code::IncludeChanged,
            pin.span,
            format!("`{rel}` has changed since this revision pinned it"),
        )
        .label("the included file's statements no longer have this SHA-256")
        .help(format!(
            "a published revision keeps its meaning: undo the edit to `{rel}` and make next \
             year's change in next year's file (`replace ...`); if this revision is meant to \
             change, pin the file as it is now: pinned \"{now}\""
        )),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_parent_components() {
        assert_eq!(normal(Path::new("a/b/../c/./d")), PathBuf::from("a/c/d"));
        assert_eq!(normal(Path::new("../x")), PathBuf::from("../x"));
        assert_eq!(normal(Path::new("a/..")), PathBuf::from("."));
    }

    #[test]
    fn a_pin_reads_the_statements_not_the_comments_or_layout() {
        let text = "type a = {x,  y} // a comment\r\n\n  const s = \"two  spaces // kept\"\n";
        assert_eq!(
            statements_only(text),
            "type a = {x, y} const s = \"two  spaces // kept\""
        );
        assert_eq!(
            pin_of(text),
            pin_of("type a = {x, y}\nconst s = \"two  spaces // kept\"")
        );
        assert_ne!(pin_of(text), pin_of("type a = {x, y, z}"));
        // `printf 'a b' | sha256sum`
        assert_eq!(
            pin_of("a\n  b\n"),
            "sha256:c8687a08aa5d6ed2044328fa6a697ab8e96dc34291e8c2034ae8c38e6fcc6d65"
        );
        assert!(pin_well_formed(&pin_of("a")));
        assert!(!pin_well_formed("sha256:ABC"));
    }
}
