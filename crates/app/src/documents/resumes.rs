//! Resumes: upload (parsed, stored, indexed; a parse failure is stored with its reason),
//! replace the file, correct the profile, delete.

use crate::telemetry::spawn_blocking_with_span;
use serde::Serialize;

use super::DocumentError;
use super::pipeline::{self, ParsedFile, ResumeFile};
use intellicv_core::{ResumeProfile, ValidationError};
use intellicv_search::Collection;
use intellicv_search::sync::index_documents;
use intellicv_store::ResumeRecord;

pub use super::Services;

/// What an upload did.
#[derive(Debug, Clone, Serialize)]
pub struct UploadOutcome {
    pub resume: ResumeRecord,
    /// The same bytes were already stored for this owner: nothing new was stored.
    pub duplicate: bool,
}

/// Stores an uploaded resume with its parse result (or failure), indexes it and announces
/// it: the write pipeline with one file.
pub async fn upload(
    s: &Services,
    owner_id: Option<i64>,
    filename: &str,
    bytes: Vec<u8>,
) -> Result<UploadOutcome, DocumentError> {
    let file = ResumeFile {
        name: filename.to_owned(),
        bytes,
    };
    let parsed = pipeline::parse_files(&s.skills, vec![file]).await?;
    pipeline::write_resumes(&s.writer(), owner_id, &parsed)
        .await?
        .pop()
        .ok_or_else(|| DocumentError::Task("the upload wrote nothing".to_owned()))
}

/// Replaces a stored resume's file (parsed again) and re-indexes it.
pub async fn replace(
    s: &Services,
    id: i64,
    filename: &str,
    bytes: Vec<u8>,
) -> Result<ResumeRecord, DocumentError> {
    let current = s.store.get_resume(id).await?;
    let file = ResumeFile {
        name: filename.to_owned(),
        bytes,
    };
    let parsed: ParsedFile = pipeline::parse_files(&s.skills, vec![file])
        .await?
        .pop()
        .ok_or_else(|| DocumentError::Task("the file was not parsed".to_owned()))?;
    let record = s
        .store
        .replace_resume(id, &parsed.new_resume(current.owner_id))
        .await?;
    index_documents(&s.store, &s.engine, Collection::Resumes, &[id]).await?;
    Ok(record)
}

/// Replaces a parsed resume's profile with a corrected one and re-indexes it.
pub async fn update_profile(
    s: &Services,
    id: i64,
    profile: &ResumeProfile,
) -> Result<ResumeRecord, DocumentError> {
    let record = s.store.update_resume_profile(id, profile).await?;
    index_documents(&s.store, &s.engine, Collection::Resumes, &[id]).await?;
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
    s: &Services,
    id: i64,
    category: Option<&str>,
) -> Result<ResumeRecord, DocumentError> {
    let category = category.map(category_name).transpose()?.flatten();
    let record = s.store.set_resume_category(id, category.as_deref()).await?;
    index_documents(&s.store, &s.engine, Collection::Resumes, &[id]).await?;
    Ok(record)
}

/// Deletes a resume from the database, the indexes and the caches.
pub async fn delete(s: &Services, id: i64) -> Result<(), DocumentError> {
    if !s.store.delete_resume(id).await? {
        return Err(DocumentError::NotFound("resume"));
    }
    let engine = s.engine.clone();
    spawn_blocking_with_span(move || engine.delete(Collection::Resumes, &[id]))
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
