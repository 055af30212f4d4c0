//! Search: sentence embeddings, the full-text index (tantivy), the vector index (HNSW)
//! and hybrid fusion over both.

mod document;
pub mod embedder;
mod error;
mod filters;
pub mod vector;

pub use document::{
    Collection, DocId, DocMeta, GeoPoint, SearchDoc, SkillRef, place_words, yearly_amount,
};
pub use error::SearchError;
pub use filters::{GeoRadius, SearchFilters};
pub use vector::{HnswParams, VectorHit, VectorIndex, recall_at_k};
