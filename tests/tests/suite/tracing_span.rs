//! The hooks beside the generated client open one `tracing` span per call
//! with the operation id, method, path, status and duration, and never record
//! the Authorization header.

use httpmock::Method::GET;
use httpmock::MockServer;
use serde_json::json;

use crate::log::Log;

#[tokio::test]
async fn each_call_has_a_span_with_operation_status_and_no_token() {
    let (captured, _guard) = Log::capture("trace");

    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/project/acme/service/pg-demo");
            then.status(200)
                .json_body(json!({"service": aiven_tests::service_json()}));
        })
        .await;
    let secret = "very-secret-token-4711";
    aiven_tests::raw_client(&server.base_url(), Some(secret))
        .service_get()
        .project("acme")
        .service_name("pg-demo")
        .send()
        .await
        .expect("service get");

    let log = captured.text();
    assert!(log.contains("operation_id=\"ServiceGet\""), "{log}");
    assert!(log.contains("method=GET"), "{log}");
    assert!(
        log.contains("path=/v1/project/acme/service/pg-demo"),
        "{log}"
    );
    assert!(log.contains("status=200"), "{log}");
    assert!(log.contains("duration_ms="), "{log}");
    assert!(
        !log.contains(secret),
        "the token leaked into the trace: {log}"
    );
    assert!(!log.to_ascii_lowercase().contains("authorization"), "{log}");
}
