//! The vector index: one HNSW graph (hnsw_rs, cosine distance) per collection over
//! document vectors, with in-place updates, filtered search and dumps.
//!
//! - **Updates.** hnsw_rs cannot delete, so a replaced or removed document leaves a
//!   tombstone: its slot stays in the graph and every search skips it through the
//!   traversal filter. When tombstones pass [`COMPACT_FRACTION`] of the slots the graph
//!   is rebuilt from the live vectors, which the index keeps in its own arena (also used
//!   for exact search, [`VectorIndex::vector`] and dumps).
//! - **Search.** hnsw_rs builds, updates and dumps the graph; searches traverse a flat
//!   copy of its links (`links.rs`), which is several times faster than hnsw_rs's own
//!   search, and scan the slots upserted since the copy exactly.
//! - **Filtered search.** How many documents the caller's predicate keeps is estimated on
//!   a sample of slots. When that may be at most [`DEFAULT_EXACT_THRESHOLD`] the predicate
//!   is evaluated for every slot, and if it keeps no more than that the answer is an exact
//!   scan of those; otherwise the graph is searched with the predicate applied during
//!   traversal (only to the slots visited). A graph search that finds fewer than `k` allowed
//!   documents while more exist is answered exactly instead, so a filtered query returns
//!   `k` hits whenever `k` allowed documents exist.
//! - **Concurrency.** Searches share a read lock. One writer at a time: an upsert inserts
//!   into the graph under the read lock (hnsw_rs locks per node), so searches continue,
//!   and takes the write lock only to publish the new slot. Compaction builds the new
//!   graph while searches run on the old one.
//! - **Persistence.** [`VectorIndex::save`] writes the hnsw_rs graph dump and the arena
//!   into a new generation directory and then atomically points `CURRENT` at it;
//!   [`VectorIndex::load`] verifies checksums and reloads the graph without re-embedding
//!   or rebuilding.
//!
//! All methods are synchronous and CPU-bound: call them from a blocking pool or rayon.

mod arena;
mod distance;
mod error;
mod exact;
mod graph;
mod index;
mod links;
#[cfg(test)]
mod measure;
mod params;
mod persist;
mod query;
mod recall;
#[cfg(test)]
mod tests;

use serde::Serialize;

/// A document's id: a resume or posting row id, or any caller's key.
pub type DocId = i64;

pub use distance::dot;
pub use error::AnnError;
pub use index::{COMPACT_FRACTION, DEFAULT_EXACT_THRESHOLD, VectorIndex};
pub use params::HnswParams;
pub use recall::recall_at_k;

/// A search hit: the document and its cosine similarity to the query.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct VectorHit {
    pub id: DocId,
    pub similarity: f32,
}

/// How searches were answered since the index was created, for metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct VectorSearchStats {
    /// Answered by the HNSW graph.
    pub graph: u64,
    /// Answered by an exact scan because the filter kept few documents.
    pub exact_filtered: u64,
    /// Graph search found fewer than `k` allowed documents; answered by an exact scan.
    pub exact_fallback: u64,
}
