//! Stage 1: source text → AST. pest lives here and nowhere else.

pub mod ast;
pub mod error;
pub mod keywords;
pub mod line_index;
pub mod literal;
pub mod parse;
pub mod span;

pub use error::SyntaxError;
pub use parse::{dates_in, parse};
pub use span::{FileId, SourceFile, Sources, Span};
