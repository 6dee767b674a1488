//! Library side of `cargo xtask`: every command's logic lives here so tests can
//! call it with their own directories; `main.rs` only parses arguments and
//! dispatches.

pub mod atomic;
pub mod build_cost;
pub mod check_spec;
pub mod consumer;
pub mod diff;
pub mod fetch;
pub mod latest;
pub mod lock;
pub mod names;
pub mod pipeline;
pub mod source;
pub mod spec;
pub mod workflow;

use std::path::{Path, PathBuf};

/// The workspace root: the parent of this crate's manifest directory.
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// The directory `fetch` writes the spec and its lock into.
pub fn openapi_dir() -> PathBuf {
    workspace_root().join("openapi")
}

/// `path` relative to the workspace root when it lies inside it, for messages.
pub fn display_path(path: &Path) -> String {
    let root = workspace_root();
    path.strip_prefix(&root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Cargo's target directory as the builds the xtask starts see it:
/// `$CARGO_TARGET_DIR` (relative to the current directory, as cargo takes it)
/// or `<workspace>/target`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                std::env::current_dir().unwrap_or_default().join(dir)
            }
        }
        _ => workspace_root().join("target"),
    }
}

/// The most recently written `out/<file>` of a build script of `package`
/// under `build_dir` (`<target>/debug/build`): each build script run of a
/// package has its own `<package>-<hash>` directory.
pub fn newest_build_output(build_dir: &Path, package: &str, file: &str) -> Option<PathBuf> {
    let prefix = format!("{package}-");
    let mut newest: Option<(std::time::SystemTime, PathBuf)> = None;
    for entry in std::fs::read_dir(build_dir).ok()?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_package = name
            .strip_prefix(&prefix)
            .is_some_and(|hash| hash.chars().all(|c| c.is_ascii_hexdigit()));
        if !is_package {
            continue;
        }
        let path = entry.path().join("out").join(file);
        if let Ok(modified) = std::fs::metadata(&path).and_then(|m| m.modified()) {
            if newest.as_ref().is_none_or(|(t, _)| modified > *t) {
                newest = Some((modified, path));
            }
        }
    }
    newest.map(|(_, path)| path)
}
