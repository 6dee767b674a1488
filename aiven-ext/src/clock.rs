//! Time as the retry loop and the waiters see it, injectable so tests can
//! run minutes of backoff in microseconds and assert the exact delays.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use futures::future::BoxFuture;

/// The source of time for retries and waiters.
pub trait Clock: fmt::Debug + Send + Sync + 'static {
    /// Monotonic now, for budgets and deadlines.
    fn now(&self) -> Instant;
    /// Wall-clock now, to turn a `Retry-After` HTTP-date into a delay.
    fn system_now(&self) -> SystemTime;
    /// Waits for `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// The default clock: tokio's timer. It follows tokio's paused time, but a
/// paused runtime waiting on real network IO auto-advances to reqwest's
/// timeout timers and fails requests spuriously, so tests against a real
/// (mock) server use [`MockClock`] instead.
#[derive(Debug, Default, Clone, Copy)]
pub struct TokioClock;

impl Clock for TokioClock {
    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }
    fn system_now(&self) -> SystemTime {
        SystemTime::now()
    }
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A clock for tests: `sleep` returns at once, advances virtual time and
/// records the requested delay. Real network IO is unaffected.
#[derive(Debug, Clone)]
pub struct MockClock {
    inner: Arc<MockInner>,
}

#[derive(Debug)]
struct MockInner {
    start: Instant,
    start_system: SystemTime,
    state: Mutex<(Duration, Vec<Duration>)>,
}

impl MockClock {
    /// A clock at virtual time zero; its wall clock starts at
    /// 2023-11-14T22:13:20Z (Unix time 1 700 000 000).
    pub fn new() -> Self {
        Self {
            inner: Arc::new(MockInner {
                start: Instant::now(),
                start_system: SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
                state: Mutex::new((Duration::ZERO, Vec::new())),
            }),
        }
    }

    /// Virtual time elapsed since creation.
    pub fn elapsed(&self) -> Duration {
        self.inner.state.lock().unwrap().0
    }

    /// Moves virtual time forward without recording a sleep.
    pub fn advance(&self, by: Duration) {
        self.inner.state.lock().unwrap().0 += by;
    }

    /// Every delay passed to [`Clock::sleep`], in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.inner.state.lock().unwrap().1.clone()
    }

    /// This clock as the trait object the builders take.
    pub fn shared(&self) -> Arc<dyn Clock> {
        Arc::new(self.clone())
    }
}

impl Default for MockClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for MockClock {
    fn now(&self) -> Instant {
        self.inner.start + self.elapsed()
    }
    fn system_now(&self) -> SystemTime {
        self.inner.start_system + self.elapsed()
    }
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        let mut state = self.inner.state.lock().unwrap();
        state.0 += duration;
        state.1.push(duration);
        Box::pin(std::future::ready(()))
    }
}
