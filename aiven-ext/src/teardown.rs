//! Teardown: deletes what an owner made, in dependency order, and nothing
//! else. A service is deleted only when it carries the owner's mark
//! ([`OWNER_TAG`](crate::OWNER_TAG)); a topic, user, database or pool only
//! when its service does; an integration only when one of its services in
//! this project does. A service's mark is read again right before it is
//! deleted; between that read and the delete request there is no atomic
//! check (the API has no conditional delete). Anything else is left alone
//! and reported, unless the caller opts in with [`Teardown::delete_unowned`].

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use aiven_api::operations as ops;

use crate::ownership::{self, Owner};
use crate::{validate, AivenClient, Deletion, Error, Result};

/// What [`Teardown::run`] did.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct TeardownReport {
    /// Deleted by this run.
    pub deleted: Vec<String>,
    /// Not there any more (deleted earlier, or never created).
    pub already_gone: Vec<String>,
    /// Gone, but whether this run deleted them is unknown: a delete attempt
    /// failed ambiguously (a 5xx, a timeout, a connection lost after
    /// sending) and its retry answered 404. That attempt may have deleted
    /// it, or something else did. Not a failure: they are gone either way.
    pub unconfirmed: Vec<String>,
    /// Left alone: they exist but do not carry this teardown's owner mark
    /// (someone else's, or adopted without the mark).
    pub not_owned: Vec<String>,
    /// What could not be deleted, and why; the others were still tried.
    pub failures: Vec<(String, Error)>,
}

impl fmt::Display for TeardownReport {
    /// `deleted: a, b; already gone: c; gone (deletion unconfirmed): d;
    /// left alone (not owned): e; failed: f (reason)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |names: &[String]| match names {
            [] => "none".to_owned(),
            names => names.join(", "),
        };
        write!(
            f,
            "deleted: {}; already gone: {}",
            list(&self.deleted),
            list(&self.already_gone)
        )?;
        if !self.unconfirmed.is_empty() {
            write!(
                f,
                "; gone (deletion unconfirmed): {}",
                list(&self.unconfirmed)
            )?;
        }
        if !self.not_owned.is_empty() {
            write!(f, "; left alone (not owned): {}", list(&self.not_owned))?;
        }
        for (name, e) in &self.failures {
            write!(f, "; failed: {name} ({e})")?;
        }
        Ok(())
    }
}

impl TeardownReport {
    /// Everything this teardown owns is gone (what it does not own was
    /// left alone on purpose, see [`not_owned`](Self::not_owned)).
    pub fn is_complete(&self) -> bool {
        self.failures.is_empty()
    }

    /// `Ok` when every owned resource is gone; else
    /// [`Error::TeardownIncomplete`] with every failure.
    pub fn into_result(self) -> Result<()> {
        if self.failures.is_empty() {
            return Ok(());
        }
        Err(Error::TeardownIncomplete {
            failures: self.failures,
        })
    }
}

/// One thing a [`Teardown`] deletes.
#[derive(Debug, Clone)]
enum Doomed {
    Integration(String),
    Pool(String, String),
    Topic(String, String),
    User(String, String),
    Database(String, String),
    Service(String),
}

impl Doomed {
    /// Dependency order: what depends on others goes first (integrations
    /// join services; pools use users and databases; all live in services).
    fn rank(&self) -> u8 {
        match self {
            Doomed::Integration(_) => 0,
            Doomed::Pool(..) => 1,
            Doomed::Topic(..) | Doomed::User(..) | Doomed::Database(..) => 2,
            Doomed::Service(_) => 3,
        }
    }

    /// `service pg-1`, `topic kafka-1/events`, … (in the report).
    fn label(&self) -> String {
        match self {
            Doomed::Integration(id) => format!("integration {id}"),
            Doomed::Pool(s, n) => format!("connection pool {s}/{n}"),
            Doomed::Topic(s, n) => format!("topic {s}/{n}"),
            Doomed::User(s, n) => format!("service user {s}/{n}"),
            Doomed::Database(s, n) => format!("database {s}/{n}"),
            Doomed::Service(s) => format!("service {s}"),
        }
    }

    /// The service a child lives in.
    fn parent(&self) -> Option<&str> {
        match self {
            Doomed::Pool(s, _)
            | Doomed::Topic(s, _)
            | Doomed::User(s, _)
            | Doomed::Database(s, _) => Some(s),
            Doomed::Integration(_) | Doomed::Service(_) => None,
        }
    }
}

/// Whose a service is, as far as this teardown is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Standing {
    /// Carries the owner's mark (or the caller opted in to delete unowned).
    Ours,
    /// Exists without the owner's mark.
    NotOurs,
    /// Does not exist (its children are gone with it).
    Gone,
}

/// What to do with one item after the ownership check.
enum Verdict {
    Delete,
    LeaveAlone,
    AlreadyGone,
}

/// Deletes a set of resources; see [`AivenClient::teardown`].
#[must_use = "does nothing until `.run(..)` is awaited"]
#[derive(Debug)]
pub struct Teardown<'c> {
    client: &'c AivenClient,
    project: String,
    doomed: Vec<Doomed>,
    owner: Option<Owner>,
    delete_unowned: bool,
    lift_protection: bool,
}

impl Teardown<'_> {
    /// Deletes only what carries `owner`'s mark: services tagged
    /// [`OWNER_TAG`](crate::OWNER_TAG)` = owner` (as
    /// [`NewService::owner`](crate::requests::NewService::owner) makes
    /// them), and the children and integrations of those services.
    pub fn owner(mut self, owner: &Owner) -> Self {
        self.owner = Some(owner.clone());
        self
    }

    /// Deletes the named resources whoever made them. Off by default: a
    /// resource without the owner's mark (or every resource, when no
    /// [`owner`](Self::owner) is set) is left alone and reported in
    /// [`TeardownReport::not_owned`].
    pub fn delete_unowned(mut self, yes: bool) -> Self {
        self.delete_unowned = yes;
        self
    }

    /// Adds a service (deleted last, and waited for).
    pub fn service(mut self, name: impl Into<String>) -> Self {
        self.doomed.push(Doomed::Service(name.into()));
        self
    }

    /// Adds services, in order (see [`service`](Self::service)).
    pub fn services<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.doomed
            .extend(names.into_iter().map(|n| Doomed::Service(n.into())));
        self
    }

    /// Adds a Kafka topic.
    pub fn topic(mut self, service: impl Into<String>, topic: impl Into<String>) -> Self {
        self.doomed
            .push(Doomed::Topic(service.into(), topic.into()));
        self
    }

    /// Adds a service user.
    pub fn user(mut self, service: impl Into<String>, user: impl Into<String>) -> Self {
        self.doomed.push(Doomed::User(service.into(), user.into()));
        self
    }

    /// Adds a logical database.
    pub fn database(mut self, service: impl Into<String>, database: impl Into<String>) -> Self {
        self.doomed
            .push(Doomed::Database(service.into(), database.into()));
        self
    }

    /// Adds a PostgreSQL connection pool.
    pub fn connection_pool(mut self, service: impl Into<String>, pool: impl Into<String>) -> Self {
        self.doomed.push(Doomed::Pool(service.into(), pool.into()));
        self
    }

    /// Adds a service integration (by id, as `ensure_integration` returns it).
    pub fn integration(mut self, id: impl Into<String>) -> Self {
        self.doomed.push(Doomed::Integration(id.into()));
        self
    }

    /// Turns termination protection off before deleting a protected
    /// service. Off by default: a protected service is reported as a
    /// failure and left alone.
    pub fn lift_termination_protection(mut self, yes: bool) -> Self {
        self.lift_protection = yes;
        self
    }

    /// Deletes what it owns in dependency order — integrations, pools,
    /// then topics, users and databases, then services; within a kind, the
    /// reverse of the order of adding (what was made last goes first).
    /// Already gone (also: its service is gone) counts as done, and so does
    /// gone after an ambiguous attempt
    /// ([`unconfirmed`](TeardownReport::unconfirmed)); what is not owned is
    /// left alone; services are waited for up to `max_wait` each;
    /// a failure does not stop the others, and the report lists every
    /// outcome.
    pub async fn run(self, max_wait: Duration) -> TeardownReport {
        let mut doomed = self.doomed.clone();
        doomed.reverse();
        doomed.sort_by_key(Doomed::rank); // stable: reversed order kept within a kind
        let mut standings = HashMap::new();
        let mut report = TeardownReport::default();
        for item in doomed {
            let label = item.label();
            let verdict = self.verdict(&item, &mut standings).await;
            let outcome = match verdict {
                Ok(Verdict::LeaveAlone) => {
                    tracing::warn!(
                        project = %self.project,
                        resource = %label,
                        "teardown leaves it alone: it does not carry this owner's mark"
                    );
                    report.not_owned.push(label);
                    continue;
                }
                Ok(Verdict::AlreadyGone) => Ok(Deletion::AlreadyGone),
                Ok(Verdict::Delete) => self.delete(&item, max_wait).await,
                Err(e) => Err(e),
            };
            match outcome {
                Ok(Deletion::AlreadyGone) => report.already_gone.push(label),
                Ok(Deletion::GoneAfterAmbiguousAttempt) => {
                    tracing::warn!(
                        project = %self.project,
                        resource = %label,
                        "teardown found it gone after a delete attempt whose answer was lost: \
                         that attempt may have deleted it"
                    );
                    report.unconfirmed.push(label);
                }
                Ok(_) => report.deleted.push(label),
                Err(e) => report.failures.push((label, e)),
            }
        }
        report
    }

    /// Whether `item` may be deleted: its own mark (services), its
    /// service's (children), one of its services' (integrations).
    async fn verdict(
        &self,
        item: &Doomed,
        standings: &mut HashMap<String, Standing>,
    ) -> Result<Verdict> {
        let services: Vec<String> = match item {
            Doomed::Service(name) => vec![name.clone()],
            Doomed::Integration(id) => {
                validate::path_segment("integration_id", id, 256)?;
                match self.client.get_integration(&self.project, id).await {
                    // Only an end in this project can be one of our
                    // services (a same-named service elsewhere is not).
                    Ok(i) => [
                        (i.source_project, i.source_service),
                        (i.dest_project, i.dest_service),
                    ]
                    .into_iter()
                    .filter(|(project, _)| project.as_deref().is_none_or(|p| p == self.project))
                    .filter_map(|(_, service)| service)
                    .collect(),
                    Err(e) if e.is_not_found() => return Ok(Verdict::AlreadyGone),
                    Err(e) => return Err(e),
                }
            }
            child => vec![child.parent().unwrap_or_default().to_owned()],
        };
        let mut gone = true;
        for service in services {
            // A service's own mark is read again right before it is deleted:
            // earlier deletions (and their waits) may have taken minutes,
            // in which it may have been deleted and made again by someone
            // else. Its children rely on the look-up made for the first.
            let fresh = matches!(item, Doomed::Service(_));
            let standing = match standings.get(&service).filter(|_| !fresh) {
                Some(s) => *s,
                None => {
                    let s = self.standing(&service).await?;
                    standings.insert(service, s);
                    s
                }
            };
            match standing {
                Standing::Ours => return Ok(Verdict::Delete),
                Standing::NotOurs => gone = false,
                Standing::Gone => {}
            }
        }
        // An integration whose services are both gone is gone with them.
        Ok(if gone {
            Verdict::AlreadyGone
        } else {
            Verdict::LeaveAlone
        })
    }

    /// Looks the service up once per run.
    async fn standing(&self, service: &str) -> Result<Standing> {
        match self.client.get_service(&self.project, service).await {
            Err(e) if e.is_not_found() => Ok(Standing::Gone),
            Err(e) => Err(e),
            Ok(_) if self.delete_unowned => Ok(Standing::Ours),
            Ok(svc) => Ok(match &self.owner {
                Some(owner) if ownership::is_owned_by(&svc, owner) => Standing::Ours,
                _ => Standing::NotOurs,
            }),
        }
    }

    /// What the delete found (a 404 is "already gone", or "unconfirmed"
    /// after an ambiguous attempt: see [`Deletion`]).
    async fn delete(&self, item: &Doomed, max_wait: Duration) -> Result<Deletion> {
        let (c, p) = (self.client, self.project.as_str());
        let gone = Deletion::of;
        match item {
            Doomed::Service(name) => {
                c.delete_service(p, name)
                    .if_exists(true)
                    .lift_termination_protection(self.lift_protection)
                    .send_and_wait(max_wait)
                    .await
            }
            Doomed::Topic(s, n) => gone(
                c.service_kafka_topic_delete()
                    .project(p)
                    .service_name(s)
                    .topic_name(n)
                    .send()
                    .await
                    .map(drop)
                    .map_err(Error::during(ops::SERVICE_KAFKA_TOPIC_DELETE)),
            ),
            Doomed::User(s, n) => gone(
                c.service_user_delete()
                    .project(p)
                    .service_name(s)
                    .service_username(n)
                    .send()
                    .await
                    .map(drop)
                    .map_err(Error::during(ops::SERVICE_USER_DELETE)),
            ),
            Doomed::Database(s, n) => gone(
                c.service_database_delete()
                    .project(p)
                    .service_name(s)
                    .dbname(n)
                    .send()
                    .await
                    .map(drop)
                    .map_err(Error::during(ops::SERVICE_DATABASE_DELETE)),
            ),
            Doomed::Pool(s, n) => gone(
                c.service_pg_bouncer_delete()
                    .project(p)
                    .service_name(s)
                    .pool_name(n)
                    .send()
                    .await
                    .map(drop)
                    .map_err(Error::during(ops::SERVICE_PG_BOUNCER_DELETE)),
            ),
            Doomed::Integration(id) => gone(
                c.service_integration_delete()
                    .project(p)
                    .integration_id(id)
                    .send()
                    .await
                    .map(drop)
                    .map_err(Error::during(ops::SERVICE_INTEGRATION_DELETE)),
            ),
        }
    }
}

impl AivenClient {
    /// Tears down what `owner` made in `project`:
    /// `.owner(&owner).service(a).topic(a, t).integration(id)…run(max)`; see
    /// [`Teardown::run`]. Without [`Teardown::owner`] (or
    /// [`Teardown::delete_unowned`]) nothing is deleted.
    pub fn teardown(&self, project: impl Into<String>) -> Teardown<'_> {
        Teardown {
            client: self,
            project: project.into(),
            doomed: Vec::new(),
            owner: None,
            delete_unowned: false,
            lift_protection: false,
        }
    }
}
