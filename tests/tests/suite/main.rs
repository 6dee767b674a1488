//! The workspace integration tests, one module per subject, in one test
//! binary (one link of the generated client instead of one per file):
//! `cargo test -p aiven-tests --test suite [MODULE::]`. Helpers shared with
//! the benches are in `tests/src/lib.rs` (`aiven_tests`).
//!
//! The tests run on threads of one process. The README examples, which read
//! their configuration from the environment (and the working directory), run
//! in a child process of this binary (`own_process`).

/// aiven-sim's test fixtures (a simulator with a manual clock, the generated
/// client pointed at it), for `sim_typed` and `sim_with_aiven_ext`; they use
/// part of them.
#[path = "../../../aiven-sim/tests/suite/common.rs"]
#[allow(dead_code)]
mod sim_common;

#[path = "../../../aiven-ext/tests/suite/own_process.rs"]
mod own_process;

mod api_parts;
mod avn_cli;
mod coverage;
mod decode_fuzz;
mod docs;
mod fault_suite;
mod input_validation;
mod lenient;
mod log;
mod module_graph;
mod open_world;
mod readme;
mod readme_env;
mod redaction;
mod request_shapes;
mod serde_impls;
mod sim_typed;
mod sim_with_aiven_ext;
mod tracing_span;
