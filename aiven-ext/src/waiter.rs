//! Waiters, in the shape of the AWS SDK's: one generic polling engine
//! ([`Wait`]) driven by a [`WaitTarget`] that fetches an observation and
//! classifies it as done, not yet, or failed. The typed targets below are
//! thin; implement [`WaitTarget`] to wait for anything else.

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use aiven_api::operations as ops;
use aiven_api::types;
use futures::future::BoxFuture;
use futures::{Stream, StreamExt};

use crate::backoff;
use crate::readiness::{self, Check, Readiness};
use crate::retry::{self, truncate};
use crate::state::{
    ConnectorState, IntegrationExt, IntegrationStatus, ServiceExt, ServiceState, StateExt,
    TopicState, VpcState,
};
use crate::validate;
use crate::wait_policy::WaitPolicy;
use crate::{AivenClient, Error, Result};

/// What a [`WaitTarget`] makes of one observation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The awaited condition holds.
    Done,
    /// Not yet; poll again.
    Retry,
    /// The condition can no longer come true; the reason says why.
    Fail(String),
}

/// Something to wait for.
pub trait WaitTarget: Send + Sync {
    /// What one poll observes and the waiter finally returns.
    type Output: Send;
    /// Names the awaited condition, for errors ("service p/s to be RUNNING").
    fn describe(&self) -> String;
    /// Fetches one observation. Errors that are 404 within the grace period
    /// or [retryable](Error::is_retryable) count as "not yet"; others end the wait.
    fn poll<'a>(&'a self, client: &'a AivenClient) -> BoxFuture<'a, Result<Self::Output>>;
    /// Classifies an observation.
    fn classify(&self, output: &Self::Output) -> Verdict;
    /// A short label of the observation for progress reports and errors.
    fn label(&self, output: &Self::Output) -> String;
}

/// One observation, reported to the progress callback.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Progress {
    /// Polls made so far, this one included.
    pub polls: u32,
    /// Time since the wait started.
    pub elapsed: Duration,
    /// What was observed: a state label, or the error.
    pub state: String,
    /// Whether this observation satisfied the condition.
    pub done: bool,
}

type ProgressFn<'c> = Box<dyn FnMut(&Progress) + Send + 'c>;

/// A configured wait; finish with [`wait`](Self::wait).
#[must_use = "a waiter does nothing until `.wait(max_wait)` is awaited"]
pub struct Wait<'c, T> {
    client: &'c AivenClient,
    target: T,
    policy: WaitPolicy,
    progress: Option<ProgressFn<'c>>,
}

impl<T: fmt::Debug> fmt::Debug for Wait<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait")
            .field("target", &self.target)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl<'c, T: WaitTarget> Wait<'c, T> {
    pub(crate) fn new(client: &'c AivenClient, target: T) -> Self {
        Self {
            policy: client.wait.clone(),
            client,
            target,
            progress: None,
        }
    }

    /// Replaces the whole polling policy.
    pub fn policy(mut self, policy: WaitPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Shortest delay between polls.
    pub fn min_delay(mut self, delay: Duration) -> Self {
        self.policy.min_delay = delay;
        self
    }

    /// Longest delay between polls.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.policy.max_delay = delay;
        self
    }

    /// How long 404 counts as "not visible yet".
    pub fn not_found_grace(mut self, grace: Duration) -> Self {
        self.policy.not_found_grace = grace;
        self
    }

    /// Consecutive successful observations required (at least 1).
    pub fn confirmations(mut self, n: u32) -> Self {
        self.policy.confirmations = n.max(1);
        self
    }

    /// Calls `f` after every poll, e.g. to draw a progress bar.
    pub fn on_progress(mut self, f: impl FnMut(&Progress) + Send + 'c) -> Self {
        self.progress = Some(Box::new(f));
        self
    }

    /// Polls until the target is done, fails, or `max_wait` passes. Every
    /// request, the one in flight included, ends by the deadline (`max_wait`
    /// from the start) plus [`FINAL_POLL_SLACK`] (1 s, the last poll's time
    /// to answer): the call returns within `max_wait` + 1 s, whatever the
    /// server does.
    /// The last poll happens at the deadline; then [`Error::WaitTimeout`]
    /// reports the elapsed time, the number of polls and the last state.
    /// A poll error that waiting does not cure ends the wait with
    /// [`Error::WaitInterrupted`], which says the same and carries the error.
    pub async fn wait(self, max_wait: Duration) -> Result<T::Output> {
        let mut observations = std::pin::pin!(self.observe(max_wait));
        while let Some(observation) = observations.next().await {
            if let Observation {
                progress: Progress { done: true, .. },
                output: Some(output),
            } = observation?
            {
                return Ok(output);
            }
        }
        unreachable!("the stream ends with a done observation or an error")
    }

    /// The wait as a [`Stream`] of observations, one per poll: the progress
    /// and what the poll fetched. It ends after the observation that is
    /// done, or with an error (the same as [`wait`](Self::wait)'s). Dropping
    /// it cancels the wait, the request in flight included.
    ///
    /// ```no_run
    /// # async fn run(client: aiven_ext::AivenClient) -> aiven_ext::Result<()> {
    /// use futures::StreamExt;
    /// let wait = client.wait_until_service_running("my-project", "pg-demo");
    /// let mut observations = std::pin::pin!(wait.observe(std::time::Duration::from_secs(900)));
    /// while let Some(observation) = observations.next().await {
    ///     let observation = observation?;
    ///     println!("{:>4}s {}", observation.progress.elapsed.as_secs(), observation.progress.state);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn observe(
        self,
        max_wait: Duration,
    ) -> impl Stream<Item = Result<Observation<T::Output>>> + Send + 'c
    where
        T: 'c,
    {
        let clock = self.client.clock.clone();
        let started = clock.now();
        let state = Engine {
            wait: self,
            started,
            deadline: retry::deadline_after(started, max_wait),
            polls: 0,
            confirmed: 0,
            last_state: None,
            next_delay: None,
            finished: false,
        };
        futures::stream::unfold(state, |mut engine| async move {
            if engine.finished {
                return None;
            }
            let item = engine.step().await;
            Some((item, engine))
        })
    }
}

/// How long past `max_wait` a poll in flight may last: the last poll is
/// made at the deadline and gets this long to answer, so `wait(max)`
/// returns within `max` + 1 s whatever the server does.
pub const FINAL_POLL_SLACK: Duration = Duration::from_secs(1);

/// One poll of a [`Wait`], as [`Wait::observe`] yields it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Observation<O> {
    /// Polls, elapsed time, the state label, whether it is done.
    pub progress: Progress,
    /// What the poll fetched; `None` when it failed in a way waiting cures
    /// (not visible yet, a transient error: the label says which).
    pub output: Option<O>,
}

/// The polling loop's state between two observations.
struct Engine<'c, T: WaitTarget> {
    wait: Wait<'c, T>,
    started: std::time::Instant,
    deadline: std::time::Instant,
    polls: u32,
    confirmed: u32,
    last_state: Option<String>,
    /// The sleep before the next poll (none before the first).
    next_delay: Option<Duration>,
    finished: bool,
}

impl<T: WaitTarget> Engine<'_, T> {
    /// Sleeps as planned, polls once, and says what it saw.
    async fn step(&mut self) -> Result<Observation<T::Output>> {
        let client = self.wait.client;
        let (clock, jitter) = (&*client.clock, &*client.jitter);
        if let Some(delay) = self.next_delay.take() {
            clock.sleep(delay).await;
        }
        let target = &self.wait.target;
        // The poll in flight ends by the deadline plus a little, so that the
        // last poll, made at the deadline, still gets an answer.
        let poll_deadline = self.deadline + FINAL_POLL_SLACK;
        let observed = retry::with_deadline(poll_deadline, target.poll(client)).await;
        self.polls += 1;
        let polls = self.polls;
        let elapsed = clock.now().saturating_duration_since(self.started);
        let policy = &self.wait.policy;
        // Server-sent text is cut before it is kept: a 1 MB state string
        // once went whole into the timeout error.
        let (verdict, label) = match &observed {
            Ok(output) => (target.classify(output), truncate(&target.label(output))),
            Err(e) if e.is_not_found() && elapsed < policy.not_found_grace => {
                (Verdict::Retry, "not found yet".to_owned())
            }
            // A poll is a read: what the transport would repeat for an
            // idempotent request is "not yet" — except an answer this client
            // cannot decode (the transport already asked again; waiting does
            // not change the decoder).
            Err(e)
                if e.retry_class().allows_retry(true)
                    && !matches!(e, Error::InvalidResponse { .. }) =>
            {
                (Verdict::Retry, truncate(&format!("error: {e}")))
            }
            Err(e) => (
                Verdict::Fail(e.to_string()),
                truncate(&format!("error: {e}")),
            ),
        };
        self.confirmed = if verdict == Verdict::Done {
            self.confirmed + 1
        } else {
            0
        };
        let done = self.confirmed >= policy.confirmations.max(1);
        let progress = Progress {
            polls,
            elapsed,
            state: label.clone(),
            done,
        };
        if let Some(report) = &mut self.wait.progress {
            report(&progress);
        }
        let fail = |e: Error| {
            // Input refused before sending is the caller's, not the wait's.
            if matches!(e, Error::Validation { .. } | Error::InvalidRequest(_)) {
                return e;
            }
            Error::WaitInterrupted {
                what: target.describe(),
                elapsed,
                polls,
                last_state: self.last_state.clone(),
                source: Box::new(e),
            }
        };
        let output = match (verdict, observed) {
            (Verdict::Done, Ok(output)) if done => {
                self.finished = true;
                return Ok(Observation {
                    progress,
                    output: Some(output),
                });
            }
            (Verdict::Fail(_), Err(e)) => {
                let e = fail(e);
                self.finished = true;
                return Err(e);
            }
            (Verdict::Fail(reason), Ok(_)) => {
                self.finished = true;
                return Err(Error::WaitFailed {
                    what: target.describe(),
                    state: label,
                    reason: truncate(&reason),
                    elapsed,
                    polls,
                });
            }
            (_, observed) => observed.ok(),
        };
        self.last_state = Some(label);
        let remaining = self.deadline.saturating_duration_since(clock.now());
        if remaining.is_zero() {
            self.finished = true;
            return Err(Error::WaitTimeout {
                what: target.describe(),
                elapsed,
                polls,
                last_state: self.last_state.take(),
            });
        }
        let delay = if self.confirmed > 0 {
            // Confirming: re-check soon rather than backing off.
            policy.min_delay
        } else {
            backoff::delay(policy.min_delay, policy.max_delay, polls, jitter)
        };
        self.next_delay = Some(delay.min(remaining));
        Ok(Observation { progress, output })
    }
}

fn service_get<'a>(
    client: &'a AivenClient,
    project: &'a str,
    service: &'a str,
) -> BoxFuture<'a, Result<types::Service>> {
    Box::pin(client.get_service(project, service))
}

/// A service reaching a state, optionally with further readiness checks
/// ([`Check`], [`Readiness`]). Built by
/// [`AivenClient::wait_until_service_running`] and
/// [`AivenClient::wait_until_service_state`].
#[derive(Debug)]
pub struct ServiceReady {
    project: String,
    service: String,
    target: ServiceState,
    checks: Vec<Check>,
    tolerate_poweroff: bool,
    /// The checks the last poll found unmet (what is awaited), for
    /// `classify` and `label`, which see only the service.
    unmet: Mutex<Vec<String>>,
}

impl Clone for ServiceReady {
    fn clone(&self) -> Self {
        Self {
            project: self.project.clone(),
            service: self.service.clone(),
            target: self.target.clone(),
            checks: self.checks.clone(),
            tolerate_poweroff: self.tolerate_poweroff,
            unmet: Mutex::new(Vec::new()),
        }
    }
}

impl ServiceReady {
    fn toggle(&mut self, check: Check, on: bool) {
        self.checks.retain(|c| *c != check);
        if on {
            self.checks.push(check);
        }
    }

    fn unmet(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        // A poisoned lock only means a panic elsewhere; the list is plain data.
        self.unmet.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Wait<'_, ServiceReady> {
    /// What "ready" means beyond the state: the readiness's checks replace
    /// the wait's, and its number of consecutive observations replaces the
    /// policy's `confirmations` (a later
    /// [`confirmations`](Self::confirmations) call wins). Use
    /// [`Readiness::for_service_type`] for the type's preset.
    pub fn readiness(mut self, readiness: Readiness) -> Self {
        let (checks, confirmations) = readiness.into_parts();
        self.target.checks = checks;
        self.policy.confirmations = confirmations;
        self
    }

    /// Also require every node to be `running` (a service can report
    /// `RUNNING` while a plan change still replaces nodes):
    /// [`Check::AllNodesRunning`]. Off by default.
    pub fn all_nodes_running(mut self, yes: bool) -> Self {
        self.target.toggle(Check::AllNodesRunning, yes);
        self
    }

    /// Also require at least one backup, unless `user_config` turns
    /// persistence off (`*_persistence: "off"`), which means no backups are
    /// ever taken, or the service is a read replica: [`Check::Backup`].
    /// Meant for types that back up (pg, mysql, …). Off by default.
    pub fn require_backup(mut self, yes: bool) -> Self {
        self.target.toggle(Check::Backup, yes);
        self
    }

    /// Treat `POWEROFF` as "not yet" instead of failing fast, e.g. right
    /// after a power-on request. Off by default.
    pub fn tolerate_poweroff(mut self, yes: bool) -> Self {
        self.target.tolerate_poweroff = yes;
        self
    }
}

impl WaitTarget for ServiceReady {
    type Output = types::Service;

    fn describe(&self) -> String {
        let checks: Vec<String> = self.checks.iter().map(ToString::to_string).collect();
        let with = match checks.is_empty() {
            true => String::new(),
            false => format!(" with {}", checks.join(", ")),
        };
        format!(
            "service {}/{} to be {}{with}",
            self.project, self.service, self.target
        )
    }

    fn poll<'a>(&'a self, client: &'a AivenClient) -> BoxFuture<'a, Result<types::Service>> {
        Box::pin(async move {
            let svc = client.get_service(&self.project, &self.service).await?;
            // The checks are looked at only in the awaited state: before,
            // they would cost requests and say nothing.
            let unmet = match svc.state() {
                Some(state) if state == self.target && !self.checks.is_empty() => {
                    readiness::unmet(client, &self.project, &self.service, &self.checks, &svc)
                        .await?
                }
                _ => Vec::new(),
            };
            *self.unmet() = unmet;
            Ok(svc)
        })
    }

    fn classify(&self, svc: &types::Service) -> Verdict {
        match svc.state() {
            Some(state) if state == self.target => {
                if self.unmet().is_empty() {
                    Verdict::Done
                } else {
                    Verdict::Retry
                }
            }
            Some(ServiceState::Poweroff) if !self.tolerate_poweroff => Verdict::Fail(
                "the service is powered off and will not change state by itself".into(),
            ),
            _ => Verdict::Retry,
        }
    }

    fn label(&self, svc: &types::Service) -> String {
        let state = svc.state.as_deref().unwrap_or("(no state)");
        let unmet = self.unmet();
        let waiting = match unmet.is_empty() {
            true => String::new(),
            false => format!("; waiting for {}", unmet.join(", ")),
        };
        let nodes = svc.node_states.as_deref().unwrap_or_default();
        if nodes.is_empty() {
            return match waiting.is_empty() {
                true => state.to_owned(),
                false => format!("{state} ({})", &waiting[2..]),
            };
        }
        let states = svc.node_states_enum();
        let running = states
            .iter()
            .filter(|s| **s == crate::NodeState::Running)
            .count();
        // The states of the nodes not running yet say where the build is.
        let pending: Vec<&str> = states
            .iter()
            .filter(|s| **s != crate::NodeState::Running)
            .map(|s| s.as_str())
            .collect();
        match pending.is_empty() {
            true => format!("{state} ({running}/{} nodes running{waiting})", nodes.len()),
            false => format!(
                "{state} ({running}/{} nodes running; {}{waiting})",
                nodes.len(),
                pending.join(", ")
            ),
        }
    }
}

/// A service being gone (404). Built by [`AivenClient::wait_until_service_deleted`].
#[derive(Clone, Debug)]
pub struct ServiceDeleted {
    project: String,
    service: String,
}

impl WaitTarget for ServiceDeleted {
    /// `None` once deleted; the last service seen otherwise.
    type Output = Option<types::Service>;

    fn describe(&self) -> String {
        format!("service {}/{} to be deleted", self.project, self.service)
    }

    fn poll<'a>(&'a self, client: &'a AivenClient) -> BoxFuture<'a, Result<Self::Output>> {
        Box::pin(async move {
            match service_get(client, &self.project, &self.service).await {
                Err(e) if e.is_not_found() => Ok(None),
                other => other.map(Some),
            }
        })
    }

    fn classify(&self, output: &Self::Output) -> Verdict {
        if output.is_none() {
            Verdict::Done
        } else {
            Verdict::Retry
        }
    }

    fn label(&self, output: &Self::Output) -> String {
        match output {
            None => "deleted".into(),
            Some(svc) => svc.state.clone().unwrap_or_else(|| "(no state)".into()),
        }
    }
}

/// A Kafka topic being `ACTIVE`. Built by [`AivenClient::wait_until_topic_active`].
#[derive(Clone, Debug)]
pub struct TopicActive {
    project: String,
    service: String,
    topic: String,
}

impl WaitTarget for TopicActive {
    type Output = types::ServiceKafkaTopicGetResponseTopic;

    fn describe(&self) -> String {
        format!(
            "topic {} of {}/{} to be ACTIVE",
            self.topic, self.project, self.service
        )
    }

    fn poll<'a>(&'a self, client: &'a AivenClient) -> BoxFuture<'a, Result<Self::Output>> {
        Box::pin(async move {
            client
                .get_topic(&self.project, &self.service, &self.topic)
                .await
        })
    }

    fn classify(&self, topic: &Self::Output) -> Verdict {
        match topic.state() {
            Some(TopicState::Active) => Verdict::Done,
            Some(TopicState::Deleting) => Verdict::Fail("the topic is being deleted".into()),
            _ => Verdict::Retry,
        }
    }

    fn label(&self, topic: &Self::Output) -> String {
        topic.state.clone().unwrap_or_else(|| "(no state)".into())
    }
}

/// A project VPC being `ACTIVE`. Built by [`AivenClient::wait_until_vpc_active`].
#[derive(Clone, Debug)]
pub struct VpcActive {
    project: String,
    vpc_id: String,
}

impl WaitTarget for VpcActive {
    type Output = types::VpcGetResponse;

    fn describe(&self) -> String {
        format!("VPC {} of {} to be ACTIVE", self.vpc_id, self.project)
    }

    fn poll<'a>(&'a self, client: &'a AivenClient) -> BoxFuture<'a, Result<Self::Output>> {
        Box::pin(async move {
            validate::project_name(&self.project)?;
            validate::path_segment("project_vpc_id", &self.vpc_id, 256)?;
            let response = client
                .vpc_get()
                .project(&self.project)
                .project_vpc_id(&self.vpc_id)
                .send()
                .await
                .map_err(Error::during(ops::VPC_GET))?;
            Ok(response.into_inner())
        })
    }

    fn classify(&self, vpc: &Self::Output) -> Verdict {
        match vpc.state() {
            Some(VpcState::Active) => Verdict::Done,
            Some(VpcState::Deleting | VpcState::Deleted) => {
                Verdict::Fail("the VPC is being deleted".into())
            }
            _ => Verdict::Retry,
        }
    }

    fn label(&self, vpc: &Self::Output) -> String {
        vpc.state.clone().unwrap_or_else(|| "(no state)".into())
    }
}

/// A service integration being active. Built by
/// [`AivenClient::wait_until_integration_active`].
///
/// Done when `active` is true and the status, where the integration type
/// reports one, is `running`; `failed` fails fast.
#[derive(Clone, Debug)]
pub struct IntegrationActive {
    project: String,
    integration_id: String,
}

impl WaitTarget for IntegrationActive {
    type Output = types::ServiceIntegration;

    fn describe(&self) -> String {
        format!(
            "integration {} of {} to be active",
            self.integration_id, self.project
        )
    }

    fn poll<'a>(&'a self, client: &'a AivenClient) -> BoxFuture<'a, Result<Self::Output>> {
        Box::pin(async move {
            client
                .get_integration(&self.project, &self.integration_id)
                .await
        })
    }

    fn classify(&self, integration: &Self::Output) -> Verdict {
        match (integration.active, integration.status()) {
            (_, Some(IntegrationStatus::Failed)) => {
                let errors = integration
                    .integration_status
                    .as_ref()
                    .and_then(|s| s.state.as_ref())
                    .and_then(|s| s.errors.as_ref())
                    .map(|e| e.join("; "))
                    .unwrap_or_default();
                Verdict::Fail(format!("the integration failed: {errors}"))
            }
            (Some(true), None | Some(IntegrationStatus::Running)) => Verdict::Done,
            _ => Verdict::Retry,
        }
    }

    fn label(&self, integration: &Self::Output) -> String {
        match integration.status() {
            Some(status) => status.to_string(),
            None if integration.active == Some(true) => "active".into(),
            None => "inactive".into(),
        }
    }
}

/// A Kafka Connect connector and all its tasks being `RUNNING`. Built by
/// [`AivenClient::wait_until_connector_running`]. `FAILED`, `PAUSED` and
/// `STOPPED` (of the connector or a task) fail fast.
#[derive(Clone, Debug)]
pub struct ConnectorRunning {
    project: String,
    service: String,
    connector: String,
}

impl WaitTarget for ConnectorRunning {
    type Output = types::ServiceKafkaConnectGetConnectorStatusResponseStatus;

    fn describe(&self) -> String {
        format!(
            "connector {} of {}/{} to be RUNNING",
            self.connector, self.project, self.service
        )
    }

    fn poll<'a>(&'a self, client: &'a AivenClient) -> BoxFuture<'a, Result<Self::Output>> {
        Box::pin(async move {
            validate::project_name(&self.project)?;
            validate::existing_service_name(&self.service)?;
            validate::connector_name(&self.connector)?;
            let response = client
                .service_kafka_connect_get_connector_status()
                .project(&self.project)
                .service_name(&self.service)
                .connector_name(&self.connector)
                .send()
                .await
                .map_err(Error::during(
                    ops::SERVICE_KAFKA_CONNECT_GET_CONNECTOR_STATUS,
                ))?;
            response.into_inner().status.ok_or_else(|| {
                Error::missing("status", ops::SERVICE_KAFKA_CONNECT_GET_CONNECTOR_STATUS)
            })
        })
    }

    fn classify(&self, status: &Self::Output) -> Verdict {
        let tasks = status.tasks.as_deref().unwrap_or_default();
        let states = std::iter::once(status.state()).chain(tasks.iter().map(StateExt::state));
        let mut all_running = true;
        for state in states {
            match state {
                Some(ConnectorState::Running) => {}
                Some(
                    s @ (ConnectorState::Failed | ConnectorState::Paused | ConnectorState::Stopped),
                ) => return Verdict::Fail(format!("connector or task is {s}")),
                _ => all_running = false,
            }
        }
        if all_running {
            Verdict::Done
        } else {
            Verdict::Retry
        }
    }

    fn label(&self, status: &Self::Output) -> String {
        status.state.clone().unwrap_or_else(|| "(no state)".into())
    }
}

impl AivenClient {
    /// Waits for any [`WaitTarget`] with this client's default policy.
    pub fn wait_until<T: WaitTarget>(&self, target: T) -> Wait<'_, T> {
        Wait::new(self, target)
    }

    /// Waits until the service is `RUNNING`. `POWEROFF` fails fast unless
    /// [`tolerate_poweroff`](Wait::tolerate_poweroff).
    pub fn wait_until_service_running(
        &self,
        project: impl Into<String>,
        service: impl Into<String>,
    ) -> Wait<'_, ServiceReady> {
        self.wait_until_service_state(project, service, ServiceState::Running)
    }

    /// Waits until the service reports `state`.
    pub fn wait_until_service_state(
        &self,
        project: impl Into<String>,
        service: impl Into<String>,
        state: ServiceState,
    ) -> Wait<'_, ServiceReady> {
        Wait::new(
            self,
            ServiceReady {
                project: project.into(),
                service: service.into(),
                target: state,
                checks: Vec::new(),
                tolerate_poweroff: false,
                unmet: Mutex::new(Vec::new()),
            },
        )
    }

    /// Waits until fetching the service answers 404.
    pub fn wait_until_service_deleted(
        &self,
        project: impl Into<String>,
        service: impl Into<String>,
    ) -> Wait<'_, ServiceDeleted> {
        let (project, service) = (project.into(), service.into());
        Wait::new(self, ServiceDeleted { project, service })
    }

    /// Waits until the Kafka topic is `ACTIVE`.
    pub fn wait_until_topic_active(
        &self,
        project: impl Into<String>,
        service: impl Into<String>,
        topic: impl Into<String>,
    ) -> Wait<'_, TopicActive> {
        let (project, service, topic) = (project.into(), service.into(), topic.into());
        Wait::new(
            self,
            TopicActive {
                project,
                service,
                topic,
            },
        )
    }

    /// Waits until the project VPC is `ACTIVE`.
    pub fn wait_until_vpc_active(
        &self,
        project: impl Into<String>,
        vpc_id: impl Into<String>,
    ) -> Wait<'_, VpcActive> {
        let (project, vpc_id) = (project.into(), vpc_id.into());
        Wait::new(self, VpcActive { project, vpc_id })
    }

    /// Waits until the service integration is active.
    pub fn wait_until_integration_active(
        &self,
        project: impl Into<String>,
        integration_id: impl Into<String>,
    ) -> Wait<'_, IntegrationActive> {
        let (project, integration_id) = (project.into(), integration_id.into());
        Wait::new(
            self,
            IntegrationActive {
                project,
                integration_id,
            },
        )
    }

    /// Waits until the Kafka Connect connector and its tasks are `RUNNING`.
    pub fn wait_until_connector_running(
        &self,
        project: impl Into<String>,
        service: impl Into<String>,
        connector: impl Into<String>,
    ) -> Wait<'_, ConnectorRunning> {
        let (project, service, connector) = (project.into(), service.into(), connector.into());
        Wait::new(
            self,
            ConnectorRunning {
                project,
                service,
                connector,
            },
        )
    }
}
