//! `GET /career/recommendations`: jobs to look at (the matcher's best), skills to learn
//! next (the missing skills that would raise the most match scores across those jobs) and
//! roles to aim for (the best pathways).

use std::collections::HashMap;

use serde::Serialize;

use super::pathways::{Pathway, round3};
use super::{CareerError, CareerService};
use crate::matching::Component;
use crate::matching::service::JobMatch;
use intellicv_core::Requirement;

/// A job to look at.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecommendedJob {
    pub job_id: i64,
    pub title: String,
    pub company: Option<String>,
    pub location: Option<String>,
    /// Match score 0..=100.
    pub score: f32,
    /// Labels of the required skills the profile lacks.
    pub missing_required: Vec<String>,
    /// The change that would raise this score most, if any.
    pub best_improvement: Option<String>,
}

/// A skill to learn next.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SkillToLearn {
    pub uri: String,
    pub label: String,
    /// Of the jobs considered, how many ask for it (and the profile lacks it).
    pub jobs: usize,
    pub required_in: usize,
    pub preferred_in: usize,
    /// Points the match scores of those jobs would gain in all, were the skill shown in a
    /// current role (the scoring model's skills component re-computed, others fixed).
    pub total_score_gain: f32,
    pub mean_score_gain: f32,
    /// The jobs it would raise most, best gain first (at most five).
    pub job_ids: Vec<i64>,
}

/// The answer of `GET /career/recommendations`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Recommendations {
    pub user_id: i64,
    pub resume_id: Option<i64>,
    /// Best-matching jobs weighed for skills to learn.
    pub jobs_considered: usize,
    pub jobs: Vec<RecommendedJob>,
    pub skills_to_learn: Vec<SkillToLearn>,
    pub roles_to_aim_for: Vec<Pathway>,
}

/// Jobs, skills and roles listed.
const LISTED: usize = 10;
const ROLES: usize = 5;

/// The points each missing skill of a match would add: the skills component's effective
/// weight times the skill's share of the posting's skill weight (what
/// `matching::improve` simulates for "gain a missing skill").
pub fn missing_skill_gains(m: &JobMatch) -> Vec<(String, String, Requirement, f32)> {
    let e = &m.explanation;
    let Some(skills) = e.component(Component::Skills) else {
        return Vec::new();
    };
    let total: f32 = e.matched_skills.iter().map(|s| s.weight).sum::<f32>()
        + e.missing_required
            .iter()
            .chain(&e.missing_preferred)
            .map(|s| s.weight)
            .sum::<f32>();
    if total <= 0.0 || skills.score.is_none() {
        return Vec::new();
    }
    e.missing_required
        .iter()
        .chain(&e.missing_preferred)
        .map(|s| {
            let gain = skills.effective_weight * s.weight / total * 100.0;
            (s.uri.clone(), s.label.clone(), s.requirement, gain)
        })
        .collect()
}

/// Skills to learn across `matches`, most total gain first.
pub fn skills_to_learn(matches: &[JobMatch]) -> Vec<SkillToLearn> {
    let mut by_skill: HashMap<String, (SkillToLearn, Vec<(f32, i64)>)> = HashMap::new();
    for m in matches {
        for (uri, label, requirement, gain) in missing_skill_gains(m) {
            let (entry, gains) = by_skill.entry(uri.clone()).or_insert_with(|| {
                (
                    SkillToLearn {
                        uri,
                        label,
                        jobs: 0,
                        required_in: 0,
                        preferred_in: 0,
                        total_score_gain: 0.0,
                        mean_score_gain: 0.0,
                        job_ids: Vec::new(),
                    },
                    Vec::new(),
                )
            });
            entry.jobs += 1;
            match requirement {
                Requirement::Required => entry.required_in += 1,
                Requirement::Preferred => entry.preferred_in += 1,
            }
            entry.total_score_gain += gain;
            gains.push((gain, m.job_id));
        }
    }
    let mut out: Vec<SkillToLearn> = by_skill
        .into_values()
        .map(|(mut s, mut gains)| {
            gains.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            s.job_ids = gains.iter().take(5).map(|g| g.1).collect();
            s.mean_score_gain = round2(s.total_score_gain / s.jobs.max(1) as f32);
            s.total_score_gain = round2(s.total_score_gain);
            s
        })
        .collect();
    out.sort_by(|a, b| {
        b.total_score_gain
            .total_cmp(&a.total_score_gain)
            .then(b.jobs.cmp(&a.jobs))
            .then_with(|| a.uri.cmp(&b.uri))
    });
    out
}

fn round2(x: f32) -> f32 {
    (x * 100.0).round() / 100.0
}

impl CareerService {
    /// Recommendations for `user_id` from their latest parsed resume and profile.
    pub async fn recommendations(&self, user_id: i64) -> Result<Recommendations, CareerError> {
        let me = self.profile(user_id, None).await?;
        if me.is_empty() {
            return Err(CareerError::NotFound("parsed resume or profile skills"));
        }
        let matches = self.best_matches(&me).await?;
        let mut skills = skills_to_learn(&matches);
        skills.truncate(LISTED);
        let jobs = matches
            .iter()
            .take(LISTED)
            .map(|m| RecommendedJob {
                job_id: m.job_id,
                title: m.title.clone(),
                company: m.company.clone(),
                location: m.location.clone(),
                score: round3(m.score),
                missing_required: m
                    .explanation
                    .missing_required
                    .iter()
                    .map(|s| s.label.clone())
                    .collect(),
                best_improvement: m.explanation.improvements.first().map(|i| i.action.clone()),
            })
            .collect();
        let roles = self.pathways_for(&me, ROLES, &matches).await?;
        Ok(Recommendations {
            user_id,
            resume_id: me.resume_id,
            jobs_considered: matches.len(),
            jobs,
            skills_to_learn: skills,
            roles_to_aim_for: roles,
        })
    }
}
