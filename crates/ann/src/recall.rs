//! Recall of the approximate search against exact search.

use std::collections::HashSet;

use super::VectorIndex;

/// Mean fraction of the exact `k` nearest documents that [`VectorIndex::search`] returns,
/// over `queries` (unfiltered). 1.0 when there are no queries or the index is empty.
/// Queries the index rejects (wrong dimension) count as recall 0.
pub fn recall_at_k(index: &VectorIndex, queries: &[Vec<f32>], k: usize) -> f32 {
    let mut total = 0.0f64;
    let mut counted = 0usize;
    for query in queries {
        let (Ok(approximate), Ok(exact)) = (
            index.search(query, k, None),
            index.exact_search(query, k, None),
        ) else {
            counted += 1;
            continue;
        };
        if exact.is_empty() {
            continue;
        }
        let found: HashSet<_> = approximate.iter().map(|hit| hit.id).collect();
        let matched = exact.iter().filter(|hit| found.contains(&hit.id)).count();
        total += matched as f64 / exact.len() as f64;
        counted += 1;
    }
    if counted == 0 {
        1.0
    } else {
        (total / counted as f64) as f32
    }
}
