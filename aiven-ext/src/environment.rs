//! Environments: a declared set of resources brought up and torn down as
//! one (see [`Environment`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use aiven_api::types;
use futures::future::try_join_all;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::ensure::{absent_on_404, compare};
use crate::export::{encode_userinfo, EnvVar};
use crate::lifecycle::spec_differences;
use crate::ownership;
use crate::requests::{
    NewConnectionPool, NewDatabase, NewIntegration, NewService, NewServiceUser, NewTopic,
};
use crate::{
    validate, AivenClient, ConnectionInfo, Error, Owner, Readiness, Result, TeardownReport,
};

/// One resource of an environment.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Resource {
    /// A service.
    Service(String),
    /// A logical database of a service.
    Database {
        /// The service.
        service: String,
        /// The database.
        name: String,
    },
    /// A service user.
    User {
        /// The service.
        service: String,
        /// The user.
        name: String,
    },
    /// A Kafka topic.
    Topic {
        /// The service.
        service: String,
        /// The topic.
        name: String,
    },
    /// A PostgreSQL connection pool.
    ConnectionPool {
        /// The service.
        service: String,
        /// The pool.
        name: String,
    },
    /// A service integration between two services of the environment.
    Integration {
        /// `kafka_logs`, `kafka_connect`, …
        integration_type: String,
        /// The source service.
        source: String,
        /// The destination service.
        dest: String,
    },
}

impl Resource {
    /// The service `name`.
    pub fn service(name: &str) -> Self {
        Resource::Service(name.to_owned())
    }

    /// The database `name` of `service`.
    pub fn database(service: &str, name: &str) -> Self {
        let (service, name) = (service.to_owned(), name.to_owned());
        Resource::Database { service, name }
    }

    /// The user `name` of `service`.
    pub fn user(service: &str, name: &str) -> Self {
        let (service, name) = (service.to_owned(), name.to_owned());
        Resource::User { service, name }
    }

    /// The topic `name` of `service`.
    pub fn topic(service: &str, name: &str) -> Self {
        let (service, name) = (service.to_owned(), name.to_owned());
        Resource::Topic { service, name }
    }

    /// The connection pool `name` of `service`.
    pub fn connection_pool(service: &str, name: &str) -> Self {
        let (service, name) = (service.to_owned(), name.to_owned());
        Resource::ConnectionPool { service, name }
    }
}

impl Resource {
    /// An `integration_type` integration from `source` to `dest`.
    pub fn integration(integration_type: &str, source: &str, dest: &str) -> Self {
        Resource::Integration {
            integration_type: integration_type.to_owned(),
            source: source.to_owned(),
            dest: dest.to_owned(),
        }
    }

    /// `service`, `database`, `service user`, `topic`, `connection pool`
    /// or `integration`.
    pub fn kind(&self) -> &'static str {
        match self {
            Resource::Integration { .. } => "integration",
            Resource::Service(_) => "service",
            Resource::Database { .. } => "database",
            Resource::User { .. } => "service user",
            Resource::Topic { .. } => "topic",
            Resource::ConnectionPool { .. } => "connection pool",
        }
    }

    /// `ci-pg`, or `ci-pg/app` for a child of a service, or
    /// `ci-pg -> ci-kafka (kafka_logs)` for an integration.
    pub fn name(&self) -> String {
        match self {
            Resource::Integration {
                integration_type,
                source,
                dest,
            } => format!("{source} -> {dest} ({integration_type})"),
            Resource::Service(s) => s.clone(),
            Resource::Database { service, name }
            | Resource::User { service, name }
            | Resource::Topic { service, name }
            | Resource::ConnectionPool { service, name } => format!("{service}/{name}"),
        }
    }
}

impl fmt::Display for Resource {
    /// As a teardown report names it: `service ci-pg`, `topic ci-kafka/events`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind(), self.name())
    }
}

/// What [`Environment::up`] would do with one resource.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// It does not exist: it would be created.
    Create,
    /// It exists as declared and is the environment's (a service with the
    /// owner's mark, or a child of one): it would be used, and `down`
    /// deletes it.
    Adopt,
    /// It exists as declared without the owner's mark (a service, or a
    /// child of such a service): it would be used, and `down` leaves it.
    AdoptUnowned,
    /// It exists and differs (`field: asked X, found Y`), or its service
    /// does (`its service ci-pg is in conflict`): `up` refuses.
    Conflict(Vec<String>),
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Create => f.write_str("create"),
            Action::Adopt => f.write_str("adopt"),
            Action::AdoptUnowned => f.write_str("adopt (not owned)"),
            Action::Conflict(d) => write!(f, "conflict ({})", d.join(", ")),
        }
    }
}

/// What [`Environment::up`] would do, resource by resource (services in
/// declaration order, each followed by its children).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Plan {
    /// The project planned for.
    pub project: String,
    /// Every resource and its action.
    pub steps: Vec<(Resource, Action)>,
}

impl Plan {
    /// The action planned for `resource`, when it is declared.
    pub fn action(&self, resource: &Resource) -> Option<&Action> {
        self.steps
            .iter()
            .find(|(r, _)| r == resource)
            .map(|(_, a)| a)
    }

    /// The resources in conflict, with their differences.
    pub fn conflicts(&self) -> impl Iterator<Item = (&Resource, &[String])> {
        self.steps.iter().filter_map(|(r, a)| match a {
            Action::Conflict(d) => Some((r, d.as_slice())),
            _ => None,
        })
    }

    /// The plan when it has no conflict; else
    /// [`Error::ExistsWithDifferentSpec`] for the first conflict, naming
    /// the others too.
    pub fn refuse_conflicts(self) -> Result<Self> {
        let mut conflicts = self.conflicts();
        let Some((resource, differences)) = conflicts.next() else {
            drop(conflicts);
            return Ok(self);
        };
        let mut differences = differences.join(", ");
        // A child of a service in conflict is left out: its service is named.
        let others: Vec<String> = conflicts
            .filter(|(_, d)| !d.iter().any(|d| d.starts_with("its service ")))
            .map(|(r, d)| format!("{r} ({})", d.join(", ")))
            .collect();
        if !others.is_empty() {
            differences.push_str(&format!("; also in conflict: {}", others.join("; ")));
        }
        Err(Error::ExistsWithDifferentSpec {
            kind: resource.kind(),
            name: format!("{}/{}", self.project, resource.name()),
            differences,
        })
    }
}

impl fmt::Display for Plan {
    /// One line per resource: `create  service ci-pg`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (resource, action) in &self.steps {
            writeln!(f, "{action}: {resource}")?;
        }
        Ok(())
    }
}

/// One step of [`Environment::up`] or [`Environment::down`], for
/// [`Environment::on_progress`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct EnvironmentEvent {
    /// The resource.
    pub resource: Resource,
    /// `created`, `adopted`, `adopted (not owned)`, `running`, `active`,
    /// `deleted`, `already gone`, `gone (deletion unconfirmed)` (see
    /// [`TeardownReport::unconfirmed`]), `left alone (not owned)`, `failed`.
    pub outcome: &'static str,
}

type Observer = Arc<dyn Fn(&EnvironmentEvent) + Send + Sync>;

/// A child as declared.
#[derive(Clone, Debug)]
enum Child {
    Database(NewDatabase),
    User(NewServiceUser),
    Topic(NewTopic),
    Pool(NewConnectionPool),
}

impl Child {
    /// Databases and users before topics, pools (which use both) last.
    fn rank(&self) -> u8 {
        match self {
            Child::Database(_) => 0,
            Child::User(_) => 1,
            Child::Topic(_) => 2,
            Child::Pool(_) => 3,
        }
    }

    /// Checks it; its name.
    fn name(&self) -> Result<String> {
        Ok(match self {
            Child::Database(d) => d.build()?.database.to_string(),
            Child::User(u) => u.build()?.username.to_string(),
            Child::Topic(t) => t.build()?.topic_name.to_string(),
            Child::Pool(p) => p.build()?.pool_name.to_string(),
        })
    }

    fn resource(&self, service: &str, name: &str) -> Resource {
        match self {
            Child::Database(_) => Resource::database(service, name),
            Child::User(_) => Resource::user(service, name),
            Child::Topic(_) => Resource::topic(service, name),
            Child::Pool(_) => Resource::connection_pool(service, name),
        }
    }

    /// The service types it can live in.
    fn fits(&self, service_type: &str) -> std::result::Result<(), &'static str> {
        let (ok, types) = match self {
            Child::Database(_) => (matches!(service_type, "pg" | "mysql"), "pg or mysql"),
            Child::Topic(_) => (service_type == "kafka", "kafka"),
            Child::Pool(_) => (service_type == "pg", "pg"),
            Child::User(_) => (true, ""),
        };
        if ok {
            Ok(())
        } else {
            Err(types)
        }
    }
}

/// A declared service, checked.
struct Checked {
    name: String,
    body: types::ServiceCreateRequestBody,
    /// In creation order, each with its name and resource.
    children: Vec<(Child, String, Resource)>,
}

/// A declared set of resources — services with their databases, users,
/// topics and connection pools — brought up and torn down as one: the
/// throwaway data platform of a CI run.
///
/// ```no_run
/// use std::time::Duration;
/// use aiven_ext::prelude::*;
///
/// # async fn run(client: AivenClient) -> aiven_ext::Result<()> {
/// let env = Environment::new(Owner::new("ci-app")?)
///     .service(NewService::new("ci-pg", "pg", "startup-4"))
///     .database("ci-pg", NewDatabase::new("app"))
///     .user("ci-pg", NewServiceUser::new("ci"))
///     .service(NewService::new("ci-kafka", "kafka", "startup-2"))
///     .topic("ci-kafka", NewTopic::new("events").partitions(3).replication(2));
/// println!("{}", env.plan(&client, "my-project").await?); // changes nothing
/// let ready = env.up(&client, "my-project", Duration::from_secs(1200)).await?;
/// ready.write_dotenv(".ci-env")?; // mode 0600; secrets nowhere else
/// env.down(&client, "my-project", Duration::from_secs(1200)).await?.into_result()?;
/// # Ok(()) }
/// ```
///
/// - [`plan`](Environment::plan) says per resource what `up` would do
///   ([`Action`]: create, adopt, adopt without the owner's mark, or a
///   conflict with its differences) and changes nothing;
/// - [`up`](Environment::up) refuses a plan with a conflict before changing
///   anything; otherwise it ensures the services concurrently (each carries
///   the environment's [`Owner`] mark), waits for them concurrently —
///   each until its type's [`Readiness`] preset holds (a backup for pg, the
///   topic API answering for Kafka, …; see [`readiness`](Environment::readiness)) — then
///   ensures each service's databases, users, topics (waited until
///   `ACTIVE`) and pools, and returns a [`ReadyEnvironment`];
/// - [`down`](Environment::down) deletes, through the owner-scoped
///   [`teardown`](AivenClient::teardown), what carries the owner's mark,
///   in reverse dependency order; running it again finds everything gone;
/// - [`run`](Environment::run) is the CI job: `up`, a command with the
///   connection details in its environment, and `down` — always, also after
///   a failed `up`, on Ctrl-C and on SIGTERM.
///
/// Integrations between two of the environment's services are declared
/// with [`integration`](Environment::integration), made after both run.
/// Each wait (a service running, a topic or integration active) lasts up
/// to the `max_wait` given.
///
/// Each step is reported as a `tracing` INFO event (target
/// `aiven_ext::environment`, fields `project`, `resource`, `outcome`) and
/// to the [`on_progress`](Environment::on_progress) callback, if any.
/// An environment can also be read from a TOML file
/// ([`Environment::from_toml`]).
#[derive(Clone)]
pub struct Environment {
    owner: Owner,
    services: Vec<NewService>,
    children: Vec<(String, Child)>,
    integrations: Vec<NewIntegration>,
    readiness: BTreeMap<String, Readiness>,
    observer: Option<Observer>,
}

impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Environment")
            .field("owner", &self.owner)
            .field("services", &self.services)
            .field("children", &self.children)
            .field("integrations", &self.integrations)
            .field("readiness", &self.readiness)
            .finish_non_exhaustive()
    }
}

impl Environment {
    /// An empty environment whose services will carry `owner`'s mark.
    pub fn new(owner: Owner) -> Self {
        Self {
            owner,
            services: Vec::new(),
            children: Vec::new(),
            integrations: Vec::new(),
            readiness: BTreeMap::new(),
            observer: None,
        }
    }

    /// The owner whose mark the services carry.
    pub fn owner(&self) -> &Owner {
        &self.owner
    }

    /// Declares a service (given the owner's mark).
    pub fn service(mut self, service: NewService) -> Self {
        self.services.push(service.owner(&self.owner));
        self
    }

    /// Declares a logical database of `service` (PostgreSQL, MySQL).
    pub fn database(mut self, service: &str, database: NewDatabase) -> Self {
        self.children
            .push((service.to_owned(), Child::Database(database)));
        self
    }

    /// Declares a user of `service`; [`up`](Self::up) returns its password.
    pub fn user(mut self, service: &str, user: NewServiceUser) -> Self {
        self.children.push((service.to_owned(), Child::User(user)));
        self
    }

    /// Declares a topic of the Kafka `service`.
    pub fn topic(mut self, service: &str, topic: NewTopic) -> Self {
        self.children
            .push((service.to_owned(), Child::Topic(topic)));
        self
    }

    /// Declares a connection pool of the PostgreSQL `service` (made after
    /// the service's databases and users).
    pub fn connection_pool(mut self, service: &str, pool: NewConnectionPool) -> Self {
        self.children.push((service.to_owned(), Child::Pool(pool)));
        self
    }

    /// Declares an integration between two of the environment's services
    /// (made once both run; deleted by `down` when one of them is owned).
    pub fn integration(mut self, integration: NewIntegration) -> Self {
        self.integrations.push(integration);
        self
    }

    /// What [`up`](Self::up) waits for before it makes `service`'s
    /// children, instead of the preset of its type
    /// ([`Readiness::for_service_type`]), e.g.
    /// `Readiness::running().with(Check::AllNodesRunning)`, or the preset
    /// without a check that cannot pass from where the job runs.
    pub fn readiness(mut self, service: &str, readiness: Readiness) -> Self {
        self.readiness.insert(service.to_owned(), readiness);
        self
    }

    /// What [`up`](Self::up) waits for: the readiness set for the service,
    /// else its type's preset.
    fn readiness_of(&self, body: &types::ServiceCreateRequestBody) -> Readiness {
        self.readiness
            .get(body.service_name.as_str())
            .cloned()
            .unwrap_or_else(|| Readiness::for_service_type(&body.service_type))
    }

    /// Calls `observer` for each step of `up` and `down` (besides the
    /// `tracing` event).
    pub fn on_progress(
        mut self,
        observer: impl Fn(&EnvironmentEvent) + Send + Sync + 'static,
    ) -> Self {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// The declared service names, in order.
    pub fn service_names(&self) -> Vec<&str> {
        self.services.iter().map(NewService::name).collect()
    }

    /// Checks every declaration: each body valid, names unique, each child
    /// in a declared service of a type that has it.
    pub fn validate(&self) -> Result<()> {
        self.checked().map(drop)
    }

    fn checked(&self) -> Result<Vec<Checked>> {
        if self.services.is_empty() {
            return Err(Error::invalid(
                "environment",
                self.owner.as_str(),
                "declares no service",
            ));
        }
        let mut services: Vec<Checked> = Vec::new();
        for new in &self.services {
            let body = new.build()?;
            let name = body.service_name.to_string();
            if services.iter().any(|s| s.name == name) {
                return Err(Error::invalid(
                    "service_name",
                    &name,
                    "is declared twice in the environment",
                ));
            }
            let children = Vec::new();
            services.push(Checked {
                name,
                body,
                children,
            });
        }
        let mut seen = BTreeSet::new();
        for (service, child) in &self.children {
            let child_name = child.name()?;
            let resource = child.resource(service, &child_name);
            let Some(parent) = services.iter_mut().find(|s| &s.name == service) else {
                return Err(Error::invalid(
                    "service",
                    service,
                    format!("{resource}: the service is not declared in the environment"),
                ));
            };
            if let Err(types) = child.fits(&parent.body.service_type) {
                return Err(Error::invalid(
                    "service",
                    service,
                    format!(
                        "{resource}: a {} service has none (only {types})",
                        parent.body.service_type.as_str()
                    ),
                ));
            }
            if !seen.insert(resource.clone()) {
                return Err(Error::invalid(
                    "environment",
                    &resource,
                    "is declared twice",
                ));
            }
            parent.children.push((child.clone(), child_name, resource));
        }
        for service in &mut services {
            service.children.sort_by_key(|(c, ..)| c.rank()); // stable
        }
        if let Some(name) = self
            .readiness
            .keys()
            .find(|name| !services.iter().any(|s| &s.name == *name))
        {
            return Err(Error::invalid(
                "service",
                name,
                "has a readiness set but is not declared in the environment",
            ));
        }
        self.integrations_checked()?;
        Ok(services)
    }

    fn integrations_checked(&self) -> Result<Vec<CheckedIntegration>> {
        let declared: BTreeSet<&str> = self.services.iter().map(NewService::name).collect();
        let mut out: Vec<CheckedIntegration> = Vec::new();
        for new in &self.integrations {
            let body = new.build()?;
            let kind = body.integration_type.to_string();
            let ends = (body.source_service.as_deref(), body.dest_service.as_deref());
            let (Some(source), Some(dest)) = ends else {
                return Err(Error::invalid(
                    "integration",
                    &kind,
                    "an environment's integrations join two of its services (not endpoints)",
                ));
            };
            if body.source_project.is_some() || body.dest_project.is_some() {
                return Err(Error::invalid(
                    "integration",
                    &kind,
                    "an environment's integrations stay in its project",
                ));
            }
            let resource = Resource::integration(&kind, source, dest);
            for end in [source.as_str(), dest.as_str()] {
                if !declared.contains(end) {
                    return Err(Error::invalid(
                        "integration",
                        &resource,
                        format!("service {end} is not declared in the environment"),
                    ));
                }
            }
            if out.iter().any(|i| i.resource == resource) {
                return Err(Error::invalid(
                    "integration",
                    &resource,
                    "is declared twice",
                ));
            }
            out.push(CheckedIntegration {
                new: new.clone(),
                kind,
                source: source.to_string(),
                dest: dest.to_string(),
                resource,
            });
        }
        Ok(out)
    }

    fn report(&self, project: &str, resource: &Resource, outcome: &'static str) {
        tracing::info!(
            target: "aiven_ext::environment",
            project,
            resource = %resource,
            outcome,
            "environment"
        );
        if let Some(observer) = &self.observer {
            observer(&EnvironmentEvent {
                resource: resource.clone(),
                outcome,
            });
        }
    }

    /// What [`up`](Self::up) would do, looked up and changing nothing.
    pub async fn plan(&self, client: &AivenClient, project: &str) -> Result<Plan> {
        let checked = self.checked()?;
        validate::project_name(project)?;
        self.plan_checked(client, project, &checked).await
    }

    async fn plan_checked(
        &self,
        client: &AivenClient,
        project: &str,
        checked: &[Checked],
    ) -> Result<Plan> {
        let each = checked
            .iter()
            .map(|s| plan_service(client, project, &self.owner, s));
        let mut steps: Vec<_> = try_join_all(each).await?.into_iter().flatten().collect();
        for integration in self.integrations_checked()? {
            let action = plan_integration(client, project, &integration, &steps).await?;
            steps.push((integration.resource, action));
        }
        Ok(Plan {
            project: project.to_owned(),
            steps,
        })
    }

    /// Makes the environment exist and be usable: refuses a plan with a
    /// conflict before changing anything; ensures the services
    /// concurrently, waits up to `max_wait` for them (concurrently) until
    /// each is ready by its type's [`Readiness`] preset (or the one set with
    /// [`readiness`](Self::readiness)), then
    /// ensures each one's children in order (topics waited until `ACTIVE`),
    /// then the integrations (waited until active).
    /// The first failure ends it, and what was made stays for
    /// [`down`](Self::down).
    pub async fn up(
        &self,
        client: &AivenClient,
        project: &str,
        max_wait: Duration,
    ) -> Result<ReadyEnvironment> {
        let checked = self.checked()?;
        validate::project_name(project)?;
        self.plan_checked(client, project, &checked)
            .await?
            .refuse_conflicts()?;
        let each = checked
            .iter()
            .map(|s| self.up_service(client, project, s, max_wait));
        let services = try_join_all(each).await?;
        for i in self.integrations_checked()? {
            let ensured = client.ensure_integration(project, &i.new).await?;
            let ends = [i.source.as_str(), i.dest.as_str()];
            let owned = services
                .iter()
                .any(|s| s.owned && ends.contains(&s.name.as_str()));
            let verb = match ensured.verb() {
                "adopted" if !owned => "adopted (not owned)",
                verb => verb,
            };
            if let Some(id) = ensured.into_inner().service_integration_id {
                let active = client.wait_until_integration_active(project, id);
                active.wait(max_wait).await?;
            }
            self.report(project, &i.resource, verb);
        }
        let mut services = services;
        // A Kafka client verifies the brokers against the project's CA.
        if services.iter().any(|s| s.connection.kafka.is_some()) {
            let ca = client.project_ca(project).await?;
            for service in &mut services {
                service.connection.ca_pem = Some(ca.clone());
            }
        }
        Ok(ReadyEnvironment {
            project: project.to_owned(),
            services,
        })
    }

    async fn up_service(
        &self,
        client: &AivenClient,
        project: &str,
        service: &Checked,
        max_wait: Duration,
    ) -> Result<ReadyService> {
        let name = service.name.as_str();
        let resource = Resource::service(name);
        let ensured = client.ensure_service(project, service.body.clone()).await?;
        self.report(project, &resource, ensured.verb());
        let owned = ensured.is_owned();
        let running = client
            .wait_until_service_running(project, name)
            .readiness(self.readiness_of(&service.body))
            .wait(max_wait)
            .await?;
        self.report(project, &resource, "running");
        let connection = ConnectionInfo::from_service(&running);
        let mut users = Vec::new();
        let mut first_database = None;
        for (child, child_name, resource) in &service.children {
            let verb = match child {
                Child::Database(d) => {
                    first_database.get_or_insert_with(|| child_name.clone());
                    client.ensure_database(project, name, d).await?.verb()
                }
                Child::User(u) => {
                    let ensured = client.ensure_service_user(project, name, u).await?;
                    let verb = ensured.verb();
                    let user = ensured.into_inner();
                    let password = user.password.unwrap_or_default();
                    let database = first_database.as_deref();
                    let credentials =
                        UserCredentials::new(name, child_name, password, &connection, database)
                            .with_access(user.access_cert, user.access_key);
                    users.push(credentials);
                    verb
                }
                Child::Topic(t) => {
                    let verb = client.ensure_topic(project, name, t).await?.verb();
                    client
                        .wait_until_topic_active(project, name, child_name.as_str())
                        .wait(max_wait)
                        .await?;
                    verb
                }
                Child::Pool(p) => client
                    .ensure_connection_pool(project, name, p)
                    .await?
                    .verb(),
            };
            // A child of a service adopted without the mark is not ours either.
            let verb = if owned || verb != "adopted" {
                verb
            } else {
                "adopted (not owned)"
            };
            self.report(project, resource, verb);
        }
        Ok(ReadyService {
            name: name.to_owned(),
            owned,
            connection,
            users,
        })
    }

    /// Deletes what the environment owns — services carrying its owner's
    /// mark and the declared children of such services — in reverse
    /// dependency order (pools, then topics, users and databases, then
    /// services, each waited for up to `max_wait`), through the
    /// owner-scoped [`teardown`](AivenClient::teardown). What is gone
    /// already counts as done; what is not owned is left and listed.
    /// `Err` only for an invalid declaration; check the report
    /// ([`TeardownReport::into_result`]) for failures.
    pub async fn down(
        &self,
        client: &AivenClient,
        project: &str,
        max_wait: Duration,
    ) -> Result<TeardownReport> {
        let checked = self.checked()?;
        validate::project_name(project)?;
        let mut teardown = client.teardown(project).owner(&self.owner);
        let mut resources = BTreeMap::new();
        for service in &checked {
            let s = service.name.as_str();
            teardown = teardown.service(s);
            let resource = Resource::service(s);
            resources.insert(resource.to_string(), resource);
            for (child, name, resource) in &service.children {
                teardown = match child {
                    Child::Database(_) => teardown.database(s, name.as_str()),
                    Child::User(_) => teardown.user(s, name.as_str()),
                    Child::Topic(_) => teardown.topic(s, name.as_str()),
                    Child::Pool(_) => teardown.connection_pool(s, name.as_str()),
                };
                resources.insert(resource.to_string(), resource.clone());
            }
        }
        // Integrations are deleted by id: found among the source's.
        let mut lookups = Vec::new();
        for i in self.integrations_checked()? {
            match find_integration(client, project, &i).await {
                Ok(found) => {
                    if let Some(id) = found.and_then(|f| f.service_integration_id) {
                        resources.insert(format!("integration {id}"), i.resource.clone());
                        teardown = teardown.integration(id);
                    }
                }
                Err(e) => lookups.push((i.resource.to_string(), e)),
            }
        }
        let mut report = teardown.run(max_wait).await;
        report.failures.extend(lookups);
        let outcomes = [
            (&report.deleted, "deleted"),
            (&report.already_gone, "already gone"),
            (&report.unconfirmed, "gone (deletion unconfirmed)"),
            (&report.not_owned, "left alone (not owned)"),
        ];
        for (labels, outcome) in outcomes {
            for label in labels {
                if let Some(resource) = resources.get(label) {
                    self.report(project, resource, outcome);
                }
            }
        }
        for (label, _) in &report.failures {
            if let Some(resource) = resources.get(label) {
                self.report(project, resource, "failed");
            }
        }
        Ok(report)
    }
}

impl Environment {
    /// The headline CI job: brings the environment [`up`](Self::up), runs
    /// `argv` with [`ReadyEnvironment::env`] added to its environment, and
    /// tears [`down`](Self::down) — always: after the command, after a
    /// failed `up`, and on Ctrl-C or SIGTERM (the command is killed first).
    ///
    /// The command's exit code: its own, 128 + the signal when it was
    /// killed by one, 127 when it could not be started, 130 after Ctrl-C and
    /// 143 after SIGTERM. An error when `up` fails (after the teardown) or
    /// when the teardown leaves something behind.
    pub async fn run<S: AsRef<std::ffi::OsStr>>(
        &self,
        client: &AivenClient,
        project: &str,
        max_wait: Duration,
        argv: &[S],
    ) -> Result<u8> {
        let Some((program, args)) = argv.split_first() else {
            return Err(Error::invalid("command", "", "is empty"));
        };
        self.validate()?;
        let work = async {
            let ready = self.up(client, project, max_wait).await?;
            let env = ready.env();
            let mut command = tokio::process::Command::new(program);
            command
                .args(args)
                .envs(env.iter().map(|v| (v.name.as_str(), v.value())))
                .kill_on_drop(true);
            Ok::<_, Error>(exit_code(command.status().await, program.as_ref()))
        };
        let outcome = tokio::select! {
            outcome = work => outcome,
            (signal, code) = interrupted() => {
                tracing::warn!(target: "aiven_ext::environment", project, signal, "interrupted: tearing down");
                Ok(code)
            }
        };
        let teardown = self.down(client, project, max_wait).await?.into_result();
        match (outcome, teardown) {
            (Ok(code), Ok(())) => Ok(code),
            (Ok(_), Err(e)) => Err(e),
            (Err(e), teardown) => {
                if let Err(t) = teardown {
                    tracing::error!(target: "aiven_ext::environment", project, error = %t, "teardown after a failed up");
                }
                Err(e)
            }
        }
    }
}

/// The exit code a shell would report for the command.
fn exit_code(status: std::io::Result<std::process::ExitStatus>, program: &std::ffi::OsStr) -> u8 {
    match status {
        Ok(status) => {
            #[cfg(unix)]
            if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(&status) {
                return u8::try_from(128 + signal.clamp(0, 127)).unwrap_or(255);
            }
            status
                .code()
                .map_or(1, |c| u8::try_from(c.clamp(0, 255)).unwrap_or(255))
        }
        Err(e) => {
            tracing::error!(target: "aiven_ext::environment", program = ?program, error = %e, "cannot run the command");
            127
        }
    }
}

/// Ctrl-C (130) or SIGTERM (143); never, when signals cannot be received.
async fn interrupted() -> (&'static str, u8) {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            return tokio::select! {
                () = ctrl_c => ("Ctrl-C", 130),
                _ = term.recv() => ("SIGTERM", 143),
            };
        }
    }
    ctrl_c.await;
    ("Ctrl-C", 130)
}

/// A declared integration, checked.
struct CheckedIntegration {
    new: NewIntegration,
    kind: String,
    source: String,
    dest: String,
    resource: Resource,
}

/// The integration as declared, among its source's (`None` also when the
/// source does not exist).
async fn find_integration(
    client: &AivenClient,
    project: &str,
    i: &CheckedIntegration,
) -> Result<Option<types::ServiceIntegration>> {
    let listed = client
        .service_integration_list()
        .project(project)
        .service_name(i.source.as_str())
        .send()
        .await
        .map_err(Error::during(
            aiven_api::operations::SERVICE_INTEGRATION_LIST,
        ));
    let Some(listed) = absent_on_404(listed)? else {
        return Ok(None);
    };
    let all = listed.into_inner().service_integrations.unwrap_or_default();
    Ok(all.into_iter().find(|f| {
        f.integration_type.as_deref() == Some(i.kind.as_str())
            && f.source_service.as_deref() == Some(i.source.as_str())
            && f.dest_service.as_deref() == Some(i.dest.as_str())
    }))
}

/// An integration's plan, from its services' and a look-up.
async fn plan_integration(
    client: &AivenClient,
    project: &str,
    i: &CheckedIntegration,
    steps: &[(Resource, Action)],
) -> Result<Action> {
    let action_of = |name: &str| {
        let service = Resource::service(name);
        steps.iter().find(|(r, _)| *r == service).map(|(_, a)| a)
    };
    let ends = [
        (&i.source, action_of(&i.source)),
        (&i.dest, action_of(&i.dest)),
    ];
    for (name, action) in &ends {
        if let Some(Action::Conflict(_)) = action {
            let why = format!("its service {name} is in conflict");
            return Ok(Action::Conflict(vec![why]));
        }
    }
    if ends
        .iter()
        .any(|(_, a)| matches!(a, None | Some(Action::Create)))
    {
        return Ok(Action::Create);
    }
    let owned = ends.iter().any(|(_, a)| matches!(a, Some(Action::Adopt)));
    Ok(match find_integration(client, project, i).await? {
        None => Action::Create,
        Some(_) if owned => Action::Adopt,
        Some(_) => Action::AdoptUnowned,
    })
}

/// The plan of one service and its children.
async fn plan_service(
    client: &AivenClient,
    project: &str,
    owner: &Owner,
    service: &Checked,
) -> Result<Vec<(Resource, Action)>> {
    let name = service.name.as_str();
    let mut steps = Vec::new();
    let Some(found) = absent_on_404(client.get_service(project, name).await)? else {
        steps.push((Resource::service(name), Action::Create));
        steps.extend(
            service
                .children
                .iter()
                .map(|(_, _, r)| (r.clone(), Action::Create)),
        );
        return Ok(steps);
    };
    let differences = spec_differences(&service.body, &found);
    let owned = ownership::is_owned_by(&found, owner);
    let adopt = if owned {
        Action::Adopt
    } else {
        Action::AdoptUnowned
    };
    if !differences.is_empty() {
        // Its children are not looked at: a service of another type may
        // not even answer for them.
        steps.push((Resource::service(name), Action::Conflict(differences)));
        let why = format!("its service {name} is in conflict");
        let children = service.children.iter();
        steps.extend(children.map(|(_, _, r)| (r.clone(), Action::Conflict(vec![why.clone()]))));
        return Ok(steps);
    }
    steps.push((Resource::service(name), adopt.clone()));
    let users = found.users.as_deref().unwrap_or_default();
    let pools = found.connection_pools.as_deref().unwrap_or_default();
    let mut databases: Option<Vec<String>> = None;
    for (child, child_name, resource) in &service.children {
        let differences = match child {
            Child::Database(_) => {
                if databases.is_none() {
                    let listed = client
                        .service_database_list()
                        .project(project)
                        .service_name(name)
                        .send()
                        .await
                        .map_err(Error::during(aiven_api::operations::SERVICE_DATABASE_LIST))?;
                    let names = listed.into_inner().databases.unwrap_or_default();
                    databases = Some(names.into_iter().filter_map(|d| d.database_name).collect());
                }
                let exists = databases
                    .as_deref()
                    .unwrap_or_default()
                    .contains(child_name);
                exists.then(Vec::new)
            }
            Child::User(_) => users
                .iter()
                .any(|u| u.username.as_deref() == Some(child_name))
                .then(Vec::new),
            Child::Topic(t) => {
                let got = client.get_topic(project, name, child_name).await;
                absent_on_404(got)?.map(|found| {
                    let body = t.build().ok();
                    let mut out = Vec::new();
                    let asked = body.as_ref().and_then(|b| b.partitions.map(|p| p.get()));
                    let partitions = found.partitions.as_ref().map(|p| p.len() as u64);
                    compare(&mut out, "partitions", asked, partitions);
                    let asked = body.as_ref().and_then(|b| b.replication.map(|r| r.get()));
                    let replication = found.replication.and_then(|r| u64::try_from(r).ok());
                    compare(&mut out, "replication", asked, replication);
                    out
                })
            }
            Child::Pool(p) => pools
                .iter()
                .find(|f| f.pool_name.as_deref() == Some(child_name))
                .map(|found| {
                    let Ok(body) = p.build() else {
                        return Vec::new();
                    };
                    let mut out = Vec::new();
                    compare(
                        &mut out,
                        "database",
                        Some(body.database.to_string()),
                        found.database.clone(),
                    );
                    compare(
                        &mut out,
                        "username",
                        body.username.as_deref().cloned(),
                        found.username.clone(),
                    );
                    let size = found.pool_size.and_then(|n| u64::try_from(n).ok());
                    compare(&mut out, "pool_size", Some(body.pool_size.get()), size);
                    let mode = body.pool_mode.as_ref().map(ToString::to_string);
                    compare(&mut out, "pool_mode", mode, found.pool_mode.clone());
                    out
                }),
        };
        let action = match differences {
            None => Action::Create,
            Some(d) if d.is_empty() => adopt.clone(),
            Some(d) => Action::Conflict(d),
        };
        steps.push((resource.clone(), action));
    }
    Ok(steps)
}

/// A user's credentials for one service, from [`Environment::up`].
/// `Debug` redacts the password and the URI's password.
#[derive(Clone)]
#[non_exhaustive]
pub struct UserCredentials {
    /// The service.
    pub service: String,
    /// The user name.
    pub username: String,
    password: SecretString,
    uri: Option<SecretString>,
    /// The user's own Kafka access certificate (PEM), when the service
    /// issues one (Kafka with certificate authentication).
    pub access_cert: Option<String>,
    access_key: Option<SecretString>,
}

impl UserCredentials {
    fn new(
        service: &str,
        username: &str,
        password: String,
        connection: &ConnectionInfo,
        database: Option<&str>,
    ) -> Self {
        let uri = user_uri(connection, username, &password, database).map(SecretString::from);
        Self {
            service: service.to_owned(),
            username: username.to_owned(),
            password: SecretString::from(password),
            uri,
            access_cert: None,
            access_key: None,
        }
    }

    /// With the user's own access certificate and key (from its create or
    /// look-up answer), not the first user's that has one.
    fn with_access(mut self, cert: Option<String>, key: Option<String>) -> Self {
        self.access_cert = cert;
        self.access_key = key.map(SecretString::from);
        self
    }

    /// The key (PEM) of [`access_cert`](Self::access_cert).
    pub fn access_key(&self) -> Option<&str> {
        self.access_key.as_ref().map(ExposeSecret::expose_secret)
    }

    /// The password.
    pub fn password(&self) -> &str {
        self.password.expose_secret()
    }

    /// The service's URI with this user's name and password
    /// (percent-encoded, see [`encode_userinfo`]) and, for a database
    /// service, the first database the environment declares on it: for
    /// services whose URI is a URL (PostgreSQL, MySQL, OpenSearch, …), not
    /// Kafka.
    pub fn uri(&self) -> Option<&str> {
        self.uri.as_ref().map(ExposeSecret::expose_secret)
    }
}

impl fmt::Debug for UserCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserCredentials")
            .field("service", &self.service)
            .field("username", &self.username)
            .field("password", &"** redacted **")
            .field("uri", &self.uri().map(crate::redact::url))
            .field("access_cert", &self.access_cert.as_ref().map(|_| "(PEM)"))
            .field(
                "access_key",
                &self.access_key.as_ref().map(|_| "** redacted **"),
            )
            .finish()
    }
}

/// `scheme://USER:PASSWORD@host:port/DATABASE?query` from the service's
/// URI, user and password percent-encoded; `None` when the URI is not a URL.
fn user_uri(
    connection: &ConnectionInfo,
    user: &str,
    password: &str,
    database: Option<&str>,
) -> Option<String> {
    let url = reqwest::Url::parse(connection.uri()?.trim()).ok()?;
    let host = url.host_str()?;
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let path = match database {
        Some(db) => format!("/{}", encode_userinfo(db)),
        None => url.path().to_owned(),
    };
    let query = url.query().map(|q| format!("?{q}")).unwrap_or_default();
    Some(format!(
        "{}://{}:{}@{host}{port}{path}{query}",
        url.scheme(),
        encode_userinfo(user),
        encode_userinfo(password)
    ))
}

/// One service of a [`ReadyEnvironment`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ReadyService {
    /// The service's name.
    pub name: String,
    /// Whether it is the environment's (created, or adopted with the
    /// owner's mark); `down` leaves the others.
    pub owned: bool,
    /// How to reach it (as the admin user).
    pub connection: ConnectionInfo,
    /// The declared users, with their passwords.
    pub users: Vec<UserCredentials>,
}

/// An environment that is up: how to reach each service and each declared
/// user. Secrets are in redacting types; [`env`](Self::env) marks them.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ReadyEnvironment {
    /// The project.
    pub project: String,
    /// The services, in declaration order.
    pub services: Vec<ReadyService>,
}

impl ReadyEnvironment {
    /// How to reach `service`.
    pub fn connection(&self, service: &str) -> Option<&ConnectionInfo> {
        let found = self.services.iter().find(|s| s.name == service);
        found.map(|s| &s.connection)
    }

    /// The credentials of the declared `user` of `service`.
    pub fn user(&self, service: &str, user: &str) -> Option<&UserCredentials> {
        let found = self.services.iter().find(|s| s.name == service)?;
        found.users.iter().find(|u| u.username == user)
    }

    /// The variables a test run reads: for the first service of each type
    /// its [`ConnectionInfo::env_vars`] (`PGHOST`, `DATABASE_URL`,
    /// `KAFKA_BOOTSTRAP_SERVERS`, …), for a later one of the same type the
    /// same names prefixed with the service's name (`CI_PG2_PGHOST`); for
    /// each declared user `<SERVICE>_<USER>_USER`, `…_PASSWORD` and
    /// `…_URI` (`CI_PG_CI_PASSWORD`). Each says whether it is a secret.
    pub fn env(&self) -> Vec<EnvVar> {
        let mut out: Vec<EnvVar> = Vec::new();
        let mut seen_types = BTreeSet::new();
        for service in &self.services {
            let kind = service
                .connection
                .service_type
                .as_ref()
                .map(|t| t.as_str().to_owned());
            let prefix = if seen_types.insert(kind) {
                String::new()
            } else {
                format!("{}_", env_name(&service.name))
            };
            for var in service.connection.env_vars() {
                let name = format!("{prefix}{}", var.name);
                out.push(EnvVar::new(name, var.value(), var.secret));
            }
            for user in &service.users {
                let stem = format!("{}_{}", env_name(&service.name), env_name(&user.username));
                out.push(EnvVar::new(format!("{stem}_USER"), &user.username, false));
                out.push(EnvVar::new(
                    format!("{stem}_PASSWORD"),
                    user.password(),
                    true,
                ));
                if let Some(uri) = user.uri() {
                    out.push(EnvVar::new(format!("{stem}_URI"), uri, true));
                }
                if let Some(cert) = &user.access_cert {
                    out.push(EnvVar::new(format!("{stem}_ACCESS_CERT"), cert, false));
                }
                if let Some(key) = user.access_key() {
                    out.push(EnvVar::new(format!("{stem}_ACCESS_KEY"), key, true));
                }
            }
        }
        let mut names = BTreeSet::new();
        out.retain(|v| names.insert(v.name.clone()));
        out
    }

    /// Writes the files a Kafka client is configured with into the
    /// existing directory `dir`, each with mode 0600 and refusing a symbolic
    /// link: `ca.pem` (the project CA, when [`up`](Environment::up) fetched
    /// it: it does when a Kafka service is declared), and for every Kafka
    /// service `<service>.cert` / `<service>.key` (the service's own access
    /// certificate) and `<service>-<user>.cert` / `.key` for each declared
    /// user that has one. Names are kept to letters, digits, `.`, `-` and
    /// `_`. Returns the paths written.
    #[cfg(unix)]
    pub fn write_kafka_files(&self, dir: impl AsRef<Path>) -> Result<Vec<std::path::PathBuf>> {
        let dir = dir.as_ref();
        let mut written = Vec::new();
        let mut write = |name: String, text: &str| -> Result<()> {
            let path = dir.join(file_name(&name));
            crate::export::write_private(&path, "Kafka file", text.as_bytes())?;
            written.push(path);
            Ok(())
        };
        if let Some(ca) = self
            .services
            .iter()
            .find_map(|s| s.connection.ca_pem.as_deref())
        {
            write("ca.pem".to_owned(), ca)?;
        }
        for service in &self.services {
            let Some(kafka) = &service.connection.kafka else {
                continue;
            };
            if let (Some(cert), Some(key)) = (&kafka.access_cert, kafka.access_key()) {
                write(format!("{}.cert", service.name), cert)?;
                write(format!("{}.key", service.name), key)?;
            }
            for user in &service.users {
                if let (Some(cert), Some(key)) = (&user.access_cert, user.access_key()) {
                    write(format!("{}-{}.cert", service.name, user.username), cert)?;
                    write(format!("{}-{}.key", service.name, user.username), key)?;
                }
            }
        }
        Ok(written)
    }

    /// Writes [`env`](Self::env) to a dotenv file of mode 0600, refusing a
    /// symbolic link (see [`write_dotenv`](crate::write_dotenv)).
    #[cfg(unix)]
    pub fn write_dotenv(&self, path: impl AsRef<Path>) -> Result<()> {
        crate::export::write_dotenv(path, &self.env())
    }
}

/// A file name from service and user names: letters, digits, `.`, `-` and
/// `_` kept, anything else `_`; never `.`-first (no hidden file, no `..`).
fn file_name(name: &str) -> String {
    let kept: String = name
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '-' | '_' => c,
            _ => '_',
        })
        .collect();
    match kept.strip_prefix('.') {
        Some(rest) => format!("_{rest}"),
        None => kept,
    }
}

/// `ci-pg` → `CI_PG`: uppercase, anything but letters and digits `_`.
fn env_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// The largest environment file read (1 MiB).
const MAX_FILE_BYTES: u64 = 1 << 20;

/// The file format (see [`Environment::from_toml`]).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileEnvironment {
    #[serde(default)]
    services: Vec<toml::Spanned<FileService>>,
    #[serde(default)]
    integrations: Vec<toml::Spanned<FileIntegration>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileIntegration {
    #[serde(rename = "type")]
    integration_type: String,
    source: String,
    dest: String,
    #[serde(default)]
    user_config: toml::Table,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileService {
    name: String,
    #[serde(rename = "type")]
    service_type: String,
    plan: String,
    cloud: Option<String>,
    disk_space_mb: Option<u32>,
    termination_protection: Option<bool>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    #[serde(default)]
    user_config: toml::Table,
    #[serde(default)]
    databases: Vec<String>,
    #[serde(default)]
    users: Vec<String>,
    #[serde(default)]
    topics: Vec<FileTopic>,
    #[serde(default)]
    pools: Vec<FilePool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTopic {
    name: String,
    partitions: Option<u32>,
    replication: Option<u32>,
    min_insync_replicas: Option<u32>,
    cleanup_policy: Option<String>,
    #[serde(default)]
    config: toml::Table,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FilePool {
    name: String,
    database: String,
    user: Option<String>,
    size: Option<u32>,
    mode: Option<String>,
}

fn json(value: toml::Value) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

impl Environment {
    /// Reads an environment from TOML text (`source` names it in errors):
    ///
    /// ```toml
    /// [[services]]
    /// name = "ci-pg"
    /// type = "pg"
    /// plan = "startup-4"
    /// # optional: cloud, disk_space_mb, termination_protection, tags, user_config
    /// databases = ["app"]
    /// users = ["ci"]
    /// pools = [{ name = "app-pool", database = "app", user = "ci", size = 10 }]
    ///
    /// [[services]]
    /// name = "ci-kafka"
    /// type = "kafka"
    /// plan = "startup-2"
    /// topics = [{ name = "events", partitions = 3, replication = 2 }]
    ///
    /// [[integrations]]   # optional: between two of the services above
    /// type = "kafka_logs"
    /// source = "ci-pg"
    /// dest = "ci-kafka"
    /// user_config = { kafka_topic = "events" }
    /// ```
    ///
    /// An unknown key, a value of the wrong type or an invalid value is an
    /// [`Error::Validation`] naming the file, the line and the field.
    pub fn from_toml(owner: Owner, source: &str, text: &str) -> Result<Self> {
        let file: FileEnvironment = toml::from_str(text).map_err(|e| {
            let at = e.span().map(|s| line_of(text, s.start));
            let reason = e.message().to_owned();
            Error::invalid("environment file", located(source, at), reason)
        })?;
        let mut env = Environment::new(owner);
        for spanned in file.services {
            let line = line_of(text, spanned.span().start);
            let s = spanned.into_inner();
            let mut new = NewService::new(s.name.as_str(), s.service_type, s.plan).tags(s.tags);
            if let Some(cloud) = s.cloud {
                new = new.cloud(cloud);
            }
            if let Some(mb) = s.disk_space_mb {
                new = new.disk_space_mb(mb);
            }
            if let Some(on) = s.termination_protection {
                new = new.termination_protection(on);
            }
            for (key, value) in s.user_config {
                new = new.user_config(key, json(value));
            }
            let mut one = Environment::new(env.owner.clone()).service(new.clone());
            let name = s.name.as_str();
            for db in s.databases {
                one = one.database(name, NewDatabase::new(db));
            }
            for user in s.users {
                one = one.user(name, NewServiceUser::new(user));
            }
            for t in s.topics {
                let mut topic = NewTopic::new(t.name);
                if let Some(n) = t.partitions {
                    topic = topic.partitions(n);
                }
                if let Some(n) = t.replication {
                    topic = topic.replication(n);
                }
                if let Some(n) = t.min_insync_replicas {
                    topic = topic.min_insync_replicas(n);
                }
                if let Some(p) = t.cleanup_policy {
                    topic = topic.cleanup_policy(p);
                }
                for (key, value) in t.config {
                    topic = topic.config(key, json(value));
                }
                one = one.topic(name, topic);
            }
            for p in s.pools {
                let mut pool = NewConnectionPool::new(p.name, p.database);
                if let Some(user) = p.user {
                    pool = pool.user(user);
                }
                if let Some(n) = p.size {
                    pool = pool.size(n);
                }
                if let Some(mode) = p.mode {
                    pool = pool.mode(mode);
                }
                one = one.connection_pool(name, pool);
            }
            // Each service checked alone names its line; then together.
            let at = |e: Error| {
                Error::invalid(
                    "environment file",
                    located(source, Some(line)),
                    format!("service {name:?}: {e}"),
                )
            };
            one.validate().map_err(at)?;
            env.services.extend(one.services);
            env.children.extend(one.children);
            env.validate().map_err(at)?;
        }
        if env.services.is_empty() {
            return Err(Error::invalid(
                "environment file",
                source,
                "declares no service ([[services]] with name, type and plan)",
            ));
        }
        for spanned in file.integrations {
            let line = line_of(text, spanned.span().start);
            let i = spanned.into_inner();
            let mut new = NewIntegration::new(i.integration_type, i.source, i.dest);
            for (key, value) in i.user_config {
                new = new.user_config(key, json(value));
            }
            env = env.integration(new);
            env.validate().map_err(|e| {
                Error::invalid(
                    "environment file",
                    located(source, Some(line)),
                    e.to_string(),
                )
            })?;
        }
        Ok(env)
    }

    /// Reads an environment from a TOML file (at most 1 MiB); see
    /// [`from_toml`](Self::from_toml).
    pub fn from_file(owner: Owner, path: impl AsRef<Path>) -> Result<Self> {
        use std::io::Read;
        let path = path.as_ref();
        let shown = path.display().to_string();
        let io = |e: std::io::Error| Error::invalid("environment file", &shown, e.to_string());
        let mut text = String::new();
        let file = std::fs::File::open(path).map_err(io)?;
        file.take(MAX_FILE_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(io)?;
        if text.len() as u64 > MAX_FILE_BYTES {
            return Err(Error::invalid(
                "environment file",
                &shown,
                "is larger than 1 MiB",
            ));
        }
        Self::from_toml(owner, &shown, &text)
    }
}

/// The 1-based line of byte `offset`.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// `ci-env.toml:7` (or just the source).
fn located(source: &str, line: Option<usize>) -> String {
    match line {
        Some(line) => format!("{source}:{line}"),
        None => source.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner() -> Owner {
        Owner::new("t").unwrap()
    }

    #[test]
    fn declarations_are_checked() {
        let pg = || NewService::new("ci-pg", "pg", "startup-4");
        let err = |env: Environment| env.validate().unwrap_err().to_string();
        assert!(err(Environment::new(owner())).contains("declares no service"));
        let twice = Environment::new(owner()).service(pg()).service(pg());
        assert!(err(twice).contains("declared twice"));
        let orphan = Environment::new(owner())
            .service(pg())
            .database("nope", NewDatabase::new("app"));
        assert!(err(orphan).contains("database nope/app: the service is not declared"));
        let topic_in_pg = Environment::new(owner())
            .service(pg())
            .topic("ci-pg", NewTopic::new("events"));
        assert!(err(topic_in_pg).contains("a pg service has none (only kafka)"));
        let bad = Environment::new(owner())
            .service(pg())
            .topic("ci-pg", NewTopic::new("a/b"));
        assert!(err(bad).contains("topic_name"));
        let ok = Environment::new(owner())
            .service(pg())
            .user("ci-pg", NewServiceUser::new("ci"))
            .database("ci-pg", NewDatabase::new("app"));
        assert!(ok.validate().is_ok());
    }

    #[test]
    fn file_errors_name_the_line_and_field() {
        let read = |text: &str| Environment::from_toml(owner(), "env.toml", text);
        let e = read(
            "[[services]]\nname = \"ci-pg\"\ntype = \"pg\"\nplan = \"startup-4\"\ncolour = 1\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("env.toml:5") && e.contains("colour"), "{e}");
        let e = read("[[services]]\nname = \"ci-pg\"\ntype = \"pg\"\nplan = 4\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("env.toml:4"), "{e}");
        let text = "[[services]]\nname = \"ci-pg\"\ntype = \"pg\"\nplan = \"startup-4\"\n\n\
                    [[services]]\nname = \"Bad_Name\"\ntype = \"pg\"\nplan = \"x\"\n";
        let e = read(text).unwrap_err().to_string();
        assert!(
            e.contains("env.toml:6") && e.contains("service_name"),
            "{e}"
        );
        let text = "[[services]]\nname = \"ci-pg\"\ntype = \"pg\"\nplan = \"startup-4\"\n\
                    topics = [{ name = \"events\" }]\n";
        let e = read(text).unwrap_err().to_string();
        assert!(e.contains("env.toml:1") && e.contains("only kafka"), "{e}");
        assert!(read("")
            .unwrap_err()
            .to_string()
            .contains("declares no service"));
        assert!(read("[[services]]\n\u{0}").is_err());
        let env = read(
            "[[services]]\nname = \"ci-pg\"\ntype = \"pg\"\nplan = \"startup-4\"\n\
             databases = [\"app\"]\nusers = [\"ci\"]\nuser_config = { pg_version = \"17\" }\n\
             pools = [{ name = \"p\", database = \"app\", user = \"ci\", size = 5 }]\n",
        )
        .unwrap();
        assert_eq!(env.service_names(), ["ci-pg"]);
        assert_eq!(env.children.len(), 3);
        let two = "[[services]]\nname = \"a-pg\"\ntype = \"pg\"\nplan = \"startup-4\"\n\
                   [[services]]\nname = \"b-kafka\"\ntype = \"kafka\"\nplan = \"startup-2\"\n\n";
        let ok = format!(
            "{two}[[integrations]]\ntype = \"kafka_logs\"\nsource = \"a-pg\"\ndest = \"b-kafka\"\n"
        );
        assert_eq!(read(&ok).unwrap().integrations.len(), 1);
        let bad = format!(
            "{two}[[integrations]]\ntype = \"kafka_logs\"\nsource = \"a-pg\"\ndest = \"nope\"\n"
        );
        let e = read(&bad).unwrap_err().to_string();
        assert!(
            e.contains("env.toml:10") && e.contains("nope is not declared"),
            "{e}"
        );
    }

    #[test]
    fn user_uris_percent_encode_the_credentials() {
        let service: types::Service = serde_json::from_value(serde_json::json!({
            "service_name": "ci-pg",
            "service_type": "pg",
            "service_uri": "postgres://avnadmin:pw@ci-pg.example:12345/defaultdb?sslmode=require",
        }))
        .unwrap();
        let conn = ConnectionInfo::from_service(&service);
        let user = UserCredentials::new("ci-pg", "c@i", "p@ss:w/rd?#".into(), &conn, Some("app"));
        assert_eq!(
            user.uri().unwrap(),
            "postgres://c%40i:p%40ss%3Aw%2Frd%3F%23@ci-pg.example:12345/app?sslmode=require"
        );
        let parsed = reqwest::Url::parse(user.uri().unwrap()).unwrap();
        assert_eq!(parsed.host_str(), Some("ci-pg.example"));
        assert!(!format!("{user:?}").contains("p@ss"));
        let ready = ReadyEnvironment {
            project: "p".into(),
            services: vec![ReadyService {
                name: "ci-pg".into(),
                owned: true,
                connection: conn,
                users: vec![user],
            }],
        };
        let env = ready.env();
        let get = |n: &str| env.iter().find(|v| v.name == n).unwrap();
        assert!(get("DATABASE_URL").secret && get("CI_PG_C_I_PASSWORD").secret);
        assert!(get("CI_PG_C_I_URI").secret && !get("CI_PG_C_I_USER").secret);
        assert!(!get("PGHOST").secret);
    }

    #[test]
    fn a_kafka_user_gets_its_own_access_certificate_and_key() {
        let service: types::Service = serde_json::from_value(serde_json::json!({
            "service_name": "ci-kafka", "service_type": "kafka",
            "service_uri": "ci-kafka.example:12345",
            "users": [{"username": "avnadmin", "password": "pw-admin",
                       "access_cert": "CERT-admin", "access_key": "KEY-admin"}]
        }))
        .unwrap();
        let conn = ConnectionInfo::from_service(&service);
        let user = UserCredentials::new("ci-kafka", "ci", "pw-ci".into(), &conn, None)
            .with_access(Some("CERT-ci".into()), Some("KEY-ci".into()));
        assert_eq!(user.access_cert.as_deref(), Some("CERT-ci"));
        assert_eq!(user.access_key(), Some("KEY-ci"));
        let shown = format!("{user:?}");
        assert!(
            !shown.contains("KEY-ci") && !shown.contains("pw-ci"),
            "{shown}"
        );
        let ready = ReadyEnvironment {
            project: "p".into(),
            services: vec![ReadyService {
                name: "ci-kafka".into(),
                owned: true,
                connection: conn,
                users: vec![user],
            }],
        };
        let env = ready.env();
        let get = |n: &str| env.iter().find(|v| v.name == n).unwrap();
        assert_eq!(get("CI_KAFKA_CI_ACCESS_CERT").value(), "CERT-ci");
        assert!(!get("CI_KAFKA_CI_ACCESS_CERT").secret);
        assert_eq!(get("CI_KAFKA_CI_ACCESS_KEY").value(), "KEY-ci");
        assert!(get("CI_KAFKA_CI_ACCESS_KEY").secret);
        // The service's own (avnadmin's) stay under the service's names.
        assert_eq!(get("KAFKA_ACCESS_CERT").value(), "CERT-admin");

        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mut ready = ready;
            ready.services[0].connection.ca_pem = Some("CA".into());
            let dir = tempfile::tempdir().unwrap();
            let written = ready.write_kafka_files(dir.path()).unwrap();
            let names: Vec<String> = written
                .iter()
                .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
                .collect();
            assert_eq!(
                names,
                [
                    "ca.pem",
                    "ci-kafka.cert",
                    "ci-kafka.key",
                    "ci-kafka-ci.cert",
                    "ci-kafka-ci.key"
                ]
            );
            let read = |n: &str| std::fs::read_to_string(dir.path().join(n)).unwrap();
            assert_eq!(read("ci-kafka-ci.key"), "KEY-ci");
            assert_eq!(read("ca.pem"), "CA");
            for path in &written {
                let mode = std::fs::metadata(path).unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o600, "{}", path.display());
            }
            // A symbolic link where a file goes is refused, not followed.
            let elsewhere = dir.path().join("elsewhere");
            std::fs::write(&elsewhere, "theirs").unwrap();
            std::fs::remove_file(dir.path().join("ca.pem")).unwrap();
            std::os::unix::fs::symlink(&elsewhere, dir.path().join("ca.pem")).unwrap();
            assert!(ready.write_kafka_files(dir.path()).is_err());
            assert_eq!(std::fs::read_to_string(&elsewhere).unwrap(), "theirs");
        }
    }

    #[test]
    fn kafka_file_names_stay_in_their_directory() {
        assert_eq!(file_name("ci-kafka-c@i.key"), "ci-kafka-c_i.key");
        assert_eq!(file_name("../x"), "_._x");
        assert_eq!(file_name(".hidden"), "_hidden");
        assert_eq!(file_name("a/b\\c"), "a_b_c");
    }

    #[test]
    fn a_second_service_of_a_type_gets_its_name_as_prefix() {
        let service = |name: &str| {
            let uri = format!("postgres://avnadmin:pw@{name}.example:5432/defaultdb");
            let json = serde_json::json!({
                "service_name": name, "service_type": "pg", "service_uri": uri,
                "service_uri_params": { "host": format!("{name}.example"), "password": "pw" },
            });
            let service: types::Service = serde_json::from_value(json).unwrap();
            ReadyService {
                name: name.into(),
                owned: true,
                connection: ConnectionInfo::from_service(&service),
                users: Vec::new(),
            }
        };
        let ready = ReadyEnvironment {
            project: "p".into(),
            services: vec![service("ci-pg"), service("ci-pg-2")],
        };
        let env = ready.env();
        let get = |n: &str| {
            env.iter()
                .find(|v| v.name == n)
                .map(|v| v.value().to_owned())
        };
        assert_eq!(get("PGHOST").as_deref(), Some("ci-pg.example"));
        assert_eq!(get("CI_PG_2_PGHOST").as_deref(), Some("ci-pg-2.example"));
        let secret = env
            .iter()
            .find(|v| v.name == "CI_PG_2_DATABASE_URL")
            .unwrap();
        assert!(secret.secret && !format!("{secret:?}").contains("pw@"));
    }
}
