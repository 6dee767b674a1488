//! Service and topic lifecycles, computed lazily from timestamps.
//!
//! A change stores a [`Transition`] (its kind, start and end); reading a
//! service computes its state and node states from the clock. No background
//! task moves anything, so a manual clock controls every transition.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::clock::{millis, Millis};

/// How long transitions take.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timings {
    /// A new service: REBUILDING → RUNNING.
    pub create: Duration,
    /// A plan, disk or cloud change: REBALANCING → RUNNING.
    pub rebalance: Duration,
    /// Powering on: REBUILDING → RUNNING.
    pub power_on: Duration,
    /// A topic create or update: CONFIGURING → ACTIVE.
    pub topic: Duration,
}

impl Timings {
    /// Short transitions for interactive use (the default): a few seconds.
    pub fn fast() -> Self {
        Self {
            create: Duration::from_secs(3),
            rebalance: Duration::from_secs(2),
            power_on: Duration::from_secs(2),
            topic: Duration::from_secs(1),
        }
    }

    /// Durations of the order Aiven takes: minutes.
    pub fn realistic() -> Self {
        Self {
            create: Duration::from_secs(5 * 60),
            rebalance: Duration::from_secs(8 * 60),
            power_on: Duration::from_secs(4 * 60),
            topic: Duration::from_secs(20),
        }
    }

    /// No transitions: every change is done when it is answered.
    pub fn instant() -> Self {
        Self {
            create: Duration::ZERO,
            rebalance: Duration::ZERO,
            power_on: Duration::ZERO,
            topic: Duration::ZERO,
        }
    }

    /// A project VPC being built (APPROVED → ACTIVE), and a peering
    /// connection being set up and then accepted by the simulated peer:
    /// as long as a new service.
    pub fn vpc_build(&self) -> Duration {
        self.create
    }

    /// A project VPC or peering connection being deleted (DELETING → gone):
    /// as long as a rebalance.
    pub fn vpc_delete(&self) -> Duration {
        self.rebalance
    }

    /// A service integration starting (`starting` → `running`): as long as
    /// a topic's configuration.
    pub fn integration(&self) -> Duration {
        self.topic
    }

    /// The profile of this name: `fast`, `realistic` or `instant`.
    pub fn profile(name: &str) -> Option<Self> {
        match name {
            "fast" => Some(Self::fast()),
            "realistic" => Some(Self::realistic()),
            "instant" => Some(Self::instant()),
            _ => None,
        }
    }
}

impl Default for Timings {
    fn default() -> Self {
        Self::fast()
    }
}

/// The service states of the description.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ServiceState {
    /// Nodes are being built (create, power on).
    Rebuilding,
    /// Nodes are being replaced (plan, disk or cloud change).
    Rebalancing,
    /// Powered off: no nodes.
    Poweroff,
    /// Serving.
    Running,
}

impl ServiceState {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rebuilding => "REBUILDING",
            Self::Rebalancing => "REBALANCING",
            Self::Poweroff => "POWEROFF",
            Self::Running => "RUNNING",
        }
    }
}

/// A change in progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Transition {
    /// REBUILDING or REBALANCING.
    pub state: ServiceState,
    /// When it started.
    pub started_ms: Millis,
    /// When it is done (the service is RUNNING from then on).
    pub done_ms: Millis,
    /// The node count before the change (REBALANCING shows the old nodes).
    pub previous_nodes: u32,
}

impl Transition {
    /// A transition of `state` from `now` lasting `duration`.
    pub fn new(state: ServiceState, now: Millis, duration: Duration, previous_nodes: u32) -> Self {
        Self {
            state,
            started_ms: now,
            done_ms: now.saturating_add(millis(duration)),
            previous_nodes,
        }
    }

    /// Whether it is still in progress at `now`.
    pub fn active(&self, now: Millis) -> bool {
        now < self.done_ms
    }

    /// The fraction done at `now`, in `[0, 1]`. Saturating: a clock set
    /// far off or a restored transition with odd times cannot overflow it.
    pub fn progress(&self, now: Millis) -> f64 {
        let total = self.done_ms.saturating_sub(self.started_ms).max(1) as f64;
        (now.saturating_sub(self.started_ms) as f64 / total).clamp(0.0, 1.0)
    }
}

/// The state of a service at `now`.
pub fn service_state(powered: bool, transition: Option<&Transition>, now: Millis) -> ServiceState {
    if !powered {
        return ServiceState::Poweroff;
    }
    match transition {
        Some(t) if t.active(now) => t.state,
        _ => ServiceState::Running,
    }
}

/// One entry of `node_states`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeState {
    /// Node name.
    pub name: String,
    /// `setting_up_vm`, `syncing_data`, `running` or `leaving`.
    pub state: &'static str,
}

/// The node states of a service at `now`: none when powered off; while
/// REBUILDING every node goes `setting_up_vm` (first half) → `syncing_data`;
/// while REBALANCING the old nodes run (and are `leaving` in the last fifth)
/// beside new nodes going `setting_up_vm` → `syncing_data`; then all `running`.
pub fn node_states(
    service_name: &str,
    nodes: u32,
    powered: bool,
    transition: Option<&Transition>,
    now: Millis,
) -> Vec<NodeState> {
    let node = |i: u32, state| NodeState {
        name: format!("{service_name}-{i}"),
        state,
    };
    if !powered {
        return Vec::new();
    }
    let Some(t) = transition.filter(|t| t.active(now)) else {
        return (1..=nodes).map(|i| node(i, "running")).collect();
    };
    let p = t.progress(now);
    let building = if p < 0.5 {
        "setting_up_vm"
    } else {
        "syncing_data"
    };
    match t.state {
        ServiceState::Rebalancing => {
            let old = if p < 0.8 { "running" } else { "leaving" };
            let prev = t.previous_nodes;
            (1..=prev)
                .map(|i| node(i, old))
                .chain((1..=nodes).map(|i| node(prev.saturating_add(i), building)))
                .collect()
        }
        _ => (1..=nodes).map(|i| node(i, building)).collect(),
    }
}

/// The state of a Kafka topic at `now`: CONFIGURING until `ready_ms`.
pub fn topic_state(ready_ms: Millis, now: Millis) -> &'static str {
    if now < ready_ms {
        "CONFIGURING"
    } else {
        "ACTIVE"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebuilding_then_running() {
        let t = Transition::new(ServiceState::Rebuilding, 1000, Duration::from_secs(10), 0);
        assert_eq!(
            service_state(true, Some(&t), 1000),
            ServiceState::Rebuilding
        );
        assert_eq!(
            service_state(true, Some(&t), 10_999),
            ServiceState::Rebuilding
        );
        assert_eq!(service_state(true, Some(&t), 11_000), ServiceState::Running);
        assert_eq!(service_state(false, Some(&t), 1000), ServiceState::Poweroff);
        let states = |now| {
            node_states("s", 2, true, Some(&t), now)
                .into_iter()
                .map(|n| n.state)
                .collect::<Vec<_>>()
        };
        assert_eq!(states(1000), ["setting_up_vm"; 2]);
        assert_eq!(states(7000), ["syncing_data"; 2]);
        assert_eq!(states(11_000), ["running"; 2]);
        assert!(node_states("s", 2, false, None, 0).is_empty());
    }

    #[test]
    fn rebalancing_shows_old_and_new_nodes() {
        let t = Transition::new(ServiceState::Rebalancing, 0, Duration::from_secs(10), 1);
        let n = node_states("s", 2, true, Some(&t), 1000);
        let got: Vec<_> = n.iter().map(|n| (n.name.as_str(), n.state)).collect();
        assert_eq!(
            got,
            [
                ("s-1", "running"),
                ("s-2", "setting_up_vm"),
                ("s-3", "setting_up_vm")
            ]
        );
        let n = node_states("s", 2, true, Some(&t), 9000);
        assert_eq!(n[0].state, "leaving");
        assert_eq!(n[1].state, "syncing_data");
    }

    /// No time can panic the arithmetic (a clock at either end of `i64`,
    /// a restored transition ending before it starts).
    #[test]
    fn extreme_times_do_not_overflow() {
        for (start, done) in [(i64::MIN, i64::MAX), (i64::MAX, i64::MIN), (0, i64::MAX)] {
            let t = Transition {
                state: ServiceState::Rebalancing,
                started_ms: start,
                done_ms: done,
                previous_nodes: 1,
            };
            for now in [i64::MIN, -1, 0, i64::MAX] {
                let p = t.progress(now);
                assert!((0.0..=1.0).contains(&p), "{p}");
                service_state(true, Some(&t), now);
                assert!(node_states("s", 2, true, Some(&t), now).len() <= 3);
            }
        }
        let t = Transition::new(ServiceState::Rebuilding, i64::MAX, Duration::MAX, 0);
        assert_eq!(t.done_ms, i64::MAX);
    }

    #[test]
    fn instant_transitions_are_done_at_once() {
        let t = Transition::new(ServiceState::Rebuilding, 5, Duration::ZERO, 0);
        assert_eq!(service_state(true, Some(&t), 5), ServiceState::Running);
        assert_eq!(topic_state(5, 5), "ACTIVE");
        assert_eq!(topic_state(6, 5), "CONFIGURING");
    }
}
