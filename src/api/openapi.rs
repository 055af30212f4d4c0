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
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, ResponseBuilder};
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
        admin_users::reset_totp,
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
    modifiers(&Security, &InputErrors),
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

/// The answers the shared extractors (`input::Json`, `Query`, `Path`, `Form`, multipart)
/// give before a handler runs, added to every operation that does not list them itself:
/// 422 when it reads parameters or a body (a value that cannot be read, or holds a control
/// character), and 415 when its body must be JSON, a form or multipart (any other
/// content type). Without them the document would promise fewer statuses than the server
/// sends.
struct InputErrors;

/// Body media types whose extractor refuses any other content type with 415.
const STRICT_BODY_TYPES: [&str; 3] = [
    "application/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
];

fn error_answer(description: &str) -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            Content::new(Some(Ref::from_schema_name("ErrorResponse"))),
        )
        .build()
        .into()
}

fn operations_mut(item: &mut utoipa::openapi::PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
    ]
    .into_iter()
    .flatten()
}

impl Modify for InputErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for operation in operations_mut(item) {
                let has_params = operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
                let body_types: Vec<&str> = operation
                    .request_body
                    .as_ref()
                    .map(|body| body.content.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                let strict_body = !body_types.is_empty()
                    && body_types.iter().all(|t| STRICT_BODY_TYPES.contains(t));
                let responses = &mut operation.responses.responses;
                if strict_body && !responses.contains_key("415") {
                    responses.insert(
                        "415".to_owned(),
                        error_answer(&format!(
                            "`unsupported_media_type`: the body is not {}",
                            body_types.join(" or ")
                        )),
                    );
                }
                if (has_params || !body_types.is_empty()) && !responses.contains_key("422") {
                    responses.insert(
                        "422".to_owned(),
                        error_answer("Invalid input; `details.field` names the parameter or field"),
                    );
                }
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn operations(doc: &serde_json::Value) -> Vec<(String, &serde_json::Value)> {
        let mut out = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("path item") {
                out.push((format!("{method} {path}"), op));
            }
        }
        out
    }

    #[test]
    fn every_operation_that_reads_a_json_form_or_multipart_body_documents_415_and_422() {
        let doc = serde_json::to_value(document()).unwrap();
        for (name, op) in operations(&doc) {
            let Some(content) = op["requestBody"]["content"].as_object() else {
                continue;
            };
            let strict = content
                .keys()
                .all(|t| STRICT_BODY_TYPES.contains(&t.as_str()));
            let responses = &op["responses"];
            assert!(responses.get("422").is_some(), "{name} lacks 422");
            assert_eq!(responses.get("415").is_some(), strict, "{name}: 415");
        }
    }

    #[test]
    fn every_operation_with_parameters_documents_422() {
        let doc = serde_json::to_value(document()).unwrap();
        for (name, op) in operations(&doc) {
            if op["parameters"].as_array().is_some_and(|p| !p.is_empty()) {
                assert!(op["responses"].get("422").is_some(), "{name} lacks 422");
            }
        }
    }

    #[test]
    fn the_export_is_documented_as_ndjson_or_csv_and_generation_stats_may_be_null() {
        let doc = serde_json::to_value(document()).unwrap();
        let export = &doc["paths"]["/api/v1/admin/data/export"]["post"]["responses"]["200"];
        let types: Vec<&String> = export["content"].as_object().unwrap().keys().collect();
        assert_eq!(types, ["application/x-ndjson", "text/csv"]);
        let stats = &doc["components"]["schemas"]["GenerationStatus"]["properties"]["stats"];
        let ty = stats["type"].as_array().expect("stats type is a list");
        assert!(ty.contains(&serde_json::json!("null")), "{stats}");
    }
}
