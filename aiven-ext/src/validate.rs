//! Input checks made before sending, so mistakes fail fast with a message
//! that says what is wrong.
//!
//! Aiven's OpenAPI description only bounds lengths (service name 1–64,
//! project 63, topic 1–249, plan 128, cloud 256 characters) and has no
//! patterns, not even on path parameters. The service-name rule below is
//! Aiven's documented naming rule (service names become DNS labels); it is
//! applied to new services only, so an existing service can always be
//! addressed. Every name or id a helper puts into a request path is checked
//! with [`path_segment`] (or a stricter rule), so that it cannot make the
//! request address another resource.

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

/// A project name: 1–63 characters (the description's `maxLength`), and
/// one path segment that addresses exactly this project (see
/// [`path_segment`]).
pub fn project_name(name: &str) -> Result<()> {
    path_segment("project", name, 63)
}

/// The name of an existing service: 1–64 characters (the description's
/// bounds) and a safe path segment. Looser than [`service_name`], so that
/// any existing service can be addressed.
pub fn existing_service_name(name: &str) -> Result<()> {
    path_segment("service_name", name, 64)
}

/// A Kafka topic name, by Kafka's own rule: 1–249 characters (the
/// description's bounds) of ASCII letters, digits, `.`, `_` and `-`, and
/// not `.` or `..`.
pub fn topic_name(name: &str) -> Result<()> {
    path_segment("topic_name", name, 249)?;
    if let Some(c) = name
        .chars()
        .find(|c| !matches!(c, 'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '_' | '-'))
    {
        return Err(Error::invalid(
            "topic_name",
            name,
            format!("may contain only ASCII letters, digits, '.', '_' and '-', not {c:?}"),
        ));
    }
    Ok(())
}

/// A value put into a request path as one segment (a resource name or id):
/// non-empty, at most `max` characters, not `.` or `..`, and free of `/`,
/// `\`, `%`, `?`, `#`, whitespace and control characters — which Aiven's
/// project and service names and its ids do not use, and each of which
/// could make the request address another resource (`..` is resolved by URL parsers, `\` read as
/// `/`, `%2e%2e` decoded to `..` by a server that decodes twice).
pub fn path_segment(field: &'static str, value: &str, max: usize) -> Result<()> {
    segment(field, value, max, false)
}

/// A Kafka Connect connector name: as [`path_segment`] (at most 1024
/// characters, the description's bound), except that spaces are allowed —
/// Kafka Connect accepts them, and they are percent-encoded safely.
pub fn connector_name(name: &str) -> Result<()> {
    segment("connector_name", name, 1024, true)
}

fn segment(field: &'static str, value: &str, max: usize, spaces: bool) -> Result<()> {
    bounded(field, value, max)?;
    if value == "." || value == ".." {
        return Err(Error::invalid(
            field,
            value,
            "must not be `.` or `..` (it would address another resource)",
        ));
    }
    if let Some(c) = value.chars().find(|&c| {
        matches!(c, '/' | '\\' | '%' | '?' | '#')
            || (c.is_whitespace() && !(spaces && c == ' '))
            || c.is_control()
    }) {
        return Err(Error::invalid(
            field,
            value,
            format!(
                "must not contain whitespace, control characters, '/', '\\', '%', '?' or '#', \
                 not {c:?} (it could address another resource)"
            ),
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

/// A new service's fields, checked once for every way of building its
/// body ([`NewService`](crate::requests::NewService), a generated body given
/// to [`create_service`](crate::AivenClient::create_service)): name by
/// [`service_name`], the type as a path segment (it names the service
/// type's endpoints), plan and cloud by length, a positive disk, a VPC id
/// of 36 characters.
pub(crate) fn new_service(
    name: &str,
    service_type: &str,
    plan: &str,
    cloud: Option<&str>,
    disk_space_mb: Option<u64>,
    project_vpc_id: Option<&str>,
) -> Result<()> {
    service_name(name)?;
    path_segment("service_type", service_type, 64)?;
    bounded("plan", plan, 128)?;
    if let Some(cloud) = cloud {
        bounded("cloud", cloud, 256)?;
    }
    if let Some(mb) = disk_space_mb {
        self::disk_space_mb(mb)?;
    }
    if let Some(id) = project_vpc_id {
        if id.chars().count() != 36 {
            return Err(Error::invalid(
                "project_vpc_id",
                id,
                "must be a 36-character id",
            ));
        }
    }
    Ok(())
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
        for bad in [
            ".",
            "..",
            "a\\b",
            "..\\..\\victim",
            "a/b",
            "%2e%2e",
            "a?b",
            "a#b",
        ] {
            assert!(project_name(bad).is_err(), "{bad}");
            assert!(existing_service_name(bad).is_err(), "{bad}");
            assert!(topic_name(bad).is_err(), "{bad}");
        }
        assert!(existing_service_name("Legacy_Name.1").is_ok());
        assert!(connector_name("my connector").is_ok() && connector_name("a\tb").is_err());
        assert!(connector_name("..").is_err() && connector_name("a/b").is_err());
        assert!(topic_name("orders.v1_eu-west").is_ok() && topic_name("a:b").is_err());
        assert!(topic_name(&"t".repeat(249)).is_ok() && topic_name(&"t".repeat(250)).is_err());
        assert!(disk_space_mb(81920).is_ok());
        assert!(disk_space_mb(0)
            .unwrap_err()
            .to_string()
            .contains("must be a positive number of megabytes"));
    }
}
