//! The formatter: one policy file's text → the canonical layout, comments kept.
//!
//! Entry point: [`format_source`]. It works on syntax only: it parses the file, prints the AST back
//! in one layout, and puts back the comments, which the AST does not hold, by reading them from the
//! source text with a small lexical scan that skips string literals. Before returning, it parses its
//! own output and checks that the AST and the number of comments are unchanged; if not, it returns an
//! error rather than a file with a different meaning.
//!
//! # Layout
//!
//! - 2-space indentation inside `{ }` blocks (guide, section, record, category, window); one
//!   statement, guide entry, record field, category entry or window case per line.
//! - Top-level items are separated by exactly one blank line. Inside a block, a blank line the user
//!   wrote between two statements (or entries, fields, cases, comments) is kept, several collapse to
//!   one; blank lines right after `{` and right before `}` are dropped.
//! - `type` and `set` member lists: on one line, `{a, b, c}`, if the whole line fits in 100 columns
//!   (indentation included, a trailing comment not counted). Otherwise the `{` ends the line, the
//!   members are packed greedily onto lines indented one level deeper, each member followed by a
//!   comma (the last one too), no line longer than 100 columns unless a single member is, and `}`
//!   closes on its own line.
//! - Expressions are never wrapped. Binary operators have one space on each side; parentheses are
//!   printed only where the parser needs them: precedence `or` < `and` < `not` < comparisons and
//!   `in` < `+ -` < `* /`, all left-associative; an aggregate with a `where` filter is parenthesised
//!   unless it ends the expression (its filter would swallow what follows); and the right operand of
//!   `-` is parenthesised when a date ends the left side and a date starts the right side (else the
//!   two would read as a date range).
//! - A rule is `modal name for cond: assertion`; its quote goes on the next line, one level deeper.
//! - Guide entries `key value`; record fields `name: type optional private`; window cases
//!   `when cond: spec`; window bounds lower first (`from A before B`).
//! - Literals keep the form they were written in, canonicalised: month names in full and capitalised
//!   (`Nov.` → `November`), US dates without leading zeros (`1/31/2024`), ISO dates with two-digit
//!   month and day, years with as many digits as written, `November 13-17, 2023`,
//!   `November 28 - December 2, 2023`, `December 18, 2023 - January 5, 2024`,
//!   `11/13/2023 .. 11/17/2023`, `70%`, `60:40`, `5 weeks` / `1 week`, `2023-2024`, strings
//!   re-escaped. A date that does not exist (`2/30/2024`) prints as written.
//! - A guide number is printed bare when it reads as a guide number or a name, quoted otherwise.
//!
//! # Comments
//!
//! A comment (`//` to the end of the line) is attached, in this order of preference:
//! - as the *trailing* comment of a statement, entry, field or case when it follows the end of that
//!   node on the same line; it is printed after the node's last line, two spaces after the code;
//! - after the `{` of a block when it follows the `{` on the same line;
//! - after a rule's assertion (before the quote line) when it follows the assertion on its line;
//! - otherwise as a *leading* comment, on its own line, of the next statement, entry, field or case
//!   of the same block, or at the end of the block (or file) when nothing follows. A comment inside
//!   a statement (in a multi-line expression, between a header and its `{`) is moved to its own line
//!   just above the statement.

use crate::syntax::ast::*;
use crate::syntax::keywords::is_keyword;
use crate::syntax::parse::{escape, parse};
use crate::syntax::{FileId, Span, SyntaxError};

/// The widest line the formatter aims for, in characters.
const WIDTH: usize = 100;
/// One level of indentation.
const TAB: &str = "  ";
/// What separates code from its trailing comment.
const COMMENT_GAP: &str = "  ";

/// Formats one policy file's text into the canonical layout. Comments are kept.
pub fn format_source(text: &str) -> Result<String, SyntaxError> {
    let file = FileId::default();
    let ast = parse(file, text)?;
    let mut printer = Printer::new(text);
    let out = printer.file(&ast);
    let same_ast = matches!(parse(file, &out), Ok(again) if again == ast);
    if !same_ast || scan_comments(&out).len() != printer.comments.len() {
        return Err(SyntaxError::Custom {
            message: "the formatter could not keep the meaning of this file".into(),
            help: "this is a bug in mandate's formatter; please report it with the policy file"
                .into(),
            file,
            span: Span::new(file, 0, 0),
        });
    }
    Ok(out)
}

// ───────────────────────────── comments ─────────────────────────────

/// A `//` comment: bytes `start..end`, `end` at the newline (or the end of the file).
#[derive(Clone, Copy, Debug)]
struct Comment {
    start: usize,
    end: usize,
    used: bool,
}

/// Finds every comment in `text`, skipping string literals.
fn scan_comments(text: &str) -> Vec<Comment> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    i += 1;
                    match c {
                        b'\\' => i += 1,
                        b'"' => break,
                        _ => {}
                    }
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let start = i;
                while let Some(&c) = bytes.get(i) {
                    if c == b'\n' {
                        break;
                    }
                    i += 1;
                }
                out.push(Comment {
                    start,
                    end: i,
                    used: false,
                });
            }
            _ => i += 1,
        }
    }
    out
}

/// Whitespace as the grammar reads it.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\u{FEFF}')
}

// ───────────────────────────── lines ─────────────────────────────

/// One output line; an empty text is a blank line.
#[derive(Debug)]
struct Line {
    indent: usize,
    text: String,
}

impl Line {
    fn new(indent: usize, text: impl Into<String>) -> Self {
        Line {
            indent,
            text: text.into(),
        }
    }

    fn blank() -> Self {
        Line::new(0, "")
    }

    fn width(&self) -> usize {
        self.indent * TAB.len() + self.text.chars().count()
    }
}

/// Something that stands on its own line(s) in a block.
#[derive(Clone, Copy)]
enum Member<'a> {
    Item(&'a Item),
    Stmt(&'a Stmt),
    Entry(&'a GuideEntry),
    Field(&'a FieldDecl),
    CatEntry(&'a CategoryEntry),
    Case(&'a WindowCase),
}

impl Member<'_> {
    fn span(self) -> Span {
        match self {
            Member::Item(Item::Include(i)) => i.span,
            Member::Item(Item::Guide(g)) => g.span,
            Member::Item(Item::Section(s)) => s.span,
            Member::Item(Item::Stmt(s)) | Member::Stmt(s) => s.span(),
            Member::Entry(e) => e.span,
            Member::Field(f) => f.span,
            Member::CatEntry(e) => e.span,
            Member::Case(c) => c.span,
        }
    }
}

// ───────────────────────────── the printer ─────────────────────────────

struct Printer<'a> {
    src: &'a str,
    comments: Vec<Comment>,
}

impl<'a> Printer<'a> {
    fn new(src: &'a str) -> Self {
        Printer {
            src,
            comments: scan_comments(src),
        }
    }

    fn file(&mut self, ast: &PolicyFile) -> String {
        let members: Vec<Member> = ast.items.iter().map(Member::Item).collect();
        let mut lines = Vec::new();
        self.block(&mut lines, 0, self.src.len(), &members, 0, true);
        // Nothing should be left; if something is, keep it rather than lose it.
        let left: Vec<usize> = self.unused_in(0, usize::MAX);
        if !left.is_empty() && !lines.is_empty() {
            lines.push(Line::blank());
        }
        for i in left {
            let text = self.take(i);
            lines.push(Line::new(0, text));
        }
        let mut out = String::new();
        for line in &lines {
            if !line.text.is_empty() {
                for _ in 0..line.indent {
                    out.push_str(TAB);
                }
                out.push_str(&line.text);
            }
            out.push('\n');
        }
        out
    }

    // ── comment bookkeeping ──

    fn gap(&self, a: usize, b: usize) -> &'a str {
        self.src.get(a..b).unwrap_or("")
    }

    /// Whether the source between `a` and `b` holds a blank line.
    fn blank_between(&self, a: usize, b: usize) -> bool {
        self.gap(a, b).matches('\n').count() >= 2
    }

    /// Whether `a..b` is whitespace within one line.
    fn same_line(&self, a: usize, b: usize) -> bool {
        a <= b && self.gap(a, b).chars().all(|c| is_space(c) && c != '\n')
    }

    /// Unused comments starting in `a..b`, in order.
    fn unused_in(&self, a: usize, b: usize) -> Vec<usize> {
        self.comments
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.used && a <= c.start && c.start < b)
            .map(|(i, _)| i)
            .collect()
    }

    /// Marks a comment used and returns its text.
    fn take(&mut self, i: usize) -> String {
        let src = self.src;
        match self.comments.get_mut(i) {
            Some(c) => {
                c.used = true;
                src.get(c.start..c.end).unwrap_or("").trim_end().to_string()
            }
            None => String::new(),
        }
    }

    fn comment(&self, i: usize) -> Option<Comment> {
        self.comments.get(i).copied()
    }

    /// The first comment at or after `end` (and before `limit`) if it is unused and on the line
    /// `end` is on: it is taken, and its text and end are returned.
    fn inline_comment(&mut self, end: usize, limit: usize) -> Option<(String, usize)> {
        let (i, c) = self
            .comments
            .iter()
            .enumerate()
            .find(|(_, c)| c.start >= end)
            .map(|(i, c)| (i, *c))?;
        if c.used || c.start >= limit || !self.same_line(end, c.start) {
            return None;
        }
        Some((self.take(i), c.end))
    }

    /// `end` moved back over whitespace and comments, down to `start`: a rule that ends in an
    /// optional part has a span that runs over the trivia after it.
    fn trim_end(&self, start: usize, end: usize) -> usize {
        let mut e = end;
        loop {
            let t = self.gap(start, e).trim_end_matches(is_space);
            e = start + t.len();
            match self
                .comments
                .iter()
                .find(|c| c.start >= start && c.start < e && e <= c.end)
            {
                Some(c) => e = c.start,
                None => return e,
            }
        }
    }

    /// The `{` that follows `from` past whitespace and comments, if the next thing is one.
    fn find_brace(&self, from: usize, to: usize) -> Option<usize> {
        let mut i = from;
        while i < to {
            if let Some(c) = self.comments.iter().find(|c| c.start == i) {
                i = c.end;
                continue;
            }
            let ch = self.src.get(i..)?.chars().next()?;
            match ch {
                '{' => return Some(i),
                c if is_space(c) => i += c.len_utf8(),
                _ => return None,
            }
        }
        None
    }

    // ── blocks ──

    /// Prints `members` of the block whose inside is `start..end`, with the comments among them.
    fn block(
        &mut self,
        out: &mut Vec<Line>,
        start: usize,
        end: usize,
        members: &[Member],
        indent: usize,
        top: bool,
    ) {
        let mut cursor = start;
        let mut first = true;
        let mut after_item = false;
        for m in members {
            let span = m.span();
            let ms = span.start;
            let me = self.trim_end(ms, span.end);
            for i in self.unused_in(cursor, ms) {
                let Some(c) = self.comment(i) else { continue };
                let blank = self.blank_between(cursor, c.start) || (top && after_item);
                separate(out, first, blank);
                let text = self.take(i);
                out.push(Line::new(indent, text));
                cursor = c.end;
                first = false;
                after_item = false;
            }
            let mut body = self.member(*m, indent);
            let blank = self.blank_between(cursor, ms) || (top && after_item);
            separate(out, first, blank);
            for i in self.unused_in(ms, me) {
                let text = self.take(i);
                out.push(Line::new(indent, text));
            }
            cursor = me;
            if let Some((text, cend)) = self.inline_comment(me, usize::MAX) {
                match body.last_mut() {
                    Some(last) => {
                        last.text.push_str(COMMENT_GAP);
                        last.text.push_str(&text);
                    }
                    None => body.push(Line::new(indent, text)),
                }
                cursor = cend;
            }
            out.extend(body);
            first = false;
            after_item = true;
        }
        for i in self.unused_in(cursor, end) {
            let Some(c) = self.comment(i) else { continue };
            let blank = self.blank_between(cursor, c.start) || (top && after_item);
            separate(out, first, blank);
            let text = self.take(i);
            out.push(Line::new(indent, text));
            cursor = c.end;
            first = false;
            after_item = false;
        }
    }

    /// A node with a `{ }` block: `header {`, the members one level deeper, `}`. `header_end` is
    /// where the search for `{` starts. When `optional` and the block is empty (no member, no
    /// comment), the block is left out.
    fn container(
        &mut self,
        indent: usize,
        header: String,
        header_end: usize,
        span: Span,
        members: &[Member],
        optional: bool,
    ) -> Vec<Line> {
        let me = self.trim_end(span.start, span.end);
        let close = match me.checked_sub(1) {
            Some(c) if self.gap(c, me) == "}" => c,
            _ => me,
        };
        let mut start = header_end.min(close);
        let mut open_comment = None;
        if let Some(b) = self.find_brace(header_end, close) {
            start = b + 1;
            if let Some((text, cend)) = self.inline_comment(start, close) {
                open_comment = Some(text);
                start = cend;
            }
        }
        if members.is_empty() && open_comment.is_none() && self.unused_in(start, close).is_empty() {
            let text = if optional { header } else { header + " {}" };
            return vec![Line::new(indent, text)];
        }
        let mut first = header + " {";
        if let Some(text) = open_comment {
            first.push_str(COMMENT_GAP);
            first.push_str(&text);
        }
        let mut lines = vec![Line::new(indent, first)];
        self.block(&mut lines, start, close, members, indent + 1, false);
        lines.push(Line::new(indent, "}"));
        lines
    }

    fn member(&mut self, m: Member, indent: usize) -> Vec<Line> {
        match m {
            Member::Item(Item::Include(i)) => {
                vec![Line::new(
                    indent,
                    format!("include {}", string(&i.path.node)),
                )]
            }
            Member::Item(Item::Guide(g)) => {
                let members: Vec<Member> = g.entries.iter().map(Member::Entry).collect();
                let header = format!("guide {}", guide_id(&g.id.node));
                self.container(indent, header, g.id.span.end, g.span, &members, false)
            }
            Member::Item(Item::Section(s)) => {
                let members: Vec<Member> = s.stmts.iter().map(Member::Stmt).collect();
                let mut header = format!("section {}", string(&s.title.node));
                let mut header_end = s.title.span.end;
                if let Some(e) = &s.applies {
                    header.push_str(" for ");
                    header.push_str(&expr(e));
                    header_end = e.span.end;
                }
                self.container(indent, header, header_end, s.span, &members, false)
            }
            Member::Item(Item::Stmt(s)) | Member::Stmt(s) => self.stmt(s, indent),
            Member::Entry(e) => {
                let value = match &e.value {
                    GuideValue::Lit(l) => literal(&l.node),
                    GuideValue::Word(w) => w.node.clone(),
                };
                vec![Line::new(indent, format!("{} {}", e.key.name, value))]
            }
            Member::Field(f) => {
                let mut text = format!("{}: {}", with_names(&f.name.name, &f.columns), f.ty.name);
                if f.optional {
                    text.push_str(" optional");
                }
                if f.private {
                    text.push_str(" private");
                }
                vec![Line::new(indent, text)]
            }
            Member::CatEntry(e) => {
                let value = match &e.value {
                    CategoryValue::NextYear(_) => "next year".to_string(),
                    CategoryValue::Notice(d) => format!("after {} notice", d.node),
                    CategoryValue::Path(a, b) => format!("{}.{}", a.name, b.name),
                    CategoryValue::Word(w) => w.name.clone(),
                };
                vec![Line::new(indent, format!("{} {}", e.key.name, value))]
            }
            Member::Case(c) => vec![Line::new(indent, window_case(c))],
        }
    }

    fn stmt(&mut self, s: &Stmt, indent: usize) -> Vec<Line> {
        match s {
            Stmt::Type(t) => {
                let values: Vec<String> = t
                    .values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        with_names(&v.name, t.spellings.get(i).map_or(&[], Vec::as_slice))
                    })
                    .collect();
                member_list(indent, format!("type {} = ", t.name.name), &values)
            }
            Stmt::Set(d) => {
                let members: Vec<String> = d.members.iter().map(expr).collect();
                let head = format!("set {}: {} = ", d.name.name, d.of.name);
                member_list(indent, head, &members)
            }
            Stmt::Const(c) => {
                vec![Line::new(
                    indent,
                    format!("const {} = {}", c.name.name, expr(&c.value)),
                )]
            }
            Stmt::Record(r) => {
                let members: Vec<Member> = r.fields.iter().map(Member::Field).collect();
                let mut header = format!("record {}", r.name.name);
                let mut header_end = r.name.span.end;
                if let Some(k) = &r.key {
                    header.push_str(" key ");
                    header.push_str(&k.name);
                    header_end = k.span.end;
                }
                self.container(indent, header, header_end, r.span, &members, false)
            }
            Stmt::Measure(m) => {
                let mut text = format!("measure {}", m.name.name);
                if let Some(p) = &m.per {
                    text.push_str(" per ");
                    text.push_str(&p.name);
                }
                text.push_str(" = ");
                text.push_str(&expr(&m.expr));
                match m.rounding.as_ref().map(|r| &r.node) {
                    Some(Rounding::Exact) => text.push_str(" exact"),
                    Some(Rounding::To(d)) => text.push_str(&format!(" rounded to {d}%")),
                    None => {}
                }
                vec![Line::new(indent, text)]
            }
            Stmt::Category(c) => {
                let members: Vec<Member> = c.entries.iter().map(Member::CatEntry).collect();
                let mut header = format!("category {}", c.name.name);
                if let Some(p) = &c.per {
                    header.push_str(" per ");
                    header.push_str(&p.name);
                }
                header.push_str(" when ");
                header.push_str(&expr(&c.when));
                self.container(indent, header, c.when.span.end, c.span, &members, true)
            }
            Stmt::Window(w) => {
                if let [only] = w.cases.as_slice()
                    && only.when.is_none()
                {
                    let text = format!("window {} = {}", w.name.name, window_spec(&only.spec));
                    return vec![Line::new(indent, text)];
                }
                let members: Vec<Member> = w.cases.iter().map(Member::Case).collect();
                let header = format!("window {}", w.name.name);
                self.container(indent, header, w.name.span.end, w.span, &members, false)
            }
            Stmt::Rule(r) => self.rule(r, indent),
        }
    }

    fn rule(&mut self, r: &RuleDecl, indent: usize) -> Vec<Line> {
        let mut text = format!("{} {}", r.modal.node.word(), r.name.name);
        if let Some(p) = &r.per {
            text.push_str(&format!(" per {}", p.name));
        }
        if let Some(a) = &r.applies {
            text.push_str(" for ");
            text.push_str(&expr(a));
        }
        text.push_str(": ");
        text.push_str(&assertion(&r.assertion));
        let Some(q) = &r.quote else {
            return vec![Line::new(indent, text)];
        };
        let assertion_end = self.trim_end(r.span.start, q.span.start);
        if let Some((comment, _)) = self.inline_comment(assertion_end, q.span.start) {
            text.push_str(COMMENT_GAP);
            text.push_str(&comment);
        }
        vec![
            Line::new(indent, text),
            Line::new(indent + 1, string(&q.node)),
        ]
    }
}

/// A blank line before the next element, unless it is the first of its block.
fn separate(out: &mut Vec<Line>, first: bool, blank: bool) {
    if !first && blank {
        out.push(Line::blank());
    }
}

/// `head{a, b, c}` on one line if it fits, else the members packed onto lines one level deeper.
fn member_list(indent: usize, head: String, members: &[String]) -> Vec<Line> {
    let one = Line::new(indent, format!("{head}{{{}}}", members.join(", ")));
    if one.width() <= WIDTH || members.is_empty() {
        return vec![one];
    }
    let mut lines = vec![Line::new(indent, format!("{head}{{"))];
    let inner = indent + 1;
    let mut cur = String::new();
    for m in members {
        let piece = format!("{m},");
        if cur.is_empty() {
            cur = piece;
        } else if inner * TAB.len() + cur.chars().count() + 1 + piece.chars().count() <= WIDTH {
            cur.push(' ');
            cur.push_str(&piece);
        } else {
            lines.push(Line::new(inner, std::mem::take(&mut cur)));
            cur = piece;
        }
    }
    if !cur.is_empty() {
        lines.push(Line::new(inner, cur));
    }
    lines.push(Line::new(indent, "}"));
    lines
}

// ───────────────────────────── statements' parts ─────────────────────────────

fn window_case(c: &WindowCase) -> String {
    match &c.when {
        Some(w) => format!("when {}: {}", expr(w), window_spec(&c.spec)),
        None => window_spec(&c.spec),
    }
}

fn window_spec(s: &WindowSpec) -> String {
    match s {
        WindowSpec::Range(l) => literal(&l.node),
        WindowSpec::Bounds { lower, upper } => [lower, upper]
            .into_iter()
            .flatten()
            .map(|b| format!("{} {}", b.kind.node.word(), expr(&b.expr)))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

fn where_clause(filter: &Option<Expr>) -> String {
    match filter {
        Some(f) => format!(" where {}", expr(f)),
        None => String::new(),
    }
}

fn assertion(a: &Assertion) -> String {
    match a {
        Assertion::Holds(e) => expr(e),
        Assertion::Each {
            record,
            filter,
            field,
            test,
            ..
        } => {
            let test = match test {
                EachTest::Within(w) => format!("within {}", w.name),
                EachTest::NotOn {
                    record,
                    field,
                    filter,
                } => format!(
                    "not on {}.{}{}",
                    record.name,
                    field.name,
                    where_clause(filter)
                ),
                EachTest::Compare(op, e) => format!("{} {}", op.node.symbol(), expr(e)),
            };
            format!(
                "each {}{} has {} {}",
                record.name,
                where_clause(filter),
                field.name,
                test
            )
        }
        Assertion::Deadline {
            record,
            filter,
            field,
            due,
            ..
        } => format!(
            "{}{} has {} by {}",
            record.name,
            where_clause(filter),
            field.name,
            expr(due)
        ),
        Assertion::Retain {
            record,
            period,
            from,
            until,
            ..
        } => {
            let mut text = format!(
                "retain {} for {} from {}",
                record.name, period.node, from.name
            );
            if let Some(u) = until {
                text.push_str(" until ");
                text.push_str(&u.name);
            }
            text
        }
    }
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !is_keyword(s)
}

/// Whether `s` reads as a `guide_id` token: `REF-1028.19`.
fn is_guide_id(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if !first.is_ascii_alphabetic() {
        return false;
    }
    let head_len = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    let Some(rest) = s.get(head_len..) else {
        return false;
    };
    if rest.is_empty() {
        return false;
    }
    // `rest` is one or more groups: a `-` or `.`, then letters and digits.
    let mut after_sep = false;
    let mut seen_sep = false;
    for c in rest.chars() {
        if c == '-' || c == '.' {
            if seen_sep && after_sep {
                return false;
            }
            seen_sep = true;
            after_sep = true;
        } else if c.is_ascii_alphanumeric() {
            after_sep = false;
        } else {
            return false;
        }
    }
    seen_sep && !after_sep
}

fn guide_id(id: &str) -> String {
    if is_guide_id(id) || is_ident(id) {
        id.to_string()
    } else {
        string(id)
    }
}

// ───────────────────────────── expressions ─────────────────────────────

const PREC_NOT: u8 = 3;
const PREC_ATOM: u8 = 10;

fn binary_prec(op: BinOp) -> u8 {
    match op {
        BinOp::Or => 1,
        BinOp::And => 2,
        BinOp::Eq
        | BinOp::Ne
        | BinOp::Lt
        | BinOp::Le
        | BinOp::Gt
        | BinOp::Ge
        | BinOp::In
        | BinOp::NotIn => 4,
        BinOp::Add | BinOp::Sub => 5,
        BinOp::Mul | BinOp::Div => 6,
    }
}

fn prec(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary(op, ..) => binary_prec(op.node),
        ExprKind::Not(_) => PREC_NOT,
        _ => PREC_ATOM,
    }
}

/// An aggregate with a `where` filter: the filter runs to the end of the expression.
fn has_filter(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Agg(a) if a.filter.is_some())
}

/// Whether the left operand of `op` needs parentheses. A left operand never ends an expression.
fn left_parens(op: BinOp, l: &Expr) -> bool {
    prec(l) < binary_prec(op) || has_filter(l)
}

/// Whether the right operand of `op` needs parentheses; `tail`: the operation ends the expression.
fn right_parens(op: BinOp, l: &Expr, r: &Expr, tail: bool) -> bool {
    prec(r) <= binary_prec(op)
        || (has_filter(r) && !tail)
        || (op == BinOp::Sub && ends_with_date(l, false) && starts_with_date(r))
}

fn not_parens(inner: &Expr, tail: bool) -> bool {
    prec(inner) < PREC_NOT || (has_filter(inner) && !tail)
}

/// Whether `e`, printed without parentheses around it, ends with a single date.
fn ends_with_date(e: &Expr, tail: bool) -> bool {
    match &e.kind {
        ExprKind::Lit(Literal::Date(_)) => true,
        ExprKind::Binary(op, l, r) => !right_parens(op.node, l, r, tail) && ends_with_date(r, tail),
        ExprKind::Not(i) => !not_parens(i, tail) && ends_with_date(i, tail),
        ExprKind::Agg(a) => a.filter.as_deref().is_some_and(|f| ends_with_date(f, true)),
        _ => false,
    }
}

/// Whether `e`, printed without parentheses around it, starts with a date.
fn starts_with_date(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Lit(Literal::Date(_))
        | ExprKind::Lit(Literal::Range(_, _, RangeStyle::Dash | RangeStyle::Dots)) => true,
        ExprKind::Binary(op, l, _) => !left_parens(op.node, l) && starts_with_date(l),
        _ => false,
    }
}

/// An expression as a whole (nothing follows it but a keyword, `{`, `:` or a string).
fn expr(e: &Expr) -> String {
    let mut out = String::new();
    write_expr(&mut out, e, true);
    out
}

fn write_child(out: &mut String, e: &Expr, parens: bool, tail: bool) {
    if parens {
        out.push('(');
        write_expr(out, e, true);
        out.push(')');
    } else {
        write_expr(out, e, tail);
    }
}

/// `tail`: nothing of this expression's follows `e`.
fn write_expr(out: &mut String, e: &Expr, tail: bool) {
    match &e.kind {
        ExprKind::Lit(l) => out.push_str(&literal(l)),
        ExprKind::Name(n) => out.push_str(&n.name),
        ExprKind::Path(a, b) => {
            out.push_str(&a.name);
            out.push('.');
            out.push_str(&b.name);
        }
        ExprKind::Set(members) => {
            out.push('{');
            for (i, m) in members.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_expr(out, m, true);
            }
            out.push('}');
        }
        ExprKind::Not(inner) => {
            out.push_str("not ");
            write_child(out, inner, not_parens(inner, tail), tail);
        }
        ExprKind::Binary(op, l, r) => {
            write_child(out, l, left_parens(op.node, l), false);
            out.push(' ');
            out.push_str(op.node.symbol());
            out.push(' ');
            write_child(out, r, right_parens(op.node, l, r, tail), tail);
        }
        ExprKind::Agg(a) => {
            out.push_str(a.func.node.word());
            if a.distinct {
                out.push_str(" distinct");
            }
            out.push(' ');
            out.push_str(&a.record.name);
            if let Some(f) = &a.field {
                out.push('.');
                out.push_str(&f.name);
            }
            if let Some(f) = &a.filter {
                out.push_str(" where ");
                write_expr(out, f, true);
            }
        }
    }
}

// ───────────────────────────── literals ─────────────────────────────

fn month_name(m: u32) -> String {
    m.checked_sub(1)
        .and_then(|i| usize::try_from(i).ok())
        .and_then(|i| crate::syntax::ast::MONTH_NAMES.get(i))
        .map_or_else(|| m.to_string(), |s| (*s).to_string())
}

/// The year with as many digits as it was written with.
fn year(d: &DateLit) -> String {
    let width = usize::try_from(d.year_digits).unwrap_or(0);
    format!("{:0width$}", d.year)
}

fn date(d: &DateLit) -> String {
    match d.style {
        DateStyle::Us => format!("{}/{}/{}", d.month, d.day, year(d)),
        DateStyle::Iso => format!("{}-{:02}-{:02}", year(d), d.month, d.day),
        DateStyle::Long => format!("{} {}, {}", month_name(d.month), d.day, year(d)),
    }
}

/// A value or field with the other names the policy gives it: `black ("African American")`.
fn with_names(name: &str, names: &[crate::syntax::ast::Spanned<String>]) -> String {
    if names.is_empty() {
        return name.to_string();
    }
    let names: Vec<String> = names.iter().map(|n| string(&n.node)).collect();
    format!("{name} ({})", names.join(", "))
}

fn string(s: &str) -> String {
    format!("\"{}\"", escape(s))
}

fn literal(l: &Literal) -> String {
    match l {
        Literal::Number(d) => d.to_string(),
        Literal::Percent(d) => format!("{d}%"),
        Literal::Ratio(a, b) => format!("{a}:{b}"),
        Literal::Date(d) => date(d),
        Literal::Range(a, b, style) => match style {
            RangeStyle::Days => {
                format!("{} {}-{}, {}", month_name(a.month), a.day, b.day, year(a))
            }
            RangeStyle::Months => format!(
                "{} {} - {} {}, {}",
                month_name(a.month),
                a.day,
                month_name(b.month),
                b.day,
                year(a)
            ),
            RangeStyle::Dash => format!("{} - {}", date(a), date(b)),
            RangeStyle::Dots => format!("{} .. {}", date(a), date(b)),
        },
        Literal::Duration(d) => d.to_string(),
        Literal::SchoolYear(a, b) => format!("{a}-{b}"),
        Literal::Str(s) => string(s),
        Literal::Bool(b) => b.to_string(),
    }
}

#[cfg(test)]
#[expect(clippy::panic, reason = "a test fails by panicking")]
mod tests {
    use super::*;

    fn fmt(src: &str) -> String {
        match format_source(src) {
            Ok(s) => s,
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn parentheses_only_where_needed() {
        let cases = [
            ("const x = (a or b) and c", "const x = (a or b) and c\n"),
            ("const x = a or (b and c)", "const x = a or b and c\n"),
            ("const x = (a - b) - c", "const x = a - b - c\n"),
            ("const x = a - (b - c)", "const x = a - (b - c)\n"),
            ("const x = a * (b + c)", "const x = a * (b + c)\n"),
            ("const x = not (a and b)", "const x = not (a and b)\n"),
            ("const x = not (a == b)", "const x = not a == b\n"),
            ("const x = a + (not b)", "const x = a + (not b)\n"),
            ("const x = (not a) == b", "const x = (not a) == b\n"),
            ("const x = a and not b", "const x = a and not b\n"),
            ("const x = (a == b) == c", "const x = a == b == c\n"),
            ("const x = a == (b == c)", "const x = a == (b == c)\n"),
        ];
        for (src, want) in cases {
            assert_eq!(fmt(src), want, "{src}");
        }
    }

    #[test]
    fn filtered_aggregate_is_wrapped_unless_last() {
        assert_eq!(
            fmt("measure m = (count s where a == b) + 1"),
            "measure m = (count s where a == b) + 1\n"
        );
        assert_eq!(
            fmt("measure m = 1 + (count s where a == b)"),
            "measure m = 1 + count s where a == b\n"
        );
        assert_eq!(
            fmt("measure m = (1 + (count s where a)) * 2"),
            "measure m = (1 + count s where a) * 2\n"
        );
    }

    #[test]
    fn date_minus_date_is_not_a_range() {
        assert_eq!(
            fmt("const d = 1/5/2024 - (1/1/2024)"),
            "const d = 1/5/2024 - (1/1/2024)\n"
        );
        assert_eq!(
            fmt("const d = 1/5/2024 - 1/1/2024"),
            "const d = 1/5/2024 - 1/1/2024\n"
        );
        assert_eq!(
            fmt("const d = (x + 1/5/2024) - (1/1/2024 + y)"),
            "const d = x + 1/5/2024 - (1/1/2024 + y)\n"
        );
    }

    #[test]
    fn guide_ids() {
        assert!(is_guide_id("REF-1028.19"));
        assert!(is_guide_id("a.b-c"));
        assert!(!is_guide_id("REF"));
        assert!(!is_guide_id("REF-"));
        assert!(!is_guide_id("REF--1"));
        assert!(!is_guide_id("1REF-1"));
        assert!(!is_guide_id("REF 1"));
        assert_eq!(guide_id("for"), "\"for\"");
        assert_eq!(guide_id("REF 1"), "\"REF 1\"");
        assert_eq!(guide_id("format"), "format");
    }

    #[test]
    fn comment_scan_skips_strings() {
        let src = "must r: a \"no // here \\\" // nor here\" // yes\n// and yes";
        assert_eq!(scan_comments(src).len(), 2);
    }
}
