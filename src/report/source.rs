//! A policy file as miette reads it, with its line starts found once.
//!
//! miette's own sources (`NamedSource<String>`, `str`) find a span's lines by reading the text
//! from its first byte, on every report. A lint of a state prints tens of thousands of findings
//! against one policy file; [`Indexed`] finds the line in its table and hands miette only the text
//! from a few lines above the span, so each report costs the same however long the policy is.
//! What miette is given (text, span, line, column, line count, name) is what it would compute
//! over the whole text: the tests below compare the two.

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use crate::syntax::{FileId, Sources};

/// One source file, named, with the byte offset where each of its lines starts.
#[derive(Debug)]
pub struct Indexed<'s> {
    name: &'s str,
    text: &'s str,
    /// Line starts, as miette counts lines: after `\n`, after `\r\n`, after a lone `\r`.
    starts: Vec<usize>,
}

impl<'s> Indexed<'s> {
    pub fn new(name: &'s str, text: &'s str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for (i, b) in bytes.iter().enumerate() {
            let ends_line = match b {
                b'\n' => true,
                b'\r' => bytes.get(i + 1) != Some(&b'\n'),
                _ => false,
            };
            if ends_line {
                starts.push(i + 1);
            }
        }
        Indexed { name, text, starts }
    }

    pub fn text(&self) -> &'s str {
        self.text
    }

    /// Every file of `sources`, indexed by [`FileId`].
    pub fn all(sources: &'s Sources) -> Vec<Indexed<'s>> {
        sources
            .iter()
            .map(|(_, f)| Indexed::new(&f.name, &f.text))
            .collect()
    }

    /// The file `id` among [`Indexed::all`]'s.
    pub fn of<'a>(all: &'a [Indexed<'s>], id: FileId) -> Option<&'a Indexed<'s>> {
        all.get(id.0 as usize)
    }
}

impl SourceCode for Indexed<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        // miette's own sources panic on a span past the end of the text.
        if span.offset().saturating_add(span.len()) > self.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        // The line the span starts on, and the one `context_lines_before` above it: miette's
        // reading of the text from there gives what its reading from the first byte gives, with
        // offsets and line numbers shifted by what was skipped.
        let line = self
            .starts
            .partition_point(|&s| s <= span.offset())
            .saturating_sub(1);
        let mut first = line.saturating_sub(context_lines_before);
        // An empty span at a line start reads differently at the very start of a text (miette
        // subtracts one from its end): start a line earlier, which shifts nothing else.
        if span.is_empty() && first > 0 && self.starts.get(first) == Some(&span.offset()) {
            first -= 1;
        }
        let base = self.starts.get(first).copied().unwrap_or(0);
        let rest = self
            .text
            .as_bytes()
            .get(base..)
            .ok_or(MietteError::OutOfBounds)?;
        let shifted = SourceSpan::new((span.offset() - base).into(), span.len());
        let got = rest.read_span(&shifted, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            got.data(),
            SourceSpan::new((got.span().offset() + base).into(), got.span().len()),
            got.line() + first,
            got.column(),
            got.line_count() + first,
        )))
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]
mod tests {
    use super::*;
    use miette::NamedSource;

    /// Text, span, line, column, line count and name.
    type Contents = (Vec<u8>, SourceSpan, usize, usize, usize, Option<String>);

    /// What a source gives miette for a span, or that it gives nothing.
    fn seen(
        source: &dyn SourceCode,
        span: SourceSpan,
        before: usize,
        after: usize,
    ) -> Option<Contents> {
        let c = source.read_span(&span, before, after).ok()?;
        Some((
            c.data().to_vec(),
            *c.span(),
            c.line(),
            c.column(),
            c.line_count(),
            c.name().map(str::to_string),
        ))
    }

    #[test]
    fn gives_miette_what_its_own_source_gives() {
        let texts = [
            "",
            "one line",
            "a\nbb\nccc\n\ndddd\neeeee\n",
            "a\r\nbb\r\n\r\nccc\rdd\n\nlast",
            "\n\n\nx\n\n",
            "rule é ünïcode\n  must x: y >= 2\n  # comment\n}\n",
        ];
        for text in texts {
            let ours = Indexed::new("p.policy", text);
            let theirs = NamedSource::new("p.policy", text.to_string());
            for start in 0..=text.len() + 1 {
                for len in 0..=text.len() + 2 - start.min(text.len()) {
                    for before in 0..4 {
                        for after in 0..4 {
                            let span = SourceSpan::new(start.into(), len);
                            if start + len > text.len() {
                                // Past the end: miette's own source panics, ours declines.
                                assert!(seen(&ours, span, before, after).is_none());
                                continue;
                            }
                            assert_eq!(
                                seen(&ours, span, before, after),
                                seen(&theirs, span, before, after),
                                "{text:?} at {start}+{len}, context {before}/{after}"
                            );
                        }
                    }
                }
            }
        }
    }
}
