//! Latency of `mandate lsp`'s diagnostics after an edit of the shipped REF-1028.19 policy (with
//! its include, `../common/lausd.policy`, read from disk as the server reads it).
//!
//! ```text
//! cargo run --release --example lsp_latency -- [edits]
//! ```
//!
//! Each edit is what the server does on `textDocument/didChange`: the new text loaded with its
//! include and checked, the diagnostics built and serialised as the `publishDiagnostics`
//! notification. Edits alternate between a valid change and one with an unknown name (so half
//! of them publish an error with its did-you-mean). Prints the median, p95 and worst, in ms.
//! Not a test: timings on a shared machine are not asserted.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "a benchmark"
)]

use std::time::Instant;

use mandate::lsp::Analysis;

fn main() {
    let edits: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("policies/lausd/2023-24/ref-1028.19.policy");
    let path = std::fs::canonicalize(path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let uri = mandate::lsp::text::path_uri(&path);
    let good = text.replacen("conferences_held >= 2", "conferences_held >= 3", 1);
    let bad = text.replacen("conferences_held >= 2", "conference_held >= 2", 1);
    assert!(
        good != text && bad != text,
        "the edit points are in the policy"
    );

    let mut times = Vec::with_capacity(edits);
    let mut published = [0usize; 2];
    for i in 0..edits {
        let edited = if i % 2 == 0 { &good } else { &bad };
        let start = Instant::now();
        let a = Analysis::new(&uri, edited.clone(), &|_| None);
        let diags = a.diagnostics();
        let json = serde_json::to_string(&serde_json::json!({
            "jsonrpc": "2.0",
            "method": "textDocument/publishDiagnostics",
            "params": {"uri": uri, "diagnostics": diags, "version": i},
        }))
        .unwrap();
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        published[i % 2] = diags.len();
        std::hint::black_box(json);
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{edits} edits of ref-1028.19.policy ({} bytes) + lausd.policy: median {:.2} ms, p95 {:.2} ms, worst {:.2} ms; diagnostics published: {} after a valid edit, {} after a typo",
        text.len(),
        at(0.5),
        at(0.95),
        at(1.0),
        published[0],
        published[1]
    );
}
