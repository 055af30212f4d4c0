//! Resume bytes → format, text and structured profile with skills. Pure CPU work, shared
//! by `intellicv parse`, `intellicv ingest resumes` and the upload API.

use chrono::Datelike;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::domain::{ResumeProfile, YearMonth};
use crate::ingest::extract::{
    DocumentFormat, ExtractError, ExtractLimits, ExtractedDocument, extract,
};
use crate::ingest::profile::{body_range, parse_profile, profile_from_json_resume};
use crate::skills::SkillExtractor;
use crate::skills::rank::merge;

#[derive(Debug, Clone, Serialize)]
pub struct ParsedResume {
    pub format: DocumentFormat,
    #[serde(skip)]
    pub text: String,
    pub profile: ResumeProfile,
}

/// The hex SHA-256 of a document's bytes: its identity for de-duplication.
pub fn content_hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The current month, which anchors "Present" in date ranges.
pub fn this_month() -> YearMonth {
    let now = chrono::Utc::now();
    YearMonth {
        year: now.year(),
        month: Some(now.month() as u8),
    }
}

/// Extracts text, parses the profile and finds skills section by section.
pub fn parse_resume(
    bytes: &[u8],
    limits: &ExtractLimits,
    skills: &SkillExtractor,
    today: YearMonth,
) -> Result<ParsedResume, ExtractError> {
    let document = extract(bytes, limits)?;
    let profile = profile_document(&document, skills, today);
    Ok(ParsedResume {
        format: document.format,
        text: document.text,
        profile,
    })
}

/// The profile of an extracted document, skills included. A JSON Resume is already
/// structured, so its fields are mapped; other formats go through the text rules. Either way
/// skills are found section by section in the text.
pub fn profile_document(
    document: &ExtractedDocument,
    skills: &SkillExtractor,
    today: YearMonth,
) -> ResumeProfile {
    let mut profile = match &document.json_resume {
        Some(resume) => profile_from_json_resume(resume, &document.text, today),
        None => parse_profile(&document.text, today),
    };
    attach_skills(&mut profile, &document.text, skills);
    profile
}

/// Runs the skills extractor over each section (so evidence carries the section, and a
/// skills list lets short names such as "Go" count) and merges the findings by skill.
pub fn attach_skills(profile: &mut ResumeProfile, text: &str, skills: &SkillExtractor) {
    let mut found = Vec::new();
    for section in &profile.sections {
        let range = body_range(text, section);
        found.extend(skills.extract_in(
            &text[range.clone()],
            range.start,
            Some(section.kind.as_str()),
        ));
    }
    profile.skills = merge(found);
}
