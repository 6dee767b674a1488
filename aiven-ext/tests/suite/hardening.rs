//! Issue 9: path parameters cannot change which resource a request
//! addresses, through the raw client and aiven-ext. Against a tiny loopback
//! server that records every request it receives.

use std::time::Duration;

use crate::tiny::{response, Tiny};
use aiven_api::hooks::ClientState;
use aiven_ext::{AivenClient, Error, RetryPolicy};

/// Values that would move a request elsewhere (or that a server decoding
/// twice would read as `..`).
const HOSTILE: &[&str] = &[
    "..",
    ".",
    "a\\b",
    "..\\..\\victim\\service\\victim-pg",
    "%2e%2e",
    "%2E",
    ".%2e",
    "a/b",
    "../../victim/service/victim-pg",
    "",
];

fn ok_server() -> Tiny {
    Tiny::start(|_, _| {
        response(
            "200 OK",
            &[],
            r#"{"service": {"service_name": "x", "state": "RUNNING"}, "message": "ok"}"#,
        )
    })
}

fn raw(server: &Tiny) -> aiven_api::Client {
    aiven_api::Client::new_with_client(
        &format!("{}/v1", server.base_url()),
        aiven_api::tls::client_builder().build().unwrap(),
        ClientState::new(),
    )
}

fn ext(server: &Tiny) -> AivenClient {
    AivenClient::builder()
        .base_url(server.base_url())
        .token("t0ken")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

/// The refusal message, or what happened instead.
fn refusal<E: std::fmt::Debug>(
    r: Result<impl Sized, aiven_api::Error<E>>,
) -> Result<String, String> {
    match r {
        Err(aiven_api::Error::InvalidRequest(msg)) => Ok(msg),
        Err(e) => Err(format!("not refused: {e:?}")),
        Ok(_) => Err("not refused: a 2xx response".into()),
    }
}

#[tokio::test]
async fn raw_client_refuses_hostile_path_parameters_before_sending() {
    let server = ok_server();
    let client = raw(&server);
    let mut wrong = Vec::new();
    for bad in HOSTILE {
        let outcomes = [
            (
                "ServiceDelete",
                refusal(
                    client
                        .service_delete()
                        .project("acme")
                        .service_name(*bad)
                        .send()
                        .await,
                ),
            ),
            (
                "ServiceGet",
                refusal(
                    client
                        .service_get()
                        .project(*bad)
                        .service_name("pg")
                        .send()
                        .await,
                ),
            ),
            (
                "ServiceKafkaTopicGet",
                refusal(
                    client
                        .service_kafka_topic_get()
                        .project("acme")
                        .service_name("kafka")
                        .topic_name(*bad)
                        .send()
                        .await,
                ),
            ),
        ];
        for (op, outcome) in outcomes {
            match outcome {
                Ok(msg) if msg.starts_with(op) && msg.contains("nothing was sent") => {}
                other => wrong.push(format!("{op} {bad:?}: {other:?}")),
            }
        }
    }
    let msg = refusal(
        client
            .service_delete()
            .project("acme")
            .service_name("..")
            .send()
            .await,
    );
    let lines: Vec<_> = server
        .received()
        .iter()
        .map(|r| r.request_line().to_owned())
        .collect();
    assert!(
        wrong.is_empty() && lines.is_empty(),
        "{} of {} calls not refused: {wrong:#?}\n{} requests reached the server: {lines:#?}",
        wrong.len(),
        3 * HOSTILE.len(),
        lines.len()
    );
    let msg = msg.unwrap();
    assert!(msg.contains("service_name (the 2nd"), "{msg}");
}

#[tokio::test]
async fn raw_client_sends_ordinary_names_to_their_own_path() {
    let server = ok_server();
    let client = raw(&server);
    for name in ["pg-1", "a b", "ä", "Legacy_Name.1", "..."] {
        let _ = client
            .service_delete()
            .project("acme")
            .service_name(name)
            .send()
            .await;
    }
    let lines: Vec<_> = server
        .received()
        .iter()
        .map(|r| r.request_line().to_owned())
        .collect();
    assert_eq!(
        lines,
        [
            "DELETE /v1/project/acme/service/pg-1 HTTP/1.1",
            "DELETE /v1/project/acme/service/a%20b HTTP/1.1",
            "DELETE /v1/project/acme/service/%C3%A4 HTTP/1.1",
            "DELETE /v1/project/acme/service/Legacy_Name.1 HTTP/1.1",
            "DELETE /v1/project/acme/service/... HTTP/1.1",
        ]
    );
}

fn is_validation(e: &Error, field: &str) -> bool {
    matches!(e, Error::Validation { field: f, .. } if *f == field)
}

#[tokio::test]
async fn aiven_ext_refuses_hostile_names_with_a_typed_error() {
    let server = ok_server();
    let client = ext(&server);
    let short = Duration::from_millis(50);
    for bad in HOSTILE {
        let bad = *bad;
        let e = client.delete_service("acme", bad).send().await.unwrap_err();
        assert!(is_validation(&e, "service_name"), "{bad:?}: {e:?}");
        let e = client.delete_service(bad, "pg-1").send().await.unwrap_err();
        assert!(is_validation(&e, "project"), "{bad:?}: {e:?}");
        let e = client.get_service("acme", bad).await.unwrap_err();
        assert!(is_validation(&e, "service_name"), "{bad:?}: {e:?}");
        let e = client
            .update_service("acme", bad)
            .plan("startup-8")
            .send()
            .await
            .unwrap_err();
        assert!(is_validation(&e, "service_name"), "{bad:?}: {e:?}");
        let e = client
            .power_off_service(bad, "pg-1")
            .send()
            .await
            .unwrap_err();
        assert!(is_validation(&e, "project"), "{bad:?}: {e:?}");
        let e = client
            .wait_until_service_running("acme", bad)
            .wait(short)
            .await
            .unwrap_err();
        assert!(is_validation(&e, "service_name"), "{bad:?}: {e:?}");
        let e = client
            .wait_until_service_deleted(bad, "pg-1")
            .wait(short)
            .await
            .unwrap_err();
        assert!(is_validation(&e, "project"), "{bad:?}: {e:?}");
        let e = client
            .wait_until_topic_active("acme", "kafka", bad)
            .wait(short)
            .await
            .unwrap_err();
        assert!(is_validation(&e, "topic_name"), "{bad:?}: {e:?}");
        let e = client
            .wait_until_connector_running("acme", "kafka", bad)
            .wait(short)
            .await
            .unwrap_err();
        assert!(is_validation(&e, "connector_name"), "{bad:?}: {e:?}");
        let e = client
            .wait_until_vpc_active("acme", bad)
            .wait(short)
            .await
            .unwrap_err();
        assert!(is_validation(&e, "project_vpc_id"), "{bad:?}: {e:?}");
        let e = client
            .wait_until_integration_active("acme", bad)
            .wait(short)
            .await
            .unwrap_err();
        assert!(is_validation(&e, "integration_id"), "{bad:?}: {e:?}");
        let e = client.list_service_types(Some(bad)).await.unwrap_err();
        assert!(is_validation(&e, "project"), "{bad:?}: {e:?}");
        // The generated operations reached through aiven-ext: the hook.
        let e: Error = client
            .service_delete()
            .project("acme")
            .service_name(bad)
            .send()
            .await
            .unwrap_err()
            .into();
        assert!(
            matches!(&e, Error::InvalidRequest(m) if m.starts_with("ServiceDelete")),
            "{bad:?}: {e:?}"
        );
    }
    let paths: Vec<_> = server
        .received()
        .iter()
        .map(|r| r.request_line().to_owned())
        .collect();
    assert!(paths.is_empty(), "requests reached the server: {paths:?}");
}

#[tokio::test]
async fn aiven_ext_sends_ordinary_names_to_their_own_path() {
    let server = ok_server();
    let client = ext(&server);
    client.get_service("acme-dev", "pg-1").await.unwrap();
    client
        .get_service("acme_dev", "Legacy_Name.1")
        .await
        .unwrap();
    let _ = client
        .wait_until_topic_active("acme", "kafka", "orders.v1_eu-west")
        .wait(Duration::ZERO)
        .await;
    let lines: Vec<_> = server
        .received()
        .iter()
        .map(|r| r.request_line().to_owned())
        .collect();
    assert_eq!(
        lines,
        [
            "GET /v1/project/acme-dev/service/pg-1 HTTP/1.1",
            "GET /v1/project/acme_dev/service/Legacy_Name.1 HTTP/1.1",
            "GET /v1/project/acme/service/kafka/topic/orders.v1_eu-west HTTP/1.1",
        ]
    );
}

// ---------------------------------------------------------------------------
// Issue 9, the rest: size caps, deadlines, redirects, secrets, credentials.

fn ext_with(
    server: &Tiny,
    f: impl FnOnce(aiven_ext::AivenClientBuilder) -> aiven_ext::AivenClientBuilder,
) -> AivenClient {
    f(AivenClient::builder()
        .base_url(server.base_url())
        .token("t0ken"))
    .build()
    .unwrap()
}

/// A chunked response of `len` bytes of JSON-ish filler.
fn chunked(status: &str, len: usize) -> String {
    let mut s = format!(
        "HTTP/1.1 {status}\r\nconnection: close\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
    );
    let chunk = "x".repeat(64 * 1024);
    let mut sent = 0;
    while sent < len {
        s.push_str(&format!("{:x}\r\n{chunk}\r\n", chunk.len()));
        sent += chunk.len();
    }
    s.push_str("0\r\n\r\n");
    s
}

fn too_large(e: &Error) -> &aiven_ext::ResponseTooLarge {
    match e {
        Error::ResponseTooLarge { source, .. } => source,
        other => panic!("not ResponseTooLarge: {other:?}"),
    }
}

#[tokio::test]
async fn a_declared_length_over_the_cap_is_refused_before_reading() {
    let server = Tiny::start(|_, _| {
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2147483648\r\n\r\n{\"service\":"
            .to_owned()
    });
    let e = ext_with(&server, |b| b)
        .get_service("p", "pg-1")
        .await
        .unwrap_err();
    let t = too_large(&e);
    assert_eq!(
        (t.limit, t.declared),
        (aiven_ext::DEFAULT_MAX_RESPONSE_BYTES, Some(1 << 31))
    );
    assert_eq!(e.operation_id(), Some("ServiceGet"));
    // A GET, idempotent, yet not repeated: it would only be as large.
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn chunked_bodies_over_the_cap_stop_at_the_cap_for_success_and_error() {
    for status in ["200 OK", "500 Internal Server Error"] {
        let server = Tiny::start(move |_, _| chunked(status, 3 << 20));
        let client = ext_with(&server, |b| b.max_response_bytes(1 << 20));
        let e = client.get_service("p", "pg-1").await.unwrap_err();
        let t = too_large(&e);
        assert_eq!((t.limit, t.declared), (1 << 20, None), "{status}");
        assert_eq!(t.status.as_u16(), status[..3].parse::<u16>().unwrap());
        // A 500 to a GET is retried as a rule; a body too large is not.
        assert_eq!(server.count(), 1, "{status}");
    }
    // Under the cap: read whole.
    let body = r#"{"service": {"service_name": "pg-1", "state": "RUNNING"}}"#;
    let server = Tiny::start(move |_, _| response("200 OK", &[], body));
    let client = ext_with(&server, |b| b.max_response_bytes(body.len() as u64));
    assert_eq!(
        client
            .get_service("p", "pg-1")
            .await
            .unwrap()
            .state
            .as_deref(),
        Some("RUNNING")
    );
}

/// The peak memory of a 2 GiB answer is the cap's, and it is fetched once:
/// the server counts what it managed to send before the client hung up.
#[tokio::test]
async fn a_2_gib_body_costs_the_cap_not_the_body() {
    use std::io::Write;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counter = sent.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = std::io::Read::read(&mut stream, &mut buf);
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
            if stream.write_all(head.as_bytes()).is_err() {
                continue;
            }
            let chunk = format!("{:x}\r\n{}\r\n", 1 << 20, " ".repeat(1 << 20));
            for _ in 0..2048 {
                if stream.write_all(chunk.as_bytes()).is_err() {
                    break;
                }
                counter.fetch_add(1 << 20, std::sync::atomic::Ordering::Relaxed);
            }
        }
    });
    let client = AivenClient::builder()
        .base_url(format!("http://{addr}"))
        .build()
        .unwrap();
    let e = client.get_service("p", "pg-1").await.unwrap_err();
    assert_eq!(too_large(&e).limit, aiven_ext::DEFAULT_MAX_RESPONSE_BYTES);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let sent = sent.load(std::sync::atomic::Ordering::Relaxed);
    let peak_kib: u64 = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0);
    eprintln!("2 GiB body: server sent {} MiB before the client hung up; peak RSS of this test process {} MiB", sent >> 20, peak_kib >> 10);
    assert!(sent < 512 << 20, "the server sent {sent} bytes");
    assert!(peak_kib < 1 << 20, "peak RSS {peak_kib} KiB");
}

/// A server that accepts connections and never answers, or answers after
/// `delay`.
fn slow_server(delay: Option<Duration>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            match delay {
                None => held.push(stream),
                Some(delay) => {
                    std::thread::spawn(move || {
                        let mut stream = stream;
                        std::thread::sleep(delay);
                        let body = r#"{"service": {"service_name": "pg-1", "state": "RUNNING"}}"#;
                        let _ = std::io::Write::write_all(
                            &mut stream,
                            response("200 OK", &[], body).as_bytes(),
                        );
                    });
                }
            }
        }
    });
    format!("http://{addr}")
}

fn budget(total: Duration) -> RetryPolicy {
    let mut policy = RetryPolicy::default();
    policy.total_budget = total;
    policy
}

/// Deadlines are deadlines: the attempt in flight ends with the budget or
/// the wait. Before, `wait(5 s)` returned after 60–76 s and a 60 s budget
/// ran to 76 s (GET) and 91 s (create).
#[tokio::test]
async fn deadlines_bound_the_attempt_in_flight() {
    const SLACK: Duration = Duration::from_millis(1500);
    let never = slow_server(None);
    let late = slow_server(Some(Duration::from_secs(25)));
    let max = Duration::from_secs(2);
    for (label, base) in [("never answers", &never), ("answers after 25 s", &late)] {
        let client = AivenClient::builder()
            .base_url(base.as_str())
            .token("t")
            .retry_policy(budget(max))
            .build()
            .unwrap();
        let started = std::time::Instant::now();
        let e = client.get_service("p", "pg-1").await.unwrap_err();
        let get = started.elapsed();
        assert!(
            matches!(&e, Error::Transport { source, .. } if source.is_timeout()),
            "{e:?}"
        );

        let started = std::time::Instant::now();
        let body = aiven_api::types::ServiceCreateRequestBody::builder()
            .service_name("pg-1")
            .service_type("pg")
            .plan("startup-4");
        let e = client.create_service("p", body).send().await.unwrap_err();
        let create = started.elapsed();
        assert!(e.operation_id().is_some(), "{e:?}");

        let client = AivenClient::builder()
            .base_url(base.as_str())
            .token("t")
            .build()
            .unwrap();
        let started = std::time::Instant::now();
        let e = client
            .wait_until_service_running("p", "pg-1")
            .wait(max)
            .await
            .unwrap_err();
        let wait = started.elapsed();
        assert!(matches!(e, Error::WaitTimeout { polls: 1, .. }), "{e:?}");
        eprintln!("server that {label}: GET with a {max:?} budget returned after {get:.2?}, create after {create:.2?}; wait({max:?}) after {wait:.2?}");
        for (what, took, bound) in [
            ("GET", get, max),
            ("create", create, max),
            ("wait", wait, max + aiven_ext::FINAL_POLL_SLACK),
        ] {
            assert!(took < bound + SLACK, "{label}: {what} took {took:?}");
        }
    }
}

#[tokio::test]
async fn cross_origin_redirects_are_not_followed() {
    let elsewhere = Tiny::start(|_, _| response("200 OK", &[], "{}"));
    let target = format!("{}/v1/project/p/service", elsewhere.base_url());
    let server =
        Tiny::start(move |_, _| response("307 Temporary Redirect", &[("location", &target)], ""));
    let body = aiven_api::types::ServiceCreateRequestBody::builder()
        .service_name("pg-1")
        .service_type("pg")
        .plan("startup-4")
        .user_config(serde_json::Map::from_iter([(
            "admin_password".to_owned(),
            serde_json::json!("pw-in-body"),
        )]));
    let client = ext_with(&server, |b| b.retry_policy(RetryPolicy::none()));
    let e = client
        .create_service("p", body)
        .existence_check(false)
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(307), "{e:?}");
    assert_eq!(elsewhere.count(), 0, "the body went to another origin");

    // Within the origin, a redirect is followed.
    let server = Tiny::start(|n, _| match n {
        0 => response(
            "307 Temporary Redirect",
            &[("location", "/v1/project/p/service/pg-1")],
            "",
        ),
        _ => response(
            "200 OK",
            &[],
            r#"{"service": {"service_name": "pg-1", "state": "RUNNING"}}"#,
        ),
    });
    let svc = ext_with(&server, |b| b)
        .get_service("p", "pg-1")
        .await
        .unwrap();
    assert_eq!((svc.state.as_deref(), server.count()), (Some("RUNNING"), 2));
}

#[tokio::test]
async fn secrets_in_a_damaged_body_are_redacted_in_the_error() {
    for body in [
        // Not an object where one is declared (a field of the wrong type
        // alone decodes leniently): the secrets sit in the kept body.
        r#"[{"service": {"service_name": "pg-1", "password": "pw-SECRET-1", "service_uri": "postgres://avnadmin:pw-SECRET-2@pg.example:5432/defaultdb", "state": "RUNNING"}}]"#,
        // Cut short inside a user's password (and inside the URI's).
        r#"{"service": {"service_name": "pg-1", "service_uri": "postgres://avnadmin:pw-SECRET-2@pg.example:5432/defaultdb", "users": [{"username": "avnadmin", "password": "pw-SECRET-3"#,
    ] {
        let server = Tiny::start(move |_, _| response("200 OK", &[], body));
        let e = ext_with(&server, |b| b)
            .get_service("p", "pg-1")
            .await
            .unwrap_err();
        let Error::InvalidResponse { body: kept, .. } = &e else {
            panic!("{e:?}")
        };
        assert!(
            kept.contains("avnadmin") && kept.contains("pg.example"),
            "{kept}"
        );
        for shown in [format!("{e}"), format!("{e:?}")] {
            assert!(!shown.contains("pw-SECRET"), "{shown}");
        }
    }
}

#[test]
fn a_base_url_with_credentials_is_refused_without_showing_them() {
    let builder = AivenClient::builder().base_url("https://user:pw-SECRET@api.aiven.io");
    assert!(!format!("{builder:?}").contains("pw-SECRET"), "{builder:?}");
    let e = builder.build().unwrap_err();
    assert!(matches!(e, Error::Config(_)), "{e:?}");
    assert!(
        e.to_string().contains("carries credentials") && !e.to_string().contains("pw-SECRET"),
        "{e}"
    );
}

fn from_file(path: &std::path::Path) -> Result<aiven_ext::AivenClientBuilder, Error> {
    let path = path.display().to_string();
    aiven_ext::AivenClientBuilder::from_env_with(move |k| {
        (k == "AIVEN_CREDENTIALS_FILE").then(|| path.clone())
    })
}

#[test]
fn credentials_files_are_read_carefully() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("aiven-credentials.json");
    // A bare JSON string (someone pasted the token): refused, never echoed.
    std::fs::write(&file, "\"tok-SECRET-123\"").unwrap();
    let e = from_file(&file).unwrap_err();
    assert!(!format!("{e} {e:?}").contains("tok-SECRET"), "{e:?}");
    assert!(
        e.to_string()
            .contains("not an object with a string `auth_token`"),
        "{e}"
    );
    // Broken JSON after the token: the position, not the content.
    std::fs::write(&file, "{\"auth_token\": \"tok-SECRET-123\" oops}").unwrap();
    let e = from_file(&file).unwrap_err();
    assert!(
        !format!("{e} {e:?}").contains("tok-SECRET") && e.to_string().contains("line 1"),
        "{e}"
    );
    // A byte-order mark is fine.
    std::fs::write(&file, "\u{feff}{\"auth_token\": \"tok-123\"}").unwrap();
    assert!(from_file(&file)
        .unwrap()
        .build()
        .unwrap()
        .is_authenticated());
    // Size cap: not read to the end.
    std::fs::write(
        &file,
        format!("{{\"auth_token\": \"{}\"}}", "a".repeat(100 * 1024)),
    )
    .unwrap();
    let e = from_file(&file).unwrap_err();
    assert!(e.to_string().contains("larger than 65536 bytes"), "{e}");
    #[cfg(unix)]
    {
        let e = from_file(std::path::Path::new("/dev/zero")).unwrap_err();
        assert!(e.to_string().contains("larger than"), "{e}");
    }
}

/// A credentials file others can read is used, with a warning naming the
/// file and its mode; a private one gets none.
#[cfg(unix)]
#[test]
fn a_readable_credentials_file_is_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Captured {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("aiven-credentials.json");
    std::fs::write(&file, r#"{"auth_token": "tok-123"}"#).unwrap();
    let warnings = |mode: u32| {
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, || from_file(&file).unwrap());
        let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        text
    };
    let loud = warnings(0o644);
    assert!(
        loud.contains("can be read by other users") && loud.contains("0644"),
        "{loud}"
    );
    assert!(!loud.contains("tok-123"), "{loud}");
    assert_eq!(warnings(0o600), "");
}
