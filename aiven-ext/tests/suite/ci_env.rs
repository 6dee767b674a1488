//! The CI example (`examples/ci_env.rs`) against its embedded simulator,
//! sharing one state file across runs: `plan` (changes nothing), `up`
//! twice, `plan` again, `down` twice, and `run -- false` (exit code 1, torn
//! down all the same).
//!
//! In a process of its own (`own_process`): `run` listens for SIGINT and
//! SIGTERM, and a process that has listened once keeps them from ending it,
//! which the whole suite would then do.

use std::process::ExitCode;

use clap::Parser;

use crate::own_process;

/// `examples/ci_env.rs` (a module named after its file would repeat this
/// one's name).
#[allow(dead_code)]
mod example {
    include!("../../examples/ci_env.rs");
}

/// A CI example's command line (`program`) for `args` on an embedded
/// simulator keeping its state in `state`, with instant services: what is
/// tested is the steps, not the waiting. Also for `ci_env_file`.
pub(crate) fn sim_example_argv<'a>(
    program: &'a str,
    state: &'a str,
    args: &[&'a str],
) -> Vec<&'a str> {
    let mut argv = vec![
        program,
        "--sim",
        "--sim-profile",
        "instant",
        "--sim-state",
        state,
    ];
    argv.extend_from_slice(args);
    argv
}

fn example_args(state: &str, args: &[&str]) -> example::Args {
    example::Args::parse_from(sim_example_argv("ci_env", state, args))
}

#[tokio::test(flavor = "multi_thread")]
async fn up_twice_down_twice_and_a_failing_run_tears_down() {
    const TEST: &str = "up_twice_down_twice_and_a_failing_run_tears_down";
    if !own_process::is_child(module_path!(), TEST) {
        return own_process::run_alone(module_path!(), TEST, |_| {});
    }
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sim-state.redb");
    let state_arg = state.display().to_string();
    let step = |args: &[&str]| example::run(example_args(&state_arg, args));
    // The services the state database holds (each run has closed it), read
    // as the simulator's own loader reads it; its event log names deleted
    // services too, so only the project's services count.
    let services = || {
        // A run's simulator releases the database once its last connection
        // task ends, which may be just after the run returns.
        let mut tries = 0;
        let loaded = loop {
            match aiven_sim::persist::read_snapshot(&state) {
                Err(e) if e.is_already_open() && tries < 100 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                other => break other.expect("state database loads"),
            }
        };
        let loaded = loaded.expect("a run saved its state");
        let none = serde_json::Value::Null;
        let held = loaded
            .project("ci-project")
            .map_or(&none, |p| &p["services"]);
        ["ci-pg", "ci-kafka"].map(|s| held.get(s).is_some())
    };
    let ok = format!("{:?}", ExitCode::SUCCESS);
    let code = step(&["plan"]).await.expect("plan");
    assert_eq!(format!("{code:?}"), ok, "plan");
    assert_eq!(services(), [false, false], "plan changes nothing");
    let env_file = dir.path().join("ci.env");
    let env_arg = env_file.display().to_string();
    for run in 0..2 {
        let code = step(&["--env-file", env_arg.as_str(), "up"])
            .await
            .unwrap_or_else(|e| panic!("up #{run}: {e}"));
        assert_eq!(format!("{code:?}"), ok, "up #{run}");
        assert_eq!(services(), [true, true], "up #{run}");
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(&env_file).unwrap().permissions(),
        );
        assert_eq!(mode & 0o777, 0o600, "up #{run}");
    }
    let code = step(&["plan"]).await.expect("plan after up");
    assert_eq!(format!("{code:?}"), ok, "plan after up");
    for run in 0..2 {
        let code = step(&["down"])
            .await
            .unwrap_or_else(|e| panic!("down #{run}: {e}"));
        assert_eq!(format!("{code:?}"), ok, "down #{run}");
        assert_eq!(services(), [false, false], "down #{run}");
    }
    let code = step(&["run", "--", "false"]).await.unwrap();
    assert_eq!(format!("{code:?}"), format!("{:?}", ExitCode::from(1)));
    assert_eq!(
        services(),
        [false, false],
        "torn down after a failing command"
    );
    let code = step(&[
        "run",
        "--",
        "sh",
        "-c",
        "test -n \"$DATABASE_URL\" && test -n \"$CI_PG_CI_PASSWORD\" && test -n \"$PGPORT\" && test \"${CI_PG_CI_URI%%:*}\" = postgres && test -n \"$KAFKA_BOOTSTRAP_SERVERS\" && test \"$PGUSER\" = avnadmin",
    ])
    .await
    .unwrap();
    assert_eq!(
        format!("{code:?}"),
        ok,
        "the command sees the connection info"
    );
}

/// Connection info of every type a CI job uses, from the simulator's
/// answers: host, port, user and password found, and the environment
/// named by the type's conventions.
#[tokio::test(flavor = "multi_thread")]
async fn connection_info_for_every_ci_service_type() {
    use aiven_ext::prelude::*;
    let sim = aiven_sim::Simulator::builder()
        .token("t")
        .timings(aiven_sim::Timings::instant())
        .start()
        .await
        .unwrap();
    let client = AivenClient::builder()
        .base_url(sim.base_url())
        .token("t")
        .build()
        .unwrap();
    let project = types::ProjectCreateRequestBody::builder().project("p");
    client.ensure_project(project).await.unwrap();
    let catalogue = client.list_service_types(Some("p")).await.unwrap();
    let cases = [
        ("pg", "PGPASSWORD"),
        ("mysql", "MYSQL_PWD"),
        ("kafka", "KAFKA_BOOTSTRAP_SERVERS"),
        ("opensearch", "OPENSEARCH_PASSWORD"),
        ("valkey", "VALKEY_URI"),
        ("clickhouse", "CLICKHOUSE_PASSWORD"),
        ("grafana", "GRAFANA_URI"),
    ];
    for (kind, must_have) in cases {
        let plans = catalogue[kind].service_plans.as_deref().unwrap();
        let plan = plans[0].service_plan.clone().unwrap();
        let name = format!("ci-{kind}");
        let new = NewService::new(name.as_str(), kind, plan.as_str());
        client.ensure_service("p", &new).await.unwrap();
        let info = client.connection_info("p", &name).await.unwrap();
        assert!(
            info.host.as_deref().is_some_and(|h| h.contains(&name)),
            "{kind}: {info:?}"
        );
        assert!(info.port.is_some_and(|p| p > 0), "{kind}: {info:?}");
        assert!(
            info.user.is_some() && info.password().is_some(),
            "{kind}: {info:?}"
        );
        let env: std::collections::BTreeMap<_, _> = info.env().into_iter().collect();
        assert!(env.contains_key(must_have), "{kind}: {:?}", env.keys());
        let shown = format!("{info:?}");
        assert!(!shown.contains(info.password().unwrap()), "{kind}: {shown}");
    }
}

/// A shared project: `ci-pg` already exists, someone else's, on another
/// plan. `run` refuses to adopt it (exit non-zero) and its teardown leaves
/// it alone; `down` never deletes it either, while a service this owner
/// made is deleted.
#[tokio::test(flavor = "multi_thread")]
async fn teardown_never_deletes_a_same_named_service_it_did_not_make() {
    use aiven_ext::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sim-state.redb");
    // A colleague's ci-pg (no owner mark, another plan) in the project.
    {
        let sim = aiven_sim::Simulator::builder()
            .token("ci-token")
            .state_file(&state)
            .start()
            .await
            .unwrap();
        let client = AivenClient::builder()
            .base_url(sim.base_url())
            .token("ci-token")
            .build()
            .unwrap();
        let project = aiven_ext::requests::NewProject::new("ci-project");
        client.ensure_project(&project).await.unwrap();
        let theirs = NewService::new("ci-pg", "pg", "business-4");
        assert!(client
            .ensure_service("ci-project", &theirs)
            .await
            .unwrap()
            .was_created());
    }
    let state_arg = state.display().to_string();
    let step = |args: &[&str]| example::run(example_args(&state_arg, args));
    let services = || {
        let mut tries = 0;
        let loaded = loop {
            match aiven_sim::persist::read_snapshot(&state) {
                Err(e) if e.is_already_open() && tries < 100 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                other => break other.expect("state database loads"),
            }
        };
        let loaded = loaded.expect("a run saved its state");
        let none = serde_json::Value::Null;
        let held = loaded
            .project("ci-project")
            .map_or(&none, |p| &p["services"]);
        let plan = held["ci-pg"]["plan"].as_str().map(str::to_owned);
        (plan, held.get("ci-kafka").is_some())
    };
    let theirs = Some("business-4".to_owned());

    let plan = step(&["plan"]).await;
    let plan = plan.expect_err("the plan names the conflict");
    assert!(
        plan.to_string()
            .contains("plan: asked \"startup-4\", found \"business-4\""),
        "{plan}"
    );
    let refused = step(&["run", "--", "true"]).await;
    let refused = refused.expect_err("the run cannot adopt a ci-pg of another plan");
    assert!(
        refused
            .to_string()
            .contains("plan: asked \"startup-4\", found \"business-4\""),
        "{refused}"
    );
    assert_eq!(
        services(),
        (theirs.clone(), false),
        "their ci-pg survives the run"
    );
    for run in 0..2 {
        step(&["down"])
            .await
            .unwrap_or_else(|e| panic!("down #{run}: {e}"));
        assert_eq!(services(), (theirs.clone(), false), "down #{run}");
    }
    // Another owner's down leaves this owner's services alone too.
    let sim = aiven_sim::Simulator::builder()
        .token("ci-token")
        .state_file(&state)
        .start()
        .await
        .unwrap();
    let client = AivenClient::builder()
        .base_url(sim.base_url())
        .token("ci-token")
        .build()
        .unwrap();
    let env_a = Owner::new("env-a").unwrap();
    let ours = NewService::new("ci-kafka", "kafka", "startup-2").owner(&env_a);
    client.ensure_service("ci-project", &ours).await.unwrap();
    let ten_s = std::time::Duration::from_secs(10);
    let report = client
        .teardown("ci-project")
        .owner(&Owner::new("env-b").unwrap())
        .services(["ci-pg", "ci-kafka"])
        .run(ten_s)
        .await;
    assert_eq!(
        report.not_owned,
        ["service ci-kafka", "service ci-pg"],
        "{report}"
    );
    let report = client
        .teardown("ci-project")
        .owner(&env_a)
        .services(["ci-pg", "ci-kafka"])
        .run(ten_s)
        .await;
    assert_eq!(report.deleted, ["service ci-kafka"], "{report}");
    assert_eq!(report.not_owned, ["service ci-pg"], "{report}");
    client
        .get_service("ci-project", "ci-pg")
        .await
        .expect("their ci-pg is still there");
}
