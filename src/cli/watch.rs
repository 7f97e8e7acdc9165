//! `mandate watch POLICY [DATA...]`

use std::collections::{BTreeMap, BTreeSet};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use notify::{RecursiveMode, Watcher};

use super::EXIT_UNREADABLE;
use crate::check::check_path;
use crate::eval::{Options, evaluate};
use crate::report::diagnostics::{Style, render, summary};
use crate::report::findings::{LintReport, human};

/// Re-check the policy (and re-lint the data) on every save of the policy, an included file or a
/// data file. A burst of saves is one run; editors that save through a temporary file and a rename,
/// files briefly deleted, and syntax errors mid-edit are all survived. Ctrl-C stops.
#[derive(Debug, clap::Args)]
pub struct Args {
    pub policy: PathBuf,
    /// Data folders or files to lint on every change.
    pub data: Vec<PathBuf>,
    #[arg(long, value_parser = super::lint::parse_date)]
    pub as_of: Option<NaiveDate>,
    /// Quiet period after the last change before a run, in milliseconds.
    #[arg(long, default_value_t = 150)]
    pub debounce_ms: u64,
}

pub fn run(args: Args, style: Style) -> u8 {
    let (tx, rx) = mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = match notify::recommended_watcher(tx) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: cannot watch files: {e}");
            return EXIT_UNREADABLE;
        }
    };
    let clear = std::io::stdout().is_terminal();
    // Each watched folder with its identity when the watch was set.
    let mut watched: BTreeMap<PathBuf, Option<(u64, u64)>> = BTreeMap::new();
    let mut run_no = 0u64;
    loop {
        run_no += 1;
        let started = Instant::now();
        let (out, files) = once(&args, style, clear);
        // Watch the folders that hold the files (not the files: editors replace them by rename).
        let mut want: BTreeSet<PathBuf> = files
            .iter()
            .filter_map(|f| absolute(f).parent().map(Path::to_path_buf))
            .collect();
        for d in &args.data {
            want.insert(absolute(d));
        }
        // A folder deleted (and perhaps made again) since it was watched has lost its watch: the
        // watch goes, and is set again below on the folder that is there now.
        watched.retain(|dir, id| {
            let now = identity(dir);
            let same = now.is_some() && now == *id;
            if !same {
                let _ = watcher.unwatch(dir);
            }
            same
        });
        for dir in &want {
            // A folder that is not there (yet): its nearest existing parent is watched, to see it
            // come back.
            let target = nearest_existing(dir);
            if watched.contains_key(&target) {
                continue;
            }
            let mode = if target == *dir
                && target.is_dir()
                && args.data.iter().any(|d| absolute(d) == *dir)
            {
                RecursiveMode::Recursive
            } else {
                RecursiveMode::NonRecursive
            };
            if watcher.watch(&target, mode).is_ok() {
                watched.insert(target.clone(), identity(&target));
            }
        }
        // Print only once the watches are in place, so no change after the message is missed.
        let mut stdout = std::io::stdout().lock();
        super::written(stdout.write_all(out.as_bytes()));
        super::written(writeln!(
            stdout,
            "[watch] run {run_no} took {} ms; waiting for changes (Ctrl-C to stop)",
            started.elapsed().as_millis()
        ));
        super::written(stdout.flush());
        drop(stdout);
        let relevant: BTreeSet<PathBuf> = files.iter().map(|f| absolute(f)).collect();
        let data_roots: Vec<PathBuf> = args.data.iter().map(|d| absolute(d)).collect();
        // Wait for a relevant change, then for a quiet period.
        let is_relevant = |ev: &notify::Event| {
            !matches!(ev.kind, notify::EventKind::Access(_))
                && ev.paths.iter().any(|p| {
                    let p = absolute(p);
                    relevant.contains(&p)
                        || data_roots.iter().any(|d| p.starts_with(d))
                        // A watched folder, or one above it, deleted or made again.
                        || want.iter().any(|w| w.starts_with(&p))
                        || is_policy(&p)
                })
        };
        loop {
            match rx.recv() {
                Ok(Ok(ev)) if is_relevant(&ev) => break,
                Ok(_) => {}
                Err(_) => return 0,
            }
        }
        let quiet = Duration::from_millis(args.debounce_ms);
        while let Ok(_ev) = rx.recv_timeout(quiet) {}
    }
}

/// The folder's device and inode: a folder deleted and made again under the same name is another.
fn identity(p: &Path) -> Option<(u64, u64)> {
    let meta = std::fs::metadata(p).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Some((0, 0))
    }
}

/// `p`, or the nearest folder above it that exists.
fn nearest_existing(p: &Path) -> PathBuf {
    let mut at = p;
    while !at.exists() {
        match at.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => at = parent,
            _ => break,
        }
    }
    at.to_path_buf()
}

fn is_policy(p: &Path) -> bool {
    p.extension().map(|e| e == "policy").unwrap_or(false)
}

fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// One run: check, then lint. Returns the output and the files that were read (policy and
/// includes).
fn once(args: &Args, style: Style, clear: bool) -> (String, Vec<PathBuf>) {
    let mut out = String::new();
    if clear {
        out.push_str("\x1b[2J\x1b[H");
    }
    let mut files = vec![args.policy.clone()];
    match check_path(&args.policy) {
        Err(e) => out.push_str(&format!("{e}\nwaiting for the file to come back...\n")),
        Ok((loaded, checked)) => {
            files.extend(loaded.sources.iter().map(|(_, f)| PathBuf::from(&f.name)));
            out.push_str(&render(&loaded.sources, &checked.problems, style));
            out.push_str(&format!(
                "{}: {}\n",
                args.policy.display(),
                summary(&checked.problems)
            ));
            if let Some(model) = checked.model
                && !args.data.is_empty()
            {
                let as_of = args
                    .as_of
                    .unwrap_or_else(|| chrono::Local::now().date_naive());
                let ev = evaluate(&model, &loaded.sources, &args.data, &Options::at(as_of));
                let policy = args.policy.display().to_string();
                let mut report = LintReport::new(&policy, &model.guide.id, as_of, &ev);
                if let Some((_, e)) = model.schema.entities().next() {
                    report.entity_word = format!("{}s", e.name);
                }
                out.push_str(&human(&report, &loaded.sources, style));
                out.push_str(&report.summary(None));
                out.push('\n');
            }
        }
    }
    files.sort();
    files.dedup();
    (out, files)
}
