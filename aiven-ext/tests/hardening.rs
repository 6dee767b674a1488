//! Issue 9: path parameters cannot change which resource a request
//! addresses, through the raw client and aiven-ext. Against a tiny loopback
//! server that records every request it receives.

mod tiny;

use std::time::Duration;

use aiven_api::hooks::ClientState;
use aiven_ext::{AivenClient, Error, RetryPolicy};
use tiny::{response, Tiny};

/// Values that would move a request elsewhere (or that a server decoding
/// twice would read as `..`).
const HOSTILE: &[&str] = &[
    "..",
    ".",
    "a\\b",
    "..\\..\\victim\\service\\victim-pg",
    "%2e%2e",
    "%2E",
    ".%2e",
    "a/b",
    "../../victim/service/victim-pg",
    "",
];

fn ok_server() -> Tiny {
    Tiny::start(|_, _| {
        response(
            "200 OK",
            &[],
            r#"{"service": {"service_name": "x", "state": "RUNNING"}, "message": "ok"}"#,
        )
    })
}

fn raw(server: &Tiny) -> aiven_api::Client {
    aiven_api::Client::new_with_client(
        &format!("{}/v1", server.base_url()),
        reqwest::Client::new(),
        ClientState::new(),
    )
}

fn ext(server: &Tiny) -> AivenClient {
    AivenClient::builder()
        .base_url(server.base_url())
        .token("t0ken")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

/// The refusal message, or what happened instead.
fn refusal<E: std::fmt::Debug>(
    r: Result<impl Sized, aiven_api::Error<E>>,
) -> Result<String, String> {
    match r {
        Err(aiven_api::Error::InvalidRequest(msg)) => Ok(msg),
        Err(e) => Err(format!("not refused: {e:?}")),
        Ok(_) => Err("not refused: a 2xx response".into()),
    }
}

#[tokio::test]
async fn raw_client_refuses_hostile_path_parameters_before_sending() {
    let server = ok_server();
    let client = raw(&server);
    let mut wrong = Vec::new();
    for bad in HOSTILE {
        let outcomes = [
            (
                "ServiceDelete",
                refusal(
                    client
                        .service_delete()
                        .project("acme")
                        .service_name(*bad)
                        .send()
                        .await,
                ),
            ),
            (
                "ServiceGet",
                refusal(
                    client
                        .service_get()
                        .project(*bad)
                        .service_name("pg")
                        .send()
                        .await,
                ),
            ),
            (
                "ServiceKafkaTopicGet",
                refusal(
                    client
                        .service_kafka_topic_get()
                        .project("acme")
                        .service_name("kafka")
                        .topic_name(*bad)
                        .send()
                        .await,
                ),
            ),
        ];
        for (op, outcome) in outcomes {
            match outcome {
                Ok(msg) if msg.starts_with(op) && msg.contains("nothing was sent") => {}
                other => wrong.push(format!("{op} {bad:?}: {other:?}")),
            }
        }
    }
    let msg = refusal(
        client
            .service_delete()
            .project("acme")
            .service_name("..")
            .send()
            .await,
    );
    let lines: Vec<_> = server
        .received()
        .iter()
        .map(|r| r.request_line().to_owned())
        .collect();
    assert!(
        wrong.is_empty() && lines.is_empty(),
        "{} of {} calls not refused: {wrong:#?}\n{} requests reached the server: {lines:#?}",
        wrong.len(),
        3 * HOSTILE.len(),
        lines.len()
    );
    let msg = msg.unwrap();
    assert!(msg.contains("service_name (the 2nd"), "{msg}");
}

#[tokio::test]
async fn raw_client_sends_ordinary_names_to_their_own_path() {
    let server = ok_server();
    let client = raw(&server);
    for name in ["pg-1", "a b", "ä", "Legacy_Name.1", "..."] {
        let _ = client
            .service_delete()
            .project("acme")
            .service_name(name)
            .send()
            .await;
    }
    let lines: Vec<_> = server
        .received()
        .iter()
        .map(|r| r.request_line().to_owned())
        .collect();
    assert_eq!(
        lines,
        [
            "DELETE /v1/project/acme/service/pg-1 HTTP/1.1",
            "DELETE /v1/project/acme/service/a%20b HTTP/1.1",
            "DELETE /v1/project/acme/service/%C3%A4 HTTP/1.1",
            "DELETE /v1/project/acme/service/Legacy_Name.1 HTTP/1.1",
            "DELETE /v1/project/acme/service/... HTTP/1.1",
        ]
    );
}

fn is_validation(e: &Error, field: &str) -> bool {
    matches!(e, Error::Validation { field: f, .. } if *f == field)
}

#[tokio::test]
async fn aiven_ext_refuses_hostile_names_with_a_typed_error() {
    let server = ok_server();
    let client = ext(&server);
    let short = Duration::from_millis(50);
    for bad in HOSTILE {
        let bad = *bad;
        let e = client.delete_service("acme", bad).send().await.unwrap_err();
        assert!(is_validation(&e, "service_name"), "{bad:?}: {e:?}");
        let e = client.delete_service(bad, "pg-1").send().await.unwrap_err();
        assert!(is_validation(&e, "project"), "{bad:?}: {e:?}");
        let e = client.get_service("acme", bad).await.unwrap_err();
        assert!(is_validation(&e, "service_name"), "{bad:?}: {e:?}");
        let e = client
            .update_service("acme", bad)
            .plan("startup-8")
            .send()
            .await
            .unwrap_err();
        assert!(is_validation(&e, "service_name"), "{bad:?}: {e:?}");
        let e = client
            .power_off_service(bad, "pg-1")
            .send()
            .await
            .unwrap_err();
        assert!(is_validation(&e, "project"), "{bad:?}: {e:?}");
        let e = client
            .wait_until_service_running("acme", bad)
            .wait(short)
            .await
            .unwrap_err();
        assert!(is_validation(&e, "service_name"), "{bad:?}: {e:?}");
        let e = client
            .wait_until_service_deleted(bad, "pg-1")
            .wait(short)
            .await
            .unwrap_err();
        assert!(is_validation(&e, "project"), "{bad:?}: {e:?}");
        let e = client
            .wait_until_topic_active("acme", "kafka", bad)
            .wait(short)
            .await
            .unwrap_err();
        assert!(is_validation(&e, "topic_name"), "{bad:?}: {e:?}");
        let e = client
            .wait_until_connector_running("acme", "kafka", bad)
            .wait(short)
            .await
            .unwrap_err();
        assert!(is_validation(&e, "connector_name"), "{bad:?}: {e:?}");
        let e = client
            .wait_until_vpc_active("acme", bad)
            .wait(short)
            .await
            .unwrap_err();
        assert!(is_validation(&e, "project_vpc_id"), "{bad:?}: {e:?}");
        let e = client
            .wait_until_integration_active("acme", bad)
            .wait(short)
            .await
            .unwrap_err();
        assert!(is_validation(&e, "integration_id"), "{bad:?}: {e:?}");
        let e = client.list_service_types(Some(bad)).await.unwrap_err();
        assert!(is_validation(&e, "project"), "{bad:?}: {e:?}");
        // The generated operations reached through aiven-ext: the hook.
        let e: Error = client
            .service_delete()
            .project("acme")
            .service_name(bad)
            .send()
            .await
            .unwrap_err()
            .into();
        assert!(
            matches!(&e, Error::InvalidRequest(m) if m.starts_with("ServiceDelete")),
            "{bad:?}: {e:?}"
        );
    }
    let paths: Vec<_> = server
        .received()
        .iter()
        .map(|r| r.request_line().to_owned())
        .collect();
    assert!(paths.is_empty(), "requests reached the server: {paths:?}");
}

#[tokio::test]
async fn aiven_ext_sends_ordinary_names_to_their_own_path() {
    let server = ok_server();
    let client = ext(&server);
    client.get_service("acme-dev", "pg-1").await.unwrap();
    client
        .get_service("acme_dev", "Legacy_Name.1")
        .await
        .unwrap();
    let _ = client
        .wait_until_topic_active("acme", "kafka", "orders.v1_eu-west")
        .wait(Duration::ZERO)
        .await;
    let lines: Vec<_> = server
        .received()
        .iter()
        .map(|r| r.request_line().to_owned())
        .collect();
    assert_eq!(
        lines,
        [
            "GET /v1/project/acme-dev/service/pg-1 HTTP/1.1",
            "GET /v1/project/acme_dev/service/Legacy_Name.1 HTTP/1.1",
            "GET /v1/project/acme/service/kafka/topic/orders.v1_eu-west HTTP/1.1",
        ]
    );
}
