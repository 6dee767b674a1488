//! Service lifecycle: create, update (plan, cloud, disk, power), delete,
//! each optionally followed by the matching waiter; plans and service types.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use aiven_api::operations as ops;
use aiven_api::types;

use crate::ensure::{self, absent_on_404, Ensured, Kind, Mode};
use crate::ownership;
use crate::state::{ServiceExt, ServiceState};
use crate::validate::{self, bounded};
use crate::{AivenClient, Error, Result};

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
        validate::new_service(
            &body.service_name,
            &body.service_type,
            &body.plan,
            body.cloud.as_deref().map(String::as_str),
            body.disk_space_mb,
            body.project_vpc_id.as_ref().and_then(Option::as_deref),
        )?;
        Ok(body)
    }

    /// Makes sure the service exists as asked, for a job that may run
    /// twice: an existing service with the asked type, plan and cloud is
    /// adopted ([`Ensured::Adopted`], or [`Ensured::AdoptedUnowned`] when an
    /// [`Owner`](crate::Owner) was asked and it lacks the mark); one that
    /// differs is [`Error::ExistsWithDifferentSpec`], listing the
    /// differences; a missing one is created ([`Ensured::Created`]) with
    /// [`send`](Self::send)'s safety (no duplicate after an ambiguous
    /// failure; a 409 from a concurrent creator is looked at and adopted or
    /// refused the same way). The ensure engine's service kind.
    pub async fn ensure(self) -> Result<Ensured<types::Service>> {
        let body = self.validated()?;
        let kind = service_kind(self.client, &self.project, &body);
        ensure::run(self.client, kind, Mode::Ensure).await
    }

    /// After an ambiguous failure (5xx, timeout, connection lost after
    /// sending, a success whose body cannot be decoded), look the service
    /// up and retry the create only if it does not exist. On by default;
    /// off surfaces the first such failure.
    pub fn existence_check(mut self, yes: bool) -> Self {
        self.existence_check = yes;
        self
    }

    /// Validates, then creates the service: [`Ensured::Created`]. After an
    /// ambiguous failure (with the existence check) the service is looked
    /// up and created again only if absent; found with the asked spec (and
    /// owner mark) it is this call's own. A 409 on the first attempt is
    /// [`Error::is_already_exists`].
    pub async fn send(self) -> Result<Ensured<types::Service>> {
        let body = self.validated()?;
        let kind = service_kind(self.client, &self.project, &body);
        let mode = Mode::Create {
            existence_check: self.existence_check,
        };
        ensure::run(self.client, kind, mode).await
    }

    /// Creates the service, then waits until it is `RUNNING` (404 right
    /// after the create counts as "not yet", per the wait policy's grace).
    pub async fn send_and_wait(self, max_wait: Duration) -> Result<Ensured<types::Service>> {
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

/// The service as a kind of the ensure engine: looked up by name, created
/// with `body`, compared by type, plan and cloud, recognised as the asker's
/// by the owner mark when one is asked.
fn service_kind<'a>(
    client: &'a AivenClient,
    project: &'a str,
    body: &'a types::ServiceCreateRequestBody,
) -> Kind<'a, types::Service> {
    let name = body.service_name.as_str();
    Kind {
        kind: "service",
        name: format!("{project}/{name}"),
        create_op: ops::SERVICE_CREATE,
        lookup: Box::new(move || {
            Box::pin(async move { absent_on_404(client.get_service(project, name).await) })
        }),
        create: Box::new(move || {
            Box::pin(async move {
                let sent = client
                    .service_create()
                    .project(project)
                    .body(body.clone())
                    .send()
                    .await
                    .map_err(Error::during(ops::SERVICE_CREATE))?;
                sent.into_inner()
                    .service
                    .map(Some)
                    .ok_or_else(|| Error::missing("service", ops::SERVICE_CREATE))
            })
        }),
        differences: Box::new(move |found| spec_differences(body, found)),
        identity: Some((name.to_owned(), |s: &types::Service| {
            s.service_name.as_deref()
        })),
        owned: ownership::owner_in(body.tags.as_ref()).map(|_| {
            let owned: ensure::Owned<'a, types::Service> = Box::new(move |found| {
                let asked = ownership::owner_in(body.tags.as_ref());
                if ownership::owner_of(found) == asked {
                    Ok(())
                } else {
                    Err(owner_difference(body, found))
                }
            });
            owned
        }),
    }
}

/// What differs between the asked-for service and the one found under its
/// name: `field: asked X, found Y`, for type, plan and (when asked) cloud.
pub(crate) fn spec_differences(
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

/// `aiven-ext-owner: asked "x", found "y"` (or `none`).
fn owner_difference(asked: &types::ServiceCreateRequestBody, found: &types::Service) -> String {
    let asked = ownership::owner_in(asked.tags.as_ref()).unwrap_or("none");
    let found = ownership::owner_of(found).map_or("none".to_owned(), |f| format!("{f:?}"));
    format!(
        "tag {}: asked {asked:?}, found {found}",
        ownership::OWNER_TAG
    )
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

/// What a delete found: whether this call deleted the resource, found it
/// gone, or cannot tell. All three leave the resource gone (or going).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Deletion {
    /// The API accepted this call's delete.
    Deleted,
    /// It did not exist when this call asked: the first attempt answered
    /// 404, or every earlier attempt failed in a way that means it was not
    /// processed (connection refused, 408, 429).
    AlreadyGone,
    /// A retry answered 404 after an earlier attempt of this call failed
    /// ambiguously (a 5xx, a timeout or a connection lost after sending):
    /// that attempt may have deleted it, or it was gone already (deleted by
    /// someone else, or never there). The API cannot tell which.
    GoneAfterAmbiguousAttempt,
}

impl Deletion {
    /// The outcome of a delete request: `Ok(..)` for a 2xx and for a 404
    /// (which of the three it was, by the attempts the error records);
    /// other errors as they are.
    pub(crate) fn of(result: Result<()>) -> Result<Deletion> {
        match result {
            Ok(()) => Ok(Deletion::Deleted),
            // A 2xx other than the documented one still means deleted, and
            // so does one whose body is damaged.
            Err(Error::InvalidResponse { status, .. }) if status.is_none_or(|s| s.is_success()) => {
                Ok(Deletion::Deleted)
            }
            Err(e) => match Deletion::of_not_found(&e) {
                Some(deletion) => Ok(deletion),
                None => Err(e),
            },
        }
    }

    /// What a 404 says; `None` for any other error.
    fn of_not_found(e: &Error) -> Option<Deletion> {
        if !e.is_not_found() {
            return None;
        }
        Some(match e.api() {
            Some(api) if api.ambiguous_attempts > 0 => Deletion::GoneAfterAmbiguousAttempt,
            _ => Deletion::AlreadyGone,
        })
    }

    /// `"deleted"`, `"already gone"` or `"gone (deletion unconfirmed)"`, for logs.
    pub fn verb(&self) -> &'static str {
        match self {
            Deletion::Deleted => "deleted",
            Deletion::AlreadyGone => "already gone",
            Deletion::GoneAfterAmbiguousAttempt => "gone (deletion unconfirmed)",
        }
    }
}

impl fmt::Display for Deletion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.verb())
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
    /// A service that does not exist is not an error: [`send`](Self::send)
    /// returns [`Deletion::AlreadyGone`]. For teardown that may run twice.
    /// Off by default.
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

    /// Deletes the service and says what it found ([`Deletion`]):
    /// [`Deleted`](Deletion::Deleted) when the API accepted this call's
    /// delete; [`GoneAfterAmbiguousAttempt`](Deletion::GoneAfterAmbiguousAttempt)
    /// when a retry answered 404 after an attempt whose outcome is unknown
    /// (5xx, timeout, connection lost after sending), which may have
    /// deleted it — `Ok` with or without [`if_exists`](Self::if_exists);
    /// [`AlreadyGone`](Deletion::AlreadyGone) when it was not there when
    /// asked (a 404 on the first attempt, or after attempts that were not
    /// processed, such as 429s) — `Ok` only with `if_exists`, else the 404
    /// ([`Error::is_not_found`]).
    pub async fn send(self) -> Result<Deletion> {
        let (client, project, service) = (self.client, &self.project, &self.service);
        validate::project_name(project)?;
        validate::existing_service_name(service)?;
        if self.lift_protection {
            let protected = match client.get_service(project, service).await {
                Ok(svc) => svc.is_termination_protected(),
                Err(e) if self.if_exists && e.is_not_found() => return Ok(Deletion::AlreadyGone),
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
            .await
            .map(drop)
            .map_err(Error::during(ops::SERVICE_DELETE));
        match result {
            // Not there when asked, and not asked to tolerate that.
            Err(e)
                if !self.if_exists && Deletion::of_not_found(&e) == Some(Deletion::AlreadyGone) =>
            {
                Err(e)
            }
            result => Deletion::of(result).map_err(|e| protection(e, project, service)),
        }
    }

    /// Deletes the service, then waits until fetching it answers 404;
    /// returns what [`send`](Self::send) found.
    pub async fn send_and_wait(self, max_wait: Duration) -> Result<Deletion> {
        let (client, project, service) = (self.client, self.project.clone(), self.service.clone());
        let deletion = self.send().await?;
        client
            .wait_until_service_deleted(project, service)
            .wait(max_wait)
            .await?;
        Ok(deletion)
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
    pub async fn ensure_service<B>(&self, project: &str, body: B) -> Result<Ensured<types::Service>>
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
