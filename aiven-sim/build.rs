//! Compiles the Aiven OpenAPI description into the tables the simulator
//! embeds (`OUT_DIR/spec.json`), so the binary needs no file at run time.
//!
//! The description is normalized with the same pipeline as the client
//! (`aiven_openapi::prepare` with the overlay): request schemas are the
//! strict ones the generated client serializes against, and paths have their
//! route converters stripped. Response schemas are written twice: from the
//! normalized document (tolerant, what the client decodes) and from the
//! published one (strict, what Aiven promises), for the conformance checks.
//! The published document gets two repairs, by the pipeline's own rules
//! `placeholder-map-keys` (`properties: {ANY: S}` is a map of `S`) and
//! `escaped-property-names` (`client\-id` is sent as `client-id`).
//!
//! Operations come from `aiven_openapi::walk::operations` and subschemas from
//! `aiven_openapi::walk` (the one traversal of the document). Every schema is
//! converted from OpenAPI 3.0 to JSON Schema draft 7 here: `$ref`s to
//! `#/components/schemas/X` become `#/definitions/X`, `nullable` becomes a
//! `null` type, boolean `exclusiveMinimum`/`exclusiveMaximum` become numbers,
//! and annotations (descriptions, examples, formats) are dropped.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::{json, Map, Value};

use aiven_openapi::rules::Rule;
use aiven_openapi::walk::{self, OperationRef};
use aiven_openapi::SpecFiles;

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let files = SpecFiles::in_dir(&manifest.parent().expect("workspace root").join("openapi"));
    files.rerun_if_changed();
    let raw = files
        .obtain(&PathBuf::from(
            std::env::var("OUT_DIR").expect("set by cargo"),
        ))
        .unwrap_or_else(|e| fail(&e.to_string()));
    let prepared = files.prepare().unwrap_or_else(|e| fail(&e.to_string()));
    let doc = &prepared.doc;
    let mut raw = raw;
    for rule in ["placeholder-map-keys", "escaped-property-names"] {
        Rule::by_name(rule)
            .unwrap_or_else(|| fail(&format!("aiven-openapi has no rule `{rule}`")))
            .apply_to(&mut raw)
            .unwrap_or_else(|e| fail(&e.to_string()));
    }

    // The published operations by id: security and strict response schemas.
    let raw_ops: BTreeMap<&str, OperationRef<'_>> = walk::operations(&raw)
        .into_iter()
        .filter_map(|op| Some((op.operation_id()?, op)))
        .collect();
    let global_security = raw
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());

    let mut operations = Vec::new();
    for op in walk::operations(doc) {
        // `aiven_openapi::check` made sure every operation has a unique id.
        let id = op.operation_id().expect("operationId");
        let raw_op = raw_ops.get(id).map_or(&Value::Null, |o| o.operation);
        let auth = match raw_op.get("security") {
            Some(Value::Array(a)) => !a.is_empty(),
            _ => global_security,
        };
        let (request, request_required) = match op.operation.get("requestBody") {
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
        let request_schema = op
            .operation
            .pointer("/requestBody/content/application~1json/schema");
        operations.push(json!({
            "operation_id": id,
            "method": op.method.to_uppercase(),
            "path": op.path,
            "auth": auth,
            "request": request,
            "request_required": request_required,
            "responses": responses(op.operation),
            "raw_responses": responses(raw_op),
            "refs": refs(request_schema.into_iter().chain(response_schemas(op.operation))),
            "raw_refs": refs(response_schemas(raw_op)),
            "success": success(raw_op),
        }));
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
        "published_operations": prepared.operations.len(),
        "operations": operations,
        "definitions": definitions,
        "raw_definitions": raw_definitions,
        "definition_refs": definition_refs(doc),
        "raw_definition_refs": definition_refs(&raw),
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

/// The success status the published operation declares first (`200`, or
/// `204` for the operations that answer no body) and its first media type,
/// for the simulator to answer `204` or a CSV or PDF where it is due.
fn success(op: &Value) -> Value {
    let found = op
        .get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .find_map(|(code, r)| Some((code.parse::<u16>().ok().filter(|c| c / 100 == 2)?, r)));
    match found {
        Some((status, r)) => {
            let media = r
                .get("content")
                .and_then(Value::as_object)
                .and_then(|c| c.keys().next().cloned());
            json!({ "status": status, "media": media })
        }
        None => json!({ "status": 200, "media": "application/json" }),
    }
}

/// The JSON response schemas of an operation.
fn response_schemas(op: &Value) -> impl Iterator<Item = &Value> {
    op.get("responses")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|rs| rs.values())
        .filter_map(|r| r.pointer("/content/application~1json/schema"))
}

/// The component schemas `schemas` reference directly, sorted (found by
/// `aiven_openapi::walk::refs_below`).
fn refs<'a>(schemas: impl IntoIterator<Item = &'a Value>) -> Vec<String> {
    let mut names = Vec::new();
    for s in schemas {
        walk::refs_below(s, &mut names);
    }
    names.sort();
    names.dedup();
    names
}

/// Each component schema's direct references: the graph the simulator
/// follows, from an operation's `refs`, to give a validator only the
/// definitions its schema reaches.
fn definition_refs(doc: &Value) -> Value {
    let mut out = Map::new();
    if let Some(Value::Object(schemas)) = doc.pointer("/components/schemas") {
        for (name, s) in schemas {
            out.insert(name.clone(), json!(refs([s])));
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
    let mut out = schema.clone();
    walk::walk_pre_mut(&mut out, &mut to_draft7);
    out
}

/// The keywords draft 7 validates that are kept as they are; subschema
/// keywords are kept here and converted when the walker reaches them.
const KEPT: [&str; 21] = [
    "properties",
    "items",
    "additionalProperties",
    "not",
    "allOf",
    "anyOf",
    "oneOf",
    "type",
    "enum",
    "required",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "multipleOf",
];

/// Converts one schema's own keywords (the walker visits its subschemas
/// after it). Converting a converted schema changes nothing, so the walker
/// may visit one wrapped in `anyOf` (a nullable schema without a type).
fn to_draft7(schema: &mut Value) {
    let Value::Object(obj) = schema else { return };
    if let Some(Value::String(r)) = obj.get("$ref") {
        // OpenAPI 3.0 ignores the siblings of a `$ref`.
        let r = r.replace("#/components/schemas/", "#/definitions/");
        *schema = json!({ "$ref": r });
        return;
    }
    let nullable = obj.get("nullable") == Some(&Value::Bool(true));
    let exclusive: Vec<(&str, &str)> = [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ]
    .into_iter()
    .filter(|(bound, _)| obj.get(*bound) == Some(&Value::Bool(true)))
    .collect();
    // Annotations, OpenAPI-only keywords and formats (not validated) go;
    // draft 7's numeric exclusive bounds stay.
    obj.retain(|k, v| {
        KEPT.contains(&k.as_str())
            || (matches!(k.as_str(), "exclusiveMinimum" | "exclusiveMaximum") && v.is_number())
    });
    for (bound, key) in exclusive {
        if let Some(limit) = obj.remove(key) {
            obj.insert(bound.into(), limit);
        }
    }
    if let Some(Value::Array(req)) = obj.get("required") {
        if req.is_empty() {
            obj.remove("required");
        }
    }
    if nullable {
        match obj.get("type").cloned() {
            Some(Value::String(t)) => {
                obj.insert("type".into(), json!([t, "null"]));
                if let Some(Value::Array(values)) = obj.get_mut("enum") {
                    if !values.contains(&Value::Null) {
                        values.push(Value::Null);
                    }
                }
            }
            _ => {
                let inner = std::mem::take(obj);
                *schema = json!({ "anyOf": [Value::Object(inner), { "type": "null" }] });
            }
        }
    }
}

/// The service types the description enumerates. Since 2026 the published
/// catalogue (`ListPublicServiceTypes`) names each as a property of
/// `service_types`; earlier descriptions wrote that object as an `ANY` map,
/// and their only list is the first enum holding both `pg` and `kafka`
/// (invoice lines, which from 2026 on also list internal types).
fn service_types(raw: &Value) -> Value {
    let resolve = |s: &Value| walk::resolve(raw, s).cloned();
    let catalogue: Vec<Value> = walk::operations(raw)
        .into_iter()
        .find(|op| op.operation_id() == Some("ListPublicServiceTypes"))
        .and_then(|op| resolve(op.operation.pointer("/responses/200")?))
        .and_then(|r| resolve(r.pointer("/content/application~1json/schema")?))
        .and_then(|s| resolve(s.pointer("/properties/service_types")?))
        .and_then(|s| s.get("properties").and_then(Value::as_object).cloned())
        .map(|props| props.keys().map(|k| json!(k)).collect())
        .unwrap_or_default();
    let mut types = if catalogue.is_empty() {
        let mut found = None;
        for root in walk::schema_roots(raw) {
            let Some(schema) = raw.pointer(&root.pointer) else {
                continue;
            };
            walk::walk_pre(schema, &mut Vec::new(), &mut |_, s| {
                if let (None, Some(Value::Array(e))) = (&found, s.get("enum")) {
                    let has = |t: &str| e.iter().any(|x| x == t);
                    if has("pg") && has("kafka") {
                        found = Some(e.clone());
                    }
                }
            });
            if found.is_some() {
                break;
            }
        }
        found.unwrap_or_default()
    } else {
        catalogue
    };
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
