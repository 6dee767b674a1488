//! The simulator through the generated client over loopback HTTP, one
//! module per resource like `src/handlers/`: shapes,
//! status codes, errors, auth, validation, state and lifecycles. Every
//! response is also checked against the description (see `common`).

mod catalog;
mod databases;
mod kafka;
mod kafka_connect;
mod kafka_native;
mod observability;
mod opensearch;
mod projects;
mod requests;
mod schema_registry;
mod services;
mod users;

pub(crate) use crate::common::{self, api_error, body, start, start_with, TestSim};
pub(crate) use aiven_api::types;
pub(crate) use reqwest::Method;
pub(crate) use serde_json::{json, Value};

fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap()
}

impl TestSim {
    /// A raw request's status and JSON body.
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let (status, _, json) = self.raw(method, path, body).await;
        (status, json)
    }
}
