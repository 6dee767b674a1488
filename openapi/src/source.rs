//! Acquiring a description: where it comes from (an `http(s)://` URL, a
//! `file://` URL or a path), reading its bytes, and checking them against the
//! committed lock. The one place for this, used by `cargo xtask fetch` and by
//! the build scripts (through [`crate::SpecFiles::obtain`]).
//!
//! Relative paths are resolved by the caller: the xtask takes them relative
//! to the current directory (a plain [`Source::parse`]); the build scripts
//! relative to the workspace root, the directory holding `openapi/`
//! ([`Source::parse_relative_to`]), because cargo runs a build script in its
//! package's directory.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Environment variable naming where to get the locked description: a path,
/// a `file://` URL or an http(s) URL. Beats the lock's own `source`.
pub const SOURCE_ENV: &str = "AIVEN_OPENAPI_SOURCE";

/// Environment variable naming a description file the build generates from,
/// exactly, without any lock check (`cargo xtask check-spec`, drift reports).
pub const SPEC_ENV: &str = "AIVEN_OPENAPI_SPEC";

/// Environment variable set per checkout by `.cargo/config.toml` (an absolute
/// path): the build scripts rerun when it changes, so two checkouts sharing a
/// `CARGO_TARGET_DIR` never reuse each other's generated client.
pub const CHECKOUT_ENV: &str = "AIVEN_RUST_CHECKOUT";

/// The live, moving description Aiven publishes (`cargo xtask fetch --latest`).
/// Never a lock's source: its bytes change without notice.
pub const LATEST_SOURCE: &str = "https://api.aiven.io/doc/openapi.json";

/// Upper bound on a downloaded description (the 2026 one is 2.5 MB).
pub const MAX_DOWNLOAD_BYTES: u64 = 64 * 1024 * 1024;

/// Time allowed to connect to a server.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// Time allowed for a whole download.
pub const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(120);

/// A failure to get or check a description; the message says what was tried.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SourceError(pub String);

impl From<Box<Mismatch>> for SourceError {
    fn from(m: Box<Mismatch>) -> Self {
        Self(m.to_string())
    }
}

/// A parsed source argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// An `http://` or `https://` URL, kept verbatim.
    Http(String),
    /// A local file.
    File(PathBuf),
}

impl Source {
    /// Classifies `text` as a URL or a path. `file:///abs` gives `/abs`,
    /// `file://rel/x` gives the relative path `rel/x`, and `file://localhost/abs`
    /// gives `/abs`; `%XX` escapes in `file://` URLs are decoded. A relative
    /// path stays relative (to the current directory, when read).
    pub fn parse(text: &str) -> Result<Self, SourceError> {
        if text.trim().is_empty() {
            return Err(SourceError(
                "the description source is empty; give a URL or a path".into(),
            ));
        }
        if let Some(rest) = strip_scheme(text, "file") {
            return Ok(Self::File(file_url_path(rest)));
        }
        if strip_scheme(text, "http").is_some() || strip_scheme(text, "https").is_some() {
            return Ok(Self::Http(text.to_owned()));
        }
        if let Some(scheme) = url_scheme(text) {
            return Err(SourceError(format!(
                "{text}: unsupported URL scheme `{scheme}`; use http(s)://, file:// or a path"
            )));
        }
        Ok(Self::File(PathBuf::from(text)))
    }

    /// [`Source::parse`], with a relative path taken relative to `base`.
    pub fn parse_relative_to(text: &str, base: &Path) -> Result<Self, SourceError> {
        Ok(match Self::parse(text)? {
            Self::File(path) if path.is_relative() => Self::File(base.join(path)),
            other => other,
        })
    }

    /// Reads the whole description; `label` names the source in errors.
    pub fn read(&self, label: &str) -> Result<Vec<u8>, SourceError> {
        match self {
            Self::Http(url) => fetch_http(url),
            Self::File(path) => std::fs::read(path).map_err(|e| {
                if label == path.display().to_string() {
                    SourceError(format!("cannot read {label}: {e}"))
                } else {
                    SourceError(format!("cannot read {label} ({}): {e}", path.display()))
                }
            }),
        }
    }

    /// `true` for an http(s) URL.
    pub fn is_remote(&self) -> bool {
        matches!(self, Self::Http(_))
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Http(url) => f.write_str(url),
            Self::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// Parses and reads `text` in one step (relative paths: the current directory).
pub fn read_source(text: &str) -> Result<Vec<u8>, SourceError> {
    Source::parse(text)?.read(text)
}

/// Lowercase hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// What the committed lock pins: the fields of `openapi/aiven-openapi.lock.json`
/// that acquisition needs (the xtask reads and writes the whole file).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Pin {
    /// Where the locked bytes can be fetched: an immutable URL.
    pub source: String,
    /// Lowercase hex sha256 of the locked bytes.
    pub sha256: String,
    /// Their size in bytes.
    pub size: u64,
}

impl Pin {
    /// Reads the lock file at `path`.
    pub fn read(path: &Path) -> Result<Self, SourceError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| SourceError(format!("cannot read the lock {}: {e}", path.display())))?;
        serde_json::from_str(&text)
            .map_err(|e| SourceError(format!("{} is not a valid lock file: {e}", path.display())))
    }

    /// `Ok` when `bytes` are the locked ones; else what differs and the ways on.
    /// `fetched_from` names where the bytes came from.
    pub fn check(&self, fetched_from: &str, bytes: &[u8]) -> Result<(), Box<Mismatch>> {
        let sha256 = sha256_hex(bytes);
        if sha256 == self.sha256 {
            return Ok(());
        }
        let operations = crate::parse_spec(bytes, fetched_from)
            .ok()
            .and_then(|doc| crate::check(&doc).ok())
            .map(|ops| ops.len());
        Err(Box::new(Mismatch {
            fetched_source: fetched_from.to_owned(),
            fetched_sha256: sha256,
            fetched_size: bytes.len() as u64,
            fetched_operations: operations,
            locked: self.clone(),
        }))
    }
}

/// Bytes that are not the locked ones: what was fetched, what the lock
/// expects, and the two ways on (its `Display`: several lines, to follow a
/// line saying what was being done).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub fetched_source: String,
    pub fetched_sha256: String,
    pub fetched_size: u64,
    /// Operations of the fetched description, when it parses and checks.
    pub fetched_operations: Option<usize>,
    pub locked: Pin,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let operations = match self.fetched_operations {
            Some(n) => format!("{n} operations"),
            None => "not a valid OpenAPI 3.0 description".into(),
        };
        writeln!(
            f,
            "  fetched: {}\n           sha256 {}, {} bytes, {operations}",
            self.fetched_source, self.fetched_sha256, self.fetched_size
        )?;
        writeln!(
            f,
            "  locked:  {}\n           sha256 {}, {} bytes (openapi/{})",
            self.locked.source,
            self.locked.sha256,
            self.locked.size,
            crate::LOCK_FILE
        )?;
        writeln!(f, "two ways on:")?;
        writeln!(
            f,
            "  - build the locked description: point {SOURCE_ENV} at a copy of the locked bytes \
             (a path, file:// URL or URL; the lock's source serves them), then \
             `cargo xtask fetch --locked`"
        )?;
        write!(
            f,
            "  - adopt the fetched description: `cargo xtask fetch --source {}` (without \
             --locked), or `cargo xtask fetch --latest --update-lock`; this moves the lock \
             (docs/api-description.md: \"Moving to a newer description\")",
            self.fetched_source
        )
    }
}

/// Which description a build generates from, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// `AIVEN_OPENAPI_SPEC=PATH`: exactly this file, no lock check.
    Explicit(PathBuf),
    /// `openapi/aiven-openapi.spec` (written by `cargo xtask fetch`), checked
    /// against the lock.
    Fetched(PathBuf),
    /// The locked description cached in `OUT_DIR` by an earlier build.
    Cached(PathBuf),
    /// The locked description obtained now from `source` and cached.
    Obtained { source: String, cache: PathBuf },
}

impl Origin {
    /// `explicit`, `fetched`, `cached` or `obtained`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Explicit(_) => "explicit",
            Self::Fetched(_) => "fetched",
            Self::Cached(_) => "cached",
            Self::Obtained { .. } => "obtained",
        }
    }
}

/// The description a build script uses: its bytes, where they came from, and
/// the `cargo:` directives that make cargo rerun the script when the choice
/// could change.
#[derive(Debug, Clone)]
pub struct Selected {
    pub bytes: Vec<u8>,
    pub sha256: String,
    pub origin: Origin,
    pub directives: Vec<String>,
}

/// The build scripts' input selection, in order:
///
/// 1. `AIVEN_OPENAPI_SPEC=PATH`: exactly that file, no lock check;
/// 2. `openapi/aiven-openapi.spec` when present: its sha256 must be the lock's;
/// 3. otherwise the locked description itself, from `AIVEN_OPENAPI_SOURCE` or
///    the lock's `source`, checked against the lock's sha256 and cached in
///    `out_dir` (a cached copy whose hash still matches is reused, offline).
///
/// Relative paths in the variables are taken relative to the workspace root
/// (the parent of `openapi_dir`). `env` reads the environment (a parameter so
/// tests can give their own); empty values count as unset.
pub fn select(
    openapi_dir: &Path,
    out_dir: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Selected, SourceError> {
    let root = openapi_dir.parent().unwrap_or(openapi_dir);
    let var = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let lock_path = openapi_dir.join(crate::LOCK_FILE);
    let mut directives = vec![
        format!("cargo:rerun-if-env-changed={SPEC_ENV}"),
        format!("cargo:rerun-if-env-changed={CHECKOUT_ENV}"),
        format!("cargo:rerun-if-changed={}", lock_path.display()),
    ];

    if let Some(text) = var(SPEC_ENV) {
        let path = match Source::parse_relative_to(&text, root)? {
            Source::File(path) => path,
            Source::Http(_) => {
                return Err(SourceError(format!(
                    "{SPEC_ENV}={text}: must name a file (a path or file:// URL); \
                     use {SOURCE_ENV} for a URL of the locked description"
                )))
            }
        };
        let bytes = std::fs::read(&path).map_err(|e| {
            SourceError(format!(
                "{SPEC_ENV}={text}: cannot read {}: {e}",
                path.display()
            ))
        })?;
        directives.push(format!("cargo:rerun-if-changed={}", path.display()));
        return Ok(finish(bytes, Origin::Explicit(path), directives));
    }

    let pin = Pin::read(&lock_path)?;
    let fetched = openapi_dir.join(crate::SPEC_FILE);
    if fetched.exists() {
        let bytes = std::fs::read(&fetched)
            .map_err(|e| SourceError(format!("cannot read {}: {e}", fetched.display())))?;
        let shown = format!("openapi/{}", crate::SPEC_FILE);
        pin.check(&shown, &bytes).map_err(|m| {
            SourceError(format!(
                "{} is not the locked description (restore it with `cargo xtask fetch \
                 --locked`, or delete it and the build obtains the locked description \
                 itself)\n{m}",
                fetched.display()
            ))
        })?;
        directives.push(format!("cargo:rerun-if-changed={}", fetched.display()));
        return Ok(finish(bytes, Origin::Fetched(fetched), directives));
    }

    // No fetched description: the directory is watched (a missing file would
    // make cargo rerun the script on every build), so a later fetch is seen.
    directives.push(format!("cargo:rerun-if-env-changed={SOURCE_ENV}"));
    directives.push(format!("cargo:rerun-if-changed={}", openapi_dir.display()));
    let cache = out_dir.join(format!("locked-{}.spec", pin.sha256));
    if let Ok(bytes) = std::fs::read(&cache) {
        if sha256_hex(&bytes) == pin.sha256 {
            return Ok(finish(bytes, Origin::Cached(cache), directives));
        }
    }
    let (text, from) = match var(SOURCE_ENV) {
        Some(text) => (text, SOURCE_ENV.to_string()),
        None => (
            pin.source.clone(),
            format!("the lock's source ({})", lock_path.display()),
        ),
    };
    let how_to_fix = format!(
        "to fix: set {SOURCE_ENV} to a local copy of the locked description (an absolute \
         path or file:// URL; sha256 {}, {} bytes), or run `cargo xtask fetch` in the \
         aiven-rust checkout",
        pin.sha256, pin.size
    );
    let bytes = Source::parse_relative_to(&text, root)
        .and_then(|source| source.read(&text))
        .map_err(|e| {
            SourceError(format!(
                "openapi/{} is absent, so the build obtains the locked description itself: \
                 tried {text} (from {from}): {e}; {how_to_fix}",
                crate::SPEC_FILE
            ))
        })?;
    pin.check(&text, &bytes).map_err(|m| {
        SourceError(format!(
            "{text} (from {from}) is not the locked description; {how_to_fix}\n{m}"
        ))
    })?;
    write_cache(&cache, &bytes)?;
    let origin = Origin::Obtained {
        source: text,
        cache,
    };
    Ok(finish(bytes, origin, directives))
}

fn finish(bytes: Vec<u8>, origin: Origin, mut directives: Vec<String>) -> Selected {
    let sha256 = sha256_hex(&bytes);
    // Baked into the crate: a build from other bytes is another build.
    directives.push(format!("cargo:rustc-env=AIVEN_OPENAPI_SHA256={sha256}"));
    Selected {
        bytes,
        sha256,
        origin,
        directives,
    }
}

/// Writes the cache through a temporary file, so a reader never sees half.
fn write_cache(path: &Path, bytes: &[u8]) -> Result<(), SourceError> {
    let tmp = path.with_extension(format!("{}.tmp", std::process::id()));
    let failed = |e: std::io::Error| SourceError(format!("cannot write {}: {e}", path.display()));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(failed)?;
    }
    std::fs::write(&tmp, bytes).map_err(failed)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        failed(e)
    })
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

/// One blocking GET with connect and overall timeouts and a size cap; HTTP
/// error statuses and transport failures become a one-line error naming the URL.
fn fetch_http(url: &str) -> Result<Vec<u8>, SourceError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(CONNECT_TIMEOUT))
        .timeout_global(Some(DOWNLOAD_TIMEOUT))
        .build()
        .into();
    let mut response = agent
        .get(url)
        .header(
            "Accept",
            "application/json, application/yaml;q=0.9, */*;q=0.8",
        )
        .call()
        .map_err(|err| match err {
            ureq::Error::StatusCode(code) => {
                SourceError(format!("cannot fetch {url}: HTTP status {code}"))
            }
            other => SourceError(format!("cannot fetch {url}: {other}")),
        })?;
    response
        .body_mut()
        .with_config()
        .limit(MAX_DOWNLOAD_BYTES)
        .read_to_vec()
        .map_err(|err| SourceError(format!("cannot read the response body from {url}: {err}")))
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
        assert!(Source::parse(http).unwrap().is_remote());
    }

    #[test]
    fn file_urls_absolute_relative_localhost_and_escapes() {
        assert_eq!(
            Source::parse("file:///abs/spec.json").unwrap(),
            file("/abs/spec.json")
        );
        assert_eq!(
            Source::parse("file://rel/spec.json").unwrap(),
            file("rel/spec.json")
        );
        assert_eq!(
            Source::parse("file://../x.json").unwrap(),
            file("../x.json")
        );
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
        let relative = "../shared/openapi/aiven-openapi-2026-06.yml";
        assert_eq!(Source::parse(relative).unwrap(), file(relative));
        assert_eq!(Source::parse("/tmp/x.json").unwrap(), file("/tmp/x.json"));
        assert_eq!(Source::parse("C:spec.json").unwrap(), file("C:spec.json"));
        assert!(!Source::parse("/tmp/x.json").unwrap().is_remote());
    }

    #[test]
    fn relative_paths_resolve_against_the_base_given() {
        let base = Path::new("/work/main");
        let rel = Source::parse_relative_to("../shared/x.yml", base).unwrap();
        assert_eq!(rel, file("/work/main/../shared/x.yml"));
        let rel_url = Source::parse_relative_to("file://x.yml", base).unwrap();
        assert_eq!(rel_url, file("/work/main/x.yml"));
        let abs = Source::parse_relative_to("/elsewhere/x.yml", base).unwrap();
        assert_eq!(abs, file("/elsewhere/x.yml"));
        let url = Source::parse_relative_to("https://h/x.yml", base).unwrap();
        assert_eq!(url, Source::Http("https://h/x.yml".into()));
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
        assert!(Source::parse(" ")
            .unwrap_err()
            .to_string()
            .contains("empty"));
    }

    #[test]
    fn missing_file_error_names_source_and_cause() {
        let err = read_source("/definitely/not/here.json")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "cannot read /definitely/not/here.json: No such file or directory (os error 2)"
        );
        let resolved = Source::parse_relative_to("x.json", Path::new("/nowhere")).unwrap();
        let err = resolved.read("x.json").unwrap_err().to_string();
        assert!(
            err.starts_with("cannot read x.json (/nowhere/x.json): "),
            "{err}"
        );
    }

    #[test]
    fn sha256_of_known_input() {
        let expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(sha256_hex(b"abc"), expected);
    }

    #[test]
    fn mismatch_says_what_was_fetched_what_is_locked_and_the_ways_on() {
        let pin = Pin {
            source: "https://example.org/pinned.yml".into(),
            sha256: sha256_hex(b"locked"),
            size: 6,
        };
        assert_eq!(pin.check("anywhere", b"locked"), Ok(()));
        let doc = br#"{"openapi": "3.0.1", "paths": {"/a": {"get": {"operationId": "A"}, "put": {"operationId": "B"}}}}"#;
        let m = pin.check("./new.json", doc).unwrap_err();
        assert_eq!(m.fetched_operations, Some(2));
        assert_eq!(m.fetched_size, doc.len() as u64);
        let text = m.to_string();
        let expected = format!(
            "  fetched: ./new.json\n           sha256 {}, {} bytes, 2 operations\n  \
             locked:  https://example.org/pinned.yml\n           sha256 {}, 6 bytes (openapi/aiven-openapi.lock.json)\n\
             two ways on:\n",
            sha256_hex(doc),
            doc.len(),
            pin.sha256
        );
        assert!(text.starts_with(&expected), "{text}");
        assert!(
            text.contains("point AIVEN_OPENAPI_SOURCE at a copy of the locked bytes"),
            "{text}"
        );
        assert!(
            text.contains("`cargo xtask fetch --source ./new.json` (without --locked)"),
            "{text}"
        );
        assert!(text.contains("--latest --update-lock"), "{text}");
        let html = pin.check("h", b"<html>").unwrap_err();
        assert_eq!(html.fetched_operations, None);
        assert!(html
            .to_string()
            .contains("6 bytes, not a valid OpenAPI 3.0 description"));
    }

    #[test]
    fn pin_reads_the_lock_fields_it_needs() {
        let dir = std::env::temp_dir().join(format!("aiven-openapi-pin-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let lock = dir.join("lock.json");
        std::fs::write(
            &lock,
            r#"{"source": "s", "sha256": "ab", "size": 2, "info_version": "v1", "operations": 1}"#,
        )
        .unwrap();
        assert_eq!(
            Pin::read(&lock).unwrap(),
            Pin {
                source: "s".into(),
                sha256: "ab".into(),
                size: 2
            }
        );
        std::fs::write(&lock, "{}").unwrap();
        let err = Pin::read(&lock).unwrap_err().to_string();
        assert!(err.contains("is not a valid lock file"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
