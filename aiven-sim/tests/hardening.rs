//! Hostile input to the simulator's own machinery (issue 18): a damaged
//! state file, a clock advanced to the end of time, a snapshot no request
//! could have made, objects too large to store, a listener open to the
//! network. Each must end in the intact state or a clear 4xx / error,
//! never a partial state, a wrapped clock or a panic.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{start, TestSim, TOKEN};
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

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
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
    let http = reqwest::Client::new();
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
