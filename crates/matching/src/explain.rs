//! The explanation that comes with every score.

use serde::Serialize;

use super::Component;
use super::skills::{MatchedSkill, MissingSkill};

/// One component's part in the score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentScore {
    pub name: Component,
    /// 0..=1, or `None` when the component could not be computed for this pair.
    pub score: Option<f32>,
    /// The configured weight.
    pub weight: f32,
    /// The weight after re-weighting over the computed components (these sum to 1).
    pub effective_weight: f32,
    /// Points of the 0..=100 score this component gives (these sum to the score).
    pub contribution: f32,
    pub detail: String,
}

/// What kind of change an improvement is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImprovementKind {
    /// Gain a missing skill (and show it in a recent role).
    AddSkill,
    /// Show a matched skill in a recent role rather than only listed or in an old role.
    ShowRecentSkill,
    /// A headline naming the posting's occupation.
    MatchTitle,
    /// A desired salary within the posting's range.
    AdjustSalary,
    /// Openness to the posting's place or way of working.
    WidenLocation,
}

/// A change that would raise the score, with the simulated gain in points (other
/// components, including the engine's similarity signals, held fixed).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Improvement {
    pub kind: ImprovementKind,
    pub action: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skill_uri: Option<String>,
    pub score_gain: f32,
}

/// A score 0..=100 and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchExplanation {
    pub score: f32,
    /// Scored in blind mode: personal details were ignored and are not shown.
    pub blind: bool,
    /// Every component in a fixed order, computed or not.
    pub components: Vec<ComponentScore>,
    /// Matched posting skills, heaviest first.
    pub matched_skills: Vec<MatchedSkill>,
    pub missing_required: Vec<MissingSkill>,
    pub missing_preferred: Vec<MissingSkill>,
    /// Best first.
    pub improvements: Vec<Improvement>,
}

impl MatchExplanation {
    pub fn component(&self, name: Component) -> Option<&ComponentScore> {
        self.components.iter().find(|c| c.name == name)
    }
}
