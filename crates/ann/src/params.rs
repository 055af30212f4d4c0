//! Construction and search parameters of the HNSW graph.

use serde::{Deserialize, Serialize};

use crate::AnnError;

/// The most links per node and layer that hnsw_rs accepts (it exits the process above 256).
const MAX_CONNECTIONS: usize = 255;

/// HNSW parameters.
///
/// The defaults were chosen by measurement on real all-MiniLM-L6-v2 embeddings of job
/// postings (see `measure.rs` in this module and docs/benchmarks.md): they give recall@10 above
/// 0.98 against exact search at 10k and 40k postings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HnswParams {
    /// Links kept per node in the upper layers (`M`; the base layer keeps `2 × M`).
    pub max_nb_connection: usize,
    /// Candidate list length while inserting: higher builds slower and links better.
    pub ef_construction: usize,
    /// Candidate list length while searching; a search of `k` uses `max(ef_search, k)`.
    pub ef_search: usize,
}

impl Default for HnswParams {
    fn default() -> Self {
        Self {
            max_nb_connection: 16,
            ef_construction: 200,
            ef_search: 256,
        }
    }
}

impl HnswParams {
    /// Rejects parameters the graph cannot be built with.
    pub fn validate(&self) -> Result<(), AnnError> {
        let invalid = |reason: String| Err(AnnError::Index(reason));
        if !(2..=MAX_CONNECTIONS).contains(&self.max_nb_connection) {
            return invalid(format!(
                "max_nb_connection must be between 2 and {MAX_CONNECTIONS}, got {}",
                self.max_nb_connection
            ));
        }
        if self.ef_construction == 0 || self.ef_search == 0 {
            return invalid("ef_construction and ef_search must be at least 1".to_owned());
        }
        Ok(())
    }
}
