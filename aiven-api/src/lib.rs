//! The complete Aiven API client, generated from Aiven's published OpenAPI
//! description by progenitor at build time (see `build.rs`).
//!
//! Every operation of the description is a method on [`Client`]; request and
//! response types live in [`types`]. Responses are tolerant by construction
//! (see the `open-world-responses` rule in `aiven-openapi`), requests strict.
//! Errors of any non-2xx status decode into [`types::AivenError`].
//!
//! For retries, waiters and typed errors, use the `aiven-ext` crate on top.
#![allow(
    clippy::all,
    rustdoc::all,
    unused_imports,
    unused_mut,
    dead_code,
    deprecated
)]

#[doc(hidden)]
pub mod decode;
#[doc(hidden)]
pub mod encode;
pub mod hooks;
pub mod lenient;
pub mod redact;
pub mod tls;

include!(concat!(env!("OUT_DIR"), "/client.rs"));

/// One operation of the description and the client method that sends it.
/// Hand-written code names operations by the constants in [`operations`]
/// (`operations::SERVICE_GET`), never by string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operation {
    /// The description's `operationId`.
    pub operation_id: &'static str,
    /// Upper-case HTTP method.
    pub method: &'static str,
    /// Path template as published.
    pub path: &'static str,
    /// Name of the [`Client`] method.
    pub client_method: &'static str,
    /// Whether a path parameter has a secret name (`download_cookie`), so
    /// the path shown in spans, logs and errors is masked
    /// ([`redact::operation_path`]). Decided once, when the table is
    /// generated: the many operations without one pay nothing per call.
    pub masked_path: bool,
}

impl Operation {
    /// Whether sending the request twice has the effect of sending it once
    /// (RFC 9110 §9.2.2: GET, HEAD, OPTIONS, PUT, DELETE, TRACE).
    pub fn is_idempotent(&self) -> bool {
        matches!(
            self.method,
            "GET" | "HEAD" | "OPTIONS" | "PUT" | "DELETE" | "TRACE"
        )
    }

    /// The operation with this `operationId`.
    pub fn by_id(operation_id: &str) -> Option<&'static Operation> {
        OPERATIONS.iter().find(|op| op.operation_id == operation_id)
    }
}

impl std::fmt::Display for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.operation_id)
    }
}

/// Every operation the generated client implements, read from the generated
/// code at build time, sorted by [`Operation::client_method`].
pub const OPERATIONS: &[Operation] = include!(concat!(env!("OUT_DIR"), "/operations.rs"));

/// One constant per operation, named after its client method in capitals
/// (`service_get` → [`SERVICE_GET`](operations::SERVICE_GET)).
pub mod operations {
    use super::{Operation, OPERATIONS};
    include!(concat!(env!("OUT_DIR"), "/operation_constants.rs"));
}

/// The operation a client method sends (the hooks receive the method name).
pub fn operation_by_method(client_method: &str) -> Option<&'static Operation> {
    OPERATIONS
        .binary_search_by(|op| op.client_method.cmp(client_method))
        .ok()
        .map(|i| &OPERATIONS[i])
}
