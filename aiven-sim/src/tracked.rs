//! A map that records which of its entries changed, so that persistence
//! saves what a change touched without being told what an operation does.
//!
//! Reading goes through [`Deref`] to the `BTreeMap`; every way to change
//! an entry is a method here that marks its key (or, for [`all_mut`],
//! every key). There is no `DerefMut`, so a handler cannot change an entry
//! unmarked: whatever it writes, in any project or service, is saved.
//!
//! Marks rather than a diff of serialized records: a diff needs the
//! records before the change, i.e. serializing every record a handler
//! might touch up front (for a handler that reaches across projects, all
//! of them), which costs O(state) per change; a mark costs one key insert.
//! A mark may be spurious (a `get_mut` that changed nothing): the
//! persister skips records whose bytes did not change.
//!
//! [`all_mut`]: TrackedMap::all_mut

use std::collections::btree_map::{self, Entry};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A `BTreeMap<String, V>` that remembers which keys changed since the
/// last [`saved`](TrackedMap::saved). Serialized as the plain map.
#[derive(Clone, Debug)]
pub struct TrackedMap<V> {
    items: BTreeMap<String, V>,
    changed: Changed,
}

/// Which keys changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) enum Changed {
    /// None.
    #[default]
    None,
    /// These keys (inserted, removed or borrowed for changing).
    Keys(BTreeSet<String>),
    /// Any of them (the map was borrowed whole).
    All,
}

impl<V> Default for TrackedMap<V> {
    fn default() -> Self {
        Self {
            items: BTreeMap::new(),
            changed: Changed::None,
        }
    }
}

impl<V> From<BTreeMap<String, V>> for TrackedMap<V> {
    /// A map with no changes recorded (as read from the state file).
    fn from(items: BTreeMap<String, V>) -> Self {
        Self {
            items,
            changed: Changed::None,
        }
    }
}

impl<V> Deref for TrackedMap<V> {
    type Target = BTreeMap<String, V>;

    fn deref(&self) -> &Self::Target {
        &self.items
    }
}

impl<'a, V> IntoIterator for &'a TrackedMap<V> {
    type Item = (&'a String, &'a V);
    type IntoIter = btree_map::Iter<'a, String, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<V> IntoIterator for TrackedMap<V> {
    type Item = (String, V);
    type IntoIter = btree_map::IntoIter<String, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<V> TrackedMap<V> {
    /// The plain map.
    pub fn into_inner(self) -> BTreeMap<String, V> {
        self.items
    }

    /// The keys, in order.
    pub fn into_keys(self) -> btree_map::IntoKeys<String, V> {
        self.items.into_keys()
    }

    /// The values, in key order.
    pub fn into_values(self) -> btree_map::IntoValues<String, V> {
        self.items.into_values()
    }

    /// Whether it has no entries (for serde's `skip_serializing_if`).
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    fn mark(&mut self, key: &str) {
        match &mut self.changed {
            Changed::All => {}
            Changed::Keys(keys) => {
                if !keys.contains(key) {
                    keys.insert(key.to_string());
                }
            }
            Changed::None => self.changed = Changed::Keys(BTreeSet::from([key.to_string()])),
        }
    }

    /// The entry under `key`, for changing (marked if it exists).
    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        if self.items.contains_key(key) {
            self.mark(key);
        }
        self.items.get_mut(key)
    }

    /// Inserts or replaces the entry under `key`.
    pub fn insert(&mut self, key: String, value: V) -> Option<V> {
        self.mark(&key);
        self.items.insert(key, value)
    }

    /// Removes the entry under `key`.
    pub fn remove(&mut self, key: &str) -> Option<V> {
        let removed = self.items.remove(key);
        if removed.is_some() {
            self.mark(key);
        }
        removed
    }

    /// The entry under `key`, present or not, for changing (marked).
    pub fn entry(&mut self, key: String) -> Entry<'_, String, V> {
        self.mark(&key);
        self.items.entry(key)
    }

    /// Keeps the entries `keep` accepts (it sees them, it cannot change
    /// them); marks those removed.
    pub fn retain(&mut self, mut keep: impl FnMut(&str, &V) -> bool) {
        let mut removed = Vec::new();
        self.items.retain(|k, v| {
            let kept = keep(k, v);
            if !kept {
                removed.push(k.clone());
            }
            kept
        });
        for k in removed {
            self.mark(&k);
        }
    }

    /// The whole map, for changing any entry: marks every key (the
    /// persister compares them all with what is on disk).
    pub fn all_mut(&mut self) -> &mut BTreeMap<String, V> {
        self.changed = Changed::All;
        &mut self.items
    }

    /// What changed since the last [`saved`](Self::saved).
    pub(crate) fn changed(&self) -> &Changed {
        &self.changed
    }

    /// The map without recording changes: only for the persister, which
    /// takes a project's services out to write the project's own record
    /// and puts them back, and builds maps read from the state file.
    pub(crate) fn unmarked_mut(&mut self) -> &mut BTreeMap<String, V> {
        &mut self.items
    }

    /// Forgets the changes (they are on disk), and with `nested` those
    /// recorded inside each changed entry.
    pub(crate) fn saved(&mut self, mut nested: impl FnMut(&mut V)) {
        match std::mem::take(&mut self.changed) {
            Changed::None => {}
            Changed::Keys(keys) => {
                for k in keys {
                    if let Some(v) = self.items.get_mut(&k) {
                        nested(v);
                    }
                }
            }
            Changed::All => self.items.values_mut().for_each(nested),
        }
    }
}

impl<V: Serialize> Serialize for TrackedMap<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.items.serialize(s)
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for TrackedMap<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        BTreeMap::deserialize(d).map(Self::from)
    }
}

/// Described as the plain map it is serialized as (the format's pinned
/// schema, see `crate::format`).
#[cfg(test)]
impl<V: schemars::JsonSchema> schemars::JsonSchema for TrackedMap<V> {
    fn schema_name() -> String {
        BTreeMap::<String, V>::schema_name()
    }

    fn json_schema(generator: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        BTreeMap::<String, V>::json_schema(generator)
    }

    fn is_referenceable() -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_change_is_marked_reads_are_not() {
        let mut m: TrackedMap<u32> = BTreeMap::from([("a".into(), 1), ("b".into(), 2)]).into();
        assert_eq!(m.changed(), &Changed::None);
        assert_eq!(m.get("a"), Some(&1));
        assert!(m.get_mut("missing").is_none());
        assert_eq!(m.changed(), &Changed::None);
        *m.get_mut("a").unwrap() += 1;
        m.insert("c".into(), 3);
        m.remove("b");
        *m.entry("d".into()).or_default() += 4;
        m.retain(|k, _| k != "c");
        let keys = |ks: &[&str]| Changed::Keys(ks.iter().map(|k| k.to_string()).collect());
        assert_eq!(m.changed(), &keys(&["a", "b", "c", "d"]));
        let mut seen = Vec::new();
        m.saved(|v| seen.push(*v));
        assert_eq!(seen, [2, 4], "the changed entries still there");
        assert_eq!(m.changed(), &Changed::None);
        m.all_mut().clear();
        assert_eq!(m.changed(), &Changed::All);
        assert_eq!(serde_json::to_string(&m).unwrap(), "{}");
    }
}
