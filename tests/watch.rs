#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `mandate watch` on a real file system: edits, atomic saves by rename, a syntax error mid-edit, a
//! briefly deleted file, folders deleted and made again. When a burst of saves is one run is the
//! pure `Debouncer`'s to decide, tested without sleeps in `src/cli/watch.rs`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

struct Watch {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Watch {
    fn start(policy: &Path, data: &Path) -> Watch {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mandate"))
            .args(["watch", "--as-of", "2024-02-15", "--debounce-ms", "200"])
            .arg(policy)
            .arg(data)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let out = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Watch {
            child,
            lines: rx,
            seen: Vec::new(),
        }
    }

    /// Waits for the end of run `n` and returns its output.
    fn run(&mut self, n: u64) -> String {
        let marker = format!("[watch] run {n} took");
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut out = Vec::new();
        while Instant::now() < deadline {
            if let Ok(l) = self.lines.recv_timeout(Duration::from_millis(100)) {
                self.seen.push(l.clone());
                if l.starts_with(&marker) {
                    return out.join("\n");
                }
                if l.starts_with("[watch] run ") {
                    panic!(
                        "expected run {n}, got `{l}`; so far:\n{}",
                        self.seen.join("\n")
                    );
                }
                out.push(l);
            }
        }
        panic!(
            "no run {n} within 20 s; output so far:\n{}",
            self.seen.join("\n")
        );
    }

    /// Waits for a run whose output contains `want` (however many runs come first) and returns it.
    fn until(&mut self, want: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut out = Vec::new();
        while Instant::now() < deadline {
            if let Ok(l) = self.lines.recv_timeout(Duration::from_millis(100)) {
                self.seen.push(l.clone());
                if l.starts_with("[watch] run ") {
                    let run = out.join("\n");
                    if run.contains(want) {
                        return run;
                    }
                    out.clear();
                } else {
                    out.push(l);
                }
            }
        }
        panic!(
            "no run printed `{want}` within 20 s; output so far:\n{}",
            self.seen.join("\n")
        );
    }
}

fn setup(name: &str) -> (PathBuf, PathBuf) {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("watch-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("lausd/2023-24")).unwrap();
    std::fs::create_dir_all(root.join("lausd/common")).unwrap();
    std::fs::create_dir_all(root.join("data")).unwrap();
    std::fs::copy(
        "policies/lausd/2023-24/ref-1028.19.policy",
        root.join("lausd/2023-24/ref.policy"),
    )
    .unwrap();
    std::fs::copy(
        "policies/lausd/common/lausd.policy",
        root.join("lausd/common/lausd.policy"),
    )
    .unwrap();
    for f in std::fs::read_dir("samples/district").unwrap() {
        let f = f.unwrap().path();
        if f.extension().map(|e| e == "csv").unwrap_or(false) {
            std::fs::copy(&f, root.join("data").join(f.file_name().unwrap())).unwrap();
        }
    }
    (root.join("lausd/2023-24/ref.policy"), root.join("data"))
}

#[test]
fn watch_follows_edits_and_survives_mistakes() {
    let (policy, data) = setup("edits");
    let original = std::fs::read_to_string(&policy).unwrap();
    let mut w = Watch::start(&policy, &data);
    let first = w.run(1);
    assert!(first.contains("43 schools checked"), "{first}");

    // A plain edit: the threshold changes, the run says so.
    std::fs::write(
        &policy,
        original.replace("hbao_share > 70%", "hbao_share > 65%"),
    )
    .unwrap();
    let second = w.run(2);
    assert!(second.contains("schools checked"), "{second}");
    // What changed since the last run: at 65% more schools are PHBAO, school by school.
    assert!(
        second.contains("[watch] since the last run: errors "),
        "{second}"
    );
    assert!(
        second
            .lines()
            .any(|l| l.starts_with("  ") && l.contains(": PHBAO: ")),
        "{second}"
    );
    assert!(!first.contains("since the last run"), "{first}");

    // A syntax error mid-edit: the diagnostic is shown, and watch waits.
    std::fs::write(
        &policy,
        original.replace("category PHBAO when", "category PHBAO whe"),
    )
    .unwrap();
    let third = w.run(3);
    assert!(third.contains("mandate::syntax"), "{third}");

    // An editor's atomic save: write a temporary file, rename it over the policy.
    let tmp = policy.with_extension("policy.tmp~");
    std::fs::write(&tmp, &original).unwrap();
    std::fs::rename(&tmp, &policy).unwrap();
    let fourth = w.run(4);
    assert!(fourth.contains("43 schools checked"), "{fourth}");

    // The file is deleted, then comes back.
    std::fs::remove_file(&policy).unwrap();
    let gone = w.run(5);
    assert!(gone.contains("cannot read"), "{gone}");
    std::fs::write(&policy, &original).unwrap();
    let back = w.run(6);
    assert!(back.contains("43 schools checked"), "{back}");

    // An included file changes.
    let common = policy
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("common/lausd.policy");
    let text = std::fs::read_to_string(&common).unwrap();
    std::fs::write(&common, format!("{text}\n// edited\n")).unwrap();
    w.run(7);

    // A data file changes.
    let conf = data.join("conference.csv");
    let text = std::fs::read_to_string(&conf).unwrap();
    std::fs::write(&conf, text).unwrap();
    w.run(8);
}

/// Hostile input, case 10 (SECURITY.md): the data folder and the policy's folder deleted and made
/// again are watched again.
#[test]
fn folders_deleted_and_made_again_are_watched_again() {
    let (policy, data) = setup("recreate");
    let original = std::fs::read_to_string(&policy).unwrap();
    let saved: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    let mut w = Watch::start(&policy, &data);
    assert!(w.run(1).contains("43 schools checked"));

    // The data folder goes, then comes back with its files.
    std::fs::remove_dir_all(&data).unwrap();
    w.until("schools checked");
    std::fs::create_dir(&data).unwrap();
    for (p, bytes) in &saved {
        std::fs::write(p, bytes).unwrap();
    }
    w.until("43 schools checked");
    // ...and is watched again: a change in it is seen.
    let school = data.join("school.csv");
    let text = std::fs::read_to_string(&school).unwrap();
    let cut: Vec<&str> = text.lines().take(text.lines().count() - 1).collect();
    std::fs::write(&school, cut.join("\n") + "\n").unwrap();
    w.until("42 schools checked");

    // The policy's folder goes and comes back; an edit after that is seen.
    let folder = policy.parent().unwrap().to_path_buf();
    std::fs::remove_dir_all(&folder).unwrap();
    w.until("waiting for the file to come back");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(&policy, &original).unwrap();
    w.until("42 schools checked");
    std::fs::write(
        &policy,
        original.replace("category PHBAO when", "category PHBAO whe"),
    )
    .unwrap();
    w.until("expected");
}
