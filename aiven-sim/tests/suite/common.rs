//! Shared test helpers: a simulator on loopback with a manual clock and
//! in-line response checking, the generated client pointed at it, and a
//! raw HTTP client for what the generated one cannot send.
//!
//! Every [`TestSim`] checks, when dropped at the end of a passing test, that
//! every response it sent conformed to the description (normalized and
//! published response schemas for its operation and status).

use std::time::Duration;

use aiven_api::types;
use aiven_sim::{FaultRule, ManualClock, SimHandle, Simulator, SimulatorBuilder, Timings};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

/// The token the test simulators accept.
pub const TOKEN: &str = "test-token";

/// A running simulator with its clock and clients.
pub struct TestSim {
    /// The simulator.
    pub sim: SimHandle,
    /// Its clock.
    pub clock: ManualClock,
    /// The generated client, authenticated.
    pub client: aiven_api::Client,
    /// A raw HTTP client (no auth header).
    pub http: reqwest::Client,
}

/// A builder with the test defaults: token, manual clock, fast timings,
/// response checking.
pub fn builder(clock: &ManualClock) -> SimulatorBuilder {
    Simulator::builder()
        .token(TOKEN)
        .clock(clock.clone())
        .timings(Timings::fast())
        .validate_responses(true)
}

/// Starts a test simulator with the defaults.
pub async fn start() -> TestSim {
    start_with(|b| b).await
}

/// Starts a test simulator, customizing the builder.
pub async fn start_with(f: impl FnOnce(SimulatorBuilder) -> SimulatorBuilder) -> TestSim {
    let clock = ManualClock::new();
    let sim = f(builder(&clock)).start().await.expect("simulator starts");
    let client = client(sim.base_url(), Some(TOKEN));
    TestSim {
        sim,
        clock,
        client,
        http: aiven_api::tls::client_builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap(),
    }
}

/// Starts a test simulator on `clock` keeping its state in `path` (a
/// restart is another call on the same clock and path).
pub async fn start_on(clock: &ManualClock, path: &std::path::Path) -> TestSim {
    let sim = builder(clock)
        .state_file(path)
        .start()
        .await
        .expect("starts");
    TestSim {
        client: client(sim.base_url(), Some(TOKEN)),
        sim,
        clock: clock.clone(),
        http: aiven_api::tls::client_builder().build().unwrap(),
    }
}

/// Starts a test simulator with fault rules.
pub async fn start_with_faults(rules: Vec<FaultRule>, seed: u64) -> TestSim {
    start_with(move |mut b| {
        for r in rules {
            b = b.fault(r);
        }
        b.seed(seed)
    })
    .await
}

/// The generated client for `base_url`, sending `aivenv1 TOKEN` if given.
pub fn client(base_url: &str, token: Option<&str>) -> aiven_api::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(t) = token {
        headers.insert(
            reqwest::header::AUTHORIZATION,
            reqwest::header::HeaderValue::from_str(&format!("aivenv1 {t}")).unwrap(),
        );
    }
    let http = aiven_api::tls::client_builder()
        .default_headers(headers)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    aiven_api::Client::new_with_client(base_url, http, aiven_api::hooks::ClientState::new())
}

/// A typed request body from JSON.
pub fn body<T: DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("body matches the generated type")
}

/// The status and Aiven error of a failed call.
pub fn api_error<T: std::fmt::Debug>(
    r: Result<aiven_api::ResponseValue<T>, aiven_api::Error<types::AivenError>>,
) -> (u16, types::AivenError) {
    match r {
        Err(aiven_api::Error::ErrorResponse(rv)) => (rv.status().as_u16(), rv.into_inner()),
        other => panic!("expected an Aiven error response, got {other:?}"),
    }
}

impl TestSim {
    /// `{base}/path` (path relative to `/v1`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sim.base_url())
    }

    /// A raw request with the test token; returns status, headers and JSON body.
    pub async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let mut r = self
            .http
            .request(method, self.url(path))
            .header("authorization", format!("aivenv1 {TOKEN}"));
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = r.send().await.expect("request sent");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("body read");
        let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, headers, json)
    }

    /// Creates a project.
    pub async fn project(&self, name: &str) {
        self.client
            .project_create()
            .body(body::<types::ProjectCreateRequestBody>(
                json!({ "project": name }),
            ))
            .send()
            .await
            .expect("project created");
    }

    /// Creates a service and returns its state as first answered.
    pub async fn service(
        &self,
        project: &str,
        name: &str,
        kind: &str,
        plan: &str,
    ) -> types::Service {
        self.client
            .service_create()
            .project(project)
            .body(body::<types::ServiceCreateRequestBody>(json!({
                "service_name": name,
                "service_type": kind,
                "plan": plan,
            })))
            .send()
            .await
            .expect("service created")
            .into_inner()
            .service
            .expect("service in response")
    }

    /// Reads a service.
    pub async fn get(&self, project: &str, name: &str) -> types::Service {
        self.client
            .service_get()
            .project(project)
            .service_name(name)
            .send()
            .await
            .expect("service read")
            .into_inner()
            .service
            .expect("service in response")
    }

    /// Reads a service's state.
    pub async fn state(&self, project: &str, name: &str) -> String {
        self.get(project, name).await.state.unwrap_or_default()
    }

    /// Advances the manual clock.
    pub fn advance(&self, secs: u64) {
        self.clock.advance(Duration::from_secs(secs));
    }
}

impl Drop for TestSim {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let report = self.sim.conformance();
        report.assert_clean();
        assert!(
            report.total() > 0 || self.sim.stats().requests == 0,
            "responses were sent but none was checked"
        );
    }
}
