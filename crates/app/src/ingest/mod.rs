//! Ingestion with the store and the skill extractor: resumes and postings parsed by the
//! `intellicv-ingest` crate, given their skills and written.

pub mod job_import;
pub mod resume_import;
pub mod samples;
