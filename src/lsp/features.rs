//! What the server answers: hover, definition, references, completion, outline, code actions and
//! formatting, each read from an [`Analysis`].

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike as _, NaiveDate, Weekday};
use lsp_types::{
    CodeAction, CodeActionKind, CompletionItem, CompletionItemKind, Diagnostic, DocumentSymbol,
    Hover, HoverContents, Location, MarkupContent, MarkupKind, Position, Range, SymbolKind,
    TextEdit, Uri, WorkspaceEdit,
};

use super::analysis::{Analysis, Def, DefKind, suggested};
use super::text::{code_words, word_at};
use crate::syntax::ast::{DateLit, Item, Literal, Rounding, Stmt};
use crate::syntax::keywords::{KEYWORDS, STATEMENT_WORDS};
use crate::syntax::span::Span;

const BUILTIN_TYPES: &[&str] = &[
    "text",
    "int",
    "number",
    "bool",
    "date",
    "percent",
    "ratio",
    "duration",
    "school_year",
    "weight",
];

// ---- hover ---------------------------------------------------------------------------------

pub fn hover(a: &Analysis, pos: Position) -> Option<Hover> {
    let offset = a.offset(pos);
    let text = a.text(a.root);
    let (value, range) = date_hover(a, text, offset)
        .or_else(|| threshold_hover(a, text, offset))
        .or_else(|| name_hover(a, text, offset))?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: Some(range),
    })
}

/// The line of `text` around `offset`, with its start.
fn line_around(text: &str, offset: usize) -> (usize, &str) {
    let offset = offset.min(text.len());
    let start = text
        .get(..offset)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let end = text
        .get(offset..)
        .and_then(|t| t.find('\n'))
        .map_or(text.len(), |i| offset + i);
    (start, text.get(start..end).unwrap_or(""))
}

fn date_of(d: DateLit) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(i32::try_from(d.year).ok()?, d.month, d.day)
}

fn long(d: NaiveDate) -> String {
    d.format("%A, %B %-d, %Y").to_string()
}

/// The school year the policy is for: the guide's `year`, from the model or the AST.
fn school_year(a: &Analysis) -> Option<(NaiveDate, NaiveDate)> {
    if let Some(m) = &a.checked.model {
        return m.guide.year_bounds();
    }
    for (_, f) in &a.loaded.files {
        for item in &f.items {
            if let Item::Guide(g) = item {
                for e in &g.entries {
                    if e.key.name == "year"
                        && let crate::syntax::ast::GuideValue::Lit(l) = &e.value
                        && let Literal::SchoolYear(y, _) = l.node
                    {
                        return crate::check::model::school_year_bounds(i32::try_from(y).ok()?);
                    }
                }
            }
        }
    }
    None
}

fn place_in_year(a: &Analysis, d: NaiveDate) -> String {
    let Some((first, last)) = school_year(a) else {
        return "The policy's guide block gives no `year`, so its place in a school year is not known."
            .into();
    };
    let label = format!("{}-{}", first.year(), last.year());
    if d < first || d > last {
        return format!(
            "Outside the {label} school year (July 1, {} to June 30, {}).",
            first.year(),
            last.year()
        );
    }
    let day = (d - first).num_days() + 1;
    let total = (last - first).num_days() + 1;
    format!(
        "Day {day} of {total} of the {label} school year (from July 1), in week {}.",
        (day - 1) / 7 + 1
    )
}

fn weekdays(from: NaiveDate, to: NaiveDate) -> i64 {
    from.iter_days()
        .take_while(|d| *d <= to)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .count() as i64
}

fn date_hover(a: &Analysis, text: &str, offset: usize) -> Option<(String, Range)> {
    let (start, line) = line_around(text, offset);
    let (r, lit) = crate::syntax::dates_in(line)
        .into_iter()
        .find(|(r, _)| start + r.start <= offset && offset <= start + r.end)?;
    let range = a.range(Span::new(a.root, start + r.start, start + r.end));
    let value = match lit {
        Literal::Date(d) => {
            let Some(day) = date_of(d) else {
                return Some((
                    format!(
                        "**{}/{}/{}** is not a date of the calendar.",
                        d.month, d.day, d.year
                    ),
                    range,
                ));
            };
            format!("**{}**\n\n{}", long(day), place_in_year(a, day))
        }
        Literal::Range(x, y, _) => {
            let (Some(from), Some(to)) = (date_of(x), date_of(y)) else {
                return Some((
                    "One end of this range is not a date of the calendar.".into(),
                    range,
                ));
            };
            let days = (to - from).num_days() + 1;
            let mut v = format!("**{}** to **{}**, both included\n\n", long(from), long(to));
            if days <= 0 {
                v.push_str("The range ends before it starts.");
            } else {
                v.push_str(&format!(
                    "{days} day{}, {} of them Monday to Friday (school days before the district's \
                     holidays, which the policy does not list).\n\n",
                    if days == 1 { "" } else { "s" },
                    weekdays(from, to)
                ));
                v.push_str(&format!("Starts: {}", place_in_year(a, from)));
            }
            v
        }
        _ => return None,
    };
    Some((value, range))
}

/// The statement of the root file that holds `offset`.
fn stmt_at(a: &Analysis, offset: usize) -> Option<&Stmt> {
    let (_, ast) = a.loaded.files.iter().find(|(id, _)| *id == a.root)?;
    let inside = |s: &Stmt| s.span().start <= offset && offset <= s.span().end;
    ast.items.iter().find_map(|item| match item {
        Item::Stmt(s) => inside(s).then_some(s),
        Item::Section(sec) => sec.stmts.iter().find(|s| inside(s)),
        _ => None,
    })
}

/// How each share a threshold is compared with is decided: exactly, or rounded first.
fn threshold_hover(a: &Analysis, text: &str, offset: usize) -> Option<(String, Range)> {
    let is_num = |c: char| c.is_ascii_digit() || c == '.';
    let before = text.get(..offset)?;
    let after = text.get(offset..)?;
    let start = offset - before.chars().rev().take_while(|&c| is_num(c)).count();
    let digits = after.chars().take_while(|&c| is_num(c)).count();
    let end = offset + digits;
    if text.get(end..end + 1) != Some("%") || start == end {
        return None;
    }
    let stmt = stmt_at(a, offset)?;
    let stmt_text = a.loaded.sources.slice(stmt.span());
    let measures: BTreeSet<&str> = code_words(stmt_text)
        .into_iter()
        .map(|(_, w)| w)
        .filter(|w| a.defs_of(w).any(|d| d.kind == DefKind::Measure))
        .collect();
    let threshold = text.get(start..=end).unwrap_or("");
    let mut v = format!("**{threshold}**, a threshold\n\n");
    if measures.is_empty() {
        v.push_str("No measure of this statement is a share; it is compared as written.");
    }
    for m in measures {
        v.push_str(&format!("- `{m}`: {}\n", rounding_of(a, m)));
    }
    Some((v, a.range(Span::new(a.root, start, end + 1))))
}

fn rounding_of(a: &Analysis, measure: &str) -> String {
    for (_, f) in &a.loaded.files {
        for item in &f.items {
            let stmts: Vec<&Stmt> = match item {
                Item::Stmt(s) => vec![s],
                Item::Section(sec) => sec.stmts.iter().collect(),
                _ => continue,
            };
            for s in stmts {
                if let Stmt::Measure(m) = s
                    && m.name.name == measure
                {
                    return match m.rounding.as_ref().map(|r| &r.node) {
                        Some(Rounding::Exact) => {
                            "compared exactly (`exact`), with no rounding first".into()
                        }
                        Some(Rounding::To(d)) => {
                            format!("rounded half up to a multiple of {d}% before it is compared")
                        }
                        None => "the policy does not say how it is rounded, so it is compared \
                                 exactly; add `exact` or `rounded to 0.1%` to the measure"
                            .into(),
                    };
                }
            }
        }
    }
    "not found".into()
}

fn name_hover(a: &Analysis, text: &str, offset: usize) -> Option<(String, Range)> {
    let (start, end, word) = word_at(text, offset)?;
    let range = a.range(Span::new(a.root, start, end));
    if crate::syntax::keywords::is_keyword(word) {
        return None;
    }
    let owner = record_before(text, start);
    let defs: Vec<&Def> = a
        .defs_of(word)
        .filter(|d| owner.is_none() || d.owner.as_deref() == owner || d.kind != DefKind::Field)
        .collect();
    let d = defs.first()?;
    let mut v = format!("**{}** `{}`", d.kind.word(), d.name);
    match (d.kind, &d.owner, &d.ty) {
        (DefKind::Member, Some(o), _) => v.push_str(&format!(" of type `{o}`")),
        (DefKind::Field, Some(o), Some(t)) => {
            v.push_str(&format!(" of record `{o}`, of type `{t}`"))
        }
        (DefKind::Set, _, Some(t)) => v.push_str(&format!(" of `{t}` values")),
        _ => {}
    }
    if let Some(t) = model_type(a, d) {
        v.push_str(&format!(": {t}"));
    }
    let file = a.loaded.sources.name(d.at.file);
    let (line, _) = a.loaded.sources.line_col(d.at.file, d.at.start);
    let short = file.rsplit('/').next().unwrap_or(file);
    v.push_str(&format!("\n\nDefined in `{short}`, line {line}"));
    let src = a.loaded.sources.slice(d.span);
    let src: String = src.chars().take(600).collect();
    v.push_str(&format!("\n\n```mandate\n{src}\n```"));
    if let Some(q) = &d.quote {
        v.push_str(&format!("\n\nThe guide: \"{q}\""));
    }
    if let Some(s) = &d.section {
        v.push_str(&format!("\n\nSection \"{s}\" of the guide"));
    }
    if defs.len() > 1 {
        v.push_str(&format!("\n\n({} definitions of this name)", defs.len()));
    }
    Some((v, range))
}

/// The type the checker gave a measure, constant, category, window or rule, when the policy
/// checked without errors.
fn model_type(a: &Analysis, d: &Def) -> Option<String> {
    let m = a.checked.model.as_ref()?;
    let entity = |id| m.schema.record(id).map(|r| r.name.clone());
    match d.kind {
        DefKind::Measure => {
            let x = m.measures.iter().find(|x| x.name == d.name)?;
            Some(format!(
                "{}, one per `{}`",
                m.schema.type_name(x.ty),
                entity(x.entity)?
            ))
        }
        DefKind::Const => {
            let x = m.constants.iter().find(|x| x.0 == d.name)?;
            Some(m.schema.type_name(x.2))
        }
        DefKind::Category => {
            let x = m.categories.iter().find(|x| x.name == d.name)?;
            Some(format!("a category of `{}`", entity(x.entity)?))
        }
        DefKind::Window => {
            let x = m.windows.iter().find(|x| x.name == d.name)?;
            Some(format!("a window per `{}`", entity(x.entity)?))
        }
        DefKind::Rule => {
            let x = m.rules.iter().find(|x| x.name == d.name)?;
            Some(format!(
                "`{}` ({}), about each `{}`",
                x.modal.word(),
                x.severity.word(),
                entity(x.entity)?
            ))
        }
        _ => None,
    }
}

/// `R` when the word at `start` is written `R.word`.
fn record_before(text: &str, start: usize) -> Option<&str> {
    let before = text.get(..start)?;
    let before = before.strip_suffix('.')?;
    word_at(before, before.len()).map(|(_, _, w)| w)
}

// ---- definition and references ------------------------------------------------------------

pub fn definition(a: &Analysis, pos: Position) -> Vec<Location> {
    let offset = a.offset(pos);
    let text = a.text(a.root);
    let Some((start, _, word)) = word_at(text, offset) else {
        return Vec::new();
    };
    let owner = record_before(text, start);
    let mut defs: Vec<&Def> = a.defs_of(word).collect();
    if let Some(o) = owner {
        let fields: Vec<&Def> = defs
            .iter()
            .copied()
            .filter(|d| d.kind == DefKind::Field && d.owner.as_deref() == Some(o))
            .collect();
        if !fields.is_empty() {
            defs = fields;
        }
    } else if defs.iter().any(|d| d.kind != DefKind::Field) {
        defs.retain(|d| d.kind != DefKind::Field);
    }
    defs.iter().filter_map(|d| a.location(d.at)).collect()
}

pub fn references(a: &Analysis, pos: Position, include_declaration: bool) -> Vec<Location> {
    let offset = a.offset(pos);
    let text = a.text(a.root);
    let Some((_, _, word)) = word_at(text, offset) else {
        return Vec::new();
    };
    if a.defs_of(word).next().is_none() {
        return Vec::new();
    }
    let decls: Vec<Span> = a.defs_of(word).map(|d| d.at).collect();
    let mut out = Vec::new();
    for (id, f) in a.loaded.sources.iter() {
        for (at, w) in code_words(&f.text) {
            if w != word {
                continue;
            }
            let span = Span::new(id, at, at + w.len());
            if !include_declaration && decls.iter().any(|d| d.same(&span)) {
                continue;
            }
            if let Some(l) = a.location(span) {
                out.push(l);
            }
        }
    }
    out
}

// ---- completion ----------------------------------------------------------------------------

/// Completion at `pos`; `defs` are the names known (the document's, or while it does not parse,
/// those of its last version that did).
pub fn completion(a: &Analysis, defs: &[Def], pos: Position) -> Vec<CompletionItem> {
    let offset = a.offset(pos);
    let text = a.text(a.root);
    let before = text.get(..offset).unwrap_or("");
    // The word being typed is not part of the context.
    let typed = before
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .map(char::len_utf8)
        .sum::<usize>();
    let ctx = before.get(..before.len() - typed).unwrap_or("");
    if let Some(rec) = ctx.strip_suffix('.') {
        if let Some((_, _, r)) = word_at(rec, rec.len()) {
            return defs
                .iter()
                .filter(|d| d.kind == DefKind::Field && d.owner.as_deref() == Some(r))
                .map(|d| item(&d.name, CompletionItemKind::FIELD, d.ty.clone()))
                .collect();
        }
        return Vec::new();
    }
    if let Some(operand) = members_context(ctx) {
        return members(defs, operand);
    }
    let line_start = ctx.rsplit('\n').next().unwrap_or("");
    let words: &[&str] = if line_start.trim().is_empty() {
        STATEMENT_WORDS
    } else {
        KEYWORDS
    };
    let mut out: Vec<CompletionItem> = words
        .iter()
        .map(|w| item(w, CompletionItemKind::KEYWORD, None))
        .collect();
    if !line_start.trim().is_empty() {
        out.extend(
            BUILTIN_TYPES
                .iter()
                .map(|w| item(w, CompletionItemKind::TYPE_PARAMETER, Some("type".into()))),
        );
        let mut seen = BTreeSet::new();
        for d in defs {
            if d.kind == DefKind::Field || !seen.insert(&d.name) {
                continue;
            }
            let kind = match d.kind {
                DefKind::Type => CompletionItemKind::ENUM,
                DefKind::Member => CompletionItemKind::ENUM_MEMBER,
                DefKind::Record => CompletionItemKind::STRUCT,
                DefKind::Const => CompletionItemKind::CONSTANT,
                DefKind::Rule => CompletionItemKind::FUNCTION,
                DefKind::Window => CompletionItemKind::EVENT,
                _ => CompletionItemKind::VARIABLE,
            };
            out.push(item(&d.name, kind, Some(d.kind.word().into())));
        }
    }
    out
}

fn item(label: &str, kind: CompletionItemKind, detail: Option<String>) -> CompletionItem {
    CompletionItem {
        label: label.into(),
        kind: Some(kind),
        detail,
        ..CompletionItem::default()
    }
}

/// The left operand when the cursor is after `X in {` (inside the braces, after any members
/// already written) or after `X ==` / `X !=`.
fn members_context(ctx: &str) -> Option<&str> {
    let trimmed = ctx.trim_end();
    let left = if let Some(l) = trimmed
        .strip_suffix("==")
        .or_else(|| trimmed.strip_suffix("!="))
    {
        l
    } else {
        let open = trimmed.rfind('{')?;
        let inside = trimmed.get(open + 1..)?;
        if inside.contains('}') || inside.contains('\n') {
            return None;
        }
        let l = trimmed.get(..open)?.trim_end().strip_suffix("in")?;
        l.strip_suffix(|c: char| c.is_whitespace())?
    };
    let left = left.trim_end();
    let left = left.strip_suffix(" not").unwrap_or(left).trim_end();
    word_at(left, left.len()).map(|(_, _, w)| w)
}

/// The values an operand can be compared with: its enumerated type's members and the sets of
/// that type; when the operand's type is not known, every member of every type.
fn members(defs: &[Def], operand: &str) -> Vec<CompletionItem> {
    let of = |name: &str| {
        defs.iter()
            .filter(move |d| d.name == name)
            .collect::<Vec<_>>()
    };
    let ty: Option<String> = of(operand)
        .into_iter()
        .find_map(|d| match d.kind {
            DefKind::Field | DefKind::Set => d.ty.clone(),
            DefKind::Type => Some(d.name.clone()),
            _ => None,
        })
        .filter(|t| of(t).iter().any(|d| d.kind == DefKind::Type));
    defs.iter()
        .filter(|d| match (&ty, d.kind) {
            (Some(t), DefKind::Member | DefKind::Set) => d.ty.as_deref() == Some(t.as_str()),
            (None, DefKind::Member) => true,
            _ => false,
        })
        .map(|d| {
            let kind = if d.kind == DefKind::Set {
                CompletionItemKind::CONSTANT
            } else {
                CompletionItemKind::ENUM_MEMBER
            };
            item(&d.name, kind, d.ty.clone())
        })
        .collect()
}

// ---- outline -------------------------------------------------------------------------------

#[expect(
    deprecated,
    reason = "`deprecated` is a required field of DocumentSymbol"
)]
fn symbol(
    a: &Analysis,
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    span: Span,
    at: Span,
    children: Option<Vec<DocumentSymbol>>,
) -> DocumentSymbol {
    DocumentSymbol {
        name: if name.is_empty() { "?".into() } else { name },
        detail,
        kind,
        tags: None,
        deprecated: None,
        range: a.range(span),
        selection_range: a.range(at),
        children,
    }
}

fn stmt_symbol(a: &Analysis, s: &Stmt) -> DocumentSymbol {
    let (kind, detail) = match s {
        Stmt::Type(_) => (SymbolKind::ENUM, "type".to_string()),
        Stmt::Set(_) => (SymbolKind::ARRAY, "set".into()),
        Stmt::Const(_) => (SymbolKind::CONSTANT, "const".into()),
        Stmt::Record(_) => (SymbolKind::STRUCT, "record".into()),
        Stmt::Measure(_) => (SymbolKind::PROPERTY, "measure".into()),
        Stmt::Category(_) => (SymbolKind::CLASS, "category".into()),
        Stmt::Window(_) => (SymbolKind::EVENT, "window".into()),
        Stmt::Rule(r) => (SymbolKind::FUNCTION, r.modal.node.word().into()),
        Stmt::NonSchoolDays(_) => (SymbolKind::EVENT, "holidays and breaks".into()),
    };
    let name = s.name();
    symbol(
        a,
        name.name.clone(),
        Some(detail),
        kind,
        s.span(),
        name.span,
        None,
    )
}

pub fn symbols(a: &Analysis) -> Vec<DocumentSymbol> {
    let Some((_, ast)) = a.loaded.files.iter().find(|(id, _)| *id == a.root) else {
        return Vec::new();
    };
    ast.items
        .iter()
        .filter_map(|item| match item {
            Item::Include(_) => None,
            Item::Guide(g) => Some(symbol(
                a,
                g.id.node.clone(),
                Some("guide".into()),
                SymbolKind::MODULE,
                g.span,
                g.id.span,
                None,
            )),
            Item::Section(sec) => Some(symbol(
                a,
                sec.title.node.clone(),
                Some("section".into()),
                SymbolKind::NAMESPACE,
                sec.span,
                sec.title.span,
                Some(sec.stmts.iter().map(|s| stmt_symbol(a, s)).collect()),
            )),
            Item::Stmt(s) => Some(stmt_symbol(a, s)),
        })
        .collect()
}

// ---- code actions and formatting -----------------------------------------------------------

#[expect(
    clippy::mutable_key_type,
    reason = "lsp-types keys WorkspaceEdit::changes by Uri, whose cache cell is never mutated here"
)]
fn edit_action(title: String, uri: &Uri, edit: TextEdit, diag: &Diagnostic) -> CodeAction {
    let mut changes = HashMap::new();
    changes.insert(uri.clone(), vec![edit]);
    CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diag.clone()]),
        edit: Some(WorkspaceEdit {
            changes: Some(changes),
            ..WorkspaceEdit::default()
        }),
        is_preferred: Some(true),
        ..CodeAction::default()
    }
}

/// Quick fixes for the diagnostics the editor sends back: a did-you-mean replaced in place, and
/// `exact` or `rounded to 0.1%` added to a share whose rounding the policy does not state.
pub fn code_actions(a: &Analysis, uri: &Uri, diags: &[Diagnostic]) -> Vec<CodeAction> {
    let mut out = Vec::new();
    let text = a.text(a.root);
    for d in diags {
        if d.source.as_deref() != Some("mandate") {
            continue;
        }
        let code = match &d.code {
            Some(lsp_types::NumberOrString::String(s)) => s.as_str(),
            _ => "",
        };
        if let Some(name) = suggested(&d.message) {
            // Replace the misspelt word at the diagnostic's start.
            let at = a.offset(d.range.start);
            if let Some((s, e, word)) = word_at(text, at)
                && word != name
            {
                let edit = TextEdit::new(a.range(Span::new(a.root, s, e)), name.to_string());
                out.push(edit_action(
                    format!("Replace `{word}` with `{name}`"),
                    uri,
                    edit,
                    d,
                ));
            }
        }
        if code == crate::codes::Code::RoundingUnstated.as_str() {
            let Some(measure) = d.message.split('`').nth(1) else {
                continue;
            };
            if let Some(end) = measure_end(a, measure) {
                let at = a.range(Span::new(a.root, end, end));
                for words in ["exact", "rounded to 0.1%"] {
                    let edit = TextEdit::new(at, format!(" {words}"));
                    let title = format!("Add `{words}` to `measure {measure}`");
                    let mut action = edit_action(title, uri, edit, d);
                    action.is_preferred = Some(words == "exact");
                    out.push(action);
                }
            }
        }
    }
    out
}

/// The end of a measure's expression in the root file.
fn measure_end(a: &Analysis, name: &str) -> Option<usize> {
    let (_, ast) = a.loaded.files.iter().find(|(id, _)| *id == a.root)?;
    ast.items.iter().find_map(|item| {
        let stmts: Vec<&Stmt> = match item {
            Item::Stmt(s) => vec![s],
            Item::Section(sec) => sec.stmts.iter().collect(),
            _ => Vec::new(),
        };
        stmts.into_iter().find_map(|s| match s {
            Stmt::Measure(m) if m.name.name == name && m.rounding.is_none() => {
                Some(m.expr.span.end)
            }
            _ => None,
        })
    })
}

/// The whole document in `mandate fmt`'s layout; no edit when it has a syntax error or is
/// already formatted.
pub fn format(text: &str) -> Result<Vec<TextEdit>, String> {
    let out = crate::fmt::format_source(text).map_err(|e| e.to_string())?;
    if out == text {
        return Ok(Vec::new());
    }
    let lines = super::text::Lines::new(text);
    Ok(vec![TextEdit::new(lines.range(text, 0, text.len()), out)])
}
