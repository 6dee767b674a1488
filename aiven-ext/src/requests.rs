//! The common requests in plain Rust values, checked before anything is
//! sent: `NewTopic::new("events").partitions(3)` instead of
//! `Some(NonZeroU64::new(3).unwrap())`, `&str` for every name, tags as
//! pairs. Each converts into the generated request body
//! (`TryFrom<NewTopic> for types::ServiceKafkaTopicCreateRequestBody`), so
//! it goes wherever the body goes: the `ensure_*` and `create_service`
//! helpers, or a raw call's `.body(new_topic.build()?)`.
//!
//! A bad value fails with [`Error::Validation`] naming the field, before
//! any request. The checks are the description's (lengths, ranges, enums:
//! the body is decoded by the generated type, and a value it refuses is
//! found by trying each optional field alone) plus Aiven's naming rules
//! for what becomes a path segment ([`crate::validate`]).

use std::collections::BTreeMap;

use aiven_api::types;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::redact::Masked;
use crate::{validate, Error, Result};

/// Builder methods that each set one optional field to `Some(value.into())`.
macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident($value:ident: $ty:ty);)*) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, $value: $ty) -> Self {
                self.$name = Some($value.into());
                self
            }
        )*
    };
}

/// The `tag` and `tags` builder methods of a request with a `tags` map.
macro_rules! tag_setters {
    () => {
        /// Adds one tag.
        pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
            self.tags.insert(key.into(), value.into());
            self
        }

        /// Adds tags from pairs.
        pub fn tags<K: Into<String>, V: Into<String>>(
            mut self,
            tags: impl IntoIterator<Item = (K, V)>,
        ) -> Self {
            pairs(&mut self.tags, tags);
            self
        }
    };
}

/// Free-form JSON of a request (`user_config`, topic `config`): printed as
/// responses are, secret-named keys (`admin_password`, `sasl_password`) and
/// URI passwords masked, so the requests can derive `Debug`.
#[derive(Clone, Default)]
struct FreeJson(Map<String, Value>);

impl FreeJson {
    fn insert(&mut self, key: String, value: Value) {
        self.0.insert(key, value);
    }

    /// A copy for the body, or `None` when empty (the field is left out).
    fn to_body(&self) -> Option<Map<String, Value>> {
        (!self.0.is_empty()).then(|| self.0.clone())
    }
}

impl std::fmt::Debug for FreeJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        Masked(&self.0).fmt(f)
    }
}

/// The fields of a request body, in order; `required` are always present.
struct Fields {
    kind: &'static str,
    required: Vec<(&'static str, Value)>,
    optional: Vec<(&'static str, Value)>,
    /// The required field left for the decoder to check (an enum).
    unchecked: Option<usize>,
}

impl Fields {
    fn new(kind: &'static str) -> Self {
        Self {
            kind,
            required: Vec::new(),
            optional: Vec::new(),
            unchecked: None,
        }
    }

    /// A required value only the generated type checks (one per body).
    fn required_unchecked(mut self, name: &'static str, value: impl Into<Value>) -> Self {
        self.unchecked = Some(self.required.len());
        self.required(name, value)
    }

    fn required(mut self, name: &'static str, value: impl Into<Value>) -> Self {
        self.required.push((name, value.into()));
        self
    }

    fn optional(mut self, name: &'static str, value: Option<impl Into<Value>>) -> Self {
        if let Some(v) = value {
            self.optional.push((name, v.into()));
        }
        self
    }

    fn object<'a>(fields: impl IntoIterator<Item = &'a (&'static str, Value)>) -> Value {
        Value::Object(
            fields
                .into_iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    /// Decodes into the generated body; when that fails, names the field:
    /// the required ones refused together, else the first optional one
    /// refused on its own, else the body as a whole.
    fn decode<B: DeserializeOwned>(self) -> Result<B> {
        let whole = Self::object(self.required.iter().chain(&self.optional));
        let error = match serde_json::from_value(whole) {
            Ok(body) => return Ok(body),
            Err(e) => e,
        };
        if let Err(e) = serde_json::from_value::<B>(Self::object(&self.required)) {
            let (field, value) = match self.unchecked.map(|i| &self.required[i]) {
                Some((field, value)) => (*field, shown(field, value)),
                None => (self.kind, "the request".to_owned()),
            };
            return Err(Error::invalid(field, value, decoder_message(&e)));
        }
        for field in &self.optional {
            let alone = Self::object(self.required.iter().chain([field]));
            if let Err(e) = serde_json::from_value::<B>(alone) {
                return Err(Error::invalid(
                    field.0,
                    shown(field.0, &field.1),
                    decoder_message(&e),
                ));
            }
        }
        Err(Error::invalid(
            self.kind,
            "the request",
            decoder_message(&error),
        ))
    }
}

/// A refused value as an error may show it: a secret-named field masked
/// whole, secrets inside free-form JSON (`user_config`) masked, cut short.
fn shown(field: &str, value: &Value) -> String {
    if aiven_api::redact::is_sensitive(field) {
        return crate::redact::REDACTED.to_owned();
    }
    crate::retry::truncate(&aiven_api::redact::value(value).to_string())
}

/// The decoder's message without the values it quotes (a password in a
/// field of the wrong type would be quoted).
fn decoder_message(e: &serde_json::Error) -> String {
    crate::error::without_quoted_values(&e.to_string())
}

fn at_least_one(field: &'static str, n: u32) -> Result<u32> {
    at_most(field, n, 1, u32::MAX)
}

/// Ranges are not checked by the generated types (typify keeps only the
/// integer type), so the description's bounds are repeated here.
fn at_most(field: &'static str, n: u32, min: u32, max: u32) -> Result<u32> {
    if n < min || n > max {
        let reason = match max {
            u32::MAX => format!("must be at least {min}"),
            _ => format!("must be {min} to {max}"),
        };
        return Err(Error::invalid(field, n, reason));
    }
    Ok(n)
}

/// Service tags: keys 1–64 characters, values up to 256, at most 25 (the
/// bounds the description gives topic tags; the API checks the rest).
fn tags_object(tags: &BTreeMap<String, String>) -> Result<Option<Value>> {
    if tags.len() > 25 {
        return Err(Error::invalid(
            "tags",
            format!("{} tags", tags.len()),
            "at most 25 tags",
        ));
    }
    for (key, value) in tags {
        validate::bounded("tags", key, 64)?;
        if value.chars().count() > 256 {
            return Err(Error::invalid(
                "tags",
                key,
                "a tag value is at most 256 characters",
            ));
        }
    }
    Ok((!tags.is_empty()).then(|| {
        Value::Object(
            tags.iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect(),
        )
    }))
}

fn pairs<K: Into<String>, V: Into<String>>(
    into: &mut BTreeMap<String, String>,
    tags: impl IntoIterator<Item = (K, V)>,
) {
    into.extend(tags.into_iter().map(|(k, v)| (k.into(), v.into())));
}

macro_rules! into_body {
    ($new:ty => $body:ty) => {
        impl TryFrom<$new> for $body {
            type Error = Error;
            fn try_from(new: $new) -> Result<Self> {
                new.build()
            }
        }
        impl TryFrom<&$new> for $body {
            type Error = Error;
            fn try_from(new: &$new) -> Result<Self> {
                new.build()
            }
        }
    };
}

/// A new service: name, type and plan, optionally cloud, disk, tags,
/// termination protection and user config.
///
/// ```
/// use aiven_ext::requests::NewService;
/// let pg = NewService::new("ci-pg", "pg", "startup-4")
///     .cloud("google-europe-west1")
///     .tags([("team", "data"), ("ci", "true")])
///     .user_config("pg_version", "17");
/// let body: aiven_ext::aiven_api::types::ServiceCreateRequestBody = pg.build()?;
/// assert_eq!(body.plan.as_str(), "startup-4");
/// # Ok::<(), aiven_ext::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct NewService {
    name: String,
    service_type: String,
    plan: String,
    cloud: Option<String>,
    disk_space_mb: Option<u32>,
    termination_protection: Option<bool>,
    project_vpc_id: Option<String>,
    tags: BTreeMap<String, String>,
    user_config: FreeJson,
}

impl NewService {
    /// A service `name` of `service_type` (`pg`, `kafka`, …) on `plan`.
    pub fn new(
        name: impl Into<String>,
        service_type: impl Into<String>,
        plan: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            service_type: service_type.into(),
            plan: plan.into(),
            cloud: None,
            disk_space_mb: None,
            termination_protection: None,
            project_vpc_id: None,
            tags: BTreeMap::new(),
            user_config: FreeJson::default(),
        }
    }

    setters! {
        /// The cloud region (`google-europe-west1`); the project's default otherwise.
        cloud(cloud: impl Into<String>);

        /// Disk size in MiB (the plan's default otherwise).
        disk_space_mb(mb: u32);

        /// Refuse deletion until it is turned off again.
        termination_protection(on: bool);

        /// Places the service in a project VPC (its id).
        project_vpc_id(id: impl Into<String>);
    }

    tag_setters!();

    /// Marks the service as `owner`'s (the tag
    /// [`OWNER_TAG`](crate::OWNER_TAG)): an owner's
    /// [`teardown`](crate::AivenClient::teardown) deletes only services with
    /// its mark, and ensuring adopts an unmarked match only as
    /// [`Ensured::AdoptedUnowned`](crate::Ensured::AdoptedUnowned).
    pub fn owner(mut self, owner: &crate::Owner) -> Self {
        self.tags
            .insert(crate::OWNER_TAG.to_owned(), owner.as_str().to_owned());
        self
    }

    /// Sets one key of the type's user config (`pg_version`, `kafka_rest`, …).
    pub fn user_config(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.user_config.insert(key.into(), value.into());
        self
    }

    /// The service's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Checks every field; the request body.
    pub fn build(&self) -> Result<types::ServiceCreateRequestBody> {
        validate::new_service(
            &self.name,
            &self.service_type,
            &self.plan,
            self.cloud.as_deref(),
            self.disk_space_mb.map(u64::from),
            self.project_vpc_id.as_deref(),
        )?;
        let disk = self.disk_space_mb;
        let user_config = self.user_config.to_body();
        Fields::new("service")
            .required("service_name", self.name.as_str())
            .required("service_type", self.service_type.as_str())
            .required("plan", self.plan.as_str())
            .optional("cloud", self.cloud.as_deref())
            .optional("disk_space_mb", disk)
            .optional("termination_protection", self.termination_protection)
            .optional("project_vpc_id", self.project_vpc_id.as_deref())
            .optional("tags", tags_object(&self.tags)?)
            .optional("user_config", user_config)
            .decode()
    }
}
into_body!(NewService => types::ServiceCreateRequestBody);

/// A new Kafka topic: name, optionally partitions, replication, minimum
/// in-sync replicas, cleanup policy, description, tags and topic config.
///
/// ```
/// use aiven_ext::requests::NewTopic;
/// let topic = NewTopic::new("events").partitions(3).replication(2);
/// assert!(NewTopic::new("events").partitions(0).build().is_err());
/// # let _ = topic;
/// ```
#[derive(Clone, Debug)]
pub struct NewTopic {
    name: String,
    partitions: Option<u32>,
    replication: Option<u32>,
    min_insync_replicas: Option<u32>,
    cleanup_policy: Option<String>,
    description: Option<String>,
    tags: BTreeMap<String, String>,
    config: FreeJson,
}

impl NewTopic {
    /// A topic `name` (Kafka's rule: ASCII letters, digits, `.`, `_`, `-`).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            partitions: None,
            replication: None,
            min_insync_replicas: None,
            cleanup_policy: None,
            description: None,
            tags: BTreeMap::new(),
            config: FreeJson::default(),
        }
    }

    setters! {
        /// Number of partitions (at least 1).
        partitions(n: u32);

        /// Replication factor (at least 1; Aiven requires at least 2).
        replication(n: u32);

        /// Minimum in-sync replicas (`config.min_insync_replicas`).
        min_insync_replicas(n: u32);

        /// `delete`, `compact` or `compact,delete` (`config.cleanup_policy`).
        cleanup_policy(policy: impl Into<String>);

        /// A description shown in the console.
        description(text: impl Into<String>);
    }

    tag_setters!();

    /// Sets one topic config key (`retention_ms`, `compression_type`, …).
    pub fn config(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.config.insert(key.into(), value.into());
        self
    }

    /// The topic's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Checks every field; the request body.
    pub fn build(&self) -> Result<types::ServiceKafkaTopicCreateRequestBody> {
        validate::topic_name(&self.name)?;
        let positive = |field, n: Option<u32>| n.map(|n| at_least_one(field, n)).transpose();
        let partitions = self
            .partitions
            .map(|n| at_most("partitions", n, 1, 1_000_000))
            .transpose()?;
        let replication = positive("replication", self.replication)?;
        let mut config = self.config.0.clone();
        if let Some(n) = positive("min_insync_replicas", self.min_insync_replicas)? {
            config.insert("min_insync_replicas".into(), n.into());
        }
        if let Some(policy) = &self.cleanup_policy {
            config.insert("cleanup_policy".into(), policy.as_str().into());
        }
        let tags: Vec<Value> = self
            .tags
            .iter()
            .map(|(k, v)| serde_json::json!({ "key": k, "value": v }))
            .collect();
        Fields::new("topic")
            .required("topic_name", self.name.as_str())
            .optional("partitions", partitions)
            .optional("replication", replication)
            .optional("topic_description", self.description.as_deref())
            .optional("tags", (!tags.is_empty()).then_some(tags))
            .optional("config", (!config.is_empty()).then_some(config))
            .decode()
    }
}
into_body!(NewTopic => types::ServiceKafkaTopicCreateRequestBody);

/// A new service user (PostgreSQL, MySQL, Kafka, OpenSearch, …).
#[derive(Clone, Debug)]
pub struct NewServiceUser {
    name: String,
    authentication: Option<String>,
}

impl NewServiceUser {
    /// A user `name` (at most 64 characters).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            authentication: None,
        }
    }

    setters! {
        /// MySQL: `caching_sha2_password` or `mysql_native_password`.
        authentication(method: impl Into<String>);
    }

    /// Checks every field; the request body.
    pub fn build(&self) -> Result<types::ServiceUserCreateRequestBody> {
        validate::path_segment("username", &self.name, 64)?;
        Fields::new("service user")
            .required("username", self.name.as_str())
            .optional("authentication", self.authentication.as_deref())
            .decode()
    }
}
into_body!(NewServiceUser => types::ServiceUserCreateRequestBody);

/// A new logical database (PostgreSQL, MySQL).
#[derive(Clone, Debug)]
pub struct NewDatabase {
    name: String,
    lc_collate: Option<String>,
    lc_ctype: Option<String>,
}

impl NewDatabase {
    /// A database `name` (at most 40 characters).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            lc_collate: None,
            lc_ctype: None,
        }
    }

    setters! {
        /// PostgreSQL collation (`en_US.UTF-8` by default).
        lc_collate(collate: impl Into<String>);

        /// PostgreSQL character classification (`en_US.UTF-8` by default).
        lc_ctype(ctype: impl Into<String>);
    }

    /// Checks every field; the request body.
    pub fn build(&self) -> Result<types::ServiceDatabaseCreateRequestBody> {
        validate::path_segment("database", &self.name, 40)?;
        Fields::new("database")
            .required("database", self.name.as_str())
            .optional("lc_collate", self.lc_collate.as_deref())
            .optional("lc_ctype", self.lc_ctype.as_deref())
            .decode()
    }
}
into_body!(NewDatabase => types::ServiceDatabaseCreateRequestBody);

/// A new PostgreSQL connection pool (PgBouncer).
///
/// ```
/// use aiven_ext::requests::NewConnectionPool;
/// let pool = NewConnectionPool::new("app-pool", "app").user("ci").size(20).mode("session");
/// assert!(NewConnectionPool::new("p", "app").mode("sometimes").build().is_err());
/// # let _ = pool;
/// ```
#[derive(Clone, Debug)]
pub struct NewConnectionPool {
    name: String,
    database: String,
    user: Option<String>,
    size: Option<u32>,
    mode: Option<String>,
}

impl NewConnectionPool {
    /// A pool `name` for `database`.
    pub fn new(name: impl Into<String>, database: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            database: database.into(),
            user: None,
            size: None,
            mode: None,
        }
    }

    setters! {
        /// The user the pool connects as (else the client's own).
        user(user: impl Into<String>);

        /// Connections in the pool (1–10,000; 10 by default).
        size(n: u32);

        /// `session`, `transaction` (the default) or `statement`.
        mode(mode: impl Into<String>);
    }

    /// The pool's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Checks every field; the request body.
    pub fn build(&self) -> Result<types::ServicePgBouncerCreateRequestBody> {
        validate::path_segment("pool_name", &self.name, 63)?;
        validate::bounded("database", &self.database, 63)?;
        if let Some(user) = &self.user {
            validate::bounded("username", user, 64)?;
        }
        let size = self
            .size
            .map(|n| at_most("pool_size", n, 1, 10_000))
            .transpose()?;
        Fields::new("connection pool")
            .required("pool_name", self.name.as_str())
            .required("database", self.database.as_str())
            .optional("pool_size", size)
            .optional("username", self.user.as_deref())
            .optional("pool_mode", self.mode.as_deref())
            .decode()
    }
}
into_body!(NewConnectionPool => types::ServicePgBouncerCreateRequestBody);

/// A new integration between two services of a project (or a service and
/// an endpoint): `NewIntegration::new("kafka_connect", "ci-kafka", "ci-connect")`.
#[derive(Clone, Debug)]
pub struct NewIntegration {
    integration_type: String,
    source_service: Option<String>,
    dest_service: Option<String>,
    source_endpoint_id: Option<String>,
    dest_endpoint_id: Option<String>,
    source_project: Option<String>,
    dest_project: Option<String>,
    user_config: FreeJson,
}

impl NewIntegration {
    /// An `integration_type` integration from one service to another.
    pub fn new(
        integration_type: impl Into<String>,
        source_service: impl Into<String>,
        dest_service: impl Into<String>,
    ) -> Self {
        Self {
            integration_type: integration_type.into(),
            source_service: Some(source_service.into()),
            dest_service: Some(dest_service.into()),
            source_endpoint_id: None,
            dest_endpoint_id: None,
            source_project: None,
            dest_project: None,
            user_config: FreeJson::default(),
        }
    }

    /// An integration from a service to an integration endpoint (logs, metrics, …).
    pub fn to_endpoint(
        integration_type: impl Into<String>,
        source_service: impl Into<String>,
        dest_endpoint_id: impl Into<String>,
    ) -> Self {
        let mut new = Self::new(integration_type, source_service, "");
        new.dest_service = None;
        new.dest_endpoint_id = Some(dest_endpoint_id.into());
        new
    }

    setters! {
        /// The source service is in another project.
        source_project(project: impl Into<String>);

        /// The destination service is in another project.
        dest_project(project: impl Into<String>);
    }

    /// Sets one key of the integration's user config.
    pub fn user_config(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.user_config.insert(key.into(), value.into());
        self
    }

    /// Checks every field; the request body.
    pub fn build(&self) -> Result<types::ServiceIntegrationCreateRequestBody> {
        validate::bounded("integration_type", &self.integration_type, 64)?;
        for (field, value, max) in [
            ("source_service", &self.source_service, 64),
            ("dest_service", &self.dest_service, 64),
            ("source_endpoint_id", &self.source_endpoint_id, 36),
            ("dest_endpoint_id", &self.dest_endpoint_id, 36),
            ("source_project", &self.source_project, 63),
            ("dest_project", &self.dest_project, 63),
        ] {
            if let Some(v) = value {
                validate::path_segment(field, v, max)?;
            }
        }
        let user_config = self.user_config.to_body();
        Fields::new("integration")
            .required_unchecked("integration_type", self.integration_type.as_str())
            .optional("source_service", self.source_service.as_deref())
            .optional("dest_service", self.dest_service.as_deref())
            .optional("source_endpoint_id", self.source_endpoint_id.as_deref())
            .optional("dest_endpoint_id", self.dest_endpoint_id.as_deref())
            .optional("source_project", self.source_project.as_deref())
            .optional("dest_project", self.dest_project.as_deref())
            .optional("user_config", user_config)
            .decode()
    }
}
into_body!(NewIntegration => types::ServiceIntegrationCreateRequestBody);

/// A new project: its name, optionally the default cloud for its services,
/// the account (organization unit) it belongs to and tags.
///
/// ```
/// use aiven_ext::requests::NewProject;
/// let project = NewProject::new("ci-project")
///     .cloud("google-europe-west1")
///     .tag("team", "data");
/// let body: aiven_ext::aiven_api::types::ProjectCreateRequestBody = project.build()?;
/// assert_eq!(body.project.as_str(), "ci-project");
/// # Ok::<(), aiven_ext::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct NewProject {
    name: String,
    cloud: Option<String>,
    account_id: Option<String>,
    tags: BTreeMap<String, String>,
}

impl NewProject {
    /// A project `name` (at most 63 characters).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            cloud: None,
            account_id: None,
            tags: BTreeMap::new(),
        }
    }

    setters! {
        /// The default cloud of its services (`google-europe-west1`, …); an
        /// existing project is adopted only when its default cloud is this one.
        cloud(cloud: impl Into<String>);

        /// The account the project belongs to (an organization's account id,
        /// `a…`).
        account_id(id: impl Into<String>);
    }

    tag_setters!();

    /// The project's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Checks every field; the request body.
    pub fn build(&self) -> Result<types::ProjectCreateRequestBody> {
        validate::project_name(&self.name)?;
        if let Some(id) = &self.account_id {
            validate::path_segment("account_id", id, 36)?;
        }
        Fields::new("project")
            .required("project", self.name.as_str())
            .optional("cloud", self.cloud.as_deref())
            .optional("account_id", self.account_id.as_deref())
            .optional("tags", tags_object(&self.tags)?)
            .decode()
    }
}
into_body!(NewProject => types::ProjectCreateRequestBody);

#[cfg(test)]
mod tests {
    use super::*;

    fn field_of(e: Error) -> &'static str {
        match e {
            Error::Validation { field, .. } => field,
            other => panic!("not a validation error: {other}"),
        }
    }

    /// A refused value shown in an error keeps no secret: a secret-named
    /// field is masked whole, secrets inside free-form JSON are masked, and
    /// the decoder's message loses the values it quotes.
    #[test]
    fn refused_values_in_errors_show_no_secret() {
        let config = serde_json::json!({"sasl_password": "hunter2-sasl", "port": 9092});
        let shown = shown("user_config", &config);
        assert!(!shown.contains("hunter2-sasl"), "{shown}");
        assert!(shown.contains("9092"), "{shown}");
        assert_eq!(
            super::shown("admin_password", &serde_json::json!("hunter2")),
            crate::redact::REDACTED
        );
        let e = serde_json::from_value::<bool>(serde_json::json!("hunter2")).unwrap_err();
        assert!(
            !decoder_message(&e).contains("hunter2"),
            "{}",
            decoder_message(&e)
        );
    }

    #[test]
    fn plain_values_make_the_generated_bodies() {
        let body = NewService::new("ci-pg", "pg", "startup-4")
            .cloud("google-europe-west1")
            .disk_space_mb(81920)
            .tags([("team", "data")])
            .user_config("pg_version", "17")
            .build()
            .unwrap();
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["service_name"], "ci-pg");
        assert_eq!(json["cloud"], "google-europe-west1");
        assert_eq!(json["disk_space_mb"], 81920);
        assert_eq!(json["tags"]["team"], "data");
        assert_eq!(json["user_config"]["pg_version"], "17");

        let topic = NewTopic::new("events")
            .partitions(3)
            .replication(2)
            .min_insync_replicas(1)
            .cleanup_policy("compact")
            .tags([("owner", "ci")])
            .build()
            .unwrap();
        let json = serde_json::to_value(&topic).unwrap();
        assert_eq!(json["partitions"], 3);
        assert_eq!(json["replication"], 2);
        assert_eq!(json["config"]["min_insync_replicas"], 1);
        assert_eq!(json["config"]["cleanup_policy"], "compact");
        assert_eq!(json["tags"][0]["key"], "owner");

        let pool = NewConnectionPool::new("app-pool", "app")
            .user("ci")
            .mode("session")
            .build()
            .unwrap();
        let json = serde_json::to_value(&pool).unwrap();
        assert_eq!(json["pool_size"], 10);
        assert_eq!(json["pool_mode"], "session");
        assert_eq!(json["username"], "ci");

        let integration = NewIntegration::new("kafka_connect", "ci-kafka", "ci-connect")
            .build()
            .unwrap();
        let json = serde_json::to_value(&integration).unwrap();
        assert_eq!(json["integration_type"], "kafka_connect");
        assert_eq!(json["dest_service"], "ci-connect");
        let db = NewDatabase::new("app").build().unwrap();
        assert_eq!(serde_json::to_value(&db).unwrap()["database"], "app");
    }

    #[test]
    fn a_new_project_makes_the_body_and_refuses_bad_names() {
        let body = NewProject::new("ci-project")
            .cloud("google-europe-west1")
            .account_id("a1234")
            .tag("team", "data")
            .build()
            .unwrap();
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["project"], "ci-project");
        assert_eq!(json["cloud"], "google-europe-west1");
        assert_eq!(json["account_id"], "a1234");
        assert_eq!(json["tags"]["team"], "data");
        for bad in ["", "../other", "a/b", &"p".repeat(64)] {
            let err = NewProject::new(bad).build().unwrap_err();
            assert_eq!(field_of(err), "project", "{bad:?}");
        }
        let err = NewProject::new("p").account_id("../x").build().unwrap_err();
        assert_eq!(field_of(err), "account_id");
    }

    #[test]
    fn bad_values_are_refused_naming_the_field() {
        let e = NewTopic::new("events").partitions(0).build().unwrap_err();
        assert_eq!(field_of(e), "partitions");
        // Over the description's maximum of 1,000,000: checked here.
        let e = NewTopic::new("events").partitions(2_000_000).build();
        assert_eq!(field_of(e.unwrap_err()), "partitions");
        let e = NewTopic::new("a/b").build().unwrap_err();
        assert_eq!(field_of(e), "topic_name");
        let e = NewTopic::new("events").cleanup_policy("forever").build();
        assert_eq!(field_of(e.unwrap_err()), "config");
        let e = NewService::new("Bad_Name", "pg", "startup-4").build();
        assert_eq!(field_of(e.unwrap_err()), "service_name");
        let e = NewService::new("ci-pg", "pg", "").build().unwrap_err();
        assert_eq!(field_of(e), "plan");
        let e = NewService::new("ci-pg", "pg", "startup-4")
            .disk_space_mb(0)
            .build();
        assert_eq!(field_of(e.unwrap_err()), "disk_space_mb");
        let e = NewService::new("ci-pg", "pg", "startup-4")
            .tag("", "x")
            .build();
        assert_eq!(field_of(e.unwrap_err()), "tags");
        let e = NewService::new("ci-pg", "pg", "startup-4")
            .project_vpc_id("short")
            .build();
        assert_eq!(field_of(e.unwrap_err()), "project_vpc_id");
        let e = NewConnectionPool::new("p", "app").mode("sometimes").build();
        assert_eq!(field_of(e.unwrap_err()), "pool_mode");
        let e = NewConnectionPool::new("p", "app").size(20_000).build();
        assert_eq!(field_of(e.unwrap_err()), "pool_size");
        let e = NewIntegration::new("carrier_pigeon", "a", "b").build();
        assert_eq!(field_of(e.unwrap_err()), "integration_type");
        let e = NewDatabase::new("x".repeat(41)).build().unwrap_err();
        assert_eq!(field_of(e), "database");
        let e = NewServiceUser::new("ci")
            .authentication("plaintext")
            .build();
        assert_eq!(field_of(e.unwrap_err()), "authentication");
    }
}
