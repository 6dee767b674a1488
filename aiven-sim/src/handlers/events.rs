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

/// What a successful change will have done, worked out before the handler
/// runs (a delete's subject is gone after it): the project, the service,
/// the event type and its description.
pub struct Pending {
    project: String,
    service: String,
    event_type: &'static str,
    desc: String,
}

/// How an operation describes the event it logs (registered with the
/// operation, see `handlers::OPERATIONS`); `None`: nothing to log.
pub type Describe = fn(&State, &Req<'_>) -> Option<Pending>;

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

/// An event of the project in the path about `service` (none without one:
/// the description requires every event to name a service).
fn about(
    req: &Req<'_>,
    service: String,
    event_type: &'static str,
    desc: String,
) -> Option<Pending> {
    (!service.is_empty()).then(|| Pending {
        project: req.param("project").to_string(),
        service,
        event_type,
        desc,
    })
}

/// An event about the service in the path.
fn of_service(req: &Req<'_>, event_type: &'static str, desc: String) -> Option<Pending> {
    about(req, req.param("service_name").to_string(), event_type, desc)
}

/// `ServiceCreate`: the service is named in the body.
pub fn service_create(_: &State, req: &Req<'_>) -> Option<Pending> {
    let service = text(req.body, "service_name");
    let desc = format!(
        "Created {} service {service} ({})",
        text(req.body, "service_type"),
        text(req.body, "plan")
    );
    about(req, service, "service_create", desc)
}

/// `ServiceUpdate`: a power change or another update.
pub fn service_update(_: &State, req: &Req<'_>) -> Option<Pending> {
    let service = req.param("service_name");
    let (event_type, desc) = match req.body.get("powered").and_then(Value::as_bool) {
        Some(false) => ("service_poweroff", format!("Powered off service {service}")),
        Some(true) => ("service_poweron", format!("Powered on service {service}")),
        None => ("service_update", format!("Updated service {service}")),
    };
    of_service(req, event_type, desc)
}

/// `ServiceDelete`.
pub fn service_delete(_: &State, req: &Req<'_>) -> Option<Pending> {
    let desc = format!("Deleted service {}", req.param("service_name"));
    of_service(req, "service_delete", desc)
}

/// The service tags' replace and update.
pub fn service_tags_update(_: &State, req: &Req<'_>) -> Option<Pending> {
    let desc = format!("Updated the tags of service {}", req.param("service_name"));
    of_service(req, "service_tags_update", desc)
}

/// `ServiceMaintenanceStart`.
pub fn maintenance_start(_: &State, req: &Req<'_>) -> Option<Pending> {
    let desc = format!(
        "Started maintenance of service {}",
        req.param("service_name")
    );
    of_service(req, "service_maintenance_start", desc)
}

/// A topic create (named in the body).
pub fn topic_create(_: &State, req: &Req<'_>) -> Option<Pending> {
    let desc = format!("Created topic {}", text(req.body, "topic_name"));
    of_service(req, "kafka_topic_create", desc)
}

/// A topic update.
pub fn topic_update(_: &State, req: &Req<'_>) -> Option<Pending> {
    let desc = format!("Updated topic {}", req.param("topic_name"));
    of_service(req, "kafka_topic_update", desc)
}

/// A topic delete.
pub fn topic_delete(_: &State, req: &Req<'_>) -> Option<Pending> {
    let desc = format!("Deleted topic {}", req.param("topic_name"));
    of_service(req, "kafka_topic_delete", desc)
}

/// A database create (named in the body).
pub fn database_create(_: &State, req: &Req<'_>) -> Option<Pending> {
    let desc = format!("Created database {}", text(req.body, "database"));
    of_service(req, "database_create", desc)
}

/// A database delete.
pub fn database_delete(_: &State, req: &Req<'_>) -> Option<Pending> {
    let desc = format!("Deleted database {}", req.param("dbname"));
    of_service(req, "database_delete", desc)
}

/// A service user create (named in the body).
pub fn user_create(_: &State, req: &Req<'_>) -> Option<Pending> {
    let desc = format!("Created service user {}", text(req.body, "username"));
    of_service(req, "service_user_create", desc)
}

/// A service user delete.
pub fn user_delete(_: &State, req: &Req<'_>) -> Option<Pending> {
    let desc = format!("Deleted service user {}", req.param("service_username"));
    of_service(req, "service_user_delete", desc)
}

/// A service user's credentials modified or reset.
pub fn user_credentials_update(_: &State, req: &Req<'_>) -> Option<Pending> {
    let desc = format!(
        "Changed the credentials of service user {}",
        req.param("service_username")
    );
    of_service(req, "service_user_credentials_update", desc)
}

/// A connection pool create (named in the body).
pub fn pool_create(_: &State, req: &Req<'_>) -> Option<Pending> {
    let desc = format!("Created connection pool {}", text(req.body, "pool_name"));
    of_service(req, "connection_pool_create", desc)
}

/// A connection pool update.
pub fn pool_update(_: &State, req: &Req<'_>) -> Option<Pending> {
    let desc = format!("Updated connection pool {}", req.param("pool_name"));
    of_service(req, "connection_pool_update", desc)
}

/// A connection pool delete.
pub fn pool_delete(_: &State, req: &Req<'_>) -> Option<Pending> {
    let desc = format!("Deleted connection pool {}", req.param("pool_name"));
    of_service(req, "connection_pool_delete", desc)
}

/// An integration create: logged for its source service.
pub fn integration_create(_: &State, req: &Req<'_>) -> Option<Pending> {
    let desc = format!(
        "Created {} integration from {} to {}",
        text(req.body, "integration_type"),
        text(req.body, "source_service"),
        text(req.body, "dest_service")
    );
    let source = text(req.body, "source_service");
    about(req, source, "service_integration_create", desc)
}

/// An integration update.
pub fn integration_update(state: &State, req: &Req<'_>) -> Option<Pending> {
    integration_change(state, req, "service_integration_update", "Updated")
}

/// An integration delete.
pub fn integration_delete(state: &State, req: &Req<'_>) -> Option<Pending> {
    integration_change(state, req, "service_integration_delete", "Deleted")
}

/// A change to the integration in the path, logged for its source service.
fn integration_change(
    state: &State,
    req: &Req<'_>,
    event_type: &'static str,
    verb: &str,
) -> Option<Pending> {
    let id = req.param("integration_id");
    let i = state
        .projects
        .get(req.param("project"))?
        .integrations
        .get(id)?;
    let desc = format!("{verb} {} integration {id}", i.integration_type);
    let source = i.source_service.clone().unwrap_or_default();
    about(req, source, event_type, desc)
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
