//! Matching as a service: finds candidate pairs with the search engine, scores each with
//! [`score_match`] and returns them best first with their explanations. Shared by the CLI
//! (`intellicv match ...`) and the HTTP API.

use crate::telemetry::spawn_blocking_with_span;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde::Serialize;

use super::{
    CandidatePreferences, CandidateView, JobView, MatchConfig, MatchExplanation, MatchOptions,
    Posting, PostingSkill, Signals, SkillRarity, score_match,
};
use intellicv_core::{ExtractedSkill, ResumeProfile};
use intellicv_search::sync::{self, SyncError};
use intellicv_search::{
    Collection, DocId, DocQuery, SearchEngine, SearchError, SearchFilters, SimilarHit,
    SimilarityWeights,
};
use intellicv_store::{JobRecord, JobSkillRecord, ResumeRecord, Store, StoreError};

/// Candidates each side fetches from the engine before scoring.
const CANDIDATES: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum MatchError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("resume {0} has no parsed profile (its parse failed)")]
    NotParsed(i64),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error("matching task failed: {0}")]
    Task(String),
}

impl intellicv_core::ServiceError for MatchError {
    fn kind(&self) -> intellicv_core::ErrorKind {
        use intellicv_core::ErrorKind;
        match self {
            MatchError::NotFound(what) => ErrorKind::NotFound { what },
            MatchError::NotParsed(_) => ErrorKind::InvalidRequest,
            MatchError::Store(s) => s.kind(),
            MatchError::Search(s) => s.kind(),
            MatchError::Sync(_) | MatchError::Task(_) => ErrorKind::Internal,
        }
    }
}

impl From<tokio::task::JoinError> for MatchError {
    fn from(e: tokio::task::JoinError) -> Self {
        MatchError::Task(e.to_string())
    }
}

/// What a candidate states besides their resume (their profile), used when matching jobs
/// for them.
#[derive(Debug, Clone, Default)]
pub struct CandidateExtras {
    pub preferences: Option<CandidatePreferences>,
    /// Skills stated without evidence (they count as listed bare); those the resume already
    /// shows keep the resume's evidence.
    pub stated_skills: Vec<ExtractedSkill>,
}

impl CandidateExtras {
    fn add_stated_skills(&self, profile: &mut ResumeProfile) {
        for skill in &self.stated_skills {
            if !profile.skills.iter().any(|s| s.uri == skill.uri) {
                profile.skills.push(skill.clone());
            }
        }
    }
}

/// A resume to match: stored, or parsed from a file and embedded on the fly (not stored).
pub enum ResumeSubject {
    Stored(i64),
    Parsed {
        profile: Box<ResumeProfile>,
        text: String,
        source_filename: String,
    },
}

/// One scored job for a resume.
#[derive(Debug, Clone, Serialize)]
pub struct JobMatch {
    pub job_id: i64,
    pub title: String,
    pub company: Option<String>,
    pub location: Option<String>,
    pub score: f32,
    pub explanation: MatchExplanation,
}

/// One scored candidate for a job.
#[derive(Debug, Clone, Serialize)]
pub struct CandidateMatch {
    pub resume_id: i64,
    pub source_filename: String,
    pub headline: Option<String>,
    pub score: f32,
    pub explanation: MatchExplanation,
}

/// One similar resume.
#[derive(Debug, Clone, Serialize)]
pub struct SimilarCandidate {
    pub resume_id: i64,
    pub source_filename: String,
    pub headline: Option<String>,
    /// The candidate's category in the pool, when one was set.
    pub category: Option<String>,
    /// 0..=100.
    pub score: f32,
    pub similarity: SimilarHit,
    /// ESCO skills both resumes show.
    pub shared_skills: Vec<String>,
}

/// The matcher: the engine, the store and the scoring model.
pub struct Matcher {
    store: Store,
    engine: Arc<SearchEngine>,
    config: MatchConfig,
    /// Cross-collection candidate retrieval weights (resume → jobs, job → resumes).
    retrieval: SimilarityWeights,
    rarity: std::sync::RwLock<Arc<SkillRarity>>,
}

impl Matcher {
    pub fn new(store: Store, engine: Arc<SearchEngine>, config: MatchConfig) -> Self {
        Self {
            store,
            engine,
            config,
            // Category profiles are learnt and measured for resume → resume similarity
            // only; across collections retrieval stays on the three similarities.
            retrieval: SimilarityWeights {
                category: 0.0,
                ..SimilarityWeights::default()
            },
            rarity: std::sync::RwLock::new(Arc::new(SkillRarity::default())),
        }
    }

    pub fn config(&self) -> &MatchConfig {
        &self.config
    }

    /// Recounts how many postings ask for each skill (rarity weights).
    pub async fn refresh_rarity(&self) -> Result<(), MatchError> {
        let (postings, counts) = self.store.job_skill_counts().await?;
        let rarity = SkillRarity::from_counts(
            postings.max(0) as u64,
            counts.into_iter().map(|(uri, n)| (uri, n.max(0) as u64)),
        );
        // A whole value is swapped in, so a poisoned lock holds no torn data.
        *self
            .rarity
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(rarity);
        Ok(())
    }

    fn rarity(&self) -> Arc<SkillRarity> {
        self.rarity
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The query document and profile of a resume subject.
    async fn resume_query(
        &self,
        subject: &ResumeSubject,
    ) -> Result<(DocQuery, ResumeProfile), MatchError> {
        match subject {
            ResumeSubject::Stored(id) => {
                let record = self
                    .store
                    .get_resume(*id)
                    .await
                    .map_err(not_found("resume"))?;
                let profile = record
                    .profile
                    .as_ref()
                    .ok_or(MatchError::NotParsed(*id))?
                    .0
                    .clone();
                let query = sync::doc_query(&self.store, &self.engine, Collection::Resumes, *id)
                    .await?
                    .ok_or(MatchError::NotParsed(*id))?;
                Ok((query, profile))
            }
            ResumeSubject::Parsed { profile, text, .. } => {
                let engine = self.engine.clone();
                let (profile2, text2) = ((**profile).clone(), text.clone());
                let query = spawn_blocking_with_span(move || {
                    sync::adhoc_resume_query(&engine, &profile2, &text2)
                })
                .await??;
                Ok((query, (**profile).clone()))
            }
        }
    }

    /// Jobs for a resume, best first, each with its explanation.
    pub async fn jobs_for_resume(
        &self,
        subject: &ResumeSubject,
        filters: &SearchFilters,
        limit: usize,
        options: MatchOptions,
    ) -> Result<Vec<JobMatch>, MatchError> {
        self.jobs_for_candidate(subject, CandidateExtras::default(), filters, limit, options)
            .await
    }

    /// Jobs for a resume and what its candidate states besides (their profile's skills and
    /// preferences), best first, each with its explanation. Stated skills count in the
    /// skills component only (retrieval reads the resume).
    pub async fn jobs_for_candidate(
        &self,
        subject: &ResumeSubject,
        extras: CandidateExtras,
        filters: &SearchFilters,
        limit: usize,
        options: MatchOptions,
    ) -> Result<Vec<JobMatch>, MatchError> {
        let (mut query, mut profile) = self.resume_query(subject).await?;
        extras.add_stated_skills(&mut profile);
        let preferences = extras.preferences;
        // The query's own id names a resume, not a posting.
        query.exclude.clear();
        let hits = self
            .similar(Collection::Jobs, query, filters, CANDIDATES.max(limit))
            .await?;
        let ids: Vec<i64> = hits.iter().map(|h| h.id).collect();
        let jobs = self.store.jobs_by_ids(&ids).await?;
        let skills = group_skills(self.store.job_skills_for(&ids).await?);
        let rarity = self.rarity();
        let today = intellicv_skills::resume::this_month();
        let config = self.config.clone();
        let mut out: Vec<JobMatch> = spawn_blocking_with_span(move || {
            let signals = signals_by_id(&hits, options);
            jobs.iter()
                .map(|job| {
                    let explanation = score_pair(
                        &CandidateView {
                            profile: &profile,
                            preferences: preferences.as_ref(),
                            today,
                        },
                        &posting(job),
                        skills.get(&job.id).map_or(&[][..], Vec::as_slice),
                        signals.get(&job.id).copied().unwrap_or_default(),
                        &rarity,
                        &config,
                        options,
                    );
                    JobMatch {
                        job_id: job.id,
                        title: job.title.clone(),
                        company: job.company.clone(),
                        location: job.location.clone(),
                        score: explanation.score,
                        explanation,
                    }
                })
                .collect()
        })
        .await?;
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.job_id.cmp(&b.job_id)));
        out.truncate(limit);
        Ok(out)
    }

    /// Candidates for a job, best first, each with its explanation; the resumes of
    /// `hidden` (those the caller may not see) are left out.
    pub async fn candidates_for_job(
        &self,
        job_id: i64,
        filters: &SearchFilters,
        hidden: &HashSet<i64>,
        limit: usize,
        options: MatchOptions,
    ) -> Result<Vec<CandidateMatch>, MatchError> {
        let job = self.store.get_job(job_id).await.map_err(not_found("job"))?;
        let mut query = sync::doc_query(&self.store, &self.engine, Collection::Jobs, job_id)
            .await?
            .ok_or(MatchError::NotFound("job"))?;
        // The query's own id names a posting, not a resume.
        query.exclude.clear();
        query.exclude.extend(hidden);
        let hits = self
            .similar(Collection::Resumes, query, filters, CANDIDATES.max(limit))
            .await?;
        let ids: Vec<i64> = hits.iter().map(|h| h.id).collect();
        let resumes = self.store.resumes_by_ids(&ids).await?;
        let skills = self.store.job_skills_for(&[job_id]).await?;
        let skills: Vec<PostingSkill> = skills.into_iter().map(posting_skill).collect();
        let job = posting(&job);
        let rarity = self.rarity();
        let today = intellicv_skills::resume::this_month();
        let config = self.config.clone();
        let mut out: Vec<CandidateMatch> = spawn_blocking_with_span(move || {
            let signals = signals_by_id(&hits, options);
            resumes
                .iter()
                .filter_map(|r| {
                    let profile = &r.profile.as_ref()?.0;
                    let explanation = score_pair(
                        &CandidateView {
                            profile,
                            preferences: None,
                            today,
                        },
                        &job,
                        &skills,
                        signals.get(&r.id).copied().unwrap_or_default(),
                        &rarity,
                        &config,
                        options,
                    );
                    Some(CandidateMatch {
                        resume_id: r.id,
                        source_filename: r.source_filename.clone(),
                        headline: (!options.blind).then(|| r.headline.clone()).flatten(),
                        score: explanation.score,
                        explanation,
                    })
                })
                .collect()
        })
        .await?;
        out.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(a.resume_id.cmp(&b.resume_id))
        });
        out.truncate(limit);
        Ok(out)
    }

    /// Resumes most like a resume, without those of `hidden` (the caller may not see them).
    pub async fn similar_candidates(
        &self,
        subject: &ResumeSubject,
        filters: &SearchFilters,
        hidden: &HashSet<i64>,
        limit: usize,
    ) -> Result<Vec<SimilarCandidate>, MatchError> {
        let (mut query, profile) = self.resume_query(subject).await?;
        query.exclude.extend(hidden);
        let engine = self.engine.clone();
        let filters = filters.clone();
        let hits = spawn_blocking_with_span(move || {
            engine.similar(
                Collection::Resumes,
                &query,
                &filters,
                &SimilarityWeights::default(),
                limit,
                CANDIDATES,
            )
        })
        .await??;
        let ids: Vec<i64> = hits.iter().map(|h| h.id).collect();
        let by_id: HashMap<i64, ResumeRecord> = self
            .store
            .resumes_by_ids(&ids)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let mine: std::collections::HashSet<&str> =
            profile.skills.iter().map(|s| s.uri.as_str()).collect();
        Ok(hits
            .into_iter()
            .filter_map(|hit| {
                let r = by_id.get(&hit.id)?;
                let mut shared: Vec<String> = r
                    .profile
                    .as_ref()
                    .map(|p| {
                        p.0.skills
                            .iter()
                            .filter(|s| mine.contains(s.uri.as_str()))
                            .map(|s| s.label.clone())
                            .collect()
                    })
                    .unwrap_or_default();
                shared.sort();
                shared.dedup();
                Some(SimilarCandidate {
                    resume_id: r.id,
                    source_filename: r.source_filename.clone(),
                    headline: r.headline.clone(),
                    category: r.category.clone(),
                    score: hit.score * 100.0,
                    similarity: hit,
                    shared_skills: shared,
                })
            })
            .collect())
    }

    /// The explanation of one (resume, job) pair.
    pub async fn explain(
        &self,
        resume_id: i64,
        job_id: i64,
        options: MatchOptions,
    ) -> Result<MatchExplanation, MatchError> {
        let (query, profile) = self.resume_query(&ResumeSubject::Stored(resume_id)).await?;
        let job = posting(&self.store.get_job(job_id).await.map_err(not_found("job"))?);
        let skills = self.store.job_skills_for(&[job_id]).await?;
        let skills: Vec<PostingSkill> = skills.into_iter().map(posting_skill).collect();
        let engine = self.engine.clone();
        let signals = spawn_blocking_with_span(move || {
            engine.pair_similarity(Collection::Jobs, &query, job_id)
        })
        .await??;
        let rarity = self.rarity();
        let today = intellicv_skills::resume::this_month();
        let signals = signals
            .map(|hit| to_signals(&hit, options))
            .unwrap_or_default();
        Ok(score_pair(
            &CandidateView {
                profile: &profile,
                preferences: None,
                today,
            },
            &job,
            &skills,
            signals,
            &rarity,
            &self.config,
            options,
        ))
    }

    async fn similar(
        &self,
        c: Collection,
        query: DocQuery,
        filters: &SearchFilters,
        depth: usize,
    ) -> Result<Vec<SimilarHit>, MatchError> {
        let engine = self.engine.clone();
        let filters = filters.clone();
        let weights = self.retrieval;
        Ok(spawn_blocking_with_span(move || {
            engine.similar(c, &query, &filters, &weights, depth, depth)
        })
        .await??)
    }
}

fn not_found(entity: &'static str) -> impl FnOnce(StoreError) -> MatchError {
    move |e| match e {
        StoreError::NotFound { .. } => MatchError::NotFound(entity),
        e => MatchError::Store(e),
    }
}

fn group_skills(skills: Vec<JobSkillRecord>) -> HashMap<i64, Vec<PostingSkill>> {
    let mut out: HashMap<i64, Vec<PostingSkill>> = HashMap::new();
    for s in skills {
        out.entry(s.job_id).or_default().push(posting_skill(s));
    }
    out
}

/// What the scorer reads of a stored posting.
pub fn posting(job: &JobRecord) -> Posting {
    Posting {
        id: job.id,
        title: job.title.clone(),
        description: job.description.clone(),
        location: job.location.clone(),
        country: job.country.clone(),
        latitude: job.latitude,
        longitude: job.longitude,
        remote_mode: job.remote_mode,
        employment_type: job.employment_type,
        seniority: job.seniority,
        salary_min: job.salary_min,
        salary_max: job.salary_max,
        salary_currency: job.salary_currency.clone(),
        salary_period: job.salary_period,
    }
}

/// What the scorer reads of a stored posting skill.
pub fn posting_skill(skill: JobSkillRecord) -> PostingSkill {
    PostingSkill {
        uri: skill.uri,
        label: skill.label,
        requirement: skill.requirement,
        evidence: skill.evidence,
    }
}

/// The engine's similarities as scoring signals. Blind mode leaves lexical relevance out:
/// BM25 reads the whole text, names included (length normalisation), while the content
/// vectors are computed from redacted text and titles carry no personal details.
pub fn to_signals(hit: &SimilarHit, options: MatchOptions) -> Signals {
    Signals {
        semantic: Some(hit.content),
        lexical: (!options.blind).then_some(hit.lexical),
        title_semantic: hit.title,
    }
}

fn signals_by_id(hits: &[SimilarHit], options: MatchOptions) -> HashMap<DocId, Signals> {
    hits.iter()
        .map(|h| (h.id, to_signals(h, options)))
        .collect()
}

fn score_pair(
    candidate: &CandidateView<'_>,
    job: &Posting,
    skills: &[PostingSkill],
    signals: Signals,
    rarity: &SkillRarity,
    config: &MatchConfig,
    options: MatchOptions,
) -> MatchExplanation {
    let job = JobView { job, skills };
    score_match(candidate, &job, &signals, rarity, config, options)
}
