//! Latency percentiles and throughput of a list of queries, run one at a time and from
//! N concurrent tasks. Generic over the engine: anything that answers a query with an
//! async closure can be measured (our engine, the PostgreSQL baseline).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::{Serialize, Serializer};
use tokio::task::JoinSet;

use super::BenchError;

/// Latency percentiles (nearest rank) and throughput of one run of queries.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LatencyStats {
    pub count: usize,
    #[serde(rename = "mean_ms", serialize_with = "as_ms")]
    pub mean: Duration,
    #[serde(rename = "p50_ms", serialize_with = "as_ms")]
    pub p50: Duration,
    #[serde(rename = "p95_ms", serialize_with = "as_ms")]
    pub p95: Duration,
    #[serde(rename = "p99_ms", serialize_with = "as_ms")]
    pub p99: Duration,
    #[serde(rename = "max_ms", serialize_with = "as_ms")]
    pub max: Duration,
    /// Queries answered per second of wall-clock time.
    pub qps: f64,
}

fn as_ms<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1000.0)
}

impl LatencyStats {
    /// Statistics of `samples` (one latency per query) answered in `wall` time in all.
    /// `None` when there are no samples.
    pub fn from_samples(samples: &[Duration], wall: Duration) -> Option<Self> {
        if samples.is_empty() {
            return None;
        }
        let mut sorted = samples.to_vec();
        sorted.sort_unstable();
        let n = sorted.len();
        let total: Duration = sorted.iter().sum();
        let percentile = |p: usize| sorted[(p * n).div_ceil(100).max(1) - 1];
        Some(Self {
            count: n,
            mean: total / n as u32,
            p50: percentile(50),
            p95: percentile(95),
            p99: percentile(99),
            max: sorted[n - 1],
            qps: n as f64 / wall.as_secs_f64().max(f64::MIN_POSITIVE),
        })
    }
}

/// One query kind measured one query at a time and from `concurrency` tasks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QueryKindReport {
    pub sequential: LatencyStats,
    pub concurrency: usize,
    pub concurrent: LatencyStats,
}

/// Runs every query in `queries` once, from `concurrency` tokio tasks that take the next
/// query from a shared counter (1 = one after another), timing each call of `query`.
/// The first failing query ends the run with its error; a panicking query panics here.
pub async fn run_queries<Q, F, Fut, T, E>(
    queries: &[Q],
    concurrency: usize,
    query: F,
) -> Result<LatencyStats, BenchError>
where
    Q: Clone + Send + Sync + 'static,
    F: Fn(Q) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + 'static,
    E: std::error::Error + Send + Sync + 'static,
{
    run_shared(queries.into(), concurrency, Arc::new(query)).await
}

/// Measures one query kind: `warmup` queries (from the start of the list, results
/// discarded), then the whole list one at a time, then from `concurrency` tasks.
pub async fn measure_query_kind<Q, F, Fut, T, E>(
    queries: &[Q],
    warmup: usize,
    concurrency: usize,
    query: F,
) -> Result<QueryKindReport, BenchError>
where
    Q: Clone + Send + Sync + 'static,
    F: Fn(Q) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + 'static,
    E: std::error::Error + Send + Sync + 'static,
{
    let queries: Arc<[Q]> = queries.into();
    let query = Arc::new(query);
    let warmup = warmup.min(queries.len());
    if warmup > 0 {
        run_shared(queries[..warmup].into(), 1, query.clone()).await?;
    }
    let sequential = run_shared(queries.clone(), 1, query.clone()).await?;
    let concurrent = run_shared(queries, concurrency, query).await?;
    Ok(QueryKindReport {
        sequential,
        concurrency,
        concurrent,
    })
}

async fn run_shared<Q, F, Fut, T, E>(
    queries: Arc<[Q]>,
    concurrency: usize,
    query: Arc<F>,
) -> Result<LatencyStats, BenchError>
where
    Q: Clone + Send + Sync + 'static,
    F: Fn(Q) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + 'static,
    E: std::error::Error + Send + Sync + 'static,
{
    if queries.is_empty() {
        return Err(BenchError::invalid("no queries to run"));
    }
    if concurrency == 0 {
        return Err(BenchError::invalid("concurrency must be at least 1"));
    }
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for _ in 0..concurrency.min(queries.len()) {
        let (queries, query, next) = (queries.clone(), query.clone(), next.clone());
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(q) = queries.get(i).cloned() else {
                    return Ok(latencies);
                };
                let t = Instant::now();
                query(q).await.map_err(|e| BenchError::Query(Box::new(e)))?;
                latencies.push(t.elapsed());
            }
        });
    }
    let mut samples = Vec::with_capacity(queries.len());
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(latencies) => samples.extend(latencies?),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(e) => return Err(BenchError::Query(Box::new(e))),
        }
    }
    let wall = started.elapsed();
    LatencyStats::from_samples(&samples, wall)
        .ok_or_else(|| BenchError::invalid("no query completed"))
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn stats_of_one_to_a_hundred_ms_are_the_nearest_ranks() {
        let mut samples: Vec<Duration> = (1..=100).rev().map(ms).collect();
        samples.swap(3, 70);
        let s = LatencyStats::from_samples(&samples, Duration::from_secs(2)).unwrap();
        assert_eq!(s.count, 100);
        assert_eq!(s.p50, ms(50));
        assert_eq!(s.p95, ms(95));
        assert_eq!(s.p99, ms(99));
        assert_eq!(s.max, ms(100));
        assert_eq!(s.mean, Duration::from_micros(50_500));
        assert!((s.qps - 50.0).abs() < 1e-9);
    }

    #[test]
    fn stats_of_a_single_sample_are_that_sample() {
        let s = LatencyStats::from_samples(&[ms(7)], ms(7)).unwrap();
        assert_eq!(
            (s.p50, s.p95, s.p99, s.max, s.mean),
            (ms(7), ms(7), ms(7), ms(7), ms(7))
        );
        assert!((s.qps - 1000.0 / 7.0).abs() < 1e-6);
    }

    #[test]
    fn small_sets_take_the_upper_sample_for_high_percentiles() {
        let s = LatencyStats::from_samples(&[ms(1), ms(2), ms(3), ms(40)], ms(46)).unwrap();
        assert_eq!(s.p50, ms(2));
        assert_eq!(s.p95, ms(40));
        assert_eq!(s.p99, ms(40));
    }

    #[test]
    fn stats_of_no_samples_are_none() {
        assert!(LatencyStats::from_samples(&[], ms(1)).is_none());
    }

    #[test]
    fn stats_serialize_in_milliseconds() {
        let s = LatencyStats::from_samples(&[ms(2), ms(4)], ms(6)).unwrap();
        let json = serde_json::to_value(s).unwrap();
        assert_eq!(json["p50_ms"], 2.0);
        assert_eq!(json["max_ms"], 4.0);
        assert_eq!(json["count"], 2);
    }

    #[derive(Debug, thiserror::Error)]
    #[error("query {0} failed")]
    struct Failed(usize);

    async fn sleepy(q: usize) -> Result<usize, Failed> {
        tokio::time::sleep(ms(10)).await;
        Ok(q)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_query_runs_once_and_concurrency_raises_throughput() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let queries: Vec<usize> = (0..16).collect();
        let concurrent = run_queries(&queries, 4, move |q| {
            log.lock().unwrap().push(q);
            sleepy(q)
        })
        .await
        .unwrap();
        let mut seen = seen.lock().unwrap().clone();
        seen.sort_unstable();
        assert_eq!(seen, queries);
        assert_eq!(concurrent.count, 16);
        assert!(concurrent.p50 >= ms(10));

        let sequential = run_queries(&queries, 1, sleepy).await.unwrap();
        assert!(
            concurrent.qps > 1.5 * sequential.qps,
            "4 tasks: {:.1} q/s, 1 task: {:.1} q/s",
            concurrent.qps,
            sequential.qps
        );
    }

    #[tokio::test]
    async fn a_failing_query_ends_the_run_with_its_error() {
        let queries: Vec<usize> = (0..5).collect();
        let err = run_queries(&queries, 2, |q| async move {
            if q == 3 { Err(Failed(q)) } else { Ok(q) }
        })
        .await
        .unwrap_err();
        assert!(matches!(err, BenchError::Query(_)), "{err:?}");
        assert_eq!(err.to_string(), "benchmark query failed: query 3 failed");
    }

    #[tokio::test]
    async fn an_empty_query_list_or_zero_tasks_is_invalid_input() {
        let none: Vec<usize> = Vec::new();
        let err = run_queries(&none, 1, sleepy).await.unwrap_err();
        assert!(matches!(err, BenchError::InvalidInput { .. }), "{err:?}");
        let err = run_queries(&[1usize], 0, sleepy).await.unwrap_err();
        assert!(matches!(err, BenchError::InvalidInput { .. }), "{err:?}");
    }

    #[tokio::test]
    async fn measure_query_kind_reports_both_runs_after_the_warmup() {
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        let queries: Vec<usize> = (0..6).collect();
        let report = measure_query_kind(&queries, 2, 3, move |q| {
            counter.fetch_add(1, Ordering::Relaxed);
            sleepy(q)
        })
        .await
        .unwrap();
        assert_eq!(calls.load(Ordering::Relaxed), 2 + 6 + 6);
        assert_eq!(report.sequential.count, 6);
        assert_eq!(report.concurrent.count, 6);
        assert_eq!(report.concurrency, 3);
    }
}
