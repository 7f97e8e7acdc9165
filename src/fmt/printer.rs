//! The printer: walks the AST block by block, placing each comment where it belongs (see the
//! module above) and breaking lines that are too wide.

use super::text::*;
use super::*;

pub(super) struct Printer<'a> {
    src: &'a str,
    pub(super) comments: Vec<Comment>,
    /// The spans of the statements written `replace ...`.
    replaced: Vec<Span>,
}

impl<'a> Printer<'a> {
    pub(super) fn new(src: &'a str) -> Self {
        Printer {
            src,
            comments: scan_comments(src),
            replaced: Vec::new(),
        }
    }

    pub(super) fn file(&mut self, ast: &PolicyFile) -> String {
        self.replaced = ast.replaces.iter().map(|r| r.stmt).collect();
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

    pub(super) fn comment(&self, i: usize) -> Option<Comment> {
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
    pub(super) fn block(
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
            cursor = self.comments(out, cursor, ms, indent, top, &mut first, &mut after_item);
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
        self.comments(out, cursor, end, indent, top, &mut first, &mut after_item);
    }

    /// Prints the comments not yet printed in `cursor..to`, each on its own line, a blank line
    /// before one where the source has it (or, at the top, after an item). Returns where the
    /// last one ends (`cursor` when there is none).
    #[expect(
        clippy::too_many_arguments,
        reason = "the block's printing state, named"
    )]
    fn comments(
        &mut self,
        out: &mut Vec<Line>,
        mut cursor: usize,
        to: usize,
        indent: usize,
        top: bool,
        first: &mut bool,
        after_item: &mut bool,
    ) -> usize {
        for i in self.unused_in(cursor, to) {
            let Some(c) = self.comment(i) else { continue };
            let blank = self.blank_between(cursor, c.start) || (top && *after_item);
            separate(out, *first, blank);
            let text = self.take(i);
            out.push(Line::new(indent, text));
            cursor = c.end;
            *first = false;
            *after_item = false;
        }
        cursor
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

    pub(super) fn member(&mut self, m: Member, indent: usize) -> Vec<Line> {
        match m {
            Member::Item(Item::Include(i)) => {
                let mut text = format!("include {}", string(&i.path.node));
                if let Some(pin) = &i.pin {
                    text.push_str(" pinned ");
                    text.push_str(&string(&pin.node));
                }
                vec![Line::new(indent, text)]
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
                    CategoryValue::Notice(d, effective) => match effective {
                        Some(e) if e.node => {
                            format!("after {} notice, effective next year", d.node)
                        }
                        Some(_) => format!("after {} notice, effective this year", d.node),
                        None => format!("after {} notice", d.node),
                    },
                    CategoryValue::Path(a, b) => format!("{}.{}", a.name, b.name),
                    CategoryValue::Word(w) => w.name.clone(),
                };
                vec![Line::new(indent, format!("{} {}", e.key.name, value))]
            }
            Member::Case(c) => vec![Line::new(indent, window_case(c))],
            Member::Day(d) => vec![Line::new(indent, literal(&d.node))],
        }
    }

    fn stmt(&mut self, s: &Stmt, indent: usize) -> Vec<Line> {
        let mut lines = self.stmt_body(s, indent);
        let span = s.span();
        if self.replaced.iter().any(|r| r.same(&span))
            && let Some(first) = lines.first_mut()
        {
            first.text.insert_str(0, "replace ");
        }
        lines
    }

    fn stmt_body(&mut self, s: &Stmt, indent: usize) -> Vec<Line> {
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
                match &r.dating {
                    Some(crate::syntax::ast::Dating::By(f)) => {
                        header.push_str(" dated by ");
                        header.push_str(&f.name);
                        header_end = f.span.end;
                    }
                    Some(crate::syntax::ast::Dating::Not(span)) => {
                        header.push_str(" not dated");
                        header_end = span.end;
                    }
                    None => {}
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
            Stmt::NonSchoolDays(n) if n.from.is_some() => {
                let path = |p: &Option<(Ident, Ident)>| {
                    p.as_ref()
                        .map(|(r, f)| format!("{}.{}", r.name, f.name))
                        .unwrap_or_default()
                };
                let mut text = format!("non_school_days from {}", path(&n.from));
                if n.until.is_some() {
                    text.push_str(&format!(" until {}", path(&n.until)));
                }
                vec![Line::new(indent, text)]
            }
            Stmt::NonSchoolDays(n) => {
                let members: Vec<Member> = n.days.iter().map(Member::Day).collect();
                let header = "non_school_days".to_string();
                self.container(indent, header, n.name.span.end, n.span, &members, false)
            }
        }
    }

    pub(super) fn rule(&mut self, r: &RuleDecl, indent: usize) -> Vec<Line> {
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
