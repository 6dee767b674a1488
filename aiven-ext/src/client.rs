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

use crate::clock::{Clock, TokioClock};
use crate::retry::{RetryPolicy, RetryTransport};
use crate::waiter::WaitPolicy;
use crate::{Error, Result};

const REDACTED: &str = "** redacted **";

/// Aiven's public API host; the client appends `/v1`.
pub const DEFAULT_BASE_URL: &str = "https://api.aiven.io";

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
#[derive(Debug, Clone)]
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

    /// Builds the client. Refuses a token over plain HTTP to a non-loopback
    /// host unless [`allow_insecure_http`](Self::allow_insecure_http).
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
        let mut http = reqwest::Client::builder();
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
        let transport = RetryTransport::new(self.retry.clone(), self.clock.clone());
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
        })
    }
}

/// `base` with `/v1` appended (once), validated.
fn api_url(base: &str) -> Result<reqwest::Url> {
    let trimmed = base.trim().trim_end_matches('/');
    let full = if trimmed.ends_with("/v1") {
        trimmed.to_owned()
    } else {
        format!("{trimmed}/v1")
    };
    let url = reqwest::Url::parse(&full)
        .map_err(|e| Error::Config(format!("invalid base URL {base:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::Config(format!(
            "invalid base URL {base:?}: need http(s)://host"
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
/// "no token"; a missing explicitly named file or a malformed one is an error.
fn read_credentials(path: &std::path::Path, explicit: bool) -> Result<String> {
    #[derive(serde::Deserialize)]
    struct Credentials {
        auth_token: Option<String>,
    }
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
            return Err(no_token(&format!("{} does not exist", path.display())))
        }
        Err(e) => {
            return Err(Error::Config(format!(
                "cannot read {}: {e}",
                path.display()
            )))
        }
    };
    let credentials: Credentials = serde_json::from_str(&text).map_err(|e| {
        Error::Config(format!(
            "{} is not valid credentials JSON: {e}",
            path.display()
        ))
    })?;
    credentials
        .auth_token
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| no_token(&format!("{} has no auth_token", path.display())))
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
