//! `cargo xtask fetch --latest`: is it safe to move to the description Aiven
//! publishes today?
//!
//! The live bytes go beside the pin, to `<target>/latest/aiven-openapi.spec`,
//! never over `openapi/aiven-openapi.spec`; the rules and the generator run on
//! them, aiven-api is compiled against them (`check-spec`), and the drift
//! report compares them with the locked description. Only `--update-lock`
//! (and only when aiven-api compiled) makes them the pinned description.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};

use crate::atomic::write_atomically;
use crate::check_spec;
use crate::diff::{CompileStatus, DiffOptions};
use crate::lock::{self, sha256_hex, Lock};
use crate::source::read_source;
use crate::spec::validate;

/// Where the live description is written: `<target>/latest/aiven-openapi.spec`.
pub fn side_path() -> PathBuf {
    crate::target_dir()
        .join("latest")
        .join(aiven_openapi::SPEC_FILE)
}

/// What the check-spec outcome says for the drift report.
pub fn compile_status(outcome: &check_spec::CheckOutcome) -> CompileStatus {
    match (&outcome.failure, outcome.compiled) {
        (None, true) => CompileStatus::Compiles,
        (Some(why), _) => CompileStatus::DoesNotCompile { error: why.clone() },
        (None, false) => CompileStatus::DoesNotCompile {
            error: "aiven-api did not compile".into(),
        },
    }
}

/// The drift report (first screen) from the locked description `old` to
/// `new`, with the compile status already known for `new`.
pub fn drift_report(old: &Path, new: &Path, compiled: CompileStatus) -> Result<String> {
    let mut opts = DiffOptions::workspace();
    opts.compile = Some(Box::new(move |_: &Path| Ok(compiled.clone())));
    Ok(crate::diff::report(old, new, &opts)?.to_string())
}

/// `cargo xtask fetch --latest [--source S] [--update-lock]`, with the pin in
/// `openapi_dir`.
pub fn run(source: &str, openapi_dir: &Path, update_lock: bool) -> Result<()> {
    let bytes = read_source(source)?;
    let summary = validate(source, &bytes)?;
    let sha256 = sha256_hex(&bytes);
    let side = side_path();
    write_atomically(&side, &bytes)?;
    println!(
        "fetched {source}: {} operations, {} schemas, {} bytes, sha256 {sha256}\nwrote {}",
        summary.operations,
        summary.schemas,
        bytes.len(),
        crate::display_path(&side)
    );
    let locked = Lock::read(openapi_dir).ok();
    if let Some(lock) = &locked {
        if lock.sha256 == sha256 {
            println!(
                "it is the locked description ({}); nothing to move",
                lock.source
            );
            return Ok(());
        }
        println!(
            "the lock pins {} ({} operations, sha256 {})",
            lock.source, lock.operations, lock.sha256
        );
    }

    println!("\n== normalize, generate, compile aiven-api (cargo xtask check-spec)");
    let outcome = check_spec::compile_aiven_api(&side)?;
    if let Some(report) = &outcome.report {
        println!("{report}");
    }
    println!("{}", outcome.summary());
    let hand_written = if outcome.success() {
        println!("\n== check aiven-ext and aiven-sim against it");
        let checked = check_spec::check_hand_written(&side)?;
        match &checked {
            Ok(secs) => {
                println!("ok: aiven-ext and aiven-sim (tests included) check in {secs:.0} s")
            }
            Err(errors) => println!("aiven-ext or aiven-sim do not compile against it:\n{errors}"),
        }
        checked.is_ok()
    } else {
        false
    };

    println!("\n== drift from the locked description");
    match crate::workflow::ensure_spec(openapi_dir) {
        Ok(()) => {
            let old = lock::spec_path(openapi_dir);
            match drift_report(&old, &side, compile_status(&outcome)) {
                Ok(report) => print!("{report}"),
                Err(e) => println!("no drift report: {e:#}"),
            }
        }
        Err(e) => println!("no drift report: the locked description is not available: {e:#}"),
    }

    if !update_lock {
        println!(
            "\nthe lock is unchanged. To move to this description: `cargo xtask fetch --latest \
             --update-lock`, then publish the bytes at an immutable URL and `cargo xtask fetch \
             --source <URL>` (docs/api-description.md: \"Moving to a newer description\")"
        );
        return Ok(());
    }
    if !outcome.success() {
        bail!(
            "refusing to move the lock: the fetched description does not give a compiling \
             aiven-api ({})",
            outcome.summary()
        );
    }
    if !hand_written {
        bail!(
            "refusing to move the lock: aiven-ext or aiven-sim do not compile against the \
             fetched description; adapt them first (the errors are above)"
        );
    }
    write_atomically(&lock::spec_path(openapi_dir), &bytes)?;
    let lock = Lock::new(source, &bytes, &summary);
    let path = lock.write(openapi_dir)?;
    println!(
        "\nmoved the pin: wrote {} and {}",
        crate::display_path(&lock::spec_path(openapi_dir)),
        crate::display_path(&path)
    );
    if let Some(warning) = crate::fetch::unreachable_source_warning(source) {
        eprintln!("{warning}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::{resolve_source, FetchArgs};

    fn outcome(compiled: bool, failure: Option<&str>) -> check_spec::CheckOutcome {
        check_spec::CheckOutcome {
            spec: PathBuf::from("/x.yml"),
            operations: 1,
            report: None,
            client_methods: Some(1),
            missing: Vec::new(),
            generated_lines: Some(1),
            compiled,
            compiled_operations: None,
            failure: failure.map(str::to_owned),
            build_secs: 0.0,
        }
    }

    #[test]
    fn compile_status_follows_the_check() {
        assert_eq!(
            compile_status(&outcome(true, None)),
            CompileStatus::Compiles
        );
        assert_eq!(
            compile_status(&outcome(false, Some("generation failed: x"))),
            CompileStatus::DoesNotCompile {
                error: "generation failed: x".into()
            }
        );
    }

    #[test]
    fn latest_reads_the_live_url_unless_a_source_is_given() {
        let dir = std::path::Path::new("/nonexistent");
        let mut args = FetchArgs {
            source: None,
            locked: false,
            latest: true,
            update_lock: false,
        };
        assert_eq!(
            resolve_source(&args, dir).unwrap(),
            "https://api.aiven.io/doc/openapi.json"
        );
        args.source = Some("./new.yml".into());
        assert_eq!(resolve_source(&args, dir).unwrap(), "./new.yml");
        assert!(side_path().ends_with("latest/aiven-openapi.spec"));
    }
}
