use std::path::PathBuf;

/// Why the skills taxonomy or the curated technology list could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum TaxonomyError {
    /// A required file is absent.
    #[error("{path} is missing: {hint}")]
    MissingFile { path: PathBuf, hint: &'static str },
    /// A file exists but could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A CSV file is malformed.
    #[error("{path} is not a valid ESCO CSV: {source}")]
    Csv {
        path: PathBuf,
        #[source]
        source: csv::Error,
    },
    /// A file parsed but its content is not usable.
    #[error("{path}: {reason}")]
    Invalid { path: PathBuf, reason: String },
}

/// Hint for files placed by the setup script.
pub(crate) const FETCH_HINT: &str =
    "run scripts/fetch-models.sh (or set INTELLICV_MODELS_DIR to a populated models directory)";

/// Hint for files committed in the repository's `data/` directory.
pub(crate) const DATA_HINT: &str =
    "it is part of the repository's data/ directory; pass the repository's data/ path";
