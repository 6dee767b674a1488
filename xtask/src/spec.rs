//! Reading an OpenAPI document: parsing (JSON or YAML, decided by content),
//! version and operationId checks (the pipeline's own) and counts.

use anyhow::{anyhow, Result};
use serde_json::Value;

/// Facts about a validated document, as recorded in the lock file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecSummary {
    pub openapi: String,
    pub info_version: String,
    pub operations: usize,
    pub paths: usize,
    pub schemas: usize,
}

/// Parses a description, JSON or YAML decided by content (not by name), with
/// [`aiven_openapi::parse_spec`]; `label` names the source in the error.
pub fn parse_json(label: &str, bytes: &[u8]) -> Result<Value> {
    Ok(aiven_openapi::parse_spec(bytes, label)?)
}

/// Parses and checks a document with the pipeline's own checks
/// ([`aiven_openapi::check`]): OpenAPI 3.0.x, a `paths` object, and a unique
/// non-empty `operationId` on every operation.
pub fn validate(label: &str, bytes: &[u8]) -> Result<SpecSummary> {
    let doc = parse_json(label, bytes)?;
    let ops = aiven_openapi::check(&doc).map_err(|err| anyhow!("{label}: {err}"))?;
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .map_or(0, |p| p.len());
    Ok(SpecSummary {
        openapi: doc["openapi"].as_str().unwrap_or_default().to_owned(),
        info_version: info_version(&doc),
        operations: ops.len(),
        paths,
        schemas: schema_count(&doc),
    })
}

/// `info.version`, or an empty string when absent.
pub fn info_version(doc: &Value) -> String {
    let version = doc.pointer("/info/version").and_then(Value::as_str);
    version.unwrap_or_default().to_owned()
}

/// Number of `components.schemas`.
pub fn schema_count(doc: &Value) -> usize {
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    schemas.map_or(0, |schemas| schemas.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(doc: Value) -> Result<SpecSummary> {
        validate("spec.json", doc.to_string().as_bytes())
    }

    fn op(id: &str) -> Value {
        json!({ "operationId": id, "responses": {} })
    }

    #[test]
    fn counts_operations_paths_and_schemas() {
        let doc = json!({
            "openapi": "3.0.1",
            "info": { "version": "v7" },
            "paths": {
                "/a": { "get": op("AGet"), "post": op("APost"), "parameters": [] },
                "/b": { "delete": op("BDelete") }
            },
            "components": { "schemas": { "X": {}, "Y": {} } }
        });
        let summary = check(doc).unwrap();
        let expected = SpecSummary {
            openapi: "3.0.1".into(),
            info_version: "v7".into(),
            operations: 3,
            paths: 2,
            schemas: 2,
        };
        assert_eq!(summary, expected);
    }

    #[test]
    fn rejects_what_is_not_a_description() {
        let err = validate("spec.json", b"<html>").unwrap_err().to_string();
        assert_eq!(
            err,
            "spec.json is not an OpenAPI document (its top level is not an object)"
        );
        let err = validate("spec.yml", b"{\"openapi\": ")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("spec.yml is not valid JSON: "), "{err}");
    }

    #[test]
    fn accepts_yaml_by_content() {
        let yaml =
            b"openapi: 3.0.1\ninfo: {version: v2}\npaths:\n  /a:\n    get: {operationId: A}\n";
        let summary = validate("spec.json", yaml).unwrap();
        assert_eq!((summary.openapi.as_str(), summary.operations), ("3.0.1", 1));
        assert_eq!(summary.info_version, "v2");
    }

    #[test]
    fn rejects_swagger_2() {
        let err = check(json!({ "swagger": "2.0", "paths": {} })).unwrap_err();
        let expected = "spec.json: Swagger 2.0 found; an OpenAPI 3.0 description is required";
        assert_eq!(err.to_string(), expected);
    }

    #[test]
    fn rejects_openapi_3_1() {
        let err = check(json!({ "openapi": "3.1.0", "paths": {} })).unwrap_err();
        let expected = "spec.json: OpenAPI 3.1.x found (openapi: \"3.1.0\"); 3.0.x is required";
        assert_eq!(err.to_string(), expected);
    }

    #[test]
    fn rejects_missing_version_and_missing_paths() {
        let err = check(json!({ "paths": {} })).unwrap_err().to_string();
        assert!(err.contains("no `openapi` version string"), "{err}");
        let err = check(json!({ "openapi": "3.0.3" }))
            .unwrap_err()
            .to_string();
        assert_eq!(err, "spec.json: no `paths` object");
    }

    #[test]
    fn rejects_missing_and_empty_operation_id() {
        let doc = json!({ "openapi": "3.0.1", "paths": { "/x/{id}": { "patch": {} } } });
        let err = check(doc).unwrap_err().to_string();
        assert_eq!(err, "spec.json: operation PATCH /x/{id} has no operationId");
        let doc = json!({ "openapi": "3.0.1", "paths": { "/y": { "get": op(" ") } } });
        let err = check(doc).unwrap_err().to_string();
        assert_eq!(err, "spec.json: operation GET /y has no operationId");
    }

    #[test]
    fn rejects_duplicate_operation_ids_naming_both() {
        let doc = json!({
            "openapi": "3.0.1",
            "paths": { "/a": { "get": op("Same") }, "/b": { "put": op("Same") } }
        });
        let err = check(doc).unwrap_err().to_string();
        assert_eq!(
            err,
            "spec.json: duplicate operationId `Same` on GET /a and PUT /b"
        );
    }
}
