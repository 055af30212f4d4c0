//! Extractors for handlers: the authenticated caller ([`AuthUser`], [`Admin`]) and where a
//! request comes from ([`Client`]).
//!
//! ```ignore
//! async fn handler(auth: AuthUser, ...) -> Result<_, ApiError> {
//!     auth.require(Role::Recruiter)?;            // 403 unless recruiter or admin
//!     auth.owns_or_admin(resume.owner_id, "resume")?; // 404 for another user's resume
//! }
//! ```

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, header};

use super::error::ApiError;
use super::rate_limit::ClientIp;
use crate::state::AppState;
use intellicv_app::auth::principal::{authenticate_api_key, authenticate_bearer};
use intellicv_app::auth::{AuthError, AuthUser, Client};
use intellicv_core::Role;

pub const API_KEY: HeaderName = HeaderName::from_static("x-api-key");

/// Longest user agent kept with a session.
const MAX_USER_AGENT: usize = 512;

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    /// `X-API-Key: <key>` or `Authorization: Bearer <access token>`; 401 otherwise.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        // The rate limiter has checked the credentials already.
        if let Some(user) = parts.extensions.get::<AuthUser>() {
            return Ok(user.clone());
        }
        if let Some(key) = parts.headers.get(API_KEY) {
            let key = key.to_str().map_err(|_| AuthError::InvalidApiKey)?;
            return Ok(authenticate_api_key(&state.store, key.trim()).await?);
        }
        let token = bearer_token(&parts.headers)?;
        Ok(authenticate_bearer(&state.auth, &state.store, token).await?)
    }
}

/// An authenticated caller with the admin role (a user or an admin-scoped API key);
/// 401 without credentials, 403 for other roles.
#[derive(Debug, Clone)]
pub struct Admin(pub AuthUser);

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let user = AuthUser::from_request_parts(parts, state).await?;
        user.require(Role::Admin)?;
        Ok(Admin(user))
    }
}

impl FromRequestParts<AppState> for Client {
    type Rejection = std::convert::Infallible;

    /// The client address the rate limiter found (`X-Forwarded-For` only from
    /// `rate_limit.trusted_proxies`), else the connection's peer, and the user agent.
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        let ip = match parts.extensions.get::<ClientIp>() {
            Some(ClientIp(ip)) => Some(*ip),
            None => parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip()),
        };
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| {
                let cut = ua.floor_char_boundary(MAX_USER_AGENT);
                ua[..cut].to_owned()
            });
        Ok(Client::new(ip, user_agent))
    }
}

fn bearer_token(headers: &HeaderMap) -> Result<&str, AuthError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or(AuthError::MissingCredentials)?
        .to_str()
        .map_err(|_| AuthError::InvalidToken)?;
    let (scheme, token) = value.split_once(' ').ok_or(AuthError::InvalidToken)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(AuthError::InvalidToken);
    }
    Ok(token.trim())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn bearer_tokens_are_read_case_insensitively() {
        assert_eq!(bearer_token(&headers("Bearer abc")).unwrap(), "abc");
        assert_eq!(bearer_token(&headers("bearer  abc ")).unwrap(), "abc");
        assert!(matches!(
            bearer_token(&HeaderMap::new()),
            Err(AuthError::MissingCredentials)
        ));
        for bad in ["Basic abc", "Bearer", "Bearer  ", "abc"] {
            assert!(
                matches!(bearer_token(&headers(bad)), Err(AuthError::InvalidToken)),
                "{bad:?}"
            );
        }
    }

    /// `owns_or_admin` must answer exactly what a missing object answers.
    #[tokio::test]
    async fn another_users_object_gets_the_same_404_as_a_missing_one() {
        use axum::response::IntoResponse;

        use intellicv_app::auth::{AccessError, Subject};
        use intellicv_store::StoreError;

        let candidate = AuthUser {
            role: Role::Candidate,
            subject: Subject::User {
                id: 1,
                session: "s".into(),
            },
        };
        let denied = candidate.owns_or_admin(2, "resume").unwrap_err();
        assert_eq!(denied, AccessError::NotFound { entity: "resume" });
        let hidden = ApiError::from(denied).into_response();
        let missing = ApiError::from(StoreError::NotFound { entity: "resume" }).into_response();
        assert_eq!(hidden.status(), 404);
        assert_eq!(hidden.status(), missing.status());
        let body = |r: axum::response::Response| axum::body::to_bytes(r.into_body(), 4096);
        assert_eq!(body(hidden).await.unwrap(), body(missing).await.unwrap());
    }
}
