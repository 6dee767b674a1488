//! The README's CI-environment example is `aiven-ext/examples/readme_env.rs`,
//! word for word, and it runs against the simulator configured the way the
//! README says (`AIVEN_WEB_URL`, `AIVEN_TOKEN`): up writes the connection
//! details (0600), down leaves no service behind. The example runs in a
//! process of its own (`own_process`) whose environment has those variables
//! and whose working directory is a scratch directory; the simulator runs in
//! this one.

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use aiven_sim::{Simulator, Timings};

use crate::own_process;

mod example {
    include!("../../../aiven-ext/examples/readme_env.rs");
    pub fn run() {
        main().expect("the README example succeeds");
    }
}

fn workspace_file(path: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_readme_shows_the_environment_example_as_it_is() {
    let readme = workspace_file("README.md");
    let example = workspace_file("aiven-ext/examples/readme_env.rs");
    let section = readme
        .split("## A CI environment\n")
        .nth(1)
        .and_then(|s| s.split("```rust,no_run\n").nth(1))
        .expect("the README's CI-environment section has a rust block");
    let block = &section[..section.find("```\n").expect("closed block")];
    assert_eq!(
        block, example,
        "README block and examples/readme_env.rs differ"
    );
}

#[test]
fn the_readme_environment_example_runs_against_the_simulator() {
    const TEST: &str = "the_readme_environment_example_runs_against_the_simulator";
    if own_process::is_child(module_path!(), TEST) {
        return example::run();
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sim = runtime.block_on(async {
        Simulator::builder()
            .token("readme-token")
            .project("my-project")
            .timings(Timings {
                create: Duration::from_millis(300),
                rebalance: Duration::from_millis(200),
                power_on: Duration::from_millis(200),
                topic: Duration::from_millis(100),
            })
            .start()
            .await
            .expect("simulator starts")
    });
    let dir = tempfile::tempdir().unwrap();
    own_process::run_alone(module_path!(), TEST, |example| {
        example
            .current_dir(dir.path())
            .env("AIVEN_WEB_URL", sim.base_url())
            .env("AIVEN_TOKEN", "readme-token");
    });
    let written = dir.path().join("ci.env");
    let mode = std::fs::metadata(&written).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "ci.env mode {mode:o}");
    let dotenv = std::fs::read_to_string(&written).unwrap();
    for var in ["PGHOST=", "KAFKA_BOOTSTRAP_SERVERS="] {
        assert!(dotenv.contains(var), "{var} missing from {dotenv}");
    }
    let state = sim.snapshot().state().clone();
    let services = &state["projects"]["my-project"]["services"];
    assert_eq!(
        services,
        &serde_json::json!({}),
        "down left services behind"
    );
    let stats = sim.stats();
    let creates = stats
        .by_operation_status
        .get("ServiceCreate")
        .and_then(|s| s.get(&200))
        .copied();
    assert_eq!(creates, Some(2), "{stats:?}");
}
