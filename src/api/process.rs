//! `/admin/process/*`: batch processing as background jobs, and their progress.

use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::{ApiError, ErrorResponse};
use super::extract::Admin;
use super::input::{Json, Path, Query};
use super::pagination::{Page, Paginated, non_empty};
use crate::state::AppState;
use intellicv_app::queue::batch::{self};
use intellicv_core::ValidationError;
use intellicv_store::{BackgroundJobRecord, JobItemRecord};

/// A batch given as JSON: exactly one of `directory` and `postings`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    /// An absolute path of a directory on the server inside one of `queue.import_roots`:
    /// every file under it (recursively, hidden files skipped) is a resume.
    directory: Option<String>,
    /// Job postings, each an object in a shape the importer reads (our flat shape with
    /// `title`, `description`, `company`, ...; schema.org `JobPosting`; Hacker News items).
    #[schema(value_type = Option<Vec<Object>>)]
    postings: Option<Vec<Value>>,
    /// The source stored with the postings (default `batch`); with `external_id` it
    /// identifies a posting, so submitting it again stores nothing new.
    source: Option<String>,
}

/// Multipart resume files: any number of `files` (or `file`) parts.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // documents the request body only
pub struct BatchFiles {
    #[schema(value_type = Vec<String>, format = Binary)]
    files: Vec<Vec<u8>>,
}

/// The answer to a queued batch.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BatchAccepted {
    pub job_id: i64,
    pub kind: &'static str,
    pub items: usize,
    /// Where to follow the job.
    pub status_url: String,
    /// For a `directory`: entries left out of the walk (symlinks leaving the import
    /// roots, loops, too deep, special files), at most 100; also kept in the job's
    /// payload.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub skipped: Vec<intellicv_ingest::walk::Skipped>,
}

/// Every `file`/`files` part of a multipart body, with its file name.
async fn read_files(mut multipart: Multipart) -> Result<Vec<(String, Vec<u8>)>, ApiError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        ApiError::InvalidRequest(format!("bad multipart body: {e}"))
    };
    let mut files = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        match field.name() {
            Some("file" | "files") => {
                let name = field
                    .file_name()
                    .map_or_else(|| format!("file-{}", files.len() + 1), str::to_owned);
                super::input::check_text("files", &name)?;
                files.push((name, field.bytes().await.map_err(bad)?.to_vec()));
            }
            other => {
                return Err(ValidationError::new(
                    "files",
                    format!(
                        "unexpected part {:?}: send the resumes as `files` parts",
                        other.unwrap_or("")
                    ),
                )
                .into());
            }
        }
    }
    Ok(files)
}

fn is_multipart(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

/// Queues a batch: resume files (multipart `files`), a server-side directory of resumes
/// (`{"directory"}`) or job postings (`{"postings", "source"?}`). Each item is stored and
/// indexed like a single upload or import; a file that cannot be parsed is stored with
/// its reason and reported as that item's error.
#[utoipa::path(
    post,
    path = "/api/v1/admin/process/batch",
    tag = "batch",
    request_body(
        content(
            (BatchFiles = "multipart/form-data"),
            (BatchRequest = "application/json"),
        )
    ),
    responses(
        (status = 202, description = "Queued; follow `status_url`", body = BatchAccepted),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Admins only; `directory_not_allowed`: a `directory` outside every import root (`queue.import_roots`, none by default) or inside the server's own directories", body = ErrorResponse),
        (status = 413, description = "Body over `server.max_body_bytes`", body = ErrorResponse),
        (status = 422, description = "No items, too many, neither or both of directory and postings, a directory the server cannot read, more files than `queue.import_max_files`; `details.field` names the field", body = ErrorResponse),
    )
)]
pub async fn submit(
    State(state): State<AppState>,
    Admin(admin): Admin,
    request: Request,
) -> Result<Response, Response> {
    let created_by = admin.user_id();
    let (job_id, kind, items, skipped) = if is_multipart(&request) {
        let multipart = Multipart::from_request(request, &state)
            .await
            .map_err(|e| {
                ApiError::InvalidRequest(format!("bad multipart body: {e}")).into_response()
            })?;
        let files = read_files(multipart)
            .await
            .map_err(IntoResponse::into_response)?;
        let (id, n) = batch::submit_resume_files(&state.queue, &state.store, created_by, files)
            .await
            .map_err(|e| ApiError::from(e).into_response())?;
        (id, "resume_batch", n, Vec::new())
    } else {
        let Json(body) = Json::<BatchRequest>::from_request(request, &state).await?;
        let queued = match (body.directory, body.postings) {
            (Some(dir), None) => {
                batch::submit_resume_directory(&state.queue, &state.store, created_by, &dir)
                    .await
                    .map(|(id, n, skipped)| (id, "resume_batch", n, skipped))
            }
            (None, Some(postings)) => batch::submit_postings(
                &state.queue,
                &state.store,
                created_by,
                postings,
                body.source,
            )
            .await
            .map(|(id, n)| (id, "job_batch", n, Vec::new())),
            _ => Err(ValidationError::new(
                "directory",
                "give either `directory` or `postings` (or send files as multipart)",
            )
            .into()),
        };
        queued.map_err(|e| ApiError::from(e).into_response())?
    };
    let body = BatchAccepted {
        job_id,
        kind,
        items,
        status_url: format!("/api/v1/admin/process/status/{job_id}"),
        skipped,
    };
    Ok((StatusCode::ACCEPTED, Json(body)).into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatusQuery {
    /// Page of the items (from 1).
    page: Option<String>,
    /// Items per page (1 to 100, default 20).
    per_page: Option<String>,
    /// Only items in this status: pending, succeeded or failed.
    item_status: Option<String>,
}

/// A job with one page of its items.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JobStatus {
    pub job: BackgroundJobRecord,
    pub items: Paginated<JobItemRecord>,
}

/// A background job: status, attempts, progress, result, last error, and its items'
/// results and errors, paged.
#[utoipa::path(
    get,
    path = "/api/v1/admin/process/status/{job_id}",
    tag = "batch",
    params(("job_id" = i64, Path, description = "The id `POST /admin/process/batch` answered"), StatusQuery),
    responses(
        (status = 200, description = "The job and a page of its items", body = JobStatus),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Admins only", body = ErrorResponse),
        (status = 404, description = "No such job", body = ErrorResponse),
        (status = 422, description = "A bad page or item status; `details.field` names it", body = ErrorResponse),
    )
)]
pub async fn status(
    State(state): State<AppState>,
    Admin(_): Admin,
    Path(job_id): Path<i64>,
    Query(query): Query<StatusQuery>,
) -> Result<Json<JobStatus>, ApiError> {
    let page = Page::parse(query.page.as_deref(), query.per_page.as_deref())?;
    let item_status = non_empty(&query.item_status);
    if let Some(s) = item_status
        && !["pending", "succeeded", "failed"].contains(&s)
    {
        return Err(ValidationError::new(
            "item_status",
            "must be one of pending, succeeded, failed",
        )
        .into());
    }
    let job = state.store.get_background_job(job_id).await?;
    let (items, total) = state
        .store
        .list_job_items(job_id, item_status, page.limit(), page.offset())
        .await?;
    Ok(Json(JobStatus {
        job,
        items: page.of(items, total),
    }))
}
