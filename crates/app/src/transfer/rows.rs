//! The rows of a transfer file: what export writes and import reads (ids and timestamps
//! may be left out of hand-written files).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use intellicv_store::{ApplicationExport, JobExport, ResumeExport, UserExport};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserRow {
    pub id: Option<i64>,
    pub email: String,
    pub role: String,
    pub status: Option<String>,
    pub display_name: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResumeRow {
    pub id: Option<i64>,
    /// The owner's email; none for operator imports.
    pub owner_email: Option<String>,
    pub source_filename: String,
    /// SHA-256 of the original bytes, checked on import.
    pub content_hash: Option<String>,
    /// The original file, base64 (standard alphabet, padded).
    pub content_base64: String,
    pub format: String,
    /// `parsed` (with `extracted_text` and `profile`) or `failed` (with `parse_error_code`).
    pub parse_status: String,
    pub parse_error_code: Option<String>,
    pub parse_error: Option<String>,
    pub extracted_text: Option<String>,
    pub profile: Option<Value>,
    /// The resume's category in the pool (see `ingest resumes --labels`).
    pub category: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobRow {
    pub id: Option<i64>,
    pub source: Option<String>,
    pub external_id: Option<String>,
    pub title: String,
    pub company: Option<String>,
    pub location: Option<String>,
    pub country: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub remote_mode: Option<String>,
    pub employment_type: Option<String>,
    pub seniority: Option<String>,
    pub salary_min: Option<f64>,
    pub salary_max: Option<f64>,
    pub salary_currency: Option<String>,
    pub salary_period: Option<String>,
    pub description: String,
    pub status: Option<String>,
    pub posted_at: Option<DateTime<Utc>>,
    pub valid_through: Option<DateTime<Utc>>,
    pub created_by_email: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationRow {
    pub id: Option<i64>,
    pub user_email: String,
    pub job_id: i64,
    pub resume_id: Option<i64>,
    pub status: Option<String>,
    pub cover_note: Option<String>,
    pub match_score: Option<f64>,
    pub created_at: Option<DateTime<Utc>>,
}

impl From<UserExport> for UserRow {
    fn from(u: UserExport) -> Self {
        Self {
            id: Some(u.id),
            email: u.email,
            role: u.role,
            status: Some(u.status),
            display_name: u.display_name,
            created_at: Some(u.created_at),
        }
    }
}

impl From<ResumeExport> for ResumeRow {
    fn from(r: ResumeExport) -> Self {
        Self {
            id: Some(r.id),
            owner_email: r.owner_email,
            source_filename: r.source_filename,
            content_hash: Some(r.content_hash),
            content_base64: STANDARD.encode(r.content_bytes.unwrap_or_default()),
            format: r.format,
            parse_status: r.parse_status,
            parse_error_code: r.parse_error_code,
            parse_error: r.parse_error,
            extracted_text: r.extracted_text,
            profile: r.profile.map(|p| p.0),
            category: r.category,
            created_at: Some(r.created_at),
        }
    }
}

impl From<JobExport> for JobRow {
    fn from(export: JobExport) -> Self {
        let j = export.job;
        Self {
            id: Some(j.id),
            source: Some(j.source),
            external_id: j.external_id,
            title: j.title,
            company: j.company,
            location: j.location,
            country: j.country,
            latitude: j.latitude,
            longitude: j.longitude,
            remote_mode: Some(j.remote_mode.as_str().to_owned()),
            employment_type: Some(j.employment_type.as_str().to_owned()),
            seniority: j.seniority.map(|s| s.as_str().to_owned()),
            salary_min: j.salary_min,
            salary_max: j.salary_max,
            salary_currency: j.salary_currency,
            salary_period: j.salary_period.map(|p| p.as_str().to_owned()),
            description: j.description,
            status: Some(j.status.as_str().to_owned()),
            posted_at: j.posted_at,
            valid_through: j.valid_through,
            created_by_email: export.created_by_email,
            created_at: Some(j.created_at),
        }
    }
}

impl From<ApplicationExport> for ApplicationRow {
    fn from(a: ApplicationExport) -> Self {
        Self {
            id: Some(a.id),
            user_email: a.user_email,
            job_id: a.job_id,
            resume_id: a.resume_id,
            status: Some(a.status),
            cover_note: a.cover_note,
            match_score: a.match_score,
            created_at: Some(a.created_at),
        }
    }
}
