//! Written-out `Deserialize` and `Serialize` impls for the generated types:
//! the open-world structs (the responses: a flattened `extra` map, lenient
//! fields), the closed ones (the request bodies), the string enums, and the
//! transparent newtypes (`Serialize` only; their `Deserialize` is typify's).
//!
//! serde's derive is the largest single cost of compiling the generated
//! client: for a struct with a flattened field it writes a field enum whose
//! visitor accepts every primitive type (unknown keys are buffered as
//! `Content`), and for every `deserialize_with` field a wrapper type with its
//! own impl. Measured with `-Z self-profile` on the full client, those
//! derives were about a third of the crate's compile time; the other derived
//! serde impls were about 3.5 s of the 21 s left (A/B builds without them).
//! The impls written here behave as the derive does (the same value or the
//! same error from the same input; the same serializer calls in the same
//! order), but are one `match` on the key, and one line per field, per
//! struct; the generic work lives once in aiven-api's `decode` and `encode`
//! modules. They are Rust text for the `types` module (see [`super::text`]):
//! the passes read the syn tree and remove the derives, but never parse what
//! they write.
//!
//! Only structs whose serde attributes are all understood here are
//! converted (field `rename`, `default`, `default = "path"`, `skip`,
//! `skip_serializing_if`, the lenient marks of [`super::lenient_fields`], the
//! flattened `extra`; `transparent` on a newtype; `rename` on a unit
//! variant of a `Copy` enum); any other type keeps the derive, so a new
//! attribute from a later typify costs compile time, never behaviour. A
//! struct left with no serde derive loses its serde attributes.

use super::text::{emit, lit, rust};

/// How one field is decoded.
enum Kind {
    /// `map.next_value()`.
    Strict,
    /// `crate::lenient::field`: a value of the wrong type becomes `None`
    /// (in a lenient pass).
    Lenient,
    /// The flattened `extra` map: every key no field names.
    Extra,
    /// `#[serde(skip)]`: not decoded, always its default.
    Skip,
}

/// What a missing field becomes.
enum Missing {
    /// serde's rule without `default`: `None` for an `Option`, else the
    /// error ``missing field `x` ``.
    Serde,
    /// `#[serde(default)]`.
    Default,
    /// `#[serde(default = "path")]`.
    Path(syn::ExprPath),
}

struct Field {
    ident: syn::Ident,
    ty: syn::Type,
    wire: String,
    kind: Kind,
    missing: Missing,
    /// `#[serde(skip_serializing_if = "path")]`.
    skip_if: Option<syn::ExprPath>,
}

/// Reads a field's serde attributes; `None` if one is not understood here.
fn field(f: &syn::Field) -> Option<Field> {
    let ident = f.ident.clone()?;
    let mut wire = ident.to_string().trim_start_matches("r#").to_owned();
    let mut kind = Kind::Strict;
    let mut skip = false;
    let mut flatten = false;
    let mut missing = Missing::Serde;
    let mut skip_if = None;
    let read = super::serde_entries(&f.attrs);
    if read.other {
        return None;
    }
    for entry in read.entries {
        match (entry.key.as_str(), entry.value) {
            ("skip_serializing_if", Some(value)) => skip_if = Some(value.parse().ok()?),
            ("rename", Some(value)) => wire = value.value(),
            ("default", Some(value)) => missing = Missing::Path(value.parse().ok()?),
            ("default", None) => missing = Missing::Default,
            ("flatten", None) => flatten = true,
            ("skip", None) => skip = true,
            ("deserialize_with", Some(value)) => {
                let path = value.value();
                if path == "crate::lenient::extra" {
                    kind = Kind::Extra;
                } else if path.starts_with("crate::lenient::field::<") {
                    kind = Kind::Lenient;
                } else {
                    return None;
                }
            }
            _ => return None,
        }
    }
    // A skipped field is never decoded: with a decoding of its own it is
    // not understood.
    if skip {
        if !matches!(kind, Kind::Strict) || flatten {
            return None;
        }
        kind = Kind::Skip;
    }
    // The flattened map and nothing else is `extra`; a lenient field is
    // missing-means-`None` only through its `default`.
    match kind {
        Kind::Extra if !flatten => return None,
        Kind::Strict | Kind::Lenient if flatten => return None,
        Kind::Lenient if !matches!(missing, Missing::Default) => return None,
        _ => {}
    }
    Some(Field {
        ident,
        ty: f.ty.clone(),
        wire,
        kind,
        missing,
        skip_if,
    })
}

/// A struct's fields as read by [`field`]: `None` for a generic struct,
/// one with a struct-level serde attribute, a tuple struct, or a field
/// attribute not understood.
fn struct_fields(st: &syn::ItemStruct) -> Option<Vec<Field>> {
    if !st.generics.params.is_empty() || st.attrs.iter().any(|a| a.path().is_ident("serde")) {
        return None;
    }
    let syn::Fields::Named(named) = &st.fields else {
        return None;
    };
    named.named.iter().map(field).collect()
}

/// [`struct_fields`] of a closed struct: every field plain or skipped.
fn closed_fields(st: &syn::ItemStruct) -> Option<Vec<Field>> {
    let fields = struct_fields(st)?;
    fields
        .iter()
        .all(|f| matches!(f.kind, Kind::Strict | Kind::Skip))
        .then_some(fields)
}

/// Whether a wire name occurs twice (the derive would match the first; the
/// written-out code is not asked to).
fn repeats<'a>(wires: impl Iterator<Item = &'a str>) -> bool {
    let mut wires: Vec<&str> = wires.collect();
    wires.sort_unstable();
    wires.windows(2).any(|w| w[0] == w[1])
}

/// The written-out impls of one open struct, as Rust text.
struct Impls {
    /// `decode::Open` and `Deserialize`.
    decode: String,
    /// `Serialize`.
    encode: String,
}

/// The impls for one open struct, or `None` (it keeps the derives).
fn impls(st: &syn::ItemStruct) -> Option<Impls> {
    let fields = struct_fields(st)?;
    let extras = fields
        .iter()
        .filter(|f| matches!(f.kind, Kind::Extra))
        .count();
    // The extra map's entries are written last: the derive writes them at
    // the field's place, so it must be the last field written.
    let written: Vec<&Field> = fields
        .iter()
        .filter(|f| !matches!(f.kind, Kind::Skip))
        .collect();
    if extras != 1
        || !written
            .last()
            .is_some_and(|f| matches!(f.kind, Kind::Extra))
        || written.last().is_some_and(|f| f.skip_if.is_some())
    {
        return None;
    }
    if repeats(
        fields
            .iter()
            .filter(|f| matches!(f.kind, Kind::Strict | Kind::Lenient))
            .map(|f| f.wire.as_str()),
    ) {
        return None;
    }

    let name = &st.ident;
    let mut slots = String::new();
    let mut arms = String::new();
    let mut other = String::new();
    let mut inits = String::new();
    let mut entries = String::new();
    let mut extra = None;
    for (i, f) in fields.iter().enumerate() {
        let ident = &f.ident;
        let ty = rust(&f.ty);
        let wire = lit(&f.wire);
        match f.kind {
            Kind::Extra => {
                extra = Some(ident);
                emit!(
                    slots,
                    "        let mut f{i}: {ty} = ::std::default::Default::default();"
                );
                emit!(
                    other,
                    "                _ => crate::decode::other(&mut map, &mut f{i}, key),"
                );
                emit!(inits, "            {ident}: crate::decode::extra(f{i}),");
                continue;
            }
            Kind::Skip => {
                match &f.missing {
                    Missing::Path(path) => emit!(inits, "            {ident}: {}(),", rust(path)),
                    _ => emit!(
                        inits,
                        "            {ident}: ::std::default::Default::default(),"
                    ),
                }
                continue;
            }
            Kind::Strict => emit!(
                arms,
                "                {wire} => crate::decode::strict(&mut map, &mut f{i}, {wire}),"
            ),
            Kind::Lenient => emit!(
                arms,
                "                {wire} => crate::decode::lenient(&mut map, &mut f{i}, {wire}),"
            ),
        }
        match &f.skip_if {
            Some(path) => emit!(
                entries,
                "        if !{}(&self.{ident}) {{\n            entries.entry({wire}, &self.{ident});\n        }}",
                rust(path)
            ),
            None => emit!(entries, "        entries.entry({wire}, &self.{ident});"),
        }
        emit!(
            slots,
            "        let mut f{i}: ::std::option::Option<{ty}> = ::std::option::Option::None;"
        );
        match &f.missing {
            Missing::Serde => emit!(
                inits,
                "            {ident}: match f{i} {{\n                \
                 ::std::option::Option::Some(v) => v,\n                \
                 ::std::option::Option::None => crate::decode::missing::<_, __A::Error>({wire})?,\n            \
                 }},"
            ),
            Missing::Default => emit!(inits, "            {ident}: f{i}.unwrap_or_default(),"),
            Missing::Path(path) => {
                emit!(inits, "            {ident}: f{i}.unwrap_or_else({}),", rust(path))
            }
        }
    }
    let extra = extra?;
    let label = lit(&name.to_string());
    // One `?` for the whole match: a `?` per arm is a trait resolution per
    // field for the compiler. The extra arm is the catch-all: last.
    let decode = format!(
        "\
impl crate::decode::Open for {name} {{
    const NAME: &'static str = {label};
    fn visit_map<'__de, __A>(mut map: __A) -> ::std::result::Result<Self, __A::Error>
    where
        __A: ::serde::de::MapAccess<'__de>,
    {{
{slots}        while let ::std::option::Option::Some(key) =
            ::serde::de::MapAccess::next_key::<crate::decode::Key<'__de>>(&mut map)?
        {{
            match key.as_str() {{
{arms}{other}            }}?;
        }}
        ::std::result::Result::Ok(Self {{
{inits}        }})
    }}
}}
"
    ) + &deserialize_impl(name, "open");
    let encode = serialize_impl(
        name,
        &format!(
            "        let mut entries = crate::encode::Entries::new(serializer);
{entries}        entries.end(&self.{extra})
"
        ),
    );
    Some(Impls { decode, encode })
}

/// `impl Deserialize for name`, through `crate::decode::helper`.
fn deserialize_impl(name: &syn::Ident, helper: &str) -> String {
    format!(
        "\
impl<'de> ::serde::Deserialize<'de> for {name} {{
    fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
    where
        D: ::serde::Deserializer<'de>,
    {{
        crate::decode::{helper}(deserializer)
    }}
}}
"
    )
}

/// `impl Serialize for name`, `body` its function's statements (indented
/// as they go).
fn serialize_impl(name: &syn::Ident, body: &str) -> String {
    format!(
        "\
impl ::serde::Serialize for {name} {{
    fn serialize<__S>(&self, serializer: __S) -> ::std::result::Result<__S::Ok, __S::Error>
    where
        __S: ::serde::Serializer,
    {{
{body}    }}
}}
"
    )
}

/// Removes the fields' serde attributes: with neither serde derive left,
/// nothing reads them (and rustc refuses an attribute no derive declares).
fn strip_serde_attrs(st: &mut syn::ItemStruct) {
    for f in st.fields.iter_mut() {
        f.attrs.retain(|a| !a.path().is_ident("serde"));
    }
}

/// Replaces the derived `Deserialize` and `Serialize` of every open struct
/// of the `types` module whose attributes are understood (see the module
/// documentation); the impls are appended to `out`, text for that module.
/// A struct that derives `Deserialize` but not `Serialize` gets no
/// `Serialize`. Returns how many were converted and how many kept the
/// derive.
pub fn open_struct_impls(file: &mut syn::File, out: &mut String) -> (usize, usize) {
    let Some(types_mod) = super::module_items_mut(file, "types") else {
        return (0, 0);
    };
    let (mut converted, mut kept) = (0, 0);
    for item in types_mod.iter_mut() {
        let syn::Item::Struct(st) = item else {
            continue;
        };
        if !super::is_open(st) {
            continue;
        }
        match impls(st) {
            Some(impls) if super::drop_derived(&mut st.attrs, "Deserialize") => {
                out.push_str(&impls.decode);
                if super::drop_derived(&mut st.attrs, "Serialize") {
                    out.push_str(&impls.encode);
                }
                strip_serde_attrs(st);
                converted += 1;
            }
            _ => kept += 1,
        }
    }
    (converted, kept)
}

/// The written-out `Serialize` of a closed struct (a request body: no
/// flattened field), or `None` (it keeps the derive).
fn closed_serialize(st: &syn::ItemStruct) -> Option<String> {
    let fields = closed_fields(st)?;
    let name = &st.ident;
    let label = lit(&name.to_string());
    let mut always = 0usize;
    let mut sometimes = String::new();
    let mut writes = String::new();
    for f in fields.iter().filter(|f| matches!(f.kind, Kind::Strict)) {
        let ident = &f.ident;
        let wire = lit(&f.wire);
        match &f.skip_if {
            Some(path) => {
                let path = rust(path);
                sometimes.push_str(&format!(" + usize::from(!{path}(&self.{ident}))"));
                emit!(
                    writes,
                    "        if !{path}(&self.{ident}) {{\n            \
                     fields.field({wire}, &self.{ident});\n        \
                     }} else {{\n            \
                     fields.skip({wire});\n        \
                     }}"
                );
            }
            None => {
                always += 1;
                emit!(writes, "        fields.field({wire}, &self.{ident});");
            }
        }
    }
    Some(serialize_impl(
        name,
        &format!(
            "        let len = {always}usize{sometimes};
        let mut fields = crate::encode::Fields::new(serializer, {label}, len);
{writes}        fields.end()
"
        ),
    ))
}

/// The written-out `Deserialize` of a closed struct (`decode::Closed` and
/// `Deserialize`), or `None` (it keeps the derive).
fn closed_deserialize(st: &syn::ItemStruct) -> Option<String> {
    let fields = closed_fields(st)?;
    let decoded: Vec<&Field> = fields
        .iter()
        .filter(|f| matches!(f.kind, Kind::Strict))
        .collect();
    if repeats(decoded.iter().map(|f| f.wire.as_str())) {
        return None;
    }
    let name = &st.ident;
    let label = lit(&name.to_string());
    let elements = lit(&format!(
        "struct {name} with {} element{}",
        decoded.len(),
        if decoded.len() == 1 { "" } else { "s" }
    ));
    let wire_names = decoded
        .iter()
        .map(|f| lit(&f.wire))
        .collect::<Vec<_>>()
        .join(", ");
    let mut slots = String::new();
    let mut arms = String::new();
    let mut from_map = String::new();
    let mut from_seq = String::new();
    let mut inits = String::new();
    let mut index = 0usize;
    for (i, f) in fields.iter().enumerate() {
        let ident = &f.ident;
        let default = match &f.missing {
            Missing::Path(path) => Some(format!("{}()", rust(path))),
            Missing::Default => Some("::std::default::Default::default()".to_owned()),
            Missing::Serde => None,
        };
        if matches!(f.kind, Kind::Skip) {
            let value = default
                .as_deref()
                .unwrap_or("::std::default::Default::default()");
            emit!(inits, "            {ident}: {value},");
            continue;
        }
        let ty = rust(&f.ty);
        let wire = lit(&f.wire);
        emit!(
            slots,
            "        let mut f{i}: ::std::option::Option<{ty}> = ::std::option::Option::None;"
        );
        emit!(
            arms,
            "                ::std::option::Option::Some({index}usize) => {{\n                    \
             crate::decode::strict(&mut map, &mut f{i}, {wire})\n                \
             }}"
        );
        let missing = match &default {
            Some(value) => value.clone(),
            None => format!("crate::decode::missing::<_, __A::Error>({wire})?"),
        };
        emit!(
            from_map,
            "        let f{i} = match f{i} {{\n            \
             ::std::option::Option::Some(v) => v,\n            \
             ::std::option::Option::None => {missing},\n        \
             }};"
        );
        // An arm's end: a comma after an expression, none after a block.
        let short = match &default {
            Some(value) => format!("{value},"),
            None => format!(
                "{{\n                \
                 return ::std::result::Result::Err(crate::decode::too_short({index}usize, Self::ELEMENTS));\n            \
                 }}"
            ),
        };
        emit!(
            from_seq,
            "        let f{i}: {ty} = match ::serde::de::SeqAccess::next_element(&mut seq)? {{\n            \
             ::std::option::Option::Some(v) => v,\n            \
             ::std::option::Option::None => {short}\n        \
             }};"
        );
        emit!(inits, "            {ident}: f{i},");
        index += 1;
    }
    Some(
        format!(
            "\
impl crate::decode::Closed for {name} {{
    const NAME: &'static str = {label};
    const FIELDS: &'static [&'static str] = &[{wire_names}];
    const ELEMENTS: &'static str = {elements};
    fn visit_map<'__de, __A>(mut map: __A) -> ::std::result::Result<Self, __A::Error>
    where
        __A: ::serde::de::MapAccess<'__de>,
    {{
{slots}        while let ::std::option::Option::Some(key) =
            ::serde::de::MapAccess::next_key::<crate::decode::FieldKey<'__de>>(&mut map)?
        {{
            match key.index(Self::FIELDS) {{
{arms}                _ => crate::decode::ignore(&mut map),
            }}?;
        }}
{from_map}        ::std::result::Result::Ok(Self {{
{inits}        }})
    }}
    fn visit_seq<'__de, __A>(mut seq: __A) -> ::std::result::Result<Self, __A::Error>
    where
        __A: ::serde::de::SeqAccess<'__de>,
    {{
{from_seq}        ::std::result::Result::Ok(Self {{
{inits}        }})
    }}
}}
"
        ) + &deserialize_impl(name, "closed"),
    )
}

/// The written-out `Serialize` of a `#[serde(transparent)]` newtype (a
/// constrained string): the derive's, its one field's `Serialize`.
fn newtype_serialize(st: &syn::ItemStruct) -> Option<String> {
    let syn::Fields::Unnamed(unnamed) = &st.fields else {
        return None;
    };
    let serde_attrs: Vec<&syn::Attribute> = st
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("serde"))
        .collect();
    let transparent = matches!(serde_attrs.as_slice(), [a] if a
        .parse_args::<syn::Ident>()
        .is_ok_and(|i| i == "transparent"));
    if !transparent
        || !st.generics.params.is_empty()
        || unnamed.unnamed.len() != 1
        || unnamed.unnamed.iter().any(|f| !f.attrs.is_empty())
        || st
            .attrs
            .iter()
            .any(|a| a.path().is_ident("cfg") || a.path().is_ident("cfg_attr"))
    {
        return None;
    }
    let name = &st.ident;
    Some(serialize_impl(
        name,
        "        ::serde::Serialize::serialize(&self.0, serializer)\n",
    ))
}

/// Replaces the derived `Serialize` and `Deserialize` of the closed structs
/// (the request bodies), and the derived `Serialize` of the transparent
/// newtypes (their `Deserialize` is typify's own), of the `types` module,
/// where the attributes are understood; the impls are appended to `out`,
/// text for that module. Returns how many were converted and how many kept
/// a derive.
pub fn closed_and_newtype_impls(file: &mut syn::File, out: &mut String) -> (usize, usize) {
    let Some(types_mod) = super::module_items_mut(file, "types") else {
        return (0, 0);
    };
    let (mut converted, mut kept) = (0, 0);
    for item in types_mod.iter_mut() {
        let syn::Item::Struct(st) = item else {
            continue;
        };
        if super::is_open(st)
            || !(derives(&st.attrs, "Serialize") || derives(&st.attrs, "Deserialize"))
        {
            continue;
        }
        let (serialize, deserialize) = match &st.fields {
            syn::Fields::Named(_) => (
                closed_serialize(st),
                closed_deserialize(st).filter(|_| derives(&st.attrs, "Deserialize")),
            ),
            _ => (newtype_serialize(st), None),
        };
        let mut written = false;
        if let Some(imp) = serialize {
            if super::drop_derived(&mut st.attrs, "Serialize") {
                out.push_str(&imp);
                written = true;
            }
        }
        if let Some(imps) = deserialize {
            if super::drop_derived(&mut st.attrs, "Deserialize") {
                out.push_str(&imps);
                written = true;
            }
        }
        if !written {
            kept += 1;
            continue;
        }
        converted += 1;
        if !derives(&st.attrs, "Serialize") && !derives(&st.attrs, "Deserialize") {
            st.attrs.retain(|a| !a.path().is_ident("serde"));
            strip_serde_attrs(st);
        }
    }
    (converted, kept)
}

/// The written-out impls of a string enum (unit variants only, each at
/// most renamed, `Copy`): `Serialize` and `decode::UnitEnum` with
/// `Deserialize`, or `None` (it keeps the derives).
fn unit_enum(en: &syn::ItemEnum) -> Option<(String, String)> {
    if !en.generics.params.is_empty()
        || !derives(&en.attrs, "Copy")
        || en.attrs.iter().any(|a| {
            a.path().is_ident("serde") || a.path().is_ident("cfg") || a.path().is_ident("cfg_attr")
        })
        || en.variants.is_empty()
    {
        return None;
    }
    let mut wires = Vec::new();
    for v in &en.variants {
        if !matches!(v.fields, syn::Fields::Unit) {
            return None;
        }
        let mut wire = v.ident.to_string().trim_start_matches("r#").to_owned();
        let read = super::serde_entries(&v.attrs);
        if read.other {
            return None;
        }
        for entry in read.entries {
            match (entry.key.as_str(), entry.value) {
                ("rename", Some(value)) => wire = value.value(),
                _ => return None,
            }
        }
        wires.push(wire);
    }
    if repeats(wires.iter().map(String::as_str)) {
        return None;
    }
    let name = &en.ident;
    let label = lit(&name.to_string());
    let mut arms = String::new();
    let mut all = Vec::new();
    for (i, (v, wire)) in en.variants.iter().zip(&wires).enumerate() {
        let index = u32::try_from(i).unwrap_or(u32::MAX);
        let ident = &v.ident;
        emit!(
            arms,
            "            Self::{ident} => ({index}u32, {}),",
            lit(wire)
        );
        all.push(format!("Self::{ident}"));
    }
    let all = all.join(", ");
    let wires = wires.iter().map(|w| lit(w)).collect::<Vec<_>>().join(", ");
    let serialize = serialize_impl(
        name,
        &format!(
            "        let (index, wire) = match *self {{
{arms}        }};
        ::serde::Serializer::serialize_unit_variant(serializer, {label}, index, wire)
"
        ),
    );
    let deserialize = format!(
        "\
impl crate::decode::UnitEnum for {name} {{
    const NAME: &'static str = {label};
    const VARIANTS: &'static [&'static str] = &[{wires}];
    const ALL: &'static [Self] = &[{all}];
}}
"
    ) + &deserialize_impl(name, "unit_enum");
    Some((serialize, deserialize))
}

/// Replaces the derived `Serialize` and `Deserialize` of the string enums of
/// the `types` module whose attributes are understood (see [`unit_enum`]);
/// the impls are appended to `out`, text for that module. Returns how many
/// were converted and how many kept a derive.
pub fn unit_enum_impls(file: &mut syn::File, out: &mut String) -> (usize, usize) {
    let Some(types_mod) = super::module_items_mut(file, "types") else {
        return (0, 0);
    };
    let (mut converted, mut kept) = (0, 0);
    for item in types_mod.iter_mut() {
        let syn::Item::Enum(en) = item else {
            continue;
        };
        if !(derives(&en.attrs, "Serialize") || derives(&en.attrs, "Deserialize")) {
            continue;
        }
        let Some((serialize, deserialize)) = unit_enum(en) else {
            kept += 1;
            continue;
        };
        if super::drop_derived(&mut en.attrs, "Serialize") {
            out.push_str(&serialize);
        }
        if super::drop_derived(&mut en.attrs, "Deserialize") {
            out.push_str(&deserialize);
        }
        if !derives(&en.attrs, "Serialize") && !derives(&en.attrs, "Deserialize") {
            for v in en.variants.iter_mut() {
                v.attrs.retain(|a| !a.path().is_ident("serde"));
            }
        }
        converted += 1;
    }
    (converted, kept)
}

/// Whether an item derives the trait named `name` (last path segment).
fn derives(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("derive"))
        .any(|a| {
            a.parse_args_with(
                syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
            )
            .is_ok_and(|paths| {
                paths
                    .iter()
                    .any(|p| p.segments.last().is_some_and(|s| s.ident == name))
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The printed file and the written-out text, without whitespace; the
    /// text parses as items.
    fn types(file: &syn::File, text: &str) -> String {
        if let Err(e) = syn::parse_file(text) {
            panic!("the written-out text does not parse: {e}\n{text}");
        }
        let mut code = prettyplease::unparse(file);
        code.push_str(text);
        code.split_whitespace().collect()
    }

    #[test]
    fn an_open_struct_gets_a_written_out_impl() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone)]
                pub struct Open {
                    #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                    #[serde(deserialize_with = "crate::lenient::field::<0, _, _>")]
                    #[serde(default)]
                    pub acl: ::std::option::Option<bool>,
                    #[serde(rename = "docURL", default)]
                    pub doc_url: ::std::option::Option<::std::string::String>,
                    #[serde(default = "defaults::count")]
                    pub count: i64,
                    pub r#type: ::std::string::String,
                    #[serde(skip)]
                    pub call: ::std::option::Option<::std::string::String>,
                    #[serde(skip, default = "defaults::since")]
                    pub since: i64,
                    #[serde(flatten)]
                    #[serde(deserialize_with = "crate::lenient::extra")]
                    pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                }
            }
        };
        let mut text = String::new();
        assert_eq!(open_struct_impls(&mut file, &mut text), (1, 0));
        let code = types(&file, &text);
        assert!(code.contains("#[derive(Clone)]"), "{code}");
        assert!(code.contains("implcrate::decode::OpenforOpen"), "{code}");
        assert!(code.contains(r#"constNAME:&'staticstr="Open";"#), "{code}");
        for arm in [
            r#""acl"=>crate::decode::lenient(&mutmap,&mutf0,"acl"),"#,
            r#""docURL"=>crate::decode::strict(&mutmap,&mutf1,"docURL"),"#,
            r#""count"=>crate::decode::strict(&mutmap,&mutf2,"count"),"#,
            r#""type"=>crate::decode::strict(&mutmap,&mutf3,"type"),"#,
            "_=>crate::decode::other(&mutmap,&mutf6,key),}?;",
            "acl:f0.unwrap_or_default()",
            "doc_url:f1.unwrap_or_default()",
            "count:f2.unwrap_or_else(defaults::count)",
            r#"r#type:matchf3{"#,
            r#"crate::decode::missing::<_,__A::Error>("type")?"#,
            "call:::std::default::Default::default()",
            "since:defaults::since(),",
            "extra:crate::decode::extra(f6)",
        ] {
            assert!(code.contains(arm), "{arm} missing from {code}");
        }
        // The skipped field has no arm; the catch-all is last.
        assert!(!code.contains(r#""call"=>"#), "{code}");
        assert!(!code.contains(r#""since"=>"#), "{code}");
        let match_body = &code[code.find("matchkey.as_str()").unwrap()..];
        assert!(
            match_body.find("_=>").unwrap() > match_body.find(r#""type"=>"#).unwrap(),
            "{code}"
        );
        // Serialize: one entry per field written, in order, `extra` last;
        // `skip_serializing_if` is a condition, the skipped fields are absent.
        let serialize = &code[code.find("impl::serde::SerializeforOpen").unwrap()..];
        let body: String = [
            "letmutentries=crate::encode::Entries::new(serializer);",
            r#"if!::std::option::Option::is_none(&self.acl){entries.entry("acl",&self.acl);}"#,
            r#"entries.entry("docURL",&self.doc_url);"#,
            r#"entries.entry("count",&self.count);"#,
            r#"entries.entry("type",&self.r#type);"#,
            "entries.end(&self.extra)",
        ]
        .concat();
        assert!(serialize.contains(&body), "{body} missing from {serialize}");
        // No serde derive is left, so no serde attribute either.
        assert!(!code.contains("#[serde"), "{code}");
        assert!(!code.contains("derive(::serde"), "{code}");
    }

    #[test]
    fn a_struct_without_a_derived_serialize_gets_none() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, Clone)]
                pub struct Open {
                    #[serde(rename = "docURL")]
                    pub doc_url: ::std::option::Option<::std::string::String>,
                    #[serde(flatten, deserialize_with = "crate::lenient::extra")]
                    pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                }
            }
        };
        let mut text = String::new();
        assert_eq!(open_struct_impls(&mut file, &mut text), (1, 0));
        let code = types(&file, &text);
        assert!(code.contains("implcrate::decode::OpenforOpen"), "{code}");
        assert!(!code.contains("Serialize"), "{code}");
        assert!(!code.contains("#[serde"), "{code}");
    }

    #[test]
    fn a_struct_with_an_attribute_not_understood_keeps_the_derive() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize)]
                pub struct Aliased {
                    #[serde(alias = "old")]
                    pub new: ::std::option::Option<bool>,
                    #[serde(flatten)]
                    pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                }
                #[derive(::serde::Deserialize)]
                #[serde(rename_all = "camelCase")]
                pub struct Renamed {
                    #[serde(flatten)]
                    pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                }
                #[derive(::serde::Deserialize)]
                pub struct LenientWithoutDefault {
                    #[serde(deserialize_with = "crate::lenient::field::<0, _, _>")]
                    pub acl: ::std::option::Option<bool>,
                    #[serde(flatten)]
                    pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                }
                #[derive(::serde::Deserialize)]
                pub struct OtherHelper {
                    #[serde(deserialize_with = "other::helper")]
                    pub acl: ::std::option::Option<bool>,
                    #[serde(flatten)]
                    pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                }
                #[derive(::serde::Deserialize)]
                pub struct SameWireNameTwice {
                    #[serde(rename = "a")]
                    pub x: ::std::option::Option<bool>,
                    #[serde(rename = "a")]
                    pub y: ::std::option::Option<bool>,
                    #[serde(flatten)]
                    pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                }
                #[derive(::serde::Deserialize)]
                pub struct SkippedButDecoded {
                    #[serde(skip)]
                    #[serde(deserialize_with = "crate::lenient::field::<0, _, _>")]
                    #[serde(default)]
                    pub acl: ::std::option::Option<bool>,
                    #[serde(flatten)]
                    pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                }
                #[derive(::serde::Deserialize)]
                pub struct Configured {
                    #[cfg_attr(feature = "x", serde(alias = "old"))]
                    pub acl: ::std::option::Option<bool>,
                    #[serde(flatten)]
                    pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct ExtraNotLast {
                    #[serde(flatten, deserialize_with = "crate::lenient::extra")]
                    pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                    pub acl: ::std::option::Option<bool>,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct ExtraSkippedIf {
                    pub acl: ::std::option::Option<bool>,
                    #[serde(flatten, deserialize_with = "crate::lenient::extra")]
                    #[serde(skip_serializing_if = "::serde_json::Map::is_empty")]
                    pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize)]
                pub struct SerializedWith {
                    #[serde(serialize_with = "other::helper")]
                    pub acl: ::std::option::Option<bool>,
                    #[serde(flatten, deserialize_with = "crate::lenient::extra")]
                    pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                }
                #[derive(::serde::Deserialize)]
                pub struct Closed {
                    pub acl: ::std::option::Option<bool>,
                }
            }
        };
        let before = types(&file, "");
        // The closed struct is not open: not counted.
        let mut text = String::new();
        assert_eq!(open_struct_impls(&mut file, &mut text), (0, 10));
        assert_eq!(types(&file, ""), before);
        assert_eq!(text, "");
    }

    #[test]
    fn a_request_body_and_a_newtype_get_written_out_impls() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone)]
                pub struct Body {
                    #[serde(rename = "schemaType", skip_serializing_if = "::std::option::Option::is_none")]
                    pub schema_type: ::std::option::Option<::std::string::String>,
                    #[serde(default = "defaults::count")]
                    pub count: i64,
                    #[serde(skip)]
                    pub local: i64,
                    #[serde(skip_serializing_if = "::std::vec::Vec::is_empty")]
                    pub tags: ::std::vec::Vec<::std::string::String>,
                }
                #[derive(::serde::Serialize, Clone, Debug)]
                #[serde(transparent)]
                pub struct Name(::std::string::String);
                #[derive(::serde::Serialize)]
                #[serde(rename_all = "camelCase")]
                pub struct Renamed {
                    pub a: i64,
                }
                #[derive(::serde::Serialize)]
                pub struct With {
                    #[serde(serialize_with = "other::helper")]
                    pub a: i64,
                }
                #[derive(::serde::Serialize)]
                #[serde(transparent)]
                pub struct Attributed(#[serde(serialize_with = "other::helper")] i64);
                #[derive(::serde::Serialize)]
                pub struct Pair(i64, i64);
            }
        };
        let mut text = String::new();
        assert_eq!(closed_and_newtype_impls(&mut file, &mut text), (2, 4));
        let code = types(&file, &text);
        let body = &code[code.find("impl::serde::SerializeforBody").unwrap()..];
        let expected: String = [
            r#"letlen=1usize+usize::from(!::std::option::Option::is_none(&self.schema_type))+usize::from(!::std::vec::Vec::is_empty(&self.tags));"#,
            r#"letmutfields=crate::encode::Fields::new(serializer,"Body",len);"#,
            r#"if!::std::option::Option::is_none(&self.schema_type){fields.field("schemaType",&self.schema_type);}else{fields.skip("schemaType");}"#,
            r#"fields.field("count",&self.count);"#,
            r#"if!::std::vec::Vec::is_empty(&self.tags){fields.field("tags",&self.tags);}else{fields.skip("tags");}"#,
            "fields.end()",
        ]
        .concat();
        assert!(body.contains(&expected), "{expected} missing from {body}");
        // Deserialize: by index or name in a map, in order in a sequence; the
        // skipped field is its default either way; no serde attribute is left.
        assert!(
            code.contains("#[derive(Clone)]pubstructBody{pubschema_type"),
            "{code}"
        );
        let closed = &code[code.find("implcrate::decode::ClosedforBody").unwrap()..];
        for piece in [
            r#"constNAME:&'staticstr="Body";"#,
            r#"constFIELDS:&'static[&'staticstr]=&["schemaType","count","tags"];"#,
            r#"constELEMENTS:&'staticstr="structBodywith3elements";"#,
            r#"::std::option::Option::Some(2usize)=>{crate::decode::strict(&mutmap,&mutf3,"tags")}_=>crate::decode::ignore(&mutmap),}?;"#,
            r#"letf0=matchf0{::std::option::Option::Some(v)=>v,::std::option::Option::None=>crate::decode::missing::<_,__A::Error>("schemaType")?,};"#,
            "letf1=matchf1{::std::option::Option::Some(v)=>v,::std::option::Option::None=>defaults::count(),};",
            "None=>{return::std::result::Result::Err(crate::decode::too_short(2usize,Self::ELEMENTS));}};",
            "local:::std::default::Default::default(),",
            "crate::decode::closed(deserializer)",
        ] {
            assert!(closed.contains(piece), "{piece} missing from {closed}");
        }
        // The newtype: its field's `Serialize`; no serde attribute is left.
        assert!(
            code.contains("#[derive(Clone,Debug)]pubstructName(::std::string::String);"),
            "{code}"
        );
        assert!(
            code.contains("impl::serde::SerializeforName{fnserialize<__S>(&self,serializer:__S)->::std::result::Result<__S::Ok,__S::Error>where__S:::serde::Serializer,{::serde::Serialize::serialize(&self.0,serializer)}}"),
            "{code}"
        );
        // What is not understood keeps the derive.
        for kept in ["Renamed", "With", "Attributed", "Pair"] {
            assert!(
                !code.contains(&format!("impl::serde::Serializefor{kept}")),
                "{kept}: {code}"
            );
        }
    }

    #[test]
    fn a_string_enum_gets_written_out_impls() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug)]
                pub enum Kind {
                    #[serde(rename = "AVRO")]
                    Avro,
                    Json,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
                pub enum NotCopy {
                    A,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy)]
                pub enum Aliased {
                    #[serde(alias = "b")]
                    A,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy)]
                #[serde(rename_all = "lowercase")]
                pub enum Renamed {
                    A,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy)]
                pub enum Twice {
                    #[serde(rename = "a")]
                    A,
                    #[serde(rename = "a")]
                    B,
                }
            }
        };
        let mut text = String::new();
        assert_eq!(unit_enum_impls(&mut file, &mut text), (1, 4));
        let code = types(&file, &text);
        assert!(
            code.contains("#[derive(Clone,Copy,Debug)]pubenumKind{Avro,Json,}"),
            "{code}"
        );
        for piece in [
            r#"let(index,wire)=match*self{Self::Avro=>(0u32,"AVRO"),Self::Json=>(1u32,"Json"),};"#,
            r#"::serde::Serializer::serialize_unit_variant(serializer,"Kind",index,wire)"#,
            r#"constVARIANTS:&'static[&'staticstr]=&["AVRO","Json"];"#,
            "constALL:&'static[Self]=&[Self::Avro,Self::Json];",
            "crate::decode::unit_enum(deserializer)",
        ] {
            assert!(code.contains(piece), "{piece} missing from {code}");
        }
        for kept in ["NotCopy", "Aliased", "Renamed", "Twice"] {
            assert!(!code.contains(&format!("for{kept}")), "{kept}: {code}");
        }
    }
}
