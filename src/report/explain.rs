//! `explain`: every measure with its inputs, each category decision with the years behind it, each
//! rule's outcome, and the distance to each threshold.

use std::fmt::Write as _;

use crate::eval::{CategoryState, Explanation};

pub fn text(x: &Explanation) -> String {
    let mut out = String::new();
    match &x.entity_name {
        Some(n) => {
            let _ = writeln!(out, "{} {} ({n})", x.entity_kind, x.entity);
        }
        None => {
            let _ = writeln!(out, "{} {}", x.entity_kind, x.entity);
        }
    }
    if !x.measures.is_empty() {
        let _ = writeln!(out, "\nmeasures");
        let w = x.measures.iter().map(|m| m.name.len()).max().unwrap_or(0);
        for m in &x.measures {
            let _ = write!(out, "  {:<w$} = {}", m.name, m.value);
            if let Some(e) = &m.exact {
                let _ = write!(out, " (exactly {e})");
            }
            if let Some(i) = &m.inputs {
                let _ = write!(out, "    from {i}");
            }
            out.push('\n');
        }
    }
    if !x.categories.is_empty() {
        let _ = writeln!(out, "\ncategories");
        for c in &x.categories {
            // `PHBAO: notice year 1 of 2 — in this year`; `MAG1: member` and `PHBAO: undetermined`
            // say it all.
            let plain = matches!(
                c.state,
                CategoryState::Member | CategoryState::NotMember | CategoryState::Undetermined
            );
            match c.member {
                Some(m) if !plain => {
                    let member = if m {
                        "in this year"
                    } else {
                        "not in this year"
                    };
                    let _ = writeln!(out, "  {}: {} — {member}", c.name, c.state.describe());
                }
                _ => {
                    let _ = writeln!(out, "  {}: {}", c.name, c.state.describe());
                }
            }
            let _ = writeln!(out, "    {}", c.reason);
            if let Some(d) = &c.distance {
                let _ = writeln!(out, "    {d}");
            }
            for h in &c.history {
                let _ = writeln!(out, "    {h}");
            }
            if let Some(r) = &c.reading {
                let _ = writeln!(out, "    reading: {r}");
            }
        }
    }
    if !x.windows.is_empty() {
        let _ = writeln!(out, "\nwindows");
        for (n, t) in &x.windows {
            let _ = writeln!(out, "  {n}: {t}");
        }
    }
    if !x.rules.is_empty() {
        let _ = writeln!(out, "\nrules");
        for r in &x.rules {
            let _ = write!(out, "  {} ({}): {}", r.rule, r.severity.word(), r.outcome);
            if let Some(d) = &r.detail {
                let _ = write!(out, " — {d}");
            }
            out.push('\n');
        }
    }
    if !x.retention.is_empty() {
        let _ = writeln!(out, "\nretention");
        for r in &x.retention {
            let _ = writeln!(out, "  {r}");
        }
    }
    out
}
