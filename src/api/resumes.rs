//! Resumes: upload, list, read, replace or correct, delete, and similar candidates.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::ApiError;
use super::error::ErrorResponse;
use super::input::{Json, Path, Query};
use super::pagination::{Page, Paginated, non_empty, parse_order, parse_sort};
use crate::state::AppState;
use intellicv_app::auth::{AuthUser, Client};
use intellicv_app::documents::{self};
use intellicv_app::matching::service::{ResumeSubject, SimilarCandidate};
use intellicv_app::portal::organisations;
use intellicv_core::{ResumeProfile, Role, Seniority, ValidationError};
use intellicv_store::{CandidateReach, ParseStatus, ResumeQuery, ResumeRecord, ResumeSort};

/// A resume as the API shows it (the original bytes are not sent back).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ResumeBody {
    pub id: i64,
    pub owner_id: Option<i64>,
    pub source_filename: String,
    pub format: String,
    pub byte_size: i64,
    pub parse_status: ParseStatus,
    pub parse_error_code: Option<String>,
    pub parse_error: Option<String>,
    pub headline: Option<String>,
    pub years_experience: Option<f64>,
    pub seniority: Option<Seniority>,
    /// The parsed profile: contact, headline, experience, education, skills, each field
    /// with where in the text it was found.
    #[schema(value_type = Option<Object>)]
    pub profile: Option<ResumeProfile>,
    /// The resume's category in the pool, when one was set (`ingest resumes --labels`,
    /// import); similar-candidate search learns from it.
    pub category: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<ResumeRecord> for ResumeBody {
    fn from(r: ResumeRecord) -> Self {
        Self {
            id: r.id,
            owner_id: r.owner_id,
            source_filename: r.source_filename,
            format: r.format,
            byte_size: r.byte_size,
            parse_status: r.parse_status,
            parse_error_code: r.parse_error_code,
            parse_error: r.parse_error,
            headline: r.headline,
            years_experience: r.years_experience,
            seniority: r.seniority,
            profile: r.profile.map(|p| p.0),
            category: r.category,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// The one file of a multipart body (field `file`), with its name.
async fn read_file(mut multipart: Multipart) -> Result<(String, Vec<u8>), ApiError> {
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| ApiError::InvalidRequest(format!("bad multipart body: {e}")))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("upload").to_owned();
            super::input::check_text("file", &name)?;
            let bytes = field
                .bytes()
                .await
                .map_err(|e| ApiError::InvalidRequest(format!("cannot read the file: {e}")))?;
            if bytes.is_empty() {
                return Err(ApiError::InvalidRequest("the file is empty".to_owned()));
            }
            return Ok((name, bytes.to_vec()));
        }
    }
    Err(ApiError::InvalidRequest(
        "multipart body needs a `file` field".to_owned(),
    ))
}

/// A multipart upload: one file, in any supported format.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // documents the request body only
pub struct FileUpload {
    /// PDF, DOCX, HTML, text, JSON Resume or an e-mail (`.eml`); the format is detected
    /// from the content.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Corrections to a parsed resume: the whole profile, replaced.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileUpdate {
    #[schema(value_type = Object)]
    profile: ResumeProfile,
}

/// A stored upload whose parse failed: 422 with the typed reason, the resume kept.
fn parse_failure(resume: ResumeBody) -> Response {
    let code = resume
        .parse_error_code
        .clone()
        .unwrap_or_else(|| "parse_failed".to_owned());
    let message = resume
        .parse_error
        .clone()
        .unwrap_or_else(|| "the resume could not be parsed".to_owned());
    super::error_response(
        StatusCode::UNPROCESSABLE_ENTITY,
        &code,
        &message,
        json!({ "resume_id": resume.id, "stored": true, "resume": resume }),
    )
}

/// `POST /resumes/upload` (multipart `file`): 201 with the parsed resume; 200 when the
/// same file was already stored; 422 with the typed reason when it cannot be parsed (the
/// file is stored all the same, `details.resume_id`).
#[utoipa::path(
    post,
    path = "/api/v1/resumes/upload",
    tag = "resumes",
    request_body(content = FileUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "`{resume, duplicate: false}`: stored and parsed", body = Object),
        (status = 200, description = "`{resume, duplicate: true}`: the same file was stored already", body = Object),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 422, description = "Unparseable (stored anyway: `details.resume_id`) or a bad multipart body", body = ErrorResponse),
    )
)]
pub async fn upload(
    State(state): State<AppState>,
    auth: AuthUser,
    request: axum::extract::Request,
) -> Result<Response, ApiError> {
    let multipart = multipart_body(request, &state).await?;
    let (name, bytes) = read_file(multipart).await?;
    let outcome =
        documents::resumes::upload(&state.documents, auth.user_id(), &name, bytes).await?;
    let duplicate = outcome.duplicate;
    let body = ResumeBody::from(outcome.resume);
    if body.parse_status == ParseStatus::Failed {
        return Ok(parse_failure(body));
    }
    let status = if duplicate {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(json!({ "resume": body, "duplicate": duplicate })),
    )
        .into_response())
}

/// Whether `request` says its body is `multipart/form-data`.
fn is_multipart(request: &axum::extract::Request) -> bool {
    request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"))
}

/// The multipart body of `request`: 415 when the body is of another content type, 422
/// when its boundary is missing or broken.
async fn multipart_body(
    request: axum::extract::Request,
    state: &AppState,
) -> Result<Multipart, ApiError> {
    if !is_multipart(&request) {
        return Err(ApiError::UnsupportedMediaType(
            "expected a multipart/form-data body with a `file` part",
        ));
    }
    <Multipart as axum::extract::FromRequest<AppState>>::from_request(request, state)
        .await
        .map_err(|e| ApiError::InvalidRequest(e.body_text()))
}

/// The formats a resume is stored with (`unknown`: not a format the server reads).
const RESUME_FORMATS: [&str; 7] = [
    "pdf",
    "docx",
    "html",
    "text",
    "json_resume",
    "email",
    "unknown",
];

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub page: Option<String>,
    pub per_page: Option<String>,
    /// id, created_at (default), updated_at or source_filename.
    pub sort: Option<String>,
    /// asc or desc (default).
    pub order: Option<String>,
    /// pending, parsed or failed.
    pub parse_status: Option<String>,
    /// The stored format: pdf, docx, html, text, json_resume, email or unknown.
    pub format: Option<String>,
    /// Recruiters and admins: only this user's resumes. Candidates always see only their
    /// own; for them the parameter is ignored.
    pub owner_id: Option<String>,
}

/// `GET /resumes/list`: a candidate's own resumes; admins see all, recruiters all but
/// those of candidates whose private profile they may not see.
#[utoipa::path(
    get,
    path = "/api/v1/resumes/list",
    tag = "resumes",
    params(ListQuery),
    responses(
        (status = 200, description = "One page of resumes", body = Paginated<ResumeBody>),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 422, description = "Invalid input; `details.field` names the field", body = ErrorResponse),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    auth: AuthUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<Paginated<ResumeBody>>, ApiError> {
    let page = Page::parse(q.page.as_deref(), q.per_page.as_deref())?;
    let staff = auth.require_any(&[Role::Recruiter]).is_ok();
    let owner = if staff {
        non_empty(&q.owner_id)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| ValidationError::new("owner_id", "must be a user id"))
            })
            .transpose()?
    } else {
        Some(auth.require_user()?)
    };
    let sort = parse_sort(
        q.sort.as_deref(),
        ResumeSort::CreatedAt,
        ResumeSort::parse,
        ResumeSort::NAMES,
    )?;
    let parse_status = non_empty(&q.parse_status)
        .map(|v| {
            ParseStatus::parse(v).ok_or_else(|| {
                ValidationError::new(
                    "parse_status",
                    format!("must be one of {}", ParseStatus::NAMES),
                )
            })
        })
        .transpose()?;
    let query = ResumeQuery {
        owner_id: owner,
        parse_status,
        format: non_empty(&q.format)
            .map(|f| {
                let f = f.to_lowercase();
                RESUME_FORMATS
                    .contains(&f.as_str())
                    .then_some(f)
                    .ok_or_else(|| {
                        ValidationError::new(
                            "format",
                            format!("must be one of {}", RESUME_FORMATS.join(", ")),
                        )
                    })
            })
            .transpose()?,
        sort,
        descending: parse_order(q.order.as_deref(), true)?,
        page: page.window(),
        reach: if staff {
            organisations::reach(&state.store, &auth)
                .await?
                .candidates()
        } else {
            CandidateReach::Everyone
        },
    };
    let (rows, total) = state.store.query_resumes(&query).await?;
    Ok(Json(page.of(
        rows.into_iter().map(ResumeBody::from).collect(),
        total,
    )))
}

/// Loads a resume the caller may see: its owner, admins, and recruiters its owner's
/// profile visibility lets in; anyone else gets the 404 a missing resume gets.
async fn visible(state: &AppState, auth: &AuthUser, id: i64) -> Result<ResumeRecord, ApiError> {
    let resume = state.store.get_resume(id).await?;
    if organisations::may_see_resume(&state.store, auth, &resume).await? {
        Ok(resume)
    } else {
        Err(ApiError::NotFound("resume"))
    }
}

/// Loads a resume the caller may change: its owner and admins.
async fn owned(state: &AppState, auth: &AuthUser, id: i64) -> Result<ResumeRecord, ApiError> {
    let resume = state.store.get_resume(id).await?;
    if !auth.is_admin() {
        match resume.owner_id {
            Some(owner) => auth.owns_or_admin(owner, "resume")?,
            None => return Err(ApiError::NotFound("resume")),
        }
    }
    Ok(resume)
}

/// A resume: its owner, admins, and recruiters who may see its owner (a private profile:
/// recruiters of organisations the owner applied to).
#[utoipa::path(
    get,
    path = "/api/v1/resumes/{resume_id}",
    tag = "resumes",
    params(("resume_id" = i64, Path, description = "The resume")),
    responses(
        (status = 200, description = "The resume", body = ResumeBody),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 404, description = "No such resume, or another user's", body = ErrorResponse),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<i64>,
) -> Result<Json<ResumeBody>, ApiError> {
    Ok(Json(visible(&state, &auth, id).await?.into()))
}

/// `PUT /resumes/{id}/update`: multipart `file` replaces the file (parsed again); a JSON
/// body `{"profile": {...}}` replaces the parsed profile with corrections. Re-indexed.
#[utoipa::path(
    put,
    path = "/api/v1/resumes/{resume_id}/update",
    tag = "resumes",
    params(("resume_id" = i64, Path, description = "The resume")),
    request_body(content(
        (FileUpload = "multipart/form-data"),
        (ProfileUpdate = "application/json"),
    )),
    responses(
        (status = 200, description = "The changed, re-indexed resume", body = ResumeBody),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 404, description = "No such resume, or another user's", body = ErrorResponse),
        (status = 422, description = "A bad profile (`details.field`) or an unparseable file", body = ErrorResponse),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    auth: AuthUser,
    client: Client,
    Path(id): Path<i64>,
    request: axum::extract::Request,
) -> Result<Response, ApiError> {
    let before = owned(&state, &auth, id).await?;
    let multipart_upload = is_multipart(&request);
    let record = if multipart_upload {
        let multipart = multipart_body(request, &state).await?;
        let (name, bytes) = read_file(multipart).await?;
        documents::resumes::replace(&state.documents, id, &name, bytes).await?
    } else {
        let from_request =
            <Json<ProfileUpdate> as axum::extract::FromRequest<AppState>>::from_request;
        let body = match from_request(request, &state).await {
            Ok(Json(body)) => body,
            Err(rejection) => return Ok(rejection),
        };
        documents::resumes::update_profile(&state.documents, id, &body.profile).await?
    };
    let how = if multipart_upload { "file" } else { "profile" };
    super::audit::admin_on_behalf(
        &state,
        &auth,
        &client,
        "admin.resume_update",
        ("resume", id),
        before.owner_id,
        json!({ "owner_id": before.owner_id, "replaced": how }),
    )
    .await;
    let body = ResumeBody::from(record);
    if body.parse_status == ParseStatus::Failed {
        return Ok(parse_failure(body));
    }
    Ok(Json(body).into_response())
}

/// Deletes a resume (its owner and admins): gone from the database, indexes and caches.
#[utoipa::path(
    delete,
    path = "/api/v1/resumes/{resume_id}",
    tag = "resumes",
    params(("resume_id" = i64, Path, description = "The resume")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 404, description = "No such resume, or another user's", body = ErrorResponse),
    )
)]
pub async fn delete(
    State(state): State<AppState>,
    auth: AuthUser,
    client: Client,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let resume = owned(&state, &auth, id).await?;
    documents::resumes::delete(&state.documents, id).await?;
    super::audit::admin_on_behalf(
        &state,
        &auth,
        &client,
        "admin.resume_delete",
        ("resume", id),
        resume.owner_id,
        json!({ "owner_id": resume.owner_id, "source_filename": resume.source_filename }),
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}

/// A resume's category in the pool.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryUpdate {
    /// The category to file the resume under ("CHEF", "Backend engineering", ...; at most
    /// 64 characters); `null` or blank clears it.
    #[schema(nullable)]
    category: Option<String>,
}

/// `PUT /resumes/{id}/category` (recruiters and admins): files a resume under a category of
/// the pool, or clears it; re-indexed at once. Similar-candidate search learns each
/// category's profile from the resumes filed under it.
#[utoipa::path(
    put,
    path = "/api/v1/resumes/{resume_id}/category",
    tag = "resumes",
    params(("resume_id" = i64, Path, description = "The resume")),
    request_body = CategoryUpdate,
    responses(
        (status = 200, description = "The resume with its new category, re-indexed", body = ResumeBody),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Recruiters and admins only", body = ErrorResponse),
        (status = 404, description = "No such resume", body = ErrorResponse),
        (status = 422, description = "A bad category (`details.field` = `category`)", body = ErrorResponse),
    )
)]
pub async fn set_category(
    State(state): State<AppState>,
    auth: AuthUser,
    client: Client,
    Path(id): Path<i64>,
    Json(body): Json<CategoryUpdate>,
) -> Result<Json<ResumeBody>, ApiError> {
    auth.require(Role::Recruiter)?;
    let before = visible(&state, &auth, id).await?;
    let record =
        documents::resumes::set_category(&state.documents, id, body.category.as_deref()).await?;
    let entry = intellicv_store::AuditEntry::new(
        "resume.category_set",
        intellicv_store::AuditOutcome::Success,
    )
    .target("resume", id)
    .details(json!({
        "owner_id": before.owner_id,
        "from": before.category,
        "to": record.category,
    }));
    intellicv_app::auth::audit(&state.store, auth.audit(client.audit(entry))).await;
    Ok(Json(record.into()))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LimitQuery {
    pub limit: Option<usize>,
}

/// `GET /resumes/{id}/similar` (recruiters): resumes most like this one.
#[utoipa::path(
    get,
    path = "/api/v1/resumes/{resume_id}/similar",
    tag = "resumes",
    params(("resume_id" = i64, Path, description = "The resume"), LimitQuery),
    responses(
        (status = 200, description = "The most similar resumes, with shared skills", body = Vec<Object>),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Recruiters and admins only", body = ErrorResponse),
        (status = 404, description = "No such resume, or another user's", body = ErrorResponse),
        (status = 422, description = "Invalid input; `details.field` names the field", body = ErrorResponse),
    )
)]
pub async fn similar(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(id): Path<i64>,
    Query(q): Query<LimitQuery>,
) -> Result<Json<Vec<SimilarCandidate>>, ApiError> {
    auth.require(Role::Recruiter)?;
    visible(&state, &auth, id).await?;
    let limit = super::matching::limit(q.limit)?;
    let started = std::time::Instant::now();
    let hidden = organisations::hidden_resumes(&state.store, &auth).await?;
    let similar = state
        .matcher
        .similar_candidates(
            &ResumeSubject::Stored(id),
            &Default::default(),
            &hidden,
            limit,
        )
        .await?;
    state.usage.record_match(
        auth.user_id(),
        "similar",
        ("resume", id),
        similar.iter().map(|s| s.score),
        started.elapsed(),
    );
    Ok(Json(similar))
}
