//! The one redaction of the Aiven crates: the name rule ([`sensitivity`]:
//! `password`, `*_secret`, `access_key`, `*_token`, `download_cookie`, … are
//! secrets; `*_uri`, `*_url` are URIs) and the masking that follows it, in
//! JSON values ([`value`], [`redact_in_place`]), URIs in any text ([`url`],
//! [`query`]), text that may be cut JSON ([`text`]) and request paths
//! ([`path`]). `aiven-api` (the generated types' `Debug` and the span),
//! `aiven-ext` (errors, logs) and `aiven-sim` (its journal and request log)
//! all mask through it, and `aiven-openapi` decides the generated `Debug`
//! impls by the same [`sensitivity`], so no two of them can disagree.
//!
//! Everything here is linear in its input and never panics on hostile input.

use std::borrow::Cow;

use serde_json::Value;

mod names;
mod text;

pub use names::{sensitivity, Sensitivity};
pub use text::{query, text, url};

/// What is printed in place of a secret.
pub const REDACTED: &str = "** redacted **";

/// Whether a property, map key or parameter named `name` holds a secret or
/// a URI.
pub fn is_sensitive(name: &str) -> bool {
    sensitivity(name).is_some()
}

/// Whether the value of `name` is a secret as a whole (not a URI, whose
/// password alone is masked).
pub fn is_secret(name: &str) -> bool {
    sensitivity(name) == Some(Sensitivity::Secret)
}

/// `value` with secrets masked at any depth: the values of secret-named
/// keys (whole, whatever their type; `null` stays `null`), URIs as by
/// [`url`] in every string.
pub fn value(value: &Value) -> Value {
    let mut masked = value.clone();
    redact_in_place(&mut masked);
    masked
}

/// [`value`], in place.
pub fn redact_in_place(value: &mut Value) {
    match value {
        Value::String(s) => {
            if let Cow::Owned(masked) = url(s) {
                *s = masked;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_in_place),
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                match v {
                    Value::Null => {}
                    _ if is_secret(k) => *v = Value::String(REDACTED.to_owned()),
                    v => redact_in_place(v),
                }
            }
        }
        _ => {}
    }
}

/// `path`, a request path for the operation whose path template is
/// `template` (`/project/{project}/invoice/{invoice_number}/{download_cookie}`),
/// with every segment whose parameter name is sensitive replaced by
/// [`REDACTED`]. The template is matched to the path's last segments, so a
/// base path (`/v1`) before it does not matter; a path that does not fit
/// the template has masked what does fit.
pub fn path<'a>(path: &'a str, template: &str) -> Cow<'a, str> {
    let secret_at: Vec<usize> = template
        .rsplit('/')
        .enumerate()
        .filter(|(_, t)| {
            t.strip_prefix('{')
                .and_then(|t| t.strip_suffix('}'))
                .is_some_and(is_sensitive)
        })
        .map(|(from_end, _)| from_end)
        .collect();
    if secret_at.is_empty() {
        return Cow::Borrowed(path);
    }
    let mut segments: Vec<&str> = path.split('/').collect();
    let n = segments.len();
    let mut changed = false;
    for from_end in secret_at {
        if let Some(segment) = n.checked_sub(from_end + 1).map(|i| &mut segments[i]) {
            changed |= *segment != REDACTED;
            *segment = REDACTED;
        }
    }
    if !changed {
        return Cow::Borrowed(path);
    }
    Cow::Owned(segments.join("/"))
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
        assert_eq!(url("http://[::1]:8080/a@b"), "http://[::1]:8080/a@b");
    }

    /// Issue 18 item 4: `password`-like query parameters, wherever a URI is
    /// masked, and JDBC URIs that carry their login in the query.
    #[test]
    fn query_parameters_named_as_secrets_are_masked() {
        assert_eq!(
            url("jdbc:postgresql://pg.example:5432/defaultdb?user=avnadmin&password=pw9&ssl=true"),
            "jdbc:postgresql://pg.example:5432/defaultdb?user=avnadmin&password=** redacted **&ssl=true"
        );
        assert_eq!(
            url("https://b.example/o?X-Amz-Credential=AK&X-Amz-Signature=sig1&x=1#access_token=t2"),
            "https://b.example/o?X-Amz-Credential=** redacted **&X-Amz-Signature=** redacted **&x=1\
             #access_token=** redacted **"
        );
        // Encoded keys are decoded before the rule reads them.
        assert_eq!(url("/v1/x?pass%77ord=p"), "/v1/x?pass%77ord=** redacted **");
        assert_eq!(
            query("user=avnadmin&password=pw9"),
            "user=avnadmin&password=** redacted **"
        );
        assert_eq!(query("limit=10&page_token=abc"), "limit=10&page_token=abc");
        assert!(matches!(query("a=1&b"), Cow::Borrowed(_)));
    }

    /// Issue 18 item 4: a password the server did not encode (`/`, `?`,
    /// `#`, `@` in it) is masked whole, never in part.
    #[test]
    fn unencoded_userinfo_never_shows_any_of_the_password() {
        for (uri, password) in [
            ("postgres://avnadmin:ab/cd@pg.example:5432/db", "ab/cd"),
            ("postgres://avnadmin:ab?cd@pg.example:5432/db", "ab?cd"),
            ("postgres://avnadmin:ab#cd@pg.example:5432/db", "ab#cd"),
            ("postgres://avnadmin:a@b/c@pg.example:5432/db", "a@b/c"),
            ("rediss://default:x/y/z@r.example:1", "x/y/z"),
        ] {
            let shown = url(uri);
            assert_eq!(
                shown,
                uri.replace(password, REDACTED),
                "{uri} shown as {shown}"
            );
        }
    }

    #[test]
    fn masking_twice_changes_nothing() {
        for s in [
            "postgres://avnadmin:pw@h:1/db?password=p&x=1",
            "https://tok@h/x",
            "postgres://u:a/b@h/db",
            "https://user:pa",
        ] {
            let once = url(s).into_owned();
            assert_eq!(url(&once), once, "{s}");
            assert!(matches!(url(&once), Cow::Borrowed(_)), "{s}");
        }
    }

    #[test]
    fn values_mask_secret_keys_at_any_depth() {
        let v = serde_json::json!({
            "pg": ["postgres://u:pw2@h:1/db"],
            "pg_params": [{"host": "h", "password": "pw3", "port": 1}],
            "admin_password": null,
            "credentials": {"token": "tk"},
            // Issue 17: a URI under a key that does not name one.
            "note": "https://tok4@git.example/repo",
            "tags": [{"key": "auth_token", "value": "v"}],
        });
        let shown = value(&v).to_string();
        for secret in ["pw2", "pw3", "tk", "tok4"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("\"host\":\"h\"") && shown.contains("\"admin_password\":null"));
        // A tag whose *key* names a token is data, not a secret.
        assert!(shown.contains("\"value\":\"v\""), "{shown}");
    }

    #[test]
    fn secret_path_parameters_are_masked() {
        let t = "/project/{project}/invoice/{invoice_number}/{download_cookie}";
        assert_eq!(
            path("/v1/project/p/invoice/42/c00kie", t),
            "/v1/project/p/invoice/42/** redacted **"
        );
        assert_eq!(
            path("/project/p/invoice/42/c00kie", t),
            "/project/p/invoice/42/** redacted **"
        );
        let plain = "/project/{project}/service/{service_name}";
        assert!(matches!(
            path("/v1/project/p/service/s", plain),
            Cow::Borrowed(_)
        ));
        // Shorter than the template: what fits is masked, nothing panics.
        assert_eq!(path("c00kie", t), REDACTED);
        assert_eq!(path("", t), REDACTED);
        let verify = "/user/verify_email/{verification_code}";
        assert_eq!(
            path("/v1/user/verify_email/123456", verify),
            "/v1/user/verify_email/** redacted **"
        );
    }

    /// Every prefix of a body with secrets, redacted, shows none of them,
    /// not even a part of one.
    #[test]
    fn text_masks_every_prefix() {
        let body = r#"{"service": {"service_name": "pg-1", "password": "hunter2hunter2", "port": 5432,
            "service_uri": "postgres://avnadmin:s3cr3tpass@pg.example:5432/defaultdb",
            "jdbc": "jdbc:postgresql://pg.example:5432/defaultdb?user=avnadmin&password=qqqqqqqq&ssl=true",
            "users": [{"username": "ci", "access_key": "-----BEGIN KEY----- kkkkkkkk", "password": 12345678}],
            "credentials": {"a": "cccccccc", "b": ["dddddddd"]}, "state": "RUNNING", "note": "ünïcode"}}"#;
        let secrets = [
            "hunter2", "s3cr3t", "kkkk", "12345678", "cccc", "dddd", "qqqq",
        ];
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
    fn nothing_panics_on_hostile_input() {
        for s in [
            "",
            "\"",
            "\"\\",
            "{\"password\":",
            "{\"password\": \"",
            "]]]}}}",
            "\"a\\\"",
            "é\"password\"é:é",
            "://@",
            "a://:@",
            "x://é:é@é?é=é&password=é#é",
            "?=&=;?#",
            "%",
            "?pass%7",
            "?password=** redacted",
        ] {
            let _ = text(s);
            let _ = url(s);
            let _ = query(s);
            let _ = path(s, "/{a}/{password}/{b}");
        }
        assert_eq!(text("plain words"), "plain words");
        // Long hostile input stays linear (a quadratic scan would not finish).
        let long = "a://b:c".repeat(200_000) + &"?password=".repeat(200_000);
        let started = std::time::Instant::now();
        let _ = url(&long);
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }
}
