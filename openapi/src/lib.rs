//! The Aiven OpenAPI pipeline, shared by `aiven-api/build.rs` and `cargo xtask`.
//!
//! [`prepare`] turns the published description into one that generates a
//! complete, tolerant client:
//!
//! 1. [`check`]: the document is OpenAPI 3.0 and every operation has a unique
//!    `operationId` (else a one-line error);
//! 2. [`overlay`]: targeted facts no rule can infer (`openapi/overlay.json`);
//! 3. [`rules::RULES`]: general rules, each fixing a class of defect everywhere;
//! 4. [`hoist::hoist`]: identical shapes become shared, named components
//!    (keeping the names recorded in `openapi/type-names.json`), and
//!    every type name is checked to be unique.
//!
//! [`codegen`] then runs progenitor on the result.

pub mod codegen;
pub mod groups;
pub mod hoist;
pub mod idents;
pub mod overlay;
pub mod rules;
pub mod sensitive;
pub mod source;
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
    #[error("{kind} identifier `{ident}` would be generated twice: {first} and {second}")]
    IdentifierClash {
        kind: &'static str,
        ident: String,
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
    if !doc.get("paths").is_some_and(Value::is_object) {
        return Err(Error::Invalid("no `paths` object".into()));
    }
    for op in walk::operations(doc) {
        let method = op.method.to_uppercase();
        let path = op.path.to_string();
        let id = match op.operation_id() {
            Some(id) if !id.trim().is_empty() => id.to_string(),
            _ => return Err(Error::MissingOperationId { method, path }),
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
            path,
        });
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
        writeln!(f, "{:<30} {:>6}", "names kept from the file", h.kept_names)?;
        writeln!(f, "{:<30} {:>6}", "new shapes named", h.fresh_names)?;
        writeln!(f, "{:<30} {:>6}", "… by property alone", h.short_names)?;
        write!(f, "{:<30} {:>6}", "renamed locations", h.renames.len())
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

/// Runs the whole pipeline: check, overlay, rules, hoisting (naming every
/// shape by the rules alone; see [`prepare_with_names`]).
pub fn prepare(doc: Value, overlay: Option<&Value>) -> Result<Prepared, Error> {
    prepare_with_names(doc, overlay, None)
}

/// [`prepare`], keeping the type names a names file records (see
/// [`hoist::hoist`]); the build and the xtask pass `openapi/type-names.json`.
pub fn prepare_with_names(
    mut doc: Value,
    overlay: Option<&Value>,
    names: Option<&hoist::NamesFile>,
) -> Result<Prepared, Error> {
    let operations = check(&doc)?;
    let mut report = Report::default();
    if let Some(o) = overlay {
        report.overlay_entries = overlay::apply(&mut doc, o)?;
    }
    for rule in rules::RULES {
        let n = (rule.apply)(&mut doc)?;
        report.rules.push((rule.name, n));
    }
    report.hoist = hoist::hoist(&mut doc, names)?;
    idents::check(&doc)?;
    Ok(Prepared {
        doc,
        operations,
        report,
    })
}

/// File name, inside `openapi/`, of the fetched description: the published
/// bytes verbatim (JSON or YAML, whichever the source served), so that their
/// sha256 is the one the lock records.
pub const SPEC_FILE: &str = "aiven-openapi.spec";
/// File name, inside `openapi/`, of the committed lock.
pub const LOCK_FILE: &str = "aiven-openapi.lock.json";
/// File name, inside `openapi/`, of the committed overlay.
pub const OVERLAY_FILE: &str = "overlay.json";
/// File name, inside `openapi/`, of the committed names file (shape location
/// → type name; `cargo xtask names --write`).
pub const NAMES_FILE: &str = "type-names.json";

/// The workspace's inputs to the pipeline: the description, the lock and the
/// overlay in `openapi/`. Used by both build scripts and the xtask.
pub struct SpecFiles {
    /// `openapi/aiven-openapi.spec`, fetched by `cargo xtask fetch`.
    pub spec: std::path::PathBuf,
    /// `openapi/aiven-openapi.lock.json`.
    pub lock: std::path::PathBuf,
    /// `openapi/overlay.json`.
    pub overlay: std::path::PathBuf,
    /// `openapi/type-names.json`.
    pub names: std::path::PathBuf,
    /// The description chosen by [`SpecFiles::obtain`], once it ran.
    obtained: std::sync::OnceLock<(Value, source::Origin)>,
}

impl SpecFiles {
    /// The files in the `openapi/` directory `dir`.
    pub fn in_dir(dir: &std::path::Path) -> Self {
        Self {
            spec: dir.join(SPEC_FILE),
            lock: dir.join(LOCK_FILE),
            overlay: dir.join(OVERLAY_FILE),
            names: dir.join(NAMES_FILE),
            obtained: std::sync::OnceLock::new(),
        }
    }

    /// Tells cargo to rerun a build script when the overlay or the lock
    /// change; [`SpecFiles::obtain`] adds what depends on the chosen input.
    pub fn rerun_if_changed(&self) {
        println!("cargo:rerun-if-changed={}", self.overlay.display());
        println!("cargo:rerun-if-changed={}", self.names.display());
        println!("cargo:rerun-if-changed={}", self.lock.display());
    }

    /// For build scripts: chooses the description (see [`source::select`]:
    /// `AIVEN_OPENAPI_SPEC`, else the fetched `openapi/aiven-openapi.spec`
    /// checked against the lock, else the locked description obtained from
    /// `AIVEN_OPENAPI_SOURCE` or the lock's source and cached in `out_dir`),
    /// prints the `cargo:` directives that keep the choice current, and
    /// returns it parsed. Later [`SpecFiles::read_spec`] and
    /// [`SpecFiles::prepare`] calls use the same document.
    pub fn obtain(&self, out_dir: &std::path::Path) -> Result<Value, Error> {
        let dir = self.lock.parent().unwrap_or(std::path::Path::new("."));
        let env = |name: &str| std::env::var(name).ok();
        let selected = source::select(dir, out_dir, &env).map_err(|e| Error::Invalid(e.0))?;
        for directive in &selected.directives {
            println!("{directive}");
        }
        let label = match &selected.origin {
            source::Origin::Explicit(p) | source::Origin::Fetched(p) => p.display().to_string(),
            source::Origin::Cached(p) => p.display().to_string(),
            source::Origin::Obtained { source, .. } => source.clone(),
        };
        let doc = parse_spec(&selected.bytes, &label)?;
        Ok(self
            .obtained
            .get_or_init(|| (doc, selected.origin))
            .0
            .clone())
    }

    /// Where the description [`SpecFiles::obtain`] chose came from.
    pub fn origin(&self) -> Option<&source::Origin> {
        self.obtained.get().map(|(_, origin)| origin)
    }

    /// The description [`SpecFiles::obtain`] chose, else the fetched file, or
    /// an error saying how to get it.
    pub fn read_spec(&self) -> Result<Value, Error> {
        if let Some((doc, _)) = self.obtained.get() {
            return Ok(doc.clone());
        }
        if !self.spec.exists() {
            return Err(Error::Invalid(format!(
                "{} is missing. Fetch the description first: `cargo xtask fetch` \
                 (offline: set AIVEN_OPENAPI_SOURCE to a local copy, or pass --source PATH)",
                self.spec.display()
            )));
        }
        read_spec_file(&self.spec)
    }

    /// Reads the spec, the overlay and the names file and runs
    /// [`prepare_with_names`].
    pub fn prepare(&self) -> Result<Prepared, Error> {
        self.prepare_doc(self.read_spec()?)
    }

    /// Runs [`prepare_with_names`] on any description (another published
    /// version, a drifted copy) with this directory's overlay and names file,
    /// so it is normalized and named exactly as the build would.
    pub fn prepare_doc(&self, doc: Value) -> Result<Prepared, Error> {
        let overlay = read_json(&self.overlay)?;
        let names = hoist::NamesFile::read(&self.names)?;
        prepare_with_names(doc, Some(&overlay), Some(&names))
    }
}

/// The serialization a description was published in, decided by content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpecFormat {
    Json,
    Yaml,
}

impl SpecFormat {
    /// JSON when the first non-blank character (after an optional UTF-8 BOM)
    /// opens an object, YAML otherwise. The extension is never consulted: a
    /// URL or a copy may be named anything.
    pub fn detect(bytes: &[u8]) -> Self {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') => Self::Json,
            _ => Self::Yaml,
        }
    }
}

/// Parses a published description, JSON or YAML (decided by content), into
/// JSON. `origin` names the bytes in errors.
pub fn parse_spec(bytes: &[u8], origin: &str) -> Result<Value, Error> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let parsed = match SpecFormat::detect(body) {
        SpecFormat::Json => serde_json::from_slice::<Value>(body)
            .map_err(|e| Error::Invalid(format!("{origin} is not valid JSON: {e}")))?,
        SpecFormat::Yaml => serde_yaml_ng::from_slice::<Value>(body)
            .map_err(|e| Error::Invalid(format!("{origin} is neither JSON nor valid YAML: {e}")))?,
    };
    if !parsed.is_object() {
        return Err(Error::Invalid(format!(
            "{origin} is not an OpenAPI document (its top level is not an object)"
        )));
    }
    Ok(parsed)
}

/// Reads and parses a description file, JSON or YAML, with the path in errors.
pub fn read_spec_file(path: &std::path::Path) -> Result<Value, Error> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::Invalid(format!("cannot read {}: {e}", path.display())))?;
    parse_spec(&bytes, &path.display().to_string())
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
            shown.ends_with("renamed locations                   0"),
            "{shown}"
        );
        assert_eq!(shown.lines().count(), 1 + rules::RULES.len() + 7);
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
    fn specs_parse_by_content_not_extension() {
        let json = br#"{"openapi": "3.0.1", "paths": {"/a": {}}}"#;
        let yaml = b"openapi: 3.0.1\npaths:\n  /a: {}\n  /b:\n    get: {operationId: ON}\n";
        assert_eq!(SpecFormat::detect(json), SpecFormat::Json);
        assert_eq!(SpecFormat::detect(b"\xEF\xBB\xBF \n {}"), SpecFormat::Json);
        assert_eq!(SpecFormat::detect(yaml), SpecFormat::Yaml);
        let j = parse_spec(json, "j").unwrap();
        let y = parse_spec(yaml, "y").unwrap();
        assert_eq!(j["openapi"], json!("3.0.1"));
        // `3.0.1` stays a string and `ON` is not a YAML 1.1 boolean.
        assert_eq!(y["openapi"], json!("3.0.1"));
        assert_eq!(y["paths"]["/b"]["get"]["operationId"], json!("ON"));
        let bad_json = parse_spec(b"{\"a\": ", "x.yml").unwrap_err().to_string();
        assert!(
            bad_json.starts_with("x.yml is not valid JSON: "),
            "{bad_json}"
        );
        let bad_yaml = parse_spec(b"a: [1, 2", "x.json").unwrap_err().to_string();
        assert!(
            bad_yaml.starts_with("x.json is neither JSON nor valid YAML: "),
            "{bad_yaml}"
        );
        let scalar = parse_spec(b"just words", "w").unwrap_err().to_string();
        assert_eq!(
            scalar,
            "w is not an OpenAPI document (its top level is not an object)"
        );
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
