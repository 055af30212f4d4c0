//! Running texts through the sessions: one batch, or many bucketed batches in parallel.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use fastembed::TextEmbedding;

use super::bucketing::{Batching, estimated_tokens, plan_batches};
use super::error::EmbedderError;
use super::session::SessionPool;

/// Embeds `texts` as one model call (padded to the longest).
pub fn run(session: &mut TextEmbedding, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedderError> {
    let vectors = session
        .embed(texts, Some(texts.len().max(1)))
        .map_err(|error| EmbedderError::Inference(error.to_string()))?;
    if vectors.len() != texts.len() {
        return Err(EmbedderError::OutputCount {
            expected: texts.len(),
            got: vectors.len(),
        });
    }
    Ok(vectors)
}

/// Embeds `texts` in length-bucketed batches (see [`Batching`]), spread over up to
/// `pool.size()` sessions at once, and returns the vectors in input order.
pub fn embed_bucketed(
    pool: &SessionPool,
    texts: &[&str],
    batching: Batching,
) -> Result<Vec<Vec<f32>>, EmbedderError> {
    if texts.is_empty() {
        return Ok(Vec::new());
    }
    let started = Instant::now();
    let tokens: Vec<usize> = texts
        .iter()
        .map(|text| estimated_tokens(text, batching.max_length))
        .collect();
    let plan = plan_batches(&tokens, batching);
    let workers = pool.size().min(plan.len()).max(1);

    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let results: Mutex<Vec<(usize, Vec<Vec<f32>>)>> = Mutex::new(Vec::with_capacity(plan.len()));
    let work = || -> Result<(), EmbedderError> {
        let mut session = pool.checkout();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(batch) = plan.get(index) else {
                return Ok(());
            };
            if failed.load(Ordering::Relaxed) {
                return Ok(());
            }
            let inputs: Vec<&str> = batch.iter().map(|&i| texts[i]).collect();
            match run(&mut session, &inputs) {
                Ok(vectors) => results
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push((index, vectors)),
                Err(error) => {
                    failed.store(true, Ordering::Relaxed);
                    return Err(error);
                }
            }
        }
    };

    let span = tracing::Span::current();
    let outcomes: Vec<Result<(), EmbedderError>> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..workers)
            .filter_map(|n| {
                std::thread::Builder::new()
                    .name(format!("embed-{n}"))
                    .spawn_scoped(scope, || span.in_scope(work))
                    .ok()
            })
            .collect();
        let mut outcomes = vec![work()];
        outcomes.extend(helpers.into_iter().map(|helper| {
            helper.join().unwrap_or_else(|_| {
                Err(EmbedderError::Inference(
                    "an embedding thread panicked".to_owned(),
                ))
            })
        }));
        outcomes
    });
    outcomes.into_iter().collect::<Result<(), _>>()?;

    let mut ordered: Vec<Option<Vec<f32>>> = vec![None; texts.len()];
    let results = results
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for (index, vectors) in results {
        for (&position, vector) in plan[index].iter().zip(vectors) {
            ordered[position] = Some(vector);
        }
    }
    let vectors: Vec<Vec<f32>> = ordered.into_iter().flatten().collect();
    if vectors.len() != texts.len() {
        return Err(EmbedderError::OutputCount {
            expected: texts.len(),
            got: vectors.len(),
        });
    }
    tracing::debug!(
        texts = texts.len(),
        batches = plan.len(),
        workers,
        duration_ms = started.elapsed().as_millis() as u64,
        "embedded batch"
    );
    Ok(vectors)
}
