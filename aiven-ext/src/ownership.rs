//! Ownership marks. A service made by an environment carries the
//! environment's name in one service tag ([`OWNER_TAG`]); its topics, users,
//! databases and pools belong to it. Teardown deletes only what carries its
//! owner's mark, so a job never deletes a same-named service of someone
//! else in a shared project.

use std::fmt;

use aiven_api::types;
use serde_json::{Map, Value};

use crate::{Error, Result};

/// The service tag whose value names the owner (`aiven-ext-owner=ci-app`).
pub const OWNER_TAG: &str = "aiven-ext-owner";

/// The name of an owner (an environment, a CI pipeline, a tool): 1–64
/// characters of letters, digits, `-`, `_`, `.` and `:` (what Aiven accepts
/// in a tag on every resource that has tags).
///
/// ```
/// use aiven_ext::Owner;
/// let owner = Owner::new("ci-app")?;
/// assert_eq!(owner.as_str(), "ci-app");
/// assert!(Owner::new("two words").is_err());
/// # Ok::<(), aiven_ext::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Owner(String);

impl Owner {
    /// Checks the name; [`Error::Validation`] when it is not one.
    pub fn new(name: impl Into<String>) -> Result<Self> {
        let name = name.into();
        let len = name.chars().count();
        if !(1..=64).contains(&len) {
            return Err(Error::invalid(
                "owner",
                &name,
                format!("must be 1 to 64 characters long, not {len}"),
            ));
        }
        if let Some(c) = name
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')))
        {
            return Err(Error::invalid(
                "owner",
                &name,
                format!("may contain only letters, digits, '-', '_', '.' and ':', not {c:?}"),
            ));
        }
        Ok(Self(name))
    }

    /// The name, as written in the tag.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Owner({:?})", self.0)
    }
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The owner a tag set names, if any.
pub(crate) fn owner_in(tags: Option<&Map<String, Value>>) -> Option<&str> {
    tags?.get(OWNER_TAG)?.as_str()
}

/// The owner a service's tags name, if any (tags the server sent as
/// anything but an object name none).
pub(crate) fn owner_of(service: &types::Service) -> Option<&str> {
    owner_in(service.tags.as_ref().and_then(Value::as_object))
}

/// Whether `service` carries `owner`'s mark.
pub(crate) fn is_owned_by(service: &types::Service, owner: &Owner) -> bool {
    owner_of(service) == Some(owner.as_str())
}
