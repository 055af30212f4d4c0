//! Resumes: upload (parsed, stored, indexed; a parse failure is stored with its reason),
//! replace the file, correct the profile, delete.

use std::sync::Arc;

use serde::Serialize;

use super::DocumentError;
use crate::ingest::resume::{content_hash, parse_resume, this_month};
use crate::search::sync::index_documents;
use crate::search::{Collection, SearchEngine};
use crate::skills::SkillExtractor;
use crate::store::{NewResume, ParseOutcome, ResumeRecord, Store};
use intellicv_core::{ResumeProfile, ValidationError};
use intellicv_ingest::extract::ExtractLimits;

/// What an upload did.
#[derive(Debug, Clone, Serialize)]
pub struct UploadOutcome {
    pub resume: ResumeRecord,
    /// The same bytes were already stored for this owner: nothing new was stored.
    pub duplicate: bool,
}

/// The parts an upload needs.
pub struct Services<'a> {
    pub store: &'a Store,
    pub engine: &'a Arc<SearchEngine>,
    pub skills: &'a Arc<SkillExtractor>,
}

struct Parsed {
    format: String,
    outcome: Result<(String, ResumeProfile), (String, String)>,
}

/// Extracts and parses off the async runtime; a failure is a value, not an error.
async fn parse(skills: &Arc<SkillExtractor>, bytes: Arc<Vec<u8>>) -> Result<Parsed, DocumentError> {
    let skills = skills.clone();
    Ok(crate::telemetry::spawn_blocking_with_span(move || {
        match parse_resume(&bytes, &ExtractLimits::default(), &skills, this_month()) {
            Ok(parsed) => Parsed {
                format: parsed.format.as_str().to_owned(),
                outcome: Ok((parsed.text, parsed.profile)),
            },
            Err(e) => Parsed {
                format: intellicv_ingest::extract::detect_format(&bytes)
                    .map(|f| f.as_str())
                    .unwrap_or("unknown")
                    .to_owned(),
                outcome: Err((e.code().to_owned(), e.to_string())),
            },
        }
    })
    .await?)
}

fn new_resume<'a>(
    owner_id: Option<i64>,
    filename: &'a str,
    hash: &'a str,
    bytes: &'a [u8],
    parsed: &'a Parsed,
) -> NewResume<'a> {
    NewResume {
        owner_id,
        source_filename: filename,
        content_hash: hash,
        bytes,
        format: &parsed.format,
        outcome: match &parsed.outcome {
            Ok((text, profile)) => ParseOutcome::Parsed { text, profile },
            Err((code, reason)) => ParseOutcome::Failed { code, reason },
        },
    }
}

/// Stores an uploaded resume with its parse result (or failure) and indexes it.
pub async fn upload(
    s: &Services<'_>,
    owner_id: Option<i64>,
    filename: &str,
    bytes: Vec<u8>,
) -> Result<UploadOutcome, DocumentError> {
    let hash = content_hash(&bytes);
    if let Some(existing) = s.store.find_resume_by_hash(owner_id, &hash).await? {
        return Ok(UploadOutcome {
            resume: existing,
            duplicate: true,
        });
    }
    let bytes = Arc::new(bytes);
    let parsed = parse(s.skills, bytes.clone()).await?;
    let record = s
        .store
        .insert_resume(&new_resume(owner_id, filename, &hash, &bytes, &parsed))
        .await?;
    index_documents(s.store, s.engine, Collection::Resumes, &[record.id]).await?;
    tracing::info!(resume.id = record.id, resume.status = %record.parse_status, "resume uploaded");
    Ok(UploadOutcome {
        resume: record,
        duplicate: false,
    })
}

/// Replaces a stored resume's file (parsed again) and re-indexes it.
pub async fn replace(
    s: &Services<'_>,
    id: i64,
    filename: &str,
    bytes: Vec<u8>,
) -> Result<ResumeRecord, DocumentError> {
    let current = s.store.get_resume(id).await?;
    let hash = content_hash(&bytes);
    let bytes = Arc::new(bytes);
    let parsed = parse(s.skills, bytes.clone()).await?;
    let record = s
        .store
        .replace_resume(
            id,
            &new_resume(current.owner_id, filename, &hash, &bytes, &parsed),
        )
        .await?;
    index_documents(s.store, s.engine, Collection::Resumes, &[id]).await?;
    Ok(record)
}

/// Replaces a parsed resume's profile with a corrected one and re-indexes it.
pub async fn update_profile(
    s: &Services<'_>,
    id: i64,
    profile: &ResumeProfile,
) -> Result<ResumeRecord, DocumentError> {
    let record = s.store.update_resume_profile(id, profile).await?;
    index_documents(s.store, s.engine, Collection::Resumes, &[id]).await?;
    Ok(record)
}

/// Longest category name accepted.
pub const CATEGORY_MAX_CHARS: usize = 64;

/// A category name as given: trimmed, `None` when blank (no category); at most
/// [`CATEGORY_MAX_CHARS`] characters, no control characters.
pub fn category_name(raw: &str) -> Result<Option<String>, ValidationError> {
    let name = raw.trim();
    if name.is_empty() {
        return Ok(None);
    }
    if name.chars().count() > CATEGORY_MAX_CHARS {
        return Err(ValidationError::new(
            "category",
            format!("at most {CATEGORY_MAX_CHARS} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(ValidationError::new(
            "category",
            "control characters are not allowed",
        ));
    }
    Ok(Some(name.to_owned()))
}

/// Files a resume under a category of the pool (`None` or a blank name clears it) and
/// re-indexes it: similar-candidate search learns each category's profile from the
/// resumes filed under it.
pub async fn set_category(
    s: &Services<'_>,
    id: i64,
    category: Option<&str>,
) -> Result<ResumeRecord, DocumentError> {
    let category = category.map(category_name).transpose()?.flatten();
    let record = s.store.set_resume_category(id, category.as_deref()).await?;
    index_documents(s.store, s.engine, Collection::Resumes, &[id]).await?;
    Ok(record)
}

/// Deletes a resume from the database, the indexes and the caches.
pub async fn delete(s: &Services<'_>, id: i64) -> Result<(), DocumentError> {
    if !s.store.delete_resume(id).await? {
        return Err(DocumentError::NotFound("resume"));
    }
    let engine = s.engine.clone();
    tokio::task::spawn_blocking(move || engine.delete(Collection::Resumes, &[id]))
        .await?
        .map_err(|e| DocumentError::Index(e.into()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_names_are_trimmed_blank_clears_and_bad_names_say_why() {
        assert_eq!(category_name("  CHEF ").unwrap().as_deref(), Some("CHEF"));
        assert_eq!(category_name("   ").unwrap(), None);
        let long = "x".repeat(CATEGORY_MAX_CHARS + 1);
        let e = category_name(&long).unwrap_err();
        assert_eq!(e.field, "category");
        assert!(e.reason.contains("64"), "{}", e.reason);
        assert!(category_name("CH\u{7}EF").is_err());
        assert!(category_name(&"é".repeat(CATEGORY_MAX_CHARS)).is_ok());
    }
}
