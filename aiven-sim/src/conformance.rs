//! Response conformance: does a response body match what the description
//! declares for its operation and status?
//!
//! Each body is checked twice: against the normalized description (the one
//! the client is generated from; tolerant, so this mostly checks types and
//! shapes) and against the description as published (required fields,
//! enums, lengths). The published check skips statuses the published
//! description does not declare (it declares almost no errors; the
//! normalized one declares `AivenError` for every `4XX`/`5XX`), and forgives
//! the few places listed in [`PUBLISHED_EXCEPTIONS`] where the published
//! description contradicts the live API.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::spec::spec;
use crate::validation::{response_schema, validate, Flavor, SchemaError};

/// A place where the published description is known to contradict what the
/// live API sends, and the simulator follows the API.
#[derive(Clone, Copy, Debug)]
pub struct Exception {
    /// The property name (last segment of the instance path).
    pub property: &'static str,
    /// The value the API sends there (an absent property is tested as `null`).
    pub value: fn(&Value) -> bool,
    /// Why.
    pub why: &'static str,
}

/// The published-description exceptions.
pub const PUBLISHED_EXCEPTIONS: &[Exception] = &[
    Exception {
        property: "project_vpc_id",
        value: Value::is_null,
        why: "services outside a VPC have `project_vpc_id: null`; the published description \
              declares it a required 36-character string (the overlay makes it nullable on the \
              request side for the same reason)",
    },
    Exception {
        property: "error_code",
        value: documented_code,
        why: "the June 2026 description lists, per operation and status, the `error_code`s it \
              may answer, as an enum titled \"Clients must be prepared to handle new codes\"; \
              the simulator also sends other codes the description documents (`not_powered` \
              when a topic is created on a powered-off service)",
    },
    Exception {
        property: "owner_user_group_id",
        value: Value::is_null,
        why: "a topic created without an owning user group has none; the June 2026 \
              description declares it a required string of at least one character",
    },
    Exception {
        property: "topic_description",
        value: Value::is_null,
        why: "a topic created without a description has none; the June 2026 description \
              declares it a required string of at least one character",
    },
];

/// One response that does not conform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The operation answered.
    pub operation_id: String,
    /// The HTTP status sent.
    pub status: u16,
    /// Which description it violates.
    pub flavor: Flavor,
    /// What is wrong.
    pub error: SchemaError,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} ({:?}): {}",
            self.operation_id, self.status, self.flavor, self.error
        )
    }
}

/// An `error_code` the description documents somewhere (its introduction or
/// an example).
fn documented_code(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|code| spec().error_codes.contains(code))
}

fn pointer_last(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or("")
}

fn excepted(body: &Value, e: &SchemaError) -> bool {
    let value = body.pointer(&e.instance_path).unwrap_or(&Value::Null);
    PUBLISHED_EXCEPTIONS.iter().any(|x| {
        let here = pointer_last(&e.instance_path) == x.property && (x.value)(value);
        // A missing required property is reported at its parent.
        let absent = e.message == format!("\"{}\" is a required property", x.property)
            && (x.value)(&Value::Null);
        here || absent
    })
}

/// Checks one response body. An operation the description does not have,
/// or a status it declares no schema for, is itself a violation.
pub fn check_response(operation_id: &str, status: u16, body: &Value) -> Vec<Violation> {
    let violation = |flavor, error| Violation {
        operation_id: operation_id.to_string(),
        status,
        flavor,
        error,
    };
    let Some(op) = spec().operation(operation_id) else {
        return vec![violation(
            Flavor::Normalized,
            SchemaError {
                instance_path: String::new(),
                message: "no such operation in the description".into(),
            },
        )];
    };
    let mut out = Vec::new();
    match response_schema(&op.responses, status) {
        Some((key, schema)) => out.extend(
            validate(Flavor::Normalized, op, &key, schema, body)
                .into_iter()
                .map(|e| violation(Flavor::Normalized, e)),
        ),
        None => out.push(violation(
            Flavor::Normalized,
            SchemaError {
                instance_path: String::new(),
                message: format!("status {status} is not declared"),
            },
        )),
    }
    if let Some((key, schema)) = response_schema(&op.raw_responses, status) {
        out.extend(
            validate(Flavor::Published, op, &key, schema, body)
                .into_iter()
                .filter(|e| !excepted(body, e))
                .map(|e| violation(Flavor::Published, e)),
        );
    }
    out
}

/// What the simulator's in-line response checking saw (see
/// [`SimulatorBuilder::validate_responses`](crate::SimulatorBuilder::validate_responses)).
#[derive(Clone, Debug, Default)]
pub struct ConformanceReport {
    /// Responses checked, by operation id.
    pub checked: BTreeMap<String, usize>,
    /// Every violation found.
    pub violations: Vec<Violation>,
}

impl ConformanceReport {
    /// Total responses checked.
    pub fn total(&self) -> usize {
        self.checked.values().sum()
    }

    /// Panics listing the violations, if there are any.
    pub fn assert_clean(&self) {
        if !self.violations.is_empty() {
            let list: Vec<String> = self.violations.iter().map(|v| v.to_string()).collect();
            panic!(
                "{} non-conforming responses:\n{}",
                list.len(),
                list.join("\n")
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errors_conform_in_aiven_format_only() {
        let ok = json!({"message": "Service not found", "errors": [{"message": "Service not found", "status": 404}]});
        assert!(check_response("ServiceGet", 404, &ok).is_empty());
        let bad = json!({"errors": [{"status": "404"}]});
        assert!(!check_response("ServiceGet", 404, &bad).is_empty());
    }

    #[test]
    fn published_schema_is_strict() {
        // The normalized schema accepts a bare service; the published one
        // requires its fields.
        let body = json!({"service": {"service_name": "x"}});
        let v = check_response("ServiceGet", 200, &body);
        assert!(v.iter().all(|v| v.flavor == Flavor::Published), "{v:?}");
        assert!(v.iter().any(|v| v.error.message.contains("plan")), "{v:?}");
        // A wrong type fails both.
        let body = json!({"service": {"service_name": 5}});
        let v = check_response("ServiceGet", 200, &body);
        assert!(v.iter().any(|v| v.flavor == Flavor::Normalized), "{v:?}");
    }

    #[test]
    fn null_vpc_is_excepted() {
        let body = json!({"project_vpc_id": null});
        let e = SchemaError {
            instance_path: "/project_vpc_id".into(),
            message: "null is not of type \"string\"".into(),
        };
        assert!(excepted(&body, &e));
        let e = SchemaError {
            instance_path: "/plan".into(),
            message: "null is not of type \"string\"".into(),
        };
        assert!(!excepted(&json!({"plan": null}), &e));
    }

    #[test]
    fn documented_error_codes_beyond_an_operations_enum_are_excepted() {
        let error = |code: &str| json!({"message": "m", "errors": [{"message": "m", "status": 409, "error_code": code}]});
        let listed = check_response(
            "ServiceKafkaTopicCreate",
            409,
            &error("kafka_topic_already_exists"),
        );
        assert!(listed.is_empty(), "{listed:?}");
        let documented = check_response("ServiceKafkaTopicCreate", 409, &error("not_powered"));
        assert!(documented.is_empty(), "{documented:?}");
        let invented = check_response(
            "ServiceKafkaTopicCreate",
            409,
            &error("no_such_code_anywhere"),
        );
        assert!(
            invented.iter().any(|v| v.flavor == Flavor::Published),
            "{invented:?}"
        );
    }

    #[test]
    fn topics_without_owner_or_description_are_excepted() {
        let topic = json!({
            "cleanup_policy": "delete", "min_insync_replicas": 1, "partitions": 1,
            "replication": 2, "retention_bytes": -1, "retention_hours": 168,
            "state": "ACTIVE", "tags": [], "topic_name": "t",
        });
        let v = check_response("ServiceKafkaTopicList", 200, &json!({"topics": [topic]}));
        assert!(v.is_empty(), "{v:?}");
        // The published description does require them: without the
        // exceptions these are its only complaints.
        let op = spec().operation("ServiceKafkaTopicList").unwrap();
        let (key, schema) = response_schema(&op.raw_responses, 200).unwrap();
        let errors = validate(
            Flavor::Published,
            op,
            &key,
            schema,
            &json!({"topics": [topic]}),
        );
        let mut missing: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        missing.sort();
        assert_eq!(
            missing,
            [
                "\"owner_user_group_id\" is a required property",
                "\"topic_description\" is a required property"
            ]
        );
        // Anything else missing still counts.
        let mut bare = topic.clone();
        bare.as_object_mut().unwrap().remove("partitions");
        let v = check_response("ServiceKafkaTopicList", 200, &json!({"topics": [bare]}));
        assert!(
            v.iter().any(|v| v.error.message.contains("partitions")),
            "{v:?}"
        );
    }
}
