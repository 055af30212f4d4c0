//! Career services grounded in stored data: recommendations (jobs, skills to learn next,
//! roles to aim for), pathways to ESCO occupations, and stored coaching plans.
//!
//! Everything is computed from what the database and the taxonomy hold: the caller's
//! latest parsed resume and stated profile skills, the matcher's scores and explanations
//! over stored postings, the ESCO occupations with the skills derived from their
//! descriptions ([`occupations`]) and the skills stored postings with a matching title ask
//! for. The HTTP handlers in `api::career` only parse requests and call [`CareerService`].

pub mod coaching;
pub mod occupations;
pub mod pathways;
pub mod recommendations;
mod settings;
mod subject;

use crate::telemetry::spawn_blocking_with_span;
use std::sync::Arc;

pub use settings::CareerSettings;
pub use subject::{CareerProfile, HeldSkill, SkillEvidenceView};

use crate::auth::AccessError;
use crate::matching::MatchConfig;
use crate::matching::service::{MatchError, Matcher};
use intellicv_core::ValidationError;
use intellicv_search::embedder::{Embedder, EmbedderError};
use intellicv_store::{Store, StoreError};
use occupations::{CatalogError, OccupationCatalog};

#[derive(Debug, thiserror::Error)]
pub enum CareerError {
    /// Missing, or another user's and so answered like a missing one.
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Match(#[from] MatchError),
    #[error(transparent)]
    Store(StoreError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Embedder(#[from] EmbedderError),
    #[error("career task failed: {0}")]
    Task(String),
}

impl intellicv_core::ServiceError for CareerError {
    fn kind(&self) -> intellicv_core::ErrorKind {
        use intellicv_core::ErrorKind;
        match self {
            CareerError::NotFound(what) => ErrorKind::NotFound { what },
            CareerError::Invalid(v) => v.kind(),
            CareerError::Access(a) => a.kind(),
            CareerError::Match(m) => m.kind(),
            CareerError::Store(s) => s.kind(),
            CareerError::Catalog(_) | CareerError::Embedder(_) | CareerError::Task(_) => {
                ErrorKind::Internal
            }
        }
    }
}

impl From<StoreError> for CareerError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { entity } => CareerError::NotFound(entity),
            e => CareerError::Store(e),
        }
    }
}

impl From<tokio::task::JoinError> for CareerError {
    fn from(e: tokio::task::JoinError) -> Self {
        CareerError::Task(e.to_string())
    }
}

/// What the career services read: the store, the matcher, the occupations and the model.
pub struct CareerService {
    store: Store,
    matcher: Arc<Matcher>,
    occupations: Arc<OccupationCatalog>,
    embedder: Arc<Embedder>,
    settings: CareerSettings,
    match_config: MatchConfig,
}

impl CareerService {
    pub fn new(
        store: Store,
        matcher: Arc<Matcher>,
        occupations: Arc<OccupationCatalog>,
        embedder: Arc<Embedder>,
        settings: CareerSettings,
    ) -> Self {
        let match_config = matcher.config().clone();
        Self {
            store,
            matcher,
            occupations,
            embedder,
            settings,
            match_config,
        }
    }

    pub fn occupations(&self) -> &Arc<OccupationCatalog> {
        &self.occupations
    }

    /// The profile of `user_id` as the career services read it (see [`CareerProfile`]).
    pub async fn profile(
        &self,
        user_id: i64,
        resume_id: Option<i64>,
    ) -> Result<CareerProfile, CareerError> {
        subject::load(&self.store, user_id, resume_id).await
    }

    /// The `jobs_considered` best-matching stored postings for a profile, best first.
    async fn best_matches(
        &self,
        me: &CareerProfile,
    ) -> Result<Vec<crate::matching::service::JobMatch>, CareerError> {
        Ok(self
            .matcher
            .jobs_for_candidate(
                &me.subject(),
                me.extras.clone(),
                &Default::default(),
                self.settings.jobs_considered.max(1),
                crate::matching::MatchOptions::default(),
            )
            .await?)
    }

    /// Embeds a short text (a title) off the async runtime.
    async fn embed(&self, text: String) -> Result<Arc<[f32]>, CareerError> {
        let embedder = self.embedder.clone();
        Ok(spawn_blocking_with_span(move || embedder.embed_query(&text)).await??)
    }
}
