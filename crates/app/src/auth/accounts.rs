//! Creating user accounts: shared by `intellicv users create` and the HTTP API.

use crate::auth::password::Password;
use crate::telemetry::spawn_blocking_with_span;
use intellicv_core::{Email, Role, ValidationError, parse_display_name};
use intellicv_store::{NewUser, Store, StoreError, UserRecord};

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("an account with this email already exists")]
    EmailTaken,
    #[error(transparent)]
    Store(StoreError),
}

impl intellicv_core::ServiceError for AccountError {
    fn kind(&self) -> intellicv_core::ErrorKind {
        match self {
            AccountError::Invalid(v) => v.kind(),
            AccountError::EmailTaken => intellicv_core::ErrorKind::Conflict {
                code: "email_taken",
            },
            AccountError::Store(s) => s.kind(),
        }
    }
}

impl From<StoreError> for AccountError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { .. } => AccountError::EmailTaken,
            other => AccountError::Store(other),
        }
    }
}

pub struct AccountInput<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub role: Role,
    pub display_name: Option<&'a str>,
}

/// Validates the input, hashes the password off the async runtime and stores the user.
pub async fn create_account(
    store: &Store,
    input: AccountInput<'_>,
) -> Result<UserRecord, AccountError> {
    let email = Email::parse(input.email)?;
    let display_name = parse_display_name(input.display_name)?;
    let known_words: Vec<&str> = std::iter::once(email.as_str())
        .chain(display_name.as_deref())
        .collect();
    let password = Password::parse(input.password, &known_words)?;
    let password_hash = spawn_blocking_with_span(move || password.hash())
        .await
        .expect("password hashing does not panic");
    let user = store
        .create_user(&NewUser {
            email,
            password_hash,
            role: input.role,
            display_name,
        })
        .await?;
    tracing::info!(user.id = user.id, user.role = %input.role, "account created");
    Ok(user)
}
