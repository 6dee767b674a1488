//! Caps on the size of the objects a request body (or a restored snapshot)
//! may bring into the state.
//!
//! The description puts no bound on `user_config`, `tags` or a
//! connector's `config`: their schemas take any properties. A create with
//! 60,000 `user_config` keys fits in a 1 MiB body and would be stored,
//! saved, and rendered in every later answer about the service; Aiven
//! refuses such a request (its user-config schemas name each key). So:
//!
//! * every JSON object of a body has at most [`MAX_OBJECT_KEYS`] members;
//! * a `user_config` (every level of it) has at most
//!   [`MAX_USER_CONFIG_KEYS`] keys in all; the largest real one (Kafka's,
//!   with every `kafka.*` setting) has a few hundred.
//!
//! Beyond, the answer is 400 with `error_code` `simulator_limit_exceeded`
//! and the JSON pointer of the object, before the handler runs.

use serde_json::Value;

use crate::error::ApiError;

/// Members of one JSON object in a request body.
pub const MAX_OBJECT_KEYS: usize = 1_000;

/// Keys of a `user_config`, counting those of its nested objects.
pub const MAX_USER_CONFIG_KEYS: usize = 1_000;

/// What is wrong, naming the object by its JSON pointer.
fn over(what: String) -> ApiError {
    ApiError::bad_request(what).code("simulator_limit_exceeded")
}

/// Every key of `v` and of the objects under it.
pub fn count_keys(v: &Value) -> usize {
    let mut n = 0;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(o) => {
                n += o.len();
                stack.extend(o.values());
            }
            Value::Array(a) => stack.extend(a.iter()),
            _ => {}
        }
    }
    n
}

/// The first object of `v` with more than [`MAX_OBJECT_KEYS`] members: its
/// JSON pointer (relative to `at`) and size. Iterative: bodies may nest.
fn oversized_object(v: &Value, at: &str) -> Option<(String, usize)> {
    let mut stack = vec![(v, at.to_string())];
    while let Some((v, path)) = stack.pop() {
        match v {
            Value::Object(o) => {
                if o.len() > MAX_OBJECT_KEYS {
                    return Some((path, o.len()));
                }
                for (k, child) in o {
                    let k = k.replace('~', "~0").replace('/', "~1");
                    stack.push((child, format!("{path}/{k}")));
                }
            }
            Value::Array(a) => {
                for (i, child) in a.iter().enumerate() {
                    stack.push((child, format!("{path}/{i}")));
                }
            }
            _ => {}
        }
    }
    None
}

/// Checks one value bound for the state: no object over
/// [`MAX_OBJECT_KEYS`] members and, if `user_config`, at most
/// [`MAX_USER_CONFIG_KEYS`] keys in all. `at` names it in the message.
pub fn check_value(v: &Value, at: &str, user_config: bool) -> Result<(), String> {
    if user_config {
        let n = count_keys(v);
        if n > MAX_USER_CONFIG_KEYS {
            return Err(format!(
                "{at} has {n} keys: at most {MAX_USER_CONFIG_KEYS} are accepted \
                 (counting those of its nested objects)"
            ));
        }
    }
    if let Some((path, n)) = oversized_object(v, at) {
        let path = if path.is_empty() { "/" } else { &path };
        return Err(format!(
            "{path} has {n} members: at most {MAX_OBJECT_KEYS} per object are accepted"
        ));
    }
    Ok(())
}

/// Checks a request body (after it parsed): see the module.
pub fn check_body(body: &Value) -> Result<(), ApiError> {
    if let Some(uc) = body.get("user_config") {
        check_value(uc, "/user_config", true).map_err(over)?;
    }
    check_value(body, "", false).map_err(over)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Map};

    fn object(n: usize) -> Value {
        Value::Object(
            (0..n)
                .map(|i| (format!("k{i}"), json!(i)))
                .collect::<Map<_, _>>(),
        )
    }

    #[test]
    fn objects_and_user_configs_are_capped() {
        assert!(check_body(&json!({"user_config": object(MAX_USER_CONFIG_KEYS)})).is_ok());
        let e = check_body(&json!({"user_config": object(60_000)})).unwrap_err();
        assert_eq!(e.status.as_u16(), 400);
        assert!(
            e.message.contains("/user_config has 60000 keys"),
            "{}",
            e.message
        );
        // Nested keys count toward the user_config's total.
        let nested = json!({"user_config": {"a": object(600), "b": object(600)}});
        let e = check_body(&nested).unwrap_err();
        assert!(e.message.contains("1202 keys"), "{}", e.message);
        // Elsewhere, any one object over the cap is named by its pointer.
        let e = check_body(&json!({"x": [{"a/b": object(1_001)}]})).unwrap_err();
        assert!(
            e.message.contains("/x/0/a~1b has 1001 members"),
            "{}",
            e.message
        );
        assert!(check_body(&json!({"tags": object(1_000)})).is_ok());
    }
}
