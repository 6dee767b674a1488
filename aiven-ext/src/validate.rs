//! Input checks made before sending, so mistakes fail fast with a message
//! that says what is wrong.
//!
//! Aiven's OpenAPI description only bounds lengths (service name 1–64,
//! project 63, plan 128, cloud 256 characters) and has no patterns. The
//! service-name rule below is Aiven's documented naming rule (service names
//! become DNS labels); it is applied to new services only, so an existing
//! service can always be addressed.

use crate::{Error, Result};

/// A name for a new service: 3–63 characters of lowercase letters, digits
/// and dashes, starting with a letter and not ending with a dash.
pub fn service_name(name: &str) -> Result<()> {
    let invalid = |reason: &str| Err(Error::invalid("service_name", name, reason));
    let len = name.chars().count();
    if !(3..=63).contains(&len) {
        return invalid(&format!("must be 3 to 63 characters long, not {len}"));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !matches!(c, 'a'..='z' | '0'..='9' | '-'))
    {
        return invalid(&format!(
            "may contain only lowercase letters, digits and dashes, not {c:?}"
        ));
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return invalid("must start with a lowercase letter");
    }
    if name.ends_with('-') {
        return invalid("must not end with a dash");
    }
    Ok(())
}

/// A project name: 1–63 characters, no whitespace or control characters.
pub fn project_name(name: &str) -> Result<()> {
    bounded("project", name, 63)?;
    if name
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '/')
    {
        return Err(Error::invalid(
            "project",
            name,
            "must not contain whitespace, control characters or '/'",
        ));
    }
    Ok(())
}

/// Non-empty (after trimming) and at most `max` characters.
pub(crate) fn bounded(field: &'static str, value: &str, max: usize) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(field, value, "must not be empty"));
    }
    let len = value.chars().count();
    if len > max {
        return Err(Error::invalid(
            field,
            value,
            format!("must be at most {max} characters, not {len}"),
        ));
    }
    Ok(())
}

/// A disk size in MB: positive.
pub(crate) fn disk_space_mb(mb: u64) -> Result<()> {
    if mb > 0 {
        Ok(())
    } else {
        Err(Error::invalid(
            "disk_space_mb",
            mb,
            "must be a positive number of megabytes",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names() {
        for ok in ["pg1", "my-kafka-2", &"a".repeat(63)] {
            assert!(service_name(ok).is_ok(), "{ok}");
        }
        for (bad, says) in [
            ("pg", "3 to 63"),
            (&"a".repeat(64), "3 to 63"),
            ("My-pg", "lowercase letters, digits and dashes, not 'M'"),
            ("pg_1", "not '_'"),
            ("1pg", "start with a lowercase letter"),
            ("-pg", "start with a lowercase letter"),
            ("pg-", "end with a dash"),
        ] {
            let err = service_name(bad).unwrap_err().to_string();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }

    #[test]
    fn projects_and_disks() {
        assert!(project_name("acme-prod").is_ok());
        assert!(project_name("")
            .unwrap_err()
            .to_string()
            .contains("must not be empty"));
        assert!(project_name("a b").is_err() && project_name(&"p".repeat(64)).is_err());
        assert!(disk_space_mb(81920).is_ok());
        assert!(disk_space_mb(0)
            .unwrap_err()
            .to_string()
            .contains("must be a positive number of megabytes"));
    }
}
