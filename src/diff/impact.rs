//! The impact of a revision on data: the schools whose category states or findings differ.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::eval::{Evaluation, Status};

/// How one entity's outcome differs between the revisions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Impact {
    pub entity: String,
    pub changes: Vec<String>,
}

/// Schools whose category states or findings differ between two evaluations of the same data.
pub fn impact(old: &Evaluation, new: &Evaluation) -> Vec<Impact> {
    let states = |ev: &Evaluation| -> BTreeMap<(String, String), String> {
        ev.results
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
