//! The life of stored documents: uploading, correcting, replacing and deleting resumes and
//! job postings, each change written to the database and to the search indexes before it
//! returns (so it is searchable at once). Shared by the HTTP API and the CLI.

pub mod jobs;
pub mod resumes;

use crate::search::sync::SyncError;
use crate::store::StoreError;
use intellicv_core::ValidationError;

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error(transparent)]
    Store(StoreError),
    #[error(transparent)]
    Index(#[from] SyncError),
    #[error("document task failed: {0}")]
    Task(String),
}

impl From<StoreError> for DocumentError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { entity } => DocumentError::NotFound(entity),
            e => DocumentError::Store(e),
        }
    }
}

impl From<tokio::task::JoinError> for DocumentError {
    fn from(e: tokio::task::JoinError) -> Self {
        DocumentError::Task(e.to_string())
    }
}
