//! PgBouncer connection pools over HTTP: create, update, delete, what
//! `ServiceGet` shows, and Aiven's errors. Every response is checked
//! against the description (see `common`).

use crate::common::{start, TestSim};
use reqwest::Method;
use serde_json::{json, Value};

const POOLS: &str = "/project/p/service/pg/connection_pool";

async fn post(t: &TestSim, path: &str, body: Value) -> (u16, Value) {
    let (status, _, b) = t.raw(Method::POST, path, Some(body)).await;
    (status, b)
}

async fn put(t: &TestSim, path: &str, body: Value) -> (u16, Value) {
    let (status, _, b) = t.raw(Method::PUT, path, Some(body)).await;
    (status, b)
}

async fn delete(t: &TestSim, path: &str) -> (u16, Value) {
    let (status, _, b) = t.raw(Method::DELETE, path, None).await;
    (status, b)
}

async fn service_json(t: &TestSim) -> Value {
    serde_json::to_value(t.get("p", "pg").await).unwrap()
}

/// A project `p` with a PostgreSQL service `pg`, a user `app` and a
/// database `appdb`; returns `app`'s password.
async fn setup(t: &TestSim) -> String {
    t.project("p").await;
    t.service("p", "pg", "pg", "startup-4").await;
    let (status, u) = post(t, "/project/p/service/pg/user", json!({"username": "app"})).await;
    assert_eq!(status, 200, "{u}");
    let (status, _) = post(t, "/project/p/service/pg/db", json!({"database": "appdb"})).await;
    assert_eq!(status, 200);
    u["user"]["password"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_pool_is_created_shown_updated_and_deleted() {
    let t = start().await;
    let password = setup(&t).await;
    let before = service_json(&t).await;
    assert_eq!(before["connection_pools"], json!([]));

    let (status, b) = post(
        &t,
        POOLS,
        json!({"pool_name": "app-pool", "database": "appdb", "username": "app"}),
    )
    .await;
    assert_eq!((status, b), (200, json!({"message": "created"})));

    // Clients reach pools through the pgbouncer component, naming the pool
    // as the database.
    let s = service_json(&t).await;
    let bouncer = s["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["component"] == "pgbouncer")
        .expect("a pgbouncer component")
        .clone();
    let (host, port) = (bouncer["host"].as_str().unwrap(), &bouncer["port"]);
    assert_eq!(host, "pg-p.a.aivencloud.com");
    assert_eq!(
        s["connection_pools"],
        json!([{
            "connection_uri": format!(
                "postgres://app:{password}@{host}:{port}/app-pool?sslmode=require"
            ),
            "database": "appdb",
            "pool_mode": "transaction",
            "pool_name": "app-pool",
            "pool_size": 10,
            "username": "app",
        }])
    );

    // Update: mode and size; then no user (the client's own credentials).
    let path = format!("{POOLS}/app-pool");
    let (status, b) = put(&t, &path, json!({"pool_mode": "session", "pool_size": 25})).await;
    assert_eq!((status, b), (200, json!({"message": "updated"})));
    let pool = service_json(&t).await["connection_pools"][0].clone();
    assert_eq!(pool["pool_mode"], "session");
    assert_eq!(pool["pool_size"], 25);
    assert_eq!(pool["username"], "app");

    // A pool without a user: no credentials in its URI.
    let (status, _) = post(
        &t,
        POOLS,
        json!({"pool_name": "open", "database": "defaultdb", "pool_mode": "statement", "pool_size": 3}),
    )
    .await;
    assert_eq!(status, 200);
    let pools = service_json(&t).await["connection_pools"].clone();
    assert_eq!(pools.as_array().unwrap().len(), 2);
    assert_eq!(
        pools[1]["connection_uri"],
        format!("postgres://{host}:{port}/open?sslmode=require")
    );
    assert!(pools[1].get("username").is_none());
    assert_eq!(pools[1]["pool_mode"], "statement");

    let (status, b) = delete(&t, &path).await;
    assert_eq!((status, b), (200, json!({"message": "deleted"})));
    let names: Vec<Value> = service_json(&t).await["connection_pools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["pool_name"].clone())
        .collect();
    assert_eq!(names, [json!("open")]);
    let (status, b) = delete(&t, &path).await;
    assert_eq!(status, 404);
    assert_eq!(b["message"], "Connection pool 'app-pool' does not exist");

    // Pools are state: they survive in the service across reads and go
    // with it.
    let snapshot = t.sim.snapshot();
    let pools = snapshot.service("p", "pg").unwrap()["pools"].as_object();
    assert_eq!(
        pools.map(|p| p.keys().map(String::as_str).collect::<Vec<_>>()),
        Some(vec!["open"])
    );
}

#[tokio::test]
async fn pool_errors_are_aivens() {
    let t = start().await;
    setup(&t).await;
    let create = |body: Value| post(&t, POOLS, body);

    let (status, b) = create(json!({"pool_name": "x", "database": "nope"})).await;
    assert_eq!(status, 404);
    assert_eq!(b["message"], "Service database nope does not exist");
    assert_eq!(b["errors"][0]["status"], 404);

    let (status, b) =
        create(json!({"pool_name": "x", "database": "appdb", "username": "ghost"})).await;
    assert_eq!(status, 404);
    assert_eq!(
        b["message"],
        "Service database username ghost does not exist"
    );

    let (status, _) = create(json!({"pool_name": "x", "database": "appdb"})).await;
    assert_eq!(status, 200);
    let (status, b) = create(json!({"pool_name": "x", "database": "defaultdb"})).await;
    assert_eq!(status, 409);
    assert_eq!(b["message"], "Connection pool 'x' already exists");
    let (status, b) = create(json!({"pool_name": "appdb", "database": "appdb"})).await;
    assert_eq!(status, 409, "a pool may not shadow a database: {b}");

    // The description's request schema: mode enum, size range.
    let (status, b) =
        create(json!({"pool_name": "y", "database": "appdb", "pool_mode": "burst"})).await;
    assert_eq!(status, 400, "{b}");
    let (status, _) = create(json!({"pool_name": "y", "database": "appdb", "pool_size": 0})).await;
    assert_eq!(status, 400);
    let (status, b) = create(json!({"pool_name": "1bad name", "database": "appdb"})).await;
    assert_eq!(status, 400);
    assert!(b["message"].as_str().unwrap().contains("Invalid pool name"));

    // Update: unknown pool, then a database the service does not have.
    let (status, _) = put(&t, &format!("{POOLS}/nope"), json!({"pool_size": 5})).await;
    assert_eq!(status, 404);
    let (status, b) = put(&t, &format!("{POOLS}/x"), json!({"database": "gone"})).await;
    assert_eq!(status, 404);
    assert_eq!(b["message"], "Service database gone does not exist");
    let pool = service_json(&t).await["connection_pools"][0].clone();
    assert_eq!(
        pool["database"], "appdb",
        "a refused update changes nothing"
    );

    // What a pool uses stays while it exists.
    let (status, b) = delete(&t, "/project/p/service/pg/db/appdb").await;
    assert_eq!(status, 409);
    assert_eq!(
        b["message"],
        "Database 'appdb' is used by connection pool(s) x: delete them first"
    );
    let (status, _) = put(&t, &format!("{POOLS}/x"), json!({"username": "app"})).await;
    assert_eq!(status, 200);
    let (status, b) = delete(&t, "/project/p/service/pg/user/app").await;
    assert_eq!(status, 409);
    assert_eq!(
        b["message"],
        "Service user 'app' is used by connection pool(s) x: delete them first"
    );
    let (status, _) = delete(&t, &format!("{POOLS}/x")).await;
    assert_eq!(status, 200);
    let (status, _) = delete(&t, "/project/p/service/pg/user/app").await;
    assert_eq!(status, 200);
    let (status, _) = delete(&t, "/project/p/service/pg/db/appdb").await;
    assert_eq!(status, 200);

    // Only PostgreSQL has pools; unknown services are 404.
    t.service("p", "k", "kafka", "startup-2").await;
    let (status, b) = post(
        &t,
        "/project/p/service/k/connection_pool",
        json!({"pool_name": "x", "database": "defaultdb"}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        b["message"],
        "Connection pools are only available for PostgreSQL services, not 'kafka'"
    );
    let (status, _) = post(
        &t,
        "/project/p/service/ghost/connection_pool",
        json!({"pool_name": "x", "database": "defaultdb"}),
    )
    .await;
    assert_eq!(status, 404);

    // A powered-off service takes no pools.
    let (status, _) = put(&t, "/project/p/service/pg", json!({"powered": false})).await;
    assert_eq!(status, 200);
    let (status, b) = create(json!({"pool_name": "z", "database": "appdb"})).await;
    assert_eq!(status, 409);
    assert_eq!(b["errors"][0]["error_code"], "not_powered");
}
