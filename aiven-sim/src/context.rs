//! What an operation's code works with: the locked state, the time and the
//! request, with the look-ups of what a path names. The hand-modelled
//! handlers and the generic model both stand on it.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::clock::Millis;
use crate::error::ApiError;
use crate::lifecycle::Timings;
use crate::model::{Project, Service, State};

/// What a handler works with.
pub struct Ctx<'a> {
    /// The state (locked).
    pub state: &'a mut State,
    /// The current time.
    pub now: Millis,
    /// Transition durations.
    pub timings: &'a Timings,
    /// Backups are hidden this long after a service first ran (a fault).
    pub no_backup_for_ms: Millis,
}

/// One request.
pub struct Req<'a> {
    /// Path parameters.
    pub params: &'a BTreeMap<String, String>,
    /// Query parameters (the last of a repeated name).
    pub query: &'a BTreeMap<String, String>,
    /// The JSON body (`{}` when none was sent).
    pub body: &'a Value,
}

impl Req<'_> {
    /// A path parameter (present by construction of the route).
    pub fn param(&self, name: &str) -> &str {
        self.params.get(name).map(String::as_str).unwrap_or("")
    }

    /// A string field of the body (empty when absent or not a string).
    pub fn text(&self, field: &str) -> String {
        self.body
            .get(field)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    }

    /// The body as a typed request (the schema already accepted it).
    pub fn body<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        serde_json::from_value(self.body.clone())
            .map_err(|e| ApiError::bad_request(format!("Invalid request body: {e}")))
    }
}

/// A handler's answer: the 200 body or an error.
pub type Outcome = Result<Value, ApiError>;

/// The project named in the path.
pub fn project<'s>(state: &'s State, req: &Req<'_>) -> Result<&'s Project, ApiError> {
    state
        .projects
        .get(req.param("project"))
        .ok_or_else(ApiError::project_not_found)
}

/// The project named in the path, for changing.
pub fn project_mut<'s>(state: &'s mut State, req: &Req<'_>) -> Result<&'s mut Project, ApiError> {
    state
        .projects
        .get_mut(req.param("project"))
        .ok_or_else(ApiError::project_not_found)
}

/// The service named in the path.
pub fn service<'s>(
    state: &'s State,
    req: &Req<'_>,
) -> Result<(&'s Project, &'s Service), ApiError> {
    let p = project(state, req)?;
    let s = p
        .services
        .get(req.param("service_name"))
        .ok_or_else(ApiError::service_not_found)?;
    Ok((p, s))
}

/// The service named in the path, for changing.
pub fn service_mut<'s>(state: &'s mut State, req: &Req<'_>) -> Result<&'s mut Service, ApiError> {
    project_mut(state, req)?
        .services
        .get_mut(req.param("service_name"))
        .ok_or_else(ApiError::service_not_found)
}

/// A success body with only Aiven's `message` (`"deleted"`, …), which
/// Aiven's CLI prints after every change.
pub fn done(message: &str) -> Outcome {
    Ok(serde_json::json!({ "message": message }))
}

/// Adds `item` to `list` unless an entry is already `same` as it (Aiven
/// keeps an ACL entry given twice once); whether it was added.
pub fn add_once<T>(list: &mut Vec<T>, item: T, same: impl Fn(&T, &T) -> bool) -> bool {
    let new = !list.iter().any(|e| same(e, &item));
    if new {
        list.push(item);
    }
    new
}
