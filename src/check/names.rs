//! Definitions: every name collected with its kind and section; duplicates, "did you mean" and
//! names never used.

use super::diag::Problem;
use super::{BUILTIN_TYPES, Checker, Def, DefKind};
use crate::codes::Code;
use crate::suggest;
use crate::syntax::Span;
use crate::syntax::ast::{self, Item, Stmt};

impl<'a> Checker<'a> {
    pub(super) fn collect(&mut self) {
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
                    Item::Stmt(s) => self.define(s, None, file.replace_of(s)),
                    Item::Section(sec) => {
                        for s in &sec.stmts {
                            self.define(s, Some(sec), file.replace_of(s));
                        }
                    }
                    Item::Include(_) | Item::Guide(_) => {}
                }
            }
        }
        let mut found = Vec::new();
        for d in &self.defs {
            if let (Some(word), None) = (d.replace, d.replaced) {
                let name = &d.stmt.name().name;
                found.push(
                    Problem::error(
                        Code::Replace,
                        word,
                        format!("`replace` of `{name}`: no included file defines it"),
                    )
                    .label("nothing to replace")
                    .help(format!(
                        "`replace` changes a definition of a file this one includes; to define \
                         `{name}` here, remove `replace`"
                    )),
                );
            }
        }
        self.problems.extend(found);
    }

    /// When `stmt` and the definition `prev` have the same name and one of them is written
    /// `replace` in a file that includes the other's: the definition that stays, and the other's
    /// name. `None` when neither replaces the other.
    fn replacement(
        &mut self,
        prev: usize,
        stmt: &'a Stmt,
        replace: Option<Span>,
        kind: DefKind,
    ) -> Option<()> {
        let (prev_kind, prev_stmt, prev_replace) =
            self.defs.get(prev).map(|d| (d.kind, d.stmt, d.replace))?;
        let name = stmt.name();
        let prev_name = prev_stmt.name();
        let loaded = self.loaded;
        // The replacing definition, the replaced one and the `replace` word.
        let (new_is_replacing, word) = if let Some(w) = prev_replace
            && loaded.includes_file(prev_name.span.file, name.span.file)
        {
            (false, w)
        } else if let Some(w) = replace
            && loaded.includes_file(name.span.file, prev_name.span.file)
        {
            (true, w)
        } else {
            return None;
        };
        let (replacing_kind, replaced_kind, replaced_span) = if new_is_replacing {
            (kind, prev_kind, prev_name.span)
        } else {
            (prev_kind, kind, name.span)
        };
        let same_kind = replacing_kind == replaced_kind;
        if !same_kind {
            let loc = self.location(replaced_span);
            self.push(
                Problem::error(
                    Code::Replace,
                    word,
                    format!(
                        "`replace` of `{}`: the included definition is a {}, this one a {}",
                        name.name,
                        replaced_kind.word(),
                        replacing_kind.word()
                    ),
                )
                .label("not the same kind of definition")
                .help(format!(
                    "the included definition, a {}, is at {loc}; a replacement is of the same kind",
                    replaced_kind.word()
                )),
            );
        }
        if let Some(d) = self.defs.get_mut(prev) {
            // A replacement of another kind is reported and left out: the included definition
            // stays, so nothing else is reported for it.
            if new_is_replacing == same_kind {
                d.stmt = stmt;
                d.kind = kind;
                d.replace = replace;
            }
            d.replaced = Some(replaced_span);
        }
        Some(())
    }

    fn define(&mut self, stmt: &'a Stmt, section: Option<&'a ast::Section>, replace: Option<Span>) {
        let kind = match stmt {
            Stmt::Type(_) => DefKind::Type,
            Stmt::Set(_) => DefKind::Set,
            Stmt::Const(_) => DefKind::Const,
            Stmt::Record(_) => DefKind::Record,
            Stmt::Measure(_) => DefKind::Measure,
            Stmt::Category(_) => DefKind::Category,
            Stmt::Window(_) => DefKind::Window,
            Stmt::Rule(_) => DefKind::Rule,
            Stmt::NonSchoolDays(_) => DefKind::NonSchoolDays,
        };
        let name = stmt.name();
        if let Some(&prev) = self.names.get(&name.name) {
            if self.replacement(prev, stmt, replace, kind).is_some() {
                if let Some(d) = self.defs.get_mut(prev)
                    && d.stmt.span().same(&stmt.span())
                {
                    d.section = section;
                }
                return;
            }
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
                     is a duplicate, not an override: rename or remove one of them; to change an included definition for \
                     this revision, write `replace` before the definition in the file that \
                     includes the other"
                )
            };
            self.push(
                Problem::error(
                    Code::Duplicate,
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
                    Code::ReservedName,
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
            replace,
            replaced: None,
        });
    }

    pub(super) fn location(&self, span: Span) -> String {
        let (l, c) = self.loaded.sources.line_col(span.file, span.start);
        format!("{}:{l}:{c}", self.loaded.sources.name(span.file))
    }

    pub(super) fn lookup(&self, name: &str) -> Option<(usize, &Def<'a>)> {
        let i = *self.names.get(name)?;
        self.defs.get(i).map(|d| (i, d))
    }

    pub(super) fn use_def(&mut self, i: usize) {
        self.used.insert(i);
    }

    pub(super) fn section_title(&self, sec: Option<&ast::Section>) -> Option<String> {
        sec.map(|s| s.title.node.clone())
    }

    /// Every name in scope, for "did you mean".
    pub(super) fn all_names(&self) -> Vec<&str> {
        self.names.keys().map(String::as_str).collect()
    }

    pub(super) fn unknown(&mut self, what: &str, name: &ast::Ident, candidates: &[&str]) {
        let help = match suggest::closest(&name.name, candidates.iter()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("define it, or check the spelling of `{}`", name.name),
        };
        self.push(
            Problem::error(
                Code::UnknownName,
                name.span,
                format!("unknown {what} `{}`", name.name),
            )
            .label("not defined")
            .help(help),
        );
    }

    pub(super) fn unknown_field(&mut self, record: &str, name: &ast::Ident, fields: &[&str]) {
        let help = match suggest::closest(&name.name, fields.iter()) {
            Some(s) => format!("did you mean `{s}`?"),
            None if fields.is_empty() => format!("`{record}` declares no fields"),
            None => format!("`{record}` has: {}", fields.join(", ")),
        };
        self.push(
            Problem::error(
                Code::UnknownName,
                name.span,
                format!("`{record}` has no field `{}`", name.name),
            )
            .label("not a field")
            .help(help),
        );
    }

    pub(super) fn unused(&mut self) {
        let mut found = Vec::new();
        for (i, d) in self.defs.iter().enumerate() {
            if matches!(
                d.kind,
                DefKind::Rule | DefKind::Record | DefKind::Category | DefKind::NonSchoolDays
            ) {
                continue;
            }
            let name = d.stmt.name();
            if self.used.contains(&i) || !self.report_unused.contains(&name.span.file) {
                continue;
            }
            found.push(
                Problem::warning(
                    Code::Unused,
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
