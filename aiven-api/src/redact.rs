//! Secrets kept out of what is printed: the runtime half of the rule that
//! also writes the generated types' `Debug` (a property name's words decide:
//! `password`, `*_secret`, `access_key`, `*_token`, … are secrets; `*_uri`,
//! `*_url` are URIs whose password is masked). The rule's source is
//! `aiven-openapi`'s `sensitive_names.rs`, compiled here from `OUT_DIR` so
//! that both halves are one rule.

use std::borrow::Cow;
use std::fmt;

use serde_json::Value;

mod rule {
    #![allow(dead_code)]
    include!(concat!(env!("OUT_DIR"), "/sensitive_names.rs"));
}

/// What is printed in place of a secret.
pub const REDACTED: &str = "** redacted **";

/// Whether a property (or map key) named `name` holds a secret or a URI.
pub fn is_sensitive(name: &str) -> bool {
    rule::sensitivity(name).is_some()
}

/// Whether the value of `name` is a secret as a whole (not a URI, whose
/// password alone is masked).
fn is_secret(name: &str) -> bool {
    rule::sensitivity(name) == Some(rule::Sensitivity::Secret)
}

/// `text` with the password of every `scheme://user:password@` in it
/// masked (the user stays: it says which account), and of every
/// `scheme://user@` the user (alone, it may be a token).
pub fn url(text: &str) -> Cow<'_, str> {
    mask_urls(text, false)
}

/// [`url`]; `cut`: the text was cut short, so a URL running to its end
/// without an `@` may be a password cut before it.
fn mask_urls(text: &str, cut: bool) -> Cow<'_, str> {
    let mut out = String::new();
    let mut rest = text;
    let mut changed = false;
    while let Some(scheme_end) = rest.find("://") {
        let authority_start = scheme_end + 3;
        let after = &rest[authority_start..];
        let authority_len = after
            .find(|c: char| matches!(c, '/' | '?' | '#' | '"' | '\'' | ' ' | ',' | '\n'))
            .unwrap_or(after.len());
        let authority = &after[..authority_len];
        // Cut before its `@`: `user:pass…` cannot be told from `host:port`,
        // so what follows the `:` is masked.
        let cut_short = cut && authority_len == after.len() && !authority.contains('@');
        match authority.rfind('@') {
            Some(at) if authority[..at].contains(':') => {
                let user_end = authority.find(':').expect("checked");
                out.push_str(&rest[..authority_start + user_end + 1]);
                out.push_str(REDACTED);
                out.push_str(&authority[at..]);
                changed = true;
            }
            // A user without a password may itself be a token
            // (`https://<token>@host`): all of it is masked.
            Some(at) => {
                out.push_str(&rest[..authority_start]);
                out.push_str(REDACTED);
                out.push_str(&authority[at..]);
                changed = true;
            }
            None if cut_short && authority.contains(':') => {
                let user_end = authority.find(':').expect("checked");
                out.push_str(&rest[..authority_start + user_end + 1]);
                out.push_str(REDACTED);
                changed = true;
            }
            _ => out.push_str(&rest[..authority_start + authority_len]),
        }
        rest = &after[authority_len..];
    }
    if !changed {
        return Cow::Borrowed(text);
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// `value` with secrets masked at any depth: the values of secret-named
/// keys (whole, whatever their type), passwords of URLs in any string.
pub fn value(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(url(s).into_owned()),
        Value::Array(items) => Value::Array(items.iter().map(self::value).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::Null => Value::Null,
                        _ if is_secret(k) => Value::String(REDACTED.to_owned()),
                        v => self::value(v),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Text that may be JSON, cut anywhere, or not JSON at all (an error body
/// kept for diagnosis), with secrets masked: the string after a
/// secret-named key (`"password": "…"`) — all strings inside, when the
/// value is an object or array — and the passwords of URLs anywhere. A cut
/// inside a secret masks what there is of it. Never panics.
pub fn text(input: &str) -> String {
    let bytes = input.as_bytes();
    let mut out = String::with_capacity(input.len());
    // The last string read, when it may be a key; the depth at which a
    // secret-named key's value started (everything inside is masked).
    let mut last_string: Option<String> = None;
    let mut masking_depth: Option<usize> = None;
    let mut depth = 0usize;
    let mut pending_secret = false;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'"' => {
                // The string's extent: to the unescaped closing quote, or the end.
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != b'"' {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                let end = j.min(bytes.len());
                let content = &input[i + 1..end];
                let closed = j < bytes.len();
                let is_value = pending_secret || masking_depth.is_some();
                // A key is a string followed by `:`.
                let next = input[(end + usize::from(closed)).min(input.len())..].trim_start();
                let is_key = closed && next.starts_with(':');
                out.push('"');
                if is_value && !is_key {
                    out.push_str(REDACTED);
                    pending_secret = false;
                } else {
                    out.push_str(&mask_urls(content, !closed));
                }
                if closed {
                    out.push('"');
                }
                last_string = is_key.then(|| content.to_owned());
                i = end + usize::from(closed);
                continue;
            }
            b':' => {
                if masking_depth.is_none() {
                    pending_secret = last_string.as_deref().is_some_and(is_secret);
                }
            }
            b'{' | b'[' => {
                if pending_secret && masking_depth.is_none() {
                    masking_depth = Some(depth);
                    pending_secret = false;
                }
                depth += 1;
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if masking_depth == Some(depth) {
                    masking_depth = None;
                }
            }
            b',' => pending_secret = false,
            _ if pending_secret && !c.is_ascii_whitespace() => {
                // A number or literal as a secret's value.
                let end = input[i..]
                    .find([',', '}', ']', '\n'])
                    .map_or(input.len(), |n| i + n);
                out.push_str(REDACTED);
                pending_secret = false;
                i = end;
                continue;
            }
            _ => {}
        }
        // Multi-byte characters are copied whole.
        let width = input[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&input[i..i + width]);
        i += width;
    }
    out
}

/// `Debug` of a secret-named field: `None` when absent (or null); a value
/// (a string, a number, a list of them) as `"** redacted **"`; objects —
/// `tokens` is a list of token descriptions, `credentials` may hold a user
/// name — as their JSON with [`value`]'s masking, so what is not secret in
/// them stays readable. Used by the generated types' `Debug`.
pub struct Secret<'a, T: ?Sized>(pub &'a T);

impl<T: serde::Serialize + ?Sized> fmt::Debug for Secret<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let has_objects = |v: &Value| match v {
            Value::Object(_) => true,
            Value::Array(items) => items.iter().any(Value::is_object),
            _ => false,
        };
        match serde_json::to_value(self.0) {
            Ok(Value::Null) => f.write_str("None"),
            Ok(v) if has_objects(&v) => write!(f, "{}", value(&v)),
            _ => write!(f, "{REDACTED:?}"),
        }
    }
}

/// `Debug` of a URI or free-form JSON field: its JSON with [`value`]'s
/// masking; `None` when absent. Used by the generated types' `Debug`.
pub struct Masked<'a, T: ?Sized>(pub &'a T);

impl<T: serde::Serialize + ?Sized> fmt::Debug for Masked<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match serde_json::to_value(self.0) {
            Ok(Value::Null) => f.write_str("None"),
            Ok(v) => write!(f, "{}", value(&v)),
            Err(_) => f.write_str(REDACTED),
        }
    }
}

/// `Debug` of a builder's secret or free-form field: always redacted.
pub struct Hidden;

impl fmt::Debug for Hidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{REDACTED:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_password_only() {
        assert_eq!(
            url("postgres://avnadmin:pw1@pg.example:5432/db?sslmode=require"),
            "postgres://avnadmin:** redacted **@pg.example:5432/db?sslmode=require"
        );
        assert_eq!(
            url(r#"["rediss://default:p@ss@v.example:1", "https://h.example/a@b"]"#),
            r#"["rediss://default:** redacted **@v.example:1", "https://h.example/a@b"]"#
        );
        assert!(matches!(url("https://api.aiven.io/v1"), Cow::Borrowed(_)));
        // A user alone may be a token (`https://<token>@host`).
        assert_eq!(
            url("https://tok3n@h.example/v1"),
            "https://** redacted **@h.example/v1"
        );
        assert_eq!(url("://"), "://");
    }

    #[test]
    fn values_mask_secret_keys_at_any_depth() {
        let v = serde_json::json!({
            "pg": ["postgres://u:pw2@h:1/db"],
            "pg_params": [{"host": "h", "password": "pw3", "port": 1}],
            "admin_password": null,
            "credentials": {"token": "tk"},
        });
        let shown = value(&v).to_string();
        for secret in ["pw2", "pw3", "tk"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("\"host\":\"h\"") && shown.contains("\"admin_password\":null"));
    }

    /// Every prefix of a body with secrets, redacted, shows none of them,
    /// not even a part of one.
    #[test]
    fn text_masks_every_prefix() {
        let body = r#"{"service": {"service_name": "pg-1", "password": "hunter2hunter2", "port": 5432,
            "service_uri": "postgres://avnadmin:s3cr3tpass@pg.example:5432/defaultdb",
            "users": [{"username": "ci", "access_key": "-----BEGIN KEY----- kkkkkkkk", "password": 12345678}],
            "credentials": {"a": "cccccccc", "b": ["dddddddd"]}, "state": "RUNNING", "note": "ünïcode"}}"#;
        let secrets = ["hunter2", "s3cr3t", "kkkk", "12345678", "cccc", "dddd"];
        for cut in 0..=body.len() {
            if !body.is_char_boundary(cut) {
                continue;
            }
            let shown = text(&body[..cut]);
            for secret in secrets {
                // A cut inside a secret leaves a piece of it: still masked.
                for piece in 4..=secret.len() {
                    assert!(!shown.contains(&secret[..piece]), "cut {cut}: {shown}");
                }
            }
        }
        let whole = text(body);
        assert!(
            whole.contains(r#""service_name": "pg-1""#) && whole.contains("avnadmin"),
            "{whole}"
        );
        assert!(
            whole.contains("ünïcode") && whole.contains("RUNNING"),
            "{whole}"
        );
    }

    #[test]
    fn ports_are_not_passwords() {
        assert_eq!(url("https://h.example:8080"), "https://h.example:8080");
        assert_eq!(
            text(r#"{"u": "https://h.example:8080"}"#),
            r#"{"u": "https://h.example:8080"}"#
        );
        // Cut inside the string: the port may be a password's start.
        assert_eq!(
            text(r#"{"u": "https://user:pa"#),
            r#"{"u": "https://user:** redacted **"#
        );
    }

    #[test]
    fn text_never_panics() {
        for s in [
            "",
            "\"",
            "\"\\",
            "{\"password\":",
            "{\"password\": \"",
            "]]]}}}",
            "\"a\\\"",
            "é\"password\"é:é",
        ] {
            let _ = text(s);
        }
        assert_eq!(text("plain words"), "plain words");
    }
}
