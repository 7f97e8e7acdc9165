//! Dependencies run one way. Each top-level module of `src/` has a stage (ARCHITECTURE.md draws
//! them); a module may name (`crate::x`) only modules of earlier stages, never one of its own
//! stage or a later one. Each third-party crate that belongs to one stage is named only there.
//! Test code (`#[cfg(test)] mod` blocks, `src/**/tests/`) may reach anywhere.

#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

use std::path::{Path, PathBuf};

/// The stages, earliest first: (module, stage, what it is).
const STAGES: &[(&str, u32, &str)] = &[
    ("codes", 0, "every diagnostic code; imports nothing"),
    ("limits", 0, "the limits on untrusted input"),
    ("suggest", 0, "did-you-mean"),
    ("escape", 0, "control characters out of printed text"),
    ("pool", 0, "work distribution over threads"),
    ("school_days", 0, "school-day arithmetic"),
    ("safe_fs", 1, "opening untrusted files"),
    ("syntax", 2, "text → AST (pest)"),
    ("check", 3, "AST → checked model"),
    ("fmt", 3, "AST → canonical text"),
    ("data", 4, "schema + files → typed rows"),
    ("eval", 5, "model + rows → findings"),
    ("report", 6, "findings → output formats"),
    ("diff", 6, "two models, two evaluations → changes"),
    ("lint", 7, "the library pipeline: load, run, report"),
    ("policytest", 8, "policy test cases"),
    ("lsp", 8, "the language server"),
    ("cli", 9, "the command line"),
];

/// Imports allowed against the stages: (file, module it names, why). Keep this short; an entry
/// is a debt to pay.
const ALLOWED: &[(&str, &str, &str)] = &[];

/// Third-party crates that belong to one place: (crate, the paths that may name it).
const CRATES: &[(&str, &[&str])] = &[
    ("pest", &["src/syntax/"]),
    ("serde_yaml", &["src/data/yaml.rs"]),
    ("maud", &["src/report/html/"]),
    ("notify", &["src/cli/watch.rs"]),
    ("indicatif", &["src/cli/progress.rs"]),
    ("lsp_server", &["src/lsp/"]),
    ("lsp_types", &["src/lsp/"]),
    ("clap", &["src/cli/", "src/main.rs"]),
    ("rayon", &["src/pool.rs"]),
];

fn stage(module: &str) -> Option<u32> {
    STAGES.iter().find(|(m, _, _)| *m == module).map(|s| s.1)
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            // Unit-test folders (`src/eval/tests/`) are test code.
            if p.file_name().is_some_and(|n| n != "tests") {
                sources(&p, out);
            }
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The text of a file without its test modules (`#[cfg(test)]` then `mod x {` up to the `}` that
/// closes it at the start of a line: rustfmt's layout, which CI holds) and without comments.
fn code(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate().peekable();
    while let Some((n, line)) = lines.next() {
        if line.trim() == "#[cfg(test)]" {
            let mut attrs = vec![(n, line)];
            while let Some((m, next)) = lines.peek().copied() {
                if next.trim_start().starts_with("#[") {
                    attrs.push((m, next));
                    lines.next();
                } else {
                    break;
                }
            }
            if let Some((_, next)) = lines.peek().copied()
                && next.starts_with("mod ")
                && next.ends_with('{')
            {
                for (_, l) in lines.by_ref() {
                    if l == "}" {
                        break;
                    }
                }
                continue;
            }
            continue;
        }
        let code = line.split("//").next().unwrap_or("");
        out.push((n + 1, code.to_string()));
    }
    out
}

/// The module a file belongs to: `src/eval/plan.rs` is `eval`, `src/lint.rs` is `lint`.
fn module_of(path: &str) -> &str {
    let rest = path.strip_prefix("src/").unwrap_or(path);
    let first = rest.split('/').next().unwrap_or(rest);
    first.strip_suffix(".rs").unwrap_or(first)
}

/// Every `crate::x` a file's code names against the stages, as `file:line: a -> x`.
fn backwards(path: &str, text: &str) -> Vec<String> {
    let own = module_of(path);
    let Some(own_stage) = stage(own) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (n, line) in code(text) {
        for (i, _) in line.match_indices("crate::") {
            // `mandate::crate::` cannot occur; skip `some_crate::` (a word before it).
            if line[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
            {
                continue;
            }
            let target: String = line[i + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if target == own {
                continue;
            }
            let Some(target_stage) = stage(&target) else {
                continue;
            };
            if target_stage < own_stage {
                continue;
            }
            if ALLOWED.iter().any(|(f, t, _)| *f == path && *t == target) {
                continue;
            }
            out.push(format!(
                "{path}:{n}: `{own}` (stage {own_stage}) names `{target}` (stage {target_stage})"
            ));
        }
    }
    out
}

#[test]
fn every_module_has_a_stage() {
    let lib = std::fs::read_to_string("src/lib.rs").unwrap();
    let modules: Vec<&str> = lib
        .lines()
        .filter_map(|l| {
            l.strip_prefix("pub mod ")
                .or_else(|| l.strip_prefix("mod "))
        })
        .map(|l| l.trim_end_matches(';'))
        .collect();
    assert!(modules.len() >= 10, "{modules:?}");
    for m in &modules {
        assert!(
            stage(m).is_some(),
            "module `{m}` has no stage: add it to STAGES in tests/layers.rs and to ARCHITECTURE.md"
        );
    }
    for (m, _, _) in STAGES {
        assert!(
            modules.contains(m),
            "STAGES names `{m}`, which src/lib.rs does not declare"
        );
    }
}

#[test]
fn imports_run_one_way() {
    let mut files = Vec::new();
    sources(Path::new("src"), &mut files);
    assert!(files.len() > 50, "{} source files", files.len());
    let mut found = Vec::new();
    for f in &files {
        let path = f.to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(f).unwrap();
        found.extend(backwards(&path, &text));
    }
    assert!(
        found.is_empty(),
        "imports against the stages (see ARCHITECTURE.md; fix them, or list one in ALLOWED with its reason):\n{}",
        found.join("\n")
    );
    for (f, t, why) in ALLOWED {
        assert!(!why.is_empty(), "ALLOWED entry {f} -> {t} needs its reason");
    }
}

#[test]
fn crates_stay_in_their_stage() {
    let mut files = Vec::new();
    sources(Path::new("src"), &mut files);
    let mut found = Vec::new();
    for f in &files {
        let path = f.to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(f).unwrap();
        for (name, places) in CRATES {
            if places.iter().any(|p| path.starts_with(p)) {
                continue;
            }
            for (n, line) in code(&text) {
                let named = line.match_indices(name).any(|(i, _)| {
                    let before = line[..i].chars().next_back();
                    let after = &line[i + name.len()..];
                    !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
                        && after.starts_with("::")
                });
                if named {
                    found.push(format!(
                        "{path}:{n}: names `{name}`, which belongs in {places:?}"
                    ));
                }
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// The scanner finds what it is for: a backward import, outside test code only.
#[test]
fn the_scanner_sees_a_backward_import() {
    let text = "use crate::check::model::Model;\nuse crate::report::findings::LintReport;\n\n#[cfg(test)]\nmod tests {\n    use crate::cli::lint;\n}\n";
    let found = backwards("src/eval/x.rs", text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("src/eval/x.rs:2: `eval` (stage 5) names `report`"));
    // A module of the same stage is not earlier either.
    assert_eq!(
        backwards("src/fmt/x.rs", "use crate::check::Model;").len(),
        1
    );
    // Comments and other crates' paths are not imports.
    assert!(backwards("src/data/x.rs", "// see crate::eval\nuse some_crate::eval;").is_empty());
}
