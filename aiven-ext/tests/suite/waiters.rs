//! Waiters over real HTTP on loopback; the mock server answers according to
//! the mock clock's virtual time, so minutes of polling take milliseconds.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::{client, first, serve_service, service, SVC};
use aiven_ext::clock::MockClock;
use aiven_ext::{Error, Progress, ServiceState, StateExt};
use httpmock::prelude::*;
use serde_json::{json, Value};

const SEC: fn(u64) -> Duration = Duration::from_secs;
const MINUTES_10: Duration = Duration::from_secs(600);

/// Serves `before` for the first `n` requests to `path`, then `after`.
async fn sequence(
    server: &MockServer,
    path: &str,
    n: usize,
    before: (u16, Value),
    after: (u16, Value),
) {
    let path = path.to_owned();
    let p = path.clone();
    server
        .mock_async(move |when, then| {
            when.method(GET).path(p).is_true(first(n));
            then.status(before.0).json_body(before.1);
        })
        .await;
    server
        .mock_async(move |when, then| {
            when.method(GET).path(path);
            then.status(after.0).json_body(after.1);
        })
        .await;
}

fn svc(state: &str) -> (u16, Value) {
    (200, json!({ "service": service("pg-1", state) }))
}

fn not_found() -> (u16, Value) {
    (404, json!({"message": "Service not found"}))
}

#[tokio::test]
async fn running_after_some_polls_with_progress() {
    let server = MockServer::start_async().await;
    sequence(&server, SVC, 3, svc("REBUILDING"), svc("RUNNING")).await;
    let clock = MockClock::new();
    let c = client(&server, &clock);
    let seen = Arc::new(Mutex::new(Vec::<Progress>::new()));
    let log = seen.clone();
    let svc = c
        .wait_until_service_running("p", "pg-1")
        .on_progress(move |p| log.lock().unwrap().push(p.clone()))
        .wait(MINUTES_10)
        .await
        .unwrap();
    assert_eq!(svc.state(), Some(ServiceState::Running));
    let seen = seen.lock().unwrap();
    let states: Vec<_> = seen
        .iter()
        .map(|p| (p.polls, p.state.as_str(), p.done))
        .collect();
    assert_eq!(
        states,
        [
            (1, "REBUILDING (1/1 nodes running)", false),
            (2, "REBUILDING (1/1 nodes running)", false),
            (3, "REBUILDING (1/1 nodes running)", false),
            (4, "RUNNING (1/1 nodes running)", true),
        ]
    );
    // Poll n is followed by a delay uniform in [2 s, min(30 s, 2 s·2ⁿ)].
    let sleeps = clock.sleeps();
    for (n, d) in sleeps.iter().enumerate() {
        let ceiling = SEC(2 * 2u64.pow(n as u32 + 1)).min(SEC(30));
        assert!(*d >= SEC(2) && *d <= ceiling, "poll {}: {d:?}", n + 1);
    }
    assert_eq!(
        seen.last().unwrap().elapsed,
        sleeps.iter().sum::<Duration>()
    );
}

#[tokio::test]
async fn poweroff_fails_fast_unless_tolerated() {
    let server = MockServer::start_async().await;
    let m = serve_service(&server, "pg-1", "POWEROFF").await;
    let clock = MockClock::new();
    let c = client(&server, &clock);
    let err = c
        .wait_until_service_running("p", "pg-1")
        .wait(MINUTES_10)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::WaitFailed { state, .. } if state.starts_with("POWEROFF")),
        "{err:?}"
    );
    assert!(err.to_string().contains("powered off"), "{err}");
    assert_eq!(m.calls_async().await, 1);

    let err = c
        .wait_until_service_running("p", "pg-1")
        .tolerate_poweroff(true)
        .wait(SEC(60))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WaitTimeout { .. }), "{err:?}");
}

#[tokio::test]
async fn timeout_reports_elapsed_polls_and_last_state_after_a_final_poll() {
    let server = MockServer::start_async().await;
    let m = serve_service(&server, "pg-1", "REBUILDING").await;
    let clock = MockClock::new();
    let err = client(&server, &clock)
        .wait_until_service_running("p", "pg-1")
        .wait(SEC(100))
        .await
        .unwrap_err();
    let Error::WaitTimeout {
        elapsed,
        polls,
        last_state,
        what,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*elapsed, SEC(100), "the last poll happens at the deadline");
    assert_eq!(clock.elapsed(), SEC(100));
    assert_eq!(*polls as usize, m.calls_async().await);
    assert_eq!(
        last_state.as_deref(),
        Some("REBUILDING (1/1 nodes running)")
    );
    assert_eq!(what, "service p/pg-1 to be RUNNING");
    assert!(
        err.to_string()
            .contains(&format!("after 100s and {polls} polls")),
        "{err}"
    );
}

#[tokio::test]
async fn not_found_right_after_create_is_not_yet() {
    let server = MockServer::start_async().await;
    sequence(&server, SVC, 3, not_found(), svc("RUNNING")).await;
    let clock = MockClock::new();
    let c = client(&server, &clock);
    let svc = c
        .wait_until_service_running("p", "pg-1")
        .wait(MINUTES_10)
        .await
        .unwrap();
    assert_eq!(svc.state(), Some(ServiceState::Running));
    assert_eq!(clock.sleeps().len(), 3);
}

#[tokio::test]
async fn not_found_after_the_grace_period_fails() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method(GET).path(SVC);
            then.status(404)
                .json_body(json!({"message": "Service not found"}));
        })
        .await;
    let clock = MockClock::new();
    let c = client(&server, &clock);
    let err = c
        .wait_until_service_running("p", "pg-1")
        .not_found_grace(SEC(10))
        .wait(MINUTES_10)
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(
        clock.elapsed() >= SEC(10) && clock.elapsed() < SEC(40),
        "{:?}",
        clock.elapsed()
    );
    assert!(m.calls_async().await >= 2);

    let zero = c
        .wait_until_service_running("p", "pg-1")
        .not_found_grace(Duration::ZERO);
    assert!(zero.wait(MINUTES_10).await.unwrap_err().is_not_found());
}

#[tokio::test]
async fn readiness_beyond_state_nodes_and_backups() {
    let server = MockServer::start_async().await;
    let mut syncing = service("pg-1", "RUNNING");
    syncing["node_states"] = json!([{"state": "running"}, {"state": "syncing_data"}]);
    let mut ready = service("pg-1", "RUNNING");
    ready["node_states"] = json!([{"state": "running"}, {"state": "running"}]);
    ready["backups"] = json!([{"backup_name": "b1"}]);
    sequence(
        &server,
        SVC,
        2,
        (200, json!({ "service": syncing })),
        (200, json!({ "service": ready })),
    )
    .await;
    let clock = MockClock::new();
    let svc = client(&server, &clock)
        .wait_until_service_running("p", "pg-1")
        .all_nodes_running(true)
        .require_backup(true)
        .wait(MINUTES_10)
        .await
        .unwrap();
    assert_eq!(svc.backups.unwrap().len(), 1);
    assert_eq!(clock.sleeps().len(), 2);
}

#[tokio::test]
async fn backups_not_awaited_when_persistence_is_off() {
    let server = MockServer::start_async().await;
    let mut valkey = service("cache-1", "RUNNING");
    valkey["user_config"] = json!({"valkey_persistence": "off"});
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/project/p/service/cache-1");
            then.status(200).json_body(json!({ "service": valkey }));
        })
        .await;
    let clock = MockClock::new();
    let c = client(&server, &clock);
    let wait = c
        .wait_until_service_running("p", "cache-1")
        .require_backup(true);
    wait.wait(MINUTES_10).await.unwrap();
    assert!(clock.sleeps().is_empty());
}

#[tokio::test]
async fn confirmations_require_consecutive_successes() {
    let server = MockServer::start_async().await;
    let m = serve_service(&server, "pg-1", "RUNNING").await;
    let clock = MockClock::new();
    let c = client(&server, &clock);
    c.wait_until_service_running("p", "pg-1")
        .confirmations(3)
        .wait(MINUTES_10)
        .await
        .unwrap();
    assert_eq!(m.calls_async().await, 3);
    assert_eq!(
        clock.sleeps(),
        [SEC(2), SEC(2)],
        "confirming re-checks at the minimum delay"
    );
}

#[tokio::test]
async fn unknown_states_are_kept_and_waited_through() {
    let server = MockServer::start_async().await;
    sequence(&server, SVC, 1, svc("MIGRATING"), svc("RUNNING")).await;
    let clock = MockClock::new();
    let states = Arc::new(Mutex::new(Vec::new()));
    let log = states.clone();
    client(&server, &clock)
        .wait_until_service_running("p", "pg-1")
        .on_progress(move |p| log.lock().unwrap().push(p.state.clone()))
        .wait(MINUTES_10)
        .await
        .unwrap();
    assert_eq!(states.lock().unwrap()[0], "MIGRATING (1/1 nodes running)");
    assert_eq!(ServiceState::from("MIGRATING").as_str(), "MIGRATING");
}

#[tokio::test]
async fn service_deleted_waits_for_404() {
    let server = MockServer::start_async().await;
    sequence(&server, SVC, 2, svc("RUNNING"), not_found()).await;
    let clock = MockClock::new();
    let gone = client(&server, &clock)
        .wait_until_service_deleted("p", "pg-1")
        .wait(MINUTES_10)
        .await;
    assert!(gone.unwrap().is_none());
    assert_eq!(clock.sleeps().len(), 2);
}

#[tokio::test]
async fn topic_vpc_integration_and_connector_waiters() {
    let server = MockServer::start_async().await;
    let clock = MockClock::new();
    let c = client(&server, &clock);

    let topic = "/v1/project/p/service/k/topic/orders";
    let t = |s: &str| (200, json!({"topic": {"topic_name": "orders", "state": s}}));
    sequence(&server, topic, 1, t("CONFIGURING"), t("ACTIVE")).await;
    let got = c
        .wait_until_topic_active("p", "k", "orders")
        .wait(MINUTES_10)
        .await
        .unwrap();
    assert_eq!(got.topic_name.as_deref(), Some("orders"));

    let vpc = "/v1/project/p/vpcs/8d1c2b52-0000-0000-0000-000000000000";
    let v = |s: &str| {
        (
            200,
            json!({"project_vpc_id": "8d1c2b52-0000-0000-0000-000000000000", "state": s}),
        )
    };
    sequence(&server, vpc, 2, v("APPROVED"), v("ACTIVE")).await;
    let got = c
        .wait_until_vpc_active("p", "8d1c2b52-0000-0000-0000-000000000000")
        .wait(MINUTES_10)
        .await;
    assert_eq!(got.unwrap().state.as_deref(), Some("ACTIVE"));

    let integration = "/v1/project/p/integration/i-1";
    let i = |active: bool, status: &str| {
        (
            200,
            json!({"service_integration": {"active": active, "integration_status": {"state": {"status": status}}}}),
        )
    };
    sequence(
        &server,
        integration,
        2,
        i(false, "starting"),
        i(true, "running"),
    )
    .await;
    c.wait_until_integration_active("p", "i-1")
        .wait(MINUTES_10)
        .await
        .unwrap();

    let connector = "/v1/project/p/service/kc/connectors/sink/status";
    let k = |s: &str, task: &str| {
        (
            200,
            json!({"status": {"state": s, "tasks": [{"id": 0, "state": task}]}}),
        )
    };
    sequence(
        &server,
        connector,
        1,
        k("UNASSIGNED", "UNASSIGNED"),
        k("RUNNING", "RUNNING"),
    )
    .await;
    c.wait_until_connector_running("p", "kc", "sink")
        .wait(MINUTES_10)
        .await
        .unwrap();
}

#[tokio::test]
async fn terminal_states_of_the_other_waiters_fail_fast() {
    let server = MockServer::start_async().await;
    let clock = MockClock::new();
    let c = client(&server, &clock);
    let answer = |path: &'static str, body: Value| {
        let server = &server;
        async move {
            server
                .mock_async(|when, then| {
                    when.method(GET).path(path);
                    then.status(200).json_body(body);
                })
                .await
        }
    };
    answer(
        "/v1/project/p/service/k/topic/t",
        json!({"topic": {"state": "DELETING"}}),
    )
    .await;
    answer("/v1/project/p/vpcs/v", json!({"state": "DELETING"})).await;
    answer(
        "/v1/project/p/integration/i",
        json!({"service_integration": {"active": true, "integration_status": {"state": {"status": "failed", "errors": ["bad credentials"]}}}}),
    )
    .await;
    answer(
        "/v1/project/p/service/kc/connectors/c/status",
        json!({"status": {"state": "RUNNING", "tasks": [{"state": "RUNNING"}, {"state": "FAILED"}]}}),
    )
    .await;
    let errors = [
        c.wait_until_topic_active("p", "k", "t")
            .wait(MINUTES_10)
            .await
            .unwrap_err(),
        c.wait_until_vpc_active("p", "v")
            .wait(MINUTES_10)
            .await
            .unwrap_err(),
        c.wait_until_integration_active("p", "i")
            .wait(MINUTES_10)
            .await
            .unwrap_err(),
        c.wait_until_connector_running("p", "kc", "c")
            .wait(MINUTES_10)
            .await
            .unwrap_err(),
    ];
    for err in &errors {
        assert!(matches!(err, Error::WaitFailed { .. }), "{err:?}");
    }
    assert!(
        errors[2].to_string().contains("bad credentials"),
        "{}",
        errors[2]
    );
    assert!(errors[3].to_string().contains("FAILED"), "{}", errors[3]);
    assert!(clock.sleeps().is_empty());
}

#[tokio::test]
async fn non_retryable_errors_end_the_wait() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(SVC);
            then.status(403)
                .json_body(json!({"message": "Permission denied"}));
        })
        .await;
    let err = client(&server, &MockClock::new())
        .wait_until_service_running("p", "pg-1")
        .wait(MINUTES_10)
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
}

/// The measurement the crate docs quote: the default policy against a
/// service that turns RUNNING after 10 minutes.
#[tokio::test]
async fn measure_default_policy_ten_minute_creation() {
    const RUNS: usize = 100;
    let server = MockServer::start_async().await;
    let (mut polls, mut late) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let clock = MockClock::new();
        let (c1, c2) = (clock.clone(), clock.clone());
        let building = server
            .mock_async(move |when, then| {
                when.method(GET)
                    .path(SVC)
                    .is_true(move |_| c1.elapsed() < MINUTES_10);
                then.status(200)
                    .json_body(json!({ "service": service("pg-1", "REBUILDING") }));
            })
            .await;
        let running = server
            .mock_async(move |when, then| {
                when.method(GET)
                    .path(SVC)
                    .is_true(move |_| c2.elapsed() >= MINUTES_10);
                then.status(200)
                    .json_body(json!({ "service": service("pg-1", "RUNNING") }));
            })
            .await;
        let c = client(&server, &clock);
        c.wait_until_service_running("p", "pg-1")
            .wait(SEC(30 * 60))
            .await
            .unwrap();
        polls.push(building.calls_async().await + running.calls_async().await);
        late.push(clock.elapsed() - MINUTES_10);
        building.delete_async().await;
        running.delete_async().await;
    }
    polls.sort();
    late.sort();
    let mean_polls = polls.iter().sum::<usize>() as f64 / RUNS as f64;
    let mean_late = late.iter().sum::<Duration>() / RUNS as u32;
    let pct = |v: &[Duration], p: usize| v[(v.len() - 1) * p / 100];
    println!(
        "requests: min {} mean {mean_polls:.1} max {}; noticed late by: min {:?} mean {mean_late:?} p50 {:?} p95 {:?} max {:?}",
        polls[0],
        polls[RUNS - 1],
        late[0],
        pct(&late, 50),
        pct(&late, 95),
        late[RUNS - 1],
    );
    // Bounds that hold for every run: delays lie in [2 s, 30 s].
    assert!(late[RUNS - 1] <= SEC(30));
    assert!(polls[0] >= 600 / 30 && polls[RUNS - 1] <= 600 / 2 + 1);
}

/// A poll error that waiting does not cure ends the wait with what was
/// awaited, for how long, how many polls and the last state; the API error
/// stays reachable.
#[tokio::test]
async fn an_incurable_poll_error_says_what_and_how_long() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(SVC).is_true(first(2));
            then.status(200)
                .json_body(json!({ "service": service("pg-1", "REBUILDING") }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(SVC);
            then.status(403).json_body(json!({"message": "Forbidden"}));
        })
        .await;
    let e = client(&server, &MockClock::new())
        .wait_until_service_running("p", "pg-1")
        .wait(MINUTES_10)
        .await
        .unwrap_err();
    let Error::WaitInterrupted {
        what,
        polls,
        last_state,
        elapsed,
        ..
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!((what.as_str(), *polls), ("service p/pg-1 to be RUNNING", 3));
    assert!(
        last_state.as_deref().unwrap().starts_with("REBUILDING"),
        "{last_state:?}"
    );
    assert!(*elapsed >= SEC(4), "{elapsed:?}");
    assert_eq!(e.status().map(|s| s.as_u16()), Some(403));
    assert!(
        e.to_string().contains("after") && e.to_string().contains("3 polls"),
        "{e}"
    );
}

/// A server-sent state of 1 MB is cut before it is kept in the error.
#[tokio::test]
async fn a_huge_state_string_is_cut_in_the_error() {
    let server = MockServer::start_async().await;
    serve_service(&server, "pg-1", &"X".repeat(1 << 20)).await;
    let e = client(&server, &MockClock::new())
        .wait_until_service_running("p", "pg-1")
        .wait(SEC(30))
        .await
        .unwrap_err();
    let Error::WaitTimeout {
        last_state: Some(state),
        ..
    } = &e
    else {
        panic!("not a timeout")
    };
    assert!(state.len() < 1100, "{} bytes", state.len());
    assert!(e.to_string().len() < 1400);
}

/// A wait is also a stream of observations: one per poll, what it fetched,
/// ending with the done one; dropping it stops the polling.
#[tokio::test]
async fn a_wait_is_a_stream_of_observations() {
    use futures::StreamExt;
    let server = MockServer::start_async().await;
    let states = ["REBUILDING", "REBUILDING", "RUNNING"];
    let n = Arc::new(Mutex::new(0usize));
    let seen = n.clone();
    server
        .mock_async(move |when, then| {
            when.method(GET).path(SVC).is_true(move |_| {
                let mut n = seen.lock().unwrap();
                *n += 1;
                *n <= 2
            });
            then.status(200)
                .json_body(json!({ "service": service("pg-1", states[0]) }));
        })
        .await;
    serve_service(&server, "pg-1", states[2]).await;
    let c = client(&server, &MockClock::new());
    let observations: Vec<_> = c
        .wait_until_service_running("p", "pg-1")
        .observe(MINUTES_10)
        .collect()
        .await;
    let seen: Vec<(u32, String, bool, Option<String>)> = observations
        .into_iter()
        .map(|o| {
            let o = o.unwrap();
            let state = o.output.and_then(|s| s.state);
            (o.progress.polls, o.progress.state, o.progress.done, state)
        })
        .collect();
    let expect = |polls, state: &str, done| {
        (
            polls,
            format!("{state} (1/1 nodes running)"),
            done,
            Some(state.to_owned()),
        )
    };
    assert_eq!(
        seen,
        [
            expect(1, "REBUILDING", false),
            expect(2, "REBUILDING", false),
            expect(3, "RUNNING", true)
        ]
    );

    // Dropped after its first observation: no further request.
    let server = MockServer::start_async().await;
    let get = serve_service(&server, "pg-1", "REBUILDING").await;
    let c = client(&server, &MockClock::new());
    let mut stream = Box::pin(
        c.wait_until_service_running("p", "pg-1")
            .observe(MINUTES_10),
    );
    assert!(stream.next().await.unwrap().is_ok());
    drop(stream);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(get.calls_async().await, 1);
}

/// `RUNNING` with node states, and backups when `backups` > 0.
fn running_of(kind: &str, backups: usize) -> Value {
    let mut s = service("pg-1", "RUNNING");
    s["service_type"] = json!(kind);
    s["backups"] = json!((0..backups)
        .map(|i| json!({"backup_name": format!("b{i}")}))
        .collect::<Vec<_>>());
    json!({ "service": s })
}

#[test]
fn presets_per_service_type() {
    use aiven_ext::{Check, Readiness, ServiceType, PRESET_CONFIRMATIONS};
    for kind in [
        "pg",
        "alloydbomni",
        "redis",
        "valkey",
        "dragonfly",
        "influxdb",
    ] {
        let preset = Readiness::for_service_type(kind);
        assert_eq!(preset.checks(), [Check::Backup], "{kind}");
        assert_eq!(preset.required_confirmations(), PRESET_CONFIRMATIONS);
    }
    assert_eq!(
        Readiness::for_service_type("kafka").checks(),
        [Check::TopicApi]
    );
    assert_eq!(
        Readiness::for_service_type("grafana").checks(),
        [Check::reachable("grafana")]
    );
    // Known types without further checks, and types this version does not
    // know (forward compatible): RUNNING seen repeatedly, nothing else.
    for kind in ["mysql", "opensearch", "clickhouse", "", "quantum-db-9000"] {
        assert_eq!(
            Readiness::for_service_type(kind),
            Readiness::running(),
            "{kind:?}"
        );
    }
    assert_eq!(
        Readiness::preset(&ServiceType::Unknown("new".into())),
        Readiness::running()
    );
    assert_eq!(
        Readiness::for_service_type("pg").to_string(),
        "RUNNING 3 times in a row, with a backup"
    );
    assert_eq!(
        Readiness::for_service_type("kafka")
            .with(Check::AllNodesRunning)
            .with(Check::AllNodesRunning)
            .confirmations(0)
            .to_string(),
        "RUNNING once, with topic API answering, all nodes running"
    );
    let debug = format!("{:?}", Readiness::for_service_type("grafana"));
    assert!(
        debug.contains("Reachable") && debug.contains("grafana"),
        "{debug}"
    );
    assert_eq!(
        Readiness::for_service_type("pg").without(&Check::Backup),
        Readiness::running()
    );
}

/// The pg preset does not finish before a backup is listed (and then is
/// confirmed 3 times); the progress says what it waits for.
#[tokio::test]
async fn pg_preset_waits_for_a_backup() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.method(GET).path(SVC).is_true(first(4));
            then.status(200).json_body(running_of("pg", 0));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(SVC);
            then.status(200).json_body(running_of("pg", 1));
        })
        .await;
    let clock = MockClock::new();
    let seen = Arc::new(Mutex::new(Vec::<Progress>::new()));
    let log = seen.clone();
    let svc = client(&server, &clock)
        .wait_until_service_running("p", "pg-1")
        .readiness(aiven_ext::Readiness::for_service_type("pg"))
        .on_progress(move |p| log.lock().unwrap().push(p.clone()))
        .wait(MINUTES_10)
        .await
        .unwrap();
    assert_eq!(svc.backups.unwrap().len(), 1);
    assert_eq!(m.calls_async().await, 4);
    let seen = seen.lock().unwrap().clone();
    let states: Vec<_> = seen.iter().map(|p| (p.state.as_str(), p.done)).collect();
    let waiting = ("RUNNING (1/1 nodes running; waiting for a backup)", false);
    let backed_up = ("RUNNING (1/1 nodes running)", false);
    assert_eq!(
        states,
        [
            waiting,
            waiting,
            waiting,
            waiting,
            backed_up,
            backed_up,
            ("RUNNING (1/1 nodes running)", true)
        ]
    );

    // Never a backup: the wait times out, and says what it waited for.
    server.reset_async().await;
    serve_service(&server, "pg-1", "RUNNING").await;
    let err = client(&server, &clock)
        .wait_until_service_running("p", "pg-1")
        .readiness(aiven_ext::Readiness::for_service_type("pg"))
        .wait(SEC(120))
        .await
        .unwrap_err();
    let Error::WaitTimeout {
        what, last_state, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(what, "service p/pg-1 to be RUNNING with a backup");
    assert_eq!(
        last_state.as_deref(),
        Some("RUNNING (1/1 nodes running; waiting for a backup)")
    );
}

/// The same service without a backup is ready by the kafka preset (no
/// backup awaited) once the topic API answers, and by the preset of a type
/// this version does not know after 3 observations — nothing else asked.
#[tokio::test]
async fn kafka_and_unknown_presets_do_not_wait_for_backups() {
    let server = MockServer::start_async().await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path(SVC);
            then.status(200).json_body(running_of("kafka", 0));
        })
        .await;
    let topics = format!("{SVC}/topic");
    let t = topics.clone();
    let not_ready = server
        .mock_async(move |when, then| {
            when.method(GET).path(t).is_true(first(2));
            then.status(409)
                .json_body(json!({"message": "Kafka is not ready yet"}));
        })
        .await;
    let t = topics.clone();
    let listed = server
        .mock_async(move |when, then| {
            when.method(GET).path(t);
            then.status(200).json_body(json!({"topics": []}));
        })
        .await;
    let clock = MockClock::new();
    let states = Arc::new(Mutex::new(Vec::new()));
    let log = states.clone();
    let c = client(&server, &clock);
    c.wait_until_service_running("p", "pg-1")
        .readiness(aiven_ext::Readiness::for_service_type("kafka"))
        .on_progress(move |p| log.lock().unwrap().push(p.state.clone()))
        .wait(MINUTES_10)
        .await
        .unwrap();
    assert_eq!(get.calls_async().await, 5, "2 not ready, then 3 in a row");
    assert_eq!(
        (not_ready.calls_async().await, listed.calls_async().await),
        (2, 3)
    );
    assert_eq!(
        states.lock().unwrap()[0],
        "RUNNING (1/1 nodes running; waiting for topic API answering (HTTP 409: Kafka is not ready yet))"
    );

    server.reset_async().await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path(SVC);
            then.status(200).json_body(running_of("cassandra-9", 0));
        })
        .await;
    c.wait_until_service_running("p", "pg-1")
        .readiness(aiven_ext::Readiness::for_service_type("cassandra-9"))
        .wait(MINUTES_10)
        .await
        .unwrap();
    assert_eq!(
        get.calls_async().await,
        3,
        "RUNNING seen 3 times, no other request"
    );
    assert_eq!(
        clock.sleeps().iter().rev().take(2).collect::<Vec<_>>(),
        [&SEC(2), &SEC(2)]
    );
}

/// A topic API that refuses the token ends the wait instead of waiting
/// for an answer that will not change.
#[tokio::test]
async fn topic_api_refusal_ends_the_wait() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(SVC);
            then.status(200).json_body(running_of("kafka", 0));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(format!("{SVC}/topic"));
            then.status(403).json_body(json!({"message": "Forbidden"}));
        })
        .await;
    let err = client(&server, &MockClock::new())
        .wait_until_service_running("p", "pg-1")
        .readiness(aiven_ext::Readiness::for_service_type("kafka"))
        .wait(MINUTES_10)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WaitInterrupted { .. }), "{err:?}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
    assert_eq!(err.operation_id(), Some("ServiceKafkaTopicList"));
}

/// Grafana's preset: its public endpoint must accept a connection — when
/// it has one open to everyone; a restricted `ip_filter` skips the check.
#[tokio::test]
async fn grafana_preset_waits_until_the_public_endpoint_is_reachable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let open = listener.local_addr().unwrap().port();
    let closed = crate::common::closed_port();
    let grafana = |port: u16, ip_filter: Value| {
        let mut s = service("pg-1", "RUNNING");
        s["service_type"] = json!("grafana");
        s["user_config"] = json!({ "ip_filter": ip_filter });
        s["components"] = json!([
            {"component": "grafana", "host": "127.0.0.1", "port": port, "route": "dynamic", "usage": "primary"},
            {"component": "grafana", "host": "127.0.0.1", "port": port, "route": "public", "usage": "primary"},
        ]);
        json!({ "service": s })
    };
    let server = MockServer::start_async().await;
    let everyone = json!(["0.0.0.0/0"]);
    sequence(
        &server,
        SVC,
        2,
        (200, grafana(closed, everyone.clone())),
        (200, grafana(open, everyone.clone())),
    )
    .await;
    let clock = MockClock::new();
    let c = client(&server, &clock);
    let states = Arc::new(Mutex::new(Vec::new()));
    let log = states.clone();
    c.wait_until_service_running("p", "pg-1")
        .readiness(aiven_ext::Readiness::for_service_type("grafana"))
        .on_progress(move |p| log.lock().unwrap().push((p.state.clone(), p.done)))
        .wait(MINUTES_10)
        .await
        .unwrap();
    let states = states.lock().unwrap().clone();
    assert_eq!(states.len(), 5, "{states:?}");
    assert!(
        states[0].0.contains(&format!(
            "waiting for grafana reachable (127.0.0.1:{closed}: "
        )),
        "{states:?}"
    );
    assert!(states[4].1);

    // Open to a few networks only: not checked from here.
    server.reset_async().await;
    let restricted = json!([{"network": "10.0.0.0/8"}]);
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path(SVC);
            then.status(200).json_body(grafana(closed, restricted));
        })
        .await;
    c.wait_until_service_running("p", "pg-1")
        .readiness(aiven_ext::Readiness::for_service_type("grafana"))
        .wait(MINUTES_10)
        .await
        .unwrap();
    assert_eq!(get.calls_async().await, 3);
    drop(listener);
}
