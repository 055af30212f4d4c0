//! Search: sentence embeddings, the full-text index (tantivy), the vector index (HNSW)
//! and hybrid fusion over both, kept in step with the database.
//!
//! - [`SearchEngine`] answers queries over both collections (jobs, resumes) and applies
//!   writes so they are visible at once;
//! - [`sync`] indexes documents from the database, catches up after downtime and rebuilds
//!   into a new generation ([`layout`]) that replaces the live one atomically.

mod allowed;
pub mod categories;
mod docs;
mod document;
mod engine;
mod error;
mod filters;
pub mod fusion;
pub mod layout;
mod request;
pub mod sync;
mod text;
mod vectorize;

/// The vector index (its own crate).
pub use intellicv_ann as vector;
/// The embedding model (its own crate).
pub use intellicv_embed as embedder;

pub use docs::{job_doc, resume_doc, resume_doc_from};
pub use document::{
    Collection, DocId, DocMeta, GeoPoint, SearchDoc, SkillRef, place_words, yearly_amount,
};
pub use engine::{
    CollectionIndex, DocQuery, DocVectors, EngineSettings, Generation, IndexReadiness,
    ResultCacheStats, SearchEngine, SimilarHit, SimilarityWeights,
};
pub use error::SearchError;
pub use filters::{GeoRadius, SearchFilters};
pub use fusion::Fusion;
pub use request::{FacetCount, FacetField, SearchHit, SearchRequest, SearchResponse};
pub use text::{Highlights, TextHit, TextIndex, TextIndexConfig, TextQuery};
pub use vector::{HnswParams, VectorHit, VectorIndex, recall_at_k};
