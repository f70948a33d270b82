//! Small sorted collections with little code: [`SortedMap`], a map kept as a
//! vector sorted by key, for the generated documents' small maps (policy
//! conditions, workflow inputs, env vars), and [`sort_small_by_key`], a stable
//! sort for lists of a few dozen items.
//!
//! Both exist for the web page's wasm size: every `BTreeMap<K, V>` brings its own
//! node, search, insert and sort code, and every `slice::sort_by` its own
//! quicksort, merge and small-sort code (about 3.5 KB per element type).

use std::borrow::Borrow;

use serde::ser::{Serialize, SerializeMap, Serializer};

/// A map from `K` to `V`, unique keys, iterated in ascending key order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SortedMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap {
            entries: Vec::new(),
        }
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    fn position<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    /// Sets `key` to `value`, returning the value it replaces.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.position(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    /// The value of `key`.
    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.position(key).ok().map(|i| &self.entries[i].1)
    }

    /// The value of `key`, to change it.
    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.position(key).ok().map(|i| &mut self.entries[i].1)
    }

    /// Whether `key` has a value.
    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.position(key).is_ok()
    }
}

impl<K, V> SortedMap<K, V> {
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// The entries in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.entries.iter().map(|(k, _)| k)
    }

    /// The values in key order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.iter().map(|(_, v)| v)
    }
}

impl<K: Ord, V, const N: usize> From<[(K, V); N]> for SortedMap<K, V> {
    fn from(entries: [(K, V); N]) -> Self {
        entries.into_iter().collect()
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for SortedMap<K, V> {
    /// Later entries replace earlier ones with the same key, as in `BTreeMap`.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(entries: I) -> Self {
        let mut map = SortedMap::new();
        for (k, v) in entries {
            map.insert(k, v);
        }
        map
    }
}

impl<'a, K, V> IntoIterator for &'a SortedMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

impl<K: Serialize, V: Serialize> Serialize for SortedMap<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for (k, v) in &self.entries {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Sorts `items` by `key`, stable (equal keys keep their order). Insertion sort:
/// quadratic, meant for the few dozen items of a findings list or a price ranking.
pub fn sort_small_by_key<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 && key(&items[j - 1]) > key(&items[j]) {
            items.swap(j - 1, j);
            j -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn iterates_and_serialises_as_a_btree_map() {
        let pairs = [("b", 2), ("a", 1), ("c", 3), ("a", 4), ("", 0)];
        let sorted: SortedMap<&str, i32> = pairs.into_iter().collect();
        let btree: BTreeMap<&str, i32> = pairs.into_iter().collect();
        assert!(sorted.iter().eq(btree.iter()));
        assert_eq!(
            serde_json::to_string(&sorted).unwrap(),
            serde_json::to_string(&btree).unwrap()
        );
        assert_eq!(sorted.len(), 4);
        assert_eq!(sorted.get("a"), Some(&4));
        assert!(sorted.contains_key("") && !sorted.contains_key("d"));
    }

    #[test]
    fn small_sort_is_stable_and_equals_the_standard_sort() {
        let items: Vec<(u8, usize)> = (0..60).map(|i| ((i * 37 % 11) as u8, i)).collect();
        let mut ours = items.clone();
        sort_small_by_key(&mut ours, |&(k, _)| k);
        let mut standard = items;
        standard.sort_by_key(|&(k, _)| k);
        assert_eq!(ours, standard);
        sort_small_by_key(&mut [0u8; 0], |&x| x);
    }

    #[test]
    fn insert_returns_the_replaced_value() {
        let mut map = SortedMap::new();
        assert_eq!(map.insert("k".to_string(), 1), None);
        assert_eq!(map.insert("k".to_string(), 2), Some(1));
        assert_eq!(map.get("k"), Some(&2));
        map.clear();
        assert!(map.is_empty());
    }
}
