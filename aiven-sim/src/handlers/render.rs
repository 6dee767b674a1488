//! How the model is rendered in the description's response shapes: the
//! JSON objects the handlers answer with. The model (`crate::model`) holds
//! the data and its invariants; what a client sees of it is made here,
//! beside the handlers that send it.

use serde_json::{json, Map, Value};

use crate::catalog::{self, UriStyle};
use crate::clock::{format_time, Millis};
use crate::lifecycle;
use crate::model::{
    ConnectionPool, Endpoint, Integration, KafkaNativeAcl, KafkaQuota, Peering, Project, Service,
    ServiceUser, Topic, Vpc,
};

/// The billing details a project echoes, with their defaults.
pub(crate) const PROJECT_DETAILS: &[(&str, &str)] = &[
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
    pub(crate) fn to_json(&self) -> Value {
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

impl Endpoint {
    /// The `service_integration_endpoint` object.
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "endpoint_config": self.user_config,
            "endpoint_id": self.id,
            "endpoint_name": self.name,
            "endpoint_type": self.endpoint_type,
            "user_config": self.user_config,
        })
    }
}

impl Integration {
    /// The `service_integration` object of `ServiceIntegrationGet` (and an
    /// entry of the service's `service_integrations`).
    pub(crate) fn to_json(&self, now: Millis) -> Value {
        let running = now >= self.ready_ms;
        let (status, desc) = if running {
            ("running", "Integration is running")
        } else {
            ("starting", "Integration is starting")
        };
        let mut i = json!({
            "active": true,
            "description": format!(
                "{} integration from {} to {}",
                self.integration_type,
                self.source_service.as_deref().or(self.source_endpoint_id.as_deref()).unwrap_or(""),
                self.dest_service.as_deref().or(self.dest_endpoint_id.as_deref()).unwrap_or(""),
            ),
            "dest_project": self.dest_project,
            "dest_service_type": self.dest_service_type,
            "enabled": true,
            "integration_status": {
                "state": { "errors": [], "nodes": {}, "status": status },
                "status_user_desc": desc,
            },
            "integration_type": self.integration_type,
            "service_integration_id": self.id,
            "source_project": self.source_project,
            "source_service": self.source_service.as_deref().unwrap_or(""),
            "source_service_type": self.source_service_type,
            "user_config": self.user_config,
        });
        if let Some(d) = &self.dest_service {
            i["dest_service"] = json!(d);
        }
        if let Some(e) = &self.source_endpoint_id {
            i["source_endpoint_id"] = json!(e);
        }
        if let Some(e) = &self.dest_endpoint_id {
            i["dest_endpoint_id"] = json!(e);
        }
        i
    }
}

impl Peering {
    /// The peering connection object of the VPC operations.
    pub(crate) fn to_json(&self, cloud: &str, now: Millis) -> Value {
        let state = self.state(now).unwrap_or("DELETED");
        let (kind, info) = match state {
            "APPROVED" => ("", "Peering connection is being set up"),
            "PENDING_PEER" => (
                "pending-peer",
                "Aiven has created the peering connection; the peer has to accept it",
            ),
            "ACTIVE" => ("", "Peering connection is active"),
            _ => ("", "Peering connection is being deleted"),
        };
        let provider = cloud.split('-').next().unwrap_or("");
        let connection_type = match provider {
            "google" => "google-vpc-peering",
            "azure" => "azure-vnet-peering",
            "do" => "do-vpc-peering",
            "upcloud" => "upcloud-vpc-peering",
            _ => "aws-vpc-peering-connection",
        };
        let mut p = json!({
            "create_time": format_time(self.create_time),
            "peer_azure_app_id": self.peer_azure_app_id,
            "peer_azure_tenant_id": self.peer_azure_tenant_id,
            "peer_cloud_account": self.peer_cloud_account,
            "peer_resource_group": self.peer_resource_group,
            "peer_vpc": self.peer_vpc,
            "peering_connection_id": self.id,
            "state": state,
            "state_info": { "message": info, "type": kind, "warnings": [] },
            "update_time": format_time(self.create_time),
            "user_peer_network_cidrs": self.user_peer_network_cidrs,
            "vpc_peering_connection_type": connection_type,
        });
        if let Some(r) = &self.peer_region {
            p["peer_region"] = json!(r);
        }
        p
    }
}

impl Vpc {
    /// The entry of `VpcList`.
    pub(crate) fn summary_json(&self, now: Millis) -> Value {
        json!({
            "cloud_name": self.cloud_name,
            "create_time": format_time(self.create_time),
            "network_cidr": self.network_cidr,
            "project_vpc_id": self.id,
            "state": self.state(now).unwrap_or("DELETED"),
            "update_time": format_time(self.update_time),
        })
    }

    /// The object of `VpcGet`, `VpcCreate` and `VpcDelete`.
    pub(crate) fn to_json(&self, now: Millis) -> Value {
        let mut v = self.summary_json(now);
        v["peering_connections"] = json!(self
            .peerings
            .iter()
            .filter(|p| p.state(now).is_some())
            .map(|p| p.to_json(&self.cloud_name, now))
            .collect::<Vec<_>>());
        v
    }

    /// The entry of `OrganizationVpcList`.
    pub(crate) fn organization_summary_json(&self, organization_id: &str, now: Millis) -> Value {
        json!({
            "clouds": [{ "cloud_name": self.cloud_name, "network_cidr": self.network_cidr }],
            "create_time": format_time(self.create_time),
            "display_name": self.display_name.as_deref().unwrap_or_default(),
            "organization_id": organization_id,
            "organization_vpc_id": self.id,
            "state": self.state(now).unwrap_or("DELETED"),
            "update_time": format_time(self.update_time),
        })
    }

    /// The object of `OrganizationVpcGet` (and of its create, update and
    /// delete).
    pub(crate) fn organization_json(&self, organization_id: &str, now: Millis) -> Value {
        let mut v = self.organization_summary_json(organization_id, now);
        v["peering_connections"] = self.to_json(now)["peering_connections"].take();
        v
    }
}

impl ServiceUser {
    /// The `user` object of `ServiceUserGet`.
    pub(crate) fn to_json(&self) -> Value {
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
        if let (Some(cert), Some(key)) = (&self.access_cert, &self.access_key) {
            u["access_cert"] = json!(cert);
            u["access_cert_not_valid_after_time"] = json!(crate::kms::NOT_AFTER);
            u["access_key"] = json!(key);
        }
        u
    }
}

impl Topic {
    /// The entry of `ServiceKafkaTopicList` and of the service's `topics`.
    /// `owner_user_group_id` and `topic_description` are sent only when set
    /// (see `conformance::PUBLISHED_EXCEPTIONS`).
    pub(crate) fn summary_json(&self, now: Millis) -> Value {
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
    pub(crate) fn detail_json(&self, now: Millis) -> Value {
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
    /// `service_uri` and `service_uri_params`.
    pub(crate) fn uri(&self, project: &str) -> (String, Value) {
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
        }
    }

    /// An entry of `connection_pools`: clients reach a pool through the
    /// `pgbouncer` component (the port after the service's), naming the
    /// pool as the database; a pool without a user takes the client's.
    pub(crate) fn pool_json(&self, project: &str, pool: &ConnectionPool) -> Value {
        let host = self.host(project);
        let port = u32::from(self.port) + 1;
        let credentials = pool
            .username
            .as_ref()
            .map(|u| {
                let password = self.users.get(u).map_or("", |u| u.password.as_str());
                format!("{u}:{password}@")
            })
            .unwrap_or_default();
        let mut p = json!({
            "connection_uri": format!(
                "postgres://{credentials}{host}:{port}/{}?sslmode=require",
                pool.name
            ),
            "database": pool.database,
            "pool_mode": pool.mode,
            "pool_name": pool.name,
            "pool_size": pool.size,
        });
        if let Some(u) = &pool.username {
            p["username"] = json!(u);
        }
        p
    }

    /// The backups that exist at `now`: the first when the service first
    /// ran (or `no_backup_for_ms` later), then one per backup interval,
    /// the newest `max_count` kept.
    pub(crate) fn backups(
        &self,
        project: &str,
        now: Millis,
        no_backup_for_ms: Millis,
    ) -> Vec<Value> {
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

    /// Kafka's ACL entries: Aiven's default (`avnadmin` may do anything)
    /// and those added (`ServiceKafkaAclAdd`).
    pub(crate) fn acl_json(&self) -> Value {
        let default = json!({"id": "default-ab", "permission": "admin", "topic": "*", "username": "avnadmin"});
        let added = self.kafka_acls.iter().map(|a| {
            json!({"id": a.id, "permission": a.permission, "topic": a.topic, "username": a.username})
        });
        Value::Array(std::iter::once(default).chain(added).collect())
    }

    /// The schema registry's ACL entries: Aiven's defaults (`avnadmin` may
    /// write the configuration and every subject) and those added.
    pub(crate) fn schema_registry_acl_json(&self) -> Value {
        let defaults = [
            ("default-sr-admin-config", "Config:"),
            ("default-sr-admin-subject", "Subject:*"),
        ]
        .map(|(id, resource)| {
            json!({"id": id, "permission": "schema_registry_write", "resource": resource, "username": "avnadmin"})
        });
        let added = self.schema_registry.acls.iter().map(|a| {
            json!({"id": a.id, "permission": a.permission, "resource": a.resource, "username": a.username})
        });
        Value::Array(defaults.into_iter().chain(added).collect())
    }

    /// The `service` object of `ServiceGet`.
    pub(crate) fn to_json(
        &self,
        project: &Project,
        now: Millis,
        no_backup_for_ms: Millis,
    ) -> Value {
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
        // Valkey and Dragonfly state the password apart (Aiven's CLI reads
        // `valkey_password` for `connection-info valkey uri`).
        if matches!(kind.uri, UriStyle::Redis) {
            let password = self.primary_user().map_or("", |u| u.password.as_str());
            connection_info.insert(format!("{}_password", kind.name), json!(password));
        }
        // Kafka's companions, when enabled in the user config.
        if kind.name == "kafka" {
            let (user, password) = self.primary_user().map_or(("avnadmin", ""), |u| {
                (u.username.as_str(), u.password.as_str())
            });
            let host = self.host(&project.name);
            for (key, uri_key, port) in [
                ("kafka_rest", "kafka_rest_uri", 1),
                ("schema_registry", "schema_registry_uri", 2),
                ("kafka_connect", "kafka_connect_uri", 3),
            ] {
                if self.user_config.get(key) == Some(&Value::Bool(true)) {
                    let port = u32::from(self.port) + port;
                    let uri = format!("https://{user}:{password}@{host}:{port}");
                    connection_info.insert(uri_key.into(), json!(uri));
                }
            }
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
            "service_integrations": project
                .integrations
                .values()
                .filter(|i| i.involves(&project.name, &self.name))
                .map(|i| i.to_json(now))
                .collect::<Vec<_>>(),
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
            s["acl"] = self.acl_json();
            s["schema_registry_acl"] = self.schema_registry_acl_json();
            s["topics"] = json!(self
                .topics
                .values()
                .map(|t| t.summary_json(now))
                .collect::<Vec<_>>());
        }
        if kind.name == "pg" {
            s["connection_pools"] = json!(self
                .pools
                .values()
                .map(|p| self.pool_json(&project.name, p))
                .collect::<Vec<_>>());
        }
        s
    }
}

/// The availability zone of a service's `index`th node in `cloud`, spread
/// over three zones as Aiven places them (`aws-eu-west-1` → `eu-west-1a`,
/// `google-europe-west1` → `europe-west1-b`, Azure zones `1`–`3`; the other
/// providers name their one zone after the region).
pub(crate) fn availability_zone(cloud: &str, index: usize) -> String {
    let (provider, region) = cloud.split_once('-').unwrap_or(("", cloud));
    let letter = ['a', 'b', 'c'][index % 3];
    match provider {
        "aws" => format!("{region}{letter}"),
        "google" => format!("{region}-{letter}"),
        "azure" => format!("{}", index % 3 + 1),
        _ => region.to_string(),
    }
}

impl KafkaNativeAcl {
    /// The entry as the API sends it.
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "host": self.host,
            "id": self.id,
            "operation": self.operation,
            "pattern_type": self.pattern_type,
            "permission_type": self.permission_type,
            "principal": self.principal,
            "resource_name": self.resource_name,
            "resource_type": self.resource_type,
        })
    }
}

impl KafkaQuota {
    /// The quota as the API sends it.
    pub(crate) fn to_json(&self) -> Value {
        json!({
            "client-id": self.client_id,
            "consumer_byte_rate": self.consumer_byte_rate,
            "producer_byte_rate": self.producer_byte_rate,
            "request_percentage": self.request_percentage,
            "user": self.user,
        })
    }
}
