//! Shared test helpers: a simulator on loopback with a manual clock and
//! in-line response checking, the generated client pointed at it, and a
//! raw HTTP client for what the generated one cannot send.
//!
//! Every [`TestSim`] checks, when dropped at the end of a passing test, that
//! every response it sent conformed to the description (normalized and
//! published response schemas for its operation and status).
//!
//! Also: states compared naming their first difference ([`assert_same_state`]), and a walk through every
//! operation of the description with valid requests
//! ([`walk_every_operation`]).

use std::collections::BTreeMap;
use std::time::Duration;

use aiven_api::types;
use aiven_sim::generic::{self, Role};
use aiven_sim::spec::{spec, OperationSpec};
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

/// A request with the token to `root` + `path` (`/v1/…` or `/_sim/…`); its
/// status and JSON body (a string if it is not JSON, `""` if empty).
pub async fn request(
    http: &reqwest::Client,
    root: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut r = http
        .request(method, format!("{root}{path}"))
        .header("Authorization", format!("aivenv1 {TOKEN}"));
    if let Some(b) = body {
        r = r.json(&b);
    }
    let r = r.send().await.expect("request sent");
    let status = r.status().as_u16();
    let text = r.text().await.expect("body read");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

// ----- States compared -----

/// The state in a `GET /_sim/state` answer: the answer itself, or its
/// `state` member if it is an envelope (`{"format", "version", "state"}`).
pub fn state_body(snapshot: &Value) -> &Value {
    match snapshot.get("state") {
        Some(state) if snapshot.get("format").is_some() => state,
        _ => snapshot,
    }
}

/// The first place (a JSON path, `$.projects.p.services`) where `a` and `b`
/// differ, with both values there; `None` if they are equal.
pub fn first_difference(a: &Value, b: &Value) -> Option<String> {
    fn walk(a: &Value, b: &Value, at: &mut String) -> Option<String> {
        let differ = |at: &str, a: &Value, b: &Value| {
            let short = |v: &Value| {
                let s = v.to_string();
                if s.len() > 300 {
                    format!("{}…", s.chars().take(300).collect::<String>())
                } else {
                    s
                }
            };
            Some(format!("at {at}: {} ≠ {}", short(a), short(b)))
        };
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
                for k in keys {
                    let len = at.len();
                    at.push('.');
                    at.push_str(k);
                    let found = match (x.get(k), y.get(k)) {
                        (Some(u), Some(v)) => walk(u, v, at),
                        (u, v) => differ(at, u.unwrap_or(&Value::Null), v.unwrap_or(&Value::Null))
                            .map(|d| {
                                format!(
                                    "{d} (present only {})",
                                    if u.is_some() { "before" } else { "after" }
                                )
                            }),
                    };
                    at.truncate(len);
                    if found.is_some() {
                        return found;
                    }
                }
                None
            }
            (Value::Array(x), Value::Array(y)) => {
                for (i, (u, v)) in x.iter().zip(y).enumerate() {
                    let len = at.len();
                    at.push_str(&format!("[{i}]"));
                    let found = walk(u, v, at);
                    at.truncate(len);
                    if found.is_some() {
                        return found;
                    }
                }
                (x.len() != y.len())
                    .then(|| format!("at {at}: {} items ≠ {} items", x.len(), y.len()))
            }
            _ if a == b => None,
            _ => differ(at, a, b),
        }
    }
    walk(a, b, &mut "$".to_string())
}

/// Panics naming the first difference (`what`: which states, and why they
/// should be equal) unless `before` and `after` are equal.
#[track_caller]
pub fn assert_same_state(before: &Value, after: &Value, what: &str) {
    if let Some(d) = first_difference(before, after) {
        panic!("{what}: the states differ {d}");
    }
}

// ----- A walk through every operation -----

/// What [`walk_every_operation`] drives: a simulator in this process or the
/// binary.
#[allow(async_fn_in_trait)]
pub trait Target {
    /// A request under `/v1`: its status and JSON body.
    async fn call(&mut self, method: &str, path: &str, body: Option<Value>) -> (u16, Value);
    /// `GET /_sim/state`.
    async fn snapshot(&mut self) -> Value;
    /// Called after each operation of the walk (`request`: `METHOD /path`).
    async fn answered(&mut self, _op: &OperationSpec, _request: &str, _status: u16) {}
}

/// The order operations are called in: creations first, the deletions of
/// the service and the project under everything last.
fn phase(id: &str, method: &str) -> u8 {
    let role = generic::index().get(id).map(|m| m.role);
    match (id, method, role) {
        ("ServiceDelete", ..) => 5,
        ("ProjectDelete", ..) => 6,
        (_, _, Some(Role::Create)) => 0,
        (_, "POST", _) => 1,
        (_, "PUT" | "PATCH", _) => 2,
        (_, "GET", _) => 3,
        _ => 4,
    }
}

/// A value for a path parameter nobody created.
fn default_param(name: &str) -> String {
    match name {
        "project" => "proj".into(),
        "organization_id" => aiven_sim::ORGANIZATION_ID.into(),
        "service_name" => "svc".into(),
        "service_username" => "sim-username".into(),
        "service_type" => "pg".into(),
        "service_plan" => "startup-4".into(),
        "dbname" => "defaultdb".into(),
        n if n.contains("email") => "user@example.com".into(),
        n => format!("sim-{}", n.replace('_', "-")),
    }
}

/// The concrete path of `template`: the test project and service, else a
/// key the simulator holds (`state`, a `GET /_sim/state` answer) in the
/// generic collection before the parameter, else a default.
fn fill(template: &str, state: &Value) -> String {
    let generic = &state_body(state)["generic"];
    let mut path = String::new();
    let mut pending: Vec<String> = Vec::new();
    for seg in template.split('/').filter(|s| !s.is_empty()) {
        let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
            pending.clear();
            path.push('/');
            path.push_str(seg);
            continue;
        };
        // Kafka's paths name the Kafka service.
        if name == "service_name" && (template.contains("/topic") || template.contains("/kafka")) {
            path.push_str("/kfk");
            continue;
        }
        if pending.is_empty() && !matches!(name, "project" | "service_name" | "organization_id") {
            if let Some(key) = generic
                .get(&path)
                .and_then(Value::as_object)
                .and_then(|items| items.keys().find(|k| !k.is_empty()))
            {
                pending = key.split('/').rev().map(str::to_string).collect();
            }
        }
        let value = pending.pop().unwrap_or_else(|| default_param(name));
        path.push('/');
        path.push_str(&value);
    }
    path
}

/// What a walk saw.
pub struct Walked {
    /// Each operation's status and body.
    pub answers: BTreeMap<&'static str, (u16, Value)>,
    /// Each operation's request, `METHOD /path`.
    pub paths: BTreeMap<&'static str, String>,
    /// The example requests the description refuses (none expected).
    pub invalid_examples: Vec<String>,
    /// Requests made besides the operations' own: the project and services
    /// the walk works in, made first, and two deleted before the project.
    pub setup_calls: usize,
}

/// Calls every operation of the description once with a valid request:
/// in a project `proj` with a PostgreSQL service `svc` and a Kafka service
/// `kfk`, parents before children, children deleted before their parents,
/// items named by what the generic model holds (see [`fill`]).
pub async fn walk_every_operation(t: &mut impl Target) -> Walked {
    let setup = [
        ("/project", json!({"project": "proj"})),
        (
            "/project/proj/service",
            json!({"service_name": "svc", "service_type": "pg", "plan": "startup-4"}),
        ),
        (
            "/project/proj/service",
            json!({"service_name": "kfk", "service_type": "kafka", "plan": "startup-2"}),
        ),
    ];
    let setup_calls = setup.len() + 2;
    for (path, body) in setup {
        let (status, b) = t.call("POST", path, Some(body)).await;
        assert_eq!(status, 200, "POST {path}: {b}");
    }
    let mut walked = Walked {
        answers: BTreeMap::new(),
        paths: BTreeMap::new(),
        invalid_examples: Vec::new(),
        setup_calls,
    };
    let mut ops: Vec<&'static OperationSpec> = spec().operations.iter().collect();
    // Parents before children, and children deleted before their parents.
    ops.sort_by_key(|op| {
        let p = phase(&op.operation_id, &op.method);
        let depth = op.path.matches('/').count() as i64;
        (p, if p >= 4 { -depth } else { depth })
    });
    let mut state = t.snapshot().await;
    for op in ops {
        // The catalogue knows no `sim-service-type`: a service it offers.
        let body = match op.operation_id.as_str() {
            "ServiceCreate" => {
                Some(json!({"service_name": "svc2", "service_type": "pg", "plan": "startup-4"}))
            }
            id => generic::example_request(id),
        };
        if op.operation_id == "ProjectDelete" {
            for other in ["kfk", "svc2"] {
                let path = format!("/project/proj/service/{other}");
                let (status, b) = t.call("DELETE", &path, None).await;
                assert_eq!(status, 200, "DELETE {path}: {b}");
            }
        }
        if let Some(b) = &body {
            let errors = aiven_sim::validation::validate_request(op, &mut b.clone());
            if !errors.is_empty() {
                walked
                    .invalid_examples
                    .push(format!("{}: {}", op.operation_id, errors[0]));
            }
        }
        let path = fill(&op.path, &state);
        let (status, answer) = t.call(&op.method, &path, body).await;
        let request = format!("{} {path}", op.method);
        state = t.snapshot().await;
        t.answered(op, &request, status).await;
        walked.paths.insert(&op.operation_id, request);
        walked.answers.insert(&op.operation_id, (status, answer));
    }
    walked
}
