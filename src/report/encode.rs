//! Text from untrusted input (data cells, file names, policy strings) made safe for the output it
//! goes into (SECURITY.md): control characters escaped in human output, so data cannot move the
//! cursor, recolour the terminal or forge a line; CSV cells that a spreadsheet would run as a
//! formula neutralised.

use std::borrow::Cow;

/// `s` with every control character written as an escape (`\n`, `\u{1b}`): one line, inert.
pub fn one_line(s: &str) -> Cow<'_, str> {
    escape(s, false)
}

/// `s` with every control character but the line break written as an escape.
pub fn lines(s: &str) -> Cow<'_, str> {
    escape(s, true)
}

fn escape(s: &str, keep_newline: bool) -> Cow<'_, str> {
    let bad = |c: char| c.is_control() && !(keep_newline && c == '\n');
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if bad(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A CSV cell a spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a
/// carriage return) gets a leading `'`, so it is shown as the text it is (OWASP "CSV injection").
pub fn csv_cell(s: &str) -> Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(one_line("a\u{1b}[2Jb\nc"), "a\\u{1b}[2Jb\\nc");
        assert_eq!(lines("a\u{1b}b\nc\r"), "a\\u{1b}b\nc\\r");
        assert!(matches!(one_line("plain é"), Cow::Borrowed(_)));
    }

    #[test]
    fn formulas_are_neutralised() {
        for bad in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(csv_cell(bad), format!("'{bad}"));
        }
        assert_eq!(csv_cell("a=b"), "a=b");
        assert_eq!(csv_cell(""), "");
    }
}
