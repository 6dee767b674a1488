//! The admin API (`/_sim` and the `SimHandle` methods), the size caps and
//! the connection limits, over real HTTP.

use std::time::{Duration, Instant};

use crate::common::{start, start_with, TestSim, TOKEN};
use aiven_sim::format::FormatError;
use aiven_sim::journal::REDACTED;
use aiven_sim::{AdminError, FaultRule, ServerLimits, Simulator, Snapshot};
use reqwest::Method;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A request to the admin API with the test token.
async fn admin(t: &TestSim, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut r = t
        .http
        .request(method, format!("http://{}/_sim{path}", t.sim.addr()))
        .header("authorization", format!("aivenv1 {TOKEN}"));
    if let Some(b) = body {
        r = r.json(&b);
    }
    let resp = r.send().await.expect("admin request sent");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("admin answers JSON"))
}

/// A snapshot envelope without its state's revision.
fn without_revision(mut v: Value) -> Value {
    v["state"].as_object_mut().unwrap().remove("revision");
    v
}

#[tokio::test]
async fn reset_snapshot_restore_over_http() {
    let t = start().await;
    t.project("p1").await;
    t.service("p1", "pg1", "pg", "startup-4").await;
    let (status, snap) = admin(&t, Method::GET, "/state", None).await;
    assert_eq!(status, 200);
    assert_eq!(snap["format"], "aiven-sim-snapshot", "{snap}");
    assert_eq!(snap["version"], 2, "{snap}");
    assert_eq!(snap.as_object().unwrap().len(), 3, "{snap}");
    assert!(
        snap["state"]["projects"]["p1"]["services"]["pg1"].is_object(),
        "{snap}"
    );

    // Mutate: another project, the service gone.
    t.project("p2").await;
    let (s, _, _) = t.raw(Method::DELETE, "/project/p1/service/pg1", None).await;
    assert_eq!(s, 200);
    let (status, put) = admin(&t, Method::PUT, "/state", Some(snap.clone())).await;
    assert_eq!(status, 200, "{put}");
    let (_, back) = admin(&t, Method::GET, "/state", None).await;
    assert_eq!(
        without_revision(back.clone()),
        without_revision(snap.clone())
    );
    assert!(back["state"]["revision"].as_u64() > snap["state"]["revision"].as_u64());
    let (s, _, body) = t.raw(Method::GET, "/project/p1/service/pg1", None).await;
    assert_eq!(s, 200, "the restored service is served: {body}");
    assert_eq!(t.raw(Method::GET, "/project/p2", None).await.0, 404);

    // Not a state: 400 in Aiven's format, the state untouched.
    let (status, err) = admin(&t, Method::PUT, "/state", Some(json!({"projects": 3}))).await;
    assert_eq!(status, 400);
    assert!(err["message"]
        .as_str()
        .unwrap()
        .contains("not a simulator state"));

    let (status, _) = admin(&t, Method::POST, "/reset", None).await;
    assert_eq!(status, 200);
    let (_, _, list) = t.raw(Method::GET, "/project", None).await;
    assert_eq!(list["projects"], json!([]));
    assert_eq!(t.raw(Method::GET, "/project/p1", None).await.0, 404);

    // Unknown admin paths and methods.
    assert_eq!(admin(&t, Method::GET, "/nope", None).await.0, 404);
    assert_eq!(admin(&t, Method::DELETE, "/state", None).await.0, 405);
    let (status, index) = admin(&t, Method::GET, "", None).await;
    assert_eq!(status, 200);
    assert!(index["endpoints"].as_array().unwrap().len() >= 10);
    // The list, routed from one table, reads as it always did.
    assert_eq!(
        index["endpoints"],
        json!([
            "POST /_sim/reset",
            "GET /_sim/state",
            "PUT /_sim/state",
            "GET /_sim/clock",
            "POST /_sim/clock/advance {\"seconds\": N} | {\"ms\": N}",
            "GET /_sim/faults",
            "PUT /_sim/faults {\"rules\": [...]}",
            "DELETE /_sim/faults",
            "GET /_sim/journal?operation_id=&status=&limit=",
            "DELETE /_sim/journal",
        ])
    );
    let (_, e) = admin(&t, Method::DELETE, "/state", None).await;
    assert_eq!(e["message"], "Method DELETE not allowed for /_sim/state");
    assert_eq!(admin(&t, Method::GET, "/state/", None).await.0, 200);
    assert_eq!(admin(&t, Method::GET, "/", None).await.0, 200);
}

#[tokio::test]
async fn reset_snapshot_restore_through_the_handle() {
    let t = start().await;
    t.project("p1").await;
    let snap = t.sim.snapshot();
    t.project("p2").await;
    assert_eq!(t.sim.snapshot().projects(), ["p1", "p2"]);
    t.sim.restore(snap.clone()).unwrap();
    assert_eq!(t.sim.snapshot().projects(), ["p1"]);
    assert_eq!(
        without_revision(t.sim.snapshot().into_json()),
        without_revision(snap.to_json())
    );
    assert!(matches!(
        Snapshot::from_json(json!("nope")),
        Err(FormatError::Envelope(_))
    ));
    let mut not_a_state = snap.clone();
    not_a_state.state_mut()["projects"] = json!(3);
    assert!(matches!(
        t.sim.restore(not_a_state),
        Err(AdminError::InvalidState(_))
    ));
    t.sim.reset().unwrap();
    assert!(t.sim.snapshot().projects().is_empty());
    // A reset simulator creates what it created before: same seed, same ids.
    t.project("p1").await;
    assert_eq!(t.sim.snapshot().projects(), ["p1"]);
}

/// `PUT /_sim/state` takes the bare state older simulators sent (format
/// version 1, no envelope) and refuses versions it does not know, with a
/// 400 that names the version; nothing is restored then.
#[tokio::test]
async fn restore_migrates_a_version_1_body_and_refuses_unknown_versions() {
    let t = start().await;
    t.project("p1").await;
    t.service("p1", "pg1", "pg", "startup-4").await;
    let (_, snap) = admin(&t, Method::GET, "/state", None).await;
    let bare = snap["state"].clone();
    assert!(bare.get("format").is_none() && bare["projects"]["p1"].is_object());
    t.sim.reset().unwrap();
    let (status, put) = admin(&t, Method::PUT, "/state", Some(bare)).await;
    assert_eq!(status, 200, "{put}");
    assert_eq!(t.sim.snapshot().projects(), ["p1"]);
    assert_eq!(
        t.sim.snapshot().service("p1", "pg1").unwrap()["plan"],
        "startup-4"
    );
    let before = without_revision(t.sim.snapshot().into_json());

    for (body, says) in [
        (
            json!({"format": "aiven-sim-snapshot", "version": 3, "state": snap["state"]}),
            "format version 3 is newer than this simulator's (2)",
        ),
        (
            json!({"format": "aiven-sim-snapshot", "version": 0, "state": snap["state"]}),
            "format version 0 is not one aiven-sim wrote",
        ),
        (
            json!({"format": "other", "version": 2, "state": snap["state"]}),
            "not an aiven-sim snapshot",
        ),
        (
            json!({"format": "aiven-sim-snapshot", "version": "2", "state": snap["state"]}),
            "\"version\" is not a whole number",
        ),
    ] {
        let (status, err) = admin(&t, Method::PUT, "/state", Some(body)).await;
        assert_eq!(status, 400, "{err}");
        let message = err["message"].as_str().unwrap();
        assert!(message.contains(says), "{message}");
    }
    assert_eq!(
        without_revision(t.sim.snapshot().into_json()),
        before,
        "nothing was restored"
    );
}

#[tokio::test]
async fn clock_advances_only_when_manual() {
    let t = start().await;
    let (status, c) = admin(&t, Method::GET, "/clock", None).await;
    assert_eq!(status, 200);
    assert_eq!(c["manual"], true);
    let before = c["now_ms"].as_i64().unwrap();
    let (status, c) = admin(
        &t,
        Method::POST,
        "/clock/advance",
        Some(json!({"seconds": 600})),
    )
    .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["now_ms"].as_i64().unwrap(), before + 600_000);
    let now = t.sim.advance_clock(Duration::from_millis(1500)).unwrap();
    assert_eq!(now, before + 601_500);
    let (status, _) = admin(
        &t,
        Method::POST,
        "/clock/advance",
        Some(json!({"seconds": -1})),
    )
    .await;
    assert_eq!(status, 400);

    // The system clock cannot be moved: 409 and an error that says why.
    let sys = start_with(|_| Simulator::builder().token(TOKEN).validate_responses(true)).await;
    let (status, err) = admin(&sys, Method::POST, "/clock/advance", Some(json!({"ms": 1}))).await;
    assert_eq!(status, 409);
    assert!(
        err["message"].as_str().unwrap().contains("ManualClock"),
        "{err}"
    );
    assert!(matches!(
        sys.sim.advance_clock(Duration::from_secs(1)),
        Err(AdminError::ClockNotManual)
    ));
}

#[tokio::test]
async fn faults_set_and_cleared_at_runtime() {
    let t = start().await;
    assert_eq!(t.raw(Method::GET, "/clouds", None).await.0, 200);

    // Through the handle.
    t.sim
        .set_faults(vec![FaultRule::operation("ListClouds").error_rate(1.0)]);
    let (s, _, _) = t.raw(Method::GET, "/clouds", None).await;
    assert!((500..600).contains(&s), "{s}");
    assert_eq!(t.sim.faults().len(), 1);
    t.sim.clear_faults();
    assert_eq!(t.raw(Method::GET, "/clouds", None).await.0, 200);

    // Over HTTP, with a rate limit.
    let rules = json!({"rules": [{"route": "/clouds", "rate_limit": "1/m"}]});
    let (status, got) = admin(&t, Method::PUT, "/faults", Some(rules)).await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got["rules"][0]["route"], "/clouds");
    assert_eq!(got["rules"][0]["rate_limit"], "1/m");
    assert_eq!(t.raw(Method::GET, "/clouds", None).await.0, 200);
    let (s, headers, _) = t.raw(Method::GET, "/clouds", None).await;
    assert_eq!(s, 429);
    assert!(headers.contains_key("retry-after"));
    let (status, _) = admin(&t, Method::DELETE, "/faults", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        admin(&t, Method::GET, "/faults", None).await.1,
        json!({"rules": []})
    );
    assert_eq!(t.raw(Method::GET, "/clouds", None).await.0, 200);

    let bad = json!({"rules": [{"route": "*", "error_rate": 7}]});
    let (status, err) = admin(&t, Method::PUT, "/faults", Some(bad)).await;
    assert_eq!(status, 400);
    assert!(
        err["message"].as_str().unwrap().contains("error_rate"),
        "{err}"
    );
}

#[tokio::test]
async fn journal_records_operations_statuses_and_redacted_bodies() {
    let t = start().await;
    t.project("p").await;
    t.service("p", "pg", "pg", "startup-4").await;
    t.advance(600);
    let secret = "hunter2-do-not-log";
    let (s, _, _) = t
        .raw(
            Method::PUT,
            "/project/p/service/pg/user/avnadmin",
            Some(json!({"operation": "reset-credentials", "new_password": secret})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        t.raw(Method::GET, "/project/p/service/nope", None).await.0,
        404
    );
    assert_eq!(t.raw(Method::GET, "/not-aiven", None).await.0, 404);
    let _ = admin(&t, Method::GET, "/state", None).await;

    let j = t.sim.journal();
    let ops: Vec<_> = j
        .entries
        .iter()
        .map(|e| (e.operation_id.as_deref().unwrap_or("-"), e.status))
        .collect();
    assert_eq!(
        ops,
        [
            ("ProjectCreate", 200),
            ("ServiceCreate", 200),
            ("ServiceUserCredentialsModify", 200),
            ("ServiceGet", 404),
            ("-", 404),
        ],
        "admin requests are not journaled"
    );
    let modify = j.operation("ServiceUserCredentialsModify").next().unwrap();
    assert_eq!(modify.method, "PUT");
    assert_eq!(modify.path, "/v1/project/p/service/pg/user/avnadmin");
    assert_eq!(modify.request_body["operation"], "reset-credentials");
    assert_eq!(modify.request_body["new_password"], REDACTED);
    assert!(!serde_json::to_string(&j).unwrap().contains(secret));
    assert_eq!(j.statuses("ServiceGet"), [404]);
    assert!(j.entries.windows(2).all(|w| w[0].seq < w[1].seq));
    assert_eq!(
        j.operation("ServiceCreate").next().unwrap().request_body["service_type"],
        "pg"
    );

    // Over HTTP, filtered, and cleared.
    let (status, got) = admin(&t, Method::GET, "/journal?operation_id=ServiceGet", None).await;
    assert_eq!(status, 200);
    assert_eq!(got["entries"].as_array().unwrap().len(), 1);
    assert_eq!(got["entries"][0]["status"], 404);
    let (_, got) = admin(&t, Method::GET, "/journal?status=200&limit=1", None).await;
    assert_eq!(
        got["entries"][0]["operation_id"],
        "ServiceUserCredentialsModify"
    );
    assert!(!got.to_string().contains(secret));
    assert_eq!(admin(&t, Method::GET, "/journal?x=1", None).await.0, 400);
    assert_eq!(admin(&t, Method::DELETE, "/journal", None).await.0, 200);
    assert!(t.sim.journal().is_empty());
}

#[tokio::test]
async fn admin_wants_a_configured_token() {
    let t = start().await;
    let url = format!("http://{}/_sim/state", t.sim.addr());
    let s = t.http.get(&url).send().await.unwrap().status().as_u16();
    assert_eq!(s, 403);
    let s = t
        .http
        .get(&url)
        .header("authorization", "aivenv1 wrong")
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(s, 403);
    // Without configured tokens the admin API is open.
    let open = Simulator::builder().start().await.unwrap();
    let url = format!("http://{}/_sim/state", open.addr());
    assert_eq!(t.http.get(&url).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn topic_partitions_are_capped() {
    let t = start().await;
    t.project("p").await;
    t.service("p", "k", "kafka", "business-4").await;
    let create = |name: &str, partitions: u64| {
        t.raw(
            Method::POST,
            "/project/p/service/k/topic",
            Some(json!({"topic_name": name, "partitions": partitions, "replication": 2})),
        )
    };
    let (s, _, err) = create("huge", 1_000_000).await;
    assert_eq!(s, 400, "{err}");
    assert_eq!(
        err["errors"][0]["error_code"], "kafka_topic_invalid_config",
        "{err}"
    );
    assert!(err["message"].as_str().unwrap().contains("4096"), "{err}");
    assert_eq!(create("big", 4096).await.0, 200);
    let (s, _, got) = t
        .raw(Method::GET, "/project/p/service/k/topic/big", None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(got["topic"]["partitions"].as_array().unwrap().len(), 4096);
    let (s, _, _) = t
        .raw(
            Method::PUT,
            "/project/p/service/k/topic/big",
            Some(json!({"partitions": 4097})),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(t.sim.journal().statuses("ServiceKafkaTopicUpdate"), [400]);
}

/// Opens a connection, sends `sent`, and returns how long until the server
/// closed it and what it answered.
async fn hold_open(addr: std::net::SocketAddr, sent: &[u8]) -> (Duration, String) {
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    conn.write_all(sent).await.unwrap();
    let started = Instant::now();
    let mut got = Vec::new();
    // Bounded so that a server that never hangs up fails the test.
    let read = tokio::time::timeout(Duration::from_secs(5), conn.read_to_end(&mut got)).await;
    assert!(read.is_ok(), "the server kept a slow client for 5 s");
    (
        started.elapsed(),
        String::from_utf8_lossy(&got).into_owned(),
    )
}

#[tokio::test]
async fn slow_loris_clients_are_disconnected_after_the_header_timeout() {
    let limits = ServerLimits {
        header_read_timeout: Duration::from_millis(300),
        ..ServerLimits::default()
    };
    let t = start_with(|b| b.server_limits(limits)).await;
    let addr = t.sim.addr();
    // Headers never finished.
    let (took, answer) = hold_open(addr, b"GET /v1/clouds HTTP/1.1\r\nHost: x\r\nX-Slow: ").await;
    assert!(took >= Duration::from_millis(250), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert!(!answer.contains("200 OK"), "{answer}");
    // Nothing sent at all.
    let (took, _) = hold_open(addr, b"").await;
    assert!(took < Duration::from_secs(3), "{took:?}");
    // Meanwhile, and afterwards, normal clients are served.
    assert_eq!(t.raw(Method::GET, "/clouds", None).await.0, 200);
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_their_turn() {
    let limits = ServerLimits {
        header_read_timeout: Duration::from_millis(500),
        max_connections: 1,
    };
    let t = start_with(|b| b.server_limits(limits)).await;
    // One idle connection holds the only slot until the header timeout.
    let idle = tokio::net::TcpStream::connect(t.sim.addr()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let started = Instant::now();
    assert_eq!(t.raw(Method::GET, "/clouds", None).await.0, 200);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(300),
        "served at once: {waited:?}"
    );
    drop(idle);
}
