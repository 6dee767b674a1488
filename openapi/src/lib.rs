//! The Aiven OpenAPI pipeline, shared by `aiven-api/build.rs` and `cargo xtask`.
//!
//! [`prepare`] turns the published description into one that generates a
//! complete, tolerant client:
//!
//! 1. [`check`]: the document is OpenAPI 3.0 and every operation has a unique
//!    `operationId` (else a one-line error);
//! 2. [`overlay`]: targeted facts no rule can infer (`openapi/overlay.json`);
//! 3. [`rules::RULES`]: general rules, each fixing a class of defect everywhere;
//! 4. [`hoist::hoist`]: identical shapes become shared, named components, and
//!    every type name is checked to be unique.
//!
//! [`codegen`] then runs progenitor on the result.

pub mod codegen;
pub mod hoist;
pub mod overlay;
pub mod rules;
pub mod walk;

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

/// What can go wrong in the pipeline. Every message is one line.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Version(String),
    #[error("operation {method} {path} has no operationId")]
    MissingOperationId { method: String, path: String },
    #[error("duplicate operationId `{id}` on {first} and {second}")]
    DuplicateOperationId {
        id: String,
        first: String,
        second: String,
    },
    #[error("type name `{name}` would be used for two different schemas: {first} and {second}")]
    NameClash {
        name: String,
        first: String,
        second: String,
    },
    #[error("overlay entry {index} ({comment}): {reason}")]
    Overlay {
        index: usize,
        comment: String,
        reason: String,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("code generation failed: {0}")]
    Codegen(String),
}

/// One operation of the description.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Operation {
    pub operation_id: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template as published (route converters included).
    pub path: String,
}

/// Checks the document's version and operation ids; returns the operations.
pub fn check(doc: &Value) -> Result<Vec<Operation>, Error> {
    match (doc.get("openapi"), doc.get("swagger")) {
        (_, Some(v)) => {
            let version = match v {
                Value::String(s) => s.clone(),
                _ => "2.0".into(),
            };
            return Err(Error::Version(format!(
                "Swagger {version} found; an OpenAPI 3.0 description is required"
            )));
        }
        (Some(Value::String(v)), _) if v.starts_with("3.0.") => {}
        (Some(Value::String(v)), _) => {
            let family = if v.starts_with("3.1.") { "3.1.x" } else { v };
            return Err(Error::Version(format!(
                "OpenAPI {family} found (openapi: \"{v}\"); 3.0.x is required"
            )));
        }
        _ => {
            return Err(Error::Version(
                "no `openapi` version string; an OpenAPI 3.0 description is required".into(),
            ))
        }
    }
    let mut ops = Vec::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| Error::Invalid("no `paths` object".into()))?;
    for (path, item) in paths {
        for m in walk::METHODS {
            let Some(op) = item.get(m) else { continue };
            let method = m.to_uppercase();
            let id = match op.get("operationId").and_then(Value::as_str) {
                Some(id) if !id.trim().is_empty() => id.to_string(),
                _ => {
                    return Err(Error::MissingOperationId {
                        method,
                        path: path.clone(),
                    })
                }
            };
            let here = format!("{method} {path}");
            if let Some(first) = seen.insert(id.clone(), here.clone()) {
                return Err(Error::DuplicateOperationId {
                    id,
                    first,
                    second: here,
                });
            }
            ops.push(Operation {
                operation_id: id,
                method,
                path: path.clone(),
            });
        }
    }
    ops.sort();
    Ok(ops)
}

/// How often each rule fired, in rule order, plus what hoisting did.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub overlay_entries: usize,
    pub rules: Vec<(&'static str, usize)>,
    pub hoist: hoist::HoistReport,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<30} {:>6}",
            "overlay entries applied", self.overlay_entries
        )?;
        for (name, n) in &self.rules {
            writeln!(f, "{name:<30} {n:>6}")?;
        }
        let h = &self.hoist;
        writeln!(f, "{:<30} {:>6}", "inline types", h.inline_types)?;
        writeln!(f, "{:<30} {:>6}", "distinct shapes", h.distinct_shapes)?;
        writeln!(f, "{:<30} {:>6}", "shared shapes", h.shared_shapes)?;
        write!(f, "{:<30} {:>6}", "named by property alone", h.short_names)
    }
}

/// The prepared description and what it took.
pub struct Prepared {
    /// The normalized document, ready for progenitor.
    pub doc: Value,
    /// Operations as published (before route converters were removed).
    pub operations: Vec<Operation>,
    pub report: Report,
}

/// Runs the whole pipeline: check, overlay, rules, hoisting.
pub fn prepare(mut doc: Value, overlay: Option<&Value>) -> Result<Prepared, Error> {
    let operations = check(&doc)?;
    let mut report = Report::default();
    if let Some(o) = overlay {
        report.overlay_entries = overlay::apply(&mut doc, o)?;
    }
    for rule in rules::RULES {
        let n = (rule.apply)(&mut doc)?;
        report.rules.push((rule.name, n));
    }
    report.hoist = hoist::hoist(&mut doc)?;
    Ok(Prepared {
        doc,
        operations,
        report,
    })
}

/// The workspace's inputs to the pipeline: the fetched spec and the overlay
/// in `openapi/`. Used by both build scripts and the xtask.
pub struct SpecFiles {
    /// `openapi/aiven-openapi.json`, fetched by `cargo xtask fetch`.
    pub spec: std::path::PathBuf,
    /// `openapi/overlay.json`.
    pub overlay: std::path::PathBuf,
}

impl SpecFiles {
    /// The files in the `openapi/` directory `dir`.
    pub fn in_dir(dir: &std::path::Path) -> Self {
        Self {
            spec: dir.join("aiven-openapi.json"),
            overlay: dir.join("overlay.json"),
        }
    }

    /// Tells cargo to rerun a build script when the spec or overlay change.
    pub fn rerun_if_changed(&self) {
        println!("cargo:rerun-if-changed={}", self.spec.display());
        println!("cargo:rerun-if-changed={}", self.overlay.display());
    }

    /// The published description as fetched, or an error saying how to get it.
    pub fn read_spec(&self) -> Result<Value, Error> {
        if !self.spec.exists() {
            return Err(Error::Invalid(format!(
                "{} is missing. Fetch the description first: `cargo xtask fetch` \
                 (offline: set AIVEN_OPENAPI_SOURCE to a local copy, or pass --source PATH)",
                self.spec.display()
            )));
        }
        read_json(&self.spec)
    }

    /// Reads the spec and the overlay and runs [`prepare`].
    pub fn prepare(&self) -> Result<Prepared, Error> {
        let overlay = read_json(&self.overlay)?;
        prepare(self.read_spec()?, Some(&overlay))
    }
}

/// Reads and parses a JSON file, with the path in the error.
pub fn read_json(path: &std::path::Path) -> Result<Value, Error> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::Invalid(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| Error::Invalid(format!("{} is not JSON: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn op(id: &str) -> Value {
        json!({"operationId": id, "responses": {"200": {"description": "ok"}}})
    }

    #[test]
    fn check_lists_operations_sorted() {
        let d = json!({
            "openapi": "3.0.3",
            "paths": {
                "/b": {"get": op("BGet"), "delete": op("BDelete"), "parameters": []},
                "/a/{id:\\d+}": {"post": op("APost")},
            },
        });
        let ops = check(&d).unwrap();
        let got: Vec<(&str, &str, &str)> = ops
            .iter()
            .map(|o| (o.operation_id.as_str(), o.method.as_str(), o.path.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("APost", "POST", "/a/{id:\\d+}"),
                ("BDelete", "DELETE", "/b"),
                ("BGet", "GET", "/b"),
            ]
        );
    }

    fn check_err(d: Value) -> String {
        check(&d).unwrap_err().to_string()
    }

    #[test]
    fn check_requires_openapi_3_0() {
        assert_eq!(
            check_err(json!({"openapi": "3.1.0", "paths": {}})),
            "OpenAPI 3.1.x found (openapi: \"3.1.0\"); 3.0.x is required"
        );
        assert_eq!(
            check_err(json!({"swagger": "2.0", "paths": {}})),
            "Swagger 2.0 found; an OpenAPI 3.0 description is required"
        );
        assert_eq!(
            check_err(json!({"swagger": 2, "paths": {}})),
            "Swagger 2.0 found; an OpenAPI 3.0 description is required"
        );
        assert_eq!(
            check_err(json!({"paths": {}})),
            "no `openapi` version string; an OpenAPI 3.0 description is required"
        );
        assert_eq!(
            check_err(json!({"openapi": 3.0, "paths": {}})),
            "no `openapi` version string; an OpenAPI 3.0 description is required"
        );
        assert!(matches!(
            check(&json!({"openapi": "3.1.0"})),
            Err(Error::Version(_))
        ));
        assert_eq!(check_err(json!({"openapi": "3.0.1"})), "no `paths` object");
        assert!(check(&json!({"openapi": "3.0.0", "paths": {}}))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn check_requires_operation_ids() {
        let missing = json!({"openapi": "3.0.1", "paths": {
            "/a": {"get": op("A")},
            "/b/{id}": {"put": {"responses": {}}},
        }});
        let err = check(&missing).unwrap_err();
        assert!(
            matches!(&err, Error::MissingOperationId { method, path } if method == "PUT" && path == "/b/{id}")
        );
        assert_eq!(err.to_string(), "operation PUT /b/{id} has no operationId");
        let blank = json!({"openapi": "3.0.1", "paths": {"/a": {"get": {"operationId": "  "}}}});
        assert_eq!(check_err(blank), "operation GET /a has no operationId");
    }

    #[test]
    fn check_rejects_duplicate_operation_ids() {
        let d = json!({"openapi": "3.0.1", "paths": {
            "/a": {"get": op("Same")},
            "/b": {"get": op("Other"), "post": op("Same")},
        }});
        let err = check(&d).unwrap_err();
        assert!(matches!(&err, Error::DuplicateOperationId { id, .. } if id == "Same"));
        assert_eq!(
            err.to_string(),
            "duplicate operationId `Same` on GET /a and POST /b"
        );
        let same_path =
            json!({"openapi": "3.0.1", "paths": {"/a": {"get": op("X"), "delete": op("X")}}});
        assert_eq!(
            check_err(same_path),
            "duplicate operationId `X` on GET /a and DELETE /a"
        );
    }

    /// A small document with the defects the rules repair.
    fn tiny() -> Value {
        json!({
            "openapi": "3.0.1",
            "info": {"title": "t", "version": "1"},
            "tags": [{"name": "", "x-displayName": "Cloud"}],
            "paths": {
                "/project/{project}/thing/{thing_id:\\d+}": {"get": {
                    "operationId": "ThingGet",
                    "tags": [""],
                    "parameters": [{"name": "project", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "ok", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/ThingGetResponse"},
                    }}}},
                }},
            },
            "components": {"schemas": {
                "ThingGetResponse": {"type": "object", "properties": {
                    "thing": {"type": "object", "title": "Thing", "properties": {
                        "state": {"type": "string", "enum": ["ON", "OFF", "ON"]},
                    }},
                }},
            }},
        })
    }

    #[test]
    fn prepare_runs_every_stage() {
        let overlay = json!({"entries": [{
            "comment": "the thing is documented",
            "target": "/components/schemas/ThingGetResponse",
            "merge": {"description": "One thing"},
        }]});
        let p = prepare(tiny(), Some(&overlay)).unwrap();
        assert_eq!(
            p.operations,
            [Operation {
                operation_id: "ThingGet".into(),
                method: "GET".into(),
                path: "/project/{project}/thing/{thing_id:\\d+}".into(),
            }]
        );
        assert_eq!(p.report.overlay_entries, 1);
        let fired: Vec<(&str, usize)> = p
            .report
            .rules
            .iter()
            .copied()
            .filter(|(_, n)| *n > 0)
            .collect();
        assert_eq!(
            fired,
            [
                ("route-converters-in-paths", 1),
                ("undeclared-path-parameters", 1),
                ("empty-tag-names", 2),
                ("duplicate-enum-values", 1),
                ("prose-titles", 1),
                ("shared-error-response", 1),
                // ThingGetResponse, thing, state, AivenError, AivenErrorDetail.
                ("open-world-responses", 5),
            ]
        );
        assert_eq!(p.report.rules.len(), rules::RULES.len());
        assert_eq!(p.report.hoist.inline_types, 1);
        let s = &p.doc["components"]["schemas"];
        let names: Vec<&String> = s.as_object().unwrap().keys().collect();
        assert_eq!(
            names,
            [
                "AivenError",
                "AivenErrorDetail",
                "ThingGetResponse",
                "ThingGetResponseThing"
            ]
        );
        assert_eq!(s["ThingGetResponse"]["description"], json!("One thing"));
        assert_eq!(
            s["ThingGetResponseThing"]["properties"]["state"],
            json!({"type": "string", "description": "Known values: `ON`, `OFF`.", "nullable": true})
        );
        let op = &p.doc["paths"]["/project/{project}/thing/{thing_id}"]["get"];
        assert_eq!(op["tags"], json!(["Cloud"]));
        assert_eq!(op["parameters"][1]["name"], json!("thing_id"));
        assert_eq!(
            p.doc["tags"],
            json!([{"name": "Cloud", "x-displayName": "Cloud"}])
        );

        let shown = p.report.to_string();
        assert!(
            shown.starts_with("overlay entries applied             1\n"),
            "{shown}"
        );
        assert!(
            shown.contains("\nroute-converters-in-paths           1\n"),
            "{shown}"
        );
        assert!(
            shown.ends_with("named by property alone             0"),
            "{shown}"
        );
        assert_eq!(shown.lines().count(), 1 + rules::RULES.len() + 4);
    }

    #[test]
    fn prepare_stops_at_the_first_failing_stage() {
        let mut d = tiny();
        d["openapi"] = json!("3.1.0");
        assert!(matches!(prepare(d, None), Err(Error::Version(_))));
        let bad = json!({"entries": [{"comment": "c", "target": "/nope", "merge": {}}]});
        assert!(matches!(
            prepare(tiny(), Some(&bad)),
            Err(Error::Overlay { index: 0, .. })
        ));
    }

    #[test]
    fn read_json_names_the_file() {
        let dir = std::env::temp_dir().join(format!("aiven-openapi-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.json");
        let bad = dir.join("bad.json");
        std::fs::write(&good, r#"{"a": [1, 2]}"#).unwrap();
        std::fs::write(&bad, "{not json").unwrap();
        assert_eq!(read_json(&good).unwrap(), json!({"a": [1, 2]}));
        let err = read_json(&bad).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("{} is not JSON: ", bad.display())),
            "{err}"
        );
        let missing = dir.join("missing.json");
        let err = read_json(&missing).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("cannot read {}: ", missing.display())),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
