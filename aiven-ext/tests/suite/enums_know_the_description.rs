//! Every open enum knows every value the pinned description lists where the
//! enum is read. When a new description adds a value (a new service state, a
//! new service type), this test fails and names it, so the enum — and its
//! documentation — gains it in the same bump.
//!
//! Reads `openapi/aiven-openapi.spec` (the fetched description); it fails,
//! loudly, when that has not been fetched.

use std::collections::BTreeSet;
use std::path::Path;

use aiven_ext::{
    ConnectorState, IntegrationStatus, NodeState, PeeringState, ServiceState, ServiceType,
    TopicState, VpcState,
};
use serde_json::Value;

fn spec() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../openapi")
        .join(aiven_openapi::SPEC_FILE);
    assert!(
        path.exists(),
        "{} is missing: run `cargo xtask fetch` (offline: AIVEN_OPENAPI_SOURCE=PATH)",
        path.display()
    );
    aiven_openapi::read_spec_file(&path).expect("the description parses")
}

fn deref<'a>(doc: &'a Value, mut s: &'a Value) -> &'a Value {
    while let Some(r) = s.get("$ref").and_then(Value::as_str) {
        s = doc
            .pointer(r.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("dangling {r}"));
    }
    s
}

/// The schema at `path` (`a.b[].c`) in the first 2xx JSON response of
/// `operation_id`.
fn response_schema<'a>(doc: &'a Value, operation_id: &str, path: &str) -> &'a Value {
    let op = aiven_openapi::walk::operations(doc)
        .into_iter()
        .find(|o| o.operation_id() == Some(operation_id))
        .unwrap_or_else(|| panic!("the description has no operation {operation_id}"));
    let responses = op.operation["responses"].as_object().expect("responses");
    let ok = responses
        .iter()
        .find(|(code, _)| code.starts_with('2'))
        .map(|(_, r)| r)
        .expect("a 2xx response");
    let mut s = deref(doc, &ok["content"]["application/json"]["schema"]);
    for step in path.split('.') {
        let (name, items) = match step.strip_suffix("[]") {
            Some(n) => (n, true),
            None => (step, false),
        };
        s = deref(
            doc,
            s["properties"]
                .get(name)
                .unwrap_or_else(|| panic!("{operation_id}: no `{name}` in {path}")),
        );
        if items {
            s = deref(doc, &s["items"]);
        }
    }
    s
}

fn enum_values(doc: &Value, operation_id: &str, path: &str) -> BTreeSet<String> {
    let s = response_schema(doc, operation_id, path);
    let values = s["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("{operation_id} {path} is no longer an enum"));
    values
        .iter()
        .map(|v| v.as_str().expect("string values").to_string())
        .collect()
}

fn assert_knows(name: &str, known: &[&str], listed: BTreeSet<String>, wher: &str) {
    assert!(!listed.is_empty(), "{name}: nothing listed at {wher}");
    let missing: Vec<&String> = listed
        .iter()
        .filter(|v| !known.contains(&v.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "{name} does not know {missing:?}, listed by the description at {wher}; add them"
    );
}

#[test]
fn state_enums_know_every_listed_value() {
    let doc = spec();
    let cases: &[(&str, &[&str], &str, &str)] = &[
        (
            "ServiceState",
            ServiceState::KNOWN,
            "ServiceGet",
            "service.state",
        ),
        (
            "ServiceState",
            ServiceState::KNOWN,
            "ServiceList",
            "services[].state",
        ),
        (
            "NodeState",
            NodeState::KNOWN,
            "ServiceGet",
            "service.node_states[].state",
        ),
        (
            "TopicState",
            TopicState::KNOWN,
            "ServiceKafkaTopicGet",
            "topic.state",
        ),
        (
            "TopicState",
            TopicState::KNOWN,
            "ServiceKafkaTopicList",
            "topics[].state",
        ),
        (
            "ConnectorState",
            ConnectorState::KNOWN,
            "ServiceKafkaConnectGetConnectorStatus",
            "status.state",
        ),
        (
            "ConnectorState",
            ConnectorState::KNOWN,
            "ServiceKafkaConnectGetConnectorStatus",
            "status.tasks[].state",
        ),
        ("VpcState", VpcState::KNOWN, "VpcGet", "state"),
        ("VpcState", VpcState::KNOWN, "VpcList", "vpcs[].state"),
        (
            "PeeringState",
            PeeringState::KNOWN,
            "VpcGet",
            "peering_connections[].state",
        ),
        (
            "IntegrationStatus",
            IntegrationStatus::KNOWN,
            "ServiceIntegrationGet",
            "service_integration.integration_status.state.status",
        ),
    ];
    for (name, known, op, path) in cases {
        assert_knows(
            name,
            known,
            enum_values(&doc, op, path),
            &format!("{op} {path}"),
        );
    }
}

#[test]
fn service_type_knows_every_listed_type() {
    let doc = spec();
    // The catalogue's keys (a map since June 2026's fixed object of 14 types).
    let catalogue = response_schema(&doc, "ListPublicServiceTypes", "service_types");
    let keys: BTreeSet<String> = catalogue["properties"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    assert!(keys.contains("pg") && keys.contains("valkey"), "{keys:?}");
    assert_knows(
        "ServiceType",
        ServiceType::KNOWN,
        keys,
        "ListPublicServiceTypes service_types",
    );
    // Every `service_type` enum anywhere (integrations, invoices…).
    let mut listed = BTreeSet::new();
    let mut stack = vec![&doc];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(map) => {
                if let Some(Value::Array(values)) = map
                    .get("properties")
                    .and_then(|p| p.get("service_type"))
                    .and_then(|s| s.get("enum"))
                {
                    listed.extend(values.iter().filter_map(Value::as_str).map(str::to_string));
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    assert_knows(
        "ServiceType",
        ServiceType::KNOWN,
        listed,
        "`service_type` enums",
    );
}
