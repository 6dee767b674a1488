//! A test that changes what a whole process shares (environment variables
//! that reqwest reads when a client is built, the working directory, a
//! signal sent to the process) runs in a process of its own: this test
//! binary again, with only that test selected. The tests beside it run on
//! threads of one process and never see the change.
//!
//! The workspace tests (`tests/tests/suite/`) use this file too (`#[path]`).

use std::process::Command;

/// Set in the child to the name of the test it runs.
const CHILD: &str = "AIVEN_TEST_OWN_PROCESS";

/// The test's name as the harness knows it: `module` is `module_path!()`,
/// whose first segment (the binary) is not part of test names.
fn test_name(module: &str, test: &str) -> String {
    match module.split_once("::") {
        Some((_, path)) => format!("{path}::{test}"),
        None => test.to_owned(),
    }
}

/// True in the process [`run_alone`] started for `test` of `module`.
pub fn is_child(module: &str, test: &str) -> bool {
    std::env::var(CHILD).is_ok_and(|running| running == test_name(module, test))
}

/// Runs `test` of `module` in a child process, alone (`configure` may set
/// its environment and working directory), and fails with the child's
/// output unless that one test passed there.
pub fn run_alone(module: &str, test: &str, configure: impl FnOnce(&mut Command)) {
    let name = test_name(module, test);
    assert!(
        std::env::var_os(CHILD).is_none(),
        "{name}: already in a child process"
    );
    let mut child = Command::new(std::env::current_exe().expect("this test binary"));
    child
        .args([name.as_str(), "--exact", "--test-threads=1", "--nocapture"])
        .env(CHILD, &name);
    configure(&mut child);
    let out = child.output().expect("this test binary runs again");
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success() && stdout.contains("test result: ok. 1 passed"),
        "{name} in a process of its own: {}",
        out.status
    );
}
