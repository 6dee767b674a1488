//! Decoding survives a server that disagrees with its description: a
//! response field of the wrong JSON type decodes as `None`, its raw value is
//! kept in the struct's `extra` under the field's own name, one warning names
//! the operation and the field, and the rest of the answer decodes. The
//! description's own flaws (a property named `None`, Kafka REST keys and
//! values declared as empty objects, response defaults) are normalized away.
//! Each case goes through the real HTTP stack against httpmock; the shapes
//! are those of Aiven's documented example answers.

use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use serde_json::{json, Value};

use aiven_tests::raw_client;

use crate::log::Log;

/// Captures this thread's warnings (the decode happens on it) until the
/// guard is dropped.
fn capture() -> (Log, tracing::subscriber::DefaultGuard) {
    Log::capture("warn")
}

/// A server answering `method path` with `body`.
async fn serve(method: httpmock::Method, path: &str, body: Value) -> MockServer {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(method).path(path);
            then.status(200).json_body(body);
        })
        .await;
    server
}

/// Exactly one warning, naming the operation and the field.
fn assert_one_warning(captured: &Log, operation_id: &str, field: &str) {
    let warnings = captured.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(
        warnings[0].contains(&format!("operation_id=\"{operation_id}\"")),
        "{warnings:#?}"
    );
    assert!(
        warnings[0].contains(&format!("field={field} ")),
        "{warnings:#?}"
    );
}

#[tokio::test]
async fn boolean_sent_as_a_string_is_absent_and_kept_by_name() {
    let (captured, _guard) = capture();
    let server = serve(
        GET,
        "/v1/project/p/service/kc/available-connectors",
        json!({"plugins": [
            {"class": "io.aiven.connect.jdbc.JdbcSinkConnector", "title": "JDBC Sink",
             "preview": "false", "version": "6.10.0",
             "available_versions": [{"version": "6.10.0", "deprecated": false}]},
            {"class": "io.debezium.connector.postgresql.PostgresConnector",
             "title": "Debezium - PostgreSQL", "preview": false},
        ]}),
    )
    .await;
    let plugins = raw_client(&server.base_url(), Some("t"))
        .service_kafka_connect_get_available_connectors()
        .project("p")
        .service_name("kc")
        .send()
        .await
        .expect("the answer decodes")
        .into_inner()
        .plugins
        .expect("plugins");
    assert_eq!(plugins.len(), 2);
    let jdbc = &plugins[0];
    assert_eq!(jdbc.title.as_deref(), Some("JDBC Sink"));
    assert_eq!(jdbc.version.as_deref(), Some("6.10.0"));
    assert_eq!(
        jdbc.available_versions.as_ref().unwrap()[0].deprecated,
        Some(false)
    );
    assert_eq!(jdbc.preview, None);
    assert_eq!(jdbc.extra.get("preview"), Some(&json!("false")));
    // Serialized, the raw value is back where the server put it.
    assert_eq!(
        serde_json::to_value(jdbc).unwrap()["preview"],
        json!("false")
    );
    assert_eq!(plugins[1].preview, Some(false));
    assert!(plugins[1].extra.is_empty());
    assert_one_warning(
        &captured,
        "ServiceKafkaConnectGetAvailableConnectors",
        "plugins.preview",
    );
    assert!(captured.warnings()[0].contains("received=\"string\""));
}

#[tokio::test]
async fn integer_sent_as_a_string_is_absent_and_kept_by_name() {
    let (captured, _guard) = capture();
    let server = serve(
        POST,
        "/v1/project/p/service/pg/query/activity",
        json!({"queries": [{
            "pid": 4711,
            "backend_xid": "3535229570",
            "query": "SELECT 1",
            "state": "active",
        }]}),
    )
    .await;
    let queries = raw_client(&server.base_url(), Some("t"))
        .service_query_activity()
        .project("p")
        .service_name("pg")
        .body_map(|b| b)
        .send()
        .await
        .expect("the answer decodes")
        .into_inner()
        .queries
        .expect("queries");
    assert_eq!(queries[0].pid, Some(4711));
    assert_eq!(queries[0].query.as_deref(), Some("SELECT 1"));
    assert_eq!(queries[0].backend_xid, None);
    assert_eq!(
        queries[0].extra.get("backend_xid"),
        Some(&json!("3535229570"))
    );
    assert_one_warning(&captured, "ServiceQueryActivity", "queries.backend_xid");
}

#[tokio::test]
async fn errors_as_a_list_of_lists_is_absent_and_kept_by_name() {
    let (captured, _guard) = capture();
    let server = serve(
        GET,
        "/v1/project/p/service",
        json!({"errors": [[]], "message": "ok", "services": [aiven_tests::service_json()]}),
    )
    .await;
    let list = raw_client(&server.base_url(), Some("t"))
        .service_list()
        .project("p")
        .send()
        .await
        .expect("the answer decodes")
        .into_inner();
    assert_eq!(list.errors, None);
    assert_eq!(list.extra.get("errors"), Some(&json!([[]])));
    assert_eq!(list.message.as_deref(), Some("ok"));
    assert_eq!(
        list.services.unwrap()[0].service_name.as_deref(),
        Some("pg-demo")
    );
    assert_one_warning(&captured, "ServiceList", "errors");
}

#[tokio::test]
async fn the_none_leftover_is_kept_by_name_without_a_field() {
    let (captured, _guard) = capture();
    let server = serve(
        POST,
        "/v1/userauth/login_options",
        json!({
            "action": "redirect",
            "method": "GET",
            "redirect_url": "https://sso.example/login",
            "None": ["password", {"method": "saml", "name": "Acme SSO"}],
        }),
    )
    .await;
    let options = raw_client(&server.base_url(), None)
        .user_auth_login_options()
        .body_map(|b| b.email(Some("ada@example.com".parse().unwrap())))
        .send()
        .await
        .expect("the answer decodes")
        .into_inner();
    assert_eq!(options.action.as_deref(), Some("redirect"));
    assert_eq!(
        options.redirect_url.as_deref(),
        Some("https://sso.example/login")
    );
    // Not a field (the name is a leftover, not a wire name): the list is
    // where every key beyond the named ones is, by its name.
    assert_eq!(
        options.extra.get("None"),
        Some(&json!(["password", {"method": "saml", "name": "Acme SSO"}]))
    );
    // Nothing disagreed with the normalized description.
    assert_eq!(captured.warnings(), Vec::<String>::new());
}

#[tokio::test]
async fn kafka_rest_keys_and_values_are_any_json() {
    let (captured, _guard) = capture();
    let server = serve(
        POST,
        "/v1/project/p/service/kafka/kafka/rest/topics/events/messages",
        json!({"messages": [
            {"key": "user-1", "value": "{\"clicks\": 3}", "offset": 0, "partition": 0,
             "topic": "events"},
            {"key": null, "value": {"clicks": 4}, "offset": 1, "partition": 0,
             "topic": "events"},
            {"key": 17, "value": [1, 2], "offset": 2, "partition": 1, "topic": "events"},
        ]}),
    )
    .await;
    let messages = raw_client(&server.base_url(), Some("t"))
        .service_kafka_topic_message_list()
        .project("p")
        .service_name("kafka")
        .topic_name("events")
        .body_map(|b| b.partitions(serde_json::Map::new()))
        .send()
        .await
        .expect("the answer decodes")
        .into_inner()
        .messages
        .expect("messages");
    assert_eq!(messages[0].key, Some(json!("user-1")));
    assert_eq!(messages[0].value, Some(json!("{\"clicks\": 3}")));
    assert_eq!(messages[1].key, None);
    assert_eq!(messages[1].value, Some(json!({"clicks": 4})));
    assert_eq!(messages[2].key, Some(json!(17)));
    assert_eq!(messages[2].partition, Some(1));
    assert_eq!(captured.warnings(), Vec::<String>::new());
}

#[tokio::test]
async fn a_field_the_server_did_not_send_is_none_despite_a_schema_default() {
    let (captured, _guard) = capture();
    let server = serve(
        GET,
        "/v1/organization/org1/user/u1/authentication_methods",
        json!({"authentication_methods": [
            {"method_id": "am1", "name": "password"},
            {"method_id": "am2", "name": "totp", "is_enabled_2fa": true},
        ]}),
    )
    .await;
    let methods = raw_client(&server.base_url(), Some("t"))
        .organization_user_authentication_methods_list()
        .organization_id("org1")
        .member_user_id("u1")
        .send()
        .await
        .expect("the answer decodes")
        .into_inner()
        .authentication_methods
        .expect("methods");
    // The description's `default: false` is not a value the server sent.
    assert_eq!(methods[0].is_enabled_2fa, None);
    assert_eq!(methods[1].is_enabled_2fa, Some(true));
    assert_eq!(captured.warnings(), Vec::<String>::new());
}

#[tokio::test]
async fn ten_thousand_bad_leaves_decode_with_bounded_warnings() {
    let (captured, _guard) = capture();
    // 2,500 services, each with four fields of the wrong type (one nested).
    let services: Vec<Value> = (0..2_500)
        .map(|i| {
            let mut s = aiven_tests::service_json();
            s["service_name"] = json!(format!("pg-{i}"));
            s["node_count"] = json!("three");
            s["termination_protection"] = json!({"no": "bool"});
            s["disk_space_mb"] = json!([i]);
            s["node_states"][0]["state"] = json!(42);
            s
        })
        .collect();
    let server = serve(
        GET,
        "/v1/project/p/service",
        json!({ "services": services }),
    )
    .await;
    let started = std::time::Instant::now();
    let list = raw_client(&server.base_url(), Some("t"))
        .service_list()
        .project("p")
        .send()
        .await
        .expect("the answer decodes")
        .into_inner();
    let elapsed = started.elapsed();
    let services = list.services.expect("services");
    assert_eq!(services.len(), 2_500);
    let last = &services[2_499];
    assert_eq!(last.service_name.as_deref(), Some("pg-2499"));
    assert_eq!(last.node_count, None);
    assert_eq!(last.extra.get("node_count"), Some(&json!("three")));
    assert_eq!(last.extra.get("disk_space_mb"), Some(&json!([2_499])));
    let node = &last.node_states.as_ref().unwrap()[0];
    assert_eq!(node.state, None);
    assert_eq!(node.extra.get("state"), Some(&json!(42)));
    let warnings = captured.warnings();
    assert_eq!(
        warnings.len(),
        aiven_api::lenient::WARNING_CAP + 1,
        "{warnings:#?}"
    );
    let summary = warnings.last().unwrap();
    assert!(summary.contains("total=10000"), "{summary}");
    assert!(
        summary.contains("operation_id=\"ServiceList\""),
        "{summary}"
    );
    // Linear work: seconds would mean something quadratic.
    assert!(elapsed < std::time::Duration::from_secs(20), "{elapsed:?}");
}

#[test]
fn strict_answers_take_the_fast_path_and_malformed_json_still_fails() {
    use aiven_api::lenient::decode;
    use aiven_api::types::ServiceListResponse;
    let body = serde_json::to_vec(&aiven_tests::service_list_json(3)).unwrap();
    let (list, report) = decode::<ServiceListResponse>(&body).expect("decodes");
    assert_eq!(list.services.unwrap().len(), 3);
    assert_eq!(report, Default::default());
    // Cut short: not a disagreement about a value, so no lenient pass.
    let err = decode::<ServiceListResponse>(&body[..body.len() / 2]).unwrap_err();
    assert!(err.is_eof(), "{err}");
    // A body that is not an object at all has nothing to keep it in.
    let err = decode::<ServiceListResponse>(b"[1, 2]").unwrap_err();
    assert!(err.is_data(), "{err}");
    // The lenient state does not leak into the next strict decode.
    let (_, report) =
        decode::<ServiceListResponse>(br#"{"services": [{"node_count": "x"}]}"#).unwrap();
    assert_eq!(report.total, 1);
    assert_eq!(report.first[0].path, "services.node_count");
    let (_, report) = decode::<ServiceListResponse>(&body).unwrap();
    assert_eq!(report.total, 0);
}
