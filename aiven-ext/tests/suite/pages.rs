//! Paged lists as streams, against a loopback HTTP server.
use crate::common;
use aiven_ext::clock::MockClock;
use futures::{StreamExt, TryStreamExt};
use httpmock::prelude::*;
use serde_json::json;

const STEPS: &str = "/v1/organization/org1/upgrade-pipeline/steps";

fn step(id: &str) -> serde_json::Value {
    json!({ "step_id": id, "source_service_name": "pg-staging" })
}

#[tokio::test]
async fn every_page_is_fetched_in_order_and_only_when_reached() {
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(STEPS)
                .query_param("limit", "2")
                .query_param_missing("cursor");
            // `next` as a URL: the cursor is its query parameter.
            let next = format!("{}{STEPS}?cursor=c%3D2&limit=2", server.base_url());
            then.status(200).json_body(
                json!({ "steps": [step("s1"), step("s2")], "next": next, "total_count": 5 }),
            );
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method(GET).path(STEPS).query_param("cursor", "c=2");
            then.status(200)
                .json_body(json!({ "steps": [step("s3"), step("s4")], "next": "c3" }));
        })
        .await;
    let third = server
        .mock_async(|when, then| {
            when.method(GET).path(STEPS).query_param("cursor", "c3");
            then.status(200).json_body(json!({ "steps": [step("s5")] }));
        })
        .await;
    let client = common::client(&server, &MockClock::new());

    // Taking two items reads one page.
    let two: Vec<_> = client
        .upgrade_pipeline_steps("org1", 2)
        .take(2)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(two.len(), 2);
    assert_eq!((first.calls(), second.calls(), third.calls()), (1, 0, 0));

    // A stream is Send: it can be consumed on another task.
    let client2 = client.clone();
    let all: Vec<_> = tokio::spawn(async move {
        client2
            .upgrade_pipeline_steps("org1", 2)
            .try_collect::<Vec<_>>()
            .await
    })
    .await
    .unwrap()
    .unwrap();
    let ids: Vec<_> = all.iter().map(|s| s.step_id.clone().unwrap()).collect();
    assert_eq!(ids, ["s1", "s2", "s3", "s4", "s5"]);
    assert_eq!((first.calls(), second.calls(), third.calls()), (2, 1, 1));
}

#[tokio::test]
async fn a_cursor_given_twice_ends_the_stream_with_an_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(STEPS);
            then.status(200)
                .json_body(json!({ "steps": [step("s1")], "next": "same" }));
        })
        .await;
    let client = common::client(&server, &MockClock::new());
    let got: Vec<_> = client.upgrade_pipeline_steps("org1", 1).collect().await;
    // Page 1 (next "same") gives its item; page 2 hands "same" back: the
    // error, without page 2's items (they repeat what came before).
    assert_eq!(got.len(), 2);
    let e = got.into_iter().last().unwrap().unwrap_err();
    assert!(e.to_string().contains("given twice"), "{e}");
    assert_eq!(e.operation_id(), Some("UpgradePipelineStepList"));
}

#[tokio::test]
async fn an_error_on_a_later_page_ends_the_stream_after_the_items_before_it() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(STEPS).query_param_missing("cursor");
            then.status(200)
                .json_body(json!({ "steps": [step("s1")], "next": "c2" }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(STEPS).query_param("cursor", "c2");
            then.status(403)
                .json_body(json!({ "message": "Forbidden", "errors": [] }));
        })
        .await;
    let client = common::client(&server, &MockClock::new());
    let got: Vec<_> = client.upgrade_pipeline_steps("org1", 1).collect().await;
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].as_ref().unwrap().step_id.as_deref(), Some("s1"));
    let e = got[1].as_ref().unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(403));

    // A bad organization id is refused before any request.
    let got: Vec<_> = client.upgrade_pipeline_steps("../x", 1).collect().await;
    assert!(
        matches!(got[..], [Err(aiven_ext::Error::Validation { .. })]),
        "{got:?}"
    );
}

/// A server that answers empty pages, each with a new cursor, cannot spin
/// the stream: it ends with an error after `MAX_EMPTY_PAGES` pages.
#[tokio::test]
async fn empty_pages_with_new_cursors_end_the_stream() {
    // A real spinning server: every answer a new cursor, no items.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let served = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = served.clone();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let n = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = sock.read(&mut buf).await;
            let body = format!(r#"{{"steps": [], "next": "cursor-{n}"}}"#);
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = sock.write_all(reply.as_bytes()).await;
        }
    });
    let client = aiven_ext::AivenClient::builder()
        .base_url(format!("http://{addr}"))
        .token(common::TOKEN)
        .clock(MockClock::new().shared())
        .build()
        .unwrap();
    let got: Result<Vec<_>, _> = client.upgrade_pipeline_steps("org1", 2).try_collect().await;
    let e = got.unwrap_err();
    assert!(e.to_string().contains("3 empty pages in a row"), "{e}");
    assert_eq!(
        served.load(std::sync::atomic::Ordering::SeqCst),
        aiven_ext::pages::MAX_EMPTY_PAGES
    );
}

/// A 1 MiB cursor is refused, not followed, and the error stays short.
#[tokio::test]
async fn a_huge_cursor_is_refused_with_a_short_error() {
    let server = MockServer::start_async().await;
    let huge = "c".repeat(1 << 20);
    let first = server
        .mock_async(|when, then| {
            when.method(GET).path(STEPS);
            then.status(200)
                .json_body(json!({ "steps": [step("s1")], "next": huge }));
        })
        .await;
    let client = common::client(&server, &MockClock::new());
    let got: Result<Vec<_>, _> = client.upgrade_pipeline_steps("org1", 2).try_collect().await;
    let shown = got.unwrap_err().to_string();
    assert!(shown.len() < 2_000, "{} characters", shown.len());
    assert!(shown.contains("more than 4096"), "{shown}");
    assert_eq!(first.calls_async().await, 1);
}
