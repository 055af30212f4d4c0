//! The HTTP layer: routers per area, thin handlers over the domain core.

mod admin_users;
mod ai;
mod analytics;
mod api_keys;
mod applications;
mod audit;
mod auth;
mod career;
mod data;
mod error;
pub mod extract;
mod health;
pub mod input;
mod jobs;
mod matching;
mod middleware;
pub mod openapi;
pub mod pagination;
mod process;
mod profile;
pub mod rate_limit;
mod resumes;
mod scrape;
mod search;
mod ws;

use axum::Router;
use axum::routing::{delete, get, post, put};

pub use error::{ApiError, error_response};

use self::openapi::Routes;
use crate::state::AppState;

/// The routes under `/api/v1`. Each must be documented in `openapi::ApiDoc` (a test
/// checks it).
pub fn api_routes() -> Routes {
    Routes::new()
        .route("/openapi.json", get(openapi::openapi_json))
        .route("/auth/register", post(auth::register))
        .route("/jobs/search", post(search::search_jobs))
        .route("/jobs", post(jobs::create))
        .route("/jobs/list", get(jobs::list))
        .route("/jobs/{job_id}", get(jobs::get).delete(jobs::delete))
        .route("/jobs/{job_id}/update", put(jobs::update))
        .route("/jobs/{job_id}/status", put(jobs::set_status))
        .route(
            "/jobs/{job_id}/candidates",
            get(matching::candidates_for_job),
        )
        .route("/jobs/matches/{user_id}", get(matching::jobs_for_user))
        .route(
            "/jobs/applications",
            post(applications::apply).get(applications::list),
        )
        .route(
            "/jobs/applications/{application_id}",
            get(applications::get),
        )
        .route(
            "/jobs/applications/{application_id}/withdraw",
            post(applications::withdraw),
        )
        .route(
            "/jobs/applications/{application_id}/status",
            put(applications::set_status),
        )
        .route("/profile/skills/update", post(profile::update_skills))
        .route("/profile/{user_id}", get(profile::get))
        .route("/profile/{user_id}/update", put(profile::update))
        .route("/matches/explain", get(matching::explain))
        .route("/resumes/upload", post(resumes::upload))
        .route("/resumes/list", get(resumes::list))
        .route(
            "/resumes/{resume_id}",
            get(resumes::get).delete(resumes::delete),
        )
        .route("/resumes/{resume_id}/update", put(resumes::update))
        .route("/resumes/{resume_id}/category", put(resumes::set_category))
        .route("/resumes/{resume_id}/similar", get(resumes::similar))
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
            "/admin/users/{user_id}/totp",
            delete(admin_users::reset_totp),
        )
        .route(
            "/admin/api-keys",
            post(api_keys::create).get(api_keys::list),
        )
        .route("/admin/api-keys/{key_id}", delete(api_keys::revoke))
        .route("/admin/analytics/dashboard", get(analytics::dashboard))
        .route(
            "/admin/analytics/reports/{report_id}",
            get(analytics::report),
        )
        .route("/admin/analytics/custom", post(analytics::custom))
        .route("/ws/admin", get(ws::admin))
        .route("/ws/user", get(ws::user))
        .route("/admin/process/batch", post(process::submit))
        .route("/admin/process/status/{job_id}", get(process::status))
        .route("/admin/data/export", post(data::export))
        .route("/admin/data/import", post(data::import))
        .route("/career/recommendations", get(career::recommendations))
        .route("/career/pathways/{user_id}", get(career::pathways))
        .route("/career/coaching/session", post(career::create_session))
        .route("/career/coaching/sessions", get(career::list_sessions))
        .route(
            "/career/coaching/sessions/{session_id}",
            get(career::get_session),
        )
        .route("/admin/ai/enrich", post(ai::enrich))
        .route("/admin/ai/models/status", get(ai::models))
        .route("/admin/ai/content/generate", post(ai::generate))
}

/// The whole application router with its middleware stack.
pub fn router(state: AppState) -> Router {
    let app = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(scrape::metrics))
        .route("/docs", get(openapi::docs_page))
        .nest(openapi::API_PREFIX, api_routes().into_router())
        .fallback(not_found);
    middleware::apply(app, &state).with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::NotFound("route")
}
