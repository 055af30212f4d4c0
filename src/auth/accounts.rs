//! Creating user accounts: shared by `intellicv users create` and the HTTP API.

use crate::auth::password::Password;
use crate::domain::{Email, Role, ValidationError};
use crate::store::{NewUser, Store, StoreError, UserRecord};
use crate::telemetry::spawn_blocking_with_span;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("an account with this email already exists")]
    EmailTaken,
    #[error(transparent)]
    Store(StoreError),
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

pub const MAX_DISPLAY_NAME_CHARS: usize = 200;

/// A trimmed display name; empty means none.
pub fn parse_display_name(raw: Option<&str>) -> Result<Option<String>, ValidationError> {
    match raw.map(str::trim) {
        Some("") | None => Ok(None),
        Some(name) if name.chars().count() > MAX_DISPLAY_NAME_CHARS => Err(ValidationError::new(
            "display_name",
            format!("must be at most {MAX_DISPLAY_NAME_CHARS} characters"),
        )),
        Some(name) => Ok(Some(name.to_owned())),
    }
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
