//! The Rust-level surface of a generated client, read with `syn` from the
//! source `aiven_openapi::codegen::generate` produces: the types of
//! `mod types` (struct fields, enum variants, newtypes), the `Client` methods
//! with their builders' parameters and response types, and the operations of
//! the normalized description behind them.

use std::collections::BTreeMap;

use serde_json::Value;

/// One side of the comparison, at the Rust level.
#[derive(Debug, Default)]
pub struct RustApi {
    /// `types::X` by name.
    pub types: BTreeMap<String, TypeDef>,
    /// `Client` methods by name.
    pub methods: BTreeMap<String, MethodDef>,
}

/// A type of `mod types`.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    pub shape: Shape,
    pub doc: String,
}

/// What a type is made of.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// Named fields.
    Struct(BTreeMap<String, FieldDef>),
    /// `struct X(T)`: the inner types and the body of its `FromStr` (the
    /// validation), `""` when it has none.
    Newtype {
        inner: Vec<String>,
        validation: String,
    },
    /// Variant name → payload type (`""` for a unit variant).
    Enum(BTreeMap<String, String>),
    /// `type X = T;`
    Alias(String),
}

impl Shape {
    /// `struct`, `newtype`, `enum` or `type alias`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Struct(_) => "struct",
            Self::Newtype { .. } => "newtype",
            Self::Enum(_) => "enum",
            Self::Alias(_) => "type alias",
        }
    }
}

/// A named field of a struct.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDef {
    /// Compact Rust type: `Option<Vec<AclItem>>`.
    pub ty: String,
    /// Not an `Option` and without a serde default: a value must be given.
    pub required: bool,
    /// The values an open-world string lists in its docs ("Known values").
    pub known_values: Vec<String>,
    /// The documentation without the "Known values" paragraph.
    pub doc: String,
}

/// A `Client` method and the builder it returns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MethodDef {
    /// operationId in the normalized description.
    pub operation_id: String,
    /// Upper-case HTTP method.
    pub http_method: String,
    pub path: String,
    /// Builder setters (the builder's fields), without the client.
    pub params: BTreeMap<String, ParamDef>,
    /// `T` of `ResponseValue<T>` returned by `send()`.
    pub response: String,
    pub doc: String,
}

impl MethodDef {
    /// `GET /path`, with every path parameter written `{}` so that renaming
    /// a path parameter is a parameter change, not a move.
    pub fn route(&self) -> String {
        let mut path = String::new();
        let mut in_param = false;
        for c in self.path.chars() {
            match c {
                '{' => {
                    in_param = true;
                    path.push_str("{}");
                }
                '}' => in_param = false,
                c if !in_param => path.push(c),
                _ => {}
            }
        }
        format!("{} {path}", self.http_method)
    }

    /// `GET /path` as published.
    pub fn location(&self) -> String {
        format!("{} {}", self.http_method, self.path)
    }
}

/// A builder parameter: the type its setter converts into, and whether the
/// builder refuses to send without it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamDef {
    pub ty: String,
    pub required: bool,
}

/// Reads the generated source of a prepared description. `doc` is the
/// normalized description: it gives each method's operationId, HTTP method
/// and path.
pub fn extract(code: &str, doc: &Value) -> anyhow::Result<RustApi> {
    let file = syn::parse_file(code)
        .map_err(|e| anyhow::anyhow!("the generated code does not parse: {e}"))?;
    let mut api = RustApi::default();
    let mut client_methods: Vec<(String, String, String)> = Vec::new();
    let mut builders: BTreeMap<String, Builder> = BTreeMap::new();
    for item in &file.items {
        match item {
            syn::Item::Mod(m) if m.ident == "types" => {
                api.types = read_types(mod_items(m));
            }
            syn::Item::Mod(m) if m.ident == "builder" => {
                builders = read_builders(mod_items(m));
            }
            syn::Item::Impl(imp) if imp.trait_.is_none() && self_name(imp) == "Client" => {
                client_methods.extend(read_client_methods(imp));
            }
            _ => {}
        }
    }
    let ops = operations_by_method(doc);
    for (name, builder_name, doc_text) in client_methods {
        let builder = builders.remove(&builder_name).unwrap_or_default();
        let (operation_id, http_method, path) = ops.get(&name).cloned().unwrap_or_default();
        api.methods.insert(
            name,
            MethodDef {
                operation_id,
                http_method,
                path,
                params: builder.params,
                response: builder.response,
                doc: doc_text,
            },
        );
    }
    Ok(api)
}

/// The operations of a description as methods without parameters, response
/// types or docs: what can be compared with a side that did not generate.
pub fn operations_only(doc: &Value) -> RustApi {
    let methods = operations_by_method(doc)
        .into_iter()
        .map(|(name, (operation_id, http_method, path))| {
            let def = MethodDef {
                operation_id,
                http_method,
                path,
                ..MethodDef::default()
            };
            (name, def)
        })
        .collect();
    RustApi {
        types: BTreeMap::new(),
        methods,
    }
}

/// Method name → (operationId, HTTP method, path) of a document: every
/// operation with an operationId (no version check, so that a description
/// the pipeline refuses still lists its operations).
fn operations_by_method(doc: &Value) -> BTreeMap<String, (String, String, String)> {
    aiven_openapi::walk::operations(doc)
        .into_iter()
        .filter_map(|op| {
            let id = op.operation_id()?.to_owned();
            let name = aiven_openapi::codegen::operation_name(&id);
            let method = op.method.to_ascii_uppercase();
            Some((name, (id, method, op.path.to_owned())))
        })
        .collect()
}

fn mod_items(m: &syn::ItemMod) -> &[syn::Item] {
    m.content
        .as_ref()
        .map_or(&[], |(_, items)| items.as_slice())
}

fn self_name(imp: &syn::ItemImpl) -> String {
    match &*imp.self_ty {
        syn::Type::Path(p) => last_ident(&p.path),
        _ => String::new(),
    }
}

fn last_ident(path: &syn::Path) -> String {
    path.segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

/// The types of `mod types` (its `builder`, `defaults` and `error` modules
/// are implementation detail: they mirror the types).
fn read_types(items: &[syn::Item]) -> BTreeMap<String, TypeDef> {
    let mut types = BTreeMap::new();
    let mut validations: BTreeMap<String, String> = BTreeMap::new();
    for item in items {
        match item {
            syn::Item::Struct(s) => {
                let shape = match &s.fields {
                    syn::Fields::Named(named) => Shape::Struct(
                        named
                            .named
                            .iter()
                            .filter_map(|f| Some((f.ident.as_ref()?.to_string(), field_def(f))))
                            .collect(),
                    ),
                    syn::Fields::Unnamed(unnamed) => Shape::Newtype {
                        inner: unnamed.unnamed.iter().map(|f| type_str(&f.ty)).collect(),
                        validation: String::new(),
                    },
                    syn::Fields::Unit => Shape::Struct(BTreeMap::new()),
                };
                types.insert(s.ident.to_string(), type_def(shape, &s.attrs));
            }
            syn::Item::Enum(e) => {
                let variants = e
                    .variants
                    .iter()
                    .map(|v| (v.ident.to_string(), variant_payload(&v.fields)))
                    .collect();
                types.insert(
                    e.ident.to_string(),
                    type_def(Shape::Enum(variants), &e.attrs),
                );
            }
            syn::Item::Type(t) => {
                let shape = Shape::Alias(type_str(&t.ty));
                types.insert(t.ident.to_string(), type_def(shape, &t.attrs));
            }
            syn::Item::Impl(imp) if is_from_str(imp) => {
                let body = imp.items.iter().find_map(|it| match it {
                    syn::ImplItem::Fn(f) => Some(compact_tokens(&f.block)),
                    _ => None,
                });
                validations.insert(self_name(imp), body.unwrap_or_default());
            }
            _ => {}
        }
    }
    for (name, body) in validations {
        if let Some(TypeDef {
            shape: Shape::Newtype { validation, .. },
            ..
        }) = types.get_mut(&name)
        {
            *validation = body;
        }
    }
    types
}

/// `impl FromStr for X`: a newtype's validation.
fn is_from_str(imp: &syn::ItemImpl) -> bool {
    imp.trait_
        .as_ref()
        .is_some_and(|(_, path, _)| last_ident(path) == "FromStr")
}

fn type_def(shape: Shape, attrs: &[syn::Attribute]) -> TypeDef {
    TypeDef {
        shape,
        doc: doc_text(attrs),
    }
}

fn variant_payload(fields: &syn::Fields) -> String {
    match fields {
        syn::Fields::Unit => String::new(),
        syn::Fields::Unnamed(f) => {
            let inner: Vec<String> = f.unnamed.iter().map(|f| type_str(&f.ty)).collect();
            format!("({})", inner.join(", "))
        }
        syn::Fields::Named(f) => {
            let inner: Vec<String> = f
                .named
                .iter()
                .map(|f| {
                    let name = f.ident.as_ref().map(ToString::to_string);
                    format!("{}: {}", name.unwrap_or_default(), type_str(&f.ty))
                })
                .collect();
            format!("{{ {} }}", inner.join(", "))
        }
    }
}

fn field_def(field: &syn::Field) -> FieldDef {
    let ty = type_str(&field.ty);
    let has_default = field
        .attrs
        .iter()
        .any(|a| a.path().is_ident("serde") && compact_tokens(&a.meta).contains("default"));
    let (doc, known_values) = split_known_values(&doc_text(&field.attrs));
    FieldDef {
        required: !ty.starts_with("Option<") && !has_default,
        ty,
        known_values,
        doc,
    }
}

/// The documentation of an item: its `#[doc]` attributes joined by lines.
fn doc_text(attrs: &[syn::Attribute]) -> String {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    lines.join("\n").trim().to_owned()
}

/// Splits off the "Known values: `a`, `b`." paragraph the open-world rule
/// writes for response strings that had an enum.
pub fn split_known_values(doc: &str) -> (String, Vec<String>) {
    const MARKER: &str = "Known values: ";
    let Some(start) = doc.find(MARKER) else {
        return (doc.to_owned(), Vec::new());
    };
    let rest = &doc[start + MARKER.len()..];
    let end = rest.find("`.").map_or(rest.len(), |i| i + 2);
    // `a`, `b`. as written by the open-world rule.
    let list = rest[..end].trim_end_matches('.');
    let list = list.strip_prefix('`').unwrap_or(list);
    let list = list.strip_suffix('`').unwrap_or(list);
    let values = list.split("`, `").map(str::to_owned).collect();
    let remaining = format!("{}{}", &doc[..start], &rest[end..]);
    (remaining.trim().to_owned(), values)
}

/// A type as written for people: last path segments with their generic
/// arguments, `Option<Vec<AclItem>>` for
/// `::std::option::Option<::std::vec::Vec<AclItem>>`.
pub fn type_str(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => path_str(&p.path),
        syn::Type::Reference(r) => format!("&{}", type_str(&r.elem)),
        syn::Type::Paren(p) => type_str(&p.elem),
        syn::Type::Group(g) => type_str(&g.elem),
        syn::Type::Tuple(t) => {
            let parts: Vec<String> = t.elems.iter().map(type_str).collect();
            format!("({})", parts.join(", "))
        }
        syn::Type::Slice(s) => format!("[{}]", type_str(&s.elem)),
        syn::Type::Array(a) => format!("[{}; {}]", type_str(&a.elem), compact_tokens(&a.len)),
        other => compact_tokens(other),
    }
}

fn path_str(path: &syn::Path) -> String {
    let Some(last) = path.segments.last() else {
        return String::new();
    };
    let mut out = last.ident.to_string();
    if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
        let args: Vec<String> = args
            .args
            .iter()
            .filter_map(|arg| match arg {
                syn::GenericArgument::Type(t) => Some(type_str(t)),
                syn::GenericArgument::Lifetime(_) => None,
                other => Some(compact_tokens(other)),
            })
            .collect();
        if !args.is_empty() {
            out.push_str(&format!("<{}>", args.join(", ")));
        }
    }
    out
}

/// Tokens as one string with no spaces, for comparing bodies.
fn compact_tokens(tokens: &impl quote::ToTokens) -> String {
    tokens
        .to_token_stream()
        .to_string()
        .split_whitespace()
        .collect()
}

/// `pub fn op(&self) -> builder::Op<'_>` of `impl Client`: (method, builder,
/// doc).
fn read_client_methods(imp: &syn::ItemImpl) -> Vec<(String, String, String)> {
    imp.items
        .iter()
        .filter_map(|it| match it {
            syn::ImplItem::Fn(f) => {
                let syn::ReturnType::Type(_, ty) = &f.sig.output else {
                    return None;
                };
                let syn::Type::Path(p) = &**ty else {
                    return None;
                };
                let segments: Vec<String> = p
                    .path
                    .segments
                    .iter()
                    .map(|s| s.ident.to_string())
                    .collect();
                match segments.as_slice() {
                    [module, builder] if module == "builder" => {
                        Some((f.sig.ident.to_string(), builder.clone(), doc_text(&f.attrs)))
                    }
                    _ => None,
                }
            }
            _ => None,
        })
        .collect()
}

/// A request builder of the top-level `mod builder`.
#[derive(Debug, Default)]
struct Builder {
    params: BTreeMap<String, ParamDef>,
    response: String,
}

fn read_builders(items: &[syn::Item]) -> BTreeMap<String, Builder> {
    let mut builders: BTreeMap<String, Builder> = BTreeMap::new();
    let mut required: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for item in items {
        match item {
            syn::Item::Struct(s) => {
                let builder = builders.entry(s.ident.to_string()).or_default();
                for f in &s.fields {
                    let Some(name) = f.ident.as_ref().map(ToString::to_string) else {
                        continue;
                    };
                    if name == "client" {
                        continue;
                    }
                    builder.params.insert(
                        name,
                        ParamDef {
                            ty: param_type(&f.ty),
                            required: false,
                        },
                    );
                }
            }
            syn::Item::Impl(imp) if imp.trait_.is_none() => {
                let name = self_name(imp);
                for it in &imp.items {
                    let syn::ImplItem::Fn(f) = it else { continue };
                    if f.sig.ident == "new" {
                        required.insert(name.clone(), uninitialized_fields(&f.block));
                    } else if f.sig.ident == "send" {
                        builders.entry(name.clone()).or_default().response =
                            response_type(&f.sig.output);
                    }
                }
            }
            _ => {}
        }
    }
    for (name, fields) in required {
        if let Some(builder) = builders.get_mut(&name) {
            for field in fields {
                if let Some(p) = builder.params.get_mut(&field) {
                    p.required = true;
                }
            }
        }
    }
    builders
}

/// The type a builder field holds: `T` of `Result<T, String>`, without the
/// `Option` of an optional parameter (its setter takes `T`).
fn param_type(ty: &syn::Type) -> String {
    let inner = first_generic(ty).unwrap_or(ty);
    let inner = match type_str(inner).starts_with("Option<") {
        true => first_generic(inner).unwrap_or(inner),
        false => inner,
    };
    type_str(inner)
}

fn first_generic(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let syn::PathArguments::AngleBracketed(args) = &p.path.segments.last()?.arguments else {
        return None;
    };
    args.args.iter().find_map(|a| match a {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    })
}

/// Fields `new()` initializes with `Err("… was not initialized")`: the
/// builder refuses to send without them.
fn uninitialized_fields(block: &syn::Block) -> Vec<String> {
    let Some(syn::Stmt::Expr(syn::Expr::Struct(s), _)) = block.stmts.last() else {
        return Vec::new();
    };
    s.fields
        .iter()
        .filter_map(|fv| {
            let syn::Member::Named(name) = &fv.member else {
                return None;
            };
            let syn::Expr::Call(call) = &fv.expr else {
                return None;
            };
            let syn::Expr::Path(func) = &*call.func else {
                return None;
            };
            func.path.is_ident("Err").then(|| name.to_string())
        })
        .collect()
}

/// `T` of `Result<ResponseValue<T>, …>`.
fn response_type(output: &syn::ReturnType) -> String {
    let syn::ReturnType::Type(_, ty) = output else {
        return "()".to_owned();
    };
    let value = first_generic(ty);
    let inner = value.and_then(first_generic);
    inner.or(value).map(type_str).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_are_split_from_the_doc() {
        let (doc, values) = split_known_values("State\n\nKnown values: `A`, `B c`.");
        assert_eq!(
            (doc.as_str(), values),
            ("State", vec!["A".into(), "B c".into()])
        );
        let (doc, values) =
            split_known_values("Method\n\nKnown values: ``, `dump`, `a,b`.\n\nMore");
        assert_eq!(doc, "Method\n\n\n\nMore");
        assert_eq!(values, ["", "dump", "a,b"]);
        let (doc, values) = split_known_values("Plain");
        assert_eq!((doc.as_str(), values.len()), ("Plain", 0));
    }

    #[test]
    fn types_print_compactly() {
        let ty: syn::Type = syn::parse_str(
            "::std::option::Option<::std::vec::Vec<::serde_json::Map<::std::string::String, ::serde_json::Value>>>",
        )
        .unwrap();
        assert_eq!(type_str(&ty), "Option<Vec<Map<String, Value>>>");
    }

    #[test]
    fn routes_hide_path_parameter_names() {
        let m = MethodDef {
            http_method: "GET".into(),
            path: "/project/{project}/service/{service_name}".into(),
            ..MethodDef::default()
        };
        assert_eq!(m.route(), "GET /project/{}/service/{}");
    }
}
