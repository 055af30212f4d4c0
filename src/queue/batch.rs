//! Batch processing: many resume files (uploaded, or a server-side directory) or many job
//! postings as one background job, one item each. Every item goes through the same code
//! as a single upload or import (`documents::resumes::upload`, the posting readers and
//! `Store::insert_jobs`), so a file that cannot be parsed is stored with its reason and
//! reported as that item's error.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

use super::{JobError, JobEvent, JobKind};
use crate::documents::{self, DocumentError};
use crate::ingest::job_skills::attach_skills;
use crate::search::Collection;
use crate::search::sync::index_documents;
use crate::state::AppState;
use crate::store::{
    BackgroundJobRecord, ItemOutcome, JobInsertOutcome, NewBackgroundJob, NewJobItem, PendingItem,
};
use crate::telemetry::spawn_blocking_with_span;
use intellicv_core::{JobPostingDraft, ValidationError};
use intellicv_ingest::extract::ExtractLimits;
use intellicv_ingest::jobs::read_json;
use intellicv_ingest::walk::{DirectoryError, ImportRoots, Skipped, WalkLimits, walk};

/// The most items one batch may hold.
pub const MAX_ITEMS: usize = 10_000;
/// Pending items read from the database at a time (their inputs are held in memory).
const ITEMS_PER_READ: i64 = 8;
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
    Store(#[from] crate::store::StoreError),
    /// A `directory` outside every import root, or inside the server's own directories.
    #[error("{0}")]
    DirectoryNotAllowed(String),
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
    state: &AppState,
    kind: JobKind,
    payload: Value,
    created_by: Option<i64>,
    items: Vec<NewJobItem>,
) -> NewBackgroundJob {
    NewBackgroundJob {
        kind: kind.as_str().to_owned(),
        payload,
        max_attempts: state.queue.settings().max_attempts.max(1) as i32,
        created_by,
        items,
    }
}

/// Queues uploaded resume files (name, bytes); they are stored without an owner, like
/// `intellicv ingest resumes`.
pub async fn submit_resume_files(
    state: &AppState,
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
        state,
        JobKind::ResumeBatch,
        json!({ "origin": "upload" }),
        created_by,
        items,
    );
    Ok((state.queue.enqueue(&state.store, job).await?, n))
}

/// Queues every file under a server-side directory inside an import root (walked with
/// the depth and count limits, hidden files skipped, symlinks leaving the roots and loops
/// skipped with their reason); the files are read when their item runs.
pub async fn submit_resume_directory(
    state: &AppState,
    created_by: Option<i64>,
    directory: &str,
) -> Result<(i64, usize, Vec<Skipped>), BatchError> {
    let roots = state.queue.import_roots().clone();
    let limits = WalkLimits {
        max_depth: state.queue.settings().import_max_depth,
        max_files: state.queue.settings().import_max_files.min(MAX_ITEMS),
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
    let job = new_job(state, JobKind::ResumeBatch, payload, created_by, items);
    Ok((state.queue.enqueue(&state.store, job).await?, n, skipped))
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
    state: &AppState,
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
        state,
        JobKind::JobBatch,
        json!({ "source": source }),
        created_by,
        items,
    );
    Ok((state.queue.enqueue(&state.store, job).await?, n))
}

/// Runs `each` on every pending item in order, recording each outcome as it ends, and
/// answers the job's result: how many items succeeded and failed.
async fn run_items<F, Fut>(
    state: &AppState,
    job: &BackgroundJobRecord,
    lost: &AtomicBool,
    mut each: F,
) -> Result<Value, JobError>
where
    F: FnMut(PendingItem) -> Fut,
    Fut: Future<Output = Result<ItemOutcome, JobError>>,
{
    let mut done = job.progress_done;
    loop {
        let items = state
            .store
            .pending_job_items(job.id, ITEMS_PER_READ)
            .await?;
        if items.is_empty() {
            break;
        }
        for item in items {
            if lost.load(Ordering::SeqCst) {
                return Err(JobError::LeaseLost);
            }
            let (position, key) = (item.position, item.item_key.clone());
            let outcome = each(item).await?;
            if state
                .store
                .finish_job_item(job.id, position, &outcome)
                .await?
            {
                done += 1;
                state.queue.emit(&JobEvent::Item {
                    job_id: job.id,
                    position,
                    key,
                    succeeded: outcome.succeeded,
                    error: outcome.error.clone(),
                    done,
                    total: job.progress_total,
                });
            }
        }
    }
    let record = state.store.get_background_job(job.id).await?;
    Ok(json!({
        "items": record.progress_total,
        "succeeded": record.progress_done - record.progress_failed,
        "failed": record.progress_failed,
    }))
}

fn item_failed(result: Option<Value>, error: String) -> ItemOutcome {
    ItemOutcome {
        succeeded: false,
        result,
        error: Some(error),
    }
}

fn document_error(e: DocumentError) -> JobError {
    JobError::Retryable(e.to_string())
}

pub(super) async fn run_resume_batch(
    state: &AppState,
    job: &BackgroundJobRecord,
    lost: &AtomicBool,
) -> Result<Value, JobError> {
    let services = documents::resumes::Services {
        store: &state.store,
        engine: &state.search,
        skills: &state.skills,
    };
    run_items(state, job, lost, |item| {
        let services = &services;
        async move {
            let bytes = match item.input {
                Some(bytes) => bytes,
                None => match read_listed_file(state.queue.import_roots(), &item.item_key).await {
                    Ok(bytes) => bytes,
                    Err(reason) => return Ok(item_failed(None, reason)),
                },
            };
            if bytes.is_empty() {
                return Ok(item_failed(None, "empty: the file is empty".to_owned()));
            }
            let name = Path::new(&item.item_key).file_name().map_or_else(
                || item.item_key.clone(),
                |n| n.to_string_lossy().into_owned(),
            );
            // Idempotent: the same bytes already stored (by an attempt that died before
            // recording this item) come back as a duplicate instead of a second row.
            let outcome = documents::resumes::upload(services, None, &name, bytes)
                .await
                .map_err(document_error)?;
            let resume = &outcome.resume;
            let result = json!({ "resume_id": resume.id, "duplicate": outcome.duplicate });
            Ok(if resume.parse_status == "failed" {
                let code = resume.parse_error_code.as_deref().unwrap_or("parse_failed");
                let reason = resume.parse_error.as_deref().unwrap_or("cannot be parsed");
                item_failed(Some(result), format!("{code}: {reason}"))
            } else {
                ItemOutcome {
                    succeeded: true,
                    result: Some(result),
                    error: None,
                }
            })
        }
    })
    .await
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
    skills: &crate::skills::SkillExtractor,
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
    state: &AppState,
    job: &BackgroundJobRecord,
    lost: &AtomicBool,
) -> Result<Value, JobError> {
    let source = job.payload.0["source"]
        .as_str()
        .unwrap_or(DEFAULT_JOB_SOURCE)
        .to_owned();
    run_items(state, job, lost, |item| {
        let source = source.clone();
        async move {
            let Some(bytes) = item.input else {
                return Ok(item_failed(None, "empty: no record".to_owned()));
            };
            let skills = state.skills.clone();
            let parsed = spawn_blocking_with_span(move || posting_draft(&bytes, &source, &skills))
                .await
                .map_err(|e| JobError::Retryable(e.to_string()))?;
            let draft = match parsed {
                Ok(draft) => draft,
                Err(reason) => return Ok(item_failed(None, reason)),
            };
            // Idempotent by (source, external id).
            let outcome = state.store.insert_jobs(&[draft], job.created_by).await?;
            let (id, duplicate) = match outcome.first() {
                Some(JobInsertOutcome::Inserted(id)) => (*id, false),
                Some(JobInsertOutcome::Duplicate(id)) => (*id, true),
                None => return Err(JobError::Retryable("the posting was not stored".into())),
            };
            // Also for a duplicate: an attempt may have died between storing and indexing.
            index_documents(&state.store, &state.search, Collection::Jobs, &[id])
                .await
                .map_err(|e| JobError::Retryable(e.to_string()))?;
            Ok(ItemOutcome {
                succeeded: true,
                result: Some(json!({ "job_id": id, "duplicate": duplicate })),
                error: None,
            })
        }
    })
    .await
}
