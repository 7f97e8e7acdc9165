//! Enum values and sets: matched in any case and spacing, and by the policy's other spellings.

use crate::check::model::{EnumId, Schema, Value};
use crate::data::error::{list, quote, shown};
use crate::suggest::closest;

use super::CellError;
use super::fast::same;

/// Matches the values of one enum type, ignoring case and treating spaces, hyphens and
/// underscores alike (`Back-to-School` is `back_to_school`).
#[derive(Clone, Debug)]
pub(super) struct EnumMatcher {
    pub(super) id: EnumId,
    name: String,
    pub(super) values: Vec<String>,
    normalized: Vec<String>,
    /// The policy's other spellings of values (`"African American"` for `black`), normalized.
    spellings: Vec<(String, u32)>,
    /// Per [`slot`] of a spelling (its length and first byte): the one value there, or
    /// [`NO_VALUE`], or [`MANY_VALUES`] when several share it.
    slots: Box<[u8; 256]>,
}

const NO_VALUE: u8 = u8::MAX;
const MANY_VALUES: u8 = u8::MAX - 1;

/// Where a spelling's value is looked up: its length and first byte, 4 bits each.
#[inline(always)]
fn slot(raw: &[u8]) -> usize {
    let first = raw.first().copied().unwrap_or(0);
    ((raw.len() & 15) << 4) | usize::from(first & 15)
}

impl EnumMatcher {
    pub(super) fn new(schema: &Schema, id: EnumId) -> Option<EnumMatcher> {
        let t = schema.enum_type(id)?;
        let mut slots = Box::new([NO_VALUE; 256]);
        for (i, v) in t.values.iter().enumerate() {
            let entry = slots.get_mut(slot(v.as_bytes()))?;
            *entry = match (*entry, u8::try_from(i)) {
                (NO_VALUE, Ok(i)) if i < MANY_VALUES => i,
                _ => MANY_VALUES,
            };
        }
        Some(EnumMatcher {
            id,
            name: t.name.clone(),
            values: t.values.clone(),
            normalized: t.values.iter().map(|v| normalize(v)).collect(),
            spellings: t
                .spellings
                .iter()
                .map(|(text, i)| (normalize(text), *i))
                .collect(),
            slots,
        })
    }

    /// The index of a value spelled exactly, from a cell's bytes: looked up by length and first
    /// byte, then compared whole.
    #[inline(always)]
    pub(super) fn exact(&self, raw: &[u8]) -> Option<(EnumId, u32)> {
        let i = match self.slots.get(slot(raw)).copied() {
            None | Some(NO_VALUE) => return None,
            Some(MANY_VALUES) => self.values.iter().position(|v| same(v.as_bytes(), raw))?,
            Some(i) => {
                let i = usize::from(i);
                if !same(self.values.get(i)?.as_bytes(), raw) {
                    return None;
                }
                i
            }
        };
        Some((self.id, u32::try_from(i).ok()?))
    }

    /// The index of a value. The exact spelling is tried first, without allocating; then the
    /// value's name and the policy's other spellings, in any case and spacing.
    pub(super) fn find(&self, text: &str, scratch: &mut String) -> Option<u32> {
        if let Some(i) = self.values.iter().position(|v| v == text) {
            return u32::try_from(i).ok();
        }
        normalize_into(text, scratch);
        match self.normalized.iter().position(|v| v == scratch) {
            Some(i) => u32::try_from(i).ok(),
            None => self
                .spellings
                .iter()
                .find(|(s, _)| s == scratch)
                .map(|(_, i)| *i),
        }
    }

    /// Whether `text` names a value, however it is spelt.
    pub(super) fn knows(&self, text: &str) -> bool {
        self.find(text, &mut String::new()).is_some()
    }

    pub(super) fn unknown(&self, text: &str, private: bool) -> CellError {
        let mut help = String::new();
        if !private && let Some(c) = closest(&normalize(text), self.values.iter()) {
            help.push_str(&format!("did you mean {}? ", quote(c)));
        }
        const SHOWN: usize = 12;
        let names: Vec<&str> = self.values.iter().take(SHOWN).map(String::as_str).collect();
        help.push_str(&format!("allowed values: {}", list(&names)));
        if self.values.len() > SHOWN {
            help.push_str(&format!(" and {} more", self.values.len() - SHOWN));
        }
        // An export's own name for a value is a policy edit away.
        help.push_str(&format!(
            " (an export's other name for one is listed with it in `type {}`)",
            self.name
        ));
        CellError::value(
            format!("unknown `{}` value {}", self.name, shown(text, private)),
            help,
        )
    }
}

/// Lowercase; runs of spaces, hyphens and underscores become one `_`; trimmed.
pub(crate) fn normalize(text: &str) -> String {
    let mut s = String::new();
    normalize_into(text, &mut s);
    s
}

fn normalize_into(text: &str, out: &mut String) {
    out.clear();
    out.extend(normalized(text));
}

pub(crate) use crate::check::model::normalized;

pub(super) fn split_set(t: &str) -> impl Iterator<Item = &str> {
    let t = t.trim();
    let t = t.strip_prefix('{').unwrap_or(t);
    let t = t.strip_suffix('}').unwrap_or(t);
    t.split([',', ';', '|'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

pub(super) fn set<'a>(
    m: &EnumMatcher,
    items: impl Iterator<Item = &'a str>,
    private: bool,
    scratch: &mut String,
) -> Result<Value, CellError> {
    let mut out = Vec::new();
    for item in items {
        match m.find(item.trim(), scratch) {
            Some(i) => out.push(i),
            None => return Err(m.unknown(item.trim(), private)),
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(Value::Set(m.id, out))
}
