//! Positions as editors count them (lines, and UTF-16 code units within a line), file URIs, and
//! the word under the cursor.

use std::path::{Path, PathBuf};

use lsp_types::{Position, Range};

/// Line starts of one text (the one line index, [`crate::syntax::line_index::LineIndex`]), to
/// turn byte offsets into LSP positions and back.
#[derive(Debug, Clone, Default)]
pub struct Lines {
    index: crate::syntax::line_index::LineIndex,
}

impl Lines {
    pub fn new(text: &str) -> Lines {
        Lines {
            index: crate::syntax::line_index::LineIndex::new(text),
        }
    }

    /// The position of a byte offset (clamped to the text, and to a character's start).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while offset > 0 && !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.index.line_of(offset);
        let start = self.index.line_start(line).unwrap_or(0);
        let character = text
            .get(start..offset)
            .map_or(0, |t| t.chars().map(char::len_utf16).sum::<usize>());
        Position::new(
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(character).unwrap_or(u32::MAX),
        )
    }

    /// The byte offset of a position; a position past a line's end is the line's end, one past the
    /// last line is the end of the text.
    pub fn offset(&self, text: &str, pos: Position) -> usize {
        let Some(start) = self.index.line_start(pos.line as usize) else {
            return text.len();
        };
        let mut units = 0usize;
        let mut at = start;
        for c in text.get(start..).unwrap_or("").chars() {
            if c == '\n' || units >= pos.character as usize {
                break;
            }
            units += c.len_utf16();
            at += c.len_utf8();
        }
        at
    }

    pub fn range(&self, text: &str, start: usize, end: usize) -> Range {
        Range::new(self.position(text, start), self.position(text, end))
    }
}

/// The path of a `file:` URI, percent-decoded; None for any other scheme.
pub fn uri_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    // `file://localhost/x` and `file:///x` both name `/x`.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%'
            && let Some(h) = bytes.get(i + 1..i + 3)
            && let Ok(h) = std::str::from_utf8(h)
            && let Ok(v) = u8::from_str_radix(h, 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b);
        i += 1;
    }
    let path = String::from_utf8(out).ok()?;
    path.starts_with('/').then(|| PathBuf::from(path))
}

/// The `file:` URI of an absolute path.
pub fn path_uri(path: &Path) -> String {
    let mut out = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The word (letters, digits, `_`) at or just before `offset`, with its byte range.
pub fn word_at(text: &str, offset: usize) -> Option<(usize, usize, &str)> {
    let offset = offset.min(text.len());
    let before = text.get(..offset)?;
    let after = text.get(offset..)?;
    let start = offset
        - before
            .chars()
            .rev()
            .take_while(|&c| is_word(c))
            .map(char::len_utf8)
            .sum::<usize>();
    let end = offset
        + after
            .chars()
            .take_while(|&c| is_word(c))
            .map(char::len_utf8)
            .sum::<usize>();
    let word = text.get(start..end)?;
    (!word.is_empty()).then_some((start, end, word))
}

/// Every word of `text` outside comments and strings, with its byte offset.
pub fn code_words(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut prev = ' ';
    while let Some((i, c)) = chars.next() {
        if c == '/' && chars.peek().is_some_and(|&(_, n)| n == '/') {
            for (_, c) in chars.by_ref() {
                if c == '\n' {
                    break;
                }
            }
            prev = '\n';
            continue;
        }
        if c == '"' {
            while let Some((_, c)) = chars.next() {
                match c {
                    '\\' => {
                        chars.next();
                    }
                    '"' => break,
                    _ => {}
                }
            }
            prev = '"';
            continue;
        }
        if is_word(c) && !is_word(prev) {
            let len: usize = text
                .get(i..)
                .unwrap_or("")
                .chars()
                .take_while(|&c| is_word(c))
                .map(char::len_utf8)
                .sum();
            if let Some(w) = text.get(i..i + len) {
                // A word that starts with a digit is a number (`2023`), never a name.
                if w.chars().next().is_some_and(|c| !c.is_ascii_digit()) {
                    out.push((i, w));
                }
            }
            while chars.peek().is_some_and(|&(j, _)| j < i + len) {
                chars.next();
            }
            prev = 'a';
            continue;
        }
        prev = c;
    }
    out
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        let text = "ab\nñ𝄞x\n";
        let lines = Lines::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(lines.position(text, x), Position::new(1, 3));
        assert_eq!(lines.offset(text, Position::new(1, 3)), x);
        assert_eq!(lines.offset(text, Position::new(0, 99)), 2);
        assert_eq!(lines.offset(text, Position::new(9, 0)), text.len());
    }

    #[test]
    fn uris_round_trip() {
        let p = Path::new("/tmp/a b/ré.policy");
        let uri = path_uri(p);
        assert_eq!(uri, "file:///tmp/a%20b/r%C3%A9.policy");
        assert_eq!(uri_path(&uri).unwrap(), p);
        assert_eq!(uri_path("untitled:1"), None);
    }

    #[test]
    fn words_skip_comments_strings_and_numbers() {
        let words: Vec<&str> = code_words("a.b // c\n\"d e\" f 2023 g_1")
            .into_iter()
            .map(|(_, w)| w)
            .collect();
        assert_eq!(words, ["a", "b", "f", "g_1"]);
        assert_eq!(
            word_at("x hbao_share y", 5).map(|w| w.2),
            Some("hbao_share")
        );
    }
}
