//! The index's own copy of every vector, keyed by slot. A slot is the id a vector has in
//! the HNSW graph; slots are never reused, so replacing or removing a document leaves a
//! dead slot (a tombstone) that searches skip until the graph is compacted.

use std::collections::HashMap;

use crate::DocId;

/// A vector's position in the arena and its id in the graph.
pub type Slot = usize;

pub struct Arena {
    dim: usize,
    ids: Vec<DocId>,
    /// `ids.len() × dim` components, slot after slot.
    vectors: Vec<f32>,
    alive: Vec<bool>,
    by_id: HashMap<DocId, Slot>,
}

impl Arena {
    pub fn new(dim: usize) -> Self {
        Self::with_capacity(dim, 0)
    }

    pub fn with_capacity(dim: usize, capacity: usize) -> Self {
        Self {
            dim,
            ids: Vec::with_capacity(capacity),
            vectors: Vec::with_capacity(capacity * dim),
            alive: Vec::with_capacity(capacity),
            by_id: HashMap::with_capacity(capacity),
        }
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Slots ever allocated, live or dead.
    pub fn slots(&self) -> usize {
        self.ids.len()
    }

    /// Documents searches can return.
    pub fn live(&self) -> usize {
        self.by_id.len()
    }

    /// Slots that are not (or no longer, or not yet) a live document.
    pub fn dead(&self) -> usize {
        self.slots() - self.live()
    }

    /// Stores a vector in a new slot that stays dead until [`Arena::commit`].
    pub fn push_pending(&mut self, id: DocId, vector: &[f32]) -> Slot {
        debug_assert_eq!(vector.len(), self.dim);
        let slot = self.ids.len();
        self.ids.push(id);
        self.vectors.extend_from_slice(vector);
        self.alive.push(false);
        slot
    }

    /// Makes `slot` the live vector of its document; the previous one becomes a tombstone.
    pub fn commit(&mut self, slot: Slot) {
        let id = self.ids[slot];
        if let Some(old) = self.by_id.insert(id, slot) {
            self.alive[old] = false;
        }
        self.alive[slot] = true;
    }

    /// Restores a slot read from disk.
    pub fn push_restored(&mut self, id: DocId, alive: bool, vector: &[f32]) {
        let slot = self.push_pending(id, vector);
        if alive {
            self.commit(slot);
        }
    }

    /// Tombstones the document's vector; false when it is not indexed.
    pub fn remove(&mut self, id: DocId) -> bool {
        match self.by_id.remove(&id) {
            Some(slot) => {
                self.alive[slot] = false;
                true
            }
            None => false,
        }
    }

    pub fn slot_of(&self, id: DocId) -> Option<Slot> {
        self.by_id.get(&id).copied()
    }

    pub fn is_alive(&self, slot: Slot) -> bool {
        self.alive.get(slot).copied().unwrap_or(false)
    }

    pub fn id(&self, slot: Slot) -> DocId {
        self.ids[slot]
    }

    pub fn vector(&self, slot: Slot) -> &[f32] {
        &self.vectors[slot * self.dim..(slot + 1) * self.dim]
    }

    pub fn ids(&self) -> impl Iterator<Item = DocId> + '_ {
        self.by_id.keys().copied()
    }

    /// Live slots in slot order.
    pub fn live_slots(&self) -> impl Iterator<Item = Slot> + '_ {
        (0..self.slots()).filter(|&slot| self.alive[slot])
    }

    /// A copy holding only the live vectors, in slot order.
    pub fn compacted(&self) -> Arena {
        let mut arena = Arena::with_capacity(self.dim, self.live());
        for slot in self.live_slots() {
            arena.push_restored(self.id(slot), true, self.vector(slot));
        }
        arena
    }

    /// Every slot as `(id, alive, vector)`, for dumps.
    pub fn entries(&self) -> impl Iterator<Item = (DocId, bool, &[f32])> + '_ {
        (0..self.slots()).map(|slot| (self.ids[slot], self.alive[slot], self.vector(slot)))
    }
}
