//! What Aiven offers: service types (every type the description
//! enumerates) with versions and plans, and clouds.

use serde_json::{json, Map, Value};

/// How a service type writes its `service_uri`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UriStyle {
    /// `postgres://user:password@host:port/defaultdb?sslmode=require`
    Postgres,
    /// `mysql://user:password@host:port/defaultdb?ssl-mode=REQUIRED`
    Mysql,
    /// `rediss://user:password@host:port`
    Redis,
    /// `host:port`
    HostPort,
    /// `https://user:password@host:port`
    Https,
}

/// The node counts of a type's startup, business and premium plans.
#[derive(Clone, Copy, Debug)]
pub struct Nodes(pub u32, pub u32, pub u32);

/// A service type.
#[derive(Clone, Copy, Debug)]
pub struct ServiceType {
    /// Type code (`pg`).
    pub name: &'static str,
    /// One-line description.
    pub description: &'static str,
    /// Offered major versions, oldest first.
    pub versions: &'static [&'static str],
    /// The version a service gets when none is asked for.
    pub default_version: &'static str,
    /// How the service URI looks.
    pub uri: UriStyle,
    /// The connection components a service exposes.
    pub components: &'static [&'static str],
    /// The primary user every service is created with.
    pub primary_user: &'static str,
    /// Whether `ServiceDatabase*` applies.
    pub databases: bool,
    /// Whether `ServiceKafkaTopic*` applies.
    pub topics: bool,
    /// Whether nodes have master/standby roles.
    pub roles: bool,
    /// Hours between backups; 0 when the type keeps no backups.
    pub backup_interval_hours: u32,
    /// Backup recovery mode.
    pub recovery_mode: &'static str,
    /// Node counts per plan tier.
    pub nodes: Nodes,
    /// Whether a single-node `hobbyist` plan exists.
    pub hobbyist: bool,
    /// Plan names are `startup-2`, `business-4`, `premium-6x-8` (Kafka style).
    pub kafka_plans: bool,
    /// The type its services move to, once its versions reached end of life
    /// (`ListServiceVersions` shows them `eol`).
    pub successor: Option<&'static str>,
}

const fn db(name: &'static str, description: &'static str) -> ServiceType {
    ServiceType {
        name,
        description,
        versions: &[],
        default_version: "",
        uri: UriStyle::Https,
        components: &[],
        primary_user: "avnadmin",
        databases: false,
        topics: false,
        roles: false,
        backup_interval_hours: 24,
        recovery_mode: "basic",
        nodes: Nodes(1, 3, 6),
        hobbyist: false,
        kafka_plans: false,
        successor: None,
    }
}

/// Every service type the simulator offers: the types the description
/// enumerates (a unit test checks that they are the same set), with the
/// versions Aiven offers in 2026. Cassandra, InfluxDB and M3 reached end of
/// life in 2025 and are gone from the catalogue; Redis stays listed (its
/// services are being moved to Valkey).
pub const SERVICE_TYPES: &[ServiceType] = &[
    ServiceType {
        versions: &["24.8", "25.3"],
        default_version: "25.3",
        components: &["clickhouse", "clickhouse_https", "clickhouse_mysql"],
        ..db("clickhouse", "ClickHouse - Fast Columnar Data Warehouse")
    },
    ServiceType {
        versions: &["1.27", "1.30"],
        default_version: "1.30",
        uri: UriStyle::Redis,
        components: &["dragonfly"],
        primary_user: "default",
        roles: true,
        backup_interval_hours: 12,
        nodes: Nodes(1, 2, 3),
        ..db(
            "dragonfly",
            "Dragonfly - Scalable In-Memory Data Store, Redis® and Memcached compatible",
        )
    },
    ServiceType {
        versions: &["7"],
        default_version: "7",
        components: &["elasticsearch", "kibana"],
        successor: Some("opensearch"),
        ..db(
            "elasticsearch",
            "Elasticsearch - Search & Analyze Data in Real Time",
        )
    },
    ServiceType {
        versions: &["1.20"],
        default_version: "1.20",
        components: &["flink"],
        backup_interval_hours: 0,
        nodes: Nodes(1, 2, 3),
        ..db("flink", "Flink - Stream Processing Framework")
    },
    ServiceType {
        versions: &["11"],
        default_version: "11",
        components: &["grafana"],
        nodes: Nodes(1, 2, 2),
        hobbyist: true,
        ..db("grafana", "Grafana - Metrics Dashboard")
    },
    ServiceType {
        versions: &["3.8", "3.9", "4.0"],
        default_version: "3.9",
        uri: UriStyle::HostPort,
        components: &["kafka"],
        topics: true,
        backup_interval_hours: 0,
        nodes: Nodes(3, 3, 6),
        kafka_plans: true,
        ..db(
            "kafka",
            "Kafka - High-Throughput Distributed Messaging System",
        )
    },
    ServiceType {
        versions: &["3.8", "3.9", "4.0"],
        default_version: "3.9",
        components: &["kafka_connect"],
        backup_interval_hours: 0,
        ..db(
            "kafka_connect",
            "Kafka Connect - Framework for Kafka data integration",
        )
    },
    ServiceType {
        versions: &["3.8", "3.9", "4.0"],
        default_version: "3.9",
        uri: UriStyle::HostPort,
        components: &["kafka_mirrormaker"],
        backup_interval_hours: 0,
        ..db(
            "kafka_mirrormaker",
            "Kafka MirrorMaker 2 - Kafka cluster replication",
        )
    },
    ServiceType {
        versions: &["8"],
        default_version: "8",
        uri: UriStyle::Mysql,
        components: &["mysql", "mysqlx"],
        databases: true,
        roles: true,
        recovery_mode: "pitr",
        nodes: Nodes(1, 2, 3),
        hobbyist: true,
        ..db("mysql", "MySQL - Relational Database Management System")
    },
    ServiceType {
        versions: &["2"],
        default_version: "2",
        components: &["opensearch", "opensearch_dashboards"],
        hobbyist: true,
        ..db(
            "opensearch",
            "OpenSearch - Search & Analyze Data in Real Time",
        )
    },
    ServiceType {
        versions: &["14", "15", "16", "17"],
        default_version: "17",
        uri: UriStyle::Postgres,
        components: &["pg", "pgbouncer"],
        databases: true,
        roles: true,
        recovery_mode: "pitr",
        nodes: Nodes(1, 2, 3),
        hobbyist: true,
        ..db(
            "pg",
            "PostgreSQL - Object-Relational Database Management System",
        )
    },
    ServiceType {
        versions: &["7.2"],
        default_version: "7.2",
        uri: UriStyle::Redis,
        components: &["redis"],
        primary_user: "default",
        roles: true,
        backup_interval_hours: 12,
        nodes: Nodes(1, 2, 3),
        hobbyist: true,
        successor: Some("valkey"),
        ..db("redis", "Redis - In-Memory Data Structure Store")
    },
    ServiceType {
        versions: &["0.38"],
        default_version: "0.38",
        components: &["query_frontend", "query", "receiver_routing"],
        backup_interval_hours: 0,
        nodes: Nodes(1, 2, 3),
        ..db("thanos", "Thanos - Highly Available Prometheus Metrics")
    },
    ServiceType {
        versions: &["8"],
        default_version: "8",
        uri: UriStyle::Redis,
        components: &["valkey"],
        primary_user: "default",
        roles: true,
        backup_interval_hours: 12,
        nodes: Nodes(1, 2, 3),
        hobbyist: true,
        ..db("valkey", "Valkey - In-Memory Data Structure Store")
    },
];

/// The service type of this code.
pub fn service_type(name: &str) -> Option<&'static ServiceType> {
    SERVICE_TYPES.iter().find(|t| t.name == name)
}

/// A service plan.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// Plan name (`startup-4`).
    pub name: String,
    /// Nodes.
    pub node_count: u32,
    /// CPUs per node.
    pub cpu: u32,
    /// Memory per node.
    pub memory_mb: u32,
    /// Included disk space.
    pub disk_mb: u32,
    /// The most disk space the plan can be given.
    pub max_disk_mb: u32,
    /// Hourly price in USD.
    pub price_usd: f64,
    /// Backups kept (0: none).
    pub backup_max_count: u32,
}

/// Disk space is added in steps of this size (the description's minimum).
pub const DISK_STEP_MB: u32 = 1024;

/// The share of a node's memory a service can use after management
/// overhead (`max_memory_percent`).
pub const MAX_MEMORY_PERCENT: u32 = 80;

/// The plans of a service type, cheapest first.
pub fn plans(t: &ServiceType) -> Vec<Plan> {
    let backups = |n: u32| if t.backup_interval_hours == 0 { 0 } else { n };
    let plan = |name: &str, node_count, cpu, memory_mb: u32, disk_gb: u32, price, keep| Plan {
        name: name.to_string(),
        node_count,
        cpu,
        memory_mb,
        disk_mb: disk_gb * 1024,
        max_disk_mb: disk_gb * 1024 * 5,
        price_usd: price,
        backup_max_count: backups(keep),
    };
    let Nodes(startup, business, premium) = t.nodes;
    let mut out = Vec::new();
    if t.kafka_plans {
        out.push(plan("startup-2", startup, 2, 2048, 90, 0.274, 0));
        out.push(plan("business-4", business, 2, 4096, 720, 0.822, 0));
        out.push(plan("premium-6x-8", premium, 2, 8192, 2100, 2.877, 0));
        return out;
    }
    if t.hobbyist {
        out.push(plan("hobbyist", 1, 1, 2048, 8, 0.026, 2));
    }
    out.push(plan("startup-4", startup, 2, 4096, 80, 0.130, 2));
    out.push(plan("business-4", business, 2, 4096, 80, 0.411, 14));
    out.push(plan("premium-4", premium, 2, 4096, 80, 0.616, 30));
    out
}

/// The plan of this name for a service type.
pub fn plan(t: &ServiceType, name: &str) -> Option<Plan> {
    plans(t).into_iter().find(|p| p.name == name)
}

/// The `user_config` key holding a service's major version.
pub fn version_key(t: &ServiceType) -> String {
    format!("{}_version", t.name)
}

/// The JSON Schema of a type's `user_config` (the part the simulator
/// checks; other keys pass).
pub fn user_config_schema(t: &ServiceType) -> Value {
    let mut versions: Vec<Value> = t.versions.iter().map(|v| json!(v)).collect();
    versions.push(Value::Null);
    let mut schema = json!({
        "type": "object",
        "properties": {
            version_key(t): {
                "type": ["string", "null"],
                "title": format!("{} major version", t.name),
                "enum": versions,
            },
            "ip_filter": {
                "type": "array",
                "title": "IP filter",
                "maxItems": 1024,
                "items": {
                    "anyOf": [
                        {"type": "string", "maxLength": 43},
                        {
                            "type": "object",
                            "required": ["network"],
                            "properties": {
                                "network": {"type": "string", "maxLength": 43},
                                "description": {"type": "string", "maxLength": 1024},
                            },
                        },
                    ],
                },
            },
            "static_ips": {"type": "boolean", "title": "Static IP addresses"},
            "service_log": {"type": ["boolean", "null"], "title": "Service logging"},
        },
    });
    if let (Some(props), Value::Object(extra)) = (
        schema["properties"].as_object_mut(),
        engine_user_config(t.name),
    ) {
        props.extend(extra);
    }
    schema
}

/// The most used engine settings of a type's user config, as Aiven names
/// and bounds them (Aiven's CLI builds `-c pg.max_connections=200` from
/// these and refuses keys it does not find).
fn engine_user_config(service_type: &str) -> Value {
    let int = |title: &str, min: i64, max: i64| json!({"type": "integer", "title": title, "minimum": min, "maximum": max});
    let flag = |title: &str| json!({"type": "boolean", "title": title});
    let section =
        |title: &str, props: Value| json!({"type": "object", "title": title, "properties": props});
    match service_type {
        "pg" => json!({
            "pg": section("postgresql.conf configuration values", json!({
                "max_connections": int("max_connections", 25, 10_000),
                "work_mem": int("work_mem (MB)", 1, 1_024),
                "log_min_duration_statement": int("log_min_duration_statement (ms)", -1, 86_400_000),
                "idle_in_transaction_session_timeout": int("idle_in_transaction_session_timeout (s)", 0, 604_800),
            })),
            "pgbouncer": section("PGBouncer connection pooling settings", json!({
                "max_prepared_statements": int("max_prepared_statements", 0, 3_000),
                "server_idle_timeout": int("server_idle_timeout (s)", 0, 86_400),
            })),
            "shared_buffers_percentage": int("shared_buffers_percentage", 20, 60),
        }),
        "mysql" => json!({
            "mysql": section("mysql.conf configuration values", json!({
                "max_connections": int("max_connections", 1, 10_000),
                "long_query_time": {"type": "number", "title": "long_query_time (s)", "minimum": 0, "maximum": 3600},
            })),
        }),
        "kafka" => json!({
            "kafka": section("Kafka broker configuration values", json!({
                "auto_create_topics_enable": flag("auto_create_topics_enable"),
                "num_partitions": int("num_partitions", 1, 1_000),
                "default_replication_factor": int("default_replication_factor", 1, 10),
                "message_max_bytes": int("message_max_bytes", 0, 100_001_200),
            })),
            "kafka_authentication_methods": section("Kafka authentication methods", json!({
                "certificate": flag("Enable certificate/SSL authentication"),
                "sasl": flag("Enable SASL authentication"),
            })),
            "kafka_rest": flag("Enable Kafka-REST service"),
            "kafka_connect": flag("Enable Kafka Connect service"),
            "schema_registry": flag("Enable Schema-Registry service"),
        }),
        "opensearch" => json!({
            "opensearch": section("OpenSearch settings", json!({
                "action_auto_create_index_enabled": flag("action.auto_create_index"),
                "indices_query_bool_max_clause_count": int("indices.query.bool.max_clause_count", 64, 4_096),
            })),
            "opensearch_dashboards": section("OpenSearch Dashboards settings", json!({
                "enabled": flag("Enable or disable OpenSearch Dashboards"),
            })),
        }),
        "valkey" => json!({
            "valkey_maxmemory_policy": {
                "type": ["string", "null"],
                "title": "Valkey maxmemory-policy",
                "enum": ["noeviction", "allkeys-lru", "volatile-lru", "allkeys-random",
                         "volatile-random", "volatile-ttl", "volatile-lfu", "allkeys-lfu", null],
            },
            "valkey_timeout": int("Valkey idle connection timeout (s)", 0, 31_536_000),
        }),
        _ => json!({}),
    }
}

/// A plan's `backup_config`.
fn backup_config(t: &ServiceType, p: &Plan) -> Value {
    json!({
        "interval": t.backup_interval_hours,
        "max_count": p.backup_max_count,
        "recovery_mode": t.recovery_mode,
    })
}

/// One plan as `ProjectServicePlanList` and the catalogue list it: its
/// hourly price and disk sizes per cloud under `regions`.
pub fn plan_json(t: &ServiceType, p: &Plan) -> Value {
    let regions: Map<String, Value> = CLOUDS
        .iter()
        .map(|c| {
            (
                c.name.to_string(),
                json!({
                    "disk_space_mb": p.disk_mb,
                    "disk_space_cap_mb": p.max_disk_mb,
                    "disk_space_step_mb": DISK_STEP_MB,
                    // Aiven's CLI describes a plan from these (`avn service plans`).
                    "node_cpu_count": p.cpu,
                    "node_memory_mb": p.memory_mb,
                    "price_usd": format!("{:.4}", p.price_usd * c.price_factor),
                }),
            )
        })
        .collect();
    json!({
        "backup_config": backup_config(t, p),
        "is_cluster_plan": false,
        "max_memory_percent": MAX_MEMORY_PERCENT,
        "node_count": p.node_count,
        "regions": regions,
        "service_plan": p.name,
        "service_type": t.name,
    })
}

/// `ProjectServicePlanSpecsGet`: one plan's sizes (whole megabytes).
pub fn plan_specs_json(t: &ServiceType, p: &Plan) -> Value {
    json!({
        "backup_config": backup_config(t, p),
        "disk_space_cap_mb": p.max_disk_mb,
        "disk_space_mb": p.disk_mb,
        "disk_space_step_mb": DISK_STEP_MB,
        "max_memory_percent": MAX_MEMORY_PERCENT,
        "node_count": p.node_count,
        "service_plan": p.name,
        "service_type": t.name,
    })
}

/// One service type without its plans, as `ProjectServiceTypesGet` answers
/// and `ProjectServiceTypesList` lists it (plans have their own paths).
pub fn service_type_summary_json(t: &ServiceType) -> Value {
    json!({
        "default_version": t.default_version,
        "description": t.description,
        "latest_available_version": t.versions.last().copied().unwrap_or(""),
        "user_config_schema": user_config_schema(t),
    })
}

/// One service type as `ListPublicServiceTypes` lists it: the summary and
/// its plans.
pub fn service_type_json(t: &ServiceType) -> Value {
    let mut v = service_type_summary_json(t);
    v["service_plans"] = plans(t).iter().map(|p| plan_json(t, p)).collect();
    v
}

/// `ListServiceVersions`: every offered version, `available`, or `eol`
/// with the type it is upgraded to where the type has a successor.
pub fn service_versions_json() -> Value {
    let versions: Vec<Value> = SERVICE_TYPES
        .iter()
        .flat_map(|t| {
            t.versions.iter().map(move |v| {
                let mut entry = json!({
                    "service_type": t.name,
                    "major_version": v,
                    "state": "available",
                    "availability_start_time": "2025-01-01T00:00:00Z",
                });
                if let Some(next) = t.successor {
                    entry["state"] = json!("eol");
                    entry["upgrade_to_service_type"] = json!(next);
                    entry["upgrade_to_version"] =
                        json!(service_type(next).map_or("", |n| n.default_version));
                }
                entry
            })
        })
        .collect();
    json!({ "service_versions": versions })
}

/// A cloud region.
#[derive(Clone, Copy, Debug)]
pub struct Cloud {
    /// Cloud name (`aws-eu-west-1`).
    pub name: &'static str,
    /// Human-readable description.
    pub description: &'static str,
    /// Aiven's geographic region.
    pub geo_region: &'static str,
    /// Latitude.
    pub latitude: f64,
    /// Longitude.
    pub longitude: f64,
    /// Provider code (`aws`, `google`, `azure`, `do`, `upcloud`).
    pub provider: &'static str,
    /// Price relative to the list price.
    pub price_factor: f64,
}

const fn cloud(
    name: &'static str,
    description: &'static str,
    geo_region: &'static str,
    latitude: f64,
    longitude: f64,
    provider: &'static str,
    price_factor: f64,
) -> Cloud {
    Cloud {
        name,
        description,
        geo_region,
        latitude,
        longitude,
        provider,
        price_factor,
    }
}

/// The clouds offered.
#[rustfmt::skip]
pub const CLOUDS: &[Cloud] = &[
    cloud("aws-eu-west-1", "Europe, Ireland - Amazon Web Services: Ireland", "europe", 53.35, -6.26, "aws", 1.0),
    cloud("aws-eu-central-1", "Europe, Germany - Amazon Web Services: Frankfurt", "europe", 50.11, 8.68, "aws", 1.05),
    cloud("aws-us-east-1", "United States, Virginia - Amazon Web Services: N. Virginia", "north america", 38.03, -78.48, "aws", 1.0),
    cloud("aws-us-west-2", "United States, Oregon - Amazon Web Services: Oregon", "north america", 45.84, -119.7, "aws", 1.0),
    cloud("aws-ap-southeast-1", "Asia, Singapore - Amazon Web Services: Singapore", "southeast asia", 1.29, 103.85, "aws", 1.15),
    cloud("aws-sa-east-1", "South America, Brazil - Amazon Web Services: São Paulo", "south america", -23.55, -46.63, "aws", 1.3),
    cloud("google-europe-west1", "Europe, Belgium - Google Cloud: Belgium", "europe", 50.45, 3.82, "google", 1.0),
    cloud("google-europe-north1", "Europe, Finland - Google Cloud: Finland", "europe", 60.57, 27.19, "google", 1.0),
    cloud("google-europe-west3", "Europe, Germany - Google Cloud: Frankfurt", "europe", 50.11, 8.68, "google", 1.0),
    cloud("google-us-central1", "United States, Iowa - Google Cloud: Iowa", "north america", 41.26, -95.86, "google", 0.95),
    cloud("google-asia-northeast1", "Asia, Japan - Google Cloud: Tokyo", "east asia", 35.68, 139.69, "google", 1.2),
    cloud("google-australia-southeast1", "Australia, New South Wales - Google Cloud: Sydney", "australia", -33.87, 151.21, "google", 1.25),
    cloud("azure-westeurope", "Europe, Netherlands - Azure: West Europe", "europe", 52.37, 4.89, "azure", 1.05),
    cloud("azure-northeurope", "Europe, Ireland - Azure: North Europe", "europe", 53.35, -6.26, "azure", 1.05),
    cloud("azure-eastus", "United States, Virginia - Azure: East US", "north america", 37.37, -79.82, "azure", 1.0),
    cloud("azure-southafricanorth", "Africa, South Africa - Azure: South Africa North", "africa", -26.2, 28.04, "azure", 1.35),
    cloud("do-ams", "Europe, Netherlands - DigitalOcean: Amsterdam", "europe", 52.37, 4.9, "do", 0.9),
    cloud("do-nyc", "United States, New York - DigitalOcean: New York", "north america", 40.71, -74.0, "do", 0.9),
    cloud("do-sgp", "Asia, Singapore - DigitalOcean: Singapore", "southeast asia", 1.35, 103.82, "do", 0.95),
    cloud("upcloud-fi-hel", "Europe, Finland - UpCloud: Helsinki", "europe", 60.17, 24.94, "upcloud", 0.85),
    cloud("upcloud-de-fra", "Europe, Germany - UpCloud: Frankfurt", "europe", 50.11, 8.68, "upcloud", 0.85),
    cloud("upcloud-us-nyc", "United States, New York - UpCloud: New York", "north america", 40.71, -74.0, "upcloud", 0.9),
];

/// The cloud a project gets when none is asked for.
pub const DEFAULT_CLOUD: &str = "google-europe-west1";

/// The cloud of this name.
pub fn cloud_by_name(name: &str) -> Option<&'static Cloud> {
    CLOUDS.iter().find(|c| c.name == name)
}

/// The provider's display name.
pub fn provider_description(provider: &str) -> &'static str {
    match provider {
        "aws" => "Amazon Web Services",
        "google" => "Google Cloud Platform",
        "azure" => "Microsoft Azure",
        "do" => "DigitalOcean",
        "upcloud" => "UpCloud",
        _ => "",
    }
}

/// One cloud as `ListClouds` lists it.
pub fn cloud_json(c: &Cloud) -> Value {
    json!({
        "cloud_description": c.description,
        "cloud_name": c.name,
        "geo_latitude": c.latitude,
        "geo_longitude": c.longitude,
        "geo_region": c.geo_region,
        "provider": c.provider,
        "provider_description": provider_description(c.provider),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_types_are_the_descriptions() {
        let mine: Vec<&str> = SERVICE_TYPES.iter().map(|t| t.name).collect();
        let spec: Vec<&str> = crate::spec::spec()
            .service_types
            .iter()
            .map(String::as_str)
            .collect();
        assert_eq!(mine, spec);
    }

    #[test]
    fn every_type_has_plans_versions_and_components() {
        for t in SERVICE_TYPES {
            let ps = plans(t);
            assert!(ps.len() >= 3, "{}", t.name);
            assert!(t.versions.contains(&t.default_version), "{}", t.name);
            assert!(!t.components.is_empty(), "{}", t.name);
            for p in &ps {
                assert!(p.max_disk_mb > p.disk_mb);
                assert!(p.node_count >= 1);
            }
        }
        assert_eq!(
            plan(service_type("kafka").unwrap(), "business-4")
                .unwrap()
                .node_count,
            3
        );
        assert!(plan(service_type("kafka").unwrap(), "hobbyist").is_none());
    }

    #[test]
    fn every_catalogue_answer_conforms_for_every_type_and_plan() {
        use crate::conformance::check_response;
        let clean = |id: &str, body: &Value| {
            let v = check_response(id, 200, body);
            assert!(v.is_empty(), "{id}: {v:#?}");
        };
        let mut summaries = Map::new();
        let mut full = Map::new();
        for t in SERVICE_TYPES {
            summaries.insert(t.name.into(), service_type_summary_json(t));
            full.insert(t.name.into(), service_type_json(t));
            clean("ProjectServiceTypesGet", &service_type_summary_json(t));
            let ps: Vec<Value> = plans(t).iter().map(|p| plan_json(t, p)).collect();
            clean("ProjectServicePlanList", &json!({ "service_plans": ps }));
            for p in plans(t) {
                let specs = plan_specs_json(t, &p);
                clean("ProjectServicePlanSpecsGet", &specs);
                assert!(specs["disk_space_mb"].is_u64(), "whole megabytes");
                assert_eq!(p.disk_mb % DISK_STEP_MB, 0);
                assert_eq!(p.max_disk_mb % DISK_STEP_MB, 0);
            }
        }
        clean("ProjectServiceTypesList", &Value::Object(summaries));
        let full = json!({ "service_types": full });
        clean("ListPublicServiceTypes", &full);
        clean("ListProjectServiceTypes", &full);
        clean("ListServiceVersions", &service_versions_json());
    }

    #[test]
    fn clouds() {
        assert!(CLOUDS.len() >= 20);
        assert!(cloud_by_name(DEFAULT_CLOUD).is_some());
        for p in ["aws", "google", "azure", "do", "upcloud"] {
            assert!(CLOUDS.iter().any(|c| c.provider == p), "{p}");
            assert!(!provider_description(p).is_empty());
        }
        let mut names: Vec<_> = CLOUDS.iter().map(|c| c.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), CLOUDS.len());
    }
}
