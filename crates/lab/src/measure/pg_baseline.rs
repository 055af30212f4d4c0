//! The PostgreSQL baseline: full-text search (a weighted `tsvector`, a GIN index,
//! `websearch_to_tsquery` ranked by `ts_rank_cd`) plus pgvector HNSW over the same
//! documents and embeddings our engine indexes, queried the way an application would.
//!
//! Every [`PgBaseline`] works in a fresh schema of its own (`intellicv_bench_<uuid>`),
//! dropped by [`PgBaseline::close`]. Vectors travel as pgvector text literals
//! (`'[0.1,0.2]'::vector`), so no pgvector client crate is needed.
//! `scripts/pgvector-server.sh start` runs a server that has pgvector.

use intellicv_app::telemetry::spawn_blocking_with_span;
use std::fmt::Write as _;
use std::sync::OnceLock;
use std::time::Instant;

use serde::Serialize;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{Executor, Row};

use super::BenchError;

/// The text search configuration both the index and the queries use.
const TS_CONFIG: &str = "english";

/// Index and query parameters of the baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PgBaselineConfig {
    /// Pool size; at least the concurrency the benchmark queries with.
    pub max_connections: u32,
    /// HNSW graph degree (`m`), pgvector's default 16.
    pub hnsw_m: u32,
    /// HNSW build beam (`ef_construction`), pgvector's default 64.
    pub hnsw_ef_construction: u32,
    /// HNSW search beam (`hnsw.ef_search`, set on every connection). pgvector's HNSW scan
    /// returns at most this many rows, so it bounds `k` of vector queries.
    pub hnsw_ef_search: u32,
    /// Reciprocal rank fusion constant: a document at rank r in a list scores 1/(k + r).
    pub rrf_k: u32,
    /// How many documents each list contributes to hybrid fusion (at least `k`).
    pub hybrid_candidates: u32,
    /// `maintenance_work_mem` for the index builds, in MiB (the HNSW graph should fit).
    pub maintenance_work_mem_mb: u32,
    /// Rows per INSERT statement while loading.
    pub insert_batch: usize,
}

impl Default for PgBaselineConfig {
    fn default() -> Self {
        Self {
            max_connections: 8,
            hnsw_m: 16,
            hnsw_ef_construction: 64,
            hnsw_ef_search: 100,
            rrf_k: 60,
            hybrid_candidates: 100,
            maintenance_work_mem_mb: 512,
            insert_batch: 500,
        }
    }
}

impl PgBaselineConfig {
    fn validate(&self) -> Result<(), BenchError> {
        let fail = |reason: String| Err(BenchError::invalid(reason));
        if self.max_connections == 0 || self.insert_batch == 0 {
            return fail("max_connections and insert_batch must be at least 1".into());
        }
        if !(2..=100).contains(&self.hnsw_m) {
            return fail(format!("hnsw_m must be in 2..=100, got {}", self.hnsw_m));
        }
        if self.hnsw_ef_construction < 2 * self.hnsw_m || self.hnsw_ef_construction > 1000 {
            return fail(format!(
                "hnsw_ef_construction must be in 2*m..=1000, got {}",
                self.hnsw_ef_construction
            ));
        }
        if !(1..=1000).contains(&self.hnsw_ef_search) {
            return fail(format!(
                "hnsw_ef_search must be in 1..=1000, got {}",
                self.hnsw_ef_search
            ));
        }
        if self.hybrid_candidates > self.hnsw_ef_search {
            return fail(format!(
                "hybrid_candidates ({}) cannot exceed hnsw_ef_search ({})",
                self.hybrid_candidates, self.hnsw_ef_search
            ));
        }
        Ok(())
    }
}

/// One document as the baseline stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct BaselineDoc {
    pub id: i64,
    pub title: String,
    pub body: String,
    /// The document's embedding (all documents of a load have the same dimension).
    pub vector: Vec<f32>,
}

/// What loading cost, and how big the table and indexes are.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoadReport {
    pub docs: usize,
    pub dimension: usize,
    /// Rows inserted (tsvector computed on insert), one transaction.
    pub insert_secs: f64,
    pub gin_build_secs: f64,
    pub hnsw_build_secs: f64,
    pub analyze_secs: f64,
    /// Insert + index builds + analyze.
    pub total_secs: f64,
    /// Heap and TOAST of the table.
    pub table_bytes: i64,
    pub gin_bytes: i64,
    pub hnsw_bytes: i64,
}

/// PostgreSQL FTS + pgvector over one set of documents, in a schema of its own.
pub struct PgBaseline {
    pool: PgPool,
    schema: String,
    config: PgBaselineConfig,
    dimension: OnceLock<usize>,
}

impl PgBaseline {
    /// Connects with the default [`PgBaselineConfig`].
    pub async fn connect(url: &str) -> Result<Self, BenchError> {
        Self::connect_with(url, PgBaselineConfig::default()).await
    }

    /// Connects, makes sure the `vector` extension is installed in the database (fails
    /// with [`BenchError::VectorExtensionMissing`] if it cannot be) and creates a fresh
    /// schema for this baseline.
    pub async fn connect_with(url: &str, config: PgBaselineConfig) -> Result<Self, BenchError> {
        config.validate()?;
        let set_ef_search = format!("SET hnsw.ef_search = {}", config.hnsw_ef_search);
        let pool = PgPoolOptions::new()
            .max_connections(config.max_connections)
            .after_connect(move |conn, _meta| {
                let sql = set_ef_search.clone();
                Box::pin(async move { conn.execute(sql.as_str()).await.map(drop) })
            })
            .connect(url)
            .await
            .map_err(BenchError::Connect)?;
        ensure_vector_extension(&pool).await?;
        let schema = format!("intellicv_bench_{}", uuid::Uuid::new_v4().simple());
        pool.execute(format!("CREATE SCHEMA {schema}").as_str())
            .await
            .map_err(BenchError::db("creating the baseline schema"))?;
        tracing::info!(bench.schema = %schema, "pg baseline connected");
        Ok(Self {
            pool,
            schema,
            config,
            dimension: OnceLock::new(),
        })
    }

    pub fn schema(&self) -> &str {
        &self.schema
    }

    pub fn config(&self) -> &PgBaselineConfig {
        &self.config
    }

    /// Loads `docs` into a new table, then builds the GIN index on the weighted tsvector
    /// (title A, body B) and the HNSW index (`vector_cosine_ops`) and analyzes the table.
    /// A baseline is loaded once; connect again for another document set.
    pub async fn load(&self, docs: &[BaselineDoc]) -> Result<LoadReport, BenchError> {
        if self.dimension.get().is_some() {
            return Err(BenchError::invalid(
                "this baseline is already loaded; connect again for a fresh table",
            ));
        }
        let dimension = docs
            .first()
            .map(|d| d.vector.len())
            .ok_or_else(|| BenchError::invalid("no documents to load"))?;
        // Checking and formatting millions of floats is CPU work: off the runtime.
        let batches = {
            let docs = docs.to_vec();
            let batch = self.config.insert_batch;
            spawn_blocking_with_span(move || insert_batches(&docs, dimension, batch))
                .await
                .map_err(|e| BenchError::invalid(format!("formatting vectors failed: {e}")))??
        };
        let s = &self.schema;
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(BenchError::db("acquiring a connection"))?;
        conn.execute(
            format!(
                "CREATE TABLE {s}.docs (
                     id bigint PRIMARY KEY,
                     title text NOT NULL,
                     body text NOT NULL,
                     tsv tsvector GENERATED ALWAYS AS (
                         setweight(to_tsvector('{TS_CONFIG}', title), 'A')
                         || setweight(to_tsvector('{TS_CONFIG}', body), 'B')) STORED,
                     embedding vector({dimension}) NOT NULL)"
            )
            .as_str(),
        )
        .await
        .map_err(BenchError::db("creating the baseline table"))?;

        let started = Instant::now();
        let insert = format!(
            "INSERT INTO {s}.docs (id, title, body, embedding)
             SELECT id, title, body, embedding::vector
             FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[])
                 AS u(id, title, body, embedding)"
        );
        let mut tx = sqlx::Connection::begin(&mut *conn)
            .await
            .map_err(BenchError::db("starting the load transaction"))?;
        for b in batches {
            sqlx::query(&insert)
                .bind(b.ids)
                .bind(b.titles)
                .bind(b.bodies)
                .bind(b.vectors)
                .execute(&mut *tx)
                .await
                .map_err(BenchError::db("inserting documents"))?;
        }
        tx.commit()
            .await
            .map_err(BenchError::db("committing the load"))?;
        let insert_secs = started.elapsed().as_secs_f64();

        let mem = self.config.maintenance_work_mem_mb;
        conn.execute(format!("SET maintenance_work_mem = '{mem}MB'").as_str())
            .await
            .map_err(BenchError::db("setting maintenance_work_mem"))?;
        let t = Instant::now();
        conn.execute(format!("CREATE INDEX docs_tsv ON {s}.docs USING gin (tsv)").as_str())
            .await
            .map_err(BenchError::db("building the GIN index"))?;
        let gin_build_secs = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let (m, efc) = (self.config.hnsw_m, self.config.hnsw_ef_construction);
        conn.execute(
            format!(
                "CREATE INDEX docs_embedding ON {s}.docs USING hnsw (embedding vector_cosine_ops)
                 WITH (m = {m}, ef_construction = {efc})"
            )
            .as_str(),
        )
        .await
        .map_err(BenchError::db("building the HNSW index"))?;
        let hnsw_build_secs = t.elapsed().as_secs_f64();
        let t = Instant::now();
        conn.execute(format!("ANALYZE {s}.docs").as_str())
            .await
            .map_err(BenchError::db("analyzing the table"))?;
        let analyze_secs = t.elapsed().as_secs_f64();
        let total_secs = started.elapsed().as_secs_f64();

        let sizes = sqlx::query(&format!(
            "SELECT pg_table_size('{s}.docs'), pg_relation_size('{s}.docs_tsv'),
                    pg_relation_size('{s}.docs_embedding')"
        ))
        .fetch_one(&mut *conn)
        .await
        .map_err(BenchError::db("reading relation sizes"))?;
        let report = LoadReport {
            docs: docs.len(),
            dimension,
            insert_secs,
            gin_build_secs,
            hnsw_build_secs,
            analyze_secs,
            total_secs,
            table_bytes: sizes.get(0),
            gin_bytes: sizes.get(1),
            hnsw_bytes: sizes.get(2),
        };
        self.dimension
            .set(dimension)
            .map_err(|_| BenchError::invalid("this baseline was loaded twice at the same time"))?;
        tracing::info!(
            bench.schema = %s,
            docs = report.docs,
            insert_ms = (insert_secs * 1e3) as u64,
            gin_ms = (gin_build_secs * 1e3) as u64,
            hnsw_ms = (hnsw_build_secs * 1e3) as u64,
            "pg baseline loaded"
        );
        Ok(report)
    }

    /// Full-text search: `websearch_to_tsquery` matched against the GIN index, ranked by
    /// `ts_rank_cd` (title weighs more than body). Scores are `ts_rank_cd` values.
    pub async fn search_text(&self, q: &str, k: usize) -> Result<Vec<(i64, f32)>, BenchError> {
        let sql = format!(
            "SELECT id, ts_rank_cd(tsv, query) AS score
             FROM {s}.docs, websearch_to_tsquery('{TS_CONFIG}', $1) AS query
             WHERE tsv @@ query
             ORDER BY score DESC, id
             LIMIT $2",
            s = self.schema
        );
        self.hits(
            &sql,
            |query| query.bind(q).bind(k as i64),
            "running a text query",
        )
        .await
    }

    /// Nearest neighbours by cosine distance through the HNSW index. Scores are cosine
    /// similarities (1 - distance). `k` may not exceed `hnsw_ef_search`.
    pub async fn search_vector(&self, v: &[f32], k: usize) -> Result<Vec<(i64, f32)>, BenchError> {
        let literal = self.query_vector(v, k)?;
        let sql = format!(
            "SELECT id, (1 - (embedding <=> $1::vector))::real AS score
             FROM {s}.docs
             ORDER BY embedding <=> $1::vector
             LIMIT $2",
            s = self.schema
        );
        self.hits(
            &sql,
            |query| query.bind(literal).bind(k as i64),
            "running a vector query",
        )
        .await
    }

    /// Text and vector search in one statement, fused with reciprocal rank fusion: each
    /// list contributes its top `max(k, hybrid_candidates)` documents and a document
    /// scores the sum of 1/(rrf_k + rank) over the lists it is in.
    pub async fn search_hybrid(
        &self,
        q: &str,
        v: &[f32],
        k: usize,
    ) -> Result<Vec<(i64, f32)>, BenchError> {
        let literal = self.query_vector(v, k)?;
        let candidates = k.max(self.config.hybrid_candidates as usize) as i64;
        let sql = format!(
            "WITH query AS (SELECT websearch_to_tsquery('{TS_CONFIG}', $1) AS q),
             lexical AS (
                 SELECT id, row_number() OVER (ORDER BY score DESC, id) AS rank
                 FROM (SELECT d.id, ts_rank_cd(d.tsv, query.q) AS score
                       FROM {s}.docs d, query
                       WHERE d.tsv @@ query.q
                       ORDER BY score DESC, d.id
                       LIMIT $3) l),
             semantic AS (
                 SELECT id, row_number() OVER (ORDER BY distance, id) AS rank
                 FROM (SELECT id, embedding <=> $2::vector AS distance
                       FROM {s}.docs
                       ORDER BY embedding <=> $2::vector
                       LIMIT $3) v)
             SELECT COALESCE(l.id, v.id) AS id,
                    (COALESCE(1.0 / ($4 + l.rank), 0)
                     + COALESCE(1.0 / ($4 + v.rank), 0))::real AS score
             FROM lexical l FULL OUTER JOIN semantic v ON l.id = v.id
             ORDER BY score DESC, id
             LIMIT $5",
            s = self.schema
        );
        let rrf_k = f64::from(self.config.rrf_k);
        self.hits(
            &sql,
            |query| {
                query
                    .bind(q)
                    .bind(literal)
                    .bind(candidates)
                    .bind(rrf_k)
                    .bind(k as i64)
            },
            "running a hybrid query",
        )
        .await
    }

    /// Drops this baseline's schema and closes the pool.
    pub async fn close(self) -> Result<(), BenchError> {
        let result = self
            .pool
            .execute(format!("DROP SCHEMA {} CASCADE", self.schema).as_str())
            .await
            .map(drop)
            .map_err(BenchError::db("dropping the baseline schema"));
        self.pool.close().await;
        result
    }

    /// Checks a query vector against the loaded dimension and `k` against ef_search, and
    /// formats it as a pgvector literal.
    fn query_vector(&self, v: &[f32], k: usize) -> Result<String, BenchError> {
        let dimension = *self
            .dimension
            .get()
            .ok_or_else(|| BenchError::invalid("nothing is loaded yet"))?;
        if v.len() != dimension {
            return Err(BenchError::invalid(format!(
                "query vector has {} dimensions, the documents {dimension}",
                v.len()
            )));
        }
        if k > self.config.hnsw_ef_search as usize {
            return Err(BenchError::invalid(format!(
                "k = {k} exceeds hnsw_ef_search = {}, the most pgvector's HNSW scan returns",
                self.config.hnsw_ef_search
            )));
        }
        vector_literal(v)
    }

    async fn hits<'q>(
        &self,
        sql: &'q str,
        bind: impl FnOnce(
            sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
        )
            -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
        action: &'static str,
    ) -> Result<Vec<(i64, f32)>, BenchError> {
        let rows = bind(sqlx::query(sql))
            .fetch_all(&self.pool)
            .await
            .map_err(BenchError::db(action))?;
        rows.iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(BenchError::db(action))
    }
}

async fn ensure_vector_extension(pool: &PgPool) -> Result<(), BenchError> {
    let available: Option<String> = sqlx::query_scalar(
        "SELECT default_version FROM pg_available_extensions WHERE name = 'vector'",
    )
    .fetch_optional(pool)
    .await
    .map_err(BenchError::db("looking for the vector extension"))?;
    if available.is_none() {
        return Err(BenchError::VectorExtensionMissing {
            reason: "the server has no 'vector' extension installed".into(),
        });
    }
    if let Err(e) = pool.execute("CREATE EXTENSION IF NOT EXISTS vector").await {
        // Another connection may have created it at the same moment.
        let installed: Option<i32> =
            sqlx::query_scalar("SELECT 1 FROM pg_extension WHERE extname = 'vector'")
                .fetch_optional(pool)
                .await
                .map_err(BenchError::db("looking for the vector extension"))?;
        if installed.is_none() {
            return Err(BenchError::VectorExtensionMissing {
                reason: format!("CREATE EXTENSION vector failed: {e}"),
            });
        }
    }
    Ok(())
}

/// One INSERT's worth of columns.
#[derive(Debug)]
struct InsertBatch {
    ids: Vec<i64>,
    titles: Vec<String>,
    bodies: Vec<String>,
    vectors: Vec<String>,
}

fn insert_batches(
    docs: &[BaselineDoc],
    dimension: usize,
    batch: usize,
) -> Result<Vec<InsertBatch>, BenchError> {
    if dimension == 0 {
        return Err(BenchError::invalid("document vectors are empty"));
    }
    docs.chunks(batch)
        .map(|chunk| {
            let mut b = InsertBatch {
                ids: Vec::with_capacity(chunk.len()),
                titles: Vec::with_capacity(chunk.len()),
                bodies: Vec::with_capacity(chunk.len()),
                vectors: Vec::with_capacity(chunk.len()),
            };
            for d in chunk {
                if d.vector.len() != dimension {
                    return Err(BenchError::invalid(format!(
                        "document {} has {} dimensions, the first document {dimension}",
                        d.id,
                        d.vector.len()
                    )));
                }
                b.ids.push(d.id);
                b.titles.push(d.title.clone());
                b.bodies.push(d.body.clone());
                b.vectors
                    .push(vector_literal(&d.vector).map_err(|e| match e {
                        BenchError::InvalidInput { reason } => {
                            BenchError::invalid(format!("document {}: {reason}", d.id))
                        }
                        other => other,
                    })?);
            }
            Ok(b)
        })
        .collect()
}

/// `[0.1,0.2,...]`, the text form pgvector parses; every component must be finite.
fn vector_literal(v: &[f32]) -> Result<String, BenchError> {
    let mut s = String::with_capacity(v.len() * 12 + 2);
    s.push('[');
    for (i, x) in v.iter().enumerate() {
        if !x.is_finite() {
            return Err(BenchError::invalid(format!(
                "vector component {i} is not finite ({x})"
            )));
        }
        if i > 0 {
            s.push(',');
        }
        write!(s, "{x}").expect("writing to a String cannot fail");
    }
    s.push(']');
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vector_literal_is_pgvector_text_form_and_round_trips() {
        let v = [0.1f32, -2.5, 1e-7, 3.0];
        let lit = vector_literal(&v).unwrap();
        assert_eq!(lit, "[0.1,-2.5,0.0000001,3]");
        let parsed: Vec<f32> = lit[1..lit.len() - 1]
            .split(',')
            .map(|x| x.parse().unwrap())
            .collect();
        assert_eq!(parsed, v);
    }

    #[test]
    fn vector_literal_rejects_non_finite_components() {
        let err = vector_literal(&[0.0, f32::NAN]).unwrap_err();
        assert!(err.to_string().contains("component 1"), "{err}");
    }

    #[test]
    fn insert_batches_split_and_check_dimensions() {
        let doc = |id, dims| BaselineDoc {
            id,
            title: format!("t{id}"),
            body: "b".into(),
            vector: vec![0.5; dims],
        };
        let docs: Vec<_> = (0..5).map(|i| doc(i, 3)).collect();
        let batches = insert_batches(&docs, 3, 2).unwrap();
        let sizes: Vec<usize> = batches.iter().map(|b| b.ids.len()).collect();
        assert_eq!(sizes, [2, 2, 1]);
        assert_eq!(batches[2].vectors[0], "[0.5,0.5,0.5]");

        let mut mixed = docs.clone();
        mixed.push(doc(9, 4));
        let err = insert_batches(&mixed, 3, 2).unwrap_err();
        assert!(
            err.to_string().contains("document 9 has 4 dimensions"),
            "{err}"
        );
    }

    #[test]
    fn config_rejects_candidates_beyond_ef_search() {
        let config = PgBaselineConfig {
            hybrid_candidates: 200,
            ..Default::default()
        };
        assert!(matches!(
            config.validate(),
            Err(BenchError::InvalidInput { .. })
        ));
        assert!(PgBaselineConfig::default().validate().is_ok());
    }
}
