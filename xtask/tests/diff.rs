//! `diff` on two small hand-made specs.

use serde_json::{json, Value};
use xtask::diff::{
    diff_documents, diff_sources, report_json, report_text, ChangeKind, DiffReport, EnumChange,
    OpRef,
};

fn old_spec() -> Value {
    json!({
        "openapi": "3.0.1",
        "info": { "version": "v1" },
        "paths": {
            "/project/{project}/service": {
                "get": {
                    "operationId": "ServiceList",
                    "description": "List services",
                    "parameters": [
                        { "$ref": "#/components/parameters/project" },
                        { "in": "query", "name": "limit", "schema": { "type": "integer" } }
                    ],
                    "responses": { "200": { "content": { "application/json": {
                        "schema": { "$ref": "#/components/schemas/ServiceGetResponse" } } } } }
                }
            },
            "/project/{project}/old": {
                "delete": { "operationId": "OldDelete", "responses": {} }
            },
            "/project/{project}/renamed": {
                "put": { "operationId": "ThingUpdate", "responses": {} }
            }
        },
        "components": {
            "parameters": { "project": { "in": "path", "name": "project", "required": true, "schema": { "type": "string" } } },
            "schemas": {
                "ServiceGetResponse": { "type": "object", "properties": { "service": {
                    "type": "object", "properties": { "state": {
                        "type": "string", "description": "State", "enum": ["RUNNING", "FOO"] } } } } },
                "Gone": { "type": "object" }
            }
        }
    })
}

/// The old spec with one operation added and one removed, the `limit`
/// parameter made required and an integer-with-minimum, an enum value added
/// and one removed, one operation moved, and documentation-only edits.
fn new_spec() -> Value {
    let mut doc = old_spec();
    let paths = doc["paths"].as_object_mut().unwrap();
    paths.remove("/project/{project}/old");
    let moved = paths.remove("/project/{project}/renamed").unwrap();
    paths.insert("/project/{project}/thing".into(), moved);
    paths.insert(
        "/project/{project}/new".into(),
        json!({ "post": { "operationId": "NewCreate", "responses": {} } }),
    );
    let list = &mut doc["paths"]["/project/{project}/service"]["get"];
    list["description"] = json!("Lists every service");
    list["parameters"][1] = json!({ "in": "query", "name": "limit", "required": true,
        "schema": { "type": "integer", "minimum": 1 } });
    let state = &mut doc["components"]["schemas"]["ServiceGetResponse"]["properties"]["service"]
        ["properties"]["state"];
    state["enum"] = json!(["RUNNING", "MIGRATING"]);
    state["description"] = json!("The state");
    doc["components"]["schemas"]
        .as_object_mut()
        .unwrap()
        .remove("Gone");
    doc
}

fn report() -> DiffReport {
    diff_documents(("old.json", &old_spec()), ("new.json", &new_spec()))
}

fn op(id: &str, method: &str, path: &str) -> OpRef {
    OpRef {
        operation_id: id.into(),
        method: method.into(),
        path: path.into(),
    }
}

#[test]
fn added_and_removed_operations() {
    let report = report();
    assert_eq!(
        report.operations_added,
        [op("NewCreate", "POST", "/project/{project}/new")]
    );
    assert_eq!(
        report.operations_removed,
        [op("OldDelete", "DELETE", "/project/{project}/old")]
    );
}

#[test]
fn moved_operation_keeps_its_id() {
    let moved = &report().operations_moved;
    assert_eq!(moved.len(), 1);
    assert_eq!(moved[0].operation_id, "ThingUpdate");
    assert_eq!(moved[0].from, "PUT /project/{project}/renamed");
    assert_eq!(moved[0].to, "PUT /project/{project}/thing");
}

#[test]
fn changed_parameter_requiredness_and_schema() {
    let report = report();
    assert_eq!(report.operations_changed.len(), 1);
    let changed = &report.operations_changed[0];
    assert_eq!(changed.operation.operation_id, "ServiceList");
    let kinds: Vec<(ChangeKind, &str)> = changed
        .changes
        .iter()
        .map(|c| (c.kind, c.target.as_str()))
        .collect();
    let expected = [
        (ChangeKind::ParameterNowRequired, "query:limit"),
        (ChangeKind::ParameterSchemaChanged, "query:limit"),
        (ChangeKind::SuccessResponseChanged, "200"),
    ];
    assert_eq!(kinds, expected);
    assert_eq!(changed.changes[1].details, ["+(root) minimum: 1"]);
    assert_eq!(
        changed.changes[2].details,
        ["~.service.state enum: +MIGRATING -FOO"]
    );
}

#[test]
fn enum_values_added_and_removed() {
    let expected = EnumChange {
        location: "ServiceGetResponse.service.state".into(),
        added: vec!["MIGRATING".into()],
        removed: vec!["FOO".into()],
    };
    assert_eq!(report().enums_changed, [expected]);
}

#[test]
fn component_schemas_removed_and_changed() {
    let report = report();
    assert!(report.schemas_added.is_empty());
    assert_eq!(report.schemas_removed, ["Gone"]);
    assert_eq!(report.schemas_changed.len(), 1);
    assert_eq!(report.schemas_changed[0].name, "ServiceGetResponse");
}

#[test]
fn documentation_only_edits_are_not_drift() {
    let mut doc = old_spec();
    doc["paths"]["/project/{project}/service"]["get"]["description"] = json!("other");
    doc["paths"]["/project/{project}/service"]["get"]["x-codeSamples"] = json!([{ "lang": "sh" }]);
    doc["components"]["schemas"]["Gone"]["title"] = json!("A title");
    doc["components"]["schemas"]["Gone"]["example"] = json!({});
    let report = diff_documents(("a", &old_spec()), ("b", &doc));
    let summary = report.summary();
    assert_eq!(
        (
            summary.operations_changed,
            summary.schemas_changed,
            summary.breaking
        ),
        (0, 0, 0)
    );
    assert!(report_text(&report).contains("no drift in operations, component schemas or enums"));
}

#[test]
fn summary_counts_and_flags_breaking_changes() {
    let summary = report().summary();
    assert_eq!(summary.operations_added, 1);
    assert_eq!(summary.operations_removed, 1);
    assert_eq!(summary.operations_moved, 1);
    assert_eq!(summary.enum_values_added, 1);
    assert_eq!(summary.enum_values_removed, 1);
    // removed op + removed schema + removed enum value + parameter now required
    assert_eq!(summary.breaking, 4);
    let text = report_text(&report());
    let last = text.lines().last().unwrap();
    assert!(
        last.starts_with("summary: operations 1 added, 1 removed, 1 moved, 1 changed;"),
        "{last}"
    );
    assert!(
        last.ends_with("BREAKING (4): 1 operation removed, 1 schema removed, 1 enum value removed, 1 breaking parameter/body change"),
        "{last}"
    );
}

#[test]
fn text_report_lists_each_kind() {
    let text = report_text(&report());
    for line in [
        "  + NewCreate: POST /project/{project}/new",
        "  - OldDelete: DELETE /project/{project}/old",
        "  > ThingUpdate: PUT /project/{project}/renamed → PUT /project/{project}/thing",
        "    parameter query:limit is now required",
        "    parameter query:limit schema changed: +(root) minimum: 1",
        "  ~ ServiceGetResponse.service.state: +MIGRATING -FOO",
        "  - Gone",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in\n{text}"
        );
    }
}

#[test]
fn json_report_ends_with_summary() {
    let json: Value = serde_json::from_str(&report_json(&report()).unwrap()).unwrap();
    assert_eq!(json["summary"]["breaking"], 4);
    assert_eq!(json["operations_removed"][0]["operation_id"], "OldDelete");
    assert_eq!(
        json["operations_changed"][0]["changes"][0]["kind"],
        "parameter_now_required"
    );
}

#[test]
fn diff_sources_reads_files() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old.json"), dir.path().join("new.json"));
    std::fs::write(&old, old_spec().to_string()).unwrap();
    std::fs::write(&new, new_spec().to_string()).unwrap();
    let report = diff_sources(old.to_str().unwrap(), new.to_str().unwrap()).unwrap();
    assert_eq!(report.summary().breaking, 4);
    assert_eq!(report.old.operations, 3);
    let err = diff_sources(old.to_str().unwrap(), "/no/such.json").unwrap_err();
    assert!(format!("{err:#}").starts_with("cannot read /no/such.json: "));
}
