//! Password policy and argon2id hashing. Hashing is CPU-heavy by design: call these from a
//! blocking thread (see `telemetry::spawn_blocking_with_span`), never on the async runtime.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::domain::ValidationError;

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 256;

/// A password that satisfies the policy. Its `Debug` never shows the text.
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let chars = raw.chars().count();
        if chars < MIN_LEN {
            return Err(ValidationError::new(
                "password",
                format!("must be at least {MIN_LEN} characters"),
            ));
        }
        if chars > MAX_LEN {
            return Err(ValidationError::new(
                "password",
                format!("must be at most {MAX_LEN} characters"),
            ));
        }
        if raw.trim().is_empty() {
            return Err(ValidationError::new("password", "must not be only spaces"));
        }
        Ok(Self(raw.to_owned()))
    }

    /// Hashes with argon2id and a random salt, in PHC string format.
    pub fn hash(&self) -> String {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(self.0.as_bytes(), &salt)
            .expect("argon2 with default parameters accepts any password up to MAX_LEN")
            .to_string()
    }
}

/// Checks `candidate` against a stored PHC hash in constant time. A malformed stored hash
/// verifies nothing.
pub fn verify(candidate: &str, stored_hash: &str) -> bool {
    match PasswordHash::new(stored_hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(candidate.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_own_password_only() {
        let password = Password::parse("correct horse battery").unwrap();
        let hash = password.hash();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &hash));
        assert!(!verify("correct horse battery!", &hash));
        assert!(!verify("correct horse battery", "not a hash"));
    }

    #[test]
    fn short_passwords_are_rejected_and_never_printed() {
        assert_eq!(Password::parse("short").unwrap_err().field, "password");
        assert!(Password::parse(&"x".repeat(MAX_LEN + 1)).is_err());
        let p = Password::parse("a secret of some length").unwrap();
        assert!(!format!("{p:?}").contains("secret"));
    }
}
