//! aiven-openapi's integration tests, one module per subject, in one test
//! binary (one link instead of one per file):
//! `cargo test -p aiven-openapi --test suite [MODULE::]`.

mod codegen;
mod obtain;
mod stable_names;
