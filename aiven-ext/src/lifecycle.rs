//! Service lifecycle: create, update (plan, cloud, disk, power), delete,
//! each optionally followed by the matching waiter; plans and service types.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use aiven_api::operations as ops;
use aiven_api::types;

use crate::backoff;
use crate::ownership;
use crate::retry::{self, RetryClass, RetryHint};
use crate::state::{ServiceExt, ServiceState};
use crate::validate::{self, bounded};
use crate::{AivenClient, Error, Result};

/// The outcome of [`CreateService`].
#[derive(Clone, Debug)]
pub enum Created {
    /// This call created the service.
    New(types::Service),
    /// An earlier attempt of this call failed ambiguously but had reached
    /// the API: the service exists, was not created twice, and has the
    /// asked type, plan and cloud (one that differs is not adopted:
    /// [`Error::ExistsWithDifferentSpec`]).
    AlreadyCreated(types::Service),
}

impl Created {
    /// The service, however it came to exist.
    pub fn service(&self) -> &types::Service {
        match self {
            Created::New(s) | Created::AlreadyCreated(s) => s,
        }
    }

    /// The service, however it came to exist.
    pub fn into_service(self) -> types::Service {
        match self {
            Created::New(s) | Created::AlreadyCreated(s) => s,
        }
    }

    fn map(self, f: impl FnOnce(types::Service) -> types::Service) -> Self {
        match self {
            Created::New(s) => Created::New(f(s)),
            Created::AlreadyCreated(s) => Created::AlreadyCreated(f(s)),
        }
    }
}

/// What an `ensure` helper did.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Ensured<T> {
    /// It did not exist; this call created it.
    Created(T),
    /// It existed as asked and was left as it was. For a service asked with
    /// an [`Owner`](crate::Owner), it carries that owner's mark (made by an
    /// earlier run of the same owner).
    Adopted(T),
    /// A service existed as asked but without the asked owner's mark
    /// (someone else's, or made without a mark): it is used as it is, and
    /// an owner's [`teardown`](AivenClient::teardown) leaves it alone.
    AdoptedUnowned(T),
}

impl<T> Ensured<T> {
    /// The resource, however it came to be there.
    pub fn get(&self) -> &T {
        match self {
            Ensured::Created(t) | Ensured::Adopted(t) | Ensured::AdoptedUnowned(t) => t,
        }
    }

    /// The resource, however it came to be there.
    pub fn into_inner(self) -> T {
        match self {
            Ensured::Created(t) | Ensured::Adopted(t) | Ensured::AdoptedUnowned(t) => t,
        }
    }

    /// Whether this call created it.
    pub fn was_created(&self) -> bool {
        matches!(self, Ensured::Created(_))
    }

    /// Whether it is the asker's own: created, or adopted with the asked
    /// owner's mark (an owner-scoped teardown deletes it).
    pub fn is_owned(&self) -> bool {
        !matches!(self, Ensured::AdoptedUnowned(_))
    }

    /// `"created"`, `"adopted"` or `"adopted (not owned)"`, for logs.
    pub fn verb(&self) -> &'static str {
        match self {
            Ensured::Created(_) => "created",
            Ensured::Adopted(_) => "adopted",
            Ensured::AdoptedUnowned(_) => "adopted (not owned)",
        }
    }
}

/// A failure after which the create may or may not have happened, or did
/// happen but its answer was lost or unreadable (the one classification:
/// [`RetryClass::Ambiguous`]).
fn is_ambiguous(e: &Error) -> bool {
    e.retry_class() == RetryClass::Ambiguous
}

/// What differs between the asked-for service and the one found under its
/// name: `field: asked X, found Y`, for type, plan and (when asked) cloud.
fn spec_differences(
    asked: &types::ServiceCreateRequestBody,
    found: &types::Service,
) -> Vec<String> {
    let mut differences = Vec::new();
    let mut compare = |field: &str, asked: &str, found: Option<&str>| {
        if found != Some(asked) {
            differences.push(format!(
                "{field}: asked {asked:?}, found {}",
                found.map_or("none".to_owned(), |f| format!("{f:?}"))
            ));
        }
    };
    compare(
        "service_type",
        &asked.service_type,
        found.service_type.as_deref(),
    );
    compare("plan", &asked.plan, found.plan.as_deref());
    if let Some(cloud) = &asked.cloud {
        compare("cloud", cloud, found.cloud_name.as_deref());
    }
    differences
}

/// The service found under the asked name after an ambiguous create: ours
/// only if it is what was asked for, and carries the asked owner's mark (a
/// concurrent creator's unmarked service is not ours to claim).
fn adopt(
    asked: &types::ServiceCreateRequestBody,
    project: &str,
    found: types::Service,
) -> Result<Created> {
    match judge(asked, project, found)? {
        Ensured::AdoptedUnowned(found) => Err(Error::ExistsWithDifferentSpec {
            kind: "service",
            name: format!("{project}/{}", asked.service_name.as_str()),
            differences: owner_difference(asked, &found),
        }),
        other => Ok(Created::AlreadyCreated(other.into_inner())),
    }
}

/// An existing service against what was asked: adopted (with the asked
/// owner's mark, or none asked), adopted without it, or
/// [`Error::ExistsWithDifferentSpec`] listing the differences.
fn judge(
    asked: &types::ServiceCreateRequestBody,
    project: &str,
    found: types::Service,
) -> Result<Ensured<types::Service>> {
    let asked_name = asked.service_name.as_str();
    if found.service_name.as_deref() != Some(asked_name) {
        return Err(Error::InvalidResponse {
            status: None,
            reason: format!(
                "looked up service {project}/{asked_name} and the API answered with {}: not adopted",
                found.service_name.as_deref().map_or("a nameless one".to_owned(), |n| {
                    format!("{:?}", crate::retry::truncate(n))
                })
            ),
            body: String::new(),
            operation: Some(ops::SERVICE_GET),
        });
    }
    let differences = spec_differences(asked, &found);
    if !differences.is_empty() {
        return Err(Error::ExistsWithDifferentSpec {
            kind: "service",
            name: format!("{project}/{}", asked.service_name.as_str()),
            differences: differences.join(", "),
        });
    }
    let asked_owner = ownership::owner_in(asked.tags.as_ref());
    match asked_owner {
        Some(owner) if ownership::owner_of(&found) != Some(owner) => {
            tracing::warn!(
                project,
                service = asked.service_name.as_str(),
                owner,
                found_owner = ownership::owner_of(&found).unwrap_or("none"),
                "adopting a matching service that does not carry the owner's mark: \
                 it will not be torn down by this owner"
            );
            Ok(Ensured::AdoptedUnowned(found))
        }
        _ => Ok(Ensured::Adopted(found)),
    }
}

/// `aiven-ext-owner: asked "x", found "y"` (or `none`).
fn owner_difference(asked: &types::ServiceCreateRequestBody, found: &types::Service) -> String {
    let asked = ownership::owner_in(asked.tags.as_ref()).unwrap_or("none");
    let found = ownership::owner_of(found).map_or("none".to_owned(), |f| format!("{f:?}"));
    format!(
        "tag {}: asked {asked:?}, found {found}",
        ownership::OWNER_TAG
    )
}

/// 403 because of termination protection, made explicit.
fn protection(e: Error, project: &str, service: &str) -> Error {
    match e {
        Error::Api(api) if api.is_termination_protected() => Error::TerminationProtected {
            project: project.to_owned(),
            service: service.to_owned(),
            source: api,
        },
        e => e,
    }
}

/// Creates a service; see [`AivenClient::create_service`].
#[must_use = "does nothing until `.send()` or `.send_and_wait(..)` is awaited"]
#[derive(Debug)]
pub struct CreateService<'c> {
    client: &'c AivenClient,
    project: String,
    body: Result<types::ServiceCreateRequestBody, String>,
    existence_check: bool,
}

impl CreateService<'_> {
    /// The body, checked before anything is sent.
    fn validated(&self) -> Result<types::ServiceCreateRequestBody> {
        let body = self
            .body
            .clone()
            .map_err(|e| Error::InvalidRequest(format!("service create body: {e}")))?;
        validate::project_name(&self.project)?;
        validate::service_name(&body.service_name)?;
        bounded("service_type", &body.service_type, 64)?;
        bounded("plan", &body.plan, 128)?;
        if let Some(cloud) = &body.cloud {
            bounded("cloud", cloud, 256)?;
        }
        if let Some(mb) = body.disk_space_mb {
            validate::disk_space_mb(mb)?;
        }
        Ok(body)
    }

    /// Makes sure the service exists as asked, for a job that may run
    /// twice: an existing service with the asked type, plan and cloud is
    /// adopted ([`Ensured::Adopted`]); one that differs is
    /// [`Error::ExistsWithDifferentSpec`], listing the differences; a
    /// missing one is created ([`Ensured::Created`]) with
    /// [`send`](Self::send)'s safety (no duplicate after an ambiguous
    /// failure; a 409 from a concurrent creator is looked at and adopted or
    /// refused the same way).
    pub async fn ensure(self) -> Result<Ensured<types::Service>> {
        let body = self.validated()?;
        let (client, project) = (self.client, self.project.clone());
        let name = body.service_name.to_string();
        match client.get_service(&project, &name).await {
            Ok(found) => return judge(&body, &project, found),
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
        }
        match self.send().await {
            Ok(created) => Ok(Ensured::Created(created.into_service())),
            Err(e) if e.is_already_exists() => {
                let found = client.get_service_once_visible(&project, &name).await?;
                judge(&body, &project, found)
            }
            Err(e) => Err(e),
        }
    }

    /// After an ambiguous failure (5xx, timeout, connection lost after
    /// sending, a success whose body cannot be decoded), look the service
    /// up and retry the create only if it does not exist. On by default;
    /// off surfaces the first such failure.
    pub fn existence_check(mut self, yes: bool) -> Self {
        self.existence_check = yes;
        self
    }

    /// Validates, then creates the service.
    pub async fn send(self) -> Result<Created> {
        let body = self.validated()?;
        let (client, project, name) = (self.client, &self.project, body.service_name.as_str());
        let body = &body;
        let check = self.existence_check;
        // Two loops, one budget: this one repeats the create after an
        // ambiguous failure (which the transport never repeats for a POST),
        // the transport's inside it repeats a send the API did not process
        // (429, connection refused). Both stop at the deadline this loop
        // sets (the retry policy's budget), so the attempts of both, those
        // in flight included, end within it.
        retry::run(
            &client.retry,
            &*client.clock,
            &*client.jitter,
            ops::SERVICE_CREATE,
            |attempt| async move {
                // Hints are given only for ambiguous failures, so a second
                // attempt means the first may have created the service.
                let maybe_created = attempt > 1;
                if maybe_created {
                    match client.get_service(project, name).await {
                        Ok(svc) => return (adopt(body, project, svc), None),
                        // Not there (or not visible yet): create again; a
                        // 409 then says an earlier attempt won after all.
                        Err(e) if e.is_not_found() => {}
                        Err(e) => return (Err(e), None),
                    }
                }
                let sent = client
                    .service_create()
                    .project(project)
                    .body(body.clone())
                    .send()
                    .await;
                let created = sent
                    .map_err(Error::during(ops::SERVICE_CREATE))
                    .and_then(|r| {
                        r.into_inner()
                            .service
                            .ok_or_else(|| Error::missing("service", ops::SERVICE_CREATE))
                    });
                match created {
                    Ok(svc) => (Ok(Created::New(svc)), None),
                    // 409 after our own ambiguous attempt: that attempt won,
                    // though a read may not show it yet.
                    Err(e) if maybe_created && e.is_already_exists() => {
                        let found = client.get_service_once_visible(project, name).await;
                        (found.and_then(|svc| adopt(body, project, svc)), None)
                    }
                    Err(e) if check && is_ambiguous(&e) => {
                        let hint = RetryHint::new(format!("ambiguous create failure: {e}"));
                        (Err(e), Some(hint))
                    }
                    Err(e) => (Err(e), None),
                }
            },
        )
        .await
    }

    /// Creates the service, then waits until it is `RUNNING` (404 right
    /// after the create counts as "not yet", per the wait policy's grace).
    pub async fn send_and_wait(self, max_wait: Duration) -> Result<Created> {
        let (client, project) = (self.client, self.project.clone());
        let name = self.body.as_ref().ok().map(|b| b.service_name.to_string());
        let created = self.send().await?;
        let name = name.unwrap_or_default();
        let svc = client
            .wait_until_service_running(project, name)
            .wait(max_wait)
            .await?;
        Ok(created.map(|_| svc))
    }
}

/// Changes a service; see [`AivenClient::update_service`].
#[must_use = "does nothing until `.send()` or `.send_and_wait(..)` is awaited"]
#[derive(Debug)]
pub struct UpdateService<'c> {
    client: &'c AivenClient,
    project: String,
    service: String,
    body: types::ServiceUpdateRequestBody,
    plan: Option<String>,
    cloud: Option<String>,
}

impl UpdateService<'_> {
    /// Moves to another plan.
    pub fn plan(mut self, plan: impl Into<String>) -> Self {
        self.plan = Some(plan.into());
        self
    }

    /// Migrates to another cloud region.
    pub fn cloud(mut self, cloud: impl Into<String>) -> Self {
        self.cloud = Some(cloud.into());
        self
    }

    /// Sets the disk size. Disks only grow: a decrease is refused before
    /// sending (the current size is fetched first).
    pub fn disk_space_mb(mut self, mb: u64) -> Self {
        self.body.disk_space_mb = Some(mb);
        self
    }

    /// Powers the service on (`true`) or off (`false`).
    pub fn powered(mut self, on: bool) -> Self {
        self.body.powered = Some(on);
        self
    }

    /// Turns termination protection on or off.
    pub fn termination_protection(mut self, on: bool) -> Self {
        self.body.termination_protection = Some(on);
        self
    }

    /// Merges these keys into the service's `user_config`.
    pub fn user_config(mut self, config: serde_json::Map<String, serde_json::Value>) -> Self {
        self.body.user_config = Some(config);
        self
    }

    /// Validates, then sends the update; returns the updated service.
    pub async fn send(mut self) -> Result<types::Service> {
        validate::project_name(&self.project)?;
        validate::existing_service_name(&self.service)?;
        if let Some(plan) = self.plan.take() {
            bounded("plan", &plan, 128)?;
            self.body.plan = Some(
                plan.parse()
                    .map_err(|e| Error::invalid("plan", &plan, format!("{e}")))?,
            );
        }
        if let Some(cloud) = self.cloud.take() {
            bounded("cloud", &cloud, 256)?;
            self.body.cloud = Some(
                cloud
                    .parse()
                    .map_err(|e| Error::invalid("cloud", &cloud, format!("{e}")))?,
            );
        }
        if self.body == types::ServiceUpdateRequestBody::default() {
            return Err(Error::invalid("update", "{}", "nothing to change"));
        }
        let (client, project, service) = (self.client, &self.project, &self.service);
        if let Some(mb) = self.body.disk_space_mb {
            validate::disk_space_mb(mb)?;
            let current = client.get_service(project, service).await?.disk_space_mb;
            // The response side is open-world `i64`; a negative or absent size
            // constrains nothing.
            let smaller = |current: &i64| u64::try_from(*current).is_ok_and(|c| mb < c);
            if let Some(current) = current.filter(smaller) {
                return Err(Error::invalid(
                    "disk_space_mb",
                    mb,
                    format!("disks cannot shrink; the service has {current} MB"),
                ));
            }
        }
        let response = client
            .service_update()
            .project(project)
            .service_name(service)
            .body(self.body)
            .send()
            .await
            .map_err(|e| protection(Error::during(ops::SERVICE_UPDATE)(e), project, service))?;
        response
            .into_inner()
            .service
            .ok_or_else(|| Error::missing("service", ops::SERVICE_UPDATE))
    }

    /// Sends the update, then waits: for `POWEROFF` after powering off,
    /// otherwise for `RUNNING` with every node running (a plan, cloud or
    /// disk change replaces nodes while the service may still say `RUNNING`).
    pub async fn send_and_wait(self, max_wait: Duration) -> Result<types::Service> {
        let (client, project, service) = (self.client, self.project.clone(), self.service.clone());
        let powered = self.body.powered;
        self.send().await?;
        if powered == Some(false) {
            let wait = client.wait_until_service_state(project, service, ServiceState::Poweroff);
            wait.wait(max_wait).await
        } else {
            let wait = client.wait_until_service_running(project, service);
            let wait = wait
                .all_nodes_running(true)
                .tolerate_poweroff(powered == Some(true));
            wait.wait(max_wait).await
        }
    }
}

/// Deletes a service; see [`AivenClient::delete_service`].
#[must_use = "does nothing until `.send()` or `.send_and_wait(..)` is awaited"]
#[derive(Debug)]
pub struct DeleteService<'c> {
    client: &'c AivenClient,
    project: String,
    service: String,
    lift_protection: bool,
    if_exists: bool,
}

impl DeleteService<'_> {
    /// A service that does not exist counts as deleted (404 is `Ok`): for
    /// teardown that may run twice. Off by default.
    pub fn if_exists(mut self, yes: bool) -> Self {
        self.if_exists = yes;
        self
    }

    /// Turn termination protection off first if it is on. Off by default:
    /// a protected service makes [`send`](Self::send) fail with
    /// [`Error::TerminationProtected`].
    pub fn lift_termination_protection(mut self, yes: bool) -> Self {
        self.lift_protection = yes;
        self
    }

    /// Deletes the service. A 404 after retries counts as deleted: an
    /// earlier attempt whose answer was lost (5xx, connection dropped) may
    /// have deleted it. A 404 on the first attempt is an error, unless
    /// [`if_exists`](Self::if_exists).
    pub async fn send(self) -> Result<()> {
        let (client, project, service) = (self.client, &self.project, &self.service);
        validate::project_name(project)?;
        validate::existing_service_name(service)?;
        let gone = |e: &Error| self.if_exists && e.is_not_found();
        if self.lift_protection {
            let protected = match client.get_service(project, service).await {
                Ok(svc) => svc.is_termination_protected(),
                Err(e) if gone(&e) => return Ok(()),
                Err(e) => return Err(e),
            };
            if protected {
                client
                    .update_service(project, service)
                    .termination_protection(false)
                    .send()
                    .await?;
            }
        }
        let result = client
            .service_delete()
            .project(project)
            .service_name(service)
            .send()
            .await;
        match result.map_err(Error::during(ops::SERVICE_DELETE)) {
            Ok(_) => Ok(()),
            // A 2xx other than the documented 200 still means deleted, and
            // so does one whose body is damaged.
            Err(Error::InvalidResponse { status, .. }) if status.is_none_or(|s| s.is_success()) => {
                Ok(())
            }
            Err(Error::Api(e))
                if e.status.as_u16() == 404 && (e.attempts > 1 || self.if_exists) =>
            {
                Ok(())
            }
            Err(e) => Err(protection(e, project, service)),
        }
    }

    /// Deletes the service, then waits until fetching it answers 404.
    pub async fn send_and_wait(self, max_wait: Duration) -> Result<()> {
        let (client, project, service) = (self.client, self.project.clone(), self.service.clone());
        self.send().await?;
        client
            .wait_until_service_deleted(project, service)
            .wait(max_wait)
            .await?;
        Ok(())
    }
}

impl AivenClient {
    /// Fetches one service (an empty project or service name is refused
    /// before sending).
    pub async fn get_service(&self, project: &str, service: &str) -> Result<types::Service> {
        validate::project_name(project)?;
        validate::existing_service_name(service)?;
        let response = self
            .service_get()
            .project(project)
            .service_name(service)
            .send()
            .await
            .map_err(Error::during(ops::SERVICE_GET))?;
        response
            .into_inner()
            .service
            .ok_or_else(|| Error::missing("service", ops::SERVICE_GET))
    }

    /// [`get_service`](Self::get_service) for a service known to exist: a
    /// 404 means "not visible yet" (the API is eventually consistent after a
    /// create) for the wait policy's `not_found_grace`, within the deadline
    /// of the call in progress.
    async fn get_service_once_visible(
        &self,
        project: &str,
        service: &str,
    ) -> Result<types::Service> {
        let started = self.clock.now();
        // Saturating: a policy may set an enormous grace.
        let mut window = retry::deadline_after(started, self.wait.not_found_grace);
        if let Some(deadline) = retry::current_deadline() {
            window = window.min(deadline);
        }
        let mut polls = 0;
        loop {
            match self.get_service(project, service).await {
                Err(e) if e.is_not_found() => {
                    polls += 1;
                    let left = window.saturating_duration_since(self.clock.now());
                    let delay = backoff::delay(
                        self.wait.min_delay,
                        self.wait.max_delay,
                        polls,
                        &*self.jitter,
                    );
                    if delay >= left {
                        return Err(e);
                    }
                    self.clock.sleep(delay).await;
                }
                other => return other,
            }
        }
    }

    /// Creates a service from a request body or its builder, e.g.
    /// `types::ServiceCreateRequestBody::builder().service_name("pg-1").service_type("pg").plan("startup-4")`.
    /// Names are checked with [`validate::service_name`] before sending.
    pub fn create_service<B>(&self, project: impl Into<String>, body: B) -> CreateService<'_>
    where
        B: TryInto<types::ServiceCreateRequestBody>,
        B::Error: fmt::Display,
    {
        CreateService {
            client: self,
            project: project.into(),
            body: body.try_into().map_err(|e| e.to_string()),
            existence_check: true,
        }
    }

    /// Makes sure a service exists as asked: created, adopted, or an error
    /// listing how the existing one differs (see [`CreateService::ensure`]).
    pub async fn ensure_service<B>(
        &self,
        project: impl Into<String>,
        body: B,
    ) -> Result<Ensured<types::Service>>
    where
        B: TryInto<types::ServiceCreateRequestBody>,
        B::Error: fmt::Display,
    {
        self.create_service(project, body).ensure().await
    }

    /// Changes plan, cloud, disk size, power or protection of a service.
    pub fn update_service(
        &self,
        project: impl Into<String>,
        service: impl Into<String>,
    ) -> UpdateService<'_> {
        UpdateService {
            client: self,
            project: project.into(),
            service: service.into(),
            body: types::ServiceUpdateRequestBody::default(),
            plan: None,
            cloud: None,
        }
    }

    /// Powers a service off (refused while termination protection is on).
    pub fn power_off_service(
        &self,
        project: impl Into<String>,
        service: impl Into<String>,
    ) -> UpdateService<'_> {
        self.update_service(project, service).powered(false)
    }

    /// Powers a service on.
    pub fn power_on_service(
        &self,
        project: impl Into<String>,
        service: impl Into<String>,
    ) -> UpdateService<'_> {
        self.update_service(project, service).powered(true)
    }

    /// Deletes a service.
    pub fn delete_service(
        &self,
        project: impl Into<String>,
        service: impl Into<String>,
    ) -> DeleteService<'_> {
        DeleteService {
            client: self,
            project: project.into(),
            service: service.into(),
            lift_protection: false,
            if_exists: false,
        }
    }

    /// Service types by code, with their plans. Without a project this is
    /// the public list and needs no token.
    pub async fn list_service_types(
        &self,
        project: Option<&str>,
    ) -> Result<BTreeMap<String, types::ServiceTypesValue>> {
        let service_types = match project {
            None => {
                self.list_public_service_types()
                    .send()
                    .await
                    .map_err(Error::during(ops::LIST_PUBLIC_SERVICE_TYPES))?
                    .into_inner()
                    .service_types
            }
            Some(p) => {
                validate::project_name(p)?;
                let response = self
                    .list_project_service_types()
                    .project(p)
                    .send()
                    .await
                    .map_err(Error::during(ops::LIST_PROJECT_SERVICE_TYPES))?;
                response.into_inner().service_types
            }
        };
        Ok(service_types.unwrap_or_default().into_iter().collect())
    }

    /// The plans of one service type.
    pub async fn list_plans(
        &self,
        project: Option<&str>,
        service_type: &str,
    ) -> Result<Vec<types::ServicePlan>> {
        let mut types = self.list_service_types(project).await?;
        let Some(info) = types.remove(service_type) else {
            let known: Vec<_> = types.keys().map(String::as_str).collect();
            let reason = format!("unknown service type; known: {}", known.join(", "));
            return Err(Error::invalid("service_type", service_type, reason));
        };
        Ok(info.service_plans.unwrap_or_default())
    }
}
