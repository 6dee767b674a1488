//! How waiters poll: configuration the client carries and each wait may
//! override, apart from the engine in `waiter` (which needs the client).

use std::time::Duration;

/// How a waiter polls.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct WaitPolicy {
    /// Shortest delay between polls. Default 2 s.
    pub min_delay: Duration,
    /// Longest delay between polls. Default 30 s.
    pub max_delay: Duration,
    /// For this long after the wait starts, 404 means "not visible yet"
    /// (the API is eventually consistent after a create). Default 60 s.
    pub not_found_grace: Duration,
    /// Consecutive successful observations required. Default 1.
    pub confirmations: u32,
}

impl Default for WaitPolicy {
    fn default() -> Self {
        Self {
            min_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(30),
            not_found_grace: Duration::from_secs(60),
            confirmations: 1,
        }
    }
}
