//! Ingestion: documents in, structured profiles and job postings out.

pub mod job_import;
pub mod job_skills;
pub mod jobs;
pub mod profile;
