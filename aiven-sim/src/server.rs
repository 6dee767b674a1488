//! The HTTP front: one axum fallback handler that matches every request
//! against the description's operations, then applies, in order: the body
//! size limit ([`MAX_BODY_BYTES`], 413), auth, faults, the content type
//! (415), JSON parsing (400; nesting capped at
//! [`crate::limits::MAX_JSON_DEPTH`]) and request validation (400), the size
//! caps of [`crate::limits`] (400), the handler (a panic is answered 500 and
//! leaves the simulator serving), persistence (with a state file, the change
//! is saved under the state lock before it is answered; one that cannot be
//! saved is rolled back and answered 500), response validation and response
//! damage; and logs and journals it. Paths under `/_sim` are the admin
//! API's (`crate::admin`, routed beside this fallback).
//!
//! No request holds the state lock while it renders a large answer: a
//! change runs its handler under the lock (one atomic step), but a `GET`
//! runs its handler on a copy of what it reads (the project its path names,
//! or the whole state when it names none), taken under the lock, so that
//! rendering, say, a topic's every partition never stalls other requests.
//! CPU-heavy steps (a GET's handler and rendering, parsing and validating
//! a body over [`OFFLOAD_BODY_BYTES`]; with a state file, every change and
//! its commit) run on Tokio's blocking pool, so the async workers stay free
//! to answer small requests meanwhile. With a state file a reader may wait
//! for one commit (a few records and an `fsync`) to take its copy.

use std::collections::{BTreeMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::State as AxumState;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::clock::{Clock, ManualClock};
use crate::conformance::{check_response, ConformanceReport};
use crate::error::ApiError;
use crate::faults::{Decision, Faults, Mangle};
use crate::handlers::{self, Ctx, Outcome, Req};
use crate::journal::{body_for_journal, shown_path, shown_query, JournalEntry, Recorder};
use crate::lifecycle::Timings;
use crate::model::State;
use crate::persist::Persister;
use crate::spec::{spec, OperationSpec, RouteMatch};
use crate::validation::validate_request;

/// The largest request body accepted (1 MiB); larger ones are answered 413
/// in Aiven's error format. Aiven's own requests are a few KiB at most.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A request body must arrive within this long once its headers have
/// (408 beyond), so that a client trickling a body cannot hold a
/// connection forever.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Bodies larger than this are parsed and validated on the blocking pool
/// (a 1 MiB body takes tens of milliseconds in a debug build).
pub const OFFLOAD_BODY_BYTES: usize = 64 * 1024;

/// Runs `f` on the blocking pool when `heavy`, inline otherwise (a panic
/// goes on unwinding in the caller, as inline).
async fn offload<T: Send + 'static>(heavy: bool, f: impl FnOnce() -> T + Send + 'static) -> T {
    if !heavy {
        return f();
    }
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
}

/// Request counters.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Requests answered.
    pub requests: u64,
    /// By HTTP status.
    pub by_status: BTreeMap<u16, u64>,
    /// By operation (`-` for paths outside the description).
    pub by_operation: BTreeMap<String, u64>,
    /// By operation and HTTP status, e.g. how many `ServiceCreate`s were
    /// answered 200 (a damaged answer counts with the status it was sent with).
    pub by_operation_status: BTreeMap<String, BTreeMap<u16, u64>>,
    /// Answers whose connection was dropped mid-body (a fault).
    pub dropped: u64,
    /// Answers whose JSON body was cut short (a fault).
    pub truncated: u64,
}

impl Stats {
    /// Requests for `operation_id` answered with `status`.
    pub fn count(&self, operation_id: &str, status: u16) -> u64 {
        self.by_operation_status
            .get(operation_id)
            .and_then(|m| m.get(&status))
            .copied()
            .unwrap_or(0)
    }

    /// Requests for `operation_id`, any status.
    pub fn operation(&self, operation_id: &str) -> u64 {
        self.by_operation.get(operation_id).copied().unwrap_or(0)
    }
}

/// Everything the handlers share.
pub(crate) struct Shared {
    pub state: Mutex<State>,
    pub clock: Arc<dyn Clock>,
    pub timings: Timings,
    pub faults: Faults,
    pub tokens: Option<HashSet<String>>,
    pub persister: Option<Persister>,
    pub validate_responses: bool,
    pub conformance: Mutex<ConformanceReport>,
    pub stats: Mutex<Stats>,
    /// The requests answered (admin API and `SimHandle::journal`).
    pub journal: Recorder,
    /// The clock, when it is a manual one (the admin API can advance it).
    pub manual_clock: Option<ManualClock>,
    /// The seed (a reset starts the state's generator over from it).
    pub seed: u64,
}

/// Whether the `Authorization` header carries an accepted token
/// (`aivenv1 TOKEN` or `Bearer TOKEN`; any token when none are configured).
pub(crate) fn authorized(tokens: Option<&HashSet<String>>, headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some((scheme, token)) = value.trim().split_once(' ') else {
        return false;
    };
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("aivenv1") || scheme.eq_ignore_ascii_case("bearer"))
        && !token.is_empty()
        && tokens.is_none_or(|t| t.contains(token))
}

/// Whether a `Content-Type` names JSON: `application/json` or
/// `application/*+json`, parameters (`; charset=utf-8`) allowed.
fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence
            .strip_prefix("application/")
            .is_some_and(|sub| sub.ends_with("+json"))
}

/// Reads the whole body, at most `limit` bytes (413 beyond, without
/// reading further; a declared `Content-Length` beyond is refused unread)
/// and within [`BODY_READ_TIMEOUT`] (408).
pub(crate) async fn read_body(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Bytes, ApiError> {
    tokio::time::timeout(BODY_READ_TIMEOUT, read_body_unbounded(headers, body, limit))
        .await
        .unwrap_or_else(|_| {
            Err(ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "Request body not received within {} s",
                    BODY_READ_TIMEOUT.as_secs()
                ),
            ))
        })
}

async fn read_body_unbounded(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Bytes, ApiError> {
    use futures::StreamExt;
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("Request body too large: at most {limit} bytes are accepted"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let mut stream = body.into_data_stream();
    let mut buf = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk
            .map_err(|e| ApiError::bad_request(format!("Cannot read the request body: {e}")))?;
        if buf.len() + chunk.len() > limit {
            return Err(too_large());
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(buf))
}

/// The axum handler of every request.
pub(crate) async fn dispatch(
    AxumState(shared): AxumState<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = Instant::now();
    let time_ms = shared.clock.now_ms();
    let mut received = None;
    let (operation, response) =
        process(&shared, &method, &uri, &headers, body, &mut received).await;
    let status = response.status().as_u16();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    // Secret path parameters (`download_cookie`) and query values are
    // neither journaled nor logged.
    let template = operation.and_then(|id| spec().operation(id));
    let shown_path = shown_path(uri.path(), template.map(|op| op.path.as_str()));
    shared.journal.record(JournalEntry {
        seq: 0,
        time_ms,
        method: method.to_string(),
        path: shown_path.clone(),
        query: uri.query().map(shown_query),
        operation_id: operation.map(str::to_string),
        status,
        request_body: received.map_or(Value::Null, |b| body_for_journal(&b)),
        latency_ms,
    });
    {
        let mut s = shared.stats.lock().unwrap_or_else(PoisonError::into_inner);
        let operation = operation.unwrap_or("-");
        s.requests += 1;
        *s.by_status.entry(status).or_default() += 1;
        *s.by_operation.entry(operation.to_string()).or_default() += 1;
        *s.by_operation_status
            .entry(operation.to_string())
            .or_default()
            .entry(status)
            .or_default() += 1;
    }
    tracing::info!(
        method = %method,
        path = %shown_path,
        status,
        latency_ms = %format!("{latency_ms:.3}"),
        operation = operation.unwrap_or("-"),
        "request"
    );
    response
}

/// Answers a request under `/v1`: routes it, reads its body, admits it
/// (auth, faults), reads the body as the operation's request, then runs
/// the operation as a read or a change. Returns the operation (if the
/// path is one) and the answer.
async fn process(
    shared: &Arc<Shared>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
    received: &mut Option<Bytes>,
) -> (Option<&'static str>, Response) {
    let (op, params, rel) = match route(method, uri) {
        Ok(found) => found,
        Err(e) => return (None, e.into_response()),
    };
    let id: &'static str = op.operation_id.as_str();
    let answer = |outcome, mangle| (Some(id), finish(shared, id, outcome, mangle));
    let bytes = match read_body(headers, body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(e) => return answer(Err(e), None),
    };
    *received = Some(bytes.clone());
    let decision = match admit(shared, op, rel, headers).await {
        Ok(d) => d,
        Err(e) => return answer(Err(e), None),
    };
    let value = match request_body(op, headers, bytes).await {
        Ok(v) => v,
        Err(e) => return answer(Err(e), decision.mangle),
    };
    let call = Call {
        op,
        params,
        query: axum::extract::Query::try_from_uri(uri).map_or_else(|_| BTreeMap::new(), |q| q.0),
        body: value,
        now: shared.clock.now_ms(),
        no_backup_for_ms: decision.no_backup_for_ms,
    };
    if *method == Method::GET {
        return (Some(id), read(shared, call, decision.mangle).await);
    }
    // With a state file the change runs on the blocking pool: its commit
    // `fsync`s.
    let s = shared.clone();
    let outcome = offload(shared.persister.is_some(), move || {
        change(&s, call.now, call.no_backup_for_ms, |ctx| call.run(ctx))
    })
    .await;
    answer(outcome, decision.mangle)
}

/// The operation a request's method and path name, with the path's
/// parameters and the path under `/v1`; 404 or 405 in Aiven's format.
fn route<'u>(
    method: &Method,
    uri: &'u Uri,
) -> Result<(&'static OperationSpec, BTreeMap<String, String>, &'u str), ApiError> {
    let path = uri.path();
    let not_found = || ApiError::not_found(format!("Not found: {method} {path}"));
    let rel = path
        .strip_prefix("/v1")
        .filter(|r| r.is_empty() || r.starts_with('/'))
        .ok_or_else(not_found)?;
    match spec().route(method.as_str(), rel) {
        RouteMatch::Found(op, params) => Ok((op, params, rel)),
        RouteMatch::MethodNotAllowed => Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("Method {method} not allowed for {path}"),
        )),
        RouteMatch::NotFound => Err(not_found()),
    }
}

/// Auth, then the faults: waits their latency; a rejection is the error.
async fn admit(
    shared: &Shared,
    op: &OperationSpec,
    rel: &str,
    headers: &HeaderMap,
) -> Result<Decision, ApiError> {
    if op.auth && !authorized(shared.tokens.as_ref(), headers) {
        return Err(ApiError::authentication_failed());
    }
    let mut decision = shared
        .faults
        .decide(&op.operation_id, rel, shared.clock.now_ms());
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }
    match decision.reject.take() {
        Some(e) => Err(e),
        None => Ok(decision),
    }
}

/// The body as the operation's request: JSON (415 for another content
/// type, 400 for invalid JSON or nesting beyond `limits`), valid against
/// its request schema and within its caps (400); `{}` for an operation
/// without a request body, which ignores whatever was sent.
async fn request_body(
    op: &'static OperationSpec,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Value, ApiError> {
    let heavy = body.len() > OFFLOAD_BODY_BYTES;
    let value = if body.is_empty() || op.request.is_none() {
        json!({})
    } else {
        parse_json(headers, body, heavy).await?
    };
    let (invalid, value) = offload(heavy, move || {
        // Validation also drops nulls the schema refuses (absent, as Aiven reads them).
        let mut value = value;
        let errors = validate_request(op, &mut value);
        let invalid = errors.first().map(|first| {
            let mut e = ApiError::bad_request(cut(format!("Invalid input: {first}")));
            e.details = errors.iter().skip(1).map(|v| cut(v.to_string())).collect();
            e
        });
        (invalid, value)
    })
    .await;
    if let Some(e) = invalid {
        return Err(e);
    }
    if let Some(o) = handlers::operation(&op.operation_id) {
        o.check_body(&value)?;
    }
    Ok(value)
}

/// Parses a JSON body (on the blocking pool when `heavy`).
async fn parse_json(headers: &HeaderMap, body: Bytes, heavy: bool) -> Result<Value, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap_or("(not text)"));
    let unsupported = |what: String| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("{what}: send the request body as application/json"),
        )
    };
    if let Some(ct) = content_type.filter(|ct| !is_json(ct)) {
        return Err(unsupported(format!("Unsupported Content-Type {ct:?}")));
    }
    let value = offload(heavy, move || serde_json::from_slice::<Value>(&body))
        .await
        .map_err(|e| ApiError::bad_request(format!("Invalid JSON body: {e}")))?;
    // Checked after parsing, so that a body that is not JSON at all is
    // reported as such whatever its (missing) type.
    if content_type.is_none() {
        return Err(unsupported("Missing Content-Type".to_string()));
    }
    // Deeper bodies could be stored but not read back (see limits); wider
    // ones are refused as Aiven would (see intake).
    crate::limits::check_depth(&value)?;
    crate::intake::check_body(&value)?;
    Ok(value)
}

/// An admitted request, ready to run.
struct Call {
    op: &'static OperationSpec,
    params: BTreeMap<String, String>,
    query: BTreeMap<String, String>,
    body: Value,
    now: crate::clock::Millis,
    no_backup_for_ms: crate::clock::Millis,
}

impl Call {
    /// Runs the operation's hand-written handler, else the generic model;
    /// a handler bug must not take the simulator down, so a panic is
    /// caught (before a lock guard unwinds, so the lock is not poisoned)
    /// and answered 500.
    fn run(&self, ctx: &mut Ctx<'_>) -> Outcome {
        let id = self.op.operation_id.as_str();
        let req = Req {
            params: &self.params,
            query: &self.query,
            body: &self.body,
        };
        let handled =
            std::panic::catch_unwind(AssertUnwindSafe(|| match handlers::operation(id) {
                Some(o) => o.run(ctx, &req),
                None => crate::generic::handle(self.op, ctx, &req),
            }));
        handled.unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(operation = id, panic = %what, "handler panicked");
            Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("Internal error in the simulator handling {id}"),
            ))
        })
    }
}

/// A read: runs, and renders, on a copy of what it reads taken under the
/// lock, on the blocking pool.
async fn read(shared: &Arc<Shared>, call: Call, mangle: Option<Mangle>) -> Response {
    let mut view = {
        let mut state = shared.state.lock().unwrap_or_else(PoisonError::into_inner);
        read_view(&mut state, &call.params)
    };
    let s = shared.clone();
    offload(true, move || {
        let mut ctx = Ctx {
            state: &mut view,
            now: call.now,
            timings: &s.timings,
            no_backup_for_ms: call.no_backup_for_ms,
        };
        let outcome = call.run(&mut ctx);
        finish(&s, &call.op.operation_id, outcome, mangle)
    })
    .await
}

/// Creates project `name` as its create operation does, saved like any
/// change: the projects a simulator starts with.
pub(crate) fn create_project(shared: &Shared, name: &str) -> Outcome {
    change(shared, shared.clock.now_ms(), 0, |ctx| {
        handlers::create_project(ctx, name)
    })
}

/// Runs a change under the state lock and, with a state file, saves what
/// it touched before the lock is released; a change that cannot be saved
/// is rolled back (500).
fn change(
    shared: &Shared,
    now: crate::clock::Millis,
    no_backup_for_ms: crate::clock::Millis,
    run: impl FnOnce(&mut Ctx<'_>) -> Outcome,
) -> Outcome {
    let mut state = shared.state.lock().unwrap_or_else(PoisonError::into_inner);
    let mut ctx = Ctx {
        state: &mut state,
        now,
        timings: &shared.timings,
        no_backup_for_ms,
    };
    // A refused change leaves no trace, not even the random draws it made
    // (which no save would keep: the state file would differ).
    let rng = ctx.state.rng.clone();
    let body = run(&mut ctx).inspect_err(|_| state.rng = rng)?;
    crate::generic::prune(&mut state);
    state.revision = state.revision.wrapping_add(1);
    let Some(persister) = &shared.persister else {
        return Ok(body);
    };
    let Err(e) = persister.save(&mut state) else {
        return Ok(body);
    };
    tracing::error!(error = %e, "cannot save the change to the state file; rolling it back");
    match persister.reload(shared.seed) {
        Ok(old) => *state = old,
        Err(e) => tracing::error!(error = %e, "cannot read the state file back"),
    }
    Err(ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "The change could not be saved and was not applied",
    ))
}

/// A violation's text at most [`MAX_ERROR_TEXT`] characters: it quotes the
/// offending value, which may be a 1 MiB string.
fn cut(mut text: String) -> String {
    if let Some((at, _)) = text.char_indices().nth(MAX_ERROR_TEXT) {
        text.truncate(at);
        text.push('…');
    }
    text
}

/// The longest validation message answered (as aiven-ext cuts server text).
const MAX_ERROR_TEXT: usize = 1_000;

/// What a `GET` handler reads, copied under the lock: everything but the
/// projects, and of those only the one the path names (reads address one
/// project; without a `project` parameter the whole state is copied).
fn read_view(state: &mut State, params: &BTreeMap<String, String>) -> State {
    let Some(name) = params.get("project") else {
        return state.clone();
    };
    let projects = std::mem::take(&mut state.projects);
    let mut view = state.clone();
    state.projects = projects;
    if let Some(p) = state.projects.get(name) {
        view.projects.insert(name.clone(), p.clone());
    }
    view
}

/// Renders an outcome, checks it against the description if asked to, and
/// damages it if a fault says so.
fn finish(
    shared: &Shared,
    operation_id: &str,
    outcome: Result<Value, ApiError>,
    mangle: Option<Mangle>,
) -> Response {
    if let Some(r) = outcome
        .as_ref()
        .ok()
        .and_then(|body| crate::generic::non_json_success(operation_id, body))
    {
        return r;
    }
    let (status, body, extra) = match outcome {
        Ok(body) => (StatusCode::OK, body, Vec::new()),
        Err(e) => (e.status, e.body(), e.headers),
    };
    if shared.validate_responses {
        let violations = check_response(operation_id, status.as_u16(), &body);
        for v in &violations {
            tracing::warn!(violation = %v, "response does not conform to the description");
        }
        let mut c = shared
            .conformance
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *c.checked.entry(operation_id.to_string()).or_default() += 1;
        c.violations.extend(violations);
    }
    let bytes = serde_json::to_vec(&body).expect("JSON serializes");
    if let Some(m) = mangle {
        let mut s = shared.stats.lock().unwrap_or_else(PoisonError::into_inner);
        match m {
            Mangle::Drop => s.dropped += 1,
            Mangle::Truncate => s.truncated += 1,
        }
    }
    let mut response = match mangle {
        None => Response::new(Body::from(bytes)),
        Some(Mangle::Truncate) => Response::new(Body::from(bytes[..bytes.len() / 2].to_vec())),
        Some(Mangle::Drop) => {
            let full = bytes.len();
            let first = Bytes::copy_from_slice(&bytes[..full / 2]);
            let head = futures::stream::iter([Ok::<Bytes, std::io::Error>(first)]);
            let fail = futures::stream::once(async {
                tokio::time::sleep(Duration::from_millis(5)).await;
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "simulated connection drop",
                ))
            });
            let mut r = Response::new(Body::from_stream(futures::StreamExt::chain(head, fail)));
            r.headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from(full));
            r
        }
    };
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    for (name, value) in extra {
        if let Ok(v) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, v);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_violations_are_cut() {
        assert_eq!(cut("short".into()), "short");
        let long = cut("é".repeat(5_000));
        assert_eq!(long.chars().count(), MAX_ERROR_TEXT + 1);
        assert!(long.ends_with('…'));
    }

    #[test]
    fn authorization_schemes() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::AUTHORIZATION, HeaderValue::from_str(v).unwrap());
            m
        };
        let tokens: HashSet<String> = ["t1".to_string()].into();
        assert!(authorized(None, &h("aivenv1 anything")));
        assert!(authorized(Some(&tokens), &h("aivenv1 t1")));
        assert!(authorized(Some(&tokens), &h("Bearer t1")));
        assert!(!authorized(Some(&tokens), &h("Bearer t2")));
        assert!(!authorized(None, &h("Basic t1")));
        assert!(!authorized(None, &h("aivenv1 ")));
        assert!(!authorized(None, &HeaderMap::new()));
    }

    fn shared(persister: Option<Persister>) -> Shared {
        Shared {
            state: Mutex::new(State::new(1)),
            clock: Arc::new(crate::clock::SystemClock),
            timings: Timings::instant(),
            faults: Faults::new(Vec::new(), 1),
            tokens: None,
            persister,
            validate_responses: false,
            conformance: Mutex::default(),
            stats: Mutex::default(),
            journal: Recorder::new(0),
            manual_clock: None,
            seed: 1,
        }
    }

    /// Runs `id`'s registered operation as a change.
    fn call(shared: &Shared, op: &handlers::Operation, params: &[(&str, &str)], body: Value) {
        let params: BTreeMap<String, String> = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let req = Req {
            params: &params,
            query: &BTreeMap::new(),
            body: &body,
        };
        change(shared, 0, 0, |ctx| op.run(ctx, &req)).expect("the change is made");
    }

    /// A handler named for one project that writes a service of another:
    /// saved, as persistence does not go by what the request names.
    fn protect_q_s(ctx: &mut Ctx<'_>, _: &Req<'_>) -> Outcome {
        let s = ctx
            .state
            .projects
            .get_mut("q")
            .and_then(|q| q.services.get_mut("s"));
        s.ok_or_else(ApiError::service_not_found)?
            .termination_protection = true;
        handlers::done("protected")
    }

    #[test]
    fn a_handler_writing_another_projects_service_is_saved() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.redb");
        let (persister, _) = Persister::open(&path).unwrap();
        let shared = shared(Some(persister));
        let registered = |id| handlers::operation(id).unwrap();
        for p in ["p", "q"] {
            call(
                &shared,
                registered("ProjectCreate"),
                &[],
                json!({"project": p}),
            );
            let service = json!({"service_name": "s", "service_type": "pg", "plan": "hobbyist"});
            call(
                &shared,
                registered("ServiceCreate"),
                &[("project", p)],
                service,
            );
        }
        let elsewhere = handlers::op("TestProtectElsewhere", protect_q_s);
        call(
            &shared,
            &elsewhere,
            &[("project", "p"), ("service_name", "s")],
            json!({}),
        );
        let in_memory = serde_json::to_value(&*shared.state.lock().unwrap()).unwrap();
        drop(shared);
        let saved = Persister::load(&path).unwrap().unwrap();
        assert!(saved.projects["q"].services["s"].termination_protection);
        assert!(!saved.projects["p"].services["s"].termination_protection);
        assert_eq!(serde_json::to_value(&saved).unwrap(), in_memory);
    }
}
