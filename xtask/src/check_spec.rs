//! `cargo xtask check-spec PATH`: does a description (any published version,
//! not only the pinned one) normalize, generate and compile?
//!
//! The rules and the generator run here, in process, for the per-rule counts
//! and the method count; then `cargo build -p aiven-api` runs with
//! `AIVEN_OPENAPI_SPEC=PATH` (the build script generates from exactly that
//! file, no lock check) in the workspace's target directory: the
//! dependencies are already built there, so only aiven-api compiles, and the
//! next ordinary build regenerates it from the pinned description (the build
//! script reruns when `AIVEN_OPENAPI_SPEC` changes). A target directory of
//! its own cost CI 7 minutes of dependency builds.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use aiven_openapi::codegen::{self, Interface};
use aiven_openapi::source::SPEC_ENV;
use anyhow::{anyhow, bail, Context, Result};

/// Arguments of `cargo xtask check-spec`.
#[derive(Debug, clap::Args)]
pub struct CheckSpecArgs {
    /// The description to check: a file, JSON or YAML.
    pub spec: PathBuf,
}

/// How far a description got.
#[derive(Debug, Clone)]
pub struct CheckOutcome {
    /// The description checked (absolute).
    pub spec: PathBuf,
    /// Operations of the description.
    pub operations: usize,
    /// The normalization report (per-rule counts, hoisting), when it ran.
    pub report: Option<String>,
    /// Client methods generated (in process), when generation ran.
    pub client_methods: Option<usize>,
    /// Operations without a client method.
    pub missing: Vec<String>,
    /// Lines of generated source.
    pub generated_lines: Option<usize>,
    /// Whether `cargo build -p aiven-api` succeeded against it.
    pub compiled: bool,
    /// Operations in the operation table of the crate that compiled.
    pub compiled_operations: Option<usize>,
    /// The stage that failed and why (for a build: its first errors).
    pub failure: Option<String>,
    /// Wall time of the build, in seconds.
    pub build_secs: f64,
}

impl CheckOutcome {
    /// Normalized, generated every operation, compiled.
    pub fn success(&self) -> bool {
        self.compiled && self.failure.is_none() && self.missing.is_empty()
    }

    /// One line: what happened.
    pub fn summary(&self) -> String {
        let spec = crate::display_path(&self.spec);
        match (&self.failure, self.compiled) {
            (None, true) => format!(
                "ok: {spec}: {} operations, {} client methods, aiven-api compiled with {} \
                 operations in {:.0} s",
                self.operations,
                self.client_methods.unwrap_or_default(),
                self.compiled_operations
                    .map_or_else(|| "?".to_string(), |n| n.to_string()),
                self.build_secs
            ),
            (Some(why), _) => format!("FAILED: {spec}: {why}"),
            (None, false) => format!("FAILED: {spec}: aiven-api did not compile"),
        }
    }
}

/// Normalizes and generates `spec` in process, then compiles aiven-api
/// against it in the workspace's target directory. A description that fails a stage is
/// an `Ok` outcome saying so; `Err` is for what kept the check from running.
pub fn compile_aiven_api(spec: &Path) -> Result<CheckOutcome> {
    let spec =
        std::path::absolute(spec).with_context(|| format!("cannot resolve {}", spec.display()))?;
    let doc = aiven_openapi::read_spec_file(&spec)?;
    let mut outcome = CheckOutcome {
        spec: spec.clone(),
        operations: aiven_openapi::check(&doc).map_or(0, |ops| ops.len()),
        report: None,
        client_methods: None,
        missing: Vec::new(),
        generated_lines: None,
        compiled: false,
        compiled_operations: None,
        failure: None,
        build_secs: 0.0,
    };
    // Normalized and named as the build would (committed overlay and names).
    let prepared = match aiven_openapi::SpecFiles::in_dir(&crate::openapi_dir()).prepare_doc(doc) {
        Ok(p) => p,
        Err(e) => {
            outcome.failure = Some(format!("normalization failed: {e}"));
            return Ok(outcome);
        }
    };
    outcome.report = Some(prepared.report.to_string());
    let generated = match codegen::generate(&prepared, Interface::Builder) {
        Ok(g) => g,
        Err(e) => {
            outcome.failure = Some(format!("generation failed: {e}"));
            return Ok(outcome);
        }
    };
    outcome.client_methods = Some(generated.methods.len());
    outcome.generated_lines = Some(generated.code.lines().count());
    outcome.missing = crate::pipeline::missing_operations(&prepared, &generated);
    drop((prepared, generated));

    let target = crate::target_dir();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let started = Instant::now();
    let output = Command::new(&cargo)
        .args(["build", "-p", "aiven-api", "--message-format", "short"])
        .env(SPEC_ENV, &spec)
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(crate::workspace_root())
        .output()
        .map_err(|e| anyhow!("cannot run {cargo}: {e}"))?;
    outcome.build_secs = started.elapsed().as_secs_f64();
    outcome.compiled = output.status.success();
    if outcome.compiled {
        let table =
            crate::newest_build_output(&target.join("debug/build"), "aiven-api", "operations.rs");
        outcome.compiled_operations = table
            .and_then(|path| std::fs::read_to_string(path).ok())
            .map(|text| text.matches("Operation {").count());
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        outcome.failure = Some(format!(
            "cargo build -p aiven-api failed:\n{}",
            first_errors(&stderr, 10)
        ));
    }
    if outcome.failure.is_none() && !outcome.missing.is_empty() {
        outcome.failure = Some(format!(
            "{} operations have no client method: {}",
            outcome.missing.len(),
            outcome.missing.join(", ")
        ));
    }
    Ok(outcome)
}

/// Checks the hand-written crates (aiven-ext, aiven-sim, with their tests)
/// against `spec` in the workspace's target directory: they name generated types and
/// operations (`aiven_api::operations::SERVICE_GET`), so a description that
/// renames one breaks them even when aiven-api compiles. `Err` carries the
/// first errors.
pub fn check_hand_written(spec: &Path) -> Result<Result<f64, String>> {
    let spec =
        std::path::absolute(spec).with_context(|| format!("cannot resolve {}", spec.display()))?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let started = Instant::now();
    let output = Command::new(&cargo)
        .args([
            "check",
            "-p",
            "aiven-ext",
            "-p",
            "aiven-sim",
            "--all-targets",
        ])
        .args(["--message-format", "short"])
        .env(SPEC_ENV, &spec)
        .env("CARGO_TARGET_DIR", crate::target_dir())
        .current_dir(crate::workspace_root())
        .output()
        .map_err(|e| anyhow!("cannot run {cargo}: {e}"))?;
    let secs = started.elapsed().as_secs_f64();
    Ok(if output.status.success() {
        Ok(secs)
    } else {
        Err(first_errors(&String::from_utf8_lossy(&output.stderr), 10))
    })
}

/// The `error…` lines of a build's output (build-script errors included),
/// at most `max`, else its last lines.
pub fn first_errors(stderr: &str, max: usize) -> String {
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| {
            let l = l.trim_start();
            l.starts_with("error") || l.contains(": error") || l.starts_with("  error:")
        })
        .take(max)
        .collect();
    if errors.is_empty() {
        let lines: Vec<&str> = stderr.lines().collect();
        lines[lines.len().saturating_sub(max)..].join("\n")
    } else {
        errors.join("\n")
    }
}

/// `cargo xtask check-spec PATH`.
pub fn run(args: &CheckSpecArgs) -> Result<()> {
    println!(
        "check-spec {}: normalize, generate, compile aiven-api in {}",
        args.spec.display(),
        crate::display_path(&crate::target_dir())
    );
    let outcome = compile_aiven_api(&args.spec)?;
    if let Some(report) = &outcome.report {
        println!("{report}");
    }
    if let (Some(methods), Some(lines)) = (outcome.client_methods, outcome.generated_lines) {
        println!(
            "generated: {methods} client methods for {} operations, {lines} lines",
            outcome.operations
        );
    }
    println!("{}", outcome.summary());
    if !outcome.success() {
        bail!(
            "{} does not generate a compiling client",
            args.spec.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_errors_keeps_error_lines_or_the_tail() {
        let out = "   Compiling x\nerror[E0124]: field `a` is already declared\n  --> x.rs:1\nwarning: w\nerror: could not compile `aiven-api`\n";
        assert_eq!(
            first_errors(out, 5),
            "error[E0124]: field `a` is already declared\nerror: could not compile `aiven-api`"
        );
        assert_eq!(
            first_errors(out, 1),
            "error[E0124]: field `a` is already declared"
        );
        assert_eq!(first_errors("a\nb\nc", 2), "b\nc");
    }

    #[test]
    fn summary_names_the_failing_stage() {
        let mut o = CheckOutcome {
            spec: PathBuf::from("/x/spec.yml"),
            operations: 3,
            report: None,
            client_methods: Some(3),
            missing: Vec::new(),
            generated_lines: Some(10),
            compiled: true,
            compiled_operations: Some(3),
            failure: None,
            build_secs: 12.4,
        };
        assert!(o.success());
        assert_eq!(
            o.summary(),
            "ok: /x/spec.yml: 3 operations, 3 client methods, aiven-api compiled with 3 operations in 12 s"
        );
        o.compiled = false;
        o.failure = Some("cargo build -p aiven-api failed:\nerror: e".into());
        assert!(!o.success());
        assert_eq!(
            o.summary(),
            "FAILED: /x/spec.yml: cargo build -p aiven-api failed:\nerror: e"
        );
    }
}
