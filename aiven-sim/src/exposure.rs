//! A warning when the simulator listens beyond loopback without tokens:
//! then anyone who can reach the port reads the whole state, service
//! passwords included (`GET /_sim/state`), and can wipe it
//! (`POST /_sim/reset`). Allowed (a simulator in a container or on a test
//! network is a real use), but said out loud at start.

use std::net::SocketAddr;

/// The warning for listening on `addr` (`None`: loopback, or tokens are
/// configured).
pub fn exposure_warning(addr: SocketAddr, has_tokens: bool) -> Option<String> {
    if has_tokens || addr.ip().is_loopback() {
        return None;
    }
    Some(format!(
        "aiven-sim listens on {addr}, beyond loopback, and accepts any token: anyone who \
         can reach it can read the whole state, service passwords included (GET /_sim/state), \
         and reset it; configure tokens (--token, SimulatorBuilder::token) or listen on \
         127.0.0.1"
    ))
}

/// Logs the warning (tracing and stderr, which a log filter cannot hide).
pub(crate) fn warn_if_exposed(addr: SocketAddr, has_tokens: bool) {
    if let Some(w) = exposure_warning(addr, has_tokens) {
        tracing::warn!("{w}");
        eprintln!("warning: {w}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_open_non_loopback_listeners_warn() {
        let at = |s: &str| s.parse::<SocketAddr>().unwrap();
        assert_eq!(exposure_warning(at("127.0.0.1:8080"), false), None);
        assert_eq!(exposure_warning(at("[::1]:8080"), false), None);
        assert_eq!(exposure_warning(at("0.0.0.0:8080"), true), None);
        for open in ["0.0.0.0:8080", "[::]:8080", "192.168.1.5:80"] {
            let w = exposure_warning(at(open), false).unwrap();
            assert!(w.contains(open) && w.contains("passwords"), "{w}");
        }
    }
}
