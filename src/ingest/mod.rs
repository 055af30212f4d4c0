//! Ingestion: documents in (resumes in six formats, job posting files), text and
//! structured profiles and postings out.

pub mod agreement;
pub mod extract;
pub mod html;
pub mod job_import;
pub mod job_skills;
pub mod jobs;
pub mod profile;
pub mod resume;
pub mod resume_import;
pub mod samples;
pub mod walk;
