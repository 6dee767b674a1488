//! PgBouncer connection pools of PostgreSQL services (shown in the
//! service's `connection_pools`).

use serde::Deserialize;
use serde_json::json;

use super::{service, service_mut, Ctx, Outcome, Req};
use crate::error::ApiError;
use crate::model::{ConnectionPool, Service};

/// PgBouncer's defaults when a pool names neither.
const DEFAULT_MODE: &str = "transaction";
const DEFAULT_SIZE: i64 = 10;

#[derive(Deserialize)]
struct CreateBody {
    pool_name: String,
    database: String,
    username: Option<String>,
    pool_mode: Option<String>,
    pool_size: Option<i64>,
}

#[derive(Deserialize)]
struct UpdateBody {
    database: Option<String>,
    username: Option<String>,
    pool_mode: Option<String>,
    pool_size: Option<i64>,
}

fn supports(s: &Service) -> Result<(), ApiError> {
    if s.service_type != "pg" {
        return Err(ApiError::bad_request(format!(
            "Connection pools are only available for PostgreSQL services, not '{}'",
            s.service_type
        )));
    }
    if !s.powered {
        return Err(ApiError::not_powered());
    }
    Ok(())
}

/// The names of the service's pools matching `f`, comma-separated.
pub fn using(s: &Service, f: impl Fn(&ConnectionPool) -> bool) -> String {
    let names: Vec<&str> = s
        .pools
        .values()
        .filter(|p| f(p))
        .map(|p| p.name.as_str())
        .collect();
    names.join(", ")
}

fn pool_not_found(name: &str) -> ApiError {
    ApiError::not_found(format!("Connection pool '{name}' does not exist"))
}

/// The pool's database and user must exist in the service; its size must
/// be one PgBouncer accepts.
fn check_refs(
    s: &Service,
    database: &str,
    username: Option<&str>,
    size: i64,
) -> Result<(), ApiError> {
    if !s.databases.iter().any(|d| d == database) {
        return Err(ApiError::not_found(format!(
            "Service database {database} does not exist"
        )));
    }
    if let Some(u) = username {
        if !s.users.contains_key(u) {
            // Aiven's wording (aiven/aiven-client#217).
            return Err(ApiError::not_found(format!(
                "Service database username {u} does not exist"
            )));
        }
    }
    if !(1..=10_000).contains(&size) {
        return Err(ApiError::bad_request(format!(
            "Invalid pool_size {size}: must be between 1 and 10000"
        )));
    }
    Ok(())
}

pub(crate) fn valid_pool_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// `ServicePGBouncerCreate`: 409 if the name is taken (by a pool or a
/// database: both are database names to a client), 404 for a database or
/// user the service does not have.
pub fn create(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let body: CreateBody = req.body()?;
    let (_, s) = service(ctx.state, req)?;
    supports(s)?;
    if !valid_pool_name(&body.pool_name) {
        return Err(ApiError::bad_request(format!(
            "Invalid pool name {:?}: use letters, digits, '_' and '-', starting with a letter or '_'",
            body.pool_name
        )));
    }
    if s.pools.contains_key(&body.pool_name) {
        return Err(ApiError::conflict(format!(
            "Connection pool '{}' already exists",
            body.pool_name
        )));
    }
    if s.databases.contains(&body.pool_name) {
        return Err(ApiError::conflict(format!(
            "Connection pool name '{}' is already used by a database",
            body.pool_name
        )));
    }
    let size = body.pool_size.unwrap_or(DEFAULT_SIZE);
    check_refs(s, &body.database, body.username.as_deref(), size)?;
    let pool = ConnectionPool {
        name: body.pool_name.clone(),
        database: body.database,
        username: body.username,
        mode: body.pool_mode.unwrap_or_else(|| DEFAULT_MODE.to_string()),
        size,
    };
    let now = ctx.now;
    let s = service_mut(ctx.state, req)?;
    s.pools.insert(body.pool_name, pool);
    s.update_time = now;
    Ok(json!({ "message": "created" }))
}

/// `ServicePGBouncerUpdate`: changes what is given; the result is checked
/// like a new pool.
pub fn update(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let body: UpdateBody = req.body()?;
    let name = req.param("pool_name");
    let (_, s) = service(ctx.state, req)?;
    supports(s)?;
    let mut pool = s
        .pools
        .get(name)
        .cloned()
        .ok_or_else(|| pool_not_found(name))?;
    if let Some(d) = body.database {
        pool.database = d;
    }
    // A `null` user is not the same as an absent one: it clears the user.
    match req.body.get("username") {
        Some(serde_json::Value::Null) => pool.username = None,
        Some(_) => pool.username = body.username,
        None => {}
    }
    if let Some(m) = body.pool_mode {
        pool.mode = m;
    }
    if let Some(size) = body.pool_size {
        pool.size = size;
    }
    check_refs(s, &pool.database, pool.username.as_deref(), pool.size)?;
    let now = ctx.now;
    let s = service_mut(ctx.state, req)?;
    s.pools.insert(name.to_string(), pool);
    s.update_time = now;
    Ok(json!({ "message": "updated" }))
}

/// `ServicePGBouncerDelete`.
pub fn delete(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let name = req.param("pool_name");
    let (_, s) = service(ctx.state, req)?;
    supports(s)?;
    if !s.pools.contains_key(name) {
        return Err(pool_not_found(name));
    }
    let now = ctx.now;
    let s = service_mut(ctx.state, req)?;
    s.pools.remove(name);
    s.update_time = now;
    Ok(json!({ "message": "deleted" }))
}
