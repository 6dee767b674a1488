//! `--state FILE`: the state survives a restart, snapshots are never torn
//! (even when the process is killed mid-write), a corrupt file is refused;
//! and the binary serves and logs each request.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::binary::{send, spawn_server, Server};
use crate::common::{assert_same_state, body, builder, client, start_on, TestSim, TOKEN};
use aiven_api::types;
use aiven_sim::persist::read_snapshot;
use aiven_sim::Snapshot;
use aiven_sim::{ManualClock, StartError};
use serde_json::{json, Value};

fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap()
}

/// What the state file at `path` holds.
fn saved(path: &std::path::Path) -> Snapshot {
    read_snapshot(path).unwrap().expect("a state was saved")
}

/// The names of the services of project `p` in a snapshot.
fn services_of(snapshot: &Snapshot, p: &str) -> Vec<String> {
    snapshot.project(p).unwrap()["services"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
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
    let revision = t.sim.snapshot().revision();
    assert_eq!(t.sim.state_writes(), revision, "every change was written");
    let mut t = t;
    t.sim.shutdown().await;
    drop(t);

    let t = start_on(&clock, &path).await;
    assert_eq!(t.sim.snapshot().revision(), revision);
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
    let saved = saved(&path);
    assert_eq!(saved.revision(), revision + 1);
    assert!(saved.project("q").is_some());
    assert_eq!(
        saved.service("p", "pg").unwrap()["databases"],
        json!(["defaultdb", "app"])
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

    // A JSON state file (the previous format) written before Cassandra
    // reached end of life: migrated, the retired service dropped.
    let mut saved = saved(&path);
    saved.state_mut()["projects"]["p"]["services"]["old"]["service_type"] = json!("cassandra");
    let path = dir.path().join("old.json");
    std::fs::write(&path, serde_json::to_vec(saved.state()).unwrap()).unwrap();

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
async fn concurrent_changes_all_reach_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let clock = ManualClock::new();
    let t = Arc::new(start_on(&clock, &path).await);
    t.project("p").await;
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
    let revision = t.sim.snapshot().revision();
    let mut t = Arc::into_inner(t).unwrap();
    t.sim.shutdown().await;
    drop(t);
    let saved = saved(&path);
    assert_eq!(saved.revision(), revision, "the newest revision is on disk");
    assert_eq!(services_of(&saved, "p").len(), 32);
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
    for _ in 0..2_000 {
        if acked.lock().unwrap().len() >= 150 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let log = server.log.clone();
    server.kill(); // mid-flood
    for w in writers {
        w.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 20, "{} acknowledged", acked.len());

    // The file is whole and holds every acknowledged create; nothing but
    // the database is left in the directory.
    let saved = read_snapshot(&path).expect("not torn").expect("exists");
    let services = services_of(&saved, "p");
    let found = acked.iter().filter(|n| services.contains(*n)).count();
    let debris: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.as_os_str() != path.file_name().unwrap())
        .collect();
    eprintln!(
        "kill -9: {} acknowledged, {found} found after restart, {} on disk, debris {debris:?}",
        acked.len(),
        services.len()
    );
    assert_eq!(found, acked.len(), "acknowledged creates were lost");
    assert!(debris.is_empty(), "debris: {debris:?}");

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

#[tokio::test]
async fn every_record_survives_a_restart_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let clock = ManualClock::new();
    let t = start_on(&clock, &path).await;
    let post = |path: &'static str, body: Value| {
        let t = &t;
        async move {
            let (status, _, b) = t.raw(reqwest::Method::POST, path, Some(body)).await;
            assert_eq!(status, 200, "{path}: {b}");
        }
    };
    t.project("p").await;
    t.project("q").await;
    t.service("p", "pg", "pg", "startup-4").await;
    t.service("p", "k", "kafka", "startup-2").await;
    t.service("p", "gone", "valkey", "startup-4").await;
    t.service("q", "v", "valkey", "startup-4").await;
    t.advance(600);
    post(
        "/project/p/service/k/topic",
        json!({"topic_name": "t1", "partitions": 3}),
    )
    .await;
    post("/project/p/service/pg/user", json!({"username": "app"})).await;
    post("/project/p/service/pg/db", json!({"database": "appdb"})).await;
    post(
        "/project/p/service/pg/connection_pool",
        json!({"pool_name": "pool", "database": "appdb", "username": "app"}),
    )
    .await;
    post(
        "/project/p/service/pg/flink/application",
        json!({"name": "app"}),
    )
    .await;
    let (status, _, b) = t
        .raw(reqwest::Method::DELETE, "/project/p/service/gone", None)
        .await;
    assert_eq!(status, 200, "{b}");
    let (status, _, b) = t
        .raw(reqwest::Method::DELETE, "/project/q/service/v", None)
        .await;
    assert_eq!(status, 200, "{b}");
    let (status, _, b) = t.raw(reqwest::Method::DELETE, "/project/q", None).await;
    assert_eq!(status, 200, "{b}");
    let before = t.sim.snapshot();
    assert!(before.state()["generic"]
        .as_object()
        .is_some_and(|g| !g.is_empty()));
    let mut t = t;
    t.sim.shutdown().await;
    drop(t);

    let t = start_on(&clock, &path).await;
    assert_eq!(t.sim.snapshot(), before);
    let pg = to_json(&t.get("p", "pg").await);
    assert_eq!(pg["connection_pools"][0]["pool_name"], "pool");
    assert!(pg["users"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["username"] == "app"));
}

#[tokio::test]
async fn a_change_that_cannot_be_saved_is_not_applied() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let clock = ManualClock::new();
    let t = start_on(&clock, &path).await;
    t.project("p").await;
    let before = t.sim.snapshot();
    t.sim.fail_state_writes(true);
    let body = json!({"service_name": "pg", "service_type": "pg", "plan": "startup-4"});
    let (status, _, b) = t
        .raw(
            reqwest::Method::POST,
            "/project/p/service",
            Some(body.clone()),
        )
        .await;
    assert_eq!(status, 500, "{b}");
    assert!(
        b["message"].as_str().unwrap().contains("not applied"),
        "{b}"
    );
    assert_eq!(t.sim.snapshot(), before, "state unchanged");
    let (status, _, _) = t
        .raw(reqwest::Method::GET, "/project/p/service/pg", None)
        .await;
    assert_eq!(status, 404);

    t.sim.fail_state_writes(false);
    let (status, _, b) = t
        .raw(reqwest::Method::POST, "/project/p/service", Some(body))
        .await;
    assert_eq!(status, 200, "{b}");
    let mut t = t;
    t.sim.shutdown().await;
    drop(t);
    assert!(saved(&path).service("p", "pg").is_some());
}

#[tokio::test]
async fn unusable_state_paths_fail_at_start_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let not_redb = dir.path().join("notes.txt");
    std::fs::write(&not_redb, b"hello, not a database").unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, b"").unwrap();
    for path in [
        dir.path().to_path_buf(),
        not_redb.clone(),
        file.join("under-a-file.redb"),
    ] {
        let r = builder(&ManualClock::new()).state_file(&path).start().await;
        let Err(e @ StartError::State(_)) = r else {
            panic!("{} accepted: {r:?}", path.display());
        };
        let text = e.to_string();
        assert!(text.contains(&path.display().to_string()), "{text}");
    }
    assert_eq!(std::fs::read(&not_redb).unwrap(), b"hello, not a database");
}

/// Replaces the `meta` record of a state file (no simulator holding it).
fn set_meta(path: &std::path::Path, edit: impl FnOnce(&mut Value)) -> Value {
    use redb::ReadableTable;
    let records: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("records");
    let db = redb::Database::create(path).unwrap();
    let txn = db.begin_write().unwrap();
    let meta = {
        let mut table = txn.open_table(records).unwrap();
        let mut meta: Value =
            serde_json::from_slice(table.get("meta").unwrap().unwrap().value()).unwrap();
        edit(&mut meta);
        table
            .insert("meta", serde_json::to_vec(&meta).unwrap().as_slice())
            .unwrap();
        meta
    };
    txn.commit().unwrap();
    meta
}

/// A state file records its format version. One of version 1 (written
/// before there was one: no `format_version`) starts and is written back
/// in the current version; one of a newer version is refused at start,
/// naming the file and the version, and left as it was.
#[tokio::test]
async fn a_state_file_is_read_by_its_format_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let clock = ManualClock::new();
    let mut t = start_on(&clock, &path).await;
    t.project("p").await;
    t.service("p", "pg", "pg", "startup-4").await;
    let before = t.sim.snapshot();
    t.sim.shutdown().await;
    drop(t);

    let v1 = set_meta(&path, |m| {
        assert_eq!(m["format_version"], 2);
        m.as_object_mut().unwrap().remove("format_version");
    });
    let mut t = start_on(&clock, &path).await;
    assert_eq!(
        t.sim.snapshot().state()["projects"],
        before.state()["projects"]
    );
    assert_eq!(to_json(&t.get("p", "pg").await)["plan"], "startup-4");
    t.sim.shutdown().await;
    drop(t);
    let now = set_meta(&path, |_| {});
    assert_eq!(now["format_version"], 2, "written back in version 2");
    assert_eq!(now["revision"], v1["revision"].as_u64().unwrap() + 1);

    let newer = set_meta(&path, |m| m["format_version"] = json!(3));
    let r = builder(&clock).state_file(&path).start().await;
    let Err(e @ StartError::State(_)) = r else {
        panic!("a file of format version 3 was accepted: {r:?}");
    };
    let text = e.to_string();
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(
        text.contains("format version 3 is newer than this simulator's (2)"),
        "{text}"
    );
    assert_eq!(set_meta(&path, |_| {}), newer, "left as it was");
    assert!(read_snapshot(&path).is_err());
}

#[tokio::test]
async fn a_json_state_file_is_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new();
    let t = start_on(&clock, &dir.path().join("state.redb")).await;
    t.project("p").await;
    t.service("p", "pg", "pg", "startup-4").await;
    let old = t.sim.snapshot();
    drop(t);
    // The previous format: the state document, as a bare JSON file.
    let path = dir.path().join("state.json");
    std::fs::write(&path, serde_json::to_vec(old.state()).unwrap()).unwrap();

    let t = start_on(&clock, &path).await;
    assert_eq!(t.sim.snapshot(), old);
    let bak = dir.path().join("state.json.json.bak");
    assert_eq!(
        std::fs::read(&bak).unwrap(),
        serde_json::to_vec(old.state()).unwrap()
    );
    t.service("p", "v", "valkey", "startup-4").await;
    let mut t = t;
    t.sim.shutdown().await;
    drop(t);
    assert_eq!(services_of(&saved(&path), "p"), ["pg", "v"]);
}

#[tokio::test]
async fn bodies_too_deep_to_store_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let clock = ManualClock::new();
    let t = start_on(&clock, &path).await;
    t.project("p").await;
    let nest = |depth: usize| {
        let mut v = json!(1);
        for _ in 1..depth {
            v = json!({ "a": v });
        }
        v
    };
    let apps = "/project/p/service/pg/flink/application";
    t.service("p", "pg", "pg", "startup-4").await;
    let (status, _, b) = t
        .raw(
            reqwest::Method::POST,
            apps,
            Some(json!({"name": "deep", "x": nest(100)})),
        )
        .await;
    assert_eq!(status, 400, "{b}");
    assert!(b["message"].as_str().unwrap().contains("nested"), "{b}");
    let (status, _, b) = t
        .raw(
            reqwest::Method::POST,
            apps,
            Some(json!({"name": "ok", "x": nest(60)})),
        )
        .await;
    assert_eq!(status, 200, "{b}");
    let before = t.sim.snapshot();
    let mut t = t;
    t.sim.shutdown().await;
    drop(t);
    // Whatever was accepted reads back.
    let t = start_on(&clock, &path).await;
    assert_eq!(t.sim.snapshot(), before);
}

/// A state at the last revision moves on (wrapping) instead of panicking.
#[tokio::test]
async fn a_state_at_the_last_revision_still_takes_changes() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new();
    let t = start_on(&clock, &dir.path().join("state.redb")).await;
    t.project("p").await;
    let mut old = t.sim.snapshot();
    drop(t);
    old.state_mut()["revision"] = json!(u64::MAX);
    let path = dir.path().join("state.json");
    std::fs::write(&path, serde_json::to_vec(old.state()).unwrap()).unwrap();

    let mut t = start_on(&clock, &path).await;
    t.service("p", "pg", "pg", "startup-4").await;
    t.service("p", "v", "valkey", "startup-4").await;
    t.sim.shutdown().await;
    drop(t);
    let saved = saved(&path);
    assert_eq!(services_of(&saved, "p"), ["pg", "v"]);
    assert!(saved.revision() < 3, "wrapped: {}", saved.revision());
}

#[tokio::test]
async fn connectors_and_schemas_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let clock = ManualClock::new();
    let base = "/project/p/service/k";

    let t = start_on(&clock, &path).await;
    t.project("p").await;
    let (s, _, b) = t
        .raw(
            reqwest::Method::POST,
            "/project/p/service",
            Some(json!({
                "service_name": "k", "service_type": "kafka", "plan": "business-4",
                "user_config": {"kafka_connect": true, "schema_registry": true},
            })),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    t.advance(3);
    let connector = json!({
        "name": "sink", "connector.class": "io.aiven.connect.jdbc.JdbcSinkConnector",
        "tasks.max": "2", "topics": "orders",
    });
    let post = |path: String, body: Option<Value>| {
        let t = &t;
        async move { t.raw(reqwest::Method::POST, &path, body).await.0 }
    };
    assert_eq!(
        post(format!("{base}/connectors"), Some(connector)).await,
        200
    );
    assert_eq!(
        post(format!("{base}/connectors/sink/pause"), None).await,
        200
    );
    let schema = |fields: Value| json!({"schema": json!({"type": "record", "name": "R", "fields": fields}).to_string()});
    let v1 = schema(json!([{"name": "a", "type": "int"}]));
    let v2 =
        schema(json!([{"name": "a", "type": "int"}, {"name": "b", "type": "int", "default": 0}]));
    let versions = format!("{base}/kafka/schema/subjects/r-value/versions");
    assert_eq!(post(versions.clone(), Some(v1.clone())).await, 200);
    assert_eq!(post(versions.clone(), Some(v2)).await, 200);
    let acl = json!({"permission": "schema_registry_read", "resource": "Subject:r-value", "username": "app"});
    assert_eq!(
        post(format!("{base}/kafka/schema-registry/acl"), Some(acl)).await,
        200
    );
    let mut t = t;
    t.sim.shutdown().await;
    drop(t);

    let t = start_on(&clock, &path).await;
    let get = |path: String| {
        let t = &t;
        async move { t.raw(reqwest::Method::GET, &path, None).await.2 }
    };
    let status = get(format!("{base}/connectors/sink/status")).await;
    assert_eq!(status["status"]["state"], "PAUSED");
    assert_eq!(status["status"]["tasks"].as_array().unwrap().len(), 2);
    let list = get(format!("{base}/connectors")).await;
    assert_eq!(list["connectors"][0]["config"]["topics"], "orders");
    assert_eq!(get(versions.clone()).await["versions"], json!([1, 2]));
    // The same schema: the same id after the restart, no new version.
    let (s, _, b) = t.raw(reqwest::Method::POST, &versions, Some(v1)).await;
    assert_eq!((s, b["id"].clone()), (200, json!(1)));
    assert_eq!(get(versions).await["versions"], json!([1, 2]));
    let acl = get(format!("{base}/kafka/schema-registry/acl")).await;
    assert_eq!(acl["acl"].as_array().unwrap().len(), 3);
}

/// A raw request's status and JSON body.
async fn call(
    t: &TestSim,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let (status, _, json) = t.raw(method, path, body).await;
    (status, json)
}

#[tokio::test]
async fn native_acls_quotas_and_opensearch_state_survive_a_restart() {
    use reqwest::Method;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let clock = ManualClock::new();

    let t = start_on(&clock, &path).await;
    t.project("p").await;
    t.service("p", "k", "kafka", "startup-2").await;
    t.service("p", "os", "opensearch", "business-4").await;
    t.advance(3);
    let acl = json!({"host": "*", "operation": "Write", "pattern_type": "LITERAL",
        "permission_type": "DENY", "principal": "User:bob", "resource_name": "payments",
        "resource_type": "Topic"});
    let (s, added) = call(
        &t,
        Method::POST,
        "/project/p/service/k/kafka/acl",
        Some(acl),
    )
    .await;
    assert_eq!(s, 200, "{added}");
    let quota = json!({"user": "bob", "producer_byte_rate": 4096});
    let (s, _) = call(&t, Method::POST, "/project/p/service/k/quota", Some(quota)).await;
    assert_eq!(s, 200);
    let os_acl = json!({"opensearch_acl_config": {"enabled": true,
        "acls": [{"username": "bob", "rules": [{"index": "logs*", "permission": "read"}]}]}});
    let (s, _) = call(
        &t,
        Method::POST,
        "/project/p/service/os/opensearch/acl",
        Some(os_acl),
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = call(
        &t,
        Method::POST,
        "/project/p/service/os/opensearch/.kibana_1/_close",
        None,
    )
    .await;
    assert_eq!(s, 200);
    let reads = [
        "/project/p/service/k/kafka/acl",
        "/project/p/service/k/quota",
        "/project/p/service/os/opensearch/acl",
        "/project/p/service/os/index",
    ];
    let mut before = Vec::new();
    for r in reads {
        before.push(call(&t, Method::GET, r, None).await.1);
    }
    assert_eq!(before[0]["kafka_acl"][0], added["acl"]);
    assert_eq!(before[1]["quotas"][0]["producer_byte_rate"], 4096.0);
    assert_eq!(before[3]["indexes"][0]["status"], "close");
    let mut t = t;
    t.sim.shutdown().await;
    drop(t);

    let t = start_on(&clock, &path).await;
    for (r, was) in reads.iter().zip(&before) {
        assert_eq!(&call(&t, Method::GET, r, None).await.1, was, "{r}");
    }
}

#[tokio::test]
async fn organization_vpcs_survive_a_restart() {
    use reqwest::Method;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let clock = ManualClock::new();
    let org = "/organization/org4a1b2c3d4e5";

    let t = start_on(&clock, &path).await;
    let create = json!({
        "clouds": [{"cloud_name": "google-europe-west1", "network_cidr": "10.3.0.0/16"}],
        "display_name": "kept",
        "peering_connections": [{"peer_cloud_account": "my-gcp-project", "peer_vpc": "default"}],
    });
    let (s, v) = call(&t, Method::POST, &format!("{org}/vpcs"), Some(create)).await;
    assert_eq!(s, 200, "{v}");
    let id = v["organization_vpc_id"].as_str().unwrap().to_string();
    let mut t = t;
    t.sim.shutdown().await;
    drop(t);

    let t = start_on(&clock, &path).await;
    let (s, got) = call(&t, Method::GET, &format!("{org}/vpc/{id}"), None).await;
    assert_eq!(s, 200, "{got}");
    assert_eq!(got["display_name"], "kept");
    assert_eq!(got["peering_connections"][0]["peer_vpc"], "default");
    // The lifecycle goes on from the stored timestamps.
    t.advance(3);
    let (_, got) = call(&t, Method::GET, &format!("{org}/vpc/{id}"), None).await;
    assert_eq!(got["state"], "ACTIVE");
    // A delete is saved too.
    call(&t, Method::DELETE, &format!("{org}/vpc/{id}"), None).await;
    t.advance(2);
    let mut t = t;
    t.sim.shutdown().await;
    drop(t);
    let t = start_on(&clock, &path).await;
    assert_eq!(
        call(&t, Method::GET, &format!("{org}/vpc/{id}"), None)
            .await
            .0,
        404
    );
}

/// Makes each change (all answered 200), then checks the restart
/// invariant: the state after a `kill -9` and a restart on the same file
/// is the state before. Returns the restarted server and its state.
async fn changes_survive_a_kill(
    server: Server,
    path: &std::path::Path,
    changes: &[(&str, String, Option<Value>)],
) -> (Server, Value) {
    for (method, p, body) in changes {
        let (status, b) = send(&server, method, &format!("/v1{p}"), body.clone()).await;
        assert_eq!(status, 200, "{method} {p}: {b}");
    }
    let (status, before) = send(&server, "GET", "/_sim/state", None).await;
    assert_eq!(status, 200);
    server.kill();
    let server = spawn_server(path).await;
    let (_, after) = send(&server, "GET", "/_sim/state", None).await;
    assert_same_state(
        &before,
        &after,
        "the state before and after a kill -9 and a restart",
    );
    (server, after)
}

/// The restart invariant over the hand-modelled operations that change
/// something, including those that write records of other projects and
/// services than their path names (a rename rewrites the integrations
/// other projects hold; a service delete removes them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_change_survives_a_kill_of_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let server = spawn_server(&path).await;
    let k = "/project/p/service/k";
    let pg = "/project/p/service/pg";
    let os = "/project/p/service/os";
    let schema = json!({"schema": json!({"type": "record", "name": "R",
        "fields": [{"name": "a", "type": "int"}]}).to_string()});
    let first: Vec<(&str, String, Option<Value>)> = vec![
        ("POST", "/project".into(), Some(json!({"project": "p"}))),
        ("POST", "/project".into(), Some(json!({"project": "q"}))),
        (
            "POST",
            "/project/p/service".into(),
            Some(json!({"service_name": "pg",
            "service_type": "pg", "plan": "startup-4"})),
        ),
        (
            "POST",
            "/project/p/service".into(),
            Some(json!({"service_name": "k",
            "service_type": "kafka", "plan": "business-4",
            "user_config": {"kafka_connect": true, "schema_registry": true}})),
        ),
        (
            "POST",
            "/project/p/service".into(),
            Some(json!({"service_name": "os",
            "service_type": "opensearch", "plan": "business-4"})),
        ),
        (
            "POST",
            "/project/q/service".into(),
            Some(json!({"service_name": "dst",
            "service_type": "pg", "plan": "startup-4"})),
        ),
        (
            "POST",
            "/project/p/integration".into(),
            Some(json!({"integration_type": "read_replica",
            "source_service": "pg", "dest_project": "q", "dest_service": "dst"})),
        ),
        (
            "PATCH",
            "/project/p/tags".into(),
            Some(json!({"tags": {"env": "test"}})),
        ),
        (
            "POST",
            format!("{k}/topic"),
            Some(json!({"topic_name": "t1", "partitions": 3})),
        ),
        (
            "PUT",
            format!("{k}/topic/t1"),
            Some(json!({"partitions": 4})),
        ),
        (
            "POST",
            format!("{k}/topic"),
            Some(json!({"topic_name": "t2", "partitions": 1})),
        ),
        (
            "POST",
            format!("{k}/acl"),
            Some(json!({"permission": "read", "topic": "t1",
            "username": "app"})),
        ),
        (
            "POST",
            format!("{k}/kafka/acl"),
            Some(json!({"host": "*", "operation": "Write",
            "pattern_type": "LITERAL", "permission_type": "DENY", "principal": "User:bob",
            "resource_name": "payments", "resource_type": "Topic"})),
        ),
        (
            "POST",
            format!("{k}/quota"),
            Some(json!({"user": "bob",
            "producer_byte_rate": 4096})),
        ),
        (
            "POST",
            format!("{k}/kafka/schema/subjects/r-value/versions"),
            Some(schema),
        ),
        (
            "PUT",
            format!("{k}/kafka/schema/config"),
            Some(json!({"compatibility": "FULL"})),
        ),
        (
            "POST",
            format!("{k}/connectors"),
            Some(json!({"name": "sink",
            "connector.class": "io.aiven.connect.jdbc.JdbcSinkConnector",
            "tasks.max": "2", "topics": "t1"})),
        ),
        ("POST", format!("{k}/connectors/sink/pause"), None),
        (
            "POST",
            format!("{pg}/user"),
            Some(json!({"username": "app"})),
        ),
        (
            "PUT",
            format!("{pg}/user/app"),
            Some(json!({"operation": "reset-credentials",
            "new_password": "a-long-enough-password-1"})),
        ),
        ("PUT", format!("{pg}/user/app/credentials/reset"), None),
        (
            "POST",
            format!("{pg}/db"),
            Some(json!({"database": "appdb"})),
        ),
        (
            "POST",
            format!("{pg}/db"),
            Some(json!({"database": "tmpdb"})),
        ),
        (
            "POST",
            format!("{pg}/connection_pool"),
            Some(json!({"pool_name": "pool",
            "database": "appdb", "username": "app"})),
        ),
        (
            "PUT",
            format!("{pg}/connection_pool/pool"),
            Some(json!({"pool_mode": "session",
            "pool_size": 25})),
        ),
        (
            "PATCH",
            format!("{pg}/tags"),
            Some(json!({"tags": {"team": "a"}})),
        ),
        ("PUT", format!("{pg}/maintenance/start"), None),
        (
            "POST",
            format!("{pg}/flink/application"),
            Some(json!({"name": "app"})),
        ),
        (
            "POST",
            format!("{os}/opensearch/acl"),
            Some(json!({"opensearch_acl_config":
            {"enabled": true, "acls": [{"username": "bob",
            "rules": [{"index": "logs*", "permission": "read"}]}]}})),
        ),
        ("POST", format!("{os}/opensearch/.kibana_1/_close"), None),
        ("PUT", os.into(), Some(json!({"powered": false}))),
        (
            "POST",
            "/project/p/integration_endpoint".into(),
            Some(json!({"endpoint_name": "dd",
            "endpoint_type": "datadog",
            "user_config": {"datadog_api_key": "k", "site": "datadoghq.eu"}})),
        ),
        (
            "POST",
            "/project/p/vpcs".into(),
            Some(json!({"cloud_name": "do-ams",
            "network_cidr": "10.3.0.0/16", "peering_connections": []})),
        ),
        (
            "POST",
            "/organization/org4a1b2c3d4e5/vpcs".into(),
            Some(json!({"clouds":
            [{"cloud_name": "google-europe-west1", "network_cidr": "10.4.0.0/16"}],
            "display_name": "kept", "peering_connections": []})),
        ),
    ];
    let (server, _) = changes_survive_a_kill(server, &path, &first).await;
    // Each change that writes elsewhere is the last before a kill, so
    // that no later change to the same record saves it by chance.
    let rename = [(
        "PUT",
        "/project/q".into(),
        Some(json!({"project_name": "q2"})),
    )];
    let (server, state) = changes_survive_a_kill(server, &path, &rename).await;
    let integrations = &state["state"]["projects"]["p"]["integrations"];
    let one = integrations.as_object().unwrap().values().next().unwrap();
    assert_eq!(one["dest_project"], "q2", "renamed in the other project");

    let second: Vec<(&str, String, Option<Value>)> = vec![
        ("DELETE", format!("{k}/topic/t2"), None),
        ("DELETE", format!("{pg}/db/tmpdb"), None),
        // Removes the integration p holds.
        ("DELETE", "/project/q2/service/dst".into(), None),
    ];
    let (server, state) = changes_survive_a_kill(server, &path, &second).await;
    assert_eq!(state["state"]["projects"]["p"]["integrations"], json!({}));
    let last = [("DELETE", "/project/q2".into(), None)];
    let (_server, state) = changes_survive_a_kill(server, &path, &last).await;
    assert_eq!(state["state"]["projects"]["p"]["integrations"], json!({}));
    assert!(state["state"]["projects"].get("q2").is_none());
}
