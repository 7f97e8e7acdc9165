//! How each part of a statement is written: window cases, assertions, guide ids, expressions with
//! only the parentheses they need, literals as the guides print them.

use super::*;

pub(super) fn window_case(c: &WindowCase) -> String {
    match &c.when {
        Some(w) => format!("when {}: {}", expr(w), window_spec(&c.spec)),
        None => window_spec(&c.spec),
    }
}

pub(super) fn window_spec(s: &WindowSpec) -> String {
    match s {
        WindowSpec::Range(l) => literal(&l.node),
        WindowSpec::Bounds { lower, upper } => [lower, upper]
            .into_iter()
            .flatten()
            .map(|b| format!("{} {}", b.kind.node.word(), expr(&b.expr)))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

fn where_clause(filter: &Option<Expr>) -> String {
    match filter {
        Some(f) => format!(" where {}", expr(f)),
        None => String::new(),
    }
}

pub(super) fn assertion(a: &Assertion) -> String {
    match a {
        Assertion::Holds(e) => expr(e),
        Assertion::Each {
            record,
            filter,
            field,
            test,
            absent,
            ..
        } => {
            let test = match test {
                EachTest::Within(w) => format!("within {}", w.name),
                EachTest::WithinOf { period, from } => {
                    format!("within {} of {}", period.node, from.name)
                }
                EachTest::NotOn {
                    record,
                    field,
                    filter,
                    negated,
                } => format!(
                    "{}on {}.{}{}",
                    if *negated { "not " } else { "" },
                    record.name,
                    field.name,
                    where_clause(filter)
                ),
                EachTest::Compare(op, e) => format!("{} {}", op.node.symbol(), expr(e)),
            };
            let absent = absent
                .as_ref()
                .map(|a| format!(" {}", a.node.words()))
                .unwrap_or_default();
            format!(
                "each {}{} has {} {}{absent}",
                record.name,
                where_clause(filter),
                field.name,
                test
            )
        }
        // `some` is written whether or not it was: the old form means the same.
        Assertion::Deadline {
            record,
            filter,
            field,
            due,
            ..
        } => format!(
            "some {}{} has {} by {}",
            record.name,
            where_clause(filter),
            field.name,
            expr(due)
        ),
        Assertion::Retain {
            record,
            period,
            from,
            year_end,
            until,
            ..
        } => {
            let mut text = format!(
                "retain {} for {} from {}{}",
                record.name,
                period.node,
                if *year_end {
                    "end of school year of "
                } else {
                    ""
                },
                from.name
            );
            if let Some(u) = until {
                text.push_str(" until ");
                text.push_str(&u.name);
            }
            text
        }
    }
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !is_keyword(s)
}

/// Whether `s` reads as a `guide_id` token: `REF-1028.19`.
pub(super) fn is_guide_id(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if !first.is_ascii_alphabetic() {
        return false;
    }
    let head_len = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    let Some(rest) = s.get(head_len..) else {
        return false;
    };
    if rest.is_empty() {
        return false;
    }
    // `rest` is one or more groups: a `-` or `.`, then letters and digits.
    let mut after_sep = false;
    let mut seen_sep = false;
    for c in rest.chars() {
        if c == '-' || c == '.' {
            if seen_sep && after_sep {
                return false;
            }
            seen_sep = true;
            after_sep = true;
        } else if c.is_ascii_alphanumeric() {
            after_sep = false;
        } else {
            return false;
        }
    }
    seen_sep && !after_sep
}

pub(super) fn guide_id(id: &str) -> String {
    if is_guide_id(id) || is_ident(id) {
        id.to_string()
    } else {
        string(id)
    }
}

// ───────────────────────────── expressions ─────────────────────────────

const PREC_NOT: u8 = 3;
const PREC_ATOM: u8 = 10;

fn binary_prec(op: BinOp) -> u8 {
    match op {
        BinOp::Or => 1,
        BinOp::And => 2,
        BinOp::Eq
        | BinOp::Ne
        | BinOp::Lt
        | BinOp::Le
        | BinOp::Gt
        | BinOp::Ge
        | BinOp::In
        | BinOp::NotIn => 4,
        BinOp::Add | BinOp::Sub => 5,
        BinOp::Mul | BinOp::Div => 6,
    }
}

fn prec(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary(op, ..) => binary_prec(op.node),
        ExprKind::Not(_) => PREC_NOT,
        _ => PREC_ATOM,
    }
}

/// An aggregate with a `where` filter: the filter runs to the end of the expression.
fn has_filter(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Agg(a) if a.filter.is_some())
}

/// Whether the left operand of `op` needs parentheses. A left operand never ends an expression.
fn left_parens(op: BinOp, l: &Expr) -> bool {
    prec(l) < binary_prec(op) || has_filter(l)
}

/// Whether the right operand of `op` needs parentheses; `tail`: the operation ends the expression.
fn right_parens(op: BinOp, l: &Expr, r: &Expr, tail: bool) -> bool {
    prec(r) <= binary_prec(op)
        || (has_filter(r) && !tail)
        || (op == BinOp::Sub && ends_with_date(l, false) && starts_with_date(r))
}

fn not_parens(inner: &Expr, tail: bool) -> bool {
    prec(inner) < PREC_NOT || (has_filter(inner) && !tail)
}

/// Whether `e`, printed without parentheses around it, ends with a single date.
fn ends_with_date(e: &Expr, tail: bool) -> bool {
    match &e.kind {
        ExprKind::Lit(Literal::Date(_)) => true,
        ExprKind::Binary(op, l, r) => !right_parens(op.node, l, r, tail) && ends_with_date(r, tail),
        ExprKind::Not(i) => !not_parens(i, tail) && ends_with_date(i, tail),
        ExprKind::Agg(a) => a.filter.as_deref().is_some_and(|f| ends_with_date(f, true)),
        _ => false,
    }
}

/// Whether `e`, printed without parentheses around it, starts with a date.
fn starts_with_date(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Lit(Literal::Date(_))
        | ExprKind::Lit(Literal::Range(_, _, RangeStyle::Dash | RangeStyle::Dots)) => true,
        ExprKind::Binary(op, l, _) => !left_parens(op.node, l) && starts_with_date(l),
        _ => false,
    }
}

/// An expression as a whole (nothing follows it but a keyword, `{`, `:` or a string).
pub(super) fn expr(e: &Expr) -> String {
    let mut out = String::new();
    write_expr(&mut out, e, true);
    out
}

fn write_child(out: &mut String, e: &Expr, parens: bool, tail: bool) {
    if parens {
        out.push('(');
        write_expr(out, e, true);
        out.push(')');
    } else {
        write_expr(out, e, tail);
    }
}

/// `tail`: nothing of this expression's follows `e`.
fn write_expr(out: &mut String, e: &Expr, tail: bool) {
    match &e.kind {
        ExprKind::Lit(l) => out.push_str(&literal(l)),
        ExprKind::Name(n) => out.push_str(&n.name),
        ExprKind::Path(a, b) => {
            out.push_str(&a.name);
            out.push('.');
            out.push_str(&b.name);
        }
        ExprKind::Set(members) => {
            out.push('{');
            for (i, m) in members.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_expr(out, m, true);
            }
            out.push('}');
        }
        ExprKind::Not(inner) => {
            out.push_str("not ");
            write_child(out, inner, not_parens(inner, tail), tail);
        }
        ExprKind::Binary(op, l, r) => {
            write_child(out, l, left_parens(op.node, l), false);
            out.push(' ');
            out.push_str(op.node.symbol());
            out.push(' ');
            write_child(out, r, right_parens(op.node, l, r, tail), tail);
        }
        ExprKind::Missing => out.push_str("missing"),
        ExprKind::Agg(a) => {
            out.push_str(a.func.node.word());
            if a.distinct {
                out.push_str(" distinct");
            }
            out.push(' ');
            out.push_str(&a.record.name);
            if let Some(f) = &a.field {
                out.push('.');
                out.push_str(&f.name);
            }
            if let Some(s) = &a.state {
                out.push(' ');
                out.push_str(s.node.word());
            }
            if let Some(f) = &a.filter {
                out.push_str(" where ");
                // Parentheses written around a filter of more than one term say where it ends
                // (`filter_parens` is only set for such a filter).
                write_child(out, f, a.filter_parens, true);
            }
        }
    }
}

// ───────────────────────────── literals ─────────────────────────────

fn month_name(m: u32) -> String {
    m.checked_sub(1)
        .and_then(|i| usize::try_from(i).ok())
        .and_then(|i| crate::syntax::ast::MONTH_NAMES.get(i))
        .map_or_else(|| m.to_string(), |s| (*s).to_string())
}

/// The year with as many digits as it was written with.
pub(super) fn year(d: &DateLit) -> String {
    let width = usize::try_from(d.year_digits).unwrap_or(0);
    format!("{:0width$}", d.year)
}

pub(super) fn date(d: &DateLit) -> String {
    match d.style {
        DateStyle::Us => format!("{}/{}/{}", d.month, d.day, year(d)),
        DateStyle::Iso => format!("{}-{:02}-{:02}", year(d), d.month, d.day),
        DateStyle::Long => format!("{} {}, {}", month_name(d.month), d.day, year(d)),
    }
}

/// A value or field with the other names the policy gives it: `black ("African American")`.
pub(super) fn with_names(name: &str, names: &[crate::syntax::ast::Spanned<String>]) -> String {
    if names.is_empty() {
        return name.to_string();
    }
    let names: Vec<String> = names.iter().map(|n| string(&n.node)).collect();
    format!("{name} ({})", names.join(", "))
}

pub(super) fn string(s: &str) -> String {
    format!("\"{}\"", escape(s))
}

pub(super) fn literal(l: &Literal) -> String {
    match l {
        Literal::Number(d) => d.to_string(),
        Literal::Percent(d) => format!("{d}%"),
        Literal::Money(d) => money(*d),
        Literal::Ratio(a, b) => format!("{a}:{b}"),
        Literal::Date(d) => date(d),
        Literal::Range(a, b, style) => match style {
            RangeStyle::Days => {
                format!("{} {}-{}, {}", month_name(a.month), a.day, b.day, year(a))
            }
            RangeStyle::Months => format!(
                "{} {} - {} {}, {}",
                month_name(a.month),
                a.day,
                month_name(b.month),
                b.day,
                year(a)
            ),
            RangeStyle::Dash => format!("{} - {}", date(a), date(b)),
            RangeStyle::Dots => format!("{} .. {}", date(a), date(b)),
        },
        Literal::Duration(d) => d.to_string(),
        Literal::SchoolYear(a, b) => format!("{a}-{b}"),
        Literal::Str(s) => string(s),
        Literal::Bool(b) => b.to_string(),
    }
}

/// An amount as the guides print it: `$500,000`, `$5,000.50`.
fn money(d: crate::syntax::ast::Decimal) -> String {
    let text = d.to_string();
    let (whole, cents) = text.split_once('.').unwrap_or((text.as_str(), ""));
    let mut out = format!("${}", crate::syntax::ast::group_thousands(whole));
    if !cents.is_empty() {
        out.push('.');
        out.push_str(cents);
    }
    out
}
