//! `aiven-sim`: the Aiven API simulator as a server.
//!
//! ```text
//! cargo run -p aiven-sim -- --listen 127.0.0.1:8080 --state sim.redb \
//!     --fault-5xx 0.1 --rate-limit ServiceGet=5/s --latency-ms /project=50
//! ```
//!
//! Fault flags take `VALUE` (every route) or `ROUTE=VALUE`, where ROUTE is
//! an operationId (`ServiceGet`) or a path prefix (`/project/p1`); each may
//! be repeated. Every request is logged (method, path, status, latency).
//!
//! The admin API is under `/_sim` (see `aiven_sim::admin`): reset, snapshot
//! and restore the state, replace the faults, read the request journal, and
//! with `--clock manual` advance the clock:
//!
//! ```text
//! curl -X POST localhost:8080/_sim/clock/advance -d '{"seconds": 600}'
//! curl 'localhost:8080/_sim/journal?operation_id=ServiceCreate'
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use aiven_sim::faults::{split_route, FaultRule, RateLimit, Route};
use aiven_sim::{ManualClock, ServerLimits, Simulator, SystemClock, Timings};
use clap::Parser;

/// A local simulator of the Aiven API (api.aiven.io/v1).
#[derive(Debug, Parser)]
#[command(name = "aiven-sim", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "AIVEN_SIM_LISTEN")]
    listen: SocketAddr,
    /// Keep the state in this file, a redb database (loaded at start, each change
    /// saved before it is answered; a JSON state file of the previous format is
    /// migrated, the JSON kept as FILE.json.bak).
    #[arg(long, env = "AIVEN_SIM_STATE")]
    state: Option<PathBuf>,
    /// Accepted API token (repeatable); without any, every token is accepted.
    #[arg(long = "token", env = "AIVEN_SIM_TOKENS", value_delimiter = ',')]
    tokens: Vec<String>,
    /// Lifecycle durations: fast (seconds), realistic (minutes) or instant.
    #[arg(long, default_value = "fast", value_parser = parse_profile)]
    profile: Timings,
    /// Seed of the random choices (faults, identifiers, passwords).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Fraction of requests answered with a 5xx: `[ROUTE=]FRACTION`.
    #[arg(long = "fault-5xx")]
    fault_5xx: Vec<String>,
    /// Rate limit, answered 429 with Retry-After: `[ROUTE=]N/s` or `N/m`.
    #[arg(long = "rate-limit")]
    rate_limit: Vec<String>,
    /// Added latency: `[ROUTE=]MILLISECONDS`.
    #[arg(long = "latency-ms")]
    latency_ms: Vec<String>,
    /// Services show no backup until this long after they first run: `[ROUTE=]SECONDS`.
    #[arg(long = "no-backup-for-secs")]
    no_backup_for_secs: Vec<String>,
    /// Fraction of responses whose connection drops mid-body: `[ROUTE=]FRACTION`.
    #[arg(long = "drop-connection")]
    drop_connection: Vec<String>,
    /// Fraction of responses whose JSON is cut short: `[ROUTE=]FRACTION`.
    #[arg(long = "truncate")]
    truncate: Vec<String>,
    /// Check every response against the description and log violations.
    #[arg(long)]
    validate_responses: bool,
    /// `system`, or `manual`: starts at the current time and moves only
    /// through `POST /_sim/clock/advance`.
    #[arg(long, default_value = "system", value_parser = ["system", "manual"])]
    clock: String,
    /// Seconds a client has to send a request's headers (slow clients and
    /// idle keep-alive connections are closed after it).
    #[arg(long, default_value_t = ServerLimits::default().header_read_timeout.as_secs())]
    header_timeout_secs: u64,
    /// Connections served at once (more wait to be accepted).
    #[arg(long, default_value_t = ServerLimits::default().max_connections)]
    max_connections: usize,
    /// Requests kept in the journal (`GET /_sim/journal`).
    #[arg(long, default_value_t = aiven_sim::journal::DEFAULT_CAPACITY)]
    journal_capacity: usize,
    /// Start with this project (repeatable), unless the state file has it.
    #[arg(long = "project")]
    projects: Vec<String>,
    /// Print how each operation is answered (hand-modelled, generic, none) and exit.
    #[arg(long)]
    coverage: bool,
}

/// The `--coverage` report: one line per operation, then the totals.
fn print_coverage() {
    let c = aiven_sim::coverage();
    for id in &c.hand_modelled {
        println!("hand-modelled  {id}");
    }
    for (id, role) in &c.generic {
        println!("generic        {id} ({role:?})");
    }
    for id in &c.none {
        println!("none           {id}");
    }
    println!(
        "{} hand-modelled, {} generic, {} none",
        c.hand_modelled.len(),
        c.generic.len(),
        c.none.len()
    );
}

fn parse_profile(s: &str) -> Result<Timings, String> {
    Timings::profile(s).ok_or_else(|| format!("unknown profile `{s}`: fast, realistic or instant"))
}

fn rule(route: Route) -> FaultRule {
    match route {
        Route::All => FaultRule::global(),
        Route::Operation(op) => FaultRule::operation(op),
        Route::PathPrefix(p) => FaultRule::path_prefix(p),
    }
}

fn fraction(flag: &str, v: &str) -> Result<f64, String> {
    match v.parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("--{flag} {v}: expected a fraction between 0 and 1")),
    }
}

fn number(flag: &str, v: &str) -> Result<u64, String> {
    v.parse()
        .map_err(|_| format!("--{flag} {v}: expected a whole number"))
}

/// The fault rules the flags describe.
fn fault_rules(args: &Args) -> Result<Vec<FaultRule>, String> {
    let mut rules = Vec::new();
    for a in &args.fault_5xx {
        let (route, v) = split_route(a);
        rules.push(rule(route).error_rate(fraction("fault-5xx", v)?));
    }
    for a in &args.rate_limit {
        let (route, v) = split_route(a);
        let limit = RateLimit::parse(v)?;
        rules.push(rule(route).rate_limit(limit.requests, limit.window));
    }
    for a in &args.latency_ms {
        let (route, v) = split_route(a);
        rules.push(rule(route).latency(Duration::from_millis(number("latency-ms", v)?)));
    }
    for a in &args.no_backup_for_secs {
        let (route, v) = split_route(a);
        rules
            .push(rule(route).no_backup_for(Duration::from_secs(number("no-backup-for-secs", v)?)));
    }
    for a in &args.drop_connection {
        let (route, v) = split_route(a);
        rules.push(rule(route).drop_connection_rate(fraction("drop-connection", v)?));
    }
    for a in &args.truncate {
        let (route, v) = split_route(a);
        rules.push(rule(route).truncate_rate(fraction("truncate", v)?));
    }
    Ok(rules)
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    if args.coverage {
        print_coverage();
        return;
    }
    let rules = match fault_rules(&args) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let mut builder = Simulator::builder()
        .listen(args.listen)
        .timings(args.profile)
        .seed(args.seed)
        .validate_responses(args.validate_responses)
        .journal_capacity(args.journal_capacity)
        .server_limits(ServerLimits {
            header_read_timeout: Duration::from_secs(args.header_timeout_secs.max(1)),
            max_connections: args.max_connections.max(1),
        });
    if args.clock == "manual" {
        use aiven_sim::Clock;
        builder = builder.clock(ManualClock::starting_at(SystemClock.now_ms()));
    }
    for t in &args.tokens {
        builder = builder.token(t.clone());
    }
    for r in rules {
        tracing::info!(rule = ?r, "fault");
        builder = builder.fault(r);
    }
    if let Some(path) = &args.state {
        builder = builder.state_file(path.clone());
    }
    for p in &args.projects {
        builder = builder.project(p.clone());
    }
    let mut sim = match builder.start().await {
        Ok(sim) => sim,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    tracing::info!(
        base_url = sim.base_url(),
        operations = aiven_sim::implemented_operations().len(),
        "aiven-sim listening"
    );
    if let Err(e) = tokio::signal::ctrl_c().await {
        tracing::error!(error = %e, "cannot wait for Ctrl-C");
    }
    tracing::info!("shutting down");
    sim.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_become_rules() {
        let args = Args::parse_from([
            "aiven-sim",
            "--fault-5xx",
            "0.2",
            "--rate-limit",
            "ServiceGet=10/s",
            "--latency-ms",
            "/project=50",
            "--no-backup-for-secs",
            "30",
            "--profile",
            "realistic",
            "--project",
            "p1",
            "--project",
            "p2",
        ]);
        assert_eq!(args.projects, ["p1", "p2"]);
        assert_eq!(args.profile, Timings::realistic());
        let rules = fault_rules(&args).unwrap();
        assert_eq!(rules.len(), 4);
        assert_eq!(rules[0].route, Route::All);
        assert_eq!(rules[0].error_rate, 0.2);
        assert_eq!(rules[1].route, Route::Operation("ServiceGet".into()));
        assert_eq!(rules[1].rate_limit.unwrap().requests, 10);
        assert_eq!(rules[2].route, Route::PathPrefix("/project".into()));
        assert_eq!(rules[2].latency, Duration::from_millis(50));
        assert_eq!(rules[3].no_backup_for, Duration::from_secs(30));
        let bad = Args::parse_from(["aiven-sim", "--fault-5xx", "2"]);
        assert!(fault_rules(&bad).is_err());
    }
}
