//! Lists every project and its services, with their typed states.
//!
//! `AIVEN_TOKEN=… cargo run -p aiven-ext --example list_services`

use aiven_ext::{AivenClient, ServiceExt, StateExt};

#[tokio::main]
async fn main() -> aiven_ext::Result<()> {
    let client = AivenClient::from_env()?;
    let projects = client.project_list().send().await?.into_inner();
    for project in projects.projects.unwrap_or_default() {
        let Some(name) = project.project_name else {
            continue;
        };
        println!("{name}");
        let services = client
            .service_list()
            .project(&name)
            .send()
            .await?
            .into_inner();
        for svc in services.services.unwrap_or_default() {
            println!(
                "  {:<30} {:<16} {:<12} nodes running: {}",
                svc.service_name.as_deref().unwrap_or("?"),
                svc.service_type_enum()
                    .map(|t| t.to_string())
                    .unwrap_or_default(),
                svc.state().map(|s| s.to_string()).unwrap_or_default(),
                svc.all_nodes_running(),
            );
        }
    }
    Ok(())
}
