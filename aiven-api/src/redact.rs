//! Secrets kept out of what is printed: the runtime half of the rule that
//! also writes the generated types' `Debug` (a property name's words decide:
//! `password`, `*_secret`, `access_key`, `*_token`, … are secrets; `*_uri`,
//! `*_url` are URIs whose password is masked). The rule and the masking are
//! the `aiven-redact` crate's, the one redaction that `aiven-openapi` (at
//! build time), `aiven-ext` and the simulator's journal use too; here are
//! the `Debug` wrappers the generated code calls, and the masking of a
//! request's URL by its operation's path template.

use std::fmt;

use serde_json::Value;

pub use aiven_redact::{is_sensitive, path, query, text, url, value, REDACTED};

use crate::Operation;

/// `path` (a request's) as it may be shown for `operation`: its secret
/// path parameters masked, as [`path`] masks them; borrowed as it is when
/// the operation has none ([`Operation::masked_path`], the usual case).
pub fn operation_path<'a>(path: &'a str, operation: &Operation) -> std::borrow::Cow<'a, str> {
    if operation.masked_path {
        aiven_redact::path(path, operation.path)
    } else {
        std::borrow::Cow::Borrowed(path)
    }
}

/// `url` as it may be shown for a request of `operation`: the path
/// parameters whose name is sensitive (`download_cookie`) replaced by
/// [`REDACTED`] (percent-encoded, as a URL holds it), the values of
/// secret-named query parameters too, and any userinfo. Spans, logs and
/// errors show this, never the URL sent.
pub fn request_url(url: &reqwest::Url, operation: &Operation) -> reqwest::Url {
    masked_url(url, operation).unwrap_or_else(|| url.clone())
}

/// [`request_url`], `None` when nothing in `url` is masked (the usual case:
/// no copy is made).
fn masked_url(url: &reqwest::Url, operation: &Operation) -> Option<reqwest::Url> {
    use std::borrow::Cow;
    let path = operation_path(url.path(), operation);
    let query = url.query().map(query);
    let userinfo = !url.username().is_empty() || url.password().is_some();
    if matches!(path, Cow::Borrowed(_)) && !matches!(query, Some(Cow::Owned(_))) && !userinfo {
        return None;
    }
    let mut shown = url.clone();
    if let Cow::Owned(path) = path {
        shown.set_path(&path);
    }
    if let Some(Cow::Owned(q)) = query {
        shown.set_query(Some(&q));
    }
    if userinfo {
        let _ = shown.set_username(REDACTED);
        let _ = shown.set_password(None);
    }
    Some(shown)
}

/// `error` with its URL, if it has one, shown as [`request_url`] shows it:
/// a connection refused or a timeout prints the URL it was for.
pub fn request_error(error: reqwest::Error, operation: &Operation) -> reqwest::Error {
    match error.url().and_then(|url| masked_url(url, operation)) {
        Some(shown) => error.with_url(shown),
        None => error,
    }
}

/// `response` reporting its URL as [`request_url`] shows it: the
/// generated client's `UnexpectedResponse` error prints its response, URL
/// included. Rebuilt only when something is masked.
pub fn response_url(response: reqwest::Response, operation: &Operation) -> reqwest::Response {
    use reqwest::ResponseBuilderExt as _;
    let Some(shown) = masked_url(response.url(), operation) else {
        return response;
    };
    let (mut parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
    // reqwest keeps the URL in an extension only its builder can write.
    if let Ok(marker) = http::Response::builder().url(shown).body(()) {
        parts.extensions.extend(marker.into_parts().0.extensions);
    }
    http::Response::from_parts(parts, body).into()
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

/// `Debug` of a builder's secret field: always redacted.
pub struct Hidden;

impl fmt::Debug for Hidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{REDACTED:?}")
    }
}

/// `Debug` of a builder's URI or free-form field (`Result<T, String>`):
/// the value as [`Masked`] prints it, the error as it is (its URLs masked).
pub struct MaskedField<'a, T>(pub &'a Result<T, String>);

impl<T: serde::Serialize> fmt::Debug for MaskedField<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Ok(v) => f.debug_tuple("Ok").field(&Masked(v)).finish(),
            Err(e) => f.debug_tuple("Err").field(&url(e)).finish(),
        }
    }
}
