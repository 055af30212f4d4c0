//! Next roles: ESCO occupations reachable from a profile, scored by the embedding
//! similarity of the profile's titles to the occupation's labels and by how many of the
//! occupation's skills the profile holds, each with its overlap and its skill gap.

use crate::telemetry::spawn_blocking_with_span;
use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::occupations::{Occupation, OccupationSkill};
use super::{CareerError, CareerProfile, CareerService};
use crate::matching::service::JobMatch;
use crate::matching::word_similarity;

/// Where a skill of an occupation was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SkillSource {
    /// Named in the occupation's ESCO labels or definition.
    EscoDescription,
    /// Asked for by enough of the open postings whose title names the occupation.
    Postings,
}

/// A skill an occupation needs.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct NeededSkill {
    pub uri: String,
    pub label: String,
    pub sources: Vec<SkillSource>,
    /// Share of the open postings titled like the occupation that ask for it.
    pub posting_share: Option<f32>,
}

/// An occupation's skills: from its ESCO text and from stored postings.
#[derive(Debug, Clone, Default)]
pub struct OccupationNeeds {
    pub skills: Vec<NeededSkill>,
    /// Open postings whose title names the occupation.
    pub postings: i64,
}

impl OccupationNeeds {
    /// The skills of an occupation's ESCO text alone.
    pub fn from_description(o: &Occupation) -> Self {
        Self {
            skills: o
                .skills
                .iter()
                .map(|s| NeededSkill {
                    uri: s.uri.clone(),
                    label: s.label.clone(),
                    sources: vec![SkillSource::EscoDescription],
                    posting_share: None,
                })
                .collect(),
            postings: 0,
        }
    }
}

/// One reachable occupation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Pathway {
    pub occupation_uri: String,
    pub label: String,
    pub alt_labels: Vec<String>,
    /// 0..=1: `similarity_weight × ramp(similarity) + (1 − similarity_weight) × overlap /
    /// (needed skills + 1)`, where `ramp` maps cosine 0.25..0.75 onto 0..1.
    pub score: f32,
    /// Cosine similarity of the profile's titles and the occupation's labels (`None`
    /// when the profile names no title).
    pub similarity: Option<f32>,
    /// Share of the occupation's skills the profile holds (`None` when no skill is known
    /// for the occupation).
    pub skill_coverage: Option<f32>,
    /// Skills the occupation needs that the profile holds.
    pub overlap: Vec<OccupationSkill>,
    /// Skills the occupation needs that the profile lacks, most asked for first.
    pub gap: Vec<NeededSkill>,
    /// Open postings whose title names the occupation.
    pub postings_with_title: i64,
    /// One of the occupation's labels is (nearly) one of the profile's titles: the role
    /// the person holds rather than a next one.
    pub current_role: bool,
}

/// The answer of `GET /career/pathways/{user_id}`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PathwaysAnswer {
    pub user_id: i64,
    pub resume_id: Option<i64>,
    /// The titles compared with the occupations.
    pub titles: Vec<String>,
    pub skills_held: usize,
    pub pathways: Vec<Pathway>,
}

/// Skills added to an occupation's count when scoring overlap (see [`CareerService::pathway`]).
const COVERAGE_PRIOR: f32 = 1.0;

/// Cosine similarities of titles and occupation labels mostly fall between these; they are
/// mapped linearly onto 0..=1 before weighting.
const SIMILARITY_FLOOR: f32 = 0.25;
const SIMILARITY_CEILING: f32 = 0.75;

fn ramp(cosine: f32) -> f32 {
    ((cosine - SIMILARITY_FLOOR) / (SIMILARITY_CEILING - SIMILARITY_FLOOR)).clamp(0.0, 1.0)
}

/// Occupations whose preliminary score places them this far past the limit are also
/// grounded in postings before the final ranking (as many again as the limit, plus this).
const EXTRA_GROUNDED: usize = 10;

impl CareerService {
    /// What an occupation needs: the skills of its ESCO text, and those that at least
    /// `posting_skill_share` of the open postings titled like it (any of `phrases`) ask for.
    pub async fn occupation_needs(
        &self,
        occupation: Option<&Occupation>,
        phrases: &[String],
    ) -> Result<OccupationNeeds, CareerError> {
        let mut skills = occupation
            .map(|o| OccupationNeeds::from_description(o).skills)
            .unwrap_or_default();
        let counts = self.store.title_skill_counts(phrases).await?;
        if counts.postings >= self.settings.posting_skill_min_postings.max(1) {
            for (uri, label, n) in counts.skills {
                let share = n as f32 / counts.postings as f32;
                if share < self.settings.posting_skill_share {
                    continue;
                }
                match skills.iter_mut().find(|s| s.uri == uri) {
                    Some(s) => {
                        s.sources.push(SkillSource::Postings);
                        s.posting_share = Some(share);
                    }
                    None => skills.push(NeededSkill {
                        uri,
                        label,
                        sources: vec![SkillSource::Postings],
                        posting_share: Some(share),
                    }),
                }
            }
        }
        skills.sort_by(|a, b| {
            b.posting_share
                .unwrap_or(0.0)
                .total_cmp(&a.posting_share.unwrap_or(0.0))
                .then(b.sources.len().cmp(&a.sources.len()))
                .then(a.label.cmp(&b.label))
        });
        Ok(OccupationNeeds {
            skills,
            postings: counts.postings,
        })
    }

    /// `GET /career/pathways/{user_id}`: the best `limit` occupations for the profile.
    pub async fn pathways(
        &self,
        user_id: i64,
        limit: usize,
    ) -> Result<PathwaysAnswer, CareerError> {
        let me = self.profile(user_id, None).await?;
        if me.is_empty() {
            return Err(CareerError::NotFound("parsed resume or profile skills"));
        }
        let matches = self.best_matches(&me).await?;
        let pathways = self.pathways_for(&me, limit, &matches).await?;
        Ok(PathwaysAnswer {
            user_id,
            resume_id: me.resume_id,
            titles: me.titles(),
            skills_held: me.profile.skills.len(),
            pathways,
        })
    }

    /// The best `limit` occupations for a profile, best first. Candidates are the
    /// occupations nearest the profile's titles, those whose ESCO text names most of the
    /// profile's skills, and those named by the titles of the profile's best-matching jobs
    /// (`matches`); each is then grounded in the postings titled like it and scored.
    pub async fn pathways_for(
        &self,
        me: &CareerProfile,
        limit: usize,
        matches: &[JobMatch],
    ) -> Result<Vec<Pathway>, CareerError> {
        let held: HashSet<String> = me.held_uris().into_iter().map(str::to_owned).collect();
        let query = match me.title_query() {
            Some(text) => Some(self.embed(text).await?),
            None => None,
        };
        let catalog = self.occupations.clone();
        let k = self.settings.occupation_candidates.max(limit);
        let held2 = held.clone();
        let query2 = query.clone();
        // (index, similarity) of every candidate.
        let candidates: Vec<(usize, Option<f32>)> =
            spawn_blocking_with_span(move || -> Result<_, CareerError> {
                let query = query2;
                let mut out: HashMap<usize, Option<f32>> = HashMap::new();
                if let Some(q) = &query {
                    for (i, sim) in catalog.nearest(q, k)? {
                        out.insert(i, Some(sim));
                    }
                }
                let mut by_overlap: Vec<(usize, usize)> = catalog
                    .overlap_counts(held2.iter().map(String::as_str))
                    .into_iter()
                    .collect();
                by_overlap.sort_by(|a, b| {
                    let share = |(i, n): &(usize, usize)| {
                        *n as f32 / catalog.get(*i).skills.len().max(1) as f32
                    };
                    share(b).total_cmp(&share(a)).then(a.0.cmp(&b.0))
                });
                for (i, _) in by_overlap.into_iter().take(k) {
                    if let std::collections::hash_map::Entry::Vacant(slot) = out.entry(i) {
                        slot.insert(match &query {
                            Some(q) => Some(catalog.similarity(q, i)?),
                            None => None,
                        });
                    }
                }
                Ok(out.into_iter().collect())
            })
            .await??;
        let mut named: HashSet<usize> = HashSet::new();
        for m in matches {
            named.extend(self.occupations.named_in(&m.title));
        }
        let mut candidates = candidates;
        let missing: Vec<usize> = named
            .iter()
            .copied()
            .filter(|i| !candidates.iter().any(|(c, _)| c == i))
            .collect();
        if !missing.is_empty() {
            let catalog = self.occupations.clone();
            let query = query.clone();
            let extra = spawn_blocking_with_span(move || -> Result<Vec<_>, CareerError> {
                missing
                    .into_iter()
                    .map(|i| {
                        let sim = match &query {
                            Some(q) => Some(catalog.similarity(q, i)?),
                            None => None,
                        };
                        Ok((i, sim))
                    })
                    .collect()
            })
            .await??;
            candidates.extend(extra);
        }
        let titles = me.titles();
        let mut scored: Vec<Pathway> = candidates
            .into_iter()
            .map(|(i, sim)| {
                let o = self.occupations.get(i);
                let needs = OccupationNeeds::from_description(o);
                self.pathway(o, sim, &needs, &held, &titles)
            })
            .collect();
        sort_pathways(&mut scored);
        // The best by the preliminary score, and every occupation a matching job names.
        let keep = 2 * limit + EXTRA_GROUNDED;
        let scored: Vec<Pathway> = scored
            .into_iter()
            .enumerate()
            .filter(|(rank, p)| {
                *rank < keep
                    || self
                        .occupations
                        .by_uri(&p.occupation_uri)
                        .is_some_and(|i| named.contains(&i))
            })
            .map(|(_, p)| p)
            .collect();
        let mut grounded = Vec::with_capacity(scored.len());
        for p in scored {
            let Some(i) = self.occupations.by_uri(&p.occupation_uri) else {
                continue;
            };
            let o = self.occupations.get(i);
            let needs = self.occupation_needs(Some(o), &o.title_phrases()).await?;
            grounded.push(self.pathway(o, p.similarity, &needs, &held, &titles));
        }
        sort_pathways(&mut grounded);
        grounded.truncate(limit);
        Ok(grounded)
    }

    fn pathway(
        &self,
        o: &Occupation,
        similarity: Option<f32>,
        needs: &OccupationNeeds,
        held: &HashSet<String>,
        titles: &[String],
    ) -> Pathway {
        let (overlap, gap): (Vec<&NeededSkill>, Vec<&NeededSkill>) =
            needs.skills.iter().partition(|s| held.contains(&s.uri));
        let coverage =
            (!needs.skills.is_empty()).then(|| overlap.len() as f32 / needs.skills.len() as f32);
        // Overlap counted against a few skills more than the occupation names, so that one
        // shared skill of a one-skill occupation does not count as full coverage.
        let skill_score = overlap.len() as f32 / (needs.skills.len() as f32 + COVERAGE_PRIOR);
        let w = self.settings.similarity_weight.clamp(0.0, 1.0);
        let score = w * similarity.map_or(0.0, ramp) + (1.0 - w) * skill_score;
        let labels: Vec<&String> = std::iter::once(&o.label).chain(&o.alt_labels).collect();
        let current_role = titles.iter().any(|t| {
            labels
                .iter()
                .any(|l| l.eq_ignore_ascii_case(t) || word_similarity(l, t) >= 0.99)
        });
        Pathway {
            occupation_uri: o.uri.clone(),
            label: o.label.clone(),
            alt_labels: o.alt_labels.iter().take(5).cloned().collect(),
            score: round3(score),
            similarity: similarity.map(round3),
            skill_coverage: coverage.map(round3),
            overlap: overlap
                .into_iter()
                .map(|s| OccupationSkill {
                    uri: s.uri.clone(),
                    label: s.label.clone(),
                })
                .collect(),
            gap: gap.into_iter().cloned().collect(),
            postings_with_title: needs.postings,
            current_role,
        }
    }
}

fn sort_pathways(p: &mut [Pathway]) {
    p.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.occupation_uri.cmp(&b.occupation_uri))
    });
}

pub(crate) fn round3(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}
