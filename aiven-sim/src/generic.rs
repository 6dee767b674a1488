//! The generic model: how the simulator answers every operation that has no
//! hand-written handler (hand-written handlers always win), from the
//! description alone.
//!
//! * [`index`]: built once from the paths. A path whose last segments are
//!   parameters is an *item* of the *collection* before them
//!   (`/organization/{organization_id}/user-groups/{user_group_id}` of
//!   `/organization/{organization_id}/user-groups`); a plural path names the
//!   same collection as its singular (`…/billing-groups` and
//!   `…/billing-group/{billing_group_id}`), and so does `…/_all`. A POST on a
//!   collection creates, a GET lists; GET, PUT/PATCH, POST and DELETE on an
//!   item read, update, put and delete. Other paths with a GET and a write
//!   are *settings* (stored as sent, read back); the rest are *actions*.
//! * [`Synth`]: a value for a response schema, deterministic and plausible
//!   (times from the clock, ids as UUIDs derived from the path, names from
//!   the path and body, enums' first value, bounds respected), echoing the
//!   stored item and the request where the property names match.
//! * `handle`: the handler. Items live in the state's `generic` (persisted
//!   like the rest); a project's or service's items go with it (`prune`).
//!   A collection the description lets clients create answers 404 for an
//!   item it does not hold; one it does not (invoices, events) synthesizes
//!   any item asked for.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{json, Map, Value};

use crate::clock::{format_time, Millis};
use crate::context::{self, Ctx, Outcome, Req};
use crate::error::ApiError;
use crate::model::State;
use crate::spec::{spec, OperationSpec};

/// What the generic model does for an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// POST on a collection: adds an item (key from the body or generated).
    Create,
    /// GET on a collection: its items.
    List,
    /// GET on an item.
    Read,
    /// PUT or PATCH on an item: merges the body into it.
    Update,
    /// POST on an item path: creates or replaces the item the path names.
    Put,
    /// DELETE on an item.
    Delete,
    /// GET on a settings path: what was stored there, or defaults.
    SettingsRead,
    /// PUT, PATCH or POST on a settings path: stores the body.
    SettingsWrite,
    /// DELETE on a settings path: forgets it.
    SettingsDelete,
    /// Anything else: a synthesized success.
    Action,
}

/// How the generic model sees one operation.
#[derive(Clone, Debug)]
pub struct Model {
    /// The operation.
    pub operation_id: &'static str,
    /// What it does.
    pub role: Role,
    /// The path template of its collection (or settings path), if any.
    pub collection: Option<String>,
    /// The item path's trailing parameters: the item key.
    pub key: Vec<String>,
    /// Whether clients can create the collection's items (then an item it
    /// does not hold is 404).
    pub creatable: bool,
}

/// The models of every operation of the description, built once.
pub fn index() -> &'static BTreeMap<&'static str, Model> {
    static INDEX: OnceLock<BTreeMap<&'static str, Model>> = OnceLock::new();
    INDEX.get_or_init(|| build_index(&spec().operations))
}

/// `/a/{b}/c` → `["a", "{b}", "c"]`.
fn segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

fn param_name(segment: &str) -> Option<&str> {
    segment.strip_prefix('{')?.strip_suffix('}')
}

/// An item path's collection and key parameters: the path without its
/// trailing parameters (which must leave a literal last segment).
fn split_item(path: &str) -> Option<(String, Vec<String>)> {
    let segs = segments(path);
    let literal = segs.iter().rposition(|s| param_name(s).is_none())?;
    if literal + 1 == segs.len() {
        return None;
    }
    let key = segs[literal + 1..]
        .iter()
        .filter_map(|s| param_name(s).map(str::to_string))
        .collect();
    Some((format!("/{}", segs[..=literal].join("/")), key))
}

/// The collection a non-item path names: itself, its singular
/// (`addresses` → `address`, `vpcs` → `vpc`), or its parent for `_all`.
fn canonical(path: &str, collections: &BTreeSet<String>) -> Option<String> {
    if collections.contains(path) {
        return Some(path.to_string());
    }
    let (parent, last) = path.rsplit_once('/')?;
    let mut candidates = Vec::new();
    if last == "_all" {
        candidates.push(parent.to_string());
    }
    for suffix in ["es", "s"] {
        if let Some(stem) = last.strip_suffix(suffix) {
            candidates.push(format!("{parent}/{stem}"));
        }
    }
    candidates.into_iter().find(|c| collections.contains(c))
}

fn build_index(ops: &'static [OperationSpec]) -> BTreeMap<&'static str, Model> {
    let mut methods: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for op in ops {
        methods
            .entry(op.path.as_str())
            .or_default()
            .insert(op.method.as_str());
    }
    let mut collections: BTreeSet<String> = ops
        .iter()
        .filter_map(|op| split_item(&op.path).map(|(c, _)| c))
        .collect();
    // A path with just a POST and a GET (`/project/{project}/tickets`,
    // `…/credits`) adds to and lists a collection of unaddressable items,
    // unless it is the plural of an item path's collection.
    let unaddressed: Vec<String> = methods
        .iter()
        .filter(|(p, m)| {
            m.len() == 2 && m.contains("GET") && m.contains("POST") && split_item(p).is_none()
        })
        .filter(|(p, _)| canonical(p, &collections).is_none())
        .map(|(p, _)| p.to_string())
        .collect();
    collections.extend(unaddressed);
    let mut models: BTreeMap<&'static str, Model> = BTreeMap::new();
    for op in ops {
        let method = op.method.as_str();
        let (role, collection, key) = if let Some((c, key)) = split_item(&op.path) {
            let role = match method {
                "GET" => Role::Read,
                "PUT" | "PATCH" => Role::Update,
                "POST" => Role::Put,
                _ => Role::Delete,
            };
            (role, Some(c), key)
        } else if let Some(c) = canonical(&op.path, &collections) {
            let role = match method {
                "POST" => Role::Create,
                "GET" => Role::List,
                _ => Role::Action,
            };
            (role, Some(c), Vec::new())
        } else if methods[op.path.as_str()].len() > 1 && methods[op.path.as_str()].contains("GET") {
            let role = match method {
                "GET" => Role::SettingsRead,
                "DELETE" => Role::SettingsDelete,
                _ => Role::SettingsWrite,
            };
            (role, Some(op.path.clone()), Vec::new())
        } else {
            (Role::Action, None, Vec::new())
        };
        models.insert(
            op.operation_id.as_str(),
            Model {
                operation_id: op.operation_id.as_str(),
                role,
                collection,
                key,
                creatable: false,
            },
        );
    }
    // A collection is creatable when some operation adds to it.
    let creatable: BTreeSet<String> = models
        .values()
        .filter(|m| matches!(m.role, Role::Create | Role::Put))
        .filter_map(|m| m.collection.clone())
        .collect();
    // The key parameters of a collection's items, for its creates.
    let mut keys: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for m in models.values() {
        if let (Some(c), false) = (&m.collection, m.key.is_empty()) {
            keys.entry(c.clone()).or_insert_with(|| m.key.clone());
        }
    }
    for m in models.values_mut() {
        if let Some(c) = &m.collection {
            m.creatable = creatable.contains(c);
            if m.key.is_empty() && matches!(m.role, Role::Create | Role::List) {
                m.key = keys.get(c).cloned().unwrap_or_default();
            }
        }
    }
    models
}

/// How the simulator answers each operation of the description.
#[derive(Clone, Debug, Default)]
pub struct Coverage {
    /// Operations with a hand-written handler.
    pub hand_modelled: Vec<&'static str>,
    /// Operations answered by the generic model, with what it does.
    pub generic: Vec<(&'static str, Role)>,
    /// Operations answered 501 (none since the generic model).
    pub none: Vec<&'static str>,
}

/// Escapes a path parameter for a storage path (`/` and `%`).
fn encode(v: &str) -> String {
    v.replace('%', "%25").replace('/', "%2F")
}

/// A template with the request's parameters filled in (escaped).
pub fn fill(template: &str, params: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    for s in segments(template) {
        out.push('/');
        match param_name(s) {
            Some(p) => out.push_str(&encode(params.get(p).map_or("", String::as_str))),
            None => out.push_str(s),
        }
    }
    out
}

/// FNV-1a: stable across runs and Rust versions, for derived identifiers.
fn hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// A UUID-shaped identifier derived from `parts`.
fn uuid(parts: &[&str]) -> String {
    let a = hash(parts);
    let b = hash(&[&a.to_string(), "uuid"]);
    let hex = format!("{a:016x}{b:016x}");
    format!(
        "{}-{}-4{}-8{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

/// The parents the hand-modelled state holds must exist: the project, and
/// the service under `/project/{project}/service/{service_name}`.
fn check_parents(state: &State, op: &OperationSpec, req: &Req<'_>) -> Result<(), ApiError> {
    if req.params.contains_key("project") {
        context::project(state, req)?;
    }
    if op
        .path
        .starts_with("/project/{project}/service/{service_name}")
    {
        context::service(state, req)?;
    }
    Ok(())
}

/// Drops the generic items of projects and services that no longer exist
/// (called after every change).
pub(crate) fn prune(state: &mut State) {
    let projects = &state.projects;
    state.generic.retain(|path, _| {
        let segs = segments(path);
        match segs.as_slice() {
            ["project", p, "service", s, ..] => {
                let p = crate::spec::percent_decode(p);
                let s = crate::spec::percent_decode(s);
                projects
                    .get(&p)
                    .is_some_and(|p| p.services.contains_key(&s))
            }
            ["project", p, ..] => projects.contains_key(&crate::spec::percent_decode(p)),
            _ => true,
        }
    });
}

/// Whether the hand-modelled state names the item: the organization, and
/// the account, organization or billing group of a project, exist even
/// though no generic create made them.
fn known_elsewhere(state: &State, model: &Model, req: &Req<'_>) -> bool {
    let [key] = model.key.as_slice() else {
        return false;
    };
    let value = req.param(key);
    if key == "organization_id" && value == crate::model::ORGANIZATION_ID {
        return true;
    }
    state.projects.values().any(|p| match key.as_str() {
        "account_id" => p.account_id == value,
        "organization_id" => p.organization_id == value,
        "billing_group_id" => p.billing_group_id == value,
        _ => false,
    })
}

/// The item key a create names in its body: the key parameter itself, or
/// for `*_name`/`*_email` parameters a `name`/`email`-like property.
fn key_from_body(param: &str, body: &Value) -> Option<String> {
    let obj = body.as_object()?;
    let text = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_string);
    if let Some(v) = text(param).or_else(|| obj.get(param).map(|v| v.to_string())) {
        return Some(v);
    }
    let like = |suffix: &str| {
        text(suffix).or_else(|| {
            obj.iter()
                .find(|(k, v)| k.ends_with(&format!("_{suffix}")) && v.is_string())
                .and_then(|(_, v)| v.as_str().map(str::to_string))
        })
    };
    if param.ends_with("name") || param == "database" {
        like("name")
    } else if param.ends_with("email") {
        like("email")
    } else {
        None
    }
}

/// One generic call: the operation's model and where its item lives.
struct Call<'m> {
    model: &'m Model,
    /// The collection (or settings) path, parameters filled in.
    collection: String,
    /// The item key from the path (`""` for settings and collections).
    key: String,
    now: Millis,
    /// The 404 of a missing item.
    missing: String,
}

impl Call<'_> {
    fn items<'s>(&self, state: &'s State) -> Option<&'s BTreeMap<String, Value>> {
        state.generic.get(&self.collection)
    }

    fn not_found(&self) -> ApiError {
        ApiError::not_found(&self.missing)
    }
}

/// The generic handler (see the module docs).
pub(crate) fn handle(op: &'static OperationSpec, ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let model = &index()[op.operation_id.as_str()];
    check_parents(ctx.state, op, req)?;
    // What the answer echoes: the path parameters, the body, the item.
    let mut source: Map<String, Value> = req
        .params
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    if let Value::Object(b) = req.body {
        source.extend(b.clone());
    }
    let call = Call {
        model,
        collection: model
            .collection
            .as_deref()
            .map(|c| fill(c, req.params))
            .unwrap_or_default(),
        key: model
            .key
            .iter()
            .map(|k| encode(req.param(k)))
            .collect::<Vec<_>>()
            .join("/"),
        now: ctx.now,
        missing: format!("{} not found", noun(model)),
    };
    let state = &mut *ctx.state;
    let mut list = None;
    match model.role {
        Role::Create => create(state, &call, req, &mut source)?,
        Role::List => {
            list = Some(
                call.items(state)
                    .into_iter()
                    .flatten()
                    .map(|(_, v)| v.clone())
                    .collect(),
            )
        }
        Role::Read | Role::SettingsRead => read(state, &call, req, &mut source)?,
        Role::Update | Role::Put | Role::SettingsWrite => write(state, &call, req, &mut source)?,
        Role::Delete | Role::SettingsDelete => delete(state, &call, req, &mut source)?,
        Role::Action => {}
    }
    let message = match model.role {
        Role::Create => Some("created"),
        Role::Update | Role::Put | Role::SettingsWrite => Some("updated"),
        Role::Delete | Role::SettingsDelete => Some("deleted"),
        Role::Action if op.method != "GET" => Some("completed"),
        _ => None,
    };
    Ok(answer(op, call.now, &source, list, message, &seed(req)))
}

/// Adds an item keyed by the body's name for it, or by a derived UUID
/// (also its `id`); 409 if the key is taken.
fn create(
    state: &mut State,
    call: &Call<'_>,
    req: &Req<'_>,
    source: &mut Map<String, Value>,
) -> Result<(), ApiError> {
    let count = call.items(state).map_or(0, BTreeMap::len);
    let generated = uuid(&[
        &call.collection,
        &count.to_string(),
        &state.revision.to_string(),
    ]);
    let mut record = source.clone();
    let mut parts = Vec::new();
    for p in &call.model.key {
        let v = key_from_body(p, req.body).unwrap_or_else(|| generated.clone());
        record.insert(p.clone(), json!(v));
        record.entry("id").or_insert_with(|| json!(v));
        parts.push(encode(&v));
    }
    let key = if parts.is_empty() {
        generated
    } else {
        parts.join("/")
    };
    let items = state.generic.entry(call.collection.clone()).or_default();
    if items.contains_key(&key) {
        let what = call.missing.trim_end_matches(" not found");
        return Err(ApiError::conflict(format!("{what} already exists")));
    }
    stamp(&mut record, &["create_time", "created_at"], call.now);
    stamp(&mut record, &["update_time", "updated_at"], call.now);
    items.insert(key, Value::Object(record.clone()));
    *source = record;
    Ok(())
}

/// The stored item or settings; an item of a creatable collection that is
/// not there is 404 (unless a project names it).
fn read(
    state: &State,
    call: &Call<'_>,
    req: &Req<'_>,
    source: &mut Map<String, Value>,
) -> Result<(), ApiError> {
    match call.items(state).and_then(|items| items.get(&call.key)) {
        Some(Value::Object(r)) => source.extend(r.clone()),
        _ if call.model.creatable
            && call.model.role == Role::Read
            && !known_elsewhere(state, call.model, req) =>
        {
            return Err(call.not_found())
        }
        _ => {}
    }
    Ok(())
}

/// Merges the body into the item (404 for an absent item of a creatable
/// collection that nothing else names; others are created: settings,
/// `POST …/{key}`).
fn write(
    state: &mut State,
    call: &Call<'_>,
    req: &Req<'_>,
    source: &mut Map<String, Value>,
) -> Result<(), ApiError> {
    let mut record = match call.items(state).and_then(|items| items.get(&call.key)) {
        Some(Value::Object(r)) => r.clone(),
        _ if call.model.creatable
            && call.model.role == Role::Update
            && !known_elsewhere(state, call.model, req) =>
        {
            return Err(call.not_found())
        }
        _ => {
            let mut r = Map::new();
            stamp(&mut r, &["create_time", "created_at"], call.now);
            r
        }
    };
    record.extend(std::mem::take(source));
    stamp(&mut record, &["update_time", "updated_at"], call.now);
    state
        .generic
        .entry(call.collection.clone())
        .or_default()
        .insert(call.key.clone(), Value::Object(record.clone()));
    *source = record;
    Ok(())
}

/// Removes the item (404 if a creatable collection does not hold it and
/// nothing else names it; the hand-modelled state is left alone).
fn delete(
    state: &mut State,
    call: &Call<'_>,
    req: &Req<'_>,
    source: &mut Map<String, Value>,
) -> Result<(), ApiError> {
    let items = state.generic.get_mut(&call.collection);
    match items.and_then(|items| items.remove(&call.key)) {
        Some(Value::Object(r)) => source.extend(r),
        None if call.model.creatable
            && call.model.role == Role::Delete
            && !known_elsewhere(state, call.model, req) =>
        {
            return Err(call.not_found())
        }
        _ => {}
    }
    if state
        .generic
        .get(&call.collection)
        .is_some_and(BTreeMap::is_empty)
    {
        state.generic.remove(&call.collection);
    }
    Ok(())
}

/// Records when an item was created or changed, under the names Aiven
/// uses for it (so that reads answer the same time).
fn stamp(record: &mut Map<String, Value>, names: &[&str], now: Millis) {
    for n in names {
        record.insert((*n).to_string(), json!(format_time(now)));
    }
}

/// What an operation's 404 calls the missing thing: its item parameter
/// (`user_group_id` → "User group").
fn noun(model: &Model) -> String {
    let what = model
        .key
        .last()
        .map(|k| {
            k.trim_end_matches("_id")
                .trim_end_matches("_name")
                .replace(['_', '-'], " ")
        })
        .unwrap_or_else(|| "Resource".into());
    let mut c = what.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_else(|| "Resource".into())
}

/// The success body: synthesized from the published response schema (the
/// stricter one), or text for the CSV and PDF downloads.
fn answer(
    op: &OperationSpec,
    now: Millis,
    source: &Map<String, Value>,
    list: Option<Vec<Value>>,
    message: Option<&'static str>,
    seed: &str,
) -> Value {
    if !op.success.is_json() {
        return match op.success.media.as_deref() {
            None => json!({}),
            Some(m) if m.contains("csv") => json!("description,amount\nSimulated,0.00\n"),
            Some(_) => json!("%PDF-1.4\n% aiven-sim\n%%EOF\n"),
        };
    }
    let (schema, defs) = match op.raw_responses.get("200") {
        Some(s) => (s, &spec().raw_definitions),
        None => match op.responses.get("200") {
            Some(s) => (s, &spec().definitions),
            None => return json!({}),
        },
    };
    let mut synth = Synth {
        defs,
        now,
        seed: seed.to_string(),
        list,
        required_only: false,
        message,
    };
    synth.value(schema, "", Some(&Value::Object(source.clone())), source, 0)
}

/// An example request body for an operation, valid against its (strict)
/// request schema: the required properties, synthesized.
pub fn example_request(operation_id: &str) -> Option<Value> {
    let op = spec().operation(operation_id)?;
    let schema = op.request.as_ref()?;
    let mut synth = Synth {
        defs: &spec().definitions,
        now: 1_780_000_000_000,
        seed: operation_id.to_string(),
        list: None,
        required_only: true,
        message: None,
    };
    Some(synth.value(schema, "", None, &Map::new(), 0))
}

/// The path parameters as one string, to derive identifiers from.
fn seed(req: &Req<'_>) -> String {
    req.params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The path parameter a property names (`dest_project` → `project`,
/// `source_service` → `service_name`), to answer the path's names.
fn path_name(property: &str) -> Option<&'static str> {
    let bare = ["source_", "dest_", "destination_", "target_"]
        .iter()
        .find_map(|p| property.strip_prefix(p))
        .unwrap_or(property);
    match bare {
        "project" | "project_name" => Some("project"),
        "service" | "service_name" => Some("service_name"),
        _ => None,
    }
}

/// The values of a `state` or `status` enum preferred over its first.
const HEALTHY: &[&str] = &[
    "RUNNING",
    "ACTIVE",
    "READY",
    "OK",
    "SUCCESS",
    "ENABLED",
    "CONNECTED",
];

/// Deeper than this, objects get their required properties only.
const DEEP: usize = 6;
/// Never deeper than this (cycles through `$ref`s).
const MAX_DEPTH: usize = 24;
/// Arrays echoed from the source are cut to this many items.
const MAX_ITEMS: usize = 100;

/// Synthesizes values for schemas (draft 7, refs into `defs`).
pub struct Synth<'a> {
    defs: &'a Map<String, Value>,
    now: Millis,
    /// Derived identifiers hash this (the request's path parameters).
    seed: String,
    /// The items of a list answer: fill its first array property.
    list: Option<Vec<Value>>,
    /// Only required properties (request bodies).
    required_only: bool,
    /// The top-level `message` of a change (`"created"`, …).
    message: Option<&'static str>,
}

/// Follows `$ref`s into `defs` (a bounded number of times).
fn resolve<'v>(defs: &'v Map<String, Value>, mut schema: &'v Value) -> &'v Value {
    for _ in 0..16 {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r.trim_start_matches("#/definitions/");
                schema = defs.get(name).unwrap_or(&Value::Null);
            }
            None => break,
        }
    }
    schema
}

impl Synth<'_> {
    /// A value for `schema`, the property `name`: `hint` (the source's value
    /// of that name) where it fits, else synthesized; `source` holds the
    /// values nested objects may echo.
    fn value(
        &mut self,
        schema: &Value,
        name: &str,
        hint: Option<&Value>,
        source: &Map<String, Value>,
        depth: usize,
    ) -> Value {
        let schema = resolve(self.defs, schema);
        if let Some(Value::Array(all)) = schema.get("allOf") {
            let mut merged = Map::new();
            for s in all {
                match self.value(s, name, hint, source, depth) {
                    Value::Object(o) => merged.extend(o),
                    other if all.len() == 1 => return other,
                    _ => {}
                }
            }
            return Value::Object(merged);
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(Value::Array(alts)) = schema.get(key) {
                let alt = alts
                    .iter()
                    .find(|a| resolve(self.defs, a).get("type") != Some(&json!("null")))
                    .or(alts.first());
                return match alt {
                    Some(a) => self.value(a, name, hint, source, depth),
                    None => Value::Null,
                };
            }
        }
        if let Some(Value::Array(values)) = schema.get("enum") {
            if let Some(h) = hint.filter(|h| values.contains(h)) {
                return h.clone();
            }
            // A state or status that says all is well, where there is one.
            let healthy = matches!(name, "state" | "status")
                .then(|| {
                    values.iter().find(|v| {
                        v.as_str()
                            .is_some_and(|s| HEALTHY.iter().any(|h| s.eq_ignore_ascii_case(h)))
                    })
                })
                .flatten();
            return healthy
                .or_else(|| values.iter().find(|v| !v.is_null()))
                .cloned()
                .unwrap_or(Value::Null);
        }
        let ty = match schema.get("type") {
            Some(Value::String(t)) => t.as_str(),
            Some(Value::Array(ts)) => ts
                .iter()
                .filter_map(Value::as_str)
                .find(|t| *t != "null")
                .unwrap_or("null"),
            _ if schema.get("properties").is_some() => "object",
            _ if schema.get("items").is_some() => "array",
            // No type: anything goes; echo what was sent.
            _ => return hint.cloned().unwrap_or_else(|| json!({})),
        };
        match ty {
            "object" => self.object(schema, hint, source, depth),
            "array" => self.array(schema, name, hint, source, depth),
            "string" => self.string(schema, name, hint),
            "integer" | "number" => number(schema, name, hint, ty == "integer"),
            "boolean" => hint
                .filter(|h| h.is_boolean())
                .cloned()
                .unwrap_or(json!(false)),
            _ => Value::Null,
        }
    }

    fn object(
        &mut self,
        schema: &Value,
        hint: Option<&Value>,
        source: &Map<String, Value>,
        depth: usize,
    ) -> Value {
        // An object sent for this property is the source of its fields;
        // otherwise the enclosing source (a wrapper such as `{"group": …}`
        // shows the item's fields).
        let source = match hint {
            Some(Value::Object(h)) => h,
            _ => source,
        };
        let mut out = Map::new();
        let required: BTreeSet<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let empty = Map::new();
        let props = schema
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        // The property a list answer holds its items in: an array, a
        // required one first, never `errors`.
        let list_prop = match (&self.list, depth) {
            (Some(_), 0) => props
                .iter()
                .filter(|(k, s)| *k != "errors" && self.is_array(s))
                .min_by_key(|(k, _)| !required.contains(k.as_str()))
                .map(|(k, _)| k.clone()),
            _ => None,
        };
        let min_props = schema
            .get("minProperties")
            .and_then(Value::as_u64)
            .unwrap_or(0) as usize;
        for (k, s) in props {
            // Requests: the required properties, and enough optional scalar
            // ones to reach `minProperties`.
            let must = required.contains(k.as_str())
                || (self.required_only && out.len() + required.len() < min_props && self.cheap(s));
            let echo = source
                .get(k)
                .or_else(|| path_name(k).and_then(|p| source.get(p)))
                .filter(|v| !v.is_null());
            if !must && (self.required_only || depth >= DEEP) {
                continue;
            }
            if !must && echo.is_none() && !self.cheap(s) {
                continue;
            }
            // A change's `message` says what it did, as the hand-modelled
            // handlers' do (Aiven's CLI prints it); reads carry none, and
            // successes no `errors` (the description declares both on
            // every answer).
            if let (0, "message", Some(m)) = (depth, k.as_str(), self.message) {
                out.insert(k.clone(), json!(m));
                continue;
            }
            if !must && depth == 0 && matches!(k.as_str(), "errors" | "message") {
                continue;
            }
            if depth >= MAX_DEPTH && !must {
                continue;
            }
            let v = if list_prop.as_deref() == Some(k.as_str()) {
                let items = self.list.take().unwrap_or_default();
                let item_schema = resolve(self.defs, s)
                    .get("items")
                    .cloned()
                    .unwrap_or(json!({}));
                Value::Array(
                    items
                        .iter()
                        .take(MAX_ITEMS)
                        .map(|i| self.value(&item_schema, k, Some(i), &empty, depth + 1))
                        .collect(),
                )
            } else {
                self.value(s, k, echo, source, depth + 1)
            };
            out.insert(k.clone(), v);
        }
        // A map (`additionalProperties`) echoes what was sent, if anything.
        if props.is_empty() {
            if let (Some(Value::Object(h)), Some(extra)) =
                (hint, schema.get("additionalProperties"))
            {
                if extra.is_object() {
                    for (k, v) in h.iter().take(MAX_ITEMS) {
                        let v = self.value(extra, k, Some(v), &empty, depth + 1);
                        out.insert(k.clone(), v);
                    }
                }
            }
        }
        Value::Object(out)
    }

    fn is_array(&self, schema: &Value) -> bool {
        let s = resolve(self.defs, schema);
        s.get("type") == Some(&json!("array")) || s.get("items").is_some()
    }

    /// Optional properties worth sending: scalars, and arrays (empty).
    fn cheap(&self, schema: &Value) -> bool {
        let s = resolve(self.defs, schema);
        match s.get("type") {
            Some(Value::String(t)) => t != "object",
            Some(Value::Array(ts)) => !ts.contains(&json!("object")),
            _ => s.get("enum").is_some(),
        }
    }

    fn array(
        &mut self,
        schema: &Value,
        name: &str,
        hint: Option<&Value>,
        source: &Map<String, Value>,
        depth: usize,
    ) -> Value {
        let items = schema.get("items").cloned().unwrap_or(json!({}));
        let max = schema
            .get("maxItems")
            .and_then(Value::as_u64)
            .map_or(MAX_ITEMS, |m| (m as usize).min(MAX_ITEMS));
        let min = schema
            .get("minItems")
            .and_then(Value::as_u64)
            .map_or(0, |m| m as usize);
        let empty = Map::new();
        // The top level of a list answer that is itself an array.
        let listed = if depth == 0 {
            self.list.take().map(Value::Array)
        } else {
            None
        };
        let hint = listed.as_ref().or(hint);
        let mut out: Vec<Value> = match hint {
            Some(Value::Array(sent)) => sent
                .iter()
                .take(max)
                .map(|v| self.value(&items, name, Some(v), &empty, depth + 1))
                .collect(),
            _ => Vec::new(),
        };
        while out.len() < min {
            let v = self.value(&items, name, None, source, depth + 1);
            out.push(v);
        }
        Value::Array(out)
    }

    fn string(&self, schema: &Value, name: &str, hint: Option<&Value>) -> Value {
        let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max = schema
            .get("maxLength")
            .and_then(Value::as_u64)
            .map_or(usize::MAX, |m| m as usize);
        if let Some(h) = hint.and_then(Value::as_str) {
            let n = h.chars().count();
            if n >= min && n <= max {
                return json!(h);
            }
        }
        let mut s = self.plausible(name);
        if s.chars().count() > max {
            s = s.chars().take(max).collect();
        }
        while s.chars().count() < min {
            s.push('x');
        }
        json!(s)
    }

    /// A string that looks like what Aiven sends for a property so named.
    fn plausible(&self, name: &str) -> String {
        let n = name.to_ascii_lowercase();
        let has = |w: &str| n.split(['_', '-']).any(|p| p == w);
        let id = || uuid(&[&self.seed, name]);
        let time = format_time(self.now);
        let moment = ["_time", "_at", "_begin", "_end", "_until"];
        if moment.iter().any(|m| n.ends_with(m)) || n == "time" || n.contains("timestamp") {
            time
        } else if n.ends_with("date") || has("date") {
            time[..10].to_string()
        } else if n.contains("email") || n.ends_with("_by") {
            "user@example.com".into()
        } else if n == "id" || n.ends_with("_id") || n == "uuid" || n.ends_with("_uuid") {
            id()
        } else if has("uri") || has("url") || has("uris") || has("urls") || has("link") {
            format!("https://sim.aiven.io/{}", &id()[..8])
        } else if n.contains("certificate") || has("cert") || n == "ca" {
            "-----BEGIN CERTIFICATE-----\nc2ltdWxhdGVkIGJ5IGFpdmVuLXNpbQ==\n-----END CERTIFICATE-----\n"
                .into()
        } else if n.contains("password") || n.contains("secret") || n.contains("token") {
            format!("sim{}", &id().replace('-', "")[..24])
        } else if n.contains("cidr") {
            "10.0.0.0/24".into()
        } else if has("ip") || n.ends_with("_ip") || n.contains("ip_address") {
            "192.0.2.10".into()
        } else if n.contains("cloud") {
            "aws-eu-west-1".into()
        } else if has("region") {
            "eu-west-1".into()
        } else if n == "state" || n == "status" {
            "ACTIVE".into()
        } else if n.contains("version") {
            "1".into()
        } else if n.contains("host") {
            "sim.aivencloud.com".into()
        } else if n.contains("currency") {
            "USD".into()
        } else if n.contains("country") {
            "FI".into()
        } else if n.contains("description") || n == "message" || n.contains("comment") {
            "Simulated by aiven-sim".into()
        } else if n.is_empty() {
            "sim".into()
        } else {
            format!("sim-{}", n.replace('_', "-"))
        }
    }
}

/// A number within the schema's bounds: the hint if it fits.
fn number(schema: &Value, name: &str, hint: Option<&Value>, integer: bool) -> Value {
    let f = |k: &str| schema.get(k).and_then(Value::as_f64);
    let lo = f("minimum").or(f("exclusiveMinimum").map(|m| m + 1.0));
    let hi = f("maximum").or(f("exclusiveMaximum").map(|m| m - 1.0));
    let fits = |v: f64| lo.is_none_or(|l| v >= l) && hi.is_none_or(|h| v <= h);
    if let Some(h) = hint.filter(|h| {
        if integer {
            h.is_i64() || h.is_u64()
        } else {
            h.is_number()
        }
    }) {
        if h.as_f64().is_some_and(fits) {
            return h.clone();
        }
    }
    let n = name.to_ascii_lowercase();
    let wanted: f64 = if n.contains("port") {
        443.0
    } else if n.contains("count") || n.contains("total") || n.contains("size") {
        0.0
    } else {
        1.0
    };
    let mut v = wanted;
    if let Some(l) = lo {
        v = v.max(l);
    }
    if let Some(h) = hi {
        v = v.min(h);
    }
    if integer {
        json!(v.ceil() as i64)
    } else {
        json!(v)
    }
}

/// A non-JSON success (`204`, a CSV or PDF download) rendered as declared;
/// `None` for JSON answers, which the server renders and checks.
pub(crate) fn non_json_success(operation_id: &str, body: &Value) -> Option<Response> {
    let op = spec().operation(operation_id)?;
    if op.success.is_json() {
        return None;
    }
    let status = StatusCode::from_u16(op.success.status).unwrap_or(StatusCode::OK);
    let (bytes, media) = match &op.success.media {
        Some(m) if status != StatusCode::NO_CONTENT => (
            body.as_str().unwrap_or_default().as_bytes().to_vec(),
            Some(m.clone()),
        ),
        _ => (Vec::new(), None),
    };
    let mut r = Response::new(Body::from(bytes));
    *r.status_mut() = status;
    if let Some(v) = media.and_then(|m| HeaderValue::from_str(&m).ok()) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(id: &str) -> &'static Model {
        &index()[id]
    }

    #[test]
    fn collections_come_from_the_paths() {
        let create = model("UserGroupCreate");
        assert_eq!(create.role, Role::Create);
        assert_eq!(
            create.collection.as_deref(),
            Some("/organization/{organization_id}/user-groups")
        );
        assert_eq!(create.key, ["user_group_id"]);
        assert!(create.creatable);
        assert_eq!(model("UserGroupsList").role, Role::List);
        assert_eq!(model("UserGroupGet").role, Role::Read);
        assert_eq!(model("UserGroupUpdate").role, Role::Update);
        assert_eq!(model("UserGroupDelete").role, Role::Delete);
        // Plural collection, singular items.
        let c = model("OrganizationBillingGroupCreate");
        assert_eq!(
            c.collection.as_deref(),
            Some("/organization/{organization_id}/billing-group")
        );
        assert_eq!(
            model("OrganizationBillingGroupGet").collection,
            c.collection
        );
        // Read-only collections synthesize what is asked for.
        assert!(!model("BillingGroupInvoiceGet").creatable);
        // Settings and actions.
        assert_eq!(
            model("OrganizationAuthenticationConfigGet").role,
            Role::SettingsRead
        );
        assert_eq!(
            model("OrganizationAuthenticationConfigUpdate").role,
            Role::SettingsWrite
        );
        assert_eq!(model("ServiceQueryStatisticsReset").role, Role::Action);
        assert_eq!(model("ProjectTicketCreate").role, Role::Create);
        assert_eq!(model("ProjectTicketList").role, Role::List);
        assert_eq!(index().len(), spec().operations.len());
    }

    #[test]
    fn keys_from_bodies() {
        let b = json!({"user_group_name": "g", "email": "a@b.c", "database": "d"});
        assert_eq!(
            key_from_body("pool_name", &json!({"pool_name": "p"})).unwrap(),
            "p"
        );
        assert_eq!(key_from_body("group_name", &b).unwrap(), "g");
        assert_eq!(key_from_body("user_email", &b).unwrap(), "a@b.c");
        assert_eq!(key_from_body("database", &b).unwrap(), "d");
        assert!(key_from_body("user_group_id", &b).is_none());
    }

    #[test]
    fn items_and_storage_paths() {
        assert_eq!(
            split_item("/project/{project}/service/{service_name}/mirrormaker/replication-flows/{source_cluster}/{target_cluster}"),
            Some((
                String::from("/project/{project}/service/{service_name}/mirrormaker/replication-flows"),
                vec![String::from("source_cluster"), String::from("target_cluster")]
            ))
        );
        assert_eq!(split_item("/project/{project}/tags"), None);
        let params = [("project".to_string(), "a/b".to_string())].into();
        assert_eq!(fill("/project/{project}/x", &params), "/project/a%2Fb/x");
    }

    #[test]
    fn strings_are_plausible_and_bounded() {
        let s = Synth {
            defs: &spec().raw_definitions,
            now: 0,
            seed: "s".into(),
            list: None,
            required_only: false,
            message: None,
        };
        assert_eq!(s.plausible("create_time"), "1970-01-01T00:00:00Z");
        assert_eq!(s.plausible("id").len(), 36);
        assert_eq!(s.plausible("id"), s.plausible("id"));
        assert!(s.plausible("service_uri").starts_with("https://"));
        assert!(s.plausible("security").starts_with("sim-"));
        assert!(s
            .plausible("certificate")
            .starts_with("-----BEGIN CERTIFICATE-----"));
        assert_eq!(s.plausible("dest_endpoint_id").len(), 36);
        let state = json!({"enum": ["FAILED", "RUNNING"]});
        let mut s = s;
        assert_eq!(s.value(&state, "state", None, &Map::new(), 1), "RUNNING");
        assert_eq!(s.value(&state, "other", None, &Map::new(), 1), "FAILED");
        let echoed = json!({"type": "object", "properties": {"dest_project": {"type": "string"}}});
        let source = json!({"project": "p1"});
        let v = s.value(&echoed, "", Some(&source), &Map::new(), 0);
        assert_eq!(v["dest_project"], "p1");
        let v = s.string(&json!({"maxLength": 3}), "user_group_name", None);
        assert_eq!(v, json!("sim"));
        let v = s.string(&json!({"minLength": 5}), "", None);
        assert_eq!(v, json!("simxx"));
        assert_eq!(
            number(&json!({"minimum": 3, "maximum": 9}), "n", None, true),
            json!(3)
        );
        assert_eq!(
            number(&json!({"maximum": 9}), "n", Some(&json!(12)), true),
            json!(1)
        );
    }
}
