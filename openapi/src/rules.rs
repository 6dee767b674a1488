//! The general normalization rules.
//!
//! Each rule repairs one *class* of defect wherever it occurs in the document,
//! so that a newer published spec with the same kinds of defects generates
//! without code changes. Every rule documents the defect, an example from the
//! published description, and why the fix is right; it returns how often it
//! fired, which `cargo xtask normalize --stats` prints.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use crate::walk::{self, Side, Step, METHODS};
use crate::Error;

/// One general rule.
pub struct Rule {
    /// Stable identifier, used in statistics.
    pub name: &'static str,
    /// The class of defect the rule repairs.
    pub defect: &'static str,
    /// A place where the published November 2023 description has it.
    pub example: &'static str,
    /// Why the repair is the right reading of the document.
    pub why: &'static str,
    pub(crate) apply: fn(&mut Value) -> Result<usize, Error>,
}

/// All rules, in the order they run.
pub const RULES: &[Rule] = &[
    Rule {
        name: "escaped-property-names",
        defect: "property names written with a backslash escape, as in a regular expression",
        example: "`end\\-time` in ServiceKafkaTopicMessageList… (14 places)",
        why: "the wire name is `end-time`; JSON property names need no escaping",
        apply: escaped_property_names,
    },
    Rule {
        name: "route-converters-in-paths",
        defect: "server route converters leaked into path templates",
        example: "`{version_id:latest|\\d+}`, `{download_cookie:.{6,}}` (4 paths)",
        why: "OpenAPI path templates name variables only; the pattern is server-side routing",
        apply: route_converters_in_paths,
    },
    Rule {
        name: "undeclared-path-parameters",
        defect: "path template variables with no `in: path` parameter declared",
        example: "`{download_cookie}` of ProjectInvoiceDownload… (5 operations)",
        why: "a template variable is always a required path parameter; it is declared as a string",
        apply: undeclared_path_parameters,
    },
    Rule {
        name: "empty-tag-names",
        defect: "tags with an empty `name`, the display name only in `x-displayName`",
        example: "tag `\"\"` with x-displayName `Cloud`, used by `GET /clouds`",
        why: "an empty tag cannot name anything; the display name is what the tag means",
        apply: empty_tag_names,
    },
    Rule {
        name: "placeholder-map-keys",
        defect: "maps written as an object with one property named `ANY`",
        example: "`service_types: {properties: {ANY: {…service type…}}}` (10 places)",
        why: "`ANY` stands for any key: the object is a map from string to that schema \
              (`additionalProperties`), not a struct with a field called `any`",
        apply: placeholder_map_keys,
    },
    Rule {
        name: "duplicate-enum-values",
        defect: "the same value listed twice in one `enum`",
        example: "two places; typify panics with \"Failed to make unique variant names\"",
        why: "an enum is a set of allowed values; a repeated value adds nothing",
        apply: duplicate_enum_values,
    },
    Rule {
        name: "default-type-mismatch",
        defect: "a `default` whose JSON type disagrees with the schema type",
        example: "boolean properties with default `\"true\"`",
        why: "the default is coerced to the declared type when it is unambiguous, else dropped",
        apply: default_type_mismatch,
    },
    Rule {
        name: "prose-titles",
        defect: "`title` used as human prose on schemas",
        example: "titles such as \"Service type\" on many unrelated properties",
        why: "typify names types after titles, so prose titles collide; descriptions keep the prose",
        apply: prose_titles,
    },
    Rule {
        name: "zero-minimums",
        defect: "`minLength: 0`, `minItems: 0`, `minProperties: 0`",
        example: "string properties with `minLength: 0`",
        why: "a zero minimum constrains nothing, and generates `len() < 0` checks clippy rejects",
        apply: zero_minimums,
    },
    Rule {
        name: "text-json-is-json",
        defect: "JSON responses declared as `text/json`",
        example: "ProjectGetSbomDownload… (`text/json` beside `text/csv`)",
        why: "where `text/json` is the only content it is JSON and is decoded as such; beside another \
              format the choice is made at run time, so the body stays a byte stream",
        apply: text_json_is_json,
    },
    Rule {
        name: "shared-error-response",
        defect: "error responses inlined per operation, or not declared at all",
        example: "only `POST /account/{account_id}/teams` declares 400/403/404",
        why: "every Aiven error has the one documented body `{message, errors[]}`; declaring it as \
              4XX/5XX for every operation makes the client return it typed for any non-2xx status",
        apply: shared_error_response,
    },
    Rule {
        name: "split-shared-components",
        defect: "a component schema used by both requests and responses",
        example: "none in November 2023; guards the open-world rules",
        why: "request schemas stay strict and response schemas become tolerant, so a schema used \
              on both sides is copied to `<Name>Response` for the response side",
        apply: split_shared_components,
    },
    Rule {
        name: "open-world-responses",
        defect: "closed response types: enums, length/range checks, required fields, formats",
        example: "service `state` enum; `NonZeroU64` counters; 2,768 required response fields",
        why: "a response must never fail to decode because the server drifted from the spec: a new \
              enum value, a longer string, a zero or a null. Known enum values stay in the docs",
        apply: open_world_responses,
    },
    Rule {
        name: "sendable-empty-collections",
        defect: "optional request lists and maps are skipped when empty",
        example: "ServiceUpdate `ip_filter: []` could not be sent",
        why: "an empty list is a meaningful value (clear all); optional request lists and maps \
              become `Option<Vec<_>>`/`Option<Map>` so `Some(empty)` is sent and `None` omitted",
        apply: sendable_empty_collections,
    },
    Rule {
        name: "sendable-null",
        defect: "request properties where `null` is meaningful cannot send `null`",
        example: "`project_vpc_id: null` moves a service to the public network (overlay fact)",
        why: "a `nullable` optional request property becomes `Option<Option<T>>`: `None` omits it, \
              `Some(None)` sends `null`",
        apply: sendable_null,
    },
];

/// Visits every schema of the given side (pre-order), including the component
/// schemas that side references, transitively.
pub(crate) fn for_each_schema_of_side(doc: &mut Value, side: Side, f: &mut dyn FnMut(&mut Value)) {
    let sides = component_sides(doc);
    for root in walk::schema_roots(doc) {
        let hit = match root.side {
            Some(s) => s == side,
            None => {
                let name = root.pointer.trim_start_matches("/components/schemas/");
                let name = name.replace("~1", "/").replace("~0", "~");
                sides.get(&name).is_some_and(|s| s.contains(&side))
            }
        };
        if hit {
            if let Some(schema) = doc.pointer_mut(&root.pointer) {
                walk::walk_pre_mut(schema, f);
            }
        }
    }
}

/// The sides on which each component schema is used (through refs, transitively).
pub(crate) fn component_sides(doc: &Value) -> BTreeMap<String, BTreeSet<Side>> {
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    let mut sides: BTreeMap<String, BTreeSet<Side>> = BTreeMap::new();
    for root in walk::schema_roots(doc) {
        let Some(side) = root.side else { continue };
        let mut stack = Vec::new();
        if let Some(s) = doc.pointer(&root.pointer) {
            walk::refs_below(s, &mut stack);
        }
        while let Some(name) = stack.pop() {
            if sides.entry(name.clone()).or_default().insert(side) {
                if let Some(s) = schemas.and_then(|m| m.get(&name)) {
                    walk::refs_below(s, &mut stack);
                }
            }
        }
    }
    sides
}

fn for_each_schema(doc: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    for root in walk::schema_roots(doc) {
        if let Some(schema) = doc.pointer_mut(&root.pointer) {
            walk::walk_pre_mut(schema, f);
        }
    }
}

fn unescape(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut chars = name.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn escaped_property_names(doc: &mut Value) -> Result<usize, Error> {
    let mut n = 0;
    for_each_schema(doc, &mut |s| {
        let Some(obj) = s.as_object_mut() else { return };
        if let Some(Value::Object(props)) = obj.get_mut("properties") {
            if props.keys().any(|k| k.contains('\\')) {
                let old = std::mem::take(props);
                for (k, v) in old {
                    if k.contains('\\') {
                        n += 1;
                    }
                    props.insert(unescape(&k), v);
                }
            }
        }
        if let Some(Value::Array(req)) = obj.get_mut("required") {
            for r in req.iter_mut() {
                if let Value::String(s) = r {
                    if s.contains('\\') {
                        *s = unescape(s);
                    }
                }
            }
        }
    });
    Ok(n)
}

/// Strips `:converter` parts from `{name:converter}` template variables,
/// honouring nested braces inside the converter (`{cookie:.{6,}}`).
fn strip_converters(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '{' {
            out.push(c);
            continue;
        }
        out.push('{');
        let mut depth = 1;
        let mut in_converter = false;
        for c in chars.by_ref() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ':' if depth == 1 => in_converter = true,
                _ => {}
            }
            if depth == 0 {
                out.push('}');
                break;
            }
            if !in_converter {
                out.push(c);
            }
        }
    }
    out
}

/// The variable names of a path template, in order.
pub fn template_variables(path: &str) -> Vec<String> {
    let mut vars = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        vars.push(rest[start + 1..start + len].to_string());
        rest = &rest[start + len + 1..];
    }
    vars
}

fn route_converters_in_paths(doc: &mut Value) -> Result<usize, Error> {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(0);
    };
    let mut n = 0;
    let old = std::mem::take(paths);
    for (path, item) in old {
        let clean = strip_converters(&path);
        if clean != path {
            n += 1;
        }
        if paths.insert(clean.clone(), item).is_some() {
            return Err(Error::Invalid(format!(
                "path `{path}` collides with `{clean}` once its route converters are removed"
            )));
        }
    }
    Ok(n)
}

/// Resolves a parameter (possibly a `$ref` into components/parameters).
fn resolve_parameter<'a>(doc: &'a Value, p: &'a Value) -> Option<&'a Value> {
    match p.get("$ref").and_then(Value::as_str) {
        Some(r) => doc.pointer(r.strip_prefix('#')?),
        None => Some(p),
    }
}

fn undeclared_path_parameters(doc: &mut Value) -> Result<usize, Error> {
    let mut additions: Vec<(String, String, Vec<String>)> = Vec::new();
    if let Some(Value::Object(paths)) = doc.get("paths") {
        for (path, item) in paths {
            let mut shared = BTreeSet::new();
            if let Some(Value::Array(ps)) = item.get("parameters") {
                for p in ps {
                    if let Some(p) = resolve_parameter(doc, p) {
                        if p.get("in") == Some(&json!("path")) {
                            shared.insert(p["name"].as_str().unwrap_or_default().to_string());
                        }
                    }
                }
            }
            for m in METHODS {
                let Some(op) = item.get(m) else { continue };
                let mut declared = shared.clone();
                if let Some(Value::Array(ps)) = op.get("parameters") {
                    for p in ps {
                        if let Some(p) = resolve_parameter(doc, p) {
                            if p.get("in") == Some(&json!("path")) {
                                declared.insert(p["name"].as_str().unwrap_or_default().to_string());
                            }
                        }
                    }
                }
                let missing: Vec<String> = template_variables(path)
                    .into_iter()
                    .filter(|v| !declared.contains(v))
                    .collect();
                if !missing.is_empty() {
                    additions.push((path.clone(), m.to_string(), missing));
                }
            }
        }
    }
    let n = additions.len();
    for (path, m, missing) in additions {
        let op = &mut doc["paths"][&path][&m];
        let params = op
            .as_object_mut()
            .expect("operation is an object")
            .entry("parameters")
            .or_insert_with(|| json!([]));
        let Some(params) = params.as_array_mut() else {
            return Err(Error::Invalid(format!(
                "{m} {path}: `parameters` is not a list"
            )));
        };
        for name in missing {
            params.push(json!({
                "name": name,
                "in": "path",
                "required": true,
                "schema": {"type": "string"},
                "description": format!("The `{name}` segment of the path."),
            }));
        }
    }
    Ok(n)
}

fn empty_tag_names(doc: &mut Value) -> Result<usize, Error> {
    let empty: Vec<String> = doc
        .get("tags")
        .and_then(Value::as_array)
        .map(|tags| {
            tags.iter()
                .filter(|t| t.get("name").and_then(Value::as_str) == Some(""))
                .filter_map(|t| t.get("x-displayName")?.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    // With one empty-named tag its display name is unambiguous; with several,
    // operations tagged "" cannot be attributed, so the empty tag is dropped.
    let replacement = (empty.len() == 1).then(|| empty[0].clone());
    let mut n = 0;
    if let Some(Value::Array(tags)) = doc.get_mut("tags") {
        for t in tags.iter_mut() {
            if t.get("name").and_then(Value::as_str) == Some("") {
                if let Some(r) = &replacement {
                    t["name"] = json!(r);
                    n += 1;
                }
            }
        }
        tags.retain(|t| t.get("name").and_then(Value::as_str) != Some(""));
    }
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        for item in paths.values_mut() {
            for m in METHODS {
                let Some(Value::Array(tags)) = item.get_mut(m).and_then(|o| o.get_mut("tags"))
                else {
                    continue;
                };
                let before = tags.len();
                match &replacement {
                    Some(r) => tags
                        .iter_mut()
                        .filter(|t| t.as_str() == Some(""))
                        .for_each(|t| {
                            *t = json!(r);
                            n += 1;
                        }),
                    None => tags.retain(|t| t.as_str() != Some("")),
                }
                n += before - tags.len();
            }
        }
    }
    Ok(n)
}

fn placeholder_map_keys(doc: &mut Value) -> Result<usize, Error> {
    let mut n = 0;
    for_each_schema(doc, &mut |s| {
        let Some(obj) = s.as_object_mut() else { return };
        let is_placeholder = obj
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|p| p.len() == 1 && p.contains_key("ANY"));
        if is_placeholder {
            let mut props = obj.remove("properties").expect("checked");
            let value = props["ANY"].take();
            obj.remove("required");
            obj.insert("type".into(), json!("object"));
            obj.insert("additionalProperties".into(), value);
            n += 1;
        }
    });
    Ok(n)
}

fn duplicate_enum_values(doc: &mut Value) -> Result<usize, Error> {
    let mut n = 0;
    for_each_schema(doc, &mut |s| {
        if let Some(Value::Array(values)) = s.get_mut("enum") {
            let before = values.len();
            let mut seen: Vec<Value> = Vec::with_capacity(before);
            values.retain(|v| {
                let dup = seen.contains(v);
                if !dup {
                    seen.push(v.clone());
                }
                !dup
            });
            if values.len() != before {
                n += 1;
            }
        }
    });
    Ok(n)
}

fn schema_type(s: &Value) -> Option<&str> {
    s.get("type").and_then(Value::as_str)
}

/// The default coerced to the schema type, `None` when it cannot be.
fn coerce_default(ty: &str, default: &Value) -> Option<Value> {
    match (ty, default) {
        ("boolean", Value::Bool(_))
        | ("string", Value::String(_))
        | ("array", Value::Array(_))
        | ("object", Value::Object(_)) => Some(default.clone()),
        ("integer", Value::Number(n)) if n.is_i64() || n.is_u64() => Some(default.clone()),
        ("number", Value::Number(_)) => Some(default.clone()),
        ("boolean", Value::String(s)) => match s.to_ascii_lowercase().as_str() {
            "true" => Some(json!(true)),
            "false" => Some(json!(false)),
            _ => None,
        },
        ("integer", Value::String(s)) => s.trim().parse::<i64>().ok().map(Value::from),
        ("integer", Value::Number(n)) => n
            .as_f64()
            .filter(|f| f.fract() == 0.0)
            .map(|f| Value::from(f as i64)),
        ("number", Value::String(s)) => s.trim().parse::<f64>().ok().map(Value::from),
        ("string", Value::Number(n)) => Some(Value::String(n.to_string())),
        ("string", Value::Bool(b)) => Some(Value::String(b.to_string())),
        _ => None,
    }
}

fn default_type_mismatch(doc: &mut Value) -> Result<usize, Error> {
    let mut n = 0;
    for_each_schema(doc, &mut |s| {
        let Some(default) = s.get("default").cloned() else {
            return;
        };
        let Some(ty) = schema_type(s).map(str::to_string) else {
            return;
        };
        let coerced = coerce_default(&ty, &default)
            // A default outside the enum is as wrong as one of the wrong type.
            .filter(|d| match s.get("enum").and_then(Value::as_array) {
                Some(values) => values.contains(d),
                None => true,
            });
        if coerced.as_ref() != Some(&default) {
            n += 1;
            let obj = s.as_object_mut().expect("has a default, so an object");
            match coerced {
                Some(d) => {
                    obj.insert("default".into(), d);
                }
                None => {
                    obj.remove("default");
                }
            }
        }
    });
    Ok(n)
}

fn prose_titles(doc: &mut Value) -> Result<usize, Error> {
    let mut n = 0;
    for_each_schema(doc, &mut |s| {
        if let Some(obj) = s.as_object_mut() {
            if obj.remove("title").is_some() {
                n += 1;
            }
        }
    });
    Ok(n)
}

fn zero_minimums(doc: &mut Value) -> Result<usize, Error> {
    let mut n = 0;
    for_each_schema(doc, &mut |s| {
        let Some(obj) = s.as_object_mut() else { return };
        for key in ["minLength", "minItems", "minProperties"] {
            if obj.get(key).and_then(Value::as_u64) == Some(0) {
                obj.remove(key);
                n += 1;
            }
        }
    });
    Ok(n)
}

/// Every (pointer to an operation) in the document.
fn operation_pointers(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(Value::Object(paths)) = doc.get("paths") {
        for (path, item) in paths {
            for m in METHODS {
                if item.get(m).is_some() {
                    out.push(format!("/paths/{}/{m}", walk::escape_pointer(path)));
                }
            }
        }
    }
    out
}

fn text_json_is_json(doc: &mut Value) -> Result<usize, Error> {
    let mut n = 0;
    for op in operation_pointers(doc) {
        let Some(Value::Object(responses)) = doc.pointer_mut(&format!("{op}/responses")) else {
            continue;
        };
        for r in responses.values_mut() {
            let Some(Value::Object(content)) = r.get_mut("content") else {
                continue;
            };
            if content.len() == 1 {
                if let Some(media) = content.remove("text/json") {
                    content.insert("application/json".into(), media);
                    n += 1;
                }
            }
        }
    }
    Ok(n)
}

/// The component name of Aiven's error body.
pub const ERROR_SCHEMA: &str = "AivenError";
/// The component name of one entry of its `errors` list.
pub const ERROR_ITEM_SCHEMA: &str = "AivenErrorDetail";

fn shared_error_response(doc: &mut Value) -> Result<usize, Error> {
    let schemas = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| Error::Invalid("the document has no components.schemas".into()))?;
    schemas.insert(
        ERROR_ITEM_SCHEMA.into(),
        json!({
            "type": "object",
            "description": "One error of an Aiven error response.",
            "properties": {
                "message": {"type": "string", "description": "Human-readable description of the error."},
                "status": {"type": "integer", "description": "The HTTP status of the error."},
                "error_code": {"type": "string", "description": "Machine-readable error code, where the endpoint has one."},
                "more_info": {"type": "string", "description": "A link to more information."},
            },
            "required": ["message", "status"],
        }),
    );
    schemas.insert(
        ERROR_SCHEMA.into(),
        json!({
            "type": "object",
            "description": "The body of every Aiven error response (status 400 and above).",
            "properties": {
                "message": {"type": "string", "description": "Human-readable summary of the error."},
                "errors": {
                    "type": "array",
                    "items": {"$ref": format!("#/components/schemas/{ERROR_ITEM_SCHEMA}")},
                    "description": "The individual errors.",
                },
            },
            "required": ["message"],
        }),
    );
    let error = json!({
        "description": "Aiven error",
        "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{ERROR_SCHEMA}")}}},
    });
    let mut n = 0;
    // Success bodies embed the same error list (`errors: [{message, status, …}]`).
    let detail_ref = json!({ "$ref": format!("#/components/schemas/{ERROR_ITEM_SCHEMA}") });
    for_each_schema_of_side(doc, Side::Response, &mut |s| {
        let Some(items) = s.pointer_mut("/properties/errors/items") else {
            return;
        };
        let props = items.get("properties");
        let is_detail =
            props.is_some_and(|p| p.get("message").is_some() && p.get("status").is_some());
        if is_detail {
            *items = detail_ref.clone();
            n += 1;
        }
    });
    for op in operation_pointers(doc) {
        let Some(Value::Object(responses)) = doc.pointer_mut(&format!("{op}/responses")) else {
            continue;
        };
        // Inlined error responses are replaced by the shared one; a
        // `default` would also count as success in progenitor, so it goes too.
        responses.retain(|code, _| {
            !(code.starts_with('4') || code.starts_with('5') || code == "default")
        });
        responses.insert("4XX".into(), error.clone());
        responses.insert("5XX".into(), error.clone());
        n += 1;
    }
    Ok(n)
}

fn split_shared_components(doc: &mut Value) -> Result<usize, Error> {
    let shared: Vec<String> = component_sides(doc)
        .into_iter()
        .filter(|(_, s)| s.len() > 1)
        .map(|(name, _)| name)
        .collect();
    if shared.is_empty() {
        return Ok(0);
    }
    let renames: BTreeMap<String, String> = shared
        .iter()
        .map(|n| (n.clone(), format!("{n}Response")))
        .collect();
    {
        let schemas = doc["components"]["schemas"]
            .as_object_mut()
            .expect("checked");
        for (old, new) in &renames {
            if schemas.contains_key(new) {
                return Err(Error::Invalid(format!(
                    "`{old}` is used by requests and responses, and `{new}` already exists"
                )));
            }
            let copy = schemas[old].clone();
            schemas.insert(new.clone(), copy);
        }
    }
    // Repoint refs on the response side (response roots and the copies).
    let rewrite = |s: &mut Value| {
        if let Some(Value::String(r)) = s.get_mut("$ref") {
            if let Some(name) = r.strip_prefix("#/components/schemas/") {
                if let Some(new) = renames.get(name) {
                    *r = format!("#/components/schemas/{new}");
                }
            }
        }
    };
    let mut rewrite = rewrite;
    for root in walk::schema_roots(doc) {
        let in_copy = renames
            .values()
            .any(|n| root.pointer == format!("/components/schemas/{}", walk::escape_pointer(n)));
        if root.side == Some(Side::Response) || in_copy {
            if let Some(s) = doc.pointer_mut(&root.pointer) {
                walk::walk_pre_mut(s, &mut rewrite);
            }
        }
    }
    Ok(shared.len())
}

/// Keywords that only restrict values; none of them may fail a response.
const RESTRICTIONS: [&str; 14] = [
    "maxLength",
    "minLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "required",
];

fn append_description(obj: &mut Map<String, Value>, text: &str) {
    let desc = match obj.get("description").and_then(Value::as_str) {
        Some(d) if !d.is_empty() => format!("{d}\n\n{text}"),
        _ => text.to_string(),
    };
    obj.insert("description".into(), Value::String(desc));
}

fn open_world_responses(doc: &mut Value) -> Result<usize, Error> {
    let mut n = 0;
    for_each_schema_of_side(doc, Side::Response, &mut |s| {
        let Some(obj) = s.as_object_mut() else { return };
        if obj.contains_key("$ref") {
            return;
        }
        let mut changed = false;
        if let Some(Value::Array(values)) = obj.remove("enum") {
            let known: Vec<String> = values
                .iter()
                .map(|v| match v {
                    Value::String(s) => format!("`{s}`"),
                    other => format!("`{other}`"),
                })
                .collect();
            append_description(obj, &format!("Known values: {}.", known.join(", ")));
            changed = true;
        }
        for key in RESTRICTIONS {
            changed |= obj.remove(key).is_some();
        }
        // Formats would decode into strict types (dates, UUIDs) a drifting
        // server could break; `binary` only marks byte streams and stays.
        if obj
            .get("format")
            .and_then(Value::as_str)
            .is_some_and(|f| f != "binary")
        {
            obj.remove("format");
            changed = true;
        }
        if obj.get("additionalProperties") == Some(&Value::Bool(false)) {
            obj.remove("additionalProperties");
            changed = true;
        }
        // Every property may be missing or null: lists and maps become
        // `Option<…>` (typify already makes non-required scalars `Option`).
        if let Some(Value::Object(props)) = obj.get_mut("properties") {
            for p in props.values_mut() {
                if let Some(po) = p.as_object_mut() {
                    if !po.contains_key("$ref") && po.get("nullable") != Some(&Value::Bool(true)) {
                        po.insert("nullable".into(), Value::Bool(true));
                        changed = true;
                    }
                }
            }
        }
        if changed {
            n += 1;
        }
    });
    Ok(n)
}

fn is_collection(s: &Value) -> bool {
    match schema_type(s) {
        Some("array") => true,
        // `properties: {}` is how the description writes a free-form map.
        Some("object") => s
            .get("properties")
            .and_then(Value::as_object)
            .is_none_or(|p| p.is_empty()),
        _ => false,
    }
}

fn sendable_empty_collections(doc: &mut Value) -> Result<usize, Error> {
    let mut n = 0;
    for_each_schema_of_side(doc, Side::Request, &mut |s| {
        let required: BTreeSet<String> = s
            .get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let Some(Value::Object(props)) = s.get_mut("properties") else {
            return;
        };
        for (name, p) in props.iter_mut() {
            if !required.contains(name) && is_collection(p) && p.get("nullable").is_none() {
                p["nullable"] = Value::Bool(true);
                n += 1;
            }
        }
    });
    Ok(n)
}

/// Marks the components the sendable-null rule creates: codegen replaces each
/// by `Option<T>`, so the optional property becomes `Option<Option<T>>`.
pub const SEND_NULL_EXTENSION: &str = "x-aiven-send-null";

/// The Rust type of a scalar JSON schema type.
pub fn scalar_rust_type(ty: &str) -> Option<&'static str> {
    Some(match ty {
        "string" => "::std::string::String",
        "integer" => "i64",
        "number" => "f64",
        "boolean" => "bool",
        _ => return None,
    })
}

fn sendable_null(doc: &mut Value) -> Result<usize, Error> {
    let mut n = 0;
    let mut needed: BTreeSet<String> = BTreeSet::new();
    for_each_schema_of_side(doc, Side::Request, &mut |s| {
        let required: BTreeSet<String> = s
            .get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let Some(Value::Object(props)) = s.get_mut("properties") else {
            return;
        };
        for (name, p) in props.iter_mut() {
            let Some(ty) = schema_type(p).map(str::to_string) else {
                continue;
            };
            if required.contains(name)
                || scalar_rust_type(&ty).is_none()
                || p.get("nullable") != Some(&Value::Bool(true))
            {
                continue;
            }
            let component = format!(
                "Nullable{}",
                heck::ToPascalCase::to_pascal_case(ty.as_str())
            );
            *p = json!({ "$ref": format!("#/components/schemas/{component}") });
            needed.insert(ty);
            n += 1;
        }
    });
    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        for ty in needed {
            let component = format!(
                "Nullable{}",
                heck::ToPascalCase::to_pascal_case(ty.as_str())
            );
            schemas.entry(component).or_insert_with(|| {
                json!({
                    "type": ty,
                    "nullable": true,
                    SEND_NULL_EXTENSION: true,
                    "description": format!("A {ty} that can be sent as `null`."),
                })
            });
        }
    }
    Ok(n)
}

/// Used by tests: the steps of a path rendered as a dotted location.
pub fn render_path(steps: &[Step]) -> String {
    steps.iter().map(Step::label).collect::<Vec<_>>().join(".")
}
