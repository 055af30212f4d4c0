//! Searching: the graph, filtered during traversal, or an exact scan when the filter keeps
//! few documents or the graph comes back short.

use std::sync::atomic::Ordering;

use hnsw_rs::filter::FilterT;

use super::VectorHit;
use super::arena::{Arena, Slot};
use super::distance::{dot, normalised};
use super::exact::{best_first, top_k};
use super::index::{State, VectorIndex};
use crate::search::{DocId, SearchError};

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
    ) -> Result<Vec<VectorHit>, SearchError> {
        let query = normalised(query, self.dim)?;
        if k == 0 {
            return Ok(Vec::new());
        }
        let state = self.read();
        let arena = &state.arena;
        let hits = match filter {
            Some(keep) => {
                let allowed = allowed_slots(arena, keep);
                let count = allowed.iter().filter(|&&a| a).count();
                if count <= self.exact_threshold() {
                    self.counters.exact_filtered.fetch_add(1, Ordering::Relaxed);
                    top_k(arena, &query, k, slots_where(&allowed))
                } else {
                    let in_bitmap = |slot: &usize| allowed.get(*slot).copied().unwrap_or(false);
                    self.graph_search(&state, &query, k, Some(&in_bitmap), count, &allowed)
                }
            }
            None if arena.dead() == 0 => {
                let alive: Vec<bool> = Vec::new();
                self.graph_search(&state, &query, k, None, arena.live(), &alive)
            }
            None => {
                let alive = allowed_slots(arena, &|_| true);
                let in_bitmap = |slot: &usize| alive.get(*slot).copied().unwrap_or(false);
                self.graph_search(&state, &query, k, Some(&in_bitmap), arena.live(), &alive)
            }
        };
        Ok(hits)
    }

    /// The exact `k` nearest documents (a full scan), best first, among those `filter`
    /// keeps: the reference [`VectorIndex::search`] is measured against.
    pub fn exact_search(
        &self,
        query: &[f32],
        k: usize,
        filter: Option<DocFilter<'_>>,
    ) -> Result<Vec<VectorHit>, SearchError> {
        let query = normalised(query, self.dim)?;
        let state = self.read();
        let arena = &state.arena;
        let slots = arena
            .live_slots()
            .filter(|&slot| filter.is_none_or(|keep| keep(arena.id(slot))));
        Ok(top_k(arena, &query, k, slots))
    }

    /// Searches the graph; `allowed` is the bitmap behind `filter` (empty when there is no
    /// filter: then every live slot is allowed) and `allowed_count` its population.
    fn graph_search(
        &self,
        state: &State,
        query: &[f32],
        k: usize,
        filter: Option<&dyn FilterT>,
        allowed_count: usize,
        allowed: &[bool],
    ) -> Vec<VectorHit> {
        let arena = &state.arena;
        let is_allowed = |slot: Slot| {
            arena.is_alive(slot) && (allowed.is_empty() || allowed.get(slot) == Some(&true))
        };
        let ef = self.ef_search().max(k);
        let mut hits: Vec<VectorHit> = state
            .graph
            .search(query, k, ef, filter)
            .into_iter()
            .filter(|&(slot, _)| is_allowed(slot))
            .map(|(slot, _)| hit(arena, query, slot))
            .collect();
        if hits.len() < k.min(allowed_count) {
            self.counters.exact_fallback.fetch_add(1, Ordering::Relaxed);
            let slots = arena.live_slots().filter(|&slot| is_allowed(slot));
            return top_k(arena, query, k, slots);
        }
        self.counters.graph.fetch_add(1, Ordering::Relaxed);
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

/// A bitmap over every slot: live and kept by `keep`.
fn allowed_slots(arena: &Arena, keep: &(dyn Fn(DocId) -> bool + Sync)) -> Vec<bool> {
    (0..arena.slots())
        .map(|slot| arena.is_alive(slot) && keep(arena.id(slot)))
        .collect()
}

fn slots_where(bitmap: &[bool]) -> impl Iterator<Item = Slot> + '_ {
    bitmap
        .iter()
        .enumerate()
        .filter_map(|(slot, &set)| set.then_some(slot))
}
