//! What the scorer reads: a candidate, a job, and the similarity signals the search engine
//! computed for the pair.

use serde::{Deserialize, Serialize};

use intellicv_core::{
    EmploymentType, JobPostingDraft, JobSkill, RemoteMode, Requirement, ResumeProfile,
    SalaryPeriod, Seniority, SkillEvidence, YearMonth,
};

/// What a candidate asked for (from `user_preferences`), when known.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CandidatePreferences {
    pub desired_salary_yearly: Option<f64>,
    /// ISO 4217 code of the desired salary; when it and the posting's are both known and
    /// differ, salary fit is not computed.
    pub salary_currency: Option<String>,
    /// Places the candidate would work in ("London, UK", "Austin, TX").
    pub locations: Vec<String>,
    pub remote_only: bool,
}

/// One side of a match: a parsed resume, the candidate's preferences and the month that
/// counts as "now" for recency (a parameter, so scores are reproducible).
#[derive(Debug, Clone, Copy)]
pub struct CandidateView<'a> {
    pub profile: &'a ResumeProfile,
    pub preferences: Option<&'a CandidatePreferences>,
    pub today: YearMonth,
}

/// What the scorer reads of a posting. The caller builds it from wherever the posting
/// lives (a stored row, a draft); the scorer knows nothing of the store.
#[derive(Debug, Clone, PartialEq)]
pub struct Posting {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub location: Option<String>,
    pub country: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub remote_mode: RemoteMode,
    pub employment_type: EmploymentType,
    pub seniority: Option<Seniority>,
    pub salary_min: Option<f64>,
    pub salary_max: Option<f64>,
    /// ISO 4217 code such as `GBP`.
    pub salary_currency: Option<String>,
    pub salary_period: Option<SalaryPeriod>,
}

impl Posting {
    /// The posting a draft would become once stored as `id`.
    pub fn from_draft(id: i64, draft: &JobPostingDraft) -> Self {
        let salary = draft.salary.as_ref();
        Self {
            id,
            title: draft.title.clone(),
            description: draft.description.clone(),
            location: draft.location.clone(),
            country: draft.country.clone(),
            latitude: draft.latitude,
            longitude: draft.longitude,
            remote_mode: draft.remote_mode,
            employment_type: draft.employment_type,
            seniority: draft.seniority,
            salary_min: salary.and_then(|s| s.min),
            salary_max: salary.and_then(|s| s.max),
            salary_currency: salary.and_then(|s| s.currency.clone()),
            salary_period: salary.and_then(|s| s.period),
        }
    }
}

/// A skill a posting asks for, and where the posting asks for it.
#[derive(Debug, Clone, PartialEq)]
pub struct PostingSkill {
    pub uri: String,
    pub label: String,
    pub requirement: Requirement,
    pub evidence: Vec<SkillEvidence>,
}

impl From<&JobSkill> for PostingSkill {
    fn from(skill: &JobSkill) -> Self {
        Self {
            uri: skill.skill.uri.clone(),
            label: skill.skill.label.clone(),
            requirement: skill.requirement,
            evidence: skill.skill.evidence.clone(),
        }
    }
}

/// The other side: a posting and its skills.
#[derive(Debug, Clone, Copy)]
pub struct JobView<'a> {
    pub job: &'a Posting,
    pub skills: &'a [PostingSkill],
}

/// Similarities the search engine computed for the pair; `None` means not computed, and
/// the component is left out of the score (its weight goes to the others).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Signals {
    /// Cosine similarity of the resume and posting embeddings, -1..=1.
    pub semantic: Option<f32>,
    /// Lexical relevance normalised by the engine to 0..=1 (e.g. BM25 over the best score
    /// of the query).
    pub lexical: Option<f32>,
    /// Cosine similarity of the embeddings of the candidate's headline/titles and the
    /// posting title, -1..=1.
    pub title_semantic: Option<f32>,
}

/// How to score.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchOptions {
    /// Fair screening: score a redacted profile (no name, contact, age or gender cues) and
    /// keep the candidate's personal details out of the explanation.
    pub blind: bool,
}
