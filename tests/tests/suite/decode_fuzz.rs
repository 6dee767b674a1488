//! Bad input: arbitrary and mutated-realistic JSON fed to the decoders of the
//! main responses never panics. A decode may fail (it returns an error), and
//! for mutations that keep the JSON types of the open-world fields, it must
//! succeed.

use aiven_api::types::{
    ListCloudsResponse, ProjectListResponse, ServiceGetResponse, ServiceKafkaTopicListResponse,
    ServiceListResponse,
};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use serde_json::{json, Value};

/// Arbitrary JSON values, a few levels deep.
fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::from),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Every decoder under test, so none is forgotten in a case.
fn decode_all(bytes: &[u8]) {
    let _ = serde_json::from_slice::<ServiceGetResponse>(bytes);
    let _ = serde_json::from_slice::<ServiceListResponse>(bytes);
    let _ = serde_json::from_slice::<ProjectListResponse>(bytes);
    let _ = serde_json::from_slice::<ListCloudsResponse>(bytes);
    let _ = serde_json::from_slice::<ServiceKafkaTopicListResponse>(bytes);
}

/// Paths (as JSON pointers) of every scalar object field in a document.
/// List elements are left out: a `null` inside a list of strings is not a
/// missing field but a broken list, and is refused (as an error, not a panic).
fn scalar_pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => m.iter().for_each(|(k, v)| match v {
            Value::Object(_) | Value::Array(_) => scalar_pointers(v, format!("{at}/{k}"), out),
            _ => out.push(format!("{at}/{k}")),
        }),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_object() || v.is_array())
            .for_each(|(i, v)| scalar_pointers(v, format!("{at}/{i}"), out)),
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        // Past failures are replayed from decode_fuzz.proptest-regressions
        // beside this file. (The default looks for `main.rs` up the tree and
        // would use ../proptest-regressions/decode_fuzz.txt.)
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions"
        ))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_json_never_panics(v in arb_json()) {
        decode_all(&serde_json::to_vec(&v).unwrap());
        decode_all(&serde_json::to_vec(&json!({"service": v.clone(), "services": [v.clone()],
            "projects": [v.clone()], "clouds": [v.clone()], "topics": [v]})).unwrap());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        decode_all(&bytes);
    }

    /// Truncated realistic bodies fail cleanly.
    #[test]
    fn truncated_service_never_panics(cut in 0usize..4000) {
        let body = serde_json::to_vec(&json!({"service": aiven_tests::service_json()})).unwrap();
        decode_all(&body[..cut.min(body.len())]);
    }

    /// A realistic service with any scalar replaced by null, or any string
    /// lengthened, still decodes: the open world at work.
    #[test]
    fn nulled_or_lengthened_scalars_decode(pick in any::<prop::sample::Index>(), null in any::<bool>()) {
        let mut service = aiven_tests::service_json();
        let mut pointers = Vec::new();
        scalar_pointers(&service, String::new(), &mut pointers);
        let at = pick.get(&pointers).clone();
        let slot = service.pointer_mut(&at).unwrap();
        if null {
            *slot = Value::Null;
        } else if let Value::String(s) = slot {
            s.push_str(&"x".repeat(10_000));
        }
        let body = json!({"service": service});
        let decoded: ServiceGetResponse = serde_json::from_value(body)
            .map_err(|e| TestCaseError::fail(format!("{at}: {e}")))?;
        prop_assert!(decoded.service.is_some());
    }

    /// A new value where the spec has an enum decodes.
    #[test]
    fn any_state_string_decodes(state in "[A-Z_]{1,20}") {
        let mut service = aiven_tests::service_json();
        service["state"] = json!(state.clone());
        service["node_states"][0]["state"] = json!(state.to_lowercase());
        let decoded: ServiceGetResponse = serde_json::from_value(json!({"service": service})).unwrap();
        prop_assert_eq!(decoded.service.unwrap().state, Some(state));
    }
}
