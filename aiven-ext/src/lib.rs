//! Ergonomics on top of the generated Aiven client [`aiven_api`]:
//! construction from the environment, retries, one typed error,
//! forward-compatible state enums, waiters and service lifecycle helpers.
//!
//! # Quick start
//!
//! ```no_run
//! use std::time::Duration;
//! use aiven_ext::{AivenClient, ServiceExt, StateExt};
//!
//! # async fn run() -> aiven_ext::Result<()> {
//! // AIVEN_TOKEN, AIVEN_AUTH_TOKEN or the avn CLI's credentials file.
//! let client = AivenClient::from_env()?;
//!
//! // Every generated operation is reachable through Deref …
//! let services = client.service_list().project("my-project").send().await?;
//! for svc in services.into_inner().services.unwrap_or_default() {
//!     println!("{:?} {:?} {:?}", svc.service_name, svc.service_type_enum(), svc.state());
//! }
//!
//! // … and the helpers validate, retry safely and wait.
//! let body = aiven_api::types::ServiceCreateRequestBody::builder()
//!     .service_name("pg-demo")
//!     .service_type("pg")
//!     .plan("hobbyist");
//! let created = client.create_service("my-project", body).send().await?;
//! let running = client
//!     .wait_until_service_running("my-project", "pg-demo")
//!     .all_nodes_running(true)
//!     .on_progress(|p| eprintln!("{:>4}s {}", p.elapsed.as_secs(), p.state))
//!     .wait(Duration::from_secs(20 * 60))
//!     .await?;
//! # let _ = (created, running);
//! # Ok(()) }
//! ```
//!
//! # Construction
//!
//! [`AivenClientBuilder`]: token (an [`AuthToken`], sent as
//! `Authorization: aivenv1 …` in a header marked sensitive; every `Debug`
//! prints `** redacted **`), base URL (`/v1` appended), user agent
//! `aiven-rust/<version>` plus an optional suffix, timeouts (connect 10 s,
//! read 30 s, whole request 60 s). A token is refused over plain `http://`
//! except to loopback hosts, unless `allow_insecure_http(true)`. Without a
//! token the client is anonymous, which suffices for public endpoints such
//! as `list_clouds` and [`AivenClient::list_service_types`]`(None)`.
//! [`AivenClientBuilder::from_env_with`] takes a lookup function, so the
//! environment rules are testable without touching the process environment.
//!
//! # Retries (default [`RetryPolicy`])
//!
//! Every request, generated or not, goes through [`RetryTransport`]:
//!
//! - retried: connection failures before the request was sent (any method);
//!   408 and 429 (any method: refused unprocessed); 500, 502,
//!   503, 504 and timeouts/connection loss after sending (also while the
//!   response body is read: every response is read to its end inside the
//!   retry loop), and a 2xx declared as JSON whose body does not parse
//!   (cut short on the way), for idempotent methods only (GET, HEAD,
//!   OPTIONS, PUT, DELETE);
//! - not retried: POST (and PATCH) after an ambiguous failure. For service
//!   creation, [`CreateService`] looks the service up first and retries the
//!   create only if it does not exist ([`Created::AlreadyCreated`] otherwise);
//! - one classification decides, for the transport, [`Error::is_retryable`],
//!   the waiters and the create helper alike: unprocessed (connection
//!   refused, 408, 429) → any method; ambiguous (5xx, timeout or connection lost
//!   after sending, a 2xx JSON body cut short) → idempotent methods only;
//!   anything else, and a body over the size cap, → never;
//! - delays ([`backoff`]): full jitter with a floor, uniform in
//!   `[200 ms, min(20 s, 200 ms·2ⁿ)]` before retry `n`; `Retry-After`
//!   (seconds or HTTP-date, clamped to a day) replaces the computed delay;
//!   the randomness is injectable ([`AivenClientBuilder::jitter`]);
//! - limits: 4 attempts in all, and a 60 s wall-clock budget from the first
//!   attempt that bounds the whole call: a retry whose delay would end past
//!   it is not made, and the attempt in flight gets what remains as its
//!   timeout (a server that never answers, or answers after 25 s, ends a
//!   call with a 2 s budget after 2.0 s). Nested loops (the create helper's
//!   around the transport's) share the one deadline;
//! - each retry emits a `tracing` WARN event with `operation_id`,
//!   `attempt`, `delay_ms` and `reason`.
//!
//! # Responses and redirects
//!
//! Every body is read once, to its end, inside the retry loop, up to
//! [`AivenClientBuilder::max_response_bytes`] (default 64 MiB, for success
//! and error bodies alike): a longer one stops the read at the cap (at once
//! when `Content-Length` says so) and fails with [`Error::ResponseTooLarge`],
//! never retried. A body cut short is noticed from its framing
//! (`Content-Length`, the chunked terminator) and, for a proxy that
//! re-frames it, from unclosed brackets. Redirects are followed within the
//! base URL's origin only; a redirect to another origin is returned as an
//! error rather than re-sending the request (a 307 keeps the body, which may
//! hold passwords) elsewhere.
//!
//! # Errors
//!
//! One [`Error`]; API errors ([`ApiError`]) carry status, operation id,
//! Aiven's message, `errors[].error_code`, the request id and the number of
//! attempts. Error bodies that are not Aiven's JSON (a proxy's HTML 502)
//! become the message. Any error of the generated client converts with
//! `?`/`From`. [`Error::operation_id`] names the operation of every API
//! error, and of transport and invalid-response errors from this crate's
//! helpers and waiters ([`Error::with_operation`] names it for direct calls
//! of the generated client). [`Error::operation`] is the operation itself
//! (an [`aiven_api::Operation`]: `operationId`, method, path template),
//! resolved once per call in the client's hooks and shared by the tracing
//! span, the transport and the error; code names operations by the
//! constants of [`aiven_api::operations`] (`SERVICE_GET`), never by string.
//! Server text kept in errors (messages, error codes, states, bodies) is cut
//! to 1,000 characters, and bodies have their secrets redacted.
//!
//! # Waiters (default [`WaitPolicy`])
//!
//! `client.wait_until_*(…)[.options…].wait(max_wait)`, one engine
//! ([`Wait`]) for all targets ([`WaitTarget`]):
//!
//! - poll delays: full jitter with a floor, uniform in
//!   `[2 s, min(30 s, 2 s·2ⁿ)]` after poll `n`; while confirming
//!   (`confirmations(n)`, default 1), the minimum delay;
//! - 404 within 60 s of the start is "not yet" (eventual consistency after a
//!   create); retryable errors are "not yet"; other errors end the wait;
//! - terminal states fail fast ([`Error::WaitFailed`]), e.g. `POWEROFF`
//!   while waiting for `RUNNING` unless `tolerate_poweroff(true)`;
//! - the last poll happens at the deadline, then [`Error::WaitTimeout`]
//!   reports elapsed time, polls and the last state; the poll in flight
//!   ends by the deadline plus [`FINAL_POLL_SLACK`] (1 s, the last
//!   poll's time to answer), so `wait(max)` returns within `max` + 1 s
//!   whatever the server does; an error waiting does not cure
//!   (403, 404 after the grace) ends it with [`Error::WaitInterrupted`],
//!   which says the same and carries the error;
//! - `on_progress` reports every observation, and [`Wait::observe`] turns
//!   the wait into a `Stream` of them (progress and what each poll
//!   fetched), ending with the result; dropping it cancels the wait.
//!
//! Measured with the default policy (test
//! `measure_default_policy_ten_minute_creation`: real HTTP to a loopback
//! mock server that turns `RUNNING` after 10 minutes of mock-clock time;
//! 100 waits per run, four runs): about 40 requests per wait on average
//! (32–50), and the transition is noticed 9–10.7 s late on average (median
//! 7–10.5 s, 95th percentile about 21 s, never more than the 30 s maximum
//! delay).
#![deny(missing_docs)]

pub mod backoff;
mod client;
pub mod clock;
mod connection;
mod ensure;
mod environment;
mod error;
mod export;
mod lifecycle;
mod ownership;
pub mod pages;
mod reads;
mod redact;
pub mod requests;
mod retry;
mod state;
mod teardown;
pub mod validate;
mod waiter;

pub use aiven_api;

/// What a program against Aiven usually needs: `use aiven_ext::prelude::*;`.
pub mod prelude {
    pub use crate::aiven_api::operations as ops;
    pub use crate::aiven_api::types;
    pub use crate::requests::{
        NewConnectionPool, NewDatabase, NewIntegration, NewService, NewServiceUser, NewTopic,
    };
    pub use crate::{
        Action, AivenClient, AivenClientBuilder, ConnectionInfo, Created, Ensured, EnvVar,
        Environment, Error, IntegrationExt, Owner, Plan, Progress, RawResultExt, ReadyEnvironment,
        Resource, ServiceExt, ServiceState, ServiceType, StateExt, TeardownReport, WaitPolicy,
    };
}

// The README's Rust blocks compile as doctests (`cargo test --doc`).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
pub use client::{
    AivenClient, AivenClientBuilder, AuthToken, DEFAULT_BASE_URL, DEFAULT_MAX_RESPONSE_BYTES,
};
pub use connection::{ConnectionInfo, Endpoint, KafkaConnection};
pub use environment::{
    Action, Environment, EnvironmentEvent, Plan, ReadyEnvironment, ReadyService, Resource,
    UserCredentials,
};
pub use error::{ApiError, Error, RawResultExt, Result};
#[cfg(unix)]
pub use export::write_dotenv;
pub use export::{dotenv, encode_userinfo, EnvVar};
pub use lifecycle::{CreateService, Created, DeleteService, Ensured, UpdateService};
pub use ownership::{Owner, OWNER_TAG};
pub use retry::{ResponseTooLarge, RetryPolicy, RetryTransport, OPERATION_HEADER};
pub use state::{
    ConnectorState, IntegrationExt, IntegrationStatus, NodeState, PeeringState, ServiceExt,
    ServiceState, ServiceType, StateExt, TopicState, VpcState,
};
pub use teardown::{Teardown, TeardownReport};
pub use waiter::{
    ConnectorRunning, IntegrationActive, Observation, Progress, ServiceDeleted, ServiceReady,
    TopicActive, Verdict, VpcActive, Wait, WaitPolicy, WaitTarget, FINAL_POLL_SLACK,
};
