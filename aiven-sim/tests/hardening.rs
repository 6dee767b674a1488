//! Hostile input to the simulator's own machinery (issue 18): a damaged
//! state file, a clock advanced to the end of time, a snapshot no request
//! could have made, objects too large to store, a listener open to the
//! network. Each must end in the intact state or a clear 4xx / error,
//! never a partial state, a wrapped clock or a panic.

mod common;

use common::{start, TestSim, TOKEN};
use reqwest::Method;
use serde_json::{json, Value};

/// A request to the admin API with the test token: status and JSON body
/// (`None`: no answer at all, e.g. the connection dropped).
async fn admin(
    t: &TestSim,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Option<(u16, Value)> {
    let mut r = t
        .http
        .request(method, format!("http://{}/_sim{path}", t.sim.addr()))
        .header("authorization", format!("aivenv1 {TOKEN}"));
    if let Some(b) = body {
        r = r.json(&b);
    }
    let resp = r.send().await.ok()?;
    let status = resp.status().as_u16();
    Some((status, resp.json().await.ok()?))
}

// ---------------------------------------------------------------- item 6

/// `POST /_sim/clock/advance` beyond its bounds (10 years per advance,
/// 9999-12-31 in all) is a 400 that says so, the clock unmoved; never a
/// dropped connection (a panic) or a wrapped, negative clock after which
/// every service read answered 500.
#[tokio::test]
async fn clock_advances_beyond_the_bounds_are_refused_never_wrapped() {
    let t = start().await;
    t.project("p").await;
    t.service("p", "pg", "pg", "startup-4").await;
    let (_, c) = admin(&t, Method::GET, "/clock", None).await.unwrap();
    let before = c["now_ms"].as_i64().unwrap();
    for body in [
        json!({"seconds": 1e300}),
        json!({"seconds": 1.8e19}),
        json!({"ms": u64::MAX}),
        json!({"ms": 315_576_000_001u64}),
        json!({"seconds": 315_576_001}),
    ] {
        let answer = admin(&t, Method::POST, "/clock/advance", Some(body.clone())).await;
        let Some((status, err)) = answer else {
            panic!("{body}: no answer (the handler panicked)");
        };
        assert_eq!(status, 400, "{body}: {err}");
        let message = err["message"].as_str().unwrap_or_default();
        assert!(message.contains("at most"), "{body}: {message}");
        let (_, c) = admin(&t, Method::GET, "/clock", None).await.unwrap();
        assert_eq!(
            c["now_ms"].as_i64().unwrap(),
            before,
            "{body} moved the clock"
        );
    }
    // Ten years is allowed.
    let (status, c) = admin(
        &t,
        Method::POST,
        "/clock/advance",
        Some(json!({"seconds": 315_576_000})),
    )
    .await
    .unwrap();
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["now_ms"].as_i64().unwrap(), before + 315_576_000_000);

    // The end of 9999 is the end.
    let end = 253_402_300_799_999i64;
    t.clock.set(end - 1_000);
    let (status, err) = admin(
        &t,
        Method::POST,
        "/clock/advance",
        Some(json!({"seconds": 2})),
    )
    .await
    .unwrap();
    assert_eq!(status, 400, "{err}");
    assert!(
        err["message"].as_str().unwrap().contains("9999-12-31"),
        "{err}"
    );
    let (status, c) = admin(
        &t,
        Method::POST,
        "/clock/advance",
        Some(json!({"ms": 1_000})),
    )
    .await
    .unwrap();
    assert_eq!((status, c["now_ms"].as_i64()), (200, Some(end)));
    // Services are read at the end of time as at any other.
    let (status, _, list) = t.raw(Method::GET, "/project/p/service", None).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["services"][0]["state"], "RUNNING");
    let (status, _, one) = t.raw(Method::GET, "/project/p/service/pg", None).await;
    assert_eq!(status, 200, "{one}");
}
