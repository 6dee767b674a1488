//! Decoding that survives a server disagreeing with its description.
//!
//! Every JSON response is decoded strictly first, exactly as progenitor
//! would (`serde_json::from_slice`), at unchanged speed. Only when that fails
//! on the *data* (a value of the wrong JSON type; malformed JSON still fails)
//! is the body decoded a second time, leniently: each `Option` field of a
//! response struct (the written-out impls of [`crate::decode`] decode them
//! with [`field_named`]; a struct that kept serde's derive marks them with
//! `#[serde(deserialize_with = "crate::lenient::field::<N, _, _>")]`) whose
//! value does not decode becomes `None`, and the raw value is kept in the
//! same struct's flattened `extra` map under the field's own wire name
//! (`service.extra["acl"]`), where serializing the struct puts it back in
//! place. The rest of the answer decodes. Each such field is reported by one
//! `tracing` warning naming the operation and the field's path (never its
//! value, which may be a secret); past [`WARNING_CAP`] fields one summary
//! warning counts the rest.
//!
//! How a field finds its struct's `extra`: a response struct decodes its
//! named fields as their keys come and finishes its `extra` last (serde's
//! derive for a flattened field does the same). In lenient mode a field that
//! fails records `(depth, name, raw value)` on a thread-local stack, and the
//! `extra` of the struct at that depth ([`take_set_aside`], or [`extra`]
//! under the derive) takes the records of its own depth into its map. Nested
//! structs are one level deeper (each lenient field counts one), drain their
//! own records before their parent field returns, and a nested value that
//! fails as a whole discards its nested records (the whole raw value is kept
//! one level up).
//!
//! Bounds: the lenient pass runs once, only after a strict failure, in time
//! linear in the body (times the nesting depth of the types, which is small);
//! the raw values kept are parts of the body; at most [`WARNING_CAP`] field
//! paths are kept for warnings, however many fields disagree.

use std::cell::{Cell, RefCell};

use progenitor_client::{Error, ResponseValue};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// How many disagreeing fields are warned about one by one; the rest of one
/// response are counted in a single summary warning.
pub const WARNING_CAP: usize = 10;

thread_local! {
    /// Whether this thread is in a lenient decode. Read by every marked
    /// field: a `const` thread-local `Cell<bool>` costs one load.
    static LENIENT: Cell<bool> = const { Cell::new(false) };
    static STATE: RefCell<State> = RefCell::new(State::default());
}

/// One field that did not decode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// The field's path from the top of the body: wire names joined by `.`
    /// (positions in lists are not counted).
    pub path: String,
    /// The JSON type of the value received (`string`, `array`, …).
    pub received: &'static str,
}

/// What a lenient decode set aside.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// The first [`WARNING_CAP`] fields that did not decode.
    pub first: Vec<Mismatch>,
    /// How many fields did not decode in all.
    pub total: usize,
}

#[derive(Default)]
struct State {
    /// Nesting of lenient fields being decoded.
    depth: usize,
    /// Fields that failed, waiting for their struct's `extra`.
    pending: Vec<(usize, &'static str, Value)>,
    /// Wire names of the lenient fields being decoded, outermost first.
    path: Vec<&'static str>,
    report: Report,
}

/// Wire names of the generated structs' lenient fields, indexed by the `N`
/// of [`field`] (a table the generated code defines).
fn name(index: usize) -> &'static str {
    crate::LENIENT_FIELD_NAMES
        .get(index)
        .copied()
        .unwrap_or("?")
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// An `Option` field of a generated response struct. Strictly (the usual
/// case) `Option::<T>::deserialize`; in a lenient decode, a value that does
/// not decode as `T` becomes `None` and is kept for the struct's [`extra`].
#[doc(hidden)]
#[inline]
pub fn field<'de, const N: usize, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    field_named(name(N), deserializer)
}

/// [`field`] by wire name (the written-out impls of `crate::decode` know it).
#[doc(hidden)]
#[inline]
pub fn field_named<'de, D, T>(field: &'static str, deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    if !LENIENT.get() {
        return Option::<T>::deserialize(deserializer);
    }
    lenient_field::<D, T>(field, deserializer)
}

/// [`field_named`] in a lenient decode: out of line, so the strict path
/// every answer takes stays one flag load and the plain decode.
#[cold]
#[inline(never)]
fn lenient_field<'de, D, T>(field: &'static str, deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let raw = Value::deserialize(deserializer)?;
    let mark = STATE.with_borrow_mut(|s| {
        s.depth += 1;
        s.path.push(field);
        s.pending.len()
    });
    let decoded = Option::<T>::deserialize(&raw);
    STATE.with_borrow_mut(|s| {
        s.depth -= 1;
        match decoded {
            Ok(value) => {
                s.path.pop();
                Ok(value)
            }
            Err(_) => {
                // Whatever the failed value's own fields set aside is part
                // of `raw`, kept whole.
                s.pending.truncate(mark);
                s.report.total += 1;
                if s.report.first.len() < WARNING_CAP {
                    let path = s.path.join(".");
                    s.report.first.push(Mismatch {
                        path,
                        received: kind(&raw),
                    });
                }
                s.path.pop();
                let depth = s.depth;
                s.pending.push((depth, field, raw));
                Ok(None)
            }
        }
    })
}

/// The flattened `extra` map of a generated response struct: in a lenient
/// decode, it also takes the raw values of this struct's fields that did not
/// decode, under their wire names.
#[doc(hidden)]
pub fn extra<'de, D>(deserializer: D) -> Result<Map<String, Value>, D::Error>
where
    D: Deserializer<'de>,
{
    let mut map = Map::deserialize(deserializer)?;
    take_set_aside(&mut map);
    Ok(map)
}

/// Moves the raw values of the fields of the struct being finished that did
/// not decode (in a lenient decode) into its `extra` map.
#[doc(hidden)]
#[inline]
pub fn take_set_aside(map: &mut Map<String, Value>) {
    if LENIENT.get() {
        STATE.with_borrow_mut(|s| {
            while s.pending.last().is_some_and(|(d, _, _)| *d == s.depth) {
                let (_, name, raw) = s.pending.pop().expect("checked");
                map.insert(name.to_owned(), raw);
            }
        });
    }
}

/// Resets the lenient state when a lenient decode ends, even by a panic.
struct LenientPass;

impl LenientPass {
    fn start() -> Self {
        STATE.with_borrow_mut(|s| *s = State::default());
        LENIENT.set(true);
        LenientPass
    }
}

impl Drop for LenientPass {
    fn drop(&mut self) {
        LENIENT.set(false);
        STATE.with_borrow_mut(|s| *s = State::default());
    }
}

/// Decodes `body` as `T`: strictly, and if a value of the wrong type fails
/// that, leniently (see the module documentation). The report says what the
/// lenient pass set aside (empty when the strict decode succeeded). When the
/// lenient pass fails too, the error is the strict one.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> serde_json::Result<(T, Report)> {
    match serde_json::from_slice(body) {
        Ok(value) => Ok((value, Report::default())),
        Err(strict) if strict.is_data() => {
            let pass = LenientPass::start();
            let decoded = serde_json::from_slice(body);
            let report = STATE.with_borrow_mut(|s| std::mem::take(&mut s.report));
            drop(pass);
            decoded.map(|value| (value, report)).map_err(|_| strict)
        }
        Err(e) => Err(e),
    }
}

/// [`decode`], warning once per field set aside (at most [`WARNING_CAP`],
/// then one summary) with the operation's id.
pub fn decode_logged<T: DeserializeOwned>(body: &[u8], operation: &str) -> serde_json::Result<T> {
    let (value, report) = decode(body)?;
    if report.total > 0 {
        warn(operation, &report);
    }
    Ok(value)
}

fn warn(operation: &str, report: &Report) {
    // Hooks and tables name operations by client method; users search for
    // the operationId.
    let operation_id =
        crate::operation_by_method(operation).map_or(operation, |op| op.operation_id);
    for m in &report.first {
        tracing::warn!(
            operation_id,
            field = %m.path,
            received = m.received,
            "response field disagrees with the API description: decoded as absent, \
             the raw value kept in `extra` under its name"
        );
    }
    let more = report.total - report.first.len();
    if more > 0 {
        tracing::warn!(
            operation_id,
            more,
            total = report.total,
            "{more} more response fields disagree with the API description (not listed one by one)"
        );
    }
}

/// What the generated client calls instead of progenitor's
/// `ResponseValue::from_response`: the same, decoding with [`decode_logged`].
#[doc(hidden)]
pub async fn from_response<T: DeserializeOwned, E>(
    response: reqwest::Response,
    operation: &'static str,
) -> Result<ResponseValue<T>, Error<E>> {
    let status = response.status();
    let headers = response.headers().clone();
    let full = response.bytes().await.map_err(Error::ResponseBodyError)?;
    let inner =
        decode_logged(&full, operation).map_err(|e| Error::InvalidResponsePayload(full, e))?;
    Ok(ResponseValue::new(inner, status, headers))
}
