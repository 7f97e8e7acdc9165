//! Stage 4: a checked model + data → findings and explanations.
//!
//! The plan: load the entities (schools), then stream each other record type once. Aggregations
//! update per-entity accumulators as rows go by; row checks that need only the row are decided on
//! the spot; records that rules must see row by row (conferences, certifications, history) are kept,
//! grouped by entity. Then, per entity: measures, categories (with multi-year transitions),
//! windows, and rules.

mod coverage;
pub mod finding;
pub mod value;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

pub use finding::*;
use value::{Scope, as_ratio, date_of, eval, eval_bool, round_half_up, show};

use crate::check::model::*;
use crate::data::{self, DataError, DataSet, Entities, FileRead};
use crate::syntax::Sources;
use crate::syntax::ast::BoundKind;

/// How to evaluate.
#[derive(Clone, Debug)]
pub struct Options {
    /// The evaluation date: deadlines after it are pending, before it overdue.
    pub as_of: NaiveDate,
    /// A record no file holds is an empty table, and a field no row gives is empty (policy test
    /// cases, which are small explicit worlds), rather than data not read, whose outcomes are
    /// undetermined (lint).
    pub absent_is_empty: bool,
}

impl Options {
    /// Lint's options: as of `as_of`, a record without a file is not read.
    pub fn at(as_of: NaiveDate) -> Options {
        Options {
            as_of,
            absent_is_empty: false,
        }
    }
}

/// Everything a lint run produced.
#[derive(Debug, Default)]
pub struct Evaluation {
    /// Sorted by entity, rule, data position.
    pub findings: Vec<Finding>,
    /// One per entity, in id order (none when [`Mode::explanations`] is off).
    pub explanations: Vec<Explanation>,
    /// Data that was not read, and what it left undetermined.
    pub gaps: Vec<Gap>,
    pub data_errors: Vec<DataError>,
    /// Entities evaluated.
    pub entities: usize,
    /// The ids of the entities evaluated, sorted (for `--school` to check against).
    pub ids: Vec<String>,
    /// Entities evaluated, per kind in declaration order: `[("school", 43)]`.
    pub by_kind: Vec<(String, usize)>,
    /// Rows read, all record types together.
    pub rows: u64,
}

/// A window for one entity: its bounds as dates, and the text the policy gives it.
type ResolvedWindow = (
    Option<(BoundKind, NaiveDate)>,
    Option<(BoundKind, NaiveDate)>,
    String,
);

/// Rows kept for row-by-row rules, with their place in the data.
#[derive(Clone, Debug)]
struct KeptRow {
    values: Box<[Value]>,
    /// The row's file: an index into [`Evaluator::files`].
    file: u32,
    pos: data::Pos,
}

/// One aggregation's running state, per entity.
enum Acc {
    Count(Vec<i64>),
    Distinct(Vec<HashSet<Value>>),
    Sum(Vec<Ratio>),
    Min(Vec<Option<Value>>),
    Max(Vec<Option<Value>>),
}

/// Violations found while streaming a row check, per entity.
#[derive(Default, Clone)]
struct Streamed {
    count: u64,
    first: Vec<(DataLoc, String)>,
}

const KEEP_EXAMPLES: usize = 3;

/// The fewest entities in a run decided on one thread.
const DECIDE_PART_MIN: usize = 256;

/// Runs of entities per thread the decisions are cut into (each at least [`DECIDE_PART_MIN`]).
const DECIDE_PARTS_PER_THREAD: usize = 4;

/// Evaluates `model` on the data in `inputs` (folders and files): findings and an explanation
/// per entity, reading large CSV files on [`default_threads`] threads.
pub fn evaluate(
    model: &Model,
    sources: &Sources,
    inputs: &[PathBuf],
    opts: &Options,
) -> Evaluation {
    evaluate_with(model, sources, inputs, opts, Mode::default())
}

/// How [`evaluate_with`] works; no setting changes a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mode {
    /// How to read large CSV files in parts (see [`data::stream_parts`]); its threads also
    /// decide entities.
    pub split: data::Split,
    /// Whether to build [`Evaluation::explanations`] (`explain`, `lint --near`). Without them,
    /// that list is empty and a lint costs less time and memory.
    pub explanations: bool,
}

impl Default for Mode {
    /// [`default_threads`], with explanations.
    fn default() -> Self {
        Mode {
            split: data::Split::threads(default_threads()),
            explanations: true,
        }
    }
}

/// The threads a lint uses: `MANDATE_THREADS` when set to a positive number, else the machine's
/// available parallelism.
pub fn default_threads() -> usize {
    std::env::var("MANDATE_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
        .or_else(|| std::thread::available_parallelism().ok().map(|n| n.get()))
        .unwrap_or(1)
}

/// [`evaluate`], as `mode` says.
pub fn evaluate_with(
    model: &Model,
    sources: &Sources,
    inputs: &[PathBuf],
    opts: &Options,
    mode: Mode,
) -> Evaluation {
    let schema = &model.schema;
    let (set, mut errors) = data::discover(schema, inputs);
    missing_entity_files(model, inputs, &set, &mut errors);
    let mut reads = Vec::new();
    let entities = data::load_entities(schema, &set, &mut errors, &mut reads);
    let mut ev = Evaluator {
        model,
        sources,
        opts,
        entities,
        accs: BTreeMap::new(),
        kept: BTreeMap::new(),
        streamed: BTreeMap::new(),
        skipped: BTreeMap::new(),
        rows: 0,
        split: mode.split,
        explain: mode.explanations,
        files: Vec::new(),
        cov: coverage::Coverage::default(),
        unowned: BTreeMap::new(),
    };
    ev.read(&set, &mut errors, &mut reads);
    ev.cov = coverage::Coverage::new(
        model,
        &set,
        &reads,
        &set.passed_over(),
        &ev.unowned,
        opts.absent_is_empty,
    );
    let (findings, explanations, count) = ev.decide();
    let mut gaps = gaps(&ev.cov, &findings);
    // With no entity to check, nothing rests on the other records: the missing entities are the
    // data error to fix first.
    if count == 0 {
        gaps.retain(|g| !g.rules.is_empty());
    }
    // `43 schools`, or `5 schools and 2 districts` when rules are about several kinds.
    let by_kind = model
        .schema
        .entities()
        .filter(|(eid, _)| {
            model.measures.iter().any(|m| m.entity == *eid)
                || model.categories.iter().any(|c| c.entity == *eid)
                || model.rules.iter().any(|r| r.entity == *eid)
        })
        .map(|(eid, r)| (r.name.clone(), ev.entities.len(eid)))
        .filter(|(_, n)| *n > 0)
        .collect();
    let rows = ev.rows;
    let mut ids: Vec<String> = model
        .schema
        .entities()
        .filter(|(eid, _)| {
            model.measures.iter().any(|m| m.entity == *eid)
                || model.categories.iter().any(|c| c.entity == *eid)
                || model.rules.iter().any(|r| r.entity == *eid)
        })
        .flat_map(|(eid, _)| ev.entities.ids(eid).iter().cloned())
        .collect();
    ids.sort();
    ids.dedup();
    // The rows kept and the per-school accumulators are many small allocations; they are
    // freed on a thread of their own rather than before the findings can be printed.
    let Evaluator {
        entities,
        accs,
        kept,
        streamed,
        skipped,
        ..
    } = ev;
    drop_in_background((entities, accs, kept, streamed, skipped));
    Evaluation {
        findings,
        explanations,
        gaps,
        data_errors: errors,
        entities: count,
        ids,
        by_kind,
        rows,
    }
}

/// Drops `value` on a new thread, so that freeing a large structure of many allocations costs
/// the caller nothing; a process that exits first does not wait for it. When no thread can be
/// started, `value` is dropped here.
pub fn drop_in_background<T: Send + 'static>(value: T) {
    // On failure the closure, and `value` with it, is dropped by `spawn` itself.
    let _ = std::thread::Builder::new()
        .name("drop".into())
        .spawn(move || drop(value));
}

/// An entity record (schools) that the policy is about but that no data file holds: nothing can be
/// checked, and every row that refers to it would otherwise be reported as an unknown id.
fn missing_entity_files(
    model: &Model,
    inputs: &[PathBuf],
    set: &DataSet,
    errors: &mut Vec<DataError>,
) {
    for (eid, rec) in model.schema.entities() {
        let relevant = model.measures.iter().any(|m| m.entity == eid)
            || model.categories.iter().any(|c| c.entity == eid)
            || model.rules.iter().any(|r| r.entity == eid);
        if !relevant || set.files_of(eid).next().is_some() {
            continue;
        }
        let shown: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
        errors.push(
            DataError::new(
                data::DataErrorKind::File,
                shown.join(", "),
                format!("no file holds `{}` records", rec.name),
            )
            .help(format!(
                "add `{0}.csv` (or `{0}.yaml`, `{0}.json`) with one row per {0}; the other records refer to it",
                rec.name
            )),
        );
    }
}

struct Evaluator<'a> {
    model: &'a Model,
    sources: &'a Sources,
    opts: &'a Options,
    entities: Entities,
    /// Per aggregate measure.
    accs: BTreeMap<usize, Acc>,
    /// Per record: per entity index, the kept rows.
    kept: BTreeMap<RecordId, Vec<Vec<KeptRow>>>,
    /// Per rule: per entity index, violations found while streaming.
    streamed: BTreeMap<usize, Vec<Streamed>>,
    /// Rows skipped for data errors, by record and the entity they belong to: that entity's
    /// aggregates over the record are undefined rather than silently short.
    skipped: BTreeMap<(RecordId, RecordId, u32), u64>,
    rows: u64,
    /// How to read large files, and threads to decide entities with.
    split: data::Split,
    /// Whether to build explanations.
    explain: bool,
    /// The data files rows were kept from, as shown in findings.
    files: Vec<String>,
    /// What the data lacks, and what rests on it.
    cov: coverage::Coverage,
    /// Per record, rows skipped whose entity could not be read.
    unowned: BTreeMap<RecordId, u64>,
}

/// Per cause of a gap in the data, the rules whose outcome it left undetermined and for how many
/// entities.
fn gaps(cov: &coverage::Coverage, findings: &[Finding]) -> Vec<Gap> {
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
    let mut seen: Vec<std::collections::BTreeSet<(&str, &str)>> =
        vec![Default::default(); out.len()];
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

fn collect_fields(e: &TExpr, out: &mut Vec<usize>) {
    e.walk(&mut |x| {
        if let TExprKind::RowField(f) = x.kind {
            out.push(f);
        }
    });
}

/// True when the expression reads nothing computed per entity (so it can be decided row by row
/// while streaming).
fn row_local(e: &TExpr) -> bool {
    !e.any(&|x| {
        matches!(
            x.kind,
            TExprKind::Measure(_)
                | TExprKind::Category(_)
                | TExprKind::RowMeasure(_)
                | TExprKind::RowCategory(_)
                | TExprKind::Parent { .. }
        )
    })
}

/// The field of `record` that links its rows to `entity`.
fn link(schema: &Schema, record: RecordId, entity: RecordId) -> Option<usize> {
    let rec = schema.record(record)?;
    if record == entity {
        return rec.key;
    }
    rec.fields.iter().position(|f| f.ty == Type::Ref(entity))
}

/// A rule that is decided row by row while its record streams past.
fn streams_rule(rule: &RuleDef) -> bool {
    match &rule.check {
        Check::Each {
            filter,
            test: EachTest::Compare(_, e),
            ..
        } => row_local(e) && filter.as_ref().map(row_local).unwrap_or(true),
        _ => false,
    }
}

impl<'a> Evaluator<'a> {
    fn ids(&self) -> impl Fn(RecordId, u32) -> Option<String> + '_ {
        |r, i| self.entities.id(r, i).map(str::to_string)
    }

    /// One pass over each record type; a large CSV file is read in parts on threads, each part
    /// into its own accumulators, merged in file order.
    fn read(&mut self, set: &DataSet, errors: &mut Vec<DataError>, reads: &mut Vec<FileRead>) {
        let model = self.model;
        let schema = &model.schema;
        // One job per record something reads.
        let mut jobs = Vec::new();
        for (ri, rec) in schema.records.iter().enumerate() {
            let rid = RecordId(ri);
            if rec.key.is_some() {
                continue;
            }
            let mut files = Vec::new();
            for path in set.files_of(rid) {
                files.push((path, u32::try_from(self.files.len()).unwrap_or(u32::MAX)));
                self.files.push(path.display().to_string());
            }
            if let Some((plan, wanted)) = RecordPlan::new(model, &self.entities, rid, rec, files) {
                let (mut bytes, mut large) = (0, false);
                for p in set.files_of(rid) {
                    let len = std::fs::metadata(p).ok().map(|m| m.len());
                    bytes += len.unwrap_or(0);
                    large |= data::Format::of(p) == Some(data::Format::Csv)
                        && len.is_some_and(|l| l >= self.split.min_bytes);
                }
                jobs.push(Job {
                    rid,
                    rec,
                    plan,
                    wanted,
                    large,
                    bytes,
                });
            }
        }
        let entities = &self.entities;
        let split = self.split;
        // Reads one record's files; a large file in parts, whose threads do `idle` once every
        // part is taken.
        let run = |job: &Job<'_>, split, idle: &(dyn Fn() -> bool + Sync)| {
            let Job {
                rid,
                rec,
                plan,
                wanted,
                ..
            } = job;
            let mut errors = Vec::new();
            let mut reads = Vec::new();
            let states = data::stream_parts(
                schema,
                *rid,
                set,
                entities,
                wanted,
                &mut errors,
                &mut reads,
                split,
                || plan.state(),
                |st, row| plan.visit(st, row, entities, schema, rec),
                |st, who| match who {
                    Some(w) => *st.skipped.entry(w).or_default() += 1,
                    None => st.unowned += 1,
                },
                idle,
            );
            let mut states = states.into_iter();
            let all = states.next().map(|mut all| {
                for st in states {
                    plan.merge(&mut all, st);
                }
                all
            });
            (all, errors, reads)
        };
        let in_parts = |job: &Job<'_>| job.large && split.threads > 1;
        // The small files, largest first, so that the threads end at about the same time.
        let mut small: Vec<(u64, usize)> = jobs
            .iter()
            .enumerate()
            .filter(|(_, job)| !in_parts(job))
            .map(|(i, job)| (job.bytes, i))
            .collect();
        small.sort_by(|a, b| b.cmp(a));
        let one = data::Split {
            threads: 1,
            ..split
        };
        // A small file is read by the next thread free: one reading a large file once its parts
        // are all taken, so that none waits for the last part, then any.
        let next = std::sync::atomic::AtomicUsize::new(0);
        let taken: Vec<std::sync::Mutex<Option<JobResult>>> =
            small.iter().map(|_| std::sync::Mutex::new(None)).collect();
        let take_small = || -> bool {
            let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let (Some(&(_, i)), Some(slot)) = (small.get(k), taken.get(k)) else {
                return false;
            };
            if let Some(job) = jobs.get(i) {
                let result = run(job, one, &|| false);
                if let Ok(mut slot) = slot.lock() {
                    *slot = Some(result);
                }
            }
            true
        };
        // Large files one after another, each in parts on every thread; the small ones in
        // between and after. Results are put back in record order.
        let mut done: Vec<Option<JobResult>> = jobs.iter().map(|_| None).collect();
        if split.threads > 1 {
            for (job, slot) in jobs.iter().zip(done.iter_mut()) {
                if in_parts(job) {
                    *slot = Some(run(job, split, &take_small));
                }
            }
            crate::pool::pool(split.threads, split.threads, |_| {
                while take_small() {}
                Some(())
            });
        }
        for (&(_, i), slot) in small.iter().zip(taken) {
            if let (Ok(Some(result)), Some(done)) = (slot.into_inner(), done.get_mut(i)) {
                *done = Some(result);
            }
        }
        // Anything not read yet (one thread, or a worker that failed) is read here.
        for (job, slot) in jobs.iter().zip(done.iter_mut()) {
            if slot.is_none() {
                *slot = Some(run(job, one, &|| false));
            }
        }
        for (job, result) in jobs.iter().zip(done) {
            let Job { rid, plan, .. } = job;
            let Some((all, mut errs, mut file_reads)) = result else {
                continue;
            };
            errors.append(&mut errs);
            reads.append(&mut file_reads);
            let Some(all) = all else { continue };
            self.rows += all.rows;
            if all.unowned > 0 {
                self.unowned.insert(*rid, all.unowned);
            }
            if let Some((_, start, end)) = plan.dated {
                for (&file, &outside) in &all.dated {
                    // Rows of the record, all its files together, read in this year.
                    let inside = all.rows.saturating_sub(all.dated.values().sum());
                    errors.push(self.out_of_year(*rid, file, inside, outside, start, end));
                }
            }
            for ((e, ix), n) in all.skipped {
                self.skipped.insert((*rid, e, ix), n);
            }
            for (a, acc) in plan.aggs.iter().zip(all.accs) {
                self.accs.insert(a.measure, acc);
            }
            for (s, st) in plan.streams.iter().zip(all.streamed) {
                self.streamed.insert(s.rule, st);
            }
            if plan.keep.is_some() {
                self.kept.insert(*rid, all.kept);
            }
        }
    }

    /// The warning, once per file, that rows dated outside the school year were not counted.
    fn out_of_year(
        &self,
        rid: RecordId,
        file: u32,
        inside: u64,
        outside: u64,
        start: NaiveDate,
        end: NaiveDate,
    ) -> DataError {
        let name = self
            .model
            .schema
            .record(rid)
            .map_or("", |r| r.name.as_str());
        let year = format!("{}-{}", start.format("%Y"), end.format("%Y"));
        let mut message = format!(
            "{outside} `{name}` row{} dated outside the school year {year} ({} to {}) {} not counted",
            if outside == 1 { "" } else { "s" },
            us_date(start),
            us_date(end),
            if outside == 1 { "is" } else { "are" },
        );
        let help = if outside > inside {
            message.push_str(&format!(
                "; that is most of the {} `{name}` rows",
                inside + outside
            ));
            format!(
                "check that this data is for {year}, or lint it with the policy of its own year"
            )
        } else {
            "rows of another year count toward that year's revision of the guide, not this one"
                .to_string()
        };
        DataError::new(
            data::DataErrorKind::Row,
            self.files.get(file as usize).cloned().unwrap_or_default(),
            message,
        )
        .help(help)
        .warning()
    }

    /// Per entity: measures, categories, windows, rules.
    fn decide(&self) -> (Vec<Finding>, Vec<Explanation>, usize) {
        let model = self.model;
        let mut findings = Vec::new();
        let mut explanations = Vec::new();
        let mut count = 0;
        for (eid, erec) in model.schema.entities() {
            let n = self.entities.len(eid);
            // Only entities something in the policy is about.
            let relevant = model.measures.iter().any(|m| m.entity == eid)
                || model.categories.iter().any(|c| c.entity == eid)
                || model.rules.iter().any(|r| r.entity == eid);
            if !relevant {
                continue;
            }
            count += n;
            let mut order: Vec<u32> = (0..n).filter_map(|i| u32::try_from(i).ok()).collect();
            order.sort_by(|a, b| self.entities.id(eid, *a).cmp(&self.entities.id(eid, *b)));
            // Entities are independent: runs of them are decided on threads, and their results
            // put back in order.
            let run = |part: &[u32]| {
                let mut findings = Vec::new();
                let mut explanations = Vec::new();
                for &idx in part {
                    let mut cx = EntityCx::new(self, eid, idx);
                    let (mut f, x) = cx.run(erec);
                    // Sorted here, on the threads; entities come in id order, so the whole is
                    // then sorted too (checked below).
                    f.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
                    findings.append(&mut f);
                    if self.explain {
                        explanations.push(x);
                    }
                }
                (findings, explanations)
            };
            // Runs of entities are taken by the threads in turn.
            let size = order
                .len()
                .div_ceil(self.split.threads.max(1) * DECIDE_PARTS_PER_THREAD)
                .max(DECIDE_PART_MIN);
            let parts: Vec<&[u32]> = order.chunks(size).collect();
            let results: Vec<(Vec<Finding>, Vec<Explanation>)> = if parts.len() > 1 {
                crate::pool::pool(self.split.threads, parts.len(), |k| {
                    parts.get(k).map(|p| run(p))
                })
                .into_iter()
                .zip(&parts)
                .map(|(r, part)| r.unwrap_or_else(|| run(part)))
                .collect()
            } else {
                parts.into_iter().map(run).collect()
            };
            for (mut f, mut x) in results {
                findings.append(&mut f);
                explanations.append(&mut x);
            }
        }
        if !findings.is_sorted_by(|a, b| a.sort_key() <= b.sort_key()) {
            findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        }
        (findings, explanations, count)
    }

    /// Where a kept row is in the data.
    fn loc(&self, r: &KeptRow) -> DataLoc {
        DataLoc {
            file: self.files.get(r.file as usize).cloned().unwrap_or_default(),
            location: r.pos.location(None),
            number: r.pos.number(),
        }
    }

    fn policy_loc(&self, span: crate::syntax::Span) -> PolicyLoc {
        // A binary search in the file's line index (a search of a list here was quadratic).
        let (line, column) = self.sources.line_col(span.file, span.start);
        PolicyLoc {
            file: self.sources.name(span.file).to_string(),
            line,
            column,
            span,
        }
    }
}

/// Reads entity-level values while streaming: only fields, never measures.
struct RowScope<'r> {
    row: &'r [Value],
    entity: Option<&'r [Value]>,
}

impl Scope for RowScope<'_> {
    fn measure(&mut self, _: usize) -> Option<Value> {
        None
    }
    fn category(&mut self, _: usize) -> Option<bool> {
        None
    }
    fn entity_field(&self, f: usize) -> Option<&Value> {
        self.entity.and_then(|e| e.get(f))
    }
    fn row_field(&self, f: usize) -> Option<&Value> {
        self.row.get(f)
    }
}

/// True when the expression reads a field of the entity (not only of the row).
fn reads_entity(e: &TExpr) -> bool {
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

/// The most combinations of field values the filter tables of one record may index.
const FILTER_TABLE_MAX: usize = 4096;

/// One field the filter tables are indexed by.
struct Dim {
    field: usize,
    kind: DimKind,
    /// Values of the field; `n` itself stands for an empty field.
    n: u32,
    stride: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum DimKind {
    Enum(EnumId),
    Bool,
}

/// The enum and bool fields of a record that its `where` filters read: a row's values of them
/// make one key, computed once per row, and every filter that reads nothing else is decided by
/// looking the key up in its table, made before any row is read.
#[derive(Default)]
struct FilterKey {
    dims: Vec<Dim>,
    size: usize,
}

impl FilterKey {
    /// The key for the filters among `filters` that can be tabled (within [`FILTER_TABLE_MAX`]
    /// combinations together, first come first served).
    fn new(filters: &[&TExpr], schema: &Schema, rec: &Record) -> Self {
        let mut key = FilterKey {
            dims: Vec::new(),
            size: 1,
        };
        for e in filters {
            let Some(fields) = tabled_fields(e, schema, rec) else {
                continue;
            };
            let mut dims = Vec::new();
            let mut size = key.size;
            for (field, kind, n) in fields {
                if key.dims.iter().any(|d| d.field == field) {
                    continue;
                }
                let stride = size;
                match size.checked_mul(n as usize + 1) {
                    Some(s) if s <= FILTER_TABLE_MAX => size = s,
                    _ => {
                        dims.clear();
                        size = key.size;
                        break;
                    }
                }
                dims.push(Dim {
                    field,
                    kind,
                    n,
                    stride,
                });
            }
            key.dims.append(&mut dims);
            key.size = size;
        }
        key
    }

    fn covers(&self, e: &TExpr, schema: &Schema, rec: &Record) -> bool {
        tabled_fields(e, schema, rec).is_some_and(|fs| {
            fs.iter()
                .all(|(f, _, _)| self.dims.iter().any(|d| d.field == *f))
        })
    }

    /// The row's key; `None` when a field holds something unexpected (then filters are
    /// evaluated on the row itself).
    #[inline]
    fn of(&self, row: &[Value]) -> Option<usize> {
        let mut ix = 0usize;
        for d in &self.dims {
            let digit = match (row.get(d.field)?, d.kind) {
                (Value::Enum(id, i), DimKind::Enum(want)) if *id == want && *i < d.n => *i,
                (Value::Bool(b), DimKind::Bool) => u32::from(*b),
                (Value::Null, _) => d.n,
                _ => return None,
            };
            ix += digit as usize * d.stride;
        }
        Some(ix)
    }

    /// A row holding the values that make key `ix`, or `None` outside the key's range.
    fn row(&self, ix: usize, width: usize) -> Option<Vec<Value>> {
        let mut row = vec![Value::Null; width];
        for d in &self.dims {
            let digit = u32::try_from((ix / d.stride) % (d.n as usize + 1)).ok()?;
            *row.get_mut(d.field)? = match d.kind {
                _ if digit == d.n => Value::Null,
                DimKind::Enum(id) => Value::Enum(id, digit),
                DimKind::Bool => Value::Bool(digit == 1),
            };
        }
        Some(row)
    }
}

/// The fields a filter reads, when it can be tabled: it reads no entity field, and only enum and
/// bool fields of the row.
fn tabled_fields(e: &TExpr, schema: &Schema, rec: &Record) -> Option<Vec<(usize, DimKind, u32)>> {
    if reads_entity(e) {
        return None;
    }
    let mut fields = Vec::new();
    collect_fields(e, &mut fields);
    fields.sort_unstable();
    fields.dedup();
    fields
        .into_iter()
        .map(|field| {
            let (kind, n) = match rec.fields.get(field)?.ty {
                Type::Enum(id) => (DimKind::Enum(id), schema.enum_type(id)?.values.len()),
                Type::Bool => (DimKind::Bool, 2),
                _ => return None,
            };
            Some((field, kind, u32::try_from(n).ok()?))
        })
        .collect()
}

/// A `where` filter over a streamed row: none, a table indexed by the row's [`FilterKey`], or an
/// expression evaluated per row.
enum RowFilter<'m> {
    Always,
    Table {
        /// Per key: whether the filter holds (is neither false nor undefined).
        table: Vec<bool>,
        expr: &'m TExpr,
    },
    Expr(&'m TExpr),
}

impl<'m> RowFilter<'m> {
    fn new(filter: Option<&'m TExpr>, key: &FilterKey, schema: &Schema, rec: &Record) -> Self {
        let Some(e) = filter else {
            return RowFilter::Always;
        };
        if !key.covers(e, schema, rec) {
            return RowFilter::Expr(e);
        }
        // The filter reads nothing but the key's fields, so its value on a row made of them is
        // its value on every row that has them.
        let mut table = Vec::with_capacity(key.size);
        for ix in 0..key.size {
            let Some(row) = key.row(ix, rec.fields.len()) else {
                return RowFilter::Expr(e);
            };
            let holds = eval_bool(
                e,
                &mut RowScope {
                    row: &row,
                    entity: None,
                },
            );
            table.push(holds == Some(true));
        }
        RowFilter::Table { table, expr: e }
    }

    /// The index of the entity the row belongs to (through field `by`), with that entity's row
    /// when the filter reads it, if the row passes the filter; None otherwise.
    #[inline]
    fn owner_if_passes<'e>(
        &self,
        by: usize,
        reads_entity: bool,
        key: Option<usize>,
        row: &[Value],
        entities: &'e Entities,
    ) -> Option<(u32, Option<&'e [Value]>)> {
        let Some(Value::Ref(er, ei)) = row.get(by) else {
            return None;
        };
        let entity = if reads_entity {
            entities.row(*er, *ei)
        } else {
            None
        };
        self.passes(key, row, entity).then_some((*ei, entity))
    }

    /// Whether the row passes: the filter holds (is neither false nor undefined).
    #[inline]
    fn passes(&self, key: Option<usize>, row: &[Value], entity: Option<&[Value]>) -> bool {
        match self {
            RowFilter::Always => true,
            RowFilter::Table { table, expr } => match key.and_then(|k| table.get(k)) {
                Some(holds) => *holds,
                None => eval_bool(expr, &mut RowScope { row, entity }) == Some(true),
            },
            RowFilter::Expr(e) => eval_bool(e, &mut RowScope { row, entity }) == Some(true),
        }
    }
}

/// An aggregation over a streamed record.
struct AggPlan<'m, F = RowFilter<'m>> {
    measure: usize,
    /// The field linking a row to its entity.
    by: usize,
    kind: &'m AggKind,
    filter: F,
    /// Whether the filter reads the entity's fields.
    reads_entity: bool,
    /// Entities of the measure's record.
    entities: usize,
}

/// The right-hand side of a streamed check: fixed when it reads no field.
enum Rhs<'m> {
    Fixed(Option<Value>),
    Expr(&'m TExpr),
}

/// A row check decided while its record streams past.
struct StreamPlan<'m, F = RowFilter<'m>> {
    rule: usize,
    by: usize,
    filter: F,
    /// Whether the filter or the right-hand side reads the entity's fields.
    reads_entity: bool,
    field: usize,
    op: CmpOp,
    rhs: Rhs<'m>,
    entities: usize,
}

/// What one pass over a record does per row.
struct RecordPlan<'m> {
    key: FilterKey,
    aggs: Vec<AggPlan<'m>>,
    streams: Vec<StreamPlan<'m>>,
    weight: Option<usize>,
    /// Rows kept for row-by-row rules: the field linking them to their entity, and how many
    /// entities there are.
    keep: Option<(usize, usize)>,
    /// The record's files, with their index in [`Evaluator::files`].
    files: Vec<(&'m Path, u32)>,
    /// A dated record's date field and the policy's school year: rows dated outside it do not
    /// count toward this year's rules.
    dated: Option<(usize, NaiveDate, NaiveDate)>,
}

/// The field that dates a record's rows, when the school year bounds them: its one date field,
/// unless the record is keyed by school year (history) or kept for a retention rule (which looks
/// back across years).
fn dating_field(model: &Model, rid: RecordId, rec: &Record) -> Option<usize> {
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
        .iter()
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
struct Job<'m> {
    rid: RecordId,
    rec: &'m Record,
    plan: RecordPlan<'m>,
    wanted: Vec<bool>,
    large: bool,
    /// The size of its files together.
    bytes: u64,
}

/// What reading one record gave: its merged accumulators (none without files), and its errors.
type JobResult = (Option<RecordState>, Vec<DataError>, Vec<FileRead>);

/// One pass's accumulators (or one part's, to merge in file order).
struct RecordState {
    accs: Vec<Acc>,
    streamed: Vec<Vec<Streamed>>,
    kept: Vec<Vec<KeptRow>>,
    rows: u64,
    /// Rows skipped for data errors, by the entity they belong to.
    skipped: BTreeMap<(RecordId, u32), u64>,
    /// Rows skipped whose entity cannot be read: they may be any entity's.
    unowned: u64,
    /// Per file (its index in [`Evaluator::files`]), rows dated outside the school year.
    dated: BTreeMap<u32, u64>,
}

impl<'m> RecordPlan<'m> {
    /// The plan for record `rid`, and the fields it reads; `None` when nothing reads it.
    fn new(
        model: &'m Model,
        entities: &Entities,
        rid: RecordId,
        rec: &Record,
        files: Vec<(&'m Path, u32)>,
    ) -> Option<(Self, Vec<bool>)> {
        let schema = &model.schema;
        let mut wanted = vec![false; rec.fields.len()];
        let mut mark = |fs: &[usize]| {
            for f in fs {
                if let Some(w) = wanted.get_mut(*f) {
                    *w = true;
                }
            }
        };
        let mut need = false;
        // Aggregations over this record.
        let mut aggs: Vec<AggPlan<'m, Option<&'m TExpr>>> = Vec::new();
        for (mi, m) in model.measures.iter().enumerate() {
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
        for (ki, rule) in model.rules.iter().enumerate() {
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
                } => {
                    let mine = *record == rid;
                    if mine {
                        fs.push(*field);
                        if let Some(f) = filter {
                            collect_fields(f, &mut fs);
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
            })
            .collect();
        let dated = dating_field(model, rid, rec).and_then(|f| {
            let (start, end) = model.guide.year_bounds()?;
            Some((f, start, end))
        });
        if let Some((f, ..)) = dated
            && let Some(w) = wanted.get_mut(f)
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
    fn file_id(&self, file: &Path) -> u32 {
        self.files
            .iter()
            .find(|(f, _)| std::ptr::eq(*f, file) || *f == file)
            .map_or(u32::MAX, |(_, i)| *i)
    }

    /// Empty accumulators.
    fn state(&self) -> RecordState {
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
    fn visit(
        &self,
        st: &mut RecordState,
        row: &data::Row<'_>,
        entities: &Entities,
        schema: &Schema,
        rec: &Record,
    ) {
        st.rows += 1;
        if let Some((f, start, end)) = self.dated
            && let Some(Value::Date(d)) = row.values.get(f)
            && (*d < start || *d > end)
        {
            *st.dated.entry(self.file_id(row.file)).or_default() += 1;
            return;
        }
        let w = match self.weight.and_then(|w| row.values.get(w)) {
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
                if let Some(Value::Ref(_, ei)) = row.values.get(a.by)
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
                    if let (Some(set), Some(val)) = (v.get_mut(ei), row.values.get(*f))
                        && *val != Value::Null
                        && !set.contains(val)
                    {
                        set.insert(val.clone());
                    }
                }
                (Acc::Sum(v), AggKind::Sum(f)) => {
                    if let (Some(sum), Some(r)) =
                        (v.get_mut(ei), row.values.get(*f).and_then(as_ratio))
                    {
                        add_ratio(sum, r);
                    }
                }
                (Acc::Min(v), AggKind::Min(f)) | (Acc::Max(v), AggKind::Max(f)) => {
                    let is_min = matches!(a.kind, AggKind::Min(_));
                    if let (Some(slot), Some(val)) = (v.get_mut(ei), row.values.get(*f))
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
            let Some(v) = row.values.get(s.field) else {
                continue;
            };
            if *v == Value::Null {
                continue;
            }
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
            let Some(rhs) = rhs else { continue };
            let order = match (v, rhs) {
                (Value::Date(a), Value::Date(b)) => Some(a.cmp(b)),
                _ => value::compare(v, rhs),
            };
            let ok = order.map(|o| s.op.holds(o)).unwrap_or(false);
            if ok {
                continue;
            }
            if let Some(st) = streamed.get_mut(ei as usize) {
                st.count += 1;
                if st.first.len() < KEEP_EXAMPLES {
                    let fty = rec.fields.get(s.field).map(|f| f.ty).unwrap_or(Type::Text);
                    let shown = show(v, fty, schema, &|r, i| {
                        entities.id(r, i).map(str::to_string)
                    });
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
            && let Some(Value::Ref(_, ei)) = row.values.get(by)
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
    fn merge(&self, into: &mut RecordState, later: RecordState) {
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
            }
        }
        for (v, m) in into.kept.iter_mut().zip(later.kept) {
            v.extend(m);
        }
    }
}

/// Whether `val` replaces the current minimum (or maximum): the first value does, then only a
/// strictly smaller (larger) one.
fn better(val: &Value, cur: Option<&Value>, is_min: bool) -> bool {
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
fn add_ratio(sum: &mut Ratio, r: Ratio) {
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
const OVERFLOWED: i64 = i64::MAX;

/// A sum whose numerator reached this has overflowed (see [`add_ratio`]).
const OVERFLOWED_SUM: i128 = i128::MAX;

/// A category for one entity: membership this year, the state, and the history behind it.
type Decision = (Option<bool>, CategoryState, Vec<String>);

/// Evaluation of one entity, with memoised measures and categories.
struct EntityCx<'e, 'a> {
    ev: &'e Evaluator<'a>,
    entity: RecordId,
    idx: u32,
    /// Per measure, once computed: its value as compared, and exact.
    measures: Vec<Option<(Option<Value>, Option<Value>)>>,
    /// Per category, once decided.
    categories: Vec<Option<Decision>>,
    /// Measures and categories being computed (a cycle gives undefined).
    busy_measures: Vec<bool>,
    busy_categories: Vec<bool>,
    row: Option<&'e [Value]>,
    /// Whether to build the entity's [`Explanation`]; without, only its findings.
    explain: bool,
}

impl Scope for EntityCx<'_, '_> {
    fn measure(&mut self, m: usize) -> Option<Value> {
        self.measure_value(m)
    }
    fn category(&mut self, c: usize) -> Option<bool> {
        self.category_value(c).0
    }
    fn entity_field(&self, f: usize) -> Option<&Value> {
        // A field whose column was not read has no value, not an empty one.
        if self.ev.cov.field(self.entity, f).is_some() {
            return None;
        }
        self.ev
            .entities
            .row(self.entity, self.idx)
            .and_then(|r| r.get(f))
    }
    fn row_field(&self, f: usize) -> Option<&Value> {
        self.row.and_then(|r| r.get(f))
    }
    fn row_measure(&mut self, m: usize) -> Option<Value> {
        // Only a child context (an entity read as a row of its parent's aggregation) gets here.
        self.measure_value(m)
    }
    fn row_category(&mut self, c: usize) -> Option<bool> {
        self.category_value(c).0
    }
    fn parent(&mut self, field: usize, e: &TExpr) -> Option<Value> {
        let Some(Value::Ref(rec, idx)) = self.entity_field(field).cloned() else {
            return None;
        };
        let mut up = EntityCx::new(self.ev, rec, idx);
        eval(e, &mut up)
    }
}

impl<'e, 'a> EntityCx<'e, 'a> {
    fn new(ev: &'e Evaluator<'a>, entity: RecordId, idx: u32) -> Self {
        EntityCx {
            ev,
            entity,
            idx,
            measures: vec![None; ev.model.measures.len()],
            categories: vec![None; ev.model.categories.len()],
            busy_measures: vec![false; ev.model.measures.len()],
            busy_categories: vec![false; ev.model.categories.len()],
            row: None,
            explain: ev.explain,
        }
    }

    /// An aggregation whose rows are entities themselves (principals of a district): each child
    /// is evaluated in its own context, so the filter can read its measures.
    fn aggregate_entities(
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
            if row.get(link) != Some(&Value::Ref(self.entity, self.idx)) {
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
                    if let Some(v) = row.get(f).filter(|v| **v != Value::Null) {
                        distinct.insert(v.clone());
                    }
                }
                AggKind::Sum(f) => {
                    if let Some(r) = row.get(f).and_then(as_ratio) {
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
                    if let Some(v) = row.get(f).filter(|v| **v != Value::Null) {
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

    fn model(&self) -> &'a Model {
        self.ev.model
    }

    fn show(&self, v: &Value, ty: Type) -> String {
        show(v, ty, &self.model().schema, &self.ev.ids())
    }

    /// A measure's value as it may be printed: small counts, and shares computed from them, are
    /// suppressed when the policy sets `suppress_below` (decisions still use the exact values).
    fn show_measure(&mut self, m: usize, v: &Value) -> String {
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
    fn skipped_note(&self, e: &TExpr) -> Option<String> {
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
                Some(MeasureDef::Agg { record, .. }) => {
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
    fn skipped_rows(&self, record: RecordId) -> Option<String> {
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
    fn overflowed(&self, m: usize) -> bool {
        let i = self.idx as usize;
        match self.ev.accs.get(&m) {
            Some(Acc::Count(v)) => v.get(i) == Some(&OVERFLOWED),
            Some(Acc::Sum(v)) => v.get(i).is_some_and(|r| r.num == OVERFLOWED_SUM),
            _ => false,
        }
    }

    /// A count under the suppression threshold, or a formula that reads one.
    fn is_small(&mut self, m: usize, n: i64, depth: u32) -> bool {
        if depth > 8 {
            return false;
        }
        let model = self.model();
        let Some(me) = model.measures.get(m) else {
            return false;
        };
        match &me.def {
            MeasureDef::Agg { .. } => {
                matches!(self.measure_value(m), Some(Value::Int(k)) if k > 0 && k < n)
            }
            MeasureDef::Formula(e) => {
                let mut ms = Vec::new();
                measures_in(e, &mut ms);
                ms.into_iter().any(|x| self.is_small(x, n, depth + 1))
            }
        }
    }

    fn measure_value(&mut self, m: usize) -> Option<Value> {
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
    fn category_value(&mut self, c: usize) -> (Option<bool>, CategoryState, Vec<String>) {
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

    fn transition(
        &self,
        t: &Transitions,
        q: Option<bool>,
    ) -> (Option<bool>, CategoryState, Vec<String>) {
        let Some(year) = self.model().guide.year else {
            return (
                q,
                q.map(member_state).unwrap_or(CategoryState::Undetermined),
                Vec::new(),
            );
        };
        // Per school year: (held, qualified).
        let mut by_year: BTreeMap<i32, (Option<bool>, Option<bool>)> = BTreeMap::new();
        if let Some(rows) = self
            .ev
            .kept
            .get(&t.record)
            .and_then(|k| k.get(self.idx as usize))
        {
            for r in rows {
                let Some(Value::SchoolYear(y)) = r.values.get(t.year_field) else {
                    continue;
                };
                let held = match r.values.get(t.held_field) {
                    Some(Value::Bool(b)) => Some(*b),
                    _ => None,
                };
                let qualified = match t.qualified_field.and_then(|f| r.values.get(f)) {
                    Some(Value::Bool(b)) => Some(*b),
                    _ => None,
                };
                by_year.insert(*y, (held, qualified));
            }
        }
        // The years behind the decision, for its explanation.
        let history: Vec<String> = by_year
            .iter()
            .rev()
            .filter(|_| self.explain)
            .filter(|(y, _)| **y <= year)
            .map(|(y, (h, qq))| {
                let h = match h {
                    Some(true) => "held",
                    Some(false) => "not held",
                    None => "status unknown",
                };
                let qq = match qq {
                    Some(true) => ", qualified",
                    Some(false) => ", did not qualify",
                    None => "",
                };
                format!("{y}-{}: {h}{qq}", y + 1)
            })
            .collect();
        // The status held this year: the year's own record, else carried from last year.
        let held_now = match by_year.get(&year) {
            Some((Some(h), _)) => Some(*h),
            _ => match by_year.get(&(year - 1)) {
                Some((Some(true), _)) => {
                    let streak = failing_streak(&by_year, year - 1, None);
                    Some(streak <= t.notice_years)
                }
                Some((Some(false), Some(true))) => Some(t.gain_next_year),
                Some((Some(false), _)) => Some(false),
                _ => None,
            },
        };
        let Some(held) = held_now else {
            // No history: decide on this year alone.
            return (
                q,
                q.map(member_state).unwrap_or(CategoryState::Undetermined),
                history,
            );
        };
        match (held, q) {
            // This year's result cannot be decided; it matters only when the two possible
            // results give different memberships this year.
            (true, None) => {
                if failing_streak(&by_year, year, Some(false)) <= t.notice_years {
                    (Some(true), CategoryState::MemberByHistory, history)
                } else {
                    (None, CategoryState::Undetermined, history)
                }
            }
            (false, None) if t.gain_next_year => {
                (Some(false), CategoryState::NotMemberByHistory, history)
            }
            (false, None) => (None, CategoryState::Undetermined, history),
            (true, Some(true)) => (Some(true), CategoryState::Continuing, history),
            (true, Some(false)) => {
                let k = failing_streak(&by_year, year, Some(false));
                if k <= t.notice_years {
                    (
                        Some(true),
                        CategoryState::Notice {
                            year: k,
                            of: t.notice_years,
                        },
                        history,
                    )
                } else {
                    (Some(false), CategoryState::Reclassified, history)
                }
            }
            (false, Some(true)) if t.gain_next_year => {
                (Some(false), CategoryState::NewlyQualifying, history)
            }
            (false, Some(true)) => (Some(true), CategoryState::Member, history),
            (false, Some(false)) => (Some(false), CategoryState::NotMember, history),
        }
    }

    fn window(&mut self, w: usize) -> Option<ResolvedWindow> {
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

    fn entity_name(&self) -> Option<String> {
        let rec = self.model().schema.record(self.entity)?;
        let f = rec.field("name")?;
        match self.ev.entities.row(self.entity, self.idx)?.get(f)? {
            Value::Text(t) if !rec.fields.get(f)?.private => Some(t.clone()),
            _ => None,
        }
    }

    fn finding(
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
            entity: self
                .ev
                .entities
                .id(self.entity, self.idx)
                .unwrap_or("")
                .to_string(),
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

    fn entity_loc(&self) -> Option<DataLoc> {
        let (file, pos) = self.ev.entities.row_pos(self.entity, self.idx)?;
        Some(DataLoc {
            file: file.display().to_string(),
            location: pos.location(None),
            number: pos.number(),
        })
    }

    /// Measures named in an expression, with their values: `conferences_held = 1`.
    fn inputs(&mut self, e: &TExpr) -> String {
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
                        MeasureDef::Formula(_) => format!("{} is undefined", me.name),
                    },
                })
            })
            .chain(extra)
            .collect();
        parts.join(", ")
    }

    fn run(&mut self, erec: &Record) -> (Vec<Finding>, Explanation) {
        let model = self.model();
        let mut findings = Vec::new();
        let mut outcomes = Vec::new();
        let mut retention = Vec::new();
        // Categories: undetermined ones are findings of their own.
        let mut decisions = Vec::new();
        for (ci, cat) in model.categories.iter().enumerate() {
            if cat.entity != self.entity {
                continue;
            }
            let (member, state, history) = self.category_value(ci);
            if !self.explain && state != CategoryState::Undetermined {
                continue;
            }
            let reason = {
                let ins = self.inputs(&cat.when);
                let q = eval_bool(&cat.when, self);
                let verdict = match q {
                    Some(true) => "true",
                    Some(false) => "false",
                    None => "undetermined",
                };
                let text = self.ev.sources.slice(cat.when.span).to_string();
                if ins.is_empty() {
                    format!("{text} → {verdict}")
                } else {
                    format!("{text} ({ins}) → {verdict}")
                }
            };
            let small = match &cat.when.kind {
                TExprKind::Compare(_, l, _) => match l.kind {
                    TExprKind::Measure(m) => self
                        .model()
                        .guide
                        .suppress_below
                        .map(|n| self.is_small(m, n, 0))
                        .unwrap_or(false),
                    _ => false,
                },
                _ => false,
            };
            let (distance, gap) = if small {
                (None, None)
            } else {
                (self.distance(&cat.when), self.gap(&cat.when))
            };
            if state == CategoryState::Undetermined {
                let rule = RuleDef {
                    name: cat.name.clone(),
                    modal: crate::syntax::ast::Modal::Should,
                    severity: Severity::Warning,
                    entity: cat.entity,
                    applies: None,
                    check: Check::Holds(cat.when.clone()),
                    quote: None,
                    section: cat.section.clone(),
                    text: String::new(),
                    span: cat.span,
                };
                let causes = self.ev.cov.categories.get(ci).cloned().unwrap_or_default();
                let note = if causes.is_empty() {
                    self.skipped_note(&cat.when).or(distance.clone())
                } else {
                    Some(self.ev.cov.text(&causes))
                };
                let mut f = self.finding(
                    &rule,
                    Status::Undetermined,
                    Severity::Warning,
                    // `...: hbao_share > 70% (hbao_share is undefined) → undetermined; no
                    // resident to divide by` or `...; 2 student rows of this school skipped`
                    match note {
                        Some(d) => {
                            format!("category {} cannot be decided: {reason}; {d}", cat.name)
                        }
                        None => format!("category {} cannot be decided: {reason}", cat.name),
                    },
                    None,
                );
                f.causes = causes.into_iter().collect();
                findings.push(f);
            }
            if !self.explain {
                continue;
            }
            decisions.push(CategoryDecision {
                name: cat.name.clone(),
                member,
                state,
                reason,
                history,
                distance,
                gap,
            });
        }
        for (ri, rule) in model.rules.iter().enumerate() {
            if rule.entity != self.entity {
                continue;
            }
            let applies = match &rule.applies {
                None => Some(true),
                Some(a) => eval_bool(a, self),
            };
            // Whether the rule applies cannot be decided: it matters only when the rule, were it
            // to apply, would not be met.
            if applies.is_none()
                && let Some(a) = &rule.applies
            {
                let before = findings.len();
                let mut kept = Vec::new();
                self.rule(ri, rule, &mut kept, &mut retention);
                let why = format!(
                    "whether it applies ({}) cannot be decided: {}",
                    self.ev.sources.slice(a.span),
                    self.inputs(a)
                );
                let causes = self.ev.cov.of_expr(a, self.entity);
                for mut f in kept {
                    if f.status != Status::Undetermined {
                        f.message = format!("{why}; if it applies: {}", f.message);
                        f.status = Status::Undetermined;
                    }
                    f.causes.extend(causes.iter().copied());
                    f.causes.sort_unstable();
                    f.causes.dedup();
                    findings.push(f);
                }
                if !self.explain {
                    continue;
                }
                let mine: Vec<&Finding> = findings.get(before..).unwrap_or(&[]).iter().collect();
                outcomes.push(RuleOutcome {
                    rule: rule.name.clone(),
                    severity: rule.severity,
                    outcome: if mine.is_empty() {
                        "ok".into()
                    } else {
                        "undetermined".into()
                    },
                    detail: Some(match mine.first() {
                        Some(f) => f.message.clone(),
                        None => format!("{why}; met either way"),
                    }),
                });
                continue;
            }
            if applies != Some(true) {
                if !self.explain {
                    continue;
                }
                outcomes.push(RuleOutcome {
                    rule: rule.name.clone(),
                    severity: rule.severity,
                    outcome: if applies.is_none() {
                        "undetermined".into()
                    } else {
                        "not applicable".into()
                    },
                    detail: rule.applies.as_ref().map(|a| {
                        let text = self.ev.sources.slice(a.span);
                        if applies.is_none() {
                            // Say which part cannot be decided: `PHBAO is undetermined, ...`.
                            format!("applies to {text} ({})", self.inputs(a))
                        } else {
                            format!("applies to {text}")
                        }
                    }),
                });
                continue;
            }
            let before = findings.len();
            self.rule(ri, rule, &mut findings, &mut retention);
            if !self.explain {
                continue;
            }
            let mine: Vec<&Finding> = findings.get(before..).unwrap_or(&[]).iter().collect();
            let outcome = if mine.is_empty() {
                "ok".to_string()
            } else {
                let mut statuses: Vec<&str> = mine.iter().map(|f| f.status.word()).collect();
                statuses.sort_unstable();
                statuses.dedup();
                statuses.join(", ")
            };
            outcomes.push(RuleOutcome {
                rule: rule.name.clone(),
                severity: rule.severity,
                outcome,
                detail: mine.first().map(|f| f.message.clone()),
            });
        }
        let mut measures = Vec::new();
        for (mi, m) in model.measures.iter().enumerate() {
            if !self.explain {
                break;
            }
            if m.entity != self.entity || m.section.is_none() && m.name.contains(' ') {
                continue;
            }
            let v = self.measure_value(mi);
            let exact = self
                .measures
                .get(mi)
                .cloned()
                .flatten()
                .and_then(|(_, exact)| exact);
            let shown = match &v {
                Some(v) => self.show_measure(mi, v),
                None => "undefined".into(),
            };
            let hidden = shown.starts_with("suppressed");
            let exact_shown = match (&exact, &v) {
                (Some(Value::Number(r)), Some(rv))
                    if !hidden
                        && (Some(&Value::Number(*r)) != Some(rv) || m.ty == Type::Percent) =>
                {
                    Some(format!("{}/{}", r.num, r.den))
                }
                _ => None,
            };
            let inputs = match &m.def {
                MeasureDef::Formula(e) => Some(self.formula_text(e)),
                MeasureDef::Agg { .. } => Some(
                    self.ev
                        .sources
                        .slice(m.span)
                        .split_once('=')
                        .map(|(_, r)| r.trim().to_string())
                        .unwrap_or_default(),
                ),
            };
            measures.push(MeasureValue {
                name: m.name.clone(),
                value: shown,
                exact: exact_shown,
                inputs,
            });
        }
        let mut windows = Vec::new();
        for (wi, w) in model.windows.iter().enumerate() {
            if !self.explain {
                break;
            }
            if w.entity != self.entity {
                continue;
            }
            let text = match self.window(wi) {
                Some((lo, hi, text)) => format!("{text} = {}", show_window(lo, hi)),
                None => "undetermined (no case applies, or a date is missing)".into(),
            };
            windows.push((w.name.clone(), text));
        }
        let x = Explanation {
            entity_kind: erec.name.clone(),
            entity: self
                .ev
                .entities
                .id(self.entity, self.idx)
                .unwrap_or("")
                .to_string(),
            entity_name: self.entity_name(),
            measures,
            categories: decisions,
            windows,
            rules: outcomes,
            retention,
        };
        (findings, x)
    }

    /// `hbao_resident 812 / resident 1002`
    fn formula_text(&mut self, e: &TExpr) -> String {
        let text = self.ev.sources.slice(e.span).to_string();
        let ins = self.inputs(e);
        if ins.is_empty() {
            text
        } else {
            format!("{text} where {ins}")
        }
    }

    /// The share less the threshold when `when` compares a percentage measure with a
    /// percentage (`hbao_share > 70%`): positive above the line.
    fn gap(&mut self, when: &TExpr) -> Option<Ratio> {
        let TExprKind::Compare(_, lhs, rhs) = &when.kind else {
            return None;
        };
        let (TExprKind::Measure(m), TExprKind::Const(Value::Number(p))) = (&lhs.kind, &rhs.kind)
        else {
            return None;
        };
        if self.model().measures.get(*m)?.ty != Type::Percent {
            return None;
        }
        let Value::Number(v) = self.measure_value(*m)? else {
            return None;
        };
        Ratio::new(
            v.num
                .checked_mul(p.den)?
                .checked_sub(p.num.checked_mul(v.den)?)?,
            v.den.checked_mul(p.den)?,
        )
    }

    /// How far a share is from a threshold, in students: only for `a / b > p` and similar.
    fn distance(&mut self, when: &TExpr) -> Option<String> {
        let TExprKind::Compare(op, lhs, rhs) = &when.kind else {
            return None;
        };
        let TExprKind::Measure(m) = lhs.kind else {
            return None;
        };
        let TExprKind::Const(Value::Number(p)) = &rhs.kind else {
            return None;
        };
        let model = self.model();
        let measure = model.measures.get(m)?;
        let MeasureDef::Formula(f) = &measure.def else {
            return None;
        };
        let TExprKind::Arith(ArithOp::Div, num, den) = &f.kind else {
            return None;
        };
        let (TExprKind::Measure(nm), TExprKind::Measure(dm)) = (&num.kind, &den.kind) else {
            return None;
        };
        let a = match self.measure_value(*nm)? {
            Value::Int(n) => i128::from(n),
            _ => return None,
        };
        let b = match self.measure_value(*dm)? {
            Value::Int(n) => i128::from(n),
            _ => return None,
        };
        let num_name = model.measures.get(*nm)?.name.clone();
        let strict = match op {
            CmpOp::Gt => true,
            CmpOp::Ge => false,
            _ => return None,
        };
        let rounding = measure.rounding;
        let passes = |a: i128, b: i128| -> bool {
            let Some(v) = Ratio::new(a, b) else {
                return false;
            };
            let v = match rounding {
                RoundingMode::HalfUp(step) => round_half_up(v, step).unwrap_or(v),
                RoundingMode::Exact => v,
            };
            let o = v.cmp_exact(p);
            if strict {
                o == std::cmp::Ordering::Greater
            } else {
                o != std::cmp::Ordering::Less
            }
        };
        if b == 0 {
            return Some(format!("no {} to divide by", model.measures.get(*dm)?.name));
        }
        if passes(a, b) {
            // How many of the numerator's students could leave (from both counts) and still pass.
            let mut lo = 0i128;
            let mut hi = a;
            while lo < hi {
                let mid = (lo + hi + 1) / 2;
                if passes(a - mid, b - mid) {
                    lo = mid
                } else {
                    hi = mid - 1
                }
            }
            Some(format!(
                "{lo} {num_name} above the line (the share stays above the threshold with {lo} fewer)"
            ))
        } else {
            // How many more numerator students (joining both counts) it would take.
            let mut lo = 1i128;
            let mut hi = 1i128;
            while !passes(a + hi, b + hi) {
                hi = hi.checked_mul(2)?;
                if hi > 1_000_000_000 {
                    return None;
                }
            }
            while lo < hi {
                let mid = (lo + hi) / 2;
                if passes(a + mid, b + mid) {
                    hi = mid
                } else {
                    lo = mid + 1
                }
            }
            Some(format!("would need {lo} more {num_name} to qualify"))
        }
    }

    /// Decides one rule for this entity. A row rule that the rows read meet is undetermined
    /// when rows of this entity it would read were skipped for data errors: one of them may be
    /// the row that fails it.
    fn rule(
        &mut self,
        ri: usize,
        rule: &RuleDef,
        out: &mut Vec<Finding>,
        retention: &mut Vec<String>,
    ) {
        let before = out.len();
        self.decide_rule(ri, rule, out, retention);
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

    fn decide_rule(
        &mut self,
        ri: usize,
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
    fn check_rule(
        &mut self,
        ri: usize,
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
            } => {
                if let Some(st) = self
                    .ev
                    .streamed
                    .get(&ri)
                    .and_then(|v| v.get(self.idx as usize))
                {
                    let (fname, rname) = names(schema, *record, *field);
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
                    } => {
                        let mut days = BTreeMap::new();
                        for r in self.kept_rows(*o) {
                            if let Some(f) = ofl {
                                self.row = Some(&r.values);
                                let ok = eval_bool(f, self) == Some(true);
                                self.row = None;
                                if !ok {
                                    continue;
                                }
                            }
                            if let Some(d) = r.values.get(*of).and_then(date_of) {
                                days.entry(d).or_insert(r);
                            }
                        }
                        Some(days)
                    }
                    _ => None,
                };
                for r in rows {
                    self.row = Some(&r.values);
                    let pass_filter = filter
                        .as_ref()
                        .map(|f| eval_bool(f, self) == Some(true))
                        .unwrap_or(true);
                    self.row = None;
                    if !pass_filter {
                        continue;
                    }
                    let Some(v) = r.values.get(*field) else {
                        continue;
                    };
                    if *v == Value::Null {
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
                            let Some(rhs) = rhs else { continue };
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
            }
            Check::Deadline {
                record,
                filter,
                field,
                due,
            } => {
                let Some(due) = eval(due, self).as_ref().and_then(date_of) else {
                    out.push(self.finding(
                        rule,
                        Status::Undetermined,
                        rule.severity,
                        "the due date cannot be determined".into(),
                        None,
                    ));
                    return;
                };
                let (fname, rname) = names(schema, *record, *field);
                let filter_text = filter
                    .as_ref()
                    .map(|f| format!(" where {}", self.ev.sources.slice(f.span)))
                    .unwrap_or_default();
                let mut done: Vec<(NaiveDate, DataLoc)> = Vec::new();
                // The first matching row whose date is empty: the item was started, not done.
                let mut blank: Option<DataLoc> = None;
                for r in self.kept_rows(*record) {
                    self.row = Some(&r.values);
                    let ok = filter
                        .as_ref()
                        .map(|f| eval_bool(f, self) == Some(true))
                        .unwrap_or(true);
                    self.row = None;
                    if !ok {
                        continue;
                    }
                    match r.values.get(*field).and_then(date_of) {
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
                until,
            } => {
                let (fname, rname) = names(schema, *record, *from);
                for r in self.kept_rows(*record) {
                    let Some(start) = r.values.get(*from).and_then(date_of) else {
                        continue;
                    };
                    let Some(keep_until) = add_duration(start, *period, 1) else {
                        continue;
                    };
                    if self.explain {
                        let loc = self.ev.loc(r);
                        retention.push(format!(
                            "{rname} {fname} {} ({} {}): keep until {}",
                            us_date(start),
                            loc.file,
                            loc.location,
                            us_date(keep_until)
                        ));
                    }
                    if let Some(gone) = until.and_then(|u| r.values.get(u)).and_then(date_of)
                        && gone < keep_until
                    {
                        out.push(self.finding(
                            rule,
                            Status::Violation,
                            rule.severity,
                            format!(
                                "{rname} of {} was discarded {}, before {} ({period} from {fname})",
                                us_date(start),
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

    /// Whether an `each` rule has, for this entity, no row to check at all, known from rows that
    /// were read whole: then whatever was not read (the days of a `not on` test) cannot matter.
    fn nothing_to_check(&mut self, rule: &RuleDef) -> bool {
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
            self.row = Some(&r.values);
            let pass = filter
                .as_ref()
                .map(|f| eval_bool(f, self) != Some(false))
                .unwrap_or(true);
            self.row = None;
            if pass {
                return false;
            }
        }
        true
    }

    /// The gaps in the data a window's cases and bounds rest on.
    fn window_causes(&self, w: usize) -> std::collections::BTreeSet<usize> {
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

    fn kept_rows(&self, record: RecordId) -> &'e [KeptRow] {
        self.ev
            .kept
            .get(&record)
            .and_then(|k| k.get(self.idx as usize))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// A short label for a row, from its first enum field: `open_house`.
    fn row_label(&self, record: RecordId, values: &[Value]) -> String {
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

fn member_state(q: bool) -> CategoryState {
    if q {
        CategoryState::Member
    } else {
        CategoryState::NotMember
    }
}

/// Consecutive failing years ending at `year`: `now` is this year's result when known, else the
/// history's `qualified` for that year.
fn failing_streak(
    by_year: &BTreeMap<i32, (Option<bool>, Option<bool>)>,
    year: i32,
    now: Option<bool>,
) -> u32 {
    let mut k = 0u32;
    let mut y = year;
    let mut first = true;
    loop {
        let q = if first && now.is_some() {
            now
        } else {
            by_year.get(&y).and_then(|(_, q)| *q)
        };
        first = false;
        if q != Some(false) {
            return k;
        }
        k += 1;
        y -= 1;
        if k > 100 {
            return k;
        }
    }
}

fn measures_in(e: &TExpr, out: &mut Vec<usize>) {
    e.walk(&mut |x| {
        if let TExprKind::Measure(m) = x.kind {
            out.push(m);
        }
    });
}

enum Leaf {
    Field(usize),
    Category(usize),
}

fn leaves_in(e: &TExpr, out: &mut Vec<Leaf>) {
    e.walk(&mut |x| match x.kind {
        TExprKind::EntityField(f) => out.push(Leaf::Field(f)),
        TExprKind::Category(c) => out.push(Leaf::Category(c)),
        _ => {}
    });
}

fn names(schema: &Schema, record: RecordId, field: usize) -> (&str, &str) {
    let rec = schema.record(record);
    (
        rec.and_then(|r| r.fields.get(field))
            .map_or("", |f| f.name.as_str()),
        rec.map_or("", |r| r.name.as_str()),
    )
}

fn in_window(
    d: NaiveDate,
    lo: Option<(BoundKind, NaiveDate)>,
    hi: Option<(BoundKind, NaiveDate)>,
) -> bool {
    let lower_ok = match lo {
        None => true,
        Some((BoundKind::After, b)) => d > b,
        Some((_, b)) => d >= b,
    };
    let upper_ok = match hi {
        None => true,
        Some((BoundKind::Before, b)) => d < b,
        Some((_, b)) => d <= b,
    };
    lower_ok && upper_ok
}

/// The window's first and last allowed days: `9/20/2023 to 12/7/2023`.
fn show_window(lo: Option<(BoundKind, NaiveDate)>, hi: Option<(BoundKind, NaiveDate)>) -> String {
    let first = lo.and_then(|(k, d)| match k {
        BoundKind::After => d.succ_opt(),
        _ => Some(d),
    });
    let last = hi.and_then(|(k, d)| match k {
        BoundKind::Before => d.pred_opt(),
        _ => Some(d),
    });
    match (first, last) {
        (Some(a), Some(b)) => format!("{} to {}", us_date(a), us_date(b)),
        (Some(a), None) => format!("from {}", us_date(a)),
        (None, Some(b)) => format!("through {}", us_date(b)),
        (None, None) => "any day".into(),
    }
}
