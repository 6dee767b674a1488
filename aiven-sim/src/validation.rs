//! JSON Schema validation against the compiled description.
//!
//! `build.rs` converted every schema to draft 7 with component refs as
//! `#/definitions/X`, and recorded (with `aiven_openapi::walk`) which
//! definitions each operation and each definition reference. A validator is
//! built per (flavor, operation, schema) on first use from a root holding the
//! schema and only the definitions the operation reaches, and cached for the
//! life of the process.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{json, Map, Value};

use crate::spec::{spec, OperationSpec};

/// Which description a schema comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Flavor {
    /// The normalized description the client is generated from: strict
    /// requests, tolerant responses.
    Normalized,
    /// The description as Aiven publishes it: strict responses.
    Published,
}

/// One schema violation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaError {
    /// JSON pointer into the validated document.
    pub instance_path: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for SchemaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.instance_path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.instance_path, self.message)
        }
    }
}

type Cache = Mutex<HashMap<(Flavor, String), Arc<jsonschema::Validator>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Cache::default)
}

/// The names of the definitions reachable from `roots` in the reference
/// graph `graph` (definition → the definitions it references).
fn reachable(graph: &BTreeMap<String, Vec<String>>, roots: &[String]) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<&String> = roots.iter().collect();
    while let Some(name) = todo.pop() {
        if seen.insert(name.clone()) {
            todo.extend(graph.get(name).into_iter().flatten());
        }
    }
    seen
}

/// The validator of one of `op`'s schemas (refs resolved in the flavor's
/// definitions), cached under the operation id and `key`.
fn validator(
    flavor: Flavor,
    op: &OperationSpec,
    key: &str,
    schema: &Value,
) -> Arc<jsonschema::Validator> {
    let key = format!("{} {key}", op.operation_id);
    let k = (flavor, key.clone());
    if let Some(v) = cache().lock().expect("cache lock").get(&k) {
        return v.clone();
    }
    let (all, graph, roots) = match flavor {
        Flavor::Normalized => (&spec().definitions, &spec().definition_refs, &op.refs),
        Flavor::Published => (
            &spec().raw_definitions,
            &spec().raw_definition_refs,
            &op.raw_refs,
        ),
    };
    let definitions: Map<String, Value> = reachable(graph, roots)
        .into_iter()
        .filter_map(|n| all.get(&n).map(|d| (n, d.clone())))
        .collect();
    let root = json!({ "definitions": definitions, "allOf": [schema] });
    let built = jsonschema::draft7::options()
        .should_validate_formats(false)
        .build(&root)
        .unwrap_or_else(|e| panic!("schema {key} ({flavor:?}) does not compile: {e}"));
    let built = Arc::new(built);
    cache()
        .lock()
        .expect("cache lock")
        .entry(k)
        .or_insert(built)
        .clone()
}

/// Validates `instance` against `schema`, one of `op`'s schemas of the
/// flavor (`key` names it: `request`, a status key), every error.
pub fn validate(
    flavor: Flavor,
    op: &OperationSpec,
    key: &str,
    schema: &Value,
    instance: &Value,
) -> Vec<SchemaError> {
    let v = validator(flavor, op, key, schema);
    v.iter_errors(instance)
        .map(|e| SchemaError {
            instance_path: e.instance_path().to_string(),
            message: e.to_string(),
        })
        .collect()
}

/// Validates a request body against the operation's request schema. An
/// absent body is validated as `{}` (so required properties are reported).
///
/// `null` for a property whose schema does not take it means "absent", as
/// the real API reads it (Aiven's CLI sends `"min_insync_replicas": null`,
/// `"cloud": null`): such properties are removed from `body` and it is
/// validated again. A `null` the schema allows (`project_vpc_id: null`,
/// "leave the VPC") stays.
pub fn validate_request(op: &OperationSpec, body: &mut Value) -> Vec<SchemaError> {
    let Some(schema) = &op.request else {
        return Vec::new();
    };
    let mut errors = validate(Flavor::Normalized, op, "request", schema, body);
    // Each round removes the refused nulls it sees; nested ones surface
    // once their parent is valid, so a few rounds suffice.
    for _ in 0..8 {
        let refused_nulls: Vec<String> = errors
            .iter()
            .filter(|e| body.pointer(&e.instance_path) == Some(&Value::Null))
            .map(|e| e.instance_path.clone())
            .collect();
        if refused_nulls.is_empty() {
            break;
        }
        for path in &refused_nulls {
            remove_pointer(body, path);
        }
        errors = validate(Flavor::Normalized, op, "request", schema, body);
    }
    errors
}

/// Removes the object property at JSON pointer `path` (array items stay:
/// removing one would shift the others).
fn remove_pointer(body: &mut Value, path: &str) {
    let Some((parent, key)) = path.rsplit_once('/') else {
        return;
    };
    let key = key.replace("~1", "/").replace("~0", "~");
    if let Some(Value::Object(map)) = body.pointer_mut(parent) {
        map.remove(&key);
    }
}

/// The schema for `status` among schemas keyed `200`, `4XX`, `default`.
pub fn response_schema(
    responses: &std::collections::BTreeMap<String, Value>,
    status: u16,
) -> Option<(String, &Value)> {
    let exact = status.to_string();
    let range = format!("{}XX", status / 100);
    [exact, range, "default".to_string()]
        .into_iter()
        .find_map(|k| responses.get(&k).map(|s| (k, s)))
}

/// Validates a JSON schema of the simulator's own (such as a service type's
/// `user_config` schema), compiled on each call.
pub fn validate_inline(schema: &Value, instance: &Value) -> Vec<SchemaError> {
    match jsonschema::draft7::options()
        .should_validate_formats(false)
        .build(schema)
    {
        Ok(v) => v
            .iter_errors(instance)
            .map(|e| SchemaError {
                instance_path: e.instance_path().to_string(),
                message: e.to_string(),
            })
            .collect(),
        Err(e) => vec![SchemaError {
            instance_path: String::new(),
            message: format!("invalid schema: {e}"),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_schemas_are_strict() {
        let op = spec().operation("ServiceCreate").unwrap();
        let mut ok = json!({"service_name": "pg-1", "service_type": "pg", "plan": "startup-4"});
        assert!(validate_request(op, &mut ok).is_empty());
        let errors = validate_request(op, &mut json!({"service_name": 5, "plan": "x"}));
        assert!(errors.len() >= 2, "{errors:?}");
        assert!(errors.iter().any(|e| e.instance_path == "/service_name"));
        // OpenAPI `nullable` became a null type: the overlay made this sendable as null.
        let mut null_vpc =
            json!({"service_name": "a", "service_type": "pg", "plan": "p", "project_vpc_id": null});
        assert!(validate_request(op, &mut null_vpc).is_empty());
        assert_eq!(
            null_vpc["project_vpc_id"],
            Value::Null,
            "an allowed null stays"
        );
        let long = "x".repeat(65);
        let mut too_long = json!({"service_name": long, "service_type": "pg", "plan": "p"});
        assert!(!validate_request(op, &mut too_long).is_empty());
    }

    /// What Aiven's CLI sends: `null` for optional properties it was not
    /// given, which the real API reads as absent.
    #[test]
    fn a_refused_null_means_absent() {
        let op = spec().operation("ServiceKafkaTopicCreate").unwrap();
        let mut body = json!({"topic_name": "t", "partitions": 3, "replication": 2,
                              "min_insync_replicas": null, "config": {"cleanup_policy": null}});
        assert_eq!(validate_request(op, &mut body), Vec::new());
        assert_eq!(
            body,
            json!({"topic_name": "t", "partitions": 3, "replication": 2, "config": {}})
        );
        // A null for a required property is still an error.
        let mut body = json!({"topic_name": null});
        assert!(!validate_request(op, &mut body).is_empty());
    }

    #[test]
    fn every_schema_compiles() {
        for op in &spec().operations {
            if let Some(r) = &op.request {
                validate(Flavor::Normalized, op, "request", r, &json!({}));
            }
            for (code, s) in &op.responses {
                validate(Flavor::Normalized, op, code, s, &json!({}));
            }
            for (code, s) in &op.raw_responses {
                validate(Flavor::Published, op, code, s, &json!({}));
            }
        }
    }

    #[test]
    fn status_keys() {
        let op = spec().operation("ServiceGet").unwrap();
        assert_eq!(response_schema(&op.responses, 200).unwrap().0, "200");
        assert_eq!(response_schema(&op.responses, 404).unwrap().0, "4XX");
        assert_eq!(response_schema(&op.responses, 503).unwrap().0, "5XX");
        assert!(response_schema(&op.raw_responses, 404).is_none());
    }
}
