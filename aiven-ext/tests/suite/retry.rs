//! Retries and error decoding over real HTTP on loopback; delays are
//! recorded by a mock clock, so nothing actually sleeps.

use std::time::Duration;

use crate::common::{self, client, first, serve_service, service, SVC};
use aiven_ext::aiven_api::{self, types};
use aiven_ext::clock::{Clock, MockClock};
use aiven_ext::{Error, RetryPolicy};
use httpmock::prelude::*;
use serde_json::json;

fn create_body() -> types::builder::ServiceCreateRequestBody {
    types::ServiceCreateRequestBody::builder()
        .service_name("pg-1")
        .service_type("pg")
        .plan("hobbyist")
}

const MS: fn(u64) -> Duration = Duration::from_millis;

#[tokio::test]
async fn get_503_is_retried_with_full_jitter_then_succeeds() {
    let server = MockServer::start_async().await;
    let failing = server
        .mock_async(|when, then| {
            when.method(GET).path(SVC).is_true(first(2));
            then.status(503).body("upstream unavailable");
        })
        .await;
    let ok = serve_service(&server, "pg-1", "RUNNING").await;
    let clock = MockClock::new();
    let svc = client(&server, &clock)
        .get_service("p", "pg-1")
        .await
        .unwrap();
    assert_eq!(svc.state.as_deref(), Some("RUNNING"));
    assert_eq!(
        (failing.calls_async().await, ok.calls_async().await),
        (2, 1)
    );
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 2);
    // Retry n waits uniformly in [200 ms, 200 ms·2ⁿ].
    assert!((MS(200)..=MS(400)).contains(&sleeps[0]), "{sleeps:?}");
    assert!((MS(200)..=MS(800)).contains(&sleeps[1]), "{sleeps:?}");
}

#[tokio::test]
async fn get_500_is_retried_until_attempts_run_out() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method(GET).path(SVC);
            then.status(500).json_body(json!({"message": "boom"}));
        })
        .await;
    let clock = MockClock::new();
    let err = client(&server, &clock)
        .get_service("p", "pg-1")
        .await
        .unwrap_err();
    assert_eq!(m.calls_async().await, 4, "default: 4 attempts");
    assert_eq!(clock.sleeps().len(), 3);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert!(err.is_retryable(), "500 on an idempotent GET");
    assert_eq!(err.api().unwrap().message, "boom");
}

#[tokio::test]
async fn post_500_and_503_are_not_retried() {
    let server = MockServer::start_async().await;
    let clock = MockClock::new();
    let c = client(&server, &clock);
    for status in [500, 503] {
        let m = server
            .mock_async(|when, then| {
                when.method(POST).path("/v1/project/p/service");
                then.status(status)
                    .json_body(json!({"message": "maybe created"}));
            })
            .await;
        let err: Error = c
            .service_create()
            .project("p")
            .body(create_body())
            .send()
            .await
            .unwrap_err()
            .into();
        assert_eq!(m.calls_async().await, 1, "POST {status} sent once");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(err.api().unwrap().operation_id(), Some("ServiceCreate"));
        m.delete_async().await;
    }
    assert!(clock.sleeps().is_empty());
    assert!(!Error::from(
        c.service_create()
            .project("p")
            .body(create_body())
            .send()
            .await
            .unwrap_err()
    )
    .is_retryable());
}

#[tokio::test]
async fn post_429_is_retried_after_retry_after_seconds() {
    let server = MockServer::start_async().await;
    let limited = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/project/p/service")
                .is_true(first(1));
            then.status(429)
                .header("Retry-After", "7")
                .json_body(json!({"message": "slow down"}));
        })
        .await;
    let ok = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/project/p/service");
            then.status(200)
                .json_body(json!({ "service": service("pg-1", "REBUILDING") }));
        })
        .await;
    let clock = MockClock::new();
    let c = client(&server, &clock);
    c.service_create()
        .project("p")
        .body(create_body())
        .send()
        .await
        .unwrap();
    assert_eq!(
        (limited.calls_async().await, ok.calls_async().await),
        (1, 1)
    );
    assert_eq!(clock.sleeps(), [Duration::from_secs(7)]);
}

#[tokio::test]
async fn retry_after_http_date_is_honoured() {
    let server = MockServer::start_async().await;
    let clock = MockClock::new();
    let date = httpdate::fmt_http_date(clock.system_now() + Duration::from_secs(30));
    server
        .mock_async(|when, then| {
            when.method(GET).path(SVC).is_true(first(1));
            then.status(503).header("Retry-After", date.as_str());
        })
        .await;
    serve_service(&server, "pg-1", "RUNNING").await;
    client(&server, &clock)
        .get_service("p", "pg-1")
        .await
        .unwrap();
    assert_eq!(clock.sleeps(), [Duration::from_secs(30)]);
}

#[tokio::test]
async fn retry_after_beyond_the_budget_is_not_waited_for() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method(GET).path(SVC);
            then.status(429)
                .header("Retry-After", "120")
                .json_body(json!({"message": "quota"}));
        })
        .await;
    let clock = MockClock::new();
    let err = client(&server, &clock)
        .get_service("p", "pg-1")
        .await
        .unwrap_err();
    assert_eq!(m.calls_async().await, 1);
    assert!(clock.sleeps().is_empty());
    assert!(err.is_rate_limited() && err.is_retryable());
    assert_eq!(
        err.api().unwrap().retry_after,
        Some(Duration::from_secs(120))
    );
}

/// A retry must leave its attempt a second (or a quarter of the budget):
/// one started with milliseconds left would time out at once, and a create
/// it sent might be made yet reported as failed.
#[tokio::test]
async fn a_retry_leaving_its_attempt_no_time_is_not_made() {
    for (retry_after, calls) in [("9", 1), ("8", 2)] {
        let server = MockServer::start_async().await;
        let m = server
            .mock_async(|when, then| {
                when.method(GET).path(SVC);
                then.status(503).header("Retry-After", retry_after);
            })
            .await;
        let clock = MockClock::new();
        let mut policy = RetryPolicy::default();
        (policy.max_attempts, policy.total_budget) = (2, MS(9500));
        let c = common::builder(&server, &clock)
            .retry_policy(policy)
            .build()
            .unwrap();
        c.get_service("p", "pg-1").await.unwrap_err();
        // 9 s + 1 s > 9.5 s: not retried; 8 s + 1 s fits.
        assert_eq!(m.calls_async().await, calls, "Retry-After {retry_after}");
    }
}

#[tokio::test]
async fn total_budget_ends_retries() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method(GET).path(SVC);
            then.status(502);
        })
        .await;
    let clock = MockClock::new();
    let mut policy = RetryPolicy::default();
    (policy.min_delay, policy.max_delay, policy.total_budget) = (MS(600), MS(600), MS(1000));
    let c = common::builder(&server, &clock)
        .retry_policy(policy)
        .build()
        .unwrap();
    let err = c.get_service("p", "pg-1").await.unwrap_err();
    // 0.6 s fits in 1 s; a second 0.6 s would end at 1.2 s.
    assert_eq!(clock.sleeps(), [MS(600)]);
    assert_eq!(m.calls_async().await, 2);
    // The proxy's empty 502 still yields status and a message.
    assert_eq!(err.api().unwrap().message, "Bad Gateway");
}

#[tokio::test]
async fn connection_refused_is_retried_even_for_post() {
    let clock = MockClock::new();
    let c = aiven_ext::AivenClient::builder()
        .base_url(format!("http://127.0.0.1:{}", common::closed_port()))
        .token(common::TOKEN)
        .clock(clock.shared())
        .build()
        .unwrap();
    let err: Error = c
        .service_create()
        .project("p")
        .body(create_body())
        .send()
        .await
        .unwrap_err()
        .into();
    assert!(
        matches!(&err, Error::Transport { source: e, .. } if e.is_connect()),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_eq!(
        clock.sleeps().len(),
        3,
        "never reached the server: safe to resend"
    );
}

#[tokio::test]
async fn timeout_after_sending_retried_for_get_not_for_post() {
    let server = MockServer::start_async().await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path(SVC);
            then.status(200).delay(MS(1500)).json_body(json!({}));
        })
        .await;
    let post = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/project/p/service");
            then.status(200).delay(MS(1500)).json_body(json!({}));
        })
        .await;
    let clock = MockClock::new();
    let c = common::builder(&server, &clock)
        .timeout(MS(150))
        .build()
        .unwrap();
    let err: Error = c
        .service_create()
        .project("p")
        .body(create_body())
        .send()
        .await
        .unwrap_err()
        .into();
    assert!(
        matches!(&err, Error::Transport { source: e, .. } if e.is_timeout()),
        "{err:?}"
    );
    assert_eq!(
        post.calls_async().await,
        1,
        "the create may have happened: not resent"
    );
    let err = c.get_service("p", "pg-1").await.unwrap_err();
    assert!(
        matches!(&err, Error::Transport { source: e, .. } if e.is_timeout()),
        "{err:?}"
    );
    assert_eq!(get.calls_async().await, 4);
}

#[tokio::test]
async fn api_errors_carry_status_operation_codes_and_request_id() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(SVC);
            then.status(404).header("x-request-id", "req-123").json_body(json!({
                "message": "Service not found",
                "errors": [{"error_code": "service_not_found", "message": "Service not found", "status": 404}]
            }));
        })
        .await;
    let err = client(&server, &MockClock::new())
        .get_service("p", "pg-1")
        .await
        .unwrap_err();
    assert!(err.is_not_found() && !err.is_retryable() && !err.is_already_exists());
    let api = err.api().unwrap();
    assert_eq!(api.operation_id(), Some("ServiceGet"));
    assert_eq!(api.error_codes, ["service_not_found"]);
    assert_eq!(api.request_id.as_deref(), Some("req-123"));
    assert_eq!(
        err.to_string(),
        "ServiceGet: HTTP 404 Not Found: Service not found [service_not_found] (request id req-123)"
    );
}

/// The generated client's error carries the call it answered as a value
/// (`AivenError::call`): the operation the hooks resolved and the attempts
/// the transport counted, with aiven-ext's retries and without them.
#[tokio::test]
async fn a_generated_error_carries_its_operation_and_attempts() {
    let server = MockServer::start_async().await;
    let busy = server
        .mock_async(|when, then| {
            when.method(GET).path(SVC).is_true(first(2));
            then.status(503).body("busy");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(SVC);
            then.status(404)
                .json_body(json!({"message": "Service not found"}));
        })
        .await;
    let c = client(&server, &MockClock::new());
    let (raw, call) = service_get_error(&c).await;
    // A 503 may have been processed: both earlier attempts are ambiguous.
    assert_eq!((call.attempts.sent, call.attempts.ambiguous), (3, 2));
    assert_eq!(busy.calls_async().await, 2);
    let err = Error::from(raw);
    let api = err.api().unwrap();
    assert_eq!(
        (api.operation_id(), api.attempts, api.ambiguous_attempts),
        (Some("ServiceGet"), 3, 2)
    );

    // Without a transport: sent once, the operation still known.
    let plain = aiven_api::Client::new(
        &format!("{}/v1", server.base_url()),
        aiven_api::hooks::ClientState::new(),
    );
    let (_, call) = service_get_error(&plain).await;
    assert_eq!(call.attempts, aiven_api::hooks::Attempts::default());
    assert_eq!(call.attempts.sent, 1);
}

/// `ServiceGet` of pg-1 through `client`, which must fail with an error
/// response carrying its call, resolved as `ServiceGet`.
async fn service_get_error(
    client: &aiven_api::Client,
) -> (aiven_api::Error<types::AivenError>, aiven_api::hooks::Call) {
    let raw = client
        .service_get()
        .project("p")
        .service_name("pg-1")
        .send()
        .await
        .unwrap_err();
    let aiven_api::Error::ErrorResponse(body) = &raw else {
        panic!("{raw:?}");
    };
    let call = body.call.expect("the call is set on the error");
    assert_eq!(call.operation.operation_id, "ServiceGet");
    (raw, call)
}

#[tokio::test]
async fn non_json_error_bodies_become_the_message() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/project/p/service");
            then.status(502)
                .header("request-id", "r-9")
                .body("<html><h1>502 Bad Gateway</h1></html>");
        })
        .await;
    let c = client(&server, &MockClock::new());
    let err: Error = c
        .service_create()
        .project("p")
        .body(create_body())
        .send()
        .await
        .unwrap_err()
        .into();
    let api = err.api().unwrap();
    assert_eq!(api.status.as_u16(), 502);
    assert_eq!(api.message, "<html><h1>502 Bad Gateway</h1></html>");
    assert_eq!(api.request_id.as_deref(), Some("r-9"));
}

#[tokio::test]
async fn conflict_forbidden_and_rate_limit_helpers() {
    let server = MockServer::start_async().await;
    let c = client(&server, &MockClock::new());
    let cases = [
        (409, "Service already exists", "already"),
        (403, "Service is protected against termination and shutdown. Remove termination protection first.", "protected"),
        (403, "Not allowed", "forbidden"),
    ];
    for (status, message, kind) in cases {
        let m = server
            .mock_async(|when, then| {
                when.method(GET).path(SVC);
                then.status(status).json_body(json!({ "message": message }));
            })
            .await;
        let err = c.get_service("p", "pg-1").await.unwrap_err();
        assert_eq!(err.is_already_exists(), kind == "already");
        assert_eq!(err.is_termination_protected(), kind == "protected");
        assert!(!err.is_rate_limited() && !err.is_not_found());
        m.delete_async().await;
    }
}

#[tokio::test]
async fn success_with_an_undecodable_body_is_an_invalid_response() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(SVC);
            then.status(200).body("not json");
        })
        .await;
    let err = client(&server, &MockClock::new())
        .get_service("p", "pg-1")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidResponse { body, .. } if body == "not json"),
        "{err:?}"
    );
}

/// The backoff's randomness is injectable: with the jitter at the top of
/// its range, the delays are exactly the doubling ceilings.
#[tokio::test]
async fn delays_are_exact_with_a_fixed_jitter() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(SVC).is_true(first(3));
            then.status(503);
        })
        .await;
    serve_service(&server, "pg-1", "RUNNING").await;
    let clock = MockClock::new();
    let c = common::builder(&server, &clock)
        .jitter(std::sync::Arc::new(aiven_ext::backoff::FixedJitter(1.0)))
        .build()
        .unwrap();
    c.get_service("p", "pg-1").await.unwrap();
    let ms = |v: &[u64]| {
        v.iter()
            .map(|&m| Duration::from_millis(m))
            .collect::<Vec<_>>()
    };
    assert_eq!(clock.sleeps(), ms(&[400, 800, 1600]));

    // The waiter's delays come from the same module: midpoints of
    // [2 s, 4 s], [2 s, 8 s], [2 s, 16 s].
    let clock = MockClock::new();
    let server = MockServer::start_async().await;
    serve_service(&server, "pg-1", "REBUILDING").await;
    let c = common::builder(&server, &clock)
        .jitter(std::sync::Arc::new(aiven_ext::backoff::FixedJitter(0.5)))
        .build()
        .unwrap();
    let _ = c
        .wait_until_service_running("p", "pg-1")
        .wait(Duration::from_secs(20))
        .await
        .unwrap_err();
    assert_eq!(clock.sleeps(), ms(&[3000, 5000, 9000, 3000]));
}

/// One classification: what the transport repeats is what `is_retryable`
/// says, per method.
#[tokio::test]
async fn is_retryable_agrees_with_the_transport() {
    let server = MockServer::start_async().await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path(SVC);
            then.status(503);
        })
        .await;
    let post = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/project/p/service");
            then.status(503);
        })
        .await;
    let c = client(&server, &MockClock::new());
    let e = c.get_service("p", "pg-1").await.unwrap_err();
    assert!(e.is_retryable(), "{e:?}");
    assert_eq!(
        get.calls_async().await,
        4,
        "the transport repeats a 503 GET"
    );
    let e = c
        .create_service("p", create_body())
        .existence_check(false)
        .send()
        .await
        .unwrap_err();
    assert!(!e.is_retryable(), "{e:?}");
    assert_eq!(post.calls_async().await, 1, "and never a 503 POST");
}

/// `is_retryable()` is the one classification's verdict: a 2xx whose body
/// cannot be decoded is ambiguous (processed, answer unreadable), so a GET
/// may be sent again and a POST may not — as the transport and the create
/// helper treat it.
#[tokio::test]
async fn is_retryable_is_the_classification_verdict_for_undecodable_successes() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(SVC);
            // Not an object: undecodable even leniently (a field of the
            // wrong type alone is decoded as absent).
            then.status(200)
                .json_body(json!([{"service": {"service_name": "pg-1"}}]));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/project/p/service");
            then.status(200)
                .json_body(json!({"service": "not an object"}));
        })
        .await;
    let clock = MockClock::new();
    let c = client(&server, &clock);
    let get = c.get_service("p", "pg-1").await.unwrap_err();
    assert!(matches!(get, Error::InvalidResponse { .. }), "{get:?}");
    assert!(get.is_retryable(), "an undecodable 200 to a GET: {get}");
    let post = c
        .create_service("p", create_body())
        .existence_check(false)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(post, Error::InvalidResponse { .. }), "{post:?}");
    assert!(!post.is_retryable(), "an undecodable 200 to a POST: {post}");
}
