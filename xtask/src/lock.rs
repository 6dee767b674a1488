//! The committed lock file `openapi/aiven-openapi.lock.json` and the
//! `verify-lock` command.

use crate::atomic::write_atomically;
use crate::spec::SpecSummary;
use anyhow::{anyhow, bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub use aiven_openapi::source::sha256_hex;
use aiven_openapi::source::Pin;

/// File name of the fetched spec inside the output directory.
pub const SPEC_FILE: &str = aiven_openapi::SPEC_FILE;
/// File name of the lock inside the output directory.
pub const LOCK_FILE: &str = aiven_openapi::LOCK_FILE;

/// What was fetched, from where. Field order is the order in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lock {
    /// The source as given: a URL, or a path as typed.
    pub source: String,
    /// Lowercase hex sha256 of the spec bytes.
    pub sha256: String,
    /// Size of the spec in bytes.
    pub size: u64,
    /// The spec's `info.version`.
    pub info_version: String,
    /// The spec's `openapi` version string.
    pub openapi: String,
    /// Number of operations.
    pub operations: usize,
    /// Number of paths.
    pub paths: usize,
    /// Number of `components.schemas`.
    pub schemas: usize,
}

impl Lock {
    /// The lock describing `bytes`, fetched from `source`.
    pub fn new(source: &str, bytes: &[u8], summary: &SpecSummary) -> Self {
        Self {
            source: source.to_owned(),
            sha256: sha256_hex(bytes),
            size: bytes.len() as u64,
            info_version: summary.info_version.clone(),
            openapi: summary.openapi.clone(),
            operations: summary.operations,
            paths: summary.paths,
            schemas: summary.schemas,
        }
    }

    /// Reads the lock in `dir`; a missing lock is an error.
    pub fn read(dir: &Path) -> Result<Self> {
        let path = lock_path(dir);
        let text = match std::fs::read_to_string(&path) {
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => bail!(
                "no lock file at {}; run `cargo xtask fetch` without --locked first",
                crate::display_path(&path)
            ),
            other => other.with_context(|| format!("cannot read {}", path.display()))?,
        };
        serde_json::from_str(&text)
            .map_err(|err| anyhow!("{} is not a valid lock file: {err}", path.display()))
    }

    /// Writes the lock to `dir` as pretty JSON with a trailing newline.
    pub fn write(&self, dir: &Path) -> Result<PathBuf> {
        let path = lock_path(dir);
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        write_atomically(&path, text.as_bytes())?;
        Ok(path)
    }

    /// What acquisition checks against: source, sha256 and size.
    pub fn pin(&self) -> Pin {
        Pin {
            source: self.source.clone(),
            sha256: self.sha256.clone(),
            size: self.size,
        }
    }

    /// Fails unless `bytes` hash to this lock's sha256, saying what was
    /// fetched (source, sha256, size, operations), what the lock expects and
    /// the two ways on.
    pub fn check_bytes(&self, label: &str, bytes: &[u8]) -> Result<()> {
        self.pin()
            .check(label, bytes)
            .map_err(|m| anyhow!("{label} is not the locked description\n{m}"))
    }
}

/// Path of the spec inside `dir`.
pub fn spec_path(dir: &Path) -> PathBuf {
    dir.join(SPEC_FILE)
}

/// Path of the lock inside `dir`.
pub fn lock_path(dir: &Path) -> PathBuf {
    dir.join(LOCK_FILE)
}

/// Checks the spec in `dir` against the lock in `dir`; returns the lock.
pub fn verify(dir: &Path) -> Result<Lock> {
    let lock = Lock::read(dir)?;
    let path = spec_path(dir);
    let shown = crate::display_path(&path);
    let bytes = match std::fs::read(&path) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            bail!("{shown} is missing; run `cargo xtask fetch --locked` to fetch the locked spec")
        }
        other => other.with_context(|| format!("cannot read {shown}"))?,
    };
    lock.check_bytes(&shown, &bytes)?;
    Ok(lock)
}

/// `cargo xtask verify-lock`: prints one OK line or fails.
pub fn run_verify(dir: &Path) -> Result<()> {
    let lock = verify(dir)?;
    println!(
        "ok: {} matches {} (sha256 {}, {} bytes, info.version {}, {} operations)",
        crate::display_path(&spec_path(dir)),
        crate::display_path(&lock_path(dir)),
        lock.sha256,
        lock.size,
        lock.info_version,
        lock.operations
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_round_trips_with_stable_field_order() {
        let dir = tempfile::tempdir().unwrap();
        let summary = SpecSummary {
            openapi: "3.0.1".into(),
            info_version: "v1".into(),
            operations: 3,
            paths: 2,
            schemas: 1,
        };
        let lock = Lock::new("spec.json", b"abc", &summary);
        let path = lock.write(dir.path()).unwrap();
        let text = std::fs::read_to_string(path).unwrap();
        let keys: Vec<&str> = text
            .lines()
            .filter_map(|line| line.trim().strip_prefix('"')?.split('"').next())
            .collect();
        let expected = [
            "source",
            "sha256",
            "size",
            "info_version",
            "openapi",
            "operations",
            "paths",
            "schemas",
        ];
        assert_eq!(keys, expected);
        assert!(text.ends_with("}\n"));
        assert_eq!(Lock::read(dir.path()).unwrap(), lock);
    }

    #[test]
    fn verify_reports_missing_lock_and_missing_spec() {
        let dir = tempfile::tempdir().unwrap();
        let err = verify(dir.path()).unwrap_err().to_string();
        assert!(err.starts_with("no lock file at "), "{err}");
        let summary = SpecSummary {
            openapi: "3.0.1".into(),
            info_version: String::new(),
            operations: 0,
            paths: 0,
            schemas: 0,
        };
        Lock::new("x", b"x", &summary).write(dir.path()).unwrap();
        let err = verify(dir.path()).unwrap_err().to_string();
        assert!(
            err.ends_with("is missing; run `cargo xtask fetch --locked` to fetch the locked spec"),
            "{err}"
        );
    }
}
