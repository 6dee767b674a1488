//! What a restored snapshot (`PUT /_sim/state`, [`crate::SimHandle::restore`])
//! must satisfy: what intake would have let into the state.
//!
//! A snapshot holds the state as JSON (see [`crate::Snapshot`]), so it can hold what no request could
//! create: a project named `x/y` (stored under the key `p/x/y`, it comes
//! back from the state file as project `x`, service `y/sy`), a service
//! whose name differs from its key, a topic of 10⁹ partitions, a clock
//! time at the end of `i64`. Each name is checked with the rule the
//! handlers use (their own checks, and the request schema of the create
//! operation), the sizes with the caps of `limits` and
//! [`crate::intake`], times within ±[`MAX_CLOCK_MS`] of 1970, and the
//! event log in the order the state file reads it back. The first
//! problem is reported as a JSON pointer into the snapshot's state and
//! what is wrong; nothing is restored.

use serde_json::{json, Value};

use crate::catalog;
use crate::clock::{Millis, MAX_CLOCK_MS};
use crate::handlers::Record;
use crate::limits::{
    MAX_PROJECTS, MAX_SERVICES_PER_PROJECT, MAX_TOPICS_PER_SERVICE, MAX_TOPIC_PARTITIONS,
};
use crate::model::{Project, Service, State};
use crate::spec::spec;
use crate::validation::validate_request;

/// The most nodes a restored service may show as leaving a plan change.
pub const MAX_PREVIOUS_NODES: u32 = 1_000;

/// A JSON pointer segment.
fn seg(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// The request schema's verdict on `field: value` for `operation_id` (the
/// other required properties are not asked for).
fn schema_says(operation_id: &str, field: &str, value: &Value) -> Option<String> {
    let op = spec().operation(operation_id)?;
    let mut body = json!({ field: value });
    let errors = validate_request(op, &mut body);
    let prefix = format!("/{field}");
    errors
        .into_iter()
        .find(|e| e.instance_path.starts_with(&prefix))
        .map(|e| e.message)
}

/// A handler's name rule and what it wants, in words.
type Rule = (fn(&str) -> bool, &'static str);

/// A name the create operation would take: its schema, then the handler's
/// own rule (`rule`, with what it wants).
fn name(at: &str, what: &str, key: &str, record: Record, rule: Option<Rule>) -> Result<(), String> {
    // The create operation the registration names for this kind of record.
    let (operation_id, field) = crate::handlers::naming(record)
        .ok_or_else(|| format!("{at}: no operation creates a {what}"))?;
    if let Some(why) = schema_says(operation_id, field, &json!(key)) {
        return Err(format!(
            "{at}: {what} {key:?} is not valid ({operation_id} refuses it: {why})"
        ));
    }
    if let Some((ok, wants)) = rule {
        if !ok(key) {
            return Err(format!("{at}: {what} {key:?} is not valid: {wants}"));
        }
    }
    Ok(())
}

/// The object's own name must be its key (the state is keyed by it).
fn same(at: &str, field: &str, key: &str, inner: &str) -> Result<(), String> {
    if key != inner {
        return Err(format!(
            "{at}/{field}: {inner:?} differs from its key {key:?}"
        ));
    }
    Ok(())
}

fn time(at: &str, t: Millis) -> Result<(), String> {
    if !(-MAX_CLOCK_MS..=MAX_CLOCK_MS).contains(&t) {
        return Err(format!(
            "{at}: time {t} ms is out of range: at most {MAX_CLOCK_MS} ms (9999-12-31) from 1970"
        ));
    }
    Ok(())
}

fn sizes(at: &str, v: &Value, user_config: bool) -> Result<(), String> {
    crate::intake::check_value(v, at, user_config)
}

/// Checks a snapshot; the first problem, as `pointer: what`.
pub(crate) fn check(state: &State) -> Result<(), String> {
    if state.projects.len() > MAX_PROJECTS {
        return Err(format!(
            "/projects: {} projects, at most {MAX_PROJECTS}",
            state.projects.len()
        ));
    }
    for (key, p) in &state.projects {
        check_project(&format!("/projects/{}", seg(key)), key, p)?;
    }
    for (key, v) in &state.organization_vpcs {
        let at = format!("/organization_vpcs/{}", seg(key));
        same(&at, "id", key, &v.id)?;
        for (field, t) in [
            ("create_time", v.create_time),
            ("update_time", v.update_time),
        ] {
            time(&format!("{at}/{field}"), t)?;
        }
    }
    for (c, items) in &state.generic {
        for (k, item) in items {
            sizes(&format!("/generic/{}/{}", seg(c), seg(k)), item, false)?;
        }
    }
    Ok(())
}

fn check_project(at: &str, key: &str, p: &Project) -> Result<(), String> {
    name(
        at,
        "project name",
        key,
        Record::Project,
        Some((
            crate::handlers::valid_project_name,
            "1-63 letters, digits, '-' or '_'",
        )),
    )?;
    same(at, "name", key, &p.name)?;
    time(&format!("{at}/create_time"), p.create_time)?;
    sizes(&format!("{at}/tags"), &json!(p.tags), false)?;
    if p.services.len() > MAX_SERVICES_PER_PROJECT {
        return Err(format!(
            "{at}/services: {} services, at most {MAX_SERVICES_PER_PROJECT}",
            p.services.len()
        ));
    }
    for (s, svc) in &p.services {
        check_service(&format!("{at}/services/{}", seg(s)), s, svc)?;
    }
    for (id, i) in &p.integrations {
        let at = format!("{at}/integrations/{}", seg(id));
        same(&at, "id", id, &i.id)?;
        time(&format!("{at}/create_time"), i.create_time)?;
        time(&format!("{at}/ready_ms"), i.ready_ms)?;
        sizes(&format!("{at}/user_config"), &json!(i.user_config), true)?;
    }
    for (id, e) in &p.endpoints {
        let at = format!("{at}/endpoints/{}", seg(id));
        same(&at, "id", id, &e.id)?;
        sizes(&format!("{at}/user_config"), &json!(e.user_config), true)?;
    }
    for (id, v) in &p.vpcs {
        let at = format!("{at}/vpcs/{}", seg(id));
        same(&at, "id", id, &v.id)?;
        for (field, t) in [
            ("create_time", v.create_time),
            ("update_time", v.update_time),
        ] {
            time(&format!("{at}/{field}"), t)?;
        }
    }
    // The state file keeps events under their ids and reads them back in
    // id order: unique, ascending ids are what comes back as it was.
    for (i, pair) in p.events.windows(2).enumerate() {
        if pair[0].id >= pair[1].id {
            return Err(format!(
                "{at}/events/{}/id: {:?} is not after {:?}: event ids must be unique and \
                 ascending",
                i + 1,
                pair[1].id,
                pair[0].id
            ));
        }
    }
    for (i, e) in p.events.iter().enumerate() {
        time(&format!("{at}/events/{i}/time"), e.time)?;
    }
    Ok(())
}

fn check_service(at: &str, key: &str, s: &Service) -> Result<(), String> {
    name(
        at,
        "service name",
        key,
        Record::Service,
        Some((
            crate::handlers::valid_service_name,
            "at most 64 lowercase letters, digits or '-', starting with a letter",
        )),
    )?;
    same(at, "name", key, &s.name)?;
    // Unknown types are dropped (retired) rather than refused.
    if let Some(kind) = catalog::service_type(&s.service_type) {
        let Some(plan) = catalog::plan(kind, &s.plan) else {
            return Err(format!(
                "{at}/plan: {:?} is not a plan of {}",
                s.plan, s.service_type
            ));
        };
        if s.node_count != plan.node_count {
            return Err(format!(
                "{at}/node_count: {} but plan {} has {} nodes",
                s.node_count, s.plan, plan.node_count
            ));
        }
    }
    if catalog::cloud_by_name(&s.cloud).is_none() {
        return Err(format!("{at}/cloud: {:?} is not a cloud", s.cloud));
    }
    for (field, t) in [
        ("create_time", s.create_time),
        ("update_time", s.update_time),
        ("first_running_ms", s.first_running_ms),
    ] {
        time(&format!("{at}/{field}"), t)?;
    }
    if let Some(t) = &s.transition {
        time(&format!("{at}/transition/started_ms"), t.started_ms)?;
        time(&format!("{at}/transition/done_ms"), t.done_ms)?;
        if t.previous_nodes > MAX_PREVIOUS_NODES {
            return Err(format!(
                "{at}/transition/previous_nodes: {}, at most {MAX_PREVIOUS_NODES}",
                t.previous_nodes
            ));
        }
    }
    sizes(&format!("{at}/user_config"), &json!(s.user_config), true)?;
    sizes(&format!("{at}/tags"), &json!(s.tags), false)?;
    if s.topics.len() > MAX_TOPICS_PER_SERVICE {
        return Err(format!(
            "{at}/topics: {} topics, at most {MAX_TOPICS_PER_SERVICE}",
            s.topics.len()
        ));
    }
    for (k, t) in &s.topics {
        let at = format!("{at}/topics/{}", seg(k));
        name(&at, "topic name", k, Record::Topic, None)?;
        same(&at, "name", k, &t.name)?;
        if u64::from(t.partitions) > MAX_TOPIC_PARTITIONS || t.partitions == 0 {
            return Err(format!(
                "{at}/partitions: {}, between 1 and {MAX_TOPIC_PARTITIONS}",
                t.partitions
            ));
        }
        time(&format!("{at}/ready_ms"), t.ready_ms)?;
        sizes(&format!("{at}/config"), &json!(t.config), false)?;
    }
    for (k, u) in &s.users {
        let at = format!("{at}/users/{}", seg(k));
        name(&at, "user name", k, Record::ServiceUser, None)?;
        same(&at, "username", k, &u.username)?;
    }
    for (i, d) in s.databases.iter().enumerate() {
        let at = format!("{at}/databases/{i}");
        name(&at, "database name", d, Record::Database, None)?;
    }
    for (k, pool) in &s.pools {
        let at = format!("{at}/pools/{}", seg(k));
        name(
            &at,
            "pool name",
            k,
            Record::ConnectionPool,
            Some((
                crate::handlers::valid_pool_name,
                "letters, digits, '_' or '-', starting with a letter or '_'",
            )),
        )?;
        same(&at, "name", k, &pool.name)?;
    }
    for (k, c) in &s.connectors {
        let at = format!("{at}/connectors/{}", seg(k));
        same(&at, "name", k, &c.name)?;
        sizes(&format!("{at}/config"), &json!(c.config), false)?;
    }
    Ok(())
}
