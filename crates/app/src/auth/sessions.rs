//! Logging in, refreshing and logging out. Every outcome is audit-logged.

use std::str::FromStr;
use std::sync::LazyLock;

use chrono::{Duration, Utc};
use serde::Serialize;

use super::error::AuthError;
use super::tokens::{random_token, token_hash};
use super::{AuthService, Client, password, totp};
use crate::telemetry::spawn_blocking_with_span;
use intellicv_core::{Email, Role, UserStatus};
use intellicv_store::{
    AuditEntry, AuditOutcome, NewSession, Rotation, SessionRecord, Store, UserRecord,
};

/// The answer to a login or refresh, in the OAuth2 token-response shape.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    /// Always `bearer`.
    #[schema(value_type = String)]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    pub refresh_token: String,
}

pub struct Credentials<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub totp: Option<&'a str>,
}

/// A hash that verifies nothing, checked when the email is unknown so that a wrong email
/// takes as long as a wrong password.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    password::Password::parse(&random_token(), &[])
        .expect("a random token satisfies the password policy")
        .hash()
});

pub async fn login(
    auth: &AuthService,
    store: &Store,
    credentials: Credentials<'_>,
    client: &Client,
) -> Result<TokenPair, AuthError> {
    let account = credentials.email.trim().to_lowercase();
    let audit = |outcome, user: Option<i64>, reason: &str| {
        let mut entry = client
            .audit(AuditEntry::new("auth.login", outcome))
            .details(serde_json::json!({ "email": account, "reason": reason }));
        entry.actor_user_id = user;
        if let Some(id) = user {
            entry = entry.target("user", id);
        }
        entry
    };
    // The attempt is counted before the password is checked, so concurrent guesses cannot
    // get past the limit; it is given back only when it turns out not to be a guess.
    let attempt = match auth.throttle.reserve(store, &account, client.ip).await? {
        Ok(attempt) => attempt,
        Err(retry_after) => {
            super::audit(store, audit(AuditOutcome::Denied, None, "throttled")).await;
            return Err(AuthError::Throttled { retry_after });
        }
    };
    let user = match Email::parse(&account) {
        Ok(email) => store.find_user_by_email(&email).await?,
        Err(_) => None,
    };
    let stored_hash = user
        .as_ref()
        .map_or_else(|| DUMMY_HASH.clone(), |u| u.password_hash.clone());
    let candidate = credentials.password.to_owned();
    let password_ok = spawn_blocking_with_span(move || password::verify(&candidate, &stored_hash))
        .await
        .map_err(|e| AuthError::Internal(e.into()))?;
    let user = match user {
        Some(user) if password_ok => user,
        user => {
            auth.throttle.failed(attempt);
            let id = user.map(|u| u.id);
            super::audit(
                store,
                audit(AuditOutcome::Failure, id, "invalid_credentials"),
            )
            .await;
            return Err(AuthError::InvalidCredentials);
        }
    };
    if UserStatus::from_str(&user.status).ok() != Some(UserStatus::Active) {
        auth.throttle.release(store, attempt).await?;
        super::audit(
            store,
            audit(AuditOutcome::Denied, Some(user.id), "account_disabled"),
        )
        .await;
        return Err(AuthError::AccountDisabled);
    }
    if user.totp_enabled_at.is_some() {
        let Some(code) = credentials.totp.filter(|c| !c.trim().is_empty()) else {
            auth.throttle.release(store, attempt).await?;
            super::audit(
                store,
                audit(AuditOutcome::Failure, Some(user.id), "totp_required"),
            )
            .await;
            return Err(AuthError::TotpRequired);
        };
        if !totp::check_login_code(auth, store, user.id, code).await? {
            auth.throttle.failed(attempt);
            super::audit(
                store,
                audit(AuditOutcome::Failure, Some(user.id), "invalid_totp"),
            )
            .await;
            return Err(AuthError::InvalidTotp);
        }
    }
    auth.throttle.succeeded(store, attempt).await?;
    store.record_login(user.id).await?;
    let family = uuid::Uuid::new_v4().to_string();
    let pair = start_session(auth, store, &user, &family, client).await?;
    super::audit(store, audit(AuditOutcome::Success, Some(user.id), "ok")).await;
    tracing::info!(user.id = user.id, "logged in");
    Ok(pair)
}

/// Spends `refresh_token` and answers a new pair in the same family. A token that was
/// already spent means it was copied: the whole family is revoked.
pub async fn refresh(
    auth: &AuthService,
    store: &Store,
    refresh_token: &str,
    client: &Client,
) -> Result<TokenPair, AuthError> {
    let Some(session) = store
        .find_session_by_token_hash(&token_hash(refresh_token))
        .await?
    else {
        let entry = client.audit(AuditEntry::new("auth.refresh", AuditOutcome::Failure));
        super::audit(
            store,
            entry.details(serde_json::json!({ "reason": "unknown_token" })),
        )
        .await;
        return Err(AuthError::InvalidRefreshToken);
    };
    let audit = |action, outcome, reason| refresh_audit(client, &session, action, outcome, reason);
    if session.revoked_at.is_some() {
        super::audit(
            store,
            audit("auth.refresh", AuditOutcome::Failure, "revoked"),
        )
        .await;
        return Err(AuthError::InvalidRefreshToken);
    }
    if session.used_at.is_some() {
        return Err(reuse_detected(store, client, &session, "reused").await);
    }
    if session.expires_at <= Utc::now() {
        super::audit(
            store,
            audit("auth.refresh", AuditOutcome::Failure, "expired"),
        )
        .await;
        return Err(AuthError::InvalidRefreshToken);
    }
    let user = store.get_user(session.user_id).await?;
    if UserStatus::from_str(&user.status).ok() != Some(UserStatus::Active) {
        store.revoke_session_family(&session.family_id).await?;
        super::audit(
            store,
            audit("auth.refresh", AuditOutcome::Denied, "account_disabled"),
        )
        .await;
        return Err(AuthError::AccountDisabled);
    }
    let next = random_token();
    let next_hash = token_hash(&next);
    let rotation = store
        .rotate_session(
            session.id,
            &new_session(auth, &user, &session.family_id, &next_hash, client),
        )
        .await?;
    if rotation == Rotation::AlreadySpent {
        // Another request spent it between our read and our write: the same token twice.
        return Err(reuse_detected(store, client, &session, "reused_concurrently").await);
    }
    let pair = token_pair(auth, &user, &session.family_id, next)?;
    super::audit(store, audit("auth.refresh", AuditOutcome::Success, "ok")).await;
    Ok(pair)
}

/// Revokes the login session (refresh-token family) the caller's access token belongs to.
pub async fn logout(
    store: &Store,
    user_id: i64,
    family_id: &str,
    client: &Client,
) -> Result<(), AuthError> {
    let revoked = store.revoke_session_family(family_id).await?;
    let mut entry = client
        .audit(AuditEntry::new("auth.logout", AuditOutcome::Success))
        .target("session", family_id)
        .details(serde_json::json!({ "revoked_tokens": revoked }));
    entry.actor_user_id = Some(user_id);
    super::audit(store, entry).await;
    Ok(())
}

async fn reuse_detected(
    store: &Store,
    client: &Client,
    session: &SessionRecord,
    reason: &str,
) -> AuthError {
    match store.revoke_session_family(&session.family_id).await {
        Ok(revoked) => tracing::warn!(
            user.id = session.user_id,
            session.family = %session.family_id,
            revoked,
            "refresh token reuse detected, family revoked"
        ),
        Err(e) => return e.into(),
    }
    let entry = refresh_audit(
        client,
        session,
        "auth.refresh_reuse_detected",
        AuditOutcome::Denied,
        reason,
    );
    super::audit(store, entry).await;
    AuthError::RefreshTokenReused
}

fn refresh_audit(
    client: &Client,
    session: &SessionRecord,
    action: &'static str,
    outcome: AuditOutcome,
    reason: &str,
) -> AuditEntry {
    let mut entry = client
        .audit(AuditEntry::new(action, outcome))
        .target("session", &session.family_id)
        .details(serde_json::json!({ "reason": reason }));
    entry.actor_user_id = Some(session.user_id);
    entry
}

async fn start_session(
    auth: &AuthService,
    store: &Store,
    user: &UserRecord,
    family: &str,
    client: &Client,
) -> Result<TokenPair, AuthError> {
    let refresh_token = random_token();
    let hash = token_hash(&refresh_token);
    store
        .create_session(&new_session(auth, user, family, &hash, client))
        .await?;
    token_pair(auth, user, family, refresh_token)
}

fn new_session<'a>(
    auth: &AuthService,
    user: &UserRecord,
    family: &'a str,
    token_hash: &'a str,
    client: &'a Client,
) -> NewSession<'a> {
    let ttl = i64::try_from(auth.settings.refresh_token_ttl_secs).unwrap_or(i64::MAX / 2);
    NewSession {
        user_id: user.id,
        family_id: family,
        token_hash,
        expires_at: Utc::now() + Duration::seconds(ttl.min(100 * 365 * 86_400)),
        user_agent: client.user_agent.as_deref(),
        ip: client.ip_text.as_deref(),
    }
}

fn token_pair(
    auth: &AuthService,
    user: &UserRecord,
    family: &str,
    refresh_token: String,
) -> Result<TokenPair, AuthError> {
    let role = Role::from_str(&user.role)?;
    Ok(TokenPair {
        access_token: auth.tokens.issue(user.id, role, family)?,
        token_type: "bearer",
        expires_in: auth.tokens.ttl_secs(),
        refresh_token,
    })
}
