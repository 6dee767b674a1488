//! `fetch`, the lock file and `verify-lock`, on small documents in temporary
//! directories, over a local HTTP server, and on the real shared descriptions.

use serde_json::{json, Value};
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;
use xtask::fetch::{fetch, summary_line};
use xtask::lock::{lock_path, sha256_hex, spec_path, verify, Lock};

/// The June 2026 description the lock pins (../shared/openapi/README.md).
const REAL_SPEC_SHA256: &str = "5cab16e74746822c55197420f98fa62233b2be46d99dfbf7dc81d17d4a8e3fd9";
const REAL_SPEC_URL: &str = "https://raw.githubusercontent.com/api-evangelist/aiven/d41287cd11bbe176ebf275e40409fef661071c29/openapi/aiven-aiven-api-openapi.yml";

fn small_spec() -> Value {
    json!({
        "openapi": "3.0.1",
        "info": { "title": "t", "version": "v9" },
        "paths": {
            "/project": {
                "get": { "operationId": "ProjectList", "responses": {} },
                "post": { "operationId": "ProjectCreate", "responses": {} }
            },
            "/project/{project}": {
                "parameters": [],
                "delete": { "operationId": "ProjectDelete", "responses": {} }
            }
        },
        "components": { "schemas": { "A": {}, "B": {}, "C": {}, "D": {} } }
    })
}

/// A temp dir holding `name` with `bytes`; returns the dir and the file path.
fn source_file(name: &str, bytes: &[u8]) -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    fs::write(&path, bytes).unwrap();
    (dir, path)
}

fn spec_source(doc: &Value) -> (TempDir, PathBuf) {
    source_file(
        "spec.json",
        serde_json::to_string_pretty(doc).unwrap().as_bytes(),
    )
}

fn dir_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn fetch_error(doc_bytes: &[u8]) -> (String, TempDir) {
    let (_src_dir, src) = source_file("spec.json", doc_bytes);
    let out = tempfile::tempdir().unwrap();
    let err = fetch(src.to_str().unwrap(), out.path(), false).unwrap_err();
    (format!("{err:#}"), out)
}

#[test]
fn writes_exact_bytes_and_lock_with_counts() {
    let (_src_dir, src) = spec_source(&small_spec());
    let out = tempfile::tempdir().unwrap();
    let source = src.to_str().unwrap();
    let fetched = fetch(source, out.path(), false).unwrap();
    let bytes = fs::read(&src).unwrap();
    assert_eq!(fs::read(spec_path(out.path())).unwrap(), bytes);
    let expected = Lock {
        source: source.to_owned(),
        sha256: sha256_hex(&bytes),
        size: bytes.len() as u64,
        info_version: "v9".into(),
        openapi: "3.0.1".into(),
        operations: 3,
        paths: 2,
        schemas: 4,
    };
    assert_eq!(fetched.lock, expected);
    assert_eq!(Lock::read(out.path()).unwrap(), expected);
    let text = fs::read_to_string(lock_path(out.path())).unwrap();
    assert!(
        text.starts_with("{\n  \"source\": ") && text.ends_with("}\n"),
        "{text}"
    );
}

#[test]
fn leaves_no_temporary_file_behind() {
    let (_src_dir, src) = spec_source(&small_spec());
    let out = tempfile::tempdir().unwrap();
    fetch(src.to_str().unwrap(), out.path(), false).unwrap();
    fetch(src.to_str().unwrap(), out.path(), false).unwrap();
    assert_eq!(
        dir_names(out.path()),
        ["aiven-openapi.lock.json", "aiven-openapi.spec"]
    );
}

#[test]
fn accepts_file_url_source() {
    let (_src_dir, src) = spec_source(&small_spec());
    let out = tempfile::tempdir().unwrap();
    let url = format!("file://{}", src.display());
    let fetched = fetch(&url, out.path(), false).unwrap();
    assert_eq!(fetched.lock.source, url);
    assert_eq!(fetched.lock.operations, 3);
}

#[test]
fn summary_line_names_counts_hash_and_files() {
    let (_src_dir, src) = spec_source(&small_spec());
    let out = tempfile::tempdir().unwrap();
    let fetched = fetch(src.to_str().unwrap(), out.path(), false).unwrap();
    let line = summary_line(&fetched);
    let expected = format!(
        "fetched {}: 3 operations, 4 schemas, sha256 {}; wrote {} and {}",
        src.display(),
        fetched.lock.sha256,
        spec_path(out.path()).display(),
        lock_path(out.path()).display()
    );
    assert_eq!(line, expected);
}

#[test]
fn what_is_not_a_description_is_refused_and_nothing_written() {
    let (err, out) = fetch_error(b"<!doctype html>");
    assert!(
        err.ends_with("spec.json is not an OpenAPI document (its top level is not an object)"),
        "{err}"
    );
    assert!(dir_names(out.path()).is_empty());
    let (err, out) = fetch_error(b"{\"openapi\": ");
    assert!(err.contains("spec.json is not valid JSON: "), "{err}");
    assert!(dir_names(out.path()).is_empty());
}

#[test]
fn yaml_is_read_by_content_and_stored_verbatim() {
    let yaml = b"openapi: 3.0.1\ninfo: {title: t, version: v3}\npaths:\n  /a:\n    get: {operationId: A, responses: {}}\n";
    // Named .json: the content decides.
    let (_src_dir, src) = source_file("spec.json", yaml);
    let out = tempfile::tempdir().unwrap();
    let fetched = fetch(src.to_str().unwrap(), out.path(), false).unwrap();
    assert_eq!(fetched.lock.operations, 1);
    assert_eq!(fetched.lock.info_version, "v3");
    assert_eq!(fetched.lock.sha256, sha256_hex(yaml));
    assert_eq!(fs::read(spec_path(out.path())).unwrap(), yaml);
}

#[test]
fn swagger_2_is_refused() {
    let (err, out) = fetch_error(br#"{"swagger": "2.0", "paths": {}}"#);
    assert!(
        err.ends_with("spec.json: Swagger 2.0 found; an OpenAPI 3.0 description is required"),
        "{err}"
    );
    assert!(dir_names(out.path()).is_empty());
}

#[test]
fn openapi_3_1_is_refused() {
    let (err, _out) = fetch_error(br#"{"openapi": "3.1.0", "paths": {}}"#);
    assert!(err.contains("OpenAPI 3.1.x found"), "{err}");
    assert!(err.ends_with("3.0.x is required"), "{err}");
}

#[test]
fn missing_operation_id_names_method_and_path() {
    let mut doc = small_spec();
    doc["paths"]["/project/{project}"]["delete"] = json!({ "responses": {} });
    let (err, out) = fetch_error(doc.to_string().as_bytes());
    assert!(
        err.ends_with("spec.json: operation DELETE /project/{project} has no operationId"),
        "{err}"
    );
    assert!(dir_names(out.path()).is_empty());
}

#[test]
fn duplicate_operation_id_names_both_locations() {
    let mut doc = small_spec();
    doc["paths"]["/project/{project}"]["delete"]["operationId"] = json!("ProjectList");
    let (err, _out) = fetch_error(doc.to_string().as_bytes());
    let expected =
        "duplicate operationId `ProjectList` on GET /project and DELETE /project/{project}";
    assert!(err.ends_with(expected), "{err}");
}

#[test]
fn missing_source_file_is_one_line_with_cause() {
    let out = tempfile::tempdir().unwrap();
    let missing = out.path().join("absent.json");
    let err = fetch(missing.to_str().unwrap(), out.path(), false).unwrap_err();
    let text = format!("{err:#}");
    assert_eq!(
        text,
        format!(
            "cannot read {}: No such file or directory (os error 2)",
            missing.display()
        )
    );
}

#[test]
fn locked_refuses_modified_source_saying_what_was_fetched_and_what_is_locked() {
    let (_src_dir, src) = spec_source(&small_spec());
    let out = tempfile::tempdir().unwrap();
    let source = src.to_str().unwrap();
    let original = fetch(source, out.path(), false).unwrap().lock;
    let mut changed = small_spec();
    changed["info"]["version"] = json!("v10");
    let changed_bytes = changed.to_string().into_bytes();
    fs::write(&src, &changed_bytes).unwrap();
    let err = fetch(source, out.path(), true).unwrap_err().to_string();
    let expected = format!(
        "{source} is not the locked description\n  \
         fetched: {source}\n           sha256 {}, {} bytes, 3 operations\n  \
         locked:  {source}\n           sha256 {}, {} bytes (openapi/aiven-openapi.lock.json)\n\
         two ways on:\n",
        sha256_hex(&changed_bytes),
        changed_bytes.len(),
        original.sha256,
        original.size
    );
    assert!(err.starts_with(&expected), "{err}");
    assert!(err.contains("point AIVEN_OPENAPI_SOURCE at a copy of the locked bytes"));
    assert!(err.contains(&format!(
        "`cargo xtask fetch --source {source}` (without --locked)"
    )));
    let written = fs::read(spec_path(out.path())).unwrap();
    assert_eq!(
        sha256_hex(&written),
        original.sha256,
        "the spec must be left as it was"
    );
    assert_eq!(Lock::read(out.path()).unwrap(), original);
}

#[test]
fn the_locked_bytes_from_a_local_copy_keep_the_lock_and_its_source() {
    let (_src_dir, src) = spec_source(&small_spec());
    let out = tempfile::tempdir().unwrap();
    let mut lock = fetch(src.to_str().unwrap(), out.path(), false)
        .unwrap()
        .lock;
    lock.source = "https://example.org/immutable/spec.json".into();
    lock.write(out.path()).unwrap();
    let before = fs::read(lock_path(out.path())).unwrap();
    let (_copy_dir, copy) = source_file("copy.json", &fs::read(&src).unwrap());
    let fetched = fetch(copy.to_str().unwrap(), out.path(), false).unwrap();
    assert!(fetched.lock_path.is_none());
    assert!(fetched.warning.is_none());
    assert_eq!(fetched.lock, lock);
    assert_eq!(fs::read(lock_path(out.path())).unwrap(), before);
    assert!(summary_line(&fetched).starts_with(&format!("fetched {}: ", copy.display())));
}

#[test]
fn a_lock_naming_a_local_file_or_the_live_url_is_warned_about() {
    let (_src_dir, src) = spec_source(&small_spec());
    let out = tempfile::tempdir().unwrap();
    let fetched = fetch(src.to_str().unwrap(), out.path(), false).unwrap();
    let warning = fetched.warning.expect("a local source is warned about");
    assert!(
        warning.starts_with(&format!(
            "warning: the lock now names {}, a local file others do not have.",
            src.display()
        )),
        "{warning}"
    );
    assert!(warning.contains("--locked` must then pass"), "{warning}");
    let live = xtask::fetch::unreachable_source_warning("https://api.aiven.io/doc/openapi.json");
    assert!(live.unwrap().contains("the live URL"));
    assert_eq!(
        xtask::fetch::unreachable_source_warning(REAL_SPEC_URL),
        None
    );
}

#[test]
fn locked_without_lock_is_an_error() {
    let (_src_dir, src) = spec_source(&small_spec());
    let out = tempfile::tempdir().unwrap();
    let err = fetch(src.to_str().unwrap(), out.path(), true)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("no lock file at "), "{err}");
    assert!(dir_names(out.path()).is_empty());
}

#[test]
fn locked_with_matching_bytes_rewrites_spec_and_keeps_lock() {
    let (_src_dir, src) = spec_source(&small_spec());
    let out = tempfile::tempdir().unwrap();
    fetch(src.to_str().unwrap(), out.path(), false).unwrap();
    let lock_before = fs::read(lock_path(out.path())).unwrap();
    fs::remove_file(spec_path(out.path())).unwrap();
    let fetched = fetch(&format!("file://{}", src.display()), out.path(), true).unwrap();
    assert!(fetched.lock_path.is_none());
    assert_eq!(
        fs::read(spec_path(out.path())).unwrap(),
        fs::read(&src).unwrap()
    );
    assert_eq!(fs::read(lock_path(out.path())).unwrap(), lock_before);
}

#[test]
fn verify_detects_a_modified_spec() {
    let (_src_dir, src) = spec_source(&small_spec());
    let out = tempfile::tempdir().unwrap();
    let lock = fetch(src.to_str().unwrap(), out.path(), false)
        .unwrap()
        .lock;
    assert_eq!(verify(out.path()).unwrap(), lock);
    fs::write(spec_path(out.path()), b"{}").unwrap();
    let err = verify(out.path()).unwrap_err().to_string();
    assert!(
        err.contains(&sha256_hex(b"{}")) && err.contains(&lock.sha256),
        "{err}"
    );
}

#[test]
fn fetches_over_http_from_a_local_server() {
    let server = httpmock::MockServer::start();
    let body = serde_json::to_string(&small_spec()).unwrap();
    let mock = server.mock(|when, then| {
        when.method(httpmock::Method::GET).path("/doc/openapi.json");
        then.status(200)
            .header("content-type", "application/json")
            .body(&body);
    });
    let out = tempfile::tempdir().unwrap();
    let url = server.url("/doc/openapi.json");
    let fetched = fetch(&url, out.path(), false).unwrap();
    mock.assert();
    assert_eq!(fetched.lock.source, url);
    assert_eq!(fetched.lock.sha256, sha256_hex(body.as_bytes()));
    assert_eq!(fs::read(spec_path(out.path())).unwrap(), body.as_bytes());
}

#[test]
fn http_error_status_is_reported() {
    let server = httpmock::MockServer::start();
    server.mock(|when, then| {
        when.path("/missing.json");
        then.status(404).body("not here");
    });
    let out = tempfile::tempdir().unwrap();
    let url = server.url("/missing.json");
    let err = fetch(&url, out.path(), false).unwrap_err().to_string();
    assert_eq!(err, format!("cannot fetch {url}: HTTP status 404"));
    assert!(dir_names(out.path()).is_empty());
}

#[test]
fn unreachable_server_is_a_connection_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/openapi.json");
    let out = tempfile::tempdir().unwrap();
    let err = fetch(&url, out.path(), false).unwrap_err().to_string();
    assert!(err.starts_with(&format!("cannot fetch {url}: ")), "{err}");
    assert!(err.contains("Connection refused"), "{err}");
    assert!(
        err.ends_with(
            "\noffline? set AIVEN_OPENAPI_SOURCE (or --source) to a local copy of the \
             description: a path or file:// URL"
        ),
        "{err}"
    );
    assert!(dir_names(out.path()).is_empty());
}

/// `../shared/openapi/NAME` beside the checkout; its absence fails the test.
fn shared(name: &str) -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = manifest.join("../../shared/openapi").join(name);
    assert!(
        path.exists(),
        "{} is missing: the shared descriptions must sit beside the checkout",
        path.display()
    );
    path
}

#[test]
fn real_shared_spec_fetches_with_known_counts_and_hash() {
    let real = shared("aiven-openapi-2026-06.yml");
    let out = tempfile::tempdir().unwrap();
    let fetched = fetch(real.to_str().unwrap(), out.path(), false).unwrap();
    let lock = &fetched.lock;
    assert_eq!((lock.operations, lock.schemas, lock.paths), (457, 575, 317));
    assert_eq!(lock.sha256, REAL_SPEC_SHA256);
    assert_eq!(lock.size, 2_554_734);
    assert_eq!(
        (lock.openapi.as_str(), lock.info_version.as_str()),
        ("3.0.1", "v1")
    );
    assert_eq!(
        sha256_hex(&fs::read(spec_path(out.path())).unwrap()),
        REAL_SPEC_SHA256
    );
    assert_eq!(verify(out.path()).unwrap(), *lock);
}

#[test]
fn the_committed_lock_pins_the_2026_description_by_its_immutable_url() {
    let openapi = xtask::openapi_dir();
    let lock = Lock::read(&openapi).unwrap();
    assert_eq!(lock.source, REAL_SPEC_URL);
    assert_eq!(lock.sha256, REAL_SPEC_SHA256);
    assert_eq!((lock.operations, lock.schemas, lock.paths), (457, 575, 317));
    // The shared copy is the locked bytes: `fetch --locked` from it passes.
    let out = tempfile::tempdir().unwrap();
    lock.write(out.path()).unwrap();
    let real = shared("aiven-openapi-2026-06.yml");
    let fetched = fetch(real.to_str().unwrap(), out.path(), true).unwrap();
    assert!(fetched.lock_path.is_none());
    assert_eq!(Lock::read(out.path()).unwrap(), lock);
    // The November 2023 one is refused, naming its operations.
    let old = shared("aiven-openapi.json");
    let err = fetch(old.to_str().unwrap(), out.path(), true)
        .unwrap_err()
        .to_string();
    assert!(err.contains("2813946 bytes, 309 operations"), "{err}");
    assert!(err.contains(&format!("locked:  {REAL_SPEC_URL}")), "{err}");
}
