//! Retries of transient failures, applied to every request of the generated
//! client through [`aiven_api::hooks::Transport`]: the one retry
//! classification ([`RetryClass`]), the one retry loop ([`run`]), the
//! deadline that bounds a whole call, and the response size cap.
//!
//! A hand-written loop rather than `backon`: the decision needs the HTTP
//! response (429/5xx arrive as `Ok(Response)`, with `Retry-After`), the
//! budget is wall-clock time including request durations (backon's
//! `total_delay` sums sleeps only), and backon's jitter adds `[0, d)` on top
//! of `d`, which is not full jitter and can exceed the maximum delay.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, AtomicU32};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use aiven_api::hooks::Attempts;
use aiven_api::hooks::Transport;
use aiven_api::types::AivenError;
use aiven_api::Operation;
use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Request, Response, ResponseBuilderExt, StatusCode, Url, Version};

use crate::backoff::{self, Jitter};
use crate::clock::Clock;

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

/// The one retry classification, used by the transport, by
/// [`ApiError::is_retryable`](crate::ApiError::is_retryable) and
/// [`Error::is_retryable`](crate::Error::is_retryable), by the waiters (a
/// retryable error is "not yet") and by the create helper (an ambiguous
/// failure triggers the existence check).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RetryClass {
    /// The API did not process the request (connection refused, 429 from the
    /// rate limiter): sending it again is safe for any method.
    Unprocessed,
    /// The request may have been processed and the answer lost or damaged
    /// (5xx, timeout or connection lost after sending, a 2xx body cut
    /// short): only an idempotent request may be sent again blindly.
    Ambiguous,
    /// Sending it again gives the same answer.
    Permanent,
}

impl RetryClass {
    /// An error status.
    pub(crate) fn of_status(status: StatusCode) -> Self {
        match status.as_u16() {
            // 408: the server gave up waiting for the request, so it was
            // not processed; 429: the rate limiter refused it.
            408 | 429 => RetryClass::Unprocessed,
            500 | 502 | 503 | 504 => RetryClass::Ambiguous,
            _ => RetryClass::Permanent,
        }
    }

    /// A request that did not complete; `while_reading_body`: the status
    /// had arrived, the body was lost.
    pub(crate) fn of_transport(e: &reqwest::Error, while_reading_body: bool) -> Self {
        if too_large(e).is_some() {
            // Downloading it again would only be as large.
            RetryClass::Permanent
        } else if e.is_connect() && !while_reading_body {
            RetryClass::Unprocessed
        } else if e.is_builder() || e.is_redirect() {
            // Never sent as asked: the same request fails the same way.
            RetryClass::Permanent
        } else {
            // Sent, and then the answer timed out, was cut or could not be
            // read (`is_decode`: reading the body).
            RetryClass::Ambiguous
        }
    }

    /// Whether the request may be sent again; `idempotent`: its method is
    /// ([`Operation::is_idempotent`]).
    pub(crate) fn allows_retry(self, idempotent: bool) -> bool {
        match self {
            RetryClass::Unprocessed => true,
            RetryClass::Ambiguous => idempotent,
            RetryClass::Permanent => false,
        }
    }
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

tokio::task_local! {
    /// The deadline of the call in progress: the retry loop's budget, or a
    /// waiter's `max_wait`, whichever ends first. Nested loops (the create
    /// helper's around the transport's, a waiter's polls) share it, so one
    /// budget bounds the whole call, attempts in flight included.
    static DEADLINE: Instant;
}

/// `now + after`, saturating at a century (`Instant` panics on overflow;
/// `Duration::MAX` is a valid "no limit").
pub(crate) fn deadline_after(now: Instant, after: Duration) -> Instant {
    const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 3600);
    now.checked_add(after.min(CENTURY)).unwrap_or(now)
}

/// The deadline of the enclosing call, if any.
pub(crate) fn current_deadline() -> Option<Instant> {
    DEADLINE.try_with(|d| *d).ok()
}

/// Runs `future` with `deadline` (or the enclosing one, if earlier) as the
/// deadline of every request it sends.
pub(crate) async fn with_deadline<F: Future>(deadline: Instant, future: F) -> F::Output {
    let deadline = current_deadline().map_or(deadline, |outer| outer.min(deadline));
    DEADLINE.scope(deadline, future).await
}

/// The one retry loop: runs `attempt(n)` until it gives no hint, attempts
/// run out, or the next delay would not fit before the deadline (the
/// policy's budget from now, or an enclosing call's deadline if earlier).
/// The least time a retry's attempt gets (a quarter of the budget when
/// that is less): a retry that would leave less is not made.
const MIN_ATTEMPT: Duration = Duration::from_secs(1);

pub(crate) async fn run<T, F, Fut>(
    policy: &RetryPolicy,
    clock: &dyn Clock,
    jitter: &dyn Jitter,
    operation: &'static Operation,
    mut attempt: F,
) -> T
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = (T, Option<RetryHint>)>,
{
    with_deadline(deadline_after(clock.now(), policy.total_budget), async {
        let deadline = current_deadline().expect("set by with_deadline");
        let mut n = 1;
        loop {
            let (outcome, hint) = attempt(n).await;
            let Some(hint) = hint else { return outcome };
            if n >= policy.max_attempts {
                return outcome;
            }
            let delay = hint
                .retry_after
                .unwrap_or_else(|| backoff::delay(policy.min_delay, policy.max_delay, n, jitter));
            // Server-supplied times are never added up unchecked: a
            // `Retry-After: 18446744073709551615` once overflowed
            // `spent + delay` and panicked. The delay is compared with what
            // remains instead.
            // A retry must also leave its attempt time to be answered: one
            // started with milliseconds left would time out at once, and a
            // create it sent might be made yet reported as failed.
            let remaining = deadline.saturating_duration_since(clock.now());
            let min_attempt = MIN_ATTEMPT.min(policy.total_budget / 4);
            if delay.saturating_add(min_attempt) > remaining {
                tracing::warn!(
                    operation_id = operation.operation_id,
                    attempt = n,
                    delay_ms = delay.as_millis() as u64,
                    reason = %hint.reason,
                    "not retrying Aiven API request: delay exceeds the retry budget"
                );
                return outcome;
            }
            tracing::warn!(
                operation_id = operation.operation_id,
                attempt = n,
                delay_ms = delay.as_millis() as u64,
                reason = %hint.reason,
                "retrying Aiven API request"
            );
            clock.sleep(delay).await;
            n += 1;
        }
    })
    .await
}

/// A response body longer than the client's cap
/// ([`AivenClientBuilder::max_response_bytes`](crate::AivenClientBuilder::max_response_bytes)):
/// reading stopped there and the request is not repeated. Reaches callers as
/// [`Error::ResponseTooLarge`](crate::Error::ResponseTooLarge).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {status} response body exceeds the {limit}-byte cap{}", declared.map(|d| format!(" (Content-Length {d})")).unwrap_or_default())]
pub struct ResponseTooLarge {
    /// The response's status.
    pub status: StatusCode,
    /// The cap in force.
    pub limit: u64,
    /// The `Content-Length` the server declared, when it did.
    pub declared: Option<u64>,
}

/// The [`ResponseTooLarge`] somewhere in `e`'s sources.
pub(crate) fn too_large<'e>(
    e: &'e (dyn std::error::Error + 'static),
) -> Option<&'e ResponseTooLarge> {
    let mut source = Some(e);
    while let Some(e) = source {
        if let Some(t) = e.downcast_ref::<ResponseTooLarge>() {
            return Some(t);
        }
        source = e.source();
    }
    None
}

/// A response read to its end (at most the cap), so that a connection lost
/// while reading the body is a failure of the attempt (and retried like
/// one), not of the caller's later read.
struct Buffered {
    status: StatusCode,
    version: Version,
    headers: HeaderMap,
    url: Url,
    body: Body,
}

enum Body {
    Read(Bytes),
    TooLarge(ResponseTooLarge),
}

impl Buffered {
    /// Reads the body once, chunk by chunk, stopping past `limit` bytes (at
    /// once when `Content-Length` says so). The headers move, not copied.
    async fn read(mut response: Response, limit: u64) -> reqwest::Result<Self> {
        let (status, version) = (response.status(), response.version());
        let url = response.url().clone();
        let declared = response.content_length();
        let too_large = |declared| ResponseTooLarge {
            status,
            limit,
            declared,
        };
        let body = if declared.is_some_and(|d| d > limit) {
            Body::TooLarge(too_large(declared))
        } else {
            // The usual body arrives as one chunk and is kept as it is;
            // several are joined once.
            let (mut first, mut joined, mut read) = (None::<Bytes>, Vec::new(), 0u64);
            let mut over = false;
            while let Some(chunk) = response.chunk().await? {
                read += chunk.len() as u64;
                if read > limit {
                    over = true;
                    break;
                }
                match &first {
                    None => first = Some(chunk),
                    Some(f) => {
                        if joined.is_empty() {
                            joined.reserve(declared.unwrap_or(0).min(limit) as usize);
                            joined.extend_from_slice(f);
                        }
                        joined.extend_from_slice(&chunk);
                    }
                }
            }
            match (over, joined.is_empty()) {
                (true, _) => Body::TooLarge(too_large(declared)),
                (false, true) => Body::Read(first.unwrap_or_default()),
                (false, false) => Body::Read(joined.into()),
            }
        };
        Ok(Self {
            status,
            version,
            headers: std::mem::take(response.headers_mut()),
            url,
            body,
        })
    }

    fn is_json(&self) -> bool {
        self.headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(str::trim)
            .is_some_and(|v| {
                v.eq_ignore_ascii_case("application/json")
                    || v.get(v.len().saturating_sub(5)..)
                        .is_some_and(|end| end.eq_ignore_ascii_case("+json"))
            })
    }

    /// A success declared as JSON whose body was cut short on the way. A
    /// body cut by the connection fails its framing (Content-Length, the
    /// chunked terminator) and never gets here; this catches the rest (a
    /// proxy that re-frames what it got) with one pass over the bytes.
    fn is_cut_short_json(&self) -> bool {
        let Body::Read(body) = &self.body else {
            return false;
        };
        self.status.is_success() && !body.is_empty() && self.is_json() && !json_is_closed(body)
    }
}

/// Whether every string, object and array opened in `body` is closed: not a
/// JSON validator (the decoder is one), a check that the document was not
/// cut short, without the second full parse it replaces.
pub(crate) fn json_is_closed(body: &[u8]) -> bool {
    let mut depth = 0usize;
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b'"' => {
                // Most of a body is inside strings: jump to the next quote
                // or backslash instead of stepping byte by byte.
                i += 1;
                loop {
                    match memchr::memchr2(b'"', b'\\', &body[i..]) {
                        None => return false,
                        Some(at) if body[i + at] == b'\\' => i += at + 2,
                        Some(at) => {
                            i += at;
                            break;
                        }
                    }
                    if i >= body.len() {
                        return false;
                    }
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            _ => {}
        }
        i += 1;
    }
    depth == 0
}

/// The [`Transport`] that retries; installed by
/// [`AivenClientBuilder::build`](crate::AivenClientBuilder::build).
#[derive(Debug, Clone)]
pub struct RetryTransport {
    policy: RetryPolicy,
    clock: Arc<dyn Clock>,
    jitter: Arc<dyn Jitter>,
    /// The client's per-request timeout; an attempt gets less when the
    /// deadline is nearer.
    timeout: Duration,
    max_response_bytes: u64,
}

impl RetryTransport {
    /// A transport retrying by `policy`, timing with `clock`, drawing delays
    /// with `jitter`; each attempt lasts at most `timeout` (and never past
    /// the call's deadline); bodies longer than `max_response_bytes` are
    /// refused.
    pub fn new(
        policy: RetryPolicy,
        clock: Arc<dyn Clock>,
        jitter: Arc<dyn Jitter>,
        timeout: Duration,
        max_response_bytes: u64,
    ) -> Self {
        Self {
            policy,
            clock,
            jitter,
            timeout,
            max_response_bytes,
        }
    }

    /// One attempt: the response, read to its end, whether to repeat it,
    /// and whether it failed ambiguously (it may have been processed).
    async fn attempt(
        &self,
        client: &reqwest::Client,
        mut request: Request,
        operation: &'static Operation,
    ) -> (reqwest::Result<Buffered>, Option<RetryHint>, bool) {
        let idempotent = operation.is_idempotent();
        // The attempt in flight ends at the deadline too: a server that
        // never answers cannot hold the call past its budget.
        let own = request.timeout().copied().unwrap_or(self.timeout);
        let left =
            current_deadline().map_or(own, |d| d.saturating_duration_since(self.clock.now()));
        // reqwest's timeout covers the body as well; 1 ms rather than zero,
        // which would mean no timeout.
        *request.timeout_mut() = Some(own.min(left).max(Duration::from_millis(1)));
        let (result, while_reading_body) = match client.execute(request).await {
            Ok(response) => match Buffered::read(response, self.max_response_bytes).await {
                Ok(b) => (Ok(b), false),
                Err(e) => (Err(e), true),
            },
            Err(e) => (Err(e), false),
        };
        // A connection refused or a timeout prints its URL: the retry
        // warning and the error show it with secret path segments masked.
        let result = result.map_err(|e| aiven_api::redact::request_error(e, operation));
        // Scanned once: the body may be megabytes.
        let cut_short = result.as_ref().is_ok_and(Buffered::is_cut_short_json);
        let class = match &result {
            Err(e) => RetryClass::of_transport(e, while_reading_body),
            Ok(_) if cut_short => RetryClass::Ambiguous,
            Ok(b) => RetryClass::of_status(b.status),
        };
        let ambiguous = class == RetryClass::Ambiguous;
        let hint = match &result {
            Err(e) => class
                .allows_retry(idempotent)
                .then(|| RetryHint::new(format!("request failed: {e}"))),
            // Downloading it again would only be as large, whatever the status.
            Ok(Buffered {
                body: Body::TooLarge(_),
                ..
            }) => None,
            // Processed, but the answer arrived damaged: ask again.
            Ok(b) if idempotent && cut_short => Some(RetryHint::new(format!(
                "{} with a JSON body cut short",
                b.status
            ))),
            Ok(b) => RetryClass::of_status(b.status)
                .allows_retry(idempotent)
                .then(|| RetryHint {
                    reason: b.status.to_string(),
                    retry_after: retry_after(&b.headers, self.clock.system_now()),
                }),
        };
        (result, hint, ambiguous)
    }

    async fn send(
        &self,
        client: &reqwest::Client,
        request: Request,
        operation: &'static Operation,
    ) -> reqwest::Result<Response> {
        // A body that is not in memory (a stream) cannot be sent twice.
        let repeatable = request.body().is_none_or(|b| b.as_bytes().is_some());
        // Earlier attempts that failed ambiguously (the answered one not
        // counted): whether one of them may have been processed.
        let earlier = AtomicU32::new(0);
        let previous_ambiguous = AtomicBool::new(false);
        let (result, attempts) = if !repeatable {
            (self.attempt(client, request, operation).await.0, 1)
        } else {
            let (request, earlier, previous) = (&request, &earlier, &previous_ambiguous);
            let (clock, jitter) = (&*self.clock, &*self.jitter);
            run(&self.policy, clock, jitter, operation, |n| async move {
                if n > 1 && previous.load(Relaxed) {
                    earlier.fetch_add(1, Relaxed);
                }
                let copy = request.try_clone().expect("a body in memory");
                let (result, hint, ambiguous) = self.attempt(client, copy, operation).await;
                previous.store(ambiguous, Relaxed);
                ((result, n), hint)
            })
            .await
        };
        let earlier_ambiguous = earlier.into_inner();
        let mut response = into_response(normalize_error_body(result?));
        // The generated client reads them back into the error's `call`.
        response.extensions_mut().insert(Attempts {
            sent: attempts,
            ambiguous: earlier_ambiguous,
        });
        Ok(response)
    }
}

impl Transport for RetryTransport {
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: Request,
        operation: &'static Operation,
    ) -> Pin<Box<dyn Future<Output = reqwest::Result<Response>> + Send + 'a>> {
        Box::pin(self.send(client, request, operation))
    }
}

/// The buffered response as a `reqwest::Response` again; a body over the
/// cap becomes a body whose read fails with [`ResponseTooLarge`], so the
/// generated code reports it where it reads the body.
fn into_response(b: Buffered) -> Response {
    let mut builder = http::Response::builder()
        .status(b.status)
        .version(b.version)
        .url(b.url);
    if let Some(h) = builder.headers_mut() {
        *h = b.headers;
    }
    let body = match b.body {
        Body::Read(bytes) => reqwest::Body::from(bytes),
        Body::TooLarge(t) => {
            reqwest::Body::wrap_stream(futures::stream::once(async move { Err::<Bytes, _>(t) }))
        }
    };
    builder
        .body(body)
        .expect("parts of a valid response")
        .into()
}

/// Error responses reach the generated code as `AivenError` JSON whatever the
/// server sent (an HTML 502 from a proxy, an empty 404), so the status is
/// never lost to a body parse error.
fn normalize_error_body(mut b: Buffered) -> Buffered {
    let status = b.status;
    if !(status.is_client_error() || status.is_server_error()) {
        return b;
    }
    let Body::Read(body) = &b.body else {
        return b;
    };
    // Leniently, as the client will decode it (and warn): an error body
    // with one field of the wrong type (`errors: [[]]`) is still Aiven's.
    let is_aiven_error = body.trim_ascii_start().starts_with(b"{")
        && aiven_api::lenient::decode::<AivenError>(body).is_ok();
    if !is_aiven_error {
        b.headers
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        b.headers.remove(CONTENT_LENGTH);
        let message = text_message(body, status);
        b.body = Body::Read(
            serde_json::to_vec(&serde_json::json!({ "message": message }))
                .expect("a string")
                .into(),
        );
    }
    b
}

/// The longest server-sent text this crate puts into an error, in
/// characters; longer text is cut with `…`.
pub(crate) const MAX_SERVER_TEXT: usize = 1000;

/// `text` cut to [`MAX_SERVER_TEXT`] characters.
pub(crate) fn truncate(text: &str) -> String {
    match text.char_indices().nth(MAX_SERVER_TEXT) {
        Some((cut, _)) => format!("{}… ({} bytes in all)", &text[..cut], text.len()),
        None => text.to_string(),
    }
}

/// A short message from a body that is not Aiven's error JSON.
fn text_message(body: &[u8], status: StatusCode) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return status
            .canonical_reason()
            .unwrap_or("no message")
            .to_string();
    }
    truncate(text)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn one_classification() {
        let class = |s: u16| RetryClass::of_status(StatusCode::from_u16(s).unwrap());
        assert_eq!(class(429), RetryClass::Unprocessed);
        assert_eq!(class(408), RetryClass::Unprocessed);
        for s in [500, 502, 503, 504] {
            assert_eq!(class(s), RetryClass::Ambiguous, "{s}");
            assert!(class(s).allows_retry(true) && !class(s).allows_retry(false));
        }
        for s in [400, 401, 403, 404, 409, 501, 505] {
            assert!(!class(s).allows_retry(true), "{s}");
        }
        assert!(class(429).allows_retry(false));
    }

    #[test]
    fn closed_json() {
        for closed in [
            &b"{}"[..],
            b"{\"a\": [1, {\"b\": \"}]\\\"\"}]}",
            b"[]",
            b"  {\"x\": \"{[\"}\n",
        ] {
            assert!(
                json_is_closed(closed),
                "{}",
                String::from_utf8_lossy(closed)
            );
        }
        let doc = br#"{"service": {"name": "pg-1", "tags": {"a": "b}"}, "nodes": [1, 2]}}"#;
        for cut in 1..doc.len() {
            assert!(
                !json_is_closed(&doc[..cut]),
                "{}",
                String::from_utf8_lossy(&doc[..cut])
            );
        }
        assert!(json_is_closed(doc));
        assert!(!json_is_closed(b"}{"));
    }

    #[test]
    fn truncation_keeps_short_text_and_cuts_long() {
        assert_eq!(truncate("short"), "short");
        let long = "é".repeat(5000);
        let cut = truncate(&long);
        assert!(
            cut.starts_with(&"é".repeat(MAX_SERVER_TEXT)) && cut.ends_with("(10000 bytes in all)")
        );
    }
}
