//! Background jobs: a queue in the database, workers inside the server process.
//!
//! A job is a list of items (files, postings). Workers claim due jobs under a lease they
//! renew while working (heartbeat); a job whose lease ran out, because its process died,
//! is claimed again. Each item's outcome is recorded once, in the same transaction as the
//! job's progress, and the work of an item is itself idempotent (resumes by content hash,
//! postings by source and external id), so a job taken over after a crash skips the items
//! already done and redoes an interrupted one without storing it twice. A failed attempt
//! is retried after an exponential backoff with jitter, up to `queue.max_attempts`, then
//! the job is dead. Progress is told to [`JobObserver`]s.

pub mod batch;
mod events;
mod settings;
mod worker;

use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;
use serde::Serialize;
use tokio::sync::Notify;

use intellicv_ingest::walk::ImportRoots;
use intellicv_store::{NewBackgroundJob, Store, StoreError};

pub use settings::QueueSettings;
pub use worker::{JobError, Workers};

/// What the queue's workers use, by type: the queue, the document write services and the
/// metrics they report to.
#[derive(Clone)]
pub struct WorkerContext {
    pub queue: Arc<Queue>,
    pub documents: crate::documents::Services,
    pub metrics: crate::metrics::Metrics,
}

/// What a job does; stored as text in `background_jobs.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// Resume files (uploaded, or read from a server-side directory), each stored and
    /// indexed like an upload.
    ResumeBatch,
    /// Job postings (JSON records), each stored and indexed like an import.
    JobBatch,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::ResumeBatch => "resume_batch",
            JobKind::JobBatch => "job_batch",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "resume_batch" => JobKind::ResumeBatch,
            "job_batch" => JobKind::JobBatch,
            _ => return None,
        })
    }
}

/// Something that happened to a job, for [`JobObserver`]s.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum JobEvent {
    Queued {
        job_id: i64,
        kind: String,
        total: i32,
    },
    Started {
        job_id: i64,
        kind: String,
        attempt: i32,
    },
    Item {
        job_id: i64,
        position: i32,
        key: String,
        succeeded: bool,
        error: Option<String>,
        done: i32,
        total: i32,
    },
    /// The attempt failed and the job waits for another.
    Retrying {
        job_id: i64,
        error: String,
        run_after: DateTime<Utc>,
    },
    /// The job ended: succeeded, failed or dead.
    Finished {
        job_id: i64,
        kind: String,
        status: String,
    },
}

/// Told about every job event of this process (e.g. to push progress to WebSocket
/// clients). Called on the worker's task: keep it quick and never block.
pub trait JobObserver: Send + Sync {
    fn on_event(&self, event: &JobEvent);
}

/// The queue as the rest of the application sees it: enqueue, observe.
pub struct Queue {
    settings: QueueSettings,
    wake: Notify,
    observers: RwLock<Vec<Arc<dyn JobObserver>>>,
    /// Where a batch `directory` may be read (none until configured).
    import_roots: ImportRoots,
}

impl Queue {
    pub fn new(settings: QueueSettings) -> Self {
        Self {
            settings,
            wake: Notify::new(),
            observers: RwLock::new(Vec::new()),
            import_roots: ImportRoots::default(),
        }
    }

    /// The queue with batch directories confined to `roots`.
    pub fn with_import_roots(self, roots: ImportRoots) -> Self {
        Self {
            import_roots: roots,
            ..self
        }
    }

    pub fn import_roots(&self) -> &ImportRoots {
        &self.import_roots
    }

    pub fn settings(&self) -> &QueueSettings {
        &self.settings
    }

    /// Registers an observer of every later event.
    pub fn observe(&self, observer: Arc<dyn JobObserver>) {
        self.observers
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .push(observer);
    }

    pub(crate) fn emit(&self, event: &JobEvent) {
        tracing::debug!(?event, "background job event");
        let observers = self.observers.read().unwrap_or_else(|e| e.into_inner());
        for observer in observers.iter() {
            observer.on_event(event);
        }
    }

    /// Stores a job with its items and wakes an idle worker; returns the job's id.
    pub async fn enqueue(&self, store: &Store, job: NewBackgroundJob) -> Result<i64, StoreError> {
        let total = job.items.len() as i32;
        let kind = job.kind.clone();
        let id = store.enqueue_job(&job).await?;
        tracing::info!(job.id = id, job.kind = %kind, job.items = total, "background job queued");
        self.emit(&JobEvent::Queued {
            job_id: id,
            kind,
            total,
        });
        self.wake.notify_waiters();
        Ok(id)
    }

    /// How long to wait before attempt `attempts + 1`: the base doubled per attempt made,
    /// capped, plus up to 25% jitter so failed jobs do not retry in lockstep.
    pub fn backoff(&self, attempts: i32) -> Duration {
        backoff(
            attempts,
            self.settings.backoff_base_secs,
            self.settings.backoff_max_secs,
            rand::thread_rng().gen_range(0.0..=0.25),
        )
    }

    fn lease(&self) -> chrono::Duration {
        chrono::Duration::seconds(self.settings.lease_secs.max(1) as i64)
    }
}

fn backoff(attempts: i32, base_secs: u64, max_secs: u64, jitter: f64) -> Duration {
    let exponent = attempts.saturating_sub(1).clamp(0, 30) as u32;
    let secs = base_secs.saturating_mul(1u64 << exponent).min(max_secs) as f64;
    Duration::from_secs_f64(secs * (1.0 + jitter))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_per_attempt_up_to_the_cap() {
        let secs = |attempts| backoff(attempts, 5, 60, 0.0).as_secs();
        assert_eq!(
            [1, 2, 3, 4, 5, 40].map(secs),
            [5, 10, 20, 40, 60, 60],
            "base 5 s doubling, capped at 60 s"
        );
        assert_eq!(backoff(2, 5, 60, 0.25), Duration::from_secs_f64(12.5));
    }

    #[test]
    fn job_kinds_round_trip_through_their_names() {
        for kind in [JobKind::ResumeBatch, JobKind::JobBatch] {
            assert_eq!(JobKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(JobKind::parse("nope"), None);
    }
}
