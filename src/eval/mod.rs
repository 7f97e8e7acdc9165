//! Stage 4: a checked model + data → findings and explanations.
//!
//! The plan: load the entities (schools), then stream each other record type once. Aggregations
//! update per-entity accumulators as rows go by; row checks that need only the row are decided on
//! the spot; records that rules must see row by row (conferences, certifications, history) are kept,
//! grouped by entity. Then, per entity: measures, categories (with multi-year transitions),
//! windows, and rules.
//!
//! | file | what it does |
//! |---|---|
//! | `mod.rs` | the entry points, the types every part shares, deciding the entities in runs |
//! | `read.rs` | reading the records on threads: a large CSV file in parts, small files in between; what overflowed or lies outside the school year |
//! | `plan.rs` | the per-record read plan: fields read, aggregations, streamed row checks, rows kept, the school-year bound |
//! | `filter.rs` | `where` filters decided by table lookup |
//! | `coverage.rs` | the gaps in the data (not read), what rests on each, and their summaries |
//! | `entity.rs` | one entity: measures, categories, windows, the wording of inputs |
//! | `category.rs` | multi-year categories: the status held from the history, notice years, the state |
//! | `decide.rs` | everything decided about one entity: categories, rules, explanation, distance to a threshold |
//! | `rules.rs` | the rule kinds: condition, `each`, deadline, retention |
//! | `row_due.rs` | per-row deadlines: each row ok, late, pending or overdue, and the findings naming the first rows |
//! | `rows.rs` | what rules read of an entity's rows: per-row deadline counts, empty values, kept rows, labels |
//! | `window.rs` | where a date word (`by`, `before`, `from`, `after`) is defined: the days a window holds, its first and last days |
//! | `value.rs` | expressions and three-valued logic |
//! | `finding.rs` | what evaluation hands the reporters |
//! | `near.rs` | the entities within a margin of a category's threshold (`--near`), exactly |

mod category;
mod coverage;
mod decide;
mod entity;
mod filter;
pub mod finding;
mod near;
mod plan;
mod read;
mod row_due;
mod rows;
mod rules;
pub mod value;
mod window;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

pub use finding::*;
pub use near::near;
use value::{Scope, as_ratio, date_of, eval, eval_bool, round_half_up, show};

use crate::check::model::*;
use crate::data::{self, DataError, DataSet, Entities, FileRead};
use crate::syntax::Sources;
use crate::syntax::ast::BoundKind;
use filter::*;
use plan::*;
use window::{in_window, show_window};

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
    /// One per entity checked, in kind then id order: its categories and every rule's outcome.
    pub results: Vec<EntityResult>,
    /// The policy's rules, in declaration order ([`RuleResult::rule`] indexes this).
    pub rules: Table<RuleId, RuleInfo>,
    /// The policy's categories, in declaration order ([`CategoryResult::category`] indexes this).
    pub categories: Table<CategoryId, CategoryInfo>,
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
    /// The data files found, with the record each holds, in the order they were read.
    pub files: Vec<(String, PathBuf)>,
    /// The size and SHA-256 of each data file read through, taken from the bytes as they were
    /// read (so of the data judged); a file not read through has none.
    pub digests: BTreeMap<PathBuf, data::Digest>,
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
    /// Rows whose value is empty (or is compared with an empty one) when the policy does not say
    /// how that counts: undetermined.
    blank: u64,
    blank_first: Vec<DataLoc>,
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

/// The threads a lint parses and decides on: `MANDATE_THREADS` when set to a positive number,
/// else the machine's available parallelism. A large CSV file also has a reader thread of its
/// own, which reads and digests it while these parse it (see [`data::stream_parts`]).
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
    let school_days = model
        .non_school_days_from
        .as_ref()
        .and_then(|src| read_non_school_days(src, &set, &reads, &errors, &entities));
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
        school_days,
    };
    ev.read(&set, &mut errors, &mut reads);
    let digests = reads
        .iter()
        .filter_map(|r| Some((r.path.clone(), r.digest.clone()?)))
        .collect();
    ev.cov = coverage::Coverage::new(
        model,
        &set,
        &reads,
        &set.passed_over(),
        &ev.unowned,
        opts.absent_is_empty,
    );
    if let Some(src) = &model.non_school_days_from
        && ev.school_days.is_none()
        && let Some(rec) = model.schema.record(src.record)
    {
        ev.cov.calendar_rows_unread(&rec.name);
    }
    let (findings, explanations, results, count) = ev.decide();
    let mut gaps = coverage::gaps(&ev.cov, &findings);
    // With no entity to check, nothing rests on the other records: the missing entities are the
    // data error to fix first.
    if count == 0 {
        gaps.retain(|g| !g.rules.is_empty());
    }
    // `43 schools`, or `5 schools and 2 districts` when rules are about several kinds.
    let by_kind = model
        .schema
        .entities()
        .filter(|(eid, _)| is_about(model, *eid))
        .map(|(eid, r)| (r.name.clone(), ev.entities.len(eid)))
        .filter(|(_, n)| *n > 0)
        .collect();
    let rows = ev.rows;
    let files = set
        .files
        .iter()
        .map(|(r, p)| {
            let record = model.schema.record(*r).map(|r| r.name.clone());
            (record.unwrap_or_default(), p.clone())
        })
        .collect();
    let mut ids: Vec<String> = model
        .schema
        .entities()
        .filter(|(eid, _)| is_about(model, *eid))
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
    let rules = model
        .rules
        .iter()
        .map(|r| RuleInfo {
            name: r.name.clone(),
            severity: r.severity,
            entity_kind: model
                .schema
                .record(r.entity)
                .map(|e| e.name.clone())
                .unwrap_or_default(),
            section: r.section.clone(),
            quote: r.quote.clone(),
            due: rule_due(model, r),
            text: r.text.clone(),
            policy: policy_loc(sources, r.span),
        })
        .collect();
    let categories = model
        .categories
        .iter()
        .map(|c| CategoryInfo {
            name: c.name.clone(),
            entity_kind: model
                .schema
                .record(c.entity)
                .map(|e| e.name.clone())
                .unwrap_or_default(),
            section: c.section.clone(),
            condition: model.text(c.when.span).to_string(),
            policy: policy_loc(sources, c.span),
        })
        .collect();
    Evaluation {
        findings,
        explanations,
        results,
        rules,
        categories,
        gaps,
        data_errors: errors,
        entities: count,
        ids,
        by_kind,
        rows,
        files,
        digests,
    }
}

/// Where `span` is in the policy, as a reporter needs it.
fn policy_loc(sources: &Sources, span: crate::syntax::Span) -> PolicyLoc {
    // A binary search in the file's line index (a search of a list here was quadratic).
    let (line, column) = sources.line_col(span.file, span.start);
    PolicyLoc {
        file: sources.name(span.file).to_string(),
        line,
        column,
        span,
    }
}

/// When a rule is due, as the policy says it: the deadline's date expression, or the window an
/// `each ... within` rule names.
fn rule_due(model: &Model, rule: &RuleDef) -> Option<String> {
    match &rule.check {
        Check::Deadline { due, .. } => Some(model.text(due.span).to_string()),
        Check::Each {
            test: EachTest::Within(w),
            ..
        } => model.windows.get(*w).map(|w| format!("within {}", w.name)),
        _ => None,
    }
}

/// Whether something in the policy (a measure, category or rule) is about entity kind `eid`:
/// only those entities are checked, counted and listed.
fn is_about(model: &Model, eid: RecordId) -> bool {
    model.measures.iter().any(|m| m.entity == eid)
        || model.categories.iter().any(|c| c.entity == eid)
        || model.rules.iter().any(|r| r.entity == eid)
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
/// The non-school days read from the rows of `src`'s record (an entity, loaded whole before the
/// rest), when every file of it was read whole, with its date columns and without a row error: a
/// day left out would move every count of school days across it, so then there are none, and
/// what counts on them is undetermined (the record's gap says why).
fn read_non_school_days(
    src: &NonSchoolDaysFrom,
    set: &DataSet,
    reads: &[data::FileRead],
    errors: &[DataError],
    entities: &data::Entities,
) -> Option<NonSchoolDays> {
    let files: Vec<String> = set
        .files_of(src.record)
        .map(|p| p.display().to_string())
        .collect();
    if files.is_empty() {
        return None;
    }
    let lacks = |r: &data::FileRead, f: FieldId| r.outcome.absent.contains(&f.0);
    let whole = reads.iter().filter(|r| r.record == src.record).all(|r| {
        r.outcome.skipped.is_none() && !lacks(r, src.from) && src.until.is_none_or(|u| !lacks(r, u))
    });
    if !whole
        || errors
            .iter()
            .any(|e| e.is_error() && files.contains(&e.file))
    {
        return None;
    }
    let mut ranges = Vec::new();
    for i in 0..entities.len(src.record) {
        let row = entities.row(src.record, u32::try_from(i).ok()?)?;
        let Some(Value::Date(first)) = row.value(src.from) else {
            continue;
        };
        let last = match src.until.and_then(|u| row.value(u)) {
            Some(Value::Date(d)) => *d,
            _ => *first,
        };
        ranges.push((*first, last));
    }
    Some(NonSchoolDays::new(ranges))
}

fn missing_entity_files(
    model: &Model,
    inputs: &[PathBuf],
    set: &DataSet,
    errors: &mut Vec<DataError>,
) {
    for (eid, rec) in model.schema.entities() {
        if !is_about(model, eid) || set.files_of(eid).next().is_some() {
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
    accs: BTreeMap<MeasureId, Acc>,
    /// Per record: per entity index, the kept rows.
    kept: BTreeMap<RecordId, Vec<Vec<KeptRow>>>,
    /// Per rule: per entity index, violations found while streaming.
    streamed: BTreeMap<RuleId, Vec<Streamed>>,
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
    /// The non-school days read from the data (`non_school_days from R.F`); None when the policy
    /// reads none, or when they could not be read whole (school days counted on them are then
    /// undefined).
    school_days: Option<NonSchoolDays>,
}

impl<'a> Evaluator<'a> {
    fn ids(&self) -> impl Fn(RecordId, u32) -> Option<String> + '_ {
        |r, i| self.entities.id(r, i).map(str::to_string)
    }

    /// Per entity: measures, categories, windows, rules.
    fn decide(&self) -> (Vec<Finding>, Vec<Explanation>, Vec<EntityResult>, usize) {
        let model = self.model;
        let mut findings = Vec::new();
        let mut explanations = Vec::new();
        let mut results = Vec::new();
        let mut count = 0;
        for (eid, erec) in model.schema.entities() {
            let n = self.entities.len(eid);
            // Only entities something in the policy is about.
            if !is_about(model, eid) {
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
                let mut results = Vec::new();
                for &idx in part {
                    let mut cx = EntityCx::new(self, eid, idx);
                    let (mut f, x, r) = cx.run(erec);
                    results.push(r);
                    // Sorted here, on the threads; entities come in id order, so the whole is
                    // then sorted too (checked below).
                    f.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
                    findings.append(&mut f);
                    if self.explain {
                        explanations.push(x);
                    }
                }
                (findings, explanations, results)
            };
            // Runs of entities are taken by the threads in turn.
            let size = order
                .len()
                .div_ceil(self.split.threads.max(1) * DECIDE_PARTS_PER_THREAD)
                .max(DECIDE_PART_MIN);
            let parts: Vec<&[u32]> = order.chunks(size).collect();
            let decided: Vec<(Vec<Finding>, Vec<Explanation>, Vec<EntityResult>)> =
                if parts.len() > 1 {
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
            for (mut f, mut x, mut r) in decided {
                findings.append(&mut f);
                explanations.append(&mut x);
                results.append(&mut r);
            }
        }
        if !findings.is_sorted_by(|a, b| a.sort_key() <= b.sort_key()) {
            findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        }
        (findings, explanations, results, count)
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
        policy_loc(self.sources, span)
    }
}

/// A category for one entity: membership this year, the state, and the history behind it.
type Decision = (Option<bool>, CategoryState, Vec<String>);

/// A measure for one entity, once computed: its value as compared, and exact.
type Computed = (Option<Value>, Option<Value>);

/// Evaluation of one entity, with memoised measures and categories.
struct EntityCx<'e, 'a> {
    ev: &'e Evaluator<'a>,
    entity: RecordId,
    idx: u32,
    /// Per measure, once computed: its value as compared, and exact.
    measures: Table<MeasureId, Option<Computed>>,
    /// Per category, once decided.
    categories: Table<CategoryId, Option<Decision>>,
    /// Measures and categories being computed (a cycle gives undefined).
    busy_measures: Table<MeasureId, bool>,
    busy_categories: Table<CategoryId, bool>,
    row: Option<&'e [Value]>,
    /// Whether to build the entity's [`Explanation`]; without, only its findings.
    explain: bool,
}
