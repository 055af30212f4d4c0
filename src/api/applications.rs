//! `/jobs/applications*`: candidates apply, list, read and withdraw their own applications;
//! recruiters read those to their organisation's postings and admins all of them, and they
//! move them through the status pipeline (each move audit-logged).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::json;

use super::ApiError;
use super::error::ErrorResponse;
use super::input::{Json, Path, Query};
use super::pagination::{Page, Paginated, parse_order};
use crate::state::AppState;
use intellicv_app::auth::{AuthUser, Client, audit};
use intellicv_app::portal::applications::{self, ApplicationView, ApplyInput};
use intellicv_core::{ApplicationStatus, ValidationError};
use intellicv_store::{
    ApplicationQuery, ApplicationRecord, ApplicationSort, AuditEntry, AuditOutcome,
};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyRequest {
    job_id: i64,
    resume_id: i64,
    cover_note: Option<String>,
}

/// `POST /jobs/applications` (candidates): 201 with the application and its history.
#[utoipa::path(
    post,
    path = "/api/v1/jobs/applications",
    tag = "applications",
    request_body = ApplyRequest,
    responses(
        (status = 201, description = "The application, with its history", body = ApplicationView),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Candidates only (and with a user login, not an API key)", body = ErrorResponse),
        (status = 404, description = "No such open posting, or no such resume of the caller's", body = ErrorResponse),
        (status = 409, description = "`already_applied`: the caller applied to this posting already", body = ErrorResponse),
        (status = 422, description = "Invalid input (a posting closed to applications, a cover note too long); `details.field` names the field", body = ErrorResponse),
    )
)]
pub async fn apply(
    State(state): State<AppState>,
    auth: AuthUser,
    Json(body): Json<ApplyRequest>,
) -> Result<(StatusCode, Json<ApplicationView>), ApiError> {
    let view = applications::apply(
        &state.store,
        &state.matcher,
        &auth,
        ApplyInput {
            job_id: body.job_id,
            resume_id: body.resume_id,
            cover_note: body.cover_note.as_deref(),
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Query of `GET /jobs/applications`. Values arrive as text so that a bad one is a 422
/// naming the parameter.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    page: Option<String>,
    per_page: Option<String>,
    /// created_at (default), status_changed_at, match_score or id.
    sort: Option<String>,
    /// asc or desc (default).
    order: Option<String>,
    /// One status: submitted, reviewing, interview, offered, hired, rejected or withdrawn.
    status: Option<String>,
    /// Recruiters and admins: one posting's applications.
    job_id: Option<String>,
    /// Recruiters and admins: one candidate's applications.
    user_id: Option<String>,
}

fn id_param(raw: Option<&str>, field: &'static str) -> Result<Option<i64>, ValidationError> {
    match raw.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(Some)
            .ok_or_else(|| ValidationError::new(field, "must be a positive whole number")),
    }
}

/// `GET /jobs/applications`: a candidate's own; recruiters those to their organisation's
/// postings, admins all; filtered by `job_id`, `status`, `user_id`.
#[utoipa::path(
    get,
    path = "/api/v1/jobs/applications",
    tag = "applications",
    params(ListQuery),
    responses(
        (status = 200, description = "One page of applications", body = Paginated<ApplicationRecord>),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "An API key without the recruiter role (it has no applications of its own)", body = ErrorResponse),
        (status = 404, description = "A `job_id` of no posting, or of another organisation's", body = ErrorResponse),
        (status = 422, description = "Invalid input; `details.field` names the parameter", body = ErrorResponse),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    auth: AuthUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<Paginated<ApplicationRecord>>, ApiError> {
    let page = Page::parse(q.page.as_deref(), q.per_page.as_deref())?;
    let sort = match q.sort.as_deref().map(str::trim) {
        None => ApplicationSort::CreatedAt,
        Some(raw) => ApplicationSort::parse(raw).ok_or_else(|| {
            ValidationError::new("sort", format!("must be one of {}", ApplicationSort::NAMES))
        })?,
    };
    let status = match q.status.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        None => None,
        Some(raw) => Some(raw.parse::<ApplicationStatus>()?),
    };
    let query = ApplicationQuery {
        user_id: id_param(q.user_id.as_deref(), "user_id")?,
        job_id: id_param(q.job_id.as_deref(), "job_id")?,
        status,
        sort,
        descending: parse_order(q.order.as_deref(), true)?,
        limit: page.limit(),
        offset: page.offset(),
        organisation_id: None,
    };
    let (rows, total) = applications::list(&state.store, &auth, query).await?;
    Ok(Json(page.of(rows, total)))
}

/// `GET /jobs/applications/{id}`: one application with its status history (the candidate
/// who applied, the recruiters of the posting's organisation, admins).
#[utoipa::path(
    get,
    path = "/api/v1/jobs/applications/{application_id}",
    tag = "applications",
    params(("application_id" = i64, Path, description = "The application")),
    responses(
        (status = 200, description = "The application, with its history", body = ApplicationView),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 404, description = "No such application, another candidate's, or one to another organisation's posting", body = ErrorResponse),
        (status = 422, description = "An id that is not a whole number; `details.field` names it", body = ErrorResponse),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<i64>,
) -> Result<Json<ApplicationView>, ApiError> {
    Ok(Json(applications::get(&state.store, &auth, id).await?))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    /// Why (at most 1000 characters).
    note: Option<String>,
}

/// `POST /jobs/applications/{id}/withdraw` (the candidate who applied), with an optional
/// JSON body `{"note": "..."}`.
#[utoipa::path(
    post,
    path = "/api/v1/jobs/applications/{application_id}/withdraw",
    tag = "applications",
    params(("application_id" = i64, Path, description = "The application")),
    request_body = Option<NoteBody>,
    responses(
        (status = 200, description = "The withdrawn application, with its history", body = ApplicationView),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Only the candidate who applied withdraws", body = ErrorResponse),
        (status = 404, description = "No such application, or another candidate's", body = ErrorResponse),
        (status = 409, description = "`status_changed`: the status changed meanwhile", body = ErrorResponse),
        (status = 422, description = "Invalid input, or an application past withdrawing; `details.field` names the field", body = ErrorResponse),
    )
)]
pub async fn withdraw(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Json<ApplicationView>, ApiError> {
    let body: NoteBody = if body.iter().all(u8::is_ascii_whitespace) {
        NoteBody::default()
    } else {
        super::input::parse(&body)?
    };
    let moved =
        applications::withdraw(&state.store, &state.events, &auth, id, body.note.as_deref())
            .await?;
    Ok(Json(moved.view))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    /// The next step of the pipeline (reviewing, interview, offered, hired), or
    /// rejected.
    status: String,
    /// Why (at most 1000 characters); kept in the history.
    note: Option<String>,
}

/// `PUT /jobs/applications/{id}/status` (recruiters of the posting's organisation, and
/// admins): the next pipeline step,
/// or `rejected`; invalid transitions are 422 naming them. Audit-logged.
#[utoipa::path(
    put,
    path = "/api/v1/jobs/applications/{application_id}/status",
    tag = "applications",
    params(("application_id" = i64, Path, description = "The application")),
    request_body = StatusRequest,
    responses(
        (status = 200, description = "The application in its new status, with its history", body = ApplicationView),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Recruiters and admins only", body = ErrorResponse),
        (status = 404, description = "No such application, or one to another organisation's posting", body = ErrorResponse),
        (status = 409, description = "`status_changed`: the status changed meanwhile", body = ErrorResponse),
        (status = 422, description = "Invalid input or an invalid transition; `details.field` names the field", body = ErrorResponse),
    )
)]
pub async fn set_status(
    State(state): State<AppState>,
    client: Client,
    auth: AuthUser,
    Path(id): Path<i64>,
    Json(body): Json<StatusRequest>,
) -> Result<Json<ApplicationView>, ApiError> {
    let moved = applications::set_status(
        &state.store,
        &state.events,
        &auth,
        id,
        &body.status,
        body.note.as_deref(),
    )
    .await?;
    let entry = AuditEntry::new("application.status_change", AuditOutcome::Success)
        .target("application", id)
        .details(json!({
            "job_id": moved.view.application.job_id,
            "candidate_id": moved.view.application.user_id,
            "from": moved.from,
            "to": moved.to,
            "note": moved.note,
        }));
    audit(&state.store, auth.audit(client.audit(entry))).await;
    Ok(Json(moved.view))
}
