//! Text generation grounded in stored data: a professional summary from a parsed resume, a
//! job description draft from a title and skills, interview questions from the skill gap
//! of a match. The facts are read from the database first; the grounded generator writes
//! from them with templates. When an OpenAI-compatible endpoint is configured it is asked
//! first, with the same facts, and its answer is kept only if it states nothing the facts
//! do not support ([`facts::Grounding::violations`]); otherwise (failure, timeout, rate
//! limit, rejection) the grounded text is answered, with the reason.

pub mod facts;
pub mod grounded;
pub mod llm;

use crate::telemetry::spawn_blocking_with_span;
use std::collections::HashSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::AiError;
use crate::matching::MatchOptions;
use crate::matching::service::{MatchError, Matcher};
use facts::Grounding;
use grounded::{
    AlsoAsked, InterviewFacts, JobDescriptionFacts, RoleFact, SkillInRole, SummaryFacts,
};
use intellicv_core::{ResumeProfile, SkillMethod, ValidationError};
use intellicv_skills::SkillExtractor;
use intellicv_store::Store;
use llm::LlmClient;

pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_SKILLS: usize = 30;
/// Share of similar postings from which a skill is listed as "nice to have".
const ALSO_ASKED_SHARE: f32 = 0.3;
const ALSO_ASKED_MIN_POSTINGS: i64 = 2;
const SUMMARY_SKILLS: usize = 10;

/// What to write.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum GenerateRequest {
    /// A professional summary of a parsed resume.
    ProfessionalSummary { resume_id: i64 },
    /// A job description draft for a title and skills (free text, normalised to the
    /// taxonomy).
    JobDescription { title: String, skills: Vec<String> },
    /// Interview questions from the skill gap between a resume and a posting.
    InterviewQuestions { resume_id: i64, job_id: i64 },
}

impl GenerateRequest {
    fn kind(&self) -> &'static str {
        match self {
            GenerateRequest::ProfessionalSummary { .. } => "professional_summary",
            GenerateRequest::JobDescription { .. } => "job_description",
            GenerateRequest::InterviewQuestions { .. } => "interview_questions",
        }
    }
}

/// Which generator wrote the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GeneratorKind {
    Grounded,
    Llm,
}

/// A generated text and how it came about.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Generated {
    pub kind: &'static str,
    pub text: String,
    /// Interview questions one by one (for `interview_questions`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub questions: Option<Vec<String>>,
    pub generator: GeneratorKind,
    /// The endpoint's model, when it wrote the text.
    pub model: Option<String>,
    /// Why the endpoint's text was not used, when an endpoint is configured.
    pub fallback_reason: Option<String>,
    /// Requests made to the endpoint (retries included).
    pub llm_attempts: u32,
    /// The stored facts the text was written from.
    #[schema(value_type = Object)]
    pub facts: serde_json::Value,
}

/// A grounded draft: the facts, the template's text, and what to ask an endpoint.
struct Draft {
    grounding: Grounding,
    text: String,
    questions: Option<Vec<String>>,
    instruction: &'static str,
}

const SYSTEM_PROMPT: &str = "You write text for a recruiting product. Use only the facts \
    given as JSON. State no skill, employer, school, place, product, number or date that is \
    not in the facts. Answer with the text only, in plain text without markdown.";

/// Builds facts from the store and writes.
pub struct Generator {
    store: Store,
    matcher: Arc<Matcher>,
    skills: Arc<SkillExtractor>,
    llm: Option<LlmClient>,
}

impl Generator {
    pub fn new(
        store: Store,
        matcher: Arc<Matcher>,
        skills: Arc<SkillExtractor>,
        llm: Option<LlmClient>,
    ) -> Self {
        Self {
            store,
            matcher,
            skills,
            llm,
        }
    }

    pub fn llm(&self) -> Option<&LlmClient> {
        self.llm.as_ref()
    }

    /// Writes what `request` asks for.
    pub async fn generate(&self, request: GenerateRequest) -> Result<Generated, AiError> {
        let kind = request.kind();
        let draft = match request {
            GenerateRequest::ProfessionalSummary { resume_id } => self.summary(resume_id).await?,
            GenerateRequest::JobDescription { title, skills } => {
                self.job_description(&title, skills).await?
            }
            GenerateRequest::InterviewQuestions { resume_id, job_id } => {
                self.interview(resume_id, job_id).await?
            }
        };
        let own = draft.grounding.violations(&draft.text, &self.skills);
        if !own.is_empty() {
            tracing::error!(kind, violations = ?own, "the grounded template states something its facts do not hold");
        }
        let mut answer = Generated {
            kind,
            text: draft.text.clone(),
            questions: draft.questions.clone(),
            generator: GeneratorKind::Grounded,
            model: None,
            fallback_reason: None,
            llm_attempts: 0,
            facts: draft.grounding.facts.clone(),
        };
        let Some(llm) = &self.llm else {
            return Ok(answer);
        };
        let user = format!(
            "{}\n\nFacts:\n{}",
            draft.instruction,
            serde_json::to_string_pretty(&draft.grounding.facts).unwrap_or_default()
        );
        match llm.complete(SYSTEM_PROMPT, &user).await {
            Ok(completion) => {
                answer.llm_attempts = completion.attempts;
                let violations = draft.grounding.violations(&completion.text, &self.skills);
                if violations.is_empty() {
                    answer.questions = draft.questions.as_ref().map(|_| {
                        completion
                            .text
                            .lines()
                            .map(strip_marker)
                            .filter(|l| !l.is_empty())
                            .collect()
                    });
                    answer.text = completion.text;
                    answer.generator = GeneratorKind::Llm;
                    answer.model = Some(llm.model().to_owned());
                } else {
                    llm.count_rejected();
                    let named: Vec<String> = violations.iter().map(ToString::to_string).collect();
                    tracing::info!(kind, violations = ?named, "generated text rejected: it states facts the stored data lacks");
                    answer.fallback_reason = Some(format!(
                        "rejected: the endpoint's text states {} not in the stored data",
                        named.join(", ")
                    ));
                }
            }
            Err((error, attempts)) => {
                answer.llm_attempts = attempts;
                tracing::warn!(kind, %error, attempts, "text generation endpoint failed, using the grounded generator");
                answer.fallback_reason =
                    Some(format!("failed after {attempts} attempt(s): {error}"));
            }
        }
        Ok(answer)
    }

    async fn summary(&self, resume_id: i64) -> Result<Draft, AiError> {
        let resume = self.store.get_resume(resume_id).await?;
        let profile =
            resume.profile.as_ref().map(|p| &p.0).ok_or_else(|| {
                ValidationError::new("resume_id", "the resume could not be parsed")
            })?;
        let facts = summary_facts(profile);
        let years = facts.years_of_experience;
        let text = grounded::summary(&facts);
        let mut grounding = Grounding::new(
            serde_json::to_value(&facts).unwrap_or_default(),
            profile.skills.iter().map(|s| s.uri.clone()),
            Some(&self.skills),
        );
        if let Some(y) = years {
            grounding.allow_number(y);
        }
        Ok(Draft {
            grounding,
            text,
            questions: None,
            instruction: "Write a professional summary of two to four sentences about this \
                person, in the third person without pronouns.",
        })
    }

    async fn job_description(&self, title: &str, skills: Vec<String>) -> Result<Draft, AiError> {
        let title = crate::portal::note_text(Some(title), "title", MAX_TITLE_CHARS)?
            .filter(|t| !t.contains('\n'))
            .ok_or_else(|| ValidationError::new("title", "give the job title in one line"))?;
        if skills.len() > MAX_SKILLS {
            return Err(ValidationError::new(
                "skills",
                format!("give at most {MAX_SKILLS} skills"),
            )
            .into());
        }
        let extractor = self.skills.clone();
        let resolved =
            spawn_blocking_with_span(move || normalise_skills(&extractor, &skills)).await??;
        let required: Vec<String> = resolved.iter().map(|(_, l)| l.clone()).collect();
        let uris: HashSet<String> = resolved.iter().map(|(u, _)| u.clone()).collect();
        let counts = self
            .store
            .title_skill_counts(std::slice::from_ref(&title))
            .await?;
        let mut also = Vec::new();
        let mut allowed: Vec<String> = uris.iter().cloned().collect();
        if counts.postings >= ALSO_ASKED_MIN_POSTINGS {
            for (uri, label, n) in &counts.skills {
                let share = *n as f32 / counts.postings as f32;
                if share >= ALSO_ASKED_SHARE && !uris.contains(uri) && also.len() < 6 {
                    allowed.push(uri.clone());
                    also.push(AlsoAsked {
                        skill: label.clone(),
                        percent: (share * 100.0).round() as u32,
                    });
                }
            }
        }
        let facts = JobDescriptionFacts {
            title,
            required_skills: required,
            similar_postings: counts.postings,
            also_asked: also,
        };
        let text = grounded::job_description(&facts);
        let grounding = Grounding::new(
            serde_json::to_value(&facts).unwrap_or_default(),
            allowed,
            Some(&self.skills),
        );
        Ok(Draft {
            grounding,
            text,
            questions: None,
            instruction: "Write a job description draft: a title line, two or three sentences \
                about the role, a list of the required skills and, if the facts give any, a \
                list of nice-to-have skills.",
        })
    }

    async fn interview(&self, resume_id: i64, job_id: i64) -> Result<Draft, AiError> {
        let job = self.store.get_job(job_id).await?;
        let explanation = self
            .matcher
            .explain(resume_id, job_id, MatchOptions::default())
            .await
            .map_err(|e| match e {
                MatchError::NotParsed(_) => {
                    ValidationError::new("resume_id", "the resume could not be parsed").into()
                }
                e => AiError::from(e),
            })?;
        let resume = self.store.get_resume(resume_id).await?;
        let mut allowed: Vec<String> = self
            .store
            .job_skills_for(&[job_id])
            .await?
            .into_iter()
            .map(|s| s.uri)
            .collect();
        if let Some(p) = &resume.profile {
            allowed.extend(p.0.skills.iter().map(|s| s.uri.clone()));
        }
        let mut listed = Vec::new();
        let mut shown = Vec::new();
        for m in &explanation.matched_skills {
            match m
                .resume_evidence
                .iter()
                .find_map(|e| e.placement.role_label.clone())
            {
                Some(role) => shown.push(SkillInRole {
                    skill: m.label.clone(),
                    role,
                }),
                None => listed.push(m.label.clone()),
            }
        }
        let facts = InterviewFacts {
            job_title: job.title.clone(),
            company: job.company.clone(),
            missing_required: labels(&explanation.missing_required),
            missing_preferred: labels(&explanation.missing_preferred),
            listed_without_role: listed,
            shown_in_roles: shown,
        };
        let questions = grounded::interview_questions(&facts);
        let grounding = Grounding::new(
            serde_json::to_value(&facts).unwrap_or_default(),
            allowed,
            Some(&self.skills),
        );
        Ok(Draft {
            grounding,
            text: grounded::numbered(&questions),
            questions: Some(questions),
            instruction: "Write up to ten interview questions for this candidate and posting, \
                one per line, numbered, probing the missing skills and asking for evidence of \
                the skills shown.",
        })
    }
}

fn labels(skills: &[crate::matching::MissingSkill]) -> Vec<String> {
    skills.iter().map(|s| s.label.clone()).collect()
}

/// `1. text` → `text`.
fn strip_marker(line: &str) -> String {
    let t = line.trim();
    let rest = t.trim_start_matches(|c: char| c.is_ascii_digit());
    let rest = if rest.len() < t.len() {
        rest.trim_start_matches(['.', ')', ':'])
    } else {
        t.trim_start_matches(['-', '*', '•'])
    };
    rest.trim().to_owned()
}

/// Free-text skills normalised with the gazetteer, each read as a skills-section line;
/// text naming no skill is a validation error naming its index.
fn normalise_skills(
    extractor: &SkillExtractor,
    skills: &[String],
) -> Result<Vec<(String, String)>, ValidationError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (i, text) in skills.iter().enumerate() {
        let found = extractor.extract_in(text, 0, Some("skills"));
        if found.is_empty() {
            return Err(ValidationError::new(
                "skills",
                format!("skills[{i}]: {text:?} names no skill of ESCO or the technology list"),
            ));
        }
        for s in found {
            if !out.iter().any(|(u, _)| *u == s.uri) {
                out.push((s.uri, s.label));
            }
        }
    }
    Ok(out)
}

/// The facts of a summary: the profile's headline, whole years, latest role, employers
/// (most recent first) and skills (shown in roles first, literal before semantic).
pub fn summary_facts(profile: &ResumeProfile) -> SummaryFacts {
    let mut roles: Vec<&intellicv_core::Experience> = profile.experience.iter().collect();
    let key = |e: &intellicv_core::Experience| (e.is_current, e.end.or(e.start));
    roles.sort_by_key(|e| std::cmp::Reverse(key(e)));
    let mut employers: Vec<String> = Vec::new();
    for c in roles.iter().filter_map(|e| e.company.as_deref()) {
        let c = c.trim();
        if !c.is_empty() && !employers.iter().any(|e| e.eq_ignore_ascii_case(c)) {
            employers.push(c.to_owned());
        }
    }
    employers.truncate(4);
    let latest_role = roles.first().map(|e| RoleFact {
        title: e.title.clone(),
        company: e.company.clone(),
        current: e.is_current,
    });
    let in_role = |s: &intellicv_core::ExtractedSkill| {
        s.evidence.iter().any(|ev| {
            profile
                .experience
                .iter()
                .any(|r| r.source.start <= ev.source.start && ev.source.end <= r.source.end)
        })
    };
    let mut ranked: Vec<(u8, usize, &intellicv_core::ExtractedSkill)> = profile
        .skills
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let rank = match (in_role(s), s.method == SkillMethod::Semantic) {
                (true, false) => 0,
                (false, false) => 1,
                (true, true) => 2,
                (false, true) => 3,
            };
            (rank, i, s)
        })
        .collect();
    ranked.sort_by_key(|(rank, i, _)| (*rank, *i));
    SummaryFacts {
        headline: profile.headline.as_ref().map(|h| h.value.clone()),
        years_of_experience: profile
            .total_years_experience
            .filter(|y| *y >= 1.0)
            .map(|y| y.floor() as u32),
        latest_role,
        employers,
        skills: ranked
            .into_iter()
            .take(SUMMARY_SKILLS)
            .map(|(_, _, s)| s.label.clone())
            .collect(),
    }
}
