//! Service integrations between services of a project (or of two
//! projects), or between a service and an integration endpoint (an
//! external system) of the project: create, read, list per service, update
//! settings, delete; and the endpoints themselves.
//!
//! An integration lives in the project it was created through; a service
//! lists (in `ServiceGet` and `ServiceIntegrationList`) the integrations of
//! its own project it takes part in.

use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{project, service, Ctx, Outcome, Req};
use crate::error::ApiError;
use crate::model::{Integration, State};
use crate::spec::spec;

#[derive(Deserialize)]
struct CreateBody {
    integration_type: String,
    source_project: Option<String>,
    source_service: Option<String>,
    source_endpoint_id: Option<String>,
    dest_project: Option<String>,
    dest_service: Option<String>,
    dest_endpoint_id: Option<String>,
    user_config: Option<Map<String, Value>>,
}

#[derive(Deserialize)]
struct UpdateBody {
    user_config: Map<String, Value>,
}

/// The integration types the description's `ServiceIntegrationCreate`
/// request enumerates: the normalization pass names that enum
/// `IntegrationType` (the test checks it is the request's).
pub fn integration_types() -> &'static [String] {
    static TYPES: OnceLock<Vec<String>> = OnceLock::new();
    TYPES.get_or_init(|| enum_values(spec().definitions.get("IntegrationType")))
}

/// The values of a string enum schema.
fn enum_values(schema: Option<&Value>) -> Vec<String> {
    schema
        .and_then(|t| t.get("enum"))
        .and_then(Value::as_array)
        .map(|e| {
            e.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("Service integration {id} does not exist"))
}

/// One end of an integration: a service of a project, or an endpoint of
/// the path's project.
struct End {
    project: String,
    service: Option<String>,
    endpoint: Option<String>,
    kind: String,
}

/// Resolves one end (`side` is "Source" or "Destination"): 404 for a
/// project, service or endpoint that does not exist, 400 for none or both.
fn end(
    state: &State,
    here: &str,
    side: &str,
    project: Option<&String>,
    service: Option<&String>,
    endpoint: Option<&String>,
) -> Result<End, ApiError> {
    let lower = side.to_lowercase();
    let prefix = if side == "Source" { "source" } else { "dest" };
    match (service, endpoint) {
        (Some(name), None) => {
            let project = project.map_or(here, String::as_str);
            let p = state.projects.get(project).ok_or_else(|| {
                ApiError::not_found(format!("{side} project '{project}' does not exist"))
                    .code("project_not_found")
            })?;
            let s = p.services.get(name).ok_or_else(|| {
                ApiError::not_found(format!(
                    "{side} service '{name}' does not exist in project '{project}'"
                ))
            })?;
            Ok(End {
                project: project.to_string(),
                service: Some(name.clone()),
                endpoint: None,
                kind: s.service_type.clone(),
            })
        }
        (None, Some(id)) => {
            let e = state
                .projects
                .get(here)
                .and_then(|p| p.endpoints.get(id))
                .ok_or_else(|| {
                    ApiError::not_found(format!("{side} integration endpoint {id} does not exist"))
                })?;
            Ok(End {
                project: here.to_string(),
                service: None,
                endpoint: Some(id.clone()),
                kind: e.endpoint_type.clone(),
            })
        }
        _ => Err(ApiError::bad_request(format!(
            "An integration needs one {lower}: {prefix}_service or {prefix}_endpoint_id"
        ))),
    }
}

/// `ServiceIntegrationCreate`: both ends must exist (404), the type must be
/// one the description lists (400), the same integration twice is 409.
pub fn create(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let body: CreateBody = req.body()?;
    let here = project(ctx.state, req)?.name.clone();
    if !integration_types().contains(&body.integration_type) {
        return Err(ApiError::bad_request(format!(
            "Invalid integration_type '{}'",
            body.integration_type
        )));
    }
    let source = end(
        ctx.state,
        &here,
        "Source",
        body.source_project.as_ref(),
        body.source_service.as_ref(),
        body.source_endpoint_id.as_ref(),
    )?;
    let dest = end(
        ctx.state,
        &here,
        "Destination",
        body.dest_project.as_ref(),
        body.dest_service.as_ref(),
        body.dest_endpoint_id.as_ref(),
    )?;
    if source.project != here && dest.project != here {
        return Err(ApiError::bad_request(format!(
            "The source or the destination must be in project '{here}'"
        )));
    }
    let name = |e: &End| e.service.clone().or(e.endpoint.clone()).unwrap_or_default();
    let p = project(ctx.state, req)?;
    let duplicate = p.integrations.values().any(|i| {
        i.integration_type == body.integration_type
            && i.source_project == source.project
            && i.source_service == source.service
            && i.source_endpoint_id == source.endpoint
            && i.dest_project == dest.project
            && i.dest_service == dest.service
            && i.dest_endpoint_id == dest.endpoint
    });
    if duplicate {
        return Err(ApiError::conflict(format!(
            "A {} integration from {} to {} already exists",
            body.integration_type,
            name(&source),
            name(&dest)
        )));
    }
    let now = ctx.now;
    let ready = now.saturating_add(crate::clock::millis(ctx.timings.integration()));
    let integration = Integration {
        id: ctx.state.rng.uuid(),
        integration_type: body.integration_type,
        source_project: source.project,
        source_service: source.service,
        source_service_type: source.kind,
        source_endpoint_id: source.endpoint,
        dest_project: dest.project,
        dest_service: dest.service,
        dest_service_type: dest.kind,
        dest_endpoint_id: dest.endpoint,
        user_config: body.user_config.unwrap_or_default(),
        create_time: now,
        ready_ms: ready,
    };
    let out = json!({ "message": "created", "service_integration": integration.to_json(now) });
    super::project_mut(ctx.state, req)?
        .integrations
        .insert(integration.id.clone(), integration);
    Ok(out)
}

/// `ServiceIntegrationGet`.
pub fn get(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let id = req.param("integration_id");
    let p = project(ctx.state, req)?;
    let i = p.integrations.get(id).ok_or_else(|| not_found(id))?;
    Ok(json!({ "service_integration": i.to_json(ctx.now) }))
}

/// `ServiceIntegrationList`: the integrations the service takes part in.
pub fn list(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (p, s) = service(ctx.state, req)?;
    let list: Vec<Value> = p
        .integrations
        .values()
        .filter(|i| i.involves(&p.name, &s.name))
        .map(|i| i.to_json(ctx.now))
        .collect();
    Ok(json!({ "service_integrations": list }))
}

/// `ServiceIntegrationUpdate`: merges `user_config` (a `null` value removes
/// a setting).
pub fn update(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let body: UpdateBody = req.body()?;
    let id = req.param("integration_id");
    let now = ctx.now;
    let p = super::project_mut(ctx.state, req)?;
    let i = p.integrations.get_mut(id).ok_or_else(|| not_found(id))?;
    for (k, v) in body.user_config {
        if v.is_null() {
            i.user_config.remove(&k);
        } else {
            i.user_config.insert(k, v);
        }
    }
    Ok(json!({ "message": "updated", "service_integration": i.to_json(now) }))
}

/// `ServiceIntegrationDelete`.
pub fn delete(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let id = req.param("integration_id");
    let p = super::project_mut(ctx.state, req)?;
    p.integrations.remove(id).ok_or_else(|| not_found(id))?;
    Ok(json!({ "message": "deleted" }))
}

#[derive(Deserialize)]
struct EndpointBody {
    endpoint_name: String,
    endpoint_type: String,
    user_config: Map<String, Value>,
}

fn endpoint_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("Integration endpoint {id} does not exist"))
}

/// `ServiceIntegrationEndpointCreate`.
pub fn endpoint_create(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let body: EndpointBody = req.body()?;
    project(ctx.state, req)?;
    let e = crate::model::Endpoint {
        id: ctx.state.rng.uuid(),
        name: body.endpoint_name,
        endpoint_type: body.endpoint_type,
        user_config: body.user_config,
    };
    let out = json!({ "message": "created", "service_integration_endpoint": e.to_json() });
    super::project_mut(ctx.state, req)?
        .endpoints
        .insert(e.id.clone(), e);
    Ok(out)
}

/// `ServiceIntegrationEndpointList`.
pub fn endpoint_list(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let p = project(ctx.state, req)?;
    let list: Vec<Value> = p.endpoints.values().map(|e| e.to_json()).collect();
    Ok(json!({ "service_integration_endpoints": list }))
}

/// `ServiceIntegrationEndpointGet`.
pub fn endpoint_get(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let id = req.param("integration_endpoint_id");
    let p = project(ctx.state, req)?;
    let e = p.endpoints.get(id).ok_or_else(|| endpoint_not_found(id))?;
    Ok(json!({ "service_integration_endpoint": e.to_json() }))
}

/// `ServiceIntegrationEndpointUpdate`: merges `user_config` (a `null`
/// value removes a setting).
pub fn endpoint_update(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let body: UpdateBody = req.body()?;
    let id = req.param("integration_endpoint_id");
    let p = super::project_mut(ctx.state, req)?;
    let e = p
        .endpoints
        .get_mut(id)
        .ok_or_else(|| endpoint_not_found(id))?;
    for (k, v) in body.user_config {
        if v.is_null() {
            e.user_config.remove(&k);
        } else {
            e.user_config.insert(k, v);
        }
    }
    Ok(json!({ "message": "updated", "service_integration_endpoint": e.to_json() }))
}

/// `ServiceIntegrationEndpointDelete`: the integrations using it go too.
pub fn endpoint_delete(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let id = req.param("integration_endpoint_id");
    let p = super::project_mut(ctx.state, req)?;
    p.endpoints
        .remove(id)
        .ok_or_else(|| endpoint_not_found(id))?;
    p.integrations.retain(|_, i| {
        i.source_endpoint_id.as_deref() != Some(id) && i.dest_endpoint_id.as_deref() != Some(id)
    });
    Ok(json!({ "message": "deleted" }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_types_come_from_the_description() {
        let types = integration_types();
        for t in ["metrics", "logs", "read_replica", "kafka_connect"] {
            assert!(types.iter().any(|x| x == t), "{t} in {types:?}");
        }
        // The enum the create request refers to.
        let s = spec();
        let resolve = |mut schema: Option<&'static Value>| {
            while let Some(name) = schema
                .and_then(|x| x.get("$ref"))
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/definitions/"))
            {
                schema = s.definitions.get(name);
            }
            schema
        };
        let request = resolve(
            s.operation("ServiceIntegrationCreate")
                .and_then(|op| op.request.as_ref()),
        );
        let field = resolve(request.and_then(|b| b.pointer("/properties/integration_type")));
        assert_eq!(enum_values(field), types);
    }
}
