// A throwaway data platform for a CI run: PostgreSQL (a database, a user)
// and Kafka (a topic). `up` creates or adopts it and prints its connection
// info; `down` deletes it (gone already is fine); `run -- CMD` brings it up,
// runs CMD with the connection info in its environment and always tears
// down, also on Ctrl-C, exiting with CMD's code. `up` and `down` may run
// any number of times.
//
// `cargo run -p aiven-ext --example ci_env -- --sim run -- env` (offline,
// an embedded simulator; `--sim-state FILE` keeps it between runs), or
// against Aiven with `AIVEN_TOKEN` and `--project`.
use std::process::ExitCode;
use std::time::Duration;

use aiven_ext::prelude::*;
use clap::{Parser, Subcommand};
use serde_json::json;

const PG: &str = "ci-pg";
const KAFKA: &str = "ci-kafka";
const READY: Duration = Duration::from_secs(20 * 60);

#[derive(Parser)]
pub struct Args {
    /// The project to work in.
    #[arg(long, default_value = "ci-project")]
    project: String,
    /// Run against an embedded simulator instead of Aiven.
    #[arg(long)]
    sim: bool,
    /// The simulator's state file, so that runs see each other's work.
    #[arg(long, requires = "sim")]
    sim_state: Option<std::path::PathBuf>,
    #[command(subcommand)]
    step: Step,
}

#[derive(Subcommand)]
enum Step {
    Up,
    Down,
    /// Up, run the command with the connection info in its environment, down.
    Run {
        #[arg(trailing_var_arg = true, required = true)]
        command: Vec<String>,
    },
}

pub async fn run(args: Args) -> aiven_ext::Result<ExitCode> {
    let (client, _sim) = connect(&args).await?;
    let p = args.project.as_str();
    match &args.step {
        Step::Up => up(&client, p)
            .await?
            .iter()
            .for_each(|(k, v)| println!("{k}={v}")),
        Step::Down => down(&client, p).await?,
        Step::Run { command } => {
            let env = up(&client, p).await;
            let status = match &env {
                Ok(env) => Some(run_command(command, env).await),
                Err(_) => None,
            };
            down(&client, p).await?;
            env?;
            return Ok(ExitCode::from(status.flatten().unwrap_or(1)));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Creates or adopts everything; the environment a test run needs.
async fn up(client: &AivenClient, p: &str) -> aiven_ext::Result<Vec<(String, String)>> {
    for (name, kind, plan) in [(PG, "pg", "startup-4"), (KAFKA, "kafka", "startup-2")] {
        let body = types::ServiceCreateRequestBody::builder();
        let body = body.service_name(name).service_type(kind).plan(plan);
        let ensured = client.ensure_service(p, body).await?;
        let how = if ensured.was_created() {
            "created"
        } else {
            "adopted"
        };
        eprintln!("{name}: {how}");
    }
    let pg = client.wait_until_service_running(p, PG).wait(READY).await?;
    let kafka = client.wait_until_service_running(p, KAFKA);
    let kafka = kafka.wait(READY).await?;
    let topic = json!({ "topic_name": "events", "partitions": 3, "replication": 2 });
    let topic = body::<types::ServiceKafkaTopicCreateRequestBody>(topic)?;
    client.ensure_topic(p, KAFKA, topic).await?;
    let db = body::<types::ServiceDatabaseCreateRequestBody>(json!({ "database": "app" }))?;
    client.ensure_database(p, PG, db).await?;
    let user = body::<types::ServiceUserCreateRequestBody>(json!({ "username": "ci" }))?;
    let user = client.ensure_service_user(p, PG, user).await?;
    let pg = ConnectionInfo::from_service(&pg);
    let kafka = ConnectionInfo::from_service(&kafka);
    let password = user.into_inner().password.unwrap_or_default();
    let text = |s: Option<&str>| s.unwrap_or_default().to_owned();
    Ok(vec![
        ("DATABASE_URL".into(), text(pg.uri())),
        ("PGHOST".into(), text(pg.host.as_deref())),
        (
            "PGPORT".into(),
            pg.port.map_or(String::new(), |p| p.to_string()),
        ),
        ("PG_CI_PASSWORD".into(), password),
        (
            "KAFKA_BOOTSTRAP".into(),
            kafka.kafka_bootstrap_servers.join(","),
        ),
        ("KAFKA_TOPIC".into(), "events".into()),
    ])
}

async fn down(client: &AivenClient, p: &str) -> aiven_ext::Result<()> {
    let report = client.teardown(p).service(PG).service(KAFKA);
    let report = report.run(READY).await;
    let (deleted, gone) = (&report.deleted, &report.already_gone);
    eprintln!("deleted {deleted:?}, already gone {gone:?}");
    match report.failures.as_slice() {
        [] => Ok(()),
        failures => Err(Error::Other(format!("teardown failed: {failures:?}"))),
    }
}

/// A request body from JSON (the way a config file would give it).
fn body<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> aiven_ext::Result<T> {
    serde_json::from_value(value).map_err(|e| Error::Other(format!("request body: {e}")))
}

/// The command's exit code (`None` when it could not run or was stopped).
async fn run_command(command: &[String], env: &[(String, String)]) -> Option<u8> {
    let mut child = tokio::process::Command::new(&command[0]);
    let mut child = child
        .args(&command[1..])
        .envs(env.iter().cloned())
        .spawn()
        .ok()?;
    tokio::select! {
        status = child.wait() => status.ok()?.code().map(|c| c.clamp(0, 255) as u8),
        _ = tokio::signal::ctrl_c() => {
            let _ = child.kill().await;
            eprintln!("interrupted: tearing down");
            None
        }
    }
}

async fn connect(args: &Args) -> aiven_ext::Result<(AivenClient, Option<aiven_sim::SimHandle>)> {
    if !args.sim {
        return Ok((AivenClient::from_env()?, None));
    }
    let mut sim = aiven_sim::Simulator::builder().token("ci-token");
    if let Some(path) = &args.sim_state {
        sim = sim.state_file(path);
    }
    let sim = sim.start().await.map_err(|e| Error::Other(e.to_string()))?;
    let client = AivenClient::builder()
        .base_url(sim.base_url())
        .token("ci-token")
        .build()?;
    let project = body::<types::ProjectCreateRequestBody>(json!({ "project": args.project }))?;
    match client
        .project_create()
        .body(project)
        .send()
        .await
        .map_err(Error::from)
    {
        Err(e) if !e.is_already_exists() => return Err(e),
        _ => {}
    }
    Ok((client, Some(sim)))
}

#[tokio::main]
#[allow(dead_code)]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
