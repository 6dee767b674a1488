//! Secrets in text this crate prints: the one redaction of the Aiven crates
//! (`aiven-redact`, through `aiven_api::redact`), the rule the generated
//! types' `Debug` follows.

pub(crate) use aiven_api::redact::{text, url, Masked, REDACTED};
