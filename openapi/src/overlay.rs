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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn doc() -> Value {
        json!({"components": {"schemas": {"ServiceUpdateRequestBody": {"type": "object", "properties": {
            "project_vpc_id": {"type": "string", "description": "VPC", "maxLength": 36},
            "plan": {"type": "string"},
        }}}}})
    }

    #[test]
    fn entries_are_merge_patches_at_their_target() {
        let mut d = doc();
        let overlay = json!({"entries": [
            {
                "comment": "null moves the service to the public network",
                "target": "/components/schemas/ServiceUpdateRequestBody/properties/project_vpc_id",
                "merge": {"nullable": true, "maxLength": null},
            },
            {
                "comment": "plans are documented",
                "target": "/components/schemas/ServiceUpdateRequestBody",
                "merge": {"description": "Update", "properties": {"plan": {"description": "Plan"}}},
            },
        ]});
        assert_eq!(apply(&mut d, &overlay).unwrap(), 2);
        assert_eq!(
            d,
            json!({"components": {"schemas": {"ServiceUpdateRequestBody": {
                "type": "object",
                "description": "Update",
                "properties": {
                    "project_vpc_id": {"type": "string", "description": "VPC", "nullable": true},
                    "plan": {"type": "string", "description": "Plan"},
                },
            }}}})
        );
        // No entries, no change.
        let before = d.clone();
        assert_eq!(apply(&mut d, &json!({"entries": []})).unwrap(), 0);
        assert_eq!(d, before);
    }

    #[test]
    fn a_missing_target_fails_naming_it() {
        let mut d = doc();
        let overlay = json!({"entries": [
            {"comment": "fine", "target": "/components/schemas/ServiceUpdateRequestBody", "merge": {}},
            {"comment": "gone in a newer spec", "target": "/components/schemas/Nope/properties/x", "merge": {"nullable": true}},
        ]});
        let err = apply(&mut d, &overlay).unwrap_err();
        assert!(
            matches!(&err, Error::Overlay { index: 1, comment, .. } if comment == "gone in a newer spec")
        );
        assert_eq!(
            err.to_string(),
            "overlay entry 1 (gone in a newer spec): target `/components/schemas/Nope/properties/x` does not exist"
        );
        // Nothing stray was added.
        assert!(d.pointer("/components/schemas/Nope").is_none());
    }

    #[test]
    fn every_entry_needs_a_comment() {
        let mut d = doc();
        let overlay = json!({"entries": [
            {"comment": "  ", "target": "/components", "merge": {"x": 1}},
        ]});
        let err = apply(&mut d, &overlay).unwrap_err();
        assert_eq!(
            err.to_string(),
            "overlay entry 0 (  ): every entry needs a comment saying why"
        );
        assert_eq!(d, doc());
    }

    #[test]
    fn a_malformed_overlay_is_refused() {
        let mut d = doc();
        for bad in [
            json!({"entries": [{"target": "/components", "merge": {}}]}),
            json!({"entries": {}}),
            json!([]),
        ] {
            let err = apply(&mut d, &bad).unwrap_err();
            assert!(matches!(err, Error::Invalid(_)), "{bad}");
            assert!(
                err.to_string().starts_with("overlay is malformed: "),
                "{err}"
            );
        }
        let err = apply(
            &mut d,
            &json!({"entries": [{"target": "/components", "merge": {}}]}),
        )
        .unwrap_err();
        assert!(err.to_string().contains("missing field `comment`"), "{err}");
    }

    #[test]
    fn the_committed_overlay_applies_to_the_published_description() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let spec = dir.join(crate::SPEC_FILE);
        assert!(
            spec.exists(),
            "{} is missing: run `cargo xtask fetch`",
            spec.display()
        );
        let mut d = crate::read_spec_file(&spec).unwrap();
        let overlay = crate::read_json(&dir.join("overlay.json")).unwrap();
        let n = apply(&mut d, &overlay).unwrap();
        assert_eq!(n, overlay["entries"].as_array().unwrap().len());
        for entry in overlay["entries"].as_array().unwrap() {
            let target = d.pointer(entry["target"].as_str().unwrap()).unwrap();
            for (k, v) in entry["merge"].as_object().unwrap() {
                if !v.is_null() && !v.is_object() {
                    assert_eq!(&target[k], v, "{}", entry["target"]);
                }
            }
        }
    }
}
