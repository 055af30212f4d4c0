//! Changing and removing stored job postings (recruiters edit their postings).

use chrono::Utc;
use sqlx::types::Json;

use super::jobs::JOB_COLUMNS;
use super::resumes::Page;
use super::{JobRecord, Store, StoreError, with_pool};
use intellicv_core::{JobPostingDraft, Seniority};

impl Store {
    /// Stores one posting written by a user (not an import): always a new row.
    pub async fn create_job(
        &self,
        job: &JobPostingDraft,
        created_by: Option<i64>,
    ) -> Result<JobRecord, StoreError> {
        let outcome = self
            .insert_jobs(std::slice::from_ref(job), created_by)
            .await?;
        let id = match outcome.first() {
            Some(super::JobInsertOutcome::Inserted(id)) => *id,
            _ => {
                return Err(StoreError::Conflict {
                    entity: "job posting",
                });
            }
        };
        self.get_job(id).await
    }

    /// Replaces a posting's fields and skills; its id, source and author stay.
    pub async fn update_job(
        &self,
        id: i64,
        job: &JobPostingDraft,
    ) -> Result<JobRecord, StoreError> {
        let sql = format!(
            "UPDATE job_postings SET title = $2, company = $3, location = $4, country = $5, \
             latitude = $6, longitude = $7, remote_mode = $8, employment_type = $9, \
             seniority = $10, salary_min = $11, salary_max = $12, salary_currency = $13, \
             salary_period = $14, description = $15, posted_at = $16, valid_through = $17, \
             updated_at = $18 WHERE id = $1 RETURNING {JOB_COLUMNS}"
        );
        let skill = "INSERT INTO job_skills (job_id, skill_uri, label, requirement, confidence, \
            evidence) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (job_id, skill_uri) DO NOTHING";
        let salary = job.salary.as_ref();
        let record = with_pool!(self.db(), pool => {
            let mut tx = pool.begin().await?;
            let record = sqlx::query_as::<_, JobRecord>(&sql)
                .bind(id)
                .bind(&job.title)
                .bind(&job.company)
                .bind(&job.location)
                .bind(&job.country)
                .bind(job.latitude)
                .bind(job.longitude)
                .bind(job.remote_mode.as_str())
                .bind(job.employment_type.as_str())
                .bind(job.seniority.map(Seniority::as_str))
                .bind(salary.and_then(|s| s.min))
                .bind(salary.and_then(|s| s.max))
                .bind(salary.and_then(|s| s.currency.clone()))
                .bind(salary.and_then(|s| s.period).map(|p| p.as_str()))
                .bind(&job.description)
                .bind(job.posted_at)
                .bind(job.valid_through)
                .bind(Utc::now())
                .fetch_optional(&mut *tx)
                .await?;
            if record.is_some() {
                sqlx::query("DELETE FROM job_skills WHERE job_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                for s in &job.skills {
                    sqlx::query(skill)
                        .bind(id)
                        .bind(&s.skill.uri)
                        .bind(&s.skill.label)
                        .bind(s.requirement.as_str())
                        .bind(f64::from(s.skill.confidence))
                        .bind(Json(&s.skill.evidence))
                        .execute(&mut *tx)
                        .await?;
                }
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(record)
        })?;
        record.ok_or(StoreError::NotFound { entity: "job" })
    }

    /// Sets a posting's status (`draft`, `open`, `closed`, `archived`).
    pub async fn set_job_status(&self, id: i64, status: &str) -> Result<JobRecord, StoreError> {
        let sql = format!(
            "UPDATE job_postings SET status = $2, updated_at = $3 WHERE id = $1 RETURNING {JOB_COLUMNS}"
        );
        with_pool!(self.db(), pool => {
            sqlx::query_as::<_, JobRecord>(&sql)
                .bind(id)
                .bind(status)
                .bind(Utc::now())
                .fetch_optional(pool)
                .await
        })?
        .ok_or(StoreError::NotFound { entity: "job" })
    }

    /// Deletes a posting with its skills, matches and applications. `false` when none.
    pub async fn delete_job(&self, id: i64) -> Result<bool, StoreError> {
        let n = with_pool!(self.db(), pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM document_embeddings WHERE collection = 'jobs' AND doc_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let n = sqlx::query("DELETE FROM job_postings WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            Ok::<_, sqlx::Error>(n)
        })?;
        Ok(n > 0)
    }

    /// One page of postings matching `query`, and how many match in all.
    pub async fn list_jobs(&self, query: &JobQuery) -> Result<(Vec<JobRecord>, i64), StoreError> {
        let filter = "($1 IS NULL OR created_by = $1) AND ($2 IS NULL OR status = $2) \
                      AND ($3 IS NULL OR remote_mode = $3) AND ($4 IS NULL OR employment_type = $4) \
                      AND ($5 IS NULL OR lower(company) = $5)";
        let direction = if query.descending { "DESC" } else { "ASC" };
        let sql = format!(
            "SELECT {JOB_COLUMNS} FROM job_postings WHERE {filter} \
             ORDER BY {} {direction}, id {direction} LIMIT $6 OFFSET $7",
            query.sort.column()
        );
        let count = format!("SELECT count(*) FROM job_postings WHERE {filter}");
        let company = query.company.as_deref().map(str::to_lowercase);
        let (rows, total) = with_pool!(self.db(), pool => {
            let rows = sqlx::query_as::<_, JobRecord>(&sql)
                .bind(query.created_by)
                .bind(query.status.as_deref())
                .bind(query.remote_mode.as_deref())
                .bind(query.employment_type.as_deref())
                .bind(company.as_deref())
                .bind(query.page.limit)
                .bind(query.page.offset)
                .fetch_all(pool)
                .await?;
            let total: i64 = sqlx::query_scalar(&count)
                .bind(query.created_by)
                .bind(query.status.as_deref())
                .bind(query.remote_mode.as_deref())
                .bind(query.employment_type.as_deref())
                .bind(company.as_deref())
                .fetch_one(pool)
                .await?;
            Ok::<_, sqlx::Error>((rows, total))
        })?;
        Ok((rows, total))
    }
}

/// What `list_jobs` returns: filters (`None` matches all), order and page.
#[derive(Debug, Clone)]
pub struct JobQuery {
    pub created_by: Option<i64>,
    pub status: Option<String>,
    pub remote_mode: Option<String>,
    pub employment_type: Option<String>,
    /// The whole company name, case-insensitive.
    pub company: Option<String>,
    pub sort: JobSort,
    pub descending: bool,
    pub page: Page,
}

/// The fields a posting list may be sorted by; each maps to a fixed column name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobSort {
    Id,
    CreatedAt,
    UpdatedAt,
    Title,
}

impl JobSort {
    pub const NAMES: &'static str = "id, created_at, updated_at, title";

    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "id" => JobSort::Id,
            "created_at" => JobSort::CreatedAt,
            "updated_at" => JobSort::UpdatedAt,
            "title" => JobSort::Title,
            _ => return None,
        })
    }

    fn column(self) -> &'static str {
        match self {
            JobSort::Id => "id",
            JobSort::CreatedAt => "created_at",
            JobSort::UpdatedAt => "updated_at",
            JobSort::Title => "title",
        }
    }
}
