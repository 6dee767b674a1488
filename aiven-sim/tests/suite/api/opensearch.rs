//! OpenSearch indices and ACL configuration.

use super::*;

const INDEX: &str = "/project/p/service/os/index";

async fn opensearch(t: &TestSim) {
    t.project("p").await;
    t.service("p", "os", "opensearch", "business-4").await;
    t.advance(3);
}

/// Index names as listed.
async fn names(t: &TestSim) -> Vec<(String, String)> {
    let (s, list) = t.call(Method::GET, INDEX, None).await;
    assert_eq!(s, 200, "{list}");
    list["indexes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["index_name"].as_str().unwrap().to_string(),
                i["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Adds indices as clients writing to OpenSearch would (through a
/// snapshot: the Aiven API creates none).
fn add_indices(t: &TestSim, new: &[&str]) {
    let mut snapshot = t.sim.snapshot();
    let service = &mut snapshot.state_mut()["projects"]["p"]["services"]["os"];
    let mut indices = serde_json::Map::new();
    for (name, _) in [
        (".kibana_1", 0),
        (".opensearch-observability", 0),
        (".plugins-ml-config", 0),
    ] {
        indices.insert(name.into(), index(true));
    }
    for name in new {
        indices.insert((*name).into(), index(true));
    }
    service["opensearch_indices"] = Value::Object(indices);
    t.sim.restore(snapshot).unwrap();
}

fn index(open: bool) -> Value {
    json!({"create_time": 0, "docs": 10, "size": 4096, "number_of_shards": 1,
           "number_of_replicas": 1, "open": open})
}

#[tokio::test]
async fn a_new_service_has_the_system_indices() {
    let t = start().await;
    opensearch(&t).await;
    let (_, list) = t.call(Method::GET, INDEX, None).await;
    let first = &list["indexes"][0];
    assert_eq!(first["index_name"], ".kibana_1");
    assert_eq!(first["health"], "green");
    assert_eq!(first["number_of_shards"], 1);
    assert_eq!(first["number_of_replicas"], 1);
    assert!(first["create_time"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        names(&t).await,
        [
            (".kibana_1".to_string(), "open".to_string()),
            (".opensearch-observability".into(), "open".into()),
            (".plugins-ml-config".into(), "open".into()),
        ]
    );
    // System indices cannot be deleted.
    let (s, e) = t
        .call(Method::DELETE, &format!("{INDEX}/.kibana_1"), None)
        .await;
    assert_eq!(s, 403);
    assert_eq!(
        e["errors"][0]["error_code"],
        "opensearch_delete_system_index"
    );
    // Not an OpenSearch service.
    t.service("p", "k", "kafka", "business-4").await;
    let (s, _) = t
        .call(Method::GET, "/project/p/service/k/index", None)
        .await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn indices_delete_close_and_open() {
    let t = start().await;
    opensearch(&t).await;
    add_indices(&t, &["logs-1", "logs-2", "orders"]);

    // Delete: by name, then by pattern (which leaves the system indices).
    let (s, d) = t
        .call(Method::DELETE, &format!("{INDEX}/orders"), None)
        .await;
    assert_eq!((s, d["message"].as_str()), (200, Some("deleted")));
    let (s, e) = t
        .call(Method::DELETE, &format!("{INDEX}/orders"), None)
        .await;
    assert_eq!(s, 404);
    assert_eq!(e["errors"][0]["error_code"], "index_not_found");

    // Close one, then open by pattern.
    let (s, c) = t
        .call(
            Method::POST,
            "/project/p/service/os/opensearch/logs-1/_close",
            None,
        )
        .await;
    assert_eq!((s, &c["acknowledged"]), (200, &json!(true)), "{c}");
    let listed = names(&t).await;
    assert!(
        listed.contains(&("logs-1".into(), "close".into())),
        "{listed:?}"
    );
    assert!(listed.contains(&("logs-2".into(), "open".into())));
    let (_, list) = t.call(Method::GET, INDEX, None).await;
    let closed = list["indexes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["index_name"] == "logs-1")
        .unwrap()
        .clone();
    assert_eq!(closed["docs"], -1);
    let (s, e) = t
        .call(
            Method::POST,
            "/project/p/service/os/opensearch/nope/_close",
            None,
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(e["errors"][0]["error_code"], "index_close_failed");

    let (s, c) = t
        .call(
            Method::POST,
            "/project/p/service/os/index/close_multiple",
            Some(json!({"indices": ["logs-2", "missing"]})),
        )
        .await;
    assert_eq!(s, 200, "{c}");
    assert_eq!(c["closed_indices"], json!(["logs-2"]));
    let (s, o) = t
        .call(
            Method::POST,
            "/project/p/service/os/opensearch/logs-*/_open",
            None,
        )
        .await;
    assert_eq!((s, &o["acknowledged"]), (200, &json!(true)), "{o}");
    assert!(names(&t).await.iter().all(|(_, status)| status == "open"));

    let (s, _) = t
        .call(Method::DELETE, &format!("{INDEX}/logs-*"), None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(names(&t).await.len(), 3);
}

#[tokio::test]
async fn acl_set_replaces_and_update_merges() {
    let t = start().await;
    opensearch(&t).await;
    let acl = "/project/p/service/os/opensearch/acl";
    let (s, got) = t.call(Method::GET, acl, None).await;
    assert_eq!(s, 200);
    assert_eq!(
        got["opensearch_acl_config"],
        json!({"acls": [], "enabled": false})
    );

    let alice = json!({"username": "alice", "rules": [{"index": "logs*", "permission": "read"}]});
    let bob = json!({"username": "bob*", "rules": [{"index": "*", "permission": "deny"}]});
    let (s, set) = t
        .call(
            Method::POST,
            acl,
            Some(json!({"opensearch_acl_config": {"enabled": true, "acls": [alice, bob]}})),
        )
        .await;
    assert_eq!(s, 200, "{set}");
    assert_eq!(set["opensearch_acl_config"]["acls"], json!([alice, bob]));

    // Update: alice's entry is replaced, carol's added, bob's kept.
    let alice2 =
        json!({"username": "alice", "rules": [{"index": "orders", "permission": "readwrite"}]});
    let carol = json!({"username": "carol", "rules": [{"index": "x", "permission": "admin"}]});
    let (s, updated) = t
        .call(
            Method::PUT,
            acl,
            Some(json!({"opensearch_acl_config": {"acls": [alice2, carol]}})),
        )
        .await;
    assert_eq!(s, 200, "{updated}");
    assert_eq!(
        updated["opensearch_acl_config"],
        json!({"acls": [alice2, bob, carol], "enabled": true})
    );
    let (_, got) = t.call(Method::GET, acl, None).await;
    assert_eq!(
        got["opensearch_acl_config"],
        updated["opensearch_acl_config"]
    );

    // Set replaces the whole list.
    let (_, set) = t
        .call(
            Method::POST,
            acl,
            Some(json!({"opensearch_acl_config": {"enabled": false, "acls": [carol]}})),
        )
        .await;
    assert_eq!(
        set["opensearch_acl_config"],
        json!({"acls": [carol], "enabled": false})
    );
    let (s, _) = t
        .call(
            Method::POST,
            acl,
            Some(json!({"opensearch_acl_config": {"enabled": true, "acls": [{"username": "x", "rules": [{"index": "i", "permission": "own"}]}]}})),
        )
        .await;
    assert_eq!(s, 400);
}
