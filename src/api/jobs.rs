//! Job postings: recruiters and admins write them; every user reads open ones.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::json;

use super::ApiError;
use super::error::ErrorResponse;
use super::input::{Json, Path, Query};
use super::pagination::{Page, Paginated, non_empty, parse_order, parse_sort};
use crate::state::AppState;
use chrono::{DateTime, Utc};
use intellicv_app::auth::{AuthUser, Client};
use intellicv_app::documents::{self, jobs::JobInput};
use intellicv_core::{
    EmploymentType, PostingStatus, RemoteMode, Role, SalaryPeriod, Seniority, ValidationError,
};
use intellicv_store::{JobQuery, JobRecord, JobSort};

/// A job posting as the API shows it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct JobBody {
    pub id: i64,
    /// Where the posting came from: `api` for postings written here, else the import's
    /// source name.
    pub source: String,
    pub external_id: Option<String>,
    pub title: String,
    pub company: Option<String>,
    pub location: Option<String>,
    pub country: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub remote_mode: RemoteMode,
    pub employment_type: EmploymentType,
    pub seniority: Option<Seniority>,
    pub salary_min: Option<f64>,
    pub salary_max: Option<f64>,
    /// ISO 4217 code such as `GBP`.
    pub salary_currency: Option<String>,
    pub salary_period: Option<SalaryPeriod>,
    pub description: String,
    pub status: PostingStatus,
    pub posted_at: Option<DateTime<Utc>>,
    pub valid_through: Option<DateTime<Utc>>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The organisation the posting belongs to; its recruiters see and move the posting's
    /// applications.
    pub organisation_id: Option<i64>,
}

impl From<JobRecord> for JobBody {
    fn from(j: JobRecord) -> Self {
        Self {
            id: j.id,
            source: j.source,
            external_id: j.external_id,
            title: j.title,
            company: j.company,
            location: j.location,
            country: j.country,
            latitude: j.latitude,
            longitude: j.longitude,
            remote_mode: j.remote_mode,
            employment_type: j.employment_type,
            seniority: j.seniority,
            salary_min: j.salary_min,
            salary_max: j.salary_max,
            salary_currency: j.salary_currency,
            salary_period: j.salary_period,
            description: j.description,
            status: j.status,
            posted_at: j.posted_at,
            valid_through: j.valid_through,
            created_by: j.created_by,
            created_at: j.created_at,
            updated_at: j.updated_at,
            organisation_id: j.organisation_id,
        }
    }
}

/// A posting the caller may change: its author, the recruiters of its organisation and
/// admins (404 for anyone else).
async fn owned(state: &AppState, auth: &AuthUser, id: i64) -> Result<JobRecord, ApiError> {
    auth.require(Role::Recruiter)?;
    let job = state.store.get_job(id).await?;
    if intellicv_app::portal::organisations::may_change_posting(&state.store, auth, &job).await? {
        Ok(job)
    } else {
        Err(ApiError::NotFound("job"))
    }
}

/// `POST /jobs` (recruiters): 201 with the stored, indexed posting and its skills.
#[utoipa::path(
    post,
    path = "/api/v1/jobs",
    tag = "jobs",
    request_body = JobInput,
    responses(
        (status = 201, description = "The stored, indexed posting", body = JobBody),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Recruiters and admins only", body = ErrorResponse),
        (status = 422, description = "Invalid input; `details.field` names the field", body = ErrorResponse),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    auth: AuthUser,
    Json(input): Json<JobInput>,
) -> Result<(StatusCode, Json<JobBody>), ApiError> {
    auth.require(Role::Recruiter)?;
    let job = documents::jobs::create(&state.documents, input, auth.user_id()).await?;
    Ok((StatusCode::CREATED, Json(job.into())))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub page: Option<String>,
    pub per_page: Option<String>,
    /// Recruiters: only their own postings.
    #[serde(default)]
    pub mine: bool,
    /// Recruiters and admins: `draft`, `open`, `closed`, `archived`.
    pub status: Option<String>,
    /// id, created_at (default), updated_at or title.
    pub sort: Option<String>,
    /// asc or desc (default).
    pub order: Option<String>,
    /// remote, hybrid, onsite or unknown.
    pub remote_mode: Option<String>,
    /// full_time, part_time, contract, temporary, internship, volunteer, other or unknown.
    pub employment_type: Option<String>,
    /// The whole company name, case-insensitive.
    pub company: Option<String>,
}

/// `GET /jobs/list`: open postings; recruiters may list their own in any status.
#[utoipa::path(
    get,
    path = "/api/v1/jobs/list",
    tag = "jobs",
    params(ListQuery),
    responses(
        (status = 200, description = "One page of postings", body = Paginated<JobBody>),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 422, description = "Invalid input; `details.field` names the field", body = ErrorResponse),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    auth: AuthUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<Paginated<JobBody>>, ApiError> {
    let page = Page::parse(q.page.as_deref(), q.per_page.as_deref())?;
    let writer = auth.require(Role::Recruiter).is_ok();
    let author = if q.mine {
        Some(auth.require_user()?)
    } else {
        None
    };
    // Validated for everyone; only recruiters and admins see other than open postings.
    let status = non_empty(&q.status)
        .map(|s| documents::jobs::parse_status(s, "status"))
        .transpose()?;
    let status = if writer { status } else { Some("open") };
    let sort = parse_sort(
        q.sort.as_deref(),
        JobSort::CreatedAt,
        JobSort::parse,
        JobSort::NAMES,
    )?;
    let remote_mode = non_empty(&q.remote_mode)
        .map(|v| {
            v.parse::<RemoteMode>()
                .map_err(|e| ValidationError::new("remote_mode", e.reason))
        })
        .transpose()?;
    let employment_type = non_empty(&q.employment_type)
        .map(|v| {
            v.parse::<EmploymentType>()
                .map_err(|e| ValidationError::new("employment_type", e.reason))
        })
        .transpose()?;
    let query = JobQuery {
        created_by: author,
        status: status.map(str::to_owned),
        remote_mode: remote_mode.map(|m| m.as_str().to_owned()),
        employment_type: employment_type.map(|t| t.as_str().to_owned()),
        company: non_empty(&q.company).map(str::to_owned),
        sort,
        descending: parse_order(q.order.as_deref(), true)?,
        page: page.window(),
    };
    let (rows, total) = state.store.list_jobs(&query).await?;
    let rows = rows.into_iter().map(JobBody::from).collect();
    Ok(Json(page.of(rows, total)))
}

/// A posting: open ones for everyone, any for recruiters and admins.
#[utoipa::path(
    get,
    path = "/api/v1/jobs/{job_id}",
    tag = "jobs",
    params(("job_id" = i64, Path, description = "The posting")),
    responses(
        (status = 200, description = "The posting", body = JobBody),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 404, description = "No such object, or another user's", body = ErrorResponse),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<i64>,
) -> Result<Json<JobBody>, ApiError> {
    let job = state.store.get_job(id).await?;
    if job.status != PostingStatus::Open && auth.require(Role::Recruiter).is_err() {
        return Err(ApiError::NotFound("job"));
    }
    Ok(Json(job.into()))
}

/// Replaces a posting (its author and admins); re-indexed at once.
#[utoipa::path(
    put,
    path = "/api/v1/jobs/{job_id}/update",
    tag = "jobs",
    params(("job_id" = i64, Path, description = "The posting")),
    request_body = JobInput,
    responses(
        (status = 200, description = "The changed posting", body = JobBody),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Recruiters and admins only", body = ErrorResponse),
        (status = 404, description = "No such object, or another user's", body = ErrorResponse),
        (status = 422, description = "Invalid input; `details.field` names the field", body = ErrorResponse),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    auth: AuthUser,
    client: Client,
    Path(id): Path<i64>,
    Json(input): Json<JobInput>,
) -> Result<Json<JobBody>, ApiError> {
    let before = owned(&state, &auth, id).await?;
    let job = documents::jobs::update(&state.documents, id, input).await?;
    let details = json!({ "created_by": before.created_by, "title": job.title });
    audit_admin(&state, &auth, &client, "admin.job_update", &before, details).await;
    Ok(Json(job.into()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    pub status: String,
}

/// `PUT /jobs/{id}/status`: open, close or archive a posting (closed ones leave search).
#[utoipa::path(
    put,
    path = "/api/v1/jobs/{job_id}/status",
    tag = "jobs",
    params(("job_id" = i64, Path, description = "The posting")),
    request_body = StatusBody,
    responses(
        (status = 200, description = "The posting in its new status", body = JobBody),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Recruiters and admins only", body = ErrorResponse),
        (status = 404, description = "No such object, or another user's", body = ErrorResponse),
        (status = 422, description = "Invalid input; `details.field` names the field", body = ErrorResponse),
    )
)]
pub async fn set_status(
    State(state): State<AppState>,
    auth: AuthUser,
    client: Client,
    Path(id): Path<i64>,
    Json(body): Json<StatusBody>,
) -> Result<Json<JobBody>, ApiError> {
    let before = owned(&state, &auth, id).await?;
    let job = documents::jobs::set_status(&state.documents, id, &body.status).await?;
    let details =
        json!({ "created_by": before.created_by, "from": before.status, "to": job.status });
    audit_admin(&state, &auth, &client, "admin.job_status", &before, details).await;
    Ok(Json(job.into()))
}

/// Deletes a posting (its author and admins): gone from the database and the indexes.
#[utoipa::path(
    delete,
    path = "/api/v1/jobs/{job_id}",
    tag = "jobs",
    params(("job_id" = i64, Path, description = "The posting")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Recruiters and admins only", body = ErrorResponse),
        (status = 404, description = "No such object, or another user's", body = ErrorResponse),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    auth: AuthUser,
    client: Client,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let job = owned(&state, &auth, id).await?;
    documents::jobs::delete(&state.documents, id).await?;
    let details = json!({ "created_by": job.created_by, "title": job.title });
    audit_admin(&state, &auth, &client, "admin.job_delete", &job, details).await;
    Ok(StatusCode::NO_CONTENT)
}

/// An audit row when an admin changed another user's posting.
async fn audit_admin(
    state: &AppState,
    auth: &AuthUser,
    client: &Client,
    action: &'static str,
    job: &JobRecord,
    details: serde_json::Value,
) {
    let target = ("job", job.id);
    super::audit::admin_on_behalf(state, auth, client, action, target, job.created_by, details)
        .await;
}
