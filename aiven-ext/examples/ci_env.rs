// A throwaway data platform for a CI run: PostgreSQL (a database, a user)
// and Kafka (a topic). `up` creates or adopts it; `down` deletes what it
// owns (services carrying the `--owner` mark; gone already is fine), never a
// same-named service of someone else; `run -- CMD` brings it up, runs CMD
// with the connection info in its environment (`PGHOST`…,
// `KAFKA_BOOTSTRAP_SERVERS`…) and always tears down, also on Ctrl-C,
// exiting with CMD's code. `up` and `down` may run any number of times.
//
// `cargo run -p aiven-ext --example ci_env -- --sim run -- env` (offline,
// an embedded simulator; `--sim-state FILE` keeps it between runs), or
// against Aiven with `AIVEN_TOKEN` and `--project`.
use std::process::ExitCode;
use std::time::Duration;

use aiven_ext::prelude::*;
use clap::{Parser, Subcommand};

const READY: Duration = Duration::from_secs(20 * 60);

#[derive(Parser)]
pub struct Args {
    /// The project to work in.
    #[arg(long, default_value = "ci-project")]
    project: String,
    /// The mark this environment's services carry; `down` deletes only those.
    #[arg(long, default_value = "ci-env")]
    owner: String,
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

fn services(owner: &Owner) -> [NewService; 2] {
    let pg = NewService::new("ci-pg", "pg", "startup-4").owner(owner);
    [
        pg,
        NewService::new("ci-kafka", "kafka", "startup-2").owner(owner),
    ]
}

pub async fn run(args: Args) -> aiven_ext::Result<ExitCode> {
    let (client, _sim) = connect(&args).await?;
    let (p, owner) = (args.project.as_str(), &Owner::new(args.owner.as_str())?);
    let code = match &args.step {
        Step::Up => {
            let names: Vec<_> = up(&client, p, owner)
                .await?
                .into_iter()
                .map(|(k, _)| k)
                .collect();
            println!("ready; the environment of `run`: {}", names.join(" "));
            0
        }
        Step::Down => down(&client, p, owner).await.map(|()| 0)?,
        Step::Run { command } => {
            let work =
                async { Ok::<_, Error>(run_command(command, &up(&client, p, owner).await?).await) };
            let outcome = tokio::select! {
                outcome = work => outcome,
                _ = tokio::signal::ctrl_c() => Ok(130),
            };
            down(&client, p, owner).await?;
            outcome?
        }
    };
    Ok(ExitCode::from(code))
}

/// Creates or adopts everything; the environment a test run needs.
async fn up(
    client: &AivenClient,
    p: &str,
    owner: &Owner,
) -> aiven_ext::Result<Vec<(String, String)>> {
    for service in services(owner) {
        let ensured = client.ensure_service(p, &service).await?;
        eprintln!("{}: {}", service.name(), ensured.verb());
    }
    let pg = client.wait_until_service_running(p, "ci-pg").wait(READY);
    let kafka = client.wait_until_service_running(p, "ci-kafka").wait(READY);
    let (pg, kafka) = tokio::try_join!(pg, kafka)?;
    let topic = NewTopic::new("events").partitions(3).replication(2);
    client.ensure_topic(p, "ci-kafka", topic).await?;
    client
        .ensure_database(p, "ci-pg", NewDatabase::new("app"))
        .await?;
    let user = client.ensure_service_user(p, "ci-pg", NewServiceUser::new("ci"));
    let password = user.await?.into_inner().password.unwrap_or_default();
    let mut env = ConnectionInfo::from_service(&pg).env();
    env.extend(ConnectionInfo::from_service(&kafka).env());
    env.push(("PG_CI_PASSWORD".to_owned(), password)); // user `ci`
    Ok(env)
}

async fn down(client: &AivenClient, p: &str, owner: &Owner) -> aiven_ext::Result<()> {
    let names = services(owner).map(|s| s.name().to_owned());
    let report = client
        .teardown(p)
        .owner(owner)
        .services(names)
        .run(READY)
        .await;
    eprintln!("teardown: {report}");
    report.into_result()
}

/// The command's exit code (1 when it could not run or was killed).
async fn run_command(command: &[String], env: &[(String, String)]) -> u8 {
    let mut child = tokio::process::Command::new(&command[0]);
    let child = child
        .args(&command[1..])
        .envs(env.iter().cloned())
        .kill_on_drop(true);
    let status = child.status().await;
    let status = status.inspect_err(|e| eprintln!("cannot run {:?}: {e}", command[0]));
    status
        .ok()
        .and_then(|s| s.code())
        .map_or(1, |c| c.clamp(0, 255) as u8)
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
    let project = types::ProjectCreateRequestBody::builder().project(args.project.as_str());
    client.ensure_project(project).await?;
    Ok((client, Some(sim)))
}

#[tokio::main]
#[allow(dead_code)]
async fn main() -> ExitCode {
    run(Args::parse()).await.unwrap_or_else(|e| {
        eprintln!("error: {e}");
        ExitCode::FAILURE
    })
}
