//! The project CA (`ProjectKmsGetCA`): a real X.509 CA certificate per
//! project, stable across reads and restarts; and the caller (`UserInfo`)
//! and on-demand maintenance (`ServiceMaintenanceStart`).

use crate::common::{start, start_on, TestSim};
use aiven_sim::ManualClock;
use reqwest::Method;
use serde_json::{json, Value};
use x509_parser::prelude::*;

async fn ca(t: &TestSim, project: &str) -> (u16, Value) {
    let (status, _, b) = t
        .raw(Method::GET, &format!("/project/{project}/kms/ca"), None)
        .await;
    (status, b)
}

/// Parses a PEM certificate; returns its subject, issuer, whether it is a
/// CA, and whether its signature verifies with its own key.
fn parse(pem_text: &str) -> (String, String, bool, bool) {
    let (rest, pem) = parse_x509_pem(pem_text.as_bytes()).expect("PEM");
    assert!(rest.iter().all(u8::is_ascii_whitespace), "one certificate");
    assert_eq!(pem.label, "CERTIFICATE");
    let cert = pem.parse_x509().expect("an X.509 certificate");
    let is_ca = cert
        .basic_constraints()
        .expect("unique extension")
        .is_some_and(|bc| bc.value.ca);
    let self_signed = cert.verify_signature(None).is_ok();
    (
        cert.subject().to_string(),
        cert.issuer().to_string(),
        is_ca,
        self_signed,
    )
}

#[tokio::test]
async fn every_project_has_its_own_ca_certificate() {
    let t = start().await;
    t.project("p").await;
    t.project("q").await;
    let (status, b) = ca(&t, "p").await;
    assert_eq!(status, 200, "{b}");
    let pem = b["certificate"].as_str().unwrap().to_string();
    let (subject, issuer, is_ca, self_signed) = parse(&pem);
    assert_eq!(subject, "CN=p Project CA, O=Aiven simulator");
    assert_eq!(issuer, subject, "self-issued");
    assert!(is_ca);
    assert!(self_signed);

    assert_eq!(ca(&t, "p").await.1["certificate"], pem.as_str(), "stable");
    let (_, q) = ca(&t, "q").await;
    assert_ne!(q["certificate"], pem.as_str());
    assert_eq!(
        parse(q["certificate"].as_str().unwrap()).0,
        "CN=q Project CA, O=Aiven simulator"
    );

    let (status, b) = ca(&t, "nope").await;
    assert_eq!(status, 404);
    assert_eq!(b["errors"][0]["error_code"], "project_not_found");
}

#[tokio::test]
async fn the_ca_survives_restarts_and_old_state_files_get_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let clock = ManualClock::new();
    let t = start_on(&clock, &path).await;
    t.project("p").await;
    let pem = ca(&t, "p").await.1["certificate"].clone();
    drop(t);

    let t = start_on(&clock, &path).await;
    assert_eq!(ca(&t, "p").await.1["certificate"], pem);
    let mut saved = t.sim.snapshot();
    drop(t);

    // A state saved before projects had CAs (a JSON state file, the
    // previous format): one is made and written back at once, so the next
    // restart serves the same one.
    let path = dir.path().join("old.json");
    saved.state_mut()["projects"]["p"]
        .as_object_mut()
        .unwrap()
        .remove("ca")
        .expect("the CA is in the state file");
    std::fs::write(&path, serde_json::to_vec(saved.state()).unwrap()).unwrap();
    let t = start_on(&clock, &path).await;
    let made = ca(&t, "p").await.1["certificate"].clone();
    assert_ne!(made, pem);
    assert_eq!(
        parse(made.as_str().unwrap()).0,
        "CN=p Project CA, O=Aiven simulator"
    );
    drop(t);
    let t = start_on(&clock, &path).await;
    assert_eq!(ca(&t, "p").await.1["certificate"], made);
}

#[tokio::test]
async fn user_info_names_the_caller_and_its_projects() {
    let t = start().await;
    t.project("p").await;
    t.project("q").await;
    let (status, _, b) = t.raw(Method::GET, "/me", None).await;
    assert_eq!(status, 200, "{b}");
    let u = &b["user"];
    assert_eq!(u["user"], "sim-user@example.com");
    assert_eq!(u["state"], "active");
    assert_eq!(u["projects"], json!(["p", "q"]));
    assert_eq!(u["project_membership"], json!({"p": "admin", "q": "admin"}));

    let anonymous = t.http.get(t.url("/me")).send().await.unwrap();
    assert_eq!(anonymous.status(), 403);
}

#[tokio::test]
async fn maintenance_starts_on_powered_services_only() {
    let t = start().await;
    t.project("p").await;
    t.service("p", "pg", "pg", "startup-4").await;
    let path = "/project/p/service/pg/maintenance/start";
    let (status, _, b) = t.raw(Method::PUT, path, None).await;
    assert_eq!(
        (status, b),
        (200, json!({"message": "Maintenance started"}))
    );

    let (status, _, _) = t
        .raw(
            Method::PUT,
            "/project/p/service/pg",
            Some(json!({"powered": false})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _, b) = t.raw(Method::PUT, path, None).await;
    assert_eq!(status, 409);
    assert_eq!(b["errors"][0]["error_code"], "not_powered");
    let (status, _, _) = t
        .raw(
            Method::PUT,
            "/project/p/service/ghost/maintenance/start",
            None,
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn kafka_users_get_certificates_signed_by_the_project_ca() {
    let t = start().await;
    t.project("p").await;
    let ca_pem = ca(&t, "p").await.1["certificate"]
        .as_str()
        .unwrap()
        .to_string();
    t.service("p", "k", "kafka", "startup-2").await;
    let (status, _, created) = t
        .raw(
            Method::POST,
            "/project/p/service/k/user",
            Some(json!({"username": "app"})),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let (_, ca_der) = parse_x509_pem(ca_pem.as_bytes()).unwrap();
    let ca_cert = ca_der.parse_x509().unwrap();

    let s = serde_json::to_value(t.get("p", "k").await).unwrap();
    let users = s["users"].as_array().unwrap();
    let mut certs = Vec::new();
    for (name, u) in [("app", &users[0]), ("avnadmin", &users[1])] {
        assert_eq!(u["username"], name);
        let cert_pem = u["access_cert"].as_str().expect("access_cert");
        let key_pem = u["access_key"].as_str().expect("access_key");
        assert!(key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        assert_eq!(
            u["access_cert_not_valid_after_time"],
            "2034-01-01T00:00:00Z"
        );
        let (_, der) = parse_x509_pem(cert_pem.as_bytes()).unwrap();
        let cert = der.parse_x509().unwrap();
        assert_eq!(
            cert.subject().to_string(),
            format!("CN={name}, O=Aiven simulator")
        );
        assert_eq!(cert.issuer(), ca_cert.subject());
        cert.verify_signature(Some(ca_cert.public_key()))
            .expect("signed by the project CA");
        certs.push(cert_pem.to_string());
    }
    assert_eq!(created["user"]["access_cert"], certs[0].as_str());
    assert_ne!(certs[0], certs[1]);

    // Other service types have no client certificates.
    t.service("p", "pg", "pg", "startup-4").await;
    let pg = serde_json::to_value(t.get("p", "pg").await).unwrap();
    assert!(pg["users"][0].get("access_cert").is_none());
}

/// A service's pools and integrations, a VPC and the event log.
async fn snapshot(t: &TestSim, vpc_id: &str) -> (Value, Value, Value, Value) {
    let a = serde_json::to_value(t.get("p", "a").await).unwrap();
    let (_, _, v) = t
        .raw(Method::GET, &format!("/project/p/vpcs/{vpc_id}"), None)
        .await;
    let (_, _, e) = t.raw(Method::GET, "/project/p/events", None).await;
    (
        a["connection_pools"].clone(),
        a["service_integrations"].clone(),
        v,
        e,
    )
}

#[tokio::test]
async fn pools_integrations_vpcs_and_events_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let clock = ManualClock::new();
    let t = start_on(&clock, &path).await;
    t.project("p").await;
    t.service("p", "a", "pg", "startup-4").await;
    t.service("p", "b", "pg", "startup-4").await;
    let post = |path: &'static str, body: Value| {
        let t = &t;
        async move {
            let (status, _, b) = t.raw(Method::POST, path, Some(body)).await;
            assert_eq!(status, 200, "{path}: {b}");
            b
        }
    };
    post(
        "/project/p/service/a/connection_pool",
        json!({"pool_name": "pool", "database": "defaultdb"}),
    )
    .await;
    post(
        "/project/p/integration",
        json!({"integration_type": "read_replica", "source_service": "a", "dest_service": "b"}),
    )
    .await;
    let vpc = post(
        "/project/p/vpcs",
        json!({"cloud_name": "do-ams", "network_cidr": "10.3.0.0/16", "peering_connections": []}),
    )
    .await;
    let vpc_id = vpc["project_vpc_id"].as_str().unwrap().to_string();
    let before = snapshot(&t, &vpc_id).await;
    assert_eq!(before.0.as_array().unwrap().len(), 1);
    assert_eq!(before.1.as_array().unwrap().len(), 1);
    assert_eq!(before.3["events"].as_array().unwrap().len(), 4);
    drop(t);
    let t = start_on(&clock, &path).await;
    assert_eq!(snapshot(&t, &vpc_id).await, before);
}
