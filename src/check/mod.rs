//! Stage 2: AST → checked model, with diagnostics.

pub mod model;
pub mod suggest;
