//! Where an aggregate's `where` filter ends. The filter runs to the end of the expression, so
//! `count student where el and assessed > 5` counts the rows for which `el and assessed > 5` holds,
//! while a reader may take it for a count compared with 5. A filter of more than one term is taken
//! as written only where nothing else can be meant: the whole value of a measure, a constant, a
//! window's bound, a due date or a value an `each` row is compared with. Anywhere else (inside a
//! larger expression, or as a whole condition, where a count is never what is meant) the policy
//! says where the filter ends with parentheses.
//!
//! And which rows a deadline means: `some certification where ... has completed by D`, where the
//! word was left out (the old form, which `fmt` rewrites).

use super::Checker;
use super::diag::Problem;
use crate::codes::Code;
use crate::syntax::Span;
use crate::syntax::ast::{
    Assertion, BinOp, EachTest, Expr, ExprKind, Ident, Item, Stmt, WindowSpec,
};

/// Where an expression stands in its statement.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// A value: a measure, a constant, a bound, a due date.
    Value,
    /// A condition: a rule's, a category's, a `for`, a `when`, a row filter.
    Condition,
}

impl Checker<'_> {
    pub(super) fn filter_ends(&mut self) {
        let loaded = self.loaded;
        for (_, file) in &loaded.files {
            for item in &file.items {
                match item {
                    Item::Stmt(s) => self.stmt_filters(s),
                    Item::Section(sec) => {
                        if let Some(e) = &sec.applies {
                            self.filters_in(e, Place::Condition);
                        }
                        for s in &sec.stmts {
                            self.stmt_filters(s);
                        }
                    }
                    Item::Include(_) | Item::Guide(_) => {}
                }
            }
        }
    }

    fn stmt_filters(&mut self, s: &Stmt) {
        match s {
            Stmt::Type(_) | Stmt::Record(_) | Stmt::NonSchoolDays(_) => {}
            Stmt::Set(d) => d
                .members
                .iter()
                .for_each(|e| self.filters_in(e, Place::Value)),
            Stmt::Const(c) => self.filters_in(&c.value, Place::Value),
            Stmt::Measure(m) => self.filters_in(&m.expr, Place::Value),
            Stmt::Category(c) => self.filters_in(&c.when, Place::Condition),
            Stmt::Window(w) => {
                for c in &w.cases {
                    if let Some(e) = &c.when {
                        self.filters_in(e, Place::Condition);
                    }
                    if let WindowSpec::Bounds { lower, upper } = &c.spec {
                        for b in lower.iter().chain(upper) {
                            self.filters_in(&b.expr, Place::Value);
                        }
                    }
                }
            }
            Stmt::Rule(r) => {
                if let Some(e) = &r.applies {
                    self.filters_in(e, Place::Condition);
                }
                match &r.assertion {
                    Assertion::Holds(e) => self.filters_in(e, Place::Condition),
                    Assertion::Each { filter, test, .. } => {
                        if let Some(f) = filter {
                            self.filters_in(f, Place::Condition);
                        }
                        match test {
                            EachTest::Compare(_, e) => self.filters_in(e, Place::Value),
                            EachTest::NotOn {
                                filter: Some(f), ..
                            } => self.filters_in(f, Place::Condition),
                            _ => {}
                        }
                    }
                    Assertion::Deadline {
                        some,
                        record,
                        filter,
                        due,
                        span,
                        ..
                    } => {
                        if some.0.is_none() {
                            self.implied_some(record, *span);
                        }
                        if let Some(f) = filter {
                            self.filters_in(f, Place::Condition);
                        }
                        self.filters_in(due, Place::Value);
                    }
                    Assertion::Retain { .. } => {}
                }
            }
        }
    }

    fn filters_in(&mut self, root: &Expr, place: Place) {
        let mut stack: Vec<(&Expr, bool)> = vec![(root, true)];
        while let Some((e, is_root)) = stack.pop() {
            match &e.kind {
                ExprKind::Binary(_, a, b) => {
                    stack.push((a, false));
                    stack.push((b, false));
                }
                ExprKind::Not(x) => stack.push((x, false)),
                ExprKind::Set(m) => stack.extend(m.iter().map(|x| (x, false))),
                ExprKind::Agg(a) => {
                    if let Some(f) = &a.filter {
                        stack.push((f, false));
                        let doubtful = !a.filter_parens
                            && matches!(f.kind, ExprKind::Binary(..))
                            && !self.text(e.span).starts_with('(')
                            && (!is_root || place == Place::Condition);
                        if doubtful {
                            self.filter_end_unclear(e, f);
                        }
                    }
                }
                ExprKind::Lit(_) | ExprKind::Name(_) | ExprKind::Path(..) | ExprKind::Missing => {}
            }
        }
    }

    /// `certification where ... has completed by D` is met by some row, while `each` means every
    /// row: the word says which.
    fn implied_some(&mut self, record: &Ident, assertion: Span) {
        let text = self.text(assertion).to_string();
        self.push(
            Problem::warning(
                Code::Quantifier,
                record.span,
                format!(
                    "this deadline is met by some `{}` row: write `some` before the record",
                    record.name
                ),
            )
            .label("some row, not each")
            .help(format!(
                "write `some {text}` (`mandate fmt` does); `each {}` would mean every row",
                record.name
            )),
        );
    }

    fn filter_end_unclear(&mut self, agg: &Expr, filter: &Expr) {
        let file = agg.span.file;
        let slice = |a: usize, b: usize| self.text(Span::new(file, a, b)).to_string();
        let head = slice(agg.span.start, filter.span.start);
        let whole = slice(agg.span.start, filter.span.end);
        let filter_text = self.text(filter.span).to_string();
        let mut help = Vec::new();
        if let Some((lhs, op)) = last_comparison(filter) {
            help.push(format!(
                "`({}) {}` compares the {}",
                slice(agg.span.start, lhs.span.end),
                slice(op.start, filter.span.end),
                if head.starts_with("count") {
                    "count"
                } else {
                    "result"
                }
            ));
        }
        help.push(format!(
            "`{head}({filter_text})` {} the rows the whole condition holds for",
            if head.starts_with("count") {
                "counts"
            } else {
                "reads"
            }
        ));
        self.push(
            Problem::error(
                Code::FilterEnds,
                agg.span,
                format!("where does the filter of `{whole}` end?"),
            )
            .label("the filter runs to the end of the expression")
            .help(format!(
                "say where it ends with parentheses: {}; or make it a measure, `measure NAME = {whole}`",
                help.join(", while ")
            )),
        );
    }
}

/// The comparison at the end of a filter (`assessed > 5` in `el and assessed > 5`): its left side
/// and its operator's span.
fn last_comparison(f: &Expr) -> Option<(&Expr, Span)> {
    let mut e = f;
    while let ExprKind::Binary(op, l, r) = &e.kind {
        if op.node.is_comparison() || matches!(op.node, BinOp::In | BinOp::NotIn) {
            return Some((l, op.span));
        }
        e = r;
    }
    None
}
