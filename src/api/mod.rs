//! The HTTP layer: routers per area, thin handlers over the domain core.

mod auth;
mod error;
mod health;
mod middleware;
mod search;

use axum::Router;
use axum::routing::{get, post};

pub use error::{ApiError, error_response};

use crate::state::AppState;

/// The whole application router with its middleware stack.
pub fn router(state: AppState) -> Router {
    let settings = &state.settings.server;
    let api = Router::new()
        .route("/auth/register", post(auth::register))
        .route("/jobs/search", post(search::search_jobs))
        .route("/resumes/search", post(search::search_resumes));
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
