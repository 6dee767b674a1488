//! The HTTP front: one axum fallback handler that matches every request
//! against the description's operations, then applies, in order: the body
//! size limit ([`MAX_BODY_BYTES`], 413), auth, faults, the content type
//! (415), JSON parsing and request validation (400), the handler (under the
//! state lock; a panic is answered 500 and leaves the simulator serving),
//! persistence, response validation and response damage; and logs it.

use std::collections::{BTreeMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::State as AxumState;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::clock::Clock;
use crate::conformance::{check_response, ConformanceReport};
use crate::error::ApiError;
use crate::faults::{Faults, Mangle};
use crate::handlers::{self, Ctx, Req};
use crate::lifecycle::Timings;
use crate::model::State;
use crate::persist::Persister;
use crate::spec::{spec, RouteMatch};
use crate::validation::validate_request;

/// The largest request body accepted (1 MiB); larger ones are answered 413
/// in Aiven's error format. Aiven's own requests are a few KiB at most.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

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
}

/// Whether the `Authorization` header carries an accepted token
/// (`aivenv1 TOKEN` or `Bearer TOKEN`; any token when none are configured).
fn authorized(tokens: Option<&HashSet<String>>, headers: &HeaderMap) -> bool {
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

/// Reads the whole body, at most [`MAX_BODY_BYTES`] (413 beyond, without
/// reading further; a declared `Content-Length` beyond is refused unread).
async fn read_body(headers: &HeaderMap, body: Body) -> Result<Bytes, ApiError> {
    use futures::StreamExt;
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("Request body too large: at most {MAX_BODY_BYTES} bytes are accepted"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    let mut stream = body.into_data_stream();
    let mut buf = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk
            .map_err(|e| ApiError::bad_request(format!("Cannot read the request body: {e}")))?;
        if buf.len() + chunk.len() > MAX_BODY_BYTES {
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
    let (operation, response) = process(&shared, &method, &uri, &headers, body).await;
    let status = response.status().as_u16();
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
        path = %uri.path(),
        status,
        latency_ms = %format!("{:.3}", started.elapsed().as_secs_f64() * 1000.0),
        operation = operation.unwrap_or("-"),
        "request"
    );
    response
}

async fn process(
    shared: &Arc<Shared>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
) -> (Option<&'static str>, Response) {
    let path = uri.path();
    let not_found = || ApiError::not_found(format!("Not found: {method} {path}")).into_response();
    let Some(rel) = path
        .strip_prefix("/v1")
        .filter(|r| r.is_empty() || r.starts_with('/'))
    else {
        return (None, not_found());
    };
    let (op, params) = match spec().route(method.as_str(), rel) {
        RouteMatch::Found(op, params) => (op, params),
        RouteMatch::MethodNotAllowed => {
            let e = ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                format!("Method {method} not allowed for {path}"),
            );
            return (None, e.into_response());
        }
        RouteMatch::NotFound => return (None, not_found()),
    };
    let id: &'static str = op.operation_id.as_str();
    let answer = |outcome, mangle| (Some(id), finish(shared, id, outcome, mangle));
    let body = match read_body(headers, body).await {
        Ok(b) => b,
        Err(e) => return answer(Err(e), None),
    };

    if op.auth && !authorized(shared.tokens.as_ref(), headers) {
        return answer(Err(ApiError::authentication_failed()), None);
    }
    let decision = shared.faults.decide(id, rel, shared.clock.now_ms());
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }
    if let Some(e) = decision.reject {
        return answer(Err(e), None);
    }
    // Operations without a request body ignore whatever was sent.
    let value: Value = if body.is_empty() || op.request.is_none() {
        json!({})
    } else {
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
            let e = unsupported(format!("Unsupported Content-Type {ct:?}"));
            return answer(Err(e), decision.mangle);
        }
        let value = match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => {
                let e = ApiError::bad_request(format!("Invalid JSON body: {e}"));
                return answer(Err(e), decision.mangle);
            }
        };
        // Checked after parsing, so that a body that is not JSON at all is
        // reported as such whatever its (missing) type.
        if content_type.is_none() {
            let e = unsupported("Missing Content-Type".to_string());
            return answer(Err(e), decision.mangle);
        }
        value
    };
    let mut value = value;
    let errors = validate_request(op, &mut value);
    if let Some(first) = errors.first() {
        let mut e = ApiError::bad_request(format!("Invalid input: {first}"));
        e.details = errors.iter().skip(1).map(ToString::to_string).collect();
        return answer(Err(e), decision.mangle);
    }
    let req = Req {
        params: &params,
        body: &value,
    };
    let now = shared.clock.now_ms();
    let (outcome, snapshot) = {
        let mut state = shared.state.lock().unwrap_or_else(PoisonError::into_inner);
        let mut ctx = Ctx {
            state: &mut state,
            now,
            timings: &shared.timings,
            no_backup_for_ms: decision.no_backup_for_ms,
        };
        // A handler bug must not take the simulator down: the panic is
        // caught before the lock guard unwinds, so the lock is not poisoned.
        let handled =
            std::panic::catch_unwind(AssertUnwindSafe(|| handlers::handle(id, &mut ctx, &req)));
        let outcome = match handled {
            Ok(Some(outcome)) => outcome,
            Ok(None) => Err(ApiError::new(
                StatusCode::NOT_IMPLEMENTED,
                format!("{id} is not implemented by the simulator"),
            )),
            Err(panic) => {
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
            }
        };
        let mut snapshot = None;
        if outcome.is_ok() && *method != Method::GET {
            state.revision += 1;
            if shared.persister.is_some() {
                let bytes = serde_json::to_vec(&*state).expect("state serializes");
                snapshot = Some((state.revision, bytes));
            }
        }
        (outcome, snapshot)
    };
    if let Some((revision, bytes)) = snapshot {
        let s = shared.clone();
        let saved = tokio::task::spawn_blocking(move || {
            s.persister
                .as_ref()
                .map_or(Ok(()), |p| p.save(revision, &bytes))
        })
        .await;
        if let Err(e) = saved
            .map_err(|e| e.to_string())
            .and_then(|r| r.map_err(|e| e.to_string()))
        {
            tracing::error!(error = %e, "cannot write the state file");
            let e = ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The change was applied but could not be saved",
            );
            return answer(Err(e), None);
        }
    }
    answer(outcome, decision.mangle)
}

/// Renders an outcome, checks it against the description if asked to, and
/// damages it if a fault says so.
fn finish(
    shared: &Shared,
    operation_id: &str,
    outcome: Result<Value, ApiError>,
    mangle: Option<Mangle>,
) -> Response {
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
}
