//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::Path;

use mandate::check::model::{Check, EachTest, Model, RoundingMode, TExpr, TExprKind, Value};
use mandate::syntax::Sources;

/// The path of `path` relative to the crate root, so names printed in diagnostics and snapshots do
/// not depend on where the repository is checked out. Tests run with the crate root as the current
/// directory, so the relative path reads the same file.
pub fn relative(path: &Path) -> &Path {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
}

/// A compact, readable account of what the checker understood: the guide, measures with their
/// types, categories, windows with their cases as printed, and rules with severity and section.
pub fn summary(model: &Model, sources: &Sources) -> String {
    let mut out = String::new();
    let g = &model.guide;
    let _ = writeln!(out, "guide {}", if g.id.is_empty() { "-" } else { &g.id });
    if let Some(t) = &g.title {
        let _ = writeln!(out, "  title    {t:?}");
    }
    if let Some(d) = g.issued {
        let _ = writeln!(out, "  issued   {d}");
    }
    if let Some(r) = &g.replaces {
        let _ = writeln!(out, "  replaces {r}");
    }
    if let Some(y) = g.year {
        let _ = writeln!(out, "  year     {y}-{}", y + 1);
    }
    let name_of = |r: mandate::check::model::RecordId| {
        model
            .schema
            .record(r)
            .map(|x| x.name.clone())
            .unwrap_or_default()
    };
    let section = |s: &Option<String>| match s {
        Some(s) => format!("  [{s}]"),
        None => String::new(),
    };
    out.push_str("records\n");
    for r in &model.schema.records {
        let key = r
            .key
            .and_then(|k| r.fields.get(k))
            .map(|f| format!(" key {}", f.name))
            .unwrap_or_default();
        let key = match r.dating {
            mandate::check::model::RecordDating::Default => key,
            mandate::check::model::RecordDating::Not => format!("{key} not dated"),
            mandate::check::model::RecordDating::By(f) => format!(
                "{key} dated by {}",
                r.fields.get(f).map_or("?", |f| f.name.as_str())
            ),
        };
        let fields: Vec<String> = r
            .fields
            .iter()
            .map(|f| {
                let mut s = format!("{}: {}", f.name, model.schema.type_name(f.ty));
                if f.optional {
                    s.push_str(" optional");
                }
                if f.private {
                    s.push_str(" private");
                }
                s
            })
            .collect();
        let _ = writeln!(out, "  {}{key} {{ {} }}", r.name, fields.join(", "));
    }
    if !model.constants.is_empty() {
        out.push_str("constants\n");
        for (name, v, ty, _, _) in &model.constants {
            let _ = writeln!(out, "  {name}: {} = {v:?}", model.schema.type_name(*ty));
        }
    }
    if !model.sets.is_empty() {
        out.push_str("sets\n");
        for (name, v, _) in &model.sets {
            let Value::Set(e, members) = v else {
                let _ = writeln!(out, "  {name}: {v:?}");
                continue;
            };
            let ty = model.schema.enum_type(*e);
            let names: Vec<&str> = members
                .iter()
                .filter_map(|m| {
                    ty.and_then(|t| t.values.get(*m as usize))
                        .map(String::as_str)
                })
                .collect();
            let tname = ty.map(|t| t.name.as_str()).unwrap_or("?");
            let _ = writeln!(out, "  {name}: {tname} = {{{}}}", names.join(", "));
        }
    }
    out.push_str("measures\n");
    for m in &model.measures {
        let rounding = match m.rounding {
            RoundingMode::Exact => String::new(),
            RoundingMode::HalfUp(step) => format!(", rounded half up to {}/{}", step.num, step.den),
        };
        let _ = writeln!(
            out,
            "  {} per {}: {}{rounding}{}",
            m.name,
            name_of(m.entity),
            model.schema.type_name(m.ty),
            section(&m.section)
        );
    }
    out.push_str("categories\n");
    for c in &model.categories {
        let when = one_line(sources.slice(c.when.span));
        let tr = match &c.transitions {
            Some(t) => format!(
                ", history {} ({}), gain {}, notice {} years",
                name_of(t.record),
                if t.qualified_field.is_some() {
                    "held, qualified"
                } else {
                    "held"
                },
                if t.gain_next_year {
                    "next year"
                } else {
                    "immediately"
                },
                t.notice_years
            ),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "  {} per {} when {when}{tr}{}",
            c.name,
            name_of(c.entity),
            section(&c.section)
        );
    }
    out.push_str("windows\n");
    for w in &model.windows {
        let _ = writeln!(
            out,
            "  {} per {}{}",
            w.name,
            name_of(w.entity),
            section(&w.section)
        );
        for case in &w.cases {
            match &case.when {
                Some(t) => {
                    let _ = writeln!(
                        out,
                        "    when {}: {}",
                        one_line(sources.slice(t.span)),
                        case.text
                    );
                }
                None => {
                    let _ = writeln!(out, "    always: {}", case.text);
                }
            }
        }
    }
    out.push_str("rules\n");
    for r in &model.rules {
        let kind = match &r.check {
            Check::Holds(_) => "holds",
            Check::Each { test, .. } => match test {
                EachTest::Within(_) => "each within",
                EachTest::NotOn { .. } => "each not on",
                EachTest::Compare(..) => "each compare",
                EachTest::WithinOf { .. } => "each within of",
            },
            Check::Deadline { .. } => "deadline",
            Check::Retain { .. } => "retain",
        };
        let applies = r
            .applies
            .as_ref()
            .map(|a| format!(" for {}", conditions(a, sources)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {} {} ({}, {kind}){applies}: {}{}",
            r.modal.word(),
            r.name,
            r.severity.word(),
            r.text,
            section(&r.section)
        );
    }
    out
}

/// A rule's `for` conditions as written: the section's and the rule's are joined by an `and` whose
/// span is the rule's own condition, so print both parts.
fn conditions(t: &TExpr, sources: &Sources) -> String {
    if let TExprKind::And(a, b) = &t.kind
        && (t.span.start, t.span.end) == (b.span.start, b.span.end)
    {
        return format!(
            "({}) and ({})",
            conditions(a, sources),
            sources.slice(b.span)
        );
    }
    sources.slice(t.span).to_string()
}

/// Source text on one line, runs of whitespace as one space.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
