//! The build scripts' input selection (`source::select`, behind
//! `SpecFiles::obtain`): the explicit file, the fetched one checked against the
//! lock, the locked description obtained from a path or over HTTP and cached,
//! and the messages when none of that works.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use aiven_openapi::source::{select, sha256_hex, Origin, Selected};

const DOC: &str = "openapi: 3.0.1\ninfo: {title: t, version: v1}\npaths:\n  /a:\n    get: {operationId: A, responses: {}}\ncomponents: {schemas: {}}\n";
const OTHER: &str = r#"{"openapi": "3.0.1", "paths": {"/b": {"get": {"operationId": "B"}, "put": {"operationId": "C"}}}}"#;

/// A workspace root with `openapi/` holding a lock that pins `DOC`, and an
/// empty OUT_DIR.
struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    out: PathBuf,
}

impl Fixture {
    fn new(lock_source: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("checkout");
        let out = dir.path().join("out");
        std::fs::create_dir_all(root.join("openapi")).unwrap();
        std::fs::create_dir_all(&out).unwrap();
        let lock = format!(
            r#"{{"source": "{lock_source}", "sha256": "{}", "size": {}, "operations": 1}}"#,
            sha256_hex(DOC.as_bytes()),
            DOC.len()
        );
        std::fs::write(root.join("openapi/aiven-openapi.lock.json"), lock).unwrap();
        Self {
            _dir: dir,
            root,
            out,
        }
    }

    fn openapi(&self) -> PathBuf {
        self.root.join("openapi")
    }

    fn select(&self, env: &[(&str, &str)]) -> Result<Selected, String> {
        let env: BTreeMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        select(&self.openapi(), &self.out, &|name: &str| {
            env.get(name).cloned()
        })
        .map_err(|e| e.to_string())
    }
}

fn has(selected: &Selected, directive: &str) -> bool {
    selected.directives.iter().any(|d| d == directive)
}

fn always_present(f: &Fixture, s: &Selected) {
    assert!(has(s, "cargo:rerun-if-env-changed=AIVEN_OPENAPI_SPEC"));
    assert!(has(s, "cargo:rerun-if-env-changed=AIVEN_RUST_CHECKOUT"));
    let lock = f.openapi().join("aiven-openapi.lock.json");
    assert!(has(
        s,
        &format!("cargo:rerun-if-changed={}", lock.display())
    ));
    assert!(has(
        s,
        &format!("cargo:rustc-env=AIVEN_OPENAPI_SHA256={}", s.sha256)
    ));
}

#[test]
fn explicit_spec_is_used_exactly_without_lock_check() {
    let f = Fixture::new("https://example.invalid/pinned.yml");
    std::fs::write(f.root.join("other.json"), OTHER).unwrap();
    // Even with a fetched (and wrong) description present.
    std::fs::write(f.openapi().join("aiven-openapi.spec"), "garbage").unwrap();
    let s = f.select(&[("AIVEN_OPENAPI_SPEC", "other.json")]).unwrap();
    let path = f.root.join("other.json");
    assert_eq!(s.origin, Origin::Explicit(path.clone()));
    assert_eq!(s.bytes, OTHER.as_bytes());
    assert_eq!(s.sha256, sha256_hex(OTHER.as_bytes()));
    always_present(&f, &s);
    assert!(has(
        &s,
        &format!("cargo:rerun-if-changed={}", path.display())
    ));
    let err = f
        .select(&[("AIVEN_OPENAPI_SPEC", "missing.json")])
        .unwrap_err();
    assert!(
        err.starts_with(&format!(
            "AIVEN_OPENAPI_SPEC=missing.json: cannot read {}: ",
            f.root.join("missing.json").display()
        )),
        "{err}"
    );
    let err = f
        .select(&[("AIVEN_OPENAPI_SPEC", "https://h/x.json")])
        .unwrap_err();
    assert!(err.contains("must name a file"), "{err}");
}

#[test]
fn fetched_spec_must_match_the_lock() {
    let f = Fixture::new("https://example.invalid/pinned.yml");
    let fetched = f.openapi().join("aiven-openapi.spec");
    std::fs::write(&fetched, DOC).unwrap();
    // AIVEN_OPENAPI_SOURCE plays no part while a fetched description exists.
    let s = f
        .select(&[("AIVEN_OPENAPI_SOURCE", "/nowhere.yml")])
        .unwrap();
    assert_eq!(s.origin, Origin::Fetched(fetched.clone()));
    always_present(&f, &s);
    assert!(has(
        &s,
        &format!("cargo:rerun-if-changed={}", fetched.display())
    ));
    assert!(!has(&s, "cargo:rerun-if-env-changed=AIVEN_OPENAPI_SOURCE"));

    std::fs::write(&fetched, OTHER).unwrap();
    let err = f.select(&[]).unwrap_err();
    assert!(
        err.starts_with(&format!(
            "{} is not the locked description (restore it with `cargo xtask fetch --locked`, \
             or delete it and the build obtains the locked description itself)\n",
            fetched.display()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "sha256 {}, {} bytes, 2 operations",
            sha256_hex(OTHER.as_bytes()),
            OTHER.len()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("sha256 {}", sha256_hex(DOC.as_bytes()))),
        "{err}"
    );
    assert!(err.contains("two ways on:"), "{err}");
}

#[test]
fn without_a_fetched_spec_the_locked_one_is_obtained_from_the_env_and_cached() {
    let f = Fixture::new("https://example.invalid/pinned.yml");
    let shared = f.root.parent().unwrap().join("shared.yml");
    std::fs::write(&shared, DOC).unwrap();
    // Relative to the workspace root, not to the current directory.
    let s = f
        .select(&[("AIVEN_OPENAPI_SOURCE", "../shared.yml")])
        .unwrap();
    let cache = f
        .out
        .join(format!("locked-{}.spec", sha256_hex(DOC.as_bytes())));
    assert_eq!(
        s.origin,
        Origin::Obtained {
            source: "../shared.yml".into(),
            cache: cache.clone()
        }
    );
    assert_eq!(std::fs::read(&cache).unwrap(), DOC.as_bytes());
    always_present(&f, &s);
    assert!(has(&s, "cargo:rerun-if-env-changed=AIVEN_OPENAPI_SOURCE"));
    // The directory, not the missing file (which would rerun every build).
    assert!(has(
        &s,
        &format!("cargo:rerun-if-changed={}", f.openapi().display())
    ));
    assert!(!s
        .directives
        .iter()
        .any(|d| d.ends_with("aiven-openapi.spec")));

    // Offline later: the cached copy is reused while its hash matches.
    std::fs::remove_file(&shared).unwrap();
    let again = f.select(&[]).unwrap();
    assert_eq!(again.origin, Origin::Cached(cache.clone()));
    assert_eq!(again.bytes, DOC.as_bytes());

    // A corrupted cache is not trusted.
    std::fs::write(&cache, "tampered").unwrap();
    let err = f.select(&[]).unwrap_err();
    assert!(
        err.contains("tried https://example.invalid/pinned.yml (from the lock's source"),
        "{err}"
    );
}

#[test]
fn without_a_fetched_spec_the_locked_one_is_obtained_over_http() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/pinned.yml", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut request = [0u8; 4096];
        let n = stream.read(&mut request).unwrap();
        let head = String::from_utf8_lossy(&request[..n]).into_owned();
        write!(
            stream,
            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{DOC}",
            DOC.len()
        )
        .unwrap();
        head
    });
    let f = Fixture::new(&url);
    let s = f.select(&[]).unwrap();
    let head = server.join().unwrap();
    assert!(head.starts_with("GET /pinned.yml HTTP/1.1\r\n"), "{head}");
    assert!(matches!(&s.origin, Origin::Obtained { source, .. } if *source == url));
    assert_eq!(s.bytes, DOC.as_bytes());
}

#[test]
fn offline_failure_says_what_was_tried_and_how_to_fix() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/pinned.yml");
    let f = Fixture::new(&url);
    let err = f.select(&[]).unwrap_err();
    let lock = f.openapi().join("aiven-openapi.lock.json");
    assert!(
        err.starts_with(&format!(
            "openapi/aiven-openapi.spec is absent, so the build obtains the locked description \
             itself: tried {url} (from the lock's source ({})): cannot fetch {url}: ",
            lock.display()
        )),
        "{err}"
    );
    assert!(
        err.ends_with(&format!(
            "; to fix: set AIVEN_OPENAPI_SOURCE to a local copy of the locked description (an \
             absolute path or file:// URL; sha256 {}, {} bytes), or run `cargo xtask fetch` in \
             the aiven-rust checkout",
            sha256_hex(DOC.as_bytes()),
            DOC.len()
        )),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(std::fs::read_dir(&f.out).unwrap().count(), 0);
}

#[test]
fn obtained_bytes_must_match_the_lock() {
    let f = Fixture::new("https://example.invalid/pinned.yml");
    let other = f.root.join("other.json");
    std::fs::write(&other, OTHER).unwrap();
    let text = other.display().to_string();
    let err = f.select(&[("AIVEN_OPENAPI_SOURCE", &text)]).unwrap_err();
    assert!(
        err.starts_with(&format!(
            "{text} (from AIVEN_OPENAPI_SOURCE) is not the locked description; to fix: set \
             AIVEN_OPENAPI_SOURCE"
        )),
        "{err}"
    );
    assert!(
        err.contains("  locked:  https://example.invalid/pinned.yml\n"),
        "{err}"
    );
    // Nothing cached.
    assert_eq!(std::fs::read_dir(&f.out).unwrap().count(), 0);
}

#[test]
fn spec_files_obtain_feeds_prepare() {
    // SpecFiles::obtain reads the process environment; only the explicit
    // variable is set here, on a copy of a real-looking layout.
    let f = Fixture::new("https://example.invalid/pinned.yml");
    std::fs::write(f.openapi().join("aiven-openapi.spec"), DOC).unwrap();
    std::fs::write(f.openapi().join("overlay.json"), r#"{"entries": []}"#).unwrap();
    std::fs::write(
        f.openapi().join("type-names.json"),
        r#"{"comment": "c", "names": {}}"#,
    )
    .unwrap();
    let files = aiven_openapi::SpecFiles::in_dir(&f.openapi());
    assert!(files.origin().is_none());
    let doc = files.obtain(Path::new(&f.out)).unwrap();
    assert_eq!(doc["paths"]["/a"]["get"]["operationId"], "A");
    let prepared = files.prepare().unwrap();
    assert_eq!(prepared.operations.len(), 1);
    assert_eq!(files.origin().map(Origin::kind), Some("fetched"));
}
