//! The generic half of the generated structs' written-out `Deserialize`
//! impls (aiven-openapi's `codegen::serde_impls` writes the other half: one
//! `match` on the key per struct). Behaviour is serde's derive.
//!
//! - A response struct ([`Open`]: a flattened `extra` map): keys decode as
//!   identifiers, a known key twice is ``duplicate field `x` ``, a missing
//!   field is `None` for an `Option`, its default when it has one and
//!   ``missing field `x` `` otherwise, and every other key goes to `extra`.
//!   Lenient fields go through [`crate::lenient::field_named`].
//! - A request body ([`Closed`]): the same, but a key is a field's name or
//!   index ([`FieldKey`]), other keys are ignored, and a sequence gives the
//!   fields in order.
//! - A string enum ([`UnitEnum`]): a variant by name or index, then
//!   `unit_variant` (so `"AVRO"` and `{"AVRO": null}` both decode).

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// A response struct whose `Deserialize` is written out.
#[doc(hidden)]
pub trait Open: Sized {
    /// The struct's name (`invalid type` errors expect `struct Service`).
    const NAME: &'static str;
    /// Decodes the struct from the entries of a map.
    fn visit_map<'de, A>(map: A) -> Result<Self, A::Error>
    where
        A: MapAccess<'de>;
}

/// `T::deserialize`: a map, visited by [`Open::visit_map`].
#[doc(hidden)]
pub fn open<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Open,
{
    struct OpenVisitor<T>(PhantomData<T>);
    impl<'de, T: Open> Visitor<'de> for OpenVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "struct {}", T::NAME)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::visit_map(map)
        }
    }
    deserializer.deserialize_map(OpenVisitor(PhantomData))
}

/// A map key: borrowed from the input when the format allows (serde_json
/// does for a key without escapes), so matching it costs no allocation.
#[doc(hidden)]
pub struct Key<'de>(Cow<'de, str>);

impl Key<'_> {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
            fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<Key<'de>, E> {
                std::str::from_utf8(v)
                    .map(|s| Key(Cow::Borrowed(s)))
                    .map_err(|_| E::invalid_value(de::Unexpected::Bytes(v), &self))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Key<'de>, E> {
                std::str::from_utf8(v)
                    .map(|s| Key(Cow::Owned(s.to_owned())))
                    .map_err(|_| E::invalid_value(de::Unexpected::Bytes(v), &self))
            }
        }
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

/// A field decoded as its type.
#[doc(hidden)]
#[inline]
pub fn strict<'de, A, T>(
    map: &mut A,
    slot: &mut Option<T>,
    name: &'static str,
) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    T: Deserialize<'de>,
{
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// A lenient field ([`crate::lenient::field_named`]).
#[doc(hidden)]
#[inline]
pub fn lenient<'de, A, T>(
    map: &mut A,
    slot: &mut Option<Option<T>>,
    name: &'static str,
) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    T: DeserializeOwned,
{
    struct Lenient<T>(&'static str, PhantomData<T>);
    impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for Lenient<T> {
        type Value = Option<T>;
        fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<T>, D::Error> {
            crate::lenient::field_named(self.0, deserializer)
        }
    }
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value_seed(Lenient(name, PhantomData))?);
    Ok(())
}

/// A key no field names: kept in `extra` (the last of a repeated key wins).
#[doc(hidden)]
pub fn other<'de, A>(
    map: &mut A,
    extra: &mut Map<String, Value>,
    key: Key<'de>,
) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
{
    let value = map.next_value::<Value>()?;
    extra.insert(key.0.into_owned(), value);
    Ok(())
}

/// The finished `extra` map: with the raw values of this struct's lenient
/// fields that did not decode.
#[doc(hidden)]
#[inline]
pub fn extra(mut map: Map<String, Value>) -> Map<String, Value> {
    crate::lenient::take_set_aside(&mut map);
    map
}

/// A field that was not in the input and has no default: as serde decides,
/// `None` for an `Option`, else ``missing field `name` ``.
#[doc(hidden)]
pub fn missing<'de, T, E>(name: &'static str) -> Result<T, E>
where
    T: Deserialize<'de>,
    E: de::Error,
{
    struct Missing<E>(&'static str, PhantomData<E>);
    impl<'de, E: de::Error> Deserializer<'de> for Missing<E> {
        type Error = E;
        fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, E> {
            Err(E::missing_field(self.0))
        }
        fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
            visitor.visit_none()
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf unit unit_struct newtype_struct seq tuple
            tuple_struct map struct enum identifier ignored_any
        }
    }
    T::deserialize(Missing(name, PhantomData))
}

/// A closed struct (a request body: no flattened field) whose `Deserialize`
/// is written out: serde's derive for such a struct. A map's unknown keys
/// are ignored; a sequence gives the fields in order.
#[doc(hidden)]
pub trait Closed: Sized {
    /// The struct's name, as `deserialize_struct` is told.
    const NAME: &'static str;
    /// The wire names of the fields that are decoded, in order.
    const FIELDS: &'static [&'static str];
    /// What a too short sequence was expected to be
    /// (`struct Body with 2 elements`).
    const ELEMENTS: &'static str;
    /// Decodes the struct from the entries of a map.
    fn visit_map<'de, A>(map: A) -> Result<Self, A::Error>
    where
        A: MapAccess<'de>;
    /// Decodes the struct from a sequence of its fields.
    fn visit_seq<'de, A>(seq: A) -> Result<Self, A::Error>
    where
        A: SeqAccess<'de>;
}

/// `T::deserialize`: `deserialize_struct`, visited by [`Closed`].
#[doc(hidden)]
pub fn closed<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Closed,
{
    struct ClosedVisitor<T>(PhantomData<T>);
    impl<'de, T: Closed> Visitor<'de> for ClosedVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "struct {}", T::NAME)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::visit_map(map)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
            T::visit_seq(seq)
        }
    }
    deserializer.deserialize_struct(T::NAME, T::FIELDS, ClosedVisitor(PhantomData))
}

/// A closed struct's map key, read as the derive's field identifier does:
/// a field's index or its name; anything else (a name no field has, bytes
/// that are not UTF-8) is a key to ignore.
#[doc(hidden)]
pub enum FieldKey<'de> {
    Index(u64),
    Name(Cow<'de, str>),
    Other,
}

impl FieldKey<'_> {
    /// The index of the field this key names in `fields`, if any.
    pub fn index(&self, fields: &[&str]) -> Option<usize> {
        match self {
            FieldKey::Index(i) => usize::try_from(*i).ok().filter(|i| *i < fields.len()),
            FieldKey::Name(name) => fields.iter().position(|f| f == name),
            FieldKey::Other => None,
        }
    }
}

impl<'de> Deserialize<'de> for FieldKey<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldKeyVisitor;
        impl<'de> Visitor<'de> for FieldKeyVisitor {
            type Value = FieldKey<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("field identifier")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<FieldKey<'de>, E> {
                Ok(FieldKey::Index(v))
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<FieldKey<'de>, E> {
                Ok(FieldKey::Name(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<FieldKey<'de>, E> {
                Ok(FieldKey::Name(Cow::Owned(v.to_owned())))
            }
            fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<FieldKey<'de>, E> {
                Ok(std::str::from_utf8(v)
                    .map_or(FieldKey::Other, |s| FieldKey::Name(Cow::Borrowed(s))))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<FieldKey<'de>, E> {
                Ok(std::str::from_utf8(v).map_or(FieldKey::Other, |s| {
                    FieldKey::Name(Cow::Owned(s.to_owned()))
                }))
            }
        }
        deserializer.deserialize_identifier(FieldKeyVisitor)
    }
}

/// The value of a key no field names: read and dropped.
#[doc(hidden)]
#[inline]
pub fn ignore<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<de::IgnoredAny>().map(|_| ())
}

/// A sequence that ended before field `index`, which has no default.
#[doc(hidden)]
pub fn too_short<E: de::Error>(index: usize, elements: &'static str) -> E {
    E::invalid_length(index, &elements)
}

/// A string enum (unit variants only) whose `Deserialize` is written out:
/// serde's derive for such an enum (`deserialize_enum`; a variant by name
/// or index, then `unit_variant`).
#[doc(hidden)]
pub trait UnitEnum: Copy + 'static {
    /// The enum's name, as `deserialize_enum` is told.
    const NAME: &'static str;
    /// The wire names of the variants, in order.
    const VARIANTS: &'static [&'static str];
    /// The variants, in the same order.
    const ALL: &'static [Self];
}

/// `T::deserialize` for a [`UnitEnum`].
#[doc(hidden)]
pub fn unit_enum<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: UnitEnum,
{
    struct EnumVisitor<T>(PhantomData<T>);
    impl<'de, T: UnitEnum> Visitor<'de> for EnumVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "enum {}", T::NAME)
        }
        fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<T, A::Error> {
            let (index, variant) = data.variant_seed(VariantIndex(T::VARIANTS))?;
            de::VariantAccess::unit_variant(variant)?;
            T::ALL
                .get(index)
                .copied()
                .ok_or_else(|| de::Error::custom("variant index out of range"))
        }
    }
    deserializer.deserialize_enum(T::NAME, T::VARIANTS, EnumVisitor(PhantomData))
}

/// A variant identifier, read as the derive's is: its name (text or bytes)
/// or its index; anything else is an error.
struct VariantIndex(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for VariantIndex {
    type Value = usize;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for VariantIndex {
    type Value = usize;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("variant identifier")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<usize, E> {
        match usize::try_from(v) {
            Ok(i) if i < self.0.len() => Ok(i),
            _ => Err(E::invalid_value(
                de::Unexpected::Unsigned(v),
                &format!("variant index 0 <= i < {}", self.0.len()).as_str(),
            )),
        }
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<usize, E> {
        self.0
            .iter()
            .position(|name| *name == v)
            .ok_or_else(|| E::unknown_variant(v, self.0))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<usize, E> {
        self.0
            .iter()
            .position(|name| name.as_bytes() == v)
            .ok_or_else(|| E::unknown_variant(&String::from_utf8_lossy(v), self.0))
    }
}
