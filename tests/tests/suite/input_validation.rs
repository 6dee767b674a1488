//! Input that the API would refuse is refused by `aiven-ext` before any
//! request, with an error that names the field and says what is wrong.
//! Complements `aiven-ext/tests/suite/lifecycle.rs`
//! (`invalid_input_is_refused_before_sending`, `disks_only_grow`), which
//! covers bad characters and a trailing dash in service names, an empty
//! project, a blank plan, a negative disk on create, a missing plan, an empty
//! update and a shrinking disk; here: the remaining name rules, lengths,
//! disks that are zero, negative or not finite on update, and the update,
//! delete, get and waiter paths.

use std::time::Duration;

use aiven_ext::aiven_api::types;
use aiven_ext::clock::MockClock;
use aiven_ext::{AivenClient, Error};
use httpmock::prelude::*;

fn body(name: &str) -> types::builder::ServiceCreateRequestBody {
    types::ServiceCreateRequestBody::builder()
        .service_name(name)
        .service_type("pg")
        .plan("startup-4")
}

/// Refused before sending: by `aiven-ext`'s checks (`Error::Validation`
/// naming the field), or by the generated request types' own limits
/// (`Error::InvalidRequest` naming the field).
#[track_caller]
fn assert_refused(result: Result<impl std::fmt::Debug, Error>, field: &str, says: &str) {
    let err = result.expect_err("refused");
    match &err {
        Error::Validation { field: f, .. } => assert_eq!(*f, field, "{err}"),
        Error::InvalidRequest(m) => assert!(m.contains(field), "{err}"),
        other => panic!("expected a validation error for {field}, got {other:?}"),
    }
    assert!(err.to_string().contains(says), "{err} lacks {says:?}");
}

#[tokio::test]
async fn bad_input_is_refused_before_any_request() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await;
    let clock = MockClock::new();
    let c = AivenClient::builder()
        .base_url(server.base_url())
        .token("t")
        .clock(clock.shared())
        .build()
        .unwrap();
    let long = |n: usize| "a".repeat(n);

    // Service names on create (Aiven's naming rule: they become DNS labels).
    for (name, says) in [
        ("", "shorter than 1 characters"),
        ("pg", "must be 3 to 63 characters long, not 2"),
        (&long(64), "must be 3 to 63 characters long, not 64"),
        ("1pg", "must start with a lowercase letter"),
        ("-pg", "must start with a lowercase letter"),
        ("pg 1", "not ' '"),
        ("pg.1", "not '.'"),
        ("pg/1", "not '/'"),
        ("pgé", "not 'é'"),
    ] {
        let r = c.create_service("p", body(name)).send().await;
        assert_refused(r, "service_name", says);
    }
    // Projects, everywhere.
    for (project, says) in [
        ("", "must not be empty"),
        ("  ", "must not be empty"),
        ("a b", "must not contain whitespace"),
        ("a/b", "'/'"),
        ("a\tb", "control characters"),
        (&long(64), "must be at most 63 characters, not 64"),
    ] {
        assert_refused(
            c.create_service(project, body("pg-1")).send().await,
            "project",
            says,
        );
        assert_refused(
            c.update_service(project, "pg-1")
                .plan("business-4")
                .send()
                .await,
            "project",
            says,
        );
        assert_refused(
            c.power_off_service(project, "pg-1").send().await,
            "project",
            says,
        );
        assert_refused(
            c.delete_service(project, "pg-1").send().await,
            "project",
            says,
        );
        assert_refused(c.get_service(project, "pg-1").await, "project", says);
        assert_refused(
            c.wait_until_service_running(project, "pg-1")
                .wait(Duration::from_secs(60))
                .await,
            "project",
            says,
        );
        assert_refused(c.list_service_types(Some(project)).await, "project", says);
    }
    // Plans, types and clouds on create.
    assert_refused(
        c.create_service("p", body("pg-1").plan(long(129)))
            .send()
            .await,
        "plan",
        "longer than 128 characters",
    );
    assert_refused(
        c.create_service("p", body("pg-1").service_type(""))
            .send()
            .await,
        "service_type",
        "must not be empty",
    );
    assert_refused(
        c.create_service("p", body("pg-1").cloud(Some(" ".parse().unwrap())))
            .send()
            .await,
        "cloud",
        "must not be empty",
    );
    // Disks on create and update: positive (an integer since June 2026, so
    // negative, NaN and infinite sizes no longer type-check).
    for mb in [0u64] {
        assert_refused(
            c.create_service("p", body("pg-1").disk_space_mb(Some(mb)))
                .send()
                .await,
            "disk_space_mb",
            "must be a positive number of megabytes",
        );
        assert_refused(
            c.update_service("p", "pg-1").disk_space_mb(mb).send().await,
            "disk_space_mb",
            "must be a positive number of megabytes",
        );
    }
    // Existing services are addressed by any name the API allows (1–64
    // characters), but not by an empty or over-long one.
    for (service, says) in [
        ("", "must not be empty"),
        (&long(65), "must be at most 64 characters, not 65"),
    ] {
        assert_refused(
            c.update_service("p", service)
                .plan("business-4")
                .send()
                .await,
            "service_name",
            says,
        );
        assert_refused(
            c.delete_service("p", service).send().await,
            "service_name",
            says,
        );
        assert_refused(c.get_service("p", service).await, "service_name", says);
    }
    // Plans and clouds on update.
    assert_refused(
        c.update_service("p", "pg-1").plan(long(129)).send().await,
        "plan",
        "must be at most 128 characters",
    );
    assert_refused(
        c.update_service("p", "pg-1").cloud(" ").send().await,
        "cloud",
        "must not be empty",
    );

    assert_eq!(any.calls_async().await, 0, "no request reached the server");
    assert!(clock.sleeps().is_empty(), "nothing was retried or awaited");
}
