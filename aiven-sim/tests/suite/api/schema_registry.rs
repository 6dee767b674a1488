//! The schema registry (Karapace) and its ACLs.

use super::*;

const BASE: &str = "/project/p/service/k/kafka";

/// A project with a running Kafka service `k` with the schema registry.
async fn kafka_with_registry() -> TestSim {
    let t = start().await;
    t.project("p").await;
    let (s, _, b) = t
        .raw(
            Method::POST,
            "/project/p/service",
            Some(json!({
                "service_name": "k", "service_type": "kafka", "plan": "business-4",
                "user_config": {"schema_registry": true},
            })),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    t.advance(3);
    t
}

async fn call(t: &TestSim, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let (s, _, b) = t.raw(method, &format!("{BASE}{path}"), body).await;
    (s, b)
}

fn record(fields: Value) -> Value {
    json!({"schema": json!({"type": "record", "name": "Order", "fields": fields}).to_string()})
}

async fn register(t: &TestSim, subject: &str, body: Value) -> (u16, Value) {
    call(
        t,
        Method::POST,
        &format!("/schema/subjects/{subject}/versions"),
        Some(body),
    )
    .await
}

async fn versions(t: &TestSim, subject: &str) -> Value {
    call(
        t,
        Method::GET,
        &format!("/schema/subjects/{subject}/versions"),
        None,
    )
    .await
    .1["versions"]
        .clone()
}

#[tokio::test]
async fn schemas_get_stable_ids_and_increasing_versions() {
    let t = kafka_with_registry().await;
    let v1 = record(json!([{"name": "id", "type": "long"}]));
    let (s, b) = register(&t, "orders-value", v1.clone()).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["id"], 1);
    // The same schema again (whitespace aside): same id, no new version.
    let spaced = json!({"schema": "{ \"type\": \"record\", \"name\": \"Order\",\n \"fields\": [{\"name\": \"id\", \"type\": \"long\"}] }"});
    assert_eq!(register(&t, "orders-value", spaced).await.1["id"], 1);
    assert_eq!(versions(&t, "orders-value").await, json!([1]));

    // A compatible change (a field with a default): version 2, id 2.
    let v2 = record(
        json!([{"name": "id", "type": "long"}, {"name": "note", "type": "string", "default": ""}]),
    );
    let (s, b) = register(&t, "orders-value", v2.clone()).await;
    assert_eq!((s, b["id"].clone()), (200, json!(2)));
    assert_eq!(versions(&t, "orders-value").await, json!([1, 2]));
    // An old version again: its id, still no new version.
    assert_eq!(register(&t, "orders-value", v1.clone()).await.1["id"], 1);
    assert_eq!(versions(&t, "orders-value").await, json!([1, 2]));

    // Another subject with the same schema: the same global id.
    assert_eq!(register(&t, "orders-key", v1.clone()).await.1["id"], 1);
    let (_, b) = call(&t, Method::GET, "/schema/subjects", None).await;
    assert_eq!(b["subjects"], json!(["orders-key", "orders-value"]));

    // Reading back.
    let (s, b) = call(
        &t,
        Method::GET,
        "/schema/subjects/orders-value/versions/2",
        None,
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["version"]["id"], 2);
    assert_eq!(b["version"]["version"], 2);
    assert_eq!(b["version"]["subject"], "orders-value");
    assert_eq!(b["version"]["schema"], v2["schema"]);
    let (_, b) = call(
        &t,
        Method::GET,
        "/schema/subjects/orders-value/versions/latest",
        None,
    )
    .await;
    assert_eq!(b["version"]["version"], 2);
    let (_, b) = call(
        &t,
        Method::GET,
        "/schema/subjects/orders-value/versions/1/schema",
        None,
    )
    .await;
    // The raw schema.
    let raw: Value = serde_json::from_str(v1["schema"].as_str().unwrap()).unwrap();
    assert_eq!(b, raw);
    let (s, b) = call(&t, Method::GET, "/schema/schemas/ids/2", None).await;
    assert_eq!((s, b["schema"].clone()), (200, v2["schema"].clone()));
    assert_eq!(
        call(&t, Method::GET, "/schema/schemas/ids/9", None).await.0,
        404
    );
    assert_eq!(
        call(
            &t,
            Method::GET,
            "/schema/subjects/orders-value/versions/7",
            None
        )
        .await
        .0,
        404
    );
    assert_eq!(
        call(&t, Method::GET, "/schema/subjects/nope/versions", None)
            .await
            .0,
        404
    );

    // A JSON schema is a schema of its own.
    let js = json!({"schema": "{\"type\": \"object\"}", "schemaType": "JSON"});
    let (s, b) = register(&t, "events-value", js).await;
    assert_eq!((s, b["id"].clone()), (200, json!(3)));
    let (_, b) = call(
        &t,
        Method::GET,
        "/schema/subjects/events-value/versions/1",
        None,
    )
    .await;
    assert_eq!(b["version"]["schemaType"], "JSON");
    // An Avro primitive is no object: wrapped.
    let (s, _) = register(&t, "name-value", json!({"schema": "\"string\""})).await;
    assert_eq!(s, 200);
    let (_, b) = call(
        &t,
        Method::GET,
        "/schema/subjects/name-value/versions/1/schema",
        None,
    )
    .await;
    assert_eq!(b, json!({"schema": "\"string\""}));
    // Not a schema.
    let (s, _) = register(&t, "bad", json!({"schema": "{not json"})).await;
    assert_eq!(s, 422);

    // Deleting a version, then the subject.
    let (s, b) = call(
        &t,
        Method::DELETE,
        "/schema/subjects/orders-value/versions/1",
        None,
    )
    .await;
    assert_eq!((s, b["message"].as_str()), (200, Some("deleted")));
    assert_eq!(versions(&t, "orders-value").await, json!([2]));
    let v3 = record(
        json!([{"name": "id", "type": "long"}, {"name": "note", "type": "string", "default": ""}, {"name": "n", "type": "int", "default": 0}]),
    );
    assert_eq!(register(&t, "orders-value", v3).await.1["id"], 5);
    assert_eq!(
        versions(&t, "orders-value").await,
        json!([2, 3]),
        "versions are not reused"
    );
    let (s, _) = call(&t, Method::DELETE, "/schema/subjects/orders-value", None).await;
    assert_eq!(s, 200);
    assert_eq!(
        call(
            &t,
            Method::GET,
            "/schema/subjects/orders-value/versions",
            None
        )
        .await
        .0,
        404
    );
    assert_eq!(
        call(&t, Method::DELETE, "/schema/subjects/orders-value", None)
            .await
            .0,
        404
    );
    // Schemas keep their ids.
    assert_eq!(register(&t, "orders-value", v2).await.1["id"], 2);
    assert_eq!(versions(&t, "orders-value").await, json!([1]));
}

#[tokio::test]
async fn compatibility_levels_and_checks() {
    let t = kafka_with_registry().await;
    let (s, b) = call(&t, Method::GET, "/schema/config", None).await;
    assert_eq!(
        (s, b["compatibilityLevel"].clone()),
        (200, json!("BACKWARD"))
    );
    let v1 = record(json!([{"name": "id", "type": "long"}]));
    register(&t, "o", v1).await;

    // A new field without a default: not backward compatible.
    let no_default =
        record(json!([{"name": "id", "type": "long"}, {"name": "x", "type": "string"}]));
    let (s, b) = call(
        &t,
        Method::POST,
        "/schema/compatibility/subjects/o/versions/latest",
        Some(no_default.clone()),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["is_compatible"], false);
    let (s, b) = register(&t, "o", no_default.clone()).await;
    assert_eq!(s, 409, "{b}");
    assert_eq!(versions(&t, "o").await, json!([1]));
    // A type change neither.
    let retyped = record(json!([{"name": "id", "type": "string"}]));
    let (_, b) = call(
        &t,
        Method::POST,
        "/schema/compatibility/subjects/o/versions/1",
        Some(retyped),
    )
    .await;
    assert_eq!(b["is_compatible"], false);
    // With a default it is.
    let with_default = record(
        json!([{"name": "id", "type": "long"}, {"name": "x", "type": "string", "default": "-"}]),
    );
    let (_, b) = call(
        &t,
        Method::POST,
        "/schema/compatibility/subjects/o/versions/1",
        Some(with_default),
    )
    .await;
    assert_eq!(b["is_compatible"], true);
    assert_eq!(
        call(
            &t,
            Method::POST,
            "/schema/compatibility/subjects/none/versions/1",
            Some(no_default.clone())
        )
        .await
        .0,
        404
    );

    // The subject's own level wins; NONE takes anything.
    let (s, b) = call(
        &t,
        Method::PUT,
        "/schema/config/o",
        Some(json!({"compatibility": "NONE"})),
    )
    .await;
    assert_eq!((s, b["compatibility"].clone()), (200, json!("NONE")));
    assert_eq!(
        call(&t, Method::GET, "/schema/config/o", None).await.1["compatibilityLevel"],
        "NONE"
    );
    assert_eq!(
        call(&t, Method::GET, "/schema/config/other", None).await.1["compatibilityLevel"],
        "BACKWARD"
    );
    assert_eq!(register(&t, "o", no_default).await.0, 200);
    assert_eq!(versions(&t, "o").await, json!([1, 2]));

    let (s, b) = call(
        &t,
        Method::PUT,
        "/schema/config",
        Some(json!({"compatibility": "FULL"})),
    )
    .await;
    assert_eq!((s, b["compatibility"].clone()), (200, json!("FULL")));
    assert_eq!(
        call(&t, Method::GET, "/schema/config", None).await.1["compatibilityLevel"],
        "FULL"
    );
    assert_eq!(
        call(&t, Method::GET, "/schema/config/other", None).await.1["compatibilityLevel"],
        "FULL"
    );
    // Not a level: the description refuses it.
    let (s, _) = call(
        &t,
        Method::PUT,
        "/schema/config",
        Some(json!({"compatibility": "SIDEWAYS"})),
    )
    .await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn registry_acls_and_enablement() {
    let t = kafka_with_registry().await;
    let (s, b) = call(&t, Method::GET, "/schema-registry/acl", None).await;
    assert_eq!(s, 200, "{b}");
    let defaults = b["acl"].as_array().unwrap().clone();
    assert_eq!(defaults.len(), 2);
    assert!(defaults
        .iter()
        .all(|a| a["username"] == "avnadmin" && a["permission"] == "schema_registry_write"));
    let entry = json!({"permission": "schema_registry_read", "resource": "Subject:orders-*", "username": "app*"});
    let (s, b) = call(
        &t,
        Method::POST,
        "/schema-registry/acl",
        Some(entry.clone()),
    )
    .await;
    assert_eq!((s, b["message"].as_str()), (200, Some("added")));
    assert_eq!(b["acl"].as_array().unwrap().len(), 3);
    // Twice: kept once.
    let (_, b) = call(&t, Method::POST, "/schema-registry/acl", Some(entry)).await;
    let acl = b["acl"].as_array().unwrap().clone();
    assert_eq!(acl.len(), 3);
    let id = acl[2]["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("acl"));
    // In the service too.
    let svc = to_json(&t.get("p", "k").await);
    assert_eq!(svc["schema_registry_acl"].as_array().unwrap().len(), 3);
    let bad = json!({"permission": "schema_registry_read", "resource": "Topic:x", "username": "u"});
    assert_eq!(
        call(&t, Method::POST, "/schema-registry/acl", Some(bad))
            .await
            .0,
        400
    );

    let (s, b) = call(
        &t,
        Method::DELETE,
        &format!("/schema-registry/acl/{id}"),
        None,
    )
    .await;
    assert_eq!((s, b["acl"].as_array().unwrap().len()), (200, 2));
    assert_eq!(
        call(
            &t,
            Method::DELETE,
            &format!("/schema-registry/acl/{id}"),
            None
        )
        .await
        .0,
        404
    );
    let default_id = defaults[0]["id"].as_str().unwrap();
    let path = format!("/schema-registry/acl/{default_id}");
    assert_eq!(call(&t, Method::DELETE, &path, None).await.0, 404);

    // A Kafka service without the registry: its ACLs, but no subjects.
    t.service("p", "plain", "kafka", "business-4").await;
    let (s, _, _) = t
        .raw(
            Method::GET,
            "/project/p/service/plain/kafka/schema-registry/acl",
            None,
        )
        .await;
    assert_eq!(s, 200);
    let (s, _, b) = t
        .raw(
            Method::GET,
            "/project/p/service/plain/kafka/schema/subjects",
            None,
        )
        .await;
    assert_eq!(s, 400);
    assert!(
        b["message"].as_str().unwrap().contains("schema_registry"),
        "{b}"
    );
}
