//! API keys for service-to-service calls. Only a SHA-256 hash of each key is stored; the
//! public prefix finds the row.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::{Page, Store, StoreError, with_pool};
use intellicv_core::Role;

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ApiKeyRecord {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    #[serde(skip)]
    pub key_hash: String,
    pub role: String,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug)]
pub struct NewApiKey<'a> {
    pub name: &'a str,
    pub prefix: &'a str,
    pub key_hash: &'a str,
    pub role: Role,
    pub created_by: Option<i64>,
    pub expires_at: Option<DateTime<Utc>>,
}

const KEY_COLUMNS: &str = "id, name, prefix, key_hash, role, created_by, created_at, \
                           expires_at, last_used_at, revoked_at";

/// `last_used_at` is written at most this often per key, not on every request.
const LAST_USED_RESOLUTION: Duration = Duration::minutes(1);

impl Store {
    pub async fn create_api_key(&self, key: &NewApiKey<'_>) -> Result<ApiKeyRecord, StoreError> {
        let sql = format!(
            "INSERT INTO api_keys (name, prefix, key_hash, role, created_by, created_at, \
             expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {KEY_COLUMNS}"
        );
        with_pool!(self.db(), pool => {
            sqlx::query_as::<_, ApiKeyRecord>(&sql)
                .bind(key.name)
                .bind(key.prefix)
                .bind(key.key_hash)
                .bind(key.role.as_str())
                .bind(key.created_by)
                .bind(Utc::now())
                .bind(key.expires_at)
                .fetch_one(pool)
                .await
        })
        .map_err(StoreError::conflict_or("api key"))
    }

    pub async fn find_api_key_by_prefix(
        &self,
        prefix: &str,
    ) -> Result<Option<ApiKeyRecord>, StoreError> {
        let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE prefix = $1");
        let key = with_pool!(self.db(), pool => {
            sqlx::query_as::<_, ApiKeyRecord>(&sql).bind(prefix).fetch_optional(pool).await
        })?;
        Ok(key)
    }

    pub async fn get_api_key(&self, id: i64) -> Result<ApiKeyRecord, StoreError> {
        let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE id = $1");
        with_pool!(self.db(), pool => {
            sqlx::query_as::<_, ApiKeyRecord>(&sql).bind(id).fetch_optional(pool).await
        })?
        .ok_or(StoreError::NotFound { entity: "api key" })
    }

    /// One page of keys, newest first, and how many there are in all.
    pub async fn list_api_keys(
        &self,
        include_revoked: bool,
        sort: ApiKeySort,
        descending: bool,
        page: Page,
    ) -> Result<(Vec<ApiKeyRecord>, i64), StoreError> {
        let filter = "($1 OR revoked_at IS NULL)";
        let direction = if descending { "DESC" } else { "ASC" };
        let sql = format!(
            "SELECT {KEY_COLUMNS} FROM api_keys WHERE {filter} \
             ORDER BY {} {direction}, id {direction} LIMIT $2 OFFSET $3",
            sort.column()
        );
        let count_sql = format!("SELECT COUNT(*) FROM api_keys WHERE {filter}");
        let page = with_pool!(self.db(), pool => {
            let keys = sqlx::query_as::<_, ApiKeyRecord>(&sql)
                .bind(include_revoked)
                .bind(page.limit)
                .bind(page.offset)
                .fetch_all(pool)
                .await?;
            let total: i64 = sqlx::query_scalar(&count_sql)
                .bind(include_revoked)
                .fetch_one(pool)
                .await?;
            Ok::<_, sqlx::Error>((keys, total))
        })?;
        Ok(page)
    }

    /// Revokes the key (keeping the first revocation time) and returns it.
    pub async fn revoke_api_key(&self, id: i64) -> Result<ApiKeyRecord, StoreError> {
        let sql = format!(
            "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 \
             RETURNING {KEY_COLUMNS}"
        );
        with_pool!(self.db(), pool => {
            sqlx::query_as::<_, ApiKeyRecord>(&sql)
                .bind(id)
                .bind(Utc::now())
                .fetch_optional(pool)
                .await
        })?
        .ok_or(StoreError::NotFound { entity: "api key" })
    }

    /// Notes that the key was used, at most once a minute per key.
    pub async fn touch_api_key(&self, id: i64) -> Result<(), StoreError> {
        let now = Utc::now();
        with_pool!(self.db(), pool => {
            sqlx::query(
                "UPDATE api_keys SET last_used_at = $2 \
                 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)",
            )
            .bind(id)
            .bind(now)
            .bind(now - LAST_USED_RESOLUTION)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(())
    }
}

/// The fields a key list may be sorted by; each maps to a fixed column name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKeySort {
    Id,
    CreatedAt,
    Name,
}

impl ApiKeySort {
    pub const NAMES: &'static str = "id, created_at, name";

    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "id" => ApiKeySort::Id,
            "created_at" => ApiKeySort::CreatedAt,
            "name" => ApiKeySort::Name,
            _ => return None,
        })
    }

    fn column(self) -> &'static str {
        match self {
            ApiKeySort::Id => "id",
            ApiKeySort::CreatedAt => "created_at",
            ApiKeySort::Name => "name",
        }
    }
}
