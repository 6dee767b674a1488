//! Creates per second with a state file, at 10, 500 and 2,000 existing
//! services: a change must cost the same whatever the state holds.
//!
//! The existing services are put in place with a restore, then 100
//! `ServiceCreate`s are sent one after the other to project `bench`. A
//! project holds at most 1,000 services (see `limits`; a restore is checked
//! like intake), so the first table keeps the existing services in other
//! projects (`seed0`, `seed1`, … of at most 1,000 each), the second in
//! `bench` itself (up to 890).
//!
//! Each figure is the median of three runs (the machine may be shared).
//!
//! `cargo bench -p aiven-sim --bench persist`.

use std::time::{Duration, Instant};

use aiven_sim::{Simulator, Timings};
use serde_json::{json, Value};

const CREATES: usize = 100;
/// The simulator's cap on services per project.
const PER_PROJECT: usize = 1_000;
const TOKEN: &str = "bench-token";

async fn post(http: &reqwest::Client, url: String, body: Value) {
    let r = http
        .post(url)
        .header("authorization", format!("aivenv1 {TOKEN}"))
        .json(&body)
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
}

async fn creates_per_second(existing: usize, same_project: bool) -> f64 {
    let dir = tempfile::tempdir().expect("tempdir");
    let sim = Simulator::builder()
        .token(TOKEN)
        .timings(Timings::instant())
        .state_file(dir.path().join("state"))
        .start()
        .await
        .expect("starts");
    let http = aiven_api::tls::client_builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client");
    let base = sim.base_url().to_string();
    let seeds = existing.div_ceil(PER_PROJECT).max(1);
    for p in (0..seeds)
        .map(|i| format!("seed{i}"))
        .chain(["bench".into()])
    {
        post(&http, format!("{base}/project"), json!({ "project": p })).await;
    }
    post(
        &http,
        format!("{base}/project/seed0/service"),
        json!({"service_name": "tmpl", "service_type": "pg", "plan": "startup-4"}),
    )
    .await;
    let mut snapshot = sim.snapshot();
    let template = snapshot.service("seed0", "tmpl").expect("made").clone();
    for i in usize::from(!same_project)..existing {
        let into = if same_project {
            "bench".to_owned()
        } else {
            format!("seed{}", i / PER_PROJECT)
        };
        let mut s = template.clone();
        s["name"] = json!(format!("s{i}"));
        snapshot.state_mut()["projects"][into]["services"][format!("s{i}")] = s;
    }
    sim.restore(snapshot).expect("restored");
    let started = Instant::now();
    for i in 0..CREATES {
        post(
            &http,
            format!("{base}/project/bench/service"),
            json!({"service_name": format!("b{i}"), "service_type": "pg", "plan": "startup-4"}),
        )
        .await;
    }
    CREATES as f64 / started.elapsed().as_secs_f64()
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    for (same_project, sizes) in [(false, [10, 500, 2_000]), (true, [10, 500, 890])] {
        let place = if same_project {
            "in `bench`"
        } else {
            "in `seed*`"
        };
        println!("\n| existing services ({place}) | creates/s |");
        println!("|---:|---:|");
        let mut first = None;
        for existing in sizes {
            let mut runs: Vec<f64> = (0..3)
                .map(|_| rt.block_on(creates_per_second(existing, same_project)))
                .collect();
            runs.sort_by(f64::total_cmp);
            let rate = runs[1];
            let base = *first.get_or_insert(rate);
            println!(
                "| {existing} | {rate:.0} ({:.0} % of 10) |",
                100.0 * rate / base
            );
        }
    }
}
