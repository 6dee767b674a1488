//! Kafka-native ACL entries and client quotas.

use super::*;

const ACLS: &str = "/project/p/service/k/kafka/acl";

async fn kafka(t: &TestSim) {
    t.project("p").await;
    t.service("p", "k", "kafka", "business-4").await;
    t.advance(3);
}

fn native(resource_type: &str, operation: &str) -> Value {
    json!({
        "host": "*",
        "operation": operation,
        "pattern_type": "PREFIXED",
        "permission_type": "ALLOW",
        "principal": "User:alice",
        "resource_name": "orders.",
        "resource_type": resource_type,
    })
}

#[tokio::test]
async fn native_acls_add_list_get_delete() {
    let t = start().await;
    kafka(&t).await;
    let (s, added) = t
        .call(Method::POST, ACLS, Some(native("Topic", "Read")))
        .await;
    assert_eq!(s, 200, "{added}");
    assert_eq!(added["message"], "added");
    let acl = &added["acl"];
    let id = acl["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("acl"), "{id}");
    assert_eq!(acl["principal"], "User:alice");
    assert_eq!(acl["operation"], "Read");
    assert_eq!(acl["pattern_type"], "PREFIXED");
    assert_eq!(acl["resource_name"], "orders.");

    // The same entry again is the same entry.
    let (_, again) = t
        .call(Method::POST, ACLS, Some(native("Topic", "Read")))
        .await;
    assert_eq!(again["acl"]["id"], id.as_str());
    let (_, other) = t
        .call(Method::POST, ACLS, Some(native("Group", "Read")))
        .await;
    let other_id = other["acl"]["id"].as_str().unwrap().to_string();
    assert_ne!(other_id, id);

    // The native list has both kinds; the legacy list only Aiven's own.
    let (s, list) = t.call(Method::GET, ACLS, None).await;
    assert_eq!(s, 200);
    let ids: Vec<&str> = list["kafka_acl"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id.as_str(), other_id.as_str()]);
    assert_eq!(list["acl"][0]["username"], "avnadmin");
    let (_, legacy) = t.call(Method::GET, "/project/p/service/k/acl", None).await;
    assert_eq!(legacy["acl"].as_array().unwrap().len(), 1);
    assert!(legacy.get("kafka_acl").is_none());

    let one = format!("{ACLS}/{id}");
    let (s, got) = t.call(Method::GET, &one, None).await;
    assert_eq!(s, 200);
    assert_eq!(got["acl"], added["acl"]);

    let (s, deleted) = t.call(Method::DELETE, &one, None).await;
    assert_eq!((s, deleted["message"].as_str()), (200, Some("deleted")));
    let (s, e) = t.call(Method::GET, &one, None).await;
    assert_eq!(s, 404);
    assert_eq!(e["errors"][0]["error_code"], "service_acl_not_found");
    assert_eq!(e["errors"][0]["status"], 404);
    let (s, _) = t.call(Method::DELETE, &one, None).await;
    assert_eq!(s, 404);
    let (_, list) = t.call(Method::GET, ACLS, None).await;
    assert_eq!(list["kafka_acl"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn native_acls_are_validated() {
    let t = start().await;
    kafka(&t).await;
    let bad = |k: &str, v: &str| {
        let mut b = native("Topic", "Read");
        b[k] = json!(v);
        b
    };
    for (k, v) in [
        ("resource_type", "Table"),
        ("pattern_type", "MATCH"),
        ("operation", "Consume"),
        ("permission_type", "MAYBE"),
    ] {
        let (s, e) = t.call(Method::POST, ACLS, Some(bad(k, v))).await;
        assert_eq!(s, 400, "{k}={v}: {e}");
        assert!(e["message"].as_str().unwrap().contains(v), "{e}");
    }
    let (s, e) = t
        .call(Method::POST, ACLS, Some(bad("principal", "alice")))
        .await;
    assert_eq!(s, 400, "{e}");
    // Kafka has no IdempotentWrite on topics.
    let (s, e) = t
        .call(Method::POST, ACLS, Some(native("Topic", "IdempotentWrite")))
        .await;
    assert_eq!(s, 409);
    assert_eq!(e["errors"][0]["error_code"], "kafka_acl_not_supported");
    let (_, list) = t.call(Method::GET, ACLS, None).await;
    assert_eq!(list["kafka_acl"], json!([]));
    // Not a Kafka service.
    t.service("p", "pg1", "pg", "startup-4").await;
    let (s, _) = t
        .call(Method::GET, "/project/p/service/pg1/kafka/acl", None)
        .await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn quotas_create_list_describe_delete() {
    let t = start().await;
    kafka(&t).await;
    let quota = "/project/p/service/k/quota";
    let (s, created) = t
        .call(
            Method::POST,
            quota,
            Some(json!({"user": "alice", "client-id": "app", "consumer_byte_rate": 1_048_576})),
        )
        .await;
    assert_eq!((s, created["message"].as_str()), (200, Some("created")));
    // Creating it again changes the values given.
    t.call(
        Method::POST,
        quota,
        Some(json!({"user": "alice", "client-id": "app", "request_percentage": 25})),
    )
    .await;
    let (s, _) = t
        .call(
            Method::POST,
            quota,
            Some(json!({"client-id": "batch", "producer_byte_rate": 2048})),
        )
        .await;
    assert_eq!(s, 200);

    let (_, list) = t.call(Method::GET, quota, None).await;
    let quotas = list["quotas"].as_array().unwrap();
    assert_eq!(quotas.len(), 2);
    assert_eq!(quotas[0]["user"], "alice");
    assert_eq!(quotas[0]["client-id"], "app");
    assert_eq!(quotas[0]["consumer_byte_rate"], 1_048_576.0);
    assert_eq!(quotas[0]["request_percentage"], 25.0);
    assert_eq!(quotas[1]["user"], "");
    assert_eq!(quotas[1]["client-id"], "batch");

    let sim = &t;
    let describe = |q: &str| {
        let path = format!("{quota}/describe?{q}");
        async move { sim.call(Method::GET, &path, None).await }
    };
    let (s, d) = describe("user=alice&client-id=app").await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["quota"], quotas[0]);
    let (s, d) = describe("client-id=batch").await;
    assert_eq!(s, 200);
    assert_eq!(d["quota"]["producer_byte_rate"], 2048.0);
    // Only the exact user and client-id match.
    assert_eq!(describe("user=alice").await.0, 404);
    assert_eq!(describe("").await.0, 400);

    let (s, e) = t
        .call(Method::POST, quota, Some(json!({"consumer_byte_rate": 1})))
        .await;
    assert_eq!(s, 400, "{e}");
    let (s, _) = t
        .call(Method::POST, quota, Some(json!({"user": "bob"})))
        .await;
    assert_eq!(s, 400);

    let (s, d) = t
        .call(
            Method::DELETE,
            &format!("{quota}?user=alice&client-id=app"),
            None,
        )
        .await;
    assert_eq!((s, d["message"].as_str()), (200, Some("deleted")));
    assert_eq!(describe("user=alice&client-id=app").await.0, 404);
    let (s, _) = t
        .call(
            Method::DELETE,
            &format!("{quota}?user=alice&client-id=app"),
            None,
        )
        .await;
    assert_eq!(s, 404);
    let (_, list) = t.call(Method::GET, quota, None).await;
    assert_eq!(list["quotas"].as_array().unwrap().len(), 1);
}
