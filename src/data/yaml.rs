//! YAML text → [`Node`]. The only module that names serde_yaml.

use super::tree::{Node, SyntaxProblem, strip_position};

pub(crate) fn parse(text: &str) -> Result<Node, SyntaxProblem> {
    match serde_yaml::from_str::<serde_yaml::Value>(text) {
        Ok(v) => Ok(node(v)),
        Err(e) => {
            let place = e.location();
            Err(SyntaxProblem {
                message: format!(
                    "the file is not valid YAML: {}",
                    strip_position(&e.to_string())
                ),
                line: place.as_ref().map(|l| l.line() as u64),
                column: place.as_ref().map(|l| l.column() as u64),
            })
        }
    }
}

fn node(v: serde_yaml::Value) -> Node {
    match v {
        serde_yaml::Value::Null => Node::Null,
        serde_yaml::Value::Bool(b) => Node::Bool(b),
        serde_yaml::Value::Number(n) => Node::Number(n.to_string()),
        serde_yaml::Value::String(s) => Node::Str(s),
        serde_yaml::Value::Sequence(items) => Node::List(items.into_iter().map(node).collect()),
        serde_yaml::Value::Mapping(map) => Node::Map(
            map.into_iter()
                .map(|(k, v)| (key_text(k), node(v)))
                .collect(),
        ),
        serde_yaml::Value::Tagged(t) => node(t.value),
    }
}

/// A mapping key as text; keys that are not scalars get a placeholder that matches no field.
fn key_text(k: serde_yaml::Value) -> String {
    match node(k) {
        Node::Str(s) | Node::Number(s) => s,
        Node::Bool(b) => b.to_string(),
        Node::Null => "null".into(),
        Node::List(_) | Node::Map(_) => "(a nested key)".into(),
    }
}
