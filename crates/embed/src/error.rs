//! Why loading or running the embedder failed.

use std::path::PathBuf;

/// An embedder failure, with a message an operator can act on.
#[derive(Debug, thiserror::Error)]
pub enum EmbedderError {
    #[error("model file {} is missing; run scripts/fetch-models.sh", path.display())]
    MissingFile { path: PathBuf },

    #[error(
        "model file {} is corrupt (sha256 {actual}, expected {expected}); run scripts/fetch-models.sh",
        path.display()
    )]
    CorruptFile {
        path: PathBuf,
        expected: String,
        actual: String,
    },

    #[error(
        "no sha256 is known for model file {}: add it to {}",
        path.display(),
        manifest.display()
    )]
    UnknownChecksum { path: PathBuf, manifest: PathBuf },

    #[error("could not read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("could not rewrite the graph of {} for int8 kernels: {reason}", path.display())]
    Graph { path: PathBuf, reason: String },

    #[error("invalid embedder setting: {0}")]
    InvalidConfig(String),

    #[error("could not start ONNX Runtime from {}: {reason}", path.display())]
    Runtime { path: PathBuf, reason: String },

    #[error("could not create an embedding session: {0}")]
    Session(String),

    #[error("tokenization failed: {0}")]
    Tokenization(String),

    #[error("embedding inference failed: {0}")]
    Inference(String),

    #[error("the model returned {got} vectors for {expected} texts")]
    OutputCount { expected: usize, got: usize },
}
