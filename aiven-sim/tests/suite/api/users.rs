//! Service users and credentials.

use super::*;

#[tokio::test]
async fn service_users_and_credentials() {
    let t = start().await;
    t.project("p").await;
    let s = to_json(&t.service("p", "my", "mysql", "startup-4").await);
    let admin_password = s["users"][0]["password"].as_str().unwrap().to_string();
    let created = t
        .client
        .service_user_create()
        .project("p")
        .service_name("my")
        .body(body::<types::ServiceUserCreateRequestBody>(
            json!({"username": "app"}),
        ))
        .send()
        .await
        .unwrap();
    let u = to_json(&created.into_inner())["user"].clone();
    assert_eq!(u["username"], "app");
    assert_eq!(u["type"], "normal");
    assert_eq!(u["authentication"], "caching_sha2_password");
    assert_eq!(u["password"].as_str().unwrap().len(), 24);

    let got = t
        .client
        .service_user_get()
        .project("p")
        .service_name("my")
        .service_username("app")
        .send()
        .await
        .unwrap();
    assert_eq!(to_json(&got.into_inner())["user"], u);
    let users: Vec<String> = to_json(&t.get("p", "my").await)["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(users, ["app", "avnadmin"]);

    let again = t
        .client
        .service_user_create()
        .project("p")
        .service_name("my")
        .body(body::<types::ServiceUserCreateRequestBody>(
            json!({"username": "app"}),
        ))
        .send()
        .await;
    assert_eq!(api_error(again).0, 409);
    let (status, _) = api_error(
        t.client
            .service_user_delete()
            .project("p")
            .service_name("my")
            .service_username("avnadmin")
            .send()
            .await,
    );
    assert_eq!(status, 400, "the primary user stays");

    // Resetting the primary user's password changes the service URI.
    let reset = t
        .client
        .service_user_credentials_reset()
        .project("p")
        .service_name("my")
        .service_username("avnadmin")
        .send()
        .await
        .unwrap();
    let s = to_json(&reset.into_inner())["service"].clone();
    let uri = s["service_uri"].as_str().unwrap();
    assert!(!uri.contains(&admin_password));
    let new_password = s["service_uri_params"]["password"].as_str().unwrap();
    assert!(uri.contains(new_password));
    let modified = t
        .client
        .service_user_credentials_modify()
        .project("p")
        .service_name("my")
        .service_username("app")
        .body(body::<types::ServiceUserCredentialsModifyRequestBody>(
            json!({"operation": "reset-credentials", "new_password": "correct-horse-battery"}),
        ))
        .send()
        .await
        .unwrap();
    let s = to_json(&modified.into_inner())["service"].clone();
    let app = s["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "app")
        .unwrap();
    assert_eq!(app["password"], "correct-horse-battery");

    t.client
        .service_user_delete()
        .project("p")
        .service_name("my")
        .service_username("app")
        .send()
        .await
        .unwrap();
    let (status, _) = api_error(
        t.client
            .service_user_get()
            .project("p")
            .service_name("my")
            .service_username("app")
            .send()
            .await,
    );
    assert_eq!(status, 404);
}
