//! Matching over HTTP: jobs for a user, candidates for a job, the explanation of a pair.

use std::time::Instant;

use axum::extract::State;
use serde::Deserialize;

use super::ApiError;
use super::error::ErrorResponse;
use super::input::{Json, Path, Query};
use crate::state::AppState;
use intellicv_app::auth::AuthUser;
use intellicv_app::matching::service::{CandidateMatch, JobMatch, ResumeSubject};
use intellicv_app::matching::{MatchExplanation, MatchOptions};
use intellicv_app::portal::organisations;
use intellicv_core::{Role, ValidationError};
use intellicv_store::{Page, ParseStatus};

/// Most results a match list returns.
pub const MAX_LIMIT: usize = 100;

pub fn limit(raw: Option<usize>) -> Result<usize, ApiError> {
    match raw.unwrap_or(10) {
        n @ 1..=MAX_LIMIT => Ok(n),
        _ => Err(ValidationError::new("limit", format!("must be from 1 to {MAX_LIMIT}")).into()),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MatchQuery {
    pub limit: Option<usize>,
    /// A resume of the user's; default: their latest parsed one.
    pub resume_id: Option<i64>,
    #[serde(default)]
    pub blind: bool,
}

/// `GET /jobs/matches/{user_id}`: jobs for the user's latest (or chosen) resume, with
/// explanations; the skills and preferences of the user's profile count too. The user
/// themself, admins, and recruiters the user's profile visibility lets in (a private
/// profile: those of organisations the user applied to).
#[utoipa::path(
    get,
    path = "/api/v1/jobs/matches/{user_id}",
    tag = "matching",
    params(("user_id" = i64, Path, description = "The job seeker"), MatchQuery),
    responses(
        (status = 200, description = "Jobs with scores 0-100 and explanations", body = Vec<Object>),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 404, description = "No such user or no parsed resume (also another user's)", body = ErrorResponse),
        (status = 422, description = "Invalid input; `details.field` names the field", body = ErrorResponse),
    )
)]
pub async fn jobs_for_user(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(user_id): Path<i64>,
    Query(q): Query<MatchQuery>,
) -> Result<Json<Vec<JobMatch>>, ApiError> {
    if auth.require_any(&[Role::Recruiter]).is_err() {
        auth.owns_or_admin(user_id, "user")?;
    }
    if !organisations::may_see_candidate(&state.store, &auth, user_id).await? {
        return Err(ApiError::NotFound("user"));
    }
    let limit = limit(q.limit)?;
    let resume_id = match q.resume_id {
        Some(id) => {
            let resume = state.store.get_resume(id).await?;
            if resume.owner_id != Some(user_id) {
                return Err(ApiError::NotFound("resume"));
            }
            id
        }
        None => latest_parsed_resume(&state, user_id).await?,
    };
    let options = MatchOptions { blind: q.blind };
    let started = Instant::now();
    let extras = intellicv_app::portal::profile::match_extras(&state.store, user_id).await?;
    let matches = state
        .matcher
        .jobs_for_candidate(
            &ResumeSubject::Stored(resume_id),
            extras,
            &Default::default(),
            limit,
            options,
        )
        .await?;
    state.usage.record_match(
        auth.user_id(),
        "jobs_for_user",
        ("resume", resume_id),
        matches.iter().map(|m| m.score),
        started.elapsed(),
    );
    Ok(Json(matches))
}

async fn latest_parsed_resume(state: &AppState, user_id: i64) -> Result<i64, ApiError> {
    let (rows, _) = state
        .store
        .list_resumes(
            Some(user_id),
            Page {
                limit: 50,
                offset: 0,
            },
        )
        .await?;
    rows.into_iter()
        .find(|r| r.parse_status == ParseStatus::Parsed)
        .map(|r| r.id)
        .ok_or(ApiError::NotFound("parsed resume"))
}

/// `GET /jobs/{job_id}/candidates` (recruiters): candidates for a posting, without those
/// whose private profile the caller may not see.
#[utoipa::path(
    get,
    path = "/api/v1/jobs/{job_id}/candidates",
    tag = "matching",
    params(("job_id" = i64, Path, description = "The posting"), MatchQuery),
    responses(
        (status = 200, description = "Candidates with scores 0-100 and explanations", body = Vec<Object>),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Recruiters and admins only", body = ErrorResponse),
        (status = 404, description = "No such object, or another user's", body = ErrorResponse),
        (status = 422, description = "Invalid input; `details.field` names the field", body = ErrorResponse),
    )
)]
pub async fn candidates_for_job(
    State(state): State<AppState>,
    auth: AuthUser,
    Path(job_id): Path<i64>,
    Query(q): Query<MatchQuery>,
) -> Result<Json<Vec<CandidateMatch>>, ApiError> {
    auth.require(Role::Recruiter)?;
    let limit = limit(q.limit)?;
    let options = MatchOptions { blind: q.blind };
    let started = Instant::now();
    let hidden = organisations::hidden_resumes(&state.store, &auth).await?;
    let matches = state
        .matcher
        .candidates_for_job(job_id, &Default::default(), &hidden, limit, options)
        .await?;
    state.usage.record_match(
        auth.user_id(),
        "candidates_for_job",
        ("job", job_id),
        matches.iter().map(|m| m.score),
        started.elapsed(),
    );
    Ok(Json(matches))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExplainQuery {
    pub resume_id: i64,
    pub job_id: i64,
    #[serde(default)]
    pub blind: bool,
}

/// `GET /matches/explain?resume_id=&job_id=`: the owner of the resume, admins, and
/// recruiters who may see the resume.
#[utoipa::path(
    get,
    path = "/api/v1/matches/explain",
    tag = "matching",
    params(ExplainQuery),
    responses(
        (status = 200, description = "The score and every component's weight and contribution", body = Object),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 404, description = "No such object, or another user's", body = ErrorResponse),
        (status = 422, description = "Invalid input; `details.field` names the field", body = ErrorResponse),
    )
)]
pub async fn explain(
    State(state): State<AppState>,
    auth: AuthUser,
    Query(q): Query<ExplainQuery>,
) -> Result<Json<MatchExplanation>, ApiError> {
    let resume = state.store.get_resume(q.resume_id).await?;
    if !organisations::may_see_resume(&state.store, &auth, &resume).await? {
        return Err(ApiError::NotFound("resume"));
    }
    let options = MatchOptions { blind: q.blind };
    let started = Instant::now();
    let explanation = state
        .matcher
        .explain(q.resume_id, q.job_id, options)
        .await?;
    state.usage.record_match(
        auth.user_id(),
        "explain",
        ("resume", q.resume_id),
        [explanation.score],
        started.elapsed(),
    );
    Ok(Json(explanation))
}
