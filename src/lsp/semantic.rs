//! Semantic tokens: the literals the checker reads (dates and ranges, percentages, ratios,
//! durations, school years, numbers, money) found in the AST, so an editor colours what the language
//! reads and not what a pattern guesses.

use lsp_types::{SemanticToken, SemanticTokenType, SemanticTokensLegend};

use super::analysis::Analysis;
use crate::syntax::ast::{
    Assertion, CategoryValue, EachTest, Expr, ExprKind, GuideValue, Item, Literal, Stmt, WindowSpec,
};
use crate::syntax::span::Span;

/// The token types, by index: the legend the server announces.
pub const TYPES: [&str; 6] = [
    "date",
    "percentage",
    "ratio",
    "duration",
    "schoolYear",
    "number",
];

pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: TYPES.iter().map(|t| SemanticTokenType::new(t)).collect(),
        token_modifiers: Vec::new(),
    }
}

fn kind(l: &Literal) -> Option<u32> {
    match l {
        Literal::Date(_) | Literal::Range(..) => Some(0),
        Literal::Percent(_) => Some(1),
        Literal::Ratio(..) => Some(2),
        Literal::Duration(_) => Some(3),
        Literal::SchoolYear(..) => Some(4),
        Literal::Number(_) => Some(5),
        Literal::Money(_) => Some(6),
        Literal::Str(_) | Literal::Bool(_) => None,
    }
}

fn expr(e: &Expr, out: &mut Vec<(Span, u32)>) {
    e.walk(|e| {
        if let ExprKind::Lit(l) = &e.kind
            && let Some(k) = kind(l)
        {
            out.push((e.span, k));
        }
    });
}

fn stmt(s: &Stmt, out: &mut Vec<(Span, u32)>) {
    // What is not an expression: notice years, a window's ranges, a rule's periods.
    match s {
        Stmt::Category(d) => {
            for e in &d.entries {
                if let CategoryValue::Notice(n, _) = &e.value {
                    out.push((n.span, 3));
                }
            }
        }
        Stmt::Window(w) => {
            for c in &w.cases {
                if let WindowSpec::Range(r) = &c.spec
                    && let Some(k) = kind(&r.node)
                {
                    out.push((r.span, k));
                }
            }
        }
        Stmt::Rule(r) => match &r.assertion {
            Assertion::Each {
                test: EachTest::WithinOf { period, .. },
                ..
            }
            | Assertion::Retain { period, .. } => out.push((period.span, 3)),
            _ => {}
        },
        _ => {}
    }
    for e in s.exprs() {
        expr(e, out);
    }
}

/// The root document's tokens, in the protocol's relative encoding. A literal written over
/// several lines is left to the grammar.
pub fn tokens(a: &Analysis) -> Vec<SemanticToken> {
    let Some((_, ast)) = a.loaded.files.iter().find(|(id, _)| *id == a.root) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for item in &ast.items {
        match item {
            Item::Stmt(s) => stmt(s, &mut found),
            Item::Section(sec) => {
                if let Some(e) = &sec.applies {
                    expr(e, &mut found);
                }
                for s in &sec.stmts {
                    stmt(s, &mut found);
                }
            }
            Item::Guide(g) => {
                for e in &g.entries {
                    if let GuideValue::Lit(l) = &e.value
                        && let Some(k) = kind(&l.node)
                    {
                        found.push((l.span, k));
                    }
                }
            }
            Item::Include(_) => {}
        }
    }
    found.sort_by_key(|(s, _)| (s.start, s.end));
    let mut out = Vec::new();
    let (mut line, mut col) = (0u32, 0u32);
    let mut last_end = 0;
    for (span, k) in found {
        if span.start < last_end {
            continue;
        }
        let range = a.range(span);
        if range.start.line != range.end.line {
            continue;
        }
        let delta_line = range.start.line - line;
        let delta_start = if delta_line == 0 {
            range.start.character - col
        } else {
            range.start.character
        };
        out.push(SemanticToken {
            delta_line,
            delta_start,
            length: range.end.character - range.start.character,
            token_type: k,
            token_modifiers_bitset: 0,
        });
        line = range.start.line;
        col = range.start.character;
        last_end = span.end;
    }
    out
}
