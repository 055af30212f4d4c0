//! Embedded ESCO skill labels, computed once per model and taxonomy and cached on disk.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use super::SemanticError;
use super::cache::{self, CacheLoad};
use crate::{ConceptSource, Taxonomy};
pub use intellicv_ann::dot;
use intellicv_ann::{HnswParams, VectorIndex};
use intellicv_embed::Embedder;

/// Which texts of each skill are embedded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelViews {
    /// The preferred label only (one row per skill).
    Preferred,
    /// The preferred label and every alternative label (one row each).
    WithAlternatives,
}

impl LabelViews {
    fn file_name(self) -> &'static str {
        match self {
            LabelViews::Preferred => "skill-vectors-preferred.bin",
            LabelViews::WithAlternatives => "skill-vectors-alternatives.bin",
        }
    }
}

/// How the vectors were obtained.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorsOrigin {
    pub path: PathBuf,
    /// Read from the cache file (else embedded now and written to it).
    pub cached: bool,
    pub duration_ms: u64,
}

/// Unit vectors of ESCO skill labels, one or more rows per skill (see [`LabelViews`]).
#[derive(Debug, Clone)]
pub struct SkillVectors {
    /// `(uri, preferred label)` per skill.
    skills: Vec<(String, String)>,
    /// The skill of each row.
    row_skill: Vec<usize>,
    /// The rows of each skill (consecutive).
    skill_rows: Vec<Range<usize>>,
    dimension: usize,
    /// Row-major `row_skill.len() × dimension`.
    values: Vec<f32>,
    origin: VectorsOrigin,
    /// An HNSW graph over the rows for [`SkillVectors::nearest_skill`], loaded from its
    /// cache or built by [`SkillVectors::load_or_build`].
    ann: Arc<VectorIndex>,
}

/// Graph settings for the label index: small and built once per process.
const LABEL_HNSW: HnswParams = HnswParams {
    max_nb_connection: 16,
    ef_construction: 100,
    ef_search: 64,
};

impl SkillVectors {
    /// Reads the vectors of the ESCO skills of `taxonomy` from `cache_dir`, or embeds them
    /// and writes the cache when it is missing or was built from another model or taxonomy.
    pub fn load_or_build(
        embedder: &Embedder,
        taxonomy: &Taxonomy,
        views: LabelViews,
        cache_dir: &Path,
    ) -> Result<Self, SemanticError> {
        let started = Instant::now();
        let (skills, rows) = rows(taxonomy, views);
        let texts: Vec<&str> = rows.iter().map(|(_, text)| text.as_str()).collect();
        let model_sha256 = embedder.status().model_version;
        let key = cache::cache_key(
            &model_sha256,
            rows.iter()
                .map(|(skill, text)| (skills[*skill].0.as_str(), text.as_str())),
        );
        let dimension = embedder.dimension();
        let path = cache_dir.join(views.file_name());
        let (values, cached) = match cache::load(&path, &key, rows.len(), dimension) {
            CacheLoad::Fresh(values) => (values, true),
            outcome => {
                if let CacheLoad::Stale(reason) = &outcome {
                    tracing::info!(path = %path.display(), %reason, "skill vector cache is stale, rebuilding");
                }
                let values: Vec<f32> = embedder.embed_batch(&texts)?.concat();
                cache::store(&path, &key, rows.len(), dimension, &values).map_err(|source| {
                    SemanticError::Cache {
                        path: path.clone(),
                        source,
                    }
                })?;
                (values, false)
            }
        };
        // The graph is cached beside the vectors, named after their cache key.
        let ann_dir = cache_dir.join(format!(
            "skill-graph-{}",
            key.iter()
                .take(8)
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        ));
        let ann = Self::label_graph(&ann_dir, &values, dimension);
        let duration_ms = started.elapsed().as_millis() as u64;
        tracing::info!(
            rows = rows.len(),
            skills.count = skills.len(),
            cached,
            duration_ms,
            "skill vectors ready"
        );
        let row_skill: Vec<usize> = rows.into_iter().map(|(skill, _)| skill).collect();
        let mut skill_rows = vec![0..0; skills.len()];
        for (row, &skill) in row_skill.iter().enumerate() {
            let range = &mut skill_rows[skill];
            if range.start == range.end {
                *range = row..row;
            }
            range.end = row + 1;
        }
        Ok(Self {
            skills,
            row_skill,
            skill_rows,
            dimension,
            values,
            origin: VectorsOrigin {
                path,
                cached,
                duration_ms,
            },
            ann: Arc::new(ann),
        })
    }

    /// The label graph from its cache in `ann_dir`, or built and cached. Built while the
    /// vectors load, never on a request's path: building it takes seconds in a release
    /// build and minutes in a debug one.
    fn label_graph(ann_dir: &Path, values: &[f32], dimension: usize) -> VectorIndex {
        let rows = values.len() / dimension;
        if ann_dir.exists() {
            match VectorIndex::load(ann_dir) {
                Ok(index) if index.len() == rows => return index,
                Ok(index) => {
                    tracing::warn!(path = %ann_dir.display(), documents = index.len(), rows, "cached skill graph does not match the vectors, rebuilding")
                }
                Err(error) => {
                    tracing::warn!(path = %ann_dir.display(), %error, "cannot load the cached skill graph, rebuilding")
                }
            }
            // Replaced by the rebuilt graph below.
            let _ = std::fs::remove_dir_all(ann_dir);
        }
        let rows: Vec<(i64, Vec<f32>)> = values
            .chunks_exact(dimension)
            .enumerate()
            .map(|(row, v)| (row as i64, v.to_vec()))
            .collect();
        let index = VectorIndex::build(dimension, LABEL_HNSW, rows)
            .expect("label vectors are finite unit vectors of the model's dimension");
        // Saved beside, then renamed into place: processes building at once do not mix
        // their files, and the first rename wins.
        let tmp = ann_dir.with_extension(format!("tmp-{}", std::process::id()));
        let saved = index.save(&tmp).and_then(|()| {
            std::fs::rename(&tmp, ann_dir).map_err(|e| intellicv_ann::AnnError::io(ann_dir, e))
        });
        if let Err(error) = saved {
            let _ = std::fs::remove_dir_all(&tmp);
            if !ann_dir.exists() {
                tracing::warn!(path = %ann_dir.display(), %error, "cannot cache the skill graph");
            }
        }
        index
    }

    /// Where the vectors came from and how long that took.
    pub fn origin(&self) -> &VectorsOrigin {
        &self.origin
    }

    /// Number of skills.
    pub fn skill_count(&self) -> usize {
        self.skills.len()
    }

    /// Number of embedded texts.
    pub fn row_count(&self) -> usize {
        self.row_skill.len()
    }

    /// `(uri, preferred label)` of skill `index`.
    pub fn skill(&self, index: usize) -> (&str, &str) {
        let (uri, label) = &self.skills[index];
        (uri, label)
    }

    /// The cosine of `query` (a unit vector) with each skill: the best of its rows.
    pub fn skill_scores(&self, query: &[f32]) -> Vec<f32> {
        let mut best = vec![f32::NEG_INFINITY; self.skills.len()];
        for (row, values) in self.values.chunks_exact(self.dimension).enumerate() {
            let score = dot(values, query);
            let slot = &mut best[self.row_skill[row]];
            if score > *slot {
                *slot = score;
            }
        }
        best
    }

    /// The cosine of `query` with skill `skill`: the best of its rows.
    pub fn skill_score(&self, skill: usize, query: &[f32]) -> f32 {
        let rows = &self.skill_rows[skill];
        self.values[rows.start * self.dimension..rows.end * self.dimension]
            .chunks_exact(self.dimension)
            .map(|values| dot(values, query))
            .fold(f32::NEG_INFINITY, f32::max)
    }

    /// The `k` skills closest to `query`, best first, as `(skill index, cosine)`.
    pub fn top_k(&self, query: &[f32], k: usize) -> Vec<(usize, f32)> {
        top_k(&self.skill_scores(query), k)
    }

    /// The skill closest to `query` and its cosine, found approximately through an HNSW
    /// graph over the rows (about 50x fewer dot products than [`SkillVectors::top_k`]; the
    /// graph is built or loaded with the vectors).
    pub fn nearest_skill(&self, query: &[f32]) -> Option<(usize, f32)> {
        let hits = self.ann.search(query, 4, None).ok()?;
        hits.into_iter()
            .map(|h| (self.row_skill[h.id as usize], h.similarity))
            .max_by(|a, b| a.1.total_cmp(&b.1))
    }
}

/// The indices of the `k` largest scores, largest first.
pub fn top_k(scores: &[f32], k: usize) -> Vec<(usize, f32)> {
    let mut indexed: Vec<(usize, f32)> = scores.iter().copied().enumerate().collect();
    if indexed.len() > k && k > 0 {
        indexed.select_nth_unstable_by(k - 1, |a, b| b.1.total_cmp(&a.1));
        indexed.truncate(k);
    }
    indexed.truncate(k);
    indexed.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    indexed
}

/// The ESCO skills of `taxonomy` and the `(skill index, text)` rows to embed.
/// `(uri, label)` rows and `(row, text)` pairs to embed.
type Rows = (Vec<(String, String)>, Vec<(usize, String)>);

fn rows(taxonomy: &Taxonomy, views: LabelViews) -> Rows {
    let mut skills = Vec::new();
    let mut rows = Vec::new();
    for concept in taxonomy
        .skills()
        .filter(|c| c.source != ConceptSource::Curated)
    {
        let index = skills.len();
        skills.push((concept.uri.clone(), concept.preferred_label.clone()));
        rows.push((index, concept.preferred_label.clone()));
        if views == LabelViews::WithAlternatives {
            rows.extend(concept.alt_labels.iter().map(|alt| (index, alt.clone())));
        }
    }
    (skills, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_returns_the_largest_scores_in_order() {
        let scores = [0.1, 0.9, -0.2, 0.5, 0.9];
        assert_eq!(top_k(&scores, 3), vec![(1, 0.9), (4, 0.9), (3, 0.5)]);
        assert_eq!(top_k(&scores, 10).len(), 5);
        assert!(top_k(&scores, 0).is_empty());
    }

    #[test]
    fn dot_handles_lengths_that_are_not_a_multiple_of_eight() {
        let a: Vec<f32> = (0..11).map(|i| i as f32).collect();
        let expected: f32 = a.iter().map(|x| x * x).sum();
        assert_eq!(dot(&a, &a), expected);
    }

    #[test]
    fn rows_cover_esco_skills_and_optionally_their_alternative_labels() {
        let taxonomy = crate::taxonomy::tests::sample();
        let (skills, preferred) = rows(&taxonomy, LabelViews::Preferred);
        assert_eq!(skills.len(), 4, "curated skills are not embedded");
        assert_eq!(preferred.len(), 4);
        let (_, all) = rows(&taxonomy, LabelViews::WithAlternatives);
        assert!(
            all.contains(&(0, "direct stage crews".to_owned())),
            "{all:?}"
        );
    }
}
