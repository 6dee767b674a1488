//! Size caps where the description allows far more than Aiven serves, so
//! that one accepted request cannot make every later answer huge.
//!
//! The description allows `partitions` up to 1,000,000 per topic; a
//! topic's detail lists every partition, so such a topic renders ~97 MB on
//! each `ServiceKafkaTopicGet`. Aiven's plans cap partitions per service at
//! a few thousand (the larger business plans), so a topic is capped at
//! [`MAX_TOPIC_PARTITIONS`]; the counts of topics, services and projects are
//! capped too, so that lists stay a few MB at most. Beyond a cap the answer
//! is 400 in Aiven's error format with an `error_code`, before the handler
//! runs. Each cap is registered with the operations it applies to
//! (`handlers::OPERATIONS`) and checked from there, so the handlers stay
//! as they are.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::ApiError;
use crate::model::State;

/// Partitions per Kafka topic.
pub const MAX_TOPIC_PARTITIONS: u64 = 4_096;
/// Topics per Kafka service.
pub const MAX_TOPICS_PER_SERVICE: usize = 10_000;
/// Services per project.
pub const MAX_SERVICES_PER_PROJECT: usize = 1_000;
/// Projects per account.
pub const MAX_PROJECTS: usize = 1_000;

/// Nesting of a request body (objects and arrays): the state file stores
/// bodies inside records a few levels deep, and reading it back allows 128
/// levels (serde_json's recursion limit), so bodies deeper than this are
/// refused (400) rather than accepted and then unreadable after a restart.
pub const MAX_JSON_DEPTH: usize = 64;

/// How deeply `v` nests (a scalar: 0), without recursion.
pub fn json_depth(v: &Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(v, 0usize)];
    while let Some((v, d)) = stack.pop() {
        let children: Box<dyn Iterator<Item = &Value>> = match v {
            Value::Array(a) => Box::new(a.iter()),
            Value::Object(o) => Box::new(o.values()),
            _ => continue,
        };
        deepest = deepest.max(d + 1);
        stack.extend(children.map(|c| (c, d + 1)));
    }
    deepest
}

/// Refuses a body nested deeper than [`MAX_JSON_DEPTH`].
pub fn check_depth(body: &Value) -> Result<(), ApiError> {
    let depth = json_depth(body);
    if depth > MAX_JSON_DEPTH {
        return Err(over(format!(
            "Request body nested {depth} levels deep: at most {MAX_JSON_DEPTH} are accepted"
        )));
    }
    Ok(())
}

fn over(what: String) -> ApiError {
    ApiError::bad_request(what).code("simulator_limit_exceeded")
}

/// A cap on a request body alone, checked before the state lock is taken
/// (registered with the operations it applies to, see
/// `handlers::OPERATIONS`).
pub type BodyCap = fn(&Value) -> Result<(), ApiError>;

/// A cap on what a change would add to the state, checked under the lock
/// before its handler runs.
pub type CountCap = fn(&BTreeMap<String, String>, &State) -> Result<(), ApiError>;

/// A topic's `partitions`: at most [`MAX_TOPIC_PARTITIONS`].
pub fn topic_partitions(body: &Value) -> Result<(), ApiError> {
    if let Some(n) = body.get("partitions").and_then(Value::as_u64) {
        if n > MAX_TOPIC_PARTITIONS {
            // The code Kafka configuration errors carry (see handlers/kafka.rs).
            return Err(ApiError::bad_request(format!(
                "Number of partitions {n} is larger than the maximum of \
                 {MAX_TOPIC_PARTITIONS} per topic"
            ))
            .code("kafka_topic_invalid_config"));
        }
    }
    Ok(())
}

/// At most [`MAX_PROJECTS`] projects.
pub fn projects(_: &BTreeMap<String, String>, state: &State) -> Result<(), ApiError> {
    if state.projects.len() >= MAX_PROJECTS {
        return Err(over(format!(
            "At most {MAX_PROJECTS} projects can be created in the simulator"
        )));
    }
    Ok(())
}

/// At most [`MAX_SERVICES_PER_PROJECT`] services in the project of the path.
pub fn services_per_project(
    params: &BTreeMap<String, String>,
    state: &State,
) -> Result<(), ApiError> {
    let services = params
        .get("project")
        .and_then(|p| state.projects.get(p))
        .map_or(0, |p| p.services.len());
    if services >= MAX_SERVICES_PER_PROJECT {
        return Err(over(format!(
            "At most {MAX_SERVICES_PER_PROJECT} services per project"
        )));
    }
    Ok(())
}

/// At most [`MAX_TOPICS_PER_SERVICE`] topics in the service of the path.
pub fn topics_per_service(
    params: &BTreeMap<String, String>,
    state: &State,
) -> Result<(), ApiError> {
    let topics = params
        .get("project")
        .and_then(|p| state.projects.get(p))
        .and_then(|p| p.services.get(params.get("service_name")?))
        .map_or(0, |s| s.topics.len());
    if topics >= MAX_TOPICS_PER_SERVICE {
        return Err(over(format!(
            "At most {MAX_TOPICS_PER_SERVICE} topics per service"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn partitions_are_capped() {
        let ok = json!({"partitions": MAX_TOPIC_PARTITIONS});
        let big = json!({"partitions": 1_000_000});
        assert!(topic_partitions(&ok).is_ok());
        let e = topic_partitions(&big).unwrap_err();
        assert_eq!(e.status.as_u16(), 400);
        assert!(e.message.contains("4096"), "{}", e.message);
    }
}
