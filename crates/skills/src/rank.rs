//! Merging and ranking skill candidates from one or more sources.
//!
//! Every source (the gazetteer today, embedding similarity later) yields
//! [`ExtractedSkill`]s; [`merge`] joins them by URI so that agreeing sources reinforce each
//! other: confidences combine as a noisy-or (`1 - Π(1 - cᵢ)`, capped at
//! [`MAX_CONFIDENCE`]), evidence spans are united, and the method of the strongest
//! candidate is kept. The result is sorted by confidence, then by first evidence offset.

use std::collections::HashMap;

use intellicv_core::ExtractedSkill;

/// Upper bound of a merged confidence: repeated literal mentions never make a skill certain.
pub const MAX_CONFIDENCE: f32 = 0.99;

/// Merges candidates by URI and ranks them (see the module documentation).
pub fn merge(candidates: impl IntoIterator<Item = ExtractedSkill>) -> Vec<ExtractedSkill> {
    let mut by_uri: HashMap<String, usize> = HashMap::new();
    let mut merged: Vec<(ExtractedSkill, f32, f32)> = Vec::new();
    for candidate in candidates {
        match by_uri.get(&candidate.uri) {
            Some(&i) => {
                let (skill, miss, best) = &mut merged[i];
                *miss *= 1.0 - candidate.confidence;
                if candidate.confidence > *best {
                    *best = candidate.confidence;
                    skill.method = candidate.method;
                }
                for evidence in candidate.evidence {
                    if !skill.evidence.contains(&evidence) {
                        skill.evidence.push(evidence);
                    }
                }
            }
            None => {
                by_uri.insert(candidate.uri.clone(), merged.len());
                let (miss, best) = (1.0 - candidate.confidence, candidate.confidence);
                merged.push((candidate, miss, best));
            }
        }
    }
    let mut ranked: Vec<ExtractedSkill> = merged
        .into_iter()
        .map(|(mut skill, miss, _)| {
            skill.confidence = (1.0 - miss).clamp(0.0, MAX_CONFIDENCE);
            skill.evidence.sort_by_key(|e| e.source.start);
            skill
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then_with(|| first_offset(a).cmp(&first_offset(b)))
    });
    ranked
}

/// Literal hits first, in their order, then the semantic hits whose URI no literal hit
/// has, in theirs: a semantic match never outranks or duplicates a literal one.
pub fn literal_first(
    literal: Vec<ExtractedSkill>,
    semantic: impl IntoIterator<Item = ExtractedSkill>,
) -> Vec<ExtractedSkill> {
    let mut seen: std::collections::HashSet<String> =
        literal.iter().map(|s| s.uri.clone()).collect();
    let mut out = literal;
    out.extend(semantic.into_iter().filter(|s| seen.insert(s.uri.clone())));
    out
}

fn first_offset(skill: &ExtractedSkill) -> usize {
    skill
        .evidence
        .first()
        .map_or(usize::MAX, |e| e.source.start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use intellicv_core::{SkillEvidence, SkillMethod, SourceSpan};

    fn candidate(uri: &str, confidence: f32, start: usize, method: SkillMethod) -> ExtractedSkill {
        ExtractedSkill {
            uri: uri.to_owned(),
            label: uri.to_uppercase(),
            confidence,
            method,
            evidence: vec![SkillEvidence {
                text: "x".to_owned(),
                source: SourceSpan::new(None, start, start + 1),
            }],
        }
    }

    #[test]
    fn agreeing_candidates_combine_as_a_noisy_or() {
        let merged = merge([
            candidate("a", 0.5, 10, SkillMethod::Gazetteer),
            candidate("b", 0.7, 5, SkillMethod::Gazetteer),
            candidate("a", 0.6, 2, SkillMethod::Semantic),
        ]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].uri, "a");
        assert!((merged[0].confidence - 0.8).abs() < 1e-6);
        assert_eq!(merged[0].method, SkillMethod::Semantic);
        let starts: Vec<usize> = merged[0].evidence.iter().map(|e| e.source.start).collect();
        assert_eq!(starts, vec![2, 10]);
    }

    #[test]
    fn literal_hits_rank_first_and_semantic_duplicates_are_dropped() {
        let literal = vec![
            candidate("a", 0.3, 4, SkillMethod::Gazetteer),
            candidate("b", 0.2, 9, SkillMethod::Gazetteer),
        ];
        let semantic = vec![
            candidate("c", 0.9, 0, SkillMethod::Semantic),
            candidate("b", 0.95, 1, SkillMethod::Semantic),
            candidate("c", 0.5, 7, SkillMethod::Semantic),
            candidate("d", 0.4, 2, SkillMethod::Semantic),
        ];
        let out = literal_first(literal, semantic);
        let order: Vec<(&str, SkillMethod)> =
            out.iter().map(|s| (s.uri.as_str(), s.method)).collect();
        assert_eq!(
            order,
            vec![
                ("a", SkillMethod::Gazetteer),
                ("b", SkillMethod::Gazetteer),
                ("c", SkillMethod::Semantic),
                ("d", SkillMethod::Semantic)
            ]
        );
        assert_eq!(out[1].confidence, 0.2);
        assert_eq!(out[2].confidence, 0.9);
    }

    #[test]
    fn ties_rank_by_first_mention_and_confidence_is_capped() {
        let merged = merge([
            candidate("late", 0.9, 50, SkillMethod::Gazetteer),
            candidate("early", 0.9, 1, SkillMethod::Gazetteer),
            candidate("early", 0.99, 1, SkillMethod::Gazetteer),
        ]);
        assert_eq!(merged[0].uri, "early");
        assert_eq!(merged[0].confidence, MAX_CONFIDENCE);
        assert_eq!(merged[0].evidence.len(), 1);
        assert_eq!(merged[1].uri, "late");
    }
}
