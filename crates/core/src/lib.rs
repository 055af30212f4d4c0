//! Validated domain types. Input becomes one of these through `parse`, or is rejected
//! with a [`ValidationError`] naming the field and the reason.

mod application;
#[cfg(feature = "runtime")]
mod blocking;
mod error;
mod job;
mod profile;
mod provenance;
mod secret;
mod skill;
pub mod text;
mod time_range;
mod user;
mod user_profile;

pub use application::{ApplicationStatus, Mover, TransitionError};
#[cfg(feature = "runtime")]
pub use blocking::spawn_blocking_with_span;
pub use error::{ErrorKind, ServiceError};
pub use job::{
    EmploymentType, JobPostingDraft, JobSkill, PostingStatus, RemoteMode, Requirement, Salary,
    SalaryPeriod, Seniority,
};
pub use profile::{Contact, Education, Experience, ResumeProfile, Section, SectionKind, YearMonth};
pub use provenance::{Field, SourceSpan};
pub use secret::{Secret, SecretUrl};
pub use skill::{ExtractedSkill, SkillEvidence, SkillMethod};
pub use time_range::{Bucket, DEFAULT_DAYS, RangeError, TimeRange};
pub use user::{Email, MAX_DISPLAY_NAME_CHARS, Role, UserStatus, parse_display_name};
pub use user_profile::{
    JobPreferences, MAX_SKILL_CHANGES, ProfileInput, ProfileUpdate, ProfileVisibility, SkillAction,
    SkillChange, SkillChangeInput, SkillRef,
};

/// Input that does not make a valid domain value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct ValidationError {
    pub field: &'static str,
    pub reason: String,
}

impl ValidationError {
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }
}
