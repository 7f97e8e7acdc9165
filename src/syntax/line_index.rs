//! Line starts of a source text, found once, so a byte offset's line and column cost a binary
//! search rather than a scan from the start of the file (a lint of a policy with 100,000 rules
//! looks up every rule's position). The model is ruff's `ruff_source_file::LineIndex`.

/// The byte offset where each line starts; lines end after `\n`.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// 1-based line and column (in characters) of `offset` in `text`, the text the index was
    /// built from. An offset past the end counts as the end; one inside a character as the start.
    /// The 0-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).max(1) - 1
    }

    /// Where 0-based line `line` starts, when the text has that line.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.starts.get(line).copied()
    }

    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        if !text.is_char_boundary(offset) {
            return (1, 1);
        }
        // The last line start at or before `offset`.
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let col = text.get(start..offset).map_or(0, |t| t.chars().count()) + 1;
        (line, col)
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]
mod tests {
    use super::*;

    /// The scan it replaces, as the oracle.
    fn scan(text: &str, offset: usize) -> (usize, usize) {
        let upto = text.get(..offset.min(text.len())).unwrap_or("");
        let line = upto.matches('\n').count() + 1;
        let col = upto.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }

    #[test]
    fn agrees_with_a_scan_at_every_offset() {
        for text in ["", "a", "\n", "ab\ncd\r\n\nñé\nx", "é\n\n", "\n\nz"] {
            let index = LineIndex::new(text);
            for offset in 0..=text.len() + 2 {
                assert_eq!(
                    index.line_col(text, offset),
                    scan(text, offset),
                    "{text:?} {offset}"
                );
            }
        }
    }
}
