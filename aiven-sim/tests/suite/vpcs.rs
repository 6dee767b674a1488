//! Project VPCs and peering connections over HTTP: the states they go
//! through on a manual clock (fast timings: a VPC builds in 3 s, deletes
//! in 2 s), what lists show, and the errors.

use crate::common::{start, TestSim};
use reqwest::Method;
use serde_json::{json, Value};

async fn call(t: &TestSim, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    let (status, _, b) = t.raw(method, path, body).await;
    (status, b)
}

async fn create_vpc(t: &TestSim, cloud: &str, cidr: &str) -> (u16, Value) {
    call(
        t,
        Method::POST,
        "/project/p/vpcs",
        Some(json!({"cloud_name": cloud, "network_cidr": cidr, "peering_connections": []})),
    )
    .await
}

async fn vpc_state(t: &TestSim, id: &str) -> Value {
    let (status, b) = call(t, Method::GET, &format!("/project/p/vpcs/{id}"), None).await;
    assert_eq!(status, 200, "{b}");
    b["state"].clone()
}

#[tokio::test]
async fn every_project_lists_vpcs_even_before_any() {
    let t = start().await;
    t.project("p").await;
    let (status, b) = call(&t, Method::GET, "/project/p/vpcs", None).await;
    assert_eq!((status, b), (200, json!({"vpcs": []})));
    let (status, b) = call(&t, Method::GET, "/project/nope/vpcs", None).await;
    assert_eq!(status, 404);
    assert_eq!(b["errors"][0]["error_code"], "project_not_found");
}

#[tokio::test]
async fn a_vpc_is_approved_then_active_then_deleting_then_gone() {
    let t = start().await;
    t.project("p").await;
    let (status, v) = create_vpc(&t, "aws-eu-west-1", "10.1.0.0/16").await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["message"], "created");
    assert_eq!(v["state"], "APPROVED");
    assert_eq!(v["cloud_name"], "aws-eu-west-1");
    assert_eq!(v["network_cidr"], "10.1.0.0/16");
    assert_eq!(v["peering_connections"], json!([]));
    let id = v["project_vpc_id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 36);

    t.advance(2);
    assert_eq!(vpc_state(&t, &id).await, "APPROVED");
    t.advance(1);
    assert_eq!(vpc_state(&t, &id).await, "ACTIVE");
    let (_, list) = call(&t, Method::GET, "/project/p/vpcs", None).await;
    assert_eq!(list["vpcs"].as_array().unwrap().len(), 1);
    assert_eq!(list["vpcs"][0]["project_vpc_id"], id.as_str());
    assert_eq!(list["vpcs"][0]["state"], "ACTIVE");

    // A service in the VPC keeps it.
    let (status, _) = call(
        &t,
        Method::POST,
        "/project/p/service",
        Some(
            json!({"service_name": "pg", "service_type": "pg", "plan": "startup-4",
                    "cloud": "aws-eu-west-1", "project_vpc_id": id}),
        ),
    )
    .await;
    assert_eq!(status, 200);
    let path = format!("/project/p/vpcs/{id}");
    let (status, b) = call(&t, Method::DELETE, &path, None).await;
    assert_eq!(status, 409);
    assert!(
        b["message"]
            .as_str()
            .unwrap()
            .contains("still has services: pg"),
        "{b}"
    );
    let (status, _) = call(&t, Method::DELETE, "/project/p/service/pg", None).await;
    assert_eq!(status, 200);

    let (status, b) = call(&t, Method::DELETE, &path, None).await;
    assert_eq!(status, 200, "{b}");
    assert_eq!(b["state"], "DELETING");
    assert_eq!(b["message"], "deleting");
    t.advance(1);
    assert_eq!(vpc_state(&t, &id).await, "DELETING");
    t.advance(1);
    let (status, b) = call(&t, Method::GET, &path, None).await;
    assert_eq!(status, 404);
    assert_eq!(b["message"], format!("Project VPC {id} does not exist"));
    let (_, list) = call(&t, Method::GET, "/project/p/vpcs", None).await;
    assert_eq!(list, json!({"vpcs": []}));

    // The cloud is free again.
    let (status, _) = create_vpc(&t, "aws-eu-west-1", "10.2.0.0/16").await;
    assert_eq!(status, 200);
    assert_eq!(
        t.sim.snapshot().project("p").unwrap()["vpcs"]
            .as_object()
            .map(|v| v.len()),
        Some(1),
        "the deleted one is forgotten"
    );
}

#[tokio::test]
async fn vpc_errors() {
    let t = start().await;
    t.project("p").await;
    let (status, _) = create_vpc(&t, "google-europe-west1", "172.16.0.0/20").await;
    assert_eq!(status, 200);
    let (status, b) = create_vpc(&t, "google-europe-west1", "172.17.0.0/20").await;
    assert_eq!(status, 409);
    assert!(b["message"]
        .as_str()
        .unwrap()
        .starts_with("Project already has a VPC in cloud google-europe-west1"));
    let (status, b) = create_vpc(&t, "mars-north-1", "10.0.0.0/16").await;
    assert_eq!(
        (status, b["message"].clone()),
        (400, json!("Invalid cloud: mars-north-1"))
    );
    for (cidr, why) in [
        ("10.0.0.1/24", "host bits are set"),
        (
            "10.0.0.0/8",
            "the prefix length must be between /16 and /24",
        ),
        ("8.8.0.0/16", "not a private (RFC 1918) network"),
        ("ten/16", "not an IPv4 network"),
    ] {
        let (status, b) = create_vpc(&t, "aws-us-east-1", cidr).await;
        assert_eq!(status, 400, "{cidr}");
        assert_eq!(
            b["message"],
            format!("Invalid network_cidr '{cidr}': {why}")
        );
    }
    let unknown = "00000000-0000-4000-a000-000000000000";
    for method in [Method::GET, Method::DELETE] {
        let (status, _) = call(&t, method, &format!("/project/p/vpcs/{unknown}"), None).await;
        assert_eq!(status, 404);
    }
}

#[tokio::test]
async fn peering_connections_go_approved_pending_peer_active_then_away() {
    let t = start().await;
    t.project("p").await;
    let (_, v) = create_vpc(&t, "aws-eu-west-1", "10.1.0.0/16").await;
    let id = v["project_vpc_id"].as_str().unwrap().to_string();
    let peerings = format!("/project/p/vpcs/{id}/peering-connections");
    let peer = json!({"peer_cloud_account": "123456789012", "peer_vpc": "vpc-0abc",
                      "peer_region": "eu-west-1", "user_peer_network_cidrs": ["10.50.0.0/16"]});
    let (status, pc) = call(&t, Method::POST, &peerings, Some(peer.clone())).await;
    assert_eq!(status, 200, "{pc}");
    assert_eq!(pc["state"], "APPROVED");
    assert_eq!(pc["message"], "created");
    assert_eq!(
        pc["vpc_peering_connection_type"],
        "aws-vpc-peering-connection"
    );
    assert_eq!(pc["user_peer_network_cidrs"], json!(["10.50.0.0/16"]));
    assert_eq!(pc["peer_region"], "eu-west-1");

    let (status, b) = call(&t, Method::POST, &peerings, Some(peer)).await;
    assert_eq!(status, 409);
    assert_eq!(
        b["message"],
        "A peering connection to 123456789012/vpc-0abc already exists"
    );

    let states = |v: Value| -> Vec<Value> {
        v["peering_connections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["state"].clone())
            .collect()
    };
    let get = format!("/project/p/vpcs/{id}");
    t.advance(3);
    assert_eq!(
        states(call(&t, Method::GET, &get, None).await.1),
        ["PENDING_PEER"]
    );
    t.advance(3);
    assert_eq!(
        states(call(&t, Method::GET, &get, None).await.1),
        ["ACTIVE"]
    );

    // Networks routed through the connection: added, removed, all or nothing.
    let cidrs = format!("/project/p/vpcs/{id}/user-peer-network-cidrs");
    let add = |cidr: &str| json!({"add": [{"cidr": cidr, "peer_cloud_account": "123456789012", "peer_vpc": "vpc-0abc"}]});
    let (status, b) = call(&t, Method::PUT, &cidrs, Some(add("10.60.0.0/16"))).await;
    assert_eq!(status, 200, "{b}");
    assert_eq!(b["message"], "updated");
    assert_eq!(
        b["peering_connections"][0]["user_peer_network_cidrs"],
        json!(["10.50.0.0/16", "10.60.0.0/16"])
    );
    let (status, b) = call(
        &t,
        Method::PUT,
        &cidrs,
        Some(json!({"delete": ["10.50.0.0/16", "10.99.0.0/16"]})),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(b["message"], "No peering connection routes 10.99.0.0/16");
    let (status, b) = call(
        &t,
        Method::PUT,
        &cidrs,
        Some(json!({"delete": ["10.50.0.0/16"]})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        b["peering_connections"][0]["user_peer_network_cidrs"],
        json!(["10.60.0.0/16"])
    );
    let (status, _) = call(&t, Method::PUT, &cidrs, Some(add("10.70.0.0/33"))).await;
    assert_eq!(status, 400);
    let (status, _) = call(
        &t,
        Method::PUT,
        &cidrs,
        Some(
            json!({"add": [{"cidr": "10.70.0.0/16", "peer_cloud_account": "x", "peer_vpc": "y"}]}),
        ),
    )
    .await;
    assert_eq!(status, 404);

    let one =
        format!("{peerings}/peer-accounts/123456789012/peer-vpcs/vpc-0abc/peer-regions/eu-west-1");
    let (status, b) = call(&t, Method::DELETE, &one, None).await;
    assert_eq!(status, 200, "{b}");
    assert_eq!(b["state"], "DELETING");
    t.advance(2);
    assert_eq!(
        states(call(&t, Method::GET, &get, None).await.1),
        Vec::<Value>::new()
    );
    let (status, b) = call(&t, Method::DELETE, &one, None).await;
    assert_eq!(status, 404);
    assert_eq!(
        b["message"],
        "Peering connection to 123456789012/vpc-0abc does not exist"
    );

    // Peerings given at creation; a VPC being deleted takes no more.
    let (status, v) = call(
        &t,
        Method::POST,
        "/project/p/vpcs",
        Some(json!({"cloud_name": "google-europe-west1", "network_cidr": "10.9.0.0/16",
                    "peering_connections": [{"peer_cloud_account": "gcp-proj", "peer_vpc": "default"}]})),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v["peering_connections"][0]["vpc_peering_connection_type"],
        "google-vpc-peering"
    );
    let gid = v["project_vpc_id"].as_str().unwrap().to_string();
    let (status, b) = call(
        &t,
        Method::DELETE,
        &format!(
            "/project/p/vpcs/{gid}/peering-connections/peer-accounts/gcp-proj/peer-vpcs/default"
        ),
        None,
    )
    .await;
    assert_eq!(status, 200, "{b}");
    let (status, _) = call(&t, Method::DELETE, &format!("/project/p/vpcs/{gid}"), None).await;
    assert_eq!(status, 200);
    let (status, b) = call(
        &t,
        Method::POST,
        &format!("/project/p/vpcs/{gid}/peering-connections"),
        Some(json!({"peer_cloud_account": "x", "peer_vpc": "y"})),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(b["message"], format!("Project VPC {gid} is being deleted"));
}

#[tokio::test]
async fn services_go_only_into_vpcs_of_their_project_and_cloud() {
    let t = start().await;
    t.project("p").await;
    let (_, v) = create_vpc(&t, "aws-eu-west-1", "10.1.0.0/16").await;
    let id = v["project_vpc_id"].as_str().unwrap().to_string();
    let create = |name: &str, cloud: &str, vpc: &str| {
        let body = json!({"service_name": name, "service_type": "pg", "plan": "startup-4",
                          "cloud": cloud, "project_vpc_id": vpc});
        call(&t, Method::POST, "/project/p/service", Some(body))
    };
    let unknown = "00000000-0000-4000-a000-000000000000";
    let (status, b) = create("a", "aws-eu-west-1", unknown).await;
    assert_eq!(status, 404);
    assert_eq!(
        b["message"],
        format!("Project VPC {unknown} does not exist")
    );
    let (status, b) = create("a", "google-europe-west1", &id).await;
    assert_eq!(status, 400);
    assert_eq!(
        b["message"],
        format!("Project VPC {id} is in cloud aws-eu-west-1, not google-europe-west1")
    );
    let (status, b) = create("a", "aws-eu-west-1", &id).await;
    assert_eq!(status, 200, "{b}");
    assert_eq!(b["service"]["project_vpc_id"], id.as_str());

    // Moving a public service in: the same checks.
    t.service("p", "b", "pg", "startup-4").await;
    let (status, _) = call(
        &t,
        Method::PUT,
        "/project/p/service/b",
        Some(json!({"project_vpc_id": unknown})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, b) = call(
        &t,
        Method::PUT,
        "/project/p/service/b",
        Some(json!({"cloud": "aws-eu-west-1", "project_vpc_id": id})),
    )
    .await;
    assert_eq!(status, 200, "{b}");
    assert_eq!(b["service"]["project_vpc_id"], id.as_str());
}

const ORG: &str = "/organization/org4a1b2c3d4e5";

async fn org_vpc(t: &TestSim, id: &str) -> (u16, Value) {
    call(t, Method::GET, &format!("{ORG}/vpc/{id}"), None).await
}

#[tokio::test]
async fn an_organization_vpc_has_the_project_vpc_lifecycle() {
    let t = start().await;
    let (s, b) = call(&t, Method::GET, &format!("{ORG}/vpcs"), None).await;
    assert_eq!((s, b), (200, json!({"vpcs": []})));
    let create = json!({
        "clouds": [{"cloud_name": "aws-eu-west-1", "network_cidr": "10.2.0.0/16"}],
        "display_name": "shared",
        "peering_connections": [],
    });
    let (s, v) = call(
        &t,
        Method::POST,
        &format!("{ORG}/vpcs"),
        Some(create.clone()),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["message"], "created");
    assert_eq!(v["state"], "APPROVED");
    assert_eq!(v["display_name"], "shared");
    assert_eq!(v["organization_id"], "org4a1b2c3d4e5");
    assert_eq!(
        v["clouds"],
        json!([{"cloud_name": "aws-eu-west-1", "network_cidr": "10.2.0.0/16"}])
    );
    let id = v["organization_vpc_id"].as_str().unwrap().to_string();
    // One VPC per cloud; a public network is refused; an unknown organization is 404.
    assert_eq!(
        call(&t, Method::POST, &format!("{ORG}/vpcs"), Some(create))
            .await
            .0,
        409
    );
    let public = json!({"clouds": [{"cloud_name": "aws-eu-west-2", "network_cidr": "8.8.0.0/16"}],
        "peering_connections": []});
    assert_eq!(
        call(&t, Method::POST, &format!("{ORG}/vpcs"), Some(public))
            .await
            .0,
        400
    );
    assert_eq!(
        call(&t, Method::GET, "/organization/org0000/vpcs", None)
            .await
            .0,
        404
    );

    t.advance(3);
    assert_eq!(org_vpc(&t, &id).await.1["state"], "ACTIVE");
    let (s, u) = call(
        &t,
        Method::PUT,
        &format!("{ORG}/vpc/{id}"),
        Some(json!({"display_name": "renamed"})),
    )
    .await;
    assert_eq!((s, u["message"].as_str()), (200, Some("updated")), "{u}");
    assert_eq!(org_vpc(&t, &id).await.1["display_name"], "renamed");

    // A peering connection: APPROVED, PENDING_PEER, ACTIVE; deleted by id.
    let peer = json!({"peer_cloud_account": "123456789012", "peer_vpc": "vpc-1", "peer_region": "eu-west-1"});
    let peerings = format!("{ORG}/vpc/{id}/peering-connections");
    let (s, p) = call(&t, Method::POST, &peerings, Some(peer.clone())).await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["state"], "APPROVED");
    assert_eq!(call(&t, Method::POST, &peerings, Some(peer)).await.0, 409);
    let pid = p["peering_connection_id"].as_str().unwrap().to_string();
    t.advance(3);
    assert_eq!(
        org_vpc(&t, &id).await.1["peering_connections"][0]["state"],
        "PENDING_PEER"
    );
    t.advance(3);
    assert_eq!(
        org_vpc(&t, &id).await.1["peering_connections"][0]["state"],
        "ACTIVE"
    );
    let one = format!("{ORG}/vpc/{id}/peering-connection/{pid}");
    let (s, d) = call(&t, Method::DELETE, &one, None).await;
    assert_eq!((s, d["state"].as_str()), (200, Some("DELETING")), "{d}");
    t.advance(2);
    assert_eq!(org_vpc(&t, &id).await.1["peering_connections"], json!([]));
    assert_eq!(call(&t, Method::DELETE, &one, None).await.0, 404);

    // Deleting: DELETING, then gone.
    let (s, d) = call(&t, Method::DELETE, &format!("{ORG}/vpc/{id}"), None).await;
    assert_eq!((s, d["state"].as_str()), (200, Some("DELETING")), "{d}");
    assert_eq!(d["message"], "deleting");
    t.advance(2);
    assert_eq!(org_vpc(&t, &id).await.0, 404);
    let (_, b) = call(&t, Method::GET, &format!("{ORG}/vpcs"), None).await;
    assert_eq!(b["vpcs"], json!([]));
}
