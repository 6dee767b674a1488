//! Code generation: every operation becomes a client method, on a tiny
//! description and on the published one, including variants of it that a
//! newer published version could plausibly bring.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Instant;

use aiven_openapi::codegen::{self, Generated, Interface};
use aiven_openapi::hoist::NamesFile;
use aiven_openapi::{prepare, prepare_with_names, Prepared};
use serde_json::{json, Value};

/// Three operations: a read, an update with a body, a list.
fn tiny() -> Value {
    json!({
        "openapi": "3.0.1",
        "info": {"title": "tiny", "version": "1"},
        "paths": {
            "/project/{project}/service/{service_name}": {
                "get": {
                    "operationId": "ServiceGet",
                    "parameters": [
                        {"name": "project", "in": "path", "required": true, "schema": {"type": "string"}},
                        {"name": "service_name", "in": "path", "required": true, "schema": {"type": "string"}},
                    ],
                    "responses": {"200": {"description": "ok", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/ServiceGetResponse"},
                    }}}},
                },
                "put": {
                    "operationId": "ServiceUpdate",
                    "parameters": [
                        {"name": "project", "in": "path", "required": true, "schema": {"type": "string"}},
                        {"name": "service_name", "in": "path", "required": true, "schema": {"type": "string"}},
                    ],
                    "requestBody": {"content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/ServiceUpdateRequestBody"},
                    }}},
                    "responses": {"200": {"description": "ok", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/ServiceUpdateResponse"},
                    }}}},
                },
            },
            "/project": {
                "get": {
                    "operationId": "ProjectList",
                    "responses": {"200": {"description": "ok", "content": {"application/json": {
                        "schema": {"type": "object", "properties": {
                            "projects": {"type": "array", "items": {"type": "string"}},
                        }},
                    }}}},
                },
            },
        },
        "components": {"schemas": {
            "ServiceGetResponse": {"type": "object", "required": ["service"], "properties": {
                "service": {"type": "object", "required": ["state"], "properties": {
                    "service_name": {"type": "string"},
                    "state": {"type": "string", "enum": ["RUNNING", "POWEROFF"]},
                }},
            }},
            "ServiceUpdateResponse": {"type": "object", "properties": {
                "service": {"type": "object", "required": ["state"], "properties": {
                    "service_name": {"type": "string"},
                    "state": {"type": "string", "enum": ["RUNNING", "POWEROFF"]},
                }},
            }},
            "ServiceUpdateRequestBody": {"type": "object", "properties": {
                "project_vpc_id": {"type": "string", "nullable": true},
                "ip_filter": {"type": "array", "items": {"type": "string"}},
            }},
        }},
    })
}

fn generate(doc: Value, interface: Interface) -> (Prepared, Generated) {
    let prepared = prepare(doc, None).unwrap_or_else(|e| panic!("prepare: {e}"));
    let generated =
        codegen::generate(&prepared, interface).unwrap_or_else(|e| panic!("generate: {e}"));
    (prepared, generated)
}

fn tiny_methods() -> BTreeMap<String, String> {
    [
        ("project_list", "project_list"),
        ("service_get", "service_get"),
        ("service_update", "service_update"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect()
}

#[test]
fn tiny_spec_builder_methods_and_types() {
    let (prepared, g) = generate(tiny(), Interface::Builder);
    assert_eq!(g.methods, tiny_methods());
    for op in &prepared.operations {
        assert!(g
            .methods
            .contains_key(&codegen::operation_name(&op.operation_id)));
    }
    assert!(g.code.contains("pub struct AivenError"), "no AivenError");
    assert!(
        g.code.contains("pub struct AivenErrorDetail"),
        "no AivenErrorDetail"
    );
    // The shared `service` shape is one type, named after the property.
    // One type per shape: the shared `service` shape is `Service`.
    assert_eq!(
        type_names(&g.code),
        [
            "AivenError",
            "AivenErrorDetail",
            "ProjectListResponse",
            "Service",
            "ServiceGetResponse",
            "ServiceUpdateRequestBody",
            "ServiceUpdateResponse",
        ]
    );
    assert!(g
        .code
        .contains("pub fn service_get(&self) -> builder::ServiceGet<'_>"));
    // `null` is sendable where the request property is nullable.
    let flat: String = g
        .code
        .split_whitespace()
        .collect::<String>()
        .replace(",>", ">");
    assert!(flat.contains(
        "pubproject_vpc_id:::std::option::Option<::std::option::Option<::std::string::String>>"
    ));
    assert!(
        flat.contains("pubip_filter:::std::option::Option<::std::vec::Vec<::std::string::String>>")
    );
}

/// Names of the structs and enums of the generated `types` module.
fn type_names(code: &str) -> Vec<&str> {
    let start = code.find("pub mod types {").expect("a types module");
    let types = &code[start..];
    let types = &types[..types.find("\n}\n").expect("end of the types module")];
    let mut names: Vec<&str> = types
        .lines()
        .filter_map(|l| {
            l.strip_prefix("    pub struct ")
                .or_else(|| l.strip_prefix("    pub enum "))
        })
        .filter_map(|rest| rest.split([' ', '(', '<', '{']).next())
        .collect();
    names.sort();
    names.dedup();
    names
}

#[test]
fn tiny_spec_positional_methods() {
    let (_, g) = generate(tiny(), Interface::Positional);
    assert_eq!(g.methods, tiny_methods());
    assert!(g.code.contains("pub struct AivenError"));
    assert!(g.code.contains("pub async fn service_get<'a>("));
}

#[test]
fn interface_names() {
    assert_eq!(Interface::parse("builder"), Some(Interface::Builder));
    assert_eq!(Interface::parse("positional"), Some(Interface::Positional));
    assert_eq!(Interface::parse("Builder"), None);
    assert_eq!(codegen::operation_name("ServiceGet"), "service_get");
    assert_eq!(
        codegen::operation_name("ProjectGetSBOMDownload"),
        "project_get_sbom_download"
    );
}

#[test]
fn a_removed_operation_is_absent_from_the_methods() {
    let mut doc = tiny();
    doc["paths"]["/project/{project}/service/{service_name}"]
        .as_object_mut()
        .unwrap()
        .remove("put");
    for interface in [Interface::Builder, Interface::Positional] {
        let (prepared, g) = generate(doc.clone(), interface);
        assert_eq!(prepared.operations.len(), 2);
        let mut expected = tiny_methods();
        expected.remove("service_update");
        assert_eq!(g.methods, expected, "{interface:?}");
    }
}

// The published description (the tests fail when it has not been fetched).

fn openapi_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The fetched description; a test that needs it fails, loudly, without it.
fn real_spec() -> Value {
    let path = openapi_dir().join(aiven_openapi::SPEC_FILE);
    assert!(
        path.exists(),
        "{} is missing: run `cargo xtask fetch` (offline: AIVEN_OPENAPI_SOURCE=PATH)",
        path.display()
    );
    aiven_openapi::read_spec_file(&path).expect("the published description parses")
}

/// The committed type names, as the build uses them.
fn real_names() -> NamesFile {
    NamesFile::read(&openapi_dir().join(aiven_openapi::NAMES_FILE)).expect("type-names.json")
}

fn real_overlay() -> Value {
    aiven_openapi::read_json(&openapi_dir().join("overlay.json")).expect("overlay.json")
}

/// Is the spec on disk the one the lock pins (the November 2023 description)?
fn is_locked_spec() -> bool {
    use sha2::Digest;
    let bytes = std::fs::read(openapi_dir().join(aiven_openapi::SPEC_FILE)).expect("spec");
    let lock =
        aiven_openapi::read_json(&openapi_dir().join(aiven_openapi::LOCK_FILE)).expect("lock");
    let hash: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    lock["sha256"].as_str() == Some(hash.as_str())
}

/// Prepares and generates `doc` with the committed overlay, timed, and checks
/// that every operation became a client method.
fn generate_all(label: &str, doc: Value) -> (Prepared, Generated) {
    let start = Instant::now();
    let prepared = prepare_with_names(doc, Some(&real_overlay()), Some(&real_names()))
        .unwrap_or_else(|e| panic!("{label}: {e}"));
    let prepared_in = start.elapsed();
    let generated =
        codegen::generate(&prepared, Interface::Builder).unwrap_or_else(|e| panic!("{label}: {e}"));
    eprintln!(
        "{label}: prepare {prepared_in:.2?}, prepare + generate {:.2?}",
        start.elapsed()
    );
    let missing: Vec<&str> = prepared
        .operations
        .iter()
        .map(|op| op.operation_id.as_str())
        .filter(|id| !generated.methods.contains_key(&codegen::operation_name(id)))
        .collect();
    assert!(
        missing.is_empty(),
        "{label}: operations without a method: {missing:?}"
    );
    assert_eq!(
        generated.methods.len(),
        prepared.operations.len(),
        "{label}"
    );
    (prepared, generated)
}

/// The published description prepared, once for all drift tests.
fn baseline() -> &'static Prepared {
    static BASELINE: OnceLock<Prepared> = OnceLock::new();
    BASELINE.get_or_init(|| {
        let doc = real_spec();
        prepare_with_names(doc, Some(&real_overlay()), Some(&real_names()))
            .expect("the published description prepares")
    })
}

/// Type names of `before` that `after` no longer has: code written against
/// them would stop compiling.
fn lost_names(before: &Prepared, after: &Prepared) -> Vec<String> {
    let now = schema_names(after);
    schema_names(before)
        .into_iter()
        .filter(|n| !now.contains(n))
        .collect()
}

fn schema_names(prepared: &Prepared) -> Vec<String> {
    prepared.doc["components"]["schemas"]
        .as_object()
        .expect("schemas")
        .keys()
        .cloned()
        .collect()
}

#[test]
fn published_description_generates_every_operation() {
    let doc = real_spec();
    let (prepared, generated) = generate_all("published", doc);
    eprintln!("{}", prepared.report);
    assert!(generated.code.contains("pub struct AivenError"));
    let mut clients: Vec<&String> = generated.methods.values().collect();
    clients.sort();
    clients.dedup();
    assert_eq!(
        clients.len(),
        generated.methods.len(),
        "client method names are unique"
    );
    assert_eq!(generated.methods["service_get"], "service_get");

    if !is_locked_spec() {
        eprintln!("the spec is not the locked one; rule counts not compared");
        return;
    }
    assert_eq!(prepared.operations.len(), 457);
    assert_eq!(prepared.report.overlay_entries, 2);
    let rules: Vec<(&str, usize)> = prepared.report.rules.clone();
    assert_eq!(
        rules,
        [
            ("escaped-property-names", 14),
            ("route-converters-in-paths", 0),
            ("undeclared-path-parameters", 0),
            ("empty-tag-names", 0),
            ("placeholder-map-keys", 19),
            // UserAuthLoginOptionsResponse's `None`.
            ("list-leftover-properties", 1),
            // `topics.exclude` beside `topics_exclude` (5 replication-flow shapes).
            ("colliding-property-identifiers", 5),
            ("duplicate-enum-values", 0),
            ("default-type-mismatch", 0),
            ("deprecated-in-prose", 98),
            ("prose-titles", 1665),
            ("zero-minimums", 49),
            ("text-json-is-json", 0),
            ("shared-error-response", 793),
            ("split-shared-components", 0),
            // user_config, tags, connection_info, Kafka REST key/value, …
            ("free-form-response-values", 213),
            // 10 fields once hoisted (SAML settings, is_enabled_2fa, deleted, …).
            ("response-defaults", 31),
            // The public and the project service-type catalogues.
            ("map-like-objects", 2),
            ("open-world-responses", 4172),
            ("sendable-empty-collections", 86),
            ("sendable-null", 2),
        ]
    );
    let h = &prepared.report.hoist;
    assert_eq!(
        (
            h.inline_types,
            h.distinct_shapes,
            h.shared_shapes,
            h.kept_names,
            h.fresh_names,
            h.renames.len()
        ),
        (887, 294, 147, 294, 0, 0)
    );
    // The collision is repaired, both wire names reachable: decoded and
    // encoded under their own names (the serde impls are written out).
    for line in [
        r#"crate::decode::lenient(&mut map, &mut f17, "topics.exclude")"#,
        r#"entries.entry("topics.exclude", &self.topics_dot_exclude);"#,
        r#"entries.entry("topics_exclude", &self.topics_exclude);"#,
        r#"fields.field("topics.exclude", &self.topics_dot_exclude);"#,
    ] {
        assert!(generated.code.contains(line), "{line}");
    }
    assert!(generated.code.contains("pub topics_dot_exclude:"));
    assert!(generated.code.contains("pub topics_exclude:"));
}

const SERVICE_PATH: &str = "/project/{project}/service/{service_name}";

#[test]
fn drift_new_enum_value_and_unknown_properties() {
    let mut doc = real_spec();
    let baseline = baseline();
    let schemas = doc["components"]["schemas"].as_object_mut().unwrap();
    let mut services = 0;
    // The same drift everywhere the service is returned: alone and in lists.
    let places = [
        "/properties/service/properties",
        "/properties/services/items/properties",
    ];
    for schema in schemas.values_mut() {
        for place in places {
            let Some(service) = schema.pointer_mut(place) else {
                continue;
            };
            let Some(Value::Array(states)) = service.pointer_mut("/state/enum") else {
                continue;
            };
            states.push(json!("REBOOTING"));
            service["disk_space_cap"] = json!({"type": "integer", "description": "new"});
            services += 1;
        }
    }
    assert!(
        services >= 3,
        "the service shape is returned by {services} schemas"
    );
    doc["components"]["schemas"]["ServiceGetResponse"]["properties"]["maintenance_v2"] = json!({
        "type": "object",
        "properties": {"dow": {"type": "string", "enum": ["monday", "sunday"]}, "time": {"type": "string"}},
    });
    let (prepared, generated) = generate_all("drift (a)", doc);
    assert_eq!(prepared.operations, baseline.operations);
    let s = &prepared.doc["components"]["schemas"];
    assert!(s["Service"]["properties"]["state"]["description"]
        .as_str()
        .unwrap()
        .ends_with("`REBOOTING`."));
    assert!(s["Service"]["properties"].get("disk_space_cap").is_some());
    assert!(generated.code.contains("pub disk_space_cap:"));
    assert!(generated
        .code
        .contains("pub struct ServiceGetResponseMaintenanceV2 {"));
    assert_eq!(lost_names(baseline, &prepared), Vec::<String>::new());
}

#[test]
fn drift_a_copied_operation_and_response() {
    let mut doc = real_spec();
    let mut op = doc["paths"][SERVICE_PATH]["get"].clone();
    op["operationId"] = json!("ServiceGetCopy");
    op["responses"]["200"]["content"]["application/json"]["schema"] =
        json!({"$ref": "#/components/schemas/ServiceGetCopyResponse"});
    let mut item = serde_json::Map::new();
    item.insert("get".into(), op);
    doc["paths"][format!("{SERVICE_PATH}/copy")] = Value::Object(item);
    let copy = doc["components"]["schemas"]["ServiceGetResponse"].clone();
    doc["components"]["schemas"]["ServiceGetCopyResponse"] = copy;
    let (prepared, generated) = generate_all("drift (b)", doc);
    assert_eq!(lost_names(baseline(), &prepared), Vec::<String>::new());
    assert_eq!(prepared.operations.len(), 458);
    assert_eq!(generated.methods["service_get_copy"], "service_get_copy");
    let s = &prepared.doc["components"]["schemas"];
    // Both responses hold the one shared `Service`.
    for name in ["ServiceGetResponse", "ServiceGetCopyResponse"] {
        assert_eq!(
            s[name]["properties"]["service"],
            json!({"$ref": "#/components/schemas/Service"}),
            "{name}"
        );
    }
}

#[test]
fn drift_second_empty_tag_route_converter_and_undeclared_variable() {
    let mut doc = real_spec();
    // Two more empty-named tags, so the document has at least two whatever
    // the version (November 2023 had one, June 2026 none).
    let tags = doc["tags"].as_array_mut().unwrap();
    tags.push(json!({"name": "", "x-displayName": "Widgets"}));
    tags.push(json!({"name": "", "x-displayName": "Gadgets"}));
    doc["paths"]["/project/{project}/widget/{widget_id:\\d+}/{part}"] = json!({
        "get": {
            "operationId": "ProjectWidgetPartGet",
            "tags": [""],
            "parameters": [
                {"name": "project", "in": "path", "required": true, "schema": {"type": "string"}},
            ],
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                "type": "object",
                "properties": {"widget": {"type": "object", "properties": {
                    "widget_id": {"type": "integer"},
                    "state": {"type": "string", "enum": ["ON", "OFF"]},
                }}},
            }}}}},
        },
    });
    let (prepared, generated) = generate_all("drift (c)", doc);
    assert_eq!(lost_names(baseline(), &prepared), Vec::<String>::new());
    assert_eq!(prepared.operations.len(), 458);
    assert_eq!(
        generated.methods["project_widget_part_get"],
        "project_widget_part_get"
    );
    let op = &prepared.doc["paths"]["/project/{project}/widget/{widget_id}/{part}"]["get"];
    let params: Vec<&str> = op["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(params, ["project", "widget_id", "part"]);
    // Two empty-named tags cannot be told apart: both are dropped.
    assert!(op.get("tags").is_none_or(|t| t == &json!([])));
    let tags = prepared.doc["tags"].as_array().unwrap();
    assert!(tags.iter().all(|t| t["name"] != json!("")));
    assert!(generated
        .code
        .contains("pub fn project_widget_part_get(&self) -> builder::ProjectWidgetPartGet<'_>"));
}
