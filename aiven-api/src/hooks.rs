//! The hooks beside the generated [`Client`](crate::Client): a tracing span
//! per call, and an optional [`Transport`] through which `aiven-ext` adds
//! retries.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use tracing::Instrument;

/// Sends one request. `aiven-ext` implements it to retry transient failures.
pub trait Transport: Send + Sync + 'static {
    /// Executes `request` for the operation `operation_id`.
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation_id: &'static str,
    ) -> Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a>>;
}

/// The state the generated client carries beside its `reqwest::Client`.
#[derive(Clone, Default)]
pub struct ClientState {
    transport: Option<Arc<dyn Transport>>,
}

impl ClientState {
    /// State that sends every request once, as is.
    pub fn new() -> Self {
        Self::default()
    }

    /// State that sends requests through `transport`.
    pub fn with_transport(transport: Arc<dyn Transport>) -> Self {
        Self {
            transport: Some(transport),
        }
    }
}

impl std::fmt::Debug for ClientState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientState")
            .field("transport", &self.transport.as_ref().map(|_| "custom"))
            .finish()
    }
}

impl ClientHooks<ClientState> for crate::Client {
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        // The span records what identifies the call, never the headers
        // (the Authorization header carries the token).
        // progenitor hands the hooks the snake-case method name; the span
        // carries the description's operationId, which users search for.
        let operation_id = crate::operation_by_method(info.operation_id)
            .map_or(info.operation_id, |op| op.operation_id);
        let span = tracing::info_span!(
            "aiven_api",
            operation_id,
            method = %request.method(),
            path = %request.url().path(),
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        // `instrument`, not `enter`: the span must follow the future across
        // awaits, or concurrent calls would land in each other's spans.
        let result = match &self.inner().transport {
            Some(t) => {
                t.execute(self.client(), request, info.operation_id)
                    .instrument(span.clone())
                    .await
            }
            None => {
                self.client()
                    .execute(request)
                    .instrument(span.clone())
                    .await
            }
        };
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        let _enter = span.enter();
        match &result {
            Ok(r) => {
                span.record("status", r.status().as_u16());
                tracing::debug!(status = r.status().as_u16(), "aiven api response");
            }
            Err(e) => tracing::debug!(error = %e, "aiven api request failed"),
        }
        result
    }
}
