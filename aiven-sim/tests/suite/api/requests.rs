//! Auth, routing, request validation and the conformance check of every answer.

use super::*;

// The June 2026 description deprecates the project-level project endpoints
// in favour of organization ones; Aiven still serves them, and so does the
// simulator.
#[allow(deprecated)]
#[tokio::test]
async fn auth_tokens_and_anonymous_endpoints() {
    let t = start().await;
    let anonymous = common::client(t.sim.base_url(), None);
    let (status, e) = api_error(anonymous.project_list().send().await);
    assert_eq!(status, 403);
    assert_eq!(e.message.as_deref(), Some("Authentication failed"));
    assert_eq!(
        e.errors.unwrap()[0].error_code.as_deref(),
        Some("authentication_failed")
    );
    let wrong = common::client(t.sim.base_url(), Some("not-the-token"));
    assert_eq!(api_error(wrong.project_list().send().await).0, 403);

    // Bearer works too.
    let r = t
        .http
        .get(t.url("/project"))
        .header("authorization", format!("Bearer {}", common::TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // The public endpoints answer without a token.
    let clouds = anonymous.list_clouds().send().await.unwrap().into_inner();
    assert!(to_json(&clouds)["clouds"].as_array().unwrap().len() >= 20);
    let types = anonymous.list_public_service_types().send().await.unwrap();
    assert!(to_json(&types.into_inner())["service_types"]["pg"].is_object());
    assert!(anonymous.list_service_versions().send().await.is_ok());
}

#[tokio::test]
async fn unknown_routes_methods_and_generic_operations() {
    let t = start().await;
    let (status, _, b) = t.raw(Method::GET, "/nope/at/all", None).await;
    assert_eq!(status, 404);
    assert_eq!(b["errors"][0]["status"], 404);
    assert!(b["message"].as_str().unwrap().contains("/v1/nope/at/all"));

    let r = t
        .http
        .get(format!("http://{}/project", t.sim.addr()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "paths outside /v1 are unknown");

    let (status, _, b) = t.raw(Method::PATCH, "/project/p/service/s", None).await;
    assert_eq!(status, 405);
    assert_eq!(b["errors"][0]["status"], 405);

    // An operation of the description without a hand-written handler: the
    // generic model answers it (the `generic` module).
    // (AccountList was the example until it was hand-modelled: accounts
    // resolve, the `hardening` module.)
    let (status, _, b) = t
        .raw(Method::GET, "/organization/org1/user-groups", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(b["user_groups"], json!([]));
    assert!(!aiven_sim::implemented_operations().contains(&"UserGroupsList"));
}

#[tokio::test]
async fn request_bodies_are_validated_against_the_description() {
    let t = start().await;
    t.project("p").await;
    let (status, _, b) = t
        .raw(
            Method::POST,
            "/project/p/service",
            Some(json!({"service_name": 5, "service_type": "pg"})),
        )
        .await;
    assert_eq!(status, 400);
    let messages: Vec<&str> = b["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(messages.len() >= 2, "{messages:?}");
    assert!(
        messages.iter().any(|m| m.contains("/service_name")),
        "{messages:?}"
    );
    assert!(messages.iter().any(|m| m.contains("plan")), "{messages:?}");
    assert!(b["errors"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["status"] == 400));

    let long = "x".repeat(65);
    let (status, _, _) = t
        .raw(
            Method::POST,
            "/project/p/service",
            Some(json!({"service_name": long, "service_type": "pg", "plan": "hobbyist"})),
        )
        .await;
    assert_eq!(status, 400, "maxLength 64");

    let r = t
        .http
        .post(t.url("/project"))
        .header("authorization", format!("aivenv1 {}", common::TOKEN))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let b: Value = r.json().await.unwrap();
    assert!(b["message"]
        .as_str()
        .unwrap()
        .starts_with("Invalid JSON body"));

    let (status, _, _) = t.raw(Method::POST, "/project", None).await;
    assert_eq!(status, 400, "ProjectCreate requires `project`");

    // Nothing was created by the rejected requests.
    let (status, _, b) = t.raw(Method::GET, "/project/p/service", None).await;
    assert_eq!(status, 200);
    assert_eq!(b["services"], json!([]));
}

#[tokio::test]
async fn every_response_was_checked_against_the_description() {
    let t = start().await;
    t.project("p").await;
    t.service("p", "s", "pg", "startup-4").await;
    let _ = t
        .client
        .service_get()
        .project("p")
        .service_name("nope")
        .send()
        .await;
    let report = t.sim.conformance();
    assert_eq!(report.total(), 3);
    assert_eq!(report.checked["ServiceGet"], 1);
    assert!(report.violations.is_empty(), "{:?}", report.violations);
    assert_eq!(t.sim.stats().by_status[&404], 1);
}
