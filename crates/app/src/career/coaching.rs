//! Coaching plans: for a target role, what the profile already shows (with evidence), what
//! it lacks, the skills to acquire in order with the reasons, and stored postings to look
//! at. Each plan is stored and can be read again as it was answered.

use crate::telemetry::spawn_blocking_with_span;
use serde::{Deserialize, Serialize};

use super::pathways::{NeededSkill, SkillSource, round3};
use super::{CareerError, CareerService, HeldSkill};
use crate::auth::AuthUser;
use crate::matching::word_similarity;
use intellicv_core::ValidationError;
use intellicv_store::{CoachingSessionRecord, NewCoachingSession};

pub const MAX_TARGET_ROLE_CHARS: usize = 200;

/// Cosine from which the nearest occupation's labels count as naming the target role.
const OCCUPATION_MIN_SIMILARITY: f32 = 0.6;
/// Title similarity (word Dice) from which a job counts as titled like the target role.
const JOB_TITLE_MIN_SIMILARITY: f32 = 0.6;
const SUGGESTED_JOBS: usize = 5;

/// What a plan is asked for.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CoachingRequest {
    /// The role to aim for, in words ("data analyst"); at most 200 characters.
    pub target_role: String,
    /// An ESCO occupation URI, when the caller knows which one the role is.
    pub occupation_uri: Option<String>,
    /// One of the caller's parsed resumes; default: the latest.
    pub resume_id: Option<i64>,
}

/// How the target role was tied to an ESCO occupation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TargetOccupation {
    pub uri: String,
    pub label: String,
    /// `uri` (given), `label` (the role is one of its labels) or `embedding` (the
    /// nearest occupation by label embedding).
    pub matched_by: String,
    pub similarity: Option<f32>,
}

/// What the profile has and lacks of what the role needs.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GapAnalysis {
    /// Skills the role needs (from ESCO and from stored postings titled like it).
    pub skills_needed: usize,
    /// Share of them the profile holds.
    pub coverage: Option<f32>,
    /// Needed skills the profile holds, with the resume's evidence.
    pub held: Vec<HeldSkill>,
    /// Needed skills the profile lacks (labels), most asked for first.
    pub missing: Vec<String>,
}

/// One skill to acquire.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanStep {
    /// 1 first.
    pub order: usize,
    pub uri: String,
    pub label: String,
    /// Why, and why at this place: each reason cites the data it comes from.
    pub reasons: Vec<String>,
    /// Share of open postings titled like the role that ask for it.
    pub posting_share: Option<f32>,
    /// Of the suggested jobs, how many ask for it.
    pub suggested_jobs_needing: usize,
}

/// A stored posting to look at.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SuggestedJob {
    pub job_id: i64,
    pub title: String,
    pub company: Option<String>,
    /// Match score 0..=100 of the profile and the posting.
    pub score: f32,
    /// Labels of the posting's skills the profile lacks.
    pub missing_skills: Vec<String>,
}

/// A coaching plan.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CoachingPlan {
    pub target_role: String,
    pub occupation: Option<TargetOccupation>,
    pub resume_id: Option<i64>,
    /// Open postings titled like the role.
    pub postings_with_title: i64,
    pub gap_analysis: GapAnalysis,
    pub skills_to_acquire: Vec<PlanStep>,
    pub suggested_jobs: Vec<SuggestedJob>,
    /// What the plan could not use, said plainly.
    pub notes: Vec<String>,
}

/// A stored plan.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CoachingSession {
    pub id: i64,
    pub user_id: i64,
    pub target_role: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub plan: CoachingPlan,
}

impl TryFrom<CoachingSessionRecord> for CoachingSession {
    type Error = CareerError;

    fn try_from(r: CoachingSessionRecord) -> Result<Self, CareerError> {
        let plan = serde_json::from_value(r.plan.0)
            .map_err(|e| CareerError::Task(format!("stored plan {} is unreadable: {e}", r.id)))?;
        Ok(Self {
            id: r.id,
            user_id: r.user_id,
            target_role: r.target_role,
            created_at: r.created_at,
            plan,
        })
    }
}

impl CareerService {
    /// The caller's own plans, newest first, and how many they have.
    pub async fn coaching_sessions(
        &self,
        auth: &AuthUser,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<CoachingSession>, i64), CareerError> {
        let user_id = auth.require_user()?;
        let (rows, total) = self
            .store
            .list_coaching_sessions(user_id, limit, offset)
            .await?;
        let sessions = rows
            .into_iter()
            .map(CoachingSession::try_from)
            .collect::<Result<_, _>>()?;
        Ok((sessions, total))
    }

    /// One plan: its owner's, or any for admins (others get the 404 a missing one gets).
    pub async fn coaching_session(
        &self,
        auth: &AuthUser,
        id: i64,
    ) -> Result<CoachingSession, CareerError> {
        let record = self.store.get_coaching_session(id).await?;
        auth.owns_or_admin(record.user_id, "coaching session")?;
        record.try_into()
    }

    /// Builds and stores a plan for `user_id`.
    pub async fn create_coaching_session(
        &self,
        user_id: i64,
        request: CoachingRequest,
    ) -> Result<CoachingSession, CareerError> {
        let target = crate::portal::note_text(
            Some(&request.target_role),
            "target_role",
            MAX_TARGET_ROLE_CHARS,
        )?
        .filter(|t| !t.contains('\n'))
        .ok_or_else(|| ValidationError::new("target_role", "give the role in one line of words"))?;
        let me = self.profile(user_id, request.resume_id).await?;
        let occupation = self
            .target_occupation(&target, request.occupation_uri.as_deref())
            .await?;
        let occ = occupation
            .as_ref()
            .and_then(|t| self.occupations.by_uri(&t.uri))
            .map(|i| self.occupations.get(i));
        let mut phrases = vec![target.clone()];
        if let Some(o) = occ {
            for p in o.title_phrases() {
                if !phrases.iter().any(|q| q.eq_ignore_ascii_case(&p)) {
                    phrases.push(p);
                }
            }
        }
        let needs = self.occupation_needs(occ, &phrases).await?;
        let mut notes = Vec::new();
        let suggested = if me.is_empty() {
            notes.push(
                "no parsed resume and no profile skills: every needed skill counts as missing \
                 and no jobs are matched"
                    .to_owned(),
            );
            Vec::new()
        } else {
            self.suggested_jobs(&me, &phrases, &mut notes).await?
        };
        if occupation.is_none() {
            notes.push(format!(
                "no ESCO occupation is named '{target}'; the needed skills come from stored postings only"
            ));
        }
        if needs.skills.is_empty() {
            notes.push("neither ESCO nor the stored postings name skills for this role".to_owned());
        }
        let held_uris = me.held_uris();
        let (held, missing): (Vec<&NeededSkill>, Vec<&NeededSkill>) = needs
            .skills
            .iter()
            .partition(|s| held_uris.contains(s.uri.as_str()));
        let gap = GapAnalysis {
            skills_needed: needs.skills.len(),
            coverage: (!needs.skills.is_empty())
                .then(|| round3(held.len() as f32 / needs.skills.len() as f32)),
            held: held
                .iter()
                .filter_map(|s| me.skill(&s.uri))
                .map(|s| me.held(s, &self.match_config))
                .collect(),
            missing: missing.iter().map(|s| s.label.clone()).collect(),
        };
        let steps = order_steps(&missing, &suggested, &target, needs.postings, occ.is_some());
        let plan = CoachingPlan {
            target_role: target.clone(),
            occupation: occupation.clone(),
            resume_id: me.resume_id,
            postings_with_title: needs.postings,
            gap_analysis: gap,
            skills_to_acquire: steps,
            suggested_jobs: suggested,
            notes,
        };
        let value = serde_json::to_value(&plan)
            .map_err(|e| CareerError::Task(format!("cannot encode the plan: {e}")))?;
        let record = self
            .store
            .insert_coaching_session(&NewCoachingSession {
                user_id,
                target_role: &target,
                occupation_uri: occupation.as_ref().map(|o| o.uri.as_str()),
                resume_id: me.resume_id,
                plan: &value,
            })
            .await?;
        record.try_into()
    }

    /// The occupation the target role names: the given URI, an exact label, else the
    /// nearest by label embedding when it is close enough.
    async fn target_occupation(
        &self,
        target: &str,
        uri: Option<&str>,
    ) -> Result<Option<TargetOccupation>, CareerError> {
        let found = |i: usize, by: &str, similarity: Option<f32>| {
            let o = self.occupations.get(i);
            Some(TargetOccupation {
                uri: o.uri.clone(),
                label: o.label.clone(),
                matched_by: by.to_owned(),
                similarity,
            })
        };
        if let Some(uri) = uri.map(str::trim).filter(|u| !u.is_empty()) {
            let i = self.occupations.by_uri(uri).ok_or_else(|| {
                ValidationError::new("occupation_uri", "not an ESCO occupation URI we hold")
            })?;
            return Ok(found(i, "uri", None));
        }
        if let Some(i) = self.occupations.by_label(target) {
            return Ok(found(i, "label", None));
        }
        let query = self.embed(target.to_owned()).await?;
        let catalog = self.occupations.clone();
        let nearest = spawn_blocking_with_span(move || catalog.nearest(&query, 1)).await??;
        Ok(match nearest.first() {
            Some(&(i, sim)) if sim >= OCCUPATION_MIN_SIMILARITY => {
                found(i, "embedding", Some(round3(sim)))
            }
            _ => None,
        })
    }

    /// The best-matching jobs titled like the role.
    async fn suggested_jobs(
        &self,
        me: &super::CareerProfile,
        phrases: &[String],
        notes: &mut Vec<String>,
    ) -> Result<Vec<SuggestedJob>, CareerError> {
        let matches = self.best_matches(me).await?;
        let considered = matches.len();
        let jobs: Vec<SuggestedJob> = matches
            .into_iter()
            .filter(|m| {
                phrases
                    .iter()
                    .any(|p| word_similarity(p, &m.title) >= JOB_TITLE_MIN_SIMILARITY)
            })
            .take(SUGGESTED_JOBS)
            .map(|m| SuggestedJob {
                job_id: m.job_id,
                title: m.title,
                company: m.company,
                score: round3(m.score),
                missing_skills: m
                    .explanation
                    .missing_required
                    .iter()
                    .chain(&m.explanation.missing_preferred)
                    .map(|s| s.label.clone())
                    .collect(),
            })
            .collect();
        if jobs.is_empty() {
            notes.push(format!(
                "none of your {considered} best-matching jobs is titled like the target role"
            ));
        }
        Ok(jobs)
    }
}

/// Orders the missing skills: most asked for by postings titled like the role first, then
/// those ESCO's description names, then by how many suggested jobs need them.
fn order_steps(
    missing: &[&NeededSkill],
    suggested: &[SuggestedJob],
    target: &str,
    postings: i64,
    has_occupation: bool,
) -> Vec<PlanStep> {
    let mut steps: Vec<(f32, PlanStep)> = missing
        .iter()
        .map(|s| {
            let needing = suggested
                .iter()
                .filter(|j| j.missing_skills.contains(&s.label))
                .count();
            let mut reasons = Vec::new();
            if let Some(share) = s.posting_share {
                let n = (share * postings as f32).round() as i64;
                reasons.push(format!(
                    "asked for by {n} of the {postings} open postings titled like '{target}' ({:.0}%)",
                    share * 100.0
                ));
            }
            let in_esco = s.sources.contains(&SkillSource::EscoDescription);
            if in_esco && has_occupation {
                reasons.push("named in the ESCO description of the occupation".to_owned());
            }
            if needing > 0 {
                reasons.push(format!(
                    "missing for {needing} of the {} suggested jobs",
                    suggested.len()
                ));
            }
            let priority = s.posting_share.unwrap_or(0.0)
                + if in_esco { 0.3 } else { 0.0 }
                + 0.1 * needing as f32 / suggested.len().max(1) as f32;
            (
                priority,
                PlanStep {
                    order: 0,
                    uri: s.uri.clone(),
                    label: s.label.clone(),
                    reasons,
                    posting_share: s.posting_share.map(round3),
                    suggested_jobs_needing: needing,
                },
            )
        })
        .collect();
    steps.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.label.cmp(&b.1.label)));
    steps
        .into_iter()
        .enumerate()
        .map(|(i, (_, mut step))| {
            step.order = i + 1;
            step
        })
        .collect()
}
