//! Search: sentence embeddings, the full-text index (tantivy), the vector index (HNSW)
//! and hybrid fusion over both.

mod document;
pub mod embedder;
mod error;
mod filters;
mod text;

pub use document::{
    Collection, DocId, DocMeta, GeoPoint, SearchDoc, SkillRef, place_words, yearly_amount,
};
pub use error::SearchError;
pub use filters::{GeoRadius, SearchFilters};
pub use text::{Highlights, TextHit, TextIndex, TextIndexConfig, TextQuery};
