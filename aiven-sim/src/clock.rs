//! Injectable time. Every state transition is computed from timestamps when
//! read, so a [`ManualClock`] that a test advances runs minutes of
//! "realistic" lifecycle in no time.

use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Milliseconds since the Unix epoch.
pub type Millis = i64;

/// A source of the current time.
pub trait Clock: Send + Sync + fmt::Debug + 'static {
    /// The current time in milliseconds since the Unix epoch.
    fn now_ms(&self) -> Millis;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> Millis {
        chrono::Utc::now().timestamp_millis()
    }
}

/// A clock that only moves when told to. Clones share the same time, so a
/// test keeps one clone and hands another to the simulator.
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    /// 2024-01-01T00:00:00Z, the default start of a manual clock.
    pub const DEFAULT_START: Millis = 1_704_067_200_000;

    /// A clock at [`ManualClock::DEFAULT_START`].
    pub fn new() -> Self {
        Self::starting_at(Self::DEFAULT_START)
    }

    /// A clock at the given time.
    pub fn starting_at(ms: Millis) -> Self {
        Self(Arc::new(AtomicI64::new(ms)))
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.0.fetch_add(ms, Ordering::SeqCst);
    }

    /// Sets the clock (it may go backwards, as a system clock can).
    pub fn set(&self, ms: Millis) {
        self.0.store(ms, Ordering::SeqCst);
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> Millis {
        self.0.load(Ordering::SeqCst)
    }
}

/// Aiven's timestamp format: RFC 3339, UTC, whole seconds (`2024-01-01T00:00:00Z`).
pub fn format_time(ms: Millis) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A duration in whole milliseconds, saturating.
pub fn millis(d: Duration) -> Millis {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_is_shared_and_moves_only_when_told() {
        let c = ManualClock::new();
        let other = c.clone();
        assert_eq!(c.now_ms(), ManualClock::DEFAULT_START);
        other.advance(Duration::from_secs(90));
        assert_eq!(c.now_ms(), ManualClock::DEFAULT_START + 90_000);
        assert_eq!(format_time(c.now_ms()), "2024-01-01T00:01:30Z");
    }

    #[test]
    fn system_clock_is_now() {
        let now = SystemClock.now_ms();
        assert!(now > ManualClock::DEFAULT_START);
    }
}
