//! `/admin/analytics/*` (admins): the dashboard, fixed reports and custom queries.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::ApiError;
use super::error::ErrorResponse;
use super::extract::Admin;
use super::input::{Json, Path, Query};
use crate::state::AppState;
use intellicv_app::analytics::AnalyticsError;
use intellicv_app::analytics::custom::{self, CustomQuery, CustomResult};
use intellicv_app::analytics::dashboard::{self, DEFAULT_TOP, Dashboard, MAX_TOP};
use intellicv_app::analytics::reports::{self, REPORT_IDS, Report};
use intellicv_core::TimeRange;

/// Query of the dashboard. Values arrive as text so that a bad one is a 422 naming it.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DashboardQuery {
    /// RFC 3339 time or YYYY-MM-DD (UTC); default 30 days before `to`.
    from: Option<String>,
    /// RFC 3339 time or YYYY-MM-DD (that whole day); default now.
    to: Option<String>,
    /// day (default), week (from Monday) or month.
    bucket: Option<String>,
    /// Skills per list, 1 to 100 (default 10).
    top: Option<String>,
}

/// Query of a report.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// RFC 3339 time or YYYY-MM-DD (UTC); default 30 days before `to`.
    from: Option<String>,
    /// RFC 3339 time or YYYY-MM-DD (that whole day); default now.
    to: Option<String>,
    /// day (default), week or month (`ingest_health`'s series).
    bucket: Option<String>,
    /// Rows per list, 1 to 100 (default 20).
    limit: Option<String>,
}

fn count_param(raw: Option<&str>, field: &str, default: usize) -> Result<usize, ApiError> {
    match raw.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_TOP).contains(n))
            .ok_or_else(|| ApiError::InvalidBody {
                field: field.to_owned(),
                reason: format!("must be a whole number from 1 to {MAX_TOP}"),
            }),
    }
}

fn range(
    state: &AppState,
    from: &Option<String>,
    to: &Option<String>,
    bucket: &Option<String>,
) -> Result<TimeRange, ApiError> {
    Ok(TimeRange::parse(
        from.as_deref(),
        to.as_deref(),
        bucket.as_deref(),
        state.settings.analytics.max_buckets,
    )
    .map_err(AnalyticsError::from)?)
}

/// `GET /admin/analytics/dashboard`: documents, parse failures, searches, matches and
/// applications by status per time bucket; the most demanded and supplied skills and the
/// largest gaps between them.
#[utoipa::path(
    get,
    path = "/api/v1/admin/analytics/dashboard",
    tag = "analytics",
    params(DashboardQuery),
    responses(
        (status = 200, description = "Totals and per-bucket series over the range", body = Dashboard),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Admins only", body = ErrorResponse),
        (status = 422, description = "Invalid input; `details.field` names the parameter", body = ErrorResponse),
    )
)]
pub async fn dashboard(
    State(state): State<AppState>,
    _admin: Admin,
    Query(q): Query<DashboardQuery>,
) -> Result<Json<Dashboard>, ApiError> {
    let range = range(&state, &q.from, &q.to, &q.bucket)?;
    let top = count_param(q.top.as_deref(), "top", DEFAULT_TOP)?;
    Ok(Json(dashboard::dashboard(&state.store, &range, top).await?))
}

/// `GET /admin/analytics/reports/{report_id}`: `skills_demand_supply`,
/// `application_funnel` or `ingest_health`.
#[utoipa::path(
    get,
    path = "/api/v1/admin/analytics/reports/{report_id}",
    tag = "analytics",
    params(
        ("report_id" = String, Path, description = "skills_demand_supply, application_funnel or ingest_health"),
        ReportQuery,
    ),
    responses(
        (status = 200, description = "The report; `report` names which", body = Report),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Admins only", body = ErrorResponse),
        (status = 404, description = "No such report; `details.reports` lists the known ones", body = ErrorResponse),
        (status = 422, description = "Invalid input; `details.field` names the parameter", body = ErrorResponse),
    )
)]
pub async fn report(
    State(state): State<AppState>,
    _admin: Admin,
    Path(report_id): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    if !REPORT_IDS.contains(&report_id.as_str()) {
        let message = format!(
            "no report named `{report_id}`; the reports are {}",
            REPORT_IDS.join(", ")
        );
        return Ok(super::error_response(
            StatusCode::NOT_FOUND,
            "not_found",
            &message,
            json!({ "report_id": report_id, "reports": REPORT_IDS }),
        ));
    }
    let range = range(&state, &q.from, &q.to, &q.bucket)?;
    let limit = count_param(q.limit.as_deref(), "limit", 20)?;
    let report = reports::report(&state.store, &report_id, &range, limit).await?;
    Ok(Json(report).into_response())
}

/// `POST /admin/analytics/custom`: a query in the small query language (metric,
/// aggregate, group-by, filters, time range), compiled from whitelists to parameterised
/// SQL. Every name outside the whitelists is a 422 naming where it was.
#[utoipa::path(
    post,
    path = "/api/v1/admin/analytics/custom",
    tag = "analytics",
    request_body = CustomQuery,
    responses(
        (status = 200, description = "The groups and their aggregate", body = CustomResult),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Admins only", body = ErrorResponse),
        (status = 422, description = "An unknown metric, aggregate, dimension, field, operator or a bad value; `details.field` names it (`metric`, `group_by[0]`, `filters[1].op`, ...)", body = ErrorResponse),
    )
)]
pub async fn custom(
    State(state): State<AppState>,
    _admin: Admin,
    Json(query): Json<CustomQuery>,
) -> Result<Json<CustomResult>, ApiError> {
    let max_buckets = state.settings.analytics.max_buckets;
    Ok(Json(custom::run(&state.store, &query, max_buckets).await?))
}
