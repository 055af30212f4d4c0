//! Ingestion: documents in, structured profiles out.

pub mod profile;
