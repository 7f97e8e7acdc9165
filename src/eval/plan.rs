//! The physical plan: which fields of each record are read, and what one pass over its rows
//! does per row (aggregations into per-entity accumulators, row checks decided while streaming,
//! rows kept for row-by-row rules), with the `where` filters tabled where they can be.

use super::*;

pub(super) fn collect_fields(e: &TExpr, out: &mut Vec<FieldId>) {
    e.walk(&mut |x| {
        if let TExprKind::RowField(f) = x.kind {
            out.push(f);
        }
    });
}

/// True when the expression reads nothing computed per entity (so it can be decided row by row
/// while streaming).
pub(super) fn row_local(e: &TExpr) -> bool {
    !e.any(&|x| {
        matches!(
            x.kind,
            TExprKind::Measure(_)
                | TExprKind::Category(_)
                | TExprKind::RowMeasure(_)
                | TExprKind::RowCategory(_)
                | TExprKind::Parent { .. }
                // Non-school days read from the data are known once the rows are read.
                | TExprKind::SchoolDays {
                    from_data: true,
                    ..
                }
        )
    })
}

/// The field of `record` that links its rows to `entity`.
pub(super) fn link(schema: &Schema, record: RecordId, entity: RecordId) -> Option<FieldId> {
    let rec = schema.record(record)?;
    if record == entity {
        return rec.key;
    }
    rec.fields.position(|f| f.ty == Type::Ref(entity))
}

/// A rule that is decided row by row while its record streams past.
pub(super) fn streams_rule(rule: &RuleDef) -> bool {
    match &rule.check {
        Check::Each {
            filter,
            test: EachTest::Compare(_, e),
            ..
        } => row_local(e) && filter.as_ref().map(row_local).unwrap_or(true),
        _ => false,
    }
}

/// Reads entity-level values while streaming: only fields, never measures.
pub(super) struct RowScope<'r> {
    pub(super) row: &'r [Value],
    pub(super) entity: Option<&'r [Value]>,
}

impl Scope for RowScope<'_> {
    fn measure(&mut self, _: MeasureId) -> Option<Value> {
        None
    }
    fn category(&mut self, _: CategoryId) -> Option<bool> {
        None
    }
    fn entity_field(&self, f: FieldId) -> Option<&Value> {
        self.entity.and_then(|e| e.value(f))
    }
    fn row_field(&self, f: FieldId) -> Option<&Value> {
        self.row.value(f)
    }
}

/// True when the expression reads a field of the entity (not only of the row).
pub(super) fn reads_entity(e: &TExpr) -> bool {
    e.any(&|x| {
        matches!(
            x.kind,
            TExprKind::EntityField(_)
                | TExprKind::RowMeasure(_)
                | TExprKind::RowCategory(_)
                | TExprKind::Parent { .. }
        )
    })
}

/// An aggregation over a streamed record.
pub(super) struct AggPlan<'m, F = RowFilter<'m>> {
    pub(super) measure: MeasureId,
    /// The field linking a row to its entity.
    pub(super) by: FieldId,
    pub(super) kind: &'m AggKind,
    pub(super) filter: F,
    /// Whether the filter reads the entity's fields.
    pub(super) reads_entity: bool,
    /// Entities of the measure's record.
    pub(super) entities: usize,
}

/// The right-hand side of a streamed check: fixed when it reads no field.
pub(super) enum Rhs<'m> {
    Fixed(Option<Value>),
    Expr(&'m TExpr),
}

/// A row check decided while its record streams past.
pub(super) struct StreamPlan<'m, F = RowFilter<'m>> {
    pub(super) rule: RuleId,
    pub(super) by: FieldId,
    pub(super) filter: F,
    /// Whether the filter or the right-hand side reads the entity's fields.
    pub(super) reads_entity: bool,
    pub(super) field: FieldId,
    pub(super) op: CmpOp,
    pub(super) rhs: Rhs<'m>,
    pub(super) entities: usize,
    /// How a row whose value is empty counts (see [`Check::Each`]).
    pub(super) absent: Option<Absent>,
}

/// What one pass over a record does per row.
pub(super) struct RecordPlan<'m> {
    pub(super) key: FilterKey,
    pub(super) aggs: Vec<AggPlan<'m>>,
    pub(super) streams: Vec<StreamPlan<'m>>,
    pub(super) weight: Option<FieldId>,
    /// Rows kept for row-by-row rules: the field linking them to their entity, and how many
    /// entities there are.
    pub(super) keep: Option<(FieldId, usize)>,
    /// The record's files, with their index in [`Evaluator::files`].
    pub(super) files: Vec<(&'m Path, u32)>,
    /// A dated record's date field and the policy's school year: rows dated outside it do not
    /// count toward this year's rules.
    pub(super) dated: Option<(FieldId, NaiveDate, NaiveDate)>,
}

/// The field that dates a record's rows, when the school year bounds them: the one the policy
/// names (`dated by F`), none for `not dated`; otherwise its one date field, unless the record is
/// keyed by school year (history) or kept for a retention rule (which looks back across years).
pub(super) fn dating_field(model: &Model, rid: RecordId, rec: &Record) -> Option<FieldId> {
    match rec.dating {
        RecordDating::Not => return None,
        RecordDating::By(f) => return Some(f),
        RecordDating::Default => {}
    }
    if rec.key.is_some() || rec.fields.iter().any(|f| f.ty == Type::SchoolYear) {
        return None;
    }
    let retained = model
        .rules
        .iter()
        .any(|r| matches!(&r.check, Check::Retain { record, .. } if *record == rid));
    if retained {
        return None;
    }
    let mut dates = rec
        .fields
        .enumerate()
        .filter(|(_, f)| f.ty == Type::Date)
        .map(|(i, _)| i);
    match (dates.next(), dates.next()) {
        (Some(f), None) => Some(f),
        _ => None,
    }
}

/// One record to read: its plan, the fields it reads, and whether a file of it is large enough
/// to read in parts.
pub(super) struct Job<'m> {
    pub(super) rid: RecordId,
    pub(super) rec: &'m Record,
    pub(super) plan: RecordPlan<'m>,
    pub(super) wanted: Vec<bool>,
    pub(super) large: bool,
    /// The size of its files together.
    pub(super) bytes: u64,
}

/// What reading one record gave: its merged accumulators (none without files), and its errors.
pub(super) type JobResult = (Option<RecordState>, Vec<DataError>, Vec<FileRead>);

/// One pass's accumulators (or one part's, to merge in file order).
pub(super) struct RecordState {
    pub(super) accs: Vec<Acc>,
    pub(super) streamed: Vec<Vec<Streamed>>,
    pub(super) kept: Vec<Vec<KeptRow>>,
    pub(super) rows: u64,
    /// Rows skipped for data errors, by the entity they belong to.
    pub(super) skipped: BTreeMap<(RecordId, u32), u64>,
    /// Rows skipped whose entity cannot be read: they may be any entity's.
    pub(super) unowned: u64,
    /// Per file (its index in [`Evaluator::files`]), rows dated outside the school year.
    pub(super) dated: BTreeMap<u32, u64>,
}

impl<'m> RecordPlan<'m> {
    /// The plan for record `rid`, and the fields it reads; `None` when nothing reads it.
    pub(super) fn new(
        model: &'m Model,
        entities: &Entities,
        rid: RecordId,
        rec: &Record,
        files: Vec<(&'m Path, u32)>,
    ) -> Option<(Self, Vec<bool>)> {
        let schema = &model.schema;
        let mut wanted = vec![false; rec.fields.len()];
        let mut mark = |fs: &[FieldId]| {
            for f in fs {
                if let Some(w) = wanted.get_mut(f.0) {
                    *w = true;
                }
            }
        };
        let mut need = false;
        // Aggregations over this record.
        let mut aggs: Vec<AggPlan<'m, Option<&'m TExpr>>> = Vec::new();
        for (mi, m) in model.measures.enumerate() {
            if let MeasureDef::Agg {
                record,
                kind,
                filter,
            } = &m.def
                && *record == rid
                && let Some(by) = link(schema, rid, m.entity)
            {
                let mut fs = vec![by];
                if let Some(w) = rec.weight() {
                    fs.push(w);
                }
                match kind {
                    AggKind::Count => {}
                    AggKind::CountDistinct(f)
                    | AggKind::Sum(f)
                    | AggKind::Min(f)
                    | AggKind::Max(f) => fs.push(*f),
                }
                if let Some(flt) = filter {
                    collect_fields(flt, &mut fs);
                }
                mark(&fs);
                aggs.push(AggPlan {
                    measure: mi,
                    by,
                    kind,
                    filter: filter.as_ref(),
                    reads_entity: filter.as_ref().is_some_and(reads_entity),
                    entities: entities.len(m.entity),
                });
                need = true;
            }
        }
        // Rules over this record: streamed, or rows kept.
        let mut keep = false;
        let mut streams: Vec<StreamPlan<'m, Option<&'m TExpr>>> = Vec::new();
        for (ki, rule) in model.rules.enumerate() {
            let Some(by) = link(schema, rid, rule.entity) else {
                continue;
            };
            let mut fs = vec![by];
            let uses = match &rule.check {
                Check::Each {
                    record,
                    filter,
                    field,
                    test,
                    absent,
                } => {
                    let mine = *record == rid;
                    if mine {
                        fs.push(*field);
                        if let Some(f) = filter {
                            collect_fields(f, &mut fs);
                        }
                        if let EachTest::WithinOf { from, .. } = test {
                            fs.push(*from);
                        }
                        if let EachTest::Compare(_, e) = test {
                            collect_fields(e, &mut fs);
                        }
                    }
                    let other = match test {
                        EachTest::NotOn {
                            record: o,
                            field: of,
                            filter: ofl,
                            ..
                        } if *o == rid => {
                            fs.push(*of);
                            if let Some(f) = ofl {
                                collect_fields(f, &mut fs);
                            }
                            true
                        }
                        _ => false,
                    };
                    if mine
                        && streams_rule(rule)
                        && let EachTest::Compare(op, e) = test
                    {
                        let fixed = !reads_entity(e) && {
                            let mut read = Vec::new();
                            collect_fields(e, &mut read);
                            read.is_empty()
                        };
                        let rhs = if fixed {
                            Rhs::Fixed(eval(
                                e,
                                &mut RowScope {
                                    row: &[],
                                    entity: None,
                                },
                            ))
                        } else {
                            Rhs::Expr(e)
                        };
                        streams.push(StreamPlan {
                            rule: ki,
                            by,
                            filter: filter.as_ref(),
                            reads_entity: filter.as_ref().is_some_and(reads_entity)
                                || matches!(rhs, Rhs::Expr(e) if reads_entity(e)),
                            field: *field,
                            op: *op,
                            rhs,
                            entities: entities.len(rule.entity),
                            absent: *absent,
                        });
                    } else if mine || other {
                        keep = true;
                    }
                    mine || other
                }
                Check::Deadline {
                    record,
                    filter,
                    field,
                    ..
                } if *record == rid => {
                    fs.push(*field);
                    if let Some(f) = filter {
                        collect_fields(f, &mut fs);
                    }
                    keep = true;
                    true
                }
                Check::Retain {
                    record,
                    from,
                    until,
                    ..
                } if *record == rid => {
                    fs.push(*from);
                    fs.extend(until.iter().copied());
                    keep = true;
                    true
                }
                _ => false,
            };
            if uses {
                mark(&fs);
                need = true;
            }
        }
        for c in &model.categories {
            if let Some(t) = &c.transitions
                && t.record == rid
                && let Some(by) = link(schema, rid, c.entity)
            {
                let mut fs = vec![by, t.year_field, t.held_field];
                fs.extend(t.qualified_field.iter().copied());
                mark(&fs);
                keep = true;
                need = true;
            }
        }
        if !need {
            return None;
        }
        // Which entity owns kept rows: the first entity the record links to.
        let keep = match rec.owner() {
            Some((by, e)) if keep => Some((by, entities.len(e))),
            _ => None,
        };
        let filters: Vec<&TExpr> = aggs
            .iter()
            .filter_map(|a| a.filter)
            .chain(streams.iter().filter_map(|s| s.filter))
            .collect();
        let key = FilterKey::new(&filters, schema, rec);
        let aggs = aggs
            .into_iter()
            .map(|a| AggPlan {
                measure: a.measure,
                by: a.by,
                kind: a.kind,
                filter: RowFilter::new(a.filter, &key, schema, rec),
                reads_entity: a.reads_entity,
                entities: a.entities,
            })
            .collect();
        let streams = streams
            .into_iter()
            .map(|s| StreamPlan {
                rule: s.rule,
                by: s.by,
                filter: RowFilter::new(s.filter, &key, schema, rec),
                reads_entity: s.reads_entity,
                field: s.field,
                op: s.op,
                rhs: s.rhs,
                entities: s.entities,
                absent: s.absent,
            })
            .collect();
        let dated = dating_field(model, rid, rec).and_then(|f| {
            let (start, end) = model.guide.year_bounds()?;
            Some((f, start, end))
        });
        if let Some((f, ..)) = dated
            && let Some(w) = wanted.get_mut(f.0)
        {
            *w = true;
        }
        let plan = RecordPlan {
            key,
            aggs,
            streams,
            weight: rec.weight(),
            keep,
            files,
            dated,
        };
        Some((plan, wanted))
    }

    /// The index of a row's file in [`Evaluator::files`].
    #[inline]
    pub(super) fn file_id(&self, file: &Path) -> u32 {
        self.files
            .iter()
            .find(|(f, _)| std::ptr::eq(*f, file) || *f == file)
            .map_or(u32::MAX, |(_, i)| *i)
    }

    /// Empty accumulators.
    pub(super) fn state(&self) -> RecordState {
        let accs = self
            .aggs
            .iter()
            .map(|a| {
                let n = a.entities;
                match a.kind {
                    AggKind::Count => Acc::Count(vec![0; n]),
                    AggKind::CountDistinct(_) => Acc::Distinct(vec![HashSet::new(); n]),
                    AggKind::Sum(_) => Acc::Sum(vec![Ratio::int(0); n]),
                    AggKind::Min(_) => Acc::Min(vec![None; n]),
                    AggKind::Max(_) => Acc::Max(vec![None; n]),
                }
            })
            .collect();
        RecordState {
            accs,
            streamed: self
                .streams
                .iter()
                .map(|s| vec![Streamed::default(); s.entities])
                .collect(),
            kept: match self.keep {
                Some((_, n)) => vec![Vec::new(); n],
                None => Vec::new(),
            },
            rows: 0,
            skipped: BTreeMap::new(),
            unowned: 0,
            dated: BTreeMap::new(),
        }
    }

    /// One row: aggregations, streamed checks, kept rows.
    #[inline]
    pub(super) fn visit(
        &self,
        st: &mut RecordState,
        row: &data::Row<'_>,
        entities: &Entities,
        schema: &Schema,
        rec: &Record,
    ) {
        st.rows += 1;
        if let Some((f, start, end)) = self.dated
            && let Some(Value::Date(d)) = row.values.value(f)
            && (*d < start || *d > end)
        {
            *st.dated.entry(self.file_id(row.file)).or_default() += 1;
            return;
        }
        let w = match self.weight.and_then(|w| row.values.value(w)) {
            Some(Value::Int(n)) => *n,
            _ => 1,
        };
        let key = self.key.of(row.values);
        for (a, acc) in self.aggs.iter().zip(st.accs.iter_mut()) {
            // A count whose filter is a table: the row adds its weight, or nothing when it does
            // not pass, without a branch on the (data-dependent) outcome. The same as below.
            if let (Acc::Count(v), RowFilter::Table { table, .. }, Some(k)) =
                (&mut *acc, &a.filter, key)
                && let Some(&holds) = table.get(k)
            {
                if let Some(Value::Ref(_, ei)) = row.values.value(a.by)
                    && let Some(c) = v.get_mut(*ei as usize)
                {
                    // Saturating: a count that reaches `i64::MAX` has overflowed and is
                    // undefined (see `OVERFLOWED`).
                    *c = c.saturating_add(w * i64::from(holds));
                }
                continue;
            }
            let Some((ei, _)) =
                a.filter
                    .owner_if_passes(a.by, a.reads_entity, key, row.values, entities)
            else {
                continue;
            };
            let ei = ei as usize;
            match (acc, a.kind) {
                (Acc::Count(v), _) => {
                    if let Some(c) = v.get_mut(ei) {
                        *c = c.saturating_add(w);
                    }
                }
                (Acc::Distinct(v), AggKind::CountDistinct(f)) => {
                    if let (Some(set), Some(val)) = (v.get_mut(ei), row.values.value(*f))
                        && *val != Value::Null
                        && !set.contains(val)
                    {
                        set.insert(val.clone());
                    }
                }
                (Acc::Sum(v), AggKind::Sum(f)) => {
                    if let (Some(sum), Some(r)) =
                        (v.get_mut(ei), row.values.value(*f).and_then(as_ratio))
                    {
                        add_ratio(sum, r);
                    }
                }
                (Acc::Min(v), AggKind::Min(f)) | (Acc::Max(v), AggKind::Max(f)) => {
                    let is_min = matches!(a.kind, AggKind::Min(_));
                    if let (Some(slot), Some(val)) = (v.get_mut(ei), row.values.value(*f))
                        && *val != Value::Null
                        && better(val, slot.as_ref(), is_min)
                    {
                        *slot = Some(val.clone());
                    }
                }
                _ => {}
            }
        }
        for (s, streamed) in self.streams.iter().zip(st.streamed.iter_mut()) {
            let Some((ei, entity)) =
                s.filter
                    .owner_if_passes(s.by, s.reads_entity, key, row.values, entities)
            else {
                continue;
            };
            let Some(v) = row.values.value(s.field) else {
                continue;
            };
            let computed;
            let rhs = match &s.rhs {
                Rhs::Fixed(r) => r.as_ref(),
                Rhs::Expr(e) => {
                    computed = eval(
                        e,
                        &mut RowScope {
                            row: row.values,
                            entity,
                        },
                    );
                    computed.as_ref()
                }
            };
            // An empty value, or an empty one it is compared with: met with `or missing`,
            // failed with `and not missing`, otherwise undetermined (never silently met).
            let blank = *v == Value::Null
                || match &s.rhs {
                    Rhs::Expr(e) => e.any(&|x| match x.kind {
                        TExprKind::RowField(f) => row.values.value(f) == Some(&Value::Null),
                        TExprKind::EntityField(f) => {
                            entity.and_then(|en| en.value(f)) == Some(&Value::Null)
                        }
                        _ => false,
                    }),
                    Rhs::Fixed(_) => false,
                };
            if blank {
                match s.absent {
                    Some(Absent::Met) => continue,
                    Some(Absent::Fails) => {}
                    None => {
                        if let Some(st) = streamed.get_mut(ei as usize) {
                            st.blank += 1;
                            if st.blank_first.len() < KEEP_EXAMPLES {
                                st.blank_first.push(DataLoc {
                                    file: row.file.display().to_string(),
                                    location: row.location(),
                                    number: row.line,
                                });
                            }
                        }
                        continue;
                    }
                }
            } else {
                let Some(rhs) = rhs else { continue };
                let order = match (v, rhs) {
                    (Value::Date(a), Value::Date(b)) => Some(a.cmp(b)),
                    _ => value::compare(v, rhs),
                };
                let ok = order.map(|o| s.op.holds(o)).unwrap_or(false);
                if ok {
                    continue;
                }
            }
            if let Some(st) = streamed.get_mut(ei as usize) {
                st.count += 1;
                if st.first.len() < KEEP_EXAMPLES {
                    let fty = rec.fields.get(s.field).map(|f| f.ty).unwrap_or(Type::Text);
                    let shown = if *v == Value::Null {
                        "(empty)".to_string()
                    } else {
                        show(v, fty, schema, &|r, i| {
                            entities.id(r, i).map(str::to_string)
                        })
                    };
                    st.first.push((
                        DataLoc {
                            file: row.file.display().to_string(),
                            location: row.location(),
                            number: row.line,
                        },
                        shown,
                    ));
                }
            }
        }
        if let Some((by, _)) = self.keep
            && let Some(Value::Ref(_, ei)) = row.values.value(by)
            && let Some(list) = st.kept.get_mut(*ei as usize)
        {
            list.push(KeptRow {
                values: row.values.into(),
                file: self.file_id(row.file),
                pos: row.pos,
            });
        }
    }

    /// Adds `later`'s rows (all after `into`'s in the data) to `into`, as if one pass had read
    /// them all.
    pub(super) fn merge(&self, into: &mut RecordState, later: RecordState) {
        into.rows += later.rows;
        for (k, n) in later.skipped {
            *into.skipped.entry(k).or_default() += n;
        }
        into.unowned += later.unowned;
        for (k, n) in later.dated {
            *into.dated.entry(k).or_default() += n;
        }
        for ((a, acc), more) in self.aggs.iter().zip(into.accs.iter_mut()).zip(later.accs) {
            match (acc, more) {
                (Acc::Count(v), Acc::Count(m)) => {
                    for (c, k) in v.iter_mut().zip(m) {
                        *c = c.saturating_add(k);
                    }
                }
                (Acc::Distinct(v), Acc::Distinct(m)) => {
                    for (s, k) in v.iter_mut().zip(m) {
                        s.extend(k);
                    }
                }
                (Acc::Sum(v), Acc::Sum(m)) => {
                    for (s, k) in v.iter_mut().zip(m) {
                        add_ratio(s, k);
                    }
                }
                (Acc::Min(v), Acc::Min(m)) | (Acc::Max(v), Acc::Max(m)) => {
                    let is_min = matches!(a.kind, AggKind::Min(_));
                    for (slot, k) in v.iter_mut().zip(m) {
                        if let Some(val) = k
                            && better(&val, slot.as_ref(), is_min)
                        {
                            *slot = Some(val);
                        }
                    }
                }
                _ => {}
            }
        }
        for (v, m) in into.streamed.iter_mut().zip(later.streamed) {
            for (s, k) in v.iter_mut().zip(m) {
                s.count += k.count;
                let room = KEEP_EXAMPLES.saturating_sub(s.first.len());
                s.first.extend(k.first.into_iter().take(room));
                s.blank += k.blank;
                let room = KEEP_EXAMPLES.saturating_sub(s.blank_first.len());
                s.blank_first.extend(k.blank_first.into_iter().take(room));
            }
        }
        for (v, m) in into.kept.iter_mut().zip(later.kept) {
            v.extend(m);
        }
    }
}

/// Whether `val` replaces the current minimum (or maximum): the first value does, then only a
/// strictly smaller (larger) one.
pub(super) fn better(val: &Value, cur: Option<&Value>, is_min: bool) -> bool {
    match cur {
        None => true,
        Some(cur) => match value::compare(val, cur) {
            Some(std::cmp::Ordering::Less) => is_min,
            Some(std::cmp::Ordering::Greater) => !is_min,
            _ => false,
        },
    }
}

/// `sum += r`, exactly, in lowest terms.
pub(super) fn add_ratio(sum: &mut Ratio, r: Ratio) {
    if sum.num == OVERFLOWED_SUM {
        return;
    }
    let add = sum
        .num
        .checked_mul(r.den)
        .and_then(|a| a.checked_add(r.num.checked_mul(sum.den)?))
        .and_then(|num| Ratio::new(num, sum.den.checked_mul(r.den)?));
    *sum = match add {
        Some(a) => value::reduce(a),
        // Too large to hold exactly: the sum is undefined from here on.
        None => Ratio::int(OVERFLOWED_SUM),
    };
}

/// A weighted count that reached this has overflowed: it is undefined, never a wrapped or
/// saturated number taken for the count.
pub(super) const OVERFLOWED: i64 = i64::MAX;

/// A sum whose numerator reached this has overflowed (see [`add_ratio`]).
pub(super) const OVERFLOWED_SUM: i128 = i128::MAX;
