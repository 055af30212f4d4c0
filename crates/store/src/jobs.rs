use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::types::Json;

use super::{Store, StoreError, with_pool};
use intellicv_core::{
    EmploymentType, JobPostingDraft, JobSkill, PostingStatus, RemoteMode, Requirement,
    SalaryPeriod, Seniority, SkillEvidence, ValidationError,
};

/// A stored job posting.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct JobRecord {
    pub id: i64,
    pub source: String,
    pub external_id: Option<String>,
    pub title: String,
    pub company: Option<String>,
    pub location: Option<String>,
    pub country: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    #[sqlx(try_from = "String")]
    pub remote_mode: RemoteMode,
    #[sqlx(try_from = "String")]
    pub employment_type: EmploymentType,
    #[sqlx(try_from = "NullableText")]
    pub seniority: Option<Seniority>,
    pub salary_min: Option<f64>,
    pub salary_max: Option<f64>,
    pub salary_currency: Option<String>,
    #[sqlx(try_from = "NullableText")]
    pub salary_period: Option<SalaryPeriod>,
    pub description: String,
    #[sqlx(try_from = "String")]
    pub status: PostingStatus,
    pub posted_at: Option<DateTime<Utc>>,
    pub valid_through: Option<DateTime<Utc>>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The organisation the posting belongs to: its author's when stored, else the
    /// default organisation (imports, admins without one). Its recruiters see and move
    /// the posting's applications.
    pub organisation_id: Option<i64>,
}

/// A nullable text column that holds a core enum's wire name, read into the enum.
#[derive(sqlx::Type)]
#[sqlx(transparent)]
pub(crate) struct NullableText(Option<String>);

macro_rules! nullable_text_enum {
    ($($name:ty),*) => {$(
        impl TryFrom<NullableText> for Option<$name> {
            type Error = ValidationError;

            fn try_from(text: NullableText) -> Result<Self, ValidationError> {
                text.0.map(<$name>::try_from).transpose()
            }
        }
    )*};
}

nullable_text_enum!(Seniority, SalaryPeriod);

pub(super) const JOB_COLUMNS: &str = "id, source, external_id, title, company, location, country, \
    latitude, longitude, remote_mode, employment_type, seniority, salary_min, salary_max, \
    salary_currency, salary_period, description, status, posted_at, valid_through, created_by, \
    created_at, updated_at, organisation_id";

/// A skill a stored posting asks for (a `job_skills` row).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobSkillRecord {
    pub job_id: i64,
    pub uri: String,
    pub label: String,
    pub requirement: Requirement,
    pub confidence: f32,
    pub evidence: Vec<SkillEvidence>,
}

impl JobSkillRecord {
    /// The row [`Store::insert_jobs`] stores for `skill` of posting `job_id`.
    pub fn from_job_skill(job_id: i64, skill: &JobSkill) -> Self {
        Self {
            job_id,
            uri: skill.skill.uri.clone(),
            label: skill.skill.label.clone(),
            requirement: skill.requirement,
            confidence: skill.skill.confidence,
            evidence: skill.skill.evidence.clone(),
        }
    }
}

#[derive(sqlx::FromRow)]
struct JobSkillRow {
    job_id: i64,
    skill_uri: String,
    label: String,
    requirement: String,
    confidence: f64,
    evidence: Json<Vec<SkillEvidence>>,
}

impl TryFrom<JobSkillRow> for JobSkillRecord {
    type Error = StoreError;

    fn try_from(row: JobSkillRow) -> Result<Self, StoreError> {
        let requirement = row
            .requirement
            .parse()
            .map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))?;
        Ok(Self {
            job_id: row.job_id,
            uri: row.skill_uri,
            label: row.label,
            requirement,
            confidence: row.confidence as f32,
            evidence: row.evidence.0,
        })
    }
}

/// Ids bound per `IN (...)` list, well under both backends' parameter limits.
const IDS_PER_QUERY: usize = 500;

/// What storing one posting of an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome", content = "id")]
pub enum JobInsertOutcome {
    Inserted(i64),
    /// Same source and external id as a stored posting: left as it was.
    Duplicate(i64),
}

impl Store {
    /// Stores open postings in one transaction, skipping those whose (source, external id)
    /// is already stored, so an import can be re-run safely.
    pub async fn insert_jobs(
        &self,
        jobs: &[JobPostingDraft],
        created_by: Option<i64>,
    ) -> Result<Vec<JobInsertOutcome>, StoreError> {
        self.insert_jobs_as(jobs, created_by, PostingStatus::Open)
            .await
    }

    /// [`Store::insert_jobs`] with the status each new posting is stored in, written by
    /// the same insert (an import of a closed posting never stores it open first).
    pub async fn insert_jobs_as(
        &self,
        jobs: &[JobPostingDraft],
        created_by: Option<i64>,
        status: PostingStatus,
    ) -> Result<Vec<JobInsertOutcome>, StoreError> {
        let now = Utc::now();
        let insert = "INSERT INTO job_postings (source, external_id, title, company, location, \
            country, latitude, longitude, remote_mode, employment_type, seniority, salary_min, \
            salary_max, salary_currency, salary_period, description, status, posted_at, \
            valid_through, created_by, created_at, updated_at, organisation_id) VALUES ($1, $2, \
            $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $21, $17, $18, $19, \
            $20, $20, COALESCE((SELECT u.organisation_id FROM users u WHERE u.id = $19), \
            (SELECT o.id FROM organisations o WHERE o.kind = 'default'))) ON CONFLICT (source, external_id) DO NOTHING RETURNING id";
        let existing = "SELECT id FROM job_postings WHERE source = $1 AND external_id = $2";
        let skill = "INSERT INTO job_skills (job_id, skill_uri, label, requirement, confidence, \
            evidence) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (job_id, skill_uri) DO NOTHING";
        with_pool!(self.db(), pool => {
            let mut tx = pool.begin().await?;
            let mut outcomes = Vec::with_capacity(jobs.len());
            for job in jobs {
                let salary = job.salary.as_ref();
                let id: Option<i64> = sqlx::query_scalar(insert)
                    .bind(&job.source)
                    .bind(&job.external_id)
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
                    .bind(created_by)
                    .bind(now)
                    .bind(status.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some(id) = id else {
                    let id: i64 = sqlx::query_scalar(existing)
                        .bind(&job.source)
                        .bind(&job.external_id)
                        .fetch_one(&mut *tx)
                        .await?;
                    outcomes.push(JobInsertOutcome::Duplicate(id));
                    continue;
                };
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
                outcomes.push(JobInsertOutcome::Inserted(id));
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(outcomes)
        })
        .map_err(StoreError::from)
    }

    pub async fn get_job(&self, id: i64) -> Result<JobRecord, StoreError> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM job_postings WHERE id = $1");
        with_pool!(self.db(), pool => {
            sqlx::query_as::<_, JobRecord>(&sql).bind(id).fetch_optional(pool).await
        })?
        .ok_or(StoreError::NotFound { entity: "job" })
    }

    pub async fn count_jobs(&self) -> Result<i64, StoreError> {
        let n = with_pool!(self.db(), pool => {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM job_postings").fetch_one(pool).await
        })?;
        Ok(n)
    }

    /// The skills of each of `job_ids`, in id order and, within a posting, required before
    /// preferred and then by URI. Postings without skills (or unknown ids) are absent.
    pub async fn job_skills_for(&self, job_ids: &[i64]) -> Result<Vec<JobSkillRecord>, StoreError> {
        let mut ids = job_ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut records = Vec::new();
        for chunk in ids.chunks(IDS_PER_QUERY) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT job_id, skill_uri, label, requirement, confidence, evidence FROM job_skills \
                 WHERE job_id IN ({}) ORDER BY job_id, requirement DESC, skill_uri",
                placeholders.join(", ")
            );
            let rows = with_pool!(self.db(), pool => {
                let mut query = sqlx::query_as::<_, JobSkillRow>(&sql);
                for id in chunk {
                    query = query.bind(id);
                }
                query.fetch_all(pool).await
            })?;
            for row in rows {
                records.push(JobSkillRecord::try_from(row)?);
            }
        }
        Ok(records)
    }

    /// How many postings there are and how many ask for each skill (required or preferred):
    /// the counts skill rarity is computed from.
    pub async fn job_skill_counts(&self) -> Result<(i64, Vec<(String, i64)>), StoreError> {
        let sql =
            "SELECT skill_uri, count(*) FROM job_skills GROUP BY skill_uri ORDER BY skill_uri";
        let counts = with_pool!(self.db(), pool => {
            sqlx::query_as::<_, (String, i64)>(sql).fetch_all(pool).await
        })?;
        Ok((self.count_jobs().await?, counts))
    }
}
