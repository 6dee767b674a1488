//! Comparable models of a document: operations with resolved, normalized
//! schemas, and normalized component schemas.

use crate::spec::{operations, Operation};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Keywords that document rather than constrain; ignored when comparing.
const IGNORED_KEYWORDS: [&str; 5] = [
    "description",
    "example",
    "examples",
    "title",
    "x-codeSamples",
];

/// How many `$ref` hops a shallow lookup follows before giving up.
const MAX_REF_HOPS: usize = 16;

/// Where an operation lives.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OpRef {
    pub operation_id: String,
    pub method: String,
    pub path: String,
}

impl OpRef {
    /// `GET /v1/x`.
    pub fn location(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// A parameter as compared: required-ness and normalized schema.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamModel {
    pub required: bool,
    pub schema: Value,
}

/// The lowest 2xx response: its status and normalized body schema.
#[derive(Debug, Clone, PartialEq)]
pub struct SuccessModel {
    pub status: String,
    pub schema: Value,
}

/// An operation as compared.
#[derive(Debug, Clone)]
pub struct OpModel {
    pub op: OpRef,
    /// Keyed `in:name`, e.g. `query:limit`.
    pub params: BTreeMap<String, ParamModel>,
    pub body: Option<Value>,
    pub success: Option<SuccessModel>,
}

/// Operations keyed by operationId (`METHOD path` when it has none).
pub fn op_models(doc: &Value) -> BTreeMap<String, OpModel> {
    let resolver = Resolver { root: doc };
    operations(doc)
        .iter()
        .map(|op| op_model(&resolver, op))
        .map(|model| (model.op.operation_id.clone(), model))
        .collect()
}

/// `components.schemas`, normalized but with `$ref`s kept.
pub fn schema_models(doc: &Value) -> BTreeMap<String, Value> {
    named_entries(doc, "/components/schemas")
        .map(|(name, schema)| (name.clone(), normalize_schema(schema)))
        .collect()
}

/// The entries of the object at `pointer`, or none.
pub fn named_entries<'a>(
    doc: &'a Value,
    pointer: &str,
) -> impl Iterator<Item = (&'a String, &'a Value)> {
    doc.pointer(pointer)
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
}

/// The schema of a `content` map: `application/json` or else the first one.
pub fn content_schema(holder: &Value) -> Option<&Value> {
    let content = holder.get("content")?.as_object()?;
    let media = content
        .get("application/json")
        .or_else(|| content.values().next())?;
    media.get("schema")
}

fn op_model(resolver: &Resolver<'_>, op: &Operation<'_>) -> OpModel {
    let method = op.method.to_ascii_uppercase();
    let operation_id = op.id().map_or_else(|| op.location(), str::to_owned);
    OpModel {
        op: OpRef {
            operation_id,
            method,
            path: op.path.to_owned(),
        },
        params: param_models(resolver, op),
        body: body_model(resolver, op),
        success: success_model(resolver, op),
    }
}

/// Path-level parameters, overridden by operation-level ones.
fn param_models(resolver: &Resolver<'_>, op: &Operation<'_>) -> BTreeMap<String, ParamModel> {
    let lists = [op.item.get("parameters"), op.body.get("parameters")];
    lists
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|param| param_model(resolver, param))
        .collect()
}

fn param_model(resolver: &Resolver<'_>, param: &Value) -> Option<(String, ParamModel)> {
    let param = resolver.follow(param);
    let name = param.get("name")?.as_str()?;
    let location = param.get("in")?.as_str()?;
    let flagged = param.get("required").and_then(Value::as_bool) == Some(true);
    let schema = param
        .get("schema")
        .map_or(Value::Null, |s| resolver.canonical(s));
    let model = ParamModel {
        required: flagged || location == "path",
        schema,
    };
    Some((format!("{location}:{name}"), model))
}

fn body_model(resolver: &Resolver<'_>, op: &Operation<'_>) -> Option<Value> {
    let body = resolver.follow(op.body.get("requestBody")?);
    Some(content_schema(body).map_or(Value::Null, |s| resolver.canonical(s)))
}

fn success_model(resolver: &Resolver<'_>, op: &Operation<'_>) -> Option<SuccessModel> {
    let responses = op.body.get("responses")?.as_object()?;
    let (status, response) = responses
        .iter()
        .filter(|(status, _)| status.starts_with('2'))
        .min_by_key(|(status, _)| status.as_str())?;
    let schema = content_schema(resolver.follow(response));
    let schema = schema.map_or(Value::Null, |s| resolver.canonical(s));
    Some(SuccessModel {
        status: status.clone(),
        schema,
    })
}

/// Follows local `$ref`s (`#/...`) within one document.
struct Resolver<'a> {
    root: &'a Value,
}

impl<'a> Resolver<'a> {
    /// The object a (chain of) `$ref` points at; `value` itself when not a ref
    /// or when the target is missing.
    fn follow(&self, mut value: &'a Value) -> &'a Value {
        for _ in 0..MAX_REF_HOPS {
            match ref_target(value).and_then(|r| self.lookup(r)) {
                Some(target) => value = target,
                None => break,
            }
        }
        value
    }

    /// The schema with every `$ref` inlined and documentation keywords dropped.
    fn canonical(&self, schema: &Value) -> Value {
        normalize_schema(&self.inline(schema, &mut Vec::new()))
    }

    /// Inlines refs recursively; a ref already being inlined stays a `$ref`.
    fn inline(&self, value: &Value, stack: &mut Vec<String>) -> Value {
        if let Some(reference) = ref_target(value) {
            return self.inline_ref(reference, value, stack);
        }
        match value {
            Value::Object(map) => {
                let map = map.iter().map(|(k, v)| (k.clone(), self.inline(v, stack)));
                Value::Object(map.collect())
            }
            Value::Array(items) => {
                Value::Array(items.iter().map(|v| self.inline(v, stack)).collect())
            }
            other => other.clone(),
        }
    }

    fn inline_ref(&self, reference: &str, value: &Value, stack: &mut Vec<String>) -> Value {
        let target = self.lookup(reference);
        let Some(target) = target.filter(|_| !stack.iter().any(|r| r == reference)) else {
            return value.clone();
        };
        stack.push(reference.to_owned());
        let inlined = self.inline(target, stack);
        stack.pop();
        inlined
    }

    fn lookup(&self, reference: &str) -> Option<&'a Value> {
        self.root.pointer(reference.strip_prefix('#')?)
    }
}

fn ref_target(value: &Value) -> Option<&str> {
    value.get("$ref")?.as_str()
}

/// Drops documentation keywords, sorts `required` and object keys. Property
/// names (under `properties`) are never mistaken for keywords, and data
/// (`enum`, `default`) is kept whole.
pub fn normalize_schema(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => Value::Object(normalize_keywords(map)),
        Value::Array(items) => Value::Array(items.iter().map(normalize_schema).collect()),
        other => other.clone(),
    }
}

fn normalize_keywords(map: &Map<String, Value>) -> Map<String, Value> {
    let mut keys: Vec<&String> = map
        .keys()
        .filter(|key| !IGNORED_KEYWORDS.contains(&key.as_str()))
        .collect();
    keys.sort();
    keys.into_iter()
        .map(|key| (key.clone(), normalize_keyword(key, &map[key])))
        .collect()
}

fn normalize_keyword(key: &str, value: &Value) -> Value {
    match key {
        "properties" | "patternProperties" => normalize_named_schemas(value),
        "required" => sorted_array(value),
        "enum" | "default" => sort_keys(value),
        _ => normalize_schema(value),
    }
}

fn normalize_named_schemas(value: &Value) -> Value {
    let Some(map) = value.as_object() else {
        return value.clone();
    };
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_by_key(|(name, _)| *name);
    let entries = entries
        .into_iter()
        .map(|(name, s)| (name.clone(), normalize_schema(s)));
    Value::Object(entries.collect())
}

fn sorted_array(value: &Value) -> Value {
    let Some(items) = value.as_array() else {
        return value.clone();
    };
    let mut items = items.clone();
    items.sort_by_key(Value::to_string);
    Value::Array(items)
}

/// Object keys in sorted order, recursively, with nothing dropped.
fn sort_keys(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by_key(|(key, _)| *key);
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sort_keys(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sort_keys).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn normalizing_drops_docs_but_keeps_property_named_description() {
        let schema = json!({
            "type": "object",
            "title": "T",
            "description": "d",
            "required": ["b", "a"],
            "properties": { "description": { "type": "string", "example": "x" } }
        });
        let expected = json!({
            "properties": { "description": { "type": "string" } },
            "required": ["a", "b"],
            "type": "object"
        });
        assert_eq!(normalize_schema(&schema), expected);
    }

    #[test]
    fn refs_are_inlined_and_cycles_stop() {
        let doc = json!({
            "openapi": "3.0.1",
            "paths": { "/n": { "get": {
                "operationId": "NodeGet",
                "parameters": [{ "$ref": "#/components/parameters/depth" }],
                "responses": { "200": { "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/Node" } } } } }
            } } },
            "components": {
                "parameters": { "depth": { "in": "query", "name": "depth", "schema": { "type": "integer" } } },
                "schemas": { "Node": { "type": "object", "properties": {
                    "next": { "$ref": "#/components/schemas/Node" } } } }
            }
        });
        let models = op_models(&doc);
        let model = &models["NodeGet"];
        let param = &model.params["query:depth"];
        assert!(!param.required);
        assert_eq!(param.schema, json!({ "type": "integer" }));
        let expected = json!({ "properties": { "next": { "$ref": "#/components/schemas/Node" } }, "type": "object" });
        assert_eq!(model.success.as_ref().unwrap().schema, expected);
    }
}
