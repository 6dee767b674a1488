//! Aiven's error responses: `{"message", "errors": [{"message", "status",
//! "error_code"?}]}` with the HTTP status repeated in each entry.

use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// An error answer of the API, rendered in Aiven's error format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The human-readable message (top level and in the single `errors` entry).
    pub message: String,
    /// Aiven's machine-readable `error_code`, where the description lists one.
    pub error_code: Option<&'static str>,
    /// Further messages, each rendered as one more `errors` entry.
    pub details: Vec<String>,
    /// Extra response headers (such as `Retry-After`).
    pub headers: Vec<(HeaderName, String)>,
}

impl ApiError {
    /// An error with a status and a message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            error_code: None,
            details: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// Sets the machine-readable `error_code`.
    pub fn code(mut self, code: &'static str) -> Self {
        self.error_code = Some(code);
        self
    }

    /// Adds a response header.
    pub fn header(mut self, name: HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// 400 Bad Request.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// 403 Forbidden.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, message)
    }

    /// 404 Not Found.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }

    /// 409 Conflict.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, message)
    }

    /// 403 "Authentication failed", as Aiven answers a missing or wrong token.
    pub fn authentication_failed() -> Self {
        Self::forbidden("Authentication failed").code("authentication_failed")
    }

    /// 404 for a project that does not exist.
    pub fn project_not_found() -> Self {
        Self::not_found("Project does not exist").code("project_not_found")
    }

    /// 404 for a service that does not exist.
    pub fn service_not_found() -> Self {
        Self::not_found("Service not found")
    }

    /// 409 for an operation that needs a powered-on service.
    pub fn not_powered() -> Self {
        Self::conflict("Service not powered on").code("not_powered")
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        let status = self.status.as_u16();
        let mut errors = Vec::with_capacity(1 + self.details.len());
        let mut first = json!({ "message": self.message, "status": status });
        if let Some(code) = self.error_code {
            first["error_code"] = json!(code);
        }
        errors.push(first);
        for d in &self.details {
            errors.push(json!({ "message": d, "status": status }));
        }
        json!({ "message": self.message, "errors": errors })
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.message)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body())).into_response();
        for (name, value) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                response.headers_mut().insert(name, v);
            }
        }
        response
    }
}
