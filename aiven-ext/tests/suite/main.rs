//! aiven-ext's integration tests, one module per subject, in one test binary
//! (one link of the generated client instead of one per file):
//! `cargo test -p aiven-ext --test suite [MODULE::]`.
//!
//! The tests run on threads of one process. The few that change what the
//! process shares (environment variables, signals) run alone in a child
//! process of this binary (`own_process`).

mod common;
mod own_process;
mod tiny;

mod ci_env;
mod construction;
mod enums_know_the_description;
mod environment;
mod hardening;
mod lifecycle;
mod pages;
mod proxy_env;
mod retry;
mod retry_after_overflow;
mod waiters;
