//! Password policy and argon2id hashing.
//!
//! The policy: 10 to 256 characters, and hard enough to guess by the zxcvbn estimator
//! (dictionaries of common passwords, names and words, keyboard patterns, repeats,
//! sequences, dates, and the account's own email and name): a score of at least
//! [`MIN_SCORE`] of 4, i.e. more than about 10^10 guesses. Hashing is CPU-heavy by design: call these from a
//! blocking thread (see `telemetry::spawn_blocking_with_span`), never on the async runtime.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use intellicv_core::ValidationError;

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 256;
/// The lowest zxcvbn score (0 to 4) accepted; 3 is zxcvbn's own advice.
pub const MIN_SCORE: u8 = 3;

/// A password that satisfies the policy. Its `Debug` never shows the text.
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    /// Checks `raw` against the policy. `user_inputs` (the email, the display name) count
    /// as known words: a password made of them is weak.
    pub fn parse(raw: &str, user_inputs: &[&str]) -> Result<Self, ValidationError> {
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
        check_strength(raw, user_inputs)?;
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

/// Refuses a password zxcvbn scores below [`MIN_SCORE`], saying why in its words.
fn check_strength(raw: &str, user_inputs: &[&str]) -> Result<(), ValidationError> {
    // The email's local part and each word of a name count on their own ("ada" in
    // "ada@example.com", "lovelace" in "Ada Lovelace").
    let mut inputs: Vec<&str> = user_inputs.to_vec();
    for input in user_inputs {
        let local = input.split_once('@').map_or(*input, |(local, _)| local);
        inputs.extend(
            local
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| w.chars().count() >= 3),
        );
    }
    let estimate = zxcvbn::zxcvbn(raw, &inputs);
    let score = u8::from(estimate.score());
    if score >= MIN_SCORE {
        return Ok(());
    }
    let mut reason = format!(
        "is too easy to guess (strength {score} of 4, at least {MIN_SCORE} needed; \
         about 10^{:.0} guesses)",
        estimate.guesses_log10()
    );
    if let Some(feedback) = estimate.feedback() {
        if let Some(warning) = feedback.warning() {
            reason.push_str(&format!(": {warning}"));
        }
        for suggestion in feedback.suggestions() {
            reason.push_str(&format!(" {suggestion}"));
        }
    }
    Err(ValidationError::new("password", reason))
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
        let password = Password::parse("correct horse battery staple", &[]).unwrap();
        let hash = password.hash();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify("correct horse battery staple", &hash));
        assert!(!verify("correct horse battery staple!", &hash));
        assert!(!verify("correct horse battery staple", "not a hash"));
    }

    #[test]
    fn short_passwords_are_rejected_and_never_printed() {
        assert_eq!(Password::parse("short", &[]).unwrap_err().field, "password");
        assert!(Password::parse(&"x".repeat(MAX_LEN + 1), &[]).is_err());
        let p = Password::parse("a secret of some length", &[]).unwrap();
        assert!(!format!("{p:?}").contains("secret"));
    }

    #[test]
    fn repeats_sequences_and_common_passwords_are_refused_with_a_reason() {
        for weak in [
            "aaaaaaaaaa",
            "abababababab",
            "1234567890",
            "abcdefghijkl",
            "qwertyuiop",
            "password123",
            "iloveyou123",
            "Password1!",
            "1q2w3e4r5t",
            "          x",
        ] {
            let error = Password::parse(weak, &[]).unwrap_err();
            assert_eq!(error.field, "password", "{weak}");
            assert!(
                error.reason.starts_with("is too easy to guess"),
                "{weak}: {}",
                error.reason
            );
        }
        let repeat = Password::parse("aaaaaaaaaa", &[]).unwrap_err();
        assert!(repeat.reason.contains("Repeats"), "{}", repeat.reason);
    }

    #[test]
    fn the_accounts_own_email_and_name_count_as_known_words() {
        let mine = "quokkazanzibar42";
        assert!(Password::parse(mine, &[]).is_ok());
        assert!(Password::parse(mine, &["quokkazanzibar@example.com"]).is_err());
        assert!(Password::parse(mine, &["x@example.com", "Quokkazanzibar Smith"]).is_err());
        assert!(Password::parse("zoe@example.com", &["zoe@example.com"]).is_err());
    }

    #[test]
    fn long_unusual_passphrases_pass() {
        for strong in [
            "a long enough secret",
            "correct horse battery staple",
            "tQ9#vLm2!pZ",
            "another long secret",
        ] {
            assert!(Password::parse(strong, &[]).is_ok(), "{strong}");
        }
    }
}
