//! `--state FILE`: the state survives a restart, snapshots are never torn
//! (even when the process is killed mid-write), a corrupt file is refused;
//! and the binary serves and logs each request.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aiven_api::types;
use aiven_sim::persist::Persister;
use aiven_sim::{ManualClock, StartError};
use common::{body, builder, client, TestSim, TOKEN};
use serde_json::{json, Value};

async fn start_on(clock: &ManualClock, path: &std::path::Path) -> TestSim {
    let sim = builder(clock)
        .state_file(path)
        .start()
        .await
        .expect("starts");
    TestSim {
        client: client(sim.base_url(), Some(TOKEN)),
        sim,
        clock: clock.clone(),
        http: reqwest::Client::new(),
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap()
}

#[tokio::test]
async fn the_state_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let clock = ManualClock::new();

    let t = start_on(&clock, &path).await;
    t.project("p").await;
    t.service("p", "pg", "pg", "startup-4").await;
    t.service("p", "k", "kafka", "startup-2").await;
    t.advance(3);
    t.client
        .service_kafka_topic_create()
        .project("p")
        .service_name("k")
        .body(body::<types::ServiceKafkaTopicCreateRequestBody>(
            json!({"topic_name": "t1", "partitions": 2}),
        ))
        .send()
        .await
        .unwrap();
    t.client
        .service_database_create()
        .project("p")
        .service_name("pg")
        .body(body::<types::ServiceDatabaseCreateRequestBody>(
            json!({"database": "app"}),
        ))
        .send()
        .await
        .unwrap();
    t.client
        .service_update()
        .project("p")
        .service_name("pg")
        .body(body::<types::ServiceUpdateRequestBody>(
            json!({"plan": "business-4"}),
        ))
        .send()
        .await
        .unwrap();
    let pg_before = to_json(&t.get("p", "pg").await);
    let k_before = to_json(&t.get("p", "k").await);
    assert_eq!(pg_before["state"], "REBALANCING");
    let revision = t.sim.state().revision;
    assert_eq!(t.sim.state_writes(), revision, "every change was written");
    let mut t = t;
    t.sim.shutdown().await;
    drop(t);

    let t = start_on(&clock, &path).await;
    assert_eq!(t.sim.state().revision, revision);
    assert_eq!(
        to_json(&t.get("p", "pg").await),
        pg_before,
        "same service, same passwords and ports"
    );
    assert_eq!(to_json(&t.get("p", "k").await), k_before);
    // The lifecycle goes on from the stored timestamps.
    t.advance(2);
    assert_eq!(t.state("p", "pg").await, "RUNNING");
    // And the restarted simulator keeps saving.
    t.project("q").await;
    let mut t = t;
    t.sim.shutdown().await;
    drop(t);
    let saved = Persister::load(&path).unwrap().unwrap();
    assert_eq!(saved.revision, revision + 1);
    assert!(saved.projects.contains_key("q"));
    assert_eq!(
        saved.projects["p"].services["pg"].databases,
        ["defaultdb", "app"]
    );
}

#[tokio::test]
async fn services_of_retired_types_are_dropped_on_load() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let clock = ManualClock::new();
    let t = start_on(&clock, &path).await;
    t.project("p").await;
    t.service("p", "old", "pg", "startup-4").await;
    t.service("p", "kept", "valkey", "startup-4").await;
    let mut t = t;
    t.sim.shutdown().await;
    drop(t);

    // A state file written before Cassandra reached end of life.
    let mut saved: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    saved["projects"]["p"]["services"]["old"]["service_type"] = json!("cassandra");
    std::fs::write(&path, serde_json::to_vec(&saved).unwrap()).unwrap();

    let t = start_on(&clock, &path).await;
    let services = t
        .client
        .service_list()
        .project("p")
        .send()
        .await
        .unwrap()
        .into_inner()
        .services
        .unwrap();
    let names: Vec<&str> = services
        .iter()
        .map(|s| s.service_name.as_deref().unwrap())
        .collect();
    assert_eq!(names, ["kept"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn snapshots_are_never_torn_under_concurrent_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let clock = ManualClock::new();
    let t = Arc::new(start_on(&clock, &path).await);
    t.project("p").await;

    // A reader parses the file as fast as it can while writers change it.
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let (stop, path) = (stop.clone(), path.clone());
        std::thread::spawn(move || {
            let mut reads = 0u32;
            while !stop.load(Ordering::Relaxed) && reads < 100_000 {
                let state = Persister::load(&path).expect("never torn").expect("exists");
                assert!(state.projects.contains_key("p"));
                reads += 1;
            }
            reads
        })
    };
    let mut tasks = Vec::new();
    for i in 0..32 {
        let t = t.clone();
        tasks.push(tokio::spawn(async move {
            t.service("p", &format!("s{i}"), "valkey", "startup-4")
                .await;
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    let reads = reader.join().unwrap();
    assert!(reads > 0);
    let saved = Persister::load(&path).unwrap().unwrap();
    assert_eq!(
        saved.revision,
        t.sim.state().revision,
        "the newest revision is on disk"
    );
    assert_eq!(saved.projects["p"].services.len(), 32);
}

#[tokio::test]
async fn a_corrupt_state_file_is_refused_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    std::fs::write(&path, b"{\"revision\": 1, \"projects\": {").unwrap();
    let r = builder(&ManualClock::new()).state_file(&path).start().await;
    assert!(matches!(r, Err(StartError::State(_))), "{r:?}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        b"{\"revision\": 1, \"projects\": {"
    );
}

/// The binary, killed on drop (it is our own child process).
struct Server {
    child: Child,
    base_url: String,
    log: Arc<Mutex<Vec<String>>>,
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

async fn spawn_server(state: &std::path::Path) -> Server {
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_aiven-sim"))
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--profile",
            "instant",
            "--token",
            TOKEN,
        ])
        .arg("--state")
        .arg(state)
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let log = Arc::new(Mutex::new(Vec::new()));
    let stdout = child.stdout.take().unwrap();
    let sink = log.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    let server = Server {
        child,
        base_url: format!("http://127.0.0.1:{port}/v1"),
        log,
    };
    let http = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(r) = http.get(format!("{}/clouds", server.base_url)).send().await {
            if r.status() == 200 {
                return server;
            }
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the binary did not start serving");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_logs_requests_and_a_kill_loses_no_acknowledged_change() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let server = spawn_server(&path).await;
    let c = client(&server.base_url, Some(TOKEN));
    c.project_create()
        .body(body::<types::ProjectCreateRequestBody>(
            json!({"project": "p"}),
        ))
        .send()
        .await
        .unwrap();

    // Writers keep creating services; the process is killed among them.
    let acked = Arc::new(Mutex::new(Vec::new()));
    let mut writers = Vec::new();
    for w in 0..4 {
        let (c, acked) = (c.clone(), acked.clone());
        writers.push(tokio::spawn(async move {
            for i in 0..200 {
                let name = format!("w{w}-{i}");
                let r = c
                    .service_create()
                    .project("p")
                    .body(body::<types::ServiceCreateRequestBody>(
                        json!({"service_name": name, "service_type": "pg", "plan": "hobbyist"}),
                    ))
                    .send()
                    .await;
                match r {
                    Ok(_) => acked.lock().unwrap().push(name),
                    Err(_) => break,
                }
            }
        }));
    }
    for _ in 0..400 {
        if acked.lock().unwrap().len() >= 20 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let log = server.log.clone();
    drop(server); // SIGKILL mid-flood
    for w in writers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 20, "{} acknowledged", acked.len());

    // The file is whole and holds every acknowledged create.
    let saved = Persister::load(&path).expect("not torn").expect("exists");
    let services = &saved.projects["p"].services;
    for name in &acked {
        assert!(
            services.contains_key(name),
            "{name} was acknowledged but lost"
        );
    }

    // Each request was logged with method, path, status and latency.
    let lines = log.lock().unwrap().clone();
    let line = lines
        .iter()
        .find(|l| l.contains("/v1/clouds"))
        .unwrap_or_else(|| panic!("no request line in {lines:?}"));
    for field in [
        "method=GET",
        "status=200",
        "latency_ms=",
        "operation=\"ListClouds\"",
    ] {
        assert!(line.contains(field), "{field} missing in {line}");
    }

    // A restarted binary serves the saved state.
    let server = spawn_server(&path).await;
    let c = client(&server.base_url, Some(TOKEN));
    let listed = c
        .service_list()
        .project("p")
        .send()
        .await
        .unwrap()
        .into_inner();
    let listed = listed.services.unwrap();
    assert_eq!(listed.len(), services.len());
    assert!(
        listed.iter().all(|s| s.state.as_deref() == Some("RUNNING")),
        "instant profile"
    );
}
