//! Simulator throughput: requests per second for `ServiceGet` and
//! `ServiceCreate` with 1, 8 and 64 concurrent clients, against an
//! in-process simulator on loopback.
//!
//! Each iteration sends 64 requests, split evenly over C concurrent tasks
//! sharing one `reqwest::Client` (its pool opens up to C connections). The
//! client is raw `reqwest` with pre-encoded bodies, reading each answer's
//! bytes without decoding them, so the figures are the simulator's (routing,
//! auth, request validation, the handler under the state lock, rendering)
//! plus the HTTP stack, not the generated client's decoding. Simulator and
//! clients share one Tokio runtime with 2 worker threads.
//!
//! Creates need unique names and must not grow one project without bound:
//! every sample (`iter_custom`) starts a fresh simulator with an empty
//! project, warms the connections up, then times `iters × 64` creates.
//!
//! `cargo bench -p aiven-sim --bench throughput`; criterion reports
//! elements/s, i.e. requests per second.

use std::sync::Arc;
use std::time::{Duration, Instant};

use aiven_sim::{SimHandle, Simulator, Timings};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use reqwest::{Client, Method};

/// Requests per iteration.
const REQUESTS: usize = 64;
/// Concurrent clients.
const CONCURRENCY: [usize; 3] = [1, 8, 64];
const TOKEN: &str = "bench-token";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

fn http() -> Client {
    aiven_api::tls::client_builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

/// A simulator with project `bench` and, if asked, a service `pg-1`.
async fn start(with_service: bool) -> (SimHandle, Client) {
    let sim = Simulator::builder()
        .token(TOKEN)
        .timings(Timings::instant())
        .start()
        .await
        .expect("simulator starts");
    let http = http();
    let base = sim.base_url().to_string();
    let ok = send(
        &http,
        Method::POST,
        &format!("{base}/project"),
        Some(r#"{"project":"bench"}"#.into()),
    )
    .await;
    assert!(ok, "project created");
    if with_service {
        let body = r#"{"service_name":"pg-1","service_type":"pg","plan":"startup-4"}"#;
        let ok = send(
            &http,
            Method::POST,
            &format!("{base}/project/bench/service"),
            Some(body.into()),
        )
        .await;
        assert!(ok, "service created");
    }
    (sim, http)
}

/// One request; whether it was answered 200 (its body read to the end).
async fn send(http: &Client, method: Method, url: &str, body: Option<String>) -> bool {
    let mut r = http
        .request(method, url)
        .header("authorization", format!("aivenv1 {TOKEN}"));
    if let Some(b) = body {
        r = r.header("content-type", "application/json").body(b);
    }
    match r.send().await {
        Ok(resp) => resp.status() == 200 && resp.bytes().await.is_ok(),
        Err(_) => false,
    }
}

/// Sends `requests` (method, url, body) over `concurrency` tasks, each
/// taking every `concurrency`-th request; panics unless all answer 200.
async fn batch(
    http: &Client,
    requests: Arc<Vec<(Method, String, Option<String>)>>,
    concurrency: usize,
) {
    let tasks: Vec<_> = (0..concurrency)
        .map(|t| {
            let (http, requests) = (http.clone(), requests.clone());
            tokio::spawn(async move {
                let mut ok = 0;
                for (m, url, body) in requests.iter().skip(t).step_by(concurrency) {
                    ok += usize::from(send(&http, m.clone(), url, body.clone()).await);
                }
                ok
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        ok += t.await.expect("task");
    }
    assert_eq!(ok, requests.len(), "every request answered 200");
}

fn throughput(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("sim_throughput");
    group.throughput(Throughput::Elements(REQUESTS as u64));

    let (sim, http) = rt.block_on(start(true));
    let get_url = format!("{}/project/bench/service/pg-1", sim.base_url());
    let gets = Arc::new(vec![(Method::GET, get_url, None); REQUESTS]);
    for c in CONCURRENCY {
        group.bench_with_input(BenchmarkId::new("ServiceGet", c), &c, |b, &c| {
            b.to_async(&rt).iter(|| batch(&http, gets.clone(), c));
        });
    }
    drop((sim, http));

    for c in CONCURRENCY {
        group.bench_with_input(BenchmarkId::new("ServiceCreate", c), &c, |b, &c| {
            b.to_async(&rt).iter_custom(|iters| async move {
                let (sim, http) = start(false).await;
                let base = sim.base_url().to_string();
                // Open the connections before timing.
                let warm = Arc::new(vec![(Method::GET, format!("{base}/project/bench"), None); c]);
                batch(&http, warm, c).await;
                let create_url = format!("{base}/project/bench/service");
                let batches: Vec<_> = (0..iters)
                    .map(|i| {
                        let requests = (0..REQUESTS)
                            .map(|k| {
                                let body = format!(
                                    r#"{{"service_name":"s-{i}-{k}","service_type":"pg","plan":"startup-4"}}"#
                                );
                                (Method::POST, create_url.clone(), Some(body))
                            })
                            .collect::<Vec<_>>();
                        Arc::new(requests)
                    })
                    .collect();
                let started = Instant::now();
                for requests in batches {
                    batch(&http, requests, c).await;
                }
                let elapsed = started.elapsed();
                drop((sim, http));
                elapsed
            });
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    targets = throughput
}
criterion_main!(benches);
