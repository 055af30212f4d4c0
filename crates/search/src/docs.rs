//! Stored rows to searchable documents: what is indexed of a job posting and of a resume,
//! and which text of each is embedded.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::document::{DocMeta, GeoPoint, SearchDoc, SkillRef, yearly_amount};
use intellicv_core::ResumeProfile;
use intellicv_matching::redact_text;
use intellicv_store::{JobRecord, JobSkillRecord, ResumeRecord};

/// What of a posting is embedded: its title line and the opening of its description, up
/// to this many tokens, as one chunk. The title and the first paragraph say what the role
/// is; the rest of a posting (NHS postings run to thousands of words of trust history,
/// benefits and equal-opportunity text) is matched lexically and through its extracted
/// skills instead. This keeps embedding a 40k-posting board to minutes, not hours.
pub const JOB_EMBED_TOKENS: usize = 128;

/// A job posting with its skills as an indexable document.
pub fn job_doc(job: &JobRecord, skills: &[JobSkillRecord]) -> SearchDoc {
    let period = job.salary_period;
    let mut skill_refs: Vec<SkillRef> = skills
        .iter()
        .filter(|s| s.job_id == job.id)
        .map(|s| SkillRef {
            uri: s.uri.clone(),
            label: s.label.clone(),
        })
        .collect();
    skill_refs.dedup_by(|a, b| a.uri == b.uri);
    SearchDoc {
        id: job.id,
        title: job.title.clone(),
        other_titles: Vec::new(),
        body: job.description.clone(),
        company: job.company.clone(),
        meta: DocMeta {
            remote_mode: Some(job.remote_mode),
            employment_type: Some(job.employment_type),
            seniority: job.seniority,
            category: None,
            location: job.location.clone(),
            coordinates: match (job.latitude, job.longitude) {
                (Some(lat), Some(lon)) => Some(GeoPoint { lat, lon }),
                _ => None,
            },
            salary_yearly_min: job.salary_min.map(|a| yearly_amount(a, period)),
            salary_yearly_max: job.salary_max.map(|a| yearly_amount(a, period)),
            salary_currency: job.salary_currency.clone(),
            posted_at: job
                .posted_at
                .or(Some(job.created_at))
                .map(|t| t.timestamp()),
            years_experience: None,
            skill_uris: sorted_uris(&skill_refs),
            updated_at: job.updated_at.timestamp(),
        },
        skills: skill_refs,
    }
}

/// A parsed resume as an indexable document; `None` for a resume without a profile.
pub fn resume_doc(resume: &ResumeRecord) -> Option<SearchDoc> {
    let profile = &resume.profile.as_ref()?.0;
    let text = resume.extracted_text.as_deref().unwrap_or_default();
    let mut doc = resume_doc_from(resume.id, profile, text, resume.updated_at.timestamp());
    doc.meta.category = resume.category.clone();
    Some(doc)
}

/// A resume's indexable document from its parts (also for a resume parsed on the fly and
/// never stored, with id 0).
pub fn resume_doc_from(id: i64, profile: &ResumeProfile, text: &str, updated_at: i64) -> SearchDoc {
    let mut skills: BTreeMap<&str, &str> = BTreeMap::new();
    for s in &profile.skills {
        skills.entry(s.uri.as_str()).or_insert(s.label.as_str());
    }
    let skills: Vec<SkillRef> = skills
        .into_iter()
        .map(|(uri, label)| SkillRef {
            uri: uri.to_owned(),
            label: label.to_owned(),
        })
        .collect();
    let headline = profile.headline.as_ref().map(|h| h.value.clone());
    let other_titles: Vec<String> = profile
        .experience
        .iter()
        .filter_map(|e| e.title.clone())
        .filter(|t| Some(t) != headline.as_ref())
        .collect();
    let location = profile.contact.location.as_ref().map(|l| l.value.clone());
    SearchDoc {
        id,
        title: headline.unwrap_or_default(),
        other_titles,
        body: text.to_owned(),
        company: profile.experience.iter().find_map(|e| e.company.clone()),
        meta: DocMeta {
            seniority: profile.seniority,
            location,
            years_experience: profile.total_years_experience,
            posted_at: Some(updated_at),
            skill_uris: sorted_uris(&skills),
            updated_at,
            ..DocMeta::default()
        },
        skills,
    }
}

fn sorted_uris(skills: &[SkillRef]) -> Vec<String> {
    let mut uris: Vec<String> = skills.iter().map(|s| s.uri.clone()).collect();
    uris.sort();
    uris.dedup();
    uris
}

/// The text embedded for a posting (see [`JOB_EMBED_TOKENS`]): one section holding its
/// title line and its description; the caller keeps the first chunk.
pub fn job_embedding_sections(job: &JobRecord) -> Vec<(String, String)> {
    let mut text = job.title.clone();
    if let Some(company) = &job.company {
        text.push_str(" at ");
        text.push_str(company);
    }
    text.push_str(".\n");
    // Only the opening is read: don't hand the tokenizer the whole posting.
    let opening = job
        .description
        .floor_char_boundary(job.description.len().min(JOB_EMBED_TOKENS * 8));
    text.push_str(&job.description[..opening]);
    vec![("posting".to_owned(), text)]
}

/// The `(section, text)` pairs embedded for a resume: the headline, then every section of
/// the extracted text except contact details and references, in document order, with
/// personal details (name, contact details, age and gender cues) redacted, so the vectors
/// and every similarity computed from them are blind.
pub fn resume_embedding_sections(profile: &ResumeProfile, text: &str) -> Vec<(String, String)> {
    use intellicv_core::SectionKind;
    let name = profile.contact.name.as_ref().map(|n| n.value.as_str());
    let mut out = Vec::new();
    if let Some(h) = &profile.headline {
        out.push(("headline".to_owned(), h.value.clone()));
    }
    for section in &profile.sections {
        if matches!(section.kind, SectionKind::Header | SectionKind::References) {
            continue;
        }
        let Some(body) = text.get(section.start..section.end) else {
            continue;
        };
        if !body.trim().is_empty() {
            out.push((section.kind.as_str().to_owned(), redact_text(body, name)));
        }
    }
    if profile.sections.is_empty() && !text.trim().is_empty() {
        out.push(("text".to_owned(), redact_text(text, name)));
    }
    out
}

/// A stable hash of the text that is embedded, to tell when a stored vector is stale.
pub fn sections_hash(title: &str, sections: &[(String, String)]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(title.as_bytes());
    hasher.update([0]);
    for (kind, text) in sections {
        hasher.update(kind.as_bytes());
        hasher.update([0]);
        hasher.update(text.as_bytes());
        hasher.update([0]);
    }
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sections_hash_changes_with_the_text() {
        let a = vec![("title".to_owned(), "Nurse".to_owned())];
        let b = vec![("title".to_owned(), "Nurses".to_owned())];
        assert_ne!(sections_hash("", &a), sections_hash("", &b));
        assert_ne!(sections_hash("x", &a), sections_hash("", &a));
        assert_eq!(sections_hash("", &a), sections_hash("", &a.clone()));
    }
}
