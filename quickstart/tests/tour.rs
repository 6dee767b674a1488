//! The main job, end to end: the quickstart binary with no token walks its
//! tour on the embedded simulator and exits 0. The tour's lines are its
//! interface to a newcomer, so the steps that prove it ran are asserted, as
//! is the masked password.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Longer than the tour takes (about 10 s) by far; a hang fails here
/// instead of holding the suite.
const LIMIT: Duration = Duration::from_secs(180);

#[test]
fn the_tour_runs_offline_on_the_embedded_simulator() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_aiven-quickstart"))
        .env_remove("AIVEN_TOKEN")
        .env_remove("AIVEN_AUTH_TOKEN")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the quickstart binary starts");
    // Both pipes drained while the tour runs, so neither can fill and stall it.
    let read_all = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            pipe.read_to_string(&mut text).map(|_| text)
        })
    };
    let stdout = read_all(Box::new(child.stdout.take().unwrap()));
    let stderr = read_all(Box::new(child.stderr.take().unwrap()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            panic!("the tour did not finish in {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let out = stdout.join().unwrap().unwrap();
    let err = stderr.join().unwrap().unwrap();
    assert!(status.success(), "{status}\n{out}\n{err}");
    for step in [
        "the embedded simulator at http://127.0.0.1:",
        "created pg-quickstart: pg startup-4",
        "pg-quickstart is RUNNING: 1/1 node running",
        "pg-quickstart is RUNNING on business-4",
        "pg-quickstart is POWEROFF",
        "delete refused: termination protection is on",
        "deleted with lift_termination_protection(true)",
        "confirmed: ServiceGet answers 404 (is_not_found)",
        "Done in ",
    ] {
        assert!(out.contains(step), "missing {step:?} in:\n{out}");
    }
    let uri = out
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("postgres://"))
        .unwrap_or_else(|| panic!("no connection URI in:\n{out}"));
    assert!(uri.starts_with("postgres://avnadmin:****@"), "{uri}");
}
