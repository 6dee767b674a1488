//! Written-out `Deserialize` impls for the open-world structs (the
//! responses: a flattened `extra` map, lenient fields).
//!
//! serde's derive is the largest single cost of compiling the generated
//! client: for a struct with a flattened field it writes a field enum whose
//! visitor accepts every primitive type (unknown keys are buffered as
//! `Content`), and for every `deserialize_with` field a wrapper type with its
//! own impl. Measured with `-Z self-profile` on the full client, those
//! derives were about a third of the crate's compile time. The impl written
//! here decodes the same input to the same value with the same errors, but
//! is one `match` on the key with one line per field; the generic work lives
//! once in aiven-api's `decode` module.
//!
//! Only structs whose serde attributes are all understood here are
//! converted (field `rename`, `default`, `default = "path"`, `skip`,
//! `skip_serializing_if`, the lenient marks of [`super::lenient_fields`], the
//! flattened `extra`); any other struct keeps the derive, so a new attribute
//! from a later typify costs compile time, never behaviour.

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
}

/// Reads a field's serde attributes; `None` if one is not understood here.
fn field(f: &syn::Field) -> Option<Field> {
    let ident = f.ident.clone()?;
    let mut wire = ident.to_string().trim_start_matches("r#").to_owned();
    let mut kind = Kind::Strict;
    let mut skip = false;
    let mut flatten = false;
    let mut missing = Missing::Serde;
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
                    let _: syn::LitStr = meta.value()?.parse()?;
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
    })
}

/// The impls for one open struct, or `None` (it keeps the derive).
fn impls(st: &syn::ItemStruct) -> Option<Vec<syn::Item>> {
    if !st.generics.params.is_empty() || st.attrs.iter().any(|a| a.path().is_ident("serde")) {
        return None;
    }
    let syn::Fields::Named(named) = &st.fields else {
        return None;
    };
    let fields: Vec<Field> = named.named.iter().map(field).collect::<Option<_>>()?;
    let extras = fields
        .iter()
        .filter(|f| matches!(f.kind, Kind::Extra))
        .count();
    if extras != 1 {
        return None;
    }
    let mut wires: Vec<&str> = fields
        .iter()
        .filter(|f| matches!(f.kind, Kind::Strict | Kind::Lenient))
        .map(|f| f.wire.as_str())
        .collect();
    wires.sort_unstable();
    if wires.windows(2).any(|w| w[0] == w[1]) {
        return None;
    }

    let name = &st.ident;
    let expecting = format!("struct {name}");
    let mut slots = Vec::new();
    let mut arms = Vec::new();
    let mut inits = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        let ident = &f.ident;
        let ty = &f.ty;
        let local = format_ident!("f{i}");
        let wire = &f.wire;
        match f.kind {
            Kind::Extra => {
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

    Some(vec![
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
    ])
}

/// Removes the field attributes only the derived `Deserialize` read
/// (`#[serde(default)]`, `#[serde(deserialize_with = …)]`); `Serialize`
/// still reads the rest. An attribute that also names another key stays.
fn strip_decode_attrs(st: &mut syn::ItemStruct) {
    let decode_only = |a: &syn::Attribute| {
        let mut only = a.path().is_ident("serde");
        let parsed = a.parse_nested_meta(|meta| {
            only &= meta.path.is_ident("default") || meta.path.is_ident("deserialize_with");
            if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
        only && parsed.is_ok()
    };
    for f in st.fields.iter_mut() {
        f.attrs.retain(|a| !decode_only(a));
    }
}

/// Replaces the derived `Deserialize` of every open struct of the `types`
/// module whose attributes are understood (see the module documentation).
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
            Some(items) if super::drop_derived(&mut st.attrs, "Deserialize") => {
                added.extend(items);
                strip_decode_attrs(st);
                converted += 1;
            }
            _ => kept += 1,
        }
    }
    types_mod.extend(added);
    (converted, kept)
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
        assert!(
            code.contains("#[derive(::serde::Serialize,Clone)]"),
            "{code}"
        );
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
        // What only the derived `Deserialize` read is gone; `Serialize`'s stays.
        assert!(!code.contains("deserialize_with"), "{code}");
        assert!(!code.contains("#[serde(default)]"), "{code}");
        assert!(
            code.contains(r#"#[serde(rename="docURL",default)]"#),
            "{code}"
        );
        assert!(code.contains("#[serde(flatten)]"), "{code}");
        assert!(code.contains("#[serde(skip)]"), "{code}");
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
                #[derive(::serde::Deserialize)]
                pub struct Closed {
                    pub acl: ::std::option::Option<bool>,
                }
            }
        };
        let before = types(&file);
        // The closed struct is not open: not counted.
        assert_eq!(open_struct_impls(&mut file), (0, 7));
        assert_eq!(types(&file), before);
    }
}
