//! Searching: the graph, filtered during traversal, or an exact scan when the filter keeps
//! few documents or the graph comes back short.

use std::sync::atomic::Ordering;

use super::VectorHit;
use super::arena::{Arena, Slot};
use super::distance::{dot, normalised};
use super::exact::{best_first, top_k};
use super::index::{State, VectorIndex};
use crate::{AnnError, DocId};

/// A caller's document predicate.
pub type DocFilter<'a> = &'a (dyn Fn(DocId) -> bool + Sync);

impl VectorIndex {
    /// The `k` documents most similar to `query` (cosine), best first, among those
    /// `filter` keeps. Approximate (HNSW); see the module docs for when it scans exactly.
    pub fn search(
        &self,
        query: &[f32],
        k: usize,
        filter: Option<DocFilter<'_>>,
    ) -> Result<Vec<VectorHit>, AnnError> {
        let query = normalised(query, self.dim)?;
        if k == 0 {
            return Ok(Vec::new());
        }
        let state = self.read();
        let arena = &state.arena;
        let keep_all = |_: DocId| true;
        let keep: DocFilter<'_> = filter.unwrap_or(&keep_all);
        let passes = |slot: Slot| arena.is_alive(slot) && keep(arena.id(slot));
        let threshold = self.exact_threshold();
        if filter.is_some() && estimated_kept(arena.slots(), &passes) <= 2 * threshold {
            let allowed: Vec<bool> = (0..arena.slots()).map(passes).collect();
            if allowed.iter().filter(|&&a| a).count() <= threshold {
                self.counters.exact_filtered.fetch_add(1, Ordering::Relaxed);
                return Ok(top_k(arena, &query, k, slots_where(&allowed)));
            }
        }
        let everything = filter.is_none() && arena.dead() == 0;
        let hits = self.graph_search(&state, &query, k, (!everything).then_some(&passes));
        if hits.len() < k {
            // Short: answer exactly if more documents pass than the graph search reached.
            let passing: Vec<Slot> = arena.live_slots().filter(|&slot| passes(slot)).collect();
            if hits.len() < passing.len() {
                self.counters.exact_fallback.fetch_add(1, Ordering::Relaxed);
                return Ok(top_k(arena, &query, k, passing.into_iter()));
            }
        }
        self.counters.graph.fetch_add(1, Ordering::Relaxed);
        Ok(hits)
    }

    /// The exact `k` nearest documents (a full scan), best first, among those `filter`
    /// keeps: the reference [`VectorIndex::search`] is measured against.
    pub fn exact_search(
        &self,
        query: &[f32],
        k: usize,
        filter: Option<DocFilter<'_>>,
    ) -> Result<Vec<VectorHit>, AnnError> {
        let query = normalised(query, self.dim)?;
        let state = self.read();
        let arena = &state.arena;
        let slots = arena
            .live_slots()
            .filter(|&slot| filter.is_none_or(|keep| keep(arena.id(slot))));
        Ok(top_k(arena, &query, k, slots))
    }

    /// The `k` best of a search of the graph's links among the slots `passes` keeps (every
    /// slot, dead ones included, when `None`), best first.
    fn graph_search(
        &self,
        state: &State,
        query: &[f32],
        k: usize,
        passes: Option<&dyn Fn(Slot) -> bool>,
    ) -> Vec<VectorHit> {
        let ef = self.ef_search().max(k);
        // Every candidate re-scored exactly: with int8 traversal their order is approximate.
        let mut hits: Vec<VectorHit> = state
            .links
            .search(&state.arena, query, ef, passes, self.quantized_traversal())
            .into_iter()
            .map(|(slot, _)| hit(&state.arena, query, slot))
            .collect();
        hits.sort_by(best_first);
        hits.truncate(k);
        hits
    }
}

fn hit(arena: &Arena, query: &[f32], slot: Slot) -> VectorHit {
    VectorHit {
        id: arena.id(slot),
        similarity: dot(query, arena.vector(slot)),
    }
}

/// Slots sampled to estimate how many documents a filter keeps.
const SELECTIVITY_SAMPLE: usize = 512;

/// How many of `slots` `passes` keeps: exact for a few slots, else estimated on a fixed
/// pseudo-random sample (evenly spaced slots would alias with periodic patterns).
fn estimated_kept(slots: usize, passes: &dyn Fn(Slot) -> bool) -> usize {
    if slots <= SELECTIVITY_SAMPLE {
        return (0..slots).filter(|&slot| passes(slot)).count();
    }
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let kept = (0..SELECTIVITY_SAMPLE)
        .filter(|_| {
            // splitmix64
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            passes((z % slots as u64) as Slot)
        })
        .count();
    (kept as f64 / SELECTIVITY_SAMPLE as f64 * slots as f64).round() as usize
}

fn slots_where(bitmap: &[bool]) -> impl Iterator<Item = Slot> + '_ {
    bitmap
        .iter()
        .enumerate()
        .filter_map(|(slot, &set)| set.then_some(slot))
}
