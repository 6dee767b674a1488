//! The hooks beside the generated client open one `tracing` span per call
//! with the operation id, method, path, status and duration, and never record
//! the Authorization header.

use std::io::Write;
use std::sync::{Arc, Mutex};

use httpmock::Method::GET;
use httpmock::MockServer;
use serde_json::json;
use tracing_subscriber::fmt::format::FmtSpan;

/// A writer that keeps everything the subscriber prints.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn each_call_has_a_span_with_operation_status_and_no_token() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

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

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
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
