//! pest pairs → AST. The only module that sees pest.
//!
//! This file: the entry point, the limits on nesting, and the `Builder` with its helpers;
//! `stmts.rs` builds items and statements, `exprs.rs` expressions and literals.

mod exprs;
mod stmts;

use std::sync::OnceLock;

use pest::Parser as _;
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::ast::*;
use super::error::SyntaxError;
use super::span::{FileId, Span};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/policy.pest"]
pub(crate) struct PolicyParser;

/// How deeply parentheses, `not` and aggregations inside `where` may nest in one statement. The
/// parser and every later stage recurse on expressions; this keeps the recursion shallow on any
/// input (a person never writes more).
const MAX_NESTING: usize = 64;

/// How deep an expression tree may be (a chain of 200 `or`s is one level per `or`).
const MAX_DEPTH: usize = 200;

/// Parses one policy file.
pub fn parse(file: FileId, text: &str) -> Result<PolicyFile, SyntaxError> {
    nesting(file, text)?;
    let mut pairs =
        PolicyParser::parse(Rule::file, text).map_err(|e| SyntaxError::from_pest(file, text, e))?;
    let Some(root) = pairs.next() else {
        return Err(SyntaxError::internal(
            file,
            0,
            "the parser returned nothing",
        ));
    };
    let b = Builder {
        file,
        text,
        replaces: std::cell::RefCell::new(Vec::new()),
    };
    let span = b.span(&root);
    let mut items = Vec::new();
    for p in b.children(root) {
        match p.as_rule() {
            Rule::EOI => {}
            _ => items.push(b.item(p)?),
        }
    }
    let replaces = b.replaces.into_inner();
    Ok(PolicyFile {
        items,
        replaces,
        span,
    })
}

fn pratt() -> &'static PrattParser<Rule> {
    static P: OnceLock<PrattParser<Rule>> = OnceLock::new();
    P.get_or_init(|| {
        PrattParser::new()
            .op(Op::infix(Rule::op_or, Assoc::Left))
            .op(Op::infix(Rule::op_and, Assoc::Left))
            .op(Op::prefix(Rule::op_not))
            .op(Op::infix(Rule::op_eq, Assoc::Left)
                | Op::infix(Rule::op_ne, Assoc::Left)
                | Op::infix(Rule::op_lt, Assoc::Left)
                | Op::infix(Rule::op_le, Assoc::Left)
                | Op::infix(Rule::op_gt, Assoc::Left)
                | Op::infix(Rule::op_ge, Assoc::Left)
                | Op::infix(Rule::op_in, Assoc::Left)
                | Op::infix(Rule::op_not_in, Assoc::Left))
            .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
            .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
    })
}

/// A cheap scan before parsing: rejects text whose expressions nest deeper than [`MAX_NESTING`].
/// Counts open parentheses plus the `not` and `where` words of the statement at each level;
/// a statement keyword at the top level starts the count again.
fn nesting(file: FileId, text: &str) -> Result<(), SyntaxError> {
    const RESET: &[&str] = &[
        "include", "guide", "section", "type", "set", "const", "record", "measure", "category",
        "window", "must", "shall", "required", "should", "may", "replace",
    ];
    let bytes = text.as_bytes();
    // The count of `not`/`where` at each open parenthesis level, the statement's own level first.
    let mut levels: Vec<usize> = vec![0];
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let start = i;
        match b {
            b'"' => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    match c {
                        b'\\' => i += 1,
                        b'"' => break,
                        _ => {}
                    }
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while bytes.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
            }
            b'(' => levels.push(0),
            b')' if levels.len() > 1 => {
                levels.pop();
            }
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                while bytes
                    .get(i + 1)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
                {
                    i += 1;
                }
                let word = text.get(start..=i).unwrap_or("");
                // `may 1, 2024` is a date, not the verb; inside parentheses no statement starts.
                let is_date = word.eq_ignore_ascii_case("may")
                    && text
                        .get(i + 1..)
                        .and_then(|r| r.trim_start().chars().next())
                        .is_some_and(|c| c.is_ascii_digit());
                if RESET.contains(&word) && !is_date && levels.len() == 1 {
                    levels = vec![0];
                } else if (word == "not" || word == "where")
                    && let Some(n) = levels.last_mut()
                {
                    *n += 1;
                }
            }
            _ => {}
        }
        let depth = levels.len() - 1 + levels.iter().sum::<usize>();
        if depth > MAX_NESTING {
            let end = (start + 1).min(text.len());
            return Err(SyntaxError::Custom {
                message: "this expression nests too deeply".into(),
                help: format!(
                    "at most {MAX_NESTING} levels of parentheses, `not` and `where` in one \
                     statement; give parts of it names with `measure`"
                ),
                file,
                span: Span::new(file, start, end),
            });
        }
        i += 1;
    }
    Ok(())
}

/// The part of `span` on its first line, so a long expression is not printed whole.
fn first_line(text: &str, span: Span) -> Span {
    let end = text
        .get(span.start..span.end)
        .and_then(|t| t.find('\n'))
        .map(|i| {
            span.start
                + text
                    .get(span.start..span.start + i)
                    .unwrap_or("")
                    .trim_end()
                    .len()
        })
        .unwrap_or(span.end);
    Span { end, ..span }
}

/// The depth of an expression tree, without recursion.
fn depth(e: &Expr) -> usize {
    let mut max = 0;
    let mut stack = vec![(e, 1)];
    while let Some((e, d)) = stack.pop() {
        max = max.max(d);
        match &e.kind {
            ExprKind::Lit(_) | ExprKind::Name(_) | ExprKind::Path(..) | ExprKind::Missing => {}
            ExprKind::Set(members) => stack.extend(members.iter().map(|m| (m, d + 1))),
            ExprKind::Not(inner) => stack.push((inner, d + 1)),
            ExprKind::Binary(_, l, r) => {
                stack.push((l, d + 1));
                stack.push((r, d + 1));
            }
            ExprKind::Agg(a) => {
                if let Some(f) = &a.filter {
                    stack.push((f, d + 1));
                }
            }
        }
    }
    max
}

fn is_keyword_token(r: Rule) -> bool {
    matches!(
        r,
        Rule::kw_include
            | Rule::kw_guide
            | Rule::kw_section
            | Rule::kw_for
            | Rule::kw_type
            | Rule::kw_set
            | Rule::kw_const
            | Rule::kw_record
            | Rule::kw_key
            | Rule::kw_dated
            | Rule::kw_measure
            | Rule::kw_per
            | Rule::kw_rounded
            | Rule::kw_to
            | Rule::kw_category
            | Rule::kw_when
            | Rule::kw_window
            | Rule::kw_each
            | Rule::kw_where
            | Rule::kw_has
            | Rule::kw_within
            | Rule::kw_not
            | Rule::kw_on
            | Rule::kw_by
            | Rule::kw_retain
            | Rule::kw_from
            | Rule::kw_until
            | Rule::kw_of
            | Rule::kw_next
            | Rule::kw_year
            | Rule::kw_replace
            | Rule::kw_pinned
            | Rule::kw_non_school_days
    )
}

struct Builder<'t> {
    file: FileId,
    text: &'t str,
    /// The `replace` statements met so far.
    replaces: std::cell::RefCell<Vec<Replace>>,
}

type R<T> = Result<T, SyntaxError>;

impl Builder<'_> {
    /// The pair's span without the whitespace and comments pest may leave at its end (when a
    /// rule ends with an optional part that is absent).
    fn span(&self, p: &Pair<Rule>) -> Span {
        let s = p.as_span();
        Span::new(
            self.file,
            s.start(),
            trim_trivia(self.text, s.start(), s.end()),
        )
    }

    /// Inner pairs without keyword tokens.
    fn children<'i>(&self, p: Pair<'i, Rule>) -> Vec<Pair<'i, Rule>> {
        p.into_inner()
            .filter(|c| !is_keyword_token(c.as_rule()))
            .collect()
    }

    fn err(&self, p: &Pair<Rule>, msg: impl Into<String>) -> SyntaxError {
        SyntaxError::internal(self.file, p.as_span().start(), msg)
    }

    fn unexpected(&self, p: &Pair<Rule>) -> SyntaxError {
        self.err(
            p,
            format!("unexpected {:?} in the syntax tree", p.as_rule()),
        )
    }

    fn ident(&self, p: Pair<Rule>) -> Ident {
        Ident {
            name: p.as_str().to_string(),
            span: self.span(&p),
        }
    }
}

/// Moves `end` back over trailing whitespace and `//` comments.
fn trim_trivia(text: &str, start: usize, mut end: usize) -> usize {
    loop {
        let Some(slice) = text.get(start..end) else {
            return end;
        };
        let trimmed = slice.trim_end();
        end = start + trimmed.len();
        let line_start = trimmed.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let line = trimmed.get(line_start..).unwrap_or("");
        match comment_start(line) {
            Some(c) => end = start + line_start + c,
            None => return end,
        }
    }
}

/// Where a `//` comment starts in one line, outside strings.
fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut in_str = false;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' if in_str => i += 1,
            b'"' => in_str = !in_str,
            b'/' if !in_str && bytes.get(i + 1) == Some(&b'/') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

fn binop(r: Rule) -> Option<BinOp> {
    Some(match r {
        Rule::op_or => BinOp::Or,
        Rule::op_and => BinOp::And,
        Rule::op_eq => BinOp::Eq,
        Rule::op_ne => BinOp::Ne,
        Rule::op_lt => BinOp::Lt,
        Rule::op_le => BinOp::Le,
        Rule::op_gt => BinOp::Gt,
        Rule::op_ge => BinOp::Ge,
        Rule::op_in => BinOp::In,
        Rule::op_not_in => BinOp::NotIn,
        Rule::op_add => BinOp::Add,
        Rule::op_sub => BinOp::Sub,
        Rule::op_mul => BinOp::Mul,
        Rule::op_div => BinOp::Div,
        _ => return None,
    })
}

fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Escapes a string for printing back into a policy.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out
}

/// The dates written in free text (a quote of the guide), as the policy language reads them:
/// `(Due 1/31/2024)`, `Norm Day, September 15, 2023`, `November 13-17, 2023`. Each is a
/// [`Literal::Date`] or [`Literal::Range`] with its byte range in `text`. A date starts at a word.
pub fn dates_in(text: &str) -> Vec<(std::ops::Range<usize>, Literal)> {
    const FORMS: [Rule; 6] = [
        Rule::range_months,
        Rule::range_days,
        Rule::range_dates,
        Rule::iso_date,
        Rule::us_date,
        Rule::month_date,
    ];
    let b = Builder {
        file: FileId(0),
        text,
        replaces: std::cell::RefCell::new(Vec::new()),
    };
    let mut out = Vec::new();
    let mut at = 0;
    let mut prev: Option<char> = None;
    while let Some(rest) = text.get(at..) {
        let Some(c) = rest.chars().next() else { break };
        let starts_word = !prev.is_some_and(|p| p.is_ascii_alphanumeric() || p == '/');
        let mut found = None;
        if starts_word && c.is_ascii_alphanumeric() {
            for rule in FORMS {
                let Ok(mut pairs) = PolicyParser::parse(rule, rest) else {
                    continue;
                };
                let Some(p) = pairs.next() else { continue };
                let len = p.as_str().len();
                // A date ends at a word's end: `1/31/20245` and `2024-01-31x` are not dates.
                let next = rest.get(len..).and_then(|r| r.chars().next());
                if next.is_some_and(|n| n.is_ascii_alphanumeric()) {
                    continue;
                }
                if let Ok(lit) = b.literal(p) {
                    found = Some((len, lit.node));
                    break;
                }
            }
        }
        match found {
            Some((len, lit)) => {
                out.push((at..at + len, lit));
                prev = text.get(..at + len).and_then(|t| t.chars().next_back());
                at += len;
            }
            None => {
                prev = Some(c);
                at += c.len_utf8();
            }
        }
    }
    out
}

#[cfg(test)]
mod dates_in_tests {
    use super::*;

    #[test]
    fn finds_the_dates_a_guide_prints() {
        let text = "Norm Day, September 15, 2023. (Due 1/31/2024) during November 13-17, \
                    2023 or 2024-03-04; not 1/31/20245x, May we, or 1/31/24x";
        let found: Vec<&str> = dates_in(text)
            .iter()
            .map(|(r, _)| text.get(r.clone()).unwrap_or(""))
            .collect();
        assert_eq!(
            found,
            [
                "September 15, 2023",
                "1/31/2024",
                "November 13-17, 2023",
                "2024-03-04"
            ]
        );
        assert!(matches!(
            dates_in("November 13-17, 2023").first(),
            Some((_, Literal::Range(..)))
        ));
    }
}
