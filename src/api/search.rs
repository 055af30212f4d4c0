//! `POST /api/v1/jobs/search` and `POST /api/v1/resumes/search`: hybrid search with
//! filters, fusion options, facets and pagination.

use std::collections::{BTreeMap, HashMap, HashSet};

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::ApiError;
use super::error::ErrorResponse;
use super::input::Json;
use crate::state::AppState;
use intellicv_app::auth::AuthUser;
use intellicv_app::telemetry::spawn_blocking_with_span;
use intellicv_core::{EmploymentType, RemoteMode, Role, SalaryPeriod, Seniority};
use intellicv_search::{Collection, FacetCount, SearchHit, SearchRequest};

/// What a hit shows of its document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum Summary {
    Job {
        title: String,
        company: Option<String>,
        location: Option<String>,
        remote_mode: RemoteMode,
        employment_type: EmploymentType,
        seniority: Option<Seniority>,
        salary_min: Option<f64>,
        salary_max: Option<f64>,
        salary_currency: Option<String>,
        salary_period: Option<SalaryPeriod>,
        posted_at: Option<DateTime<Utc>>,
    },
    Resume {
        headline: Option<String>,
        source_filename: String,
        years_experience: Option<f64>,
        seniority: Option<Seniority>,
    },
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HitBody {
    #[serde(flatten)]
    pub hit: SearchHit,
    pub document: Option<Summary>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SearchBody {
    pub total: usize,
    pub offset: usize,
    pub limit: usize,
    pub took_ms: f64,
    pub cached: bool,
    pub hits: Vec<HitBody>,
    pub facets: BTreeMap<String, Vec<FacetCount>>,
}

/// Any signed-in user searches job postings.
#[utoipa::path(
    post,
    path = "/api/v1/jobs/search",
    tag = "search",
    request_body = SearchRequest,
    responses(
        (status = 200, description = "Hits with scores in [0, 1], list ranks, highlights and facet counts", body = SearchBody),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 422, description = "Invalid input; `details.field` names the field", body = ErrorResponse),
    )
)]
pub async fn search_jobs(
    State(state): State<AppState>,
    auth: AuthUser,
    Json(request): Json<SearchRequest>,
) -> Result<Json<SearchBody>, ApiError> {
    search(state, &auth, Collection::Jobs, request)
        .await
        .map(Json)
}

/// Recruiters and admins search resumes (recruiters without those of candidates whose
/// private profile they may not see).
#[utoipa::path(
    post,
    path = "/api/v1/resumes/search",
    tag = "search",
    request_body = SearchRequest,
    responses(
        (status = 200, description = "Hits with scores in [0, 1], list ranks, highlights and facet counts", body = SearchBody),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Recruiters and admins only", body = ErrorResponse),
        (status = 422, description = "Invalid input; `details.field` names the field", body = ErrorResponse),
    )
)]
pub async fn search_resumes(
    State(state): State<AppState>,
    auth: AuthUser,
    Json(request): Json<SearchRequest>,
) -> Result<Json<SearchBody>, ApiError> {
    auth.require(Role::Recruiter)?;
    search(state, &auth, Collection::Resumes, request)
        .await
        .map(Json)
}

async fn search(
    state: AppState,
    auth: &AuthUser,
    c: Collection,
    request: SearchRequest,
) -> Result<SearchBody, ApiError> {
    request.validate()?;
    let hidden = match c {
        Collection::Jobs => HashSet::new(),
        Collection::Resumes => {
            intellicv_app::portal::organisations::hidden_resumes(&state.store, auth).await?
        }
    };
    let engine = state.search.clone();
    let response =
        spawn_blocking_with_span(move || engine.search_hiding(c, &request, &hidden)).await??;
    state.usage.record_search(
        auth.user_id(),
        c.as_str(),
        response.total,
        response.took_ms,
        response.cached,
    );
    let ids: Vec<i64> = response.hits.iter().map(|h| h.id).collect();
    let mut summaries = summaries(&state, c, &ids).await?;
    Ok(SearchBody {
        total: response.total,
        offset: response.offset,
        limit: response.limit,
        took_ms: response.took_ms,
        cached: response.cached,
        facets: response.facets,
        hits: response
            .hits
            .into_iter()
            .map(|hit| HitBody {
                document: summaries.remove(&hit.id),
                hit,
            })
            .collect(),
    })
}

async fn summaries(
    state: &AppState,
    c: Collection,
    ids: &[i64],
) -> Result<HashMap<i64, Summary>, ApiError> {
    let mut out = HashMap::new();
    match c {
        Collection::Jobs => {
            for j in state.store.job_summaries(ids).await? {
                out.insert(
                    j.id,
                    Summary::Job {
                        title: j.title,
                        company: j.company,
                        location: j.location,
                        remote_mode: j.remote_mode,
                        employment_type: j.employment_type,
                        seniority: j.seniority,
                        salary_min: j.salary_min,
                        salary_max: j.salary_max,
                        salary_currency: j.salary_currency,
                        salary_period: j.salary_period,
                        posted_at: j.posted_at,
                    },
                );
            }
        }
        Collection::Resumes => {
            for r in state.store.resume_summaries(ids).await? {
                out.insert(
                    r.id,
                    Summary::Resume {
                        headline: r.headline,
                        source_filename: r.source_filename,
                        years_experience: r.years_experience,
                        seniority: r.seniority,
                    },
                );
            }
        }
    }
    Ok(out)
}
