//! Services: create, lifecycle, updates, power, termination protection, every type, tags.

use super::catalog::TYPES_2026;
use super::*;

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
