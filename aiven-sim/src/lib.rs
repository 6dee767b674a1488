//! A local simulator of the Aiven API (`api.aiven.io/v1`).
//!
//! It speaks the published description: the same paths, methods, JSON
//! shapes and status codes, so a client generated from the description
//! (such as `aiven-api`) works against it unchanged. Request bodies are
//! validated against the description's request schemas; errors use Aiven's
//! error format. Projects, services of every type, Kafka topics, databases,
//! service users, PgBouncer connection pools, service integrations and
//! endpoints, project VPCs and peering connections, project CAs (`kms`)
//! and the project event log have state and lifecycles driven by an
//! injectable [`Clock`]; faults (rate limits, 5xx, latency and latency
//! spikes, missing backups, dropped connections, truncated bodies) are
//! available on demand; the state can be persisted to a file (a redb
//! database, see [`persist`]).
//! [`SimHandle::stats`] counts the answers by operation and status, and the
//! damaged ones.
//!
//! Tests control it through the [`admin`] API, as [`SimHandle`] methods or
//! over HTTP under `/_sim`: [`reset`](SimHandle::reset),
//! [`snapshot`](SimHandle::snapshot) and [`restore`](SimHandle::restore)
//! the state (a [`Snapshot`]: a documented, versioned format, see
//! [`format`](mod@format); the simulator's model itself is private),
//! [`advance_clock`](SimHandle::advance_clock) (a [`ManualClock`]
//! only), replace the faults at runtime ([`set_faults`](SimHandle::set_faults)),
//! and read the [`journal`] of requests (operation, status, body with secrets
//! redacted) to assert on what a client sent:
//!
//! ```no_run
//! # async fn demo(sim: aiven_sim::SimHandle) {
//! use aiven_sim::FaultRule;
//! sim.set_faults(vec![FaultRule::operation("ServiceGet").error_rate(1.0)]);
//! // … the client retries …
//! assert_eq!(sim.journal().statuses("ServiceGet")[0] / 100, 5);
//! sim.clear_faults();
//! # }
//! ```
//!
//! One client cannot stall the others: reads render outside the state lock,
//! sizes are capped where Aiven caps them (`limits`: 4,096 partitions per
//! topic; [`intake`]: 1,000 members per object, 1,000 `user_config` keys),
//! and connections have a header timeout and a cap ([`ServerLimits`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), aiven_sim::StartError> {
//! use std::time::Duration;
//! use aiven_sim::{FaultRule, ManualClock, Simulator, Timings};
//!
//! let clock = ManualClock::new();
//! let sim = Simulator::builder()
//!     .token("secret")
//!     .clock(clock.clone())
//!     .timings(Timings::realistic())
//!     .fault(FaultRule::operation("ServiceGet").error_rate(0.2))
//!     .start()
//!     .await?;
//! let base_url = sim.base_url(); // http://127.0.0.1:PORT/v1
//! // … create a service through a client, then:
//! clock.advance(Duration::from_secs(600)); // it is RUNNING now
//! # Ok(()) }
//! ```
//!
//! Run as a server with `cargo run -p aiven-sim -- --listen 127.0.0.1:8080`.
//!
//! # How the description is used
//!
//! `build.rs` runs the same pipeline as the client (`aiven_openapi::prepare`
//! with `openapi/overlay.json`) and writes `OUT_DIR/spec.json`, which is
//! embedded: every operation (id, method, normalized path, whether it needs
//! a token), its request schema, its response schemas from the normalized
//! and from the published description, all converted to JSON Schema draft 7
//! (see `build.rs`), the definitions each operation and each definition
//! reference (found with `aiven_openapi::walk`, so that a validator holds
//! only what its schema reaches), and the service types the description's
//! catalogue names. The binary therefore needs no file at run time, and
//! the tables change whenever the description or the pipeline does.
//!
//! The `catalog` offers exactly those service types (June 2026: 14, from
//! ClickHouse to Valkey) with their 2026 versions and plans, through the
//! catalogue paths (`/service_types`, `/project/{project}/service_types`)
//! and the ones Aiven's CLI reads before a create or an update
//! (`/project/{project}/service-types[/{service_type}[/plans[/{service_plan}]]]`).
//! Disk sizes are whole megabytes.
//!
//! * Routing ([`spec`]): each request is matched against the description's
//!   paths; no match is 404, a match with another method 405, all in
//!   Aiven's error format. Operations without a hand-written handler are
//!   answered by the [`generic`] model, built from the description's paths
//!   and schemas (see [`coverage`]).
//! * Requests ([`validation`]): a body over [`MAX_BODY_BYTES`] (1 MiB) is
//!   413; for operations that take a body, a `Content-Type` other than JSON
//!   (`application/json`, `application/*+json`) or none is 415 and invalid
//!   JSON 400; then the body is validated against the operation's (strict)
//!   request schema with `jsonschema`; violations are 400 with one `errors`
//!   entry each. A handler that panics is answered 500 and the simulator
//!   keeps serving.
//! * Responses ([`conformance`]): with
//!   [`SimulatorBuilder::validate_responses`], every response is checked
//!   against both response schemas and violations are recorded.
//!
//! # Modules
//!
//! [`spec`] (tables, routing), [`validation`] and [`conformance`] (schemas),
//! `model` (the state: data and invariants; the handlers render it),
//! `lifecycle` and [`clock`] (time), `kms` (project CAs),
//! `catalog` (service types, plans, clouds), [`faults`], [`persist`] and
//! [`format`](mod@format) (the state file, the snapshot, their version and
//! migrations),
//! `error` (Aiven's error body), [`admin`] and [`journal`] (test controls),
//! `limits` (size caps), `tracked` (the maps that record what a change
//! touched, so that [`persist`] saves it whatever the operation); the
//! handlers per resource (each operation registered once, in
//! `handlers::OPERATIONS`) and the HTTP front are private.

#![warn(missing_docs)]

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub mod admin;
pub(crate) mod catalog;
pub mod clock;
pub mod conformance;
mod context;
pub(crate) mod error;
pub mod exposure;
pub mod faults;
pub mod format;
pub mod generic;
mod handlers;
pub mod intake;
pub mod journal;
pub(crate) mod kms;
pub(crate) mod lifecycle;
pub(crate) mod limits;
pub(crate) mod model;
mod net;
pub mod persist;
pub mod restore;
pub(crate) mod rng;
mod server;
pub mod spec;
pub(crate) mod tracked;
pub mod validation;

pub use admin::{AdminError, FaultSpec};
pub use clock::{Clock, ManualClock, SystemClock};
pub use conformance::{ConformanceReport, Violation};
pub use error::ApiError;
pub use faults::{FaultRule, Route};
pub use format::Snapshot;
pub use journal::{Journal, JournalEntry};
pub use lifecycle::Timings;
pub use model::ORGANIZATION_ID;
pub use net::ServerLimits;
pub use server::{Stats, MAX_BODY_BYTES};

use persist::{PersistError, Persister};
use server::Shared;

/// The `operationId`s the simulator implements with hand-written handlers
/// (the others get the [`generic`] model; paths outside the description
/// answer 404).
pub fn implemented_operations() -> Vec<&'static str> {
    handlers::implemented().collect()
}

/// How the simulator answers each operation of the description: with a
/// hand-written handler, with the [`generic`] model, or not at all (501).
pub fn coverage() -> generic::Coverage {
    handlers::coverage()
}

/// Why the simulator did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The listen address cannot be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The state file cannot be loaded.
    #[error(transparent)]
    State(#[from] PersistError),
    /// A project asked for with [`SimulatorBuilder::project`] cannot be created.
    #[error("cannot create project {name:?}: {reason}")]
    Project {
        /// The project.
        name: String,
        /// Why (the API's answer).
        reason: String,
    },
}

/// The simulator; see [`Simulator::builder`].
#[derive(Debug)]
pub struct Simulator;

impl Simulator {
    /// A builder with the defaults: a random loopback port, any token
    /// accepted, the system clock, [`Timings::fast`], no faults, seed 0, no
    /// state file, no response checking.
    pub fn builder() -> SimulatorBuilder {
        SimulatorBuilder::default()
    }
}

/// Configures and starts a simulator.
#[derive(Debug)]
pub struct SimulatorBuilder {
    listen: SocketAddr,
    tokens: Option<HashSet<String>>,
    clock: Arc<dyn Clock>,
    manual_clock: Option<ManualClock>,
    timings: Timings,
    faults: Vec<FaultRule>,
    seed: u64,
    state_file: Option<PathBuf>,
    validate_responses: bool,
    server_limits: ServerLimits,
    journal_capacity: usize,
    projects: Vec<String>,
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            tokens: None,
            clock: Arc::new(SystemClock),
            manual_clock: None,
            timings: Timings::default(),
            faults: Vec::new(),
            seed: 0,
            state_file: None,
            validate_responses: false,
            server_limits: ServerLimits::default(),
            journal_capacity: journal::DEFAULT_CAPACITY,
            projects: Vec::new(),
        }
    }
}

impl SimulatorBuilder {
    /// The address to listen on (port 0: a free one).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Accepts this token (`Authorization: aivenv1 TOKEN` or `Bearer TOKEN`).
    /// Without any, every non-empty token is accepted.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.tokens
            .get_or_insert_with(HashSet::new)
            .insert(token.into());
        self
    }

    /// The time source. A [`ManualClock`] can also be advanced through the
    /// admin API ([`SimHandle::advance_clock`], `POST /_sim/clock/advance`).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        let any: &dyn std::any::Any = &clock;
        self.manual_clock = any.downcast_ref::<ManualClock>().cloned();
        self.clock = Arc::new(clock);
        self
    }

    /// Connection limits: header timeout and connection cap.
    pub fn server_limits(mut self, limits: ServerLimits) -> Self {
        self.server_limits = limits;
        self
    }

    /// How many requests the [`journal`] keeps (0: none are recorded).
    pub fn journal_capacity(mut self, entries: usize) -> Self {
        self.journal_capacity = entries;
        self
    }

    /// How long lifecycle transitions take.
    pub fn timings(mut self, timings: Timings) -> Self {
        self.timings = timings;
        self
    }

    /// Adds a fault rule.
    pub fn fault(mut self, rule: FaultRule) -> Self {
        self.faults.push(rule);
        self
    }

    /// Seeds the random choices (faults, identifiers, passwords, ports).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Loads the state from this file (if it exists) and saves every change
    /// to it before answering: a [redb](https://docs.rs/redb) database (pure
    /// Rust, ACID, crash-safe), written record by record (see [`persist`]).
    /// A JSON state file of the previous format is migrated (moved aside to
    /// `<path>.json.bak`); a path that cannot hold the database fails the
    /// start with [`StartError::State`].
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// Checks every response against the description's response schema
    /// for its operation and status (see [`conformance`]) and records the
    /// result, read with [`SimHandle::conformance`].
    pub fn validate_responses(mut self, yes: bool) -> Self {
        self.validate_responses = yes;
        self
    }

    /// Starts with the project `name` (repeatable): created at start as
    /// `ProjectCreate` creates it, unless the state (file) has it already.
    pub fn project(mut self, name: impl Into<String>) -> Self {
        self.projects.push(name.into());
        self
    }

    /// Binds and starts serving on the current Tokio runtime.
    pub async fn start(self) -> Result<SimHandle, StartError> {
        let (state, persister) = match &self.state_file {
            Some(path) => {
                // A simulator dropped just before, on the same file, may
                // still be finishing its last requests: wait up to 5 s for
                // it to let go of the database.
                let mut waited = std::time::Duration::ZERO;
                let (persister, state) = loop {
                    match Persister::open(path) {
                        Err(e) if e.is_already_open() && waited.as_secs() < 5 => {
                            let pause = std::time::Duration::from_millis(20);
                            tokio::time::sleep(pause).await;
                            waited += pause;
                        }
                        r => break r?,
                    }
                };
                let state = state.unwrap_or_else(|| model::State::new(self.seed));
                (state, Some(persister))
            }
            None => (model::State::new(self.seed), None),
        };
        let listener = tokio::net::TcpListener::bind(self.listen)
            .await
            .map_err(|source| StartError::Bind {
                addr: self.listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: self.listen,
            source,
        })?;
        exposure::warn_if_exposed(addr, self.tokens.is_some());
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            clock: self.clock,
            timings: self.timings,
            faults: faults::Faults::new(self.faults, self.seed),
            tokens: self.tokens,
            persister,
            validate_responses: self.validate_responses,
            conformance: Mutex::default(),
            stats: Mutex::default(),
            journal: journal::Recorder::new(self.journal_capacity),
            manual_clock: self.manual_clock,
            seed: self.seed,
        });
        for name in &self.projects {
            let exists = shared
                .state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .projects
                .contains_key(name);
            if !exists {
                server::create_project(&shared, name).map_err(|e| StartError::Project {
                    name: name.clone(),
                    reason: e.to_string(),
                })?;
            }
        }
        let app = admin::router(shared.clone())
            .fallback(server::dispatch)
            .with_state(shared.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(net::serve(listener, app, self.server_limits, rx));
        Ok(SimHandle {
            base_url: format!("http://{addr}/v1"),
            addr,
            shared,
            shutdown: Some(tx),
            task: Some(task),
        })
    }
}

/// A running simulator. Dropping it stops the server.
pub struct SimHandle {
    base_url: String,
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for SimHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimHandle")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl SimHandle {
    /// The base URL, `http://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// What in-line response checking found so far.
    pub fn conformance(&self) -> ConformanceReport {
        self.shared
            .conformance
            .lock()
            .expect("conformance lock")
            .clone()
    }

    /// Request counters.
    pub fn stats(&self) -> Stats {
        self.shared.stats.lock().expect("stats lock").clone()
    }

    /// Empties the account (the seed's identifiers start over); faults and
    /// the journal stay. `POST /_sim/reset`.
    pub fn reset(&self) -> Result<(), AdminError> {
        self.shared.admin_reset().map(drop)
    }

    /// The state, in the documented snapshot format (see [`Snapshot`]):
    /// what [`restore`](Self::restore) takes back, and what tests read to
    /// assert on what the simulator holds. `GET /_sim/state`.
    pub fn snapshot(&self) -> Snapshot {
        self.shared.admin_snapshot()
    }

    /// Puts a [`snapshot`](Self::snapshot) back (its `revision` moves on
    /// from the current one), checked as intake would check what it holds
    /// ([`AdminError::InvalidSnapshot`] naming the field). A snapshot as
    /// JSON, of this version or an older one, is read with
    /// [`Snapshot::from_json`]. `PUT /_sim/state`.
    pub fn restore(&self, snapshot: Snapshot) -> Result<(), AdminError> {
        self.shared.admin_restore(snapshot).map(drop)
    }

    /// Moves the clock forward and returns the new time; only a
    /// [`ManualClock`] given to [`SimulatorBuilder::clock`] can be moved
    /// ([`AdminError::ClockNotManual`] otherwise), by at most
    /// [`clock::MAX_ADVANCE`] and not past [`clock::MAX_CLOCK_MS`]
    /// ([`AdminError::ClockBound`] otherwise, the clock unmoved).
    /// `POST /_sim/clock/advance`.
    pub fn advance_clock(&self, by: std::time::Duration) -> Result<clock::Millis, AdminError> {
        self.shared.admin_advance(by)
    }

    /// The fault rules in force. `GET /_sim/faults`.
    pub fn faults(&self) -> Vec<FaultRule> {
        self.shared.faults.rules()
    }

    /// Replaces the fault rules; the next request already sees the new
    /// ones. `PUT /_sim/faults`.
    pub fn set_faults(&self, rules: Vec<FaultRule>) {
        self.shared.faults.set_rules(rules);
    }

    /// Removes every fault rule. `DELETE /_sim/faults`.
    pub fn clear_faults(&self) {
        self.shared.faults.set_rules(Vec::new());
    }

    /// The requests answered so far under `/v1`, oldest first (see
    /// [`journal`]). `GET /_sim/journal`.
    pub fn journal(&self) -> Journal {
        self.shared.admin_journal(None, None, None)
    }

    /// Forgets the journal's entries. `DELETE /_sim/journal`.
    pub fn clear_journal(&self) {
        self.shared.journal.clear();
    }

    /// How many changes were written to the state file.
    pub fn state_writes(&self) -> u64 {
        self.shared.persister.as_ref().map_or(0, Persister::writes)
    }

    /// Makes every following write to the state file fail (or succeed
    /// again): tests of the rollback of changes that cannot be saved.
    #[doc(hidden)]
    pub fn fail_state_writes(&self, yes: bool) {
        if let Some(p) = &self.shared.persister {
            p.fail_writes(yes);
        }
    }

    /// Stops accepting requests and waits for in-flight ones to finish
    /// (idempotent; dropping the handle also stops it, without waiting).
    pub async fn shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
