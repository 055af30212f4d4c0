//! AI enrichment results: runs of `POST /admin/ai/enrich`, one `ai_enrichments` row per
//! document and kind per run (history is kept; the newest row is the current one), and the
//! `ai_models` row of the model that produced them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::types::Json;

use super::{Store, StoreError, with_pool};

/// A model as registered in `ai_models`.
#[derive(Debug, Clone)]
pub struct ModelRegistration<'a> {
    pub name: &'a str,
    /// `embedding`, `generation` or `extraction`.
    pub kind: &'a str,
    pub version: &'a str,
    pub checksum: Option<&'a str>,
    pub dimensions: Option<i32>,
    pub config: serde_json::Value,
}

/// One run of enrichment.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct EnrichmentRunRecord {
    pub id: i64,
    pub requested_by: Option<i64>,
    #[schema(value_type = Object)]
    pub request: Json<serde_json::Value>,
    /// running, completed or failed.
    pub status: String,
    pub documents: i32,
    pub succeeded: i32,
    pub failed: i32,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// One stored result.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct EnrichmentRecord {
    pub id: i64,
    pub target_kind: String,
    pub target_id: i64,
    pub kind: String,
    pub model_id: Option<i64>,
    pub run_id: Option<i64>,
    pub result: Json<serde_json::Value>,
    pub created_at: DateTime<Utc>,
}

/// A result to store.
#[derive(Debug, Clone)]
pub struct NewEnrichment<'a> {
    /// `resume` or `job`.
    pub target_kind: &'a str,
    pub target_id: i64,
    pub kind: &'a str,
    /// The `ai_models` row of the model that produced it (`None` for rule-based results).
    pub model_id: Option<i64>,
    pub result: serde_json::Value,
}

const RUN_COLUMNS: &str =
    "id, requested_by, request, status, documents, succeeded, failed, started_at, finished_at";

impl Store {
    /// The id of the `ai_models` row for (name, version), created or refreshed (status
    /// `loaded`) now.
    pub async fn register_model(&self, model: &ModelRegistration<'_>) -> Result<i64, StoreError> {
        let sql = "INSERT INTO ai_models (name, kind, version, checksum, dimensions, config, \
                   status, loaded_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'loaded', $7, $7) \
                   ON CONFLICT (name, version) DO UPDATE SET checksum = excluded.checksum, \
                   dimensions = excluded.dimensions, config = excluded.config, \
                   status = 'loaded', loaded_at = excluded.loaded_at RETURNING id";
        let id = with_pool!(self.db(), pool => {
            sqlx::query_scalar::<_, i64>(sql)
                .bind(model.name)
                .bind(model.kind)
                .bind(model.version)
                .bind(model.checksum)
                .bind(model.dimensions)
                .bind(Json(&model.config))
                .bind(Utc::now())
                .fetch_one(pool)
                .await
        })?;
        Ok(id)
    }

    pub async fn start_enrichment_run(
        &self,
        requested_by: Option<i64>,
        request: &serde_json::Value,
        documents: i32,
    ) -> Result<EnrichmentRunRecord, StoreError> {
        let sql = format!(
            "INSERT INTO ai_enrichment_runs (requested_by, request, status, documents, \
             started_at) VALUES ($1, $2, 'running', $3, $4) RETURNING {RUN_COLUMNS}"
        );
        let run = with_pool!(self.db(), pool => {
            sqlx::query_as::<_, EnrichmentRunRecord>(&sql)
                .bind(requested_by)
                .bind(Json(request))
                .bind(documents)
                .bind(Utc::now())
                .fetch_one(pool)
                .await
        })?;
        Ok(run)
    }

    /// Stores one document's results of a run, all or none.
    pub async fn put_enrichments(
        &self,
        run_id: i64,
        rows: &[NewEnrichment<'_>],
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO ai_enrichments (target_kind, target_id, kind, model_id, result, \
                   created_at, run_id) VALUES ($1, $2, $3, $4, $5, $6, $7)";
        let now = Utc::now();
        with_pool!(self.db(), pool => async {
            let mut tx = pool.begin().await?;
            for row in rows {
                sqlx::query(sql)
                    .bind(row.target_kind)
                    .bind(row.target_id)
                    .bind(row.kind)
                    .bind(row.model_id)
                    .bind(Json(&row.result))
                    .bind(now)
                    .bind(run_id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        }.await)?;
        Ok(())
    }

    pub async fn finish_enrichment_run(
        &self,
        run_id: i64,
        status: &str,
        succeeded: i32,
        failed: i32,
    ) -> Result<EnrichmentRunRecord, StoreError> {
        let sql = format!(
            "UPDATE ai_enrichment_runs SET status = $2, succeeded = $3, failed = $4, \
             finished_at = $5 WHERE id = $1 RETURNING {RUN_COLUMNS}"
        );
        let run = with_pool!(self.db(), pool => {
            sqlx::query_as::<_, EnrichmentRunRecord>(&sql)
                .bind(run_id)
                .bind(status)
                .bind(succeeded)
                .bind(failed)
                .bind(Utc::now())
                .fetch_optional(pool)
                .await
        })?;
        run.ok_or(StoreError::NotFound {
            entity: "enrichment run",
        })
    }

    /// The newest result of each kind for a document.
    pub async fn latest_enrichments(
        &self,
        target_kind: &str,
        target_id: i64,
    ) -> Result<Vec<EnrichmentRecord>, StoreError> {
        let sql = "SELECT e.id, e.target_kind, e.target_id, e.kind, e.model_id, e.run_id, \
                   e.result, e.created_at FROM ai_enrichments e WHERE e.target_kind = $1 \
                   AND e.target_id = $2 AND e.id = (SELECT max(l.id) FROM ai_enrichments l \
                   WHERE l.target_kind = e.target_kind AND l.target_id = e.target_id \
                   AND l.kind = e.kind) ORDER BY e.kind";
        let rows = with_pool!(self.db(), pool => {
            sqlx::query_as::<_, EnrichmentRecord>(sql)
                .bind(target_kind)
                .bind(target_id)
                .fetch_all(pool)
                .await
        })?;
        Ok(rows)
    }

    /// Every stored result of a document, newest first (its history).
    pub async fn enrichment_history(
        &self,
        target_kind: &str,
        target_id: i64,
    ) -> Result<Vec<EnrichmentRecord>, StoreError> {
        let sql = "SELECT id, target_kind, target_id, kind, model_id, run_id, result, created_at \
                   FROM ai_enrichments WHERE target_kind = $1 AND target_id = $2 \
                   ORDER BY id DESC";
        let rows = with_pool!(self.db(), pool => {
            sqlx::query_as::<_, EnrichmentRecord>(sql)
                .bind(target_kind)
                .bind(target_id)
                .fetch_all(pool)
                .await
        })?;
        Ok(rows)
    }

    /// Ids of every resume (parsed or not) and every job posting, ascending, at most
    /// `limit` of each plus one (so a caller can tell there are more).
    pub async fn enrichable_ids(&self, limit: i64) -> Result<(Vec<i64>, Vec<i64>), StoreError> {
        let (resumes, jobs) = with_pool!(self.db(), pool => {
            let resumes: Vec<i64> =
                sqlx::query_scalar("SELECT id FROM resumes ORDER BY id LIMIT $1")
                    .bind(limit + 1)
                    .fetch_all(pool)
                    .await?;
            let jobs: Vec<i64> =
                sqlx::query_scalar("SELECT id FROM job_postings ORDER BY id LIMIT $1")
                    .bind(limit + 1)
                    .fetch_all(pool)
                    .await?;
            Ok::<_, sqlx::Error>((resumes, jobs))
        })?;
        Ok((resumes, jobs))
    }
}
