//! `GET /metrics` (Prometheus text format) and the middleware that counts every request
//! by its route template.
//!
//! Who may scrape: a client on a loopback address (the connection's own address, never a
//! forwarded one) when `metrics.allow_loopback` is on, and anyone presenting
//! `Authorization: Bearer <metrics.bearer_token>` when a token is set.

use std::net::SocketAddr;
use std::time::Instant;

use axum::Extension;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use crate::state::AppState;
use intellicv_app::auth::tokens::constant_time_eq;

const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Middleware: counts each answered request and its latency under its route template
/// (`/api/v1/jobs/{job_id}`), so the label values stay bounded; unknown paths count as
/// `unmatched`.
pub async fn track_requests(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let method = method_label(request.method());
    let response = next.run(request).await;
    state.metrics.observe_request(
        method,
        &route,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// Known methods by name; anything else as `other`, so clients cannot mint label values.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// `GET /metrics`.
pub async fn metrics(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let settings = &state.settings.metrics;
    if !settings.enabled {
        return Err(ApiError::NotFound("route"));
    }
    let from_loopback = peer.is_some_and(|Extension(ConnectInfo(addr))| addr.ip().is_loopback());
    if !(settings.allow_loopback && from_loopback) {
        let Some(expected) = &settings.bearer_token else {
            return Err(ApiError::Forbidden {
                code: "forbidden",
                message: "metrics are only served to loopback clients".into(),
            });
        };
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim());
        let Some(given) = given else {
            return Err(ApiError::Unauthorized {
                code: "missing_credentials",
                message: "metrics need a bearer token".into(),
            });
        };
        if !constant_time_eq(given, expected.expose()) {
            return Err(ApiError::Unauthorized {
                code: "invalid_token",
                message: "wrong metrics token".into(),
            });
        }
    }
    match state.store.background_job_counts().await {
        Ok(counts) => state.metrics.set_job_counts(&counts),
        Err(error) => tracing::warn!(%error, "cannot count background jobs for metrics"),
    }
    let text = state
        .metrics
        .render()
        .map_err(|e| ApiError::Internal(e.into()))?;
    let mut response = text.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(TEXT_FORMAT));
    Ok(response)
}
