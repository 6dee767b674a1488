//! The account's organization: the simulator has one, which owns every
//! project (Aiven's CLI resolves `avn project create --parent-id org…` to
//! its `account_id` through `OrganizationGet`).

use serde_json::{json, Value};

use super::{Ctx, Outcome, Req};
use crate::clock::format_time;
use crate::error::ApiError;
use crate::model::ORGANIZATION_ID;

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

// References resolve (issue 18): every `account_id` and `organization_id`
// a project shows is answered by `AccountGet` / `OrganizationGet` and
// listed by `AccountList` / `OrganizationProjectsList`.

/// The organization's own account's primary billing group (the
/// description wants a 36-character UUID).
const BILLING_GROUP_ID: &str = "4a1b2c3d-4e5f-4a1b-8c3d-4e5f4a1b2c3d";

/// Every account the state knows, with its organization: the
/// organization's own and those projects were created with.
fn accounts(state: &crate::model::State) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    out.insert(ACCOUNT_ID.to_string(), ORGANIZATION_ID.to_string());
    for p in state.projects.values() {
        out.entry(p.account_id.clone())
            .or_insert_with(|| p.organization_id.clone());
    }
    out
}

/// One account object of `AccountList` / `AccountGet`.
fn account(id: &str, organization_id: &str) -> Value {
    let created = format_time(1_704_067_200_000);
    let name = if id == ACCOUNT_ID {
        "Simulated account".to_string()
    } else {
        format!("Account {id}")
    };
    json!({
        "account_id": id,
        "account_name": name,
        "account_owner_team_id": format!("at{}", id.trim_start_matches('a')),
        "create_time": created,
        "features": {},
        "is_account_member": true,
        "is_account_owner": true,
        "organization_id": organization_id,
        "primary_billing_group_id": BILLING_GROUP_ID,
        "root_account_id": id,
        "tenant_id": "aiven",
        "update_time": created,
    })
}

/// `AccountList`.
pub fn account_list(ctx: &mut Ctx<'_>, _: &Req<'_>) -> Outcome {
    let list: Vec<Value> = accounts(ctx.state)
        .iter()
        .map(|(id, org)| account(id, org))
        .collect();
    Ok(json!({ "accounts": list }))
}

/// `AccountGet`: 404 for an account no project names.
pub fn account_get(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let id = req.param("account_id");
    match accounts(ctx.state).get(id) {
        Some(org) => Ok(json!({ "account": account(id, org) })),
        None => Err(ApiError::not_found(format!(
            "Account '{id}' does not exist"
        ))),
    }
}

/// `OrganizationProjectsList`: the projects of the organization.
pub fn projects(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let org = req.param("organization_id");
    let known = org == ORGANIZATION_ID
        || ctx
            .state
            .projects
            .values()
            .any(|p| p.organization_id == org);
    if !known {
        return Err(ApiError::not_found(format!(
            "Organization '{org}' does not exist"
        )));
    }
    let projects: Vec<Value> = ctx
        .state
        .projects
        .values()
        .filter(|p| p.organization_id == org)
        .map(|p| {
            let tech_emails: Vec<Value> = p
                .tech_emails
                .iter()
                .filter_map(|e| e.get("email").or(Some(e)).and_then(Value::as_str))
                .map(|e| json!({ "email": e }))
                .collect();
            let tags: serde_json::Map<String, Value> = p
                .tags
                .iter()
                .filter(|(_, v)| v.is_string())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            json!({
                "account_id": p.account_id,
                "billing_group_id": p.billing_group_id,
                "end_of_life_extension": {},
                "parent_id": p.account_id,
                "project_id": p.name,
                "tags": tags,
                "tech_emails": tech_emails,
            })
        })
        .collect();
    Ok(json!({ "total_project_count": projects.len(), "projects": projects }))
}

/// A billing group a project names, as the generic model answers
/// `BillingGroupGet` (every required property, synthesized), but with the
/// account of the projects that name it.
fn billing_group(ctx: &mut Ctx<'_>, id: &str) -> Result<Value, ApiError> {
    let account = ctx
        .state
        .projects
        .values()
        .find(|p| p.billing_group_id == id)
        .map(|p| p.account_id.clone())
        .ok_or_else(|| ApiError::not_found(format!("Billing group '{id}' does not exist")))?;
    // The description's answer for reading one billing group, found by its
    // path (the registration is the one place naming operation ids).
    let op = match crate::spec::spec().route("GET", &format!("/billing-group/{id}")) {
        crate::spec::RouteMatch::Found(op, _) => op,
        _ => {
            return Err(ApiError::not_found(
                "no billing group read in the description",
            ))
        }
    };
    let params = [("billing_group_id".to_string(), id.to_string())].into();
    let (query, body) = (Default::default(), json!({}));
    let req = Req {
        params: &params,
        query: &query,
        body: &body,
    };
    let mut got = crate::generic::handle(op, ctx, &req)?;
    let mut group = got["billing_group"].take();
    group["account_id"] = json!(account);
    group["billing_group_id"] = json!(id);
    if account == ACCOUNT_ID {
        group["account_name"] = json!("Simulated account");
    }
    Ok(group)
}

/// `BillingGroupGet`: the billing group of a project (404 for one no
/// project names), with that project's account.
pub fn billing_group_get(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let group = billing_group(ctx, req.param("billing_group_id"))?;
    Ok(json!({ "billing_group": group }))
}

/// `BillingGroupList`: every billing group a project names.
pub fn billing_group_list(ctx: &mut Ctx<'_>, _: &Req<'_>) -> Outcome {
    let ids: std::collections::BTreeSet<String> = ctx
        .state
        .projects
        .values()
        .map(|p| p.billing_group_id.clone())
        .collect();
    let groups = ids
        .iter()
        .map(|id| billing_group(ctx, id))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(json!({ "billing_groups": groups }))
}

/// `BillingGroupProjectList`: the projects that name the billing group.
pub fn billing_group_projects(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let id = req.param("billing_group_id");
    let projects: Vec<Value> = ctx
        .state
        .projects
        .values()
        .filter(|p| p.billing_group_id == id)
        .map(|p| {
            json!({
                "available_credits": "0.00",
                "estimated_balance": "0.00",
                "project_name": p.name,
            })
        })
        .collect();
    if projects.is_empty() {
        return Err(ApiError::not_found(format!(
            "Billing group '{id}' does not exist"
        )));
    }
    Ok(json!({ "projects": projects }))
}
