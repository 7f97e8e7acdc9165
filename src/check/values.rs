//! Literals → values: dates that exist, ranges that run forward, school years that follow on.

use chrono::NaiveDate;

use super::Checker;
use super::diag::Problem;
use super::model::{Ratio, Value, us_date};
use crate::codes::Code;
use crate::syntax::Span;
use crate::syntax::ast::{DateLit, DateStyle, Literal};

fn days_in_month(year: i64, month: u32) -> Option<u32> {
    let y = i32::try_from(year).ok()?;
    let first = NaiveDate::from_ymd_opt(y, month, 1)?;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(y, month + 1, 1)?
    };
    u32::try_from(next.signed_duration_since(first).num_days()).ok()
}

impl Checker<'_> {
    /// A date that exists, or a diagnostic pointing at it.
    pub(crate) fn date(&mut self, d: &DateLit, span: Span) -> Option<NaiveDate> {
        if d.year_digits != 4 {
            let text = self.text(span);
            let help = if d.year_digits == 2 {
                let yy = format!("{:02}", d.year);
                match text.strip_suffix(yy.as_str()) {
                    Some(head) => format!("write the year in full: `{head}20{yy}`"),
                    None => format!("write the year in full, e.g. `20{yy}`"),
                }
            } else {
                "write the year with four digits".into()
            };
            self.push(
                Problem::error(
                    Code::BadDate,
                    span,
                    format!("`{}` does not have a four-digit year", self.text(span)),
                )
                .label("ambiguous year")
                .help(help),
            );
            return None;
        }
        if !(1..=12).contains(&d.month) {
            let help = if d.style == DateStyle::Us && (1..=12).contains(&d.day) {
                format!(
                    "dates are month first: did you mean `{}/{}/{}`?",
                    d.day, d.month, d.year
                )
            } else {
                "a month is 1 to 12".into()
            };
            self.push(
                Problem::error(
                    Code::BadDate,
                    span,
                    format!("`{}` has no month {}", self.text(span), d.month),
                )
                .label("no such month")
                .help(help),
            );
            return None;
        }
        let y = i32::try_from(d.year).ok();
        match y.and_then(|y| NaiveDate::from_ymd_opt(y, d.month, d.day)) {
            Some(date) => Some(date),
            None => {
                let month_name = crate::syntax::ast::MONTH_NAMES
                    .get(d.month as usize - 1)
                    .copied()
                    .unwrap_or("that month");
                let help = match days_in_month(d.year, d.month) {
                    Some(n) => format!("{month_name} {} has {n} days", d.year),
                    None => "check the date".into(),
                };
                self.push(
                    Problem::error(
                        Code::BadDate,
                        span,
                        format!("`{}` is not a date", self.text(span)),
                    )
                    .label("this day does not exist")
                    .help(help),
                );
                None
            }
        }
    }

    pub(crate) fn school_year(&mut self, a: i64, b: i64, span: Span) -> Option<i32> {
        if b != a + 1 {
            self.push(
                Problem::error(
                    Code::BadSchoolYear,
                    span,
                    format!("`{a}-{b}` is not a school year"),
                )
                .label("the years must follow on")
                .help(format!("did you mean `{a}-{}`?", a + 1)),
            );
            return None;
        }
        let y = i32::try_from(a).ok()?;
        if !(1900..=2200).contains(&y) {
            self.push(
                Problem::error(
                    Code::BadSchoolYear,
                    span,
                    format!("`{a}-{b}` is not a plausible school year"),
                )
                .help("write the years in full, e.g. `2023-2024`"),
            );
            return None;
        }
        Some(y)
    }

    /// A window's date range: both ends exist, it runs forward, and it is inside the school year.
    pub(crate) fn range(&mut self, lit: &Literal, span: Span) -> Option<(NaiveDate, NaiveDate)> {
        let (a, b) = self.range_dates(lit, span)?;
        self.in_year(&[a, b], span, "window");
        Some((a, b))
    }

    /// A date range whose both ends exist and which runs forward.
    pub(crate) fn range_dates(
        &mut self,
        lit: &Literal,
        span: Span,
    ) -> Option<(NaiveDate, NaiveDate)> {
        let Literal::Range(a, b, _) = lit else {
            return None;
        };
        let (a, b) = (self.date(a, span), self.date(b, span));
        let (a, b) = (a?, b?);
        if b < a {
            self.push(
                Problem::error(
                    Code::BackwardsRange,
                    span,
                    format!("`{}` ends before it starts", self.text(span)),
                )
                .label(format!("{} is before {}", us_date(b), us_date(a)))
                .help("swap the two ends, or check the month and year"),
            );
            return None;
        }
        Some((a, b))
    }

    /// A literal's value; `None` (with a diagnostic) when it is not a valid value.
    pub(crate) fn literal(&mut self, lit: &Literal, span: Span) -> Option<Value> {
        Some(match lit {
            Literal::Number(d) => Value::Number(Ratio::new(
                i128::from(d.digits),
                i128::from(d.denominator()),
            )?),
            // Dollars, exact to the cent (and beyond: shares of an amount stay exact).
            Literal::Money(d) => Value::Number(Ratio::new(
                i128::from(d.digits),
                i128::from(d.denominator()),
            )?),
            Literal::Percent(d) => Value::Number(Ratio::new(
                i128::from(d.digits),
                i128::from(d.denominator()) * 100,
            )?),
            Literal::Ratio(a, b) => {
                if *a == 0 && *b == 0 {
                    self.push(
                        Problem::error(Code::BadRatio, span, "`0:0` is not a ratio")
                            .help("write a ratio such as `60:40`"),
                    );
                    return None;
                }
                Value::Pair(*a, *b)
            }
            Literal::Date(d) => Value::Date(self.date(d, span)?),
            Literal::Range(..) => {
                self.push(
                    Problem::error(
                        Code::RangeHere,
                        span,
                        "a date range is a window, not a value",
                    )
                    .help("declare it with `window NAME = ...` and test dates with `within NAME`"),
                );
                return None;
            }
            Literal::Duration(d) => Value::Duration(*d),
            Literal::SchoolYear(a, b) => Value::SchoolYear(self.school_year(*a, *b, span)?),
            Literal::Str(s) => Value::Text(s.clone()),
            Literal::Bool(b) => Value::Bool(*b),
        })
    }
}
