//! `mandate lsp` driven as an editor drives it: JSON-RPC frames on the binary's standard input
//! and output.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

const SHARED: &str = "type level = {elementary, secondary}

record school key id {
  id: text
  level: level
  enrolled: int
  hbao: int
}

record conference {
  school: school
  date: date
}
";

const MAIN: &str = r#"include "shared.policy"

guide REF-1 {
  title "Test"
  issued August 28, 2023
  year 2023-2024
}

section "CALENDAR" {
  window conferences {
    when level == elementary: November 13-17, 2023
  }
  measure share = hbao / enrolled exact
  must big: share > 70%
    "Schools must be big."
  should in_window: each conference has date within conferences
  must elementary_only for level in {elementary}: enrolled >= 10
}
"#;

struct Client {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next: i64,
    /// Notifications seen while waiting for responses.
    notes: Vec<Value>,
}

fn read_frame(r: &mut impl BufRead) -> Option<Value> {
    let mut size = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            size = v.parse::<usize>().ok();
        }
    }
    let mut buf = vec![0; size?];
    r.read_exact(&mut buf).ok()?;
    serde_json::from_slice(&buf).ok()
}

impl Client {
    fn start(dir: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mandate"))
            .arg("lsp")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            while let Some(v) = read_frame(&mut stdout) {
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        Client {
            child,
            stdin,
            rx,
            next: 1,
            notes: Vec::new(),
        }
    }

    fn send_raw(&mut self, body: &str) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn recv(&mut self) -> Value {
        self.rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the server answers within 30 s")
    }

    fn notify(&mut self, method: &str, params: Value) {
        let body = json!({"jsonrpc": "2.0", "method": method, "params": params}).to_string();
        self.send_raw(&body);
    }

    /// Sends a request and waits for its response (keeping notifications met on the way).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next;
        self.next += 1;
        let body =
            json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string();
        self.send_raw(&body);
        self.response(json!(id))
    }

    fn response(&mut self, id: Value) -> Value {
        loop {
            let v = self.recv();
            if v.get("method").is_some() {
                self.notes.push(v);
            } else if v["id"] == id {
                return v;
            }
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        if let Some(i) = self.notes.iter().position(|n| {
            n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri
        }) {
            let n = self.notes.remove(i);
            return n["params"]["diagnostics"].as_array().unwrap().clone();
        }
        loop {
            let v = self.recv();
            if v["method"] == "textDocument/publishDiagnostics" && v["params"]["uri"] == uri {
                return v["params"]["diagnostics"].as_array().unwrap().clone();
            }
        }
    }

    fn initialize(&mut self, dir: &Path) -> Value {
        let root = format!("file://{}", dir.display());
        let r = self.request(
            "initialize",
            json!({"processId": null, "rootUri": root, "capabilities": {}}),
        );
        self.notify("initialized", json!({}));
        r
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "policy", "version": 1, "text": text}}),
        );
    }

    /// `shutdown` then `exit`; the server's exit status.
    fn finish(mut self) -> std::process::ExitStatus {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r["result"], Value::Null, "{r}");
        self.notify("exit", Value::Null);
        drop(self.stdin);
        self.child.wait().unwrap()
    }
}

fn workspace() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("shared.policy"), SHARED).unwrap();
    std::fs::write(dir.path().join("main.policy"), MAIN).unwrap();
    let uri = format!("file://{}/main.policy", dir.path().display());
    (dir, uri)
}

/// The position (line, UTF-16 column) of the `nth` occurrence of `needle` in `text`, plus `shift`
/// characters.
fn pos(text: &str, needle: &str, shift: usize) -> Value {
    let at = text.find(needle).unwrap() + shift;
    let before = &text[..at];
    let line = before.matches('\n').count();
    let col = before.rsplit('\n').next().unwrap().encode_utf16().count();
    json!({"line": line, "character": col})
}

fn at(uri: &str, text: &str, needle: &str, shift: usize) -> Value {
    json!({"textDocument": {"uri": uri}, "position": pos(text, needle, shift)})
}

#[test]
fn a_session_of_an_editor() {
    let (dir, uri) = workspace();
    let mut c = Client::start(dir.path());
    let init = c.initialize(dir.path());
    let caps = &init["result"]["capabilities"];
    assert_eq!(caps["hoverProvider"], true, "{init}");
    assert_eq!(caps["definitionProvider"], true);
    assert_eq!(caps["documentFormattingProvider"], true);

    // An error: a misspelt name, with its did-you-mean.
    let broken = MAIN.replace("hbao / enrolled", "hbao / enroled");
    c.open(&uri, &broken);
    let diags = c.diagnostics(&uri);
    let errors: Vec<&Value> = diags.iter().filter(|d| d["severity"] == 1).collect();
    assert_eq!(errors.len(), 1, "{diags:?}");
    let d = errors[0];
    assert_eq!(d["code"], "mandate::check::unknown-name");
    assert_eq!(d["source"], "mandate");
    let start = pos(&broken, "enroled", 0);
    let end = pos(&broken, "enroled", "enroled".len());
    assert_eq!(d["range"], json!({"start": start, "end": end}), "{d}");
    let message = d["message"].as_str().unwrap();
    assert!(message.contains("did you mean `enrolled`?"), "{message}");
    // The suggestion's definition, in the include, as related information.
    let related = d["relatedInformation"].as_array().unwrap();
    assert!(
        related.iter().any(|r| r["location"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("/shared.policy")),
        "{related:?}"
    );

    // The quick fix replaces the word.
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": d["range"], "context": {"diagnostics": [d]}}),
    );
    let action = &actions["result"][0];
    assert_eq!(
        action["title"], "Replace `enroled` with `enrolled`",
        "{actions}"
    );
    let edit = &action["edit"]["changes"][uri.as_str()][0];
    assert_eq!(edit["newText"], "enrolled");
    assert_eq!(edit["range"], d["range"]);

    // The fix, typed: the diagnostics clear.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": MAIN}]}),
    );
    assert_eq!(c.diagnostics(&uri), Vec::<Value>::new());

    // Hover on a range: its weekdays, its days, its place in the school year.
    let h = c.request("textDocument/hover", at(&uri, MAIN, "November 13-17", 3));
    let value = h["result"]["contents"]["value"].as_str().unwrap();
    assert!(value.contains("Monday, November 13, 2023"), "{value}");
    assert!(value.contains("Friday, November 17, 2023"), "{value}");
    assert!(
        value.contains("5 days, 5 of them Monday to Friday"),
        "{value}"
    );
    assert!(
        value.contains("Day 136 of 366 of the 2023-2024 school year"),
        "{value}"
    );
    assert_eq!(
        h["result"]["range"]["start"],
        pos(MAIN, "November 13-17", 0)
    );

    // Hover on a single date.
    let h = c.request("textDocument/hover", at(&uri, MAIN, "August 28, 2023", 0));
    let value = h["result"]["contents"]["value"].as_str().unwrap();
    assert!(value.contains("Monday, August 28, 2023"), "{value}");

    // Hover on a name: its kind, type, definition and the guide's words.
    let h = c.request("textDocument/hover", at(&uri, MAIN, "big:", 1));
    let value = h["result"]["contents"]["value"].as_str().unwrap();
    assert!(value.starts_with("**rule** `big`"), "{value}");
    assert!(
        value.contains("The guide: \"Schools must be big.\""),
        "{value}"
    );
    assert!(value.contains("Section \"CALENDAR\""), "{value}");
    let h = c.request("textDocument/hover", at(&uri, MAIN, "share > 70%", 0));
    let value = h["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        value.contains("**measure** `share`: a percentage, one per `school`"),
        "{value}"
    );

    // Hover on a threshold: how it is decided.
    let h = c.request("textDocument/hover", at(&uri, MAIN, "70%", 0));
    let value = h["result"]["contents"]["value"].as_str().unwrap();
    assert!(value.contains("`share`: compared exactly"), "{value}");

    // Completion after `in {`: the members of the operand's type.
    let typing = MAIN.replace("level in {elementary}", "level in {");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": typing}]}),
    );
    let r = c.request(
        "textDocument/completion",
        at(&uri, &typing, "level in {", "level in {".len()),
    );
    let mut labels: Vec<&str> = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    labels.sort();
    assert_eq!(labels, ["elementary", "secondary"], "{r}");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 4}, "contentChanges": [{"text": MAIN}]}),
    );

    // Definition across the include: `enrolled` is a field of `school` in shared.policy.
    let r = c.request(
        "textDocument/definition",
        at(&uri, MAIN, "enrolled exact", 2),
    );
    let loc = &r["result"][0];
    assert!(
        loc["uri"].as_str().unwrap().ends_with("/shared.policy"),
        "{r}"
    );
    assert_eq!(loc["range"]["start"], pos(SHARED, "enrolled", 0));
    // and a type defined there.
    let r = c.request("textDocument/definition", at(&uri, MAIN, "elementary:", 0));
    assert_eq!(
        r["result"][0]["range"]["start"],
        pos(SHARED, "elementary", 0),
        "{r}"
    );

    // References across files.
    let r = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": uri}, "position": pos(MAIN, "enrolled exact", 0),
               "context": {"includeDeclaration": true}}),
    );
    let files: Vec<&str> = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["uri"].as_str().unwrap().rsplit('/').next().unwrap())
        .collect();
    assert_eq!(
        files,
        ["main.policy", "main.policy", "shared.policy"],
        "{r}"
    );

    // The outline.
    let r = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    let names: Vec<&str> = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["REF-1", "CALENDAR"], "{r}");
    let children: Vec<&str> = r["result"][1]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        children,
        [
            "conferences",
            "share",
            "big",
            "in_window",
            "elementary_only"
        ]
    );

    // Formatting: the whole document in `mandate fmt`'s layout.
    let messy = MAIN.replace(
        "  measure share = hbao / enrolled exact",
        "measure   share=hbao/enrolled exact",
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 5}, "contentChanges": [{"text": messy}]}),
    );
    let r = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    let edits = r["result"].as_array().unwrap();
    assert_eq!(edits.len(), 1, "{r}");
    assert_eq!(
        edits[0]["range"]["start"],
        json!({"line": 0, "character": 0})
    );
    let formatted = edits[0]["newText"].as_str().unwrap();
    assert!(
        formatted.contains("\n  measure share = hbao / enrolled exact\n"),
        "{formatted}"
    );

    assert!(c.finish().success());
}

#[test]
fn malformed_messages_and_unknown_methods_are_answered_not_fatal() {
    let (dir, uri) = workspace();
    let mut c = Client::start(dir.path());
    // Before `initialize`: refused, not ignored.
    let r = c.request("textDocument/hover", json!({}));
    assert_eq!(r["error"]["code"], -32002, "{r}");
    c.initialize(dir.path());

    // Not JSON: a parse error with a null id.
    c.send_raw("{not json");
    let r = c.response(Value::Null);
    assert_eq!(r["error"]["code"], -32700, "{r}");
    // JSON that is not a message: invalid request, with its id.
    c.send_raw(r#"{"jsonrpc": "2.0", "id": 77, "params": 3}"#);
    let r = c.response(json!(77));
    assert_eq!(r["error"]["code"], -32600, "{r}");
    // A known method with nonsense parameters.
    let r = c.request("textDocument/hover", json!({"textDocument": 5}));
    assert_eq!(r["error"]["code"], -32602, "{r}");
    // A document never opened.
    let r = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///nowhere/x.policy"}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(r["error"]["code"], -32602, "{r}");
    // An unknown method.
    let r = c.request("mandate/unknown", json!({}));
    assert_eq!(r["error"]["code"], -32601, "{r}");
    // A position far past the end of the text.
    c.open(&uri, MAIN);
    assert_eq!(c.diagnostics(&uri), Vec::<Value>::new());
    let r = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 9999, "character": 9999}}),
    );
    assert!(r.get("error").is_none(), "{r}");

    // Documents outside the workspace, or not files at all, are checked as they stand.
    let outside = "file:///nowhere/at/all/p.policy";
    c.open(outside, "include \"missing.policy\"\n");
    let diags = c.diagnostics(outside);
    assert!(
        diags[0]["message"]
            .as_str()
            .unwrap()
            .contains("cannot include `missing.policy`"),
        "{diags:?}"
    );
    c.open("untitled:Untitled-1", "type t = {a, b\n");
    let diags = c.diagnostics("untitled:Untitled-1");
    assert_eq!(diags[0]["code"], "mandate::syntax", "{diags:?}");
    // Formatting a file with a syntax error fails politely.
    let r = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": "untitled:Untitled-1"}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap()
            .contains("syntax error"),
        "{r}"
    );

    // Still alive, and it shuts down cleanly.
    assert!(c.finish().success());
}

#[test]
fn an_include_open_in_the_editor_is_read_from_the_editor() {
    let (dir, uri) = workspace();
    let shared_uri = format!("file://{}/shared.policy", dir.path().display());
    let mut c = Client::start(dir.path());
    c.initialize(dir.path());
    c.open(&uri, MAIN);
    assert_eq!(c.diagnostics(&uri), Vec::<Value>::new());
    // Renaming the field in the unsaved include breaks the file that uses it.
    c.open(&shared_uri, SHARED);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": shared_uri, "version": 2},
               "contentChanges": [{"text": SHARED.replace("enrolled", "enrollment")}]}),
    );
    let diags = loop {
        let d = c.diagnostics(&uri);
        if !d.is_empty() {
            break d;
        }
    };
    assert!(
        diags.iter().any(|d| d["message"]
            .as_str()
            .unwrap()
            .contains("unknown name `enrolled`")),
        "{diags:?}"
    );
    assert!(c.finish().success());
}

#[test]
fn exit_without_shutdown_is_a_failure() {
    let (dir, _) = workspace();
    let mut c = Client::start(dir.path());
    c.initialize(dir.path());
    c.notify("exit", Value::Null);
    let status = c.child.wait().unwrap();
    assert_eq!(status.code(), Some(1));
}

/// The TextMate grammar of `editors/vscode` colours exactly the reserved words as keywords.
#[test]
fn the_textmate_grammar_knows_every_reserved_word() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("editors/vscode/syntaxes/policy.tmLanguage.json");
    let g: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut patterns: Vec<&Value> = g["repository"]["keyword"]["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    patterns.extend(
        g["repository"]["literal"]["patterns"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["name"] == "constant.language.boolean.policy"),
    );
    let mut words: Vec<String> = patterns
        .iter()
        .flat_map(|p| {
            let m = p["match"].as_str().unwrap();
            let inner = m
                .strip_prefix("\\b(?:")
                .unwrap()
                .strip_suffix(")\\b")
                .unwrap();
            inner.split('|').map(str::to_string).collect::<Vec<_>>()
        })
        .collect();
    words.sort();
    let mut reserved: Vec<String> = mandate::syntax::keywords::KEYWORDS
        .iter()
        .map(|w| w.to_string())
        .collect();
    reserved.sort();
    assert_eq!(words, reserved);
}

/// A share compared with a threshold without saying how it is rounded: a warning, and two quick
/// fixes that write the rounding into the measure. A problem inside an include is shown on the
/// `include` line, with its own place as related information.
#[test]
fn quick_fixes_for_rounding_and_problems_in_an_include() {
    let (dir, uri) = workspace();
    let mut c = Client::start(dir.path());
    c.initialize(dir.path());
    let unrounded = MAIN.replace("hbao / enrolled exact", "hbao / enrolled");
    c.open(&uri, &unrounded);
    let diags = c.diagnostics(&uri);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let d = &diags[0];
    assert_eq!(d["code"], "mandate::check::rounding-unstated", "{d}");
    assert_eq!(d["severity"], 2);
    let r = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": d["range"], "context": {"diagnostics": [d]}}),
    );
    let titles: Vec<&str> = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Add `exact` to `measure share`",
            "Add `rounded to 0.1%` to `measure share`"
        ],
        "{r}"
    );
    let edit = &r["result"][0]["edit"]["changes"][uri.as_str()][0];
    let end = pos(&unrounded, "hbao / enrolled", "hbao / enrolled".len());
    assert_eq!(edit["range"], json!({"start": end, "end": end}));
    assert_eq!(edit["newText"], " exact");

    // A duplicate inside the include.
    let shared_uri = format!("file://{}/shared.policy", dir.path().display());
    c.open(
        &shared_uri,
        &SHARED.replace(
            "type level = {elementary, secondary}",
            "type level = {elementary, elementary}",
        ),
    );
    let diags = loop {
        let d = c.diagnostics(&uri);
        if !d.is_empty()
            && d.iter()
                .any(|d| d["message"].as_str().unwrap().starts_with("in `"))
        {
            break d;
        }
    };
    let d = diags
        .iter()
        .find(|d| d["message"].as_str().unwrap().starts_with("in `"))
        .unwrap();
    assert!(
        d["message"].as_str().unwrap().contains("shared.policy`"),
        "{d}"
    );
    assert_eq!(
        d["range"]["start"],
        json!({"line": 0, "character": 0}),
        "{d}"
    );
    let related = &d["relatedInformation"][0]["location"];
    assert_eq!(related["uri"], shared_uri.as_str(), "{d}");
    assert_eq!(related["range"]["start"]["line"], 0);
    assert!(c.finish().success());
}

/// Semantic tokens: the literals the checker reads, with their kinds from the legend.
#[test]
fn semantic_tokens_mark_the_literals_the_checker_reads() {
    let (dir, uri) = workspace();
    let mut c = Client::start(dir.path());
    let init = c.initialize(dir.path());
    let legend: Vec<String> =
        init["result"]["capabilities"]["semanticTokensProvider"]["legend"]["tokenTypes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_string())
            .collect();
    c.open(&uri, MAIN);
    let r = c.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": uri}}),
    );
    let data: Vec<u64> = r["result"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let lines: Vec<&str> = MAIN.lines().collect();
    let (mut line, mut col) = (0usize, 0usize);
    let mut tokens = Vec::new();
    for t in data.chunks(5) {
        if t[0] > 0 {
            line += t[0] as usize;
            col = t[1] as usize;
        } else {
            col += t[1] as usize;
        }
        let text: String = lines[line].chars().skip(col).take(t[2] as usize).collect();
        tokens.push(format!("{} {text}", legend[t[3] as usize]));
    }
    assert_eq!(
        tokens,
        [
            "date August 28, 2023",
            "schoolYear 2023-2024",
            "date November 13-17, 2023",
            "percentage 70%",
            "number 10",
        ],
        "{r}"
    );
    assert!(c.finish().success());
}
