use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use super::error::ApiError;
use crate::auth::accounts::{AccountInput, create_account};
use crate::domain::Role;
use crate::state::AppState;
use crate::store::UserRecord;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    email: String,
    password: String,
    display_name: Option<String>,
}

/// Self-service sign-up. Creates a candidate account.
pub async fn register(
    State(state): State<AppState>,
    Json(body): Json<RegisterRequest>,
) -> Result<(StatusCode, Json<UserRecord>), ApiError> {
    let user = create_account(
        &state.store,
        AccountInput {
            email: &body.email,
            password: &body.password,
            role: Role::Candidate,
            display_name: body.display_name.as_deref(),
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(user)))
}
