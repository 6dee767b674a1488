//! The crate's one error type.

use std::fmt;
use std::time::{Duration, SystemTime};

use aiven_api::types::{AivenError, AivenErrorDetail};
use aiven_api::Operation;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use crate::retry::{retry_after, too_large, truncate, ResponseTooLarge, RetryClass};

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong, from input validation to waiting.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error status.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The request did not complete: connection, TLS, timeout, body read.
    #[error("{}Aiven API request failed: {source}", op_prefix(*operation))]
    Transport {
        /// The operation, when known: always for the calls this crate's
        /// helpers and waiters make; see [`Error::with_operation`].
        operation: Option<&'static Operation>,
        /// What failed.
        #[source]
        source: reqwest::Error,
    },
    /// A success response whose body is not what the API documents.
    #[error(
        "{}unexpected Aiven API response{}: {reason}",
        op_prefix(*operation),
        status.map(|s| format!(" ({s})")).unwrap_or_default()
    )]
    InvalidResponse {
        /// The HTTP status, when known.
        status: Option<StatusCode>,
        /// What was wrong.
        reason: String,
        /// The start of the body, for diagnosis, with secrets redacted
        /// (values of secret-named keys, passwords in URLs) and cut to
        /// 1,000 characters.
        body: String,
        /// The operation, when known, as for [`Transport`](Error::Transport).
        operation: Option<&'static Operation>,
    },
    /// The response body was longer than the client's cap
    /// ([`AivenClientBuilder::max_response_bytes`](crate::AivenClientBuilder::max_response_bytes));
    /// reading stopped at the cap and the request was not repeated.
    #[error("{}{source}", op_prefix(*operation))]
    ResponseTooLarge {
        /// The operation, when known, as for [`Transport`](Error::Transport).
        operation: Option<&'static Operation>,
        /// Status, cap and declared length.
        #[source]
        source: ResponseTooLarge,
    },
    /// Input refused before anything was sent.
    #[error("invalid {field} {value:?}: {reason}")]
    Validation {
        /// The parameter or field.
        field: &'static str,
        /// The refused value.
        value: String,
        /// What the API requires.
        reason: String,
    },
    /// The generated client refused to build the request (a required
    /// parameter missing, a value out of its documented range).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The client could not be configured (no token, bad URL, …).
    #[error("configuration error: {0}")]
    Config(String),
    /// The service has termination protection; it was not deleted or powered off.
    #[error(
        "service {project}/{service} has termination protection enabled; \
         disable it first (or use `lift_termination_protection(true)` when deleting)"
    )]
    TerminationProtected {
        /// Project name.
        project: String,
        /// Service name.
        service: String,
        /// The API's refusal.
        #[source]
        source: Box<ApiError>,
    },
    /// A waiter gave up at its deadline.
    #[error(
        "timed out waiting for {what} after {elapsed:?} and {polls} polls (last state: {})",
        last_state.as_deref().unwrap_or("none observed")
    )]
    WaitTimeout {
        /// What was awaited.
        what: String,
        /// Time from the first poll to giving up.
        elapsed: Duration,
        /// Requests made.
        polls: u32,
        /// The last observed state.
        last_state: Option<String>,
    },
    /// A waiter observed a state from which success cannot follow.
    #[error(
        "gave up waiting for {what} after {elapsed:?} and {polls} polls: reached {state}: {reason}"
    )]
    WaitFailed {
        /// What was awaited.
        what: String,
        /// The observed state.
        state: String,
        /// Why it is terminal.
        reason: String,
        /// Time from the first poll to giving up.
        elapsed: Duration,
        /// Requests made.
        polls: u32,
    },
    /// A waiter's poll failed with an error that waiting does not cure
    /// (403, a 404 after the grace period, …); the error is the source, and
    /// [`Error::api`] reaches it.
    #[error(
        "gave up waiting for {what} after {elapsed:?} and {polls} polls (last state: {}): {source}",
        last_state.as_deref().unwrap_or("none observed")
    )]
    WaitInterrupted {
        /// What was awaited.
        what: String,
        /// Time from the first poll to giving up.
        elapsed: Duration,
        /// Requests made.
        polls: u32,
        /// The last observed state before the error.
        last_state: Option<String>,
        /// The poll's error.
        #[source]
        source: Box<Error>,
    },
    /// A create failed ambiguously, and the resource found under its name
    /// is not what was asked for: it was not adopted.
    #[error("{kind} {name} exists with a different spec ({differences}); it was not adopted")]
    ExistsWithDifferentSpec {
        /// What kind of resource (`service`, …).
        kind: &'static str,
        /// Its name, with its project.
        name: String,
        /// What differs: `field: asked X, found Y`, comma-separated.
        differences: String,
    },
    /// A create whose outcome could not be determined: an attempt failed
    /// ambiguously (a 5xx, a timeout or a connection lost after sending: it
    /// may have been processed), and nothing afterwards settled whether the
    /// resource exists — the look-up that would have said failed, or the
    /// retry budget or deadline ended first. The resource may exist: look it
    /// up (or run the `ensure_*` again, which does) before creating it anew.
    /// `last` is the last error seen, the create's or the look-up's;
    /// [`Error::api`] and [`Error::status`] reach it.
    #[error(
        "{}: outcome unknown: {kind} {name} may or may not have been created: {last}",
        operation.operation_id
    )]
    OutcomeUnknown {
        /// The create operation (e.g. `ServiceCreate`).
        operation: &'static Operation,
        /// What kind of resource (`service`, `topic`, …).
        kind: &'static str,
        /// Its name, with its project.
        name: String,
        /// The last error seen.
        #[source]
        last: Box<Error>,
    },
    /// A teardown could not delete everything; the rest was deleted.
    #[error("teardown incomplete: {}", teardown_failures(failures))]
    TeardownIncomplete {
        /// What could not be deleted, and why.
        failures: Vec<(String, Error)>,
    },
    /// An error raised by a client hook.
    #[error("{0}")]
    Other(String),
}

fn teardown_failures(failures: &[(String, Error)]) -> String {
    let each: Vec<String> = failures.iter().map(|(n, e)| format!("{n}: {e}")).collect();
    each.join("; ")
}

/// An error status from the API, with what Aiven said about it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// The operation (e.g. [`SERVICE_GET`](aiven_api::operations::SERVICE_GET)),
    /// when known.
    pub operation: Option<&'static Operation>,
    /// Aiven's message (or the body, when it was not Aiven's error JSON),
    /// cut to 1,000 characters.
    pub message: String,
    /// `errors[].error_code`, where the endpoint has them.
    pub error_codes: Vec<String>,
    /// `x-request-id` / `request-id` response header, for Aiven support.
    pub request_id: Option<String>,
    /// `Retry-After`, when the server sent one.
    pub retry_after: Option<Duration>,
    /// The individual `errors[]` entries.
    pub details: Vec<AivenErrorDetail>,
    /// How many times the request was sent (retries included); this is
    /// the last answer.
    pub attempts: u32,
    /// How many of the earlier attempts (all but this answer's) failed
    /// ambiguously — a 5xx, a timeout or a connection lost after sending —
    /// and so may have been processed. A 404 on the retry of a delete with
    /// an ambiguous earlier attempt does not say the resource was gone
    /// before the call: that attempt may have deleted it.
    pub ambiguous_attempts: u32,
}

fn op_prefix(operation: Option<&'static Operation>) -> String {
    operation
        .map(|op| format!("{}: ", op.operation_id))
        .unwrap_or_default()
}

impl ApiError {
    fn from_parts(status: StatusCode, headers: &HeaderMap, body: AivenError) -> Self {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        // The generated client sets `call` on every error it returns (the
        // hooks resolved the operation, the transport counted the attempts).
        let call = body.call;
        let details = body.errors.unwrap_or_default();
        let message = body
            .message
            .or_else(|| details.iter().find_map(|d| d.message.clone()))
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_owned());
        Self {
            status,
            operation: call.map(|c| c.operation),
            message: truncate(&message),
            // Every server string that goes into the Display is cut.
            error_codes: details
                .iter()
                .filter_map(|d| d.error_code.as_deref().map(truncate))
                .take(20)
                .collect(),
            request_id: header("x-request-id")
                .or_else(|| header("request-id"))
                .map(|id| truncate(&id)),
            retry_after: retry_after(headers, SystemTime::now()),
            details,
            attempts: call.map_or(1, |c| c.attempts.sent),
            ambiguous_attempts: call.map_or(0, |c| c.attempts.ambiguous),
        }
    }

    fn mentions(&self, needle: &str) -> bool {
        std::iter::once(&self.message)
            .chain(self.details.iter().filter_map(|d| d.message.as_ref()))
            .any(|m| m.to_ascii_lowercase().contains(needle))
    }

    /// 403 whose message is about termination protection.
    pub fn is_termination_protected(&self) -> bool {
        self.status == StatusCode::FORBIDDEN
            && (self.mentions("termination protection")
                || self.mentions("termination_protection")
                || self.mentions("protected against termination"))
    }

    /// Whether the same request may be sent again and succeed, by the
    /// transport's own rule: 429 always; 500, 502, 503 and 504 for
    /// idempotent operations (a POST may have been processed).
    pub fn is_retryable(&self) -> bool {
        RetryClass::of_status(self.status)
            .allows_retry(self.operation.is_some_and(Operation::is_idempotent))
    }

    /// The operation's `operationId`, when known.
    pub fn operation_id(&self) -> Option<&'static str> {
        self.operation.map(|op| op.operation_id)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(op) = self.operation {
            write!(f, "{}: ", op.operation_id)?;
        }
        write!(f, "HTTP {}: {}", self.status, self.message)?;
        if !self.error_codes.is_empty() {
            write!(f, " [{}]", self.error_codes.join(", "))?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        if self.attempts > 1 {
            write!(f, " after {} attempts", self.attempts)?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

impl Error {
    /// The API error, if this is one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) | Error::TerminationProtected { source: e, .. } => Some(e),
            Error::WaitInterrupted { source, .. } | Error::OutcomeUnknown { last: source, .. } => {
                source.api()
            }
            _ => None,
        }
    }

    /// Whether a create's outcome is unknown ([`Error::OutcomeUnknown`]):
    /// the resource may or may not exist.
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self, Error::OutcomeUnknown { .. })
    }

    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<StatusCode> {
        self.api().map(|e| e.status).or(match self {
            Error::InvalidResponse { status, .. } => *status,
            Error::Transport { source, .. } => source.status(),
            Error::OutcomeUnknown { last, .. } => last.status(),
            _ => None,
        })
    }

    /// 404 Not Found.
    pub fn is_not_found(&self) -> bool {
        self.api()
            .is_some_and(|e| e.status == StatusCode::NOT_FOUND)
    }

    /// 409 Conflict: the resource already exists.
    pub fn is_already_exists(&self) -> bool {
        self.api().is_some_and(|e| e.status == StatusCode::CONFLICT)
    }

    /// 429 Too Many Requests.
    pub fn is_rate_limited(&self) -> bool {
        self.api()
            .is_some_and(|e| e.status == StatusCode::TOO_MANY_REQUESTS)
    }

    /// Refused because of termination protection.
    pub fn is_termination_protected(&self) -> bool {
        matches!(self, Error::TerminationProtected { .. })
            || self.api().is_some_and(ApiError::is_termination_protected)
    }

    /// Whether sending the same request again may succeed: the verdict of
    /// the one retry classification for this error's operation.
    /// Unprocessed failures (connection refused, 408, 429) always;
    /// ambiguous ones (5xx, a timeout or lost connection after sending, a
    /// 2xx whose body could not be read) for idempotent operations only;
    /// anything else never.
    pub fn is_retryable(&self) -> bool {
        let idempotent = self.operation().is_some_and(Operation::is_idempotent);
        self.retry_class().allows_retry(idempotent)
    }

    /// How a failed call bears on sending it again (see [`RetryClass`]).
    pub(crate) fn retry_class(&self) -> RetryClass {
        match self {
            Error::Api(e) => RetryClass::of_status(e.status),
            Error::Transport { source, .. } => RetryClass::of_transport(source, false),
            // A success (documented or not) whose body could not be decoded:
            // processed, answer unreadable.
            Error::InvalidResponse { status, .. } if status.is_none_or(|s| s.is_success()) => {
                RetryClass::Ambiguous
            }
            _ => RetryClass::Permanent,
        }
    }

    /// The operation the error belongs to: always for API errors; for
    /// transport, invalid-response and size errors when the call went
    /// through this crate's helpers or waiters (or was named with
    /// [`with_operation`](Self::with_operation)), since the generated
    /// client's errors of that kind do not say.
    pub fn operation(&self) -> Option<&'static Operation> {
        match self {
            Error::Api(e) | Error::TerminationProtected { source: e, .. } => e.operation,
            Error::Transport { operation, .. }
            | Error::InvalidResponse { operation, .. }
            | Error::ResponseTooLarge { operation, .. } => *operation,
            Error::WaitInterrupted { source, .. } => source.operation(),
            Error::OutcomeUnknown { operation, .. } => Some(*operation),
            _ => None,
        }
    }

    /// The `operationId` of [`operation`](Self::operation), e.g. `ServiceGet`.
    pub fn operation_id(&self) -> Option<&'static str> {
        self.operation().map(|op| op.operation_id)
    }

    /// Names the operation of an error that does not name one yet, e.g.
    /// `client.service_get()….send().await.map_err(|e| Error::from(e).with_operation(operations::SERVICE_GET))`.
    pub fn with_operation(mut self, op: &'static Operation) -> Self {
        match &mut self {
            Error::Api(e) | Error::TerminationProtected { source: e, .. } => {
                e.operation.get_or_insert(op);
            }
            Error::Transport { operation, .. }
            | Error::InvalidResponse { operation, .. }
            | Error::ResponseTooLarge { operation, .. } => {
                operation.get_or_insert(op);
            }
            _ => {}
        }
        self
    }

    /// Converts an error of the generated client for the operation `op`.
    pub(crate) fn during(op: &'static Operation) -> impl Fn(aiven_api::Error<AivenError>) -> Error {
        move |e| Error::from(e).with_operation(op)
    }

    /// A missing-data error for a response of `op` that lacks `field`.
    pub(crate) fn missing(field: &str, op: &'static Operation) -> Self {
        Error::InvalidResponse {
            status: None,
            reason: format!("the response has no `{field}`"),
            body: String::new(),
            operation: Some(op),
        }
    }

    pub(crate) fn invalid(
        field: &'static str,
        value: impl fmt::Display,
        reason: impl Into<String>,
    ) -> Self {
        Error::Validation {
            field,
            value: value.to_string(),
            reason: reason.into(),
        }
    }
}

impl From<aiven_api::Error<AivenError>> for Error {
    fn from(e: aiven_api::Error<AivenError>) -> Self {
        use aiven_api::Error as E;
        match e {
            E::ErrorResponse(rv) => {
                let (status, headers) = (rv.status(), rv.headers().clone());
                Error::Api(Box::new(ApiError::from_parts(
                    status,
                    &headers,
                    rv.into_inner(),
                )))
            }
            E::UnexpectedResponse(r)
                if r.status().is_client_error() || r.status().is_server_error() =>
            {
                // Statuses the description lists no body for; the body stays unread.
                Error::Api(Box::new(ApiError::from_parts(
                    r.status(),
                    r.headers(),
                    AivenError::default(),
                )))
            }
            E::UnexpectedResponse(r) => Error::InvalidResponse {
                status: Some(r.status()),
                reason: "status not documented for this operation".into(),
                body: String::new(),
                operation: None,
            },
            E::InvalidResponsePayload(body, err) => Error::InvalidResponse {
                status: None,
                reason: truncate(&without_quoted_values(&err.to_string())),
                body: diagnostic_body(&body),
                operation: None,
            },
            E::CommunicationError(e) | E::ResponseBodyError(e) | E::InvalidUpgrade(e) => e.into(),
            E::InvalidRequest(s) => Error::InvalidRequest(s),
            E::Custom(s) => Error::Other(s),
        }
    }
}

impl From<reqwest::Error> for Error {
    fn from(e: reqwest::Error) -> Self {
        if let Some(t) = too_large(&e) {
            return Error::ResponseTooLarge {
                operation: None,
                source: t.clone(),
            };
        }
        Error::Transport {
            operation: None,
            source: e,
        }
    }
}

/// A decoder's message with the string values it quotes left out: serde
/// quotes the value it refused (`invalid type: string "hunter2", expected
/// a boolean`), which may be a password in a field of the wrong type.
pub(crate) fn without_quoted_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find('"') {
        out.push_str(&rest[..=open]);
        let after = &rest[open + 1..];
        // The closing quote: the first not escaped by a backslash.
        let mut close = None;
        let mut escaped = false;
        for (i, c) in after.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    close = Some(i);
                    break;
                }
                _ => {}
            }
        }
        match close {
            Some(i) => {
                out.push_str(if i == 0 { "\"" } else { "…\"" });
                rest = &after[i + 1..];
            }
            None => {
                out.push('…');
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The start of a body kept in an error for diagnosis: secrets redacted
/// first (the text may be cut anywhere, even inside a secret), then cut to
/// 1,000 characters.
fn diagnostic_body(body: &[u8]) -> String {
    const KEEP: usize = 4 * 1000;
    let text = String::from_utf8_lossy(&body[..body.len().min(KEEP)]);
    truncate(&crate::redact::text(&text))
}

/// One step from a generated call's result to this crate's: the body, or an
/// [`Error`] naming the operation (which the generated client's transport
/// and decode errors do not carry).
///
/// ```no_run
/// # async fn run(client: aiven_ext::AivenClient) -> aiven_ext::Result<()> {
/// use aiven_ext::prelude::*;
/// let clouds = client.list_clouds().send().await.during(ops::LIST_CLOUDS)?;
/// # let _ = clouds; Ok(()) }
/// ```
pub trait RawResultExt<T> {
    /// The response body, or the error as [`Error`] with `operation` attached.
    fn during(self, operation: &'static Operation) -> Result<T>;
}

impl<T> RawResultExt<T>
    for std::result::Result<aiven_api::ResponseValue<T>, aiven_api::Error<AivenError>>
{
    fn during(self, operation: &'static Operation) -> Result<T> {
        self.map(aiven_api::ResponseValue::into_inner)
            .map_err(Error::during(operation))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoder_messages_lose_the_values_they_quote() {
        for (message, kept) in [
            (
                r#"invalid type: string "hunter2", expected a boolean at line 1 column 30"#,
                r#"invalid type: string "…", expected a boolean at line 1 column 30"#,
            ),
            (
                r#"invalid value: string "a\"b", expected x"#,
                r#"invalid value: string "…", expected x"#,
            ),
            (
                "missing field `service_name`",
                "missing field `service_name`",
            ),
            (r#"empty "" and cut "abc"#, r#"empty "" and cut "…"#),
        ] {
            assert_eq!(without_quoted_values(message), kept);
        }
    }
}
