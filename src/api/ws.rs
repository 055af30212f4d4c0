//! `GET /ws/admin` and `GET /ws/user`: WebSocket streams of real-time events (see
//! `intellicv_app::events`). Both authenticate like every route (`Authorization: Bearer`, or
//! `X-API-Key` for the admin stream) and also accept `?access_token=` because browsers
//! cannot set headers on a WebSocket. Messages are JSON text:
//! `{"type": "...", "at": "...", "data": {...}}`, the first one of type `connected`.
//!
//! Each connection has a bounded buffer; a client that falls behind (its buffer fills, or
//! one write takes longer than `realtime.send_timeout_secs`) is disconnected with close
//! code 1013 and counted, so it never holds up the others.

use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde_json::json;

use super::ApiError;
use super::error::ErrorResponse;
use super::extract::API_KEY;
use crate::state::AppState;
use intellicv_app::auth::principal::authenticate_bearer;
use intellicv_app::auth::{AuthError, AuthUser};
use intellicv_app::events::{Audience, Event, Subscription, kinds};
use intellicv_core::Role;

/// Close code for a client disconnected for falling behind ("try again later").
const CLOSE_LAGGING: u16 = 1013;
/// Close code at server shutdown ("going away").
const CLOSE_GOING_AWAY: u16 = 1001;

/// The caller of a WebSocket route: the usual credentials, or `?access_token=`.
pub struct WsCaller(pub AuthUser);

impl FromRequestParts<AppState> for WsCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let has_header = parts.headers.contains_key(API_KEY)
            || parts
                .headers
                .contains_key(axum::http::header::AUTHORIZATION);
        let query_token = parts.uri.query().and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "access_token")
                .map(|(_, v)| v.into_owned())
        });
        match query_token {
            Some(token) if !has_header => {
                let token = token.trim();
                if token.is_empty() {
                    return Err(AuthError::InvalidToken.into());
                }
                Ok(Self(
                    authenticate_bearer(&state.auth, &state.store, token).await?,
                ))
            }
            _ => Ok(Self(AuthUser::from_request_parts(parts, state).await?)),
        }
    }
}

type Upgrade = Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>;

/// `GET /ws/admin`: job progress, ingest events (document stored, parse failed) and
/// alerts, for admins.
#[utoipa::path(
    get,
    path = "/api/v1/ws/admin",
    tag = "realtime",
    params(("access_token" = Option<String>, Query, description = "An access token, for clients that cannot set the Authorization header")),
    responses(
        (status = 101, description = "Switching to the WebSocket protocol; then JSON text messages `{type, at, data}`: `connected`, `job.progress` {job_id, done, total, status}, `document.stored` {collection, id, ...}, `document.parse_failed` {id, format, code, reason, ...}, `alert` {level, message, details}"),
        (status = 400, description = "Not a WebSocket handshake", body = ErrorResponse),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "Admins only", body = ErrorResponse),
    )
)]
pub async fn admin(
    State(state): State<AppState>,
    WsCaller(caller): WsCaller,
    upgrade: Upgrade,
) -> Result<Response, ApiError> {
    caller.require(Role::Admin)?;
    let hello = json!({ "audience": "admin", "user_id": caller.user_id() });
    Ok(accept(state, upgrade, Audience::Admins, hello))
}

/// `GET /ws/user`: the caller's new matches (postings that match one of their resumes
/// at least as well as their threshold) and status changes of their applications.
#[utoipa::path(
    get,
    path = "/api/v1/ws/user",
    tag = "realtime",
    params(("access_token" = Option<String>, Query, description = "An access token, for clients that cannot set the Authorization header")),
    responses(
        (status = 101, description = "Switching to the WebSocket protocol; then JSON text messages `{type, at, data}`: `connected`, `match.new` {job_id, title, company, resume_id, score, threshold, matched_skills}, `application.status_changed` {application_id, job_id, from, to, note}"),
        (status = 400, description = "Not a WebSocket handshake", body = ErrorResponse),
        (status = 401, description = "No valid credentials", body = ErrorResponse),
        (status = 403, description = "A user login is needed (not an API key)", body = ErrorResponse),
    )
)]
pub async fn user(
    State(state): State<AppState>,
    WsCaller(caller): WsCaller,
    upgrade: Upgrade,
) -> Result<Response, ApiError> {
    let user_id = caller.require_user()?;
    let hello = json!({ "audience": "user", "user_id": user_id });
    Ok(accept(state, upgrade, Audience::User(user_id), hello))
}

/// Subscribes now (so nothing published after the handshake is missed) and serves the
/// connection once upgraded; a request that is not a handshake gets its rejection.
fn accept(
    state: AppState,
    upgrade: Upgrade,
    audience: Audience,
    hello: serde_json::Value,
) -> Response {
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejection.into_response(),
    };
    let subscription = state.events.subscribe(audience);
    let settings = state.settings.realtime.clone();
    let send_timeout = Duration::from_secs(settings.send_timeout_secs.max(1));
    let ping_every = Duration::from_secs(settings.ping_interval_secs.max(1));
    upgrade.on_upgrade(move |socket| async move {
        let hello = Event::new(kinds::CONNECTED, Utc::now(), hello);
        serve(socket, subscription, &hello.json, send_timeout, ping_every).await;
    })
}

/// Sends `message` within `limit`; `Err(true)` when it timed out.
async fn send(socket: &mut WebSocket, message: Message, limit: Duration) -> Result<(), bool> {
    match tokio::time::timeout(limit, socket.send(message)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(false),
        Err(_) => Err(true),
    }
}

async fn serve(
    mut socket: WebSocket,
    mut subscription: Subscription,
    hello: &str,
    send_timeout: Duration,
    ping_every: Duration,
) {
    if send(&mut socket, Message::Text(hello.into()), send_timeout)
        .await
        .is_err()
    {
        return;
    }
    let mut ping = tokio::time::interval(ping_every);
    ping.tick().await;
    let close = loop {
        tokio::select! {
            event = subscription.recv() => match event {
                Some(event) => {
                    let message = Message::Text(event.json.as_str().into());
                    match send(&mut socket, message, send_timeout).await {
                        Ok(()) => {}
                        Err(timed_out) => {
                            if timed_out {
                                subscription.mark_lagging();
                                tracing::info!("closed a websocket whose client stopped reading");
                            }
                            break None;
                        }
                    }
                }
                None if subscription.lagged() => {
                    tracing::info!("closed a websocket whose client fell behind");
                    break Some((CLOSE_LAGGING, "too slow: events were dropped; reconnect"));
                }
                None => break Some((CLOSE_GOING_AWAY, "server shutting down")),
            },
            incoming = socket.recv() => match incoming {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break None,
                // Pings are answered by the protocol layer; client text is ignored.
                Some(Ok(_)) => {}
            },
            _ = ping.tick() => {
                if send(&mut socket, Message::Ping(Default::default()), send_timeout).await.is_err() {
                    break None;
                }
            }
        }
    };
    if let Some((code, reason)) = close {
        let frame = CloseFrame {
            code,
            reason: reason.into(),
        };
        let _ = send(
            &mut socket,
            Message::Close(Some(frame)),
            Duration::from_secs(1),
        )
        .await;
    }
}
