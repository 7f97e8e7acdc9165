//! mandate: a policy engine for school-district rule files.
//!
//! ```text
//! grammar/policy.pest ─► syntax::parse ─► check::check ─────────────┐
//!   (pest pairs → AST with spans)    (names, types, dates → Model)   │
//!                                                                    ▼
//! data files ─► data::stream (schema-checked) ─► eval::evaluate ─► report::{human, json, csv, junit, html}
//! ```
//!
//! | stage | module | entry point |
//! |---|---|---|
//! | parse | [`syntax`] | [`syntax::parse()`] |
//! | check | [`check`] | [`check::check_path`], [`check::check`] |
//! | format | [`fmt`] | [`fmt::format_source`] |
//! | load | [`data`] | [`data::discover`], [`data::stream`] |
//! | evaluate | [`eval`] | [`eval::evaluate`] |
//! | report | [`report`] | [`report::diagnostics::render`], [`report::findings::human`], [`report::html::html`] |
//! | pipeline | [`lint`] | [`lint::load`], [`lint::run`], [`lint::Policy::report`] |
//!
//! Nothing imports backwards: the AST never sees data, the evaluator never sees pest pairs,
//! reporters only see findings; `tests/layers.rs` holds each module to its stage (ARCHITECTURE.md
//! draws them). [`codes`] lists every diagnostic code; it imports nothing, so every stage may name
//! its codes.

pub mod check;
pub mod cli;
pub mod codes;
pub mod data;
pub mod diff;
pub mod escape;
pub mod eval;
pub mod fmt;
pub mod limits;
pub mod lint;
pub mod lsp;
pub mod policytest;
pub mod pool;
pub mod report;
pub mod safe_fs;
pub mod school_days;
pub mod suggest;
pub mod syntax;
