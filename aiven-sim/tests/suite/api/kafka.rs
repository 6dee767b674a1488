//! Kafka topics.

use super::*;

#[tokio::test]
async fn kafka_topics_configure_then_activate() {
    let t = start().await;
    t.project("p").await;
    t.service("p", "k", "kafka", "business-4").await;
    t.advance(3);
    let topic = |name: &str| {
        t.client
            .service_kafka_topic_get()
            .project("p")
            .service_name("k")
            .topic_name(name.to_string())
            .send()
    };
    t.client
        .service_kafka_topic_create()
        .project("p")
        .service_name("k")
        .body(body::<types::ServiceKafkaTopicCreateRequestBody>(json!({
            "topic_name": "orders", "partitions": 3, "replication": 3,
            "config": {"retention_ms": 3_600_000, "cleanup_policy": "compact"},
            "tags": [{"key": "owner", "value": "shop"}],
        })))
        .send()
        .await
        .unwrap();
    let got = to_json(&topic("orders").await.unwrap().into_inner())["topic"].clone();
    assert_eq!(got["state"], "CONFIGURING");
    assert_eq!(got["partitions"].as_array().unwrap().len(), 3);
    assert_eq!(got["replication"], 3);
    assert_eq!(got["cleanup_policy"], "compact");
    assert_eq!(got["config"]["retention_ms"]["value"], 3_600_000);
    assert_eq!(got["config"]["retention_ms"]["source"], "topic_config");
    assert_eq!(got["tags"][0]["value"], "shop");
    t.advance(1);
    let got = to_json(&topic("orders").await.unwrap().into_inner())["topic"].clone();
    assert_eq!(got["state"], "ACTIVE");

    let create = |v: Value| {
        t.client
            .service_kafka_topic_create()
            .project("p")
            .service_name("k")
            .body(body::<types::ServiceKafkaTopicCreateRequestBody>(v))
            .send()
    };
    assert_eq!(
        api_error(create(json!({"topic_name": "orders"})).await).0,
        409
    );
    assert_eq!(
        api_error(create(json!({"topic_name": "big", "replication": 4})).await).0,
        400
    );
    create(json!({"topic_name": "events"})).await.unwrap();

    let update = |v: Value| {
        t.client
            .service_kafka_topic_update()
            .project("p")
            .service_name("k")
            .topic_name("orders")
            .body(body::<types::ServiceKafkaTopicUpdateRequestBody>(v))
            .send()
    };
    update(json!({"partitions": 6, "retention_hours": 24}))
        .await
        .unwrap();
    let got = to_json(&topic("orders").await.unwrap().into_inner())["topic"].clone();
    assert_eq!(got["state"], "CONFIGURING");
    assert_eq!(got["partitions"].as_array().unwrap().len(), 6);
    assert_eq!(got["retention_hours"], 24);
    assert_eq!(api_error(update(json!({"partitions": 2})).await).0, 400);

    let list = t
        .client
        .service_kafka_topic_list()
        .project("p")
        .service_name("k")
        .send()
        .await
        .unwrap();
    let list = to_json(&list.into_inner());
    let names: Vec<&str> = list["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["topic_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["events", "orders"]);
    let svc = to_json(&t.get("p", "k").await);
    assert_eq!(svc["topics"].as_array().unwrap().len(), 2);

    t.client
        .service_kafka_topic_delete()
        .project("p")
        .service_name("k")
        .topic_name("orders")
        .send()
        .await
        .unwrap();
    assert_eq!(api_error(topic("orders").await).0, 404);
    let (status, _) = api_error(
        t.client
            .service_kafka_topic_delete()
            .project("p")
            .service_name("k")
            .topic_name("orders")
            .send()
            .await,
    );
    assert_eq!(status, 404);

    // Not Kafka: 400; Kafka powered off: 409 not_powered.
    t.service("p", "pg", "pg", "hobbyist").await;
    let (status, _) = api_error(
        t.client
            .service_kafka_topic_list()
            .project("p")
            .service_name("pg")
            .send()
            .await,
    );
    assert_eq!(status, 400);
    t.client
        .service_update()
        .project("p")
        .service_name("k")
        .body(body::<types::ServiceUpdateRequestBody>(
            json!({"powered": false}),
        ))
        .send()
        .await
        .unwrap();
    let (status, e) = api_error(create(json!({"topic_name": "late"})).await);
    assert_eq!(status, 409);
    assert_eq!(
        e.errors.unwrap()[0].error_code.as_deref(),
        Some("not_powered")
    );
}

#[tokio::test]
async fn topics_created_while_rebuilding_wait_for_the_service() {
    let t = start_with(|b| b.timings(aiven_sim::Timings::realistic())).await;
    t.project("p").await;
    t.service("p", "k", "kafka", "startup-2").await;
    t.client
        .service_kafka_topic_create()
        .project("p")
        .service_name("k")
        .body(body::<types::ServiceKafkaTopicCreateRequestBody>(
            json!({"topic_name": "t"}),
        ))
        .send()
        .await
        .unwrap();
    t.advance(60);
    let topic = t
        .client
        .service_kafka_topic_get()
        .project("p")
        .service_name("k")
        .topic_name("t")
        .send()
        .await
        .unwrap();
    assert_eq!(
        to_json(&topic.into_inner())["topic"]["state"],
        "CONFIGURING"
    );
    t.advance(240);
    assert_eq!(t.state("p", "k").await, "RUNNING");
    let topic = t
        .client
        .service_kafka_topic_get()
        .project("p")
        .service_name("k")
        .topic_name("t")
        .send()
        .await
        .unwrap();
    assert_eq!(to_json(&topic.into_inner())["topic"]["state"], "ACTIVE");
}
