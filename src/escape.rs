//! Control characters in text from untrusted input, written as visible escapes (`\u{1b}`, `\n`),
//! so data cannot move the cursor, recolour a terminal or forge a line of output (SECURITY.md).
//! Used by every stage that prints such text: data errors, reports, the CLI.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(one_line("a\u{1b}[2Jb\nc"), "a\\u{1b}[2Jb\\nc");
        assert_eq!(lines("a\u{1b}b\nc\r"), "a\\u{1b}b\nc\\r");
        assert!(matches!(one_line("plain é"), Cow::Borrowed(_)));
    }
}
