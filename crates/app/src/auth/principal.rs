//! Who is calling: a user with an access token, or a service with an API key, and the
//! role checks handlers run on it.

use std::str::FromStr;

use super::AuthService;
use super::api_keys;
use super::error::AuthError;
use intellicv_core::{Role, UserStatus};
use intellicv_store::{AuditEntry, Store};

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthUser {
    /// The role in force now: the user's stored role (a demotion applies at once, not at
    /// token expiry), or the API key's role scope.
    pub role: Role,
    pub subject: Subject,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A user with an access token from login session (refresh-token family) `session`.
    User { id: i64, session: String },
    /// A service calling with an API key.
    ApiKey { id: i64 },
}

/// A role check that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    #[error("this action needs the {required} role")]
    Forbidden { required: Role },
    #[error("this action needs a user login, not an API key")]
    UserRequired,
    /// Another user's object: answered exactly like a missing one, so existence does not
    /// leak.
    #[error("{entity} not found")]
    NotFound { entity: &'static str },
}

impl intellicv_core::ServiceError for AccessError {
    fn kind(&self) -> intellicv_core::ErrorKind {
        use intellicv_core::ErrorKind;
        match self {
            AccessError::NotFound { entity } => ErrorKind::NotFound { what: entity },
            AccessError::Forbidden { .. } | AccessError::UserRequired => {
                ErrorKind::Forbidden { code: "forbidden" }
            }
        }
    }
}

/// Whether `held` may act where `required` is needed: admins may do everything; the other
/// roles only what is meant for them.
pub fn grants(held: Role, required: Role) -> bool {
    held == Role::Admin || held == required
}

impl AuthUser {
    /// The user id, for a user login; `None` for an API key.
    pub fn user_id(&self) -> Option<i64> {
        match self.subject {
            Subject::User { id, .. } => Some(id),
            Subject::ApiKey { .. } => None,
        }
    }

    pub fn api_key_id(&self) -> Option<i64> {
        match self.subject {
            Subject::ApiKey { id } => Some(id),
            Subject::User { .. } => None,
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// `Ok` when the caller's role grants `required` (see [`grants`]).
    pub fn require(&self, required: Role) -> Result<(), AccessError> {
        if grants(self.role, required) {
            Ok(())
        } else {
            Err(AccessError::Forbidden { required })
        }
    }

    /// `Ok` when the caller holds any of `roles` (or is an admin).
    pub fn require_any(&self, roles: &[Role]) -> Result<(), AccessError> {
        match roles.iter().find(|r| grants(self.role, **r)) {
            Some(_) => Ok(()),
            None => Err(AccessError::Forbidden {
                required: roles.first().copied().unwrap_or(Role::Admin),
            }),
        }
    }

    /// The user id, or 403 for an API key (for endpoints about "my" account).
    pub fn require_user(&self) -> Result<i64, AccessError> {
        self.user_id().ok_or(AccessError::UserRequired)
    }

    /// `Ok` for the owner of an object and for admins. Anyone else gets the same
    /// "`entity` not found" a missing object gets, so ids of other users' objects cannot be
    /// probed.
    pub fn owns_or_admin(&self, owner_id: i64, entity: &'static str) -> Result<(), AccessError> {
        if self.is_admin() || self.user_id() == Some(owner_id) {
            Ok(())
        } else {
            Err(AccessError::NotFound { entity })
        }
    }

    /// An audit entry with this caller as the actor.
    pub fn audit(&self, entry: AuditEntry) -> AuditEntry {
        AuditEntry {
            actor_user_id: self.user_id(),
            actor_api_key_id: self.api_key_id(),
            ..entry
        }
    }
}

/// Checks an access token: signature and expiry, then that the user is still active and
/// the login session has not been revoked.
pub async fn authenticate_bearer(
    auth: &AuthService,
    store: &Store,
    token: &str,
) -> Result<AuthUser, AuthError> {
    let claims = auth.tokens.verify(token)?;
    let user_id = claims.user_id()?;
    let Some(user) = store.session_user(user_id, &claims.sid).await? else {
        return Err(AuthError::InvalidToken);
    };
    if UserStatus::from_str(&user.status).ok() != Some(UserStatus::Active) {
        return Err(AuthError::InvalidToken);
    }
    let role = Role::from_str(&user.role).map_err(|_| AuthError::InvalidToken)?;
    Ok(AuthUser {
        role,
        subject: Subject::User {
            id: user_id,
            session: claims.sid,
        },
    })
}

/// Checks an `X-API-Key` value. A key acts with its creator's current rights: when the
/// user who created it is disabled, or no longer holds the key's role, the key is refused.
pub async fn authenticate_api_key(store: &Store, key: &str) -> Result<AuthUser, AuthError> {
    let record = api_keys::verify(store, key).await?;
    let role = Role::from_str(&record.role).map_err(|_| AuthError::InvalidApiKey)?;
    if let Some(creator_id) = record.created_by {
        let creator = match store.get_user(creator_id).await {
            Ok(user) => user,
            Err(intellicv_store::StoreError::NotFound { .. }) => {
                return Err(AuthError::ApiKeyCreatorLacksRights);
            }
            Err(e) => return Err(e.into()),
        };
        let active = UserStatus::from_str(&creator.status).ok() == Some(UserStatus::Active);
        let holds_role = Role::from_str(&creator.role).is_ok_and(|held| grants(held, role));
        if !(active && holds_role) {
            tracing::info!(
                api_key.id = record.id,
                user.id = creator_id,
                "api key refused: its creator is disabled or no longer holds its role"
            );
            return Err(AuthError::ApiKeyCreatorLacksRights);
        }
    }
    Ok(AuthUser {
        role,
        subject: Subject::ApiKey { id: record.id },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i64, role: Role) -> AuthUser {
        AuthUser {
            role,
            subject: Subject::User {
                id,
                session: "s".into(),
            },
        }
    }

    #[test]
    fn admins_pass_every_role_check_and_others_only_their_own() {
        for required in [Role::Admin, Role::Recruiter, Role::Candidate] {
            assert!(user(1, Role::Admin).require(required).is_ok());
        }
        assert!(user(1, Role::Recruiter).require(Role::Recruiter).is_ok());
        assert_eq!(
            user(1, Role::Recruiter).require(Role::Admin),
            Err(AccessError::Forbidden {
                required: Role::Admin
            })
        );
        assert!(user(1, Role::Candidate).require(Role::Recruiter).is_err());
        assert!(user(1, Role::Recruiter).require(Role::Candidate).is_err());
        assert!(
            user(1, Role::Candidate)
                .require_any(&[Role::Recruiter, Role::Candidate])
                .is_ok()
        );
    }

    #[test]
    fn another_users_object_looks_missing_but_owners_and_admins_pass() {
        let candidate = user(7, Role::Candidate);
        assert!(candidate.owns_or_admin(7, "resume").is_ok());
        assert_eq!(
            candidate.owns_or_admin(8, "resume"),
            Err(AccessError::NotFound { entity: "resume" })
        );
        assert_eq!(
            user(9, Role::Recruiter).owns_or_admin(7, "resume"),
            Err(AccessError::NotFound { entity: "resume" })
        );
        assert!(user(1, Role::Admin).owns_or_admin(7, "resume").is_ok());
    }

    #[test]
    fn api_keys_act_with_their_role_but_own_nothing() {
        let key = AuthUser {
            role: Role::Recruiter,
            subject: Subject::ApiKey { id: 3 },
        };
        assert!(key.require(Role::Recruiter).is_ok());
        assert_eq!(key.require_user(), Err(AccessError::UserRequired));
        assert!(key.owns_or_admin(3, "resume").is_err());
        let entry = key.audit(AuditEntry::new("x", intellicv_store::AuditOutcome::Success));
        assert_eq!(
            (entry.actor_user_id, entry.actor_api_key_id),
            (None, Some(3))
        );
    }
}
