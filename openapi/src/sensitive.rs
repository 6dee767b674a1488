//! Which properties hold secrets: the one rule ([`sensitivity`], by the
//! property's name, from the `aiven-redact` crate) behind the generated
//! types' `Debug` (see [`crate::codegen`]) and, at run time, every masking
//! of `aiven_api::redact`, `aiven-ext` and the simulator's journal, which
//! depend on the same crate so that they never disagree. [`scan`] lists
//! what the rule matches in a description, for review
//! (`cargo xtask normalize --stats`).
//!
//! No description of Aiven's has a `format: password` (June 2026 and
//! November 2023 alike), so the name is the whole rule.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

use crate::walk;

pub use aiven_redact::{sensitivity, Sensitivity};

/// What the rule matches in a description: wire name → (how it is masked,
/// how many schemas have the property).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Matches {
    pub names: BTreeMap<String, (Sensitivity, usize)>,
}

impl Matches {
    /// Matched property occurrences of one kind.
    pub fn count(&self, kind: Sensitivity) -> usize {
        self.names
            .values()
            .filter(|(k, _)| *k == kind)
            .map(|(_, n)| n)
            .sum()
    }
}

impl fmt::Display for Matches {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (kind, label) in [
            (Sensitivity::Secret, "redacted: secret properties"),
            (Sensitivity::Uri, "redacted: URI properties"),
        ] {
            let names: Vec<String> = self
                .names
                .iter()
                .filter(|(_, (k, _))| *k == kind)
                .map(|(name, (_, n))| format!("{name} ({n})"))
                .collect();
            writeln!(f, "{label:<34} {:>4}", self.count(kind))?;
            writeln!(f, "  {} names: {}", names.len(), names.join(", "))?;
        }
        Ok(())
    }
}

/// Every property of every schema of `doc` that the rule matches, by its
/// wire name (a renamed key's `x-aiven-wire-names` entry).
pub fn scan(doc: &Value) -> Matches {
    let mut out = Matches::default();
    for root in walk::schema_roots(doc) {
        let Some(schema) = doc.pointer(&root.pointer) else {
            continue;
        };
        walk::walk_pre(schema, &mut Vec::new(), &mut |_, object| {
            let Some(Value::Object(props)) = object.get("properties") else {
                return;
            };
            for key in props.keys() {
                let name = object
                    .get(crate::rules::WIRE_NAMES_EXTENSION)
                    .and_then(|w| w.get(key))
                    .and_then(Value::as_str)
                    .unwrap_or(key);
                if let Some(kind) = sensitivity(name) {
                    out.names.entry(name.to_string()).or_insert((kind, 0)).1 += 1;
                }
            }
        });
    }
    out
}
#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn scan_counts_every_schema_with_the_property() {
        let doc = json!({
            "openapi": "3.0.1",
            "paths": {"/u": {"post": {
                "operationId": "UserCreate",
                "requestBody": {"content": {"application/json": {"schema": {
                    "type": "object",
                    "properties": {"password": {"type": "string"}, "name": {"type": "string"}},
                }}}},
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/User"},
                }}}},
            }}},
            "components": {"schemas": {"User": {
                "type": "object",
                crate::rules::WIRE_NAMES_EXTENSION: {"access_key_": "access-key"},
                "properties": {
                    "password": {"type": "string"},
                    "service_uri": {"type": "string"},
                    "access_key_": {"type": "string"},
                    "tags": {"type": "object", "properties": {"key": {"type": "string"}}},
                },
            }}},
        });
        let m = scan(&doc);
        let got: Vec<(&str, Sensitivity, usize)> = m
            .names
            .iter()
            .map(|(n, (k, c))| (n.as_str(), *k, *c))
            .collect();
        assert_eq!(
            got,
            [
                ("access-key", Sensitivity::Secret, 1),
                ("password", Sensitivity::Secret, 2),
                ("service_uri", Sensitivity::Uri, 1),
            ]
        );
        assert_eq!(m.count(Sensitivity::Secret), 3);
        let shown = m.to_string();
        assert!(
            shown.contains("\n  2 names: access-key (1), password (2)\n"),
            "{shown}"
        );
    }
}
