//! aiven-api's hand-written parts: path parameters (`hooks`), the masked
//! request URL (`redact`) and the crypto provider (`tls`). They live here,
//! not in aiven-api's own unit tests, so `cargo test --workspace` does not
//! compile the generated client a second time with `cfg(test)`
//! (aiven-api's `[lib] test = false`).

use aiven_api::hooks::{check_path, encode_path};
use aiven_api::redact::request_url;
fn url(s: &str) -> reqwest::Url {
    reqwest::Url::parse(s).unwrap()
}

const BASE: &str = "https://api.aiven.io/v1";
const BASE_PATH: &str = "/v1";

#[test]
fn matching_paths_pass() {
    for ok in [
        "https://api.aiven.io/v1/project/acme/service/pg-1",
        "https://api.aiven.io/v1/project/a%20b/service/%C3%A4",
        "https://api.aiven.io/v1/project/a.b/service/...",
    ] {
        assert_eq!(
            check_path(BASE_PATH, &url(ok), "service_delete"),
            Ok(()),
            "{ok}"
        );
    }
    let root = "http://127.0.0.1:1/project/acme/service/pg-1";
    assert_eq!(check_path("/", &url(root), "service_get"), Ok(()));
}

#[test]
fn paths_that_address_something_else_are_refused() {
    for (bad, says) in [
        // `..` resolved by the URL parser: the project itself.
        ("https://api.aiven.io/v1/project/acme/", "has 3 segments"),
        (
            "https://api.aiven.io/v1/project/acme/service/",
            "service_name (the 2nd",
        ),
        // The URL parser resolves `%2E%2E` too: a segment count mismatch.
        (
            "https://api.aiven.io/v1/project/acme/service/%2E%2E",
            "has 3 segments",
        ),
        (
            "https://api.aiven.io/v1/project/acme/service/%252e%252e",
            "is `.` or `..`",
        ),
        (
            "https://api.aiven.io/v1/project/acme/service/a%5Cb",
            "contains `\\`",
        ),
        (
            "https://api.aiven.io/v1/project/acme/service/a%2Fb",
            "contains `/`",
        ),
        (
            "https://api.aiven.io/v2/project/acme/service/pg",
            "base URL",
        ),
    ] {
        let err = check_path(BASE_PATH, &url(bad), "service_delete").unwrap_err();
        assert!(
            err.contains(says) && err.starts_with("ServiceDelete"),
            "{bad}: {err}"
        );
    }
    let moved = url("https://api.aiven.io/v1/project/acme/victim/pg");
    assert!(check_path(BASE_PATH, &moved, "service_delete").is_err());
}

/// A refusal quotes the path: a secret parameter in it is masked.
#[test]
fn refusals_do_not_quote_secret_parameters() {
    let bad = url(&format!(
        "{BASE}/project/acme/invoice/{}/c00kie-77",
        encode_path("..")
    ));
    let err = check_path(BASE_PATH, &bad, "project_invoice_get").unwrap_err();
    let moved = url("https://api.aiven.io/v1/project/acme/invoice/x/y/c00kie-77");
    let err2 = check_path(BASE_PATH, &moved, "project_invoice_get").unwrap_err();
    for e in [&err, &err2] {
        assert!(
            e.starts_with("ProjectInvoiceGet") && !e.contains("c00kie"),
            "{e}"
        );
    }
    assert!(err2.contains(aiven_api::redact::REDACTED), "{err2}");
}

/// Every parameter value, once encoded and put in a URL, is one segment,
/// and the dangerous ones are refused.
#[test]
fn encoded_parameters_stay_one_segment() {
    for (value, refused) in [
        ("pg-1", false),
        ("a b", false),
        ("ä", false),
        ("...", false),
        (".", true),
        ("..", true),
        ("a\\b", true),
        ("..\\..\\victim\\service\\victim-pg", true),
        ("%2e%2e", true),
        ("%2E", true),
        (".%2e", true),
        ("a/b", true),
        ("", true),
    ] {
        let u = url(&format!(
            "{BASE}/project/acme/service/{}",
            encode_path(value)
        ));
        assert_eq!(u.path_segments().unwrap().count(), 5, "{value:?}: {u}");
        let checked = check_path(BASE_PATH, &u, "service_delete");
        assert_eq!(checked.is_err(), refused, "{value:?}: {u} {checked:?}");
    }
}

/// Every operation of the description: its template filled with
/// ordinary values passes, and `..`, `.`, `a\\b` or `a/b` in any one
/// parameter is refused, naming that parameter.
#[test]
fn every_operation_checks_every_parameter() {
    let fill = |op: &aiven_api::Operation, hostile: Option<(usize, &str)>| {
        let mut n = 0;
        let segments: Vec<String> = op
            .path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    n += 1;
                    match hostile {
                        Some((at, value)) if at == n => encode_path(value),
                        _ => encode_path("name-1"),
                    }
                } else {
                    segment.to_owned()
                }
            })
            .collect();
        (n, url(&format!("{BASE}{}", segments.join("/"))))
    };
    let mut parameters = 0;
    for op in aiven_api::OPERATIONS {
        let (count, ok) = fill(op, None);
        assert_eq!(
            check_path(BASE_PATH, &ok, op.client_method),
            Ok(()),
            "{op:?}"
        );
        for at in 1..=count {
            parameters += 1;
            for bad in ["..", ".", "a\\b", "a/b", ""] {
                let (_, u) = fill(op, Some((at, bad)));
                let err = check_path(BASE_PATH, &u, op.client_method).unwrap_err();
                assert!(err.starts_with(op.operation_id), "{op:?} {bad:?}: {err}");
            }
        }
    }
    assert!(
        aiven_api::OPERATIONS.len() > 400 && parameters > 700,
        "{parameters}"
    );
}

#[test]
fn request_urls_lose_secret_path_parameters_and_query_values() {
    let url = |s: &str| reqwest::Url::parse(s).unwrap();
    let shown = request_url(
        &url("https://api.aiven.io/v1/project/p/invoice/42/c00kie?password=pw&x=1"),
        aiven_api::operations::PROJECT_INVOICE_GET,
    );
    assert_eq!(
        shown.as_str(),
        "https://api.aiven.io/v1/project/p/invoice/42/**%20redacted%20**\
         ?password=**%20redacted%20**&x=1"
    );
    let plain = url("https://api.aiven.io/v1/project/p/service/pg-1");
    assert_eq!(
        request_url(&plain, aiven_api::operations::SERVICE_GET),
        plain,
        "nothing to mask: the URL as it was"
    );
    let verify = url("https://api.aiven.io/v1/user/verify_email/123456");
    assert!(
        !request_url(&verify, aiven_api::operations::USER_VERIFY_EMAIL)
            .as_str()
            .contains("123456")
    );
}

#[test]
fn a_client_builds_with_the_installed_provider() {
    aiven_api::tls::client_builder()
        .build()
        .expect("a reqwest client");
    assert!(rustls::crypto::CryptoProvider::get_default().is_some());
}
