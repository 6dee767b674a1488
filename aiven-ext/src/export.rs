//! Handing connection details to another program: variables that say
//! whether they are secret ([`EnvVar`]), URIs with credentials
//! percent-encoded ([`encode_userinfo`]), and a dotenv file only its owner
//! can read ([`write_dotenv`]).

use std::fmt;
use std::io::Write;
use std::path::Path;

use crate::{Error, Result};

/// One environment variable for a child process or a dotenv file.
/// `Debug` shows a secret's value as `** redacted **`.
#[derive(Clone, PartialEq, Eq)]
pub struct EnvVar {
    /// The variable's name (`PGHOST`).
    pub name: String,
    value: String,
    /// Whether the value is a secret (a password, a URI carrying one, a
    /// private key): such values go to a child's environment or a 0600
    /// file, never to logs.
    pub secret: bool,
}

impl EnvVar {
    /// A variable; `secret` says whether the value must not be shown.
    pub fn new(name: impl Into<String>, value: impl Into<String>, secret: bool) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
            secret,
        }
    }

    /// The value, secret or not.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// `NAME=value`, or `NAME=** redacted **` for a secret: safe to print.
    pub fn shown(&self) -> String {
        if self.secret {
            format!("{}=** redacted **", self.name)
        } else {
            format!("{}={}", self.name, self.value)
        }
    }
}

impl fmt::Debug for EnvVar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = if self.secret {
            "** redacted **"
        } else {
            &self.value
        };
        f.debug_struct("EnvVar")
            .field("name", &self.name)
            .field("value", &value)
            .field("secret", &self.secret)
            .finish()
    }
}

/// Percent-encodes a user name or password for the userinfo of a URI
/// (`scheme://USER:PASSWORD@host`): every byte but RFC 3986's unreserved
/// characters (`A–Z a–z 0–9 - . _ ~`) becomes `%XX`. Stricter than RFC 3986
/// requires (sub-delimiters such as `!` or `$` may stay), so that every
/// client decodes it the same way; hand-written because the rule is these
/// few lines.
///
/// ```
/// assert_eq!(aiven_ext::encode_userinfo("p@ss:w/rd?#"), "p%40ss%3Aw%2Frd%3F%23");
/// ```
pub fn encode_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Whether `name` can be a variable in a shell and a dotenv file.
fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `'value'` (newlines kept, read by `set -a; . FILE` and dotenv
/// libraries alike); a value holding `'` is double-quoted with `\`, `"`,
/// `$` and `` ` `` escaped.
fn quoted(value: &str) -> String {
    if !value.contains('\'') {
        return format!("'{value}'");
    }
    let mut out = String::from("\"");
    for c in value.chars() {
        if matches!(c, '\\' | '"' | '$' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// The dotenv text of `vars` (`NAME='value'` lines); a name that is not a
/// shell variable name, or a value holding a NUL, is refused.
pub fn dotenv(vars: &[EnvVar]) -> Result<String> {
    let mut text = String::new();
    for var in vars {
        if !valid_name(&var.name) {
            return Err(Error::invalid(
                "variable name",
                &var.name,
                "must be letters, digits and '_', not starting with a digit",
            ));
        }
        if var.value.contains('\0') {
            return Err(Error::invalid(
                "variable value",
                &var.name,
                "must not contain a NUL character",
            ));
        }
        text.push_str(&format!("{}={}\n", var.name, quoted(&var.value)));
    }
    Ok(text)
}

/// Writes `vars` as a dotenv file (see [`dotenv`]) that only its owner can
/// read or write (mode 0600, also when the file existed with another
/// mode). A symbolic link at `path` is refused, not followed (`O_NOFOLLOW`):
/// it could point the secrets at a file someone else reads.
#[cfg(unix)]
pub fn write_dotenv(path: impl AsRef<Path>, vars: &[EnvVar]) -> Result<()> {
    let text = dotenv(vars)?;
    write_private(path.as_ref(), "dotenv path", text.as_bytes())
}

/// Writes `bytes` to `path` with mode 0600 (also when the file existed
/// with another mode), refusing a symbolic link or anything but a regular
/// file at `path`; `what` names the path in errors.
#[cfg(unix)]
pub(crate) fn write_private(path: &Path, what: &'static str, bytes: &[u8]) -> Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let io = |e: std::io::Error| Error::Other(format!("cannot write {}: {e}", path.display()));
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path);
    let mut file = match file {
        Ok(f) => f,
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(Error::invalid(
                what,
                path.display(),
                "is a symbolic link: refused (it is not followed)",
            ))
        }
        Err(e) => return Err(io(e)),
    };
    if !file.metadata().map_err(io)?.is_file() {
        return Err(Error::invalid(
            what,
            path.display(),
            "is not a regular file",
        ));
    }
    file.set_permissions(std::fs::Permissions::from_mode(0o600))
        .map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.sync_all().map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_is_percent_encoded() {
        assert_eq!(encode_userinfo("ci"), "ci");
        assert_eq!(encode_userinfo("a-b.c_d~e"), "a-b.c_d~e");
        assert_eq!(encode_userinfo("@:/?#"), "%40%3A%2F%3F%23");
        assert_eq!(encode_userinfo("p ä%"), "p%20%C3%A4%25");
    }

    #[test]
    fn dotenv_quotes_and_refuses_bad_names() {
        let vars = [
            EnvVar::new("A", "plain", false),
            EnvVar::new("B", "it's $x", true),
            EnvVar::new("C", "line1\nline2", false),
        ];
        assert_eq!(
            dotenv(&vars).unwrap(),
            "A='plain'\nB=\"it's \\$x\"\nC='line1\nline2'\n"
        );
        for bad in ["", "1A", "A-B", "A B", "A=B", "A\nB"] {
            assert!(dotenv(&[EnvVar::new(bad, "x", false)]).is_err(), "{bad:?}");
        }
        assert!(dotenv(&[EnvVar::new("A", "x\0", false)]).is_err());
        let shown = format!("{:?}", vars[1]);
        assert!(
            !shown.contains("it's") && shown.contains("redacted"),
            "{shown}"
        );
        assert_eq!(vars[1].shown(), "B=** redacted **");
    }
}
