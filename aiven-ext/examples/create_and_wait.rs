//! Creates a PostgreSQL service and waits until it is ready, printing
//! progress; deletes it again with `--delete`.
//!
//! `AIVEN_TOKEN=… cargo run -p aiven-ext --example create_and_wait -- PROJECT NAME [PLAN] [--delete]`

use std::time::Duration;

use aiven_ext::aiven_api::types;
use aiven_ext::AivenClientBuilder;

#[tokio::main]
async fn main() -> aiven_ext::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let delete = args.iter().any(|a| a == "--delete");
    let positional: Vec<&str> = args
        .iter()
        .filter(|a| !a.starts_with("--"))
        .map(String::as_str)
        .collect();
    let [project, name, rest @ ..] = positional.as_slice() else {
        eprintln!("usage: create_and_wait PROJECT NAME [PLAN] [--delete]");
        std::process::exit(2);
    };
    let plan = rest.first().copied().unwrap_or("hobbyist");
    let client = AivenClientBuilder::from_env()?
        .user_agent_suffix("create-and-wait-example")
        .build()?;

    if delete {
        client
            .delete_service(*project, *name)
            .send_and_wait(Duration::from_secs(600))
            .await?;
        println!("deleted {project}/{name}");
        return Ok(());
    }

    let body = types::ServiceCreateRequestBody::builder()
        .service_name(*name)
        .service_type("pg")
        .plan(plan);
    // Never created twice: after an ambiguous failure the service is looked
    // up before the create is sent again.
    client.create_service(*project, body).send().await?;
    println!("creating {project}/{name} ({plan})");
    let svc = client
        .wait_until_service_running(*project, *name)
        .all_nodes_running(true)
        .on_progress(|p| {
            eprintln!(
                "[{:>4}s] poll {:>3}: {}",
                p.elapsed.as_secs(),
                p.polls,
                p.state
            )
        })
        .wait(Duration::from_secs(30 * 60))
        .await?;
    println!(
        "ready: {}",
        svc.service_uri.as_deref().unwrap_or("(no URI)")
    );
    Ok(())
}
