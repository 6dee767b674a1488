//! Code generation with an explicitly configured progenitor `Generator`, and
//! the operation table that proves every operation became a client method.

use std::collections::BTreeMap;

use progenitor::{GenerationSettings, Generator, InterfaceStyle, TagStyle};
use quote::quote;
use serde_json::Value;
use syn::visit::Visit;

use crate::{rules, Error, Prepared};

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
pub fn generate(prepared: &Prepared, interface: Interface) -> Result<Generated, Error> {
    let spec: openapiv3::OpenAPI = serde_json::from_value(prepared.doc.clone())
        .map_err(|e| Error::Codegen(format!("normalized description does not parse: {e}")))?;
    let mut generator = Generator::new(&settings(&prepared.doc, interface));
    let tokens = generator
        .generate_tokens(&spec)
        .map_err(|e| Error::Codegen(e.to_string()))?;
    let file: syn::File = syn::parse2(tokens).map_err(|e| Error::Codegen(e.to_string()))?;
    let methods = client_methods(&file);
    Ok(Generated {
        code: prettyplease::unparse(&file),
        methods,
    })
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
