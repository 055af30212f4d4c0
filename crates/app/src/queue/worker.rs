//! The worker loop: claim a due job, run it under a renewed lease, record the outcome.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::Value;
use tokio::task::JoinHandle;
use tracing::Instrument;

use super::WorkerContext;
use super::{JobEvent, JobKind, batch};
use intellicv_store::{AfterFailure, BackgroundJobRecord, Store, StoreError};

/// Why an attempt did not complete.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth another attempt (the database or the index failed, a task panicked).
    #[error("{0}")]
    Retryable(String),
    /// Another attempt cannot help (an unknown kind, a payload that does not parse).
    #[error("{0}")]
    Permanent(String),
    /// Another worker holds the job now; this one stops without recording anything.
    #[error("lease lost")]
    LeaseLost,
}

impl From<StoreError> for JobError {
    fn from(e: StoreError) -> Self {
        JobError::Retryable(format!("{e}: {}", source_text(&e)))
    }
}

fn source_text(e: &dyn std::error::Error) -> String {
    e.source().map(ToString::to_string).unwrap_or_default()
}

/// The workers of one server process.
pub struct Workers {
    ids: Vec<String>,
    tasks: Vec<JoinHandle<()>>,
}

impl Workers {
    /// Starts `queue.workers` workers on the runtime.
    pub fn spawn(ctx: &WorkerContext) -> Self {
        let instance = uuid::Uuid::new_v4().simple().to_string();
        let count = ctx.queue.settings().workers;
        let ids: Vec<String> = (0..count)
            .map(|n| format!("pid{}-{}-{n}", std::process::id(), &instance[..8]))
            .collect();
        let tasks = ids
            .iter()
            .map(|id| tokio::spawn(run(ctx.clone(), id.clone())))
            .collect();
        if count > 0 {
            tracing::info!(workers = count, "background workers started");
        }
        Self { ids, tasks }
    }

    /// Stops the workers and puts the jobs they were running back in the queue (the
    /// interrupted attempt is not counted; finished items stay finished).
    pub async fn stop(self, store: &Store) {
        for task in &self.tasks {
            task.abort();
        }
        for task in self.tasks {
            let _ = task.await;
        }
        match store.release_jobs(&self.ids).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(jobs = n, "background jobs released for the next start"),
            Err(error) => {
                tracing::warn!(%error, "cannot release background jobs; their leases run out instead")
            }
        }
    }
}

/// Aborts its task when dropped.
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn run(ctx: WorkerContext, worker: String) {
    let poll = Duration::from_millis(ctx.queue.settings().poll_interval_ms.max(10));
    loop {
        // Registered before looking, so a job queued meanwhile wakes this worker.
        let woken = ctx.queue.wake.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        let lease_until = Utc::now() + ctx.queue.lease();
        match ctx.documents.store.claim_job(&worker, lease_until).await {
            Ok(Some(job)) => {
                let span = tracing::info_span!("background_job", job.id = job.id, job.kind = %job.kind, job.attempt = job.attempts);
                run_job(&ctx, &worker, job).instrument(span).await;
            }
            Ok(None) => {
                tokio::select! {
                    () = woken => {}
                    () = tokio::time::sleep(poll) => {}
                }
            }
            Err(error) => {
                tracing::warn!(%error, "cannot claim a background job, will retry");
                tokio::time::sleep(poll).await;
            }
        }
    }
}

/// Runs one claimed job to the end of this attempt and records how it ended.
async fn run_job(ctx: &WorkerContext, worker: &str, job: BackgroundJobRecord) {
    let started = Instant::now();
    let queue = &ctx.queue;
    let outcome = if job.attempts > job.max_attempts {
        // Its last attempt's process died: nothing is run again.
        Err(JobError::Retryable(format!(
            "the lease of attempt {} ran out (the process stopped)",
            job.attempts - 1
        )))
    } else {
        queue.emit(&JobEvent::Started {
            job_id: job.id,
            kind: job.kind.clone(),
            attempt: job.attempts,
        });
        let lost = Arc::new(AtomicBool::new(false));
        // Both tasks end with this attempt, also when the worker itself is aborted.
        let _heartbeat = AbortOnDrop(tokio::spawn(heartbeat(
            ctx.clone(),
            worker.to_owned(),
            job.id,
            lost.clone(),
        )));
        // A task of its own, so a panic ends this attempt, not the worker.
        let mut task = AbortOnDrop(tokio::spawn(process(ctx.clone(), job.clone(), lost)));
        match (&mut task.0).await {
            Ok(outcome) => outcome,
            Err(e) => Err(JobError::Retryable(format!("the job panicked: {e}"))),
        }
    };
    let (label, status) = match record(ctx, worker, &job, outcome).await {
        Ok(ended) => ended,
        Err(error) => {
            tracing::warn!(job.id = job.id, %error, "cannot record the end of a background job attempt; its lease runs out and it runs again");
            ("unrecorded", None)
        }
    };
    let kind = JobKind::parse(&job.kind).map_or("unknown", JobKind::as_str);
    ctx.metrics.observe_job(kind, label, started.elapsed());
    if let Some(status) = status {
        queue.emit(&JobEvent::Finished {
            job_id: job.id,
            kind: job.kind.clone(),
            status: status.to_owned(),
        });
    }
}

/// Stores the attempt's end; returns the metrics outcome and the final status, if final.
async fn record(
    ctx: &WorkerContext,
    worker: &str,
    job: &BackgroundJobRecord,
    outcome: Result<Value, JobError>,
) -> Result<(&'static str, Option<&'static str>), StoreError> {
    let store = &ctx.documents.store;
    match outcome {
        Ok(result) => {
            store.complete_job(job.id, worker, &result).await?;
            tracing::info!(job.id = job.id, %result, "background job succeeded");
            Ok(("succeeded", Some("succeeded")))
        }
        Err(JobError::LeaseLost) => {
            tracing::warn!(
                job.id = job.id,
                "lost the lease of a background job; another worker has it"
            );
            Ok(("lease_lost", None))
        }
        Err(JobError::Permanent(error)) => {
            store
                .fail_job(job.id, worker, &error, AfterFailure::Failed)
                .await?;
            tracing::warn!(job.id = job.id, %error, "background job failed");
            Ok(("failed", Some("failed")))
        }
        Err(JobError::Retryable(error)) if job.attempts >= job.max_attempts => {
            store
                .fail_job(job.id, worker, &error, AfterFailure::Dead)
                .await?;
            tracing::warn!(job.id = job.id, %error, attempts = job.attempts, "background job dead after its last attempt");
            Ok(("dead", Some("dead")))
        }
        Err(JobError::Retryable(error)) => {
            let wait = ctx.queue.backoff(job.attempts);
            let run_after = Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
            store
                .fail_job(job.id, worker, &error, AfterFailure::RetryAt(run_after))
                .await?;
            tracing::warn!(job.id = job.id, %error, retry_in_secs = wait.as_secs(), "background job attempt failed, will retry");
            ctx.queue.emit(&JobEvent::Retrying {
                job_id: job.id,
                error,
                run_after,
            });
            Ok(("retried", None))
        }
    }
}

/// Renews the lease until aborted; sets `lost` and stops if the lease is someone else's.
async fn heartbeat(ctx: WorkerContext, worker: String, job_id: i64, lost: Arc<AtomicBool>) {
    let every = Duration::from_secs(ctx.queue.settings().heartbeat_secs.max(1));
    loop {
        tokio::time::sleep(every).await;
        let until = Utc::now() + ctx.queue.lease();
        match ctx
            .documents
            .store
            .renew_lease(job_id, &worker, until)
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                lost.store(true, Ordering::SeqCst);
                return;
            }
            Err(error) => tracing::warn!(job.id = job_id, %error, "cannot renew a job lease"),
        }
    }
}

async fn process(
    ctx: WorkerContext,
    job: BackgroundJobRecord,
    lost: Arc<AtomicBool>,
) -> Result<Value, JobError> {
    match JobKind::parse(&job.kind) {
        Some(JobKind::ResumeBatch) => batch::run_resume_batch(&ctx, &job, &lost).await,
        Some(JobKind::JobBatch) => batch::run_job_batch(&ctx, &job, &lost).await,
        None => Err(JobError::Permanent(format!(
            "unknown job kind {:?}",
            job.kind
        ))),
    }
}
