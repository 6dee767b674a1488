//! Opening the state database so that a damaged file is refused, never
//! served in part, and never readable by other users.
//!
//! Before this, redb's plain open trusted a cleanly closed file. Each
//! 4 KiB page zeroed in turn after a clean stop, then a start: with the
//! release binary (issue 18), 8 of 35 starts served a state with services
//! missing and no warning, and refusals were panics (`Malformed allocator
//! state`, exit 101); in a debug build (`tests/suite/hardening.rs`, 20 pages)
//! 14 starts panicked on redb's assertions. Hence:
//!
//! * the database is opened with redb's integrity check
//!   ([`redb::Builder::set_check_integrity_on_open`]): the checksum of
//!   every page of the committed trees is verified (a zeroed page fails
//!   its parent's checksum) and the allocator state is rebuilt from the
//!   trees instead of being read;
//! * a newest commit that fails its checksums is never rolled back to the
//!   one before: redb would do so silently (that is how it recovers from a
//!   commit torn by a power loss), but after a clean stop it drops an
//!   acknowledged change, so the repair is aborted and the start refused;
//! * a panic inside redb (a corruption it asserts on) is caught and
//!   refused like any other corruption;
//! * the file is created `0600` (it holds the services' passwords); an
//!   existing file open to others is narrowed to `0600`, with a warning.
//!
//! A refused file is left exactly as it was (no repair is committed), and
//! the error names it and says what to do.

use std::fs;
use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::PersistError;

/// What the error says to do about a damaged file.
pub const WHAT_TO_DO: &str = "the file was left as it is: restore it from a backup, or move \
     it aside to start with an empty state";

/// `reason` as a [`PersistError::Corrupt`] of `path`.
fn corrupt(path: &Path, reason: impl Into<String>) -> PersistError {
    PersistError::Corrupt {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Opens (or creates) the database at `path`, verified: see the module.
pub(crate) fn open_database(path: &Path) -> Result<redb::Database, PersistError> {
    ensure_private(path)?;
    // redb calls the callback before each step of a repair; the step at
    // 0.3 is taken only when the newest commit fails its checksums, and
    // next falls back to the commit before it: refused, not taken.
    let rolled_back = Arc::new(AtomicBool::new(false));
    let seen = rolled_back.clone();
    let mut builder = redb::Builder::new();
    builder
        .set_check_integrity_on_open(true)
        .set_repair_callback(move |session| {
            if (0.25..0.35).contains(&session.progress()) {
                seen.store(true, Ordering::SeqCst);
                session.abort();
            }
        });
    let opened = catch_unwind(AssertUnwindSafe(|| builder.create(path)));
    match opened {
        Ok(Ok(db)) => Ok(db),
        Ok(Err(redb::DatabaseError::RepairAborted)) if rolled_back.load(Ordering::SeqCst) => {
            Err(corrupt(
                path,
                "its newest commit fails its checksums (the file was damaged after it was \
                 written, or a power loss interrupted a write); redb would fall back to the \
                 commit before it and silently lose acknowledged changes",
            ))
        }
        Ok(Err(redb::DatabaseError::Storage(redb::StorageError::Corrupted(why)))) => {
            Err(corrupt(path, why))
        }
        Ok(Err(e)) => Err(PersistError::Db {
            path: path.to_path_buf(),
            source: Box::new(e.into()),
        }),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".to_string());
            Err(corrupt(
                path,
                format!("the database cannot be read ({what})"),
            ))
        }
    }
}

/// Creates the file `0600` if it does not exist; narrows an existing one
/// readable or writable by others to `0600`, with a warning.
#[cfg(unix)]
fn ensure_private(path: &Path) -> Result<(), PersistError> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    match fs::metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let created = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path);
            match created {
                Ok(_) => Ok(()),
                // Made meanwhile by someone else: checked on the next start.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
                Err(source) => Err(PersistError::Write {
                    path: path.to_path_buf(),
                    source,
                }),
            }
        }
        Err(source) => Err(PersistError::Read {
            path: path.to_path_buf(),
            source,
        }),
        Ok(meta) => {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                tracing::warn!(
                    path = %path.display(),
                    mode = %format!("{mode:o}"),
                    "the state file holds service passwords but was open to other users; \
                     made it 0600"
                );
                fs::set_permissions(path, fs::Permissions::from_mode(0o600)).map_err(|source| {
                    PersistError::Write {
                        path: path.to_path_buf(),
                        source,
                    }
                })?;
            }
            Ok(())
        }
    }
}

#[cfg(not(unix))]
fn ensure_private(_path: &Path) -> Result<(), PersistError> {
    Ok(())
}
