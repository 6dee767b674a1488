//! Observability: service logs (paging, order), metrics per period, query
//! statistics per service type.

use super::*;

async fn logs(t: &TestSim, service: &str, body: Value) -> (u16, Value) {
    let path = format!("/project/p/service/{service}/logs");
    let (s, _, v) = t.raw(Method::POST, &path, Some(body)).await;
    (s, v)
}

fn msgs(v: &Value) -> Vec<String> {
    v["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            format!(
                "{} {}",
                l["time"].as_str().unwrap(),
                l["msg"].as_str().unwrap()
            )
        })
        .collect()
}

#[tokio::test]
async fn service_logs_follow_the_lifecycle_and_page_with_offsets() {
    let t = start().await;
    t.project("p").await;
    t.service("p", "db1", "pg", "business-4").await;
    // Before it runs: created and rebuilding.
    let (s, v) = logs(&t, "db1", json!({"sort_order": "asc"})).await;
    assert_eq!(s, 200);
    let lines = msgs(&v);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].contains("service created: pg business-4"));
    assert!(lines[1].contains("rebuilding"));
    assert_eq!(v["first_log_offset"], "0");
    assert_eq!(v["offset"], "2");

    // An hour after creation: running, then a routine line every 5 minutes
    // (PostgreSQL checkpoints), all between creation and now.
    t.advance(3600);
    let (_, all) = logs(&t, "db1", json!({"sort_order": "asc", "limit": 500})).await;
    let all_lines = msgs(&all);
    assert_eq!(all_lines.len(), 3 + 11, "{all_lines:?}");
    assert_eq!(all_lines[2], "2024-01-01T00:00:03Z running");
    assert!(all_lines[3].contains("checkpoint starting"));
    assert!(all_lines[4].contains("checkpoint complete"));
    assert_eq!(all["logs"][3]["unit"], "postgresql-16.service");
    for l in all["logs"].as_array().unwrap() {
        let time = l["time"].as_str().unwrap();
        assert!(("2024-01-01T00:00:00Z"..="2024-01-01T01:00:00Z").contains(&time));
    }

    // Ascending pages of 4 follow each other without overlap.
    let (_, p1) = logs(&t, "db1", json!({"sort_order": "asc", "limit": 4})).await;
    assert_eq!(msgs(&p1), all_lines[..4]);
    let (_, p2) = logs(
        &t,
        "db1",
        json!({"sort_order": "asc", "limit": 4, "offset": p1["offset"]}),
    )
    .await;
    assert_eq!(msgs(&p2), all_lines[4..8]);
    // At the end: nothing more, the offset stays.
    let (_, end) = logs(
        &t,
        "db1",
        json!({"sort_order": "asc", "offset": all["offset"]}),
    )
    .await;
    assert!(msgs(&end).is_empty());
    assert_eq!(end["offset"], all["offset"]);

    // Descending (the default): newest first, paging back in time.
    let (_, d1) = logs(&t, "db1", json!({"limit": 5})).await;
    let newest: Vec<String> = all_lines.iter().rev().take(5).cloned().collect();
    assert_eq!(msgs(&d1), newest);
    let (_, d2) = logs(&t, "db1", json!({"limit": 5, "offset": d1["offset"]})).await;
    let next: Vec<String> = all_lines.iter().rev().skip(5).take(5).cloned().collect();
    assert_eq!(msgs(&d2), next);
    let (_, d3) = logs(&t, "db1", json!({"limit": 500, "offset": d2["offset"]})).await;
    assert_eq!(msgs(&d3).len(), all_lines.len() - 10);
    let (_, d4) = logs(&t, "db1", json!({"offset": d3["offset"]})).await;
    assert!(msgs(&d4).is_empty(), "nothing older than the first line");

    // The same state and time give the same lines.
    let (_, again) = logs(&t, "db1", json!({"sort_order": "asc", "limit": 500})).await;
    assert_eq!(again, all);
}

#[tokio::test]
async fn service_logs_per_type_severity_and_errors() {
    let t = start().await;
    t.project("p").await;
    t.service("p", "k1", "kafka", "business-4").await;
    t.advance(1800);
    let (_, v) = logs(&t, "k1", json!({"sort_order": "asc", "limit": 10})).await;
    assert_eq!(v["logs"][3]["unit"], "kafka.service");
    assert!(v["logs"][3]["msg"].as_str().unwrap().contains("partition="));
    // Only the lifecycle lines are notices.
    let (_, n) = logs(&t, "k1", json!({"severity": "notice", "limit": 500})).await;
    assert_eq!(msgs(&n).len(), 3);

    let (s, e) = logs(&t, "nope", json!({})).await;
    assert_eq!(s, 404);
    assert_eq!(e["message"], "Service not found");
    assert_eq!(e["errors"][0]["status"], 404);
    let (s, _) = logs(&t, "k1", json!({"offset": "not-a-number"})).await;
    assert_eq!(s, 400);
    let (s, _) = logs(&t, "k1", json!({"limit": 501})).await;
    assert_eq!(s, 400);
}

async fn metrics(t: &TestSim, service: &str, body: Value) -> (u16, Value) {
    let path = format!("/project/p/service/{service}/metrics");
    let (s, _, v) = t.raw(Method::POST, &path, Some(body)).await;
    (s, v)
}

#[tokio::test]
async fn metrics_have_rows_per_period_and_zero_before_running() {
    let t = start().await;
    t.project("p").await;
    t.service("p", "db1", "pg", "business-4").await;
    // Thirty days later every period but the year is filled.
    t.advance(30 * 86_400);
    for (period, rows, step) in [
        ("hour", 60, 60),
        ("day", 288, 300),
        ("week", 168, 3600),
        ("month", 180, 4 * 3600),
    ] {
        let (s, v) = metrics(&t, "db1", json!({ "period": period })).await;
        assert_eq!(s, 200);
        let cpu = &v["metrics"]["cpu_usage"]["data"];
        assert_eq!(cpu["cols"].as_array().unwrap().len(), 3, "time and 2 nodes");
        assert_eq!(cpu["cols"][1]["label"], "db1-1 (master)");
        let r = cpu["rows"].as_array().unwrap();
        assert_eq!(r.len(), rows, "{period}");
        let t0 = chrono::DateTime::parse_from_rfc3339(r[0][0].as_str().unwrap()).unwrap();
        let t1 = chrono::DateTime::parse_from_rfc3339(r[1][0].as_str().unwrap()).unwrap();
        assert_eq!((t1 - t0).num_seconds(), step, "{period}");
        assert_eq!(r.last().unwrap()[0], "2024-01-31T00:00:00Z");
        let v1 = r.last().unwrap()[1].as_f64().unwrap();
        assert!(v1 > 0.0 && v1 < 100.0, "{v1}");
    }
    for key in [
        "disk_usage",
        "diskio_read",
        "mem_usage",
        "load_average",
        "net_receive",
    ] {
        let (_, v) = metrics(&t, "db1", json!({})).await;
        assert_eq!(
            v["metrics"][key]["data"]["rows"].as_array().unwrap().len(),
            60
        );
    }
    // A year: only the days since creation; the first (before it ran) is 0.
    let (_, v) = metrics(&t, "db1", json!({ "period": "year" })).await;
    let r = v["metrics"]["cpu_usage"]["data"]["rows"]
        .as_array()
        .unwrap();
    assert_eq!(r.len(), 31);
    assert_eq!(r[0], json!(["2024-01-01T00:00:00Z", 0.0, 0.0]));
    // Deterministic.
    let (_, again) = metrics(&t, "db1", json!({ "period": "year" })).await;
    assert_eq!(again, v);

    let (s, e) = metrics(&t, "db1", json!({ "period": "decade" })).await;
    assert_eq!(s, 400);
    assert!(e["message"].as_str().unwrap().contains("period"), "{e}");
    let (s, _) = metrics(&t, "nope", json!({})).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn metrics_of_a_new_service_are_zero() {
    let t = start().await;
    t.project("p").await;
    t.service("p", "db1", "pg", "hobbyist").await;
    t.advance(1);
    let (_, v) = metrics(&t, "db1", json!({ "period": "hour" })).await;
    let r = v["metrics"]["cpu_usage"]["data"]["rows"]
        .as_array()
        .unwrap();
    assert_eq!(r, &vec![json!(["2024-01-01T00:00:00Z", 0.0])]);
}

#[tokio::test]
async fn query_statistics_per_service_type() {
    let t = start().await;
    t.project("p").await;
    t.service("p", "db1", "pg", "business-4").await;
    t.service("p", "my1", "mysql", "business-4").await;
    t.service("p", "ch1", "clickhouse", "business-4").await;
    t.service("p", "k1", "kafka", "business-4").await;
    t.advance(3600);

    let pg = |body: Value| {
        let t = &t;
        async move {
            let (s, _, v) = t
                .raw(
                    Method::POST,
                    "/project/p/service/db1/pg/query/stats",
                    Some(body),
                )
                .await;
            (s, v)
        }
    };
    let (s, all) = pg(json!({})).await;
    assert_eq!(s, 200);
    let q = all["queries"].as_array().unwrap();
    assert_eq!(q.len(), 6);
    let calls: Vec<f64> = q.iter().map(|r| r["calls"].as_f64().unwrap()).collect();
    assert!(
        calls.windows(2).all(|w| w[0] >= w[1]),
        "calls:desc {calls:?}"
    );
    assert!(calls[0] > 0.0);
    assert_eq!(q[0]["query"], "SELECT * FROM accounts WHERE id = $1");
    assert_eq!(q[0]["database_name"], "defaultdb");
    // limit, offset and order_by.
    let (_, page) = pg(json!({"limit": 2, "offset": 1})).await;
    assert_eq!(page["queries"].as_array().unwrap(), &q[1..3]);
    let (_, asc) = pg(json!({"order_by": "total_time:asc"})).await;
    let totals: Vec<f64> = asc["queries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["total_time"].as_f64().unwrap())
        .collect();
    assert!(totals.windows(2).all(|w| w[0] <= w[1]), "{totals:?}");
    let (s, _) = pg(json!({"order_by": "nope:desc"})).await;
    assert_eq!(s, 400);
    // Statements accumulate with time.
    t.advance(3600);
    let (_, later) = pg(json!({})).await;
    assert!(later["queries"][0]["calls"].as_f64().unwrap() > calls[0]);
    let (s, _, dep) = t
        .raw(Method::POST, "/project/p/service/db1/query/stats", None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(dep["queries"].as_array().unwrap().len(), 6);

    let (s, _, my) = t
        .raw(
            Method::POST,
            "/project/p/service/my1/mysql/query/stats",
            Some(json!({"limit": 3})),
        )
        .await;
    assert_eq!(s, 200);
    let my = my["queries"].as_array().unwrap();
    assert_eq!(my.len(), 3);
    assert!(my[0]["count_star"].as_f64().unwrap() >= my[1]["count_star"].as_f64().unwrap());
    assert!(my[0]["digest_text"].as_str().unwrap().contains("orders"));

    let (s, _, ch) = t
        .raw(
            Method::GET,
            "/project/p/service/ch1/clickhouse/query/stats",
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert!(ch["queries"][0]["calls"].as_i64().unwrap() > 0);

    let (s, _, r) = t
        .raw(
            Method::PUT,
            "/project/p/service/db1/query/stats/reset",
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(r["queries"], json!([]));

    // The wrong service type: 400 in Aiven's error format.
    for (path, method) in [
        ("/project/p/service/k1/pg/query/stats", Method::POST),
        ("/project/p/service/db1/mysql/query/stats", Method::POST),
        ("/project/p/service/k1/clickhouse/query/stats", Method::GET),
        ("/project/p/service/k1/query/stats/reset", Method::PUT),
    ] {
        let (s, _, e) = t.raw(method, path, None).await;
        assert_eq!(s, 400, "{path}");
        assert_eq!(e["errors"][0]["status"], 400);
        assert!(
            e["message"].as_str().unwrap().contains("service type"),
            "{e}"
        );
    }
    let (s, _, _) = t
        .raw(Method::POST, "/project/p/service/nope/pg/query/stats", None)
        .await;
    assert_eq!(s, 404);
}
