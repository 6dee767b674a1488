//! Services: create, read, update (plan, disk, cloud, power, protection,
//! settings), delete; backups and tags.

use serde::Deserialize;
use serde_json::{json, Map, Number, Value};

use super::{done, project, project_mut, service, service_mut, Ctx, Outcome, Req};
use crate::catalog::{self, Plan, ServiceType};
use crate::error::ApiError;
use crate::lifecycle::{ServiceState, Transition};
use crate::model::{Maintenance, Service, ServiceUser};
use crate::validation::validate_inline;

/// Aiven's answer to deleting or powering off a protected service.
pub const PROTECTED: &str =
    "Service is protected against termination and shutdown. Remove termination protection first.";

const DAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

#[derive(Deserialize)]
struct MaintenanceBody {
    dow: Option<String>,
    time: Option<String>,
}

#[derive(Deserialize)]
struct CreateBody {
    service_name: String,
    service_type: String,
    plan: String,
    cloud: Option<String>,
    disk_space_mb: Option<Number>,
    maintenance: Option<MaintenanceBody>,
    project_vpc_id: Option<String>,
    tags: Option<Map<String, Value>>,
    copy_tags: Option<bool>,
    termination_protection: Option<bool>,
    user_config: Option<Map<String, Value>>,
    tech_emails: Option<Vec<Value>>,
}

#[derive(Deserialize)]
struct UpdateBody {
    plan: Option<String>,
    cloud: Option<String>,
    disk_space_mb: Option<Number>,
    powered: Option<bool>,
    termination_protection: Option<bool>,
    user_config: Option<Map<String, Value>>,
    maintenance: Option<MaintenanceBody>,
    tech_emails: Option<Vec<Value>>,
}

pub(crate) fn valid_service_name(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= 64
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn kind(name: &str) -> Result<&'static ServiceType, ApiError> {
    catalog::service_type(name)
        .ok_or_else(|| ApiError::bad_request(format!("Invalid service type: {name}")))
}

fn plan(kind: &ServiceType, name: &str) -> Result<Plan, ApiError> {
    catalog::plan(kind, name).ok_or_else(|| {
        ApiError::bad_request(format!(
            "Invalid plan '{name}' for service type '{}'",
            kind.name
        ))
    })
}

fn cloud(name: &str) -> Result<(), ApiError> {
    catalog::cloud_by_name(name)
        .map(|_| ())
        .ok_or_else(|| ApiError::bad_request(format!("Invalid cloud: {name}")))
}

/// A requested disk size in whole megabytes. The description makes it an
/// integer (since 2026); `81920.0` is the same integer written as JSON may.
fn megabytes(requested: &Number) -> Result<u64, ApiError> {
    requested
        .as_u64()
        .or_else(|| {
            let f = requested.as_f64()?;
            (f >= 0.0 && f.fract() == 0.0 && f <= u64::MAX as f64).then_some(f as u64)
        })
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "Disk space must be a whole number of megabytes, not {requested}"
            ))
        })
}

/// A requested disk size, checked against the plan's range.
fn disk(requested: u64, plan: &Plan) -> Result<u32, ApiError> {
    if !(u64::from(plan.disk_mb)..=u64::from(plan.max_disk_mb)).contains(&requested) {
        return Err(ApiError::bad_request(format!(
            "Disk space must be between {} and {} MB for plan {}, not {requested}",
            plan.disk_mb, plan.max_disk_mb, plan.name
        )));
    }
    Ok(requested as u32)
}

/// Checks a complete `user_config` against the type's schema.
fn check_user_config(kind: &ServiceType, config: &Map<String, Value>) -> Result<(), ApiError> {
    let errors = validate_inline(
        &catalog::user_config_schema(kind),
        &Value::Object(config.clone()),
    );
    if errors.is_empty() {
        return Ok(());
    }
    let mut e = ApiError::bad_request(format!("Invalid user_config: {}", errors[0]));
    e.details = errors.iter().skip(1).map(|x| x.to_string()).collect();
    Err(e)
}

fn maintenance(
    current: Option<Maintenance>,
    body: Option<&MaintenanceBody>,
    day: usize,
) -> Maintenance {
    let mut m = current.unwrap_or_else(|| Maintenance {
        dow: DAYS[day % 7].to_string(),
        time: format!("{:02}:00:00", (day * 5) % 24),
    });
    if let Some(b) = body {
        if let Some(d) = &b.dow {
            m.dow = d.clone();
        }
        if let Some(t) = &b.time {
            m.time = t.clone();
        }
    }
    m
}

fn render(ctx: &Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (p, s) = service(ctx.state, req)?;
    Ok(json!({ "service": s.to_json(p, ctx.now, ctx.no_backup_for_ms) }))
}

/// `ServiceList`.
pub fn list(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let p = project(ctx.state, req)?;
    let services: Vec<Value> = p
        .services
        .values()
        .map(|s| s.to_json(p, ctx.now, ctx.no_backup_for_ms))
        .collect();
    Ok(json!({ "services": services }))
}

/// `ServiceGet`.
pub fn get(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    render(ctx, req)
}

/// `ServiceCreate`: REBUILDING, RUNNING after `Timings::create`.
pub fn create(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let body: CreateBody = req.body()?;
    let p = project(ctx.state, req)?;
    if !valid_service_name(&body.service_name) {
        return Err(ApiError::bad_request(format!(
            "Invalid service name '{}': use lowercase letters, digits and dashes, starting with a letter",
            body.service_name
        )));
    }
    if p.services.contains_key(&body.service_name) {
        return Err(ApiError::conflict(
            "Service name is already in use in this project",
        ));
    }
    let kind = kind(&body.service_type)?;
    let plan = plan(kind, &body.plan)?;
    let cloud_name = body
        .cloud
        .clone()
        .unwrap_or_else(|| p.default_cloud.clone());
    cloud(&cloud_name)?;
    if let Some(id) = &body.project_vpc_id {
        super::vpcs::check_service_vpc(p, id, &cloud_name, ctx.now)?;
    }
    let disk_space_mb = match &body.disk_space_mb {
        Some(d) => disk(megabytes(d)?, &plan)?,
        None => plan.disk_mb,
    };
    let mut user_config = body.user_config.clone().unwrap_or_default();
    check_user_config(kind, &user_config)?;
    let version_key = catalog::version_key(kind);
    if user_config.get(&version_key).is_none_or(Value::is_null) {
        user_config.insert(version_key, json!(kind.default_version));
    }
    let tags = match (&body.tags, body.copy_tags) {
        (Some(t), _) => t.clone(),
        (None, Some(true)) => p.tags.clone(),
        _ => Map::new(),
    };
    let (access_cert, access_key) =
        crate::model::State::kafka_credentials(p, kind.name, kind.primary_user);
    let now = ctx.now;
    let rng = &mut ctx.state.rng;
    let day = rng.range(0, 7) as usize;
    let port = rng.range(10_000, 29_000) as u16;
    let mut users = std::collections::BTreeMap::new();
    users.insert(
        kind.primary_user.to_string(),
        ServiceUser {
            username: kind.primary_user.to_string(),
            password: rng.password(24),
            primary: true,
            authentication: (kind.name == "mysql").then(|| "caching_sha2_password".to_string()),
            access_control: None,
            access_cert,
            access_key,
        },
    );
    let transition = Transition::new(ServiceState::Rebuilding, now, ctx.timings.create, 0);
    let s = Service {
        name: body.service_name.clone(),
        service_type: kind.name.to_string(),
        plan: plan.name.clone(),
        cloud: cloud_name,
        node_count: plan.node_count,
        disk_space_mb,
        user_config,
        tags,
        termination_protection: body.termination_protection.unwrap_or(false),
        project_vpc_id: body.project_vpc_id.clone(),
        maintenance: maintenance(None, body.maintenance.as_ref(), day),
        tech_emails: body.tech_emails.clone().unwrap_or_default(),
        create_time: now,
        update_time: now,
        powered: true,
        transition: Some(transition),
        first_running_ms: transition.done_ms,
        port,
        topics: Default::default(),
        databases: if kind.databases {
            vec!["defaultdb".to_string()]
        } else {
            Vec::new()
        },
        users,
        pools: Default::default(),
        kafka_acls: Vec::new(),
        connectors: Default::default(),
        schema_registry: Default::default(),
        kafka_native_acls: Vec::new(),
        kafka_quotas: Vec::new(),
        opensearch_indices: None,
        opensearch_acl: None,
    };
    let p = project_mut(ctx.state, req)?;
    let out = json!({ "service": s.to_json(p, now, ctx.no_backup_for_ms) });
    p.services.insert(s.name.clone(), s);
    Ok(out)
}

/// `ServiceUpdate`: a plan, disk or cloud change rebalances (REBALANCING →
/// RUNNING); `powered: false` → POWEROFF (403 while protected);
/// `powered: true` → REBUILDING → RUNNING; a disk decrease is refused (400).
pub fn update(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let body: UpdateBody = req.body()?;
    let now = ctx.now;
    let timings = *ctx.timings;
    if let Some(Value::String(id)) = req.body.get("project_vpc_id") {
        let (p, s) = service(ctx.state, req)?;
        let cloud = body.cloud.as_ref().unwrap_or(&s.cloud);
        super::vpcs::check_service_vpc(p, id, cloud, now)?;
    }
    let s = service_mut(ctx.state, req)?;
    let kind = s.kind();
    let protected = body
        .termination_protection
        .unwrap_or(s.termination_protection);
    let power_off = body.powered == Some(false) && s.powered;
    let power_on = body.powered == Some(true) && !s.powered;
    if power_off && protected {
        return Err(ApiError::forbidden(PROTECTED));
    }
    let old_plan = plan(kind, &s.plan)?;
    let new_plan = match &body.plan {
        Some(name) => plan(kind, name)?,
        None => old_plan.clone(),
    };
    let new_disk = match &body.disk_space_mb {
        Some(d) => {
            let d = megabytes(d)?;
            if d < u64::from(s.disk_space_mb) {
                return Err(ApiError::bad_request(format!(
                    "Disk space cannot be decreased: the service has {} MB, {d} MB requested",
                    s.disk_space_mb,
                )));
            }
            disk(d, &new_plan)?
        }
        None if new_plan.name != old_plan.name => {
            if s.disk_space_mb == old_plan.disk_mb {
                new_plan.disk_mb
            } else {
                s.disk_space_mb
                    .clamp(new_plan.disk_mb, new_plan.max_disk_mb)
            }
        }
        None => s.disk_space_mb,
    };
    if let Some(c) = &body.cloud {
        cloud(c)?;
    }
    let mut user_config = s.user_config.clone();
    if let Some(changes) = &body.user_config {
        for (k, v) in changes {
            if v.is_null() {
                user_config.remove(k);
            } else {
                user_config.insert(k.clone(), v.clone());
            }
        }
        check_user_config(kind, &user_config)?;
    }

    // Everything is checked: apply.
    let resize = new_plan.name != s.plan
        || new_disk != s.disk_space_mb
        || body.cloud.as_ref().is_some_and(|c| *c != s.cloud);
    let old_nodes = s.node_count;
    let state = s.state(now);
    s.plan = new_plan.name.clone();
    s.node_count = new_plan.node_count;
    s.disk_space_mb = new_disk;
    if let Some(c) = &body.cloud {
        s.cloud = c.clone();
    }
    s.user_config = user_config;
    s.termination_protection = protected;
    s.maintenance = maintenance(Some(s.maintenance.clone()), body.maintenance.as_ref(), 0);
    if let Some(emails) = body.tech_emails {
        s.tech_emails = emails;
    }
    match req.body.get("project_vpc_id") {
        Some(Value::String(id)) => s.project_vpc_id = Some(id.clone()),
        Some(Value::Null) => s.project_vpc_id = None,
        _ => {}
    }
    if power_off {
        s.powered = false;
        s.transition = None;
    } else if power_on {
        s.powered = true;
        let t = Transition::new(ServiceState::Rebuilding, now, timings.power_on, 0);
        if s.first_running_ms > now {
            s.first_running_ms = t.done_ms;
        }
        s.transition = Some(t);
    } else if resize && s.powered {
        let active = s.transition.filter(|t| t.active(now));
        let (kind, previous) = match (state, active) {
            (ServiceState::Rebuilding, _) => (ServiceState::Rebuilding, 0),
            (_, Some(t)) if t.state == ServiceState::Rebalancing => {
                (ServiceState::Rebalancing, t.previous_nodes)
            }
            _ => (ServiceState::Rebalancing, old_nodes),
        };
        let mut t = Transition::new(kind, now, timings.rebalance, previous);
        if let Some(a) = active {
            t.done_ms = t.done_ms.max(a.done_ms);
        }
        if s.first_running_ms > now {
            s.first_running_ms = t.done_ms;
        }
        s.transition = Some(t);
    }
    s.update_time = now;
    render(ctx, req)
}

/// `ServiceDelete`: refused (403) while termination protection is on; its
/// integrations are deleted with it.
pub fn delete(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    if s.termination_protection {
        return Err(ApiError::forbidden(PROTECTED));
    }
    let (project, name) = (req.param("project"), req.param("service_name"));
    project_mut(ctx.state, req)?.services.remove(name);
    // Its integrations go with it, wherever they were created.
    for p in ctx.state.projects.all_mut().values_mut() {
        p.integrations.retain(|_, i| !i.involves(project, name));
    }
    done("deleted")
}

/// `ServiceBackupsGet`.
pub fn backups(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (p, s) = service(ctx.state, req)?;
    Ok(json!({ "backups": s.backups(&p.name, ctx.now, ctx.no_backup_for_ms) }))
}

/// `ProjectServiceTagsList`.
pub fn tags_list(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    Ok(json!({ "tags": s.tags }))
}

fn body_tags(req: &Req<'_>) -> Map<String, Value> {
    req.body
        .get("tags")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// `ProjectServiceTagsReplace`.
pub fn tags_replace(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let now = ctx.now;
    let s = service_mut(ctx.state, req)?;
    s.tags = body_tags(req);
    s.update_time = now;
    done("updated")
}

/// `ProjectServiceTagsUpdate`: merges; a `null` value removes the tag.
pub fn tags_update(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let now = ctx.now;
    let s = service_mut(ctx.state, req)?;
    for (k, v) in body_tags(req) {
        if v.is_null() {
            s.tags.remove(&k);
        } else {
            s.tags.insert(k, v);
        }
    }
    s.update_time = now;
    done("updated")
}
