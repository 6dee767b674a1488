//! Library side of `cargo xtask`: every command's logic lives here so tests can
//! call it with their own directories; `main.rs` only parses arguments and
//! dispatches.

pub mod atomic;
pub mod build_cost;
pub mod diff;
pub mod fetch;
pub mod lock;
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
