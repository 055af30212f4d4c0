//! Job postings: recruiters and admins write them; every user reads open ones.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::ApiError;
use super::pagination::{Page, Paginated};
use crate::auth::AuthUser;
use crate::documents::{self, jobs::JobInput};
use crate::domain::Role;
use crate::state::AppState;
use crate::store::{self, JobRecord};

fn services(state: &AppState) -> documents::jobs::Services<'_> {
    documents::jobs::Services {
        store: &state.store,
        engine: &state.search,
        skills: &state.skills,
    }
}

/// A posting the caller may change: its author and admins (404 for anyone else).
async fn owned(state: &AppState, auth: &AuthUser, id: i64) -> Result<JobRecord, ApiError> {
    auth.require(Role::Recruiter)?;
    let job = state.store.get_job(id).await?;
    if !auth.is_admin() {
        match job.created_by {
            Some(author) => auth.owns_or_admin(author, "job")?,
            None => return Err(ApiError::NotFound("job")),
        }
    }
    Ok(job)
}

/// `POST /jobs` (recruiters): 201 with the stored, indexed posting and its skills.
pub async fn create(
    State(state): State<AppState>,
    auth: AuthUser,
    Json(input): Json<JobInput>,
) -> Result<(StatusCode, Json<JobRecord>), ApiError> {
    auth.require(Role::Recruiter)?;
    let job = documents::jobs::create(&services(&state), input, auth.user_id()).await?;
    Ok((StatusCode::CREATED, Json(job)))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    pub page: Option<String>,
    pub per_page: Option<String>,
    /// Recruiters: only their own postings.
    #[serde(default)]
    pub mine: bool,
    /// Recruiters and admins: `draft`, `open`, `closed`, `archived`.
    pub status: Option<String>,
}

/// `GET /jobs/list`: open postings; recruiters may list their own in any status.
pub async fn list(
    State(state): State<AppState>,
    auth: AuthUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<Paginated<JobRecord>>, ApiError> {
    let page = Page::parse(q.page.as_deref(), q.per_page.as_deref())?;
    let writer = auth.require(Role::Recruiter).is_ok();
    let author = if q.mine {
        Some(auth.require_user()?)
    } else {
        None
    };
    let status = if writer {
        q.status.as_deref()
    } else {
        Some("open")
    };
    let (rows, total) = state
        .store
        .list_jobs(
            author,
            status,
            store::Page {
                limit: page.limit(),
                offset: page.offset(),
            },
        )
        .await?;
    Ok(Json(page.of(rows, total)))
}

pub async fn get(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<i64>,
) -> Result<Json<JobRecord>, ApiError> {
    let job = state.store.get_job(id).await?;
    if job.status != "open" && auth.require(Role::Recruiter).is_err() {
        return Err(ApiError::NotFound("job"));
    }
    Ok(Json(job))
}

pub async fn update(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<i64>,
    Json(input): Json<JobInput>,
) -> Result<Json<JobRecord>, ApiError> {
    owned(&state, &auth, id).await?;
    Ok(Json(
        documents::jobs::update(&services(&state), id, input).await?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    pub status: String,
}

/// `PUT /jobs/{id}/status`: open, close or archive a posting (closed ones leave search).
pub async fn set_status(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<i64>,
    Json(body): Json<StatusBody>,
) -> Result<Json<JobRecord>, ApiError> {
    owned(&state, &auth, id).await?;
    Ok(Json(
        documents::jobs::set_status(&services(&state), id, &body.status).await?,
    ))
}

pub async fn delete(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    owned(&state, &auth, id).await?;
    documents::jobs::delete(&services(&state), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
