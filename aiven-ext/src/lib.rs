//! The layer to program the Aiven API against, on top of the generated
//! client [`aiven_api`]: construction, retries, one typed error,
//! forward-compatible enums, waiters, create-or-adopt helpers, owner-scoped
//! teardown and typed connection info. Every generated operation stays
//! reachable through `Deref` on [`AivenClient`].
//!
//! `use aiven_ext::prelude::*;` brings in what a program usually needs.
//! The guide (`docs/` in the repository) has a page per task; figures live
//! in `docs/performance.md`.
//!
//! # Client
//!
//! [`AivenClient::from_env`] reads `AIVEN_TOKEN` (or `AIVEN_AUTH_TOKEN`, or
//! the avn CLI's credentials file) and `AIVEN_WEB_URL`;
//! [`AivenClient::builder`] sets token ([`AuthToken`], never printed), base
//! URL, timeouts, the [`RetryPolicy`], the [`WaitPolicy`], a clock and the
//! jitter (both injectable, for tests). A token is refused over plain
//! `http://` except to loopback hosts.
//!
//! # Requests
//!
//! [`requests`] holds plain-value builders — [`NewService`](requests::NewService),
//! [`NewTopic`](requests::NewTopic), [`NewDatabase`](requests::NewDatabase),
//! [`NewServiceUser`](requests::NewServiceUser),
//! [`NewConnectionPool`](requests::NewConnectionPool),
//! [`NewIntegration`](requests::NewIntegration) — checked before sending
//! ([`Error::Validation`] names the field; [`validate`] has the rules) and
//! converted into the generated request bodies.
//!
//! # Ensure, ownership and teardown
//!
//! `ensure_service`, `ensure_topic`, `ensure_database`,
//! `ensure_service_user`, `ensure_connection_pool`, `ensure_integration`
//! and `ensure_project` run one engine: look up; adopt what exists as asked,
//! refuse what differs ([`Error::ExistsWithDifferentSpec`]), create what is
//! missing — and after an ambiguous failure look again before creating
//! again. The result is an [`Ensured`]. A service built with
//! [`NewService::owner`](requests::NewService::owner) carries its
//! [`Owner`]'s mark, and [`AivenClient::teardown`] deletes only what
//! carries it (and the children of such services):
//!
//! ```no_run
//! use std::time::Duration;
//! use aiven_ext::prelude::*;
//!
//! # async fn run(client: &AivenClient) -> aiven_ext::Result<()> {
//! let owner = Owner::new("ci-app")?;
//! let pg = NewService::new("ci-pg", "pg", "startup-4").owner(&owner);
//! let ensured = client.ensure_service("my-project", &pg).await?;
//! eprintln!("ci-pg {}", ensured.verb()); // created / adopted / adopted (not owned)
//! client
//!     .ensure_database("my-project", "ci-pg", NewDatabase::new("app"))
//!     .await?;
//! let report = client
//!     .teardown("my-project")
//!     .owner(&owner)
//!     .database("ci-pg", "app")
//!     .service("ci-pg")
//!     .run(Duration::from_secs(10 * 60))
//!     .await;
//! report.into_result()?;
//! # Ok(()) }
//! ```
//!
//! # Waiting
//!
//! `client.wait_until_*(…)[.options…].wait(max_wait)` — services (running,
//! a state, deleted), topics, VPCs, integrations, connectors — on one engine
//! ([`Wait`], targets are [`WaitTarget`]s): terminal states fail fast
//! ([`Error::WaitFailed`]), the deadline is kept ([`Error::WaitTimeout`]
//! carries the last state), `on_progress` reports every poll, and
//! [`Wait::observe`] turns a wait into a `Stream` of [`Observation`]s.
//! What "ready" means per service type is a [`Readiness`] preset
//! ([`Readiness::for_service_type`], given to a wait with
//! [`Wait::readiness`]; [`Environment::up`] uses them): `RUNNING` seen
//! repeatedly, plus a backup for pg, the topic API for Kafka, ….
//! Service states and types are forward-compatible enums ([`ServiceState`],
//! [`ServiceType`]: `Unknown(String)` for values this version does not
//! know), read through [`StateExt`] and [`ServiceExt`].
//!
//! ```no_run
//! use std::time::Duration;
//! use aiven_ext::prelude::*;
//!
//! # async fn run(client: &AivenClient) -> aiven_ext::Result<()> {
//! let pg = client
//!     .wait_until_service_running("my-project", "ci-pg")
//!     .all_nodes_running(true)
//!     .on_progress(|p: &Progress| eprintln!("{:>4}s {}", p.elapsed.as_secs(), p.state))
//!     .wait(Duration::from_secs(20 * 60))
//!     .await?;
//! let info = ConnectionInfo::from_service(&pg); // secrets redacted in Debug
//! println!("{info:?}");
//! # Ok(()) }
//! ```
//!
//! # Connection info
//!
//! [`ConnectionInfo`] (from a service, or `client.connection_info(..)`):
//! host, port, user, password, database, TLS mode, URIs and every component
//! endpoint, typed per service type ([`KafkaConnection`]); `env()` for
//! tools; `client.project_ca(..)` for TLS clients.
//!
//! # Pages
//!
//! [`pages::paginate`] turns a cursor-paginated operation into a `Stream`
//! of items, stopping with an error on a repeated cursor.
//!
//! # Errors and retries
//!
//! One [`Error`]; API errors ([`ApiError`]) carry status, operation,
//! Aiven's message and error codes, request id and attempts. Any error of
//! the generated client converts with `?`; [`RawResultExt::during`] names
//! the operation of a raw call. One classification decides what is sent
//! again, by the transport ([`RetryTransport`]), the waiters, the create
//! helpers and [`Error::is_retryable`] alike: unprocessed failures
//! (connection refused, 408, 429) for any method, ambiguous ones (5xx, a
//! timeout after sending, a 2xx body that cannot be read) for idempotent
//! methods only. Delays are [`backoff`]'s full jitter (`Retry-After` wins),
//! within one wall-clock budget per call. Server text kept in errors is cut
//! and its secrets redacted.
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
mod readiness;
mod reads;
mod redact;
pub mod requests;
mod retry;
mod state;
mod teardown;
pub mod validate;
mod wait_policy;
mod waiter;

pub use aiven_api;

/// What a program against Aiven usually needs: `use aiven_ext::prelude::*;`.
pub mod prelude {
    pub use crate::aiven_api::operations as ops;
    pub use crate::aiven_api::types;
    pub use crate::requests::{
        NewConnectionPool, NewDatabase, NewIntegration, NewProject, NewService, NewServiceUser,
        NewTopic,
    };
    pub use crate::{
        Action, AivenClient, AivenClientBuilder, ConnectionInfo, Ensured, EnvVar, Environment,
        Error, IntegrationExt, Owner, Plan, Progress, RawResultExt, Readiness, ReadyEnvironment,
        Resource, ServiceExt, ServiceState, ServiceType, StateExt, TeardownReport, WaitPolicy,
    };
}

// The Rust blocks of the README and of every page of the guide (docs/*.md)
// compile as doctests (`cargo test --doc`); tests/tests/suite/docs.rs checks that
// every page is listed here.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
#[cfg(doctest)]
#[doc = include_str!("../../docs/getting-started.md")]
struct GettingStartedGuide;
#[cfg(doctest)]
#[doc = include_str!("../../docs/ci-environments.md")]
struct CiEnvironmentsGuide;
#[cfg(doctest)]
#[doc = include_str!("../../docs/waiting.md")]
struct WaitingGuide;
#[cfg(doctest)]
#[doc = include_str!("../../docs/errors.md")]
struct ErrorsGuide;
#[cfg(doctest)]
#[doc = include_str!("../../docs/secrets.md")]
struct SecretsGuide;
#[cfg(doctest)]
#[doc = include_str!("../../docs/simulator.md")]
struct SimulatorGuide;
#[cfg(doctest)]
#[doc = include_str!("../../docs/raw-client.md")]
struct RawClientGuide;
#[cfg(doctest)]
#[doc = include_str!("../../docs/api-description.md")]
struct ApiDescriptionGuide;
#[cfg(doctest)]
#[doc = include_str!("../../docs/architecture.md")]
struct ArchitectureGuide;
#[cfg(doctest)]
#[doc = include_str!("../../docs/performance.md")]
struct PerformanceGuide;
pub use client::{
    AivenClient, AivenClientBuilder, AuthToken, DEFAULT_BASE_URL, DEFAULT_MAX_RESPONSE_BYTES,
};
pub use connection::{ConnectionInfo, Endpoint, KafkaConnection};
pub use ensure::Ensured;
pub use environment::{
    Action, Environment, EnvironmentEvent, Plan, ReadyEnvironment, ReadyService, Resource,
    UserCredentials,
};
pub use error::{ApiError, Error, RawResultExt, Result};
#[cfg(unix)]
pub use export::write_dotenv;
pub use export::{dotenv, encode_userinfo, EnvVar};
pub use lifecycle::{CreateService, DeleteService, Deletion, UpdateService};
pub use ownership::{Owner, OWNER_TAG};
pub use readiness::{Check, Readiness, PRESET_CONFIRMATIONS, REACHABLE_TIMEOUT};
pub use retry::{ResponseTooLarge, RetryPolicy, RetryTransport};
pub use state::{
    ConnectorState, IntegrationExt, IntegrationStatus, NodeState, PeeringState, ServiceExt,
    ServiceState, ServiceType, StateExt, TopicState, VpcState,
};
pub use teardown::{Teardown, TeardownReport};
pub use wait_policy::WaitPolicy;
pub use waiter::{
    ConnectorRunning, IntegrationActive, Observation, Progress, ServiceDeleted, ServiceReady,
    TopicActive, Verdict, VpcActive, Wait, WaitTarget, FINAL_POLL_SLACK,
};
