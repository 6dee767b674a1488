//! The generic model over real HTTP: every operation of the description is
//! answered (no 501, no 5xx, every answer conforms), and generic items are
//! created, listed, read, updated, deleted, persisted and dropped with their
//! project or service.

use std::collections::BTreeMap;

use crate::common::{request, start, start_with, walk_every_operation, Target, TestSim, Walked};
use aiven_sim::spec::spec;
use reqwest::Method;
use serde_json::{json, Value};

async fn call(t: &TestSim, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    let (status, _, body) = t.raw(method, path, body).await;
    (status, body)
}

/// The walk drives a simulator in this process.
impl Target for &TestSim {
    async fn call(&mut self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        call(self, method, path, body).await
    }

    async fn snapshot(&mut self) -> Value {
        let root = self.sim.base_url().trim_end_matches("/v1");
        let (status, state) = request(&self.http, root, "GET", "/_sim/state", None).await;
        assert_eq!(status, 200, "{state}");
        state
    }
}

#[tokio::test]
async fn every_operation_is_answered_and_conforms() {
    let t = start().await;
    let Walked {
        answers,
        paths,
        invalid_examples,
        setup_calls,
    } = walk_every_operation(&mut &t).await;
    assert!(
        invalid_examples.is_empty(),
        "example requests the description refuses:\n{}",
        invalid_examples.join("\n")
    );

    let coverage = aiven_sim::coverage();
    let generic_ids: std::collections::BTreeSet<&str> =
        coverage.generic.iter().map(|(id, _)| *id).collect();
    let failed: Vec<String> = answers
        .iter()
        .filter(|(_, (s, _))| *s == 501 || *s >= 500)
        .map(|(id, (s, b))| format!("{id} {s} {b}"))
        .collect();
    assert!(failed.is_empty(), "5xx answers:\n{}", failed.join("\n"));
    let stats = t.sim.stats();
    let missed: Vec<String> = spec()
        .operations
        .iter()
        .filter(|op| stats.operation(&op.operation_id) == 0)
        .map(|op| format!("{} {}", op.operation_id, paths[op.operation_id.as_str()]))
        .collect();
    assert!(missed.is_empty(), "never reached:\n{}", missed.join("\n"));
    let not_ok = |generic: bool| -> Vec<String> {
        answers
            .iter()
            .filter(|(id, (s, _))| *s / 100 != 2 && generic_ids.contains(*id) == generic)
            .map(|(id, (s, b))| format!("{id} {s} {}", b["message"]))
            .collect()
    };
    eprintln!(
        "{} operations: {} hand-modelled, {} generic, {} none; hand-modelled not 2xx in this walk \
         (it names only the generic model's items): {:?}",
        answers.len(),
        coverage.hand_modelled.len(),
        coverage.generic.len(),
        coverage.none.len(),
        not_ok(false),
    );
    // In this walk (parents before children, items named by what was
    // created) every generic operation succeeds.
    let generic_failed = not_ok(true);
    assert!(
        generic_failed.is_empty(),
        "not 2xx:\n{}",
        generic_failed.join("\n")
    );
    // Every answer was checked but the bodiless and CSV/PDF successes
    // (no schema to check them against).
    let unchecked = answers
        .iter()
        .filter(|(id, (s, _))| *s / 100 == 2 && !spec().operation(id).unwrap().success.is_json())
        .count();
    if let Ok(dump) = std::env::var("AIVEN_SIM_DUMP_ANSWERS") {
        let all: BTreeMap<_, _> = answers
            .iter()
            .map(|(id, (s, b))| (*id, json!({"request": paths[id], "status": s, "body": b})))
            .collect();
        std::fs::write(dump, serde_json::to_vec_pretty(&all).unwrap()).unwrap();
    }
    let report = t.sim.conformance();
    // (and the calls that made the project and the services and deleted
    // two of them)
    assert_eq!(report.total(), answers.len() + setup_calls - unchecked);
    report.assert_clean();
}

#[test]
fn every_operation_is_covered() {
    let c = aiven_sim::coverage();
    assert!(c.none.is_empty(), "{:?}", c.none);
    assert_eq!(
        c.hand_modelled.len() + c.generic.len(),
        spec().operations.len()
    );
    assert_eq!(
        c.hand_modelled.len(),
        aiven_sim::implemented_operations().len()
    );
}

#[tokio::test]
async fn generic_items_have_a_life() {
    let t = start().await;
    let base = "/organization/org1/user-groups";
    let (s, created) = call(
        &t,
        "POST",
        base,
        Some(json!({"user_group_name": "admins", "description": "The admins"})),
    )
    .await;
    assert_eq!(s, 200, "{created}");
    assert_eq!(created["user_group_name"], "admins");
    // The description declares no `message` here.
    assert!(created.get("message").is_none(), "{created}");
    assert_eq!(created["description"], "The admins");
    let id = created["user_group_id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 36);
    let now = aiven_sim::clock::format_time(aiven_sim::Clock::now_ms(&t.clock));
    assert_eq!(created["create_time"], now.as_str());

    let (s, list) = call(&t, "GET", base, None).await;
    assert_eq!(s, 200);
    let groups = list["user_groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0]["user_group_id"], id.as_str());
    assert_eq!(groups[0]["user_group_name"], "admins");

    let item = format!("{base}/{id}");
    let (s, _) = call(&t, "PATCH", &item, Some(json!({"description": "Changed"}))).await;
    assert_eq!(s, 200);
    let (s, got) = call(&t, "GET", &item, None).await;
    assert_eq!(s, 200);
    assert!(got.get("message").is_none(), "{got}");
    assert_eq!(got["description"], "Changed");
    assert_eq!(got["user_group_name"], "admins");

    // The description declares 204 without a body for this delete.
    let (s, body) = call(&t, "DELETE", &item, None).await;
    assert_eq!((s, body), (204, json!("")));
    let (s, err) = call(&t, "GET", &item, None).await;
    assert_eq!(s, 404);
    assert_eq!(err["errors"][0]["status"], 404);
    assert!(
        err["message"].as_str().unwrap().contains("not found"),
        "{err}"
    );
    let (s, _) = call(&t, "DELETE", &item, None).await;
    assert_eq!(s, 404);
    let (_, list) = call(&t, "GET", base, None).await;
    assert_eq!(list["user_groups"], json!([]));
}

#[tokio::test]
async fn generic_items_live_and_die_with_their_service() {
    let t = start().await;
    let apps = "/project/p/service/s/flink/application";
    let (s, err) = call(&t, "GET", apps, None).await;
    assert_eq!(s, 404);
    assert_eq!(err["message"], "Project does not exist");
    assert_eq!(err["errors"][0]["error_code"], "project_not_found");
    t.project("p").await;
    let (s, err) = call(&t, "POST", apps, Some(json!({"name": "app"}))).await;
    assert_eq!(
        (s, err["message"].as_str()),
        (404, Some("Service not found"))
    );

    t.service("p", "s", "pg", "startup-4").await;
    let (s, app) = call(&t, "POST", apps, Some(json!({"name": "app"}))).await;
    assert_eq!(s, 200, "{app}");
    assert_eq!(app["name"], "app");
    let id = app["id"].as_str().unwrap().to_string();
    let (s, got) = call(&t, "GET", &format!("{apps}/{id}"), None).await;
    assert_eq!(s, 200);
    assert_eq!(
        (got["id"].as_str(), got["name"].as_str()),
        (Some(id.as_str()), Some("app"))
    );
    assert_eq!(got["created_at"], app["created_at"]);
    let (_, list) = call(&t, "GET", apps, None).await;
    assert_eq!(list["applications"][0]["id"], id.as_str());
    assert!(t.sim.snapshot().state()["generic"][apps].is_object());

    // The account of a project exists for the generic model.
    let (_, project) = call(&t, "GET", "/project/p", None).await;
    let account = project["project"]["account_id"].as_str().unwrap();
    let (s, got) = call(&t, "GET", &format!("/account/{account}"), None).await;
    assert_eq!(s, 200, "{got}");
    assert_eq!(got["account"]["account_id"], account);
    assert!(got.get("errors").is_none(), "{got}");
    let (s, _) = call(&t, "GET", "/account/a-nobody-made", None).await;
    assert_eq!(s, 404);

    let (s, _) = call(&t, "DELETE", "/project/p/service/s", None).await;
    assert_eq!(s, 200);
    let snapshot = t.sim.snapshot();
    assert!(
        snapshot.state().get("generic").is_none(),
        "{}",
        snapshot.state()["generic"]
    );
    t.service("p", "s", "pg", "startup-4").await;
    let (_, list) = call(&t, "GET", apps, None).await;
    assert_eq!(list["applications"], json!([]));
}

#[tokio::test]
async fn generic_items_survive_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let mut t = start_with(|b| b.state_file(&path)).await;
    // Organization VPCs are hand-modelled; user groups are generic.
    let (s, group) = call(
        &t,
        "POST",
        "/organization/o1/user-groups",
        Some(json!({"user_group_name": "ci", "description": "kept"})),
    )
    .await;
    assert_eq!(s, 200, "{group}");
    let id = group["user_group_id"].as_str().unwrap().to_string();
    let (s, _) = call(
        &t,
        "PATCH",
        "/organization/o1/config/authentication",
        Some(json!({"two_factor_required": true})),
    )
    .await;
    assert_eq!(s, 200);
    t.sim.shutdown().await;
    drop(t);

    let t = start_with(|b| b.state_file(&path)).await;
    let (s, got) = call(
        &t,
        "GET",
        &format!("/organization/o1/user-groups/{id}"),
        None,
    )
    .await;
    assert_eq!(s, 200, "{got}");
    assert_eq!(got["user_group_id"], id.as_str());
    assert_eq!(got["description"], "kept");
    let (_, list) = call(&t, "GET", "/organization/o1/user-groups", None).await;
    assert_eq!(list["user_groups"][0]["user_group_id"], id.as_str());
    let (_, config) = call(&t, "GET", "/organization/o1/config/authentication", None).await;
    assert_eq!(config["two_factor_required"], true);
}

#[tokio::test]
async fn downloads_and_no_content_answers_are_what_the_description_declares() {
    let t = start().await;
    let (s, headers, body) = t
        .raw(Method::GET, "/billing-group/bg1/invoice/inv1/csv", None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(headers["content-type"], "text/csv");
    assert!(body.as_str().unwrap().starts_with("description,amount\n"));
    let (s, headers, body) = t
        .raw(
            Method::PUT,
            "/organization/o1/permissions/project/p1",
            Some(json!({"permissions": []})),
        )
        .await;
    assert_eq!((s, body), (204, json!("")), "{headers:?}");
    // The JSON answers around them are checked as usual.
    let (s, _) = call(&t, "GET", "/organization/o1/permissions/project/p1", None).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn generated_identifiers_are_deterministic() {
    let mut ids = Vec::new();
    for _ in 0..2 {
        let t = start().await;
        let (s, a) = call(
            &t,
            "POST",
            "/organization/o1/user-groups",
            Some(json!({"user_group_name": "a", "description": ""})),
        )
        .await;
        assert_eq!(s, 200);
        let (_, b) = call(
            &t,
            "POST",
            "/organization/o1/user-groups",
            Some(json!({"user_group_name": "b", "description": ""})),
        )
        .await;
        assert_ne!(a["user_group_id"], b["user_group_id"]);
        ids.push((a["user_group_id"].clone(), b["user_group_id"].clone()));
    }
    assert_eq!(ids[0], ids[1]);
}
