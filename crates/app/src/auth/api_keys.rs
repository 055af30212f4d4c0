//! API keys: `icv_<prefix>_<secret>`. The prefix (12 hex digits) is stored in clear to find
//! the row; the whole key only as a SHA-256 hash, compared in constant time.

use chrono::{DateTime, Utc};
use rand::RngCore;

use super::error::AuthError;
use super::principal::{AuthUser, Subject};
use super::tokens::{constant_time_eq, random_token, token_hash};
use intellicv_core::{Role, ValidationError};
use intellicv_store::{ApiKeyRecord, NewApiKey, Store, StoreError};

const SCHEME: &str = "icv_";
const MAX_NAME_CHARS: usize = 100;

/// A key just created: the only time its full text is available.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CreatedApiKey {
    #[serde(flatten)]
    pub record: ApiKeyRecord,
    pub key: String,
}

pub struct ApiKeyInput<'a> {
    pub name: &'a str,
    pub role: Role,
    pub created_by: Option<i64>,
    pub expires_at: Option<DateTime<Utc>>,
}

pub async fn create(store: &Store, input: ApiKeyInput<'_>) -> Result<CreatedApiKey, AuthError> {
    let name = input.name.trim();
    if name.is_empty() {
        return Err(ValidationError::new("name", "must not be empty").into());
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(ValidationError::new(
            "name",
            format!("must be at most {MAX_NAME_CHARS} characters"),
        )
        .into());
    }
    if input.expires_at.is_some_and(|t| t <= Utc::now()) {
        return Err(ValidationError::new("expires_in_days", "must be in the future").into());
    }
    // A prefix collision (48 random bits) is retried once with a new key.
    let mut attempts = 0;
    loop {
        let (prefix, key) = new_key();
        let hash = token_hash(&key);
        let result = store
            .create_api_key(&NewApiKey {
                name,
                prefix: &prefix,
                key_hash: &hash,
                role: input.role,
                created_by: input.created_by,
                expires_at: input.expires_at,
            })
            .await;
        match result {
            Ok(record) => return Ok(CreatedApiKey { record, key }),
            Err(StoreError::Conflict { .. }) if attempts == 0 => attempts += 1,
            Err(e) => return Err(e.into()),
        }
    }
}

/// The user a new key made by `caller` answers to: the caller itself, or for a caller
/// with an API key, that key's creator, so a key cannot outlive its human's rights by
/// minting another.
pub async fn creator_for_new_key(
    store: &Store,
    caller: &AuthUser,
) -> Result<Option<i64>, AuthError> {
    match caller.subject {
        Subject::User { id, .. } => Ok(Some(id)),
        Subject::ApiKey { id } => Ok(store.get_api_key(id).await?.created_by),
    }
}

/// The stored key for `key`, when it matches, is not revoked and has not expired.
pub async fn verify(store: &Store, key: &str) -> Result<ApiKeyRecord, AuthError> {
    let prefix = parse_prefix(key).ok_or(AuthError::InvalidApiKey)?;
    let record = store
        .find_api_key_by_prefix(prefix)
        .await?
        .ok_or(AuthError::InvalidApiKey)?;
    let matches = constant_time_eq(&token_hash(key), &record.key_hash);
    let live = record.revoked_at.is_none() && record.expires_at.is_none_or(|t| t > Utc::now());
    if !(matches && live) {
        return Err(AuthError::InvalidApiKey);
    }
    if let Err(e) = store.touch_api_key(record.id).await {
        tracing::warn!(error = %e, api_key.id = record.id, "cannot record api key use");
    }
    Ok(record)
}

fn new_key() -> (String, String) {
    let mut prefix = [0u8; 6];
    rand::rngs::OsRng.fill_bytes(&mut prefix);
    let prefix = hex::encode(prefix);
    let key = format!("{SCHEME}{prefix}_{}", random_token());
    (prefix, key)
}

fn parse_prefix(key: &str) -> Option<&str> {
    let rest = key.strip_prefix(SCHEME)?;
    let (prefix, secret) = rest.split_once('_')?;
    let well_formed =
        prefix.len() == 12 && prefix.bytes().all(|b| b.is_ascii_hexdigit()) && !secret.is_empty();
    well_formed.then_some(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_keys_carry_their_prefix() {
        let (prefix, key) = new_key();
        assert!(key.starts_with(&format!("icv_{prefix}_")));
        assert_eq!(parse_prefix(&key), Some(prefix.as_str()));
        assert_ne!(new_key().1, key);
    }

    #[test]
    fn malformed_keys_have_no_prefix() {
        for bad in [
            "",
            "icv_",
            "icv_abc_def",
            "xyz_0123456789ab_s",
            "icv_0123456789ab_",
            "icv_0123456789zz_s",
        ] {
            assert_eq!(parse_prefix(bad), None, "{bad:?}");
        }
    }
}
