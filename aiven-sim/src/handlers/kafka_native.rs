//! Kafka-native ACL entries (`ServiceKafkaNativeAcl*`) and client quotas
//! (`ServiceKafkaQuota*`). The enums of a native entry are checked by the
//! description's request schema before a handler runs; what is left here is
//! Kafka's own rule of which operations a resource type has.

use serde::Deserialize;
use serde_json::{json, Value};

use super::kafka::kafka;
use super::{service, service_mut, Ctx, Outcome, Req};
use crate::error::ApiError;
use crate::model::{KafkaNativeAcl, KafkaQuota};

#[derive(Deserialize)]
struct NativeAclBody {
    #[serde(default)]
    host: Option<String>,
    operation: String,
    pattern_type: String,
    permission_type: String,
    principal: String,
    resource_name: String,
    resource_type: String,
}

/// The operations Kafka defines for a resource type (besides `All`).
fn operations(resource_type: &str) -> &'static [&'static str] {
    match resource_type {
        "Topic" => &[
            "Alter",
            "AlterConfigs",
            "Create",
            "Delete",
            "Describe",
            "DescribeConfigs",
            "Read",
            "Write",
        ],
        "Group" => &["Delete", "Describe", "Read"],
        "Cluster" => &[
            "Alter",
            "AlterConfigs",
            "ClusterAction",
            "Create",
            "Describe",
            "DescribeConfigs",
            "IdempotentWrite",
        ],
        "TransactionalId" => &["Describe", "Write"],
        "DelegationToken" => &["Describe"],
        "User" => &["CreateTokens", "DescribeTokens"],
        _ => &[],
    }
}

fn acl_not_found(id: &str) -> ApiError {
    ApiError::not_found(format!("ACL entry '{id}' does not exist")).code("service_acl_not_found")
}

fn not_supported(message: String) -> ApiError {
    ApiError::conflict(message).code("kafka_acl_not_supported")
}

/// `ServiceKafkaNativeAclList`: Aiven's own entries (`acl`) and the
/// Kafka-native ones (`kafka_acl`).
pub fn acl_list(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    kafka(s)?;
    let native: Vec<Value> = s.kafka_native_acls.iter().map(|a| a.to_json()).collect();
    Ok(json!({ "acl": s.acl_json(), "kafka_acl": native }))
}

/// `ServiceKafkaNativeAclAdd`: 400 for a principal not in `Type:name`
/// form, 409 for an operation the resource type does not have; an entry
/// equal to an existing one is that one (Kafka keeps a set).
pub fn acl_add(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let body: NativeAclBody = req.body()?;
    match body.principal.split_once(':') {
        Some((kind, name)) if !kind.is_empty() && !name.is_empty() => {}
        _ => {
            return Err(ApiError::bad_request(format!(
                "Invalid principal '{}': expected 'PrincipalType:name', such as 'User:alice'",
                body.principal
            )))
        }
    }
    if body.operation != "All"
        && !operations(&body.resource_type).contains(&body.operation.as_str())
    {
        return Err(not_supported(format!(
            "Operation '{}' is not supported for resource type '{}'",
            body.operation, body.resource_type
        )));
    }
    if body.resource_type == "Cluster" && body.resource_name != "kafka-cluster" {
        return Err(not_supported(
            "The resource name of a Cluster ACL must be 'kafka-cluster'".to_string(),
        ));
    }
    let id = format!("acl{}", ctx.state.rng.hex(12));
    let s = service_mut(ctx.state, req)?;
    kafka(s)?;
    let entry = KafkaNativeAcl {
        id,
        host: body
            .host
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "*".into()),
        operation: body.operation,
        pattern_type: body.pattern_type,
        permission_type: body.permission_type,
        principal: body.principal,
        resource_name: body.resource_name,
        resource_type: body.resource_type,
    };
    let same = |a: &&KafkaNativeAcl| {
        KafkaNativeAcl {
            id: a.id.clone(),
            ..entry.clone()
        } == **a
    };
    let acl = match s.kafka_native_acls.iter().find(same) {
        Some(existing) => existing.to_json(),
        None => {
            let json = entry.to_json();
            s.kafka_native_acls.push(entry);
            json
        }
    };
    Ok(json!({ "acl": acl, "message": "added" }))
}

/// `ServiceKafkaNativeAclGet`: 404 for an unknown id.
pub fn acl_get(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    kafka(s)?;
    let id = req.param("kafka_acl_id");
    let a = s
        .kafka_native_acls
        .iter()
        .find(|a| a.id == id)
        .ok_or_else(|| acl_not_found(id))?;
    Ok(json!({ "acl": a.to_json() }))
}

/// `ServiceKafkaNativeAclDelete`: 404 for an unknown id.
pub fn acl_delete(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let id = req.param("kafka_acl_id").to_owned();
    let s = service_mut(ctx.state, req)?;
    kafka(s)?;
    let before = s.kafka_native_acls.len();
    s.kafka_native_acls.retain(|a| a.id != id);
    if s.kafka_native_acls.len() == before {
        return Err(acl_not_found(&id));
    }
    super::done("deleted")
}

#[derive(Deserialize)]
struct QuotaBody {
    #[serde(rename = "client-id")]
    client_id: Option<String>,
    user: Option<String>,
    consumer_byte_rate: Option<f64>,
    producer_byte_rate: Option<f64>,
    request_percentage: Option<f64>,
}

/// The `(user, client-id)` a request names (`""` for one not named); 400
/// when it names neither.
fn quota_key(user: Option<&str>, client_id: Option<&str>) -> Result<(String, String), ApiError> {
    let user = user.unwrap_or_default().to_string();
    let client_id = client_id.unwrap_or_default().to_string();
    if user.is_empty() && client_id.is_empty() {
        return Err(ApiError::bad_request(
            "At least one of 'client-id' or 'user' must be given",
        ));
    }
    Ok((user, client_id))
}

fn quota_not_found(user: &str, client_id: &str) -> ApiError {
    ApiError::not_found(format!(
        "Quota for user '{user}' and client-id '{client_id}' does not exist"
    ))
}

/// The key a describe or delete names in its query.
fn query_key(req: &Req<'_>) -> Result<(String, String), ApiError> {
    quota_key(
        req.query.get("user").map(String::as_str),
        req.query.get("client-id").map(String::as_str),
    )
}

/// `ServiceKafkaQuotaCreate`: sets the quota of a user and/or client-id
/// (`default` names Kafka's default entity); creating it again changes the
/// values given, as Kafka's `alterClientQuotas` does. A value never given
/// is answered as 0.
pub fn quota_create(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let body: QuotaBody = req.body()?;
    let (user, client_id) = quota_key(body.user.as_deref(), body.client_id.as_deref())?;
    if body.consumer_byte_rate.is_none()
        && body.producer_byte_rate.is_none()
        && body.request_percentage.is_none()
    {
        return Err(ApiError::bad_request(
            "At least one of 'consumer_byte_rate', 'producer_byte_rate' or \
             'request_percentage' must be given",
        ));
    }
    let s = service_mut(ctx.state, req)?;
    kafka(s)?;
    let i = match s
        .kafka_quotas
        .iter()
        .position(|q| q.user == user && q.client_id == client_id)
    {
        Some(i) => i,
        None => {
            s.kafka_quotas.push(KafkaQuota {
                user,
                client_id,
                consumer_byte_rate: 0.0,
                producer_byte_rate: 0.0,
                request_percentage: 0.0,
            });
            s.kafka_quotas.len() - 1
        }
    };
    let q = &mut s.kafka_quotas[i];
    if let Some(v) = body.consumer_byte_rate {
        q.consumer_byte_rate = v;
    }
    if let Some(v) = body.producer_byte_rate {
        q.producer_byte_rate = v;
    }
    if let Some(v) = body.request_percentage {
        q.request_percentage = v;
    }
    super::done("created")
}

/// `ServiceKafkaQuotaList`.
pub fn quota_list(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    kafka(s)?;
    let quotas: Vec<Value> = s.kafka_quotas.iter().map(KafkaQuota::to_json).collect();
    Ok(json!({ "quotas": quotas }))
}

/// `ServiceKafkaQuotaDescribe`: the quota of exactly the user and
/// client-id the query names; 404 when there is none.
pub fn quota_describe(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    kafka(s)?;
    let (user, client_id) = query_key(req)?;
    let q = s
        .kafka_quotas
        .iter()
        .find(|q| q.user == user && q.client_id == client_id)
        .ok_or_else(|| quota_not_found(&user, &client_id))?;
    Ok(json!({ "quota": q.to_json() }))
}

/// `ServiceKafkaQuotaDelete`: 404 when the named quota does not exist.
pub fn quota_delete(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (user, client_id) = query_key(req)?;
    let s = service_mut(ctx.state, req)?;
    kafka(s)?;
    let before = s.kafka_quotas.len();
    s.kafka_quotas
        .retain(|q| !(q.user == user && q.client_id == client_id));
    if s.kafka_quotas.len() == before {
        return Err(quota_not_found(&user, &client_id));
    }
    super::done("deleted")
}
