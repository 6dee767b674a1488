//! Decoding a realistic `ServiceList` (1, 100, 1000 services) into the
//! generated types vs into `serde_json::Value`, the floor.
//!
//! `cargo bench -p aiven-tests --bench decode`

use aiven_api::types::ServiceListResponse;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

fn decode(c: &mut Criterion) {
    let mut group = c.benchmark_group("decode_service_list");
    for n in [1usize, 100, 1000] {
        let body = serde_json::to_vec(&aiven_tests::service_list_json(n)).expect("encode");
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_with_input(BenchmarkId::new("typed", n), &body, |b, body| {
            b.iter(|| serde_json::from_slice::<ServiceListResponse>(body).expect("typed"))
        });
        group.bench_with_input(BenchmarkId::new("value", n), &body, |b, body| {
            b.iter(|| serde_json::from_slice::<serde_json::Value>(body).expect("value"))
        });
    }
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
