//! The admin API (in the spirit of LocalStack's `/_localstack`, moto's
//! `/moto-api` and WireMock's `/__admin`): test controls outside the Aiven
//! API, over HTTP under `/_sim` and as [`crate::SimHandle`] methods.
//!
//! | HTTP | handle | what |
//! | --- | --- | --- |
//! | `GET /_sim` | | this list |
//! | `POST /_sim/reset` | [`reset`](crate::SimHandle::reset) | an empty account (the seed's identifiers start over) |
//! | `GET /_sim/state` | [`snapshot`](crate::SimHandle::snapshot) | the state, `{"format": "aiven-sim-snapshot", "version": 2, "state": {…}}` ([`crate::Snapshot`]) |
//! | `PUT /_sim/state` | [`restore`](crate::SimHandle::restore) | puts a snapshot back (of this version, or older: migrated; a newer or unknown version is 400) |
//! | `GET /_sim/clock` | | the simulator's time, and whether it can be moved |
//! | `POST /_sim/clock/advance` `{"seconds": 600}` or `{"ms": …}` | [`advance_clock`](crate::SimHandle::advance_clock) | moves a manual clock forward: at most 10 years per advance and never past 9999-12-31 ([`crate::clock::MAX_ADVANCE`], [`crate::clock::MAX_CLOCK_MS`]; 400 beyond) |
//! | `GET /_sim/faults` | [`faults`](crate::SimHandle::faults) | the fault rules in force, `{"rules": [FaultSpec…]}` |
//! | `PUT /_sim/faults` `{"rules": [...]}` | [`set_faults`](crate::SimHandle::set_faults) | replaces them |
//! | `DELETE /_sim/faults` | [`clear_faults`](crate::SimHandle::clear_faults) | no faults |
//! | `GET /_sim/journal?operation_id=&status=&limit=` | [`journal`](crate::SimHandle::journal) | the requests answered ([`crate::journal`]) |
//! | `DELETE /_sim/journal` | [`clear_journal`](crate::SimHandle::clear_journal) | forgets them |
//!
//! Answers are JSON; errors use Aiven's error format. Admin requests are
//! neither journaled, counted in [`crate::Stats`], nor subject to faults.
//! **Auth**: when the simulator accepts only configured tokens
//! ([`crate::SimulatorBuilder::token`], `--token`), the admin API wants one of
//! them too (`Authorization: aivenv1 TOKEN`), since a snapshot holds the
//! services' passwords and a reset wipes everything; without configured
//! tokens it is open, like the rest of a local simulator.
//!
//! A restored state keeps everything but its `revision`, which moves on
//! from the current one so that the state file (if any) is written.

use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use axum::extract::{Request, State as AxumState};
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, MethodFilter, MethodRouter};
use axum::Router;
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::clock::{format_time, Millis};
use crate::error::ApiError;
use crate::faults::{FaultRule, RateLimit, Route};
use crate::format::{FormatError, Snapshot};
use crate::journal::{Journal, JournalEntry};
use crate::model::State;
use crate::server::{authorized, read_body, Shared};

/// The prefix of the admin API.
pub const PREFIX: &str = "/_sim";

/// A snapshot put back with `PUT /_sim/state` may be this large (64 MiB).
pub const MAX_STATE_BYTES: usize = 64 * 1024 * 1024;

/// Why an admin operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdminError {
    /// The clock is not a [`crate::ManualClock`].
    #[error(
        "the simulator runs on the system clock, which cannot be advanced: start it with a \
         ManualClock (SimulatorBuilder::clock(ManualClock::new()), or `--clock manual` for \
         the binary)"
    )]
    ClockNotManual,
    /// The snapshot is not a simulator state.
    #[error("not a simulator state: {0}")]
    InvalidState(#[source] serde_json::Error),
    /// The snapshot is of a format or version this simulator cannot read.
    #[error("not a snapshot this simulator reads: {0}")]
    Format(#[from] FormatError),
    /// A fault rule is invalid.
    #[error("invalid fault rule: {0}")]
    InvalidFaults(String),
    /// A clock advance beyond the bounds ([`crate::clock::MAX_ADVANCE`] per
    /// advance, [`crate::clock::MAX_CLOCK_MS`] in all).
    #[error(transparent)]
    ClockBound(#[from] crate::clock::AdvanceError),
    /// A snapshot holds what intake would refuse (it names the field).
    #[error("not a valid simulator state: {0}")]
    InvalidSnapshot(String),
    /// The change was applied but the state file could not be written.
    #[error("the change was applied but could not be saved to the state file: {0}")]
    Save(String),
}

impl AdminError {
    fn into_api(self) -> ApiError {
        let status = match &self {
            Self::ClockNotManual => StatusCode::CONFLICT,
            Self::InvalidState(_)
            | Self::Format(_)
            | Self::InvalidFaults(_)
            | Self::ClockBound(_)
            | Self::InvalidSnapshot(_) => StatusCode::BAD_REQUEST,
            Self::Save(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError::new(status, self.to_string())
    }
}

/// A fault rule as JSON (`GET`/`PUT /_sim/faults`); every field but `route`
/// defaults to "no fault".
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// `*` (every request, the default), an operationId (`ServiceGet`) or a
    /// path prefix (`/project/p1`, with or without `/v1`).
    #[serde(default)]
    pub route: String,
    /// Fraction of requests answered 5xx.
    #[serde(default)]
    pub error_rate: f64,
    /// Rate limit, `N/s`, `N/m` or `N/<window>ms` (429 beyond).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<String>,
    /// Added latency.
    #[serde(default)]
    pub latency_ms: u64,
    /// Fraction of requests delayed by `spike_ms` instead.
    #[serde(default)]
    pub spike_rate: f64,
    /// Latency of a spike.
    #[serde(default)]
    pub spike_ms: u64,
    /// Services show no backup until this long after they first ran.
    #[serde(default)]
    pub no_backup_for_secs: u64,
    /// Fraction of answers whose connection is dropped mid-body.
    #[serde(default)]
    pub drop_rate: f64,
    /// Fraction of answers whose JSON is cut short.
    #[serde(default)]
    pub truncate_rate: f64,
}

impl FaultSpec {
    /// The rule it describes.
    pub fn to_rule(&self) -> Result<FaultRule, AdminError> {
        for (name, f) in [
            ("error_rate", self.error_rate),
            ("spike_rate", self.spike_rate),
            ("drop_rate", self.drop_rate),
            ("truncate_rate", self.truncate_rate),
        ] {
            if !(0.0..=1.0).contains(&f) {
                return Err(AdminError::InvalidFaults(format!(
                    "{name} {f}: expected a fraction between 0 and 1"
                )));
            }
        }
        let mut rule = match Route::parse(&self.route) {
            Route::All => FaultRule::global(),
            Route::Operation(op) => FaultRule::operation(op),
            Route::PathPrefix(p) => FaultRule::path_prefix(p),
        }
        .error_rate(self.error_rate)
        .latency(Duration::from_millis(self.latency_ms))
        .latency_spike(self.spike_rate, Duration::from_millis(self.spike_ms))
        .no_backup_for(Duration::from_secs(self.no_backup_for_secs))
        .drop_connection_rate(self.drop_rate)
        .truncate_rate(self.truncate_rate);
        if let Some(r) = &self.rate_limit {
            let limit = RateLimit::parse(r).map_err(AdminError::InvalidFaults)?;
            rule = rule.rate_limit(limit.requests, limit.window);
        }
        Ok(rule)
    }

    /// The JSON form of a rule.
    pub fn from_rule(rule: &FaultRule) -> Self {
        Self {
            route: match &rule.route {
                Route::All => "*".to_string(),
                Route::Operation(op) => op.clone(),
                Route::PathPrefix(p) => p.clone(),
            },
            error_rate: rule.error_rate,
            rate_limit: rule.rate_limit.map(|l| l.to_string()),
            latency_ms: millis_u64(rule.latency),
            spike_rate: rule.spike_rate,
            spike_ms: millis_u64(rule.spike),
            no_backup_for_secs: rule.no_backup_for.as_secs(),
            drop_rate: rule.drop_rate,
            truncate_rate: rule.truncate_rate,
        }
    }
}

fn millis_u64(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The operations behind both the HTTP routes and the handle's methods.
impl Shared {
    fn state_lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Replaces the state (its revision moving on) and saves it if there is
    /// a state file; returns the new revision.
    fn replace_state(&self, mut new: State) -> Result<u64, AdminError> {
        let mut state = self.state_lock();
        new.revision = state.revision.wrapping_add(1);
        // Saved before it replaces the state: a state that cannot be saved
        // is not taken.
        if let Some(p) = &self.persister {
            p.save_all(&new)
                .map_err(|e| AdminError::Save(e.to_string()))?;
        }
        *state = new;
        Ok(state.revision)
    }

    pub(crate) fn admin_reset(&self) -> Result<u64, AdminError> {
        self.replace_state(State::new(self.seed))
    }

    pub(crate) fn admin_snapshot(&self) -> Snapshot {
        Snapshot::of(&self.state_lock())
    }

    /// Returns the new revision and the services dropped because the
    /// catalogue no longer offers their type.
    pub(crate) fn admin_restore(
        &self,
        snapshot: Snapshot,
    ) -> Result<(u64, Vec<String>), AdminError> {
        let mut state = snapshot.to_state().map_err(AdminError::InvalidState)?;
        let retired = state.retire_unknown_types();
        crate::restore::check(&state).map_err(AdminError::InvalidSnapshot)?;
        // As a load would: what is served is what a restart reads back.
        state.fill_missing_cas();
        Ok((self.replace_state(state)?, retired))
    }

    pub(crate) fn admin_advance(&self, by: Duration) -> Result<Millis, AdminError> {
        let clock = self
            .manual_clock
            .as_ref()
            .ok_or(AdminError::ClockNotManual)?;
        Ok(clock.try_advance(by)?)
    }

    pub(crate) fn admin_journal(
        &self,
        operation_id: Option<&str>,
        status: Option<u16>,
        limit: Option<usize>,
    ) -> Journal {
        self.journal.snapshot(
            |e: &JournalEntry| {
                operation_id.is_none_or(|op| e.operation_id.as_deref() == Some(op))
                    && status.is_none_or(|s| e.status == s)
            },
            limit,
        )
    }
}

/// What an admin endpoint answers: a JSON body (200) or an error.
type Answer = Result<Value, ApiError>;

/// An admin endpoint's handler.
type Run = fn(Arc<Shared>, Request) -> BoxFuture<'static, Answer>;

/// One admin endpoint.
struct Endpoint {
    method: Method,
    /// Under [`PREFIX`].
    path: &'static str,
    /// What it takes, as `GET /_sim` lists it.
    takes: &'static str,
    run: Run,
}

/// Every admin endpoint: the one list, routed by [`router`] and listed by
/// `GET /_sim`.
fn endpoints() -> [Endpoint; 11] {
    let e = |method, path, takes, run| Endpoint {
        method,
        path,
        takes,
        run,
    };
    [
        e(Method::GET, "", "", |_, _| Box::pin(async { Ok(index()) })),
        e(Method::POST, "/reset", "", |s, _| Box::pin(reset(s))),
        e(Method::GET, "/state", "", |s, _| {
            Box::pin(async move { Ok(s.admin_snapshot().into_json()) })
        }),
        e(Method::PUT, "/state", "", |s, r| Box::pin(restore(s, r))),
        e(Method::GET, "/clock", "", |s, _| {
            Box::pin(async move { Ok(clock(&s)) })
        }),
        e(
            Method::POST,
            "/clock/advance",
            " {\"seconds\": N} | {\"ms\": N}",
            |s, r| Box::pin(advance(s, r)),
        ),
        e(Method::GET, "/faults", "", |s, _| {
            Box::pin(async move { Ok(faults_json(&s.faults.rules())) })
        }),
        e(Method::PUT, "/faults", " {\"rules\": [...]}", |s, r| {
            Box::pin(set_faults(s, r))
        }),
        e(Method::DELETE, "/faults", "", |s, _| {
            Box::pin(async move {
                s.faults.set_rules(Vec::new());
                Ok(faults_json(&[]))
            })
        }),
        e(
            Method::GET,
            "/journal",
            "?operation_id=&status=&limit=",
            |s, r| Box::pin(async move { journal(&s, r.uri()) }),
        ),
        e(Method::DELETE, "/journal", "", |s, _| {
            Box::pin(async move {
                s.journal.clear();
                Ok(json!({}))
            })
        }),
    ]
}

/// The admin API's routes (under [`PREFIX`]), behind its auth; other
/// paths under the prefix are 404, other methods 405, in Aiven's format.
pub(crate) fn router(shared: Arc<Shared>) -> Router<Arc<Shared>> {
    let mut paths: BTreeMap<&str, MethodRouter<Arc<Shared>>> = BTreeMap::new();
    for Endpoint {
        method, path, run, ..
    } in endpoints()
    {
        let Ok(filter) = MethodFilter::try_from(method) else {
            continue;
        };
        let handler = move |AxumState(s): AxumState<Arc<Shared>>, req: Request| async move {
            match run(s, req).await {
                Ok(v) => (StatusCode::OK, axum::Json(v)).into_response(),
                Err(e) => e.into_response(),
            }
        };
        let routes = paths
            .remove(path)
            .unwrap_or_else(|| MethodRouter::new().fallback(method_not_allowed));
        paths.insert(path, routes.on(filter, handler));
    }
    let mut router = Router::new();
    // With or without a trailing slash, as before the router.
    for (path, routes) in paths {
        router = router
            .route(&format!("{PREFIX}{path}"), routes.clone())
            .route(&format!("{PREFIX}{path}/"), routes);
    }
    router
        .route(&format!("{PREFIX}/{{*rest}}"), any(not_found))
        .route_layer(middleware::from_fn_with_state(shared, auth))
}

/// With configured tokens the admin API wants one (a snapshot holds
/// passwords; a reset wipes everything).
async fn auth(AxumState(s): AxumState<Arc<Shared>>, req: Request, next: Next) -> Response {
    if s.tokens.is_some() && !authorized(s.tokens.as_ref(), req.headers()) {
        return ApiError::authentication_failed().into_response();
    }
    next.run(req).await
}

async fn not_found(method: Method, uri: Uri) -> Response {
    ApiError::not_found(format!(
        "Not found: {method} {} (GET {PREFIX} lists the admin endpoints)",
        uri.path()
    ))
    .into_response()
}

async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("Method {method} not allowed for {}", uri.path()),
    )
    .into_response()
}

/// Runs a blocking admin operation (it may write the state file) off the
/// async workers.
async fn blocking<T: Send + 'static>(
    shared: Arc<Shared>,
    f: impl FnOnce(&Shared) -> Result<T, AdminError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(move || f(&shared))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
        .map_err(AdminError::into_api)
}

/// A JSON body of at most `limit` bytes.
async fn json_body<T: serde::de::DeserializeOwned>(
    req: Request,
    limit: usize,
) -> Result<T, ApiError> {
    let (parts, body) = req.into_parts();
    let bytes = read_body(&parts.headers, body, limit).await?;
    serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::bad_request(format!("Invalid JSON body: {e}")))
}

/// `GET /_sim`: the endpoints.
fn index() -> Value {
    let listed: Vec<String> = endpoints()
        .iter()
        .filter(|e| !e.path.is_empty())
        .map(|e| format!("{} {PREFIX}{}{}", e.method, e.path, e.takes))
        .collect();
    json!({ "endpoints": listed })
}

async fn reset(s: Arc<Shared>) -> Answer {
    let revision = blocking(s, Shared::admin_reset).await?;
    Ok(json!({ "revision": revision }))
}

async fn restore(s: Arc<Shared>, req: Request) -> Answer {
    let snapshot: Value = json_body(req, MAX_STATE_BYTES).await?;
    let snapshot = Snapshot::from_json(snapshot).map_err(|e| AdminError::Format(e).into_api())?;
    let (revision, retired) = blocking(s, move |s| s.admin_restore(snapshot)).await?;
    Ok(json!({ "revision": revision, "retired_services": retired }))
}

fn clock(s: &Shared) -> Value {
    let now = s.clock.now_ms();
    json!({
        "now_ms": now,
        "now": format_time(now),
        "manual": s.manual_clock.is_some(),
    })
}

async fn advance(s: Arc<Shared>, req: Request) -> Answer {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Advance {
        seconds: Option<f64>,
        ms: Option<u64>,
    }
    let a: Advance = json_body(req, 4096).await?;
    let by = match (a.seconds, a.ms) {
        // Too large for a Duration (1e300): refused as beyond the bound.
        (Some(s), None) if s.is_finite() && s >= 0.0 => {
            Duration::try_from_secs_f64(s).unwrap_or(Duration::MAX)
        }
        (None, Some(ms)) => Duration::from_millis(ms),
        _ => {
            return Err(ApiError::bad_request(
                "Expected {\"seconds\": N} or {\"ms\": N}, N not negative",
            ))
        }
    };
    let now = s.admin_advance(by).map_err(AdminError::into_api)?;
    Ok(json!({ "now_ms": now, "now": format_time(now) }))
}

async fn set_faults(s: Arc<Shared>, req: Request) -> Answer {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Rules {
        rules: Vec<FaultSpec>,
    }
    let r: Rules = json_body(req, 1024 * 1024).await?;
    let rules = r
        .rules
        .iter()
        .map(FaultSpec::to_rule)
        .collect::<Result<Vec<_>, _>>()
        .map_err(AdminError::into_api)?;
    s.faults.set_rules(rules);
    Ok(faults_json(&s.faults.rules()))
}

/// `GET /_sim/journal?operation_id=&status=&limit=`.
fn journal(s: &Shared, uri: &Uri) -> Answer {
    let (mut op, mut status, mut limit) = (None, None, None);
    for (k, v) in uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter_map(|kv| kv.split_once('='))
    {
        let bad = || ApiError::bad_request(format!("Invalid {k}: {v:?}"));
        match k {
            "operation_id" => op = Some(v.to_string()),
            "status" => status = Some(v.parse().map_err(|_| bad())?),
            "limit" => limit = Some(v.parse().map_err(|_| bad())?),
            _ => {
                return Err(ApiError::bad_request(format!(
                    "Unknown parameter {k}: operation_id, status or limit"
                )))
            }
        }
    }
    let j = s.admin_journal(op.as_deref(), status, limit);
    Ok(serde_json::to_value(j).expect("journal serializes"))
}

fn faults_json(rules: &[FaultRule]) -> Value {
    let specs: Vec<FaultSpec> = rules.iter().map(FaultSpec::from_rule).collect();
    json!({ "rules": specs })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_specs_round_trip() {
        let rule = FaultRule::operation("ServiceGet")
            .error_rate(0.5)
            .rate_limit(5, Duration::from_secs(60))
            .latency(Duration::from_millis(20));
        let spec = FaultSpec::from_rule(&rule);
        assert_eq!(spec.route, "ServiceGet");
        assert_eq!(spec.rate_limit.as_deref(), Some("5/m"));
        assert_eq!(spec.to_rule().unwrap(), rule);
        let odd = FaultRule::path_prefix("/project/p").rate_limit(3, Duration::from_millis(1500));
        assert_eq!(FaultSpec::from_rule(&odd).to_rule().unwrap(), odd);
        let bad = FaultSpec {
            error_rate: 2.0,
            ..FaultSpec::default()
        };
        assert!(bad.to_rule().is_err());
    }
}
