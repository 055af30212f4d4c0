//! Settings for the embedding model and its sessions.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The environment variable that moves the model directory (shared with
/// `scripts/fetch-models.sh`).
pub const MODELS_DIR_ENV: &str = "INTELLICV_MODELS_DIR";

/// The model directory name under `models_dir` that `scripts/fetch-models.sh` fills.
pub const DEFAULT_MODEL_NAME: &str = "all-MiniLM-L6-v2-int8";

/// How the embedder loads and runs its model.
///
/// Threads: the embedder keeps `pool_size` model sessions, each running inference on
/// `intra_threads` threads, so at most `pool_size × intra_threads` threads compute at once
/// however many callers there are (extra callers wait for a free session). Independent
/// sessions scale better than intra-op threads on the small matrices of a sentence model
/// (intra-op threads synchronise at every operator), so on a small machine
/// `pool_size = cores, intra_threads = 1` gives the best throughput; a larger
/// `intra_threads` gives lower latency for one large request when the machine is otherwise
/// idle. Each session holds its own copy of the weights (about 25 MB for the default model
/// with `int8_matmul`, about 90 MB when its int8 weights are expanded to f32).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmbedderConfig {
    /// Directory holding `onnxruntime/` and the model directories (default: `$INTELLICV_MODELS_DIR`,
    /// else `models`).
    pub models_dir: PathBuf,
    /// The model's directory name under `models_dir`.
    pub model_name: String,
    /// Longest input in tokens (including `[CLS]`/`[SEP]`); longer text is truncated.
    pub max_length: usize,
    /// Threads each session uses for one inference call.
    pub intra_threads: usize,
    /// Number of model sessions (the most inference calls running at once).
    pub pool_size: usize,
    /// Texts per inference call in [`Embedder::embed_batch`](super::Embedder::embed_batch).
    pub batch_size: usize,
    /// Padded tokens per inference call at most (texts × the longest, estimated from the
    /// byte length); a text longer than this goes alone. Small calls are faster per text
    /// with this model on CPU (measured in docs/benchmarks.md: one 256-token text per call runs
    /// 1.6x faster per text than eight).
    pub batch_tokens: usize,
    /// Query vectors kept by [`Embedder::embed_query`](super::Embedder::embed_query).
    pub query_cache_capacity: u64,
    /// Run the model's int8 weight products on int8 kernels, quantising activations per
    /// call (see `graph_rewrite`); `false` expands the weights to f32 and multiplies in f32,
    /// slower and slightly closer to the original model. Vectors of the two modes are
    /// told apart by [`EmbedderStatus::model_version`](super::EmbedderStatus::model_version).
    pub int8_matmul: bool,
    /// Fuse attention blocks and GELUs into single ONNX Runtime nodes (exact; see
    /// `graph_rewrite`). Off only to measure what it gains.
    pub fuse_graph: bool,
}

impl Default for EmbedderConfig {
    fn default() -> Self {
        Self {
            models_dir: default_models_dir(),
            model_name: DEFAULT_MODEL_NAME.to_owned(),
            max_length: 256,
            intra_threads: 1,
            pool_size: default_pool_size(),
            batch_size: 32,
            batch_tokens: 256,
            query_cache_capacity: 10_000,
            int8_matmul: true,
            fuse_graph: true,
        }
    }
}

impl EmbedderConfig {
    /// The directory holding the model files.
    pub fn model_dir(&self) -> PathBuf {
        self.models_dir.join(&self.model_name)
    }

    /// The ONNX Runtime shared library that is loaded at run time.
    pub fn runtime_library(&self) -> PathBuf {
        self.models_dir
            .join("onnxruntime")
            .join("libonnxruntime.so")
    }
}

/// `$INTELLICV_MODELS_DIR` when set, else `models` (relative to the working directory).
pub fn default_models_dir() -> PathBuf {
    std::env::var_os(MODELS_DIR_ENV)
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("models"))
}

/// One session per available core, at most 4.
fn default_pool_size() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get().min(4))
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_paths_are_built_from_the_models_dir() {
        let config = EmbedderConfig {
            models_dir: PathBuf::from("/opt/m"),
            ..EmbedderConfig::default()
        };
        assert_eq!(
            config.model_dir(),
            PathBuf::from("/opt/m/all-MiniLM-L6-v2-int8")
        );
        assert_eq!(
            config.runtime_library(),
            PathBuf::from("/opt/m/onnxruntime/libonnxruntime.so")
        );
    }

    #[test]
    fn partial_settings_keep_the_other_defaults() {
        let config: EmbedderConfig =
            serde_json::from_str(r#"{"pool_size": 3, "max_length": 128}"#).expect("valid json");
        assert_eq!(config.pool_size, 3);
        assert_eq!(config.max_length, 128);
        assert_eq!(config.batch_size, 32);
        assert_eq!(config.model_name, DEFAULT_MODEL_NAME);
    }
}
