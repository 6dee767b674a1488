//! Every operation of the pinned spec is a method of the generated client.
//!
//! The spec is read here independently of the pipeline (its own loop over
//! paths × methods, on purpose: it checks the walker's result), and
//! compared with `aiven_api::OPERATIONS`, which build.rs reads from the
//! generated code itself: an operation progenitor dropped is missing there.

use std::collections::BTreeSet;

use serde_json::Value;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn spec_operations() -> BTreeSet<(String, String, String)> {
    let path = aiven_tests::workspace_root()
        .join("openapi")
        .join(aiven_openapi::SPEC_FILE);
    assert!(
        path.exists(),
        "{} is missing: run `cargo xtask fetch`",
        path.display()
    );
    let doc: Value = aiven_openapi::read_spec_file(&path).expect("the description parses");
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for m in METHODS {
            if let Some(op) = item.get(m) {
                let id = op["operationId"].as_str().expect("operationId").to_string();
                ops.insert((id, m.to_uppercase(), path.clone()));
            }
        }
    }
    ops
}

#[test]
fn every_spec_operation_is_a_client_method() {
    let spec = spec_operations();
    let generated: BTreeSet<(String, String, String)> = aiven_api::OPERATIONS
        .iter()
        .map(|op| {
            (
                op.operation_id.to_string(),
                op.method.to_string(),
                op.path.to_string(),
            )
        })
        .collect();
    let missing: Vec<_> = spec.difference(&generated).collect();
    let extra: Vec<_> = generated.difference(&spec).collect();
    assert!(
        missing.is_empty(),
        "operations without a client method: {missing:#?}"
    );
    assert!(
        extra.is_empty(),
        "client methods for unknown operations: {extra:#?}"
    );
    // The pinned November 2023 description has 309 operations.
    let lock: Value = serde_json::from_str(
        &std::fs::read_to_string(
            aiven_tests::workspace_root().join("openapi/aiven-openapi.lock.json"),
        )
        .expect("lock"),
    )
    .expect("lock is JSON");
    assert_eq!(
        generated.len() as u64,
        lock["operations"].as_u64().expect("count")
    );
}

#[test]
fn client_method_names_are_unique_and_looked_up() {
    let names: BTreeSet<&str> = aiven_api::OPERATIONS
        .iter()
        .map(|op| op.client_method)
        .collect();
    assert_eq!(names.len(), aiven_api::OPERATIONS.len());
    let op = aiven_api::operation_by_method("service_get").expect("service_get exists");
    assert_eq!(op.operation_id, "ServiceGet");
    assert_eq!(op.method, "GET");
    assert_eq!(op.path, "/project/{project}/service/{service_name}");
    assert!(aiven_api::operation_by_method("no_such_method").is_none());
}
