use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Store, StoreError, with_pool};
use crate::domain::{Email, Role};

/// A stored user. The password hash is skipped when serialised.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct UserRecord {
    pub id: i64,
    pub email: String,
    #[serde(skip)]
    pub password_hash: String,
    pub role: String,
    pub status: String,
    pub display_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
}

#[derive(Debug)]
pub struct NewUser {
    pub email: Email,
    pub password_hash: String,
    pub role: Role,
    pub display_name: Option<String>,
}

const USER_COLUMNS: &str = "id, email, password_hash, role, status, display_name, created_at, \
                            updated_at, last_login_at";

impl Store {
    pub async fn create_user(&self, user: &NewUser) -> Result<UserRecord, StoreError> {
        let now = Utc::now();
        let sql = format!(
            "INSERT INTO users (email, password_hash, role, status, display_name, created_at, \
             updated_at) VALUES ($1, $2, $3, 'active', $4, $5, $5) RETURNING {USER_COLUMNS}"
        );
        with_pool!(self.db(), pool => {
            sqlx::query_as::<_, UserRecord>(&sql)
                .bind(user.email.as_str())
                .bind(&user.password_hash)
                .bind(user.role.as_str())
                .bind(&user.display_name)
                .bind(now)
                .fetch_one(pool)
                .await
        })
        .map_err(StoreError::conflict_or("user"))
    }

    pub async fn find_user_by_email(
        &self,
        email: &Email,
    ) -> Result<Option<UserRecord>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1");
        let user = with_pool!(self.db(), pool => {
            sqlx::query_as::<_, UserRecord>(&sql)
                .bind(email.as_str())
                .fetch_optional(pool)
                .await
        })?;
        Ok(user)
    }

    pub async fn get_user(&self, id: i64) -> Result<UserRecord, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        with_pool!(self.db(), pool => {
            sqlx::query_as::<_, UserRecord>(&sql).bind(id).fetch_optional(pool).await
        })?
        .ok_or(StoreError::NotFound { entity: "user" })
    }
}
