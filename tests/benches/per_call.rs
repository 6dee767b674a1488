//! Per-call overhead of `ServiceGet` through the generated client vs the
//! floor: a raw `reqwest` GET and a `serde_json::Value` decode of the same
//! body from the same loopback server (a minimal axum app serving fixed bytes),
//! and the same call through `aiven-ext` with its retry transport; then the
//! three interleaved, for ratios that a drifting machine does not skew.
//!
//! `cargo bench -p aiven-tests --bench per_call`

use std::net::SocketAddr;

use axum::routing::get;
use criterion::{criterion_group, Criterion};

async fn serve(body: Vec<u8>) -> SocketAddr {
    let app = axum::Router::new().route(
        "/v1/project/{project}/service/{service}",
        get(move || {
            let body = body.clone();
            async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    body,
                )
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    addr
}

/// The four ways of making the call, sharing one server.
struct Callers {
    raw: reqwest::Client,
    url: String,
    typed: aiven_api::Client,
    ext: aiven_ext::AivenClient,
}

impl Callers {
    fn new(rt: &tokio::runtime::Runtime) -> Self {
        let body =
            serde_json::to_vec(&serde_json::json!({ "service": aiven_tests::service_json() }))
                .expect("encode");
        let addr = rt.block_on(serve(body));
        let base = format!("http://{addr}");
        Self {
            raw: aiven_api::tls::client_builder().build().unwrap(),
            url: format!("{base}/v1/project/p/service/s"),
            typed: aiven_tests::raw_client(&base, Some("bench-token")),
            // The same call through aiven-ext: retry transport, deadline,
            // size cap, truncation check and error mapping on.
            ext: aiven_ext::AivenClient::builder()
                .base_url(base.clone())
                .token("bench-token")
                .build()
                .expect("ext client"),
        }
    }

    async fn raw_value(&self) -> serde_json::Value {
        let bytes = self
            .raw
            .get(&self.url)
            .send()
            .await
            .expect("send")
            .bytes()
            .await
            .expect("body");
        serde_json::from_slice::<serde_json::Value>(&bytes).expect("json")
    }

    async fn typed(&self) -> aiven_api::types::ServiceGetResponse {
        self.typed
            .service_get()
            .project("p")
            .service_name("s")
            .send()
            .await
            .expect("typed")
            .into_inner()
    }

    async fn ext(&self) -> aiven_api::types::ServiceGetResponse {
        self.ext
            .service_get()
            .project("p")
            .service_name("s")
            .send()
            .await
            .expect("ext")
            .into_inner()
    }
}

fn per_call(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let callers = Callers::new(&rt);
    let callers = &callers;
    let mut group = c.benchmark_group("service_get");
    group.bench_function("raw_reqwest_value", |b| {
        b.to_async(&rt).iter(|| callers.raw_value())
    });
    group.bench_function("typed_client", |b| b.to_async(&rt).iter(|| callers.typed()));
    group.bench_function("ext_client_with_retries", |b| {
        b.to_async(&rt).iter(|| callers.ext())
    });
    group.finish();
}

/// The ratios to the floor, measured interleaved: criterion times one
/// function after the other, so a drift of the machine (another process,
/// the CPU's clock) lands on one of them; here every round times 200 calls
/// of each, in rotating order, and the ratio is the median over rounds of
/// each round's ratio. Printed after criterion's figures; the README's
/// ratios come from this table.
fn interleaved() {
    const ROUNDS: usize = 40;
    const CALLS: u32 = 200;
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let callers = Callers::new(&rt);
    let names = [
        "raw reqwest + Value (floor)",
        "generated client",
        "aiven-ext",
    ];
    let mut per_round: Vec<[f64; 3]> = Vec::new();
    rt.block_on(async {
        for _ in 0..CALLS {
            callers.raw_value().await;
            callers.typed().await;
            callers.ext().await;
        }
        for round in 0..ROUNDS {
            let mut micros = [0f64; 3];
            for k in 0..3 {
                let which = (round + k) % 3;
                let started = std::time::Instant::now();
                for _ in 0..CALLS {
                    match which {
                        0 => drop(std::hint::black_box(callers.raw_value().await)),
                        1 => drop(std::hint::black_box(callers.typed().await)),
                        _ => drop(std::hint::black_box(callers.ext().await)),
                    }
                }
                micros[which] = started.elapsed().as_secs_f64() * 1e6 / f64::from(CALLS);
            }
            per_round.push(micros);
        }
    });
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!("\ninterleaved: {ROUNDS} rounds of {CALLS} calls each, medians");
    for (i, name) in names.iter().enumerate() {
        let time = median(per_round.iter().map(|r| r[i]).collect());
        let ratio = median(per_round.iter().map(|r| r[i] / r[0]).collect());
        println!("  {name:<28} {time:>7.1} µs  {ratio:.3}× floor");
    }
}

criterion_group!(benches, per_call);

fn main() {
    benches();
    // `cargo bench` passes --bench; `cargo test --benches` does not and
    // only checks that each function runs.
    if std::env::args().any(|a| a == "--bench") {
        interleaved();
    }
    Criterion::default().configure_from_args().final_summary();
}
