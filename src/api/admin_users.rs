//! `/admin/users/*`: user management for admins. Every action is audit-logged.

use std::str::FromStr;

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::json;

use super::error::{ApiError, ErrorResponse};
use super::extract::Admin;
use super::input::{Json, Path, Query};
use super::pagination::{Page, Paginated, non_empty, parse_order, parse_sort};
use crate::state::AppState;
use intellicv_app::auth::accounts::{AccountInput, create_account};
use intellicv_app::auth::{Client, audit, totp};
use intellicv_core::parse_display_name;
use intellicv_core::{Role, UserStatus, ValidationError};
use intellicv_store::{AuditEntry, AuditOutcome, UserQuery, UserRecord, UserSort, UserUpdate};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    email: String,
    password: String,
    role: String,
    display_name: Option<String>,
    /// The organisation a recruiter works for; a recruiter created without one gets a
    /// personal organisation.
    organisation_id: Option<i64>,
}

/// Creates an account with any role.
#[utoipa::path(
    post,
    path = "/api/v1/admin/users/create",
    tag = "admin",
    request_body = CreateUserRequest,
    responses(
        (status = 201, description = "The new account", body = UserRecord),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Admins only", body = ErrorResponse),
        (status = 409, description = "`email_taken`", body = ErrorResponse),
        (status = 422, description = "Invalid input; `details.field` names the field", body = ErrorResponse),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    client: Client,
    Admin(admin): Admin,
    Json(body): Json<CreateUserRequest>,
) -> Result<(StatusCode, Json<UserRecord>), ApiError> {
    let role = Role::from_str(&body.role)?;
    if let Some(org) = body.organisation_id {
        known_organisation(&state, org).await?;
    }
    let mut user = create_account(
        &state.store,
        AccountInput {
            email: &body.email,
            password: &body.password,
            role,
            display_name: body.display_name.as_deref(),
        },
    )
    .await?;
    if let Some(org) = body.organisation_id {
        state.store.set_user_organisation(user.id, org).await?;
        user = state.store.get_user(user.id).await?;
    }
    let entry = AuditEntry::new("admin.user_create", AuditOutcome::Success)
        .target("user", user.id)
        .details(json!({ "email": user.email, "role": user.role, "organisation_id": user.organisation_id }));
    audit(&state.store, admin.audit(client.audit(entry))).await;
    Ok((StatusCode::CREATED, Json(user)))
}

/// Query of `GET /admin/users/list`. Values arrive as text so that a bad one is a 422
/// naming the parameter.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListUsersQuery {
    page: Option<String>,
    per_page: Option<String>,
    /// id, email, created_at (default), last_login_at or role.
    sort: Option<String>,
    /// asc or desc (default).
    order: Option<String>,
    role: Option<String>,
    status: Option<String>,
    /// Part of the email address, case-insensitive.
    email: Option<String>,
}

/// Users, filtered, sorted and paged.
#[utoipa::path(
    get,
    path = "/api/v1/admin/users/list",
    tag = "admin",
    params(ListUsersQuery),
    responses(
        (status = 200, description = "One page of users", body = Paginated<UserRecord>),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Admins only", body = ErrorResponse),
        (status = 422, description = "Invalid input; `details.field` names the field", body = ErrorResponse),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Admin(_): Admin,
    Query(query): Query<ListUsersQuery>,
) -> Result<Json<Paginated<UserRecord>>, ApiError> {
    let page = Page::parse(query.page.as_deref(), query.per_page.as_deref())?;
    let sort = parse_sort(
        query.sort.as_deref(),
        UserSort::CreatedAt,
        UserSort::parse,
        UserSort::NAMES,
    )?;
    let filter = UserQuery {
        role: non_empty(&query.role).map(Role::from_str).transpose()?,
        status: non_empty(&query.status)
            .map(UserStatus::from_str)
            .transpose()?,
        email_contains: non_empty(&query.email).map(str::to_owned),
        sort,
        descending: parse_order(query.order.as_deref(), true)?,
        limit: page.limit(),
        offset: page.offset(),
    };
    let (users, total) = state.store.list_users(&filter).await?;
    Ok(Json(page.of(users, total)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    role: Option<String>,
    status: Option<String>,
    /// An empty name clears it.
    display_name: Option<String>,
    /// Moves the user into this organisation (its recruiters share its postings'
    /// applications).
    organisation_id: Option<i64>,
}

/// Changes a user's role, status or name. Disabling a user ends their sessions.
#[utoipa::path(
    put,
    path = "/api/v1/admin/users/{user_id}/update",
    tag = "admin",
    params(("user_id" = i64, Path, description = "The user")),
    request_body = UpdateUserRequest,
    responses(
        (status = 200, description = "The changed account", body = UserRecord),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Admins only", body = ErrorResponse),
        (status = 404, description = "No such object, or another user's", body = ErrorResponse),
        (status = 409, description = "`self_lockout`: an admin changing their own role or status; `last_admin`: the change would leave no active admin", body = ErrorResponse),
        (status = 422, description = "Invalid input; `details.field` names the field", body = ErrorResponse),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    client: Client,
    Admin(admin): Admin,
    Path(user_id): Path<i64>,
    Json(body): Json<UpdateUserRequest>,
) -> Result<Json<UserRecord>, ApiError> {
    let update = UserUpdate {
        role: body.role.as_deref().map(Role::from_str).transpose()?,
        status: body
            .status
            .as_deref()
            .map(UserStatus::from_str)
            .transpose()?,
        display_name: match body.display_name.as_deref() {
            Some(raw) => Some(parse_display_name(Some(raw))?),
            None => None,
        },
    };
    if update.is_empty() && body.organisation_id.is_none() {
        return Err(ValidationError::new(
            "body",
            "give at least one of role, status, display_name, organisation_id",
        )
        .into());
    }
    if let Some(org) = body.organisation_id {
        known_organisation(&state, org).await?;
    }
    let changes_access = update.role.is_some() || update.status.is_some();
    if changes_access && admin.user_id() == Some(user_id) {
        return Err(self_lockout("change their own role or status"));
    }
    if let Some(org) = body.organisation_id {
        state.store.set_user_organisation(user_id, org).await?;
    }
    let user = if update.is_empty() {
        state.store.get_user(user_id).await?
    } else {
        state.store.update_user(user_id, &update).await?
    };
    if update.status.is_some_and(|s| s != UserStatus::Active) {
        let revoked = state.store.revoke_user_sessions(user_id).await?;
        tracing::info!(
            user.id = user_id,
            revoked,
            "sessions of a disabled user revoked"
        );
    }
    let entry = AuditEntry::new("admin.user_update", AuditOutcome::Success)
        .target("user", user_id)
        .details(json!({
            "role": update.role,
            "status": update.status,
            "display_name_changed": update.display_name.is_some(),
            "organisation_id": body.organisation_id,
        }));
    audit(&state.store, admin.audit(client.audit(entry))).await;
    Ok(Json(user))
}

/// Deletes the user for good. Their sessions, preferences, resumes and applications are
/// deleted with them (foreign keys cascade); API keys they created are revoked.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/users/{user_id}",
    tag = "admin",
    params(("user_id" = i64, Path, description = "The user")),
    responses(
        (status = 204, description = "The user and their data are deleted"),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Admins only", body = ErrorResponse),
        (status = 404, description = "No such object, or another user's", body = ErrorResponse),
        (status = 409, description = "`self_lockout`: an admin deleting themself; `last_admin`: the last active admin", body = ErrorResponse),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    client: Client,
    Admin(admin): Admin,
    Path(user_id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    if admin.user_id() == Some(user_id) {
        return Err(self_lockout("delete their own account"));
    }
    let user = state.store.get_user(user_id).await?;
    state.store.delete_user(user_id).await?;
    let entry = AuditEntry::new("admin.user_delete", AuditOutcome::Success)
        .target("user", user_id)
        .details(json!({ "email": user.email, "role": user.role }));
    audit(&state.store, admin.audit(client.audit(entry))).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a user's TOTP second factor, enabled or pending: they sign in with their
/// password alone until they set it up again. For a lost authenticator, or a secret
/// sealed under a server secret that has since changed (their logins answer 409
/// `totp_unreadable` until then).
#[utoipa::path(
    delete,
    path = "/api/v1/admin/users/{user_id}/totp",
    tag = "admin",
    params(("user_id" = i64, Path, description = "The user")),
    responses(
        (status = 204, description = "The user has no second factor now"),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Admins only", body = ErrorResponse),
        (status = 404, description = "No such object, or another user's", body = ErrorResponse),
        (status = 422, description = "Invalid input; `details.field` names the field", body = ErrorResponse),
    )
)]
pub async fn reset_totp(
    State(state): State<AppState>,
    client: Client,
    Admin(admin): Admin,
    Path(user_id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    totp::reset(&state.store, user_id).await?;
    let entry =
        AuditEntry::new("admin.user_totp_reset", AuditOutcome::Success).target("user", user_id);
    audit(&state.store, admin.audit(client.audit(entry))).await;
    Ok(StatusCode::NO_CONTENT)
}

fn self_lockout(what: &str) -> ApiError {
    ApiError::Conflict {
        code: "self_lockout",
        message: format!("an admin cannot {what}; ask another admin"),
    }
}

/// 422 naming `organisation_id` when no organisation has that id.
async fn known_organisation(state: &AppState, id: i64) -> Result<(), ApiError> {
    if state.store.organisation_exists(id).await? {
        Ok(())
    } else {
        Err(ValidationError::new("organisation_id", "no organisation has this id").into())
    }
}
