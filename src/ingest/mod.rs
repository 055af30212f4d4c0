//! Turning outside documents into domain drafts: job posting imports.

pub mod jobs;
