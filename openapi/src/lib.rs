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
        (Some(Value::String(v)), _) if v.starts_with("3.0.") => {}
        (Some(Value::String(v)), _) => {
            return Err(Error::Version(format!(
                "OpenAPI {v} found; 3.0.x is required"
            )))
        }
        (_, Some(v)) => {
            return Err(Error::Version(format!(
                "Swagger {} found; OpenAPI 3.0.x is required",
                v.as_str().unwrap_or("2.0")
            )))
        }
        _ => return Err(Error::Version("no `openapi` version field".into())),
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

/// Reads and parses a JSON file, with the path in the error.
pub fn read_json(path: &std::path::Path) -> Result<Value, Error> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::Invalid(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| Error::Invalid(format!("{} is not JSON: {e}", path.display())))
}
