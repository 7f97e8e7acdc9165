//! `non_school_days { ... }`: the holidays and breaks that `N school days` skips besides weekends.

use std::sync::Arc;

use chrono::Datelike;

use super::diag::Problem;
use super::model::*;
use super::{Checker, Def};
use crate::codes::Code;
use crate::syntax::Span;
use crate::syntax::ast::{Literal, Stmt};

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
        let bounds = self.model.guide.year_bounds();
        let mut ranges = Vec::new();
        for day in &decl.days {
            let range = match &day.node {
                Literal::Date(d) => self.date(d, day.span).map(|d| (d, d)),
                lit @ Literal::Range(..) => self.range(lit, day.span),
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

    /// Said once per policy where school days are counted with no list of non-school days.
    pub(super) fn school_days_without_list(&mut self, at: Span) {
        if self.model.non_school_days_span.is_some()
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
