//! Secrets in text this crate prints. Interim: replaced by the shared rule
//! of `aiven_api::redact` (the same one as the generated types' `Debug`).

use std::borrow::Cow;

const REDACTED: &str = "** redacted **";

/// `s` with the password of any `scheme://user:password@` masked.
pub(crate) fn url(s: &str) -> Cow<'_, str> {
    let Some(scheme_end) = s.find("://") else {
        return Cow::Borrowed(s);
    };
    let rest = &s[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return Cow::Borrowed(s);
    };
    let userinfo = &authority[..at];
    let user = userinfo.split(':').next().unwrap_or_default();
    Cow::Owned(format!(
        "{}{user}:{REDACTED}{}",
        &s[..scheme_end + 3],
        &s[scheme_end + 3 + at..]
    ))
}

/// `s` with URL passwords masked.
pub(crate) fn text(s: &str) -> String {
    url(s).into_owned()
}
