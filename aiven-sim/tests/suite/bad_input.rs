//! Bad input never breaks the simulator: malformed bodies, wrong content
//! types and oversized bodies are answered 4xx in Aiven's error format
//! (never 5xx, never a dropped connection), and the simulator keeps
//! serving. Raw `reqwest` throughout, since the generated client cannot send
//! any of this. A property test posts arbitrary bytes and arbitrary JSON to
//! `ServiceCreate`, `ServiceUpdate` and `ServiceKafkaTopicCreate`.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::Duration;

use crate::common::{self, TestSim, TOKEN};
use aiven_sim::MAX_BODY_BYTES;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use reqwest::Method;
use serde_json::{json, Value};

const CREATE: &str = "/project/p/service";
const UPDATE: &str = "/project/p/service/pg-1";
const TOPIC: &str = "/project/p/service/kafka-1/topic";

/// A simulator with project `p`, a running pg service `pg-1` and a running
/// Kafka service `kafka-1`.
async fn setup() -> TestSim {
    let t = common::start().await;
    t.project("p").await;
    t.service("p", "pg-1", "pg", "startup-4").await;
    t.service("p", "kafka-1", "kafka", "business-4").await;
    t.advance(600);
    t
}

/// Sends `body` with `content_type` (none: no header); returns the status
/// and the body as JSON (a string if it is not JSON).
async fn send(
    t: &TestSim,
    method: Method,
    path: &str,
    content_type: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> (u16, Value) {
    let mut r = t
        .http
        .request(method, t.url(path))
        .header("authorization", format!("aivenv1 {TOKEN}"))
        .body(body);
    if let Some(ct) = content_type {
        r = r.header("content-type", ct);
    }
    let resp = r.send().await.expect("an answer, not a dropped connection");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("a complete body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// Aiven's error format, with the status repeated in the entry.
fn assert_aiven_error(status: u16, body: &Value, says: &str) {
    let message = body["message"].as_str().unwrap_or_else(|| panic!("{body}"));
    assert!(
        message.contains(says),
        "{status}: {message:?} lacks {says:?}"
    );
    assert_eq!(body["errors"][0]["status"], json!(status), "{body}");
    assert_eq!(body["errors"][0]["message"], json!(message), "{body}");
}

/// The simulator still answers, and has answered no 5xx so far.
async fn assert_healthy(t: &TestSim) {
    let (status, body) = send(t, Method::GET, UPDATE, None, "").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["service"]["service_name"], "pg-1");
    let stats = t.sim.stats();
    let server_errors: u64 = stats.by_status.range(500..).map(|(_, n)| n).sum();
    assert_eq!(server_errors, 0, "{:?}", stats.by_status);
}

#[tokio::test]
async fn malformed_bodies_are_400() {
    let t = setup().await;
    let targets = [
        (Method::POST, CREATE),
        (Method::PUT, UPDATE),
        (Method::POST, TOPIC),
        (Method::POST, "/project"),
    ];
    let cases: [(&str, &str); 9] = [
        ("{not json", "Invalid JSON body"),
        ("{\"service_name\": \"x\",", "Invalid JSON body"),
        ("\u{feff}{}", "Invalid JSON body"),
        ("[]", "Invalid input"),
        ("[{\"service_name\": \"pg-2\"}]", "Invalid input"),
        ("null", "Invalid input"),
        ("\"pg-2\"", "Invalid input"),
        ("42", "Invalid input"),
        // Wrong shape: fields of the wrong type.
        (
            "{\"service_name\": 5, \"plan\": [], \"topic_name\": {}, \"project\": false, \"powered\": \"yes\"}",
            "Invalid input",
        ),
    ];
    for (method, path) in &targets {
        for (body, says) in cases {
            let (status, answer) =
                send(&t, method.clone(), path, Some("application/json"), body).await;
            assert_eq!(status, 400, "{method} {path} {body:?}: {answer}");
            assert_aiven_error(400, &answer, says);
        }
    }
    // Deeper than serde_json's recursion limit.
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let (status, answer) = send(&t, Method::POST, CREATE, Some("application/json"), deep).await;
    assert_eq!(status, 400, "{answer}");
    assert_aiven_error(400, &answer, "Invalid JSON body");
    // Invalid UTF-8.
    let (status, answer) = send(
        &t,
        Method::POST,
        CREATE,
        Some("application/json"),
        vec![b'{', b'"', 0xff, 0xfe, b'"', b':', b'1', b'}'],
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    let (_, _, b) = t.raw(Method::GET, "/project/p/service", None).await;
    assert_eq!(b["services"].as_array().map(Vec::len), Some(2), "{b}");
    assert_healthy(&t).await;
}

#[tokio::test]
async fn wrong_content_types_are_415() {
    let t = setup().await;
    let valid = json!({"service_name": "pg-2", "service_type": "pg", "plan": "startup-4"});
    let valid = valid.to_string();
    for ct in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some("application/xml"),
        Some("json"),
        Some(""),
        None,
    ] {
        let (status, answer) = send(&t, Method::POST, CREATE, ct, valid.clone()).await;
        assert_eq!(status, 415, "{ct:?}: {answer}");
        let says = if ct.is_some() {
            "Unsupported Content-Type"
        } else {
            "Missing Content-Type"
        };
        assert_aiven_error(415, &answer, says);
    }
    // A form body as a form: 415 too, not a parse error.
    let (status, answer) = send(
        &t,
        Method::PUT,
        UPDATE,
        Some("application/x-www-form-urlencoded"),
        "plan=business-4&powered=false",
    )
    .await;
    assert_eq!(status, 415, "{answer}");
    // Nothing above was created or changed.
    let (_, _, b) = t.raw(Method::GET, "/project/p/service/pg-2", None).await;
    assert_eq!(b["message"], "Service not found", "{b}");
    let (_, _, b) = t.raw(Method::GET, UPDATE, None).await;
    assert_eq!(b["service"]["plan"], "startup-4");

    // JSON with parameters, in any case, and `+json` types are JSON.
    for (i, ct) in [
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/vnd.aiven+json",
    ]
    .into_iter()
    .enumerate()
    {
        let body = json!({"service_name": format!("pg-ok-{i}"), "service_type": "pg", "plan": "startup-4"});
        let (status, answer) = send(&t, Method::POST, CREATE, Some(ct), body.to_string()).await;
        assert_eq!(status, 200, "{ct}: {answer}");
    }
    // Operations without a request body ignore what is sent.
    let (status, _) = send(&t, Method::GET, UPDATE, Some("text/plain"), "hello").await;
    assert_eq!(status, 200);
    assert_healthy(&t).await;
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let t = setup().await;
    // One byte over, with a Content-Length: refused before it is read.
    let over = vec![b' '; MAX_BODY_BYTES + 1];
    let (status, answer) = send(&t, Method::POST, CREATE, Some("application/json"), over).await;
    assert_eq!(status, 413, "{answer}");
    assert_aiven_error(413, &answer, "Request body too large");

    // Several MiB of valid JSON, so the client is still sending when the
    // answer comes.
    let big = json!({"service_name": "pg-big", "service_type": "pg", "plan": "startup-4",
                     "tags": {"padding": "x".repeat(4 * MAX_BODY_BYTES)}});
    let (status, answer) = send(
        &t,
        Method::POST,
        CREATE,
        Some("application/json"),
        big.to_string(),
    )
    .await;
    assert_eq!(status, 413, "{answer}");

    // Chunked, no Content-Length: counted while read.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..40).map(|_| Ok(vec![b' '; 64 * 1024])).collect();
    let stream = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
    let (status, answer) = send(&t, Method::PUT, UPDATE, Some("application/json"), stream).await;
    assert_eq!(status, 413, "{answer}");
    assert_aiven_error(413, &answer, "Request body too large");

    // Just under the limit: read, then judged on its content.
    let mut under = b"{\"plan\": \"business-4\"}".to_vec();
    under.resize(MAX_BODY_BYTES, b' ');
    let (status, answer) = send(&t, Method::PUT, UPDATE, Some("application/json"), under).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["service"]["plan"], "business-4");

    let (_, _, b) = t.raw(Method::GET, "/project/p/service/pg-big", None).await;
    assert_eq!(b["message"], "Service not found", "{b}");
    assert_healthy(&t).await;
}

/// Arbitrary JSON: scalars (with numbers at the edges of the integer and
/// float ranges, and strings that look like names, plans and clouds) nested
/// in arrays and objects.
fn json_value() -> impl Strategy<Value = Value> {
    let strings = prop::sample::select(vec![
        "",
        "pg",
        "kafka",
        "pg-1",
        "kafka-1",
        "startup-4",
        "business-4",
        "hobbyist",
        "google-europe-west1",
        "compact",
        "delete",
        "monday",
        "25:61:99",
        "UPPER",
        "a/b",
        "\u{0}",
        "\u{1F600}",
    ]);
    let numbers = prop::sample::select(vec![
        -1.0,
        0.0,
        0.5,
        1.0,
        3.0,
        81_920.0,
        4_294_967_296.0,
        9.3e18,
        1e308,
        -1e308,
        f64::MIN_POSITIVE,
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        numbers.prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
            .map(Value::Number)),
        strings.prop_map(Value::from),
        "\\PC{0,24}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{0,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Objects with the fields the three operations know, holding arbitrary
/// values, so that cases get past the schema into the handlers.
fn shaped_object() -> impl Strategy<Value = Value> {
    let fields = prop::sample::select(vec![
        "service_name",
        "service_type",
        "plan",
        "cloud",
        "disk_space_mb",
        "powered",
        "termination_protection",
        "user_config",
        "tags",
        "maintenance",
        "project_vpc_id",
        "copy_tags",
        "topic_name",
        "partitions",
        "replication",
        "min_insync_replicas",
        "retention_bytes",
        "retention_hours",
        "cleanup_policy",
        "config",
    ]);
    prop::collection::btree_map(fields, json_value(), 0..8).prop_map(|m: BTreeMap<_, _>| {
        Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    })
}

#[derive(Clone, Debug)]
enum Payload {
    Bytes(Vec<u8>),
    Json(Value),
}

#[test]
fn arbitrary_bodies_never_cause_a_5xx() {
    const CASES: u32 = 128;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let t = rt.block_on(setup());
    let payload = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256).prop_map(Payload::Bytes),
        json_value().prop_map(Payload::Json),
        shaped_object().prop_map(Payload::Json),
        shaped_object().prop_map(Payload::Json),
    ];
    let target = prop::sample::select(vec![
        (Method::POST, CREATE),
        (Method::PUT, UPDATE),
        (Method::POST, TOPIC),
    ]);
    let mut runner = TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    });
    let started = std::time::Instant::now();
    let by_status: RefCell<BTreeMap<u16, u32>> = RefCell::default();
    let result = runner.run(&(target, payload), |((method, path), payload)| {
        let body = match payload {
            Payload::Bytes(b) => b,
            Payload::Json(v) => serde_json::to_vec(&v).unwrap(),
        };
        let shown = String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned();
        let (status, answer) = rt.block_on(async {
            let sent = send(&t, method.clone(), path, Some("application/json"), body);
            tokio::time::timeout(Duration::from_secs(10), sent)
                .await
                .map_err(|_| TestCaseError::fail("no answer within 10 s"))
        })?;
        *by_status.borrow_mut().entry(status).or_default() += 1;
        prop_assert!(
            (200..300).contains(&status) || (400..500).contains(&status),
            "{method} {path} {shown}: {status} {answer}"
        );
        if status >= 400 {
            prop_assert!(answer["message"].is_string(), "{answer}");
        }
        let (status, _) = rt.block_on(send(&t, Method::GET, "/project/p", None, ""));
        prop_assert_eq!(status, 200);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    rt.block_on(assert_healthy(&t));
    eprintln!(
        "{CASES} arbitrary bodies in {:?}: answered {:?}",
        started.elapsed(),
        by_status.borrow()
    );
    drop(t);
}
