//! The project event log (`ProjectGetEventLogs`), written from the changes
//! made through the simulator.

use crate::common::start;
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn changes_to_services_are_logged_newest_first() {
    let t = start().await;
    t.project("p").await;
    let (status, _, b) = t.raw(Method::GET, "/project/p/events", None).await;
    assert_eq!((status, b), (200, json!({"events": []})));

    t.service("p", "pg", "pg", "startup-4").await;
    t.advance(5);
    let calls = [
        (
            Method::POST,
            "/project/p/service/pg/db",
            json!({"database": "appdb"}),
        ),
        (
            Method::POST,
            "/project/p/service/pg/connection_pool",
            json!({"pool_name": "pool1", "database": "appdb"}),
        ),
        (
            Method::PUT,
            "/project/p/service/pg",
            json!({"powered": false}),
        ),
        // Refused (no such service): not logged.
        (Method::DELETE, "/project/p/service/ghost", json!(null)),
        (Method::DELETE, "/project/p/service/pg", json!(null)),
    ];
    for (method, path, body) in calls {
        let body = (!body.is_null()).then_some(body);
        t.raw(method, path, body).await;
    }
    let (status, _, b) = t.raw(Method::GET, "/project/p/events", None).await;
    assert_eq!(status, 200);
    let events = b["events"].as_array().unwrap();
    let summary: Vec<(String, String, String)> = events
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap().to_string();
            (s("event_type"), s("service_name"), s("event_desc"))
        })
        .collect();
    let expect = |t: &str, s: &str, d: &str| (t.to_string(), s.to_string(), d.to_string());
    assert_eq!(
        summary,
        [
            expect("service_delete", "pg", "Deleted service pg"),
            expect("service_poweroff", "pg", "Powered off service pg"),
            expect(
                "connection_pool_create",
                "pg",
                "Created connection pool pool1"
            ),
            expect("database_create", "pg", "Created database appdb"),
            expect("service_create", "pg", "Created pg service pg (startup-4)"),
        ]
    );
    let ids: Vec<&Value> = events.iter().map(|e| &e["id"]).collect();
    assert_eq!(ids[0], "e00000005");
    assert_eq!(ids[4], "e00000001");
    assert_eq!(events[0]["actor"], "sim-user@example.com");
    assert_eq!(events[4]["time"], "2024-01-01T00:00:00Z");
    assert_eq!(events[0]["time"], "2024-01-01T00:00:05Z");

    let (status, _, _) = t.raw(Method::GET, "/project/nope/events", None).await;
    assert_eq!(status, 404);
}
