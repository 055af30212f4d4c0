//! Refresh-token sessions. Each login starts a family; each refresh spends one row and adds
//! the next. Only SHA-256 hashes of tokens are stored.

use chrono::{DateTime, Utc};

use super::{Store, StoreError, with_pool};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRecord {
    pub id: i64,
    pub user_id: i64,
    pub family_id: String,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug)]
pub struct NewSession<'a> {
    pub user_id: i64,
    pub family_id: &'a str,
    pub token_hash: &'a str,
    pub expires_at: DateTime<Utc>,
    pub user_agent: Option<&'a str>,
    pub ip: Option<&'a str>,
}

/// What the access-token check needs to know about the token's user and session.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionUser {
    pub role: String,
    pub status: String,
}

/// How a rotation attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    Rotated,
    /// The old token had been spent or revoked in the meantime; nothing was written.
    AlreadySpent,
}

const SESSION_COLUMNS: &str = "id, user_id, family_id, issued_at, expires_at, used_at, revoked_at";

const INSERT_SESSION: &str = "INSERT INTO user_sessions (user_id, family_id, token_hash, \
                              issued_at, expires_at, user_agent, ip) \
                              VALUES ($1, $2, $3, $4, $5, $6, $7)";

impl Store {
    pub async fn create_session(&self, session: &NewSession<'_>) -> Result<(), StoreError> {
        with_pool!(self.db(), pool => {
            sqlx::query(INSERT_SESSION)
                .bind(session.user_id)
                .bind(session.family_id)
                .bind(session.token_hash)
                .bind(Utc::now())
                .bind(session.expires_at)
                .bind(session.user_agent)
                .bind(session.ip)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(StoreError::conflict_or("session"))?;
        Ok(())
    }

    pub async fn find_session_by_token_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM user_sessions WHERE token_hash = $1");
        let session = with_pool!(self.db(), pool => {
            sqlx::query_as::<_, SessionRecord>(&sql)
                .bind(token_hash)
                .fetch_optional(pool)
                .await
        })?;
        Ok(session)
    }

    /// Marks session `old_id` spent and stores `next` in one transaction. When another
    /// request spent or revoked it first, nothing changes.
    pub async fn rotate_session(
        &self,
        old_id: i64,
        next: &NewSession<'_>,
    ) -> Result<Rotation, StoreError> {
        let now = Utc::now();
        let rotation = with_pool!(self.db(), pool => {
            let mut tx = pool.begin().await?;
            let spent = sqlx::query(
                "UPDATE user_sessions SET used_at = $2 \
                 WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL",
            )
            .bind(old_id)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if spent == 0 {
                tx.rollback().await?;
                return Ok(Rotation::AlreadySpent);
            }
            sqlx::query(INSERT_SESSION)
                .bind(next.user_id)
                .bind(next.family_id)
                .bind(next.token_hash)
                .bind(now)
                .bind(next.expires_at)
                .bind(next.user_agent)
                .bind(next.ip)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(Rotation::Rotated)
        })?;
        Ok(rotation)
    }

    /// Revokes every token of the family; returns how many were still live.
    pub async fn revoke_session_family(&self, family_id: &str) -> Result<u64, StoreError> {
        self.revoke_sessions_where("family_id = $1", family_id.to_owned())
            .await
    }

    /// Revokes every session of the user (all devices).
    pub async fn revoke_user_sessions(&self, user_id: i64) -> Result<u64, StoreError> {
        self.revoke_sessions_where("user_id = $1", user_id).await
    }

    async fn revoke_sessions_where<T>(&self, condition: &str, value: T) -> Result<u64, StoreError>
    where
        T: for<'q> sqlx::Encode<'q, sqlx::Sqlite>
            + for<'q> sqlx::Encode<'q, sqlx::Postgres>
            + sqlx::Type<sqlx::Sqlite>
            + sqlx::Type<sqlx::Postgres>
            + Send
            + 'static,
    {
        let sql = format!(
            "UPDATE user_sessions SET revoked_at = $2 WHERE {condition} AND revoked_at IS NULL"
        );
        let revoked = with_pool!(self.db(), pool => {
            sqlx::query(&sql).bind(value).bind(Utc::now()).execute(pool).await.map(|r| r.rows_affected())
        })?;
        Ok(revoked)
    }

    /// The user's current role and status, when the user exists and the session family has
    /// not been revoked (log-out or reuse detection end access tokens at once).
    pub async fn session_user(
        &self,
        user_id: i64,
        family_id: &str,
    ) -> Result<Option<SessionUser>, StoreError> {
        let sql = "SELECT role, status FROM users WHERE id = $1 AND NOT EXISTS \
                   (SELECT 1 FROM user_sessions WHERE family_id = $2 AND user_id = $1 \
                   AND revoked_at IS NOT NULL)";
        let user = with_pool!(self.db(), pool => {
            sqlx::query_as::<_, SessionUser>(sql)
                .bind(user_id)
                .bind(family_id)
                .fetch_optional(pool)
                .await
        })?;
        Ok(user)
    }
}
