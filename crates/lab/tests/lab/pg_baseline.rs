//! The PostgreSQL FTS + pgvector baseline of `intellicv-lab bench search`. Runs against the
//! server named by INTELLICV_PGVECTOR_URL (`scripts/pgvector-server.sh start` prints one)
//! and is skipped without it.

use std::sync::Arc;

use intellicv_lab::measure::{BaselineDoc, BenchError, PgBaseline, measure_query_kind};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::Connection;

const DIM: usize = 32;
const DOCS: i64 = 200;
const WORDS: &[&str] = &[
    "rust",
    "python",
    "developer",
    "manager",
    "sales",
    "nurse",
    "teacher",
    "design",
    "data",
    "cloud",
    "finance",
    "marketing",
    "warehouse",
    "logistics",
    "support",
    "customer",
    "senior",
    "junior",
    "remote",
    "london",
    "berlin",
    "analytics",
    "security",
    "network",
    "accounting",
];

fn pgvector_url() -> Option<String> {
    let url = std::env::var("INTELLICV_PGVECTOR_URL").ok();
    if url.is_none() {
        eprintln!(
            "skipping pg baseline test: INTELLICV_PGVECTOR_URL is not set \
             (scripts/pgvector-server.sh start prints one)"
        );
    }
    url
}

fn unit_vector(rng: &mut StdRng) -> Vec<f32> {
    let v: Vec<f32> = (0..DIM).map(|_| rng.gen_range(-1.0..1.0)).collect();
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.into_iter().map(|x| x / norm).collect()
}

/// 200 documents of random words and random unit vectors, except: only doc 7 has
/// "kubernetes" in its title, only doc 8 in its body, and doc 7 points away from doc 8.
fn documents() -> Vec<BaselineDoc> {
    let mut rng = StdRng::seed_from_u64(4);
    let mut docs: Vec<BaselineDoc> = (0..DOCS)
        .map(|id| {
            let mut words = |n| {
                (0..n)
                    .map(|_| WORDS[rng.gen_range(0..WORDS.len())])
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let title = words(3);
            let body = words(40);
            BaselineDoc {
                id,
                title,
                body,
                vector: unit_vector(&mut rng),
            }
        })
        .collect();
    docs[7].title = "Kubernetes platform engineer".into();
    docs[8].body.push_str(" we also run kubernetes");
    docs[7].vector = docs[8].vector.iter().map(|x| -x).collect();
    docs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_baseline_ranks_title_matches_exact_vectors_and_fused_hits_first() {
    let Some(url) = pgvector_url() else { return };
    let docs = documents();
    let baseline = PgBaseline::connect(&url).await.expect("connect");
    let report = baseline.load(&docs).await.expect("load");
    assert_eq!((report.docs, report.dimension), (200, DIM));
    assert!(report.total_secs >= report.insert_secs + report.hnsw_build_secs);
    assert!(report.gin_bytes > 0 && report.hnsw_bytes > 0 && report.table_bytes > 0);

    // Text: the title match (weight A) before the body match (weight B), nothing else.
    let text = baseline.search_text("Kubernetes", 10).await.unwrap();
    let ids: Vec<i64> = text.iter().map(|h| h.0).collect();
    assert_eq!(ids, [7, 8], "{text:?}");
    assert!(text[0].1 > text[1].1);
    // websearch syntax: an exclusion.
    let ids: Vec<i64> = (baseline
        .search_text("kubernetes -platform", 10)
        .await
        .unwrap())
    .iter()
    .map(|h| h.0)
    .collect();
    assert_eq!(ids, [8]);

    // Vector: a document's own vector finds it first, at similarity 1.
    for id in [0, 123, 199] {
        let hits = baseline.search_vector(&docs[id].vector, 5).await.unwrap();
        assert_eq!(hits.len(), 5);
        assert_eq!(hits[0].0, id as i64, "{hits:?}");
        assert!((hits[0].1 - 1.0).abs() < 1e-4, "{hits:?}");
        assert!(hits.windows(2).all(|w| w[0].1 >= w[1].1), "{hits:?}");
    }

    // Hybrid: doc 8 is first in the vector list and second in the text list, so first;
    // doc 7 (first in text, far in vector space) still comes through the text list.
    let hybrid = baseline
        .search_hybrid("kubernetes", &docs[8].vector, 10)
        .await
        .unwrap();
    assert_eq!(hybrid.len(), 10);
    assert_eq!(hybrid[0].0, 8, "{hybrid:?}");
    let expected = 1.0 / 61.0 + 1.0 / 62.0;
    assert!((hybrid[0].1 - expected).abs() < 1e-6, "{hybrid:?}");
    assert_eq!(hybrid[1].0, 7, "{hybrid:?}");
    // No text match: the vector list alone decides.
    let hybrid = baseline
        .search_hybrid("zzzunmatched", &docs[50].vector, 3)
        .await
        .unwrap();
    assert_eq!(hybrid[0].0, 50, "{hybrid:?}");

    // The shared runner measures the baseline like any engine.
    let baseline = Arc::new(baseline);
    let queries: Vec<Vec<f32>> = docs.iter().take(40).map(|d| d.vector.clone()).collect();
    let engine = baseline.clone();
    let measured = measure_query_kind(&queries, 5, 4, move |v| {
        let engine = engine.clone();
        async move { engine.search_vector(&v, 10).await }
    })
    .await
    .unwrap();
    assert_eq!(
        (measured.sequential.count, measured.concurrent.count),
        (40, 40)
    );
    assert!(measured.sequential.p50 <= measured.sequential.p99);
    assert!(measured.concurrent.qps > 0.0);

    let baseline = Arc::into_inner(baseline).expect("the runner released the baseline");
    let schema = baseline.schema().to_owned();
    baseline.close().await.unwrap();
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    let left: Option<i32> =
        sqlx::query_scalar("SELECT 1 FROM information_schema.schemata WHERE schema_name = $1")
            .bind(&schema)
            .fetch_optional(&mut conn)
            .await
            .unwrap();
    assert_eq!(left, None, "close drops the schema");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_baseline_rejects_bad_queries_and_a_second_load() {
    let Some(url) = pgvector_url() else { return };
    let docs = documents();
    let baseline = PgBaseline::connect(&url).await.expect("connect");
    let before = baseline
        .search_vector(&docs[0].vector, 5)
        .await
        .unwrap_err();
    assert!(
        matches!(before, BenchError::InvalidInput { .. }),
        "{before}"
    );

    baseline.load(&docs[..20]).await.expect("load");
    let short = baseline.search_vector(&[1.0, 0.0], 5).await.unwrap_err();
    assert!(short.to_string().contains("2 dimensions"), "{short}");
    let deep = baseline
        .search_vector(&docs[0].vector, 101)
        .await
        .unwrap_err();
    assert!(deep.to_string().contains("hnsw_ef_search"), "{deep}");
    let again = baseline.load(&docs).await.unwrap_err();
    assert!(again.to_string().contains("already loaded"), "{again}");
    baseline.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_baseline_names_a_missing_vector_extension() {
    // The test PostgreSQL server (Debian's) has no pgvector; skip if it is absent or has it.
    let server = std::env::var("INTELLICV_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned());
    let url = format!("{server}/postgres");
    let Ok(mut conn) = sqlx::PgConnection::connect(&url).await else {
        eprintln!("skipping: no PostgreSQL at {server}");
        return;
    };
    let has_vector: Option<i32> =
        sqlx::query_scalar("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
            .fetch_optional(&mut conn)
            .await
            .unwrap();
    if has_vector.is_some() {
        eprintln!("skipping: {server} has pgvector");
        return;
    }
    let err = match PgBaseline::connect(&url).await {
        Ok(_) => panic!("connect succeeded without pgvector"),
        Err(e) => e,
    };
    assert!(
        matches!(err, BenchError::VectorExtensionMissing { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("scripts/pgvector-server.sh"),
        "{err}"
    );
}

/// The by-hand measurement of the baseline at scale (not a check): loads
/// INTELLICV_BENCH_DOCS documents (default 10,000) with random 384-dimensional unit vectors
/// and prints load times and p50/p95/p99 of the three query kinds as JSON. Texts are NHS job
/// postings (title, description) when INTELLICV_SHARED_DATA names the shared data
/// directory, else generated words.
///
/// `INTELLICV_PGVECTOR_URL=$(scripts/pgvector-server.sh start) INTELLICV_SHARED_DATA=../shared/data
///  cargo test --test api pg_baseline::measure -- --ignored --nocapture`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement: needs INTELLICV_PGVECTOR_URL, takes a minute"]
async fn measure_the_pg_baseline_at_scale() {
    use std::io::BufRead;
    let Some(url) = pgvector_url() else { return };
    let n: usize = std::env::var("INTELLICV_BENCH_DOCS")
        .map(|v| v.parse().expect("INTELLICV_BENCH_DOCS is a number"))
        .unwrap_or(10_000);
    let mut rng = StdRng::seed_from_u64(10);
    let random_vector = |rng: &mut StdRng| {
        let v: Vec<f32> = (0..384).map(|_| rng.gen_range(-1.0f32..1.0)).collect();
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.into_iter().map(|x| x / norm).collect::<Vec<f32>>()
    };
    let texts: Vec<(String, String)> = match std::env::var("INTELLICV_SHARED_DATA") {
        Ok(dir) => {
            let file = std::fs::File::open(format!("{dir}/jobs/nhs-jobs.jsonl.gz")).unwrap();
            std::io::BufReader::new(flate2::read::GzDecoder::new(file))
                .lines()
                .take(n)
                .map(|line| {
                    let job: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
                    let field = |k: &str| job[k].as_str().unwrap_or_default().to_owned();
                    (field("title"), field("description"))
                })
                .collect()
        }
        Err(_) => documents()
            .into_iter()
            .cycle()
            .take(n)
            .map(|d| (d.title, d.body))
            .collect(),
    };
    let docs: Vec<BaselineDoc> = texts
        .into_iter()
        .enumerate()
        .map(|(id, (title, body))| BaselineDoc {
            id: id as i64,
            title,
            body,
            vector: random_vector(&mut rng),
        })
        .collect();
    // Queries: two words of a random title; a random unit vector.
    let queries: Vec<(String, Vec<f32>)> = (0..200)
        .map(|_| {
            let title = &docs[rng.gen_range(0..docs.len())].title;
            let words: Vec<&str> = title.split_whitespace().take(2).collect();
            (words.join(" "), random_vector(&mut rng))
        })
        .collect();

    let baseline = Arc::new(PgBaseline::connect(&url).await.expect("connect"));
    let load = baseline.load(&docs).await.expect("load");

    // HNSW recall@10 against exact cosine search over the same vectors.
    let mut found = 0;
    for (_, v) in queries.iter().take(50) {
        let mut exact: Vec<(f32, i64)> = docs
            .iter()
            .map(|d| {
                (
                    -d.vector.iter().zip(v).map(|(a, b)| a * b).sum::<f32>(),
                    d.id,
                )
            })
            .collect();
        exact.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let truth: Vec<i64> = exact.iter().take(10).map(|e| e.1).collect();
        let hits = baseline.search_vector(v, 10).await.unwrap();
        found += hits.iter().filter(|h| truth.contains(&h.0)).count();
    }
    let recall_at_10 = found as f64 / 500.0;

    let (warmup, tasks) = (20, 4);
    let engine = baseline.clone();
    let text = measure_query_kind(&queries, warmup, tasks, move |(q, _)| {
        let engine = engine.clone();
        async move { engine.search_text(&q, 10).await }
    })
    .await
    .unwrap();
    let engine = baseline.clone();
    let vector = measure_query_kind(&queries, warmup, tasks, move |(_, v)| {
        let engine = engine.clone();
        async move { engine.search_vector(&v, 10).await }
    })
    .await
    .unwrap();
    let engine = baseline.clone();
    let hybrid = measure_query_kind(&queries, warmup, tasks, move |(q, v)| {
        let engine = engine.clone();
        async move { engine.search_hybrid(&q, &v, 10).await }
    })
    .await
    .unwrap();
    let report = serde_json::json!({
        "docs": n,
        "config": baseline.config(),
        "load": load,
        "hnsw_recall_at_10": recall_at_10,
        "text": text,
        "vector": vector,
        "hybrid": hybrid,
    });
    println!("{}", serde_json::to_string_pretty(&report).unwrap());
    Arc::into_inner(baseline).unwrap().close().await.unwrap();
}
