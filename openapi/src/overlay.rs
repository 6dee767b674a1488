//! The targeted overlay: facts about single schemas that no general rule can
//! infer (for example that the API gives `null` a meaning in one property).
//!
//! `openapi/overlay.json` holds `{"entries": [{"comment", "target", "merge"}]}`:
//! each entry is a JSON merge patch (RFC 7396) applied at the JSON pointer
//! `target`, which must exist, so that an entry that no longer applies to a
//! newer description fails loudly instead of adding a stray schema.

use serde::Deserialize;
use serde_json::Value;

use crate::Error;

#[derive(Deserialize)]
struct Overlay {
    entries: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    /// Why this fact is true and where it comes from. Required.
    comment: String,
    /// JSON pointer into the published description.
    target: String,
    /// JSON merge patch applied at `target`.
    merge: Value,
}

/// Applies every entry; returns how many were applied.
pub fn apply(doc: &mut Value, overlay: &Value) -> Result<usize, Error> {
    let overlay: Overlay = serde_json::from_value(overlay.clone())
        .map_err(|e| Error::Invalid(format!("overlay is malformed: {e}")))?;
    for (index, entry) in overlay.entries.iter().enumerate() {
        let fail = |reason: &str| Error::Overlay {
            index,
            comment: entry.comment.clone(),
            reason: reason.to_string(),
        };
        if entry.comment.trim().is_empty() {
            return Err(fail("every entry needs a comment saying why"));
        }
        let target = doc
            .pointer_mut(&entry.target)
            .ok_or_else(|| fail(&format!("target `{}` does not exist", entry.target)))?;
        json_patch::merge(target, &entry.merge);
    }
    Ok(overlay.entries.len())
}
