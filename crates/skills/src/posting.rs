//! Skills of a job posting: found in its description by the skills extractor, required
//! unless they sit in a "nice to have" / "desirable" part.

use crate::SkillExtractor;
use intellicv_core::{JobPostingDraft, JobSkill, Requirement};
use intellicv_ingest::jobs::{requirement_at, split_requirements};

/// Fills `draft.skills` from its title and description. CPU-bound.
pub fn attach_skills(draft: &mut JobPostingDraft, extractor: &SkillExtractor) {
    draft.skills = posting_skills(&draft.title, &draft.description, extractor);
}

/// The skills of a posting with this title and description. CPU-bound.
pub fn posting_skills(title: &str, description: &str, extractor: &SkillExtractor) -> Vec<JobSkill> {
    let parts = split_requirements(description);
    let found = extractor.extract_in(description, 0, Some("description"));
    let mut skills: Vec<JobSkill> = found
        .into_iter()
        .map(|skill| {
            let preferred_everywhere = !skill.evidence.is_empty()
                && skill.evidence.iter().all(|e| {
                    requirement_at(&parts, e.source.start) == Some(Requirement::Preferred)
                });
            let requirement = if preferred_everywhere {
                Requirement::Preferred
            } else {
                Requirement::Required
            };
            JobSkill { skill, requirement }
        })
        .collect();
    let in_title = extractor.extract_in(title, 0, Some("title"));
    for skill in in_title {
        if !skills.iter().any(|s| s.skill.uri == skill.uri) {
            skills.push(JobSkill {
                skill,
                requirement: Requirement::Required,
            });
        }
    }
    skills
}
