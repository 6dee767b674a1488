//! The account's organization: the simulator has one, which owns every
//! project (Aiven's CLI resolves `avn project create --parent-id org…` to
//! its `account_id` through `OrganizationGet`).

use serde_json::{json, Value};

use super::{Ctx, Outcome, Req};
use crate::clock::format_time;
use crate::error::ApiError;

/// The one organization's id.
pub const ORGANIZATION_ID: &str = "org4a1b2c3d4e5";
/// Its account id (what `ProjectCreate` takes as `account_id`).
pub const ACCOUNT_ID: &str = "a4a1b2c3d4e5";

/// The organization, as `OrganizationGet` and `UserOrganizationsList` show it.
fn organization() -> Value {
    // A fixed date: the organization predates every simulated change.
    let created = format_time(1_704_067_200_000);
    json!({
        "account_id": ACCOUNT_ID,
        "create_time": created,
        "organization_id": ORGANIZATION_ID,
        "organization_name": "Simulated organization",
        "tier": "business",
        "update_time": created,
    })
}

pub fn list(_: &mut Ctx<'_>, _: &Req<'_>) -> Outcome {
    Ok(json!({ "organizations": [organization()] }))
}

pub fn get(_: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    match req.param("organization_id") {
        ORGANIZATION_ID => Ok(organization()),
        other => Err(ApiError::not_found(format!(
            "Organization '{other}' does not exist"
        ))),
    }
}
