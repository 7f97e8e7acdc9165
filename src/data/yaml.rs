//! YAML text → [`Node`]. The only module that names serde_yaml.
//!
//! Hostile YAML is bounded before and while it is parsed (SECURITY.md): a cheap scan refuses
//! nesting deeper than [`TREE_DEPTH`] before the parser sees the text (the parser slows down
//! quadratically on deep nesting), and aliases are expanded under a budget of values, so a small
//! file cannot expand into gigabytes.

use std::cell::Cell;
use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};

use super::tree::{Node, ParseError, strip_position};
use crate::limits::{TREE_DEPTH, TREE_VALUES_EXTRA};

pub(crate) fn parse(text: &str) -> Result<Node, ParseError> {
    if let Some(line) = too_deep(text, TREE_DEPTH) {
        return Err(ParseError {
            message: format!(
                "the file nests lists and mappings more than {TREE_DEPTH} levels deep, the most \
                 a YAML file may (a CSV file has no such limit)"
            ),
            line: Some(line),
            column: None,
        });
    }
    let budget = Budget {
        left: Cell::new((text.len() as u64).saturating_add(TREE_VALUES_EXTRA)),
        over: Cell::new(false),
    };
    let de = serde_yaml::Deserializer::from_str(text);
    match (Seed {
        budget: &budget,
        depth: 0,
    })
    .deserialize(de)
    {
        Ok(n) => Ok(n),
        Err(_) if budget.over.get() => Err(ParseError {
            message: format!(
                "the file's aliases expand to more than {} values, the most a YAML file of its \
                 size may hold (a CSV file has no such limit)",
                (text.len() as u64).saturating_add(TREE_VALUES_EXTRA)
            ),
            line: None,
            column: None,
        }),
        Err(e) => {
            let place = e.location();
            Err(ParseError {
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

/// The line (from 1) where the nesting of `text` first goes deeper than `max`, counting block
/// indentation levels, compact `- ` items and flow brackets. It may count too deep on odd text
/// (a `[` inside a plain scalar), never too shallow.
pub(crate) fn too_deep(text: &str, max: usize) -> Option<u64> {
    let mut indents: Vec<usize> = Vec::new();
    let mut flow = 0usize;
    let mut quote: Option<u8> = None;
    let mut block_scalar: Option<usize> = None;
    for (n, line) in text.lines().enumerate() {
        let bytes = line.as_bytes();
        let indent = bytes.iter().take_while(|&&b| b == b' ').count();
        let blank = bytes.iter().all(|b| b.is_ascii_whitespace());
        if let Some(at) = block_scalar {
            if blank || indent > at {
                continue;
            }
            block_scalar = None;
        }
        if blank {
            continue;
        }
        let mut depth = 0;
        if flow == 0 && quote.is_none() {
            while indents.last().is_some_and(|&i| i > indent) {
                indents.pop();
            }
            if indents.last().is_none_or(|&i| i < indent) {
                indents.push(indent);
            }
            // `- - - x` opens a sequence per dash.
            let mut rest = bytes.get(indent..).unwrap_or(&[]);
            while let Some(r) = rest.strip_prefix(b"- ") {
                depth += 1;
                rest = r;
                while let Some(r) = rest.strip_prefix(b" ") {
                    rest = r;
                }
            }
        }
        let mut prev = b' ';
        for &b in bytes {
            match quote {
                Some(q) => {
                    if b == q {
                        quote = None;
                    }
                }
                None => match b {
                    b'#' if prev == b' ' || prev == b'\t' => break,
                    b'"' | b'\'' if matches!(prev, b' ' | b'[' | b'{' | b',' | b':') => {
                        quote = Some(b)
                    }
                    b'[' | b'{' => {
                        flow += 1;
                        if indents.len() + depth + flow > max {
                            return Some(n as u64 + 1);
                        }
                    }
                    b']' | b'}' => flow = flow.saturating_sub(1),
                    _ => {}
                },
            }
            prev = b;
        }
        if indents.len() + depth + flow > max {
            return Some(n as u64 + 1);
        }
        let end = line.trim_end();
        if flow == 0
            && quote.is_none()
            && (end.ends_with('|')
                || end.ends_with('>')
                || end.ends_with("|-")
                || end.ends_with(">-")
                || end.ends_with("|+")
                || end.ends_with(">+"))
        {
            block_scalar = Some(indent);
        }
    }
    None
}

/// How many more values may be made; set `over` when it runs out.
struct Budget {
    left: Cell<u64>,
    over: Cell<bool>,
}

impl Budget {
    fn take<E: de::Error>(&self) -> Result<(), E> {
        match self.left.get().checked_sub(1) {
            Some(l) => {
                self.left.set(l);
                Ok(())
            }
            None => {
                self.over.set(true);
                Err(E::custom("too many values"))
            }
        }
    }
}

#[derive(Clone, Copy)]
struct Seed<'b> {
    budget: &'b Budget,
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Node;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        self.budget.take()?;
        d.deserialize_any(self)
    }
}

impl Seed<'_> {
    fn inner<E: de::Error>(self) -> Result<Self, E> {
        if self.depth >= TREE_DEPTH {
            return Err(E::custom(format!(
                "lists and mappings nest more than {TREE_DEPTH} levels deep"
            )));
        }
        Ok(Seed {
            budget: self.budget,
            depth: self.depth + 1,
        })
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Number(serde_yaml::Number::from(v).to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Number(serde_yaml::Number::from(v).to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Number(serde_yaml::Number::from(v).to_string()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let inner = self.inner()?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(inner)? {
            items.push(item);
        }
        Ok(Node::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let inner = self.inner()?;
        let mut entries = Vec::new();
        while let Some(k) = map.next_key_seed(inner)? {
            let v = map.next_value_seed(inner)?;
            entries.push((key_text(k), v));
        }
        Ok(Node::Map(entries))
    }

    /// A tagged value (`!thing x`) is read as its value.
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Node, A::Error> {
        let (_tag, variant) = data.variant::<de::IgnoredAny>()?;
        variant.newtype_variant_seed(self)
    }
}

/// A mapping key as text; keys that are not scalars get a placeholder that matches no field.
fn key_text(k: Node) -> String {
    match k {
        Node::Str(s) | Node::Number(s) => s,
        Node::Bool(b) => b.to_string(),
        Node::Null => "null".into(),
        Node::List(_) | Node::Map(_) => "(a nested key)".into(),
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests fail loudly"
)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_counted_before_parsing() {
        assert_eq!(too_deep("- a: [1, {b: 2}]\n", 4), None);
        assert_eq!(
            too_deep(&format!("- {}{}\n", "[".repeat(70), "]".repeat(70)), 64),
            Some(1)
        );
        let mut block = String::new();
        for i in 0..70 {
            block.push_str(&" ".repeat(i * 2));
            block.push_str("a:\n");
        }
        assert!(too_deep(&block, 64).is_some());
        assert_eq!(too_deep("- x: \"[[[[[[\"\n  y: |\n    [[[[[[\n", 3), None);
    }

    #[test]
    fn aliases_expand_under_a_budget() {
        // A list of 10,000 values repeated 200 times: 2,000,000 values from 60 KB.
        let mut text = format!("a: &a [{}]\nb:\n", vec!["1"; 10_000].join(", "));
        text.push_str(&"  - *a\n".repeat(200));
        let e = parse(&text).unwrap_err();
        assert!(e.message.contains("aliases expand"), "{}", e.message);
        assert_eq!(
            parse("x: &x [1]\ny: *x\n").unwrap(),
            parse("x: [1]\ny: [1]\n").unwrap()
        );
    }

    #[test]
    fn numbers_and_tags_read_as_before() {
        let n = parse("- 1\n- 1.5\n- -3\n- !tag x\n- ~\n- true\n").unwrap();
        assert_eq!(
            n,
            Node::List(vec![
                Node::Number("1".into()),
                Node::Number("1.5".into()),
                Node::Number("-3".into()),
                Node::Str("x".into()),
                Node::Null,
                Node::Bool(true),
            ])
        );
    }
}
