//! The rule kinds, decided for one entity: a condition, `each` row, a deadline, retention; and
//! what the data that was not read leaves undetermined.

use super::row_due::{RowDue, row_state};
use super::rows::names;
use super::*;

impl<'e, 'a> EntityCx<'e, 'a> {
    /// Decides one rule for this entity. A row rule that the rows read meet is undetermined
    /// when rows of this entity it would read were skipped for data errors: one of them may be
    /// the row that fails it.
    pub(super) fn rule(
        &mut self,
        ri: RuleId,
        rule: &RuleDef,
        out: &mut Vec<Finding>,
        retention: &mut Vec<String>,
    ) {
        let before = out.len();
        self.decide_rule(ri, rule, out, retention);
        // `on`: a row fails for want of a row of the other record, so a skipped row of that record
        // may be the one it wants: its violations are not decided.
        if let Check::Each {
            test:
                EachTest::NotOn {
                    record: o,
                    negated: false,
                    ..
                },
            ..
        } = &rule.check
            && let Some(note) = self.skipped_rows(*o)
        {
            for f in out.get_mut(before..).unwrap_or(&mut []) {
                if f.status == Status::Violation {
                    f.status = Status::Undetermined;
                    f.message = format!("{}; cannot be decided: {note}", f.message);
                }
            }
        }
        let records: Vec<RecordId> = match &rule.check {
            Check::Each {
                record,
                test: EachTest::NotOn { record: o, .. },
                ..
            } => vec![*record, *o],
            Check::Each { record, .. } | Check::Retain { record, .. } => vec![*record],
            Check::Holds(_) | Check::Deadline { .. } => return,
        };
        let decided = out
            .get(before..)
            .unwrap_or(&[])
            .iter()
            .any(|f| matches!(f.status, Status::Violation | Status::Undetermined));
        if decided {
            return;
        }
        let notes: Vec<String> = records
            .iter()
            .filter_map(|r| self.skipped_rows(*r))
            .collect();
        if notes.is_empty() {
            return;
        }
        out.push(self.finding(
            rule,
            Status::Undetermined,
            rule.severity,
            format!(
                "cannot be decided: {}; the rows read meet it, but a skipped row may not",
                notes.join(", ")
            ),
            None,
        ));
    }

    pub(super) fn decide_rule(
        &mut self,
        ri: RuleId,
        rule: &RuleDef,
        out: &mut Vec<Finding>,
        retention: &mut Vec<String>,
    ) {
        // Rows it reads one by one were not read: nothing can be said of them, unless the rows
        // that were read already decide it (a violation found, a deadline met on time) while the
        // ones not read are only some of the rows.
        if let Some(causes) = self.ev.cov.rows.get(ri).filter(|c| !c.is_empty()) {
            if self.nothing_to_check(rule) {
                return;
            }
            if causes.iter().all(|c| self.ev.cov.rows_only(*c)) {
                let mut read = Vec::new();
                self.check_rule(ri, rule, &mut read, retention);
                let decided = match rule.check {
                    Check::Deadline { .. } => read.is_empty(),
                    // A missing row of the other record may be among those not read.
                    Check::Each {
                        test: EachTest::NotOn { negated: false, .. },
                        ..
                    } => false,
                    _ => read.iter().any(|f| f.status == Status::Violation),
                };
                if decided {
                    out.append(&mut read);
                    return;
                }
            }
            let mut f = self.finding(
                rule,
                Status::Undetermined,
                rule.severity,
                format!("cannot be decided: {}", self.ev.cov.text(causes)),
                None,
            );
            f.causes = causes.iter().copied().collect();
            out.push(f);
            return;
        }
        self.check_rule(ri, rule, out, retention);
    }

    /// Decides one rule for this entity on the data read.
    pub(super) fn check_rule(
        &mut self,
        ri: RuleId,
        rule: &RuleDef,
        out: &mut Vec<Finding>,
        retention: &mut Vec<String>,
    ) {
        let model = self.model();
        let schema = &model.schema;
        match &rule.check {
            Check::Holds(e) => match eval_bool(e, self) {
                Some(true) => {}
                Some(false) => {
                    let ins = self.inputs(e);
                    let msg = if ins.is_empty() {
                        format!("`{}` does not hold", rule.text)
                    } else {
                        format!("`{}` does not hold: {ins}", rule.text)
                    };
                    out.push(self.finding(rule, Status::Violation, rule.severity, msg, None));
                }
                None => {
                    let ins = self.inputs(e);
                    let causes = self.ev.cov.of_expr(e, self.entity);
                    let mut why = if ins.is_empty() {
                        "a value is missing".to_string()
                    } else {
                        ins
                    };
                    if !causes.is_empty() {
                        why = format!("{why}; {}", self.ev.cov.text(&causes));
                    }
                    let mut f = self.finding(
                        rule,
                        Status::Undetermined,
                        rule.severity,
                        format!("`{}` cannot be decided: {why}", rule.text),
                        None,
                    );
                    f.causes = causes.into_iter().collect();
                    out.push(f);
                }
            },
            Check::Each {
                record,
                filter,
                field,
                test,
                absent,
            } => {
                if let Some(st) = self
                    .ev
                    .streamed
                    .get(&ri)
                    .and_then(|v| v.get(self.idx as usize))
                {
                    let (fname, rname) = names(schema, *record, *field);
                    self.blank_rows(rule, *record, *field, st.blank, &st.blank_first, out);
                    for (loc, shown) in &st.first {
                        out.push(self.finding(
                            rule,
                            Status::Violation,
                            rule.severity,
                            format!("{rname}.{fname} {shown} fails `{}`", rule.text),
                            Some(loc.clone()),
                        ));
                    }
                    if st.count > st.first.len() as u64 {
                        out.push(self.finding(
                            rule,
                            Status::Violation,
                            rule.severity,
                            format!(
                                "and {} more {rname} rows fail `{}`",
                                st.count - st.first.len() as u64,
                                rule.text
                            ),
                            None,
                        ));
                    }
                    return;
                }
                let rows = self.kept_rows(*record);
                let (fname, rname) = names(schema, *record, *field);
                let win = match test {
                    EachTest::Within(w) => Some(self.window(*w)),
                    _ => None,
                };
                // Per excluded day, the first row on it (its label and place are shown only for
                // a violation).
                let excluded: Option<BTreeMap<NaiveDate, &KeptRow>> = match test {
                    EachTest::NotOn {
                        record: o,
                        field: of,
                        filter: ofl,
                        ..
                    } => {
                        let mut days = BTreeMap::new();
                        for r in self.kept_rows(*o) {
                            if self.row_filter(ofl.as_ref(), &r.values) != Some(true) {
                                continue;
                            }
                            if let Some(d) = r.values.value(*of).and_then(date_of) {
                                days.entry(d).or_insert(r);
                            }
                        }
                        Some(days)
                    }
                    _ => None,
                };
                // Rows whose value is empty, when the policy does not say how that counts.
                let mut blank = 0u64;
                let mut blank_first: Vec<DataLoc> = Vec::new();
                // Rows compared with a value the data cannot give (a measure over missing or
                // unreadable rows): undetermined whatever the policy says of absence.
                let mut gap_rows = 0u64;
                let mut gap_first: Option<DataLoc> = None;
                let mut gap_causes: std::collections::BTreeSet<usize> = Default::default();
                let mut due = RowDue::default();
                for r in rows {
                    if self.row_filter(filter.as_ref(), &r.values) != Some(true) {
                        continue;
                    }
                    let Some(v) = r.values.value(*field) else {
                        continue;
                    };
                    // A due date set by the row's own data: an empty value is not done yet.
                    if let EachTest::WithinOf { period, from } = test {
                        let start = r.values.value(*from).and_then(date_of);
                        let Some(start) = start else {
                            // No start date, no due date: met with `or missing` (the clock has
                            // not started), otherwise undetermined.
                            if *absent == Some(Absent::Met) {
                                continue;
                            }
                            if *absent == Some(Absent::Fails) {
                                let (from_name, rname) = names(schema, *record, *from);
                                out.push(self.finding(
                                    rule,
                                    Status::Violation,
                                    rule.severity,
                                    format!(
                                        "{rname}.{from_name} is empty, and `{}` counts that as failing",
                                        Absent::Fails.words()
                                    ),
                                    Some(self.ev.loc(r)),
                                ));
                                continue;
                            }
                            blank += 1;
                            if blank_first.len() < KEEP_EXAMPLES {
                                blank_first.push(self.ev.loc(r));
                            }
                            continue;
                        };
                        // School days counted on non-school days the data could not give.
                        let Some(calendar) = self.period_calendar(*period) else {
                            gap_rows += 1;
                            gap_first.get_or_insert_with(|| self.ev.loc(r));
                            gap_causes.extend(self.ev.cov.calendar_causes());
                            continue;
                        };
                        let Some((status, due_on, done)) =
                            row_state(start, v, *period, self.ev.opts.as_of, calendar)
                        else {
                            continue;
                        };
                        due.add(status, self.ev.loc(r), due_on, done);
                        continue;
                    }
                    // An empty value, or an empty one the test compares it with: met with
                    // `or missing`, failed with `and not missing`, otherwise undetermined.
                    let rhs_blank = match test {
                        EachTest::Compare(_, e) => self.reads_empty(e, &r.values),
                        _ => false,
                    };
                    if *v == Value::Null || rhs_blank {
                        let what = if *v == Value::Null {
                            "is empty"
                        } else {
                            "is compared with an empty value"
                        };
                        self.absent_row(
                            rule,
                            *absent,
                            format!("{rname}.{fname} {what}"),
                            self.ev.loc(r),
                            out,
                            (&mut blank, &mut blank_first),
                        );
                        continue;
                    }
                    match test {
                        EachTest::Within(wi) => {
                            let wname = model
                                .windows
                                .get(*wi)
                                .map(|w| w.name.as_str())
                                .unwrap_or("");
                            let Some(d) = date_of(v) else { continue };
                            match &win {
                                Some(Some((lo, hi, text))) => {
                                    if !in_window(d, *lo, *hi) {
                                        out.push(self.finding(
                                            rule,
                                            Status::Violation,
                                            rule.severity,
                                            format!(
                                                "{rname} {fname} {} is outside {wname}: {text} ({})",
                                                us_date(d),
                                                show_window(*lo, *hi)
                                            ),
                                            Some(self.ev.loc(r)),
                                        ));
                                    }
                                }
                                _ => {
                                    let causes = self.window_causes(*wi);
                                    let why = if causes.is_empty() {
                                        "no case applies or a calendar date is missing".to_string()
                                    } else {
                                        self.ev.cov.text(&causes)
                                    };
                                    let mut f = self.finding(
                                        rule,
                                        Status::Undetermined,
                                        rule.severity,
                                        format!("{rname} {fname} {} cannot be checked: window {wname} is undetermined ({why})", us_date(d)),
                                        Some(self.ev.loc(r)),
                                    );
                                    f.causes = causes.into_iter().collect();
                                    out.push(f);
                                }
                            }
                        }
                        EachTest::WithinOf { .. } => {}
                        EachTest::NotOn {
                            record: o,
                            field: of,
                            negated: false,
                            ..
                        } => {
                            // `on`: some row of the other record dated the same day. A row
                            // dated after the evaluation date has not happened yet: not judged.
                            let Some(d) = date_of(v) else { continue };
                            if d > self.ev.opts.as_of {
                                continue;
                            }
                            if excluded.as_ref().is_some_and(|m| !m.contains_key(&d)) {
                                let (oname, orname) = names(schema, *o, *of);
                                out.push(self.finding(
                                    rule,
                                    Status::Violation,
                                    rule.severity,
                                    format!(
                                        "{rname} on {} has no {orname} with {oname} on that day",
                                        us_date(d)
                                    ),
                                    Some(self.ev.loc(r)),
                                ));
                            }
                        }
                        EachTest::NotOn { record: o, .. } => {
                            let Some(d) = date_of(v) else { continue };
                            if let Some(er) = excluded.as_ref().and_then(|m| m.get(&d)) {
                                let what = self.row_label(*o, &er.values);
                                let loc = self.ev.loc(er);
                                out.push(self.finding(
                                    rule,
                                    Status::Violation,
                                    rule.severity,
                                    format!(
                                        "{rname} on {} falls on the same day as {what} ({} {})",
                                        us_date(d),
                                        loc.file,
                                        loc.location
                                    ),
                                    Some(self.ev.loc(r)),
                                ));
                            }
                        }
                        EachTest::Compare(op, e) => {
                            self.row = Some(&r.values);
                            let rhs = eval(e, self);
                            self.row = None;
                            let Some(rhs) = rhs else {
                                // Undefined: from damaged data, the row cannot be decided; from
                                // whole data (a maximum of no rows), it is an absent value,
                                // counted as the policy says, and never silently met.
                                let causes = self.ev.cov.of_expr(e, self.entity);
                                if !causes.is_empty() {
                                    gap_rows += 1;
                                    gap_first.get_or_insert_with(|| self.ev.loc(r));
                                    gap_causes.extend(causes);
                                    continue;
                                }
                                self.absent_row(
                                    rule,
                                    *absent,
                                    format!("{rname}.{fname} is compared with an undefined value"),
                                    self.ev.loc(r),
                                    out,
                                    (&mut blank, &mut blank_first),
                                );
                                continue;
                            };
                            if !value::compare(v, &rhs)
                                .map(|o| op.holds(o))
                                .unwrap_or(false)
                            {
                                let fty = schema
                                    .record(*record)
                                    .and_then(|x| x.fields.get(*field))
                                    .map(|f| f.ty)
                                    .unwrap_or(Type::Text);
                                out.push(self.finding(
                                    rule,
                                    Status::Violation,
                                    rule.severity,
                                    format!(
                                        "{rname}.{fname} is {}, expected {} {}",
                                        self.show(v, fty),
                                        op.symbol(),
                                        self.show(&rhs, fty)
                                    ),
                                    Some(self.ev.loc(r)),
                                ));
                            }
                        }
                    }
                }
                if gap_rows > 0 {
                    let mut f = self.finding(
                        rule,
                        Status::Undetermined,
                        rule.severity,
                        format!(
                            "{gap_rows} {rname} row{} cannot be checked: what {} compared with cannot be computed from the data read ({})",
                            if gap_rows == 1 { "" } else { "s" },
                            if gap_rows == 1 { "it is" } else { "they are" },
                            self.ev.cov.text(&gap_causes)
                        ),
                        gap_first,
                    );
                    f.causes = gap_causes.into_iter().collect();
                    out.push(f);
                }
                if let EachTest::WithinOf { period, from } = test {
                    self.row_due_findings(rule, *record, *field, *from, *period, &due, out);
                    // A row with no start date has no due date: undetermined.
                    let (from_name, rname) = names(schema, *record, *from);
                    if blank > 0 {
                        let places: Vec<String> = blank_first
                            .iter()
                            .map(|l| format!("{} {}", l.file, l.location))
                            .collect();
                        out.push(self.finding(
                            rule,
                            Status::Undetermined,
                            rule.severity,
                            format!(
                                "{blank} {rname} row{} cannot be checked: {from_name} is empty, so the row has no due date ({})",
                                if blank == 1 { "" } else { "s" },
                                places.join(", ")
                            ),
                            blank_first.first().cloned(),
                        ));
                    }
                    return;
                }
                self.blank_rows(rule, *record, *field, blank, &blank_first, out);
            }
            Check::Deadline {
                record,
                filter,
                field,
                due,
            } => {
                let Some(due) = eval(due, self).as_ref().and_then(date_of) else {
                    let causes = self.ev.cov.of_expr(due, self.entity);
                    let why = if causes.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", self.ev.cov.text(&causes))
                    };
                    let mut f = self.finding(
                        rule,
                        Status::Undetermined,
                        rule.severity,
                        format!("the due date cannot be determined{why}"),
                        None,
                    );
                    f.causes = causes.into_iter().collect();
                    out.push(f);
                    return;
                };
                let (fname, rname) = names(schema, *record, *field);
                let filter_text = filter
                    .as_ref()
                    .map(|f| format!(" where {}", self.model().text(f.span)))
                    .unwrap_or_default();
                let mut done: Vec<(NaiveDate, DataLoc)> = Vec::new();
                // The first matching row whose date is empty: the item was started, not done.
                let mut blank: Option<DataLoc> = None;
                for r in self.kept_rows(*record) {
                    if self.row_filter(filter.as_ref(), &r.values) != Some(true) {
                        continue;
                    }
                    match r.values.value(*field).and_then(date_of) {
                        Some(d) => done.push((d, self.ev.loc(r))),
                        None => {
                            if blank.is_none() {
                                blank = Some(self.ev.loc(r));
                            }
                        }
                    }
                }
                let as_of = self.ev.opts.as_of;
                done.sort();
                // As of the evaluation date, a completion dated later has not happened yet.
                let future = done.iter().find(|(d, _)| *d > as_of).cloned();
                done.retain(|(d, _)| *d <= as_of);
                if blank.is_none()
                    && let Some((_, loc)) = &future
                {
                    blank = Some(loc.clone());
                }
                // `no certification where semester == first` or
                // `certification where semester == first has no completed date`.
                let missing = if let Some((d, _)) = &future {
                    format!(
                        "{rname}{filter_text} is dated {} ({fname}), after the evaluation date, so not done",
                        us_date(*d)
                    )
                } else if blank.is_some() {
                    format!("{rname}{filter_text} has no {fname} date")
                } else {
                    format!("no {rname}{filter_text}")
                };
                if done.iter().any(|(d, _)| *d <= due) {
                    return;
                }
                // A row of this record that could not be read may be the one that was done on
                // time: the rule cannot be decided, rather than late or overdue.
                if let Some(skipped) = self.skipped_rows(*record)
                    && (!done.is_empty() || as_of > due)
                {
                    let read = match done.first() {
                        Some((d, _)) => format!(
                            "among the rows read, the first {rname}{filter_text} has {fname} {}",
                            us_date(*d)
                        ),
                        None => format!("among the rows read, {missing}"),
                    };
                    out.push(self.finding(
                        rule,
                        Status::Undetermined,
                        rule.severity,
                        format!("cannot be decided: {skipped}; {read}; due {}", us_date(due)),
                        done.first().map(|(_, loc)| loc.clone()).or(blank),
                    ));
                    return;
                }
                if let Some((d, loc)) = done.first() {
                    let d = *d;
                    let late = d.signed_duration_since(due).num_days();
                    out.push(self.finding(
                        rule,
                        Status::Late,
                        rule.severity,
                        format!("{rname}{filter_text}: {fname} {} is {late} day{} after the due date {}", us_date(d), if late == 1 { "" } else { "s" }, us_date(due)),
                        Some(loc.clone()),
                    ));
                } else if as_of <= due {
                    out.push(self.finding(
                        rule,
                        Status::Pending,
                        Severity::Info,
                        format!(
                            "{missing} yet; due {} (pending as of {})",
                            us_date(due),
                            us_date(as_of)
                        ),
                        blank,
                    ));
                } else {
                    let days = as_of.signed_duration_since(due).num_days();
                    out.push(self.finding(
                        rule,
                        Status::Overdue,
                        rule.severity,
                        format!(
                            "{missing}; due {}, overdue by {days} day{} as of {}",
                            us_date(due),
                            if days == 1 { "" } else { "s" },
                            us_date(as_of)
                        ),
                        blank,
                    ));
                }
            }
            Check::Retain {
                record,
                period,
                from,
                year_end,
                until,
            } => {
                let (fname, rname) = names(schema, *record, *from);
                let start_words = if *year_end {
                    format!("the end of the school year of {fname}")
                } else {
                    fname.to_string()
                };
                for r in self.kept_rows(*record) {
                    let Some(dated) = r.values.value(*from).and_then(date_of) else {
                        continue;
                    };
                    let start = if *year_end {
                        match school_year_end(dated) {
                            Some(d) => d,
                            None => continue,
                        }
                    } else {
                        dated
                    };
                    let Some(keep_until) =
                        add_duration(start, *period, 1, &self.ev.model.non_school_days)
                    else {
                        continue;
                    };
                    if self.explain {
                        let loc = self.ev.loc(r);
                        retention.push(format!(
                            "{rname} {fname} {} ({} {}): keep until {}",
                            us_date(dated),
                            loc.file,
                            loc.location,
                            us_date(keep_until)
                        ));
                    }
                    if let Some(gone) = until.and_then(|u| r.values.value(u)).and_then(date_of)
                        && gone < keep_until
                    {
                        out.push(self.finding(
                            rule,
                            Status::Violation,
                            rule.severity,
                            format!(
                                "{rname} of {} was discarded {}, before {} ({period} from {start_words})",
                                us_date(dated),
                                us_date(gone),
                                us_date(keep_until)
                            ),
                            Some(self.ev.loc(r)),
                        ));
                    }
                }
            }
        }
    }
}

/// The last day (June 30) of the school year that holds `d`.
fn school_year_end(d: NaiveDate) -> Option<NaiveDate> {
    crate::check::model::school_year_bounds(crate::check::model::school_year_of(d))
        .map(|(_, end)| end)
}

#[cfg(test)]
mod year_end_tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]
    use super::*;

    #[test]
    fn the_school_year_runs_july_to_june() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(school_year_end(d(2023, 11, 14)), Some(d(2024, 6, 30)));
        assert_eq!(school_year_end(d(2024, 6, 30)), Some(d(2024, 6, 30)));
        assert_eq!(school_year_end(d(2024, 7, 1)), Some(d(2025, 6, 30)));
        assert_eq!(school_year_end(d(2024, 1, 1)), Some(d(2024, 6, 30)));
    }
}
