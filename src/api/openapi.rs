//! The OpenAPI 3 document, generated from the handlers' `#[utoipa::path]` annotations and
//! served at `GET /api/v1/openapi.json` (and as a page at `GET /docs`), and [`Routes`], the router builder that keeps the
//! path of every route so a test can check that each one is documented.
//!
//! To add an endpoint: annotate the handler with `#[utoipa::path(...)]` (method, the full
//! path under `/api/v1`, tag, params, request body, responses), derive `utoipa::ToSchema`
//! on its body types (`utoipa::IntoParams` on query structs), list the handler in
//! `paths(...)` below, and add the route in `api::api_routes`. The test
//! `openapi::the_document_lists_every_route_of_the_router` fails until all three agree.

use axum::Router;
use axum::routing::MethodRouter;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::input::Json;
use super::{
    admin_users, ai, analytics, api_keys, applications, auth, career, data, jobs, matching,
    process, profile, resumes, search, ws,
};
use crate::state::AppState;

/// Where the API is mounted; paths in the document include it.
pub const API_PREFIX: &str = "/api/v1";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "IntelliCV API",
        description = "Resume and job matching: accounts and roles, resumes, job postings, \
                       hybrid search and two-way matching. Every 4xx/5xx answer has the shape \
                       `{\"error\": {\"code\", \"message\", \"details\"}}`; 422 answers name the \
                       field in `details.field` and the reason in `details.reason`; 429 answers \
                       carry `Retry-After`."
    ),
    paths(
        openapi_json,
        auth::register,
        auth::token,
        auth::login,
        auth::refresh,
        auth::logout,
        auth::me,
        auth::totp_setup,
        auth::totp_verify,
        admin_users::create,
        admin_users::list,
        admin_users::update,
        admin_users::delete,
        api_keys::create,
        api_keys::list,
        api_keys::revoke,
        search::search_jobs,
        search::search_resumes,
        jobs::create,
        jobs::list,
        jobs::get,
        jobs::update,
        jobs::set_status,
        jobs::delete,
        applications::apply,
        applications::list,
        applications::get,
        applications::withdraw,
        applications::set_status,
        profile::get,
        profile::update,
        profile::update_skills,
        matching::jobs_for_user,
        matching::candidates_for_job,
        matching::explain,
        resumes::upload,
        resumes::list,
        resumes::get,
        resumes::update,
        resumes::set_category,
        resumes::delete,
        resumes::similar,
        analytics::dashboard,
        analytics::report,
        analytics::custom,
        ws::admin,
        ws::user,
        process::submit,
        process::status,
        data::export,
        data::import,
        career::recommendations,
        career::pathways,
        career::create_session,
        career::list_sessions,
        career::get_session,
        ai::enrich,
        ai::models,
        ai::generate,
    ),
    components(schemas(super::error::ErrorResponse)),
    modifiers(&Security),
    security(("bearer" = []), ("api_key" = [])),
    tags(
        (name = "auth", description = "Registration, login, tokens, the second factor"),
        (name = "admin", description = "User and API key management (admins)"),
        (name = "resumes", description = "Resume upload, reading, correction and deletion"),
        (name = "jobs", description = "Job postings"),
        (name = "applications", description = "Applications to postings and their status pipeline"),
        (name = "profile", description = "Users' profiles, preferences and stated skills"),
        (name = "search", description = "Hybrid search over postings and resumes"),
        (name = "matching", description = "Matches between resumes and postings, with explanations"),
        (name = "analytics", description = "Dashboard, reports and custom queries over the stored data and recorded usage (admins)"),
        (name = "realtime", description = "WebSocket streams of events: answered with 101 Switching Protocols, then JSON text messages"),
        (name = "batch", description = "Batch processing as background jobs, export and import (admins)"),
        (name = "career", description = "Career recommendations, pathways to ESCO occupations and coaching plans"),
        (name = "ai", description = "Enrichment, model status and grounded text generation (admins)"),
        (name = "meta", description = "This document"),
    )
)]
pub struct ApiDoc;

/// The two ways to authenticate: a bearer access token (JWT) or an API key.
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An access token from POST /api/v1/auth/token or /auth/login",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-API-Key",
                "A key created by an admin (POST /api/v1/admin/api-keys)",
            ))),
        );
    }
}

/// The OpenAPI 3 document of this API.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "meta",
    security(()),
    responses((status = 200, description = "The OpenAPI document", body = Object))
)]
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}

/// `GET /docs`: an interactive page over the document (operations by tag, their
/// parameters, bodies and responses, and a form to send each request). Its script and
/// styles are inside the page, so it works with no internet access.
pub async fn docs_page() -> axum::response::Html<&'static str> {
    axum::response::Html(include_str!("docs.html"))
}

/// The document, as served.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// A router that remembers the path of every route added to it.
pub struct Routes {
    router: Router<AppState>,
    paths: Vec<&'static str>,
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}

impl Routes {
    pub fn new() -> Self {
        Self {
            router: Router::new(),
            paths: Vec::new(),
        }
    }

    /// `Router::route`, keeping `path`.
    pub fn route(mut self, path: &'static str, method_router: MethodRouter<AppState>) -> Self {
        if !self.paths.contains(&path) {
            self.paths.push(path);
        }
        self.router = self.router.route(path, method_router);
        self
    }

    /// Every route's path, relative to where the router is mounted.
    pub fn paths(&self) -> &[&'static str] {
        &self.paths
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}
