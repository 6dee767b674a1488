//! The Karapace schema registry of a Kafka service with
//! `user_config.schema_registry` enabled, and Aiven's schema registry
//! ACLs.
//!
//! Schemas get global ids (from 1) shared by every subject: the same
//! schema registered anywhere gets the same id; registered again under the
//! same subject it is no new version. Versions of a subject count up from
//! 1 and are never reused while the subject exists. Registration checks
//! compatibility with the subject's latest version, at the subject's level
//! (else the global one, `BACKWARD` by default), as Karapace does.

use serde_json::{json, Value};

use super::{add_once, done, service, service_mut, Ctx, Outcome, Req};
use crate::error::ApiError;
use crate::model::{RegisteredSchema, SchemaRegistry, SchemaRegistryAcl, Service, Subject};

const LEVELS: &[&str] = &[
    "BACKWARD",
    "BACKWARD_TRANSITIVE",
    "FORWARD",
    "FORWARD_TRANSITIVE",
    "FULL",
    "FULL_TRANSITIVE",
    "NONE",
];

/// The service, if it is Kafka (ACLs need nothing more).
fn kafka(s: &Service) -> Result<(), ApiError> {
    if s.service_type != "kafka" {
        return Err(ApiError::bad_request(format!(
            "Service type '{}' does not support a schema registry",
            s.service_type
        )));
    }
    if !s.powered {
        return Err(ApiError::not_powered());
    }
    Ok(())
}

/// The service, if its schema registry runs.
fn registry(s: &Service) -> Result<(), ApiError> {
    kafka(s)?;
    if s.user_config.get("schema_registry") != Some(&Value::Bool(true)) {
        return Err(ApiError::bad_request(
            "Schema registry is not enabled on this service: set \
             user_config.schema_registry to true",
        ));
    }
    Ok(())
}

fn subject_not_found(name: &str) -> ApiError {
    ApiError::not_found(format!("Subject '{name}' not found."))
}

fn unprocessable(message: String) -> ApiError {
    ApiError::new(axum::http::StatusCode::UNPROCESSABLE_ENTITY, message)
}

/// The subject named in the path.
fn subject<'s>(r: &'s SchemaRegistry, req: &Req<'_>) -> Result<&'s Subject, ApiError> {
    let name = req.param("subject_name");
    r.subjects.get(name).ok_or_else(|| subject_not_found(name))
}

/// The `(version, schema id)` named by `version_id` (`latest`, `-1` or a
/// number).
fn version_of(sub: &Subject, req: &Req<'_>) -> Result<(u32, u32), ApiError> {
    let v = req.param("version_id");
    let found = match v {
        "latest" | "-1" => sub.versions.last().copied(),
        n => match n.parse::<u32>() {
            Ok(n) if n > 0 => sub.versions.iter().find(|(ver, _)| *ver == n).copied(),
            _ => {
                return Err(unprocessable(format!(
                    "The specified version '{v}' is not a valid version id. Allowed values are \
                     between [1, 2^31-1] and the string \"latest\""
                )))
            }
        },
    };
    found.ok_or_else(|| ApiError::not_found(format!("Version {v} not found.")))
}

/// The schema type of a request (`AVRO` by default).
fn schema_type(req: &Req<'_>) -> String {
    req.body
        .get("schemaType")
        .and_then(Value::as_str)
        .unwrap_or("AVRO")
        .to_string()
}

/// The schema of a request, checked as its type requires (422 if invalid).
fn schema_of(req: &Req<'_>) -> Result<RegisteredSchema, ApiError> {
    let schema = req
        .body
        .get("schema")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let schema_type = schema_type(req);
    let valid = match schema_type.as_str() {
        "AVRO" => match serde_json::from_str::<Value>(&schema) {
            Ok(Value::Object(o)) => o.get("type").is_some(),
            Ok(Value::String(_) | Value::Array(_)) => true,
            _ => false,
        },
        "JSON" => serde_json::from_str::<Value>(&schema).is_ok(),
        _ => schema.contains("message") || schema.contains("syntax"),
    };
    if !valid {
        return Err(unprocessable(format!(
            "Invalid {schema_type} schema. Error: cannot parse the schema"
        )));
    }
    Ok(RegisteredSchema {
        schema,
        schema_type,
        references: req
            .body
            .get("references")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
    })
}

/// The same schema, whatever the whitespace and key order of its JSON.
fn same(a: &RegisteredSchema, b: &RegisteredSchema) -> bool {
    if a.schema_type != b.schema_type || a.references != b.references {
        return false;
    }
    match (
        serde_json::from_str::<Value>(&a.schema),
        serde_json::from_str::<Value>(&b.schema),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => a.schema.trim() == b.schema.trim(),
    }
}

/// The compatibility level of `subject`.
fn level(r: &SchemaRegistry, subject: &str) -> String {
    r.subject_compatibility
        .get(subject)
        .or(r.compatibility.as_ref())
        .cloned()
        .unwrap_or_else(|| "BACKWARD".into())
}

/// Why `reader` cannot read what `writer` wrote: a cheap Avro check (a
/// type changed, or a reader record field the writer lacks has no
/// default). Other schema types are taken as compatible.
fn cannot_read(reader: &Value, writer: &Value, out: &mut Vec<String>) {
    let kind = |v: &Value| match v {
        Value::Object(o) => o.get("type").cloned().unwrap_or(Value::Null),
        other => other.clone(),
    };
    let (rk, wk) = (kind(reader), kind(writer));
    if rk != wk && (rk.is_string() || wk.is_string()) && !(rk == "long" && wk == "int") {
        out.push(format!(
            "reader type: {rk} not compatible with writer type: {wk}"
        ));
        return;
    }
    if rk != "record" {
        return;
    }
    let fields = |v: &Value| {
        v.get("fields")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let (rf, wf) = (fields(reader), fields(writer));
    for f in &rf {
        let name = f.get("name");
        match wf.iter().find(|w| w.get("name") == name) {
            Some(w) => {
                let (rt, wt) = (
                    f.get("type").unwrap_or(&Value::Null),
                    w.get("type").unwrap_or(&Value::Null),
                );
                cannot_read(rt, wt, out);
            }
            None if f.get("default").is_none() => out.push(format!(
                "reader field {} has no default value and is missing in the writer schema",
                name.unwrap_or(&Value::Null)
            )),
            None => {}
        }
    }
}

/// Incompatibilities of `new` against `old` at `level`.
fn incompatibilities(level: &str, new: &RegisteredSchema, old: &RegisteredSchema) -> Vec<String> {
    let mut out = Vec::new();
    if level == "NONE" || new.schema_type != "AVRO" || old.schema_type != "AVRO" {
        return out;
    }
    let (Ok(n), Ok(o)) = (
        serde_json::from_str::<Value>(&new.schema),
        serde_json::from_str::<Value>(&old.schema),
    ) else {
        return out;
    };
    if level.starts_with("BACKWARD") || level.starts_with("FULL") {
        cannot_read(&n, &o, &mut out);
    }
    if level.starts_with("FORWARD") || level.starts_with("FULL") {
        cannot_read(&o, &n, &mut out);
    }
    out
}

/// The versions `new` is checked against at the subject's level: the
/// latest, or all of them when transitive.
fn check_against(r: &SchemaRegistry, subject: &str, new: &RegisteredSchema) -> Vec<String> {
    let level = level(r, subject);
    let Some(sub) = r.subjects.get(subject) else {
        return Vec::new();
    };
    let olds: Vec<u32> = if level.ends_with("_TRANSITIVE") {
        sub.versions.iter().map(|(_, id)| *id).collect()
    } else {
        sub.versions.last().map(|(_, id)| *id).into_iter().collect()
    };
    olds.iter()
        .filter_map(|id| r.schemas.get(id))
        .flat_map(|old| incompatibilities(&level, new, old))
        .collect()
}

/// `ServiceSchemaRegistrySubjects`.
pub fn subjects(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    registry(s)?;
    let names: Vec<&String> = s.schema_registry.subjects.keys().collect();
    Ok(json!({ "subjects": names }))
}

/// `ServiceSchemaRegistrySubjectVersionPost`: the schema's global id; a
/// schema the subject has already is no new version; 409 if incompatible.
pub fn register(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let new = schema_of(req)?;
    let (_, s) = service(ctx.state, req)?;
    registry(s)?;
    let name = req.param("subject_name").to_string();
    let r = &s.schema_registry;
    let existing = r
        .schemas
        .iter()
        .find(|(_, sc)| same(sc, &new))
        .map(|(id, _)| *id);
    if let (Some(id), Some(sub)) = (existing, r.subjects.get(&name)) {
        if sub.versions.iter().any(|(_, i)| *i == id) {
            return Ok(json!({ "id": id }));
        }
    }
    let problems = check_against(r, &name, &new);
    if !problems.is_empty() {
        return Err(ApiError::conflict(format!(
            "Incompatible schema, compatibility_mode={} {}",
            level(r, &name),
            problems.join("; ")
        )));
    }
    let r = &mut service_mut(ctx.state, req)?.schema_registry;
    let id = match existing {
        Some(id) => id,
        None => {
            let id = r.schemas.keys().next_back().map_or(1, |last| last + 1);
            r.schemas.insert(id, new);
            id
        }
    };
    let sub = r.subjects.entry(name).or_default();
    sub.last_version += 1;
    sub.versions.push((sub.last_version, id));
    Ok(json!({ "id": id }))
}

/// `ServiceSchemaRegistrySubjectVersionsGet`.
pub fn versions(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    registry(s)?;
    let sub = subject(&s.schema_registry, req)?;
    let versions: Vec<u32> = sub.versions.iter().map(|(v, _)| *v).collect();
    Ok(json!({ "versions": versions }))
}

/// `ServiceSchemaRegistrySubjectVersionGet`.
pub fn version_get(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    registry(s)?;
    let r = &s.schema_registry;
    let (version, id) = version_of(subject(r, req)?, req)?;
    let sc = &r.schemas[&id];
    let mut v = json!({
        "id": id,
        "schema": sc.schema,
        "subject": req.param("subject_name"),
        "version": version,
    });
    // Karapace names the type only when it is not Avro.
    if sc.schema_type != "AVRO" {
        v["schemaType"] = json!(sc.schema_type);
    }
    if !sc.references.is_empty() {
        v["references"] = json!(sc.references);
    }
    Ok(json!({ "version": v }))
}

/// `ServiceSchemaRegistrySubjectVersionSchemaGet`: the raw schema, as
/// Karapace answers it, when it is a JSON object (an Avro record, a JSON
/// schema); else (an Avro primitive, Protobuf text) `{"schema": TEXT}`,
/// since the description declares an object.
pub fn version_schema_get(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    registry(s)?;
    let r = &s.schema_registry;
    let (_, id) = version_of(subject(r, req)?, req)?;
    let text = &r.schemas[&id].schema;
    match serde_json::from_str::<Value>(text) {
        Ok(raw @ Value::Object(_)) => Ok(raw),
        _ => Ok(json!({ "schema": text })),
    }
}

/// `ServiceSchemaRegistrySchemaGet`: by global id.
pub fn schema_get(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    registry(s)?;
    let raw = req.param("schema_id");
    let sc = raw
        .parse::<u32>()
        .ok()
        .and_then(|id| s.schema_registry.schemas.get(&id))
        .ok_or_else(|| ApiError::not_found(format!("Schema {raw} not found")))?;
    let mut v = json!({ "schema": sc.schema });
    if sc.schema_type != "AVRO" {
        v["schemaType"] = json!(sc.schema_type);
    }
    if !sc.references.is_empty() {
        v["references"] = json!(sc.references);
    }
    Ok(v)
}

/// `ServiceSchemaRegistrySubjectDelete`: the subject and its versions (a
/// subject registered again starts from version 1; schema ids stay).
pub fn subject_delete(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    registry(s)?;
    subject(&s.schema_registry, req)?;
    let r = &mut service_mut(ctx.state, req)?.schema_registry;
    r.subjects.remove(req.param("subject_name"));
    r.subject_compatibility.remove(req.param("subject_name"));
    done("deleted")
}

/// `ServiceSchemaRegistrySubjectVersionDelete`: the subject goes with its
/// last version.
pub fn version_delete(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    registry(s)?;
    let (version, _) = version_of(subject(&s.schema_registry, req)?, req)?;
    let name = req.param("subject_name");
    let r = &mut service_mut(ctx.state, req)?.schema_registry;
    let sub = r.subjects.get_mut(name).expect("checked above");
    sub.versions.retain(|(v, _)| *v != version);
    if sub.versions.is_empty() {
        r.subjects.remove(name);
    }
    done("deleted")
}

/// `ServiceSchemaRegistryCompatibility`: whether the schema could be
/// registered as a version after `version_id` of the subject.
pub fn compatibility(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let new = schema_of(req)?;
    let (_, s) = service(ctx.state, req)?;
    registry(s)?;
    let r = &s.schema_registry;
    let name = req.param("subject_name");
    let (_, id) = version_of(subject(r, req)?, req)?;
    let problems = incompatibilities(&level(r, name), &new, &r.schemas[&id]);
    Ok(json!({ "is_compatible": problems.is_empty(), "messages": problems }))
}

/// `compatibility` of a config body, checked against the levels.
fn level_of(req: &Req<'_>) -> Result<String, ApiError> {
    let l = req
        .body
        .get("compatibility")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !LEVELS.contains(&l) {
        return Err(unprocessable(format!("Invalid compatibility level: {l}")));
    }
    Ok(l.to_string())
}

/// `ServiceSchemaRegistryGlobalConfigGet`.
pub fn global_config_get(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    registry(s)?;
    let l = s
        .schema_registry
        .compatibility
        .as_deref()
        .unwrap_or("BACKWARD");
    Ok(json!({ "compatibilityLevel": l }))
}

/// `ServiceSchemaRegistryGlobalConfigPut`.
pub fn global_config_put(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let l = level_of(req)?;
    let s = service_mut(ctx.state, req)?;
    registry(s)?;
    s.schema_registry.compatibility = Some(l.clone());
    Ok(json!({ "compatibility": l }))
}

/// `ServiceSchemaRegistrySubjectConfigGet`: the subject's own level, else
/// the global one.
pub fn subject_config_get(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    registry(s)?;
    let l = level(&s.schema_registry, req.param("subject_name"));
    Ok(json!({ "compatibilityLevel": l }))
}

/// `ServiceSchemaRegistrySubjectConfigPut`: a subject may be configured
/// before it has versions.
pub fn subject_config_put(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let l = level_of(req)?;
    let name = req.param("subject_name").to_string();
    let s = service_mut(ctx.state, req)?;
    registry(s)?;
    s.schema_registry
        .subject_compatibility
        .insert(name, l.clone());
    Ok(json!({ "compatibility": l }))
}

/// `ServiceSchemaRegistryAclList`.
pub fn acl_list(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let (_, s) = service(ctx.state, req)?;
    kafka(s)?;
    Ok(json!({ "acl": s.schema_registry_acl_json() }))
}

/// `ServiceSchemaRegistryAclAdd`: the same entry twice is kept once; the
/// answer is the whole list. A resource is `Config:` or `Subject:NAME`.
pub fn acl_add(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let resource = req.text("resource");
    if resource != "Config:" && !resource.starts_with("Subject:") {
        return Err(ApiError::bad_request(format!(
            "Invalid resource '{resource}': must be 'Config:' or 'Subject:<subject name>'"
        )));
    }
    let id = format!("acl{}", ctx.state.rng.hex(12));
    let acl = SchemaRegistryAcl {
        id,
        permission: req.text("permission"),
        resource,
        username: req.text("username"),
    };
    let s = service_mut(ctx.state, req)?;
    kafka(s)?;
    add_once(&mut s.schema_registry.acls, acl, |a, b| {
        (&a.permission, &a.resource, &a.username) == (&b.permission, &b.resource, &b.username)
    });
    Ok(json!({ "acl": s.schema_registry_acl_json(), "message": "added" }))
}

/// `ServiceSchemaRegistryAclDelete`: 404 for an unknown id (the defaults
/// cannot be deleted).
pub fn acl_delete(ctx: &mut Ctx<'_>, req: &Req<'_>) -> Outcome {
    let id = req.param("schema_registry_acl_id").to_owned();
    let s = service_mut(ctx.state, req)?;
    kafka(s)?;
    let acls = &mut s.schema_registry.acls;
    let before = acls.len();
    acls.retain(|a| a.id != id);
    if acls.len() == before {
        return Err(ApiError::not_found(format!(
            "ACL entry '{id}' does not exist"
        )));
    }
    Ok(json!({ "acl": s.schema_registry_acl_json(), "message": "deleted" }))
}
