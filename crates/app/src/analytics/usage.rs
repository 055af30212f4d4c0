//! Usage events (searches, match requests) recorded without slowing the request: the
//! handler puts the event in a bounded channel (never waiting) and one task drains it,
//! writing batches to `analytics_events`. When the channel is full the event is dropped
//! and counted (`intellicv_usage_events_dropped_total`).

use std::sync::{Arc, Mutex};

use chrono::Utc;
use prometheus::{IntCounter, Registry};
use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::AnalyticsSettings;
use intellicv_store::{NewUsageEvent, Store};

/// The kinds of usage event, as stored in `analytics_events.event_type`.
pub mod kinds {
    pub const SEARCH: &str = "search";
    pub const MATCH: &str = "match";
}

/// Counters of the recorder.
struct UsageMetrics {
    recorded: IntCounter,
    dropped: IntCounter,
    failed: IntCounter,
}

/// The recorder of one process.
pub struct UsageRecorder {
    tx: mpsc::Sender<NewUsageEvent>,
    metrics: Arc<UsageMetrics>,
    stop: watch::Sender<bool>,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl UsageRecorder {
    /// Starts the task that writes recorded events to `store`.
    pub fn start(store: Store, settings: &AnalyticsSettings) -> Arc<Self> {
        let (tx, rx) = mpsc::channel(settings.usage_buffer.max(1));
        let (stop, stopped) = watch::channel(false);
        let metrics = Arc::new(UsageMetrics {
            recorded: IntCounter::new(
                "usage_events_recorded_total",
                "Usage events (searches, match requests) written to the database",
            )
            .expect("valid metric"),
            dropped: IntCounter::new(
                "usage_events_dropped_total",
                "Usage events dropped because the recording buffer was full",
            )
            .expect("valid metric"),
            failed: IntCounter::new(
                "usage_events_failed_total",
                "Usage events lost because writing their batch failed",
            )
            .expect("valid metric"),
        });
        let batch = settings.usage_batch_size.max(1);
        let task = tokio::spawn(drain(store, rx, stopped, batch, metrics.clone()));
        Arc::new(Self {
            tx,
            metrics,
            stop,
            task: Mutex::new(Some(task)),
        })
    }

    pub fn register_metrics(&self, registry: &Registry) -> Result<(), prometheus::Error> {
        registry.register(Box::new(self.metrics.recorded.clone()))?;
        registry.register(Box::new(self.metrics.dropped.clone()))?;
        registry.register(Box::new(self.metrics.failed.clone()))?;
        Ok(())
    }

    /// Queues an event now; never waits. A full buffer drops it (counted).
    pub fn record(
        &self,
        kind: &'static str,
        user_id: Option<i64>,
        subject: Option<(&'static str, i64)>,
        attrs: Value,
    ) {
        let event = NewUsageEvent {
            kind,
            user_id,
            subject_kind: subject.map(|s| s.0),
            subject_id: subject.map(|s| s.1),
            attrs,
            at: Utc::now(),
        };
        if self.tx.try_send(event).is_err() {
            self.metrics.dropped.inc();
        }
    }

    /// A search: which collection, how many hits in all, the engine's time, and
    /// whether the result page came from the cache.
    pub fn record_search(
        &self,
        user_id: Option<i64>,
        collection: &str,
        result_count: usize,
        latency_ms: f64,
        cached: bool,
    ) {
        self.record(
            kinds::SEARCH,
            user_id,
            None,
            json!({
                "collection": collection,
                "result_count": result_count,
                "latency_ms": round_ms(latency_ms),
                "cached": cached,
            }),
        );
    }

    /// A match request (`kind`: jobs_for_user, candidates_for_job, similar, explain) on
    /// `subject`, with the scores it answered (0-100) and how long it took.
    pub fn record_match(
        &self,
        user_id: Option<i64>,
        kind: &str,
        subject: (&'static str, i64),
        scores: impl IntoIterator<Item = f32>,
        latency: std::time::Duration,
    ) {
        let scores: Vec<f32> = scores.into_iter().collect();
        let top = scores.iter().copied().reduce(f32::max);
        self.record(
            kinds::MATCH,
            user_id,
            Some(subject),
            json!({
                "kind": kind,
                "result_count": scores.len(),
                "top_score": top,
                "latency_ms": round_ms(latency.as_secs_f64() * 1000.0),
            }),
        );
    }

    /// Events dropped because the buffer was full, since start.
    pub fn dropped(&self) -> u64 {
        self.metrics.dropped.get()
    }

    /// Writes what is queued and stops the writer (at shutdown).
    pub async fn shutdown(&self) {
        let _ = self.stop.send(true);
        let task = self
            .task
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(task) = task
            && let Err(error) = task.await
        {
            tracing::warn!(%error, "the usage event writer ended badly");
        }
    }
}

fn round_ms(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

async fn drain(
    store: Store,
    mut rx: mpsc::Receiver<NewUsageEvent>,
    mut stopped: watch::Receiver<bool>,
    batch_size: usize,
    metrics: Arc<UsageMetrics>,
) {
    let mut batch = Vec::with_capacity(batch_size);
    loop {
        tokio::select! {
            received = rx.recv() => {
                let Some(first) = received else { break };
                batch.push(first);
                while batch.len() < batch_size {
                    match rx.try_recv() {
                        Ok(event) => batch.push(event),
                        Err(_) => break,
                    }
                }
                write(&store, &mut batch, &metrics).await;
            }
            _ = stopped.changed() => {
                rx.close();
                while let Some(event) = rx.recv().await {
                    batch.push(event);
                    if batch.len() >= batch_size {
                        write(&store, &mut batch, &metrics).await;
                    }
                }
                write(&store, &mut batch, &metrics).await;
                break;
            }
        }
    }
}

async fn write(store: &Store, batch: &mut Vec<NewUsageEvent>, metrics: &UsageMetrics) {
    if batch.is_empty() {
        return;
    }
    let n = batch.len() as u64;
    match store.insert_usage_events(batch).await {
        Ok(()) => metrics.recorded.inc_by(n),
        Err(error) => {
            metrics.failed.inc_by(n);
            tracing::warn!(%error, events = n, "cannot write usage events");
        }
    }
    batch.clear();
}
