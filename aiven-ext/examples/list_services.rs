//! Lists every project of every organization and its services, with their
//! typed states.
//!
//! `AIVEN_TOKEN=… cargo run -p aiven-ext --example list_services`

use aiven_ext::{AivenClient, ServiceExt, StateExt};

#[tokio::main]
async fn main() -> aiven_ext::Result<()> {
    let client = AivenClient::from_env()?;
    // Projects belong to organizations (June 2026; ProjectList is deprecated).
    let organizations = client.user_organizations_list().send().await?.into_inner();
    let mut projects = Vec::new();
    for org in organizations.organizations.unwrap_or_default() {
        let Some(id) = org.organization_id else {
            continue;
        };
        let listed = client
            .organization_projects_list()
            .organization_id(&id)
            .send()
            .await?
            .into_inner();
        projects.extend(listed.projects.unwrap_or_default());
    }
    for project in projects {
        let Some(name) = project.project_id else {
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
