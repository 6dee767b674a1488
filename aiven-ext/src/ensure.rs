//! Ensure-style helpers for jobs that run twice: make a resource exist as
//! asked — create it, adopt it when it exists as asked, or refuse with the
//! differences — safely under ambiguous failures. One engine ([`run`]) for
//! every kind, services included, and for the plain service create; the
//! kinds only say how to look up, create, compare and recognise their own.

use std::fmt;

use aiven_api::operations as ops;
use aiven_api::types;
use aiven_api::Operation;
use futures::future::BoxFuture;

use crate::retry::{self, RetryClass, RetryHint};
use crate::validate;
use crate::{backoff, AivenClient, Error, Result};

/// What an `ensure` helper (or a create) did: the one result of the engine.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Ensured<T> {
    /// It did not exist; this call created it (after an ambiguous failure:
    /// an earlier attempt of this call did, and it was not created twice).
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

    /// The same outcome for another value (e.g. the service once running).
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Ensured<U> {
        match self {
            Ensured::Created(t) => Ensured::Created(f(t)),
            Ensured::Adopted(t) => Ensured::Adopted(f(t)),
            Ensured::AdoptedUnowned(t) => Ensured::AdoptedUnowned(f(t)),
        }
    }

    /// Whether this call created it.
    pub fn was_created(&self) -> bool {
        matches!(self, Ensured::Created(_))
    }

    /// Not [`AdoptedUnowned`](Ensured::AdoptedUnowned): created, or adopted
    /// with the asked owner's mark — or adopted when no owner was asked, in
    /// which case nothing says whose it is. Ownership is what a teardown
    /// reads from the mark, not from this value: ask with an
    /// [`Owner`](crate::Owner) to have it mean "ours".
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

/// Fetches or creates the resource, `None` when absent (or not in the answer).
pub(crate) type Fetch<'a, T> = Box<dyn Fn() -> BoxFuture<'a, Result<Option<T>>> + Send + Sync + 'a>;
/// How an existing resource differs from what was asked.
pub(crate) type Compare<'a, T> = Box<dyn Fn(&T) -> Vec<String> + Send + Sync + 'a>;
/// The name a resource carries (`None` when the answer omits it).
pub(crate) type NameOf<T> = fn(&T) -> Option<&str>;
/// `Err(difference)` when a found resource lacks the asker's owner mark.
pub(crate) type Owned<'a, T> =
    Box<dyn Fn(&T) -> std::result::Result<(), String> + Send + Sync + 'a>;

/// How to ensure one kind of resource.
pub(crate) struct Kind<'a, T> {
    /// `topic`, `service user`, …
    pub(crate) kind: &'static str,
    /// Its full name, for errors (`project/service/topic`).
    pub(crate) name: String,
    pub(crate) create_op: &'static Operation,
    /// The resource, or `None` when it does not exist (404, or not listed).
    pub(crate) lookup: Fetch<'a, T>,
    /// Creates it; the created resource when the answer carries it.
    pub(crate) create: Fetch<'a, T>,
    /// How an existing one differs from what was asked: `field: asked X, found Y`.
    pub(crate) differences: Compare<'a, T>,
    /// The name a found resource must carry, and where it carries it: a
    /// look-up answered with another resource is an error, never adopted.
    /// `None` when the look-up already selects by identity (lists).
    pub(crate) identity: Option<(String, NameOf<T>)>,
    /// Whether a found resource carries the asker's owner mark; `None` for
    /// kinds without a mark (children belong to their service).
    pub(crate) owned: Option<Owned<'a, T>>,
}

/// How the engine came to find an existing resource.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Found {
    /// There before this call: adopted if it matches.
    Existing,
    /// Found after an ambiguous attempt of this call: ours if it matches
    /// (and carries our mark, for kinds that have one).
    AfterOurAttempt,
}

/// What the engine is asked to do.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Create or adopt.
    Ensure,
    /// Create; an existing one is an error (409 on the first attempt).
    /// `existence_check`: after an ambiguous failure, look it up and create
    /// again only if absent (off: surface the failure).
    Create { existence_check: bool },
}

impl<T> Kind<'_, T> {
    /// `last` ended the engine while an earlier attempt may have created
    /// the resource.
    fn outcome_unknown(&self, last: Error) -> Error {
        Error::OutcomeUnknown {
            operation: self.create_op,
            kind: self.kind,
            name: self.name.clone(),
            last: Box::new(last),
        }
    }

    fn judge(&self, found: T, how: Found) -> Result<Ensured<T>> {
        if let Some((asked, name_of)) = &self.identity {
            let answered = name_of(&found);
            if answered != Some(asked.as_str()) {
                return Err(Error::InvalidResponse {
                    status: None,
                    reason: format!(
                        "looked up {} {} and the API answered with {}: not adopted",
                        self.kind,
                        self.name,
                        answered.map_or("a nameless one".to_owned(), |n| {
                            format!("{:?}", retry::truncate(n))
                        })
                    ),
                    body: String::new(),
                    operation: Some(self.create_op),
                });
            }
        }
        let refuse = |differences: String| Error::ExistsWithDifferentSpec {
            kind: self.kind,
            name: self.name.clone(),
            differences,
        };
        let differences = (self.differences)(&found);
        if !differences.is_empty() {
            return Err(refuse(differences.join(", ")));
        }
        let unmarked = match &self.owned {
            Some(owned) => owned(&found).err(),
            None => None,
        };
        match (how, unmarked) {
            (Found::Existing, None) => Ok(Ensured::Adopted(found)),
            (Found::AfterOurAttempt, None) => Ok(Ensured::Created(found)),
            (Found::Existing, Some(difference)) => {
                tracing::warn!(
                    kind = self.kind,
                    name = %self.name,
                    %difference,
                    "adopting a matching resource that does not carry the owner's mark: \
                     it will not be torn down by this owner"
                );
                Ok(Ensured::AdoptedUnowned(found))
            }
            // A concurrent creator's unmarked resource is not ours to claim.
            (Found::AfterOurAttempt, Some(difference)) => Err(refuse(difference)),
        }
    }

    /// The lookup, with "absent" meaning "not visible yet" for the wait
    /// policy's grace period (after a 409 or a create the API confirmed).
    async fn once_visible(&self, client: &AivenClient) -> Result<T> {
        let started = client.clock.now();
        let mut window = retry::deadline_after(started, client.wait.not_found_grace);
        if let Some(deadline) = retry::current_deadline() {
            window = window.min(deadline);
        }
        let mut polls = 0;
        loop {
            if let Some(found) = (self.lookup)().await? {
                return Ok(found);
            }
            polls += 1;
            let delay = backoff::delay(
                client.wait.min_delay,
                client.wait.max_delay,
                polls,
                &*client.jitter,
            );
            if delay >= window.saturating_duration_since(client.clock.now()) {
                return Err(Error::InvalidResponse {
                    status: None,
                    reason: format!(
                        "{} {} was created but is not visible after {:?}",
                        self.kind, self.name, client.wait.not_found_grace
                    ),
                    body: String::new(),
                    operation: Some(self.create_op),
                });
            }
            client.clock.sleep(delay).await;
        }
    }
}

/// Create or adopt ([`Mode::Ensure`]).
async fn ensure<T: Send>(client: &AivenClient, kind: Kind<'_, T>) -> Result<Ensured<T>> {
    run(client, kind, Mode::Ensure).await
}

/// The one engine: (ensuring) look up, and adopt or refuse what exists;
/// else create, and after an ambiguous failure look again before creating
/// again, all within the retry policy's budget. Two loops share that
/// budget: this one repeats the create after an ambiguous failure (which
/// the transport never repeats for a POST), the transport's inside it
/// repeats a send the API did not process (429, connection refused).
pub(crate) async fn run<T: Send>(
    client: &AivenClient,
    kind: Kind<'_, T>,
    mode: Mode,
) -> Result<Ensured<T>> {
    if mode == Mode::Ensure {
        if let Some(found) = (kind.lookup)().await? {
            return kind.judge(found, Found::Existing);
        }
    }
    let retry_ambiguous = match mode {
        Mode::Ensure => true,
        Mode::Create { existence_check } => existence_check,
    };
    let kind = &kind;
    retry::run(
        &client.retry,
        &*client.clock,
        &*client.jitter,
        kind.create_op,
        |attempt| async move {
            // Hints are given only for ambiguous failures: a later attempt
            // means an earlier one may have created it.
            let maybe_created = attempt > 1;
            if maybe_created {
                match (kind.lookup)().await {
                    Ok(Some(found)) => return (kind.judge(found, Found::AfterOurAttempt), None),
                    // Not there (or not visible yet): create again; a 409
                    // then says an earlier attempt won after all.
                    Ok(None) => {}
                    // The look-up that would have said whether an earlier
                    // attempt created it failed (or ran out of time).
                    Err(e) => return (Err(kind.outcome_unknown(e)), None),
                }
            }
            match (kind.create)().await {
                Ok(Some(created)) => (Ok(Ensured::Created(created)), None),
                Ok(None) => (kind.once_visible(client).await.map(Ensured::Created), None),
                // 409: our own earlier attempt won (judged as ours), or
                // someone else made it (adopted if it matches, when ensuring).
                Err(e) if e.is_already_exists() && (maybe_created || mode == Mode::Ensure) => {
                    let how = if maybe_created {
                        Found::AfterOurAttempt
                    } else {
                        Found::Existing
                    };
                    let found = kind.once_visible(client).await;
                    (found.and_then(|f| kind.judge(f, how)), None)
                }
                // The create may have been processed. When the retry loop
                // stops here (attempts, budget or deadline spent; or the
                // caller turned the existence check off), nothing will look
                // again: the outcome is unknown, and says so — unless the
                // API answered 2xx with a body this client cannot read,
                // which says it was processed.
                Err(e) if e.retry_class() == RetryClass::Ambiguous => {
                    let hint = retry_ambiguous.then(|| {
                        RetryHint::new(format!("ambiguous {} create failure: {e}", kind.kind))
                    });
                    let e = match e {
                        e @ Error::InvalidResponse { .. } => e,
                        e => kind.outcome_unknown(e),
                    };
                    (Err(e), hint)
                }
                Err(e) => (Err(e), None),
            }
        },
    )
    .await
}

/// `Ok(None)` for a 404.
pub(crate) fn absent_on_404<T>(result: Result<T>) -> Result<Option<T>> {
    match result {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// `field: asked X, found Y` into `out` when a field that was asked differs.
pub(crate) fn compare<V: PartialEq + fmt::Debug>(
    out: &mut Vec<String>,
    field: &str,
    asked: Option<V>,
    found: Option<V>,
) {
    if let Some(asked) = asked {
        if found.as_ref() != Some(&asked) {
            let found = found.map_or("none".to_owned(), |f| format!("{f:?}"));
            out.push(format!("{field}: asked {asked:?}, found {found}"));
        }
    }
}

impl AivenClient {
    /// Makes sure a Kafka topic exists as asked: created, adopted when its
    /// partitions and replication (where asked) match, or
    /// [`Error::ExistsWithDifferentSpec`]. Safe under ambiguous failures.
    pub async fn ensure_topic<B>(
        &self,
        project: &str,
        service: &str,
        body: B,
    ) -> Result<Ensured<types::ServiceKafkaTopicGetResponseTopic>>
    where
        B: TryInto<types::ServiceKafkaTopicCreateRequestBody>,
        B::Error: fmt::Display,
    {
        let body = body
            .try_into()
            .map_err(|e| Error::InvalidRequest(format!("topic create body: {e}")))?;
        validate::project_name(project)?;
        validate::existing_service_name(service)?;
        validate::topic_name(&body.topic_name)?;
        let topic = body.topic_name.to_string();
        let body = &body;
        let topic = topic.as_str();
        let kind = Kind {
            kind: "topic",
            name: format!("{project}/{service}/{topic}"),
            create_op: ops::SERVICE_KAFKA_TOPIC_CREATE,
            lookup: Box::new(move || {
                Box::pin(
                    async move { absent_on_404(self.get_topic(project, service, topic).await) },
                )
            }),
            create: Box::new(move || {
                Box::pin(async move {
                    self.service_kafka_topic_create()
                        .project(project)
                        .service_name(service)
                        .body(body.clone())
                        .send()
                        .await
                        .map_err(Error::during(ops::SERVICE_KAFKA_TOPIC_CREATE))?;
                    // The answer is a message: the topic comes from a read.
                    Ok(None)
                })
            }),
            differences: Box::new(move |found| {
                let mut out = Vec::new();
                let partitions = found.partitions.as_ref().map(|p| p.len() as u64);
                compare(
                    &mut out,
                    "partitions",
                    body.partitions.map(|p| p.get()),
                    partitions,
                );
                let replication = found.replication.and_then(|r| u64::try_from(r).ok());
                compare(
                    &mut out,
                    "replication",
                    body.replication.map(|r| r.get()),
                    replication,
                );
                out
            }),
            identity: Some((
                topic.to_owned(),
                |t: &types::ServiceKafkaTopicGetResponseTopic| t.topic_name.as_deref(),
            )),
            owned: None,
        };
        ensure(self, kind).await
    }

    /// Makes sure a service user exists: created, or adopted (a user has
    /// nothing to differ in but its name). Either way the result carries the
    /// user as the API returns it, password included, for the job's next step.
    pub async fn ensure_service_user<B>(
        &self,
        project: &str,
        service: &str,
        body: B,
    ) -> Result<Ensured<types::ServiceUser>>
    where
        B: TryInto<types::ServiceUserCreateRequestBody>,
        B::Error: fmt::Display,
    {
        let body = body
            .try_into()
            .map_err(|e| Error::InvalidRequest(format!("service user create body: {e}")))?;
        validate::project_name(project)?;
        validate::existing_service_name(service)?;
        validate::path_segment("username", &body.username, 64)?;
        let username = body.username.to_string();
        let (body, username) = (&body, username.as_str());
        let kind = Kind {
            kind: "service user",
            name: format!("{project}/{service}/{username}"),
            create_op: ops::SERVICE_USER_CREATE,
            lookup: Box::new(move || {
                Box::pin(async move {
                    let got = self
                        .service_user_get()
                        .project(project)
                        .service_name(service)
                        .service_username(username)
                        .send()
                        .await
                        .map_err(Error::during(ops::SERVICE_USER_GET))
                        .and_then(|r| {
                            r.into_inner()
                                .user
                                .ok_or_else(|| Error::missing("user", ops::SERVICE_USER_GET))
                        });
                    absent_on_404(got)
                })
            }),
            create: Box::new(move || {
                Box::pin(async move {
                    let created = self
                        .service_user_create()
                        .project(project)
                        .service_name(service)
                        .body(body.clone())
                        .send()
                        .await
                        .map_err(Error::during(ops::SERVICE_USER_CREATE))?;
                    Ok(created.into_inner().user)
                })
            }),
            differences: Box::new(|_| Vec::new()),
            identity: Some((username.to_owned(), |u: &types::ServiceUser| {
                u.username.as_deref()
            })),
            owned: None,
        };
        ensure(self, kind).await
    }

    /// Makes sure a logical database exists (PostgreSQL, MySQL): created or
    /// adopted; the name is what a database has to match.
    pub async fn ensure_database<B>(
        &self,
        project: &str,
        service: &str,
        body: B,
    ) -> Result<Ensured<types::ServiceDatabaseListResponseDatabase>>
    where
        B: TryInto<types::ServiceDatabaseCreateRequestBody>,
        B::Error: fmt::Display,
    {
        let body = body
            .try_into()
            .map_err(|e| Error::InvalidRequest(format!("database create body: {e}")))?;
        validate::project_name(project)?;
        validate::existing_service_name(service)?;
        validate::path_segment("database", &body.database, 63)?;
        let database = body.database.to_string();
        let (body, database) = (&body, database.as_str());
        let kind = Kind {
            kind: "database",
            name: format!("{project}/{service}/{database}"),
            create_op: ops::SERVICE_DATABASE_CREATE,
            lookup: Box::new(move || {
                Box::pin(async move {
                    let listed = self
                        .service_database_list()
                        .project(project)
                        .service_name(service)
                        .send()
                        .await
                        .map_err(Error::during(ops::SERVICE_DATABASE_LIST))?;
                    let databases = listed.into_inner().databases.unwrap_or_default();
                    Ok(databases
                        .into_iter()
                        .find(|d| d.database_name.as_deref() == Some(database)))
                })
            }),
            create: Box::new(move || {
                Box::pin(async move {
                    self.service_database_create()
                        .project(project)
                        .service_name(service)
                        .body(body.clone())
                        .send()
                        .await
                        .map_err(Error::during(ops::SERVICE_DATABASE_CREATE))?;
                    Ok(None)
                })
            }),
            differences: Box::new(|_| Vec::new()),
            identity: None,
            owned: None,
        };
        ensure(self, kind).await
    }
}

impl AivenClient {
    /// Makes sure a project exists: created from a
    /// [`NewProject`](crate::requests::NewProject) (or a generated body),
    /// or adopted when its default cloud (where asked) matches. Projects are billed: creating one is for
    /// accounts where that is intended, and simulators.
    // ProjectGet is deprecated for the organization project API, which
    // needs the organization id a CI job rarely has; it still answers.
    #[allow(deprecated)]
    pub async fn ensure_project<B>(&self, body: B) -> Result<Ensured<types::Project>>
    where
        B: TryInto<types::ProjectCreateRequestBody>,
        B::Error: fmt::Display,
    {
        let body = body
            .try_into()
            .map_err(|e| Error::InvalidRequest(format!("project create body: {e}")))?;
        validate::project_name(&body.project)?;
        let project = body.project.to_string();
        let (body, project) = (&body, project.as_str());
        let kind = Kind {
            kind: "project",
            name: project.to_owned(),
            create_op: ops::PROJECT_CREATE,
            lookup: Box::new(move || {
                Box::pin(async move {
                    let got = self
                        .project_get()
                        .project(project)
                        .send()
                        .await
                        .map_err(Error::during(ops::PROJECT_GET))
                        .and_then(|r| {
                            r.into_inner()
                                .project
                                .ok_or_else(|| Error::missing("project", ops::PROJECT_GET))
                        });
                    absent_on_404(got)
                })
            }),
            create: Box::new(move || {
                Box::pin(async move {
                    let created = self
                        .project_create()
                        .body(body.clone())
                        .send()
                        .await
                        .map_err(Error::during(ops::PROJECT_CREATE))?;
                    Ok(created.into_inner().project)
                })
            }),
            differences: Box::new(move |found| {
                let mut out = Vec::new();
                compare(
                    &mut out,
                    "cloud",
                    body.cloud.as_deref().cloned(),
                    found.default_cloud.clone(),
                );
                out
            }),
            identity: Some((project.to_owned(), |p: &types::Project| {
                p.project_name.as_deref()
            })),
            owned: None,
        };
        ensure(self, kind).await
    }

    /// Makes sure a PostgreSQL connection pool exists as asked: created,
    /// adopted when its database, user, size and mode (where asked) match,
    /// or [`Error::ExistsWithDifferentSpec`]. Pools are read from the
    /// service (`connection_pools`), which also gives the pool's URI.
    pub async fn ensure_connection_pool<B>(
        &self,
        project: &str,
        service: &str,
        body: B,
    ) -> Result<Ensured<types::ConnectionPool>>
    where
        B: TryInto<types::ServicePgBouncerCreateRequestBody>,
        B::Error: fmt::Display,
    {
        let body = body
            .try_into()
            .map_err(|e| Error::InvalidRequest(format!("connection pool create body: {e}")))?;
        validate::project_name(project)?;
        validate::existing_service_name(service)?;
        validate::path_segment("pool_name", &body.pool_name, 63)?;
        let pool = body.pool_name.to_string();
        let (body, pool) = (&body, pool.as_str());
        let kind = Kind {
            kind: "connection pool",
            name: format!("{project}/{service}/{pool}"),
            create_op: ops::SERVICE_PG_BOUNCER_CREATE,
            lookup: Box::new(move || {
                Box::pin(async move {
                    let service = self.get_service(project, service).await?;
                    let pools = service.connection_pools.unwrap_or_default();
                    Ok(pools
                        .into_iter()
                        .find(|p| p.pool_name.as_deref() == Some(pool)))
                })
            }),
            create: Box::new(move || {
                Box::pin(async move {
                    self.service_pg_bouncer_create()
                        .project(project)
                        .service_name(service)
                        .body(body.clone())
                        .send()
                        .await
                        .map_err(Error::during(ops::SERVICE_PG_BOUNCER_CREATE))?;
                    Ok(None)
                })
            }),
            differences: Box::new(move |found| {
                let mut out = Vec::new();
                let text = |s: &Option<String>| s.clone();
                compare(
                    &mut out,
                    "database",
                    Some(body.database.to_string()),
                    text(&found.database),
                );
                compare(
                    &mut out,
                    "username",
                    body.username.as_deref().cloned(),
                    text(&found.username),
                );
                compare(
                    &mut out,
                    "pool_size",
                    Some(body.pool_size.get()),
                    found.pool_size.and_then(|n| u64::try_from(n).ok()),
                );
                compare(
                    &mut out,
                    "pool_mode",
                    body.pool_mode.as_ref().map(ToString::to_string),
                    text(&found.pool_mode),
                );
                out
            }),
            identity: None,
            owned: None,
        };
        ensure(self, kind).await
    }

    /// Makes sure a service integration exists: created, or adopted when
    /// one of the same type joins the same source and destination (an
    /// integration has nothing else that identifies it). Looked up among
    /// the source service's integrations (the destination's when the source
    /// is an endpoint).
    pub async fn ensure_integration<B>(
        &self,
        project: &str,
        body: B,
    ) -> Result<Ensured<types::ServiceIntegration>>
    where
        B: TryInto<types::ServiceIntegrationCreateRequestBody>,
        B::Error: fmt::Display,
    {
        let body = body
            .try_into()
            .map_err(|e| Error::InvalidRequest(format!("integration create body: {e}")))?;
        validate::project_name(project)?;
        let source = body.source_service.as_deref().cloned();
        let dest = body.dest_service.as_deref().cloned();
        let listed_on = match (&source, &dest) {
            (Some(s), _) | (None, Some(s)) => s.clone(),
            (None, None) => {
                return Err(Error::invalid(
                    "source_service",
                    "none",
                    "an integration needs a source or a destination service",
                ))
            }
        };
        validate::existing_service_name(&listed_on)?;
        let wanted = [
            ("integration_type", Some(body.integration_type.to_string())),
            ("source_service", source.clone()),
            ("dest_service", dest.clone()),
            (
                "source_endpoint_id",
                body.source_endpoint_id.as_deref().cloned(),
            ),
            (
                "dest_endpoint_id",
                body.dest_endpoint_id.as_deref().cloned(),
            ),
        ];
        let (body, wanted, listed_on) = (&body, &wanted, listed_on.as_str());
        let kind = Kind {
            kind: "integration",
            name: format!(
                "{project}/{} {} -> {}",
                body.integration_type,
                source.as_deref().unwrap_or("endpoint"),
                dest.as_deref().unwrap_or("endpoint"),
            ),
            create_op: ops::SERVICE_INTEGRATION_CREATE,
            lookup: Box::new(move || {
                Box::pin(async move {
                    let listed = self
                        .service_integration_list()
                        .project(project)
                        .service_name(listed_on)
                        .send()
                        .await
                        .map_err(Error::during(ops::SERVICE_INTEGRATION_LIST))?;
                    let all = listed.into_inner().service_integrations.unwrap_or_default();
                    Ok(all.into_iter().find(|i| {
                        let found = [
                            &i.integration_type,
                            &i.source_service,
                            &i.dest_service,
                            &i.source_endpoint_id,
                            &i.dest_endpoint_id,
                        ];
                        // What was not asked (an endpoint id) may be anything.
                        wanted
                            .iter()
                            .zip(found)
                            .all(|((_, w), f)| w.is_none() || w == f)
                    }))
                })
            }),
            create: Box::new(move || {
                Box::pin(async move {
                    let created = self
                        .service_integration_create()
                        .project(project)
                        .body(body.clone())
                        .send()
                        .await
                        .map_err(Error::during(ops::SERVICE_INTEGRATION_CREATE))?;
                    Ok(created.into_inner().service_integration)
                })
            }),
            differences: Box::new(|_| Vec::new()),
            identity: None,
            owned: None,
        };
        ensure(self, kind).await
    }
}
