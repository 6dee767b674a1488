//! Shared helpers of the workspace integration tests in `tests/tests/suite/`.

use std::path::PathBuf;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace root")
        .to_path_buf()
}

/// A raw generated client for `base` (a mock server's URL) that sends
/// `Authorization: aivenv1 TOKEN` when a token is given.
pub fn raw_client(base: &str, token: Option<&str>) -> aiven_api::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(token) = token {
        let mut value = reqwest::header::HeaderValue::from_str(&format!("aivenv1 {token}"))
            .expect("token is a valid header value");
        value.set_sensitive(true);
        headers.insert(reqwest::header::AUTHORIZATION, value);
    }
    let http = aiven_api::tls::client_builder()
        .default_headers(headers)
        .build()
        .expect("reqwest client");
    aiven_api::Client::new_with_client(
        &format!("{base}/v1"),
        http,
        aiven_api::hooks::ClientState::new(),
    )
}

/// A realistic PostgreSQL service as the API returns it (components, node
/// states, backups, user config, connection info).
pub fn service_json() -> serde_json::Value {
    serde_json::from_str(include_str!("../fixtures/service-pg.json")).expect("fixture is JSON")
}

/// A `ServiceList` body with `n` distinct realistic services.
pub fn service_list_json(n: usize) -> serde_json::Value {
    let services: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let mut s = service_json();
            s["service_name"] = format!("pg-demo-{i}").into();
            s["node_states"][0]["name"] = format!("pg-demo-{i}-1").into();
            s
        })
        .collect();
    serde_json::json!({ "services": services })
}
