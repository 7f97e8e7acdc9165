//! What the rules read of an entity's rows: a per-row deadline's rows in a state (`count RULE
//! late`) and the calendar its period counts on, empty values, the rows kept for a record, a row's
//! label, a field's name.

use super::row_due::row_state;
use super::*;

impl<'e, 'a> EntityCx<'e, 'a> {
    /// `count RULE late`: this entity's rows of the per-row deadline `rule` in `state` as of the
    /// evaluation date. Undefined when a selected row has no start date (its state is unknown)
    /// and the rule does not count that as met.
    pub(super) fn rule_rows(
        &mut self,
        rule: &str,
        state: crate::syntax::ast::RowState,
    ) -> Option<i64> {
        use crate::syntax::ast::RowState;
        let model = self.model();
        let r = model.rules.iter().find(|r| r.name == rule)?;
        // Its filter reads the entity it is about.
        if r.entity != self.entity {
            return None;
        }
        let Check::Each {
            record,
            filter,
            field,
            test: EachTest::WithinOf { period, from },
            absent,
        } = &r.check
        else {
            return None;
        };
        let want = match state {
            RowState::Late => Status::Late,
            RowState::Pending => Status::Pending,
            RowState::Overdue => Status::Overdue,
        };
        let mut n: i64 = 0;
        for row in self.kept_rows(*record) {
            if self.row_filter(filter.as_ref(), &row.values) != Some(true) {
                continue;
            }
            let Some(v) = row.values.value(*field) else {
                continue;
            };
            let Some(start) = row.values.value(*from).and_then(date_of) else {
                if *absent == Some(Absent::Met) {
                    continue;
                }
                return None;
            };
            let calendar = self.period_calendar(*period)?;
            if let Some((Some(s), _, _)) =
                row_state(start, v, *period, self.ev.opts.as_of, calendar)
                && s == want
            {
                n = n.checked_add(1)?;
            }
        }
        Some(n)
    }

    /// The non-school days a per-row period counts on: the policy's list, or those read from the
    /// data (None when they could not be read whole).
    pub(super) fn period_calendar(
        &self,
        period: crate::syntax::ast::Duration,
    ) -> Option<&'e NonSchoolDays> {
        let model = self.ev.model;
        if period.unit == crate::syntax::ast::DurationUnit::SchoolDay
            && model.non_school_days_from.is_some()
        {
            return self.ev.school_days.as_ref();
        }
        Some(&model.non_school_days)
    }

    /// Whether `e` reads an empty optional field of this row or of the entity.
    /// A row whose value is absent (`what` says how): met with `or missing`, a violation with
    /// `and not missing`, otherwise counted among the rows that cannot be decided (`blank`, with
    /// the first few places).
    pub(super) fn absent_row(
        &self,
        rule: &RuleDef,
        absent: Option<Absent>,
        what: String,
        loc: DataLoc,
        out: &mut Vec<Finding>,
        blank: (&mut u64, &mut Vec<DataLoc>),
    ) {
        match absent {
            Some(Absent::Met) => {}
            Some(Absent::Fails) => out.push(self.finding(
                rule,
                Status::Violation,
                rule.severity,
                format!(
                    "{what}, and `{}` counts that as failing",
                    Absent::Fails.words()
                ),
                Some(loc),
            )),
            None => {
                *blank.0 += 1;
                if blank.1.len() < KEEP_EXAMPLES {
                    blank.1.push(loc);
                }
            }
        }
    }

    pub(super) fn reads_empty(&self, e: &TExpr, row: &[Value]) -> bool {
        e.any(&|x| match x.kind {
            TExprKind::RowField(f) => row.value(f) == Some(&Value::Null),
            TExprKind::EntityField(f) => self.entity_field(f) == Some(&Value::Null),
            _ => false,
        })
    }

    /// One undetermined finding for the rows of an `each` rule whose value is empty, when the
    /// policy does not say how an empty value counts: never silently met.
    pub(super) fn blank_rows(
        &self,
        rule: &RuleDef,
        record: RecordId,
        field: FieldId,
        count: u64,
        first: &[DataLoc],
        out: &mut Vec<Finding>,
    ) {
        if count == 0 {
            return;
        }
        let (fname, rname) = names(&self.model().schema, record, field);
        let places: Vec<String> = first
            .iter()
            .map(|l| format!("{} {}", l.file, l.location))
            .collect();
        let more = count.saturating_sub(first.len() as u64);
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        out.push(self.finding(
            rule,
            Status::Undetermined,
            rule.severity,
            format!(
                "`{}` cannot be decided for {count} {rname} row{} whose {fname} (or the value it is compared with) is empty: {}{more}; the policy does not say how an empty value counts (`or missing`, `and not missing`)",
                rule.text,
                if count == 1 { "" } else { "s" },
                places.join(", ")
            ),
            first.first().cloned(),
        ));
    }

    /// Whether an `each` rule has, for this entity, no row to check at all, known from rows that
    /// were read whole: then whatever was not read (the days of a `not on` test) cannot matter.
    pub(super) fn nothing_to_check(&mut self, rule: &RuleDef) -> bool {
        let Check::Each {
            record,
            filter,
            field,
            ..
        } = &rule.check
        else {
            return false;
        };
        if !self.ev.cov.rows_whole(*record, *field, filter.as_ref())
            || !self.ev.kept.contains_key(record)
        {
            return false;
        }
        for r in self.kept_rows(*record) {
            if self.row_filter(filter.as_ref(), &r.values) != Some(false) {
                return false;
            }
        }
        true
    }

    /// The gaps in the data a window's cases and bounds rest on.
    pub(super) fn window_causes(&self, w: WindowId) -> std::collections::BTreeSet<usize> {
        let mut out = std::collections::BTreeSet::new();
        let Some(win) = self.model().windows.get(w) else {
            return out;
        };
        for case in &win.cases {
            let exprs = case
                .when
                .iter()
                .chain(case.lower.iter().map(|b| &b.expr))
                .chain(case.upper.iter().map(|b| &b.expr));
            for e in exprs {
                out.extend(self.ev.cov.of_expr(e, self.entity));
            }
        }
        out
    }

    pub(super) fn kept_rows(&self, record: RecordId) -> &'e [KeptRow] {
        self.ev
            .kept
            .get(&record)
            .and_then(|k| k.get(self.idx as usize))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// What `filter` says of the row `values` (a row passes no filter): `None` when undefined.
    pub(super) fn row_filter(
        &mut self,
        filter: Option<&TExpr>,
        values: &'e [Value],
    ) -> Option<bool> {
        let Some(f) = filter else {
            return Some(true);
        };
        self.row = Some(values);
        let holds = eval_bool(f, self);
        self.row = None;
        holds
    }

    /// A short label for a row, from its first enum field: `open_house`.
    pub(super) fn row_label(&self, record: RecordId, values: &[Value]) -> String {
        let schema = &self.model().schema;
        let Some(rec) = schema.record(record) else {
            return String::new();
        };
        for (f, v) in rec.fields.iter().zip(values) {
            if let (Type::Enum(_), Value::Enum(..)) = (f.ty, v) {
                return format!("{} {}", rec.name, self.show(v, f.ty));
            }
        }
        rec.name.clone()
    }
}

pub(super) fn names(schema: &Schema, record: RecordId, field: FieldId) -> (&str, &str) {
    let rec = schema.record(record);
    (
        rec.and_then(|r| r.fields.get(field))
            .map_or("", |f| f.name.as_str()),
        rec.map_or("", |r| r.name.as_str()),
    )
}
