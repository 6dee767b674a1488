//! Clouds, service types, plans and versions.

use serde_json::{json, Map, Value};

use super::{project, Ctx, Outcome, Req};
use crate::catalog::{
    self, cloud_json, plan_json, plan_specs_json, service_type_json, service_type_summary_json,
    service_versions_json, Plan, ServiceType, CLOUDS, SERVICE_TYPES,
};
use crate::error::ApiError;

fn clouds() -> Value {
    json!({ "clouds": CLOUDS.iter().map(cloud_json).collect::<Vec<_>>() })
}

/// Every service type by name, each rendered by `f`.
fn by_type(f: fn(&ServiceType) -> Value) -> Map<String, Value> {
    SERVICE_TYPES
        .iter()
        .map(|t| (t.name.to_string(), f(t)))
        .collect()
}

fn service_types() -> Value {
    json!({ "service_types": by_type(service_type_json) })
}

/// The service type named in the path (404 if the catalogue has none).
fn kind(req: &Req<'_>) -> Result<&'static ServiceType, ApiError> {
    let name = req.param("service_type");
    catalog::service_type(name)
        .ok_or_else(|| ApiError::not_found(format!("Service type '{name}' does not exist")))
}

/// The plan named in the path (404 if the type has none of that name).
fn plan(kind: &ServiceType, req: &Req<'_>) -> Result<Plan, ApiError> {
    let name = req.param("service_plan");
    catalog::plan(kind, name).ok_or_else(|| {
        ApiError::not_found(format!(
            "Service plan '{name}' does not exist for service type '{}'",
            kind.name
        ))
    })
}

/// `ListClouds` (no token needed).
pub fn list_clouds(_: &mut Ctx<'_>, _: &Req<'_>) -> Outcome {
    Ok(clouds())
}

/// `ListProjectClouds`.
pub fn list_project_clouds(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    project(ctx.state, req)?;
    Ok(clouds())
}

/// `ListPublicServiceTypes` (no token needed).
pub fn list_public_service_types(_: &mut Ctx<'_>, _: &Req<'_>) -> Outcome {
    Ok(service_types())
}

/// `ListProjectServiceTypes`.
pub fn list_project_service_types(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    project(ctx.state, req)?;
    Ok(service_types())
}

/// `ProjectServiceTypesList` (`GET /project/{project}/service-types`): the
/// types by name at the top level, without plans.
pub fn project_service_types_list(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    project(ctx.state, req)?;
    Ok(Value::Object(by_type(service_type_summary_json)))
}

/// `ProjectServiceTypesGet` (`GET /project/{project}/service-types/{service_type}`).
pub fn project_service_types_get(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    project(ctx.state, req)?;
    Ok(service_type_summary_json(kind(req)?))
}

/// `ProjectServicePlanList` (`GET …/service-types/{service_type}/plans`).
pub fn project_service_plan_list(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    project(ctx.state, req)?;
    let t = kind(req)?;
    let plans: Vec<Value> = catalog::plans(t).iter().map(|p| plan_json(t, p)).collect();
    Ok(json!({ "service_plans": plans }))
}

/// `ProjectServicePlanSpecsGet` (`GET …/plans/{service_plan}`).
pub fn project_service_plan_specs_get(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    project(ctx.state, req)?;
    let t = kind(req)?;
    Ok(plan_specs_json(t, &plan(t, req)?))
}

/// `ListServiceVersions` (no token needed).
pub fn list_service_versions(_: &mut Ctx<'_>, _: &Req<'_>) -> Outcome {
    Ok(service_versions_json())
}
