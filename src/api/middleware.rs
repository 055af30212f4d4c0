//! The middleware stack every route runs in, outermost first: request id, tracing span,
//! compression, request metrics, rate limits, JSON errors, panic catching, timeout, body
//! limit.

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderName, Response, StatusCode};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

use crate::state::AppState;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn apply(router: Router<AppState>, state: &AppState) -> Router<AppState> {
    let settings = &state.settings.server;
    let timeout = Duration::from_secs(settings.request_timeout_secs);
    // Each `layer` call wraps the ones before it, so the first call is the innermost.
    router
        .layer(
            ServiceBuilder::new()
                .layer(DefaultBodyLimit::max(settings.max_body_bytes))
                .layer(RequestBodyLimitLayer::new(settings.max_body_bytes)),
        )
        .layer(ServiceBuilder::new().layer(CatchPanicLayer::new()).layer(
            TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, timeout),
        ))
        .layer(axum::middleware::from_fn(super::error::json_errors))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            super::rate_limit::limit_requests,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            super::scrape::track_requests,
        ))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(make_span)
                        .on_request(())
                        .on_response(on_response)
                        .on_failure(()),
                )
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(CompressionLayer::new()),
        )
}

fn make_span(request: &Request) -> Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str)
        .unwrap_or("unmatched");
    let request_id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info_span!(
        "http.request",
        http.method = %request.method(),
        http.route = route,
        request.id = request_id,
        http.status = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
    )
}

fn on_response<B>(response: &Response<B>, latency: Duration, span: &Span) {
    let status = response.status().as_u16();
    span.record("http.status", status);
    span.record("duration_ms", latency.as_secs_f64() * 1000.0);
    if response.status() == StatusCode::SERVICE_UNAVAILABLE {
        // Not ready yet, overloaded or timed out: expected states, not failures.
        tracing::warn!(http.status = status, "request not served now");
    } else if response.status().is_server_error() {
        tracing::error!(http.status = status, "request failed");
    } else {
        tracing::info!(http.status = status, "request finished");
    }
}
