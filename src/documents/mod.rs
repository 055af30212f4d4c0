//! The life of stored documents: uploading, correcting, replacing and deleting resumes and
//! job postings, each change written to the database and to the search indexes before it
//! returns (so it is searchable at once). Shared by the HTTP API and the CLI.

pub mod jobs;
pub mod pipeline;
pub mod resumes;

use std::sync::Arc;

use crate::events::EventHub;
use crate::events::matches::PostingAnnouncer;
use crate::search::SearchEngine;
use crate::search::sync::SyncError;
use crate::state::AppState;
use intellicv_core::ValidationError;
use intellicv_skills::SkillExtractor;
use intellicv_store::{Store, StoreError};

/// The parts a document write needs.
pub struct Services<'a> {
    pub store: &'a Store,
    pub engine: &'a Arc<SearchEngine>,
    pub skills: &'a Arc<SkillExtractor>,
    /// Where stored documents are announced (`None`: nobody listens).
    pub events: Option<&'a EventHub>,
    /// Announces new open postings to the users they match (`None`: nobody listens).
    pub postings: Option<PostingAnnouncer>,
}

impl Services<'_> {
    /// The write pipeline over these parts.
    pub fn writer(&self) -> pipeline::Writer<'_> {
        pipeline::Writer {
            store: self.store,
            engine: Some(self.engine),
            skills: self.skills,
            events: self.events,
            postings: self.postings.as_ref(),
        }
    }
}

impl AppState {
    /// The server's document services: writes are indexed and announced to admins.
    pub fn documents(&self) -> Services<'_> {
        Services {
            store: &self.store,
            engine: &self.search,
            skills: &self.skills,
            events: Some(&self.events),
            postings: Some(PostingAnnouncer {
                hub: self.events.clone(),
                store: self.store.clone(),
                matcher: self.matcher.clone(),
                settings: self.settings.realtime.clone(),
            }),
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
