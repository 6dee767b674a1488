//! Commands over the normalization pipeline and the generated client:
//! `normalize`, `generate`, `coverage`. They run the same code as
//! `aiven-api/build.rs` (the `aiven-openapi` crate), on the fetched spec.

use std::path::{Path, PathBuf};

use aiven_openapi::codegen::{self, Interface};
use aiven_openapi::Prepared;
use anyhow::{anyhow, Context, Result};

use crate::{atomic, openapi_dir};

/// Options of `cargo xtask normalize`.
#[derive(Debug, clap::Args)]
pub struct NormalizeArgs {
    /// Print how often each rule fired and what shape hoisting did.
    #[arg(long)]
    pub stats: bool,
    /// Print each rule's defect, example and reason.
    #[arg(long)]
    pub explain: bool,
    /// Write the normalized description to this file.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Normalize this description (JSON or YAML) instead of the fetched one,
    /// e.g. an older or newer published version: do the rules still fit?
    #[arg(long)]
    pub spec: Option<PathBuf>,
}

/// Options of `cargo xtask generate`.
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Where to write the generated Rust source.
    #[arg(long)]
    pub out: PathBuf,
    /// Interface style: builder (the crate's choice) or positional.
    #[arg(long, default_value = "builder", value_parser = parse_interface)]
    pub interface: Interface,
}

fn parse_interface(s: &str) -> Result<Interface, String> {
    Interface::parse(s).ok_or_else(|| format!("`{s}`: expected builder or positional"))
}

/// Reads the fetched spec and the overlay and runs the pipeline.
pub fn prepare(dir: &Path) -> Result<Prepared> {
    Ok(aiven_openapi::SpecFiles::in_dir(dir).prepare()?)
}

/// `cargo xtask normalize`.
pub fn run_normalize(args: &NormalizeArgs) -> Result<()> {
    if args.explain {
        for rule in aiven_openapi::rules::RULES {
            println!(
                "{}\n  defect:  {}\n  example: {}\n  why:     {}\n",
                rule.name, rule.defect, rule.example, rule.why
            );
        }
    }
    let prepared = match &args.spec {
        None => prepare(&openapi_dir())?,
        Some(path) => aiven_openapi::SpecFiles::in_dir(&openapi_dir())
            .prepare_doc(aiven_openapi::read_spec_file(path)?)?,
    };
    if args.stats || (!args.explain && args.out.is_none()) {
        println!("{}", prepared.report);
        // What the secret-name rule matches, for review.
        print!("{}", aiven_openapi::sensitive::scan(&prepared.doc));
    }
    if let Some(out) = &args.out {
        let text = serde_json::to_string_pretty(&prepared.doc)?;
        atomic::write_atomically(out, text.as_bytes())?;
        println!("wrote {}", out.display());
    }
    Ok(())
}

/// `cargo xtask generate --out FILE`.
pub fn run_generate(args: &GenerateArgs) -> Result<()> {
    let prepared = prepare(&openapi_dir())?;
    let generated = codegen::generate(&prepared, args.interface)?;
    atomic::write_atomically(&args.out, generated.code.as_bytes())
        .with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "wrote {} ({} lines, {} client methods)",
        args.out.display(),
        generated.code.lines().count(),
        generated.methods.len()
    );
    print!("{}", generated.redaction);
    Ok(())
}

/// The operations of the spec that the generated client lacks.
pub fn missing_operations(prepared: &Prepared, generated: &codegen::Generated) -> Vec<String> {
    prepared
        .operations
        .iter()
        .filter(|op| {
            !generated
                .methods
                .contains_key(&codegen::operation_name(&op.operation_id))
        })
        .map(|op| format!("{} ({} {})", op.operation_id, op.method, op.path))
        .collect()
}

/// `cargo xtask coverage`: how many operations of the fetched description are
/// methods of the compiled client. Builds and runs aiven-api's `operations`
/// example, which prints the table compiled into the crate, so an operation
/// that was generated but did not compile cannot be counted.
pub fn run_coverage() -> Result<()> {
    let prepared = prepare(&openapi_dir())?;
    let example = build_operations_example()?;
    let out = std::process::Command::new(&example)
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| anyhow!("cannot run {}: {e}", example.display()))?;
    if !out.status.success() {
        return Err(anyhow!(
            "{} failed ({}); coverage counts a compiled crate",
            example.display(),
            out.status
        ));
    }
    let compiled = compiled_operations(&String::from_utf8_lossy(&out.stdout));
    let missing: Vec<String> = prepared
        .operations
        .iter()
        .filter(|op| {
            !compiled.contains(&(op.operation_id.clone(), op.method.clone(), op.path.clone()))
        })
        .map(|op| format!("{} ({} {})", op.operation_id, op.method, op.path))
        .collect();
    let total = prepared.operations.len();
    println!(
        "coverage: {}/{total} operations are methods of the compiled aiven-api ({} in its table)",
        total - missing.len(),
        compiled.len()
    );
    if missing.is_empty() {
        Ok(())
    } else {
        for m in &missing {
            println!("  missing: {m}");
        }
        Err(anyhow!(
            "{} operations have no client method",
            missing.len()
        ))
    }
}

/// Builds aiven-api's `operations` example and returns its executable.
///
/// The build selects the whole workspace (`--workspace --example
/// operations`): features are then resolved as for `cargo xtask test`, so
/// every unit it compiles is one the tests reuse. `cargo run -p aiven-api`
/// resolved them for aiven-api alone, and a clean CI compiled the generated
/// client, its build script and some 75 dependencies a second time.
fn build_operations_example() -> Result<std::path::PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(&cargo)
        .args([
            "build",
            "--quiet",
            "--workspace",
            "--example",
            "operations",
            "--message-format=json-render-diagnostics",
        ])
        .current_dir(crate::workspace_root())
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| anyhow!("cannot run {cargo}: {e}"))?;
    if !out.status.success() {
        return Err(anyhow!(
            "aiven-api did not build ({}); coverage counts a compiled crate",
            out.status
        ));
    }
    example_executable(&String::from_utf8_lossy(&out.stdout))
        .ok_or_else(|| anyhow!("cargo built no `operations` example executable"))
}

/// The `operations` example's executable among cargo's JSON messages.
fn example_executable(messages: &str) -> Option<std::path::PathBuf> {
    messages
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "operations")
        .find_map(|m| m["executable"].as_str().map(std::path::PathBuf::from))
}

/// Parses the `operations` example's output: (operation id, METHOD, path).
pub fn compiled_operations(text: &str) -> std::collections::BTreeSet<(String, String, String)> {
    text.lines()
        .filter_map(|line| {
            let mut cols = line.split('\t');
            Some((
                cols.next()?.to_string(),
                cols.next()?.to_string(),
                cols.next()?.to_string(),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_executable_is_read_from_cargos_messages() {
        let messages = concat!(
            r#"{"reason":"compiler-artifact","target":{"name":"aiven_api","kind":["lib"]},"executable":null}"#,
            "\n",
            "not json\n",
            r#"{"reason":"compiler-artifact","target":{"name":"operations","kind":["example"]},"executable":"/t/debug/examples/operations"}"#,
            "\n",
            r#"{"reason":"build-finished","success":true}"#,
        );
        assert_eq!(
            example_executable(messages),
            Some(std::path::PathBuf::from("/t/debug/examples/operations"))
        );
        assert_eq!(example_executable(r#"{"reason":"build-finished"}"#), None);
    }
}
