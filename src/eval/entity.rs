//! One entity's evaluation: its measures (memoised), categories with their multi-year
//! transitions, windows, and the wording of what they rest on.

use super::*;

impl Scope for EntityCx<'_, '_> {
    fn measure(&mut self, m: MeasureId) -> Option<Value> {
        self.measure_value(m)
    }
    fn category(&mut self, c: CategoryId) -> Option<bool> {
        self.category_value(c).0
    }
    fn entity_field(&self, f: FieldId) -> Option<&Value> {
        // A field whose column was not read has no value, not an empty one.
        if self.ev.cov.field(self.entity, f).is_some() {
            return None;
        }
        self.ev
            .entities
            .row(self.entity, self.idx)
            .and_then(|r| r.value(f))
    }
    fn school_calendar(&self) -> Option<&NonSchoolDays> {
        self.ev.school_days.as_ref()
    }
    fn row_field(&self, f: FieldId) -> Option<&Value> {
        self.row.and_then(|r| r.value(f))
    }
    fn row_measure(&mut self, m: MeasureId) -> Option<Value> {
        // Only a child context (an entity read as a row of its parent's aggregation) gets here.
        self.measure_value(m)
    }
    fn row_category(&mut self, c: CategoryId) -> Option<bool> {
        self.category_value(c).0
    }
    fn parent(&mut self, field: FieldId, e: &TExpr) -> Option<Value> {
        let Some(Value::Ref(rec, idx)) = self.entity_field(field).cloned() else {
            return None;
        };
        let mut up = EntityCx::new(self.ev, rec, idx);
        eval(e, &mut up)
    }
}

impl<'e, 'a> EntityCx<'e, 'a> {
    pub(super) fn new(ev: &'e Evaluator<'a>, entity: RecordId, idx: u32) -> Self {
        EntityCx {
            ev,
            entity,
            idx,
            measures: Table::filled(ev.model.measures.len(), None),
            categories: Table::filled(ev.model.categories.len(), None),
            busy_measures: Table::filled(ev.model.measures.len(), false),
            busy_categories: Table::filled(ev.model.categories.len(), false),
            row: None,
            explain: ev.explain,
        }
    }

    /// An aggregation whose rows are entities themselves (principals of a district): each child
    /// is evaluated in its own context, so the filter can read its measures.
    pub(super) fn aggregate_entities(
        &mut self,
        record: RecordId,
        kind: AggKind,
        filter: Option<&TExpr>,
    ) -> Option<Value> {
        let schema = &self.model().schema;
        let link = link(schema, record, self.entity)?;
        let mut count = 0i64;
        let mut distinct: HashSet<Value> = HashSet::new();
        let mut sum = Ratio::int(0);
        let mut best: Option<Value> = None;
        for j in 0..self.ev.entities.len(record) {
            let Ok(j) = u32::try_from(j) else { break };
            let Some(row) = self.ev.entities.row(record, j) else {
                continue;
            };
            if row.value(link) != Some(&Value::Ref(self.entity, self.idx)) {
                continue;
            }
            let mut child = EntityCx::new(self.ev, record, j);
            child.row = Some(row);
            if let Some(f) = filter
                && eval_bool(f, &mut child) != Some(true)
            {
                continue;
            }
            match kind {
                AggKind::Count => count += 1,
                AggKind::CountDistinct(f) => {
                    if let Some(v) = row.value(f).filter(|v| **v != Value::Null) {
                        distinct.insert(v.clone());
                    }
                }
                AggKind::Sum(f) => {
                    if let Some(r) = row.value(f).and_then(as_ratio) {
                        let next = Ratio::new(
                            sum.num
                                .checked_mul(r.den)?
                                .checked_add(r.num.checked_mul(sum.den)?)?,
                            sum.den.checked_mul(r.den)?,
                        )?;
                        sum = value::reduce(next);
                    }
                }
                AggKind::Min(f) | AggKind::Max(f) => {
                    if let Some(v) = row.value(f).filter(|v| **v != Value::Null) {
                        let better = match &best {
                            None => true,
                            Some(b) => match value::compare(v, b) {
                                Some(std::cmp::Ordering::Less) => matches!(kind, AggKind::Min(_)),
                                Some(std::cmp::Ordering::Greater) => {
                                    matches!(kind, AggKind::Max(_))
                                }
                                _ => false,
                            },
                        };
                        if better {
                            best = Some(v.clone());
                        }
                    }
                }
            }
        }
        match kind {
            AggKind::Count => Some(Value::Int(count)),
            AggKind::CountDistinct(_) => Some(Value::Int(
                i64::try_from(distinct.len()).unwrap_or(i64::MAX),
            )),
            AggKind::Sum(_) if sum.den == 1 => {
                Some(Value::Int(i64::try_from(sum.num).unwrap_or(i64::MAX)))
            }
            AggKind::Sum(_) => Some(Value::Number(sum)),
            AggKind::Min(_) | AggKind::Max(_) => best,
        }
    }

    pub(super) fn model(&self) -> &'a Model {
        self.ev.model
    }

    pub(super) fn show(&self, v: &Value, ty: Type) -> String {
        show(v, ty, &self.model().schema, &self.ev.ids())
    }

    /// A measure's value as it may be printed: small counts, and shares computed from them, are
    /// suppressed when the policy sets `suppress_below` (decisions still use the exact values).
    pub(super) fn show_measure(&mut self, m: MeasureId, v: &Value) -> String {
        let model = self.model();
        let Some(me) = model.measures.get(m) else {
            return String::new();
        };
        if let Some(n) = model.guide.suppress_below
            && self.is_small(m, n, 0)
        {
            return format!("suppressed (fewer than {n})");
        }
        self.show(v, me.ty)
    }

    /// Rows of this entity skipped for data errors that an expression's measures depend on.
    pub(super) fn skipped_note(&self, e: &TExpr) -> Option<String> {
        let model = self.model();
        let mut todo = Vec::new();
        measures_in(e, &mut todo);
        let mut seen = HashSet::new();
        let mut notes = BTreeMap::new();
        while let Some(m) = todo.pop() {
            if !seen.insert(m) {
                continue;
            }
            match model.measures.get(m).map(|x| &x.def) {
                Some(MeasureDef::Formula(f)) => measures_in(f, &mut todo),
                Some(MeasureDef::Agg { record, .. } | MeasureDef::RuleRows { record, .. }) => {
                    if let Some(n) = self.ev.skipped.get(&(*record, self.entity, self.idx)) {
                        notes.insert(*record, *n);
                    }
                }
                None => {}
            }
        }
        let parts: Vec<String> = notes.keys().filter_map(|r| self.skipped_rows(*r)).collect();
        if parts.is_empty() {
            None
        } else {
            Some(parts.join(", "))
        }
    }

    /// `2 certification rows of this school skipped for data errors`, when rows of `record`
    /// belonging to this entity were skipped.
    pub(super) fn skipped_rows(&self, record: RecordId) -> Option<String> {
        let n = *self.ev.skipped.get(&(record, self.entity, self.idx))?;
        let schema = &self.model().schema;
        let name = |r: RecordId| schema.record(r).map_or("", |x| x.name.as_str());
        Some(format!(
            "{n} {} row{} of this {} skipped for data errors",
            name(record),
            if n == 1 { "" } else { "s" },
            name(self.entity)
        ))
    }

    /// Whether measure `m`'s accumulator overflowed for this entity.
    pub(super) fn overflowed(&self, m: MeasureId) -> bool {
        let i = self.idx as usize;
        match self.ev.accs.get(&m) {
            Some(Acc::Count(v)) => v.get(i) == Some(&OVERFLOWED),
            Some(Acc::Sum(v)) => v.get(i).is_some_and(|r| r.num == OVERFLOWED_SUM),
            _ => false,
        }
    }

    /// A count under the suppression threshold, or a formula that reads one.
    pub(super) fn is_small(&mut self, m: MeasureId, n: i64, depth: u32) -> bool {
        if depth > 8 {
            return false;
        }
        let model = self.model();
        let Some(me) = model.measures.get(m) else {
            return false;
        };
        match &me.def {
            MeasureDef::Agg { .. } | MeasureDef::RuleRows { .. } => {
                matches!(self.measure_value(m), Some(Value::Int(k)) if k > 0 && k < n)
            }
            MeasureDef::Formula(e) => {
                let mut ms = Vec::new();
                measures_in(e, &mut ms);
                ms.into_iter().any(|x| self.is_small(x, n, depth + 1))
            }
        }
    }

    pub(super) fn measure_value(&mut self, m: MeasureId) -> Option<Value> {
        if let Some(Some((v, _))) = self.measures.get(m) {
            return v.clone();
        }
        match self.busy_measures.get_mut(m) {
            Some(busy) if !*busy => *busy = true,
            _ => return None,
        }
        let model = self.model();
        let measure = model.measures.get(m)?;
        let i = self.idx as usize;
        let exact = match &measure.def {
            // Rows or fields it aggregates were not read.
            MeasureDef::Agg { .. } if self.ev.cov.direct.get(m).is_some_and(|d| !d.is_empty()) => {
                None
            }
            MeasureDef::Agg {
                record,
                kind,
                filter,
            } if model
                .schema
                .record(*record)
                .map(|r| r.key.is_some())
                .unwrap_or(false) =>
            {
                self.aggregate_entities(*record, *kind, filter.as_ref())
            }
            MeasureDef::Agg { record, .. }
                if self
                    .ev
                    .skipped
                    .contains_key(&(*record, self.entity, self.idx)) =>
            {
                None
            }
            MeasureDef::Agg { .. } => match self.ev.accs.get(&m) {
                Some(Acc::Count(v)) => v
                    .get(i)
                    .filter(|c| **c != OVERFLOWED)
                    .map(|c| Value::Int(*c)),
                Some(Acc::Distinct(v)) => v
                    .get(i)
                    .map(|s| Value::Int(i64::try_from(s.len()).unwrap_or(i64::MAX))),
                Some(Acc::Sum(v)) => v.get(i).filter(|r| r.num != OVERFLOWED_SUM).map(|r| {
                    if measure.ty == Type::Int && r.den == 1 {
                        Value::Int(i64::try_from(r.num).unwrap_or(i64::MAX))
                    } else {
                        Value::Number(*r)
                    }
                }),
                Some(Acc::Min(v)) | Some(Acc::Max(v)) => v.get(i).cloned().flatten(),
                // No data for the record: counts are zero, dates undefined.
                None => match measure.ty {
                    Type::Int => Some(Value::Int(0)),
                    _ => None,
                },
            },
            MeasureDef::Formula(e) => {
                let saved = self.row.take();
                let v = eval(e, self);
                self.row = saved;
                v
            }
            MeasureDef::RuleRows { .. }
                if self.ev.cov.direct.get(m).is_some_and(|d| !d.is_empty()) =>
            {
                None
            }
            MeasureDef::RuleRows { record, .. }
                if self
                    .ev
                    .skipped
                    .contains_key(&(*record, self.entity, self.idx)) =>
            {
                None
            }
            MeasureDef::RuleRows { rule, state, .. } => {
                self.rule_rows(rule, *state).map(Value::Int)
            }
        };
        let rounded = match (measure.rounding, &exact) {
            (RoundingMode::HalfUp(step), Some(Value::Number(r))) => {
                round_half_up(*r, step).map(Value::Number)
            }
            _ => exact.clone(),
        };
        if let Some(busy) = self.busy_measures.get_mut(m) {
            *busy = false;
        }
        if let Some(slot) = self.measures.get_mut(m) {
            *slot = Some((rounded.clone(), exact));
        }
        rounded
    }

    /// Membership this year, the state, and the history lines behind it.
    pub(super) fn category_value(
        &mut self,
        c: CategoryId,
    ) -> (Option<bool>, CategoryState, Vec<String>) {
        if let Some(Some(v)) = self.categories.get(c) {
            return v.clone();
        }
        match self.busy_categories.get_mut(c) {
            Some(busy) if !*busy => *busy = true,
            _ => return (None, CategoryState::Undetermined, Vec::new()),
        }
        let model = self.model();
        let Some(cat) = model.categories.get(c) else {
            return (None, CategoryState::Undetermined, Vec::new());
        };
        let saved = self.row.take();
        let q = eval_bool(&cat.when, self);
        self.row = saved;
        let history_unread = self.ev.cov.history.get(c).is_some_and(|h| !h.is_empty());
        let result = match &cat.transitions {
            // Without the history, neither the status held nor the notice years are known.
            Some(_) if history_unread => (None, CategoryState::Undetermined, Vec::new()),
            None => match q {
                Some(true) => (Some(true), CategoryState::Member, Vec::new()),
                Some(false) => (Some(false), CategoryState::NotMember, Vec::new()),
                None => (None, CategoryState::Undetermined, Vec::new()),
            },
            Some(t) => self.transition(t, q),
        };
        if let Some(busy) = self.busy_categories.get_mut(c) {
            *busy = false;
        }
        if let Some(slot) = self.categories.get_mut(c) {
            *slot = Some(result.clone());
        }
        result
    }

    pub(super) fn transition(
        &self,
        t: &Transitions,
        q: Option<bool>,
    ) -> (Option<bool>, CategoryState, Vec<String>) {
        let Some(year) = self.model().guide.year else {
            return (
                q,
                q.map(category::member_state)
                    .unwrap_or(CategoryState::Undetermined),
                Vec::new(),
            );
        };
        let rows = self
            .ev
            .kept
            .get(&t.record)
            .and_then(|k| k.get(self.idx as usize))
            .map_or(&[][..], Vec::as_slice);
        let by_year = category::history(t, rows.iter().map(|r| &*r.values));
        // The years behind the decision, for its explanation.
        let history = if self.explain {
            category::history_lines(&by_year, year)
        } else {
            Vec::new()
        };
        let (member, state) = category::decide(t, &by_year, year, q);
        (member, state, history)
    }

    pub(super) fn window(&mut self, w: WindowId) -> Option<ResolvedWindow> {
        let model = self.model();
        let win = model.windows.get(w)?;
        for case in &win.cases {
            if let Some(c) = &case.when {
                match eval_bool(c, self) {
                    Some(true) => {}
                    _ => continue,
                }
            }
            let bound = |b: &Option<WindowBound>,
                         cx: &mut Self|
             -> Option<Option<(BoundKind, NaiveDate)>> {
                match b {
                    None => Some(None),
                    Some(b) => Some(Some((b.kind, date_of(&eval(&b.expr, cx)?)?))),
                }
            };
            let lo = bound(&case.lower, self);
            let hi = bound(&case.upper, self);
            return match (lo, hi) {
                (Some(lo), Some(hi)) => Some((lo, hi, case.text.clone())),
                _ => None,
            };
        }
        None
    }

    /// The entity's key, as findings and explanations show it.
    pub(super) fn entity_id(&self) -> String {
        self.ev
            .entities
            .id(self.entity, self.idx)
            .unwrap_or("")
            .to_string()
    }

    pub(super) fn entity_name(&self) -> Option<String> {
        let rec = self.model().schema.record(self.entity)?;
        let f = rec.field("name")?;
        match self.ev.entities.row(self.entity, self.idx)?.value(f)? {
            Value::Text(t) if !rec.fields.get(f)?.private => Some(t.clone()),
            _ => None,
        }
    }

    pub(super) fn finding(
        &self,
        rule: &RuleDef,
        status: Status,
        severity: Severity,
        message: String,
        data: Option<DataLoc>,
    ) -> Finding {
        let model = self.model();
        Finding {
            entity_kind: model
                .schema
                .record(self.entity)
                .map(|r| r.name.clone())
                .unwrap_or_default(),
            entity: self.entity_id(),
            entity_name: self.entity_name(),
            rule: rule.name.clone(),
            severity,
            status,
            message,
            section: rule.section.clone(),
            quote: rule.quote.clone(),
            guide: model.guide.id.clone(),
            policy: self.ev.policy_loc(rule.span),
            data: data.or_else(|| self.entity_loc()),
            causes: Vec::new(),
        }
    }

    pub(super) fn entity_loc(&self) -> Option<DataLoc> {
        let (file, pos) = self.ev.entities.row_pos(self.entity, self.idx)?;
        Some(DataLoc {
            file: file.display().to_string(),
            location: pos.location(None),
            number: pos.number(),
        })
    }

    /// Measures named in an expression, with their values: `conferences_held = 1`.
    pub(super) fn inputs(&mut self, e: &TExpr) -> String {
        let mut ms = Vec::new();
        measures_in(e, &mut ms);
        ms.dedup();
        let model = self.model();
        let mut extra = Vec::new();
        let mut leaves = Vec::new();
        leaves_in(e, &mut leaves);
        for leaf in leaves {
            match leaf {
                Leaf::Field(f) => {
                    let Some(fd) = model
                        .schema
                        .record(self.entity)
                        .and_then(|r| r.fields.get(f))
                    else {
                        continue;
                    };
                    if fd.private {
                        continue;
                    }
                    if self.ev.cov.field(self.entity, f).is_some() {
                        extra.push(format!("{} is not read", fd.name));
                        continue;
                    }
                    let v = self.entity_field(f).cloned().unwrap_or(Value::Null);
                    let shown = if v == Value::Null {
                        "empty".to_string()
                    } else {
                        self.show(&v, fd.ty)
                    };
                    extra.push(format!("{} is {shown}", fd.name));
                }
                Leaf::Category(c) => {
                    let Some(cat) = model.categories.get(c) else {
                        continue;
                    };
                    let (_, state, _) = self.category_value(c);
                    extra.push(format!("{} is {}", cat.name, state.describe()));
                }
            }
        }
        extra.dedup();
        let parts: Vec<String> = ms
            .into_iter()
            .filter_map(|m| {
                let me = model.measures.get(m)?;
                let v = self.measure_value(m);
                Some(match v {
                    Some(v) => format!("{} is {}", me.name, self.show_measure(m, &v)),
                    None => match &me.def {
                        MeasureDef::Agg { record, .. } => match self.ev.skipped.get(&(*record, self.entity, self.idx)) {
                            Some(n) => format!(
                                "{} is undefined ({n} {} row{} of this {} skipped for data errors)",
                                me.name,
                                model.schema.record(*record).map(|r| r.name.as_str()).unwrap_or(""),
                                if *n == 1 { "" } else { "s" },
                                model.schema.record(self.entity).map(|r| r.name.as_str()).unwrap_or("")
                            ),
                            None if self.overflowed(m) => format!(
                                "{} is undefined (too large to count: the sum of its rows overflowed)",
                                me.name
                            ),
                            None => format!("{} is undefined", me.name),
                        },
                        MeasureDef::Formula(_) | MeasureDef::RuleRows { .. } => {
                            format!("{} is undefined", me.name)
                        }
                    },
                })
            })
            .chain(extra)
            .collect();
        parts.join(", ")
    }
}

pub(super) fn measures_in(e: &TExpr, out: &mut Vec<MeasureId>) {
    e.walk(&mut |x| {
        if let TExprKind::Measure(m) = x.kind {
            out.push(m);
        }
    });
}

pub(super) enum Leaf {
    Field(FieldId),
    Category(CategoryId),
}

pub(super) fn leaves_in(e: &TExpr, out: &mut Vec<Leaf>) {
    e.walk(&mut |x| match x.kind {
        TExprKind::EntityField(f) => out.push(Leaf::Field(f)),
        TExprKind::Category(c) => out.push(Leaf::Category(c)),
        _ => {}
    });
}
