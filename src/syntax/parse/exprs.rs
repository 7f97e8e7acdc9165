//! Expressions (with the Pratt parser for operators) and literals: numbers, durations, dates.

use pest::iterators::Pair;

use super::*;

impl Builder<'_> {
    pub(super) fn expr(&self, p: Pair<Rule>) -> R<Expr> {
        let too_long = |span: Span| SyntaxError::Custom {
            message: "this expression is too long".into(),
            help: format!(
                "an expression is at most {MAX_DEPTH} operators deep; give parts of it names \
                 with `measure`, and write a long list of `or`s as `FIELD in {{a, b, c}}`"
            ),
            file: self.file,
            span: first_line(self.text, span),
        };
        // Counted on the flat list of operands and operators, before a tree is built: a tree
        // of 150,000 operators would overflow the stack when it is dropped.
        let operators = p
            .clone()
            .into_inner()
            .filter(|q| binop(q.as_rule()).is_some())
            .count();
        if operators > MAX_DEPTH {
            return Err(too_long(self.span(&p)));
        }
        let e = self.expr_tree(p)?;
        if depth(&e) > MAX_DEPTH {
            return Err(too_long(e.span));
        }
        Ok(e)
    }

    fn expr_tree(&self, p: Pair<Rule>) -> R<Expr> {
        let pairs: Pairs<Rule> = p.into_inner();
        pratt()
            .map_primary(|a| self.atom(a))
            .map_prefix(|op, rhs| {
                let rhs = rhs?;
                let span = self.span(&op).to(rhs.span);
                Ok(Expr {
                    kind: ExprKind::Not(Box::new(rhs)),
                    span,
                })
            })
            .map_infix(|lhs, op, rhs| {
                let (lhs, rhs) = (lhs?, rhs?);
                let node = binop(op.as_rule()).ok_or_else(|| self.unexpected(&op))?;
                let span = lhs.span.to(rhs.span);
                Ok(Expr {
                    kind: ExprKind::Binary(
                        Spanned {
                            node,
                            span: self.span(&op),
                        },
                        Box::new(lhs),
                        Box::new(rhs),
                    ),
                    span,
                })
            })
            .parse(pairs)
    }

    pub(super) fn atom(&self, p: Pair<Rule>) -> R<Expr> {
        let span = self.span(&p);
        let kind = match p.as_rule() {
            Rule::expr => return self.expr(p),
            Rule::paren => {
                let inner = self.next_pair(&mut p.into_inner(), span)?;
                let mut e = self.expr(inner)?;
                e.span = span;
                return Ok(e);
            }
            Rule::ident => ExprKind::Name(self.ident(p)),
            Rule::missing => ExprKind::Missing,
            Rule::path => {
                let (a, b) = self.path(p)?;
                ExprKind::Path(a, b)
            }
            Rule::set_lit => ExprKind::Set(
                self.children(p)
                    .into_iter()
                    .map(|m| self.atom(m))
                    .collect::<R<Vec<_>>>()?,
            ),
            Rule::aggregate => {
                let mut c = self.children(p).into_iter().peekable();
                let f = self.next_pair(&mut c, span)?;
                let func = Spanned {
                    span: self.span(&f),
                    node: match f.as_str() {
                        "count" => AggFn::Count,
                        "sum" => AggFn::Sum,
                        "min" => AggFn::Min,
                        "max" => AggFn::Max,
                        _ => return Err(self.unexpected(&f)),
                    },
                };
                let mut distinct = false;
                if let Some(n) = c.peek()
                    && n.as_rule() == Rule::distinct
                {
                    distinct = true;
                    c.next();
                }
                let target = self.next_pair(&mut c, span)?;
                let (record, field) = match target.as_rule() {
                    Rule::path => {
                        let (a, b) = self.path(target)?;
                        (a, Some(b))
                    }
                    _ => (self.ident(target), None),
                };
                let mut state = None;
                if let Some(n) = c.peek()
                    && n.as_rule() == Rule::row_state
                {
                    let sspan = self.span(n);
                    let node = match n.as_str() {
                        "late" => RowState::Late,
                        "pending" => RowState::Pending,
                        _ => RowState::Overdue,
                    };
                    state = Some(Spanned { node, span: sspan });
                    c.next();
                }
                // `where (a and b)`: a filter of more than one term written in parentheses.
                let filter_parens = c.peek().is_some_and(|w| {
                    let inner: Vec<Pair<Rule>> = w
                        .clone()
                        .into_inner()
                        .filter(|x| x.as_rule() == Rule::expr)
                        .flat_map(|x| x.into_inner())
                        .collect();
                    matches!(inner.as_slice(), [only] if only.as_rule() == Rule::paren)
                });
                let filter = self.where_clause(&mut c, span)?.map(Box::new);
                let filter_parens = filter_parens
                    && filter
                        .as_deref()
                        .is_some_and(|f| matches!(f.kind, ExprKind::Binary(..)));
                ExprKind::Agg(Aggregate {
                    func,
                    distinct,
                    record,
                    field,
                    filter,
                    filter_parens,
                    state,
                })
            }
            _ => ExprKind::Lit(self.literal(p)?.node),
        };
        Ok(Expr { kind, span })
    }

    fn int(&self, p: &Pair<Rule>) -> R<i64> {
        p.as_str().parse::<i64>().map_err(|_| SyntaxError::Custom {
            message: format!("the number `{}` is too large", p.as_str()),
            help: "numbers in a policy are at most 18 digits long".into(),
            file: self.file,
            span: self.span(p),
        })
    }

    fn small(&self, p: &Pair<Rule>) -> R<u32> {
        let n = self.int(p)?;
        u32::try_from(n).map_err(|_| SyntaxError::Custom {
            message: format!("the number `{}` is too large here", p.as_str()),
            help: "a month or day is at most two digits".into(),
            file: self.file,
            span: self.span(p),
        })
    }

    fn decimal(&self, p: &Pair<Rule>) -> R<Decimal> {
        let s = p.as_str();
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        let too_long = || SyntaxError::Custom {
            message: format!("the number `{s}` has too many digits"),
            help: "numbers in a policy are at most 18 digits long".into(),
            file: self.file,
            span: self.span(p),
        };
        let scale = u32::try_from(frac.len()).map_err(|_| too_long())?;
        let digits = format!("{whole}{frac}")
            .parse::<i64>()
            .map_err(|_| too_long())?;
        if 10i64.checked_pow(scale).is_none() {
            return Err(too_long());
        }
        Ok(Decimal { digits, scale })
    }

    pub(super) fn duration(&self, p: Pair<Rule>) -> R<Duration> {
        let span = self.span(&p);
        let mut c = p.into_inner();
        let n = self.int(&self.next_pair(&mut c, span)?)?;
        let u = self.next_pair(&mut c, span)?;
        let word = u.as_str();
        let unit = match word.trim_end_matches('s') {
            _ if u.as_rule() == Rule::school_day_unit => DurationUnit::SchoolDay,
            "weekday" => DurationUnit::Weekday,
            "day" => DurationUnit::Day,
            "week" => DurationUnit::Week,
            "month" => DurationUnit::Month,
            "year" => DurationUnit::Year,
            _ => return Err(self.unexpected(&u)),
        };
        Ok(Duration { n, unit })
    }

    fn month(&self, p: &Pair<Rule>) -> R<u32> {
        let m = p.as_str().trim_end_matches('.').to_ascii_lowercase();
        let prefix = m.get(..3).unwrap_or("");
        MONTH_NAMES
            .iter()
            .position(|x| x.get(..3).is_some_and(|x| x.eq_ignore_ascii_case(prefix)))
            .and_then(|i| u32::try_from(i + 1).ok())
            .ok_or_else(|| self.unexpected(p))
    }

    fn year(&self, p: &Pair<Rule>) -> R<(i64, u32)> {
        let y = self.int(p)?;
        Ok((y, u32::try_from(p.as_str().len()).unwrap_or(u32::MAX)))
    }

    pub(super) fn date(&self, p: Pair<Rule>) -> R<DateLit> {
        let span = self.span(&p);
        let rule = p.as_rule();
        let c: Vec<Pair<Rule>> = p.into_inner().collect();
        let [a, b, y] = c.as_slice() else {
            return Err(SyntaxError::internal(
                self.file,
                span.start,
                "a date has three parts",
            ));
        };
        Ok(match rule {
            Rule::us_date => {
                let (year, year_digits) = self.year(y)?;
                DateLit {
                    year,
                    month: self.small(a)?,
                    day: self.small(b)?,
                    style: DateStyle::Us,
                    year_digits,
                }
            }
            Rule::iso_date => {
                let (year, year_digits) = self.year(a)?;
                DateLit {
                    year,
                    month: self.small(b)?,
                    day: self.small(y)?,
                    style: DateStyle::Iso,
                    year_digits,
                }
            }
            Rule::month_date => {
                let (year, year_digits) = self.year(y)?;
                DateLit {
                    year,
                    month: self.month(a)?,
                    day: self.small(b)?,
                    style: DateStyle::Long,
                    year_digits,
                }
            }
            _ => return Err(SyntaxError::internal(self.file, span.start, "not a date")),
        })
    }

    pub(super) fn literal(&self, p: Pair<Rule>) -> R<Spanned<Literal>> {
        let span = self.span(&p);
        let rule = p.as_rule();
        let node = match rule {
            Rule::number => Literal::Number(self.decimal(&p)?),
            Rule::money => {
                let text = p.as_str();
                let plain = text.trim_start_matches('$');
                let (whole, cents) = plain.split_once('.').unwrap_or((plain, ""));
                let too_long = || SyntaxError::Custom {
                    message: format!("the amount `{text}` has too many digits"),
                    help: "amounts in a policy are at most 16 digits of dollars".into(),
                    file: self.file,
                    span,
                };
                let groups: Vec<&str> = whole.split(',').collect();
                let grouped = groups.len() == 1
                    || groups.iter().enumerate().all(|(i, g)| {
                        if i == 0 {
                            (1..=3).contains(&g.len())
                        } else {
                            g.len() == 3
                        }
                    });
                if !grouped || !(cents.is_empty() || cents.len() == 2) {
                    return Err(SyntaxError::Custom {
                        message: format!("`{text}` is not an amount as printed"),
                        help: "write dollars with commas between groups of three digits and, if \
                               any, two digits of cents: `$500,000`, `$5,000.50`"
                            .into(),
                        file: self.file,
                        span,
                    });
                }
                let whole: String = groups.concat();
                let digits = format!("{whole}{cents}")
                    .parse::<i64>()
                    .map_err(|_| too_long())?;
                let scale = u32::try_from(cents.len()).map_err(|_| too_long())?;
                Literal::Money(Decimal { digits, scale })
            }
            Rule::percent => {
                let n = self.next_pair(&mut p.into_inner(), span)?;
                Literal::Percent(self.decimal(&n)?)
            }
            Rule::ratio => {
                let mut c = p.into_inner();
                let a = self.int(&self.next_pair(&mut c, span)?)?;
                let b = self.int(&self.next_pair(&mut c, span)?)?;
                Literal::Ratio(a, b)
            }
            Rule::us_date | Rule::iso_date | Rule::month_date => Literal::Date(self.date(p)?),
            Rule::range_days => {
                let c: Vec<Pair<Rule>> = p.into_inner().collect();
                let [m, d1, d2, y] = c.as_slice() else {
                    return Err(SyntaxError::internal(self.file, span.start, "bad range"));
                };
                let month = self.month(m)?;
                let (year, year_digits) = self.year(y)?;
                let mk = |day| DateLit {
                    year,
                    month,
                    day,
                    style: DateStyle::Long,
                    year_digits,
                };
                Literal::Range(mk(self.small(d1)?), mk(self.small(d2)?), RangeStyle::Days)
            }
            Rule::range_months => {
                let c: Vec<Pair<Rule>> = p.into_inner().collect();
                let [m1, d1, m2, d2, y] = c.as_slice() else {
                    return Err(SyntaxError::internal(self.file, span.start, "bad range"));
                };
                let (year, year_digits) = self.year(y)?;
                let mk = |month, day| DateLit {
                    year,
                    month,
                    day,
                    style: DateStyle::Long,
                    year_digits,
                };
                Literal::Range(
                    mk(self.month(m1)?, self.small(d1)?),
                    mk(self.month(m2)?, self.small(d2)?),
                    RangeStyle::Months,
                )
            }
            Rule::range_dates => {
                let dots = p.as_str().contains("..");
                let mut c = p.into_inner();
                let a = self.date(self.next_pair(&mut c, span)?)?;
                let b = self.date(self.next_pair(&mut c, span)?)?;
                Literal::Range(
                    a,
                    b,
                    if dots {
                        RangeStyle::Dots
                    } else {
                        RangeStyle::Dash
                    },
                )
            }
            Rule::school_year => {
                let mut c = p.into_inner();
                let a = self.int(&self.next_pair(&mut c, span)?)?;
                let b = self.int(&self.next_pair(&mut c, span)?)?;
                Literal::SchoolYear(a, b)
            }
            Rule::duration => Literal::Duration(self.duration(p)?),
            Rule::string => Literal::Str(self.string(p)?.node),
            Rule::boolean => Literal::Bool(p.as_str() == "true"),
            _ => return Err(self.unexpected(&p)),
        };
        Ok(Spanned { node, span })
    }
}
