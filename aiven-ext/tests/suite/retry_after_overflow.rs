//! Issue 9: a server cannot panic the client through `Retry-After`, and a
//! delay longer than the retry budget ends the retries at once. Against a
//! tiny loopback server that answers any header value.

use std::time::Duration;

use crate::tiny::{response, Tiny};
use aiven_ext::{AivenClient, Error};

/// `429 Retry-After: 1`, then a `Retry-After` no duration arithmetic can
/// hold: the client used to panic ("overflow when adding durations").
#[tokio::test]
async fn absurd_retry_after_neither_panics_nor_waits() {
    for absurd in [
        "18446744073709551615",
        "99999999999999999999999999999",
        "Fri, 31 Dec 9999 23:59:59 GMT",
    ] {
        let server = Tiny::start(move |n, _| {
            let after = if n == 0 { "1" } else { absurd };
            response(
                "429 Too Many Requests",
                &[("retry-after", after)],
                r#"{"message": "slow down"}"#,
            )
        });
        let client = AivenClient::builder()
            .base_url(server.base_url())
            .token("t0ken")
            .build()
            .unwrap();
        let e = client.get_service("acme", "pg-1").await.unwrap_err();
        assert!(e.is_rate_limited(), "{absurd}: {e:?}");
        // The first delay (1 s) is honoured, the second exceeds the budget:
        // two requests, no third (the test returning at all shows no sleep of
        // the absurd length and no overflow panic; timings belong in benches).
        assert_eq!(server.count(), 2, "{absurd}");
        let Error::Api(api) = e else { unreachable!() };
        assert_eq!(api.attempts, 2, "{absurd}");
        assert!(api
            .retry_after
            .is_some_and(|d| d <= Duration::from_secs(86_400)));
    }
}
