//! The simulated account's state, and how it is rendered in the
//! description's response shapes.
//!
//! Everything here is plain data (serializable, for `--state FILE`); states
//! that change over time are computed when rendered, from the timestamps
//! stored here and the current time (see [`crate::lifecycle`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::catalog::{self, ServiceType, UriStyle};
use crate::clock::{format_time, Millis};
use crate::lifecycle::{self, ServiceState, Transition};
use crate::rng::Rng;

/// Everything the simulator knows.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct State {
    /// Incremented by every change; persistence writes newer revisions only.
    pub revision: u64,
    /// Projects by name.
    pub projects: BTreeMap<String, Project>,
    /// The generator of identifiers, ports and passwords.
    pub rng: Rng,
    /// The generic model's items (see [`crate::generic`]): by collection
    /// path (parameters filled in, e.g. `/organization/o1/user-groups`),
    /// then by item key; settings paths keep theirs under the key `""`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub generic: BTreeMap<String, BTreeMap<String, Value>>,
}

impl State {
    /// An empty account.
    pub fn new(seed: u64) -> Self {
        Self {
            revision: 0,
            projects: BTreeMap::new(),
            rng: Rng::new(seed ^ 0x05EE_D0FA_17E4),
            generic: BTreeMap::new(),
        }
    }

    /// Removes the services whose type the catalogue no longer offers (a
    /// state saved by an older simulator may hold Cassandra, InfluxDB or M3
    /// services, retired in 2025); returns them as `project/service`.
    pub fn retire_unknown_types(&mut self) -> Vec<String> {
        let mut retired = Vec::new();
        for (project, p) in &mut self.projects {
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
    /// Services by name.
    pub services: BTreeMap<String, Service>,
}

/// The billing details a project echoes, with their defaults.
pub const PROJECT_DETAILS: &[(&str, &str)] = &[
    ("billing_address", ""),
    ("billing_currency", "USD"),
    ("billing_extra_text", ""),
    ("city", ""),
    ("company", ""),
    ("country_code", ""),
    ("state", ""),
    ("vat_id", ""),
    ("zip_code", ""),
];

impl Project {
    /// The `project` object of `ProjectGet`.
    pub fn to_json(&self) -> Value {
        let mut p = json!({
            "account_id": self.account_id,
            "account_name": "Simulated account",
            "address_lines": self.details.get("address_lines").cloned().unwrap_or(json!([])),
            "available_credits": "0.00",
            "billing_emails": self.billing_emails,
            "billing_group_id": self.billing_group_id,
            "billing_group_name": format!("{} billing", self.name),
            "country": "",
            "default_cloud": self.default_cloud,
            "estimated_balance": "0.00",
            "estimated_balance_local": "0.00",
            "features": {},
            "organization_id": self.organization_id,
            "payment_method": "no_payment_expected",
            "project_name": self.name,
            "tags": self.tags,
            "tech_emails": self.tech_emails,
        });
        for (key, default) in PROJECT_DETAILS {
            p[*key] = self.details.get(*key).cloned().unwrap_or(json!(default));
        }
        p
    }
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
}

impl ServiceUser {
    /// The `user` object of `ServiceUserGet`.
    pub fn to_json(&self) -> Value {
        let mut u = json!({
            "username": self.username,
            "password": self.password,
            "type": if self.primary { "primary" } else { "normal" },
        });
        if let Some(a) = &self.authentication {
            u["authentication"] = json!(a);
        }
        if let Some(a) = &self.access_control {
            u["access_control"] = a.clone();
        }
        u
    }
}

impl Topic {
    /// The entry of `ServiceKafkaTopicList` and of the service's `topics`.
    /// `owner_user_group_id` and `topic_description` are sent only when set
    /// (see `conformance::PUBLISHED_EXCEPTIONS`).
    pub fn summary_json(&self, now: Millis) -> Value {
        let mut t = json!({
            "cleanup_policy": self.cleanup_policy,
            "min_insync_replicas": self.min_insync_replicas,
            "partitions": self.partitions,
            "remote_storage_enable": false,
            "replication": self.replication,
            "retention_bytes": self.retention_bytes,
            "retention_hours": self.retention_hours,
            "state": lifecycle::topic_state(self.ready_ms, now),
            "tags": self.tags,
            "topic_name": self.name,
        });
        if let Some(owner) = &self.owner_user_group_id {
            t["owner_user_group_id"] = json!(owner);
        }
        if let Some(description) = &self.topic_description {
            t["topic_description"] = json!(description);
        }
        t
    }

    /// The `topic` object of `ServiceKafkaTopicGet`.
    pub fn detail_json(&self, now: Millis) -> Value {
        let mut config = Map::new();
        let entry = |value: Value, set: bool| {
            json!({
                "source": if set { "topic_config" } else { "default_config" },
                "synonyms": [],
                "value": value,
            })
        };
        let retention_ms = if self.retention_hours < 0 {
            -1
        } else {
            self.retention_hours.saturating_mul(3_600_000)
        };
        for (k, v) in [
            ("cleanup_policy", json!(self.cleanup_policy)),
            ("min_insync_replicas", json!(self.min_insync_replicas)),
            ("retention_bytes", json!(self.retention_bytes)),
            ("retention_ms", json!(retention_ms)),
        ] {
            config.insert(k.into(), entry(v, false));
        }
        for (k, v) in &self.config {
            config.insert(k.clone(), entry(v.clone(), true));
        }
        let partitions: Vec<Value> = (0..self.partitions)
            .map(|i| {
                json!({
                    "consumer_groups": [],
                    "earliest_offset": 0,
                    "isr": self.replication,
                    "latest_offset": 0,
                    "partition": i,
                    "size": 0,
                })
            })
            .collect();
        let mut t = self.summary_json(now);
        t["config"] = Value::Object(config);
        t["partitions"] = json!(partitions);
        t
    }
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

    /// `service_uri` and `service_uri_params`.
    pub fn uri(&self, project: &str) -> (String, Value) {
        let host = self.host(project);
        let port = self.port;
        let (user, password) = self
            .primary_user()
            .map(|u| (u.username.as_str(), u.password.as_str()))
            .unwrap_or(("avnadmin", ""));
        let params = |extra: Value| {
            let mut p = json!({
                "host": host,
                "port": port.to_string(),
                "user": user,
                "password": password,
            });
            if let (Some(p), Value::Object(e)) = (p.as_object_mut(), extra) {
                p.extend(e);
            }
            p
        };
        match self.kind().uri {
            UriStyle::Postgres => (
                format!("postgres://{user}:{password}@{host}:{port}/defaultdb?sslmode=require"),
                params(json!({"dbname": "defaultdb", "sslmode": "require"})),
            ),
            UriStyle::Mysql => (
                format!("mysql://{user}:{password}@{host}:{port}/defaultdb?ssl-mode=REQUIRED"),
                params(json!({"dbname": "defaultdb", "ssl-mode": "REQUIRED"})),
            ),
            UriStyle::Redis => (
                format!("rediss://{user}:{password}@{host}:{port}"),
                params(json!({})),
            ),
            UriStyle::HostPort => (
                format!("{host}:{port}"),
                json!({"host": host, "port": port.to_string()}),
            ),
            UriStyle::Https => (
                format!("https://{user}:{password}@{host}:{port}"),
                params(json!({})),
            ),
            UriStyle::HttpsDb => (
                format!("https://{user}:{password}@{host}:{port}/defaultdb"),
                params(json!({"dbname": "defaultdb"})),
            ),
        }
    }

    /// The backups that exist at `now`: the first when the service first
    /// ran (or `no_backup_for_ms` later), then one per backup interval,
    /// the newest `max_count` kept.
    pub fn backups(&self, project: &str, now: Millis, no_backup_for_ms: Millis) -> Vec<Value> {
        let kind = self.kind();
        let interval = i64::from(kind.backup_interval_hours) * 3_600_000;
        let keep = catalog::plan(kind, &self.plan).map_or(0, |p| p.backup_max_count);
        let first = self.first_running_ms.saturating_add(no_backup_for_ms);
        if interval == 0 || keep == 0 || now < first {
            return Vec::new();
        }
        let last = (now - first) / interval;
        let from = (last - i64::from(keep) + 1).max(0);
        (from..=last)
            .map(|k| {
                let t = first + k * interval;
                let stamp = chrono::DateTime::from_timestamp_millis(t)
                    .unwrap_or_default()
                    .format("%Y-%m-%d_%H-%M");
                json!({
                    "backup_name": format!("{stamp}_{k}.{}", self.service_type),
                    "backup_time": format_time(t),
                    "data_size": 16_777_216 + k * 1_048_576,
                    "storage_location": format!("s3://aiven-sim-backups/{project}/{}", self.name),
                })
            })
            .collect()
    }

    /// The `service` object of `ServiceGet`.
    pub fn to_json(&self, project: &Project, now: Millis, no_backup_for_ms: Millis) -> Value {
        let kind = self.kind();
        let plan = catalog::plan(kind, &self.plan);
        let cloud = catalog::cloud_by_name(&self.cloud);
        let host = self.host(&project.name);
        let (service_uri, service_uri_params) = self.uri(&project.name);
        let components: Vec<Value> = kind
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| {
                json!({
                    "component": c,
                    "host": host,
                    "port": u32::from(self.port) + i as u32,
                    "route": "dynamic",
                    "ssl": true,
                    "usage": "primary",
                })
            })
            .collect();
        let nodes = lifecycle::node_states(
            &self.name,
            self.node_count,
            self.powered,
            self.transition.as_ref(),
            now,
        );
        let node_states: Vec<Value> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let mut v = json!({
                    "availability_zone": availability_zone(&self.cloud, i),
                    "name": n.name,
                    "progress_updates": [],
                    "state": n.state,
                });
                if kind.roles {
                    v["role"] = json!(if i == 0 { "master" } else { "standby" });
                }
                v
            })
            .collect();
        let mut connection_info = Map::new();
        connection_info.insert(kind.name.into(), json!([service_uri]));
        if matches!(kind.uri, UriStyle::Postgres | UriStyle::Mysql) {
            connection_info.insert(format!("{}_params", kind.name), json!([service_uri_params]));
        }
        let version = self
            .user_config
            .get(&catalog::version_key(kind))
            .cloned()
            .unwrap_or(json!(kind.default_version));
        let mut s = json!({
            "backups": self.backups(&project.name, now, no_backup_for_ms),
            "cloud_description": cloud.map(|c| c.description).unwrap_or(""),
            "cloud_name": self.cloud,
            "components": components,
            "connection_info": connection_info,
            "create_time": format_time(self.create_time),
            "disk_space_mb": self.disk_space_mb,
            "features": {},
            "group_list": ["default"],
            "maintenance": {
                "dow": self.maintenance.dow,
                "enabled": true,
                "time": self.maintenance.time,
                "updates": [],
            },
            "metadata": { catalog::version_key(kind): version },
            "node_count": self.node_count,
            "node_cpu_count": plan.as_ref().map_or(1, |p| p.cpu * self.node_count),
            "node_memory_mb": plan.as_ref().map_or(0, |p| p.memory_mb),
            "node_states": node_states,
            "plan": self.plan,
            "project_vpc_id": self.project_vpc_id,
            "service_integrations": [],
            "service_name": self.name,
            "service_notifications": [],
            "service_type": self.service_type,
            "service_type_description": kind.description,
            "service_uri": service_uri,
            "service_uri_params": service_uri_params,
            "state": self.state(now).as_str(),
            "tags": self.tags,
            "tech_emails": self.tech_emails,
            "termination_protection": self.termination_protection,
            "update_time": format_time(self.update_time),
            "user_config": self.user_config,
            "users": self.users.values().map(ServiceUser::to_json).collect::<Vec<_>>(),
        });
        if kind.databases {
            s["databases"] = json!(self.databases);
        }
        if kind.topics {
            s["acl"] = json!([{
                "id": "default-ab",
                "permission": "admin",
                "topic": "*",
                "username": "avnadmin",
            }]);
            s["schema_registry_acl"] = json!([]);
            s["topics"] = json!(self
                .topics
                .values()
                .map(|t| t.summary_json(now))
                .collect::<Vec<_>>());
        }
        if kind.name == "pg" {
            s["connection_pools"] = json!([]);
        }
        s
    }
}

/// The availability zone of a service's `index`th node in `cloud`, spread
/// over three zones as Aiven places them (`aws-eu-west-1` → `eu-west-1a`,
/// `google-europe-west1` → `europe-west1-b`, Azure zones `1`–`3`; the other
/// providers name their one zone after the region).
pub fn availability_zone(cloud: &str, index: usize) -> String {
    let (provider, region) = cloud.split_once('-').unwrap_or(("", cloud));
    let letter = ['a', 'b', 'c'][index % 3];
    match provider {
        "aws" => format!("{region}{letter}"),
        "google" => format!("{region}-{letter}"),
        "azure" => format!("{}", index % 3 + 1),
        _ => region.to_string(),
    }
}
