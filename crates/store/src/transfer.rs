//! Reads for data export, and the natural-key lookups import needs.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sqlx::types::Json;

use super::jobs::JOB_COLUMNS;
use super::{JobRecord, Store, StoreError, with_pool};

/// A user as exported: no password hash, second-factor secret or tokens.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct UserExport {
    pub id: i64,
    pub email: String,
    pub role: String,
    pub status: String,
    pub display_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A resume as exported: the original bytes, the extracted text and the profile.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResumeExport {
    pub id: i64,
    pub owner_email: Option<String>,
    pub source_filename: String,
    pub content_hash: String,
    pub content_bytes: Option<Vec<u8>>,
    pub format: String,
    pub parse_status: String,
    pub parse_error_code: Option<String>,
    pub parse_error: Option<String>,
    pub extracted_text: Option<String>,
    pub profile: Option<Json<Value>>,
    pub category: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A posting as exported, its author by email.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobExport {
    #[sqlx(flatten)]
    pub job: JobRecord,
    pub created_by_email: Option<String>,
}

/// An application as exported, its applicant by email.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ApplicationExport {
    pub id: i64,
    pub user_email: String,
    pub job_id: i64,
    pub resume_id: Option<i64>,
    pub status: String,
    pub cover_note: Option<String>,
    pub match_score: Option<f64>,
    pub created_at: DateTime<Utc>,
}

impl Store {
    pub async fn export_users(&self) -> Result<Vec<UserExport>, StoreError> {
        let sql = "SELECT id, email, role, status, display_name, created_at FROM users \
                   ORDER BY id";
        Ok(with_pool!(self.db(), pool => {
            sqlx::query_as::<_, UserExport>(sql).fetch_all(pool).await
        })?)
    }

    pub async fn export_resumes(&self) -> Result<Vec<ResumeExport>, StoreError> {
        let sql = "SELECT r.id, u.email AS owner_email, r.source_filename, r.content_hash, \
                   r.content_bytes, r.format, r.parse_status, r.parse_error_code, \
                   r.parse_error, r.extracted_text, r.profile, r.category, r.created_at \
                   FROM resumes r LEFT JOIN users u ON u.id = r.owner_id ORDER BY r.id";
        Ok(with_pool!(self.db(), pool => {
            sqlx::query_as::<_, ResumeExport>(sql).fetch_all(pool).await
        })?)
    }

    pub async fn export_jobs(&self) -> Result<Vec<JobExport>, StoreError> {
        let sql = format!(
            "SELECT {JOB_COLUMNS}, (SELECT u.email FROM users u \
             WHERE u.id = job_postings.created_by) AS created_by_email \
             FROM job_postings ORDER BY id"
        );
        Ok(with_pool!(self.db(), pool => {
            sqlx::query_as::<_, JobExport>(&sql).fetch_all(pool).await
        })?)
    }

    pub async fn export_applications(&self) -> Result<Vec<ApplicationExport>, StoreError> {
        let sql = "SELECT a.id, u.email AS user_email, a.job_id, a.resume_id, a.status, \
                   a.cover_note, a.match_score, a.created_at \
                   FROM applications a JOIN users u ON u.id = a.user_id ORDER BY a.id";
        Ok(with_pool!(self.db(), pool => {
            sqlx::query_as::<_, ApplicationExport>(sql).fetch_all(pool).await
        })?)
    }

    /// A posting without an external id with exactly this source, title, company and
    /// description (how an import recognises one it stored before).
    pub async fn find_job_by_content(
        &self,
        source: &str,
        title: &str,
        company: Option<&str>,
        description: &str,
    ) -> Result<Option<i64>, StoreError> {
        let sql = "SELECT id FROM job_postings WHERE external_id IS NULL AND source = $1 \
                   AND title = $2 AND (company = $3 OR (company IS NULL AND $3 IS NULL)) \
                   AND description = $4 ORDER BY id LIMIT 1";
        Ok(with_pool!(self.db(), pool => {
            sqlx::query_scalar::<_, i64>(sql)
                .bind(source)
                .bind(title)
                .bind(company)
                .bind(description)
                .fetch_optional(pool)
                .await
        })?)
    }

    /// The application of `user_id` to `job_id`, if there is one.
    pub async fn find_application(
        &self,
        user_id: i64,
        job_id: i64,
    ) -> Result<Option<i64>, StoreError> {
        let sql = "SELECT id FROM applications WHERE user_id = $1 AND job_id = $2";
        Ok(with_pool!(self.db(), pool => {
            sqlx::query_scalar::<_, i64>(sql)
                .bind(user_id)
                .bind(job_id)
                .fetch_optional(pool)
                .await
        })?)
    }

    /// Whether a row with this id exists in `table` (one of a fixed set).
    pub async fn row_exists(&self, table: TransferTable, id: i64) -> Result<bool, StoreError> {
        let sql = format!("SELECT count(*) FROM {} WHERE id = $1", table.name());
        let n: i64 = with_pool!(self.db(), pool => {
            sqlx::query_scalar(&sql).bind(id).fetch_one(pool).await
        })?;
        Ok(n > 0)
    }
}

/// Tables an import refers to by id.
#[derive(Debug, Clone, Copy)]
pub enum TransferTable {
    Resumes,
    Jobs,
}

impl TransferTable {
    fn name(self) -> &'static str {
        match self {
            TransferTable::Resumes => "resumes",
            TransferTable::Jobs => "job_postings",
        }
    }
}
