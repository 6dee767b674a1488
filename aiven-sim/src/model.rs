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

/// The one organization's id: every project belongs to it.
pub const ORGANIZATION_ID: &str = "org4a1b2c3d4e5";

/// Everything the simulator knows.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct State {
    /// Incremented by every change; persistence writes newer revisions only.
    pub(crate) revision: u64,
    /// Projects by name.
    pub(crate) projects: TrackedMap<Project>,
    /// The generator of identifiers, ports and passwords.
    pub(crate) rng: Rng,
    /// The generic model's items (see [`crate::generic`]): by collection
    /// path (parameters filled in, e.g. `/organization/o1/user-groups`),
    /// then by item key; settings paths keep theirs under the key `""`.
    #[serde(default, skip_serializing_if = "TrackedMap::is_empty")]
    pub(crate) generic: TrackedMap<BTreeMap<String, Value>>,
    /// The organization's VPCs by `organization_vpc_id` (the simulator has
    /// one organization).
    #[serde(default, skip_serializing_if = "TrackedMap::is_empty")]
    pub(crate) organization_vpcs: TrackedMap<Vpc>,
}

impl State {
    /// An empty account.
    pub(crate) fn new(seed: u64) -> Self {
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
    pub(crate) fn kafka_credentials(
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
    pub(crate) fn fill_missing_cas(&mut self) -> usize {
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
    pub(crate) fn retire_unknown_types(&mut self) -> Vec<String> {
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
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Project {
    /// Project name.
    pub(crate) name: String,
    /// Owning account.
    pub(crate) account_id: String,
    /// Owning organization.
    pub(crate) organization_id: String,
    /// Billing group.
    pub(crate) billing_group_id: String,
    /// The cloud services get when they name none.
    pub(crate) default_cloud: String,
    /// Resource tags.
    pub(crate) tags: Map<String, Value>,
    /// `[{email}]`.
    pub(crate) billing_emails: Vec<Value>,
    /// `[{email}]`.
    pub(crate) tech_emails: Vec<Value>,
    /// Billing details echoed as given (`billing_address`, `city`, …).
    pub(crate) details: Map<String, Value>,
    /// Creation time.
    pub(crate) create_time: Millis,
    /// Services by name (each its own record in the state file).
    pub(crate) services: TrackedMap<Service>,
    /// Service integrations by id (those created through this project).
    #[serde(default)]
    pub(crate) integrations: BTreeMap<String, Integration>,
    /// Integration endpoints (external systems) by id.
    #[serde(default)]
    pub(crate) endpoints: BTreeMap<String, Endpoint>,
    /// Project VPCs by id.
    #[serde(default)]
    pub(crate) vpcs: BTreeMap<String, Vpc>,
    /// The project CA, made when the project is created (or, for a state
    /// saved before there were CAs, when it is loaded).
    #[serde(default)]
    pub(crate) ca: Option<crate::kms::ProjectCa>,
    /// The event log, oldest first.
    #[serde(default)]
    pub(crate) events: Vec<Event>,
    /// The number of the last event logged.
    #[serde(default)]
    pub(crate) event_serial: u64,
}

/// One entry of the project event log.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Event {
    /// Event id.
    pub(crate) id: String,
    /// Who made the change.
    pub(crate) actor: String,
    /// What kind of change (`service_create`, …).
    pub(crate) event_type: String,
    /// What was done, in words.
    pub(crate) event_desc: String,
    /// The service concerned.
    pub(crate) service_name: String,
    /// When.
    pub(crate) time: Millis,
}

/// Maintenance window.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Maintenance {
    /// Day of week.
    pub(crate) dow: String,
    /// `HH:MM:SS`.
    pub(crate) time: String,
}

/// A service.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Service {
    /// Service name.
    pub(crate) name: String,
    /// Type code.
    pub(crate) service_type: String,
    /// Plan name.
    pub(crate) plan: String,
    /// Cloud name.
    pub(crate) cloud: String,
    /// Nodes (from the plan).
    pub(crate) node_count: u32,
    /// Disk space.
    pub(crate) disk_space_mb: u32,
    /// Type-specific settings.
    pub(crate) user_config: Map<String, Value>,
    /// Resource tags.
    pub(crate) tags: Map<String, Value>,
    /// Refuses delete and power-off while set.
    pub(crate) termination_protection: bool,
    /// The VPC, `None` for the public network.
    pub(crate) project_vpc_id: Option<String>,
    /// Maintenance window.
    pub(crate) maintenance: Maintenance,
    /// `[{email}]`: who gets the service's technical notifications.
    #[serde(default)]
    pub(crate) tech_emails: Vec<Value>,
    /// Creation time.
    pub(crate) create_time: Millis,
    /// Last change.
    pub(crate) update_time: Millis,
    /// Powered on.
    pub(crate) powered: bool,
    /// The change in progress, if any (kept after it is done).
    pub(crate) transition: Option<Transition>,
    /// When the service first became RUNNING (backups start then).
    pub(crate) first_running_ms: Millis,
    /// The port of its first component.
    pub(crate) port: u16,
    /// Kafka topics by name.
    pub(crate) topics: BTreeMap<String, Topic>,
    /// Logical databases.
    pub(crate) databases: Vec<String>,
    /// Service users by name.
    pub(crate) users: BTreeMap<String, ServiceUser>,
    /// PgBouncer connection pools by name (PostgreSQL only).
    #[serde(default)]
    pub(crate) pools: BTreeMap<String, ConnectionPool>,
    /// Aiven's own Kafka ACL entries, in the order added (Kafka only).
    #[serde(default)]
    pub(crate) kafka_acls: Vec<KafkaAcl>,
    /// Kafka Connect connectors by name (Kafka with Kafka Connect, or
    /// Kafka Connect).
    #[serde(default)]
    pub(crate) connectors: BTreeMap<String, Connector>,
    /// The Karapace schema registry of a Kafka service.
    #[serde(default)]
    pub(crate) schema_registry: SchemaRegistry,
    /// Kafka-native ACL entries, in the order added (Kafka only).
    #[serde(default)]
    pub(crate) kafka_native_acls: Vec<KafkaNativeAcl>,
    /// Kafka client quotas, in the order created (Kafka only).
    #[serde(default)]
    pub(crate) kafka_quotas: Vec<KafkaQuota>,
    /// OpenSearch indices by name; `None` until first changed, meaning the
    /// indices a new service has (see `handlers::opensearch`).
    #[serde(default)]
    pub(crate) opensearch_indices: Option<BTreeMap<String, OpenSearchIndex>>,
    /// OpenSearch's ACL configuration (`opensearch_acl_config`); `None`
    /// until first set: disabled, with no entries.
    #[serde(default)]
    pub(crate) opensearch_acl: Option<Value>,
}

/// A Kafka Connect connector.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Connector {
    /// Its name (`config.name`).
    pub(crate) name: String,
    /// Its configuration, as sent (`name`, `connector.class`, …).
    pub(crate) config: Map<String, Value>,
    /// `RUNNING`, `PAUSED` or `STOPPED`.
    pub(crate) state: String,
    /// Its task count (`tasks.max`).
    pub(crate) tasks: u32,
}

/// A schema of the registry, under its global id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct RegisteredSchema {
    /// The schema text.
    pub(crate) schema: String,
    /// `AVRO`, `JSON` or `PROTOBUF`.
    pub(crate) schema_type: String,
    /// `[{name, subject, version}]`.
    #[serde(default)]
    pub(crate) references: Vec<Value>,
}

/// A subject: its versions in order, each naming a global schema id.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Subject {
    /// `(version, schema id)`, ascending.
    pub(crate) versions: Vec<(u32, u32)>,
    /// The highest version ever given (versions are never reused).
    pub(crate) last_version: u32,
}

/// The Karapace schema registry of a Kafka service.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct SchemaRegistry {
    /// Schemas by global id (from 1).
    #[serde(default)]
    pub(crate) schemas: BTreeMap<u32, RegisteredSchema>,
    /// Subjects by name.
    #[serde(default)]
    pub(crate) subjects: BTreeMap<String, Subject>,
    /// The global compatibility level; `None`: `BACKWARD`.
    #[serde(default)]
    pub(crate) compatibility: Option<String>,
    /// Subjects' own compatibility levels.
    #[serde(default)]
    pub(crate) subject_compatibility: BTreeMap<String, String>,
    /// Aiven's schema registry ACL entries added, in order.
    #[serde(default)]
    pub(crate) acls: Vec<SchemaRegistryAcl>,
}

/// One schema registry ACL entry (`ServiceSchemaRegistryAcl*`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct SchemaRegistryAcl {
    /// `acl` + hex.
    pub(crate) id: String,
    /// `schema_registry_read` or `schema_registry_write`.
    pub(crate) permission: String,
    /// `Config:` or `Subject:` + a subject name pattern.
    pub(crate) resource: String,
    /// User name pattern.
    pub(crate) username: String,
}

/// A PgBouncer connection pool of a PostgreSQL service.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct ConnectionPool {
    /// Pool name: the database name clients connect to.
    pub(crate) name: String,
    /// The database it serves.
    pub(crate) database: String,
    /// The user it connects as; `None`: the connecting client's own.
    pub(crate) username: Option<String>,
    /// `session`, `transaction` or `statement`.
    pub(crate) mode: String,
    /// Server connections.
    pub(crate) size: i64,
}

/// A service integration endpoint: an external system integrations may
/// send to or read from.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Endpoint {
    /// `endpoint_id`.
    pub(crate) id: String,
    /// Its name.
    pub(crate) name: String,
    /// One of the description's endpoint types.
    pub(crate) endpoint_type: String,
    /// Settings as given.
    pub(crate) user_config: Map<String, Value>,
}

/// A service integration.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Integration {
    /// `service_integration_id`.
    pub(crate) id: String,
    /// One of the description's integration types.
    pub(crate) integration_type: String,
    /// Source project.
    pub(crate) source_project: String,
    /// Source service, if the source is a service.
    pub(crate) source_service: Option<String>,
    /// Source service's type (or the endpoint's type).
    pub(crate) source_service_type: String,
    /// Source integration endpoint, if the source is an endpoint.
    pub(crate) source_endpoint_id: Option<String>,
    /// Destination project.
    pub(crate) dest_project: String,
    /// Destination service, if the destination is a service.
    pub(crate) dest_service: Option<String>,
    /// Destination service's type (or the endpoint's type).
    pub(crate) dest_service_type: String,
    /// Destination integration endpoint, if the destination is an endpoint.
    pub(crate) dest_endpoint_id: Option<String>,
    /// Integration settings as given.
    pub(crate) user_config: Map<String, Value>,
    /// Creation time.
    pub(crate) create_time: Millis,
    /// Status `starting` until then, `running` after.
    pub(crate) ready_ms: Millis,
}

impl Integration {
    /// Whether it involves the service `name` of `project`.
    pub(crate) fn involves(&self, project: &str, name: &str) -> bool {
        (self.source_project == project && self.source_service.as_deref() == Some(name))
            || (self.dest_project == project && self.dest_service.as_deref() == Some(name))
    }
}

/// A project VPC.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Vpc {
    /// `project_vpc_id`.
    pub(crate) id: String,
    /// Cloud.
    pub(crate) cloud_name: String,
    /// IPv4 network, `a.b.c.d/n`.
    pub(crate) network_cidr: String,
    /// Creation time.
    pub(crate) create_time: Millis,
    /// Last change.
    pub(crate) update_time: Millis,
    /// APPROVED until then, ACTIVE after.
    pub(crate) active_ms: Millis,
    /// Set by a delete: DELETING until then, gone after.
    pub(crate) deleted_ms: Option<Millis>,
    /// Peering connections, in creation order.
    pub(crate) peerings: Vec<Peering>,
    /// The name an organization VPC was given (project VPCs have none).
    #[serde(default)]
    pub(crate) display_name: Option<String>,
}

/// A VPC peering connection.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Peering {
    /// `peering_connection_id`.
    pub(crate) id: String,
    /// The peer's cloud account (AWS account, GCP project, Azure subscription).
    pub(crate) peer_cloud_account: String,
    /// The peer's VPC (or VNet) name.
    pub(crate) peer_vpc: String,
    /// The peer's region, if given.
    pub(crate) peer_region: Option<String>,
    /// Azure resource group (empty elsewhere).
    pub(crate) peer_resource_group: String,
    /// Azure app id (empty elsewhere).
    pub(crate) peer_azure_app_id: String,
    /// Azure tenant id (empty elsewhere).
    pub(crate) peer_azure_tenant_id: String,
    /// Extra peer networks routed through the connection.
    pub(crate) user_peer_network_cidrs: Vec<String>,
    /// Creation time.
    pub(crate) create_time: Millis,
    /// APPROVED until then, then PENDING_PEER (the peer has to accept).
    pub(crate) pending_ms: Millis,
    /// PENDING_PEER until then, ACTIVE after (the simulated peer accepts).
    pub(crate) active_ms: Millis,
    /// Set by a delete: DELETING until then, gone after.
    pub(crate) deleted_ms: Option<Millis>,
}

/// The VPC states at `now`: APPROVED (being built), ACTIVE, DELETING, and
/// `None` once a deletion is done.
pub(crate) fn vpc_state(
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
    pub(crate) fn state(&self, now: Millis) -> Option<&'static str> {
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
    pub(crate) fn state(&self, now: Millis) -> Option<&'static str> {
        vpc_state(self.active_ms, self.deleted_ms, now)
    }
}

/// A Kafka topic.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct Topic {
    /// Topic name.
    pub(crate) name: String,
    /// Partitions.
    pub(crate) partitions: u32,
    /// Replication factor.
    pub(crate) replication: u32,
    /// Minimum in-sync replicas.
    pub(crate) min_insync_replicas: u32,
    /// Retention in bytes (-1: unlimited).
    pub(crate) retention_bytes: i64,
    /// Retention in hours.
    pub(crate) retention_hours: i64,
    /// `delete` or `compact`.
    pub(crate) cleanup_policy: String,
    /// `[{key, value}]`.
    pub(crate) tags: Vec<Value>,
    /// Topic configuration set by the user.
    pub(crate) config: Map<String, Value>,
    /// The user group owning the topic, if one was named.
    #[serde(default)]
    pub(crate) owner_user_group_id: Option<String>,
    /// The topic's description, if one was given.
    #[serde(default)]
    pub(crate) topic_description: Option<String>,
    /// CONFIGURING until then.
    pub(crate) ready_ms: Millis,
}

/// A service user.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct ServiceUser {
    /// User name.
    pub(crate) username: String,
    /// Password.
    pub(crate) password: String,
    /// The service's primary user (cannot be deleted).
    pub(crate) primary: bool,
    /// MySQL authentication plugin.
    pub(crate) authentication: Option<String>,
    /// Access control settings as given.
    pub(crate) access_control: Option<Value>,
    /// Kafka: the client certificate (PEM) signed by the project CA.
    #[serde(default)]
    pub(crate) access_cert: Option<String>,
    /// Kafka: its private key (PEM).
    #[serde(default)]
    pub(crate) access_key: Option<String>,
}
impl Service {
    /// The catalog entry of its type.
    pub(crate) fn kind(&self) -> &'static ServiceType {
        catalog::service_type(&self.service_type).expect("stored services have known types")
    }

    /// Its state at `now`.
    pub(crate) fn state(&self, now: Millis) -> ServiceState {
        lifecycle::service_state(self.powered, self.transition.as_ref(), now)
    }

    /// The primary user.
    pub(crate) fn primary_user(&self) -> Option<&ServiceUser> {
        self.users.values().find(|u| u.primary)
    }

    /// Its DNS name.
    pub(crate) fn host(&self, project: &str) -> String {
        format!("{}-{}.a.aivencloud.com", self.name, project)
    }
}

/// One Aiven Kafka ACL entry (`ServiceKafkaAcl*`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct KafkaAcl {
    /// `acl` + hex.
    pub(crate) id: String,
    /// `admin`, `read`, `readwrite` or `write`.
    pub(crate) permission: String,
    /// Topic name pattern.
    pub(crate) topic: String,
    /// User name pattern.
    pub(crate) username: String,
}

/// One Kafka-native ACL entry (`ServiceKafkaNativeAcl*`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct KafkaNativeAcl {
    /// `acl` + hex.
    pub(crate) id: String,
    /// `*` or a host.
    pub(crate) host: String,
    /// `Read`, `Write`, …
    pub(crate) operation: String,
    /// `LITERAL` or `PREFIXED`.
    pub(crate) pattern_type: String,
    /// `ALLOW` or `DENY`.
    pub(crate) permission_type: String,
    /// `User:name`.
    pub(crate) principal: String,
    /// The resource name or prefix.
    pub(crate) resource_name: String,
    /// `Topic`, `Group`, …
    pub(crate) resource_type: String,
}

/// One Kafka client quota (`ServiceKafkaQuota*`), keyed by user and
/// client-id (an empty string stands for the default of either).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct KafkaQuota {
    /// The user the quota applies to (`""`: any).
    pub(crate) user: String,
    /// The client-id it applies to (`""`: any).
    pub(crate) client_id: String,
    /// Bytes/second per broker consumers may fetch.
    pub(crate) consumer_byte_rate: f64,
    /// Bytes/second per broker producers may send.
    pub(crate) producer_byte_rate: f64,
    /// Share of request handler time, percent.
    pub(crate) request_percentage: f64,
}

/// One OpenSearch index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub(crate) struct OpenSearchIndex {
    /// When it was created.
    pub(crate) create_time: Millis,
    /// Documents in it.
    pub(crate) docs: i64,
    /// Bytes on disk.
    pub(crate) size: i64,
    /// Shards.
    pub(crate) number_of_shards: u32,
    /// Replicas.
    pub(crate) number_of_replicas: u32,
    /// Open (`false`: closed).
    pub(crate) open: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::tests::populated;
    use crate::tracked::Changed;

    #[test]
    fn a_new_state_is_empty_and_seeded() {
        let a = State::new(7);
        assert_eq!(a.revision, 0);
        assert!(a.projects.is_empty() && a.generic.is_empty());
        assert!(a.organization_vpcs.is_empty());
        let (mut a, mut b, mut c) = (a.rng, State::new(7).rng, State::new(8).rng);
        let first = a.next_u64();
        assert_eq!(first, b.next_u64(), "the same seed, the same identifiers");
        assert_ne!(first, c.next_u64());
    }

    #[test]
    fn retiring_unknown_types_removes_only_those_services_and_marks_them() {
        let mut state = populated();
        let p = state.projects.get_mut("p").unwrap();
        let mut old = p.services["pg1"].clone();
        old.name = "old".into();
        old.service_type = "cassandra".into();
        p.services.insert("old".into(), old);
        state.projects.saved(|p| p.services.saved(|_| {}));

        let retired = state.retire_unknown_types();
        assert_eq!(retired, ["p/old (cassandra)"]);
        let kept: Vec<&String> = state.projects["p"].services.keys().collect();
        assert_eq!(kept, ["kafka1", "pg1"]);
        // The project was borrowed whole; its services map marks the removal.
        assert_eq!(state.projects.changed(), &Changed::All);
        assert_eq!(
            state.projects["p"].services.changed(),
            &Changed::Keys(["old".to_string()].into())
        );
        assert!(
            state.retire_unknown_types().is_empty(),
            "nothing left to retire"
        );
    }

    #[test]
    fn missing_cas_are_made_once_and_kept() {
        let mut state = populated();
        let kept = state.projects["p"].ca.as_ref().unwrap().cert_pem.clone();
        state.projects.get_mut("q").unwrap().ca = None;
        assert_eq!(state.fill_missing_cas(), 1);
        assert!(state.projects["q"].ca.is_some());
        assert_eq!(state.projects["p"].ca.as_ref().unwrap().cert_pem, kept);
        assert_eq!(state.fill_missing_cas(), 0);
    }

    #[test]
    fn removing_a_service_leaves_the_others_and_marks_only_it() {
        let mut state = populated();
        state.projects.saved(|p| p.services.saved(|_| {}));
        let removed = state
            .projects
            .get_mut("p")
            .unwrap()
            .services
            .remove("pg1")
            .expect("it was there");
        assert_eq!(removed.name, "pg1");
        let p = &state.projects["p"];
        assert_eq!(p.services.keys().collect::<Vec<_>>(), ["kafka1"]);
        assert_eq!(
            p.services.changed(),
            &Changed::Keys(["pg1".to_string()].into())
        );
        assert_eq!(
            state.projects.changed(),
            &Changed::Keys(["p".to_string()].into())
        );
        // Its integrations are found by the names they hold.
        let i = &p.integrations["i1"];
        assert!(i.involves("p", "pg1") && i.involves("p", "kafka1"));
        assert!(!i.involves("q", "pg1") && !i.involves("p", "other"));
    }

    #[test]
    fn vpc_and_peering_states_follow_their_times() {
        let state = populated();
        let vpc = &state.projects["p"].vpcs["vpc1"];
        assert_eq!(vpc.state(2), Some("APPROVED"));
        assert_eq!(vpc.state(3), Some("ACTIVE"));
        assert_eq!(vpc_state(3, Some(10), 5), Some("DELETING"));
        assert_eq!(vpc_state(3, Some(10), 10), None, "gone once deleted");
        let peering = &vpc.peerings[0];
        assert_eq!(peering.state(1), Some("APPROVED"));
        assert_eq!(peering.state(2), Some("PENDING_PEER"));
        assert_eq!(peering.state(3), Some("ACTIVE"));
    }

    #[test]
    fn a_service_knows_its_type_state_and_primary_user() {
        let state = populated();
        let pg = &state.projects["p"].services["pg1"];
        assert_eq!(pg.kind().name, "pg");
        assert_eq!(pg.state(4_999), ServiceState::Rebuilding);
        assert_eq!(pg.state(5_000), ServiceState::Running);
        assert_eq!(
            pg.primary_user().map(|u| u.username.as_str()),
            Some("avnadmin")
        );
        assert_eq!(pg.host("p"), "pg1-p.a.aivencloud.com");
    }

    #[test]
    fn kafka_credentials_are_made_for_kafka_users_of_a_project_with_a_ca() {
        let mut state = populated();
        let p = &state.projects["p"];
        let (cert, key) = State::kafka_credentials(p, "kafka", "app");
        assert!(cert.unwrap().starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(key.unwrap().contains("PRIVATE KEY"));
        assert_eq!(State::kafka_credentials(p, "pg", "app"), (None, None));
        state.projects.get_mut("q").unwrap().ca = None;
        let q = &state.projects["q"];
        assert_eq!(State::kafka_credentials(q, "kafka", "app"), (None, None));
    }
}
