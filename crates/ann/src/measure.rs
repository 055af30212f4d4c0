//! Recall, latency, build and load times on real all-MiniLM-L6-v2 embeddings of job
//! postings from the shared data set. Ignored in CI; run with the model files in
//! `models/` (this crate and hnsw_rs are optimised in the test profile too):
//!
//! ```text
//! INTELLICV_SHARED_DATA=/work/shared/data \
//!   cargo test --workspace --lib measure -- --ignored --nocapture
//! ```
//! `INTELLICV_VECTOR_DOCS` sets how many postings to index at most (default 40000; the
//! 10k measurement uses the first 10000), `INTELLICV_VECTOR_GRID=1` also sweeps the HNSW
//! parameters at 10k. Embeddings are cached in `/tmp/intellicv-vector-cache` (postings in
//! file order, so a larger run extends a smaller one's cache).

use std::fs::{self, File, OpenOptions};
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{HnswParams, VectorIndex, recall_at_k};
use crate::DocId;
use intellicv_embed::{Embedder, EmbedderConfig};
use intellicv_ingest::jobs::read_json;

const CACHE_DIR: &str = "/tmp/intellicv-vector-cache";
/// Postings indexed at most (see `INTELLICV_VECTOR_DOCS`); the next `QUERIES` postings
/// are held out as queries.
const DOCS: usize = 40_000;
const QUERIES: usize = 300;
/// Title plus roughly the first 128 tokens of the description.
const MAX_TOKENS: usize = 144;
const K: usize = 10;

struct Corpus {
    docs: Vec<Vec<f32>>,
    /// Held-out postings embedded like the documents.
    posting_queries: Vec<Vec<f32>>,
    /// The titles of the held-out postings: short, query-like text.
    title_queries: Vec<Vec<f32>>,
}

/// `(title, title + description)` of postings from both job files, alternating.
fn postings(data: &Path, limit: usize) -> Vec<(String, String)> {
    let open = |name: &str| {
        let path = data.join("jobs").join(name);
        let file = File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        read_json(BufReader::new(file), name).filter_map(Result::ok)
    };
    let mut nhs = open("nhs-jobs.jsonl.gz");
    let mut hn = open("hn-who-is-hiring.jsonl.gz");
    let mut out = Vec::with_capacity(limit);
    while out.len() < limit {
        let (a, b) = (nhs.next(), hn.next());
        if a.is_none() && b.is_none() {
            break;
        }
        for draft in [a, b].into_iter().flatten() {
            let text = format!("{}\n{}", draft.title, draft.description);
            out.push((draft.title, text));
        }
    }
    out.truncate(limit);
    out
}

/// Vectors of `texts`, read from `cache` as far as it goes and embedded (and appended to
/// the cache) for the rest.
fn embedded(embedder: &mut Option<Embedder>, texts: &[&str], cache: &Path) -> Vec<Vec<f32>> {
    const DIM: usize = 384;
    let cached = fs::read(cache).unwrap_or_default();
    let mut vectors: Vec<Vec<f32>> = cached
        .chunks_exact(4 * DIM)
        .take(texts.len())
        .map(|v| {
            v.chunks_exact(4)
                .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
                .collect()
        })
        .collect();
    if vectors.len() == texts.len() {
        return vectors;
    }
    let embedder = embedder.get_or_insert_with(|| {
        let config = EmbedderConfig {
            max_length: MAX_TOKENS,
            pool_size: 2,
            models_dir: std::env::var_os(intellicv_embed::MODELS_DIR_ENV)
                .map(PathBuf::from)
                .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models")),
            ..EmbedderConfig::default()
        };
        Embedder::load(&config).expect("embedding model (scripts/fetch-models.sh)")
    });
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(cache)
        .unwrap();
    // Drop a partly written vector left by an interrupted run before appending.
    file.set_len((vectors.len() * 4 * DIM) as u64).unwrap();
    let started = Instant::now();
    let first = vectors.len();
    for chunk in texts[first..].chunks(1_000) {
        let batch = embedder.embed_batch(chunk).expect("embed");
        let mut bytes = Vec::with_capacity(batch.len() * 4 * DIM);
        for v in &batch {
            assert_eq!(v.len(), DIM);
            v.iter()
                .for_each(|x| bytes.extend_from_slice(&x.to_le_bytes()));
        }
        file.write_all(&bytes).unwrap();
        vectors.extend(batch);
        let done = vectors.len() - first;
        println!(
            "embedded {done}/{} ({:.0} texts/s)",
            texts.len() - first,
            done as f64 / started.elapsed().as_secs_f64()
        );
    }
    vectors
}

fn corpus(data: &Path) -> Corpus {
    let started = Instant::now();
    let docs_wanted = std::env::var("INTELLICV_VECTOR_DOCS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DOCS);
    let all = postings(data, docs_wanted + QUERIES);
    assert!(all.len() > QUERIES, "too few postings");
    let docs_n = all.len() - QUERIES;
    fs::create_dir_all(CACHE_DIR).unwrap();
    let cache = |name: &str| PathBuf::from(CACHE_DIR).join(name);
    let mut embedder = None;
    let texts: Vec<&str> = all.iter().map(|(_, text)| text.as_str()).collect();
    let mut vectors = embedded(&mut embedder, &texts, &cache("postings-v1.f32"));
    let titles: Vec<&str> = all[docs_n..].iter().map(|(t, _)| t.as_str()).collect();
    let title_queries = embedded(
        &mut embedder,
        &titles,
        &cache(&format!("titles-v1-{docs_n}.f32")),
    );
    let posting_queries = vectors.split_off(docs_n);
    println!(
        "corpus: {} postings, {} queries ({:.1} s)",
        vectors.len(),
        posting_queries.len(),
        started.elapsed().as_secs_f64()
    );
    Corpus {
        docs: vectors,
        posting_queries,
        title_queries,
    }
}

fn build(docs: &[Vec<f32>], params: HnswParams) -> (VectorIndex, Duration) {
    let items = docs
        .iter()
        .enumerate()
        .map(|(i, v)| (i as DocId, v.clone()))
        .collect();
    let started = Instant::now();
    let index = VectorIndex::build(384, params, items).unwrap();
    (index, started.elapsed())
}

fn percentile(sorted_ms: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted_ms.len() as f64).ceil() as usize;
    sorted_ms[rank.clamp(1, sorted_ms.len()) - 1]
}

/// `(p50, p99)` in milliseconds of one search per query, sequentially.
fn latency(queries: &[Vec<f32>], mut search: impl FnMut(&[f32])) -> (f64, f64) {
    let mut ms: Vec<f64> = queries
        .iter()
        .map(|q| {
            let started = Instant::now();
            search(q);
            started.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    (percentile(&ms, 50.0), percentile(&ms, 99.0))
}

/// A pseudo-random subset of ids keeping about `fraction` of them.
fn keeps(id: DocId, fraction: f64) -> bool {
    let mut x = (id as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^= x >> 31;
    (x % 1_000_000) as f64 / 1e6 < fraction
}

fn filtered_recall(
    index: &VectorIndex,
    queries: &[Vec<f32>],
    keep: &(dyn Fn(DocId) -> bool + Sync),
) -> f64 {
    let mut total = 0.0;
    for q in queries {
        let approx = index.search(q, K, Some(keep)).unwrap();
        let exact = index.exact_search(q, K, Some(keep)).unwrap();
        assert_eq!(
            approx.len(),
            exact.len(),
            "filtered search must return k hits"
        );
        let found = exact
            .iter()
            .filter(|e| approx.iter().any(|a| a.id == e.id))
            .count();
        total += found as f64 / exact.len().max(1) as f64;
    }
    total / queries.len() as f64
}

fn report(label: &str, index: &VectorIndex, corpus: &Corpus, build_time: Duration) {
    let n = index.len();
    let recall_postings = recall_at_k(index, &corpus.posting_queries, K);
    let recall_titles = recall_at_k(index, &corpus.title_queries, K);
    let queries: Vec<Vec<f32>> = corpus
        .posting_queries
        .iter()
        .chain(&corpus.title_queries)
        .cloned()
        .collect();
    let (p50, p99) = latency(&queries, |q| drop(index.search(q, K, None).unwrap()));
    let (e50, e99) = latency(&queries, |q| drop(index.exact_search(q, K, None).unwrap()));
    println!(
        "[{label}] n={n} {:?} build {:.1} s | recall@10 postings {recall_postings:.4} titles {recall_titles:.4} | search p50 {p50:.3} ms p99 {p99:.3} ms | exact p50 {e50:.3} ms p99 {e99:.3} ms",
        index.params(),
        build_time.as_secs_f64()
    );
}

fn report_filters(label: &str, index: &VectorIndex, corpus: &Corpus) {
    let queries: Vec<Vec<f32>> = corpus
        .posting_queries
        .iter()
        .chain(&corpus.title_queries)
        .cloned()
        .collect();
    let threshold = index.exact_threshold();
    for fraction in [0.5, 0.05, 0.005] {
        let keep = move |id: DocId| keeps(id, fraction);
        let allowed = index.ids().into_iter().filter(|&id| keep(id)).count();
        for (path, t) in [("graph", 0), ("exact", usize::MAX), ("auto", threshold)] {
            index.set_exact_threshold(t);
            let before = index.search_stats();
            let (p50, p99) = latency(&queries, |q| drop(index.search(q, K, Some(&keep)).unwrap()));
            let after = index.search_stats();
            let recall = filtered_recall(index, &queries, &keep);
            println!(
                "[{label}] filter keeps {:.1}% ({allowed} docs) path {path}: p50 {p50:.3} ms p99 {p99:.3} ms recall@10 {recall:.4} (graph {}, exact-filtered {}, exact-fallback {})",
                fraction * 100.0,
                after.graph - before.graph,
                after.exact_filtered - before.exact_filtered,
                after.exact_fallback - before.exact_fallback,
            );
        }
        index.set_exact_threshold(threshold);
    }
}

fn report_persistence(label: &str, index: &VectorIndex, corpus: &Corpus) {
    let dir = tempfile::Builder::new()
        .prefix("intellicv-vector-")
        .tempdir_in("/tmp")
        .unwrap();
    let started = Instant::now();
    index.save(dir.path()).unwrap();
    let save = started.elapsed();
    let started = Instant::now();
    let loaded = VectorIndex::load(dir.path()).unwrap();
    let load = started.elapsed();
    let same = corpus
        .posting_queries
        .iter()
        .take(50)
        .all(|q| loaded.search(q, K, None).unwrap() == index.search(q, K, None).unwrap());
    println!(
        "[{label}] save {:.2} s, load {:.2} s (graph reload, no rebuild), identical results: {same}",
        save.as_secs_f64(),
        load.as_secs_f64()
    );
    assert!(same);
}

#[test]
#[ignore = "needs INTELLICV_SHARED_DATA, the model files and minutes of CPU"]
fn measure_on_real_job_embeddings() {
    let Some(data) = std::env::var_os("INTELLICV_SHARED_DATA") else {
        eprintln!("INTELLICV_SHARED_DATA is not set; skipping");
        return;
    };
    let corpus = corpus(Path::new(&data));
    let ten_k = &corpus.docs[..10_000.min(corpus.docs.len())];
    if std::env::var_os("INTELLICV_VECTOR_GRID").is_some() {
        for (m, efc) in [(12, 100), (16, 100), (16, 200), (24, 200)] {
            let params = HnswParams {
                max_nb_connection: m,
                ef_construction: efc,
                ef_search: 16,
            };
            let (index, took) = build(ten_k, params);
            for ef in [16, 32, 64, 128] {
                index.set_ef_search(ef);
                report("grid 10k", &index, &corpus, took);
            }
        }
    }
    let mut sizes = vec![("10k", ten_k)];
    if corpus.docs.len() > ten_k.len() {
        sizes.push(("all", &corpus.docs[..]));
    }
    for (label, docs) in sizes {
        let (index, took) = build(docs, HnswParams::default());
        report(label, &index, &corpus, took);
        report_filters(label, &index, &corpus);
        report_persistence(label, &index, &corpus);
    }
}
