//! Enum lists of a document by location, and their changes. A location is
//! the owner (component schema, `parameters.<name>`, or `<operationId> ...`
//! for inline schemas) followed by the path inside it, e.g.
//! `ServiceGetResponse.service.state`.

use super::details::label;
use super::model::{content_schema, named_entries};
use crate::spec::{operations, Operation};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Enum values per location.
pub type EnumSites = BTreeMap<String, Vec<Value>>;

/// One enum location whose values changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnumChange {
    pub location: String,
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

/// Every enum in component schemas, component parameters and inline
/// operation schemas (references are followed where they are defined).
pub fn enum_sites(doc: &Value) -> EnumSites {
    let mut sites = EnumSites::new();
    for (name, schema) in named_entries(doc, "/components/schemas") {
        collect(name.clone(), schema, &mut sites);
    }
    for (name, param) in named_entries(doc, "/components/parameters") {
        if let Some(schema) = param.get("schema") {
            collect(format!("parameters.{name}"), schema, &mut sites);
        }
    }
    for op in operations(doc) {
        collect_inline(&op, &mut sites);
    }
    sites
}

/// Changes at locations present on both sides (a location that appears or
/// disappears is reported as a schema change instead).
pub fn enum_changes(old: &EnumSites, new: &EnumSites) -> Vec<EnumChange> {
    old.iter()
        .filter_map(|(location, before)| enum_change(location, before, new.get(location)?))
        .collect()
}

fn enum_change(location: &str, before: &[Value], after: &[Value]) -> Option<EnumChange> {
    let added = missing_from(after, before);
    let removed = missing_from(before, after);
    let changed = !added.is_empty() || !removed.is_empty();
    changed.then(|| EnumChange {
        location: location.to_owned(),
        added,
        removed,
    })
}

fn missing_from(values: &[Value], other: &[Value]) -> Vec<String> {
    values
        .iter()
        .filter(|v| !other.contains(v))
        .map(label)
        .collect()
}

/// Records the enums of `schema` and of every schema nested in it.
fn collect(location: String, schema: &Value, sites: &mut EnumSites) {
    if schema.get("$ref").is_some() {
        return;
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        sites.insert(location.clone(), values.clone());
    }
    for (child, nested) in nested_schemas(schema) {
        collect(format!("{location}{child}"), nested, sites);
    }
}

/// `(path step, schema)` for each schema directly inside `schema`.
fn nested_schemas(schema: &Value) -> Vec<(String, &Value)> {
    let mut nested = Vec::new();
    let properties = schema.get("properties").and_then(Value::as_object);
    for (name, child) in properties.into_iter().flatten() {
        nested.push((format!(".{name}"), child));
    }
    if let Some(items) = schema.get("items") {
        nested.push(("[]".to_owned(), items));
    }
    if let Some(values) = schema.get("additionalProperties").filter(|v| v.is_object()) {
        nested.push(("{}".to_owned(), values));
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        let variants = schema.get(key).and_then(Value::as_array);
        for (i, variant) in variants.into_iter().flatten().enumerate() {
            nested.push((format!(".{key}[{i}]"), variant));
        }
    }
    nested
}

/// Enums written inline in an operation's parameters, body and responses.
fn collect_inline(op: &Operation<'_>, sites: &mut EnumSites) {
    let owner = op.id().map_or_else(|| op.location(), str::to_owned);
    for (place, schema) in inline_schemas(op) {
        collect(format!("{owner} {place}"), schema, sites);
    }
}

fn inline_schemas<'a>(op: &Operation<'a>) -> Vec<(String, &'a Value)> {
    let mut found = inline_parameter_schemas(op);
    if let Some(schema) = op.body.get("requestBody").and_then(content_schema) {
        found.push(("request body".to_owned(), schema));
    }
    let responses = op.body.get("responses").and_then(Value::as_object);
    for (status, response) in responses.into_iter().flatten() {
        if let Some(schema) = content_schema(response) {
            found.push((format!("response {status}"), schema));
        }
    }
    found
}

fn inline_parameter_schemas<'a>(op: &Operation<'a>) -> Vec<(String, &'a Value)> {
    let lists = [op.item.get("parameters"), op.body.get("parameters")];
    let params = lists
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten();
    params
        .filter_map(|param| {
            let name = param.get("name")?.as_str()?;
            let location = param.get("in")?.as_str()?;
            Some((format!("parameter {location}:{name}"), param.get("schema")?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn locations_name_component_and_path() {
        let doc = json!({ "paths": {}, "components": { "schemas": { "ServiceGetResponse": {
            "type": "object", "properties": { "service": { "type": "object", "properties": {
                "state": { "type": "string", "enum": ["RUNNING", "FOO"] },
                "tags": { "type": "array", "items": { "enum": [1, 2] } } } } } } } } });
        let sites = enum_sites(&doc);
        let keys: Vec<&String> = sites.keys().collect();
        assert_eq!(
            keys,
            [
                "ServiceGetResponse.service.state",
                "ServiceGetResponse.service.tags[]"
            ]
        );
    }

    #[test]
    fn changes_list_added_and_removed_values() {
        let old = EnumSites::from([("X.state".to_owned(), vec![json!("RUNNING"), json!("FOO")])]);
        let new = EnumSites::from([(
            "X.state".to_owned(),
            vec![json!("MIGRATING"), json!("RUNNING")],
        )]);
        let expected = EnumChange {
            location: "X.state".into(),
            added: vec!["MIGRATING".into()],
            removed: vec!["FOO".into()],
        };
        assert_eq!(enum_changes(&old, &new), [expected]);
    }
}
