//! Access tokens (HS256 JWTs) and opaque refresh tokens.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::AuthError;
use intellicv_core::Role;

pub const ISSUER: &str = "intellicv";

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id, as text.
    pub sub: String,
    pub role: Role,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    /// The refresh-token family (login session) the token belongs to.
    pub sid: String,
    pub iss: String,
}

impl Claims {
    pub fn user_id(&self) -> Result<i64, AuthError> {
        self.sub.parse().map_err(|_| AuthError::InvalidToken)
    }
}

/// Signs and checks access tokens with one HS256 key.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl_secs: u64,
}

impl TokenKeys {
    pub fn new(secret: &[u8], ttl_secs: u64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "sub", "iss"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_secs,
        }
    }

    pub fn ttl_secs(&self) -> u64 {
        self.ttl_secs
    }

    /// A new access token for the user in session `family_id`.
    pub fn issue(&self, user_id: i64, role: Role, family_id: &str) -> Result<String, AuthError> {
        let now = Utc::now().timestamp();
        let ttl = i64::try_from(self.ttl_secs).unwrap_or(i64::MAX / 2);
        let claims = Claims {
            sub: user_id.to_string(),
            role,
            iat: now,
            exp: now.saturating_add(ttl),
            jti: uuid::Uuid::new_v4().to_string(),
            sid: family_id.to_owned(),
            iss: ISSUER.to_owned(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| AuthError::Internal(e.into()))
    }

    /// Checks signature, algorithm, issuer and expiry (no leeway).
    pub fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => AuthError::TokenExpired,
                _ => AuthError::InvalidToken,
            })
    }
}

/// A new random token of 32 bytes, URL-safe base64 without padding.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a high-entropy token: lowercase hex SHA-256.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two secrets (or their hashes) in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"a test secret that is long enough for hs256";

    #[test]
    fn an_issued_token_verifies_with_its_claims() {
        let keys = TokenKeys::new(SECRET, 900);
        let token = keys.issue(42, Role::Recruiter, "fam").unwrap();
        let claims = keys.verify(&token).unwrap();
        assert_eq!(claims.user_id().unwrap(), 42);
        assert_eq!(claims.role, Role::Recruiter);
        assert_eq!(claims.sid, "fam");
        assert_eq!(claims.exp - claims.iat, 900);
        assert_ne!(keys.issue(42, Role::Recruiter, "fam").unwrap(), token);
    }

    #[test]
    fn tampered_foreign_and_expired_tokens_are_rejected() {
        let keys = TokenKeys::new(SECRET, 900);
        let token = keys.issue(1, Role::Candidate, "fam").unwrap();
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let forged = Claims {
            role: Role::Admin,
            ..keys.verify(&token).unwrap()
        };
        parts[1] = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        assert!(matches!(
            keys.verify(&parts.join(".")),
            Err(AuthError::InvalidToken)
        ));
        let other = TokenKeys::new(b"another secret that is long enough!!", 900);
        assert!(matches!(other.verify(&token), Err(AuthError::InvalidToken)));
        assert!(matches!(
            keys.verify("garbage"),
            Err(AuthError::InvalidToken)
        ));

        let claims = Claims {
            exp: Utc::now().timestamp() - 1,
            ..keys.verify(&token).unwrap()
        };
        let expired = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(SECRET),
        )
        .unwrap();
        assert!(matches!(
            keys.verify(&expired),
            Err(AuthError::TokenExpired)
        ));
    }

    #[test]
    fn the_none_algorithm_is_refused() {
        let keys = TokenKeys::new(SECRET, 900);
        let token = keys.issue(1, Role::Admin, "fam").unwrap();
        let payload = token.split('.').nth(1).unwrap();
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        assert!(keys.verify(&format!("{header}.{payload}.")).is_err());
    }

    #[test]
    fn refresh_tokens_are_random_and_hashed() {
        let a = random_token();
        assert_ne!(a, random_token());
        assert_eq!(a.len(), 43);
        let hash = token_hash(&a);
        assert_eq!(hash.len(), 64);
        assert!(constant_time_eq(&hash, &token_hash(&a)));
        assert!(!constant_time_eq(&hash, &token_hash("other")));
        assert!(!constant_time_eq("abc", "abcd"));
    }
}
