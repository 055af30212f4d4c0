//! "What would raise the score most": each lever is simulated by changing one component
//! and re-combining, with everything else (the engine's similarity signals too) held
//! fixed, then ranked by gain. Adding a skill would usually raise the lexical and semantic
//! signals as well, so skill gains are a lower bound.

use super::combine::{Values, combine};
use super::explain::{Improvement, ImprovementKind};
use super::salary::job_top_yearly;
use super::skills::{SkillAssessment, coverage};
use super::{CandidatePreferences, Component, JobView, MatchConfig};

/// A simulated change: its kind, wording, skill and the component scores it would give.
type Lever = (ImprovementKind, String, Option<String>, [Option<f32>; 7]);

/// Gains below this many points are not worth listing.
const MIN_GAIN: f32 = 0.05;

fn skill_levers(values: &Values, skills: &SkillAssessment, job: &JobView<'_>) -> Vec<Lever> {
    let mut levers = Vec::new();
    for (i, (skill, &(_, credit))) in job.skills.iter().zip(&skills.credits).enumerate() {
        if credit >= 1.0 {
            continue;
        }
        let mut credits = skills.credits.clone();
        credits[i].1 = 1.0;
        let scores = values.with(Component::Skills, coverage(&credits));
        let matched = skills.matched.iter().find(|m| m.uri == skill.uri);
        let (kind, action) = match matched {
            None => (
                ImprovementKind::AddSkill,
                format!(
                    "gain {} ({}) and show it in your current or a recent role",
                    skill.label, skill.requirement
                ),
            ),
            Some(m) => {
                let now = match m.resume_evidence.first().map(|e| &e.placement) {
                    Some(p) if p.role.is_some() => match p.years_ago {
                        Some(y) => format!("last shown in a role that ended {y:.0} years ago"),
                        None => "shown only in an undated role".to_owned(),
                    },
                    _ => "listed without a role".to_owned(),
                };
                (
                    ImprovementKind::ShowRecentSkill,
                    format!("show {} in a recent role (now {now})", skill.label),
                )
            }
        };
        levers.push((kind, action, Some(skill.uri.clone()), scores));
    }
    levers
}

/// The improvements worth listing, best first.
pub(crate) fn improvements(
    values: &Values,
    skills: &SkillAssessment,
    job: &JobView<'_>,
    prefs: Option<&CandidatePreferences>,
    base: f32,
    config: &MatchConfig,
) -> Vec<Improvement> {
    let mut levers = skill_levers(values, skills, job);
    if values.get(Component::Title).is_none_or(|t| t < 1.0) {
        levers.push((
            ImprovementKind::MatchTitle,
            format!(
                "name the posting's occupation ('{}') in your headline, if it describes your work",
                job.job.title
            ),
            None,
            values.with(Component::Title, Some(1.0)),
        ));
    }
    if values.get(Component::Salary).is_some_and(|s| s < 1.0)
        && let Some((top, currency)) = job_top_yearly(job.job)
    {
        levers.push((
            ImprovementKind::AdjustSalary,
            format!(
                "a desired salary up to {top:.0}{} a year fits this posting's range",
                currency.map(|c| format!(" {c}")).unwrap_or_default()
            ),
            None,
            values.with(Component::Salary, Some(1.0)),
        ));
    }
    if values.get(Component::Location).is_some_and(|s| s < 1.0) {
        let mode = job.job.remote_mode;
        let place = job
            .job
            .location
            .as_deref()
            .unwrap_or("the posting's location");
        let action = if prefs.is_some_and(|p| p.remote_only) {
            format!("be open to {mode} work in {place}")
        } else {
            format!("be open to working in {place}")
        };
        levers.push((
            ImprovementKind::WidenLocation,
            action,
            None,
            values.with(Component::Location, Some(1.0)),
        ));
    }
    let mut out: Vec<Improvement> = levers
        .into_iter()
        .map(|(kind, action, skill_uri, scores)| Improvement {
            kind,
            action,
            skill_uri,
            score_gain: ((combine(&scores, &config.weights) - base) * 100.0).round() / 100.0,
        })
        .filter(|i| i.score_gain >= MIN_GAIN)
        .collect();
    out.sort_by(|a, b| {
        b.score_gain
            .total_cmp(&a.score_gain)
            .then_with(|| a.action.cmp(&b.action))
    });
    out.truncate(config.max_improvements);
    out
}
