//! The formatter, one fixture per file: `tests/fixtures/fmt/*.policy` are snapshotted; every fixture
//! and every shipped policy must format idempotently, keep its AST and keep all its comments; the
//! shipped policies must already be in the canonical layout.

#![expect(
    clippy::panic,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use std::path::{Path, PathBuf};

use mandate::fmt::format_source;
use mandate::syntax::{FileId, parse};

/// The text of every `//` comment outside string literals, trimmed, sorted: an independent scan,
/// so a comment lost, duplicated or altered shows as a difference.
fn comments(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                while let Some((_, c)) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '/' if matches!(chars.peek(), Some((_, '/'))) => {
                let rest = &text[i..];
                let line = rest.split('\n').next().unwrap_or(rest);
                out.push(line.trim_end().to_string());
                while matches!(chars.peek(), Some((_, c)) if *c != '\n') {
                    chars.next();
                }
            }
            _ => {}
        }
    }
    out.sort();
    out
}

/// Formats `src`, checks the three properties, returns the formatted text.
fn check(path: &Path, src: &str) -> String {
    let name = path.display();
    let once = format_source(src).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    let twice = format_source(&once).unwrap_or_else(|e| panic!("{name}, formatted: {e:?}"));
    similar_asserts(
        &once,
        &twice,
        &format!("{name}: formatting is not idempotent"),
    );
    let before = parse(FileId::default(), src).expect("the fixture parses");
    let after = parse(FileId::default(), &once).expect("the formatted file parses");
    assert_eq!(before, after, "{name}: formatting changed the AST");
    assert_eq!(
        comments(src),
        comments(&once),
        "{name}: comments lost or duplicated"
    );
    once
}

fn similar_asserts(a: &str, b: &str, msg: &str) {
    assert!(a == b, "{msg}\n--- first ---\n{a}\n--- second ---\n{b}");
}

#[test]
fn fixtures() {
    insta::glob!("fixtures/fmt/*.policy", |path| {
        let src = std::fs::read_to_string(path).expect("the fixture is readable");
        let out = check(path, &src);
        insta::assert_snapshot!(out);
    });
}

fn policy_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("the policies folder is readable")
        .map(|e| e.expect("a folder entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            policy_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "policy") {
            out.push(p);
        }
    }
}

#[test]
fn shipped_policies_are_formatted() {
    let mut files = Vec::new();
    policy_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("policies"),
        &mut files,
    );
    assert!(
        files.len() >= 2,
        "the shipped policies are found: {files:?}"
    );
    for path in files {
        let src = std::fs::read_to_string(&path).expect("the policy is readable");
        let out = check(&path, &src);
        similar_asserts(
            &src,
            &out,
            &format!(
                "{}: not in the canonical layout (run the formatter on it)",
                path.display()
            ),
        );
    }
}

/// Every prefix of every fixture: the formatter never panics, fails exactly when the parser does,
/// and what it returns is stable.
#[test]
fn truncated_fixtures_never_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fmt");
    let mut files = Vec::new();
    policy_files(&dir, &mut files);
    for path in files {
        let src = std::fs::read_to_string(&path).expect("the fixture is readable");
        for (cut, _) in src.char_indices() {
            let prefix = &src[..cut];
            let parsed = parse(FileId::default(), prefix).is_ok();
            match format_source(prefix) {
                Ok(out) => {
                    assert!(
                        parsed,
                        "{}[..{cut}]: formatted a file that does not parse",
                        path.display()
                    );
                    let again = format_source(&out).expect("formatted output formats");
                    similar_asserts(
                        &out,
                        &again,
                        &format!("{}[..{cut}]: not idempotent", path.display()),
                    );
                    assert_eq!(
                        comments(prefix),
                        comments(&out),
                        "{}[..{cut}]",
                        path.display()
                    );
                }
                Err(e) => assert!(!parsed, "{}[..{cut}]: {e:?}", path.display()),
            }
        }
    }
}

#[test]
fn syntax_errors_are_returned() {
    for src in [
        "type = {a}",
        "section {",
        "must x",
        "const x = (a",
        "\"unterminated",
        "guide {}",
    ] {
        assert!(format_source(src).is_err(), "{src}");
    }
}

/// Comments put where people put them: after every line, on a line of its own before every line,
/// and after each line alone. None may be lost, duplicated or change the file's meaning.
#[test]
fn injected_comments_are_kept() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fmt");
    let mut files = Vec::new();
    policy_files(&dir, &mut files);
    for path in files {
        let src = std::fs::read_to_string(&path).expect("the fixture is readable");
        let lines: Vec<&str> = src.lines().collect();
        let after_every: String = lines
            .iter()
            .enumerate()
            .map(|(i, l)| format!("{l} // after {i}\n"))
            .collect();
        check(&path, &after_every);
        let before_every: String = lines
            .iter()
            .enumerate()
            .map(|(i, l)| format!("// before {i}\n{l}\n"))
            .collect();
        check(&path, &before_every);
        for i in 0..lines.len() {
            let one: String = lines
                .iter()
                .enumerate()
                .map(|(j, l)| {
                    if i == j {
                        format!("{l} // only {i}\n")
                    } else {
                        format!("{l}\n")
                    }
                })
                .collect();
            check(&path, &one);
        }
    }
}

/// Windows line endings: the same properties hold, and the output (with `\n` endings) is the same
/// as for the file with `\n` endings.
#[test]
fn crlf_input() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fmt");
    let mut files = Vec::new();
    policy_files(&dir, &mut files);
    for path in files {
        let src = std::fs::read_to_string(&path).expect("the fixture is readable");
        let crlf = src.replace('\n', "\r\n");
        let out = check(&path, &crlf);
        // A raw line break inside a string literal is part of the string: skip those files.
        if !path.ends_with("literals.policy") {
            similar_asserts(&check(&path, &src), &out, &format!("{}", path.display()));
        }
    }
}
