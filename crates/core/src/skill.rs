use serde::{Deserialize, Serialize};

use super::SourceSpan;

/// How a skill was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SkillMethod {
    /// A literal mention matched by the gazetteer (labels, synonyms, acronyms).
    Gazetteer,
    /// A phrase matched to the taxonomy by embedding similarity.
    Semantic,
    /// Stated or corrected by a user.
    User,
    /// Carried in an imported structured document (JSON Resume, schema.org).
    Import,
}

impl SkillMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            SkillMethod::Gazetteer => "gazetteer",
            SkillMethod::Semantic => "semantic",
            SkillMethod::User => "user",
            SkillMethod::Import => "import",
        }
    }
}

/// A text span supporting a skill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillEvidence {
    /// The matched text as it appears in the document.
    pub text: String,
    pub source: SourceSpan,
}

/// A skill found in a document, named by its ESCO URI and preferred label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtractedSkill {
    /// ESCO URI (`http://data.europa.eu/esco/skill/...`), or `intellicv:tech/<slug>` for a
    /// curated technology skill that ESCO does not name.
    pub uri: String,
    pub label: String,
    /// 0..=1
    pub confidence: f32,
    pub method: SkillMethod,
    pub evidence: Vec<SkillEvidence>,
}
