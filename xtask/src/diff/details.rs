//! Human-readable differences between two normalized schemas, one line per
//! difference: `+.a.b` (property added), `-.a.b` (removed), and
//! `~.a.b keyword: old → new` (changed; `required` and `enum` as `+x -y`).
//! `[]` steps into `items`, `{}` into `additionalProperties`, and `(root)` is
//! the schema itself.

use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// Values longer than this (both sides together) are not spelled out.
const MAX_SHOWN_VALUE_CHARS: usize = 80;

/// The differences between `old` and `new`, empty when they are equal.
pub fn schema_details(old: &Value, new: &Value) -> Vec<String> {
    let mut out = Vec::new();
    diff_schema("", old, new, &mut out);
    out
}

fn diff_schema(path: &str, old: &Value, new: &Value, out: &mut Vec<String>) {
    if old == new {
        return;
    }
    match (old.as_object(), new.as_object()) {
        (Some(old), Some(new)) => diff_keywords(path, old, new, out),
        _ => out.push(format!("~{}{}", show(path), change_suffix(old, new))),
    }
}

fn diff_keywords(
    path: &str,
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    out: &mut Vec<String>,
) {
    for key in union_keys(old, new) {
        match (old.get(key), new.get(key)) {
            (Some(a), Some(b)) => diff_keyword(path, key, a, b, out),
            (None, Some(b)) => out.push(format!("+{} {key}{}", show(path), value_suffix(b))),
            (Some(_), None) => out.push(format!("-{} {key}", show(path))),
            (None, None) => {}
        }
    }
}

fn diff_keyword(path: &str, key: &str, old: &Value, new: &Value, out: &mut Vec<String>) {
    if old == new {
        return;
    }
    match key {
        "properties" => diff_properties(path, old, new, out),
        "items" => diff_schema(&format!("{path}[]"), old, new, out),
        "additionalProperties" => diff_schema(&format!("{path}{{}}"), old, new, out),
        "required" | "enum" => out.push(format!("~{} {key}: {}", show(path), set_change(old, new))),
        "allOf" | "anyOf" | "oneOf" => diff_variants(path, key, old, new, out),
        _ => out.push(format!("~{} {key}{}", show(path), change_suffix(old, new))),
    }
}

fn diff_properties(path: &str, old: &Value, new: &Value, out: &mut Vec<String>) {
    let (Some(old), Some(new)) = (old.as_object(), new.as_object()) else {
        out.push(format!(
            "~{} properties{}",
            show(path),
            change_suffix(old, new)
        ));
        return;
    };
    for name in union_keys(old, new) {
        let child = format!("{path}.{name}");
        match (old.get(name), new.get(name)) {
            (Some(a), Some(b)) => diff_schema(&child, a, b, out),
            (None, Some(_)) => out.push(format!("+{child}")),
            (Some(_), None) => out.push(format!("-{child}")),
            (None, None) => {}
        }
    }
}

fn diff_variants(path: &str, key: &str, old: &Value, new: &Value, out: &mut Vec<String>) {
    match (old.as_array(), new.as_array()) {
        (Some(a), Some(b)) if a.len() == b.len() => {
            for (i, (a, b)) in a.iter().zip(b).enumerate() {
                diff_schema(&format!("{path}.{key}[{i}]"), a, b, out);
            }
        }
        _ => out.push(format!("~{} {key}{}", show(path), change_suffix(old, new))),
    }
}

fn union_keys<'a>(
    old: &'a Map<String, Value>,
    new: &'a Map<String, Value>,
) -> BTreeSet<&'a String> {
    old.keys().chain(new.keys()).collect()
}

fn show(path: &str) -> &str {
    if path.is_empty() {
        "(root)"
    } else {
        path
    }
}

/// `+a -b` for two arrays compared as sets.
fn set_change(old: &Value, new: &Value) -> String {
    let empty = Vec::new();
    let old = old.as_array().unwrap_or(&empty);
    let new = new.as_array().unwrap_or(&empty);
    let added = new
        .iter()
        .filter(|v| !old.contains(v))
        .map(|v| format!("+{}", label(v)));
    let removed = old
        .iter()
        .filter(|v| !new.contains(v))
        .map(|v| format!("-{}", label(v)));
    let parts: Vec<String> = added.chain(removed).collect();
    if parts.is_empty() {
        "reordered".to_owned()
    } else {
        parts.join(" ")
    }
}

/// A value for display: strings bare, anything else as JSON.
pub fn label(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned)
}

fn change_suffix(old: &Value, new: &Value) -> String {
    let (old, new) = (old.to_string(), new.to_string());
    if old.len() + new.len() <= MAX_SHOWN_VALUE_CHARS {
        format!(": {old} → {new}")
    } else {
        " changed".to_owned()
    }
}

fn value_suffix(value: &Value) -> String {
    let text = value.to_string();
    if text.len() <= MAX_SHOWN_VALUE_CHARS {
        format!(": {text}")
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_property_keyword_and_required_changes() {
        let old = json!({ "type": "object", "required": ["a"], "properties": {
            "a": { "type": "string", "maxLength": 64 },
            "gone": { "type": "string" },
            "list": { "type": "array", "items": { "type": "string" } } } });
        let new = json!({ "type": "object", "required": ["a", "b"], "properties": {
            "a": { "type": "string", "maxLength": 128 },
            "b": { "type": "integer" },
            "list": { "type": "array", "items": { "type": "integer", "minimum": 0 } } } });
        let expected = [
            "~.a maxLength: 64 → 128",
            "+.b",
            "-.gone",
            "+.list[] minimum: 0",
            "~.list[] type: \"string\" → \"integer\"",
            "~(root) required: +b",
        ];
        assert_eq!(schema_details(&old, &new), expected);
    }

    #[test]
    fn equal_schemas_have_no_details() {
        let schema = json!({ "type": "string" });
        assert!(schema_details(&schema, &schema).is_empty());
    }
}
