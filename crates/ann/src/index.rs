//! [`VectorIndex`]: construction, updates, accessors and compaction.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Instant;

use super::VectorSearchStats;
use super::arena::Arena;
use super::distance::normalised;
use super::graph::Graph;
use super::links::Links;
use super::params::HnswParams;
use crate::{AnnError, DocId};

/// Compact (rebuild the graph from live vectors) when more than this fraction of the
/// graph's slots are tombstones.
pub const COMPACT_FRACTION: f64 = 0.2;

/// Filtered searches whose filter keeps at most this many documents are answered by an
/// exact scan of those documents instead of the graph (see `measure.rs` for the numbers
/// this was chosen from).
pub const DEFAULT_EXACT_THRESHOLD: usize = 2_000;

/// A vector index over document ids. `Send + Sync`: share it behind an `Arc`.
pub struct VectorIndex {
    pub(super) dim: usize,
    pub(super) params: HnswParams,
    pub(super) state: RwLock<State>,
    /// Serialises writers (upsert, remove, compaction, save).
    pub(super) writer: Mutex<()>,
    pub(super) exact_threshold: AtomicUsize,
    /// `params.ef_search`, adjustable without a rebuild.
    pub(super) ef_search: AtomicUsize,
    /// Traverse the graph on int8 vectors (re-scored exactly); see `links.rs`.
    pub(super) quantized: AtomicBool,
    pub(super) counters: Counters,
}

impl std::fmt::Debug for VectorIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.read();
        f.debug_struct("VectorIndex")
            .field("dim", &self.dim)
            .field("params", &self.params())
            .field("documents", &state.arena.live())
            .field("tombstones", &state.arena.dead())
            .finish()
    }
}

pub(super) struct State {
    pub graph: Graph,
    pub arena: Arena,
    /// The graph's links as searched (see `links.rs`).
    pub links: Links,
}

impl State {
    /// A state whose links are copied from `graph` (which holds every slot of `arena`).
    pub fn new(graph: Graph, arena: Arena) -> Self {
        let links = Links::copy(&graph, &arena);
        Self {
            graph,
            arena,
            links,
        }
    }
}

#[derive(Default)]
pub(super) struct Counters {
    pub graph: AtomicU64,
    pub exact_filtered: AtomicU64,
    pub exact_fallback: AtomicU64,
}

impl VectorIndex {
    /// An empty index of `dim`-dimensional vectors.
    ///
    /// # Panics
    /// When `params` are invalid (see [`HnswParams::validate`]); validate configuration
    /// first, or use [`VectorIndex::build`], which returns the error.
    pub fn new(dim: usize, params: HnswParams) -> Self {
        if let Err(e) = params.validate() {
            panic!("{e}");
        }
        Self::from_state(
            dim,
            params,
            State::new(Graph::new(&params, 1_000), Arena::new(dim)),
        )
    }

    /// Builds an index from `(id, vector)` pairs, inserting in parallel on the rayon
    /// pool. A later pair replaces an earlier one with the same id.
    pub fn build(
        dim: usize,
        params: HnswParams,
        items: Vec<(DocId, Vec<f32>)>,
    ) -> Result<Self, AnnError> {
        params.validate()?;
        let started = Instant::now();
        let mut arena = Arena::with_capacity(dim, items.len());
        for (id, vector) in items {
            let vector = normalised(&vector, dim)?;
            let slot = arena.push_pending(id, &vector);
            arena.commit(slot);
        }
        let state = build_state(&params, arena);
        tracing::info!(
            index.documents = state.arena.live(),
            duration_ms = started.elapsed().as_millis() as u64,
            "vector index built"
        );
        Ok(Self::from_state(dim, params, state))
    }

    pub(super) fn from_state(dim: usize, params: HnswParams, state: State) -> Self {
        Self {
            dim,
            params,
            state: RwLock::new(state),
            writer: Mutex::new(()),
            exact_threshold: AtomicUsize::new(DEFAULT_EXACT_THRESHOLD),
            ef_search: AtomicUsize::new(params.ef_search),
            quantized: AtomicBool::new(true),
            counters: Counters::default(),
        }
    }

    /// Adds a document's vector or replaces it. Errors when the vector has the wrong
    /// dimension, a non-finite component or zero length.
    pub fn upsert(&self, id: DocId, vector: &[f32]) -> Result<(), AnnError> {
        let vector = normalised(vector, self.dim)?;
        let writer = self.lock_writer();
        {
            let state = self.read();
            let unchanged = state
                .arena
                .slot_of(id)
                .is_some_and(|slot| state.arena.vector(slot) == vector.as_slice());
            if unchanged {
                return Ok(());
            }
        }
        let slot = self.write().arena.push_pending(id, &vector);
        // Searches go on while the graph links the new node; it is not returned until
        // it is committed.
        self.read().graph.insert(slot, &vector);
        self.write().arena.commit(slot);
        self.compact_if_needed(&writer);
        self.copy_links_if_needed(&writer);
        Ok(())
    }

    /// Removes a document; false when it was not indexed.
    pub fn remove(&self, id: DocId) -> bool {
        let writer = self.lock_writer();
        let removed = self.write().arena.remove(id);
        if removed {
            self.compact_if_needed(&writer);
        }
        removed
    }

    /// Live documents.
    pub fn len(&self) -> usize {
        self.read().arena.live()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn contains(&self, id: DocId) -> bool {
        self.read().arena.slot_of(id).is_some()
    }

    /// The stored (unit-length) vector of a document.
    pub fn vector(&self, id: DocId) -> Option<Vec<f32>> {
        let state = self.read();
        state
            .arena
            .slot_of(id)
            .map(|slot| state.arena.vector(slot).to_vec())
    }

    /// Ids of the live documents, ascending.
    pub fn ids(&self) -> Vec<DocId> {
        let mut ids: Vec<DocId> = self.read().arena.ids().collect();
        ids.sort_unstable();
        ids
    }

    pub fn dimension(&self) -> usize {
        self.dim
    }

    /// The parameters, with the current `ef_search`.
    pub fn params(&self) -> HnswParams {
        HnswParams {
            ef_search: self.ef_search(),
            ..self.params
        }
    }

    pub fn ef_search(&self) -> usize {
        self.ef_search.load(Ordering::Relaxed)
    }

    /// Changes the search breadth (at least 1) without rebuilding.
    pub fn set_ef_search(&self, ef_search: usize) {
        self.ef_search.store(ef_search.max(1), Ordering::Relaxed);
    }

    /// Whether the graph is traversed on int8 vectors (re-scored exactly); on by default.
    pub fn quantized_traversal(&self) -> bool {
        self.quantized.load(Ordering::Relaxed)
    }

    /// Traverses on int8 vectors (`true`) or on the float vectors (`false`).
    pub fn set_quantized_traversal(&self, on: bool) {
        self.quantized.store(on, Ordering::Relaxed);
    }

    /// Bytes of the int8 copy of the vectors the traversal reads.
    pub fn quantized_bytes(&self) -> usize {
        self.read().links.quantized_bytes()
    }

    /// Graph slots that are not live documents (replaced or removed vectors).
    pub fn tombstones(&self) -> usize {
        self.read().arena.dead()
    }

    /// Filtered searches keeping at most this many documents scan them exactly.
    pub fn exact_threshold(&self) -> usize {
        self.exact_threshold.load(Ordering::Relaxed)
    }

    pub fn set_exact_threshold(&self, documents: usize) {
        self.exact_threshold.store(documents, Ordering::Relaxed);
    }

    pub fn search_stats(&self) -> VectorSearchStats {
        VectorSearchStats {
            graph: self.counters.graph.load(Ordering::Relaxed),
            exact_filtered: self.counters.exact_filtered.load(Ordering::Relaxed),
            exact_fallback: self.counters.exact_fallback.load(Ordering::Relaxed),
        }
    }

    /// Rebuilds the graph from the live vectors, dropping every tombstone. Searches keep
    /// running on the old graph meanwhile; writers wait.
    pub fn compact(&self) {
        let writer = self.lock_writer();
        self.compact_locked(&writer);
    }

    fn compact_if_needed(&self, writer: &MutexGuard<'_, ()>) {
        let (dead, slots) = {
            let state = self.read();
            (state.arena.dead(), state.arena.slots())
        };
        if dead > 0 && dead as f64 > COMPACT_FRACTION * slots as f64 {
            self.compact_locked(writer);
        }
    }

    /// Copies the graph's links again once searches scan too many slots outside them.
    fn copy_links_if_needed(&self, _writer: &MutexGuard<'_, ()>) {
        let links = {
            let state = self.read();
            if state.links.uncovered(&state.arena) < Links::RECOPY_AFTER {
                return;
            }
            Links::copy(&state.graph, &state.arena)
        };
        self.write().links = links;
    }

    /// Needs the writer lock, so nothing changes between the snapshot and the swap.
    fn compact_locked(&self, _writer: &MutexGuard<'_, ()>) {
        let started = Instant::now();
        let (arena, dropped) = {
            let state = self.read();
            (state.arena.compacted(), state.arena.dead())
        };
        let new_state = build_state(&self.params, arena);
        let old_state = std::mem::replace(&mut *self.write(), new_state);
        drop(old_state);
        tracing::info!(
            index.documents = self.len(),
            index.tombstones_dropped = dropped,
            duration_ms = started.elapsed().as_millis() as u64,
            "vector index compacted"
        );
    }

    pub(super) fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn lock_writer(&self) -> MutexGuard<'_, ()> {
        self.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A graph over the live vectors of `arena`, which loses its dead slots.
fn build_state(params: &HnswParams, arena: Arena) -> State {
    let arena = if arena.dead() > 0 {
        arena.compacted()
    } else {
        arena
    };
    let items: Vec<_> = arena
        .live_slots()
        .map(|slot| (slot, arena.vector(slot)))
        .collect();
    let graph = Graph::build(params, &items);
    drop(items);
    State::new(graph, arena)
}
