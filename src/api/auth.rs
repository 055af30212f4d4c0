//! `/auth/*`: register, log in (OAuth2 password form or JSON), refresh, log out, the
//! current user, and the TOTP second factor.

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::error::{ApiError, ErrorResponse};
use super::input::Json;
use crate::state::AppState;
use intellicv_app::auth::accounts::{AccountInput, create_account};
use intellicv_app::auth::sessions::{self, Credentials, TokenPair};
use intellicv_app::auth::{AuthUser, Client, Subject, audit, totp};
use intellicv_core::{Role, ValidationError};
use intellicv_store::{AuditEntry, AuditOutcome, UserRecord};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    email: String,
    /// 10 to 256 characters and not easy to guess (no common passwords, repeats, sequences
    /// or the email/name); a weak one is a 422 whose message says why.
    password: String,
    display_name: Option<String>,
}

/// Self-service sign-up. Creates a candidate account.
#[utoipa::path(
    post,
    path = "/api/v1/auth/register",
    tag = "auth",
    security(()),
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "The new candidate account", body = UserRecord),
        (status = 409, description = "`email_taken`", body = ErrorResponse),
        (status = 422, description = "Invalid input; `details.field` names the field", body = ErrorResponse),
        (status = 429, description = "Rate limited; see `Retry-After`", body = ErrorResponse),
    )
)]
pub async fn register(
    State(state): State<AppState>,
    client: Client,
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
    let mut entry = client
        .audit(AuditEntry::new("auth.register", AuditOutcome::Success))
        .target("user", user.id);
    entry.actor_user_id = Some(user.id);
    audit(&state.store, entry).await;
    Ok((StatusCode::CREATED, Json(user)))
}

/// The OAuth2 token endpoint form: the password grant (`username` is the email) and the
/// refresh-token grant. Unknown fields such as `scope` and `client_id` are ignored.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TokenForm {
    grant_type: Option<String>,
    username: Option<String>,
    password: Option<String>,
    totp: Option<String>,
    refresh_token: Option<String>,
}

/// The OAuth2 token endpoint: the password grant (`username` is the email; `totp` when the
/// account has a second factor) and the refresh-token grant.
#[utoipa::path(
    post,
    path = "/api/v1/auth/token",
    tag = "auth",
    security(()),
    request_body(content = TokenForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Access and refresh token", body = TokenPair),
        (status = 401, description = "Wrong credentials, TOTP code, or refresh token", body = ErrorResponse),
        (status = 403, description = "`account_disabled`", body = ErrorResponse),
        (status = 422, description = "Invalid input; `details.field` names the field", body = ErrorResponse),
        (status = 429, description = "Too many failed logins or requests; see `Retry-After`", body = ErrorResponse),
    )
)]
pub async fn token(
    State(state): State<AppState>,
    client: Client,
    Form(form): Form<TokenForm>,
) -> Result<Response, ApiError> {
    let pair = match form.grant_type.as_deref().map(str::trim) {
        None | Some("password") => {
            let email = required(form.username.as_deref(), "username")?;
            let password = required(form.password.as_deref(), "password")?;
            let credentials = Credentials {
                email,
                password,
                totp: form.totp.as_deref(),
            };
            sessions::login(&state.auth, &state.store, credentials, &client).await?
        }
        Some("refresh_token") => {
            let token = required(form.refresh_token.as_deref(), "refresh_token")?;
            sessions::refresh(&state.auth, &state.store, token, &client).await?
        }
        Some(_) => {
            return Err(
                ValidationError::new("grant_type", "must be password or refresh_token").into(),
            );
        }
    };
    Ok(token_response(pair))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    email: String,
    password: String,
    totp: Option<String>,
}

/// JSON login: the same as the password grant of `/auth/token`.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "auth",
    security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Access and refresh token", body = TokenPair),
        (status = 401, description = "Wrong credentials or TOTP code", body = ErrorResponse),
        (status = 403, description = "`account_disabled`", body = ErrorResponse),
        (status = 422, description = "Invalid input; `details.field` names the field", body = ErrorResponse),
        (status = 429, description = "Too many failed logins or requests; see `Retry-After`", body = ErrorResponse),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    client: Client,
    Json(body): Json<LoginRequest>,
) -> Result<Response, ApiError> {
    let credentials = Credentials {
        email: &body.email,
        password: &body.password,
        totp: body.totp.as_deref(),
    };
    let pair = sessions::login(&state.auth, &state.store, credentials, &client).await?;
    Ok(token_response(pair))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    refresh_token: String,
}

/// Swaps a refresh token for a new pair. Presenting a spent refresh token revokes the
/// whole login.
#[utoipa::path(
    post,
    path = "/api/v1/auth/refresh",
    tag = "auth",
    security(()),
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new access and refresh token", body = TokenPair),
        (status = 401, description = "`invalid_refresh_token` or `refresh_token_reused`", body = ErrorResponse),
        (status = 422, description = "Invalid input; `details.field` names the field", body = ErrorResponse),
        (status = 429, description = "Rate limited; see `Retry-After`", body = ErrorResponse),
    )
)]
pub async fn refresh(
    State(state): State<AppState>,
    client: Client,
    Json(body): Json<RefreshRequest>,
) -> Result<Response, ApiError> {
    let pair = sessions::refresh(&state.auth, &state.store, &body.refresh_token, &client).await?;
    Ok(token_response(pair))
}

/// Ends the login session of the access token: its refresh tokens and every access token
/// of the session stop working.
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    responses(
        (status = 204, description = "The login session is ended"),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "API keys have no session", body = ErrorResponse),
    )
)]
pub async fn logout(
    State(state): State<AppState>,
    client: Client,
    auth: AuthUser,
) -> Result<StatusCode, ApiError> {
    let Subject::User { id, session } = &auth.subject else {
        return Err(intellicv_app::auth::AccessError::UserRequired.into());
    };
    sessions::logout(&state.store, *id, session, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user.
#[utoipa::path(
    get,
    path = "/api/v1/auth/me",
    tag = "auth",
    responses(
        (status = 200, description = "The caller's account", body = UserRecord),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "API keys are no user", body = ErrorResponse),
    )
)]
pub async fn me(
    State(state): State<AppState>,
    auth: AuthUser,
) -> Result<Json<UserRecord>, ApiError> {
    let id = auth.require_user()?;
    Ok(Json(state.store.get_user(id).await?))
}

/// Starts TOTP setup for the calling admin: a new secret, enabled by `totp/verify`.
#[utoipa::path(
    post,
    path = "/api/v1/auth/totp/setup",
    tag = "auth",
    responses(
        (status = 200, description = "A new secret, enabled by /auth/totp/verify", body = totp::TotpSetup),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Admins only", body = ErrorResponse),
        (status = 409, description = "`totp_already_enabled`", body = ErrorResponse),
    )
)]
pub async fn totp_setup(
    State(state): State<AppState>,
    client: Client,
    auth: AuthUser,
) -> Result<Json<totp::TotpSetup>, ApiError> {
    auth.require(Role::Admin)?;
    let id = auth.require_user()?;
    let user = state.store.get_user(id).await?;
    let setup = totp::setup(&state.auth, &state.store, &user).await?;
    let entry = auth.audit(client.audit(AuditEntry::new("auth.totp_setup", AuditOutcome::Success)));
    audit(&state.store, entry.target("user", id)).await;
    Ok(Json(setup))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpVerifyRequest {
    code: String,
}

/// Enables the second factor after a valid code from the authenticator.
#[utoipa::path(
    post,
    path = "/api/v1/auth/totp/verify",
    tag = "auth",
    request_body = TotpVerifyRequest,
    responses(
        (status = 200, description = "`{\"totp_enabled\": true}`", body = Object),
        (status = 401, description = "No valid credentials, or `invalid_totp`", body = ErrorResponse),
        (status = 403, description = "Admins only", body = ErrorResponse),
        (status = 409, description = "`totp_not_set_up`", body = ErrorResponse),
        (status = 422, description = "Invalid input; `details.field` names the field", body = ErrorResponse),
    )
)]
pub async fn totp_verify(
    State(state): State<AppState>,
    client: Client,
    auth: AuthUser,
    Json(body): Json<TotpVerifyRequest>,
) -> Result<Json<serde_json::Value>, ApiError> {
    auth.require(Role::Admin)?;
    let id = auth.require_user()?;
    let result = totp::enable(&state.auth, &state.store, id, &body.code).await;
    let outcome = if result.is_ok() {
        AuditOutcome::Success
    } else {
        AuditOutcome::Failure
    };
    let entry = auth.audit(client.audit(AuditEntry::new("auth.totp_enable", outcome)));
    audit(&state.store, entry.target("user", id)).await;
    result?;
    Ok(Json(json!({ "totp_enabled": true })))
}

fn required<'a>(value: Option<&'a str>, field: &'static str) -> Result<&'a str, ValidationError> {
    value
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ValidationError::new(field, "is required"))
}

/// Token responses must not be cached (RFC 6749 section 5.1).
fn token_response(pair: TokenPair) -> Response {
    let mut response = Json(pair).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}
