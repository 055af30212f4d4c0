//! Which shape a JSON record has, and mapping it to a draft.

use serde_json::Value;

use super::error::RecordErrorKind;
use super::{flat, hacker_news, schema_org};
use intellicv_core::JobPostingDraft;

/// The shape of an imported record, told from its keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobSource {
    /// A schema.org `JobPosting` (`@type`, `hiringOrganization`, `datePosted`, ...).
    SchemaOrg,
    /// A Hacker News "Who is hiring" post (`full_html` or `text`).
    HackerNews,
    /// Our own flat shape, with fields named like [`JobPostingDraft`].
    Flat,
}

impl JobSource {
    /// Detects the shape of a record from its keys.
    pub fn detect(record: &Value) -> Option<Self> {
        let object = record.as_object()?;
        if schema_org::looks_like(object) {
            Some(Self::SchemaOrg)
        } else if hacker_news::looks_like(object) {
            Some(Self::HackerNews)
        } else if flat::looks_like(object) {
            Some(Self::Flat)
        } else {
            None
        }
    }
}

/// Maps one JSON record of any known shape to a draft; `source` labels where it came from.
pub fn map_record(record: &Value, source: &str) -> Result<JobPostingDraft, RecordErrorKind> {
    let object = record.as_object().ok_or(RecordErrorKind::NotAnObject)?;
    match JobSource::detect(record).ok_or(RecordErrorKind::UnknownShape)? {
        JobSource::SchemaOrg => schema_org::to_draft(object, source),
        JobSource::HackerNews => hacker_news::to_draft(object, source),
        JobSource::Flat => flat::to_draft(object, source),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shapes_are_detected_from_their_keys() {
        assert_eq!(
            JobSource::detect(&json!({"@type": "JobPosting", "title": "x"})),
            Some(JobSource::SchemaOrg)
        );
        assert_eq!(
            JobSource::detect(&json!({"full_html": "<p>x</p>", "month": "2014-01"})),
            Some(JobSource::HackerNews)
        );
        assert_eq!(
            JobSource::detect(&json!({"title": "Chef", "company": "Bistro"})),
            Some(JobSource::Flat)
        );
        assert_eq!(JobSource::detect(&json!({"name": "x"})), None);
        assert_eq!(JobSource::detect(&json!([1, 2])), None);
    }

    #[test]
    fn records_of_unknown_shape_or_not_objects_are_typed_errors() {
        assert_eq!(
            map_record(&json!({"name": "x"}), "s"),
            Err(RecordErrorKind::UnknownShape)
        );
        assert_eq!(
            map_record(&json!("text"), "s"),
            Err(RecordErrorKind::NotAnObject)
        );
    }
}
