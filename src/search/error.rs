use std::path::PathBuf;

use super::embedder::EmbedderError;

/// Errors of the search layer.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("invalid query: {reason}")]
    InvalidQuery { reason: String },
    #[error("text index error: {0}")]
    TextIndex(#[from] tantivy::TantivyError),
    #[error("query parse error: {0}")]
    QueryParse(#[from] tantivy::query::QueryParserError),
    #[error("vector index error: {0}")]
    VectorIndex(String),
    #[error("index directory {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("index at {path} is corrupt or from another version: {reason}")]
    Corrupt { path: PathBuf, reason: String },
    #[error(transparent)]
    Embedder(#[from] EmbedderError),
    #[error("search task failed: {0}")]
    Task(String),
}

impl SearchError {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        SearchError::Io {
            path: path.into(),
            source,
        }
    }
}
