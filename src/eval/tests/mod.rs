//! Unit tests of the evaluator's parts: each fast path against the general path it stands for
//! (`filter`, and the tabled plan in `plan`), the parts one at a time (`category`, `window`, the
//! read plan's lowering in `plan`), and each rule kind on a small world (`rules`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly"
)]

mod category;
mod filter;
mod plan;
mod rules;
mod window;

use crate::check::model::*;
use crate::syntax::Span;

/// A seeded xorshift: the same cases on every run, no dependency.
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub(super) fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number below `n` (`n` > 0).
    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True one time in `n`.
    pub(super) fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
}

/// An expression of type `ty`.
pub(super) fn x(kind: TExprKind, ty: Type) -> TExpr {
    TExpr {
        kind,
        ty,
        span: Span::default(),
    }
}

/// A condition.
pub(super) fn cond(kind: TExprKind) -> TExpr {
    x(kind, Type::Bool)
}

pub(super) fn enum_type(name: &str, values: &[&str]) -> EnumType {
    EnumType {
        name: name.into(),
        values: values.iter().map(|v| v.to_string()).collect(),
        spellings: Vec::new(),
        span: Span::default(),
    }
}

pub(super) fn field(name: &str, ty: Type, optional: bool) -> Field {
    Field {
        name: name.into(),
        ty,
        optional,
        private: false,
        columns: Vec::new(),
        span: Span::default(),
    }
}

pub(super) fn record(name: &str, fields: Vec<Field>) -> Record {
    Record {
        name: name.into(),
        key: None,
        dating: RecordDating::Not,
        fields: fields.into(),
        span: Span::default(),
    }
}
