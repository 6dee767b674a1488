//! Nothing lost under concurrency: many tasks create and update through the
//! generated client at once, on a multi-threaded runtime, and the final
//! state (read back through the API) holds every change.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::common::{api_error, body, start};
use aiven_api::types;
use serde_json::json;

const TASKS: usize = 64;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_and_updates_lose_nothing() {
    let t = Arc::new(start().await);
    t.project("conc").await;
    // Shared resources every task changes: tags of one service, databases of another.
    t.service("conc", "shared-tags", "valkey", "startup-4")
        .await;
    t.service("conc", "shared-pg", "pg", "startup-4").await;
    let before = t.sim.stats().requests;

    let mut tasks = Vec::new();
    for i in 0..TASKS {
        let t = t.clone();
        tasks.push(tokio::spawn(async move {
            let name = format!("svc-{i}");
            let c = &t.client;
            c.service_create()
                .project("conc")
                .body(body::<types::ServiceCreateRequestBody>(json!({
                    "service_name": name, "service_type": "pg", "plan": "startup-4",
                    "tags": {"task": i.to_string()},
                })))
                .send()
                .await
                .unwrap();
            c.service_update()
                .project("conc")
                .service_name(&name)
                .body(body::<types::ServiceUpdateRequestBody>(json!({
                    "plan": if i % 2 == 0 { "business-4" } else { "premium-4" },
                    "disk_space_mb": 81920 + 1024 * i,
                })))
                .send()
                .await
                .unwrap();
            // Read-modify-write races on one object would drop keys here.
            c.project_service_tags_update()
                .project("conc")
                .service_name("shared-tags")
                .body(body::<types::ProjectServiceTagsUpdateRequestBody>(
                    json!({"tags": {format!("k{i}"): i.to_string()}}),
                ))
                .send()
                .await
                .unwrap();
            c.service_database_create()
                .project("conc")
                .service_name("shared-pg")
                .body(body::<types::ServiceDatabaseCreateRequestBody>(
                    json!({"database": format!("db{i}")}),
                ))
                .send()
                .await
                .unwrap();
            c.service_user_create()
                .project("conc")
                .service_name("shared-pg")
                .body(body::<types::ServiceUserCreateRequestBody>(
                    json!({"username": format!("user{i}")}),
                ))
                .send()
                .await
                .unwrap();
            let s = c
                .service_get()
                .project("conc")
                .service_name(&name)
                .send()
                .await
                .unwrap();
            assert_eq!(
                s.into_inner().service.unwrap().disk_space_mb,
                Some((81920 + 1024 * i) as i64)
            );
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let requests = t.sim.stats().requests - before;
    assert_eq!(
        requests,
        (TASKS * 6) as u64,
        "every request was answered once"
    );

    // The final state, through the API.
    let services = t
        .client
        .service_list()
        .project("conc")
        .send()
        .await
        .unwrap()
        .into_inner();
    let services = services.services.unwrap();
    assert_eq!(services.len(), TASKS + 2);
    for s in &services {
        let name = s.service_name.as_deref().unwrap();
        let Some(i) = name
            .strip_prefix("svc-")
            .map(|n| n.parse::<usize>().unwrap())
        else {
            continue;
        };
        let want_plan = if i % 2 == 0 {
            "business-4"
        } else {
            "premium-4"
        };
        assert_eq!(s.plan.as_deref(), Some(want_plan), "{name}");
        assert_eq!(s.disk_space_mb, Some((81920 + 1024 * i) as i64), "{name}");
        assert_eq!(
            s.state.as_deref(),
            Some("REBUILDING"),
            "{name}: still building"
        );
        assert_eq!(
            s.tags.as_ref().unwrap()["task"],
            json!(i.to_string()),
            "{name}"
        );
    }
    let tags = t
        .client
        .project_service_tags_list()
        .project("conc")
        .service_name("shared-tags")
        .send()
        .await
        .unwrap()
        .into_inner()
        .tags
        .unwrap();
    assert_eq!(
        tags.as_object().map(|t| t.len()),
        Some(TASKS),
        "no tag update lost"
    );
    let dbs = t
        .client
        .service_database_list()
        .project("conc")
        .service_name("shared-pg")
        .send()
        .await
        .unwrap()
        .into_inner()
        .databases
        .unwrap();
    assert_eq!(dbs.len(), TASKS + 1, "defaultdb and one per task");
    let users = t.get("conc", "shared-pg").await.users.unwrap();
    assert_eq!(users.len(), TASKS + 1, "avnadmin and one per task");
    let passwords: BTreeSet<_> = users.iter().map(|u| u.password.clone()).collect();
    assert_eq!(passwords.len(), TASKS + 1, "every password differs");
    assert_eq!(
        t.sim.snapshot().revision(),
        3 + (TASKS as u64) * 5,
        "one revision per change"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_creates_of_one_name_succeed_once() {
    let t = Arc::new(start().await);
    t.project("race").await;
    let mut tasks = Vec::new();
    for i in 0..32 {
        let t = t.clone();
        tasks.push(tokio::spawn(async move {
            t.client
                .service_create()
                .project("race")
                .body(body::<types::ServiceCreateRequestBody>(json!({
                    "service_name": "only-one", "service_type": "kafka", "plan": "startup-2",
                    "tags": {"winner": i.to_string()},
                })))
                .send()
                .await
        }));
    }
    let mut ok = Vec::new();
    let mut conflicts = 0;
    for (i, task) in tasks.into_iter().enumerate() {
        match task.await.unwrap() {
            Ok(_) => ok.push(i),
            r => {
                assert_eq!(api_error(r).0, 409);
                conflicts += 1;
            }
        }
    }
    assert_eq!(ok.len(), 1);
    assert_eq!(conflicts, 31);
    let s = t.get("race", "only-one").await;
    assert_eq!(s.tags.unwrap()["winner"], json!(ok[0].to_string()));
}
