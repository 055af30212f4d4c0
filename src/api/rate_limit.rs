//! The rate-limit middleware: finds the client IP, authenticates the caller and applies
//! the process's [`RateLimits`]; over a limit the answer is 429 with `Retry-After` in the
//! API's error shape.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::extract::API_KEY;
use crate::state::AppState;
use intellicv_app::auth::AuthUser;
use intellicv_app::rate_limit::client_ip;
pub use intellicv_app::rate_limit::{Quota, RateLimitSettings, RateLimits};

/// Routes that are never limited: probes and the metrics scrape.
const UNLIMITED: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// The client IP of a request, as [`client_ip`] found it; set on every request by
/// [`limit_requests`] for the handlers' `Client` extractor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// Middleware: finds the client IP (kept as [`ClientIp`]), authenticates the caller when
/// the request carries credentials (kept as [`AuthUser`], so handlers do not check them
/// again) and applies the limits.
pub async fn limit_requests(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let limits = &state.rate_limits;
    let ip = client_ip(peer, &parts.headers, limits.trusted_proxies());
    if let Some(ip) = ip {
        parts.extensions.insert(ClientIp(ip));
    }
    let path = parts.uri.path().to_owned();
    if limits.enabled() && !UNLIMITED.contains(&path.as_str()) {
        let has_credentials = parts.headers.contains_key(API_KEY)
            || parts
                .headers
                .contains_key(axum::http::header::AUTHORIZATION);
        let caller = if has_credentials {
            AuthUser::from_request_parts(&mut parts, &state).await.ok()
        } else {
            None
        };
        if let Err((scope, retry_after)) = limits.check(&path, ip, caller.as_ref(), Instant::now())
        {
            state.metrics.rate_limited(scope);
            tracing::info!(
                rate_limit.scope = scope,
                client.ip = ?ip,
                retry_after_ms = retry_after.as_millis() as u64,
                "request rate limited"
            );
            return ApiError::TooManyRequests { retry_after }.into_response();
        }
        if let Some(caller) = caller {
            parts.extensions.insert(caller);
        }
    }
    next.run(Request::from_parts(parts, body)).await
}
