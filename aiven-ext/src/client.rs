//! Building the client: token, base URL, user agent, timeouts, retries.

use std::fmt;
use std::net::IpAddr;
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use aiven_api::hooks::ClientState;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use secrecy::{ExposeSecret, SecretString};

use crate::backoff::{self, Jitter};
use crate::clock::{Clock, TokioClock};
use crate::retry::{RetryPolicy, RetryTransport};
use crate::wait_policy::WaitPolicy;
use crate::{Error, Result};

use crate::redact::REDACTED;

/// Aiven's public API host; the client appends `/v1`.
pub const DEFAULT_BASE_URL: &str = "https://api.aiven.io";

/// The default cap on a response body: 64 MiB. Aiven's largest answers
/// (a service list of a big project, a metrics fetch) are a few MB; a body
/// beyond the cap is refused after reading at most the cap (at once when
/// `Content-Length` says so), and never downloaded twice.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

/// The largest credentials file read: far above a real one (a few hundred
/// bytes), far below what pointing it at `/dev/zero` would allocate.
const MAX_CREDENTIALS_BYTES: u64 = 64 * 1024;

/// An Aiven API token. Never printed; zeroed on drop.
#[derive(Clone)]
pub struct AuthToken(SecretString);

impl AuthToken {
    /// Wraps a token.
    pub fn new(token: impl Into<String>) -> Self {
        Self(SecretString::from(token.into()))
    }

    /// The token itself, for the rare caller that must pass it on.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for AuthToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl From<String> for AuthToken {
    fn from(token: String) -> Self {
        Self::new(token)
    }
}

impl From<&str> for AuthToken {
    fn from(token: &str) -> Self {
        Self::new(token)
    }
}

/// Configures an [`AivenClient`].
#[derive(Clone)]
pub struct AivenClientBuilder {
    base_url: String,
    token: Option<AuthToken>,
    user_agent_suffix: Option<String>,
    connect_timeout: Duration,
    read_timeout: Duration,
    timeout: Duration,
    allow_insecure_http: bool,
    retry: RetryPolicy,
    wait: WaitPolicy,
    clock: Arc<dyn Clock>,
    jitter: Arc<dyn Jitter>,
    max_response_bytes: u64,
}

impl fmt::Debug for AivenClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AivenClientBuilder")
            .field("base_url", &crate::redact::url(&self.base_url))
            .field("token", &self.token)
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("wait", &self.wait)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish_non_exhaustive()
    }
}

impl Default for AivenClientBuilder {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            token: None,
            user_agent_suffix: None,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            timeout: Duration::from_secs(60),
            allow_insecure_http: false,
            retry: RetryPolicy::default(),
            wait: WaitPolicy::default(),
            clock: Arc::new(TokioClock),
            jitter: backoff::random(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

impl AivenClientBuilder {
    /// An anonymous client for `https://api.aiven.io` with default policies.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the process environment; see [`from_env_with`](Self::from_env_with).
    pub fn from_env() -> Result<Self> {
        Self::from_env_with(|key| {
            let value = std::env::var(key).ok();
            match key {
                "HOME" => value.or_else(|| std::env::home_dir().map(|h| h.display().to_string())),
                _ => value,
            }
        })
    }

    /// Configures from variables read through `lookup` (empty counts as
    /// unset), the way the `avn` CLI does:
    ///
    /// - token: `AIVEN_TOKEN`, else `AIVEN_AUTH_TOKEN`, else `auth_token` of
    ///   the credentials file: `AIVEN_CREDENTIALS_FILE`, else
    ///   `$AIVEN_CONFIG_DIR/aiven-credentials.json`, else
    ///   `$HOME/.config/aiven/aiven-credentials.json`;
    /// - base URL: `AIVEN_WEB_URL`, else `https://api.aiven.io`.
    ///
    /// No token anywhere is an error; for anonymous use, use [`new`](Self::new).
    pub fn from_env_with(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let var = |key: &str| lookup(key).filter(|v| !v.trim().is_empty());
        let mut builder = Self::new();
        if let Some(url) = var("AIVEN_WEB_URL") {
            builder = builder.base_url(url);
        }
        let token = match var("AIVEN_TOKEN").or_else(|| var("AIVEN_AUTH_TOKEN")) {
            Some(token) => token,
            None => {
                let (path, explicit) = match var("AIVEN_CREDENTIALS_FILE") {
                    Some(file) => (PathBuf::from(file), true),
                    None => match var("AIVEN_CONFIG_DIR") {
                        Some(dir) => (PathBuf::from(dir).join("aiven-credentials.json"), false),
                        None => match var("HOME") {
                            Some(home) => (
                                PathBuf::from(home).join(".config/aiven/aiven-credentials.json"),
                                false,
                            ),
                            None => return Err(no_token("HOME is not set")),
                        },
                    },
                };
                read_credentials(&path, explicit)?
            }
        };
        Ok(builder.token(token))
    }

    /// The API host, e.g. `https://api.aiven.io`; `/v1` is appended unless present.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Authenticates with `token` (sent as `Authorization: aivenv1 <token>`).
    pub fn token(mut self, token: impl Into<AuthToken>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Appended to the user agent `aiven-rust/<version>`, e.g. `my-tool/1.2`.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Time to establish a connection. Default 10 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Longest silence while reading a response. Default 30 s.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Longest single request, body included (each retry gets its own). Default 60 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sends the token over plain `http://` to non-loopback hosts. Off by default.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Retry policy for every request.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Default polling policy of the waiters.
    pub fn wait_policy(mut self, policy: WaitPolicy) -> Self {
        self.wait = policy;
        self
    }

    /// The clock for retry delays and waiter polls (tests inject a
    /// [`MockClock`](crate::clock::MockClock)).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Where retry and poll delays fall in their ranges (tests inject a
    /// [`FixedJitter`](crate::backoff::FixedJitter) to assert exact delays).
    pub fn jitter(mut self, jitter: Arc<dyn Jitter>) -> Self {
        self.jitter = jitter;
        self
    }

    /// The longest response body read, in bytes (default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`], 64 MiB), for successes and errors
    /// alike; a longer one fails the call with
    /// [`Error::ResponseTooLarge`] and is not retried.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Builds the client. Refuses a token over plain HTTP to a non-loopback
    /// host unless [`allow_insecure_http`](Self::allow_insecure_http), and
    /// a base URL carrying credentials (`user:password@`).
    ///
    /// Redirects are followed (at most 5) only within the base URL's origin
    /// (scheme, host, port): a redirect elsewhere is not followed, since
    /// following it would re-send a request body (a 307 or 308 keeps it, and
    /// it may hold passwords in `user_config`) to another server. The 3xx
    /// response is returned instead, as an error.
    pub fn build(self) -> Result<AivenClient> {
        let base_url = api_url(&self.base_url)?;
        if self.token.is_some() && base_url.scheme() == "http" && !self.allow_insecure_http {
            let host = base_url.host_str().unwrap_or_default();
            let host = host.trim_start_matches('[').trim_end_matches(']');
            let loopback = host.eq_ignore_ascii_case("localhost")
                || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
            if !loopback {
                return Err(Error::Config(format!(
                    "refusing to send the API token over plain HTTP to {host}; \
                     use https:// or allow_insecure_http(true)"
                )));
            }
        }
        let mut headers = HeaderMap::new();
        if let Some(token) = &self.token {
            let mut value =
                HeaderValue::try_from(format!("aivenv1 {}", token.expose())).map_err(|_| {
                    Error::Config("the token contains characters not allowed in a header".into())
                })?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        let user_agent = match &self.user_agent_suffix {
            Some(suffix) => format!("aiven-rust/{} {suffix}", env!("CARGO_PKG_VERSION")),
            None => format!("aiven-rust/{}", env!("CARGO_PKG_VERSION")),
        };
        let mut http = aiven_api::tls::client_builder().redirect(same_origin_redirects());
        if base_url.scheme() == "http" {
            // A proxy from the environment (HTTP_PROXY, ALL_PROXY) would see
            // the token in cleartext: a plain-http base URL (the simulator
            // on loopback) is always reached directly. Over https, reqwest's
            // environment proxies (HTTPS_PROXY, ALL_PROXY, NO_PROXY) apply:
            // the proxy only tunnels the TLS connection.
            http = http.no_proxy();
        }
        let http = http
            .default_headers(headers)
            .user_agent(user_agent)
            .connect_timeout(self.connect_timeout)
            .read_timeout(self.read_timeout)
            .timeout(self.timeout)
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        let transport = RetryTransport::new(
            self.retry.clone(),
            self.clock.clone(),
            self.jitter.clone(),
            self.timeout,
            self.max_response_bytes,
        );
        let api = aiven_api::Client::new_with_client(
            base_url.as_str().trim_end_matches('/'),
            http,
            ClientState::with_transport(Arc::new(transport)),
        );
        Ok(AivenClient {
            api,
            authenticated: self.token.is_some(),
            retry: self.retry,
            wait: self.wait,
            clock: self.clock,
            jitter: self.jitter,
        })
    }
}

/// Follows up to 5 redirects within the origin of the first request.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let first = attempt.previous().first().map(|u| u.origin());
        if attempt.previous().len() > 5 {
            attempt.error("more than 5 redirects")
        } else if first.is_some_and(|origin| origin == attempt.url().origin()) {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// `base` with `/v1` appended (once), validated.
fn api_url(base: &str) -> Result<reqwest::Url> {
    let trimmed = base.trim().trim_end_matches('/');
    let full = if trimmed.ends_with("/v1") {
        trimmed.to_owned()
    } else {
        format!("{trimmed}/v1")
    };
    // The URL may carry a password: errors show it redacted.
    let shown = crate::redact::url(base.trim());
    let url = reqwest::Url::parse(&full)
        .map_err(|e| Error::Config(format!("invalid base URL {shown:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::Config(format!(
            "invalid base URL {shown:?}: need http(s)://host"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        // It would be printed by every Debug of the client and sent as
        // basic auth, which Aiven does not use.
        return Err(Error::Config(format!(
            "the base URL {shown:?} carries credentials; give the token with `token(..)`"
        )));
    }
    Ok(url)
}

fn no_token(why: &str) -> Error {
    Error::Config(format!(
        "no Aiven token: set AIVEN_TOKEN or AIVEN_AUTH_TOKEN, or log in with `avn user login` ({why})"
    ))
}

/// `auth_token` of an `avn` credentials file. A missing default file means
/// "no token"; a missing explicitly named file or a malformed one is an
/// error. Nothing of the file's content is ever put into an error (a file
/// holding a bare JSON string would otherwise echo the token); a file that
/// others can read is used, with a warning; a UTF-8 byte-order mark is
/// accepted; at most 64 KiB are read.
fn read_credentials(path: &std::path::Path, explicit: bool) -> Result<String> {
    use std::io::Read as _;

    #[derive(serde::Deserialize)]
    struct Credentials {
        auth_token: Option<String>,
    }
    let cannot_read =
        |e: std::io::Error| Error::Config(format!("cannot read {}: {e}", path.display()));
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
            return Err(no_token(&format!("{} does not exist", path.display())))
        }
        Err(e) => return Err(cannot_read(e)),
    };
    warn_if_others_can_read(path, &file);
    let mut bytes = Vec::new();
    file.take(MAX_CREDENTIALS_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot_read)?;
    if bytes.len() as u64 > MAX_CREDENTIALS_BYTES {
        return Err(Error::Config(format!(
            "{} is larger than {MAX_CREDENTIALS_BYTES} bytes: not a credentials file",
            path.display()
        )));
    }
    let text = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&bytes);
    let credentials: Credentials = serde_json::from_slice(text).map_err(|e| {
        // serde_json's message quotes the value it refused: only where and
        // what kind of error is kept.
        let kind = match e.classify() {
            serde_json::error::Category::Data => "not an object with a string `auth_token`",
            serde_json::error::Category::Eof => "it ends early",
            _ => "not JSON",
        };
        Error::Config(format!(
            "{} is not valid credentials JSON (line {}, column {}: {kind})",
            path.display(),
            e.line(),
            e.column()
        ))
    })?;
    credentials
        .auth_token
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| no_token(&format!("{} has no auth_token", path.display())))
}

/// A token readable by the group or others is as good as leaked on a shared
/// machine: say so (the `avn` CLI writes the file with mode 0600).
fn warn_if_others_can_read(path: &std::path::Path, file: &std::fs::File) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        if let Ok(meta) = file.metadata() {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                tracing::warn!(
                    path = %path.display(),
                    mode = format!("{mode:04o}"),
                    "the Aiven credentials file can be read by other users; chmod 600 it"
                );
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (path, file);
}

/// The generated [`aiven_api::Client`] (every operation, through
/// [`Deref`]) with retries installed, plus this crate's helpers.
#[derive(Clone)]
pub struct AivenClient {
    api: aiven_api::Client,
    authenticated: bool,
    pub(crate) retry: RetryPolicy,
    pub(crate) wait: WaitPolicy,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) jitter: Arc<dyn Jitter>,
}

impl AivenClient {
    /// A builder with defaults: anonymous, `https://api.aiven.io`.
    pub fn builder() -> AivenClientBuilder {
        AivenClientBuilder::new()
    }

    /// [`AivenClientBuilder::from_env`], built.
    pub fn from_env() -> Result<Self> {
        AivenClientBuilder::from_env()?.build()
    }

    /// The generated client.
    pub fn api(&self) -> &aiven_api::Client {
        &self.api
    }

    /// Whether requests carry a token.
    pub fn is_authenticated(&self) -> bool {
        self.authenticated
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The waiters' default polling policy.
    pub fn wait_policy(&self) -> &WaitPolicy {
        &self.wait
    }
}

impl Deref for AivenClient {
    type Target = aiven_api::Client;
    fn deref(&self) -> &aiven_api::Client {
        &self.api
    }
}

impl fmt::Debug for AivenClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use aiven_api::ClientInfo;
        f.debug_struct("AivenClient")
            .field("base_url", &self.api.baseurl())
            .field("token", &self.authenticated.then_some(REDACTED))
            .field("retry", &self.retry)
            .field("wait", &self.wait)
            .finish_non_exhaustive()
    }
}
