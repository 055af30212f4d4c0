//! `/admin/ai/*` (admins): enrichment runs, the models' status, grounded text generation.

use axum::body::Bytes;
use axum::extract::State;
use serde::Deserialize;
use serde_json::json;

use super::ApiError;
use super::error::ErrorResponse;
use super::input::Json;
use crate::state::AppState;
use intellicv_app::ai::enrich::{EnrichReport, EnrichRequest, Enricher};
use intellicv_app::ai::generate::{GenerateRequest, Generated};
use intellicv_app::ai::status::{ModelsStatus, models_status};
use intellicv_app::auth::{AuthUser, Client, audit};
use intellicv_core::{Role, ValidationError};
use intellicv_store::{AuditEntry, AuditOutcome};

/// `POST /admin/ai/enrich`: enriches the chosen documents now and stores the results.
#[utoipa::path(
    post,
    path = "/api/v1/admin/ai/enrich",
    tag = "ai",
    request_body = EnrichRequest,
    responses(
        (status = 200, description = "The run and each document's results (skills, seniority, quality, embedding), as stored", body = EnrichReport),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Admins only", body = ErrorResponse),
        (status = 422, description = "No documents named, bad ids, or more than `ai.max_enrich_documents`; `details.field` names the field", body = ErrorResponse),
        (status = 429, description = "Over the AI rate limit", body = ErrorResponse),
    )
)]
pub async fn enrich(
    State(state): State<AppState>,
    client: Client,
    auth: AuthUser,
    Json(body): Json<EnrichRequest>,
) -> Result<Json<EnrichReport>, ApiError> {
    auth.require(Role::Admin)?;
    let enricher = Enricher {
        store: &state.store,
        engine: &state.search,
        skills: &state.skills,
        embedder: &state.embedder,
        settings: &state.settings.ai,
    };
    let report = enricher.run(auth.user_id(), body).await?;
    let entry = AuditEntry::new("admin.ai_enrich", AuditOutcome::Success)
        .target("ai_enrichment_run", report.run.id)
        .details(json!({
            "documents": report.run.documents,
            "succeeded": report.run.succeeded,
            "failed": report.run.failed,
        }));
    audit(&state.store, auth.audit(client.audit(entry))).await;
    Ok(Json(report))
}

/// `GET /admin/ai/models/status`.
#[utoipa::path(
    get,
    path = "/api/v1/admin/ai/models/status",
    tag = "ai",
    responses(
        (status = 200, description = "The embedding model (path, sha256, dimensions, load time, throughput), the generation endpoint, the occupation catalog, index sizes and freshness", body = ModelsStatus),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Admins only", body = ErrorResponse),
        (status = 429, description = "Over the AI rate limit", body = ErrorResponse),
    )
)]
pub async fn models(
    State(state): State<AppState>,
    auth: AuthUser,
) -> Result<Json<ModelsStatus>, ApiError> {
    auth.require(Role::Admin)?;
    Ok(Json(
        models_status(
            &state.store,
            &state.search,
            &state.generator,
            state.career.occupations(),
        )
        .await?,
    ))
}

/// `POST /admin/ai/content/generate`: text grounded in stored data.
#[utoipa::path(
    post,
    path = "/api/v1/admin/ai/content/generate",
    tag = "ai",
    request_body = GenerateRequest,
    responses(
        (status = 200, description = "The text, which generator wrote it (`grounded` or `llm`), why an endpoint's text was not used, and the facts it was written from", body = Generated),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Admins only", body = ErrorResponse),
        (status = 404, description = "No such resume or posting", body = ErrorResponse),
        (status = 422, description = "Invalid input (unknown kind, empty title, a skill text naming no skill, an unparsed resume); `details.field` names the field", body = ErrorResponse),
        (status = 429, description = "Over the AI rate limit", body = ErrorResponse),
    )
)]
pub async fn generate(
    State(state): State<AppState>,
    auth: AuthUser,
    body: Bytes,
) -> Result<Json<Generated>, ApiError> {
    auth.require(Role::Admin)?;
    let request = parse_generate(&body)?;
    Ok(Json(state.generator.generate(request).await?))
}

/// The body of each kind, parsed on its own so that a bad field is named (serde's tagged
/// enums lose the field path).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SummaryBody {
    #[serde(rename = "kind")]
    _kind: String,
    resume_id: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JobDescriptionBody {
    #[serde(rename = "kind")]
    _kind: String,
    title: String,
    #[serde(default)]
    skills: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InterviewBody {
    #[serde(rename = "kind")]
    _kind: String,
    resume_id: i64,
    job_id: i64,
}

/// Only `kind`; the other fields are read by the kind's own body.
#[derive(Deserialize)]
struct KindOnly {
    kind: Option<serde_json::Value>,
}

const KINDS: &str = "professional_summary, job_description or interview_questions";

fn parse_generate(body: &[u8]) -> Result<GenerateRequest, ApiError> {
    let head: KindOnly = super::input::parse(body)?;
    let kind = match head.kind {
        Some(serde_json::Value::String(kind)) => kind,
        Some(_) => return Err(ValidationError::new("kind", format!("must be {KINDS}")).into()),
        None => return Err(ValidationError::new("kind", format!("missing: give {KINDS}")).into()),
    };
    Ok(match kind.as_str() {
        "professional_summary" => {
            let b: SummaryBody = super::input::parse(body)?;
            GenerateRequest::ProfessionalSummary {
                resume_id: b.resume_id,
            }
        }
        "job_description" => {
            let b: JobDescriptionBody = super::input::parse(body)?;
            GenerateRequest::JobDescription {
                title: b.title,
                skills: b.skills,
            }
        }
        "interview_questions" => {
            let b: InterviewBody = super::input::parse(body)?;
            GenerateRequest::InterviewQuestions {
                resume_id: b.resume_id,
                job_id: b.job_id,
            }
        }
        other => {
            return Err(
                ValidationError::new("kind", format!("{other:?} is not one of {KINDS}")).into(),
            );
        }
    })
}
