//! Search: sentence embeddings (and, as they land, the text index, vector index and hybrid
//! fusion).

pub mod embedder;
