//! `/profile/*`: read and replace a profile, and change the caller's stated skills.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;

use super::ApiError;
use crate::auth::AuthUser;
use crate::domain::{ProfileInput, SkillChangeInput};
use crate::portal::profile;
use crate::state::AppState;
use crate::store::ProfileRecord;

/// `GET /profile/{user_id}`: the user and admins; recruiters for candidates whose profile
/// is visible to recruiters; 404 for anyone else.
pub async fn get(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(user_id): Path<i64>,
) -> Result<Json<ProfileRecord>, ApiError> {
    Ok(Json(profile::get(&state.store, &auth, user_id).await?))
}

/// `PUT /profile/{user_id}/update`: replaces the editable profile (the user and admins).
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkillsRequest {
    changes: Vec<SkillChangeInput>,
}

/// `POST /profile/skills/update`: `{"changes": [{"action": "add" | "rate" | "remove",
/// "esco_id" | "text", "rating"?}]}` applied in order to the caller's profile, all or none.
pub async fn update_skills(
    State(state): State<AppState>,
    auth: AuthUser,
    Json(body): Json<SkillsRequest>,
) -> Result<Json<ProfileRecord>, ApiError> {
    Ok(Json(
        profile::update_skills(&state.store, &state.skills, &auth, body.changes).await?,
    ))
}
