//! Prometheus metrics of one application: HTTP requests per route, rate-limit refusals,
//! the search engine's caches and index sizes, embedding latency, and background jobs
//! (queue depth per status, attempt durations and outcomes per kind).
//!
//! Each application owns its registry (tests run several in one process). Values the
//! engine already counts (cache hits, documents per index) are read when scraped, not
//! copied on every change.

use std::sync::Arc;
use std::time::Duration;

use prometheus::core::{Collector, Desc};
use prometheus::proto::MetricFamily;
use prometheus::{
    Encoder, GaugeVec, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

use intellicv_search::{Collection, SearchEngine};

/// Latency buckets of HTTP requests, in seconds.
const HTTP_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
    rate_limited: IntCounterVec,
    jobs_by_status: IntGaugeVec,
    jobs_finished: IntCounterVec,
    job_duration: HistogramVec,
}

/// Durations of background job attempts, in seconds.
const JOB_BUCKETS: [f64; 10] = [
    0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 14400.0,
];

/// The statuses of background jobs, each reported even when no job has it.
const JOB_STATUSES: [&str; 5] = ["queued", "running", "succeeded", "failed", "dead"];

impl Metrics {
    /// A registry with the HTTP metrics, the engine's collector and the embedder's latency
    /// histogram.
    pub fn new(search: Arc<SearchEngine>) -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("intellicv".into()), None)?;
        let labels = ["method", "route", "status_class"];
        let http_requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests answered, per route template",
            ),
            &labels,
        )?;
        let http_duration = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time to answer an HTTP request, per route template",
            )
            .buckets(HTTP_BUCKETS.to_vec()),
            &labels,
        )?;
        let rate_limited = IntCounterVec::new(
            Opts::new(
                "http_rate_limited_total",
                "Requests refused with 429, per limit (ip, user, auth)",
            ),
            &["scope"],
        )?;
        let jobs_by_status = IntGaugeVec::new(
            Opts::new(
                "background_jobs",
                "Background jobs per status (queued is the queue depth), read at scrape time",
            ),
            &["status"],
        )?;
        let jobs_finished = IntCounterVec::new(
            Opts::new(
                "background_job_attempts_total",
                "Background job attempts that ended, per kind and outcome (succeeded, \
                 retried, failed, dead)",
            ),
            &["kind", "outcome"],
        )?;
        let job_duration = HistogramVec::new(
            HistogramOpts::new(
                "background_job_duration_seconds",
                "Time one attempt of a background job took, per kind and outcome",
            )
            .buckets(JOB_BUCKETS.to_vec()),
            &["kind", "outcome"],
        )?;
        registry.register(Box::new(jobs_by_status.clone()))?;
        registry.register(Box::new(jobs_finished.clone()))?;
        registry.register(Box::new(job_duration.clone()))?;
        registry.register(Box::new(http_requests.clone()))?;
        registry.register(Box::new(http_duration.clone()))?;
        registry.register(Box::new(rate_limited.clone()))?;
        registry.register(Box::new(search.embedder().latency().clone()))?;
        registry.register(Box::new(EngineCollector::new(search)?))?;
        Ok(Self {
            registry,
            http_requests,
            http_duration,
            rate_limited,
            jobs_by_status,
            jobs_finished,
            job_duration,
        })
    }

    /// Counts one ended attempt of a background job. `kind` and `outcome` come from fixed
    /// sets (job kinds, attempt outcomes), so labels stay bounded.
    pub fn observe_job(&self, kind: &str, outcome: &str, elapsed: Duration) {
        let labels = [kind, outcome];
        self.jobs_finished.with_label_values(&labels).inc();
        self.job_duration
            .with_label_values(&labels)
            .observe(elapsed.as_secs_f64());
    }

    /// Sets the per-status job gauges from counts read from the database.
    pub fn set_job_counts(&self, counts: &[(String, i64)]) {
        for status in JOB_STATUSES {
            let n = counts
                .iter()
                .find(|(s, _)| s == status)
                .map_or(0, |(_, n)| *n);
            self.jobs_by_status.with_label_values(&[status]).set(n);
        }
    }

    /// Counts one answered request. `route` must be a route template (bounded), not a path.
    pub fn observe_request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let class = match status {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        let labels = [method, route, class];
        self.http_requests.with_label_values(&labels).inc();
        self.http_duration
            .with_label_values(&labels)
            .observe(elapsed.as_secs_f64());
    }

    /// The registry, for parts that keep counters of their own (the event hub, the
    /// usage recorder).
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    pub fn rate_limited(&self, scope: &str) {
        self.rate_limited.with_label_values(&[scope]).inc();
    }

    /// Every metric in the text exposition format.
    pub fn render(&self) -> Result<String, prometheus::Error> {
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
        String::from_utf8(out).map_err(|e| prometheus::Error::Msg(e.to_string()))
    }
}

/// Reads the engine's counters at scrape time.
struct EngineCollector {
    search: Arc<SearchEngine>,
    cache_lookups: IntCounterVecTemplate,
    cache_hit_ratio: GaugeVec,
    index_documents: IntGaugeVec,
    descs: Vec<Desc>,
}

/// Counters rebuilt from the engine's totals on every scrape.
struct IntCounterVecTemplate {
    opts: Opts,
    labels: [&'static str; 2],
}

impl IntCounterVecTemplate {
    fn build(&self) -> IntCounterVec {
        IntCounterVec::new(self.opts.clone(), &self.labels).expect("valid metric")
    }
}

impl EngineCollector {
    fn new(search: Arc<SearchEngine>) -> Result<Self, prometheus::Error> {
        let cache_lookups = IntCounterVecTemplate {
            opts: Opts::new(
                "cache_lookups_total",
                "Lookups in the search result cache (cache=search_results) and the query \
                 embedding cache (cache=query_embeddings), by result (hit, miss)",
            ),
            labels: ["cache", "result"],
        };
        let cache_hit_ratio = GaugeVec::new(
            Opts::new(
                "cache_hit_ratio",
                "Hits over lookups since start, per cache (0 before the first lookup)",
            ),
            &["cache"],
        )?;
        let index_documents = IntGaugeVec::new(
            Opts::new(
                "index_documents",
                "Documents per collection (jobs, resumes) and index (text, vector, title_vector)",
            ),
            &["collection", "index"],
        )?;
        let mut descs = Vec::new();
        descs.extend(cache_lookups.build().desc().into_iter().cloned());
        descs.extend(cache_hit_ratio.desc().into_iter().cloned());
        descs.extend(index_documents.desc().into_iter().cloned());
        Ok(Self {
            search,
            cache_lookups,
            cache_hit_ratio,
            index_documents,
            descs,
        })
    }
}

impl Collector for EngineCollector {
    fn desc(&self) -> Vec<&Desc> {
        self.descs.iter().collect()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        let results = self.search.cache_stats();
        let queries = self.search.query_cache_stats();
        let lookups = self.cache_lookups.build();
        let ratio = &self.cache_hit_ratio;
        for (cache, hits, misses) in [
            ("search_results", results.hits, results.misses),
            ("query_embeddings", queries.hits, queries.misses),
        ] {
            lookups.with_label_values(&[cache, "hit"]).inc_by(hits);
            lookups.with_label_values(&[cache, "miss"]).inc_by(misses);
            let total = hits + misses;
            let value = if total == 0 {
                0.0
            } else {
                hits as f64 / total as f64
            };
            ratio.with_label_values(&[cache]).set(value);
        }
        let generation = self.search.generation();
        for c in [Collection::Jobs, Collection::Resumes] {
            let index = generation.collection(c);
            let sizes = [
                ("text", index.text.num_docs() as i64),
                ("vector", index.vectors.len() as i64),
                ("title_vector", index.titles.len() as i64),
            ];
            for (name, size) in sizes {
                self.index_documents
                    .with_label_values(&[c.as_str(), name])
                    .set(size);
            }
        }
        let mut families = lookups.collect();
        families.extend(ratio.collect());
        families.extend(self.index_documents.collect());
        families
    }
}
