//! Identifiers inside Rust type strings (`Option<Vec<Cloud>>`): the text
//! helpers both the comparison and the rename detection use.

use std::collections::BTreeMap;

/// The identifiers of a type string.
pub(super) fn idents(ty: &str) -> impl Iterator<Item = &str> {
    ty.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|s| !s.is_empty())
}

/// Replaces whole identifiers of `text` found in `renames`.
pub(super) fn rename_idents(text: &str, renames: &BTreeMap<String, String>) -> String {
    if renames.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut ident = String::new();
    let flush = |ident: &mut String, out: &mut String| {
        out.push_str(renames.get(ident.as_str()).unwrap_or(ident));
        ident.clear();
    };
    for c in text.chars() {
        if c.is_alphanumeric() || c == '_' {
            ident.push(c);
        } else {
            flush(&mut ident, &mut out);
            out.push(c);
        }
    }
    flush(&mut ident, &mut out);
    out
}
