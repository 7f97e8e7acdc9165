//! The reserved words, written once. The grammar's `keyword` rule (`grammar/policy.pest`) and the
//! "Reserved words" paragraph of GRAMMAR.md must list the same words; the tests below hold them to it.

/// Words that are never a name, in the grammar's order.
pub const KEYWORDS: &[&str] = &[
    "include",
    "guide",
    "section",
    "type",
    "set",
    "record",
    "key",
    "dated",
    "optional",
    "private",
    "const",
    "measure",
    "category",
    "window",
    "when",
    "each",
    "has",
    "within",
    "not",
    "on",
    "where",
    "in",
    "and",
    "or",
    "count",
    "distinct",
    "sum",
    "min",
    "max",
    "from",
    "after",
    "before",
    "by",
    "retain",
    "until",
    "must",
    "shall",
    "required",
    "should",
    "may",
    "exact",
    "rounded",
    "to",
    "true",
    "false",
    "for",
    "per",
    "replace",
    "pinned",
    "missing",
    "non_school_days",
    "some",
];

/// The words a statement or item starts with, for "did you mean".
pub const STATEMENT_WORDS: &[&str] = &[
    "include",
    "guide",
    "section",
    "type",
    "set",
    "const",
    "record",
    "measure",
    "category",
    "window",
    "must",
    "shall",
    "required",
    "should",
    "may",
    "replace",
    "non_school_days",
];

/// Whether `word` is reserved.
pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

#[cfg(test)]
#[expect(clippy::panic, reason = "a test fails by panicking")]
mod tests {
    use pest::Parser as _;

    use super::*;
    use crate::syntax::parse::{PolicyParser, Rule};

    /// The quoted words of the grammar's `keyword = @{ ... }` rule.
    fn grammar_keywords() -> Vec<String> {
        let grammar = include_str!("../../grammar/policy.pest");
        let Some(start) = grammar.find("\nkeyword = @{") else {
            panic!("the grammar has no `keyword` rule");
        };
        let rest = grammar.get(start..).unwrap_or_default();
        let Some(end) = rest.find("\n}") else {
            panic!("the `keyword` rule does not end");
        };
        let body = rest.get(..end).unwrap_or_default();
        body.split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn the_grammar_reserves_exactly_these_words() {
        assert_eq!(grammar_keywords(), KEYWORDS);
    }

    #[test]
    fn the_parser_reads_each_keyword_as_a_keyword_and_never_as_a_name() {
        for word in KEYWORDS {
            let whole = |rule: Rule, text: &str| {
                PolicyParser::parse(rule, text)
                    .ok()
                    .and_then(|mut p| p.next())
                    .is_some_and(|p| p.as_str() == text)
            };
            assert!(whole(Rule::keyword, word), "`{word}` is not a keyword");
            assert!(!whole(Rule::ident, word), "`{word}` reads as a name");
            for name in [format!("{word}_"), format!("{word}x"), format!("{word}2")] {
                assert!(
                    whole(Rule::ident, &name),
                    "`{name}` does not read as a name"
                );
                assert!(!whole(Rule::keyword, &name), "`{name}` reads as a keyword");
            }
        }
    }

    #[test]
    fn no_other_word_is_a_keyword() {
        for word in [
            "name",
            "next",
            "year",
            "gain",
            "loss",
            "held",
            "qualified",
            "school",
            "x",
        ] {
            let keyword = PolicyParser::parse(Rule::keyword, word).is_ok();
            assert!(!keyword, "`{word}` is a keyword but not in KEYWORDS");
        }
    }

    /// Month names are written once in Rust (`ast::MONTH_NAMES`); the grammar's `month` rule must
    /// read each, and each abbreviation the parser maps back to its number.
    #[test]
    fn the_grammar_reads_every_month_name() {
        for (i, name) in crate::syntax::ast::MONTH_NAMES.iter().enumerate() {
            let abbr = name.get(..3).unwrap_or_default();
            for text in [
                name.to_string(),
                abbr.to_string(),
                format!("{abbr}."),
                name.to_uppercase(),
            ] {
                let whole = PolicyParser::parse(Rule::month, &text)
                    .ok()
                    .and_then(|mut p| p.next())
                    .is_some_and(|p| p.as_str() == text);
                assert!(whole, "`{text}` is not read as a month");
            }
            let date = format!("const d = {abbr} 2, 2024");
            let Ok(file) = crate::syntax::parse(crate::syntax::FileId(0), &date) else {
                panic!("`{date}` does not parse");
            };
            let text = format!("{file:?}");
            assert!(
                text.contains(&format!("month: {},", i + 1)),
                "`{date}`: {text}"
            );
        }
    }

    #[test]
    fn grammar_md_lists_the_reserved_words() {
        let doc = include_str!("../../GRAMMAR.md");
        let Some(start) = doc.find("Reserved words:") else {
            panic!("GRAMMAR.md has no \"Reserved words:\" paragraph");
        };
        let rest = doc
            .get(start + "Reserved words:".len()..)
            .unwrap_or_default();
        let Some(end) = rest.find('.') else {
            panic!("the \"Reserved words:\" paragraph does not end with a period");
        };
        let listed: Vec<&str> = rest
            .get(..end)
            .unwrap_or_default()
            .split_whitespace()
            .collect();
        assert_eq!(listed, KEYWORDS);
    }
}
