//! The general normalization rules.
//!
//! Each rule repairs one *class* of defect wherever it occurs in the document,
//! so that a newer published spec with the same kinds of defects generates
//! without code changes. Every rule documents the defect, an example from the
//! published description, and why the fix is right; it returns how often it
//! fired, which `cargo xtask normalize --stats` prints.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

// Documentation keys, ignored when comparing shapes: the hoister's list.
use crate::walk::{self, component_sides, Side, METADATA as DOC_KEYS};
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

impl Rule {
    /// The rule named `name`.
    pub fn by_name(name: &str) -> Option<&'static Rule> {
        RULES.iter().find(|r| r.name == name)
    }

    /// Runs this rule alone on `doc` and returns how often it fired, for a
    /// tool that needs one repair on a document it otherwise keeps as
    /// published (aiven-sim's build script reads the published `ANY` maps as
    /// maps with `placeholder-map-keys`). [`crate::prepare`] runs them all.
    pub fn apply_to(&self, doc: &mut Value) -> Result<usize, Error> {
        (self.apply)(doc)
    }
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
        name: "list-leftover-properties",
        defect: "a property named `None` or `null`: a generator's rendering of a nameless item, \
                 not a key any server sends by intent",
        example: "UserAuthLoginOptionsResponse `None: {type: array, description: List of \
                  available login methods}` beside `action`, `method`, … (November 2023, June 2026)",
        why: "the name is lost, so no field may claim one: the property is removed (its \
              description kept in the object's), and what the server sends under any key stays \
              reachable by name in `extra`. An object whose only property was such a leftover \
              is any JSON value: whether the server sends the nameless list bare or wrapped is \
              not known, and a `serde_json::Value` decodes both without claiming either",
        apply: list_leftover_properties,
    },
    Rule {
        name: "colliding-property-identifiers",
        defect: "sibling properties whose Rust field names are the same",
        example: "`topics.exclude` beside `topics_exclude` on MirrorMaker replication flows \
                  (June 2026: 5 schemas, 32 rustc errors)",
        why: "both wire names must stay reachable: the property whose wire name already is the \
              identifier keeps it, the other is renamed by spelling its punctuation \
              (`topics_dot_exclude`) and still sent and read under its wire name \
              (`x-aiven-wire-names`, applied by codegen)",
        apply: colliding_property_identifiers,
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
        name: "deprecated-in-prose",
        defect: "deprecation stated only in a property's title or description",
        example: "`[DEPRECATED] Billing currency`, title `… Deprecated property, use \
                  'topics_exclude instead'` (June 2026)",
        why: "`deprecated` is the keyword tools read: the property is marked and the sentence kept \
              as the note, so the generated field and setter carry `#[deprecated]`. Markers: \
              `DEPRECATED`, a title or sentence starting with `Deprecated`, `deprecated property`, \
              `field is deprecated`, `- deprecated`",
        apply: deprecated_in_prose,
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
        name: "free-form-response-values",
        defect: "a response value declared as an object with no properties \
                 (`type: object, properties: {}`) and no schema for its keys",
        example: "Kafka REST messages' `key` and `value`, which the API sends as strings or any \
                  JSON its embedded format gives (ServiceKafkaTopicMessageList, June 2026)",
        why: "such a declaration says nothing about the value beyond \"object\", and the server \
              sends what it holds; a property, item or map value declared so in a response is \
              any JSON value (`serde_json::Value`, which still reads an object with `get`). A \
              body itself stays an object: Aiven answers are objects",
        apply: free_form_response_values,
    },
    Rule {
        name: "response-defaults",
        defect: "`default` on response schemas",
        example: "`saml_digest_algorithm: default sha256`, `is_enabled_2fa: default false` in \
                  response bodies (10 fields, June 2026)",
        why: "a default tells a client what the server assumes when a request leaves a value out; \
              on a response it made typify decode a field the server did not send as \
              `Some(default)`, a value nobody sent. Request schemas keep theirs (a request \
              builder starts from the default and sends it)",
        apply: response_defaults,
    },
    Rule {
        name: "map-like-objects",
        defect: "a response map keyed by open names written as an object of fixed properties",
        example: "`service_types` names 14 service types, each the same object (June 2026)",
        why: "a struct silently drops keys it does not name, so next month's service type would \
              vanish from the decoded answer; a response object whose three or more properties \
              all share one object shape is a map of that shape",
        apply: map_like_objects,
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

fn undeclared_path_parameters(doc: &mut Value) -> Result<usize, Error> {
    let mut additions: Vec<(String, String, Vec<String>)> = Vec::new();
    for op in walk::operations(doc) {
        let declared: BTreeSet<&str> = op
            .parameters(doc)
            .into_iter()
            .filter(|p| p.get("in") == Some(&json!("path")))
            .filter_map(|p| p.get("name").and_then(Value::as_str))
            .collect();
        let missing: Vec<String> = template_variables(op.path)
            .into_iter()
            .filter(|v| !declared.contains(v.as_str()))
            .collect();
        if !missing.is_empty() {
            additions.push((op.path.to_string(), op.method.to_string(), missing));
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
        let before = tags.len();
        tags.retain(|t| t.get("name").and_then(Value::as_str) != Some(""));
        n += before - tags.len();
    }
    for op in operation_pointers(doc) {
        let Some(Value::Array(tags)) = doc.pointer_mut(&format!("{op}/tags")) else {
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

/// Property names that stand for no name: Python's `None`, JSON's `null`.
const LEFTOVER_NAMES: [&str; 2] = ["None", "null"];

fn list_leftover_properties(doc: &mut Value) -> Result<usize, Error> {
    let mut n = 0;
    for_each_schema(doc, &mut |s| {
        let Some(obj) = s.as_object_mut() else { return };
        let Some(Value::Object(props)) = obj.get_mut("properties") else {
            return;
        };
        let leftovers: Vec<String> = props
            .keys()
            .filter(|k| LEFTOVER_NAMES.contains(&k.as_str()))
            .cloned()
            .collect();
        if leftovers.is_empty() {
            return;
        }
        let mut notes = Vec::new();
        for name in &leftovers {
            let removed = props.remove(name).expect("listed");
            let what = removed
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("undocumented");
            let ty = schema_type(&removed).unwrap_or("any value");
            notes.push(format!(
                "The description also lists a property named `{name}` ({ty}: {what}), a \
                 leftover without a wire name; what the server sends beyond the named \
                 properties is kept by name."
            ));
            n += 1;
        }
        let only = props.is_empty();
        if let Some(Value::Array(required)) = obj.get_mut("required") {
            required.retain(|r| !r.as_str().is_some_and(|r| leftovers.iter().any(|l| l == r)));
            if required.is_empty() {
                obj.remove("required");
            }
        }
        if only {
            // Nothing named is left: any JSON value.
            for key in ["type", "properties", "additionalProperties", "required"] {
                obj.remove(key);
            }
        }
        append_description(obj, &notes.join(" "));
    });
    Ok(n)
}

/// Whether `s` is `type: object` with no properties and no schema for its
/// keys: a free-form value.
fn is_free_form_object(s: &Value) -> bool {
    schema_type(s) == Some("object")
        && s.get("properties")
            .and_then(Value::as_object)
            .is_none_or(|p| p.is_empty())
        && s.get("additionalProperties")
            .and_then(Value::as_object)
            .is_none_or(Map::is_empty)
        && !LISTS_OF_SCHEMAS.iter().any(|k| s.get(*k).is_some())
}

const LISTS_OF_SCHEMAS: [&str; 3] = ["allOf", "anyOf", "oneOf"];

fn free_form_response_values(doc: &mut Value) -> Result<usize, Error> {
    let mut n = 0;
    let mut any = |v: &mut Value| {
        if is_free_form_object(v) {
            let obj = v.as_object_mut().expect("an object schema");
            for key in [
                "type",
                "properties",
                "additionalProperties",
                "minProperties",
                "maxProperties",
                "required",
            ] {
                obj.remove(key);
            }
            n += 1;
        }
    };
    // The values inside a schema, not the schema itself: a body (or a
    // component, which may be one) stays an object.
    for_each_schema_of_side(doc, Side::Response, &mut |s| {
        if let Some(Value::Object(props)) = s.get_mut("properties") {
            props.values_mut().for_each(&mut any);
        }
        for key in ["items", "additionalProperties"] {
            if let Some(child) = s.get_mut(key) {
                any(child);
            }
        }
    });
    Ok(n)
}

fn response_defaults(doc: &mut Value) -> Result<usize, Error> {
    let mut n = 0;
    for_each_schema_of_side(doc, Side::Response, &mut |s| {
        if let Some(obj) = s.as_object_mut() {
            if obj.remove("default").is_some() {
                n += 1;
            }
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

/// JSON pointers of every operation, for rules that change them.
fn operation_pointers(doc: &Value) -> Vec<String> {
    walk::operations(doc)
        .iter()
        .map(|op| op.pointer())
        .collect()
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
        let before = responses.clone();
        responses.retain(|code, _| {
            !(code.starts_with('4') || code.starts_with('5') || code == "default")
        });
        responses.insert("4XX".into(), error.clone());
        responses.insert("5XX".into(), error.clone());
        if *responses != before {
            n += 1;
        }
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

/// Records, on an object schema, the wire name of each property the
/// colliding-property-identifiers rule renamed (Rust-side key → wire name).
pub const WIRE_NAMES_EXTENSION: &str = "x-aiven-wire-names";

/// A property name spelled so that its punctuation survives as words:
/// `topics.exclude` → `topics_dot_exclude`.
fn spelled(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        let word = match c {
            c if unicode_ident::is_xid_continue(c) => {
                out.push(c);
                continue;
            }
            '.' => "dot".to_string(),
            '-' => "dash".to_string(),
            ' ' => "space".to_string(),
            '/' => "slash".to_string(),
            ':' => "colon".to_string(),
            '@' => "at".to_string(),
            '+' => "plus".to_string(),
            '$' => "dollar".to_string(),
            '#' => "hash".to_string(),
            other => format!("u{:04x}", other as u32),
        };
        out.push('_');
        out.push_str(&word);
        out.push('_');
    }
    crate::idents::field(&out)
}

fn colliding_property_identifiers(doc: &mut Value) -> Result<usize, Error> {
    let mut n = 0;
    for_each_schema(doc, &mut |s| {
        let Some(obj) = s.as_object_mut() else { return };
        let Some(Value::Object(props)) = obj.get("properties") else {
            return;
        };
        let mut by_ident: BTreeMap<String, Vec<&String>> = BTreeMap::new();
        for k in props.keys() {
            by_ident.entry(crate::idents::field(k)).or_default().push(k);
        }
        let mut taken: BTreeSet<String> = by_ident.keys().cloned().collect();
        let mut renames: BTreeMap<String, String> = BTreeMap::new();
        for (ident, names) in &by_ident {
            if names.len() < 2 {
                continue;
            }
            // The name that already is the identifier keeps it; else the first.
            let keeper = names.iter().position(|k| *k == ident).unwrap_or_default();
            for (i, wire) in names.iter().enumerate() {
                if i == keeper {
                    continue;
                }
                let base = spelled(wire);
                let mut new = base.clone();
                let mut k = 2;
                while taken.contains(&new) {
                    new = format!("{base}_{k}");
                    k += 1;
                }
                taken.insert(new.clone());
                renames.insert((*wire).clone(), new);
            }
        }
        if renames.is_empty() {
            return;
        }
        let Some(Value::Object(props)) = obj.remove("properties") else {
            unreachable!("checked above")
        };
        let mut renamed = Map::new();
        for (k, v) in props {
            renamed.insert(renames.get(&k).cloned().unwrap_or(k), v);
        }
        obj.insert("properties".into(), Value::Object(renamed));
        if let Some(Value::Array(req)) = obj.get_mut("required") {
            for r in req.iter_mut() {
                if let Some(new) = r.as_str().and_then(|k| renames.get(k)) {
                    *r = json!(new);
                }
            }
        }
        let wire = obj.entry(WIRE_NAMES_EXTENSION).or_insert_with(|| json!({}));
        for (old, new) in &renames {
            wire[new] = json!(old);
        }
        n += renames.len();
    });
    Ok(n)
}

/// Keeps the deprecation note of a property whose deprecation is prose only.
pub const DEPRECATION_EXTENSION: &str = "x-aiven-deprecated";

/// The sentence of `text` that declares a deprecation, if any, shortened to a
/// note for `#[deprecated]`.
pub fn deprecation_note(text: &str) -> Option<String> {
    deprecation_sentence(text)
}

/// The sentence of `text` that declares a deprecation, if any.
fn deprecation_sentence(text: &str) -> Option<String> {
    let marked = |sentence: &str| {
        let lower = sentence.to_lowercase();
        sentence.contains("DEPRECATED")
            || sentence.trim_start().starts_with("Deprecated")
            || sentence.trim_start().starts_with("[Deprecated")
            || lower.contains("deprecated property")
            || lower.contains("field is deprecated")
            || lower.contains("property is deprecated")
            || lower.contains("- deprecated")
    };
    // Sentences end at `. ` / `! `; a title is one sentence. Operation
    // descriptions are HTML: tags are dropped first.
    let mut plain = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                plain.push(' ');
            }
            c if !in_tag => plain.push(c),
            _ => {}
        }
    }
    let text = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut start = 0;
    let bytes = text.as_bytes();
    for i in 0..=bytes.len() {
        let end = i == bytes.len()
            || (matches!(bytes[i], b'.' | b'!') && bytes.get(i + 1) == Some(&b' '));
        if end {
            let sentence = text[start..(i + 1).min(text.len())].trim();
            if marked(sentence) {
                return Some(truncate_note(sentence));
            }
            start = (i + 1).min(text.len());
        }
    }
    None
}

fn truncate_note(s: &str) -> String {
    const MAX: usize = 200;
    if s.chars().count() <= MAX {
        return s.to_string();
    }
    let cut: String = s.chars().take(MAX).collect();
    format!("{cut}…")
}

fn deprecated_in_prose(doc: &mut Value) -> Result<usize, Error> {
    let mut n = 0;
    for_each_schema(doc, &mut |s| {
        let Some(Value::Object(props)) = s.get_mut("properties") else {
            return;
        };
        for p in props.values_mut() {
            let Some(po) = p.as_object_mut() else {
                continue;
            };
            if po.contains_key(DEPRECATION_EXTENSION) {
                continue;
            }
            let note = ["title", "description"]
                .iter()
                .filter_map(|k| po.get(*k).and_then(Value::as_str))
                .find_map(deprecation_sentence);
            let flagged = po.get("deprecated") == Some(&Value::Bool(true));
            if let Some(note) = note {
                po.insert("deprecated".into(), Value::Bool(true));
                po.insert(DEPRECATION_EXTENSION.into(), Value::String(note));
                n += 1;
            } else if flagged {
                po.insert(DEPRECATION_EXTENSION.into(), json!("deprecated"));
                n += 1;
            }
        }
    });
    Ok(n)
}

/// `schema` without documentation, for comparing shapes.
fn undocumented(schema: &Value) -> Value {
    match schema {
        Value::Object(obj) => Value::Object(
            obj.iter()
                .filter(|(k, _)| !DOC_KEYS.contains(&k.as_str()) && !k.starts_with("x-"))
                .map(|(k, v)| (k.clone(), undocumented(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(undocumented).collect()),
        other => other.clone(),
    }
}

fn map_like_objects(doc: &mut Value) -> Result<usize, Error> {
    let mut n = 0;
    for_each_schema_of_side(doc, Side::Response, &mut |s| {
        let Some(obj) = s.as_object_mut() else { return };
        let Some(Value::Object(props)) = obj.get("properties") else {
            return;
        };
        if props.len() < 3 || obj.get("additionalProperties") == Some(&Value::Bool(false)) {
            return;
        }
        let mut values = props.values();
        let first = values.next().expect("three or more");
        let is_object = first.get("$ref").is_some()
            || (schema_type(first) == Some("object")
                && first
                    .get("properties")
                    .and_then(Value::as_object)
                    .is_some_and(|p| !p.is_empty()));
        let shape = undocumented(first);
        if !is_object || !values.all(|v| undocumented(v) == shape) {
            return;
        }
        let names: Vec<String> = props.keys().map(|k| format!("`{k}`")).collect();
        let mut value = first.clone();
        if let Some(v) = value.as_object_mut() {
            // The first key's documentation does not describe every value.
            v.remove("description");
            v.remove("title");
        }
        obj.remove("properties");
        obj.remove("required");
        obj.insert("type".into(), json!("object"));
        obj.insert("additionalProperties".into(), value);
        append_description(
            obj,
            &format!("A map; keys published so far: {}.", names.join(", ")),
        );
        n += 1;
    });
    Ok(n)
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
        // Unknown properties are kept, not dropped: an object with declared
        // properties gets a flattened `extra` map (typify's reading of
        // `additionalProperties: {}`) holding whatever the server sent beyond
        // them. An object that already types its extra keys keeps its schema.
        let has_properties = obj
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|p| !p.is_empty());
        match obj.get("additionalProperties") {
            None | Some(Value::Bool(_)) if has_properties => {
                obj.insert("additionalProperties".into(), json!({}));
                changed = true;
            }
            Some(Value::Bool(false)) => {
                obj.remove("additionalProperties");
                changed = true;
            }
            _ => {}
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule called `name`.
    fn rule(name: &str) -> &'static Rule {
        RULES
            .iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("no rule `{name}`"))
    }

    /// Applies the rule once; returns its count.
    fn run(name: &str, doc: &mut Value) -> usize {
        (rule(name).apply)(doc).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// A minimal 3.0 document.
    fn doc(paths: Value, schemas: Value) -> Value {
        json!({
            "openapi": "3.0.1",
            "info": {"title": "t", "version": "1"},
            "paths": paths,
            "components": {"schemas": schemas},
        })
    }

    /// An operation returning `schema` as JSON with status 200.
    fn returns(id: &str, schema: Value) -> Value {
        json!({
            "operationId": id,
            "responses": {"200": {
                "description": "ok",
                "content": {"application/json": {"schema": schema}},
            }},
        })
    }

    /// An operation sending `schema` as its JSON body.
    fn sends(id: &str, schema: Value) -> Value {
        json!({
            "operationId": id,
            "requestBody": {"content": {"application/json": {"schema": schema}}},
            "responses": {"204": {"description": "done"}},
        })
    }

    fn schema_ref(name: &str) -> Value {
        json!({ "$ref": format!("#/components/schemas/{name}") })
    }

    /// Fires `count` times turning `before` into exactly `after`; a second
    /// run changes nothing and counts 0; `after` itself is left alone.
    fn assert_rule(name: &str, before: Value, count: usize, after: &Value) {
        let mut d = before;
        assert_eq!(run(name, &mut d), count, "{name}: first run");
        // Map equality ignores key order: removals (`swap_remove`) may move
        // keywords; property order is checked where a rule touches it.
        assert_eq!(&d, after, "{name}: repaired document");
        let snapshot = d.clone();
        assert_eq!(run(name, &mut d), 0, "{name}: second run");
        assert_eq!(d, snapshot, "{name}: second run changed the document");
    }

    /// The rule does nothing to `clean`.
    fn assert_noop(name: &str, clean: Value) {
        let mut d = clean.clone();
        assert_eq!(run(name, &mut d), 0, "{name}: clean document");
        assert_eq!(
            d.to_string(),
            clean.to_string(),
            "{name}: clean document changed"
        );
    }

    #[test]
    fn rule_names_are_unique_and_documented() {
        let names: BTreeSet<&str> = RULES.iter().map(|r| r.name).collect();
        assert_eq!(names.len(), RULES.len());
        assert_eq!(RULES.len(), 21);
        for r in RULES {
            assert!(!r.defect.is_empty() && !r.example.is_empty() && !r.why.is_empty());
        }
    }

    // escaped-property-names

    #[test]
    fn escaped_property_names_fires() {
        let before = doc(
            json!({"/m": {"get": returns("M", json!({
                "type": "object",
                "properties": {"x\\_y": {"type": "string"}},
            }))}}),
            json!({"Msg": {
                "type": "object",
                "properties": {
                    "end\\-time": {"type": "string"},
                    "plain": {"type": "string"},
                    "start\\-time": {"type": "string"},
                    "items": {"type": "array", "items": {
                        "type": "object",
                        "properties": {"a\\.b": {"type": "integer"}},
                        "required": ["a\\.b"],
                    }},
                },
                "required": ["end\\-time", "plain"],
            }}),
        );
        let after = doc(
            json!({"/m": {"get": returns("M", json!({
                "type": "object",
                "properties": {"x_y": {"type": "string"}},
            }))}}),
            json!({"Msg": {
                "type": "object",
                "properties": {
                    "end-time": {"type": "string"},
                    "plain": {"type": "string"},
                    "start-time": {"type": "string"},
                    "items": {"type": "array", "items": {
                        "type": "object",
                        "properties": {"a.b": {"type": "integer"}},
                        "required": ["a.b"],
                    }},
                },
                "required": ["end-time", "plain"],
            }}),
        );
        let mut d = before.clone();
        run("escaped-property-names", &mut d);
        let keys: Vec<&String> = d["components"]["schemas"]["Msg"]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        // Field order is the documented order.
        assert_eq!(keys, ["end-time", "plain", "start-time", "items"]);
        assert_rule("escaped-property-names", before, 4, &after);
    }

    #[test]
    fn escaped_property_names_clean() {
        assert_noop(
            "escaped-property-names",
            doc(
                json!({}),
                json!({"Msg": {
                    "type": "object",
                    "properties": {"end-time": {"type": "string", "pattern": "^a\\-b$"}},
                    "required": ["end-time"],
                }}),
            ),
        );
    }

    // route-converters-in-paths

    #[test]
    fn strip_converters_handles_nested_braces() {
        assert_eq!(
            strip_converters("/s/{subject}/versions/{version_id:latest|\\d+}/schema"),
            "/s/{subject}/versions/{version_id}/schema"
        );
        assert_eq!(
            strip_converters("/i/{n}/{download_cookie:.{6,}}"),
            "/i/{n}/{download_cookie}"
        );
        assert_eq!(strip_converters("/a/{x:[a-z]{2}}/{y:.{1,3}}"), "/a/{x}/{y}");
        assert_eq!(strip_converters("/plain/{id}"), "/plain/{id}");
        assert_eq!(template_variables("/a/{x}/b/{y}"), vec!["x", "y"]);
    }

    #[test]
    fn route_converters_in_paths_fires() {
        let op = |id: &str| json!({"get": {"operationId": id, "responses": {}}});
        let before = doc(
            json!({
                "/versions/{version_id:latest|\\d+}": op("V"),
                "/plain/{id}": op("P"),
                "/invoice/{download_cookie:.{6,}}": op("I"),
            }),
            json!({}),
        );
        let after = doc(
            json!({
                "/versions/{version_id}": op("V"),
                "/plain/{id}": op("P"),
                "/invoice/{download_cookie}": op("I"),
            }),
            json!({}),
        );
        let mut d = before.clone();
        run("route-converters-in-paths", &mut d);
        let keys: Vec<&String> = d["paths"].as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "/versions/{version_id}",
                "/plain/{id}",
                "/invoice/{download_cookie}"
            ]
        );
        assert_rule("route-converters-in-paths", before, 2, &after);
    }

    #[test]
    fn route_converters_in_paths_clean() {
        assert_noop(
            "route-converters-in-paths",
            doc(json!({"/a/{id}": {}, "/b": {}}), json!({})),
        );
        // No paths at all is not this rule's business.
        assert_noop("route-converters-in-paths", json!({"openapi": "3.0.1"}));
    }

    #[test]
    fn route_converters_collision_is_an_error() {
        let mut d = doc(
            json!({"/v/{version_id}": {}, "/v/{version_id:latest|\\d+}": {}}),
            json!({}),
        );
        let err = (rule("route-converters-in-paths").apply)(&mut d).unwrap_err();
        assert!(matches!(err, Error::Invalid(_)));
        assert_eq!(
            err.to_string(),
            "path `/v/{version_id:latest|\\d+}` collides with `/v/{version_id}` once its route \
             converters are removed"
        );
    }

    // undeclared-path-parameters

    fn path_param(name: &str) -> Value {
        json!({
            "name": name,
            "in": "path",
            "required": true,
            "schema": {"type": "string"},
            "description": format!("The `{name}` segment of the path."),
        })
    }

    #[test]
    fn undeclared_path_parameters_fires() {
        let project = json!({"name": "project", "in": "path", "required": true, "schema": {"type": "string"}});
        let invoice_ref = json!({"$ref": "#/components/parameters/Invoice"});
        let query = json!({"name": "cookie", "in": "query", "schema": {"type": "string"}});
        let mut before = doc(
            json!({"/p/{project}/invoice/{invoice}/{cookie}": {
                "parameters": [project],
                "get": {"operationId": "G", "parameters": [invoice_ref, query], "responses": {}},
                "delete": {"operationId": "D", "responses": {}},
                "put": {"operationId": "P", "parameters": [invoice_ref, path_param("cookie")], "responses": {}},
            }}),
            json!({}),
        );
        before["components"]["parameters"] = json!({"Invoice": {
            "name": "invoice", "in": "path", "required": true, "schema": {"type": "integer"},
        }});
        let mut after = doc(
            json!({"/p/{project}/invoice/{invoice}/{cookie}": {
                "parameters": [project],
                "get": {
                    "operationId": "G",
                    "parameters": [invoice_ref, query, path_param("cookie")],
                    "responses": {},
                },
                "delete": {
                    "operationId": "D",
                    "responses": {},
                    "parameters": [path_param("invoice"), path_param("cookie")],
                },
                "put": {"operationId": "P", "parameters": [invoice_ref, path_param("cookie")], "responses": {}},
            }}),
            json!({}),
        );
        after["components"]["parameters"] = before["components"]["parameters"].clone();
        // GET and DELETE each lacked something; PUT declared everything.
        assert_rule("undeclared-path-parameters", before, 2, &after);
    }

    #[test]
    fn undeclared_path_parameters_clean() {
        let mut clean = doc(
            json!({"/p/{project}/s/{service}": {
                "parameters": [{"$ref": "#/components/parameters/Project"}],
                "get": {"operationId": "G", "parameters": [path_param("service")], "responses": {}},
            }}),
            json!({}),
        );
        clean["components"]["parameters"] = json!({"Project": {"name": "project", "in": "path", "required": true, "schema": {"type": "string"}}});
        assert_noop("undeclared-path-parameters", clean);
    }

    #[test]
    fn undeclared_path_parameters_rejects_non_list_parameters() {
        let mut d = doc(
            json!({"/a/{x}": {"get": {"operationId": "A", "parameters": {}, "responses": {}}}}),
            json!({}),
        );
        let err = (rule("undeclared-path-parameters").apply)(&mut d).unwrap_err();
        assert_eq!(err.to_string(), "get /a/{x}: `parameters` is not a list");
    }

    // empty-tag-names

    #[test]
    fn empty_tag_name_takes_its_display_name() {
        let mut before = doc(
            json!({
                "/clouds": {"get": {"operationId": "C", "tags": [""], "responses": {}}},
                "/s": {"get": {"operationId": "S", "tags": ["Service"], "responses": {}}},
            }),
            json!({}),
        );
        before["tags"] = json!([{"name": "", "x-displayName": "Cloud"}, {"name": "Service"}]);
        let mut after = doc(
            json!({
                "/clouds": {"get": {"operationId": "C", "tags": ["Cloud"], "responses": {}}},
                "/s": {"get": {"operationId": "S", "tags": ["Service"], "responses": {}}},
            }),
            json!({}),
        );
        after["tags"] = json!([{"name": "Cloud", "x-displayName": "Cloud"}, {"name": "Service"}]);
        // The tag and the one operation using it.
        assert_rule("empty-tag-names", before, 2, &after);
    }

    #[test]
    fn several_empty_tags_are_dropped() {
        let mut before = doc(
            json!({"/clouds": {"get": {"operationId": "C", "tags": ["", "Service"], "responses": {}}}}),
            json!({}),
        );
        before["tags"] = json!([
            {"name": "", "x-displayName": "Cloud"},
            {"name": "Service"},
            {"name": "", "x-displayName": "Other"},
        ]);
        let mut after = doc(
            json!({"/clouds": {"get": {"operationId": "C", "tags": ["Service"], "responses": {}}}}),
            json!({}),
        );
        after["tags"] = json!([{"name": "Service"}]);
        // Two tags dropped, one operation tag dropped.
        assert_rule("empty-tag-names", before, 3, &after);
    }

    #[test]
    fn unused_empty_tag_is_dropped_and_counted() {
        let mut before = doc(json!({}), json!({}));
        before["tags"] = json!([{"name": ""}, {"name": "Service"}]);
        let mut after = doc(json!({}), json!({}));
        after["tags"] = json!([{"name": "Service"}]);
        assert_rule("empty-tag-names", before, 1, &after);
    }

    #[test]
    fn empty_tag_names_clean() {
        let mut clean = doc(
            json!({"/s": {"get": {"operationId": "S", "tags": ["Service"], "responses": {}}}}),
            json!({}),
        );
        clean["tags"] = json!([{"name": "Service", "x-displayName": "Services"}]);
        assert_noop("empty-tag-names", clean);
    }

    // placeholder-map-keys

    #[test]
    fn placeholder_map_keys_fires() {
        let service_type = json!({"type": "object", "properties": {"max": {"type": "integer"}}});
        let before = doc(
            json!({"/t": {"get": returns("T", json!({
                "type": "object",
                "properties": {"ANY": {"type": "string"}},
            }))}}),
            json!({"Types": {"type": "object", "properties": {
                "service_types": {
                    "description": "Service types",
                    "properties": {"ANY": service_type},
                    "required": ["ANY"],
                },
                "name": {"type": "string"},
            }}}),
        );
        let after = doc(
            json!({"/t": {"get": returns("T", json!({
                "type": "object",
                "additionalProperties": {"type": "string"},
            }))}}),
            json!({"Types": {"type": "object", "properties": {
                "service_types": {
                    "description": "Service types",
                    "type": "object",
                    "additionalProperties": service_type,
                },
                "name": {"type": "string"},
            }}}),
        );
        assert_rule("placeholder-map-keys", before, 2, &after);
    }

    #[test]
    fn placeholder_map_keys_clean() {
        // `ANY` beside other properties is an ordinary field.
        assert_noop(
            "placeholder-map-keys",
            doc(
                json!({}),
                json!({"S": {"type": "object", "properties": {
                    "ANY": {"type": "string"},
                    "other": {"type": "string"},
                }}}),
            ),
        );
    }

    // duplicate-enum-values

    #[test]
    fn duplicate_enum_values_fires() {
        let before = doc(
            json!({"/e": {"get": returns("E", json!({"type": "integer", "enum": [1, 2, 1]}))}}),
            json!({"S": {"type": "object", "properties": {
                "state": {"type": "string", "enum": ["a", "b", "a", "c", "b"]},
                "kind": {"type": "string", "enum": ["x", "y"]},
            }}}),
        );
        let after = doc(
            json!({"/e": {"get": returns("E", json!({"type": "integer", "enum": [1, 2]}))}}),
            json!({"S": {"type": "object", "properties": {
                "state": {"type": "string", "enum": ["a", "b", "c"]},
                "kind": {"type": "string", "enum": ["x", "y"]},
            }}}),
        );
        assert_rule("duplicate-enum-values", before, 2, &after);
    }

    #[test]
    fn duplicate_enum_values_clean() {
        assert_noop(
            "duplicate-enum-values",
            doc(
                json!({}),
                json!({"S": {"type": "string", "enum": ["a", "b"]}}),
            ),
        );
    }

    // default-type-mismatch

    #[test]
    fn default_type_mismatch_fires() {
        let before = doc(
            json!({}),
            json!({"S": {"type": "object", "properties": {
                "flag": {"type": "boolean", "default": "true"},
                "off": {"type": "boolean", "default": "FALSE"},
                "count": {"type": "integer", "default": "5"},
                "whole": {"type": "integer", "default": 5.0},
                "ratio": {"type": "number", "default": " 1.5 "},
                "name": {"type": "string", "default": 7},
                "on": {"type": "string", "default": true},
                "yes": {"type": "boolean", "default": "yes"},
                "half": {"type": "integer", "default": 2.5},
                "size": {"type": "integer", "default": "big"},
                "level": {"type": "string", "enum": ["low", "high"], "default": "medium"},
                "port": {"type": "integer", "enum": [1, 2], "default": "2"},
                "list": {"type": "array", "items": {"type": "string"}, "default": "[]"},
                "ok": {"type": "boolean", "default": false},
                "untyped": {"default": "anything"},
            }}}),
        );
        let after = doc(
            json!({}),
            json!({"S": {"type": "object", "properties": {
                "flag": {"type": "boolean", "default": true},
                "off": {"type": "boolean", "default": false},
                "count": {"type": "integer", "default": 5},
                "whole": {"type": "integer", "default": 5},
                "ratio": {"type": "number", "default": 1.5},
                "name": {"type": "string", "default": "7"},
                "on": {"type": "string", "default": "true"},
                "yes": {"type": "boolean"},
                "half": {"type": "integer"},
                "size": {"type": "integer"},
                "level": {"type": "string", "enum": ["low", "high"]},
                "port": {"type": "integer", "enum": [1, 2], "default": 2},
                "list": {"type": "array", "items": {"type": "string"}},
                "ok": {"type": "boolean", "default": false},
                "untyped": {"default": "anything"},
            }}}),
        );
        assert_rule("default-type-mismatch", before, 13, &after);
    }

    #[test]
    fn default_type_mismatch_clean() {
        assert_noop(
            "default-type-mismatch",
            doc(
                json!({}),
                json!({"S": {"type": "object", "properties": {
                    "flag": {"type": "boolean", "default": true},
                    "count": {"type": "integer", "default": 5},
                    "ratio": {"type": "number", "default": 0.5},
                    "level": {"type": "string", "enum": ["low", "high"], "default": "low"},
                    "tags": {"type": "array", "default": []},
                    "labels": {"type": "object", "default": {}},
                }}}),
            ),
        );
    }

    // prose-titles

    #[test]
    fn prose_titles_fires() {
        let before = doc(
            json!({"/t": {"get": returns("T", json!({"type": "string", "title": "Thing"}))}}),
            json!({"S": {"type": "object", "title": "Service", "properties": {
                "title": {"type": "string", "title": "Title of the service"},
                "kind": {"type": "string", "title": "Service type", "description": "Kind"},
            }}}),
        );
        let after = doc(
            json!({"/t": {"get": returns("T", json!({"type": "string"}))}}),
            json!({"S": {"type": "object", "properties": {
                "title": {"type": "string"},
                "kind": {"type": "string", "description": "Kind"},
            }}}),
        );
        assert_rule("prose-titles", before, 4, &after);
    }

    #[test]
    fn prose_titles_clean() {
        // A property named `title` is data, not a keyword.
        assert_noop(
            "prose-titles",
            doc(
                json!({}),
                json!({"S": {"type": "object", "properties": {"title": {"type": "string"}}}}),
            ),
        );
    }

    // colliding-property-identifiers

    #[test]
    fn colliding_property_identifiers_fires() {
        let list = json!({"type": "array", "items": {"type": "string"}});
        let before = doc(
            json!({"/f": {"post": sends("FlowCreate", schema_ref("Flow"))}}),
            json!({"Flow": {"type": "object", "required": ["topics.exclude", "a"], "properties": {
                "a": {"type": "string"},
                "topics.exclude": list,
                "topics_exclude": list,
                "x-y": {"type": "string"},
                "x_y": {"type": "string"},
                "x y": {"type": "string"},
            }}}),
        );
        let after = doc(
            json!({"/f": {"post": sends("FlowCreate", schema_ref("Flow"))}}),
            json!({"Flow": {"type": "object", "required": ["topics_dot_exclude", "a"], "properties": {
                "a": {"type": "string"},
                "topics_dot_exclude": list,
                "topics_exclude": list,
                "x_dash_y": {"type": "string"},
                "x_y": {"type": "string"},
                "x_space_y": {"type": "string"},
            }, WIRE_NAMES_EXTENSION: {
                "topics_dot_exclude": "topics.exclude",
                "x_dash_y": "x-y",
                "x_space_y": "x y",
            }}}),
        );
        assert_rule("colliding-property-identifiers", before, 3, &after);
        // Property order is kept: generated fields follow the documentation.
        let mut d = after.clone();
        run("colliding-property-identifiers", &mut d);
        let keys: Vec<&String> = d["components"]["schemas"]["Flow"]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(
            keys,
            [
                "a",
                "topics_dot_exclude",
                "topics_exclude",
                "x_dash_y",
                "x_y",
                "x_space_y"
            ]
        );
    }

    #[test]
    fn colliding_property_identifiers_picks_a_free_name() {
        // Neither is the identifier itself: the first keeps `a_b`, the second
        // would be `a_dot_b`, which a sibling already uses.
        let mut d = doc(
            json!({}),
            json!({"S": {"type": "object", "properties": {
                "a-b": {"type": "string"},
                "a.b": {"type": "string"},
                "a_dot_b": {"type": "integer"},
            }}}),
        );
        assert_eq!(run("colliding-property-identifiers", &mut d), 1);
        let s = &d["components"]["schemas"]["S"];
        assert_eq!(s[WIRE_NAMES_EXTENSION], json!({"a_dot_b_2": "a.b"}));
        assert!(s["properties"].get("a-b").is_some());
        crate::idents::check(&d).unwrap();
    }

    #[test]
    fn colliding_property_identifiers_clean() {
        assert_noop(
            "colliding-property-identifiers",
            doc(
                json!({}),
                json!({"S": {"type": "object", "properties": {
                    "end-time": {"type": "string"},
                    "topics": {"type": "string"},
                    "topics_exclude": {"type": "string"},
                }}}),
            ),
        );
    }

    // deprecated-in-prose

    #[test]
    fn deprecated_in_prose_fires() {
        let before = doc(
            json!({}),
            json!({"S": {"type": "object", "properties": {
                "currency": {"type": "string", "description": "[DEPRECATED] Billing currency"},
                "topics.blacklist": {"type": "string", "title": "Topics to skip. Deprecated property, use 'topics_exclude instead'."},
                "group": {"type": "string", "description": "Owner. Deprecated; always null. Teams are being sunset."},
                "old": {"type": "string", "deprecated": true},
            }}}),
        );
        let after = doc(
            json!({}),
            json!({"S": {"type": "object", "properties": {
                "currency": {"type": "string", "description": "[DEPRECATED] Billing currency",
                    "deprecated": true, DEPRECATION_EXTENSION: "[DEPRECATED] Billing currency"},
                "topics.blacklist": {"type": "string", "title": "Topics to skip. Deprecated property, use 'topics_exclude instead'.",
                    "deprecated": true, DEPRECATION_EXTENSION: "Deprecated property, use 'topics_exclude instead'."},
                "group": {"type": "string", "description": "Owner. Deprecated; always null. Teams are being sunset.",
                    "deprecated": true, DEPRECATION_EXTENSION: "Deprecated; always null."},
                "old": {"type": "string", "deprecated": true, DEPRECATION_EXTENSION: "deprecated"},
            }}}),
        );
        assert_rule("deprecated-in-prose", before, 4, &after);
    }

    #[test]
    fn deprecated_in_prose_clean() {
        // Talking about deprecation is not being deprecated.
        assert_noop(
            "deprecated-in-prose",
            doc(
                json!({}),
                json!({"S": {"type": "object", "properties": {
                    "is_deprecated": {"type": "boolean", "description": "If the version is deprecated."},
                    "deprecation_date": {"type": "string", "title": "When it will be deprecated"},
                }}}),
            ),
        );
    }

    // map-like-objects

    fn service_type(desc: &str) -> Value {
        json!({"type": "object", "description": desc, "properties": {
            "latest_available_version": {"type": "string"},
            "user_config_schema": {"type": "object", "properties": {}},
        }})
    }

    // list-leftover-properties

    #[test]
    fn list_leftover_properties_fires() {
        let login = |props: Value, required: Value| {
            doc(
                json!({"/l": {"post": returns("LoginOptions", schema_ref("LoginOptions"))}}),
                json!({"LoginOptions": {
                    "type": "object",
                    "description": "Options",
                    "properties": props,
                    "required": required,
                }}),
            )
        };
        // Beside named properties: the leftover goes, its description stays.
        let before = login(
            json!({
                "None": {"type": "array", "description": "List of methods",
                         "items": {"type": "object", "properties": {}}},
                "action": {"type": "string"},
            }),
            json!(["action", "None"]),
        );
        let after = login(json!({"action": {"type": "string"}}), json!(["action"]));
        let mut after = after;
        after["components"]["schemas"]["LoginOptions"]["description"] = json!(
            "Options\n\nThe description also lists a property named `None` (array: List of \
             methods), a leftover without a wire name; what the server sends beyond the named \
             properties is kept by name."
        );
        assert_rule("list-leftover-properties", before, 1, &after);

        // The only property, on either side, anywhere: any JSON value.
        let before = doc(
            json!({"/w": {"put": sends("Put", json!({"type": "object", "properties": {
                "w": {"type": "object", "properties": {"null": {"type": "string"}},
                      "required": ["null"]},
            }}))}}),
            json!({}),
        );
        let after = doc(
            json!({"/w": {"put": sends("Put", json!({"type": "object", "properties": {
                "w": {"description": "The description also lists a property named `null` \
                      (string: undocumented), a leftover without a wire name; what the server \
                      sends beyond the named properties is kept by name."},
            }}))}}),
            json!({}),
        );
        assert_rule("list-leftover-properties", before, 1, &after);
    }

    #[test]
    fn list_leftover_properties_clean() {
        // Names that merely contain or resemble the words are real names.
        assert_noop(
            "list-leftover-properties",
            doc(
                json!({"/t": {"get": returns("T", json!({"type": "object", "properties": {
                    "none_left": {"type": "boolean"},
                    "NONE": {"type": "string"},
                    "nullable": {"type": "string"},
                }}))}}),
                json!({}),
            ),
        );
    }

    // free-form-response-values

    #[test]
    fn free_form_response_values_fires() {
        let messages = |key: Value, value: Value| {
            doc(
                json!({"/m": {"post": returns("MessageList", schema_ref("MessageList"))}}),
                json!({"MessageList": {"type": "object", "properties": {
                    "messages": {"type": "array", "items": {"type": "object", "properties": {
                        "key": key,
                        "value": value,
                        "offset": {"type": "integer"},
                    }}},
                    "tags": {"type": "object"},
                    "lists": {"type": "array", "items": {"type": "object", "properties": {}}},
                }}}),
            )
        };
        let mut before = messages(
            json!({"type": "object", "description": "The key", "properties": {}}),
            json!({"type": "object", "description": "The value", "properties": {},
                   "additionalProperties": true}),
        );
        let mut after = messages(
            json!({"description": "The key"}),
            json!({"description": "The value"}),
        );
        after["components"]["schemas"]["MessageList"]["properties"]["tags"] = json!({});
        after["components"]["schemas"]["MessageList"]["properties"]["lists"]["items"] = json!({});
        assert_rule("free-form-response-values", before.clone(), 4, &after);
        // The body itself stays an object.
        before["components"]["schemas"]["Empty"] = json!({"type": "object", "properties": {}});
        before["paths"]["/e"] = json!({"get": returns("Empty", schema_ref("Empty"))});
        after["components"]["schemas"]["Empty"] = json!({"type": "object", "properties": {}});
        after["paths"]["/e"] = json!({"get": returns("Empty", schema_ref("Empty"))});
        assert_rule("free-form-response-values", before, 4, &after);
    }

    #[test]
    fn free_form_response_values_clean() {
        // Requests keep their maps; typed maps and objects with properties stay.
        assert_noop(
            "free-form-response-values",
            doc(
                json!({
                    "/p": {"put": sends("Put", json!({"type": "object", "properties": {
                        "user_config": {"type": "object", "properties": {}},
                    }}))},
                    "/g": {"get": returns("Get", json!({"type": "object", "properties": {
                        "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                        "service": {"type": "object", "properties": {"name": {"type": "string"}}},
                        "either": {"type": "object", "oneOf": [{"type": "object"}]},
                    }}))},
                }),
                json!({}),
            ),
        );
    }

    // response-defaults

    #[test]
    fn response_defaults_fires() {
        let body = |flag: Value| {
            json!({"type": "object", "properties": {
                "items": {"type": "array", "items": {"type": "object", "properties": {
                    "enabled": flag,
                }}},
            }})
        };
        let before = doc(
            json!({
                "/g": {"get": returns("Get", body(json!({"type": "boolean", "default": false})))},
                "/p": {"put": sends("Put", body(json!({"type": "boolean", "default": false})))},
            }),
            json!({}),
        );
        let after = doc(
            json!({
                "/g": {"get": returns("Get", body(json!({"type": "boolean"})))},
                // A request builder starts from its default: kept.
                "/p": {"put": sends("Put", body(json!({"type": "boolean", "default": false})))},
            }),
            json!({}),
        );
        assert_rule("response-defaults", before, 1, &after);
    }

    #[test]
    fn map_like_objects_fires() {
        let before = doc(
            json!({"/t": {"get": returns("TypesList", schema_ref("TypesList"))}}),
            json!({"TypesList": {"type": "object", "properties": {"service_types": {
                "type": "object",
                "required": ["pg"],
                "properties": {
                    "kafka": service_type("Kafka"),
                    "pg": service_type("PostgreSQL"),
                    "valkey": service_type("Valkey"),
                },
            }}}}),
        );
        let mut value = service_type("");
        value.as_object_mut().unwrap().remove("description");
        let after = doc(
            json!({"/t": {"get": returns("TypesList", schema_ref("TypesList"))}}),
            json!({"TypesList": {"type": "object", "properties": {"service_types": {
                "type": "object",
                "additionalProperties": value,
                "description": "A map; keys published so far: `kafka`, `pg`, `valkey`.",
            }}}}),
        );
        assert_rule("map-like-objects", before, 1, &after);
    }

    #[test]
    fn map_like_objects_clean() {
        let returned = |props: Value| {
            doc(
                json!({"/t": {"get": returns("T", schema_ref("T"))}}),
                json!({"T": {"type": "object", "properties": props}}),
            )
        };
        // Scalars of one type are ordinary fields (host, user, password…).
        assert_noop(
            "map-like-objects",
            returned(
                json!({"host": {"type": "string"}, "user": {"type": "string"}, "password": {"type": "string"}}),
            ),
        );
        // Two objects are too few to call it a map; different shapes are a struct.
        assert_noop(
            "map-like-objects",
            returned(json!({"a": service_type("A"), "b": service_type("B")})),
        );
        assert_noop(
            "map-like-objects",
            returned(
                json!({"a": service_type("A"), "b": service_type("B"), "c": {"type": "object", "properties": {"x": {"type": "string"}}}}),
            ),
        );
        // Requests stay as published: a fixed set of names is what is sent.
        assert_noop(
            "map-like-objects",
            doc(
                json!({"/t": {"post": sends("T", schema_ref("T"))}}),
                json!({"T": {"type": "object", "properties": {"a": service_type("A"), "b": service_type("A"), "c": service_type("A")}}}),
            ),
        );
    }

    // zero-minimums

    #[test]
    fn zero_minimums_fires() {
        let before = doc(
            json!({}),
            json!({"S": {"type": "object", "minProperties": 0, "properties": {
                "name": {"type": "string", "minLength": 0, "maxLength": 5},
                "list": {"type": "array", "minItems": 0, "items": {"type": "string", "minLength": 1}},
            }}}),
        );
        let after = doc(
            json!({}),
            json!({"S": {"type": "object", "properties": {
                "name": {"type": "string", "maxLength": 5},
                "list": {"type": "array", "items": {"type": "string", "minLength": 1}},
            }}}),
        );
        assert_rule("zero-minimums", before, 3, &after);
    }

    #[test]
    fn zero_minimums_clean() {
        assert_noop(
            "zero-minimums",
            doc(
                json!({}),
                json!({"S": {"type": "string", "minLength": 1, "minimum": 0}}),
            ),
        );
    }

    // text-json-is-json

    #[test]
    fn text_json_is_json_fires() {
        let media = json!({"schema": {"type": "object"}});
        let before = doc(
            json!({
                "/only": {"get": {"operationId": "O", "responses": {"200": {
                    "description": "ok", "content": {"text/json": media},
                }}}},
                "/both": {"get": {"operationId": "B", "responses": {"200": {
                    "description": "ok", "content": {"text/json": media, "text/csv": {}},
                }}}},
            }),
            json!({}),
        );
        let after = doc(
            json!({
                "/only": {"get": {"operationId": "O", "responses": {"200": {
                    "description": "ok", "content": {"application/json": media},
                }}}},
                "/both": {"get": {"operationId": "B", "responses": {"200": {
                    "description": "ok", "content": {"text/json": media, "text/csv": {}},
                }}}},
            }),
            json!({}),
        );
        assert_rule("text-json-is-json", before, 1, &after);
    }

    #[test]
    fn text_json_is_json_clean() {
        assert_noop(
            "text-json-is-json",
            doc(
                json!({"/a": {"get": returns("A", json!({"type": "object"}))}}),
                json!({}),
            ),
        );
    }

    // shared-error-response

    fn error_response() -> Value {
        json!({
            "description": "Aiven error",
            "content": {"application/json": {"schema": schema_ref(ERROR_SCHEMA)}},
        })
    }

    #[test]
    fn shared_error_response_fires() {
        let inline_errors = json!({"type": "array", "items": {
            "type": "object",
            "properties": {"message": {"type": "string"}, "status": {"type": "integer"}},
        }});
        let ok = json!({"description": "ok", "content": {"application/json": {"schema": schema_ref("Teams")}}});
        let before = doc(
            json!({
                "/teams": {
                    "post": {
                        "operationId": "TeamCreate",
                        "requestBody": {"content": {"application/json": {"schema": schema_ref("TeamIn")}}},
                        "responses": {
                            "200": ok,
                            "400": {"description": "bad", "content": {"application/json": {"schema": {"type": "object"}}}},
                            "404": {"description": "missing"},
                        },
                    },
                    "get": {"operationId": "TeamList", "responses": {"200": ok, "default": {"description": "?"}}},
                },
            }),
            json!({
                "Teams": {"type": "object", "properties": {
                    "errors": inline_errors,
                    "message": {"type": "string"},
                }},
                "TeamIn": {"type": "object", "properties": {"errors": inline_errors}},
            }),
        );
        let mut d = before;
        // Two operations and one embedded error list.
        assert_eq!(run("shared-error-response", &mut d), 3);
        let post = &d["paths"]["/teams"]["post"]["responses"];
        let get = &d["paths"]["/teams"]["get"]["responses"];
        assert_eq!(
            post,
            &json!({"200": ok, "4XX": error_response(), "5XX": error_response()})
        );
        assert_eq!(
            get,
            &json!({"200": ok, "4XX": error_response(), "5XX": error_response()})
        );
        let keys: Vec<&String> = post.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["200", "4XX", "5XX"]);
        let schemas = &d["components"]["schemas"];
        assert_eq!(
            schemas["Teams"]["properties"]["errors"],
            json!({"type": "array", "items": schema_ref(ERROR_ITEM_SCHEMA)})
        );
        // Request-side schemas are not touched.
        assert_eq!(schemas["TeamIn"]["properties"]["errors"], inline_errors);
        assert_eq!(schemas[ERROR_SCHEMA]["required"], json!(["message"]));
        assert_eq!(
            schemas[ERROR_SCHEMA]["properties"]["errors"]["items"],
            schema_ref(ERROR_ITEM_SCHEMA)
        );
        assert_eq!(
            schemas[ERROR_ITEM_SCHEMA]["required"],
            json!(["message", "status"])
        );
        let detail: Vec<&String> = schemas[ERROR_ITEM_SCHEMA]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(detail, ["message", "status", "error_code", "more_info"]);

        // Running again finds nothing left to do.
        let snapshot = d.clone();
        assert_eq!(run("shared-error-response", &mut d), 0);
        assert_eq!(d.to_string(), snapshot.to_string());
    }

    #[test]
    fn shared_error_response_leaves_other_error_lists() {
        // An `errors` list whose items lack `status` is not Aiven's error detail.
        let mut d = doc(
            json!({"/r": {"get": returns("R", schema_ref("R"))}}),
            json!({"R": {"type": "object", "properties": {"errors": {"type": "array", "items": {
                "type": "object", "properties": {"message": {"type": "string"}},
            }}}}}),
        );
        let before = d["components"]["schemas"]["R"].clone();
        assert_eq!(run("shared-error-response", &mut d), 1);
        assert_eq!(d["components"]["schemas"]["R"], before);
    }

    #[test]
    fn shared_error_response_needs_component_schemas() {
        let mut d = json!({"openapi": "3.0.1", "paths": {}});
        let err = (rule("shared-error-response").apply)(&mut d).unwrap_err();
        assert_eq!(err.to_string(), "the document has no components.schemas");
    }

    // split-shared-components

    #[test]
    fn split_shared_components_fires() {
        let before = doc(
            json!({"/t": {
                "put": sends("Put", schema_ref("Thing")),
                "get": returns("Get", schema_ref("Thing")),
            }}),
            json!({
                "Thing": {"type": "object", "properties": {"inner": schema_ref("Inner")}},
                "Inner": {"type": "object", "properties": {"x": {"type": "string"}}},
                "Other": {"type": "object", "properties": {"inner": schema_ref("Inner")}},
            }),
        );
        let after = doc(
            json!({"/t": {
                "put": sends("Put", schema_ref("Thing")),
                "get": returns("Get", schema_ref("ThingResponse")),
            }}),
            json!({
                "Thing": {"type": "object", "properties": {"inner": schema_ref("Inner")}},
                "Inner": {"type": "object", "properties": {"x": {"type": "string"}}},
                "Other": {"type": "object", "properties": {"inner": schema_ref("Inner")}},
                "InnerResponse": {"type": "object", "properties": {"x": {"type": "string"}}},
                "ThingResponse": {"type": "object", "properties": {"inner": schema_ref("InnerResponse")}},
            }),
        );
        assert_rule("split-shared-components", before, 2, &after);
    }

    #[test]
    fn split_shared_components_clean() {
        assert_noop(
            "split-shared-components",
            doc(
                json!({"/t": {"put": sends("Put", schema_ref("In")), "get": returns("Get", schema_ref("Out"))}}),
                json!({"In": {"type": "object"}, "Out": {"type": "object"}}),
            ),
        );
    }

    #[test]
    fn split_shared_components_refuses_existing_copy_name() {
        let mut d = doc(
            json!({"/t": {"put": sends("Put", schema_ref("Thing")), "get": returns("Get", schema_ref("Thing"))}}),
            json!({"Thing": {"type": "object"}, "ThingResponse": {"type": "string"}}),
        );
        let err = (rule("split-shared-components").apply)(&mut d).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`Thing` is used by requests and responses, and `ThingResponse` already exists"
        );
    }

    #[test]
    fn component_sides_follow_refs() {
        let d = doc(
            json!({"/t": {"put": sends("Put", schema_ref("A")), "get": returns("Get", schema_ref("B"))}}),
            json!({
                "A": {"type": "object", "properties": {"c": schema_ref("C")}},
                "B": {"type": "array", "items": schema_ref("C")},
                "C": {"type": "object", "properties": {"d": schema_ref("D")}},
                "D": {"type": "string"},
                "Unused": {"type": "string"},
            }),
        );
        let sides = component_sides(&d);
        let both = BTreeSet::from([Side::Request, Side::Response]);
        assert_eq!(sides["A"], BTreeSet::from([Side::Request]));
        assert_eq!(sides["B"], BTreeSet::from([Side::Response]));
        assert_eq!(sides["C"], both);
        assert_eq!(sides["D"], both);
        assert!(!sides.contains_key("Unused"));
    }

    // open-world-responses

    /// A closed schema: every keyword open-world-responses loosens.
    fn closed(inner: &str) -> Value {
        json!({
            "type": "object",
            "description": "A service",
            "required": ["name", "state"],
            "additionalProperties": false,
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 5, "pattern": "^a"},
                "state": {"type": "string", "description": "State", "enum": ["A", "B"]},
                "kind": {"type": "string", "enum": ["x"]},
                "created": {"type": "string", "format": "date-time"},
                "body": {"type": "string", "format": "binary"},
                "count": {"type": "integer", "format": "int64", "minimum": 1},
                "tags": {"type": "array", "uniqueItems": true, "maxItems": 3, "items": {"type": "string"}},
                "flag": {"type": "boolean", "nullable": true},
                "inner": schema_ref(inner),
            },
        })
    }

    #[test]
    fn open_world_responses_fires_on_the_response_side_only() {
        let inner =
            json!({"type": "object", "properties": {"x": {"type": "integer", "enum": [1, 2]}}});
        let before = doc(
            json!({"/s": {
                "get": returns("Get", schema_ref("Svc")),
                "put": sends("Put", schema_ref("SvcIn")),
            }}),
            json!({
                "Svc": closed("Inner"),
                "SvcIn": closed("InnerIn"),
                "Inner": inner,
                "InnerIn": inner,
            }),
        );
        let after = doc(
            json!({"/s": {
                "get": returns("Get", schema_ref("Svc")),
                "put": sends("Put", schema_ref("SvcIn")),
            }}),
            json!({
                "Svc": {
                    "type": "object",
                    "description": "A service",
                    "properties": {
                        "name": {"type": "string", "nullable": true},
                        "state": {"type": "string", "description": "State\n\nKnown values: `A`, `B`.", "nullable": true},
                        "kind": {"type": "string", "nullable": true, "description": "Known values: `x`."},
                        "created": {"type": "string", "nullable": true},
                        "body": {"type": "string", "format": "binary", "nullable": true},
                        "count": {"type": "integer", "nullable": true},
                        "tags": {"type": "array", "items": {"type": "string"}, "nullable": true},
                        "flag": {"type": "boolean", "nullable": true},
                        "inner": schema_ref("Inner"),
                    },
                    // Unknown properties are kept in a flattened `extra`.
                    "additionalProperties": {},
                },
                "SvcIn": closed("InnerIn"),
                "Inner": {"type": "object", "properties": {
                    "x": {"type": "integer", "nullable": true, "description": "Known values: `1`, `2`."},
                }, "additionalProperties": {}},
                "InnerIn": inner,
            }),
        );
        // Svc, name, state, kind, created, count, tags, Inner, Inner.x.
        assert_rule("open-world-responses", before, 9, &after);
    }

    #[test]
    fn open_world_responses_loosens_inline_responses_not_parameters() {
        let param = json!({"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "enum": [1, 2]}});
        let before = doc(
            json!({"/s": {"get": {
                "operationId": "Get",
                "parameters": [param],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                    "type": "array", "minItems": 1, "items": {"type": "string", "format": "uuid"},
                }}}}},
            }}}),
            json!({}),
        );
        let after = doc(
            json!({"/s": {"get": {
                "operationId": "Get",
                "parameters": [param],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                    "type": "array", "items": {"type": "string"},
                }}}}},
            }}}),
            json!({}),
        );
        assert_rule("open-world-responses", before, 2, &after);
    }

    #[test]
    fn open_world_responses_clean() {
        assert_noop(
            "open-world-responses",
            doc(
                json!({"/s": {"get": returns("Get", schema_ref("Svc"))}}),
                json!({"Svc": {"type": "object", "properties": {
                    "name": {"type": "string", "nullable": true},
                    "blob": {"type": "string", "format": "binary", "nullable": true},
                    "other": schema_ref("Other"),
                }, "additionalProperties": {}}, "Other": {"type": "string"}}),
            ),
        );
    }

    // sendable-empty-collections

    fn collections() -> Value {
        json!({
            "type": "object",
            "required": ["must"],
            "properties": {
                "ip_filter": {"type": "array", "items": {"type": "string"}},
                "must": {"type": "array", "items": {"type": "string"}},
                "tags": {"type": "object"},
                "labels": {"type": "object", "properties": {}},
                "config": {"type": "object", "properties": {"a": {"type": "string"}}},
                "strict": {"type": "array", "nullable": false, "items": {"type": "string"}},
                "name": {"type": "string"},
            },
        })
    }

    #[test]
    fn sendable_empty_collections_fires_on_the_request_side_only() {
        let before = doc(
            json!({"/s": {
                "put": sends("Put", schema_ref("In")),
                "get": returns("Get", schema_ref("Out")),
            }}),
            json!({"In": collections(), "Out": collections()}),
        );
        let mut fixed = collections();
        fixed["properties"]["ip_filter"]["nullable"] = json!(true);
        fixed["properties"]["tags"]["nullable"] = json!(true);
        fixed["properties"]["labels"]["nullable"] = json!(true);
        let after = doc(
            json!({"/s": {
                "put": sends("Put", schema_ref("In")),
                "get": returns("Get", schema_ref("Out")),
            }}),
            json!({"In": fixed, "Out": collections()}),
        );
        assert_rule("sendable-empty-collections", before, 3, &after);
    }

    #[test]
    fn sendable_empty_collections_clean() {
        let mut clean = collections();
        for p in ["ip_filter", "tags", "labels"] {
            clean["properties"][p]["nullable"] = json!(true);
        }
        assert_noop(
            "sendable-empty-collections",
            doc(
                json!({"/s": {"put": sends("Put", schema_ref("In"))}}),
                json!({"In": clean}),
            ),
        );
    }

    // sendable-null

    fn nullables() -> Value {
        json!({
            "type": "object",
            "required": ["needed"],
            "properties": {
                "project_vpc_id": {"type": "string", "nullable": true, "description": "VPC"},
                "needed": {"type": "string", "nullable": true},
                "plain": {"type": "string"},
                "limit": {"type": "integer", "nullable": true},
                "list": {"type": "array", "nullable": true, "items": {"type": "string"}},
                "other": {"type": "string", "nullable": true},
            },
        })
    }

    #[test]
    fn sendable_null_fires_on_the_request_side_only() {
        let before = doc(
            json!({"/s": {
                "put": sends("Put", schema_ref("In")),
                "get": returns("Get", schema_ref("Out")),
            }}),
            json!({"In": nullables(), "Out": nullables()}),
        );
        let mut fixed = nullables();
        fixed["properties"]["project_vpc_id"] = schema_ref("NullableString");
        fixed["properties"]["limit"] = schema_ref("NullableInteger");
        fixed["properties"]["other"] = schema_ref("NullableString");
        let after = doc(
            json!({"/s": {
                "put": sends("Put", schema_ref("In")),
                "get": returns("Get", schema_ref("Out")),
            }}),
            json!({
                "In": fixed,
                "Out": nullables(),
                "NullableInteger": {
                    "type": "integer",
                    "nullable": true,
                    SEND_NULL_EXTENSION: true,
                    "description": "A integer that can be sent as `null`.",
                },
                "NullableString": {
                    "type": "string",
                    "nullable": true,
                    SEND_NULL_EXTENSION: true,
                    "description": "A string that can be sent as `null`.",
                },
            }),
        );
        assert_rule("sendable-null", before, 3, &after);
    }

    #[test]
    fn sendable_null_clean() {
        assert_noop(
            "sendable-null",
            doc(
                json!({"/s": {"put": sends("Put", schema_ref("In")), "get": returns("Get", schema_ref("Out"))}}),
                json!({
                    "In": {"type": "object", "properties": {"a": {"type": "string"}}},
                    "Out": {"type": "object", "properties": {"b": {"type": "string", "nullable": true}}},
                }),
            ),
        );
    }

    #[test]
    fn scalar_rust_types() {
        assert_eq!(scalar_rust_type("string"), Some("::std::string::String"));
        assert_eq!(scalar_rust_type("integer"), Some("i64"));
        assert_eq!(scalar_rust_type("number"), Some("f64"));
        assert_eq!(scalar_rust_type("boolean"), Some("bool"));
        assert_eq!(scalar_rust_type("array"), None);
    }

    // The published description

    /// The fetched description; a test that needs it fails, loudly, without it.
    fn real_spec() -> Value {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(crate::SPEC_FILE);
        assert!(
            path.exists(),
            "{} is missing: run `cargo xtask fetch` (offline: AIVEN_OPENAPI_SOURCE=PATH)",
            path.display()
        );
        crate::read_spec_file(&path).expect("the published description parses")
    }

    #[test]
    fn every_rule_is_idempotent_on_the_published_description() {
        let mut d = real_spec();
        for r in RULES {
            let first = (r.apply)(&mut d).unwrap_or_else(|e| panic!("{}: {e}", r.name));
            let snapshot = d.clone();
            let second = (r.apply)(&mut d).unwrap_or_else(|e| panic!("{}: {e}", r.name));
            assert_eq!(second, 0, "{} fired {first} then {second} times", r.name);
            assert!(
                d == snapshot,
                "{}: the second run changed the document",
                r.name
            );
        }
    }
}
