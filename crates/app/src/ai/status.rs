//! `GET /admin/ai/models/status`: the loaded embedding model (path, checksum, dimensions,
//! load time, throughput), the text generation endpoint, the occupation catalog, and each
//! index's size and freshness against the database.

use crate::telemetry::spawn_blocking_with_span;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;

use super::AiError;
use super::generate::Generator;
use super::generate::llm::LlmStats;
use crate::career::occupations::OccupationCatalog;
use intellicv_search::embedder::EmbedderStatus;
use intellicv_search::{Collection, SearchEngine};
use intellicv_store::Store;

/// The generation endpoint, when configured.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GenerationStatus {
    pub configured: bool,
    /// `{base_url}/chat/completions` (the key is never shown).
    pub endpoint: Option<String>,
    pub model: Option<String>,
    /// Counters of the generation endpoint; null when none is configured.
    #[schema(value_type = Option<Object>)]
    pub stats: Option<LlmStats>,
}

/// The ESCO occupations used by career pathways.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OccupationStatus {
    pub occupations: usize,
    pub with_derived_skills: usize,
    pub vectors_loaded: bool,
    pub vector_cache: String,
    pub vector_cache_present: bool,
}

/// One collection's indexes against the database.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IndexStatus {
    pub collection: &'static str,
    pub text_documents: u64,
    pub vector_documents: usize,
    pub title_vector_documents: usize,
    /// Searchable documents in the database (open postings, parsed resumes).
    pub database_documents: usize,
    /// Searchable in the database but not indexed.
    pub missing_from_index: usize,
    /// Indexed at an older version than the database holds.
    pub stale_in_index: usize,
    /// Indexed but no longer searchable in the database.
    pub extra_in_index: usize,
    pub database_last_change: Option<DateTime<Utc>>,
    pub index_last_change: Option<DateTime<Utc>>,
    /// Seconds the index's newest change trails the database's (0 when current).
    pub lag_seconds: i64,
    /// Nothing missing, stale or extra.
    pub fresh: bool,
}

/// The whole answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ModelsStatus {
    #[schema(value_type = Object)]
    pub embedding: EmbedderStatus,
    /// The embedding model version the live index generation was built with (`None` for
    /// a generation built up by catch-up rather than `reindex`).
    pub index_model_sha256: Option<String>,
    pub index_generation: String,
    pub generation: GenerationStatus,
    pub occupations: OccupationStatus,
    pub indexes: Vec<IndexStatus>,
}

fn at(ts: i64) -> Option<DateTime<Utc>> {
    Utc.timestamp_opt(ts, 0).single()
}

/// Reads the status of everything the AI endpoints rely on.
pub async fn models_status(
    store: &Store,
    engine: &Arc<SearchEngine>,
    generator: &Generator,
    occupations: &OccupationCatalog,
) -> Result<ModelsStatus, AiError> {
    let generation = engine.generation();
    let mut indexes = Vec::new();
    for c in Collection::ALL {
        let versions = store.searchable_versions(c.as_str()).await?;
        let g = generation.clone();
        let (text_documents, known, vectors, titles) = spawn_blocking_with_span(move || {
            let index = g.collection(c);
            (
                index.text.num_docs(),
                index.versions(),
                index.vectors.len(),
                index.titles.len(),
            )
        })
        .await?;
        let mut missing = 0;
        let mut stale = 0;
        let mut in_db = std::collections::HashSet::new();
        let mut db_last = None;
        for v in &versions {
            in_db.insert(v.id);
            db_last = db_last.max(Some(v.updated_at));
            match known.get(&v.id) {
                None => missing += 1,
                Some(&ts) if ts != v.updated_at.timestamp() => stale += 1,
                Some(_) => {}
            }
        }
        let extra = known.keys().filter(|id| !in_db.contains(id)).count();
        let index_last = known.values().max().copied().and_then(at);
        let lag = match (db_last, index_last) {
            (Some(d), Some(i)) => (d.timestamp() - i.timestamp()).max(0),
            (Some(d), None) => d.timestamp().max(0),
            _ => 0,
        };
        indexes.push(IndexStatus {
            collection: c.as_str(),
            text_documents,
            vector_documents: vectors,
            title_vector_documents: titles,
            database_documents: versions.len(),
            missing_from_index: missing,
            stale_in_index: stale,
            extra_in_index: extra,
            database_last_change: db_last,
            index_last_change: index_last,
            lag_seconds: lag,
            fresh: missing == 0 && stale == 0 && extra == 0,
        });
    }
    let llm = generator.llm();
    Ok(ModelsStatus {
        embedding: engine.embedder().status(),
        index_model_sha256: Some(generation.manifest().model_sha256).filter(|s| !s.is_empty()),
        index_generation: generation
            .dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        generation: GenerationStatus {
            configured: llm.is_some(),
            endpoint: llm.map(|l| l.url().to_owned()),
            model: llm.map(|l| l.model().to_owned()),
            stats: llm.map(|l| l.stats()),
        },
        occupations: OccupationStatus {
            occupations: occupations.len(),
            with_derived_skills: occupations.with_skills(),
            vectors_loaded: occupations.vectors_ready(),
            vector_cache: occupations.cache_path().display().to_string(),
            vector_cache_present: occupations.cache_path().is_file(),
        },
        indexes,
    })
}
