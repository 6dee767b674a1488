//! Clouds, service types and versions.

use serde_json::{json, Map, Value};

use super::{project, Ctx, Outcome, Req};
use crate::catalog::{cloud_json, service_type_json, service_versions_json, CLOUDS, SERVICE_TYPES};

fn clouds() -> Value {
    json!({ "clouds": CLOUDS.iter().map(cloud_json).collect::<Vec<_>>() })
}

fn service_types() -> Value {
    let types: Map<String, Value> = SERVICE_TYPES
        .iter()
        .map(|t| (t.name.to_string(), service_type_json(t)))
        .collect();
    json!({ "service_types": types })
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

/// `ListServiceVersions` (no token needed).
pub fn list_service_versions(_: &mut Ctx<'_>, _: &Req<'_>) -> Outcome {
    Ok(service_versions_json())
}
