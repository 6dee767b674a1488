//! Delays between retries and between waiter polls: full jitter with a
//! floor, the randomness injectable so tests assert exact delays (as
//! smithy-rs does with its retry strategies).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The source of randomness for backoff delays.
pub trait Jitter: fmt::Debug + Send + Sync + 'static {
    /// A number in `[0, 1)`: where in its range the next delay falls.
    fn sample(&self) -> f64;
}

/// The default jitter: uniform random (fastrand).
#[derive(Debug, Default, Clone, Copy)]
pub struct RandomJitter;

impl Jitter for RandomJitter {
    fn sample(&self) -> f64 {
        fastrand::f64()
    }
}

/// Always the same point of the range: `0.0` gives the floor, `1.0` the
/// ceiling. For tests that assert exact delays.
#[derive(Debug, Clone, Copy)]
pub struct FixedJitter(pub f64);

impl Jitter for FixedJitter {
    fn sample(&self) -> f64 {
        self.0.clamp(0.0, 1.0)
    }
}

/// The shared default, so clients built without a jitter share one.
pub(crate) fn random() -> Arc<dyn Jitter> {
    Arc::new(RandomJitter)
}

/// Full jitter with a floor: the delay before retry (or after poll) number
/// `n` (1-based) is `min + jitter·(ceiling − min)` with
/// `ceiling = min(max, min·2ⁿ)`, so uniform in `[min, ceiling]`.
/// Saturating: no `n`, `min` or `max` overflows.
pub fn delay(min: Duration, max: Duration, n: u32, jitter: &dyn Jitter) -> Duration {
    let ceiling = min.saturating_mul(1u32 << n.min(24)).min(max).max(min);
    // A custom jitter may return anything: NaN or infinities would panic
    // in `mul_f64`, so they count as 0.
    let fraction = Some(jitter.sample())
        .filter(|f| f.is_finite())
        .map_or(0.0, |f| f.clamp(0.0, 1.0));
    min + (ceiling - min).mul_f64(fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_millis(200);
    const MAX: Duration = Duration::from_secs(20);

    #[test]
    fn a_jitter_out_of_range_cannot_panic() {
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -3.0, 7.0] {
            let d = delay(MIN, MAX, 3, &FixedJitter(bad));
            assert!(
                (MIN..=Duration::from_millis(1600)).contains(&d),
                "{bad}: {d:?}"
            );
        }
        assert_eq!(delay(MIN, MAX, 3, &FixedJitter(f64::NAN)), MIN);
    }

    #[test]
    fn fixed_jitter_gives_exact_delays() {
        let ms = |n, j| delay(MIN, MAX, n, &FixedJitter(j)).as_millis();
        // Floor, ceiling and midpoint of the doubling ranges.
        assert_eq!(
            (1..=8).map(|n| ms(n, 1.0)).collect::<Vec<_>>(),
            [400, 800, 1600, 3200, 6400, 12800, 20000, 20000]
        );
        assert_eq!(
            (1..=3).map(|n| ms(n, 0.0)).collect::<Vec<_>>(),
            [200, 200, 200]
        );
        assert_eq!(
            (1..=3).map(|n| ms(n, 0.5)).collect::<Vec<_>>(),
            [300, 500, 900]
        );
    }

    #[test]
    fn random_jitter_stays_within_floor_and_doubling_ceiling() {
        for n in 1..12 {
            let ceiling = (MIN * 2u32.pow(n)).min(MAX);
            for _ in 0..200 {
                let d = delay(MIN, MAX, n, &RandomJitter);
                assert!(d >= MIN && d <= ceiling, "retry {n}: {d:?}");
            }
        }
        assert_eq!(delay(MIN, MIN, 5, &RandomJitter), MIN);
    }

    #[test]
    fn nothing_overflows() {
        let huge = Duration::MAX;
        assert_eq!(delay(huge, huge, u32::MAX, &FixedJitter(1.0)), huge);
        assert_eq!(delay(MIN, huge, 64, &FixedJitter(1.0)), MIN * (1 << 24));
        // A max below the floor: the floor wins.
        assert_eq!(delay(MIN, Duration::ZERO, 3, &FixedJitter(1.0)), MIN);
    }
}
