//! Secrets in text this crate prints: the rule of `aiven_api::redact`, the
//! same one the generated types' `Debug` follows.

pub(crate) use aiven_api::redact::{text, url};
