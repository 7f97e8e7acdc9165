//! Typed ids for the checked model's definitions, and [`Table`], a list indexed by one of them.
//!
//! Each kind of definition has its own id type, so that the compiler tells a rule's index from a
//! measure's: `model.measures.get(rule)` does not compile. An id is the definition's position in
//! its list ([`Model::measures`](super::model::Model::measures), ...), in declaration order.

use std::fmt;
use std::marker::PhantomData;

/// An id: a position in a [`Table`].
pub trait Id: Copy {
    fn from_index(i: usize) -> Self;
    fn index(self) -> usize;
}

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub usize);

        impl Id for $name {
            fn from_index(i: usize) -> Self {
                $name(i)
            }
            fn index(self) -> usize {
                self.0
            }
        }
    )*};
}

ids! {
    /// A record type, in [`Schema::records`](super::model::Schema::records).
    RecordId;
    /// A closed value set (`type level = {...}`), in [`Schema::enums`](super::model::Schema::enums).
    EnumId;
    /// A field of a record, in [`Record::fields`](super::model::Record::fields); also the
    /// position of its value in a loaded row.
    FieldId;
    /// A measure, in [`Model::measures`](super::model::Model::measures).
    MeasureId;
    /// A category, in [`Model::categories`](super::model::Model::categories).
    CategoryId;
    /// A window, in [`Model::windows`](super::model::Model::windows).
    WindowId;
    /// A rule, in [`Model::rules`](super::model::Model::rules).
    RuleId;
    /// A constant, in [`Model::constants`](super::model::Model::constants).
    ConstId;
    /// A named set, in [`Model::sets`](super::model::Model::sets).
    SetId;
}

/// A list whose positions are ids of type `I`: `get` takes an `I`, never a bare number.
#[derive(Clone, PartialEq, Eq)]
pub struct Table<I, T> {
    items: Vec<T>,
    id: PhantomData<fn(I) -> I>,
}

impl<I: Id, T> Table<I, T> {
    pub fn new() -> Self {
        Table {
            items: Vec::new(),
            id: PhantomData,
        }
    }

    /// `n` copies of `value`: one for each id of a table `n` long.
    pub fn filled(n: usize, value: T) -> Self
    where
        T: Clone,
    {
        Table {
            items: vec![value; n],
            id: PhantomData,
        }
    }

    /// Adds `item` at the end and returns its id.
    pub fn push(&mut self, item: T) -> I {
        let id = I::from_index(self.items.len());
        self.items.push(item);
        id
    }

    pub fn get(&self, id: I) -> Option<&T> {
        self.items.get(id.index())
    }

    pub fn get_mut(&mut self, id: I) -> Option<&mut T> {
        self.items.get_mut(id.index())
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, T> {
        self.items.iter_mut()
    }

    /// Each item with its id, in order.
    pub fn enumerate(&self) -> impl DoubleEndedIterator<Item = (I, &T)> + '_ {
        self.items
            .iter()
            .enumerate()
            .map(|(i, x)| (I::from_index(i), x))
    }

    /// Every id, in order.
    pub fn ids(&self) -> impl DoubleEndedIterator<Item = I> + use<I, T> {
        (0..self.items.len()).map(I::from_index)
    }

    /// The id of the first item that satisfies `pred`.
    pub fn position(&self, pred: impl FnMut(&T) -> bool) -> Option<I> {
        self.items.iter().position(pred).map(I::from_index)
    }

    pub fn first(&self) -> Option<&T> {
        self.items.first()
    }

    pub fn last(&self) -> Option<&T> {
        self.items.last()
    }

    /// The items as a slice, for what only counts or scans them.
    pub fn as_slice(&self) -> &[T] {
        &self.items
    }
}

impl<I: Id, T> Default for Table<I, T> {
    fn default() -> Self {
        Table::new()
    }
}

impl<I, T: fmt::Debug> fmt::Debug for Table<I, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(&self.items).finish()
    }
}

/// A table is written as the list of its items, in id order.
impl<I, T: serde::Serialize> serde::Serialize for Table<I, T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.items.serialize(s)
    }
}

impl<I: Id, T> From<Vec<T>> for Table<I, T> {
    fn from(items: Vec<T>) -> Self {
        Table {
            items,
            id: PhantomData,
        }
    }
}

impl<I: Id, T> FromIterator<T> for Table<I, T> {
    fn from_iter<It: IntoIterator<Item = T>>(iter: It) -> Self {
        Table::from(iter.into_iter().collect::<Vec<T>>())
    }
}

/// Indexing panics on an id out of range, so only tests have it; the library reads with `get`.
#[cfg(test)]
impl<I: Id, T> std::ops::Index<I> for Table<I, T> {
    type Output = T;
    #[expect(clippy::indexing_slicing, reason = "tests only")]
    fn index(&self, id: I) -> &T {
        &self.items[id.index()]
    }
}

#[cfg(test)]
impl<I: Id, T> std::ops::IndexMut<I> for Table<I, T> {
    #[expect(clippy::indexing_slicing, reason = "tests only")]
    fn index_mut(&mut self, id: I) -> &mut T {
        &mut self.items[id.index()]
    }
}

impl<'a, I, T> IntoIterator for &'a Table<I, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<I, T> IntoIterator for Table<I, T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_hands_out_ids_in_order_and_reads_by_them() {
        let mut t: Table<MeasureId, &str> = Table::new();
        let a = t.push("a");
        let b = t.push("b");
        assert_eq!((a, b), (MeasureId(0), MeasureId(1)));
        assert_eq!(t.get(b), Some(&"b"));
        assert_eq!(t.get(MeasureId(2)), None);
        assert_eq!(t.position(|x| *x == "b"), Some(b));
        let pairs: Vec<(MeasureId, &&str)> = t.enumerate().collect();
        assert_eq!(pairs, vec![(a, &"a"), (b, &"b")]);
        assert_eq!(t.ids().collect::<Vec<_>>(), vec![a, b]);
        assert_eq!(Table::<MeasureId, u8>::filled(2, 7).as_slice(), &[7, 7]);
    }
}
