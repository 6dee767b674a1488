//! The simulator's state format: the records of the state file
//! ([`crate::persist`]) and the snapshot of the admin API (`GET`/`PUT
//! /_sim/state`), their version, and the migrations from older versions.
//! This module is the only one that makes or reads record bytes and
//! snapshot envelopes.
//!
//! # Versions
//!
//! | version | state file | snapshot |
//! | --- | --- | --- |
//! | 1 | records without a version (simulators before the format had one) | the bare state document, `{"revision": …, "projects": {…}, …}` |
//! | 2 ([`FORMAT_VERSION`]) | the same records; `meta` says `"format_version": 2` | `{"format": "aiven-sim-snapshot", "version": 2, "state": {…}}` |
//!
//! Both hold the same state document: the snapshot holds it whole, the
//! state file cut into records under their keys:
//!
//! * `meta`: `{"format_version", "revision", "rng"}`;
//! * `p/<project>`: a project without its `services` and `events`;
//! * `s/<project>/<service>`: a service (its topics, users, pools, …);
//! * `e/<project>/<event id>`: an entry of the project's event log;
//! * `g/<collection>`: a collection of the [generic](crate::generic) model;
//! * `o/vpcs`: the organization's VPCs.
//!
//! Older versions are migrated when read: a state file at its next start
//! (written back in the current version), a snapshot when it is restored.
//! A version newer than this simulator's, or one no simulator wrote, is
//! refused with an error that names it (and, for a file, the file, which is
//! left as it was): never read in part or guessed at.
//!
//! # How the format is pinned
//!
//! The state document is the model's serde form (`crate::model`), not a
//! set of record types of its own: mirroring the model's ~40 types in
//! storage types with conversions both ways would be about 1,000 lines
//! that change in lockstep with the model, and would still need a test
//! that they do. Instead the serialized form is pinned: the JSON Schema of
//! the state document and of the `meta` record, generated from the model
//! with `schemars` (descriptions left out: a doc comment is not the
//! format), is committed as `aiven-sim/schema/state-format-v<N>.json`, and
//! a unit test regenerates it and fails when it differs. Renaming,
//! removing, retyping or adding a serialized field therefore fails the
//! test, which says what to do: bump [`FORMAT_VERSION`], add the step from
//! the previous version to `upgrade`, and write the new version's schema
//! (`AIVEN_SIM_WRITE_SCHEMA=1 cargo test -p aiven-sim --lib format::`,
//! which writes a version's schema only if it has none yet: a released
//! version's schema never changes).

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::model::{Event, Project, Service, State, Vpc};
use crate::rng::Rng;

/// The version of the state format this simulator writes (and the newest
/// it reads).
pub const FORMAT_VERSION: u32 = 2;

/// The `format` of a snapshot envelope.
pub const SNAPSHOT_FORMAT: &str = "aiven-sim-snapshot";

/// A state file or snapshot of a version this simulator cannot read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// Written by a newer simulator.
    #[error(
        "format version {found} is newer than this simulator's ({FORMAT_VERSION}): it was \
         written by a newer aiven-sim; use that one (or a newer one) to read it"
    )]
    Newer {
        /// The version found.
        found: u32,
    },
    /// A version no simulator wrote.
    #[error("format version {found} is not one aiven-sim wrote (it writes 1 to {FORMAT_VERSION})")]
    Unknown {
        /// The version found.
        found: u32,
    },
    /// Not a snapshot envelope of this simulator.
    #[error(
        "not an aiven-sim snapshot: expected {{\"format\": \"{SNAPSHOT_FORMAT}\", \"version\": \
         {FORMAT_VERSION}, \"state\": {{…}}}} (or a bare state of version 1): {0}"
    )]
    Envelope(String),
    /// Migrated from an older version, the state does not decode.
    #[error(
        "the state of format version {from}, migrated to {FORMAT_VERSION}, is not valid: {source}"
    )]
    Migrated {
        /// The version it was written in.
        from: u32,
        /// Why.
        source: serde_json::Error,
    },
}

/// Checks that `version` can be read (migrated if older).
fn readable(version: u32) -> Result<(), FormatError> {
    match version {
        0 => Err(FormatError::Unknown { found: version }),
        v if v > FORMAT_VERSION => Err(FormatError::Newer { found: version }),
        _ => Ok(()),
    }
}

/// Brings a state document of version `from` to [`FORMAT_VERSION`], one
/// version at a time. Each step is the change of one version bump.
fn upgrade(from: u32, doc: &mut Value) -> Result<(), FormatError> {
    readable(from)?;
    for version in from..FORMAT_VERSION {
        match version {
            // 1 → 2: the version was recorded; the document is the same.
            // (A later step changes `doc` in place.)
            1 => {
                let _unchanged: &mut Value = doc;
            }
            _ => unreachable!("a migration from every version below FORMAT_VERSION"),
        }
    }
    Ok(())
}

/// A migrated document as a state.
fn decode_migrated(from: u32, mut doc: Value) -> Result<State, FormatError> {
    upgrade(from, &mut doc)?;
    serde_json::from_value(doc).map_err(|source| FormatError::Migrated { from, source })
}

// ---------------------------------------------------------------- snapshot

/// The state as the admin API shows and takes it (`GET`/`PUT /_sim/state`,
/// [`crate::SimHandle::snapshot`] and [`restore`](crate::SimHandle::restore)):
/// as JSON, the envelope
/// `{"format": "aiven-sim-snapshot", "version": 2, "state": {…}}`.
///
/// The state document is the one the state file holds in records (see the
/// [module](self) docs): `revision`, `rng`, `projects` (each with its
/// `services`, `integrations`, `endpoints`, `vpcs`, `ca` and `events`),
/// `generic` and `organization_vpcs`. A snapshot read with
/// [`from_json`](Self::from_json) is brought to the current version; what
/// its state holds is checked when it is restored (as intake would: 400
/// naming the field).
///
/// ```
/// use aiven_sim::Snapshot;
/// use serde_json::json;
///
/// // Version 1, the bare state an older simulator's `GET /_sim/state` sent:
/// let old = json!({"revision": 3, "rng": 7, "projects": {}});
/// let snapshot = Snapshot::from_json(old).unwrap();
/// assert_eq!(snapshot.revision(), 3);
/// let json = snapshot.to_json();
/// assert_eq!(json["format"], "aiven-sim-snapshot");
/// assert_eq!(json["version"], 2);
/// assert!(Snapshot::from_json(json!({"format": "aiven-sim-snapshot", "version": 99, "state": {}})).is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// The state document, of [`FORMAT_VERSION`].
    state: Value,
}

impl Snapshot {
    /// The snapshot of a state.
    pub(crate) fn of(state: &State) -> Self {
        Self {
            state: serde_json::to_value(state).expect("state serializes"),
        }
    }

    /// The state it holds.
    pub(crate) fn to_state(&self) -> Result<State, serde_json::Error> {
        State::deserialize(&self.state)
    }

    /// Reads a snapshot: the current envelope, an envelope of an older
    /// version, or a bare state document (version 1, what simulators sent
    /// before the envelope), migrated to the current version. A newer or
    /// unknown version, another `format`, or a body that is none of these
    /// is refused.
    pub fn from_json(json: Value) -> Result<Self, FormatError> {
        let (version, mut state) = match json {
            Value::Object(mut envelope) if envelope.contains_key("format") => {
                let format = envelope.remove("format").unwrap_or_default();
                if format != SNAPSHOT_FORMAT {
                    return Err(FormatError::Envelope(format!("format is {format}")));
                }
                let version = envelope
                    .remove("version")
                    .as_ref()
                    .and_then(Value::as_u64)
                    .ok_or_else(|| {
                        FormatError::Envelope("\"version\" is not a whole number".into())
                    })?;
                let version = u32::try_from(version).unwrap_or(u32::MAX);
                readable(version)?;
                let state = envelope.remove("state").unwrap_or_default();
                if let Some(extra) = envelope.keys().next() {
                    return Err(FormatError::Envelope(format!("unknown field {extra:?}")));
                }
                (version, state)
            }
            state => (1, state),
        };
        if !state.is_object() {
            return Err(FormatError::Envelope("the state is not an object".into()));
        }
        upgrade(version, &mut state)?;
        Ok(Self { state })
    }

    /// The envelope, `{"format", "version", "state"}`.
    pub fn to_json(&self) -> Value {
        self.clone().into_json()
    }

    /// The envelope, `{"format", "version", "state"}`.
    pub fn into_json(self) -> Value {
        serde_json::json!({
            "format": SNAPSHOT_FORMAT,
            "version": FORMAT_VERSION,
            "state": self.state,
        })
    }

    /// The state document.
    pub fn state(&self) -> &Value {
        &self.state
    }

    /// The state document, to change before a
    /// [`restore`](crate::SimHandle::restore) (checked then).
    pub fn state_mut(&mut self) -> &mut Value {
        &mut self.state
    }

    /// The revision: incremented by every change.
    pub fn revision(&self) -> u64 {
        self.state["revision"].as_u64().unwrap_or(0)
    }

    /// The projects' names, sorted.
    pub fn projects(&self) -> Vec<&str> {
        self.state["projects"]
            .as_object()
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    /// A project (its `services` and `events` included).
    pub fn project(&self, name: &str) -> Option<&Value> {
        self.state["projects"].get(name)
    }

    /// A service of a project.
    pub fn service(&self, project: &str, name: &str) -> Option<&Value> {
        self.project(project)?["services"].get(name)
    }
}

impl Serialize for Snapshot {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Snapshot {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::from_json(Value::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------- records

/// The key of the `meta` record.
pub(crate) const META: &str = "meta";
/// The key of the organization's VPCs.
pub(crate) const ORGANIZATION_VPCS: &str = "o/vpcs";

/// The prefix of the keys of projects' own records.
pub(crate) const PROJECTS_PREFIX: &str = "p/";
/// The prefix of the keys of generic collections.
pub(crate) const GENERIC_PREFIX: &str = "g/";

/// The key of a project's own record.
pub(crate) fn project_key(project: &str) -> String {
    format!("{PROJECTS_PREFIX}{project}")
}

/// The prefix of the keys of a project's services.
pub(crate) fn services_prefix(project: &str) -> String {
    format!("s/{project}/")
}

/// The prefix of the keys of a project's events (ids sort oldest first).
pub(crate) fn events_prefix(project: &str) -> String {
    format!("e/{project}/")
}

/// The key of an event.
pub(crate) fn event_key(project: &str, event: &Event) -> String {
    format!("e/{project}/{}", event.id)
}

/// The key of a generic collection.
pub(crate) fn generic_key(collection: &str) -> String {
    format!("{GENERIC_PREFIX}{collection}")
}

/// The `meta` record.
#[derive(Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
struct Meta {
    /// Absent before version 2.
    #[serde(default = "version_1")]
    format_version: u32,
    revision: u64,
    rng: Rng,
}

fn version_1() -> u32 {
    1
}

fn to_bytes<T: Serialize + ?Sized>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).expect("state serializes")
}

/// The `meta` record of a state.
pub(crate) fn meta_record(state: &State) -> Vec<u8> {
    to_bytes(&Meta {
        format_version: FORMAT_VERSION,
        revision: state.revision,
        rng: state.rng.clone(),
    })
}

/// A project's own record: without its services and events.
pub(crate) fn project_record(p: &mut Project) -> Vec<u8> {
    let services = std::mem::take(&mut p.services);
    let events = std::mem::take(&mut p.events);
    let bytes = to_bytes(p);
    p.services = services;
    p.events = events;
    bytes
}

/// A service's record.
pub(crate) fn service_record(s: &Service) -> Vec<u8> {
    to_bytes(s)
}

/// An event's record.
pub(crate) fn event_record(e: &Event) -> Vec<u8> {
    to_bytes(e)
}

/// A generic collection's record.
pub(crate) fn generic_record(items: &BTreeMap<String, Value>) -> Vec<u8> {
    to_bytes(items)
}

/// The organization VPCs' record (none while there are none).
pub(crate) fn organization_vpcs_record(state: &State) -> Option<Vec<u8>> {
    (!state.organization_vpcs.is_empty()).then(|| to_bytes(&state.organization_vpcs))
}

/// Why the records do not make a state.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// A record does not decode.
    Record(String, serde_json::Error),
    /// The version cannot be read, or the migrated state does not decode.
    Format(FormatError),
}

/// The format version of a `meta` record (before anything else is read:
/// the other records of a newer version may mean something else).
pub(crate) fn meta_version(meta: &[u8]) -> Result<u32, ReadError> {
    #[derive(Deserialize)]
    struct Version {
        #[serde(default = "version_1")]
        format_version: u32,
    }
    let v: Version = serde_json::from_slice(meta).map_err(|e| ReadError::Record(META.into(), e))?;
    readable(v.format_version).map_err(ReadError::Format)?;
    Ok(v.format_version)
}

/// Reads the records of a state file whose `meta` says `version`.
pub(crate) struct RecordReader {
    version: u32,
    meta: Option<Meta>,
    projects: BTreeMap<String, Project>,
    services: Vec<(String, String, Service)>,
    events: Vec<(String, Event)>,
    generic: BTreeMap<String, BTreeMap<String, Value>>,
    organization_vpcs: BTreeMap<String, Vpc>,
    /// An older version's records, as JSON, to migrate.
    old: Vec<(String, Value)>,
}

impl RecordReader {
    /// A reader of records of `version` (see [`meta_version`]).
    pub(crate) fn new(version: u32) -> Self {
        Self {
            version,
            meta: None,
            projects: BTreeMap::new(),
            services: Vec::new(),
            events: Vec::new(),
            generic: BTreeMap::new(),
            organization_vpcs: BTreeMap::new(),
            old: Vec::new(),
        }
    }

    /// Takes the record `key` (records are read in key order).
    pub(crate) fn record(&mut self, key: &str, bytes: &[u8]) -> Result<(), ReadError> {
        let bad = |e| ReadError::Record(key.to_string(), e);
        if self.version != FORMAT_VERSION {
            let value = serde_json::from_slice(bytes).map_err(bad)?;
            self.old.push((key.to_string(), value));
            return Ok(());
        }
        if key == META {
            self.meta = Some(serde_json::from_slice(bytes).map_err(bad)?);
        } else if let Some(name) = key.strip_prefix("p/") {
            let project = serde_json::from_slice(bytes).map_err(bad)?;
            self.projects.insert(name.to_string(), project);
        } else if let Some(rest) = key.strip_prefix("s/") {
            let (p, s) = rest.split_once('/').unwrap_or((rest, ""));
            let svc = serde_json::from_slice(bytes).map_err(bad)?;
            self.services.push((p.to_string(), s.to_string(), svc));
        } else if let Some(rest) = key.strip_prefix("e/") {
            let (p, _) = rest.split_once('/').unwrap_or((rest, ""));
            let event = serde_json::from_slice(bytes).map_err(bad)?;
            self.events.push((p.to_string(), event));
        } else if key == ORGANIZATION_VPCS {
            self.organization_vpcs = serde_json::from_slice(bytes).map_err(bad)?;
        } else if let Some(c) = key.strip_prefix("g/") {
            let items = serde_json::from_slice(bytes).map_err(bad)?;
            self.generic.insert(c.to_string(), items);
        }
        Ok(())
    }

    /// The state the records hold (migrated if of an older version).
    pub(crate) fn finish(self) -> Result<State, ReadError> {
        if self.version != FORMAT_VERSION {
            let doc = document(self.old);
            return decode_migrated(self.version, doc).map_err(ReadError::Format);
        }
        let Some(meta) = self.meta else {
            let e = serde::de::Error::custom("missing");
            return Err(ReadError::Record(META.into(), e));
        };
        let mut projects = self.projects;
        let mut services: BTreeMap<String, BTreeMap<String, Service>> = BTreeMap::new();
        for (p, s, svc) in self.services {
            services.entry(p).or_default().insert(s, svc);
        }
        for (p, held) in services {
            if let Some(project) = projects.get_mut(&p) {
                // Read from disk: nothing to save, no change marks.
                project.services = held.into();
            }
        }
        // Keys sort events by id, i.e. oldest first.
        for (p, e) in self.events {
            if let Some(project) = projects.get_mut(&p) {
                project.events.push(e);
            }
        }
        Ok(State {
            revision: meta.revision,
            projects: projects.into(),
            rng: meta.rng,
            generic: self.generic.into(),
            organization_vpcs: self.organization_vpcs.into(),
        })
    }
}

/// The state document that records of versions 1 and 2 hold (in key
/// order). A later version that lays out its records otherwise reads its
/// own way here.
fn document(records: Vec<(String, Value)>) -> Value {
    let mut doc = Map::new();
    let mut projects = Map::new();
    let mut generic = Map::new();
    let mut services: Vec<(String, String, Value)> = Vec::new();
    let mut events: Vec<(String, Value)> = Vec::new();
    for (key, value) in records {
        if key == META {
            if let Value::Object(meta) = value {
                doc.extend(meta.into_iter().filter(|(k, _)| k != "format_version"));
            }
        } else if let Some(name) = key.strip_prefix("p/") {
            projects.insert(name.to_string(), value);
        } else if let Some(rest) = key.strip_prefix("s/") {
            let (p, s) = rest.split_once('/').unwrap_or((rest, ""));
            services.push((p.to_string(), s.to_string(), value));
        } else if let Some(rest) = key.strip_prefix("e/") {
            let (p, _) = rest.split_once('/').unwrap_or((rest, ""));
            events.push((p.to_string(), value));
        } else if key == ORGANIZATION_VPCS {
            doc.insert("organization_vpcs".into(), value);
        } else if let Some(c) = key.strip_prefix("g/") {
            generic.insert(c.to_string(), value);
        }
    }
    for (p, s, svc) in services {
        if let Some(Value::Object(project)) = projects.get_mut(&p) {
            let held = project
                .entry("services")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(held) = held {
                held.insert(s, svc);
            }
        }
    }
    for (p, e) in events {
        if let Some(Value::Object(project)) = projects.get_mut(&p) {
            let held = project
                .entry("events")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(held) = held {
                held.push(e);
            }
        }
    }
    doc.insert("projects".into(), Value::Object(projects));
    if !generic.is_empty() {
        doc.insert("generic".into(), Value::Object(generic));
    }
    Value::Object(doc)
}

#[cfg(test)]
pub(crate) mod tests {
    use std::path::{Path, PathBuf};

    use serde_json::json;

    use super::*;
    use crate::persist::{PersistError, Persister, RECORDS};

    /// A state with something in every part of the format: two projects
    /// (with their CAs; one with services of two types, topics, users, a pool, an
    /// integration, an endpoint, a VPC with a peering, events), a generic
    /// collection and an organization VPC.
    pub(crate) fn populated() -> State {
        let service = |name: &str, service_type: &str, plan: &str| {
            json!({
                "name": name, "service_type": service_type, "plan": plan, "cloud": "do-ams",
                "node_count": 1, "disk_space_mb": 81920, "user_config": {"pg_version": "17"},
                "tags": {"team": "a"}, "termination_protection": false, "project_vpc_id": null,
                "maintenance": {"dow": "sunday", "time": "00:00:00"}, "create_time": 1000,
                "update_time": 2000, "powered": true,
                "transition": {"state": "REBUILDING", "started_ms": 1000, "done_ms": 5000,
                               "previous_nodes": 0},
                "first_running_ms": 5000, "port": 12691,
                "topics": {}, "databases": ["defaultdb"],
                "users": {"avnadmin": {"username": "avnadmin", "password": "pw", "primary": true,
                                       "authentication": null, "access_control": null}},
            })
        };
        let mut pg = service("pg1", "pg", "startup-4");
        pg["pools"] = json!({"pool1": {"name": "pool1", "database": "defaultdb",
                                       "username": null, "mode": "transaction", "size": 10}});
        let mut kafka = service("kafka1", "kafka", "startup-2");
        kafka["topics"] = json!({"t1": {
            "name": "t1", "partitions": 3, "replication": 2, "min_insync_replicas": 1,
            "retention_bytes": -1, "retention_hours": 168, "cleanup_policy": "delete",
            "tags": [], "config": {}, "ready_ms": 3000}});
        kafka["kafka_acls"] = json!([{"id": "acl1", "permission": "read", "topic": "t*",
                                      "username": "u*"}]);
        let vpc = json!({"id": "vpc1", "cloud_name": "do-ams", "network_cidr": "10.0.0.0/24",
            "create_time": 1, "update_time": 2, "active_ms": 3, "deleted_ms": null,
            "peerings": [{"id": "peer1", "peer_cloud_account": "123", "peer_vpc": "v",
                "peer_region": null, "peer_resource_group": "", "peer_azure_app_id": "",
                "peer_azure_tenant_id": "", "user_peer_network_cidrs": [], "create_time": 1,
                "pending_ms": 2, "active_ms": 3, "deleted_ms": null}]});
        let project = |name: &str| {
            json!({
                "name": name, "account_id": "a1", "organization_id": "org1",
                "billing_group_id": "b1", "default_cloud": "do-ams", "tags": {},
                "billing_emails": [], "tech_emails": [], "details": {}, "create_time": 10,
                "services": {}, "event_serial": 2,
                "events": [
                    {"id": "e00000001", "actor": "a", "event_type": "service_create",
                     "event_desc": "d", "service_name": "pg1", "time": 1000},
                    {"id": "e00000002", "actor": "a", "event_type": "service_create",
                     "event_desc": "d", "service_name": "kafka1", "time": 1001},
                ],
            })
        };
        let mut p = project("p");
        p["services"] = json!({"pg1": pg, "kafka1": kafka});
        p["integrations"] = json!({"i1": {"id": "i1", "integration_type": "metrics",
            "source_project": "p", "source_service": "pg1", "source_service_type": "pg",
            "source_endpoint_id": null, "dest_project": "p", "dest_service": "kafka1",
            "dest_service_type": "kafka", "dest_endpoint_id": null, "user_config": {},
            "create_time": 1, "ready_ms": 2}});
        p["endpoints"] = json!({"ep1": {"id": "ep1", "name": "ext", "endpoint_type": "rsyslog",
                                        "user_config": {"server": "h"}}});
        p["vpcs"] = json!({"vpc1": vpc.clone()});
        let mut org_vpc = vpc;
        org_vpc["id"] = json!("ovpc1");
        org_vpc["display_name"] = json!("shared");
        let mut state: State = serde_json::from_value(json!({
            "revision": 42, "rng": 99,
            "projects": {"p": p, "q": project("q")},
            "generic": {"/organization/org1/user-groups": {"ug1": {"name": "g"}}},
            "organization_vpcs": {"ovpc1": org_vpc},
        }))
        .expect("a state");
        for name in ["p", "q"] {
            state.projects.get_mut(name).unwrap().ca = Some(crate::kms::ProjectCa::generate(name));
        }
        state
    }

    fn json_of(state: &State) -> Value {
        serde_json::to_value(state).unwrap()
    }

    /// Writes a state file record by record, as given.
    fn write_records(path: &Path, records: &[(&str, Value)]) {
        let db = redb::Database::create(path).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let mut table = txn.open_table(RECORDS).unwrap();
            for (k, v) in records {
                table
                    .insert(*k, serde_json::to_vec(v).unwrap().as_slice())
                    .unwrap();
            }
        }
        txn.commit().unwrap();
    }

    /// The record `key` of a state file.
    fn read_record(path: &Path, key: &str) -> Option<Value> {
        use redb::ReadableDatabase;
        let db = redb::Database::create(path).unwrap();
        let txn = db.begin_read().unwrap();
        let table = txn.open_table(RECORDS).unwrap();
        let v = table.get(key).unwrap()?;
        Some(serde_json::from_slice(v.value()).unwrap())
    }

    /// The records a version 1 simulator wrote for [`populated`]: no
    /// `format_version` in `meta`, the rest as today.
    fn version_1_records(state: &State) -> Vec<(String, Value)> {
        let doc = json_of(state);
        let mut records = vec![(
            "meta".to_string(),
            json!({"revision": doc["revision"], "rng": doc["rng"]}),
        )];
        for (name, p) in doc["projects"].as_object().unwrap() {
            let mut shell = p.clone();
            shell["services"] = json!({});
            shell["events"] = json!([]);
            records.push((format!("p/{name}"), shell));
            for (s, svc) in p["services"].as_object().unwrap() {
                records.push((format!("s/{name}/{s}"), svc.clone()));
            }
            for e in p["events"].as_array().unwrap() {
                records.push((format!("e/{name}/{}", e["id"].as_str().unwrap()), e.clone()));
            }
        }
        for (c, items) in doc["generic"].as_object().unwrap() {
            records.push((format!("g/{c}"), items.clone()));
        }
        records.push(("o/vpcs".to_string(), doc["organization_vpcs"].clone()));
        records
    }

    fn temp_file(dir: &tempfile::TempDir) -> PathBuf {
        dir.path().join("state.redb")
    }

    #[test]
    fn a_populated_state_round_trips_through_the_file_and_the_snapshot() {
        let state = populated();
        let dir = tempfile::tempdir().unwrap();
        let path = temp_file(&dir);
        let (p, loaded) = Persister::open(&path).unwrap();
        assert!(loaded.is_none());
        p.save_all(&state).unwrap();
        drop(p);
        assert_eq!(
            read_record(&path, META).unwrap()["format_version"],
            FORMAT_VERSION,
            "the file records its version"
        );
        let back = Persister::load(&path).unwrap().unwrap();
        assert_eq!(json_of(&back), json_of(&state));
        assert_eq!(
            back.projects["p"].services["kafka1"].topics["t1"].partitions,
            3
        );
        assert_eq!(back.projects["p"].events.len(), 2);

        let snapshot = Snapshot::of(&state);
        assert_eq!(snapshot.revision(), 42);
        assert_eq!(snapshot.projects(), ["p", "q"]);
        assert_eq!(snapshot.service("p", "pg1").unwrap()["plan"], "startup-4");
        let envelope = snapshot.to_json();
        assert_eq!(envelope["format"], SNAPSHOT_FORMAT);
        assert_eq!(envelope["version"], FORMAT_VERSION);
        let again = Snapshot::from_json(envelope).unwrap();
        assert_eq!(again, snapshot);
        assert_eq!(json_of(&again.to_state().unwrap()), json_of(&state));
    }

    #[test]
    fn a_version_1_file_is_migrated_and_written_back_in_the_current_version() {
        let state = populated();
        let dir = tempfile::tempdir().unwrap();
        let path = temp_file(&dir);
        let records = version_1_records(&state);
        let borrowed: Vec<(&str, Value)> = records
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        write_records(&path, &borrowed);
        assert_eq!(
            read_record(&path, META).unwrap().get("format_version"),
            None
        );

        // Read without changing the file: the same state.
        let read = Persister::load(&path).unwrap().unwrap();
        assert_eq!(json_of(&read), json_of(&state));
        assert_eq!(
            read_record(&path, META).unwrap().get("format_version"),
            None
        );

        // Opened: migrated and written back (revision moved on).
        let (p, opened) = Persister::open(&path).unwrap();
        let opened = opened.unwrap();
        assert_eq!(opened.revision, 43);
        let mut expected = json_of(&state);
        expected["revision"] = json!(43);
        assert_eq!(json_of(&opened), expected);
        drop(p);
        assert_eq!(
            read_record(&path, META).unwrap(),
            json!({"format_version": FORMAT_VERSION, "revision": 43, "rng": 99})
        );
        let again = Persister::load(&path).unwrap().unwrap();
        assert_eq!(json_of(&again), expected);
    }

    #[test]
    fn a_newer_or_unknown_version_is_refused_naming_the_file_and_the_version() {
        for (version, says) in [
            (FORMAT_VERSION + 1, "is newer than this simulator's"),
            (0, "is not one aiven-sim wrote"),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let path = temp_file(&dir);
            // Records the current version cannot decode: the version is
            // what is refused, before them.
            let meta = json!({"format_version": version, "revision": 1, "rng": 1, "clock": {}});
            write_records(
                &path,
                &[("meta", meta.clone()), ("p/p", json!({"renamed": true}))],
            );
            let err = Persister::open(&path).unwrap_err();
            assert!(matches!(err, PersistError::Format { .. }), "{err:?}");
            let message = err.to_string();
            assert!(message.contains(&path.display().to_string()), "{message}");
            assert!(
                message.contains(&format!("format version {version} {says}")),
                "{message}"
            );
            assert!(Persister::load(&path).is_err());
            // Left as it was.
            assert_eq!(read_record(&path, META).unwrap(), meta);
            assert_eq!(read_record(&path, "p/p").unwrap(), json!({"renamed": true}));
        }
    }

    #[test]
    fn a_bare_version_1_snapshot_is_migrated_and_unknown_ones_are_refused() {
        let state = populated();
        let bare = json_of(&state);
        let migrated = Snapshot::from_json(bare.clone()).unwrap();
        assert_eq!(migrated.state(), &bare);
        assert_eq!(migrated.to_json()["version"], FORMAT_VERSION);
        // An envelope of version 1 too.
        let v1 = json!({"format": SNAPSHOT_FORMAT, "version": 1, "state": bare});
        assert_eq!(Snapshot::from_json(v1).unwrap(), migrated);
        // Serde goes through the envelope.
        let text = serde_json::to_string(&migrated).unwrap();
        assert_eq!(serde_json::from_str::<Snapshot>(&text).unwrap(), migrated);

        let refused = |v: Value| Snapshot::from_json(v).unwrap_err().to_string();
        let newer = refused(json!({"format": SNAPSHOT_FORMAT, "version": 3, "state": {}}));
        assert!(newer.contains("format version 3 is newer"), "{newer}");
        let zero = refused(json!({"format": SNAPSHOT_FORMAT, "version": 0, "state": {}}));
        assert!(
            zero.contains("format version 0 is not one aiven-sim wrote"),
            "{zero}"
        );
        let other = refused(json!({"format": "terraform-state", "version": 2, "state": {}}));
        assert!(other.contains("format is \"terraform-state\""), "{other}");
        let no_version = refused(json!({"format": SNAPSHOT_FORMAT, "state": {}}));
        assert!(
            no_version.contains("\"version\" is not a whole number"),
            "{no_version}"
        );
        let extra = refused(json!({"format": SNAPSHOT_FORMAT, "version": 2, "state": {}, "x": 1}));
        assert!(extra.contains("unknown field \"x\""), "{extra}");
        let not_state = refused(json!("nope"));
        assert!(
            not_state.contains("the state is not an object"),
            "{not_state}"
        );
    }

    /// The JSON Schema of the serialized format: the state document and
    /// the `meta` record, without descriptions (doc comments are not the
    /// format), in a canonical order: keys sorted, and the sets `required`
    /// and `enum` too (in a workspace build serde_json and schemars keep
    /// insertion order, `preserve_order`; alone they sort).
    fn format_schema() -> Value {
        fn canonical(v: Value) -> Value {
            match v {
                Value::Object(m) => {
                    let mut sorted: Vec<(String, Value)> = m
                        .into_iter()
                        .filter(|(k, v)| {
                            !(matches!(k.as_str(), "description" | "title") && v.is_string())
                        })
                        .map(|(k, v)| {
                            let mut v = canonical(v);
                            if let (Value::Array(a), "required" | "enum") = (&mut v, k.as_str()) {
                                a.sort_by_key(Value::to_string);
                            }
                            (k, v)
                        })
                        .collect();
                    sorted.sort_by(|a, b| a.0.cmp(&b.0));
                    Value::Object(sorted.into_iter().collect())
                }
                Value::Array(a) => Value::Array(a.into_iter().map(canonical).collect()),
                v => v,
            }
        }
        canonical(json!({
            "format_version": FORMAT_VERSION,
            "state": schemars::schema_for!(State),
            "meta_record": schemars::schema_for!(Meta),
        }))
    }

    /// Any change to what is serialized (a field renamed, removed, added or
    /// retyped) changes the schema: this fails until the version is bumped
    /// and the new version's schema written.
    #[test]
    fn the_serialized_format_is_pinned_by_its_schema() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
        let file = dir.join(format!("state-format-v{FORMAT_VERSION}.json"));
        let now = serde_json::to_string_pretty(&format_schema()).unwrap() + "\n";
        let how = "AIVEN_SIM_WRITE_SCHEMA=1 cargo test -p aiven-sim --lib format::";
        let committed = std::fs::read_to_string(&file).ok();
        if committed.is_none() && std::env::var_os("AIVEN_SIM_WRITE_SCHEMA").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&file, &now).unwrap();
            return;
        }
        let Some(committed) = committed else {
            panic!(
                "{} is missing: the schema of format version {FORMAT_VERSION} was never \
                 written; write it with `{how}` and commit it",
                file.display()
            );
        };
        assert!(
            committed == now,
            "the serialized state format (aiven-sim/src/model.rs and the types it holds) no \
             longer matches {}: saved state files and snapshots of version {FORMAT_VERSION} \
             would be misread. Bump FORMAT_VERSION in aiven-sim/src/format.rs, add the \
             migration from version {FORMAT_VERSION} to `upgrade` there (and a test reading \
             a file of the old version), then write the new version's schema with `{how}` \
             and commit it (keep the old version's file). If the change was not meant to \
             change the format, undo it.",
            file.display()
        );
    }
}
