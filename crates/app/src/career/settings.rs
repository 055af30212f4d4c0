//! `[career]` settings.

use serde::{Deserialize, Serialize};

/// How career recommendations, pathways and coaching plans are computed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CareerSettings {
    /// Best-matching jobs whose missing skills are weighed for "skills to learn next"
    /// (and among which coaching plans pick suggested jobs).
    pub jobs_considered: usize,
    /// Occupations taken from each list (nearest by embedding, most skill overlap) before
    /// they are scored together.
    pub occupation_candidates: usize,
    /// Weight of the embedding similarity of the profile's titles and the occupation's
    /// label and definition in a pathway's score; the rest is skill overlap.
    pub similarity_weight: f32,
    /// An occupation's skills also include those that at least this share of the open
    /// postings whose title names the occupation ask for ...
    pub posting_skill_share: f32,
    /// ... when at least this many such postings exist.
    pub posting_skill_min_postings: i64,
}

impl Default for CareerSettings {
    fn default() -> Self {
        Self {
            jobs_considered: 20,
            occupation_candidates: 40,
            similarity_weight: 0.6,
            posting_skill_share: 0.3,
            posting_skill_min_postings: 2,
        }
    }
}
