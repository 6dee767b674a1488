//! Two checkouts sharing one CARGO_TARGET_DIR never reuse each other's build
//! script output. Cargo gives a path package the same unit hash in every
//! checkout (so both use the same OUT_DIR) and decides freshness by mtimes,
//! so a second checkout whose files are older than the first one's build got
//! the first one's generated client. The workspace's `.cargo/config.toml`
//! sets `AIVEN_RUST_CHECKOUT` to the checkout's absolute path and the build
//! scripts declare `rerun-if-env-changed=AIVEN_RUST_CHECKOUT`
//! (`aiven_openapi::source::select`).
//!
//! Shown on a crate with no dependencies (seconds, not a client build) whose
//! build script declares what `select` declares, with the real config file.

use std::path::Path;
use std::process::Command;

use aiven_openapi::source::CHECKOUT_ENV;

const BUILD_RS: &str = r#"fn main() {
    println!("cargo:rerun-if-env-changed=AIVEN_RUST_CHECKOUT");
    println!("cargo:rerun-if-changed=build.rs");
    let out = std::env::var("OUT_DIR").unwrap();
    let checkout = std::env::var("CARGO_MANIFEST_DIR").unwrap();
    std::fs::write(format!("{out}/generated.rs"), format!("pub const CHECKOUT: &str = {checkout:?};")).unwrap();
}
"#;

const MAIN_RS: &str = r#"include!(concat!(env!("OUT_DIR"), "/generated.rs"));
fn main() { println!("{CHECKOUT}"); }
"#;

fn checkout(dir: &Path) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::create_dir_all(dir.join(".cargo")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"probe\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::write(dir.join("build.rs"), BUILD_RS).unwrap();
    std::fs::write(dir.join("src/main.rs"), MAIN_RS).unwrap();
    let config = xtask::workspace_root().join(".cargo/config.toml");
    std::fs::copy(config, dir.join(".cargo/config.toml")).unwrap();
}

/// Sets every file's modification time to an hour ago, so the checkout looks
/// older than anything built after.
fn age(dir: &Path) {
    let past = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for entry in [
        "Cargo.toml",
        "build.rs",
        "src/main.rs",
        ".cargo/config.toml",
    ] {
        let file = std::fs::File::options()
            .write(true)
            .open(dir.join(entry))
            .unwrap();
        file.set_modified(past).unwrap();
    }
}

/// Builds and runs the probe in `dir` with the shared target dir; returns
/// what it prints (the checkout its build script ran for).
fn build_and_run(dir: &Path, target: &Path) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(&cargo)
        .args(["run", "--quiet", "--offline"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        // The test itself runs with this workspace's [env]; a set variable
        // would win over the probe's config file.
        .env_remove(CHECKOUT_ENV)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

#[test]
fn two_checkouts_sharing_a_target_dir_each_get_their_own_build_script_output() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, target) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("target"),
    );
    checkout(&a);
    checkout(&b);
    age(&b);
    let a_text = a.display().to_string();
    let b_text = b.display().to_string();
    assert_eq!(build_and_run(&a, &target), a_text);
    // b's files are older than a's build: mtimes alone would call it fresh.
    assert_eq!(build_and_run(&b, &target), b_text);
    assert_eq!(build_and_run(&a, &target), a_text);
    // One OUT_DIR for both: the same unit hash in both checkouts.
    let runs = std::fs::read_dir(target.join("debug/build"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().join("out").exists())
        .count();
    assert_eq!(runs, 1);
}
