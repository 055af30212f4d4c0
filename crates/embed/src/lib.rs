//! Sentence embeddings with all-MiniLM-L6-v2 (int8) on ONNX Runtime, through fastembed.
//!
//! [`Embedder::load`] verifies the model files (see `scripts/fetch-models.sh`), starts a
//! small pool of model sessions and records what it loaded for status reporting. Every
//! vector is 384-dimensional and L2-normalised (mean pooling over tokens), so the dot
//! product of two vectors is their cosine similarity.
//!
//! A *document vector* (resume, job posting) is built by [`Embedder::embed_document`]:
//! the document's sections are cut into chunks that fit the model's window
//! ([`Embedder::chunk_sections`]), each chunk is embedded, and the chunk vectors are
//! averaged weighted by their token counts and re-normalised ([`pool`]). It is the
//! direction of the document's content as a whole; per-chunk vectors stay available for
//! finer matching.
//!
//! All methods are synchronous and CPU-bound: call them from a blocking pool or rayon.

mod batch;
mod bucketing;
mod cache;
mod chunking;
mod config;
mod error;
mod files;
mod graph_rewrite;
mod pooling;
mod runtime;
mod session;
#[cfg(test)]
mod tests;

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use serde::Serialize;

pub use cache::CacheStats;
pub use chunking::{Chunk, chunk_sections_with};
pub use config::{DEFAULT_MODEL_NAME, EmbedderConfig, MODELS_DIR_ENV, default_models_dir};
pub use error::EmbedderError;
pub use files::DEFAULT_MODEL_ONNX_SHA256;
pub use graph_rewrite::RewriteCounts;
pub use pooling::{cosine, l2_norm, pool};

use cache::QueryCache;
use session::SessionPool;

/// The tokens `[CLS]` and `[SEP]` that every model input carries besides the text.
const SPECIAL_TOKENS: usize = 2;

/// A loaded embedding model, safe to share between threads (`Arc<Embedder>`).
pub struct Embedder {
    config: EmbedderConfig,
    sessions: SessionPool,
    /// The model's tokenizer without truncation or padding, for counting tokens.
    tokenizer: tokenizers::Tokenizer,
    cache: QueryCache,
    model_sha256: String,
    rewrites: RewriteCounts,
    dimension: usize,
    load_ms: u64,
    loaded_at: chrono::DateTime<chrono::Utc>,
    /// Time spent running the model, by call kind (`query`, `batch`).
    latency: prometheus::HistogramVec,
    usage: Usage,
}

/// Model calls counted since load, for throughput.
#[derive(Debug, Default)]
struct Usage {
    calls: AtomicU64,
    texts: AtomicU64,
    nanos: AtomicU64,
}

impl Usage {
    fn record(&self, texts: usize, started: Instant) {
        let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.texts.fetch_add(texts as u64, Ordering::Relaxed);
        self.nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    fn snapshot(&self) -> Throughput {
        let calls = self.calls.load(Ordering::Relaxed);
        let texts = self.texts.load(Ordering::Relaxed);
        let seconds = self.nanos.load(Ordering::Relaxed) as f64 / 1e9;
        Throughput {
            calls,
            texts,
            model_seconds: seconds,
            texts_per_second: (seconds > 0.0).then(|| texts as f64 / seconds),
        }
    }
}

/// How much the model ran since load: calls (a batch or an uncached query), texts
/// embedded and wall time inside those calls (concurrent calls add up, so on several
/// sessions `texts_per_second` is per session, a lower bound of the whole pool's).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Throughput {
    pub calls: u64,
    pub texts: u64,
    pub model_seconds: f64,
    /// `None` before the first call.
    pub texts_per_second: Option<f64>,
}

/// What was loaded and how it is used, for status endpoints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmbedderStatus {
    pub model_name: String,
    /// The `model.onnx` file that was loaded.
    pub model_path: String,
    /// sha256 of `model.onnx`, computed (and checked) once at load.
    pub model_sha256: String,
    /// What produced the vectors: `model_sha256`, plus `+int8mm` when the weight products
    /// run on int8 kernels. Stored with every embedding; a vector of another version is
    /// stale and gets re-embedded.
    pub model_version: String,
    /// Patterns the graph rewrite replaced at load: weight products on int8 kernels (0:
    /// all in f32), fused attention blocks and GELUs.
    pub graph_rewrites: RewriteCounts,
    pub dimension: usize,
    pub load_ms: u64,
    pub loaded_at: chrono::DateTime<chrono::Utc>,
    pub pool_size: usize,
    pub intra_threads: usize,
    pub max_length: usize,
    pub batch_size: usize,
    pub batch_tokens: usize,
    pub query_cache: CacheStats,
    pub throughput: Throughput,
}

/// A document's pooled vector and the chunks it was built from.
#[derive(Debug, Clone)]
pub struct DocumentEmbedding {
    /// Token-weighted mean of the chunk vectors, unit length.
    pub vector: Vec<f32>,
    pub chunks: Vec<Chunk>,
    /// One vector per chunk, in the order of `chunks`.
    pub chunk_vectors: Vec<Vec<f32>>,
}

impl Embedder {
    /// Verifies the model files, starts `pool_size` sessions and embeds one probe text to
    /// learn the output dimension.
    pub fn load(config: &EmbedderConfig) -> Result<Embedder, EmbedderError> {
        let started = Instant::now();
        // The tokenizer would otherwise split `encode_batch` over rayon's global pool. Our
        // embedding threads are not rayon workers, so they block until a rayon worker is
        // free; when every rayon worker is itself waiting for an embedding (a `par_iter`
        // over resumes whose skill items are embedded, as `ingest` does), nothing moves
        // again. We batch and thread the work ourselves: tokenise on the calling thread.
        tokenizers::utils::parallelism::set_parallelism(false);
        validate(config)?;
        let files = files::verify(config)?;
        let (model, rewrites) = session::read_model(&files, config)?;
        let mut sessions = (0..config.pool_size)
            .map(|_| session::create(&model, &files, config))
            .collect::<Result<Vec<_>, _>>()?;

        let mut tokenizer = sessions[0].tokenizer.clone();
        tokenizer
            .with_truncation(None)
            .map_err(|error| EmbedderError::Tokenization(error.to_string()))?;
        tokenizer.with_padding(None);

        let probe = batch::run(&mut sessions[0], &["dimension probe"])?;
        let dimension = probe.first().map_or(0, Vec::len);
        if dimension == 0 {
            return Err(EmbedderError::Inference(
                "the model returned an empty vector".to_owned(),
            ));
        }

        let load_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        tracing::info!(
            model.name = %config.model_name,
            model.sha256 = %files.model_sha256,
            model.dimension = dimension,
            model.int8_matmuls = rewrites.int8_matmuls,
            model.fused_attention = rewrites.attention,
            model.fused_gelu = rewrites.gelu,
            pool.size = config.pool_size,
            pool.intra_threads = config.intra_threads,
            duration_ms = load_ms,
            "embedding model loaded"
        );
        Ok(Embedder {
            config: config.clone(),
            sessions: SessionPool::new(sessions),
            tokenizer,
            cache: QueryCache::new(config.query_cache_capacity),
            model_sha256: files.model_sha256,
            rewrites,
            dimension,
            load_ms,
            loaded_at: chrono::Utc::now(),
            latency: latency_histogram(),
            usage: Usage::default(),
        })
    }

    /// The length of every vector.
    pub fn dimension(&self) -> usize {
        self.dimension
    }

    /// What was loaded, and the query cache counters.
    pub fn status(&self) -> EmbedderStatus {
        EmbedderStatus {
            model_name: self.config.model_name.clone(),
            model_path: self
                .config
                .model_dir()
                .join("model.onnx")
                .display()
                .to_string(),
            model_sha256: self.model_sha256.clone(),
            model_version: model_version(&self.model_sha256, self.rewrites.int8_matmuls),
            graph_rewrites: self.rewrites,
            dimension: self.dimension,
            load_ms: self.load_ms,
            loaded_at: self.loaded_at,
            pool_size: self.sessions.size(),
            intra_threads: self.config.intra_threads,
            max_length: self.config.max_length,
            batch_size: self.config.batch_size,
            batch_tokens: self.config.batch_tokens,
            query_cache: self.cache.stats(),
            throughput: self.usage.snapshot(),
        }
    }

    /// Embeds `texts`, returning one vector per text in input order. Texts are bucketed by
    /// length into batches of at most `batch_size` texts and `batch_tokens` padded tokens,
    /// and the batches run on the free sessions in parallel. Text longer than `max_length` tokens is truncated (see
    /// [`Embedder::embed_document`] for long documents).
    pub fn embed_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedderError> {
        let _timer = self.latency.with_label_values(&["batch"]).start_timer();
        let started = Instant::now();
        let batching = bucketing::Batching {
            texts: self.config.batch_size,
            tokens: self.config.batch_tokens,
            max_length: self.config.max_length,
        };
        let vectors = batch::embed_bucketed(&self.sessions, texts, batching)?;
        self.usage.record(texts.len(), started);
        Ok(vectors)
    }

    /// Embeds a search query, answering repeated queries from the cache.
    pub fn embed_query(&self, text: &str) -> Result<Arc<[f32]>, EmbedderError> {
        if let Some(vector) = self.cache.get(text) {
            return Ok(vector);
        }
        let timer = self.latency.with_label_values(&["query"]).start_timer();
        let started = Instant::now();
        let mut session = self.sessions.checkout();
        let vector: Arc<[f32]> = batch::run(&mut session, &[text])?
            .pop()
            .ok_or(EmbedderError::OutputCount {
                expected: 1,
                got: 0,
            })?
            .into();
        drop(session);
        timer.observe_duration();
        self.usage.record(1, started);
        self.cache.insert(text, Arc::clone(&vector));
        Ok(vector)
    }

    /// The embedding latency histogram (seconds, label `kind`: `query` for an uncached
    /// search query, `batch` for documents), for a metrics registry.
    pub fn latency(&self) -> &prometheus::HistogramVec {
        &self.latency
    }

    /// Forgets every cached query vector.
    pub fn clear_query_cache(&self) {
        self.cache.clear();
    }

    /// The number of tokens in `text`, without `[CLS]`/`[SEP]` and without truncation.
    pub fn count_tokens(&self, text: &str) -> Result<usize, EmbedderError> {
        self.tokenizer
            .encode(text, false)
            .map(|encoding| encoding.len())
            .map_err(|error| EmbedderError::Tokenization(error.to_string()))
    }

    /// Cuts `(section kind, text)` pairs into chunks of at most `max_tokens` tokens
    /// (capped to what the model reads), counted with the model's tokenizer.
    pub fn chunk_sections(
        &self,
        sections: &[(&str, &str)],
        max_tokens: usize,
    ) -> Result<Vec<Chunk>, EmbedderError> {
        let budget = max_tokens.min(self.config.max_length.saturating_sub(SPECIAL_TOKENS));
        let failure = RefCell::new(None);
        let count = |text: &str| {
            self.count_tokens(text).unwrap_or_else(|error| {
                failure.borrow_mut().get_or_insert(error);
                0
            })
        };
        let chunks = chunk_sections_with(sections, budget, &count);
        match failure.into_inner() {
            Some(error) => Err(error),
            None => Ok(chunks),
        }
    }

    /// Embeds a whole document given as `(section kind, text)` pairs: chunks it to the
    /// model's window, embeds the chunks and pools them by token count. `None` when the
    /// document has no text.
    pub fn embed_document(
        &self,
        sections: &[(&str, &str)],
    ) -> Result<Option<DocumentEmbedding>, EmbedderError> {
        let chunks = self.chunk_sections(sections, self.config.max_length)?;
        let texts: Vec<&str> = chunks.iter().map(|chunk| chunk.text.as_str()).collect();
        let chunk_vectors = self.embed_batch(&texts)?;
        let refs: Vec<&[f32]> = chunk_vectors.iter().map(Vec::as_slice).collect();
        let weights: Vec<f32> = chunks
            .iter()
            .map(|chunk| chunk.tokens.max(1) as f32)
            .collect();
        Ok(pool(&refs, &weights).map(|vector| DocumentEmbedding {
            vector,
            chunks,
            chunk_vectors,
        }))
    }
}

/// The identity of the vectors a model file and compute mode produce.
fn model_version(model_sha256: &str, int8_matmuls: usize) -> String {
    if int8_matmuls == 0 {
        model_sha256.to_owned()
    } else {
        format!("{model_sha256}+int8mm")
    }
}

fn latency_histogram() -> prometheus::HistogramVec {
    let opts = prometheus::HistogramOpts::new(
        "embedding_duration_seconds",
        "Time the embedding model took per call: kind=query (one uncached search query), \
         kind=batch (a batch of document chunks)",
    )
    .buckets(
        [
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
        ]
        .to_vec(),
    );
    prometheus::HistogramVec::new(opts, &["kind"]).expect("valid histogram")
}

/// Rejects settings the model cannot run with.
fn validate(config: &EmbedderConfig) -> Result<(), EmbedderError> {
    let invalid = |reason: &str| Err(EmbedderError::InvalidConfig(reason.to_owned()));
    if !(8..=512).contains(&config.max_length) {
        return invalid("max_length must be between 8 and 512 tokens");
    }
    if config.pool_size == 0
        || config.intra_threads == 0
        || config.batch_size == 0
        || config.batch_tokens == 0
    {
        return invalid("pool_size, intra_threads, batch_size and batch_tokens must be at least 1");
    }
    Ok(())
}
