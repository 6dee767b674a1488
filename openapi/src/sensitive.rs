//! Which properties hold secrets: the one rule ([`sensitivity`], by the
//! property's name) behind the generated types' `Debug` (see
//! [`crate::codegen`]) and `aiven_api::redact`, which compiles the same
//! source ([`NAME_RULE_SOURCE`], written into its `OUT_DIR` by its build
//! script) so the two never disagree. [`scan`] lists what the rule matches
//! in a description, for review (`cargo xtask normalize --stats`).
//!
//! No description of Aiven's has a `format: password` (June 2026 and
//! November 2023 alike), so the name is the whole rule.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

use crate::walk;

include!("sensitive_names.rs");

/// The source of the name rule, for aiven-api's runtime redactor.
pub const NAME_RULE_SOURCE: &str = include_str!("sensitive_names.rs");

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
    fn secrets_are_the_head_noun() {
        for name in [
            "password",
            "admin_password",
            "new_password",
            "sasl_plain_password",
            "passwd",
            "client_secret",
            "token",
            "full_token",
            "stripe_token",
            "x-amz-security-token",
            "otp",
            "hmac",
            "download_cookie",
            "credentials",
            "Authorization",
            "X-Amz-Signature",
            "apiKey",
            "access_key",
            "kafka_access_key",
            "ssl_key",
            "private_key",
            "private_key_pem",
            "secret_access_key",
            "password_hash",
            "access_cert",
            "kafka_access_cert",
            "ssl_client_cert",
            "sasl_jaas_config",
            "ssl_keystore",
        ] {
            assert_eq!(sensitivity(name), Some(Sensitivity::Secret), "{name}");
        }
    }

    #[test]
    fn uris_are_masked_not_hidden() {
        for name in [
            "service_uri",
            "connection_uri",
            "source_service_uri",
            "uri",
            "docURL",
            "download_url",
            "dsn",
            "jdbc_connection_string",
        ] {
            assert_eq!(sensitivity(name), Some(Sensitivity::Uri), "{name}");
        }
    }

    #[test]
    fn look_alikes_are_not_secrets() {
        for name in [
            "key",
            "keys",
            "public_key",
            "key_id",
            "redis_acl_keys",
            "valkey_acl_keys",
            "ca_cert",
            "saml_cert",
            "saml_certificate",
            "certificate",
            "kafka_ssl_ca",
            "token_count",
            "token_prefix",
            "access_token_expiry",
            "refresh_token_expiry",
            "token_validity_begin",
            "auth_token_max_age_seconds",
            "personal_tokens_enabled",
            "next_page_token",
            "challenge_token",
            "password_strength",
            "password_auth_enabled",
            "password_updated_time",
            "min_password_length",
            "credentials_consumed",
            "credentials_user_id",
            "sum_sort_merge_passes",
            "access_cert_not_valid_after_time",
            "authentication",
            "auth",
            "ssl",
            "service_uri_params",
            "bypass",
            "hash",
            "value",
            "",
            "_",
        ] {
            assert_eq!(sensitivity(name), None, "{name}");
        }
    }

    #[test]
    fn words_split_at_separators_and_case() {
        assert_eq!(name_words("docURL"), ["doc", "url"]);
        assert_eq!(name_words("URLPath"), ["url", "path"]);
        assert_eq!(name_words("X-Amz-Signature"), ["x", "amz", "signature"]);
        assert_eq!(name_words("kafka.ssl_key"), ["kafka", "ssl", "key"]);
        assert_eq!(name_words("apiKey2"), ["api", "key2"]);
        assert!(name_words("").is_empty());
    }

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
