//! Stage 2: AST → checked [`Model`], with diagnostics. Every name is resolved, every expression
//! typed and every literal validated before any data is read.
//!
//! Entry points: [`check_path`] reads a policy and its includes; [`check`] checks what was read.

mod chains;
pub mod diag;
mod exprs;
pub mod load;
pub mod model;
mod privacy;
mod values;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

pub use diag::{Level, Problem};
pub use load::{Loaded, ReadError, load, load_text};
use model::*;

use crate::suggest;

use crate::syntax::ast::{self, CategoryValue, GuideValue, Item, Literal, Spanned, Stmt};
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
    unrounded: BTreeSet<usize>,
    /// Measures and categories being checked, innermost last: the path of a dependency cycle.
    busy: Vec<usize>,
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
];

const GUIDE_KEYS: &[&str] = &["title", "issued", "replaces", "year", "suppress_below"];
const CATEGORY_KEYS: &[&str] = &["held", "qualified", "gain", "loss"];

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
        self.guide();
        self.types();
        self.records();
        self.sets();
        self.consts();
        self.measures();
        self.categories();
        self.windows();
        self.rules();
        self.unused();
    }

    // ───────────────────────── definitions ─────────────────────────

    fn collect(&mut self) {
        let loaded = self.loaded;
        let root_has_guide = loaded
            .files
            .first()
            .map(|(_, f)| f.items.iter().any(|i| matches!(i, Item::Guide(_))))
            .unwrap_or(false);
        if root_has_guide {
            for (id, _) in &loaded.files {
                self.report_unused.insert(*id);
            }
        }
        for (_, file) in &loaded.files {
            for item in &file.items {
                match item {
                    Item::Stmt(s) => self.define(s, None),
                    Item::Section(sec) => {
                        for s in &sec.stmts {
                            self.define(s, Some(sec));
                        }
                    }
                    Item::Include(_) | Item::Guide(_) => {}
                }
            }
        }
    }

    fn define(&mut self, stmt: &'a Stmt, section: Option<&'a ast::Section>) {
        let kind = match stmt {
            Stmt::Type(_) => DefKind::Type,
            Stmt::Set(_) => DefKind::Set,
            Stmt::Const(_) => DefKind::Const,
            Stmt::Record(_) => DefKind::Record,
            Stmt::Measure(_) => DefKind::Measure,
            Stmt::Category(_) => DefKind::Category,
            Stmt::Window(_) => DefKind::Window,
            Stmt::Rule(_) => DefKind::Rule,
        };
        let name = stmt.name();
        if let Some(&prev) = self.names.get(&name.name) {
            let Some((prev_kind, prev_span)) = self
                .defs
                .get(prev)
                .map(|d| (d.kind.word(), d.stmt.name().span))
            else {
                return;
            };
            // Report in the file that includes the other (the one the user is editing), else
            // at the second definition.
            let order = |s: Span| self.loaded.order.iter().position(|f| *f == s.file);
            let (at, other, other_kind, label) = if prev_span.file == name.span.file {
                (name.span, prev_span, prev_kind, "second definition")
            } else if order(prev_span) > order(name.span) {
                // Met first and finished last: `prev`'s file includes this one.
                (
                    prev_span,
                    name.span,
                    kind.word(),
                    "already defined in an included file",
                )
            } else {
                (
                    name.span,
                    prev_span,
                    prev_kind,
                    "also defined in another file",
                )
            };
            let loc = self.location(other);
            let help = if other.file == at.file {
                format!(
                    "the first definition, a {other_kind}, is at {loc}; rename or remove one of them"
                )
            } else {
                format!(
                    "the other definition, a {other_kind}, is at {loc}; a name defined in two files \
                     is a duplicate, not an override: rename or remove one of them"
                )
            };
            self.push(
                Problem::error(
                    "mandate::check::duplicate",
                    at,
                    format!("`{}` is defined twice", name.name),
                )
                .label(label)
                .help(help),
            );
            return;
        }
        if BUILTIN_TYPES.iter().any(|(n, _)| *n == name.name) {
            self.push(
                Problem::error(
                    "mandate::check::reserved-name",
                    name.span,
                    format!("`{}` is the name of a built-in type", name.name),
                )
                .help("choose another name"),
            );
        }
        self.names.insert(name.name.clone(), self.defs.len());
        self.defs.push(Def {
            kind,
            stmt,
            section,
            index: None,
        });
    }

    fn location(&self, span: Span) -> String {
        let (l, c) = self.loaded.sources.line_col(span.file, span.start);
        format!("{}:{l}:{c}", self.loaded.sources.name(span.file))
    }

    fn lookup(&self, name: &str) -> Option<(usize, &Def<'a>)> {
        let i = *self.names.get(name)?;
        self.defs.get(i).map(|d| (i, d))
    }

    fn use_def(&mut self, i: usize) {
        self.used.insert(i);
    }

    fn section_title(&self, sec: Option<&ast::Section>) -> Option<String> {
        sec.map(|s| s.title.node.clone())
    }

    /// Every name in scope, for "did you mean".
    fn all_names(&self) -> Vec<&str> {
        self.names.keys().map(String::as_str).collect()
    }

    fn unknown(&mut self, what: &str, name: &ast::Ident, candidates: &[&str]) {
        let help = match suggest::closest(&name.name, candidates.iter()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("define it, or check the spelling of `{}`", name.name),
        };
        self.push(
            Problem::error(
                "mandate::check::unknown-name",
                name.span,
                format!("unknown {what} `{}`", name.name),
            )
            .label("not defined")
            .help(help),
        );
    }

    fn unknown_field(&mut self, record: &str, name: &ast::Ident, fields: &[&str]) {
        let help = match suggest::closest(&name.name, fields.iter()) {
            Some(s) => format!("did you mean `{s}`?"),
            None if fields.is_empty() => format!("`{record}` declares no fields"),
            None => format!("`{record}` has: {}", fields.join(", ")),
        };
        self.push(
            Problem::error(
                "mandate::check::unknown-name",
                name.span,
                format!("`{record}` has no field `{}`", name.name),
            )
            .label("not a field")
            .help(help),
        );
    }

    // ───────────────────────── guide ─────────────────────────

    fn guide(&mut self) {
        let loaded = self.loaded;
        let mut seen: Option<Span> = None;
        for (fid, file) in &loaded.files {
            for item in &file.items {
                let Item::Guide(g) = item else { continue };
                if Some(*fid) != loaded.root {
                    self.push(
                        Problem::error(
                            "mandate::check::guide-in-include",
                            g.id.span,
                            "an included file has a `guide` block",
                        )
                        .label("a shared file's guide block")
                        .help("only the yearly policy file names its guide; keep shared files to definitions"),
                    );
                    continue;
                }
                if let Some(first) = seen {
                    let at = self.location(first);
                    self.push(
                        Problem::error(
                            "mandate::check::duplicate",
                            g.span,
                            "a policy has one `guide` block",
                        )
                        .help(format!("the first is at {at}; merge them")),
                    );
                    continue;
                }
                seen = Some(g.span);
                self.guide_block(g);
            }
        }
        if seen.is_none()
            && let Some(root) = loaded.root
            && self.report_unused.is_empty()
            && loaded
                .files
                .first()
                .map(|(_, f)| f.items.iter().any(|i| matches!(i, Item::Section(_))))
                .unwrap_or(false)
            && self.defs.iter().any(|d| d.kind == DefKind::Rule)
        {
            self.push(
                Problem::warning(
                    "mandate::check::no-guide",
                    Span::new(root, 0, 0),
                    "this policy has rules but no `guide` block",
                )
                .help("add `guide REF-... { title \"...\" issued DATE year 2023-2024 }` so findings cite the guide"),
            );
        }
    }

    /// True the first time `key` is met in a block; a repeat is a diagnostic.
    fn first_of_key<'k>(
        &mut self,
        seen: &mut BTreeMap<&'k str, Span>,
        key: &'k ast::Ident,
    ) -> bool {
        if let Some(prev) = seen.get(key.name.as_str()) {
            let at = self.location(*prev);
            self.push(
                Problem::error(
                    "mandate::check::duplicate-key",
                    key.span,
                    format!("`{}` is given twice", key.name),
                )
                .help(format!("the first is at {at}; keep one")),
            );
            return false;
        }
        seen.insert(key.name.as_str(), key.span);
        true
    }

    fn guide_block(&mut self, g: &ast::Guide) {
        let mut info = GuideInfo {
            id: g.id.node.clone(),
            span: g.span,
            ..GuideInfo::default()
        };
        let mut keys: BTreeMap<&str, Span> = BTreeMap::new();
        for e in &g.entries {
            let key = e.key.name.as_str();
            if !self.first_of_key(&mut keys, &e.key) {
                continue;
            }
            let word = match &e.value {
                GuideValue::Word(w) => Some(w.node.clone()),
                GuideValue::Lit(l) => match &l.node {
                    Literal::Str(s) => Some(s.clone()),
                    _ => None,
                },
            };
            match key {
                "title" => match &e.value {
                    GuideValue::Lit(l) if matches!(l.node, Literal::Str(_)) => info.title = word,
                    v => self.guide_value_error(v.span(), "title", "a quoted string"),
                },
                "replaces" => match word {
                    Some(w) => {
                        if w == info.id {
                            self.push(
                                Problem::error(
                                    "mandate::check::replaces-itself",
                                    e.value.span(),
                                    format!("`{w}` replaces itself"),
                                )
                                .label("the guide's own number")
                                .help("`replaces` names the previous revision, e.g. REF-1028.18"),
                            );
                        }
                        info.replaces = Some(w);
                    }
                    None => self.guide_value_error(e.value.span(), "replaces", "a guide number"),
                },
                "issued" => match &e.value {
                    GuideValue::Lit(l) => match &l.node {
                        Literal::Date(d) => info.issued = self.date(d, l.span),
                        _ => self.guide_value_error(l.span, "issued", "a date"),
                    },
                    v => self.guide_value_error(v.span(), "issued", "a date"),
                },
                "suppress_below" => match &e.value {
                    GuideValue::Lit(l) => match &l.node {
                        Literal::Number(d) if d.scale == 0 && d.digits > 0 => {
                            info.suppress_below = Some(d.digits);
                        }
                        _ => self.guide_value_error(
                            l.span,
                            "suppress_below",
                            "a whole number of students, such as `10`",
                        ),
                    },
                    v => self.guide_value_error(
                        v.span(),
                        "suppress_below",
                        "a whole number of students, such as `10`",
                    ),
                },
                "year" => match &e.value {
                    GuideValue::Lit(l) => match &l.node {
                        Literal::SchoolYear(a, b) => {
                            info.year = self.school_year(*a, *b, l.span);
                        }
                        _ => self.guide_value_error(
                            l.span,
                            "year",
                            "a school year such as `2023-2024`",
                        ),
                    },
                    v => self.guide_value_error(
                        v.span(),
                        "year",
                        "a school year such as `2023-2024`",
                    ),
                },
                _ => {
                    let help = match suggest::closest(key, GUIDE_KEYS.iter()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("a guide block takes {}", GUIDE_KEYS.join(", ")),
                    };
                    self.push(
                        Problem::error(
                            "mandate::check::unknown-key",
                            e.key.span,
                            format!("unknown guide entry `{key}`"),
                        )
                        .help(help),
                    );
                }
            }
        }
        if !keys.contains_key("year") {
            self.push(
                Problem::warning(
                    "mandate::check::no-year",
                    g.id.span,
                    format!("guide `{}` does not say its school year", g.id.node),
                )
                .help("add `year 2023-2024`; windows and deadlines are checked against it"),
            );
        }
        self.model.guide = info;
    }

    fn guide_value_error(&mut self, span: Span, key: &str, want: &str) {
        self.push(
            Problem::error(
                "mandate::check::type-mismatch",
                span,
                format!("`{key}` takes {want}"),
            )
            .help(format!("write `{key}` followed by {want}")),
        );
    }

    // ───────────────────────── types and records ─────────────────────────

    fn types(&mut self) {
        for i in 0..self.defs.len() {
            let Some(Def {
                stmt: Stmt::Type(t),
                ..
            }) = self.defs.get(i)
            else {
                continue;
            };
            let mut values: Vec<String> = Vec::new();
            for v in &t.values {
                if values.contains(&v.name) {
                    self.push(
                        Problem::error(
                            "mandate::check::duplicate",
                            v.span,
                            format!("`{}` is listed twice in `{}`", v.name, t.name.name),
                        )
                        .help("remove one"),
                    );
                } else {
                    values.push(v.name.clone());
                }
            }
            // Other spellings: each stands for one value, and none for two.
            let alts: Vec<(usize, &Spanned<String>)> = t
                .values
                .iter()
                .zip(&t.spellings)
                .filter_map(|(v, alts)| Some((values.iter().position(|x| *x == v.name)?, alts)))
                .flat_map(|(vi, alts)| alts.iter().map(move |a| (vi, a)))
                .collect();
            let spellings = self
                .other_names(&values, alts, &SPELLINGS)
                .into_iter()
                .filter_map(|(text, vi)| Some((text, u32::try_from(vi).ok()?)))
                .collect();
            let idx = self.model.schema.enums.len();
            self.model.schema.enums.push(EnumType {
                name: t.name.name.clone(),
                values,
                spellings,
                span: t.span,
            });
            if let Some(d) = self.defs.get_mut(i) {
                d.index = Some(idx);
            }
        }
    }

    /// Checks the other names a policy gives its values or fields (`black ("African
    /// American")`, `school ("Loc Code"): school`): none is empty, and none stands for two
    /// owners, whether by an owner's own name or by another's other name (compared as data is
    /// matched: case, spaces, hyphens and underscores aside). Returns the names kept, each with
    /// its owner's index in `owners`.
    fn other_names(
        &mut self,
        owners: &[String],
        names: Vec<(usize, &Spanned<String>)>,
        words: &OtherNames,
    ) -> Vec<(String, usize)> {
        let key = |text: &str| crate::check::model::normalized(text).collect::<String>();
        let mut kept: Vec<(String, usize)> = Vec::new();
        for (owner, name) in names {
            let k = key(&name.node);
            let clash = owners
                .iter()
                .position(|o| key(o) == k)
                .or_else(|| kept.iter().find(|(n, _)| key(n) == k).map(|x| x.1));
            match clash {
                _ if k.is_empty() => self.push(
                    Problem::error("mandate::check::value", name.span, words.empty)
                        .help(words.empty_help),
                ),
                Some(c) if c != owner => {
                    let this = owners.get(owner).map_or("", String::as_str);
                    let other = owners.get(c).map_or("", String::as_str);
                    self.push(
                        Problem::error(
                            "mandate::check::duplicate",
                            name.span,
                            (words.clash)(&name.node, this, other),
                        )
                        .help(words.clash_help),
                    );
                }
                Some(_) => {}
                None => kept.push((name.node.clone(), owner)),
            }
        }
        kept
    }

    fn records(&mut self) {
        // Ids first, so records can refer to each other in any order.
        let mut decls = Vec::new();
        for i in 0..self.defs.len() {
            if let Some(Def {
                stmt: Stmt::Record(r),
                ..
            }) = self.defs.get(i)
            {
                let idx = self.model.schema.records.len();
                self.model.schema.records.push(Record {
                    name: r.name.name.clone(),
                    key: None,
                    fields: Vec::new(),
                    span: r.span,
                });
                if let Some(d) = self.defs.get_mut(i) {
                    d.index = Some(idx);
                }
                decls.push((idx, r));
            }
        }
        for (idx, r) in decls {
            let mut fields: Vec<Field> = Vec::new();
            for f in &r.fields {
                if fields.iter().any(|g| g.name == f.name.name) {
                    self.push(
                        Problem::error(
                            "mandate::check::duplicate",
                            f.name.span,
                            format!(
                                "field `{}` is declared twice in `{}`",
                                f.name.name, r.name.name
                            ),
                        )
                        .help("remove one"),
                    );
                    continue;
                }
                let Some(ty) = self.field_type(&f.ty) else {
                    continue;
                };
                if ty == Type::Weight && fields.iter().any(|g| g.ty == Type::Weight) {
                    self.push(
                        Problem::error(
                            "mandate::check::two-weights",
                            f.ty.span,
                            format!("`{}` has two headcount fields", r.name.name),
                        )
                        .help("a row stands for one headcount; keep one `weight` field"),
                    );
                }
                fields.push(Field {
                    name: f.name.name.clone(),
                    ty,
                    optional: f.optional,
                    private: f.private,
                    columns: Vec::new(),
                    span: f.span,
                });
            }
            // Other column names: each names one field only.
            let names: Vec<String> = fields.iter().map(|g| g.name.clone()).collect();
            let cols: Vec<(usize, &Spanned<String>)> = r
                .fields
                .iter()
                .filter_map(|f| Some((names.iter().position(|g| *g == f.name.name)?, &f.columns)))
                .flat_map(|(fi, cols)| cols.iter().map(move |c| (fi, c)))
                .collect();
            for (text, fi) in self.other_names(&names, cols, &COLUMNS) {
                if let Some(field) = fields.get_mut(fi) {
                    field.columns.push(text);
                }
            }
            let mut key = None;
            if let Some(k) = &r.key {
                match fields.iter().position(|f| f.name == k.name) {
                    Some(p) => {
                        if fields.get(p).map(|f| f.optional).unwrap_or(false) {
                            self.push(
                                Problem::error(
                                    "mandate::check::optional-key",
                                    k.span,
                                    format!("key `{}` is optional", k.name),
                                )
                                .help(
                                    "every entity needs its key; remove `optional` from the field",
                                ),
                            );
                        }
                        key = Some(p);
                    }
                    // A key field whose type is wrong has been reported already.
                    None if r.fields.iter().any(|f| f.name.name == k.name) => {}
                    None => {
                        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
                        self.unknown_field(&r.name.name, k, &names);
                    }
                }
            }
            if let Some(rec) = self.model.schema.records.get_mut(idx) {
                rec.fields = fields;
                rec.key = key;
            }
        }
        // References must point at entities.
        for r in self.defs.iter().filter_map(|d| match d.stmt {
            Stmt::Record(r) => Some(r),
            _ => None,
        }) {
            for f in &r.fields {
                if let Some(target) = self.model.schema.record_by_name(&f.ty.name)
                    && self
                        .model
                        .schema
                        .record(target)
                        .map(|t| t.key.is_none())
                        .unwrap_or(false)
                {
                    self.problems.push(
                        Problem::error(
                            "mandate::check::not-an-entity",
                            f.ty.span,
                            format!(
                                "`{}` has no key, so `{}` cannot refer to it",
                                f.ty.name, f.name.name
                            ),
                        )
                        .help(format!("add `key FIELD` to `record {}`", f.ty.name)),
                    );
                }
            }
        }
    }

    fn field_type(&mut self, ty: &ast::Ident) -> Option<Type> {
        if let Some((_, t)) = BUILTIN_TYPES.iter().find(|(n, _)| *n == ty.name) {
            return Some(*t);
        }
        match self.lookup(&ty.name) {
            Some((i, d)) if d.kind == DefKind::Type => {
                let idx = d.index;
                self.use_def(i);
                idx.map(|x| Type::Enum(EnumId(x)))
            }
            Some((i, d)) if d.kind == DefKind::Record => {
                let idx = d.index;
                self.use_def(i);
                idx.map(|x| Type::Ref(RecordId(x)))
            }
            Some((_, d)) => {
                let kind = d.kind.word();
                self.push(
                    Problem::error(
                        "mandate::check::not-a-type",
                        ty.span,
                        format!("`{}` is a {kind}, not a type", ty.name),
                    )
                    .help("a field's type is a built-in type, a `type`, or a keyed `record`"),
                );
                None
            }
            None => {
                let mut cands: Vec<&str> = BUILTIN_TYPES.iter().map(|(n, _)| *n).collect();
                let defs: Vec<String> = self
                    .defs
                    .iter()
                    .filter(|d| matches!(d.kind, DefKind::Type | DefKind::Record))
                    .map(|d| d.stmt.name().name.clone())
                    .collect();
                cands.extend(defs.iter().map(String::as_str));
                self.unknown("type", ty, &cands);
                None
            }
        }
    }

    // ───────────────────────── sets and constants ─────────────────────────

    fn sets(&mut self) {
        for i in 0..self.defs.len() {
            let Some(Def {
                stmt: Stmt::Set(s), ..
            }) = self.defs.get(i)
            else {
                continue;
            };
            let s: &ast::SetDecl = s;
            let Some(Type::Enum(e)) = self.field_type(&s.of) else {
                if self.model.schema.record_by_name(&s.of.name).is_some()
                    || BUILTIN_TYPES.iter().any(|(n, _)| *n == s.of.name)
                {
                    self.push(
                        Problem::error(
                            "mandate::check::not-a-type",
                            s.of.span,
                            format!("a set is a subset of a `type`; `{}` is not one", s.of.name),
                        )
                        .help("declare `type NAME = {a, b, c}` and make the set a subset of it"),
                    );
                }
                continue;
            };
            let mut members = Vec::new();
            for m in &s.members {
                if let Some(ix) = self.enum_member(e, m) {
                    if members.contains(&ix) {
                        self.push(
                            Problem::warning(
                                "mandate::check::duplicate",
                                m.span,
                                format!("`{}` is listed twice", self.text(m.span)),
                            )
                            .help("remove one"),
                        );
                    } else {
                        members.push(ix);
                    }
                }
            }
            members.sort_unstable();
            let idx = self.model.sets.len();
            self.model
                .sets
                .push((s.name.name.clone(), Value::Set(e, members), s.span));
            if let Some(d) = self.defs.get_mut(i) {
                d.index = Some(idx);
            }
        }
    }

    /// A member of a set literal or named set: must be a value of the type.
    pub(crate) fn enum_member(&mut self, e: EnumId, m: &ast::Expr) -> Option<u32> {
        let ty = self.model.schema.enum_type(e).cloned()?;
        match &m.kind {
            ast::ExprKind::Name(id) => match ty.index(&id.name) {
                Some(ix) => Some(ix),
                None => {
                    let help = match suggest::closest(&id.name, ty.values.iter()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("`{}` is one of: {}", ty.name, ty.values.join(", ")),
                    };
                    self.push(
                        Problem::error(
                            "mandate::check::not-in-type",
                            id.span,
                            format!("`{}` is not a value of `{}`", id.name, ty.name),
                        )
                        .label("not in the type")
                        .help(help),
                    );
                    None
                }
            },
            _ => {
                self.push(
                    Problem::error(
                        "mandate::check::type-mismatch",
                        m.span,
                        format!("expected a value of `{}`", ty.name),
                    )
                    .help(format!(
                        "`{}` is one of: {}",
                        ty.name,
                        ty.values.join(", ")
                    )),
                );
                None
            }
        }
    }

    fn consts(&mut self) {
        for i in 0..self.defs.len() {
            let Some(Def {
                stmt: Stmt::Const(c),
                ..
            }) = self.defs.get(i)
            else {
                continue;
            };
            let c: &ast::ConstDecl = c;
            let cx = exprs::Cx::constant();
            if let Some(t) = self.expr(&c.value, &cx, None) {
                match t.kind {
                    TExprKind::Const(v) => {
                        let idx = self.model.constants.len();
                        self.model
                            .constants
                            .push((c.name.name.clone(), v, t.ty, c.span));
                        if let Some(d) = self.defs.get_mut(i) {
                            d.index = Some(idx);
                        }
                    }
                    _ => self.push(
                        Problem::error(
                            "mandate::check::not-constant",
                            c.value.span,
                            format!("`{}` is not a constant value", self.text(c.value.span)),
                        )
                        .help("a constant is a literal, or a date plus or minus a duration"),
                    ),
                }
            }
        }
    }

    // ───────────────────────── measures and categories ─────────────────────────

    fn measures(&mut self) {
        for i in 0..self.defs.len() {
            if matches!(self.defs.get(i).map(|d| d.kind), Some(DefKind::Measure)) {
                self.measure(i);
            }
        }
    }

    /// The entity a measure, category, window or rule is about: `per X`, else the entity of the
    /// record it aggregates, else the first entity declared.
    fn entity_for(
        &mut self,
        per: Option<&ast::Ident>,
        record: Option<RecordId>,
    ) -> Option<RecordId> {
        if let Some(p) = per {
            return match self.model.schema.record_by_name(&p.name) {
                Some(r)
                    if self
                        .model
                        .schema
                        .record(r)
                        .map(|x| x.key.is_some())
                        .unwrap_or(false) =>
                {
                    if let Some((i, _)) = self.lookup(&p.name) {
                        self.use_def(i);
                    }
                    Some(r)
                }
                Some(_) => {
                    self.push(
                        Problem::error(
                            "mandate::check::not-an-entity",
                            p.span,
                            format!("`{}` has no key, so nothing can be measured per `{}`", p.name, p.name),
                        )
                        .help(format!(
                            "`per` names an entity, a record with a key: add `key FIELD` to `record {}`",
                            p.name
                        )),
                    );
                    None
                }
                None => {
                    let ents: Vec<String> = self
                        .model
                        .schema
                        .entities()
                        .map(|(_, r)| r.name.clone())
                        .collect();
                    let refs: Vec<&str> = ents.iter().map(String::as_str).collect();
                    self.unknown("entity", p, &refs);
                    None
                }
            };
        }
        if let Some(r) = record
            && let Some(rec) = self.model.schema.record(r)
        {
            if rec.key.is_some() {
                return Some(r);
            }
            if let Some((_, e)) = rec.owner() {
                return Some(e);
            }
        }
        self.model.schema.entities().next().map(|(r, _)| r)
    }

    fn no_entity(&mut self, name: &ast::Ident) {
        if self
            .problems
            .iter()
            .any(|p| p.code == "mandate::check::no-entity")
        {
            // Once is enough: every statement fails for the same reason.
            return;
        }
        self.push(
            Problem::error(
                "mandate::check::no-entity",
                name.span,
                format!("cannot tell what records `{}` is about", name.name),
            )
            .help("declare a record with a `key` (such as `record school key id { id: text }`), or include the file that does"),
        );
    }

    /// `a → b → a`: the definitions on the path from `i` back to itself.
    fn cycle_chain(&self, i: usize) -> String {
        let from = self.busy.iter().position(|&b| b == i).unwrap_or(0);
        self.busy
            .get(from..)
            .unwrap_or_default()
            .iter()
            .chain(std::iter::once(&i))
            .filter_map(|&d| self.defs.get(d))
            .map(|d| format!("`{}`", d.stmt.name().name))
            .collect::<Vec<_>>()
            .join(" → ")
    }

    /// Checks measure `i` (once), returning its index in the model.
    pub(crate) fn measure(&mut self, i: usize) -> Option<usize> {
        self.once(
            i,
            (
                "",
                "defined in terms of itself",
                "a measure cannot be computed from itself; break the cycle",
            ),
            Self::measure_body,
        )
    }

    /// Runs `body` for definition `i` the first time it is asked for; a definition met again while
    /// it is being checked is a cycle, reported once with the chain that leads back to it.
    fn once(
        &mut self,
        i: usize,
        (what, label, help): (&str, &str, &str),
        body: fn(&mut Self, usize) -> Option<usize>,
    ) -> Option<usize> {
        match self.progress.get(&i).copied().unwrap_or(Progress::Todo) {
            Progress::Done => return self.defs.get(i).and_then(|d| d.index),
            Progress::Failed => return None,
            Progress::Busy => {
                if let Some(d) = self.defs.get(i) {
                    let name = d.stmt.name().clone();
                    let chain = self.cycle_chain(i);
                    self.push(
                        Problem::error(
                            "mandate::check::cycle",
                            name.span,
                            format!("{what}`{}` depends on itself: {chain}", name.name),
                        )
                        .label(label)
                        .help(help),
                    );
                }
                self.progress.insert(i, Progress::Failed);
                return None;
            }
            Progress::Todo => {}
        }
        self.busy.push(i);
        self.progress.insert(i, Progress::Busy);
        let r = body(self, i);
        self.busy.pop();
        r
    }

    fn measure_body(&mut self, i: usize) -> Option<usize> {
        let Some(Def {
            stmt: Stmt::Measure(m),
            section,
            ..
        }) = self.defs.get(i)
        else {
            return None;
        };
        let (m, section): (&ast::MeasureDecl, _) = (m, *section);
        let agg_record = match &m.expr.kind {
            ast::ExprKind::Agg(a) => self.model.schema.record_by_name(&a.record.name),
            _ => None,
        };
        let entity = self.entity_for(m.per.as_ref(), agg_record);
        let Some(entity) = entity else {
            if m.per.is_none() {
                self.no_entity(&m.name);
            }
            self.progress.insert(i, Progress::Failed);
            return None;
        };
        let cx = exprs::Cx::entity(entity);
        let def = match &m.expr.kind {
            ast::ExprKind::Agg(a) => self.aggregate(a, m.expr.span, entity),
            _ => self.expr(&m.expr, &cx, None).map(|t| {
                let ty = t.ty;
                (MeasureDef::Formula(t), ty)
            }),
        };
        let Some((def, ty)) = def else {
            self.progress.insert(i, Progress::Failed);
            return None;
        };
        let rounding = match &m.rounding {
            None => RoundingMode::Exact,
            Some(r) => {
                if ty != Type::Percent {
                    self.push(
                        Problem::error(
                            "mandate::check::rounding",
                            r.span,
                            format!(
                                "only a share is rounded; `{}` is {}",
                                m.name.name,
                                self.model.schema.type_name(ty)
                            ),
                        )
                        .help("remove the rounding, or divide two counts to make a share"),
                    );
                }
                match &r.node {
                    ast::Rounding::Exact => RoundingMode::Exact,
                    ast::Rounding::To(d) => {
                        match Ratio::new(i128::from(d.digits), i128::from(d.denominator()) * 100) {
                            Some(step) if step.num > 0 => RoundingMode::HalfUp(step),
                            _ => {
                                self.push(
                                    Problem::error(
                                        "mandate::check::rounding",
                                        r.span,
                                        "a share is rounded to a positive step",
                                    )
                                    .help("write, for example, `rounded to 0.1%`"),
                                );
                                RoundingMode::Exact
                            }
                        }
                    }
                }
            }
        };
        let idx = self.model.measures.len();
        if m.rounding.is_none() && ty == Type::Percent {
            self.unrounded.insert(idx);
        }
        self.model.measures.push(Measure {
            name: m.name.name.clone(),
            entity,
            def,
            ty,
            rounding,
            section: self.section_title(section),
            span: m.span,
        });
        if let Some(d) = self.defs.get_mut(i) {
            d.index = Some(idx);
        }
        self.progress.insert(i, Progress::Done);
        Some(idx)
    }

    /// An aggregation that stands inside a larger formula becomes a measure of its own.
    pub(crate) fn hidden_measure(
        &mut self,
        a: &ast::Aggregate,
        span: Span,
        entity: RecordId,
    ) -> Option<TExpr> {
        let (def, ty) = self.aggregate(a, span, entity)?;
        self.hidden_measures += 1;
        let idx = self.model.measures.len();
        self.model.measures.push(Measure {
            name: self.text(span).to_string(),
            entity,
            def,
            ty,
            rounding: RoundingMode::Exact,
            section: None,
            span,
        });
        Some(TExpr {
            kind: TExprKind::Measure(idx),
            ty,
            span,
        })
    }

    fn aggregate(
        &mut self,
        a: &ast::Aggregate,
        span: Span,
        entity: RecordId,
    ) -> Option<(MeasureDef, Type)> {
        let record = self.record_ref(&a.record)?;
        let by = self.owner_field(record, entity, a.record.span)?;
        let field = match &a.field {
            Some(f) => Some(self.record_field(record, f)?),
            None => None,
        };
        let field_ty = field.and_then(|f| {
            self.model
                .schema
                .record(record)
                .and_then(|r| r.fields.get(f))
                .map(|f| f.ty)
        });
        let (kind, ty) = match (a.func.node, a.distinct, field, field_ty) {
            (ast::AggFn::Count, false, None, _) => (AggKind::Count, Type::Int),
            (ast::AggFn::Count, false, Some(f), _) => {
                // `count R.f`: rows where f is present.
                let _ = f;
                self.push(
                    Problem::error(
                        "mandate::check::aggregate",
                        span,
                        "`count` counts records; to count values, write `count distinct R.field`",
                    )
                    .help(format!(
                        "write `count {}` or `count distinct {}`",
                        a.record.name,
                        self.text(span).trim_start_matches("count").trim()
                    )),
                );
                return None;
            }
            (ast::AggFn::Count, true, Some(f), _) => (AggKind::CountDistinct(f), Type::Int),
            (ast::AggFn::Count, true, None, _) => {
                self.push(
                    Problem::error(
                        "mandate::check::aggregate",
                        span,
                        "`count distinct` needs a field",
                    )
                    .help(format!("write `count distinct {}.FIELD`", a.record.name)),
                );
                return None;
            }
            (_, true, _, _) => {
                self.push(
                    Problem::error(
                        "mandate::check::aggregate",
                        a.func.span,
                        format!("`distinct` goes with `count`, not `{}`", a.func.node.word()),
                    )
                    .help("remove `distinct`"),
                );
                return None;
            }
            (f, false, None, _) => {
                self.push(
                    Problem::error(
                        "mandate::check::aggregate",
                        span,
                        format!("`{}` needs a field", f.word()),
                    )
                    .help(format!(
                        "write `{} {}.FIELD`",
                        f.word(),
                        a.record.name
                    )),
                );
                return None;
            }
            (ast::AggFn::Sum, false, Some(f), Some(t)) => match t {
                Type::Int | Type::Weight => (AggKind::Sum(f), Type::Int),
                Type::Number => (AggKind::Sum(f), Type::Number),
                _ => {
                    self.push(
                        Problem::error(
                            "mandate::check::type-mismatch",
                            span,
                            format!(
                                "`sum` adds numbers; this field is {}",
                                self.model.schema.type_name(t)
                            ),
                        )
                        .help("sum a whole-number or number field, or use `count`"),
                    );
                    return None;
                }
            },
            (func, false, Some(f), Some(t)) => {
                if !matches!(
                    t,
                    Type::Date | Type::Int | Type::Number | Type::Percent | Type::SchoolYear
                ) {
                    self.push(
                        Problem::error(
                            "mandate::check::type-mismatch",
                            span,
                            format!(
                                "`{}` needs dates or numbers; this field is {}",
                                func.word(),
                                self.model.schema.type_name(t)
                            ),
                        )
                        .help("use a date or number field"),
                    );
                    return None;
                }
                let k = if func == ast::AggFn::Min {
                    AggKind::Min(f)
                } else {
                    AggKind::Max(f)
                };
                (k, t)
            }
            _ => return None,
        };
        let _ = by;
        let filter = match &a.filter {
            Some(f) => Some(self.expr(f, &exprs::Cx::row(entity, record), Some(Type::Bool))?),
            None => None,
        };
        if let Some(f) = &filter {
            self.expect_type(f, Type::Bool, "a `where` condition");
        }
        Some((
            MeasureDef::Agg {
                record,
                kind,
                filter,
            },
            ty,
        ))
    }

    /// A record named in an aggregation or rule.
    pub(crate) fn record_ref(&mut self, name: &ast::Ident) -> Option<RecordId> {
        match self.lookup(&name.name) {
            Some((i, d)) if d.kind == DefKind::Record => {
                let idx = d.index;
                self.use_def(i);
                idx.map(RecordId)
            }
            Some((_, d)) => {
                let kind = d.kind.word();
                self.push(
                    Problem::error(
                        "mandate::check::not-a-record",
                        name.span,
                        format!("`{}` is a {kind}, not a record", name.name),
                    )
                    .help("aggregations and rules read records declared with `record`"),
                );
                None
            }
            None => {
                let recs: Vec<String> = self
                    .model
                    .schema
                    .records
                    .iter()
                    .map(|r| r.name.clone())
                    .collect();
                let refs: Vec<&str> = recs.iter().map(String::as_str).collect();
                self.unknown("record", name, &refs);
                None
            }
        }
    }

    pub(crate) fn record_field(&mut self, record: RecordId, f: &ast::Ident) -> Option<usize> {
        let rec = self.model.schema.record(record)?;
        match rec.field(&f.name) {
            Some(i) => Some(i),
            None => {
                let names: Vec<String> = rec.fields.iter().map(|x| x.name.clone()).collect();
                let rname = rec.name.clone();
                let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                self.unknown_field(&rname, f, &refs);
                None
            }
        }
    }

    /// The field of `record` that links its rows to `entity`.
    fn owner_field(&mut self, record: RecordId, entity: RecordId, at: Span) -> Option<usize> {
        let rec = self.model.schema.record(record)?;
        if record == entity {
            return rec.key;
        }
        if let Some(i) = rec.fields.iter().position(|f| f.ty == Type::Ref(entity)) {
            return Some(i);
        }
        let ent = self
            .model
            .schema
            .record(entity)
            .map(|r| r.name.clone())
            .unwrap_or_default();
        let rname = rec.name.clone();
        self.push(
            Problem::error(
                "mandate::check::no-link",
                at,
                format!("`{rname}` has no field that refers to `{ent}`"),
            )
            .help(format!(
                "add a field `{ent}: {ent}` to `record {rname}`, or measure it `per` another entity"
            )),
        );
        None
    }

    fn categories(&mut self) {
        for i in 0..self.defs.len() {
            if matches!(self.defs.get(i).map(|d| d.kind), Some(DefKind::Category)) {
                self.category(i);
            }
        }
    }

    pub(crate) fn category(&mut self, i: usize) -> Option<usize> {
        self.once(
            i,
            (
                "category ",
                "decided in terms of itself",
                "a category cannot be decided from itself; break the cycle",
            ),
            Self::category_body,
        )
    }

    fn category_body(&mut self, i: usize) -> Option<usize> {
        let Some(Def {
            stmt: Stmt::Category(c),
            section,
            ..
        }) = self.defs.get(i)
        else {
            return None;
        };
        let (c, section): (&ast::CategoryDecl, _) = (c, *section);
        let Some(entity) = self.entity_for(c.per.as_ref(), None) else {
            if c.per.is_none() {
                self.no_entity(&c.name);
            }
            self.progress.insert(i, Progress::Failed);
            return None;
        };
        let when = self.expr(&c.when, &exprs::Cx::entity(entity), Some(Type::Bool));
        if let Some(w) = &when {
            self.expect_type(w, Type::Bool, "a category's condition");
        }
        let transitions = self.transitions(c, entity);
        let Some(when) = when else {
            self.progress.insert(i, Progress::Failed);
            return None;
        };
        let idx = self.model.categories.len();
        self.model.categories.push(Category {
            name: c.name.name.clone(),
            entity,
            when,
            transitions,
            section: self.section_title(section),
            span: c.span,
        });
        if let Some(d) = self.defs.get_mut(i) {
            d.index = Some(idx);
        }
        self.progress.insert(i, Progress::Done);
        Some(idx)
    }

    fn transitions(&mut self, c: &ast::CategoryDecl, entity: RecordId) -> Option<Transitions> {
        let mut held: Option<(RecordId, usize, Span)> = None;
        let mut qualified: Option<(RecordId, usize, Span)> = None;
        let mut gain_next_year = false;
        let mut notice: Option<u32> = None;
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        for e in &c.entries {
            let key = e.key.name.as_str();
            if !self.first_of_key(&mut seen, &e.key) {
                continue;
            }
            match (key, &e.value) {
                ("held" | "qualified", CategoryValue::Path(r, f)) => {
                    let Some(rec) = self.record_ref(r) else {
                        continue;
                    };
                    let Some(fi) = self.record_field(rec, f) else {
                        continue;
                    };
                    let fty = self
                        .model
                        .schema
                        .record(rec)
                        .and_then(|x| x.fields.get(fi))
                        .map(|x| x.ty);
                    if fty != Some(Type::Bool) {
                        let tn = fty
                            .map(|t| self.model.schema.type_name(t))
                            .unwrap_or_default();
                        self.push(
                            Problem::error(
                                "mandate::check::type-mismatch",
                                f.span,
                                format!(
                                    "`{key}` needs a true/false field; `{}.{}` is {tn}",
                                    r.name, f.name
                                ),
                            )
                            .help("declare the field as `bool`"),
                        );
                        continue;
                    }
                    let slot = (rec, fi, e.value.span());
                    if key == "held" {
                        held = Some(slot);
                    } else {
                        qualified = Some(slot);
                    }
                }
                ("gain", CategoryValue::NextYear(_)) => gain_next_year = true,
                ("gain", CategoryValue::Word(w)) if w.name == "immediately" => {
                    gain_next_year = false
                }
                ("loss", CategoryValue::Notice(d)) => {
                    if d.node.unit != ast::DurationUnit::Year || d.node.n < 0 {
                        self.push(
                            Problem::error(
                                "mandate::check::type-mismatch",
                                d.span,
                                "a notice period is counted in school years",
                            )
                            .help("write, for example, `loss after 2 years notice`"),
                        );
                        continue;
                    }
                    notice = u32::try_from(d.node.n).ok();
                }
                ("loss", CategoryValue::NextYear(_)) => notice = Some(0),
                ("held" | "qualified" | "gain" | "loss", v) => {
                    let want = match key {
                        "held" | "qualified" => {
                            "a true/false field of a history record, such as `norm_history.phbao`"
                        }
                        "gain" => "`next year` or `immediately`",
                        _ => "`next year` or `after N years notice`",
                    };
                    self.push(
                        Problem::error(
                            "mandate::check::category-entry",
                            v.span(),
                            format!("`{key}` takes {want}"),
                        )
                        .help(format!("write `{key}` followed by {want}")),
                    );
                }
                (other, _) => {
                    let help = match suggest::closest(other, CATEGORY_KEYS.iter()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("a category block takes {}", CATEGORY_KEYS.join(", ")),
                    };
                    self.push(
                        Problem::error(
                            "mandate::check::unknown-key",
                            e.key.span,
                            format!("unknown category entry `{other}`"),
                        )
                        .help(help),
                    );
                }
            }
        }
        if c.entries.is_empty() {
            return None;
        }
        let Some((record, held_field, hspan)) = held else {
            // A `held` that is given but wrong has been reported already.
            if !seen.contains_key("held") && seen.keys().any(|k| CATEGORY_KEYS.contains(k)) {
                self.push(
                    Problem::error(
                        "mandate::check::category-entry",
                        c.name.span,
                        format!("category `{}` has transitions but no `held` history", c.name.name),
                    )
                    .help("add `held RECORD.FIELD`: the true/false field saying the category was held that year"),
                );
            }
            return None;
        };
        let qualified_field = match qualified {
            Some((r, f, qspan)) => {
                if r != record {
                    self.push(
                        Problem::error(
                            "mandate::check::category-entry",
                            qspan,
                            "`held` and `qualified` come from the same history record",
                        )
                        .help("use two fields of one record"),
                    );
                }
                Some(f)
            }
            None => None,
        };
        let rec = self.model.schema.record(record)?.clone();
        let Some(year_field) = rec.fields.iter().position(|f| f.ty == Type::SchoolYear) else {
            self.push(
                Problem::error(
                    "mandate::check::category-entry",
                    hspan,
                    format!("history record `{}` has no school-year field", rec.name),
                )
                .help(format!("add `year: school_year` to `record {}`", rec.name)),
            );
            return None;
        };
        self.owner_field(record, entity, hspan)?;
        if self.model.guide.year.is_none()
            && self.loaded.root.is_some()
            && !self.report_unused.is_empty()
        {
            self.push(
                Problem::error(
                    "mandate::check::no-year",
                    c.name.span,
                    format!(
                        "category `{}` changes from year to year, but the guide has no `year`",
                        c.name.name
                    ),
                )
                .help("add `year 2023-2024` to the guide block"),
            );
        }
        Some(Transitions {
            record,
            year_field,
            held_field,
            qualified_field,
            gain_next_year,
            notice_years: notice.unwrap_or(0),
        })
    }

    // ───────────────────────── windows ─────────────────────────

    fn windows(&mut self) {
        for i in 0..self.defs.len() {
            let Some(Def {
                stmt: Stmt::Window(w),
                section,
                ..
            }) = self.defs.get(i)
            else {
                continue;
            };
            let (w, section): (&ast::WindowDecl, _) = (w, *section);
            let Some(entity) = self.entity_for(None, None) else {
                self.no_entity(&w.name);
                continue;
            };
            let cx = exprs::Cx::entity(entity);
            let mut cases = Vec::new();
            let mut ok = true;
            for case in &w.cases {
                let when = match &case.when {
                    Some(e) => match self.expr(e, &cx, Some(Type::Bool)) {
                        Some(t) => {
                            self.expect_type(&t, Type::Bool, "a window's `when`");
                            Some(t)
                        }
                        None => {
                            ok = false;
                            None
                        }
                    },
                    None => None,
                };
                let (lower, upper) = match &case.spec {
                    ast::WindowSpec::Range(l) => match self.range(&l.node, l.span) {
                        Some((a, b)) => (
                            Some(WindowBound {
                                kind: ast::BoundKind::From,
                                expr: TExpr {
                                    kind: TExprKind::Const(Value::Date(a)),
                                    ty: Type::Date,
                                    span: l.span,
                                },
                            }),
                            Some(WindowBound {
                                kind: ast::BoundKind::By,
                                expr: TExpr {
                                    kind: TExprKind::Const(Value::Date(b)),
                                    ty: Type::Date,
                                    span: l.span,
                                },
                            }),
                        ),
                        None => {
                            ok = false;
                            (None, None)
                        }
                    },
                    ast::WindowSpec::Bounds { lower, upper } => {
                        let bound =
                            |c: &mut Self, b: &Option<ast::Bound>| -> Option<Option<WindowBound>> {
                                let Some(b) = b else { return Some(None) };
                                let t = c.expr(&b.expr, &cx, Some(Type::Date))?;
                                if !c.expect_type(&t, Type::Date, "a window's bound") {
                                    return None;
                                }
                                if let TExprKind::Const(Value::Date(d)) = &t.kind {
                                    c.in_year(&[*d], t.span, "window bound");
                                }
                                Some(Some(WindowBound {
                                    kind: b.kind.node,
                                    expr: t,
                                }))
                            };
                        let lo = bound(self, lower);
                        let hi = bound(self, upper);
                        match (lo, hi) {
                            (Some(lo), Some(hi)) => {
                                if let (Some(l), Some(h)) = (&lo, &hi)
                                    && let (
                                        TExprKind::Const(Value::Date(a)),
                                        TExprKind::Const(Value::Date(b)),
                                    ) = (&l.expr.kind, &h.expr.kind)
                                    && a > b
                                {
                                    self.push(
                                        Problem::error(
                                            "mandate::check::empty-window",
                                            case.span,
                                            format!(
                                                "the window ends on {}, before it starts on {}",
                                                values::us(*b),
                                                values::us(*a)
                                            ),
                                        )
                                        .label("an empty window")
                                        .help("swap the two dates, or check the month and year"),
                                    );
                                }
                                (lo, hi)
                            }
                            _ => {
                                ok = false;
                                (None, None)
                            }
                        }
                    }
                };
                let spec_span = match &case.spec {
                    ast::WindowSpec::Range(l) => l.span,
                    ast::WindowSpec::Bounds { lower, upper } => {
                        let a = lower.as_ref().or(upper.as_ref()).map(|b| b.kind.span);
                        let b = upper.as_ref().or(lower.as_ref()).map(|b| b.expr.span);
                        match (a, b) {
                            (Some(a), Some(b)) => a.to(b),
                            _ => case.span,
                        }
                    }
                };
                cases.push(WindowCase {
                    when,
                    lower,
                    upper,
                    text: self
                        .text(spec_span)
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" "),
                    span: case.span,
                });
            }
            if !ok {
                continue;
            }
            let idx = self.model.windows.len();
            self.model.windows.push(Window {
                name: w.name.name.clone(),
                entity,
                cases,
                section: self.section_title(section),
                span: w.span,
            });
            if let Some(d) = self.defs.get_mut(i) {
                d.index = Some(idx);
            }
        }
    }

    /// Dates within the policy's school year, or one diagnostic for all of them.
    pub(crate) fn in_year(&mut self, dates: &[chrono::NaiveDate], span: Span, what: &str) {
        let Some((start, end)) = self.model.guide.year_bounds() else {
            return;
        };
        if dates.iter().all(|d| *d >= start && *d <= end) {
            return;
        }
        let y = self.model.guide.year.unwrap_or_default();
        let text = self
            .text(span)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        self.push(
            Problem::error(
                "mandate::check::outside-year",
                span,
                format!(
                    "the {what} `{text}` is not within the school year {}-{}",
                    y,
                    y + 1
                ),
            )
            .label(format!(
                "the school year runs from {} to {}",
                values::us(start),
                values::us(end)
            ))
            .help("check the year; a new revision changes every date"),
        );
    }

    // ───────────────────────── rules ─────────────────────────

    fn rules(&mut self) {
        for i in 0..self.defs.len() {
            let Some(Def {
                stmt: Stmt::Rule(r),
                section,
                ..
            }) = self.defs.get(i)
            else {
                continue;
            };
            let (r, section): (&ast::RuleDecl, _) = (r, *section);
            if let Some(rule) = self.rule(r, section) {
                let idx = self.model.rules.len();
                self.model.rules.push(rule);
                if let Some(d) = self.defs.get_mut(i) {
                    d.index = Some(idx);
                }
            }
        }
    }

    fn rule(&mut self, r: &ast::RuleDecl, section: Option<&ast::Section>) -> Option<RuleDef> {
        let record_name = match &r.assertion {
            ast::Assertion::Each { record, .. }
            | ast::Assertion::Deadline { record, .. }
            | ast::Assertion::Retain { record, .. } => Some(record),
            ast::Assertion::Holds(_) => None,
        };
        let record = match record_name {
            Some(n) => Some(self.record_ref(n)?),
            None => None,
        };
        let Some(entity) = self.entity_for(r.per.as_ref(), record) else {
            self.no_entity(&r.name);
            return None;
        };
        let cx = exprs::Cx::entity(entity);
        let mut applies = None;
        for cond in section
            .and_then(|s| s.applies.as_ref())
            .into_iter()
            .chain(r.applies.as_ref())
        {
            let t = self.expr(cond, &cx, Some(Type::Bool))?;
            if !self.expect_type(&t, Type::Bool, "a `for` condition") {
                return None;
            }
            applies = Some(match applies {
                None => t,
                Some(prev) => {
                    let span = t.span;
                    TExpr {
                        kind: TExprKind::And(Box::new(prev), Box::new(t)),
                        ty: Type::Bool,
                        span,
                    }
                }
            });
        }
        let (check, span) = match &r.assertion {
            ast::Assertion::Holds(e) => {
                let t = self.expr(e, &cx, Some(Type::Bool))?;
                if !self.expect_type(&t, Type::Bool, "a rule") {
                    return None;
                }
                (Check::Holds(t), e.span)
            }
            ast::Assertion::Each {
                filter,
                field,
                test,
                span,
                ..
            } => {
                let record = record?;
                self.owner_field(record, entity, r.name.span)?;
                let rcx = exprs::Cx::row(entity, record);
                let filter = self.filter(filter.as_ref(), &rcx)?;
                let fi = self.record_field(record, field)?;
                let fty = self.field_ty(record, fi)?;
                let test = match test {
                    ast::EachTest::Within(w) => {
                        let found = self.lookup(&w.name).map(|(wi, d)| (wi, d.kind));
                        match found {
                            Some((wi, DefKind::Window)) => {
                                self.use_def(wi);
                            }
                            Some((_, k)) => {
                                let kind = k.word();
                                let help = if matches!(k, DefKind::Const | DefKind::Measure) {
                                    format!(
                                        "`within` takes a window such as `window w = November \
                                         13-17, 2023`; to compare with one date, write `has {} == {}`",
                                        field.name, w.name
                                    )
                                } else {
                                    "`within` takes a window such as `window w = November 13-17, 2023`"
                                        .to_string()
                                };
                                self.push(
                                    Problem::error(
                                        "mandate::check::not-a-window",
                                        w.span,
                                        format!("`{}` is a {kind}, not a window", w.name),
                                    )
                                    .label("not a window")
                                    .help(help),
                                );
                                return None;
                            }
                            None => {
                                let wins: Vec<String> = self
                                    .defs
                                    .iter()
                                    .filter(|d| d.kind == DefKind::Window)
                                    .map(|d| d.stmt.name().name.clone())
                                    .collect();
                                let refs: Vec<&str> = wins.iter().map(String::as_str).collect();
                                self.unknown("window", w, &refs);
                                return None;
                            }
                        }
                        if fty != Type::Date {
                            self.field_not_date(record, field, fty);
                            return None;
                        }
                        // Windows are checked before rules; find its index by name.
                        let wi = self.model.windows.iter().position(|x| x.name == w.name)?;
                        EachTest::Within(wi)
                    }
                    ast::EachTest::NotOn {
                        record: other,
                        field: of,
                        filter: ofilter,
                    } => {
                        if fty != Type::Date {
                            self.field_not_date(record, field, fty);
                            return None;
                        }
                        let orec = self.record_ref(other)?;
                        self.owner_field(orec, entity, other.span)?;
                        let ofi = self.record_field(orec, of)?;
                        let ofty = self.field_ty(orec, ofi)?;
                        if ofty != Type::Date {
                            self.field_not_date(orec, of, ofty);
                            return None;
                        }
                        let ocx = exprs::Cx::row(entity, orec);
                        let ofilter = self.filter(ofilter.as_ref(), &ocx)?;
                        EachTest::NotOn {
                            record: orec,
                            field: ofi,
                            filter: ofilter,
                        }
                    }
                    ast::EachTest::Compare(op, e) => {
                        let t = self.expr(e, &rcx, Some(fty))?;
                        let lhs = TExpr {
                            kind: TExprKind::RowField(fi),
                            ty: fty,
                            span: field.span,
                        };
                        self.compatible(&lhs, &t, op.span)?;
                        let cmp = exprs::cmp_op(op.node)?;
                        EachTest::Compare(cmp, t)
                    }
                };
                (
                    Check::Each {
                        record,
                        filter,
                        field: fi,
                        test,
                    },
                    *span,
                )
            }
            ast::Assertion::Deadline {
                filter,
                field,
                due,
                span,
                ..
            } => {
                let record = record?;
                self.owner_field(record, entity, r.name.span)?;
                let rcx = exprs::Cx::row(entity, record);
                let filter = self.filter(filter.as_ref(), &rcx)?;
                let fi = self.record_field(record, field)?;
                let fty = self.field_ty(record, fi)?;
                if fty != Type::Date {
                    self.field_not_date(record, field, fty);
                    return None;
                }
                let due = self.expr(due, &cx, Some(Type::Date))?;
                if !self.expect_type(&due, Type::Date, "a due date") {
                    return None;
                }
                if let TExprKind::Const(Value::Date(d)) = &due.kind {
                    self.in_year(&[*d], due.span, "due date");
                }
                (
                    Check::Deadline {
                        record,
                        filter,
                        field: fi,
                        due,
                    },
                    *span,
                )
            }
            ast::Assertion::Retain {
                period,
                from,
                until,
                span,
                ..
            } => {
                let record = record?;
                self.owner_field(record, entity, r.name.span)?;
                let fi = self.record_field(record, from)?;
                let fty = self.field_ty(record, fi)?;
                if fty != Type::Date {
                    self.field_not_date(record, from, fty);
                    return None;
                }
                let ui = match until {
                    Some(u) => {
                        let ui = self.record_field(record, u)?;
                        let uty = self.field_ty(record, ui)?;
                        if uty != Type::Date {
                            self.field_not_date(record, u, uty);
                            return None;
                        }
                        Some(ui)
                    }
                    None => None,
                };
                if period.node.n <= 0 {
                    self.push(
                        Problem::error(
                            "mandate::check::retention",
                            period.span,
                            "a retention period is longer than zero",
                        )
                        .help("write, for example, `for 5 years`"),
                    );
                    return None;
                }
                (
                    Check::Retain {
                        record,
                        period: period.node,
                        from: fi,
                        until: ui,
                    },
                    *span,
                )
            }
        };
        Some(RuleDef {
            name: r.name.name.clone(),
            modal: r.modal.node,
            severity: Severity::from_modal(r.modal.node),
            entity,
            applies,
            check,
            quote: r.quote.as_ref().map(|q| q.node.clone()),
            section: self.section_title(section),
            text: self
                .text(span)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            span: r.span,
        })
    }

    fn filter(&mut self, f: Option<&ast::Expr>, cx: &exprs::Cx) -> Option<Option<TExpr>> {
        match f {
            None => Some(None),
            Some(e) => {
                let t = self.expr(e, cx, Some(Type::Bool))?;
                if !self.expect_type(&t, Type::Bool, "a `where` condition") {
                    return None;
                }
                Some(Some(t))
            }
        }
    }

    pub(crate) fn field_ty(&self, record: RecordId, field: usize) -> Option<Type> {
        self.model
            .schema
            .record(record)
            .and_then(|r| r.fields.get(field))
            .map(|f| f.ty)
    }

    fn field_not_date(&mut self, record: RecordId, field: &ast::Ident, ty: Type) {
        let rname = self
            .model
            .schema
            .record(record)
            .map(|r| r.name.clone())
            .unwrap_or_default();
        let tn = self.model.schema.type_name(ty);
        self.push(
            Problem::error(
                "mandate::check::type-mismatch",
                field.span,
                format!("`{rname}.{}` is {tn}, not a date", field.name),
            )
            .label("a date is needed here")
            .help("name a field declared as `date`"),
        );
    }

    // ───────────────────────── unused ─────────────────────────

    fn unused(&mut self) {
        let mut found = Vec::new();
        for (i, d) in self.defs.iter().enumerate() {
            if matches!(d.kind, DefKind::Rule | DefKind::Record | DefKind::Category) {
                continue;
            }
            let name = d.stmt.name();
            if self.used.contains(&i) || !self.report_unused.contains(&name.span.file) {
                continue;
            }
            found.push(
                Problem::warning(
                    "mandate::check::unused",
                    name.span,
                    format!("{} `{}` is never used", d.kind.word(), name.name),
                )
                .label("defined here")
                .help("use it in a rule, or remove it"),
            );
        }
        self.problems.extend(found);
    }
}

/// How [`Checker::other_names`] words its problems for one kind of name.
struct OtherNames {
    empty: &'static str,
    empty_help: &'static str,
    clash: fn(&str, &str, &str) -> String,
    clash_help: &'static str,
}

/// A value's other spellings in a `type`.
const SPELLINGS: OtherNames = OtherNames {
    empty: "an empty spelling matches nothing",
    empty_help: "write the text the data uses, or remove it",
    clash: |name, this, other| format!("\"{name}\" would stand for both `{this}` and `{other}`"),
    clash_help: "a spelling may stand for one value only; remove one",
};

/// A field's other column names in a `record`.
const COLUMNS: OtherNames = OtherNames {
    empty: "an empty column name matches nothing",
    empty_help: "write the column's name as the data files have it, or remove it",
    clash: |name, this, other| format!("column \"{name}\" would be both `{this}` and `{other}`"),
    clash_help: "a column name may stand for one field only; remove one",
};
