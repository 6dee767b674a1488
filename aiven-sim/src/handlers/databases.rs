//! Logical databases (PostgreSQL, MySQL).

use serde::Deserialize;
use serde_json::{json, Value};

use super::{done, service, service_mut, Ctx, Outcome, Req};
use crate::error::ApiError;
use crate::model::Service;

#[derive(Deserialize)]
struct DatabaseBody {
    database: String,
}

fn supports(s: &Service) -> Result<(), ApiError> {
    if !s.kind().databases {
        return Err(ApiError::bad_request(format!(
            "Service type '{}' does not support databases",
            s.service_type
        )));
    }
    if !s.powered {
        return Err(ApiError::not_powered());
    }
    Ok(())
}

/// `ServiceDatabaseCreate`: 409 if it exists.
pub fn create(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let body: DatabaseBody = req.body()?;
    let (_, s) = service(ctx.state, req)?;
    supports(s)?;
    let valid = !body.database.is_empty()
        && body
            .database
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid {
        return Err(ApiError::bad_request(format!(
            "Invalid database name: {:?}",
            body.database
        )));
    }
    if s.databases.contains(&body.database) {
        return Err(ApiError::conflict(format!(
            "Database '{}' already exists",
            body.database
        )));
    }
    service_mut(ctx.state, req)?.databases.push(body.database);
    done("created")
}

/// `ServiceDatabaseList`.
pub fn list(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    supports(s)?;
    let dbs: Vec<Value> = s
        .databases
        .iter()
        .map(|d| json!({ "database_name": d }))
        .collect();
    Ok(json!({ "databases": dbs }))
}

/// `ServiceDatabaseDelete`: 409 while a connection pool uses it.
pub fn delete(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    supports(s)?;
    let name = req.param("dbname").to_string();
    if !s.databases.contains(&name) {
        return Err(ApiError::not_found(format!(
            "Database '{name}' does not exist"
        )));
    }
    // A pool must not outlive its database.
    let pools = super::pools::using(s, |p| p.database == name);
    if !pools.is_empty() {
        return Err(ApiError::conflict(format!(
            "Database '{name}' is used by connection pool(s) {pools}: delete them first"
        )));
    }
    service_mut(ctx.state, req)?
        .databases
        .retain(|d| *d != name);
    done("deleted")
}
