//! pest pairs → AST. The only module that sees pest.

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
    let b = Builder { file, text };
    let span = b.span(&root);
    let mut items = Vec::new();
    for p in b.children(root) {
        match p.as_rule() {
            Rule::EOI => {}
            _ => items.push(b.item(p)?),
        }
    }
    Ok(PolicyFile { items, span })
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
        "window", "must", "shall", "required", "should", "may",
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
            ExprKind::Lit(_) | ExprKind::Name(_) | ExprKind::Path(..) => {}
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
            | Rule::kw_next
            | Rule::kw_year
    )
}

struct Builder<'t> {
    file: FileId,
    text: &'t str,
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

    fn item(&self, p: Pair<Rule>) -> R<Item> {
        Ok(match p.as_rule() {
            Rule::include => {
                let span = self.span(&p);
                let mut c = self.children(p).into_iter();
                let path = self.next_string(&mut c, span)?;
                Item::Include(Include { path, span })
            }
            Rule::guide => Item::Guide(self.guide(p)?),
            Rule::section => Item::Section(self.section(p)?),
            _ => Item::Stmt(self.stmt(p)?),
        })
    }

    fn next_pair<'i>(
        &self,
        it: &mut impl Iterator<Item = Pair<'i, Rule>>,
        at: Span,
    ) -> R<Pair<'i, Rule>> {
        it.next()
            .ok_or_else(|| SyntaxError::internal(self.file, at.start, "a part is missing"))
    }

    fn next_ident<'i>(&self, it: &mut impl Iterator<Item = Pair<'i, Rule>>, at: Span) -> R<Ident> {
        Ok(self.ident(self.next_pair(it, at)?))
    }

    fn next_string<'i>(
        &self,
        it: &mut impl Iterator<Item = Pair<'i, Rule>>,
        at: Span,
    ) -> R<Spanned<String>> {
        let p = self.next_pair(it, at)?;
        self.string(p)
    }

    fn string(&self, p: Pair<Rule>) -> R<Spanned<String>> {
        let span = self.span(&p);
        let raw = p
            .into_inner()
            .next()
            .map(|r| r.as_str().to_string())
            .unwrap_or_default();
        Ok(Spanned {
            node: unescape(&raw),
            span,
        })
    }

    fn guide(&self, p: Pair<Rule>) -> R<Guide> {
        let span = self.span(&p);
        let mut c = self.children(p).into_iter();
        let id_pair = self.next_pair(&mut c, span)?;
        let id = if id_pair.as_rule() == Rule::string {
            self.string(id_pair)?
        } else {
            Spanned {
                node: id_pair.as_str().to_string(),
                span: self.span(&id_pair),
            }
        };
        let mut entries = Vec::new();
        for e in c {
            let espan = self.span(&e);
            let mut ec = self.children(e).into_iter();
            let key = self.next_ident(&mut ec, espan)?;
            let v = self.next_pair(&mut ec, espan)?;
            let value = match v.as_rule() {
                Rule::guide_id | Rule::ident => GuideValue::Word(Spanned {
                    node: v.as_str().to_string(),
                    span: self.span(&v),
                }),
                _ => GuideValue::Lit(self.literal(v)?),
            };
            entries.push(GuideEntry {
                key,
                value,
                span: espan,
            });
        }
        Ok(Guide { id, entries, span })
    }

    fn section(&self, p: Pair<Rule>) -> R<Section> {
        let span = self.span(&p);
        let mut c = self.children(p).into_iter().peekable();
        let title = self.next_string(&mut c, span)?;
        let mut applies = None;
        if let Some(n) = c.peek()
            && n.as_rule() == Rule::for_clause
        {
            let f = self.next_pair(&mut c, span)?;
            applies = Some(self.for_clause(f)?);
        }
        let stmts = c.map(|s| self.stmt(s)).collect::<R<Vec<_>>>()?;
        Ok(Section {
            title,
            applies,
            stmts,
            span,
        })
    }

    fn for_clause(&self, p: Pair<Rule>) -> R<Expr> {
        let span = self.span(&p);
        let mut c = self.children(p).into_iter();
        self.expr(self.next_pair(&mut c, span)?)
    }

    fn stmt(&self, p: Pair<Rule>) -> R<Stmt> {
        let span = self.span(&p);
        let rule = p.as_rule();
        let mut c = self.children(p).into_iter().peekable();
        Ok(match rule {
            Rule::type_decl => {
                let name = self.next_ident(&mut c, span)?;
                let mut values = Vec::new();
                let mut spellings = Vec::new();
                for v in c {
                    let vspan = self.span(&v);
                    let mut parts = self.children(v).into_iter();
                    values.push(self.next_ident(&mut parts, vspan)?);
                    spellings.push(parts.map(|s| self.string(s)).collect::<R<Vec<_>>>()?);
                }
                Stmt::Type(TypeDecl {
                    name,
                    values,
                    spellings,
                    span,
                })
            }
            Rule::set_decl => {
                let name = self.next_ident(&mut c, span)?;
                let of = self.next_ident(&mut c, span)?;
                let set = self.next_pair(&mut c, span)?;
                let members = self
                    .children(set)
                    .into_iter()
                    .map(|m| self.atom(m))
                    .collect::<R<Vec<_>>>()?;
                Stmt::Set(SetDecl {
                    name,
                    of,
                    members,
                    span,
                })
            }
            Rule::const_decl => {
                let name = self.next_ident(&mut c, span)?;
                let value = self.expr(self.next_pair(&mut c, span)?)?;
                Stmt::Const(ConstDecl { name, value, span })
            }
            Rule::record_decl => {
                let name = self.next_ident(&mut c, span)?;
                let mut key = None;
                if let Some(n) = c.peek()
                    && n.as_rule() == Rule::record_key
                {
                    let k = self.next_pair(&mut c, span)?;
                    let kspan = self.span(&k);
                    key = Some(self.next_ident(&mut self.children(k).into_iter(), kspan)?);
                }
                let mut fields = Vec::new();
                for f in c {
                    let fspan = self.span(&f);
                    let mut fc = self.children(f).into_iter().peekable();
                    let fname = self.next_ident(&mut fc, fspan)?;
                    let mut columns = Vec::new();
                    if let Some(n) = fc.peek()
                        && n.as_rule() == Rule::field_columns
                    {
                        let cols = self.next_pair(&mut fc, fspan)?;
                        for s in self.children(cols) {
                            columns.push(self.string(s)?);
                        }
                    }
                    let ty = self.next_ident(&mut fc, fspan)?;
                    let mut optional = false;
                    let mut private = false;
                    for flag in fc {
                        match flag.as_str() {
                            "optional" => optional = true,
                            "private" => private = true,
                            _ => return Err(self.unexpected(&flag)),
                        }
                    }
                    fields.push(FieldDecl {
                        name: fname,
                        columns,
                        ty,
                        optional,
                        private,
                        span: fspan,
                    });
                }
                Stmt::Record(RecordDecl {
                    name,
                    key,
                    fields,
                    span,
                })
            }
            Rule::measure_decl => {
                let name = self.next_ident(&mut c, span)?;
                let per = self.per(&mut c, span)?;
                let expr = self.expr(self.next_pair(&mut c, span)?)?;
                let rounding = match c.next() {
                    Some(r) => Some(self.rounding(r)?),
                    None => None,
                };
                Stmt::Measure(MeasureDecl {
                    name,
                    per,
                    expr,
                    rounding,
                    span,
                })
            }
            Rule::category_decl => {
                let name = self.next_ident(&mut c, span)?;
                let per = self.per(&mut c, span)?;
                let when = self.expr(self.next_pair(&mut c, span)?)?;
                let mut entries = Vec::new();
                for e in c {
                    let espan = self.span(&e);
                    let mut ec = self.children(e).into_iter();
                    let key = self.next_ident(&mut ec, espan)?;
                    let v = self.next_pair(&mut ec, espan)?;
                    let vspan = self.span(&v);
                    let inner = self.next_pair(&mut self.children(v).into_iter(), vspan)?;
                    let value = match inner.as_rule() {
                        Rule::next_year => CategoryValue::NextYear(self.span(&inner)),
                        Rule::notice => {
                            let nspan = self.span(&inner);
                            let d = self.next_pair(&mut inner.into_inner(), nspan)?;
                            CategoryValue::Notice(Spanned {
                                node: self.duration(d)?,
                                span: nspan,
                            })
                        }
                        Rule::path => {
                            let (a, b) = self.path(inner)?;
                            CategoryValue::Path(a, b)
                        }
                        Rule::ident => CategoryValue::Word(self.ident(inner)),
                        _ => return Err(self.unexpected(&inner)),
                    };
                    entries.push(CategoryEntry {
                        key,
                        value,
                        span: espan,
                    });
                }
                Stmt::Category(CategoryDecl {
                    name,
                    per,
                    when,
                    entries,
                    span,
                })
            }
            Rule::window_decl => {
                let name = self.next_ident(&mut c, span)?;
                let mut cases = Vec::new();
                for w in c {
                    match w.as_rule() {
                        Rule::window_case => {
                            let wspan = self.span(&w);
                            let mut wc = self.children(w).into_iter();
                            let when = self.expr(self.next_pair(&mut wc, wspan)?)?;
                            let spec = self.window_spec(self.next_pair(&mut wc, wspan)?)?;
                            cases.push(WindowCase {
                                when: Some(when),
                                spec,
                                span: wspan,
                            });
                        }
                        Rule::window_spec => {
                            let wspan = self.span(&w);
                            cases.push(WindowCase {
                                when: None,
                                spec: self.window_spec(w)?,
                                span: wspan,
                            });
                        }
                        _ => return Err(self.unexpected(&w)),
                    }
                }
                Stmt::Window(WindowDecl { name, cases, span })
            }
            Rule::rule_decl => {
                let m = self.next_pair(&mut c, span)?;
                let modal = Spanned {
                    node: match m.as_str() {
                        "must" => Modal::Must,
                        "shall" => Modal::Shall,
                        "required" => Modal::Required,
                        "should" => Modal::Should,
                        "may" => Modal::May,
                        _ => return Err(self.unexpected(&m)),
                    },
                    span: self.span(&m),
                };
                let name = self.next_ident(&mut c, span)?;
                let per = self.per(&mut c, span)?;
                let mut applies = None;
                if let Some(n) = c.peek()
                    && n.as_rule() == Rule::for_clause
                {
                    let f = self.next_pair(&mut c, span)?;
                    applies = Some(self.for_clause(f)?);
                }
                let a = self.next_pair(&mut c, span)?;
                let assertion = self.assertion(a)?;
                let quote = match c.next() {
                    Some(q) => Some(self.string(q)?),
                    None => None,
                };
                Stmt::Rule(RuleDecl {
                    modal,
                    name,
                    per,
                    applies,
                    assertion,
                    quote,
                    span,
                })
            }
            _ => {
                return Err(SyntaxError::internal(
                    self.file,
                    span.start,
                    format!("unexpected {rule:?} where a statement belongs"),
                ));
            }
        })
    }

    fn per<'i>(
        &self,
        c: &mut std::iter::Peekable<impl Iterator<Item = Pair<'i, Rule>>>,
        span: Span,
    ) -> R<Option<Ident>> {
        if let Some(n) = c.peek()
            && n.as_rule() == Rule::per_clause
        {
            let p = self.next_pair(c, span)?;
            let pspan = self.span(&p);
            return Ok(Some(
                self.next_ident(&mut self.children(p).into_iter(), pspan)?,
            ));
        }
        Ok(None)
    }

    fn rounding(&self, p: Pair<Rule>) -> R<Spanned<Rounding>> {
        let span = self.span(&p);
        let inner = self.next_pair(&mut p.into_inner(), span)?;
        let node = match inner.as_rule() {
            Rule::exact => Rounding::Exact,
            Rule::rounded => {
                let rspan = self.span(&inner);
                let pc = self.next_pair(&mut self.children(inner).into_iter(), rspan)?;
                match self.literal(pc)?.node {
                    Literal::Percent(d) => Rounding::To(d),
                    _ => {
                        return Err(SyntaxError::internal(
                            self.file,
                            rspan.start,
                            "expected a percentage",
                        ));
                    }
                }
            }
            _ => return Err(self.unexpected(&inner)),
        };
        Ok(Spanned { node, span })
    }

    fn window_spec(&self, p: Pair<Rule>) -> R<WindowSpec> {
        let span = self.span(&p);
        let mut c = self.children(p).into_iter();
        let first = self.next_pair(&mut c, span)?;
        if first.as_rule() != Rule::bound {
            return Ok(WindowSpec::Range(self.literal(first)?));
        }
        let mut lower = None;
        let mut upper = None;
        for b in std::iter::once(first).chain(c) {
            let bspan = self.span(&b);
            let mut bc = self.children(b).into_iter();
            let kw = self.next_pair(&mut bc, bspan)?;
            let kind = match kw.as_str() {
                "from" => BoundKind::From,
                "after" => BoundKind::After,
                "by" => BoundKind::By,
                "before" => BoundKind::Before,
                _ => return Err(self.unexpected(&kw)),
            };
            let bound = Bound {
                kind: Spanned {
                    node: kind,
                    span: self.span(&kw),
                },
                expr: self.expr(self.next_pair(&mut bc, bspan)?)?,
            };
            let slot = if kind.is_lower() {
                &mut lower
            } else {
                &mut upper
            };
            if slot.is_some() {
                return Err(SyntaxError::Custom {
                    message: format!(
                        "a window has one {} bound",
                        if kind.is_lower() { "lower" } else { "upper" }
                    ),
                    help: "write the window as `from START before END`".into(),
                    file: self.file,
                    span: bspan,
                });
            }
            *slot = Some(bound);
        }
        Ok(WindowSpec::Bounds { lower, upper })
    }

    fn assertion(&self, p: Pair<Rule>) -> R<Assertion> {
        let span = self.span(&p);
        let rule = p.as_rule();
        if rule == Rule::expr {
            return Ok(Assertion::Holds(self.expr(p)?));
        }
        let mut c = self.children(p).into_iter().peekable();
        Ok(match rule {
            Rule::each_check => {
                let record = self.next_ident(&mut c, span)?;
                let filter = self.where_clause(&mut c, span)?;
                let field = self.next_ident(&mut c, span)?;
                let t = self.next_pair(&mut c, span)?;
                let tspan = self.span(&t);
                let trule = t.as_rule();
                let mut tc = self.children(t).into_iter().peekable();
                let test = match trule {
                    Rule::within_test => EachTest::Within(self.next_ident(&mut tc, tspan)?),
                    Rule::not_on_test => {
                        let (record, field) = self.path(self.next_pair(&mut tc, tspan)?)?;
                        let filter = self.where_clause(&mut tc, tspan)?;
                        EachTest::NotOn {
                            record,
                            field,
                            filter,
                        }
                    }
                    Rule::compare_test => {
                        let op = self.next_pair(&mut tc, tspan)?;
                        let op = Spanned {
                            span: self.span(&op),
                            node: binop(op.as_rule()).ok_or_else(|| self.unexpected(&op))?,
                        };
                        let e = self.expr(self.next_pair(&mut tc, tspan)?)?;
                        EachTest::Compare(op, e)
                    }
                    _ => {
                        return Err(SyntaxError::internal(
                            self.file,
                            tspan.start,
                            "unknown test",
                        ));
                    }
                };
                Assertion::Each {
                    record,
                    filter,
                    field,
                    test,
                    span,
                }
            }
            Rule::deadline_check => {
                let record = self.next_ident(&mut c, span)?;
                let filter = self.where_clause(&mut c, span)?;
                let field = self.next_ident(&mut c, span)?;
                let due = self.expr(self.next_pair(&mut c, span)?)?;
                Assertion::Deadline {
                    record,
                    filter,
                    field,
                    due,
                    span,
                }
            }
            Rule::retain_check => {
                let record = self.next_ident(&mut c, span)?;
                let d = self.next_pair(&mut c, span)?;
                let period = Spanned {
                    span: self.span(&d),
                    node: self.duration(d)?,
                };
                let from = self.next_ident(&mut c, span)?;
                let until = c.next().map(|u| self.ident(u));
                Assertion::Retain {
                    record,
                    period,
                    from,
                    until,
                    span,
                }
            }
            _ => {
                return Err(SyntaxError::internal(
                    self.file,
                    span.start,
                    "unknown assertion",
                ));
            }
        })
    }

    fn where_clause<'i>(
        &self,
        c: &mut std::iter::Peekable<impl Iterator<Item = Pair<'i, Rule>>>,
        span: Span,
    ) -> R<Option<Expr>> {
        if let Some(n) = c.peek()
            && n.as_rule() == Rule::where_clause
        {
            let w = self.next_pair(c, span)?;
            let wspan = self.span(&w);
            let e = self.next_pair(&mut self.children(w).into_iter(), wspan)?;
            return Ok(Some(self.expr(e)?));
        }
        Ok(None)
    }

    fn path(&self, p: Pair<Rule>) -> R<(Ident, Ident)> {
        let span = self.span(&p);
        let mut c = p.into_inner();
        let a = self.next_ident(&mut c, span)?;
        let b = self.next_ident(&mut c, span)?;
        Ok((a, b))
    }

    fn expr(&self, p: Pair<Rule>) -> R<Expr> {
        let too_long = |span: Span| SyntaxError::Custom {
            message: "this expression is too long".into(),
            help: format!(
                "an expression is at most {MAX_DEPTH} operators deep; give parts of it names \
                 with `measure`, and write a long list of `or`s as `FIELD in {{a, b, c}}`"
            ),
            file: self.file,
            span: first_line(self.text, span),
        };
        // Counted on the flat list of operands and operators, before a tree is built: a tree
        // of 150,000 operators would overflow the stack when it is dropped.
        let operators = p
            .clone()
            .into_inner()
            .filter(|q| binop(q.as_rule()).is_some())
            .count();
        if operators > MAX_DEPTH {
            return Err(too_long(self.span(&p)));
        }
        let e = self.expr_tree(p)?;
        if depth(&e) > MAX_DEPTH {
            return Err(too_long(e.span));
        }
        Ok(e)
    }

    fn expr_tree(&self, p: Pair<Rule>) -> R<Expr> {
        let pairs: Pairs<Rule> = p.into_inner();
        pratt()
            .map_primary(|a| self.atom(a))
            .map_prefix(|op, rhs| {
                let rhs = rhs?;
                let span = self.span(&op).to(rhs.span);
                Ok(Expr {
                    kind: ExprKind::Not(Box::new(rhs)),
                    span,
                })
            })
            .map_infix(|lhs, op, rhs| {
                let (lhs, rhs) = (lhs?, rhs?);
                let node = binop(op.as_rule()).ok_or_else(|| self.unexpected(&op))?;
                let span = lhs.span.to(rhs.span);
                Ok(Expr {
                    kind: ExprKind::Binary(
                        Spanned {
                            node,
                            span: self.span(&op),
                        },
                        Box::new(lhs),
                        Box::new(rhs),
                    ),
                    span,
                })
            })
            .parse(pairs)
    }

    fn atom(&self, p: Pair<Rule>) -> R<Expr> {
        let span = self.span(&p);
        let kind = match p.as_rule() {
            Rule::expr => return self.expr(p),
            Rule::paren => {
                let inner = self.next_pair(&mut p.into_inner(), span)?;
                let mut e = self.expr(inner)?;
                e.span = span;
                return Ok(e);
            }
            Rule::ident => ExprKind::Name(self.ident(p)),
            Rule::path => {
                let (a, b) = self.path(p)?;
                ExprKind::Path(a, b)
            }
            Rule::set_lit => ExprKind::Set(
                self.children(p)
                    .into_iter()
                    .map(|m| self.atom(m))
                    .collect::<R<Vec<_>>>()?,
            ),
            Rule::aggregate => {
                let mut c = self.children(p).into_iter().peekable();
                let f = self.next_pair(&mut c, span)?;
                let func = Spanned {
                    span: self.span(&f),
                    node: match f.as_str() {
                        "count" => AggFn::Count,
                        "sum" => AggFn::Sum,
                        "min" => AggFn::Min,
                        "max" => AggFn::Max,
                        _ => return Err(self.unexpected(&f)),
                    },
                };
                let mut distinct = false;
                if let Some(n) = c.peek()
                    && n.as_rule() == Rule::distinct
                {
                    distinct = true;
                    c.next();
                }
                let target = self.next_pair(&mut c, span)?;
                let (record, field) = match target.as_rule() {
                    Rule::path => {
                        let (a, b) = self.path(target)?;
                        (a, Some(b))
                    }
                    _ => (self.ident(target), None),
                };
                let filter = self.where_clause(&mut c, span)?.map(Box::new);
                ExprKind::Agg(Aggregate {
                    func,
                    distinct,
                    record,
                    field,
                    filter,
                })
            }
            _ => ExprKind::Lit(self.literal(p)?.node),
        };
        Ok(Expr { kind, span })
    }

    fn int(&self, p: &Pair<Rule>) -> R<i64> {
        p.as_str().parse::<i64>().map_err(|_| SyntaxError::Custom {
            message: format!("the number `{}` is too large", p.as_str()),
            help: "numbers in a policy are at most 18 digits long".into(),
            file: self.file,
            span: self.span(p),
        })
    }

    fn small(&self, p: &Pair<Rule>) -> R<u32> {
        let n = self.int(p)?;
        u32::try_from(n).map_err(|_| SyntaxError::Custom {
            message: format!("the number `{}` is too large here", p.as_str()),
            help: "a month or day is at most two digits".into(),
            file: self.file,
            span: self.span(p),
        })
    }

    fn decimal(&self, p: &Pair<Rule>) -> R<Decimal> {
        let s = p.as_str();
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        let too_long = || SyntaxError::Custom {
            message: format!("the number `{s}` has too many digits"),
            help: "numbers in a policy are at most 18 digits long".into(),
            file: self.file,
            span: self.span(p),
        };
        let scale = u32::try_from(frac.len()).map_err(|_| too_long())?;
        let digits = format!("{whole}{frac}")
            .parse::<i64>()
            .map_err(|_| too_long())?;
        if 10i64.checked_pow(scale).is_none() {
            return Err(too_long());
        }
        Ok(Decimal { digits, scale })
    }

    fn duration(&self, p: Pair<Rule>) -> R<Duration> {
        let span = self.span(&p);
        let mut c = p.into_inner();
        let n = self.int(&self.next_pair(&mut c, span)?)?;
        let u = self.next_pair(&mut c, span)?;
        let unit = match u.as_str().trim_end_matches('s') {
            "day" => DurationUnit::Day,
            "week" => DurationUnit::Week,
            "month" => DurationUnit::Month,
            "year" => DurationUnit::Year,
            _ => return Err(self.unexpected(&u)),
        };
        Ok(Duration { n, unit })
    }

    fn month(&self, p: &Pair<Rule>) -> R<u32> {
        let m = p.as_str().trim_end_matches('.').to_ascii_lowercase();
        let prefix = m.get(..3).unwrap_or("");
        MONTH_NAMES
            .iter()
            .position(|x| x.get(..3).is_some_and(|x| x.eq_ignore_ascii_case(prefix)))
            .and_then(|i| u32::try_from(i + 1).ok())
            .ok_or_else(|| self.unexpected(p))
    }

    fn year(&self, p: &Pair<Rule>) -> R<(i64, u32)> {
        let y = self.int(p)?;
        Ok((y, u32::try_from(p.as_str().len()).unwrap_or(u32::MAX)))
    }

    fn date(&self, p: Pair<Rule>) -> R<DateLit> {
        let span = self.span(&p);
        let rule = p.as_rule();
        let c: Vec<Pair<Rule>> = p.into_inner().collect();
        let [a, b, y] = c.as_slice() else {
            return Err(SyntaxError::internal(
                self.file,
                span.start,
                "a date has three parts",
            ));
        };
        Ok(match rule {
            Rule::us_date => {
                let (year, year_digits) = self.year(y)?;
                DateLit {
                    year,
                    month: self.small(a)?,
                    day: self.small(b)?,
                    style: DateStyle::Us,
                    year_digits,
                }
            }
            Rule::iso_date => {
                let (year, year_digits) = self.year(a)?;
                DateLit {
                    year,
                    month: self.small(b)?,
                    day: self.small(y)?,
                    style: DateStyle::Iso,
                    year_digits,
                }
            }
            Rule::month_date => {
                let (year, year_digits) = self.year(y)?;
                DateLit {
                    year,
                    month: self.month(a)?,
                    day: self.small(b)?,
                    style: DateStyle::Long,
                    year_digits,
                }
            }
            _ => return Err(SyntaxError::internal(self.file, span.start, "not a date")),
        })
    }

    fn literal(&self, p: Pair<Rule>) -> R<Spanned<Literal>> {
        let span = self.span(&p);
        let rule = p.as_rule();
        let node = match rule {
            Rule::number => Literal::Number(self.decimal(&p)?),
            Rule::percent => {
                let n = self.next_pair(&mut p.into_inner(), span)?;
                Literal::Percent(self.decimal(&n)?)
            }
            Rule::ratio => {
                let mut c = p.into_inner();
                let a = self.int(&self.next_pair(&mut c, span)?)?;
                let b = self.int(&self.next_pair(&mut c, span)?)?;
                Literal::Ratio(a, b)
            }
            Rule::us_date | Rule::iso_date | Rule::month_date => Literal::Date(self.date(p)?),
            Rule::range_days => {
                let c: Vec<Pair<Rule>> = p.into_inner().collect();
                let [m, d1, d2, y] = c.as_slice() else {
                    return Err(SyntaxError::internal(self.file, span.start, "bad range"));
                };
                let month = self.month(m)?;
                let (year, year_digits) = self.year(y)?;
                let mk = |day| DateLit {
                    year,
                    month,
                    day,
                    style: DateStyle::Long,
                    year_digits,
                };
                Literal::Range(mk(self.small(d1)?), mk(self.small(d2)?), RangeStyle::Days)
            }
            Rule::range_months => {
                let c: Vec<Pair<Rule>> = p.into_inner().collect();
                let [m1, d1, m2, d2, y] = c.as_slice() else {
                    return Err(SyntaxError::internal(self.file, span.start, "bad range"));
                };
                let (year, year_digits) = self.year(y)?;
                let mk = |month, day| DateLit {
                    year,
                    month,
                    day,
                    style: DateStyle::Long,
                    year_digits,
                };
                Literal::Range(
                    mk(self.month(m1)?, self.small(d1)?),
                    mk(self.month(m2)?, self.small(d2)?),
                    RangeStyle::Months,
                )
            }
            Rule::range_dates => {
                let dots = p.as_str().contains("..");
                let mut c = p.into_inner();
                let a = self.date(self.next_pair(&mut c, span)?)?;
                let b = self.date(self.next_pair(&mut c, span)?)?;
                Literal::Range(
                    a,
                    b,
                    if dots {
                        RangeStyle::Dots
                    } else {
                        RangeStyle::Dash
                    },
                )
            }
            Rule::school_year => {
                let mut c = p.into_inner();
                let a = self.int(&self.next_pair(&mut c, span)?)?;
                let b = self.int(&self.next_pair(&mut c, span)?)?;
                Literal::SchoolYear(a, b)
            }
            Rule::duration => Literal::Duration(self.duration(p)?),
            Rule::string => Literal::Str(self.string(p)?.node),
            Rule::boolean => Literal::Bool(p.as_str() == "true"),
            _ => return Err(self.unexpected(&p)),
        };
        Ok(Spanned { node, span })
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
