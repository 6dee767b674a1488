//! Projects: create, list, get, update, delete and their errors.

use super::*;

// The June 2026 description deprecates the project-level project endpoints
// in favour of organization ones; Aiven still serves them, and so does the
// simulator.
#[allow(deprecated)]
#[tokio::test]
async fn projects_create_list_get_and_errors() {
    let t = start().await;
    let created = t
        .client
        .project_create()
        .body(body::<types::ProjectCreateRequestBody>(json!({
            "project": "alpha",
            "cloud": "aws-eu-west-1",
            "tags": {"team": "core"},
            "tech_emails": [{"email": "ops@example.com"}],
        })))
        .send()
        .await
        .unwrap()
        .into_inner();
    let p = to_json(&created)["project"].clone();
    assert_eq!(p["project_name"], "alpha");
    assert_eq!(p["default_cloud"], "aws-eu-west-1");
    assert_eq!(p["tags"]["team"], "core");
    assert_eq!(p["tech_emails"][0]["email"], "ops@example.com");
    assert_eq!(p["billing_group_id"].as_str().unwrap().len(), 36);
    t.project("beta").await;

    let list = to_json(&t.client.project_list().send().await.unwrap().into_inner());
    let names: Vec<&str> = list["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["project_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["alpha", "beta"]);
    assert_eq!(list["project_membership"]["beta"], "admin");

    let got = t
        .client
        .project_get()
        .project("alpha")
        .send()
        .await
        .unwrap();
    assert_eq!(to_json(&got.into_inner())["project"], p);

    let (status, e) = api_error(
        t.client
            .project_create()
            .body(body::<types::ProjectCreateRequestBody>(
                json!({"project": "alpha"}),
            ))
            .send()
            .await,
    );
    assert_eq!(status, 409);
    assert_eq!(e.message.as_deref(), Some("Project name is already in use"));

    let (status, e) = api_error(t.client.project_get().project("nope").send().await);
    assert_eq!(status, 404);
    let detail = &e.errors.unwrap()[0];
    assert_eq!(detail.error_code.as_deref(), Some("project_not_found"));
    assert_eq!(detail.status, Some(404));

    let (status, _) = api_error(
        t.client
            .project_create()
            .body(body::<types::ProjectCreateRequestBody>(
                json!({"project": "gamma", "cloud": "mars-1"}),
            ))
            .send()
            .await,
    );
    assert_eq!(status, 400);

    // Update (rename, default cloud) and delete.
    let updated = t
        .client
        .project_update()
        .project("beta")
        .body(body::<types::ProjectUpdateRequestBody>(
            json!({"project_name": "beta2", "cloud": "do-ams"}),
        ))
        .send()
        .await
        .unwrap();
    let u = to_json(&updated.into_inner());
    assert_eq!(u["project"]["project_name"], "beta2");
    assert_eq!(u["project"]["default_cloud"], "do-ams");
    t.service("beta2", "pg1", "pg", "hobbyist").await;
    let (status, _) = api_error(t.client.project_delete().project("beta2").send().await);
    assert_eq!(status, 409, "a project with services is not deleted");
    t.client
        .service_delete()
        .project("beta2")
        .service_name("pg1")
        .send()
        .await
        .unwrap();
    t.client
        .project_delete()
        .project("beta2")
        .send()
        .await
        .unwrap();
    let (status, _) = api_error(t.client.project_get().project("beta2").send().await);
    assert_eq!(status, 404);
}
