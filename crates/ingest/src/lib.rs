//! Ingestion without I/O beyond the bytes handed in: documents in (resumes in six formats,
//! job posting files), text, structured profiles and posting drafts out. Nothing here
//! touches the store, the index or the models, so each parser can be fuzzed on its own.

pub mod extract;
pub mod html;
pub mod jobs;
pub mod profile;
pub mod walk;
