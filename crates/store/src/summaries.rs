//! What a search hit shows of its document: a few columns, read without the rest of the
//! row (a resume's extracted text and profile, a posting's description).

use chrono::{DateTime, Utc};

use intellicv_core::{EmploymentType, RemoteMode, SalaryPeriod, Seniority};

use super::index_feed::rows_by_ids;
use super::jobs::NullableText;
use super::{Store, StoreError};

/// What a hit shows of a resume.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ResumeSummary {
    pub id: i64,
    pub headline: Option<String>,
    pub source_filename: String,
    pub years_experience: Option<f64>,
    #[sqlx(try_from = "NullableText")]
    pub seniority: Option<Seniority>,
}

/// What a hit shows of a job posting.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct JobSummary {
    pub id: i64,
    pub title: String,
    pub company: Option<String>,
    pub location: Option<String>,
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
    pub posted_at: Option<DateTime<Utc>>,
}

const RESUME_SUMMARY: &str =
    "SELECT id, headline, source_filename, years_experience, seniority FROM resumes";
const JOB_SUMMARY: &str = "SELECT id, title, company, location, remote_mode, employment_type, \
     seniority, salary_min, salary_max, salary_currency, salary_period, posted_at \
     FROM job_postings";

impl Store {
    /// The summaries of these resumes (those that exist), by id.
    pub async fn resume_summaries(&self, ids: &[i64]) -> Result<Vec<ResumeSummary>, StoreError> {
        rows_by_ids(self, RESUME_SUMMARY, ids).await
    }

    /// The summaries of these postings (those that exist), by id.
    pub async fn job_summaries(&self, ids: &[i64]) -> Result<Vec<JobSummary>, StoreError> {
        rows_by_ids(self, JOB_SUMMARY, ids).await
    }
}
