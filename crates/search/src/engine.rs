//! The search engine: per collection a text index, a vector index and the documents'
//! filter metadata, queried together and fused; plus a result cache.
//!
//! Everything here is synchronous and CPU-bound; async callers go through
//! `tokio::task::spawn_blocking`.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Instant;

use serde::Serialize;

use super::allowed::Allowed;
use super::categories::CategoryProfiles;
use super::embedder::{CacheStats, Embedder};
use super::fusion::fuse;
use super::layout::{self, GenerationLease, IndexLayout, Manifest};
use super::request::{SearchHit, SearchRequest, SearchResponse, count_facets};
use super::{
    Collection, DocId, DocMeta, HnswParams, SearchDoc, SearchError, SearchFilters, TextIndex,
    TextQuery, VectorIndex,
};
use intellicv_skills::SkillExtractor;

/// Results fetched from each list beyond the requested page, so fusion has room to
/// reorder: at least this many.
const MIN_LIST_DEPTH: usize = 100;

/// A document's vectors: its content (pooled chunks) and its title alone.
#[derive(Debug, Clone, PartialEq)]
pub struct DocVectors {
    pub content: Vec<f32>,
    pub title: Option<Vec<f32>>,
}

/// One collection's indexes.
pub struct CollectionIndex {
    pub collection: Collection,
    pub text: TextIndex,
    /// Content vectors.
    pub vectors: VectorIndex,
    /// Title vectors (job titles, resume headlines).
    pub titles: VectorIndex,
    meta: RwLock<HashMap<DocId, DocMeta>>,
    /// Bumped by every change of metadata or vectors: the category profiles below are
    /// rebuilt when it moved on.
    changes: AtomicU64,
    categories: Mutex<Option<(u64, Arc<CategoryProfiles>)>>,
}

/// Loads a saved vector index, or starts an empty one when there is none or it cannot be
/// read: vectors are a copy of the database's stored embeddings, and the catch-up fills
/// an empty index in again without running the model.
fn load_vectors(dir: &Path, c: Collection, dim: usize, params: HnswParams) -> VectorIndex {
    if !dir.exists() {
        return VectorIndex::new(dim, params);
    }
    VectorIndex::load(dir).unwrap_or_else(|error| {
        tracing::warn!(collection = c.as_str(), path = %dir.display(), %error, "cannot load vector index, refilling it from stored embeddings");
        VectorIndex::new(dim, params)
    })
}

impl CollectionIndex {
    fn open(
        generation: &Path,
        c: Collection,
        dim: usize,
        params: HnswParams,
    ) -> Result<Self, SearchError> {
        let text = TextIndex::open_or_create(&layout::text_dir(generation, c), c)?;
        Ok(Self {
            collection: c,
            text,
            vectors: load_vectors(&layout::vectors_dir(generation, c), c, dim, params),
            titles: load_vectors(&layout::titles_dir(generation, c), c, dim, params),
            meta: RwLock::new(HashMap::new()),
            changes: AtomicU64::new(0),
            categories: Mutex::new(None),
        })
    }

    fn changed(&self) {
        self.changes.fetch_add(1, Ordering::Release);
    }

    /// The profiles of the categories the collection's documents carry, rebuilt after
    /// changes (a pass over the categorised documents' vectors).
    pub fn category_profiles(&self) -> Arc<CategoryProfiles> {
        let mut cached = recover(&self.categories);
        let version = self.changes.load(Ordering::Acquire);
        if let Some((v, profiles)) = cached.as_ref()
            && *v == version
        {
            return profiles.clone();
        }
        let categorised: Vec<(DocId, String)> = {
            let meta = recover_read(&self.meta);
            meta.iter()
                .filter_map(|(id, m)| m.category.clone().map(|c| (*id, c)))
                .collect()
        };
        let docs: Vec<(String, Vec<f32>, Option<Vec<f32>>)> = categorised
            .into_iter()
            .filter_map(|(id, c)| Some((c, self.vectors.vector(id)?, self.titles.vector(id))))
            .collect();
        let profiles = Arc::new(CategoryProfiles::build(
            docs.iter()
                .map(|(c, v, t)| (c.as_str(), v.as_slice(), t.as_deref())),
        ));
        *cached = Some((version, profiles.clone()));
        profiles
    }

    /// Puts a document's vectors in the vector indexes.
    pub fn put_vectors(&self, id: DocId, vectors: &DocVectors) -> Result<(), SearchError> {
        self.changed();
        self.vectors.upsert(id, &vectors.content)?;
        match &vectors.title {
            Some(title) => self.titles.upsert(id, title)?,
            None => {
                self.titles.remove(id);
            }
        }
        Ok(())
    }

    /// Takes a document out of the vector indexes.
    pub fn remove_vectors(&self, id: DocId) {
        self.changed();
        self.vectors.remove(id);
        self.titles.remove(id);
    }

    fn save_vectors(&self, generation: &Path) -> Result<(), SearchError> {
        let c = self.collection;
        self.vectors.save(&layout::vectors_dir(generation, c))?;
        self.titles.save(&layout::titles_dir(generation, c))?;
        Ok(())
    }

    pub fn len(&self) -> usize {
        recover_read(&self.meta).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Ids and last-change times of the documents the engine knows.
    pub fn versions(&self) -> HashMap<DocId, i64> {
        let meta = recover_read(&self.meta);
        meta.iter().map(|(id, m)| (*id, m.updated_at)).collect()
    }

    pub fn meta(&self, id: DocId) -> Option<DocMeta> {
        recover_read(&self.meta).get(&id).cloned()
    }

    /// Drops metadata of removed documents.
    pub fn forget(&self, ids: &[DocId]) {
        let mut meta = recover_write(&self.meta);
        for id in ids {
            meta.remove(id);
        }
        self.changed();
    }

    /// Records metadata without touching the indexes (used when loading a generation whose
    /// indexes already hold the documents).
    pub fn remember(&self, docs: impl IntoIterator<Item = (DocId, DocMeta)>) {
        recover_write(&self.meta).extend(docs);
        self.changed();
    }
}

/// A set of indexes for both collections in one generation directory, claimed by this
/// process while it is open (see [`GenerationLease`]).
pub struct Generation {
    pub dir: PathBuf,
    pub jobs: CollectionIndex,
    pub resumes: CollectionIndex,
    manifest: Mutex<Manifest>,
    lease: GenerationLease,
}

impl Generation {
    /// Opens (or creates) the indexes in `dir`. Text indexes whose files fail their
    /// checksums are [`SearchError::Corrupt`]; so is a panic while opening (damaged bytes
    /// the checksums did not catch), rather than taking the process down.
    pub fn open(dir: &Path, dim: usize, params: HnswParams) -> Result<Self, SearchError> {
        let lease = GenerationLease::acquire(dir)?;
        let open = || -> Result<Self, SearchError> {
            Ok(Self {
                dir: dir.to_owned(),
                jobs: CollectionIndex::open(dir, Collection::Jobs, dim, params)?,
                resumes: CollectionIndex::open(dir, Collection::Resumes, dim, params)?,
                manifest: Mutex::new(layout::read_manifest(dir)?),
                lease,
            })
        };
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(open)).unwrap_or_else(|_| {
            Err(SearchError::Corrupt {
                path: dir.to_owned(),
                reason: "opening the indexes panicked".to_owned(),
            })
        })
    }

    /// Checks the text indexes' files against their checksums (see [`TextIndex::verify`]).
    ///
    /// [`TextIndex::verify`]: super::TextIndex::verify
    pub fn verify(&self) -> Result<(), SearchError> {
        for c in Collection::ALL {
            self.collection(c).text.verify()?;
        }
        Ok(())
    }

    /// Closes the indexes (waiting for their merges and releasing their writers' locks)
    /// but keeps the claim on the directory. Blocking.
    pub fn close(self) -> GenerationLease {
        let Generation {
            jobs,
            resumes,
            lease,
            ..
        } = self;
        for index in [jobs, resumes] {
            let c = index.collection;
            if let Err(error) = index.text.close() {
                tracing::warn!(collection = c.as_str(), %error, "cannot finish the text index's merges; the next writer redoes them");
            }
        }
        lease
    }

    pub fn collection(&self, c: Collection) -> &CollectionIndex {
        match c {
            Collection::Jobs => &self.jobs,
            Collection::Resumes => &self.resumes,
        }
    }

    pub fn manifest(&self) -> Manifest {
        recover(&self.manifest).clone()
    }

    pub fn update_manifest(&self, f: impl FnOnce(&mut Manifest)) -> Result<(), SearchError> {
        let mut manifest = self
            .manifest
            .lock()
            .map_err(|_| SearchError::Poisoned("manifest"))?;
        f(&mut manifest);
        layout::write_manifest(&self.dir, &manifest)
    }

    /// Writes both vector indexes to disk and records when.
    pub fn save_vectors(&self) -> Result<(), SearchError> {
        let now = chrono::Utc::now().timestamp();
        for c in Collection::ALL {
            self.collection(c).save_vectors(&self.dir)?;
        }
        self.update_manifest(|m| {
            for c in Collection::ALL {
                m.collection_mut(c).vectors_saved_at = now;
            }
        })
    }
}

/// Hit and miss counts of the result cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ResultCacheStats {
    pub hits: u64,
    pub misses: u64,
    pub entries: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EngineSettings {
    pub hnsw: HnswParams,
    pub result_cache_capacity: u64,
}

/// Whether the live generation has caught up with the database since the engine opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IndexReadiness {
    /// Documents the index misses are being indexed (searches may miss them).
    CatchingUp,
    Ready,
}

impl IndexReadiness {
    pub fn as_str(self) -> &'static str {
        match self {
            IndexReadiness::CatchingUp => "catching_up",
            IndexReadiness::Ready => "ready",
        }
    }
}

/// The search engine shared by the server and the CLI.
pub struct SearchEngine {
    layout: IndexLayout,
    live: RwLock<Arc<Generation>>,
    embedder: Arc<Embedder>,
    skills: Option<Arc<SkillExtractor>>,
    settings: EngineSettings,
    results: moka::sync::Cache<(Collection, String), Arc<SearchResponse>>,
    cache_hits: AtomicU64,
    cache_misses: AtomicU64,
    /// `true` once the live generation caught up with the database.
    ready: tokio::sync::watch::Sender<bool>,
}

/// Opens the live generation. When there is none, or it is damaged (`CURRENT` names a
/// missing directory, a file fails its checksum, `meta.json` does not parse, ...), starts
/// an empty generation and makes it live: the catch-up fills it from the database, as it
/// refills a vector index it cannot load. The damaged one is left for
/// [`IndexLayout::remove_unused_generations`].
fn open_live(
    layout: &IndexLayout,
    dim: usize,
    params: HnswParams,
) -> Result<Generation, SearchError> {
    match layout.current() {
        Ok(Some(dir)) => match Generation::open(&dir, dim, params) {
            Ok(generation) => return Ok(generation),
            Err(error) if error.is_corruption() => {
                tracing::warn!(path = %dir.display(), %error, "index generation is damaged, starting a new one to refill from the database");
            }
            Err(error) => return Err(error),
        },
        Ok(None) => {}
        Err(error) if error.is_corruption() => {
            tracing::warn!(%error, "index pointer is damaged, starting a new generation to refill from the database");
        }
        Err(error) => return Err(error),
    }
    let lease = layout.new_generation()?;
    let generation = Generation::open(lease.dir(), dim, params)?;
    layout.make_current(lease.dir())?;
    Ok(generation)
}

impl SearchEngine {
    /// Opens the live generation under `layout` (healing a damaged one, see
    /// [`open_live`]) and removes generations nobody uses (half-built ones a killed
    /// `reindex` left). The engine starts [`IndexReadiness::CatchingUp`].
    pub fn open(
        layout: IndexLayout,
        embedder: Arc<Embedder>,
        skills: Option<Arc<SkillExtractor>>,
        settings: EngineSettings,
    ) -> Result<Self, SearchError> {
        std::fs::create_dir_all(layout.root()).map_err(|e| SearchError::io(layout.root(), e))?;
        let generation = open_live(&layout, embedder.dimension(), settings.hnsw)?;
        if let Err(error) = layout.remove_unused_generations() {
            tracing::warn!(%error, "cannot remove unused index generations");
        }
        Ok(Self {
            layout,
            live: RwLock::new(Arc::new(generation)),
            embedder,
            skills,
            settings,
            results: moka::sync::Cache::new(settings.result_cache_capacity),
            cache_hits: AtomicU64::new(0),
            cache_misses: AtomicU64::new(0),
            ready: tokio::sync::watch::Sender::new(false),
        })
    }

    pub fn layout(&self) -> &IndexLayout {
        &self.layout
    }

    pub fn readiness(&self) -> IndexReadiness {
        if *self.ready.borrow() {
            IndexReadiness::Ready
        } else {
            IndexReadiness::CatchingUp
        }
    }

    /// Records that the live generation caught up with the database.
    pub fn set_ready(&self) {
        if !self.ready.send_replace(true) {
            tracing::info!("index caught up, ready");
        }
    }

    /// Waits until the live generation has caught up with the database.
    pub async fn wait_ready(&self) {
        let mut ready = self.ready.subscribe();
        let _ = ready.wait_for(|r| *r).await;
    }

    pub fn embedder(&self) -> &Arc<Embedder> {
        &self.embedder
    }

    pub fn skills(&self) -> Option<&Arc<SkillExtractor>> {
        self.skills.as_ref()
    }

    pub fn settings(&self) -> EngineSettings {
        self.settings
    }

    /// The live generation. Hold the `Arc` for the length of one operation.
    pub fn generation(&self) -> Arc<Generation> {
        recover_read(&self.live).clone()
    }

    /// Serves `generation` from now on (after a rebuild).
    pub fn swap(&self, generation: Generation) {
        *recover_write(&self.live) = Arc::new(generation);
        self.results.invalidate_all();
    }

    /// Drops every cached result page (after writes that did not go through the engine).
    pub fn invalidate_results(&self) {
        self.results.invalidate_all();
    }

    pub fn cache_stats(&self) -> ResultCacheStats {
        ResultCacheStats {
            hits: self.cache_hits.load(Ordering::Relaxed),
            misses: self.cache_misses.load(Ordering::Relaxed),
            entries: self.results.entry_count(),
        }
    }

    pub fn query_cache_stats(&self) -> CacheStats {
        self.embedder.status().query_cache
    }

    /// Adds or replaces documents; each comes with its document vector when it has one.
    /// Visible to searches when this returns.
    pub fn upsert(
        &self,
        c: Collection,
        docs: &[(SearchDoc, Option<DocVectors>)],
    ) -> Result<(), SearchError> {
        self.apply(c, docs, &[])
    }

    /// Removes documents. Visible to searches when this returns.
    pub fn delete(&self, c: Collection, ids: &[DocId]) -> Result<(), SearchError> {
        self.apply(c, &[], ids)
    }

    /// Adds or replaces `docs` and removes `removed` with one text-index commit and one
    /// manifest write, however many there are. Visible to searches when this returns.
    pub fn apply(
        &self,
        c: Collection,
        docs: &[(SearchDoc, Option<DocVectors>)],
        removed: &[DocId],
    ) -> Result<(), SearchError> {
        if docs.is_empty() && removed.is_empty() {
            return Ok(());
        }
        let generation = self.generation();
        let index = generation.collection(c);
        let plain: Vec<SearchDoc> = docs.iter().map(|(d, _)| d.clone()).collect();
        if !plain.is_empty() {
            index.text.upsert(&plain)?;
        }
        if !removed.is_empty() {
            index.text.delete(removed)?;
        }
        index.text.commit()?;
        for (doc, vectors) in docs {
            match vectors {
                Some(v) => index.put_vectors(doc.id, v)?,
                None => index.remove_vectors(doc.id),
            }
        }
        for id in removed {
            index.remove_vectors(*id);
        }
        let last_change = docs
            .iter()
            .map(|(d, _)| d.meta.updated_at)
            .max()
            .unwrap_or(0);
        index.remember(docs.iter().map(|(d, _)| (d.id, d.meta.clone())));
        index.forget(removed);
        let documents = index.len();
        generation.update_manifest(|m| {
            let state = m.collection_mut(c);
            state.documents = documents;
            state.last_change = state.last_change.max(last_change);
        })?;
        self.results.invalidate_all();
        Ok(())
    }

    /// Runs a search: lexical and vector lists, fused, filtered, faceted and paged.
    pub fn search(
        &self,
        c: Collection,
        request: &SearchRequest,
    ) -> Result<SearchResponse, SearchError> {
        self.search_hiding(c, request, &HashSet::new())
    }

    /// [`Self::search`] without the documents of `hidden` (those the caller may not see):
    /// they are in no list, count and facet.
    pub fn search_hiding(
        &self,
        c: Collection,
        request: &SearchRequest,
        hidden: &HashSet<DocId>,
    ) -> Result<SearchResponse, SearchError> {
        request.validate()?;
        let started = Instant::now();
        let mut hidden_key: Vec<DocId> = hidden.iter().copied().collect();
        hidden_key.sort_unstable();
        let key = (
            c,
            format!(
                "{}|{hidden_key:?}",
                serde_json::to_string(request).expect("a request serialises")
            ),
        );
        if let Some(hit) = self.results.get(&key) {
            self.cache_hits.fetch_add(1, Ordering::Relaxed);
            let mut response = (*hit).clone();
            response.cached = true;
            response.took_ms = elapsed_ms(started);
            return Ok(response);
        }
        self.cache_misses.fetch_add(1, Ordering::Relaxed);
        let generation = self.generation();
        let index = generation.collection(c);
        let now = chrono::Utc::now().timestamp();
        let mut response = if request.query.trim().is_empty() {
            self.browse(index, request, hidden, now)?
        } else {
            self.query(index, request, hidden, now)?
        };
        response.took_ms = elapsed_ms(started);
        self.results.insert(key, Arc::new(response.clone()));
        Ok(response)
    }

    /// A query without text: every document that passes the filters, newest first.
    fn browse(
        &self,
        index: &CollectionIndex,
        request: &SearchRequest,
        hidden: &HashSet<DocId>,
        now: i64,
    ) -> Result<SearchResponse, SearchError> {
        let meta = index
            .meta
            .read()
            .map_err(|_| SearchError::Poisoned("document metadata"))?;
        let mut matching: Vec<(DocId, &DocMeta)> = meta
            .iter()
            .filter(|(id, m)| !hidden.contains(id) && request.filters.matches(m, now))
            .map(|(id, m)| (*id, m))
            .collect();
        matching.sort_by(|a, b| b.1.posted_at.cmp(&a.1.posted_at).then(a.0.cmp(&b.0)));
        let facets = count_facets(&request.facets, matching.iter().map(|(_, m)| *m));
        let hits = matching
            .iter()
            .skip(request.offset)
            .take(request.limit)
            .map(|(id, _)| SearchHit {
                id: *id,
                score: 0.0,
                lexical: None,
                vector: None,
                highlights: None,
            })
            .collect();
        Ok(SearchResponse {
            total: matching.len(),
            offset: request.offset,
            limit: request.limit,
            hits,
            facets,
            took_ms: 0.0,
            cached: false,
        })
    }

    fn query(
        &self,
        index: &CollectionIndex,
        request: &SearchRequest,
        hidden: &HashSet<DocId>,
        now: i64,
    ) -> Result<SearchResponse, SearchError> {
        let depth = request
            .offset
            .saturating_add(request.limit)
            .max(MIN_LIST_DEPTH);
        let text_query = TextQuery {
            text: request.query.clone(),
            skill_uris: self.query_skills(&request.query),
            fuzzy: request.fuzzy,
        };
        let lexical: Vec<(DocId, f32)> = if request.fusion.uses_lexical() {
            index
                .text
                .search(&text_query, &request.filters, now, depth + hidden.len())?
                .into_iter()
                .filter(|h| !hidden.contains(&h.id))
                .map(|h| (h.id, h.score))
                .collect()
        } else {
            Vec::new()
        };
        let query_vector = if request.fusion.uses_vector() {
            Some(self.embedder.embed_query(&request.query)?)
        } else {
            None
        };
        let meta = index
            .meta
            .read()
            .map_err(|_| SearchError::Poisoned("document metadata"))?;
        let vector: Vec<(DocId, f32)> = match &query_vector {
            Some(q) => {
                // One pass over the metadata, then a bit per visited document.
                let hits = match Allowed::filtered(meta.iter(), &request.filters, now) {
                    None if hidden.is_empty() => index.vectors.search(q, depth, None)?,
                    None => {
                        let keep = |id: DocId| !hidden.contains(&id);
                        index.vectors.search(q, depth, Some(&keep))?
                    }
                    Some(allowed) if allowed.is_empty() => Vec::new(),
                    Some(allowed) => {
                        let keep = |id: DocId| allowed.contains(id) && !hidden.contains(&id);
                        index.vectors.search(q, depth, Some(&keep))?
                    }
                };
                hits.into_iter().map(|h| (h.id, h.similarity)).collect()
            }
            None => Vec::new(),
        };
        let similarity_of = |id: DocId| {
            let q = query_vector.as_ref()?;
            let v = index.vectors.vector(id)?;
            Some(super::embedder::cosine(q, &v))
        };
        let fused = fuse(&request.fusion, &lexical, &vector, &similarity_of);
        let facets = count_facets(
            &request.facets,
            fused.iter().filter_map(|h| meta.get(&h.id)),
        );
        drop(meta);
        let page: Vec<_> = fused
            .iter()
            .skip(request.offset)
            .take(request.limit)
            .cloned()
            .collect();
        let mut highlights = if request.highlight && !page.is_empty() {
            let ids: Vec<DocId> = page.iter().map(|h| h.id).collect();
            index.text.highlights(&text_query, &ids)?
        } else {
            HashMap::new()
        };
        let hits = page
            .into_iter()
            .map(|h| SearchHit {
                id: h.id,
                score: h.score,
                lexical: h.lexical,
                vector: h.vector,
                highlights: highlights.remove(&h.id),
            })
            .collect();
        Ok(SearchResponse {
            total: fused.len(),
            offset: request.offset,
            limit: request.limit,
            hits,
            facets,
            took_ms: 0.0,
            cached: false,
        })
    }

    /// ESCO URIs of the skills named in a query ("k8s" and "Kubernetes" name the same one).
    fn query_skills(&self, query: &str) -> Vec<String> {
        let Some(skills) = &self.skills else {
            return Vec::new();
        };
        let mut uris: Vec<String> = skills.extract(query).into_iter().map(|s| s.uri).collect();
        uris.sort();
        uris.dedup();
        uris
    }

    /// Whether a filter would keep this document (for callers that rank documents
    /// themselves, such as matching).
    pub fn passes(&self, c: Collection, id: DocId, filters: &SearchFilters) -> bool {
        let now = chrono::Utc::now().timestamp();
        self.generation()
            .collection(c)
            .meta(id)
            .is_some_and(|m| filters.matches(&m, now))
    }
}

fn elapsed_ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1e3
}

/// A document used as a query ("more like this"): its vectors and a text query made of
/// its titles and skills.
#[derive(Debug, Clone)]
pub struct DocQuery {
    pub vectors: DocVectors,
    pub text: TextQuery,
    /// Left out of the results (the query document itself).
    pub exclude: std::collections::HashSet<DocId>,
}

impl DocQuery {
    /// The query for a document: its titles as text, its skills as skill clauses.
    pub fn from_doc(doc: &SearchDoc, vectors: DocVectors) -> Self {
        let mut text = doc.title.clone();
        for title in doc.other_titles.iter().take(5) {
            text.push(' ');
            text.push_str(title);
        }
        Self {
            vectors,
            text: TextQuery {
                text,
                skill_uris: doc.meta.skill_uris.clone(),
                fuzzy: false,
            },
            exclude: [doc.id].into(),
        }
    }
}

/// How "more like this" weighs its three similarities. Components a pair lacks (a
/// document without a title) are left out and the rest re-weighted.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimilarityWeights {
    /// Cosine similarity of the content vectors.
    pub content: f32,
    /// Cosine similarity of the title vectors.
    pub title: f32,
    /// BM25 of the titles-and-skills query, divided by the best BM25 of the query.
    pub lexical: f32,
    /// Neighbour feedback: the query vectors are moved towards the mean of the best
    /// `feedback_docs` first-pass results by `feedback_weight` (0 = off), and candidates
    /// are gathered and scored again with them (Rocchio's pseudo-relevance feedback).
    pub feedback_docs: usize,
    pub feedback_weight: f32,
    /// Category affinity: how likely the candidate is to share the query's category,
    /// learnt from the categorised documents of the collection (see
    /// [`super::categories`]); added to the weighted mean of the components as
    /// `(mean + w·affinity) / (1 + w)`. No effect where no document carries a category.
    pub category: f32,
}

impl SimilarityWeights {
    /// The three component weights, feedback and categories off.
    pub const fn components(content: f32, title: f32, lexical: f32) -> Self {
        Self {
            content,
            title,
            lexical,
            feedback_docs: 0,
            feedback_weight: 0.0,
            category: 0.0,
        }
    }

    fn feedback(&self) -> bool {
        self.feedback_docs > 0 && self.feedback_weight > 0.0
    }
}

impl Default for SimilarityWeights {
    /// Chosen with `intellicv-lab eval similar` (see docs/evaluation.md).
    fn default() -> Self {
        Self {
            content: 0.4,
            title: 0.4,
            lexical: 0.2,
            feedback_docs: 0,
            feedback_weight: 0.0,
            category: 1.0,
        }
    }
}

/// One "more like this" result with its component similarities.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimilarHit {
    pub id: DocId,
    /// Weighted mean of the components, in [0, 1].
    pub score: f32,
    pub content: f32,
    pub title: Option<f32>,
    pub lexical: f32,
    /// Category affinity (see [`SimilarityWeights::category`]), when it counted.
    pub category: Option<f32>,
}

impl SearchEngine {
    /// The three similarities of one document of `c` to `query` (for explaining one pair);
    /// `None` when the document is not indexed. Lexical relevance is the document's BM25
    /// over the best BM25 of the query, 0 when it ranks below the first 1,000.
    pub fn pair_similarity(
        &self,
        c: Collection,
        query: &DocQuery,
        id: DocId,
    ) -> Result<Option<SimilarHit>, SearchError> {
        let generation = self.generation();
        let index = generation.collection(c);
        let Some(content) = index.vectors.vector(id) else {
            return Ok(None);
        };
        let content = super::embedder::cosine(&query.vectors.content, &content);
        let title = match &query.vectors.title {
            Some(q) => index
                .titles
                .vector(id)
                .map(|v| super::embedder::cosine(q, &v)),
            None => None,
        };
        let lexical = if query.text.text.trim().is_empty() {
            0.0
        } else {
            let now = chrono::Utc::now().timestamp();
            let hits = index
                .text
                .search(&query.text, &SearchFilters::default(), now, 1_000)?;
            let best = hits.iter().map(|h| h.score).fold(0.0_f32, f32::max);
            hits.iter()
                .find(|h| h.id == id)
                .map_or(0.0, |h| if best > 0.0 { h.score / best } else { 0.0 })
        };
        Ok(Some(SimilarHit {
            id,
            score: 0.0,
            content,
            title,
            lexical,
            category: None,
        }))
    }

    /// Documents of collection `c` most like `query`: candidates from the content-vector,
    /// title-vector and lexical lists (each `depth` deep), each scored exactly on all
    /// three similarities; with neighbour feedback, a second round with the expanded
    /// query vectors (see [`SimilarityWeights::feedback_docs`]). The components reported
    /// are always the similarities to the query itself.
    pub fn similar(
        &self,
        c: Collection,
        query: &DocQuery,
        filters: &SearchFilters,
        weights: &SimilarityWeights,
        limit: usize,
        depth: usize,
    ) -> Result<Vec<SimilarHit>, SearchError> {
        let generation = self.generation();
        let index = generation.collection(c);
        let now = chrono::Utc::now().timestamp();
        // Before the metadata lock: building the profiles reads the metadata too.
        let profiles = (weights.category > 0.0)
            .then(|| index.category_profiles())
            .filter(|p| !p.is_empty());
        let meta = index
            .meta
            .read()
            .map_err(|_| SearchError::Poisoned("document metadata"))?;
        let kept = Allowed::filtered(meta.iter(), filters, now);
        let allowed = |id: DocId| {
            !query.exclude.contains(&id)
                && match &kept {
                    Some(kept) => kept.contains(id),
                    None => meta.contains_key(&id),
                }
        };
        let mut candidates = vector_candidates(index, &query.vectors, weights, depth, &allowed)?;
        let mut lexical: HashMap<DocId, f32> = HashMap::new();
        if weights.lexical > 0.0 && !query.text.text.trim().is_empty() {
            let hits = index
                .text
                .search(&query.text, filters, now, depth + query.exclude.len())?;
            let best = hits.iter().map(|h| h.score).fold(0.0_f32, f32::max);
            for h in hits.into_iter().filter(|h| allowed(h.id)) {
                candidates.push(h.id);
                lexical.insert(h.id, if best > 0.0 { h.score / best } else { 0.0 });
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut hits = score_similar(index, &query.vectors, &candidates, &lexical, weights);
        if weights.feedback() && !hits.is_empty() {
            let top: Vec<DocId> = hits
                .iter()
                .take(weights.feedback_docs)
                .map(|h| h.id)
                .collect();
            let expanded = expand_query(index, &query.vectors, &top, weights.feedback_weight);
            candidates.extend(vector_candidates(
                index, &expanded, weights, depth, &allowed,
            )?);
            candidates.sort_unstable();
            candidates.dedup();
            let rescored = score_similar(index, &expanded, &candidates, &lexical, weights);
            let direct: HashMap<DocId, SimilarHit> =
                score_similar(index, &query.vectors, &candidates, &lexical, weights)
                    .into_iter()
                    .map(|h| (h.id, h))
                    .collect();
            hits = rescored
                .into_iter()
                .filter_map(|h| {
                    let own = direct.get(&h.id)?;
                    Some(SimilarHit {
                        score: h.score,
                        ..own.clone()
                    })
                })
                .collect();
        }
        if let Some(profiles) = profiles {
            add_category_affinity(index, &meta, &profiles, &query.vectors, weights, &mut hits);
        }
        drop(meta);
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        hits.truncate(limit);
        Ok(hits)
    }
}

/// Mixes each hit's category affinity into its score: the query's category posterior
/// against the hit's category (its posterior when it has none).
fn add_category_affinity(
    index: &CollectionIndex,
    meta: &HashMap<DocId, DocMeta>,
    profiles: &CategoryProfiles,
    query: &DocVectors,
    weights: &SimilarityWeights,
    hits: &mut [SimilarHit],
) {
    let posterior = profiles.posterior(&query.content, query.title.as_deref());
    for hit in hits {
        let category = meta.get(&hit.id).and_then(|m| m.category.as_deref());
        let known = category.is_some_and(|c| profiles.knows(c));
        let own = if known {
            Vec::new()
        } else {
            match index.vectors.vector(hit.id) {
                Some(content) => {
                    profiles.posterior(&content, index.titles.vector(hit.id).as_deref())
                }
                None => Vec::new(),
            }
        };
        let affinity = profiles.affinity(&posterior, category, &own);
        hit.category = Some(affinity);
        hit.score =
            ((hit.score + weights.category * affinity) / (1.0 + weights.category)).clamp(0.0, 1.0);
    }
}

/// Candidates from the content and title vector indexes (those with a weight).
fn vector_candidates(
    index: &CollectionIndex,
    vectors: &DocVectors,
    weights: &SimilarityWeights,
    depth: usize,
    allowed: &(dyn Fn(DocId) -> bool + Sync),
) -> Result<Vec<DocId>, SearchError> {
    let mut candidates = Vec::new();
    if weights.content > 0.0 {
        let hits = index
            .vectors
            .search(&vectors.content, depth, Some(allowed))?;
        candidates.extend(hits.iter().map(|h| h.id));
    }
    if let (Some(title), true) = (&vectors.title, weights.title > 0.0) {
        let hits = index.titles.search(title, depth, Some(allowed))?;
        candidates.extend(hits.iter().map(|h| h.id));
    }
    Ok(candidates)
}

/// Scores candidates on the three similarities to `vectors` (and the lexical scores),
/// best first.
fn score_similar(
    index: &CollectionIndex,
    vectors: &DocVectors,
    candidates: &[DocId],
    lexical: &HashMap<DocId, f32>,
    weights: &SimilarityWeights,
) -> Vec<SimilarHit> {
    let mut hits: Vec<SimilarHit> = candidates
        .iter()
        .filter_map(|&id| {
            let content = index
                .vectors
                .vector(id)
                .map(|v| super::embedder::cosine(&vectors.content, &v))?;
            let title = match &vectors.title {
                Some(q) => index
                    .titles
                    .vector(id)
                    .map(|v| super::embedder::cosine(q, &v)),
                None => None,
            };
            let lexical = lexical.get(&id).copied().unwrap_or(0.0);
            let mut total = weights.content * content.max(0.0) + weights.lexical * lexical;
            let mut weight = weights.content + weights.lexical;
            if let Some(t) = title {
                total += weights.title * t.max(0.0);
                weight += weights.title;
            }
            let score = if weight > 0.0 {
                (total / weight).clamp(0.0, 1.0)
            } else {
                0.0
            };
            Some(SimilarHit {
                id,
                score,
                content,
                title,
                lexical,
                category: None,
            })
        })
        .collect();
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
    hits
}

/// `(1 - w)·q + w·mean(neighbours)`, per vector kind, normalised.
fn expand_query(
    index: &CollectionIndex,
    vectors: &DocVectors,
    neighbours: &[DocId],
    weight: f32,
) -> DocVectors {
    let expand = |query: &[f32], found: Vec<Vec<f32>>| -> Vec<f32> {
        if found.is_empty() {
            return query.to_vec();
        }
        let n = found.len() as f32;
        let mut out: Vec<f32> = query.iter().map(|x| x * (1.0 - weight)).collect();
        for v in &found {
            for (o, x) in out.iter_mut().zip(v) {
                *o += weight * x / n;
            }
        }
        let norm = out.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            out.iter_mut().for_each(|x| *x /= norm);
        }
        out
    };
    let content = expand(
        &vectors.content,
        neighbours
            .iter()
            .filter_map(|&id| index.vectors.vector(id))
            .collect(),
    );
    let title = vectors.title.as_ref().map(|t| {
        expand(
            t,
            neighbours
                .iter()
                .filter_map(|&id| index.titles.vector(id))
                .collect(),
        )
    });
    DocVectors { content, title }
}

// Readers that cannot fail recover a poisoned lock instead of panicking in turn: every
// write under these locks replaces a whole value (a generation, a manifest, cached
// profiles) or inserts and removes whole entries (document metadata), so a panic elsewhere
// cannot leave torn data behind. Calls that return a `Result` answer
// `SearchError::Poisoned` instead.
fn recover<T>(lock: &Mutex<T>) -> MutexGuard<'_, T> {
    lock.lock().unwrap_or_else(PoisonError::into_inner)
}

fn recover_read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

fn recover_write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}
