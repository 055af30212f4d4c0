//! Skill coverage: which of the posting's skills the resume shows, each weighted by
//! requirement and rarity and credited by how recent its best evidence is.

use std::collections::HashMap;

use serde::Serialize;

use super::recency::{Placement, place};
use super::{MatchConfig, SkillRarity};
use crate::PostingSkill;
use intellicv_core::{
    ExtractedSkill, Requirement, ResumeProfile, SkillEvidence, SourceSpan, YearMonth,
};

/// Most resume evidence spans listed per matched skill (the best ones).
const MAX_EVIDENCE: usize = 5;

/// A resume span supporting a matched skill, with where it sits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResumeEvidence {
    pub text: String,
    pub source: SourceSpan,
    #[serde(flatten)]
    pub placement: Placement,
}

/// A posting skill the resume shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchedSkill {
    pub uri: String,
    pub label: String,
    pub requirement: Requirement,
    /// Requirement weight times rarity weight: this skill's share of the coverage.
    pub weight: f32,
    pub rarity: f32,
    /// 0..=1: the recency weight of the best resume evidence.
    pub recency_weight: f32,
    pub resume_evidence: Vec<ResumeEvidence>,
    pub job_evidence: Vec<SkillEvidence>,
}

/// A posting skill the resume does not show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MissingSkill {
    pub uri: String,
    pub label: String,
    pub requirement: Requirement,
    pub weight: f32,
    pub rarity: f32,
    pub job_evidence: Vec<SkillEvidence>,
}

/// The weight and credit of every posting skill, in the posting's order.
#[derive(Debug, Clone, Default)]
pub struct SkillAssessment {
    /// (weight, credit 0..=1) per posting skill; credit 0 when missing.
    pub credits: Vec<(f32, f32)>,
    pub matched: Vec<MatchedSkill>,
    pub missing: Vec<MissingSkill>,
}

impl SkillAssessment {
    /// Weighted coverage 0..=1, `None` when the posting names no skills.
    pub fn coverage(&self) -> Option<f32> {
        coverage(&self.credits)
    }
}

pub fn coverage(credits: &[(f32, f32)]) -> Option<f32> {
    let total: f32 = credits.iter().map(|(w, _)| w).sum();
    (total > 0.0).then(|| credits.iter().map(|(w, c)| w * c).sum::<f32>() / total)
}

fn requirement_weight(requirement: Requirement, config: &MatchConfig) -> f32 {
    match requirement {
        Requirement::Required => config.required_weight,
        Requirement::Preferred => 1.0,
    }
}

fn resume_evidence(
    skill: &ExtractedSkill,
    profile: &ResumeProfile,
    today: YearMonth,
    config: &MatchConfig,
) -> (f32, Vec<ResumeEvidence>) {
    let mut evidence: Vec<ResumeEvidence> = skill
        .evidence
        .iter()
        .map(|e| ResumeEvidence {
            text: e.text.clone(),
            source: e.source.clone(),
            placement: place(&e.source, profile, today, config),
        })
        .collect();
    evidence.sort_by(|a, b| {
        b.placement
            .weight
            .total_cmp(&a.placement.weight)
            .then(a.source.start.cmp(&b.source.start))
    });
    // A skill stated without a span (by the user, or imported) counts as listed bare.
    let credit = evidence
        .first()
        .map_or(config.bare_skill_credit, |e| e.placement.weight);
    evidence.truncate(MAX_EVIDENCE);
    (credit, evidence)
}

/// Assesses every posting skill against the resume's skills.
pub fn assess(
    profile: &ResumeProfile,
    job_skills: &[PostingSkill],
    today: YearMonth,
    rarity: &SkillRarity,
    config: &MatchConfig,
) -> SkillAssessment {
    let by_uri: HashMap<&str, &ExtractedSkill> =
        profile.skills.iter().map(|s| (s.uri.as_str(), s)).collect();
    let mut out = SkillAssessment::default();
    for skill in job_skills {
        let skill_rarity = rarity.rarity(&skill.uri);
        let weight = requirement_weight(skill.requirement, config)
            * rarity.weight(&skill.uri, config.rarity_boost);
        match by_uri.get(skill.uri.as_str()) {
            Some(found) => {
                let (credit, evidence) = resume_evidence(found, profile, today, config);
                out.credits.push((weight, credit));
                out.matched.push(MatchedSkill {
                    uri: skill.uri.clone(),
                    label: skill.label.clone(),
                    requirement: skill.requirement,
                    weight,
                    rarity: skill_rarity,
                    recency_weight: credit,
                    resume_evidence: evidence,
                    job_evidence: skill.evidence.clone(),
                });
            }
            None => {
                out.credits.push((weight, 0.0));
                out.missing.push(MissingSkill {
                    uri: skill.uri.clone(),
                    label: skill.label.clone(),
                    requirement: skill.requirement,
                    weight,
                    rarity: skill_rarity,
                    job_evidence: skill.evidence.clone(),
                });
            }
        }
    }
    out
}
