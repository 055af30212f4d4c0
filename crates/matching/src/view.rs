//! What the scorer reads: a candidate, a job, and the similarity signals the search engine
//! computed for the pair.

use serde::{Deserialize, Serialize};

use intellicv_core::{ResumeProfile, YearMonth};
use intellicv_store::{JobRecord, JobSkillRecord};

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

/// The other side: a stored posting and its skills.
#[derive(Debug, Clone, Copy)]
pub struct JobView<'a> {
    pub job: &'a JobRecord,
    pub skills: &'a [JobSkillRecord],
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
