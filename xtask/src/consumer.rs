//! `cargo xtask consumer-check`: a crate outside the workspace that depends on
//! aiven-ext builds offline, as a user's would.
//!
//! An xtask command rather than a test: it copies the checkout and runs a
//! cargo build of its own (minutes the first time), which `cargo test` would
//! run on every test run and in parallel with the other tests on two cores.
//!
//! The checkout copied is the working tree's files that git tracks or would
//! track (`git ls-files --cached --others --exclude-standard`: what the next
//! commit holds, git-ignored files left out), so it has no fetched
//! description, exactly like a git dependency. It goes to a directory outside
//! the repository (no `.cargo/config.toml` of ours applies, as for a user),
//! named after this checkout so that repeated runs reuse the build; the build
//! goes to the workspace's target directory, where the registry dependencies
//! are already built: the consumer's profile leaves them without debug info as
//! the workspace's does, so cargo reuses them (a different profile matched no
//! unit). Its own path packages never collide with the workspace's (another
//! workspace root, another unit hash).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{anyhow, bail, Context, Result};

use crate::source::{sha256_hex, Source, CHECKOUT_ENV, SOURCE_ENV, SPEC_ENV};

/// Arguments of `cargo xtask consumer-check`.
#[derive(Debug, clap::Args)]
pub struct ConsumerArgs {
    /// Add `[profile.dev.build-override] opt-level = 3` to the consumer's
    /// Cargo.toml (to measure what it costs: every build dependency and
    /// proc macro compiled optimised, for a faster build script).
    #[arg(long)]
    pub build_override: bool,
}

/// The consumer's `src/main.rs`: a client, a generated method and type.
pub const MAIN_RS: &str = r#"//! A crate outside the aiven-rust workspace (cargo xtask consumer-check).
use aiven_ext::aiven_api::types::ServiceCreateRequestBody;
use aiven_ext::aiven_api::ClientInfo;
use aiven_ext::AivenClient;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = AivenClient::builder()
        .base_url("http://127.0.0.1:9/v1")
        .build()?;
    let _list = client.service_list().project("consumer-check");
    let _body = ServiceCreateRequestBody::builder()
        .service_name("pg-consumer")
        .service_type("pg")
        .plan("startup-4");
    println!("consumer-check: a client for {}", client.baseurl());
    Ok(())
}
"#;

/// The consumer's `Cargo.toml`, depending on aiven-ext at `aiven_ext`.
pub fn manifest(aiven_ext: &Path, build_override: bool) -> String {
    let mut text = format!(
        "[package]\nname = \"aiven-consumer-check\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
         publish = false\n\n[dependencies]\naiven-ext = {{ path = {:?} }}\n",
        aiven_ext.display().to_string()
    );
    // Dependencies without debug info, as in this workspace (and worth it
    // for a user too: smaller, faster builds); the same profile lets the build
    // reuse the workspace's compiled dependencies.
    text.push_str("\n[profile.dev.package.\"*\"]\ndebug = false\n");
    if build_override {
        text.push_str(
            "\n# Optimised build-time dependencies: a faster aiven-api build script,\n\
             # a much slower first build.\n\
             [profile.dev.build-override]\nopt-level = 3\n",
        );
    }
    // Its own workspace, whatever directory it is in.
    text.push_str("\n[workspace]\n");
    text
}

/// The files of the working tree that the next commit would hold.
pub fn checkout_files(root: &Path) -> Result<Vec<PathBuf>> {
    let output = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(root)
        .output()
        .context("cannot run git ls-files")?;
    if !output.status.success() {
        bail!(
            "git ls-files failed in {}: {}",
            root.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let mut files: Vec<PathBuf> = output
        .stdout
        .split(|b| *b == 0)
        .filter(|name| !name.is_empty())
        .map(|name| PathBuf::from(String::from_utf8_lossy(name).into_owned()))
        // Deleted in the working tree but still in the index.
        .filter(|name| root.join(name).is_file())
        .collect();
    files.sort();
    files.dedup();
    Ok(files)
}

/// Copies `files` (relative to `from`) into `to`.
pub fn copy_files(from: &Path, files: &[PathBuf], to: &Path) -> Result<()> {
    for file in files {
        let target = to.join(file);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        std::fs::copy(from.join(file), &target)
            .with_context(|| format!("cannot copy {}", file.display()))?;
    }
    Ok(())
}

/// What the consumer's build is given as `AIVEN_OPENAPI_SOURCE`, always
/// absolute: `$AIVEN_OPENAPI_SOURCE` (a relative path taken from the current
/// directory), else this checkout's fetched description, else the lock's source.
pub fn consumer_source(root: &Path) -> Result<String> {
    if let Some(text) = crate::fetch::env_source() {
        return Ok(match Source::parse(&text)? {
            Source::File(path) => std::path::absolute(&path)?.display().to_string(),
            Source::Http(url) => url,
        });
    }
    let fetched = root.join("openapi").join(aiven_openapi::SPEC_FILE);
    if fetched.exists() {
        return Ok(fetched.display().to_string());
    }
    Ok(crate::lock::Lock::read(&root.join("openapi"))?.source)
}

/// `cargo xtask consumer-check`.
pub fn run(args: &ConsumerArgs) -> Result<()> {
    let root = crate::workspace_root();
    let work = std::env::temp_dir().join(format!(
        "aiven-rust-consumer-{}",
        &sha256_hex(root.display().to_string().as_bytes())[..12]
    ));
    let checkout = work.join("aiven-rust");
    let app = work.join("consumer");
    if work.exists() {
        std::fs::remove_dir_all(&work)
            .with_context(|| format!("cannot remove {}", work.display()))?;
    }
    let files = checkout_files(&root)?;
    copy_files(&root, &files, &checkout)?;
    let spec_in_copy = checkout.join("openapi").join(aiven_openapi::SPEC_FILE);
    if spec_in_copy.exists() {
        bail!(
            "{} was copied: the consumer must build without a fetched description",
            spec_in_copy.display()
        );
    }
    std::fs::create_dir_all(app.join("src"))?;
    std::fs::write(
        app.join("Cargo.toml"),
        manifest(&checkout.join("aiven-ext"), args.build_override),
    )?;
    std::fs::write(app.join("src/main.rs"), MAIN_RS)?;
    // The workspace's resolution, so the registry dependencies are the same
    // versions (and already downloaded: the build is --offline).
    std::fs::copy(root.join("Cargo.lock"), app.join("Cargo.lock"))?;

    let source = consumer_source(&root)?;
    // The workspace's: the registry dependencies are built there already.
    let target = crate::target_dir();
    println!(
        "consumer-check: {} files copied to {}; {SOURCE_ENV}={source}; \
         build-override {}; CARGO_TARGET_DIR={}",
        files.len(),
        checkout.display(),
        if args.build_override {
            "opt-level 3"
        } else {
            "off"
        },
        target.display()
    );
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let started = Instant::now();
    let status = Command::new(&cargo)
        .args(["build", "--offline"])
        .current_dir(&app)
        .env("CARGO_TARGET_DIR", &target)
        .env(SOURCE_ENV, &source)
        .env_remove(SPEC_ENV)
        .env_remove(CHECKOUT_ENV)
        .status()
        .map_err(|e| anyhow!("cannot run {cargo}: {e}"))?;
    let build_secs = started.elapsed().as_secs_f64();
    if !status.success() {
        bail!(
            "the consumer crate in {} did not build ({status})",
            app.display()
        );
    }
    let stats = crate::build_cost::newest_build_stats(&target.join("debug/build"))?;
    let run = Command::new(target.join("debug/aiven-consumer-check"))
        .output()
        .context("cannot run the consumer")?;
    let said = String::from_utf8_lossy(&run.stdout);
    if !run.status.success() || !said.starts_with("consumer-check: a client for ") {
        bail!(
            "the consumer ran badly ({}): {said}{}",
            run.status,
            String::from_utf8_lossy(&run.stderr)
        );
    }
    print!("{said}");
    println!(
        "ok: consumer built offline in {build_secs:.0} s; aiven-api's build script took {:.1} s \
         ({} input, {} generated lines), build-override {}",
        stats["build_script_ms"].as_f64().unwrap_or_default() / 1000.0,
        stats["input"].as_str().unwrap_or("unknown"),
        stats["generated_lines"],
        if args.build_override {
            "opt-level 3"
        } else {
            "off"
        },
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_depends_by_path_and_sets_the_build_override_on_request() {
        let m = manifest(Path::new("/c/aiven-ext"), true);
        assert!(
            m.contains("aiven-ext = { path = \"/c/aiven-ext\" }\n"),
            "{m}"
        );
        assert!(
            m.contains("[profile.dev.build-override]\nopt-level = 3\n"),
            "{m}"
        );
        assert!(
            m.contains("[profile.dev.package.\"*\"]\ndebug = false\n"),
            "{m}"
        );
        assert!(m.ends_with("\n[workspace]\n"), "{m}");
        let without = manifest(Path::new("/c/aiven-ext"), false);
        assert!(!without.contains("build-override"), "{without}");
    }

    #[test]
    fn checkout_files_list_tracked_and_new_files_but_not_ignored_ones() {
        let files = checkout_files(&crate::workspace_root()).unwrap();
        let has = |p: &str| files.iter().any(|f| f == Path::new(p));
        assert!(has("Cargo.toml") && has("openapi/aiven-openapi.lock.json"));
        assert!(has("xtask/src/consumer.rs"));
        assert!(!has("openapi/aiven-openapi.spec"));
        assert!(!files.iter().any(|f| f.starts_with("target")));
    }
}
