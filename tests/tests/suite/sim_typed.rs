//! The simulator's pools, integrations, VPCs and project CA through the
//! generated client and aiven-ext (here rather than in aiven-sim, which does
//! not depend on aiven-ext): the typed bodies are accepted, the answers decode, and the
//! waiters see VPCs and integrations come up (instant timings, so that
//! aiven-ext's real-time poll delays never run).

use std::time::Duration;

use crate::sim_common::{body, start_with, TestSim, TOKEN};
use aiven_api::types;
use aiven_ext::{AivenClient, StateExt, VpcState};
use aiven_sim::Timings;
use serde_json::json;

async fn instant() -> (TestSim, AivenClient) {
    let t = start_with(|b| b.timings(Timings::instant())).await;
    let ext = AivenClient::builder()
        .base_url(t.sim.base_url())
        .token(TOKEN)
        .build()
        .unwrap();
    t.project("p").await;
    (t, ext)
}

#[tokio::test]
async fn pools_through_the_generated_client() {
    let (t, _) = instant().await;
    t.service("p", "pg", "pg", "startup-4").await;
    let created = t
        .client
        .service_pg_bouncer_create()
        .project("p")
        .service_name("pg")
        .body(body::<types::ServicePgBouncerCreateRequestBody>(json!({
            "pool_name": "web", "database": "defaultdb", "username": "avnadmin",
            "pool_mode": "session", "pool_size": 7,
        })))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(created.message.as_deref(), Some("created"));
    let pools = t.get("p", "pg").await.connection_pools.unwrap();
    assert_eq!(pools.len(), 1);
    assert_eq!(pools[0].pool_name.as_deref(), Some("web"));
    assert_eq!(pools[0].pool_size, Some(7));
    assert!(pools[0]
        .connection_uri
        .as_deref()
        .unwrap()
        .starts_with("postgres://avnadmin:"));
    t.client
        .service_pg_bouncer_delete()
        .project("p")
        .service_name("pg")
        .pool_name("web")
        .send()
        .await
        .unwrap();
    assert!(t.get("p", "pg").await.connection_pools.unwrap().is_empty());
}

#[tokio::test]
async fn aiven_ext_waits_for_a_vpc_and_an_integration() {
    let (t, ext) = instant().await;
    let vpc = t
        .client
        .vpc_create()
        .project("p")
        .body(body::<types::VpcCreateRequestBody>(json!({
            "cloud_name": "aws-eu-west-1", "network_cidr": "10.20.0.0/16",
            "peering_connections": [],
        })))
        .send()
        .await
        .unwrap()
        .into_inner();
    let id = vpc.project_vpc_id.clone().unwrap();
    let active = ext
        .wait_until_vpc_active("p", &id)
        .wait(Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(active.state(), Some(VpcState::Active));
    let vpcs = t.client.vpc_list().project("p").send().await.unwrap();
    assert_eq!(vpcs.into_inner().vpcs.unwrap().len(), 1);

    t.service("p", "a", "pg", "startup-4").await;
    t.service("p", "b", "pg", "startup-4").await;
    let created = t
        .client
        .service_integration_create()
        .project("p")
        .body(body::<types::ServiceIntegrationCreateRequestBody>(json!({
            "integration_type": "read_replica", "source_service": "a", "dest_service": "b",
        })))
        .send()
        .await
        .unwrap()
        .into_inner();
    let id = created
        .service_integration
        .unwrap()
        .service_integration_id
        .unwrap();
    let i = ext
        .wait_until_integration_active("p", &id)
        .wait(Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(i.active, Some(true));
    assert_eq!(i.dest_service.as_deref(), Some("b"));
}

#[tokio::test]
async fn user_info_events_and_maintenance_decode() {
    let (t, _) = instant().await;
    t.service("p", "pg", "pg", "startup-4").await;
    let me = t.client.user_info().send().await.unwrap().into_inner();
    assert_eq!(
        me.user.unwrap().user.as_deref(),
        Some("sim-user@example.com")
    );
    let m = t
        .client
        .service_maintenance_start()
        .project("p")
        .service_name("pg")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(m.message.as_deref(), Some("Maintenance started"));
    let events = t
        .client
        .project_get_event_logs()
        .project("p")
        .send()
        .await
        .unwrap()
        .into_inner()
        .events
        .unwrap();
    let types: Vec<_> = events.iter().map(|e| e.event_type.as_deref()).collect();
    assert_eq!(
        types,
        [Some("service_maintenance_start"), Some("service_create")]
    );
}

#[test]
fn the_new_operations_are_registered() {
    let implemented = aiven_sim::implemented_operations();
    let added = [
        "ServicePGBouncerCreate",
        "ServicePGBouncerUpdate",
        "ServicePGBouncerDelete",
        "ServiceIntegrationCreate",
        "ServiceIntegrationGet",
        "ServiceIntegrationList",
        "ServiceIntegrationUpdate",
        "ServiceIntegrationDelete",
        "ServiceIntegrationEndpointCreate",
        "ServiceIntegrationEndpointList",
        "ServiceIntegrationEndpointGet",
        "ServiceIntegrationEndpointUpdate",
        "ServiceIntegrationEndpointDelete",
        "ProjectKmsGetCA",
        "VpcList",
        "VpcCreate",
        "VpcGet",
        "VpcDelete",
        "VpcPeeringConnectionCreate",
        "VpcPeeringConnectionUpdate",
        "VpcPeeringConnectionDelete",
        "VpcPeeringConnectionWithRegionDelete",
        "UserInfo",
        "ServiceMaintenanceStart",
        "ProjectGetEventLogs",
    ];
    for id in added {
        assert!(implemented.contains(&id), "{id}");
    }
}

/// aiven-ext reads the project's CA as the simulator made it.
#[tokio::test]
async fn the_project_ca_through_aiven_ext() {
    let (_t, ext) = instant().await;
    let pem = ext.project_ca("p").await.unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"), "{pem}");
    assert_eq!(ext.project_ca("p").await.unwrap(), pem, "stable");
    let e = ext.project_ca("nope").await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
}
