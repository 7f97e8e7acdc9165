//! mandate: a policy engine for school-district rule files.

pub mod check;
pub mod data;
pub mod syntax;
