//! The optional TOTP second factor (RFC 6238: SHA-1, 6 digits, 30 s steps, one step of
//! clock skew either way). Each code is accepted once.
//!
//! Secrets are stored sealed (see [`super::sealing`]) with a key derived from the server
//! secret. Rows written before that hold the base32 secret in plain text: they keep
//! working, are sealed when next read, and [`seal_legacy_secrets`] seals them all at start.

use serde::Serialize;
use totp_rs::{Builder, Secret, Totp};

use super::AuthService;
use super::error::AuthError;
use super::sealing::Opened;
use intellicv_core::ValidationError;
use intellicv_store::{Store, StoreError, UserRecord};

/// What an authenticator app needs: the secret, and the same as an `otpauth://` URL (the
/// usual QR-code content).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TotpSetup {
    pub secret: String,
    pub otpauth_url: String,
}

/// Stores a fresh secret for `user`, not yet enabled. Calling it again replaces a pending
/// secret; once enabled, the factor cannot be set up again.
pub async fn setup(
    auth: &AuthService,
    store: &Store,
    user: &UserRecord,
) -> Result<TotpSetup, AuthError> {
    if user.totp_enabled_at.is_some() {
        return Err(AuthError::TotpAlreadyEnabled);
    }
    let secret = Secret::generate();
    let base32 = secret.to_base32();
    let totp = totp_for(&base32, Some((&auth.settings.totp_issuer, &user.email)))?;
    let url = totp
        .to_url()
        .map_err(|e| AuthError::Internal(anyhow::anyhow!("{e}")))?;
    let sealed = auth.totp_cipher.seal(user.id, &base32);
    if !store.set_pending_totp_secret(user.id, &sealed).await? {
        return Err(AuthError::TotpAlreadyEnabled);
    }
    Ok(TotpSetup {
        secret: base32,
        otpauth_url: url,
    })
}

/// Enables the factor when `code` is valid for the pending secret.
pub async fn enable(
    auth: &AuthService,
    store: &Store,
    user_id: i64,
    code: &str,
) -> Result<(), AuthError> {
    let state = store.totp_state(user_id).await?;
    if state.totp_enabled_at.is_some() {
        return Err(AuthError::TotpAlreadyEnabled);
    }
    let stored = state.totp_secret.ok_or(AuthError::TotpNotSetUp)?;
    let secret = open_secret(auth, store, user_id, &stored).await?;
    let step = current_step(&secret, code)?
        .ok_or_else(|| ValidationError::new("code", "does not match the authenticator"))?;
    if !store.enable_totp(user_id, step).await? {
        return Err(AuthError::TotpAlreadyEnabled);
    }
    Ok(())
}

/// Whether `code` is valid now for the user's enabled secret and was not used before.
pub(crate) async fn check_login_code(
    auth: &AuthService,
    store: &Store,
    user_id: i64,
    code: &str,
) -> Result<bool, AuthError> {
    let state = store.totp_state(user_id).await?;
    let Some(stored) = state
        .totp_secret
        .filter(|_| state.totp_enabled_at.is_some())
    else {
        return Ok(false);
    };
    let secret = open_secret(auth, store, user_id, &stored).await?;
    match current_step(&secret, code)? {
        Some(step) => Ok(store.consume_totp_step(user_id, step).await?),
        None => Ok(false),
    }
}

/// The base32 secret of a stored value; a legacy plaintext one is sealed in its place.
async fn open_secret(
    auth: &AuthService,
    store: &Store,
    user_id: i64,
    stored: &str,
) -> Result<String, AuthError> {
    let opened = auth.totp_cipher.open(user_id, stored).map_err(|e| {
        tracing::warn!(user.id = user_id, error = %e, "totp secret cannot be opened");
        AuthError::TotpUnreadable
    })?;
    if let Opened::Legacy(plain) = &opened {
        let sealed = auth.totp_cipher.seal(user_id, plain);
        // Only when the row still holds the value read: a concurrent setup wins.
        if store.replace_totp_secret(user_id, stored, &sealed).await? {
            tracing::info!(user.id = user_id, "legacy plaintext totp secret sealed");
        }
    }
    Ok(opened.into_plaintext())
}

/// Removes `user_id`'s second factor (enabled or pending), so they sign in with their
/// password alone and may set it up again: how an admin recovers an account whose secret
/// can no longer be read, or whose owner lost their authenticator.
pub async fn reset(store: &Store, user_id: i64) -> Result<(), AuthError> {
    if store.reset_totp(user_id).await? {
        Ok(())
    } else {
        Err(StoreError::NotFound { entity: "user" }.into())
    }
}

/// Seals every TOTP secret still stored in plain text (from before encryption at rest);
/// answers how many. Run at start; [`open_secret`] also seals any it meets.
pub async fn seal_legacy_secrets(auth: &AuthService, store: &Store) -> Result<usize, AuthError> {
    let mut sealed = 0;
    for (user_id, stored) in store.plaintext_totp_secrets().await? {
        let value = auth.totp_cipher.seal(user_id, &stored);
        if store.replace_totp_secret(user_id, &stored, &value).await? {
            sealed += 1;
        }
    }
    if sealed > 0 {
        tracing::info!(count = sealed, "legacy plaintext totp secrets sealed");
    }
    Ok(sealed)
}

/// The step `code` is valid for at the current time, if any.
fn current_step(secret: &str, code: &str) -> Result<Option<i64>, AuthError> {
    let totp = totp_for(secret, None)?;
    Ok(totp
        .check_current(code.trim())
        .and_then(|step| i64::try_from(step).ok()))
}

fn totp_for(secret: &str, label: Option<(&str, &str)>) -> Result<Totp, AuthError> {
    let bytes = Secret::try_from_base32(secret)
        .map_err(|e| AuthError::Internal(anyhow::anyhow!("stored totp secret: {e:?}")))?;
    let mut builder = Builder::new().with_secret(bytes);
    if let Some((issuer, account)) = label {
        builder = builder
            .with_issuer(Some(issuer.replace(':', " ")))
            .with_account_name(account.replace(':', "_"));
    }
    builder
        .build()
        .map_err(|e| AuthError::Internal(anyhow::anyhow!("totp: {e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_code_checks_and_a_wrong_one_does_not() {
        let secret = Secret::generate().to_base32();
        let totp = totp_for(&secret, None).unwrap();
        let code = totp.generate_current().to_string();
        assert!(current_step(&secret, &code).unwrap().is_some());
        let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
        assert!(current_step(&secret, &wrong).unwrap().is_none() || wrong == code);
        assert!(current_step(&secret, "abcdef").unwrap().is_none());
    }

    #[test]
    fn the_otpauth_url_names_issuer_and_account() {
        let secret = Secret::generate().to_base32();
        let url = totp_for(&secret, Some(("IntelliCV", "ada@example.com")))
            .unwrap()
            .to_url()
            .unwrap();
        assert!(
            url.starts_with("otpauth://totp/IntelliCV:ada%40example.com?"),
            "{url}"
        );
        assert!(url.contains(&format!("secret={secret}")));
    }
}
