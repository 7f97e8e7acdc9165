//! Per-row deadlines (`each R ... has F within N days of G`): each row ok, late, pending or
//! overdue as of the evaluation date, and the findings per entity that name the first rows.

use super::rows::names;
use super::*;

impl<'e, 'a> EntityCx<'e, 'a> {
    /// The findings of a per-row deadline for this entity: one per status (overdue, late,
    /// pending), each with the counts of every status and the first rows by data location.
    #[expect(clippy::too_many_arguments, reason = "the parts of one rule, named")]
    pub(super) fn row_due_findings(
        &self,
        rule: &RuleDef,
        record: RecordId,
        field: FieldId,
        from: FieldId,
        period: crate::syntax::ast::Duration,
        due: &RowDue,
        out: &mut Vec<Finding>,
    ) {
        let schema = &self.model().schema;
        let (fname, rname) = names(schema, record, field);
        let (from_name, _) = names(schema, record, from);
        let private = schema.record(record).is_some_and(|r| {
            [field, from]
                .iter()
                .any(|f| r.fields.get(*f).is_some_and(|x| x.private))
        });
        let as_of = us_date(self.ev.opts.as_of);
        let counts = format!(
            "{} {rname} rows: {} ok, {} late, {} pending, {} overdue",
            due.total(),
            due.ok,
            due.count(Status::Late),
            due.count(Status::Pending),
            due.count(Status::Overdue)
        );
        for status in [Status::Overdue, Status::Late, Status::Pending] {
            let n = due.count(status);
            if n == 0 {
                continue;
            }
            let first: Vec<&DueRow> = due
                .first
                .iter()
                .filter(|(s, _)| *s == status)
                .map(|(_, x)| x)
                .collect();
            let places: Vec<String> = first
                .iter()
                .map(|(l, due_on, done)| {
                    let when = match (private, status, done) {
                        (true, _, _) => String::new(),
                        (false, Status::Late, Some(d)) => {
                            let days = d.signed_duration_since(*due_on).num_days();
                            format!(
                                " ({} day{} late, due {})",
                                days,
                                if days == 1 { "" } else { "s" },
                                us_date(*due_on)
                            )
                        }
                        (false, _, _) => format!(" (due {})", us_date(*due_on)),
                    };
                    format!("{} {}{when}", l.file, l.location)
                })
                .collect();
            let more = n.saturating_sub(first.len() as u64);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            let what = match status {
                Status::Overdue => {
                    format!("{fname} not done {period} after {from_name}, as of {as_of}")
                }
                Status::Late => format!("{fname} done more than {period} after {from_name}"),
                _ => format!(
                    "{fname} not done yet, due {period} after {from_name} (pending as of {as_of})"
                ),
            };
            let severity = if status == Status::Pending {
                Severity::Info
            } else {
                rule.severity
            };
            out.push(self.finding(
                rule,
                status,
                severity,
                format!(
                    "{n} {rname} row{} {}: {what}: {}{more} ({counts})",
                    if n == 1 { "" } else { "s" },
                    Outcome::of(status).word(),
                    places.join(", ")
                ),
                first.first().map(|(l, _, _)| l.clone()),
            ));
        }
    }
}

/// One row of a per-row deadline: where it is, when it was due, when it was done.
type DueRow = (DataLoc, NaiveDate, Option<NaiveDate>);

/// A per-row deadline's rows for one entity: how many are ok, and per status the first few.
#[derive(Default)]
pub(super) struct RowDue {
    ok: u64,
    late: u64,
    pending: u64,
    overdue: u64,
    /// The first rows of each status: where, due when, done when.
    first: Vec<(Status, DueRow)>,
}

impl RowDue {
    pub(super) fn add(
        &mut self,
        status: Option<Status>,
        loc: DataLoc,
        due: NaiveDate,
        done: Option<NaiveDate>,
    ) {
        let Some(status) = status else {
            self.ok += 1;
            return;
        };
        let shown = self.first.iter().filter(|(s, _)| *s == status).count();
        if shown < KEEP_EXAMPLES {
            self.first.push((status, (loc, due, done)));
        }
        match status {
            Status::Late => self.late += 1,
            Status::Pending => self.pending += 1,
            _ => self.overdue += 1,
        }
    }

    fn count(&self, status: Status) -> u64 {
        match status {
            Status::Late => self.late,
            Status::Pending => self.pending,
            Status::Overdue => self.overdue,
            _ => 0,
        }
    }

    fn total(&self) -> u64 {
        self.ok + self.late + self.pending + self.overdue
    }
}

/// A row of a per-row deadline as of `as_of`: its state (none when on time), due date and the
/// completion date that counts (none when not done, or dated after `as_of`).
pub(super) fn row_state(
    start: NaiveDate,
    done: &Value,
    period: crate::syntax::ast::Duration,
    as_of: NaiveDate,
    calendar: &NonSchoolDays,
) -> Option<(Option<Status>, NaiveDate, Option<NaiveDate>)> {
    let due_on = add_duration(start, period, 1, calendar)?;
    let done = date_of(done).filter(|d| *d <= as_of);
    let status = match done {
        Some(d) if d <= due_on => None,
        Some(_) => Some(Status::Late),
        None if as_of <= due_on => Some(Status::Pending),
        None => Some(Status::Overdue),
    };
    Some((status, due_on, done))
}
