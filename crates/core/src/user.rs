use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::ValidationError;

/// A syntactically valid e-mail address, trimmed and lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let email = raw.trim().to_lowercase();
        let invalid = |reason: &str| Err(ValidationError::new("email", reason));
        if email.is_empty() {
            return invalid("must not be empty");
        }
        if email.len() > 254 {
            return invalid("must be at most 254 characters");
        }
        if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return invalid("must not contain spaces");
        }
        let Some((local, domain)) = email.rsplit_once('@') else {
            return invalid("must contain @");
        };
        if local.is_empty() || local.contains('@') {
            return invalid("must have one @ with a name before it");
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2 || labels.iter().any(|l| l.is_empty()) {
            return invalid("must have a domain such as example.com after @");
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Recruiter,
    Candidate,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Recruiter => "recruiter",
            Role::Candidate => "candidate",
        }
    }
}

impl FromStr for Role {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "recruiter" => Ok(Role::Recruiter),
            "candidate" => Ok(Role::Candidate),
            _ => Err(ValidationError::new(
                "role",
                "must be one of admin, recruiter, candidate",
            )),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserStatus {
    Active,
    Disabled,
    Deleted,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Disabled => "disabled",
            UserStatus::Deleted => "deleted",
        }
    }
}

impl FromStr for UserStatus {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "active" => Ok(UserStatus::Active),
            "disabled" => Ok(UserStatus::Disabled),
            "deleted" => Ok(UserStatus::Deleted),
            _ => Err(ValidationError::new(
                "status",
                "must be one of active, disabled, deleted",
            )),
        }
    }
}

pub const MAX_DISPLAY_NAME_CHARS: usize = 200;

/// A trimmed display name; empty means none.
pub fn parse_display_name(raw: Option<&str>) -> Result<Option<String>, ValidationError> {
    match raw.map(str::trim) {
        Some("") | None => Ok(None),
        Some(name) if name.chars().count() > MAX_DISPLAY_NAME_CHARS => Err(ValidationError::new(
            "display_name",
            format!("must be at most {MAX_DISPLAY_NAME_CHARS} characters"),
        )),
        Some(name) => Ok(Some(name.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lowercased() {
        let email = Email::parse("  Ada.Lovelace@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "ada.lovelace@example.com");
    }

    #[test]
    fn malformed_emails_are_rejected_with_a_reason() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@example.com",
            "ada@.com",
        ] {
            let err = Email::parse(bad).unwrap_err();
            assert_eq!(err.field, "email", "{bad:?}");
            assert!(!err.reason.is_empty());
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(Email::parse(&long).is_err());
    }

    #[test]
    fn roles_parse_case_insensitively_and_reject_unknown_ones() {
        assert_eq!("Recruiter".parse::<Role>().unwrap(), Role::Recruiter);
        assert_eq!("admin".parse::<Role>().unwrap().to_string(), "admin");
        assert!("root".parse::<Role>().is_err());
    }
}
