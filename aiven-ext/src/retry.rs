//! Retries of transient failures, applied to every request of the generated
//! client through [`aiven_api::hooks::Transport`].
//!
//! A hand-written loop rather than `backon`: the decision needs the HTTP
//! response (429/5xx arrive as `Ok(Response)`, with `Retry-After`), the
//! budget is wall-clock time including request durations (backon's
//! `total_delay` sums sleeps only), and backon's jitter adds `[0, d)` on top
//! of `d`, which is not full jitter and can exceed the maximum delay.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aiven_api::hooks::Transport;
use aiven_api::types::AivenError;
use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, Request, Response, ResponseBuilderExt, StatusCode, Url, Version};

use crate::clock::Clock;

/// Response header this crate adds to every error response, naming the
/// operation (`operationId`, e.g. `ServiceGet`), so that converting a
/// generated client's error into [`Error`](crate::Error) can report it.
pub const OPERATION_HEADER: &str = "x-aiven-ext-operation";

/// Response header this crate adds to every error response: how many times
/// the request was sent ([`ApiError::attempts`](crate::ApiError::attempts)).
pub(crate) const ATTEMPTS_HEADER: &str = "x-aiven-ext-attempts";

/// How transient failures are retried. See the crate docs for the rules.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in total, the first included (1 disables retries). Default 4.
    pub max_attempts: u32,
    /// Lower bound of every computed delay. Default 200 ms.
    pub min_delay: Duration,
    /// Upper bound of every computed delay. Default 20 s.
    pub max_delay: Duration,
    /// Wall-clock time from the first attempt within which every retry,
    /// including its delay, must start. A `Retry-After` longer than what
    /// remains ends the retries at once. Default 60 s.
    pub total_budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            min_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(20),
            total_budget: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// A policy that sends every request once.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }
}

/// Full jitter with a floor: the delay before retry (or poll) number `n`
/// (1-based) is uniform in `[min, min(max, min·2ⁿ)]`.
pub(crate) fn backoff_delay(min: Duration, max: Duration, n: u32) -> Duration {
    let ceiling = min.saturating_mul(1u32 << n.min(24)).min(max).max(min);
    min + (ceiling - min).mul_f64(fastrand::f64())
}

/// The longest `Retry-After` taken from a server (one day): longer values,
/// up to `u64::MAX` seconds, are clamped to it, so that no arithmetic on a
/// server-supplied delay can overflow. Any value above the retry budget ends
/// the retries anyway.
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// Parses `Retry-After` as delay-seconds or an HTTP-date relative to `now`,
/// clamped to [`MAX_RETRY_AFTER`].
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    let delay = if let Ok(secs) = value.parse::<u64>() {
        Duration::from_secs(secs)
    } else if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // More digits than a u64 holds.
        MAX_RETRY_AFTER
    } else {
        let at = httpdate::parse_http_date(value).ok()?;
        at.duration_since(now).unwrap_or(Duration::ZERO)
    };
    Some(delay.min(MAX_RETRY_AFTER))
}

/// RFC 9110 idempotent methods: sending them twice has the effect of once.
pub(crate) fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
    )
}

/// Why an attempt is worth repeating.
pub(crate) struct RetryHint {
    pub(crate) reason: String,
    pub(crate) retry_after: Option<Duration>,
}

impl RetryHint {
    pub(crate) fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
            retry_after: None,
        }
    }
}

/// The one retry loop: runs `attempt(n)` until it gives no hint, attempts
/// run out, or the next delay would not fit in the budget.
pub(crate) async fn run<T, F, Fut>(
    policy: &RetryPolicy,
    clock: &dyn Clock,
    operation_id: &str,
    mut attempt: F,
) -> T
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = (T, Option<RetryHint>)>,
{
    let started = clock.now();
    let mut n = 1;
    loop {
        let (outcome, hint) = attempt(n).await;
        let Some(hint) = hint else { return outcome };
        if n >= policy.max_attempts {
            return outcome;
        }
        let delay = hint
            .retry_after
            .unwrap_or_else(|| backoff_delay(policy.min_delay, policy.max_delay, n));
        // Server-supplied times are never added up unchecked: a
        // `Retry-After: 18446744073709551615` once overflowed `spent + delay`
        // and panicked. The delay is compared with what remains instead.
        let spent = clock.now().saturating_duration_since(started);
        let remaining = policy.total_budget.saturating_sub(spent);
        if delay > remaining {
            tracing::warn!(
                operation_id,
                attempt = n,
                delay_ms = delay.as_millis() as u64,
                reason = %hint.reason,
                "not retrying Aiven API request: delay exceeds the retry budget"
            );
            return outcome;
        }
        tracing::warn!(
            operation_id,
            attempt = n,
            delay_ms = delay.as_millis() as u64,
            reason = %hint.reason,
            "retrying Aiven API request"
        );
        clock.sleep(delay).await;
        n += 1;
    }
}

/// A response read to its end, so that a connection lost while reading the
/// body is a failure of the attempt (and retried like one), not of the
/// caller's later read.
struct Buffered {
    status: StatusCode,
    version: Version,
    headers: HeaderMap,
    url: Url,
    body: Bytes,
}

impl Buffered {
    async fn read(response: Response) -> reqwest::Result<Self> {
        let (status, version) = (response.status(), response.version());
        let (headers, url) = (response.headers().clone(), response.url().clone());
        let body = response.bytes().await?;
        Ok(Self {
            status,
            version,
            headers,
            url,
            body,
        })
    }

    fn is_json(&self) -> bool {
        self.headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .is_some_and(|v| v == "application/json" || v.ends_with("+json"))
    }

    /// A success declared as JSON whose body does not parse: cut short or
    /// damaged on the way.
    fn is_damaged_json(&self) -> bool {
        self.status.is_success()
            && !self.body.is_empty()
            && self.is_json()
            && serde_json::from_slice::<serde::de::IgnoredAny>(&self.body).is_err()
    }
}

/// One attempt: the response, read to its end.
async fn attempt(client: &reqwest::Client, request: Request) -> (reqwest::Result<Buffered>, bool) {
    match client.execute(request).await {
        Ok(response) => match Buffered::read(response).await {
            Ok(b) => (Ok(b), false),
            Err(e) => (Err(e), true),
        },
        Err(e) => (Err(e), false),
    }
}

/// Decides whether one sent request is worth sending again. `body_failed`:
/// the error happened while reading the response body (the request was
/// processed, the answer lost).
fn classify(
    result: &reqwest::Result<Buffered>,
    body_failed: bool,
    idempotent: bool,
    now: SystemTime,
) -> Option<RetryHint> {
    match result {
        // Connecting failed: the server never saw the request.
        Err(e) if e.is_connect() => Some(RetryHint::new(format!("connect error: {e}"))),
        // Anything after that is ambiguous; only idempotent requests repeat.
        Err(e) if idempotent && body_failed => {
            Some(RetryHint::new(format!("response body lost: {e}")))
        }
        Err(e) if idempotent && (e.is_timeout() || e.is_request() || e.is_body()) => {
            Some(RetryHint::new(format!("request error: {e}")))
        }
        Err(_) => None,
        Ok(response) => {
            let status = response.status;
            let retryable = match status.as_u16() {
                // Refused by the rate limiter, so not processed.
                429 => true,
                500 | 502 | 503 | 504 => idempotent,
                // Processed, but the answer arrived damaged: ask again.
                _ if idempotent && response.is_damaged_json() => {
                    return Some(RetryHint::new(format!(
                        "{status} with a JSON body that does not parse"
                    )))
                }
                _ => false,
            };
            retryable.then(|| RetryHint {
                reason: status.to_string(),
                retry_after: retry_after(&response.headers, now),
            })
        }
    }
}

/// The [`Transport`] that retries; installed by
/// [`AivenClientBuilder::build`](crate::AivenClientBuilder::build).
#[derive(Debug, Clone)]
pub struct RetryTransport {
    policy: RetryPolicy,
    clock: Arc<dyn Clock>,
}

impl RetryTransport {
    /// A transport retrying by `policy`, timing with `clock`.
    pub fn new(policy: RetryPolicy, clock: Arc<dyn Clock>) -> Self {
        Self { policy, clock }
    }

    async fn send(
        &self,
        client: &reqwest::Client,
        request: Request,
        client_method: &str,
    ) -> reqwest::Result<Response> {
        let operation_id =
            aiven_api::operation_by_method(client_method).map_or("unknown", |op| op.operation_id);
        let idempotent = is_idempotent(request.method());
        let (result, attempts) = if request.try_clone().is_none() {
            // A streaming body cannot be sent twice.
            (attempt(client, request).await.0, 1)
        } else {
            let request = &request;
            run(&self.policy, &*self.clock, operation_id, |n| async move {
                let copy = request.try_clone().expect("checked above");
                let (result, body_failed) = attempt(client, copy).await;
                let hint = classify(&result, body_failed, idempotent, self.clock.system_now());
                ((result, n), hint)
            })
            .await
        };
        Ok(rebuild(normalize_error_body(
            result?,
            operation_id,
            attempts,
        )))
    }
}

impl Transport for RetryTransport {
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: Request,
        operation_id: &'static str,
    ) -> Pin<Box<dyn Future<Output = reqwest::Result<Response>> + Send + 'a>> {
        Box::pin(self.send(client, request, operation_id))
    }
}

/// The buffered response as a `reqwest::Response` again.
fn rebuild(b: Buffered) -> Response {
    let mut builder = http::Response::builder()
        .status(b.status)
        .version(b.version)
        .url(b.url);
    if let Some(h) = builder.headers_mut() {
        *h = b.headers;
    }
    builder
        .body(b.body)
        .expect("parts of a valid response")
        .into()
}

/// Error responses reach the generated code as `AivenError` JSON whatever the
/// server sent (an HTML 502 from a proxy, an empty 404), so the status is
/// never lost to a body parse error; the operation and the number of
/// attempts are recorded in headers.
fn normalize_error_body(mut b: Buffered, operation_id: &'static str, attempts: u32) -> Buffered {
    let status = b.status;
    if !(status.is_client_error() || status.is_server_error()) {
        return b;
    }
    b.headers
        .insert(OPERATION_HEADER, HeaderValue::from_static(operation_id));
    b.headers
        .insert(ATTEMPTS_HEADER, HeaderValue::from(attempts));
    let is_aiven_error = b.body.trim_ascii_start().starts_with(b"{")
        && serde_json::from_slice::<AivenError>(&b.body).is_ok();
    if !is_aiven_error {
        b.headers
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        b.headers.remove(reqwest::header::CONTENT_LENGTH);
        let message = text_message(&b.body, status);
        b.body = serde_json::to_vec(&serde_json::json!({ "message": message }))
            .expect("a string")
            .into();
    }
    b
}

/// A short message from a body that is not Aiven's error JSON.
fn text_message(body: &[u8], status: StatusCode) -> String {
    const MAX: usize = 1000;
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return status
            .canonical_reason()
            .unwrap_or("no message")
            .to_string();
    }
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_stays_within_floor_and_doubling_ceiling() {
        let (min, max) = (Duration::from_millis(200), Duration::from_secs(20));
        for n in 1..12 {
            let ceiling = (min * 2u32.pow(n)).min(max);
            for _ in 0..200 {
                let d = backoff_delay(min, max, n);
                assert!(d >= min && d <= ceiling, "retry {n}: {d:?}");
            }
        }
        assert_eq!(backoff_delay(min, min, 5), min);
    }

    #[test]
    fn retry_after_seconds_and_http_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(7)));
        let date = httpdate::fmt_http_date(now + Duration::from_secs(42));
        h.insert(RETRY_AFTER, HeaderValue::from_str(&date).unwrap());
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(42)));
        let past = httpdate::fmt_http_date(now - Duration::from_secs(42));
        h.insert(RETRY_AFTER, HeaderValue::from_str(&past).unwrap());
        assert_eq!(retry_after(&h, now), Some(Duration::ZERO));
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h, now), None);
        for huge in ["18446744073709551615", "99999999999999999999999999"] {
            h.insert(RETRY_AFTER, HeaderValue::from_static(huge));
            assert_eq!(retry_after(&h, now), Some(MAX_RETRY_AFTER), "{huge}");
        }
    }

    #[test]
    fn idempotency_follows_rfc_9110() {
        assert!(is_idempotent(&Method::GET) && is_idempotent(&Method::PUT));
        assert!(is_idempotent(&Method::DELETE));
        assert!(!is_idempotent(&Method::POST) && !is_idempotent(&Method::PATCH));
    }
}
