//! The shipped policies as `mandate fmt` writes them: one snapshot per file. The snapshots were
//! taken from the files before the migration to `some` (the deadlines `certification where ...
//! has completed by D` became `some certification where ...`), so each is what fmt made of the
//! file then; the files were then replaced by it, which `tests/fmt.rs` holds them to. A later
//! change of the formatter, or of a shipped policy, shows here first, file by file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]

#[test]
fn shipped_policies_as_fmt_writes_them() {
    insta::glob!("../policies", "**/*.policy", |path| {
        let src = std::fs::read_to_string(path).unwrap();
        let out = mandate::fmt::format_source(&src).unwrap();
        insta::assert_snapshot!(out);
    });
}
