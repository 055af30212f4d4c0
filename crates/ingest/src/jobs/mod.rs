//! Job posting import: JSON Lines, JSON arrays and CSV (gzip or plain) into
//! [`JobPostingDraft`](intellicv_core::JobPostingDraft)s, one result per record.
//!
//! Records are schema.org `JobPosting` objects, Hacker News "Who is hiring" posts or our own
//! flat shape, told apart by their keys ([`JobSource`]). Descriptions become clean plain text
//! ([`crate::html`]); salaries, remote mode, employment type, seniority and dates are
//! parsed from structured fields and free text. Skills are left empty: the skills extractor
//! fills them, using [`requirements::split_requirements`] to tell required from preferred.
//! All functions are synchronous and CPU-bound; run imports on a blocking pool.

pub mod classify;
pub mod dates;
pub mod error;
mod fields;
pub mod flat;
pub mod hacker_news;
pub mod reader;
pub mod requirements;
pub mod salary;
pub mod schema_org;
pub mod source;
pub mod stats;

#[cfg(test)]
mod measure;

pub use error::{RecordError, RecordErrorKind};
pub use reader::{CsvMapping, RecordResult, read_csv, read_json, read_json_array, read_jsonl};
pub use requirements::{RequirementSpan, requirement_at, split_requirements};
pub use source::{JobSource, map_record};
pub use stats::ImportStats;
