//! Forward-compatible enums for the string states of API responses, and
//! accessors returning them from the generated response types.
//!
//! Responses carry states as plain strings (the API adds values over time);
//! these enums name the documented values and keep any other value in
//! `Unknown(String)`, so parsing never fails and nothing is lost.

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

use aiven_api::types;

/// Defines a forward-compatible string enum: `#[non_exhaustive]`, an
/// `Unknown(String)` catch-all, infallible parsing, `as_str`, `Display` and
/// serde both ways.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $value:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* #[doc = concat!("`", $value, "`")] $variant,)+
            /// A value this version of the crate does not know.
            Unknown(String),
        }

        impl $name {
            /// Every documented value.
            pub const KNOWN: &'static [&'static str] = &[$($value),+];

            /// The value as the API spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $value,)+
                    Self::Unknown(other) => other,
                }
            }

            /// Whether this is a documented value.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($value => Self::$variant,)+
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                match Self::from(value.as_str()) {
                    Self::Unknown(_) => Self::Unknown(value),
                    known => known,
                }
            }
        }

        impl FromStr for $name {
            type Err = Infallible;
            fn from_str(value: &str) -> Result<Self, Infallible> {
                Ok(Self::from(value))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d).map(Self::from)
            }
        }
    };
}

open_enum! {
    /// State of a service (`Service.state`).
    ServiceState {
        /// Serving.
        Running = "RUNNING",
        /// Nodes being (re)built: creation, plan or cloud change, power-on.
        Rebuilding = "REBUILDING",
        /// Data being redistributed between nodes.
        Rebalancing = "REBALANCING",
        /// Powered off; stays so until powered on.
        Poweroff = "POWEROFF",
    }
}

open_enum! {
    /// State of one service node (`NodeState.state`).
    NodeState {
        /// The virtual machine is being created.
        SettingUpVm = "setting_up_vm",
        /// The node is copying data from its peers.
        SyncingData = "syncing_data",
        /// Serving.
        Running = "running",
        /// Being removed.
        Leaving = "leaving",
        /// Not reporting in time.
        TimingOut = "timing_out",
        /// The API itself does not know the node's state.
        Indeterminate = "unknown",
    }
}

open_enum! {
    /// State of a Kafka topic.
    TopicState {
        /// Usable.
        Active = "ACTIVE",
        /// Being created or reconfigured.
        Configuring = "CONFIGURING",
        /// Being deleted.
        Deleting = "DELETING",
    }
}

open_enum! {
    /// State of a Kafka Connect connector or one of its tasks.
    ConnectorState {
        /// Running.
        Running = "RUNNING",
        /// Paused by a user.
        Paused = "PAUSED",
        /// Failed; see the task traces.
        Failed = "FAILED",
        /// Not yet assigned to a worker.
        Unassigned = "UNASSIGNED",
        /// Stopped (Kafka 3.5+).
        Stopped = "STOPPED",
    }
}

open_enum! {
    /// State of a project VPC.
    VpcState {
        /// Requested, being built.
        Approved = "APPROVED",
        /// Usable.
        Active = "ACTIVE",
        /// Being deleted.
        Deleting = "DELETING",
        /// Deleted.
        Deleted = "DELETED",
    }
}

open_enum! {
    /// State of a VPC peering connection.
    PeeringState {
        /// Requested, being set up on Aiven's side.
        Approved = "APPROVED",
        /// Aiven has requested the peering; waiting for the peer's side.
        ApprovedPeerRequested = "APPROVED_PEER_REQUESTED",
        /// Waiting for the peer to accept.
        PendingPeer = "PENDING_PEER",
        /// Established.
        Active = "ACTIVE",
        /// Being deleted.
        Deleting = "DELETING",
        /// Deleted.
        Deleted = "DELETED",
        /// Deleted on the peer's side.
        DeletedByPeer = "DELETED_BY_PEER",
        /// Rejected by the peer.
        RejectedByPeer = "REJECTED_BY_PEER",
        /// The peer network does not exist or cannot be peered.
        InvalidSpecification = "INVALID_SPECIFICATION",
        /// Setting up the peering failed on Aiven's side.
        Error = "ERROR",
    }
}

open_enum! {
    /// Status of a service integration (`integration_status.state.status`).
    IntegrationStatus {
        /// Being set up.
        Starting = "starting",
        /// Working.
        Running = "running",
        /// Not active.
        Inactive = "inactive",
        /// Failed; see `integration_status.state.errors`.
        Failed = "failed",
        /// The API itself does not know.
        Indeterminate = "unknown",
    }
}

open_enum! {
    /// Service type code (`service_type`): every value the June 2026
    /// description lists (the keys of the service-type catalogue and the
    /// `service_type` enums of integrations and invoices), plus the types that
    /// reached end of life in 2025 and still appear in old records.
    ServiceType {
        /// PostgreSQL.
        Pg = "pg",
        /// Apache Kafka.
        Kafka = "kafka",
        /// Kafka Connect.
        KafkaConnect = "kafka_connect",
        /// Kafka MirrorMaker 2.
        KafkaMirrormaker = "kafka_mirrormaker",
        /// MySQL.
        Mysql = "mysql",
        /// OpenSearch.
        Opensearch = "opensearch",
        /// Elasticsearch (retired).
        Elasticsearch = "elasticsearch",
        /// Valkey.
        Valkey = "valkey",
        /// Dragonfly.
        Dragonfly = "dragonfly",
        /// ClickHouse.
        Clickhouse = "clickhouse",
        /// Grafana.
        Grafana = "grafana",
        /// Apache Flink.
        Flink = "flink",
        /// Thanos (metrics).
        Thanos = "thanos",
        /// Thanos compactor component.
        Thanoscompactor = "thanoscompactor",
        /// Thanos Parquet component.
        Thanosparquet = "thanosparquet",
        /// Thanos query component.
        Thanosquery = "thanosquery",
        /// Thanos receiver component.
        Thanosreceiver = "thanosreceiver",
        /// Thanos ruler component.
        Thanosruler = "thanosruler",
        /// Thanos store component.
        Thanosstore = "thanosstore",
        /// Alertmanager.
        Alertmanager = "alertmanager",
        /// vmalert.
        Vmalert = "vmalert",
        /// Vector.
        Vector = "vector",
        /// DataHub.
        Datahub = "datahub",
        /// Application (Aiven App Runtime).
        Application = "application",
        /// Spark pool.
        Sparkpool = "sparkpool",
        /// Nomad client.
        Nomadclient = "nomadclient",
        /// Stress tester (internal).
        Stresstester = "stresstester",
        /// `sw` (listed by the description without documentation).
        Sw = "sw",
        /// AlloyDB Omni.
        Alloydbomni = "alloydbomni",
        /// Redis (end of life 2025; Valkey replaces it).
        Redis = "redis",
        /// Apache Cassandra (end of life 2025).
        Cassandra = "cassandra",
        /// InfluxDB (end of life 2025).
        Influxdb = "influxdb",
        /// M3DB (end of life 2025).
        M3db = "m3db",
        /// M3 Aggregator (end of life 2025).
        M3aggregator = "m3aggregator",
        /// M3 Coordinator (end of life 2025).
        M3coordinator = "m3coordinator",
    }
}

/// The typed `state` of a response object.
pub trait StateExt {
    /// The state enum.
    type State;
    /// `state` parsed, `None` when the response omits it.
    fn state(&self) -> Option<Self::State>;
}

/// Implements [`StateExt`] for response types whose `state` field is a string.
macro_rules! state_ext {
    ($($ty:ident => $state:ident),+ $(,)?) => {$(
        impl StateExt for types::$ty {
            type State = $state;
            fn state(&self) -> Option<$state> {
                self.state.as_deref().map($state::from)
            }
        }
    )+};
}

state_ext! {
    Service => ServiceState,
    NodeState => NodeState,
    Topic => TopicState,
    ServiceKafkaTopicGetResponseTopic => TopicState,
    ServiceKafkaTopicListResponseTopic => TopicState,
    ServiceKafkaConnectGetConnectorStatusResponseStatus => ConnectorState,
    ServiceKafkaConnectGetConnectorStatusResponseStatusTask => ConnectorState,
    VpcGetResponse => VpcState,
    VpcCreateResponse => VpcState,
    VpcDeleteResponse => VpcState,
    VpcListResponseVpc => VpcState,
    VpcPeeringConnectionUpdateResponse => VpcState,
    PeeringConnection => PeeringState,
    VpcPeeringConnectionCreateResponse => PeeringState,
    VpcPeeringConnectionDeleteResponse => PeeringState,
}

/// Service-specific readings of [`types::Service`].
pub trait ServiceExt {
    /// `service_type` parsed.
    fn service_type_enum(&self) -> Option<ServiceType>;
    /// Every node's state, in the order the API lists them.
    fn node_states_enum(&self) -> Vec<NodeState>;
    /// At least one node is listed and every listed node is `running`.
    fn all_nodes_running(&self) -> bool;
    /// `termination_protection` is on.
    fn is_termination_protected(&self) -> bool;
    /// `user_config` turns persistence off (`*_persistence: "off"`, as on
    /// Redis, Valkey, Dragonfly), so the service takes no backups.
    fn persistence_off(&self) -> bool;
    /// `create_time` parsed (RFC 3339 / ISO 8601); `None` when absent or
    /// unparsable — the decode of the service never fails on it.
    fn created_at(&self) -> Option<chrono::DateTime<chrono::Utc>>;
    /// `update_time` parsed, as [`created_at`](Self::created_at).
    fn updated_at(&self) -> Option<chrono::DateTime<chrono::Utc>>;
}

/// An API timestamp: RFC 3339, or ISO 8601 without an offset (UTC).
pub(crate) fn timestamp(text: Option<&str>) -> Option<chrono::DateTime<chrono::Utc>> {
    let text = text?.trim();
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&chrono::Utc))
        .ok()
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|t| t.and_utc())
        })
}

impl ServiceExt for types::Service {
    fn service_type_enum(&self) -> Option<ServiceType> {
        self.service_type.as_deref().map(ServiceType::from)
    }
    fn node_states_enum(&self) -> Vec<NodeState> {
        let nodes = self.node_states.iter().flatten();
        nodes.filter_map(StateExt::state).collect()
    }
    fn all_nodes_running(&self) -> bool {
        let nodes = self.node_states.as_deref().unwrap_or_default();
        !nodes.is_empty() && nodes.iter().all(|n| n.state() == Some(NodeState::Running))
    }
    fn is_termination_protected(&self) -> bool {
        self.termination_protection == Some(true)
    }
    fn persistence_off(&self) -> bool {
        self.user_config
            .as_ref()
            .and_then(serde_json::Value::as_object)
            .into_iter()
            .flatten()
            .any(|(key, value)| key.ends_with("_persistence") && value.as_str() == Some("off"))
    }
    fn created_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        timestamp(self.create_time.as_deref())
    }
    fn updated_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        timestamp(self.update_time.as_deref())
    }
}

/// The typed status of a service integration.
pub trait IntegrationExt {
    /// `integration_status.state.status` parsed.
    fn status(&self) -> Option<IntegrationStatus>;
}

impl IntegrationExt for types::ServiceIntegration {
    fn status(&self) -> Option<IntegrationStatus> {
        let state = self.integration_status.as_ref()?.state.as_ref()?;
        state.status.as_deref().map(IntegrationStatus::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_values_round_trip() {
        assert_eq!(ServiceState::from("RUNNING"), ServiceState::Running);
        assert_eq!(
            "POWEROFF".parse::<ServiceState>(),
            Ok(ServiceState::Poweroff)
        );
        let new = ServiceState::from("MIGRATING");
        assert_eq!(new, ServiceState::Unknown("MIGRATING".into()));
        assert_eq!(new.as_str(), "MIGRATING");
        assert!(!new.is_known() && ServiceState::Running.is_known());
        assert_eq!(NodeState::from("unknown"), NodeState::Indeterminate);
        assert_eq!(ServiceType::from("pg").to_string(), "pg");
        // Case matters: the API spells each value one way.
        assert_eq!(
            ServiceState::from("running"),
            ServiceState::Unknown("running".into())
        );
    }

    #[test]
    fn serde_both_ways() {
        let v: Vec<TopicState> = serde_json::from_str(r#"["ACTIVE","RESIZING"]"#).unwrap();
        assert_eq!(
            v,
            [TopicState::Active, TopicState::Unknown("RESIZING".into())]
        );
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"["ACTIVE","RESIZING"]"#
        );
        for value in PeeringState::KNOWN {
            assert_eq!(PeeringState::from(*value).as_str(), *value);
        }
    }

    #[test]
    fn timestamps_parse_or_are_none() {
        let at = |s: &str| timestamp(Some(s)).map(|t| t.to_rfc3339());
        assert_eq!(
            at("2026-11-28T05:06:07Z").as_deref(),
            Some("2026-11-28T05:06:07+00:00")
        );
        assert_eq!(
            at("2026-11-28T07:06:07.5+02:00").as_deref(),
            Some("2026-11-28T05:06:07.500+00:00")
        );
        assert_eq!(
            at("2026-11-28T05:06:07.123456").as_deref(),
            Some("2026-11-28T05:06:07.123456+00:00")
        );
        assert_eq!(at("yesterday"), None);
        assert_eq!(timestamp(None), None);
    }

    #[test]
    fn service_accessors() {
        let svc: types::Service = serde_json::from_value(serde_json::json!({
            "state": "REBUILDING",
            "service_type": "valkey",
            "node_states": [{"state": "running"}, {"state": "syncing_data"}],
            "user_config": {"valkey_persistence": "off"}
        }))
        .unwrap();
        assert_eq!(svc.state(), Some(ServiceState::Rebuilding));
        assert_eq!(svc.service_type_enum(), Some(ServiceType::Valkey));
        assert_eq!(
            svc.node_states_enum(),
            [NodeState::Running, NodeState::SyncingData]
        );
        assert!(!svc.all_nodes_running() && svc.persistence_off());
        assert!(!svc.is_termination_protected());
    }
}
