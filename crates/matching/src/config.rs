//! The tunable parameters of the scoring model: component weights and the few shape
//! parameters of each component. Everything has a documented default and deserialises from
//! a partial TOML/JSON table, so a config file only names what it changes.

use serde::{Deserialize, Serialize};

use super::Component;

/// Relative weights of the components. Only their ratios matter: the score divides by the
/// sum of the weights of the components that could be computed for a pair, so a missing
/// signal re-weights the others instead of counting as zero.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MatchWeights {
    /// Embedding similarity of the whole resume and posting (given by the search engine).
    pub semantic: f32,
    /// Lexical (BM25-style) relevance of the resume to the posting (given by the engine).
    pub lexical: f32,
    /// Coverage of the posting's skills, weighted by requirement, rarity and recency.
    pub skills: f32,
    /// Similarity of the candidate's headline and recent titles to the posting title.
    pub title: f32,
    /// Years of experience against the posting's seniority or stated years.
    pub experience: f32,
    /// Location and remote compatibility.
    pub location: f32,
    /// Desired salary against the posting's range.
    pub salary: f32,
}

impl Default for MatchWeights {
    /// Chosen with `intellicv-lab eval match` on the shared resume corpus (see docs/evaluation.md):
    /// semantic, lexical and title tuned for field precision; skills and experience the
    /// most weight that costs at most 0.01 of it; location and salary (no signal in the
    /// shared data) set.
    fn default() -> Self {
        Self {
            semantic: 0.13,
            lexical: 0.26,
            skills: 0.20,
            title: 0.26,
            experience: 0.05,
            location: 0.05,
            salary: 0.05,
        }
    }
}

impl MatchWeights {
    pub fn set(&mut self, component: Component, value: f32) {
        let slot = match component {
            Component::Semantic => &mut self.semantic,
            Component::Lexical => &mut self.lexical,
            Component::Skills => &mut self.skills,
            Component::Title => &mut self.title,
            Component::Experience => &mut self.experience,
            Component::Location => &mut self.location,
            Component::Salary => &mut self.salary,
        };
        *slot = value;
    }

    pub fn get(&self, component: Component) -> f32 {
        match component {
            Component::Semantic => self.semantic,
            Component::Lexical => self.lexical,
            Component::Skills => self.skills,
            Component::Title => self.title,
            Component::Experience => self.experience,
            Component::Location => self.location,
            Component::Salary => self.salary,
        }
    }
}

/// A linear ramp from a raw similarity to 0..=1: `floor` and below give 0, `ceiling` and
/// above give 1. Cosine similarities of unrelated texts are not 0, so the ramp starts above.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ramp {
    pub floor: f32,
    pub ceiling: f32,
}

impl Ramp {
    pub fn apply(&self, raw: f32) -> f32 {
        if self.ceiling <= self.floor {
            return if raw >= self.ceiling { 1.0 } else { 0.0 };
        }
        ((raw - self.floor) / (self.ceiling - self.floor)).clamp(0.0, 1.0)
    }
}

/// The whole model: weights plus component parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MatchConfig {
    pub weights: MatchWeights,
    /// Cosine similarity of the resume and posting embeddings to 0..=1.
    pub semantic_ramp: Ramp,
    /// Lexical relevance (already 0..=1 from the engine) to 0..=1.
    pub lexical_ramp: Ramp,
    /// Cosine similarity of title embeddings to 0..=1.
    pub title_ramp: Ramp,
    /// Weight of a required skill relative to a preferred one (which weighs 1).
    pub required_weight: f32,
    /// How much rarity can add: a skill no other posting asks for weighs `1 + rarity_boost`
    /// times one that every posting asks for.
    pub rarity_boost: f32,
    /// Years after which evidence from a finished role counts half.
    pub recency_half_life_years: f32,
    /// The least a dated role's evidence counts, however old.
    pub recency_floor: f32,
    /// Credit of a skill evidenced only outside dated roles (a skills list, the summary).
    pub bare_skill_credit: f32,
    /// Credit of a skill evidenced in a role whose dates are unknown.
    pub undated_role_credit: f32,
    /// A desired salary this fraction above the top of the posting's range scores 0
    /// (linear in between; at or below the top scores 1).
    pub salary_tolerance: f32,
    /// Largest number of improvements listed.
    pub max_improvements: usize,
}

impl Default for MatchConfig {
    fn default() -> Self {
        Self {
            weights: MatchWeights::default(),
            semantic_ramp: Ramp {
                floor: 0.15,
                ceiling: 0.75,
            },
            lexical_ramp: Ramp {
                floor: 0.0,
                ceiling: 1.0,
            },
            title_ramp: Ramp {
                floor: 0.3,
                ceiling: 0.9,
            },
            required_weight: 2.0,
            rarity_boost: 1.0,
            recency_half_life_years: 4.0,
            recency_floor: 0.3,
            bare_skill_credit: 0.6,
            undated_role_credit: 0.8,
            salary_tolerance: 0.3,
            max_improvements: 5,
        }
    }
}
