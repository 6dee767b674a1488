//! The simulated account's state: data and its invariants.
//!
//! Everything here is plain data; states that change over time are
//! computed when rendered, from the timestamps stored here and the current
//! time (see [`crate::lifecycle`]). How it is rendered in the API's answers
//! is `handlers::render`; how it is stored and snapshotted, and which
//! versions of that format are read, is [`crate::format`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::catalog::{self, ServiceType};
use crate::clock::Millis;
use crate::lifecycle::{self, ServiceState, Transition};
use crate::rng::Rng;
use crate::tracked::TrackedMap;

/// Everything the simulator knows.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct State {
    /// Incremented by every change; persistence writes newer revisions only.
    pub revision: u64,
    /// Projects by name.
    pub projects: TrackedMap<Project>,
    /// The generator of identifiers, ports and passwords.
    pub rng: Rng,
    /// The generic model's items (see [`crate::generic`]): by collection
    /// path (parameters filled in, e.g. `/organization/o1/user-groups`),
    /// then by item key; settings paths keep theirs under the key `""`.
    #[serde(default, skip_serializing_if = "TrackedMap::is_empty")]
    pub generic: TrackedMap<BTreeMap<String, Value>>,
    /// The organization's VPCs by `organization_vpc_id` (the simulator has
    /// one organization).
    #[serde(default, skip_serializing_if = "TrackedMap::is_empty")]
    pub organization_vpcs: TrackedMap<Vpc>,
}

impl State {
    /// An empty account.
    pub fn new(seed: u64) -> Self {
        Self {
            revision: 0,
            projects: TrackedMap::default(),
            rng: Rng::new(seed ^ 0x05EE_D0FA_17E4),
            generic: TrackedMap::default(),
            organization_vpcs: TrackedMap::default(),
        }
    }

    /// A client certificate and key for a user of a Kafka service of
    /// `project` (`None` for other types, or a project without a CA).
    pub fn kafka_credentials(
        project: &Project,
        service_type: &str,
        username: &str,
    ) -> (Option<String>, Option<String>) {
        match (&project.ca, service_type) {
            (Some(ca), "kafka") => {
                let (cert, key) = ca.client_certificate(&project.name, username);
                (Some(cert), Some(key))
            }
            _ => (None, None),
        }
    }

    /// Gives every project that has none a CA (a state saved before the
    /// simulator made them); returns how many were made.
    pub fn fill_missing_cas(&mut self) -> usize {
        let mut made = 0;
        for (name, p) in self.projects.all_mut() {
            if p.ca.is_none() {
                p.ca = Some(crate::kms::ProjectCa::generate(name));
                made += 1;
            }
        }
        made
    }

    /// Removes the services whose type the catalogue no longer offers (a
    /// state saved by an older simulator may hold Cassandra, InfluxDB or M3
    /// services, retired in 2025); returns them as `project/service`.
    pub fn retire_unknown_types(&mut self) -> Vec<String> {
        let mut retired = Vec::new();
        for (project, p) in self.projects.all_mut() {
            p.services.retain(|name, s| {
                let known = catalog::service_type(&s.service_type).is_some();
                if !known {
                    retired.push(format!("{project}/{name} ({})", s.service_type));
                }
                known
            });
        }
        retired
    }
}

/// A project.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Project {
    /// Project name.
    pub name: String,
    /// Owning account.
    pub account_id: String,
    /// Owning organization.
    pub organization_id: String,
    /// Billing group.
    pub billing_group_id: String,
    /// The cloud services get when they name none.
    pub default_cloud: String,
    /// Resource tags.
    pub tags: Map<String, Value>,
    /// `[{email}]`.
    pub billing_emails: Vec<Value>,
    /// `[{email}]`.
    pub tech_emails: Vec<Value>,
    /// Billing details echoed as given (`billing_address`, `city`, …).
    pub details: Map<String, Value>,
    /// Creation time.
    pub create_time: Millis,
    /// Services by name (each its own record in the state file).
    pub services: TrackedMap<Service>,
    /// Service integrations by id (those created through this project).
    #[serde(default)]
    pub integrations: BTreeMap<String, Integration>,
    /// Integration endpoints (external systems) by id.
    #[serde(default)]
    pub endpoints: BTreeMap<String, Endpoint>,
    /// Project VPCs by id.
    #[serde(default)]
    pub vpcs: BTreeMap<String, Vpc>,
    /// The project CA, made when the project is created (or, for a state
    /// saved before there were CAs, when it is loaded).
    #[serde(default)]
    pub ca: Option<crate::kms::ProjectCa>,
    /// The event log, oldest first.
    #[serde(default)]
    pub events: Vec<Event>,
    /// The number of the last event logged.
    #[serde(default)]
    pub event_serial: u64,
}

/// One entry of the project event log.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Event {
    /// Event id.
    pub id: String,
    /// Who made the change.
    pub actor: String,
    /// What kind of change (`service_create`, …).
    pub event_type: String,
    /// What was done, in words.
    pub event_desc: String,
    /// The service concerned.
    pub service_name: String,
    /// When.
    pub time: Millis,
}

/// Maintenance window.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Maintenance {
    /// Day of week.
    pub dow: String,
    /// `HH:MM:SS`.
    pub time: String,
}

/// A service.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Service {
    /// Service name.
    pub name: String,
    /// Type code.
    pub service_type: String,
    /// Plan name.
    pub plan: String,
    /// Cloud name.
    pub cloud: String,
    /// Nodes (from the plan).
    pub node_count: u32,
    /// Disk space.
    pub disk_space_mb: u32,
    /// Type-specific settings.
    pub user_config: Map<String, Value>,
    /// Resource tags.
    pub tags: Map<String, Value>,
    /// Refuses delete and power-off while set.
    pub termination_protection: bool,
    /// The VPC, `None` for the public network.
    pub project_vpc_id: Option<String>,
    /// Maintenance window.
    pub maintenance: Maintenance,
    /// `[{email}]`: who gets the service's technical notifications.
    #[serde(default)]
    pub tech_emails: Vec<Value>,
    /// Creation time.
    pub create_time: Millis,
    /// Last change.
    pub update_time: Millis,
    /// Powered on.
    pub powered: bool,
    /// The change in progress, if any (kept after it is done).
    pub transition: Option<Transition>,
    /// When the service first became RUNNING (backups start then).
    pub first_running_ms: Millis,
    /// The port of its first component.
    pub port: u16,
    /// Kafka topics by name.
    pub topics: BTreeMap<String, Topic>,
    /// Logical databases.
    pub databases: Vec<String>,
    /// Service users by name.
    pub users: BTreeMap<String, ServiceUser>,
    /// PgBouncer connection pools by name (PostgreSQL only).
    #[serde(default)]
    pub pools: BTreeMap<String, ConnectionPool>,
    /// Aiven's own Kafka ACL entries, in the order added (Kafka only).
    #[serde(default)]
    pub kafka_acls: Vec<KafkaAcl>,
    /// Kafka Connect connectors by name (Kafka with Kafka Connect, or
    /// Kafka Connect).
    #[serde(default)]
    pub connectors: BTreeMap<String, Connector>,
    /// The Karapace schema registry of a Kafka service.
    #[serde(default)]
    pub schema_registry: SchemaRegistry,
    /// Kafka-native ACL entries, in the order added (Kafka only).
    #[serde(default)]
    pub kafka_native_acls: Vec<KafkaNativeAcl>,
    /// Kafka client quotas, in the order created (Kafka only).
    #[serde(default)]
    pub kafka_quotas: Vec<KafkaQuota>,
    /// OpenSearch indices by name; `None` until first changed, meaning the
    /// indices a new service has (see `handlers::opensearch`).
    #[serde(default)]
    pub opensearch_indices: Option<BTreeMap<String, OpenSearchIndex>>,
    /// OpenSearch's ACL configuration (`opensearch_acl_config`); `None`
    /// until first set: disabled, with no entries.
    #[serde(default)]
    pub opensearch_acl: Option<Value>,
}

/// A Kafka Connect connector.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Connector {
    /// Its name (`config.name`).
    pub name: String,
    /// Its configuration, as sent (`name`, `connector.class`, …).
    pub config: Map<String, Value>,
    /// `RUNNING`, `PAUSED` or `STOPPED`.
    pub state: String,
    /// Its task count (`tasks.max`).
    pub tasks: u32,
}

/// A schema of the registry, under its global id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegisteredSchema {
    /// The schema text.
    pub schema: String,
    /// `AVRO`, `JSON` or `PROTOBUF`.
    pub schema_type: String,
    /// `[{name, subject, version}]`.
    #[serde(default)]
    pub references: Vec<Value>,
}

/// A subject: its versions in order, each naming a global schema id.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Subject {
    /// `(version, schema id)`, ascending.
    pub versions: Vec<(u32, u32)>,
    /// The highest version ever given (versions are never reused).
    pub last_version: u32,
}

/// The Karapace schema registry of a Kafka service.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SchemaRegistry {
    /// Schemas by global id (from 1).
    #[serde(default)]
    pub schemas: BTreeMap<u32, RegisteredSchema>,
    /// Subjects by name.
    #[serde(default)]
    pub subjects: BTreeMap<String, Subject>,
    /// The global compatibility level; `None`: `BACKWARD`.
    #[serde(default)]
    pub compatibility: Option<String>,
    /// Subjects' own compatibility levels.
    #[serde(default)]
    pub subject_compatibility: BTreeMap<String, String>,
    /// Aiven's schema registry ACL entries added, in order.
    #[serde(default)]
    pub acls: Vec<SchemaRegistryAcl>,
}

/// One schema registry ACL entry (`ServiceSchemaRegistryAcl*`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaRegistryAcl {
    /// `acl` + hex.
    pub id: String,
    /// `schema_registry_read` or `schema_registry_write`.
    pub permission: String,
    /// `Config:` or `Subject:` + a subject name pattern.
    pub resource: String,
    /// User name pattern.
    pub username: String,
}

/// A PgBouncer connection pool of a PostgreSQL service.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ConnectionPool {
    /// Pool name: the database name clients connect to.
    pub name: String,
    /// The database it serves.
    pub database: String,
    /// The user it connects as; `None`: the connecting client's own.
    pub username: Option<String>,
    /// `session`, `transaction` or `statement`.
    pub mode: String,
    /// Server connections.
    pub size: i64,
}

/// A service integration endpoint: an external system integrations may
/// send to or read from.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Endpoint {
    /// `endpoint_id`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// One of the description's endpoint types.
    pub endpoint_type: String,
    /// Settings as given.
    pub user_config: Map<String, Value>,
}

/// A service integration.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Integration {
    /// `service_integration_id`.
    pub id: String,
    /// One of the description's integration types.
    pub integration_type: String,
    /// Source project.
    pub source_project: String,
    /// Source service, if the source is a service.
    pub source_service: Option<String>,
    /// Source service's type (or the endpoint's type).
    pub source_service_type: String,
    /// Source integration endpoint, if the source is an endpoint.
    pub source_endpoint_id: Option<String>,
    /// Destination project.
    pub dest_project: String,
    /// Destination service, if the destination is a service.
    pub dest_service: Option<String>,
    /// Destination service's type (or the endpoint's type).
    pub dest_service_type: String,
    /// Destination integration endpoint, if the destination is an endpoint.
    pub dest_endpoint_id: Option<String>,
    /// Integration settings as given.
    pub user_config: Map<String, Value>,
    /// Creation time.
    pub create_time: Millis,
    /// Status `starting` until then, `running` after.
    pub ready_ms: Millis,
}

impl Integration {
    /// Whether it involves the service `name` of `project`.
    pub fn involves(&self, project: &str, name: &str) -> bool {
        (self.source_project == project && self.source_service.as_deref() == Some(name))
            || (self.dest_project == project && self.dest_service.as_deref() == Some(name))
    }
}

/// A project VPC.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Vpc {
    /// `project_vpc_id`.
    pub id: String,
    /// Cloud.
    pub cloud_name: String,
    /// IPv4 network, `a.b.c.d/n`.
    pub network_cidr: String,
    /// Creation time.
    pub create_time: Millis,
    /// Last change.
    pub update_time: Millis,
    /// APPROVED until then, ACTIVE after.
    pub active_ms: Millis,
    /// Set by a delete: DELETING until then, gone after.
    pub deleted_ms: Option<Millis>,
    /// Peering connections, in creation order.
    pub peerings: Vec<Peering>,
    /// The name an organization VPC was given (project VPCs have none).
    #[serde(default)]
    pub display_name: Option<String>,
}

/// A VPC peering connection.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Peering {
    /// `peering_connection_id`.
    pub id: String,
    /// The peer's cloud account (AWS account, GCP project, Azure subscription).
    pub peer_cloud_account: String,
    /// The peer's VPC (or VNet) name.
    pub peer_vpc: String,
    /// The peer's region, if given.
    pub peer_region: Option<String>,
    /// Azure resource group (empty elsewhere).
    pub peer_resource_group: String,
    /// Azure app id (empty elsewhere).
    pub peer_azure_app_id: String,
    /// Azure tenant id (empty elsewhere).
    pub peer_azure_tenant_id: String,
    /// Extra peer networks routed through the connection.
    pub user_peer_network_cidrs: Vec<String>,
    /// Creation time.
    pub create_time: Millis,
    /// APPROVED until then, then PENDING_PEER (the peer has to accept).
    pub pending_ms: Millis,
    /// PENDING_PEER until then, ACTIVE after (the simulated peer accepts).
    pub active_ms: Millis,
    /// Set by a delete: DELETING until then, gone after.
    pub deleted_ms: Option<Millis>,
}

/// The VPC states at `now`: APPROVED (being built), ACTIVE, DELETING, and
/// `None` once a deletion is done.
pub fn vpc_state(
    active_ms: Millis,
    deleted_ms: Option<Millis>,
    now: Millis,
) -> Option<&'static str> {
    match deleted_ms {
        Some(d) if now >= d => None,
        Some(_) => Some("DELETING"),
        None if now < active_ms => Some("APPROVED"),
        None => Some("ACTIVE"),
    }
}

impl Peering {
    /// Its state at `now` (`None` once deleted).
    pub fn state(&self, now: Millis) -> Option<&'static str> {
        match self.deleted_ms {
            Some(d) if now >= d => None,
            Some(_) => Some("DELETING"),
            None if now < self.pending_ms => Some("APPROVED"),
            None if now < self.active_ms => Some("PENDING_PEER"),
            None => Some("ACTIVE"),
        }
    }
}

impl Vpc {
    /// Its state at `now` (`None` once deleted).
    pub fn state(&self, now: Millis) -> Option<&'static str> {
        vpc_state(self.active_ms, self.deleted_ms, now)
    }
}

/// A Kafka topic.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Topic {
    /// Topic name.
    pub name: String,
    /// Partitions.
    pub partitions: u32,
    /// Replication factor.
    pub replication: u32,
    /// Minimum in-sync replicas.
    pub min_insync_replicas: u32,
    /// Retention in bytes (-1: unlimited).
    pub retention_bytes: i64,
    /// Retention in hours.
    pub retention_hours: i64,
    /// `delete` or `compact`.
    pub cleanup_policy: String,
    /// `[{key, value}]`.
    pub tags: Vec<Value>,
    /// Topic configuration set by the user.
    pub config: Map<String, Value>,
    /// The user group owning the topic, if one was named.
    #[serde(default)]
    pub owner_user_group_id: Option<String>,
    /// The topic's description, if one was given.
    #[serde(default)]
    pub topic_description: Option<String>,
    /// CONFIGURING until then.
    pub ready_ms: Millis,
}

/// A service user.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ServiceUser {
    /// User name.
    pub username: String,
    /// Password.
    pub password: String,
    /// The service's primary user (cannot be deleted).
    pub primary: bool,
    /// MySQL authentication plugin.
    pub authentication: Option<String>,
    /// Access control settings as given.
    pub access_control: Option<Value>,
    /// Kafka: the client certificate (PEM) signed by the project CA.
    #[serde(default)]
    pub access_cert: Option<String>,
    /// Kafka: its private key (PEM).
    #[serde(default)]
    pub access_key: Option<String>,
}
impl Service {
    /// The catalog entry of its type.
    pub fn kind(&self) -> &'static ServiceType {
        catalog::service_type(&self.service_type).expect("stored services have known types")
    }

    /// Its state at `now`.
    pub fn state(&self, now: Millis) -> ServiceState {
        lifecycle::service_state(self.powered, self.transition.as_ref(), now)
    }

    /// The primary user.
    pub fn primary_user(&self) -> Option<&ServiceUser> {
        self.users.values().find(|u| u.primary)
    }

    /// Its DNS name.
    pub fn host(&self, project: &str) -> String {
        format!("{}-{}.a.aivencloud.com", self.name, project)
    }
}

/// One Aiven Kafka ACL entry (`ServiceKafkaAcl*`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KafkaAcl {
    /// `acl` + hex.
    pub id: String,
    /// `admin`, `read`, `readwrite` or `write`.
    pub permission: String,
    /// Topic name pattern.
    pub topic: String,
    /// User name pattern.
    pub username: String,
}

/// One Kafka-native ACL entry (`ServiceKafkaNativeAcl*`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KafkaNativeAcl {
    /// `acl` + hex.
    pub id: String,
    /// `*` or a host.
    pub host: String,
    /// `Read`, `Write`, …
    pub operation: String,
    /// `LITERAL` or `PREFIXED`.
    pub pattern_type: String,
    /// `ALLOW` or `DENY`.
    pub permission_type: String,
    /// `User:name`.
    pub principal: String,
    /// The resource name or prefix.
    pub resource_name: String,
    /// `Topic`, `Group`, …
    pub resource_type: String,
}

/// One Kafka client quota (`ServiceKafkaQuota*`), keyed by user and
/// client-id (an empty string stands for the default of either).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KafkaQuota {
    /// The user the quota applies to (`""`: any).
    pub user: String,
    /// The client-id it applies to (`""`: any).
    pub client_id: String,
    /// Bytes/second per broker consumers may fetch.
    pub consumer_byte_rate: f64,
    /// Bytes/second per broker producers may send.
    pub producer_byte_rate: f64,
    /// Share of request handler time, percent.
    pub request_percentage: f64,
}

/// One OpenSearch index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenSearchIndex {
    /// When it was created.
    pub create_time: Millis,
    /// Documents in it.
    pub docs: i64,
    /// Bytes on disk.
    pub size: i64,
    /// Shards.
    pub number_of_shards: u32,
    /// Replicas.
    pub number_of_replicas: u32,
    /// Open (`false`: closed).
    pub open: bool,
}
