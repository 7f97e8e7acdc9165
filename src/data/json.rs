//! JSON text → [`Node`].

use super::tree::{Node, ParseError, strip_position};

pub(crate) fn parse(text: &str) -> Result<Node, ParseError> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => Ok(node(v)),
        Err(e) => Err(ParseError {
            message: format!(
                "the file is not valid JSON: {}",
                strip_position(&e.to_string())
            ),
            line: Some(e.line() as u64),
            column: Some(e.column() as u64),
        }),
    }
}

fn node(v: serde_json::Value) -> Node {
    match v {
        serde_json::Value::Null => Node::Null,
        serde_json::Value::Bool(b) => Node::Bool(b),
        serde_json::Value::Number(n) => Node::Number(n.to_string()),
        serde_json::Value::String(s) => Node::Str(s),
        serde_json::Value::Array(items) => Node::List(items.into_iter().map(node).collect()),
        serde_json::Value::Object(map) => {
            Node::Map(map.into_iter().map(|(k, v)| (k, node(v))).collect())
        }
    }
}
