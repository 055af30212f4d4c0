//! Batch processing: many resume files (uploaded, or a server-side directory) or many job
//! postings as one background job, one item each. Items go through the write pipeline a
//! chunk at a time (`documents::pipeline`: parse, store, index with one commit, announce),
//! like a single upload or import, so a file that cannot be parsed is stored with its
//! reason and reported as that item's error.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

use super::{JobError, JobEvent, JobKind};
use super::{Queue, WorkerContext};
use crate::documents::DocumentError;
use crate::documents::pipeline::{self, ResumeFile, ResumeWrites};
use crate::documents::resumes::UploadOutcome;
use crate::telemetry::spawn_blocking_with_span;
use intellicv_core::{JobPostingDraft, ValidationError};
use intellicv_ingest::extract::ExtractLimits;
use intellicv_ingest::jobs::read_json;
use intellicv_ingest::walk::{DirectoryError, ImportRoots, Skipped, WalkLimits, walk};
use intellicv_skills::posting::attach_skills;
use intellicv_store::{
    BackgroundJobRecord, ItemOutcome, JobInsertOutcome, NewBackgroundJob, NewJobItem, ParseStatus,
    PendingItem, Store,
};

/// The most items one batch may hold.
pub const MAX_ITEMS: usize = 10_000;
/// Pending items read from the database, written and indexed (one commit) at a time; their
/// inputs are held in memory meanwhile.
const ITEMS_PER_CHUNK: i64 = 16;
/// Skipped entries of a directory walk kept in the job and the answer.
pub const MAX_SKIPPED_SHOWN: usize = 100;
/// The source stored with postings of a batch that names none.
pub const DEFAULT_JOB_SOURCE: &str = "batch";

/// Why a batch cannot be queued.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error(transparent)]
    Store(#[from] intellicv_store::StoreError),
    /// A `directory` outside every import root, or inside the server's own directories.
    #[error("{0}")]
    DirectoryNotAllowed(String),
}

impl intellicv_core::ServiceError for BatchError {
    fn kind(&self) -> intellicv_core::ErrorKind {
        match self {
            BatchError::Invalid(v) => v.kind(),
            BatchError::Store(s) => s.kind(),
            BatchError::DirectoryNotAllowed(_) => intellicv_core::ErrorKind::Forbidden {
                code: "directory_not_allowed",
            },
        }
    }
}

fn check_count(n: usize, field: &'static str) -> Result<(), ValidationError> {
    match n {
        0 => Err(ValidationError::new(field, "the batch has no items")),
        n if n > MAX_ITEMS => Err(ValidationError::new(
            field,
            format!("at most {MAX_ITEMS} items per batch, got {n}"),
        )),
        _ => Ok(()),
    }
}

fn new_job(
    queue: &Queue,
    kind: JobKind,
    payload: Value,
    created_by: Option<i64>,
    items: Vec<NewJobItem>,
) -> NewBackgroundJob {
    NewBackgroundJob {
        kind: kind.as_str().to_owned(),
        payload,
        max_attempts: queue.settings().max_attempts.max(1) as i32,
        created_by,
        items,
    }
}

/// Queues uploaded resume files (name, bytes); they are stored without an owner, like
/// `intellicv ingest resumes`.
pub async fn submit_resume_files(
    queue: &Queue,
    store: &Store,
    created_by: Option<i64>,
    files: Vec<(String, Vec<u8>)>,
) -> Result<(i64, usize), BatchError> {
    check_count(files.len(), "files")?;
    let items: Vec<NewJobItem> = files
        .into_iter()
        .map(|(key, bytes)| NewJobItem {
            key,
            input: Some(bytes),
        })
        .collect();
    let n = items.len();
    let job = new_job(
        queue,
        JobKind::ResumeBatch,
        json!({ "origin": "upload" }),
        created_by,
        items,
    );
    Ok((queue.enqueue(store, job).await?, n))
}

/// Queues every file under a server-side directory inside an import root (walked with
/// the depth and count limits, hidden files skipped, symlinks leaving the roots and loops
/// skipped with their reason); the files are read when their item runs.
pub async fn submit_resume_directory(
    queue: &Queue,
    store: &Store,
    created_by: Option<i64>,
    directory: &str,
) -> Result<(i64, usize, Vec<Skipped>), BatchError> {
    let roots = queue.import_roots().clone();
    let limits = WalkLimits {
        max_depth: queue.settings().import_max_depth,
        max_files: queue.settings().import_max_files.min(MAX_ITEMS),
    };
    let requested = directory.to_owned();
    let listed = spawn_blocking_with_span(move || {
        let dir = roots.resolve_dir(&requested)?;
        let walk = walk(std::slice::from_ref(&dir), roots.fence(), limits)
            .map_err(|e| DirectoryError::Invalid(e.to_string()))?;
        Ok::<_, DirectoryError>((dir, walk))
    })
    .await
    .map_err(|e| ValidationError::new("directory", e.to_string()))?;
    let (dir, walk) = match listed {
        Ok(listed) => listed,
        Err(DirectoryError::NotAllowed(reason)) => {
            tracing::warn!(batch.directory = %directory, reason = %reason, "batch directory refused");
            return Err(BatchError::DirectoryNotAllowed(reason));
        }
        Err(e) => return Err(ValidationError::new("directory", e.to_string()).into()),
    };
    if !walk.skipped.is_empty() {
        tracing::warn!(
            batch.directory = %dir.display(),
            skipped = walk.skipped.len(),
            "batch directory entries skipped"
        );
    }
    check_count(walk.files.len(), "directory")?;
    let items: Vec<NewJobItem> = walk
        .files
        .into_iter()
        .map(|path| NewJobItem {
            key: path.display().to_string(),
            input: None,
        })
        .collect();
    let n = items.len();
    let skipped: Vec<Skipped> = walk.skipped.into_iter().take(MAX_SKIPPED_SHOWN).collect();
    let payload = json!({
        "origin": "directory",
        "directory": dir.display().to_string(),
        "skipped": skipped,
    });
    let job = new_job(queue, JobKind::ResumeBatch, payload, created_by, items);
    Ok((queue.enqueue(store, job).await?, n, skipped))
}

/// Reads one file of a directory batch, checked again against the import roots (it may
/// have become a symlink since it was listed) and read no further than the extraction's
/// input limit.
async fn read_listed_file(roots: &ImportRoots, key: &str) -> Result<Vec<u8>, String> {
    let path = PathBuf::from(key);
    let checked = {
        let roots = roots.clone();
        spawn_blocking_with_span(move || roots.resolve_file(&path))
            .await
            .map_err(|e| format!("unreadable: {e}"))?
    };
    let canonical = checked.map_err(|reason| format!("directory_not_allowed: {reason}"))?;
    let limit = ExtractLimits::default().max_input_bytes;
    let file = tokio::fs::File::open(&canonical)
        .await
        .map_err(|e| format!("unreadable: {e}"))?;
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .await
        .map_err(|e| format!("unreadable: {e}"))?;
    if bytes.len() > limit {
        return Err(format!("too_large: the file is over {limit} bytes"));
    }
    Ok(bytes)
}

/// Queues job postings (JSON objects in any shape the importer reads: our flat shape,
/// schema.org `JobPosting`, Hacker News items).
pub async fn submit_postings(
    queue: &Queue,
    store: &Store,
    created_by: Option<i64>,
    postings: Vec<Value>,
    source: Option<String>,
) -> Result<(i64, usize), BatchError> {
    check_count(postings.len(), "postings")?;
    let source = source.unwrap_or_else(|| DEFAULT_JOB_SOURCE.to_owned());
    if source.trim().is_empty() || source.chars().count() > 100 {
        return Err(ValidationError::new("source", "must be 1 to 100 characters").into());
    }
    let mut items = Vec::with_capacity(postings.len());
    for (i, posting) in postings.into_iter().enumerate() {
        if !posting.is_object() {
            return Err(
                ValidationError::new("postings", format!("item {i} is not an object")).into(),
            );
        }
        let key = posting
            .get("title")
            .and_then(Value::as_str)
            .map_or_else(|| format!("posting {}", i + 1), str::to_owned);
        items.push(NewJobItem {
            key,
            input: Some(serde_json::to_vec(&posting).expect("a JSON value serialises")),
        });
    }
    let n = items.len();
    let job = new_job(
        queue,
        JobKind::JobBatch,
        json!({ "source": source }),
        created_by,
        items,
    );
    Ok((queue.enqueue(store, job).await?, n))
}

/// Records item outcomes as they end and tells observers.
struct Recorder<'a> {
    ctx: &'a WorkerContext,
    job: &'a BackgroundJobRecord,
    lost: &'a AtomicBool,
    done: i32,
}

impl Recorder<'_> {
    /// Records one item's outcome (once: an item recorded already is not counted again).
    async fn record(
        &mut self,
        position: i32,
        key: String,
        outcome: ItemOutcome,
    ) -> Result<(), JobError> {
        if self.lost.load(Ordering::SeqCst) {
            return Err(JobError::LeaseLost);
        }
        let store = &self.ctx.documents.store;
        if store
            .finish_job_item(self.job.id, position, &outcome)
            .await?
        {
            self.done += 1;
            self.ctx.queue.emit(&JobEvent::Item {
                job_id: self.job.id,
                position,
                key,
                succeeded: outcome.succeeded,
                error: outcome.error,
                done: self.done,
                total: self.job.progress_total,
            });
        }
        Ok(())
    }
}

impl<'a> Recorder<'a> {
    fn new(ctx: &'a WorkerContext, job: &'a BackgroundJobRecord, lost: &'a AtomicBool) -> Self {
        Self {
            ctx,
            job,
            lost,
            done: job.progress_done,
        }
    }

    /// The next chunk of pending items, in order; `None` when none is left. A chunk's
    /// documents are indexed together (one commit), so its items are searchable when it
    /// completes.
    async fn next_chunk(&self) -> Result<Option<Vec<PendingItem>>, JobError> {
        let items = self
            .ctx
            .documents
            .store
            .pending_job_items(self.job.id, ITEMS_PER_CHUNK)
            .await?;
        if self.lost.load(Ordering::SeqCst) {
            return Err(JobError::LeaseLost);
        }
        Ok((!items.is_empty()).then_some(items))
    }

    /// The job's result: how many items succeeded and failed.
    async fn result(&self) -> Result<Value, JobError> {
        let record = self
            .ctx
            .documents
            .store
            .get_background_job(self.job.id)
            .await?;
        Ok(json!({
            "items": record.progress_total,
            "succeeded": record.progress_done - record.progress_failed,
            "failed": record.progress_failed,
        }))
    }
}

fn item_failed(result: Option<Value>, error: String) -> ItemOutcome {
    ItemOutcome {
        succeeded: false,
        result,
        error: Some(error),
    }
}

fn item_succeeded(result: Value) -> ItemOutcome {
    ItemOutcome {
        succeeded: true,
        result: Some(result),
        error: None,
    }
}

fn document_error(e: DocumentError) -> JobError {
    JobError::Retryable(e.to_string())
}

/// The bytes of a resume item: uploaded with the batch, or read from the listed file.
async fn resume_item_bytes(ctx: &WorkerContext, item: PendingItem) -> Result<ResumeFile, String> {
    let bytes = match item.input {
        Some(bytes) => bytes,
        None => read_listed_file(ctx.queue.import_roots(), &item.item_key).await?,
    };
    if bytes.is_empty() {
        return Err("empty: the file is empty".to_owned());
    }
    let name = Path::new(&item.item_key).file_name().map_or_else(
        || item.item_key.clone(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok(ResumeFile { name, bytes })
}

/// A resume item's outcome from what the pipeline wrote: failed when its parse did (it is
/// stored all the same).
fn resume_item_outcome(written: &UploadOutcome) -> ItemOutcome {
    let resume = &written.resume;
    let result = json!({ "resume_id": resume.id, "duplicate": written.duplicate });
    if resume.parse_status == ParseStatus::Failed {
        let code = resume.parse_error_code.as_deref().unwrap_or("parse_failed");
        let reason = resume.parse_error.as_deref().unwrap_or("cannot be parsed");
        item_failed(Some(result), format!("{code}: {reason}"))
    } else {
        item_succeeded(result)
    }
}

pub(super) async fn run_resume_batch(
    ctx: &WorkerContext,
    job: &BackgroundJobRecord,
    lost: &AtomicBool,
) -> Result<Value, JobError> {
    let services = &ctx.documents;
    let writer = services.writer();
    let mut recorder = Recorder::new(ctx, job, lost);
    while let Some(items) = recorder.next_chunk().await? {
        let mut keys = Vec::with_capacity(items.len());
        let (mut files, mut unread) = (Vec::new(), Vec::new());
        for item in items {
            keys.push((item.position, item.item_key.clone()));
            match resume_item_bytes(ctx, item).await {
                Ok(file) => files.push(file),
                Err(reason) => unread.push((keys.len() - 1, reason)),
            }
        }
        let mut parsed = pipeline::parse_files(&ctx.documents.skills, files)
            .await
            .map_err(document_error)?
            .into_iter();
        // Each file is stored and recorded in turn, so an attempt that dies stops after
        // the file it was on; the chunk is indexed and announced when all are recorded
        // (an item recorded by an attempt that died before that is indexed when the
        // indexes next catch up with the database). Idempotent: the same bytes stored by
        // an attempt that died before recording the item come back as a duplicate.
        let mut writes = ResumeWrites::new(None);
        let mut unread = unread.into_iter().peekable();
        for (i, (position, key)) in keys.into_iter().enumerate() {
            let outcome = match unread.next_if(|(at, _)| *at == i) {
                Some((_, reason)) => item_failed(None, reason),
                None => {
                    let file = parsed.next().ok_or_else(|| {
                        JobError::Retryable("a file of the chunk was not parsed".to_owned())
                    })?;
                    let written = writes.store(&writer, &file).await.map_err(document_error)?;
                    resume_item_outcome(&written)
                }
            };
            recorder.record(position, key, outcome).await?;
        }
        writes.finish(&writer).await.map_err(document_error)?;
    }
    recorder.result().await
}

/// A stable external id for a posting that has none: its record's hash, so the same
/// record submitted again (or redone after a crash) is recognised.
fn derived_external_id(record: &[u8]) -> String {
    format!("sha256:{}", hex::encode(&Sha256::digest(record)[..16]))
}

/// Reads one posting record into a draft with its skills. CPU-bound.
fn posting_draft(
    bytes: &[u8],
    source: &str,
    skills: &intellicv_skills::SkillExtractor,
) -> Result<JobPostingDraft, String> {
    let mut draft = match read_json(bytes, source).next() {
        Some(Ok(draft)) => draft,
        Some(Err(e)) => return Err(format!("{}: {e}", e.kind.label())),
        None => return Err("empty: no record".to_owned()),
    };
    if draft.external_id.is_none() {
        draft.external_id = Some(derived_external_id(bytes));
    }
    attach_skills(&mut draft, skills);
    Ok(draft)
}

pub(super) async fn run_job_batch(
    ctx: &WorkerContext,
    job: &BackgroundJobRecord,
    lost: &AtomicBool,
) -> Result<Value, JobError> {
    let source = job.payload.0["source"]
        .as_str()
        .unwrap_or(DEFAULT_JOB_SOURCE)
        .to_owned();
    let services = &ctx.documents;
    let writer = services.writer();
    let mut recorder = Recorder::new(ctx, job, lost);
    while let Some(items) = recorder.next_chunk().await? {
        let (skills, source) = (ctx.documents.skills.clone(), source.clone());
        let keys: Vec<(i32, String)> = items
            .iter()
            .map(|i| (i.position, i.item_key.clone()))
            .collect();
        let inputs: Vec<Option<Vec<u8>>> = items.into_iter().map(|i| i.input).collect();
        let parsed: Vec<Result<JobPostingDraft, String>> = spawn_blocking_with_span(move || {
            inputs
                .iter()
                .map(|input| match input {
                    Some(bytes) => posting_draft(bytes, &source, &skills),
                    None => Err("empty: no record".to_owned()),
                })
                .collect()
        })
        .await
        .map_err(|e| JobError::Retryable(e.to_string()))?;
        let (mut drafts, mut failures) = (Vec::new(), Vec::new());
        for draft in parsed {
            match draft {
                Ok(draft) => {
                    drafts.push(draft);
                    failures.push(None);
                }
                Err(reason) => failures.push(Some(reason)),
            }
        }
        // Idempotent by (source, external id); a duplicate is indexed again too (an
        // attempt may have died between storing and indexing).
        let mut written = pipeline::write_jobs(&writer, &drafts, job.created_by)
            .await
            .map_err(document_error)?
            .into_iter();
        for ((position, key), failure) in keys.into_iter().zip(failures) {
            let outcome = match failure {
                Some(reason) => item_failed(None, reason),
                None => match written.next() {
                    Some(JobInsertOutcome::Inserted(id)) => {
                        item_succeeded(json!({ "job_id": id, "duplicate": false }))
                    }
                    Some(JobInsertOutcome::Duplicate(id)) => {
                        item_succeeded(json!({ "job_id": id, "duplicate": true }))
                    }
                    None => {
                        return Err(JobError::Retryable("the posting was not stored".into()));
                    }
                },
            };
            recorder.record(position, key, outcome).await?;
        }
    }
    recorder.result().await
}
