//! `cargo xtask build-cost`: what the generated crate costs to build.
//!
//! Cleans `aiven-api` (its dependencies stay built), builds it in debug under
//! `/usr/bin/time -v`, and reports the generated line count and build-script
//! time (written by `aiven-api/build.rs`), wall time and peak memory. The
//! target directory is cargo's: `$CARGO_TARGET_DIR` when set.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;

/// Options of `cargo xtask build-cost`.
#[derive(Debug, clap::Args)]
pub struct BuildCostArgs {
    /// Interface style to measure: builder (the crate's choice) or positional.
    #[arg(long, default_value = "builder")]
    pub interface: String,
}

/// The figures of one measured build.
#[derive(Debug)]
pub struct BuildCost {
    pub generated_lines: u64,
    pub build_script_ms: u64,
    pub wall_secs: f64,
    /// Peak resident memory of the build in MiB, when `/usr/bin/time` exists.
    pub peak_mib: Option<f64>,
}

/// `Maximum resident set size (kbytes): N` from `/usr/bin/time -v`, in MiB.
pub fn parse_peak_mib(time_output: &str) -> Option<f64> {
    time_output
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Measures a clean debug build of `aiven-api`.
pub fn measure(interface: &str) -> Result<BuildCost> {
    crate::workflow::ensure_spec(&crate::openapi_dir())?;
    let root = crate::workspace_root();
    crate::workflow::cargo(&["clean", "-p", "aiven-api"], &[])?;
    let timer = PathBuf::from("/usr/bin/time");
    let mut cmd = if timer.exists() {
        let mut c = Command::new(&timer);
        c.arg("-v").arg(cargo());
        c
    } else {
        Command::new(cargo())
    };
    cmd.args(["build", "-p", "aiven-api"])
        .env("AIVEN_API_INTERFACE", interface)
        .current_dir(&root);
    let started = Instant::now();
    let output = cmd.output().context("running cargo build")?;
    let wall_secs = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        bail!("cargo build -p aiven-api failed:\n{stderr}");
    }
    // Honours CARGO_TARGET_DIR, which the build below inherits.
    let stats = newest_build_stats(&crate::target_dir().join("debug/build"))?;
    Ok(BuildCost {
        generated_lines: stats["generated_lines"].as_u64().unwrap_or_default(),
        build_script_ms: stats["build_script_ms"].as_u64().unwrap_or_default(),
        wall_secs,
        peak_mib: parse_peak_mib(&stderr),
    })
}

/// The `build-stats.json` of the most recent `aiven-api` build-script run
/// under `build_dir` (`<target>/debug/build`).
pub fn newest_build_stats(build_dir: &std::path::Path) -> Result<Value> {
    let path = crate::newest_build_output(build_dir, "aiven-api", "build-stats.json").ok_or_else(
        || {
            anyhow!(
                "no build-stats.json from aiven-api's build script under {}",
                build_dir.display()
            )
        },
    )?;
    Ok(serde_json::from_str(&std::fs::read_to_string(&path)?)?)
}

/// `cargo xtask build-cost`.
pub fn run(args: &BuildCostArgs) -> Result<()> {
    let cost = measure(&args.interface)?;
    println!("interface:        {}", args.interface);
    println!("generated lines:  {}", cost.generated_lines);
    println!(
        "build script:     {:.1} s",
        cost.build_script_ms as f64 / 1000.0
    );
    println!(
        "clean debug build of aiven-api: {:.1} s wall",
        cost.wall_secs
    );
    match cost.peak_mib {
        Some(m) => println!("peak memory:      {m:.0} MiB"),
        None => println!("peak memory:      unknown (/usr/bin/time not installed)"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_peak_memory_from_time_output() {
        let out = "\tCommand being timed: \"cargo build\"\n\tMaximum resident set size (kbytes): 1992472\n";
        let mib = parse_peak_mib(out).unwrap();
        assert!((mib - 1945.77).abs() < 0.01, "{mib}");
        assert_eq!(parse_peak_mib("no such line"), None);
    }
}
