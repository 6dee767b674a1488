//! The README's aiven-ext example is `aiven-ext/examples/readme.rs`, word for
//! word, and it runs: against the simulator, configured the way the README
//! says (`AIVEN_WEB_URL`, `AIVEN_TOKEN`). The example runs in a process of
//! its own (`own_process`) whose environment has those variables; the
//! simulator runs in this one.

use std::time::Duration;

use aiven_ext::aiven_api::types;
use aiven_sim::{Simulator, Timings};

use crate::own_process;

mod example {
    include!("../../../aiven-ext/examples/readme.rs");
    pub fn run() {
        main().expect("the README example succeeds");
    }
}

fn workspace_file(path: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_readme_shows_the_example_as_it_is() {
    let readme = workspace_file("README.md");
    let example = workspace_file("aiven-ext/examples/readme.rs");
    let section = readme
        .split("## Programming against aiven-ext\n\n```rust,no_run\n")
        .nth(1)
        .expect("the README's aiven-ext section starts with a rust block");
    let block = &section[..section.find("```\n").expect("closed block")];
    assert_eq!(block, example, "README block and examples/readme.rs differ");
}

#[test]
fn the_readme_example_runs_against_the_simulator() {
    const TEST: &str = "the_readme_example_runs_against_the_simulator";
    if own_process::is_child(module_path!(), TEST) {
        return example::run();
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sim = runtime.block_on(async {
        let sim = Simulator::builder()
            .token("readme-token")
            .timings(Timings {
                create: Duration::from_millis(300),
                rebalance: Duration::from_millis(200),
                power_on: Duration::from_millis(200),
                topic: Duration::from_millis(100),
            })
            .start()
            .await
            .expect("simulator starts");
        let client = aiven_ext::AivenClient::builder()
            .base_url(sim.base_url())
            .token("readme-token")
            .build()
            .unwrap();
        let body: types::ProjectCreateRequestBody =
            serde_json::from_value(serde_json::json!({ "project": "my-project" })).unwrap();
        client
            .project_create()
            .body(body)
            .send()
            .await
            .expect("project");
        sim
    });
    own_process::run_alone(module_path!(), TEST, |example| {
        example
            .env("AIVEN_WEB_URL", sim.base_url())
            .env("AIVEN_TOKEN", "readme-token");
    });
    // It created the service (the project's journal says so) and deleted it.
    let state = sim.snapshot().state().clone();
    let project = &state["projects"]["my-project"];
    assert!(project.is_object(), "{state}");
    assert!(
        project["services"].get("pg-demo").is_none(),
        "the example left pg-demo behind: {}",
        project["services"]
    );
    let journal: Vec<&str> = project["events"]
        .as_array()
        .expect("the project's event log")
        .iter()
        .filter(|e| e["service_name"] == "pg-demo")
        .filter_map(|e| e["event_type"].as_str())
        .collect();
    assert_eq!(journal, ["service_create", "service_delete"]);
    let stats = sim.stats();
    let answered = |op: &str, status: u16| {
        stats
            .by_operation_status
            .get(op)
            .and_then(|s| s.get(&status))
            .copied()
    };
    assert_eq!(answered("ServiceCreate", 200), Some(1), "{stats:?}");
    assert_eq!(answered("ServiceDelete", 200), Some(1), "{stats:?}");
}
