//! The policy's areas compared one at a time. Each function reads what it compares from both
//! revisions into a map by name, and [`compare`] turns the two maps into changes: a name in one
//! revision only is added or removed; a name in both is compared facet by facet.

use std::collections::{BTreeMap, BTreeSet};

use super::{Area, Change, ChangeKind, Revision};
use crate::check::model::*;

/// One thing that can change on its own, as compared.
struct Facet {
    area: Area,
    what: String,
    /// What is compared: the meaning, where the text can differ without it.
    key: Option<String>,
    /// What the output shows.
    shown: Option<String>,
}

impl Facet {
    /// A facet compared as it is shown.
    fn new(area: Area, what: String, value: Option<String>) -> Facet {
        Facet {
            area,
            what,
            key: value.clone(),
            shown: value,
        }
    }
}

/// One named thing of a revision: what an addition or removal shows, and the facets compared
/// when both revisions have it.
struct Named {
    area: Area,
    what: String,
    shown: String,
    facets: Vec<Facet>,
    section: Option<String>,
}

impl Named {
    /// A thing with one facet, compared as it is shown.
    fn one(area: Area, what: String, value: String, section: Option<String>) -> Named {
        Named::keyed(area, what, value.clone(), value, section)
    }

    /// A thing with one facet, compared by `key` and shown as `shown`.
    fn keyed(
        area: Area,
        what: String,
        key: String,
        shown: String,
        section: Option<String>,
    ) -> Named {
        Named {
            area,
            what: what.clone(),
            shown: shown.clone(),
            facets: vec![Facet {
                area,
                what,
                key: Some(key),
                shown: Some(shown),
            }],
            section,
        }
    }
}

/// The changes between two revisions' things of one kind, matched by name. A thing in the old
/// revision only and one in the new only that are the same in every facet (and section) are one
/// thing renamed; each is matched once, in name order.
fn compare(out: &mut Vec<Change>, old: &BTreeMap<String, Named>, new: &BTreeMap<String, Named>) {
    let gone: Vec<&String> = old.keys().filter(|n| !new.contains_key(*n)).collect();
    let mut came: Vec<&String> = new.keys().filter(|n| !old.contains_key(*n)).collect();
    let mut renamed: BTreeMap<&String, &String> = BTreeMap::new();
    for g in &gone {
        let Some(a) = old.get(*g) else { continue };
        let same = |b: &Named| {
            a.area == b.area
                && a.section == b.section
                && a.facets.len() == b.facets.len()
                && a.facets.iter().zip(&b.facets).all(|(x, y)| x.key == y.key)
        };
        if let Some(at) = came.iter().position(|c| new.get(*c).is_some_and(same)) {
            renamed.insert(g, came.remove(at));
        }
    }
    for name in old.keys().chain(new.keys()).collect::<BTreeSet<_>>() {
        match (old.get(name), new.get(name)) {
            (Some(a), Some(b)) => facets(out, &a.facets, &b.facets, &b.section),
            (Some(a), None) => match renamed.get(name) {
                Some(to) => out.push(Change {
                    area: a.area,
                    what: a.what.clone(),
                    change: ChangeKind::Renamed,
                    old: Some((*name).clone()),
                    new: Some((*to).clone()),
                    section: a.section.clone(),
                }),
                None => added_or_removed(out, Some(a), None),
            },
            (None, Some(b)) => {
                if !renamed.values().any(|to| *to == name) {
                    added_or_removed(out, None, Some(b));
                }
            }
            (None, None) => {}
        }
    }
}

/// A thing in one revision only.
fn added_or_removed(out: &mut Vec<Change>, old: Option<&Named>, new: Option<&Named>) {
    let Some(x) = old.or(new) else { return };
    out.push(Change {
        area: x.area,
        what: x.what.clone(),
        change: if old.is_none() {
            ChangeKind::Added
        } else {
            ChangeKind::Removed
        },
        old: old.map(|x| x.shown.clone()),
        new: new.map(|x| x.shown.clone()),
        section: new.or(old).and_then(|x| x.section.clone()),
    });
}

/// A change for each facet that differs.
fn facets(out: &mut Vec<Change>, old: &[Facet], new: &[Facet], section: &Option<String>) {
    for (a, b) in old.iter().zip(new) {
        if a.key != b.key {
            out.push(Change {
                area: b.area,
                what: b.what.clone(),
                change: ChangeKind::Changed,
                old: a.shown.clone(),
                new: b.shown.clone(),
                section: section.clone(),
            });
        }
    }
}

/// Guide metadata.
pub(super) fn guide(out: &mut Vec<Change>, old: &Model, new: &Model) {
    let facets_of = |m: &Model| {
        let g = &m.guide;
        let year = g.year.map(|y| format!("{y}-{}", y + 1));
        [
            ("id", Some(g.id.clone())),
            ("title", g.title.clone()),
            ("issued", g.issued.map(us_date)),
            ("replaces", g.replaces.clone()),
            ("year", year),
        ]
        .map(|(k, v)| Facet::new(Area::Guide, k.to_string(), v))
    };
    facets(out, &facets_of(old), &facets_of(new), &None);
}

/// Constants (dates and thresholds that stand alone): compared by value, exactly, and shown as
/// values of their type (`10%`, not `0.1`).
pub(super) fn constants(out: &mut Vec<Change>, old: &Model, new: &Model) {
    let named = |m: &Model| -> BTreeMap<String, Named> {
        m.constants
            .iter()
            .map(|(n, v, ty, _, section)| {
                let area = if matches!(v, Value::Date(_)) {
                    Area::Date
                } else {
                    Area::Constant
                };
                let what = format!("const {n}");
                let shown = value_text(m, v, *ty);
                let named = Named::keyed(area, what, exact(v), shown, section.clone());
                (n.clone(), named)
            })
            .collect()
    };
    compare(out, &named(old), &named(new));
}

/// Sets: members added or removed.
/// The holidays and breaks: the days added and removed, as ranges (every school-day count moves
/// with them, so a per-row deadline in school days changes with no change to its rule).
pub(super) fn non_school_days(out: &mut Vec<Change>, old: &Model, new: &Model) {
    let (a, b) = (&old.non_school_days, &new.non_school_days);
    let source = |m: &Model| m.non_school_days_from.as_ref().map(|f| f.text.clone());
    if a == b && source(old) == source(new) {
        return;
    }
    let mut note = Vec::new();
    match (source(old), source(new)) {
        (None, None) => {
            let (added, removed) = (b.minus(a), a.minus(b));
            if !added.is_empty() {
                note.push(format!("added {}", show_days(&added)));
            }
            if !removed.is_empty() {
                note.push(format!("removed {}", show_days(&removed)));
            }
        }
        (_, Some(_)) => note.push("now read from the data".into()),
        (Some(_), None) => note.push("now listed in the policy".into()),
    }
    let shown = |m: &Model| match &m.non_school_days_from {
        Some(f) => format!("{} (read from the data)", f.text),
        None => show_days(&m.non_school_days),
    };
    let listed = |m: &Model| m.non_school_days_span.is_some();
    out.push(Change {
        area: Area::NonSchoolDays,
        what: format!("non_school_days: {}", note.join("; ")),
        change: match (listed(old), listed(new)) {
            (false, true) => ChangeKind::Added,
            (true, false) => ChangeKind::Removed,
            _ => ChangeKind::Changed,
        },
        old: listed(old).then(|| shown(old)),
        new: listed(new).then(|| shown(new)),
        section: None,
    });
}

/// `11/10/2023, 11/20/2023 - 11/24/2023`
fn show_days(cal: &NonSchoolDays) -> String {
    let parts: Vec<String> = cal
        .ranges()
        .iter()
        .map(|(s, e)| {
            if s == e {
                us_date(*s)
            } else {
                format!("{} - {}", us_date(*s), us_date(*e))
            }
        })
        .collect();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(", ")
    }
}

pub(super) fn sets(out: &mut Vec<Change>, old: &Model, new: &Model) {
    let named = |m: &Model| -> BTreeMap<String, (BTreeSet<String>, Named)> {
        m.sets
            .iter()
            .map(|(n, v, _)| {
                let members = set_members(m, v);
                let named = Named::one(Area::Set, format!("set {n}"), fmt_set(&members), None);
                (n.clone(), (members, named))
            })
            .collect()
    };
    let (so, sn) = (named(old), named(new));
    for name in so.keys().chain(sn.keys()).collect::<BTreeSet<_>>() {
        match (so.get(name), sn.get(name)) {
            (Some((a, _)), Some((b, _))) => {
                if a == b {
                    continue;
                }
                let list = |d: &mut dyn Iterator<Item = &String>| {
                    d.map(String::as_str).collect::<Vec<_>>().join(", ")
                };
                let mut note = Vec::new();
                if b.difference(a).next().is_some() {
                    note.push(format!("added {}", list(&mut b.difference(a))));
                }
                if a.difference(b).next().is_some() {
                    note.push(format!("removed {}", list(&mut a.difference(b))));
                }
                out.push(Change {
                    area: Area::Set,
                    what: format!("set {name}: {}", note.join("; ")),
                    change: ChangeKind::Changed,
                    old: Some(fmt_set(a)),
                    new: Some(fmt_set(b)),
                    section: None,
                });
            }
            (a, b) => added_or_removed(out, a.map(|x| &x.1), b.map(|x| &x.1)),
        }
    }
}

/// Value types: each value with the other spellings the data may use for it, in order.
pub(super) fn types(out: &mut Vec<Change>, old: &Model, new: &Model) {
    let named = |m: &Model| -> BTreeMap<String, Named> {
        m.schema
            .enums
            .iter()
            .map(|e| {
                let values: Vec<String> = e
                    .values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let alts = e.spellings.iter().filter(|(_, vi)| *vi as usize == i);
                        format!("{v}{}", other_names(alts.map(|(text, _)| text)))
                    })
                    .collect();
                let what = format!("type {}", e.name);
                (
                    e.name.clone(),
                    Named::one(Area::Type, what, values.join(", "), None),
                )
            })
            .collect()
    };
    compare(out, &named(old), &named(new));
}

/// Records: each field with its column names, type and whether it is optional.
pub(super) fn records(out: &mut Vec<Change>, old: &Model, new: &Model) {
    let named = |m: &Model| -> BTreeMap<String, Named> {
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
                let what = format!("record {}", r.name);
                (
                    r.name.clone(),
                    Named::one(Area::Record, what, fields.join(", "), None),
                )
            })
            .collect()
    };
    compare(out, &named(old), &named(new));
}

/// Measures: the formula as written (whitespace aside) and the rounding.
pub(super) fn measures(out: &mut Vec<Change>, old: &Revision<'_>, new: &Revision<'_>) {
    let named = |r: &Revision<'_>| -> BTreeMap<String, Named> {
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
                let what = format!("measure {}", m.name);
                let named = Named::one(Area::Measure, what, body, m.section.clone());
                (m.name.clone(), named)
            })
            .collect()
    };
    compare(out, &named(old), &named(new));
}

/// Categories: the threshold condition and the transitions.
pub(super) fn categories(out: &mut Vec<Change>, old: &Revision<'_>, new: &Revision<'_>) {
    let named = |r: &Revision<'_>| -> BTreeMap<String, Named> {
        r.model
            .categories
            .iter()
            .map(|c| {
                let transitions = c
                    .transitions
                    .as_ref()
                    .map(|t| {
                        format!(
                            "gain {}, loss after {} year{} notice{}",
                            if t.gain_next_year {
                                "next year"
                            } else {
                                "immediately"
                            },
                            t.notice_years,
                            if t.notice_years == 1 { "" } else { "s" },
                            if t.loss_next_year {
                                ", effective next year"
                            } else {
                                ", effective this year"
                            }
                        )
                    })
                    .unwrap_or_default();
                let when = norm(r.sources.slice(c.when.span));
                let what = format!("category {}", c.name);
                let named = Named {
                    area: Area::Category,
                    what: what.clone(),
                    shown: when.clone(),
                    facets: vec![
                        Facet::new(Area::Threshold, what.clone(), Some(when)),
                        Facet::new(
                            Area::Category,
                            format!("{what} transitions"),
                            Some(transitions),
                        ),
                    ],
                    section: c.section.clone(),
                };
                (c.name.clone(), named)
            })
            .collect()
    };
    compare(out, &named(old), &named(new));
}

/// Windows, per case: compared by their dates when fixed, shown as written.
pub(super) fn windows(out: &mut Vec<Change>, old: &Revision<'_>, new: &Revision<'_>) {
    let named = |r: &Revision<'_>| -> BTreeMap<String, Named> {
        let mut m = BTreeMap::new();
        for w in &r.model.windows {
            for c in &w.cases {
                let key = case_key(r, c);
                let label = if key.is_empty() {
                    w.name.clone()
                } else {
                    format!("{} when {key}", w.name)
                };
                let what = format!("window {label}");
                let named = Named::keyed(
                    Area::Window,
                    what,
                    case_meaning(c),
                    c.text.clone(),
                    w.section.clone(),
                );
                m.insert(label, named);
            }
        }
        m
    };
    let (mut a, mut b) = (named(old), named(new));
    // The same words with other dates (a constant or the non-school days changed): show the dates.
    for (name, x) in a.iter_mut() {
        if let Some(y) = b.get_mut(name)
            && x.shown == y.shown
            && let ([fx], [fy]) = (x.facets.as_mut_slice(), y.facets.as_mut_slice())
            && fx.key != fy.key
        {
            for (n, f) in [(&mut x.shown, fx), (&mut y.shown, fy)] {
                let dates = f.key.clone().unwrap_or_default();
                // A window set by data is compared by its words: nothing to add.
                if dates != norm(n) {
                    *n = format!("{n} ({})", dates.trim());
                }
                f.shown = Some(n.clone());
            }
        }
    }
    compare(out, &a, &b);
}

/// Rules: added, removed, changed (due date, verb, assertion, applicability).
pub(super) fn rules(out: &mut Vec<Change>, old: &Revision<'_>, new: &Revision<'_>) {
    let named = |r: &Revision<'_>| -> BTreeMap<String, Named> {
        r.model
            .rules
            .iter()
            .map(|x| {
                let applies = x.applies_text.clone().unwrap_or_default();
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
                let verb = x.modal.word().to_string();
                let name = &x.name;
                // A deadline's due date shows with every change to it, and a rule's conditions
                // with it whole.
                let by = due.as_ref().map(|d| format!(" by {d}")).unwrap_or_default();
                let whole = if applies.is_empty() {
                    format!("{verb} {text}{by}")
                } else {
                    format!("{verb} {text}{by} (for {applies})")
                };
                let what = match &due {
                    Some(d) => format!("rule {name} (due {d})"),
                    None => format!("rule {name}"),
                };
                let named = Named {
                    area: Area::Rule,
                    what: format!("rule {name}"),
                    shown: whole,
                    facets: vec![
                        Facet::new(Area::Deadline, format!("deadline {name}"), due.clone()),
                        Facet::new(Area::Rule, format!("{what}: verb"), Some(verb)),
                        Facet {
                            area: Area::Rule,
                            what: what.clone(),
                            key: Some(text.clone()),
                            shown: Some(format!("{text}{by}")),
                        },
                        Facet::new(Area::Rule, format!("{what}: applies to"), Some(applies)),
                    ],
                    section: x.section.clone(),
                };
                (name.clone(), named)
            })
            .collect()
    };
    compare(out, &named(old), &named(new));
}

fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn value_text(model: &Model, v: &Value, ty: Type) -> String {
    crate::eval::value::show(v, ty, &model.schema, &|_, i| Some(format!("#{i}")))
        .trim_matches('"')
        .to_string()
}

/// A value as compared: exactly, a number in lowest terms (a shown number is rounded, so `0.01%`
/// and `0.02%` would look alike).
fn exact(v: &Value) -> String {
    match v {
        Value::Number(r) => format!("{:?}", r.reduced()),
        v => format!("{v:?}"),
    }
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

fn fmt_set(s: &BTreeSet<String>) -> String {
    format!(
        "{{{}}}",
        s.iter().map(String::as_str).collect::<Vec<_>>().join(", ")
    )
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
