//! The HTTP layer: routers per area, thin handlers over the domain core.

mod admin_users;
mod api_keys;
mod auth;
mod error;
pub mod extract;
mod health;
mod middleware;
pub mod pagination;
mod search;

use axum::Router;
use axum::routing::{delete, get, post, put};

pub use error::{ApiError, error_response};

use crate::state::AppState;

/// The whole application router with its middleware stack.
pub fn router(state: AppState) -> Router {
    let settings = &state.settings.server;
    let api = Router::new()
        .route("/auth/register", post(auth::register))
        .route("/jobs/search", post(search::search_jobs))
        .route("/resumes/search", post(search::search_resumes))
        .route("/auth/token", post(auth::token))
        .route("/auth/login", post(auth::login))
        .route("/auth/refresh", post(auth::refresh))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/me", get(auth::me))
        .route("/auth/totp/setup", post(auth::totp_setup))
        .route("/auth/totp/verify", post(auth::totp_verify))
        .route("/admin/users/create", post(admin_users::create))
        .route("/admin/users/list", get(admin_users::list))
        .route("/admin/users/{user_id}/update", put(admin_users::update))
        .route("/admin/users/{user_id}", delete(admin_users::delete))
        .route(
            "/admin/api-keys",
            post(api_keys::create).get(api_keys::list),
        )
        .route("/admin/api-keys/{key_id}", delete(api_keys::revoke));
    let app = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .nest("/api/v1", api)
        .fallback(not_found);
    middleware::apply(app, settings).with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::NotFound("route")
}
