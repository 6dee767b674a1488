//! `cargo xtask diff` on small hand-written descriptions, one drift at a
//! time, and on the published November 2023 description against a drifted
//! copy of itself.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use xtask::diff::{report, CompileStatus, DiffOptions, Kind, Report};

/// A small description in Aiven's style: services (get, list, create), an
/// operation to remove, one to move, clouds, and a schema to lose.
fn base() -> Value {
    json!({
        "openapi": "3.0.1",
        "info": { "title": "Aiven", "version": "v1" },
        "paths": {
            "/project/{project}/service/{service_name}": {
                "get": {
                    "operationId": "ServiceGet",
                    "summary": "Get service information",
                    "parameters": [
                        { "$ref": "#/components/parameters/project" },
                        { "in": "path", "name": "service_name", "required": true, "schema": { "type": "string" } }
                    ],
                    "responses": { "200": json_body("ServiceGetResponse") }
                }
            },
            "/project/{project}/service": {
                "get": {
                    "operationId": "ServiceList",
                    "summary": "List services",
                    "parameters": [
                        { "$ref": "#/components/parameters/project" },
                        { "in": "query", "name": "limit", "schema": { "type": "integer" } }
                    ],
                    "responses": { "200": json_body("ServiceListResponse") }
                },
                "post": {
                    "operationId": "ServiceCreate",
                    "summary": "Create a service",
                    "parameters": [ { "$ref": "#/components/parameters/project" } ],
                    "requestBody": { "required": true, "content": { "application/json": {
                        "schema": { "$ref": "#/components/schemas/ServiceCreateRequestBody" } } } },
                    "responses": { "200": json_body("ServiceGetResponse") }
                }
            },
            "/project/{project}/old": {
                "delete": {
                    "operationId": "OldDelete",
                    "summary": "Delete the old thing",
                    "parameters": [ { "$ref": "#/components/parameters/project" } ],
                    "responses": { "200": json_body("MessageResponse") }
                }
            },
            "/project/{project}/renamed": {
                "put": {
                    "operationId": "ThingUpdate",
                    "summary": "Update the thing",
                    "parameters": [ { "$ref": "#/components/parameters/project" } ],
                    "responses": { "200": json_body("MessageResponse") }
                }
            },
            "/clouds": {
                "get": {
                    "operationId": "ListClouds",
                    "summary": "List clouds",
                    "responses": { "200": json_body("ListCloudsResponse") }
                }
            }
        },
        "components": {
            "parameters": {
                "project": { "in": "path", "name": "project", "required": true, "schema": { "type": "string" } }
            },
            "schemas": {
                "ServiceGetResponse": { "type": "object", "properties": {
                    "service": { "$ref": "#/components/schemas/Service" },
                    "detail": { "$ref": "#/components/schemas/Gone" },
                    "message": { "type": "string" }
                } },
                "ServiceListResponse": { "type": "object", "properties": {
                    "services": { "type": "array", "items": { "$ref": "#/components/schemas/Service" } }
                } },
                "Service": { "type": "object", "required": ["service_name"], "properties": {
                    "service_name": { "type": "string", "description": "Service name" },
                    "state": { "type": "string", "description": "State",
                               "enum": ["REBUILDING", "RUNNING", "POWEROFF"] },
                    "disk_space_mb": { "type": "number", "description": "Disk space" },
                    "plan": { "type": "string", "description": "Plan" }
                } },
                "Gone": { "type": "object", "properties": {
                    "what": { "type": "string" }, "why": { "type": "string" } } },
                "ServiceCreateRequestBody": { "type": "object",
                    "required": ["service_name", "service_type"], "properties": {
                    "service_name": { "type": "string", "description": "Service name" },
                    "service_type": { "type": "string", "description": "Service type",
                                      "enum": ["pg", "kafka"] },
                    "plan": { "type": "string", "description": "Plan" }
                } },
                "MessageResponse": { "type": "object", "properties": {
                    "message": { "type": "string" } } },
                "ListCloudsResponse": { "type": "object", "properties": {
                    "clouds": { "type": "array", "items": { "$ref": "#/components/schemas/Cloud" } }
                } },
                "Cloud": { "type": "object", "properties": {
                    "cloud_name": { "type": "string" },
                    "geo_region": { "type": "string" },
                    "provider": { "type": "string" }
                } }
            }
        }
    })
}

fn json_body(schema: &str) -> Value {
    json!({ "description": "ok", "content": { "application/json": {
        "schema": { "$ref": format!("#/components/schemas/{schema}") } } } })
}

/// Writes both documents to a temporary directory and compares them with
/// `opts` (no overlay, no compile check, no sources unless given).
fn diff_with(old: &Value, new: &Value, opts: &DiffOptions) -> Report {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("old.json"), dir.path().join("new.json"));
    std::fs::write(&a, serde_json::to_vec_pretty(old).unwrap()).unwrap();
    std::fs::write(&b, serde_json::to_vec_pretty(new).unwrap()).unwrap();
    report(&a, &b, opts).unwrap()
}

fn diff(new: &Value) -> Report {
    diff_with(&base(), new, &DiffOptions::default())
}

/// Every finding as `kind: text`, breaking first.
fn lines(report: &Report) -> Vec<String> {
    report
        .breaking
        .iter()
        .chain(&report.informational)
        .map(|f| format!("{}: {f}", kind_name(f.kind)))
        .collect()
}

fn kind_name(kind: Kind) -> String {
    serde_json::to_value(kind)
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned()
}

fn schema<'a>(doc: &'a mut Value, name: &str) -> &'a mut Value {
    &mut doc["components"]["schemas"][name]
}

fn paths(doc: &mut Value) -> &mut serde_json::Map<String, Value> {
    doc["paths"].as_object_mut().unwrap()
}

#[test]
fn identical_descriptions_have_no_drift() {
    let report = diff(&base());
    assert!(lines(&report).is_empty(), "{:?}", lines(&report));
    assert!(report.rust_level, "{report}");
    let text = report.to_string();
    let expected = "\
NEW generates: yes · compiles: not checked (--no-compile)
verdict: 0 breaking changes, 0 informational, 0 documentation-only

Breaking: none

Informational: none
";
    assert!(text.contains(expected), "{text}");
    assert_eq!(report.new.operations, 6);
}

#[test]
fn removed_type_and_the_field_that_held_it() {
    let mut new = base();
    schema(&mut new, "ServiceGetResponse")["properties"]
        .as_object_mut()
        .unwrap()
        .remove("detail");
    new["components"]["schemas"]
        .as_object_mut()
        .unwrap()
        .remove("Gone");
    assert_eq!(
        lines(&diff(&new)),
        [
            "type_removed: Gone",
            "field_removed: ServiceGetResponse.detail"
        ]
    );
}

#[test]
fn removed_request_body_takes_its_inner_types_along() {
    let mut new = base();
    new["paths"]["/project/{project}/service"]
        .as_object_mut()
        .unwrap()
        .remove("post");
    new["components"]["schemas"]
        .as_object_mut()
        .unwrap()
        .remove("ServiceCreateRequestBody");
    let report = diff(&new);
    assert_eq!(
        lines(&report),
        [
            "type_removed: ServiceCreateRequestBody (+1 inner type)",
            "method_removed: service_create (POST /project/{project}/service)",
        ]
    );
    assert_eq!(
        report.breaking[0].inner_types,
        ["ServiceCreateRequestBodyServiceType"]
    );
    assert!(format!("{report:#}").contains(
        "    ServiceCreateRequestBody (+1 inner type)\n      with ServiceCreateRequestBodyServiceType\n"
    ));
}

#[test]
fn renamed_type_is_one_rename_not_a_removal_and_an_addition() {
    let mut new = base();
    let cloud = new["components"]["schemas"]
        .as_object_mut()
        .unwrap()
        .remove("Cloud")
        .unwrap();
    *schema(&mut new, "ListCloudsResponseCloud") = cloud;
    schema(&mut new, "ListCloudsResponse")["properties"]["clouds"]["items"]["$ref"] =
        json!("#/components/schemas/ListCloudsResponseCloud");
    assert_eq!(
        lines(&diff(&new)),
        ["type_renamed: Cloud → ListCloudsResponseCloud"]
    );
}

#[test]
fn renamed_type_whose_field_type_was_renamed_too_is_found_by_place() {
    // Gone → ExtraInfo and its (new) holder type both get new names; the
    // field that holds it stays, so the shapes are matched through it.
    let mut new = base();
    let gone = new["components"]["schemas"]
        .as_object_mut()
        .unwrap()
        .remove("Gone")
        .unwrap();
    *schema(&mut new, "ExtraInfo") = gone;
    schema(&mut new, "ServiceGetResponse")["properties"]["detail"]["$ref"] =
        json!("#/components/schemas/ExtraInfo");
    assert_eq!(lines(&diff(&new)), ["type_renamed: Gone → ExtraInfo"]);
}

#[test]
fn field_whose_rust_type_changed() {
    let mut new = base();
    schema(&mut new, "Service")["properties"]["disk_space_mb"]["type"] = json!("integer");
    assert_eq!(
        lines(&diff(&new)),
        ["field_type_changed: Service.disk_space_mb: Option<f64> → Option<i64>"]
    );
}

#[test]
fn removed_operation_is_a_removed_method() {
    let mut new = base();
    paths(&mut new).remove("/project/{project}/old");
    assert_eq!(
        lines(&diff(&new)),
        ["method_removed: old_delete (DELETE /project/{project}/old)"]
    );
}

#[test]
fn moved_and_renamed_operations() {
    let mut new = base();
    let thing = paths(&mut new)
        .remove("/project/{project}/renamed")
        .unwrap();
    paths(&mut new).insert("/project/{project}/thing".into(), thing);
    new["paths"]["/project/{project}/old"]["delete"]["operationId"] = json!("OldRemove");
    assert_eq!(
        lines(&diff(&new)),
        [
            "method_renamed: old_delete → old_remove (DELETE /project/{project}/old)",
            "operation_moved: thing_update: PUT /project/{project}/renamed → PUT /project/{project}/thing",
        ]
    );
}

#[test]
fn new_required_parameters_and_parameter_changes() {
    let mut new = base();
    let list = &mut new["paths"]["/project/{project}/service"]["get"];
    list["parameters"][1] =
        json!({ "in": "query", "name": "limit", "required": true, "schema": { "type": "string" } });
    list["parameters"].as_array_mut().unwrap().push(
        json!({ "in": "query", "name": "cloud", "required": true, "schema": { "type": "string" } }),
    );
    list["parameters"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "in": "query", "name": "tag", "schema": { "type": "string" } }));
    assert_eq!(
        lines(&diff(&new)),
        [
            "param_type_changed: service_list.limit: i64 → String",
            "required_param_added: service_list.cloud: String",
            "param_now_required: service_list.limit",
            "param_added: service_list.tag: String",
        ]
    );
}

#[test]
fn new_required_request_field_breaks_and_optional_fields_do_not() {
    let mut new = base();
    let body = schema(&mut new, "ServiceCreateRequestBody");
    body["properties"]["cloud"] = json!({ "type": "string" });
    body["required"] = json!(["service_name", "service_type", "cloud"]);
    schema(&mut new, "Service")["properties"]["cloud_name"] = json!({ "type": "string" });
    assert_eq!(
        lines(&diff(&new)),
        [
            "required_field_added: ServiceCreateRequestBody.cloud: String",
            "field_added: Service.cloud_name: Option<String>",
        ]
    );
}

#[test]
fn enum_values_added_are_informational_and_removed_request_variants_break() {
    let mut new = base();
    // A response enum is an open-world string: its known values grow.
    schema(&mut new, "Service")["properties"]["state"]["enum"] =
        json!(["REBUILDING", "RUNNING", "POWEROFF", "MIGRATING"]);
    let report = diff(&new);
    assert_eq!(
        lines(&report),
        ["known_values_added: Service.state: +MIGRATING"]
    );
    assert!(report.breaking.is_empty());

    // A request enum is a Rust enum: a new variant informs, a lost one breaks.
    let mut new = base();
    schema(&mut new, "ServiceCreateRequestBody")["properties"]["service_type"]["enum"] =
        json!(["pg", "valkey"]);
    assert_eq!(
        lines(&diff(&new)),
        [
            "enum_variant_removed: ServiceCreateRequestBodyServiceType::Kafka",
            "enum_variant_added: ServiceCreateRequestBodyServiceType::Valkey",
        ]
    );
}

#[test]
fn defects_the_rules_absorb_are_not_drift() {
    // The raw documents differ (escaped property names, duplicated enum
    // values, an `ANY` placeholder instead of additionalProperties); the
    // normalized ones do not.
    let mut old = base();
    let mut new = base();
    schema(&mut old, "Gone")["properties"] = json!({
        "end\\-time": { "type": "string" },
        "why": { "type": "string" },
        "labels": { "type": "object", "properties": { "ANY": { "type": "string" } } }
    });
    schema(&mut new, "Gone")["properties"] = json!({
        "end-time": { "type": "string" },
        "why": { "type": "string" },
        "labels": { "type": "object", "additionalProperties": { "type": "string" } }
    });
    schema(&mut old, "ServiceCreateRequestBody")["properties"]["service_type"]["enum"] =
        json!(["pg", "kafka", "pg"]);
    let report = diff_with(&old, &new, &DiffOptions::default());
    assert!(report.breaking.is_empty(), "{:?}", lines(&report));
    assert!(lines(&report).is_empty(), "{:?}", lines(&report));
}

#[test]
fn documentation_edits_are_counted_not_listed() {
    let mut new = base();
    schema(&mut new, "Service")["properties"]["plan"]["description"] = json!("Subscription plan");
    new["paths"]["/clouds"]["get"]["summary"] = json!("List every cloud");
    let report = diff(&new);
    assert!(lines(&report).is_empty(), "{:?}", lines(&report));
    assert_eq!(report.doc_only_changes, 2);
}

#[test]
fn a_new_description_that_does_not_generate_is_the_first_line() {
    let mut new = base();
    new["openapi"] = json!("3.1.0");
    let report = diff(&new);
    assert!(!report.new_generates());
    assert!(!report.rust_level);
    let text = report.to_string();
    assert_eq!(
        text.lines().next().unwrap(),
        "NEW does not generate: OpenAPI 3.1.x found (openapi: \"3.1.0\"); 3.0.x is required"
    );
    assert!(text.contains("NEW generates: NO · compiles: not checked (NEW does not generate)"));
    assert!(lines(&report).is_empty(), "{:?}", lines(&report));
}

#[test]
fn operations_are_still_compared_when_new_does_not_generate() {
    let mut new = base();
    paths(&mut new).remove("/project/{project}/old");
    // A body the generator cannot turn into a type: `type` is not a string.
    schema(&mut new, "Gone")["type"] = json!(42);
    let report = diff(&new);
    assert!(report.new.generate_error.is_some());
    assert_eq!(
        lines(&report),
        ["method_removed: old_delete (DELETE /project/{project}/old)"]
    );
}

#[test]
fn the_compile_check_runs_on_new_and_is_reported() {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(None::<PathBuf>));
    let record = seen.clone();
    let opts = DiffOptions {
        compile: Some(Box::new(move |spec: &Path| {
            *record.lock().unwrap() = Some(spec.to_path_buf());
            Ok(CompileStatus::DoesNotCompile {
                error: "error[E0124]: field `topics_exclude` is already declared".into(),
            })
        })),
        ..DiffOptions::default()
    };
    let report = diff_with(&base(), &base(), &opts);
    let seen = seen.lock().unwrap().clone().unwrap();
    assert_eq!(seen.file_name().unwrap(), "new.json");
    assert!(
        report.to_string().contains(
            "NEW generates: yes · compiles: NO: error[E0124]: field `topics_exclude` is already declared"
        ),
        "{report}"
    );
}

/// Hand-written code in the style of aiven-ext.
const EXT_SOURCE: &str = r#"use aiven_api::types;

pub async fn show(client: &aiven_api::Client) -> Result<(), Error> {
    let svc: types::Service = client
        .service_get()
        .project("p")
        .service_name("s")
        .send()
        .await?
        .into_inner()
        .service
        .unwrap();
    println!("{:?}", svc.disk_space_mb);
    let clouds: Vec<types::Cloud> = client.list_clouds().send().await?.into_inner().clouds.unwrap();
    client.service_list().project("p").limit(5).send().await?;
    client.old_delete().project("p").send().await.map_err(Error::during("OldDelete"))?;
    let body = types::ServiceCreateRequestBody::builder().plan("startup-4");
    let _ = (clouds, body, svc.plan);
    Ok(())
}
"#;

fn drifted_everywhere() -> Value {
    let mut new = base();
    schema(&mut new, "Service")["properties"]["disk_space_mb"]["type"] = json!("integer");
    let cloud = new["components"]["schemas"]
        .as_object_mut()
        .unwrap()
        .remove("Cloud")
        .unwrap();
    *schema(&mut new, "ListCloudsResponseCloud") = cloud;
    schema(&mut new, "ListCloudsResponse")["properties"]["clouds"]["items"]["$ref"] =
        json!("#/components/schemas/ListCloudsResponseCloud");
    new["paths"]["/project/{project}/service"]["get"]["parameters"][1]["schema"] =
        json!({ "type": "string" });
    paths(&mut new).remove("/project/{project}/old");
    schema(&mut new, "ServiceCreateRequestBody")["properties"]
        .as_object_mut()
        .unwrap()
        .remove("plan");
    new
}

#[test]
fn breaking_changes_list_the_lines_that_use_them() {
    let dir = tempfile::tempdir().unwrap();
    let ext = dir.path().join("ext");
    std::fs::create_dir_all(ext.join("nested")).unwrap();
    std::fs::write(ext.join("nested").join("show.rs"), EXT_SOURCE).unwrap();
    std::fs::write(ext.join("unrelated.rs"), "fn plan() { let plan = 1; }\n").unwrap();
    let opts = DiffOptions {
        usage_roots: vec![ext],
        ..DiffOptions::default()
    };
    let report = diff_with(&base(), &drifted_everywhere(), &opts);
    let used: Vec<String> = report
        .breaking
        .iter()
        .map(|f| {
            let places: Vec<String> = f.used_by.iter().map(ToString::to_string).collect();
            format!("{} @ {}", f.item, places.join(" "))
        })
        .collect();
    // Line 18 reads `svc.plan` (Service.plan): a `.field` access in a file
    // that names the owner type matches by name, an over-report the legend
    // owns up to. The setter on line 17 is matched through its chain.
    assert_eq!(
        used,
        [
            "Cloud @ nested/show.rs:14",
            "ServiceCreateRequestBody.plan @ nested/show.rs:17 nested/show.rs:18",
            "Service.disk_space_mb @ nested/show.rs:13",
            "old_delete @ nested/show.rs:16",
            "service_list.limit @ nested/show.rs:15",
        ]
    );
    assert_eq!(report.summary.breaking_used, 5);
    let text = report.to_string();
    let expected = "\
verdict: 5 breaking changes (5 used by ext), 0 informational, 0 documentation-only

Breaking (5), by kind (--full lists all):
  types renamed (1): Cloud → ListCloudsResponseCloud
  fields removed (1): ServiceCreateRequestBody.plan
  field types changed (1): Service.disk_space_mb: Option<f64> → Option<i64>
  methods removed (1): old_delete (DELETE /project/{project}/old)
  builder parameter types changed (1): service_list.limit: i64 → String

Used by ext (5 breaking items, 6 places):
  Cloud: nested/show.rs:14
  ServiceCreateRequestBody.plan: nested/show.rs:17,18
  Service.disk_space_mb: nested/show.rs:13
  old_delete: nested/show.rs:16
  service_list.limit: nested/show.rs:15

Informational: none
";
    assert!(text.contains(expected), "{text}");
    let full = format!("{report:#}");
    assert!(
        full.contains("    Service.disk_space_mb: Option<f64> → Option<i64>\n      used at nested/show.rs:13\n"),
        "{full}"
    );
    let json: Value = serde_json::from_str(&report.to_json().unwrap()).unwrap();
    assert_eq!(json["summary"]["breaking"], 5);
    assert_eq!(json["breaking"][0]["kind"], "type_renamed");
    assert_eq!(json["breaking"][0]["used_by"][0]["line"], 14);
    assert_eq!(json["compile"]["status"], "not_checked");
}

#[test]
fn a_missing_source_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("spec.json");
    std::fs::write(&file, base().to_string()).unwrap();
    let opts = DiffOptions {
        usage_roots: vec![dir.path().join("no-such-dir")],
        ..DiffOptions::default()
    };
    let err = report(&file, &file, &opts).unwrap_err().to_string();
    assert!(err.ends_with("no-such-dir does not exist"), "{err}");
    let err = report(
        &dir.path().join("nope.json"),
        &file,
        &DiffOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.starts_with("cannot read "), "{err}");
}

/// The published November 2023 description, compared with a copy drifted
/// the way Aiven's June 2026 one drifted: `disk_space_mb` an integer, the
/// InfluxDB statistics operation and its response schema gone. Uses the workspace's overlay and aiven-ext.
#[test]
fn published_2023_description_against_a_drifted_copy() {
    let shared = xtask::workspace_root().join("../shared/openapi/aiven-openapi.json");
    assert!(
        shared.exists(),
        "{} is missing: this test needs the published November 2023 description",
        shared.display()
    );
    let mut doc: Value = serde_json::from_slice(&std::fs::read(&shared).unwrap()).unwrap();
    let mut retyped = 0;
    retype_disk_space(&mut doc, &mut retyped);
    assert!(retyped > 0, "no disk_space_mb property found to drift");
    let influx = "/project/{project}/service/{service_name}/influxdb/stats";
    assert!(
        paths(&mut doc).remove(influx).is_some(),
        "{influx} not in the description"
    );
    let schemas = doc["components"]["schemas"].as_object_mut().unwrap();
    assert!(schemas.remove("ServiceInfluxDBStatsResponse").is_some());
    let dir = tempfile::tempdir().unwrap();
    let drifted = dir.path().join("drifted.json");
    std::fs::write(&drifted, serde_json::to_vec(&doc).unwrap()).unwrap();

    let report = report(&shared, &drifted, &DiffOptions::workspace()).unwrap();
    assert!(report.rust_level, "{report}");
    assert_eq!(report.old.operations, 309);
    assert_eq!(report.new.operations, 308);
    let items: Vec<String> = report
        .breaking
        .iter()
        .map(|f| format!("{}: {f}", kind_name(f.kind)))
        .collect();
    assert_eq!(
        items,
        [
            "type_removed: ServiceInfluxDbStatsResponse",
            "field_type_changed: Service.disk_space_mb: Option<f64> → Option<i64>",
            "field_type_changed: ServiceCreateRequestBody.disk_space_mb: Option<f64> → Option<i64>",
            "field_type_changed: ServiceUpdateRequestBody.disk_space_mb: Option<f64> → Option<i64>",
            "method_removed: service_influx_db_stats \
             (GET /project/{project}/service/{service_name}/influxdb/stats)",
        ]
    );
    let disk = report
        .breaking
        .iter()
        .find(|f| f.item == "Service.disk_space_mb")
        .unwrap();
    assert!(
        disk.used_by
            .iter()
            .any(|p| p.file == "aiven-ext/src/lifecycle.rs"),
        "{:?}",
        disk.used_by
    );
    assert!(report.informational.is_empty(), "{report:#}");
    let screen = report.to_string();
    assert!(screen.lines().count() <= 25, "{screen}");
}

/// Every `disk_space_mb` property of type number becomes an integer.
fn retype_disk_space(value: &mut Value, count: &mut usize) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(props)) = map.get_mut("properties") {
                if let Some(disk) = props.get_mut("disk_space_mb") {
                    if disk["type"] == "number" {
                        disk["type"] = json!("integer");
                        *count += 1;
                    }
                }
            }
            for child in map.values_mut() {
                retype_disk_space(child, count);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| retype_disk_space(v, count)),
        _ => {}
    }
}

#[test]
fn the_command_prints_the_first_screen_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old.json"), dir.path().join("new.yml"));
    std::fs::write(&old, base().to_string()).unwrap();
    let mut drifted = base();
    paths(&mut drifted).remove("/project/{project}/old");
    // YAML is read as well as JSON (JSON is YAML).
    std::fs::write(&new, serde_json::to_string_pretty(&drifted).unwrap()).unwrap();
    let overlay = dir.path().join("overlay.json");
    std::fs::write(&overlay, r#"{"entries": []}"#).unwrap();
    let ext = dir.path().join("ext");
    std::fs::create_dir(&ext).unwrap();
    std::fs::write(ext.join("a.rs"), "fn f(c: &C) { c.old_delete(); }\n").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["diff", "--no-compile", "--overlay"])
        .arg(&overlay)
        .arg("--uses")
        .arg(&ext)
        .args([&old, &new])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let expected = "\
NEW generates: yes · compiles: not checked (--no-compile)
verdict: 1 breaking change (1 used by ext), 0 informational, 0 documentation-only

Breaking (1), by kind (--full lists all):
  methods removed (1): old_delete (DELETE /project/{project}/old)

Used by ext (1 breaking item, 1 place):
  old_delete: a.rs:1
";
    assert!(stdout.contains(expected), "{stdout}");
    assert!(stdout.lines().count() <= 25, "{stdout}");
}
