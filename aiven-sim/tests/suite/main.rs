//! aiven-sim's integration tests, one module per subject, in one test binary
//! (one link instead of one per file): `cargo test -p aiven-sim --test suite
//! [MODULE::]`. `api` drives the simulator through the generated client, one
//! module per resource; the others test one concern each (persistence, faults,
//! hardening, the admin API, …). Every response is checked against the
//! description (`common`).

mod binary;
mod common;

mod admin;
mod api;
mod bad_input;
mod concurrency;
mod events;
mod faults;
mod generic;
mod hardening;
mod integrations;
mod kms;
mod lifecycle;
mod persistence;
mod pools;
mod restart;
mod vpcs;
