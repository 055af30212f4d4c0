//! AI services: enrichment of stored documents (skill normalisation, seniority, a resume
//! quality score, embeddings), the status of the loaded models and indexes, and text
//! generation grounded in stored data (a template generator, and an optional
//! OpenAI-compatible endpoint whose answers are checked against the same facts).

pub mod enrich;
pub mod generate;
pub mod quality;
pub mod status;

use serde::{Deserialize, Serialize};

use crate::auth::AccessError;
use crate::matching::service::MatchError;
use intellicv_core::Secret;
use intellicv_core::ValidationError;
use intellicv_search::sync::SyncError;
use intellicv_store::StoreError;

/// `[ai]` settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AiSettings {
    /// An OpenAI-compatible API (`http://host:port/v1`; the client posts to
    /// `{base_url}/chat/completions`). Unset: only the grounded generator runs.
    pub base_url: Option<String>,
    /// The model name sent to the endpoint.
    pub model: Option<String>,
    /// Sent as `Authorization: Bearer <key>`; redacted in logs.
    pub api_key: Option<Secret>,
    /// Time for one request to the endpoint (connect to last byte).
    pub timeout_ms: u64,
    pub connect_timeout_ms: u64,
    /// Retries after a failed attempt (timeout, connection error, 429 or 5xx), each after
    /// an exponential backoff (`backoff_initial_ms × 2^n`, at most `backoff_max_ms`, with
    /// jitter).
    pub max_retries: u32,
    pub backoff_initial_ms: u64,
    pub backoff_max_ms: u64,
    /// Client-side limit of requests to the endpoint per minute (0: none); over it the
    /// grounded generator answers at once.
    pub requests_per_minute: u32,
    pub max_tokens: u32,
    pub temperature: f32,
    /// Most documents one synchronous `POST /admin/ai/enrich` run takes.
    pub max_enrich_documents: usize,
}

impl Default for AiSettings {
    fn default() -> Self {
        Self {
            base_url: None,
            model: None,
            api_key: None,
            timeout_ms: 20_000,
            connect_timeout_ms: 2_000,
            max_retries: 2,
            backoff_initial_ms: 250,
            backoff_max_ms: 4_000,
            requests_per_minute: 30,
            max_tokens: 600,
            temperature: 0.2,
            max_enrich_documents: 200,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AiError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Store(StoreError),
    #[error(transparent)]
    Match(#[from] MatchError),
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error("ai task failed: {0}")]
    Task(String),
}

impl intellicv_core::ServiceError for AiError {
    fn kind(&self) -> intellicv_core::ErrorKind {
        use intellicv_core::ErrorKind;
        match self {
            AiError::NotFound(what) => ErrorKind::NotFound { what },
            AiError::Invalid(v) => v.kind(),
            AiError::Access(a) => a.kind(),
            AiError::Store(s) => s.kind(),
            AiError::Match(m) => m.kind(),
            AiError::Sync(_) | AiError::Task(_) => ErrorKind::Internal,
        }
    }
}

impl From<StoreError> for AiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { entity } => AiError::NotFound(entity),
            e => AiError::Store(e),
        }
    }
}

impl From<tokio::task::JoinError> for AiError {
    fn from(e: tokio::task::JoinError) -> Self {
        AiError::Task(e.to_string())
    }
}
