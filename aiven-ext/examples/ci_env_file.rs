// `ci_env` with the environment read from a TOML file (by default
// `ci-env.toml` beside this example): `plan`, `up [--env-file F]` (the
// connection details, secrets included, written to F with mode 0600; only
// the non-secret ones printed) and `down`.
//
// `cargo run -p aiven-ext --example ci_env_file -- --sim plan` (offline, an
// embedded simulator), or against Aiven with `AIVEN_TOKEN` and `--project`.
use std::{path::PathBuf, process::ExitCode, time::Duration};

use aiven_ext::prelude::*;
use clap::Parser;

const READY: Duration = Duration::from_secs(20 * 60);

#[derive(Parser)]
pub struct Args {
    /// The environment file.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/ci-env.toml"))]
    file: PathBuf,
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
    /// `up`: write the connection details here, mode 0600.
    #[arg(long)]
    env_file: Option<PathBuf>,
    /// `plan`, `up` or `down`.
    #[arg(value_parser = ["plan", "up", "down"])]
    step: String,
}

pub async fn run(args: Args) -> aiven_ext::Result<()> {
    let env = Environment::from_file(Owner::new(args.owner.as_str())?, &args.file)?;
    let mut sim = None; // with `--sim`, serves until `run` returns
    let client = match args.sim {
        false => AivenClient::from_env()?,
        true => {
            let mut builder = aiven_sim::Simulator::builder().project(&args.project);
            if let Some(profile) = args.sim_profile.as_deref() {
                builder = builder.timings(aiven_sim::Timings::profile(profile).unwrap_or_default());
            }
            if let Some(path) = &args.sim_state {
                builder = builder.state_file(path);
            }
            let started = builder
                .start()
                .await
                .map_err(|e| Error::Other(e.to_string()))?;
            let url = sim.insert(started).base_url();
            AivenClient::builder().base_url(url).token("t").build()?
        }
    };
    let p = args.project.as_str();
    match args.step.as_str() {
        "plan" => {
            print!("{}", env.plan(&client, p).await?.refuse_conflicts()?);
            Ok(())
        }
        "up" => {
            let ready = env.up(&client, p, READY).await?;
            ready.env().iter().for_each(|v| println!("{}", v.shown()));
            args.env_file.map_or(Ok(()), |f| ready.write_dotenv(f))
        }
        _ => env.down(&client, p, READY).await?.into_result(),
    }
}

#[tokio::main]
#[allow(dead_code)]
async fn main() -> ExitCode {
    run(Args::parse()).await.map_or_else(
        |e| {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        },
        |()| ExitCode::SUCCESS,
    )
}
