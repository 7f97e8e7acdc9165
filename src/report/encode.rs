//! Text from untrusted input (data cells, file names, policy strings) made safe for the output it
//! goes into (SECURITY.md): control characters escaped in human output, so data cannot move the
//! cursor, recolour the terminal or forge a line; CSV cells that a spreadsheet would run as a
//! formula neutralised.

use std::borrow::Cow;

pub use crate::escape::{lines, one_line};

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
    fn formulas_are_neutralised() {
        for bad in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(csv_cell(bad), format!("'{bad}"));
        }
        assert_eq!(csv_cell("a=b"), "a=b");
        assert_eq!(csv_cell(""), "");
    }
}
