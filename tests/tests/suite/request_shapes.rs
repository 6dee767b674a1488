//! Request shapes and typed decoding of the generated client against a real
//! HTTP server on loopback (httpmock): method, path, Authorization header,
//! JSON body sent, and the decoded response.

use aiven_api::types;
use aiven_tests::raw_client;
use httpmock::Method::{DELETE, GET, POST, PUT};
use httpmock::MockServer;
use serde_json::json;

const TOKEN: &str = "tok-123";

use aiven_tests::service_json;

fn assert_realistic_service(s: &types::Service) {
    assert_eq!(s.service_name.as_deref(), Some("pg-demo"));
    assert_eq!(s.state.as_deref(), Some("RUNNING"));
    assert_eq!(s.plan.as_deref(), Some("business-4"));
    assert_eq!(s.cloud_name.as_deref(), Some("google-europe-west3"));
    assert_eq!(s.node_count, Some(3));
    assert_eq!(s.disk_space_mb, Some(81920));
    assert_eq!(s.termination_protection, Some(false));
    assert!(s
        .service_uri
        .as_deref()
        .unwrap()
        .starts_with("postgres://avnadmin:s3cr3t-pa55@"));
    let nodes = s.node_states.as_ref().expect("node states");
    assert_eq!(nodes.len(), 3);
    assert_eq!(nodes[1].role.as_deref(), Some("standby"));
    let components = s.components.as_ref().expect("components");
    assert_eq!(components[0].port, Some(12691));
    assert_eq!(s.backups.as_ref().map(Vec::len), Some(1));
    assert_eq!(
        s.tags.as_ref().and_then(|t| t.get("env")),
        Some(&json!("ci"))
    );
}

#[tokio::test]
async fn list_projects_sends_the_token() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/project")
                .header("authorization", format!("aivenv1 {TOKEN}"));
            then.status(200).json_body(json!({
                "projects": [{"project_name": "acme-dev", "default_cloud": "google-europe-west3",
                              "estimated_balance": "12.50", "vpc_id": null}],
                "project_membership": {"any": "admin"}
            }));
        })
        .await;
    let client = raw_client(&server.base_url(), Some(TOKEN));
    // ProjectList is deprecated in June 2026 (organization projects replace
    // it) but still served; its request shape is still ours to get right.
    #[allow(deprecated)]
    let resp = client.project_list().send().await.expect("project list");
    mock.assert_async().await;
    let projects = resp.into_inner().projects.expect("projects");
    assert_eq!(projects.len(), 1);
    assert_eq!(projects[0].project_name.as_deref(), Some("acme-dev"));
    assert_eq!(
        projects[0].default_cloud.as_deref(),
        Some("google-europe-west3")
    );
}

#[tokio::test]
async fn list_clouds_works_without_a_token() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/clouds").header_missing("authorization");
            then.status(200).json_body(json!({"clouds": [{
                "cloud_name": "aws-eu-north-1", "cloud_description": "Europe, Sweden - Amazon Web Services: Stockholm",
                "geo_latitude": 59.33, "geo_longitude": 18.07, "geo_region": "europe", "provider": "aws"
            }]}));
        })
        .await;
    let client = raw_client(&server.base_url(), None);
    let clouds = client
        .list_clouds()
        .send()
        .await
        .expect("clouds")
        .into_inner();
    mock.assert_async().await;
    let cloud = &clouds.clouds.expect("clouds")[0];
    assert_eq!(cloud.cloud_name.as_deref(), Some("aws-eu-north-1"));
    assert_eq!(cloud.geo_latitude, Some(59.33));
    assert_eq!(cloud.provider.as_deref(), Some("aws"));
}

#[tokio::test]
async fn list_and_get_service_decode_realistic_services() {
    let server = MockServer::start_async().await;
    let list = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/project/acme-dev/service")
                .header("authorization", format!("aivenv1 {TOKEN}"));
            then.status(200)
                .json_body(json!({"services": [service_json()]}));
        })
        .await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/project/acme-dev/service/pg-demo");
            then.status(200)
                .json_body(json!({"service": service_json()}));
        })
        .await;
    let client = raw_client(&server.base_url(), Some(TOKEN));
    let services = client
        .service_list()
        .project("acme-dev")
        .send()
        .await
        .expect("list")
        .into_inner();
    assert_realistic_service(&services.services.expect("services")[0]);
    let one = client
        .service_get()
        .project("acme-dev")
        .service_name("pg-demo")
        .send()
        .await
        .expect("get")
        .into_inner();
    assert_realistic_service(&one.service.expect("service"));
    list.assert_async().await;
    get.assert_async().await;
}

#[tokio::test]
async fn create_service_sends_the_typed_body() {
    let server = MockServer::start_async().await;
    let mut created = service_json();
    created["state"] = json!("REBUILDING");
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/project/acme-dev/service")
                .header("authorization", format!("aivenv1 {TOKEN}"))
                .header("content-type", "application/json")
                .json_body(json!({
                    "cloud": "google-europe-west3",
                    // June 2026 documents `copy_tags` with `default: false`;
                    // the typed body sends the default explicitly.
                    "copy_tags": false,
                    "plan": "business-4",
                    "service_name": "pg-demo",
                    "service_type": "pg",
                    "tags": {},
                    "termination_protection": true,
                    "user_config": {"pg_version": "15"}
                }));
            then.status(200).json_body(json!({"service": created}));
        })
        .await;
    let client = raw_client(&server.base_url(), Some(TOKEN));
    let body = types::ServiceCreateRequestBody::builder()
        .cloud(Some("google-europe-west3".parse().unwrap()))
        .plan(
            "business-4"
                .parse::<types::ServiceCreateRequestBodyPlan>()
                .unwrap(),
        )
        .service_name(
            "pg-demo"
                .parse::<types::ServiceCreateRequestBodyServiceName>()
                .unwrap(),
        )
        .service_type(
            "pg".parse::<types::ServiceCreateRequestBodyServiceType>()
                .unwrap(),
        )
        // An empty map is sent as `{}`: `Some(empty)` is a value, `None` omits it.
        .tags(Some(serde_json::Map::new()))
        .termination_protection(Some(true))
        .user_config(Some(
            json!({"pg_version": "15"}).as_object().unwrap().clone(),
        ));
    let resp = client
        .service_create()
        .project("acme-dev")
        .body(body)
        .send()
        .await
        .expect("create")
        .into_inner();
    mock.assert_async().await;
    assert_eq!(resp.service.unwrap().state.as_deref(), Some("REBUILDING"));
}

#[tokio::test]
async fn update_service_can_send_null_and_omit_fields() {
    let server = MockServer::start_async().await;
    let to_public = server
        .mock_async(|when, then| {
            // `project_vpc_id: null` moves the service to the public network.
            when.method(PUT)
                .path("/v1/project/acme-dev/service/pg-demo")
                .json_body(json!({"plan": "business-8", "project_vpc_id": null}));
            then.status(200)
                .json_body(json!({"service": service_json()}));
        })
        .await;
    let client = raw_client(&server.base_url(), Some(TOKEN));
    client
        .service_update()
        .project("acme-dev")
        .service_name("pg-demo")
        .body(
            types::ServiceUpdateRequestBody::builder()
                .plan(Some("business-8".parse().unwrap()))
                .project_vpc_id(Some(None)),
        )
        .send()
        .await
        .expect("update");
    to_public.assert_async().await;

    // With `None` the property is not sent at all.
    let body = types::ServiceUpdateRequestBody::builder().powered(Some(false));
    let body: types::ServiceUpdateRequestBody = body.try_into().unwrap();
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        json!({"powered": false})
    );
}

#[tokio::test]
async fn delete_service() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path("/v1/project/acme-dev/service/pg-demo")
                .header("authorization", format!("aivenv1 {TOKEN}"));
            then.status(200).json_body(json!({"message": "deleted"}));
        })
        .await;
    let client = raw_client(&server.base_url(), Some(TOKEN));
    let resp = client
        .service_delete()
        .project("acme-dev")
        .service_name("pg-demo")
        .send()
        .await
        .expect("delete");
    mock.assert_async().await;
    assert_eq!(resp.into_inner().message.as_deref(), Some("deleted"));
}

#[tokio::test]
async fn service_types_project_and_public() {
    let server = MockServer::start_async().await;
    let body = json!({"service_types": {"pg": {
        "default_version": "15", "description": "PostgreSQL", "latest_available_version": "16",
        "service_plans": [{"service_plan": "business-4", "service_type": "pg", "node_count": 3,
                           "regions": {"google-europe-west3": {"disk_space_mb": 81920, "price_usd": "0.6"}}}],
        "user_config_schema": {"type": "object"}
    }}});
    let project = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/project/acme-dev/service_types")
                .header_exists("authorization");
            then.status(200).json_body(body.clone());
        })
        .await;
    let public = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/service_types")
                .header_missing("authorization");
            then.status(200).json_body(body.clone());
        })
        .await;
    let authed = raw_client(&server.base_url(), Some(TOKEN));
    let anon = raw_client(&server.base_url(), None);
    let a = authed
        .list_project_service_types()
        .project("acme-dev")
        .send()
        .await
        .expect("project types");
    let b = anon
        .list_public_service_types()
        .send()
        .await
        .expect("public types");
    project.assert_async().await;
    public.assert_async().await;
    for types in [a.into_inner().service_types, b.into_inner().service_types] {
        let types = types.expect("service types");
        let pg = types.get("pg").expect("pg");
        assert_eq!(pg.default_version.as_deref(), Some("15"));
        let plan = &pg.service_plans.as_ref().expect("plans")[0];
        assert_eq!(plan.service_plan.as_deref(), Some("business-4"));
        assert_eq!(plan.node_count, Some(3));
    }
}

#[tokio::test]
async fn not_found_surfaces_aiven_error_fields() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/project/acme-dev/service/nope");
            then.status(404).json_body(json!({
                "message": "Service not found",
                "errors": [{"error_code": "service_not_found", "message": "Service not found", "status": 404}]
            }));
        })
        .await;
    let client = raw_client(&server.base_url(), Some(TOKEN));
    let err = client
        .service_get()
        .project("acme-dev")
        .service_name("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    match err {
        aiven_api::Error::ErrorResponse(resp) => {
            let body = resp.into_inner();
            assert_eq!(body.message.as_deref(), Some("Service not found"));
            let detail = &body.errors.expect("errors")[0];
            assert_eq!(detail.error_code.as_deref(), Some("service_not_found"));
            assert_eq!(detail.status, Some(404));
        }
        other => panic!("expected a typed Aiven error, got {other:?}"),
    }
}
