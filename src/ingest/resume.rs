//! Resume bytes → format, text and structured profile with skills. Pure CPU work, shared
//! by `intellicv parse`, `intellicv ingest resumes` and the upload API.

use chrono::Datelike;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::domain::{ResumeProfile, YearMonth};
use crate::ingest::extract::{DocumentFormat, ExtractError, ExtractLimits, extract};
use crate::ingest::profile::{body_range, parse_profile};
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
    let mut profile = parse_profile(&document.text, today);
    attach_skills(&mut profile, &document.text, skills);
    Ok(ParsedResume {
        format: document.format,
        text: document.text,
        profile,
    })
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
