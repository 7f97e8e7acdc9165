//! `non_school_days { ... }`: the holidays and breaks that `N school days` skips besides weekends.

use std::sync::Arc;

use chrono::Datelike;

use super::diag::Problem;
use super::model::*;
use super::{Checker, Def};
use crate::codes::Code;
use crate::syntax::Span;
use crate::syntax::ast::{Ident, Literal, NonSchoolDaysDecl, Stmt};

impl Checker<'_> {
    /// Reads the policy's one list of non-school days (a second one is reported as a duplicate by
    /// name) into the model, before the constants that count on it.
    pub(super) fn non_school_days(&mut self) {
        let Some(decl) = self.defs.iter().find_map(|d| match d {
            Def {
                stmt: Stmt::NonSchoolDays(n),
                ..
            } => Some(n),
            _ => None,
        }) else {
            return;
        };
        if let Some((rec, field)) = &decl.from {
            self.non_school_days_from(decl, rec, field);
            return;
        }
        let bounds = self.model.guide.year_bounds();
        let mut ranges = Vec::new();
        for day in &decl.days {
            let range = match &day.node {
                Literal::Date(d) => self.date(d, day.span).map(|d| (d, d)),
                // A break of last year's is a stale date (listed for revision), not an error.
                lit @ Literal::Range(..) => self.range_dates(lit, day.span),
                _ => None,
            };
            let Some((a, b)) = range else { continue };
            // A day before the year is last year's, which the stale-date check lists.
            if let Some((start, end)) = bounds
                && b > end
            {
                self.push(
                    Problem::warning(
                        Code::SchoolDays,
                        day.span,
                        format!(
                            "`{}` is outside the school year {}-{}",
                            self.text(day.span),
                            start.year(),
                            end.year()
                        ),
                    )
                    .label("outside the guide's year")
                    .help(format!(
                        "list this school year's holidays and breaks ({} to {}); the next year's belong in its own revision",
                        us_date(start),
                        us_date(end)
                    )),
                );
            }
            ranges.push((a, b));
        }
        self.model.non_school_days = Arc::new(NonSchoolDays::new(ranges));
        self.model.non_school_days_span = Some(decl.span);
    }

    /// `non_school_days from holiday.date [until holiday.last]`: a keyed record (read whole before
    /// the rest of the data) and its date fields.
    fn non_school_days_from(&mut self, decl: &NonSchoolDaysDecl, rec: &Ident, field: &Ident) {
        let Some(record) = self.record_ref(rec) else {
            return;
        };
        let keyed = self
            .model
            .schema
            .record(record)
            .is_some_and(|r| r.key.is_some());
        if !keyed {
            self.push(
                Problem::error(
                    Code::SchoolDays,
                    rec.span,
                    format!("non-school days are read from records with a `key`, and `{}` has none", rec.name),
                )
                .label("no key")
                .help(format!(
                    "give the record a key, such as its date: `record {} key {} {{ ... }}` (its rows are then read whole, before the rest of the data)",
                    rec.name, field.name
                )),
            );
            return;
        }
        let date_field = |c: &mut Self, f: &Ident| -> Option<FieldId> {
            let fi = c.record_field(record, f)?;
            let ty = c.field_ty(record, fi)?;
            if ty != Type::Date {
                c.field_not_date(record, f, ty);
                return None;
            }
            Some(fi)
        };
        let Some(from) = date_field(self, field) else {
            return;
        };
        let until = match &decl.until {
            Some((r2, f2)) => {
                if r2.name != rec.name {
                    self.push(
                        Problem::error(
                            Code::SchoolDays,
                            r2.span,
                            format!(
                                "a break's first and last days are fields of one record, `{}`",
                                rec.name
                            ),
                        )
                        .label("another record")
                        .help(format!("write `until {}.FIELD`", rec.name)),
                    );
                    return;
                }
                let Some(u) = date_field(self, f2) else {
                    return;
                };
                Some(u)
            }
            None => None,
        };
        let text = self
            .text(decl.span)
            .trim_start_matches("non_school_days")
            .trim()
            .to_string();
        self.model.non_school_days_from = Some(NonSchoolDaysFrom {
            record,
            from,
            until,
            text,
        });
        self.model.non_school_days_span = Some(decl.span);
    }

    /// Said once per policy where school days are counted with no list of non-school days.
    pub(super) fn school_days_without_list(&mut self, at: Span) {
        if self.model.non_school_days_span.is_some()
            || self.model.non_school_days_from.is_some()
            || self
                .problems
                .iter()
                .any(|p| p.code == Code::SchoolDays && p.message.starts_with("school days counted"))
        {
            return;
        }
        self.push(
            Problem::warning(
                Code::SchoolDays,
                at,
                "school days counted without a `non_school_days` list: every weekday counts",
            )
            .label("every weekday is a school day here")
            .help(
                "list the year's holidays and breaks, as the school calendar prints them: \
                 `non_school_days { November 10, 2023, December 18, 2023 - January 5, 2024 }`; \
                 or count `weekdays` if that is what the guide means",
            ),
        );
    }
}
