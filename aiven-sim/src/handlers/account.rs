//! The caller (`UserInfo`), the project CA (`ProjectKmsGetCA`) and
//! maintenance on demand (`ServiceMaintenanceStart`).

use serde_json::{json, Map, Value};

use super::{project_mut, service, Ctx, Outcome, Req};
use crate::clock::format_time;
use crate::error::ApiError;
use crate::kms::ProjectCa;

/// The simulated caller's e-mail address.
pub const USER_EMAIL: &str = "sim-user@example.com";

/// `UserInfo`: one user, admin of every project.
pub fn user_info(ctx: &mut Ctx<'_>, _: &Req<'_>) -> Outcome {
    let projects: Vec<&String> = ctx.state.projects.keys().collect();
    let membership: Map<String, Value> = projects
        .iter()
        .map(|n| ((*n).clone(), json!("admin")))
        .collect();
    let memberships: Map<String, Value> = projects
        .iter()
        .map(|n| ((*n).clone(), json!(["admin"])))
        .collect();
    Ok(json!({
        "user": {
            "auth": ["password"],
            "create_time": format_time(0),
            "features": {},
            "invitations": [],
            "project_membership": membership,
            "project_memberships": memberships,
            "projects": projects,
            "real_name": "Simulated User",
            "state": "active",
            "tenant": "aiven",
            // Aiven's CLI prints it (`avn user info`).
            "token_validity_begin": format_time(0),
            "user": USER_EMAIL,
            "user_id": "u4a1b2c3d4e5",
        }
    }))
}

/// `ProjectKmsGetCA`: the project's CA certificate, PEM.
pub fn project_ca(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let p = project_mut(ctx.state, req)?;
    // Projects get their CA when created or loaded; this is a last resort.
    let name = p.name.clone();
    let ca = p.ca.get_or_insert_with(|| ProjectCa::generate(&name));
    Ok(json!({ "certificate": ca.cert_pem }))
}

/// `ServiceMaintenanceStart`: the service must be powered on (409).
pub fn maintenance_start(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    if !s.powered {
        return Err(ApiError::not_powered());
    }
    Ok(json!({ "message": "Maintenance started" }))
}
