//! mandate: a policy engine for school-district rule files.

pub mod check;
pub mod fmt;
pub mod synth;
pub mod syntax;
