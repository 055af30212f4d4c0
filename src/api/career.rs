//! `/career/*`: recommendations, pathways and coaching plans (see `intellicv_app::career`).

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use super::ApiError;
use super::error::ErrorResponse;
use super::input::{Json, Path, Query};
use super::pagination::{Page, Paginated};
use crate::state::AppState;
use intellicv_app::auth::AuthUser;
use intellicv_app::career::coaching::{CoachingRequest, CoachingSession};
use intellicv_app::career::pathways::PathwaysAnswer;
use intellicv_app::career::recommendations::Recommendations;
use intellicv_core::ValidationError;

/// Most pathways one answer lists.
pub const MAX_PATHWAYS: usize = 50;

/// `GET /career/recommendations`: for the caller's latest parsed resume and profile.
#[utoipa::path(
    get,
    path = "/api/v1/career/recommendations",
    tag = "career",
    responses(
        (status = 200, description = "Jobs to look at, skills to learn next (by the match-score gain across the best-matching jobs), roles to aim for", body = Recommendations),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "An API key (recommendations are for a user)", body = ErrorResponse),
        (status = 404, description = "The caller has no parsed resume and no profile skills or headline", body = ErrorResponse),
        (status = 429, description = "Over the AI rate limit", body = ErrorResponse),
    )
)]
pub async fn recommendations(
    State(state): State<AppState>,
    auth: AuthUser,
) -> Result<Json<Recommendations>, ApiError> {
    let user_id = auth.require_user()?;
    Ok(Json(state.career.recommendations(user_id).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PathwaysQuery {
    /// 1 to 50 (default 10).
    pub limit: Option<String>,
}

/// `GET /career/pathways/{user_id}`: the user, admins, and recruiters for candidates whose
/// profile is visible to them.
#[utoipa::path(
    get,
    path = "/api/v1/career/pathways/{user_id}",
    tag = "career",
    params(("user_id" = i64, Path, description = "The person"), PathwaysQuery),
    responses(
        (status = 200, description = "ESCO occupations reachable by skill overlap and title similarity, each with its overlap and skill gap", body = PathwaysAnswer),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 404, description = "No such user, a profile the caller may not read, or nothing to reason from (no parsed resume, no profile skills or headline)", body = ErrorResponse),
        (status = 422, description = "Invalid input; `details.field` names the parameter", body = ErrorResponse),
        (status = 429, description = "Over the AI rate limit", body = ErrorResponse),
    )
)]
pub async fn pathways(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(user_id): Path<i64>,
    Query(q): Query<PathwaysQuery>,
) -> Result<Json<PathwaysAnswer>, ApiError> {
    let limit = match q.limit.as_deref().map(str::trim) {
        None => 10,
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_PATHWAYS).contains(n))
            .ok_or_else(|| {
                ValidationError::new("limit", format!("must be from 1 to {MAX_PATHWAYS}"))
            })?,
    };
    intellicv_app::portal::profile::get(&state.store, &auth, user_id).await?;
    Ok(Json(state.career.pathways(user_id, limit).await?))
}

/// `POST /career/coaching/session`: a plan for the caller, stored.
#[utoipa::path(
    post,
    path = "/api/v1/career/coaching/session",
    tag = "career",
    request_body = CoachingRequest,
    responses(
        (status = 201, description = "The stored plan: gap analysis, ordered skills to acquire with reasons, evidence for skills held, suggested jobs", body = CoachingSession),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "An API key (plans belong to a user)", body = ErrorResponse),
        (status = 404, description = "A resume_id that is not one of the caller's", body = ErrorResponse),
        (status = 422, description = "Invalid input; `details.field` names the field", body = ErrorResponse),
        (status = 429, description = "Over the AI rate limit", body = ErrorResponse),
    )
)]
pub async fn create_session(
    State(state): State<AppState>,
    auth: AuthUser,
    Json(body): Json<CoachingRequest>,
) -> Result<(StatusCode, Json<CoachingSession>), ApiError> {
    let user_id = auth.require_user()?;
    let session = state.career.create_coaching_session(user_id, body).await?;
    Ok((StatusCode::CREATED, Json(session)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SessionsQuery {
    page: Option<String>,
    per_page: Option<String>,
}

/// `GET /career/coaching/sessions`: the caller's plans, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/career/coaching/sessions",
    tag = "career",
    params(SessionsQuery),
    responses(
        (status = 200, description = "One page of the caller's plans", body = Paginated<CoachingSession>),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "An API key", body = ErrorResponse),
        (status = 422, description = "Invalid input; `details.field` names the parameter", body = ErrorResponse),
    )
)]
pub async fn list_sessions(
    State(state): State<AppState>,
    auth: AuthUser,
    Query(q): Query<SessionsQuery>,
) -> Result<Json<Paginated<CoachingSession>>, ApiError> {
    let page = Page::parse(q.page.as_deref(), q.per_page.as_deref())?;
    let (items, total) = state
        .career
        .coaching_sessions(&auth, page.limit(), page.offset())
        .await?;
    Ok(Json(page.of(items, total)))
}

/// `GET /career/coaching/sessions/{id}`: one plan (its owner and admins).
#[utoipa::path(
    get,
    path = "/api/v1/career/coaching/sessions/{session_id}",
    tag = "career",
    params(("session_id" = i64, Path, description = "The plan")),
    responses(
        (status = 200, description = "The plan as it was answered", body = CoachingSession),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 404, description = "No such plan, or another user's", body = ErrorResponse),
        (status = 422, description = "An id that is not a whole number", body = ErrorResponse),
    )
)]
pub async fn get_session(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<i64>,
) -> Result<Json<CoachingSession>, ApiError> {
    Ok(Json(state.career.coaching_session(&auth, id).await?))
}
