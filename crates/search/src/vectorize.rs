//! Document vectors: chunks of many documents embedded together (so the embedder's
//! length bucketing and batching see a full workload), then pooled per document.

use rayon::prelude::*;

use super::embedder::{Embedder, EmbedderError, pool};
use intellicv_store::StoredEmbedding;

/// A document's text to embed.
#[derive(Debug, Clone)]
pub struct EmbedInput {
    pub doc_id: i64,
    /// `(section kind, text)` pairs in document order.
    pub sections: Vec<(String, String)>,
    /// Chunk size in tokens (capped by the model's window); `None`: the whole window.
    pub chunk_tokens: Option<usize>,
    /// Keep only the first chunks (postings: see [`super::docs::JOB_EMBED_TOKENS`]).
    pub max_chunks: Option<usize>,
    /// The title, embedded on its own for title similarity.
    pub title: Option<String>,
    /// Hash of `sections` and `title` (see [`super::docs::sections_hash`]).
    pub text_hash: String,
}

/// Embeds documents. A document without text gets no embedding.
pub fn embed_documents(
    embedder: &Embedder,
    inputs: &[EmbedInput],
) -> Result<Vec<StoredEmbedding>, EmbedderError> {
    let max_tokens = embedder.status().max_length;
    // Tokenising to cut chunks is a good share of the work: spread it over the cores.
    let chunked: Vec<Vec<super::embedder::Chunk>> = inputs
        .par_iter()
        .map(|input| {
            let sections: Vec<(&str, &str)> = input
                .sections
                .iter()
                .map(|(k, t)| (k.as_str(), t.as_str()))
                .collect();
            let budget = input.chunk_tokens.unwrap_or(max_tokens).min(max_tokens);
            let mut chunks = embedder.chunk_sections(&sections, budget)?;
            if let Some(max) = input.max_chunks {
                chunks.truncate(max);
            }
            Ok(chunks)
        })
        .collect::<Result<_, EmbedderError>>()?;
    let mut owners = Vec::new();
    let mut texts = Vec::new();
    let mut weights = Vec::new();
    for (i, chunks) in chunked.into_iter().enumerate() {
        for chunk in chunks {
            owners.push(i);
            weights.push(chunk.tokens.max(1) as f32);
            texts.push(chunk.text);
        }
    }
    // Titles go through the same batches, after the chunks.
    let mut title_owner = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        if let Some(title) = input.title.as_deref().filter(|t| !t.trim().is_empty()) {
            title_owner.push(i);
            texts.push(title.to_owned());
        }
    }
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let mut vectors = embedder.embed_batch(&refs)?;
    let title_vectors = vectors.split_off(owners.len());
    let mut titles: Vec<Option<Vec<f32>>> = vec![None; inputs.len()];
    for (owner, vector) in title_owner.into_iter().zip(title_vectors) {
        titles[owner] = Some(vector);
    }
    let model_sha256 = embedder.status().model_version;
    let mut per_doc: Vec<(Vec<Vec<f32>>, Vec<f32>)> = vec![(Vec::new(), Vec::new()); inputs.len()];
    for ((owner, vector), weight) in owners.into_iter().zip(vectors).zip(weights) {
        per_doc[owner].0.push(vector);
        per_doc[owner].1.push(weight);
    }
    let mut out = Vec::with_capacity(inputs.len());
    for ((input, (chunk_vectors, weights)), title_vector) in inputs.iter().zip(per_doc).zip(titles)
    {
        let refs: Vec<&[f32]> = chunk_vectors.iter().map(Vec::as_slice).collect();
        if let Some(vector) = pool(&refs, &weights) {
            out.push(StoredEmbedding {
                doc_id: input.doc_id,
                model_sha256: model_sha256.clone(),
                text_hash: input.text_hash.clone(),
                vector,
                title_vector,
                chunk_vectors,
            });
        }
    }
    Ok(out)
}
