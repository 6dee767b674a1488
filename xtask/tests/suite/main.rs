//! The xtask's integration tests, one module per subject, in one test binary
//! (one link instead of one per file): `cargo test -p xtask --test suite [MODULE::]`.

mod cli;
mod diff;
mod fetch;
mod shared_target;
