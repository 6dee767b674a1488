//! Masking in text: URIs (userinfo, query parameters) wherever they stand,
//! and text that may be JSON cut anywhere. Linear in the input, never
//! panics, never recurses.

use std::borrow::Cow;

use crate::{is_secret, REDACTED};

/// Bytes that end a URI in running text (a URI's own are percent-encoded).
fn ends_uri(b: u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'<' | b'>' | b'`')
}

/// `text` with every URI in it masked: the password of a
/// `scheme://user:password@` (the user stays: it says which account), a
/// user without a password (`https://<token>@host`: it may be a token),
/// and the values of secret-named query parameters
/// (`…?user=avnadmin&password=…`, `X-Amz-Signature=…`) — also after `#`,
/// and also in a path or query shown without its scheme.
///
/// The userinfo is taken to run to the *last* `@` of the URI: a server that
/// leaves `/`, `?`, `#` or `@` unencoded in a password must not have the
/// rest of it shown. An address in a later path or query hides what lies
/// between (shown masked, never whole).
pub fn url(text: &str) -> Cow<'_, str> {
    mask(text, false)
}

/// `query` (a query string without its `?`, as the simulator's journal
/// keeps it) with the values of secret-named parameters masked.
pub fn query(query: &str) -> Cow<'_, str> {
    let mut out = Masker::new(query);
    out.pairs(0, query.len());
    out.finish()
}

/// [`url`]; `cut`: the text was cut short, so a URI running to its end
/// without an `@` may be a password cut before it.
pub(crate) fn mask(text: &str, cut: bool) -> Cow<'_, str> {
    match userinfo(text, cut) {
        Cow::Borrowed(t) => queries(t),
        Cow::Owned(t) => Cow::Owned(queries(&t).into_owned()),
    }
}

/// Copies `text` into `out` lazily: only once something is masked.
struct Masker<'a> {
    text: &'a str,
    out: String,
    /// Bytes of `text` already in `out`.
    copied: usize,
}

impl<'a> Masker<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            out: String::new(),
            copied: 0,
        }
    }

    /// Replaces `text[from..to]` by [`REDACTED`], unless it is masked
    /// already (so that masking twice changes nothing).
    fn replace(&mut self, from: usize, to: usize) {
        if from >= to || from < self.copied || self.text[from..].starts_with(REDACTED) {
            return;
        }
        self.out.push_str(&self.text[self.copied..from]);
        self.out.push_str(REDACTED);
        self.copied = to;
    }

    /// Masks the values of secret-named `key=value` pairs in
    /// `text[start..end]` (separated by `&`, `;`, `?` or `#`).
    fn pairs(&mut self, start: usize, end: usize) {
        let mut pair_start = start;
        while pair_start < end {
            let pair_end = self.text[pair_start..end]
                .find(['&', ';', '?', '#'])
                .map_or(end, |n| pair_start + n);
            let pair = &self.text[pair_start..pair_end];
            if let Some(eq) = pair.find('=') {
                if is_secret(&percent_decode(&pair[..eq])) {
                    self.replace(pair_start + eq + 1, pair_end);
                }
            }
            pair_start = pair_end + 1;
        }
    }

    fn finish(mut self) -> Cow<'a, str> {
        if self.copied == 0 {
            return Cow::Borrowed(self.text);
        }
        self.out.push_str(&self.text[self.copied..]);
        Cow::Owned(self.out)
    }
}

/// The userinfo of every `scheme://…` in `text` masked (see [`url`]).
fn userinfo(text: &str, cut: bool) -> Cow<'_, str> {
    let mut m = Masker::new(text);
    let mut from = 0;
    // The run of URI characters around the current `://` and its last `@`,
    // found once for every `://` in it (else `a://b:c` repeated would be
    // scanned to its end once per repetition).
    let (mut end, mut last_at) = (0, None);
    while let Some(found) = text[from..].find("://") {
        let start = from + found + 3;
        if start > end {
            end = text[start..]
                .bytes()
                .position(ends_uri)
                .map_or(text.len(), |n| start + n);
            last_at = text[start..end].rfind('@').map(|n| start + n);
        }
        let token = &text[start..end];
        // `host[:port]`, or the start of a userinfo (it ends at the next
        // `://` at the latest, so this stays linear).
        let first_len = token.find(['/', '?', '#', '@']).unwrap_or(token.len());
        let first = &token[..first_len];
        let colon = first.find(':').filter(|_| !first.starts_with('['));
        let at = last_at.filter(|&a| a >= start).map(|a| a - start);
        // What follows a `:` is a port when it is digits; a text cut short
        // may have cut a password that began with digits.
        let may_be_password = colon.is_some_and(|c| {
            let after = &first[c + 1..];
            (cut && end == text.len() && at.is_none()) || !after.bytes().all(|b| b.is_ascii_digit())
        });
        let starts_with_userinfo = token.as_bytes().get(first_len) == Some(&b'@');
        let masked = match (at, colon) {
            (Some(at), Some(c)) if may_be_password || starts_with_userinfo => Some((c + 1, at)),
            (Some(at), None) if starts_with_userinfo => Some((0, at)),
            // `user:pass` without its `@` (cut short, or not sent whole).
            (None, Some(c)) if may_be_password => Some((c + 1, token.len())),
            _ => None,
        };
        match masked {
            Some((mask_from, mask_to)) => {
                m.replace(start + mask_from, start + mask_to);
                from = start + mask_to.max(mask_from);
            }
            None => from = start + first_len,
        }
        // `from` may sit inside a placeholder just written: step over it.
        if text[from..].starts_with(REDACTED) {
            from += REDACTED.len();
        }
    }
    m.finish()
}

/// The values of secret-named query (and fragment) parameters masked in
/// every `?…` and `#…` run of `text`.
fn queries(text: &str) -> Cow<'_, str> {
    let mut m = Masker::new(text);
    let mut from = 0;
    while let Some(found) = text[from..].find(['?', '#']) {
        let start = from + found + 1;
        let end = text[start..]
            .bytes()
            .position(ends_uri)
            .map_or(text.len(), |n| start + n);
        m.pairs(start, end);
        from = end.max(start);
    }
    m.finish()
}

/// `%XX` escapes decoded (a query key may be sent encoded); malformed ones
/// are kept.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Text that may be JSON, cut anywhere, or not JSON at all (an error body
/// kept for diagnosis), with secrets masked: the string after a
/// secret-named key (`"password": "…"`) — all strings inside, when the
/// value is an object or array — and URIs anywhere as by [`url`]. A cut
/// inside a secret masks what there is of it. Never panics.
pub fn text(input: &str) -> String {
    let bytes = input.as_bytes();
    let mut out = String::with_capacity(input.len());
    // The last string read, when it may be a key; the depth at which a
    // secret-named key's value started (everything inside is masked).
    let mut last_string: Option<String> = None;
    let mut masking_depth: Option<usize> = None;
    let mut depth = 0usize;
    let mut pending_secret = false;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'"' => {
                // The string's extent: to the unescaped closing quote, or the end.
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != b'"' {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                let end = j.min(bytes.len());
                let content = &input[i + 1..end];
                let closed = j < bytes.len();
                let is_value = pending_secret || masking_depth.is_some();
                // A key is a string followed by `:`.
                let next = input[(end + usize::from(closed)).min(input.len())..].trim_start();
                let is_key = closed && next.starts_with(':');
                out.push('"');
                if is_value && !is_key {
                    out.push_str(REDACTED);
                    pending_secret = false;
                } else {
                    out.push_str(&mask(content, !closed));
                }
                if closed {
                    out.push('"');
                }
                last_string = is_key.then(|| content.to_owned());
                i = end + usize::from(closed);
                continue;
            }
            // Inside a masked value, `pending_secret` is false: a `:` there
            // falls through to `_ => {}`.
            b':' if masking_depth.is_none() => {
                pending_secret = last_string.as_deref().is_some_and(is_secret);
            }
            b'{' | b'[' => {
                if pending_secret && masking_depth.is_none() {
                    masking_depth = Some(depth);
                    pending_secret = false;
                }
                depth += 1;
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if masking_depth == Some(depth) {
                    masking_depth = None;
                }
            }
            b',' => pending_secret = false,
            _ if pending_secret && !c.is_ascii_whitespace() => {
                // A number or literal as a secret's value.
                let end = input[i..]
                    .find([',', '}', ']', '\n'])
                    .map_or(input.len(), |n| i + n);
                out.push_str(REDACTED);
                pending_secret = false;
                i = end;
                continue;
            }
            _ => {}
        }
        // Multi-byte characters are copied whole.
        let width = input[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&input[i..i + width]);
        i += width;
    }
    out
}
