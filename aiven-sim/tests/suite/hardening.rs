//! Hostile input to the simulator's own machinery (issue 18): a damaged
//! state file, a clock advanced to the end of time, a snapshot no request
//! could have made, objects too large to store, a listener open to the
//! network. Each must end in the intact state or a clear 4xx / error,
//! never a partial state, a wrapped clock or a panic.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::binary::free_port;
use crate::common::{self, builder, start, TestSim, TOKEN};
use aiven_api::types;
use aiven_sim::{ManualClock, StartError};
use reqwest::Method;
use serde_json::{json, Map, Value};

/// A request to the admin API with the test token: status and JSON body
/// (`None`: no answer at all, e.g. the connection dropped).
async fn admin(
    t: &TestSim,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Option<(u16, Value)> {
    let mut r = t
        .http
        .request(method, format!("http://{}/_sim{path}", t.sim.addr()))
        .header("authorization", format!("aivenv1 {TOKEN}"));
    if let Some(b) = body {
        r = r.json(&b);
    }
    let resp = r.send().await.ok()?;
    let status = resp.status().as_u16();
    Some((status, resp.json().await.ok()?))
}

// ---------------------------------------------------------------- item 6

/// `POST /_sim/clock/advance` beyond its bounds (10 years per advance,
/// 9999-12-31 in all) is a 400 that says so, the clock unmoved; never a
/// dropped connection (a panic) or a wrapped, negative clock after which
/// every service read answered 500.
#[tokio::test]
async fn clock_advances_beyond_the_bounds_are_refused_never_wrapped() {
    let t = start().await;
    t.project("p").await;
    t.service("p", "pg", "pg", "startup-4").await;
    let (_, c) = admin(&t, Method::GET, "/clock", None).await.unwrap();
    let before = c["now_ms"].as_i64().unwrap();
    for body in [
        json!({"seconds": 1e300}),
        json!({"seconds": 1.8e19}),
        json!({"ms": u64::MAX}),
        json!({"ms": 315_576_000_001u64}),
        json!({"seconds": 315_576_001}),
    ] {
        let answer = admin(&t, Method::POST, "/clock/advance", Some(body.clone())).await;
        let Some((status, err)) = answer else {
            panic!("{body}: no answer (the handler panicked)");
        };
        assert_eq!(status, 400, "{body}: {err}");
        let message = err["message"].as_str().unwrap_or_default();
        assert!(message.contains("at most"), "{body}: {message}");
        let (_, c) = admin(&t, Method::GET, "/clock", None).await.unwrap();
        assert_eq!(
            c["now_ms"].as_i64().unwrap(),
            before,
            "{body} moved the clock"
        );
    }
    // Ten years is allowed.
    let (status, c) = admin(
        &t,
        Method::POST,
        "/clock/advance",
        Some(json!({"seconds": 315_576_000})),
    )
    .await
    .unwrap();
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["now_ms"].as_i64().unwrap(), before + 315_576_000_000);

    // The end of 9999 is the end.
    let end = 253_402_300_799_999i64;
    t.clock.set(end - 1_000);
    let (status, err) = admin(
        &t,
        Method::POST,
        "/clock/advance",
        Some(json!({"seconds": 2})),
    )
    .await
    .unwrap();
    assert_eq!(status, 400, "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("9999-12-31"),
        "{err}"
    );
    let (status, c) = admin(
        &t,
        Method::POST,
        "/clock/advance",
        Some(json!({"ms": 1_000})),
    )
    .await
    .unwrap();
    assert_eq!((status, c["now_ms"].as_i64()), (200, Some(end)));
    // Services are read at the end of time as at any other.
    let (status, _, list) = t.raw(Method::GET, "/project/p/service", None).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["services"][0]["state"], "RUNNING");
    let (status, _, one) = t.raw(Method::GET, "/project/p/service/pg", None).await;
    assert_eq!(status, 200, "{one}");
}

// --------------------------------------------------------------- item 11

/// A create with 60,000 `user_config` keys fits in 1 MiB but is refused
/// (400 naming `user_config`, nothing created); before it was stored.
#[tokio::test]
async fn a_user_config_with_too_many_keys_is_refused() {
    let t = start().await;
    t.project("p").await;
    let keys: Map<String, Value> = (0..60_000).map(|i| (format!("k{i}"), json!(1))).collect();
    let body = json!({"service_name": "pg", "service_type": "pg", "plan": "startup-4",
                      "user_config": keys});
    let (status, _, err) = t.raw(Method::POST, "/project/p/service", Some(body)).await;
    assert_eq!(status, 400, "{err}");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("/user_config has 60000 keys"),
        "{err}"
    );
    assert_eq!(err["errors"][0]["error_code"], "simulator_limit_exceeded");
    let (status, _, _) = t.raw(Method::GET, "/project/p/service/pg", None).await;
    assert_eq!(status, 404, "nothing was created");
    let ok = json!({"service_name": "pg", "service_type": "pg", "plan": "startup-4",
                    "user_config": {"pg": {"max_connections": 200}}});
    let (status, _, b) = t.raw(Method::POST, "/project/p/service", Some(ok)).await;
    assert_eq!(status, 200, "{b}");
}

/// Without `--token`, anyone who reaches the port reads the passwords
/// (`GET /_sim/state`): a listener beyond loopback says so on stderr.
#[tokio::test]
async fn listening_beyond_loopback_without_tokens_warns_on_stderr() {
    let server = spawn_server("0.0.0.0", &[]).await;
    let warned = |s: &Server| {
        s.stderr
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.contains("warning") && l.contains("passwords"))
    };
    for _ in 0..40 {
        if warned(&server) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(warned(&server), "{:?}", server.stderr.lock().unwrap());
    drop(server);
    let quiet = spawn_server("127.0.0.1", &[]).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!warned(&quiet), "{:?}", quiet.stderr.lock().unwrap());
}

/// The binary, killed (SIGKILL) on drop.
struct Server {
    child: Child,
    base: String,
    stderr: Arc<Mutex<Vec<String>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the binary with `args` and waits until it serves on 127.0.0.1.
async fn spawn_server(listen_ip: &str, args: &[&str]) -> Server {
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_aiven-sim"))
        .args([
            "--listen",
            &format!("{listen_ip}:{port}"),
            "--profile",
            "instant",
        ])
        .args(args)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    let stderr = Arc::new(Mutex::new(Vec::new()));
    let pipe = child.stderr.take().unwrap();
    let sink = stderr.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
        stderr,
    };
    let http = aiven_api::tls::client_builder().build().unwrap();
    for _ in 0..400 {
        let r = http
            .get(format!("{}/v1/clouds", server.base))
            .header("authorization", format!("aivenv1 {TOKEN}"))
            .send()
            .await;
        if r.is_ok_and(|r| r.status() == 200) {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the binary did not start serving");
}

// ---------------------------------------------------------------- item 2

/// What starting on a damaged file gave.
#[derive(Debug, Default)]
struct Outcomes {
    intact: Vec<usize>,
    refused: Vec<usize>,
    partial: Vec<usize>,
    panicked: Vec<usize>,
}

/// Every 4 KiB page of a cleanly stopped state file zeroed in turn (a torn
/// or corrupted disk page): each start gives the whole state, equal to the
/// one saved, or a clean error naming the file; never a state with
/// services missing, never a panic. Before: 8 of 35 pages started with
/// services missing, and refusals were panics.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zeroing_any_page_of_the_state_file_gives_the_whole_state_or_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let clock = ManualClock::new();
    let mut sim = builder(&clock).state_file(&path).start().await.unwrap();
    let c = common::client(sim.base_url(), Some(TOKEN));
    c.project_create()
        .body(common::body::<types::ProjectCreateRequestBody>(
            json!({"project": "p"}),
        ))
        .send()
        .await
        .unwrap();
    for i in 1..=16 {
        c.service_create()
            .project("p")
            .body(common::body::<types::ServiceCreateRequestBody>(json!({
                "service_name": format!("s{i}"), "service_type": "pg", "plan": "startup-4",
                "user_config": {"pg": {"max_connections": 100 + i}},
            })))
            .send()
            .await
            .unwrap();
    }
    let saved = sim.snapshot();
    sim.shutdown().await;
    drop(sim);
    let original = std::fs::read(&path).unwrap();
    let pages = original.len() / 4096;
    assert!(pages >= 4, "{} bytes", original.len());

    let mut out = Outcomes::default();
    for page in 0..pages {
        let damaged = dir.path().join(format!("page{page}.redb"));
        let mut bytes = original.clone();
        bytes[page * 4096..(page + 1) * 4096].fill(0);
        std::fs::write(&damaged, &bytes).unwrap();
        let (clock, at) = (clock.clone(), damaged.clone());
        let started = tokio::spawn(async move {
            match builder(&clock).state_file(&at).start().await {
                Ok(mut sim) => {
                    let snapshot = sim.snapshot();
                    sim.shutdown().await;
                    Ok(snapshot)
                }
                Err(e) => Err(e.to_string()),
            }
        })
        .await;
        match started {
            Err(e) if e.is_panic() => out.panicked.push(page),
            Err(e) => panic!("page {page}: {e}"),
            Ok(Ok(snapshot)) if snapshot == saved => out.intact.push(page),
            Ok(Ok(_)) => out.partial.push(page),
            Ok(Err(e)) => {
                assert!(
                    e.contains(&damaged.display().to_string()),
                    "page {page}: the error does not name the file: {e}"
                );
                out.refused.push(page);
            }
        }
        let _ = std::fs::remove_file(&damaged);
    }
    eprintln!(
        "{pages} pages zeroed one at a time: {} intact, {} refused, {} partial, {} panicked ({out:?})",
        out.intact.len(),
        out.refused.len(),
        out.partial.len(),
        out.panicked.len()
    );
    assert!(
        out.partial.is_empty(),
        "started with a partial state: {out:?}"
    );
    assert!(out.panicked.is_empty(), "panicked: {out:?}");
    assert!(!out.intact.is_empty(), "pages nothing uses change nothing");
    assert!(!out.refused.is_empty(), "pages of the records are detected");
}

/// The state file holds the services' passwords: created 0600, and an
/// existing file open to others is narrowed to 0600 at start.
#[cfg(unix)]
#[tokio::test]
async fn the_state_file_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let clock = ManualClock::new();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let mut sim = builder(&clock).state_file(&path).start().await.unwrap();
    assert_eq!(mode(&path), 0o600, "created {:o}", mode(&path));
    sim.shutdown().await;
    drop(sim);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let sim = builder(&clock).state_file(&path).start().await.unwrap();
    assert_eq!(mode(&path), 0o600, "narrowed: {:o}", mode(&path));
    drop(sim);
}

/// A refused file names itself and what to do, and is left as it was.
#[tokio::test]
async fn a_damaged_state_file_is_refused_naming_it_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let clock = ManualClock::new();
    let mut sim = builder(&clock).state_file(&path).start().await.unwrap();
    let c = common::client(sim.base_url(), Some(TOKEN));
    c.project_create()
        .body(common::body::<types::ProjectCreateRequestBody>(
            json!({"project": "p"}),
        ))
        .send()
        .await
        .unwrap();
    sim.shutdown().await;
    drop(sim);
    let mut bytes = std::fs::read(&path).unwrap();
    // Every page after the header: nothing of the state verifies.
    for b in &mut bytes[4096..] {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let r = builder(&clock).state_file(&path).start().await;
    let Err(e @ StartError::State(_)) = r else {
        panic!("a damaged file was accepted: {r:?}");
    };
    let text = e.to_string();
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(
        text.contains("corrupted") && text.contains("move it aside"),
        "{text}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "left as it was");
}

/// The binary on a damaged state file exits 1 with the error (naming the
/// file) on stderr; before it panicked inside redb (exit 101).
#[tokio::test]
async fn the_binary_refuses_a_damaged_state_file_with_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let clock = ManualClock::new();
    let mut sim = builder(&clock).state_file(&path).start().await.unwrap();
    let c = common::client(sim.base_url(), Some(TOKEN));
    c.project_create()
        .body(common::body::<types::ProjectCreateRequestBody>(
            json!({"project": "p"}),
        ))
        .send()
        .await
        .unwrap();
    sim.shutdown().await;
    drop(sim);
    let mut bytes = std::fs::read(&path).unwrap();
    // The second page: the first one past the header that the state uses.
    bytes[4096..8192].fill(0);
    std::fs::write(&path, &bytes).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_aiven-sim"))
        .args(["--listen", "127.0.0.1:0", "--state"])
        .arg(&path)
        .env("RUST_LOG", "off")
        .output()
        .expect("binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains(&path.display().to_string()) && stderr.contains("corrupted"),
        "{stderr}"
    );
}

// ---------------------------------------------------------------- item 7

/// A restored snapshot passes the checks intake applies; a bad one is a
/// 400 naming the field, and nothing is restored. Before: a project named
/// `x/y` was taken (200) and came back from the state file as project
/// `x`, service `y/sy`.
#[tokio::test]
async fn a_restored_snapshot_is_checked_like_intake_and_the_field_named() {
    let t = start().await;
    t.project("p").await;
    t.service("p", "pg", "pg", "startup-4").await;
    let (_, good) = admin(&t, Method::GET, "/state", None).await.unwrap();

    // Problems are named by a JSON pointer into the snapshot's state.
    let renamed = |key: &str| {
        let mut s = good.clone();
        let mut p = s["state"]["projects"]["p"].take();
        p["name"] = json!(key);
        s["state"]["projects"] = json!({ key: p });
        s
    };
    let with = |pointer: &str, v: Value| {
        let mut s = good.clone();
        *s.pointer_mut(&format!("/state{pointer}")).unwrap() = v;
        s
    };
    let keys: Map<String, Value> = (0..60_000).map(|i| (format!("k{i}"), json!(i))).collect();
    let mut events = good.clone();
    let e = json!({"id": "e1", "actor": "a", "event_type": "t", "event_desc": "d",
                   "service_name": "", "time": 0});
    events["state"]["projects"]["p"]["events"] = json!([e.clone(), e]);
    let cases = [
        (renamed("x/y"), "/projects/x~1y"),
        (renamed("a b"), "/projects/a b"),
        (
            with("/projects/p/services/pg/name", json!("other")),
            "/projects/p/services/pg/name",
        ),
        (
            with("/projects/p/services/pg/user_config", Value::Object(keys)),
            "/projects/p/services/pg/user_config has 60000 keys",
        ),
        (
            with("/projects/p/services/pg/create_time", json!(i64::MAX)),
            "/projects/p/services/pg/create_time",
        ),
        (
            with("/projects/p/services/pg/plan", json!("no-such-plan")),
            "/projects/p/services/pg/plan",
        ),
        (events, "/projects/p/events/1/id"),
    ];
    for (snapshot, field) in cases {
        let (status, err) = admin(&t, Method::PUT, "/state", Some(snapshot))
            .await
            .unwrap();
        assert_eq!(status, 400, "{field}: {err}");
        let message = err["message"].as_str().unwrap();
        assert!(message.contains(field), "{field} not named: {message}");
    }
    let (_, now) = admin(&t, Method::GET, "/state", None).await.unwrap();
    assert_eq!(now, good, "nothing was restored");
    // A service in another valid project is taken.
    let (status, b) = admin(&t, Method::PUT, "/state", Some(renamed("x_y")))
        .await
        .unwrap();
    assert_eq!(status, 200, "{b}");
    let (status, _, _) = t.raw(Method::GET, "/project/x_y/service/pg", None).await;
    assert_eq!(status, 200);
}

async fn call(server: &Server, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut r = aiven_api::tls::client_builder()
        .build()
        .unwrap()
        .request(method, format!("{}{path}", server.base))
        .header("authorization", format!("aivenv1 {TOKEN}"));
    if let Some(b) = body {
        r = r.json(&b);
    }
    let resp = r.send().await.unwrap();
    (
        resp.status().as_u16(),
        resp.json().await.unwrap_or(Value::Null),
    )
}

/// A valid snapshot, restored into the binary, comes back exactly after
/// `kill -9` and a restart on the same `--state` (before: a project
/// restored without a CA, as older snapshots are, was given one only by
/// the restart, so the state read back differed from the one restored).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restored_snapshot_survives_kill_9_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.redb");
    let args = ["--token", TOKEN, "--state", state.to_str().unwrap()];
    let server = spawn_server("127.0.0.1", &args).await;
    let (s, b) = call(
        &server,
        Method::POST,
        "/v1/project",
        Some(json!({"project": "p"})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let svc = json!({"service_name": "k", "service_type": "kafka", "plan": "startup-2"});
    let (s, b) = call(&server, Method::POST, "/v1/project/p/service", Some(svc)).await;
    assert_eq!(s, 200, "{b}");
    let (_, mut snapshot) = call(&server, Method::GET, "/_sim/state", None).await;
    // A second project, copied, without a CA.
    let mut q = snapshot["state"]["projects"]["p"].clone();
    q["name"] = json!("q");
    q.as_object_mut().unwrap().remove("ca");
    snapshot["state"]["projects"]["q"] = q;
    let (s, b) = call(&server, Method::PUT, "/_sim/state", Some(snapshot)).await;
    assert_eq!(s, 200, "{b}");
    let (_, restored) = call(&server, Method::GET, "/_sim/state", None).await;
    assert!(restored["state"]["projects"]["q"]["services"]["k"].is_object());
    drop(server); // SIGKILL

    let server = spawn_server("127.0.0.1", &args).await;
    let (_, back) = call(&server, Method::GET, "/_sim/state", None).await;
    assert_eq!(back, restored, "the state read back is the one restored");
}

/// What the integrity check costs at start (run with `--ignored
/// --nocapture`; README, performance): opening the state database with and
/// without redb's check, 10 / 500 / 2,000 Kafka services.
#[tokio::test]
#[ignore = "a measurement; prints its figures"]
async fn integrity_check_cost_on_open() {
    use std::time::Instant;
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new();
    let mut sim = builder(&clock)
        .state_file(dir.path().join("seed.redb"))
        .start()
        .await
        .unwrap();
    let c = common::client(sim.base_url(), Some(TOKEN));
    c.project_create()
        .body(common::body::<types::ProjectCreateRequestBody>(
            json!({"project": "p"}),
        ))
        .send()
        .await
        .unwrap();
    c.service_create()
        .project("p")
        .body(common::body::<types::ServiceCreateRequestBody>(
            json!({"service_name": "s", "service_type": "kafka", "plan": "startup-2"}),
        ))
        .send()
        .await
        .unwrap();
    let mut snap = sim.snapshot();
    sim.shutdown().await;
    drop(sim);
    let project = snap.project("p").unwrap().clone();
    let svc = snap.service("p", "s").unwrap().clone();
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    for n in [10usize, 500, 2_000] {
        // At most 1,000 services a project (a restore is checked as intake).
        for i in 0..n {
            let into = format!("p{}", i / 500);
            let projects = &mut snap.state_mut()["projects"];
            if projects.get(&into).is_none() {
                projects[&into] = project.clone();
                projects[&into]["name"] = json!(into);
            }
            let mut s = svc.clone();
            s["name"] = json!(format!("s{i}"));
            projects[&into]["services"][format!("s{i}")] = s;
        }
        let path = dir.path().join(format!("n{n}.redb"));
        let mut writer = builder(&clock).state_file(&path).start().await.unwrap();
        writer.restore(snap.clone()).unwrap();
        writer.shutdown().await;
        drop(writer);
        let (mut plain, mut checked) = (Vec::new(), Vec::new());
        for _ in 0..5 {
            let t = Instant::now();
            drop(redb::Database::create(&path).unwrap());
            plain.push(t.elapsed().as_secs_f64() * 1000.0);
            let t = Instant::now();
            drop(
                redb::Builder::new()
                    .set_check_integrity_on_open(true)
                    .create(&path)
                    .unwrap(),
            );
            checked.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        eprintln!(
            "{n} services, {} KiB: open {:.1} ms, with the integrity check {:.1} ms (medians of 5)",
            std::fs::metadata(&path).unwrap().len() / 1024,
            median(plain),
            median(checked)
        );
    }
}

// --------------------------------------------------------------- item 10

/// Every id a project shows resolves: its organization through
/// `OrganizationGet` and the organization's project list, its account
/// through `AccountGet` and `/account`. Before: the project showed a
/// random `org…` answered 404, the organization listed no project and
/// `/account` listed nothing.
#[tokio::test]
async fn the_organization_and_account_a_project_shows_resolve_and_list_it() {
    let t = start().await;
    t.project("p").await;
    let (s, _, project) = t.raw(Method::GET, "/project/p", None).await;
    assert_eq!(s, 200, "{project}");
    let org = project["project"]["organization_id"]
        .as_str()
        .unwrap()
        .to_string();
    let account = project["project"]["account_id"]
        .as_str()
        .unwrap()
        .to_string();

    let (s, _, got) = t
        .raw(Method::GET, &format!("/organization/{org}"), None)
        .await;
    assert_eq!(s, 200, "{got}");
    assert_eq!(
        (got["organization_id"].as_str(), got["account_id"].as_str()),
        (Some(org.as_str()), Some(account.as_str()))
    );
    let (_, _, orgs) = t.raw(Method::GET, "/organizations", None).await;
    assert!(
        orgs["organizations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["organization_id"] == org.as_str()),
        "{orgs}"
    );
    let (s, _, listed) = t
        .raw(Method::GET, &format!("/organization/{org}/projects"), None)
        .await;
    assert_eq!(s, 200, "{listed}");
    assert_eq!(listed["total_project_count"], 1);
    assert_eq!(listed["projects"][0]["project_id"], "p");
    assert_eq!(listed["projects"][0]["account_id"], account.as_str());

    let (s, _, accounts) = t.raw(Method::GET, "/account", None).await;
    assert_eq!(s, 200, "{accounts}");
    let entry = accounts["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account_id"] == account.as_str())
        .unwrap_or_else(|| panic!("{account} not in {accounts}"))
        .clone();
    assert_eq!(entry["organization_id"], org.as_str());
    let (s, _, one) = t
        .raw(Method::GET, &format!("/account/{account}"), None)
        .await;
    assert_eq!(s, 200, "{one}");
    assert_eq!(one["account"], entry);
    assert_eq!(
        t.raw(Method::GET, "/account/a-nobody-made", None).await.0,
        404
    );

    // Its billing group: its own GET (with the project's account) and lists.
    let group = project["project"]["billing_group_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, _, got) = t
        .raw(Method::GET, &format!("/billing-group/{group}"), None)
        .await;
    assert_eq!(s, 200, "{got}");
    assert_eq!(got["billing_group"]["account_id"], account.as_str());
    let (_, _, groups) = t.raw(Method::GET, "/billing-group", None).await;
    assert_eq!(
        groups["billing_groups"][0], got["billing_group"],
        "{groups}"
    );
    let (s, _, projects) = t
        .raw(
            Method::GET,
            &format!("/billing-group/{group}/projects"),
            None,
        )
        .await;
    assert_eq!(s, 200, "{projects}");
    assert_eq!(projects["projects"][0]["project_name"], "p");
    assert_eq!(
        t.raw(Method::GET, "/organization/org-nobody/projects", None)
            .await
            .0,
        404
    );
}
