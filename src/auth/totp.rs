//! The optional TOTP second factor (RFC 6238: SHA-1, 6 digits, 30 s steps, one step of
//! clock skew either way). Each code is accepted once.

use serde::Serialize;
use totp_rs::{Builder, Secret, Totp};

use super::AuthService;
use super::error::AuthError;
use crate::domain::ValidationError;
use crate::store::{Store, UserRecord};

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
    if !store.set_pending_totp_secret(user.id, &base32).await? {
        return Err(AuthError::TotpAlreadyEnabled);
    }
    Ok(TotpSetup {
        secret: base32,
        otpauth_url: url,
    })
}

/// Enables the factor when `code` is valid for the pending secret.
pub async fn enable(store: &Store, user_id: i64, code: &str) -> Result<(), AuthError> {
    let state = store.totp_state(user_id).await?;
    if state.totp_enabled_at.is_some() {
        return Err(AuthError::TotpAlreadyEnabled);
    }
    let secret = state.totp_secret.ok_or(AuthError::TotpNotSetUp)?;
    let step = current_step(&secret, code)?
        .ok_or_else(|| ValidationError::new("code", "does not match the authenticator"))?;
    if !store.enable_totp(user_id, step).await? {
        return Err(AuthError::TotpAlreadyEnabled);
    }
    Ok(())
}

/// Whether `code` is valid now for the user's enabled secret and was not used before.
pub(crate) async fn check_login_code(
    store: &Store,
    user_id: i64,
    code: &str,
) -> Result<bool, AuthError> {
    let state = store.totp_state(user_id).await?;
    let Some(secret) = state
        .totp_secret
        .filter(|_| state.totp_enabled_at.is_some())
    else {
        return Ok(false);
    };
    match current_step(&secret, code)? {
        Some(step) => Ok(store.consume_totp_step(user_id, step).await?),
        None => Ok(false),
    }
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
