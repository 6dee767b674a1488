//! Hand-written ergonomics on top of [`aiven_api`] (see the crate README).
pub use aiven_api;
