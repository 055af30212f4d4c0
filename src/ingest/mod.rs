//! Ingestion: documents in, structured profiles and job postings out.

pub mod jobs;
pub mod profile;
