//! The Rust identifiers the generator will derive from names in the
//! description, and the check that no two of them collide.
//!
//! progenitor and typify turn wire names into identifiers on their own
//! (`topics.exclude` → `topics_exclude`); when two names of one scope map to the
//! same identifier the generated code does not compile. The rules repair the
//! collisions they know how to repair (sibling properties); [`check`] refuses
//! whatever is left, naming both places, before any code is generated.

use std::collections::BTreeMap;

use heck::{ToPascalCase, ToSnakeCase};
use serde_json::Value;
use unicode_ident::{is_xid_continue, is_xid_start};

use crate::walk::{self, Side};
use crate::Error;

/// Case of a derived identifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    Snake,
    Pascal,
}

/// The identifier typify derives from `name` (its `util::sanitize`): quotes
/// dropped, other non-identifier characters become word breaks, the case is
/// applied, a leading non-letter gets an `x` prefix and a keyword a trailing `_`.
pub fn ident(name: &str, case: Case) -> String {
    let to_case = |s: &str| match case {
        Case::Snake => s.to_snake_case(),
        Case::Pascal => s.to_pascal_case(),
    };
    let out = match name {
        "+1" => "plus1".to_string(),
        "-1" => "minus1".to_string(),
        _ => to_case(&name.replace('\'', "").replace(|c| !is_xid_continue(c), "-")),
    };
    let out = match out.chars().next() {
        None => to_case("x"),
        Some(c) if is_xid_start(c) => out,
        Some(_) => format!("{}{out}", to_case("x")),
    };
    if is_keyword(&out) {
        format!("{out}_")
    } else {
        out
    }
}

/// The field name of a property.
pub fn field(wire: &str) -> String {
    ident(wire, Case::Snake)
}

/// The variant names typify gives a string enum's values: plain sanitizing,
/// or, when that collides, with the elided characters spelled as `X`.
pub fn variants(values: &[&str]) -> Vec<String> {
    let plain: Vec<String> = values.iter().map(|v| ident(v, Case::Pascal)).collect();
    if all_unique(&plain) {
        return plain;
    }
    values
        .iter()
        .map(|v| {
            ident(
                &v.replace(|c| c == '_' || !is_xid_continue(c), "X"),
                Case::Pascal,
            )
        })
        .collect()
}

fn all_unique(names: &[String]) -> bool {
    let mut seen = std::collections::BTreeSet::new();
    names.iter().all(|n| seen.insert(n))
}

fn is_keyword(s: &str) -> bool {
    matches!(
        s,
        "_" | "abstract"
            | "as"
            | "async"
            | "await"
            | "become"
            | "box"
            | "break"
            | "const"
            | "continue"
            | "crate"
            | "do"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "final"
            | "fn"
            | "for"
            | "gen"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "macro"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "override"
            | "priv"
            | "pub"
            | "ref"
            | "return"
            | "Self"
            | "self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "try"
            | "type"
            | "typeof"
            | "unsafe"
            | "unsized"
            | "use"
            | "virtual"
            | "where"
            | "while"
            | "yield"
    )
}

/// Records, per scope, which name claimed each identifier, and fails on the
/// second claim.
struct Scope<'a> {
    kind: &'static str,
    place: &'a str,
    seen: BTreeMap<String, String>,
}

impl<'a> Scope<'a> {
    fn new(kind: &'static str, place: &'a str) -> Self {
        Self {
            kind,
            place,
            seen: BTreeMap::new(),
        }
    }

    fn claim(&mut self, ident: String, name: &str) -> Result<(), Error> {
        if let Some(first) = self.seen.insert(ident.clone(), name.to_string()) {
            return Err(Error::IdentifierClash {
                kind: self.kind,
                ident,
                first: format!("{} `{first}`", self.place),
                second: format!("{} `{name}`", self.place),
            });
        }
        Ok(())
    }
}

/// Fails, naming both places, when two names of one scope would become the
/// same Rust identifier: fields of a struct, variants of an enum, client
/// methods and builders, or the parameters of one operation.
pub fn check(doc: &Value) -> Result<(), Error> {
    let request_components = walk::component_sides(doc);
    for root in walk::schema_roots(doc) {
        let Some(schema) = doc.pointer(&root.pointer) else {
            continue;
        };
        let side = match root.side {
            Some(s) => Some(s),
            None => {
                let name = root.pointer.trim_start_matches("/components/schemas/");
                request_components
                    .get(&name.replace("~1", "/").replace("~0", "~"))
                    .map(|s| {
                        if s.contains(&Side::Request) {
                            Side::Request
                        } else {
                            Side::Response
                        }
                    })
            }
        };
        let mut result = Ok(());
        walk::walk_pre(schema, &mut Vec::new(), &mut |steps, s| {
            if result.is_ok() {
                result = check_schema(&root.pointer, steps, s, side);
            }
        });
        result?;
    }
    check_operations(doc)
}

fn check_schema(
    root: &str,
    steps: &[walk::Step],
    s: &Value,
    side: Option<Side>,
) -> Result<(), Error> {
    let place = if steps.is_empty() {
        root.to_string()
    } else {
        format!("{root} {}", walk::render_path(steps))
    };
    if let Some(Value::Object(props)) = s.get("properties") {
        let mut scope = Scope::new("field", &place);
        for name in props.keys() {
            scope.claim(field(name), name)?;
        }
        // typify flattens a schema-valued `additionalProperties` into `extra`.
        if s.get("additionalProperties").is_some_and(Value::is_object) && !props.is_empty() {
            scope.claim("extra".into(), "(additional properties)")?;
        }
    }
    // Response enums become strings (open-world rule); request enums become
    // Rust enums whose variants must be distinct.
    if side == Some(Side::Request) {
        if let Some(Value::Array(values)) = s.get("enum") {
            let names: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
            if names.len() == values.len() {
                let mut scope = Scope::new("enum variant", &place);
                for (v, name) in variants(&names).into_iter().zip(&names) {
                    scope.claim(v, name)?;
                }
            }
        }
    }
    Ok(())
}

fn check_operations(doc: &Value) -> Result<(), Error> {
    let mut methods = Scope::new("client method", "operation");
    let mut builders = Scope::new("builder type", "operation");
    for op in walk::operations(doc) {
        let Some(id) = op.operation.get("operationId").and_then(Value::as_str) else {
            continue;
        };
        methods.claim(id.to_snake_case(), id)?;
        builders.claim(id.to_pascal_case(), id)?;
        let place = format!("{} {} parameter", op.method.to_uppercase(), op.path);
        let mut params = Scope::new("builder setter", &place);
        for p in op.parameters(doc) {
            if let Some(name) = p.get("name").and_then(Value::as_str) {
                params.claim(ident(name, Case::Snake), name)?;
            }
        }
        if op.operation.get("requestBody").is_some() {
            params.claim("body".into(), "(request body)")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn identifiers_follow_typify() {
        assert_eq!(field("topics.exclude"), "topics_exclude");
        assert_eq!(field("topics_exclude"), "topics_exclude");
        assert_eq!(field("end-time"), "end_time");
        assert_eq!(field("type"), "type_");
        assert_eq!(field("2fa"), "x2fa");
        assert_eq!(field("don't"), "dont");
        assert_eq!(ident("service_type", Case::Pascal), "ServiceType");
        assert_eq!(variants(&["ON", "OFF"]), ["On", "Off"]);
        // `a-b` and `a_b` collide plainly; typify then spells them with X.
        assert_eq!(variants(&["a-b", "a_b"]), ["AXb", "AXb"]);
        assert_eq!(variants(&["a-b", "ab"]), ["AB", "Ab"]);
    }

    fn doc(schemas: Value, paths: Value) -> Value {
        json!({"openapi": "3.0.1", "paths": paths, "components": {"schemas": schemas}})
    }

    #[test]
    fn sibling_fields_that_collide_are_refused_with_both_names() {
        let d = doc(
            json!({"Flow": {"type": "object", "properties": {
                "topics.exclude": {"type": "string"},
                "topics_exclude": {"type": "string"},
            }}}),
            json!({}),
        );
        let err = check(&d).unwrap_err().to_string();
        assert_eq!(
            err,
            "field identifier `topics_exclude` would be generated twice: \
             /components/schemas/Flow `topics.exclude` and /components/schemas/Flow `topics_exclude`"
        );
        let nested = doc(
            json!({"Flow": {"type": "object", "properties": {"inner": {"type": "object", "properties": {
                "a-b": {"type": "string"}, "a_b": {"type": "string"},
            }}}}}),
            json!({}),
        );
        let err = check(&nested).unwrap_err().to_string();
        assert!(
            err.contains("/components/schemas/Flow inner `a-b`"),
            "{err}"
        );
    }

    #[test]
    fn request_enum_variants_operations_and_parameters_are_checked() {
        let op = |id: &str, params: Value| json!({"operationId": id, "parameters": params, "responses": {}});
        let clean = doc(
            json!({"Body": {"type": "object", "properties": {"mode": {"type": "string", "enum": ["a-b", "ab"]}}}}),
            json!({"/x": {"post": {
                "operationId": "XCreate",
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Body"}}}},
                "responses": {},
            }}}),
        );
        check(&clean).unwrap();

        let variants = doc(
            json!({"Body": {"type": "object", "properties": {"mode": {"type": "string", "enum": ["a-b", "a_b"]}}}}),
            json!({"/x": {"post": {
                "operationId": "XCreate",
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Body"}}}},
                "responses": {},
            }}}),
        );
        let err = check(&variants).unwrap_err().to_string();
        assert!(err.starts_with("enum variant identifier `AXb`"), "{err}");

        let methods = doc(
            json!({}),
            json!({"/a": {"get": op("ServiceGet", json!([]))}, "/b": {"get": op("service_get", json!([]))}}),
        );
        let err = check(&methods).unwrap_err().to_string();
        assert_eq!(
            err,
            "client method identifier `service_get` would be generated twice: \
             operation `ServiceGet` and operation `service_get`"
        );

        let params = doc(
            json!({}),
            json!({"/a": {"get": op("AGet", json!([
                {"name": "page-size", "in": "query", "schema": {"type": "integer"}},
                {"name": "page_size", "in": "query", "schema": {"type": "integer"}},
            ]))}}),
        );
        let err = check(&params).unwrap_err().to_string();
        assert!(
            err.starts_with("builder setter identifier `page_size` would be generated twice: GET /a parameter `page-size`"),
            "{err}"
        );
    }
}
