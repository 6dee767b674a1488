//! Compiles the Aiven OpenAPI description into the tables the simulator
//! embeds (`OUT_DIR/spec.json`), so the binary needs no file at run time.
//!
//! The description is normalized with the same pipeline as the client
//! (`aiven_openapi::prepare` with the overlay): request schemas are the
//! strict ones the generated client serializes against, and paths have their
//! route converters stripped. Response schemas are written twice: from the
//! normalized document (tolerant, what the client decodes) and from the
//! published one (strict, what Aiven promises), for the conformance checks.
//!
//! Every schema is converted from OpenAPI 3.0 to JSON Schema draft 7 here:
//! `$ref`s to `#/components/schemas/X` become `#/definitions/X`, `nullable`
//! becomes a `null` type, boolean `exclusiveMinimum`/`exclusiveMaximum`
//! become numbers, `properties: {ANY: S}` becomes `additionalProperties: S`,
//! and annotations (descriptions, examples, formats) are dropped.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::{json, Map, Value};

use aiven_openapi::walk::METHODS;
use aiven_openapi::SpecFiles;

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let files = SpecFiles::in_dir(&manifest.parent().expect("workspace root").join("openapi"));
    files.rerun_if_changed();
    let raw = files.read_spec().unwrap_or_else(|e| fail(&e.to_string()));
    let prepared = files.prepare().unwrap_or_else(|e| fail(&e.to_string()));
    let doc = &prepared.doc;

    // The published operations by id: security and strict response schemas.
    let mut raw_ops: BTreeMap<String, &Value> = BTreeMap::new();
    for item in raw["paths"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
    {
        for m in METHODS {
            if let Some(op) = item.get(m) {
                if let Some(id) = op["operationId"].as_str() {
                    raw_ops.insert(id.to_string(), op);
                }
            }
        }
    }
    let global_security = raw
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());

    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for m in METHODS {
            let Some(op) = item.get(m) else { continue };
            let id = op["operationId"].as_str().expect("operationId").to_string();
            let raw_op = raw_ops.get(&id).copied().unwrap_or(&Value::Null);
            let auth = match raw_op.get("security") {
                Some(Value::Array(a)) => !a.is_empty(),
                _ => global_security,
            };
            let (request, request_required) = match op.get("requestBody") {
                Some(body) => (
                    body.pointer("/content/application~1json/schema")
                        .map(convert)
                        .unwrap_or(Value::Null),
                    body.get("required")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                ),
                None => (Value::Null, false),
            };
            operations.push(json!({
                "operation_id": id,
                "method": m.to_uppercase(),
                "path": path,
                "auth": auth,
                "request": request,
                "request_required": request_required,
                "responses": responses(op),
                "raw_responses": responses(raw_op),
            }));
        }
    }
    if operations.len() != prepared.operations.len() {
        fail(&format!(
            "{} operations in the normalized document, {} published",
            operations.len(),
            prepared.operations.len()
        ));
    }

    let definitions = convert_components(doc);
    let raw_definitions = convert_components(&raw);
    let out = json!({
        "operations": operations,
        "definitions": definitions,
        "raw_definitions": raw_definitions,
        "service_types": service_types(&raw),
        "error_codes": error_codes(&raw),
    });
    let path = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("spec.json");
    let text = serde_json::to_string(&out).expect("serializable");
    std::fs::write(&path, text).unwrap_or_else(|e| fail(&format!("{}: {e}", path.display())));
}

/// The JSON response schemas of an operation by status code.
fn responses(op: &Value) -> Value {
    let mut out = Map::new();
    if let Some(Value::Object(rs)) = op.get("responses") {
        for (code, r) in rs {
            if let Some(s) = r.pointer("/content/application~1json/schema") {
                out.insert(code.clone(), convert(s));
            }
        }
    }
    Value::Object(out)
}

fn convert_components(doc: &Value) -> Value {
    let mut defs = Map::new();
    if let Some(Value::Object(schemas)) = doc.pointer("/components/schemas") {
        for (name, s) in schemas {
            defs.insert(name.clone(), convert(s));
        }
    }
    Value::Object(defs)
}

/// One OpenAPI 3.0 schema as JSON Schema draft 7 (see the module docs).
fn convert(schema: &Value) -> Value {
    let Value::Object(obj) = schema else {
        return schema.clone();
    };
    if let Some(Value::String(r)) = obj.get("$ref") {
        // OpenAPI 3.0 ignores the siblings of a `$ref`.
        let r = r.replace("#/components/schemas/", "#/definitions/");
        return json!({ "$ref": r });
    }
    let mut out = Map::new();
    for (k, v) in obj {
        match k.as_str() {
            "properties" => {
                let props = v.as_object().cloned().unwrap_or_default();
                if props.len() == 1 && props.contains_key("ANY") {
                    // Aiven writes "a map of S" as a single property named ANY.
                    out.insert("additionalProperties".into(), convert(&props["ANY"]));
                } else {
                    let converted: Map<String, Value> =
                        props.iter().map(|(n, s)| (n.clone(), convert(s))).collect();
                    out.insert(k.clone(), Value::Object(converted));
                }
            }
            "items" | "additionalProperties" | "not" => {
                if v.is_object() {
                    out.insert(k.clone(), convert(v));
                } else {
                    out.insert(k.clone(), v.clone());
                }
            }
            "allOf" | "anyOf" | "oneOf" => {
                let list = v.as_array().cloned().unwrap_or_default();
                out.insert(k.clone(), Value::Array(list.iter().map(convert).collect()));
            }
            "type" | "enum" | "required" | "minimum" | "maximum" | "minLength" | "maxLength"
            | "pattern" | "minItems" | "maxItems" | "uniqueItems" | "minProperties"
            | "maxProperties" | "multipleOf" => {
                out.insert(k.clone(), v.clone());
            }
            // Annotations, OpenAPI-only keywords and formats (not validated).
            _ => {}
        }
    }
    for (bound, key) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if obj.get(bound) == Some(&Value::Bool(true)) {
            if let Some(limit) = out.remove(key) {
                out.insert(bound.into(), limit);
            }
        }
    }
    if let Some(Value::Array(req)) = out.get("required") {
        if req.is_empty() {
            out.remove("required");
        }
    }
    if obj.get("nullable") == Some(&Value::Bool(true)) {
        match out.get("type").cloned() {
            Some(Value::String(t)) => {
                out.insert("type".into(), json!([t, "null"]));
                if let Some(Value::Array(values)) = out.get_mut("enum") {
                    if !values.contains(&Value::Null) {
                        values.push(Value::Null);
                    }
                }
            }
            _ => return json!({ "anyOf": [Value::Object(out), { "type": "null" }] }),
        }
    }
    Value::Object(out)
}

/// The service types the description enumerates (the only list of them in
/// it): the first enum holding both `pg` and `kafka`.
fn service_types(doc: &Value) -> Value {
    fn find(v: &Value) -> Option<Vec<Value>> {
        match v {
            Value::Object(m) => {
                if let Some(Value::Array(e)) = m.get("enum") {
                    let has = |s: &str| e.iter().any(|x| x == s);
                    if has("pg") && has("kafka") {
                        return Some(e.clone());
                    }
                }
                m.values().find_map(find)
            }
            Value::Array(a) => a.iter().find_map(find),
            _ => None,
        }
    }
    let mut types: Vec<Value> = find(doc).unwrap_or_default();
    types.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    types.dedup();
    Value::Array(types)
}

/// The machine-readable error codes the description's introduction lists
/// ("## Error codes", one `` - `code` `` per line) or shows in its examples
/// (`"error_code": "code"`).
fn error_codes(doc: &Value) -> Value {
    let text = doc
        .pointer("/info/description")
        .and_then(Value::as_str)
        .unwrap_or("");
    let section = text.split("## Error codes").nth(1).unwrap_or("");
    let mut codes: BTreeSet<String> = section
        .lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix("- `")?
                .strip_suffix('`')
                .map(str::to_string)
        })
        .collect();
    for example in text.split("\"error_code\": \"").skip(1) {
        if let Some(code) = example.split('"').next() {
            codes.insert(code.to_string());
        }
    }
    json!(codes)
}
