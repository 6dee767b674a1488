//! The request journal (in the spirit of WireMock's): the last requests the
//! simulator answered under `/v1`, with their operation, status and
//! (redacted) body, for assertions in tests ([`crate::SimHandle::journal`])
//! and for `GET /_sim/journal`.
//!
//! It is a ring buffer of [`DEFAULT_CAPACITY`] entries: the oldest are
//! forgotten first (and counted in [`Journal::evicted`]). Bodies are kept
//! up to [`MAX_KEPT_BODY_BYTES`]. What it keeps is masked by the one
//! redaction of the Aiven crates (`aiven-redact`, the rule and masking
//! `aiven_api::redact` uses): the values of secret-named properties
//! (`password`, `*_token`, `client_secret`, …) are replaced by
//! [`REDACTED`], URIs in any string lose their password and secret query
//! parameters, and the path and query string are masked likewise
//! (`download_cookie` path segments, `?password=`).

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::clock::Millis;

pub use aiven_redact::REDACTED;

/// How many entries the journal keeps by default.
pub const DEFAULT_CAPACITY: usize = 10_000;

/// Request bodies larger than this are not kept (only their size), so a
/// full journal holds at most a few hundred MB even of maximal bodies.
pub const MAX_KEPT_BODY_BYTES: usize = 64 * 1024;

/// One answered request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// Position since the simulator started (or the journal was cleared: it
    /// is not reset), from 1.
    pub seq: u64,
    /// The simulator's clock when the request arrived (ms since the epoch).
    pub time_ms: Millis,
    /// `GET`, `POST`, …
    pub method: String,
    /// The path as sent (`/v1/project/p/service`).
    pub path: String,
    /// The query string, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// The operation it matched (`None`: outside the description).
    pub operation_id: Option<String>,
    /// The status answered.
    pub status: u16,
    /// The request body: JSON with secrets redacted, `null` when empty, or a
    /// string saying why it is not shown (not JSON, too large).
    pub request_body: Value,
    /// How long answering took, in milliseconds.
    pub latency_ms: f64,
}

/// A copy of the journal, oldest entry first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Journal {
    /// The entries.
    pub entries: Vec<JournalEntry>,
    /// Entries forgotten because the journal was full.
    pub evicted: u64,
}

impl Journal {
    /// The entries for `operation_id`.
    pub fn operation<'a>(
        &'a self,
        operation_id: &'a str,
    ) -> impl Iterator<Item = &'a JournalEntry> {
        self.entries
            .iter()
            .filter(move |e| e.operation_id.as_deref() == Some(operation_id))
    }

    /// The statuses answered to `operation_id`, in order.
    pub fn statuses(&self, operation_id: &str) -> Vec<u16> {
        self.operation(operation_id).map(|e| e.status).collect()
    }

    /// The most recent entry.
    pub fn last(&self) -> Option<&JournalEntry> {
        self.entries.last()
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The ring buffer.
#[derive(Debug)]
pub(crate) struct Recorder {
    inner: Mutex<Ring>,
}

#[derive(Debug)]
struct Ring {
    capacity: usize,
    entries: VecDeque<JournalEntry>,
    next_seq: u64,
    evicted: u64,
}

impl Recorder {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Ring {
                capacity,
                entries: VecDeque::new(),
                next_seq: 1,
                evicted: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Ring> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds an entry (its `seq` is assigned here).
    pub(crate) fn record(&self, mut entry: JournalEntry) {
        let mut r = self.lock();
        if r.capacity == 0 {
            return;
        }
        entry.seq = r.next_seq;
        r.next_seq += 1;
        if r.entries.len() == r.capacity {
            r.entries.pop_front();
            r.evicted += 1;
        }
        r.entries.push_back(entry);
    }

    /// A copy of the entries that pass `keep`, the last `limit` of them.
    pub(crate) fn snapshot(
        &self,
        keep: impl Fn(&JournalEntry) -> bool,
        limit: Option<usize>,
    ) -> Journal {
        let r = self.lock();
        let mut entries: Vec<JournalEntry> =
            r.entries.iter().filter(|e| keep(e)).cloned().collect();
        if let Some(n) = limit {
            entries.drain(..entries.len().saturating_sub(n));
        }
        Journal {
            entries,
            evicted: r.evicted,
        }
    }

    /// Forgets every entry (sequence numbers go on).
    pub(crate) fn clear(&self) {
        let mut r = self.lock();
        r.entries.clear();
        r.evicted = 0;
    }
}

/// The body as the journal keeps it.
pub(crate) fn body_for_journal(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    if bytes.len() > MAX_KEPT_BODY_BYTES {
        return Value::String(format!("({} bytes, not kept)", bytes.len()));
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(mut v) => {
            redact(&mut v);
            v
        }
        Err(_) => Value::String(format!("({} bytes, not JSON)", bytes.len())),
    }
}

/// Masks, in place, the values of secret-named keys (whatever their type)
/// and URIs in every string, at any depth.
pub fn redact(v: &mut Value) {
    aiven_redact::redact_in_place(v);
}

/// `path` (`/v1/…`), answered by the operation whose path template (under
/// `/v1`) is `template`, as the journal and the request log show it: the
/// segments of sensitive parameters (`download_cookie`) masked.
pub fn shown_path(path: &str, template: Option<&str>) -> String {
    match template {
        Some(t) => aiven_redact::path(path, t).into_owned(),
        None => path.to_owned(),
    }
}

/// A query string as the journal keeps it: secret-named parameters masked.
pub fn shown_query(query: &str) -> String {
    aiven_redact::query(query).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(op: &str, status: u16) -> JournalEntry {
        JournalEntry {
            seq: 0,
            time_ms: 0,
            method: "GET".into(),
            path: "/v1/x".into(),
            query: None,
            operation_id: Some(op.into()),
            status,
            request_body: Value::Null,
            latency_ms: 0.0,
        }
    }

    #[test]
    fn ring_keeps_the_last_entries_and_counts_the_rest() {
        let r = Recorder::new(3);
        for i in 0..5 {
            r.record(entry(if i % 2 == 0 { "A" } else { "B" }, 200 + i));
        }
        let j = r.snapshot(|_| true, None);
        assert_eq!(j.evicted, 2);
        assert_eq!(
            j.entries.iter().map(|e| e.seq).collect::<Vec<_>>(),
            [3, 4, 5]
        );
        assert_eq!(j.statuses("A"), [202, 204]);
        let last = r.snapshot(|e| e.operation_id.as_deref() == Some("A"), Some(1));
        assert_eq!(last.entries.len(), 1);
        assert_eq!(last.entries[0].status, 204);
        r.clear();
        assert!(r.snapshot(|_| true, None).is_empty());
        r.record(entry("A", 200));
        assert_eq!(r.snapshot(|_| true, None).entries[0].seq, 6);
    }

    #[test]
    fn secrets_are_redacted_at_any_depth() {
        let body = json!({
            "username": "alice",
            "password": "hunter2",
            "new_password": "s3cret",
            "password_strength": "weak",
            "user_config": {"kafka_connect_secret_providers": [{"aws": {"secret_key": "k"}}],
                            "service_uri": "postgres://avnadmin:pw@host:5432/db?sslmode=require",
                            "access_token": null},
            "tags": [{"key": "auth_token", "value": "v"}],
        });
        let mut v = body.clone();
        redact(&mut v);
        assert_eq!(v["username"], "alice");
        assert_eq!(v["password"], REDACTED);
        assert_eq!(v["new_password"], REDACTED);
        assert_eq!(v["password_strength"], "weak");
        assert_eq!(
            v["user_config"]["kafka_connect_secret_providers"][0]["aws"]["secret_key"],
            REDACTED
        );
        assert_eq!(
            v["user_config"]["service_uri"],
            format!("postgres://avnadmin:{REDACTED}@host:5432/db?sslmode=require")
        );
        assert_eq!(v["user_config"]["access_token"], Value::Null);
        // A tag whose *key* names a token is data, not a secret.
        assert_eq!(v["tags"][0]["value"], "v");
        assert!(!v.to_string().contains("hunter2"));
    }

    #[test]
    fn bodies_not_kept() {
        assert_eq!(body_for_journal(b""), Value::Null);
        assert_eq!(body_for_journal(b"{x"), json!("(2 bytes, not JSON)"));
        let big = vec![b' '; MAX_KEPT_BODY_BYTES + 1];
        assert!(body_for_journal(&big)
            .as_str()
            .unwrap()
            .contains("not kept"));
    }
}
