//! The simulator through the generated client over loopback HTTP: shapes,
//! status codes, errors, auth, validation, state and lifecycles. Every
//! response is also checked against the description (see `common`).

mod common;

use aiven_api::types;
use common::{api_error, body, start, start_with, TestSim};
use reqwest::Method;
use serde_json::{json, Value};

fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap()
}

// The June 2026 description deprecates the project-level project endpoints
// in favour of organization ones; Aiven still serves them, and so does the
// simulator.
#[allow(deprecated)]
#[tokio::test]
async fn projects_create_list_get_and_errors() {
    let t = start().await;
    let created = t
        .client
        .project_create()
        .body(body::<types::ProjectCreateRequestBody>(json!({
            "project": "alpha",
            "cloud": "aws-eu-west-1",
            "tags": {"team": "core"},
            "tech_emails": [{"email": "ops@example.com"}],
        })))
        .send()
        .await
        .unwrap()
        .into_inner();
    let p = to_json(&created)["project"].clone();
    assert_eq!(p["project_name"], "alpha");
    assert_eq!(p["default_cloud"], "aws-eu-west-1");
    assert_eq!(p["tags"]["team"], "core");
    assert_eq!(p["tech_emails"][0]["email"], "ops@example.com");
    assert_eq!(p["billing_group_id"].as_str().unwrap().len(), 36);
    t.project("beta").await;

    let list = to_json(&t.client.project_list().send().await.unwrap().into_inner());
    let names: Vec<&str> = list["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["project_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["alpha", "beta"]);
    assert_eq!(list["project_membership"]["beta"], "admin");

    let got = t
        .client
        .project_get()
        .project("alpha")
        .send()
        .await
        .unwrap();
    assert_eq!(to_json(&got.into_inner())["project"], p);

    let (status, e) = api_error(
        t.client
            .project_create()
            .body(body::<types::ProjectCreateRequestBody>(
                json!({"project": "alpha"}),
            ))
            .send()
            .await,
    );
    assert_eq!(status, 409);
    assert_eq!(e.message.as_deref(), Some("Project name is already in use"));

    let (status, e) = api_error(t.client.project_get().project("nope").send().await);
    assert_eq!(status, 404);
    let detail = &e.errors.unwrap()[0];
    assert_eq!(detail.error_code.as_deref(), Some("project_not_found"));
    assert_eq!(detail.status, Some(404));

    let (status, _) = api_error(
        t.client
            .project_create()
            .body(body::<types::ProjectCreateRequestBody>(
                json!({"project": "gamma", "cloud": "mars-1"}),
            ))
            .send()
            .await,
    );
    assert_eq!(status, 400);

    // Update (rename, default cloud) and delete.
    let updated = t
        .client
        .project_update()
        .project("beta")
        .body(body::<types::ProjectUpdateRequestBody>(
            json!({"project_name": "beta2", "cloud": "do-ams"}),
        ))
        .send()
        .await
        .unwrap();
    let u = to_json(&updated.into_inner());
    assert_eq!(u["project"]["project_name"], "beta2");
    assert_eq!(u["project"]["default_cloud"], "do-ams");
    t.service("beta2", "pg1", "pg", "hobbyist").await;
    let (status, _) = api_error(t.client.project_delete().project("beta2").send().await);
    assert_eq!(status, 409, "a project with services is not deleted");
    t.client
        .service_delete()
        .project("beta2")
        .service_name("pg1")
        .send()
        .await
        .unwrap();
    t.client
        .project_delete()
        .project("beta2")
        .send()
        .await
        .unwrap();
    let (status, _) = api_error(t.client.project_get().project("beta2").send().await);
    assert_eq!(status, 404);
}

// The June 2026 description deprecates the project-level project endpoints
// in favour of organization ones; Aiven still serves them, and so does the
// simulator.
#[allow(deprecated)]
#[tokio::test]
async fn auth_tokens_and_anonymous_endpoints() {
    let t = start().await;
    let anonymous = common::client(t.sim.base_url(), None);
    let (status, e) = api_error(anonymous.project_list().send().await);
    assert_eq!(status, 403);
    assert_eq!(e.message.as_deref(), Some("Authentication failed"));
    assert_eq!(
        e.errors.unwrap()[0].error_code.as_deref(),
        Some("authentication_failed")
    );
    let wrong = common::client(t.sim.base_url(), Some("not-the-token"));
    assert_eq!(api_error(wrong.project_list().send().await).0, 403);

    // Bearer works too.
    let r = t
        .http
        .get(t.url("/project"))
        .header("authorization", format!("Bearer {}", common::TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // The public endpoints answer without a token.
    let clouds = anonymous.list_clouds().send().await.unwrap().into_inner();
    assert!(to_json(&clouds)["clouds"].as_array().unwrap().len() >= 20);
    let types = anonymous.list_public_service_types().send().await.unwrap();
    assert!(to_json(&types.into_inner())["service_types"]["pg"].is_object());
    assert!(anonymous.list_service_versions().send().await.is_ok());
}

#[tokio::test]
async fn unknown_routes_methods_and_generic_operations() {
    let t = start().await;
    let (status, _, b) = t.raw(Method::GET, "/nope/at/all", None).await;
    assert_eq!(status, 404);
    assert_eq!(b["errors"][0]["status"], 404);
    assert!(b["message"].as_str().unwrap().contains("/v1/nope/at/all"));

    let r = t
        .http
        .get(format!("http://{}/project", t.sim.addr()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "paths outside /v1 are unknown");

    let (status, _, b) = t.raw(Method::PATCH, "/project/p/service/s", None).await;
    assert_eq!(status, 405);
    assert_eq!(b["errors"][0]["status"], 405);

    // An operation of the description without a hand-written handler: the
    // generic model answers it (tests/generic.rs).
    let (status, _, b) = t.raw(Method::GET, "/account", None).await;
    assert_eq!(status, 200);
    assert_eq!(b["accounts"], json!([]));
    assert!(!aiven_sim::implemented_operations().contains(&"AccountList"));
}

#[tokio::test]
async fn request_bodies_are_validated_against_the_description() {
    let t = start().await;
    t.project("p").await;
    let (status, _, b) = t
        .raw(
            Method::POST,
            "/project/p/service",
            Some(json!({"service_name": 5, "service_type": "pg"})),
        )
        .await;
    assert_eq!(status, 400);
    let messages: Vec<&str> = b["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(messages.len() >= 2, "{messages:?}");
    assert!(
        messages.iter().any(|m| m.contains("/service_name")),
        "{messages:?}"
    );
    assert!(messages.iter().any(|m| m.contains("plan")), "{messages:?}");
    assert!(b["errors"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["status"] == 400));

    let long = "x".repeat(65);
    let (status, _, _) = t
        .raw(
            Method::POST,
            "/project/p/service",
            Some(json!({"service_name": long, "service_type": "pg", "plan": "hobbyist"})),
        )
        .await;
    assert_eq!(status, 400, "maxLength 64");

    let r = t
        .http
        .post(t.url("/project"))
        .header("authorization", format!("aivenv1 {}", common::TOKEN))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let b: Value = r.json().await.unwrap();
    assert!(b["message"]
        .as_str()
        .unwrap()
        .starts_with("Invalid JSON body"));

    let (status, _, _) = t.raw(Method::POST, "/project", None).await;
    assert_eq!(status, 400, "ProjectCreate requires `project`");

    // Nothing was created by the rejected requests.
    let (status, _, b) = t.raw(Method::GET, "/project/p/service", None).await;
    assert_eq!(status, 200);
    assert_eq!(b["services"], json!([]));
}

#[tokio::test]
async fn service_create_rebuilds_then_runs_with_connection_details() {
    let t = start().await;
    t.project("p").await;
    let s = to_json(&t.service("p", "db1", "pg", "business-4").await);
    assert_eq!(s["state"], "REBUILDING");
    assert_eq!(s["node_count"], 2);
    assert_eq!(s["disk_space_mb"], 81920);
    assert_eq!(s["cloud_name"], "google-europe-west1");
    assert_eq!(s["create_time"], "2024-01-01T00:00:00Z");
    assert_eq!(s["termination_protection"], false);
    assert_eq!(s["databases"], json!(["defaultdb"]));
    assert_eq!(s["users"][0]["username"], "avnadmin");
    assert_eq!(s["users"][0]["type"], "primary");
    let states: Vec<&Value> = s["node_states"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| &n["state"])
        .collect();
    assert_eq!(states, [&json!("setting_up_vm"), &json!("setting_up_vm")]);
    assert_eq!(s["node_states"][0]["role"], "master");
    assert_eq!(s["backups"], json!([]));
    let uri = s["service_uri"].as_str().unwrap();
    let password = s["users"][0]["password"].as_str().unwrap();
    assert!(
        uri.starts_with(&format!(
            "postgres://avnadmin:{password}@db1-p.a.aivencloud.com:"
        )),
        "{uri}"
    );
    assert!(uri.ends_with("/defaultdb?sslmode=require"));
    let params = &s["service_uri_params"];
    assert_eq!(params["host"], "db1-p.a.aivencloud.com");
    assert_eq!(params["dbname"], "defaultdb");
    assert!(uri.contains(&format!(":{}/", params["port"].as_str().unwrap())));
    let components: Vec<&str> = s["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["component"].as_str().unwrap())
        .collect();
    assert_eq!(components, ["pg", "pgbouncer"]);

    t.advance(2);
    let s = to_json(&t.get("p", "db1").await);
    assert_eq!(s["state"], "REBUILDING");
    assert_eq!(s["node_states"][0]["state"], "syncing_data");
    t.advance(1);
    let s = to_json(&t.get("p", "db1").await);
    assert_eq!(s["state"], "RUNNING");
    assert_eq!(s["node_states"][1]["state"], "running");
    assert_eq!(
        s["backups"].as_array().unwrap().len(),
        1,
        "first backup when it runs"
    );
    assert_eq!(s["backups"][0]["backup_time"], "2024-01-01T00:00:03Z");

    // A day later the daily backups have accumulated.
    t.advance(2 * 86_400);
    let backups = t
        .client
        .service_backups_get()
        .project("p")
        .service_name("db1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        to_json(&backups.into_inner())["backups"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    let list = t.client.service_list().project("p").send().await.unwrap();
    assert_eq!(
        to_json(&list.into_inner())["services"][0]["service_name"],
        "db1"
    );
}

#[tokio::test]
async fn service_errors_duplicate_unknown_and_invalid() {
    let t = start().await;
    t.project("p").await;
    t.service("p", "s1", "pg", "startup-4").await;
    let create = |v: Value| {
        t.client
            .service_create()
            .project("p")
            .body(body::<types::ServiceCreateRequestBody>(v))
            .send()
    };
    let (status, e) = api_error(
        create(json!({"service_name": "s1", "service_type": "valkey", "plan": "startup-4"})).await,
    );
    assert_eq!(status, 409);
    assert_eq!(
        e.message.as_deref(),
        Some("Service name is already in use in this project")
    );
    for bad in [
        json!({"service_name": "s2", "service_type": "nosuch", "plan": "startup-4"}),
        json!({"service_name": "s2", "service_type": "pg", "plan": "gigantic-99"}),
        json!({"service_name": "s2", "service_type": "pg", "plan": "startup-4", "cloud": "nowhere"}),
        json!({"service_name": "S2!", "service_type": "pg", "plan": "startup-4"}),
        json!({"service_name": "s2", "service_type": "pg", "plan": "startup-4", "disk_space_mb": 10}),
        json!({"service_name": "s2", "service_type": "pg", "plan": "startup-4", "user_config": {"pg_version": "99"}}),
    ] {
        let (status, _) = api_error(create(bad.clone()).await);
        assert_eq!(status, 400, "{bad}");
    }
    let (status, e) = api_error(
        t.client
            .service_create()
            .project("ghost")
            .body(body::<types::ServiceCreateRequestBody>(
                json!({"service_name": "s", "service_type": "pg", "plan": "startup-4"}),
            ))
            .send()
            .await,
    );
    assert_eq!(status, 404);
    assert_eq!(
        e.errors.unwrap()[0].error_code.as_deref(),
        Some("project_not_found")
    );
    let (status, e) = api_error(
        t.client
            .service_get()
            .project("p")
            .service_name("s9")
            .send()
            .await,
    );
    assert_eq!(status, 404);
    assert_eq!(e.message.as_deref(), Some("Service not found"));

    // A version and tags given at creation are kept.
    let s = create(json!({
        "service_name": "s3", "service_type": "pg", "plan": "startup-4",
        "user_config": {"pg_version": "15"}, "tags": {"env": "test"},
        "disk_space_mb": 102400, "cloud": "upcloud-fi-hel"
    }))
    .await
    .unwrap()
    .into_inner();
    let s = to_json(&s)["service"].clone();
    assert_eq!(s["user_config"]["pg_version"], "15");
    assert_eq!(s["metadata"]["pg_version"], "15");
    assert_eq!(s["tags"]["env"], "test");
    assert_eq!(s["disk_space_mb"], 102400);
    assert_eq!(
        s["cloud_description"],
        "Europe, Finland - UpCloud: Helsinki"
    );
}

async fn update(t: &TestSim, v: Value) -> Result<Value, (u16, types::AivenError)> {
    t.client
        .service_update()
        .project("p")
        .service_name("s")
        .body(body::<types::ServiceUpdateRequestBody>(v))
        .send()
        .await
        .map(|r| to_json(&r.into_inner())["service"].clone())
        .map_err(|e| api_error::<()>(Err(e)))
}

#[tokio::test]
async fn plan_and_disk_changes_rebalance_and_disk_never_shrinks() {
    let t = start().await;
    t.project("p").await;
    t.service("p", "s", "pg", "startup-4").await;
    t.advance(3);
    assert_eq!(t.state("p", "s").await, "RUNNING");

    let s = update(&t, json!({"plan": "business-4"})).await.unwrap();
    assert_eq!(s["state"], "REBALANCING");
    assert_eq!(s["plan"], "business-4");
    assert_eq!(s["node_count"], 2);
    let nodes: Vec<(&str, &str)> = s["node_states"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["name"].as_str().unwrap(), n["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        nodes,
        [
            ("s-1", "running"),
            ("s-2", "setting_up_vm"),
            ("s-3", "setting_up_vm")
        ]
    );
    t.advance(2);
    let s = t.get("p", "s").await;
    assert_eq!(s.state.as_deref(), Some("RUNNING"));
    assert_eq!(s.node_states.unwrap().len(), 2);

    let s = update(&t, json!({"disk_space_mb": 163840})).await.unwrap();
    assert_eq!(s["state"], "REBALANCING");
    assert_eq!(s["disk_space_mb"], 163840);
    t.advance(2);

    let (status, e) = update(&t, json!({"disk_space_mb": 81920}))
        .await
        .unwrap_err();
    assert_eq!(status, 400);
    assert!(e.message.unwrap().contains("cannot be decreased"));
    let (status, _) = update(&t, json!({"disk_space_mb": 10_000_000}))
        .await
        .unwrap_err();
    assert_eq!(status, 400, "above the plan's maximum");
    let (status, _) = update(&t, json!({"plan": "no-such-plan"}))
        .await
        .unwrap_err();
    assert_eq!(status, 400);
    let s = t.get("p", "s").await;
    assert_eq!(
        s.disk_space_mb,
        Some(163840),
        "refused changes change nothing"
    );
    assert_eq!(s.state.as_deref(), Some("RUNNING"));

    // Settings without a resize do not rebalance; update_time moves.
    t.advance(60);
    let s = update(&t, json!({"user_config": {"ip_filter": ["10.0.0.0/8"]}, "maintenance": {"dow": "sunday", "time": "03:00:00"}})).await.unwrap();
    assert_eq!(s["state"], "RUNNING");
    assert_eq!(s["user_config"]["ip_filter"], json!(["10.0.0.0/8"]));
    assert_eq!(s["user_config"]["pg_version"], "17");
    assert_eq!(s["maintenance"]["dow"], "sunday");
    assert_eq!(s["update_time"], "2024-01-01T00:01:07Z");
}

#[tokio::test]
async fn power_off_and_on() {
    let t = start().await;
    t.project("p").await;
    t.service("p", "s", "valkey", "startup-4").await;
    t.advance(3);
    let s = update(&t, json!({"powered": false})).await.unwrap();
    assert_eq!(s["state"], "POWEROFF");
    assert_eq!(s["node_states"], json!([]));
    t.advance(600);
    assert_eq!(t.state("p", "s").await, "POWEROFF", "stays off");
    let s = update(&t, json!({"powered": true})).await.unwrap();
    assert_eq!(s["state"], "REBUILDING");
    t.advance(1);
    assert_eq!(t.state("p", "s").await, "REBUILDING");
    t.advance(1);
    assert_eq!(t.state("p", "s").await, "RUNNING");
}

#[tokio::test]
async fn termination_protection_refuses_delete_and_power_off() {
    let t = start().await;
    t.project("p").await;
    t.client
        .service_create()
        .project("p")
        .body(body::<types::ServiceCreateRequestBody>(json!({
            "service_name": "s", "service_type": "mysql", "plan": "startup-4",
            "termination_protection": true,
        })))
        .send()
        .await
        .unwrap();
    let (status, e) = api_error(
        t.client
            .service_delete()
            .project("p")
            .service_name("s")
            .send()
            .await,
    );
    assert_eq!(status, 403);
    assert_eq!(
        e.message.as_deref(),
        Some("Service is protected against termination and shutdown. Remove termination protection first.")
    );
    let (status, _) = update(&t, json!({"powered": false})).await.unwrap_err();
    assert_eq!(status, 403);
    assert_eq!(t.state("p", "s").await, "REBUILDING");

    let s = update(&t, json!({"termination_protection": false}))
        .await
        .unwrap();
    assert_eq!(s["termination_protection"], false);
    t.client
        .service_delete()
        .project("p")
        .service_name("s")
        .send()
        .await
        .unwrap();
    let (status, _) = api_error(
        t.client
            .service_get()
            .project("p")
            .service_name("s")
            .send()
            .await,
    );
    assert_eq!(status, 404);
    let (status, _) = api_error(
        t.client
            .service_delete()
            .project("p")
            .service_name("s")
            .send()
            .await,
    );
    assert_eq!(status, 404);
}

#[tokio::test]
async fn every_service_type_of_the_description() {
    let t = start().await;
    t.project("p").await;
    let types = t
        .client
        .list_public_service_types()
        .send()
        .await
        .unwrap()
        .into_inner();
    let types = to_json(&types)["service_types"].clone();
    // A map since June 2026 (`map-like-objects`): compare as a set.
    let mut names: Vec<String> = types.as_object().unwrap().keys().cloned().collect();
    names.sort();
    assert_eq!(names, TYPES_2026);
    for name in &names {
        let plans = types[name]["service_plans"].as_array().unwrap();
        let plan = plans[0]["service_plan"].as_str().unwrap();
        let svc = format!("s-{}", name.replace('_', "-"));
        let s = to_json(&t.service("p", &svc, name, plan).await);
        assert_eq!(s["state"], "REBUILDING", "{name}");
        assert_eq!(s["service_type"], *name);
        assert!(!s["service_uri"].as_str().unwrap().is_empty(), "{name}");
        assert!(!s["components"].as_array().unwrap().is_empty(), "{name}");
        assert_eq!(
            s["node_count"], plans[0]["node_count"],
            "{name}: node count of the plan"
        );
    }
    t.advance(3);
    let list = to_json(
        &t.client
            .service_list()
            .project("p")
            .send()
            .await
            .unwrap()
            .into_inner(),
    );
    let services = list["services"].as_array().unwrap();
    assert_eq!(services.len(), TYPES_2026.len());
    assert!(services.iter().all(|s| s["state"] == "RUNNING"));
    let kafka = services
        .iter()
        .find(|s| s["service_type"] == "kafka")
        .unwrap();
    assert_eq!(kafka["node_count"], 3);
    assert!(kafka["service_uri"].as_str().unwrap().ends_with(&format!(
        ":{}",
        kafka["service_uri_params"]["port"].as_str().unwrap()
    )));
    assert_eq!(kafka["backups"], json!([]), "Kafka keeps no backups");
}

#[tokio::test]
async fn kafka_topics_configure_then_activate() {
    let t = start().await;
    t.project("p").await;
    t.service("p", "k", "kafka", "business-4").await;
    t.advance(3);
    let topic = |name: &str| {
        t.client
            .service_kafka_topic_get()
            .project("p")
            .service_name("k")
            .topic_name(name.to_string())
            .send()
    };
    t.client
        .service_kafka_topic_create()
        .project("p")
        .service_name("k")
        .body(body::<types::ServiceKafkaTopicCreateRequestBody>(json!({
            "topic_name": "orders", "partitions": 3, "replication": 3,
            "config": {"retention_ms": 3_600_000, "cleanup_policy": "compact"},
            "tags": [{"key": "owner", "value": "shop"}],
        })))
        .send()
        .await
        .unwrap();
    let got = to_json(&topic("orders").await.unwrap().into_inner())["topic"].clone();
    assert_eq!(got["state"], "CONFIGURING");
    assert_eq!(got["partitions"].as_array().unwrap().len(), 3);
    assert_eq!(got["replication"], 3);
    assert_eq!(got["cleanup_policy"], "compact");
    assert_eq!(got["config"]["retention_ms"]["value"], 3_600_000);
    assert_eq!(got["config"]["retention_ms"]["source"], "topic_config");
    assert_eq!(got["tags"][0]["value"], "shop");
    t.advance(1);
    let got = to_json(&topic("orders").await.unwrap().into_inner())["topic"].clone();
    assert_eq!(got["state"], "ACTIVE");

    let create = |v: Value| {
        t.client
            .service_kafka_topic_create()
            .project("p")
            .service_name("k")
            .body(body::<types::ServiceKafkaTopicCreateRequestBody>(v))
            .send()
    };
    assert_eq!(
        api_error(create(json!({"topic_name": "orders"})).await).0,
        409
    );
    assert_eq!(
        api_error(create(json!({"topic_name": "big", "replication": 4})).await).0,
        400
    );
    create(json!({"topic_name": "events"})).await.unwrap();

    let update = |v: Value| {
        t.client
            .service_kafka_topic_update()
            .project("p")
            .service_name("k")
            .topic_name("orders")
            .body(body::<types::ServiceKafkaTopicUpdateRequestBody>(v))
            .send()
    };
    update(json!({"partitions": 6, "retention_hours": 24}))
        .await
        .unwrap();
    let got = to_json(&topic("orders").await.unwrap().into_inner())["topic"].clone();
    assert_eq!(got["state"], "CONFIGURING");
    assert_eq!(got["partitions"].as_array().unwrap().len(), 6);
    assert_eq!(got["retention_hours"], 24);
    assert_eq!(api_error(update(json!({"partitions": 2})).await).0, 400);

    let list = t
        .client
        .service_kafka_topic_list()
        .project("p")
        .service_name("k")
        .send()
        .await
        .unwrap();
    let list = to_json(&list.into_inner());
    let names: Vec<&str> = list["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["topic_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["events", "orders"]);
    let svc = to_json(&t.get("p", "k").await);
    assert_eq!(svc["topics"].as_array().unwrap().len(), 2);

    t.client
        .service_kafka_topic_delete()
        .project("p")
        .service_name("k")
        .topic_name("orders")
        .send()
        .await
        .unwrap();
    assert_eq!(api_error(topic("orders").await).0, 404);
    let (status, _) = api_error(
        t.client
            .service_kafka_topic_delete()
            .project("p")
            .service_name("k")
            .topic_name("orders")
            .send()
            .await,
    );
    assert_eq!(status, 404);

    // Not Kafka: 400; Kafka powered off: 409 not_powered.
    t.service("p", "pg", "pg", "hobbyist").await;
    let (status, _) = api_error(
        t.client
            .service_kafka_topic_list()
            .project("p")
            .service_name("pg")
            .send()
            .await,
    );
    assert_eq!(status, 400);
    t.client
        .service_update()
        .project("p")
        .service_name("k")
        .body(body::<types::ServiceUpdateRequestBody>(
            json!({"powered": false}),
        ))
        .send()
        .await
        .unwrap();
    let (status, e) = api_error(create(json!({"topic_name": "late"})).await);
    assert_eq!(status, 409);
    assert_eq!(
        e.errors.unwrap()[0].error_code.as_deref(),
        Some("not_powered")
    );
}

#[tokio::test]
async fn topics_created_while_rebuilding_wait_for_the_service() {
    let t = start_with(|b| b.timings(aiven_sim::Timings::realistic())).await;
    t.project("p").await;
    t.service("p", "k", "kafka", "startup-2").await;
    t.client
        .service_kafka_topic_create()
        .project("p")
        .service_name("k")
        .body(body::<types::ServiceKafkaTopicCreateRequestBody>(
            json!({"topic_name": "t"}),
        ))
        .send()
        .await
        .unwrap();
    t.advance(60);
    let topic = t
        .client
        .service_kafka_topic_get()
        .project("p")
        .service_name("k")
        .topic_name("t")
        .send()
        .await
        .unwrap();
    assert_eq!(
        to_json(&topic.into_inner())["topic"]["state"],
        "CONFIGURING"
    );
    t.advance(240);
    assert_eq!(t.state("p", "k").await, "RUNNING");
    let topic = t
        .client
        .service_kafka_topic_get()
        .project("p")
        .service_name("k")
        .topic_name("t")
        .send()
        .await
        .unwrap();
    assert_eq!(to_json(&topic.into_inner())["topic"]["state"], "ACTIVE");
}

#[tokio::test]
async fn postgres_databases() {
    let t = start().await;
    t.project("p").await;
    t.service("p", "pg", "pg", "startup-4").await;
    let names = || async {
        let r = t
            .client
            .service_database_list()
            .project("p")
            .service_name("pg")
            .send()
            .await
            .unwrap();
        to_json(&r.into_inner())["databases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["database_name"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(names().await, ["defaultdb"]);
    let create = |db: &str| {
        t.client
            .service_database_create()
            .project("p")
            .service_name("pg")
            .body(body::<types::ServiceDatabaseCreateRequestBody>(
                json!({"database": db}),
            ))
            .send()
    };
    create("app").await.unwrap();
    assert_eq!(names().await, ["defaultdb", "app"]);
    assert_eq!(
        to_json(&t.get("p", "pg").await)["databases"],
        json!(["defaultdb", "app"])
    );
    assert_eq!(api_error(create("app").await).0, 409);
    t.client
        .service_database_delete()
        .project("p")
        .service_name("pg")
        .dbname("app")
        .send()
        .await
        .unwrap();
    assert_eq!(names().await, ["defaultdb"]);
    let (status, _) = api_error(
        t.client
            .service_database_delete()
            .project("p")
            .service_name("pg")
            .dbname("app")
            .send()
            .await,
    );
    assert_eq!(status, 404);

    t.service("p", "k", "kafka", "startup-2").await;
    let (status, _) = api_error(
        t.client
            .service_database_list()
            .project("p")
            .service_name("k")
            .send()
            .await,
    );
    assert_eq!(status, 400);
}

#[tokio::test]
async fn service_users_and_credentials() {
    let t = start().await;
    t.project("p").await;
    let s = to_json(&t.service("p", "my", "mysql", "startup-4").await);
    let admin_password = s["users"][0]["password"].as_str().unwrap().to_string();
    let created = t
        .client
        .service_user_create()
        .project("p")
        .service_name("my")
        .body(body::<types::ServiceUserCreateRequestBody>(
            json!({"username": "app"}),
        ))
        .send()
        .await
        .unwrap();
    let u = to_json(&created.into_inner())["user"].clone();
    assert_eq!(u["username"], "app");
    assert_eq!(u["type"], "normal");
    assert_eq!(u["authentication"], "caching_sha2_password");
    assert_eq!(u["password"].as_str().unwrap().len(), 24);

    let got = t
        .client
        .service_user_get()
        .project("p")
        .service_name("my")
        .service_username("app")
        .send()
        .await
        .unwrap();
    assert_eq!(to_json(&got.into_inner())["user"], u);
    let users: Vec<String> = to_json(&t.get("p", "my").await)["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(users, ["app", "avnadmin"]);

    let again = t
        .client
        .service_user_create()
        .project("p")
        .service_name("my")
        .body(body::<types::ServiceUserCreateRequestBody>(
            json!({"username": "app"}),
        ))
        .send()
        .await;
    assert_eq!(api_error(again).0, 409);
    let (status, _) = api_error(
        t.client
            .service_user_delete()
            .project("p")
            .service_name("my")
            .service_username("avnadmin")
            .send()
            .await,
    );
    assert_eq!(status, 400, "the primary user stays");

    // Resetting the primary user's password changes the service URI.
    let reset = t
        .client
        .service_user_credentials_reset()
        .project("p")
        .service_name("my")
        .service_username("avnadmin")
        .send()
        .await
        .unwrap();
    let s = to_json(&reset.into_inner())["service"].clone();
    let uri = s["service_uri"].as_str().unwrap();
    assert!(!uri.contains(&admin_password));
    let new_password = s["service_uri_params"]["password"].as_str().unwrap();
    assert!(uri.contains(new_password));
    let modified = t
        .client
        .service_user_credentials_modify()
        .project("p")
        .service_name("my")
        .service_username("app")
        .body(body::<types::ServiceUserCredentialsModifyRequestBody>(
            json!({"operation": "reset-credentials", "new_password": "correct-horse-battery"}),
        ))
        .send()
        .await
        .unwrap();
    let s = to_json(&modified.into_inner())["service"].clone();
    let app = s["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "app")
        .unwrap();
    assert_eq!(app["password"], "correct-horse-battery");

    t.client
        .service_user_delete()
        .project("p")
        .service_name("my")
        .service_username("app")
        .send()
        .await
        .unwrap();
    let (status, _) = api_error(
        t.client
            .service_user_get()
            .project("p")
            .service_name("my")
            .service_username("app")
            .send()
            .await,
    );
    assert_eq!(status, 404);
}

#[tokio::test]
async fn clouds_service_types_and_versions() {
    let t = start().await;
    t.project("p").await;
    let clouds = to_json(
        &t.client
            .list_project_clouds()
            .project("p")
            .send()
            .await
            .unwrap()
            .into_inner(),
    );
    let clouds = clouds["clouds"].as_array().unwrap();
    assert!(clouds.len() >= 20);
    for c in clouds {
        for field in [
            "cloud_name",
            "cloud_description",
            "geo_region",
            "provider",
            "provider_description",
        ] {
            assert!(
                c[field].as_str().is_some_and(|s| !s.is_empty()),
                "{c}: {field}"
            );
        }
        assert!(c["geo_latitude"].as_f64().unwrap().abs() <= 90.0);
        assert!(c["geo_longitude"].as_f64().unwrap().abs() <= 180.0);
    }
    let providers: std::collections::BTreeSet<&str> = clouds
        .iter()
        .map(|c| c["provider"].as_str().unwrap())
        .collect();
    assert_eq!(
        providers.into_iter().collect::<Vec<_>>(),
        ["aws", "azure", "do", "google", "upcloud"]
    );
    assert_eq!(
        api_error(t.client.list_project_clouds().project("ghost").send().await).0,
        404
    );

    let types = to_json(
        &t.client
            .list_project_service_types()
            .project("p")
            .send()
            .await
            .unwrap()
            .into_inner(),
    );
    let pg = &types["service_types"]["pg"];
    assert_eq!(pg["default_version"], "17");
    let plans: Vec<&str> = pg["service_plans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["service_plan"].as_str().unwrap())
        .collect();
    assert_eq!(plans, ["hobbyist", "startup-4", "business-4", "premium-4"]);
    assert_eq!(
        pg["service_plans"][1]["backup_config"]["recovery_mode"],
        "pitr"
    );
    assert!(pg["service_plans"][1]["regions"]["aws-eu-west-1"]["price_usd"].is_string());
    assert_eq!(
        pg["user_config_schema"]["properties"]["pg_version"]["enum"],
        json!(["14", "15", "16", "17", null])
    );

    let versions = to_json(
        &t.client
            .list_service_versions()
            .send()
            .await
            .unwrap()
            .into_inner(),
    );
    assert!(versions["service_versions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["service_type"] == "pg" && v["major_version"] == "16"));
    // Redis reached end of life: its versions are `eol`, upgraded to Valkey.
    let redis: Vec<&Value> = versions["service_versions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["service_type"] == "redis")
        .collect();
    assert!(!redis.is_empty());
    for v in redis {
        assert_eq!(v["state"], "eol", "{v}");
        assert_eq!(v["upgrade_to_service_type"], "valkey", "{v}");
    }
}

/// The service types of the June 2026 catalogue (`ListPublicServiceTypes`).
const TYPES_2026: [&str; 14] = [
    "clickhouse",
    "dragonfly",
    "elasticsearch",
    "flink",
    "grafana",
    "kafka",
    "kafka_connect",
    "kafka_mirrormaker",
    "mysql",
    "opensearch",
    "pg",
    "redis",
    "thanos",
    "valkey",
];

/// The paths Aiven's CLI (aiven-client 4.17 and later) reads before it
/// creates or updates a service: `/project/{project}/service-types`, one
/// type, its plans, one plan's sizes.
#[tokio::test]
async fn service_types_and_plans_under_the_project() {
    let t = start().await;
    t.project("p").await;

    let all = t
        .client
        .project_service_types_list()
        .project("p")
        .send()
        .await
        .unwrap()
        .into_inner();
    let pg = all.pg.clone().expect("pg listed");
    assert_eq!(pg.default_version.as_deref(), Some("17"));
    assert_eq!(pg.latest_available_version.as_deref(), Some("17"));
    assert!(all.valkey.is_some() && all.thanos.is_some() && all.dragonfly.is_some());
    let mut names: Vec<String> = to_json(&all).as_object().unwrap().keys().cloned().collect();
    names.sort();
    assert_eq!(names, TYPES_2026, "the types by name, nothing else");

    let kafka = t
        .client
        .project_service_types_get()
        .project("p")
        .service_type("kafka")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(kafka.default_version.as_deref(), Some("3.9"));
    assert_eq!(kafka.latest_available_version.as_deref(), Some("4.0"));
    assert_eq!(
        to_json(&kafka.user_config_schema)["properties"]["kafka_version"]["enum"],
        json!(["3.8", "3.9", "4.0", null])
    );

    let plans = t
        .client
        .project_service_plan_list()
        .project("p")
        .service_type("pg")
        .send()
        .await
        .unwrap()
        .into_inner()
        .service_plans
        .unwrap();
    let names: Vec<&str> = plans
        .iter()
        .map(|p| p.service_plan.as_deref().unwrap())
        .collect();
    assert_eq!(names, ["hobbyist", "startup-4", "business-4", "premium-4"]);
    let business = &plans[2];
    assert_eq!(business.node_count, Some(2));
    assert_eq!(business.service_type.as_deref(), Some("pg"));
    let backup = business.backup_config.as_ref().unwrap();
    assert_eq!(backup.recovery_mode.as_deref(), Some("pitr"));
    assert_eq!(backup.max_count, Some(14));
    let regions = to_json(&business.regions);
    assert_eq!(regions["aws-eu-west-1"]["disk_space_mb"], 81920);
    assert!(regions["aws-eu-west-1"]["price_usd"].is_string());

    let specs = t
        .client
        .project_service_plan_specs_get()
        .project("p")
        .service_type("pg")
        .service_plan("business-4")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(specs.disk_space_mb, Some(81920));
    assert_eq!(specs.disk_space_cap_mb, Some(409_600));
    assert_eq!(specs.disk_space_step_mb, Some(1024));
    assert_eq!(specs.node_count, Some(2));
    assert_eq!(specs.service_plan.as_deref(), Some("business-4"));
    let kafka_plan = t
        .client
        .project_service_plan_specs_get()
        .project("p")
        .service_type("kafka")
        .service_plan("business-4")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(kafka_plan.node_count, Some(3));
    assert_eq!(kafka_plan.backup_config.unwrap().max_count, Some(0));

    // Unknown types, plans and projects, and the token.
    let (status, e) = api_error(
        t.client
            .project_service_types_get()
            .project("p")
            .service_type("cassandra")
            .send()
            .await,
    );
    assert_eq!(status, 404, "cassandra reached end of life");
    assert!(e.message.unwrap().contains("cassandra"));
    let (status, _) = api_error(
        t.client
            .project_service_plan_list()
            .project("p")
            .service_type("m3db")
            .send()
            .await,
    );
    assert_eq!(status, 404);
    let (status, e) = api_error(
        t.client
            .project_service_plan_specs_get()
            .project("p")
            .service_type("kafka")
            .service_plan("hobbyist")
            .send()
            .await,
    );
    assert_eq!(status, 404, "Kafka has no hobbyist plan");
    assert!(e.message.unwrap().contains("hobbyist"));
    let (status, e) = api_error(
        t.client
            .project_service_types_list()
            .project("ghost")
            .send()
            .await,
    );
    assert_eq!(status, 404);
    assert_eq!(
        e.errors.unwrap()[0].error_code.as_deref(),
        Some("project_not_found")
    );
    let anonymous = common::client(t.sim.base_url(), None);
    assert_eq!(
        api_error(
            anonymous
                .project_service_types_get()
                .project("p")
                .service_type("pg")
                .send()
                .await
        )
        .0,
        403
    );

    // What the CLI does with them: the plan's disk size is what a service
    // of that plan gets, in whole megabytes.
    let s = to_json(&t.service("p", "db", "pg", "business-4").await);
    assert_eq!(s["disk_space_mb"], json!(specs.disk_space_mb));
    let report = t.sim.conformance();
    for id in [
        "ProjectServiceTypesList",
        "ProjectServiceTypesGet",
        "ProjectServicePlanList",
        "ProjectServicePlanSpecsGet",
    ] {
        assert!(report.checked[id] >= 1, "{id} checked");
    }
}

#[tokio::test]
async fn realistic_timings_run_instantly_on_the_manual_clock() {
    let t = start_with(|b| b.timings(aiven_sim::Timings::realistic())).await;
    t.project("p").await;
    t.service("p", "s", "opensearch", "business-4").await;
    t.advance(4 * 60);
    assert_eq!(t.state("p", "s").await, "REBUILDING");
    t.advance(60);
    assert_eq!(t.state("p", "s").await, "RUNNING");
    let s = t
        .client
        .service_update()
        .project("p")
        .service_name("s")
        .body(body::<types::ServiceUpdateRequestBody>(
            json!({"plan": "premium-4"}),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(to_json(&s.into_inner())["service"]["state"], "REBALANCING");
    t.advance(7 * 60);
    assert_eq!(t.state("p", "s").await, "REBALANCING");
    t.advance(60);
    assert_eq!(t.state("p", "s").await, "RUNNING");
}

#[tokio::test]
async fn service_tags() {
    let t = start().await;
    t.project("p").await;
    t.service("p", "s", "grafana", "startup-4").await;
    t.client
        .project_service_tags_replace()
        .project("p")
        .service_name("s")
        .body(body::<types::ProjectServiceTagsReplaceRequestBody>(
            json!({"tags": {"a": "1", "b": "2"}}),
        ))
        .send()
        .await
        .unwrap();
    t.client
        .project_service_tags_update()
        .project("p")
        .service_name("s")
        .body(body::<types::ProjectServiceTagsUpdateRequestBody>(
            json!({"tags": {"b": null, "c": "3"}}),
        ))
        .send()
        .await
        .unwrap();
    let tags = t
        .client
        .project_service_tags_list()
        .project("p")
        .service_name("s")
        .send()
        .await
        .unwrap();
    assert_eq!(
        to_json(&tags.into_inner())["tags"],
        json!({"a": "1", "c": "3"})
    );
    assert_eq!(
        to_json(&t.get("p", "s").await)["tags"],
        json!({"a": "1", "c": "3"})
    );
}

#[tokio::test]
async fn every_response_was_checked_against_the_description() {
    let t = start().await;
    t.project("p").await;
    t.service("p", "s", "pg", "startup-4").await;
    let _ = t
        .client
        .service_get()
        .project("p")
        .service_name("nope")
        .send()
        .await;
    let report = t.sim.conformance();
    assert_eq!(report.total(), 3);
    assert_eq!(report.checked["ServiceGet"], 1);
    assert!(report.violations.is_empty(), "{:?}", report.violations);
    assert_eq!(t.sim.stats().by_status[&404], 1);
}
