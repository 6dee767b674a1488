//! `cargo xtask build-cost`: what the generated crate and the main job cost
//! to build, in one run.
//!
//! For each variant of `aiven-api` (every operation group; the groups
//! aiven-ext declares; the `services` group alone) it builds it once (so its
//! dependencies are built), cleans `aiven-api` alone, builds it again in
//! debug under `/usr/bin/time -v` with `CARGO_INCREMENTAL=0` (as CI), and
//! reports the generated lines and operations (written by
//! `aiven-api/build.rs`), wall time and peak memory. Then, unless
//! `--no-cold`, it clones the checkout's `HEAD` into a temporary directory
//! and times `cargo quickstart` (the README's main job) there with an empty
//! target directory: the newcomer's first command. The target directory is cargo's:
//! `$CARGO_TARGET_DIR` when set.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;

/// Options of `cargo xtask build-cost`.
#[derive(Debug, clap::Args)]
pub struct BuildCostArgs {
    /// Interface style to measure: builder (the crate's choice) or positional.
    #[arg(long, default_value = "builder")]
    pub interface: String,
    /// Skip the cold clone → main job measurement (it takes minutes).
    #[arg(long)]
    pub no_cold: bool,
}

/// The figures of one measured build.
#[derive(Debug)]
pub struct BuildCost {
    pub generated_lines: u64,
    pub operations: u64,
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

/// `cargo ARGS` under `/usr/bin/time -v` when it exists.
fn timed_cargo() -> Command {
    let timer = PathBuf::from("/usr/bin/time");
    if timer.exists() {
        let mut c = Command::new(&timer);
        c.arg("-v").arg(cargo());
        c
    } else {
        Command::new(cargo())
    }
}

/// Which operation groups of aiven-api to build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Groups {
    /// The default features: every group.
    Full,
    /// Exactly these groups.
    Only(Vec<String>),
}

impl Groups {
    fn cargo_args(&self) -> Vec<String> {
        match self {
            Groups::Full => Vec::new(),
            Groups::Only(groups) => vec![
                "--no-default-features".into(),
                "--features".into(),
                groups.join(","),
            ],
        }
    }
}

/// Measures a clean debug build of `aiven-api` with `groups`: its
/// dependencies are built first (a `-p` selection may need variants the
/// workspace's build did not make), then `aiven-api` alone is cleaned and
/// built, non-incrementally as in CI.
pub fn measure(interface: &str, groups: &Groups) -> Result<BuildCost> {
    crate::workflow::ensure_spec(&crate::openapi_dir())?;
    let root = crate::workspace_root();
    let build = |cmd: &mut Command| {
        cmd.args(["build", "-p", "aiven-api"])
            .args(groups.cargo_args())
            .env("AIVEN_API_INTERFACE", interface)
            .env("CARGO_INCREMENTAL", "0")
            .current_dir(&root);
    };
    let mut warm = Command::new(cargo());
    build(&mut warm);
    if !warm
        .arg("--quiet")
        .status()
        .context("running cargo build")?
        .success()
    {
        bail!("cargo build -p aiven-api failed");
    }
    crate::workflow::cargo(&["clean", "-p", "aiven-api"], &[])?;
    let mut cmd = timed_cargo();
    build(&mut cmd);
    let started = Instant::now();
    let output = cmd.output().context("running cargo build")?;
    let wall_secs = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        bail!("cargo build -p aiven-api failed:\n{stderr}");
    }
    // Honours CARGO_TARGET_DIR, which the build above inherits.
    let stats = newest_build_stats(&crate::target_dir().join("debug/build"))?;
    Ok(BuildCost {
        generated_lines: stats["generated_lines"].as_u64().unwrap_or_default(),
        operations: stats["operations"].as_u64().unwrap_or_default(),
        build_script_ms: stats["build_script_ms"].as_u64().unwrap_or_default(),
        wall_secs,
        peak_mib: parse_peak_mib(&stderr),
    })
}

/// The `build-stats.json` of the most recent `aiven-api` build-script run
/// under `build_dir` (`<target>/debug/build`).
pub fn newest_build_stats(build_dir: &Path) -> Result<Value> {
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

/// The aiven-api features aiven-ext declares, from `cargo metadata`.
pub fn aiven_ext_groups() -> Result<Vec<String>> {
    let output = Command::new(cargo())
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(crate::workspace_root())
        .stderr(Stdio::inherit())
        .output()
        .context("running cargo metadata")?;
    if !output.status.success() {
        bail!("cargo metadata failed");
    }
    let metadata: Value = serde_json::from_slice(&output.stdout)?;
    groups_of(&metadata, "aiven-ext", "aiven-api")
        .ok_or_else(|| anyhow!("aiven-ext has no aiven-api dependency in cargo metadata"))
}

/// The features `package` enables on its dependency `dependency`.
pub fn groups_of(metadata: &Value, package: &str, dependency: &str) -> Option<Vec<String>> {
    let package = metadata["packages"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == package)?;
    let dep = package["dependencies"]
        .as_array()?
        .iter()
        .find(|d| d["name"] == dependency && d["kind"].is_null())?;
    Some(
        dep["features"]
            .as_array()?
            .iter()
            .filter_map(|f| f.as_str().map(str::to_owned))
            .collect(),
    )
}

/// The newcomer's first command on a fresh clone.
#[derive(Debug)]
pub struct ColdRun {
    pub wall_secs: f64,
    pub peak_mib: Option<f64>,
}

/// Clones `HEAD` into a temporary directory and times `cargo quickstart`
/// there with an empty target directory (the registry's
/// downloads are reused: no network here). Uncommitted changes are not
/// measured.
pub fn cold_main_job() -> Result<ColdRun> {
    let scratch = std::env::temp_dir().join(format!("aiven-build-cost-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let result = cold_main_job_in(&scratch);
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

fn cold_main_job_in(scratch: &Path) -> Result<ColdRun> {
    let root = crate::workspace_root();
    let clone = scratch.join("aiven-rust");
    let started = Instant::now();
    let status = Command::new("git")
        .args(["clone", "--quiet", "--no-local"])
        .arg(&root)
        .arg(&clone)
        .status()
        .context("running git clone")?;
    if !status.success() {
        bail!("git clone of {} failed", root.display());
    }
    let mut cmd = timed_cargo();
    cmd.args(["quickstart"])
        .current_dir(&clone)
        .env("CARGO_TARGET_DIR", scratch.join("target"))
        // The embedded simulator, whatever this shell has.
        .env_remove("AIVEN_TOKEN")
        .stdout(Stdio::null());
    if let Some(source) = crate::fetch::env_source() {
        // A relative path names a file beside this checkout, not the clone.
        cmd.env(
            aiven_openapi::source::SOURCE_ENV,
            absolute_source(&source, &root),
        );
    }
    let output = cmd.output().context("running cargo quickstart")?;
    let wall_secs = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        bail!(
            "cargo quickstart in a fresh clone failed:\n{}",
            crate::check_spec::first_errors(&stderr, 10)
        );
    }
    Ok(ColdRun {
        wall_secs,
        peak_mib: parse_peak_mib(&stderr),
    })
}

/// `source` (a URL or a path) with a relative path made absolute against
/// `root`.
pub fn absolute_source(source: &str, root: &Path) -> String {
    // The build scripts' own reading of the variable (`file://` included).
    match aiven_openapi::source::Source::parse_relative_to(source, root) {
        Ok(aiven_openapi::source::Source::File(path)) => path.display().to_string(),
        _ => source.to_owned(),
    }
}

/// Registry crates compiled more than twice (once for build scripts and
/// proc-macros, once for the target is the floor) in `cargo build
/// --workspace --all-targets`, from its JSON messages (fresh units are
/// listed too, so a built tree answers quickly): name → how many times.
pub fn compiled_variants() -> Result<Vec<(String, usize)>> {
    let output = Command::new(cargo())
        .args([
            "build",
            "--workspace",
            "--all-targets",
            "--message-format",
            "json",
            "--quiet",
        ])
        .current_dir(crate::workspace_root())
        .stderr(Stdio::inherit())
        .output()
        .context("running cargo build --message-format json")?;
    if !output.status.success() {
        bail!("cargo build --workspace --all-targets failed");
    }
    Ok(variants_from_messages(&String::from_utf8_lossy(
        &output.stdout,
    )))
}

/// [`compiled_variants`] from cargo's JSON messages: library units of
/// packages not in the workspace, counted per name and version, those over
/// two listed.
pub fn variants_from_messages(messages: &str) -> Vec<(String, usize)> {
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for line in messages.lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if message["reason"] != "compiler-artifact" {
            continue;
        }
        let id = message["package_id"].as_str().unwrap_or_default();
        // `path+file://…` is a workspace member; `registry+…` and `git+…` are not.
        if id.starts_with("path+") {
            continue;
        }
        let is_library = message["target"]["kind"].as_array().is_some_and(|kinds| {
            kinds
                .iter()
                .any(|k| matches!(k.as_str(), Some("lib" | "rlib" | "proc-macro")))
        });
        if is_library {
            let name = id.rsplit('#').next().unwrap_or(id).to_owned();
            *counts.entry(name).or_default() += 1;
        }
    }
    counts.into_iter().filter(|(_, n)| *n > 2).collect()
}

fn mib(peak: Option<f64>) -> String {
    peak.map_or("unknown".into(), |m| format!("{m:.0} MiB"))
}

/// `cargo xtask build-cost`.
pub fn run(args: &BuildCostArgs) -> Result<()> {
    let ext = aiven_ext_groups()?;
    let variants = [
        ("every group (`full`)".to_owned(), Groups::Full),
        (
            format!("aiven-ext's {} groups", ext.len()),
            Groups::Only(ext.clone()),
        ),
        (
            "`services` alone".to_owned(),
            Groups::Only(vec!["services".into()]),
        ),
    ];
    println!(
        "machine: {} cores, {}; interface: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::env::consts::ARCH,
        args.interface
    );
    println!("aiven-ext's groups: {}", ext.join(", "));
    println!();
    println!("| aiven-api built with | operations | generated lines | build script | clean debug build | peak RSS |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (name, groups) in &variants {
        let cost = measure(&args.interface, groups)?;
        println!(
            "| {name} | {} | {} | {:.1} s | {:.1} s | {} |",
            cost.operations,
            cost.generated_lines,
            cost.build_script_ms as f64 / 1000.0,
            cost.wall_secs,
            mib(cost.peak_mib)
        );
    }
    // Leave the workspace's aiven-api as an ordinary build expects it.
    crate::workflow::cargo(&["build", "-p", "aiven-api", "--quiet"], &[])?;
    let over = compiled_variants()?;
    println!();
    if over.is_empty() {
        println!("every registry crate is compiled at most twice in `cargo build --workspace --all-targets`");
    } else {
        let list: Vec<String> = over.iter().map(|(c, n)| format!("{c} ×{n}")).collect();
        println!(
            "compiled more than twice in `cargo build --workspace --all-targets`: {}",
            list.join(", ")
        );
    }
    if !args.no_cold {
        let cold = cold_main_job()?;
        println!();
        println!(
            "fresh clone → `cargo quickstart` done: {:.0} s ({}:{:02}), peak RSS {}",
            cold.wall_secs,
            cold.wall_secs as u64 / 60,
            cold.wall_secs as u64 % 60,
            mib(cold.peak_mib)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_aiven_ext_groups_from_cargo_metadata() {
        let metadata = serde_json::json!({"packages": [
            {"name": "aiven-sim", "dependencies": []},
            {"name": "aiven-ext", "dependencies": [
                {"name": "aiven-api", "kind": "dev", "features": ["full"]},
                {"name": "aiven-api", "kind": null, "features": ["services", "kafka"]}
            ]}
        ]});
        assert_eq!(
            groups_of(&metadata, "aiven-ext", "aiven-api").unwrap(),
            ["services", "kafka"]
        );
        assert_eq!(groups_of(&metadata, "aiven-sim", "aiven-api"), None);
    }

    #[test]
    fn relative_sources_are_made_absolute_against_the_checkout() {
        let root = Path::new("/work/main");
        assert_eq!(
            absolute_source("../shared/spec.yml", root),
            "/work/main/../shared/spec.yml"
        );
        assert_eq!(absolute_source("/abs/spec.yml", root), "/abs/spec.yml");
        assert_eq!(
            absolute_source("https://example.com/spec.yml", root),
            "https://example.com/spec.yml"
        );
    }

    #[test]
    fn counts_library_units_of_registry_crates() {
        let line = |id: &str, kind: &str| {
            serde_json::json!({"reason": "compiler-artifact", "package_id": id,
                "target": {"kind": [kind]}})
            .to_string()
        };
        let syn = "registry+https://github.com/rust-lang/crates.io-index#syn@2.0.1";
        let messages = [
            line(syn, "lib"),
            line(syn, "lib"),
            line(syn, "lib"),
            line(syn, "custom-build"),
            line(
                "registry+https://github.com/rust-lang/crates.io-index#serde@1.0.0",
                "lib",
            ),
            line("path+file:///work/main/aiven-api#0.1.0", "lib"),
            line("path+file:///work/main/aiven-api#0.1.0", "lib"),
            line("path+file:///work/main/aiven-api#0.1.0", "lib"),
            "{\"reason\": \"build-finished\"}".to_owned(),
            "not json".to_owned(),
        ]
        .join("\n");
        assert_eq!(
            variants_from_messages(&messages),
            [("syn@2.0.1".to_owned(), 3)]
        );
    }

    #[test]
    fn reads_peak_memory_from_time_output() {
        let out = "\tCommand being timed: \"cargo build\"\n\tMaximum resident set size (kbytes): 1992472\n";
        let mib = parse_peak_mib(out).unwrap();
        assert!((mib - 1945.77).abs() < 0.01, "{mib}");
        assert_eq!(parse_peak_mib("no such line"), None);
    }
}
