//! `diff`: what changed between two revisions of a policy, in the guide's own terms. Statements are
//! matched by name, values compared by meaning (dates as dates, sets as sets), so reordering or
//! reformatting is no change. With data, the impact: schools whose categories or findings differ.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;

use crate::check::model::*;
use crate::eval::{Evaluation, Status};
use crate::syntax::Sources;

/// One change between revisions.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Change {
    /// `guide`, `date`, `window`, `deadline`, `threshold`, `set`, `type`, `record`, `measure`,
    /// `category`, `rule`.
    pub area: &'static str,
    /// What changed, e.g. `window first_conference (elementary)`.
    pub what: String,
    /// `added`, `removed` or `changed`.
    pub change: &'static str,
    pub old: Option<String>,
    pub new: Option<String>,
    pub section: Option<String>,
}

/// A rule as compared: verb, assertion, applicability, due date, section.
type RuleFacts = (String, String, String, Option<String>, Option<String>);

/// One revision: its model and the text it was read from.
pub struct Revision<'a> {
    pub model: &'a Model,
    pub sources: &'a Sources,
}

fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn value_text(model: &Model, v: &Value) -> String {
    crate::eval::value::show(
        v,
        crate::check::model::Type::Text,
        &model.schema,
        &|_, i| Some(format!("#{i}")),
    )
    .trim_matches('"')
    .to_string()
}

/// What a window case is, as compared: its dates when they are fixed, else its text.
fn case_meaning(c: &WindowCase) -> String {
    let b = |x: &Option<WindowBound>| match x {
        Some(WindowBound { kind, expr }) => match &expr.kind {
            TExprKind::Const(Value::Date(d)) => format!("{} {}", kind.word(), us_date(*d)),
            _ => format!("{} <{}>", kind.word(), expr.span.len()),
        },
        None => String::new(),
    };
    let fixed = |x: &Option<WindowBound>| {
        x.as_ref()
            .map(|w| matches!(w.expr.kind, TExprKind::Const(_)))
            .unwrap_or(true)
    };
    if fixed(&c.lower) && fixed(&c.upper) {
        format!("{} {}", b(&c.lower), b(&c.upper))
    } else {
        norm(&c.text)
    }
}

fn case_key(r: &Revision<'_>, c: &WindowCase) -> String {
    match &c.when {
        Some(w) => norm(r.sources.slice(w.span)),
        None => String::new(),
    }
}

fn set_members(model: &Model, v: &Value) -> BTreeSet<String> {
    match v {
        Value::Set(e, m) => m
            .iter()
            .filter_map(|i| {
                model
                    .schema
                    .enum_type(*e)
                    .and_then(|t| t.values.get(*i as usize))
                    .cloned()
            })
            .collect(),
        _ => BTreeSet::new(),
    }
}

/// Every change from `old` to `new`, sorted by area then name.
pub fn diff(old: &Revision<'_>, new: &Revision<'_>) -> Vec<Change> {
    let mut out = Vec::new();
    let mut push = |area,
                    what: String,
                    change,
                    o: Option<String>,
                    n: Option<String>,
                    section: Option<String>| {
        out.push(Change {
            area,
            what,
            change,
            old: o,
            new: n,
            section,
        })
    };
    // Guide metadata.
    let (go, gn) = (&old.model.guide, &new.model.guide);
    let year = |y: Option<i32>| y.map(|y| format!("{y}-{}", y + 1));
    for (k, a, b) in [
        ("id", Some(go.id.clone()), Some(gn.id.clone())),
        ("title", go.title.clone(), gn.title.clone()),
        ("issued", go.issued.map(us_date), gn.issued.map(us_date)),
        ("replaces", go.replaces.clone(), gn.replaces.clone()),
        ("year", year(go.year), year(gn.year)),
    ] {
        if a != b {
            push("guide", k.to_string(), "changed", a, b, None);
        }
    }
    // Constants (dates and thresholds that stand alone).
    let consts = |m: &Model| -> BTreeMap<String, Value> {
        m.constants
            .iter()
            .map(|(n, v, _, _)| (n.clone(), v.clone()))
            .collect()
    };
    let (co, cn) = (consts(old.model), consts(new.model));
    for name in co.keys().chain(cn.keys()).collect::<BTreeSet<_>>() {
        let a = co.get(name).map(|v| value_text(old.model, v));
        let b = cn.get(name).map(|v| value_text(new.model, v));
        if a != b {
            let area = if matches!(co.get(name).or(cn.get(name)), Some(Value::Date(_))) {
                "date"
            } else {
                "constant"
            };
            let change = match (&a, &b) {
                (None, _) => "added",
                (_, None) => "removed",
                _ => "changed",
            };
            push(area, format!("const {name}"), change, a, b, None);
        }
    }
    // Sets: members added or removed.
    let sets = |m: &Model| -> BTreeMap<String, BTreeSet<String>> {
        m.sets
            .iter()
            .map(|(n, v, _)| (n.clone(), set_members(m, v)))
            .collect()
    };
    let (so, sn) = (sets(old.model), sets(new.model));
    for name in so.keys().chain(sn.keys()).collect::<BTreeSet<_>>() {
        match (so.get(name), sn.get(name)) {
            (Some(a), Some(b)) if a != b => {
                let removed: Vec<&String> = a.difference(b).collect();
                let added: Vec<&String> = b.difference(a).collect();
                let mut note = Vec::new();
                if !added.is_empty() {
                    note.push(format!(
                        "added {}",
                        added
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                if !removed.is_empty() {
                    note.push(format!(
                        "removed {}",
                        removed
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                push(
                    "set",
                    format!("set {name}: {}", note.join("; ")),
                    "changed",
                    Some(fmt_set(a)),
                    Some(fmt_set(b)),
                    None,
                );
            }
            (Some(a), None) => push(
                "set",
                format!("set {name}"),
                "removed",
                Some(fmt_set(a)),
                None,
                None,
            ),
            (None, Some(b)) => push(
                "set",
                format!("set {name}"),
                "added",
                None,
                Some(fmt_set(b)),
                None,
            ),
            _ => {}
        }
    }
    // Types and records: the schema.
    // Each value with the other spellings the data may use for it, in order.
    let types = |m: &Model| -> BTreeMap<String, Vec<String>> {
        m.schema
            .enums
            .iter()
            .map(|e| {
                let values = e
                    .values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let alts = e.spellings.iter().filter(|(_, vi)| *vi as usize == i);
                        format!("{v}{}", other_names(alts.map(|(text, _)| text)))
                    })
                    .collect();
                (e.name.clone(), values)
            })
            .collect()
    };
    let (to, tn) = (types(old.model), types(new.model));
    for name in to.keys().chain(tn.keys()).collect::<BTreeSet<_>>() {
        let (a, b) = (
            to.get(name).map(|v| v.join(", ")),
            tn.get(name).map(|v| v.join(", ")),
        );
        if a != b {
            push(
                "type",
                format!("type {name}"),
                change_word(&a, &b),
                a,
                b,
                None,
            );
        }
    }
    let records = |m: &Model| -> BTreeMap<String, String> {
        m.schema
            .records
            .iter()
            .map(|r| {
                let fields: Vec<String> = r
                    .fields
                    .iter()
                    .map(|f| {
                        format!(
                            "{}{}: {}{}",
                            f.name,
                            other_names(f.columns.iter()),
                            m.schema.type_name(f.ty),
                            if f.optional { " optional" } else { "" }
                        )
                    })
                    .collect();
                (r.name.clone(), fields.join(", "))
            })
            .collect()
    };
    let (ro, rn) = (records(old.model), records(new.model));
    for name in ro.keys().chain(rn.keys()).collect::<BTreeSet<_>>() {
        let (a, b) = (ro.get(name).cloned(), rn.get(name).cloned());
        if a != b {
            push(
                "record",
                format!("record {name}"),
                change_word(&a, &b),
                a,
                b,
                None,
            );
        }
    }
    // Measures: the formula as written (whitespace aside) and the rounding.
    let measures = |r: &Revision<'_>| -> BTreeMap<String, (String, Option<String>)> {
        r.model
            .measures
            .iter()
            .filter(|m| m.section.is_some() || !m.name.contains(' '))
            .map(|m| {
                let text = norm(r.sources.slice(m.span));
                let body = text
                    .split_once('=')
                    .map(|(_, b)| b.trim().to_string())
                    .unwrap_or(text);
                (m.name.clone(), (body, m.section.clone()))
            })
            .collect()
    };
    let (mo, mn) = (measures(old), measures(new));
    for name in mo.keys().chain(mn.keys()).collect::<BTreeSet<_>>() {
        let (a, b) = (mo.get(name), mn.get(name));
        if a.map(|x| &x.0) != b.map(|x| &x.0) {
            let section = b.or(a).and_then(|x| x.1.clone());
            push(
                "measure",
                format!("measure {name}"),
                change_word(&a, &b),
                a.map(|x| x.0.clone()),
                b.map(|x| x.0.clone()),
                section,
            );
        }
    }
    // Categories: the threshold condition and the transitions.
    let cats = |r: &Revision<'_>| -> BTreeMap<String, (String, String, Option<String>)> {
        r.model
            .categories
            .iter()
            .map(|c| {
                let t = c
                    .transitions
                    .as_ref()
                    .map(|t| {
                        format!(
                            "gain {}, loss after {} year{} notice",
                            if t.gain_next_year {
                                "next year"
                            } else {
                                "immediately"
                            },
                            t.notice_years,
                            if t.notice_years == 1 { "" } else { "s" }
                        )
                    })
                    .unwrap_or_default();
                (
                    c.name.clone(),
                    (norm(r.sources.slice(c.when.span)), t, c.section.clone()),
                )
            })
            .collect()
    };
    let (ko, kn) = (cats(old), cats(new));
    for name in ko.keys().chain(kn.keys()).collect::<BTreeSet<_>>() {
        let (a, b) = (ko.get(name), kn.get(name));
        let section = b.or(a).and_then(|x| x.2.clone());
        match (a, b) {
            (Some(a), Some(b)) => {
                if a.0 != b.0 {
                    push(
                        "threshold",
                        format!("category {name}"),
                        "changed",
                        Some(a.0.clone()),
                        Some(b.0.clone()),
                        section.clone(),
                    );
                }
                if a.1 != b.1 {
                    push(
                        "category",
                        format!("category {name} transitions"),
                        "changed",
                        Some(a.1.clone()),
                        Some(b.1.clone()),
                        section,
                    );
                }
            }
            (a, b) => push(
                "category",
                format!("category {name}"),
                change_word(&a, &b),
                a.map(|x| x.0.clone()),
                b.map(|x| x.0.clone()),
                section,
            ),
        }
    }
    // Windows, per case.
    let wins = |r: &Revision<'_>| -> BTreeMap<String, (String, String, Option<String>)> {
        let mut m = BTreeMap::new();
        for w in &r.model.windows {
            for c in &w.cases {
                let key = case_key(r, c);
                let label = if key.is_empty() {
                    w.name.clone()
                } else {
                    format!("{} when {key}", w.name)
                };
                m.insert(label, (case_meaning(c), c.text.clone(), w.section.clone()));
            }
        }
        m
    };
    let (wo, wn) = (wins(old), wins(new));
    for name in wo.keys().chain(wn.keys()).collect::<BTreeSet<_>>() {
        let (a, b) = (wo.get(name), wn.get(name));
        if a.map(|x| &x.0) != b.map(|x| &x.0) {
            let section = b.or(a).and_then(|x| x.2.clone());
            push(
                "window",
                format!("window {name}"),
                change_word(&a, &b),
                a.map(|x| x.1.clone()),
                b.map(|x| x.1.clone()),
                section,
            );
        }
    }
    // Rules: added, removed, changed (verb, condition, applicability, due date).
    let rules = |r: &Revision<'_>| -> BTreeMap<String, RuleFacts> {
        r.model
            .rules
            .iter()
            .map(|x| {
                let applies = x
                    .applies
                    .as_ref()
                    .map(|a| norm(r.sources.slice(a.span)))
                    .unwrap_or_default();
                let due = match &x.check {
                    Check::Deadline { due, .. } => match &due.kind {
                        TExprKind::Const(Value::Date(d)) => Some(us_date(*d)),
                        _ => Some(norm(r.sources.slice(due.span))),
                    },
                    _ => None,
                };
                let text = match &due {
                    Some(_) => norm(
                        x.text
                            .rsplit_once(" by ")
                            .map(|(h, _)| h)
                            .unwrap_or(&x.text),
                    ),
                    None => norm(&x.text),
                };
                (
                    x.name.clone(),
                    (
                        x.modal.word().to_string(),
                        text,
                        applies,
                        due,
                        x.section.clone(),
                    ),
                )
            })
            .collect()
    };
    let (xo, xn) = (rules(old), rules(new));
    for name in xo.keys().chain(xn.keys()).collect::<BTreeSet<_>>() {
        let (a, b) = (xo.get(name), xn.get(name));
        let section = b.or(a).and_then(|x| x.4.clone());
        match (a, b) {
            (Some(a), Some(b)) => {
                if a.3 != b.3 {
                    push(
                        "deadline",
                        format!("deadline {name}"),
                        "changed",
                        a.3.clone(),
                        b.3.clone(),
                        section.clone(),
                    );
                }
                if a.0 != b.0 {
                    push(
                        "rule",
                        format!("rule {name}: verb"),
                        "changed",
                        Some(a.0.clone()),
                        Some(b.0.clone()),
                        section.clone(),
                    );
                }
                if a.1 != b.1 {
                    push(
                        "rule",
                        format!("rule {name}"),
                        "changed",
                        Some(a.1.clone()),
                        Some(b.1.clone()),
                        section.clone(),
                    );
                }
                if a.2 != b.2 {
                    push(
                        "rule",
                        format!("rule {name}: applies to"),
                        "changed",
                        Some(a.2.clone()),
                        Some(b.2.clone()),
                        section,
                    );
                }
            }
            (a, b) => push(
                "rule",
                format!("rule {name}"),
                change_word(&a, &b),
                a.map(|x| format!("{} {}", x.0, x.1)),
                b.map(|x| format!("{} {}", x.0, x.1)),
                section,
            ),
        }
    }
    out.sort_by(|a, b| (rank(a.area), &a.what).cmp(&(rank(b.area), &b.what)));
    out
}

/// The order of a "MAJOR CHANGES" paragraph: the guide, then dates, then the rest.
fn rank(area: &str) -> u8 {
    match area {
        "guide" => 0,
        "date" => 1,
        "window" => 2,
        "deadline" => 3,
        "threshold" => 4,
        "constant" => 5,
        "set" => 6,
        "category" => 7,
        "measure" => 8,
        "rule" => 9,
        "type" => 10,
        "record" => 11,
        _ => 12,
    }
}

fn change_word<T>(a: &Option<T>, b: &Option<T>) -> &'static str {
    match (a, b) {
        (None, Some(_)) => "added",
        (Some(_), None) => "removed",
        _ => "changed",
    }
}

fn fmt_set(s: &BTreeSet<String>) -> String {
    format!(
        "{{{}}}",
        s.iter().map(String::as_str).collect::<Vec<_>>().join(", ")
    )
}

/// The changes as a "MAJOR CHANGES" paragraph would list them.
pub fn human(old_id: &str, new_id: &str, changes: &[Change]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{old_id} → {new_id}");
    if changes.is_empty() {
        let _ = writeln!(out, "no changes in meaning");
        return out;
    }
    let mut area = "";
    for c in changes {
        if c.area != area {
            area = c.area;
            let _ = writeln!(out, "\n{}", heading(area));
        }
        let section = c
            .section
            .as_deref()
            .map(|s| format!(" [{s}]"))
            .unwrap_or_default();
        match (c.change, &c.old, &c.new) {
            ("added", _, Some(n)) => {
                let _ = writeln!(out, "  + {}{section}: {n}", c.what);
            }
            ("removed", Some(o), _) => {
                let _ = writeln!(out, "  - {}{section}: {o}", c.what);
            }
            (_, Some(o), Some(n)) => {
                let _ = writeln!(out, "  ~ {}{section}: {o} → {n}", c.what);
            }
            _ => {
                let _ = writeln!(out, "  ~ {}{section}", c.what);
            }
        }
    }
    out
}

fn heading(area: &str) -> &'static str {
    match area {
        "guide" => "guide",
        "date" => "dates",
        "window" => "windows",
        "deadline" => "deadlines",
        "threshold" => "thresholds",
        "set" => "sets",
        "type" => "value types",
        "record" => "data records",
        "measure" => "measures",
        "category" => "categories",
        "rule" => "rules",
        _ => "other",
    }
}

/// How one entity's outcome differs between the revisions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Impact {
    pub entity: String,
    pub changes: Vec<String>,
}

/// Schools whose category states or findings differ between two evaluations of the same data.
pub fn impact(old: &Evaluation, new: &Evaluation) -> Vec<Impact> {
    let states = |ev: &Evaluation| -> BTreeMap<(String, String), String> {
        ev.explanations
            .iter()
            .flat_map(|x| {
                x.categories
                    .iter()
                    .map(move |c| ((x.entity.clone(), c.name.clone()), c.state.describe()))
            })
            .collect()
    };
    let findings = |ev: &Evaluation| -> BTreeMap<String, BTreeSet<(String, String)>> {
        let mut m: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
        for f in &ev.findings {
            let what = match f.status {
                Status::Pending => "pending".to_string(),
                s => format!("{} {}", f.severity.word(), s.word()),
            };
            m.entry(f.entity.clone())
                .or_default()
                .insert((f.rule.clone(), what));
        }
        m
    };
    let (so, sn) = (states(old), states(new));
    let (fo, fnew) = (findings(old), findings(new));
    let mut by: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for key in so.keys().chain(sn.keys()).collect::<BTreeSet<_>>() {
        let (a, b) = (so.get(key), sn.get(key));
        if a != b {
            by.entry(key.0.clone()).or_default().push(format!(
                "{}: {} → {}",
                key.1,
                a.map(String::as_str).unwrap_or("(none)"),
                b.map(String::as_str).unwrap_or("(none)")
            ));
        }
    }
    let empty = BTreeSet::new();
    for e in fo.keys().chain(fnew.keys()).collect::<BTreeSet<_>>() {
        let (a, b) = (fo.get(e).unwrap_or(&empty), fnew.get(e).unwrap_or(&empty));
        for (rule, what) in b.difference(a) {
            by.entry(e.clone())
                .or_default()
                .push(format!("new finding {rule} ({what})"));
        }
        for (rule, what) in a.difference(b) {
            by.entry(e.clone())
                .or_default()
                .push(format!("no longer {rule} ({what})"));
        }
    }
    by.into_iter()
        .map(|(entity, changes)| Impact { entity, changes })
        .collect()
}

/// ` ("a", "b")`: the other names a policy gives a value or field, sorted (their order means
/// nothing), or nothing.
fn other_names<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let mut names: Vec<String> = names.map(|n| format!("{n:?}")).collect();
    if names.is_empty() {
        return String::new();
    }
    names.sort();
    format!(" ({})", names.join(", "))
}
