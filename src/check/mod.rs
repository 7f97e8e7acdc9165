//! Stage 2: AST → checked [`Model`], with diagnostics. Every name is resolved, every expression
//! typed and every literal validated before any data is read.
//!
//! Entry points: [`check_path`] reads a policy and its includes; [`check`] checks what was read.
//!
//! One `Checker` walks the definitions in a fixed order (`Checker::run`); its methods live in one
//! file per concern:
//!
//! | file | what it checks |
//! |---|---|
//! | `load.rs` | reading the files and their includes |
//! | `names.rs` | every definition collected; duplicates, unknown names, unused ones |
//! | `guide.rs` | the `guide` block |
//! | `types.rs` | value types and their spellings, sets, constants |
//! | `records.rs` | records, fields, keys, links between entities |
//! | `entity.rs` | which entity a statement is about: `per`, or inferred from what it reads |
//! | `measures.rs` | measures and aggregations, in dependency order |
//! | `categories.rs` | categories and their transitions |
//! | `windows.rs` | windows, and dates inside the school year |
//! | `rules.rs` | rules |
//! | `stale.rs` | dates left from last year's revision; quoted dates that disagree with their rule |
//! | `chains.rs` | how long a chain of measures may be |
//! | `privacy.rs` | that nothing computed from a `private` field is printed |
//! | `exprs.rs`, `refs.rs`, `values.rs` | expressions (`refs.rs`: the names and `a.b` paths in them) and literals, for all of the above |
//! | `diag.rs` | the diagnostics ([`Problem`]) |
//! | `model.rs` | what the checker hands on ([`Model`]); `ids.rs` its typed ids and [`ids::Table`], `ratio.rs` exact numbers |

mod categories;
mod chains;
pub mod diag;
mod entity;
mod exprs;
mod filters;
mod guide;
pub mod ids;
pub mod load;
mod measures;
pub mod model;
mod names;
mod privacy;
mod ratio;
mod records;
mod refs;
mod rules;
mod school_days;
mod stale;
mod texts;
mod types;
mod values;
mod windows;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

pub use diag::Problem;
pub use load::{Loaded, ReadError, load, load_overlay, load_text};
pub use model::Severity;
use model::*;

use crate::syntax::ast::{self, Stmt};
use crate::syntax::{FileId, Span};

/// The result of checking a policy: the model when there are no errors, and every problem found.
#[derive(Debug)]
pub struct Checked {
    pub model: Option<Model>,
    pub problems: Vec<Problem>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(Problem::is_error)
    }
}

/// Reads `path` with its includes and checks it.
pub fn check_path(path: &Path) -> Result<(Loaded, Checked), ReadError> {
    let loaded = load(path)?;
    let checked = check(&loaded);
    Ok((loaded, checked))
}

/// Checks a loaded policy.
pub fn check(loaded: &Loaded) -> Checked {
    let mut c = Checker::new(loaded);
    c.run();
    c.model.texts = texts::collect(&c.model, &loaded.sources);
    c.problems.extend(privacy::check(&c.model));
    c.problems.extend(chains::check(&c.model));
    let mut problems = loaded.problems.clone();
    problems.append(&mut c.problems);
    diag::sort(&mut problems);
    // The two ends of a range share a span, so the same problem can be found twice.
    problems.dedup_by(|a, b| {
        (a.code, a.span.file, a.span.start, a.span.end, &a.message)
            == (b.code, b.span.file, b.span.start, b.span.end, &b.message)
    });
    let model = if problems.iter().any(Problem::is_error) {
        None
    } else {
        Some(c.model)
    };
    Checked { model, problems }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DefKind {
    Type,
    Set,
    Const,
    Record,
    Measure,
    Category,
    Window,
    Rule,
    NonSchoolDays,
}

impl DefKind {
    fn word(self) -> &'static str {
        match self {
            DefKind::Type => "type",
            DefKind::Set => "set",
            DefKind::Const => "constant",
            DefKind::Record => "record",
            DefKind::Measure => "measure",
            DefKind::Category => "category",
            DefKind::Window => "window",
            DefKind::Rule => "rule",
            DefKind::NonSchoolDays => "list of non-school days",
        }
    }
}

/// A definition and where it stands.
struct Def<'a> {
    kind: DefKind,
    stmt: &'a Stmt,
    section: Option<&'a ast::Section>,
    /// Index in the model's list for its kind, once built.
    index: Option<usize>,
    /// The `replace` word before the definition, if it has one.
    replace: Option<Span>,
    /// The name of the included definition this one replaces.
    replaced: Option<Span>,
}

/// State of a measure or category while resolving dependencies.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Progress {
    Todo,
    Busy,
    Done,
    Failed,
}

pub(crate) struct Checker<'a> {
    loaded: &'a Loaded,
    defs: Vec<Def<'a>>,
    names: BTreeMap<String, usize>,
    used: BTreeSet<usize>,
    problems: Vec<Problem>,
    model: Model,
    progress: BTreeMap<usize, Progress>,
    /// Files whose definitions are reported when unused.
    report_unused: BTreeSet<FileId>,
    hidden_measures: usize,
    /// Share measures that do not say how they are rounded.
    unrounded: BTreeSet<MeasureId>,
    /// Measures and categories being checked, innermost last: the path of a dependency cycle.
    busy: Vec<usize>,
    /// An aggregate's filter is being checked: it is decided as the rows stream past, before
    /// non-school days read from the data are known.
    in_agg_filter: bool,
}

const BUILTIN_TYPES: &[(&str, Type)] = &[
    ("text", Type::Text),
    ("int", Type::Int),
    ("number", Type::Number),
    ("bool", Type::Bool),
    ("date", Type::Date),
    ("percent", Type::Percent),
    ("ratio", Type::Ratio),
    ("duration", Type::Duration),
    ("school_year", Type::SchoolYear),
    ("weight", Type::Weight),
    ("money", Type::Money),
];

impl<'a> Checker<'a> {
    fn new(loaded: &'a Loaded) -> Self {
        Checker {
            loaded,
            defs: Vec::new(),
            names: BTreeMap::new(),
            used: BTreeSet::new(),
            problems: Vec::new(),
            model: Model::default(),
            progress: BTreeMap::new(),
            report_unused: BTreeSet::new(),
            hidden_measures: 0,
            unrounded: BTreeSet::new(),
            busy: Vec::new(),
            in_agg_filter: false,
        }
    }

    pub(crate) fn push(&mut self, p: Problem) {
        self.problems.push(p);
    }

    fn text(&self, span: Span) -> &'a str {
        self.loaded.sources.slice(span)
    }

    fn run(&mut self) {
        self.collect();
        self.filter_ends();
        self.guide();
        self.types();
        self.records();
        self.non_school_days();
        self.sets();
        self.consts();
        self.measures();
        self.categories();
        self.windows();
        self.rules();
        self.unused();
        self.stale_dates();
    }
}
