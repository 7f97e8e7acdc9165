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

mod printer;
mod text;

use crate::syntax::ast::*;
use crate::syntax::keywords::is_keyword;
use crate::syntax::parse::{escape, parse};
use crate::syntax::{FileId, Span, SyntaxError};
use printer::Printer;

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
    /// A date or range of `non_school_days`.
    Day(&'a Spanned<Literal>),
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
            Member::Day(d) => d.span,
        }
    }
}

#[cfg(test)]
#[expect(clippy::panic, reason = "a test fails by panicking")]
mod tests {
    use super::text::{guide_id, is_guide_id};
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
