//! The background job queue: jobs with a lease, and the items of each job with their
//! outcome. Claiming is one atomic statement on either backend: PostgreSQL skips rows
//! another transaction holds (`FOR UPDATE SKIP LOCKED`); SQLite serialises writers, so the
//! same `UPDATE ... WHERE id = (SELECT ...)` without the locking clause is atomic there.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sqlx::types::Json;

use super::{Backend, Store, StoreError, with_pool};

/// A stored job.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct BackgroundJobRecord {
    pub id: i64,
    pub kind: String,
    #[schema(value_type = Object)]
    pub payload: Json<Value>,
    /// queued, running, succeeded, failed (will not be retried) or dead (out of attempts).
    pub status: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_after: DateTime<Utc>,
    pub locked_by: Option<String>,
    pub locked_until: Option<DateTime<Utc>>,
    /// Items finished (succeeded or failed).
    pub progress_done: i32,
    /// Items that failed (a file that could not be parsed, a bad posting).
    pub progress_failed: i32,
    pub progress_total: i32,
    #[schema(value_type = Option<Object>)]
    pub result: Option<Json<Value>>,
    pub last_error: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

const JOB_COLUMNS: &str = "id, kind, payload, status, attempts, max_attempts, run_after, \
    locked_by, locked_until, progress_done, progress_failed, progress_total, result, \
    last_error, created_by, created_at, updated_at, started_at, finished_at";

/// One item of a job as the status endpoint shows it.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct JobItemRecord {
    pub position: i32,
    /// What the item is: a file name, a path, a posting's title.
    pub item_key: String,
    /// pending, succeeded or failed.
    pub status: String,
    #[schema(value_type = Option<Object>)]
    pub result: Option<Json<Value>>,
    pub error: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// An item still to do, with its input (file bytes, a posting), if it carries one.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingItem {
    pub position: i32,
    pub item_key: String,
    pub input: Option<Vec<u8>>,
}

/// An item of a new job.
#[derive(Debug, Clone)]
pub struct NewJobItem {
    pub key: String,
    pub input: Option<Vec<u8>>,
}

#[derive(Debug, Clone)]
pub struct NewBackgroundJob {
    pub kind: String,
    pub payload: Value,
    pub max_attempts: i32,
    pub created_by: Option<i64>,
    pub items: Vec<NewJobItem>,
}

/// How an item ended.
#[derive(Debug, Clone)]
pub struct ItemOutcome {
    pub succeeded: bool,
    pub result: Option<Value>,
    pub error: Option<String>,
}

/// Where a failed attempt leaves its job.
#[derive(Debug, Clone, Copy)]
pub enum AfterFailure {
    /// Queued again, to run from this time on.
    RetryAt(DateTime<Utc>),
    /// Out of attempts.
    Dead,
    /// An error that another attempt cannot fix.
    Failed,
}

impl Store {
    /// Stores a queued job and its items in one transaction; returns its id.
    pub async fn enqueue_job(&self, job: &NewBackgroundJob) -> Result<i64, StoreError> {
        let now = Utc::now();
        let insert = "INSERT INTO background_jobs (kind, payload, status, max_attempts, \
            run_after, progress_total, created_by, created_at, updated_at) \
            VALUES ($1, $2, 'queued', $3, $4, $5, $6, $4, $4) RETURNING id";
        let item = "INSERT INTO background_job_items (job_id, position, item_key, input, \
            status, updated_at) VALUES ($1, $2, $3, $4, 'pending', $5)";
        let id = with_pool!(self.db(), pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(insert)
                .bind(&job.kind)
                .bind(Json(&job.payload))
                .bind(job.max_attempts)
                .bind(now)
                .bind(job.items.len() as i32)
                .bind(job.created_by)
                .fetch_one(&mut *tx)
                .await?;
            for (position, new) in job.items.iter().enumerate() {
                sqlx::query(item)
                    .bind(id)
                    .bind(position as i32)
                    .bind(&new.key)
                    .bind(&new.input)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(id)
        })?;
        Ok(id)
    }

    /// Takes the next job that is due (queued and past `run_after`, or running under a
    /// lease that ran out) for `worker` until `lease_until`, counting an attempt.
    pub async fn claim_job(
        &self,
        worker: &str,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<BackgroundJobRecord>, StoreError> {
        let now = Utc::now();
        let lock = match self.backend() {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE background_jobs SET status = 'running', attempts = attempts + 1, \
             locked_by = $1, locked_until = $2, started_at = COALESCE(started_at, $3), \
             updated_at = $3 WHERE id = (SELECT id FROM background_jobs \
             WHERE (status = 'queued' AND run_after <= $3) \
             OR (status = 'running' AND locked_until < $3) \
             ORDER BY run_after, id LIMIT 1{lock}) RETURNING {JOB_COLUMNS}"
        );
        let job = with_pool!(self.db(), pool => {
            sqlx::query_as::<_, BackgroundJobRecord>(&sql)
                .bind(worker)
                .bind(lease_until)
                .bind(now)
                .fetch_optional(pool)
                .await
        })?;
        Ok(job)
    }

    /// Extends `worker`'s lease on a running job; `false` when the lease is no longer its.
    pub async fn renew_lease(
        &self,
        id: i64,
        worker: &str,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE background_jobs SET locked_until = $3, updated_at = $4 \
                   WHERE id = $1 AND locked_by = $2 AND status = 'running'";
        let n = with_pool!(self.db(), pool => {
            sqlx::query(sql)
                .bind(id)
                .bind(worker)
                .bind(lease_until)
                .bind(Utc::now())
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(n == 1)
    }

    /// Up to `limit` items of a job still pending, in order.
    pub async fn pending_job_items(
        &self,
        job_id: i64,
        limit: i64,
    ) -> Result<Vec<PendingItem>, StoreError> {
        let sql = "SELECT position, item_key, input FROM background_job_items \
                   WHERE job_id = $1 AND status = 'pending' ORDER BY position LIMIT $2";
        let rows = with_pool!(self.db(), pool => {
            sqlx::query_as::<_, PendingItem>(sql).bind(job_id).bind(limit).fetch_all(pool).await
        })?;
        Ok(rows)
    }

    /// Records how an item ended and counts it in the job's progress, in one transaction;
    /// an item already recorded is left as it was (`false`). The input is dropped.
    pub async fn finish_job_item(
        &self,
        job_id: i64,
        position: i32,
        outcome: &ItemOutcome,
    ) -> Result<bool, StoreError> {
        let now = Utc::now();
        let status = if outcome.succeeded {
            "succeeded"
        } else {
            "failed"
        };
        let item = "UPDATE background_job_items SET status = $3, result = $4, error = $5, \
            input = NULL, updated_at = $6 WHERE job_id = $1 AND position = $2 \
            AND status = 'pending'";
        let job = "UPDATE background_jobs SET progress_done = progress_done + 1, \
            progress_failed = progress_failed + $2, updated_at = $3 WHERE id = $1";
        let recorded = with_pool!(self.db(), pool => {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(item)
                .bind(job_id)
                .bind(position)
                .bind(status)
                .bind(outcome.result.as_ref().map(Json))
                .bind(&outcome.error)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 1 {
                sqlx::query(job)
                    .bind(job_id)
                    .bind(i32::from(!outcome.succeeded))
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(n == 1)
        })?;
        Ok(recorded)
    }

    /// Marks `worker`'s job succeeded with its result; `false` when the lease was lost.
    pub async fn complete_job(
        &self,
        id: i64,
        worker: &str,
        result: &Value,
    ) -> Result<bool, StoreError> {
        let sql = "UPDATE background_jobs SET status = 'succeeded', result = $3, \
            last_error = NULL, locked_by = NULL, locked_until = NULL, finished_at = $4, \
            updated_at = $4 WHERE id = $1 AND locked_by = $2 AND status = 'running'";
        let n = with_pool!(self.db(), pool => {
            sqlx::query(sql)
                .bind(id)
                .bind(worker)
                .bind(Json(result))
                .bind(Utc::now())
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(n == 1)
    }

    /// Records a failed attempt of `worker`'s job: queued again for later, dead, or failed.
    pub async fn fail_job(
        &self,
        id: i64,
        worker: &str,
        error: &str,
        after: AfterFailure,
    ) -> Result<bool, StoreError> {
        let now = Utc::now();
        let (status, run_after, finished) = match after {
            AfterFailure::RetryAt(at) => ("queued", at, None),
            AfterFailure::Dead => ("dead", now, Some(now)),
            AfterFailure::Failed => ("failed", now, Some(now)),
        };
        let sql = "UPDATE background_jobs SET status = $3, last_error = $4, run_after = $5, \
            finished_at = $6, locked_by = NULL, locked_until = NULL, updated_at = $7 \
            WHERE id = $1 AND locked_by = $2 AND status = 'running'";
        let n = with_pool!(self.db(), pool => {
            sqlx::query(sql)
                .bind(id)
                .bind(worker)
                .bind(status)
                .bind(error)
                .bind(run_after)
                .bind(finished)
                .bind(now)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })?;
        Ok(n == 1)
    }

    /// Puts the running jobs of these workers back in the queue, due now, without
    /// counting the interrupted attempt (a clean shutdown).
    pub async fn release_jobs(&self, workers: &[String]) -> Result<u64, StoreError> {
        let sql = "UPDATE background_jobs SET status = 'queued', attempts = attempts - 1, \
            locked_by = NULL, locked_until = NULL, run_after = $2, updated_at = $2 \
            WHERE locked_by = $1 AND status = 'running' AND attempts > 0";
        let now = Utc::now();
        let mut released = 0;
        for worker in workers {
            released += with_pool!(self.db(), pool => {
                sqlx::query(sql)
                    .bind(worker)
                    .bind(now)
                    .execute(pool)
                    .await
                    .map(|r| r.rows_affected())
            })?;
        }
        Ok(released)
    }

    pub async fn get_background_job(&self, id: i64) -> Result<BackgroundJobRecord, StoreError> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM background_jobs WHERE id = $1");
        with_pool!(self.db(), pool => {
            sqlx::query_as::<_, BackgroundJobRecord>(&sql).bind(id).fetch_optional(pool).await
        })?
        .ok_or(StoreError::NotFound {
            entity: "background job",
        })
    }

    /// One page of a job's items (optionally of one status), in order, and how many match.
    pub async fn list_job_items(
        &self,
        job_id: i64,
        status: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<JobItemRecord>, i64), StoreError> {
        let filter = "job_id = $1 AND ($2 IS NULL OR status = $2)";
        let sql = format!(
            "SELECT position, item_key, status, result, error, updated_at \
             FROM background_job_items WHERE {filter} ORDER BY position LIMIT $3 OFFSET $4"
        );
        let count = format!("SELECT count(*) FROM background_job_items WHERE {filter}");
        let (rows, total) = with_pool!(self.db(), pool => {
            let rows = sqlx::query_as::<_, JobItemRecord>(&sql)
                .bind(job_id)
                .bind(status)
                .bind(limit)
                .bind(offset)
                .fetch_all(pool)
                .await?;
            let total: i64 = sqlx::query_scalar(&count)
                .bind(job_id)
                .bind(status)
                .fetch_one(pool)
                .await?;
            Ok::<_, sqlx::Error>((rows, total))
        })?;
        Ok((rows, total))
    }

    /// How many jobs are in each status (statuses without jobs are absent).
    pub async fn background_job_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let sql = "SELECT status, count(*) FROM background_jobs GROUP BY status";
        let rows = with_pool!(self.db(), pool => {
            sqlx::query_as::<_, (String, i64)>(sql).fetch_all(pool).await
        })?;
        Ok(rows)
    }
}
