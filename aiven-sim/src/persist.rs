//! `--state FILE`: the state survives a restart.
//!
//! After every change the state is serialized (under the state lock, so the
//! snapshot is consistent) and written atomically: to a temporary file in
//! the same directory, `fsync`ed, renamed over the state file, and the
//! directory `fsync`ed. A crash at any point leaves either the old or the
//! new file, never a torn one. Snapshots carry the state's revision and
//! only a newer revision replaces the file, so concurrent writers cannot
//! put an older state back.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::model::State;

/// Errors reading the state file.
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
    /// The file cannot be written (after an upgrade of its contents).
    #[error("cannot write state file {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The file is not a state the simulator wrote.
    #[error("state file {path} is not valid: {source}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Why.
        source: serde_json::Error,
    },
}

/// Writes the state file.
#[derive(Debug)]
pub struct Persister {
    path: PathBuf,
    /// The revision on disk.
    written: Mutex<u64>,
    writes: AtomicU64,
}

impl Persister {
    /// A persister for `path`, whose file holds `revision`.
    pub fn new(path: PathBuf, revision: u64) -> Self {
        Self {
            path,
            written: Mutex::new(revision),
            writes: AtomicU64::new(0),
        }
    }

    /// The state file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many snapshots were written.
    pub fn writes(&self) -> u64 {
        self.writes.load(Ordering::Relaxed)
    }

    /// Reads the state file; `None` if it does not exist. Services of types
    /// the catalogue no longer offers are dropped, with a warning; projects
    /// saved without a CA get one, written back to the file.
    pub fn load(path: &Path) -> Result<Option<State>, PersistError> {
        let bytes = match fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(PersistError::Read {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        let mut state: State =
            serde_json::from_slice(&bytes).map_err(|source| PersistError::Invalid {
                path: path.to_path_buf(),
                source,
            })?;
        for service in state.retire_unknown_types() {
            tracing::warn!(%service, "dropped a service of a retired type from the state file");
        }
        // Written back at once: a CA must not change with the next restart.
        let cas = state.fill_missing_cas();
        if cas > 0 {
            state.revision += 1;
            let bytes = serde_json::to_vec(&state).expect("state serializes");
            write_atomic(path, &bytes).map_err(|source| PersistError::Write {
                path: path.to_path_buf(),
                source,
            })?;
            tracing::info!(projects = cas, "made CAs for projects saved without one");
        }
        Ok(Some(state))
    }

    /// Writes a snapshot of `revision` unless a newer one is on disk.
    /// Blocking: call it from a blocking context.
    pub fn save(&self, revision: u64, bytes: &[u8]) -> io::Result<()> {
        let mut written = self.written.lock().expect("persist lock");
        if revision <= *written {
            return Ok(());
        }
        write_atomic(&self.path, bytes)?;
        *written = revision;
        self.writes.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// Replaces `path` with `bytes` atomically (temp file, fsync, rename, fsync dir).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "state path has no file name"))?
        .to_string_lossy()
        .into_owned();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)?;
        // Make the rename itself durable.
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_replace_and_revisions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        assert!(Persister::load(&path).unwrap().is_none());
        let p = Persister::new(path.clone(), 0);
        let mut s = State::new(1);
        s.revision = 2;
        p.save(2, &serde_json::to_vec(&s).unwrap()).unwrap();
        // An older snapshot arriving late does not replace the newer one.
        let mut old = State::new(1);
        old.revision = 1;
        p.save(1, &serde_json::to_vec(&old).unwrap()).unwrap();
        assert_eq!(Persister::load(&path).unwrap().unwrap().revision, 2);
        assert_eq!(p.writes(), 1);
        // No temporary file is left behind.
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("state.json")]);
    }

    #[test]
    fn a_torn_file_is_reported_not_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        fs::write(&path, b"{\"revision\": 3, \"proj").unwrap();
        assert!(matches!(
            Persister::load(&path),
            Err(PersistError::Invalid { .. })
        ));
    }
}
