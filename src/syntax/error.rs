//! Syntax errors: pest's failures turned into diagnostics with a span and a hint.

use miette::Diagnostic;
use pest::error::{ErrorVariant, InputLocation};
use thiserror::Error;

use super::keywords::{STATEMENT_WORDS, is_keyword};
use super::parse::Rule;
use super::span::{FileId, Span};

#[derive(Debug, Error, Diagnostic, Clone)]
pub enum SyntaxError {
    #[error("expected {expected}, found {found}")]
    #[diagnostic(code(mandate::syntax))]
    Expected {
        expected: String,
        found: String,
        #[help]
        help: Option<String>,
        file: FileId,
        #[label("here")]
        span: Span,
    },
    #[error("{message}")]
    #[diagnostic(code(mandate::syntax))]
    Custom {
        message: String,
        #[help]
        help: String,
        file: FileId,
        #[label("here")]
        span: Span,
    },
}

impl SyntaxError {
    pub fn file(&self) -> FileId {
        match self {
            SyntaxError::Expected { file, .. } | SyntaxError::Custom { file, .. } => *file,
        }
    }

    pub fn span(&self) -> Span {
        match self {
            SyntaxError::Expected { span, .. } | SyntaxError::Custom { span, .. } => *span,
        }
    }

    pub(crate) fn internal(file: FileId, at: usize, msg: impl Into<String>) -> Self {
        SyntaxError::Custom {
            message: msg.into(),
            help: "this is a bug in mandate's parser; please report it with the policy file".into(),
            file,
            span: Span::new(file, at, at),
        }
    }

    pub(crate) fn from_pest(file: FileId, text: &str, e: pest::error::Error<Rule>) -> Self {
        let at = match e.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((s, _)) => s,
        };
        let at = at.min(text.len());
        if let Some(e) = unclosed_string(file, text, at) {
            return e;
        }
        if let Some(e) = unclosed_block(file, text, at) {
            return e;
        }
        let (found, len) = describe_found(text, at);
        let span = Span::new(file, at, at + len);
        match e.variant {
            ErrorVariant::ParsingError {
                positives,
                negatives: _,
            } => {
                // Many kinds of literal at one place read better as "a value".
                let literals = positives.iter().filter(|r| is_literal(**r)).count();
                let mut names: Vec<&str> = positives
                    .iter()
                    .map(|r| {
                        if literals >= 3 && is_literal(*r) {
                            "a value"
                        } else {
                            group_name(*r)
                        }
                    })
                    .collect();
                names.sort_unstable();
                names.dedup();
                let rest = text.get(at..).unwrap_or("");
                let expected = if rest.starts_with('=')
                    && !rest.starts_with("==")
                    && positives.contains(&Rule::op_eq)
                {
                    // `level = elementary`: the one operator that was meant.
                    "`==`".to_string()
                } else {
                    join_or(&names)
                };
                let help = hint(&positives, text, at);
                SyntaxError::Expected {
                    expected,
                    found,
                    help,
                    file,
                    span,
                }
            }
            ErrorVariant::CustomError { message } => SyntaxError::Custom {
                message,
                help: "check the statement's syntax in GRAMMAR.md".into(),
                file,
                span,
            },
        }
    }
}

/// A `"` at `at` that no later `"` closes: the string runs to the end of the file.
fn unclosed_string(file: FileId, text: &str, at: usize) -> Option<SyntaxError> {
    let rest = text.get(at..)?;
    let body = rest.strip_prefix('"')?;
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '"' => return None,
            _ => {}
        }
    }
    let line_end = rest.find('\n').map(|i| at + i).unwrap_or(text.len());
    let end = at + text.get(at..line_end).unwrap_or("").trim_end().len();
    Some(SyntaxError::Custom {
        message: "this string is not closed".into(),
        help: "end the string with `\"`".into(),
        file,
        span: Span::new(file, at, end.max(at + 1)),
    })
}

/// Only blank lines and comments from `at` to the end of the file.
fn at_end(text: &str, at: usize) -> bool {
    text.get(at..).unwrap_or("").lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with("//")
    })
}

/// The file ends inside a `{ ... }` block: point at the `{` that is never closed.
fn unclosed_block(file: FileId, text: &str, at: usize) -> Option<SyntaxError> {
    if !at_end(text, at) {
        return None;
    }
    let b = *open_braces(text, at).last()?;
    Some(SyntaxError::Custom {
        message: "this `{` is never closed".into(),
        help: "add the `}` that ends the block".into(),
        file,
        span: Span::new(file, b, b + 1),
    })
}

fn is_literal(r: Rule) -> bool {
    matches!(
        r,
        Rule::literal
            | Rule::number
            | Rule::digits
            | Rule::percent
            | Rule::money
            | Rule::ratio
            | Rule::month
            | Rule::date
            | Rule::us_date
            | Rule::iso_date
            | Rule::month_date
            | Rule::date_range
            | Rule::range_days
            | Rule::range_months
            | Rule::range_dates
            | Rule::school_year
            | Rule::duration
            | Rule::boolean
            | Rule::string
    )
}

/// Byte offsets of the `{` still open at `at`, outside strings and comments, innermost last.
fn open_braces(text: &str, at: usize) -> Vec<usize> {
    let mut open = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < at {
        match bytes.get(i) {
            Some(b'"') => {
                i += 1;
                while let Some(&b) = bytes.get(i) {
                    match b {
                        b'\\' => i += 1,
                        b'"' => break,
                        _ => {}
                    }
                    i += 1;
                }
            }
            Some(b'/') if bytes.get(i + 1) == Some(&b'/') => {
                while let Some(&b) = bytes.get(i) {
                    if b == b'\n' {
                        break;
                    }
                    i += 1;
                }
            }
            Some(b'{') => open.push(i),
            Some(b'}') => {
                open.pop();
            }
            Some(_) => {}
            None => break,
        }
        i += 1;
    }
    open
}

/// 1-based line number of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).unwrap_or("").matches('\n').count() + 1
}

/// A hint when the parser stops at a statement keyword or at the end of the file inside a block:
/// the block before was not closed, or the statement before was not finished.
fn unfinished(expected: &[Rule], text: &str, at: usize, word: &str) -> Option<String> {
    let starts_statement = STATEMENT_WORDS.contains(&word);
    let statement_expected = expected
        .iter()
        .any(|r| matches!(r, Rule::modal | Rule::kw_measure | Rule::kw_include));
    let open = open_braces(text, at);
    if !starts_statement || statement_expected {
        return None;
    }
    let innermost = open.last().copied();
    let in_section = innermost.is_some_and(|b| {
        let line_start = text
            .get(..b)
            .and_then(|t| t.rfind('\n'))
            .map(|i| i + 1)
            .unwrap_or(0);
        text.get(line_start..b)
            .is_some_and(|l| l.trim_start().starts_with("section"))
    });
    match innermost {
        Some(b) if !in_section => Some(format!(
            "the `{{` on line {} is not closed: is a `}}` missing before this line?",
            line_of(text, b),
        )),
        _ => Some(format!(
            "`{word}` starts a new statement, but the one before it is not finished"
        )),
    }
}

/// What the parser found at `at`: a word, a symbol, or the end of the file.
fn describe_found(text: &str, at: usize) -> (String, usize) {
    let rest = text.get(at..).unwrap_or("");
    let Some(first) = rest.chars().next() else {
        return ("the end of the file".into(), 0);
    };
    if first == '\n' || first == '\r' {
        return ("the end of the line".into(), first.len_utf8());
    }
    let word: String = if first.is_alphanumeric() || first == '_' {
        rest.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    } else {
        first.to_string()
    };
    let len = word.len();
    (format!("`{word}`"), len)
}

fn join_or(names: &[&str]) -> String {
    match names {
        [] => "something else".into(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Rules that start a statement, or that are operators, are reported as one group so an "expected"
/// list stays short.
fn group_name(r: Rule) -> &'static str {
    match r {
        Rule::kw_type
        | Rule::kw_set
        | Rule::kw_const
        | Rule::kw_record
        | Rule::kw_measure
        | Rule::kw_category
        | Rule::kw_window
        | Rule::modal => "a statement",
        Rule::op_or
        | Rule::op_and
        | Rule::op_eq
        | Rule::op_ne
        | Rule::op_le
        | Rule::op_ge
        | Rule::op_lt
        | Rule::op_gt
        | Rule::op_in
        | Rule::op_not_in
        | Rule::op_add
        | Rule::op_sub
        | Rule::op_mul
        | Rule::op_div => "an operator",
        other => rule_name(other),
    }
}

/// A hint for the common mistakes.
fn hint(expected: &[Rule], text: &str, at: usize) -> Option<String> {
    let rest = text.get(at..).unwrap_or("");
    let word: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if rest.starts_with('=') && expected.contains(&Rule::op_eq) {
        return Some(
            "compare with `==`; a single `=` only follows the name a statement defines".into(),
        );
    }
    // After a number, the word is read as its unit before anything else: `10 wekks`, `10 school days`.
    let after_number = text
        .get(..at)
        .map(|t| t.trim_end_matches([' ', '\t']))
        .is_some_and(|t| t.ends_with(|c: char| c.is_ascii_digit()) && t.len() < at);
    if after_number && expected.contains(&Rule::duration_unit) && !word.is_empty() {
        const UNITS: &[&str] = &["days", "weeks", "months", "years", "weekdays"];
        let school = word.eq_ignore_ascii_case("school") || word.starts_with("schol");
        return Some(match crate::suggest::closest(&word, UNITS) {
            _ if school => "after a number, a unit: did you mean `school days`?".to_string(),
            Some(u) => format!("after a number, a unit: did you mean `{u}`?"),
            None => format!(
                "after a number, a unit: `days`, `weeks`, `months`, `years`, `school days` or \
                 `weekdays`; `{word}` is not one"
            ),
        });
    }
    if let Some(h) = unfinished(expected, text, at, &word) {
        return Some(h);
    }
    if expected.contains(&Rule::ident) && is_keyword(&word) {
        return Some(format!(
            "`{word}` is a reserved word; choose another name, such as `{word}_`"
        ));
    }
    if expected.contains(&Rule::modal) || expected.contains(&Rule::kw_measure) {
        if let Some(k) = crate::suggest::closest(&word, STATEMENT_WORDS) {
            return Some(format!("did you mean `{k}`?"));
        }
        return Some(
            "a statement starts with type, set, const, record, measure, category, window, or a \
             modal verb (must, shall, required, should, may)"
                .into(),
        );
    }
    if expected.iter().any(|r| {
        matches!(
            r,
            Rule::month
                | Rule::month_date
                | Rule::range_days
                | Rule::range_months
                | Rule::window_spec
        )
    }) && let Some(m) = crate::suggest::closest(&word, crate::syntax::ast::MONTH_NAMES.iter())
    {
        return Some(format!("did you mean `{m}`?"));
    }
    if expected.contains(&Rule::string) && rest.starts_with('\'') {
        return Some("strings use double quotes: \"...\"".into());
    }
    None
}

/// A readable name for every grammar rule, used in "expected ..." messages. The match is exhaustive,
/// so a new rule cannot print as its Rust name.
pub fn rule_name(r: Rule) -> &'static str {
    match r {
        Rule::EOI => "the end of the file",
        Rule::WHITESPACE | Rule::sp | Rule::br => "a space",
        Rule::COMMENT => "a comment",
        Rule::ident_char => "a letter, digit or `_`",
        Rule::date => "a date",
        Rule::date_range | Rule::literal => "a value",
        Rule::set_elem => "a set member",
        Rule::type_value => "a value",
        Rule::field_columns => "column names in quotes",
        Rule::paren | Rule::atom | Rule::prefix => "an expression",
        Rule::infix => "an operator",
        Rule::assertion | Rule::each_test => "a rule body",
        Rule::statement
        | Rule::plain_statement
        | Rule::type_decl
        | Rule::set_decl
        | Rule::const_decl
        | Rule::record_decl
        | Rule::measure_decl
        | Rule::category_decl
        | Rule::window_decl
        | Rule::rule_decl
        | Rule::modal => "a statement",
        Rule::item => "a statement, `include`, `guide` or `section`",
        Rule::keyword => "a keyword",
        Rule::ident => "a name",
        Rule::guide_id => "a guide number such as `REF-1028.19`",
        Rule::string => "a quoted string",
        Rule::string_raw => "string text",
        Rule::digits => "digits",
        Rule::number => "a number",
        Rule::percent => "a percentage such as `70%`",
        Rule::money => "an amount such as `$500,000` or `$5,000.50`",
        Rule::ratio => "a ratio such as `60:40`",
        Rule::month => "a month name",
        Rule::us_date => "a date such as `1/31/2024`",
        Rule::iso_date => "a date such as `2024-01-31`",
        Rule::month_date => "a date such as `January 31, 2024`",
        Rule::range_days => "a date range such as `November 13-17, 2023`",
        Rule::range_months => "a date range such as `November 28 - December 2, 2023`",
        Rule::range_dates => "a date range such as `11/13/2023 .. 11/17/2023`",
        Rule::school_year => "a school year such as `2023-2024`",
        Rule::duration => "a duration such as `5 weeks`",
        Rule::duration_unit => "`days`, `weeks`, `months`, `years` or `weekdays`",
        Rule::boolean => "`true` or `false`",
        Rule::path => "a field such as `record.field`",
        Rule::set_lit => "a set such as `{a, b}`",
        Rule::agg_fn => "`count`, `sum`, `min` or `max`",
        Rule::distinct => "`distinct`",
        Rule::aggregate => "an aggregation such as `count student`",
        Rule::where_clause => "`where`",
        Rule::op_or => "`or`",
        Rule::op_and => "`and`",
        Rule::op_not => "`not`",
        Rule::op_not_in => "`not in`",
        Rule::op_in => "`in`",
        Rule::op_eq => "`==`",
        Rule::op_ne => "`!=`",
        Rule::op_le => "`<=`",
        Rule::op_ge => "`>=`",
        Rule::op_lt => "`<`",
        Rule::op_gt => "`>`",
        Rule::op_add => "`+`",
        Rule::op_sub => "`-`",
        Rule::op_mul => "`*`",
        Rule::op_div => "`/`",
        Rule::expr => "an expression",
        Rule::include => "`include`",
        Rule::include_pin => "`pinned \"sha256:...\"`",
        Rule::replace_decl => "`replace`",
        Rule::guide => "`guide`",
        Rule::guide_entry => "a guide entry such as `year 2023-2024`",
        Rule::section => "`section`",
        Rule::for_clause => "`for`",
        Rule::record_key => "`key`",
        Rule::record_dating => "`dated by` or `not dated`",
        Rule::field_decl => "a field such as `name: text`",
        Rule::field_flag => "`optional` or `private`",
        Rule::per_clause => "`per`",
        Rule::rounding => "`exact` or `rounded to ...`",
        Rule::exact => "`exact`",
        Rule::rounded => "`rounded to`",
        Rule::category_entry => "a category entry such as `gain next year`",
        Rule::category_value => "a value",
        Rule::next_year => "`next year`",
        Rule::notice => "`after N years notice`",
        Rule::notice_years => "a duration such as `2 years`",
        Rule::effective => "`effective next year` or `effective this year`",
        Rule::effective_when => "`next year` or `this year`",
        Rule::window_case => "`when CONDITION: WINDOW`",
        Rule::window_spec => "a date range or `from`/`after`/`by`/`before` bounds",
        Rule::bound => "a bound such as `before DATE`",
        Rule::bound_kw => "`from`, `after`, `by` or `before`",
        Rule::each_check => "`each`",
        Rule::within_test => "`within`",
        Rule::within_of_test => "`within 30 days of FIELD`",
        Rule::school_day_unit => "`school days`",
        Rule::non_school_days => "`non_school_days { DATES }`",
        Rule::nsd_entry => "a date or a date range",
        Rule::some_word => "`some`",
        Rule::kw_non_school_days => "`non_school_days`",
        Rule::row_state => "`late`, `pending` or `overdue`",
        Rule::not_on_test => "`not on`",
        Rule::on_test => "`on`",
        Rule::year_end => "`end of school year of`",
        Rule::compare_test => "a comparison",
        Rule::missing => "`missing`",
        Rule::absent => "`or missing` or `and not missing`",
        Rule::deadline_check => "a deadline such as `some R has F by DATE`",
        Rule::retain_check => "`retain`",
        Rule::file => "a policy file",
        Rule::kw_include => "`include`",
        Rule::kw_guide => "`guide`",
        Rule::kw_section => "`section`",
        Rule::kw_for => "`for`",
        Rule::kw_type => "`type`",
        Rule::kw_set => "`set`",
        Rule::kw_const => "`const`",
        Rule::kw_record => "`record`",
        Rule::kw_key => "`key`",
        Rule::kw_dated => "`dated`",
        Rule::kw_measure => "`measure`",
        Rule::kw_per => "`per`",
        Rule::kw_rounded => "`rounded`",
        Rule::kw_to => "`to`",
        Rule::kw_category => "`category`",
        Rule::kw_when => "`when`",
        Rule::kw_window => "`window`",
        Rule::kw_each => "`each`",
        Rule::kw_where => "`where`",
        Rule::kw_has => "`has`",
        Rule::kw_within => "`within`",
        Rule::kw_not => "`not`",
        Rule::kw_on => "`on`",
        Rule::kw_by => "`by`",
        Rule::kw_retain => "`retain`",
        Rule::kw_from => "`from`",
        Rule::kw_until => "`until`",
        Rule::kw_of => "`of`",
        Rule::kw_next => "`next`",
        Rule::kw_year => "`year`",
        Rule::kw_replace => "`replace`",
        Rule::kw_pinned => "`pinned`",
    }
}
