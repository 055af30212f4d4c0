//! `/admin/api-keys`: API keys for service-to-service calls, created and revoked by admins.

use std::str::FromStr;

use axum::extract::State;
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use serde::Deserialize;
use serde_json::json;

use super::error::{ApiError, ErrorResponse};
use super::extract::Admin;
use super::input::{Json, Path, Query};
use super::pagination::{Page, Paginated, parse_order, parse_sort};
use crate::state::AppState;
use intellicv_app::auth::api_keys::{self, ApiKeyInput, CreatedApiKey};
use intellicv_app::auth::{Client, audit};
use intellicv_core::{Role, ValidationError};
use intellicv_store::{ApiKeyRecord, ApiKeySort, AuditEntry, AuditOutcome};

const MAX_EXPIRY_DAYS: u32 = 3650;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateKeyRequest {
    name: String,
    /// The role the key acts with.
    role: String,
    /// Days until the key stops working; none means it works until revoked.
    expires_in_days: Option<u32>,
}

/// Creates a key. The answer's `key` is the only time the full key is shown. The key acts
/// with its creator's current rights: it is refused once that user is disabled, deleted or
/// no longer holds its role (a key created with a key has the same creator as that key).
#[utoipa::path(
    post,
    path = "/api/v1/admin/api-keys",
    tag = "admin",
    request_body = CreateKeyRequest,
    responses(
        (status = 201, description = "The key; `key` is shown this once", body = CreatedApiKey),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Admins only", body = ErrorResponse),
        (status = 422, description = "Invalid input; `details.field` names the field", body = ErrorResponse),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    client: Client,
    Admin(admin): Admin,
    Json(body): Json<CreateKeyRequest>,
) -> Result<(StatusCode, Json<CreatedApiKey>), ApiError> {
    let role = Role::from_str(&body.role)?;
    let expires_at = match body.expires_in_days {
        None => None,
        Some(days @ 1..=MAX_EXPIRY_DAYS) => Some(Utc::now() + Duration::days(i64::from(days))),
        Some(_) => {
            return Err(ValidationError::new(
                "expires_in_days",
                format!("must be from 1 to {MAX_EXPIRY_DAYS}"),
            )
            .into());
        }
    };
    let created = api_keys::create(
        &state.store,
        ApiKeyInput {
            name: &body.name,
            role,
            created_by: api_keys::creator_for_new_key(&state.store, &admin).await?,
            expires_at,
        },
    )
    .await?;
    let entry = AuditEntry::new("admin.api_key_create", AuditOutcome::Success)
        .target("api_key", created.record.id)
        .details(json!({ "name": created.record.name, "role": created.record.role }));
    audit(&state.store, admin.audit(client.audit(entry))).await;
    Ok((StatusCode::CREATED, Json(created)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListKeysQuery {
    page: Option<String>,
    per_page: Option<String>,
    /// `true` to list revoked keys too.
    include_revoked: Option<String>,
    /// id, created_at (default) or name.
    sort: Option<String>,
    /// asc or desc (default).
    order: Option<String>,
}

/// Keys, newest first unless sorted otherwise, without their secrets.
#[utoipa::path(
    get,
    path = "/api/v1/admin/api-keys",
    tag = "admin",
    params(ListKeysQuery),
    responses(
        (status = 200, description = "One page of keys, newest first", body = Paginated<ApiKeyRecord>),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Admins only", body = ErrorResponse),
        (status = 422, description = "Invalid input; `details.field` names the field", body = ErrorResponse),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Admin(_): Admin,
    Query(query): Query<ListKeysQuery>,
) -> Result<Json<Paginated<ApiKeyRecord>>, ApiError> {
    let page = Page::parse(query.page.as_deref(), query.per_page.as_deref())?;
    let include_revoked = match query.include_revoked.as_deref().map(str::trim) {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            return Err(ValidationError::new("include_revoked", "must be true or false").into());
        }
    };
    let sort = parse_sort(
        query.sort.as_deref(),
        ApiKeySort::CreatedAt,
        ApiKeySort::parse,
        ApiKeySort::NAMES,
    )?;
    let descending = parse_order(query.order.as_deref(), true)?;
    let (keys, total) = state
        .store
        .list_api_keys(include_revoked, sort, descending, page.window())
        .await?;
    Ok(Json(page.of(keys, total)))
}

#[utoipa::path(
    delete,
    path = "/api/v1/admin/api-keys/{key_id}",
    tag = "admin",
    params(("key_id" = i64, Path, description = "The key")),
    responses(
        (status = 204, description = "The key stops working"),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Admins only", body = ErrorResponse),
        (status = 404, description = "No such object, or another user's", body = ErrorResponse),
    )
)]
pub async fn revoke(
    State(state): State<AppState>,
    client: Client,
    Admin(admin): Admin,
    Path(key_id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let key = state.store.revoke_api_key(key_id).await?;
    let entry = AuditEntry::new("admin.api_key_revoke", AuditOutcome::Success)
        .target("api_key", key.id)
        .details(json!({ "name": key.name }));
    audit(&state.store, admin.audit(client.audit(entry))).await;
    Ok(StatusCode::NO_CONTENT)
}
