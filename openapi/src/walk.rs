//! Traversal of the schemas inside an OpenAPI 3.0 document held as JSON.
//!
//! Rules work on `serde_json::Value` rather than `openapiv3` types so that
//! they can repair documents that `openapiv3` (or typify) would reject.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// Which side of the wire a schema describes. Request-side schemas stay
/// strict (they protect the caller); response-side schemas are made tolerant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    Request,
    Response,
}

/// The HTTP methods an OpenAPI path item can hold.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// JSON-pointer escaping of one reference token.
pub fn escape_pointer(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// The keywords whose value is a single subschema.
const SINGLE: [&str; 3] = ["items", "additionalProperties", "not"];
/// The keywords whose value is a list of subschemas.
const LISTS: [&str; 3] = ["allOf", "anyOf", "oneOf"];

/// One step from a schema to a subschema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Property(String),
    Items,
    AdditionalProperties,
    Not,
    Composition(&'static str, usize),
}

impl Step {
    /// The path segment used in human-readable locations.
    pub fn label(&self) -> String {
        match self {
            Step::Property(p) => p.clone(),
            Step::Items => "[]".into(),
            Step::AdditionalProperties => "{}".into(),
            Step::Not => "!".into(),
            Step::Composition(k, i) => format!("{k}[{i}]"),
        }
    }
}

/// Steps rendered as a dotted location (`service.node_states.[]`), for messages.
pub fn render_path(steps: &[Step]) -> String {
    steps.iter().map(Step::label).collect::<Vec<_>>().join(".")
}

/// Where a schema's direct subschemas are, written once: the read and the
/// mutable walker below are its two expansions (they differ only in the
/// accessors they borrow with).
macro_rules! visit_children {
    ($schema:expr, $f:expr, $as_object:ident, $get:ident, $iter:ident) => {{
        let Some(obj) = $schema.$as_object() else {
            return;
        };
        if let Some(Value::Object(props)) = obj.$get("properties") {
            for (name, sub) in props.$iter() {
                $f(Step::Property(name.clone()), sub);
            }
        }
        for key in SINGLE {
            if let Some(sub @ Value::Object(_)) = obj.$get(key) {
                let step = match key {
                    "items" => Step::Items,
                    "additionalProperties" => Step::AdditionalProperties,
                    _ => Step::Not,
                };
                $f(step, sub);
            }
        }
        for key in LISTS {
            if let Some(Value::Array(items)) = obj.$get(key) {
                for (i, sub) in items.$iter().enumerate() {
                    $f(Step::Composition(key, i), sub);
                }
            }
        }
    }};
}

/// Calls `f` on each direct subschema of `schema`.
pub fn for_each_child_mut(schema: &mut Value, f: &mut dyn FnMut(Step, &mut Value)) {
    visit_children!(schema, f, as_object_mut, get_mut, iter_mut)
}

/// Calls `f` on each direct subschema of `schema` (read-only).
pub fn for_each_child(schema: &Value, f: &mut dyn FnMut(Step, &Value)) {
    visit_children!(schema, f, as_object, get, iter)
}

/// Visits every schema below `schema` (itself included), parents first, with
/// the steps from `schema` to it.
pub fn walk_pre(schema: &Value, steps: &mut Vec<Step>, f: &mut dyn FnMut(&[Step], &Value)) {
    f(steps, schema);
    for_each_child(schema, &mut |step, sub| {
        steps.push(step);
        walk_pre(sub, steps, f);
        steps.pop();
    });
}

/// One operation of the document, borrowed.
#[derive(Clone, Copy, Debug)]
pub struct OperationRef<'a> {
    /// The path template as it appears in `paths`.
    pub path: &'a str,
    /// Lower-case method (`get`, `post`…).
    pub method: &'static str,
    /// The operation object.
    pub operation: &'a Value,
    /// The path item holding it (for path-level parameters).
    pub item: &'a Value,
}

impl<'a> OperationRef<'a> {
    /// The operation's `operationId`, if it has one.
    pub fn operation_id(&self) -> Option<&'a str> {
        self.operation.get("operationId").and_then(Value::as_str)
    }

    /// JSON pointer of the operation object.
    pub fn pointer(&self) -> String {
        format!("/paths/{}/{}", escape_pointer(self.path), self.method)
    }

    /// Its parameters, path-level ones first, `$ref`s to
    /// `components/parameters` resolved; an operation-level parameter replaces
    /// a path-level one of the same name and location.
    pub fn parameters(&self, doc: &'a Value) -> Vec<&'a Value> {
        let resolve = |p: &'a Value| resolve(doc, p);
        let key = |p: &Value| {
            (
                p.get("name").and_then(Value::as_str).map(str::to_string),
                p.get("in").and_then(Value::as_str).map(str::to_string),
            )
        };
        let list = |v: &'a Value| -> Vec<&'a Value> {
            v.get("parameters")
                .and_then(Value::as_array)
                .map(|ps| ps.iter().filter_map(resolve).collect())
                .unwrap_or_default()
        };
        let own = list(self.operation);
        let mut out: Vec<&Value> = list(self.item)
            .into_iter()
            .filter(|p| !own.iter().any(|o| key(o) == key(p)))
            .collect();
        out.extend(own);
        out
    }
}

/// `value`, or what its chain of local `$ref`s (`#/…`) ends at; `None` for
/// a reference outside the document, a missing target, or a chain longer
/// than any real one (a cycle).
pub fn resolve<'a>(doc: &'a Value, value: &'a Value) -> Option<&'a Value> {
    const MAX_HOPS: usize = 64;
    let mut v = value;
    for _ in 0..MAX_HOPS {
        match v.get("$ref").and_then(Value::as_str) {
            Some(r) => v = doc.pointer(r.strip_prefix('#')?)?,
            None => return Some(v),
        }
    }
    None
}

/// Every operation of the document, in document order (paths, then
/// [`METHODS`] order): the one loop over paths × methods.
pub fn operations(doc: &Value) -> Vec<OperationRef<'_>> {
    let Some(Value::Object(paths)) = doc.get("paths") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (path, item) in paths {
        for m in METHODS {
            if let Some(op @ Value::Object(_)) = item.get(m) {
                out.push(OperationRef {
                    path,
                    method: m,
                    operation: op,
                    item,
                });
            }
        }
    }
    out
}

/// Visits every schema below `schema` (itself included), parents first.
pub fn walk_pre_mut(schema: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    f(schema);
    for_each_child_mut(schema, &mut |_, sub| walk_pre_mut(sub, f));
}

/// A root schema position in the document, as a JSON pointer, with the side it
/// describes (`None` for component schemas, whose side depends on who uses them).
#[derive(Clone, Debug)]
pub struct Root {
    pub pointer: String,
    pub side: Option<Side>,
}

/// Every root schema position of the document: component schemas, parameter
/// schemas, request bodies and responses (inline or under components).
pub fn schema_roots(doc: &Value) -> Vec<Root> {
    let mut roots = Vec::new();
    let comp = doc.get("components");
    if let Some(Value::Object(schemas)) = comp.and_then(|c| c.get("schemas")) {
        for name in schemas.keys() {
            roots.push(Root {
                pointer: format!("/components/schemas/{}", escape_pointer(name)),
                side: None,
            });
        }
    }
    if let Some(Value::Object(params)) = comp.and_then(|c| c.get("parameters")) {
        for (name, p) in params {
            if p.get("schema").is_some() {
                roots.push(Root {
                    pointer: format!("/components/parameters/{}/schema", escape_pointer(name)),
                    side: Some(Side::Request),
                });
            }
        }
    }
    let mut content_roots = Vec::new();
    if let Some(Value::Object(bodies)) = comp.and_then(|c| c.get("requestBodies")) {
        for (name, b) in bodies {
            content_roots.push((
                format!("/components/requestBodies/{}", escape_pointer(name)),
                b.get("content"),
                Side::Request,
            ));
        }
    }
    if let Some(Value::Object(resps)) = comp.and_then(|c| c.get("responses")) {
        for (name, r) in resps {
            content_roots.push((
                format!("/components/responses/{}", escape_pointer(name)),
                r.get("content"),
                Side::Response,
            ));
        }
    }
    let mut param_roots = Vec::new();
    if let Some(Value::Object(paths)) = doc.get("paths") {
        for (path, item) in paths {
            if let Some(Value::Array(ps)) = item.get("parameters") {
                let pbase = format!("/paths/{}", escape_pointer(path));
                for (i, p) in ps.iter().enumerate() {
                    if p.get("schema").is_some() {
                        param_roots.push(format!("{pbase}/parameters/{i}/schema"));
                    }
                }
            }
        }
    }
    for op in operations(doc) {
        let obase = op.pointer();
        if let Some(Value::Array(ps)) = op.operation.get("parameters") {
            for (i, p) in ps.iter().enumerate() {
                if p.get("schema").is_some() {
                    param_roots.push(format!("{obase}/parameters/{i}/schema"));
                }
            }
        }
        if let Some(b) = op.operation.get("requestBody") {
            content_roots.push((
                format!("{obase}/requestBody"),
                b.get("content"),
                Side::Request,
            ));
        }
        if let Some(Value::Object(rs)) = op.operation.get("responses") {
            for (code, r) in rs {
                content_roots.push((
                    format!("{obase}/responses/{}", escape_pointer(code)),
                    r.get("content"),
                    Side::Response,
                ));
            }
        }
    }
    for p in param_roots {
        roots.push(Root {
            pointer: p,
            side: Some(Side::Request),
        });
    }
    for (base, content, side) in content_roots {
        let Some(Value::Object(content)) = content else {
            continue;
        };
        for (ct, media) in content {
            if media.get("schema").is_some() {
                roots.push(Root {
                    pointer: format!("{base}/content/{}/schema", escape_pointer(ct)),
                    side: Some(side),
                });
            }
        }
    }
    roots
}

/// All schema component names referenced anywhere below `schema`.
pub fn refs_below(schema: &Value, out: &mut Vec<String>) {
    let mut refs = Vec::new();
    component_refs(schema, &mut refs);
    out.extend(
        refs.into_iter()
            .filter(|(section, _)| section == "schemas")
            .map(|(_, name)| name),
    );
}

/// Every `#/components/<section>/<name>` referenced below `value`, as
/// `(section, name)` with the name unescaped (`A~1B` → `A/B`).
pub fn component_refs(value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            if let Some(target) = map.get("$ref").and_then(Value::as_str).and_then(component) {
                out.push(target);
            }
            map.values().for_each(|v| component_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| component_refs(v, out)),
        _ => {}
    }
}

/// `#/components/schemas/A~1B` → `("schemas", "A/B")`.
fn component(reference: &str) -> Option<(String, String)> {
    let rest = reference.strip_prefix("#/components/")?;
    let (section, name) = rest.split_once('/')?;
    if name.contains('/') {
        return None;
    }
    Some((
        section.to_owned(),
        name.replace("~1", "/").replace("~0", "~"),
    ))
}

/// Keys that document a schema without changing the Rust type it produces.
pub(crate) const METADATA: [&str; 7] = [
    "description",
    "title",
    "example",
    "examples",
    "externalDocs",
    "deprecated",
    "nullable",
];

/// The sides on which each component schema is used (through refs, transitively).
pub(crate) fn component_sides(doc: &Value) -> BTreeMap<String, BTreeSet<Side>> {
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    let mut sides: BTreeMap<String, BTreeSet<Side>> = BTreeMap::new();
    for root in schema_roots(doc) {
        let Some(side) = root.side else { continue };
        let mut stack = Vec::new();
        if let Some(s) = doc.pointer(&root.pointer) {
            refs_below(s, &mut stack);
        }
        while let Some(name) = stack.pop() {
            if sides.entry(name.clone()).or_default().insert(side) {
                if let Some(s) = schemas.and_then(|m| m.get(&name)) {
                    refs_below(s, &mut stack);
                }
            }
        }
    }
    sides
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn resolve_follows_chains_and_stops_on_cycles() {
        let doc = json!({"components": {"schemas": {
            "A": {"$ref": "#/components/schemas/B"},
            "B": {"type": "string"},
            "C": {"$ref": "#/components/schemas/D"},
            "D": {"$ref": "#/components/schemas/C"},
        }}});
        let at = |p: &str| super::resolve(&doc, doc.pointer(p).unwrap());
        assert_eq!(
            at("/components/schemas/A"),
            Some(&json!({"type": "string"}))
        );
        assert_eq!(at("/components/schemas/C"), None);
        let outside = json!({"$ref": "other.yml#/x"});
        assert_eq!(super::resolve(&doc, &outside), None);
        let missing = json!({"$ref": "#/components/schemas/Z"});
        assert_eq!(super::resolve(&doc, &missing), None);
    }
}
