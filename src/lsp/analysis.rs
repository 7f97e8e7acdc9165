//! One open document checked with its includes: the checker's result, every definition found in
//! the AST (for hover, definition, references and completion), and each file's URI and lines.

use std::path::{Path, PathBuf};

use lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Range,
};

use super::text::{Lines, path_uri};
use crate::check::{self, Checked, Loaded, Problem, Severity};
use crate::syntax::FileId;
use crate::syntax::ast::{Item, Section, Stmt};
use crate::syntax::span::Span;

/// What a name can be defined as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefKind {
    Type,
    Set,
    Const,
    Record,
    Measure,
    Category,
    Window,
    Rule,
    /// A value of an enumerated type.
    Member,
    /// A field of a record.
    Field,
}

impl DefKind {
    pub fn word(self) -> &'static str {
        match self {
            DefKind::Type => "type",
            DefKind::Set => "set",
            DefKind::Const => "constant",
            DefKind::Record => "record",
            DefKind::Measure => "measure",
            DefKind::Category => "category",
            DefKind::Window => "window",
            DefKind::Rule => "rule",
            DefKind::Member => "value",
            DefKind::Field => "field",
        }
    }
}

/// A definition found in a file's AST.
#[derive(Clone, Debug)]
pub struct Def {
    pub name: String,
    pub kind: DefKind,
    /// The name as written.
    pub at: Span,
    /// The whole statement (for a member or field: the type or record it belongs to).
    pub span: Span,
    /// The type or record a member or field belongs to; a field's type.
    pub owner: Option<String>,
    pub ty: Option<String>,
    pub section: Option<String>,
    pub quote: Option<String>,
}

/// A checked document.
pub struct Analysis {
    pub loaded: Loaded,
    pub checked: Checked,
    pub root: FileId,
    /// The URI of each file, by its id.
    pub uris: Vec<(FileId, String)>,
    pub lines: Vec<(FileId, Lines)>,
    pub defs: Vec<Def>,
}

impl Analysis {
    /// Checks `text` as the document at `uri` (a `file:` path, or any other URI for an unsaved
    /// buffer, whose includes are then looked for in the current folder); includes come from
    /// `open` when the editor has them, from disk otherwise.
    pub fn new(uri: &str, text: String, open: &dyn Fn(&Path) -> Option<String>) -> Analysis {
        let path = super::text::uri_path(uri).unwrap_or_else(|| PathBuf::from("untitled.policy"));
        let loaded = check::load_overlay(&path, text, open);
        let checked = check::check(&loaded);
        let root = loaded.root.unwrap_or_default();
        let uris = loaded
            .sources
            .iter()
            .map(|(id, f)| {
                let uri = if id == root {
                    uri.to_string()
                } else {
                    path_uri(Path::new(&f.name))
                };
                (id, uri)
            })
            .collect();
        let lines = loaded
            .sources
            .iter()
            .map(|(id, f)| (id, Lines::new(&f.text)))
            .collect();
        let defs = definitions(&loaded);
        Analysis {
            loaded,
            checked,
            root,
            uris,
            lines,
            defs,
        }
    }

    /// Whether the document itself parsed (its includes were then read).
    pub fn parsed(&self) -> bool {
        self.loaded.files.iter().any(|(id, _)| *id == self.root)
    }

    pub fn text(&self, file: FileId) -> &str {
        self.loaded.sources.text(file)
    }

    pub fn uri(&self, file: FileId) -> Option<&str> {
        self.uris
            .iter()
            .find(|(id, _)| *id == file)
            .map(|(_, u)| u.as_str())
    }

    pub fn lines(&self, file: FileId) -> Option<&Lines> {
        self.lines
            .iter()
            .find(|(id, _)| *id == file)
            .map(|(_, l)| l)
    }

    pub fn range(&self, span: Span) -> Range {
        match self.lines(span.file) {
            Some(l) => l.range(self.text(span.file), span.start, span.end),
            None => Range::default(),
        }
    }

    pub fn location(&self, span: Span) -> Option<Location> {
        let uri = self.uri(span.file)?.parse().ok()?;
        Some(Location::new(uri, self.range(span)))
    }

    /// Byte offset of a position in the root document.
    pub fn offset(&self, pos: lsp_types::Position) -> usize {
        match self.lines(self.root) {
            Some(l) => l.offset(self.text(self.root), pos),
            None => 0,
        }
    }

    /// The definitions of `name`, of any kind.
    pub fn defs_of<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Def> + 'a {
        self.defs.iter().filter(move |d| d.name == name)
    }

    /// The diagnostics of the root document, as `mandate check` prints them: a problem in an
    /// include is shown on the `include` line that leads to it, with its own place as related
    /// information.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        self.checked
            .problems
            .iter()
            .map(|p| self.diagnostic(p))
            .collect()
    }

    fn diagnostic(&self, p: &Problem) -> Diagnostic {
        let mut related = Vec::new();
        let mut message = p.message.clone();
        let range = if p.span.file == self.root {
            self.range(p.span)
        } else {
            if let Some(loc) = self.location(p.span) {
                related.push(DiagnosticRelatedInformation {
                    location: loc,
                    message: p.label.clone(),
                });
            }
            message = format!("in `{}`: {message}", self.loaded.sources.name(p.span.file));
            self.include_leading_to(p.span.file)
                .map_or_else(Range::default, |s| self.range(s))
        };
        if let Some(help) = &p.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
            // "did you mean `x`?": the definition of `x`.
            if let Some(name) = suggested(help) {
                for d in self.defs_of(name).take(3) {
                    if let Some(loc) = self.location(d.at) {
                        related.push(DiagnosticRelatedInformation {
                            location: loc,
                            message: format!("`{name}` is defined here"),
                        });
                    }
                }
            }
        }
        Diagnostic {
            range,
            severity: Some(match p.level {
                Severity::Error => DiagnosticSeverity::ERROR,
                Severity::Warning => DiagnosticSeverity::WARNING,
                Severity::Info => DiagnosticSeverity::INFORMATION,
            }),
            code: Some(NumberOrString::String(p.code.to_string())),
            source: Some("mandate".into()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            ..Diagnostic::default()
        }
    }

    /// The `include` statement of the root document through which `file` is read.
    fn include_leading_to(&self, file: FileId) -> Option<Span> {
        let (_, ast) = self.loaded.files.iter().find(|(id, _)| *id == self.root)?;
        let mut first = None;
        for item in &ast.items {
            if let Item::Include(inc) = item {
                first.get_or_insert(inc.span);
                let leads =
                    self.loaded.includes.iter().any(|(a, b)| {
                        *a == self.root
                            && (*b == file || self.loaded.includes_file(*b, file))
                            && self.loaded.sources.name(*b).ends_with(
                                inc.path.node.rsplit('/').next().unwrap_or(&inc.path.node),
                            )
                    });
                if leads {
                    return Some(inc.span);
                }
            }
        }
        first
    }
}

/// `x` in a help line "did you mean `x`?".
pub fn suggested(help: &str) -> Option<&str> {
    let rest = help.split("did you mean `").nth(1)?;
    rest.split('`').next().filter(|s| !s.is_empty())
}

fn definitions(loaded: &Loaded) -> Vec<Def> {
    let mut out = Vec::new();
    for (_, file) in &loaded.files {
        for item in &file.items {
            match item {
                Item::Stmt(s) => stmt_defs(s, None, &mut out),
                Item::Section(sec) => {
                    for s in &sec.stmts {
                        stmt_defs(s, Some(sec), &mut out);
                    }
                }
                Item::Include(_) | Item::Guide(_) => {}
            }
        }
    }
    out
}

fn stmt_defs(s: &Stmt, section: Option<&Section>, out: &mut Vec<Def>) {
    let (kind, quote) = match s {
        Stmt::Type(_) => (DefKind::Type, None),
        Stmt::Set(_) => (DefKind::Set, None),
        Stmt::Const(_) => (DefKind::Const, None),
        Stmt::Record(_) => (DefKind::Record, None),
        Stmt::Measure(_) => (DefKind::Measure, None),
        Stmt::Category(_) => (DefKind::Category, None),
        Stmt::Window(_) => (DefKind::Window, None),
        Stmt::Rule(r) => (DefKind::Rule, r.quote.as_ref().map(|q| q.node.clone())),
        // The list is not a name: nothing refers to it.
        Stmt::NonSchoolDays(_) => return,
    };
    let name = s.name();
    let section_title = section.map(|s| s.title.node.clone());
    let ty = match s {
        Stmt::Set(d) => Some(d.of.name.clone()),
        _ => None,
    };
    out.push(Def {
        name: name.name.clone(),
        kind,
        at: name.span,
        span: s.span(),
        owner: None,
        ty,
        section: section_title.clone(),
        quote,
    });
    match s {
        Stmt::Type(t) => {
            for v in &t.values {
                out.push(Def {
                    name: v.name.clone(),
                    kind: DefKind::Member,
                    at: v.span,
                    span: t.span,
                    owner: Some(t.name.name.clone()),
                    ty: Some(t.name.name.clone()),
                    section: section_title.clone(),
                    quote: None,
                });
            }
        }
        Stmt::Record(r) => {
            for f in &r.fields {
                out.push(Def {
                    name: f.name.name.clone(),
                    kind: DefKind::Field,
                    at: f.name.span,
                    span: f.span,
                    owner: Some(r.name.name.clone()),
                    ty: Some(f.ty.name.clone()),
                    section: section_title.clone(),
                    quote: None,
                });
            }
        }
        _ => {}
    }
}
