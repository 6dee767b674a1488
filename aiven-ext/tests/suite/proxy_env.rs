//! Issue 9: the token never goes to an environment proxy in cleartext. A
//! plain-http base URL (the simulator on loopback) is reached directly even
//! with HTTP_PROXY/ALL_PROXY set; over https the environment proxy is
//! honoured (it only tunnels TLS, via CONNECT).
//!
//! The test runs in a process of its own (`own_process`): it sets
//! process-wide proxy variables, which reqwest reads when a client is built.

use crate::own_process;
use crate::tiny::{response, Tiny};
use aiven_ext::{AivenClient, RetryPolicy};

const TOKEN: &str = "pr0xy-t0ken-never-in-cleartext";

#[tokio::test]
async fn plain_http_never_goes_through_an_environment_proxy() {
    const TEST: &str = "plain_http_never_goes_through_an_environment_proxy";
    if !own_process::is_child(module_path!(), TEST) {
        return own_process::run_alone(module_path!(), TEST, |_| {});
    }
    let probe = Tiny::start(|_, _| response("502 Bad Gateway", &[], ""));
    let server = Tiny::start(|_, _| {
        response(
            "200 OK",
            &[],
            r#"{"service": {"service_name": "pg-1", "state": "RUNNING"}}"#,
        )
    });
    let proxy = probe.base_url();
    for key in [
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "HTTPS_PROXY",
        "https_proxy",
    ] {
        std::env::set_var(key, &proxy);
    }
    for key in ["NO_PROXY", "no_proxy", "REQUEST_METHOD"] {
        std::env::remove_var(key);
    }

    // Control: the environment proxy is in effect in this process — a plain
    // reqwest client sends a loopback request to the probe. (Without this,
    // the assertion below could pass for the wrong reason.)
    let _ = aiven_api::tls::client_builder()
        .build()
        .unwrap()
        .get(format!("{}/v1/control", server.base_url()))
        .send()
        .await;
    assert_eq!(probe.count(), 1, "the probe must see the control request");
    assert_eq!(server.count(), 0);

    // aiven-ext over plain http: straight to the server, never the probe.
    let client = AivenClient::builder()
        .base_url(server.base_url())
        .token(TOKEN)
        .build()
        .unwrap();
    let result = client.get_service("acme", "pg-1").await;
    let leaked: Vec<_> = probe.received()[1..]
        .iter()
        .map(|r| (r.request_line().to_owned(), r.head.contains(TOKEN)))
        .collect();
    assert!(
        leaked.is_empty(),
        "the proxy probe received aiven-ext requests (line, token in cleartext): {leaked:?}"
    );
    result.unwrap();
    let got = server.received();
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].request_line(),
        "GET /v1/project/acme/service/pg-1 HTTP/1.1"
    );
    assert!(got[0].head.contains(TOKEN), "the server gets the token");

    // The raw generated client built by aiven-ext (Deref) goes the same way.
    let _ = client
        .service_get()
        .project("acme")
        .service_name("pg-2")
        .send()
        .await;
    assert_eq!((probe.count(), server.count()), (1, 2));

    // Over https the environment proxy is honoured, as a CONNECT tunnel:
    // the proxy learns the host, never the token.
    let https = AivenClient::builder()
        .base_url("https://api.aiven.invalid")
        .token(TOKEN)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    assert!(https.get_service("acme", "pg-1").await.is_err());
    let seen = probe.received();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(
        seen[1]
            .request_line()
            .starts_with("CONNECT api.aiven.invalid:443"),
        "{:?}",
        seen[1].request_line()
    );
    assert!(seen
        .iter()
        .all(|r| !r.head.contains(TOKEN) && !r.body.contains(TOKEN)));
}
