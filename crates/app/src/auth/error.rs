use std::time::Duration;

use intellicv_core::ValidationError;
use intellicv_store::StoreError;

/// Why an authentication step failed. The HTTP layer maps each to its status and code.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("no credentials: send Authorization: Bearer <token> or X-API-Key")]
    MissingCredentials,
    #[error("the access token is invalid")]
    InvalidToken,
    #[error("the access token has expired")]
    TokenExpired,
    #[error("the API key is invalid, expired or revoked")]
    InvalidApiKey,
    #[error("wrong email or password")]
    InvalidCredentials,
    #[error("this account needs a TOTP code: send the totp field")]
    TotpRequired,
    #[error("the TOTP code is wrong or was already used")]
    InvalidTotp,
    #[error("this account is disabled")]
    AccountDisabled,
    #[error("too many failed logins; retry later")]
    Throttled { retry_after: Duration },
    #[error("the refresh token is invalid, expired or revoked")]
    InvalidRefreshToken,
    #[error("the refresh token was already used; every session of this login is revoked")]
    RefreshTokenReused,
    #[error("the TOTP second factor is already enabled")]
    TotpAlreadyEnabled,
    #[error("no TOTP setup is pending: call totp/setup first")]
    TotpNotSetUp,
    #[error(
        "this account's TOTP secret cannot be read with the server's current secret (it was \
         changed); an admin must reset the second factor"
    )]
    TotpUnreadable,
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
    #[error("the API key's creator is disabled or no longer holds the key's role")]
    ApiKeyCreatorLacksRights,
}

impl intellicv_core::ServiceError for AuthError {
    fn kind(&self) -> intellicv_core::ErrorKind {
        use intellicv_core::ErrorKind;
        let unauthorized = |code| ErrorKind::Unauthorized { code };
        match self {
            AuthError::MissingCredentials => unauthorized("missing_credentials"),
            AuthError::InvalidToken => unauthorized("invalid_token"),
            AuthError::TokenExpired => unauthorized("token_expired"),
            AuthError::InvalidApiKey => unauthorized("invalid_api_key"),
            AuthError::InvalidCredentials => unauthorized("invalid_credentials"),
            AuthError::TotpRequired => unauthorized("totp_required"),
            AuthError::InvalidTotp => unauthorized("invalid_totp"),
            AuthError::InvalidRefreshToken => unauthorized("invalid_refresh_token"),
            AuthError::RefreshTokenReused => unauthorized("refresh_token_reused"),
            AuthError::ApiKeyCreatorLacksRights => unauthorized("api_key_creator_lacks_rights"),
            AuthError::AccountDisabled => ErrorKind::Forbidden {
                code: "account_disabled",
            },
            AuthError::Throttled { retry_after } => ErrorKind::TooManyRequests {
                retry_after: *retry_after,
            },
            AuthError::TotpAlreadyEnabled => ErrorKind::Conflict {
                code: "totp_already_enabled",
            },
            AuthError::TotpNotSetUp => ErrorKind::Conflict {
                code: "totp_not_set_up",
            },
            AuthError::TotpUnreadable => ErrorKind::Conflict {
                code: "totp_unreadable",
            },
            AuthError::Invalid(v) => v.kind(),
            AuthError::Store(s) => s.kind(),
            AuthError::Internal(_) => ErrorKind::Internal,
        }
    }
}

/// Why the auth service could not start.
#[derive(Debug, thiserror::Error)]
pub enum AuthSetupError {
    #[error("auth.jwt_secret must be at least {min} bytes long")]
    SecretTooShort { min: usize },
    #[error("cannot read or create the JWT secret file {path}")]
    SecretFile {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the JWT secret file {0} is empty or corrupt; delete it to generate a new one")]
    CorruptSecretFile(std::path::PathBuf),
}
