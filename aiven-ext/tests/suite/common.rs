//! Shared fixtures: a client pointed at a loopback mock server with a mock
//! clock, and request-counting matchers to script response sequences.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use aiven_ext::clock::MockClock;
use aiven_ext::{AivenClient, AivenClientBuilder};
use httpmock::prelude::*;
use serde_json::{json, Value};

pub const TOKEN: &str = "s3cr3t-t0ken-value";

/// A builder for `server` with a token and `clock`.
pub fn builder(server: &MockServer, clock: &MockClock) -> AivenClientBuilder {
    AivenClient::builder()
        .base_url(server.base_url())
        .token(TOKEN)
        .clock(clock.shared())
}

/// A client for `server` with a token and `clock`.
pub fn client(server: &MockServer, clock: &MockClock) -> AivenClient {
    builder(server, clock).build().unwrap()
}

/// A matcher true for the first `n` requests it sees: put the mock using
/// it before the fallback mock (httpmock tries mocks in creation order).
pub fn first(n: usize) -> impl Fn(&HttpMockRequest) -> bool + Send + Sync + 'static {
    let seen = Arc::new(AtomicUsize::new(0));
    move |_| seen.fetch_add(1, Ordering::SeqCst) < n
}

/// A service as `GET /project/p/service/s` returns it.
pub fn service(name: &str, state: &str) -> Value {
    json!({
        "service_name": name,
        "service_type": "pg",
        "plan": "startup-4",
        "state": state,
        "disk_space_mb": 81920,
        "node_states": [{"name": format!("{name}-1"), "state": "running"}],
        "termination_protection": false,
    })
}

/// A port on loopback nothing listens on.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// The service path the tests use.
pub const SVC: &str = "/v1/project/p/service/pg-1";

/// `GET SVC` answers 200 with `service(name, state)`.
pub async fn serve_service<'a>(
    server: &'a MockServer,
    name: &str,
    state: &str,
) -> httpmock::Mock<'a> {
    let body = json!({ "service": service(name, state) });
    server
        .mock_async(|when, then| {
            when.method(GET).path(SVC);
            then.status(200).json_body(body);
        })
        .await
}
