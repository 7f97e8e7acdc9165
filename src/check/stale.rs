//! Dates left over from last year: a new revision is a copy of the last one (`mandate new-year`)
//! whose dates are revised one by one. Two warnings guide that:
//!
//! - `stale-date`: one warning, at the guide's `year`, listing every date of the file still in an
//!   earlier school year (constants, windows, due dates, conditions, dates quoted from the guide),
//!   and an `issued` date before the calendar year the school year starts in;
//! - `quote-date`: a date in a rule's quote of the guide that is none of the dates the rule uses
//!   (`"(Due 1/31/2024)"` on a rule due 1/31/2025).
//!
//! Only the file being checked is read: an included file is shared by every revision.

use chrono::{Datelike as _, NaiveDate};

use super::diag::Problem;
use super::model::us_date;
use super::{Checker, Def};
use crate::codes::Code;
use crate::syntax::Span;
use crate::syntax::ast::{
    self, Assertion, EachTest, Expr, ExprKind, GuideValue, Item, Literal, Stmt, WindowSpec,
};

/// A date as written: one day, or both ends of a range.
type Written = (NaiveDate, Option<NaiveDate>);

fn day(d: &ast::DateLit) -> Option<NaiveDate> {
    if d.year_digits != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(i32::try_from(d.year).ok()?, d.month, d.day)
}

fn written(lit: &Literal) -> Option<Written> {
    match lit {
        Literal::Date(d) => Some((day(d)?, None)),
        Literal::Range(a, b, _) => Some((day(a)?, Some(day(b)?))),
        _ => None,
    }
}

/// Every date literal in `e`, with its span.
fn dates(e: &Expr, out: &mut Vec<(Span, Written)>) {
    e.walk(|e| {
        if let ExprKind::Lit(l) = &e.kind
            && let Some(w) = written(l)
        {
            out.push((e.span, w));
        }
    });
}

/// Every name `e` refers to.
fn names<'e>(e: &'e Expr, out: &mut Vec<&'e str>) {
    e.walk(|e| {
        if let ExprKind::Name(n) = &e.kind {
            out.push(&n.name);
        }
    });
}

/// The dates a statement writes: in its expressions, and a window's ranges.
fn stmt_dates(s: &Stmt) -> Vec<(Span, Written)> {
    let mut out = Vec::new();
    if let Stmt::NonSchoolDays(n) = s {
        for d in &n.days {
            if let Some(x) = written(&d.node) {
                out.push((d.span, x));
            }
        }
    }
    if let Stmt::Window(w) = s {
        for c in &w.cases {
            if let WindowSpec::Range(r) = &c.spec
                && let Some(x) = written(&r.node)
            {
                out.push((r.span, x));
            }
        }
    }
    for e in s.exprs() {
        dates(e, &mut out);
    }
    out
}

/// The dates in a rule's quote, with their spans in the policy (found in the quote as written).
fn quote_dates(c: &Checker<'_>, quote: &ast::Spanned<String>) -> Vec<(Span, Written)> {
    let raw = c.text(quote.span);
    crate::syntax::dates_in(raw)
        .into_iter()
        .filter_map(|(r, lit)| {
            let span = Span::new(
                quote.span.file,
                quote.span.start + r.start,
                quote.span.start + r.end,
            );
            Some((span, written(&lit)?))
        })
        .collect()
}

fn show(w: &Written) -> String {
    match w {
        (a, None) => us_date(*a),
        (a, Some(b)) => format!("{} - {}", us_date(*a), us_date(*b)),
    }
}

impl<'a> Checker<'a> {
    pub(super) fn stale_dates(&mut self) {
        let loaded = self.loaded;
        let Some((root, file)) = loaded.files.first() else {
            return;
        };
        let mut stmts: Vec<&'a Stmt> = Vec::new();
        let mut found: Vec<(Span, Written, String)> = Vec::new();
        let mut year_span = None;
        let mut issued: Option<(Span, NaiveDate)> = None;
        for item in &file.items {
            match item {
                Item::Stmt(s) => stmts.push(s),
                Item::Section(sec) => {
                    stmts.extend(&sec.stmts);
                    if let Some(e) = &sec.applies {
                        let mut v = Vec::new();
                        dates(e, &mut v);
                        let what = format!("section \"{}\"", sec.title.node);
                        found.extend(v.into_iter().map(|(s, w)| (s, w, what.clone())));
                    }
                }
                Item::Guide(g) => {
                    for e in &g.entries {
                        match (e.key.name.as_str(), &e.value) {
                            ("year", v) => year_span = Some(v.span()),
                            ("issued", GuideValue::Lit(l)) => {
                                if let Some((d, None)) = written(&l.node) {
                                    issued = Some((l.span, d));
                                }
                            }
                            _ => {}
                        }
                    }
                }
                Item::Include(_) => {}
            }
        }
        for s in &stmts {
            let name = &s.name().name;
            let what = match s {
                Stmt::Const(_) => format!("const {name}"),
                Stmt::Window(_) => format!("window {name}"),
                Stmt::Rule(_) => format!("rule {name}"),
                Stmt::Measure(_) => format!("measure {name}"),
                Stmt::Category(_) => format!("category {name}"),
                Stmt::Set(_) => format!("set {name}"),
                Stmt::Type(_) | Stmt::Record(_) | Stmt::NonSchoolDays(_) => name.clone(),
            };
            found.extend(
                stmt_dates(s)
                    .into_iter()
                    .map(|(sp, w)| (sp, w, what.clone())),
            );
            if let Stmt::Rule(r) = s
                && let Some(q) = &r.quote
            {
                let quoted = quote_dates(self, q);
                self.quote_agrees(r, &quoted);
                let what = format!("the quote of rule {name}");
                found.extend(quoted.into_iter().map(|(sp, w)| (sp, w, what.clone())));
            }
        }
        let (Some(y), Some(year_span)) = (self.model.guide.year, year_span) else {
            return;
        };
        let Some((start, _)) = self.model.guide.year_bounds() else {
            return;
        };
        let mut stale: Vec<(Span, String)> = found
            .into_iter()
            .filter(|(_, (a, b), _)| *a < start || b.is_some_and(|b| b < start))
            .map(|(sp, _, what)| (sp, what))
            .collect();
        if let Some((sp, d)) = issued
            && d.year() < y
        {
            stale.push((sp, "issued".to_string()));
        }
        if stale.is_empty() || *root != year_span.file {
            return;
        }
        stale.sort_by_key(|(sp, _)| sp.start);
        let list: Vec<String> = stale
            .iter()
            .map(|(sp, text)| {
                let (l, _) = loaded.sources.line_col(sp.file, sp.start);
                let date = loaded
                    .sources
                    .slice(*sp)
                    .split_whitespace()
                    .collect::<Vec<_>>();
                format!("- line {l}, {text}: {}", date.join(" "))
            })
            .collect();
        let n = stale.len();
        self.push(
            Problem::warning(
                Code::StaleDate,
                year_span,
                format!(
                    "{n} date{} still in the {}-{} school year or before",
                    if n == 1 { " is" } else { "s are" },
                    y - 1,
                    y
                ),
            )
            .label(format!("this revision is for {y}-{}", y + 1))
            .help(format!(
                "revise each for this year's guide (a date the guide keeps stays):\n{}",
                list.join("\n")
            )),
        );
    }

    /// A `quote-date` warning for each date of a quote that is none of the rule's own dates
    /// (written in it, or in the constants and windows it names). A rule with no date of its own
    /// says nothing about its quote.
    fn quote_agrees(&mut self, r: &'a ast::RuleDecl, quoted: &[(Span, Written)]) {
        if quoted.is_empty() {
            return;
        }
        let mut own: Vec<(Span, Written)> = Vec::new();
        let mut refs: Vec<&str> = Vec::new();
        for e in r.applies.iter().chain(r.assertion.exprs()) {
            dates(e, &mut own);
            names(e, &mut refs);
        }
        if let Assertion::Each {
            test: EachTest::Within(w),
            ..
        } = &r.assertion
        {
            refs.push(&w.name);
        }
        for name in refs {
            if let Some((_, Def { stmt, .. })) = self.lookup(name)
                && matches!(stmt, Stmt::Const(_) | Stmt::Window(_))
            {
                own.extend(stmt_dates(stmt));
            }
        }
        let days: Vec<NaiveDate> = own
            .iter()
            .flat_map(|(_, (a, b))| std::iter::once(*a).chain(*b))
            .collect();
        if days.is_empty() {
            return;
        }
        for (span, (a, b)) in quoted {
            if days.contains(a) && b.is_none_or(|b| days.contains(&b)) {
                continue;
            }
            let mut shown: Vec<String> = own.iter().map(|(_, w)| show(w)).collect();
            shown.dedup();
            self.push(
                Problem::warning(
                    Code::QuoteDate,
                    *span,
                    format!(
                        "the quoted guide text says {}, but rule `{}` uses {}",
                        show(&(*a, *b)),
                        r.name.name,
                        shown.join(", ")
                    ),
                )
                .label("not a date of this rule")
                .help("revise the quote to the guide's wording for this year, or the rule's date"),
            );
        }
    }
}
