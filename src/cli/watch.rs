//! `mandate watch POLICY [DATA...]`

use std::collections::{BTreeMap, BTreeSet};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use notify::{RecursiveMode, Watcher};

use super::EXIT_UNREADABLE;
use crate::lint;
use crate::report::diagnostics::{Style, render, summary};
use crate::report::findings::summary as summary_text;

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
    // The last run's evaluation, to say what changed.
    let mut last: Option<crate::eval::Evaluation> = None;
    loop {
        run_no += 1;
        let started = Instant::now();
        let (mut out, files, ev) = once(&args, style, clear);
        // What changed since the last run, school by school.
        if let (Some(before), Some(now)) = (&last, &ev) {
            out.push_str(&changes(before, now));
        }
        if ev.is_some() {
            last = ev;
        }
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
        let mut debounce = Debouncer::new(Duration::from_millis(args.debounce_ms));
        loop {
            let event = match debounce.deadline() {
                None => match rx.recv() {
                    Ok(ev) => Some(ev),
                    Err(_) => return 0,
                },
                Some(due) => match rx.recv_timeout(due.saturating_duration_since(Instant::now())) {
                    Ok(ev) => Some(ev),
                    Err(mpsc::RecvTimeoutError::Timeout) => None,
                    // Nothing more can come: the pending change is run, then the wait ends.
                    Err(mpsc::RecvTimeoutError::Disconnected) => break,
                },
            };
            let now = Instant::now();
            match event {
                Some(ev) => debounce.event(now, matches!(&ev, Ok(ev) if is_relevant(ev))),
                // Only a wait that timed out ends the quiet period: events already queued (with
                // `--debounce-ms 0`, a burst read at once) are taken first.
                None if debounce.due(now) => break,
                None => {}
            }
        }
    }
}

/// When a burst of changes has settled: a pure state machine fed with the times events arrive,
/// so it is tested without a clock or a file system. A relevant change starts a quiet period;
/// every event (relevant or not) until it ends starts it again; at its end a run is due. Events
/// before the first relevant change are ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Debouncer {
    quiet: Duration,
    /// The last event since a relevant change, while a run is pending.
    last: Option<Instant>,
}

impl Debouncer {
    pub(crate) fn new(quiet: Duration) -> Debouncer {
        Debouncer { quiet, last: None }
    }

    /// An event at `now`; `relevant` when it changes a file the run reads.
    pub(crate) fn event(&mut self, now: Instant, relevant: bool) {
        if relevant || self.last.is_some() {
            self.last = Some(now);
        }
    }

    /// When the pending run is due, if one is pending: the end of the quiet period.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.last.map(|t| t + self.quiet)
    }

    /// Whether a run is due at `now`; if so, it is no longer pending.
    pub(crate) fn due(&mut self, now: Instant) -> bool {
        let due = self.deadline().is_some_and(|d| now >= d);
        if due {
            self.last = None;
        }
        due
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

/// The most changed schools listed after a run.
const CHANGES_SHOWN: usize = 20;

/// `[watch] since the last run: errors 17 → 18, warnings 10; 1 school changed` and a line per
/// change, from the same comparison `diff --data` makes.
fn changes(before: &crate::eval::Evaluation, now: &crate::eval::Evaluation) -> String {
    use crate::check::model::Severity;
    let count = |ev: &crate::eval::Evaluation, s: Severity| {
        ev.findings.iter().filter(|f| f.severity == s).count()
    };
    let mut parts = Vec::new();
    for (word, s) in [
        ("errors", Severity::Error),
        ("warnings", Severity::Warning),
        ("info", Severity::Info),
    ] {
        let (a, b) = (count(before, s), count(now, s));
        parts.push(if a == b {
            format!("{word} {b}")
        } else {
            format!("{word} {a} → {b}")
        });
    }
    let impact = crate::diff::impact(before, now);
    let mut out = format!(
        "[watch] since the last run: {}; {} changed\n",
        parts.join(", "),
        match impact.len() {
            0 => "no school".to_string(),
            1 => "1 school".to_string(),
            n => format!("{n} schools"),
        }
    );
    for i in impact.iter().take(CHANGES_SHOWN) {
        for c in &i.changes {
            let line = format!("  {}: {c}", i.entity);
            out.push_str(&crate::escape::one_line(&line));
            out.push('\n');
        }
    }
    if impact.len() > CHANGES_SHOWN {
        out.push_str(&format!(
            "  ... and {} more schools (mandate diff --data for all)\n",
            impact.len() - CHANGES_SHOWN
        ));
    }
    out
}

/// One run: check, then lint. Returns the output, the files that were read (policy and
/// includes), and the evaluation when the data was linted.
fn once(
    args: &Args,
    style: Style,
    clear: bool,
) -> (String, Vec<PathBuf>, Option<crate::eval::Evaluation>) {
    let mut evaluation = None;
    let mut out = String::new();
    if clear {
        out.push_str("\x1b[2J\x1b[H");
    }
    let mut files = vec![args.policy.clone()];
    // The check's diagnostics and summary, and the files it read (to watch them).
    let mut checked = |loaded: &crate::check::Loaded, problems: &[crate::check::Problem]| {
        files.extend(loaded.sources.iter().map(|(_, f)| PathBuf::from(&f.name)));
        out.push_str(&render(&loaded.sources, problems, style));
        out.push_str(&format!(
            "{}: {}\n",
            args.policy.display(),
            summary(problems)
        ));
    };
    let policy = match lint::load(&args.policy) {
        Err(lint::Error::Unreadable(e)) => {
            out.push_str(&format!("{e}\nwaiting for the file to come back...\n"));
            None
        }
        Err(lint::Error::Invalid { loaded, problems }) => {
            checked(&loaded, &problems);
            None
        }
        Ok(policy) => {
            checked(&policy.loaded, &policy.problems);
            Some(policy)
        }
    };
    if let Some(policy) = policy
        && !args.data.is_empty()
    {
        let as_of = args
            .as_of
            .unwrap_or_else(|| chrono::Local::now().date_naive());
        let outcome = lint::run(&policy, &args.data, &lint::Options::at(as_of));
        let name = args.policy.display().to_string();
        let report = policy.report(&name, &outcome);
        out.push_str(&summary_text(&report));
        out.push_str(&report.summary(None));
        out.push('\n');
        drop(report);
        evaluation = Some(outcome.evaluation);
    }
    files.sort();
    files.dedup();
    (out, files, evaluation)
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUIET: Duration = Duration::from_millis(200);

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// The times runs are due for events at these offsets (ms, relevant), polled as the watch
    /// loop polls: when its wait times out at a deadline reached by the next event's time (a
    /// deadline at the same instant as an event is run first).
    fn runs(events: &[(u64, bool)]) -> Vec<u64> {
        let t0 = Instant::now();
        let mut d = Debouncer::new(QUIET);
        let mut out = Vec::new();
        for &(at, relevant) in events {
            let now = t0 + ms(at);
            if let Some(due) = d.deadline().filter(|due| *due <= now) {
                assert!(d.due(due));
                out.push((due - t0).as_millis() as u64);
            }
            d.event(now, relevant);
        }
        if let Some(due) = d.deadline() {
            assert!(!d.due(due - ms(1)), "due before its deadline");
            assert!(d.due(due));
            out.push((due - t0).as_millis() as u64);
        }
        assert_eq!(d.deadline(), None, "still pending after its run");
        out
    }

    #[test]
    fn one_change_runs_after_the_quiet_period() {
        assert_eq!(runs(&[(0, true)]), vec![200]);
        assert_eq!(runs(&[(1000, true)]), vec![1200]);
    }

    #[test]
    fn a_burst_of_saves_is_one_run() {
        // Six saves 30 ms apart, as `a_burst` used to time with sleeps.
        let burst: Vec<(u64, bool)> = (0..6).map(|i| (i * 30, true)).collect();
        assert_eq!(runs(&burst), vec![350]);
    }

    #[test]
    fn events_before_a_change_are_ignored_and_after_it_extend_the_quiet() {
        // Reads and changes to files the run does not read start nothing.
        assert_eq!(runs(&[(0, false), (100, false)]), Vec::<u64>::new());
        // After a change, any event (the editor's temporary file, a rename) is part of the burst.
        assert_eq!(runs(&[(0, true), (150, false), (300, false)]), vec![500]);
        // After the run, an unrelated event starts nothing.
        assert_eq!(runs(&[(0, true), (250, false)]), vec![200]);
    }

    #[test]
    fn changes_a_quiet_period_apart_are_two_runs() {
        assert_eq!(runs(&[(0, true), (200, true)]), vec![200, 400]);
        assert_eq!(runs(&[(0, true), (199, true)]), vec![399]);
        assert_eq!(
            runs(&[(0, true), (500, true), (550, true), (1000, true)]),
            vec![200, 750, 1200]
        );
    }

    #[test]
    fn no_quiet_period_runs_at_once() {
        let t0 = Instant::now();
        let mut d = Debouncer::new(Duration::ZERO);
        assert!(!d.due(t0));
        d.event(t0, true);
        assert_eq!(d.deadline(), Some(t0));
        assert!(d.due(t0));
        assert!(!d.due(t0));
    }

    /// Against a direct reading of the rule on random event times: a run is due at the first
    /// gap of at least the quiet period after a relevant change (or after the last event).
    #[test]
    fn random_bursts_run_as_the_rule_says() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..2000 {
            let mut at = 0;
            let events: Vec<(u64, bool)> = (0..next() % 12)
                .map(|_| {
                    at += next() % 450;
                    (at, next() % 3 != 0)
                })
                .collect();
            let mut want = Vec::new();
            let mut pending: Option<u64> = None;
            for &(t, relevant) in &events {
                if let Some(last) = pending
                    && t >= last + 200
                {
                    want.push(last + 200);
                    pending = None;
                }
                if relevant || pending.is_some() {
                    pending = Some(t);
                }
            }
            want.extend(pending.map(|last| last + 200));
            assert_eq!(runs(&events), want, "{events:?}");
        }
    }
}
