//! The binary's error reporting and argument handling.

use std::process::{Command, Output};

fn xtask(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.args(args).env_remove("AIVEN_OPENAPI_SOURCE");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn failure_prints_one_error_line_and_exits_1() {
    let output = xtask(&["fetch", "--source", "/no/such/spec.json"], &[]);
    assert_eq!(output.status.code(), Some(1));
    let expected =
        "error: cannot read /no/such/spec.json: No such file or directory (os error 2)\n";
    assert_eq!(stderr(&output), expected);
    assert!(output.stdout.is_empty());
}

#[test]
fn environment_variable_sets_the_source_and_flag_overrides_it() {
    let env = [("AIVEN_OPENAPI_SOURCE", "/from/env.json")];
    let output = xtask(&["fetch"], &env);
    assert!(
        stderr(&output).contains("cannot read /from/env.json"),
        "{}",
        stderr(&output)
    );
    let output = xtask(&["fetch", "--source", "/from/flag.json"], &env);
    assert!(
        stderr(&output).contains("cannot read /from/flag.json"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn latest_and_locked_exclude_each_other_and_update_lock_needs_latest() {
    let output = xtask(&["fetch", "--latest", "--locked"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot be used with"),
        "{}",
        stderr(&output)
    );
    let output = xtask(&["fetch", "--update-lock", "--source", "/x.json"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--latest"), "{}", stderr(&output));
}

#[test]
fn check_spec_fails_on_a_file_that_is_not_a_description() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.yml");
    std::fs::write(&spec, "just words").unwrap();
    let output = xtask(&["check-spec", spec.to_str().unwrap()], &[]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        format!(
            "error: {} is not an OpenAPI document (its top level is not an object)\n",
            spec.display()
        )
    );
}

#[test]
fn diff_exits_0_and_prints_summary() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.json");
    std::fs::write(
        &spec,
        r#"{"openapi":"3.0.1","paths":{"/a":{"get":{"operationId":"A"}}}}"#,
    )
    .unwrap();
    let spec = spec.to_str().unwrap();
    let output = xtask(&["diff", "--no-compile", spec, spec], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("verdict: 0 breaking changes"), "{stdout}");
}
