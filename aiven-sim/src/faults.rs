//! Faults on demand, so that retries and waiters meet the failures they are
//! written for: rate limiting (429 with `Retry-After`), a fraction of 5xx
//! answers, added latency (always, or as spikes on a fraction of answers),
//! "RUNNING but no backup yet", dropped connections and truncated JSON.
//! Each [`FaultRule`] applies to every route, to one operation, or to a path
//! prefix; random choices come from a seeded generator, so a sequence of
//! requests fails the same way every run.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use axum::http::{header, StatusCode};

use crate::clock::{millis, Millis};
use crate::error::ApiError;
use crate::rng::Rng;

/// Which requests a rule applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// Every request.
    All,
    /// Requests for one operation (`ServiceGet`).
    Operation(String),
    /// Requests whose path (relative to `/v1`) starts with this prefix.
    PathPrefix(String),
}

impl Route {
    /// Parses `OPERATION_ID`, `/path/prefix` or `*`.
    pub fn parse(s: &str) -> Self {
        match s {
            "" | "*" => Self::All,
            p if p.starts_with('/') => {
                Self::PathPrefix(p.strip_prefix("/v1").unwrap_or(p).to_string())
            }
            op => Self::Operation(op.to_string()),
        }
    }

    /// Whether a request for `operation_id` at `path` (relative to `/v1`) matches.
    pub fn matches(&self, operation_id: &str, path: &str) -> bool {
        match self {
            Self::All => true,
            Self::Operation(op) => op == operation_id,
            Self::PathPrefix(p) => path.starts_with(p.as_str()),
        }
    }
}

/// A rate limit: at most `requests` per `window`, as a token bucket (a
/// burst of `requests`, refilled evenly over the window).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests admitted per window.
    pub requests: u32,
    /// Window length.
    pub window: Duration,
}

impl RateLimit {
    /// `N/s` or `N/m` (per second, per minute), or `N/<W>ms` (per window
    /// of W milliseconds, as [`Display`](std::fmt::Display) writes other windows).
    pub fn parse(s: &str) -> Result<Self, String> {
        let (n, unit) = s.split_once('/').unwrap_or((s, "s"));
        let requests = n
            .trim()
            .parse()
            .map_err(|_| format!("rate limit `{s}`: expected N/s or N/m"))?;
        let window = match unit.trim() {
            "s" | "sec" | "second" => Duration::from_secs(1),
            "m" | "min" | "minute" => Duration::from_secs(60),
            other => match other.strip_suffix("ms").map(str::parse::<u64>) {
                Some(Ok(ms)) if ms > 0 => Duration::from_millis(ms),
                _ => return Err(format!("rate limit `{s}`: unit must be s, m or <N>ms")),
            },
        };
        Ok(Self { requests, window })
    }
}

impl std::fmt::Display for RateLimit {
    /// `N/s`, `N/m` or `N/<W>ms`, as [`RateLimit::parse`] reads it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.window.as_millis() {
            1_000 => write!(f, "{}/s", self.requests),
            60_000 => write!(f, "{}/m", self.requests),
            ms => write!(f, "{}/{ms}ms", self.requests),
        }
    }
}

/// One fault rule. Rules are built with [`FaultRule::global`],
/// [`FaultRule::operation`] or [`FaultRule::path_prefix`] and the setters.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultRule {
    /// Which requests it applies to.
    pub route: Route,
    /// Fraction of requests answered 5xx (before they take effect).
    pub error_rate: f64,
    /// Rate limit.
    pub rate_limit: Option<RateLimit>,
    /// Added latency.
    pub latency: Duration,
    /// Fraction of requests delayed by [`spike`](Self::spike) instead
    /// (when longer than `latency`).
    pub spike_rate: f64,
    /// The latency of a spike.
    pub spike: Duration,
    /// Services read through matching requests show no backup until this
    /// long after they first became RUNNING.
    pub no_backup_for: Duration,
    /// Fraction of responses whose connection is dropped mid-body.
    pub drop_rate: f64,
    /// Fraction of responses whose JSON body is cut short.
    pub truncate_rate: f64,
}

impl FaultRule {
    fn new(route: Route) -> Self {
        Self {
            route,
            error_rate: 0.0,
            rate_limit: None,
            latency: Duration::ZERO,
            spike_rate: 0.0,
            spike: Duration::ZERO,
            no_backup_for: Duration::ZERO,
            drop_rate: 0.0,
            truncate_rate: 0.0,
        }
    }

    /// A rule for every request.
    pub fn global() -> Self {
        Self::new(Route::All)
    }

    /// A rule for one operation.
    pub fn operation(operation_id: impl Into<String>) -> Self {
        Self::new(Route::Operation(operation_id.into()))
    }

    /// A rule for paths (relative to `/v1`) with this prefix.
    pub fn path_prefix(prefix: impl Into<String>) -> Self {
        Self::new(Route::parse(&prefix.into()))
    }

    /// Answers this fraction of requests with a 5xx.
    pub fn error_rate(mut self, fraction: f64) -> Self {
        self.error_rate = fraction;
        self
    }

    /// Admits at most `requests` per `window`, answering 429 beyond.
    pub fn rate_limit(mut self, requests: u32, window: Duration) -> Self {
        self.rate_limit = Some(RateLimit { requests, window });
        self
    }

    /// Delays every answer.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Delays this fraction of answers by `latency` (a latency spike, e.g.
    /// longer than a client's timeout), chosen by the seeded generator.
    pub fn latency_spike(mut self, fraction: f64, latency: Duration) -> Self {
        self.spike_rate = fraction;
        self.spike = latency;
        self
    }

    /// Shows no backup until this long after a service first ran.
    pub fn no_backup_for(mut self, d: Duration) -> Self {
        self.no_backup_for = d;
        self
    }

    /// Drops the connection mid-body for this fraction of answers.
    pub fn drop_connection_rate(mut self, fraction: f64) -> Self {
        self.drop_rate = fraction;
        self
    }

    /// Cuts the JSON body short for this fraction of answers.
    pub fn truncate_rate(mut self, fraction: f64) -> Self {
        self.truncate_rate = fraction;
        self
    }
}

/// How a response body is damaged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mangle {
    /// Half the body is sent, then the connection is reset.
    Drop,
    /// Half the body is sent as the whole (valid HTTP, invalid JSON).
    Truncate,
}

/// What the faults decided for one request.
#[derive(Clone, Debug, Default)]
pub struct Decision {
    /// Answer this instead of handling the request.
    pub reject: Option<ApiError>,
    /// Wait this long first.
    pub latency: Duration,
    /// Backups appear this long after a service first ran.
    pub no_backup_for_ms: Millis,
    /// Damage the response.
    pub mangle: Option<Mangle>,
}

/// The fault rules with their counters and generator. The rule set can be
/// replaced at runtime ([`Faults::set_rules`], the admin API): rules and
/// counters sit behind one lock, so a request sees either the old set or
/// the new one, never a mix.
#[derive(Debug)]
pub struct Faults {
    inner: Mutex<Counters>,
}

#[derive(Debug)]
struct Counters {
    rules: Vec<FaultRule>,
    rng: Rng,
    /// Per rule with a rate limit: its token bucket.
    buckets: HashMap<usize, Bucket>,
}

/// A token bucket: `requests` tokens, refilled continuously over `window`.
#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: Millis,
}

impl Bucket {
    fn full(limit: RateLimit, now: Millis) -> Self {
        Self {
            tokens: f64::from(limit.requests),
            at: now,
        }
    }

    fn rate_per_ms(limit: RateLimit) -> f64 {
        f64::from(limit.requests) / millis(limit.window).max(1) as f64
    }

    fn refill(&mut self, limit: RateLimit, now: Millis) {
        let elapsed = (now - self.at).max(0) as f64;
        self.tokens =
            (self.tokens + elapsed * Self::rate_per_ms(limit)).min(f64::from(limit.requests));
        self.at = self.at.max(now);
    }

    /// Whole seconds until a token is available (at least 1).
    fn wait_secs(&self, limit: RateLimit) -> i64 {
        let rate = Self::rate_per_ms(limit);
        if rate <= 0.0 {
            return millis(limit.window).div_euclid(1000).max(1);
        }
        let ms = (1.0 - self.tokens) / rate;
        ((ms / 1000.0).ceil() as i64).max(1)
    }
}

const ERROR_STATUSES: [(StatusCode, &str); 4] = [
    (StatusCode::INTERNAL_SERVER_ERROR, "Internal server error"),
    (StatusCode::BAD_GATEWAY, "Bad gateway"),
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "Service temporarily unavailable",
    ),
    (StatusCode::GATEWAY_TIMEOUT, "Gateway timeout"),
];

impl Faults {
    /// Rules with a seed for their random choices.
    pub fn new(rules: Vec<FaultRule>, seed: u64) -> Self {
        Self {
            inner: Mutex::new(Counters {
                rules,
                rng: Rng::new(seed),
                buckets: HashMap::new(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Counters> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The rules in force.
    pub fn rules(&self) -> Vec<FaultRule> {
        self.lock().rules.clone()
    }

    /// Replaces the rules (an empty set clears them). Rate-limit buckets
    /// start full again; the generator goes on where it was.
    pub fn set_rules(&self, rules: Vec<FaultRule>) {
        let mut c = self.lock();
        c.rules = rules;
        c.buckets.clear();
    }

    /// Decides the faults of one request. Rate limits are checked first (a
    /// rejected request does not count; `Retry-After` is the whole seconds
    /// until a token is back), then errors; latency (spikes included) and
    /// backup delays take the largest of the matching rules.
    pub fn decide(&self, operation_id: &str, path: &str, now: Millis) -> Decision {
        let mut d = Decision::default();
        let mut guard = self.lock();
        let c = &mut *guard;
        let matching: Vec<(usize, &FaultRule)> = c
            .rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.route.matches(operation_id, path))
            .collect();
        if matching.is_empty() {
            return d;
        }
        for (_, r) in &matching {
            d.latency = d.latency.max(r.latency);
            d.no_backup_for_ms = d.no_backup_for_ms.max(millis(r.no_backup_for));
            // `chance(0.0)` draws nothing: rules without spikes keep their sequences.
            if c.rng.chance(r.spike_rate) {
                d.latency = d.latency.max(r.spike);
            }
        }
        // Every matching limit must admit the request; only then is it counted.
        let mut retry_after: Option<i64> = None;
        for (i, r) in &matching {
            let Some(limit) = r.rate_limit else { continue };
            let bucket = c
                .buckets
                .entry(*i)
                .or_insert_with(|| Bucket::full(limit, now));
            bucket.refill(limit, now);
            if bucket.tokens < 1.0 {
                let secs = bucket.wait_secs(limit);
                retry_after = Some(retry_after.unwrap_or(0).max(secs));
            }
        }
        if let Some(secs) = retry_after {
            d.reject = Some(
                ApiError::new(StatusCode::TOO_MANY_REQUESTS, "Too many requests")
                    .header(header::RETRY_AFTER, secs.to_string()),
            );
            return d;
        }
        for (i, r) in &matching {
            if r.rate_limit.is_some() {
                if let Some(b) = c.buckets.get_mut(i) {
                    b.tokens -= 1.0;
                }
            }
        }
        for (_, r) in &matching {
            if c.rng.chance(r.error_rate) {
                let (status, message) = ERROR_STATUSES[(c.rng.next_u64() % 4) as usize];
                d.reject = Some(ApiError::new(status, message));
                return d;
            }
        }
        for (_, r) in &matching {
            if c.rng.chance(r.drop_rate) {
                d.mangle = Some(Mangle::Drop);
            } else if c.rng.chance(r.truncate_rate) {
                d.mangle = Some(Mangle::Truncate);
            }
        }
        d
    }
}

/// Splits `[ROUTE=]VALUE` (the CLI's per-route syntax).
pub fn split_route(arg: &str) -> (Route, &str) {
    match arg.split_once('=') {
        Some((route, value)) => (Route::parse(route), value),
        None => (Route::All, arg),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(
            Route::parse("ServiceGet"),
            Route::Operation("ServiceGet".into())
        );
        assert_eq!(
            Route::parse("/v1/project"),
            Route::PathPrefix("/project".into())
        );
        assert!(Route::parse("/project/p").matches("X", "/project/p/service"));
        assert!(!Route::parse("/project/p").matches("X", "/clouds"));
        assert!(Route::All.matches("X", "/"));
        let (r, v) = split_route("ServiceGet=0.5");
        assert_eq!((r, v), (Route::Operation("ServiceGet".into()), "0.5"));
        assert_eq!(split_route("0.5").0, Route::All);
    }

    #[test]
    fn rate_limit_counts_per_window_and_tells_when_to_retry() {
        let f = Faults::new(
            vec![FaultRule::global().rate_limit(2, Duration::from_secs(1))],
            1,
        );
        let t0 = 10_000;
        assert!(f.decide("A", "/a", t0).reject.is_none());
        assert!(f.decide("B", "/b", t0 + 100).reject.is_none());
        let r = f.decide("A", "/a", t0 + 200).reject.expect("limited");
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers[0].1, "1");
        assert!(f.decide("A", "/a", t0 + 1000).reject.is_none());
        assert_eq!(
            RateLimit::parse("5/m").unwrap().window,
            Duration::from_secs(60)
        );
        assert!(RateLimit::parse("x/s").is_err());
    }

    #[test]
    fn error_rate_is_seeded_and_scoped() {
        let run = |seed| {
            let f = Faults::new(
                vec![FaultRule::operation("ServiceGet").error_rate(0.3)],
                seed,
            );
            (0..200)
                .map(|_| f.decide("ServiceGet", "/x", 0).reject.is_some())
                .collect::<Vec<_>>()
        };
        let a = run(42);
        assert_eq!(a, run(42));
        let n = a.iter().filter(|x| **x).count();
        assert!((30..90).contains(&n), "{n}");
        let f = Faults::new(vec![FaultRule::operation("ServiceGet").error_rate(1.0)], 1);
        assert!(f.decide("ServiceList", "/x", 0).reject.is_none());
        let e = f.decide("ServiceGet", "/x", 0).reject.unwrap();
        assert!(e.status.is_server_error());
    }

    #[test]
    fn latency_spikes_hit_a_seeded_fraction() {
        let run = |seed| {
            let f = Faults::new(
                vec![FaultRule::global()
                    .latency(Duration::from_millis(1))
                    .latency_spike(0.25, Duration::from_millis(300))],
                seed,
            );
            (0..400)
                .map(|_| f.decide("ServiceGet", "/x", 0).latency)
                .collect::<Vec<_>>()
        };
        let a = run(7);
        assert_eq!(a, run(7));
        let spikes = a.iter().filter(|l| l.as_millis() == 300).count();
        assert!((60..140).contains(&spikes), "{spikes}");
        assert!(a.iter().all(|l| matches!(l.as_millis(), 1 | 300)));
    }

    #[test]
    fn rules_can_be_replaced_at_runtime() {
        let f = Faults::new(vec![FaultRule::operation("ServiceGet").error_rate(1.0)], 1);
        assert!(f.decide("ServiceGet", "/x", 0).reject.is_some());
        f.set_rules(Vec::new());
        assert!(f.rules().is_empty());
        assert!(f.decide("ServiceGet", "/x", 0).reject.is_none());
        f.set_rules(vec![
            FaultRule::global().rate_limit(1, Duration::from_secs(60))
        ]);
        assert!(f.decide("A", "/a", 0).reject.is_none());
        assert!(f.decide("A", "/a", 1).reject.is_some());
        assert_eq!(
            RateLimit::parse("3/1500ms").unwrap().to_string(),
            "3/1500ms"
        );
    }

    #[test]
    fn latency_and_backups_take_the_largest() {
        let f = Faults::new(
            vec![
                FaultRule::global().latency(Duration::from_millis(5)),
                FaultRule::path_prefix("/project")
                    .latency(Duration::from_millis(20))
                    .no_backup_for(Duration::from_secs(30)),
            ],
            1,
        );
        let d = f.decide("ServiceGet", "/project/p/service/s", 0);
        assert_eq!(d.latency, Duration::from_millis(20));
        assert_eq!(d.no_backup_for_ms, 30_000);
        let d = f.decide("ListClouds", "/clouds", 0);
        assert_eq!(d.latency, Duration::from_millis(5));
        assert_eq!(d.no_backup_for_ms, 0);
    }
}
