//! Authentication core: passwords, access and refresh tokens, API keys, the TOTP second
//! factor, login throttling, and the role checks handlers use. The HTTP layer only parses
//! requests and maps [`AuthError`] to responses.

pub mod accounts;
pub mod api_keys;
mod error;
pub mod keys;
pub mod password;
pub mod principal;
pub mod sealing;
pub mod sessions;
mod settings;
pub mod throttle;
pub mod tokens;
pub mod totp;

use std::net::IpAddr;

pub use error::{AuthError, AuthSetupError};
pub use principal::{AccessError, AuthUser, Subject};
pub use settings::AuthSettings;

use intellicv_store::{AuditEntry, Store};

/// What authentication keeps for the life of the process: settings, the signing key and
/// the login-throttling counts.
pub struct AuthService {
    pub settings: AuthSettings,
    pub tokens: tokens::TokenKeys,
    pub throttle: throttle::LoginThrottle,
    /// Seals TOTP secrets at rest; keyed from the signing secret.
    pub totp_cipher: sealing::SecretCipher,
}

impl AuthService {
    /// Loads (or generates and persists in `data_dir`) the signing key; see
    /// [`keys::signing_secret`].
    pub fn new(auth: &AuthSettings, data_dir: &std::path::Path) -> Result<Self, AuthSetupError> {
        let secret = keys::signing_secret(auth.jwt_secret.as_ref(), data_dir)?;
        Ok(Self {
            settings: auth.clone(),
            tokens: tokens::TokenKeys::new(&secret, auth.access_token_ttl_secs),
            throttle: throttle::LoginThrottle::new(auth),
            totp_cipher: sealing::SecretCipher::derive(&secret, "totp"),
        })
    }
}

/// Where a request comes from, for sessions, throttling and the audit log.
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub ip: Option<IpAddr>,
    pub ip_text: Option<String>,
    pub user_agent: Option<String>,
}

impl Client {
    pub fn new(ip: Option<IpAddr>, user_agent: Option<String>) -> Self {
        Self {
            ip,
            ip_text: ip.map(|ip| ip.to_string()),
            user_agent,
        }
    }

    /// `entry` with this client's IP.
    pub fn audit(&self, entry: AuditEntry) -> AuditEntry {
        AuditEntry {
            ip: self.ip_text.clone(),
            ..entry
        }
    }
}

/// Writes an audit row. A failure to write is logged, not returned: the action it records
/// has already happened.
pub async fn audit(store: &Store, entry: AuditEntry) {
    if let Err(e) = store.record_audit(&entry).await {
        tracing::error!(error = %e, audit.action = entry.action, "cannot write audit log row");
    }
}
