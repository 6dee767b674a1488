//! The project event log (`ProjectGetEventLogs`), written from the changes
//! made: every successful change to a service (or to something of a
//! service: topics, databases, users, pools, integrations) is one event.
//! Project-level changes (VPCs, the project itself) are not logged: the
//! description requires every event to name a service.

use serde_json::{json, Value};

use super::{project, Ctx, Outcome, Req};
use crate::clock::{format_time, Millis};
use crate::model::{Event, State};

/// At most this many events are kept per project (the oldest go first).
pub const MAX_EVENTS: usize = 1000;

/// What a successful `operation_id` will have done, worked out before the
/// handler runs (a delete's subject is gone after it): the project, the
/// service, the event type and its description.
pub struct Pending {
    project: String,
    service: String,
    event_type: &'static str,
    desc: String,
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

/// The event `operation_id` makes, if it makes one.
pub fn pending(operation_id: &str, state: &State, req: &Req<'_>) -> Option<Pending> {
    let project = req.param("project").to_string();
    let mut service = req.param("service_name").to_string();
    let (event_type, desc) = match operation_id {
        "ServiceCreate" => {
            service = text(req.body, "service_name");
            let kind = text(req.body, "service_type");
            let plan = text(req.body, "plan");
            (
                "service_create",
                format!("Created {kind} service {service} ({plan})"),
            )
        }
        "ServiceUpdate" => match req.body.get("powered").and_then(Value::as_bool) {
            Some(false) => ("service_poweroff", format!("Powered off service {service}")),
            Some(true) => ("service_poweron", format!("Powered on service {service}")),
            None => ("service_update", format!("Updated service {service}")),
        },
        "ServiceDelete" => ("service_delete", format!("Deleted service {service}")),
        "ProjectServiceTagsReplace" | "ProjectServiceTagsUpdate" => (
            "service_tags_update",
            format!("Updated the tags of service {service}"),
        ),
        "ServiceMaintenanceStart" => (
            "service_maintenance_start",
            format!("Started maintenance of service {service}"),
        ),
        "ServiceKafkaTopicCreate" => (
            "kafka_topic_create",
            format!("Created topic {}", text(req.body, "topic_name")),
        ),
        "ServiceKafkaTopicUpdate" => (
            "kafka_topic_update",
            format!("Updated topic {}", req.param("topic_name")),
        ),
        "ServiceKafkaTopicDelete" => (
            "kafka_topic_delete",
            format!("Deleted topic {}", req.param("topic_name")),
        ),
        "ServiceDatabaseCreate" => (
            "database_create",
            format!("Created database {}", text(req.body, "database")),
        ),
        "ServiceDatabaseDelete" => (
            "database_delete",
            format!("Deleted database {}", req.param("dbname")),
        ),
        "ServiceUserCreate" => (
            "service_user_create",
            format!("Created service user {}", text(req.body, "username")),
        ),
        "ServiceUserDelete" => (
            "service_user_delete",
            format!("Deleted service user {}", req.param("service_username")),
        ),
        "ServiceUserCredentialsModify" | "ServiceUserCredentialsReset" => (
            "service_user_credentials_update",
            format!(
                "Changed the credentials of service user {}",
                req.param("service_username")
            ),
        ),
        "ServicePGBouncerCreate" => (
            "connection_pool_create",
            format!("Created connection pool {}", text(req.body, "pool_name")),
        ),
        "ServicePGBouncerUpdate" => (
            "connection_pool_update",
            format!("Updated connection pool {}", req.param("pool_name")),
        ),
        "ServicePGBouncerDelete" => (
            "connection_pool_delete",
            format!("Deleted connection pool {}", req.param("pool_name")),
        ),
        "ServiceIntegrationCreate" => {
            service = text(req.body, "source_service");
            (
                "service_integration_create",
                format!(
                    "Created {} integration from {service} to {}",
                    text(req.body, "integration_type"),
                    text(req.body, "dest_service")
                ),
            )
        }
        "ServiceIntegrationUpdate" | "ServiceIntegrationDelete" => {
            let id = req.param("integration_id");
            let i = state.projects.get(&project)?.integrations.get(id)?;
            service = i.source_service.clone().unwrap_or_default();
            let verb = if operation_id.ends_with("Update") {
                ("service_integration_update", "Updated")
            } else {
                ("service_integration_delete", "Deleted")
            };
            (
                verb.0,
                format!("{} {} integration {id}", verb.1, i.integration_type),
            )
        }
        _ => return None,
    };
    (!service.is_empty()).then_some(Pending {
        project,
        service,
        event_type,
        desc,
    })
}

/// Appends a done change to its project's log.
pub fn record(state: &mut State, now: Millis, p: Pending) {
    let Some(project) = state.projects.get_mut(&p.project) else {
        return;
    };
    project.event_serial += 1;
    project.events.push(Event {
        id: format!("e{:08}", project.event_serial),
        actor: crate::handlers::account::USER_EMAIL.to_string(),
        event_type: p.event_type.to_string(),
        event_desc: p.desc,
        service_name: p.service,
        time: now,
    });
    let excess = project.events.len().saturating_sub(MAX_EVENTS);
    project.events.drain(..excess);
}

/// `ProjectGetEventLogs`: newest first.
pub fn list(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let p = project(ctx.state, req)?;
    let events: Vec<Value> = p
        .events
        .iter()
        .rev()
        .map(|e| {
            json!({
                "actor": e.actor,
                "event_desc": e.event_desc,
                "event_type": e.event_type,
                "id": e.id,
                "service_name": e.service_name,
                "time": format_time(e.time),
            })
        })
        .collect();
    Ok(json!({ "events": events }))
}
