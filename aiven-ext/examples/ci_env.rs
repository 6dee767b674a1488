// A throwaway data platform for a CI run, declared as an `Environment`:
// PostgreSQL (a database, a user) and Kafka (a topic). `plan` says what `up`
// would do and changes nothing (failing on a conflict); `up` creates or
// adopts it and waits until it is usable (`--env-file F up` writes the
// connection details to F, mode 0600, and prints only the non-secret ones);
// `down` deletes what it owns (services carrying the `--owner` mark), never
// a same-named service of someone else; `run -- CMD` brings it up, runs CMD
// with the connection details in its environment (`PGHOST`…, `CI_PG_CI_URI`,
// `KAFKA_BOOTSTRAP_SERVERS`…) and always tears down, also on failure and on
// Ctrl-C or SIGTERM, exiting with CMD's code (`Environment::run`). Every step
// may run any number of times.
//
// `cargo run -p aiven-ext --example ci_env -- --sim run -- env` (offline,
// an embedded simulator; `--sim-state FILE` keeps it between runs), or
// against Aiven with `AIVEN_TOKEN` and `--project`.
use std::{path::PathBuf, process::ExitCode, time::Duration};

use aiven_ext::prelude::*;

const READY: Duration = Duration::from_secs(20 * 60);

#[derive(clap::Parser)]
pub struct Args {
    /// The project to work in.
    #[arg(long, default_value = "ci-project")]
    project: String,
    /// The mark this environment's services carry; `down` deletes only those.
    #[arg(long, default_value = "ci-env")]
    owner: String,
    /// Run against an embedded simulator (which has the project) instead of Aiven.
    #[arg(long)]
    sim: bool,
    /// The simulator's state file, so that runs see each other's work.
    #[arg(long, requires = "sim")]
    sim_state: Option<PathBuf>,
    /// How long the simulator's services take to come up: `fast` (seconds),
    /// `instant` or `realistic` (minutes), as `aiven-sim --profile`.
    #[arg(long, requires = "sim", value_parser = ["fast", "instant", "realistic"])]
    sim_profile: Option<String>,
    /// `up`: write the connection details (secrets included) here, mode 0600.
    #[arg(long)]
    env_file: Option<PathBuf>,
    /// `plan`, `up`, `down`, or `run -- CMD…` (up, CMD, down).
    #[arg(value_parser = ["plan", "up", "down", "run"])]
    step: String,
    /// The command `run` runs.
    #[arg(last = true)]
    cmd: Vec<String>,
}

pub async fn run(args: Args) -> aiven_ext::Result<ExitCode> {
    let (client, _sim) = connect(&args).await?;
    let env = Environment::new(Owner::new(args.owner)?)
        .service(NewService::new("ci-pg", "pg", "startup-4"))
        .database("ci-pg", NewDatabase::new("app"))
        .user("ci-pg", NewServiceUser::new("ci"))
        .service(NewService::new("ci-kafka", "kafka", "startup-2"))
        .topic("ci-kafka", NewTopic::new("events").partitions(3));
    let p = args.project.as_str();
    match args.step.as_str() {
        "plan" => print!("{}", env.plan(&client, p).await?.refuse_conflicts()?),
        "up" => {
            let ready = env.up(&client, p, READY).await?;
            ready.env().iter().for_each(|v| println!("{}", v.shown()));
            args.env_file.map_or(Ok(()), |f| ready.write_dotenv(f))?;
        }
        "down" => env.down(&client, p, READY).await?.into_result()?,
        _ => return env.run(&client, p, READY, &args.cmd).await.map(Into::into),
    }
    Ok(ExitCode::SUCCESS)
}

async fn connect(args: &Args) -> aiven_ext::Result<(AivenClient, Option<aiven_sim::SimHandle>)> {
    if !args.sim {
        return Ok((AivenClient::from_env()?, None));
    }
    let mut sim = aiven_sim::Simulator::builder().project(&args.project);
    if let Some(profile) = args.sim_profile.as_deref() {
        sim = sim.timings(aiven_sim::Timings::profile(profile).unwrap_or_default());
    }
    if let Some(path) = &args.sim_state {
        sim = sim.state_file(path);
    }
    let sim = sim.start().await.map_err(|e| Error::Other(e.to_string()))?;
    let client = AivenClient::builder().base_url(sim.base_url()).token("t");
    Ok((client.build()?, Some(sim)))
}

#[tokio::main]
async fn main() -> ExitCode {
    run(clap::Parser::parse()).await.unwrap_or_else(|e| {
        eprintln!("error: {e}");
        ExitCode::FAILURE
    })
}
