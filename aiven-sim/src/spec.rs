//! The tables compiled from the OpenAPI description by `build.rs`: every
//! operation (id, method, normalized path template, whether it needs a
//! token, request and response schemas) and the route matcher.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{Map, Value};

static SPEC_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/spec.json"));

/// One operation of the description.
#[derive(Clone, Debug, Deserialize)]
pub struct OperationSpec {
    /// The description's `operationId`.
    pub operation_id: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template relative to `/v1`, route converters stripped.
    pub path: String,
    /// Whether the operation needs an `Authorization` token.
    pub auth: bool,
    /// JSON Schema (draft 7, refs into the normalized definitions) of the
    /// request body, if the operation takes one.
    pub request: Option<Value>,
    /// Whether the description marks the request body required.
    pub request_required: bool,
    /// Response schemas of the normalized description by status key
    /// (`200`, `4XX`, …), refs into the normalized definitions.
    pub responses: BTreeMap<String, Value>,
    /// Response schemas of the published description by status key, refs
    /// into the published definitions.
    pub raw_responses: BTreeMap<String, Value>,
    /// The normalized definitions its request and response schemas
    /// reference directly.
    pub refs: Vec<String>,
    /// The published definitions its response schemas reference directly.
    pub raw_refs: Vec<String>,
    /// The success answer the published description declares.
    pub success: Success,
    /// The path template split into segments.
    #[serde(skip)]
    segments: Vec<Segment>,
}

/// An operation's success answer: its status and media type (`None`: no
/// body, as for a `204`).
#[derive(Clone, Debug, Deserialize)]
pub struct Success {
    /// The HTTP status (`200`, `204`).
    pub status: u16,
    /// The media type (`application/json`, `text/csv`, `application/pdf`).
    pub media: Option<String>,
}

impl Success {
    /// Whether the body is JSON (checked against a response schema).
    pub fn is_json(&self) -> bool {
        self.media.as_deref().is_some_and(|m| m.ends_with("json"))
    }
}

#[derive(Clone, Debug)]
enum Segment {
    Literal(String),
    Param(String),
}

#[derive(Deserialize)]
struct Raw {
    published_operations: usize,
    operations: Vec<OperationSpec>,
    definitions: Map<String, Value>,
    raw_definitions: Map<String, Value>,
    definition_refs: BTreeMap<String, Vec<String>>,
    raw_definition_refs: BTreeMap<String, Vec<String>>,
    service_types: Vec<String>,
    error_codes: BTreeSet<String>,
}

/// The whole compiled description.
#[derive(Debug)]
pub struct Spec {
    /// Every operation, in the description's order.
    pub operations: Vec<OperationSpec>,
    /// Component schemas of the normalized description, as JSON Schema.
    pub definitions: Map<String, Value>,
    /// Component schemas of the published description, as JSON Schema.
    pub raw_definitions: Map<String, Value>,
    /// The normalized definitions each normalized definition references
    /// directly (found at build time by `aiven_openapi::walk`).
    pub definition_refs: BTreeMap<String, Vec<String>>,
    /// The same for the published definitions.
    pub raw_definition_refs: BTreeMap<String, Vec<String>>,
    /// The service types the description enumerates.
    pub service_types: Vec<String>,
    /// The machine-readable `error_code` values the description documents.
    pub error_codes: BTreeSet<String>,
    /// How many operations the published description has.
    pub published_operations: usize,
    by_id: BTreeMap<String, usize>,
}

/// The result of matching a request against the description's paths.
#[derive(Debug)]
pub enum RouteMatch<'a> {
    /// An operation, with its path parameters (percent-decoded).
    Found(&'a OperationSpec, BTreeMap<String, String>),
    /// The path exists with other methods.
    MethodNotAllowed,
    /// No path of the description matches.
    NotFound,
}

/// The compiled description (parsed once per process).
pub fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let raw: Raw = serde_json::from_str(SPEC_JSON).expect("build.rs wrote valid tables");
        let mut operations = raw.operations;
        for op in &mut operations {
            op.segments = split(&op.path)
                .map(
                    |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                        Some(name) => Segment::Param(name.to_string()),
                        None => Segment::Literal(s.to_string()),
                    },
                )
                .collect();
        }
        let by_id = operations
            .iter()
            .enumerate()
            .map(|(i, op)| (op.operation_id.clone(), i))
            .collect();
        Spec {
            operations,
            definitions: raw.definitions,
            raw_definitions: raw.raw_definitions,
            definition_refs: raw.definition_refs,
            raw_definition_refs: raw.raw_definition_refs,
            service_types: raw.service_types,
            error_codes: raw.error_codes,
            published_operations: raw.published_operations,
            by_id,
        }
    })
}

fn split(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

impl Spec {
    /// The operation with this `operationId`.
    pub fn operation(&self, operation_id: &str) -> Option<&OperationSpec> {
        self.by_id.get(operation_id).map(|&i| &self.operations[i])
    }

    /// Matches a method and a path relative to `/v1`. Where several
    /// templates match, the one with literal segments earliest wins
    /// (`/project/{project}/service/{service_name}/user` over
    /// `/project/{project}/service/{service_name}/{anything}`).
    pub fn route(&self, method: &str, path: &str) -> RouteMatch<'_> {
        let parts: Vec<&str> = split(path).collect();
        let mut best: Option<(Vec<bool>, &OperationSpec)> = None;
        let mut path_exists = false;
        for op in &self.operations {
            if op.segments.len() != parts.len() {
                continue;
            }
            let mut score = Vec::with_capacity(parts.len());
            let matches = op.segments.iter().zip(&parts).all(|(seg, part)| match seg {
                Segment::Literal(l) => {
                    score.push(true);
                    l == part
                }
                Segment::Param(_) => {
                    score.push(false);
                    !part.is_empty()
                }
            });
            if !matches {
                continue;
            }
            path_exists = true;
            if !op.method.eq_ignore_ascii_case(method) {
                continue;
            }
            if best.as_ref().is_none_or(|(s, _)| score > *s) {
                best = Some((score, op));
            }
        }
        match best {
            Some((_, op)) => {
                let params = op
                    .segments
                    .iter()
                    .zip(&parts)
                    .filter_map(|(seg, part)| match seg {
                        Segment::Param(name) => Some((name.clone(), percent_decode(part))),
                        Segment::Literal(_) => None,
                    })
                    .collect();
                RouteMatch::Found(op, params)
            }
            None if path_exists => RouteMatch::MethodNotAllowed,
            None => RouteMatch::NotFound,
        }
    }
}

/// Decodes `%XX` escapes (and leaves malformed ones as they are).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_present() {
        let s = spec();
        assert_eq!(s.operations.len(), s.published_operations);
        // The June 2026 description and later: the paths Aiven's CLI calls.
        assert!(s.operations.len() >= 457, "{}", s.operations.len());
        for id in [
            "ServiceCreate",
            "ProjectServiceTypesList",
            "ProjectServiceTypesGet",
            "ProjectServicePlanList",
            "ProjectServicePlanSpecsGet",
        ] {
            assert!(s.operation(id).is_some(), "{id}");
        }
        assert!(s.service_types.iter().any(|t| t == "pg"));
        assert!(s.error_codes.contains("project_not_found"));
        assert!(s.error_codes.contains("authentication_failed"));
    }

    #[test]
    fn routes_prefer_literal_segments() {
        let s = spec();
        let RouteMatch::Found(op, params) = s.route("GET", "/project/p1/service/svc/topic/t%2E1")
        else {
            panic!("no match");
        };
        assert_eq!(op.operation_id, "ServiceKafkaTopicGet");
        assert_eq!(params["project"], "p1");
        assert_eq!(params["topic_name"], "t.1");
        assert!(matches!(
            s.route("PATCH", "/project/p1/service/svc"),
            RouteMatch::MethodNotAllowed
        ));
        assert!(matches!(s.route("GET", "/nope"), RouteMatch::NotFound));
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b"), "a b");
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
