//! Shape hoisting: every inline schema that becomes a Rust type is lifted into
//! a named component, identical shapes share one component, and every name is
//! chosen here, deterministically, and checked to be unique.
//!
//! The published description is fully inlined: the same `Service` object is
//! written out under every operation that returns it, so a generator emits one
//! Rust type per copy. Hoisting identical shapes roughly halves the generated
//! code, and naming every type here (instead of leaving inline types to typify)
//! is what makes a name clash detectable: typify silently reuses a name for a
//! different schema, whereas [`hoist`] fails with both locations.
//!
//! Naming, in order of preference:
//! 1. a shape used in two or more places is named after what it is, the
//!    property that holds it (`service` → `Service`, `node_states[]` →
//!    `NodeState`), when no other shape wants that name;
//! 2. otherwise `<Parent><Property>`, the parent being the component or shape
//!    that holds its first occurrence in (component, path) order — the same
//!    convention typify uses, so names do not depend on which copy is seen first.
//!
//! Names therefore depend only on where shapes occur, not on traversal order.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToPascalCase;
use serde_json::{Map, Value};

use crate::walk::{self, Step};
use crate::Error;

/// Keys that document a schema without changing the Rust type it produces.
const METADATA: [&str; 7] = [
    "description",
    "title",
    "example",
    "examples",
    "externalDocs",
    "deprecated",
    "nullable",
];

/// Names the generated crate already uses, or that read badly as types.
const RESERVED: [&str; 6] = [
    "Error",
    "Client",
    "ResponseValue",
    "ByteStream",
    "Result",
    "Option",
];

/// Where a shape occurs: the holder (component name or shape id) and the steps
/// from the holder to it.
#[derive(Clone, Debug)]
struct Occurrence {
    holder: Holder,
    steps: Vec<Step>,
    /// Component name and full path, for ordering and error messages.
    location: String,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Holder {
    Component(String),
    Shape(usize),
    /// A shape whose children are still being collected (a unique token).
    Pending(usize),
}

#[derive(Debug)]
struct Shape {
    /// The first occurrence's schema, children already replaced by placeholders.
    schema: Value,
    occurrences: Vec<Occurrence>,
}

/// What hoisting did, for statistics.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HoistReport {
    /// Inline schemas that produce a Rust type, before hoisting.
    pub inline_types: usize,
    /// Distinct shapes among them.
    pub distinct_shapes: usize,
    /// Shapes used in two or more places.
    pub shared_shapes: usize,
    /// Shapes named after their property alone (rule 1).
    pub short_names: usize,
}

/// Does typify turn this schema into a named Rust type (struct or enum)?
fn is_named_type(schema: &Value) -> bool {
    let Some(obj) = schema.as_object() else {
        return false;
    };
    if obj.contains_key("$ref") {
        return false;
    }
    let has_props = obj
        .get("properties")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty());
    has_props
        || obj.contains_key("enum")
        || obj.contains_key("allOf")
        || obj.contains_key("anyOf")
        || obj.contains_key("oneOf")
}

/// The schema with documentation removed, children as they are: the identity
/// of a shape.
fn canonical(schema: &Value) -> Value {
    fn strip(schema: &Value) -> Value {
        let Some(obj) = schema.as_object() else {
            return schema.clone();
        };
        let mut out = Map::new();
        for (k, v) in obj {
            if METADATA.contains(&k.as_str()) || k.starts_with("x-") {
                continue;
            }
            let v = match k.as_str() {
                "properties" => Value::Object(
                    v.as_object()
                        .map(|p| p.iter().map(|(n, s)| (n.clone(), strip(s))).collect())
                        .unwrap_or_default(),
                ),
                "items" | "additionalProperties" | "not" => strip(v),
                "allOf" | "anyOf" | "oneOf" => Value::Array(
                    v.as_array()
                        .map(|l| l.iter().map(strip).collect())
                        .unwrap_or_default(),
                ),
                _ => v.clone(),
            };
            out.insert(k.clone(), v);
        }
        // Property order is kept: it is the field order of the Rust type.
        Value::Object(out)
    }
    strip(schema)
}

const PLACEHOLDER: &str = "#/x-aiven-shape/";

fn placeholder(id: usize) -> Value {
    serde_json::json!({ "$ref": format!("{PLACEHOLDER}{id}") })
}

/// English singular of a property name, good enough for API nouns.
pub fn singular(word: &str) -> String {
    let w = word;
    for (suffix, repl) in [
        ("ies", "y"),
        ("sses", "ss"),
        ("xes", "x"),
        ("ches", "ch"),
        ("shes", "sh"),
    ] {
        if let Some(stem) = w.strip_suffix(suffix) {
            if !stem.is_empty() {
                return format!("{stem}{repl}");
            }
        }
    }
    if w.ends_with('s')
        && !w.ends_with("ss")
        && !w.ends_with("us")
        && !w.ends_with("is")
        && w.len() > 3
    {
        return w[..w.len() - 1].to_string();
    }
    w.to_string()
}

/// The name a shape gets from the steps between its holder and itself.
fn name_from_steps(steps: &[Step]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        match step {
            Step::Property(p) => parts.push(p.to_pascal_case()),
            Step::Items => match (i.checked_sub(1).map(|j| &steps[j]), parts.last_mut()) {
                (Some(Step::Property(p)), Some(last)) if singular(p) != *p => {
                    *last = singular(p).to_pascal_case();
                }
                _ => parts.push("Item".into()),
            },
            Step::AdditionalProperties => parts.push("Value".into()),
            Step::Not => parts.push("Not".into()),
            Step::Composition(_, i) => parts.push(format!("Variant{i}")),
        }
    }
    parts.concat()
}

struct Collector {
    shapes: Vec<Shape>,
    by_key: BTreeMap<String, usize>,
    inline_types: usize,
    next_token: usize,
}

impl Collector {
    /// Replaces every named-type subschema below `schema` by a placeholder,
    /// children first, recording the occurrence.
    fn collect(
        &mut self,
        schema: &mut Value,
        component: &str,
        path: &mut Vec<Step>,
        holder_depth: usize,
        holder: &Holder,
    ) {
        walk::for_each_child_mut(schema, &mut |step, sub| {
            path.push(step);
            if is_named_type(sub) {
                // Children of this shape are held by this shape; their ids are
                // only known once it is registered, so collect them against a
                // temporary holder and patch afterwards.
                let token = self.next_token;
                self.next_token += 1;
                let mut inner_path = path.clone();
                self.collect(
                    sub,
                    component,
                    &mut inner_path,
                    path.len(),
                    &Holder::Pending(token),
                );
                let key = canonical(sub).to_string();
                let id = match self.by_key.get(&key) {
                    Some(&id) => id,
                    None => {
                        let id = self.shapes.len();
                        self.shapes.push(Shape {
                            schema: sub.clone(),
                            occurrences: Vec::new(),
                        });
                        self.by_key.insert(key, id);
                        id
                    }
                };
                self.inline_types += 1;
                for shape in &mut self.shapes {
                    for occ in &mut shape.occurrences {
                        if occ.holder == Holder::Pending(token) {
                            occ.holder = Holder::Shape(id);
                        }
                    }
                }
                self.shapes[id].occurrences.push(Occurrence {
                    holder: holder.clone(),
                    steps: path[holder_depth..].to_vec(),
                    location: format!("{component}.{}", walk::render_path(path)),
                });
                *sub = placeholder(id);
            } else {
                self.collect(sub, component, path, holder_depth, holder);
            }
            path.pop();
        });
    }
}

/// Hoists every inline named-type schema of `components.schemas` into its own
/// component. Fails on a name that two different shapes would need.
pub fn hoist(doc: &mut Value) -> Result<HoistReport, Error> {
    let names: Vec<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    if names.is_empty() {
        return Ok(HoistReport::default());
    }
    let mut sorted = names.clone();
    sorted.sort();

    let mut c = Collector {
        shapes: Vec::new(),
        by_key: BTreeMap::new(),
        inline_types: 0,
        next_token: 0,
    };
    for name in &sorted {
        let pointer = format!("/components/schemas/{}", walk::escape_pointer(name));
        let schema = doc.pointer_mut(&pointer).expect("listed above");
        c.collect(
            schema,
            name,
            &mut Vec::new(),
            0,
            &Holder::Component(name.clone()),
        );
    }
    for shape in &mut c.shapes {
        shape
            .occurrences
            .sort_by(|a, b| a.location.cmp(&b.location));
    }

    // A shape identical to a component is that component.
    let mut component_keys: BTreeMap<String, String> = BTreeMap::new();
    for name in &sorted {
        let s = &doc["components"]["schemas"][name];
        component_keys
            .entry(canonical(s).to_string())
            .or_insert_with(|| name.clone());
    }

    let taken: BTreeSet<String> = names.iter().cloned().collect();
    let n = c.shapes.len();
    let mut final_names: Vec<Option<String>> = vec![None; n];
    let mut is_component = vec![false; n];
    for (key, &id) in &c.by_key {
        if let Some(comp) = component_keys.get(key) {
            final_names[id] = Some(comp.clone());
            is_component[id] = true;
        }
    }

    // Rule 1: short names for shared shapes that alone want them.
    let mut wanted: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (id, shape) in c.shapes.iter().enumerate() {
        if shape.occurrences.len() < 2 || final_names[id].is_some() {
            continue;
        }
        let mut votes: BTreeMap<String, usize> = BTreeMap::new();
        for occ in &shape.occurrences {
            *votes.entry(name_from_steps(&occ.steps)).or_default() += 1;
        }
        let best = votes
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(k, _)| k.clone())
            .unwrap_or_default();
        wanted.entry(best).or_default().push(id);
    }
    let mut report = HoistReport {
        inline_types: c.inline_types,
        distinct_shapes: n,
        shared_shapes: c.shapes.iter().filter(|s| s.occurrences.len() > 1).count(),
        short_names: 0,
    };
    for (name, ids) in &wanted {
        if ids.len() == 1
            && !name.is_empty()
            && !taken.contains(name)
            && !RESERVED.contains(&name.as_str())
        {
            final_names[ids[0]] = Some(name.clone());
            report.short_names += 1;
        }
    }

    // Rule 2: <Parent><Property> for the rest, resolving parents first.
    fn resolve(
        id: usize,
        shapes: &[Shape],
        names: &mut Vec<Option<String>>,
        depth: usize,
    ) -> Result<String, Error> {
        if let Some(n) = &names[id] {
            return Ok(n.clone());
        }
        if depth > 256 {
            return Err(Error::Invalid("shape nesting too deep to name".into()));
        }
        let occ = &shapes[id].occurrences[0];
        let parent = match &occ.holder {
            Holder::Component(c) => c.clone(),
            Holder::Shape(p) => resolve(*p, shapes, names, depth + 1)?,
            Holder::Pending(_) => {
                unreachable!("every pending holder is resolved during collection")
            }
        };
        let name = format!("{parent}{}", name_from_steps(&occ.steps));
        names[id] = Some(name.clone());
        Ok(name)
    }
    for id in 0..n {
        resolve(id, &c.shapes, &mut final_names, 0)?;
    }
    let final_names: Vec<String> = final_names
        .into_iter()
        .map(|n| n.expect("resolved"))
        .collect();

    // No silent merges: one name, one shape.
    let mut owner: BTreeMap<&str, usize> = BTreeMap::new();
    for (id, name) in final_names.iter().enumerate() {
        // Only a shape identical to the component may take its name.
        if taken.contains(name) && !is_component[id] {
            return Err(Error::NameClash {
                name: name.clone(),
                first: format!("components.schemas.{name}"),
                second: c.shapes[id].occurrences[0].location.clone(),
            });
        }
        if let Some(&other) = owner.get(name.as_str()) {
            if other != id {
                return Err(Error::NameClash {
                    name: name.clone(),
                    first: c.shapes[other].occurrences[0].location.clone(),
                    second: c.shapes[id].occurrences[0].location.clone(),
                });
            }
        }
        owner.insert(name, id);
    }

    // Write the components and turn placeholders into refs.
    let to_ref = |v: &mut Value| {
        if let Some(Value::String(r)) = v.get_mut("$ref") {
            if let Some(id) = r.strip_prefix(PLACEHOLDER) {
                let id: usize = id.parse().expect("placeholder id");
                *r = format!("#/components/schemas/{}", final_names[id]);
            }
        }
    };
    let schemas = doc["components"]["schemas"]
        .as_object_mut()
        .expect("checked");
    for (id, shape) in c.shapes.iter().enumerate() {
        let name = &final_names[id];
        if schemas.contains_key(name) {
            continue;
        }
        let mut s = shape.schema.clone();
        if let Some(obj) = s.as_object_mut() {
            obj.remove("nullable");
        }
        schemas.insert(name.clone(), s);
    }
    let mut to_ref = to_ref;
    for (_, s) in schemas.iter_mut() {
        walk::walk_pre_mut(s, &mut to_ref);
    }
    schemas.sort_keys();
    audit_newtype_names(schemas)?;
    Ok(report)
}

/// Is this inline schema one typify turns into a named newtype (a string
/// with length or pattern checks)? Objects and enums are hoisted already.
fn is_newtype(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("string")
        && ["maxLength", "minLength", "pattern"]
            .iter()
            .any(|k| schema.get(*k).is_some())
        && schema.get("$ref").is_none()
}

/// The rest of "no silent merges": typify names the newtypes that remain
/// inline after hoisting (`<Component>_<property>` in Pascal case, `Item`
/// for list items, `Value` for map values) and reuses a name it has seen for
/// a different schema without a word. Simulate that naming and refuse a name
/// that two different schemas, or a schema and a component, would share.
fn audit_newtype_names(schemas: &Map<String, Value>) -> Result<(), Error> {
    let mut seen: BTreeMap<String, (Value, String)> = BTreeMap::new();
    for (component, schema) in schemas {
        let Some(Value::Object(props)) = schema.get("properties") else {
            continue;
        };
        for (prop, sub) in props {
            let mut name = format!(
                "{component}_{}",
                heck::ToSnakeCase::to_snake_case(prop.as_str())
            );
            let mut location = format!("{component}.{prop}");
            let mut s = sub;
            loop {
                if let Some(items) = s.get("items") {
                    name.push_str("_item");
                    location.push_str(".[]");
                    s = items;
                } else if let Some(v @ Value::Object(_)) = s.get("additionalProperties") {
                    name.push_str("_value");
                    location.push_str(".{}");
                    s = v;
                } else {
                    break;
                }
            }
            if !is_newtype(s) {
                continue;
            }
            let name = name.to_pascal_case();
            let key = canonical(s);
            if schemas.contains_key(&name) {
                return Err(Error::NameClash {
                    name: name.clone(),
                    first: format!("components.schemas.{name}"),
                    second: location,
                });
            }
            match seen.get(&name) {
                Some((other, first)) if *other != key => {
                    return Err(Error::NameClash {
                        name,
                        first: first.clone(),
                        second: location,
                    });
                }
                Some(_) => {}
                None => {
                    seen.insert(name, (key, location));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn doc(schemas: Value) -> Value {
        json!({"openapi": "3.0.1", "paths": {}, "components": {"schemas": schemas}})
    }

    fn schema_ref(name: &str) -> Value {
        json!({ "$ref": format!("#/components/schemas/{name}") })
    }

    fn obj(props: Value) -> Value {
        json!({"type": "object", "properties": props})
    }

    fn names(d: &Value) -> Vec<String> {
        d["components"]["schemas"]
            .as_object()
            .expect("schemas")
            .keys()
            .cloned()
            .collect()
    }

    fn report(inline_types: usize, distinct: usize, shared: usize, short: usize) -> HoistReport {
        HoistReport {
            inline_types,
            distinct_shapes: distinct,
            shared_shapes: shared,
            short_names: short,
        }
    }

    #[test]
    fn identical_shapes_share_one_component_named_by_property() {
        let mut d = doc(json!({
            "B": obj(json!({"service": {
                "type": "object",
                "description": "The service, as B describes it",
                "properties": {"name": {"type": "string", "description": "B's words"}},
            }})),
            "A": obj(json!({
                "service": {
                    "type": "object",
                    "description": "The service",
                    "properties": {"name": {"type": "string"}},
                },
                "id": {"type": "string"},
            })),
        }));
        let r = hoist(&mut d).unwrap();
        assert_eq!(r, report(2, 1, 1, 1));
        assert_eq!(
            d["components"]["schemas"],
            json!({
                "A": obj(json!({"service": schema_ref("Service"), "id": {"type": "string"}})),
                "B": obj(json!({"service": schema_ref("Service")})),
                // The copy seen first (components in name order) documents it.
                "Service": {
                    "type": "object",
                    "description": "The service",
                    "properties": {"name": {"type": "string"}},
                },
            })
        );
        assert_eq!(names(&d), ["A", "B", "Service"]);
    }

    #[test]
    fn list_items_are_named_by_the_singular_property() {
        let nodes = json!({"type": "array", "items": obj(json!({"state": {"type": "string"}}))});
        let mut d = doc(json!({
            "A": obj(json!({"node_states": nodes})),
            "B": obj(json!({"node_states": nodes})),
        }));
        assert_eq!(hoist(&mut d).unwrap(), report(2, 1, 1, 1));
        let list = json!({"type": "array", "items": schema_ref("NodeState")});
        assert_eq!(
            d["components"]["schemas"],
            json!({
                "A": obj(json!({"node_states": list})),
                "B": obj(json!({"node_states": list})),
                "NodeState": obj(json!({"state": {"type": "string"}})),
            })
        );
    }

    #[test]
    fn shapes_inside_shared_shapes_are_shared_too() {
        let service = obj(json!({
            "name": {"type": "string"},
            "node_states": {"type": "array", "items": obj(json!({"state": {"type": "string"}}))},
        }));
        let mut d = doc(json!({
            "ServiceGetResponse": obj(json!({"service": service})),
            "ServiceUpdateResponse": obj(json!({"service": service})),
        }));
        assert_eq!(hoist(&mut d).unwrap(), report(4, 2, 2, 2));
        let s = &d["components"]["schemas"];
        assert_eq!(
            s["Service"],
            obj(json!({
                "name": {"type": "string"},
                "node_states": {"type": "array", "items": schema_ref("NodeState")},
            }))
        );
        assert_eq!(s["NodeState"], obj(json!({"state": {"type": "string"}})));
        assert_eq!(
            s["ServiceGetResponse"],
            obj(json!({"service": schema_ref("Service")}))
        );
        assert_eq!(
            s["ServiceUpdateResponse"],
            obj(json!({"service": schema_ref("Service")}))
        );
    }

    #[test]
    fn a_singleton_is_named_parent_and_property() {
        let mut d = doc(json!({
            "Foo": obj(json!({
                "bar": obj(json!({
                    "baz": obj(json!({"x": {"type": "string"}})),
                    "kind": {"type": "string", "enum": ["a", "b"]},
                })),
                "labels": {"type": "object", "additionalProperties": obj(json!({"v": {"type": "string"}}))},
                "data": {"type": "array", "items": obj(json!({"d": {"type": "integer"}}))},
                "either": {"oneOf": [obj(json!({"p": {"type": "string"}})), {"type": "string"}]},
            })),
        }));
        assert_eq!(hoist(&mut d).unwrap(), report(7, 7, 0, 0));
        let s = &d["components"]["schemas"];
        assert_eq!(
            names(&d),
            [
                "Foo",
                "FooBar",
                "FooBarBaz",
                "FooBarKind",
                "FooDataItem",
                "FooEither",
                "FooEitherVariant0",
                "FooLabelsValue",
            ]
        );
        assert_eq!(
            s["Foo"],
            obj(json!({
                "bar": schema_ref("FooBar"),
                "labels": {"type": "object", "additionalProperties": schema_ref("FooLabelsValue")},
                "data": {"type": "array", "items": schema_ref("FooDataItem")},
                "either": schema_ref("FooEither"),
            }))
        );
        assert_eq!(
            s["FooBar"],
            obj(json!({"baz": schema_ref("FooBarBaz"), "kind": schema_ref("FooBarKind")}))
        );
        assert_eq!(
            s["FooBarKind"],
            json!({"type": "string", "enum": ["a", "b"]})
        );
        assert_eq!(
            s["FooEither"],
            json!({"oneOf": [schema_ref("FooEitherVariant0"), {"type": "string"}]})
        );
    }

    #[test]
    fn nullable_stays_out_of_the_component() {
        let mut d = doc(json!({
            "Foo": obj(json!({"bar": {"type": "object", "nullable": true, "properties": {"x": {"type": "string"}}}})),
        }));
        hoist(&mut d).unwrap();
        assert_eq!(
            d["components"]["schemas"]["FooBar"],
            obj(json!({"x": {"type": "string"}}))
        );
    }

    #[test]
    fn contested_short_names_fall_back_to_parent_and_property() {
        let x = obj(json!({"name": {"type": "string"}}));
        let y = obj(json!({"id": {"type": "integer"}}));
        let mut d = doc(json!({
            "A": obj(json!({"service": x})),
            "B": obj(json!({"service": x})),
            "C": obj(json!({"service": y})),
            "D": obj(json!({"service": y})),
        }));
        assert_eq!(hoist(&mut d).unwrap(), report(4, 2, 2, 0));
        let s = &d["components"]["schemas"];
        assert_eq!(s["B"], obj(json!({"service": schema_ref("AService")})));
        assert_eq!(s["D"], obj(json!({"service": schema_ref("CService")})));
        assert_eq!(s["AService"], x);
        assert_eq!(s["CService"], y);
    }

    #[test]
    fn naming_does_not_depend_on_component_order() {
        let x = obj(json!({"name": {"type": "string"}}));
        let y = obj(json!({"id": {"type": "integer"}}));
        let nodes = json!({"type": "array", "items": obj(json!({"state": {"type": "string"}}))});
        let entries = [
            ("Zeta", obj(json!({"service": x, "node_states": nodes}))),
            ("Alpha", obj(json!({"service": y, "node_states": nodes}))),
            ("Mid", obj(json!({"service": x, "other": y}))),
            (
                "Beta",
                obj(json!({"service": y, "extra": obj(json!({"e": {"type": "boolean"}}))})),
            ),
        ];
        let build = |order: &[usize]| {
            let mut schemas = Map::new();
            for &i in order {
                schemas.insert(entries[i].0.to_string(), entries[i].1.clone());
            }
            doc(Value::Object(schemas))
        };
        let mut one = build(&[0, 1, 2, 3]);
        let mut two = build(&[3, 2, 1, 0]);
        let r1 = hoist(&mut one).unwrap();
        let r2 = hoist(&mut two).unwrap();
        assert_eq!(r1, r2);
        assert_eq!(names(&one), names(&two));
        assert_eq!(one.to_string(), two.to_string());
        assert_eq!(
            names(&one),
            [
                "Alpha",
                "AlphaService",
                "Beta",
                "BetaExtra",
                "Mid",
                "MidService",
                "NodeState",
                "Zeta"
            ]
        );
        let s = &one["components"]["schemas"];
        // `Mid.other` is the same shape as Alpha's and Beta's `service`.
        assert_eq!(s["Mid"]["properties"]["other"], schema_ref("AlphaService"));
        assert_eq!(s["Zeta"]["properties"]["service"], schema_ref("MidService"));
        assert_eq!(
            s["Beta"]["properties"]["service"],
            schema_ref("AlphaService")
        );
    }

    #[test]
    fn a_shape_identical_to_a_component_reuses_it() {
        let mut d = doc(json!({
            "Service": {
                "type": "object",
                "description": "A service",
                "properties": {"name": {"type": "string", "description": "Its name"}},
            },
            "A": obj(json!({"service": obj(json!({"name": {"type": "string"}}))})),
            "B": obj(json!({"svc": obj(json!({"name": {"type": "string"}}))})),
        }));
        assert_eq!(hoist(&mut d).unwrap(), report(2, 1, 1, 0));
        assert_eq!(names(&d), ["A", "B", "Service"]);
        let s = &d["components"]["schemas"];
        assert_eq!(s["A"], obj(json!({"service": schema_ref("Service")})));
        assert_eq!(s["B"], obj(json!({"svc": schema_ref("Service")})));
        assert_eq!(s["Service"]["description"], json!("A service"));
    }

    #[test]
    fn reserved_or_taken_short_names_are_not_used() {
        let e = obj(json!({"message": {"type": "string"}}));
        let s = obj(json!({"name": {"type": "string"}}));
        let mut d = doc(json!({
            "A": obj(json!({"error": e, "service": s})),
            "B": obj(json!({"error": e, "service": s})),
            "Service": obj(json!({"id": {"type": "integer"}})),
        }));
        assert_eq!(hoist(&mut d).unwrap(), report(4, 2, 2, 0));
        assert_eq!(names(&d), ["A", "AError", "AService", "B", "Service"]);
    }

    #[test]
    fn two_shapes_wanting_one_name_is_a_clash() {
        let mut d = doc(json!({
            "FooBar": obj(json!({"baz": obj(json!({"y": {"type": "integer"}}))})),
            "Foo": obj(json!({"bar_baz": obj(json!({"x": {"type": "string"}}))})),
        }));
        let err = hoist(&mut d).unwrap_err();
        let Error::NameClash {
            name,
            first,
            second,
        } = &err
        else {
            panic!("expected a name clash, got {err}");
        };
        assert_eq!(name, "FooBarBaz");
        assert_eq!(first, "Foo.bar_baz");
        assert_eq!(second, "FooBar.baz");
        assert_eq!(
            err.to_string(),
            "type name `FooBarBaz` would be used for two different schemas: Foo.bar_baz and FooBar.baz"
        );
    }

    #[test]
    fn a_shape_named_like_a_different_component_is_a_clash() {
        let mut d = doc(json!({
            "Foo": obj(json!({"bar": obj(json!({"x": {"type": "string"}}))})),
            "FooBar": obj(json!({"y": {"type": "integer"}})),
        }));
        let err = hoist(&mut d).unwrap_err();
        assert_eq!(
            err.to_string(),
            "type name `FooBar` would be used for two different schemas: components.schemas.FooBar and Foo.bar"
        );
    }

    #[test]
    fn nothing_to_hoist() {
        let clean = doc(json!({
            "A": obj(json!({"service": schema_ref("B"), "tags": {"type": "array", "items": {"type": "string"}}})),
            "B": {"type": "object", "additionalProperties": {"type": "string"}},
        }));
        let mut d = clean.clone();
        assert_eq!(hoist(&mut d).unwrap(), report(0, 0, 0, 0));
        assert_eq!(d, clean);
        // Hoisting a hoisted document changes nothing.
        let mut once =
            doc(json!({"Foo": obj(json!({"bar": obj(json!({"x": {"type": "string"}}))}))}));
        hoist(&mut once).unwrap();
        let mut twice = once.clone();
        assert_eq!(hoist(&mut twice).unwrap(), report(0, 0, 0, 0));
        assert_eq!(once, twice);
        // A document without component schemas has nothing to hoist.
        let mut bare = json!({"openapi": "3.0.1", "paths": {}});
        assert_eq!(hoist(&mut bare).unwrap(), report(0, 0, 0, 0));
        assert_eq!(bare, json!({"openapi": "3.0.1", "paths": {}}));
    }

    #[test]
    fn singular_of_api_nouns() {
        for (plural, one) in [
            ("node_states", "node_state"),
            ("policies", "policy"),
            ("addresses", "address"),
            ("boxes", "box"),
            ("branches", "branch"),
            ("hashes", "hash"),
            ("status", "status"),
            ("access", "access"),
            ("analysis", "analysis"),
            ("ips", "ips"),
            ("data", "data"),
        ] {
            assert_eq!(singular(plural), one, "{plural}");
        }
    }

    #[test]
    fn canonical_ignores_documentation_only() {
        let a = json!({"type": "object", "description": "a", "title": "A", "x-foo": 1,
            "properties": {"p": {"type": "string", "example": "e", "nullable": true}}});
        let b = json!({"type": "object", "properties": {"p": {"type": "string"}}});
        let c = json!({"type": "object", "properties": {"p": {"type": "integer"}}});
        assert_eq!(canonical(&a), canonical(&b));
        assert_ne!(canonical(&a), canonical(&c));
        // Field order is part of the shape.
        let d1 = obj(json!({"a": {"type": "string"}, "b": {"type": "string"}}));
        let d2 = obj(json!({"b": {"type": "string"}, "a": {"type": "string"}}));
        assert_ne!(canonical(&d1).to_string(), canonical(&d2).to_string());
    }

    #[test]
    fn newtypes_typify_would_name_alike_are_a_clash() {
        // typify names both `FooBarBaz`: `Foo` + `bar_baz` and `FooBar` + `baz`.
        let mut d = doc(json!({
            "Foo": obj(json!({"bar_baz": {"type": "string", "maxLength": 5}})),
            "FooBar": obj(json!({"baz": {"type": "string", "maxLength": 9}})),
        }));
        let err = hoist(&mut d).unwrap_err().to_string();
        assert_eq!(
            err,
            "type name `FooBarBaz` would be used for two different schemas: Foo.bar_baz and FooBar.baz"
        );
    }

    #[test]
    fn identical_newtypes_with_one_name_are_fine_and_list_items_are_named() {
        let mut d = doc(json!({
            "Foo": obj(json!({"bar_baz": {"type": "string", "maxLength": 5, "description": "a"}})),
            "FooBar": obj(json!({"baz": {"type": "string", "maxLength": 5, "description": "b"}})),
            "FooTagsItem": obj(json!({"x": {"type": "integer"}})),
            "Foo2": obj(json!({"tags": {"type": "array", "items": {"type": "string", "pattern": "^a"}}})),
        }));
        hoist(&mut d).expect("same schema under one name is one type");
        let mut clash = doc(json!({
            "FooTagsItem": obj(json!({"x": {"type": "integer"}})),
            "Foo": obj(json!({"tags": {"type": "array", "items": {"type": "string", "pattern": "^a"}}})),
        }));
        let err = hoist(&mut clash).unwrap_err().to_string();
        assert!(
            err.contains("`FooTagsItem`") && err.contains("Foo.tags.[]"),
            "{err}"
        );
    }
}
