//! PostgreSQL databases.

use super::*;

#[tokio::test]
async fn postgres_databases() {
    let t = start().await;
    t.project("p").await;
    t.service("p", "pg", "pg", "startup-4").await;
    let names = || async {
        let r = t
            .client
            .service_database_list()
            .project("p")
            .service_name("pg")
            .send()
            .await
            .unwrap();
        to_json(&r.into_inner())["databases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["database_name"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(names().await, ["defaultdb"]);
    let create = |db: &str| {
        t.client
            .service_database_create()
            .project("p")
            .service_name("pg")
            .body(body::<types::ServiceDatabaseCreateRequestBody>(
                json!({"database": db}),
            ))
            .send()
    };
    create("app").await.unwrap();
    assert_eq!(names().await, ["defaultdb", "app"]);
    assert_eq!(
        to_json(&t.get("p", "pg").await)["databases"],
        json!(["defaultdb", "app"])
    );
    assert_eq!(api_error(create("app").await).0, 409);
    t.client
        .service_database_delete()
        .project("p")
        .service_name("pg")
        .dbname("app")
        .send()
        .await
        .unwrap();
    assert_eq!(names().await, ["defaultdb"]);
    let (status, _) = api_error(
        t.client
            .service_database_delete()
            .project("p")
            .service_name("pg")
            .dbname("app")
            .send()
            .await,
    );
    assert_eq!(status, 404);

    t.service("p", "k", "kafka", "startup-2").await;
    let (status, _) = api_error(
        t.client
            .service_database_list()
            .project("p")
            .service_name("k")
            .send()
            .await,
    );
    assert_eq!(status, 400);
}
