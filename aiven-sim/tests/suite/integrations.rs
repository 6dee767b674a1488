//! Service integrations over HTTP: create, read, list, update, delete,
//! their status over time, what `ServiceGet` shows, and the errors.

use crate::common::{start, start_with, TestSim};
use reqwest::Method;
use serde_json::{json, Value};

async fn call(t: &TestSim, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let (status, _, b) = t.raw(method, path, body).await;
    (status, b)
}

async fn integrations_of(t: &TestSim, service: &str) -> Vec<Value> {
    let s = serde_json::to_value(t.get("p", service).await).unwrap();
    s["service_integrations"].as_array().unwrap().clone()
}

async fn setup(t: &TestSim) {
    t.project("p").await;
    t.service("p", "pg", "pg", "startup-4").await;
    t.service("p", "replica", "pg", "startup-4").await;
    t.service("p", "graf", "grafana", "startup-4").await;
}

async fn create(t: &TestSim, body: Value) -> (u16, Value) {
    call(t, Method::POST, "/project/p/integration", Some(body)).await
}

#[tokio::test]
async fn an_integration_starts_runs_is_listed_updated_and_deleted() {
    let t = start().await;
    setup(&t).await;
    let (status, b) = create(
        &t,
        json!({"integration_type": "read_replica", "source_service": "pg", "dest_service": "replica"}),
    )
    .await;
    assert_eq!(status, 200, "{b}");
    assert_eq!(b["message"], "created");
    let i = b["service_integration"].clone();
    let id = i["service_integration_id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 36);
    assert_eq!(i["integration_type"], "read_replica");
    assert_eq!(i["source_project"], "p");
    assert_eq!(i["source_service"], "pg");
    assert_eq!(i["source_service_type"], "pg");
    assert_eq!(i["dest_project"], "p");
    assert_eq!(i["dest_service"], "replica");
    assert_eq!(i["dest_service_type"], "pg");
    assert_eq!(i["active"], true);
    assert_eq!(i["enabled"], true);
    assert_eq!(i["integration_status"]["state"]["status"], "starting");

    // Both ends list it, through ServiceGet and ServiceIntegrationList; the
    // bystander does not.
    assert_eq!(json!(integrations_of(&t, "pg").await), json!([i]));
    assert_eq!(json!(integrations_of(&t, "replica").await), json!([i]));
    assert!(integrations_of(&t, "graf").await.is_empty());
    let (status, b) = call(
        &t,
        Method::GET,
        "/project/p/service/replica/integration",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(b["service_integrations"], json!([i]));

    // `starting` → `running` after Timings::fast().topic (1 s).
    t.advance(1);
    let path = format!("/project/p/integration/{id}");
    let (status, b) = call(&t, Method::GET, &path, None).await;
    assert_eq!(status, 200);
    assert_eq!(
        b["service_integration"]["integration_status"]["state"]["status"],
        "running"
    );

    let (status, b) = call(
        &t,
        Method::PUT,
        &path,
        Some(json!({"user_config": {"a": 1, "b": "x"}})),
    )
    .await;
    assert_eq!(status, 200, "{b}");
    assert_eq!(b["message"], "updated");
    assert_eq!(
        b["service_integration"]["user_config"],
        json!({"a": 1, "b": "x"})
    );
    let (_, b) = call(
        &t,
        Method::PUT,
        &path,
        Some(json!({"user_config": {"a": null}})),
    )
    .await;
    assert_eq!(b["service_integration"]["user_config"], json!({"b": "x"}));

    let (status, b) = call(&t, Method::DELETE, &path, None).await;
    assert_eq!((status, b), (200, json!({"message": "deleted"})));
    assert!(integrations_of(&t, "pg").await.is_empty());
    let (status, b) = call(&t, Method::GET, &path, None).await;
    assert_eq!(status, 404);
    assert_eq!(
        b["message"],
        format!("Service integration {id} does not exist")
    );
    let (status, _) = call(&t, Method::DELETE, &path, None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn integration_errors() {
    let t = start().await;
    setup(&t).await;
    let (status, b) = create(
        &t,
        json!({"integration_type": "metrics", "source_service": "ghost", "dest_service": "graf"}),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        b["message"],
        "Source service 'ghost' does not exist in project 'p'"
    );

    let (status, b) = create(
        &t,
        json!({"integration_type": "metrics", "source_service": "pg",
               "dest_project": "elsewhere", "dest_service": "graf"}),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        b["message"],
        "Destination project 'elsewhere' does not exist"
    );

    // Not a type of the description: refused by its request schema.
    let (status, b) = create(
        &t,
        json!({"integration_type": "telepathy", "source_service": "pg", "dest_service": "graf"}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(b["message"].as_str().unwrap().contains("telepathy"), "{b}");

    let (status, b) = create(
        &t,
        json!({"integration_type": "metrics", "source_service": "pg"}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        b["message"].as_str().unwrap().contains("destination"),
        "{b}"
    );

    let (status, _) = create(
        &t,
        json!({"integration_type": "dashboard", "source_service": "graf", "dest_service": "pg"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, b) = create(
        &t,
        json!({"integration_type": "dashboard", "source_service": "graf", "dest_service": "pg"}),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(
        b["message"],
        "A dashboard integration from graf to pg already exists"
    );

    let (status, _) = call(
        &t,
        Method::GET,
        "/project/p/service/ghost/integration",
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, b) = call(&t, Method::GET, "/project/nope/integration/x", None).await;
    assert_eq!(status, 404);
    assert_eq!(b["errors"][0]["error_code"], "project_not_found");
}

#[tokio::test]
async fn deleting_a_service_deletes_its_integrations() {
    let t = start().await;
    setup(&t).await;
    for (kind, source, dest) in [
        ("read_replica", "pg", "replica"),
        ("dashboard", "graf", "pg"),
    ] {
        let (status, _) = create(
            &t,
            json!({"integration_type": kind, "source_service": source, "dest_service": dest}),
        )
        .await;
        assert_eq!(status, 200);
    }
    assert_eq!(integrations_of(&t, "pg").await.len(), 2);
    let (status, _) = call(&t, Method::DELETE, "/project/p/service/replica", None).await;
    assert_eq!(status, 200);
    let left = integrations_of(&t, "pg").await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["integration_type"], "dashboard");
    let snapshot = t.sim.snapshot();
    let held = snapshot.project("p").unwrap()["integrations"].as_object();
    assert_eq!(held.map(|i| i.len()), Some(1));
}

#[tokio::test]
async fn integration_ids_follow_the_seed() {
    let mut ids = Vec::new();
    for _ in 0..2 {
        let t = start_with(|b| b.seed(42)).await;
        setup(&t).await;
        let (_, b) = create(
            &t,
            json!({"integration_type": "read_replica", "source_service": "pg", "dest_service": "replica"}),
        )
        .await;
        ids.push(b["service_integration"]["service_integration_id"].clone());
    }
    assert_eq!(ids[0], ids[1]);
    let other = start_with(|b| b.seed(43)).await;
    setup(&other).await;
    let (_, b) = create(
        &other,
        json!({"integration_type": "read_replica", "source_service": "pg", "dest_service": "replica"}),
    )
    .await;
    assert_ne!(b["service_integration"]["service_integration_id"], ids[0]);
}

#[tokio::test]
async fn endpoints_and_integrations_to_them() {
    let t = start().await;
    setup(&t).await;
    let (status, b) = call(
        &t,
        Method::POST,
        "/project/p/integration_endpoint",
        Some(json!({"endpoint_name": "dd", "endpoint_type": "datadog",
                    "user_config": {"datadog_api_key": "k", "site": "datadoghq.eu"}})),
    )
    .await;
    assert_eq!(status, 200, "{b}");
    assert_eq!(b["message"], "created");
    let e = b["service_integration_endpoint"].clone();
    let id = e["endpoint_id"].as_str().unwrap().to_string();
    assert_eq!(e["endpoint_name"], "dd");
    assert_eq!(e["endpoint_type"], "datadog");
    assert_eq!(e["user_config"]["site"], "datadoghq.eu");
    let (_, list) = call(&t, Method::GET, "/project/p/integration_endpoint", None).await;
    assert_eq!(list["service_integration_endpoints"], json!([e]));

    let path = format!("/project/p/integration_endpoint/{id}");
    let (status, b) = call(
        &t,
        Method::PUT,
        &path,
        Some(json!({"user_config": {"site": "datadoghq.com"}})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        b["service_integration_endpoint"]["user_config"]["site"],
        "datadoghq.com"
    );
    assert_eq!(
        b["service_integration_endpoint"]["user_config"]["datadog_api_key"],
        "k"
    );

    // Metrics from pg to the endpoint.
    let (status, b) = create(
        &t,
        json!({"integration_type": "datadog", "source_service": "pg", "dest_endpoint_id": id}),
    )
    .await;
    assert_eq!(status, 200, "{b}");
    let i = &b["service_integration"];
    assert_eq!(i["dest_endpoint_id"], id.as_str());
    assert_eq!(i["dest_service_type"], "datadog");
    assert!(i.get("dest_service").is_none());
    assert_eq!(integrations_of(&t, "pg").await.len(), 1);

    let (status, b) = create(
        &t,
        json!({"integration_type": "datadog", "source_service": "pg",
               "dest_endpoint_id": "00000000-0000-4000-a000-000000000000"}),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        b["message"],
        "Destination integration endpoint 00000000-0000-4000-a000-000000000000 does not exist"
    );

    // Deleting the endpoint deletes the integrations to it.
    let (status, b) = call(&t, Method::DELETE, &path, None).await;
    assert_eq!((status, b), (200, json!({"message": "deleted"})));
    assert!(integrations_of(&t, "pg").await.is_empty());
    let (status, b) = call(&t, Method::GET, &path, None).await;
    assert_eq!(status, 404);
    assert_eq!(
        b["message"],
        format!("Integration endpoint {id} does not exist")
    );
}
