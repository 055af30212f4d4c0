//! The zero-shot dense retrieval baseline: embed the whole sentence and rank every ESCO
//! preferred label by cosine similarity.

use std::sync::Arc;

use rayon::prelude::*;

use super::SemanticError;
use super::vectors::SkillVectors;
use intellicv_core::{ExtractedSkill, SkillEvidence, SkillMethod, SourceSpan};
use intellicv_embed::Embedder;

/// Ranks skills by the cosine of each sentence with their preferred label.
pub struct DenseBaseline {
    embedder: Arc<Embedder>,
    vectors: Arc<SkillVectors>,
    top: usize,
}

impl DenseBaseline {
    /// `vectors` should hold preferred labels only ([`super::LabelViews::Preferred`]).
    pub fn new(embedder: Arc<Embedder>, vectors: Arc<SkillVectors>, top: usize) -> Self {
        Self {
            embedder,
            vectors,
            top,
        }
    }

    /// The `top` closest skills of each text, best first; the confidence is the cosine and
    /// the evidence the whole text.
    pub fn rank(&self, texts: &[&str]) -> Result<Vec<Vec<ExtractedSkill>>, SemanticError> {
        let vectors = self.embedder.embed_batch(texts)?;
        Ok(texts
            .par_iter()
            .zip(vectors.par_iter())
            .map(|(text, vector)| {
                self.vectors
                    .top_k(vector, self.top)
                    .into_iter()
                    .map(|(skill, score)| {
                        let (uri, label) = self.vectors.skill(skill);
                        ExtractedSkill {
                            uri: uri.to_owned(),
                            label: label.to_owned(),
                            confidence: score.clamp(0.0, 1.0),
                            method: SkillMethod::Semantic,
                            evidence: vec![SkillEvidence {
                                text: (*text).to_owned(),
                                source: SourceSpan::new(None, 0, text.len()),
                            }],
                        }
                    })
                    .collect()
            })
            .collect())
    }
}
