//! Kafka Connect connectors, on a Kafka Connect service or a Kafka service
//! with Kafka Connect enabled (`user_config.kafka_connect`).
//!
//! A connector is `RUNNING` from its creation, with `tasks.max` tasks
//! (default 1); pause, resume and stop drive its state (a stopped
//! connector has no tasks, as in Kafka Connect since 3.5); restarts change
//! nothing a client sees.

use serde_json::{json, Map, Value};

use super::{done, service, service_mut, Ctx, Outcome, Req};
use crate::error::ApiError;
use crate::model::{Connector, Service};

/// A connector plugin of the fixed set every service offers.
struct Plugin {
    class: &'static str,
    title: &'static str,
    kind: &'static str,
    author: &'static str,
    version: &'static str,
    plugin_name: &'static str,
    doc_url: &'static str,
}

const PLUGINS: &[Plugin] = &[
    Plugin {
        class: "io.aiven.connect.jdbc.JdbcSinkConnector",
        title: "JDBC Sink",
        kind: "sink",
        author: "Aiven",
        version: "6.10.0",
        plugin_name: "aiven-kafka-connect-jdbc",
        doc_url: "https://github.com/aiven/jdbc-connector-for-apache-kafka/blob/master/docs/sink-connector.md",
    },
    Plugin {
        class: "io.aiven.connect.jdbc.JdbcSourceConnector",
        title: "JDBC Source",
        kind: "source",
        author: "Aiven",
        version: "6.10.0",
        plugin_name: "aiven-kafka-connect-jdbc",
        doc_url: "https://github.com/aiven/jdbc-connector-for-apache-kafka/blob/master/docs/source-connector.md",
    },
    Plugin {
        class: "io.aiven.kafka.connect.s3.AivenKafkaConnectS3SinkConnector",
        title: "Aiven S3 Sink",
        kind: "sink",
        author: "Aiven",
        version: "3.1.0",
        plugin_name: "aiven-kafka-connect-s3",
        doc_url: "https://github.com/aiven/s3-connector-for-apache-kafka",
    },
    Plugin {
        class: "io.aiven.kafka.connect.opensearch.OpensearchSinkConnector",
        title: "OpenSearch Sink",
        kind: "sink",
        author: "Aiven",
        version: "3.1.1",
        plugin_name: "aiven-kafka-connect-opensearch",
        doc_url: "https://github.com/aiven/opensearch-connector-for-apache-kafka",
    },
    Plugin {
        class: "io.aiven.kafka.connect.http.HttpSinkConnector",
        title: "HTTP Sink",
        kind: "sink",
        author: "Aiven",
        version: "0.7.0",
        plugin_name: "aiven-kafka-connect-http",
        doc_url: "https://github.com/aiven/http-connector-for-apache-kafka",
    },
    Plugin {
        class: "io.debezium.connector.postgresql.PostgresConnector",
        title: "Debezium - PostgreSQL",
        kind: "source",
        author: "Debezium Community",
        version: "2.7.4.Final",
        plugin_name: "debezium-connector-postgres",
        doc_url: "https://debezium.io/documentation/reference/stable/connectors/postgresql.html",
    },
    Plugin {
        class: "io.debezium.connector.mysql.MySqlConnector",
        title: "Debezium - MySQL",
        kind: "source",
        author: "Debezium Community",
        version: "2.7.4.Final",
        plugin_name: "debezium-connector-mysql",
        doc_url: "https://debezium.io/documentation/reference/stable/connectors/mysql.html",
    },
    Plugin {
        class: "org.apache.kafka.connect.mirror.MirrorSourceConnector",
        title: "Mirror Source",
        kind: "source",
        author: "Apache Software Foundation",
        version: "3.9.0",
        plugin_name: "kafka-connect-mirror",
        doc_url: "https://kafka.apache.org/documentation/#georeplication",
    },
];

impl Plugin {
    fn to_json(&self) -> Value {
        json!({
            "author": self.author,
            "available_versions": [{"deprecated": false, "needs_maintenance": false, "version": self.version}],
            "class": self.class,
            "docURL": self.doc_url,
            "plugin_name": self.plugin_name,
            "preview": false,
            "title": self.title,
            "type": self.kind,
            "version": self.version,
        })
    }

    /// By class, short class name (Kafka Connect's alias) or plugin name.
    fn find(name: &str) -> Option<&'static Plugin> {
        PLUGINS.iter().find(|p| {
            p.class == name || p.class.rsplit('.').next() == Some(name) || p.plugin_name == name
        })
    }
}

/// The service, if it runs Kafka Connect and is powered on.
fn connect(s: &Service) -> Result<(), ApiError> {
    match s.service_type.as_str() {
        "kafka_connect" => {}
        "kafka" if s.user_config.get("kafka_connect") == Some(&Value::Bool(true)) => {}
        "kafka" => {
            return Err(ApiError::bad_request(
                "Kafka Connect is not enabled on this service: set user_config.kafka_connect \
                 to true, or use a kafka_connect service",
            ))
        }
        other => {
            return Err(ApiError::bad_request(format!(
                "Service type '{other}' does not support Kafka Connect connectors"
            )))
        }
    }
    if !s.powered {
        return Err(ApiError::not_powered());
    }
    Ok(())
}

fn not_found(name: &str) -> ApiError {
    ApiError::not_found(format!("Connector {name} not found"))
}

impl Connector {
    fn tasks_json(&self) -> Vec<Value> {
        self.task_ids()
            .map(|i| json!({"connector": self.name, "task": i}))
            .collect()
    }

    /// A stopped connector has no tasks.
    fn task_ids(&self) -> std::ops::Range<u32> {
        if self.state == "STOPPED" {
            0..0
        } else {
            0..self.tasks
        }
    }

    fn to_json(&self) -> Value {
        let class = self
            .config
            .get("connector.class")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let plugin = Plugin::find(class).map_or_else(
            || {
                json!({"author": "", "class": class, "docURL": "", "title": class,
                       "type": "unknown", "version": ""})
            },
            Plugin::to_json,
        );
        json!({
            "config": self.config,
            "name": self.name,
            "plugin": plugin,
            "tasks": self.tasks_json(),
        })
    }
}

/// Checks a connector configuration; returns its task count.
fn check_config(config: &Map<String, Value>) -> Result<u32, ApiError> {
    let class = config
        .get("connector.class")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if Plugin::find(class).is_none() {
        return Err(ApiError::bad_request(format!(
            "Failed to find any class that implements Connector and which name matches {class}"
        )));
    }
    match config.get("tasks.max") {
        None => Ok(1),
        Some(v) => {
            let n = match v {
                Value::String(s) => s.trim().parse::<i64>().ok(),
                Value::Number(n) => n.as_i64(),
                _ => None,
            };
            match n {
                Some(n) if (1..=1000).contains(&n) => Ok(n as u32),
                _ => Err(ApiError::bad_request(format!(
                    "Invalid value {v} for configuration tasks.max: must be an integer of at least 1"
                ))),
            }
        }
    }
}

fn body_config(req: &Req<'_>) -> Map<String, Value> {
    req.body.as_object().cloned().unwrap_or_default()
}

/// `ServiceKafkaConnectGetAvailableConnectors`.
pub fn available(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    connect(s)?;
    let plugins: Vec<Value> = PLUGINS.iter().map(Plugin::to_json).collect();
    Ok(json!({ "plugins": plugins }))
}

/// `ServiceKafkaConnectGetConnectorConfiguration`: the configuration
/// schema of a plugin (named by class, short class name or plugin name).
pub fn configuration(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    connect(s)?;
    let name = req.param("connector_name");
    let plugin = Plugin::find(name)
        .ok_or_else(|| ApiError::not_found(format!("Connector plugin {name} not found")))?;
    let entry = |order: i64, name: &str, kind: &str, default: &str, required: bool, doc: &str| {
        json!({
            "default_value": default,
            "display_name": name,
            "documentation": doc,
            "group": "Common",
            "importance": if required { "HIGH" } else { "MEDIUM" },
            "name": name,
            "order": order,
            "order_in_group": order,
            "required": required,
            "type": kind,
            "width": if kind == "STRING" || kind == "CLASS" { "LONG" } else { "SHORT" },
        })
    };
    let mut schema = vec![
        entry(1, "name", "STRING", "", true, "Globally unique name to use for this connector."),
        entry(2, "connector.class", "STRING", plugin.class, true, "Name or alias of the class for this connector."),
        entry(3, "tasks.max", "INT", "1", false, "Maximum number of tasks to use for this connector."),
        entry(4, "key.converter", "CLASS", "", false, "Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka."),
        entry(5, "value.converter", "CLASS", "", false, "Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka."),
    ];
    if plugin.kind == "sink" {
        schema.push(entry(
            6,
            "topics",
            "LIST",
            "",
            false,
            "List of topics to consume, separated by commas.",
        ));
    }
    Ok(json!({ "configuration_schema": schema }))
}

/// `ServiceKafkaConnectList`.
pub fn list(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    connect(s)?;
    let connectors: Vec<Value> = s.connectors.values().map(Connector::to_json).collect();
    Ok(json!({ "connectors": connectors }))
}

/// `ServiceKafkaConnectCreateConnector`: 409 if the name is taken.
pub fn create(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let config = body_config(req);
    let (_, s) = service(ctx.state, req)?;
    connect(s)?;
    let name = config
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if s.connectors.contains_key(&name) {
        return Err(ApiError::conflict(format!(
            "Connector {name} already exists"
        )));
    }
    let tasks = check_config(&config)?;
    let c = Connector {
        name: name.clone(),
        config,
        state: "RUNNING".into(),
        tasks,
    };
    let out = c.to_json();
    service_mut(ctx.state, req)?.connectors.insert(name, c);
    Ok(json!({ "connector": out, "message": "created" }))
}

/// `ServiceKafkaConnectEditConnector`: replaces the configuration (its
/// `name` must be the connector's); the state is kept.
pub fn edit(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let config = body_config(req);
    let (_, s) = service(ctx.state, req)?;
    connect(s)?;
    let name = req.param("connector_name").to_string();
    if !s.connectors.contains_key(&name) {
        return Err(not_found(&name));
    }
    let given = config
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if given != name {
        return Err(ApiError::bad_request(format!(
            "Connector name '{given}' in the configuration does not match the connector {name}"
        )));
    }
    let tasks = check_config(&config)?;
    let c = service_mut(ctx.state, req)?
        .connectors
        .get_mut(&name)
        .expect("checked above");
    c.config = config;
    c.tasks = tasks;
    Ok(json!({ "connector": c.to_json(), "message": "updated" }))
}

/// The connector named in the path, for changing.
fn connector_mut<'s>(ctx: &'s mut Ctx<'_>, req: &Req<'_>) -> Result<&'s mut Connector, ApiError> {
    let s = service_mut(ctx.state, req)?;
    connect(s)?;
    let name = req.param("connector_name");
    s.connectors.get_mut(name).ok_or_else(|| not_found(name))
}

/// `ServiceKafkaConnectDeleteConnector`.
pub fn delete(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    connector_mut(ctx, req)?;
    service_mut(ctx.state, req)?
        .connectors
        .remove(req.param("connector_name"));
    done("deleted")
}

/// `ServiceKafkaConnectGetConnectorStatus`.
pub fn status(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    connect(s)?;
    let name = req.param("connector_name");
    let c = s.connectors.get(name).ok_or_else(|| not_found(name))?;
    let tasks: Vec<Value> = c
        .task_ids()
        .map(|i| json!({"id": i, "state": c.state, "trace": ""}))
        .collect();
    Ok(json!({ "status": { "state": c.state, "tasks": tasks } }))
}

/// `ServiceKafkaConnectPauseConnector`.
pub fn pause(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    connector_mut(ctx, req)?.state = "PAUSED".into();
    done("paused")
}

/// `ServiceKafkaConnectResumeConnector`: from paused or stopped.
pub fn resume(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    connector_mut(ctx, req)?.state = "RUNNING".into();
    done("resumed")
}

/// `ServiceKafkaConnectStopConnector`: its tasks are shut down.
pub fn stop(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    connector_mut(ctx, req)?.state = "STOPPED".into();
    done("stopped")
}

/// `ServiceKafkaConnectRestartConnector`: the state is kept.
pub fn restart(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    connector_mut(ctx, req)?;
    done("restarted")
}

/// `ServiceKafkaConnectRestartConnectorTask`: 404 for a task the
/// connector does not have.
pub fn restart_task(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let task = req.param("task_id").to_string();
    let c = connector_mut(ctx, req)?;
    let known = task.parse::<u32>().is_ok_and(|t| c.task_ids().contains(&t));
    if !known {
        return Err(ApiError::not_found(format!(
            "Task {task} of connector {} not found",
            c.name
        )));
    }
    done("restarted")
}
