//! Job postings written by recruiters: create, update, open/close, delete; each change is
//! indexed before it returns.

use crate::telemetry::spawn_blocking_with_span;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::DocumentError;
use intellicv_core::{
    EmploymentType, JobPostingDraft, RemoteMode, Salary, SalaryPeriod, Seniority, ValidationError,
};
use intellicv_search::Collection;
use intellicv_search::sync::index_documents;
use intellicv_skills::SkillExtractor;
use intellicv_skills::posting::attach_skills;
use intellicv_store::JobRecord;

/// A posting as a recruiter writes it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JobInput {
    pub title: String,
    pub description: String,
    pub company: Option<String>,
    pub location: Option<String>,
    pub country: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    #[serde(default = "unknown_remote")]
    pub remote_mode: RemoteMode,
    #[serde(default = "unknown_type")]
    pub employment_type: EmploymentType,
    pub seniority: Option<Seniority>,
    pub salary_min: Option<f64>,
    pub salary_max: Option<f64>,
    pub salary_currency: Option<String>,
    pub salary_period: Option<SalaryPeriod>,
    pub valid_through: Option<DateTime<Utc>>,
}

fn unknown_remote() -> RemoteMode {
    RemoteMode::Unknown
}

fn unknown_type() -> EmploymentType {
    EmploymentType::Unknown
}

impl JobInput {
    /// Validates the input into a draft (skills are found in the description).
    pub fn parse(self, skills: &SkillExtractor) -> Result<JobPostingDraft, ValidationError> {
        let title = self.title.trim().to_owned();
        if title.is_empty() || title.chars().count() > 200 {
            return Err(ValidationError::new("title", "must be 1 to 200 characters"));
        }
        if self.description.trim().is_empty() {
            return Err(ValidationError::new("description", "must not be empty"));
        }
        if let (Some(min), Some(max)) = (self.salary_min, self.salary_max)
            && min > max
        {
            return Err(ValidationError::new(
                "salary_min",
                "must not exceed salary_max",
            ));
        }
        if [self.salary_min, self.salary_max]
            .iter()
            .flatten()
            .any(|v| !v.is_finite() || *v < 0.0)
        {
            return Err(ValidationError::new(
                "salary_min",
                "salaries must be non-negative numbers",
            ));
        }
        match (self.latitude, self.longitude) {
            (Some(lat), Some(lon))
                if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) =>
            {
                return Err(ValidationError::new("latitude", "coordinates out of range"));
            }
            (Some(_), None) | (None, Some(_)) => {
                return Err(ValidationError::new(
                    "longitude",
                    "give both latitude and longitude",
                ));
            }
            _ => {}
        }
        if let Some(c) = &self.salary_currency
            && !(c.len() == 3 && c.chars().all(|ch| ch.is_ascii_uppercase()))
        {
            return Err(ValidationError::new(
                "salary_currency",
                "must be an ISO 4217 code such as GBP",
            ));
        }
        let salary = (self.salary_min.is_some() || self.salary_max.is_some()).then(|| Salary {
            min: self.salary_min,
            max: self.salary_max,
            currency: self.salary_currency.clone(),
            period: self.salary_period,
        });
        let mut draft = JobPostingDraft {
            source: "manual".to_owned(),
            external_id: None,
            title,
            company: self.company,
            location: self.location,
            country: self.country,
            latitude: self.latitude,
            longitude: self.longitude,
            remote_mode: self.remote_mode,
            employment_type: self.employment_type,
            seniority: self.seniority,
            salary,
            description: self.description,
            skills: Vec::new(),
            posted_at: Some(Utc::now()),
            valid_through: self.valid_through,
        };
        attach_skills(&mut draft, skills);
        Ok(draft)
    }
}

pub use super::Services;

async fn draft(s: &Services, input: JobInput) -> Result<JobPostingDraft, DocumentError> {
    let skills = s.skills.clone();
    Ok(spawn_blocking_with_span(move || input.parse(&skills)).await??)
}

pub async fn create(
    s: &Services,
    input: JobInput,
    created_by: Option<i64>,
) -> Result<JobRecord, DocumentError> {
    let draft = draft(s, input).await?;
    let record = s.store.create_job(&draft, created_by).await?;
    index_documents(&s.store, &s.engine, Collection::Jobs, &[record.id]).await?;
    if let Some(events) = &s.events {
        events.publish_job_stored(&record);
    }
    if let Some(postings) = &s.postings {
        postings.announce(record.clone());
    }
    Ok(record)
}

pub async fn update(s: &Services, id: i64, input: JobInput) -> Result<JobRecord, DocumentError> {
    let draft = draft(s, input).await?;
    let record = s.store.update_job(id, &draft).await?;
    index_documents(&s.store, &s.engine, Collection::Jobs, &[id]).await?;
    Ok(record)
}

/// The statuses a posting can be in.
pub const STATUSES: [&str; 4] = ["draft", "open", "closed", "archived"];

/// A posting status given as input, or a 422 naming `field`.
pub fn parse_status<'a>(raw: &'a str, field: &'static str) -> Result<&'a str, ValidationError> {
    STATUSES
        .contains(&raw)
        .then_some(raw)
        .ok_or_else(|| ValidationError::new(field, "must be one of draft, open, closed, archived"))
}

/// Opens or closes a posting; closed postings leave the search index.
pub async fn set_status(s: &Services, id: i64, status: &str) -> Result<JobRecord, DocumentError> {
    parse_status(status, "status")?;
    let record = s.store.set_job_status(id, status).await?;
    index_documents(&s.store, &s.engine, Collection::Jobs, &[id]).await?;
    Ok(record)
}

pub async fn delete(s: &Services, id: i64) -> Result<(), DocumentError> {
    if !s.store.delete_job(id).await? {
        return Err(DocumentError::NotFound("job"));
    }
    let engine = s.engine.clone();
    spawn_blocking_with_span(move || engine.delete(Collection::Jobs, &[id]))
        .await?
        .map_err(|e| DocumentError::Index(e.into()))?;
    Ok(())
}
