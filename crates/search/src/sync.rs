//! Keeping the indexes in step with the database: indexing documents as they are written,
//! catching up at start (or after a rebuild) with what changed while the indexes were not
//! looking, and rebuilding everything into a new generation.

use intellicv_core::spawn_blocking_with_span;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde::Serialize;

use super::docs::{self, JOB_EMBED_TOKENS};
use super::embedder::Embedder;
use super::engine::{DocVectors, EngineSettings, Generation, SearchEngine};
use super::layout::{GenerationLease, IndexLayout};
use super::vectorize::{EmbedInput, embed_documents};
use super::{Collection, DocId, SearchDoc, SearchError};
use intellicv_store::{ParseStatus, ResumeRecord, Store, StoreError, StoredEmbedding};

/// Documents loaded, embedded and indexed per step.
const BATCH: usize = 256;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error("indexing task failed: {0}")]
    Task(String),
}

impl intellicv_core::ServiceError for SyncError {
    fn kind(&self) -> intellicv_core::ErrorKind {
        match self {
            SyncError::Store(e) => e.kind(),
            SyncError::Search(e) => e.kind(),
            SyncError::Task(_) => intellicv_core::ErrorKind::Internal,
        }
    }
}

impl SyncError {
    /// Whether the index files are damaged (see [`SearchError::is_corruption`]).
    pub fn is_corruption(&self) -> bool {
        matches!(self, SyncError::Search(e) if e.is_corruption())
    }

    /// Whether the database's or the indexes' disk is full.
    pub fn is_storage_full(&self) -> bool {
        match self {
            SyncError::Store(e) => e.is_storage_full(),
            SyncError::Search(e) => e.is_storage_full(),
            SyncError::Task(_) => false,
        }
    }
}

impl From<tokio::task::JoinError> for SyncError {
    fn from(e: tokio::task::JoinError) -> Self {
        SyncError::Task(e.to_string())
    }
}

/// What a catch-up or rebuild did to one collection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub documents: usize,
    pub text_indexed: usize,
    pub vectors_indexed: usize,
    pub embedded: usize,
    pub embeddings_reused: usize,
    pub removed: usize,
}

/// A document ready for the indexes, with what is embedded of it.
#[derive(Clone)]
struct Prepared {
    doc: SearchDoc,
    embed: EmbedInput,
}

/// Loads rows and turns them into documents.
async fn prepare(store: &Store, c: Collection, ids: &[DocId]) -> Result<Vec<Prepared>, SyncError> {
    let mut out = Vec::with_capacity(ids.len());
    match c {
        Collection::Jobs => {
            let jobs = store.jobs_by_ids(ids).await?;
            let skills = store.job_skills_for(ids).await?;
            let mut by_job: HashMap<i64, Vec<intellicv_store::JobSkillRecord>> = HashMap::new();
            for s in skills {
                by_job.entry(s.job_id).or_default().push(s);
            }
            for job in jobs {
                let sections = docs::job_embedding_sections(&job);
                let doc = docs::job_doc(&job, by_job.get(&job.id).map_or(&[], Vec::as_slice));
                out.push(Prepared {
                    embed: EmbedInput {
                        doc_id: job.id,
                        text_hash: docs::sections_hash(&job.title, &sections),
                        title: Some(job.title.clone()),
                        sections,
                        chunk_tokens: Some(JOB_EMBED_TOKENS),
                        max_chunks: Some(1),
                    },
                    doc,
                });
            }
        }
        Collection::Resumes => {
            let resumes = store.resumes_by_ids(ids).await?;
            out.extend(resumes.iter().filter_map(prepare_resume));
        }
    }
    Ok(out)
}

/// A resume row as a document to index; `None` when it has no parsed profile.
fn prepare_resume(resume: &ResumeRecord) -> Option<Prepared> {
    let (doc, profile) = (docs::resume_doc(resume)?, resume.profile.as_ref()?);
    let text = resume.extracted_text.as_deref().unwrap_or_default();
    let sections = docs::resume_embedding_sections(&profile.0, text);
    Some(Prepared {
        embed: EmbedInput {
            doc_id: resume.id,
            text_hash: docs::sections_hash(&doc.title, &sections),
            title: Some(doc.title.clone()),
            sections,
            chunk_tokens: None,
            max_chunks: None,
        },
        doc,
    })
}

/// Document vectors for prepared documents: stored ones when model and text still match,
/// otherwise embedded now (off the async runtime) and stored.
async fn vectors_for(
    store: &Store,
    embedder: &Arc<Embedder>,
    c: Collection,
    prepared: &[Prepared],
    reembed: bool,
    report: &mut SyncReport,
) -> Result<HashMap<DocId, DocVectors>, SyncError> {
    let ids: Vec<DocId> = prepared.iter().map(|p| p.doc.id).collect();
    let model = embedder.status().model_version;
    let mut vectors = HashMap::new();
    if !reembed {
        let wanted: HashMap<DocId, &str> = prepared
            .iter()
            .map(|p| (p.doc.id, p.embed.text_hash.as_str()))
            .collect();
        for stored in store.embeddings(c.as_str(), &ids).await? {
            let fresh = stored.model_sha256 == model
                && wanted.get(&stored.doc_id) == Some(&stored.text_hash.as_str());
            if fresh {
                vectors.insert(stored.doc_id, doc_vectors(stored));
            }
        }
    }
    report.embeddings_reused += vectors.len();
    let missing: Vec<EmbedInput> = prepared
        .iter()
        .filter(|p| !vectors.contains_key(&p.doc.id))
        .map(|p| p.embed.clone())
        .collect();
    if !missing.is_empty() {
        let embedder = embedder.clone();
        let embedded: Vec<StoredEmbedding> =
            spawn_blocking_with_span(move || embed_documents(&embedder, &missing))
                .await?
                .map_err(SearchError::from)?;
        store.put_embeddings(c.as_str(), &embedded).await?;
        report.embedded += embedded.len();
        for e in embedded {
            vectors.insert(e.doc_id, doc_vectors(e));
        }
    }
    Ok(vectors)
}

fn doc_vectors(e: StoredEmbedding) -> DocVectors {
    DocVectors {
        content: e.vector,
        title: e.title_vector,
    }
}

/// Indexes (or re-indexes) these documents in the live generation; ids that are no longer
/// searchable (deleted, closed, failed to parse) are removed. Only the given ids are looked
/// up, and all of them go into the index with one commit, so indexing N documents in
/// chunks costs O(N). Visible when this returns.
pub async fn index_documents(
    store: &Store,
    engine: &Arc<SearchEngine>,
    c: Collection,
    ids: &[DocId],
) -> Result<SyncReport, SyncError> {
    let searchable: HashSet<DocId> = store
        .searchable_among(c.as_str(), ids)
        .await?
        .into_iter()
        .collect();
    let (keep, gone): (Vec<DocId>, Vec<DocId>) = ids.iter().partition(|id| searchable.contains(id));
    let mut prepared = Vec::with_capacity(keep.len());
    for batch in keep.chunks(BATCH) {
        prepared.extend(prepare(store, c, batch).await?);
    }
    index_prepared(store, engine, c, prepared, gone).await
}

/// [`index_documents`] for resume rows the caller has just written or read: they are not
/// read again. Rows without a parsed profile are removed from the index.
pub async fn index_resume_records(
    store: &Store,
    engine: &Arc<SearchEngine>,
    resumes: &[ResumeRecord],
) -> Result<SyncReport, SyncError> {
    let mut prepared = Vec::with_capacity(resumes.len());
    let mut gone = Vec::new();
    for resume in resumes {
        match (resume.parse_status == ParseStatus::Parsed)
            .then(|| prepare_resume(resume))
            .flatten()
        {
            Some(p) => prepared.push(p),
            None => gone.push(resume.id),
        }
    }
    index_prepared(store, engine, Collection::Resumes, prepared, gone).await
}

/// Embeds what has no current stored vector, then writes `prepared` and removes `gone`
/// with one commit (off the async runtime).
async fn index_prepared(
    store: &Store,
    engine: &Arc<SearchEngine>,
    c: Collection,
    prepared: Vec<Prepared>,
    gone: Vec<DocId>,
) -> Result<SyncReport, SyncError> {
    let mut report = SyncReport::default();
    let mut docs: Vec<(SearchDoc, Option<DocVectors>)> = Vec::with_capacity(prepared.len());
    for batch in prepared.chunks(BATCH) {
        let vectors = vectors_for(store, engine.embedder(), c, batch, false, &mut report).await?;
        docs.extend(batch.iter().map(|p| {
            let v = vectors.get(&p.doc.id).cloned();
            (p.doc.clone(), v)
        }));
    }
    report.text_indexed = docs.len();
    report.vectors_indexed = docs.iter().filter(|(_, v)| v.is_some()).count();
    report.removed = gone.len();
    if !docs.is_empty() || !gone.is_empty() {
        let (engine2, gone2) = (engine.clone(), gone.clone());
        intellicv_core::spawn_blocking_with_span(move || engine2.apply(c, &docs, &gone2)).await??;
    }
    if !gone.is_empty() {
        store.delete_embeddings(c.as_str(), &gone).await?;
    }
    report.documents = engine.generation().collection(c).len();
    Ok(report)
}

/// Brings a generation in step with the database: documents missing from it or changed
/// since it last caught up are (re)indexed, documents no longer searchable are removed,
/// and the filter metadata of every document is loaded. Run at start, after a swap and
/// periodically (for writes by other processes); cheap when nothing changed.
pub async fn catch_up(
    store: &Store,
    engine: &Arc<SearchEngine>,
    generation: &Arc<Generation>,
    c: Collection,
) -> Result<SyncReport, SyncError> {
    let mut report = SyncReport::default();
    let versions = store.searchable_versions(c.as_str()).await?;
    let index = generation.collection(c);
    let state = generation.manifest().collection(c).clone();
    let known = index.versions();
    let in_text: HashSet<DocId> = {
        let g = generation.clone();
        spawn_blocking_with_span(move || g.collection(c).text.doc_ids())
            .await??
            .into_iter()
            .collect()
    };
    let in_db: HashSet<DocId> = versions.iter().map(|v| v.id).collect();
    let stale: Vec<DocId> = in_text
        .iter()
        .chain(index.vectors.ids().iter())
        .chain(known.keys())
        .filter(|id| !in_db.contains(id))
        .copied()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    // Per document: (needs the text index, needs a vector); documents the engine already
    // knows at this version need nothing.
    let mut work: HashMap<DocId, (bool, bool)> = HashMap::new();
    for v in &versions {
        let at = v.updated_at.timestamp();
        match known.get(&v.id) {
            Some(&seen) if seen == at => {}
            Some(_) => {
                work.insert(v.id, (true, true));
            }
            None => {
                let text = !in_text.contains(&v.id) || at >= state.last_change;
                let vector = !index.vectors.contains(v.id) || at >= state.vectors_saved_at;
                work.insert(v.id, (text, vector));
            }
        }
    }
    let mut ids: Vec<DocId> = work.keys().copied().collect();
    ids.sort_unstable();
    for batch in ids.chunks(BATCH) {
        let prepared = prepare(store, c, batch).await?;
        let wants_vector: Vec<Prepared> = prepared
            .iter()
            .filter(|p| work.get(&p.doc.id).is_some_and(|w| w.1))
            .cloned()
            .collect();
        let vectors = vectors_for(
            store,
            engine.embedder(),
            c,
            &wants_vector,
            false,
            &mut report,
        )
        .await?;
        let text_docs: Vec<SearchDoc> = prepared
            .iter()
            .filter(|p| work.get(&p.doc.id).is_some_and(|w| w.0))
            .map(|p| p.doc.clone())
            .collect();
        report.text_indexed += text_docs.len();
        report.vectors_indexed += vectors.len();
        let metas: Vec<(DocId, super::DocMeta)> = prepared
            .into_iter()
            .map(|p| (p.doc.id, p.doc.meta))
            .collect();
        let g = generation.clone();
        spawn_blocking_with_span(move || -> Result<(), SearchError> {
            let index = g.collection(c);
            if !text_docs.is_empty() {
                index.text.upsert(&text_docs)?;
                index.text.commit()?;
            }
            for (id, v) in vectors {
                index.put_vectors(id, &v)?;
            }
            index.remember(metas);
            Ok(())
        })
        .await??;
    }
    report.removed = stale.len();
    if !stale.is_empty() {
        let g = generation.clone();
        spawn_blocking_with_span(move || -> Result<(), SearchError> {
            let index = g.collection(c);
            index.text.delete(&stale)?;
            index.text.commit()?;
            for id in &stale {
                index.remove_vectors(*id);
            }
            index.forget(&stale);
            Ok(())
        })
        .await??;
    }
    report.documents = index.len();
    if !work.is_empty() || report.removed > 0 {
        let last_change = versions
            .iter()
            .map(|v| v.updated_at.timestamp())
            .max()
            .unwrap_or(0);
        let documents = report.documents;
        generation.update_manifest(|m| {
            let state = m.collection_mut(c);
            state.documents = documents;
            state.last_change = state.last_change.max(last_change);
        })?;
        engine.invalidate_results();
    }
    if report.vectors_indexed > 0 || report.removed > 0 {
        let g = generation.clone();
        spawn_blocking_with_span(move || g.save_vectors()).await??;
    }
    Ok(report)
}

/// Catches up both collections of the live generation.
pub async fn catch_up_all(
    store: &Store,
    engine: &Arc<SearchEngine>,
) -> Result<Vec<(Collection, SyncReport)>, SyncError> {
    let generation = engine.generation();
    let mut reports = Vec::new();
    for c in Collection::ALL {
        let report = catch_up(store, engine, &generation, c).await?;
        if report.text_indexed + report.vectors_indexed + report.removed == 0 {
            reports.push((c, report));
            continue;
        }
        tracing::info!(
            collection = c.as_str(),
            documents = report.documents,
            text_indexed = report.text_indexed,
            vectors_indexed = report.vectors_indexed,
            embedded = report.embedded,
            removed = report.removed,
            "index caught up with the database"
        );
        reports.push((c, report));
    }
    Ok(reports)
}

/// What a rebuild did.
#[derive(Debug, Clone, Serialize)]
pub struct RebuildReport {
    pub generation: String,
    pub collections: Vec<(Collection, SyncReport)>,
    pub seconds: f64,
}

/// Builds both collections from the database into a new generation directory, not yet
/// live; the caller holds the returned lease until it is. Stored embeddings are reused
/// unless `reembed`. `progress` is told how many documents of how many are done.
async fn build_generation(
    store: &Store,
    layout: &IndexLayout,
    embedder: &Arc<Embedder>,
    settings: EngineSettings,
    reembed: bool,
    progress: &(dyn Fn(Collection, usize, usize) + Sync),
) -> Result<(GenerationLease, Generation, Vec<(Collection, SyncReport)>), SyncError> {
    let lease = layout.new_generation()?;
    tracing::info!(generation = %lease.dir().display(), "building a new index generation");
    let (dim, params) = (embedder.dimension(), settings.hnsw);
    let dir = lease.dir().to_owned();
    let generation =
        Arc::new(spawn_blocking_with_span(move || Generation::open(&dir, dim, params)).await??);
    let mut collections = Vec::new();
    for c in Collection::ALL {
        let mut report = SyncReport::default();
        let versions = store.searchable_versions(c.as_str()).await?;
        let ids: Vec<DocId> = versions.iter().map(|v| v.id).collect();
        progress(c, 0, ids.len());
        for batch in ids.chunks(BATCH) {
            let prepared = prepare(store, c, batch).await?;
            let vectors = vectors_for(store, embedder, c, &prepared, reembed, &mut report).await?;
            report.documents += prepared.len();
            report.text_indexed += prepared.len();
            report.vectors_indexed += vectors.len();
            let g = generation.clone();
            spawn_blocking_with_span(move || -> Result<(), SearchError> {
                let index = g.collection(c);
                let docs: Vec<SearchDoc> = prepared.iter().map(|p| p.doc.clone()).collect();
                index.text.upsert(&docs)?;
                for (id, v) in vectors {
                    index.put_vectors(id, &v)?;
                }
                index.remember(prepared.into_iter().map(|p| (p.doc.id, p.doc.meta)));
                Ok(())
            })
            .await??;
            progress(c, report.documents, ids.len());
        }
        let g = generation.clone();
        spawn_blocking_with_span(move || g.collection(c).text.commit()).await??;
        let last_change = versions
            .iter()
            .map(|v| v.updated_at.timestamp())
            .max()
            .unwrap_or(0);
        let documents = generation.collection(c).len();
        generation.update_manifest(|m| {
            let state = m.collection_mut(c);
            state.documents = documents;
            state.last_change = last_change;
        })?;
        collections.push((c, report));
    }
    let model = embedder.status().model_version;
    generation.update_manifest(|m| m.model_sha256 = model)?;
    let g = generation.clone();
    spawn_blocking_with_span(move || g.save_vectors()).await??;
    let generation = Arc::try_unwrap(generation)
        .map_err(|_| SyncError::Task("the new generation is still borrowed".to_owned()))?;
    Ok((lease, generation, collections))
}

fn generation_name(dir: &std::path::Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn remove_unused(layout: &IndexLayout) {
    if let Err(error) = layout.remove_unused_generations() {
        tracing::warn!(%error, "cannot remove unused index generations");
    }
}

/// Rebuilds both collections from the database into a new generation, then makes it the
/// live one (atomically) and serves it. Stored embeddings are reused unless `reembed`.
/// `progress` is told how many documents of how many are done.
pub async fn rebuild(
    store: &Store,
    engine: &Arc<SearchEngine>,
    reembed: bool,
    progress: &(dyn Fn(Collection, usize, usize) + Sync),
) -> Result<RebuildReport, SyncError> {
    let started = std::time::Instant::now();
    let layout = engine.layout().clone();
    let (lease, generation, collections) = build_generation(
        store,
        &layout,
        engine.embedder(),
        engine.settings(),
        reembed,
        progress,
    )
    .await?;
    layout.make_current(lease.dir())?;
    engine.swap(generation);
    drop(lease);
    // Writes that reached the old generation during the rebuild.
    let live = engine.generation();
    for c in Collection::ALL {
        catch_up(store, engine, &live, c).await?;
    }
    remove_unused(&layout);
    Ok(RebuildReport {
        generation: generation_name(&live.dir),
        collections,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Rebuilds both collections from the database into a new generation and makes it the
/// live one, without opening the live one: what `intellicv reindex` does, so it can run
/// beside a server, which switches to the new generation at its next check (and catches
/// it up with writes made meanwhile). Generations nobody uses are removed first.
pub async fn rebuild_beside(
    store: &Store,
    layout: &IndexLayout,
    embedder: &Arc<Embedder>,
    settings: EngineSettings,
    reembed: bool,
    progress: &(dyn Fn(Collection, usize, usize) + Sync),
) -> Result<RebuildReport, SyncError> {
    let started = std::time::Instant::now();
    std::fs::create_dir_all(layout.root()).map_err(|e| SearchError::io(layout.root(), e))?;
    remove_unused(layout);
    let (lease, generation, collections) =
        build_generation(store, layout, embedder, settings, reembed, progress).await?;
    // Release the index writers before a server opens the generation; keep the claim on
    // the directory until it is live.
    let own = spawn_blocking_with_span(move || generation.close()).await?;
    layout.make_current(lease.dir())?;
    let name = generation_name(lease.dir());
    drop((own, lease));
    tracing::info!(generation = %name, "index generation is live");
    Ok(RebuildReport {
        generation: name,
        collections,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The "more like this" query for a stored, indexed document: its titles and skills from
/// the database, its vectors from the index. `None` when it is not indexed.
pub async fn doc_query(
    store: &Store,
    engine: &Arc<SearchEngine>,
    c: Collection,
    id: DocId,
) -> Result<Option<super::DocQuery>, SyncError> {
    let Some(prepared) = prepare(store, c, &[id]).await?.pop() else {
        return Ok(None);
    };
    let generation = engine.generation();
    let index = generation.collection(c);
    let Some(content) = index.vectors.vector(id) else {
        return Ok(None);
    };
    let vectors = DocVectors {
        content,
        title: index.titles.vector(id),
    };
    Ok(Some(super::DocQuery::from_doc(&prepared.doc, vectors)))
}

/// Every searchable document of a collection with its stored vectors (`None` where no
/// current embedding is stored), without running the model. For benchmarks and tools
/// that build indexes of their own.
pub async fn stored_documents(
    store: &Store,
    engine: &Arc<SearchEngine>,
    c: Collection,
) -> Result<Vec<(SearchDoc, Option<DocVectors>)>, SyncError> {
    let model = engine.embedder().status().model_version;
    let ids: Vec<DocId> = store
        .searchable_versions(c.as_str())
        .await?
        .into_iter()
        .map(|v| v.id)
        .collect();
    let mut out = Vec::with_capacity(ids.len());
    for batch in ids.chunks(BATCH * 4) {
        let prepared = prepare(store, c, batch).await?;
        let mut stored: HashMap<DocId, StoredEmbedding> = store
            .embeddings(c.as_str(), batch)
            .await?
            .into_iter()
            .map(|e| (e.doc_id, e))
            .collect();
        for p in prepared {
            let vectors = stored
                .remove(&p.doc.id)
                .filter(|e| e.model_sha256 == model && e.text_hash == p.embed.text_hash)
                .map(doc_vectors);
            out.push((p.doc, vectors));
        }
    }
    Ok(out)
}

/// The "more like this" query for a resume that is not stored (a file parsed on the fly):
/// embeds it now. Blocking (runs the model).
pub fn adhoc_resume_query(
    engine: &SearchEngine,
    profile: &intellicv_core::ResumeProfile,
    text: &str,
) -> Result<super::DocQuery, SearchError> {
    let doc = docs::resume_doc_from(0, profile, text, chrono::Utc::now().timestamp());
    let sections = docs::resume_embedding_sections(profile, text);
    let input = EmbedInput {
        doc_id: 0,
        text_hash: docs::sections_hash(&doc.title, &sections),
        title: Some(doc.title.clone()),
        sections,
        chunk_tokens: None,
        max_chunks: None,
    };
    let embedded = embed_documents(engine.embedder(), std::slice::from_ref(&input))?
        .pop()
        .ok_or_else(|| SearchError::InvalidQuery {
            reason: "the resume has no text to compare".to_owned(),
        })?;
    Ok(super::DocQuery::from_doc(&doc, doc_vectors(embedded)))
}
