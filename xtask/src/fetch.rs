//! `cargo xtask fetch`: download or copy the OpenAPI description, validate it,
//! and write it with its lock file; `--latest` tries the live description
//! without touching the pin (see [`crate::latest`]).

use crate::atomic::write_atomically;
use crate::lock::{spec_path, Lock};
use crate::source::{read_source, Source, LATEST_SOURCE, SOURCE_ENV};
use crate::spec::validate;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// Arguments of `cargo xtask fetch`.
#[derive(Debug, clap::Args)]
pub struct FetchArgs {
    /// Where to get the description: an http(s) URL, a file:// URL, or a path
    /// (relative to the current directory); JSON or YAML. Default:
    /// $AIVEN_OPENAPI_SOURCE, else the lock's source (with --latest: the live
    /// api.aiven.io/doc/openapi.json; the variable is ignored).
    #[arg(long)]
    pub source: Option<String>,
    /// Refuse to write anything unless the fetched bytes have the sha256
    /// recorded in openapi/aiven-openapi.lock.json; the lock is left as is.
    #[arg(long, conflicts_with = "latest")]
    pub locked: bool,
    /// Try the live description: write it beside the pin (under the target
    /// directory), normalize and generate it, compile aiven-api against it
    /// and print the drift report from the locked one. Nothing in openapi/
    /// changes without --update-lock.
    #[arg(long)]
    pub latest: bool,
    /// With --latest: when aiven-api compiles against it, make the fetched
    /// description the pinned one (writes openapi/aiven-openapi.spec and the
    /// lock). Publish the bytes at an immutable URL before committing the
    /// lock (docs/api-description.md: "Moving to a newer description").
    #[arg(long, requires = "latest")]
    pub update_lock: bool,
}

/// What a successful fetch wrote.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// Where the bytes were read from.
    pub source: String,
    /// The lock describing the fetched bytes (the existing one when they are
    /// the locked bytes).
    pub lock: Lock,
    /// Where the spec was written.
    pub spec_path: PathBuf,
    /// Where the lock was written; `None` when it was left unchanged.
    pub lock_path: Option<PathBuf>,
    /// Said when the lock now names a source others cannot fetch the same
    /// bytes from (a local path, or the live URL).
    pub warning: Option<String>,
}

/// Fetches `source`, validates it and writes it into `out_dir`. With `locked`
/// the bytes must be the ones the existing lock pins, which is kept. Without
/// it, bytes the lock already pins keep the lock as it is (its source stays
/// the immutable one even when the bytes came from a local copy); other bytes
/// get a fresh lock naming `source`. Nothing is written when a check fails.
pub fn fetch(source: &str, out_dir: &Path, locked: bool) -> Result<Fetched> {
    let existing = if locked {
        Some(Lock::read(out_dir)?)
    } else {
        Lock::read(out_dir).ok()
    };
    let bytes = read_source(source).map_err(|e| with_offline_hint(source, e.to_string()))?;
    if locked {
        if let Some(lock) = &existing {
            lock.check_bytes(source, &bytes)?;
        }
    }
    let summary = validate(source, &bytes)?;
    let spec_path = spec_path(out_dir);
    let unchanged = existing.filter(|lock| lock.pin().check(source, &bytes).is_ok());
    write_atomically(&spec_path, &bytes)?;
    let (lock, lock_path, warning) = match unchanged {
        Some(lock) => (lock, None, None),
        None => {
            let lock = Lock::new(source, &bytes, &summary);
            let path = lock.write(out_dir)?;
            let warning = unreachable_source_warning(source);
            (lock, Some(path), warning)
        }
    };
    Ok(Fetched {
        source: source.to_owned(),
        lock,
        spec_path,
        lock_path,
        warning,
    })
}

/// A transport failure on a URL gets a hint: offline, name a local copy.
pub fn with_offline_hint(source: &str, message: String) -> anyhow::Error {
    let remote = Source::parse(source).is_ok_and(|s| s.is_remote());
    if remote && message.starts_with("cannot fetch ") && !message.contains(": HTTP status ") {
        anyhow::anyhow!(
            "{message}\noffline? set {SOURCE_ENV} (or --source) to a local copy of the \
             description: a path or file:// URL"
        )
    } else {
        anyhow::anyhow!(message)
    }
}

/// A warning when a lock would name `source`, which is not an immutable place
/// every consumer can fetch the bytes from.
pub fn unreachable_source_warning(source: &str) -> Option<String> {
    let why = match Source::parse(source).ok()? {
        Source::File(_) => "a local file others do not have",
        Source::Http(url) if url.trim_end_matches('/') == LATEST_SOURCE => {
            "the live URL, whose bytes change without notice"
        }
        Source::Http(_) => return None,
    };
    Some(format!(
        "warning: the lock now names {source}, {why}. Before committing the lock, publish \
         these exact bytes at an immutable URL (a file at a fixed commit of a repository you \
         control, or a release asset) and run `cargo xtask fetch --source <URL>`; \
         `cargo xtask fetch --source <URL> --locked` must then pass (docs/api-description.md: \"Moving to a \
         newer description\")"
    ))
}

/// The source `cargo xtask fetch` reads: `--source`, else (not with
/// `--latest`) `$AIVEN_OPENAPI_SOURCE`, else the lock's source (with
/// `--latest`: the live URL).
pub fn resolve_source(args: &FetchArgs, out_dir: &Path) -> Result<String> {
    if let Some(source) = &args.source {
        return Ok(source.clone());
    }
    if args.latest {
        return Ok(LATEST_SOURCE.to_owned());
    }
    if let Some(source) = env_source() {
        return Ok(source);
    }
    let lock = Lock::read(out_dir)
        .context("no --source and no $AIVEN_OPENAPI_SOURCE: the lock's source is the default")?;
    Ok(lock.source)
}

/// `$AIVEN_OPENAPI_SOURCE`, unless unset or blank.
pub fn env_source() -> Option<String> {
    std::env::var(SOURCE_ENV)
        .ok()
        .filter(|s| !s.trim().is_empty())
}

/// `cargo xtask fetch` (without `--latest`, which is
/// [`crate::latest::run`]): fetch into `out_dir` and print a one-line summary.
pub fn run(args: &FetchArgs, out_dir: &Path) -> Result<()> {
    let source = resolve_source(args, out_dir)?;
    let fetched = fetch(&source, out_dir, args.locked)?;
    println!("{}", summary_line(&fetched));
    if let Some(warning) = &fetched.warning {
        eprintln!("{warning}");
    }
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
        fetched.source, lock.operations, lock.schemas, lock.sha256
    )
}
