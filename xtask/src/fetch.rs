//! `cargo xtask fetch`: download or copy the OpenAPI description, validate it,
//! and write it with its lock file.

use crate::atomic::write_atomically;
use crate::lock::{spec_path, Lock};
use crate::source::{read_source, DEFAULT_SOURCE, SOURCE_ENV};
use crate::spec::validate;
use anyhow::Result;
use std::path::{Path, PathBuf};

/// Arguments of `cargo xtask fetch`.
#[derive(Debug, clap::Args)]
pub struct FetchArgs {
    /// Where to get the spec: an http(s) URL, a file:// URL, or a path
    /// (relative to the current directory).
    #[arg(long, env = SOURCE_ENV, default_value = DEFAULT_SOURCE)]
    pub source: String,
    /// Refuse to write anything unless the fetched bytes have the sha256
    /// recorded in openapi/aiven-openapi.lock.json; the lock is left as is.
    #[arg(long)]
    pub locked: bool,
}

/// What a successful fetch wrote.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The lock describing the fetched bytes (the existing one with --locked).
    pub lock: Lock,
    /// Where the spec was written.
    pub spec_path: PathBuf,
    /// Where the lock was written; `None` with --locked, which keeps it.
    pub lock_path: Option<PathBuf>,
}

/// Fetches `source`, validates it and writes it into `out_dir`, with a fresh
/// lock unless `locked`, in which case the bytes must match the existing lock.
/// Nothing is written when any check fails.
pub fn fetch(source: &str, out_dir: &Path, locked: bool) -> Result<Fetched> {
    let expected = if locked {
        Some(Lock::read(out_dir)?)
    } else {
        None
    };
    let bytes = read_source(source)?;
    if let Some(lock) = &expected {
        lock.check_bytes(source, &bytes)?;
    }
    let summary = validate(source, &bytes)?;
    let lock = Lock::new(source, &bytes, &summary);
    let spec_path = spec_path(out_dir);
    write_atomically(&spec_path, &bytes)?;
    let lock_path = match expected {
        Some(_) => None,
        None => Some(lock.write(out_dir)?),
    };
    Ok(Fetched {
        lock,
        spec_path,
        lock_path,
    })
}

/// `cargo xtask fetch`: fetch into `out_dir` and print a one-line summary.
pub fn run(args: &FetchArgs, out_dir: &Path) -> Result<()> {
    let fetched = fetch(&args.source, out_dir, args.locked)?;
    println!("{}", summary_line(&fetched));
    Ok(())
}

/// `fetched SRC: N operations, M schemas, sha256 H; wrote ...`.
pub fn summary_line(fetched: &Fetched) -> String {
    let lock = &fetched.lock;
    let spec = crate::display_path(&fetched.spec_path);
    let wrote = match &fetched.lock_path {
        Some(lock_path) => format!("wrote {spec} and {}", crate::display_path(lock_path)),
        None => format!("wrote {spec}; it matches the lock, which was left unchanged"),
    };
    format!(
        "fetched {}: {} operations, {} schemas, sha256 {}; {wrote}",
        lock.source, lock.operations, lock.schemas, lock.sha256
    )
}
