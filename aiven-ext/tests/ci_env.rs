//! The CI example (`examples/ci_env.rs`) against its embedded simulator,
//! sharing one state file across runs: `up` twice, `down` twice, and
//! `run -- false` (exit code 1, torn down all the same).

use std::process::ExitCode;

use clap::Parser;

#[allow(dead_code)]
mod ci_env {
    include!("../examples/ci_env.rs");
}

#[tokio::test(flavor = "multi_thread")]
async fn up_twice_down_twice_and_a_failing_run_tears_down() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sim-state.redb");
    let state_arg = state.display().to_string();
    let step = |args: &[&str]| {
        let mut argv = vec!["ci_env", "--sim", "--sim-state", state_arg.as_str()];
        argv.extend_from_slice(args);
        ci_env::run(ci_env::Args::parse_from(argv))
    };
    // The services the state database holds (each run has closed it), read
    // as the simulator's own loader reads it; its event log names deleted
    // services too, so only the project's services count.
    let services = || {
        // A run's simulator releases the database once its last connection
        // task ends, which may be just after the run returns.
        let mut tries = 0;
        let loaded = loop {
            match aiven_sim::persist::Persister::load(&state) {
                Err(e) if e.is_already_open() && tries < 100 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                other => break other.expect("state database loads"),
            }
        };
        let state = serde_json::to_value(loaded.expect("a run saved its state")).unwrap();
        let held = &state["projects"]["ci-project"]["services"];
        ["ci-pg", "ci-kafka"].map(|s| held.get(s).is_some())
    };
    let ok = format!("{:?}", ExitCode::SUCCESS);
    for run in 0..2 {
        let code = step(&["up"])
            .await
            .unwrap_or_else(|e| panic!("up #{run}: {e}"));
        assert_eq!(format!("{code:?}"), ok, "up #{run}");
        assert_eq!(services(), [true, true], "up #{run}");
    }
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
        "test -n \"$DATABASE_URL\" && test -n \"$PG_CI_PASSWORD\" && test -n \"$PGPORT\" && test -n \"$KAFKA_BOOTSTRAP_SERVERS\" && test \"$PGUSER\" = avnadmin",
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
