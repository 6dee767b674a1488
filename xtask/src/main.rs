//! `cargo xtask`: maintenance commands for the workspace. This file only
//! parses arguments and dispatches; each command lives in its own module of
//! the `xtask` library.

use clap::{Parser, Subcommand};
use std::process::ExitCode;
use xtask::{build_cost, diff, fetch, lock, pipeline, workflow};

/// Maintenance tasks for the Aiven SDK workspace.
#[derive(Debug, Parser)]
#[command(name = "xtask", bin_name = "cargo xtask", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Fetch the OpenAPI description, check it, and write it with its lock.
    ///
    /// Reads the spec from --source (an http(s) URL, a file:// URL or a path),
    /// else from $AIVEN_OPENAPI_SOURCE, else from the published URL. The
    /// document must be JSON, OpenAPI 3.0.x, and give every operation a
    /// unique operationId. The bytes are written unchanged to
    /// openapi/aiven-openapi.json (atomically) and described in the committed
    /// openapi/aiven-openapi.lock.json (source, sha256, size, versions and
    /// counts). With --locked the bytes must hash to the lock's sha256, the
    /// lock is left alone, and nothing is written on a mismatch.
    Fetch(fetch::FetchArgs),
    /// Check openapi/aiven-openapi.json against the sha256 in the lock file.
    ///
    /// Prints one `ok:` line when the spec's bytes hash to the locked sha256;
    /// fails when the lock or the spec is missing or the hashes differ.
    VerifyLock,
    /// Report the drift between two versions of the OpenAPI description.
    ///
    /// Lists operations added, removed, moved (same operationId, new method or
    /// path) and changed (parameters, request body, success response; schemas
    /// compared with $refs inlined, ignoring description, example, title and
    /// x-codeSamples), component schemas added, removed and changed, and enum
    /// values added or removed per location. Ends with a summary line that
    /// flags breaking changes. Exits 0 whatever the drift: it is a report.
    Diff(diff::DiffArgs),
    /// Run the normalization pipeline on the fetched spec.
    ///
    /// --stats prints how often each general rule fired and what shape
    /// hoisting did; --explain prints every rule's defect, example and reason;
    /// --out writes the normalized description (what progenitor sees).
    Normalize(pipeline::NormalizeArgs),
    /// Write the generated client source for review (same code as build.rs).
    Generate(pipeline::GenerateArgs),
    /// Count the spec's operations that are methods of the generated client.
    ///
    /// Fails, listing them, when any operation has no client method.
    Coverage,
    /// Fetch the locked spec if needed, then run every test of the workspace.
    ///
    /// Extra arguments go to `cargo test`. Offline, set AIVEN_OPENAPI_SOURCE to
    /// a local copy of the spec.
    Test {
        /// Arguments passed on to `cargo test`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Measure a clean debug build of aiven-api: generated lines, build-script
    /// time, wall time and peak memory.
    BuildCost(build_cost::BuildCostArgs),
    /// Fetch the locked spec if needed, then run the guided tour.
    ///
    /// Without AIVEN_TOKEN the tour runs against the embedded simulator,
    /// offline; with it, it is a read-only tour of your account (`--create`
    /// allows it to create a service). Extra arguments go to the example.
    Quickstart {
        /// Arguments passed on to the quickstart example.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: &Command) -> anyhow::Result<()> {
    match command {
        Command::Fetch(args) => fetch::run(args, &xtask::openapi_dir()),
        Command::VerifyLock => lock::run_verify(&xtask::openapi_dir()),
        Command::Diff(args) => diff::run(args),
        Command::Normalize(args) => pipeline::run_normalize(args),
        Command::Generate(args) => pipeline::run_generate(args),
        Command::Coverage => pipeline::run_coverage(),
        Command::Test { args } => workflow::run_test(args),
        Command::BuildCost(args) => build_cost::run(args),
        Command::Quickstart { args } => workflow::run_quickstart(args),
    }
}
