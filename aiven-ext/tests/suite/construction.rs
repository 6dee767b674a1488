//! Client construction: environment, credentials file, headers, redaction,
//! plain-HTTP refusal, anonymous use.

use std::collections::HashMap;

use crate::common;
use aiven_ext::aiven_api::ClientInfo;
use aiven_ext::{AivenClient, AivenClientBuilder, AuthToken, Error};
use httpmock::prelude::*;
use serde_json::json;

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |key| map.get(key).cloned()
}

/// The token a builder would send, read back through a mock server.
async fn sent_token(builder: AivenClientBuilder) -> Option<String> {
    let server = MockServer::start_async().await;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(None));
    let record = seen.clone();
    server
        .mock_async(move |when, then| {
            when.is_true(move |req| {
                let auth = req
                    .headers()
                    .get("authorization")
                    .map(|v| v.to_str().unwrap().to_owned());
                *record.lock().unwrap() = auth;
                true
            });
            then.status(200).json_body(json!({"projects": []}));
        })
        .await;
    let client = builder.base_url(server.base_url()).build().unwrap();
    // Any authenticated call shows the header; ProjectList is deprecated in
    // June 2026 but still served, and its shape is the simplest.
    #[allow(deprecated)]
    client.project_list().send().await.unwrap();
    let token = seen.lock().unwrap().clone();
    token
}

fn credentials_file(dir: &std::path::Path, token: &str) -> std::path::PathBuf {
    let path = dir.join("aiven-credentials.json");
    std::fs::write(
        &path,
        json!({"auth_token": token, "user_email": "a@example.com"}).to_string(),
    )
    .unwrap();
    path
}

#[tokio::test]
async fn token_precedence_env_then_credentials_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = credentials_file(dir.path(), "from-file");
    let file = file.to_str().unwrap();
    let cases = [
        (
            vec![
                ("AIVEN_TOKEN", "t1"),
                ("AIVEN_AUTH_TOKEN", "t2"),
                ("AIVEN_CREDENTIALS_FILE", file),
            ],
            "t1",
        ),
        (
            vec![
                ("AIVEN_TOKEN", ""),
                ("AIVEN_AUTH_TOKEN", "t2"),
                ("AIVEN_CREDENTIALS_FILE", file),
            ],
            "t2",
        ),
        (
            vec![
                ("AIVEN_CREDENTIALS_FILE", file),
                ("AIVEN_CONFIG_DIR", "/nonexistent"),
            ],
            "from-file",
        ),
    ];
    for (vars, expected) in cases {
        let builder = AivenClientBuilder::from_env_with(env(&vars)).unwrap();
        assert_eq!(
            sent_token(builder).await.as_deref(),
            Some(&*format!("aivenv1 {expected}"))
        );
    }
}

#[tokio::test]
async fn credentials_from_config_dir_then_home() {
    let config = tempfile::tempdir().unwrap();
    credentials_file(config.path(), "from-config-dir");
    let home = tempfile::tempdir().unwrap();
    let avn_dir = home.path().join(".config/aiven");
    std::fs::create_dir_all(&avn_dir).unwrap();
    credentials_file(&avn_dir, "from-home");
    let (config, home) = (
        config.path().to_str().unwrap(),
        home.path().to_str().unwrap(),
    );

    let b = AivenClientBuilder::from_env_with(env(&[("AIVEN_CONFIG_DIR", config), ("HOME", home)]))
        .unwrap();
    assert_eq!(
        sent_token(b).await.as_deref(),
        Some("aivenv1 from-config-dir")
    );
    let b = AivenClientBuilder::from_env_with(env(&[("HOME", home)])).unwrap();
    assert_eq!(sent_token(b).await.as_deref(), Some("aivenv1 from-home"));
}

#[test]
fn missing_or_bad_credentials_are_clear_errors() {
    let empty = tempfile::tempdir().unwrap();
    let home = empty.path().to_str().unwrap();
    let err = AivenClientBuilder::from_env_with(env(&[("HOME", home)])).unwrap_err();
    assert!(matches!(err, Error::Config(_)));
    assert!(err.to_string().contains("AIVEN_TOKEN"), "{err}");

    let missing = empty.path().join("nope.json");
    let err = AivenClientBuilder::from_env_with(env(&[(
        "AIVEN_CREDENTIALS_FILE",
        missing.to_str().unwrap(),
    )]))
    .unwrap_err();
    assert!(err.to_string().contains("cannot read"), "{err}");

    let bad = empty.path().join("bad.json");
    std::fs::write(&bad, "{not json").unwrap();
    let err = AivenClientBuilder::from_env_with(env(&[(
        "AIVEN_CREDENTIALS_FILE",
        bad.to_str().unwrap(),
    )]))
    .unwrap_err();
    assert!(
        err.to_string().contains("not valid credentials JSON"),
        "{err}"
    );
}

#[test]
fn base_url_from_env_gets_v1_once() {
    for (url, expected) in [
        (None, "https://api.aiven.io/v1"),
        (
            Some("https://api.example.test/"),
            "https://api.example.test/v1",
        ),
        (
            Some("https://api.example.test/v1"),
            "https://api.example.test/v1",
        ),
    ] {
        let mut vars = vec![("AIVEN_TOKEN", "t")];
        vars.extend(url.map(|u| ("AIVEN_WEB_URL", u)));
        let client = AivenClientBuilder::from_env_with(env(&vars))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(client.baseurl(), expected);
    }
    let err = AivenClient::builder()
        .base_url("ftp://x")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("invalid base URL"), "{err}");
}

#[tokio::test]
async fn headers_authorization_and_user_agent() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/project")
                .header("authorization", format!("aivenv1 {}", common::TOKEN))
                .header(
                    "user-agent",
                    format!("aiven-rust/{} my-tool/1.0", env!("CARGO_PKG_VERSION")),
                );
            then.status(200)
                .json_body(json!({"projects": [{"project_name": "acme"}]}));
        })
        .await;
    let client = AivenClient::builder()
        .base_url(server.base_url())
        .token(common::TOKEN)
        .user_agent_suffix("my-tool/1.0")
        .build()
        .unwrap();
    #[allow(deprecated)] // still served; the simplest authenticated call
    let projects = client
        .project_list()
        .send()
        .await
        .unwrap()
        .into_inner()
        .projects
        .unwrap();
    assert_eq!(projects[0].project_name.as_deref(), Some("acme"));
    assert_eq!(m.calls_async().await, 1);
}

#[tokio::test]
async fn anonymous_client_lists_clouds_without_authorization() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/clouds")
                .header_missing("authorization");
            then.status(200)
                .json_body(json!({"clouds": [{"cloud_name": "google-europe-west1"}]}));
        })
        .await;
    let client = AivenClient::builder()
        .base_url(server.base_url())
        .build()
        .unwrap();
    assert!(!client.is_authenticated());
    let clouds = client
        .list_clouds()
        .send()
        .await
        .unwrap()
        .into_inner()
        .clouds
        .unwrap();
    assert_eq!(clouds[0].cloud_name.as_deref(), Some("google-europe-west1"));
    assert_eq!(m.calls_async().await, 1);
}

#[test]
fn every_debug_redacts_the_token() {
    let token = AuthToken::new(common::TOKEN);
    let builder = AivenClient::builder().token(token.clone());
    let client = builder.clone().build().unwrap();
    for printed in [
        format!("{token:?}"),
        format!("{builder:?}"),
        format!("{client:?}"),
    ] {
        assert!(printed.contains("** redacted **"), "{printed}");
        assert!(!printed.contains(common::TOKEN), "{printed}");
    }
    // The generated client inside prints its reqwest client; the header is sensitive.
    let inner = format!("{:?}", *client);
    assert!(!inner.contains(common::TOKEN), "{inner}");
    assert_eq!(token.expose(), common::TOKEN);
}

#[test]
fn token_over_plain_http_only_to_loopback_or_when_allowed() {
    let with_token = |url: &str| AivenClient::builder().base_url(url).token("t");
    let err = with_token("http://api.example.com").build().unwrap_err();
    assert!(matches!(err, Error::Config(_)));
    assert!(
        err.to_string().contains("plain HTTP to api.example.com"),
        "{err}"
    );
    for url in [
        "http://localhost:8080",
        "http://127.0.0.1:1",
        "http://[::1]:8080",
    ] {
        assert!(with_token(url).build().is_ok(), "{url}");
    }
    assert!(with_token("http://api.example.com")
        .allow_insecure_http(true)
        .build()
        .is_ok());
    // Nothing secret to leak without a token.
    assert!(AivenClient::builder()
        .base_url("http://api.example.com")
        .build()
        .is_ok());
}
