//! End-to-end service lifecycles through the generated client: create →
//! wait RUNNING → update → power off → power on → delete, without faults,
//! with faults (5xx, 429, latency) under the "realistic" profile on a
//! manual clock, and on the system clock with short real delays.
//!
//! The first tests drive the generated client with a bounded poll loop of
//! their own; the marked section at the end runs the same lifecycle through
//! `aiven-ext` (retrying transport, lifecycle helpers, waiters).

use std::future::Future;
use std::time::Duration;

use crate::common::{self, api_error, body, start_with, TestSim, TOKEN};
use aiven_api::types::{self, AivenError};
use aiven_api::{Error, ResponseValue};
use aiven_sim::{FaultRule, ManualClock, Simulator, Timings};
use serde_json::json;

/// How the test lets time pass between polls.
#[derive(Clone)]
enum Time {
    /// Advance the simulator's manual clock.
    Manual(ManualClock, Duration),
    /// Sleep for real.
    Real(Duration),
}

impl Time {
    async fn pass(&self, at_least: Duration) {
        match self {
            Time::Manual(c, step) => c.advance((*step).max(at_least)),
            Time::Real(step) => tokio::time::sleep((*step).max(at_least)).await,
        }
    }
}

/// Sends a call, retrying 5xx and 429 (waiting `Retry-After`), at most 30 times.
async fn retry<T, F, Fut>(time: &Time, mut call: F) -> Result<ResponseValue<T>, Error<AivenError>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<ResponseValue<T>, Error<AivenError>>>,
{
    for _ in 0..30 {
        match call().await {
            Err(Error::ErrorResponse(rv)) if rv.status() == 429 => {
                let secs = rv
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok()?.parse().ok())
                    .expect("429 carries Retry-After");
                time.pass(Duration::from_secs(secs)).await;
            }
            Err(Error::ErrorResponse(rv)) if rv.status().is_server_error() => {}
            other => return other,
        }
    }
    panic!("still failing after 30 tries");
}

/// Polls the service until it is in `want`; returns how many polls it took.
async fn wait_for(t: &TestSim, time: &Time, name: &str, want: &str) -> u32 {
    for poll in 1..=200 {
        let s = retry(time, || {
            t.client
                .service_get()
                .project("p")
                .service_name(name)
                .send()
        })
        .await
        .expect("service readable")
        .into_inner()
        .service
        .unwrap();
        if s.state.as_deref() == Some(want) {
            if want == "RUNNING" {
                let nodes = s.node_states.unwrap_or_default();
                assert!(nodes.iter().all(|n| n.state.as_deref() == Some("running")));
            }
            return poll;
        }
        time.pass(Duration::ZERO).await;
    }
    panic!("{name} never became {want}");
}

async fn update(t: &TestSim, time: &Time, name: &str, v: serde_json::Value) -> types::Service {
    retry(time, || {
        t.client
            .service_update()
            .project("p")
            .service_name(name)
            .body(body::<types::ServiceUpdateRequestBody>(v.clone()))
            .send()
    })
    .await
    .expect("update accepted")
    .into_inner()
    .service
    .unwrap()
}

/// The whole lifecycle of one service; asserts every step.
async fn full_lifecycle(t: &TestSim, time: &Time) {
    retry(time, || {
        t.client
            .project_create()
            .body(body::<types::ProjectCreateRequestBody>(
                json!({"project": "p"}),
            ))
            .send()
    })
    .await
    .unwrap();
    let created = retry(time, || {
        t.client
            .service_create()
            .project("p")
            .body(body::<types::ServiceCreateRequestBody>(json!({
                "service_name": "life", "service_type": "pg", "plan": "startup-4",
            })))
            .send()
    })
    .await
    .unwrap()
    .into_inner()
    .service
    .unwrap();
    assert_eq!(created.state.as_deref(), Some("REBUILDING"));
    assert!(
        wait_for(t, time, "life", "RUNNING").await > 1,
        "it took some polls"
    );

    let s = update(t, time, "life", json!({"plan": "business-4"})).await;
    assert_eq!(s.state.as_deref(), Some("REBALANCING"));
    wait_for(t, time, "life", "RUNNING").await;
    let s = retry(time, || {
        t.client
            .service_get()
            .project("p")
            .service_name("life")
            .send()
    })
    .await
    .unwrap()
    .into_inner()
    .service
    .unwrap();
    assert_eq!(s.node_count, Some(2));

    let s = update(t, time, "life", json!({"powered": false})).await;
    assert_eq!(s.state.as_deref(), Some("POWEROFF"));
    let s = update(t, time, "life", json!({"powered": true})).await;
    assert_eq!(s.state.as_deref(), Some("REBUILDING"));
    wait_for(t, time, "life", "RUNNING").await;

    retry(time, || {
        t.client
            .service_delete()
            .project("p")
            .service_name("life")
            .send()
    })
    .await
    .unwrap();
    let gone = retry(time, || {
        t.client
            .service_get()
            .project("p")
            .service_name("life")
            .send()
    })
    .await;
    assert_eq!(api_error(gone).0, 404);
}

#[tokio::test]
async fn lifecycle_without_faults() {
    let t = start_with(|b| b).await;
    let time = Time::Manual(t.clock.clone(), Duration::from_millis(500));
    full_lifecycle(&t, &time).await;
    let stats = t.sim.stats();
    assert!(
        stats.by_status.keys().all(|s| [200, 404].contains(s)),
        "{stats:?}"
    );
}

#[tokio::test]
async fn lifecycle_with_faults_and_realistic_timings() {
    let t = start_with(|b| {
        b.timings(Timings::realistic())
            .seed(11)
            .fault(FaultRule::global().error_rate(0.25))
            .fault(FaultRule::operation("ServiceGet").rate_limit(2, Duration::from_secs(1)))
            .fault(FaultRule::path_prefix("/project").latency(Duration::from_millis(2)))
    })
    .await;
    // Polls every 20 s of simulated time: minutes of lifecycle, instantly.
    let time = Time::Manual(t.clock.clone(), Duration::from_secs(20));
    full_lifecycle(&t, &time).await;
    let stats = t.sim.stats();
    let server_errors: u64 = stats
        .by_status
        .iter()
        .filter(|(s, _)| **s >= 500)
        .map(|(_, n)| n)
        .sum();
    assert!(server_errors > 0, "5xx were injected: {stats:?}");
    assert!(
        stats.by_status.get(&429).copied().unwrap_or(0) > 0,
        "429s were injected: {stats:?}"
    );
}

#[tokio::test]
async fn lifecycle_on_the_system_clock() {
    let timings = Timings {
        create: Duration::from_millis(300),
        rebalance: Duration::from_millis(200),
        power_on: Duration::from_millis(200),
        topic: Duration::from_millis(100),
    };
    let sim = Simulator::builder()
        .token(TOKEN)
        .timings(timings)
        .validate_responses(true)
        .start()
        .await
        .unwrap();
    let t = TestSim {
        client: common::client(sim.base_url(), Some(TOKEN)),
        sim,
        clock: ManualClock::new(), // unused: the simulator runs on the system clock
        http: aiven_api::tls::client_builder().build().unwrap(),
    };
    full_lifecycle(&t, &Time::Real(Duration::from_millis(25))).await;
}
