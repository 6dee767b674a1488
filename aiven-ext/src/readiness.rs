//! Readiness: what "usable" means for a service beyond its state — a small
//! set of named [`Check`]s and a number of consecutive observations, with a
//! preset per service type ([`Readiness::for_service_type`]). A
//! [`Readiness`] is given to a service wait
//! ([`Wait::readiness`](crate::Wait::readiness)); [`Environment::up`](crate::Environment::up)
//! uses each service type's preset.
//!
//! The presets follow what the Aiven Terraform provider waits for after
//! creating a service (`WaitForServiceCreation` in its
//! `internal/schemautil/wait.go`): the state `RUNNING` seen repeatedly; a
//! backup for the types that take one (pg, alloydbomni, redis, dragonfly,
//! influxdb), unless persistence is off or the service is a read replica;
//! Grafana's public endpoint reachable when it has one open to everyone.
//! aiven-ext adds valkey (Redis's successor, with the same persistence
//! setting) to the backup types, and for Kafka the topic API answering —
//! what a job that creates topics right away needs, and what the API lets a
//! client observe. The table with sources is in `docs/waiting.md`.

use std::fmt;
use std::time::Duration;

use aiven_api::operations as ops;
use aiven_api::types;
use reqwest::StatusCode;

use crate::state::{ServiceExt, ServiceType};
use crate::{AivenClient, Error, Result};

/// Consecutive observations of the state (and every check) that a preset
/// requires: 3, at the wait policy's minimum delay (2 s by default) apart.
/// The Terraform provider requires 5 at its own delay; aiven-ext takes 3,
/// the repeated observation for a few seconds' cost. Change it with
/// [`Readiness::confirmations`].
pub const PRESET_CONFIRMATIONS: u32 = 3;

/// How long the [`Check::Reachable`] connection may take.
pub const REACHABLE_TIMEOUT: Duration = Duration::from_secs(1);

/// One condition on a service, checked once it reports the awaited state.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Check {
    /// Every node reports `running` (a plan, cloud or disk change replaces
    /// nodes while the service still says `RUNNING`). Read from the
    /// service (`node_states`).
    AllNodesRunning,
    /// At least one backup is listed (`backups`). Met at once when
    /// `user_config` turns persistence off (`*_persistence: "off"`: no
    /// backups are ever taken) or when the service is the destination of a
    /// `read_replica` integration (a replica takes none of its own).
    Backup,
    /// The Kafka topic API answers: `ServiceKafkaTopicList` returns a 2xx.
    /// One more request per poll once the service is `RUNNING`. An answer
    /// of 401 or 403 ends the wait ([`Error::WaitInterrupted`]); any other
    /// error is "not yet", and the progress label says which.
    TopicApi,
    /// A TCP connection to the service's public primary endpoint of
    /// `component` (`components[]` with this `component`, `route: public`,
    /// `usage: primary`) opens within [`REACHABLE_TIMEOUT`], from where the
    /// client runs. Met at once when the service lists no such endpoint, or
    /// when its `ip_filter` admits less than everyone (`0.0.0.0/0`): the
    /// connection would then fail from anywhere but the allowed networks.
    Reachable {
        /// The component, e.g. `grafana`.
        component: String,
    },
}

impl Check {
    /// [`Check::Reachable`] for `component`.
    pub fn reachable(component: impl Into<String>) -> Self {
        Check::Reachable {
            component: component.into(),
        }
    }

    /// Whether checking needs a request of its own (beyond the service's GET).
    fn is_remote(&self) -> bool {
        matches!(self, Check::TopicApi | Check::Reachable { .. })
    }

    /// A check read from the service alone; `None` for remote checks.
    fn local(&self, svc: &types::Service) -> Option<bool> {
        match self {
            Check::AllNodesRunning => Some(svc.all_nodes_running()),
            Check::Backup => Some(
                svc.persistence_off()
                    || is_read_replica(svc)
                    || svc.backups.as_ref().is_some_and(|b| !b.is_empty()),
            ),
            Check::TopicApi | Check::Reachable { .. } => None,
        }
    }
}

impl fmt::Display for Check {
    /// `all nodes running`, `a backup`, `topic API answering`,
    /// `grafana reachable`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Check::AllNodesRunning => f.write_str("all nodes running"),
            Check::Backup => f.write_str("a backup"),
            Check::TopicApi => f.write_str("topic API answering"),
            Check::Reachable { component } => write!(f, "{component} reachable"),
        }
    }
}

/// The destination of a `read_replica` integration: it takes no backups.
fn is_read_replica(svc: &types::Service) -> bool {
    let name = svc.service_name.as_deref();
    svc.service_integrations.iter().flatten().any(|i| {
        i.integration_type.as_deref() == Some("read_replica")
            && name.is_some()
            && i.dest_service.as_deref() == name
    })
}

/// What "ready" means for a service: the awaited state seen
/// [`confirmations`](Self::confirmations) times in a row, each time with
/// every [`Check`] met. Compose it like a kube-rs condition:
///
/// ```
/// use aiven_ext::{Check, Readiness};
///
/// let pg = Readiness::for_service_type("pg");
/// assert_eq!(pg.to_string(), "RUNNING 3 times in a row, with a backup");
/// let strict = pg.with(Check::AllNodesRunning).confirmations(5);
/// assert_eq!(strict.to_string(), "RUNNING 5 times in a row, with a backup, all nodes running");
/// // A type this version does not know gets the safe default.
/// assert_eq!(Readiness::for_service_type("warp-drive"), Readiness::running());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Readiness {
    checks: Vec<Check>,
    confirmations: u32,
}

impl Default for Readiness {
    /// [`Readiness::running`].
    fn default() -> Self {
        Self::running()
    }
}

impl Readiness {
    /// The state alone, seen [`PRESET_CONFIRMATIONS`] times in a row: the
    /// preset of every type without further checks, and of any type this
    /// version does not know.
    pub fn running() -> Self {
        Self {
            checks: Vec::new(),
            confirmations: PRESET_CONFIRMATIONS,
        }
    }

    /// The preset for a service type code (`pg`, `kafka`, …); any other
    /// code, known or not, gets [`running`](Self::running). Never fails.
    pub fn for_service_type(service_type: &str) -> Self {
        Self::preset(&ServiceType::from(service_type))
    }

    /// The preset for a service type:
    ///
    /// | type | checks |
    /// | --- | --- |
    /// | `pg`, `alloydbomni`, `redis`, `valkey`, `dragonfly`, `influxdb` | [`Check::Backup`] |
    /// | `kafka` | [`Check::TopicApi`] |
    /// | `grafana` | [`Check::Reachable`] (`grafana`) |
    /// | any other | none |
    ///
    /// each with the state seen [`PRESET_CONFIRMATIONS`] times in a row.
    pub fn preset(service_type: &ServiceType) -> Self {
        let running = Self::running();
        match service_type {
            ServiceType::Pg
            | ServiceType::Alloydbomni
            | ServiceType::Redis
            | ServiceType::Valkey
            | ServiceType::Dragonfly
            | ServiceType::Influxdb => running.with(Check::Backup),
            ServiceType::Kafka => running.with(Check::TopicApi),
            ServiceType::Grafana => running.with(Check::reachable("grafana")),
            _ => running,
        }
    }

    /// Adds a check (once: adding one it has changes nothing).
    pub fn with(mut self, check: Check) -> Self {
        if !self.checks.contains(&check) {
            self.checks.push(check);
        }
        self
    }

    /// Removes a check.
    pub fn without(mut self, check: &Check) -> Self {
        self.checks.retain(|c| c != check);
        self
    }

    /// Consecutive observations required (at least 1).
    pub fn confirmations(mut self, n: u32) -> Self {
        self.confirmations = n.max(1);
        self
    }

    /// The checks, in the order they were added.
    pub fn checks(&self) -> &[Check] {
        &self.checks
    }

    /// Whether `check` is one of them.
    pub fn includes(&self, check: &Check) -> bool {
        self.checks.contains(check)
    }

    /// Consecutive observations required.
    pub fn required_confirmations(&self) -> u32 {
        self.confirmations
    }

    pub(crate) fn into_parts(self) -> (Vec<Check>, u32) {
        (self.checks, self.confirmations)
    }
}

impl fmt::Display for Readiness {
    /// `RUNNING 3 times in a row, with a backup` (`RUNNING once` for 1).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.confirmations {
            1 => f.write_str("RUNNING once")?,
            n => write!(f, "RUNNING {n} times in a row")?,
        }
        for (i, check) in self.checks.iter().enumerate() {
            let sep = if i == 0 { ", with " } else { ", " };
            write!(f, "{sep}{check}")?;
        }
        Ok(())
    }
}

/// The checks of `checks` not met by `svc`: for each, what is awaited
/// (`a backup`, `topic API answering (HTTP 503 …)`). Remote checks are made
/// only when every local one is met. An error that waiting does not cure
/// (401, 403 from the topic API) is returned as such.
pub(crate) async fn unmet(
    client: &AivenClient,
    project: &str,
    service: &str,
    checks: &[Check],
    svc: &types::Service,
) -> Result<Vec<String>> {
    let mut unmet: Vec<String> = checks
        .iter()
        .filter(|c| c.local(svc) == Some(false))
        .map(ToString::to_string)
        .collect();
    if !unmet.is_empty() {
        return Ok(unmet);
    }
    for check in checks.iter().filter(|c| c.is_remote()) {
        let pending = match check {
            Check::TopicApi => topic_api(client, project, service).await?,
            Check::Reachable { component } => reachable(svc, component).await,
            _ => None,
        };
        if let Some(why) = pending {
            unmet.push(format!("{check} ({why})"));
        }
    }
    Ok(unmet)
}

/// `None` when the topic list answers 2xx; else why not (or the error that
/// ends the wait).
async fn topic_api(client: &AivenClient, project: &str, service: &str) -> Result<Option<String>> {
    let listed = client
        .service_kafka_topic_list()
        .project(project)
        .service_name(service)
        .send()
        .await
        .map_err(Error::during(ops::SERVICE_KAFKA_TOPIC_LIST));
    match listed {
        Ok(_) => Ok(None),
        Err(e)
            if matches!(
                e.status(),
                Some(StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
            ) =>
        {
            Err(e)
        }
        Err(e) => Ok(Some(match e.api() {
            Some(api) => format!("HTTP {}: {}", api.status.as_u16(), api.message),
            None => e.to_string(),
        })),
    }
}

/// `None` when the public primary endpoint of `component` accepts a TCP
/// connection, or when the check does not apply; else why not.
async fn reachable(svc: &types::Service, component: &str) -> Option<String> {
    if !open_to_everyone(svc) {
        return None;
    }
    let endpoint = svc.components.iter().flatten().find(|c| {
        c.component.as_deref() == Some(component)
            && c.route.as_deref() == Some("public")
            && c.usage.as_deref().is_none_or(|u| u == "primary")
    })?;
    let host = endpoint.host.as_deref()?;
    let port = endpoint.port.and_then(|p| u16::try_from(p).ok())?;
    let connect = tokio::net::TcpStream::connect((host, port));
    match tokio::time::timeout(REACHABLE_TIMEOUT, connect).await {
        Ok(Ok(_)) => None,
        Ok(Err(e)) => Some(format!("{host}:{port}: {e}")),
        Err(_) => Some(format!(
            "{host}:{port}: no connection within {REACHABLE_TIMEOUT:?}"
        )),
    }
}

/// `ip_filter` absent, or exactly `0.0.0.0/0` (as a string or as
/// `{"network": "0.0.0.0/0"}`).
fn open_to_everyone(svc: &types::Service) -> bool {
    let filter = svc
        .user_config
        .as_ref()
        .and_then(|c| c.get("ip_filter"))
        .and_then(|f| f.as_array());
    let Some(filter) = filter else {
        return true;
    };
    let network = |v: &serde_json::Value| {
        v.as_str()
            .or_else(|| v.get("network").and_then(|n| n.as_str()))
            .map(str::to_owned)
    };
    matches!(filter.as_slice(), [only] if network(only).as_deref() == Some("0.0.0.0/0"))
}
