//! The profile career services reason about: a user's latest (or chosen) parsed resume,
//! with the skills and headline their profile states added.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::CareerError;
use crate::matching::service::{CandidateExtras, ResumeSubject};
use crate::matching::{MatchConfig, place};
use intellicv_core::{ExtractedSkill, Field, ResumeProfile};
use intellicv_store::{Page, ParseStatus, ResumeQuery, ResumeSort, Store};

/// A user's resume profile (or an empty one) with their stated profile skills added.
#[derive(Debug, Clone)]
pub struct CareerProfile {
    pub user_id: i64,
    /// The parsed resume read, if the user has one.
    pub resume_id: Option<i64>,
    /// The resume's profile; stated skills the resume lacks are added (without evidence).
    pub profile: ResumeProfile,
    /// The resume's extracted text, or (without a resume) the stated headline and skills.
    pub text: String,
    /// What matching reads besides the resume (stated skills, preferences).
    pub extras: CandidateExtras,
    /// URIs of the skills the user's profile states.
    pub stated: HashSet<String>,
}

/// Where the profile shows a skill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SkillEvidenceView {
    /// The text that names the skill, as the resume has it.
    pub text: String,
    /// The resume section (`experience`, `skills`, ...).
    pub section: Option<String>,
    /// "Title, Company" of the role the evidence sits in, if any.
    pub role: Option<String>,
    /// Years since that role ended (0 for a current role).
    pub years_ago: Option<f32>,
}

/// A skill the profile holds, with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HeldSkill {
    pub uri: String,
    pub label: String,
    /// Stated in the user's profile (besides or instead of the resume).
    pub stated_in_profile: bool,
    /// Where the resume shows it; empty when only stated.
    pub evidence: Vec<SkillEvidenceView>,
}

impl CareerProfile {
    /// No skills and no titles: nothing to reason from.
    pub fn is_empty(&self) -> bool {
        self.profile.skills.is_empty() && self.titles().is_empty()
    }

    /// The headline, then the experience titles (most recent first), without repeats.
    pub fn titles(&self) -> Vec<String> {
        let mut seen = HashSet::new();
        self.profile
            .headline
            .iter()
            .map(|h| h.value.as_str())
            .chain(
                self.profile
                    .experience
                    .iter()
                    .filter_map(|e| e.title.as_deref()),
            )
            .map(str::trim)
            .filter(|t| !t.is_empty() && seen.insert(t.to_lowercase()))
            .map(str::to_owned)
            .collect()
    }

    /// The text embedded to compare the profile with occupations: the headline and up to
    /// three role titles, then up to five skills (literal ones first), which place a title
    /// such as "Backend Engineer" in its field.
    pub fn title_query(&self) -> Option<String> {
        let titles = self.titles();
        if titles.is_empty() {
            return None;
        }
        let mut text = titles.into_iter().take(4).collect::<Vec<_>>().join(", ");
        let mut skills: Vec<&ExtractedSkill> = self.profile.skills.iter().collect();
        skills.sort_by_key(|s| s.method == intellicv_core::SkillMethod::Semantic);
        let skills: Vec<&str> = skills.iter().take(5).map(|s| s.label.as_str()).collect();
        if !skills.is_empty() {
            text.push_str(". Skills: ");
            text.push_str(&skills.join(", "));
        }
        Some(text)
    }

    pub fn held_uris(&self) -> HashSet<&str> {
        self.profile.skills.iter().map(|s| s.uri.as_str()).collect()
    }

    pub fn skill(&self, uri: &str) -> Option<&ExtractedSkill> {
        self.profile.skills.iter().find(|s| s.uri == uri)
    }

    /// A held skill with where the resume shows it.
    pub fn held(&self, skill: &ExtractedSkill, config: &MatchConfig) -> HeldSkill {
        let today = intellicv_skills::resume::this_month();
        let evidence = skill
            .evidence
            .iter()
            .take(3)
            .map(|e| {
                let placement = place(&e.source, &self.profile, today, config);
                SkillEvidenceView {
                    text: e.text.clone(),
                    section: e.source.section.clone(),
                    role: placement.role_label,
                    years_ago: placement.years_ago,
                }
            })
            .collect();
        HeldSkill {
            uri: skill.uri.clone(),
            label: skill.label.clone(),
            stated_in_profile: self.stated.contains(&skill.uri),
            evidence,
        }
    }

    /// What the matcher reads for this profile: the stored resume, or (without one) the
    /// stated headline and skills embedded on the fly.
    pub fn subject(&self) -> ResumeSubject {
        match self.resume_id {
            Some(id) => ResumeSubject::Stored(id),
            None => ResumeSubject::Parsed {
                profile: Box::new(self.profile.clone()),
                text: self.text.clone(),
                source_filename: "profile".to_owned(),
            },
        }
    }
}

/// The user's chosen resume (theirs, parsed) or latest parsed one, and their profile.
pub async fn load(
    store: &Store,
    user_id: i64,
    resume_id: Option<i64>,
) -> Result<CareerProfile, CareerError> {
    let record = store.get_profile(user_id).await?;
    let resume = match resume_id {
        Some(id) => {
            let resume = store.get_resume(id).await?;
            if resume.owner_id != Some(user_id) {
                return Err(CareerError::NotFound("resume"));
            }
            if resume.profile.is_none() {
                return Err(intellicv_core::ValidationError::new(
                    "resume_id",
                    "the resume could not be parsed",
                )
                .into());
            }
            Some(resume)
        }
        None => {
            let (rows, _) = store
                .query_resumes(&ResumeQuery {
                    owner_id: Some(user_id),
                    parse_status: Some(ParseStatus::Parsed),
                    format: None,
                    sort: ResumeSort::CreatedAt,
                    descending: true,
                    page: Page {
                        limit: 1,
                        offset: 0,
                    },
                    reach: Default::default(),
                })
                .await?;
            rows.into_iter().next()
        }
    };
    let extras = crate::portal::profile::match_extras(store, user_id)
        .await
        .map_err(|e| match e {
            crate::portal::PortalError::NotFound(what) => CareerError::NotFound(what),
            crate::portal::PortalError::Store(s) => CareerError::Store(s),
            other => CareerError::Task(other.to_string()),
        })?;
    let stated: HashSet<String> = record.skills.iter().map(|s| s.esco_id.clone()).collect();
    let (resume_id, mut profile, text) = match resume {
        Some(r) => {
            let profile = r.profile.map(|p| p.0).unwrap_or_default();
            (Some(r.id), profile, r.extracted_text.unwrap_or_default())
        }
        None => {
            let mut text = record.headline.clone().unwrap_or_default();
            for s in &record.skills {
                text.push('\n');
                text.push_str(&s.label);
            }
            (None, ResumeProfile::default(), text)
        }
    };
    if profile.headline.is_none()
        && let Some(h) = record.headline.as_deref().filter(|h| !h.trim().is_empty())
    {
        profile.headline = Some(Field::new(h.trim().to_owned(), None));
    }
    for skill in &extras.stated_skills {
        if !profile.skills.iter().any(|s| s.uri == skill.uri) {
            profile.skills.push(skill.clone());
        }
    }
    Ok(CareerProfile {
        user_id,
        resume_id,
        profile,
        text,
        extras,
        stated,
    })
}
