//! `Environment` against the simulator: plan, up, down and what they do in
//! a shared project; the dotenv file; the simulator's start-up projects;
//! and the `ci_env_file` example.

use std::os::unix::fs::PermissionsExt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aiven_ext::prelude::*;
use aiven_ext::EnvironmentEvent;

use crate::own_process;

#[allow(dead_code)]
mod ci_env_file {
    include!("../../examples/ci_env_file.rs");
}

const MAX: Duration = Duration::from_secs(30);

async fn sim() -> (aiven_sim::SimHandle, AivenClient) {
    let sim = aiven_sim::Simulator::builder()
        .token("t")
        .timings(aiven_sim::Timings::instant())
        .project("p")
        .start()
        .await
        .unwrap();
    let client = sim_client(&sim);
    (sim, client)
}

/// A client of `sim` that polls every few milliseconds: the readiness
/// presets confirm each service 3 times, which at the default 2 s apart
/// would add seconds to every `up`.
fn sim_client(sim: &aiven_sim::SimHandle) -> AivenClient {
    let mut fast = WaitPolicy::default();
    fast.min_delay = Duration::from_millis(5);
    fast.max_delay = Duration::from_millis(20);
    AivenClient::builder()
        .base_url(sim.base_url())
        .token("t")
        .wait_policy(fast)
        .build()
        .unwrap()
}

fn owner() -> Owner {
    Owner::new("ci-env").unwrap()
}

fn environment() -> Environment {
    Environment::new(owner())
        .service(NewService::new("ci-pg", "pg", "startup-4"))
        .database("ci-pg", NewDatabase::new("app"))
        .user("ci-pg", NewServiceUser::new("ci"))
        .connection_pool(
            "ci-pg",
            NewConnectionPool::new("app-pool", "app")
                .user("ci")
                .size(10),
        )
        .service(NewService::new("ci-kafka", "kafka", "startup-2"))
        .topic(
            "ci-kafka",
            NewTopic::new("events").partitions(3).replication(2),
        )
        .integration(NewIntegration::new("kafka_logs", "ci-pg", "ci-kafka"))
}

fn all_resources() -> Vec<Resource> {
    vec![
        Resource::service("ci-pg"),
        Resource::database("ci-pg", "app"),
        Resource::user("ci-pg", "ci"),
        Resource::connection_pool("ci-pg", "app-pool"),
        Resource::service("ci-kafka"),
        Resource::topic("ci-kafka", "events"),
        Resource::integration("kafka_logs", "ci-pg", "ci-kafka"),
    ]
}

fn actions(plan: &Plan) -> Vec<(Resource, Action)> {
    plan.steps.clone()
}

fn everything(action: Action) -> Vec<(Resource, Action)> {
    all_resources()
        .into_iter()
        .map(|r| (r, action.clone()))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn plan_up_plan_down_is_idempotent() {
    let (_sim, client) = sim().await;
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = events.clone();
    let env = environment().on_progress(move |e: &EnvironmentEvent| {
        seen.lock()
            .unwrap()
            .push(format!("{} {}", e.outcome, e.resource));
    });

    let plan = env.plan(&client, "p").await.unwrap();
    assert_eq!(actions(&plan), everything(Action::Create), "{plan}");
    assert!(
        plan.to_string().starts_with("create: service ci-pg\n"),
        "{plan}"
    );
    assert!(
        client
            .get_service("p", "ci-pg")
            .await
            .unwrap_err()
            .is_not_found(),
        "plan changes nothing"
    );

    let ready = env.up(&client, "p", MAX).await.unwrap();
    let user = ready.user("ci-pg", "ci").expect("the user's credentials");
    assert!(!user.password().is_empty());
    let uri = user.uri().expect("a URI for the user");
    assert!(
        uri.starts_with("postgres://ci:") && uri.contains("/app?"),
        "{uri:?}"
    );
    assert!(!format!("{ready:?}").contains(user.password()));
    let pg = ready.connection("ci-pg").unwrap();
    assert!(pg.host.as_deref().is_some_and(|h| h.contains("ci-pg")));
    let env_vars = ready.env();
    let var = |n: &str| {
        env_vars
            .iter()
            .find(|v| v.name == n)
            .unwrap_or_else(|| panic!("{n}"))
    };
    assert!(!var("PGHOST").secret && var("PGPASSWORD").secret && var("DATABASE_URL").secret);
    assert!(var("CI_PG_CI_PASSWORD").secret && var("CI_PG_CI_URI").secret);
    assert!(!var("KAFKA_BOOTSTRAP_SERVERS").secret);
    // With a Kafka service declared, up fetched the project CA (a real
    // certificate from the simulator), and the client's files are written.
    assert!(var("AIVEN_CA_PEM")
        .value()
        .starts_with("-----BEGIN CERTIFICATE-----"));
    let dir = tempfile::tempdir().unwrap();
    let files = ready.write_kafka_files(dir.path()).unwrap();
    assert!(files.iter().any(|f| f.ends_with("ca.pem")), "{files:?}");
    let ca = std::fs::read_to_string(dir.path().join("ca.pem")).unwrap();
    assert_eq!(ca, var("AIVEN_CA_PEM").value());
    assert!(ready.services.iter().all(|s| s.owned));
    let service = client.get_service("p", "ci-pg").await.unwrap();
    let tags = service.tags.unwrap_or_default();
    assert_eq!(tags[aiven_ext::OWNER_TAG], "ci-env");
    {
        let events = events.lock().unwrap();
        for e in [
            "created service ci-pg",
            "running service ci-kafka",
            "created topic ci-kafka/events",
            "created connection pool ci-pg/app-pool",
            "created integration ci-pg -> ci-kafka (kafka_logs)",
        ] {
            assert!(events.iter().any(|x| x == e), "{e}: {events:?}");
        }
    }

    let plan = env.plan(&client, "p").await.unwrap();
    assert_eq!(actions(&plan), everything(Action::Adopt), "{plan}");
    // up again adopts everything, and the user's password is the same.
    let again = env.up(&client, "p", MAX).await.unwrap();
    let password = again.user("ci-pg", "ci").unwrap().password().to_owned();
    assert_eq!(password, ready.user("ci-pg", "ci").unwrap().password());

    let report = env.down(&client, "p", MAX).await.unwrap();
    assert!(
        report.is_complete() && report.not_owned.is_empty(),
        "{report}"
    );
    assert!(
        report.deleted.contains(&"service ci-pg".to_owned()),
        "{report}"
    );
    assert!(client
        .get_service("p", "ci-kafka")
        .await
        .unwrap_err()
        .is_not_found());
    let plan = env.plan(&client, "p").await.unwrap();
    assert_eq!(actions(&plan), everything(Action::Create), "{plan}");
    let report = env.down(&client, "p", MAX).await.unwrap();
    assert!(
        report.deleted.is_empty() && report.is_complete(),
        "{report}"
    );
    // The integration went with its services: no longer found to delete.
    assert_eq!(report.already_gone.len(), 6, "{report}");
}

/// Someone else's ci-pg of the same spec, without the mark: adopted as
/// not owned, used by `up`, left alone by `down`.
#[tokio::test(flavor = "multi_thread")]
async fn an_unmarked_same_spec_service_is_adopted_unowned_and_survives_down() {
    let (_sim, client) = sim().await;
    let theirs = NewService::new("ci-pg", "pg", "startup-4");
    client.ensure_service("p", &theirs).await.unwrap();
    let env = environment();
    let plan = env.plan(&client, "p").await.unwrap();
    assert_eq!(
        plan.action(&Resource::service("ci-pg")),
        Some(&Action::AdoptUnowned),
        "{plan}"
    );
    assert_eq!(
        plan.action(&Resource::database("ci-pg", "app")),
        Some(&Action::Create)
    );
    assert_eq!(
        plan.action(&Resource::service("ci-kafka")),
        Some(&Action::Create)
    );
    let integration = Resource::integration("kafka_logs", "ci-pg", "ci-kafka");
    assert_eq!(plan.action(&integration), Some(&Action::Create));

    let ready = env.up(&client, "p", MAX).await.unwrap();
    let pg = ready.services.iter().find(|s| s.name == "ci-pg").unwrap();
    assert!(!pg.owned);
    let plan = env.plan(&client, "p").await.unwrap();
    assert_eq!(
        plan.action(&Resource::user("ci-pg", "ci")),
        Some(&Action::AdoptUnowned),
        "{plan}"
    );
    assert_eq!(
        plan.action(&Resource::topic("ci-kafka", "events")),
        Some(&Action::Adopt)
    );
    // One of its services is ours: the integration is ours to delete.
    assert_eq!(plan.action(&integration), Some(&Action::Adopt));

    let report = env.down(&client, "p", MAX).await.unwrap();
    assert!(
        report.not_owned.contains(&"service ci-pg".to_owned()),
        "{report}"
    );
    assert!(
        report.deleted.contains(&"service ci-kafka".to_owned()),
        "{report}"
    );
    let deleted = |what: &str| report.deleted.iter().any(|d| d.starts_with(what));
    assert!(deleted("integration "), "{report}");
    client
        .get_service("p", "ci-pg")
        .await
        .expect("their ci-pg survives");
}

/// A ci-pg on another plan: the plan names the conflict, and `up` fails
/// before creating anything.
#[tokio::test(flavor = "multi_thread")]
async fn a_conflict_fails_up_before_anything_is_created() {
    let (_sim, client) = sim().await;
    let theirs = NewService::new("ci-pg", "pg", "business-4");
    client.ensure_service("p", &theirs).await.unwrap();
    let env = environment();
    let plan = env.plan(&client, "p").await.unwrap();
    let differences = vec![r#"plan: asked "startup-4", found "business-4""#.to_owned()];
    assert_eq!(
        plan.action(&Resource::service("ci-pg")),
        Some(&Action::Conflict(differences)),
        "{plan}"
    );
    let in_conflict = vec!["its service ci-pg is in conflict".to_owned()];
    assert_eq!(
        plan.action(&Resource::user("ci-pg", "ci")),
        Some(&Action::Conflict(in_conflict))
    );
    assert_eq!(
        plan.conflicts().count(),
        5,
        "the service, its 3 children and the integration"
    );
    assert_eq!(
        plan.action(&Resource::service("ci-kafka")),
        Some(&Action::Create)
    );
    let e = env.up(&client, "p", MAX).await.unwrap_err();
    assert!(e.to_string().contains(r#"service p/ci-pg exists with a different spec (plan: asked "startup-4", found "business-4")"#), "{e}");
    assert!(
        client
            .get_service("p", "ci-kafka")
            .await
            .unwrap_err()
            .is_not_found(),
        "nothing else was created"
    );
    let report = env.down(&client, "p", MAX).await.unwrap();
    assert!(
        report.not_owned.contains(&"service ci-pg".to_owned()),
        "{report}"
    );
    client
        .get_service("p", "ci-pg")
        .await
        .expect("their ci-pg survives");
}

#[test]
fn the_dotenv_file_is_0600_and_refuses_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let vars = [
        EnvVar::new("PGHOST", "h", false),
        EnvVar::new("PGPASSWORD", "p@ss:w/rd?#", true),
    ];
    let path = dir.path().join("ci.env");
    aiven_ext::write_dotenv(&path, &vars).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "PGHOST='h'\nPGPASSWORD='p@ss:w/rd?#'\n"
    );
    // An existing file readable by others is truncated and made 0600.
    let wide = dir.path().join("wide.env");
    std::fs::write(&wide, "OLD=1\nOLDER=2\n").unwrap();
    std::fs::set_permissions(&wide, std::fs::Permissions::from_mode(0o644)).unwrap();
    aiven_ext::write_dotenv(&wide, &vars[..1]).unwrap();
    assert_eq!(std::fs::read_to_string(&wide).unwrap(), "PGHOST='h'\n");
    let mode = std::fs::metadata(&wide).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // A symlink is refused, and its target left as it was.
    let target = dir.path().join("target");
    std::fs::write(&target, "theirs").unwrap();
    let link = dir.path().join("link.env");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let e = aiven_ext::write_dotenv(&link, &vars).unwrap_err();
    assert!(e.to_string().contains("symbolic link"), "{e}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "theirs");
    // A name that is not a variable name is refused before writing.
    let bad = [EnvVar::new("A=B", "x", false)];
    assert!(aiven_ext::write_dotenv(dir.path().join("bad.env"), &bad).is_err());
    assert!(!dir.path().join("bad.env").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_simulator_starts_with_projects() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.redb");
    for run in 0..2 {
        let sim = aiven_sim::Simulator::builder()
            .project("p1")
            .project("p2")
            .state_file(&state)
            .start()
            .await
            .unwrap_or_else(|e| panic!("start #{run}: {e}"));
        let client = AivenClient::builder()
            .base_url(sim.base_url())
            .token("t")
            .build()
            .unwrap();
        for p in ["p1", "p2"] {
            let ensured = client
                .ensure_project(aiven_ext::requests::NewProject::new(p))
                .await
                .unwrap();
            assert!(!ensured.was_created(), "#{run}: {p} exists from the start");
        }
        if run == 0 {
            let new = NewService::new("kept", "pg", "startup-4");
            client.ensure_service("p1", &new).await.unwrap();
        } else {
            client
                .get_service("p1", "kept")
                .await
                .expect("the state is kept");
        }
    }
    let e = aiven_sim::Simulator::builder()
        .project("a b")
        .start()
        .await
        .unwrap_err();
    assert!(e.to_string().contains("cannot create project"), "{e}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_file_example_plans_ups_and_downs() {
    use clap::Parser;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.redb").display().to_string();
    let env_file = dir.path().join("ci.env");
    let env_arg = env_file.display().to_string();
    let step = |args: &[&str]| {
        let argv = crate::ci_env::sim_example_argv("ci_env_file", state.as_str(), args);
        ci_env_file::run(ci_env_file::Args::parse_from(argv))
    };
    step(&["plan"]).await.unwrap();
    step(&["--env-file", env_arg.as_str(), "up"]).await.unwrap();
    let mode = std::fs::metadata(&env_file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let text = std::fs::read_to_string(&env_file).unwrap();
    for name in [
        "PGHOST=",
        "CI_PG_CI_PASSWORD=",
        "CI_PG_CI_URI='postgres://ci:",
        "KAFKA_BOOTSTRAP_SERVERS=",
    ] {
        assert!(text.contains(name), "{name}: {text}");
    }
    step(&["up"]).await.unwrap();
    step(&["down"]).await.unwrap();
    step(&["down"]).await.unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[services]]\nname = \"ci-pg\"\ntype = \"pg\"\nplan = \"startup-4\"\nusers = \"ci\"\n",
    )
    .unwrap();
    let bad = bad.display().to_string();
    let e = step(&["--file", bad.as_str(), "plan"]).await.unwrap_err();
    assert!(e.to_string().contains("bad.toml:5"), "{e}");
}

/// `run` tears down when the job is cancelled: SIGTERM (what a CI runner
/// sends) while the command runs kills it, deletes everything and answers
/// 143. In a process of its own (`own_process`): the signal goes to the
/// whole process, where any other `run` (the `ci_env` example's) would
/// take it as its own cancellation.
#[tokio::test(flavor = "multi_thread")]
async fn run_tears_down_on_sigterm() {
    const TEST: &str = "run_tears_down_on_sigterm";
    if !own_process::is_child(module_path!(), TEST) {
        return own_process::run_alone(module_path!(), TEST, |_| {});
    }
    let (_sim, client, env) = run_cancelled_by(libc::SIGTERM, 143).await;
    let code = env.run(&client, "p", MAX, &["sh", "-c", "exit 7"]).await;
    assert_eq!(code.unwrap(), 7, "the command's own code");
    let e = env
        .run(&client, "p", MAX, &[] as &[&str])
        .await
        .unwrap_err();
    assert!(e.to_string().contains("command"), "{e}");
}

/// Ctrl-C (SIGINT) while the command runs: killed, everything deleted,
/// 130. In a process of its own, as the SIGTERM case.
#[tokio::test(flavor = "multi_thread")]
async fn run_tears_down_on_ctrl_c() {
    const TEST: &str = "run_tears_down_on_ctrl_c";
    if !own_process::is_child(module_path!(), TEST) {
        return own_process::run_alone(module_path!(), TEST, |_| {});
    }
    run_cancelled_by(libc::SIGINT, 130).await;
}

/// Runs `sleep 30` in the environment and sends `signal` to this process
/// once the last child is made (`run` listens by then): `run` must answer
/// `code` with both services deleted. Returns the simulator, the client and
/// the environment for further checks.
async fn run_cancelled_by(
    signal: libc::c_int,
    code: u8,
) -> (aiven_sim::SimHandle, AivenClient, Environment) {
    let (sim, client) = sim().await;
    let once = std::sync::atomic::AtomicBool::new(false);
    let env = environment().on_progress(move |e: &EnvironmentEvent| {
        let last = e.resource == Resource::topic("ci-kafka", "events") && e.outcome == "created";
        if last && !once.swap(true, std::sync::atomic::Ordering::SeqCst) {
            // SAFETY: kill(2) with this process's own id and a valid signal.
            unsafe { libc::kill(libc::getpid(), signal) };
        }
    });
    let answered = env
        .run(&client, "p", MAX, &["sleep", "30"])
        .await
        .expect("torn down");
    assert_eq!(answered, code, "signal {signal}");
    for service in ["ci-pg", "ci-kafka"] {
        let gone = client.get_service("p", service).await.unwrap_err();
        assert!(gone.is_not_found(), "{service}: {gone}");
    }
    (sim, client, env)
}

/// `up` waits for each service by its type's readiness preset: a pg
/// service that runs but shows no backup is not ready (and the error says
/// what was awaited), however long it has been RUNNING; the Kafka service
/// of the same environment is (no backup awaited). Once a backup is
/// listed, `up` completes; a readiness set for the service replaces the
/// preset.
#[tokio::test]
async fn up_waits_for_each_type_s_readiness_preset() {
    let (sim, client) = sim().await;
    let env = Environment::new(owner())
        .service(NewService::new("ci-pg", "pg", "startup-4"))
        .service(NewService::new("ci-kafka", "kafka", "startup-2"));
    sim.set_faults(vec![
        aiven_sim::FaultRule::global().no_backup_for(Duration::from_secs(3600))
    ]);
    let err = env
        .up(&client, "p", Duration::from_millis(500))
        .await
        .unwrap_err();
    let Error::WaitTimeout {
        what, last_state, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(what, "service p/ci-pg to be RUNNING with a backup");
    assert!(
        last_state
            .as_deref()
            .is_some_and(|s| s.starts_with("RUNNING") && s.ends_with("waiting for a backup)")),
        "{last_state:?}"
    );
    let kafka = client.get_service("p", "ci-kafka").await.unwrap();
    assert!(kafka.backups.unwrap_or_default().is_empty());

    // A readiness set for the service replaces its preset.
    let relaxed = env
        .clone()
        .readiness("ci-pg", Readiness::running().confirmations(2));
    relaxed.up(&client, "p", MAX).await.unwrap();

    // The backup appears: the preset is met.
    sim.clear_faults();
    let ready = env.up(&client, "p", MAX).await.unwrap();
    assert_eq!(ready.services.len(), 2);

    // A readiness for a service the environment does not declare is refused.
    let err = env
        .readiness("ci-mysql", Readiness::running())
        .validate()
        .unwrap_err();
    assert!(err.to_string().contains("ci-mysql"), "{err}");
}
