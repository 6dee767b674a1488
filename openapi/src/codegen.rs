//! Code generation with an explicitly configured progenitor `Generator`, and
//! the operation table that proves every operation became a client method.

use std::collections::BTreeMap;

use progenitor::{GenerationSettings, Generator, InterfaceStyle, TagStyle};
use quote::{quote, ToTokens};
use serde_json::Value;
use syn::visit::Visit;

use crate::{idents, rules, walk, Error, Prepared};

mod exchange;
mod serde_impls;
mod text;

/// The generated client's interface style.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interface {
    /// `client.service_get(project, service).await` — one method, arguments in order.
    Positional,
    /// `client.service_get().project(p).service_name(s).send().await`.
    Builder,
}

impl Interface {
    /// Parses `positional` / `builder`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "positional" => Some(Self::Positional),
            "builder" => Some(Self::Builder),
            _ => None,
        }
    }
}

/// The generated source and its operation table.
pub struct Generated {
    /// Pretty-printed Rust source of the client and its types.
    pub code: String,
    /// Operation name handed to the hooks (progenitor passes the snake-case
    /// operationId) → name of the `Client` method that sends it.
    pub methods: BTreeMap<String, String>,
    /// What the redacting `Debug` impls hide (see [`redacting_debug`]).
    pub redaction: Redaction,
}

fn settings(doc: &Value, interface: Interface) -> GenerationSettings {
    let mut s = GenerationSettings::default();
    s.with_interface(match interface {
        Interface::Positional => InterfaceStyle::Positional,
        Interface::Builder => InterfaceStyle::Builder,
    })
    // One `Client` with every operation; per-tag traits would add code
    // without adding reach (every method is on the client either way).
    .with_tag(TagStyle::Merged)
    // The state beside the generated client: the hook that traces every call
    // and lets aiven-ext install its retrying transport.
    .with_inner_type(quote!(crate::hooks::ClientState))
    .with_derive("PartialEq");
    // Components the sendable-null rule made become `Option<T>`, so the
    // optional property that uses one is `Option<Option<T>>`.
    if let Some(Value::Object(schemas)) = doc.pointer("/components/schemas") {
        for (name, schema) in schemas {
            if schema.get(rules::SEND_NULL_EXTENSION).is_some() {
                let ty = schema
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or("string");
                let rust = rules::scalar_rust_type(ty).unwrap_or("::serde_json::Value");
                s.with_replacement(
                    name,
                    format!("::std::option::Option<{rust}>"),
                    std::iter::empty(),
                );
            }
        }
    }
    s
}

/// Generates the client for a prepared description.
///
/// The `types` module (about half of the code) and the rest are parsed,
/// amended and printed on two threads: a syn tree cannot cross threads
/// (its tokens are reference-counted), so each thread runs progenitor
/// (0.5 s) and keeps its half of the tokens. The printed `types` module goes
/// in its place in the rest's text. progenitor's output depends on the
/// description alone (no global state; its maps serve lookups), and the two
/// runs' type names are compared to keep it so.
pub fn generate(prepared: &Prepared, interface: Interface) -> Result<Generated, Error> {
    let spec: openapiv3::OpenAPI = serde_json::from_value(prepared.doc.clone())
        .map_err(|e| Error::Codegen(format!("normalized description does not parse: {e}")))?;
    let (types, rest) = std::thread::scope(|scope| {
        // The stack of a build script's main thread (8 MiB), not a spawned
        // thread's default 2 MiB: typify and syn recurse, unoptimised.
        let spawned = std::thread::Builder::new()
            .name("aiven-openapi types".into())
            .stack_size(8 << 20)
            .spawn_scoped(scope, || types_half(prepared, &spec, interface));
        let rest = rest_half(prepared, &spec, interface);
        let types = match spawned {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            // No thread to be had: one after the other.
            Err(_) => types_half(prepared, &spec, interface),
        };
        (types, rest)
    });
    let (types, rest) = (types?, rest?);
    if types.type_names != rest.type_names {
        return Err(Error::Codegen(
            "progenitor generated different types in two runs over the same description; \
             generate can no longer take the types module from one run and the rest from \
             the other (aiven-openapi's codegen)"
                .into(),
        ));
    }
    error_call_checked(&types.error, &rest.error)?;
    let mut redaction = types.redaction;
    redaction.add(rest.redaction);
    Ok(Generated {
        code: text::insert(&rest.code, text::Mark::Types, &types.code)?,
        methods: rest.methods,
        redaction,
    })
}

/// progenitor's tokens for the description, cut by [`split_types`].
struct Halves {
    types: proc_macro2::TokenStream,
    rest: proc_macro2::TokenStream,
    /// The names of the `types` module's structs and enums, in order.
    type_names: Vec<String>,
}

fn generated_tokens(
    prepared: &Prepared,
    spec: &openapiv3::OpenAPI,
    interface: Interface,
) -> Result<Halves, Error> {
    let mut generator = Generator::new(&settings(&prepared.doc, interface));
    let tokens = generator
        .generate_tokens(spec)
        .map_err(|e| Error::Codegen(e.to_string()))?;
    let (types, rest) = split_types(tokens)?;
    Ok(Halves {
        type_names: type_names(&types),
        types,
        rest,
    })
}

/// The identifiers after `struct` and `enum` at the top of the `types`
/// module's body (its last token tree).
fn type_names(types_item: &proc_macro2::TokenStream) -> Vec<String> {
    use proc_macro2::TokenTree;
    let Some(TokenTree::Group(body)) = types_item.clone().into_iter().last() else {
        return Vec::new();
    };
    let mut names = Vec::new();
    let mut after_keyword = false;
    for tt in body.stream() {
        if let TokenTree::Ident(i) = &tt {
            if after_keyword {
                names.push(i.to_string());
            }
            after_keyword = i == "struct" || i == "enum";
        } else {
            after_keyword = false;
        }
    }
    names
}

/// Half of progenitor's tokens as a syn file, with the [`Amendments`].
fn parsed_and_amended(
    tokens: proc_macro2::TokenStream,
    prepared: &Prepared,
) -> Result<syn::File, Error> {
    let mut file: syn::File = syn::parse2(tokens).map_err(|e| Error::Codegen(e.to_string()))?;
    Amendments::from_doc(&prepared.doc).apply(&mut file);
    Ok(file)
}

/// The printed `types` module and what its passes found.
struct TypesHalf {
    code: String,
    redaction: Redaction,
    error: ErrorField,
    type_names: Vec<String>,
}

fn types_half(
    prepared: &Prepared,
    spec: &openapiv3::OpenAPI,
    interface: Interface,
) -> Result<TypesHalf, Error> {
    let Halves {
        types: mut tokens,
        type_names,
        ..
    } = generated_tokens(prepared, spec, interface)?;
    let response_only = response_only_types(&prepared.doc);
    if interface == Interface::Builder {
        tokens = unparsed_builders_pruned(tokens, &response_only);
    }
    let mut file = parsed_and_amended(tokens, prepared)?;
    if interface == Interface::Builder {
        prune_response_builders(&mut file, &response_only);
    }
    lenient_fields(&mut file);
    // After the lenient pass: `call` is not a field the server sends.
    let error = error_field(&mut file)?;
    // Before `serde_impls`, which removes the `rename`s this reads.
    let redaction = redacting_debug(&mut file);
    // After every pass that adds fields or serde attributes. The impls are
    // text for the `types` module (see `text`).
    let mut impls = String::new();
    serde_impls::open_struct_impls(&mut file, &mut impls);
    serde_impls::closed_and_newtype_impls(&mut file, &mut impls);
    serde_impls::unit_enum_impls(&mut file, &mut impls);
    if let Some(types_mod) = module_items_mut(&mut file, "types") {
        text::mark(types_mod, text::Mark::SerdeImpls);
    }
    let printed = prettyplease::unparse(&file);
    Ok(TypesHalf {
        code: text::insert(&printed, text::Mark::SerdeImpls, &impls)?,
        redaction,
        error,
        type_names,
    })
}

/// The printed rest (the client, its methods and their builders), with the
/// `types` module's mark, and what its passes found.
struct RestHalf {
    code: String,
    methods: BTreeMap<String, String>,
    redaction: Redaction,
    error: ErrorArms,
    type_names: Vec<String>,
}

fn rest_half(
    prepared: &Prepared,
    spec: &openapiv3::OpenAPI,
    interface: Interface,
) -> Result<RestHalf, Error> {
    let Halves {
        rest: tokens,
        type_names,
        ..
    } = generated_tokens(prepared, spec, interface)?;
    let mut file = parsed_and_amended(tokens, prepared)?;
    own_client_builder(&mut file)?;
    lenient_responses(&mut file)?;
    let error = error_arms(&mut file);
    let redaction = redacting_debug(&mut file);
    let methods = client_methods(&file);
    // After `client_methods`, which reads the `operation_id` this removes.
    exchange::shared_exchange(&mut file);
    Ok(RestHalf {
        code: own_path_encoding(&prettyplease::unparse(&file))?,
        methods,
        redaction,
        error,
        type_names,
    })
}

/// The `types` module's tokens without the items of its `builder` module
/// that [`prune_response_builders`] would remove (a struct or impl whose
/// subject is a response-only type): half of the builders, dropped before
/// syn parses them. An item is its attributes and tokens up to a brace
/// group or `;`; its subject is read by [`builder_subject`]. An item of
/// another shape stays; the syn pass after parsing still removes what it
/// should, and removes the types' `builder()` functions.
fn unparsed_builders_pruned(
    types_item: proc_macro2::TokenStream,
    response_only: &std::collections::BTreeSet<String>,
) -> proc_macro2::TokenStream {
    use proc_macro2::{Delimiter, Group, TokenTree};
    fn rebuilt(group: &Group, stream: proc_macro2::TokenStream) -> TokenTree {
        let mut g = Group::new(group.delimiter(), stream);
        g.set_span(group.span());
        TokenTree::Group(g)
    }
    fn is_ident(t: &TokenTree, name: &str) -> bool {
        matches!(t, TokenTree::Ident(i) if i == name)
    }
    fn is_brace(t: &TokenTree) -> bool {
        matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace)
    }
    // Within the builder module: item by item.
    let prune_items = |stream: proc_macro2::TokenStream| -> proc_macro2::TokenStream {
        let mut kept = Vec::new();
        let mut item: Vec<TokenTree> = Vec::new();
        for tt in stream {
            let ends = is_brace(&tt) || matches!(&tt, TokenTree::Punct(p) if p.as_char() == ';');
            item.push(tt);
            if !ends {
                continue;
            }
            if !builder_subject(&item).is_some_and(|s| response_only.contains(&s)) {
                kept.append(&mut item);
            }
            item.clear();
        }
        kept.extend(item);
        kept.into_iter().collect()
    };
    // `… mod types { … mod builder { … } … }`: the module is the last tree.
    let mut trees: Vec<TokenTree> = types_item.into_iter().collect();
    let Some(TokenTree::Group(types_group)) = trees.pop() else {
        return trees.into_iter().collect();
    };
    let mut inner: Vec<TokenTree> = types_group.stream().into_iter().collect();
    for at in 2..inner.len() {
        if is_ident(&inner[at - 2], "mod")
            && is_ident(&inner[at - 1], "builder")
            && is_brace(&inner[at])
        {
            if let TokenTree::Group(g) = &inner[at] {
                inner[at] = rebuilt(g, prune_items(g.stream()));
            }
        }
    }
    trees.push(rebuilt(&types_group, inner.into_iter().collect()));
    trees.into_iter().collect()
}

/// The type a builder-module item is about, for the shapes typify writes
/// and nothing looser: `pub struct X { … }`, `impl X { … }` and
/// `impl Trait<…> for X { … }` or `… for super::X { … }` (after attributes;
/// no generics on the impl, no `where`, the subject a plain path).
fn builder_subject(item: &[proc_macro2::TokenTree]) -> Option<String> {
    use proc_macro2::{Delimiter, TokenTree};
    let ident = |t: &TokenTree| match t {
        TokenTree::Ident(i) => Some(i.to_string()),
        _ => None,
    };
    let group =
        |t: &TokenTree, d: Delimiter| matches!(t, TokenTree::Group(g) if g.delimiter() == d);
    let (TokenTree::Group(body), head) = item.split_last()? else {
        return None;
    };
    if body.delimiter() != Delimiter::Brace {
        return None;
    }
    let mut at = 0;
    while matches!(head.get(at), Some(TokenTree::Punct(p)) if p.as_char() == '#')
        && head
            .get(at + 1)
            .is_some_and(|t| group(t, Delimiter::Bracket))
    {
        at += 2;
    }
    if head.get(at).and_then(ident).as_deref() == Some("pub") {
        at += 1;
        if head
            .get(at)
            .is_some_and(|t| group(t, Delimiter::Parenthesis))
        {
            at += 1;
        }
    }
    let keyword = ident(head.get(at)?)?;
    // Not `impl<…>`.
    if matches!(head.get(at + 1)?, TokenTree::Punct(p) if p.as_char() == '<') {
        return None;
    }
    let path = match keyword.as_str() {
        "struct" | "impl" if head.len() == at + 2 => &head[at + 1..],
        "impl" => {
            let after_for = head
                .iter()
                .position(|t| ident(t).as_deref() == Some("for"))?;
            &head[after_for + 1..]
        }
        _ => return None,
    };
    // `X` or `super::X`: identifiers joined by `::`.
    let plain = path.iter().enumerate().all(|(i, t)| match t {
        TokenTree::Ident(name) => i % 3 == 0 && name != "where",
        TokenTree::Punct(p) => p.as_char() == ':' && i % 3 != 0,
        _ => false,
    });
    if !plain {
        return None;
    }
    path.last().and_then(ident)
}

/// Splits progenitor's file into its `types` module (with the module's
/// attributes) and the rest, which gets the module's mark in its place.
/// Fails unless there is exactly one top-level `mod types { … }`.
fn split_types(
    tokens: proc_macro2::TokenStream,
) -> Result<(proc_macro2::TokenStream, proc_macro2::TokenStream), Error> {
    use proc_macro2::{Delimiter, TokenTree};
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let is_ident = |t: &TokenTree, name: &str| matches!(t, TokenTree::Ident(i) if i == name);
    let modules: Vec<usize> = trees
        .windows(3)
        .enumerate()
        .filter(|(_, w)| {
            is_ident(&w[0], "mod")
                && is_ident(&w[1], "types")
                && matches!(&w[2], TokenTree::Group(g) if g.delimiter() == Delimiter::Brace)
        })
        .map(|(at, _)| at)
        .collect();
    let [at] = modules.as_slice() else {
        return Err(Error::Codegen(format!(
            "progenitor's output has {} top-level `mod types {{ … }}`, not one; update \
             split_types in aiven-openapi's codegen",
            modules.len()
        )));
    };
    // Back over `pub` (or `pub(…)`) and the attributes (`#` `[…]`): no item
    // ends in either.
    let mut start = *at;
    if start >= 2
        && is_ident(&trees[start - 2], "pub")
        && matches!(&trees[start - 1], TokenTree::Group(g) if g.delimiter() == Delimiter::Parenthesis)
    {
        start -= 2;
    } else if start >= 1 && is_ident(&trees[start - 1], "pub") {
        start -= 1;
    }
    while start >= 2
        && matches!(&trees[start - 2], TokenTree::Punct(p) if p.as_char() == '#')
        && matches!(&trees[start - 1], TokenTree::Group(g) if g.delimiter() == Delimiter::Bracket)
    {
        start -= 2;
    }
    let mut before = trees;
    let after = before.split_off(at + 3);
    let types = before.split_off(start);
    let mut rest: proc_macro2::TokenStream = before.into_iter().collect();
    rest.extend(text::mark_tokens(text::Mark::Types));
    rest.extend(after);
    Ok((types.into_iter().collect(), rest))
}

/// How a field of a generated struct is printed by `Debug`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shown {
    Plain,
    /// A secret by name: only whether it is there.
    Secret,
    /// Free-form JSON (`user_config`, `connection_info`, the open-world
    /// `extra`) or a URI: printed with the values of secret-named keys and
    /// the passwords of URLs masked, at any depth.
    Masked,
}

/// What [`redacting_debug`] did, for review (`cargo xtask generate`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Redaction {
    /// Structs whose `Debug` is written out instead of derived.
    pub structs: usize,
    /// Secret fields by wire name → how many structs have one.
    pub secret: BTreeMap<String, usize>,
    /// URI fields by wire name → how many structs have one.
    pub uri: BTreeMap<String, usize>,
    /// Free-form JSON fields (masked inside) → how many structs have one.
    pub free_form: usize,
}

impl Redaction {
    /// Adds what another pass of [`redacting_debug`] did.
    fn add(&mut self, other: Redaction) {
        self.structs += other.structs;
        for (name, n) in other.secret {
            *self.secret.entry(name).or_default() += n;
        }
        for (name, n) in other.uri {
            *self.uri.entry(name).or_default() += n;
        }
        self.free_form += other.free_form;
    }
}

impl std::fmt::Display for Redaction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |m: &BTreeMap<String, usize>| {
            m.iter()
                .map(|(k, n)| format!("{k} ({n})"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        writeln!(f, "redacting Debug impls             {:>4}", self.structs)?;
        writeln!(
            f,
            "  secret fields ({} names): {}",
            self.secret.len(),
            list(&self.secret)
        )?;
        writeln!(
            f,
            "  URI fields ({} names): {}",
            self.uri.len(),
            list(&self.uri)
        )?;
        writeln!(
            f,
            "  free-form JSON fields, masked inside: {}",
            self.free_form
        )
    }
}

/// Generated types derive `Debug`, which printed `service_uri` with its
/// password, users' passwords and access keys, `connection_info` and
/// `user_config` whole. Every named-field struct with a secret-named field
/// ([`crate::sensitive::sensitivity`], by wire name) or free-form JSON gets
/// a written-out `Debug` instead: plain fields as derived, secrets as
/// `"** redacted **"` (`None` stays visible), URIs and free-form JSON
/// through `crate::redact::Masked` (aiven-api's runtime half of the rule).
/// Builders (fields `Result<_, String>`: the types' and the client's request
/// builders, whose path and query parameters are fields too, e.g. an invoice
/// download's `download_cookie`) print secrets as redacted and URIs and
/// free-form JSON (`user_config`) through `crate::redact::MaskedField`, the
/// same masking as responses. Values stay in their public fields; serde is
/// untouched.
pub fn redacting_debug(file: &mut syn::File) -> Redaction {
    let mut report = Redaction::default();
    for item in file.items.iter_mut() {
        if let syn::Item::Mod(m) = item {
            if m.ident == "builder" {
                if let Some((_, inner)) = &mut m.content {
                    redact_items(inner, true, &mut report);
                }
            }
        }
    }
    let Some(types_mod) = module_items_mut(file, "types") else {
        return report;
    };
    redact_items(types_mod, false, &mut report);
    for item in types_mod.iter_mut() {
        if let syn::Item::Mod(m) = item {
            if m.ident == "builder" {
                if let Some((_, inner)) = &mut m.content {
                    redact_items(inner, true, &mut report);
                }
            }
        }
    }
    report
}

fn redact_items(items: &mut Vec<syn::Item>, builders: bool, report: &mut Redaction) {
    let mut impls = Vec::new();
    for item in items.iter_mut() {
        let syn::Item::Struct(st) = item else {
            continue;
        };
        let syn::Fields::Named(named) = &st.fields else {
            continue;
        };
        let shown: Vec<(syn::Ident, String, Shown)> = named
            .named
            .iter()
            .filter_map(|f| {
                let ident = f.ident.clone()?;
                let wire = serde_rename(&f.attrs)
                    .unwrap_or_else(|| ident.to_string().trim_start_matches("r#").to_owned());
                let ty = f.ty.to_token_stream().to_string();
                let free_form =
                    ty.contains("serde_json :: Map") || ty.contains("serde_json :: Value");
                let shown = match crate::sensitive::sensitivity(&wire) {
                    Some(crate::sensitive::Sensitivity::Secret) => Shown::Secret,
                    Some(crate::sensitive::Sensitivity::Uri) => Shown::Masked,
                    None if free_form => Shown::Masked,
                    None => Shown::Plain,
                };
                Some((ident, wire, shown))
            })
            .collect();
        if shown.iter().all(|(_, _, s)| *s == Shown::Plain) || !drop_derived_debug(&mut st.attrs) {
            continue;
        }
        report.structs += 1;
        let name = &st.ident;
        let label = name.to_string();
        let mut fields = Vec::new();
        for (ident, wire, how) in &shown {
            let label = ident.to_string().trim_start_matches("r#").to_owned();
            let value = match (how, builders) {
                (Shown::Plain, _) => quote!(&self.#ident),
                (Shown::Secret, true) => quote!(&crate::redact::Hidden),
                (Shown::Masked, true) => quote!(&crate::redact::MaskedField(&self.#ident)),
                (Shown::Secret, false) => quote!(&crate::redact::Secret(&self.#ident)),
                (Shown::Masked, false) => quote!(&crate::redact::Masked(&self.#ident)),
            };
            match (how, crate::sensitive::sensitivity(wire)) {
                (Shown::Secret, _) => *report.secret.entry(wire.clone()).or_default() += 1,
                (Shown::Masked, Some(_)) => *report.uri.entry(wire.clone()).or_default() += 1,
                (Shown::Masked, None) => report.free_form += 1,
                _ => {}
            }
            fields.push(quote!(.field(#label, #value)));
        }
        let (generics, ty_generics, where_clause) = st.generics.split_for_impl();
        impls.push(syn::parse_quote! {
            impl #generics ::std::fmt::Debug for #name #ty_generics #where_clause {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.debug_struct(#label) #(#fields)* .finish()
                }
            }
        });
    }
    items.extend(impls);
}

/// One entry of a `#[serde(...)]` list: `key` or `key = "value"`.
struct SerdeEntry {
    key: String,
    value: Option<syn::LitStr>,
}

/// The entries of an item's `#[serde(...)]` attributes, in order.
struct SerdeEntries {
    entries: Vec<SerdeEntry>,
    /// Something else was there: an entry of another form (`key(…)`, a
    /// value that is not a string), or a `cfg` / `cfg_attr` that could
    /// hide a serde attribute from this reading.
    other: bool,
}

/// Reads an item's serde attributes: the one reader of them.
fn serde_entries(attrs: &[syn::Attribute]) -> SerdeEntries {
    let mut read = SerdeEntries {
        entries: Vec::new(),
        other: attrs
            .iter()
            .any(|a| a.path().is_ident("cfg") || a.path().is_ident("cfg_attr")),
    };
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let parsed = attr.parse_nested_meta(|meta| {
            let value = if meta.input.peek(syn::Token![=]) {
                match meta.value()?.parse::<syn::Expr>()? {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }) => Some(s),
                    _ => {
                        read.other = true;
                        return Ok(());
                    }
                }
            } else {
                None
            };
            match meta.path.get_ident() {
                Some(key) => read.entries.push(SerdeEntry {
                    key: key.to_string(),
                    value,
                }),
                None => read.other = true,
            }
            Ok(())
        });
        read.other |= parsed.is_err();
    }
    read
}

/// The `rename` of a field's `#[serde(...)]`, if any.
fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    serde_entries(attrs)
        .entries
        .into_iter()
        .find(|e| e.key == "rename")
        .and_then(|e| e.value)
        .map(|v| v.value())
}

/// Removes `Debug` from the struct's derives; false if it derived none.
fn drop_derived_debug(attrs: &mut [syn::Attribute]) -> bool {
    drop_derived(attrs, "Debug")
}

/// Removes the trait named `name` (last path segment) from an item's
/// derives; false if it derived none.
fn drop_derived(attrs: &mut [syn::Attribute], name: &str) -> bool {
    use syn::punctuated::Punctuated;
    for attr in attrs.iter_mut().filter(|a| a.path().is_ident("derive")) {
        let Ok(paths) =
            attr.parse_args_with(Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
        else {
            continue;
        };
        let is_it = |p: &syn::Path| p.segments.last().is_some_and(|s| s.ident == name);
        if !paths.iter().any(is_it) {
            continue;
        }
        let kept: Vec<&syn::Path> = paths.iter().filter(|p| !is_it(p)).collect();
        *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
        return true;
    }
    false
}

/// Every path parameter goes through `crate::hooks::encode_path` instead of
/// progenitor's `encode_path`, which leaves `.`, `..` and `\` for the URL
/// parser to resolve into another resource's path. The calls sit inside
/// `format!` arguments (opaque tokens to syn), so the swap is textual; it
/// fails rather than silently losing the protection if progenitor stops
/// calling `encode_path(` for templated paths.
fn own_path_encoding(code: &str) -> Result<String, Error> {
    const CALL: &str = "encode_path(";
    if !code.contains(CALL) && code.contains("\"{}/") && code.contains("/{}") {
        return Err(Error::Codegen(
            "the generated client no longer calls progenitor's `encode_path(` for path \
             parameters; update own_path_encoding in aiven-openapi's codegen"
                .into(),
        ));
    }
    Ok(code.replace(CALL, "crate::hooks::encode_path("))
}

/// The path a call expression calls (`reqwest::ClientBuilder::new` →
/// `["reqwest", "ClientBuilder", "new"]`); empty for a call of anything
/// else (a closure, a method's result).
fn called(call: &syn::ExprCall) -> Vec<String> {
    match &*call.func {
        syn::Expr::Path(p) => p
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect(),
        _ => Vec::new(),
    }
}

/// Swaps `reqwest::ClientBuilder::new()` in the generated `Client::new` for
/// `crate::tls::client_builder()`, which installs the workspace's one TLS
/// crypto backend (ring) before reqwest builds its TLS configuration: reqwest
/// is built without a backend of its own (no aws-lc C build), and would
/// panic without one. Fails rather than leave the panic in place if
/// progenitor stops calling `reqwest::ClientBuilder::new()`.
fn own_client_builder(file: &mut syn::File) -> Result<(), Error> {
    struct Swap(usize);
    impl syn::visit_mut::VisitMut for Swap {
        fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
            syn::visit_mut::visit_expr_call_mut(self, call);
            if called(call) == ["reqwest", "ClientBuilder", "new"] && call.args.is_empty() {
                *call.func = syn::parse_quote!(crate::tls::client_builder);
                self.0 += 1;
            }
        }
    }
    let mut swap = Swap(0);
    syn::visit_mut::VisitMut::visit_file_mut(&mut swap, file);
    if swap.0 == 0 {
        return Err(Error::Codegen(
            "the generated client no longer calls `reqwest::ClientBuilder::new()`; update \
             own_client_builder in aiven-openapi's codegen (reqwest has no TLS backend of \
             its own here)"
                .into(),
        ));
    }
    Ok(())
}

/// The path of the type (`Option`, `Map`, …) a field is declared with, last
/// segment only.
fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// The items of the generated file's top-level module `name` (`types`,
/// `builder`).
fn module_items_mut<'a>(file: &'a mut syn::File, name: &str) -> Option<&'a mut Vec<syn::Item>> {
    file.items.iter_mut().find_map(|i| match i {
        syn::Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, c)| c),
        _ => None,
    })
}

/// Whether a generated struct is open-world: a flattened `extra` map keeps
/// the properties the description does not name (the responses).
fn is_open(st: &syn::ItemStruct) -> bool {
    match &st.fields {
        syn::Fields::Named(named) => named.named.iter().any(|f| {
            f.ident.as_ref().is_some_and(|i| i == "extra")
                && serde_has(&f.attrs, "flatten")
                && type_name(&f.ty).as_deref() == Some("Map")
        }),
        _ => false,
    }
}

/// The keys a `#[serde(...)]` attribute list names (`flatten`, `default`,
/// `rename`, …), read once per field.
fn serde_keys(attrs: &[syn::Attribute]) -> Vec<String> {
    serde_entries(attrs)
        .entries
        .into_iter()
        .map(|e| e.key)
        .collect()
}

/// Whether a `#[serde(...)]` attribute list names `key`.
fn serde_has(attrs: &[syn::Attribute], key: &str) -> bool {
    serde_keys(attrs).iter().any(|k| k == key)
}

/// Marks the fields of open-world structs (those with a flattened `extra`
/// map: the responses) for lenient decoding (aiven-api's `lenient` module):
/// each `Option` field gets `deserialize_with = "crate::lenient::field::<N,
/// _, _>"`, `N` indexing the table of wire names this adds to the file
/// (`LENIENT_FIELD_NAMES`), and `extra` gets `crate::lenient::extra`, which
/// takes the raw values of the struct's fields that did not decode. Strict
/// decoding is unchanged: the field function is then
/// `Option::<T>::deserialize`. Returns how many fields were marked.
pub fn lenient_fields(file: &mut syn::File) -> usize {
    let mut names: Vec<String> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut marked = 0;
    if let Some(types_mod) = module_items_mut(file, "types") {
        for item in types_mod.iter_mut() {
            let syn::Item::Struct(st) = item else {
                continue;
            };
            if !is_open(st) {
                continue;
            }
            let syn::Fields::Named(named) = &mut st.fields else {
                continue;
            };
            for f in named.named.iter_mut() {
                let Some(ident) = f.ident.clone() else {
                    continue;
                };
                let keys = serde_keys(&f.attrs);
                let has = |key: &str| keys.iter().any(|k| k == key);
                if ident == "extra" && has("flatten") {
                    f.attrs.push(syn::parse_quote!(
                        #[serde(deserialize_with = "crate::lenient::extra")]
                    ));
                    continue;
                }
                if type_name(&f.ty).as_deref() != Some("Option")
                    || has("deserialize_with")
                    || has("with")
                    || has("flatten")
                {
                    continue;
                }
                let wire = serde_rename(&f.attrs)
                    .unwrap_or_else(|| ident.to_string().trim_start_matches("r#").to_owned());
                let n = *index.entry(wire.clone()).or_insert_with(|| {
                    names.push(wire);
                    names.len() - 1
                });
                let path = format!("crate::lenient::field::<{n}, _, _>");
                f.attrs
                    .push(syn::parse_quote!(#[serde(deserialize_with = #path)]));
                // A field with `deserialize_with` is no longer missing-means-
                // `None` by itself.
                if !has("default") {
                    f.attrs.push(syn::parse_quote!(#[serde(default)]));
                }
                marked += 1;
            }
        }
    }
    file.items.push(syn::parse_quote! {
        /// Wire names of the fields decoded by `crate::lenient::field`, by index.
        #[doc(hidden)]
        pub(crate) static LENIENT_FIELD_NAMES: &[&str] = &[#(#names),*];
    });
    marked
}

/// Swaps every `ResponseValue::from_response(response)` of the generated
/// client (the decoding of a JSON body, success or error) for
/// `crate::lenient::from_response(response, "<operation>")`, which decodes
/// strictly and, only if that fails on a value of the wrong type, again
/// leniently, warning with the operation's name. Fails rather than leave
/// strict decoding in place if progenitor stops calling `from_response`, or
/// calls it where no `operation_id` names the operation.
fn lenient_responses(file: &mut syn::File) -> Result<(), Error> {
    /// The `operation_id: "…"` literal inside a function.
    #[derive(Default)]
    struct FindId(Option<String>);
    impl<'ast> Visit<'ast> for FindId {
        fn visit_field_value(&mut self, fv: &'ast syn::FieldValue) {
            if let (syn::Member::Named(n), syn::Expr::Lit(l)) = (&fv.member, &fv.expr) {
                if n == "operation_id" {
                    if let syn::Lit::Str(s) = &l.lit {
                        self.0.get_or_insert(s.value());
                    }
                }
            }
            syn::visit::visit_field_value(self, fv);
        }
    }
    struct Swap {
        operation: Option<String>,
        swapped: usize,
        orphans: Vec<String>,
        current: String,
    }
    impl syn::visit_mut::VisitMut for Swap {
        fn visit_impl_item_fn_mut(&mut self, f: &mut syn::ImplItemFn) {
            let mut find = FindId::default();
            find.visit_impl_item_fn(f);
            self.operation = find.0;
            self.current = f.sig.ident.to_string();
            syn::visit_mut::visit_impl_item_fn_mut(self, f);
            self.operation = None;
        }
        fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
            syn::visit_mut::visit_expr_call_mut(self, call);
            if called(call) != ["ResponseValue", "from_response"] || call.args.len() != 1 {
                return;
            }
            let Some(operation) = &self.operation else {
                self.orphans.push(self.current.clone());
                return;
            };
            let response = &call.args[0];
            *call = syn::parse_quote!(crate::lenient::from_response(#response, #operation));
            self.swapped += 1;
        }
    }
    let mut swap = Swap {
        operation: None,
        swapped: 0,
        orphans: Vec::new(),
        current: String::new(),
    };
    syn::visit_mut::VisitMut::visit_file_mut(&mut swap, file);
    if !swap.orphans.is_empty() {
        return Err(Error::Codegen(format!(
            "`ResponseValue::from_response` called where no `operation_id` names the \
             operation ({}); update lenient_responses in aiven-openapi's codegen",
            swap.orphans.join(", ")
        )));
    }
    // None swapped: fail if a typed body (success or error) is decoded
    // somewhere. (Printing the whole file costs a few tenths of a second, so
    // only then.)
    let typed_body = || {
        let code = file.to_token_stream().to_string();
        code.contains("ResponseValue < types ::") || code.contains("Error < types ::")
    };
    if swap.swapped == 0 && typed_body() {
        return Err(Error::Codegen(
            "the generated client no longer calls `ResponseValue::from_response(response)`; \
             update lenient_responses in aiven-openapi's codegen (responses would decode \
             strictly)"
                .into(),
        ));
    }
    Ok(())
}

/// [`error_field`], [`error_arms`] and [`error_call_checked`] on one whole
/// file, for the unit tests ([`generate`] runs `error_field` on the `types`
/// half and `error_arms` on the rest).
#[cfg(test)]
fn error_call(file: &mut syn::File) -> Result<(), Error> {
    let field = error_field(file)?;
    let arms = error_arms(file);
    error_call_checked(&field, &arms)
}

/// What [`error_field`] found.
struct ErrorField {
    /// The error body's struct is there (and has the field now).
    found: bool,
    /// The code names the struct: `true` when it is there, else looked for.
    mentioned: bool,
}

/// What [`error_arms`] did.
struct ErrorArms {
    swapped: usize,
    /// The code names the error body (only looked for when no arm was
    /// swapped: a swapped arm's method returns it).
    mentioned: bool,
}

/// Whether any token of the file is the error body's name.
fn mentions_error(file: &syn::File) -> bool {
    file.to_token_stream()
        .into_iter()
        .any(|t| t.to_string() == rules::ERROR_SCHEMA)
}

/// Makes the call an error answered reach the error as a value: the error
/// body's struct ([`rules::ERROR_SCHEMA`]) gets a `call` field the server
/// never sends (`#[serde(skip)]`, this), and every error arm of a method
/// that returns it decodes through `crate::hooks::error_response`
/// ([`error_arms`]), which sets it from what the hooks and the transport
/// recorded on the response. [`error_call_checked`] fails loudly if
/// progenitor's output no longer has either shape.
fn error_field(file: &mut syn::File) -> Result<ErrorField, Error> {
    let error = syn::Ident::new(rules::ERROR_SCHEMA, proc_macro2::Span::call_site());
    let types = module_items_mut(file, "types");
    let body = types.and_then(|items| {
        items.iter_mut().find_map(|i| match i {
            syn::Item::Struct(st) if st.ident == error => Some(st),
            _ => None,
        })
    });
    let Some(st) = body else {
        return Ok(ErrorField {
            found: false,
            mentioned: mentions_error(file),
        });
    };
    let syn::Fields::Named(fields) = &mut st.fields else {
        return Err(Error::Codegen(format!(
            "the generated struct {error} has no named fields; update error_field in \
             aiven-openapi's codegen"
        )));
    };
    fields.named.push(syn::parse_quote! {
        /// The call this error answered (its operation and attempts), set
        /// by the client; never sent by the server.
        #[serde(skip)]
        pub call: ::std::option::Option<crate::hooks::Call>
    });
    Ok(ErrorField {
        found: true,
        mentioned: true,
    })
}

/// Swaps the error arms of every method that returns the error body.
fn error_arms(file: &mut syn::File) -> ErrorArms {
    struct Arms {
        error: &'static str,
        swapped: usize,
    }
    impl syn::visit_mut::VisitMut for Arms {
        fn visit_impl_item_fn_mut(&mut self, f: &mut syn::ImplItemFn) {
            let returns_error = f
                .sig
                .output
                .to_token_stream()
                .into_iter()
                .any(|t| t.to_string() == self.error);
            if returns_error {
                syn::visit_mut::visit_impl_item_fn_mut(self, f);
            }
        }
        fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
            syn::visit_mut::visit_expr_call_mut(self, call);
            let is_error_response = called(call) == ["Error", "ErrorResponse"];
            if is_error_response && call.args.len() == 1 {
                call.args[0] = syn::parse_quote!(crate::hooks::error_response(response).await?);
                self.swapped += 1;
            }
        }
    }
    let mut arms = Arms {
        error: rules::ERROR_SCHEMA,
        swapped: 0,
    };
    syn::visit_mut::VisitMut::visit_file_mut(&mut arms, file);
    ErrorArms {
        swapped: arms.swapped,
        mentioned: arms.swapped > 0 || mentions_error(file),
    }
}

/// Fails if the error body is named but has no struct (a document without
/// the error body, one the rules did not prepare, has nothing to carry the
/// call), or has one but no method decodes it through an error arm.
fn error_call_checked(field: &ErrorField, arms: &ErrorArms) -> Result<(), Error> {
    let error = rules::ERROR_SCHEMA;
    if !field.found {
        return if field.mentioned || arms.mentioned {
            Err(Error::Codegen(format!(
                "the generated code names {error} but has no struct of it; update error_field in \
                 aiven-openapi's codegen"
            )))
        } else {
            Ok(())
        };
    }
    if arms.swapped == 0 {
        return Err(Error::Codegen(
            "the generated client has no `Error::ErrorResponse(…)` arm; update error_arms in \
             aiven-openapi's codegen"
                .into(),
        ));
    }
    Ok(())
}

/// What the description says that progenitor and typify do not emit: wire
/// names of renamed properties, deprecations, experimental operations.
#[derive(Debug, Default)]
pub struct Amendments {
    /// Type name → field name → what to add to that field.
    fields: BTreeMap<String, BTreeMap<String, FieldAmendment>>,
    /// Client method → what to add to it.
    methods: BTreeMap<String, MethodAmendment>,
}

#[derive(Debug, Default)]
struct FieldAmendment {
    /// The wire name, when the Rust-side key differs from it.
    wire: Option<String>,
    deprecated: Option<String>,
}

#[derive(Debug, Default)]
struct MethodAmendment {
    deprecated: Option<String>,
    experimental: bool,
}

impl Amendments {
    /// Reads the amendments off a normalized description.
    pub fn from_doc(doc: &Value) -> Self {
        let mut out = Self::default();
        if let Some(Value::Object(schemas)) = doc.pointer("/components/schemas") {
            for (name, schema) in schemas {
                let Some(Value::Object(props)) = schema.get("properties") else {
                    continue;
                };
                let wire = schema.get(rules::WIRE_NAMES_EXTENSION);
                for (key, prop) in props {
                    let amend = FieldAmendment {
                        wire: wire
                            .and_then(|w| w.get(key))
                            .and_then(Value::as_str)
                            .map(str::to_string),
                        deprecated: prop
                            .get(rules::DEPRECATION_EXTENSION)
                            .and_then(Value::as_str)
                            .map(str::to_string),
                    };
                    if amend.wire.is_some() || amend.deprecated.is_some() {
                        out.fields
                            .entry(idents::ident(name, idents::Case::Pascal))
                            .or_default()
                            .insert(idents::field(key), amend);
                    }
                }
            }
        }
        for op in walk::operations(doc) {
            let Some(id) = op.operation_id() else {
                continue;
            };
            let deprecated =
                (op.operation.get("deprecated") == Some(&Value::Bool(true))).then(|| {
                    op.operation
                        .get("description")
                        .and_then(Value::as_str)
                        .and_then(rules::deprecation_note)
                        .unwrap_or_else(|| "deprecated by Aiven".to_string())
                });
            let experimental = op.operation.get("x-experimental") == Some(&Value::Bool(true));
            if deprecated.is_some() || experimental {
                out.methods.insert(
                    operation_name(id),
                    MethodAmendment {
                        deprecated,
                        experimental,
                    },
                );
            }
        }
        out
    }

    /// Adds the attributes to the generated file: `#[serde(rename)]` and
    /// `#[deprecated]` on fields, `#[deprecated]` on their builder setters and
    /// on client methods, an "Experimental" paragraph on client methods.
    pub fn apply(&self, file: &mut syn::File) {
        self.apply_items(&mut file.items, false);
    }

    fn apply_items(&self, items: &mut [syn::Item], in_builder: bool) {
        for item in items {
            match item {
                syn::Item::Mod(m) => {
                    let builder = in_builder || m.ident == "builder";
                    if let Some((_, inner)) = &mut m.content {
                        self.apply_items(inner, builder);
                    }
                }
                syn::Item::Struct(st) if !in_builder => {
                    let Some(fields) = self.fields.get(&st.ident.to_string()) else {
                        continue;
                    };
                    for f in st.fields.iter_mut() {
                        let Some(a) = f.ident.as_ref().and_then(|i| fields.get(&i.to_string()))
                        else {
                            continue;
                        };
                        if let Some(wire) = &a.wire {
                            f.attrs.push(syn::parse_quote!(#[serde(rename = #wire)]));
                        }
                        if let Some(note) = &a.deprecated {
                            f.attrs.push(syn::parse_quote!(#[deprecated = #note]));
                        }
                    }
                }
                syn::Item::Impl(imp) if imp.trait_.is_none() => {
                    let syn::Type::Path(p) = &*imp.self_ty else {
                        continue;
                    };
                    let Some(target) = p.path.segments.last().map(|s| s.ident.to_string()) else {
                        continue;
                    };
                    for it in imp.items.iter_mut() {
                        let syn::ImplItem::Fn(f) = it else { continue };
                        let name = f.sig.ident.to_string();
                        if target == "Client" && !in_builder {
                            let Some(a) = self.methods.get(&name) else {
                                continue;
                            };
                            if a.experimental {
                                let doc = " **Experimental**: Aiven may change or remove this \
                                           endpoint at any time; do not rely on it in production.";
                                f.attrs.push(syn::parse_quote!(#[doc = ""]));
                                f.attrs.push(syn::parse_quote!(#[doc = #doc]));
                            }
                            if let Some(note) = &a.deprecated {
                                f.attrs.push(syn::parse_quote!(#[deprecated = #note]));
                            }
                        } else if in_builder {
                            let note = self
                                .fields
                                .get(&target)
                                .and_then(|fs| fs.get(&name))
                                .and_then(|a| a.deprecated.as_ref());
                            if let Some(note) = note {
                                f.attrs.push(syn::parse_quote!(#[deprecated = #note]));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// Types only ever decoded from responses: nobody builds them, so their
/// builders are dead weight (half the generated code of June 2026).
pub fn response_only_types(doc: &Value) -> std::collections::BTreeSet<String> {
    let sides = walk::component_sides(doc);
    let Some(Value::Object(schemas)) = doc.pointer("/components/schemas") else {
        return Default::default();
    };
    schemas
        .keys()
        .filter(|name| {
            sides
                .get(*name)
                .is_some_and(|s| !s.contains(&walk::Side::Request))
        })
        .map(|name| idents::ident(name, idents::Case::Pascal))
        .collect()
}

/// Removes the typify builders (`types::builder::X`, its conversions and
/// `X::builder()`) of the given types. Request types keep theirs: they are
/// how callers build bodies, with validation before sending.
pub fn prune_response_builders(file: &mut syn::File, types: &std::collections::BTreeSet<String>) {
    fn impl_subject(i: &syn::ItemImpl) -> Option<String> {
        match &*i.self_ty {
            syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        }
    }
    fn subject(item: &syn::Item) -> Option<String> {
        match item {
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            syn::Item::Impl(i) => impl_subject(i),
            _ => None,
        }
    }
    let Some(types_mod) = module_items_mut(file, "types") else {
        return;
    };
    for item in types_mod.iter_mut() {
        match item {
            syn::Item::Mod(m) if m.ident == "builder" => {
                if let Some((_, inner)) = &mut m.content {
                    inner.retain(|i| !subject(i).is_some_and(|s| types.contains(&s)));
                }
            }
            syn::Item::Impl(imp)
                if imp.trait_.is_none()
                    && impl_subject(imp).is_some_and(|s| types.contains(&s)) =>
            {
                imp.items
                    .retain(|i| !matches!(i, syn::ImplItem::Fn(f) if f.sig.ident == "builder"));
            }
            _ => {}
        }
    }
    types_mod.retain(
        |i| !matches!(i, syn::Item::Impl(imp) if imp.trait_.is_none() && imp.items.is_empty()),
    );
    derive_defaults(types_mod);
}

/// Gives structs whose fields are all `Option`s or the flattened `extra` map a
/// `Default` where typify did not (it skips structs with `extra`), as open-world
/// responses are. Tests and mocks build responses from `Default::default()`.
fn derive_defaults(items: &mut [syn::Item]) {
    let with_default: std::collections::BTreeSet<String> = items
        .iter()
        .filter_map(|i| match i {
            syn::Item::Impl(imp)
                if imp.trait_.as_ref().is_some_and(|(_, p, _)| {
                    p.segments.last().is_some_and(|s| s.ident == "Default")
                }) =>
            {
                match &*imp.self_ty {
                    syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
                    _ => None,
                }
            }
            _ => None,
        })
        .collect();
    for item in items.iter_mut() {
        let syn::Item::Struct(st) = item else {
            continue;
        };
        let derives_default = st.attrs.iter().any(|a| {
            a.path().is_ident("derive") && a.meta.to_token_stream().to_string().contains("Default")
        });
        if derives_default || with_default.contains(&st.ident.to_string()) {
            continue;
        }
        let is_option = |ty: &syn::Type| {
            matches!(ty, syn::Type::Path(p)
                if p.path.segments.last().is_some_and(|s| s.ident == "Option"))
        };
        let defaultable = !st.fields.is_empty()
            && st
                .fields
                .iter()
                .all(|f| f.ident.as_ref().is_some_and(|i| i == "extra") || is_option(&f.ty));
        if defaultable {
            st.attrs.push(syn::parse_quote!(#[derive(Default)]));
        }
    }
}

/// The name progenitor gives an operation: its operationId in snake case.
pub fn operation_name(operation_id: &str) -> String {
    heck::ToSnakeCase::to_snake_case(operation_id)
}

/// Finds, in the generated code, which `Client` method sends each operation.
///
/// Read from the generated code itself (the `operation_id` each method hands
/// its hooks), not from the description, so a dropped operation shows up.
pub fn client_methods(file: &syn::File) -> BTreeMap<String, String> {
    /// Collects `fn name` → operation ids named inside it, per impl target.
    #[derive(Default)]
    struct V {
        target: String,
        /// (impl target, fn name, returned type's last segment, op ids inside)
        fns: Vec<(String, String, String, Vec<String>)>,
        current: Option<usize>,
    }
    impl<'ast> Visit<'ast> for V {
        fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
            if i.trait_.is_some() {
                return;
            }
            if let syn::Type::Path(p) = &*i.self_ty {
                self.target = p
                    .path
                    .segments
                    .last()
                    .map(|s| s.ident.to_string())
                    .unwrap_or_default();
            }
            syn::visit::visit_item_impl(self, i);
        }
        fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
            let ret = match &f.sig.output {
                syn::ReturnType::Type(_, t) => match &**t {
                    syn::Type::Path(p) => p
                        .path
                        .segments
                        .last()
                        .map(|s| s.ident.to_string())
                        .unwrap_or_default(),
                    _ => String::new(),
                },
                syn::ReturnType::Default => String::new(),
            };
            self.fns.push((
                self.target.clone(),
                f.sig.ident.to_string(),
                ret,
                Vec::new(),
            ));
            self.current = Some(self.fns.len() - 1);
            syn::visit::visit_impl_item_fn(self, f);
            self.current = None;
        }
        fn visit_field_value(&mut self, fv: &'ast syn::FieldValue) {
            if let (syn::Member::Named(n), syn::Expr::Lit(l), Some(c)) =
                (&fv.member, &fv.expr, self.current)
            {
                if n == "operation_id" {
                    if let syn::Lit::Str(s) = &l.lit {
                        self.fns[c].3.push(s.value());
                    }
                }
            }
            syn::visit::visit_field_value(self, fv);
        }
    }
    let mut v = V::default();
    v.visit_file(file);
    let mut out = BTreeMap::new();
    // Positional: the Client method itself names the operation.
    for (target, name, _, ids) in &v.fns {
        if target == "Client" {
            for id in ids {
                out.insert(id.clone(), name.clone());
            }
        }
    }
    // Builder: a Client method returns the builder whose `send` names it.
    for (target, name, _, ids) in &v.fns {
        if target != "Client" && name == "send" {
            for id in ids {
                if let Some((_, m, _, _)) = v
                    .fns
                    .iter()
                    .find(|(t, _, r, _)| t == "Client" && r == target)
                {
                    out.insert(id.clone(), m.clone());
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_methods_reads_the_operation_each_method_sends() {
        let file: syn::File = syn::parse_quote! {
            impl Client {
                pub async fn get_thing<'a>(&'a self, id: &'a str) -> Result<ResponseValue<Thing>, Error<()>> {
                    let info = OperationInfo { operation_id: "thing_get" };
                    self.exec(info).await
                }
                pub fn widget_list(&self) -> builder::WidgetList<'_> {
                    builder::WidgetList::new(self)
                }
                pub fn baseurl(&self) -> &String {
                    &self.baseurl
                }
            }
            impl ClientHooks<()> for &Client {
                fn pre(&self) {
                    let info = OperationInfo { operation_id: "from_a_trait" };
                }
            }
            pub mod builder {
                impl<'a> WidgetList<'a> {
                    pub fn new(client: &'a Client) -> Self {
                        Self { client }
                    }
                    pub async fn send(self) -> Result<ResponseValue<()>, Error<()>> {
                        let info = OperationInfo { operation_id: "widget_list" };
                        self.client.exec(info).await
                    }
                }
                impl<'a> Orphan<'a> {
                    pub async fn send(self) -> Result<(), ()> {
                        let info = OperationInfo { operation_id: "orphan" };
                    }
                }
            }
        };
        let methods = client_methods(&file);
        let expected: BTreeMap<String, String> =
            [("thing_get", "get_thing"), ("widget_list", "widget_list")]
                .into_iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect();
        assert_eq!(methods, expected);
    }

    #[test]
    fn lenient_marks_open_world_fields_and_swaps_decoding() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct Open {
                    #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                    pub acl: ::std::option::Option<bool>,
                    #[serde(rename = "docURL", default)]
                    pub doc_url: ::std::option::Option<::std::string::String>,
                    pub count: i64,
                    #[serde(flatten)]
                    pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                }
                pub struct Other {
                    pub acl: ::std::option::Option<bool>,
                    #[serde(flatten)]
                    pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
                }
                pub struct Closed {
                    pub acl: ::std::option::Option<bool>,
                }
            }
            impl Client {
                pub async fn thing_get(&self) -> Result<ResponseValue<types::Open>, Error<types::Other>> {
                    let info = OperationInfo { operation_id: "thing_get" };
                    match response.status().as_u16() {
                        200u16 => ResponseValue::from_response(response).await,
                        _ => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
                    }
                }
            }
        };
        assert_eq!(lenient_fields(&mut file), 3);
        lenient_responses(&mut file).unwrap();
        let code = prettyplease::unparse(&file);
        let flat: String = code.split_whitespace().collect();
        // One index per wire name, shared by structs.
        assert_eq!(
            flat.matches("crate::lenient::field::<0,_,_>").count(),
            2,
            "{code}"
        );
        assert_eq!(
            flat.matches("crate::lenient::field::<1,_,_>").count(),
            1,
            "{code}"
        );
        assert!(flat.contains(r#"&[&str]=&["acl","docURL"];"#), "{code}");
        assert_eq!(
            flat.matches(r#"deserialize_with="crate::lenient::extra""#)
                .count(),
            2
        );
        // `default` added once where missing; the closed struct is untouched.
        assert_eq!(flat.matches("#[serde(default)]").count(), 2, "{code}");
        assert!(flat.contains("pubstructClosed{pubacl"), "{code}");
        assert!(!flat.contains("ResponseValue::from_response"), "{code}");
        assert_eq!(
            flat.matches(r#"crate::lenient::from_response(response,"thing_get")"#)
                .count(),
            2,
            "{code}"
        );
    }

    #[test]
    fn lenient_responses_fails_when_the_pattern_is_gone() {
        let mut renamed: syn::File = syn::parse_quote! {
            impl Client {
                pub async fn thing_get(&self) -> Result<ResponseValue<types::Open>, Error<()>> {
                    let info = OperationInfo { operation_id: "thing_get" };
                    ResponseValue::from_json(response).await
                }
            }
        };
        let err = lenient_responses(&mut renamed).unwrap_err().to_string();
        assert!(err.contains("no longer calls"), "{err}");
        let mut orphan: syn::File = syn::parse_quote! {
            impl Client {
                pub async fn thing_get(&self) -> Result<ResponseValue<types::Open>, Error<()>> {
                    ResponseValue::from_response(response).await
                }
            }
        };
        let err = lenient_responses(&mut orphan).unwrap_err().to_string();
        assert!(err.contains("thing_get"), "{err}");
    }

    #[test]
    fn error_call_adds_the_field_and_swaps_every_error_arm() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct AivenError {
                    pub message: Option<String>,
                }
            }
            impl<'a> ThingGet<'a> {
                pub async fn send(self) -> Result<ResponseValue<types::Thing>, Error<types::AivenError>> {
                    match response.status().as_u16() {
                        200u16 => ResponseValue::from_response(response).await,
                        400u16..=499u16 => Err(Error::ErrorResponse(
                            ResponseValue::from_response(response).await?,
                        )),
                        _ => Err(Error::UnexpectedResponse(response)),
                    }
                }
            }
        };
        error_call(&mut file).unwrap();
        let code = prettyplease::unparse(&file);
        let flat: String = code.split_whitespace().collect();
        assert!(
            flat.contains("#[serde(skip)]pubcall:::std::option::Option<crate::hooks::Call>"),
            "{code}"
        );
        assert!(
            flat.contains(
                "Err(Error::ErrorResponse(crate::hooks::error_response(response).await?))"
            ),
            "{code}"
        );
        // The success arm is left alone.
        assert!(
            flat.contains("200u16=>ResponseValue::from_response(response).await"),
            "{code}"
        );

        // The struct without any arm returning it: progenitor changed.
        let mut no_arm: syn::File = syn::parse_quote! {
            pub mod types { pub struct AivenError { pub message: Option<String> } }
        };
        let err = error_call(&mut no_arm).unwrap_err().to_string();
        assert!(err.contains("ErrorResponse"), "{err}");
        // Arms naming the error without its struct: refused too.
        let mut no_struct: syn::File = syn::parse_quote! {
            fn f() -> Result<(), Error<types::AivenError>> { Err(Error::ErrorResponse(x)) }
        };
        assert!(error_call(&mut no_struct).is_err());
        // Neither the struct nor the name: nothing to do.
        let mut neither: syn::File = syn::parse_quote! {
            fn f() -> Result<(), Error<()>> { Ok(()) }
        };
        error_call(&mut neither).unwrap();
    }

    #[test]
    fn the_types_module_is_split_off_with_its_attributes() {
        let tokens = quote! {
            #[allow(unused_imports)]
            use progenitor_client::Error;
            #[doc = "Types."]
            #[allow(clippy::all)]
            pub mod types {
                pub struct A;
                pub mod builder {}
            }
            pub struct Client;
            impl Client {
                fn types() {}
            }
        };
        let (types, rest) = split_types(tokens).unwrap();
        assert_eq!(
            types.to_string(),
            quote! {
                #[doc = "Types."]
                #[allow(clippy::all)]
                pub mod types {
                    pub struct A;
                    pub mod builder {}
                }
            }
            .to_string()
        );
        assert_eq!(
            rest.to_string(),
            quote! {
                #[allow(unused_imports)]
                use progenitor_client::Error;
                __aiven_openapi_insert!(types);
                pub struct Client;
                impl Client {
                    fn types() {}
                }
            }
            .to_string()
        );
        // The fingerprint two runs are compared on: the module's own types.
        let nested = quote! {
            pub mod types {
                pub struct A;
                pub enum B {}
                impl C {}
                mod builder {
                    pub struct D;
                }
            }
        };
        assert_eq!(type_names(&nested), ["A", "B"]);
        // None, or two: refused.
        assert!(split_types(quote!(
            pub struct Client;
        ))
        .is_err());
        assert!(split_types(quote!(
            mod types {}
            mod types {}
        ))
        .is_err());
    }

    #[test]
    fn response_builders_are_pruned_before_parsing_as_after() {
        let types = quote! {
            pub mod types {
                pub struct Req { pub a: Option<i64> }
                pub struct Resp { pub b: Option<i64> }
                impl Req { pub fn builder() -> builder::Req { Default::default() } }
                impl Resp { pub fn builder() -> builder::Resp { Default::default() } }
                pub mod builder {
                    #[derive(Clone, Debug)]
                    pub struct Req { a: Result<Option<i64>, String> }
                    impl ::std::default::Default for Req { fn default() -> Self { todo!() } }
                    impl Req { pub fn a(self) -> Self { self } }
                    #[derive(Clone, Debug)]
                    pub struct Resp { b: Result<Option<i64>, String> }
                    impl ::std::default::Default for Resp { fn default() -> Self { todo!() } }
                    impl Resp { pub fn b(self) -> Self { self } }
                    impl ::std::convert::TryFrom<Resp> for super::Resp {
                        type Error = String;
                        fn try_from(v: Resp) -> Result<Self, String> { todo!() }
                    }
                    impl ::std::convert::From<super::Resp> for Resp { fn from(v: super::Resp) -> Self { todo!() } }
                    impl<'a> Generic<'a> {}
                    impl<'a> ::std::convert::From<&'a Req> for Resp { fn from(v: &'a Req) -> Self { todo!() } }
                    impl ::std::convert::From<Req> for &Resp { fn from(v: Req) -> Self { todo!() } }
                    impl Marker for Req where Req: Resp {}
                    const KEPT: () = ();
                }
            }
        };
        let response_only: std::collections::BTreeSet<String> = ["Resp".to_owned()].into();
        let printed = |tokens: proc_macro2::TokenStream| {
            let mut file: syn::File = syn::parse2(tokens).unwrap();
            prune_response_builders(&mut file, &response_only);
            prettyplease::unparse(&file)
        };
        let early = unparsed_builders_pruned(types.clone(), &response_only);
        assert!(!early.to_string().contains("for super :: Resp"), "{early}");
        assert!(early.to_string().contains("const KEPT"), "{early}");
        // Shapes typify does not write stay, whatever their last name.
        for kept in [
            "impl < 'a > Generic",
            "impl < 'a > :: std :: convert :: From < & 'a Req > for Resp",
            "for & Resp",
            "where Req : Resp",
        ] {
            assert!(early.to_string().contains(kept), "{kept}: {early}");
        }
        assert_eq!(printed(early), printed(types));
    }

    #[test]
    fn send_null_components_become_options() {
        let doc = serde_json::json!({
            "openapi": "3.0.1",
            "info": {"title": "t", "version": "1"},
            "paths": {"/w": {"put": {
                "operationId": "WidgetUpdate",
                "requestBody": {"content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Body"},
                }}},
                "responses": {"204": {"description": "done"}},
            }}},
            "components": {"schemas": {
                "Body": {"type": "object", "properties": {
                    "limit": {"$ref": "#/components/schemas/NullableInteger"},
                    "name": {"$ref": "#/components/schemas/NullableString"},
                    "plain": {"type": "string"},
                }},
                "NullableString": {"type": "string", "nullable": true, rules::SEND_NULL_EXTENSION: true},
                "NullableInteger": {"type": "integer", "nullable": true, rules::SEND_NULL_EXTENSION: true},
            }},
        });
        let prepared = Prepared {
            doc,
            operations: Vec::new(),
            report: Default::default(),
        };
        let g = generate(&prepared, Interface::Positional).unwrap();
        let flat: String = g
            .code
            .split_whitespace()
            .collect::<String>()
            .replace(",>", ">");
        for field in [
            "publimit:::std::option::Option<::std::option::Option<i64>>",
            "pubname:::std::option::Option<::std::option::Option<::std::string::String>>",
            "pubplain:::std::option::Option<::std::string::String>",
        ] {
            assert!(flat.contains(field), "{field}");
        }
        // Replaced components are not emitted as types of their own.
        assert!(!g.code.contains("pub struct NullableString"));
        assert!(!g.code.contains("pub struct NullableInteger"));
        assert_eq!(g.methods["widget_update"], "widget_update");
    }
}
