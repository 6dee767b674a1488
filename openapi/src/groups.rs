//! Operation groups: the description's tags, under stable names, so that a
//! consumer of `aiven-api` compiles only the operations it uses (one Cargo
//! feature per group; `full`, the default, is every group).
//!
//! A group is named once here, with the tags it covers in every published
//! version (`User` in 2023 and `Users` in 2026 are both `users`). Tags are
//! compared lower-case with everything but letters and digits removed, so
//! `Service:_Kafka` is `servicekafka`. An operation without a tag, or whose
//! tags are all unknown (a tag added in a later version), is in
//! [`OTHER`]; an operation with several tags is in the group of the first
//! known one.
//!
//! [`retain`] keeps the operations of the chosen groups and then the
//! components they reach, so the generated code has no type only another
//! group uses. Names are decided before (by the rules and the names file),
//! so a type has the same name whichever groups are built.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::walk;

/// The group of operations no other group claims.
pub const OTHER: &str = "other";

/// Every group: its feature name and the (compared) tags it covers.
pub const GROUPS: &[(&str, &[&str])] = &[
    ("services", &["service"]),
    ("service-integrations", &["serviceintegrations"]),
    ("kafka", &["servicekafka"]),
    ("kafka-mirrormaker", &["servicekafkamirrormaker"]),
    ("flink", &["serviceflink"]),
    ("opensearch", &["serviceopensearch"]),
    ("clickhouse", &["serviceclickhouse"]),
    ("postgresql", &["servicepostgresql"]),
    ("mysql", &["servicemysql"]),
    ("thanos", &["servicethanos"]),
    ("projects", &["project"]),
    ("project-billing", &["projectbilling"]),
    ("project-kms", &["projectkeymanagement"]),
    ("static-ips", &["staticip"]),
    ("clouds", &["cloudplatforms"]),
    ("secrets", &["secrets"]),
    ("custom-clouds", &["customcloud"]),
    ("organizations", &["organization", "organizations"]),
    ("organization-vpcs", &["organizationvpc"]),
    ("organization-billing-groups", &["organizationbillinggroup"]),
    (
        "organization-payment-methods",
        &["organizationpaymentmethod"],
    ),
    ("organization-emissions", &["organizationemissions"]),
    ("groups", &["groups"]),
    ("domains", &["domains"]),
    ("authentication-methods", &["authenticationmethods"]),
    ("permissions", &["permissions"]),
    ("application-users", &["applicationusers"]),
    ("upgrade-pipeline", &["upgradepipeline"]),
    ("accounts", &["account"]),
    ("users", &["user", "users"]),
    ("billing", &["billing"]),
    ("billing-groups", &["billinggroup"]),
    ("payments", &["payment"]),
    ("tickets", &["ticket", "ticketdeprecated"]),
    (OTHER, &[]),
];

/// Whether `name` is a group of [`GROUPS`].
pub fn is_group(name: &str) -> bool {
    GROUPS.iter().any(|(g, _)| *g == name)
}

fn compared(tag: &str) -> String {
    tag.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The group of an operation object, from its `tags`.
pub fn group_of(operation: &Value) -> &'static str {
    let tags = operation.get("tags").and_then(Value::as_array);
    tags.into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .find_map(|tag| {
            let tag = compared(tag);
            GROUPS
                .iter()
                .find(|(_, tags)| tags.contains(&tag.as_str()))
                .map(|(group, _)| *group)
        })
        .unwrap_or(OTHER)
}

/// What [`retain`] kept and dropped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Retained {
    pub operations_kept: usize,
    pub operations_dropped: usize,
    pub components_dropped: usize,
}

/// Keeps the operations whose group is in `groups` and the components they
/// reach through `$ref` (transitively); drops the rest, and path items left
/// with no operation.
pub fn retain(doc: &mut Value, groups: &BTreeSet<&str>) -> Retained {
    let mut out = Retained::default();
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        paths.retain(|_, item| {
            let Value::Object(item) = item else {
                return true;
            };
            for method in walk::METHODS {
                if let Some(op) = item.get(method) {
                    if groups.contains(group_of(op)) {
                        out.operations_kept += 1;
                    } else {
                        item.remove(method);
                        out.operations_dropped += 1;
                    }
                }
            }
            walk::METHODS.iter().any(|m| item.contains_key(*m))
        });
    }
    out.components_dropped = prune_components(doc);
    out
}

/// Component sections a `$ref` can point into.
const SECTIONS: [&str; 8] = [
    "schemas",
    "parameters",
    "requestBodies",
    "responses",
    "headers",
    "examples",
    "links",
    "callbacks",
];

/// Removes the components nothing outside `components` reaches; returns
/// how many.
fn prune_components(doc: &mut Value) -> usize {
    let mut reached: BTreeSet<(String, String)> = BTreeSet::new();
    let mut todo = Vec::new();
    for (key, value) in doc.as_object().into_iter().flatten() {
        if key != "components" {
            walk::component_refs(value, &mut todo);
        }
    }
    while let Some(target) = todo.pop() {
        if !reached.insert(target.clone()) {
            continue;
        }
        let (section, name) = &target;
        if let Some(component) = doc
            .get("components")
            .and_then(|c| c.get(section))
            .and_then(|s| s.get(name))
        {
            walk::component_refs(component, &mut todo);
        }
    }
    let Some(Value::Object(components)) = doc.get_mut("components") else {
        return 0;
    };
    let mut dropped = 0;
    for section in SECTIONS {
        if let Some(Value::Object(entries)) = components.get_mut(section) {
            let before = entries.len();
            entries.retain(|name, _| reached.contains(&(section.to_owned(), name.clone())));
            dropped += before - entries.len();
        }
    }
    dropped
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Operation count per group.
    fn census(doc: &Value) -> serde_json::Map<String, Value> {
        let mut counts = serde_json::Map::new();
        for op in walk::operations(doc) {
            let n = counts
                .entry(group_of(op.operation).to_owned())
                .or_insert(Value::from(0u64));
            *n = Value::from(n.as_u64().unwrap_or_default() + 1);
        }
        counts
    }

    fn doc() -> Value {
        json!({
            "paths": {
                "/project/{project}/service": {
                    "get": {"operationId": "ServiceList", "tags": ["Service"],
                        "responses": {"200": {"$ref": "#/components/responses/Services"}}},
                    "post": {"operationId": "ServiceCreate", "tags": ["Service"]}
                },
                "/project/{project}/service/{s}/topic": {
                    "get": {"operationId": "ServiceKafkaTopicList", "tags": ["Service:_Kafka"],
                        "responses": {"200": {"content": {"application/json": {"schema":
                            {"$ref": "#/components/schemas/Topics"}}}}}}
                },
                "/ticket": {
                    "get": {"operationId": "TicketList", "tags": ["Ticket_[deprecated]"]}
                },
                "/new": {"get": {"operationId": "New", "tags": ["Brand new"]}},
                "/none": {"get": {"operationId": "None"}}
            },
            "components": {
                "responses": {"Services": {"content": {"application/json": {"schema":
                    {"$ref": "#/components/schemas/Service"}}}}},
                "schemas": {
                    "Service": {"properties": {"node": {"$ref": "#/components/schemas/Node"}}},
                    "Node": {"properties": {"up": {"$ref": "#/components/schemas/Service"}}},
                    "Topics": {"type": "array", "items": {"$ref": "#/components/schemas/A~1B"}},
                    "A/B": {"type": "string"},
                    "Unused": {"type": "string"}
                },
                "securitySchemes": {"token": {"type": "apiKey"}}
            }
        })
    }

    #[test]
    fn tags_map_to_groups_across_spellings() {
        let d = doc();
        let census = census(&d);
        assert_eq!(census["services"], 2);
        assert_eq!(census["kafka"], 1);
        assert_eq!(census["tickets"], 1);
        // Unknown and missing tags.
        assert_eq!(census[OTHER], 2);
        assert_eq!(group_of(&json!({"tags": ["Users"]})), "users");
        assert_eq!(group_of(&json!({"tags": ["User"]})), "users");
        assert_eq!(
            group_of(&json!({"tags": ["Organizations"]})),
            "organizations"
        );
        assert_eq!(
            group_of(&json!({"tags": ["Organization"]})),
            "organizations"
        );
        assert_eq!(
            group_of(&json!({"tags": ["Brand new", "Project"]})),
            "projects"
        );
    }

    #[test]
    fn retain_keeps_the_groups_and_what_they_reach() {
        let mut d = doc();
        let kept = retain(&mut d, &BTreeSet::from(["services"]));
        assert_eq!(kept.operations_kept, 2);
        assert_eq!(kept.operations_dropped, 4);
        let paths: Vec<&String> = d["paths"].as_object().unwrap().keys().collect();
        assert_eq!(paths, ["/project/{project}/service"]);
        let schemas: Vec<&String> = d["components"]["schemas"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        // Reached through a response component and a cycle; Topics and A/B
        // only through the dropped Kafka operation.
        assert_eq!(schemas, ["Service", "Node"]);
        assert_eq!(kept.components_dropped, 3);
        assert!(d["components"]["securitySchemes"]["token"].is_object());
    }

    #[test]
    fn escaped_references_are_followed() {
        let mut d = doc();
        retain(&mut d, &BTreeSet::from(["kafka"]));
        let schemas: Vec<&String> = d["components"]["schemas"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(schemas, ["Topics", "A/B"]);
        assert!(d["components"]["responses"].as_object().unwrap().is_empty());
    }

    #[test]
    fn group_names_are_unique_and_tags_claimed_once() {
        let mut names = BTreeSet::new();
        let mut tags = BTreeSet::new();
        for (group, covered) in GROUPS {
            assert!(names.insert(*group), "{group} twice");
            for tag in *covered {
                assert!(tags.insert(*tag), "{tag} in two groups");
                assert_eq!(compared(tag), *tag, "{tag} is not in compared form");
            }
        }
    }
}
