//! Where a spec comes from: an http(s) URL, a `file://` URL or a plain path,
//! and reading its bytes.

use anyhow::{anyhow, bail, Context, Result};
use std::path::PathBuf;
use std::time::Duration;

/// The published Aiven OpenAPI description.
pub const DEFAULT_SOURCE: &str = "https://api.aiven.io/doc/openapi.json";

/// Environment variable that replaces [`DEFAULT_SOURCE`]; `--source` beats both.
pub const SOURCE_ENV: &str = "AIVEN_OPENAPI_SOURCE";

/// Upper bound on a downloaded spec (the real one is about 5 MB).
const MAX_DOWNLOAD_BYTES: u64 = 256 * 1024 * 1024;

/// A parsed source argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// An `http://` or `https://` URL, kept verbatim.
    Http(String),
    /// A local file; relative paths are relative to the current directory.
    File(PathBuf),
}

impl Source {
    /// Classifies `text` as a URL or a path. `file:///abs` gives `/abs`,
    /// `file://rel/x` gives the relative path `rel/x`, and `file://localhost/abs`
    /// gives `/abs`; `%XX` escapes in `file://` URLs are decoded.
    pub fn parse(text: &str) -> Result<Self> {
        if text.is_empty() {
            bail!("the spec source is empty; give a URL or a path");
        }
        if let Some(rest) = strip_scheme(text, "file") {
            return Ok(Self::File(file_url_path(rest)));
        }
        if strip_scheme(text, "http").is_some() || strip_scheme(text, "https").is_some() {
            return Ok(Self::Http(text.to_owned()));
        }
        if let Some(scheme) = url_scheme(text) {
            bail!("{text}: unsupported URL scheme `{scheme}`; use http(s)://, file:// or a path");
        }
        Ok(Self::File(PathBuf::from(text)))
    }

    /// Reads the whole document; `label` names the source in errors.
    pub fn read(&self, label: &str) -> Result<Vec<u8>> {
        match self {
            Self::Http(url) => fetch_http(url),
            Self::File(path) => std::fs::read(path).with_context(|| format!("cannot read {label}")),
        }
    }
}

/// Parses and reads `text` in one step.
pub fn read_source(text: &str) -> Result<Vec<u8>> {
    Source::parse(text)?.read(text)
}

/// The rest of `text` after `<scheme>://`, matching the scheme case-insensitively.
fn strip_scheme<'a>(text: &'a str, scheme: &str) -> Option<&'a str> {
    let (head, rest) = text.split_once("://")?;
    head.eq_ignore_ascii_case(scheme).then_some(rest)
}

/// The scheme of something shaped like `scheme://...`, if any.
fn url_scheme(text: &str) -> Option<&str> {
    let (head, _) = text.split_once("://")?;
    let mut chars = head.chars();
    let first_is_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    (first_is_letter && rest_ok).then_some(head)
}

fn file_url_path(rest: &str) -> PathBuf {
    let rest = match rest.strip_prefix("localhost") {
        Some(after) if after.starts_with('/') => after,
        _ => rest,
    };
    PathBuf::from(percent_decode(rest))
}

/// Decodes `%XX` escapes; anything malformed is kept as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match decode_escape(&bytes[i..]) {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn decode_escape(bytes: &[u8]) -> Option<u8> {
    match bytes {
        [b'%', hi, lo, ..] => {
            let hex = [*hi, *lo];
            u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()
        }
        _ => None,
    }
}

/// One blocking GET; HTTP error statuses and transport failures become a
/// one-line error naming the URL.
fn fetch_http(url: &str) -> Result<Vec<u8>> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into();
    let mut response = agent
        .get(url)
        .header("Accept", "application/json")
        .call()
        .map_err(|err| describe_http_error(url, err))?;
    response
        .body_mut()
        .with_config()
        .limit(MAX_DOWNLOAD_BYTES)
        .read_to_vec()
        .map_err(|err| anyhow!("cannot read the response body from {url}: {err}"))
}

fn describe_http_error(url: &str, err: ureq::Error) -> anyhow::Error {
    match err {
        ureq::Error::StatusCode(code) => anyhow!("cannot fetch {url}: HTTP status {code}"),
        other => anyhow!("cannot fetch {url}: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str) -> Source {
        Source::File(PathBuf::from(path))
    }

    #[test]
    fn http_and_https_urls_are_kept_verbatim() {
        let https = "https://api.aiven.io/doc/openapi.json";
        assert_eq!(Source::parse(https).unwrap(), Source::Http(https.into()));
        let http = "HTTP://127.0.0.1:8080/spec.json?x=1";
        assert_eq!(Source::parse(http).unwrap(), Source::Http(http.into()));
    }

    #[test]
    fn file_url_with_absolute_path() {
        assert_eq!(
            Source::parse("file:///abs/spec.json").unwrap(),
            file("/abs/spec.json")
        );
    }

    #[test]
    fn file_url_with_relative_path() {
        assert_eq!(
            Source::parse("file://rel/spec.json").unwrap(),
            file("rel/spec.json")
        );
        assert_eq!(
            Source::parse("file://../x.json").unwrap(),
            file("../x.json")
        );
    }

    #[test]
    fn file_url_with_localhost_and_escapes() {
        assert_eq!(
            Source::parse("file://localhost/a/b.json").unwrap(),
            file("/a/b.json")
        );
        assert_eq!(
            Source::parse("FILE:///a%20b/c%2.json").unwrap(),
            file("/a b/c%2.json")
        );
    }

    #[test]
    fn plain_paths_stay_paths() {
        let relative = "../shared/openapi/aiven-openapi.json";
        assert_eq!(Source::parse(relative).unwrap(), file(relative));
        assert_eq!(Source::parse("/tmp/x.json").unwrap(), file("/tmp/x.json"));
        assert_eq!(Source::parse("C:spec.json").unwrap(), file("C:spec.json"));
    }

    #[test]
    fn unsupported_scheme_and_empty_source_are_errors() {
        let err = Source::parse("ftp://example.com/x.json")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "ftp://example.com/x.json: unsupported URL scheme `ftp`; use http(s)://, file:// or a path"
        );
        assert!(Source::parse("").unwrap_err().to_string().contains("empty"));
    }

    #[test]
    fn missing_file_error_names_source_and_cause() {
        let err = read_source("/definitely/not/here.json").unwrap_err();
        let text = format!("{err:#}");
        assert!(
            text.starts_with("cannot read /definitely/not/here.json: "),
            "{text}"
        );
        assert!(text.contains("No such file or directory"), "{text}");
    }
}
