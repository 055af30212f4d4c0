//! Choosing the scoring model's weights from measurements (`intellicv-lab eval match`).
//!
//! No public data pairs postings with the candidates who fit them, so the measurement uses
//! a proxy with real labels: a categorised resume pool. Each query resume is rewritten as
//! the posting for its owner's role ([`pseudo_posting`]: their title, their skills as the
//! requirements, their seniority), the matcher ranks the indexed resumes for it as it ranks
//! candidates for a job, and a candidate is relevant when it shares the query's category.
//! The component scores of every (posting, candidate) pair are computed once
//! ([`QueryPairs`]); trying a weighting is then a weighted mean per pair and a sort.
//!
//! Category labels say whether a candidate is in the right field, not whether they have
//! the years, live in the right place or want the offered salary: the weights of the
//! field components (semantic, lexical, skills, title) are tuned here, the shares of the
//! requirement components (experience, location, salary) are set, and their cost in field
//! relevance is measured.

use serde::Serialize;

use crate::similar::{K, ndcg_at, precision_at};
use intellicv_app::matching::{
    Component, MatchWeights, Posting, PostingSkill, SkillRarity, combine, role_containing,
};
use intellicv_core::{Requirement, ResumeProfile};

/// The components whose weights category labels can choose.
pub const FIELD: [Component; 4] = [
    Component::Semantic,
    Component::Lexical,
    Component::Skills,
    Component::Title,
];

/// A posting written from a resume: what its owner's role would ask for.
#[derive(Debug, Clone)]
pub struct PseudoPosting {
    pub job: Posting,
    pub skills: Vec<PostingSkill>,
}

/// The posting for a resume owner's role: titled with their headline (else their latest
/// role), asking for their `max_skills` most distinctive skills (rarest in the pool first,
/// as a posting names what sets the role apart, not what every role needs), requiring the
/// ones their roles show and preferring the ones they only list, at their seniority. No
/// place, salary or description: those are not what the category labels judge.
pub fn pseudo_posting(
    id: i64,
    profile: &ResumeProfile,
    rarity: &SkillRarity,
    max_skills: usize,
) -> PseudoPosting {
    let title = profile
        .headline
        .as_ref()
        .map(|h| h.value.clone())
        .or_else(|| profile.experience.iter().find_map(|e| e.title.clone()))
        .unwrap_or_default();
    let in_role = |skill: &intellicv_core::ExtractedSkill| {
        skill
            .evidence
            .iter()
            .any(|ev| role_containing(&ev.source, profile).is_some())
    };
    // Each skill with its confidence, which breaks ties between equally rare skills.
    let mut skills: Vec<(PostingSkill, f32)> = Vec::new();
    for skill in &profile.skills {
        if skills.iter().any(|(s, _)| s.uri == skill.uri) {
            continue;
        }
        let requirement = if in_role(skill) {
            Requirement::Required
        } else {
            Requirement::Preferred
        };
        let posting_skill = PostingSkill {
            uri: skill.uri.clone(),
            label: skill.label.clone(),
            requirement,
            evidence: Vec::new(),
        };
        skills.push((posting_skill, skill.confidence));
    }
    skills.sort_by(|(a, a_confidence), (b, b_confidence)| {
        rarity
            .rarity(&b.uri)
            .total_cmp(&rarity.rarity(&a.uri))
            .then(b_confidence.total_cmp(a_confidence))
            .then_with(|| a.uri.cmp(&b.uri))
    });
    skills.truncate(max_skills);
    PseudoPosting {
        job: Posting {
            id,
            title,
            description: String::new(),
            location: None,
            country: None,
            latitude: None,
            longitude: None,
            remote_mode: intellicv_core::RemoteMode::Unknown,
            employment_type: intellicv_core::EmploymentType::Unknown,
            seniority: profile.seniority,
            salary_min: None,
            salary_max: None,
            salary_currency: None,
            salary_period: None,
        },
        skills: skills.into_iter().map(|(skill, _)| skill).collect(),
    }
}

/// One scored candidate of a query: its id, whether it is relevant and its component
/// scores (indexed by [`Component`], `None` when not computed for the pair).
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    pub candidate: i64,
    pub relevant: bool,
    pub scores: [Option<f32>; 7],
}

/// The candidates the matcher retrieved for one query, in retrieval order.
#[derive(Debug, Clone)]
pub struct QueryPairs {
    pub pairs: Vec<Pair>,
    /// Relevant documents in the whole indexed pool (nDCG's ideal).
    pub available: usize,
}

/// Mean precision@10 and nDCG@10 over queries.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quality {
    pub precision_at_10: f64,
    pub ndcg_at_10: f64,
}

fn mean_quality(
    queries: &[QueryPairs],
    mut relevance: impl FnMut(&QueryPairs) -> Vec<bool>,
) -> Quality {
    let (mut p, mut n) = (0.0, 0.0);
    for q in queries {
        let relevant = relevance(q);
        p += precision_at(&relevant, K);
        n += ndcg_at(&relevant, K, q.available);
    }
    let count = queries.len().max(1) as f64;
    Quality {
        precision_at_10: p / count,
        ndcg_at_10: n / count,
    }
}

/// Quality of the candidates in retrieval order (before scoring).
pub fn retrieval_quality(queries: &[QueryPairs]) -> Quality {
    mean_quality(queries, |q| q.pairs.iter().map(|p| p.relevant).collect())
}

/// Quality of the candidates ranked by the match score under `weights` (ties by id, as
/// the matcher breaks them).
pub fn quality(queries: &[QueryPairs], weights: &MatchWeights) -> Quality {
    mean_quality(queries, |q| {
        let mut scored: Vec<(f32, i64, bool)> = q
            .pairs
            .iter()
            .map(|p| (combine(&p.scores, weights), p.candidate, p.relevant))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.into_iter().map(|(_, _, r)| r).collect()
    })
}

/// Weights giving `component` alone.
pub fn only(component: Component) -> MatchWeights {
    let mut w = zero();
    w.set(component, 1.0);
    w
}

fn zero() -> MatchWeights {
    MatchWeights {
        semantic: 0.0,
        lexical: 0.0,
        skills: 0.0,
        title: 0.0,
        experience: 0.0,
        location: 0.0,
        salary: 0.0,
    }
}

/// Every way of splitting `units` into `parts` non-negative integers.
fn compositions(units: u32, parts: usize) -> Vec<Vec<u32>> {
    if parts <= 1 {
        return vec![vec![units; parts]];
    }
    let mut out = Vec::new();
    for first in 0..=units {
        for mut rest in compositions(units - first, parts - 1) {
            rest.insert(0, first);
            out.push(rest);
        }
    }
    out
}

/// The best weighting of `tuned` on `queries` (by precision@10, then nDCG@10), searched on
/// a grid of steps of `step` over the share the other components' weights in `base` leave
/// them (one minus their sum); the other weights stay `base`'s.
pub fn tune_weights(
    queries: &[QueryPairs],
    base: &MatchWeights,
    tuned: &[Component],
    step: f32,
) -> (MatchWeights, Quality) {
    let fixed: f32 = Component::ALL
        .iter()
        .filter(|c| !tuned.contains(c))
        .map(|c| base.get(*c).max(0.0))
        .sum();
    let share = (1.0 - fixed).max(0.0);
    let units = (1.0 / step.clamp(0.01, 1.0)).round() as u32;
    let mut best: Option<(Quality, MatchWeights)> = None;
    for split in compositions(units, tuned.len()) {
        let mut w = *base;
        for (component, u) in tuned.iter().zip(split) {
            w.set(*component, share * u as f32 / units as f32);
        }
        let q = quality(queries, &w);
        let better = best.as_ref().is_none_or(|(b, _)| {
            (q.precision_at_10, q.ndcg_at_10) > (b.precision_at_10, b.ndcg_at_10)
        });
        if better {
            best = Some((q, w));
        }
    }
    best.map_or((*base, quality(queries, base)), |(q, w)| (w, q))
}

/// The best weighting of the [`FIELD`] components, the requirement weights kept `base`'s.
pub fn tune_field_weights(queries: &[QueryPairs], base: &MatchWeights, step: f32) -> MatchWeights {
    tune_weights(queries, base, &FIELD, step).0
}

/// The field signals without skills: what a requirement budget leaves to be tuned.
const FIELD_WITHOUT_SKILLS: [Component; 3] =
    [Component::Semantic, Component::Lexical, Component::Title];

/// One split between requirement fit (skills, experience) and field fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BudgetCell {
    pub skills: f32,
    pub experience: f32,
    /// The field weights tuned for this split (location and salary as in `base`).
    pub weights: MatchWeights,
    pub tuning: Quality,
}

/// For every pair of skills and experience weights, the semantic, lexical and title
/// weights tuned on `queries` for the share left.
pub fn requirement_budget(
    queries: &[QueryPairs],
    base: &MatchWeights,
    skills: &[f32],
    experience: &[f32],
    step: f32,
) -> Vec<BudgetCell> {
    let mut out = Vec::new();
    for &s in skills {
        for &e in experience {
            let mut w = *base;
            w.set(Component::Skills, s);
            w.set(Component::Experience, e);
            let (weights, tuning) = tune_weights(queries, &w, &FIELD_WITHOUT_SKILLS, step);
            out.push(BudgetCell {
                skills: s,
                experience: e,
                weights,
                tuning,
            });
        }
    }
    out
}

/// The split giving requirement fit the most weight while losing at most `tolerance`
/// precision@10 against the best split (ties: the more precise).
pub fn choose_budget(cells: &[BudgetCell], tolerance: f64) -> Option<BudgetCell> {
    let best = cells
        .iter()
        .map(|c| c.tuning.precision_at_10)
        .fold(f64::NEG_INFINITY, f64::max);
    cells
        .iter()
        .filter(|c| c.tuning.precision_at_10 >= best - tolerance - 1e-12)
        .max_by(|a, b| {
            (a.skills + a.experience)
                .total_cmp(&(b.skills + b.experience))
                .then(
                    a.tuning
                        .precision_at_10
                        .total_cmp(&b.tuning.precision_at_10),
                )
        })
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use intellicv_core::{
        Experience, ExtractedSkill, Field, Seniority, SkillEvidence, SkillMethod, SourceSpan,
    };

    fn span(start: usize, end: usize) -> SourceSpan {
        SourceSpan {
            section: None,
            start,
            end,
        }
    }

    fn pair(candidate: i64, relevant: bool, semantic: f32, skills: f32) -> Pair {
        let mut scores = [None; 7];
        scores[0] = Some(semantic);
        scores[2] = Some(skills);
        Pair {
            candidate,
            relevant,
            scores,
        }
    }

    /// Two queries where skills tell the relevant candidates apart and semantic
    /// similarity misleads.
    fn queries() -> Vec<QueryPairs> {
        let q = |offset: i64| QueryPairs {
            pairs: (0..20)
                .map(|i| {
                    let relevant = i % 2 == 0;
                    let skills = if relevant { 0.8 } else { 0.2 };
                    let semantic = if relevant { 0.3 } else { 0.9 };
                    pair(offset + i, relevant, semantic, skills)
                })
                .collect(),
            available: 10,
        };
        vec![q(0), q(100)]
    }

    #[test]
    fn quality_ranks_by_the_weighted_score_and_retrieval_keeps_the_given_order() {
        let queries = queries();
        assert_eq!(retrieval_quality(&queries).precision_at_10, 0.5);
        assert_eq!(
            quality(&queries, &only(Component::Skills)).precision_at_10,
            1.0
        );
        assert_eq!(
            quality(&queries, &only(Component::Semantic)).precision_at_10,
            0.0
        );
        let skills = quality(&queries, &only(Component::Skills));
        assert!((skills.ndcg_at_10 - 1.0).abs() < 1e-9, "{skills:?}");
    }

    #[test]
    fn tuning_finds_the_informative_component_and_keeps_the_requirement_shares() {
        let base = MatchWeights::default();
        let tuned = tune_field_weights(&queries(), &base, 0.25);
        assert_eq!(quality(&queries(), &tuned).precision_at_10, 1.0);
        assert!(tuned.skills > tuned.semantic, "{tuned:?}");
        assert_eq!(tuned.experience, base.experience);
        assert_eq!(tuned.location, base.location);
        assert_eq!(tuned.salary, base.salary);
        let total: f32 = Component::ALL.iter().map(|c| tuned.get(*c)).sum();
        assert!((total - 1.0).abs() < 1e-5, "{total}");
    }

    #[test]
    fn the_budget_gives_requirements_the_most_weight_that_costs_at_most_the_tolerance() {
        let base = MatchWeights::default();
        // Semantic similarity is informative here, skills mislead.
        let mut queries = queries();
        for q in &mut queries {
            for p in &mut q.pairs {
                p.scores[0] = Some(if p.relevant { 0.9 } else { 0.1 });
                p.scores[2] = Some(if p.relevant { 0.0 } else { 1.0 });
            }
        }
        let cells = requirement_budget(&queries, &base, &[0.0, 0.2, 0.6], &[0.0], 0.25);
        assert_eq!(cells.len(), 3);
        let strict = choose_budget(&cells, 0.0).unwrap();
        assert_eq!(strict.tuning.precision_at_10, 1.0);
        // 0.6 of the weight on misleading skills cannot be outweighed by the field.
        let cost = |s: f32| {
            cells
                .iter()
                .find(|c| c.skills == s)
                .unwrap()
                .tuning
                .precision_at_10
        };
        assert!(cost(0.6) < 1.0, "{cells:?}");
        assert_eq!(strict.skills, 0.2, "{cells:?}");
        let loose = choose_budget(&cells, 1.0).unwrap();
        assert_eq!(loose.skills, 0.6);
        assert!(choose_budget(&[], 0.1).is_none());
    }

    #[test]
    fn compositions_cover_the_simplex() {
        assert_eq!(compositions(2, 2), vec![vec![0, 2], vec![1, 1], vec![2, 0]]);
        assert_eq!(compositions(20, 4).len(), 1771);
        assert!(
            compositions(5, 3)
                .iter()
                .all(|c| c.iter().sum::<u32>() == 5)
        );
    }

    fn skill(uri: &str, confidence: f32, at: usize) -> ExtractedSkill {
        ExtractedSkill {
            uri: uri.to_owned(),
            label: uri.to_owned(),
            confidence,
            method: SkillMethod::Gazetteer,
            evidence: vec![SkillEvidence {
                text: uri.to_owned(),
                source: span(at, at + 3),
            }],
        }
    }

    #[test]
    fn a_pseudo_posting_asks_for_the_rarest_skills_requiring_those_roles_show() {
        let mut profile = ResumeProfile {
            headline: Some(Field::new("Payroll Accountant".to_owned(), None)),
            seniority: Some(Seniority::Senior),
            ..ResumeProfile::default()
        };
        profile.experience.push(Experience {
            title: Some("Accountant".to_owned()),
            company: None,
            location: None,
            start: None,
            end: None,
            is_current: false,
            bullets: Vec::new(),
            source: span(100, 200),
        });
        profile.skills = vec![
            skill("listed", 0.9, 300),
            skill("shown", 0.7, 120),
            skill("shown", 0.7, 150),
            skill("common", 0.95, 130),
        ];
        let rarity = SkillRarity::from_counts(
            10,
            [
                ("common".to_owned(), 9),
                ("listed".to_owned(), 2),
                ("shown".to_owned(), 1),
            ],
        );
        let posting = pseudo_posting(7, &profile, &rarity, 2);
        assert_eq!(posting.job.title, "Payroll Accountant");
        assert_eq!(
            posting.job.seniority,
            Some(intellicv_core::Seniority::Senior)
        );
        assert!(posting.job.location.is_none() && posting.job.salary_max.is_none());
        let skills: Vec<(&str, Requirement)> = posting
            .skills
            .iter()
            .map(|s| (s.uri.as_str(), s.requirement))
            .collect();
        assert_eq!(
            skills,
            [
                ("shown", Requirement::Required),
                ("listed", Requirement::Preferred)
            ]
        );
        profile.headline = None;
        assert_eq!(
            pseudo_posting(7, &profile, &rarity, 2).job.title,
            "Accountant"
        );
    }
}
