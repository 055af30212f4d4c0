use std::path::PathBuf;

use intellicv_ann::AnnError;

use super::embedder::EmbedderError;

/// Errors of the search layer.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("{reason}")]
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
    /// A thread panicked while holding this lock (as tantivy's `Poisoned`).
    #[error("the {0} lock was poisoned by a panic")]
    Poisoned(&'static str),
}

impl From<AnnError> for SearchError {
    fn from(error: AnnError) -> Self {
        match error {
            AnnError::InvalidQuery { reason } => SearchError::InvalidQuery { reason },
            AnnError::Index(reason) => SearchError::VectorIndex(reason),
            AnnError::Io { path, source } => SearchError::Io { path, source },
            AnnError::Corrupt { path, reason } => SearchError::Corrupt { path, reason },
        }
    }
}

impl SearchError {
    /// Whether the index is held by another process (a running server): tantivy lets one
    /// writer open an index at a time.
    pub fn is_lock_busy(&self) -> bool {
        matches!(
            self,
            SearchError::TextIndex(tantivy::TantivyError::LockFailure(
                tantivy::directory::error::LockError::LockBusy,
                _
            ))
        )
    }

    /// Whether writing the index failed because its disk (or quota) is full.
    pub fn is_storage_full(&self) -> bool {
        use tantivy::TantivyError as T;
        match self {
            SearchError::Io { source, .. } => intellicv_store::io_storage_full(source),
            SearchError::TextIndex(T::IoError(io)) => intellicv_store::io_storage_full(io),
            // tantivy and the vector index keep some I/O errors only as text.
            e => intellicv_store::text_says_storage_full(&e.to_string()),
        }
    }

    /// Whether the index files themselves are damaged (or from an incompatible version),
    /// so rebuilding them from the database is the cure. A held lock, a full disk or
    /// missing permissions are not: rebuilding would not help.
    pub fn is_corruption(&self) -> bool {
        use tantivy::TantivyError as T;
        use tantivy::directory::error::OpenReadError;
        let damaged_io = |e: &std::io::Error| {
            matches!(
                e.kind(),
                std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::InvalidData
            )
        };
        match self {
            SearchError::Corrupt { .. } => true,
            SearchError::TextIndex(e) => match e {
                T::DataCorruption(_)
                | T::IncompatibleIndex(_)
                | T::SchemaError(_)
                | T::DeserializeError(_)
                | T::FieldNotFound(_) => true,
                T::IoError(io) => damaged_io(io),
                T::OpenReadError(OpenReadError::FileDoesNotExist(_)) => true,
                T::OpenReadError(OpenReadError::IncompatibleIndex(_)) => true,
                T::OpenReadError(OpenReadError::IoError { io_error, .. }) => damaged_io(io_error),
                _ => false,
            },
            _ => false,
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        SearchError::Io {
            path: path.into(),
            source,
        }
    }
}

impl intellicv_core::ServiceError for SearchError {
    fn kind(&self) -> intellicv_core::ErrorKind {
        use intellicv_core::ErrorKind;
        match self {
            SearchError::InvalidQuery { .. } => ErrorKind::InvalidRequest,
            e if e.is_storage_full() => ErrorKind::StorageFull,
            _ => ErrorKind::Internal,
        }
    }
}
