//! `intellicv-lab eval similar`: precision@10 and nDCG@10 of same-category neighbours for
//! lexical, vector, title and hybrid similarity over a labelled resume corpus, and the
//! hybrid weights tuned on one half of the queries and reported on the other.

use intellicv_app::telemetry::spawn_blocking_with_span;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use crate::similar::{Half, Labelled, MethodScore, half_of, score, weight_grid};
use intellicv_app::components::{Models, open_search};
use intellicv_app::config::Settings;
use intellicv_search::SimilarityWeights;
use intellicv_store::Store;

#[derive(Debug, Args)]
pub struct SimilarArgs {
    /// Directory of resumes (walked recursively); stored and indexed in the data dir
    /// (use --data-dir to keep the evaluation apart)
    #[arg(long)]
    pub corpus: PathBuf,
    /// CSV with `id,category`: the id is the file name without extension
    #[arg(long)]
    pub labels: PathBuf,
    /// Grid step for tuning the hybrid weights
    #[arg(long, default_value_t = 0.1)]
    pub step: f32,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    /// Instead of evaluating, write every labelled resume (label, half, profile, text and
    /// stored vectors) to this JSON Lines file, for offline analysis. The file holds the
    /// corpus's text: keep it out of the repository.
    #[arg(long)]
    pub dump: Option<PathBuf>,
}

#[derive(Debug, Serialize)]
struct Report {
    documents: usize,
    index_half: usize,
    tuning_queries: usize,
    test_queries: usize,
    /// On the test queries.
    methods: Vec<MethodScore>,
    /// The best weights on the tuning queries (components, then neighbour feedback).
    tuned: SimilarityWeights,
    /// The tuned weights with the category weight tuned on top.
    tuned_with_categories: SimilarityWeights,
    /// The tuned hybrid re-ranked with skill overlap and all-titles similarity.
    rerank: Vec<RerankScore>,
}

#[derive(Debug, Serialize)]
struct RerankScore {
    method: String,
    /// Weights of skills, all titles, headline words, title words.
    weights: [f32; 4],
    precision_at_10: f64,
    ndcg_at_10: f64,
}

pub async fn run(args: SimilarArgs, settings: Settings) -> anyhow::Result<()> {
    let Pool {
        store,
        models,
        engine,
        corpus,
    } = Pool::open(&args.corpus, &args.labels, &settings).await?;
    if let Some(path) = &args.dump {
        dump(&store, &corpus, path).await?;
        store.close().await;
        return Ok(());
    }
    let tuning = |h: Half| h == Half::Query { tuning: true };
    let test = |h: Half| h == Half::Query { tuning: false };
    let mut best: Option<MethodScore> = None;
    for weights in weight_grid(args.step) {
        let s = score(&store, &engine, &corpus, weights, tuning, "tuning").await?;
        if best
            .as_ref()
            .is_none_or(|b| s.precision_at_10 > b.precision_at_10)
        {
            best = Some(s);
        }
    }
    let components = best.map(|b| b.weights).unwrap_or_default();
    let mut tuned = components;
    let mut best_feedback: Option<f64> = None;
    for feedback_docs in [3, 5, 10, 20] {
        for feedback_weight in [0.2, 0.4, 0.6, 0.8] {
            let weights = SimilarityWeights {
                feedback_docs,
                feedback_weight,
                ..components
            };
            let s = score(&store, &engine, &corpus, weights, tuning, "tuning").await?;
            if best_feedback.is_none_or(|b| s.precision_at_10 > b) {
                best_feedback = Some(s.precision_at_10);
                tuned = weights;
            }
        }
    }
    let mut with_categories = tuned;
    let mut best_category: Option<f64> = None;
    for category in [0.25, 0.5, 1.0, 2.0, 4.0] {
        let weights = SimilarityWeights { category, ..tuned };
        let s = score(&store, &engine, &corpus, weights, tuning, "tuning").await?;
        if best_category.is_none_or(|b| s.precision_at_10 > b) {
            best_category = Some(s.precision_at_10);
            with_categories = weights;
        }
    }
    let no_categories = SimilarityWeights {
        category: 0.0,
        ..SimilarityWeights::default()
    };
    let methods = [
        ("lexical only", SimilarityWeights::components(0.0, 0.0, 1.0)),
        (
            "vector only (content)",
            SimilarityWeights::components(1.0, 0.0, 0.0),
        ),
        (
            "vector only (title)",
            SimilarityWeights::components(0.0, 1.0, 0.0),
        ),
        ("hybrid (default weights)", no_categories),
        ("hybrid (tuned weights)", components),
        ("hybrid + feedback (tuned)", tuned),
        ("hybrid + categories", SimilarityWeights::default()),
        ("hybrid + categories (tuned)", with_categories),
    ];
    let mut scores = Vec::new();
    for (name, weights) in methods {
        scores.push(score(&store, &engine, &corpus, weights, test, name).await?);
    }
    let rerank = rerank_experiment(&store, &engine, &models, &corpus, tuned).await?;
    let count = |f: &dyn Fn(Half) -> bool| corpus.iter().filter(|d| f(d.half)).count();
    let report = Report {
        documents: corpus.len(),
        index_half: count(&|h| h == Half::Index),
        tuning_queries: count(&tuning),
        test_queries: count(&test),
        methods: scores,
        tuned,
        tuned_with_categories: with_categories,
        rerank,
    };
    store.close().await;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    println!(
        "{} resumes: {} indexed, {} tuning queries, {} test queries (scores on the test queries)",
        report.documents, report.index_half, report.tuning_queries, report.test_queries
    );
    println!(
        "{:<28} {:>8} {:>8}  weights (content/title/lexical)",
        "method", "P@10", "nDCG@10"
    );
    for m in &report.methods {
        println!(
            "{:<28} {:>8.3} {:>8.3}  {:.1}/{:.1}/{:.1}  feedback {} docs × {:.1}, category {:.2}",
            m.method,
            m.precision_at_10,
            m.ndcg_at_10,
            m.weights.content,
            m.weights.title,
            m.weights.lexical,
            m.weights.feedback_docs,
            m.weights.feedback_weight,
            m.weights.category
        );
    }
    for r in &report.rerank {
        let added: Vec<String> = crate::rerank::SIGNALS
            .iter()
            .zip(r.weights)
            .filter(|(_, w)| *w > 0.0)
            .map(|(name, w)| format!("{w:.2} × {name}"))
            .collect();
        println!(
            "{:<28} {:>8.3} {:>8.3}  + {}",
            r.method,
            r.precision_at_10,
            r.ndcg_at_10,
            if added.is_empty() {
                "nothing".to_owned()
            } else {
                added.join(" + ")
            }
        );
    }
    Ok(())
}

/// Re-ranks the tuned hybrid's first 100 hits with skill overlap and the similarity of
/// all job titles; weights tuned on the tuning queries, scores on the test queries.
async fn rerank_experiment(
    store: &Store,
    engine: &std::sync::Arc<intellicv_search::SearchEngine>,
    models: &Models,
    corpus: &[Labelled],
    weights: SimilarityWeights,
) -> anyhow::Result<Vec<RerankScore>> {
    use crate::rerank::{RerankDoc, RerankSignals, SIGNALS, all_titles, rerank_score, tune};
    use crate::similar::first_stage;
    let ids: Vec<i64> = corpus.iter().map(|d| d.id).collect();
    let mut docs = Vec::new();
    for r in store.resumes_by_ids(&ids).await? {
        let Some(profile) = r.profile.as_ref().map(|p| &p.0) else {
            continue;
        };
        docs.push(RerankDoc {
            id: r.id,
            in_index: half_of(&r.source_filename) == Half::Index,
            skills: profile.skills.iter().map(|s| s.uri.clone()).collect(),
            titles_vector: None,
            headline: profile
                .headline
                .as_ref()
                .map(|h| h.value.clone())
                .unwrap_or_default(),
            titles: all_titles(profile),
        });
    }
    let embedder = models.embedder.clone();
    let texts: Vec<String> = docs.iter().map(|d| d.titles.clone()).collect();
    let vectors = spawn_blocking_with_span(move || {
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        embedder.embed_batch(&refs)
    })
    .await??;
    for (doc, vector) in docs.iter_mut().zip(vectors) {
        if !doc.titles.is_empty() {
            doc.titles_vector = Some(vector);
        }
    }
    let signals = RerankSignals::new(docs);
    let tuning = first_stage(store, engine, corpus, weights, |h| {
        h == Half::Query { tuning: true }
    })
    .await?;
    let test = first_stage(store, engine, corpus, weights, |h| {
        h == Half::Query { tuning: false }
    })
    .await?;
    let grid = [0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.6, 0.8];
    let mut runs = vec![("first stage (tuned)".to_owned(), [0.0; 4])];
    for (i, name) in SIGNALS.iter().enumerate() {
        runs.push((
            format!("+ {name} (tuned)"),
            tune(&tuning, &signals, corpus, &grid, Some(i)),
        ));
    }
    runs.push((
        "+ all four (tuned)".to_owned(),
        tune(&tuning, &signals, corpus, &grid, None),
    ));
    Ok(runs
        .into_iter()
        .map(|(method, w)| {
            let (p, n) = rerank_score(&test, &signals, corpus, w);
            RerankScore {
                method,
                weights: w,
                precision_at_10: p,
                ndcg_at_10: n,
            }
        })
        .collect())
}

/// Writes the labelled corpus with its profiles, text and stored vectors as JSON Lines.
async fn dump(store: &Store, corpus: &[Labelled], path: &Path) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
    );
    for batch in corpus.chunks(64) {
        let ids: Vec<i64> = batch.iter().map(|d| d.id).collect();
        let mut resumes: HashMap<i64, _> = store
            .resumes_by_ids(&ids)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let mut vectors: HashMap<i64, _> = store
            .embeddings("resumes", &ids)
            .await?
            .into_iter()
            .map(|e| (e.doc_id, e))
            .collect();
        for d in batch {
            let Some(r) = resumes.remove(&d.id) else {
                continue;
            };
            let e = vectors.remove(&d.id);
            let row = serde_json::json!({
                "id": d.id,
                "file": r.source_filename,
                "label": d.label,
                "half": d.half,
                "profile": r.profile.map(|p| p.0),
                "text": r.extracted_text,
                "content": e.as_ref().map(|e| &e.vector),
                "title": e.as_ref().and_then(|e| e.title_vector.as_ref()),
                "chunks": e.as_ref().map(|e| &e.chunk_vectors),
            });
            serde_json::to_writer(&mut out, &row)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    println!("wrote {} resumes to {}", corpus.len(), path.display());
    Ok(())
}

/// A labelled resume corpus stored, indexed and split into halves: the index half carries
/// its categories (what category profiles learn from), the query halves none.
pub(super) struct Pool {
    pub store: Store,
    pub models: Models,
    pub engine: std::sync::Arc<intellicv_search::SearchEngine>,
    pub corpus: Vec<Labelled>,
}

impl Pool {
    pub async fn open(corpus: &Path, labels: &Path, settings: &Settings) -> anyhow::Result<Self> {
        let label_of = intellicv::cli::labels::read_labels(labels)?;
        let store = Store::connect(&settings.database_url(), &settings.database).await?;
        store.migrate().await?;
        let models = Models::load(settings).await?;
        intellicv::cli::ingest::import_resume_paths(
            &store,
            models.skills.clone(),
            std::slice::from_ref(&corpus.to_path_buf()),
        )
        .await?;
        intellicv::cli::labels::apply_labels(&store, &label_of, |r| {
            half_of(&r.source_filename) == Half::Index
        })
        .await?;
        let engine = open_search(settings, &models, &store).await?;
        let corpus = labelled_corpus(&store, &label_of).await?;
        anyhow::ensure!(
            !corpus.is_empty(),
            "no stored resume matches a label in {}",
            labels.display()
        );
        Ok(Self {
            store,
            models,
            engine,
            corpus,
        })
    }
}

/// Stored resumes whose file stem has a label, with their half.
async fn labelled_corpus(
    store: &Store,
    labels: &HashMap<String, String>,
) -> anyhow::Result<Vec<Labelled>> {
    let versions = store.searchable_versions("resumes").await?;
    let ids: Vec<i64> = versions.iter().map(|v| v.id).collect();
    let mut out = Vec::new();
    for resume in store.resumes_by_ids(&ids).await? {
        if let Some(label) = labels.get(&intellicv::cli::labels::stem(&resume)) {
            out.push(Labelled {
                id: resume.id,
                label: label.clone(),
                half: half_of(&resume.source_filename),
            });
        }
    }
    Ok(out)
}
