use std::time::Duration;

use aiven_ext::prelude::*;

#[tokio::main]
async fn main() -> aiven_ext::Result<()> {
    let client = AivenClient::from_env()?;
    let (project, ready_within) = ("my-project", Duration::from_secs(20 * 60));
    let env = Environment::new(Owner::new("ci-app")?) // the mark its services carry
        .service(NewService::new("ci-pg", "pg", "startup-4"))
        .database("ci-pg", NewDatabase::new("app"))
        .user("ci-pg", NewServiceUser::new("ci"))
        .service(NewService::new("ci-kafka", "kafka", "startup-2"))
        .topic("ci-kafka", NewTopic::new("events").partitions(3));
    print!("{}", env.plan(&client, project).await?); // create / adopt / conflict; changes nothing
    let ready = env.up(&client, project, ready_within).await?; // concurrent, then the children
    for var in ready.env() {
        println!("{}", var.shown()); // PGHOST=…, CI_PG_CI_PASSWORD=** redacted **, …
    }
    ready.write_dotenv("ci.env")?; // mode 0600, secrets included; the tests read it
    let report = env.down(&client, project, ready_within).await?; // only what carries the mark
    report.into_result()
}
