use std::path::PathBuf;

/// Errors of the vector index.
#[derive(Debug, thiserror::Error)]
pub enum AnnError {
    /// A query the index cannot answer (wrong dimension, not finite, ...).
    #[error("invalid query: {reason}")]
    InvalidQuery { reason: String },
    /// Invalid parameters, or the graph library failed.
    #[error("vector index error: {0}")]
    Index(String),
    #[error("index directory {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("index at {path} is corrupt or from another version: {reason}")]
    Corrupt { path: PathBuf, reason: String },
}

impl AnnError {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        AnnError::Io {
            path: path.into(),
            source,
        }
    }
}
