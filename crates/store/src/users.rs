use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Store, StoreError, with_pool};
use intellicv_core::{Email, Role, UserStatus};

/// A stored user. The password hash is skipped when serialised.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
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
    /// When the TOTP second factor was switched on; `None` while it is off.
    pub totp_enabled_at: Option<DateTime<Utc>>,
    /// The organisation the user works for (recruiters; admins may have one too).
    pub organisation_id: Option<i64>,
}

#[derive(Debug)]
pub struct NewUser {
    pub email: Email,
    pub password_hash: String,
    pub role: Role,
    pub display_name: Option<String>,
}

const USER_COLUMNS: &str = "id, email, password_hash, role, status, display_name, created_at, \
                            updated_at, last_login_at, totp_enabled_at, \
                            organisation_id";

/// A `WHERE` condition on a `users` row whose id is `$1`: true unless the row is the last
/// active admin.
const KEEPS_AN_ADMIN: &str = "(NOT (role = 'admin' AND status = 'active') OR EXISTS \
     (SELECT 1 FROM users other WHERE other.role = 'admin' AND other.status = 'active' \
     AND other.id <> $1))";

/// Filters, order and page of an admin user listing. Every field is already validated.
#[derive(Debug, Clone)]
pub struct UserQuery {
    pub role: Option<Role>,
    pub status: Option<UserStatus>,
    /// Matches users whose email contains this text (case-insensitive).
    pub email_contains: Option<String>,
    pub sort: UserSort,
    pub descending: bool,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserSort {
    Id,
    Email,
    CreatedAt,
    LastLoginAt,
    Role,
}

impl UserSort {
    pub const NAMES: &'static str = "id, email, created_at, last_login_at, role";

    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "id" => UserSort::Id,
            "email" => UserSort::Email,
            "created_at" => UserSort::CreatedAt,
            "last_login_at" => UserSort::LastLoginAt,
            "role" => UserSort::Role,
            _ => return None,
        })
    }

    fn column(self) -> &'static str {
        match self {
            UserSort::Id => "id",
            UserSort::Email => "email",
            UserSort::CreatedAt => "created_at",
            UserSort::LastLoginAt => "last_login_at",
            UserSort::Role => "role",
        }
    }
}

/// The fields an admin may change; `None` keeps the stored value. An empty display name
/// clears it.
#[derive(Debug, Clone, Default)]
pub struct UserUpdate {
    pub role: Option<Role>,
    pub status: Option<UserStatus>,
    pub display_name: Option<Option<String>>,
}

impl UserUpdate {
    pub fn is_empty(&self) -> bool {
        self.role.is_none() && self.status.is_none() && self.display_name.is_none()
    }
}

/// The second-factor state of one user.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TotpState {
    pub totp_secret: Option<String>,
    pub totp_enabled_at: Option<DateTime<Utc>>,
    pub totp_last_step: Option<i64>,
}

/// Escapes `%`, `_` and `\` so user text matches literally inside a LIKE pattern.
fn like_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

impl Store {
    pub async fn create_user(&self, user: &NewUser) -> Result<UserRecord, StoreError> {
        let now = Utc::now();
        let sql = format!(
            "INSERT INTO users (email, password_hash, role, status, display_name, created_at, \
             updated_at) VALUES ($1, $2, $3, 'active', $4, $5, $5) RETURNING {USER_COLUMNS}"
        );
        let created = with_pool!(self.db(), pool => {
            sqlx::query_as::<_, UserRecord>(&sql)
                .bind(user.email.as_str())
                .bind(&user.password_hash)
                .bind(user.role.as_str())
                .bind(&user.display_name)
                .bind(now)
                .fetch_one(pool)
                .await
        })
        .map_err(StoreError::conflict_or("user"))?;
        if user.role == Role::Recruiter {
            self.give_personal_organisation(created.id).await?;
            return self.get_user(created.id).await;
        }
        Ok(created)
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

    /// One page of users matching `query`, and how many match in all.
    pub async fn list_users(
        &self,
        query: &UserQuery,
    ) -> Result<(Vec<UserRecord>, i64), StoreError> {
        let filter = "($1 IS NULL OR role = $1) AND ($2 IS NULL OR status = $2) \
                      AND ($3 IS NULL OR email LIKE $3 ESCAPE '\\')";
        let direction = if query.descending { "DESC" } else { "ASC" };
        // NULL last-login times sort as the oldest on both backends.
        let nulls = match (query.sort, query.descending) {
            (UserSort::LastLoginAt, true) => "last_login_at IS NULL, ",
            (UserSort::LastLoginAt, false) => "last_login_at IS NOT NULL, ",
            _ => "",
        };
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users WHERE {filter} ORDER BY {nulls}{} {direction}, \
             id {direction} LIMIT $4 OFFSET $5",
            query.sort.column()
        );
        let count_sql = format!("SELECT COUNT(*) FROM users WHERE {filter}");
        let role = query.role.map(Role::as_str);
        let status = query.status.map(UserStatus::as_str);
        let email = query
            .email_contains
            .as_deref()
            .map(|e| like_pattern(&e.to_lowercase()));
        let (users, total) = with_pool!(self.db(), pool => {
            let users = sqlx::query_as::<_, UserRecord>(&sql)
                .bind(role)
                .bind(status)
                .bind(&email)
                .bind(query.limit)
                .bind(query.offset)
                .fetch_all(pool)
                .await?;
            let total: i64 = sqlx::query_scalar(&count_sql)
                .bind(role)
                .bind(status)
                .bind(&email)
                .fetch_one(pool)
                .await?;
            Ok::<_, sqlx::Error>((users, total))
        })?;
        Ok((users, total))
    }

    /// Applies `update` and returns the stored user. Refused with
    /// [`StoreError::LastAdmin`] when it would leave no active admin.
    pub async fn update_user(
        &self,
        id: i64,
        update: &UserUpdate,
    ) -> Result<UserRecord, StoreError> {
        let sql = format!(
            "UPDATE users SET role = COALESCE($2, role), status = COALESCE($3, status), \
             display_name = CASE WHEN $4 THEN $5 ELSE display_name END, updated_at = $6 \
             WHERE id = $1 AND ((COALESCE($2, role) = 'admin' \
             AND COALESCE($3, status) = 'active') OR {KEEPS_AN_ADMIN}) \
             RETURNING {USER_COLUMNS}"
        );
        let name = update.display_name.clone().flatten();
        let lock = self.admin_lock();
        let (user, exists) = with_pool!(self.db(), pool => {
            let mut tx = pool.begin().await?;
            if let Some(lock) = lock {
                sqlx::query(lock).execute(&mut *tx).await?;
            }
            let user = sqlx::query_as::<_, UserRecord>(&sql)
                .bind(id)
                .bind(update.role.map(Role::as_str))
                .bind(update.status.map(UserStatus::as_str))
                .bind(update.display_name.is_some())
                .bind(name)
                .bind(Utc::now())
                .fetch_optional(&mut *tx)
                .await?;
            let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>((user, exists))
        })?;
        match (user, exists > 0) {
            (Some(user), _) => {
                if update.role == Some(Role::Recruiter) && user.organisation_id.is_none() {
                    self.give_personal_organisation(id).await?;
                    return self.get_user(id).await;
                }
                Ok(user)
            }
            (None, true) => Err(StoreError::LastAdmin),
            (None, false) => Err(StoreError::NotFound { entity: "user" }),
        }
    }

    /// Deletes the user. Their sessions, preferences, resumes and applications go with them
    /// (foreign keys cascade); the API keys they created are revoked first and kept, without
    /// a creator, for the audit trail. Refused with [`StoreError::LastAdmin`] for the last
    /// active admin.
    pub async fn delete_user(&self, id: i64) -> Result<(), StoreError> {
        let now = Utc::now();
        let delete = format!("DELETE FROM users WHERE id = $1 AND {KEEPS_AN_ADMIN}");
        let lock = self.admin_lock();
        let (deleted, exists) = with_pool!(self.db(), pool => {
            let mut tx = pool.begin().await?;
            if let Some(lock) = lock {
                sqlx::query(lock).execute(&mut *tx).await?;
            }
            sqlx::query(
                "UPDATE api_keys SET revoked_at = $2 WHERE created_by = $1 AND revoked_at IS NULL",
            )
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let deleted = sqlx::query(&delete)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if deleted == 0 {
                let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
                tx.rollback().await?;
                Ok::<_, sqlx::Error>((false, exists > 0))
            } else {
                tx.commit().await?;
                Ok((true, true))
            }
        })?;
        match (deleted, exists) {
            (true, _) => Ok(()),
            (false, true) => Err(StoreError::LastAdmin),
            (false, false) => Err(StoreError::NotFound { entity: "user" }),
        }
    }

    /// On PostgreSQL, the statement that locks the active admins' rows for the rest of the
    /// transaction, so two concurrent demotions cannot each see the other admin still
    /// there. SQLite runs one writer at a time, and the guarded statement is that write.
    fn admin_lock(&self) -> Option<&'static str> {
        (self.backend() == super::Backend::Postgres).then_some(
            "SELECT id FROM users WHERE role = 'admin' AND status = 'active' ORDER BY id FOR UPDATE",
        )
    }

    pub async fn record_login(&self, id: i64) -> Result<(), StoreError> {
        with_pool!(self.db(), pool => {
            sqlx::query("UPDATE users SET last_login_at = $2 WHERE id = $1")
                .bind(id)
                .bind(Utc::now())
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    pub async fn totp_state(&self, id: i64) -> Result<TotpState, StoreError> {
        let sql = "SELECT totp_secret, totp_enabled_at, totp_last_step FROM users WHERE id = $1";
        with_pool!(self.db(), pool => {
            sqlx::query_as::<_, TotpState>(sql).bind(id).fetch_optional(pool).await
        })?
        .ok_or(StoreError::NotFound { entity: "user" })
    }

    /// Stores a new, not yet enabled secret. Returns false when the factor is already on.
    pub async fn set_pending_totp_secret(&self, id: i64, secret: &str) -> Result<bool, StoreError> {
        let changed = with_pool!(self.db(), pool => {
            sqlx::query(
                "UPDATE users SET totp_secret = $2, totp_last_step = NULL, updated_at = $3 \
                 WHERE id = $1 AND totp_enabled_at IS NULL",
            )
            .bind(id)
            .bind(secret)
            .bind(Utc::now())
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(changed == 1)
    }

    /// Replaces the stored TOTP secret `old` with `new` (the same secret, sealed). Returns
    /// false when the row no longer holds `old`.
    pub async fn replace_totp_secret(
        &self,
        id: i64,
        old: &str,
        new: &str,
    ) -> Result<bool, StoreError> {
        let changed = with_pool!(self.db(), pool => {
            sqlx::query("UPDATE users SET totp_secret = $3 WHERE id = $1 AND totp_secret = $2")
                .bind(id)
                .bind(old)
                .bind(new)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(changed == 1)
    }

    /// The TOTP secrets still stored in plain text (without the `v1:` sealing prefix).
    pub async fn plaintext_totp_secrets(&self) -> Result<Vec<(i64, String)>, StoreError> {
        let sql = "SELECT id, totp_secret FROM users \
                   WHERE totp_secret IS NOT NULL AND totp_secret NOT LIKE 'v1:%' ORDER BY id";
        let rows = with_pool!(self.db(), pool => {
            sqlx::query_as::<_, (i64, String)>(sql).fetch_all(pool).await
        })?;
        Ok(rows)
    }

    /// Removes the second factor, enabled or pending. Returns false when there is no such
    /// user.
    pub async fn reset_totp(&self, id: i64) -> Result<bool, StoreError> {
        let changed = with_pool!(self.db(), pool => {
            sqlx::query(
                "UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, \
                 totp_last_step = NULL, updated_at = $2 WHERE id = $1",
            )
            .bind(id)
            .bind(Utc::now())
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(changed == 1)
    }

    /// Switches the factor on after a valid code for `step`. Returns false when it was
    /// already on (a concurrent verify won).
    pub async fn enable_totp(&self, id: i64, step: i64) -> Result<bool, StoreError> {
        let now = Utc::now();
        let changed = with_pool!(self.db(), pool => {
            sqlx::query(
                "UPDATE users SET totp_enabled_at = $2, totp_last_step = $3, updated_at = $2 \
                 WHERE id = $1 AND totp_enabled_at IS NULL AND totp_secret IS NOT NULL",
            )
            .bind(id)
            .bind(now)
            .bind(step)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(changed == 1)
    }

    /// Records that the code for `step` was used. Returns false when this step (or a later
    /// one) was already used, so each code is accepted once.
    pub async fn consume_totp_step(&self, id: i64, step: i64) -> Result<bool, StoreError> {
        let changed = with_pool!(self.db(), pool => {
            sqlx::query(
                "UPDATE users SET totp_last_step = $2 \
                 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
            )
            .bind(id)
            .bind(step)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(changed == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_match_wildcards_literally() {
        assert_eq!(like_pattern("a_b%c\\d"), "%a\\_b\\%c\\\\d%");
        assert_eq!(like_pattern("ada"), "%ada%");
    }
}
