//! Exact (brute-force) nearest neighbours over the arena.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::VectorHit;
use super::arena::{Arena, Slot};
use super::distance::dot;

/// A hit ordered worst first (lowest similarity, then highest id), so a max-heap of
/// `Worst` keeps the k best at hand with the worst on top.
#[derive(PartialEq)]
struct Worst(VectorHit);

impl Eq for Worst {}

impl Ord for Worst {
    fn cmp(&self, other: &Self) -> Ordering {
        best_first(&self.0, &other.0)
    }
}

impl PartialOrd for Worst {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Best first: higher similarity, then lower id.
pub fn best_first(a: &VectorHit, b: &VectorHit) -> Ordering {
    b.similarity
        .total_cmp(&a.similarity)
        .then_with(|| a.id.cmp(&b.id))
}

/// The `k` most similar of `slots`, best first.
pub fn top_k(
    arena: &Arena,
    query: &[f32],
    k: usize,
    slots: impl Iterator<Item = Slot>,
) -> Vec<VectorHit> {
    if k == 0 {
        return Vec::new();
    }
    let mut heap: BinaryHeap<Worst> = BinaryHeap::with_capacity(k + 1);
    for slot in slots {
        let hit = VectorHit {
            id: arena.id(slot),
            similarity: dot(query, arena.vector(slot)),
        };
        if heap.len() < k {
            heap.push(Worst(hit));
        } else if let Some(worst) = heap.peek()
            && best_first(&hit, &worst.0) == Ordering::Less
        {
            heap.pop();
            heap.push(Worst(hit));
        }
    }
    let mut hits: Vec<VectorHit> = heap.into_iter().map(|Worst(hit)| hit).collect();
    hits.sort_by(best_first);
    hits
}
