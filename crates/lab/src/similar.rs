//! Measuring "similar documents": for each query document, rank the indexed half of a
//! labelled corpus and score the top 10 by how many share the query's label (category).
//! Used by `intellicv-lab eval similar` to compare lexical, vector and hybrid similarity and
//! to choose [`SimilarityWeights`].

use intellicv_app::telemetry::spawn_blocking_with_span;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde::Serialize;
use sha2::{Digest, Sha256};

use intellicv_search::sync::{SyncError, doc_query};
use intellicv_search::{Collection, DocId, SearchFilters};
use intellicv_search::{SearchEngine, SimilarHit, SimilarityWeights};
use intellicv_store::Store;

/// Results scored per query.
pub const K: usize = 10;

/// Which half of the corpus a document falls in, from a hash of its name: stable across
/// runs and machines, independent of ids and file order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Half {
    /// Ranked against the index half; further split into tuning and test queries.
    Query {
        tuning: bool,
    },
    Index,
}

pub fn half_of(name: &str) -> Half {
    let digest = Sha256::digest(name.as_bytes());
    if digest[0] & 1 == 0 {
        Half::Index
    } else {
        Half::Query {
            tuning: digest[1] & 1 == 0,
        }
    }
}

/// Precision at `k` of a ranked relevance list.
pub fn precision_at(relevant: &[bool], k: usize) -> f64 {
    relevant.iter().take(k).filter(|r| **r).count() as f64 / k as f64
}

/// nDCG at `k` with binary gains; `available` is how many relevant documents exist.
pub fn ndcg_at(relevant: &[bool], k: usize, available: usize) -> f64 {
    let gain = |rank: usize| 1.0 / ((rank + 2) as f64).log2();
    let dcg: f64 = relevant
        .iter()
        .take(k)
        .enumerate()
        .filter(|(_, r)| **r)
        .map(|(i, _)| gain(i))
        .sum();
    let ideal: f64 = (0..available.min(k)).map(gain).sum();
    if ideal > 0.0 { dcg / ideal } else { 0.0 }
}

/// One query's first-stage hits: (id, the engine's score).
pub struct FirstStage {
    pub query: DocId,
    pub label: String,
    pub hits: Vec<(DocId, f32)>,
}

/// A labelled document of the corpus.
#[derive(Debug, Clone)]
pub struct Labelled {
    pub id: DocId,
    pub label: String,
    pub half: Half,
}

#[derive(Debug, Clone, Serialize)]
pub struct MethodScore {
    pub method: String,
    pub weights: SimilarityWeights,
    pub queries: usize,
    pub precision_at_10: f64,
    pub ndcg_at_10: f64,
}

/// Judges rankings against the labels: precision@10 and nDCG@10 of same-label results,
/// nDCG against the number of same-label documents in the index half.
pub struct Judge<'a> {
    label_of: HashMap<DocId, &'a str>,
    per_label: HashMap<&'a str, usize>,
}

impl<'a> Judge<'a> {
    pub fn new(corpus: &'a [Labelled]) -> Self {
        let mut per_label: HashMap<&str, usize> = HashMap::new();
        for d in corpus.iter().filter(|d| d.half == Half::Index) {
            *per_label.entry(d.label.as_str()).or_default() += 1;
        }
        Self {
            label_of: corpus.iter().map(|d| (d.id, d.label.as_str())).collect(),
            per_label,
        }
    }

    /// (P@10, nDCG@10) of `ranked` (best first) for a query labelled `label`.
    pub fn judge(&self, label: &str, ranked: impl Iterator<Item = DocId>) -> (f64, f64) {
        let relevant: Vec<bool> = ranked
            .take(K)
            .map(|id| self.label_of.get(&id) == Some(&label))
            .collect();
        (
            precision_at(&relevant, K),
            ndcg_at(
                &relevant,
                K,
                self.per_label.get(label).copied().unwrap_or(0),
            ),
        )
    }
}

/// Scores one weighting over the chosen queries.
pub async fn score(
    store: &Store,
    engine: &Arc<SearchEngine>,
    corpus: &[Labelled],
    weights: SimilarityWeights,
    use_query: impl Fn(Half) -> bool,
    method: &str,
) -> Result<MethodScore, SyncError> {
    let stages = ranked(store, engine, corpus, weights, use_query, K).await?;
    let judge = Judge::new(corpus);
    let (mut precision, mut ndcg) = (0.0, 0.0);
    for stage in &stages {
        let (p, n) = judge.judge(&stage.label, stage.hits.iter().map(|h| h.0));
        precision += p;
        ndcg += n;
    }
    let n = stages.len().max(1) as f64;
    Ok(MethodScore {
        method: method.to_owned(),
        weights,
        queries: stages.len(),
        precision_at_10: precision / n,
        ndcg_at_10: ndcg / n,
    })
}

/// The first-stage hits (100 deep) of every chosen query, for re-ranking experiments.
pub async fn first_stage(
    store: &Store,
    engine: &Arc<SearchEngine>,
    corpus: &[Labelled],
    weights: SimilarityWeights,
    use_query: impl Fn(Half) -> bool,
) -> Result<Vec<FirstStage>, SyncError> {
    ranked(store, engine, corpus, weights, use_query, 100).await
}

/// The `limit` most similar indexed documents of every chosen query (candidates 100 deep).
async fn ranked(
    store: &Store,
    engine: &Arc<SearchEngine>,
    corpus: &[Labelled],
    weights: SimilarityWeights,
    use_query: impl Fn(Half) -> bool,
    limit: usize,
) -> Result<Vec<FirstStage>, SyncError> {
    Ok(
        similar_hits(store, engine, corpus, weights, use_query, limit)
            .await?
            .into_iter()
            .map(|(doc, hits)| FirstStage {
                query: doc.id,
                label: doc.label.clone(),
                hits: hits.iter().map(|h| (h.id, h.score)).collect(),
            })
            .collect(),
    )
}

/// Every chosen query with the `limit` indexed documents most similar to it under
/// `weights` (candidates 100 deep), each with its component similarities. Queries the
/// engine cannot build (no indexed vectors) are left out.
pub async fn similar_hits<'a>(
    store: &Store,
    engine: &Arc<SearchEngine>,
    corpus: &'a [Labelled],
    weights: SimilarityWeights,
    use_query: impl Fn(Half) -> bool,
    limit: usize,
) -> Result<Vec<(&'a Labelled, Vec<SimilarHit>)>, SyncError> {
    let not_indexed: HashSet<DocId> = corpus
        .iter()
        .filter(|d| d.half != Half::Index)
        .map(|d| d.id)
        .collect();
    let mut out = Vec::new();
    for doc in corpus.iter().filter(|d| use_query(d.half)) {
        let Some(mut query) = doc_query(store, engine, Collection::Resumes, doc.id).await? else {
            continue;
        };
        query.exclude.extend(not_indexed.iter().copied());
        let engine = engine.clone();
        let hits = spawn_blocking_with_span(move || {
            engine.similar(
                Collection::Resumes,
                &query,
                &SearchFilters::default(),
                &weights,
                limit,
                100,
            )
        })
        .await??;
        out.push((doc, hits));
    }
    Ok(out)
}

/// Weightings on a grid over the simplex (steps of `step`), for tuning.
pub fn weight_grid(step: f32) -> Vec<SimilarityWeights> {
    let n = (1.0 / step).round() as i32;
    let mut out = Vec::new();
    for c in 0..=n {
        for t in 0..=(n - c) {
            let l = n - c - t;
            out.push(SimilarityWeights::components(
                c as f32 / n as f32,
                t as f32 / n as f32,
                l as f32 / n as f32,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precision_and_ndcg_of_known_rankings() {
        let all = [true; 10];
        assert_eq!(precision_at(&all, 10), 1.0);
        assert!((ndcg_at(&all, 10, 25) - 1.0).abs() < 1e-12);
        let first_only = [
            true, false, false, false, false, false, false, false, false, false,
        ];
        assert_eq!(precision_at(&first_only, 10), 0.1);
        let last_only = [
            false, false, false, false, false, false, false, false, false, true,
        ];
        assert!(ndcg_at(&first_only, 10, 1) > ndcg_at(&last_only, 10, 1));
        assert_eq!(ndcg_at(&[false; 10], 10, 0), 0.0);
    }

    #[test]
    fn halves_are_stable_and_roughly_even() {
        assert_eq!(half_of("10005171.pdf"), half_of("10005171.pdf"));
        let index = (0..1000)
            .filter(|i| half_of(&format!("{i}.pdf")) == Half::Index)
            .count();
        assert!((400..600).contains(&index), "{index}");
    }

    #[test]
    fn the_weight_grid_covers_the_simplex() {
        let grid = weight_grid(0.5);
        assert_eq!(grid.len(), 6);
        for w in grid {
            assert!((w.content + w.title + w.lexical - 1.0).abs() < 1e-6);
        }
    }
}
