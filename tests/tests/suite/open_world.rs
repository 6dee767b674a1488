//! Responses are an open world: a server that drifted from the spec must
//! never make a call fail to decode (new enum values, longer strings, zeros,
//! nulls in required fields, unknown fields). Each case goes through the real
//! HTTP stack against httpmock.

use aiven_tests::raw_client;
use httpmock::Method::GET;
use httpmock::MockServer;
use serde_json::{json, Value};

use aiven_tests::service_json as base_service;

async fn get_service(service: Value) -> aiven_api::types::Service {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/project/p/service/pg-demo");
            then.status(200).json_body(json!({ "service": service }));
        })
        .await;
    raw_client(&server.base_url(), Some("t"))
        .service_get()
        .project("p")
        .service_name("pg-demo")
        .send()
        .await
        .expect("response decodes")
        .into_inner()
        .service
        .expect("service")
}

#[tokio::test]
async fn unknown_enum_value_decodes() {
    let mut s = base_service();
    s["state"] = json!("MIGRATING");
    s["node_states"][0]["state"] = json!("warming_up");
    let service = get_service(s).await;
    assert_eq!(service.state.as_deref(), Some("MIGRATING"));
    assert_eq!(
        service.node_states.unwrap()[0].state.as_deref(),
        Some("warming_up")
    );
}

#[tokio::test]
async fn unknown_fields_are_ignored() {
    let mut s = base_service();
    s["brand_new_field"] = json!({"nested": [1, 2, 3]});
    s["components"][0]["future_flag"] = json!(true);
    let service = get_service(s).await;
    assert_eq!(service.service_name.as_deref(), Some("pg-demo"));
    assert_eq!(
        service.components.unwrap()[0].host.as_deref(),
        Some("pg-demo-acme.aivencloud.com")
    );
}

#[tokio::test]
async fn over_long_string_decodes() {
    // The request-side service name is limited to 64 characters.
    let long = "x".repeat(500);
    let mut s = base_service();
    s["service_name"] = json!(long);
    s["cloud_name"] = json!("c".repeat(300));
    let service = get_service(s).await;
    assert_eq!(service.service_name.as_deref().map(str::len), Some(500));
}

#[tokio::test]
async fn null_in_required_fields_decodes() {
    let mut s = base_service();
    // All of these are `required` in the published description.
    for field in [
        "state",
        "plan",
        "node_states",
        "components",
        "user_config",
        "service_type",
    ] {
        s[field] = Value::Null;
    }
    s["backups"][0]["backup_name"] = Value::Null;
    let service = get_service(s).await;
    assert_eq!(service.state, None);
    assert_eq!(service.node_states, None);
    assert_eq!(service.user_config, None);
    assert_eq!(service.backups.unwrap()[0].backup_name, None);
}

#[tokio::test]
async fn missing_required_fields_and_zeros_decode() {
    let mut s = base_service();
    let obj = s.as_object_mut().unwrap();
    obj.remove("state");
    obj.remove("service_uri");
    obj.insert("node_count".into(), json!(0));
    obj.insert("disk_space_mb".into(), json!(0));
    let service = get_service(s).await;
    assert_eq!(service.state, None);
    assert_eq!(service.node_count, Some(0));
    assert_eq!(service.disk_space_mb, Some(0));
}

#[tokio::test]
async fn non_json_error_body_is_reported_raw() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/project/p/service/x");
            then.status(502)
                .header("content-type", "text/html")
                .body("<html>Bad gateway</html>");
        })
        .await;
    let err = raw_client(&server.base_url(), Some("t"))
        .service_get()
        .project("p")
        .service_name("x")
        .send()
        .await
        .unwrap_err();
    // The raw client cannot decode the Aiven error and keeps the bytes;
    // aiven-ext turns such bodies into an API error with status and message.
    match err {
        aiven_api::Error::InvalidResponsePayload(bytes, _) => {
            assert_eq!(&bytes[..], b"<html>Bad gateway</html>");
        }
        other => panic!("expected the raw body back, got {other:?}"),
    }
}

/// Generated `Debug` never prints a secret: passwords, access keys, tokens,
/// the password in `service_uri` and inside `connection_info`, nor one an
/// unknown property of the open world carries; the values stay in their
/// fields, and what is not secret is printed as before.
#[test]
fn debug_of_generated_types_redacts_secrets() {
    let service: aiven_api::types::Service = serde_json::from_value(serde_json::json!({
        "service_name": "pg-secret",
        "service_type": "pg",
        "state": "RUNNING",
        "service_uri": "postgres://avnadmin:pw-URI-1@pg.example:5432/defaultdb?sslmode=require",
        "service_uri_params": {"host": "pg.example", "password": "pw-PARAMS-2"},
        "connection_info": {
            "pg": ["postgres://avnadmin:pw-CI-3@pg.example:5432/defaultdb"],
            "pg_params": [{"host": "pg.example", "password": "pw-CI-4"}]
        },
        "users": [{"username": "ci", "password": "pw-USER-5", "access_key": "key-6", "access_cert": "cert-7"}],
        "user_config": {"admin_password": "pw-CONFIG-8", "pg_version": "17"},
        "some_future_property": {"secret": "pw-EXTRA-9"}
    }))
    .unwrap();
    let shown = format!("{service:?}");
    for secret in [
        "pw-URI-1",
        "pw-PARAMS-2",
        "pw-CI-3",
        "pw-CI-4",
        "pw-USER-5",
        "key-6",
        "cert-7",
        "pw-CONFIG-8",
        "pw-EXTRA-9",
    ] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    for plain in [
        "pg-secret",
        "RUNNING",
        "avnadmin",
        "pg.example",
        "\"pg_version\":\"17\"",
        "username: Some(\"ci\")",
    ] {
        assert!(shown.contains(plain), "{plain} missing from {shown}");
    }
    let user = &service.users.as_ref().unwrap()[0];
    assert_eq!(
        (user.password.as_deref(), user.access_key.as_deref()),
        (Some("pw-USER-5"), Some("key-6"))
    );
    assert!(service.service_uri.as_deref().unwrap().contains("pw-URI-1"));
    // Absent stays visible as absent.
    let bare: aiven_api::types::ServiceUser =
        serde_json::from_value(serde_json::json!({"username": "x"})).unwrap();
    assert!(format!("{bare:?}").contains("password: None"), "{bare:?}");

    // Request builders too.
    let body = aiven_api::types::ServiceUserCreateRequestBody::builder()
        .username("ci")
        .authentication(None);
    let shown = format!("{body:?}");
    assert!(shown.contains("ci"), "{shown}");
}
