//! Job posting import: JSON Lines, JSON arrays and CSV into [`JobPostingDraft`]s.

pub mod html;
pub mod salary;
pub mod classify;
pub mod dates;
pub mod requirements;
pub mod fields;
pub mod error;
pub mod schema_org;
