//! OpenSearch indices (`ServiceOpenSearchIndex*`) and the ACL
//! configuration (`ServiceOpenSearchAcl*`).
//!
//! A new service has the system indices OpenSearch and its Dashboards
//! create on first start (all dot-prefixed); an index pattern is a
//! comma-separated list of names or `*` wildcards, and, as in OpenSearch, a
//! wildcard matches a dot-prefixed index only when the pattern starts with
//! a dot. System indices cannot be deleted.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::{service, service_mut, Ctx, Outcome, Req};
use crate::clock::format_time;
use crate::error::ApiError;
use crate::model::{OpenSearchIndex, Service};

/// The indices of a new service: `(name, docs, size in bytes)`.
const SYSTEM_INDICES: &[(&str, i64, i64)] = &[
    (".kibana_1", 1, 5_166),
    (".opensearch-observability", 0, 208),
    (".plugins-ml-config", 1, 3_934),
];

/// 400 unless `s` is a powered-on OpenSearch service.
fn opensearch(s: &Service) -> Result<(), ApiError> {
    if s.service_type != "opensearch" {
        return Err(ApiError::bad_request(format!(
            "Service type '{}' is not OpenSearch",
            s.service_type
        )));
    }
    if !s.powered {
        return Err(ApiError::not_powered());
    }
    Ok(())
}

/// The service's indices (those of a new service until first changed).
fn indices(s: &Service) -> BTreeMap<String, OpenSearchIndex> {
    if let Some(i) = &s.opensearch_indices {
        return i.clone();
    }
    SYSTEM_INDICES
        .iter()
        .map(|&(name, docs, size)| {
            let index = OpenSearchIndex {
                create_time: s.create_time,
                docs,
                size,
                number_of_shards: 1,
                // System indices auto-expand to one replica when they can.
                number_of_replicas: u32::from(s.node_count > 1),
                open: true,
            };
            (name.to_string(), index)
        })
        .collect()
}

/// Does `name` match one `*`-wildcard pattern?
fn glob(pattern: &str, name: &str) -> bool {
    let Some((first, rest)) = pattern.split_once('*') else {
        return pattern == name;
    };
    if !name.starts_with(first) {
        return false;
    }
    let mut tail = &name[first.len()..];
    let parts: Vec<&str> = rest.split('*').collect();
    for (i, part) in parts.iter().enumerate() {
        if i == parts.len() - 1 {
            return tail.ends_with(part);
        }
        match tail.find(part) {
            Some(at) => tail = &tail[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// The names of `indices` a pattern (comma-separated list) matches.
fn matching(indices: &BTreeMap<String, OpenSearchIndex>, pattern: &str) -> Vec<String> {
    indices
        .keys()
        .filter(|name| {
            pattern.split(',').map(str::trim).any(|p| {
                let wild = p.contains('*');
                glob(p, name) && !(wild && name.starts_with('.') && !p.starts_with('.'))
            })
        })
        .cloned()
        .collect()
}

fn index_not_found(pattern: &str) -> ApiError {
    ApiError::not_found(format!("no such index [{pattern}]")).code("index_not_found")
}

fn index_json(name: &str, i: &OpenSearchIndex) -> Value {
    json!({
        "create_time": format_time(i.create_time),
        "docs": if i.open { i.docs } else { -1 },
        "health": if i.open { "green" } else { "unknown" },
        "index_name": name,
        "number_of_replicas": i.number_of_replicas,
        "number_of_shards": i.number_of_shards,
        "read_only_allow_delete": false,
        "size": if i.open { i.size } else { -1 },
        "status": if i.open { "open" } else { "close" },
    })
}

/// `ServiceOpenSearchIndexList`.
pub fn index_list(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    opensearch(s)?;
    let indexes: Vec<Value> = indices(s)
        .iter()
        .map(|(name, i)| index_json(name, i))
        .collect();
    Ok(json!({ "indexes": indexes }))
}

/// `ServiceOpenSearchIndexDelete`: 404 when the pattern matches nothing,
/// 403 when it names a system index.
pub fn index_delete(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let pattern = req.param("index_pattern").to_string();
    let s = service_mut(ctx.state, req)?;
    opensearch(s)?;
    let mut all = indices(s);
    let names = matching(&all, &pattern);
    if names.is_empty() {
        return Err(index_not_found(&pattern));
    }
    if let Some(system) = names.iter().find(|n| n.starts_with('.')) {
        return Err(
            ApiError::forbidden(format!("System index '{system}' cannot be deleted"))
                .code("opensearch_delete_system_index"),
        );
    }
    for n in &names {
        all.remove(n);
    }
    s.opensearch_indices = Some(all);
    super::done("deleted")
}

/// Opens or closes the indices named; the names changed.
fn set_open(ctx: &mut Ctx<'_>, req: &Req<'_>, names: &[String], open: bool) -> Outcome {
    let s = service_mut(ctx.state, req)?;
    opensearch(s)?;
    let mut all = indices(s);
    let mut changed = Vec::new();
    for n in names {
        if let Some(i) = all.get_mut(n) {
            i.open = open;
            changed.push(n.clone());
        }
    }
    s.opensearch_indices = Some(all);
    Ok(json!(changed))
}

/// The names a path pattern matches on the service; `missing` when none.
fn pattern_names(
    ctx: &Ctx<'_>,
    req: &Req<'_>,
    missing: fn(&str) -> ApiError,
) -> Result<Vec<String>, ApiError> {
    let (_, s) = service(ctx.state, req)?;
    opensearch(s)?;
    let pattern = req.param("index_pattern");
    let names = matching(&indices(s), pattern);
    if names.is_empty() {
        return Err(missing(pattern));
    }
    Ok(names)
}

/// `ServiceOpenSearchIndexClose`: 400 when the pattern matches nothing.
pub fn index_close(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let names = pattern_names(ctx, req, |p| {
        ApiError::bad_request(format!("Closing index failed: no such index [{p}]"))
            .code("index_close_failed")
    })?;
    set_open(ctx, req, &names, false)?;
    Ok(json!({ "acknowledged": true, "message": "closed" }))
}

/// `ServiceOpenSearchIndexOpen`: 404 when the pattern matches nothing.
pub fn index_open(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let names = pattern_names(ctx, req, index_not_found)?;
    set_open(ctx, req, &names, true)?;
    Ok(json!({ "acknowledged": true, "message": "opened" }))
}

fn listed(req: &Req<'_>) -> Vec<String> {
    req.body
        .get("indices")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// `ServiceOpenSearchIndexCloseMultiple`: the indices of the list that
/// exist are closed (and listed in the answer).
pub fn index_close_multiple(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let closed = set_open(ctx, req, &listed(req), false)?;
    Ok(json!({ "closed_indices": closed, "message": "closed" }))
}

/// `ServiceOpenSearchIndexOpenMultiple`: as close, for opening.
pub fn index_open_multiple(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let opened = set_open(ctx, req, &listed(req), true)?;
    Ok(json!({ "opened_indices": opened, "message": "opened" }))
}

/// The ACL configuration: as set, or disabled with no entries.
fn acl_config(s: &Service) -> Value {
    s.opensearch_acl
        .clone()
        .unwrap_or_else(|| json!({ "acls": [], "enabled": false }))
}

/// `ServiceOpenSearchAclGet`.
pub fn acl_get(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    opensearch(s)?;
    Ok(json!({ "opensearch_acl_config": acl_config(s) }))
}

/// `ServiceOpenSearchAclSet`: replaces the whole configuration.
pub fn acl_set(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let s = service_mut(ctx.state, req)?;
    opensearch(s)?;
    let given = &req.body["opensearch_acl_config"];
    let config = json!({
        "acls": given.get("acls").cloned().unwrap_or_else(|| json!([])),
        "enabled": given.get("enabled").and_then(Value::as_bool).unwrap_or(false),
    });
    s.opensearch_acl = Some(config.clone());
    Ok(json!({ "opensearch_acl_config": config, "message": "updated" }))
}

/// `ServiceOpenSearchAclUpdate`: merges into the configuration: `enabled`
/// when given, and each given entry replaces the entry of its username
/// (or is added); entries of other usernames stay.
pub fn acl_update(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let s = service_mut(ctx.state, req)?;
    opensearch(s)?;
    let given = &req.body["opensearch_acl_config"];
    let mut config = acl_config(s);
    if let Some(enabled) = given.get("enabled").and_then(Value::as_bool) {
        config["enabled"] = json!(enabled);
    }
    if let Some(new) = given.get("acls").and_then(Value::as_array) {
        let mut acls = config["acls"].as_array().cloned().unwrap_or_default();
        for entry in new {
            match acls.iter_mut().find(|a| a["username"] == entry["username"]) {
                Some(existing) => *existing = entry.clone(),
                None => acls.push(entry.clone()),
            }
        }
        config["acls"] = Value::Array(acls);
    }
    s.opensearch_acl = Some(config.clone());
    Ok(json!({ "opensearch_acl_config": config, "message": "updated" }))
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn wildcards() {
        assert!(glob("logs-*", "logs-2024"));
        assert!(glob("*", "x"));
        assert!(glob("a*c*e", "abcde"));
        assert!(!glob("a*c*e", "abcd"));
        assert!(!glob("logs", "logs-1"));
    }
}
