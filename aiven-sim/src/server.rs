//! The HTTP front: one axum fallback handler that matches every request
//! against the description's operations, then applies, in order: auth,
//! faults, request validation, the handler (under the state lock),
//! persistence, response validation and response damage; and logs it.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
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

/// Request counters.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Requests answered.
    pub requests: u64,
    /// By HTTP status.
    pub by_status: BTreeMap<u16, u64>,
    /// By operation (`-` for paths outside the description).
    pub by_operation: BTreeMap<String, u64>,
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

/// The axum handler of every request.
pub(crate) async fn dispatch(
    AxumState(shared): AxumState<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let (operation, response) = process(&shared, &method, &uri, &headers, body).await;
    let status = response.status().as_u16();
    {
        let mut s = shared.stats.lock().expect("stats lock");
        s.requests += 1;
        *s.by_status.entry(status).or_default() += 1;
        *s.by_operation
            .entry(operation.unwrap_or("-").to_string())
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
    body: Bytes,
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
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => {
                let e = ApiError::bad_request(format!("Invalid JSON body: {e}"));
                return answer(Err(e), decision.mangle);
            }
        }
    };
    let errors = validate_request(op, &value);
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
        let mut state = shared.state.lock().expect("state lock");
        let mut ctx = Ctx {
            state: &mut state,
            now,
            timings: &shared.timings,
            no_backup_for_ms: decision.no_backup_for_ms,
        };
        let outcome = handlers::handle(id, &mut ctx, &req).unwrap_or_else(|| {
            Err(ApiError::new(
                StatusCode::NOT_IMPLEMENTED,
                format!("{id} is not implemented by the simulator"),
            ))
        });
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
        let mut c = shared.conformance.lock().expect("conformance lock");
        *c.checked.entry(operation_id.to_string()).or_default() += 1;
        c.violations.extend(violations);
    }
    let bytes = serde_json::to_vec(&body).expect("JSON serializes");
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
