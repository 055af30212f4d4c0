//! Match scoring with explanations: how well one resume fits one job posting, 0..=100, and
//! why. Pure and synchronous (CPU work: call it from rayon or a blocking thread); the same
//! inputs always give the same score and explanation.
//!
//! The score is a weighted mean of components, each 0..=1: semantic and lexical similarity
//! (given by the search engine in [`Signals`]), skill coverage (required over preferred,
//! rare over common, recent evidence over old or bare), title similarity, years of
//! experience against the posting's seniority, location/remote fit and salary fit.
//! Components that cannot be computed for a pair are left out and the weights of the rest
//! re-normalised. See [`MatchConfig`] for the parameters and their defaults.

mod combine;
mod config;
mod experience;
mod explain;
mod improve;
mod location;
mod rarity;
mod recency;
mod redact;
mod salary;
mod score;
mod skills;
mod title;
mod view;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use combine::combine;
pub use config::{MatchConfig, MatchWeights, Ramp};
pub use explain::{ComponentScore, Improvement, ImprovementKind, MatchExplanation};
pub use rarity::SkillRarity;
pub use recency::{Placement, place, role_containing};
pub use redact::{Redacted, redact, redact_profile, redact_text};
pub use score::score_match;
pub use skills::{MatchedSkill, MissingSkill, ResumeEvidence};
pub use title::word_similarity;
pub use view::{
    CandidatePreferences, CandidateView, JobView, MatchOptions, Posting, PostingSkill, Signals,
};

/// The parts of the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Component {
    Semantic,
    Lexical,
    Skills,
    Title,
    Experience,
    Location,
    Salary,
}

impl Component {
    pub const ALL: [Component; 7] = [
        Component::Semantic,
        Component::Lexical,
        Component::Skills,
        Component::Title,
        Component::Experience,
        Component::Location,
        Component::Salary,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Component::Semantic => "semantic",
            Component::Lexical => "lexical",
            Component::Skills => "skills",
            Component::Title => "title",
            Component::Experience => "experience",
            Component::Location => "location",
            Component::Salary => "salary",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}
