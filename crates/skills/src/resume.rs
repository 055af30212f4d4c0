//! Resume bytes → format, text and structured profile with skills. Pure CPU work, shared
//! by `intellicv parse`, `intellicv ingest resumes` and the upload API.

use chrono::Datelike;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::SkillExtractor;
use crate::rank::{literal_first, merge};
use crate::semantic::{ItemInput, list_items};
use intellicv_core::{ExtractedSkill, SectionKind};
use intellicv_core::{ResumeProfile, YearMonth};
use intellicv_ingest::extract::{
    DocumentFormat, ExtractError, ExtractLimits, ExtractedDocument, detect_format,
    extract_format_with_timeout,
};
use intellicv_ingest::profile::{body_range, parse_profile, profile_from_json_resume};

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
    parse_resume_file(bytes, limits, skills, today).result
}

/// What parsing a file found: the format detected (once; `None` when it is not one the
/// server reads) and the resume, or why not.
pub struct ResumeParse {
    pub format: Option<DocumentFormat>,
    pub result: Result<ParsedResume, ExtractError>,
}

impl ResumeParse {
    /// The format as stored: its name, or `unknown`.
    pub fn format_name(&self) -> &'static str {
        self.format.map_or("unknown", DocumentFormat::as_str)
    }
}

/// [`parse_resume`], answering the detected format whether or not the parse succeeds, so
/// nobody detects it again.
pub fn parse_resume_file(
    bytes: &[u8],
    limits: &ExtractLimits,
    skills: &SkillExtractor,
    today: YearMonth,
) -> ResumeParse {
    let format = match detect_format(bytes) {
        Ok(format) => format,
        Err(e) => {
            return ResumeParse {
                format: None,
                result: Err(e),
            };
        }
    };
    let result = extract_format_with_timeout(bytes, format, limits).map(|document| {
        let profile = profile_document(&document, skills, today);
        ParsedResume {
            format: document.format,
            text: document.text,
            profile,
        }
    });
    ResumeParse {
        format: Some(format),
        result,
    }
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
/// skills list lets short names such as "Go" count) and merges the findings by skill. When
/// the extractor has a semantic matcher, the items of skills sections that no literal
/// pattern names are matched to their closest ESCO skill ([`unmatched_items`]); they rank
/// after the literal hits and never repeat one.
pub fn attach_skills(profile: &mut ResumeProfile, text: &str, skills: &SkillExtractor) {
    let mut found = Vec::new();
    let mut unmatched: Vec<ItemInput<'_>> = Vec::new();
    for section in &profile.sections {
        let range = body_range(text, section);
        let hits = skills.extract_in(
            &text[range.clone()],
            range.start,
            Some(section.kind.as_str()),
        );
        if section.kind == SectionKind::Skills && skills.semantic().is_some() {
            unmatched.extend(unmatched_items(text, range, section.kind.as_str(), &hits));
        }
        found.extend(hits);
    }
    let literal = merge(found);
    profile.skills = match skills.semantic() {
        Some(matcher) if !unmatched.is_empty() => match matcher.match_items(&unmatched) {
            Ok(semantic) => literal_first(literal, merge(semantic)),
            Err(error) => {
                tracing::warn!(%error, "semantic skill matching failed, literal skills only");
                literal
            }
        },
        _ => literal,
    };
}

/// The list items of a skills section body (`range` of `text`) that no literal hit touches.
fn unmatched_items<'a>(
    text: &'a str,
    range: std::ops::Range<usize>,
    section: &'a str,
    hits: &[ExtractedSkill],
) -> impl Iterator<Item = ItemInput<'a>> {
    let covered: Vec<std::ops::Range<usize>> = hits
        .iter()
        .flat_map(|h| &h.evidence)
        .map(|e| e.source.start..e.source.end)
        .collect();
    let body = &text[range.clone()];
    list_items(body).into_iter().filter_map(move |item| {
        let (start, end) = (range.start + item.start, range.start + item.end);
        let touched = covered.iter().any(|c| c.start < end && start < c.end);
        (!touched).then(|| ItemInput {
            text: &text[start..end],
            offset: start,
            section: Some(section),
        })
    })
}
