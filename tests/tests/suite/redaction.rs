//! Issues 17 and 18: one redaction, and the secrets that leaked past it.
//!
//! - A secret path parameter (`download_cookie` of an invoice download) is
//!   masked in the `aiven_api` span, the retry warning, transport errors
//!   (connection refused, timeout), an unexpected response's error, the
//!   request builder's `Debug`, and the simulator's journal and request log.
//! - `New*` requests and request builders print `user_config` as responses
//!   are printed: secret-named keys masked, the rest readable.
//! - URIs lose `password`-like query parameters, and a password the server
//!   did not percent-encode is masked whole (client `Debug`, generated types,
//!   the journal), as is a `https://<token>@host` under any key.
//!
//! Each test keeps what its thread logs ([`Log::capture`]: a thread-local
//! subscriber; the tests run on current-thread runtimes, so the client, the
//! simulator's tasks and their connections all log on the test's thread);
//! every test uses its own secret values, so the tests may run in parallel.

// `ProjectInvoiceGet` is deprecated by Aiven, and still served: its
// `download_cookie` is the secret path parameter under test.
#![allow(deprecated)]

use std::time::Duration;

use aiven_ext::requests::{NewIntegration, NewService};
use aiven_ext::{AivenClient, RetryPolicy};
use httpmock::Method::GET;
use httpmock::MockServer;
use serde_json::json;

use crate::log::Log;

const REDACTED: &str = aiven_api::redact::REDACTED;

/// Everything, but httpmock's log of the requests it receives (it is the
/// server here).
const HTTPMOCK_OFF: &str = "trace,httpmock=off";

/// The log lines that mention `needle`.
fn lines_with(log: &str, needle: &str) -> Vec<String> {
    log.lines()
        .filter(|l| l.contains(needle))
        .map(str::to_owned)
        .collect()
}

fn invoice_request<'a>(
    client: &'a aiven_api::Client,
    project: &str,
    cookie: &str,
) -> aiven_api::builder::ProjectInvoiceGet<'a> {
    client
        .project_invoice_get()
        .project(project)
        .invoice_number("42")
        .download_cookie(cookie)
}

/// Issue 18 item 1: the span, the builder's `Debug`, and an unexpected
/// response's error (which prints the response with its URL).
#[tokio::test]
async fn download_cookie_is_masked_in_the_span_builder_debug_and_response_errors() {
    let (log, _guard) = Log::capture(HTTPMOCK_OFF);
    let cookie = "COOKIE-span-4f1c9a77";
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/v1/project/span-p/invoice/42/{cookie}"));
            then.status(200)
                .header("content-type", "application/pdf")
                .body("%PDF-1.4");
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/v1/project/odd-p/invoice/42/{cookie}"));
            then.status(202).body("");
        })
        .await;
    let client = aiven_tests::raw_client(&server.base_url(), Some("tok"));

    let builder = invoice_request(&client, "span-p", cookie);
    let shown = format!("{builder:?}");
    assert!(!shown.contains(cookie), "{shown}");
    assert!(
        shown.contains(&format!("download_cookie: {REDACTED:?}"))
            && shown.contains("invoice_number: Ok(\"42\")"),
        "{shown}"
    );
    builder.send().await.expect("the PDF is sent");

    let e = invoice_request(&client, "odd-p", cookie)
        .send()
        .await
        .err()
        .expect("202 is not documented");
    let printed = format!("{e} {e:?}");
    assert!(printed.contains("202"), "{printed}");
    assert!(!printed.contains(cookie), "{printed}");

    let spans = lines_with(&log.text(), "invoice/42/");
    assert!(
        spans
            .iter()
            .any(|l| l.contains("operation_id=\"ProjectInvoiceGet\"")
                && l.contains(&format!("path=/v1/project/span-p/invoice/42/{REDACTED}"))),
        "{spans:#?}"
    );
    let log = log.text();
    assert!(!log.contains(cookie), "{log}");
}

/// A port nothing listens on.
fn closed_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

/// A server that accepts connections and never answers.
fn silent_server() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().collect();
        drop(held);
    });
    format!("http://{addr}")
}

/// Issue 18 item 1: the retry warning, and the connection-refused and
/// timeout errors, which print the URL they were for.
#[tokio::test]
async fn download_cookie_is_masked_in_retry_warnings_and_transport_errors() {
    let (log, _guard) = Log::capture(HTTPMOCK_OFF);
    let cookie = "COOKIE-retry-9be2d310";
    let mut policy = RetryPolicy::default();
    policy.max_attempts = 2;
    policy.min_delay = Duration::from_millis(1);
    policy.max_delay = Duration::from_millis(5);
    let refused = AivenClient::builder()
        .base_url(closed_port())
        .token("t")
        .retry_policy(policy)
        .build()
        .unwrap();
    let e = invoice_request(refused.api(), "retry-p", cookie)
        .send()
        .await
        .err()
        .map(aiven_ext::Error::from)
        .expect("nothing listens");
    let printed = format!("{e} | {e:?}");
    assert!(
        matches!(&e, aiven_ext::Error::Transport { source, .. } if source.is_connect()),
        "{printed}"
    );
    assert!(!printed.contains(cookie), "{printed}");
    let url = match &e {
        aiven_ext::Error::Transport { source, .. } => source.url().unwrap().to_string(),
        _ => unreachable!(),
    };
    assert!(
        url.ends_with("/v1/project/retry-p/invoice/42/**%20redacted%20**"),
        "{url}"
    );

    let timed_out = AivenClient::builder()
        .base_url(silent_server())
        .token("t")
        .timeout(Duration::from_millis(300))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let e = invoice_request(timed_out.api(), "timeout-p", cookie)
        .send()
        .await
        .err()
        .map(aiven_ext::Error::from)
        .expect("the server never answers");
    let printed = format!("{e} | {e:?}");
    assert!(
        matches!(&e, aiven_ext::Error::Transport { source, .. } if source.is_timeout()),
        "{printed}"
    );
    assert!(!printed.contains(cookie), "{printed}");
    assert!(printed.contains("timeout-p/invoice/42/"), "{printed}");

    let log = log.text();
    let warnings = lines_with(&log, "retrying Aiven API request");
    assert!(
        warnings.iter().any(|l| l.contains("retry-p/invoice/42/")),
        "{warnings:#?}"
    );
    assert!(!log.contains(cookie), "{log}");
}

/// Issue 18 item 1: the simulator's journal and its INFO request log.
#[tokio::test]
async fn download_cookie_is_masked_in_the_simulator_journal_and_request_log() {
    let (log, _guard) = Log::capture(HTTPMOCK_OFF);
    let cookie = "COOKIE-sim-07aa1e5c";
    let sim = aiven_sim::Simulator::builder()
        .token("sim-token")
        .start()
        .await
        .expect("the simulator starts");
    let base = sim.base_url().trim_end_matches("/v1");
    let client = aiven_tests::raw_client(base, Some("sim-token"));
    // Whatever it answers (there is no such invoice), it is journaled and logged.
    let _ = invoice_request(&client, "sim-p", cookie).send().await;
    let _ = client
        .billing_credit_memo_download()
        .credit_memo_id("cm-1")
        .download_cookie(cookie)
        .send()
        .await;

    let journal = sim.journal();
    let paths: Vec<&str> = journal.entries.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            format!("/v1/project/sim-p/invoice/42/{REDACTED}"),
            format!("/v1/credit-memos/cm-1/{REDACTED}"),
        ],
    );
    assert_eq!(
        journal.entries[0].operation_id.as_deref(),
        Some("ProjectInvoiceGet")
    );
    assert!(!serde_json::to_string(&journal).unwrap().contains(cookie));

    let log = log.text();
    let requests = lines_with(&log, "sim-p/invoice/42/");
    assert!(
        requests
            .iter()
            .any(|l| l.contains("INFO") && l.contains(" request")),
        "the simulator's request log line: {requests:#?}"
    );
    assert!(!log.contains(cookie), "{log}");
}

/// Issue 18 item 3: `New*` requests and request builders print free-form
/// JSON as responses are printed.
#[test]
fn user_config_is_masked_in_new_requests_and_builders() {
    let service = NewService::new("pg-1", "pg", "startup-4")
        .user_config("admin_password", "pw-NEW-1")
        .user_config("pg_version", "17")
        .user_config(
            "migration",
            json!({"host": "old.example", "password": "pw-NEW-2"}),
        );
    let shown = format!("{service:?}");
    for secret in ["pw-NEW-1", "pw-NEW-2"] {
        assert!(!shown.contains(secret), "{shown}");
    }
    assert!(
        shown.contains(&format!("\"admin_password\":{REDACTED:?}"))
            && shown.contains("\"pg_version\":\"17\"")
            && shown.contains("old.example")
            && shown.contains("name: \"pg-1\""),
        "{shown}"
    );

    let integration = NewIntegration::new("kafka_connect", "k-1", "kc-1").user_config(
        "kafka_connect",
        json!({"sasl_password": "pw-NEW-3", "group": "g"}),
    );
    let shown = format!("{integration:?}");
    assert!(!shown.contains("pw-NEW-3"), "{shown}");
    assert!(
        shown.contains(&format!("\"sasl_password\":{REDACTED:?}"))
            && shown.contains("\"group\":\"g\""),
        "{shown}"
    );

    let topic = aiven_ext::requests::NewTopic::new("events")
        .config("sasl_jaas_config", "pw-NEW-4")
        .config("retention_ms", 1000);
    let shown = format!("{topic:?}");
    assert!(!shown.contains("pw-NEW-4"), "{shown}");
    assert!(shown.contains("\"retention_ms\":1000"), "{shown}");

    // The generated body's builder, alone and inside the request builder.
    let body: aiven_api::types::builder::ServiceCreateRequestBody =
        service.build().expect("a valid body").into();
    let shown = format!("{body:?}");
    assert!(
        !shown.contains("pw-NEW-1") && !shown.contains("pw-NEW-2"),
        "{shown}"
    );
    assert!(shown.contains("\"pg_version\":\"17\""), "{shown}");
    let client = aiven_tests::raw_client("http://127.0.0.1:1", None);
    let request = client.service_create().project("p").body(body);
    let shown = format!("{request:?}");
    assert!(
        !shown.contains("pw-NEW-1") && !shown.contains("pw-NEW-2"),
        "{shown}"
    );
    assert!(shown.contains("\"pg_version\":\"17\""), "{shown}");
}

/// Issue 18 item 4: a password in a URI's query string, and one the server
/// did not encode, in `ConnectionInfo`'s and the generated `Service`'s
/// `Debug`.
#[test]
fn uri_query_passwords_and_unencoded_userinfo_are_masked_in_debug() {
    let service: aiven_api::types::Service = serde_json::from_value(json!({
        "service_name": "pg-q",
        "service_type": "pg",
        "service_uri": "postgres://avnadmin:pw/Q-1@pg-q.example:5432/defaultdb?sslmode=require",
        "connection_info": {
            "pg": ["jdbc:postgresql://pg-q.example:5432/defaultdb?user=avnadmin&password=pw-Q-2&ssl=true"]
        },
        "service_integrations": [],
        "user_config": {"dsn_like": "postgres://pg-q.example/db?password=pw-Q-3"}
    }))
    .unwrap();
    let shown = format!("{service:?}");
    for secret in ["pw/Q-1", "Q-1", "pw-Q-2", "pw-Q-3"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(
        shown.contains(&format!(
            "postgres://avnadmin:{REDACTED}@pg-q.example:5432/defaultdb?sslmode=require"
        )) && shown.contains(&format!("?user=avnadmin&password={REDACTED}&ssl=true")),
        "{shown}"
    );

    let jdbc: aiven_api::types::Service = serde_json::from_value(json!({
        "service_name": "pg-j",
        "service_type": "pg",
        "service_uri": "jdbc:postgresql://pg-j.example:5432/defaultdb?user=avnadmin&password=pw-Q-4"
    }))
    .unwrap();
    let info = aiven_ext::ConnectionInfo::from_service(&jdbc);
    let shown = format!("{info:?}");
    assert!(!shown.contains("pw-Q-4"), "{shown}");
    assert!(shown.contains(&format!("password={REDACTED}")), "{shown}");
    let slash: aiven_api::types::Service = serde_json::from_value(json!({
        "service_name": "pg-s",
        "service_type": "pg",
        "service_uri": "postgres://avnadmin:pw/Q-5@pg-s.example:5432/defaultdb"
    }))
    .unwrap();
    let shown = format!("{:?}", aiven_ext::ConnectionInfo::from_service(&slash));
    assert!(!shown.contains("Q-5"), "{shown}");
}

/// Issue 17 and 18 item 4: the journal masks as the client does — URIs
/// under any key (`https://<token>@host`), query passwords, and the
/// request's own query string.
#[tokio::test]
async fn journal_masks_uris_under_any_key_and_query_passwords() {
    let sim = aiven_sim::Simulator::builder()
        .token("sim-token")
        .start()
        .await
        .expect("the simulator starts");
    let http = aiven_api::tls::client_builder().build().unwrap();
    let body = json!({
        "service_name": "pg-j1",
        "service_type": "pg",
        "plan": "startup-4",
        "user_config": {
            "note": "https://tok-J-1@git.example/repo",
            "migration": {"host": "h", "dbname": "jdbc:postgresql://h:5432/db?user=u&password=pw-J-2"}
        }
    });
    let _ = http
        .post(format!(
            "{}/project/j-p/service?token=tok-J-3&x=1",
            sim.base_url()
        ))
        .header("authorization", "aivenv1 sim-token")
        .json(&body)
        .send()
        .await
        .expect("sent");
    let journal = sim.journal();
    let entry = journal.last().expect("journaled");
    let kept = serde_json::to_string(entry).unwrap();
    for secret in ["tok-J-1", "pw-J-2", "tok-J-3"] {
        assert!(!kept.contains(secret), "{secret} in {kept}");
    }
    assert_eq!(
        entry.request_body["user_config"]["note"],
        format!("https://{REDACTED}@git.example/repo")
    );
    assert_eq!(
        entry.query.as_deref(),
        Some(&*format!("token={REDACTED}&x=1"))
    );
    assert_eq!(entry.request_body["service_name"], "pg-j1");
}
