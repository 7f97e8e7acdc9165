//! REF-1028.19 sentence by sentence: `ref-1028.19.sentences.yaml` pairs every statement of the
//! guide with the policy statements that encode it, or says why it cannot be checked from data.
//! This test keeps the table and the policy in step.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "tests fail loudly"
)]

use std::collections::BTreeSet;

use mandate::check::model::Model;
use mandate::data::{Node, parse_yaml};

const POLICY: &str = "policies/lausd/2023-24/ref-1028.19.policy";
const TABLE: &str = "policies/lausd/2023-24/ref-1028.19.sentences.yaml";

/// One row of the table.
#[derive(Debug)]
struct Entry {
    section: String,
    sentence: String,
    encoded: Vec<String>,
    not_checkable: Option<String>,
}

fn text(node: &Node) -> Option<String> {
    match node {
        Node::Str(s) => Some(s.clone()),
        Node::Number(s) => Some(s.clone()),
        _ => None,
    }
}

fn entries(yaml: &str) -> Vec<Entry> {
    let Node::List(items) = parse_yaml(yaml).unwrap() else {
        panic!("the table is a list of entries");
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let Node::Map(kv) = item else {
                panic!("entry {i} is not a mapping");
            };
            let get = |k: &str| kv.iter().find(|(key, _)| key == k).map(|(_, v)| v);
            for (k, _) in kv {
                assert!(
                    ["section", "sentence", "encoded", "not_checkable", "reading"]
                        .contains(&k.as_str()),
                    "entry {i}: unknown key `{k}`"
                );
            }
            Entry {
                section: get("section").and_then(text).unwrap_or_default(),
                sentence: get("sentence").and_then(text).unwrap_or_default(),
                encoded: match get("encoded") {
                    Some(Node::List(names)) => names.iter().filter_map(text).collect(),
                    Some(other) => panic!("entry {i}: `encoded` is a list, found {other:?}"),
                    None => Vec::new(),
                },
                not_checkable: get("not_checkable").and_then(text),
            }
        })
        .collect()
}

/// Every name a statement of the policy defines that encodes the guide: rules, categories,
/// windows, constants, sets and the measures of a guide section.
fn statements(model: &Model) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    out.extend(model.rules.iter().map(|r| r.name.clone()));
    out.extend(model.categories.iter().map(|c| c.name.clone()));
    out.extend(model.windows.iter().map(|w| w.name.clone()));
    out.extend(model.constants.iter().map(|c| c.0.clone()));
    out.extend(model.sets.iter().map(|s| s.0.clone()));
    out.extend(
        model
            .measures
            .iter()
            .filter(|m| m.section.is_some() && !m.name.contains(' '))
            .map(|m| m.name.clone()),
    );
    out
}

/// The problems with a table against the policy's statements, one line each.
fn problems(table: &[Entry], defined: &BTreeSet<String>) -> Vec<String> {
    let mut out = Vec::new();
    let mut used = BTreeSet::new();
    for (i, e) in table.iter().enumerate() {
        let at = format!("entry {i} ({}: {:.50})", e.section, e.sentence);
        if e.section.is_empty() || e.sentence.is_empty() {
            out.push(format!("{at}: needs a section and a sentence"));
        }
        match (e.encoded.is_empty(), &e.not_checkable) {
            (true, None) => out.push(format!(
                "{at}: neither encoded nor accounted for as not checkable"
            )),
            (false, Some(_)) => out.push(format!("{at}: both encoded and not checkable")),
            (true, Some(why)) if why.trim().is_empty() => {
                out.push(format!("{at}: not checkable, but says no why"))
            }
            _ => {}
        }
        for name in &e.encoded {
            if name != "guide" && !defined.contains(name) {
                out.push(format!("{at}: `{name}` is not a statement of the policy"));
            }
            used.insert(name.clone());
        }
    }
    for name in defined {
        if !used.contains(name) {
            out.push(format!(
                "`{name}` encodes no sentence of the table: pair it with the sentence it encodes"
            ));
        }
    }
    out
}

#[test]
fn every_sentence_is_encoded_or_accounted_for() {
    let (_, checked) = mandate::check::check_path(POLICY.as_ref()).unwrap();
    let model = checked.model.expect("the policy checks");
    let table = entries(&std::fs::read_to_string(TABLE).unwrap());
    assert!(table.len() >= 40, "{} entries", table.len());
    let found = problems(&table, &statements(&model));
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// The test fails a sentence added without an encoding, a name that is no statement, and a
/// statement no sentence accounts for.
#[test]
fn an_unaccounted_sentence_or_statement_fails() {
    let (_, checked) = mandate::check::check_path(POLICY.as_ref()).unwrap();
    let model = checked.model.unwrap();
    let defined = statements(&model);
    let mut yaml = std::fs::read_to_string(TABLE).unwrap();
    yaml.push_str("\n- section: NEW\n  sentence: \"A new requirement.\"\n");
    let found = problems(&entries(&yaml), &defined);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("neither encoded nor accounted for"));

    let mut yaml = std::fs::read_to_string(TABLE).unwrap();
    yaml.push_str("\n- section: NEW\n  sentence: \"x\"\n  encoded: [no_such_rule]\n");
    assert!(
        problems(&entries(&yaml), &defined)
            .iter()
            .any(|p| p.contains("`no_such_rule` is not a statement"))
    );

    let mut more = defined.clone();
    more.insert("new_rule".into());
    let found = problems(&entries(&std::fs::read_to_string(TABLE).unwrap()), &more);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("`new_rule` encodes no sentence"));
}
