//! Decoding a realistic `ServiceList` (1, 100, 1000 services) into the
//! generated types vs into `serde_json::Value`, the floor; and the lenient
//! path (`lenient`: every service has one field of the wrong type, so the
//! strict decode fails and the lenient pass runs).
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

/// Its own group, after the strict ones, so that the typed figures are taken
/// in the same process state as before the lenient path existed.
fn decode_lenient(c: &mut Criterion) {
    let mut group = c.benchmark_group("decode_service_list");
    for n in [1usize, 100, 1000] {
        let mut bad = aiven_tests::service_list_json(n);
        for s in bad["services"].as_array_mut().expect("services") {
            s["node_count"] = "three".into();
        }
        let bad = serde_json::to_vec(&bad).expect("encode");
        group.bench_with_input(BenchmarkId::new("lenient", n), &bad, |b, body| {
            b.iter(|| {
                let (list, report) =
                    aiven_api::lenient::decode::<ServiceListResponse>(body).expect("lenient");
                assert_eq!(report.total, n);
                list
            })
        });
    }
    group.finish();
}

criterion_group!(benches, decode, decode_lenient);
criterion_main!(benches);
