//! Clouds, service types, plans and versions.

use super::*;

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
pub(crate) const TYPES_2026: [&str; 14] = [
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
