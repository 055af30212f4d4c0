//! Benchmarks of the search engine: latency and throughput measurement shared by every
//! engine under test, and the PostgreSQL baseline (full-text search with tsvector/GIN and
//! pgvector HNSW) that `intellicv-lab bench search` runs side by side with our own engine.

pub mod api_load;
mod error;
mod latency;
pub mod pg_baseline;

pub use error::BenchError;
pub use latency::{LatencyStats, QueryKindReport, measure_query_kind, run_queries};
pub use pg_baseline::{BaselineDoc, LoadReport, PgBaseline, PgBaselineConfig};
