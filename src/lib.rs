//! mandate: a policy engine for school-district rule files.

pub mod check;
pub mod r#gen; // `gen` is reserved in edition 2024: callers write `mandate::r#gen::generate`
pub mod syntax;
