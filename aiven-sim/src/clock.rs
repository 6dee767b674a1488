//! Injectable time. Every state transition is computed from timestamps when
//! read, so a [`ManualClock`] that a test advances runs minutes of
//! "realistic" lifecycle in no time.

use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Milliseconds since the Unix epoch.
pub type Millis = i64;

/// The latest time the admin API moves a clock to: 9999-12-31T23:59:59.999Z,
/// the last instant an RFC 3339 timestamp (four-digit year) can write, and
/// far from `i64` overflow in every sum of a time and a duration.
pub const MAX_CLOCK_MS: Millis = 253_402_300_799_999;

/// The most one admin advance moves a clock: 10 years of 365.25 days.
/// Tests move minutes or days; a larger step is a unit mistake (ms sent as
/// seconds), refused rather than taken.
pub const MAX_ADVANCE: Duration = Duration::from_secs(10 * 31_557_600);

/// Why [`ManualClock::try_advance`] did not move the clock.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AdvanceError {
    /// The step is over [`MAX_ADVANCE`].
    #[error(
        "cannot advance the clock by {requested}: at most {max} (10 years) per advance",
        requested = describe(*.0),
        max = describe(MAX_ADVANCE)
    )]
    TooFar(Duration),
    /// The clock would pass [`MAX_CLOCK_MS`].
    #[error(
        "cannot advance the clock by {requested} from {now}: it would pass \
         9999-12-31T23:59:59Z, the latest time the simulator can show",
        requested = describe(*.by),
        now = format_time(*.now)
    )]
    PastTheEnd {
        /// The clock's time.
        now: Millis,
        /// The step.
        by: Duration,
    },
}

/// A duration as milliseconds (and seconds), for error messages.
fn describe(d: Duration) -> String {
    format!("{} ms ({} s)", d.as_millis(), d.as_secs())
}

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

    /// Moves the clock forward (saturating at `i64::MAX`: a clock never
    /// wraps to a negative time).
    pub fn advance(&self, by: Duration) {
        let ms = millis(by);
        // The closure always answers Some: the update cannot fail.
        let _ = self
            .0
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |now| {
                Some(now.saturating_add(ms))
            });
    }

    /// Moves the clock forward by at most [`MAX_ADVANCE`] and not past
    /// [`MAX_CLOCK_MS`] (the admin API's advance); returns the new time, or
    /// why the clock did not move.
    pub fn try_advance(&self, by: Duration) -> Result<Millis, AdvanceError> {
        if by > MAX_ADVANCE {
            return Err(AdvanceError::TooFar(by));
        }
        let ms = millis(by);
        // Checked and moved in one atomic step, so two advances at once
        // cannot both pass the check and together pass the end.
        self.0
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |now| {
                now.checked_add(ms).filter(|t| *t <= MAX_CLOCK_MS)
            })
            .map(|now| now.saturating_add(ms))
            .map_err(|now| AdvanceError::PastTheEnd { now, by })
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
    fn advances_saturate_and_bounded_advances_refuse() {
        let c = ManualClock::starting_at(i64::MAX - 5);
        c.advance(Duration::MAX);
        assert_eq!(c.now_ms(), i64::MAX, "saturated, not wrapped");

        let c = ManualClock::new();
        assert_eq!(
            c.try_advance(MAX_ADVANCE + Duration::from_millis(1)),
            Err(AdvanceError::TooFar(MAX_ADVANCE + Duration::from_millis(1)))
        );
        assert_eq!(c.now_ms(), ManualClock::DEFAULT_START, "not moved");
        let ten_years = ManualClock::DEFAULT_START + millis(MAX_ADVANCE);
        assert_eq!(c.try_advance(MAX_ADVANCE), Ok(ten_years));
        c.set(MAX_CLOCK_MS - 1);
        assert_eq!(c.try_advance(Duration::from_millis(1)), Ok(MAX_CLOCK_MS));
        let e = c.try_advance(Duration::from_millis(1)).unwrap_err();
        assert!(e.to_string().contains("9999-12-31"), "{e}");
        assert_eq!(c.now_ms(), MAX_CLOCK_MS);
    }

    #[test]
    fn system_clock_is_now() {
        let now = SystemClock.now_ms();
        assert!(now > ManualClock::DEFAULT_START);
    }
}
