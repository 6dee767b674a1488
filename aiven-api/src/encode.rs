//! The generic half of the generated response structs' `Serialize` impls
//! (aiven-openapi's `codegen::serde_impls` writes the other half: one line
//! per field). Behaviour is serde's derive for a struct with a flattened
//! map: a map of unknown length, one entry per field that is not skipped,
//! in declaration order, then the entries of `extra`.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

/// The entries of one struct being serialized. The first error is kept and
/// every later entry is a no-op, so the generated code needs no `?` per
/// field (each `?` is a conversion the compiler resolves); the error
/// returned is the one the derive's first failing `?` would return.
#[doc(hidden)]
pub struct Entries<S: Serializer> {
    state: Result<S::SerializeMap, S::Error>,
}

impl<S: Serializer> Entries<S> {
    /// `serializer.serialize_map(None)`.
    pub fn new(serializer: S) -> Self {
        Self {
            state: serializer.serialize_map(None),
        }
    }

    /// One field: `serialize_entry(key, value)`.
    pub fn entry<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        if let Ok(map) = &mut self.state {
            if let Err(e) = map.serialize_entry(key, value) {
                self.state = Err(e);
            }
        }
    }

    /// The flattened `extra` map's entries, then the end of the map.
    pub fn end(self, extra: &Map<String, Value>) -> Result<S::Ok, S::Error> {
        let mut map = self.state?;
        for (key, value) in extra {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}
