//! A whole service lifecycle through `aiven-ext` (create → RUNNING → tags →
//! plan change → power off → power on → delete → gone) against the simulator
//! with faults on: a seeded fraction of 5xx, rate limits with `Retry-After`,
//! latency spikes longer than the client's timeout, connections dropped
//! mid-answer and truncated JSON. It must complete with no duplicated
//! service (one successful `ServiceCreate`, one service of that name in every
//! listing) and no lost update (final plan and every tag present); every
//! failure that surfaces must be a typed `aiven_ext::Error` naming its
//! operation.
//!
//! Fast profile: transitions of 0.2–0.3 s on the system clock, retry delays
//! of 5–40 ms, polls every 20–100 ms. Retries are counted from aiven-ext's
//! `retrying Aiven API request` WARN events (a thread-local subscriber; the
//! tests run on current-thread runtimes, so the simulator, the client and
//! its connections all log on the test's thread). Run with `--nocapture`
//! for the per-run figures.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aiven_ext::aiven_api::types;
use aiven_ext::{
    AivenClient, Ensured, Error, RetryPolicy, ServiceExt, ServiceState, StateExt, WaitPolicy,
};
use aiven_sim::{FaultRule, SimHandle, Simulator, Stats, Timings};
use serde_json::json;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

const P: &str = "faults";
const TOKEN: &str = "fault-token";
/// Every fault rule applies below this prefix, so setting up the project is
/// unaffected.
const SERVICES: &str = "/project/faults/service";
const WAIT: Duration = Duration::from_secs(20);

fn timings() -> Timings {
    Timings {
        create: Duration::from_millis(300),
        rebalance: Duration::from_millis(200),
        power_on: Duration::from_millis(200),
        topic: Duration::from_millis(100),
    }
}

fn retry_policy() -> RetryPolicy {
    let mut p = RetryPolicy::default();
    p.max_attempts = 8;
    p.min_delay = Duration::from_millis(5);
    p.max_delay = Duration::from_millis(40);
    p.total_budget = Duration::from_secs(15);
    p
}

fn wait_policy() -> WaitPolicy {
    let mut p = WaitPolicy::default();
    p.min_delay = Duration::from_millis(20);
    p.max_delay = Duration::from_millis(100);
    p.not_found_grace = Duration::from_secs(5);
    p
}

/// A simulator with project `faults` and these rules.
async fn simulator(rules: Vec<FaultRule>, seed: u64) -> SimHandle {
    let mut b = Simulator::builder()
        .token(TOKEN)
        .timings(timings())
        .seed(seed)
        .validate_responses(true);
    for r in rules {
        b = b.fault(r);
    }
    let sim = b.start().await.expect("simulator starts");
    let c = client(&sim, Duration::from_secs(5));
    let body: types::ProjectCreateRequestBody =
        serde_json::from_value(json!({ "project": P })).unwrap();
    c.project_create().body(body).send().await.expect("project");
    sim
}

fn client(sim: &SimHandle, timeout: Duration) -> AivenClient {
    AivenClient::builder()
        .base_url(sim.base_url())
        .token(TOKEN)
        .timeout(timeout)
        .retry_policy(retry_policy())
        .wait_policy(wait_policy())
        .build()
        .expect("client")
}

fn rule() -> FaultRule {
    FaultRule::path_prefix(SERVICES)
}

/// Counts aiven-ext's retry events by operation.
#[derive(Clone, Default)]
struct Retries(Arc<Mutex<BTreeMap<String, u32>>>);

impl Retries {
    fn total(&self) -> u32 {
        self.0.lock().unwrap().values().sum()
    }
    fn by_operation(&self) -> BTreeMap<String, u32> {
        self.0.lock().unwrap().clone()
    }
}

#[derive(Default)]
struct RetryEvent {
    message: String,
    operation_id: String,
}

impl Visit for RetryEvent {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "operation_id" {
            self.operation_id = value.to_string();
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            "operation_id" => self.operation_id = format!("{value:?}"),
            _ => {}
        }
    }
}

impl<S: Subscriber> Layer<S> for Retries {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        if *event.metadata().level() != Level::WARN {
            return;
        }
        let mut e = RetryEvent::default();
        event.record(&mut e);
        if e.message == "retrying Aiven API request" {
            *self.0.lock().unwrap().entry(e.operation_id).or_default() += 1;
        }
    }
}

/// Installs a retry counter for this thread until the guard drops.
fn count_retries() -> (Retries, tracing::subscriber::DefaultGuard) {
    let retries = Retries::default();
    let subscriber = tracing_subscriber::registry().with(retries.clone());
    (retries, tracing::subscriber::set_default(subscriber))
}

/// Asserts that a surfaced failure is typed and names `operation`.
#[track_caller]
fn assert_names(err: &Error, operation: &str) {
    assert_eq!(err.operation_id(), Some(operation), "{err:?}");
    assert!(err.to_string().contains(operation), "{err}");
}

/// The services of that name in the project (a listing through the client,
/// itself subject to the faults).
async fn count_named(c: &AivenClient, name: &str) -> usize {
    let list = c
        .service_list()
        .project(P)
        .send()
        .await
        .map_err(Error::from)
        .expect("ServiceList (GET, retried)");
    list.into_inner()
        .services
        .unwrap_or_default()
        .iter()
        .filter(|s| s.service_name.as_deref() == Some(name))
        .count()
}

/// What one lifecycle cost.
#[derive(Debug)]
struct Figures {
    elapsed: Duration,
    requests: u64,
    by_status: BTreeMap<u16, u64>,
    /// Answers dropped mid-body and cut short by the simulator.
    damaged: (u64, u64),
    retries: u32,
    retries_by_operation: BTreeMap<String, u32>,
    /// Failures the caller saw and handled (non-idempotent PATCHes).
    surfaced: Vec<String>,
    created: &'static str,
}

const TAGS: usize = 4;

/// Merges tag `k{i}`; PATCH is not retried by the transport, so the caller
/// repeats it (merging the same key again is harmless) and checks that
/// every failure it sees is typed and named.
async fn add_tag(c: &AivenClient, name: &str, i: usize, surfaced: &mut Vec<String>) {
    for _ in 0..20 {
        // June 2026: `tags` is required on the merge update.
        let body = types::ProjectServiceTagsUpdateRequestBody::builder().tags(
            json!({ format!("k{i}"): format!("v{i}") })
                .as_object()
                .cloned()
                .unwrap(),
        );
        let sent = c
            .project_service_tags_update()
            .project(P)
            .service_name(name)
            .body(body)
            .send()
            .await;
        match sent.map_err(Error::from) {
            Ok(_) => return,
            Err(e) => {
                // API errors name their operation by themselves; transport
                // and decoding errors of a direct generated call are named
                // by the caller.
                let e = match e {
                    Error::Api(_) => e,
                    other => {
                        other.with_operation(aiven_api::operations::PROJECT_SERVICE_TAGS_UPDATE)
                    }
                };
                assert_names(&e, "ProjectServiceTagsUpdate");
                surfaced.push(e.to_string());
            }
        }
    }
    panic!("tag k{i} not acknowledged in 20 tries: {surfaced:?}");
}

/// The whole lifecycle; panics on any unexpected outcome.
async fn lifecycle(sim: &SimHandle, c: &AivenClient, retries: &Retries, name: &str) -> Figures {
    let started = Instant::now();
    let mut surfaced = Vec::new();

    let body = types::ServiceCreateRequestBody::builder()
        .service_name(name)
        .service_type("pg")
        .plan("startup-4");
    let created = c
        .create_service(P, body)
        .send_and_wait(WAIT)
        .await
        .unwrap_or_else(|e| panic!("create and wait: {e}"));
    let created_how = created.verb();
    assert_eq!(created.get().state(), Some(ServiceState::Running));
    assert_eq!(count_named(c, name).await, 1, "one service after create");

    for i in 0..TAGS {
        add_tag(c, name, i, &mut surfaced).await;
    }

    let svc = c
        .update_service(P, name)
        .plan("business-4")
        .send_and_wait(WAIT)
        .await
        .unwrap_or_else(|e| panic!("plan change: {e}"));
    assert_eq!(svc.plan.as_deref(), Some("business-4"));
    assert!(svc.all_nodes_running());

    let svc = c
        .power_off_service(P, name)
        .send_and_wait(WAIT)
        .await
        .unwrap_or_else(|e| panic!("power off: {e}"));
    assert_eq!(svc.state(), Some(ServiceState::Poweroff));
    let svc = c
        .power_on_service(P, name)
        .send_and_wait(WAIT)
        .await
        .unwrap_or_else(|e| panic!("power on: {e}"));
    assert_eq!(svc.state(), Some(ServiceState::Running));

    // No lost update: the plan change and every acknowledged tag stuck.
    let svc = c.get_service(P, name).await.expect("get");
    assert_eq!(svc.plan.as_deref(), Some("business-4"));
    let tags = svc.tags.unwrap_or_default();
    for i in 0..TAGS {
        assert_eq!(
            tags.get(format!("k{i}")),
            Some(&json!(format!("v{i}"))),
            "{tags:?}"
        );
    }
    assert_eq!(count_named(c, name).await, 1, "one service before delete");

    c.delete_service(P, name)
        .send_and_wait(WAIT)
        .await
        .unwrap_or_else(|e| panic!("delete: {e}"));
    assert_eq!(count_named(c, name).await, 0, "gone");
    let err = c.get_service(P, name).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");

    // Exactly one create took effect, whatever was retried.
    let stats: Stats = sim.stats();
    assert_eq!(stats.count("ServiceCreate", 200), 1, "{stats:?}");
    sim.conformance().assert_clean();
    Figures {
        elapsed: started.elapsed(),
        requests: stats.requests,
        by_status: stats.by_status,
        damaged: (stats.dropped, stats.truncated),
        retries: retries.total(),
        retries_by_operation: retries.by_operation(),
        surfaced,
        created: created_how,
    }
}

fn report(label: &str, f: &Figures) {
    eprintln!(
        "{label}: {:.2?}, {} requests {:?} ({} dropped, {} truncated), {} retries {:?}, created {}, {} failures surfaced to the caller",
        f.elapsed,
        f.requests,
        f.by_status,
        f.damaged.0,
        f.damaged.1,
        f.retries,
        f.retries_by_operation,
        f.created,
        f.surfaced.len()
    );
}

#[tokio::test]
async fn lifecycle_without_faults_is_the_baseline() {
    let (retries, _guard) = count_retries();
    let sim = simulator(vec![], 0).await;
    let c = client(&sim, Duration::from_secs(5));
    let f = lifecycle(&sim, &c, &retries, "pg-calm").await;
    report("no faults", &f);
    assert_eq!(f.retries, 0);
    assert!(f.surfaced.is_empty());
}

#[tokio::test]
async fn lifecycle_survives_a_fifth_of_5xx_over_five_seeds() {
    let mut total = (0, 0, 0);
    for seed in 1..=5 {
        let (retries, _guard) = count_retries();
        let sim = simulator(vec![rule().error_rate(0.2)], seed).await;
        let c = client(&sim, Duration::from_secs(5));
        let f = lifecycle(&sim, &c, &retries, "pg-5xx").await;
        report(&format!("20% 5xx, seed {seed}"), &f);
        let server_errors: u64 = f.by_status.range(500..).map(|(_, n)| n).sum();
        assert!(server_errors > 0, "the faults were on");
        total = (
            total.0 + f.requests,
            total.1 + server_errors,
            total.2 + f.retries,
        );
    }
    eprintln!(
        "20% 5xx, 5 seeds: {} requests, {} answered 5xx, {} retries",
        total.0, total.1, total.2
    );
}

#[tokio::test]
async fn lifecycle_survives_dropped_and_truncated_answers() {
    for seed in [11, 12, 13] {
        let (retries, _guard) = count_retries();
        let rules = vec![rule()
            .error_rate(0.1)
            .drop_connection_rate(0.1)
            .truncate_rate(0.1)];
        let sim = simulator(rules, seed).await;
        let c = client(&sim, Duration::from_secs(5));
        let f = lifecycle(&sim, &c, &retries, "pg-damaged").await;
        report(
            &format!("10% 5xx + 10% drops + 10% truncations, seed {seed}"),
            &f,
        );
        assert!(f.retries > 0);
        assert!(f.damaged.0 + f.damaged.1 > 0, "the faults were on");
    }
}

#[tokio::test]
async fn lifecycle_survives_rate_limits_by_waiting_as_told() {
    let (retries, _guard) = count_retries();
    // A burst of 6, then 6 per second: the waiters poll faster than that.
    let sim = simulator(vec![rule().rate_limit(6, Duration::from_secs(1))], 21).await;
    let c = client(&sim, Duration::from_secs(5));
    let f = lifecycle(&sim, &c, &retries, "pg-limited").await;
    report("rate limit 6/s", &f);
    let limited = f.by_status.get(&429).copied().unwrap_or(0);
    assert!(limited > 0, "{f:?}");
    // Every 429 said `Retry-After: 1` and the client waited that long.
    assert!(f.elapsed >= Duration::from_secs(limited.min(3)), "{f:?}");
}

#[tokio::test]
async fn lifecycle_survives_latency_spikes_past_the_timeout() {
    let (retries, _guard) = count_retries();
    // 15% of answers take 600 ms; the client gives up after 250 ms.
    let rules = vec![rule()
        .latency(Duration::from_millis(2))
        .latency_spike(0.15, Duration::from_millis(600))];
    let sim = simulator(rules, 31).await;
    let c = client(&sim, Duration::from_millis(250));
    let f = lifecycle(&sim, &c, &retries, "pg-slow").await;
    report("15% latency spikes of 600 ms, 250 ms timeout", &f);
    assert!(f.retries > 0, "{f:?}");
}

#[tokio::test]
async fn lifecycle_survives_everything_at_once() {
    let (retries, _guard) = count_retries();
    let rules = vec![
        rule()
            .error_rate(0.1)
            .drop_connection_rate(0.05)
            .truncate_rate(0.05)
            .latency(Duration::from_millis(1))
            .latency_spike(0.03, Duration::from_millis(500)),
        rule().rate_limit(30, Duration::from_secs(1)),
    ];
    let sim = simulator(rules, 41).await;
    let c = client(&sim, Duration::from_millis(300));
    let f = lifecycle(&sim, &c, &retries, "pg-chaos").await;
    report("everything at once", &f);
}

/// With a fault on every answer of one operation, the helpers fail with a
/// typed error naming that operation, after the retries the policy allows,
/// and never create twice.
#[tokio::test]
async fn surfaced_failures_are_typed_and_name_their_operation() {
    let body = |name: &str| {
        types::ServiceCreateRequestBody::builder()
            .service_name(name)
            .service_type("pg")
            .plan("startup-4")
    };

    // Truncated JSON on every ServiceGet: a get, and a waiter, fail decoding.
    let sim = simulator(
        vec![FaultRule::operation("ServiceGet").truncate_rate(1.0)],
        1,
    )
    .await;
    let c = client(&sim, Duration::from_secs(5));
    c.create_service(P, body("pg-1"))
        .send()
        .await
        .expect("create");
    let err = c.get_service(P, "pg-1").await.unwrap_err();
    assert!(matches!(err, Error::InvalidResponse { .. }), "{err:?}");
    assert_names(&err, "ServiceGet");
    assert_eq!(
        sim.stats().operation("ServiceGet"),
        8,
        "retried up to max_attempts"
    );
    let err = c
        .wait_until_service_running(P, "pg-1")
        .wait(WAIT)
        .await
        .unwrap_err();
    // The waiter says what it waited for and keeps the decoding error.
    assert!(
        matches!(&err, Error::WaitInterrupted { source, polls: 1, .. } if matches!(**source, Error::InvalidResponse { .. })),
        "{err:?}"
    );
    assert_names(&err, "ServiceGet");

    // Connections dropped mid-answer on every ServiceGet.
    let sim = simulator(
        vec![FaultRule::operation("ServiceGet").drop_connection_rate(1.0)],
        2,
    )
    .await;
    let c = client(&sim, Duration::from_secs(5));
    c.create_service(P, body("pg-1"))
        .send()
        .await
        .expect("create");
    let err = c.get_service(P, "pg-1").await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_names(&err, "ServiceGet");

    // 5xx on every ServiceUpdate: an API error with status and attempts.
    let sim = simulator(
        vec![FaultRule::operation("ServiceUpdate").error_rate(1.0)],
        3,
    )
    .await;
    let c = client(&sim, Duration::from_secs(5));
    c.create_service(P, body("pg-1"))
        .send()
        .await
        .expect("create");
    let err = c
        .update_service(P, "pg-1")
        .plan("business-4")
        .send()
        .await
        .unwrap_err();
    let api = err.api().expect("an API error");
    assert!(api.status.is_server_error(), "{api}");
    assert_eq!(api.attempts, 8, "{api}");
    assert_names(&err, "ServiceUpdate");
    assert_eq!(
        c.get_service(P, "pg-1").await.unwrap().plan.as_deref(),
        Some("startup-4")
    );

    // Every ServiceCreate answered 5xx (before taking effect): the create
    // fails, typed and named, and nothing was created.
    let sim = simulator(
        vec![FaultRule::operation("ServiceCreate").error_rate(1.0)],
        4,
    )
    .await;
    let c = client(&sim, Duration::from_secs(5));
    let err = c.create_service(P, body("pg-1")).send().await.unwrap_err();
    assert!(err.status().is_some_and(|s| s.is_server_error()), "{err:?}");
    assert_names(&err, "ServiceCreate");
    assert_eq!(count_named(&c, "pg-1").await, 0);

    // Every ServiceCreate answer lost mid-body (after taking effect), or cut
    // short: the service exists once, found by the existence check.
    for (seed, rule) in [
        (
            5,
            FaultRule::operation("ServiceCreate").drop_connection_rate(1.0),
        ),
        (6, FaultRule::operation("ServiceCreate").truncate_rate(1.0)),
    ] {
        let sim = simulator(vec![rule], seed).await;
        let c = client(&sim, Duration::from_secs(5));
        let created = c
            .create_service(P, body("pg-1"))
            .send()
            .await
            .expect("create");
        assert!(matches!(created, Ensured::Created(_)), "{created:?}");
        assert_eq!(sim.stats().count("ServiceCreate", 200), 1);
        assert_eq!(count_named(&c, "pg-1").await, 1);
    }

    // Rate limited with a Retry-After beyond the budget: 429, named, and
    // the delay reported.
    let sim = simulator(vec![rule().rate_limit(1, Duration::from_secs(600))], 7).await;
    let c = client(&sim, Duration::from_secs(5));
    c.create_service(P, body("pg-1"))
        .send()
        .await
        .expect("the one request admitted");
    let started = Instant::now();
    let err = c.get_service(P, "pg-1").await.unwrap_err();
    assert!(err.is_rate_limited(), "{err:?}");
    assert_names(&err, "ServiceGet");
    assert_eq!(
        err.api().unwrap().retry_after,
        Some(Duration::from_secs(600))
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "did not sleep past the budget"
    );

    // Every ServiceGet slower than the client's timeout.
    let sim = simulator(
        vec![FaultRule::operation("ServiceGet").latency(Duration::from_millis(400))],
        8,
    )
    .await;
    let c = client(&sim, Duration::from_millis(100));
    let err = c.get_service(P, "pg-1").await.unwrap_err();
    assert!(
        matches!(&err, Error::Transport { source, .. } if source.is_timeout()),
        "{err:?}"
    );
    assert_names(&err, "ServiceGet");

    // A lost DELETE answer: retried, the second attempt finds it gone.
    let sim = simulator(
        vec![FaultRule::operation("ServiceDelete").truncate_rate(1.0)],
        9,
    )
    .await;
    let c = client(&sim, Duration::from_secs(5));
    c.create_service(P, body("pg-1"))
        .send()
        .await
        .expect("create");
    c.delete_service(P, "pg-1").send().await.expect("deleted");
    assert_eq!(count_named(&c, "pg-1").await, 0);
}

/// `ensure_service` twice per seed under 20 % 5xx and 5 % dropped answers
/// on every service call: the first run creates (or finds its own ambiguous
/// create), the second adopts, never a duplicate, never a false error.
#[tokio::test]
async fn ensure_service_is_idempotent_under_faults() {
    for seed in 0..5 {
        let rules = vec![rule().error_rate(0.2).drop_connection_rate(0.05)];
        let sim = simulator(rules, 100 + seed).await;
        let c = client(&sim, Duration::from_secs(5));
        let body = || {
            types::ServiceCreateRequestBody::builder()
                .service_name("pg-ensure")
                .service_type("pg")
                .plan("startup-4")
        };
        let first = c.ensure_service(P, body()).await.expect("first run");
        let second = c.ensure_service(P, body()).await.expect("second run");
        assert!(first.was_created(), "seed {seed}: {first:?}");
        assert!(!second.was_created(), "seed {seed}: {second:?}");
        assert_eq!(count_named(&c, "pg-ensure").await, 1, "seed {seed}");
        assert_eq!(sim.stats().count("ServiceCreate", 200), 1, "seed {seed}");

        // What a CI job does next, twice: a database and a user on it.
        c.wait_until_service_running(P, "pg-ensure")
            .wait(WAIT)
            .await
            .expect("running");
        for run in 0..2 {
            let db: types::ServiceDatabaseCreateRequestBody =
                serde_json::from_value(json!({ "database": "app" })).unwrap();
            let db = c
                .ensure_database(P, "pg-ensure", db)
                .await
                .expect("database");
            assert_eq!(db.was_created(), run == 0, "seed {seed} run {run}: {db:?}");
            let user: types::ServiceUserCreateRequestBody =
                serde_json::from_value(json!({ "username": "ci" })).unwrap();
            let user = c
                .ensure_service_user(P, "pg-ensure", user)
                .await
                .expect("user");
            assert_eq!(user.was_created(), run == 0, "seed {seed} run {run}");
            assert!(
                user.get().password.is_some(),
                "the job gets the password either way"
            );
        }
        assert_eq!(
            sim.stats().count("ServiceDatabaseCreate", 201)
                + sim.stats().count("ServiceDatabaseCreate", 200),
            1,
            "seed {seed}"
        );
        assert_eq!(
            sim.stats().count("ServiceUserCreate", 200)
                + sim.stats().count("ServiceUserCreate", 201),
            1,
            "seed {seed}"
        );

        // A pool on them, Kafka with a topic, and an integration between
        // the two services: each twice, created once.
        let kafka = aiven_ext::requests::NewService::new("kafka-ensure", "kafka", "startup-2");
        c.ensure_service(P, &kafka).await.expect("kafka");
        c.wait_until_service_running(P, "kafka-ensure")
            .wait(WAIT)
            .await
            .expect("kafka running");
        let pool = aiven_ext::requests::NewConnectionPool::new("app-pool", "app").user("ci");
        let topic = aiven_ext::requests::NewTopic::new("events")
            .partitions(3)
            .replication(2);
        let logs =
            aiven_ext::requests::NewIntegration::new("kafka_logs", "pg-ensure", "kafka-ensure")
                .user_config("kafka_topic", "events");
        let mut integration_ids = Vec::new();
        for run in 0..2 {
            let created = |e: bool| e == (run == 0);
            let p = c.ensure_connection_pool(P, "pg-ensure", &pool).await;
            let p = p.unwrap_or_else(|e| panic!("seed {seed} run {run}: pool: {e}"));
            assert!(created(p.was_created()), "seed {seed} run {run}: {p:?}");
            assert!(p.get().connection_uri.is_some(), "the pool's URI: {p:?}");
            let t = c.ensure_topic(P, "kafka-ensure", &topic).await;
            let t = t.unwrap_or_else(|e| panic!("seed {seed} run {run}: topic: {e}"));
            assert!(created(t.was_created()), "seed {seed} run {run}: {t:?}");
            let i = c.ensure_integration(P, &logs).await;
            let i = i.unwrap_or_else(|e| panic!("seed {seed} run {run}: integration: {e}"));
            assert!(created(i.was_created()), "seed {seed} run {run}: {i:?}");
            integration_ids.push(i.into_inner().service_integration_id);
        }
        assert_eq!(
            integration_ids[0], integration_ids[1],
            "seed {seed}: one integration"
        );
        for op in [
            "ServicePGBouncerCreate",
            "ServiceKafkaTopicCreate",
            "ServiceIntegrationCreate",
        ] {
            let made = sim.stats().count(op, 200) + sim.stats().count(op, 201);
            assert_eq!(made, 1, "seed {seed}: {op}");
        }
    }
}

/// The CI environment under faults: for 5 seeds at 20 % 5xx and 5 % dropped
/// connections on every service path, `up` twice and `down` twice never
/// fail, create each resource once (one successful create per kind), and
/// leave no owned service behind.
#[tokio::test]
async fn environment_up_and_down_survive_faults_over_five_seeds() {
    use aiven_ext::prelude::{
        Environment, NewConnectionPool, NewDatabase, NewIntegration, NewService, NewServiceUser,
        NewTopic, Owner,
    };
    for seed in 0..5 {
        let rules = vec![rule().error_rate(0.2).drop_connection_rate(0.05)];
        let sim = simulator(rules, 500 + seed).await;
        let c = client(&sim, Duration::from_secs(5));
        let env = Environment::new(Owner::new("fault-suite").unwrap())
            .service(NewService::new("env-pg", "pg", "startup-4"))
            .database("env-pg", NewDatabase::new("app"))
            .user("env-pg", NewServiceUser::new("ci"))
            .connection_pool(
                "env-pg",
                NewConnectionPool::new("app-pool", "app").user("ci"),
            )
            .service(NewService::new("env-kafka", "kafka", "startup-2"))
            .topic("env-kafka", NewTopic::new("events").partitions(3))
            .integration(
                NewIntegration::new("kafka_logs", "env-pg", "env-kafka")
                    .user_config("kafka_topic", "events"),
            );
        for run in 0..2 {
            let ready = env
                .up(&c, P, WAIT)
                .await
                .unwrap_or_else(|e| panic!("seed {seed} run {run}: up: {e}"));
            let user = ready.user("env-pg", "ci").expect("the user's credentials");
            assert!(!user.password().is_empty(), "seed {seed} run {run}");
        }
        for op in [
            "ServiceCreate",
            "ServiceDatabaseCreate",
            "ServiceUserCreate",
            "ServicePGBouncerCreate",
            "ServiceKafkaTopicCreate",
            "ServiceIntegrationCreate",
        ] {
            let made = sim.stats().count(op, 200) + sim.stats().count(op, 201);
            let expected = if op == "ServiceCreate" { 2 } else { 1 };
            assert_eq!(made, expected, "seed {seed}: {op}");
        }
        for run in 0..2 {
            let report = env
                .down(&c, P, WAIT)
                .await
                .unwrap_or_else(|e| panic!("seed {seed} run {run}: down: {e}"));
            assert!(report.not_owned.is_empty(), "seed {seed}: {report}");
            report
                .into_result()
                .unwrap_or_else(|e| panic!("seed {seed} run {run}: down left {e}"));
        }
        for name in ["env-pg", "env-kafka"] {
            assert_eq!(count_named(&c, name).await, 0, "seed {seed}: {name} left");
        }
    }
}
