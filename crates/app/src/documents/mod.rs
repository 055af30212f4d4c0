//! The life of stored documents: uploading, correcting, replacing and deleting resumes and
//! job postings, each change written to the database and to the search indexes before it
//! returns (so it is searchable at once). Shared by the HTTP API and the CLI.

pub mod jobs;
pub mod pipeline;
pub mod resumes;

use std::sync::Arc;

use crate::events::EventHub;
use crate::events::matches::PostingAnnouncer;
use intellicv_core::ValidationError;
use intellicv_search::SearchEngine;
use intellicv_search::sync::SyncError;
use intellicv_skills::SkillExtractor;
use intellicv_store::{Store, StoreError};

/// The parts a document write needs, built once at start (cheap to clone).
#[derive(Clone)]
pub struct Services {
    pub store: Store,
    pub engine: Arc<SearchEngine>,
    pub skills: Arc<SkillExtractor>,
    /// Where stored documents are announced (`None`: nobody listens).
    pub events: Option<Arc<EventHub>>,
    /// Announces new open postings to the users they match (`None`: nobody listens).
    pub postings: Option<Arc<PostingAnnouncer>>,
}

impl Services {
    /// The write pipeline over these parts.
    pub fn writer(&self) -> pipeline::Writer<'_> {
        pipeline::Writer {
            store: &self.store,
            engine: Some(&self.engine),
            skills: &self.skills,
            events: self.events.as_deref(),
            postings: self.postings.as_deref(),
        }
    }
}

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

impl intellicv_core::ServiceError for DocumentError {
    fn kind(&self) -> intellicv_core::ErrorKind {
        use intellicv_core::ErrorKind;
        match self {
            DocumentError::NotFound(what) => ErrorKind::NotFound { what },
            DocumentError::Invalid(v) => v.kind(),
            DocumentError::Store(s) => s.kind(),
            DocumentError::Index(s) => s.kind(),
            DocumentError::Task(_) => ErrorKind::Internal,
        }
    }
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
