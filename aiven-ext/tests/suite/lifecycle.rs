//! Lifecycle helpers: validation before sending, create without duplicates,
//! disk growth only, power, termination protection, plans.

use std::time::Duration;

use crate::common::{client, first, serve_service, service, SVC};
use crate::tiny::{response, Tiny};
use aiven_ext::aiven_api::types;
use aiven_ext::clock::MockClock;
use aiven_ext::{Deletion, Ensured, Error, ServiceState, StateExt};
use httpmock::prelude::*;
use serde_json::json;

const SERVICES: &str = "/v1/project/p/service";
const MINUTES_10: Duration = Duration::from_secs(600);

fn body(name: &str) -> types::builder::ServiceCreateRequestBody {
    types::ServiceCreateRequestBody::builder()
        .service_name(name)
        .service_type("pg")
        .plan("startup-4")
}

#[tokio::test]
async fn create_sends_the_body_and_returns_the_new_service() {
    let server = MockServer::start_async().await;
    let post = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(SERVICES)
                .json_body_includes(r#"{"service_name": "pg-1", "plan": "startup-4"}"#);
            then.status(200)
                .json_body(json!({ "service": service("pg-1", "REBUILDING") }));
        })
        .await;
    let created = client(&server, &MockClock::new())
        .create_service("p", body("pg-1"))
        .send()
        .await
        .unwrap();
    assert!(matches!(&created, Ensured::Created(s) if s.state() == Some(ServiceState::Rebuilding)));
    assert_eq!(post.calls_async().await, 1);
}

#[tokio::test]
async fn invalid_input_is_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await;
    let c = client(&server, &MockClock::new());
    let cases: Vec<(_, &str)> = vec![
        (c.create_service("p", body("Pg_1")), "invalid service_name \"Pg_1\": may contain only lowercase letters, digits and dashes, not 'P'"),
        (c.create_service("p", body("pg-")), "must not end with a dash"),
        (c.create_service("", body("pg-1")), "invalid project \"\": must not be empty"),
        (c.create_service("p", body("pg-1").plan(" ")), "invalid plan \" \": must not be empty"),
        (c.create_service("p", body("pg-1").disk_space_mb(0)), "invalid disk_space_mb \"0\": must be a positive number"),
        (
            c.create_service("p", types::ServiceCreateRequestBody::builder().service_name("pg-1")),
            "invalid request: service create body: no value supplied for plan",
        ),
    ];
    for (create, expected) in cases {
        let err = create.send().await.unwrap_err();
        assert!(err.to_string().contains(expected), "{err}");
    }
    let err = c.update_service("p", "pg-1").send().await.unwrap_err();
    assert!(err.to_string().contains("nothing to change"), "{err}");
    let err = c
        .update_service("p", "pg-1")
        .plan("")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Validation { field: "plan", .. }),
        "{err:?}"
    );
    assert_eq!(any.calls_async().await, 0);
}

#[tokio::test]
async fn ambiguous_create_failure_finds_the_service_instead_of_creating_twice() {
    let server = MockServer::start_async().await;
    let post = server
        .mock_async(|when, then| {
            when.method(POST).path(SERVICES);
            then.status(503)
                .json_body(json!({"message": "upstream timeout"}));
        })
        .await;
    let get = serve_service(&server, "pg-1", "REBUILDING").await;
    let clock = MockClock::new();
    let created = client(&server, &clock)
        .create_service("p", body("pg-1"))
        .send()
        .await
        .unwrap();
    assert!(matches!(created, Ensured::Created(_)), "{created:?}");
    assert_eq!((post.calls_async().await, get.calls_async().await), (1, 1));
    assert_eq!(clock.sleeps().len(), 1);
}

#[tokio::test]
async fn ambiguous_failure_then_absent_service_creates_again() {
    let server = MockServer::start_async().await;
    let failed = server
        .mock_async(|when, then| {
            when.method(POST).path(SERVICES).is_true(first(1));
            then.status(500)
                .json_body(json!({"message": "internal error"}));
        })
        .await;
    let post = server
        .mock_async(|when, then| {
            when.method(POST).path(SERVICES);
            then.status(200)
                .json_body(json!({ "service": service("pg-1", "REBUILDING") }));
        })
        .await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path(SVC);
            then.status(404)
                .json_body(json!({"message": "Service not found"}));
        })
        .await;
    let created = client(&server, &MockClock::new())
        .create_service("p", body("pg-1"))
        .send()
        .await
        .unwrap();
    assert!(matches!(created, Ensured::Created(_)));
    assert_eq!(
        (
            failed.calls_async().await,
            get.calls_async().await,
            post.calls_async().await
        ),
        (1, 1, 1)
    );
}

#[tokio::test]
async fn conflict_after_an_ambiguous_attempt_is_our_own_create() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(SERVICES).is_true(first(1));
            then.status(502);
        })
        .await;
    let conflict = server
        .mock_async(|when, then| {
            when.method(POST).path(SERVICES);
            then.status(409)
                .json_body(json!({"message": "Service name is already in use"}));
        })
        .await;
    // Not visible on the first look (eventual consistency), visible after the 409.
    server
        .mock_async(|when, then| {
            when.method(GET).path(SVC).is_true(first(1));
            then.status(404)
                .json_body(json!({"message": "Service not found"}));
        })
        .await;
    serve_service(&server, "pg-1", "REBUILDING").await;
    let created = client(&server, &MockClock::new())
        .create_service("p", body("pg-1"))
        .send()
        .await
        .unwrap();
    assert!(matches!(created, Ensured::Created(_)), "{created:?}");
    assert_eq!(conflict.calls_async().await, 1);
}

#[tokio::test]
async fn conflict_on_a_first_attempt_is_an_error_and_check_can_be_disabled() {
    let server = MockServer::start_async().await;
    let c = client(&server, &MockClock::new());
    let m = server
        .mock_async(|when, then| {
            when.method(POST).path(SERVICES);
            then.status(409)
                .json_body(json!({"message": "Service name is already in use"}));
        })
        .await;
    let err = c
        .create_service("p", body("pg-1"))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_already_exists(), "{err:?}");
    m.delete_async().await;

    let post = server
        .mock_async(|when, then| {
            when.method(POST).path(SERVICES);
            then.status(503);
        })
        .await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path(SVC);
            then.status(404);
        })
        .await;
    let err = c
        .create_service("p", body("pg-1"))
        .existence_check(false)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!((post.calls_async().await, get.calls_async().await), (1, 0));
}

#[tokio::test]
async fn create_and_wait_tolerates_404_right_after_create() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(SERVICES);
            then.status(200)
                .json_body(json!({ "service": service("pg-1", "REBUILDING") }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(SVC).is_true(first(2));
            then.status(404)
                .json_body(json!({"message": "Service not found"}));
        })
        .await;
    serve_service(&server, "pg-1", "RUNNING").await;
    let created = client(&server, &MockClock::new())
        .create_service("p", body("pg-1"))
        .send_and_wait(MINUTES_10)
        .await
        .unwrap();
    assert!(matches!(&created, Ensured::Created(s) if s.state() == Some(ServiceState::Running)));
}

#[tokio::test]
async fn disks_only_grow() {
    let server = MockServer::start_async().await;
    serve_service(&server, "pg-1", "RUNNING").await;
    let put = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path(SVC)
                .json_body_includes(r#"{"disk_space_mb": 102400}"#);
            then.status(200)
                .json_body(json!({ "service": service("pg-1", "REBUILDING") }));
        })
        .await;
    let c = client(&server, &MockClock::new());
    let err = c
        .update_service("p", "pg-1")
        .disk_space_mb(40960)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid disk_space_mb \"40960\": disks cannot shrink; the service has 81920 MB"
    );
    assert_eq!(put.calls_async().await, 0);
    c.update_service("p", "pg-1")
        .disk_space_mb(102400)
        .send()
        .await
        .unwrap();
    assert_eq!(put.calls_async().await, 1);
}

#[tokio::test]
async fn power_off_and_on_with_waiting() {
    let server = MockServer::start_async().await;
    let off = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path(SVC)
                .json_body_includes(r#"{"powered": false}"#);
            then.status(200)
                .json_body(json!({ "service": service("pg-1", "RUNNING") }));
        })
        .await;
    let get_off = server
        .mock_async(|when, then| {
            when.method(GET).path(SVC).is_true(first(2));
            then.status(200)
                .json_body(json!({ "service": service("pg-1", "POWEROFF") }));
        })
        .await;
    let c = client(&server, &MockClock::new());
    let svc = c
        .power_off_service("p", "pg-1")
        .send_and_wait(MINUTES_10)
        .await
        .unwrap();
    assert_eq!(svc.state(), Some(ServiceState::Poweroff));
    assert_eq!(
        (off.calls_async().await, get_off.calls_async().await),
        (1, 1)
    );

    // Power on: the first look may still say POWEROFF; that is "not yet".
    server
        .mock_async(|when, then| {
            when.method(PUT)
                .path(SVC)
                .json_body_includes(r#"{"powered": true}"#);
            then.status(200)
                .json_body(json!({ "service": service("pg-1", "POWEROFF") }));
        })
        .await;
    serve_service(&server, "pg-1", "RUNNING").await;
    let svc = c
        .power_on_service("p", "pg-1")
        .send_and_wait(MINUTES_10)
        .await
        .unwrap();
    assert_eq!(svc.state(), Some(ServiceState::Running));
}

#[tokio::test]
async fn termination_protection_blocks_delete_unless_lifted() {
    let server = MockServer::start_async().await;
    let protected = "Service is protected against termination and shutdown. Remove termination protection first.";
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE).path(SVC).is_true(first(1));
            then.status(403).json_body(json!({ "message": protected }));
        })
        .await;
    let c = client(&server, &MockClock::new());
    let err = c.delete_service("p", "pg-1").send().await.unwrap_err();
    assert!(
        matches!(&err, Error::TerminationProtected { service, .. } if service == "pg-1"),
        "{err:?}"
    );
    assert!(err.is_termination_protected());
    assert!(
        err.to_string()
            .contains("lift_termination_protection(true)"),
        "{err}"
    );
    assert_eq!(delete.calls_async().await, 1);

    let mut svc = service("pg-1", "RUNNING");
    svc["termination_protection"] = json!(true);
    server
        .mock_async(|when, then| {
            when.method(GET).path(SVC).is_true(first(1));
            then.status(200).json_body(json!({ "service": svc }));
        })
        .await;
    let lift = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path(SVC)
                .json_body(json!({"termination_protection": false}));
            then.status(200)
                .json_body(json!({ "service": service("pg-1", "RUNNING") }));
        })
        .await;
    let deleted = server
        .mock_async(|when, then| {
            when.method(DELETE).path(SVC);
            then.status(200).json_body(json!({"message": "deleted"}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(SVC);
            then.status(404)
                .json_body(json!({"message": "Service not found"}));
        })
        .await;
    c.delete_service("p", "pg-1")
        .lift_termination_protection(true)
        .send_and_wait(MINUTES_10)
        .await
        .unwrap();
    assert_eq!(
        (lift.calls_async().await, deleted.calls_async().await),
        (1, 1)
    );
}

#[tokio::test]
async fn power_off_of_a_protected_service_is_explicit() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(PUT).path(SVC);
            then.status(403).json_body(
                json!({"message": "Cannot power off: termination protection is enabled"}),
            );
        })
        .await;
    let err = client(&server, &MockClock::new())
        .power_off_service("p", "pg-1")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TerminationProtected { .. }), "{err:?}");
}

#[tokio::test]
async fn service_types_and_plans_anonymously() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/service_types")
                .header_missing("authorization");
            then.status(200).json_body(json!({"service_types": {
                "pg": {"description": "PostgreSQL", "service_plans": [
                    {"service_plan": "hobbyist", "node_count": 1},
                    {"service_plan": "startup-4", "node_count": 1}
                ]},
                "kafka": {"description": "Apache Kafka", "service_plans": []}
            }}));
        })
        .await;
    let c = aiven_ext::AivenClient::builder()
        .base_url(server.base_url())
        .build()
        .unwrap();
    let types = c.list_service_types(None).await.unwrap();
    assert_eq!(types.keys().collect::<Vec<_>>(), ["kafka", "pg"]);
    let plans = c.list_plans(None, "pg").await.unwrap();
    let names: Vec<_> = plans
        .iter()
        .filter_map(|p| p.service_plan.as_deref())
        .collect();
    assert_eq!(names, ["hobbyist", "startup-4"]);
    let err = c.list_plans(None, "oracle").await.unwrap_err();
    assert!(
        err.to_string()
            .contains("unknown service type; known: kafka, pg"),
        "{err}"
    );
}

/// After an ambiguous failure, a service under the same name but of another
/// type or plan is somebody else's: not adopted, and not created over.
#[tokio::test]
async fn ambiguous_create_does_not_adopt_a_different_service() {
    let server = MockServer::start_async().await;
    let post = server
        .mock_async(|when, then| {
            when.method(POST).path(SERVICES);
            then.status(503);
        })
        .await;
    let mut mysql = service("pg-1", "RUNNING");
    mysql["service_type"] = json!("mysql");
    mysql["plan"] = json!("business-32");
    server
        .mock_async(|when, then| {
            when.method(GET).path(SVC);
            then.status(200).json_body(json!({ "service": mysql }));
        })
        .await;
    let e = client(&server, &MockClock::new())
        .create_service("p", body("pg-1"))
        .send()
        .await
        .unwrap_err();
    let Error::ExistsWithDifferentSpec {
        kind,
        name,
        differences,
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!((*kind, name.as_str()), ("service", "p/pg-1"));
    assert_eq!(
        differences,
        r#"service_type: asked "pg", found "mysql", plan: asked "startup-4", found "business-32""#
    );
    assert_eq!(post.calls_async().await, 1);
}

/// A 409 for our own earlier attempt, then 404s while the service becomes
/// visible: looked up again within the consistency window, not an error.
#[tokio::test]
async fn conflict_then_invisible_service_is_looked_up_until_visible() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(SERVICES).is_true(first(1));
            then.status(502);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(SERVICES);
            then.status(409)
                .json_body(json!({"message": "already in use"}));
        })
        .await;
    let not_yet = server
        .mock_async(|when, then| {
            when.method(GET).path(SVC).is_true(first(4));
            then.status(404)
                .json_body(json!({"message": "Service not found"}));
        })
        .await;
    serve_service(&server, "pg-1", "REBUILDING").await;
    let clock = MockClock::new();
    let created = client(&server, &clock)
        .create_service("p", body("pg-1"))
        .send()
        .await
        .unwrap();
    assert!(matches!(created, Ensured::Created(_)), "{created:?}");
    // One look before the second create, three after the 409.
    assert_eq!(not_yet.calls_async().await, 4);
    assert!(
        clock.elapsed() < Duration::from_secs(60),
        "{:?}",
        clock.elapsed()
    );
}

/// Teardown that may run twice: deleting what is gone is an error by
/// default and `Ok` with `if_exists(true)`, also with protection lifting.
#[tokio::test]
async fn delete_if_exists_makes_teardown_idempotent() {
    let server = MockServer::start_async().await;
    let gone = json!({"message": "Service not found"});
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE).path(SVC);
            then.status(404).json_body(gone.clone());
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(SVC);
            then.status(404).json_body(gone.clone());
        })
        .await;
    let c = client(&server, &MockClock::new());
    let e = c.delete_service("p", "pg-1").send().await.unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
    c.delete_service("p", "pg-1")
        .if_exists(true)
        .send()
        .await
        .unwrap();
    c.delete_service("p", "pg-1")
        .if_exists(true)
        .lift_termination_protection(true)
        .send()
        .await
        .unwrap();
    assert_eq!(delete.calls_async().await, 2);
}

/// `ensure_service`: created when missing, adopted when it exists as asked,
/// refused (nothing sent) when it exists otherwise.
#[tokio::test]
async fn ensure_service_creates_adopts_or_refuses() {
    let server = MockServer::start_async().await;
    let lookups = server
        .mock_async(|when, then| {
            when.method(GET).path(SVC).is_true(first(1));
            then.status(404)
                .json_body(json!({"message": "Service not found"}));
        })
        .await;
    let post = server
        .mock_async(|when, then| {
            when.method(POST).path(SERVICES);
            then.status(200)
                .json_body(json!({ "service": service("pg-1", "REBUILDING") }));
        })
        .await;
    serve_service(&server, "pg-1", "RUNNING").await;
    let c = client(&server, &MockClock::new());
    let first_run = c.ensure_service("p", body("pg-1")).await.unwrap();
    assert!(first_run.was_created(), "{first_run:?}");
    let second_run = c.ensure_service("p", body("pg-1")).await.unwrap();
    assert!(
        matches!(second_run, aiven_ext::Ensured::Adopted(_)),
        "{second_run:?}"
    );
    assert_eq!(
        (lookups.calls_async().await, post.calls_async().await),
        (1, 1)
    );

    let other = c
        .ensure_service("p", body("pg-1").plan("business-8"))
        .await
        .unwrap_err();
    assert!(
        other
            .to_string()
            .contains(r#"plan: asked "business-8", found "startup-4""#),
        "{other}"
    );
    assert_eq!(post.calls_async().await, 1);
}

/// `ensure_topic`: 404 → create, then read back (the create answers only a
/// message); a topic with other partitions is refused with the difference.
#[tokio::test]
async fn ensure_topic_creates_or_names_the_difference() {
    const TOPIC: &str = "/v1/project/p/service/kafka-1/topic/orders";
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(TOPIC).is_true(first(1));
            then.status(404)
                .json_body(json!({"message": "Topic not found"}));
        })
        .await;
    let post = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/project/p/service/kafka-1/topic");
            then.status(200).json_body(json!({"message": "created"}));
        })
        .await;
    let partitions: Vec<_> = (0..3).map(|p| json!({"partition": p})).collect();
    server
        .mock_async(|when, then| {
            when.method(GET).path(TOPIC);
            then.status(200).json_body(json!({"topic": {
                "topic_name": "orders", "state": "ACTIVE", "replication": 2, "partitions": partitions
            }}));
        })
        .await;
    let c = client(&server, &MockClock::new());
    let body = |n: u64| -> types::ServiceKafkaTopicCreateRequestBody {
        serde_json::from_value(json!({"topic_name": "orders", "partitions": n, "replication": 2}))
            .unwrap()
    };
    let created = c.ensure_topic("p", "kafka-1", body(3)).await.unwrap();
    assert!(created.was_created(), "{created:?}");
    let adopted = c.ensure_topic("p", "kafka-1", body(3)).await.unwrap();
    assert!(!adopted.was_created());
    let e = c.ensure_topic("p", "kafka-1", body(6)).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "topic p/kafka-1/orders exists with a different spec (partitions: asked 6, found 3); it was not adopted"
    );
    assert_eq!(post.calls_async().await, 1);
}

/// Connection info, typed, from what `ServiceGet` returns, per type; the
/// secrets reachable through accessors and redacted in `Debug`.
#[tokio::test]
async fn connection_info_is_typed_and_redacted() {
    let pg: types::Service = serde_json::from_value(json!({
        "service_name": "pg-1", "service_type": "pg",
        "service_uri": "postgres://avnadmin:pw-PG@pg-1.aivencloud.com:11735/defaultdb?sslmode=require",
        "service_uri_params": {"host": "pg-1.aivencloud.com", "port": "11735", "user": "avnadmin",
                               "password": "pw-PG", "dbname": "defaultdb", "sslmode": "require"}
    }))
    .unwrap();
    let info = aiven_ext::ConnectionInfo::from_service(&pg);
    assert_eq!(
        (
            info.host.as_deref(),
            info.port,
            info.user.as_deref(),
            info.database.as_deref()
        ),
        (
            Some("pg-1.aivencloud.com"),
            Some(11735),
            Some("avnadmin"),
            Some("defaultdb")
        )
    );
    assert_eq!(
        (info.password(), info.ssl_mode.as_deref()),
        (Some("pw-PG"), Some("require"))
    );
    let shown = format!("{info:?}");
    assert!(
        !shown.contains("pw-PG") && shown.contains("pg-1.aivencloud.com"),
        "{shown}"
    );
    let env: std::collections::BTreeMap<_, _> = info.env().into_iter().collect();
    assert_eq!(
        env.keys().collect::<Vec<_>>(),
        [
            "DATABASE_URL",
            "PGDATABASE",
            "PGHOST",
            "PGPASSWORD",
            "PGPORT",
            "PGSSLMODE",
            "PGUSER"
        ]
    );
    assert_eq!(
        (env["PGPORT"].as_str(), env["PGPASSWORD"].as_str()),
        ("11735", "pw-PG")
    );

    let kafka: types::Service = serde_json::from_value(json!({
        "service_name": "k-1", "service_type": "kafka",
        "service_uri": "k-1.aivencloud.com:12345",
        "connection_info": {"kafka": ["k-1.aivencloud.com:12345"],
                            "kafka_rest_uri": "https://avnadmin:pw-REST@k-1.aivencloud.com:12348",
                            "schema_registry_uri": "https://avnadmin:pw-REG@k-1.aivencloud.com:12349"},
        "users": [{"username": "avnadmin", "password": "pw-K", "access_cert": "-----BEGIN CERTIFICATE-----",
                   "access_key": "-----BEGIN PRIVATE KEY----- key-K"}]
    }))
    .unwrap();
    let info = aiven_ext::ConnectionInfo::from_service(&kafka);
    let k = info.kafka.as_ref().unwrap();
    assert_eq!(k.bootstrap_servers, ["k-1.aivencloud.com:12345"]);
    assert!(k.sasl_bootstrap_servers.is_empty());
    assert_eq!(
        k.access_cert.as_deref(),
        Some("-----BEGIN CERTIFICATE-----")
    );
    assert_eq!(k.access_key(), Some("-----BEGIN PRIVATE KEY----- key-K"));
    assert!(k.schema_registry_uri().unwrap().ends_with(":12349"));
    assert_eq!(
        (
            info.host.as_deref(),
            info.port,
            info.user.as_deref(),
            info.password()
        ),
        (
            Some("k-1.aivencloud.com"),
            Some(12345),
            Some("avnadmin"),
            Some("pw-K")
        )
    );
    let shown = format!("{info:?}");
    for secret in ["key-K", "pw-K", "pw-REST", "pw-REG"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    let env: std::collections::BTreeMap<_, _> = info.env().into_iter().collect();
    assert_eq!(env["KAFKA_BOOTSTRAP_SERVERS"], "k-1.aivencloud.com:12345");
    assert_eq!(env["KAFKA_ACCESS_KEY"], "-----BEGIN PRIVATE KEY----- key-K");
    // SASL is off: no SASL credentials to mislead a client.
    assert!(!env.contains_key("KAFKA_PASSWORD"), "{:?}", env.keys());
    assert!(!env.contains_key("KAFKA_USERNAME"));
    assert!(env["KAFKA_REST_URI"].contains("pw-REST"));

    // SASL enabled: the components say which port takes which method.
    let sasl: types::Service = serde_json::from_value(json!({
        "service_name": "k-2", "service_type": "kafka",
        "service_uri": "k-2.aivencloud.com:20000",
        "components": [
            {"component": "kafka", "host": "k-2.aivencloud.com", "port": 20000, "route": "dynamic",
             "usage": "primary", "kafka_authentication_method": "certificate"},
            {"component": "kafka", "host": "k-2.aivencloud.com", "port": 20003, "route": "dynamic",
             "usage": "primary", "kafka_authentication_method": "sasl"},
            {"component": "schema_registry", "host": "k-2.aivencloud.com", "port": 20001}
        ],
        "users": [{"username": "avnadmin", "password": "pw-S"}]
    }))
    .unwrap();
    let info = aiven_ext::ConnectionInfo::from_service(&sasl);
    let k = info.kafka.as_ref().unwrap();
    assert_eq!(k.bootstrap_servers, ["k-2.aivencloud.com:20000"]);
    assert_eq!(k.sasl_bootstrap_servers, ["k-2.aivencloud.com:20003"]);
    assert_eq!(info.endpoint("schema_registry").unwrap().port, 20001);
    let env: std::collections::BTreeMap<_, _> = info.env().into_iter().collect();
    assert_eq!(
        env["KAFKA_SASL_BOOTSTRAP_SERVERS"],
        "k-2.aivencloud.com:20003"
    );
    assert_eq!(env["KAFKA_USERNAME"], "avnadmin");
    assert_eq!(env["KAFKA_PASSWORD"], "pw-S");

    let opensearch: types::Service = serde_json::from_value(json!({
        "service_name": "os-1", "service_type": "opensearch",
        "service_uri": "https://avnadmin:pw-OS@os-1.aivencloud.com:443"
    }))
    .unwrap();
    let info = aiven_ext::ConnectionInfo::from_service(&opensearch);
    assert_eq!(
        (
            info.host.as_deref(),
            info.port,
            info.user.as_deref(),
            info.password()
        ),
        (
            Some("os-1.aivencloud.com"),
            Some(443),
            Some("avnadmin"),
            Some("pw-OS")
        )
    );
    assert!(!format!("{info:?}").contains("pw-OS"));

    // The project CA, for TLS clients.
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/project/p/kms/ca");
            then.status(200)
                .json_body(json!({"certificate": "-----BEGIN CERTIFICATE-----\nCA\n"}));
        })
        .await;
    let ca = client(&server, &MockClock::new())
        .project_ca("p")
        .await
        .unwrap();
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"), "{ca}");
}

/// Teardown goes on after a failure and reports every outcome: a protected
/// service is left (and named) unless told, the others are deleted, a
/// missing one is "already gone".
#[tokio::test]
async fn teardown_reports_every_outcome() {
    let server = MockServer::start_async().await;
    let mut protected = service("pg-locked", "RUNNING");
    protected["termination_protection"] = json!(true);
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/project/p/service/pg-locked");
            then.status(200).json_body(json!({ "service": protected }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v1/project/p/service/pg-locked");
            then.status(403)
                .json_body(json!({"message": "Service is protected against termination"}));
        })
        .await;
    // pg-1 is read twice before its delete (for its topic, then again
    // for itself), then it is gone.
    server
        .mock_async(|when, then| {
            when.method(GET).path(SVC).is_true(first(2));
            then.status(200)
                .json_body(json!({ "service": service("pg-1", "RUNNING") }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path_matches(r"^/v1/project/p/service/(pg-1|gone)$");
            then.status(404)
                .json_body(json!({"message": "Service not found"}));
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE).path(SVC);
            then.status(200).json_body(json!({"message": "deleted"}));
        })
        .await;
    let topic = server
        .mock_async(|when, then| {
            when.method(DELETE).path(format!("{SVC}/topic/events"));
            then.status(200).json_body(json!({"message": "deleted"}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v1/project/p/integration/i-gone");
            then.status(404)
                .json_body(json!({"message": "Service integration not found"}));
        })
        .await;
    // Added services first, the topic and integration later: the order of
    // deletion is by dependency, not by adding.
    // The mock's services carry no owner mark: this run opts in to delete
    // them by name (ownership has its own test below).
    let report = client(&server, &MockClock::new())
        .teardown("p")
        .delete_unowned(true)
        .service("pg-1")
        .service("pg-locked")
        .service("gone")
        .topic("pg-1", "events")
        .integration("i-gone")
        .run(MINUTES_10)
        .await;
    assert_eq!(report.deleted, ["topic pg-1/events", "service pg-1"]);
    assert_eq!(report.already_gone, ["integration i-gone", "service gone"]);
    assert_eq!(topic.calls_async().await, 1);
    assert_eq!(report.failures.len(), 1, "{report:?}");
    assert_eq!(report.failures[0].0, "service pg-locked");
    assert_eq!(
        report.to_string(),
        "deleted: topic pg-1/events, service pg-1; already gone: integration i-gone, service gone; \
         failed: service pg-locked ("
            .to_owned()
            + &report.failures[0].1.to_string() + ")"
    );
    assert!(
        report.failures[0].1.is_termination_protected(),
        "{report:?}"
    );
    assert!(!report.is_complete());
    assert_eq!(delete.calls_async().await, 1);
}

/// Teardown deletes only what carries its owner's mark: a same-named
/// service of someone else (unmarked, or another owner's), its topics and
/// an integration between services not ours are left alone and reported;
/// no DELETE reaches them.
#[tokio::test]
async fn teardown_deletes_only_what_its_owner_marked() {
    let server = MockServer::start_async().await;
    let tagged = |name: &str, owner: Option<&str>| {
        let mut s = service(name, "RUNNING");
        if let Some(owner) = owner {
            s["tags"] = json!({ aiven_ext::OWNER_TAG: owner });
        }
        json!({ "service": s })
    };
    for (name, owner) in [
        ("ours", Some("env-a")),
        ("theirs", None),
        ("other-env", Some("env-b")),
    ] {
        let body = tagged(name, owner);
        let path = format!("/v1/project/p/service/{name}");
        server
            .mock_async(|when, then| {
                when.method(GET).path(path.as_str());
                then.status(200).json_body(body);
            })
            .await;
    }
    let integration = |id: &str, source: &str, dest: &str| {
        json!({ "service_integration": {
            "service_integration_id": id, "integration_type": "metrics",
            "source_service": source, "dest_service": dest,
            "active": true, "enabled": true, "description": "",
            "source_project": "p", "dest_project": "p",
        }})
    };
    for (id, source, dest) in [
        ("i-ours", "ours", "theirs"),
        ("i-theirs", "theirs", "other-env"),
    ] {
        let body = integration(id, source, dest);
        let path = format!("/v1/project/p/integration/{id}");
        server
            .mock_async(|when, then| {
                when.method(GET).path(path.as_str());
                then.status(200).json_body(body);
            })
            .await;
    }
    let deletes = server
        .mock_async(|when, then| {
            when.method(DELETE);
            then.status(200).json_body(json!({"message": "deleted"}));
        })
        .await;
    let owner = aiven_ext::Owner::new("env-a").unwrap();
    let report = client(&server, &MockClock::new())
        .teardown("p")
        .owner(&owner)
        .services(["theirs", "other-env"])
        .topic("theirs", "events")
        .user("other-env", "ci")
        .topic("ours", "events")
        .integration("i-theirs")
        .integration("i-ours")
        .run(Duration::ZERO)
        .await;
    assert_eq!(
        report.not_owned,
        [
            "integration i-theirs",
            "service user other-env/ci",
            "topic theirs/events",
            "service other-env",
            "service theirs"
        ],
        "{report}"
    );
    assert_eq!(
        report.deleted,
        ["integration i-ours", "topic ours/events"],
        "{report}"
    );
    assert!(report.is_complete(), "{report}");
    assert!(report
        .to_string()
        .contains("left alone (not owned): integration i-theirs"));
    // Only the two owned resources were deleted.
    assert_eq!(deletes.calls_async().await, 2);

    // Without an owner (and without opting in) nothing is deleted.
    let report = client(&server, &MockClock::new())
        .teardown("p")
        .service("ours")
        .run(Duration::ZERO)
        .await;
    assert_eq!(report.not_owned, ["service ours"]);
    assert_eq!(deletes.calls_async().await, 2);
}

/// Ensuring a service with an owner: an unmarked match is adopted as not
/// owned (and says so), a match carrying the mark is adopted as ours.
#[tokio::test]
async fn ensure_service_reports_adoption_without_the_mark() {
    let server = MockServer::start_async().await;
    let mut marked = service("pg-mine", "RUNNING");
    marked["tags"] = json!({ aiven_ext::OWNER_TAG: "env-a" });
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/project/p/service/pg-mine");
            then.status(200).json_body(json!({ "service": marked }));
        })
        .await;
    serve_service(&server, "pg-1", "RUNNING").await;
    let post = server
        .mock_async(|when, then| {
            when.method(POST).path(SERVICES);
            then.status(500);
        })
        .await;
    let owner = aiven_ext::Owner::new("env-a").unwrap();
    let c = client(&server, &MockClock::new());
    let new =
        |name: &str| aiven_ext::requests::NewService::new(name, "pg", "startup-4").owner(&owner);
    let unmarked = c.ensure_service("p", &new("pg-1")).await.unwrap();
    assert!(
        matches!(unmarked, aiven_ext::Ensured::AdoptedUnowned(_)),
        "{unmarked:?}"
    );
    assert!(!unmarked.is_owned());
    assert_eq!(unmarked.verb(), "adopted (not owned)");
    let mine = c.ensure_service("p", &new("pg-mine")).await.unwrap();
    assert!(matches!(mine, aiven_ext::Ensured::Adopted(_)), "{mine:?}");
    assert!(mine.is_owned());
    assert_eq!(post.calls_async().await, 0);
}

/// A look-up answered with another resource (a mis-answering server or
/// proxy) is an error, never adopted: service and topic.
#[tokio::test]
async fn ensure_refuses_a_lookup_answered_with_another_resource() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(SVC);
            then.status(200)
                .json_body(json!({ "service": service("pg-other", "RUNNING") }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(format!("{SVC}/topic/events"));
            then.status(200).json_body(json!({ "topic": {
                "topic_name": "payments", "partitions": [], "replication": 2, "state": "ACTIVE"
            }}));
        })
        .await;
    let posts = server
        .mock_async(|when, then| {
            when.method(POST);
            then.status(500);
        })
        .await;
    let c = client(&server, &MockClock::new());
    let e = c.ensure_service("p", body("pg-1")).await.unwrap_err();
    assert!(
        e.to_string()
            .contains("answered with \"pg-other\": not adopted"),
        "{e}"
    );
    let topic = aiven_ext::requests::NewTopic::new("events");
    let e = c.ensure_topic("p", "pg-1", topic).await.unwrap_err();
    assert!(
        e.to_string()
            .contains("answered with \"payments\": not adopted"),
        "{e}"
    );
    assert_eq!(posts.calls_async().await, 0);
}

/// A service's mark is read again right before it is deleted: one that was
/// ours when its topic was deleted, but carries no mark any more when its
/// own turn comes (deleted and made again by someone else meanwhile), is
/// left alone. An integration whose "our" end is a same-named service in
/// another project is not ours either.
#[tokio::test]
async fn teardown_reads_the_mark_again_before_deleting_a_service() {
    let server = MockServer::start_async().await;
    let mut marked = service("pg-1", "RUNNING");
    marked["tags"] = json!({ aiven_ext::OWNER_TAG: "env-a" });
    server
        .mock_async(|when, then| {
            when.method(GET).path(SVC).is_true(first(1));
            then.status(200).json_body(json!({ "service": marked }));
        })
        .await;
    serve_service(&server, "pg-1", "RUNNING").await; // unmarked from then on
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/project/p/integration/i-elsewhere");
            then.status(200).json_body(json!({ "service_integration": {
                "service_integration_id": "i-elsewhere", "integration_type": "metrics",
                "source_service": "pg-1", "source_project": "other-project",
                "dest_service": "gone-svc", "dest_project": "p",
                "active": true, "enabled": true, "description": "",
            }}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/project/p/service/gone-svc");
            then.status(404)
                .json_body(json!({"message": "Service not found"}));
        })
        .await;
    let deletes = server
        .mock_async(|when, then| {
            when.method(DELETE);
            then.status(200).json_body(json!({"message": "deleted"}));
        })
        .await;
    let owner = aiven_ext::Owner::new("env-a").unwrap();
    let report = client(&server, &MockClock::new())
        .teardown("p")
        .owner(&owner)
        .service("pg-1")
        .topic("pg-1", "events")
        .run(Duration::ZERO)
        .await;
    assert_eq!(report.deleted, ["topic pg-1/events"], "{report}");
    assert_eq!(report.not_owned, ["service pg-1"], "{report}");
    assert_eq!(deletes.calls_async().await, 1);
    let report = client(&server, &MockClock::new())
        .teardown("p")
        .owner(&owner)
        .integration("i-elsewhere")
        .run(Duration::ZERO)
        .await;
    // Its end in this project is gone; the other end is another project's.
    assert_eq!(report.already_gone, ["integration i-elsewhere"], "{report}");
    assert_eq!(deletes.calls_async().await, 1);
}

/// A DELETE answered 502, repeated by the transport (DELETE is idempotent)
/// and answered 404: the first attempt may have deleted the service, so
/// the 404 says neither "deleted by this call" nor "was already gone".
#[tokio::test]
async fn delete_404_after_a_5xx_attempt_is_gone_unconfirmed() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(DELETE).path(SVC).is_true(first(1));
            then.status(502).body("bad gateway");
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE).path(SVC);
            then.status(404)
                .json_body(json!({"message": "Service not found"}));
        })
        .await;
    let c = client(&server, &MockClock::new());
    // Without `if_exists` too: the 404 may be this call's own doing.
    let deletion = c.delete_service("p", "pg-1").send().await.unwrap();
    assert_eq!(deletion, Deletion::GoneAfterAmbiguousAttempt);
    assert_eq!(deletion.to_string(), "gone (deletion unconfirmed)");
    assert_eq!(delete.calls_async().await, 1);
}

/// The same with the first answer lost: the connection dropped before any
/// response (the request was sent, so it may have been processed).
#[tokio::test]
async fn delete_404_after_a_dropped_connection_is_gone_unconfirmed() {
    let server = Tiny::start(|n, _| match n {
        0 => String::new(), // closed without an answer
        _ => response("404 Not Found", &[], r#"{"message": "Service not found"}"#),
    });
    let c = aiven_ext::AivenClient::builder()
        .base_url(server.base_url())
        .token("t0ken")
        .clock(MockClock::new().shared())
        .build()
        .unwrap();
    let deletion = c.delete_service("p", "pg-1").send().await.unwrap();
    assert_eq!(deletion, Deletion::GoneAfterAmbiguousAttempt);
    assert_eq!(server.count(), 2);
}

/// A 404 after attempts that were not processed (429: the rate limiter
/// refused them) says the service was gone before this call: an error
/// without `if_exists`, `AlreadyGone` with it — never "deleted".
#[tokio::test]
async fn delete_404_after_unprocessed_attempts_was_already_gone() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(DELETE).path(SVC).is_true(first(1));
            then.status(429)
                .json_body(json!({"message": "Rate limited"}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(DELETE).path(SVC);
            then.status(404)
                .json_body(json!({"message": "Service not found"}));
        })
        .await;
    let c = client(&server, &MockClock::new());
    let err = c.delete_service("p", "pg-1").send().await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let api = err.api().unwrap();
    assert_eq!((api.attempts, api.ambiguous_attempts), (2, 0), "{api:?}");

    server.reset_async().await;
    server
        .mock_async(|when, then| {
            when.method(DELETE).path(SVC).is_true(first(1));
            then.status(429)
                .json_body(json!({"message": "Rate limited"}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(DELETE).path(SVC);
            then.status(404)
                .json_body(json!({"message": "Service not found"}));
        })
        .await;
    let deletion = c.delete_service("p", "pg-1").if_exists(true).send().await;
    assert_eq!(deletion.unwrap(), Deletion::AlreadyGone);
}

/// The plain outcomes: a 2xx is `Deleted`; a 404 on the first attempt is
/// `AlreadyGone` with `if_exists` and the 404 without.
#[tokio::test]
async fn delete_outcomes_on_the_first_attempt() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(DELETE).path(SVC);
            then.status(200).json_body(json!({"message": "deleted"}));
        })
        .await;
    let gone = server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v1/project/p/service/gone");
            then.status(404)
                .json_body(json!({"message": "Service not found"}));
        })
        .await;
    let c = client(&server, &MockClock::new());
    assert_eq!(
        c.delete_service("p", "pg-1").send().await.unwrap(),
        Deletion::Deleted
    );
    let err = c.delete_service("p", "gone").send().await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let gone_too = c.delete_service("p", "gone").if_exists(true).send().await;
    assert_eq!(gone_too.unwrap(), Deletion::AlreadyGone);
    assert_eq!(gone.calls_async().await, 2, "a 404 is not repeated");
}

/// The teardown reports a service found gone after an ambiguous delete
/// attempt as `unconfirmed`: neither deleted by this run nor already gone
/// — and, since it is gone either way, not a failure.
#[tokio::test]
async fn teardown_reports_gone_after_an_ambiguous_delete_as_unconfirmed() {
    let server = MockServer::start_async().await;
    let mut ours = service("pg-1", "RUNNING");
    ours["tags"] = json!({ aiven_ext::OWNER_TAG: "env-a" });
    server
        .mock_async(|when, then| {
            when.method(GET).path(SVC).is_true(first(1));
            then.status(200).json_body(json!({ "service": ours }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(SVC);
            then.status(404)
                .json_body(json!({"message": "Service not found"}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(DELETE).path(SVC).is_true(first(1));
            then.status(503).body("unavailable");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(DELETE).path(SVC);
            then.status(404)
                .json_body(json!({"message": "Service not found"}));
        })
        .await;
    let report = client(&server, &MockClock::new())
        .teardown("p")
        .owner(&aiven_ext::Owner::new("env-a").unwrap())
        .service("pg-1")
        .run(MINUTES_10)
        .await;
    assert_eq!(report.unconfirmed, ["service pg-1"], "{report:?}");
    assert!(report.deleted.is_empty() && report.already_gone.is_empty());
    assert!(report.is_complete(), "{report}");
    assert_eq!(
        report.to_string(),
        "deleted: none; already gone: none; gone (deletion unconfirmed): service pg-1"
    );
}

/// A create answered 502 (it may have been made), then every look-up that
/// would say whether it was fails (503, repeated by the transport until the
/// budget ends): the outcome is unknown, and the error says so — typed,
/// naming the create, carrying the look-up's error.
#[tokio::test]
async fn create_outcome_unknown_when_the_look_ups_fail() {
    let server = MockServer::start_async().await;
    let post = server
        .mock_async(|when, then| {
            when.method(POST).path(SERVICES);
            then.status(502).body("bad gateway");
        })
        .await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path(SVC);
            then.status(503).body("unavailable");
        })
        .await;
    let c = client(&server, &MockClock::new());
    let err = c
        .create_service("p", body("pg-1"))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
    let Error::OutcomeUnknown {
        operation,
        kind,
        name,
        last,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        (operation.operation_id, *kind, name.as_str()),
        ("ServiceCreate", "service", "p/pg-1")
    );
    assert_eq!(last.operation_id(), Some("ServiceGet"), "{last:?}");
    assert_eq!(err.operation_id(), Some("ServiceCreate"));
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert!(!err.is_retryable(), "a create is not blindly repeated");
    assert!(
        err.to_string().starts_with(
            "ServiceCreate: outcome unknown: service p/pg-1 may or may not have been created: "
        ),
        "{err}"
    );
    assert_eq!(post.calls_async().await, 1, "never created blindly again");
    assert!(get.calls_async().await >= 2);

    // Ensuring goes the same way once its first look-up found nothing.
    server.reset_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(SVC).is_true(first(1));
            then.status(404)
                .json_body(json!({"message": "Service not found"}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(SVC);
            then.status(503).body("unavailable");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(SERVICES);
            then.status(504).body("gateway timeout");
        })
        .await;
    let err = c.ensure_service("p", body("pg-1")).await.unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
}

/// Creates answered 502 until the retry policy's attempts are spent, each
/// look-up in between finding nothing: the last create may still have been
/// made, so the outcome is unknown rather than the last 502.
#[tokio::test]
async fn create_outcome_unknown_when_the_retry_budget_ends() {
    let server = MockServer::start_async().await;
    let post = server
        .mock_async(|when, then| {
            when.method(POST).path(SERVICES);
            then.status(502).body("bad gateway");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(SVC);
            then.status(404)
                .json_body(json!({"message": "Service not found"}));
        })
        .await;
    let mut policy = aiven_ext::RetryPolicy::default();
    policy.max_attempts = 3;
    let clock = MockClock::new();
    let c = crate::common::builder(&server, &clock)
        .retry_policy(policy)
        .build()
        .unwrap();
    let err = c
        .create_service("p", body("pg-1"))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502), "{err:?}");
    assert_eq!(post.calls_async().await, 3);

    // With the existence check off, the first ambiguous failure surfaces
    // at once — as what it is.
    let err = c
        .create_service("p", body("pg-2"))
        .existence_check(false)
        .send()
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
}

/// A create whose answer never comes (the client's timeout) and whose
/// look-ups fail: outcome unknown, carrying the look-up's error.
#[tokio::test]
async fn create_outcome_unknown_after_a_timeout() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path(SERVICES);
            then.status(200)
                .delay(Duration::from_secs(5))
                .json_body(json!({ "service": service("pg-1", "REBUILDING") }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(SVC);
            then.status(500).body("internal error");
        })
        .await;
    let clock = MockClock::new();
    let c = crate::common::builder(&server, &clock)
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = c
        .create_service("p", body("pg-1"))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500), "{err:?}");
}
