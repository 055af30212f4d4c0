//! The HNSW graph (hnsw_rs) over arena slots. hnsw_rs cannot delete: dead slots stay in
//! the graph and searches skip them through the traversal filter.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use hnsw_rs::api::AnnT;
#[cfg(test)]
use hnsw_rs::filter::FilterT;
use hnsw_rs::hnsw::Hnsw;
use hnsw_rs::hnswio::HnswIo;

use super::arena::Slot;
use super::distance::CosineDistance;
use super::params::HnswParams;
use crate::AnnError;

/// hnsw_rs's layer limit.
const MAX_LAYERS: usize = 16;

pub struct Graph {
    hnsw: Hnsw<'static, f32, CosineDistance>,
}

impl Graph {
    pub fn new(params: &HnswParams, capacity: usize) -> Self {
        let hnsw = Hnsw::new(
            params.max_nb_connection,
            capacity.max(1),
            MAX_LAYERS,
            params.ef_construction,
            CosineDistance,
        );
        Self { hnsw }
    }

    /// Builds a graph from `(slot, vector)` pairs, inserting on the rayon pool.
    pub fn build(params: &HnswParams, items: &[(Slot, &[f32])]) -> Self {
        let graph = Self::new(params, items.len());
        // The first point alone: hnsw_rs makes a point the entry point, unlinked, when it
        // finds none, so points inserted in parallel into an empty graph can each become
        // the entry point and never link to the others.
        if let Some((&(slot, vector), rest)) = items.split_first() {
            graph.hnsw.insert_slice((vector, slot));
            let rest: Vec<(&[f32], usize)> = rest.iter().map(|&(slot, v)| (v, slot)).collect();
            graph.hnsw.parallel_insert_slice(&rest);
        }
        graph
    }

    /// Inserts one vector. Safe while other threads search (hnsw_rs locks per node).
    pub fn insert(&self, slot: Slot, vector: &[f32]) {
        self.hnsw.insert_slice((vector, slot));
    }

    pub fn len(&self) -> usize {
        self.hnsw.get_nb_point()
    }

    /// hnsw_rs's own search: the `k` nearest slots passing `filter` (when given), as
    /// `(slot, distance)`, nearest first, exploring `ef` candidates. Searches go through
    /// `links.rs`; this is the reference it is tested against.
    #[cfg(test)]
    pub fn search(
        &self,
        query: &[f32],
        k: usize,
        ef: usize,
        filter: Option<&dyn FilterT>,
    ) -> Vec<(Slot, f32)> {
        self.hnsw
            .search_filter(query, k, ef.max(k), filter)
            .into_iter()
            .map(|n| (n.d_id, n.distance))
            .collect()
    }

    /// Every point's links, as `(slot, neighbours on layers 0..=its level)`.
    pub fn neighbourhoods(&self) -> Vec<(Slot, Vec<Vec<Slot>>)> {
        if self.len() == 0 {
            // hnsw_rs's point iterator panics on an empty graph.
            return Vec::new();
        }
        self.hnsw
            .get_point_indexation()
            .into_iter()
            .map(|point| {
                let level = point.get_point_id().0 as usize;
                let layers = point
                    .get_neighborhood_id()
                    .into_iter()
                    .take(level + 1)
                    .map(|layer| layer.into_iter().map(|n| n.d_id).collect())
                    .collect();
                (point.get_origin_id(), layers)
            })
            .collect()
    }

    /// Writes `<basename>.hnsw.graph` and `<basename>.hnsw.data` into `dir` (which must be
    /// empty of other dumps) and returns the basename used.
    pub fn dump(&self, dir: &Path, basename: &str) -> Result<String, AnnError> {
        self.hnsw
            .file_dump(dir, basename)
            .map_err(|e| AnnError::Index(format!("graph dump failed: {e:#}")))
    }

    /// Reloads a dump written by [`Graph::dump`].
    ///
    /// hnsw_rs ties a reloaded graph to the loader's lifetime (for optional memory-mapped
    /// data, which we do not use: points are copied into the graph). The loader is leaked
    /// to give the graph a `'static` lifetime: a few hundred bytes per load, which happens
    /// at start and after a rebuild. hnsw_rs asserts on malformed files, so a panic while
    /// reading is turned into a corruption error; callers check checksums first.
    pub fn load(dir: &Path, basename: &str) -> Result<Self, AnnError> {
        let corrupt = |reason: String| AnnError::Corrupt {
            path: dir.to_path_buf(),
            reason,
        };
        let reload = || {
            let loader: &'static mut HnswIo = Box::leak(Box::new(HnswIo::new(dir, basename)));
            loader.load_hnsw::<f32, CosineDistance>()
        };
        match catch_unwind(AssertUnwindSafe(reload)) {
            Ok(Ok(hnsw)) => Ok(Self { hnsw }),
            Ok(Err(e)) => Err(corrupt(format!("graph reload failed: {e:#}"))),
            Err(_) => Err(corrupt("graph files are malformed".to_owned())),
        }
    }
}
