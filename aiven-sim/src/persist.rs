//! `--state FILE`: the state survives a restart.
//!
//! The file is a [redb](https://docs.rs/redb) database: pure Rust (no C
//! toolchain), ACID, crash-safe through copy-on-write B-trees, one file.
//! One table holds the state as records, each a JSON value under its key
//! (`meta`, `p/<project>`, `s/<project>/<service>`, `e/<project>/<event
//! id>`, `g/<collection>`, `o/vpcs`): their format, its version and the
//! migrations from older versions are [`crate::format`]'s. A file of an
//! older version is migrated at start (and written back in the current
//! version); a newer one is refused ([`PersistError::Format`]), the file
//! left as it was.
//!
//! After a change the server writes, in one write transaction, only the
//! records the change touched: the state's maps mark every entry borrowed
//! for changing, inserted or removed (`tracked`), whatever the
//! operation, so a handler cannot change a record that is not saved.
//! Records whose bytes did not change are skipped (a hash of each record
//! on disk is kept). A change costs
//! O(log n) in the number of services, not O(state). Saves happen under
//! the state lock, before the answer: an acknowledged change is on disk
//! (the commit is `fsync`ed), and a change that cannot be saved is rolled
//! back (the state is read back from the database, which still holds the
//! state before the change).
//!
//! A state file of the previous format (one JSON document) is migrated at
//! start: moved aside to `<path>.json.bak` and written into a new database
//! at `<path>`.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::hash::{Hash, Hasher};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use redb::{ReadableDatabase, ReadableTable, TableDefinition};

pub mod integrity;

use crate::format::{
    self, FormatError, ReadError, RecordReader, Snapshot, META, ORGANIZATION_VPCS,
};
use crate::model::{Project, State};
use crate::tracked::{Changed, TrackedMap};

pub(crate) const RECORDS: TableDefinition<&str, &[u8]> = TableDefinition::new("records");

/// A record to write (its bytes and their hash) or to delete.
type Change = (String, Option<(Vec<u8>, u64)>);

/// Errors opening, reading or writing the state file.
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    /// The file cannot be read.
    #[error("cannot read state file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The file cannot be written.
    #[error("cannot write state file {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// A JSON state file (the previous format) is not a state the simulator wrote.
    #[error("state file {path} is not valid: {source}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Why.
        source: serde_json::Error,
    },
    /// The path cannot hold a state database.
    #[error("state file {path} cannot be used: {reason}")]
    Unusable {
        /// The path.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The database refused an operation.
    #[error("state database {path}: {source}")]
    Db {
        /// The file.
        path: PathBuf,
        /// Why.
        source: Box<redb::Error>,
    },
    /// The database is damaged: refused rather than served in part (see
    /// [`integrity`]); the file is left as it was.
    #[error(
        "state database {path} is corrupted: {reason}; {}",
        integrity::WHAT_TO_DO
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The database is of a format version this simulator does not read
    /// (a newer one, or one no simulator wrote); the file is left as it was.
    #[error("state database {path}: {source}")]
    Format {
        /// The file.
        path: PathBuf,
        /// Which version, and why it cannot be read.
        source: FormatError,
    },
    /// A record of the database does not decode.
    #[error("state database {path}: record {key:?} is not valid: {source}")]
    Record {
        /// The file.
        path: PathBuf,
        /// The record.
        key: String,
        /// Why.
        source: serde_json::Error,
    },
}

impl PersistError {
    /// Whether another simulator holds the database open (one in this
    /// process may still be shutting down: [`crate::SimulatorBuilder::start`]
    /// waits a little for it).
    pub fn is_already_open(&self) -> bool {
        matches!(self, Self::Db { source, .. } if matches!(**source, redb::Error::DatabaseAlreadyOpen))
    }
}

/// Reads the state file at `path` (which no running simulator may hold
/// open) as a [`Snapshot`], migrated to the current format version if it
/// is of an older one (the file is not changed); `None` if it does not
/// exist or holds no state yet.
pub fn read_snapshot(path: &Path) -> Result<Option<Snapshot>, PersistError> {
    Ok(Persister::load(path)?.map(|s| Snapshot::of(&s)))
}

/// Writes the state database.
pub(crate) struct Persister {
    path: PathBuf,
    db: redb::Database,
    /// Every record on disk, with the hash of its bytes.
    written: Mutex<BTreeMap<String, u64>>,
    writes: AtomicU64,
    /// Records written or deleted by the last commit.
    last_records: AtomicU64,
    fail_writes: AtomicBool,
}

impl std::fmt::Debug for Persister {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Persister")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn hash(bytes: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

/// The keys of `map` starting with `prefix`.
fn prefixed<'a, V>(map: &'a BTreeMap<String, V>, prefix: &'a str) -> impl Iterator<Item = &'a str> {
    map.range::<str, _>((
        std::ops::Bound::Included(prefix),
        std::ops::Bound::Unbounded,
    ))
    .map(|(k, _)| k.as_str())
    .take_while(move |k| k.starts_with(prefix))
}

/// Every record of a project.
fn project_records(name: &str, p: &mut Project, out: &mut BTreeMap<String, Option<Vec<u8>>>) {
    out.insert(format::project_key(name), Some(format::project_record(p)));
    let prefix = format::services_prefix(name);
    for (s, svc) in &p.services {
        out.insert(format!("{prefix}{s}"), Some(format::service_record(svc)));
    }
    for e in &p.events {
        out.insert(format::event_key(name, e), Some(format::event_record(e)));
    }
}

/// The keys of `map` that may differ from the records under `prefix` on
/// disk: those marked, or, when the whole map was borrowed, every key in
/// the map or on disk.
fn changed_keys<V>(
    map: &TrackedMap<V>,
    written: &BTreeMap<String, u64>,
    prefix: &str,
) -> BTreeSet<String> {
    match map.changed() {
        Changed::None => BTreeSet::new(),
        Changed::Keys(keys) => keys.clone(),
        Changed::All => prefixed(written, prefix)
            .map(|k| k[prefix.len()..].to_string())
            .chain(map.keys().cloned())
            .collect(),
    }
}

/// The records of a project on disk that a change may have touched: its
/// own, its marked services, its new and dropped events.
fn project_changes(
    name: &str,
    p: &mut Project,
    written: &BTreeMap<String, u64>,
    out: &mut BTreeMap<String, Option<Vec<u8>>>,
) {
    out.insert(format::project_key(name), Some(format::project_record(p)));
    let prefix = format::services_prefix(name);
    for s in changed_keys(&p.services, written, &prefix) {
        let svc = p.services.get(&s).map(format::service_record);
        out.insert(format!("{prefix}{s}"), svc);
    }
    // Events never change once logged and are appended in id order: the
    // new ones are at the end, the dropped ones the first on disk.
    let prefix = format::events_prefix(name);
    for e in p.events.iter().rev() {
        let key = format::event_key(name, e);
        if written.contains_key(&key) {
            break;
        }
        out.insert(key, Some(format::event_record(e)));
    }
    let first = p.events.first().map(|e| format::event_key(name, e));
    for k in prefixed(written, &prefix) {
        if first.as_deref().is_some_and(|f| k >= f) {
            break;
        }
        out.insert(k.to_string(), None);
    }
}

/// Forgets the change marks of a saved state.
fn forget_changes(state: &mut State) {
    state.projects.saved(|p| p.services.saved(|_| {}));
    state.generic.saved(|_| {});
    state.organization_vpcs.saved(|_| {});
}

impl Persister {
    /// Opens (or creates) the state database at `path` and reads the state
    /// it holds (`None`: a new database). A JSON state file of the previous
    /// format is migrated (moved to `<path>.json.bak`), a database of an
    /// older format version brought to the current one. Services of types
    /// the catalogue no longer offers are dropped, with a warning; projects
    /// saved without a CA get one; both written back at once.
    pub fn open(path: &Path) -> Result<(Self, Option<State>), PersistError> {
        let unusable = |reason: String| PersistError::Unusable {
            path: path.to_path_buf(),
            reason,
        };
        if path.is_dir() {
            return Err(unusable("it is a directory".into()));
        }
        let mut head = [0u8; 64];
        let head_len = match fs::File::open(path) {
            Ok(mut f) => Some(f.read(&mut head).map_err(|source| PersistError::Read {
                path: path.to_path_buf(),
                source,
            })?),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(source) => {
                return Err(PersistError::Read {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        let looks_json = head_len.is_some_and(|n| {
            head[..n]
                .iter()
                .find(|b| !b.is_ascii_whitespace())
                .is_some_and(|b| *b == b'{')
        });
        if looks_json {
            let (p, state) = migrate(path)?;
            return Ok((p, Some(state)));
        }
        if let Some(n) = head_len.filter(|n| *n > 0) {
            if !head[..n].starts_with(b"redb") {
                return Err(unusable(
                    "it is neither a redb database nor a JSON state file".into(),
                ));
            }
        }
        let p = Self::open_db(path)?;
        let (mut state, version) = match p.read_all()? {
            Some((s, v)) => (Some(s), v),
            None => (None, format::FORMAT_VERSION),
        };
        if let Some(s) = &mut state {
            // An older version is written back in the current one at once.
            let mut changed = version != format::FORMAT_VERSION;
            if changed {
                tracing::info!(
                    path = %path.display(),
                    from = version,
                    to = format::FORMAT_VERSION,
                    "migrated the state file to the current format version"
                );
            }
            for service in s.retire_unknown_types() {
                tracing::warn!(%service, "dropped a service of a retired type from the state file");
                changed = true;
            }
            // Written back at once: a CA must not change with the next restart.
            let cas = s.fill_missing_cas();
            if cas > 0 {
                tracing::info!(projects = cas, "made CAs for projects saved without one");
                changed = true;
            }
            if changed {
                s.revision = s.revision.wrapping_add(1);
                p.save_all(s)?;
                forget_changes(s);
            }
        }
        Ok((p, state))
    }

    fn open_db(path: &Path) -> Result<Self, PersistError> {
        let db_err = |e: redb::Error| PersistError::Db {
            path: path.to_path_buf(),
            source: Box::new(e),
        };
        let db = integrity::open_database(path)?;
        let txn = db.begin_write().map_err(|e| db_err(e.into()))?;
        txn.open_table(RECORDS).map_err(|e| db_err(e.into()))?;
        txn.commit().map_err(|e| db_err(e.into()))?;
        let p = Self {
            path: path.to_path_buf(),
            db,
            written: Mutex::new(BTreeMap::new()),
            writes: AtomicU64::new(0),
            last_records: AtomicU64::new(0),
            fail_writes: AtomicBool::new(false),
        };
        Ok(p)
    }

    /// Reads the state database at `path` (which no running simulator may
    /// hold open); `None` if it does not exist or holds no state yet.
    pub fn load(path: &Path) -> Result<Option<State>, PersistError> {
        if !path.exists() {
            return Ok(None);
        }
        Ok(Self::open_db(path)?.read_all()?.map(|(s, _)| s))
    }

    /// How many changes were written.
    pub fn writes(&self) -> u64 {
        self.writes.load(Ordering::Relaxed)
    }

    /// Makes every following write fail (tests of the rollback).
    #[doc(hidden)]
    pub fn fail_writes(&self, yes: bool) {
        self.fail_writes.store(yes, Ordering::Relaxed);
    }

    fn db_err(&self, e: impl Into<redb::Error>) -> PersistError {
        PersistError::Db {
            path: self.path.clone(),
            source: Box::new(e.into()),
        }
    }

    /// Reads every record back into a state (and remembers what is on
    /// disk), with the format version it was written in; `None` if there
    /// is no state yet. The version is read first: a newer one is refused
    /// before any other record is.
    fn read_all(&self) -> Result<Option<(State, u32)>, PersistError> {
        let txn = self.db.begin_read().map_err(|e| self.db_err(e))?;
        let table = txn.open_table(RECORDS).map_err(|e| self.db_err(e))?;
        let read_error = |e: ReadError| match e {
            ReadError::Record(key, source) => PersistError::Record {
                path: self.path.clone(),
                key,
                source,
            },
            ReadError::Format(source) => PersistError::Format {
                path: self.path.clone(),
                source,
            },
        };
        let version = match table.get(META).map_err(|e| self.db_err(e))? {
            Some(meta) => Some(format::meta_version(meta.value()).map_err(read_error)?),
            None => None,
        };
        let mut reader = version.map(RecordReader::new);
        let mut written = BTreeMap::new();
        for entry in table.iter().map_err(|e| self.db_err(e))? {
            let (k, v) = entry.map_err(|e| self.db_err(e))?;
            let key = k.value();
            let bytes = v.value();
            written.insert(key.to_string(), hash(bytes));
            if let Some(reader) = &mut reader {
                reader.record(key, bytes).map_err(read_error)?;
            }
        }
        let state = match (reader, version) {
            (Some(reader), Some(version)) => Some((reader.finish().map_err(read_error)?, version)),
            _ => None,
        };
        *self.written.lock().expect("persist lock") = written;
        Ok(state)
    }

    /// Writes the records the state marks as changed (see
    /// `crate::tracked`) that differ from what is on disk, in one
    /// transaction, then forgets the marks. On failure nothing was written
    /// and the marks stay.
    pub fn save(&self, state: &mut State) -> Result<(), PersistError> {
        let mut written = self.written.lock().expect("persist lock");
        let mut out: BTreeMap<String, Option<Vec<u8>>> = BTreeMap::new();
        out.insert(META.to_string(), Some(format::meta_record(state)));
        for name in changed_keys(&state.projects, &written, format::PROJECTS_PREFIX) {
            match state.projects.unmarked_mut().get_mut(&name) {
                None => {
                    // Gone: its own record, its services and its events.
                    out.insert(format::project_key(&name), None);
                    for prefix in [format::services_prefix(&name), format::events_prefix(&name)] {
                        for k in prefixed(&written, &prefix) {
                            out.insert(k.to_string(), None);
                        }
                    }
                }
                Some(p) if !written.contains_key(&format::project_key(&name)) => {
                    project_records(&name, p, &mut out);
                }
                Some(p) => project_changes(&name, p, &written, &mut out),
            }
        }
        for c in changed_keys(&state.generic, &written, format::GENERIC_PREFIX) {
            let items = state.generic.get(&c).map(format::generic_record);
            out.insert(format::generic_key(&c), items);
        }
        if state.organization_vpcs.changed() != &Changed::None {
            out.insert(
                ORGANIZATION_VPCS.into(),
                format::organization_vpcs_record(state),
            );
        }
        self.commit(&mut written, out)?;
        forget_changes(state);
        Ok(())
    }

    /// Replaces everything on disk with `state` (reset, restore, load fixes).
    pub fn save_all(&self, state: &State) -> Result<(), PersistError> {
        let mut written = self.written.lock().expect("persist lock");
        let mut state = state.clone();
        let mut out: BTreeMap<String, Option<Vec<u8>>> =
            written.keys().map(|k| (k.clone(), None)).collect();
        out.insert(META.to_string(), Some(format::meta_record(&state)));
        for (name, p) in state.projects.unmarked_mut() {
            project_records(name, p, &mut out);
        }
        for (c, items) in &state.generic {
            out.insert(format::generic_key(c), Some(format::generic_record(items)));
        }
        out.insert(
            ORGANIZATION_VPCS.into(),
            format::organization_vpcs_record(&state),
        );
        self.commit(&mut written, out)
    }

    /// Reads the state on disk back (the rollback of a change that could
    /// not be saved).
    pub fn reload(&self, seed: u64) -> Result<State, PersistError> {
        Ok(self
            .read_all()?
            .map_or_else(|| State::new(seed), |(s, _)| s))
    }

    fn commit(
        &self,
        written: &mut BTreeMap<String, u64>,
        out: BTreeMap<String, Option<Vec<u8>>>,
    ) -> Result<(), PersistError> {
        let changes: Vec<Change> = out
            .into_iter()
            .filter_map(|(k, v)| match v {
                None => written.contains_key(&k).then_some((k, None)),
                Some(bytes) => {
                    let h = hash(&bytes);
                    (written.get(&k) != Some(&h)).then_some((k, Some((bytes, h))))
                }
            })
            .collect();
        if self.fail_writes.load(Ordering::Relaxed) {
            return Err(PersistError::Write {
                path: self.path.clone(),
                source: io::Error::other("writes are made to fail (test)"),
            });
        }
        let txn = self.db.begin_write().map_err(|e| self.db_err(e))?;
        {
            let mut table = txn.open_table(RECORDS).map_err(|e| self.db_err(e))?;
            for (k, v) in &changes {
                match v {
                    Some((bytes, _)) => table.insert(k.as_str(), bytes.as_slice()).map(drop),
                    None => table.remove(k.as_str()).map(drop),
                }
                .map_err(|e| self.db_err(e))?;
            }
        }
        txn.commit().map_err(|e| self.db_err(e))?;
        self.last_records
            .store(changes.len() as u64, Ordering::Relaxed);
        for (k, v) in changes {
            match v {
                Some((_, h)) => written.insert(k, h),
                None => written.remove(&k),
            };
        }
        self.writes.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// Moves a JSON state file (the previous format) to `<path>.json.bak`,
/// writes its state into a new database at `path` and returns both (the
/// persister knowing every record it wrote: a later change that removes
/// one must delete it).
fn migrate(path: &Path) -> Result<(Persister, State), PersistError> {
    let bytes = fs::read(path).map_err(|source| PersistError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let invalid = |source| PersistError::Invalid {
        path: path.to_path_buf(),
        source,
    };
    // A state document of version 1 (or a snapshot of any version read).
    let json = serde_json::from_slice(&bytes).map_err(invalid)?;
    let mut state = Snapshot::from_json(json)
        .map_err(|source| PersistError::Format {
            path: path.to_path_buf(),
            source,
        })?
        .to_state()
        .map_err(invalid)?;
    for service in state.retire_unknown_types() {
        tracing::warn!(%service, "dropped a service of a retired type from the state file");
    }
    state.fill_missing_cas();
    let mut bak = path.as_os_str().to_owned();
    bak.push(".json.bak");
    let bak = PathBuf::from(bak);
    if bak.exists() {
        return Err(PersistError::Unusable {
            path: path.to_path_buf(),
            reason: format!(
                "it is a JSON state file to migrate, but {} already exists",
                bak.display()
            ),
        });
    }
    fs::rename(path, &bak).map_err(|source| PersistError::Write {
        path: path.to_path_buf(),
        source,
    })?;
    let p = match Persister::open_db(path).and_then(|p| p.save_all(&state).map(|()| p)) {
        Ok(p) => p,
        Err(e) => {
            let _ = fs::remove_file(path);
            let _ = fs::rename(&bak, path);
            return Err(e);
        }
    };
    // On disk now: the first change need not compare every record.
    forget_changes(&mut state);
    tracing::info!(
        path = %path.display(),
        backup = %bak.display(),
        "migrated the JSON state file to a redb database; the JSON file was moved aside"
    );
    Ok((p, state))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Event, Service};

    fn service(name: &str) -> Service {
        serde_json::from_value(serde_json::json!({
            "name": name, "service_type": "pg", "plan": "startup-4", "cloud": "do-ams",
            "node_count": 1, "disk_space_mb": 81920, "user_config": {}, "tags": {},
            "termination_protection": false, "project_vpc_id": null,
            "maintenance": {"dow": "sunday", "time": "00:00:00"}, "create_time": 0,
            "update_time": 0, "powered": true, "transition": null, "first_running_ms": 0,
            "port": 1000, "topics": {}, "databases": [], "users": {}
        }))
        .unwrap()
    }

    #[test]
    fn a_change_writes_only_what_it_touched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.redb");
        let (p, loaded) = Persister::open(&path).unwrap();
        assert!(loaded.is_none());
        let mut state = State::new(1);
        let mut project: Project = serde_json::from_value(serde_json::json!({
            "name": "p", "account_id": "a", "organization_id": "o", "billing_group_id": "b",
            "default_cloud": "do-ams", "tags": {}, "billing_emails": [], "tech_emails": [],
            "details": {}, "create_time": 0, "services": {}
        }))
        .unwrap();
        for i in 0..300 {
            project
                .services
                .insert(format!("s{i}"), service(&format!("s{i}")));
        }
        state.projects.insert("p".into(), project);
        p.save_all(&state).unwrap();
        assert_eq!(p.last_records.load(Ordering::Relaxed), 302);

        // A create: meta, the project, the new service.
        state.revision += 1;
        let project = state.projects.get_mut("p").unwrap();
        project.services.insert("new".into(), service("new"));
        p.save(&mut state).unwrap();
        // The project's own record did not change: skipped.
        assert_eq!(p.last_records.load(Ordering::Relaxed), 2);

        // A change to one service: meta and that service.
        state.revision += 1;
        let project = state.projects.get_mut("p").unwrap();
        project.services.get_mut("s7").unwrap().powered = false;
        p.save(&mut state).unwrap();
        assert_eq!(p.last_records.load(Ordering::Relaxed), 2);

        // A delete removes the record.
        state.revision += 1;
        state.projects.get_mut("p").unwrap().services.remove("s8");
        p.save(&mut state).unwrap();
        assert_eq!(p.last_records.load(Ordering::Relaxed), 2);

        // Events: new ones written, the oldest dropped (as the log's cap does).
        let event = |n: u64| -> Event {
            serde_json::from_value(serde_json::json!({
                "id": format!("e{n:08}"), "actor": "a", "event_type": "t",
                "event_desc": "d", "service_name": "", "time": 0
            }))
            .unwrap()
        };
        for batch in [vec![1, 2, 3], vec![4]] {
            state.revision += 1;
            let project = state.projects.get_mut("p").unwrap();
            project.events.extend(batch.into_iter().map(event));
            if project.events.len() > 3 {
                project.events.drain(..1);
            }
            p.save(&mut state).unwrap();
        }
        // meta, e4 written, e1 deleted.
        assert_eq!(p.last_records.load(Ordering::Relaxed), 3);
        drop(p);

        let back = Persister::load(&path).unwrap().unwrap();
        assert_eq!(
            serde_json::to_value(&back).unwrap(),
            serde_json::to_value(&state).unwrap()
        );
    }

    #[test]
    fn a_failed_write_leaves_the_file_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.redb");
        let (p, _) = Persister::open(&path).unwrap();
        let mut state = State::new(1);
        p.save_all(&state).unwrap();
        p.fail_writes(true);
        state.revision = 9;
        assert!(p.save(&mut state).is_err());
        assert_eq!(p.reload(1).unwrap().revision, 0);
    }
}
