//! `/profile/*`: read and replace a profile, and change the caller's stated skills.

use axum::extract::State;
use serde::Deserialize;

use super::ApiError;
use super::error::ErrorResponse;
use super::input::{Json, Path};
use crate::state::AppState;
use intellicv_app::auth::AuthUser;
use intellicv_app::portal::profile;
use intellicv_core::{ProfileInput, SkillChangeInput};
use intellicv_store::ProfileRecord;

/// `GET /profile/{user_id}`: the user and admins; recruiters for candidates whose profile
/// is visible to recruiters; 404 for anyone else.
#[utoipa::path(
    get,
    path = "/api/v1/profile/{user_id}",
    tag = "profile",
    params(("user_id" = i64, Path, description = "The user whose profile it is")),
    responses(
        (status = 200, description = "The profile, with its stated skills", body = ProfileRecord),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 404, description = "No such user, or a profile the caller may not read", body = ErrorResponse),
        (status = 422, description = "An id that is not a whole number; `details.field` names it", body = ErrorResponse),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(user_id): Path<i64>,
) -> Result<Json<ProfileRecord>, ApiError> {
    Ok(Json(profile::get(&state.store, &auth, user_id).await?))
}

/// `PUT /profile/{user_id}/update`: replaces the editable profile (the user and admins).
#[utoipa::path(
    put,
    path = "/api/v1/profile/{user_id}/update",
    tag = "profile",
    params(("user_id" = i64, Path, description = "The user whose profile it is")),
    request_body = ProfileInput,
    responses(
        (status = 200, description = "The saved profile", body = ProfileRecord),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 404, description = "No such user, or another user's profile", body = ErrorResponse),
        (status = 422, description = "Invalid input; `details.field` names the field", body = ErrorResponse),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(user_id): Path<i64>,
    Json(body): Json<ProfileInput>,
) -> Result<Json<ProfileRecord>, ApiError> {
    Ok(Json(
        profile::update(&state.store, &auth, user_id, body).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillsRequest {
    /// 1 to 100 changes, applied in order.
    changes: Vec<SkillChangeInput>,
}

/// `POST /profile/skills/update`: `{"changes": [{"action": "add" | "rate" | "remove",
/// "esco_id" | "text", "rating"?}]}` applied in order to the caller's profile, all or none.
#[utoipa::path(
    post,
    path = "/api/v1/profile/skills/update",
    tag = "profile",
    request_body = SkillsRequest,
    responses(
        (status = 200, description = "The caller's profile with the changes applied", body = ProfileRecord),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "A user login is needed, not an API key", body = ErrorResponse),
        (status = 422, description = "Invalid input or a skill the taxonomy does not know; `details.field` names the field", body = ErrorResponse),
    )
)]
pub async fn update_skills(
    State(state): State<AppState>,
    auth: AuthUser,
    Json(body): Json<SkillsRequest>,
) -> Result<Json<ProfileRecord>, ApiError> {
    Ok(Json(
        profile::update_skills(&state.store, &state.skills, &auth, body.changes).await?,
    ))
}
