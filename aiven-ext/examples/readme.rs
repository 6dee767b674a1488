use std::time::Duration;

use aiven_ext::prelude::*;

#[tokio::main]
async fn main() -> aiven_ext::Result<()> {
    let client = AivenClient::from_env()?; // AIVEN_TOKEN, AIVEN_AUTH_TOKEN or the avn credentials file
    let pg = NewService::new("pg-demo", "pg", "startup-4").tag("team", "data");
    client.create_service("my-project", &pg).send().await?; // validated, never created twice
    let pg = client
        .wait_until_service_running("my-project", "pg-demo")
        .all_nodes_running(true)
        .require_backup(true) // RUNNING is not "usable"
        .on_progress(|p| eprintln!("{:>4}s {}", p.elapsed.as_secs(), p.state))
        .wait(Duration::from_secs(20 * 60))
        .await?;
    println!("{:?}", pg.state()); // Some(Running)
    client
        .delete_service("my-project", "pg-demo")
        .send_and_wait(Duration::from_secs(5 * 60))
        .await?;
    Ok(())
}
