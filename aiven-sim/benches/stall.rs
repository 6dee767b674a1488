//! Stall bench: the latency of a cheap request (`GET /v1/clouds`) while
//! worst-case requests run beside it — GETs of the biggest accepted topic
//! (every partition rendered), the full topic list of a service with
//! thousands of topics, and request bodies of the maximum size.
//!
//! ```text
//! cargo bench -p aiven-sim --bench stall
//! STALL_URL=http://127.0.0.1:8080/v1 STALL_PARTITIONS=1000000 cargo bench -p aiven-sim --bench stall
//! ```
//!
//! Without `STALL_URL` it starts an embedded simulator. Knobs (environment):
//! `STALL_PARTITIONS` (default 4096, the cap), `STALL_TOPICS` (2000),
//! `STALL_WORKERS` (4), `STALL_SECS` (10, per phase), `STALL_KINDS` (`012`: which
//! worst cases run — 0 big topic GET, 1 topic list, 2 max-size body). Prints p50/p99/max of
//! the victim alone, then under load.

use std::time::{Duration, Instant};

use aiven_sim::{Simulator, Timings};
use serde_json::json;

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn client() -> reqwest::Client {
    let mut h = reqwest::header::HeaderMap::new();
    h.insert("authorization", "aivenv1 bench".parse().unwrap());
    aiven_api::tls::client_builder()
        .default_headers(h)
        .timeout(Duration::from_secs(600))
        .build()
        .unwrap()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// `GET /clouds` in a loop for `secs`; sorted latencies.
async fn victim(base: &str, secs: u64) -> Vec<Duration> {
    let c = client();
    let url = format!("{base}/clouds");
    let end = Instant::now() + Duration::from_secs(secs);
    let mut lat = Vec::new();
    while Instant::now() < end {
        let t = Instant::now();
        let r = c.get(&url).send().await.expect("clouds");
        assert!(r.status().is_success(), "{}", r.status());
        r.bytes().await.unwrap();
        lat.push(t.elapsed());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    lat.sort();
    lat
}

fn report(name: &str, lat: &[Duration]) {
    println!(
        "{name:<28} n={:<6} p50={:<12} p99={:<12} max={}",
        lat.len(),
        ms(percentile(lat, 0.5)),
        ms(percentile(lat, 0.99)),
        ms(lat.last().copied().unwrap_or_default()),
    );
}

/// The embedded simulator runs on its own runtime (threads), so that the
/// bench's clients do not take the server's workers.
fn start_embedded() -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let sim = Simulator::builder()
                .timings(Timings::instant())
                .start()
                .await
                .expect("simulator starts");
            tx.send(sim.base_url().to_string()).unwrap();
            std::future::pending::<()>().await;
        });
    });
    rx.recv().unwrap()
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    // `cargo bench` passes `--bench`; nothing to parse.
    let partitions: u64 = env("STALL_PARTITIONS", 4096);
    let topics: usize = env("STALL_TOPICS", 2000);
    let workers: usize = env("STALL_WORKERS", 4);
    let secs: u64 = env("STALL_SECS", 10);
    // Which worst cases run: 0 big topic, 1 topic list, 2 max-size body.
    let kinds: Vec<usize> = env("STALL_KINDS", "012".to_string())
        .chars()
        .filter_map(|c| c.to_digit(10).map(|d| d as usize % 3))
        .collect();
    let base = std::env::var("STALL_URL").unwrap_or_else(|_| start_embedded());
    let c = client();
    let post =
        |path: &str, body: serde_json::Value| c.post(format!("{base}{path}")).json(&body).send();
    let r = post("/project", json!({"project": "stall"})).await.unwrap();
    assert!(r.status().is_success(), "project: {}", r.status());
    let r = post(
        "/project/stall/service",
        json!({"service_name": "k", "service_type": "kafka", "plan": "business-4"}),
    )
    .await
    .unwrap();
    assert!(r.status().is_success(), "service: {}", r.status());
    let r = post(
        "/project/stall/service/k/topic",
        json!({"topic_name": "big", "partitions": partitions, "replication": 2}),
    )
    .await
    .unwrap();
    println!("topic with {partitions} partitions: {}", r.status());
    let setup = Instant::now();
    for chunk in (0..topics).collect::<Vec<_>>().chunks(50) {
        let reqs = chunk.iter().map(|i| {
            post(
                "/project/stall/service/k/topic",
                json!({"topic_name": format!("t-{i:05}"), "partitions": 3, "replication": 2}),
            )
        });
        for r in futures::future::join_all(reqs).await {
            assert!(r.unwrap().status().is_success());
        }
    }
    println!(
        "{topics} topics created in {:.1} s",
        setup.elapsed().as_secs_f64()
    );
    let big = c
        .get(format!("{base}/project/stall/service/k/topic/big"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .len();
    let list = c
        .get(format!("{base}/project/stall/service/k/topic"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .len();
    println!("big topic answer {big} bytes, topic list {list} bytes");

    report("GET /clouds alone", &victim(&base, secs / 2).await);

    // Worst-case load beside it.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // A body just under the 1 MiB cap: read, parsed and validated in full.
    let max_body = serde_json::to_vec(
        &json!({"topic_name": "x", "topic_description": "d".repeat(1024 * 1024 - 64)}),
    )
    .unwrap();
    let max_body = axum::body::Bytes::from(max_body);
    let mut tasks = Vec::new();
    for w in 0..workers {
        let (base, stop, max_body) = (base.clone(), stop.clone(), max_body.clone());
        let kinds = kinds.clone();
        tasks.push(tokio::spawn(async move {
            let c = client();
            let mut done = [0u64; 3];
            let mut spent = [Duration::ZERO; 3];
            let mut i = w;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let kind = kinds[i % kinds.len()];
                let t = Instant::now();
                let req = match kind {
                    0 => c.get(format!("{base}/project/stall/service/k/topic/big")),
                    1 => c.get(format!("{base}/project/stall/service/k/topic")),
                    _ => c
                        .post(format!("{base}/project/stall/service/k/topic"))
                        .header("content-type", "application/json")
                        .body(max_body.clone()),
                };
                if let Ok(r) = req.send().await {
                    let _ = r.bytes().await;
                }
                done[kind] += 1;
                spent[kind] += t.elapsed();
                i += 1;
            }
            (done, spent)
        }));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let loaded = victim(&base, secs).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut done = [0u64; 3];
    let mut spent = [Duration::ZERO; 3];
    for t in tasks {
        let (d, s) = t.await.unwrap();
        for k in 0..3 {
            done[k] += d[k];
            spent[k] += s[k];
        }
    }
    report(&format!("GET /clouds, {workers} workers"), &loaded);
    for (k, name) in ["GET big topic", "GET topic list", "POST 1 MiB body"]
        .iter()
        .enumerate()
    {
        let mean = spent[k]
            .checked_div(done[k].max(1) as u32)
            .unwrap_or_default();
        println!("  worker {name:<18} n={:<6} mean={}", done[k], ms(mean));
    }
}
