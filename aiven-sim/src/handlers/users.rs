//! Service users (the list is part of the service object).

use serde::Deserialize;
use serde_json::{json, Value};

use super::{done, service, service_mut, Ctx, Outcome, Req};
use crate::error::ApiError;
use crate::model::ServiceUser;

#[derive(Deserialize)]
struct CreateBody {
    username: String,
    authentication: Option<String>,
    access_control: Option<Value>,
}

#[derive(Deserialize)]
struct ModifyBody {
    operation: String,
    new_password: Option<String>,
    authentication: Option<String>,
    access_control: Option<Value>,
}

fn user_not_found(name: &str) -> ApiError {
    ApiError::not_found(format!("Service user '{name}' does not exist"))
}

/// `ServiceUserCreate`: 409 if the user exists.
pub fn create(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let body: CreateBody = req.body()?;
    let (p, s) = service(ctx.state, req)?;
    if !s.powered {
        return Err(ApiError::not_powered());
    }
    if body.username.is_empty() {
        return Err(ApiError::bad_request("Invalid username"));
    }
    if s.users.contains_key(&body.username) {
        return Err(ApiError::conflict(format!(
            "Service user '{}' already exists",
            body.username
        )));
    }
    let mysql = s.service_type == "mysql";
    let (access_cert, access_key) =
        crate::model::State::kafka_credentials(p, &s.service_type, &body.username);
    let password = ctx.state.rng.password(24);
    let user = ServiceUser {
        username: body.username.clone(),
        password,
        primary: false,
        authentication: body
            .authentication
            .or_else(|| mysql.then(|| "caching_sha2_password".to_string())),
        access_control: body.access_control,
        access_cert,
        access_key,
    };
    let out = json!({ "user": user.to_json() });
    service_mut(ctx.state, req)?
        .users
        .insert(body.username, user);
    Ok(out)
}

/// `ServiceUserGet`.
pub fn get(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    let name = req.param("service_username");
    let u = s.users.get(name).ok_or_else(|| user_not_found(name))?;
    Ok(json!({ "user": u.to_json() }))
}

/// `ServiceUserDelete`: the primary user cannot be deleted (400), nor a
/// user a connection pool connects as (409).
pub fn delete(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    let name = req.param("service_username");
    let u = s.users.get(name).ok_or_else(|| user_not_found(name))?;
    if u.primary {
        return Err(ApiError::bad_request(format!(
            "Cannot delete the primary user '{name}'"
        )));
    }
    let pools = super::pools::using(s, |p| p.username.as_deref() == Some(name));
    if !pools.is_empty() {
        return Err(ApiError::conflict(format!(
            "Service user '{name}' is used by connection pool(s) {pools}: delete them first"
        )));
    }
    service_mut(ctx.state, req)?.users.remove(name);
    done("deleted")
}

fn render_service(ctx: &Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (p, s) = service(ctx.state, req)?;
    Ok(json!({ "service": s.to_json(p, ctx.now, ctx.no_backup_for_ms) }))
}

/// `ServiceUserCredentialsModify`: `reset-credentials` (to `new_password`
/// or a generated one), `set-access-control`, `acknowledge-renewal`.
pub fn modify(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let body: ModifyBody = req.body()?;
    let name = req.param("service_username").to_string();
    let generated = ctx.state.rng.password(24);
    let now = ctx.now;
    let s = service_mut(ctx.state, req)?;
    let u = s
        .users
        .get_mut(&name)
        .ok_or_else(|| user_not_found(&name))?;
    match body.operation.as_str() {
        "reset-credentials" => {
            u.password = body.new_password.unwrap_or(generated);
            if body.authentication.is_some() {
                u.authentication = body.authentication;
            }
        }
        "set-access-control" => u.access_control = body.access_control,
        _ => {}
    }
    s.update_time = now;
    render_service(ctx, req)
}

/// `ServiceUserCredentialsReset`: a new generated password.
pub fn reset(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let name = req.param("service_username").to_string();
    let generated = ctx.state.rng.password(24);
    let now = ctx.now;
    let s = service_mut(ctx.state, req)?;
    let u = s
        .users
        .get_mut(&name)
        .ok_or_else(|| user_not_found(&name))?;
    u.password = generated;
    s.update_time = now;
    render_service(ctx, req)
}
