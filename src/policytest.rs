//! `mandate test`: policy test cases that policy staff write in YAML beside a policy. Each case gives
//! a few records and the outcome it expects (categories, findings by rule, pending items) as of a
//! date; a failure shows expected and actual side by side.
//!
//! ```yaml
//! policy: ../ref-1028.19.policy
//! as_of: 2024-02-15
//! cases:
//!   - name: exactly 70% is not PHBAO
//!     data:
//!       school: [{id: T1, name: Test, level: elementary}]
//!       student: [{school: T1, ethnicity: hispanic, enrollment: resident, headcount: 70}]
//!     expect:
//!       T1: {PHBAO: not_member, findings: []}
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::data::{Node, parse_yaml};
use crate::eval::{Evaluation, Status};
use crate::lint;

/// The outcome of one test file.
#[derive(Debug, Default)]
pub struct FileResult {
    pub path: PathBuf,
    pub passed: Vec<String>,
    /// Case name and the rendered differences.
    pub failed: Vec<(String, String)>,
    /// Cases whose `expect:` was rewritten to the actual outcome (`--update`).
    pub updated: Vec<String>,
    /// Cases left out by the filter.
    pub filtered: usize,
    /// The line each case starts on (its `- name:`), by case name.
    pub lines: Vec<(String, usize)>,
    /// A problem with the file itself.
    pub error: Option<String>,
}

impl FileResult {
    /// `file:line` of a case, or the file alone when its line is not known.
    pub fn location(&self, case: &str) -> String {
        match self.lines.iter().find(|(n, _)| n == case) {
            Some((_, l)) => format!("{}:{l}", self.path.display()),
            None => self.path.display().to_string(),
        }
    }
}

/// Which cases run, and whether failing expectations are rewritten.
#[derive(Debug, Default, Clone)]
pub struct Select {
    /// Only cases whose name contains this (any case).
    pub filter: Option<String>,
    /// Rewrite the `expect:` of each failing case to what the policy gives now.
    pub update: bool,
}

/// Every `*.test.yaml` under the paths (files or folders), sorted. A folder reached twice (through
/// symbolic links, even in a cycle) is listed once.
pub fn discover(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for p in paths {
        walk(p, &mut out, &mut seen);
    }
    out.sort();
    out.dedup();
    out
}

fn walk(p: &Path, out: &mut Vec<PathBuf>, seen: &mut BTreeSet<PathBuf>) {
    if p.is_dir() {
        // The canonical path names a folder once however it is reached.
        let Ok(canon) = std::fs::canonicalize(p) else {
            return;
        };
        if !seen.insert(canon) {
            return;
        }
        if let Ok(rd) = std::fs::read_dir(p) {
            for e in rd.flatten() {
                walk(&e.path(), out, seen);
            }
        }
    } else if p.to_string_lossy().ends_with(".test.yaml")
        || p.to_string_lossy().ends_with(".test.yml")
    {
        out.push(p.to_path_buf());
    }
}

fn get<'n>(n: &'n Node, key: &str) -> Option<&'n Node> {
    match n {
        Node::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}

fn text(n: &Node) -> Option<String> {
    match n {
        Node::Str(s) | Node::Number(s) => Some(s.clone()),
        Node::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn json(n: &Node) -> String {
    match n {
        Node::Null => "null".into(),
        Node::Bool(b) => b.to_string(),
        Node::Number(s) | Node::Str(s) => serde_json::Value::String(s.clone()).to_string(),
        Node::List(items) => format!("[{}]", items.iter().map(json).collect::<Vec<_>>().join(",")),
        Node::Map(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}:{}", serde_json::Value::String(k.clone()), json(v)))
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()
        .or_else(|| NaiveDate::parse_from_str(s.trim(), "%m/%d/%Y").ok())
}

/// Runs one test file, every case.
pub fn run_file(path: &Path, scratch: &Path) -> FileResult {
    run_selected(path, scratch, &Select::default())
}

/// The line (1-based) each item of the top-level `cases:` list starts on, in order. Block style
/// only (`- name: ...` items); a flow-style list gives none.
fn case_lines(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut in_cases = false;
    let mut indent: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let at = line.len() - trimmed.len();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if at == 0 {
            in_cases = trimmed.starts_with("cases:");
            indent = None;
            continue;
        }
        if !in_cases || !(trimmed.starts_with("- ") || trimmed == "-") {
            continue;
        }
        match indent {
            None => {
                indent = Some(at);
                out.push(i + 1);
            }
            Some(n) if n == at => out.push(i + 1),
            Some(_) => {}
        }
    }
    out
}

/// Runs the cases of one test file that `select` picks; with `select.update`, rewrites the
/// expectations of those that fail.
pub fn run_selected(path: &Path, scratch: &Path, select: &Select) -> FileResult {
    let mut res = FileResult {
        path: path.to_path_buf(),
        ..FileResult::default()
    };
    let raw = match crate::safe_fs::read_text(path, crate::limits::TEST_FILE_BYTES) {
        Ok(t) => t,
        Err(e) => {
            res.error = Some(format!("cannot read the test file: {e}"));
            return res;
        }
    };
    let doc = match parse_yaml(&raw) {
        Ok(d) => d,
        Err(e) => {
            res.error = Some(format!("cannot read the test file: {e}"));
            return res;
        }
    };
    let starts = case_lines(&raw);
    // Rewritten `expect:` blocks: (first line, last line, new lines), 0-based, inclusive.
    let mut rewrites: Vec<(usize, usize, Vec<String>)> = Vec::new();
    let Some(policy) = get(&doc, "policy").and_then(text) else {
        res.error = Some("the test file needs `policy: PATH` (relative to the test file)".into());
        return res;
    };
    let policy_path = path.parent().unwrap_or(Path::new(".")).join(policy);
    // As for an include: a test file may name only a policy, so no other file is read and quoted.
    let named_policy = |p: &Path| {
        p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("policy"))
    };
    if !named_policy(&policy_path)
        || std::fs::canonicalize(&policy_path).is_ok_and(|c| !named_policy(&c))
    {
        res.error = Some("`policy:` must name a `.policy` file".into());
        return res;
    }
    let policy = match lint::load(&policy_path) {
        Ok(p) => p,
        Err(lint::Error::Unreadable(e)) => {
            res.error = Some(e.to_string());
            return res;
        }
        Err(lint::Error::Invalid { .. }) => {
            res.error = Some(format!(
                "`{}` has errors; run `mandate check` on it",
                policy_path.display()
            ));
            return res;
        }
    };
    let default_as_of = get(&doc, "as_of").and_then(text).and_then(|s| date(&s));
    let Some(Node::List(cases)) = get(&doc, "cases") else {
        res.error = Some("the test file needs `cases:`, a list of cases".into());
        return res;
    };
    for (i, case) in cases.iter().enumerate() {
        let name = get(case, "name")
            .and_then(text)
            .unwrap_or_else(|| format!("case {}", i + 1));
        if let Some(l) = starts.get(i) {
            res.lines.push((name.clone(), *l));
        }
        if let Some(f) = &select.filter
            && !name.to_lowercase().contains(&f.to_lowercase())
        {
            res.filtered += 1;
            continue;
        }
        let Some(as_of) = get(case, "as_of")
            .and_then(text)
            .and_then(|s| date(&s))
            .or(default_as_of)
        else {
            res.failed.push((
                name,
                "  no `as_of` date (give one per file or per case)\n".into(),
            ));
            continue;
        };
        let dir = scratch.join(format!("case-{i}"));
        let _ = std::fs::remove_dir_all(&dir);
        if let Err(e) = std::fs::create_dir_all(&dir) {
            res.error = Some(format!("cannot create `{}`: {e}", dir.display()));
            return res;
        }
        if let Some(Node::Map(records)) = get(case, "data") {
            for (key, rows) in records {
                // A key names a record of the policy, and only the record's own name becomes a
                // file name: a key is never a path.
                let Some(record) = policy
                    .model
                    .schema
                    .records
                    .iter()
                    .find(|r| r.name == *key)
                    .map(|r| r.name.as_str())
                else {
                    let names: Vec<&str> = policy
                        .model
                        .schema
                        .records
                        .iter()
                        .map(|r| r.name.as_str())
                        .collect();
                    res.error = Some(format!(
                        "case `{name}`: `data:` names `{}`, which is not a record of the policy \
                         (its records: {})",
                        key.escape_debug(),
                        names.join(", ")
                    ));
                    return res;
                };
                if let Err(e) = std::fs::write(dir.join(format!("{record}.json")), json(rows)) {
                    res.error = Some(format!("cannot write test data: {e}"));
                    return res;
                }
            }
        }
        let options = lint::Options {
            absent_is_empty: true,
            ..lint::Options::at(as_of)
        };
        let ev = lint::run(&policy, std::slice::from_ref(&dir), &options).evaluation;
        let _ = std::fs::remove_dir_all(&dir);
        let diffs = compare(get(case, "expect"), &ev);
        if diffs.is_empty() {
            res.passed.push(name);
        } else if select.update
            && let Some(block) =
                expect_block(&raw, starts.get(i).copied(), starts.get(i + 1).copied())
            && let Some(new) = actual_expect(get(case, "expect"), &ev, block.2, &block.3)
        {
            rewrites.push((block.0, block.1, new));
            res.updated.push(name);
        } else {
            res.failed.push((name, diffs));
        }
    }
    if !rewrites.is_empty() {
        let mut lines: Vec<String> = raw.lines().map(str::to_string).collect();
        rewrites.sort_by_key(|r| std::cmp::Reverse(r.0));
        for (first, last, new) in rewrites {
            if first <= last && last < lines.len() {
                lines.splice(first..=last, new);
            }
        }
        let mut text = lines.join("\n");
        text.push('\n');
        if let Err(e) = crate::safe_fs::write_atomic(path, text.as_bytes()) {
            res.error = Some(format!("cannot rewrite the test file: {e}"));
        }
    }
    res
}

/// The lines of a case's `expect:` block: its first and last line (0-based) and the indentation
/// of the entries under it. `start` and `next` are the 1-based first lines of this case and the
/// next one.
fn expect_block(
    raw: &str,
    start: Option<usize>,
    next: Option<usize>,
) -> Option<(usize, usize, usize, String)> {
    let lines: Vec<&str> = raw.lines().collect();
    let from = start?.checked_sub(1)?;
    let to = next.map_or(lines.len(), |n| n.saturating_sub(1));
    let indent = |l: &str| l.len() - l.trim_start().len();
    let mut first = None;
    for (i, l) in lines.iter().enumerate().take(to).skip(from) {
        let t = l.trim_start().trim_start_matches("- ");
        if t.starts_with("expect:") {
            // `expect:` with its entries on the lines below; a flow map on the same line is
            // rewritten as a block.
            let key_indent = l.len() - t.len();
            let prefix = l.get(..key_indent + "expect:".len())?.to_string();
            first = Some((i, key_indent, prefix));
            break;
        }
    }
    let (first, key_indent, prefix) = first?;
    let mut last = first;
    let mut entry_indent = None;
    for (i, l) in lines.iter().enumerate().take(to).skip(first + 1) {
        if l.trim().is_empty() || l.trim_start().starts_with('#') {
            continue;
        }
        if indent(l) <= key_indent {
            break;
        }
        entry_indent.get_or_insert(indent(l));
        last = i;
    }
    Some((first, last, entry_indent.unwrap_or(key_indent + 2), prefix))
}

/// A scalar as YAML writes it in a flow collection: plain when that reads back the same.
fn scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ' '))
        && !s.starts_with(['-', ' '])
        && !s.ends_with(' ')
        && !matches!(s, "true" | "false" | "null" | "yes" | "no" | "~");
    if plain {
        s.to_string()
    } else {
        serde_json::Value::String(s.to_string()).to_string()
    }
}

/// The `expect:` block rewritten to the actual outcome: the same entities and keys as before,
/// each with the value the policy gives now.
fn actual_expect(
    expect: Option<&Node>,
    ev: &Evaluation,
    indent: usize,
    prefix: &str,
) -> Option<Vec<String>> {
    let Some(Node::Map(entities)) = expect else {
        return None;
    };
    let mut out = vec![prefix.to_string()];
    for (entity, exp) in entities {
        let x = ev.explanations.iter().find(|x| &x.entity == entity)?;
        let Node::Map(keys) = exp else { return None };
        let mut parts = Vec::new();
        for (key, want) in keys {
            let value = match key.as_str() {
                "findings" | "pending" => {
                    let want: BTreeSet<String> = match want {
                        Node::List(items) => items.iter().filter_map(text).collect(),
                        _ => BTreeSet::new(),
                    };
                    // A pending item is listed by its rule's name: its outcome is always pending.
                    let mut got = actual_findings(ev, entity, key == "pending", &want);
                    if key == "pending" {
                        got = got
                            .into_iter()
                            .map(|g| g.trim_end_matches(" pending").to_string())
                            .collect();
                    }
                    format!(
                        "[{}]",
                        got.iter().map(|g| scalar(g)).collect::<Vec<_>>().join(", ")
                    )
                }
                cat => {
                    let c = x.categories.iter().find(|c| c.name == cat)?;
                    let want = text(want).unwrap_or_default();
                    match want.as_str() {
                        "true" | "false" => c
                            .member
                            .map(|m| m.to_string())
                            .unwrap_or_else(|| "undetermined".into()),
                        _ => c.state.key(),
                    }
                }
            };
            parts.push(format!("{}: {value}", scalar(key)));
        }
        out.push(format!(
            "{}{}: {{{}}}",
            " ".repeat(indent),
            scalar(entity),
            parts.join(", ")
        ));
    }
    Some(out)
}

/// An entity's findings (or pending items) as a case lists them: `rule` where the case named the
/// rule alone, else `rule status`.
fn actual_findings(
    ev: &Evaluation,
    entity: &str,
    pending: bool,
    want: &BTreeSet<String>,
) -> BTreeSet<String> {
    ev.findings
        .iter()
        .filter(|f| f.entity == entity)
        .filter(|f| (f.status == Status::Pending) == pending)
        .filter(|f| pending || f.severity != crate::check::model::Severity::Info)
        .map(|f| {
            if want.contains(&f.rule) {
                f.rule.clone()
            } else {
                format!("{} {}", f.rule, f.status.word())
            }
        })
        .collect()
}

/// Expected versus actual, one line per difference; empty when they agree.
fn compare(expect: Option<&Node>, ev: &Evaluation) -> String {
    let mut out = String::new();
    for e in &ev.data_errors {
        if e.is_error() {
            let _ = writeln!(
                out,
                "  data error: {} {} {}",
                e.file,
                e.location
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                e.message
            );
        }
    }
    let Some(Node::Map(entities)) = expect else {
        let _ = writeln!(out, "  no `expect:` given");
        return out;
    };
    let mut rows: Vec<(String, String, String)> = Vec::new();
    for (entity, exp) in entities {
        let Some(x) = ev.explanations.iter().find(|x| &x.entity == entity) else {
            rows.push((entity.to_string(), "in the data".into(), "not found".into()));
            continue;
        };
        let Node::Map(keys) = exp else { continue };
        for (key, want) in keys {
            match key.as_str() {
                "findings" | "pending" => {
                    let want: BTreeSet<String> = match want {
                        Node::List(items) => items.iter().filter_map(text).collect(),
                        _ => BTreeSet::new(),
                    };
                    // `rule` matches any status; `rule status` matches exactly.
                    let got = actual_findings(ev, entity, key == "pending", &want);
                    if want != got {
                        let show = |s: &BTreeSet<String>| {
                            format!("[{}]", s.iter().cloned().collect::<Vec<_>>().join(", "))
                        };
                        rows.push((format!("{entity} {key}"), show(&want), show(&got)));
                    }
                }
                cat => {
                    let Some(c) = x.categories.iter().find(|c| c.name == cat) else {
                        rows.push((
                            format!("{entity} {cat}"),
                            "a category".into(),
                            "no such category in the policy".into(),
                        ));
                        continue;
                    };
                    let want = text(want).unwrap_or_default();
                    let got = match want.as_str() {
                        "true" | "false" => c
                            .member
                            .map(|m| m.to_string())
                            .unwrap_or_else(|| "undetermined".into()),
                        _ => c.state.key(),
                    };
                    if want != got {
                        rows.push((format!("{entity} {cat}"), want, got));
                    }
                }
            }
        }
    }
    if !rows.is_empty() {
        let w0 = rows.iter().map(|r| r.0.len()).max().unwrap_or(0).max(4);
        let w1 = rows.iter().map(|r| r.1.len()).max().unwrap_or(0).max(8);
        let _ = writeln!(out, "  {:<w0$}  {:<w1$}  actual", "", "expected");
        for (what, want, got) in rows {
            let _ = writeln!(out, "  {what:<w0$}  {want:<w1$}  {got}");
        }
    }
    out
}

/// A BTreeMap keeps the report order stable when several files run.
pub type Results = BTreeMap<PathBuf, FileResult>;
