//! Fusing the lexical and the vector result lists into one ranking.
//!
//! Two methods, chosen per request:
//! - reciprocal rank fusion: `score(d) = Σ w_l / (k + rank_l(d))` over the lists `l` that
//!   hold `d` (ranks from 1), normalised by its largest possible value `Σ w_l / (k + 1)`
//!   so it lies in [0, 1];
//! - weighted fusion of normalised scores: `(1 - r) · lexical(d) + r · vector(d)` where
//!   `lexical` is the BM25 score divided by the best BM25 score of the query, `vector` is
//!   the cosine similarity clipped to [0, 1] and `r` is the `semantic_ratio`.
//!
//! A document found by only one list is not dropped: in weighted fusion its cosine
//! similarity is computed exactly from its stored vector when the vector list missed it,
//! and its lexical score counts as 0 when the lexical list missed it (it then did not match
//! the query's words, or ranked below the list's depth).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::{DocId, SearchError};

/// The default `k` of reciprocal rank fusion (Cormack et al., 2009).
pub const DEFAULT_RRF_K: f32 = 60.0;

/// How the two lists are combined.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum Fusion {
    Rrf {
        #[serde(default = "default_rrf_k")]
        k: f32,
        #[serde(default = "one")]
        lexical_weight: f32,
        #[serde(default = "one")]
        vector_weight: f32,
    },
    Weighted {
        /// 0 = lexical only, 1 = vector only.
        semantic_ratio: f32,
    },
}

fn default_rrf_k() -> f32 {
    DEFAULT_RRF_K
}

fn one() -> f32 {
    1.0
}

impl Default for Fusion {
    fn default() -> Self {
        Fusion::Rrf {
            k: DEFAULT_RRF_K,
            lexical_weight: 1.0,
            vector_weight: 1.0,
        }
    }
}

impl Fusion {
    pub fn validate(&self) -> Result<(), SearchError> {
        let invalid = |reason: &str| {
            Err(SearchError::InvalidQuery {
                reason: reason.to_owned(),
            })
        };
        match *self {
            Fusion::Rrf {
                k,
                lexical_weight,
                vector_weight,
            } => {
                if !(k.is_finite() && k > 0.0) {
                    return invalid("rrf k must be a positive number");
                }
                let weights_ok = [lexical_weight, vector_weight]
                    .iter()
                    .all(|w| w.is_finite() && *w >= 0.0);
                if !weights_ok || lexical_weight + vector_weight <= 0.0 {
                    return invalid("rrf weights must be non-negative and not both zero");
                }
            }
            Fusion::Weighted { semantic_ratio } => {
                if !(0.0..=1.0).contains(&semantic_ratio) {
                    return invalid("semantic_ratio must be between 0 and 1");
                }
            }
        }
        Ok(())
    }

    /// Whether the lexical list contributes at all.
    pub fn uses_lexical(&self) -> bool {
        match *self {
            Fusion::Rrf { lexical_weight, .. } => lexical_weight > 0.0,
            Fusion::Weighted { semantic_ratio } => semantic_ratio < 1.0,
        }
    }

    /// Whether the vector list contributes at all.
    pub fn uses_vector(&self) -> bool {
        match *self {
            Fusion::Rrf { vector_weight, .. } => vector_weight > 0.0,
            Fusion::Weighted { semantic_ratio } => semantic_ratio > 0.0,
        }
    }
}

/// Where a document stood in one of the input lists.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ListEntry {
    /// 1-based.
    pub rank: usize,
    /// BM25 score (lexical) or cosine similarity (vector).
    pub score: f32,
}

/// One fused result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FusedHit {
    pub id: DocId,
    /// In [0, 1].
    pub score: f32,
    pub lexical: Option<ListEntry>,
    pub vector: Option<ListEntry>,
}

/// Fuses a lexical list (BM25 scores, best first) and a vector list (cosine similarities,
/// best first). `similarity_of` gives the exact cosine similarity of a document the vector
/// list missed (weighted fusion only). Ties are broken by id, so pages are stable.
pub fn fuse(
    fusion: &Fusion,
    lexical: &[(DocId, f32)],
    vector: &[(DocId, f32)],
    similarity_of: &dyn Fn(DocId) -> Option<f32>,
) -> Vec<FusedHit> {
    let mut hits: HashMap<DocId, FusedHit> = HashMap::new();
    for (i, &(id, score)) in lexical.iter().enumerate() {
        let entry = ListEntry { rank: i + 1, score };
        hits.entry(id).or_insert_with(|| empty(id)).lexical = Some(entry);
    }
    for (i, &(id, score)) in vector.iter().enumerate() {
        let entry = ListEntry { rank: i + 1, score };
        hits.entry(id).or_insert_with(|| empty(id)).vector = Some(entry);
    }
    let mut hits: Vec<FusedHit> = hits.into_values().collect();
    match *fusion {
        Fusion::Rrf {
            k,
            lexical_weight,
            vector_weight,
        } => {
            let best = (lexical_weight + vector_weight) / (k + 1.0);
            for hit in &mut hits {
                let part = |entry: Option<ListEntry>, w: f32| {
                    entry.map_or(0.0, |e| w / (k + e.rank as f32))
                };
                let raw = part(hit.lexical, lexical_weight) + part(hit.vector, vector_weight);
                hit.score = (raw / best).clamp(0.0, 1.0);
            }
        }
        Fusion::Weighted { semantic_ratio } => {
            let best_lexical = lexical.iter().map(|&(_, s)| s).fold(0.0_f32, f32::max);
            for hit in &mut hits {
                let lexical = match hit.lexical {
                    Some(e) if best_lexical > 0.0 => e.score / best_lexical,
                    _ => 0.0,
                };
                let similarity = match hit.vector {
                    Some(e) => Some(e.score),
                    None if semantic_ratio > 0.0 => similarity_of(hit.id),
                    None => None,
                };
                let vector = similarity.unwrap_or(0.0).clamp(0.0, 1.0);
                let score = (1.0 - semantic_ratio) * lexical + semantic_ratio * vector;
                hit.score = score.clamp(0.0, 1.0);
            }
        }
    }
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
    hits
}

fn empty(id: DocId) -> FusedHit {
    FusedHit {
        id,
        score: 0.0,
        lexical: None,
        vector: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_vector(_: DocId) -> Option<f32> {
        None
    }

    fn ids(hits: &[FusedHit]) -> Vec<DocId> {
        hits.iter().map(|h| h.id).collect()
    }

    #[test]
    fn rrf_rewards_documents_found_by_both_lists() {
        // 3: 1/63 + 1/61 beats 2: 1/62 + 1/63; both beat the single-list hits.
        let lexical = [(1, 9.0), (2, 5.0), (3, 1.0)];
        let vector = [(3, 0.9), (4, 0.8), (2, 0.7)];
        let hits = fuse(&Fusion::default(), &lexical, &vector, &no_vector);
        assert_eq!(ids(&hits), vec![3, 2, 1, 4]);
        assert!(hits.iter().all(|h| (0.0..=1.0).contains(&h.score)));
    }

    #[test]
    fn rrf_top_of_both_lists_scores_one() {
        let hits = fuse(&Fusion::default(), &[(7, 3.0)], &[(7, 0.5)], &no_vector);
        assert!((hits[0].score - 1.0).abs() < 1e-6);
    }

    #[test]
    fn rrf_weights_tilt_the_ranking() {
        let lexical = [(1, 9.0)];
        let vector = [(2, 0.9)];
        let lean_vector = Fusion::Rrf {
            k: 60.0,
            lexical_weight: 0.5,
            vector_weight: 1.0,
        };
        assert_eq!(
            ids(&fuse(&lean_vector, &lexical, &vector, &no_vector)),
            vec![2, 1]
        );
    }

    #[test]
    fn semantic_ratio_zero_is_lexical_only_and_one_is_vector_only() {
        let lexical = [(1, 10.0), (2, 5.0)];
        let vector = [(2, 0.9), (1, 0.1)];
        let lexical_only = Fusion::Weighted {
            semantic_ratio: 0.0,
        };
        let vector_only = Fusion::Weighted {
            semantic_ratio: 1.0,
        };
        assert_eq!(
            ids(&fuse(&lexical_only, &lexical, &vector, &no_vector)),
            vec![1, 2]
        );
        assert_eq!(
            ids(&fuse(&vector_only, &lexical, &vector, &no_vector)),
            vec![2, 1]
        );
        let hits = fuse(&lexical_only, &lexical, &vector, &no_vector);
        assert!((hits[0].score - 1.0).abs() < 1e-6);
        assert!((hits[1].score - 0.5).abs() < 1e-6);
    }

    #[test]
    fn weighted_fusion_scores_a_lexical_only_hit_by_its_exact_similarity() {
        let lexical = [(1, 10.0), (2, 10.0)];
        let vector = [(3, 0.6)];
        let exact = |id: DocId| Some(if id == 1 { 0.9 } else { 0.1 });
        let half = Fusion::Weighted {
            semantic_ratio: 0.5,
        };
        let hits = fuse(&half, &lexical, &vector, &exact);
        assert_eq!(ids(&hits), vec![1, 2, 3]);
        assert!((hits[0].score - 0.95).abs() < 1e-6);
        assert!(hits[0].vector.is_none(), "rank info only for list members");
    }

    #[test]
    fn ties_break_by_id_so_pages_are_stable() {
        let lexical = [(9, 1.0), (3, 1.0), (5, 1.0)];
        let lexical_only = Fusion::Weighted {
            semantic_ratio: 0.0,
        };
        assert_eq!(
            ids(&fuse(&lexical_only, &lexical, &[], &no_vector)),
            vec![3, 5, 9]
        );
    }

    #[test]
    fn invalid_fusion_settings_are_rejected_with_a_reason() {
        assert!(
            Fusion::Weighted {
                semantic_ratio: 1.5
            }
            .validate()
            .is_err()
        );
        let zero = Fusion::Rrf {
            k: 60.0,
            lexical_weight: 0.0,
            vector_weight: 0.0,
        };
        assert!(zero.validate().is_err());
        let bad_k = Fusion::Rrf {
            k: 0.0,
            lexical_weight: 1.0,
            vector_weight: 1.0,
        };
        assert!(bad_k.validate().is_err());
        assert!(Fusion::default().validate().is_ok());
    }

    #[test]
    fn fusion_reads_from_json_with_defaults() {
        let f: Fusion = serde_json::from_str(r#"{"method":"rrf"}"#).unwrap();
        assert_eq!(f, Fusion::default());
        let w: Fusion =
            serde_json::from_str(r#"{"method":"weighted","semantic_ratio":0.3}"#).unwrap();
        assert_eq!(
            w,
            Fusion::Weighted {
                semantic_ratio: 0.3
            }
        );
    }
}
