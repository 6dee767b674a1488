//! `cargo xtask`: maintenance commands for the workspace. This file only
//! parses arguments and dispatches; each command lives in its own module of
//! the `xtask` library.

use clap::{Parser, Subcommand};
use std::process::ExitCode;
use xtask::{build_cost, check_spec, consumer, diff, fetch, latest, lock, pipeline, workflow};

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
    /// Reads the description from --source (an http(s) URL, a file:// URL or
    /// a path relative to the current directory), else from
    /// $AIVEN_OPENAPI_SOURCE, else from the source the lock names. JSON or
    /// YAML, decided by content; it must be OpenAPI 3.0.x and give every
    /// operation a unique operationId. The bytes are written unchanged to
    /// openapi/aiven-openapi.spec (atomically). Bytes the lock already pins
    /// leave the lock as it is; other bytes get a new lock (source, sha256,
    /// size, versions and counts) unless --locked, which refuses them and
    /// writes nothing. --latest tries the live description without moving
    /// the pin (see its help).
    Fetch(fetch::FetchArgs),
    /// Check openapi/aiven-openapi.spec against the sha256 in the lock file.
    ///
    /// Prints one `ok:` line when the spec's bytes hash to the locked sha256;
    /// fails when the lock or the spec is missing or the hashes differ.
    VerifyLock,
    /// Report the drift between two descriptions, for deciding whether to bump.
    ///
    /// Runs the build's pipeline (overlay, rules, hoisting) and generator on
    /// both, then compares the generated Rust: says whether NEW generates and
    /// (unless --no-compile) whether aiven-api compiles against it, lists the
    /// breaking changes — types removed or renamed, fields whose Rust type
    /// changed, enum variants removed, methods removed, renamed or moved,
    /// builder parameters removed, retyped or newly required, response types
    /// changed — with the lines of aiven-ext (or --uses PATH) that use them,
    /// then counts the informational ones. --full lists everything, --json
    /// prints it for scripts. Exits 0 whatever the drift: it is a report.
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
    /// Check or rewrite openapi/type-names.json, the committed type names.
    ///
    /// Hoisting gives a shape the name recorded for its location, so a bump
    /// renames no surviving type. --check (the default) fails when a shape of
    /// the pinned description has no recorded name or a recorded name would
    /// change; --write rewrites the file (recorded names kept, new shapes
    /// named, locations the description lost dropped; refuses renames unless
    /// --allow-renames). --from OLD_SPEC carries an older description's names
    /// forward; --spec SPEC names another description (what would it rename?).
    Names(xtask::names::NamesArgs),
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
    /// time, wall time and peak memory (in $CARGO_TARGET_DIR when set).
    BuildCost(build_cost::BuildCostArgs),
    /// Check that a description normalizes, generates and compiles.
    ///
    /// Prints the per-rule counts, then builds aiven-api with
    /// AIVEN_OPENAPI_SPEC=PATH in the workspace's target directory (the next
    /// ordinary build regenerates the pinned client) and reports the operations of the crate that
    /// compiled. Fails when any stage fails.
    CheckSpec(check_spec::CheckSpecArgs),
    /// Build a crate outside the workspace that depends on aiven-ext, offline.
    ///
    /// Copies the checkout's files (those git tracks or would track: no
    /// fetched description) to a temporary directory, writes a consumer crate
    /// with `aiven-ext = { path = ... }` and the workspace's Cargo.lock, and
    /// runs `cargo build --offline` with an absolute AIVEN_OPENAPI_SOURCE
    /// (yours made absolute, else the fetched description) into
    /// the workspace's target directory (its dependencies are built there
    /// already); then runs it.
    ConsumerCheck(consumer::ConsumerArgs),
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
        // `--latest` sits above fetch in the pipeline (it fetches, then
        // generates and checks), so the dispatch happens here.
        Command::Fetch(args) if args.latest => {
            let dir = xtask::openapi_dir();
            let source = fetch::resolve_source(args, &dir)?;
            latest::run(&source, &dir, args.update_lock)
        }
        Command::Fetch(args) => fetch::run(args, &xtask::openapi_dir()),
        Command::VerifyLock => lock::run_verify(&xtask::openapi_dir()),
        Command::Diff(args) => diff::run(args),
        Command::Normalize(args) => pipeline::run_normalize(args),
        Command::Generate(args) => pipeline::run_generate(args),
        Command::Coverage => pipeline::run_coverage(),
        Command::Names(args) => xtask::names::run(args, &xtask::openapi_dir()),
        Command::Test { args } => workflow::run_test(args),
        Command::BuildCost(args) => build_cost::run(args),
        Command::CheckSpec(args) => check_spec::run(args),
        Command::ConsumerCheck(args) => consumer::run(args),
        Command::Quickstart { args } => workflow::run_quickstart(args),
    }
}
