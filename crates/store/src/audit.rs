//! The audit log: one row per auth event and per admin action.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::types::Json;

use super::{Store, StoreError, with_pool};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditOutcome {
    Success,
    Failure,
    Denied,
}

impl AuditOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditOutcome::Success => "success",
            AuditOutcome::Failure => "failure",
            AuditOutcome::Denied => "denied",
        }
    }
}

/// One event to record. `action` is a dotted name such as `auth.login`.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub action: &'static str,
    pub outcome: AuditOutcome,
    pub actor_user_id: Option<i64>,
    pub actor_api_key_id: Option<i64>,
    pub target_kind: Option<&'static str>,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    pub details: serde_json::Value,
}

impl AuditEntry {
    pub fn new(action: &'static str, outcome: AuditOutcome) -> Self {
        Self {
            action,
            outcome,
            actor_user_id: None,
            actor_api_key_id: None,
            target_kind: None,
            target_id: None,
            ip: None,
            details: serde_json::Value::Object(Default::default()),
        }
    }

    pub fn target(mut self, kind: &'static str, id: impl ToString) -> Self {
        self.target_kind = Some(kind);
        self.target_id = Some(id.to_string());
        self
    }

    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct AuditRecord {
    pub id: i64,
    pub actor_user_id: Option<i64>,
    pub actor_api_key_id: Option<i64>,
    pub action: String,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    pub outcome: String,
    pub ip: Option<String>,
    pub details: Json<serde_json::Value>,
    pub occurred_at: DateTime<Utc>,
}

impl Store {
    pub async fn record_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        with_pool!(self.db(), pool => {
            sqlx::query(
                "INSERT INTO audit_log (actor_user_id, actor_api_key_id, action, target_kind, \
                 target_id, outcome, ip, details, occurred_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(entry.actor_user_id)
            .bind(entry.actor_api_key_id)
            .bind(entry.action)
            .bind(entry.target_kind)
            .bind(&entry.target_id)
            .bind(entry.outcome.as_str())
            .bind(&entry.ip)
            .bind(Json(&entry.details))
            .bind(Utc::now())
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// The newest `limit` rows, optionally of one action only, newest first.
    pub async fn recent_audit(
        &self,
        action: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let sql = "SELECT id, actor_user_id, actor_api_key_id, action, target_kind, target_id, \
                   outcome, ip, details, occurred_at FROM audit_log \
                   WHERE ($1 IS NULL OR action = $1) ORDER BY id DESC LIMIT $2";
        let rows = with_pool!(self.db(), pool => {
            sqlx::query_as::<_, AuditRecord>(sql)
                .bind(action)
                .bind(limit)
                .fetch_all(pool)
                .await
        })?;
        Ok(rows)
    }
}
