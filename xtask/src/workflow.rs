//! The commands a developer runs day to day: `test` (and the spec they need).

use std::path::Path;
use std::process::Command;

use anyhow::{anyhow, bail, Result};

use crate::{fetch, lock};

/// Makes sure `openapi/aiven-openapi.spec` holds the locked description:
/// when missing, fetches it from `$AIVEN_OPENAPI_SOURCE` (a path relative to
/// the current directory, a file:// URL or a URL), else from the lock's own
/// source, and refuses bytes whose sha256 is not the lock's, saying what was
/// fetched, what the lock expects and the ways on.
pub fn ensure_spec(dir: &Path) -> Result<()> {
    if lock::spec_path(dir).exists() {
        return lock::verify(dir).map(drop);
    }
    let source = match fetch::env_source() {
        Some(source) => source,
        None => lock::Lock::read(dir)?.source,
    };
    let fetched = fetch::fetch(&source, dir, true)?;
    eprintln!("{}", fetch::summary_line(&fetched));
    Ok(())
}

/// Runs `cargo ARGS` in the workspace root, failing when it fails.
pub fn cargo(args: &[&str], extra: &[String]) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(&cargo)
        .args(args)
        .args(extra)
        .current_dir(crate::workspace_root())
        .status()
        .map_err(|e| anyhow!("cannot run {cargo}: {e}"))?;
    if !status.success() {
        bail!("`cargo {}` failed ({status})", args.join(" "));
    }
    Ok(())
}

/// `cargo xtask test [ARGS]`: the locked spec, then the whole workspace's
/// tests: unit, integration and doc tests, with the examples built.
///
/// Cargo's default targets, not `--all-targets`: that one also builds the
/// unit-test harness of a library whose manifest says `test = false`
/// (aiven-api's: the generated client compiled a second time) and runs the
/// benches in test mode; clippy's `--all-targets` still compiles them.
pub fn run_test(extra: &[String]) -> Result<()> {
    ensure_spec(&crate::openapi_dir())?;
    cargo(&["test", "--workspace"], extra)
}

/// `cargo xtask quickstart [ARGS]`: the locked spec, then the tour (the
/// `aiven-quickstart` crate, a program beside the libraries it uses).
pub fn run_quickstart(extra: &[String]) -> Result<()> {
    ensure_spec(&crate::openapi_dir())?;
    let mut args = vec!["--".to_string()];
    args.extend(extra.iter().cloned());
    cargo(&["run", "--quiet", "-p", "aiven-quickstart"], &args)
}
