//! The authentication settings (`[auth]`).

use serde::{Deserialize, Serialize};

use intellicv_core::Secret;

/// Tokens, sessions and login throttling.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthSettings {
    /// The HS256 key for access tokens, at least 32 bytes. When empty, a random key is
    /// generated once and kept in `<data_dir>/jwt-secret`, so restarts keep sessions valid.
    pub jwt_secret: Option<Secret>,
    /// Lifetime of an access token (JWT).
    pub access_token_ttl_secs: u64,
    /// Lifetime of a refresh token; each refresh issues a new one with a fresh lifetime.
    pub refresh_token_ttl_secs: u64,
    /// Failed logins allowed per account within the window before answering 429.
    pub max_failed_logins_per_account: u32,
    /// Failed logins allowed per client IP within the window before answering 429.
    pub max_failed_logins_per_ip: u32,
    /// The window failed logins are counted in, and how long a throttled client waits.
    pub failed_login_window_secs: u64,
    /// The issuer name shown in authenticator apps.
    pub totp_issuer: String,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            jwt_secret: None,
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_secs: 30 * 24 * 60 * 60,
            max_failed_logins_per_account: 5,
            max_failed_logins_per_ip: 50,
            failed_login_window_secs: 15 * 60,
            totp_issuer: "IntelliCV".into(),
        }
    }
}
