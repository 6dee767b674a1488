//! The SDK's guided tour: `cargo quickstart [--help]` (a cargo alias for
//! `cargo run -p aiven-quickstart --`).
//!
//! Without `AIVEN_TOKEN` or `AIVEN_AUTH_TOKEN` (or with `--simulator`) it
//! starts the simulator in this process (nothing leaves the machine) and
//! walks a PostgreSQL service through its whole life with `aiven-ext`:
//! clouds, service types and plans, create (termination protection on),
//! wait for RUNNING, connection info, a plan change, power off and on, a
//! delete refused by the protection, the delete, and the 404 afterwards.
//!
//! With a token it tours the real account read-only: every project (or
//! `--project NAME`) with its services. `--create` also walks the lifecycle
//! there, in the first project or `--project`: that creates a billed
//! service, deleted at the end, and also when a step fails or on Ctrl-C.
//!
//! Progress bars are drawn only on a terminal; elsewhere (CI, `| cat`) each
//! new state a waiter observes is printed as a plain line.
//! `RUST_LOG=info` shows every request (and `aiven-ext`'s retries).

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use aiven_ext::aiven_api::types;
use aiven_ext::{AivenClient, Error, Progress, ServiceExt, ServiceState, Wait, WaitPolicy};
use aiven_ext::{StateExt, WaitTarget};
use aiven_sim::{Simulator, Timings};
use clap::Parser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A guided tour of the Aiven Rust SDK: against the embedded simulator
/// without AIVEN_TOKEN, read-only against your account with it.
#[derive(Debug, Parser)]
#[command(name = "quickstart")]
struct Args {
    /// Use the embedded simulator even when AIVEN_TOKEN is set.
    #[arg(long)]
    simulator: bool,
    /// With a token: also walk a service's lifecycle in your account (creates
    /// a billed PostgreSQL service for a few minutes, then deletes it).
    #[arg(long)]
    create: bool,
    /// The project to tour and to create in (default: every project for the
    /// tour, the first one for --create; `quickstart` in the simulator).
    #[arg(long, value_name = "NAME")]
    project: Option<String>,
}

/// `println!` that ignores a closed stdout (`| head`): the walk goes on,
/// so that a service created with --create is still deleted at the end.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

type Fallible<T> = Result<T, Box<dyn StdError + Send + Sync>>;

/// What the walk creates.
const SERVICE: &str = "pg-quickstart";
const SERVICE_TYPE: &str = "pg";
const PLAN: &str = "startup-4";
const BIGGER_PLAN: &str = "business-4";
/// The preferred cloud; another European Google cloud, else the first
/// listed, where it is not offered.
const CLOUD: &str = "google-europe-west3";

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_default_env() {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    }
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn token_in_env() -> bool {
    ["AIVEN_TOKEN", "AIVEN_AUTH_TOKEN"]
        .iter()
        .any(|k| std::env::var(k).is_ok_and(|v| !v.trim().is_empty()))
}

async fn run(args: Args) -> Fallible<()> {
    let started = Instant::now();
    if args.simulator || !token_in_env() {
        simulator_tour(&args).await?;
    } else {
        account_tour(&args).await?;
    }
    say!("\nDone in {}.", secs(started.elapsed()));
    Ok(())
}

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

fn secs(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

/// `✓ what` with the step's elapsed time right-aligned.
fn ok(what: impl fmt::Display, since: Instant) {
    say!("  ✓ {:<64} {:>6}", what.to_string(), secs(since.elapsed()));
}

/// An indented detail line under a step.
fn info(line: impl fmt::Display) {
    say!("      {line}");
}

fn heading(text: &str) {
    say!("\n{text}");
}

/// `postgres://avnadmin:****@host:port/...`: the password (if any) of a URI masked.
fn mask_password(uri: &str) -> String {
    let Some(scheme_end) = uri.find("://").map(|i| i + 3) else {
        return uri.to_owned();
    };
    let rest = &uri[scheme_end..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return uri.to_owned();
    };
    match rest[..at].find(':') {
        Some(colon) => format!(
            "{}{}:****{}",
            &uri[..scheme_end],
            &rest[..colon],
            &rest[at..]
        ),
        None => uri.to_owned(),
    }
}

/// Runs a waiter with a spinner showing the latest observation. Each new
/// state is also printed as a line (above the spinner on a terminal, alone
/// elsewhere, where indicatif draws nothing).
async fn watch<T: WaitTarget>(
    wait: Wait<'_, T>,
    max_wait: Duration,
) -> aiven_ext::Result<T::Output> {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stdout());
    bar.set_style(
        ProgressStyle::with_template("      {spinner:.cyan} {msg}")
            .expect("a valid template")
            .tick_chars("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏ "),
    );
    bar.enable_steady_tick(Duration::from_millis(100));
    let on_terminal = !bar.is_hidden();
    let shown = bar.clone();
    let mut last = String::new();
    let report = move |p: &Progress| {
        if p.state != last {
            let line = format!("      {:>6}  {}", secs(p.elapsed), p.state);
            if on_terminal {
                shown.println(line);
            } else {
                say!("{line}");
            }
            last.clone_from(&p.state);
        }
        shown.set_message(format!(
            "{}   poll {}, {}",
            p.state,
            p.polls,
            secs(p.elapsed)
        ));
    };
    let result = wait.on_progress(report).wait(max_wait).await;
    bar.finish_and_clear();
    result
}

fn describe_nodes(svc: &types::Service) -> String {
    let nodes = svc.node_states.as_deref().unwrap_or_default();
    let running = svc
        .node_states_enum()
        .iter()
        .filter(|s| **s == aiven_ext::NodeState::Running)
        .count();
    match nodes.len() {
        1 => format!("{running}/1 node running"),
        n => format!("{running}/{n} nodes running"),
    }
}

/// `1 project`, `2 projects`.
fn count(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

fn text(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("-")
}

// ---------------------------------------------------------------------------
// The simulator
// ---------------------------------------------------------------------------

async fn simulator_tour(args: &Args) -> Fallible<()> {
    let since = Instant::now();
    let sim = Simulator::builder()
        .timings(Timings::fast())
        .start()
        .await
        .map_err(|e| format!("cannot start the simulator: {e}"))?;
    say!(
        "Aiven SDK quickstart: the embedded simulator at {}",
        sim.base_url()
    );
    if token_in_env() {
        say!("(--simulator: your AIVEN_TOKEN is not used; nothing leaves this machine)");
    } else {
        say!("(no AIVEN_TOKEN set, so nothing leaves this machine; set one for a read-only tour of your account)");
    }
    // The simulator's "fast" profile takes seconds per transition, so
    // poll often; against the real API the default policy (2–30 s) applies.
    let mut policy = WaitPolicy::default();
    policy.min_delay = Duration::from_millis(250);
    policy.max_delay = Duration::from_secs(1);
    let client = AivenClient::builder()
        .base_url(sim.base_url())
        .token("quickstart-token")
        .user_agent_suffix("quickstart")
        .wait_policy(policy)
        .build()?;
    ok("simulator started; client configured", since);

    let project = args.project.clone().unwrap_or_else(|| "quickstart".into());
    let since = Instant::now();
    client
        .project_create()
        .body(types::ProjectCreateRequestBody::builder().project(project.clone()))
        .send()
        .await
        .map_err(|e| format!("creating project {project}: {}", Error::from(e)))?;
    ok(format_args!("created project {project}"), since);

    let limits = Limits {
        create: Duration::from_secs(60),
        change: Duration::from_secs(60),
        delete: Duration::from_secs(60),
    };
    lifecycle_walk(&client, &project, &limits).await
}

// ---------------------------------------------------------------------------
// A real account
// ---------------------------------------------------------------------------

async fn account_tour(args: &Args) -> Fallible<()> {
    let client = aiven_ext::AivenClientBuilder::from_env()?
        .user_agent_suffix("quickstart")
        .build()?;
    use aiven_ext::aiven_api::ClientInfo;
    say!(
        "Aiven SDK quickstart: your account at {} (token from the environment)",
        client.baseurl()
    );
    if args.create {
        say!("(--create: a billed service is created and deleted at the end)");
    } else {
        say!("(read-only: nothing is created or changed; --create walks a service's lifecycle)");
    }

    heading("Projects and services");
    let since = Instant::now();
    // June 2026: projects belong to organizations (ProjectList is deprecated).
    let organizations: Vec<String> = client
        .user_organizations_list()
        .send()
        .await
        .map_err(|e| format!("listing organizations: {}", Error::from(e)))?
        .into_inner()
        .organizations
        .unwrap_or_default()
        .into_iter()
        .filter_map(|o| o.organization_id)
        .collect();
    let mut projects: Vec<String> = Vec::new();
    for organization in &organizations {
        let listed = client
            .organization_projects_list()
            .organization_id(organization.as_str())
            .send()
            .await
            .map_err(|e| format!("listing projects of {organization}: {}", Error::from(e)))?
            .into_inner()
            .projects
            .unwrap_or_default();
        projects.extend(listed.into_iter().filter_map(|p| p.project_id));
    }
    projects.sort();
    projects.dedup();
    ok(count(projects.len(), "project"), since);
    let toured: Vec<&String> = match &args.project {
        Some(name) if !projects.contains(name) => {
            return Err(format!(
                "project {name} is not one of yours ({})",
                projects.join(", ")
            )
            .into())
        }
        Some(name) => vec![name],
        None => projects.iter().collect(),
    };
    for project in toured {
        let since = Instant::now();
        let services = client
            .service_list()
            .project(project)
            .send()
            .await
            .map_err(|e| format!("listing services of {project}: {}", Error::from(e)))?
            .into_inner()
            .services
            .unwrap_or_default();
        ok(
            format_args!("{project}: {}", count(services.len(), "service")),
            since,
        );
        for s in &services {
            info(format_args!(
                "{:<28} {:<12} {:<12} {:<16} {}",
                text(&s.service_name),
                text(&s.service_type),
                s.state().map_or_else(|| "-".into(), |s| s.to_string()),
                text(&s.plan),
                text(&s.cloud_name),
            ));
        }
    }

    if !args.create {
        say!("\nNothing was created. Add --create to walk a service's lifecycle (billed while it runs).");
        return Ok(());
    }
    let project = match (&args.project, projects.first()) {
        (Some(p), _) | (None, Some(p)) => p.clone(),
        (None, None) => return Err("--create needs a project, and this account has none".into()),
    };
    let limits = Limits {
        create: Duration::from_secs(30 * 60),
        change: Duration::from_secs(45 * 60),
        delete: Duration::from_secs(15 * 60),
    };
    lifecycle_walk(&client, &project, &limits).await
}

// ---------------------------------------------------------------------------
// The lifecycle
// ---------------------------------------------------------------------------

/// Longest waits per kind of step.
struct Limits {
    create: Duration,
    change: Duration,
    delete: Duration,
}

/// Catalogue, then a service's whole life. Once the service exists, a
/// failure or Ctrl-C deletes it before the error is returned.
async fn lifecycle_walk(client: &AivenClient, project: &str, limits: &Limits) -> Fallible<()> {
    heading("Catalogue");
    let cloud = clouds(client).await?;
    service_types_and_plans(client, &cloud).await?;

    heading(&format!("Lifecycle of {project}/{SERVICE}"));
    let since = Instant::now();
    let body = types::ServiceCreateRequestBody::builder()
        .service_name(SERVICE)
        .service_type(SERVICE_TYPE)
        .plan(PLAN)
        .cloud(Some(cloud.parse::<types::ServiceCreateRequestBodyCloud>()?))
        .termination_protection(true);
    let created = client
        .create_service(project, body)
        .send()
        .await
        .map_err(|e| format!("creating {SERVICE}: {e}"))?;
    let svc = created.get();
    ok(
        format_args!("created {SERVICE}: {SERVICE_TYPE} {PLAN} in {cloud}"),
        since,
    );
    let protection = if svc.is_termination_protected() {
        "on"
    } else {
        "off"
    };
    info(format_args!(
        "state {}, termination protection {protection}",
        text(&svc.state)
    ));

    let steps = service_steps(client, project, limits);
    let outcome = tokio::select! {
        r = steps => r,
        _ = ctrl_c() => Err("interrupted".into()),
    };
    if let Err(e) = outcome {
        eprintln!("stopped; cleaning up {project}/{SERVICE} …");
        let cleanup = match client
            .delete_service(project, SERVICE)
            .lift_termination_protection(true)
            .send()
            .await
        {
            Ok(deletion) => format!("it is {deletion}"),
            Err(d) if d.is_not_found() => "it is gone".to_owned(),
            Err(d) => format!("it could NOT be deleted, delete it by hand: {d}"),
        };
        return Err(format!("{e} ({project}/{SERVICE}: {cleanup})").into());
    }
    Ok(())
}

async fn ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Lists the clouds; returns the one to create in.
async fn clouds(client: &AivenClient) -> Fallible<String> {
    let since = Instant::now();
    let clouds = client
        .list_clouds()
        .send()
        .await
        .map_err(|e| format!("listing clouds: {}", Error::from(e)))?
        .into_inner()
        .clouds
        .unwrap_or_default();
    let mut providers: Vec<(String, Vec<&types::Cloud>)> = Vec::new();
    for c in &clouds {
        let provider = c.provider.clone().unwrap_or_else(|| "other".into());
        match providers.iter_mut().find(|(p, _)| *p == provider) {
            Some((_, list)) => list.push(c),
            None => providers.push((provider, vec![c])),
        }
    }
    ok(
        format_args!(
            "{} from {}",
            count(clouds.len(), "cloud"),
            count(providers.len(), "provider")
        ),
        since,
    );
    for (provider, list) in &providers {
        let sample = list
            .iter()
            .take(2)
            .map(|c| {
                let region = c
                    .cloud_description
                    .as_deref()
                    .and_then(|d| d.split(" - ").next())
                    .unwrap_or("");
                format!("{} ({region})", text(&c.cloud_name))
            })
            .collect::<Vec<_>>()
            .join(", ");
        info(format_args!(
            "{provider:<8} {:>3}   e.g. {sample}",
            list.len()
        ));
    }
    let names: Vec<&str> = clouds
        .iter()
        .filter_map(|c| c.cloud_name.as_deref())
        .collect();
    let chosen = names
        .iter()
        .find(|n| **n == CLOUD)
        .or_else(|| names.iter().find(|n| n.starts_with("google-europe-")))
        .or(names.first())
        .ok_or("the API lists no clouds")?;
    if *chosen != CLOUD {
        info(format_args!("{CLOUD} is not offered here; using {chosen}"));
    }
    Ok((*chosen).to_owned())
}

/// Lists the service types, then the plans of PostgreSQL with node counts.
async fn service_types_and_plans(client: &AivenClient, cloud: &str) -> Fallible<()> {
    let since = Instant::now();
    let types = client.list_service_types(None).await?;
    ok(count(types.len(), "service type"), since);
    let names: Vec<&str> = types.keys().map(String::as_str).collect();
    for chunk in names.chunks(8) {
        info(chunk.join(", "));
    }

    let since = Instant::now();
    let plans = client.list_plans(None, SERVICE_TYPE).await?;
    ok(
        format_args!("{} of {SERVICE_TYPE}", count(plans.len(), "plan")),
        since,
    );
    info(format_args!(
        "{:<14} {:>5}  {:>12}  {:>10}",
        "plan", "nodes", "backups kept", "USD/hour"
    ));
    for p in &plans {
        let price = p
            .regions
            .as_ref()
            .and_then(|r| r.get(cloud))
            .and_then(|r| r.get("price_usd"))
            .and_then(|v| v.as_str())
            .unwrap_or("-");
        let backups = p
            .backup_config
            .as_ref()
            .and_then(|b| b.max_count)
            .map_or_else(|| "-".into(), |n| n.to_string());
        info(format_args!(
            "{:<14} {:>5}  {:>12}  {:>10}",
            text(&p.service_plan),
            p.node_count.map_or_else(|| "-".into(), |n| n.to_string()),
            backups,
            price,
        ));
    }
    for plan in [PLAN, BIGGER_PLAN] {
        if !plans
            .iter()
            .any(|p| p.service_plan.as_deref() == Some(plan))
        {
            return Err(format!("{SERVICE_TYPE} has no plan {plan} here").into());
        }
    }
    Ok(())
}

/// Everything after the create.
async fn service_steps(client: &AivenClient, project: &str, limits: &Limits) -> Fallible<()> {
    step(
        format!("{SERVICE} is RUNNING"),
        "waiting for RUNNING",
        async {
            let svc = watch(
                client
                    .wait_until_service_running(project, SERVICE)
                    .all_nodes_running(true),
                limits.create,
            )
            .await?;
            Ok(describe_nodes(&svc))
        },
    )
    .await?;

    let since = Instant::now();
    let svc = client.get_service(project, SERVICE).await?;
    ok("connection info", since);
    info(mask_password(text(&svc.service_uri)));
    if let Some(params) = &svc.service_uri_params {
        let param = |k: &str| params.get(k).and_then(|v| v.as_str()).unwrap_or("-");
        info(format_args!(
            "host {}  port {}  user {}  database {}",
            param("host"),
            param("port"),
            param("user"),
            param("dbname")
        ));
    }

    let since = Instant::now();
    let svc = client
        .update_service(project, SERVICE)
        .plan(BIGGER_PLAN)
        .send()
        .await
        .map_err(|e| format!("changing the plan: {e}"))?;
    ok(format_args!("plan {PLAN} → {BIGGER_PLAN} requested"), since);
    info(format_args!("state {}", text(&svc.state)));
    step(
        format!("{SERVICE} is RUNNING on {BIGGER_PLAN}"),
        "waiting for the plan change",
        async {
            let svc = watch(
                client
                    .wait_until_service_running(project, SERVICE)
                    .all_nodes_running(true),
                limits.change,
            )
            .await?;
            if svc.plan.as_deref() != Some(BIGGER_PLAN) {
                return Err(format!("the plan is still {}", text(&svc.plan)).into());
            }
            Ok(describe_nodes(&svc))
        },
    )
    .await?;

    // Termination protection refuses power-off as well as deletion: it is
    // lifted for the power cycle and restored with the power-on.
    let since = Instant::now();
    client
        .power_off_service(project, SERVICE)
        .termination_protection(false)
        .send()
        .await
        .map_err(|e| format!("powering off: {e}"))?;
    ok(
        "power off requested (termination protection lifted for it)",
        since,
    );
    step(
        format!("{SERVICE} is POWEROFF"),
        "waiting for POWEROFF",
        async {
            watch(
                client.wait_until_service_state(project, SERVICE, ServiceState::Poweroff),
                limits.change,
            )
            .await?;
            Ok("no nodes, no charges".into())
        },
    )
    .await?;

    let since = Instant::now();
    let svc = client
        .power_on_service(project, SERVICE)
        .termination_protection(true)
        .send()
        .await
        .map_err(|e| format!("powering on: {e}"))?;
    ok("power on requested (termination protection back on)", since);
    info(format_args!("state {}", text(&svc.state)));
    step(
        format!("{SERVICE} is RUNNING again"),
        "waiting for RUNNING",
        async {
            let svc = watch(
                client
                    .wait_until_service_running(project, SERVICE)
                    .all_nodes_running(true)
                    .tolerate_poweroff(true),
                limits.create,
            )
            .await?;
            Ok(describe_nodes(&svc))
        },
    )
    .await?;

    let since = Instant::now();
    match client.delete_service(project, SERVICE).send().await {
        Err(e) if e.is_termination_protected() => {
            ok("delete refused: termination protection is on", since);
            let reason = e.api().map_or_else(|| e.to_string(), |a| a.message.clone());
            info(format_args!("the API said: {reason}"));
            info(format_args!("aiven-ext said: {e}"));
        }
        Err(e) => return Err(format!("deleting while protected: {e}").into()),
        Ok(_) => return Err("the delete succeeded although termination protection was on".into()),
    }

    let since = Instant::now();
    client
        .delete_service(project, SERVICE)
        .lift_termination_protection(true)
        .send()
        .await
        .map_err(|e| format!("deleting: {e}"))?;
    ok("deleted with lift_termination_protection(true)", since);
    step(
        format!("{SERVICE} is gone"),
        "waiting for the delete",
        async {
            watch(
                client.wait_until_service_deleted(project, SERVICE),
                limits.delete,
            )
            .await?;
            Ok(String::new())
        },
    )
    .await?;

    let since = Instant::now();
    match client.get_service(project, SERVICE).await {
        Err(e) if e.is_not_found() => {
            ok("confirmed: ServiceGet answers 404 (is_not_found)", since);
        }
        Err(e) => return Err(format!("reading the deleted service: {e}").into()),
        Ok(svc) => return Err(format!("the service still exists ({})", text(&svc.state)).into()),
    }
    Ok(())
}

/// Runs a waiting step: prints its `✓` line (with `detail`, if any) and
/// elapsed time when done, or names what it was waiting for in the error.
async fn step(
    done: String,
    waiting_for: &str,
    body: impl Future<Output = Fallible<String>>,
) -> Fallible<()> {
    let since = Instant::now();
    match body.await {
        Ok(detail) if detail.is_empty() => ok(done, since),
        Ok(detail) => ok(format_args!("{done}: {detail}"), since),
        Err(e) => return Err(format!("{waiting_for}: {e}").into()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::mask_password;

    #[test]
    fn passwords_are_masked() {
        assert_eq!(
            mask_password("postgres://avnadmin:s3cr3t@h.example:5432/defaultdb?sslmode=require"),
            "postgres://avnadmin:****@h.example:5432/defaultdb?sslmode=require"
        );
        assert_eq!(
            mask_password("rediss://default:p@ss@h:1"),
            "rediss://default:****@h:1"
        );
        assert_eq!(mask_password("h.example:9092"), "h.example:9092");
        assert_eq!(mask_password("https://h/x?a=b@c"), "https://h/x?a=b@c");
        assert_eq!(mask_password("https://user@h"), "https://user@h");
    }
}
