//! The simulator driven through aiven-ext (here rather than in aiven-sim,
//! so that the simulator does not depend on the client layer).
//!
//! aiven-ext end to end: `AivenClient` (its retrying transport), the
//! lifecycle helpers and the waiters against the simulator, without and with
//! faults. The client's clock and the simulator's share one virtual time
//! line: every delay aiven-ext sleeps (retry back-off, `Retry-After`, waiter
//! polls) advances the simulator's manual clock, so minutes of "realistic"
//! lifecycle run in milliseconds. Responses are checked against the
//! description by the simulator (`TestSim` asserts it when dropped).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use aiven_ext::clock::{Clock, MockClock};
use aiven_ext::{AivenClient, Ensured, Error, RetryPolicy, ServiceExt, ServiceState, StateExt};
use aiven_sim::{FaultRule, ManualClock, Timings};

use crate::sim_common::{start_with, TestSim, TOKEN};
use aiven_api::types;

/// aiven-ext's clock, whose sleeps also advance the simulator's clock.
#[derive(Clone, Debug)]
struct SharedTime {
    ext: MockClock,
    sim: ManualClock,
}

impl Clock for SharedTime {
    fn now(&self) -> Instant {
        self.ext.now()
    }
    fn system_now(&self) -> SystemTime {
        self.ext.system_now()
    }
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        self.sim.advance(duration);
        self.ext.sleep(duration)
    }
}

struct Ext {
    t: TestSim,
    time: SharedTime,
    client: AivenClient,
}

/// A simulator on the "realistic" profile (minutes per transition) and
/// an `AivenClient` for it sharing its clock. Retries get 8 attempts, so
/// that ~20 % injected failures practically never exhaust them.
async fn ext_sim(rules: Vec<FaultRule>, seed: u64) -> Ext {
    let t = start_with(move |mut b| {
        for r in rules {
            b = b.fault(r);
        }
        b.timings(Timings::realistic()).seed(seed)
    })
    .await;
    let time = SharedTime {
        ext: MockClock::new(),
        sim: t.clock.clone(),
    };
    let mut retry = RetryPolicy::default();
    retry.max_attempts = 8;
    let client = AivenClient::builder()
        .base_url(t.sim.base_url())
        .token(TOKEN)
        .clock(Arc::new(time.clone()))
        .retry_policy(retry)
        .build()
        .expect("client builds");
    client
        .project_create()
        .body(types::ProjectCreateRequestBody::builder().project("p"))
        .send()
        .await
        .expect("project created");
    Ext { t, time, client }
}

fn pg(name: &str) -> types::builder::ServiceCreateRequestBody {
    types::ServiceCreateRequestBody::builder()
        .service_name(name)
        .service_type("pg")
        .plan("startup-4")
        .termination_protection(true)
}

/// Counts the polls of a waiter through its progress callback.
fn counter() -> (
    Arc<AtomicU32>,
    impl FnMut(&aiven_ext::Progress) + Send + 'static,
) {
    let polls = Arc::new(AtomicU32::new(0));
    let seen = polls.clone();
    (polls, move |p: &aiven_ext::Progress| {
        seen.store(p.polls, Ordering::SeqCst)
    })
}

const HOUR: Duration = Duration::from_secs(3600);

/// create → wait RUNNING → plan change → power off → power on → refused
/// delete → delete → 404, through the helpers; asserts every state.
async fn walk(e: &Ext) {
    let c = &e.client;
    let plans = c.list_plans(None, "pg").await.expect("plans listed");
    let business = plans
        .iter()
        .find(|p| p.service_plan.as_deref() == Some("business-4"))
        .expect("pg has business-4");
    assert_eq!(business.node_count, Some(2));

    let created = c.create_service("p", pg("life")).send().await.unwrap();
    assert!(matches!(created, Ensured::Created(_)), "{created:?}");
    assert_eq!(created.get().state(), Some(ServiceState::Rebuilding));

    let t0 = e.time.ext.elapsed();
    let (polls, report) = counter();
    let svc = c
        .wait_until_service_running("p", "life")
        .all_nodes_running(true)
        .on_progress(report)
        .wait(HOUR)
        .await
        .expect("RUNNING");
    assert_eq!(svc.state(), Some(ServiceState::Running));
    assert!(svc.all_nodes_running());
    assert!(polls.load(Ordering::SeqCst) > 1);
    let waited = e.time.ext.elapsed() - t0;
    assert!(
        waited >= Timings::realistic().create,
        "RUNNING after {waited:?} of simulated time"
    );

    let svc = c
        .update_service("p", "life")
        .plan("business-4")
        .send_and_wait(HOUR)
        .await
        .expect("plan changed");
    assert_eq!(svc.plan.as_deref(), Some("business-4"));
    assert_eq!(svc.node_count, Some(2));
    assert_eq!(svc.state(), Some(ServiceState::Running));
    assert!(svc.all_nodes_running(), "{:?}", svc.node_states);

    // Termination protection refuses power-off too.
    let refused = c.power_off_service("p", "life").send().await.unwrap_err();
    assert!(
        matches!(refused, Error::TerminationProtected { .. }),
        "{refused:?}"
    );
    let svc = c
        .power_off_service("p", "life")
        .termination_protection(false)
        .send_and_wait(HOUR)
        .await
        .expect("powered off");
    assert_eq!(svc.state(), Some(ServiceState::Poweroff));
    assert!(svc.node_states.unwrap_or_default().is_empty());

    let svc = c
        .power_on_service("p", "life")
        .termination_protection(true)
        .send_and_wait(HOUR)
        .await
        .expect("powered on");
    assert_eq!(svc.state(), Some(ServiceState::Running));
    assert!(svc.is_termination_protected());
    assert_eq!(svc.plan.as_deref(), Some("business-4"));

    let refused = c.delete_service("p", "life").send().await.unwrap_err();
    assert!(refused.is_termination_protected(), "{refused:?}");
    assert_eq!(refused.status().map(|s| s.as_u16()), Some(403));
    assert!(c.get_service("p", "life").await.is_ok(), "still there");

    c.delete_service("p", "life")
        .lift_termination_protection(true)
        .send_and_wait(HOUR)
        .await
        .expect("deleted");
    let gone = c.get_service("p", "life").await.unwrap_err();
    assert!(gone.is_not_found(), "{gone:?}");
}

#[tokio::test]
async fn ext_lifecycle_without_faults() {
    let e = ext_sim(Vec::new(), 1).await;
    walk(&e).await;
    let stats = e.t.sim.stats();
    assert!(
        stats.by_status.keys().all(|s| [200, 403, 404].contains(s)),
        "{stats:?}"
    );
    // No retries were needed, so every sleep was a waiter's poll delay.
    assert!(e
        .time
        .ext
        .sleeps()
        .iter()
        .all(|d| *d >= Duration::from_secs(2)));
}

#[tokio::test]
async fn ext_lifecycle_with_faults() {
    let e = ext_sim(
        vec![
            // ~20 % of reads fail with 500/502/503/504 …
            FaultRule::operation("ServiceGet").error_rate(0.2),
            FaultRule::operation("ListPublicServiceTypes").error_rate(0.2),
            // … so do some creates (before taking effect: the
            // existence check must find nothing and create again) …
            FaultRule::operation("ServiceCreate").error_rate(0.3),
            // … reads are rate limited (429 with Retry-After) …
            FaultRule::operation("ServiceGet").rate_limit(1, Duration::from_secs(5)),
            // … and everything under /project is slow.
            FaultRule::path_prefix("/project").latency(Duration::from_millis(3)),
        ],
        7,
    )
    .await;
    walk(&e).await;
    let stats = e.t.sim.stats();
    let count = |f: &dyn Fn(u16) -> bool| -> u64 {
        stats
            .by_status
            .iter()
            .filter(|(s, _)| f(**s))
            .map(|(_, n)| n)
            .sum()
    };
    assert!(count(&|s| s >= 500) > 0, "5xx were injected: {stats:?}");
    assert!(count(&|s| s == 429) > 0, "429s were injected: {stats:?}");
    // Retry-After (whole seconds) was honoured: some sleeps are exactly that.
    assert!(
        e.time
            .ext
            .sleeps()
            .iter()
            .any(|d| d.subsec_nanos() == 0 && *d <= Duration::from_secs(5)),
        "{:?}",
        e.time.ext.sleeps()
    );
}

#[tokio::test]
async fn ext_waiting_for_running_while_powered_off_fails_fast() {
    let e = ext_sim(Vec::new(), 2).await;
    let c = &e.client;
    c.create_service("p", pg("off").termination_protection(false))
        .send_and_wait(HOUR)
        .await
        .expect("RUNNING");
    c.power_off_service("p", "off").send().await.expect("off");
    let before = e.time.ext.elapsed();
    let (polls, report) = counter();
    let err = c
        .wait_until_service_running("p", "off")
        .on_progress(report)
        .wait(HOUR)
        .await
        .unwrap_err();
    match &err {
        Error::WaitFailed { state, reason, .. } => {
            assert_eq!(state, "POWEROFF");
            assert!(reason.contains("powered off"), "{reason}");
        }
        other => panic!("expected WaitFailed, got {other:?}"),
    }
    assert_eq!(polls.load(Ordering::SeqCst), 1, "one poll, no waiting");
    assert_eq!(e.time.ext.elapsed(), before, "no time passed");
    // Tolerating POWEROFF makes it wait (here: until the deadline).
    let err = c
        .wait_until_service_running("p", "off")
        .tolerate_poweroff(true)
        .wait(Duration::from_secs(60))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WaitTimeout { .. }), "{err:?}");
}

#[tokio::test]
async fn ext_require_backup_waits_for_the_first_backup() {
    // Services in project `late` show no backup until 10 minutes after
    // they first run; in `p` the first backup exists at once.
    let late = Duration::from_secs(600);
    let e = ext_sim(
        vec![FaultRule::path_prefix("/project/late").no_backup_for(late)],
        3,
    )
    .await;
    let c = &e.client;
    c.project_create()
        .body(types::ProjectCreateRequestBody::builder().project("late"))
        .send()
        .await
        .expect("project created");
    // Create, then wait polling every 10 s exactly (so the counts are
    // deterministic) for RUNNING with a backup.
    let clock = &e.time.ext;
    let create_and_wait = move |project: &'static str| async move {
        c.create_service(project, pg("pg-db")).send().await.unwrap();
        let (polls, report) = counter();
        let t0 = clock.elapsed();
        let svc = c
            .wait_until_service_running(project, "pg-db")
            .require_backup(true)
            .min_delay(Duration::from_secs(10))
            .max_delay(Duration::from_secs(10))
            .on_progress(report)
            .wait(HOUR)
            .await
            .expect("RUNNING with a backup");
        (svc, polls.load(Ordering::SeqCst), clock.elapsed() - t0)
    };
    let (prompt, prompt_polls, prompt_took) = create_and_wait("p").await;
    let (slow, slow_polls, slow_took) = create_and_wait("late").await;
    for svc in [&prompt, &slow] {
        assert_eq!(svc.state(), Some(ServiceState::Running));
        assert!(!svc.backups.as_deref().unwrap_or_default().is_empty());
    }
    let create = Timings::realistic().create;
    assert!(prompt_took >= create && prompt_took < create + Duration::from_secs(10));
    assert!(slow_took >= create + late, "{slow_took:?}");
    // 5 minutes at one poll per 10 s, then 10 more minutes.
    assert!(prompt_polls > 1, "{prompt_polls}");
    assert!(
        slow_polls >= prompt_polls + 60,
        "{slow_polls} polls with the fault, {prompt_polls} without"
    );
    // Without require_backup the fault does not matter.
    let (polls, report) = counter();
    let svc = c
        .wait_until_service_running("late", "pg-db")
        .on_progress(report)
        .wait(HOUR)
        .await
        .unwrap();
    assert_eq!(polls.load(Ordering::SeqCst), 1);
    assert_eq!(svc.state(), Some(ServiceState::Running));
}
