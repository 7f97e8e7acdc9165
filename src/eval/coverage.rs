//! What the data lacks, and which measures, categories and rules rest on it.
//!
//! A record whose data was not read whole (no file holds it, or a file of it was skipped or read
//! only in part) and a field that a file of its record has no column for are *gaps*. A measure,
//! category or rule that reads a gap cannot be decided from the data: its outcome is
//! undetermined, and says which gap it rests on. Gaps are file-level, so which definitions rest
//! on which gaps is worked out once, for every entity.

use std::collections::{BTreeMap, BTreeSet};

use crate::check::model::*;
use crate::data::{DataSet, FileRead};

use super::{Finding, Gap};

/// One reason some data was not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Cause {
    /// `no file holds \`event\` records`, `certification.csv was not read (missing required
    /// column \`semester\`)`, `student.csv has no column \`extracted\``.
    pub text: String,
    /// The record has no data at all (no file, or every file skipped with no row read).
    pub no_data: bool,
    /// Only some rows are missing: the record was read in part, every column present. What the
    /// rows read decide (a violation, a deadline met) stands.
    pub rows_only: bool,
}

/// The gaps of one data set against one model.
#[derive(Debug, Default)]
pub(crate) struct Coverage {
    pub causes: Vec<Cause>,
    /// Per record not read whole: its cause.
    records: BTreeMap<RecordId, usize>,
    /// Per (record, field) that a file read has no column for: its cause.
    fields: BTreeMap<(RecordId, FieldId), usize>,
    /// Per measure, the causes it rests on (through the measures and fields it reads).
    pub measures: Table<MeasureId, BTreeSet<usize>>,
    /// Per measure, the causes its own aggregation reads directly (its record, the field it
    /// aggregates, its filter's row fields): the measure is then undefined.
    pub direct: Table<MeasureId, BTreeSet<usize>>,
    /// Per category, the causes it rests on (its condition and its history record).
    pub categories: Table<CategoryId, BTreeSet<usize>>,
    /// Per category, the causes of its history record and fields.
    pub history: Table<CategoryId, BTreeSet<usize>>,
    /// Per rule, the causes of the rows it reads one by one (its record, the fields its test and
    /// filter read, the other record of a `not on` test). Its condition's measures and its
    /// applicability are decided by value, as any expression is.
    pub rows: Table<RuleId, BTreeSet<usize>>,
    /// The record and date fields non-school days are read from, if the policy reads them.
    calendar: Option<(RecordId, Vec<FieldId>)>,
}

/// The file names of a record's files, for messages: `a.csv` or `a.csv and b.csv`.
fn shown(paths: &[String]) -> String {
    match paths.split_last() {
        None => String::new(),
        Some((last, [])) => format!("`{last}`"),
        Some((last, rest)) => format!(
            "{} and `{last}`",
            rest.iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

impl Coverage {
    /// The gaps of the data set `set`, read as `reads` tell, for what `model` reads. `passed`
    /// holds, per record, files that look like its data but were not read (and why).
    pub fn new(
        model: &Model,
        set: &DataSet,
        reads: &[FileRead],
        passed: &BTreeMap<RecordId, Vec<String>>,
        unowned: &BTreeMap<RecordId, u64>,
        absent_is_empty: bool,
    ) -> Coverage {
        let schema = &model.schema;
        let mut cov = Coverage {
            calendar: model.non_school_days_from.as_ref().map(|s| {
                (
                    s.record,
                    [Some(s.from), s.until].into_iter().flatten().collect(),
                )
            }),
            ..Coverage::default()
        };
        let needed = needed_records(model);
        for (ri, rec) in schema.records.iter().enumerate() {
            let rid = RecordId(ri);
            if !needed.contains(&rid) {
                continue;
            }
            let files: Vec<String> = set.files_of(rid).map(|p| p.display().to_string()).collect();
            let of: Vec<&FileRead> = reads.iter().filter(|r| r.record == rid).collect();
            if files.is_empty() && absent_is_empty {
                continue;
            }
            if files.is_empty() {
                let mut text = format!("no file holds `{}` records", rec.name);
                if let Some(hints) = passed.get(&rid) {
                    text.push_str(&format!(" ({})", hints.join("; ")));
                }
                cov.records.insert(rid, cov.causes.len());
                cov.causes.push(Cause {
                    text,
                    no_data: true,
                    rows_only: false,
                });
                continue;
            }
            let skipped: Vec<(&FileRead, &str)> = of
                .iter()
                .filter_map(|r| r.outcome.skipped.as_deref().map(|why| (*r, why)))
                .collect();
            if !skipped.is_empty() {
                let rows: u64 = of.iter().map(|r| r.outcome.rows).sum();
                let parts: Vec<String> = skipped
                    .iter()
                    .map(|(r, why)| {
                        if r.outcome.rows == 0 {
                            format!("`{}` was not read ({why})", r.path.display())
                        } else {
                            format!("`{}` was read only in part ({why})", r.path.display())
                        }
                    })
                    .collect();
                cov.records.insert(rid, cov.causes.len());
                cov.causes.push(Cause {
                    text: parts.join("; "),
                    no_data: rows == 0 && skipped.len() == of.len(),
                    rows_only: rows > 0,
                });
                continue;
            }
            if let Some(&n) = unowned.get(&rid) {
                let owner = rec
                    .owner()
                    .and_then(|(f, _)| rec.fields.get(f))
                    .map_or("owner", |f| f.name.as_str());
                cov.records.insert(rid, cov.causes.len());
                cov.causes.push(Cause {
                    text: format!(
                        "{n} `{}` row{} with no readable `{owner}` may be any {owner}'s",
                        rec.name,
                        if n == 1 { "" } else { "s" },
                    ),
                    no_data: false,
                    rows_only: true,
                });
                continue;
            }
            for (f, field) in rec.fields.iter().enumerate() {
                // An absent headcount means one row is one: not a gap. In a small explicit
                // world (a policy test), a field left out is empty.
                if field.ty == Type::Weight || absent_is_empty {
                    continue;
                }
                let lacking: Vec<String> = of
                    .iter()
                    .filter(|r| r.outcome.absent.contains(&f))
                    .map(|r| r.path.display().to_string())
                    .collect();
                if lacking.is_empty() {
                    continue;
                }
                cov.fields.insert((rid, FieldId(f)), cov.causes.len());
                cov.causes.push(Cause {
                    text: format!(
                        "{} {} no column `{}`",
                        shown(&lacking),
                        if lacking.len() == 1 { "has" } else { "have" },
                        field.name
                    ),
                    no_data: false,
                    rows_only: false,
                });
            }
        }
        if cov.causes.is_empty() {
            cov.measures = Table::filled(model.measures.len(), BTreeSet::new());
            cov.direct = cov.measures.clone();
            cov.categories = Table::filled(model.categories.len(), BTreeSet::new());
            cov.history = cov.categories.clone();
            cov.rows = Table::filled(model.rules.len(), BTreeSet::new());
            return cov;
        }
        cov.direct = model
            .measures
            .iter()
            .map(|m| match &m.def {
                MeasureDef::Agg {
                    record,
                    kind,
                    filter,
                } => {
                    let mut out = BTreeSet::new();
                    cov.record_into(*record, &mut out);
                    if let AggKind::CountDistinct(f)
                    | AggKind::Sum(f)
                    | AggKind::Min(f)
                    | AggKind::Max(f) = kind
                    {
                        cov.field_into(*record, *f, &mut out);
                    }
                    if let Some(e) = filter {
                        cov.row_fields_into(e, *record, &mut out);
                        // The filter is decided row by row while streaming, where an entity
                        // field not read would read as empty.
                        e.walk(&mut |x| {
                            if let TExprKind::EntityField(f) = x.kind {
                                cov.field_into(m.entity, f, &mut out);
                            }
                        });
                    }
                    out
                }
                MeasureDef::Formula(_) => BTreeSet::new(),
                // The rule's own rows: its record, and the fields its rule reads.
                MeasureDef::RuleRows { rule, record, .. } => {
                    let mut out = BTreeSet::new();
                    cov.record_into(*record, &mut out);
                    if let Some(r) = model.rules.iter().find(|r| &r.name == rule)
                        && let Check::Each {
                            field,
                            filter,
                            test: EachTest::WithinOf { from, .. },
                            ..
                        } = &r.check
                    {
                        cov.field_into(*record, *field, &mut out);
                        cov.field_into(*record, *from, &mut out);
                        if let Some(e) = filter {
                            cov.row_fields_into(e, *record, &mut out);
                        }
                    }
                    out
                }
            })
            .collect();
        cov.history = model
            .categories
            .iter()
            .map(|c| {
                let mut out = BTreeSet::new();
                if let Some(t) = &c.transitions {
                    cov.record_into(t.record, &mut out);
                    for f in [Some(t.year_field), Some(t.held_field), t.qualified_field]
                        .into_iter()
                        .flatten()
                    {
                        cov.field_into(t.record, f, &mut out);
                    }
                }
                out
            })
            .collect();
        // Measures and categories read each other; the checker refuses cycles, and a bounded
        // number of rounds settles any chain.
        cov.measures = cov.direct.clone();
        cov.categories = cov.history.clone();
        for _ in 0..=model.measures.len() + model.categories.len() {
            let mut changed = false;
            for (i, m) in model.measures.enumerate() {
                let mut out = cov.measures.get(i).cloned().unwrap_or_default();
                match &m.def {
                    MeasureDef::Formula(e) => cov.expr_into(e, m.entity, &mut out),
                    MeasureDef::Agg {
                        filter: Some(e), ..
                    } => cov.expr_into(e, m.entity, &mut out),
                    MeasureDef::Agg { .. } | MeasureDef::RuleRows { .. } => {}
                }
                if let Some(slot) = cov.measures.get_mut(i)
                    && *slot != out
                {
                    *slot = out;
                    changed = true;
                }
            }
            for (i, c) in model.categories.enumerate() {
                let mut out = cov.categories.get(i).cloned().unwrap_or_default();
                cov.expr_into(&c.when, c.entity, &mut out);
                if let Some(slot) = cov.categories.get_mut(i)
                    && *slot != out
                {
                    *slot = out;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        cov.rows = model
            .rules
            .iter()
            .map(|r| {
                let mut out = BTreeSet::new();
                match &r.check {
                    Check::Holds(_) => {}
                    Check::Each {
                        record,
                        filter,
                        field,
                        test,
                        ..
                    } => {
                        cov.record_into(*record, &mut out);
                        cov.field_into(*record, *field, &mut out);
                        if let Some(f) = filter {
                            cov.row_fields_into(f, *record, &mut out);
                        }
                        match test {
                            EachTest::Within(_) => {}
                            EachTest::WithinOf { from, .. } => {
                                cov.field_into(*record, *from, &mut out)
                            }
                            EachTest::NotOn {
                                record: o,
                                field: of,
                                filter: ofl,
                                ..
                            } => {
                                cov.record_into(*o, &mut out);
                                cov.field_into(*o, *of, &mut out);
                                if let Some(f) = ofl {
                                    cov.row_fields_into(f, *o, &mut out);
                                }
                            }
                            EachTest::Compare(_, e) => cov.row_fields_into(e, *record, &mut out),
                        }
                    }
                    Check::Deadline {
                        record,
                        filter,
                        field,
                        ..
                    } => {
                        cov.record_into(*record, &mut out);
                        cov.field_into(*record, *field, &mut out);
                        if let Some(f) = filter {
                            cov.row_fields_into(f, *record, &mut out);
                        }
                    }
                    Check::Retain {
                        record,
                        from,
                        until,
                        ..
                    } => {
                        cov.record_into(*record, &mut out);
                        cov.field_into(*record, *from, &mut out);
                        if let Some(u) = until {
                            cov.field_into(*record, *u, &mut out);
                        }
                    }
                }
                out
            })
            .collect();
        cov
    }

    /// Whether a cause is only rows missing, every column present.
    pub fn rows_only(&self, cause: usize) -> bool {
        self.causes.get(cause).is_some_and(|c| c.rows_only)
    }

    /// Whether the data set has no gap at all.
    pub fn is_whole(&self) -> bool {
        self.causes.is_empty()
    }

    /// The cause of an entity field's gap, if its column was not read.
    pub fn field(&self, record: RecordId, field: FieldId) -> Option<usize> {
        self.fields.get(&(record, field)).copied()
    }

    /// Whether the rows of `record`, their `field` and the row fields `filter` reads were all
    /// read.
    pub fn rows_whole(&self, record: RecordId, field: FieldId, filter: Option<&TExpr>) -> bool {
        let mut out = BTreeSet::new();
        self.record_into(record, &mut out);
        self.field_into(record, field, &mut out);
        if let Some(f) = filter {
            self.row_fields_into(f, record, &mut out);
        }
        out.is_empty()
    }

    fn record_into(&self, record: RecordId, out: &mut BTreeSet<usize>) {
        if let Some(c) = self.records.get(&record) {
            out.insert(*c);
        }
    }

    fn field_into(&self, record: RecordId, field: FieldId, out: &mut BTreeSet<usize>) {
        if let Some(c) = self.fields.get(&(record, field)) {
            out.insert(*c);
        }
    }

    /// The gaps of the row fields `e` reads from rows of `record`.
    fn row_fields_into(&self, e: &TExpr, record: RecordId, out: &mut BTreeSet<usize>) {
        e.walk(&mut |x| {
            if let TExprKind::RowField(f) = x.kind {
                self.field_into(record, f, out);
            }
        });
    }

    /// The gaps of the non-school days read from the data: their record's and their fields'.
    pub fn calendar_causes(&self) -> BTreeSet<usize> {
        let mut out = BTreeSet::new();
        if let Some((record, fields)) = &self.calendar {
            self.record_into(*record, &mut out);
            for f in fields {
                self.field_into(*record, *f, &mut out);
            }
        }
        out
    }

    /// The non-school days could not be read whole for a reason no gap names (rows of their
    /// record with data errors): that is their gap.
    pub fn calendar_rows_unread(&mut self, name: &str) {
        let Some((record, _)) = self.calendar.clone() else {
            return;
        };
        if !self.calendar_causes().is_empty() {
            return;
        }
        self.records.insert(record, self.causes.len());
        self.causes.push(Cause {
            text: format!(
                "rows of `{name}` could not be read, so the non-school days are not known whole"
            ),
            no_data: false,
            rows_only: false,
        });
    }

    /// The gaps an entity-level expression reads: entity fields, measures and categories.
    fn expr_into(&self, e: &TExpr, entity: RecordId, out: &mut BTreeSet<usize>) {
        e.walk(&mut |x| match x.kind {
            TExprKind::SchoolDays {
                from_data: true, ..
            } => out.extend(self.calendar_causes()),
            TExprKind::EntityField(f) => self.field_into(entity, f, out),
            TExprKind::Measure(m) => {
                if let Some(s) = self.measures.get(m) {
                    out.extend(s.iter().copied());
                }
            }
            TExprKind::Category(c) => {
                if let Some(s) = self.categories.get(c) {
                    out.extend(s.iter().copied());
                }
            }
            _ => {}
        });
    }

    /// The gaps an entity-level expression (a rule's condition or applicability) rests on.
    pub fn of_expr(&self, e: &TExpr, entity: RecordId) -> BTreeSet<usize> {
        let mut out = BTreeSet::new();
        if !self.is_whole() {
            self.expr_into(e, entity, &mut out);
        }
        out
    }

    /// The causes' texts, joined: `a; b`.
    pub fn text(&self, causes: &BTreeSet<usize>) -> String {
        causes
            .iter()
            .filter_map(|c| self.causes.get(*c).map(|c| c.text.as_str()))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The records something in the policy reads: aggregated, checked row by row, or the history
/// of a category.
fn needed_records(model: &Model) -> BTreeSet<RecordId> {
    let mut out = BTreeSet::new();
    if let Some(src) = &model.non_school_days_from {
        out.insert(src.record);
    }
    for m in &model.measures {
        if let MeasureDef::Agg { record, .. } = &m.def {
            out.insert(*record);
        }
    }
    for c in &model.categories {
        if let Some(t) = &c.transitions {
            out.insert(t.record);
        }
        out.insert(c.entity);
    }
    for r in &model.rules {
        out.insert(r.entity);
        match &r.check {
            Check::Holds(_) => {}
            Check::Each { record, test, .. } => {
                out.insert(*record);
                if let EachTest::NotOn { record: o, .. } = test {
                    out.insert(*o);
                }
            }
            Check::Deadline { record, .. } | Check::Retain { record, .. } => {
                out.insert(*record);
            }
        }
    }
    out
}

/// Per cause of a gap in the data, the rules whose outcome it left undetermined and for how many
/// entities.
pub(super) fn gaps(cov: &Coverage, findings: &[Finding]) -> Vec<Gap> {
    let mut out: Vec<Gap> = cov
        .causes
        .iter()
        .map(|c| Gap {
            cause: c.text.clone(),
            no_data: c.no_data,
            rules: Vec::new(),
            entities: 0,
            entity_kind: String::new(),
        })
        .collect();
    let mut seen: Vec<BTreeSet<(&str, &str)>> = vec![Default::default(); out.len()];
    for f in findings {
        for &c in &f.causes {
            if let (Some(g), Some(seen)) = (out.get_mut(c), seen.get_mut(c)) {
                if !g.rules.contains(&f.rule) {
                    g.rules.push(f.rule.clone());
                }
                if seen.insert((f.entity_kind.as_str(), f.entity.as_str())) {
                    g.entities += 1;
                    if g.entity_kind.is_empty() {
                        g.entity_kind = f.entity_kind.clone();
                    }
                }
            }
        }
    }
    for g in &mut out {
        g.rules.sort();
    }
    // A column absent that no outcome read is no gap worth a word; a record with no data is,
    // even when nothing here depended on it.
    out.retain(|g| g.no_data || !g.rules.is_empty());
    out
}
