//! Projects.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{done, project, project_mut, Ctx, Outcome, Req};
use crate::catalog::{cloud_by_name, DEFAULT_CLOUD};
use crate::error::ApiError;
use crate::handlers::render::PROJECT_DETAILS;
use crate::model::Project;

/// `ProjectList`: every project, with the caller an admin of each.
pub fn list(ctx: &mut Ctx<'_>, _: &Req<'_>) -> Outcome {
    let projects = &ctx.state.projects;
    let membership: Map<String, Value> = projects
        .keys()
        .map(|n| (n.clone(), json!("admin")))
        .collect();
    let memberships: Map<String, Value> = projects
        .keys()
        .map(|n| (n.clone(), json!(["admin"])))
        .collect();
    Ok(json!({
        "projects": projects.values().map(Project::to_json).collect::<Vec<_>>(),
        "project_membership": membership,
        "project_memberships": memberships,
    }))
}

/// `ProjectGet`.
pub fn get(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    Ok(json!({ "project": project(ctx.state, req)?.to_json() }))
}

#[derive(Deserialize)]
struct ProjectBody {
    project: Option<String>,
    project_name: Option<String>,
    cloud: Option<String>,
    tags: Option<Map<String, Value>>,
    billing_emails: Option<Vec<Value>>,
    tech_emails: Option<Vec<Value>>,
    account_id: Option<String>,
    billing_group_id: Option<String>,
    copy_from_project: Option<String>,
    copy_tags: Option<bool>,
    #[serde(flatten)]
    rest: BTreeMap<String, Value>,
}

pub(crate) fn valid_project_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn check_cloud(cloud: &str) -> Result<(), ApiError> {
    match cloud_by_name(cloud) {
        Some(_) => Ok(()),
        None => Err(ApiError::bad_request(format!("Invalid cloud: {cloud}"))),
    }
}

fn apply_details(p: &mut Project, body: &ProjectBody) {
    for (key, _) in PROJECT_DETAILS.iter().chain([&("address_lines", "")]) {
        if let Some(v) = body.rest.get(*key) {
            if !v.is_null() {
                p.details.insert((*key).to_string(), v.clone());
            }
        }
    }
    if let Some(e) = &body.billing_emails {
        p.billing_emails = e.clone();
    }
    if let Some(e) = &body.tech_emails {
        p.tech_emails = e.clone();
    }
    if let Some(t) = &body.tags {
        p.tags = t.clone();
    }
}

/// `ProjectCreate`: 409 if the name is taken, 400 for an unknown cloud.
pub fn create(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let body: ProjectBody = req.body()?;
    let name = body.project.clone().unwrap_or_default();
    if !valid_project_name(&name) {
        return Err(ApiError::bad_request(format!(
            "Invalid project name: {name:?}"
        )));
    }
    if ctx.state.projects.contains_key(&name) {
        return Err(
            ApiError::conflict("Project name is already in use").code("project_already_exists")
        );
    }
    let source = match &body.copy_from_project {
        Some(s) => Some(
            ctx.state
                .projects
                .get(s)
                .ok_or_else(ApiError::project_not_found)?
                .clone(),
        ),
        None => None,
    };
    let cloud = body
        .cloud
        .clone()
        .or_else(|| source.as_ref().map(|s| s.default_cloud.clone()))
        .unwrap_or_else(|| DEFAULT_CLOUD.to_string());
    check_cloud(&cloud)?;
    let rng = &mut ctx.state.rng;
    let mut p = Project {
        name: name.clone(),
        account_id: body
            .account_id
            .clone()
            .unwrap_or_else(|| super::organizations::ACCOUNT_ID.to_string()),
        // The simulator's one organization, so that its GET and lists resolve it.
        organization_id: super::ORGANIZATION_ID.to_string(),
        billing_group_id: body.billing_group_id.clone().unwrap_or_else(|| rng.uuid()),
        default_cloud: cloud,
        tags: Map::new(),
        billing_emails: Vec::new(),
        tech_emails: Vec::new(),
        details: Map::new(),
        create_time: ctx.now,
        services: Default::default(),
        integrations: Default::default(),
        endpoints: Default::default(),
        vpcs: Default::default(),
        ca: Some(crate::kms::ProjectCa::generate(&name)),
        events: Vec::new(),
        event_serial: 0,
    };
    if let (Some(s), Some(true)) = (&source, body.copy_tags) {
        p.tags = s.tags.clone();
    }
    apply_details(&mut p, &body);
    let out = json!({ "project": p.to_json() });
    ctx.state.projects.insert(name, p);
    Ok(out)
}

/// `ProjectUpdate`: details, tags, default cloud, rename (409 if taken).
pub fn update(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let body: ProjectBody = req.body()?;
    let name = req.param("project").to_string();
    project(ctx.state, req)?;
    if let Some(cloud) = &body.cloud {
        check_cloud(cloud)?;
    }
    let new_name = body.project_name.clone().unwrap_or_else(|| name.clone());
    if new_name != name {
        if !valid_project_name(&new_name) {
            return Err(ApiError::bad_request(format!(
                "Invalid project name: {new_name:?}"
            )));
        }
        if ctx.state.projects.contains_key(&new_name) {
            return Err(
                ApiError::conflict("Project name is already in use").code("project_already_exists")
            );
        }
    }
    let mut p = ctx.state.projects.remove(&name).expect("checked above");
    if let Some(cloud) = &body.cloud {
        p.default_cloud = cloud.clone();
    }
    apply_details(&mut p, &body);
    p.name = new_name.clone();
    let out = json!({ "project": p.to_json() });
    ctx.state.projects.insert(new_name.clone(), p);
    // Integrations name their ends' projects.
    for i in ctx
        .state
        .projects
        .all_mut()
        .values_mut()
        .flat_map(|p| p.integrations.values_mut())
    {
        for end in [&mut i.source_project, &mut i.dest_project] {
            if *end == name {
                end.clone_from(&new_name);
            }
        }
    }
    Ok(out)
}

/// `ProjectDelete`: refused (409) while the project has services.
pub fn delete(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let p = project(ctx.state, req)?;
    if !p.services.is_empty() {
        return Err(ApiError::conflict(
            "Project has active services. Delete them first.",
        ));
    }
    ctx.state.projects.remove(req.param("project"));
    done("deleted")
}

/// `ProjectTagsList`.
pub fn tags_list(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    Ok(json!({ "tags": project(ctx.state, req)?.tags }))
}

fn body_tags(req: &Req<'_>) -> serde_json::Map<String, Value> {
    req.body
        .get("tags")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

/// `ProjectTagsReplace`: the tags become exactly these.
pub fn tags_replace(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    project_mut(ctx.state, req)?.tags = body_tags(req);
    done("updated")
}

/// `ProjectTagsUpdate`: these are set, a `null` value removes its key.
pub fn tags_update(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let p = project_mut(ctx.state, req)?;
    for (k, v) in body_tags(req) {
        if v.is_null() {
            p.tags.remove(&k);
        } else {
            p.tags.insert(k, v);
        }
    }
    done("updated")
}
