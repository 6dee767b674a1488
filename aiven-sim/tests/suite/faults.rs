//! Faults on demand, seen through real HTTP: rate limits, 5xx fractions
//! (seeded), latency, missing backups, dropped connections, truncated JSON,
//! and their scoping to operations and path prefixes.

use std::time::{Duration, Instant};

use crate::common::{api_error, body, start_with_faults};
use aiven_api::types;
use aiven_sim::FaultRule;
use reqwest::Method;
use serde_json::json;

#[allow(deprecated)] // ProjectGet: deprecated by the June 2026 description, still served.
#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let t = start_with_faults(
        vec![FaultRule::operation("ServiceList").rate_limit(3, Duration::from_secs(1))],
        1,
    )
    .await;
    t.project("p").await;
    for _ in 0..3 {
        t.client.service_list().project("p").send().await.unwrap();
    }
    let (status, headers, b) = t.raw(Method::GET, "/project/p/service", None).await;
    assert_eq!(status, 429);
    assert_eq!(headers["retry-after"], "1");
    assert_eq!(b["errors"][0]["status"], 429);
    let (status, e) = api_error(t.client.service_list().project("p").send().await);
    assert_eq!(status, 429);
    assert_eq!(e.message.as_deref(), Some("Too many requests"));
    // Other operations are not limited.
    for _ in 0..5 {
        t.client.project_get().project("p").send().await.unwrap();
    }
    // The next window admits requests again.
    t.clock.advance(Duration::from_millis(1000));
    t.client.service_list().project("p").send().await.unwrap();
    assert_eq!(t.sim.stats().by_status[&429], 2);
}

async fn statuses(seed: u64) -> Vec<u16> {
    let t = start_with_faults(
        vec![FaultRule::operation("ListClouds").error_rate(0.5)],
        seed,
    )
    .await;
    let mut out = Vec::new();
    for _ in 0..40 {
        let (status, _, b) = t.raw(Method::GET, "/clouds", None).await;
        if status != 200 {
            assert_eq!(b["errors"][0]["status"], status, "Aiven error format");
        }
        out.push(status);
    }
    out
}

#[tokio::test]
async fn a_seeded_fraction_of_5xx() {
    let a = statuses(7).await;
    let errors = a.iter().filter(|s| **s >= 500).count();
    assert!((10..=30).contains(&errors), "{errors} of 40: {a:?}");
    assert!(
        a.iter().all(|s| [200, 500, 502, 503, 504].contains(s)),
        "{a:?}"
    );
    assert_eq!(
        a,
        statuses(7).await,
        "the same seed fails the same requests"
    );
    assert_ne!(a, statuses(8).await);
}

#[tokio::test]
async fn a_5xx_has_no_side_effect() {
    let t = start_with_faults(
        vec![FaultRule::operation("ServiceCreate").error_rate(1.0)],
        3,
    )
    .await;
    t.project("p").await;
    let r = t
        .client
        .service_create()
        .project("p")
        .body(body::<types::ServiceCreateRequestBody>(
            json!({"service_name": "s", "service_type": "pg", "plan": "startup-4"}),
        ))
        .send()
        .await;
    let (status, _) = api_error(r);
    assert!((500..600).contains(&status));
    let (status, _) = api_error(
        t.client
            .service_get()
            .project("p")
            .service_name("s")
            .send()
            .await,
    );
    assert_eq!(status, 404, "the failed create created nothing");
}

#[tokio::test]
async fn latency_is_added_where_asked() {
    let t = start_with_faults(
        vec![FaultRule::operation("ServiceList").latency(Duration::from_millis(150))],
        1,
    )
    .await;
    t.project("p").await;
    let started = Instant::now();
    t.client.service_list().project("p").send().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn running_but_no_backup_yet() {
    let t = start_with_faults(
        vec![FaultRule::path_prefix("/project/p/").no_backup_for(Duration::from_secs(30))],
        1,
    )
    .await;
    t.project("p").await;
    t.service("p", "s", "pg", "startup-4").await;
    t.advance(3);
    let s = t.get("p", "s").await;
    assert_eq!(s.state.as_deref(), Some("RUNNING"));
    assert_eq!(s.backups.unwrap_or_default().len(), 0);
    let b = t
        .client
        .service_backups_get()
        .project("p")
        .service_name("s")
        .send()
        .await
        .unwrap();
    assert!(b.into_inner().backups.unwrap_or_default().is_empty());
    t.advance(29);
    assert!(t.get("p", "s").await.backups.unwrap_or_default().is_empty());
    t.advance(1);
    let backups = t.get("p", "s").await.backups.unwrap_or_default();
    assert_eq!(backups.len(), 1);
    assert_eq!(
        backups[0].backup_time.as_deref(),
        Some("2024-01-01T00:00:33Z")
    );
}

#[tokio::test]
async fn truncated_json_fails_decoding() {
    let t = start_with_faults(
        vec![FaultRule::operation("ListClouds").truncate_rate(1.0)],
        1,
    )
    .await;
    let r = t.client.list_clouds().send().await;
    assert!(
        matches!(r, Err(aiven_api::Error::InvalidResponsePayload(..))),
        "{r:?}"
    );
    let resp = t.http.get(t.url("/clouds")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.unwrap();
    assert!(text.starts_with("{\"clouds\""));
    assert!(serde_json::from_str::<serde_json::Value>(&text).is_err());
    // Other routes are whole.
    t.client.list_public_service_types().send().await.unwrap();
}

#[tokio::test]
async fn dropped_connections_fail_the_request() {
    let t = start_with_faults(
        vec![FaultRule::operation("ListClouds").drop_connection_rate(1.0)],
        1,
    )
    .await;
    for _ in 0..3 {
        let r = t.http.get(t.url("/clouds")).send().await;
        let failed = match r {
            Err(_) => true,
            Ok(resp) => resp.bytes().await.is_err(),
        };
        assert!(failed, "the connection was dropped mid-response");
    }
    assert!(t.client.list_clouds().send().await.is_err());
    // The server keeps serving.
    t.client.list_service_versions().send().await.unwrap();
}

#[allow(deprecated)] // ProjectGet: deprecated by the June 2026 description, still served.
#[tokio::test]
async fn faults_are_scoped_to_path_prefixes() {
    let t = start_with_faults(
        vec![FaultRule::path_prefix("/project/p2").error_rate(1.0)],
        1,
    )
    .await;
    t.project("p1").await;
    t.project("p2").await;
    t.client.service_list().project("p1").send().await.unwrap();
    let (status, _) = api_error(t.client.service_list().project("p2").send().await);
    assert!(status >= 500);
    let (status, _) = api_error(t.client.project_get().project("p2").send().await);
    assert!(status >= 500);
}
