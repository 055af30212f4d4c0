//! Model sessions: creating them, and a pool that lends one session to one caller at a time.

use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::sync::{Condvar, Mutex, PoisonError};

use fastembed::{
    InitOptionsUserDefined, Pooling, TextEmbedding, TokenizerFiles, UserDefinedEmbeddingModel,
};

use super::config::EmbedderConfig;
use super::error::EmbedderError;
use super::files::{ModelFiles, TOKENIZER_FILES};
use super::graph_rewrite::{self, RewriteCounts};
use super::runtime;

/// ONNX Runtime session settings applied to every session.
///
/// - `session.intra_op.allow_spinning = 0`: idle intra-op threads sleep instead of
///   busy-waiting, which only steals CPU from the other sessions on a small shared machine.
/// - `session.disable_quant_qdq = 1`: the model stores int8 weights that a
///   `DequantizeLinear` node expands to f32 before every `MatMul`. With QDQ handling off,
///   constant folding expands them once at load, so each call skips re-dequantizing all
///   weights. The arithmetic is the same f32 `MatMul` either way.
///   With `int8_matmul` (the default) the weight products are `DynamicQuantizeMatMul` nodes
///   instead, which read the int8 weights directly, and this setting only concerns the
///   embedding table.
const SESSION_CONFIG: [(&str, &str); 2] = [
    ("session.intra_op.allow_spinning", "0"),
    ("session.disable_quant_qdq", "1"),
];

/// Reads the model files once so that several sessions can be built from the bytes, and
/// rewrites the graph as `config` asks (see [`graph_rewrite`]); the counts of rewritten
/// patterns are returned beside the model.
pub fn read_model(
    files: &ModelFiles,
    config: &EmbedderConfig,
) -> Result<(UserDefinedEmbeddingModel, RewriteCounts), EmbedderError> {
    let read = |path: &Path| {
        std::fs::read(path).map_err(|source| EmbedderError::Read {
            path: path.to_owned(),
            source,
        })
    };
    let [
        tokenizer,
        model_config,
        special_tokens_map,
        tokenizer_config,
    ] = TOKENIZER_FILES;
    let tokenizer_files = TokenizerFiles {
        tokenizer_file: read(&files.model_dir.join(tokenizer))?,
        config_file: read(&files.model_dir.join(model_config))?,
        special_tokens_map_file: read(&files.model_dir.join(special_tokens_map))?,
        tokenizer_config_file: read(&files.model_dir.join(tokenizer_config))?,
    };
    let attention_heads = serde_json::from_slice::<serde_json::Value>(&tokenizer_files.config_file)
        .ok()
        .and_then(|c| c.get("num_attention_heads")?.as_u64());
    let options = graph_rewrite::Options {
        int8_matmul: config.int8_matmul,
        attention_heads,
        fuse: config.fuse_graph,
    };
    let rewritten =
        graph_rewrite::rewrite(&read(&files.model_onnx)?, options).map_err(|error| {
            EmbedderError::Graph {
                path: files.model_onnx.clone(),
                reason: error.to_string(),
            }
        })?;
    Ok((
        UserDefinedEmbeddingModel::new(rewritten.model, tokenizer_files)
            .with_pooling(Pooling::Mean),
        rewritten.counts,
    ))
}

/// Builds one session (mean pooling, L2-normalised output).
pub fn create(
    model: &UserDefinedEmbeddingModel,
    files: &ModelFiles,
    config: &EmbedderConfig,
) -> Result<TextEmbedding, EmbedderError> {
    let mut options = InitOptionsUserDefined::new()
        .with_environment(runtime::environment(&files.runtime_library)?)
        .with_max_length(config.max_length)
        .with_intra_threads(config.intra_threads);
    for (key, value) in SESSION_CONFIG {
        options = options.with_session_config(key, value);
    }
    TextEmbedding::try_new_from_user_defined(model.clone(), options)
        .map_err(|error| EmbedderError::Session(error.to_string()))
}

/// A fixed set of sessions; [`SessionPool::checkout`] waits until one is free.
pub struct SessionPool {
    idle: Mutex<Vec<TextEmbedding>>,
    returned: Condvar,
    size: usize,
}

impl SessionPool {
    pub fn new(sessions: Vec<TextEmbedding>) -> Self {
        Self {
            size: sessions.len(),
            idle: Mutex::new(sessions),
            returned: Condvar::new(),
        }
    }

    /// The number of sessions.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Borrows a session, blocking while all are in use.
    pub fn checkout(&self) -> SessionGuard<'_> {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(session) = idle.pop() {
                return SessionGuard {
                    pool: self,
                    session: Some(session),
                };
            }
            idle = self
                .returned
                .wait(idle)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// A borrowed session; it goes back to the pool when dropped (also while unwinding).
pub struct SessionGuard<'a> {
    pool: &'a SessionPool,
    session: Option<TextEmbedding>,
}

impl Deref for SessionGuard<'_> {
    type Target = TextEmbedding;

    fn deref(&self) -> &TextEmbedding {
        self.session
            .as_ref()
            .expect("a guard holds its session until dropped")
    }
}

impl DerefMut for SessionGuard<'_> {
    fn deref_mut(&mut self) -> &mut TextEmbedding {
        self.session
            .as_mut()
            .expect("a guard holds its session until dropped")
    }
}

impl Drop for SessionGuard<'_> {
    fn drop(&mut self) {
        if let Some(session) = self.session.take() {
            let mut idle = self
                .pool
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            idle.push(session);
            self.pool.returned.notify_one();
        }
    }
}
