//! `intellicv-lab bench search`: index build throughput, query latency (lexical, vector,
//! hybrid, filtered, cached), ANN recall and memory of our engine at several corpus sizes,
//! side by side with PostgreSQL full-text search + pgvector on the same documents, vectors
//! and queries, in the same run.

use intellicv_app::telemetry::spawn_blocking_with_span;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use serde::Serialize;

use crate::measure::{BaselineDoc, LoadReport, PgBaseline, QueryKindReport, measure_query_kind};
use intellicv_app::components::Models;
use intellicv_app::config::Settings;
use intellicv_app::matching::MatchOptions;
use intellicv_app::matching::service::{Matcher, ResumeSubject};
use intellicv_core::RemoteMode;
use intellicv_search::layout::{self, IndexLayout};
use intellicv_search::{
    Collection, DocVectors, EngineSettings, Fusion, SearchDoc, SearchEngine, SearchError,
    SearchFilters, SearchRequest, TextIndex, VectorIndex, sync,
};
use intellicv_store::Store;

#[derive(Debug, Args)]
pub struct SearchBenchArgs {
    /// Corpus sizes (job postings drawn at random, seeded, from the data dir's indexed jobs)
    #[arg(long, value_delimiter = ',', default_values_t = [10_000usize, 40_000])]
    pub sizes: Vec<usize>,
    /// Queries per kind (job titles drawn from the corpus, seeded)
    #[arg(long, default_value_t = 200)]
    pub queries: usize,
    /// Concurrent clients for the throughput runs
    #[arg(long, default_value_t = 2)]
    pub concurrency: usize,
    /// PostgreSQL with pgvector for the baseline (see scripts/pgvector-server.sh); without
    /// it only our engine is measured
    #[arg(long, env = "INTELLICV_PGVECTOR_URL")]
    pub pg_url: Option<String>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Serialize)]
struct SizeReport {
    documents: usize,
    text_build_docs_per_sec: f64,
    vector_build_docs_per_sec: f64,
    resident_mb_added: f64,
    ann_recall_at_10: f32,
    /// The same with the graph traversed on float vectors.
    ann_recall_at_10_f32_graph: f32,
    ours: Vec<(String, QueryKindReport)>,
    /// Jobs for a stored resume, with explanations of the top 20.
    matching: Option<QueryKindReport>,
    postgres: Option<PgReport>,
}

#[derive(Debug, Serialize)]
struct PgReport {
    load: LoadReport,
    kinds: Vec<(String, QueryKindReport)>,
}

pub async fn run(args: SearchBenchArgs, settings: Settings) -> anyhow::Result<()> {
    let store = Store::connect(&settings.database_url(), &settings.database).await?;
    let models = Models::load(&settings).await?;
    let scratch = tempfile::tempdir()?;
    let loader = Arc::new(SearchEngine::open(
        IndexLayout::new(scratch.path().join("loader")),
        models.embedder.clone(),
        Some(models.skills.clone()),
        engine_settings(&settings),
    )?);
    let mut docs = sync::stored_documents(&store, &loader, Collection::Jobs).await?;
    let without = docs.iter().filter(|(_, v)| v.is_none()).count();
    docs.retain(|(_, v)| v.is_some());
    anyhow::ensure!(
        !docs.is_empty(),
        "no indexed job postings with stored embeddings in {}: run `intellicv ingest jobs FILE...` and `intellicv reindex` on this data dir first",
        settings.database_url().redacted()
    );
    if without > 0 {
        eprintln!(
            "note: {without} postings have no stored embedding and are left out (run `intellicv reindex`)"
        );
    }
    docs.shuffle(&mut rand::rngs::StdRng::seed_from_u64(7));
    let mut resumes = sync::stored_documents(&store, &loader, Collection::Resumes).await?;
    resumes.retain(|(_, v)| v.is_some());
    resumes.shuffle(&mut rand::rngs::StdRng::seed_from_u64(13));
    resumes.truncate(args.queries);
    if resumes.is_empty() {
        eprintln!(
            "note: no resumes with stored embeddings: matching latency is not measured \
             (run `intellicv ingest resumes DIR` on this data dir)"
        );
    }
    let mut reports = Vec::new();
    for &size in &args.sizes {
        let size = size.min(docs.len());
        let subset = &docs[..size];
        eprintln!("measuring {size} postings");
        reports.push(
            measure_size(
                &args,
                &settings,
                &models,
                &store,
                subset,
                &resumes,
                scratch.path(),
            )
            .await?,
        );
    }
    store.close().await;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    } else {
        for r in &reports {
            print_report(r);
        }
    }
    Ok(())
}

fn engine_settings(settings: &Settings) -> EngineSettings {
    EngineSettings {
        hnsw: settings.search.hnsw,
        result_cache_capacity: settings.search.result_cache_capacity,
    }
}

/// Resident set size of this process in MiB (Linux).
fn resident_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

#[allow(clippy::too_many_arguments)]
async fn measure_size(
    args: &SearchBenchArgs,
    settings: &Settings,
    models: &Models,
    store: &Store,
    docs: &[(SearchDoc, Option<DocVectors>)],
    resumes: &[(SearchDoc, Option<DocVectors>)],
    scratch: &std::path::Path,
) -> anyhow::Result<SizeReport> {
    let rss_before = resident_mb();
    let layout = IndexLayout::new(scratch.join(format!("size-{}", docs.len())));
    std::fs::create_dir_all(layout.root())?;
    let lease = layout.new_generation()?;
    layout.make_current(lease.dir())?;
    let generation = lease.dir().to_owned();
    let c = Collection::Jobs;
    // Text index build.
    let plain: Vec<SearchDoc> = docs.iter().map(|(d, _)| d.clone()).collect();
    let text_dir = layout::text_dir(&generation, c);
    let started = Instant::now();
    let text_secs = spawn_blocking_with_span(move || -> Result<f64, SearchError> {
        let text = TextIndex::open_or_create(&text_dir, c)?;
        text.upsert(&plain)?;
        text.commit()?;
        Ok(started.elapsed().as_secs_f64())
    })
    .await??;
    // Vector index builds (content and titles), then written where the engine loads them.
    let dim = models.embedder.dimension();
    let params = settings.search.hnsw;
    let content: Vec<(i64, Vec<f32>)> = docs
        .iter()
        .filter_map(|(d, v)| v.as_ref().map(|v| (d.id, v.content.clone())))
        .collect();
    let titles: Vec<(i64, Vec<f32>)> = docs
        .iter()
        .filter_map(|(d, v)| v.as_ref().and_then(|v| v.title.clone()).map(|t| (d.id, t)))
        .collect();
    let generation2 = generation.clone();
    let started = Instant::now();
    let vector_secs = spawn_blocking_with_span(move || -> Result<f64, SearchError> {
        VectorIndex::build(dim, params, content)?.save(&layout::vectors_dir(&generation2, c))?;
        let secs = started.elapsed().as_secs_f64();
        VectorIndex::build(dim, params, titles)?.save(&layout::titles_dir(&generation2, c))?;
        Ok(secs)
    })
    .await??;
    // The resumes the matching queries start from: their vectors, where `doc_query` reads them.
    let (resume_content, resume_titles): (Vec<_>, Vec<_>) = resumes
        .iter()
        .filter_map(|(d, v)| {
            v.as_ref()
                .map(|v| ((d.id, v.content.clone()), (d.id, v.title.clone())))
        })
        .unzip();
    let resume_titles: Vec<(i64, Vec<f32>)> = resume_titles
        .into_iter()
        .filter_map(|(id, t)| t.map(|t| (id, t)))
        .collect();
    let generation3 = generation.clone();
    spawn_blocking_with_span(move || -> Result<(), SearchError> {
        let r = Collection::Resumes;
        VectorIndex::build(dim, params, resume_content)?
            .save(&layout::vectors_dir(&generation3, r))?;
        VectorIndex::build(dim, params, resume_titles)?
            .save(&layout::titles_dir(&generation3, r))?;
        Ok(())
    })
    .await??;
    let engine = Arc::new(SearchEngine::open(
        layout,
        models.embedder.clone(),
        Some(models.skills.clone()),
        engine_settings(settings),
    )?);
    engine
        .generation()
        .collection(c)
        .remember(docs.iter().map(|(d, _)| (d.id, d.meta.clone())));
    let rss_after = resident_mb();

    let queries = queries_from(docs, args.queries);
    let filtered: Vec<(String, SearchFilters)> = queries
        .iter()
        .enumerate()
        .map(|(i, q)| (q.clone(), filter_for(i)))
        .collect();
    let plain: Vec<(String, SearchFilters)> = queries
        .iter()
        .map(|q| (q.clone(), SearchFilters::default()))
        .collect();
    /// Name, fusion, queries, what they find cached, and whether the graph is traversed on
    /// int8 vectors (the default) or on float ones (the same-run baseline of that choice).
    type Kind<'a> = (
        &'a str,
        Fusion,
        &'a Vec<(String, SearchFilters)>,
        Caching,
        bool,
    );
    let vector_only = Fusion::Weighted {
        semantic_ratio: 1.0,
    };
    let kinds: [Kind; 9] = [
        (
            "lexical",
            Fusion::Weighted {
                semantic_ratio: 0.0,
            },
            &plain,
            Caching::Nothing,
            true,
        ),
        ("vector", vector_only, &plain, Caching::Nothing, true),
        (
            "hybrid (rrf)",
            Fusion::default(),
            &plain,
            Caching::Nothing,
            true,
        ),
        (
            "hybrid + filters",
            Fusion::default(),
            &filtered,
            Caching::Nothing,
            true,
        ),
        (
            VECTOR_PRE_EMBEDDED,
            vector_only,
            &plain,
            Caching::QueryVectors,
            true,
        ),
        (
            HYBRID_PRE_EMBEDDED,
            Fusion::default(),
            &plain,
            Caching::QueryVectors,
            true,
        ),
        (
            "vector, pre-emb., f32 graph",
            vector_only,
            &plain,
            Caching::QueryVectors,
            false,
        ),
        (
            "hybrid, pre-emb., f32 graph",
            Fusion::default(),
            &plain,
            Caching::QueryVectors,
            false,
        ),
        (
            "hybrid, cached",
            Fusion::default(),
            &plain,
            Caching::Results,
            true,
        ),
    ];
    let mut ours = Vec::new();
    for (name, fusion, list, caching, int8_graph) in kinds {
        tracing::info!(bench.kind = name, "measuring");
        set_int8_graph(&engine, c, int8_graph);
        engine.invalidate_results();
        engine.embedder().clear_query_cache();
        let e = engine.clone();
        // Results: every query runs once first, so each measured one is a cache hit.
        // Query vectors: every query runs once first and only the result cache is emptied
        // before each measured one, so they pay for the search and not the model.
        // Nothing: both caches are emptied before every query, so the sequential pass does
        // not warm the concurrent one.
        let warmup = if caching == Caching::Nothing {
            0
        } else {
            list.len()
        };
        let report = measure_query_kind(
            list,
            warmup,
            args.concurrency,
            move |(q, f): (String, SearchFilters)| {
                let e = e.clone();
                match caching {
                    Caching::Nothing => {
                        e.invalidate_results();
                        e.embedder().clear_query_cache();
                    }
                    Caching::QueryVectors => e.invalidate_results(),
                    Caching::Results => {}
                }
                async move {
                    let request = SearchRequest {
                        query: q,
                        filters: f,
                        fusion,
                        highlight: false,
                        ..SearchRequest::default()
                    };
                    spawn_blocking_with_span(move || e.search(c, &request))
                        .await
                        .map_err(|e| SearchError::Task(e.to_string()))?
                }
            },
        )
        .await?;
        ours.push((name.to_owned(), report));
    }
    set_int8_graph(&engine, c, true);
    // ANN recall against exact search, on the queries' own vectors.
    let embedder = models.embedder.clone();
    let q2 = queries.clone();
    let query_vectors: Vec<Vec<f32>> = spawn_blocking_with_span(move || {
        let refs: Vec<&str> = q2.iter().map(String::as_str).collect();
        embedder.embed_batch(&refs)
    })
    .await??;
    let (recall, recall_f32_graph) = {
        let g = engine.generation();
        let vectors = &g.collection(c).vectors;
        let int8 = intellicv_search::recall_at_k(vectors, &query_vectors, 10);
        set_int8_graph(&engine, c, false);
        let float = intellicv_search::recall_at_k(vectors, &query_vectors, 10);
        set_int8_graph(&engine, c, true);
        (int8, float)
    };
    let matching = if resumes.is_empty() {
        None
    } else {
        Some(measure_matching(args, settings, store, &engine, resumes).await?)
    };
    let postgres = match &args.pg_url {
        Some(url) => Some(measure_postgres(url, args, models, docs, &plain).await?),
        None => None,
    };
    Ok(SizeReport {
        documents: docs.len(),
        text_build_docs_per_sec: docs.len() as f64 / text_secs.max(1e-9),
        vector_build_docs_per_sec: docs.len() as f64 / vector_secs.max(1e-9),
        resident_mb_added: rss_after - rss_before,
        ann_recall_at_10: recall,
        ann_recall_at_10_f32_graph: recall_f32_graph,
        ours,
        matching,
        postgres,
    })
}

/// Traverses the collection's vector graphs on int8 vectors (`true`, the default) or on
/// the float ones.
fn set_int8_graph(engine: &SearchEngine, c: Collection, on: bool) {
    let generation = engine.generation();
    let index = generation.collection(c);
    index.vectors.set_quantized_traversal(on);
    index.titles.set_quantized_traversal(on);
}

/// What a measured kind of query finds in the caches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caching {
    /// Nothing: it embeds its query and searches.
    Nothing,
    /// Its query vector: it searches without running the model (ours and PostgreSQL's
    /// alike), which compares the engines alone.
    QueryVectors,
    /// Its result page.
    Results,
}

const VECTOR_PRE_EMBEDDED: &str = "vector, pre-embedded";
const HYBRID_PRE_EMBEDDED: &str = "hybrid, pre-embedded";

/// Jobs for a stored resume ([`Matcher::jobs_for_resume`], top 20 with explanations), one
/// query per resume.
async fn measure_matching(
    args: &SearchBenchArgs,
    settings: &Settings,
    store: &Store,
    engine: &Arc<SearchEngine>,
    resumes: &[(SearchDoc, Option<DocVectors>)],
) -> anyhow::Result<QueryKindReport> {
    let matcher = Arc::new(Matcher::new(
        store.clone(),
        engine.clone(),
        settings.matching.clone(),
    ));
    matcher.refresh_rarity().await?;
    let ids: Vec<i64> = resumes.iter().map(|(d, _)| d.id).collect();
    let report = measure_query_kind(&ids, 10, args.concurrency, move |id: i64| {
        let matcher = matcher.clone();
        async move {
            matcher
                .jobs_for_resume(
                    &ResumeSubject::Stored(id),
                    &SearchFilters::default(),
                    20,
                    MatchOptions::default(),
                )
                .await
        }
    })
    .await?;
    Ok(report)
}

/// Query texts: titles of postings drawn from the corpus (seeded), lowercased.
fn queries_from(docs: &[(SearchDoc, Option<DocVectors>)], n: usize) -> Vec<String> {
    let mut titles: Vec<String> = docs
        .iter()
        .map(|(d, _)| d.title.trim().to_lowercase())
        .filter(|t| (3..80).contains(&t.len()))
        .collect();
    titles.sort();
    titles.dedup();
    titles.shuffle(&mut rand::rngs::StdRng::seed_from_u64(11));
    titles.truncate(n);
    titles
}

/// A filter for the i-th filtered query, cycling through the filter kinds.
fn filter_for(i: usize) -> SearchFilters {
    match i % 4 {
        0 => SearchFilters {
            remote_modes: vec![RemoteMode::Remote],
            ..Default::default()
        },
        1 => SearchFilters {
            salary_min: Some(30_000.0),
            ..Default::default()
        },
        2 => SearchFilters {
            location: Some("london".into()),
            ..Default::default()
        },
        _ => SearchFilters {
            near: Some(intellicv_search::GeoRadius {
                lat: 51.5074,
                lon: -0.1278,
                radius_km: 50.0,
            }),
            ..Default::default()
        },
    }
}

async fn measure_postgres(
    url: &str,
    args: &SearchBenchArgs,
    models: &Models,
    docs: &[(SearchDoc, Option<DocVectors>)],
    queries: &[(String, SearchFilters)],
) -> anyhow::Result<PgReport> {
    let pg = Arc::new(
        PgBaseline::connect(url)
            .await
            .context("pgvector baseline")?,
    );
    let rows: Vec<BaselineDoc> = docs
        .iter()
        .filter_map(|(d, v)| {
            v.as_ref().map(|v| BaselineDoc {
                id: d.id,
                title: d.title.clone(),
                body: d.body.clone(),
                vector: v.content.clone(),
            })
        })
        .collect();
    let load = pg.load(&rows).await?;
    let texts: Vec<String> = queries.iter().map(|(q, _)| q.clone()).collect();
    let mut kinds = Vec::new();
    let pre_embedded = [VECTOR_PRE_EMBEDDED, HYBRID_PRE_EMBEDDED];
    for kind in [
        "lexical",
        "vector",
        "hybrid (rrf)",
        VECTOR_PRE_EMBEDDED,
        HYBRID_PRE_EMBEDDED,
    ] {
        models.embedder.clear_query_cache();
        let cached_vectors = pre_embedded.contains(&kind);
        if cached_vectors {
            let (e, t) = (models.embedder.clone(), texts.clone());
            spawn_blocking_with_span(move || t.iter().try_for_each(|q| e.embed_query(q).map(drop)))
                .await??;
        }
        let (pg, embedder) = (pg.clone(), models.embedder.clone());
        let report = measure_query_kind(&texts, 0, args.concurrency, move |q: String| {
            let (pg, embedder) = (pg.clone(), embedder.clone());
            // As for our kinds: every query pays for its embedding, or none does.
            if !cached_vectors {
                embedder.clear_query_cache();
            }
            async move {
                // The baseline cannot embed: it gets our query embedding, timed with it.
                let vector = if kind == "lexical" {
                    None
                } else {
                    let e = embedder.clone();
                    let q2 = q.clone();
                    Some(
                        spawn_blocking_with_span(move || e.embed_query(&q2))
                            .await
                            .map_err(|e| crate::measure::BenchError::Query(Box::new(e)))?
                            .map_err(|e| crate::measure::BenchError::Query(Box::new(e)))?,
                    )
                };
                match (kind, vector) {
                    ("lexical", _) => pg.search_text(&q, 10).await,
                    ("vector" | VECTOR_PRE_EMBEDDED, Some(v)) => pg.search_vector(&v, 10).await,
                    (_, Some(v)) => pg.search_hybrid(&q, &v, 10).await,
                    _ => unreachable!("vector kinds embed their query"),
                }
            }
        })
        .await?;
        kinds.push((kind.to_owned(), report));
    }
    Ok(PgReport { load, kinds })
}

fn print_report(r: &SizeReport) {
    println!("\n{} postings", r.documents);
    println!(
        "  build: text {:.0} docs/s, vectors {:.0} docs/s; +{:.0} MiB resident; ANN recall@10 {:.3} (f32 graph {:.3})",
        r.text_build_docs_per_sec,
        r.vector_build_docs_per_sec,
        r.resident_mb_added,
        r.ann_recall_at_10,
        r.ann_recall_at_10_f32_graph
    );
    println!(
        "  {:<28} {:>8} {:>8} {:>8} {:>9}   {:>8} {:>8} {:>9}   {:>7} {:>7}",
        "kind", "p50 ms", "p95 ms", "p99 ms", "qps", "pg p50", "pg p99", "pg qps", "p99 x", "qps x"
    );
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    for (name, ours) in &r.ours {
        let pg = r
            .postgres
            .as_ref()
            .and_then(|p| p.kinds.iter().find(|(k, _)| k == name).map(|(_, v)| v));
        let (pg_cols, ratios) = match pg {
            Some(pg) => (
                format!(
                    "{:>8.2} {:>8.2} {:>9.0}",
                    ms(pg.sequential.p50),
                    ms(pg.sequential.p99),
                    pg.concurrent.qps
                ),
                format!(
                    "{:>7.1} {:>7.1}",
                    ms(pg.sequential.p99) / ms(ours.sequential.p99).max(1e-9),
                    ours.concurrent.qps / pg.concurrent.qps.max(1e-9)
                ),
            ),
            None => (
                format!("{:>8} {:>8} {:>9}", "-", "-", "-"),
                format!("{:>7} {:>7}", "-", "-"),
            ),
        };
        println!(
            "  {:<28} {:>8.2} {:>8.2} {:>8.2} {:>9.0}   {pg_cols}   {ratios}",
            name,
            ms(ours.sequential.p50),
            ms(ours.sequential.p95),
            ms(ours.sequential.p99),
            ours.concurrent.qps
        );
    }
    if let Some(m) = &r.matching {
        println!(
            "  {:<28} {:>8.2} {:>8.2} {:>8.2} {:>9.0}   (jobs for a stored resume, top 20 explained)",
            "matching",
            ms(m.sequential.p50),
            ms(m.sequential.p95),
            ms(m.sequential.p99),
            m.concurrent.qps
        );
    }
    if let Some(pg) = &r.postgres {
        println!(
            "  postgres load: {:.1} s (insert {:.1}, gin {:.1}, hnsw {:.1})",
            pg.load.total_secs,
            pg.load.insert_secs,
            pg.load.gin_build_secs,
            pg.load.hnsw_build_secs
        );
    }
    let qps = |name: &str| {
        r.ours
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.concurrent.qps)
    };
    for (int8, float) in [
        (VECTOR_PRE_EMBEDDED, "vector, pre-emb., f32 graph"),
        (HYBRID_PRE_EMBEDDED, "hybrid, pre-emb., f32 graph"),
    ] {
        if let (Some(a), Some(b)) = (qps(int8), qps(float)) {
            println!(
                "  {int8}: int8 graph traversal {:.2}x the throughput of the f32 one",
                a / b.max(1e-9)
            );
        }
    }
    println!(
        "  (p99 x: PostgreSQL p99 / ours; qps x: our throughput / PostgreSQL's, {} clients)",
        r.ours.first().map_or(0, |(_, k)| k.concurrency)
    );
}
