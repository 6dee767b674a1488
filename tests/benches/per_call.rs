//! Per-call overhead of `ServiceGet` through the generated client vs the
//! floor: a raw `reqwest` GET and a `serde_json::Value` decode of the same
//! body from the same loopback server (a minimal axum app serving fixed bytes),
//! and the same call through `aiven-ext` with its retry transport.
//!
//! `cargo bench -p aiven-tests --bench per_call`

use std::net::SocketAddr;

use axum::routing::get;
use criterion::{criterion_group, criterion_main, Criterion};

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

fn per_call(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let body = serde_json::to_vec(&serde_json::json!({ "service": aiven_tests::service_json() }))
        .expect("encode");
    let addr = rt.block_on(serve(body));
    let base = format!("http://{addr}");
    let typed = aiven_tests::raw_client(&base, Some("bench-token"));
    // The same call through aiven-ext: retry transport and error mapping on.
    let ext = aiven_ext::AivenClient::builder()
        .base_url(base.clone())
        .token("bench-token")
        .build()
        .expect("ext client");
    let raw = reqwest::Client::new();
    let url = format!("{base}/v1/project/p/service/s");

    let mut group = c.benchmark_group("service_get");
    group.bench_function("raw_reqwest_value", |b| {
        b.to_async(&rt).iter(|| async {
            let bytes = raw
                .get(&url)
                .send()
                .await
                .expect("send")
                .bytes()
                .await
                .expect("body");
            serde_json::from_slice::<serde_json::Value>(&bytes).expect("json")
        })
    });
    group.bench_function("typed_client", |b| {
        b.to_async(&rt).iter(|| async {
            typed
                .service_get()
                .project("p")
                .service_name("s")
                .send()
                .await
                .expect("typed")
                .into_inner()
        })
    });
    group.bench_function("ext_client_with_retries", |b| {
        b.to_async(&rt).iter(|| async {
            ext.service_get()
                .project("p")
                .service_name("s")
                .send()
                .await
                .expect("ext")
                .into_inner()
        })
    });
    group.finish();
}

criterion_group!(benches, per_call);
criterion_main!(benches);
