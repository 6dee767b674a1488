//! Aiven's own CLI (`avn`, the `aiven-client` package from PyPI) driven
//! through a CI workflow against the simulator: projects, clouds, types,
//! plans, services of four types with `--cloud`, waits, connection info,
//! updates (plan, disk, power, termination protection, user config), tags,
//! topics, ACLs, connectors, schemas, users, databases, pools, integrations, logs, metrics,
//! terminate.
//!
//! The venv is made once under `target/avn-venv` (`python3 -m venv`, then
//! `pip install aiven-client==AVN_VERSION`); set `AVN` to use another `avn`.
//! Without Python or PyPI the test fails, saying so. It prints every
//! command with its outcome and `avn CLI: N / M commands passed`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The aiven-client release the workflow is written against.
const AVN_VERSION: &str = "4.18.0";
const PROJECT: &str = "ci-cli";
const CLOUD: &str = "google-europe-west1";
const TOKEN: &str = "avn-cli-token";

/// `avn`, installed into a venv under the target directory if needed.
fn avn() -> PathBuf {
    if let Ok(avn) = std::env::var("AVN") {
        return avn.into();
    }
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target");
    let venv = target.join("avn-venv");
    let avn = venv.join("bin/avn");
    let installed = Command::new(&avn)
        .arg("--version")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(AVN_VERSION));
    if !installed {
        let run = |cmd: &mut Command| {
            let out = cmd
                .output()
                .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
            assert!(
                out.status.success(),
                "{cmd:?} failed (the CLI test needs python3 and PyPI):\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv));
        run(Command::new(venv.join("bin/pip")).args([
            "install",
            "--quiet",
            &format!("aiven-client=={AVN_VERSION}"),
        ]));
    }
    avn
}

/// One step of the workflow: `avn` arguments (`{dir}` is a scratch
/// directory), and whether its output must show something.
struct Step {
    args: Vec<String>,
    expect: Option<&'static str>,
}

fn step(args: &str) -> Step {
    Step {
        args: args.split_whitespace().map(str::to_owned).collect(),
        expect: None,
    }
}

fn step_showing(args: &str, expect: &'static str) -> Step {
    Step {
        expect: Some(expect),
        ..step(args)
    }
}

fn workflow() -> Vec<Step> {
    let p = format!("--project {PROJECT}");
    let create = |name: &str, kind: &str, plan: &str| {
        step(&format!(
            "service create {name} -t {kind} --plan {plan} --cloud {CLOUD} {p}"
        ))
    };
    vec![
        step("user info"),
        step_showing("organization list", aiven_sim::ORGANIZATION_ID),
        step(&format!(
            "project create {PROJECT} --cloud {CLOUD} --parent-id {}",
            aiven_sim::ORGANIZATION_ID
        )),
        step_showing("project list", PROJECT),
        step(&format!("project details {p}")),
        step_showing(&format!("cloud list {p}"), CLOUD),
        step_showing(&format!("service types {p}"), "kafka"),
        step_showing(
            &format!("service plans --service-type pg --cloud {CLOUD} {p}"),
            "startup-4",
        ),
        step(&format!("project tags update --add-tag env=ci {p}")),
        step_showing(&format!("project tags list {p}"), "env"),
        step(&format!(
            "project ca-get --target-filepath {{dir}}/ca.pem {p}"
        )),
        step(&format!("vpc list {p}")),
        create("ci-pg", "pg", "startup-4"),
        create("ci-kafka", "kafka", "startup-2"),
        create("ci-os", "opensearch", "startup-4"),
        create("ci-valkey", "valkey", "startup-4"),
        step(&format!("service wait ci-pg ci-kafka ci-os ci-valkey {p}")),
        step_showing(&format!("service list {p}"), "ci-valkey"),
        step_showing(&format!("service get ci-pg --json {p}"), "RUNNING"),
        step_showing(
            &format!("service connection-info pg uri ci-pg {p}"),
            "postgres://",
        ),
        step(&format!("service connection-info pg string ci-pg {p}")),
        step(&format!("service connection-info valkey uri ci-valkey {p}")),
        step(&format!("service update ci-pg --plan business-4 {p}")),
        step(&format!("service wait ci-pg {p}")),
        step(&format!("service update ci-pg --disk-space-gib 100 {p}")),
        step(&format!(
            "service update ci-pg -c pg.max_connections=200 {p}"
        )),
        step(&format!(
            "service update ci-pg --enable-termination-protection {p}"
        )),
        step(&format!(
            "service update ci-pg --disable-termination-protection {p}"
        )),
        step(&format!("service update ci-valkey --power-off {p}")),
        step(&format!("service update ci-valkey --power-on {p}")),
        step(&format!("service wait ci-valkey {p}")),
        step(&format!(
            "service tags update ci-pg --add-tag team=data {p}"
        )),
        step_showing(&format!("service tags list ci-pg {p}"), "team"),
        step(&format!("service tags replace ci-pg --tag owner=ci {p}")),
        step(&format!(
            "service topic-create ci-kafka events --partitions 3 --replication 2 {p}"
        )),
        step_showing(&format!("service topic-list ci-kafka {p}"), "events"),
        step(&format!("service topic-get ci-kafka events {p}")),
        step(&format!(
            "service topic-update ci-kafka events --partitions 6 {p}"
        )),
        step(&format!("service user-create ci-kafka --username app {p}")),
        step(&format!(
            "service acl-add ci-kafka --permission read --topic events --username app {p}"
        )),
        step_showing(&format!("service acl-list ci-kafka {p}"), "events"),
        step(&format!("service user-get ci-kafka --username app {p}")),
        step(&format!(
            "service update ci-kafka -c kafka_connect=true -c schema_registry=true {p}"
        )),
        step_showing(
            &format!("service connector available ci-kafka {p}"),
            "JdbcSinkConnector",
        ),
        step_showing(
            &format!(
                "service connector schema ci-kafka io.aiven.connect.jdbc.JdbcSinkConnector {p}"
            ),
            "tasks.max",
        ),
        step(&format!(
            r#"service connector create ci-kafka {{"name":"sink","connector.class":"io.aiven.connect.jdbc.JdbcSinkConnector","tasks.max":"2","topics":"events"}} {p}"#
        )),
        step_showing(&format!("service connector list ci-kafka {p}"), "sink"),
        step_showing(
            &format!("service connector status ci-kafka sink {p}"),
            "RUNNING",
        ),
        step(&format!("service connector pause ci-kafka sink {p}")),
        step_showing(
            &format!("service connector status ci-kafka sink {p}"),
            "PAUSED",
        ),
        step(&format!("service connector resume ci-kafka sink {p}")),
        step(&format!(
            r#"service connector update ci-kafka sink {{"name":"sink","connector.class":"io.aiven.connect.jdbc.JdbcSinkConnector","tasks.max":"3","topics":"events"}} {p}"#
        )),
        step(&format!(
            "service connector restart-task ci-kafka sink 2 {p}"
        )),
        step(&format!("service connector restart ci-kafka sink {p}")),
        step(&format!("service connector stop ci-kafka sink {p}")),
        step(&format!("service connector delete ci-kafka sink {p}")),
        step_showing(
            &format!(
                r#"service schema create ci-kafka --subject events-value --schema {{"type":"record","name":"E","fields":[{{"name":"id","type":"long"}}]}} {p}"#
            ),
            "1",
        ),
        step_showing(
            &format!("service schema subject-list ci-kafka {p}"),
            "events-value",
        ),
        step(&format!(
            "service schema subject-version list ci-kafka --subject events-value {p}"
        )),
        step_showing(
            &format!(
                "service schema subject-version get ci-kafka --subject events-value --version-id latest {p}"
            ),
            "events-value",
        ),
        step(&format!("service schema get ci-kafka --schema-id 1 {p}")),
        step_showing(
            &format!(
                r#"service schema check ci-kafka --subject events-value --version-id 1 --schema {{"type":"record","name":"E","fields":[{{"name":"id","type":"long"}},{{"name":"n","type":"int","default":0}}]}} {p}"#
            ),
            "true",
        ),
        step(&format!(
            "service schema configuration-update ci-kafka --compatibility FULL {p}"
        )),
        step_showing(
            &format!("service schema configuration ci-kafka {p}"),
            "FULL",
        ),
        step(&format!(
            "service schema-registry-acl-add ci-kafka --permission schema_registry_read --resource Subject:events-value --username app {p}"
        )),
        step_showing(
            &format!("service schema-registry-acl-list ci-kafka {p}"),
            "Subject:events-value",
        ),
        step(&format!(
            "service schema subject-delete ci-kafka --subject events-value {p}"
        )),
        step(&format!("service user-create ci-pg --username ci {p}")),
        step_showing(&format!("service user-list ci-pg {p}"), "ci"),
        step(&format!("service user-get ci-pg --username ci {p}")),
        step(&format!(
            "service user-password-reset ci-pg --username ci {p}"
        )),
        step(&format!("service database-create ci-pg --dbname app {p}")),
        step_showing(&format!("service database-list ci-pg {p}"), "app"),
        step(&format!(
            "service connection-pool-create ci-pg --pool-name pool1 --dbname app --username ci {p}"
        )),
        step_showing(&format!("service connection-pool-list ci-pg {p}"), "pool1"),
        step(&format!(
            "service connection-pool-update ci-pg --pool-name pool1 --pool-size 20 {p}"
        )),
        step(&format!(
            "service connection-pool-delete ci-pg --pool-name pool1 {p}"
        )),
        step(&format!(
            "service integration-create -t logs -s ci-pg -d ci-os {p}"
        )),
        step_showing(&format!("service integration-list ci-pg {p}"), "logs"),
        step_showing(&format!("service logs ci-pg -n 10 {p}"), "service created"),
        step_showing(
            &format!("service logs ci-kafka -n 5 -S desc {p}"),
            "ci-kafka-1",
        ),
        step_showing(&format!("service metrics ci-pg {p}"), "cpu_usage"),
        step_showing(
            &format!("service metrics ci-kafka --period week {p}"),
            "net_receive",
        ),
        step_showing(&format!("service queries ci-pg {p}"), "SELECT"),
        step(&format!("service queries-reset ci-pg {p}")),
        step(&format!("service backup-list ci-pg {p}")),
        step(&format!("service maintenance-start ci-pg {p}")),
        step(&format!("service index-list ci-os {p}")),
        step(&format!("service database-delete ci-pg --dbname app {p}")),
        step(&format!("service user-delete ci-pg --username ci {p}")),
        step(&format!("service topic-delete ci-kafka events {p}")),
        step(&format!("events {p}")),
        step(&format!(
            "service terminate --force ci-pg ci-kafka ci-os ci-valkey {p}"
        )),
        step(&format!("service list {p}")),
    ]
}

#[test]
fn avn_runs_a_ci_workflow_against_the_simulator() {
    let avn = avn();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sim = runtime.block_on(async {
        aiven_sim::Simulator::builder()
            .token(TOKEN)
            .timings(aiven_sim::Timings::instant())
            .start()
            .await
            .expect("simulator")
    });
    let base = sim.base_url().trim_end_matches("/v1").to_owned();
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().display().to_string();
    let (mut passed, mut failures) = (0, Vec::new());
    let steps = workflow();
    for s in &steps {
        let args: Vec<String> = s.args.iter().map(|a| a.replace("{dir}", &dir)).collect();
        let started = Instant::now();
        let out = Command::new(&avn)
            .args(&args)
            .env("AIVEN_WEB_URL", &base)
            .env("AIVEN_AUTH_TOKEN", TOKEN)
            .env("AIVEN_CONFIG_DIR", &dir)
            .env("AIVEN_CREDENTIALS_FILE", format!("{dir}/credentials.json"))
            .output()
            .expect("avn runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let shown = s.expect.is_none_or(|e| stdout.contains(e));
        let ok = out.status.success() && shown;
        let line = args.join(" ");
        println!(
            "{} {:>5} ms  avn {line}",
            if ok { "PASS" } else { "FAIL" },
            started.elapsed().as_millis()
        );
        if ok {
            passed += 1;
        } else {
            let why = match (out.status.success(), s.expect) {
                (true, Some(e)) => format!("output lacks {e:?}: {stdout}"),
                _ => format!("{}: {}", out.status, stderr.trim()),
            };
            let why: String = why.chars().take(600).collect();
            println!("     {why}");
            failures.push(line);
        }
    }
    println!("avn CLI: {passed} / {} commands passed", steps.len());
    assert!(failures.is_empty(), "failed: {failures:#?}");
}
