//! The commands a developer runs day to day: `test` (and the spec they need).

use std::path::Path;
use std::process::Command;

use anyhow::{anyhow, bail, Result};

use crate::source::{DEFAULT_SOURCE, SOURCE_ENV};
use crate::{fetch, lock};

/// Makes sure `openapi/aiven-openapi.json` is the locked spec: fetches it
/// (from `$AIVEN_OPENAPI_SOURCE`, else the published URL) when missing,
/// refusing bytes whose hash differs from the lock.
pub fn ensure_spec(dir: &Path) -> Result<()> {
    if lock::spec_path(dir).exists() {
        return lock::verify(dir).map(drop).map_err(|err| {
            anyhow!(
                "{err:#}\nthe fetched spec is not the locked one: `cargo xtask fetch --locked` \
                 restores it, `cargo xtask fetch` moves the lock to the new spec"
            )
        });
    }
    let source = std::env::var(SOURCE_ENV).unwrap_or_else(|_| DEFAULT_SOURCE.into());
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

/// `cargo xtask test [ARGS]`: the locked spec, then the whole workspace's tests.
pub fn run_test(extra: &[String]) -> Result<()> {
    ensure_spec(&crate::openapi_dir())?;
    cargo(&["test", "--workspace", "--all-targets"], extra)?;
    // Doc tests are not part of --all-targets.
    cargo(&["test", "--workspace", "--doc"], &[])
}

/// `cargo xtask quickstart [ARGS]`: the locked spec, then the tour example.
pub fn run_quickstart(extra: &[String]) -> Result<()> {
    ensure_spec(&crate::openapi_dir())?;
    let mut args = vec!["--".to_string()];
    args.extend(extra.iter().cloned());
    cargo(
        &[
            "run",
            "--quiet",
            "-p",
            "aiven-sim",
            "--example",
            "quickstart",
        ],
        &args,
    )
}
