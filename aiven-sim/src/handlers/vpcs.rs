//! Project VPCs and their peering connections. A VPC is APPROVED while it
//! is built, then ACTIVE; deleting it makes it DELETING, then it is gone.
//! A peering connection is APPROVED, then PENDING_PEER (the peer has to
//! accept), then ACTIVE (the simulated peer accepts); deleting makes it
//! DELETING, then gone. See [`crate::lifecycle::Timings::vpc_build`].
//! Organization VPCs (`OrganizationVpc*`) are the same VPCs, owned by the
//! organization, with the same lifecycle.

use serde::Deserialize;
use serde_json::{json, Value};

use super::{project, project_mut, Ctx, Outcome, Req};
use crate::catalog;
use crate::clock::{millis, Millis};
use crate::error::ApiError;
use crate::model::{Peering, Vpc};

#[derive(Deserialize)]
struct PeeringBody {
    peer_cloud_account: String,
    peer_vpc: String,
    peer_region: Option<String>,
    peer_resource_group: Option<String>,
    peer_azure_app_id: Option<String>,
    peer_azure_tenant_id: Option<String>,
    user_peer_network_cidrs: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct CreateBody {
    cloud_name: String,
    network_cidr: String,
    #[serde(default)]
    peering_connections: Vec<PeeringBody>,
}

/// Parses `a.b.c.d/n`.
fn parse_cidr(cidr: &str) -> Option<([u8; 4], u8)> {
    let (addr, prefix) = cidr.split_once('/')?;
    let addr: std::net::Ipv4Addr = addr.parse().ok()?;
    let prefix: u8 = prefix.parse().ok().filter(|p| *p <= 32)?;
    Some((addr.octets(), prefix))
}

/// A VPC network: a private (RFC 1918) IPv4 network from /16 to /24 whose
/// host bits are zero, as Aiven asks.
fn check_network(cidr: &str) -> Result<(), ApiError> {
    let invalid =
        |why: &str| ApiError::bad_request(format!("Invalid network_cidr '{cidr}': {why}"));
    let (octets, prefix) = parse_cidr(cidr).ok_or_else(|| invalid("not an IPv4 network"))?;
    if !(16..=24).contains(&prefix) {
        return Err(invalid("the prefix length must be between /16 and /24"));
    }
    let bits = u32::from_be_bytes(octets);
    if bits & (u32::MAX >> prefix) != 0 {
        return Err(invalid("host bits are set"));
    }
    if !std::net::Ipv4Addr::from(octets).is_private() {
        return Err(invalid("not a private (RFC 1918) network"));
    }
    Ok(())
}

fn vpc_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("Project VPC {id} does not exist"))
}

fn new_peering(ctx: &mut Ctx<'_>, b: PeeringBody) -> Result<Peering, ApiError> {
    for c in b.user_peer_network_cidrs.iter().flatten() {
        if parse_cidr(c).is_none() {
            return Err(ApiError::bad_request(format!(
                "Invalid user_peer_network_cidrs entry '{c}': not an IPv4 network"
            )));
        }
    }
    let now = ctx.now;
    let build = millis(ctx.timings.vpc_build());
    Ok(Peering {
        id: ctx.state.rng.uuid(),
        peer_cloud_account: b.peer_cloud_account,
        peer_vpc: b.peer_vpc,
        peer_region: b.peer_region,
        peer_resource_group: b.peer_resource_group.unwrap_or_default(),
        peer_azure_app_id: b.peer_azure_app_id.unwrap_or_default(),
        peer_azure_tenant_id: b.peer_azure_tenant_id.unwrap_or_default(),
        user_peer_network_cidrs: b.user_peer_network_cidrs.unwrap_or_default(),
        create_time: now,
        pending_ms: now.saturating_add(build),
        active_ms: now.saturating_add(build.saturating_mul(2)),
        deleted_ms: None,
    })
}

/// Forgets what finished deleting (reads hide it already; a change is
/// the moment to drop it from the state).
fn prune(vpcs: &mut std::collections::BTreeMap<String, Vpc>, now: Millis) {
    vpcs.retain(|_, v| v.state(now).is_some());
    for v in vpcs.values_mut() {
        v.peerings.retain(|p| p.state(now).is_some());
    }
}

/// A service of `project` in `cloud` may be placed in VPC `id`: it exists
/// (404), is not being deleted (409) and is in that cloud (400).
pub fn check_service_vpc(
    project: &crate::model::Project,
    id: &str,
    cloud: &str,
    now: Millis,
) -> Result<(), ApiError> {
    let v = project
        .vpcs
        .get(id)
        .filter(|v| v.state(now).is_some())
        .ok_or_else(|| vpc_not_found(id))?;
    if v.deleted_ms.is_some() {
        return Err(ApiError::conflict(format!(
            "Project VPC {id} is being deleted"
        )));
    }
    if v.cloud_name != cloud {
        return Err(ApiError::bad_request(format!(
            "Project VPC {id} is in cloud {}, not {cloud}",
            v.cloud_name
        )));
    }
    Ok(())
}

/// `VpcList`: every project has one (an empty list before any VPC).
pub fn list(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let p = project(ctx.state, req)?;
    let vpcs: Vec<Value> = p
        .vpcs
        .values()
        .filter(|v| v.state(ctx.now).is_some())
        .map(|v| v.summary_json(ctx.now))
        .collect();
    Ok(json!({ "vpcs": vpcs }))
}

/// Checks a new VPC of its `owner` (`Project`, `Organization`) in
/// `cloud_name`: a known cloud and a private network (400), and none of the
/// owner's VPCs (`existing`) alive in that cloud (409).
fn check_new_vpc<'v>(
    owner: &str,
    cloud_name: &str,
    network_cidr: &str,
    existing: impl IntoIterator<Item = &'v Vpc>,
    now: Millis,
) -> Result<(), ApiError> {
    if catalog::cloud_by_name(cloud_name).is_none() {
        return Err(ApiError::bad_request(format!(
            "Invalid cloud: {cloud_name}"
        )));
    }
    check_network(network_cidr)?;
    if let Some(v) = existing
        .into_iter()
        .find(|v| v.cloud_name == cloud_name && v.state(now).is_some())
    {
        return Err(ApiError::conflict(format!(
            "{owner} already has a VPC in cloud {cloud_name}: {}",
            v.id
        )));
    }
    Ok(())
}

/// A new VPC, built from now on, with the peering connections asked for
/// (each checked).
fn build_vpc(
    ctx: &mut Ctx<'_>,
    cloud_name: String,
    network_cidr: String,
    peerings: Vec<PeeringBody>,
    display_name: Option<String>,
) -> Result<Vpc, ApiError> {
    let now = ctx.now;
    let peerings = peerings
        .into_iter()
        .map(|b| new_peering(ctx, b))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Vpc {
        id: ctx.state.rng.uuid(),
        cloud_name,
        network_cidr,
        create_time: now,
        update_time: now,
        active_ms: now.saturating_add(millis(ctx.timings.vpc_build())),
        deleted_ms: None,
        peerings,
        display_name,
    })
}

/// `VpcCreate`: one VPC per cloud (409), a valid cloud and private network
/// (400); peering connections may be created with it.
pub fn create(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let body: CreateBody = req.body()?;
    let now = ctx.now;
    let p = project(ctx.state, req)?;
    check_new_vpc(
        "Project",
        &body.cloud_name,
        &body.network_cidr,
        p.vpcs.values(),
        now,
    )?;
    let vpc = build_vpc(
        ctx,
        body.cloud_name,
        body.network_cidr,
        body.peering_connections,
        None,
    )?;
    let mut out = vpc.to_json(now);
    out["message"] = json!("created");
    let p = project_mut(ctx.state, req)?;
    prune(&mut p.vpcs, now);
    p.vpcs.insert(vpc.id.clone(), vpc);
    Ok(out)
}

/// The VPC named in the path, unless deleted.
fn vpc<'s>(ctx: &'s Ctx<'_>, req: &Req<'_>) -> Result<&'s Vpc, ApiError> {
    let id = req.param("project_vpc_id");
    project(ctx.state, req)?
        .vpcs
        .get(id)
        .filter(|v| v.state(ctx.now).is_some())
        .ok_or_else(|| vpc_not_found(id))
}

/// `VpcGet`.
pub fn get(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    Ok(vpc(ctx, req)?.to_json(ctx.now))
}

/// `VpcDelete`: refused (409) while services run in it; DELETING, then gone.
pub fn delete(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let now = ctx.now;
    let id = vpc(ctx, req)?.id.clone();
    let p = project(ctx.state, req)?;
    let users: Vec<&str> = p
        .services
        .values()
        .filter(|s| s.project_vpc_id.as_deref() == Some(id.as_str()))
        .map(|s| s.name.as_str())
        .collect();
    if !users.is_empty() {
        return Err(ApiError::conflict(format!(
            "Project VPC {id} still has services: {}. Delete them or move them out first.",
            users.join(", ")
        )));
    }
    let done = now.saturating_add(millis(ctx.timings.vpc_delete()));
    let p = project_mut(ctx.state, req)?;
    prune(&mut p.vpcs, now);
    let v = p.vpcs.get_mut(&id).ok_or_else(|| vpc_not_found(&id))?;
    start_delete(v, now, done);
    let mut out = v.to_json(now);
    out["message"] = json!("deleting");
    Ok(out)
}

/// Starts deleting a VPC and its peering connections (DELETING until
/// `done`); deleting again while DELETING keeps the first deadline.
fn start_delete(v: &mut Vpc, now: Millis, done: Millis) {
    let done = *v.deleted_ms.get_or_insert(done);
    for peering in &mut v.peerings {
        peering.deleted_ms.get_or_insert(done);
    }
    v.update_time = now;
}

/// 409 if the VPC is being deleted or already peers with the peer.
fn check_peer_free(v: &Vpc, body: &PeeringBody, now: Millis) -> Result<(), ApiError> {
    if v.deleted_ms.is_some() {
        return Err(ApiError::conflict(format!("VPC {} is being deleted", v.id)));
    }
    let taken = v.peerings.iter().any(|p| {
        p.state(now).is_some()
            && p.peer_cloud_account == body.peer_cloud_account
            && p.peer_vpc == body.peer_vpc
            && p.peer_region == body.peer_region
    });
    if taken {
        return Err(ApiError::conflict(format!(
            "A peering connection to {}/{} already exists",
            body.peer_cloud_account, body.peer_vpc
        )));
    }
    Ok(())
}

/// `VpcPeeringConnectionCreate`: 409 for a peer already peered (or for a
/// VPC being deleted).
pub fn peering_create(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let body: PeeringBody = req.body()?;
    let now = ctx.now;
    let v = vpc(ctx, req)?;
    if v.deleted_ms.is_some() {
        return Err(ApiError::conflict(format!(
            "Project VPC {} is being deleted",
            v.id
        )));
    }
    check_peer_free(v, &body, now)?;
    let (id, cloud) = (v.id.clone(), v.cloud_name.clone());
    let peering = new_peering(ctx, body)?;
    let mut out = peering.to_json(&cloud, now);
    out["message"] = json!("created");
    let p = project_mut(ctx.state, req)?;
    prune(&mut p.vpcs, now);
    let v = p.vpcs.get_mut(&id).ok_or_else(|| vpc_not_found(&id))?;
    v.peerings.push(peering);
    v.update_time = now;
    Ok(out)
}

fn peering_delete_where(ctx: &mut Ctx<'_>, req: &Req<'_>, region: Option<&str>) -> Outcome {
    let now = ctx.now;
    let done = now.saturating_add(millis(ctx.timings.vpc_delete()));
    let id = vpc(ctx, req)?.id.clone();
    let (account, peer_vpc) = (req.param("peer_cloud_account"), req.param("peer_vpc"));
    let p = project_mut(ctx.state, req)?;
    let v = p.vpcs.get_mut(&id).ok_or_else(|| vpc_not_found(&id))?;
    let cloud = v.cloud_name.clone();
    let peering = v
        .peerings
        .iter_mut()
        .find(|p| {
            p.state(now).is_some()
                && p.peer_cloud_account == account
                && p.peer_vpc == peer_vpc
                && (region.is_none() || p.peer_region.as_deref() == region)
        })
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "Peering connection to {account}/{peer_vpc} does not exist"
            ))
        })?;
    peering.deleted_ms.get_or_insert(done);
    let mut out = peering.to_json(&cloud, now);
    out["message"] = json!("deleting");
    v.update_time = now;
    Ok(out)
}

#[derive(Deserialize)]
struct CidrAdd {
    cidr: String,
    peer_cloud_account: String,
    peer_vpc: String,
    peer_resource_group: Option<String>,
}

#[derive(Deserialize)]
struct CidrsBody {
    #[serde(default)]
    add: Vec<CidrAdd>,
    #[serde(default)]
    delete: Vec<String>,
}

/// `VpcPeeringConnectionUpdate`: adds networks routed through a peering
/// connection (404 for a peer not peered, 400 for a malformed network) and
/// removes them (404 for one no connection routes); all or nothing.
pub fn peering_cidrs_update(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let body: CidrsBody = req.body()?;
    let now = ctx.now;
    let mut v = vpc(ctx, req)?.clone();
    for a in &body.add {
        if parse_cidr(&a.cidr).is_none() {
            return Err(ApiError::bad_request(format!(
                "Invalid cidr '{}': not an IPv4 network",
                a.cidr
            )));
        }
        let peering = v
            .peerings
            .iter_mut()
            .find(|p| {
                p.state(now).is_some_and(|s| s != "DELETING")
                    && p.peer_cloud_account == a.peer_cloud_account
                    && p.peer_vpc == a.peer_vpc
                    && a.peer_resource_group
                        .as_ref()
                        .is_none_or(|g| *g == p.peer_resource_group)
            })
            .ok_or_else(|| {
                ApiError::not_found(format!(
                    "Peering connection to {}/{} does not exist",
                    a.peer_cloud_account, a.peer_vpc
                ))
            })?;
        if !peering.user_peer_network_cidrs.contains(&a.cidr) {
            peering.user_peer_network_cidrs.push(a.cidr.clone());
        }
    }
    for cidr in &body.delete {
        let mut found = false;
        for p in &mut v.peerings {
            let before = p.user_peer_network_cidrs.len();
            p.user_peer_network_cidrs.retain(|c| c != cidr);
            found |= p.user_peer_network_cidrs.len() != before;
        }
        if !found {
            return Err(ApiError::not_found(format!(
                "No peering connection routes {cidr}"
            )));
        }
    }
    v.update_time = now;
    let mut out = v.to_json(now);
    out["message"] = json!("updated");
    project_mut(ctx.state, req)?.vpcs.insert(v.id.clone(), v);
    Ok(out)
}

/// `VpcPeeringConnectionDelete`.
pub fn peering_delete(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    peering_delete_where(ctx, req, None)
}

/// `VpcPeeringConnectionWithRegionDelete`.
pub fn peering_delete_with_region(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let region = req.param("peer_region").to_string();
    peering_delete_where(ctx, req, Some(&region))
}

// Organization VPCs: the same VPCs and peering connections (and the same
// lifecycle) as a project's, owned by the organization.

#[derive(Deserialize)]
struct OrgCloud {
    cloud_name: String,
    network_cidr: String,
}

#[derive(Deserialize)]
struct OrgCreateBody {
    clouds: Vec<OrgCloud>,
    display_name: Option<String>,
    #[serde(default)]
    peering_connections: Vec<PeeringBody>,
}

/// 404 unless the path names the simulator's organization.
fn organization(req: &Req<'_>) -> Result<String, ApiError> {
    let id = req.param("organization_id");
    if id != super::ORGANIZATION_ID {
        return Err(ApiError::not_found(format!("Organization {id} not found"))
            .code("organization_not_found"));
    }
    Ok(id.to_string())
}

fn org_vpc_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("Organization VPC {id} does not exist"))
}

/// The organization VPC named in the path, unless deleted.
fn org_vpc<'s>(ctx: &'s Ctx<'_>, req: &Req<'_>) -> Result<&'s Vpc, ApiError> {
    organization(req)?;
    let id = req.param("organization_vpc_id");
    ctx.state
        .organization_vpcs
        .get(id)
        .filter(|v| v.state(ctx.now).is_some())
        .ok_or_else(|| org_vpc_not_found(id))
}

/// `OrganizationVpcList`.
pub fn org_list(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let org = organization(req)?;
    let vpcs: Vec<Value> = ctx
        .state
        .organization_vpcs
        .values()
        .filter(|v| v.state(ctx.now).is_some())
        .map(|v| v.organization_summary_json(&org, ctx.now))
        .collect();
    Ok(json!({ "vpcs": vpcs }))
}

/// `OrganizationVpcCreate`: as `VpcCreate` (one VPC per cloud, a valid
/// cloud and private network), in the one cloud the body lists.
pub fn org_create(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let org = organization(req)?;
    let body: OrgCreateBody = req.body()?;
    let now = ctx.now;
    // The schema allows exactly one cloud.
    let cloud = body
        .clouds
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::bad_request("One cloud is required"))?;
    check_new_vpc(
        "Organization",
        &cloud.cloud_name,
        &cloud.network_cidr,
        ctx.state.organization_vpcs.values(),
        now,
    )?;
    let vpc = build_vpc(
        ctx,
        cloud.cloud_name,
        cloud.network_cidr,
        body.peering_connections,
        body.display_name,
    )?;
    let mut out = vpc.organization_json(&org, now);
    out["message"] = json!("created");
    prune(ctx.state.organization_vpcs.all_mut(), now);
    ctx.state.organization_vpcs.insert(vpc.id.clone(), vpc);
    Ok(out)
}

/// `OrganizationVpcGet`.
pub fn org_get(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let org = organization(req)?;
    Ok(org_vpc(ctx, req)?.organization_json(&org, ctx.now))
}

/// The organization VPC named in the path, for changing (pruned first).
fn org_vpc_mut<'s>(ctx: &'s mut Ctx<'_>, req: &Req<'_>) -> Result<&'s mut Vpc, ApiError> {
    let id = org_vpc(ctx, req)?.id.clone();
    prune(ctx.state.organization_vpcs.all_mut(), ctx.now);
    ctx.state
        .organization_vpcs
        .get_mut(&id)
        .ok_or_else(|| org_vpc_not_found(&id))
}

/// `OrganizationVpcUpdate`: the display name.
pub fn org_update(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let org = organization(req)?;
    let now = ctx.now;
    let name = req
        .body
        .get("display_name")
        .and_then(Value::as_str)
        .map(str::to_string);
    let v = org_vpc_mut(ctx, req)?;
    if let Some(name) = name {
        v.display_name = Some(name);
    }
    v.update_time = now;
    let mut out = v.organization_json(&org, now);
    out["message"] = json!("updated");
    Ok(out)
}

/// `OrganizationVpcDelete`: DELETING, then gone.
pub fn org_delete(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let org = organization(req)?;
    let now = ctx.now;
    let done = now.saturating_add(millis(ctx.timings.vpc_delete()));
    let v = org_vpc_mut(ctx, req)?;
    start_delete(v, now, done);
    let mut out = v.organization_json(&org, now);
    out["message"] = json!("deleting");
    Ok(out)
}

/// `OrganizationVpcPeeringConnectionCreate`: as `VpcPeeringConnectionCreate`.
pub fn org_peering_create(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let body: PeeringBody = req.body()?;
    let now = ctx.now;
    let v = org_vpc(ctx, req)?;
    check_peer_free(v, &body, now)?;
    let cloud = v.cloud_name.clone();
    let peering = new_peering(ctx, body)?;
    let mut out = peering.to_json(&cloud, now);
    out["message"] = json!("created");
    let v = org_vpc_mut(ctx, req)?;
    v.peerings.push(peering);
    v.update_time = now;
    Ok(out)
}

/// `OrganizationVpcPeeringConnectionDeleteById`: DELETING, then gone; 404
/// for an unknown (or deleted) connection.
pub fn org_peering_delete(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let now = ctx.now;
    let done = now.saturating_add(millis(ctx.timings.vpc_delete()));
    let id = req.param("peering_connection_id").to_string();
    let v = org_vpc_mut(ctx, req)?;
    let cloud = v.cloud_name.clone();
    let peering = v
        .peerings
        .iter_mut()
        .find(|p| p.id == id && p.state(now).is_some())
        .ok_or_else(|| ApiError::not_found(format!("Peering connection {id} does not exist")))?;
    peering.deleted_ms.get_or_insert(done);
    let mut out = peering.to_json(&cloud, now);
    out["message"] = json!("deleting");
    v.update_time = now;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks() {
        assert!(check_network("10.1.0.0/16").is_ok());
        assert!(check_network("192.168.4.0/24").is_ok());
        assert!(check_network("10.1.0.1/24").is_err(), "host bits");
        assert!(check_network("10.0.0.0/8").is_err(), "too large");
        assert!(check_network("8.8.0.0/16").is_err(), "public");
        assert!(check_network("10.0.0.0").is_err());
        assert!(check_network("300.0.0.0/16").is_err());
    }
}
