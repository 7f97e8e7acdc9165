//! Any bytes → parse, check and format a policy. Nothing may panic; formatting must be
//! idempotent whenever it succeeds.
//!
//! Run from the repository root (nightly): `cargo +nightly fuzz run check -- -max_len=4096`.
//! `fuzz/seed.sh` fills `fuzz/corpus/check/` from `policies/` and `tests/fixtures/`.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let loaded = mandate::check::load_text(Path::new("fuzz.policy"), text.to_string());
    let checked = mandate::check::check(&loaded);
    let _ = mandate::report::diagnostics::render(
        &loaded.sources,
        &checked.problems,
        mandate::report::diagnostics::Style::plain(),
    );
    if let Ok(once) = mandate::fmt::format_source(text) {
        match mandate::fmt::format_source(&once) {
            Ok(twice) => assert_eq!(once, twice, "formatting is not idempotent"),
            Err(e) => panic!("formatted output does not format again: {e:?}\n{once}"),
        }
    }
});
