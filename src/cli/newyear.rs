//! `mandate new-year OLD.policy --year 2024-2025`: the next revision's file, scaffolded from the
//! last one. The guide's number, `replaces`, `year` and the file's place are updated and each
//! include is pinned as it is now; every date is left as it was, for review, and `check` lists
//! them (`mandate::check::stale-date`).

use std::path::{Component, Path, PathBuf};

use crate::check::load::pin_of;
use crate::report::diagnostics::{Style, render, summary};
use crate::syntax::Span;
use crate::syntax::ast::{Guide, GuideValue, Item};

/// Start next year's revision from this year's, every date left for review.
///
/// A copy with the guide's number, `replaces`, `year`, its folder and its includes (pinned)
/// updated.
///
/// Writes the new file (never over an existing one), then checks it: the warning
/// `stale-date` lists each date still in the old school year, to revise against the new guide.
/// Exit 0 when written; 2 when nothing was written (OLD unreadable or with errors, no `guide`
/// block or `year` in it, the new file exists, no place for it without `--out`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Last year's revision, e.g. `policies/lausd/2023-24/ref-1028.19.policy`.
    pub old: PathBuf,
    /// The new revision's school year: `2024-2025` (or `2024-25`).
    #[arg(long)]
    pub year: String,
    /// The new guide's number [default: the old one's last number plus one, REF-1028.19 →
    /// REF-1028.20].
    #[arg(long)]
    pub id: Option<String>,
    /// Where to write the new file [default: the old one's path with its year folder and guide
    /// number updated, `2023-24/ref-1028.19.policy` → `2024-25/ref-1028.20.policy`].
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(args: Args, style: Style) -> u8 {
    match scaffold(&args) {
        Ok((path, notes)) => {
            outln!("wrote {}", path.display());
            report(&path, style);
            for n in notes {
                eprintln!("note: {n}");
            }
            super::EXIT_OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            super::EXIT_UNREADABLE
        }
    }
}

/// Checks the new file and prints what is left to do.
fn report(path: &Path, style: Style) {
    match crate::check::check_path(path) {
        Err(e) => eprintln!("{:?}", miette::Report::new(e)),
        Ok((loaded, checked)) => {
            eprint!("{}", render(&loaded.sources, &checked.problems, style));
            eprintln!(
                "{}: {} ({}); revise the dates listed, then run `mandate check` again",
                path.display(),
                if checked.has_errors() {
                    "to revise"
                } else {
                    "ok"
                },
                summary(&checked.problems)
            );
        }
    }
}

/// `2024-2025` or `2024-25` → 2024.
fn parse_year(s: &str) -> Option<i32> {
    let (a, b) = s.trim().split_once('-')?;
    let a: i32 = a.parse().ok()?;
    let b: i32 = b.parse().ok()?;
    let next = a.checked_add(1)?;
    (a >= 1000 && (b == next || (b < 100 && b == next % 100))).then_some(a)
}

/// `REF-1028.19` → `REF-1028.20`: the last number plus one, as wide as it was.
fn next_id(id: &str) -> Option<String> {
    let end = id.rfind(|c: char| c.is_ascii_digit())? + 1;
    let start = id
        .get(..end)?
        .rfind(|c: char| !c.is_ascii_digit())
        .map_or(0, |i| i + 1);
    let digits = id.get(start..end)?;
    let n: u64 = digits.parse().ok()?;
    let next = format!("{:0width$}", n.checked_add(1)?, width = digits.len());
    Some(format!("{}{next}{}", id.get(..start)?, id.get(end..)?))
}

/// The year folder's name for another year, in the same form: `2023-24` → `2024-25`,
/// `2023-2024` → `2024-2025`, `2023_24` → `2024_25`.
fn year_folder(name: &str, old: i32, new: i32) -> Option<String> {
    for sep in ['-', '_'] {
        if name == format!("{old}{sep}{:02}", (old + 1) % 100) {
            return Some(format!("{new}{sep}{:02}", (new + 1) % 100));
        }
        if name == format!("{old}{sep}{}", old + 1) {
            return Some(format!("{new}{sep}{}", new + 1));
        }
    }
    None
}

fn placed(old_path: &Path, old: i32, new: i32, old_id: &str, new_id: &str) -> Option<PathBuf> {
    let dir = old_path.parent()?;
    let folder = year_folder(dir.file_name()?.to_str()?, old, new)?;
    let name = old_path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    let name = match lower.find(&old_id.to_ascii_lowercase()) {
        Some(at) => {
            let id = if name.get(at..at + old_id.len()) == Some(old_id) {
                new_id.to_string()
            } else {
                new_id.to_ascii_lowercase()
            };
            format!("{}{id}{}", name.get(..at)?, name.get(at + old_id.len()..)?)
        }
        None => name.to_string(),
    };
    Some(dir.parent()?.join(folder).join(name))
}

/// `to` relative to the folder `from`, both absolute: `../common/lausd.policy`.
fn relative(from: &Path, to: &Path) -> String {
    let a: Vec<Component> = from.components().collect();
    let b: Vec<Component> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = Vec::new();
    for _ in common..a.len() {
        parts.push("..".into());
    }
    for c in b.iter().skip(common) {
        parts.push(c.as_os_str().to_string_lossy().into_owned());
    }
    parts.join("/")
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn scaffold(args: &Args) -> Result<(PathBuf, Vec<String>), String> {
    let (loaded, checked) = crate::check::check_path(&args.old)
        .map_err(|e| format!("cannot read `{}`: {}", e.path, e.reason))?;
    if checked.has_errors() {
        eprint!(
            "{}",
            render(
                &loaded.sources,
                &checked.problems,
                super::stderr_style(false)
            )
        );
        return Err(format!(
            "`{}` has errors; fix them before starting the next revision from it",
            args.old.display()
        ));
    }
    let new_year = parse_year(&args.year).ok_or_else(|| {
        format!(
            "`{}` is not a school year; write it as `2024-2025`",
            args.year
        )
    })?;
    let (root, file) = loaded.files.first().ok_or("the policy has no text")?;
    let text = loaded.sources.text(*root);
    let guide: &Guide = file
        .items
        .iter()
        .find_map(|i| match i {
            Item::Guide(g) => Some(g),
            _ => None,
        })
        .ok_or_else(|| format!("`{}` has no `guide` block", args.old.display()))?;
    let old_year = checked
        .model
        .as_ref()
        .and_then(|m| m.guide.year)
        .ok_or_else(|| format!("`{}` does not give its school `year`", args.old.display()))?;
    if old_year == new_year {
        return Err(format!(
            "`{}` is already the revision for {new_year}-{}",
            args.old.display(),
            new_year + 1
        ));
    }
    let old_id = guide.id.node.clone();
    let new_id = match &args.id {
        Some(id) => id.clone(),
        None => next_id(&old_id).ok_or_else(|| {
            format!("`{old_id}` ends in no number to count on from; give the new one with --id")
        })?,
    };
    let out = match &args.out {
        Some(p) => p.clone(),
        None => placed(&args.old, old_year, new_year, &old_id, &new_id).ok_or_else(|| {
            format!(
                "the folder of `{}` is not named for its school year ({old_year}-{}); say where \
                 the new revision goes with --out",
                args.old.display(),
                (old_year + 1) % 100
            )
        })?,
    };
    if std::fs::symlink_metadata(&out).is_ok() {
        return Err(format!(
            "`{}` exists already; it is never overwritten (give another path with --out)",
            out.display()
        ));
    }

    // The edits, as (span, new text).
    let mut edits: Vec<(Span, String)> = Vec::new();
    let id_text = if loaded.sources.slice(guide.id.span).starts_with('"') {
        quoted(&new_id)
    } else {
        new_id.clone()
    };
    edits.push((guide.id.span, id_text));
    let year_text = format!("{new_year}-{}", new_year + 1);
    let mut has_replaces = false;
    for e in &guide.entries {
        match e.key.name.as_str() {
            "year" => edits.push((e.value.span(), year_text.clone())),
            "replaces" => {
                has_replaces = true;
                let v = match &e.value {
                    GuideValue::Word(_) => old_id.clone(),
                    GuideValue::Lit(_) => quoted(&old_id),
                };
                edits.push((e.value.span(), v));
            }
            _ => {}
        }
    }
    if !has_replaces && let Some(last) = guide.entries.last() {
        let line_start = text
            .get(..last.span.start)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |i| i + 1);
        let indent: String = text
            .get(line_start..last.span.start)
            .unwrap_or("")
            .chars()
            .take_while(|c| c.is_whitespace())
            .collect();
        let at = Span::new(*root, last.span.end, last.span.end);
        edits.push((at, format!("\n{indent}replaces {old_id}")));
    }

    // Includes: from the new folder, pinned as they are now.
    let old_dir = args.old.parent().unwrap_or(Path::new("."));
    let out_dir = out.parent().unwrap_or(Path::new(".")).to_path_buf();
    std::fs::create_dir_all(if out_dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        &out_dir
    })
    .map_err(|e| format!("cannot create `{}`: {e}", out_dir.display()))?;
    let out_abs = std::fs::canonicalize(if out_dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        &out_dir
    })
    .map_err(|e| format!("cannot read `{}`: {e}", out_dir.display()))?;
    for item in &file.items {
        let Item::Include(inc) = item else { continue };
        let target = old_dir.join(&inc.path.node);
        let canon = std::fs::canonicalize(&target)
            .map_err(|e| format!("cannot read `{}`: {e}", target.display()))?;
        let included = crate::safe_fs::read_text(&canon, crate::limits::POLICY_BYTES)
            .map_err(|e| format!("cannot read `{}`: {e}", target.display()))?;
        let rel = relative(&out_abs, &canon);
        edits.push((
            inc.span,
            format!(
                "include {} pinned {}",
                quoted(&rel),
                quoted(&pin_of(&included))
            ),
        ));
    }

    edits.sort_by_key(|(s, _)| std::cmp::Reverse(s.start));
    let mut new_text = text.to_string();
    for (span, with) in &edits {
        if new_text.get(span.start..span.end).is_some() {
            new_text.replace_range(span.start..span.end, with);
        }
    }

    write_new(&out, &new_text)?;
    Ok((out, notes(args, file, text, &old_id)))
}

/// Writes a file that must not exist yet.
fn write_new(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write as _;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    f.write_all(text.as_bytes())
        .map_err(|e| format!("cannot write `{}`: {e}", path.display()))
}

/// What the scaffold cannot do: the old file's own includes unpinned, comments naming the old
/// guide, policy tests beside the old file.
fn notes(
    args: &Args,
    file: &crate::syntax::ast::PolicyFile,
    text: &str,
    old_id: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    let unpinned = file
        .items
        .iter()
        .any(|i| matches!(i, Item::Include(inc) if inc.pin.is_none()));
    if unpinned {
        out.push(format!(
            "`{}` does not pin its includes, so an edit to them would change what it means; \
             pin them (`mandate check` prints each pin for `pinned \"sha256:\"`)",
            args.old.display()
        ));
    }
    let lines: Vec<String> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| {
            l.trim_start().starts_with("//") && l.to_lowercase().contains(&old_id.to_lowercase())
        })
        .map(|(i, _)| (i + 1).to_string())
        .collect();
    if !lines.is_empty() {
        out.push(format!(
            "comments still name {old_id} (line {}); revise them with the text",
            lines.join(", ")
        ));
    }
    if let Some(tests) = args.old.parent().map(|d| d.join("tests"))
        && tests.is_dir()
    {
        out.push(format!(
            "the policy tests in `{}` were not copied: their cases carry last year's dates",
            tests.display()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_ids_and_places() {
        assert_eq!(parse_year("2024-2025"), Some(2024));
        assert_eq!(parse_year("2024-25"), Some(2024));
        assert_eq!(parse_year("2024-2026"), None);
        assert_eq!(parse_year("24-25"), None);
        assert_eq!(next_id("REF-1028.19").as_deref(), Some("REF-1028.20"));
        assert_eq!(next_id("REF-1028.09").as_deref(), Some("REF-1028.10"));
        assert_eq!(next_id("P1471").as_deref(), Some("P1472"));
        assert_eq!(next_id("PCSB"), None);
        assert_eq!(
            year_folder("2023-24", 2023, 2024).as_deref(),
            Some("2024-25")
        );
        assert_eq!(
            year_folder("2023-2024", 2023, 2024).as_deref(),
            Some("2024-2025")
        );
        assert_eq!(
            year_folder("2099-00", 2099, 2100).as_deref(),
            Some("2100-01")
        );
        assert_eq!(year_folder("current", 2023, 2024), None);
        assert_eq!(
            placed(
                Path::new("policies/lausd/2023-24/ref-1028.19.policy"),
                2023,
                2024,
                "REF-1028.19",
                "REF-1028.20"
            ),
            Some(PathBuf::from("policies/lausd/2024-25/ref-1028.20.policy"))
        );
        assert_eq!(
            relative(Path::new("/a/b/2024-25"), Path::new("/a/b/common/x.policy")),
            "../common/x.policy"
        );
    }
}
