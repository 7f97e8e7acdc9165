//! Stage 5: findings and diagnostics → what people and tools read.

pub mod calendar;
pub mod diagnostics;
pub mod encode;
pub mod explain;
pub mod findings;
pub mod html;
pub mod roster;
pub mod source;
