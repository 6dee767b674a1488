//! The crate's one error type.

use std::fmt;
use std::time::{Duration, SystemTime};

use aiven_api::types::{AivenError, AivenErrorDetail};
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use crate::retry::{is_idempotent, retry_after, ATTEMPTS_HEADER, OPERATION_HEADER};

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
    #[error("{}Aiven API request failed: {source}", op_prefix(*operation_id))]
    Transport {
        /// The operation (`operationId`), when known: always for the calls
        /// this crate's helpers and waiters make; see [`Error::with_operation`].
        operation_id: Option<&'static str>,
        /// What failed.
        #[source]
        source: reqwest::Error,
    },
    /// A success response whose body is not what the API documents.
    #[error(
        "{}unexpected Aiven API response{}: {reason}",
        op_prefix(*operation_id),
        status.map(|s| format!(" ({s})")).unwrap_or_default()
    )]
    InvalidResponse {
        /// The HTTP status, when known.
        status: Option<StatusCode>,
        /// What was wrong.
        reason: String,
        /// The start of the body, for diagnosis.
        body: String,
        /// The operation (`operationId`), when known, as for
        /// [`Transport`](Error::Transport).
        operation_id: Option<&'static str>,
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
    #[error("gave up waiting for {what}: reached {state}: {reason}")]
    WaitFailed {
        /// What was awaited.
        what: String,
        /// The observed state.
        state: String,
        /// Why it is terminal.
        reason: String,
    },
    /// An error raised by a client hook.
    #[error("{0}")]
    Other(String),
}

/// An error status from the API, with what Aiven said about it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// The operation (`operationId`, e.g. `ServiceGet`), when known.
    pub operation_id: Option<&'static str>,
    /// Aiven's message (or the body, when it was not Aiven's error JSON).
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
}

fn op_prefix(operation_id: Option<&'static str>) -> String {
    operation_id.map(|op| format!("{op}: ")).unwrap_or_default()
}

impl ApiError {
    fn from_parts(status: StatusCode, headers: &HeaderMap, body: AivenError) -> Self {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let details = body.errors.unwrap_or_default();
        let message = body
            .message
            .or_else(|| details.iter().find_map(|d| d.message.clone()))
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_owned());
        Self {
            status,
            operation_id: header(OPERATION_HEADER).and_then(|op| {
                aiven_api::OPERATIONS
                    .iter()
                    .find(|o| o.operation_id == op)
                    .map(|o| o.operation_id)
            }),
            message,
            error_codes: details
                .iter()
                .filter_map(|d| d.error_code.clone())
                .collect(),
            request_id: header("x-request-id").or_else(|| header("request-id")),
            retry_after: retry_after(headers, SystemTime::now()),
            details,
            attempts: header(ATTEMPTS_HEADER)
                .and_then(|n| n.parse().ok())
                .unwrap_or(1),
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

    /// Whether the same request may succeed later: 429, 502, 503, 504, and
    /// 500 for idempotent operations.
    pub fn is_retryable(&self) -> bool {
        match self.status.as_u16() {
            429 | 502 | 503 | 504 => true,
            500 => self
                .operation_id
                .and_then(|id| aiven_api::OPERATIONS.iter().find(|o| o.operation_id == id))
                .and_then(|o| o.method.parse().ok())
                .is_some_and(|m| is_idempotent(&m)),
            _ => false,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(op) = self.operation_id {
            write!(f, "{op}: ")?;
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
            _ => None,
        }
    }

    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<StatusCode> {
        self.api().map(|e| e.status).or(match self {
            Error::InvalidResponse { status, .. } => *status,
            Error::Transport { source, .. } => source.status(),
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

    /// Whether trying again later may succeed: see
    /// [`ApiError::is_retryable`]; transport errors when connecting failed or
    /// timed out.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => e.is_retryable(),
            Error::Transport { source, .. } => source.is_connect() || source.is_timeout(),
            _ => false,
        }
    }

    /// The operation (`operationId`, e.g. `ServiceGet`) the error belongs
    /// to: always for API errors; for transport and invalid-response errors
    /// when the call went through this crate's helpers or waiters (or was
    /// named with [`with_operation`](Self::with_operation)), since the
    /// generated client's errors of that kind do not say.
    pub fn operation_id(&self) -> Option<&'static str> {
        match self {
            Error::Api(e) | Error::TerminationProtected { source: e, .. } => e.operation_id,
            Error::Transport { operation_id, .. } | Error::InvalidResponse { operation_id, .. } => {
                *operation_id
            }
            _ => None,
        }
    }

    /// Names the operation of an error that does not name one yet, e.g.
    /// `client.service_get()….send().await.map_err(|e| Error::from(e).with_operation("ServiceGet"))`.
    pub fn with_operation(mut self, id: &'static str) -> Self {
        match &mut self {
            Error::Api(e) | Error::TerminationProtected { source: e, .. } => {
                e.operation_id.get_or_insert(id);
            }
            Error::Transport { operation_id, .. } | Error::InvalidResponse { operation_id, .. } => {
                operation_id.get_or_insert(id);
            }
            _ => {}
        }
        self
    }

    /// Converts an error of the generated client for the operation `id`.
    pub(crate) fn during(id: &'static str) -> impl Fn(aiven_api::Error<AivenError>) -> Error {
        move |e| Error::from(e).with_operation(id)
    }

    /// A missing-data error for a response that lacks `field`.
    pub(crate) fn missing(field: &str) -> Self {
        Error::InvalidResponse {
            status: None,
            reason: format!("the response has no `{field}`"),
            body: String::new(),
            operation_id: None,
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
                operation_id: None,
            },
            E::InvalidResponsePayload(body, err) => Error::InvalidResponse {
                status: None,
                reason: err.to_string(),
                body: String::from_utf8_lossy(&body[..body.len().min(2000)]).into_owned(),
                operation_id: None,
            },
            E::CommunicationError(e) | E::ResponseBodyError(e) | E::InvalidUpgrade(e) => e.into(),
            E::InvalidRequest(s) => Error::InvalidRequest(s),
            E::Custom(s) => Error::Other(s),
        }
    }
}

impl From<reqwest::Error> for Error {
    fn from(e: reqwest::Error) -> Self {
        Error::Transport {
            operation_id: None,
            source: e,
        }
    }
}
