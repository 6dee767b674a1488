//! Kafka topics: CONFIGURING → ACTIVE after `Timings::topic` (and not
//! before the service itself runs).

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{add_once, done, service, service_mut, Ctx, Outcome, Req};
use crate::clock::millis;
use crate::error::ApiError;
use crate::model::{KafkaAcl, Service, Topic};

#[derive(Deserialize)]
struct TopicBody {
    topic_name: Option<String>,
    partitions: Option<u32>,
    replication: Option<u32>,
    min_insync_replicas: Option<u32>,
    retention_bytes: Option<i64>,
    retention_hours: Option<i64>,
    cleanup_policy: Option<String>,
    tags: Option<Vec<Value>>,
    config: Option<Map<String, Value>>,
    owner_user_group_id: Option<String>,
    topic_description: Option<String>,
}

/// The service, if it is a powered-on Kafka service.
pub(super) fn kafka(s: &Service) -> Result<(), ApiError> {
    if !s.kind().topics {
        return Err(ApiError::bad_request(format!(
            "Service type '{}' does not support topics",
            s.service_type
        )));
    }
    if !s.powered {
        return Err(ApiError::not_powered());
    }
    Ok(())
}

fn topic_not_found(name: &str) -> ApiError {
    ApiError::not_found(format!("Topic '{name}' does not exist")).code("kafka_topic_not_found")
}

/// When a topic changed now is ACTIVE: after the topic delay, and not
/// before the service's current transition is done.
fn ready_at(ctx: &Ctx<'_>, s: &Service) -> i64 {
    let own = ctx.now.saturating_add(millis(ctx.timings.topic));
    match s.transition {
        Some(t) if t.active(ctx.now) => own.max(t.done_ms),
        _ => own,
    }
}

/// 400 for a topic configuration Kafka would refuse.
fn invalid_config(message: String) -> ApiError {
    ApiError::bad_request(message).code("kafka_topic_invalid_config")
}

fn check(s: &Service, replication: u32, min_isr: u32) -> Result<(), ApiError> {
    if replication > s.node_count {
        return Err(invalid_config(format!(
            "Replication factor {replication} is larger than the number of brokers ({})",
            s.node_count
        )));
    }
    if min_isr > replication {
        return Err(invalid_config(format!(
            "min_insync_replicas {min_isr} is larger than the replication factor {replication}"
        )));
    }
    Ok(())
}

/// `ServiceKafkaTopicCreate`: 409 if the topic exists.
pub fn create(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let body: TopicBody = req.body()?;
    let (_, s) = service(ctx.state, req)?;
    kafka(s)?;
    let name = body.topic_name.clone().unwrap_or_default();
    if s.topics.contains_key(&name) {
        return Err(ApiError::conflict(format!("Topic '{name}' already exists"))
            .code("kafka_topic_already_exists"));
    }
    let config = body.config.clone().unwrap_or_default();
    let cleanup_policy = config
        .get("cleanup_policy")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or(body.cleanup_policy.clone())
        .unwrap_or_else(|| "delete".into());
    let replication = body.replication.unwrap_or(s.node_count.min(3));
    let min_insync_replicas = body
        .min_insync_replicas
        .or_else(|| {
            config
                .get("min_insync_replicas")?
                .as_u64()
                .map(|v| v as u32)
        })
        .unwrap_or(1);
    check(s, replication, min_insync_replicas)?;
    let topic = Topic {
        name: name.clone(),
        partitions: body.partitions.unwrap_or(1),
        replication,
        min_insync_replicas,
        retention_bytes: body
            .retention_bytes
            .or_else(|| config.get("retention_bytes")?.as_i64())
            .unwrap_or(-1),
        retention_hours: body.retention_hours.unwrap_or(168),
        cleanup_policy,
        tags: body.tags.clone().unwrap_or_default(),
        config,
        owner_user_group_id: body.owner_user_group_id.clone(),
        topic_description: body.topic_description.clone(),
        ready_ms: ready_at(ctx, s),
    };
    service_mut(ctx.state, req)?.topics.insert(name, topic);
    done("created")
}

/// `ServiceKafkaTopicList`.
pub fn list(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    kafka(s)?;
    let topics: Vec<Value> = s.topics.values().map(|t| t.summary_json(ctx.now)).collect();
    Ok(json!({ "topics": topics }))
}

/// `ServiceKafkaTopicGet`.
pub fn get(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    kafka(s)?;
    let name = req.param("topic_name");
    let t = s.topics.get(name).ok_or_else(|| topic_not_found(name))?;
    Ok(json!({ "topic": t.detail_json(ctx.now) }))
}

/// `ServiceKafkaTopicUpdate`: partitions can only grow; CONFIGURING again.
pub fn update(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let body: TopicBody = req.body()?;
    let (_, s) = service(ctx.state, req)?;
    kafka(s)?;
    let name = req.param("topic_name").to_string();
    let t = s.topics.get(&name).ok_or_else(|| topic_not_found(&name))?;
    let partitions = body.partitions.unwrap_or(t.partitions);
    if partitions < t.partitions {
        return Err(invalid_config(format!(
            "Number of partitions cannot be decreased ({} to {partitions})",
            t.partitions
        )));
    }
    let replication = body.replication.unwrap_or(t.replication);
    let min_isr = body.min_insync_replicas.unwrap_or(t.min_insync_replicas);
    check(s, replication, min_isr)?;
    let ready = ready_at(ctx, s);
    let t = service_mut(ctx.state, req)?
        .topics
        .get_mut(&name)
        .expect("checked above");
    t.partitions = partitions;
    t.replication = replication;
    t.min_insync_replicas = min_isr;
    if let Some(v) = body.retention_bytes {
        t.retention_bytes = v;
    }
    if let Some(v) = body.retention_hours {
        t.retention_hours = v;
    }
    if let Some(tags) = body.tags {
        t.tags = tags;
    }
    if let Some(owner) = body.owner_user_group_id {
        t.owner_user_group_id = Some(owner);
    }
    if let Some(description) = body.topic_description {
        t.topic_description = Some(description);
    }
    if let Some(config) = body.config {
        if let Some(p) = config.get("cleanup_policy").and_then(Value::as_str) {
            t.cleanup_policy = p.to_string();
        }
        t.config.extend(config);
    }
    t.ready_ms = ready;
    done("updated")
}

/// `ServiceKafkaTopicDelete`.
pub fn delete(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    kafka(s)?;
    let name = req.param("topic_name");
    if !s.topics.contains_key(name) {
        return Err(topic_not_found(name));
    }
    service_mut(ctx.state, req)?.topics.remove(name);
    done("deleted")
}

/// `ServiceKafkaAclList`.
pub fn acl_list(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    kafka(s)?;
    Ok(json!({ "acl": s.acl_json() }))
}

/// `ServiceKafkaAclAdd`: the same entry twice is kept once; the answer is
/// the whole list.
pub fn acl_add(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let id = format!("acl{}", ctx.state.rng.hex(12));
    let acl = KafkaAcl {
        id,
        permission: req.text("permission"),
        topic: req.text("topic"),
        username: req.text("username"),
    };
    let s = service_mut(ctx.state, req)?;
    kafka(s)?;
    add_once(&mut s.kafka_acls, acl, |a, b| {
        (&a.permission, &a.topic, &a.username) == (&b.permission, &b.topic, &b.username)
    });
    Ok(json!({ "acl": s.acl_json(), "message": "added" }))
}

/// `ServiceKafkaAclDelete`: 404 for an unknown id.
pub fn acl_delete(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let id = req.param("kafka_acl_id").to_owned();
    let s = service_mut(ctx.state, req)?;
    kafka(s)?;
    let before = s.kafka_acls.len();
    s.kafka_acls.retain(|a| a.id != id);
    if s.kafka_acls.len() == before {
        return Err(ApiError::not_found(format!(
            "ACL entry '{id}' does not exist"
        )));
    }
    Ok(json!({ "acl": s.acl_json(), "message": "deleted" }))
}
