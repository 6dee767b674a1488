//! The generic half of the generated structs' written-out `Serialize` impls
//! (aiven-openapi's `codegen::serde_impls` writes the other half: one line
//! per field). Behaviour is serde's derive: for a response struct (a
//! flattened `extra` map), a map of unknown length, one entry per field
//! that is not skipped, in declaration order, then the entries of `extra`;
//! for a request body (no flattened field), a struct of the fields written,
//! with `skip_field` for each one its `skip_serializing_if` leaves out.

use serde::ser::{SerializeMap, SerializeStruct};
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

/// The fields of one closed struct (a request body) being serialized: what
/// serde's derive writes for a struct without a flattened field. As with
/// [`Entries`], the first error is kept.
#[doc(hidden)]
pub struct Fields<S: Serializer> {
    state: Result<S::SerializeStruct, S::Error>,
}

impl<S: Serializer> Fields<S> {
    /// `serializer.serialize_struct(name, len)`; `len` counts the fields
    /// that will be written.
    pub fn new(serializer: S, name: &'static str, len: usize) -> Self {
        Self {
            state: serializer.serialize_struct(name, len),
        }
    }

    /// One field: `serialize_field(key, value)`.
    pub fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        if let Ok(state) = &mut self.state {
            if let Err(e) = state.serialize_field(key, value) {
                self.state = Err(e);
            }
        }
    }

    /// A field its `skip_serializing_if` left out: `skip_field(key)`.
    pub fn skip(&mut self, key: &'static str) {
        if let Ok(state) = &mut self.state {
            if let Err(e) = state.skip_field(key) {
                self.state = Err(e);
            }
        }
    }

    /// The end of the struct.
    pub fn end(self) -> Result<S::Ok, S::Error> {
        self.state?.end()
    }
}
