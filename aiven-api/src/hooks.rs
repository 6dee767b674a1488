//! The hooks beside the generated [`Client`](crate::Client): a check that
//! path parameters cannot change which resource a request addresses, a
//! tracing span per call, and an optional [`Transport`] through which
//! `aiven-ext` adds retries.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use std::sync::OnceLock;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use tracing::Instrument;

use crate::{operation_by_method, Operation};

/// Sends one request. `aiven-ext` implements it to retry transient failures.
pub trait Transport: Send + Sync + 'static {
    /// Executes `request` for `operation`.
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation: &'static Operation,
    ) -> Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a>>;
}

/// How many times a call's request was sent. A [`Transport`] that retries
/// records it in the response's extensions
/// (`response.extensions_mut().insert(attempts)`); without one a request is
/// sent once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attempts {
    /// Times the request was sent.
    pub sent: u32,
    /// How many of the earlier attempts failed ambiguously (the server may
    /// have processed them).
    pub ambiguous: u32,
}

impl Default for Attempts {
    fn default() -> Self {
        Self {
            sent: 1,
            ambiguous: 0,
        }
    }
}

/// The call an error response answered: the generated client sets it on
/// every [`AivenError`](crate::types::AivenError) it returns (its `call`
/// field), so the operation and the attempts reach the error as values. The
/// server never sends it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Call {
    /// The operation called.
    pub operation: &'static Operation,
    /// How often its request was sent.
    pub attempts: Attempts,
}

/// The operation [`ClientHooks::exec`] resolved, kept in the response's
/// extensions for [`error_response`].
#[derive(Clone, Copy)]
struct Called(&'static Operation);

/// The body of an error response, with the [`Call`] it answered. The
/// generated code calls this for every error status instead of decoding
/// the body itself (see aiven-openapi's codegen).
pub async fn error_response(
    response: reqwest::Response,
) -> Result<
    progenitor_client::ResponseValue<crate::types::AivenError>,
    progenitor_client::Error<crate::types::AivenError>,
> {
    let call = response.extensions().get::<Called>().map(|c| Call {
        operation: c.0,
        attempts: response
            .extensions()
            .get::<Attempts>()
            .copied()
            .unwrap_or_default(),
    });
    // Decoded as every answer is (leniently, warning under the operation).
    let method = call.map_or("", |c| c.operation.client_method);
    let mut value =
        crate::lenient::from_response::<crate::types::AivenError, _>(response, method).await?;
    value.call = call;
    Ok(value)
}

/// What a generated `send` returns.
type Answer<T> =
    Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<crate::types::AivenError>>;

/// The hooks around one request (`pre`, `exec`, `post`), awaited as
/// progenitor's `send` awaits them, then the status: the response when it is
/// the operation's `success` status; else a 4xx or 5xx with its error body,
/// or unexpected.
async fn exchange(
    client: &crate::Client,
    mut request: reqwest::Request,
    operation_id: &'static str,
    success: u16,
) -> Result<reqwest::Response, progenitor_client::Error<crate::types::AivenError>> {
    let info = OperationInfo { operation_id };
    client.pre(&mut request, &info).await?;
    let result = client.exec(request, &info).await;
    client.post(&result, &info).await?;
    let response = result?;
    match response.status().as_u16() {
        status if status == success => Ok(response),
        400..=599 => Err(progenitor_client::Error::ErrorResponse(
            error_response(response).await?,
        )),
        _ => Err(progenitor_client::Error::UnexpectedResponse(response)),
    }
}

/// The end of a generated `send` whose success is a JSON body: the hooks,
/// then the body decoded ([`crate::lenient::from_response`]) when the status
/// is `success`. One copy for every operation (see aiven-openapi's
/// `codegen::exchange`) instead of one state machine each.
#[doc(hidden)]
pub async fn send_json<T: serde::de::DeserializeOwned>(
    client: &crate::Client,
    request: reqwest::Request,
    operation_id: &'static str,
    success: u16,
) -> Answer<T> {
    let response = exchange(client, request, operation_id, success).await?;
    crate::lenient::from_response(response, operation_id).await
}

/// [`send_json`] for an operation whose success has no body.
#[doc(hidden)]
pub async fn send_empty(
    client: &crate::Client,
    request: reqwest::Request,
    operation_id: &'static str,
    success: u16,
) -> Answer<()> {
    let response = exchange(client, request, operation_id, success).await?;
    Ok(progenitor_client::ResponseValue::empty(response))
}

/// [`send_json`] for an operation whose success is a byte stream.
#[doc(hidden)]
pub async fn send_stream(
    client: &crate::Client,
    request: reqwest::Request,
    operation_id: &'static str,
    success: u16,
) -> Answer<progenitor_client::ByteStream> {
    let response = exchange(client, request, operation_id, success).await?;
    Ok(progenitor_client::ResponseValue::stream(response))
}

/// The state the generated client carries beside its `reqwest::Client`.
#[derive(Clone, Default)]
pub struct ClientState {
    transport: Option<Arc<dyn Transport>>,
    /// The base URL's path, parsed once for [`check_path`].
    base_path: OnceLock<String>,
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
            base_path: OnceLock::new(),
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
    /// Refuses, before anything is sent, a request whose path does not
    /// address what the operation's template says (see [`check_path`]).
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let base_path = self.inner().base_path.get_or_init(|| {
            reqwest::Url::parse(self.baseurl())
                .map(|b| b.path().to_owned())
                .unwrap_or_default()
        });
        check_path(base_path, request.url(), info.operation_id)
            .map_err(progenitor_client::Error::InvalidRequest)
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        // The span records what identifies the call, never the headers
        // (the Authorization header carries the token).
        // progenitor hands the hooks the snake-case method name; it is
        // resolved here, once, into the operation that the span (which
        // carries the operationId users search for), the transport and its
        // errors share.
        let operation = operation_by_method(info.operation_id);
        let operation_id = operation.map_or(info.operation_id, |op| op.operation_id);
        // Secret path parameters (`download_cookie`) are masked in what is
        // recorded, and in the URL that errors and responses report.
        let path = request.url().path();
        let shown_path =
            operation.map_or(path.into(), |op| crate::redact::operation_path(path, op));
        let span = tracing::info_span!(
            "aiven_api",
            operation_id,
            method = %request.method(),
            path = %shown_path,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        // `instrument`, not `enter`: the span must follow the future across
        // awaits, or concurrent calls would land in each other's spans.
        let result = match (&self.inner().transport, operation) {
            (Some(t), Some(operation)) => {
                t.execute(self.client(), request, operation)
                    .instrument(span.clone())
                    .await
            }
            _ => {
                self.client()
                    .execute(request)
                    .instrument(span.clone())
                    .await
            }
        };
        let result = match operation {
            Some(op) => match result {
                Ok(r) => {
                    let mut r = crate::redact::response_url(r, op);
                    r.extensions_mut().insert(Called(op));
                    Ok(r)
                }
                Err(e) => Err(crate::redact::request_error(e, op)),
            },
            None => result,
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

/// Percent-encodes one path parameter: what `progenitor_client::encode_path`
/// does, plus `\` (which the URL parser reads as `/`) as `%5C`, and a whole
/// `.` or `..` (which it resolves, as it does `%2E` and `%2E%2E`) as
/// `%252E`/`%252E%252E`, so that every parameter stays one segment of the
/// path; [`check_path`] then refuses those values before anything is sent.
/// The generated code calls this instead of progenitor's (see `build.rs`).
pub fn encode_path(value: &str) -> String {
    match value {
        "." => "%252E".to_owned(),
        ".." => "%252E%252E".to_owned(),
        _ => progenitor_client::encode_path(value).replace('\\', "%5C"),
    }
}

/// Checks that the path of `url`, a request built for the client method
/// `client_method` against a base URL whose path is `base_path`, matches the operation's
/// path template segment by segment: the same number of segments after the
/// base URL's own, literal segments equal, and every parameter segment
/// non-empty and, however many times it is percent-decoded, neither `.` nor
/// `..` and free of `/` and `\`.
///
/// progenitor percent-encodes each path parameter but leaves `.` and `\`
/// alone, and the URL parser resolves `.`/`..` segments and reads `\` as
/// `/`: `service_delete().project("acme").service_name("..")` used to send
/// `DELETE /v1/project/acme/` (deleting the project), and
/// `"..\\..\\victim\\service\\victim-pg"` deleted a service of another
/// project. With [`encode_path`] every parameter stays one segment and is
/// refused here; the template comparison is the backstop for anything else
/// that would move the request. The error names the operation, the parameter
/// and why.
pub fn check_path(base_path: &str, url: &reqwest::Url, client_method: &str) -> Result<(), String> {
    let op = operation_by_method(client_method)
        .ok_or_else(|| format!("{client_method}: not an operation of the description"))?;
    let refuse = |why: String| {
        Err(format!(
            "{} ({} {}): {why}; nothing was sent",
            op.operation_id, op.method, op.path
        ))
    };
    // A refusal quotes the path, with secret parameters masked.
    let shown = || crate::redact::operation_path(url.path(), op);
    let base_segments: Vec<&str> = base_path.split('/').filter(|s| !s.is_empty()).collect();
    let mut segments = url.path().split('/').skip(1);
    for expected in &base_segments {
        if segments.next() != Some(*expected) {
            return refuse(format!(
                "the request path {} is not under the base URL's path {base_path}",
                shown()
            ));
        }
    }
    let segments: Vec<&str> = segments.collect();
    let template: Vec<&str> = op.path.split('/').skip(1).collect();
    if segments.len() != template.len() {
        return refuse(format!(
            "the request path {} has {} segments after the base URL where the template has {}: \
             a path parameter is empty, `.` or `..`, or contains `/` or `\\`",
            shown(),
            segments.len(),
            template.len()
        ));
    }
    let mut position = 0;
    for (actual, expected) in segments.iter().zip(&template) {
        let name = expected.strip_prefix('{').and_then(|e| e.strip_suffix('}'));
        let Some(name) = name else {
            if actual != expected {
                return refuse(format!(
                    "the request path {} has {actual:?} where the template has {expected:?}: \
                     a path parameter contains `/`, `\\`, `.` or `..`",
                    shown()
                ));
            }
            continue;
        };
        position += 1;
        if let Err(why) = check_segment(actual) {
            return refuse(format!(
                "path parameter {name} (the {}{} in the template) {why}",
                position,
                ordinal_suffix(position)
            ));
        }
    }
    Ok(())
}

/// One parameter segment as it appears in the URL (percent-encoded).
fn check_segment(encoded: &str) -> Result<(), String> {
    if encoded.is_empty() {
        return Err("is empty".into());
    }
    // Decoded repeatedly: a server or proxy that decodes twice must not see
    // `..` either (`%2e%2e` is sent as `%252e%252e`).
    let mut layer = encoded.as_bytes().to_vec();
    for _ in 0..4 {
        if layer == b"." || layer == b".." {
            return Err("is `.` or `..` (it would address another resource)".into());
        }
        if layer.contains(&b'\\') {
            return Err("contains `\\` (read as `/`)".into());
        }
        if layer.contains(&b'/') {
            return Err("contains `/`".into());
        }
        let next = percent_decode(&layer);
        if next == layer {
            break;
        }
        layer = next;
    }
    Ok(())
}

fn percent_decode(bytes: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

fn ordinal_suffix(n: usize) -> &'static str {
    match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}
