//! Hostile input (SECURITY.md): each test is one numbered case of the threat model, run through the
//! `mandate` binary on files made in a temporary folder. A guarantee that holds is a test here.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A small policy with a private field, used by most cases.
const POLICY: &str = r#"guide T-1 {
  title "t"
  issued 1/1/2024
  year 2023-2024
}
record school key id {
  id: text
  name: text
}
record student {
  school: school
  student_name: text private
  score: number
}
section "S" {
  must passing: each student has score >= 1
}
"#;

/// Runs `mandate ARGS` in `dir` with a time limit; a run that does not end fails the test.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    run_with(dir, args, Stdio::null())
}

fn run_with(dir: &Path, args: &[&str], stdin: Stdio) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_mandate"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(child.wait_with_output()));
    // Generous: a debug build on a loaded machine parses a 2.5 MB policy in about a minute.
    match rx.recv_timeout(Duration::from_secs(300)) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").arg(pid.to_string()).status();
            panic!("mandate {} did not end within 300 s", args.join(" "));
        }
    }
}

fn all_output(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited without a code")
}

/// A folder with `p.policy` (the policy above) and a data folder `d` with one school.
fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.policy"), POLICY).unwrap();
    std::fs::create_dir(dir.path().join("d")).unwrap();
    std::fs::write(dir.path().join("d/school.csv"), "id,name\nS1,One\n").unwrap();
    dir
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

// 1. Writes only where asked.

#[test]
fn case_1_test_file_keys_never_become_paths() {
    let dir = setup();
    let victim = dir.path().join("victim");
    std::fs::create_dir(&victim).unwrap();
    let key = victim.join("package");
    std::fs::write(
        dir.path().join("a.test.yaml"),
        format!(
            "policy: p.policy\nas_of: 2024-01-01\ncases:\n  - name: c\n    data:\n      \
             {}: [{{x: 1}}]\n    expect: {{}}\n",
            key.display()
        ),
    )
    .unwrap();
    let out = run_in(dir.path(), &["test", "a.test.yaml"]);
    let text = all_output(&out);
    assert_eq!(code(&out), 2, "{text}");
    assert!(
        text.contains("which is not a record of the policy"),
        "{text}"
    );
    assert!(!victim.join("package.json").exists(), "{text}");
}

#[test]
fn case_1_test_file_names_only_a_policy() {
    let dir = setup();
    std::fs::write(
        dir.path().join("a.test.yaml"),
        "policy: /etc/passwd\nas_of: 2024-01-01\ncases: []\n",
    )
    .unwrap();
    let out = run_in(dir.path(), &["test", "a.test.yaml"]);
    let text = all_output(&out);
    assert_eq!(code(&out), 2, "{text}");
    assert!(text.contains("must name a `.policy` file"), "{text}");
    assert!(!text.contains("root"), "{text}");
}

// 3. Reads nothing unintended.

#[test]
fn case_3_includes_name_only_policy_files() {
    let dir = setup();
    for target in [
        "/proc/self/environ",
        "/etc/passwd",
        "../../../../../../../../etc/hostname",
    ] {
        std::fs::write(
            dir.path().join("inc.policy"),
            format!("include \"{target}\"\n{POLICY}"),
        )
        .unwrap();
        let out = run_in(dir.path(), &["check", "inc.policy"]);
        let text = all_output(&out);
        assert_eq!(code(&out), 1, "{text}");
        assert!(
            text.contains("only `.policy` files can be included"),
            "{text}"
        );
        assert!(!text.contains("root:"), "{text}");
        assert!(!text.contains("PATH="), "{text}");
    }
    // A `.policy` link to something else is refused too.
    std::os::unix::fs::symlink("/etc/passwd", dir.path().join("passwd.policy")).unwrap();
    std::fs::write(
        dir.path().join("inc.policy"),
        format!("include \"passwd.policy\"\n{POLICY}"),
    )
    .unwrap();
    let out = run_in(dir.path(), &["check", "inc.policy"]);
    let text = all_output(&out);
    assert!(text.contains("not a `.policy` file"), "{text}");
    assert!(!text.contains("root:"), "{text}");
}

#[test]
fn case_3_a_data_link_to_another_file_is_refused() {
    let dir = setup();
    std::os::unix::fs::symlink("/etc/passwd", dir.path().join("d/student.csv")).unwrap();
    let out = run_in(
        dir.path(),
        &["lint", "p.policy", "d", "--as-of", "2024-01-01"],
    );
    let text = all_output(&out);
    assert!(
        text.contains("symbolic link to a file that is not a CSV"),
        "{text}"
    );
    assert!(!text.contains("root"), "{text}");
}

// 4. Nothing blocks.

#[cfg(unix)]
#[test]
fn case_4_a_fifo_is_refused_before_it_is_opened() {
    let dir = setup();
    mkfifo(&dir.path().join("d/student.csv"));
    let out = run_in(
        dir.path(),
        &[
            "lint",
            "p.policy",
            "d/student.csv",
            "d/school.csv",
            "--as-of",
            "2024-01-01",
        ],
    );
    let text = all_output(&out);
    assert!(text.contains("it is a named pipe (FIFO)"), "{text}");
    mkfifo(&dir.path().join("f.policy"));
    for args in [&["fmt", "f.policy"][..], &["check", "f.policy"]] {
        let out = run_in(dir.path(), args);
        let text = all_output(&out);
        assert_eq!(code(&out), 2, "{text}");
        assert!(text.contains("named pipe"), "{text}");
    }
    // A FIFO named as a test file.
    mkfifo(&dir.path().join("x.test.yaml"));
    let out = run_in(dir.path(), &["test", "x.test.yaml"]);
    assert!(all_output(&out).contains("named pipe"));
}

#[cfg(unix)]
#[test]
fn case_4_symlink_cycles_end() {
    let dir = setup();
    let t = dir.path().join("t");
    std::fs::create_dir(&t).unwrap();
    std::os::unix::fs::symlink(".", t.join("a")).unwrap();
    std::os::unix::fs::symlink(".", t.join("b")).unwrap();
    std::fs::write(
        t.join("ok.test.yaml"),
        "policy: ../p.policy\nas_of: 2024-01-01\ncases:\n  - name: none\n    data: {school: [{id: S1, name: One}]}\n    expect: {S1: {findings: []}}\n",
    )
    .unwrap();
    let out = run_in(dir.path(), &["test", "t"]);
    let text = all_output(&out);
    assert_eq!(code(&out), 0, "{text}");
    assert!(text.contains("1 passed"), "{text}");
}

// 5. Bounded memory.

#[cfg(unix)]
#[test]
fn case_5_devices_are_refused() {
    let dir = setup();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.policy")).unwrap();
    let out = run_in(dir.path(), &["fmt", "zero.policy"]);
    let text = all_output(&out);
    assert_eq!(code(&out), 2, "{text}");
    assert!(text.contains("it is a device"), "{text}");
    // Given as a data file (through a link named as one).
    std::os::unix::fs::symlink("/dev/urandom", dir.path().join("student.csv")).unwrap();
    let out = run_in(
        dir.path(),
        &[
            "lint",
            "p.policy",
            "d/school.csv",
            "student.csv",
            "--as-of",
            "2024-01-01",
        ],
    );
    assert!(all_output(&out).contains("symbolic link to a file that is not a CSV"));
    // Standard input is read up to the size limit.
    let out = run_with(
        dir.path(),
        &["fmt"],
        Stdio::from(std::fs::File::open("/dev/zero").unwrap()),
    );
    let text = all_output(&out);
    assert_eq!(code(&out), 2, "{text}");
    assert!(text.contains("more than 16 MiB"), "{text}");
}

#[test]
fn case_5_yaml_aliases_are_bounded() {
    let dir = setup();
    // 100 KB list, repeated 50,000 times through aliases, in a 400 KB file.
    let mut text = format!(
        "defaults: &a [{}]\nstudents:\n",
        vec!["1"; 33_000].join(", ")
    );
    text.push_str(&"- *a\n".repeat(50_000));
    std::fs::write(dir.path().join("d/student.yaml"), &text).unwrap();
    let out = run_in(
        dir.path(),
        &["lint", "p.policy", "d", "--as-of", "2024-01-01"],
    );
    let text = all_output(&out);
    assert!(text.contains("aliases expand to more than"), "{text}");
}

#[test]
fn case_5_large_yaml_and_json_files_are_refused() {
    let dir = setup();
    let f = std::fs::File::create(dir.path().join("d/student.json")).unwrap();
    f.set_len(40 << 20).unwrap();
    let out = run_in(
        dir.path(),
        &["lint", "p.policy", "d", "--as-of", "2024-01-01"],
    );
    let text = all_output(&out);
    assert!(text.contains("larger than 32 MiB"), "{text}");
    assert!(text.contains("has no size limit"), "{text}");
}

// 6. No quadratic time.

#[test]
fn case_6_deep_yaml_is_refused_before_parsing() {
    let dir = setup();
    let text = format!(
        "- school: S1\n  score: {}{}\n",
        "[".repeat(300_000),
        "]".repeat(300_000)
    );
    std::fs::write(dir.path().join("d/student.yaml"), text).unwrap();
    let started = Instant::now();
    let out = run_in(
        dir.path(),
        &["lint", "p.policy", "d", "--as-of", "2024-01-01"],
    );
    let text = all_output(&out);
    assert!(text.contains("more than 64 levels deep"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

// 7. No stack overflow.

#[test]
fn case_7_a_long_operator_chain_is_an_error() {
    let dir = setup();
    let chain: Vec<String> = (0..150_000).map(|i| format!("score > {i}")).collect();
    std::fs::write(
        dir.path().join("chain.policy"),
        POLICY.replace(
            "must passing: each student has score >= 1",
            &format!("must big: each student has {}", chain.join(" or ")),
        ),
    )
    .unwrap();
    let out = run_in(dir.path(), &["check", "chain.policy"]);
    let text = all_output(&out);
    assert_eq!(code(&out), 1, "{text}");
    assert!(text.contains("this expression is too long"), "{text}");
}

#[test]
fn case_7_a_deep_include_chain_is_an_error() {
    let dir = setup();
    let n = 12_000;
    for i in 0..n {
        let body = if i + 1 < n {
            format!("include \"i{}.policy\"\n", i + 1)
        } else {
            String::new()
        };
        std::fs::write(dir.path().join(format!("i{i}.policy")), body).unwrap();
    }
    let out = run_in(dir.path(), &["check", "i0.policy"]);
    let text = all_output(&out);
    assert_eq!(code(&out), 1, "{text}");
    assert!(
        text.contains("includes nest more than 32 files deep"),
        "{text}"
    );
}

#[test]
fn case_7_a_long_chain_of_measures_is_an_error() {
    let dir = setup();
    let mut chain = String::from("measure m0 = count student\n");
    for i in 1..20_000 {
        chain.push_str(&format!("measure m{i} = m{} + 1\n", i - 1));
    }
    std::fs::write(
        dir.path().join("m.policy"),
        POLICY
            .replace("section \"S\" {", &format!("{chain}section \"S\" {{"))
            .replace("each student has score >= 1", "m19999 > 0"),
    )
    .unwrap();
    let out = run_in(
        dir.path(),
        &["lint", "m.policy", "d", "--as-of", "2024-01-01"],
    );
    let text = all_output(&out);
    assert_eq!(code(&out), 2, "{text}");
    assert!(
        text.contains("is the end of a chain of 257 measures"),
        "{text}"
    );
}

// 9. Failed writes.

#[cfg(target_os = "linux")]
#[test]
fn case_9_a_full_disk_is_exit_2() {
    let dir = setup();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_mandate"))
        .args([
            "lint",
            "p.policy",
            "d",
            "--as-of",
            "2024-01-01",
            "--format",
            "csv",
        ])
        .current_dir(dir.path())
        .stdout(full)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = child.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(err.contains("cannot write the output"), "{err}");
}

#[cfg(unix)]
#[test]
fn case_9_fmt_replaces_a_file_whole_and_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = setup();
    let p = dir.path().join("p.policy");
    std::fs::write(&p, POLICY.replace("  must", "must")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
    let before = std::fs::metadata(&p).unwrap();
    let out = run_in(dir.path(), &["fmt", "p.policy"]);
    assert_eq!(code(&out), 0, "{}", all_output(&out));
    let after = std::fs::metadata(&p).unwrap();
    assert_eq!(after.permissions().mode() & 0o777, 0o640);
    // Replaced by a rename: a new inode, the old file untouched for readers that hold it open.
    use std::os::unix::fs::MetadataExt as _;
    assert_ne!(before.ino(), after.ino());
    assert!(
        std::fs::read_to_string(&p)
            .unwrap()
            .contains("\n  must passing")
    );
    assert_eq!(
        code(&run_in(dir.path(), &["fmt", "--check", "p.policy"])),
        0
    );
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| n.to_string_lossy().starts_with(".mandate")),
        "{names:?}"
    );
}

// 8. Output encoding.

#[test]
fn case_8_control_characters_never_reach_a_terminal_raw() {
    let dir = setup();
    std::fs::write(
        dir.path().join("d/school.csv"),
        "id,name\nS1,\"One\u{1b}[2J\nFAKE LINE\r\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("d/student.csv"),
        "school,student_name,score\nS1,x,0\n",
    )
    .unwrap();
    let out = run_in(
        dir.path(),
        &[
            "lint",
            "p.policy",
            "d",
            "--as-of",
            "2024-01-01",
            "--near",
            "5%",
        ],
    );
    let text = all_output(&out);
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(!text.contains('\r'), "{text}");
    assert!(!text.contains("\nFAKE LINE"), "{text}");
    assert!(text.contains("One\\u{1b}[2J\\nFAKE LINE"), "{text}");
    // A file name and a column name with escapes, in data errors.
    std::fs::write(dir.path().join("d/x\u{1b}[2J.csv"), "a\n").unwrap();
    std::fs::write(
        dir.path().join("d/student.csv"),
        "school,student_name,score,\"ex\u{1b}]tra\"\nS1,x,0,1\n",
    )
    .unwrap();
    let out = run_in(
        dir.path(),
        &["lint", "p.policy", "d", "--as-of", "2024-01-01"],
    );
    let text = all_output(&out);
    assert!(text.contains("x\\u{1b}[2J.csv"), "{text}");
    assert!(text.contains("ex\\u{1b}]tra"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text}");
    // explain, and a test whose case name and data hold escapes.
    let out = run_in(
        dir.path(),
        &[
            "explain",
            "p.policy",
            "d",
            "--as-of",
            "2024-01-01",
            "--school",
            "S1",
        ],
    );
    let text = all_output(&out);
    assert!(text.contains("One"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text}");
    std::fs::write(
        dir.path().join("e.test.yaml"),
        "policy: p.policy\nas_of: 2024-01-01\ncases:\n  - name: \"bad\\e[2J name\"\n    data:\n      \
         school: [{id: \"S\\e]1\", name: x}]\n    expect:\n      \"S\\e]1\": {findings: [nope]}\n",
    )
    .unwrap();
    let out = run_in(dir.path(), &["test", "e.test.yaml"]);
    let text = all_output(&out);
    assert!(text.contains("FAIL"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text}");
}

#[test]
fn case_8_csv_cells_are_neutralised_against_formulas() {
    let dir = setup();
    std::fs::write(
        dir.path().join("d/school.csv"),
        "id,name\nS1,\"=HYPERLINK(\"\"http://x\"\")\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("d/student.csv"),
        "school,student_name,score\nS1,x,0\n",
    )
    .unwrap();
    let args = [
        "lint",
        "p.policy",
        "d",
        "--as-of",
        "2024-01-01",
        "--format",
        "csv",
    ];
    let out = run_in(dir.path(), &args);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(text.contains(",S1,\"'=HYPERLINK("), "{text}");
    let out = run_in(dir.path(), &[&args[..], &["--csv-formulas"]].concat());
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(text.contains(",S1,\"=HYPERLINK("), "{text}");
}

#[test]
fn case_8_a_policy_with_control_characters_is_refused_unquoted() {
    let dir = setup();
    let policy = POLICY.replace("section \"S\" {", "section \"S\u{1b}[2J\u{7}\" {");
    std::fs::write(dir.path().join("c.policy"), &policy).unwrap();
    for args in [&["check", "c.policy"][..], &["fmt", "--check", "c.policy"]] {
        let out = run_in(dir.path(), args);
        let text = all_output(&out);
        assert_eq!(code(&out), 2, "{text}");
        assert!(text.contains("control character (U+001B)"), "{text}");
        assert!(!text.contains('\u{1b}'), "{text:?}");
    }
    // A bidirectional override ("Trojan Source") too.
    std::fs::write(
        dir.path().join("b.policy"),
        POLICY.replace("section \"S\" {", "section \"S\u{202E}x\" {"),
    )
    .unwrap();
    let out = run_in(dir.path(), &["check", "b.policy"]);
    assert!(all_output(&out).contains("(U+202E)"));
}

#[test]
fn case_8_ics_holds_hostile_text_and_refuses_dates_it_cannot_hold() {
    let dir = setup();
    let long = "ñ".repeat(60);
    let policy = POLICY.replace(
        "section \"S\" {",
        &format!(
            "section \"S;,\\\\ \\\"q\\\" {long}\" {{\n  window w = November 13-17, 2023\n  \
             should in_w: each student has score >= 0"
        ),
    );
    std::fs::write(dir.path().join("c.policy"), &policy).unwrap();
    let out = run_in(dir.path(), &["calendar", "c.policy", "--format", "ics"]);
    let ics = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(code(&out), 0, "{}", all_output(&out));
    let cal: icalendar::Calendar = ics.parse().expect("a real parser reads it");
    let described = cal.components.iter().any(|c| match c {
        icalendar::CalendarComponent::Event(e) => {
            use icalendar::Component as _;
            e.get_description()
                .is_some_and(|d| d.contains(&long) && d.contains("S;,"))
        }
        _ => false,
    });
    assert!(described, "{ics}");
    // A window in 9999 ends on a day iCalendar cannot write (DTEND would be year 10000).
    std::fs::write(
        dir.path().join("y.policy"),
        policy
            .replace("  year 2023-2024\n", "")
            .replace("November 13-17, 2023", "12/27/9999 .. 12/31/9999"),
    )
    .unwrap();
    let out = run_in(dir.path(), &["calendar", "y.policy", "--format", "ics"]);
    let text = all_output(&out);
    assert_eq!(code(&out), 2, "{text}");
    assert!(
        text.contains("cannot write the calendar as iCalendar"),
        "{text}"
    );
    assert!(!text.contains("+10000"), "{text}");
}
