//! Scoring one (resume, job) pair: compute each component, combine the computed ones.

use super::combine::{Values, combine};
use super::experience::experience_fit;
use super::improve::improvements;
use super::location::location_fit;
use super::salary::salary_fit;
use super::skills::{SkillAssessment, assess};
use super::title::best_title;
use super::{
    CandidateView, Component, ComponentScore, JobView, MatchConfig, MatchExplanation, MatchOptions,
    Signals, SkillRarity, redact_profile,
};
use crate::Posting;
use intellicv_core::{Requirement, ResumeProfile, YearMonth};

fn round2(x: f32) -> f32 {
    (x * 100.0).round() / 100.0
}

fn title_fit(
    profile: &ResumeProfile,
    job: &Posting,
    signals: &Signals,
    today: YearMonth,
    config: &MatchConfig,
) -> Option<(f32, String)> {
    let words = best_title(profile, &job.title, today, config);
    let semantic = signals
        .title_semantic
        .map(|s| (config.title_ramp.apply(s), s));
    let word_detail = words.as_ref().map(|(w, title)| {
        format!(
            "best title '{title}' against '{}': word overlap {w:.2}",
            job.title
        )
    });
    match (words, semantic) {
        (None, None) => None,
        (Some((w, _)), None) => Some((w, word_detail.unwrap_or_default())),
        (w, Some((s, raw))) => {
            let words_score = w.map_or(0.0, |(w, _)| w);
            let detail = match word_detail {
                Some(d) => format!("{d}; title embedding cosine {raw:.3}"),
                None => format!("title embedding cosine {raw:.3}"),
            };
            Some((words_score.max(s), detail))
        }
    }
}

fn skills_detail(skills: &SkillAssessment) -> String {
    let total = skills.credits.len();
    let req_matched = skills
        .matched
        .iter()
        .filter(|m| m.requirement == Requirement::Required)
        .count();
    let req_total = req_matched
        + skills
            .missing
            .iter()
            .filter(|m| m.requirement == Requirement::Required)
            .count();
    format!(
        "{} of {total} posting skills shown ({req_matched} of {req_total} required)",
        skills.matched.len()
    )
}

/// Scores how well a candidate fits a job, 0..=100, with the explanation.
pub fn score_match(
    candidate: &CandidateView<'_>,
    job: &JobView<'_>,
    signals: &Signals,
    rarity: &SkillRarity,
    config: &MatchConfig,
    options: MatchOptions,
) -> MatchExplanation {
    let redacted;
    let profile = if options.blind {
        redacted = redact_profile(candidate.profile);
        &redacted
    } else {
        candidate.profile
    };
    let prefs = candidate.preferences;
    let today = candidate.today;
    let mut values = Values::default();
    values.set(
        Component::Semantic,
        signals.semantic.map(|s| {
            (
                config.semantic_ramp.apply(s),
                format!("document embedding cosine {s:.3}"),
            )
        }),
        "no embedding similarity from the search engine",
    );
    values.set(
        Component::Lexical,
        signals.lexical.map(|s| {
            (
                config.lexical_ramp.apply(s),
                format!("lexical relevance {s:.3}"),
            )
        }),
        "no lexical relevance from the search engine",
    );
    let skills = assess(profile, job.skills, today, rarity, config);
    values.set(
        Component::Skills,
        skills.coverage().map(|c| (c, skills_detail(&skills))),
        "the posting names no skills",
    );
    values.set(
        Component::Title,
        title_fit(profile, job.job, signals, today, config),
        "the resume names no title",
    );
    values.set(
        Component::Experience,
        experience_fit(profile, job.job),
        "years or seniority unknown on one side",
    );
    let places: Vec<String> = match prefs {
        Some(p) if !p.locations.is_empty() => p.locations.clone(),
        _ => profile
            .contact
            .location
            .iter()
            .map(|l| l.value.clone())
            .collect(),
    };
    values.set(
        Component::Location,
        location_fit(
            &places,
            prefs.is_some_and(|p| p.remote_only),
            job.job,
            !options.blind,
        ),
        "place unknown on one side",
    );
    values.set(
        Component::Salary,
        salary_fit(
            prefs.and_then(|p| p.desired_salary_yearly),
            prefs.and_then(|p| p.salary_currency.as_deref()),
            job.job,
            config.salary_tolerance,
        ),
        "desired or offered salary unknown, or currencies differ",
    );

    let weights = &config.weights;
    let score = combine(&values.scores, weights);
    let total: f32 = Component::ALL
        .iter()
        .filter(|c| values.get(**c).is_some())
        .map(|c| weights.get(*c).max(0.0))
        .sum();
    let components = Component::ALL
        .iter()
        .map(|&name| {
            let score = values.get(name);
            let weight = weights.get(name);
            let effective = match score {
                Some(_) if total > 0.0 => weight.max(0.0) / total,
                _ => 0.0,
            };
            ComponentScore {
                name,
                score: score.map(|s| (s * 1000.0).round() / 1000.0),
                weight,
                effective_weight: (effective * 1000.0).round() / 1000.0,
                contribution: round2(100.0 * effective * score.unwrap_or(0.0)),
                detail: values.details[name.index()].clone(),
            }
        })
        .collect();
    let improvements = improvements(&values, &skills, job, prefs, score, config);
    let SkillAssessment {
        mut matched,
        missing,
        ..
    } = skills;
    matched.sort_by(|a, b| {
        (b.weight * b.recency_weight)
            .total_cmp(&(a.weight * a.recency_weight))
            .then_with(|| a.uri.cmp(&b.uri))
    });
    let (mut missing_required, mut missing_preferred): (Vec<_>, Vec<_>) = missing
        .into_iter()
        .partition(|m| m.requirement == Requirement::Required);
    for list in [&mut missing_required, &mut missing_preferred] {
        list.sort_by(|a, b| {
            b.weight
                .total_cmp(&a.weight)
                .then_with(|| a.uri.cmp(&b.uri))
        });
    }
    MatchExplanation {
        score: round2(score),
        blind: options.blind,
        components,
        matched_skills: matched,
        missing_required,
        missing_preferred,
        improvements,
    }
}
