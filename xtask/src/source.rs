//! Where a description comes from and reading it: the one implementation is
//! [`aiven_openapi::source`], shared with the build scripts. The xtask takes a
//! relative path relative to the current directory ([`Source::parse`]).

pub use aiven_openapi::source::*;
