//! Kafka Connect connectors.

use super::*;

const BASE: &str = "/project/p/service/k";

/// A project with a running Kafka service `k` with Kafka Connect enabled.
async fn kafka_with_connect() -> TestSim {
    let t = start().await;
    t.project("p").await;
    let (s, _, b) = t
        .raw(
            Method::POST,
            "/project/p/service",
            Some(json!({
                "service_name": "k", "service_type": "kafka", "plan": "business-4",
                "user_config": {"kafka_connect": true},
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

async fn status(t: &TestSim, name: &str) -> Value {
    let (s, b) = call(t, Method::GET, &format!("/connectors/{name}/status"), None).await;
    assert_eq!(s, 200, "{b}");
    b["status"].clone()
}

fn task_states(status: &Value) -> Vec<(i64, String)> {
    status["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_i64().unwrap(),
                t["state"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn jdbc_sink(name: &str, tasks: &str) -> Value {
    json!({
        "name": name,
        "connector.class": "io.aiven.connect.jdbc.JdbcSinkConnector",
        "tasks.max": tasks,
        "topics": "orders",
        "connection.url": "jdbc:postgresql://pg:5432/defaultdb",
    })
}

#[tokio::test]
async fn connector_lifecycle() {
    let t = kafka_with_connect().await;
    let (s, b) = call(
        &t,
        Method::POST,
        "/connectors",
        Some(jdbc_sink("sink", "3")),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["message"], "created");
    assert_eq!(b["connector"]["name"], "sink");
    assert_eq!(b["connector"]["config"]["topics"], "orders");
    assert_eq!(b["connector"]["plugin"]["type"], "sink");
    assert_eq!(
        b["connector"]["plugin"]["class"],
        "io.aiven.connect.jdbc.JdbcSinkConnector"
    );
    assert_eq!(b["connector"]["tasks"].as_array().unwrap().len(), 3);
    assert_eq!(
        b["connector"]["tasks"][2],
        json!({"connector": "sink", "task": 2})
    );

    let st = status(&t, "sink").await;
    assert_eq!(st["state"], "RUNNING");
    let running: Vec<(i64, String)> = (0..3).map(|i| (i, "RUNNING".into())).collect();
    assert_eq!(task_states(&st), running);

    let (s, b) = call(&t, Method::POST, "/connectors/sink/pause", None).await;
    assert_eq!((s, b["message"].as_str()), (200, Some("paused")));
    let st = status(&t, "sink").await;
    assert_eq!(st["state"], "PAUSED");
    assert!(task_states(&st).iter().all(|(_, s)| s == "PAUSED"));
    // A restart keeps it paused.
    assert_eq!(
        call(&t, Method::POST, "/connectors/sink/restart", None)
            .await
            .0,
        200
    );
    assert_eq!(status(&t, "sink").await["state"], "PAUSED");

    assert_eq!(
        call(&t, Method::POST, "/connectors/sink/resume", None)
            .await
            .0,
        200
    );
    let st = status(&t, "sink").await;
    assert_eq!(st["state"], "RUNNING");
    assert_eq!(task_states(&st), running);

    // Stopped: no tasks until resumed.
    assert_eq!(
        call(&t, Method::POST, "/connectors/sink/stop", None)
            .await
            .0,
        200
    );
    let st = status(&t, "sink").await;
    assert_eq!(st["state"], "STOPPED");
    assert!(task_states(&st).is_empty());
    let (s, _) = call(&t, Method::POST, "/connectors/sink/tasks/0/restart", None).await;
    assert_eq!(s, 404);
    assert_eq!(
        call(&t, Method::POST, "/connectors/sink/resume", None)
            .await
            .0,
        200
    );
    assert_eq!(status(&t, "sink").await["state"], "RUNNING");

    // Tasks: restart one it has, 404 for one it has not.
    let (s, b) = call(&t, Method::POST, "/connectors/sink/tasks/2/restart", None).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        call(&t, Method::POST, "/connectors/sink/tasks/3/restart", None)
            .await
            .0,
        404
    );
    assert_eq!(
        call(&t, Method::POST, "/connectors/sink/tasks/x/restart", None)
            .await
            .0,
        404
    );

    // Edit: the task count follows tasks.max; the name must match.
    let (s, b) = call(
        &t,
        Method::PUT,
        "/connectors/sink",
        Some(jdbc_sink("sink", "1")),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["connector"]["tasks"].as_array().unwrap().len(), 1);
    assert_eq!(task_states(&status(&t, "sink").await).len(), 1);
    let (s, b) = call(
        &t,
        Method::PUT,
        "/connectors/sink",
        Some(jdbc_sink("other", "1")),
    )
    .await;
    assert_eq!(s, 400, "{b}");
    let (s, _) = call(
        &t,
        Method::PUT,
        "/connectors/nope",
        Some(jdbc_sink("nope", "1")),
    )
    .await;
    assert_eq!(s, 404);

    // A second connector, listed by name; tasks.max defaults to 1.
    let source = json!({"name": "cdc", "connector.class": "io.debezium.connector.postgresql.PostgresConnector"});
    let (s, b) = call(&t, Method::POST, "/connectors", Some(source)).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["connector"]["tasks"].as_array().unwrap().len(), 1);
    let (_, list) = call(&t, Method::GET, "/connectors", None).await;
    let names: Vec<&str> = list["connectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["cdc", "sink"]);

    // Delete: then 404 everywhere, in Aiven's error format.
    let (s, b) = call(&t, Method::DELETE, "/connectors/sink", None).await;
    assert_eq!((s, b["message"].as_str()), (200, Some("deleted")));
    let (s, b) = call(&t, Method::GET, "/connectors/sink/status", None).await;
    assert_eq!(s, 404);
    assert_eq!(b["errors"][0]["status"], 404);
    assert!(b["message"].as_str().unwrap().contains("sink"), "{b}");
    assert_eq!(
        call(&t, Method::DELETE, "/connectors/sink", None).await.0,
        404
    );
    assert_eq!(
        call(&t, Method::POST, "/connectors/sink/pause", None)
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn connectors_refused() {
    let t = kafka_with_connect().await;
    let (s, _) = call(
        &t,
        Method::POST,
        "/connectors",
        Some(jdbc_sink("sink", "2")),
    )
    .await;
    assert_eq!(s, 200);
    // The same name again.
    let (s, b) = call(
        &t,
        Method::POST,
        "/connectors",
        Some(jdbc_sink("sink", "1")),
    )
    .await;
    assert_eq!(s, 409, "{b}");
    assert!(b["message"].as_str().unwrap().contains("already exists"));
    // No name or class: the description refuses it.
    let (s, _) = call(&t, Method::POST, "/connectors", Some(json!({"name": "x"}))).await;
    assert_eq!(s, 400);
    // A class no plugin has; a bad task count.
    let bad = json!({"name": "x", "connector.class": "com.example.Nope"});
    assert_eq!(
        call(&t, Method::POST, "/connectors", Some(bad)).await.0,
        400
    );
    assert_eq!(
        call(&t, Method::POST, "/connectors", Some(jdbc_sink("y", "0")))
            .await
            .0,
        400
    );
    let (_, list) = call(&t, Method::GET, "/connectors", None).await;
    assert_eq!(list["connectors"].as_array().unwrap().len(), 1);

    // Kafka without Kafka Connect, and not Kafka at all: 400 with a reason.
    t.service("p", "plain", "kafka", "business-4").await;
    let (s, _, b) = t
        .raw(
            Method::POST,
            "/project/p/service/plain/connectors",
            Some(jdbc_sink("s", "1")),
        )
        .await;
    assert_eq!(s, 400);
    assert!(
        b["message"].as_str().unwrap().contains("kafka_connect"),
        "{b}"
    );
    t.service("p", "pg", "pg", "hobbyist").await;
    let (s, _, _) = t
        .raw(Method::GET, "/project/p/service/pg/connectors", None)
        .await;
    assert_eq!(s, 400);
    // A Kafka Connect service runs connectors.
    t.service("p", "kc", "kafka_connect", "startup-4").await;
    let (s, _, b) = t
        .raw(
            Method::POST,
            "/project/p/service/kc/connectors",
            Some(jdbc_sink("s", "1")),
        )
        .await;
    assert_eq!(s, 200, "{b}");
}

#[tokio::test]
async fn plugins_and_their_configuration() {
    let t = kafka_with_connect().await;
    let (s, b) = call(&t, Method::GET, "/available-connectors", None).await;
    assert_eq!(s, 200, "{b}");
    let plugins = b["plugins"].as_array().unwrap();
    assert!(plugins.len() >= 5);
    assert!(plugins.iter().any(|p| p["class"]
        == "io.debezium.connector.postgresql.PostgresConnector"
        && p["type"] == "source"));
    let (s, b) = call(
        &t,
        Method::GET,
        "/connector-plugins/io.aiven.connect.jdbc.JdbcSinkConnector/configuration",
        None,
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let names: Vec<&str> = b["configuration_schema"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"connector.class") && names.contains(&"topics"),
        "{names:?}"
    );
    let (s, _) = call(
        &t,
        Method::GET,
        "/connector-plugins/JdbcSinkConnector/configuration",
        None,
    )
    .await;
    assert_eq!(s, 200);
    let (s, _) = call(
        &t,
        Method::GET,
        "/connector-plugins/nope/configuration",
        None,
    )
    .await;
    assert_eq!(s, 404);
}
