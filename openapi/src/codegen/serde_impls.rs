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
//! modules.
//!
//! Only structs whose serde attributes are all understood here are
//! converted (field `rename`, `default`, `default = "path"`, `skip`,
//! `skip_serializing_if`, the lenient marks of [`super::lenient_fields`], the
//! flattened `extra`; `transparent` on a newtype; `rename` on a unit
//! variant of a `Copy` enum); any other type keeps the derive, so a new attribute from a later typify costs compile time, never
//! behaviour. A struct left with no serde derive loses its serde attributes.

use quote::{format_ident, quote};

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
    // A `cfg` or `cfg_attr` could hide a serde attribute from this reading.
    if f.attrs
        .iter()
        .any(|a| a.path().is_ident("cfg") || a.path().is_ident("cfg_attr"))
    {
        return None;
    }
    for attr in f.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let mut understood = true;
        let parsed = attr.parse_nested_meta(|meta| {
            let key = meta.path.get_ident().map(|i| i.to_string());
            match key.as_deref() {
                Some("skip_serializing_if") => {
                    let value: syn::LitStr = meta.value()?.parse()?;
                    skip_if = Some(value.parse()?);
                }
                Some("rename") => {
                    let value: syn::LitStr = meta.value()?.parse()?;
                    wire = value.value();
                }
                Some("default") => {
                    if meta.input.peek(syn::Token![=]) {
                        let value: syn::LitStr = meta.value()?.parse()?;
                        missing = Missing::Path(value.parse()?);
                    } else {
                        missing = Missing::Default;
                    }
                }
                Some("flatten") => flatten = true,
                Some("skip") => skip = true,
                Some("deserialize_with") => {
                    let value: syn::LitStr = meta.value()?.parse()?;
                    let path = value.value();
                    if path == "crate::lenient::extra" {
                        kind = Kind::Extra;
                    } else if path.starts_with("crate::lenient::field::<") {
                        kind = Kind::Lenient;
                    } else {
                        understood = false;
                    }
                }
                _ => {
                    understood = false;
                    if meta.input.peek(syn::Token![=]) {
                        let _: syn::Expr = meta.value()?.parse()?;
                    }
                }
            }
            Ok(())
        });
        if parsed.is_err() || !understood {
            return None;
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

/// The written-out impls of one open struct.
struct Impls {
    /// `decode::Open` and `Deserialize`.
    decode: [syn::Item; 2],
    /// `Serialize`.
    encode: syn::Item,
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
    let expecting = format!("struct {name}");
    let mut slots = Vec::new();
    let mut arms = Vec::new();
    let mut inits = Vec::new();
    let mut entries = Vec::new();
    let mut extra = None;
    for (i, f) in fields.iter().enumerate() {
        let ident = &f.ident;
        let ty = &f.ty;
        let local = format_ident!("f{i}");
        let wire = &f.wire;
        match f.kind {
            Kind::Extra => {
                extra = Some(ident);
                slots.push(quote!(let mut #local: #ty = ::std::default::Default::default();));
                arms.push(quote!(_ => crate::decode::other(&mut map, &mut #local, key),));
                inits.push(quote!(#ident: crate::decode::extra(#local),));
                continue;
            }
            Kind::Skip => {
                inits.push(match &f.missing {
                    Missing::Path(path) => quote!(#ident: #path(),),
                    _ => quote!(#ident: ::std::default::Default::default(),),
                });
                continue;
            }
            Kind::Strict => {
                arms.push(quote!(#wire => crate::decode::strict(&mut map, &mut #local, #wire),));
            }
            Kind::Lenient => {
                arms.push(quote!(#wire => crate::decode::lenient(&mut map, &mut #local, #wire),));
            }
        }
        let entry = quote!(entries.entry(#wire, &self.#ident););
        entries.push(match &f.skip_if {
            Some(path) => quote!(if !#path(&self.#ident) { #entry }),
            None => entry,
        });
        slots.push(
            quote!(let mut #local: ::std::option::Option<#ty> = ::std::option::Option::None;),
        );
        inits.push(match &f.missing {
            Missing::Serde => quote!(#ident: match #local {
                ::std::option::Option::Some(v) => v,
                ::std::option::Option::None => crate::decode::missing::<_, __A::Error>(#wire)?,
            },),
            Missing::Default => quote!(#ident: #local.unwrap_or_default(),),
            Missing::Path(path) => quote!(#ident: #local.unwrap_or_else(#path),),
        });
    }
    // The extra arm is the catch-all: last.
    arms.sort_by_key(|arm| arm.to_string().starts_with('_'));

    let extra = extra?;
    let decode = [
        syn::parse_quote! {
            impl crate::decode::Open for #name {
                const EXPECTING: &'static str = #expecting;
                fn visit_map<'__de, __A>(mut map: __A) -> ::std::result::Result<Self, __A::Error>
                where
                    __A: ::serde::de::MapAccess<'__de>,
                {
                    #(#slots)*
                    while let ::std::option::Option::Some(key) =
                        ::serde::de::MapAccess::next_key::<crate::decode::Key<'__de>>(&mut map)?
                    {
                        // One `?` for the whole match: a `?` per arm is a
                        // trait resolution per field for the compiler.
                        match key.as_str() {
                            #(#arms)*
                        }?;
                    }
                    ::std::result::Result::Ok(Self { #(#inits)* })
                }
            }
        },
        syn::parse_quote! {
            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
                where
                    D: ::serde::Deserializer<'de>,
                {
                    crate::decode::open(deserializer)
                }
            }
        },
    ];
    let encode = syn::parse_quote! {
        impl ::serde::Serialize for #name {
            fn serialize<__S>(&self, serializer: __S) -> ::std::result::Result<__S::Ok, __S::Error>
            where
                __S: ::serde::Serializer,
            {
                let mut entries = crate::encode::Entries::new(serializer);
                #(#entries)*
                entries.end(&self.#extra)
            }
        }
    };
    Some(Impls { decode, encode })
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
/// documentation). A struct that derives `Deserialize` but not `Serialize`
/// gets no `Serialize`.
/// Returns how many were converted and how many kept the derive.
pub fn open_struct_impls(file: &mut syn::File) -> (usize, usize) {
    let Some(types_mod) = super::module_items_mut(file, "types") else {
        return (0, 0);
    };
    let mut added = Vec::new();
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
                added.extend(impls.decode);
                if super::drop_derived(&mut st.attrs, "Serialize") {
                    added.push(impls.encode);
                }
                strip_serde_attrs(st);
                converted += 1;
            }
            _ => kept += 1,
        }
    }
    types_mod.extend(added);
    (converted, kept)
}

/// The written-out `Serialize` of a closed struct (a request body: no
/// flattened field), or `None` (it keeps the derive).
fn closed_serialize(st: &syn::ItemStruct) -> Option<syn::Item> {
    let fields = closed_fields(st)?;
    let name = &st.ident;
    let label = name.to_string();
    let mut always = 0usize;
    let mut sometimes = Vec::new();
    let mut writes = Vec::new();
    for f in fields.iter().filter(|f| matches!(f.kind, Kind::Strict)) {
        let ident = &f.ident;
        let wire = &f.wire;
        let write = quote!(fields.field(#wire, &self.#ident););
        match &f.skip_if {
            Some(path) => {
                sometimes.push(quote!(+ usize::from(!#path(&self.#ident))));
                writes
                    .push(quote!(if !#path(&self.#ident) { #write } else { fields.skip(#wire); }));
            }
            None => {
                always += 1;
                writes.push(write);
            }
        }
    }
    Some(syn::parse_quote! {
        impl ::serde::Serialize for #name {
            fn serialize<__S>(&self, serializer: __S) -> ::std::result::Result<__S::Ok, __S::Error>
            where
                __S: ::serde::Serializer,
            {
                let len = #always #(#sometimes)*;
                let mut fields = crate::encode::Fields::new(serializer, #label, len);
                #(#writes)*
                fields.end()
            }
        }
    })
}

/// The written-out `Deserialize` of a closed struct (`decode::Closed` and
/// `Deserialize`), or `None` (it keeps the derive).
fn closed_deserialize(st: &syn::ItemStruct) -> Option<[syn::Item; 2]> {
    let fields = closed_fields(st)?;
    let decoded: Vec<&Field> = fields
        .iter()
        .filter(|f| matches!(f.kind, Kind::Strict))
        .collect();
    if repeats(decoded.iter().map(|f| f.wire.as_str())) {
        return None;
    }
    let name = &st.ident;
    let label = name.to_string();
    let elements = format!(
        "struct {name} with {} element{}",
        decoded.len(),
        if decoded.len() == 1 { "" } else { "s" }
    );
    let wire_names = decoded.iter().map(|f| &f.wire);
    let mut slots = Vec::new();
    let mut arms = Vec::new();
    let mut from_map = Vec::new();
    let mut from_seq = Vec::new();
    let mut inits = Vec::new();
    let mut index = 0usize;
    for (i, f) in fields.iter().enumerate() {
        let ident = &f.ident;
        let ty = &f.ty;
        let local = format_ident!("f{i}");
        let default = match &f.missing {
            Missing::Path(path) => Some(quote!(#path())),
            Missing::Default => Some(quote!(::std::default::Default::default())),
            Missing::Serde => None,
        };
        if matches!(f.kind, Kind::Skip) {
            let value = default.unwrap_or(quote!(::std::default::Default::default()));
            inits.push(quote!(#ident: #value,));
            continue;
        }
        let wire = &f.wire;
        slots.push(
            quote!(let mut #local: ::std::option::Option<#ty> = ::std::option::Option::None;),
        );
        arms.push(quote!(
            ::std::option::Option::Some(#index) => crate::decode::strict(&mut map, &mut #local, #wire),
        ));
        from_map.push(match &default {
            Some(value) => quote!(let #local = match #local {
                ::std::option::Option::Some(v) => v,
                ::std::option::Option::None => #value,
            };),
            None => quote!(let #local = match #local {
                ::std::option::Option::Some(v) => v,
                ::std::option::Option::None => crate::decode::missing::<_, __A::Error>(#wire)?,
            };),
        });
        let short = match &default {
            Some(value) => quote!(#value),
            None => quote!(return ::std::result::Result::Err(
                crate::decode::too_short(#index, Self::ELEMENTS)
            )),
        };
        from_seq.push(quote!(
            let #local: #ty = match ::serde::de::SeqAccess::next_element(&mut seq)? {
                ::std::option::Option::Some(v) => v,
                ::std::option::Option::None => #short,
            };
        ));
        inits.push(quote!(#ident: #local,));
        index += 1;
    }
    Some([
        syn::parse_quote! {
            impl crate::decode::Closed for #name {
                const NAME: &'static str = #label;
                const FIELDS: &'static [&'static str] = &[#(#wire_names),*];
                const ELEMENTS: &'static str = #elements;
                fn visit_map<'__de, __A>(mut map: __A) -> ::std::result::Result<Self, __A::Error>
                where
                    __A: ::serde::de::MapAccess<'__de>,
                {
                    #(#slots)*
                    while let ::std::option::Option::Some(key) =
                        ::serde::de::MapAccess::next_key::<crate::decode::FieldKey<'__de>>(&mut map)?
                    {
                        match key.index(Self::FIELDS) {
                            #(#arms)*
                            _ => crate::decode::ignore(&mut map),
                        }?;
                    }
                    #(#from_map)*
                    ::std::result::Result::Ok(Self { #(#inits)* })
                }
                fn visit_seq<'__de, __A>(mut seq: __A) -> ::std::result::Result<Self, __A::Error>
                where
                    __A: ::serde::de::SeqAccess<'__de>,
                {
                    #(#from_seq)*
                    ::std::result::Result::Ok(Self { #(#inits)* })
                }
            }
        },
        syn::parse_quote! {
            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
                where
                    D: ::serde::Deserializer<'de>,
                {
                    crate::decode::closed(deserializer)
                }
            }
        },
    ])
}

/// The written-out `Serialize` of a `#[serde(transparent)]` newtype (a
/// constrained string): the derive's, its one field's `Serialize`.
fn newtype_serialize(st: &syn::ItemStruct) -> Option<syn::Item> {
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
    Some(syn::parse_quote! {
        impl ::serde::Serialize for #name {
            fn serialize<__S>(&self, serializer: __S) -> ::std::result::Result<__S::Ok, __S::Error>
            where
                __S: ::serde::Serializer,
            {
                ::serde::Serialize::serialize(&self.0, serializer)
            }
        }
    })
}

/// Replaces the derived `Serialize` and `Deserialize` of the closed structs
/// (the request bodies), and the derived `Serialize` of the transparent
/// newtypes (their `Deserialize` is typify's own), of the `types` module,
/// where the attributes are understood. Returns how many were converted and
/// how many kept a derive.
pub fn closed_and_newtype_impls(file: &mut syn::File) -> (usize, usize) {
    let Some(types_mod) = super::module_items_mut(file, "types") else {
        return (0, 0);
    };
    let mut added = Vec::new();
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
                added.push(imp);
                written = true;
            }
        }
        if let Some(imps) = deserialize {
            if super::drop_derived(&mut st.attrs, "Deserialize") {
                added.extend(imps);
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
    types_mod.extend(added);
    (converted, kept)
}

/// The written-out impls of a string enum (unit variants only, each at
/// most renamed, `Copy`): `Serialize` and `decode::UnitEnum` with
/// `Deserialize`, or `None` (it keeps the derives).
fn unit_enum(en: &syn::ItemEnum) -> Option<(syn::Item, [syn::Item; 2])> {
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
        for attr in &v.attrs {
            if attr.path().is_ident("cfg") || attr.path().is_ident("cfg_attr") {
                return None;
            }
            if !attr.path().is_ident("serde") {
                continue;
            }
            let mut understood = true;
            let parsed = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    let value: syn::LitStr = meta.value()?.parse()?;
                    wire = value.value();
                } else {
                    understood = false;
                    if meta.input.peek(syn::Token![=]) {
                        let _: syn::Expr = meta.value()?.parse()?;
                    }
                }
                Ok(())
            });
            if parsed.is_err() || !understood {
                return None;
            }
        }
        wires.push(wire);
    }
    if repeats(wires.iter().map(String::as_str)) {
        return None;
    }
    let name = &en.ident;
    let label = name.to_string();
    let idents: Vec<&syn::Ident> = en.variants.iter().map(|v| &v.ident).collect();
    let indices = (0..idents.len()).map(|i| u32::try_from(i).unwrap_or(u32::MAX));
    let serialize = syn::parse_quote! {
        impl ::serde::Serialize for #name {
            fn serialize<__S>(&self, serializer: __S) -> ::std::result::Result<__S::Ok, __S::Error>
            where
                __S: ::serde::Serializer,
            {
                let (index, wire) = match *self {
                    #(Self::#idents => (#indices, #wires),)*
                };
                ::serde::Serializer::serialize_unit_variant(serializer, #label, index, wire)
            }
        }
    };
    let deserialize = [
        syn::parse_quote! {
            impl crate::decode::UnitEnum for #name {
                const NAME: &'static str = #label;
                const VARIANTS: &'static [&'static str] = &[#(#wires),*];
                const ALL: &'static [Self] = &[#(Self::#idents),*];
            }
        },
        syn::parse_quote! {
            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
                where
                    D: ::serde::Deserializer<'de>,
                {
                    crate::decode::unit_enum(deserializer)
                }
            }
        },
    ];
    Some((serialize, deserialize))
}

/// Replaces the derived `Serialize` and `Deserialize` of the string enums of
/// the `types` module whose attributes are understood (see [`unit_enum`]).
/// Returns how many were converted and how many kept a derive.
pub fn unit_enum_impls(file: &mut syn::File) -> (usize, usize) {
    let Some(types_mod) = super::module_items_mut(file, "types") else {
        return (0, 0);
    };
    let mut added = Vec::new();
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
            added.push(serialize);
        }
        if super::drop_derived(&mut en.attrs, "Deserialize") {
            added.extend(deserialize);
        }
        if !derives(&en.attrs, "Serialize") && !derives(&en.attrs, "Deserialize") {
            for v in en.variants.iter_mut() {
                v.attrs.retain(|a| !a.path().is_ident("serde"));
            }
        }
        converted += 1;
    }
    types_mod.extend(added);
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

    fn types(file: &syn::File) -> String {
        prettyplease::unparse(file).split_whitespace().collect()
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
        assert_eq!(open_struct_impls(&mut file), (1, 0));
        let code = types(&file);
        assert!(code.contains("#[derive(Clone)]"), "{code}");
        assert!(code.contains("implcrate::decode::OpenforOpen"), "{code}");
        assert!(
            code.contains(r#"constEXPECTING:&'staticstr="structOpen";"#),
            "{code}"
        );
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
        assert_eq!(open_struct_impls(&mut file), (1, 0));
        let code = types(&file);
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
        let before = types(&file);
        // The closed struct is not open: not counted.
        assert_eq!(open_struct_impls(&mut file), (0, 10));
        assert_eq!(types(&file), before);
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
        assert_eq!(closed_and_newtype_impls(&mut file), (2, 4));
        let code = types(&file);
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
            r#"letf0=matchf0{::std::option::Option::Some(v)=>v,::std::option::Option::None=>{crate::decode::missing::<_,__A::Error>("schemaType")?}};"#,
            "letf1=matchf1{::std::option::Option::Some(v)=>v,::std::option::Option::None=>defaults::count(),};",
            "None=>{return::std::result::Result::Err(crate::decode::too_short(2usize,Self::ELEMENTS),);}",
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
            code.contains("impl::serde::SerializeforName{fnserialize<__S>(&self,serializer:__S,)->::std::result::Result<__S::Ok,__S::Error>where__S:::serde::Serializer,{::serde::Serialize::serialize(&self.0,serializer)}}"),
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
        assert_eq!(unit_enum_impls(&mut file), (1, 4));
        let code = types(&file);
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
