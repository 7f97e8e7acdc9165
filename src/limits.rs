//! The documented limits on untrusted input (SECURITY.md lists them with their numbers). Each is
//! checked before the work it bounds starts, and exceeding it is an error that names the limit.

/// The largest policy (or included) file, and the largest file `fmt` reads.
pub const POLICY_BYTES: u64 = 16 << 20;

/// The largest `*.test.yaml` file.
pub const TEST_FILE_BYTES: u64 = 16 << 20;

/// The largest YAML or JSON data file: these are loaded whole (CSV files are streamed and have no
/// limit).
pub const TREE_BYTES: u64 = 32 << 20;

/// How many values (scalars, lists and mappings) a YAML or JSON file may hold after YAML aliases
/// are expanded, beyond one per byte of the file. A file without aliases never reaches it.
pub const TREE_VALUES_EXTRA: u64 = 1_000_000;

/// How deeply lists and mappings may nest in a YAML or JSON file.
pub const TREE_DEPTH: usize = 64;

/// How deeply includes may nest (a file including a file including ...).
pub const INCLUDE_DEPTH: usize = 32;

/// How many measures a chain may hold, each computed from the one before (the evaluator takes a
/// stack frame per link).
pub const MEASURE_CHAIN: usize = 256;

/// A byte count in words: `16 MiB`, `512 KiB`, `10 bytes`.
pub fn bytes(n: u64) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
        format!("{} KiB", n >> 10)
    } else {
        format!("{n} bytes")
    }
}
